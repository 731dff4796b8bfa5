//! Isolation cases in the registry: the case book with its date indexes, the case commands'
//! decisions, checks and commits, and the daily agenda.
//!
//! ```text
//! StartCase / Exposed / RecordCheck / RecordTest / Release / OpenDay
//!        │ decide (quarantine's pure rules: schedules, blockers, state_on)
//!        ▼
//!   case events ── check ──▶ commit: the case, its person's state (so colours and tallies),
//!                                    and the date indexes the agenda reads
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};

use super::record::Draft;
use super::{Event, IdTable, Origin, Registry, RegistryError, StateChange};
use crate::colour::{PersonState, Standing, State};
use crate::quarantine::{
    Agenda, AgendaItem, Case, CaseChange, CaseError, CaseStatus, Category, Item, Link, LinkProblem, Policy, Reading,
    ReviewReason, Sample, Schedule, TestResult,
};
use crate::{CaseId, Error, PersonId, PolicyId, UnitId};

/// Every key of `key` in a `(key, case)` index.
fn on<K: Copy>(key: K) -> std::ops::RangeInclusive<(K, CaseId)> {
    (key, CaseId::new(0))..=(key, CaseId::new(u32::MAX))
}

/// Cases by date: one hashed set of cases per date, the dates in order, a date dropped once
/// it has no case. Adding or removing a case costs a hash and the date's look-up among the
/// few dates in use, whatever the number of cases (a B-tree of `(date, case)` pairs paid a
/// cache miss a level, on ten entries a case); reads sort what they return, for a
/// deterministic order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ByDate(BTreeMap<NaiveDate, FxHashSet<CaseId>>);

impl ByDate {
    /// Put case `id` under `date` (`add`) or take it out.
    fn put(&mut self, date: NaiveDate, id: CaseId, add: bool) {
        if add {
            self.0.entry(date).or_default().insert(id);
        } else if let Some(cases) = self.0.get_mut(&date) {
            cases.remove(&id);
            if cases.is_empty() {
                self.0.remove(&date);
            }
        }
    }

    /// The cases under `date`, in id order.
    fn on(&self, date: NaiveDate) -> Vec<CaseId> {
        let mut cases: Vec<CaseId> = self.0.get(&date).into_iter().flatten().copied().collect();
        cases.sort_unstable();
        cases
    }

    /// Every case under a date from `date` on, as `(date, case)` in order.
    fn from(&self, date: NaiveDate) -> Vec<(NaiveDate, CaseId)> {
        let mut found = Vec::new();
        for (&day, cases) in self.0.range(date..) {
            let from = found.len();
            found.extend(cases.iter().map(|&id| (day, id)));
            found[from..].sort_unstable();
        }
        found
    }

    /// Every case under a date up to `date`, as `(date, case)` in order.
    fn through(&self, date: NaiveDate) -> Vec<(NaiveDate, CaseId)> {
        let mut found = Vec::new();
        for (&day, cases) in self.0.range(..=date) {
            let from = found.len();
            found.extend(cases.iter().map(|&id| (day, id)));
            found[from..].sort_unstable();
        }
        found
    }
}

/// Derived from the cases alone: rebuilt on load, compared by the audit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CaseIndex {
    /// Each person's active (open or under review) case: hashed, as every command on a
    /// person under a case asks it first.
    active: FxHashMap<PersonId, CaseId>,
    /// Open cases by release date.
    releases: ByDate,
    /// Open cases by test day, from the day they started.
    tests: ByDate,
    /// Open cases by period day whose required checks are not all recorded, from the day
    /// they started.
    unchecked: ByDate,
    /// Open cases by the date their person's state changes next.
    phases: ByDate,
    /// Cases under review.
    reviews: BTreeSet<CaseId>,
    /// Ended cases by the date they ended.
    ended: ByDate,
    /// Released cases with obligations after release, by the last day of those.
    monitoring: ByDate,
    /// (close contact's case, active secondary contact's case linked to it).
    links: BTreeSet<(CaseId, CaseId)>,
    /// (close contact's case, released secondary contact's case linked to it): the releases a
    /// late result of the close contact re-judges.
    released_links: BTreeSet<(CaseId, CaseId)>,
}

/// One entry a case has in the [`CaseIndex`]: which index, and under what key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    /// In `active`, under the case's person.
    Active(PersonId),
    /// In `links`, under the close contact's case it is linked to.
    Link(CaseId),
    /// In `released_links`, under the close contact's case it is linked to.
    ReleasedLink(CaseId),
    /// In `releases`.
    Release(NaiveDate),
    /// In `tests`.
    Test(NaiveDate),
    /// In `unchecked`.
    Unchecked(NaiveDate),
    /// In `phases`.
    Phase(NaiveDate),
    /// In `reviews`.
    Review,
    /// In `ended`.
    Ended(NaiveDate),
    /// In `monitoring`.
    Monitor(NaiveDate),
}

impl Entry {
    /// Every entry of `case`, whose schedule is `schedule`, into `out` (cleared first), sorted.
    fn of(case: &Case, schedule: &Schedule, out: &mut Vec<Entry>) {
        out.clear();
        if case.status().is_active() {
            out.push(Entry::Active(case.person()));
            out.extend(case.linked().map(Entry::Link));
        }
        match case.status() {
            CaseStatus::Open => {
                out.push(Entry::Release(schedule.release()));
                out.extend(schedule.test_days().filter(|&d| d >= case.started()).map(Entry::Test));
                let required = schedule.checks_per_day();
                if required > 0 {
                    let days = usize::try_from(schedule.total_days()).unwrap_or(usize::MAX);
                    let unchecked = schedule
                        .first_day()
                        .iter_days()
                        .take(days)
                        .filter(|&d| d >= case.started() && case.checks_on(d) < required);
                    out.extend(unchecked.map(Entry::Unchecked));
                }
                if let Some((day, _)) = case.category().next_change(schedule, case.settled()) {
                    out.push(Entry::Phase(day));
                }
            }
            CaseStatus::Review { .. } => out.push(Entry::Review),
            CaseStatus::Released { on } => {
                out.push(Entry::Ended(*on));
                out.extend(case.linked().map(Entry::ReleasedLink));
                out.extend(schedule.monitoring().map(|(_, last)| Entry::Monitor(last)));
            }
            CaseStatus::Escalated { on, .. } => out.push(Entry::Ended(*on)),
        }
        out.sort_unstable();
    }
}

impl CaseIndex {
    /// Put `entry` of case `id` in (`add`) or take it out.
    fn put(&mut self, id: CaseId, entry: Entry, add: bool) {
        fn put<T: Ord>(set: &mut BTreeSet<T>, key: T, add: bool) {
            if add {
                set.insert(key);
            } else {
                set.remove(&key);
            }
        }
        match entry {
            Entry::Active(person) => {
                if add {
                    self.active.insert(person, id);
                } else {
                    self.active.remove(&person);
                }
            }
            Entry::Link(linked) => put(&mut self.links, (linked, id), add),
            Entry::ReleasedLink(linked) => put(&mut self.released_links, (linked, id), add),
            Entry::Release(day) => self.releases.put(day, id, add),
            Entry::Test(day) => self.tests.put(day, id, add),
            Entry::Unchecked(day) => self.unchecked.put(day, id, add),
            Entry::Phase(day) => self.phases.put(day, id, add),
            Entry::Review => put(&mut self.reviews, id, add),
            Entry::Ended(day) => self.ended.put(day, id, add),
            Entry::Monitor(day) => self.monitoring.put(day, id, add),
        }
    }

    /// Put every entry of `case`, whose schedule is `schedule`, in; `buf` is scratch space.
    fn add(&mut self, id: CaseId, case: &Case, schedule: &Schedule, buf: &mut Vec<Entry>) {
        Entry::of(case, schedule, buf);
        for &e in buf.iter() {
            self.put(id, e, true);
        }
    }

