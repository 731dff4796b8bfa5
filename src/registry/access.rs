//! Closed management, passes and entry checks in the registry (issue 17 §2): each compound's
//! status history, the passes 出入证 issued and revoked, the entries recorded at the gates.
//!
//! The rules are [`crate::access`]'s, pure; this book keeps the records
//! ([`Command::SetCompoundStatus`], [`Command::IssuePass`], [`Command::RevokePass`],
//! [`Command::RecordEntry`]) and answers the reads: a compound's status on a date, counts of
//! compounds per status inside a unit, a pass check at a gate, a day's entries counted per
//! entrance and per compound, and the fevers at the gates listed for follow-up.
//!
//! A pass is judged with the household's colour read through [`Registry::colour`], never
//! by its members' states. A fever of a resident under a case is that case's health check,
//! decided by [`Command::RecordCheck`]'s rule and recorded in the same record (a follow-up
//! event), which escalates them to a suspected case; any other fever at or above
//! [`GATE_FEVER`] is listed for follow-up ([`Registry::gate_follow_ups`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use super::{Event, Registry, RegistryError};
use crate::access::{
    AccessError, CompoundStatus, Entrant, EntryCounts, EntryRecord, FeverRoute, GATE_FEVER, Pass, PassId, PassRecord,
    Revocation, StatusChange, StatusCounts, Verdict, check_text, judge,
};
use crate::colour::Colour;
use crate::grid::UnitKind;
use crate::quarantine::Temperature;
use crate::{Command, Error, HouseholdId, PersonId, UnitId};

/// The access records a snapshot carries ([`Snapshot::access`](super::Snapshot::access)):
/// status changes, passes (`PassId(i)` at position `i`) and entries, each in the order
/// recorded. Empty (and left out) until the first is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessData {
    /// Every change of a compound's status.
    #[serde(default)]
    pub statuses: Vec<StatusChange>,
    /// Every pass issued.
    #[serde(default)]
    pub passes: Vec<PassRecord>,
    /// Every entry recorded.
    #[serde(default)]
    pub entries: Vec<EntryRecord>,
}

crate::form::serialize_fields!(AccessData {
    statuses skip_if Vec::is_empty,
    passes skip_if Vec::is_empty,
    entries skip_if Vec::is_empty,
});

impl AccessData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.statuses.is_empty() && self.passes.is_empty() && self.entries.is_empty()
    }
}

/// The access book: its records and the indexes derived from them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct AccessBook {
    pub(super) data: AccessData,
    /// Each compound's changes, positions in `data.statuses`, in date order.
    history: FxHashMap<UnitId, Vec<usize>>,
    /// Each household's passes.
    passes_of: FxHashMap<HouseholdId, Vec<PassId>>,
    /// The last day each pass admitted an entry.
    last_used: FxHashMap<PassId, NaiveDate>,
    /// Each day's entries, positions in `data.entries`.
    by_day: BTreeMap<NaiveDate, Vec<usize>>,
}

impl AccessBook {
    /// The book of a snapshot's records (whatever is wrong in them is the audit's to report).
    pub(super) fn from_data(data: AccessData) -> Self {
        let mut book = AccessBook { data: AccessData::default(), ..AccessBook::default() };
        for change in data.statuses {
            book.add_status(change);
        }
        for record in data.passes {
            book.add_pass(record);
        }
        for record in data.entries {
            book.add_entry(record);
        }
        book
    }

    fn add_status(&mut self, change: StatusChange) {
        self.history.entry(change.compound).or_default().push(self.data.statuses.len());
        self.data.statuses.push(change);
    }

    fn add_pass(&mut self, record: PassRecord) {
        let id = PassId::new(u32::try_from(self.data.passes.len()).unwrap_or(u32::MAX));
        self.passes_of.entry(record.pass.household).or_default().push(id);
        self.data.passes.push(record);
    }

    fn add_entry(&mut self, record: EntryRecord) {
        let day = record.entry.at.date();
        if let Entrant::Resident { pass, .. } = record.entry.entrant {
            let last = self.last_used.entry(pass).or_insert(day);
            *last = (*last).max(day);
        }
        self.by_day.entry(day).or_default().push(self.data.entries.len());
        self.data.entries.push(record);
    }

