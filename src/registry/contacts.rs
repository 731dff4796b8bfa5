//! The contact graph in the registry 密接 / 次密接: exposures recorded, contacts traced from a
//! case and placed under isolation policies in one command, chains and clusters.
//!
//! ```text
//! RecordExposure ──▶ ExposureRecorded ──▶ the graph's exposures
//! TraceContacts  ──▶ ContactsTraced (the rule applied: close and secondary contacts)
//!                      + one CaseStarted per contact placed (all or nothing, in one record)
//!                    ──▶ the chains (index case → close contact → secondary contact)
//! ```
//!
//! A secondary contact placed under a policy with a linked release is linked to the case of
//! the close contact who reached them, exactly as a
//! [`Command::StartCase`](super::Command::StartCase) with `linked` does: their release waits on
//! the close contact's first tests, and the close contact's positive result converts them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::record::Draft;
use super::{Event, Registry, RegistryError};
use crate::colour::State;
use crate::contacts::{
    CaseLinks, Cluster, ContactError, ContactGraph, ContactRule, Derivation, Derived, Exposure, Neighbourhood,
};
use crate::grid::Level;
use crate::quarantine::{Category, TestResult};
use crate::{CaseId, Error, PersonId, PolicyId, UnitId};

/// One person a [`Trace`] reached, and the case they are under for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Placed {
    /// The contact.
    pub person: PersonId,
    /// Whom they are a contact of (the index case, or the close contact who reached them).
    pub via: PersonId,
    /// Their last exposure at this level: the anchor of the case started for them.
    pub last_exposure: NaiveDate,
    /// The case they are under: the one started for them, or the active case they were
    /// under already (kept as it is: a contact of several cases is isolated once).
    pub case: CaseId,
    /// Whether the trace started `case`.
    pub started: bool,
}

/// One tracing 流调 of a case's contacts ([`Command::TraceContacts`](super::Command::TraceContacts)):
/// the rule applied, the policies named, and every contact placed. Kept whole in the registry:
/// a contact who later becomes a case keeps this history, and is traced in turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trace {
    /// The index case: a confirmed or suspected case on `on`.
    pub index: PersonId,
    /// The date of the tracing: the business date.
    pub on: NaiveDate,
    /// The rule applied.
    pub rule: ContactRule,
    /// The policy close contacts are placed under.
    pub close_policy: PolicyId,
    /// The policy secondary contacts are placed under, when the rule finds any.
    pub secondary_policy: Option<PolicyId>,
    /// The close contacts, by person id.
    pub close: Vec<Placed>,
    /// The secondary contacts, by person id.
    pub secondary: Vec<Placed>,
}

/// The contact book as a snapshot holds it: every exposure and every trace, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactData {
    /// The exposures recorded, in order.
    pub exposures: Vec<Exposure>,
    /// The traces made, in order.
    pub traces: Vec<Trace>,
}

impl ContactData {
    /// Whether it holds nothing (a snapshot leaves it out of JSON then).
    pub fn is_empty(&self) -> bool {
        self.exposures.is_empty() && self.traces.is_empty()
    }
}

/// A cluster with where its members live: persons per unit, by unit id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSpan {
    /// The cluster: members and index cases.
    pub cluster: Cluster,
    /// How many of its members live at each unit (their household's), by unit id.
    pub units: Vec<(UnitId, usize)>,
}

/// The registry's contact graph: the traces as recorded, and the graph built from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ContactBook {
    traces: Vec<Trace>,
    graph: ContactGraph,
}

impl ContactBook {
    /// The book of a snapshot's `data`, its graph rebuilt (exposures, then each trace's links
    /// in order, as they were made).
    ///
    /// # Errors
    /// [`RegistryError::InvalidSnapshot`] when an exposure or a trace names a person not
    /// registered.
    pub(super) fn from_data(data: ContactData, persons: usize) -> Result<Self, Error> {
        let bad = |what: String| Error::from(RegistryError::InvalidSnapshot { what });
        let mut book = ContactBook::default();
        for e in data.exposures {
            if e.contact().index() >= persons || e.source().index() >= persons {
                return Err(bad("an exposure names no registered person".to_owned()));
            }
            book.graph.add_exposure(e);
        }
        for trace in data.traces {
            let named = std::iter::once(trace.index)
                .chain(trace.close.iter().chain(&trace.secondary).flat_map(|p| [p.person, p.via]));
            if named.into_iter().any(|p| p.index() >= persons) {
                return Err(bad("a trace names no registered person".to_owned()));
            }
            book.commit_trace(trace);
        }
        Ok(book)
    }