    /// Move case `id`'s entries from those of `old` to those of `new` (both sorted), touching
    /// only the entries that differ: a check recorded changes one, a phase entered one or two.
    fn replace(&mut self, id: CaseId, old: &[Entry], new: &[Entry]) {
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(&a), Some(b)) if a < *b => {
                    self.put(id, a, false);
                    i += 1;
                }
                (Some(&a), None) => {
                    self.put(id, a, false);
                    i += 1;
                }
                (_, Some(&b)) => {
                    self.put(id, b, true);
                    j += 1;
                }
                (None, None) => break,
            }
        }
    }
}

/// The registry's isolation cases: the policies adopted, every case, and the indexes by date
/// that make the agenda cost what is due, not what is open.
#[derive(Debug, Clone, Default)]
pub(super) struct CaseBook {
    policies: Vec<Policy>,
    cases: Vec<Case>,
    index: CaseIndex,
    /// Scratch space for a case's index entries before and after a change, kept so that an
    /// event allocates none (no state: empty between calls).
    scratch: (Vec<Entry>, Vec<Entry>),
}

/// Equal when the policies and cases are: the indexes are derived from them.
impl PartialEq for CaseBook {
    fn eq(&self, other: &Self) -> bool {
        self.policies == other.policies && self.cases == other.cases
    }
}

impl Eq for CaseBook {}

impl CaseBook {
    /// A case book of `policies` and `cases` read from a snapshot, its indexes rebuilt.
    ///
    /// # Errors
    /// [`RegistryError::InvalidSnapshot`] when a case names a person, policy or linked case that does
    /// not exist, a person has two active cases, two policies share a name or a case's records
    /// are out of order; the errors of computing a case's schedule.
    pub(super) fn from_parts(policies: Vec<Policy>, cases: Vec<Case>, persons: usize) -> Result<Self, Error> {
        let bad = |what: String| Error::from(RegistryError::InvalidSnapshot { what });
        let names: BTreeSet<&str> = policies.iter().map(Policy::name).collect();
        if names.len() != policies.len() {
            return Err(bad("two policies share a name".to_owned()));
        }
        let mut book = CaseBook {
            policies,
            cases: Vec::with_capacity(cases.len()),
            index: CaseIndex::default(),
            scratch: Default::default(),
        };
        for (i, case) in cases.into_iter().enumerate() {
            let id = CaseId::from_index(i).ok_or_else(|| bad("too many cases".to_owned()))?;
            if case.person().index() >= persons {
                return Err(bad(format!("case {id} names no registered person")));
            }
            if case.linked().is_some_and(|l| l.index() >= i) {
                return Err(bad(format!("case {id} is linked to a later case")));
            }
            if let Some(problem) = case.problem() {
                return Err(bad(format!("case {id}: {problem}")));
            }
            if case.status().is_active() && book.index.active.contains_key(&case.person()) {
                return Err(bad(format!("case {id}'s person has another active case")));
            }
            let schedule = book.schedule_of(&case)?;
            book.index.add(id, &case, &schedule, &mut book.scratch.0);
            book.cases.push(case);
        }
        Ok(book)
    }

    pub(super) fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub(super) fn cases(&self) -> &[Case] {
        &self.cases
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.policies.shrink_to_fit();
        self.cases.shrink_to_fit();
    }

    fn policy(&self, id: PolicyId) -> Result<&Policy, Error> {
        Ok(self.policies.get(id.index()).ok_or(CaseError::UnknownPolicy { policy: id })?)
    }

    fn case(&self, id: CaseId) -> Result<&Case, Error> {
        Ok(self.cases.get(id.index()).ok_or(CaseError::UnknownCase { case: id })?)
    }

    /// The case, refused unless active.
    fn active(&self, id: CaseId) -> Result<&Case, Error> {
        let case = self.case(id)?;
        if let Some(on) = case.status().ended_on() {
            return Err(CaseError::Ended { case: id, on }.into());
        }
        Ok(case)
    }

    fn schedule_of(&self, case: &Case) -> Result<Schedule, Error> {
        Ok(case.schedule(self.policy(case.policy())?)?)
    }

    /// The schedule `case` would follow after `change`.
    fn schedule_after(&self, case: &Case, change: impl FnOnce(&mut Case)) -> Result<Schedule, Error> {
        let mut copy = case.clone();
        change(&mut copy);
        self.schedule_of(&copy)
    }

    /// Change case `id` in place by `change`, keeping the indexes in step. `reschedule` when
    /// the change may move the case's schedule (its policy, anchor, changes or the samples of
    /// its shorter period): the case is then changed on a copy first, so that everything that
    /// can fail is done before anything changes.
    fn update(&mut self, id: CaseId, reschedule: bool, change: impl FnOnce(&mut Case)) -> Result<(), Error> {
        // Scratch taken out for the call (left empty if it fails: it holds no state).
        let (mut before, mut after) = std::mem::take(&mut self.scratch);
        let case = self.case(id)?;
        let kept = self.schedule_of(case)?;
        Entry::of(case, &kept, &mut before);
        let mut change = Some(change);
        let (moved, schedule) = match reschedule {
            true => {
                let mut copy = case.clone();
                if let Some(f) = change.take() {
                    f(&mut copy);
                }
                let schedule = self.schedule_of(&copy)?;
                (Some(copy), schedule)
            }
            false => (None, kept),
        };
        let Some(case) = self.cases.get_mut(id.index()) else {
            return Err(CaseError::UnknownCase { case: id }.into());
        };
        match (moved, change) {
            (Some(copy), _) => *case = copy,
            (None, Some(f)) => f(case),
            (None, None) => {}
        }
        Entry::of(case, &schedule, &mut after);
        self.index.replace(id, &before, &after);
        self.scratch = (before, after);
        Ok(())
    }

    /// What a rebuild of the indexes finds different, if anything.
    pub(super) fn index_problem(&self) -> Option<String> {
        let (mut fresh, mut buf) = (CaseIndex::default(), Vec::new());
        for (i, case) in self.cases.iter().enumerate() {
            let (Some(id), Ok(schedule)) = (CaseId::from_index(i), self.schedule_of(case)) else {
                return Some(format!("case {i} has no schedule"));
            };
            fresh.add(id, case, &schedule, &mut buf);
        }
        let active = self.cases.iter().filter(|c| c.status().is_active()).count();
        if active != fresh.active.len() {
            return Some(format!("{active} active cases for {} persons", fresh.active.len()));
        }
        (fresh != self.index).then(|| "the case indexes differ from a rebuild".to_owned())
    }
}

/// Cases under a date, as `(date, case)` in order.
pub(super) type DatedCases = Vec<(NaiveDate, CaseId)>;

impl Registry {
    /// The adopted policy `id`.
    ///
    /// # Errors
    /// [`CaseError::UnknownPolicy`].
    pub fn policy(&self, id: PolicyId) -> Result<&Policy, Error> {
        self.cases.policy(id)
    }

    /// The adopted policy named `name`, if any.
    pub fn policy_named(&self, name: &str) -> Option<PolicyId> {
        self.cases.policies.iter().position(|p| p.name() == name).and_then(PolicyId::from_index)
    }