    /// The change of `compound` in force on `on`, if any.
    fn change_on(&self, compound: UnitId, on: NaiveDate) -> Option<&StatusChange> {
        let list = self.history.get(&compound)?;
        let after = list.partition_point(|&i| self.data.statuses[i].on <= on);
        after.checked_sub(1).map(|k| &self.data.statuses[list[k]])
    }

    /// The last change of `compound`.
    fn last_change(&self, compound: UnitId) -> Option<&StatusChange> {
        self.history.get(&compound)?.last().map(|&i| &self.data.statuses[i])
    }

    fn status_on(&self, compound: UnitId, on: NaiveDate) -> CompoundStatus {
        self.change_on(compound, on).map_or(CompoundStatus::Open, |c| c.status)
    }
}

impl Event {
    /// Whether the event is the access book's.
    pub(super) fn is_access(&self) -> bool {
        matches!(
            self,
            Event::CompoundStatusSet { .. }
                | Event::PassIssued { .. }
                | Event::PassRevoked { .. }
                | Event::EntryRecorded { .. }
        )
    }
}

impl Registry {
    /// The access records kept: status changes, passes, entries.
    pub fn access_data(&self) -> &AccessData {
        &self.access.data
    }

    /// The compound a unit belongs to: itself when it is a compound, else its nearest
    /// ancestor that is one.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit), or
    /// [`AccessError::NoCompound`] for a unit in no compound.
    pub fn compound_of(&self, unit: UnitId) -> Result<UnitId, Error> {
        let is_compound = |u: &UnitId| self.tree.unit(*u).is_ok_and(|x| matches!(x.kind(), UnitKind::Compound(_)));
        if is_compound(&unit) {
            return Ok(unit);
        }
        // Ancestors come from the root down: the nearest compound is the last.
        self.tree.ancestors(unit)?.filter(is_compound).last().ok_or_else(|| AccessError::NoCompound { unit }.into())
    }

    /// A compound's management status on `on` ([`CompoundStatus::Open`] before any was set).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit), or
    /// [`AccessError::NotACompound`].
    ///
    /// # Complexity
    /// O(log changes of the compound).
    pub fn compound_status(&self, compound: UnitId, on: NaiveDate) -> Result<CompoundStatus, Error> {
        self.check_compound(compound)?;
        Ok(self.access.status_on(compound, on))
    }

    /// A compound's status history, oldest first.
    ///
    /// # Errors
    /// As [`Registry::compound_status`].
    pub fn status_history(&self, compound: UnitId) -> Result<Vec<&StatusChange>, Error> {
        self.check_compound(compound)?;
        let list = self.access.history.get(&compound).map_or(&[][..], Vec::as_slice);
        Ok(list.iter().map(|&i| &self.access.data.statuses[i]).collect())
    }

