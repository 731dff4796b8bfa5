//! Workplaces and rental properties in the registry 复工复产 / 出租屋 (issue 17 §3).
//!
//! The rules are [`crate::firms`]'s, pure; this book keeps every workplace's filing (its status
//! history, checklist, employees and contracted leader) and every rental property with its
//! inspections, decides the six commands ([`Command::ChangeFiling`],
//! [`Command::CheckWorkplace`], [`Command::SetEmployees`], [`Command::ContractWorkplace`],
//! [`Command::MarkRental`], [`Command::InspectRental`]) and counts, per unit, the workplaces by
//! status and their staff back at work. Whether an employee may come to work is read from
//! the registry's colour rule and cases ([`Registry::work_bar`]), never from the state model.

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Event, Registry, RegistryError};
use crate::colour::Colour;
use crate::firms::{
    Contract, Filing, FilingStatus, FirmCounts, FirmError, LEADER_QUALIFICATIONS, Overdue, Premises, Rental,
    StatusChange, WorkBar,
};
use crate::grid::UnitKind;
use crate::{Command, Error, PersonId, StaffId, UnitId};

/// The workplaces' filings and the rental properties a snapshot carries
/// ([`Snapshot::firms`](super::Snapshot::firms)). Empty (and left out of JSON) until a
/// workplace is filed or a property marked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirmsData {
    /// Every filing, in unit order.
    #[serde(default)]
    pub filings: Vec<Filing>,
    /// Every rental property, in premises order.
    #[serde(default)]
    pub rentals: Vec<Rental>,
}

crate::form::serialize_fields!(FirmsData { filings skip_if Vec::is_empty, rentals skip_if Vec::is_empty });

impl FirmsData {
    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.filings.is_empty() && self.rentals.is_empty()
    }

    fn filing_at(&self, unit: UnitId) -> Result<usize, usize> {
        self.filings.binary_search_by_key(&unit, |f| f.unit)
    }

    fn rental_at(&self, premises: Premises) -> Result<usize, usize> {
        self.rentals.binary_search_by_key(&premises, |r| r.premises)
    }
}

/// The firms book.
pub(super) type FirmsBook = FirmsData;

impl Event {
    /// Whether this is an event of the firms book.
    pub(super) fn is_firms(&self) -> bool {
        matches!(
            self,
            Event::FilingChanged { .. }
                | Event::WorkplaceChecked { .. }
                | Event::EmployeesSet { .. }
                | Event::WorkplaceContracted { .. }
                | Event::RentalMarked { .. }
                | Event::RentalInspected { .. }
        )
    }
}

impl Registry {
    /// The filing of a workplace, `None` before anything was recorded for it (it is closed).
    ///
    /// # Complexity
    /// O(log filings).
    pub fn filing(&self, unit: UnitId) -> Option<&Filing> {
        self.firms.filing_at(unit).ok().map(|i| &self.firms.filings[i])
    }

    /// Every filing, in unit order.
    pub fn filings(&self) -> &[Filing] {
        &self.firms.filings
    }

    /// A rental property, `None` when the premises are not marked as rented.
    pub fn rental(&self, premises: Premises) -> Option<&Rental> {
        self.firms.rental_at(premises).ok().map(|i| &self.firms.rentals[i])
    }

    /// Every rental property, in premises order.
    pub fn rentals(&self) -> &[Rental] {
        &self.firms.rentals
    }

    /// Why `person` may not come to work 不得到岗, `None` when they may: their colour under
    /// the rule in force is other than green or white, or they are under an active isolation
    /// case.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson).
    pub fn work_bar(&self, person: PersonId) -> Result<Option<WorkBar>, Error> {
        let state = self.state(person)?;
        if let Some(case) = self.active_case(person) {
            return Ok(Some(WorkBar::Isolation(case)));
        }
        let colour = self.colour_rule().classify([state.state()]);
        Ok(match colour {
            Colour::Green | Colour::White => None,
            other => Some(WorkBar::Colour(other)),
        })
    }

    /// Whether `person` may come to work (an unknown person may not).
    pub(super) fn may_work(&self, person: PersonId) -> bool {
        matches!(self.work_bar(person), Ok(None))
    }

