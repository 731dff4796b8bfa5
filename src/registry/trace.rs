//! Traced lists in the registry 大数据清单: every batch received, each row's status through
//! the day, and the persons traced (a person in three lists is one person).
//!
//! The rules are [`crate::trace`]'s, pure; this file matches rows against the register (its
//! identity index: one person, one file, and matching never creates one), keeps the batches,
//! decides the three commands (receive, control, hand over) and reports. Placing a person
//! under control is one command with the measure it takes: the row's event, then the
//! [`Event::StateChanged`] or [`Event::CaseStarted`] that [`Command::SetState`] or
//! [`Command::StartCase`] would make, decided and checked as they are.

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::{Event, IdTable, Registry, RegistryError};
use crate::trace::{BadRow, CheckedRow, Document};
use crate::trace::{
    BatchId, BatchReport, ControlMeasure, ListSource, MAX_ROWS, MAX_TEXT_CHARS, Place, RowLine, RowRef, RowStatus,
    TraceError, TraceTally, TracedRow, controls,
};
use crate::{Command, Error, PersonId, UnitId};

/// A batch as the registry keeps it: its source, receipt, rows and each row's status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracedBatch {
    /// Where the list came from.
    pub source: ListSource,
    /// When it was received (the host's time of day).
    pub received: NaiveDateTime,
    /// The rows, as received.
    pub rows: Vec<TracedRow>,
    /// Each row's status, in row order.
    pub statuses: Vec<RowStatus>,
}

crate::form::serialize_fields!(TracedBatch { source, received, rows, statuses });

/// The traced lists a snapshot carries ([`Snapshot::trace`](super::Snapshot::trace)): every
/// batch, `BatchId(i)` at position `i`. Empty (and left out of a snapshot) until a batch is
/// received.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceData {
    /// The batches.
    #[serde(default)]
    pub batches: Vec<TracedBatch>,
}

crate::form::serialize_fields!(TraceData { batches skip_if Vec::is_empty });

impl TraceData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }
}

/// The trace book: the batches, and each traced person's rows.
#[derive(Debug, Clone, Default)]
pub(super) struct TraceBook {
    batches: Vec<TracedBatch>,
    /// Every row matched to a person, by person (derived from the statuses).
    by_person: FxHashMap<PersonId, Vec<RowRef>>,
}

/// Two books are equal when their batches are: the index by person is derived from them.
impl PartialEq for TraceBook {
    fn eq(&self, o: &Self) -> bool {
        self.batches == o.batches
    }
}

impl Eq for TraceBook {}

impl TraceBook {
    pub(super) fn from_data(data: TraceData) -> Result<Self, Error> {
        let mut book = TraceBook { batches: Vec::new(), by_person: FxHashMap::default() };
        for (i, batch) in data.batches.into_iter().enumerate() {
            if batch.rows.len() != batch.statuses.len() {
                return Err(RegistryError::InvalidSnapshot {
                    what: format!("batch{i} has {} rows and {} statuses", batch.rows.len(), batch.statuses.len()),
                }
                .into());
            }
            let id = BatchId::new(u32::try_from(i).map_err(|_| TraceError::BatchSize { rows: i })?);
            book.index(id, &batch.statuses);
            book.batches.push(batch);
        }
        Ok(book)
    }

    pub(super) fn to_data(&self) -> TraceData {
        TraceData { batches: self.batches.clone() }
    }

    fn index(&mut self, batch: BatchId, statuses: &[RowStatus]) {
        for (row, s) in statuses.iter().enumerate() {
            if let (Some(p), Ok(row)) = (s.person(), u32::try_from(row)) {
                self.by_person.entry(p).or_default().push(RowRef { batch, row });
            }
        }
    }

    fn status(&self, r: RowRef) -> Result<&RowStatus, TraceError> {
        let batch = self.batches.get(r.batch.index()).ok_or(TraceError::UnknownBatch { batch: r.batch })?;
        batch.statuses.get(r.row as usize).ok_or(TraceError::UnknownRow { row: r })
    }
}

impl Event {
    /// Whether this is a traced-list event, which `registry::trace` checks and commits.
    pub(super) fn is_trace(&self) -> bool {
        matches!(
            self,
            Event::TracedBatchReceived { .. } | Event::TracedControlled { .. } | Event::TracedHandedOver { .. }
        )
    }
}