    pub(super) fn to_data(&self) -> ContactData {
        ContactData { exposures: self.graph.exposures().copied().collect(), traces: self.traces.clone() }
    }

    fn commit_trace(&mut self, trace: Trace) {
        for p in trace.close.iter().chain(&trace.secondary) {
            self.graph.link(p.via, p.person);
        }
        self.traces.push(trace);
    }
}

/// The registry seen as a [`Neighbourhood`]: households, units and states as they are now.
struct City<'r>(&'r Registry);

impl Neighbourhood for City<'_> {
    fn household_of(&self, person: PersonId) -> &[PersonId] {
        let pop = self.0.population();
        match pop.person(person).and_then(|p| pop.household(p.household())) {
            Ok(h) => h.members(),
            Err(_) => &[],
        }
    }

    fn at_unit_of(&self, person: PersonId, f: &mut dyn FnMut(PersonId)) {
        let pop = self.0.population();
        let Ok(unit) = pop.person(person).and_then(|p| pop.household(p.household())).map(|h| h.unit()) else { return };
        for &h in pop.households_at(unit) {
            if let Ok(h) = pop.household(h) {
                h.members().iter().for_each(|&m| f(m));
            }
        }
    }

    fn is_case(&self, person: PersonId) -> bool {
        self.0.state(person).is_ok_and(|s| matches!(s.state(), State::Confirmed | State::Suspected))
    }
}

impl Registry {
    /// The close and secondary contacts `rule` gives for `index` on `on`, from the exposures
    /// recorded and the register as it is now ([`ContactGraph::derive`]); a read, nothing
    /// placed.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson);
    /// [`ContactError::InvalidRule`].
    ///
    /// # Complexity
    /// O(what the rule reaches), independent of the size of the city.
    pub fn derive_contacts(&self, rule: &ContactRule, index: PersonId, on: NaiveDate) -> Result<Derivation, Error> {
        self.population.person(index)?;
        rule.validate()?;
        Ok(self.contacts.graph.derive(rule, index, on, &City(self)))
    }

    /// The contact graph: exposures and chains.
    pub fn contact_graph(&self) -> &ContactGraph {
        &self.contacts.graph
    }

    /// Every trace made, in order.
    pub fn traces(&self) -> &[Trace] {
        &self.contacts.traces
    }

    /// The chain from `person` back to their index case (`person` first), through the tracing
    /// and then the case links ([`ContactGraph::chain_with`] over [`Registry::case_links`]), or
    /// `None` when they were never traced, traced from nor linked.
    ///
    /// # Example
    /// A confirmed case's household member and bus companion become close contacts, the
    /// companion's household member a secondary contact linked to the companion's case:
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::{PersonState, State};
    /// use wangge::contacts::{ContactRule, Exposure, Place};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::quarantine::Policy;
    ///
    /// let jul = |d| NaiveDate::from_ymd_opt(2022, 7, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let mut household = |reg: &mut Registry, door: &str| -> Result<_, wangge::Error> {
    ///     Ok(reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new(door)? })?[0].new_household().unwrap())
    /// };
    /// let (home, theirs) = (household(&mut reg, "1-101")?, household(&mut reg, "2-202")?);
    /// let mut person = |reg: &mut Registry, household| -> Result<_, wangge::Error> {
    ///     let state = PersonState::well(jul(1));
    ///     Ok(reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })?[0].new_person().unwrap())
    /// };
    /// let (case, spouse) = (person(&mut reg, home)?, person(&mut reg, home)?);
    /// let (companion, child) = (person(&mut reg, theirs)?, person(&mut reg, theirs)?);
    /// let close = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed1_7_close_contact() })?[0].new_policy().unwrap();
    /// let secondary = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_secondary_contact() })?[0].new_policy().unwrap();
    /// reg.apply(Command::OpenDay { today: jul(10) })?;
    /// reg.apply(Command::SetState { person: case, state: State::Confirmed, on: jul(10) })?;
    /// let exposure = Exposure::new(companion, case, jul(8), Place::Transport, None)?;
    /// reg.apply(Command::RecordExposure { exposure })?;
    ///
    /// let rule = ContactRule::cn_ed9();
    /// let events = reg.apply(Command::TraceContacts { index: case, rule, close_policy: close, secondary_policy: Some(secondary), on: jul(10) })?;
    /// assert_eq!(events.len(), 1 + 3); // the trace, then three cases started
    /// assert_eq!(reg.state(spouse)?.state(), State::CloseContact);
    /// assert_eq!(reg.state(child)?.state(), State::SecondaryContact);
    /// assert_eq!(reg.case(reg.active_case(child).unwrap())?.linked(), reg.active_case(companion));
    /// assert_eq!(reg.chain_of(child)?, Some(vec![child, companion, case]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson).
    pub fn chain_of(&self, person: PersonId) -> Result<Option<Vec<PersonId>>, Error> {
        self.population.person(person)?;
        Ok(self.contacts.graph.chain_with(person, &self.case_links()))
    }