    /// How many compounds inside `unit` (open units, `unit` itself included) are in each
    /// status on `on`.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// O(units inside × log changes per compound).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::access::CompoundStatus;
    /// use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("长海路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let yard = |name: &str| NewUnit::new(name, levels.level("楼院").unwrap(), UnitKind::Compound(CompoundKind::PropertyManagedClosed));
    /// let community = reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new("长海社区", levels.level("社区").unwrap(), UnitKind::Area) })?[0].new_unit().unwrap();
    /// let a = reg.apply(Command::AddUnit { parent: community, unit: yard("兴云小区") })?[0].new_unit().unwrap();
    /// reg.apply(Command::AddUnit { parent: community, unit: yard("梅林小区") })?;
    /// // 封闭式管理 from early February (seed 000).
    /// reg.apply(Command::SetCompoundStatus { compound: a, status: CompoundStatus::Closed, on: feb(3), source: "街道通知".into() })?;
    /// let counts = reg.status_counts(reg.root(), feb(10))?;
    /// assert_eq!((counts.get(CompoundStatus::Closed), counts.get(CompoundStatus::Open)), (1, 1));
    /// assert_eq!(reg.status_counts(community, feb(1))?.get(CompoundStatus::Open), 2);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn status_counts(&self, unit: UnitId, on: NaiveDate) -> Result<StatusCounts, Error> {
        let mut counts = StatusCounts::default();
        for u in self.tree.subtree(unit)? {
            if let Ok(x) = self.tree.unit(u)
                && matches!(x.kind(), UnitKind::Compound(_))
                && x.is_open()
            {
                counts.add(self.access.status_on(u, on));
            }
        }
        Ok(counts)
    }

    /// The pass numbered `pass`.
    ///
    /// # Errors
    /// [`AccessError::UnknownPass`].
    pub fn pass(&self, pass: PassId) -> Result<&PassRecord, Error> {
        self.access.data.passes.get(pass.index()).ok_or_else(|| AccessError::UnknownPass { pass }.into())
    }

    /// The passes issued to a household, revoked ones included, in the order issued.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold).
    pub fn passes_of(&self, household: HouseholdId) -> Result<&[PassId], Error> {
        self.population.household(household)?;
        Ok(self.access.passes_of.get(&household).map_or(&[][..], Vec::as_slice))
    }

    /// Check a pass at a gate 验证出入证: `entrance` on `on`, the household's colour as it is
    /// now. A revoked pass never admits.
    ///
    /// # Errors
    /// [`AccessError::UnknownPass`], [`AccessError::NotAnEntrance`],
    /// [`AccessError::NoCompound`], an unknown unit.
    pub fn check_pass(&self, pass: PassId, entrance: UnitId, on: NaiveDate) -> Result<Verdict, Error> {
        let record = self.pass(pass)?;
        let compound = self.entrance_compound(entrance)?;
        Ok(self.verdict(record, compound, on))
    }

    fn verdict(&self, record: &PassRecord, compound: UnitId, on: NaiveDate) -> Verdict {
        let red = self.colour(record.pass.household).is_ok_and(|c| c == Colour::Red);
        judge(record, compound, on, self.access.status_on(compound, on), red)
    }

    /// The entries of `on` at the entrances inside `unit`, counted (`unit` an entrance: that
    /// entrance's; a compound: its gates'; an area: every gate inside).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// O(entries of the day), each an O(1) look-up in the tree.
    pub fn entry_counts(&self, unit: UnitId, on: NaiveDate) -> Result<EntryCounts, Error> {
        self.tree.check(unit)?;
        Ok(EntryCounts::count(
            self.entries_on(on).filter(|r| self.tree.is_within(r.entry.entrance, unit).unwrap_or(false)),
        ))
    }

    /// The entries of `on` counted per entrance, in one pass over the day.
    ///
    /// # Complexity
    /// O(entries of the day + entrances × log entrances): a hash map filled in the pass, sorted
    /// once at the end.
    pub fn entry_counts_by_entrance(&self, on: NaiveDate) -> BTreeMap<UnitId, EntryCounts> {
        let mut out: FxHashMap<UnitId, EntryCounts> = FxHashMap::default();
        for r in self.entries_on(on) {
            out.entry(r.entry.entrance).or_default().add(r);
        }
        out.into_iter().collect()
    }

    /// The entries recorded on `on`, in the order recorded.
    pub fn entries_on(&self, on: NaiveDate) -> impl Iterator<Item = &EntryRecord> + '_ {
        let list = self.access.by_day.get(&on).map_or(&[][..], Vec::as_slice);
        list.iter().map(|&i| &self.access.data.entries[i])
    }

    /// The fevers at the gates on `on` listed for follow-up ([`FeverRoute::FollowUp`]): a
    /// visitor, driver or courier, or a resident under no case, read at or above
    /// [`GATE_FEVER`].
    pub fn gate_follow_ups(&self, on: NaiveDate) -> impl Iterator<Item = &EntryRecord> + '_ {
        self.entries_on(on).filter(|r| r.fever == Some(FeverRoute::FollowUp))
    }

    fn check_compound(&self, unit: UnitId) -> Result<(), Error> {
        match self.tree.unit(unit)?.kind() {
            UnitKind::Compound(_) => Ok(()),
            _ => Err(AccessError::NotACompound { unit }.into()),
        }
    }

    /// The compound an entrance serves.
    fn entrance_compound(&self, entrance: UnitId) -> Result<UnitId, Error> {
        match self.tree.unit(entrance)?.kind() {
            UnitKind::Entrance(_) => self.compound_of(entrance),
            _ => Err(AccessError::NotAnEntrance { unit: entrance }.into()),
        }
    }

    /// Where a reading of `person` (a resident; `None` for anyone else) at `at` goes.
    fn fever_route(
        &self,
        person: Option<PersonId>,
        at: chrono::NaiveDateTime,
        temperature: Temperature,
    ) -> Result<Option<FeverRoute>, Error> {
        if let Some(p) = person {
            let case = self.active_case(p).or_else(|| self.monitored_case(p, at.date()));
            if let Some(id) = case
                && self.policy(self.case(id)?.policy())?.is_fever(temperature)
            {
                return Ok(Some(FeverRoute::Case(id)));
            }
        }
        Ok((temperature >= GATE_FEVER).then_some(FeverRoute::FollowUp))
    }

    /// Decide a command of the access book.
    pub(super) fn decide_access(&self, command: Command) -> Result<Event, Error> {
        Ok(match command {
            Command::SetCompoundStatus { compound, status, on, source } => {
                Event::CompoundStatusSet { change: StatusChange { compound, status, on, source } }
            }
            Command::IssuePass { household, on, until } => {
                let unit = self.population.household(household)?.unit();
                let pass = PassId::new(u32::try_from(self.access.data.passes.len()).unwrap_or(u32::MAX));
                Event::PassIssued { pass, spec: Pass { household, compound: self.compound_of(unit)?, from: on, until } }
            }
            Command::RevokePass { pass, on, reason } => {
                Event::PassRevoked { pass, revocation: Revocation { on, reason } }
            }
            Command::RecordEntry { entry } => {
                let compound = self.entrance_compound(entry.entrance)?;
                let person = match entry.entrant {
                    Entrant::Resident { person, .. } => Some(person),
                    _ => None,
                };
                let fever = self.fever_route(person, entry.at, entry.temperature)?;
                Event::EntryRecorded { record: EntryRecord { entry, compound, fever } }
            }
            _ => return Err(RegistryError::Mismatch { what: "not an access command".into() }.into()),
        })
    }

    /// The event following an entry in the same record: a resident's fever as their case's
    /// check, decided by [`Command::RecordCheck`]'s rule (it escalates the case).
    pub(super) fn access_follow_up(&self, first: &Event) -> Result<Option<Event>, Error> {
        let Event::EntryRecorded { record } = first else { return Ok(None) };
        let (Some(FeverRoute::Case(_)), Entrant::Resident { person, .. }) = (record.fever, &record.entry.entrant)
        else {
            return Ok(None);
        };
        let command = Command::RecordCheck {
            person: *person,
            at: record.entry.at,
            temperature: record.entry.temperature,
            symptoms: false,
        };
        let event = self.decide(command)?;
        self.check(&event, super::Origin::Decided)?;
        Ok(Some(event))
    }

    /// Check an access event against the registry.
    pub(super) fn check_access(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::CompoundStatusSet { change } => {
                self.check_compound(change.compound)?;
                check_text(&change.source)?;
                let (current, last) = match self.access.last_change(change.compound) {
                    Some(c) => (c.status, Some(c.on)),
                    None => (CompoundStatus::Open, None),
                };
                if let Some(last) = last
                    && change.on < last
                {
                    return Err(AccessError::BeforeLastChange { compound: change.compound, on: change.on, last }.into());
                }
                if current == change.status {
                    return Err(AccessError::SameStatus { compound: change.compound, status: current }.into());
                }
            }
            Event::PassIssued { pass, spec } => {
                Self::expect_id(super::IdTable::Pass, self.access.data.passes.len() as u32, pass.get())?;
                let unit = self.population.household(spec.household)?.unit();
                if self.compound_of(unit)? != spec.compound {
                    return Err(RegistryError::Mismatch {
                        what: format!("household {} does not live in {}", spec.household, spec.compound),
                    }
                    .into());
                }
                if spec.until < spec.from {
                    return Err(AccessError::BadValidity { from: spec.from, until: spec.until }.into());
                }
            }
            Event::PassRevoked { pass, revocation } => {
                if let Some(r) = self.pass(*pass)?.revoked {
                    return Err(AccessError::AlreadyRevoked { pass: *pass, on: r.on }.into());
                }
                if let Some(&used) = self.access.last_used.get(pass)
                    && used > revocation.on
                {
                    return Err(AccessError::RevokedBeforeUse { pass: *pass, on: revocation.on, used }.into());
                }
            }
            Event::EntryRecorded { record } => {
                let entry = &record.entry;
                if self.entrance_compound(entry.entrance)? != record.compound {
                    return Err(RegistryError::Mismatch {
                        what: format!("{} is not an entrance of {}", entry.entrance, record.compound),
                    }
                    .into());
                }
                if let Some(text) = entry.entrant.purpose() {
                    check_text(text)?;
                }
                let on = entry.at.date();
                let person = match &entry.entrant {
                    Entrant::Resident { pass, person } => {
                        let p = self.pass(*pass)?;
                        if self.population.person(*person)?.household() != p.pass.household {
                            return Err(AccessError::NotOfHousehold { person: *person, pass: *pass }.into());
                        }
                        if let Verdict::Refused(refusal) = self.verdict(p, record.compound, on) {
                            return Err(AccessError::Refused { pass: *pass, refusal }.into());
                        }
                        Some(*person)
                    }
                    Entrant::Visitor(v) => {
                        if let Some(h) = v.visiting {
                            self.population.household(h)?;
                        }
                        self.not_sealed(record.compound, on)?;
                        None
                    }
                    Entrant::Vehicle { .. } => {
                        self.not_sealed(record.compound, on)?;
                        None
                    }
                    Entrant::Delivery => None,
                };
                if record.fever != self.fever_route(person, entry.at, entry.temperature)? {
                    return Err(
                        RegistryError::Mismatch { what: "the entry's fever is not routed as recorded".into() }.into()
                    );
                }
            }
            _ => return Err(RegistryError::Mismatch { what: "not an access event".into() }.into()),
        }
        Ok(())
    }

    fn not_sealed(&self, compound: UnitId, on: NaiveDate) -> Result<(), Error> {
        match self.access.status_on(compound, on) {
            CompoundStatus::Sealed => Err(AccessError::Sealed { compound }.into()),
            _ => Ok(()),
        }
    }

    /// Revoke the passes in force of every household `event` turned red
    /// ([`RevokeReason::HouseholdRed`](crate::access::RevokeReason::HouseholdRed)), on the
    /// business date (or the event's own date before any day was opened): a consequence of
    /// the record, made again by its replay, so a snapshot and a replay agree.
    ///
    /// # Complexity
    /// O(recolours of the event × passes of each household turned red).
    pub(super) fn revoke_passes_of_red(&mut self, event: &Event) {
        let Some(on) = self.day.or_else(|| event.date()) else { return };
        for r in event.recolours() {
            if r.to != crate::colour::Colour::Red || r.from == crate::colour::Colour::Red {
                continue;
            }
            let Some(ids) = self.access.passes_of.get(&r.household) else { continue };
            for id in ids {
                if let Some(p) = self.access.data.passes.get_mut(id.index())
                    && p.revoked.is_none()
                    && on <= p.pass.until
                {
                    p.revoked = Some(Revocation { on, reason: crate::access::RevokeReason::HouseholdRed });
                }
            }
        }
    }

    /// Apply a checked access event.
    pub(super) fn commit_access(&mut self, event: &Event) {
        match event {
            Event::CompoundStatusSet { change } => self.access.add_status(change.clone()),
            Event::PassIssued { spec, .. } => self.access.add_pass(PassRecord { pass: *spec, revoked: None }),
            Event::PassRevoked { pass, revocation } => {
                if let Some(r) = self.access.data.passes.get_mut(pass.index()) {
                    r.revoked = Some(*revocation);
                }
            }
            Event::EntryRecorded { record } => self.access.add_entry(record.clone()),
            _ => {}
        }
    }

    /// What is wrong with the access book of a loaded snapshot: a status on a unit that is not
    /// a compound, a history out of order or repeating a status (or opening an open
    /// compound), a bad text; a pass of an unknown household, valid until before from; an
    /// entry at a unit that is not an entrance or naming another compound, a resident's
    /// entry its pass could not have admitted (revoked before, out of its dates, another
    /// compound's), a fever routed otherwise than its reading; anything dated after the
    /// business date. (The compound's status and the household's colour at the time of an
    /// entry are not judged again: a status may be set back-dated over entries already
    /// recorded, and colours keep no history.)
    pub(super) fn access_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let after = |date: NaiveDate| self.day.is_some_and(|day| date > day);
        let mut current: FxHashMap<UnitId, (CompoundStatus, NaiveDate)> = FxHashMap::default();
        for (i, c) in self.access.data.statuses.iter().enumerate() {
            if self.check_compound(c.compound).is_err() {
                found.push(format!("status change {i} names {}, not a compound", c.compound));
            }
            if check_text(&c.source).is_err() {
                found.push(format!("status change {i} has a bad source"));
            }
            let (was, last) = current.get(&c.compound).copied().unwrap_or((CompoundStatus::Open, c.on));
            if was == c.status || c.on < last {
                found.push(format!("status change {i} of {} repeats {was} or comes before {last}", c.compound));
            }
            current.insert(c.compound, (c.status, c.on));
            if after(c.on) {
                found.push(format!("status change {i} is dated {}, after the business date", c.on));
            }
        }
        for (i, r) in self.access.data.passes.iter().enumerate() {
            let p = &r.pass;
            if self.population.household(p.household).is_err() || self.check_compound(p.compound).is_err() {
                found.push(format!("pass {i} names an unknown household or a unit not a compound"));
            }
            if p.until < p.from {
                found.push(format!("pass {i} is valid until {}, before {}", p.until, p.from));
            }
            if after(p.from) || r.revoked.is_some_and(|v| after(v.on)) {
                found.push(format!("pass {i} is issued or revoked after the business date"));
            }
        }
        for (i, r) in self.access.data.entries.iter().enumerate() {
            let e = &r.entry;
            let on = e.at.date();
            if self.entrance_compound(e.entrance).ok() != Some(r.compound) {
                found.push(format!("entry {i} is at {}, not an entrance of {}", e.entrance, r.compound));
                continue;
            }
            if e.entrant.purpose().is_some_and(|t| check_text(t).is_err()) {
                found.push(format!("entry {i} has a bad purpose"));
            }
            // A status change may be back-dated over entries recorded before it (an order
            // entered late): entries are judged by the pass alone, never by today's history.
            let person = match &e.entrant {
                Entrant::Resident { pass, person } => {
                    match self.pass(*pass) {
                        // The colour then is not kept: the rest of the check is judged.
                        Ok(p) => {
                            // Revoked on the day of the entry or later: the entry came first.
                            let then = PassRecord { revoked: p.revoked.filter(|v| v.on < on), ..*p };
                            if let Verdict::Refused(why) = judge(&then, r.compound, on, CompoundStatus::Open, false) {
                                found.push(format!("entry {i}: {pass} could not have admitted it ({why})"));
                            }
                        }
                        Err(_) => found.push(format!("entry {i} names {pass}, never issued")),
                    }
                    if self.population.person(*person).is_err() {
                        found.push(format!("entry {i} names {person}, who does not exist"));
                    }
                    Some(*person)
                }
                _ => None,
            };
            match r.fever {
                Some(FeverRoute::Case(id)) => {
                    let ok = self.case(id).is_ok_and(|c| Some(c.person()) == person)
                        && self.case(id).and_then(|c| self.policy(c.policy())).is_ok_and(|p| p.is_fever(e.temperature));
                    if !ok {
                        found.push(format!("entry {i} routes its reading to {id}, not a fever of the entrant's case"));
                    }
                }
                Some(FeverRoute::FollowUp) if e.temperature < GATE_FEVER => {
                    found.push(format!("entry {i} lists a reading below {GATE_FEVER} for follow-up"));
                }
                None if e.temperature >= GATE_FEVER => {
                    found.push(format!("entry {i} leaves a fever unrouted"));
                }
                _ => {}
            }
            if after(on) {
                found.push(format!("entry {i} is dated {on}, after the business date"));
            }
        }
        found
    }
}