    /// The workplaces inside `unit` (the unit and its descendants) counted by filing status,
    /// unfiled ones as closed, and the staff of the reopened ones back at work or kept away
    /// ([`FirmCounts`]).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// O(s · log f + e) for the s units inside `unit`, f filings and e employees of the
    /// reopened workplaces counted.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::firms::{CheckItem, FilingStatus};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("白杨街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let firm = reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new("某电子厂", levels.level("社区").unwrap(), UnitKind::Workplace) })?[0].new_unit().unwrap();
    /// reg.apply(Command::ChangeFiling { unit: firm, status: FilingStatus::Applied, on: feb(10), source: "网上申报".into() })?;
    /// // Approval is refused while a checklist item is missing.
    /// assert!(reg.apply(Command::ChangeFiling { unit: firm, status: FilingStatus::Approved, on: feb(11), source: String::new() }).is_err());
    /// for item in CheckItem::ALL {
    ///     reg.apply(Command::CheckWorkplace { unit: firm, item, done: true, on: feb(11) })?;
    /// }
    /// reg.apply(Command::ChangeFiling { unit: firm, status: FilingStatus::Approved, on: feb(11), source: String::new() })?;
    /// reg.apply(Command::ChangeFiling { unit: firm, status: FilingStatus::Reopened, on: feb(12), source: String::new() })?;
    /// assert_eq!(reg.firm_counts(reg.root())?.of(FilingStatus::Reopened), 1);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn firm_counts(&self, unit: UnitId) -> Result<FirmCounts, Error> {
        self.firm_counts_by(unit, |p| self.may_work(p))
    }

    /// [`Registry::firm_counts`] with `may_work` judging each registered employee.
    pub(super) fn firm_counts_by(
        &self,
        unit: UnitId,
        may_work: impl Fn(PersonId) -> bool,
    ) -> Result<FirmCounts, Error> {
        let mut counts = FirmCounts::default();
        for u in self.tree.subtree(unit)? {
            if self.tree.unit(u).is_ok_and(|u| u.kind() == UnitKind::Workplace && u.is_open()) {
                counts.add(self.filing(u), &may_work);
            }
        }
        Ok(counts)
    }

    /// The workplaces inside `unit` that are approved or reopened while a registered
    /// employee may not come to work, each with those employees: the ones to suspend or to
    /// keep the employee away from (停工整顿 when an employee turns red).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn workplaces_at_risk(&self, unit: UnitId) -> Result<Vec<(UnitId, Vec<PersonId>)>, Error> {
        self.tree.unit(unit)?;
        let mut found = Vec::new();
        for f in &self.firms.filings {
            if matches!(f.status(), FilingStatus::Approved | FilingStatus::Reopened)
                && self.tree.is_within(f.unit, unit).unwrap_or(false)
            {
                let barred: Vec<PersonId> = f.employees.iter().copied().filter(|p| !self.may_work(*p)).collect();
                if !barred.is_empty() {
                    found.push((f.unit, barred));
                }
            }
        }
        Ok(found)
    }

    /// The rental properties inside `unit` whose next inspection, `every` days after the
    /// last ([`Rental::due`]), was owed before `on`, in premises order.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub fn overdue_rentals(&self, unit: UnitId, on: NaiveDate, every: u32) -> Result<Vec<Overdue>, Error> {
        self.tree.unit(unit)?;
        Ok(self.overdue_where(on, every, |u| self.tree.is_within(u, unit).unwrap_or(false)))
    }

    /// The overdue rental properties whose unit passes `inside`.
    pub(super) fn overdue_where(&self, on: NaiveDate, every: u32, inside: impl Fn(UnitId) -> bool) -> Vec<Overdue> {
        let mut found = Vec::new();
        for r in &self.firms.rentals {
            let Some(unit) = self.premises_unit(r.premises) else { continue };
            if !inside(unit) {
                continue;
            }
            if let Some(due) = r.due(every)
                && due < on
            {
                found.push(Overdue { premises: r.premises, due });
            }
        }
        found
    }

    /// The unit the premises are in: the unit itself, or the household's unit.
    pub(super) fn premises_unit(&self, premises: Premises) -> Option<UnitId> {
        match premises {
            Premises::Unit(u) => self.tree.contains(u).then_some(u),
            Premises::Household(h) => self.population.household(h).ok().map(|h| h.unit()),
        }
    }

    /// Refuse a unit that is not an open workplace.
    fn check_workplace(&self, unit: UnitId) -> Result<(), Error> {
        let u = self.tree.unit(unit)?;
        if u.kind() != UnitKind::Workplace {
            return Err(FirmError::NotAWorkplace { unit }.into());
        }
        if let Some(on) = u.closed_on() {
            return Err(crate::grid::GridError::UnitClosed { unit, on }.into());
        }
        Ok(())
    }

    /// The filing of `unit`, or a new one.
    fn filing_or_new(&self, unit: UnitId) -> Filing {
        self.filing(unit).cloned().unwrap_or_else(|| Filing::new(unit))
    }

    /// Refuse a leader who is not a leading cadre of the pool.
    fn check_leader(&self, leader: StaffId) -> Result<(), Error> {
        let q = self.staff_member(leader)?.qualifications();
        if LEADER_QUALIFICATIONS.iter().any(|l| q.contains(*l)) {
            Ok(())
        } else {
            Err(FirmError::NotALeader { staff: leader }.into())
        }
    }

    /// Decide a command of the firms book.
    pub(super) fn decide_firms(&self, command: Command) -> Result<Event, Error> {
        let event = match command {
            Command::ChangeFiling { unit, status, on, source } => {
                Event::FilingChanged { unit, change: StatusChange { status, on, source } }
            }
            Command::CheckWorkplace { unit, item, done, on } => Event::WorkplaceChecked { unit, item, done, on },
            Command::SetEmployees { unit, add, remove, outside, on } => {
                Event::EmployeesSet { unit, add, remove, outside, on }
            }
            Command::ContractWorkplace { unit, leader, on } => {
                Event::WorkplaceContracted { unit, contract: Contract { leader, since: on } }
            }
            Command::MarkRental { premises, landlord, on } => Event::RentalMarked { premises, landlord, on },
            Command::InspectRental { premises, inspection } => Event::RentalInspected { premises, inspection },
            _ => return Err(RegistryError::Mismatch { what: "not a command of the firms book".into() }.into()),
        };
        self.check_firms(&event)?;
        Ok(event)
    }

    /// Check an event of the firms book against the registry.
    pub(super) fn check_firms(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::FilingChanged { unit, change } => {
                self.check_workplace(*unit)?;
                self.filing_or_new(*unit).check_change(change.status, change.on, &change.source)?;
            }
            Event::WorkplaceChecked { unit, item, done, .. } => {
                self.check_workplace(*unit)?;
                if self.filing_or_new(*unit).checklist.done(*item) == *done {
                    return Err(FirmError::ItemUnchanged { unit: *unit, item: *item }.into());
                }
            }
            Event::EmployeesSet { unit, add, remove, .. } => {
                self.check_workplace(*unit)?;
                let filing = self.filing_or_new(*unit);
                let mut seen = std::collections::BTreeSet::new();
                for person in add.iter().chain(remove) {
                    self.population.person(*person)?;
                    if !seen.insert(*person) {
                        return Err(FirmError::Employee { unit: *unit, person: *person }.into());
                    }
                }
                for (persons, employed) in [(add, false), (remove, true)] {
                    if let Some(p) = persons.iter().find(|p| filing.employs(**p) != employed) {
                        return Err(FirmError::Employee { unit: *unit, person: *p }.into());
                    }
                }
            }
            Event::WorkplaceContracted { unit, contract } => {
                self.check_workplace(*unit)?;
                self.check_leader(contract.leader)?;
            }
            Event::RentalMarked { premises, .. } => {
                match *premises {
                    Premises::Unit(u) => self.tree.check_holds_households(u)?,
                    Premises::Household(h) => drop(self.population.household(h)?),
                }
                if self.rental(*premises).is_some() {
                    return Err(FirmError::AlreadyRented { premises: *premises }.into());
                }
            }
            Event::RentalInspected { premises, inspection } => {
                let rental = self.rental(*premises).ok_or(FirmError::NotRented { premises: *premises })?;
                self.staff_member(inspection.by)?;
                let last = rental.last_inspected().unwrap_or(rental.since);
                if inspection.on < last {
                    let what = format!("an inspection on {} is dated before {last}", inspection.on);
                    return Err(FirmError::Rental { premises: *premises, what }.into());
                }
            }
            _ => return Err(RegistryError::Mismatch { what: "not an event of the firms book".into() }.into()),
        }
        Ok(())
    }

    /// Apply a checked event of the firms book.
    pub(super) fn commit_firms(&mut self, event: &Event) {
        let unit = match event {
            Event::FilingChanged { unit, .. }
            | Event::WorkplaceChecked { unit, .. }
            | Event::EmployeesSet { unit, .. }
            | Event::WorkplaceContracted { unit, .. } => *unit,
            Event::RentalMarked { premises, landlord, on } => {
                if let Err(at) = self.firms.rental_at(*premises) {
                    let rental =
                        Rental { premises: *premises, landlord: landlord.clone(), since: *on, inspections: Vec::new() };
                    self.firms.rentals.insert(at, rental);
                }
                return;
            }
            Event::RentalInspected { premises, inspection } => {
                if let Ok(at) = self.firms.rental_at(*premises) {
                    self.firms.rentals[at].inspections.push(*inspection);
                }
                return;
            }
            _ => return,
        };
        let at = match self.firms.filing_at(unit) {
            Ok(at) => at,
            Err(at) => {
                self.firms.filings.insert(at, Filing::new(unit));
                at
            }
        };
        let filing = &mut self.firms.filings[at];
        match event {
            Event::FilingChanged { change, .. } => filing.history.push(change.clone()),
            Event::WorkplaceChecked { item, done, .. } => filing.checklist = filing.checklist.with(*item, *done),
            Event::EmployeesSet { add, remove, outside, .. } => {
                filing.employees.retain(|p| !remove.contains(p));
                filing.employees.extend(add);
                filing.employees.sort_unstable();
                filing.outside = *outside;
            }
            Event::WorkplaceContracted { contract, .. } => filing.leader = Some(*contract),
            _ => {}
        }
    }

    /// What is wrong with the firms book of a loaded snapshot: filings or rentals out of
    /// order or twice, a filing of a unit that is not a workplace, a history no sequence of
    /// changes makes (a transition the table refuses, dates going back), employees who do not
    /// exist or are listed twice, a leader who is not a leading cadre, premises that do not
    /// exist, inspections out of order or by unknown staff, anything after the business date.
    pub(super) fn firms_problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        let after = |d: NaiveDate| self.day.is_some_and(|day| d > day);
        for (i, f) in self.firms.filings.iter().enumerate() {
            if i > 0 && self.firms.filings[i - 1].unit >= f.unit {
                found.push(format!("filing {i} of {} is out of unit order", f.unit));
            }
            if !self.tree.unit(f.unit).is_ok_and(|u| u.kind() == UnitKind::Workplace) {
                found.push(format!("filing {i} names {}, which is not a workplace", f.unit));
            }
            let mut from = FilingStatus::Closed;
            let mut last: Option<NaiveDate> = None;
            for c in &f.history {
                if !from.may_become(c.status) {
                    found.push(format!("filing {i} goes from {from} to {}", c.status));
                }
                if last.is_some_and(|l| c.on < l) || after(c.on) {
                    found.push(format!("filing {i} has a change on {} out of order or after the business date", c.on));
                }
                if crate::text::bad_source(&c.source, crate::firms::MAX_SOURCE_CHARS).is_some() {
                    found.push(format!("filing {i} has a bad source"));
                }
                (from, last) = (c.status, Some(c.on));
            }
            if f.employees.windows(2).any(|w| w[0] >= w[1]) {
                found.push(format!("filing {i}'s employees are out of order or listed twice"));
            }
            if let Some(p) = f.employees.iter().find(|p| self.population.person(**p).is_err()) {
                found.push(format!("filing {i} employs {p}, who does not exist"));
            }
            if let Some(c) = f.leader
                && (self.check_leader(c.leader).is_err() || after(c.since))
            {
                found.push(format!(
                    "filing {i}'s leader {} is not a leading cadre of the pool, or dated later",
                    c.leader
                ));
            }
        }
        for (i, r) in self.firms.rentals.iter().enumerate() {
            if i > 0 && self.firms.rentals[i - 1].premises >= r.premises {
                found.push(format!("rental {i} ({}) is out of order", r.premises));
            }
            let exists = match r.premises {
                Premises::Unit(u) => self.tree.unit(u).is_ok_and(|u| u.kind().holds_residents()),
                Premises::Household(h) => self.population.household(h).is_ok(),
            };
            if !exists {
                found.push(format!("rental {i} names {}, which does not exist or holds no residents", r.premises));
            }
            if after(r.since) {
                found.push(format!("rental {i} is marked after the business date"));
            }
            let mut last = r.since;
            for x in &r.inspections {
                if x.on < last || after(x.on) || self.staff_member(x.by).is_err() {
                    found.push(format!(
                        "rental {i} has an inspection on {} out of order, later, or by unknown staff",
                        x.on
                    ));
                }
                last = x.on;
            }
        }
        found
    }
}