    /// Every adopted policy, in id order.
    pub fn policies(&self) -> impl Iterator<Item = (PolicyId, &Policy)> + '_ {
        self.cases.policies.iter().enumerate().filter_map(|(i, p)| Some((PolicyId::from_index(i)?, p)))
    }

    /// The case `id`.
    ///
    /// # Errors
    /// [`CaseError::UnknownCase`].
    pub fn case(&self, id: CaseId) -> Result<&Case, Error> {
        self.cases.case(id)
    }

    /// Every case, in id order.
    pub fn cases(&self) -> impl Iterator<Item = (CaseId, &Case)> + '_ {
        self.cases.cases.iter().enumerate().filter_map(|(i, c)| Some((CaseId::from_index(i)?, c)))
    }

    /// Every active (open or under review) case, in id order.
    pub(super) fn active_cases(&self) -> Vec<CaseId> {
        let mut ids: Vec<CaseId> = self.cases.index.active.values().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// The person's active (open or under review) case, if any.
    ///
    /// # Complexity
    /// O(log active cases).
    pub fn active_case(&self, person: PersonId) -> Option<CaseId> {
        self.cases.index.active.get(&person).copied()
    }

    /// The schedule case `id` follows now: its policy's schedule from its anchor.
    ///
    /// # Errors
    /// [`CaseError::UnknownCase`].
    pub fn schedule(&self, id: CaseId) -> Result<Schedule, Error> {
        self.cases.schedule_of(self.cases.case(id)?)
    }

    /// The daily agenda 每日工作清单 for `date`, city-wide: released and escalated that day,
    /// under review (flagged on or before it), open with their release due (on or before it),
    /// tests due that day, checks missed the day before, and released cases within their
    /// obligations after release ([`Item::Monitoring`]). Items name each case's person,
    /// household and unit as they are now.
    ///
    /// A required check or test counts from the day the case started; a case restarted since
    /// counts by its new schedule.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::{Colour, PersonState};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::quarantine::{Category, Item, Policy, Temperature};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?[0].new_person().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().unwrap();
    ///
    /// // Back from Wuhan on Feb 1: 14 days at home, temperature twice a day.
    /// reg.apply(Command::OpenDay { today: feb(1) })?; // the business date 业务日期
    /// let category = Category::ArrivalFromEpidemicArea;
    /// reg.apply(Command::StartCase { person, policy, category, anchor: feb(1), on: feb(1), linked: None })?;
    /// assert_eq!(reg.colour(household)?, Colour::Orange);
    ///
    /// // One reading on Feb 2: on Feb 3 the agenda shows one check missed.
    /// reg.apply(Command::OpenDay { today: feb(2) })?;
    /// let at = feb(2).and_hms_opt(8, 0, 0).unwrap();
    /// reg.apply(Command::RecordCheck { person, at, temperature: "36.6".parse()?, symptoms: false })?;
    /// let agenda = reg.agenda(feb(3));
    /// assert_eq!(agenda.missed_checks().map(|i| i.item).collect::<Vec<_>>(), [Item::MissedChecks { required: 2, recorded: 1 }]);
    ///
    /// // A fever on day 6: a suspected case, and the household turns red.
    /// reg.apply(Command::OpenDay { today: feb(7) })?;
    /// let at = feb(7).and_hms_opt(8, 0, 0).unwrap();
    /// reg.apply(Command::RecordCheck { person, at, temperature: Temperature::from_tenths(381)?, symptoms: true })?;
    /// assert_eq!(reg.colour(household)?, Colour::Red);
    /// assert_eq!(reg.agenda(feb(7)).escalated().count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// O(log cases + items + cases under review + released cases whose obligations end on or
    /// after `date`): the indexes are by date, so the cost follows what is due, not how many
    /// cases are open.
    pub fn agenda(&self, date: NaiveDate) -> Agenda {
        let index = &self.cases.index;
        let mut items = Vec::new();
        let mut push = |id: CaseId, item: Item| {
            if let Some(line) = self.agenda_item(id, item) {
                items.push(line);
            }
        };
        for id in index.ended.on(date) {
            match self.cases.cases.get(id.index()).map(Case::status) {
                Some(CaseStatus::Released { .. }) => push(id, Item::Released),
                Some(&CaseStatus::Escalated { to, .. }) => push(id, Item::Escalated { to }),
                _ => {}
            }
        }
        for &id in &index.reviews {
            if let Some(&CaseStatus::Review { since, .. }) = self.cases.cases.get(id.index()).map(Case::status)
                && since <= date
            {
                push(id, Item::Review { since });
            }
        }
        for (release, id) in index.releases.through(date) {
            push(id, Item::ReleaseDue { release });
        }
        for id in index.tests.on(date) {
            push(id, Item::TestDue);
        }
        if let Some(yesterday) = date.pred_opt() {
            for id in index.unchecked.on(yesterday) {
                let Some(case) = self.cases.cases.get(id.index()) else { continue };
                let required = self.cases.policy(case.policy()).map_or(0, Policy::checks_per_day);
                push(id, Item::MissedChecks { required, recorded: case.checks_on(yesterday) });
            }
        }
        for (until, id) in index.monitoring.from(date) {
            let Some(case) = self.cases.cases.get(id.index()) else { continue };
            let window = self.cases.schedule_of(case).ok().and_then(|s| s.monitoring());
            if window.is_some_and(|(first, _)| first <= date) {
                push(id, Item::Monitoring { until });
            }
        }
        Agenda::new(date, items)
    }

    /// `items` (an agenda's, or a page of one: `&agenda.items()[from..to]`) with each
    /// household's door label and its unit's name, for a list a worker reads. An item whose
    /// household or unit this registry does not hold is left out.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::PersonState;
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::quarantine::{Category, Policy};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("3-402")? })?[0].new_household().unwrap();
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?[0].new_person().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().unwrap();
    /// reg.apply(Command::OpenDay { today: feb(1) })?;
    /// reg.apply(Command::StartCase { person, policy, category: Category::ArrivalFromElsewhere, anchor: feb(1), on: feb(1), linked: None })?;
    ///
    /// let agenda = reg.agenda(feb(3));
    /// let lines = reg.labelled(&agenda.items()[..1]);
    /// assert_eq!((lines[0].door.as_str(), lines[0].unit_name.as_str()), ("3-402", "花园路街道"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Complexity
    /// O(items).
    pub fn labelled(&self, items: &[AgendaItem]) -> Vec<crate::quarantine::LabelledItem> {
        (items.iter())
            .filter_map(|&item| {
                let door = self.population.household(item.household).ok()?.door().clone();
                let unit_name = self.tree.unit(item.unit).ok()?.name().to_owned();
                Some(crate::quarantine::LabelledItem { item, door, unit_name })
            })
            .collect()
    }

    /// The agenda for `date` of the households inside `unit` (at it or below).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// As [`Registry::agenda`]: the city's items are made, then those outside are dropped.
    pub fn agenda_within(&self, date: NaiveDate, unit: UnitId) -> Result<Agenda, Error> {
        self.tree.check(unit)?;
        let mut agenda = self.agenda(date);
        agenda.retain(|u| self.tree.is_within(u, unit).unwrap_or(false));
        Ok(agenda)
    }

    fn agenda_item(&self, case: CaseId, item: Item) -> Option<AgendaItem> {
        let person = self.cases.cases.get(case.index())?.person();
        let household = self.population.person(person).ok()?.household();
        let unit = self.population.household(household).ok()?.unit();
        Some(AgendaItem { case, person, household, unit, item })
    }

    /// The audit of the cases: every case names a registered person and an adopted policy
    /// and has a schedule; the person of an active case is in the state its category has on
    /// the date it was last settled; the indexes equal a rebuild.
    pub(super) fn case_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (id, case) in self.cases() {
            let Ok(schedule) = self.cases.schedule_of(case) else {
                found.push(format!("{id} names no adopted policy, or has no schedule"));
                continue;
            };
            let Ok(state) = self.state(case.person()) else {
                found.push(format!("{id} names no registered person"));
                continue;
            };
            let expected = case.category().standing_on(&schedule, case.settled());
            if case.status().is_active() && state.standing() != expected {
                found.push(format!("{id} is active but its person is {}, not {}", state.standing(), expected));
            }
        }
        found.extend(self.cases.index_problem());
        found
    }

    /// Refuse a change of state by hand for a person whose state follows a case.
    pub(super) fn check_not_under_case(&self, person: PersonId) -> Result<(), Error> {
        match self.active_case(person) {
            Some(case) => Err(CaseError::UnderCase { person, case }.into()),
            None => Ok(()),
        }
    }

    /// The change of `person` into `state` on `date`, with its recolouring; `None` when they
    /// are in it already. Unless `strict`, a date before their current state began is moved up
    /// to it (the rules' own dates); with `strict` it is refused (a host's date).
    fn case_change(
        &self,
        person: PersonId,
        state: impl Into<Standing>,
        date: NaiveDate,
        strict: bool,
    ) -> Result<Option<StateChange>, Error> {
        self.drafted_change(&Draft::default(), person, state, date, strict)
    }

    /// [`Registry::case_change`] on the state `draft` leaves.
    pub(super) fn drafted_change(
        &self,
        draft: &Draft,
        person: PersonId,
        standing: impl Into<Standing>,
        date: NaiveDate,
        strict: bool,
    ) -> Result<Option<StateChange>, Error> {
        let standing = standing.into();
        let from = draft.state(self, person)?;
        if from.standing() == standing {
            return Ok(None);
        }
        let date = if strict { date } else { date.max(from.since()) };
        let to = from.change_to(standing, date)?;
        let recolours = self.drafted_recolours_on_state(draft, person, to)?;
        Ok(Some(StateChange { from, to, recolours }))
    }

    /// Refuse an event's change of state unless it is the one the registry computes. An event
    /// just decided is taken as it is: `decide` computed its change from this same state.
    fn expect_change(
        &self,
        found: Option<&StateChange>,
        expected: impl FnOnce() -> Result<Option<StateChange>, Error>,
        origin: Origin,
    ) -> Result<(), Error> {
        if origin == Origin::Decided {
            return Ok(());
        }
        let expected = expected()?;
        if found == expected.as_ref() {
            Ok(())
        } else {
            Err(RegistryError::Mismatch { what: format!("the event changes {found:?}, the registry {expected:?}") }
                .into())
        }
    }

    /// The person's active case.
    fn active_case_of(&self, person: PersonId) -> Result<CaseId, Error> {
        self.population.person(person)?;
        Ok(self.active_case(person).ok_or(CaseError::NoActiveCase { person })?)
    }

    /// The release event of active case `case`, whose schedule is `schedule`, released on
    /// `release_on`, or, when something is missing, flagged for review on `flag_on` (the daily
    /// round's). A blocked release is refused with [`CaseError::NotReleasable`], naming what,
    /// when there is no `flag_on` (a [`Command::Release`](super::Command::Release)) or the
    /// case is under review already.
    fn release_or_flag(
        &self,
        draft: &Draft,
        (id, case): (CaseId, &Case),
        schedule: &Schedule,
        release_on: NaiveDate,
        flag_on: Option<NaiveDate>,
    ) -> Result<Event, Error> {
        let blockers = self.release_blockers(case, schedule)?;
        if blockers.is_empty() {
            let change = self.drafted_change(draft, case.person(), State::Well, release_on, false)?;
            let change = change.ok_or_else(|| RegistryError::Mismatch {
                what: format!("the person of case {id} is present and well already"),
            })?;
            return Ok(Event::CaseReleased { case: id, on: release_on, change });
        }
        match (case.status(), flag_on) {
            (CaseStatus::Open, Some(on)) => Ok(Event::CaseFlagged { case: id, on, reasons: blockers }),
            _ => Err(CaseError::NotReleasable { case: id, reasons: blockers }.into()),
        }
    }

    /// What `case`, whose schedule is `schedule`, still lacks to be released.
    fn release_blockers(
        &self,
        case: &Case,
        schedule: &Schedule,
    ) -> Result<Vec<crate::quarantine::ReviewReason>, Error> {
        let policy = self.cases.policy(case.policy())?;
        let linked = match (policy.linked(), case.linked()) {
            (Some(rule), Some(l)) => Some((rule, self.cases.case(l)?)),
            _ => None,
        };
        Ok(case.release_blockers(schedule, linked))
    }

    /// Decide a case command into its (first) event.
    pub(super) fn decide_case(&self, command: super::Command) -> Result<Event, Error> {
        use super::Command as C;
        Ok(match command {
            C::AdoptPolicy { policy } => Event::PolicyAdopted {
                policy: PolicyId::new(u16::try_from(self.cases.policies.len()).unwrap_or(u16::MAX)),
                spec: policy,
            },
            C::StartCase { person, policy, category, anchor, on, linked } => {
                self.population.person(person)?;
                if let Some(case) = self.active_case(person) {
                    return Err(CaseError::UnderCase { person, case }.into());
                }
                let schedule = self.period(policy, anchor, on)?;
                if linked.is_none()
                    && category == Category::SecondaryContact
                    && self.cases.policy(policy)?.linked().is_some()
                {
                    return Err(CaseError::LinkUnstated { person, policy }.into());
                }
                let linked = linked.and_then(Link::case);
                Event::CaseStarted {
                    case: CaseId::new(u32::try_from(self.cases.cases.len()).unwrap_or(u32::MAX)),
                    person,
                    policy,
                    category,
                    anchor,
                    on,
                    linked,
                    change: self.case_change(person, category.standing_on(&schedule, on), on, true)?,
                }
            }
            C::Exposed { person, anchor, on } => {
                let id = self.active_case_of(person)?;
                let case = self.cases.case(id)?;
                let schedule = self.restart_period(case, anchor, on)?;
                let state = case.category().standing_on(&schedule, on);
                Event::CaseRestarted { case: id, anchor, on, change: self.case_change(person, state, on, true)? }
            }
            C::RecordCheck { person, at, temperature, symptoms } => {
                let id = self.checked_case_of(person, at.date())?;
                let case = self.cases.case(id)?;
                self.not_before_anchor(case, at.date())?;
                let escalation = if self.cases.policy(case.policy())?.is_fever(temperature) {
                    self.case_change(person, State::Suspected, self.today_or(at.date()), false)?
                } else {
                    None
                };
                Event::CheckRecorded { case: id, at, temperature, symptoms, escalation }
            }
            C::RecordTest { person, on, result } => {
                let id = self.active_case_of(person)?;
                let escalation = match result {
                    TestResult::Positive => self.case_change(person, State::Confirmed, self.today_or(on), false)?,
                    TestResult::Negative => None,
                };
                Event::TestRecorded { case: id, on, result, escalation }
            }
            C::CorrectCheck { case, recorded, corrected } => self.check_erratum(case, recorded, corrected)?,
            C::ChangePolicy { from, to, on } => match self.policy_change(&Draft::default(), from, to, on)? {
                Some(event) => event,
                None => return Err(CaseError::NoCasesUnder { policy: from }.into()),
            },
            C::AdjustCase { case, days, reason, by, on } => self.adjustment(case, days, reason, by, on)?,
            C::CorrectTest { case, on, corrected } => self.test_erratum(case, on, corrected)?,
            C::Release { case: id, on } => {
                let case = self.cases.active(id)?;
                let schedule = self.cases.schedule_of(case)?;
                if on < schedule.release() {
                    return Err(CaseError::TooEarly { case: id, release: schedule.release(), on }.into());
                }
                self.release_or_flag(&Draft::default(), (id, case), &schedule, on, None)?
            }
            other => {
                return Err(RegistryError::Mismatch { what: format!("{other:?} is not a case command") }.into());
            }
        })
    }

    /// The start of case `id` for `person` (a contact a trace places), decided on the state
    /// `draft` leaves, checked as [`Command::StartCase`](super::Command::StartCase)'s event is:
    /// the period from `anchor` not over on `on`, the person's change into the category's state
    /// allowed. `linked` names a close contact's case started in the same command or an active
    /// one with no positive result (the trace checks it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn started_case(
        &self,
        draft: &Draft,
        id: CaseId,
        person: PersonId,
        policy: PolicyId,
        category: Category,
        anchor: NaiveDate,
        on: NaiveDate,
        linked: Option<CaseId>,
    ) -> Result<Event, Error> {
        let schedule = self.period(policy, anchor, on)?;
        let change = self.drafted_change(draft, person, category.standing_on(&schedule, on), on, true)?;
        Ok(Event::CaseStarted { case: id, person, policy, category, anchor, on, linked, change })
    }

    /// The schedule of `policy` from `anchor` for a case starting `on`: refused when the
    /// anchor is after `on` or the period is over by then.
    fn period(&self, policy: PolicyId, anchor: NaiveDate, on: NaiveDate) -> Result<Schedule, Error> {
        if anchor > on {
            return Err(CaseError::AnchorAfterStart { anchor, on }.into());
        }
        let schedule = self.cases.policy(policy)?.schedule(anchor)?;
        if schedule.release() < on {
            return Err(CaseError::PeriodOver { release: schedule.release(), on }.into());
        }
        Ok(schedule)
    }

    fn restart_period(&self, case: &Case, anchor: NaiveDate, on: NaiveDate) -> Result<Schedule, Error> {
        if anchor <= case.anchor() {
            return Err(CaseError::RestartNotLater { anchor, current: case.anchor() }.into());
        }
        if on < case.settled() {
            return Err(CaseError::BackDated { on, settled: case.settled() }.into());
        }
        if anchor > on {
            return Err(CaseError::AnchorAfterStart { anchor, on }.into());
        }
        // The case's own schedule from the new anchor (its changes kept).
        let schedule = self.cases.schedule_after(case, |c| c.restart(anchor, on))?;
        if schedule.release() < on {
            return Err(CaseError::PeriodOver { release: schedule.release(), on }.into());
        }
        Ok(schedule)
    }

    fn not_before_anchor(&self, case: &Case, date: NaiveDate) -> Result<(), Error> {
        if date < case.anchor() {
            return Err(CaseError::BeforeAnchor { date, anchor: case.anchor() }.into());
        }
        Ok(())
    }

    fn check_link(&self, person: PersonId, policy: PolicyId, category: Category, linked: CaseId) -> Result<(), Error> {
        let problem = |problem| Err(CaseError::InvalidLink { linked, problem }.into());
        if category != Category::SecondaryContact || self.cases.policy(policy)?.linked().is_none() {
            return problem(LinkProblem::NotLinkedRelease);
        }
        let close = self.cases.case(linked)?;
        if close.category() != Category::CloseContact {
            return problem(LinkProblem::NotCloseContact);
        }
        if close.person() == person {
            return problem(LinkProblem::SamePerson);
        }
        if close.tests().any(|(_, t)| t == TestResult::Positive) {
            return problem(LinkProblem::AlreadyPositive);
        }
        Ok(())
    }

    /// Check a case event against the current state; everything `commit_case` could fail on
    /// is checked here.
    pub(super) fn check_case(&self, event: &Event, origin: Origin) -> Result<(), Error> {
        match event {
            Event::PolicyAdopted { policy, spec } => {
                if let Some(existing) = self.policy_named(spec.name()) {
                    return Err(CaseError::PolicyNameTaken { name: spec.name().to_owned(), policy: existing }.into());
                }
                Self::expect_id(IdTable::Policy, self.cases.policies.len() as u32, u32::from(policy.get()))?;
            }
            Event::CaseStarted { case, person, policy, category, anchor, on, linked, change } => {
                Self::expect_id(IdTable::Case, self.cases.cases.len() as u32, case.get())?;
                self.population.person(*person)?;
                if let Some(case) = self.active_case(*person) {
                    return Err(CaseError::UnderCase { person: *person, case }.into());
                }
                if let Some(linked) = linked {
                    self.check_link(*person, *policy, *category, *linked)?;
                }
                let schedule = self.period(*policy, *anchor, *on)?;
                let state = category.standing_on(&schedule, *on);
                self.expect_change(change.as_ref(), || self.case_change(*person, state, *on, true), origin)?;
            }
            Event::CaseRestarted { case, anchor, on, change } => {
                let c = self.cases.active(*case)?;
                let schedule = self.restart_period(c, *anchor, *on)?;
                let state = c.category().standing_on(&schedule, *on);
                self.expect_change(change.as_ref(), || self.case_change(c.person(), state, *on, true), origin)?;
            }
            Event::CheckRecorded { case, at, temperature, escalation, .. } => {
                let c = self.cases.case(*case)?;
                if !c.status().is_active() && self.monitored_case(c.person(), at.date()) != Some(*case) {
                    self.cases.active(*case)?;
                }
                self.not_before_anchor(c, at.date())?;
                let fever = self.cases.policy(c.policy())?.is_fever(*temperature);
                let expected = || match fever {
                    true => self.case_change(c.person(), State::Suspected, self.today_or(at.date()), false),
                    false => Ok(None),
                };
                self.expect_change(escalation.as_ref(), expected, origin)?;
            }
            Event::TestRecorded { case, on, result, escalation } => {
                let c = self.cases.active(*case)?;
                self.not_before_anchor(c, *on)?;
                if c.day(*on).is_some_and(|d| d.test().is_some()) {
                    return Err(CaseError::TestAlreadyRecorded { case: *case, on: *on }.into());
                }
                let expected = || match result {
                    TestResult::Positive => self.case_change(c.person(), State::Confirmed, self.today_or(*on), false),
                    TestResult::Negative => Ok(None),
                };
                self.expect_change(escalation.as_ref(), expected, origin)?;
            }
            Event::CaseConverted { case, policy, on, change } => {
                let c = self.cases.active(*case)?;
                let close = c.linked().map(|l| self.cases.case(l)).transpose()?;
                let positive = close.is_some_and(|k| k.tests().any(|(_, t)| t == TestResult::Positive));
                if c.category() != Category::SecondaryContact || !positive || close.map(Case::policy) != Some(*policy) {
                    return Err(RegistryError::Mismatch {
                        what: format!("case {case} is not a secondary contact of a close contact who tested positive under {policy}"),
                    }
                    .into());
                }
                let schedule = self.cases.schedule_after(c, |c| c.convert(*policy, *on))?;
                let state = Category::CloseContact.standing_on(&schedule, (*on).max(c.settled()));
                self.expect_change(change.as_ref(), || self.case_change(c.person(), state, *on, false), origin)?;
            }
            Event::PhaseEntered { case, phase, on, change } => {
                let c = self.cases.active(*case)?;
                let schedule = self.cases.schedule_of(c)?;
                let entered = schedule.phases().get(usize::from(*phase));
                if c.status() != &CaseStatus::Open || entered.is_none_or(|p| p.first() != *on) || *on <= c.settled() {
                    return Err(RegistryError::Mismatch {
                        what: format!("case {case} does not enter phase {phase} on {on}"),
                    }
                    .into());
                }
                let state = c.category().standing_on(&schedule, *on);
                self.expect_change(change.as_ref(), || self.case_change(c.person(), state, *on, false), origin)?;
            }
            Event::CaseReleased { case, on, change } => {
                let c = self.cases.active(*case)?;
                let schedule = self.cases.schedule_of(c)?;
                if *on < schedule.release() {
                    return Err(CaseError::TooEarly { case: *case, release: schedule.release(), on: *on }.into());
                }
                let blockers = self.release_blockers(c, &schedule)?;
                if !blockers.is_empty() {
                    return Err(CaseError::NotReleasable { case: *case, reasons: blockers }.into());
                }
                self.expect_change(Some(change), || self.case_change(c.person(), State::Well, *on, false), origin)?;
            }
            Event::CaseFlagged { case, on, reasons } => {
                let c = self.cases.active(*case)?;
                let schedule = self.cases.schedule_of(c)?;
                if c.status() != &CaseStatus::Open || *on < schedule.release() || reasons.is_empty() {
                    return Err(
                        RegistryError::Mismatch { what: format!("case {case} cannot be flagged on {on}") }.into()
                    );
                }
                if self.release_blockers(c, &schedule)? != *reasons {
                    return Err(RegistryError::Mismatch { what: format!("case {case} lacks other things") }.into());
                }
            }
            Event::CaseReopened { case, on, .. } => {
                if self.day != Some(*on) || self.reopening(&Draft::default(), *case, *on, None)?.as_ref() != Some(event)
                {
                    return Err(
                        RegistryError::Mismatch { what: format!("case {case} is not reopened so on {on}") }.into()
                    );
                }
            }
            Event::CheckCorrected { case, recorded, corrected, .. } => {
                if origin == Origin::Log && self.check_erratum(*case, *recorded, *corrected)? != *event {
                    return Err(
                        RegistryError::Mismatch { what: format!("case {case}'s check is not corrected so") }.into()
                    );
                }
            }
            Event::TestCorrected { case, sampled, corrected, .. } => {
                if origin == Origin::Log && self.test_erratum(*case, *sampled, *corrected)? != *event {
                    return Err(
                        RegistryError::Mismatch { what: format!("case {case}'s test is not corrected so") }.into()
                    );
                }
            }
            Event::PolicyChanged { case, from, to, on, .. } => {
                if origin == Origin::Log
                    && self.policy_change(&Draft::default(), *from, *to, *on)?.as_ref().is_none_or(|e| e != event)
                {
                    return Err(RegistryError::Mismatch {
                        what: format!("case {case} is not the next to move from {from} to {to} so on {on}"),
                    }
                    .into());
                }
            }
            Event::CaseAdjusted { case, days, reason, by, on, .. } => {
                if origin == Origin::Log && self.adjustment(*case, *days, reason.clone(), *by, *on)? != *event {
                    return Err(
                        RegistryError::Mismatch { what: format!("case {case} is not adjusted so on {on}") }.into()
                    );
                }
            }
            _ => return Err(RegistryError::Mismatch { what: "not a case event".to_owned() }.into()),
        }
        Ok(())
    }

    /// The active case of `person` a check dated `date` is recorded on, or, when they have
    /// none, their released case whose obligations after release cover `date`
    /// ([`AfterRelease`](crate::quarantine::AfterRelease)).
    fn checked_case_of(&self, person: PersonId, date: NaiveDate) -> Result<CaseId, Error> {
        match self.active_case_of(person) {
            Err(Error::Case(CaseError::NoActiveCase { .. })) => {
                self.monitored_case(person, date).ok_or(CaseError::NoActiveCase { person }.into())
            }
            found => found,
        }
    }

    /// The released case of `person` whose window of obligations after release holds `date`
    /// (the latest released, if several do), while the person is as the release left them:
    /// present and well, under no active case (nobody has acted on them since).
    ///
    /// # Complexity
    /// O(log cases + released cases whose window ends on or after `date`).
    pub(super) fn monitored_case(&self, person: PersonId, date: NaiveDate) -> Option<CaseId> {
        if self.active_case(person).is_some() || self.state(person).map_or(true, |s| s.state() != State::Well) {
            return None;
        }
        let mut found = None;
        for (_, id) in self.cases.index.monitoring.from(date) {
            let Some(c) = self.cases.cases.get(id.index()) else { continue };
            if c.person() != person || !matches!(c.status(), CaseStatus::Released { .. }) {
                continue;
            }
            let window = self.cases.schedule_of(c).ok().and_then(|s| s.monitoring());
            if window.is_some_and(|(first, last)| first <= date && date <= last) && found.is_none_or(|f| f < id) {
                found = Some(id);
            }
        }
        found
    }

    /// The event moving the first active case under `from` (in case order) to `to` on `on`,
    /// its person's state as `draft` leaves it; `None` when no active case follows `from`.
    pub(super) fn policy_change(
        &self,
        draft: &Draft,
        from: PolicyId,
        to: PolicyId,
        on: NaiveDate,
    ) -> Result<Option<Event>, Error> {
        let (old, new) = (self.cases.policy(from)?, self.cases.policy(to)?);
        if from == to {
            return Err(CaseError::SamePolicy { policy: from }.into());
        }
        if old.anchor() != new.anchor() {
            return Err(
                CaseError::AnchorMismatch { from, from_anchor: old.anchor(), to, to_anchor: new.anchor() }.into()
            );
        }
        match self.cases_under(from).first() {
            Some(&id) => self.policy_change_of(draft, id, (from, to, on)).map(Some),
            None => Ok(None),
        }
    }

    /// The event moving active case `id`, under `from`, to `to` on `on`, its person's state as
    /// `draft` leaves it.
    pub(super) fn policy_change_of(
        &self,
        draft: &Draft,
        id: CaseId,
        (from, to, on): (PolicyId, PolicyId, NaiveDate),
    ) -> Result<Event, Error> {
        let case = self.cases.active(id)?;
        let previous_release = self.cases.schedule_of(case)?.release();
        let record = CaseChange::PolicyChanged { on, from, to, previous_release };
        let schedule = self.cases.schedule_after(case, |c| c.change(record, to, true))?;
        let state = case.category().standing_on(&schedule, on.max(case.settled()));
        let change = self.drafted_change(draft, case.person(), state, on, false)?;
        Ok(Event::PolicyChanged { case: id, from, to, on, previous_release, release: schedule.release(), change })
    }

    /// The active cases following `policy`, in case order.
    ///
    /// # Complexity
    /// O(active cases × log active cases).
    pub(super) fn cases_under(&self, policy: PolicyId) -> Vec<CaseId> {
        let mut ids: Vec<CaseId> = self
            .cases
            .index
            .active
            .values()
            .copied()
            .filter(|id| self.cases.cases.get(id.index()).is_some_and(|c| c.policy() == policy))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The event of adjusting case `id` by `days` on `on`.
    fn adjustment(
        &self,
        id: CaseId,
        days: i16,
        reason: crate::quarantine::Reason,
        by: crate::StaffId,
        on: NaiveDate,
    ) -> Result<Event, Error> {
        if days == 0 {
            return Err(CaseError::ZeroAdjustment.into());
        }
        self.staff_member(by)?;
        let case = self.cases.active(id)?;
        let previous_release = self.cases.schedule_of(case)?.release();
        let record = CaseChange::Adjusted { on, days, reason: reason.clone(), by, previous_release };
        let policy = case.policy();
        let schedule = self.cases.schedule_after(case, |c| c.change(record, policy, true))?;
        let state = case.category().standing_on(&schedule, on.max(case.settled()));
        let change = self.case_change(case.person(), state, on, false)?;
        Ok(Event::CaseAdjusted {
            case: id,
            days,
            reason,
            by,
            on,
            previous_release,
            release: schedule.release(),
            change,
        })
    }

    /// Apply a checked case event.
    pub(super) fn commit_case(&mut self, event: &Event) -> Result<(), Error> {
        match event {
            Event::PolicyAdopted { spec, .. } => self.cases.policies.push(spec.clone()),
            Event::CaseStarted { case, person, policy, category, anchor, on, linked, change } => {
                let new = Case::new(*person, *policy, *category, *anchor, *on, *linked);
                let schedule = self.cases.schedule_of(&new)?;
                let book = &mut self.cases;
                book.index.add(*case, &new, &schedule, &mut book.scratch.0);
                self.cases.cases.push(new);
                self.apply_change(*person, change.as_ref())?;
            }
            Event::CaseRestarted { case, anchor, on, change } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, true, |c| c.restart(*anchor, *on))?;
                self.apply_change(person, change.as_ref())?;
            }
            Event::CheckRecorded { case, at, symptoms, escalation, .. } => {
                self.record(*case, at.date(), escalation.as_ref(), State::Suspected, |c| {
                    c.record_check(at.date(), *symptoms);
                })?;
            }
            Event::TestRecorded { case, on, result, escalation } => {
                self.record(*case, *on, escalation.as_ref(), State::Confirmed, |c| c.record_test(*on, *result))?;
            }
            Event::CaseConverted { case, policy, on, change } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, true, |c| c.convert(*policy, *on))?;
                self.apply_change(person, change.as_ref())?;
            }
            Event::PhaseEntered { case, on, change, .. } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, false, |c| c.settle(*on))?;
                self.apply_change(person, change.as_ref())?;
            }
            Event::CaseReleased { case, on, change } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, false, |c| c.set_status(CaseStatus::Released { on: *on }))?;
                self.apply_change(person, Some(change))?;
            }
            Event::CaseFlagged { case, on, reasons } => {
                let status = CaseStatus::Review { since: *on, reasons: reasons.clone() };
                self.cases.update(*case, false, |c| c.set_status(status))?;
            }
            Event::CaseReopened { case, policy, on, reasons, change } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, true, |c| {
                    c.convert(*policy, *on);
                    c.reopen(*on, reasons.clone());
                })?;
                self.apply_change(person, change.as_ref())?;
            }
            Event::CheckCorrected { case, recorded, corrected, on, escalation, undone, reasons } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, false, |c| {
                    c.unrecord_check(recorded.at.date());
                    if let Some(r) = corrected {
                        c.record_check(r.at.date(), r.symptoms);
                    }
                    Self::settle_erratum(c, *on, escalation.is_some(), State::Suspected, undone.is_some(), reasons);
                })?;
                self.apply_change(person, escalation.as_ref().or(undone.as_ref()))?;
            }
            Event::TestCorrected { case, sampled, corrected, on, escalation, undone, reasons, .. } => {
                let person = self.cases.case(*case)?.person();
                self.cases.update(*case, true, |c| {
                    c.unrecord_test(*sampled);
                    if let Some(x) = corrected {
                        c.record_test(x.on, x.result);
                    }
                    Self::settle_erratum(c, *on, escalation.is_some(), State::Confirmed, undone.is_some(), reasons);
                })?;
                self.apply_change(person, escalation.as_ref().or(undone.as_ref()))?;
            }
            Event::PolicyChanged { case, from, to, on, previous_release, change, .. } => {
                let person = self.cases.case(*case)?.person();
                let record =
                    CaseChange::PolicyChanged { on: *on, from: *from, to: *to, previous_release: *previous_release };
                let keep_link = self.cases.policy(*to)?.linked().is_some();
                self.cases.update(*case, true, |c| c.change(record, *to, keep_link))?;
                self.apply_change(person, change.as_ref())?;
            }
            Event::CaseAdjusted { case, days, reason, by, on, previous_release, change, .. } => {
                let c = self.cases.case(*case)?;
                let (person, policy) = (c.person(), c.policy());
                let record = CaseChange::Adjusted {
                    on: *on,
                    days: *days,
                    reason: reason.clone(),
                    by: *by,
                    previous_release: *previous_release,
                };
                self.cases.update(*case, true, |c| c.change(record, policy, true))?;
                self.apply_change(person, change.as_ref())?;
            }
            _ => return Err(RegistryError::Mismatch { what: "not a case event".to_owned() }.into()),
        }
        Ok(())
    }

    /// Where an erratum dated `on` leaves case `c`: escalated to `to` when it made an
    /// escalation, reopened (for `reasons`) when it undid one.
    fn settle_erratum(c: &mut Case, on: NaiveDate, escalated: bool, to: State, undone: bool, reasons: &[ReviewReason]) {
        if escalated {
            c.set_status(CaseStatus::Escalated { on, to });
        }
        if undone {
            c.reopen(on, reasons.to_vec());
        }
    }

    /// Record a check or test on `date` by `record`; with an escalation, end the case.
    fn record(
        &mut self,
        id: CaseId,
        date: NaiveDate,
        escalation: Option<&StateChange>,
        to: State,
        record: impl FnOnce(&mut Case),
    ) -> Result<(), Error> {
        let case = self.cases.case(id)?;
        let person = case.person();
        // An escalation lands on the business date, whatever the record's date.
        let ended = self.today_or(date);
        let policy = self.cases.policy(case.policy())?;
        if escalation.is_none() && case.status() == &CaseStatus::Open && policy.early().is_none() {
            // Only this day's entry of the unchecked index can change (no shorter period whose
            // sample could move the schedule).
            let required = policy.checks_per_day();
            let case = &mut self.cases.cases[id.index()];
            record(case);
            if case.checks_on(date) >= required {
                self.cases.index.unchecked.put(date, id, false);
            }
            return Ok(());
        }
        self.cases.update(id, true, |c| {
            record(c);
            if escalation.is_some() {
                c.set_status(CaseStatus::Escalated { on: ended, to });
            }
        })?;
        self.apply_change(person, escalation)
    }

    /// The active secondary contacts' cases linked to close contact's case `close`, in order.
    pub(super) fn linked_to(&self, close: CaseId) -> Vec<CaseId> {
        self.cases.index.links.range(on(close)).map(|&(_, secondary)| secondary).collect()
    }

    /// The conversion of secondary contact's case `id` into a close contact's, under the
    /// policy of `close`, whose test sampled `on` was positive.
    pub(super) fn conversion(&self, draft: &Draft, id: CaseId, close: CaseId, on: NaiveDate) -> Result<Event, Error> {
        let policy = self.cases.case(close)?.policy();
        let c = self.cases.case(id)?;
        let schedule = self.cases.schedule_after(c, |c| c.convert(policy, on))?;
        let state = Category::CloseContact.standing_on(&schedule, on.max(c.settled()));
        Ok(Event::CaseConverted {
            case: id,
            policy,
            on,
            change: self.drafted_change(draft, c.person(), state, on, false)?,
        })
    }

    /// Refuse a positive test of close contact's case `close` whose conversions could not all
    /// be made (a secondary contact's period under the close-contact policy would leave the
    /// calendar), before anything changes.
    pub(super) fn check_conversions(&self, close: CaseId) -> Result<(), Error> {
        let policy = self.cases.case(close)?.policy();
        let on = self.business_date().unwrap_or(NaiveDate::MIN);
        for id in self.linked_to(close).into_iter().chain(self.released_linked_to(close)) {
            self.cases.schedule_after(self.cases.case(id)?, |c| c.convert(policy, on))?;
        }
        Ok(())
    }

    /// The released secondary contacts' cases linked to close contact's case `close`, in order.
    pub(super) fn released_linked_to(&self, close: CaseId) -> Vec<CaseId> {
        self.cases.index.released_links.range(on(close)).map(|&(_, secondary)| secondary).collect()
    }

    /// The reopening on `on` of released secondary contact's case `id`, when the results of
    /// the close contact's case it is linked to now break the rule it was released on (a
    /// positive among the first tests) and nobody has acted on the person since (no other
    /// case, and a way back into isolation the state table allows); `None` otherwise.
    ///
    /// `pending` is the close contact's case as the command being decided leaves it (its
    /// result recorded), when that command is not applied yet; `None` reads the registry's.
    pub(super) fn reopening(
        &self,
        draft: &Draft,
        id: CaseId,
        on: NaiveDate,
        pending: Option<&Case>,
    ) -> Result<Option<Event>, Error> {
        let c = self.cases.case(id)?;
        let (CaseStatus::Released { .. }, Some(close)) = (c.status(), c.linked()) else { return Ok(None) };
        let close = match pending {
            Some(case) => case,
            None => self.cases.case(close)?,
        };
        let Some(rule) = self.cases.policy(c.policy())?.linked() else { return Ok(None) };
        let schedule = self.cases.schedule_of(c)?;
        let broken = c.release_blockers(&schedule, Some((rule, close))).contains(&ReviewReason::LinkedTestsPending);
        if !broken || self.active_case(c.person()).is_some() {
            return Ok(None);
        }
        let policy = close.policy();
        let settled = on.max(c.settled());
        let schedule = self.cases.schedule_after(c, |c| c.convert(policy, on))?;
        let state = Category::CloseContact.standing_on(&schedule, settled);
        let from = draft.state(self, c.person())?.standing();
        if from != state && !from.may_become(state) {
            return Ok(None);
        }
        let change = self.drafted_change(draft, c.person(), state, on, false)?;
        let reasons = vec![ReviewReason::ReleasedBeforeLinkedPositive];
        Ok(Some(Event::CaseReopened { case: id, policy, on, reasons, change }))
    }

    /// The undoing, on the business date `today`, of the escalation that ended `case`, when
    /// nobody has acted on the person since (they are still in the state it gave them and under
    /// no other case): the person's change back into the state their category has today
    /// (made as a correction, not as a transition of the state table), and the reasons for a
    /// review when the table does not allow that way back. `(None, [])` when it cannot be
    /// undone.
    fn undo_escalation(
        &self,
        case: &Case,
        today: NaiveDate,
    ) -> Result<(Option<StateChange>, Vec<ReviewReason>), Error> {
        let CaseStatus::Escalated { to, .. } = case.status() else { return Ok((None, Vec::new())) };
        let person = case.person();
        let current = self.state(person)?;
        if current.standing() != Standing::of(*to) || self.active_case(person).is_some() {
            return Ok((None, Vec::new()));
        }
        // The state of the date the reopened case is settled on (`Case::reopen`).
        let target = case.category().standing_on(&self.cases.schedule_of(case)?, today.max(case.settled()));
        let reasons = match current.standing().may_become(target) {
            true => Vec::new(),
            false => vec![ReviewReason::EscalationCorrected],
        };
        let back = PersonState::with_standing(target, today);
        let recolours = self.recolours_on_state(person, back)?;
        Ok((Some(StateChange { from: current, to: back, recolours }), reasons))
    }

    /// What correcting the record that did (`was`) or did not escalate `case` into one that
    /// does (`now`, to `to`) changes on `today`: (escalation, undoing, reasons for a review).
    #[allow(clippy::type_complexity)]
    fn correction(
        &self,
        (id, case): (CaseId, &Case),
        (was, now, to): (bool, bool, State),
        today: NaiveDate,
    ) -> Result<(Option<StateChange>, Option<StateChange>, Vec<ReviewReason>), Error> {
        match (was, now) {
            (true, false) => {
                let (undone, reasons) = self.undo_escalation(case, today)?;
                // A positive result is the record a confirmed case stands on: it is taken back
                // only with the escalation (a check's fever is counted, not kept, and may be).
                if undone.is_none()
                    && to == State::Confirmed
                    && let Some(on) = case.status().ended_on()
                {
                    return Err(CaseError::Ended { case: id, on }.into());
                }
                Ok((None, undone, reasons))
            }
            (false, true) => {
                if let Some(on) = case.status().ended_on() {
                    return Err(CaseError::Ended { case: id, on }.into());
                }
                Ok((self.case_change(case.person(), to, today, false)?, None, Vec::new()))
            }
            _ => Ok((None, None, Vec::new())),
        }
    }

    /// The event an erratum of a check of case `id` becomes.
    fn check_erratum(&self, id: CaseId, recorded: Reading, corrected: Option<Reading>) -> Result<Event, Error> {
        let date = recorded.at.date();
        let today = self.day.ok_or(RegistryError::NoBusinessDate { date })?;
        let c = self.cases.case(id)?;
        let policy = self.cases.policy(c.policy())?;
        let no_such = || Error::from(CaseError::NoSuchRecord { case: id, date });
        let day = c.day(date).ok_or_else(no_such)?;
        let was = policy.is_fever(recorded.temperature);
        let escalated = matches!(c.status(), CaseStatus::Escalated { to: State::Suspected, .. });
        if day.checks() == 0 || (recorded.symptoms && !day.symptoms()) || (was && !escalated) {
            return Err(no_such());
        }
        if let Some(r) = corrected {
            self.not_before_anchor(c, r.at.date())?;
        }
        let now = corrected.is_some_and(|r| policy.is_fever(r.temperature));
        let (escalation, undone, reasons) = self.correction((id, c), (was, now, State::Suspected), today)?;
        Ok(Event::CheckCorrected { case: id, recorded, corrected, on: today, escalation, undone, reasons })
    }

    /// The event an erratum of the test of case `id` sampled on `sampled` becomes.
    fn test_erratum(&self, id: CaseId, sampled: NaiveDate, corrected: Option<Sample>) -> Result<Event, Error> {
        let today = self.day.ok_or(RegistryError::NoBusinessDate { date: sampled })?;
        let c = self.cases.case(id)?;
        let no_such = || Error::from(CaseError::NoSuchRecord { case: id, date: sampled });
        let recorded = c.day(sampled).and_then(|d| d.test()).ok_or_else(no_such)?;
        let was = recorded == TestResult::Positive;
        if was && !matches!(c.status(), CaseStatus::Escalated { to: State::Confirmed, .. }) {
            return Err(no_such());
        }
        if let Some(x) = corrected {
            self.not_before_anchor(c, x.on)?;
            if x.on != sampled && c.day(x.on).is_some_and(|d| d.test().is_some()) {
                return Err(CaseError::TestAlreadyRecorded { case: id, on: x.on }.into());
            }
        }
        // A case released under a policy with a sample window (an early release on a negative
        // sample) stands on its tests: they are not corrected once it is released, as a
        // positive is not once someone acted on it.
        if let &CaseStatus::Released { on } = c.status()
            && self.cases.policy(c.policy()).is_ok_and(|p| p.early().is_some())
        {
            return Err(CaseError::Ended { case: id, on }.into());
        }
        let now = corrected.is_some_and(|x| x.result == TestResult::Positive);
        // The positive that confirmed the case moves, still positive, after the confirmation:
        // the case would stand on nothing on the day it was confirmed.
        if let (true, Some(x), &CaseStatus::Escalated { on: escalated, .. }) = (was && now, corrected, c.status())
            && x.on > escalated
        {
            return Err(CaseError::PositiveAfterEscalation { case: id, on: x.on, escalated }.into());
        }
        let (escalation, undone, reasons) = self.correction((id, c), (was, now, State::Confirmed), today)?;
        Ok(Event::TestCorrected { case: id, sampled, recorded, corrected, on: today, escalation, undone, reasons })
    }

    /// The cases the daily round of `today` changes, in order: phases entered (by date,
    /// then case), then releases and flags (by release date, then case).
    pub(super) fn round(&self, today: NaiveDate) -> (DatedCases, DatedCases) {
        let index = &self.cases.index;
        let phases = index.phases.through(today);
        let releases = index.releases.through(today);
        (phases, releases)
    }

    /// The first day after `after` on which case `id`'s person changes state with a phase.
    pub(super) fn next_phase_change(&self, id: CaseId, after: NaiveDate) -> Result<Option<NaiveDate>, Error> {
        let case = self.cases.case(id)?;
        let schedule = self.cases.schedule_of(case)?;
        Ok(case.category().next_change(&schedule, after).map(|(day, _)| day))
    }

    /// The event of case `id` entering the latest phase begun by `today`.
    pub(super) fn phase_event(&self, draft: &Draft, id: CaseId, today: NaiveDate) -> Result<Event, Error> {
        let case = self.cases.case(id)?;
        let schedule = self.cases.schedule_of(case)?;
        let phases = schedule.phases();
        let index = phases.partition_point(|p| p.first() <= today).saturating_sub(1);
        let first = phases.get(index).map_or(today, |p| p.first());
        let state = case.category().standing_on(&schedule, first);
        Ok(Event::PhaseEntered {
            case: id,
            phase: u16::try_from(index).unwrap_or(u16::MAX),
            on: first,
            change: self.drafted_change(draft, case.person(), state, first, false)?,
        })
    }

    /// The day a day-by-day run from `first` judges open case `id`, due for release on
    /// `release`: its release date, once its last day is over, and not before `first`.
    pub(super) fn judging_day(
        &self,
        id: CaseId,
        release: NaiveDate,
        first: NaiveDate,
    ) -> Result<Option<NaiveDate>, Error> {
        let case = self.cases.active(id)?;
        let schedule = self.cases.schedule_of(case)?;
        Ok(schedule.last_day().succ_opt().map(|over| release.max(over).max(first)))
    }

    /// The release of open case `id`, due on `release`, or its flag for review, judged on `day`.
    pub(super) fn release_or_flag_on(
        &self,
        draft: &Draft,
        id: CaseId,
        release: NaiveDate,
        day: NaiveDate,
    ) -> Result<Event, Error> {
        let case = self.cases.active(id)?;
        let schedule = self.cases.schedule_of(case)?;
        self.release_or_flag(draft, (id, case), &schedule, release, Some(day))
    }
}
