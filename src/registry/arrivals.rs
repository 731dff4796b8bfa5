//! Arrivals in the registry 返回人员登记: every arrival of a registered person, with the
//! household they lived in, and the counts per unit by origin and by measure, current and
//! cumulative 累计.
//!
//! The rules and the counting are [`crate::arrivals`]'s, pure; this file keeps the records
//! ([`Command::RecordArrival`] → [`Event::ArrivalRecorded`]) and counts those of the
//! households inside a unit. A person counted once in each figure however many times they
//! arrived, or their state changed: the counts read the book, not the states.

use chrono::NaiveDate;
use rustc_hash::FxHashSet;

use super::{Event, Registry};
use crate::arrivals::{Arrival, ArrivalCounts, ArrivalError, ArrivalRecord};
use crate::{Command, Error, PersonId, UnitId};

/// The arrivals kept: every record, in the order recorded, and the (person, date) pairs they
/// hold, so that refusing a second arrival on a date is a look-up, not a scan of the book.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct ArrivalBook {
    pub(super) records: Vec<ArrivalRecord>,
    arrived: FxHashSet<(PersonId, NaiveDate)>,
}

impl ArrivalBook {
    /// The book of a snapshot's records (a duplicate among them is the audit's to report).
    pub(super) fn from_records(records: Vec<ArrivalRecord>) -> Self {
        let arrived = records.iter().map(|r| (r.person, r.arrival.arrived())).collect();
        ArrivalBook { records, arrived }
    }
}

impl Event {
    /// Whether the event is the arrival book's.
    pub(super) fn is_arrival(&self) -> bool {
        matches!(self, Event::ArrivalRecorded { .. })
    }
}

impl Registry {
    /// Every arrival recorded ([`Command::RecordArrival`]), in the order recorded.
    pub fn arrival_records(&self) -> &[ArrivalRecord] {
        &self.arrivals.records
    }

    /// The arrivals of the households inside `unit` (their household when recorded, where
    /// that household is now), counted on `on`: current and cumulative, households and
    /// persons, by origin and by measure.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit) for a unit that does
    /// not exist.
    ///
    /// # Complexity
    /// O(n log n + depth · n) for the n arrivals recorded.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Event, Registry};
    /// use wangge::arrivals::{Arrival, OriginClass, Route};
    /// use wangge::colour::{Measure, PersonState};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("长海路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = match reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0] {
    ///     Event::HouseholdAdded { household, .. } => household,
    ///     _ => unreachable!(),
    /// };
    /// let person = match reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?[0] {
    ///     Event::PersonRegistered { person, .. } => person,
    ///     _ => unreachable!(),
    /// };
    /// let arrival = Arrival::new(OriginClass::KeyArea, Route::new("G1712")?, feb(2), Measure::HomeIsolation, 14)?;
    /// reg.apply(Command::RecordArrival { person, arrival })?;
    /// let counts = reg.arrival_counts(reg.root(), feb(20))?;
    /// assert_eq!(counts.cumulative.by_measure(Measure::HomeIsolation), (1, 1)); // 1户1人
    /// assert_eq!(counts.current.total(), (0, 0)); // released on Feb 16
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn arrival_counts(&self, unit: UnitId, on: NaiveDate) -> Result<ArrivalCounts, Error> {
        self.tree.unit(unit)?;
        let inside = |r: &&ArrivalRecord| {
            self.population.household(r.household).is_ok_and(|h| self.tree.is_within(h.unit(), unit).unwrap_or(false))
        };
        Ok(ArrivalCounts::count(self.arrivals.records.iter().filter(inside), on))
    }

    /// Decide [`Command::RecordArrival`].
    pub(super) fn decide_arrival(&self, command: Command) -> Result<Event, Error> {
        let Command::RecordArrival { person, arrival } = command else {
            return Err(super::RegistryError::Mismatch { what: "not an arrival".into() }.into());
        };
        let household = self.population.person(person)?.household();
        self.check_new_arrival(person, &arrival)?;
        Ok(Event::ArrivalRecorded { person, household, arrival })
    }

    /// Refuse a second arrival of `person` on the same date.
    fn check_new_arrival(&self, person: PersonId, arrival: &Arrival) -> Result<(), Error> {
        let arrived = arrival.arrived();
        if self.arrivals.arrived.contains(&(person, arrived)) {
            return Err(ArrivalError::Duplicate { person, arrived }.into());
        }
        Ok(())
    }

    /// Check an arrival event against the registry: the person exists and lives in the
    /// household named, and has no arrival on that date.
    pub(super) fn check_arrival(&self, event: &Event) -> Result<(), Error> {
        if let Event::ArrivalRecorded { person, household, arrival } = event {
            if self.population.person(*person)?.household() != *household {
                return Err(super::RegistryError::Mismatch {
                    what: format!("{person} does not live in household {household}"),
                }
                .into());
            }
            self.check_new_arrival(*person, arrival)?;
        }
        Ok(())
    }

    /// Apply a checked arrival event.
    pub(super) fn commit_arrival(&mut self, event: &Event) {
        if let Event::ArrivalRecorded { person, household, arrival } = event {
            self.arrivals.arrived.insert((*person, arrival.arrived()));
            self.arrivals.records.push(ArrivalRecord::new(*person, *household, arrival.clone()));
        }
    }

    /// What is wrong with the arrival book of a loaded snapshot: a record naming a person or
    /// household that does not exist, two arrivals of a person on one date, or an arrival
    /// dated after the business date. (A person may have moved since: the household recorded
    /// is where they lived then.)
    pub(super) fn arrival_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, r) in self.arrivals.records.iter().enumerate() {
            if self.population.person(r.person).is_err() {
                found.push(format!("arrival {i} names {}, who does not exist", r.person));
            }
            if self.population.household(r.household).is_err() {
                found.push(format!("arrival {i} names household {}, which does not exist", r.household));
            }
            if !seen.insert((r.person, r.arrival.arrived())) {
                found.push(format!("arrival {i} is a second arrival of {} on {}", r.person, r.arrival.arrived()));
            }
            if let Some(day) = self.day
                && r.arrival.arrived() > day
            {
                found.push(format!("arrival {i} is dated {}, after the business date {day}", r.arrival.arrived()));
            }
        }
        found
    }
}