    /// The case links 关联个案 of the cases started linked to another person's case and still
    /// linked (by hand, [`Command::StartCase`](super::Command::StartCase) with `linked`, or by
    /// a trace), as (the close contact, the secondary contact), in case order. A secondary
    /// contact converted into a close contact is linked no more: their case waits on nobody.
    ///
    /// # Complexity
    /// O(cases).
    pub fn case_links(&self) -> CaseLinks {
        CaseLinks::new(self.cases().filter_map(|(_, c)| Some((self.case(c.linked()?).ok()?.person(), c.person()))))
    }

    /// The clusters ([`ContactGraph::clusters_with`] the [`Registry::case_links`]) with how
    /// many members live at each unit.
    ///
    /// # Complexity
    /// O(persons met × levels).
    pub fn clusters(&self) -> Vec<ClusterSpan> {
        (self.contacts.graph.clusters_with(&self.case_links()).into_iter())
            .map(|cluster| {
                let mut units: Vec<(UnitId, usize)> = Vec::new();
                for &p in &cluster.members {
                    if let Ok(h) = self.population.person(p).and_then(|p| self.population.household(p.household())) {
                        match units.binary_search_by_key(&h.unit(), |u| u.0) {
                            Ok(i) => units[i].1 += 1,
                            Err(i) => units.insert(i, (h.unit(), 1)),
                        }
                    }
                }
                ClusterSpan { cluster, units }
            })
            .collect()
    }

    /// A cluster's span rolled up to the units of `level` (the communities of a sub-district,
    /// say): how many of its members live under each unit of that level, by unit id. A member
    /// whose household sits at a unit above `level` is counted at that unit.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit) for a span whose units
    /// are not this registry's.
    ///
    /// # Complexity
    /// O(units in the span × levels).
    pub fn span_at(&self, span: &ClusterSpan, level: Level) -> Result<Vec<(UnitId, usize)>, Error> {
        let mut rolled: std::collections::BTreeMap<UnitId, usize> = std::collections::BTreeMap::new();
        for &(unit, n) in &span.units {
            let at = self.tree.ancestor_at(unit, level)?.unwrap_or(unit);
            *rolled.entry(at).or_default() += n;
        }
        Ok(rolled.into_iter().collect())
    }

    /// Whether contact events are this book's.
    pub(super) fn decide_contacts(&self, command: super::Command) -> Result<Event, Error> {
        use super::Command as C;
        match command {
            C::RecordExposure { exposure } => {
                self.check_exposure(&exposure)?;
                Ok(Event::ExposureRecorded { exposure })
            }
            C::TraceContacts { index, rule, close_policy, secondary_policy, on } => Ok(Event::ContactsTraced {
                trace: Box::new(self.trace(index, rule, close_policy, secondary_policy, on)?),
            }),
            other => Err(RegistryError::Mismatch { what: format!("{other:?} is not a contact command") }.into()),
        }
    }

    fn check_exposure(&self, e: &Exposure) -> Result<(), Error> {
        self.population.person(e.contact())?;
        self.population.person(e.source())?;
        if let Some(unit) = e.place().unit() {
            self.tree.check(unit)?;
        }
        if let Some(staff) = e.reported_by()
            && self.staff_member(staff).is_err()
        {
            return Err(ContactError::UnknownReporter { staff }.into());
        }
        Ok(())
    }

    /// The trace of `index`'s contacts by `rule` on `on`: every contact found, and the case
    /// each is under (those under no active case get the next case ids, close contacts first).
    fn trace(
        &self,
        index: PersonId,
        rule: ContactRule,
        close_policy: PolicyId,
        secondary_policy: Option<PolicyId>,
        on: NaiveDate,
    ) -> Result<Trace, Error> {
        let state = self.state(index)?.state();
        if !matches!(state, State::Confirmed | State::Suspected) {
            return Err(ContactError::NotACase { person: index }.into());
        }
        rule.validate()?;
        self.policy(close_policy)?;
        if let Some(p) = secondary_policy {
            self.policy(p)?;
        }
        let Derivation { close, secondary } = self.contacts.graph.derive(&rule, index, on, &City(self));
        if !secondary.is_empty() && secondary_policy.is_none() {
            return Err(ContactError::NoSecondaryPolicy.into());
        }
        let mut next = u32::try_from(self.cases.cases().len()).unwrap_or(u32::MAX);
        let mut place = |d: &Derived| {
            let (case, started) = match self.active_case(d.person) {
                Some(case) => (case, false),
                None => {
                    next = next.saturating_add(1);
                    (CaseId::new(next - 1), true)
                }
            };
            Placed { person: d.person, via: d.via, last_exposure: d.last_exposure, case, started }
        };
        let close: Vec<Placed> = close.iter().map(&mut place).collect();
        let secondary: Vec<Placed> = secondary.iter().map(&mut place).collect();
        Ok(Trace { index, on, rule, close_policy, secondary_policy, close, secondary })
    }