impl Registry {
    /// Match rows received at `received` against the register, without recording anything:
    /// each row's status on receipt ([`RowStatus::Bad`], [`RowStatus::Matched`],
    /// [`RowStatus::AlreadyUnderControl`] or [`RowStatus::NotFound`]). A row is matched by
    /// its identity document alone, through the register's index: never by name, never to a
    /// second file. A row nobody carries the document of is routed to the unit whose
    /// administrative code its address gives, or not found here when no unit has it.
    ///
    /// # Complexity
    /// O(rows), each row one hash look-up of its document and one of its address's code.
    pub fn match_traced(&self, received: NaiveDateTime, rows: &[TracedRow]) -> Vec<RowStatus> {
        // In three passes, each a loop of independent steps, so that the look-ups of a city's
        // index and states (a cache miss each) overlap rather than wait on a row's reading.
        let date = received.date();
        let checked: Vec<Result<CheckedRow, BadRow>> = rows.iter().map(|row| row.check(date)).collect();
        let found: Vec<Option<PersonId>> = checked
            .iter()
            .map(|c| match c {
                Ok(CheckedRow { document: Some(Document::Resident(id)), .. }) => self.population.find_resident(id),
                Ok(CheckedRow { document: Some(Document::Passport(p)), .. }) => self.population.find_passport(p),
                _ => None,
            })
            .collect();
        checked
            .into_iter()
            .zip(found)
            .map(|(checked, found)| match (checked, found) {
                (Err(bad), _) => RowStatus::Bad(bad),
                (Ok(_), Some(person)) if self.under_control(person) => {
                    RowStatus::AlreadyUnderControl { person, at: received }
                }
                (Ok(_), Some(person)) => RowStatus::Matched { person },
                (Ok(CheckedRow { place: Place::Code(code), .. }), None) => {
                    RowStatus::NotFound { routed: self.tree.find_by_code(code.as_str()) }
                }
                (Ok(_), None) => RowStatus::NotFound { routed: None },
            })
            .collect()
    }

    /// Whether a person is under control: under an active case, or in a state that controls
    /// ([`controls`]).
    fn under_control(&self, person: PersonId) -> bool {
        self.active_case(person).is_some()
            || self
                .states
                .get(person.index())
                .is_some_and(|s| controls(s.state()) || s.measure() != crate::colour::Measure::None)
    }

    /// A batch received.
    ///
    /// # Errors
    /// [`TraceError::UnknownBatch`].
    pub fn traced_batch(&self, batch: BatchId) -> Result<&TracedBatch, Error> {
        Ok(self.trace.batches.get(batch.index()).ok_or(TraceError::UnknownBatch { batch })?)
    }

    /// How many batches were received.
    pub fn traced_batch_count(&self) -> usize {
        self.trace.batches.len()
    }

    /// Every row, in any batch, matched to `person` (a person in three lists is one person).
    pub fn traced_rows_of(&self, person: PersonId) -> &[RowRef] {
        self.trace.by_person.get(&person).map_or(&[], Vec::as_slice)
    }

    /// The unit a row belongs to: its person's household's unit, or the unit it was routed to.
    fn row_unit(&self, status: &RowStatus) -> Option<UnitId> {
        match status {
            RowStatus::NotFound { routed } => *routed,
            s => {
                let p = self.population.person(s.person()?).ok()?;
                self.population.household(p.household()).ok().map(|h| h.unit())
            }
        }
    }

    /// The unit a traced row belongs to (its person's household's unit, or where it was
    /// routed), `None` for a row of no unit.
    pub(super) fn traced_row_unit(&self, row: RowRef) -> Result<Option<UnitId>, Error> {
        Ok(self.row_unit(self.trace.status(row)?))
    }

    /// A batch's report 批次报告: every row's status, unit and minutes from the receipt to its
    /// control, and the counts, with the same-day figure (所有人员当日实现管控:
    /// [`TraceTally::all_settled_same_day`]).
    ///
    /// # Errors
    /// [`TraceError::UnknownBatch`].
    ///
    /// # Complexity
    /// O(rows of the batch).
    pub fn traced_report(&self, batch: BatchId) -> Result<BatchReport, Error> {
        self.traced_report_where(batch, |_| true)
    }

    pub(super) fn traced_report_where(
        &self,
        batch: BatchId,
        keep: impl Fn(Option<UnitId>) -> bool,
    ) -> Result<BatchReport, Error> {
        let b = self.traced_batch(batch)?;
        let mut tally = TraceTally::default();
        let mut persons = rustc_hash::FxHashSet::default();
        let mut rows = Vec::new();
        for (i, status) in b.statuses.iter().enumerate() {
            let unit = self.row_unit(status);
            if !keep(unit) {
                continue;
            }
            tally.count(status, b.received);
            if let Some(p) = status.person() {
                persons.insert(p);
            }
            rows.push(RowLine {
                row: u32::try_from(i).unwrap_or(u32::MAX),
                status: status.clone(),
                unit,
                minutes_to_control: status.settled_at().map(|at| (at - b.received).num_minutes()),
            });
        }
        tally.persons = persons.len() as u64;
        Ok(BatchReport { batch, source: b.source, received: b.received, rows, tally })
    }

    /// The counts of every row of every batch belonging to a unit inside `unit` (its person's
    /// household, or where it was routed); at the root, every row (those of no unit too:
    /// bad rows, rows not found here). Persons are counted once however many lists name them.
    ///
    /// # Errors
    /// The error of an unknown unit.
    ///
    /// # Complexity
    /// O(rows of every batch × levels).
    pub fn traced_tally(&self, unit: UnitId) -> Result<TraceTally, Error> {
        self.tree.check(unit)?;
        let root = unit == self.root();
        let mut tally = TraceTally::default();
        let mut persons = rustc_hash::FxHashSet::default();
        for b in &self.trace.batches {
            for status in &b.statuses {
                let inside = match self.row_unit(status) {
                    Some(u) => self.tree.is_within(u, unit)?,
                    None => root,
                };
                if inside {
                    tally.count(status, b.received);
                    if let Some(p) = status.person() {
                        persons.insert(p);
                    }
                }
            }
        }
        tally.persons = persons.len() as u64;
        Ok(tally)
    }

    pub(super) fn decide_trace(&self, command: Command) -> Result<Event, Error> {
        Ok(match command {
            Command::ReceiveTracedBatch { source, received, rows } => {
                let batch = BatchId::new(u32::try_from(self.trace.batches.len()).unwrap_or(u32::MAX));
                if rows.is_empty() || rows.len() > MAX_ROWS {
                    return Err(TraceError::BatchSize { rows: rows.len() }.into());
                }
                let statuses = self.match_traced(received, &rows);
                Event::TracedBatchReceived { batch, source, received, rows, statuses }
            }
            Command::ControlTraced { row, person, measure, at } => {
                let person = self.control_person(row, person)?;
                Event::TracedControlled { row, person, measure, at, settled: self.settled_by(row, person)? }
            }
            Command::HandOverTraced { row, to, at } => Event::TracedHandedOver { row, to, at },
            other => {
                return Err(RegistryError::Mismatch { what: format!("{other:?} is not a traced-list command") }.into());
            }
        })
    }

    /// The person a control of `row` names: the row's matched person (the one named, if any,
    /// must be them), or, for a row routed to a unit, the person the unit found there.
    fn control_person(&self, row: RowRef, named: Option<PersonId>) -> Result<PersonId, Error> {
        let status = self.trace.status(row)?;
        match (status, named) {
            (RowStatus::Matched { person }, None) => Ok(*person),
            (RowStatus::Matched { person }, Some(p)) if p == *person => Ok(p),
            (RowStatus::Matched { .. }, Some(p)) => Err(TraceError::NotThePerson { row, person: p }.into()),
            (RowStatus::NotFound { routed: Some(_) }, None) => Err(TraceError::PersonUnnamed { row }.into()),
            (RowStatus::NotFound { routed: Some(_) }, Some(p)) => Ok(p),
            (s, _) => Err(TraceError::NotOpen { row, status: s.kind() }.into()),
        }
    }