    /// The case events that follow a trace: one [`Event::CaseStarted`] per contact it starts a
    /// case for, close contacts first, each from the state the previous leave. A secondary
    /// contact under a policy with a linked release is linked to the case of the close contact
    /// who reached them, when that case is a close contact's with no positive result.
    pub(super) fn placements(&self, trace: &Trace, out: &mut Vec<Event>) -> Result<(), Error> {
        let mut draft = Draft::default();
        let linked_release = match trace.secondary_policy {
            Some(p) => self.policy(p)?.linked().is_some(),
            None => false,
        };
        let close_case = |via: PersonId| -> Option<CaseId> {
            let placed = trace.close.iter().find(|c| c.person == via)?;
            if placed.started {
                return Some(placed.case);
            }
            let case = self.case(placed.case).ok()?;
            let fit = case.category() == Category::CloseContact
                && case.status().is_active()
                && !case.tests().any(|(_, t)| t == TestResult::Positive);
            fit.then_some(placed.case)
        };
        let levels = [
            (Category::CloseContact, Some(trace.close_policy), &trace.close),
            (Category::SecondaryContact, trace.secondary_policy, &trace.secondary),
        ];
        for (category, policy, placed) in levels {
            for p in placed.iter().filter(|p| p.started) {
                let policy = policy.ok_or(ContactError::NoSecondaryPolicy)?;
                let linked = match (category, linked_release) {
                    (Category::SecondaryContact, true) => close_case(p.via),
                    _ => None,
                };
                let event =
                    self.started_case(&draft, p.case, p.person, policy, category, p.last_exposure, trace.on, linked)?;
                draft.absorb_start(&event);
                out.push(event);
            }
        }
        Ok(())
    }

    /// Check a contact event against the current state. A trace from a log is decided again
    /// and must be the same.
    pub(super) fn check_contacts(&self, event: &Event, origin: super::Origin) -> Result<(), Error> {
        match event {
            Event::ExposureRecorded { exposure } => self.check_exposure(exposure),
            Event::ContactsTraced { trace } => {
                if origin == super::Origin::Log {
                    let again = self.trace(
                        trace.index,
                        trace.rule.clone(),
                        trace.close_policy,
                        trace.secondary_policy,
                        trace.on,
                    )?;
                    if again != **trace {
                        return Err(RegistryError::Mismatch {
                            what: format!("the trace of {} is not what the rule finds", trace.index),
                        }
                        .into());
                    }
                }
                Ok(())
            }
            _ => Err(RegistryError::Mismatch { what: "not a contact event".to_owned() }.into()),
        }
    }

    pub(super) fn commit_contacts(&mut self, event: &Event) {
        match event {
            Event::ExposureRecorded { exposure } => self.contacts.graph.add_exposure(*exposure),
            Event::ContactsTraced { trace } => self.contacts.commit_trace((**trace).clone()),
            _ => {}
        }
    }

    /// The audit of the contact book: every exposure and trace names known persons, units and
    /// staff and is dated no later than the business date; every trace's index was a case and
    /// every placed contact's case names them.
    pub(super) fn contact_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let future = |d: NaiveDate| self.day.is_none_or(|today| d > today);
        for e in self.contacts.graph.exposures() {
            if self.check_exposure(e).is_err() || future(e.on()) {
                found.push(format!(
                    "an exposure of {} names what does not exist, or is dated in the future",
                    e.contact()
                ));
            }
        }
        for t in &self.contacts.traces {
            if future(t.on) || t.rule.validate().is_err() || self.policy(t.close_policy).is_err() {
                found.push(format!("the trace of {} is dated in the future or names no valid rule or policy", t.index));
            }
            for p in t.close.iter().chain(&t.secondary) {
                let ok = self.case(p.case).is_ok_and(|c| c.person() == p.person && (!p.started || c.started() == t.on));
                if !ok || p.person == t.index {
                    found.push(format!("the trace of {} places {} under a case that is not theirs", t.index, p.person));
                }
            }
        }
        found
    }
}