    /// The rows a control of `person` through `row` settles, in order: `row` and every other
    /// row matched to the person and not yet settled (one person, one control).
    fn settled_by(&self, row: RowRef, person: PersonId) -> Result<Vec<RowRef>, Error> {
        let mut out = vec![row];
        for &r in self.traced_rows_of(person) {
            if r != row && matches!(self.trace.status(r)?, RowStatus::Matched { .. }) {
                out.push(r);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The event a control's measure makes, decided as its command would be.
    pub(super) fn trace_follow_up(&self, first: &Event) -> Result<Option<Event>, Error> {
        let Event::TracedControlled { person, measure: Some(measure), at, .. } = first else { return Ok(None) };
        let (person, on) = (*person, at.date());
        let command = match *measure {
            ControlMeasure::SetState { state } => Command::SetState { person, state, on },
            ControlMeasure::StartCase { policy, category, anchor, linked } => {
                Command::StartCase { person, policy, category, anchor, on, linked }
            }
        };
        self.decide(command).map(Some)
    }

    pub(super) fn check_trace(&self, event: &Event, origin: super::Origin) -> Result<(), Error> {
        match event {
            Event::TracedBatchReceived { batch, received, rows, statuses, .. } => {
                Self::expect_id(IdTable::Batch, self.trace.batches.len() as u32, batch.get())?;
                if rows.is_empty() || rows.len() > MAX_ROWS {
                    return Err(TraceError::BatchSize { rows: rows.len() }.into());
                }
                if origin == super::Origin::Log && *statuses != self.match_traced(*received, rows) {
                    return Err(RegistryError::Mismatch {
                        what: format!("the statuses of {batch} are not those its rows match to"),
                    }
                    .into());
                }
            }
            Event::TracedControlled { row, person, measure, at, settled } => {
                let received = self.traced_batch(row.batch)?.received;
                if *at < received {
                    return Err(TraceError::BeforeReceipt { batch: row.batch, at: *at, received }.into());
                }
                if self.control_person(*row, Some(*person))? != *person {
                    return Err(TraceError::NotThePerson { row: *row, person: *person }.into());
                }
                let status = self.trace.status(*row)?;
                if let RowStatus::NotFound { routed: Some(unit) } = status {
                    self.check_found(*row, *person, *unit)?;
                }
                let under = self.under_control(*person);
                match measure {
                    Some(_) if under => return Err(TraceError::AlreadyControlled { person: *person }.into()),
                    None if !under => return Err(TraceError::NotControlled { person: *person }.into()),
                    Some(ControlMeasure::SetState { state }) if !controls(*state) => {
                        return Err(TraceError::NotAMeasure { state: *state }.into());
                    }
                    _ => {}
                }
                if *settled != self.settled_by(*row, *person)? {
                    return Err(RegistryError::Mismatch {
                        what: format!("the rows settled are not those matched to {person}"),
                    }
                    .into());
                }
            }
            Event::TracedHandedOver { row, to, at } => {
                let received = self.traced_batch(row.batch)?.received;
                if *at < received {
                    return Err(TraceError::BeforeReceipt { batch: row.batch, at: *at, received }.into());
                }
                let status = self.trace.status(*row)?;
                if !matches!(status, RowStatus::Matched { .. } | RowStatus::NotFound { .. }) {
                    return Err(TraceError::NotOpen { row: *row, status: status.kind() }.into());
                }
                if crate::text::bad_name(to, MAX_TEXT_CHARS).is_some() {
                    return Err(TraceError::BadRecipient.into());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A routed row's person: inside the unit, and carrying no other document than the row's.
    fn check_found(&self, row: RowRef, person: PersonId, unit: UnitId) -> Result<(), Error> {
        let p = self.population.person(person)?;
        let at = self.population.household(p.household())?.unit();
        if !self.tree.is_within(at, unit)? {
            return Err(TraceError::NotInUnit { row, person, unit }.into());
        }
        let batch = self.traced_batch(row.batch)?;
        let document = batch.rows.get(row.row as usize).and_then(|r| r.document.as_ref()).and_then(|d| d.check().ok());
        let differs = match &document {
            Some(Document::Resident(id)) => p.resident_id().is_some_and(|own| own != *id),
            Some(Document::Passport(pp)) => p.passport().is_some_and(|own| own != pp),
            None => false,
        };
        // A document registered to someone else would have matched on receipt, or belongs to
        // another file now: never a second file.
        let elsewhere = match &document {
            Some(Document::Resident(id)) => self.population.find_resident(id).is_some_and(|q| q != person),
            Some(Document::Passport(pp)) => self.population.find_passport(pp).is_some_and(|q| q != person),
            None => false,
        };
        if differs || elsewhere {
            return Err(TraceError::NotThePerson { row, person }.into());
        }
        Ok(())
    }

    pub(super) fn commit_trace(&mut self, event: &Event) {
        match event {
            Event::TracedBatchReceived { batch, source, received, rows, statuses } => {
                self.trace.index(*batch, statuses);
                self.trace.batches.push(TracedBatch {
                    source: *source,
                    received: *received,
                    rows: rows.clone(),
                    statuses: statuses.clone(),
                });
            }
            Event::TracedControlled { row, person, measure, at, settled } => {
                let status = match measure {
                    Some(_) => RowStatus::Controlled { person: *person, at: *at },
                    None => RowStatus::AlreadyUnderControl { person: *person, at: *at },
                };
                if let Ok(RowStatus::NotFound { .. }) = self.trace.status(*row) {
                    let list = self.trace.by_person.entry(*person).or_default();
                    let at = list.partition_point(|r| r < row);
                    list.insert(at, *row);
                }
                for r in settled {
                    if let Some(s) =
                        self.trace.batches.get_mut(r.batch.index()).and_then(|b| b.statuses.get_mut(r.row as usize))
                    {
                        *s = status.clone();
                    }
                }
            }
            Event::TracedHandedOver { row, to, at } => {
                let was = self.trace.status(*row).ok().and_then(RowStatus::person);
                if let Some(p) = was
                    && let Some(list) = self.trace.by_person.get_mut(&p)
                {
                    list.retain(|r| r != row);
                    if list.is_empty() {
                        self.trace.by_person.remove(&p);
                    }
                }
                if let Some(s) =
                    self.trace.batches.get_mut(row.batch.index()).and_then(|b| b.statuses.get_mut(row.row as usize))
                {
                    *s = RowStatus::Elsewhere { to: to.clone(), at: *at };
                }
            }
            _ => {}
        }
    }

    /// The audit of the trace book: every state a row holds is one the commands reach.
    pub(super) fn trace_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, b) in self.trace.batches.iter().enumerate() {
            let batch = BatchId::new(u32::try_from(i).unwrap_or(u32::MAX));
            if self.day.is_none_or(|d| b.received.date() > d) || b.rows.is_empty() {
                found.push(format!("{batch} is empty, or received after the business date"));
            }
            for (j, (row, status)) in b.rows.iter().zip(&b.statuses).enumerate() {
                let at = RowRef { batch, row: u32::try_from(j).unwrap_or(u32::MAX) };
                if let Some(problem) = self.row_problem(b, at, row, status) {
                    found.push(format!("{at}: {problem}"));
                }
            }
        }
        found
    }

    fn row_problem(&self, b: &TracedBatch, at: RowRef, row: &TracedRow, status: &RowStatus) -> Option<&'static str> {
        let checked = row.check(b.received.date());
        match (&checked, status) {
            (Err(bad), RowStatus::Bad(kept)) if bad == kept => return None,
            (Err(_), _) | (Ok(_), RowStatus::Bad(_)) => return Some("its status is not what reading it gives"),
            _ => {}
        }
        if let Some(p) = status.person() {
            if self.population.person(p).is_err() {
                return Some("it names an unknown person");
            }
            // One person, one file: a document registered names its person only.
            let document = checked.ok().and_then(|c| c.document);
            let holder = match &document {
                Some(Document::Resident(id)) => self.population.find_resident(id),
                Some(Document::Passport(pp)) => self.population.find_passport(pp),
                None => None,
            };
            if holder.is_some_and(|q| q != p) {
                return Some("it names another person than its document's");
            }
            if !self.traced_rows_of(p).contains(&at) {
                return Some("its person's rows do not list it");
            }
        }
        if let Some(when) = status.settled_at()
            && (when < b.received || self.day.is_none_or(|d| when.date() > d))
        {
            return Some("it is settled before its receipt or after the business date");
        }
        match status {
            RowStatus::NotFound { routed: Some(u) } if self.tree.check(*u).is_err() => {
                Some("it is routed to an unknown unit")
            }
            RowStatus::Elsewhere { to, .. } if to.trim().is_empty() => Some("it is handed to nobody"),
            _ => None,
        }
    }
}
