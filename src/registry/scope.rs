//! Scopes 管辖范围: views of a registry limited to one or more subtrees, for reads
//! ([`Scope`]) and for writes ([`Registry::apply_within`], ruled by [`Scope::check_command`]).
//!
//! A host makes a scope from the units a user is responsible for (a grid worker's grid, a
//! party secretary's community, the sub-district's root) on each request. Reads through it
//! answer as if nothing outside existed: an id outside is refused exactly as an id that does
//! not exist, a look-up by code or identity number finds nobody. Writes are checked against
//! the same boundary before the command is applied, and refused with
//! [`RegistryError::OutsideScope`].

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::record::Decided;
use super::{Command, Counts, Coverage, Event, Registry, RegistryError, Responsible, Subject};
use crate::colour::{Colour, ColourMap, PersonState, Tally};
use crate::duty::{Assignment, DutyError, Roster, Staff, Target};
use crate::grid::{GridError, Unit};
use crate::people::{Household, PeopleError, Person, ResidentId};
use crate::quarantine::{Agenda, Case, CaseError, Link, TestResult};
use crate::work::{Task, TaskSubject, Workday};
use crate::{CaseId, CellId, Error, HouseholdId, PersonId, SchemeId, StaffId, UnitId};

/// A person a scoped read of the contact graph names: inside the scope, by id; outside, only
/// that someone is there (密接在外: a contact exists elsewhere), nothing of who.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Seen {
    /// A person inside the scope.
    Here(PersonId),
    /// Someone outside the scope.
    Elsewhere,
}

/// Something asked for through a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeItem {
    /// A unit.
    Unit(UnitId),
    /// A household.
    Household(HouseholdId),
    /// A person.
    Person(PersonId),
    /// An overlay cell (outside unless every unit of it lies inside).
    Cell(CellId),
    /// A staff member (inside when their home unit is).
    Staff(StaffId),
}

impl std::fmt::Display for ScopeItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScopeItem::Unit(u) => write!(f, "unit {u}"),
            ScopeItem::Household(h) => write!(f, "household {h}"),
            ScopeItem::Person(p) => write!(f, "person {p}"),
            ScopeItem::Cell(c) => write!(f, "cell {c}"),
            ScopeItem::Staff(s) => write!(f, "staff member {s}"),
        }
    }
}

/// A read-only view of a registry limited to the subtrees of its roots: a grid worker's grid,
/// a party secretary's community.
///
/// Every query answers as if the registry held only what lies inside (a scoped user learns
/// nothing about the rest): asking for a unit, household, person, case, cell or staff member
/// outside gives the same error, with the same message, as asking for an id that does not
/// exist at all, and a look-up by code or resident identity number that would find someone
/// outside finds nobody. Ancestors stop at the scope's roots, whose parents are hidden. Writes
/// go through [`Registry::apply_within`], which refuses what [`Scope::check_command`] refuses.
///
/// A unit is inside when it lies in a root's subtree; a household when its unit is; a person
/// when their household is; a case when its person is; a staff member when their home unit is;
/// a cell when every unit of it is; a target when its unit, cell or person is.
///
/// # Every method, and what it answers for what is not inside
/// | method | inside | outside, or no such id (the same answer) | time |
/// |---|---|---|---|
/// | [`roots`](Scope::roots) | the roots | — | O(1) |
/// | [`contains`](Scope::contains) | `true` | `false` | O(membership) |
/// | [`check`](Scope::check), [`unit`](Scope::unit), [`children`](Scope::children), [`subtree`](Scope::subtree), [`counts`](Scope::counts), [`tally`](Scope::tally), [`map`](Scope::map), [`households_at`](Scope::households_at) | the unit's | [`GridError::UnknownUnit`] | O(membership) + the read |
/// | [`parent`](Scope::parent) | the parent; `None` for a root | [`GridError::UnknownUnit`] | O(membership) |
/// | [`ancestors`](Scope::ancestors) | those inside | [`GridError::UnknownUnit`] | O(depth × membership) |
/// | [`lowest_common_ancestor`](Scope::lowest_common_ancestor) | the ancestor; `None` when the two lie under different roots | [`GridError::UnknownUnit`] for the first unit not inside | O(depth + membership) |
/// | [`find_by_code`](Scope::find_by_code) | `Some(unit)` | `None` | a hash look-up + O(membership) |
/// | [`cell_tally`](Scope::cell_tally) | the tally | [`GridError::UnknownCell`] (a cell with any unit outside is not inside) | O(units of the cell × membership) |
/// | [`household`](Scope::household), [`colour`](Scope::colour) | the household's | [`PeopleError::UnknownHousehold`] | O(membership) |
/// | [`person`](Scope::person), [`state`](Scope::state) | the person's | [`PeopleError::UnknownPerson`] | O(membership) |
/// | [`find_resident`](Scope::find_resident) | `Some(person)` | `None` | a hash look-up + O(membership) |
/// | [`case`](Scope::case) | the case | [`CaseError::UnknownCase`] | O(membership) |
/// | [`responsible_for`](Scope::responsible_for) | the holders (those of units above the roots included, as a district leader) | as [`check`](Scope::check), [`household`](Scope::household) or [`person`](Scope::person) for the subject | O(membership) + [`Registry::responsible_for`] |
/// | [`staff_member`](Scope::staff_member) | the member | [`DutyError::UnknownStaff`] | O(membership) |
/// | [`load`](Scope::load) | their assignments for targets inside | [`DutyError::UnknownStaff`] | O(assignments of the scheme) |
/// | [`roster`](Scope::roster) | the assignments for targets inside | — | O(assignments of the scheme) |
/// | [`duty_coverage`](Scope::duty_coverage) | targets inside, holders' loads counted inside | — | O(targets inside + assignments of the scheme) |
/// | [`units`](Scope::units), [`households`](Scope::households), [`persons`](Scope::persons), [`totals`](Scope::totals), [`total_tally`](Scope::total_tally), [`agenda`](Scope::agenda) | what lies inside | — | O(what lies inside) (the agenda: O(the city's agenda)) |
/// | [`traced_from`](Scope::traced_from), [`traced_via`](Scope::traced_via), [`chain_of`](Scope::chain_of) | those inside by id, each outside as [`Seen::Elsewhere`] | [`PeopleError::UnknownPerson`] | O(membership × persons linked) |
/// | [`check_command`](Scope::check_command) | `Ok` | [`RegistryError::OutsideScope`] for an id that exists outside, the unknown-id error for one that does not: writes, unlike reads, tell the two apart | see there |
///
/// The errors that do not depend on the scope are the registry's own: an unknown scheme
/// ([`DutyError::UnknownScheme`]; schemes, policies and overlays are shared by the whole city).
/// "O(membership)" is the cost of [`Scope::contains`]; it is paid whether the id is unknown,
/// outside or inside, save that an id the registry does not have skips it, which is no slower
/// in order. What a scope does not hide: the ids and roles of staff living outside who hold
/// roles inside or above (they are responsible for the user's units), and the shared rules.
///
/// # Example
/// ```
/// use wangge::{Registry, Command, Event, Error, UnitId};
/// use wangge::grid::{GridError, LevelScheme, NewUnit, UnitKind};
///
/// let scheme = LevelScheme::zhengzhou();
/// let lv = |n: &str| scheme.level(n).unwrap();
/// let mut reg = Registry::new(scheme.clone(), NewUnit::new("Huayuan Road", lv("街道"), UnitKind::Area))?;
/// let mut community = |reg: &mut Registry, name: &str| -> Result<_, Error> {
///     let e = reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new(name, lv("社区"), UnitKind::Area) })?;
///     let Event::UnitAdded { unit, .. } = e[0] else { unreachable!() };
///     Ok(unit)
/// };
/// let (a, b) = (community(&mut reg, "A")?, community(&mut reg, "B")?);
/// let scope = reg.scope(&[a])?;
/// assert!(scope.unit(a).is_ok());
/// // b lies outside: it is refused as a unit that does not exist is, message and all.
/// let refusal = |u| scope.unit(u).map(|_| ()).unwrap_err();
/// assert_eq!(refusal(b), Error::Grid(GridError::UnknownUnit { unit: b }));
/// assert_eq!(refusal(UnitId::new(99)).to_string().replace("99", &b.get().to_string()), refusal(b).to_string());
/// assert_eq!(scope.parent(a)?, None);
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scope<'r> {
    registry: &'r Registry,
    roots: Vec<UnitId>,
}

impl<'r> Scope<'r> {
    pub(super) fn new(registry: &'r Registry, roots: &[UnitId]) -> Result<Self, Error> {
        if roots.is_empty() {
            return Err(RegistryError::EmptyScope.into());
        }
        let tree = registry.tree();
        for &r in roots {
            tree.check(r)?;
        }
        // Keep only roots not inside another root, once each, in id order: a root is inside
        // another exactly when one of its ancestors is a root (O(levels) look-ups each).
        let mut given: Vec<UnitId> = roots.to_vec();
        given.sort_unstable();
        given.dedup();
        let is_root = |u: &UnitId| given.binary_search(u).is_ok();
        let kept: Vec<UnitId> = (given.iter().copied())
            .filter(|&r| tree.ancestors(r).is_ok_and(|mut above| !above.any(|a| is_root(&a))))
            .collect();
        Ok(Scope { registry, roots: kept })
    }

    /// The roots of the scope: disjoint subtrees, by increasing id.
    pub fn roots(&self) -> &[UnitId] {
        &self.roots
    }

    /// Whether `unit` lies inside the scope. False for units the registry does not have.
    ///
    /// # Complexity
    /// O(levels × log roots): the unit or one of its ancestors is a root.
    pub fn contains(&self, unit: UnitId) -> bool {
        let is_root = |u: UnitId| self.roots.binary_search(&u).is_ok();
        match self.registry.tree().ancestors(unit) {
            Ok(mut above) => is_root(unit) || above.any(is_root),
            Err(_) => false,
        }
    }

    /// Refuse a unit that is not inside the scope: one outside is refused exactly as one the
    /// registry does not have.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`] naming `unit`, whether it lies outside or does not exist.
    ///
    /// # Complexity
    /// That of [`Scope::contains`], either way.
    pub fn check(&self, unit: UnitId) -> Result<(), Error> {
        if self.contains(unit) { Ok(()) } else { Err(GridError::UnknownUnit { unit }.into()) }
    }

    /// Refuse a unit a command names: unknown ([`GridError::UnknownUnit`]), or outside
    /// ([`RegistryError::OutsideScope`]); the rule of writes, see [`Scope::check_command`].
    fn writable(&self, unit: UnitId) -> Result<(), Error> {
        self.registry.tree().check(unit)?;
        if self.contains(unit) {
            Ok(())
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Unit(unit) }.into())
        }
    }

    /// The unit's attributes.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn unit(&self, unit: UnitId) -> Result<&'r Unit, Error> {
        self.check(unit)?;
        Ok(self.registry.tree().unit(unit)?)
    }

    /// The unit's parent, `None` for a root of the scope (its parent lies outside).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn parent(&self, unit: UnitId) -> Result<Option<UnitId>, Error> {
        self.check(unit)?;
        if self.roots.binary_search(&unit).is_ok() {
            return Ok(None);
        }
        Ok(self.registry.tree().parent(unit)?)
    }

    /// The unit's children (all inside the scope, since the unit is).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn children(&self, unit: UnitId) -> Result<&'r [UnitId], Error> {
        self.check(unit)?;
        Ok(self.registry.tree().children(unit)?)
    }

    /// The unit's ancestors inside the scope, outermost first.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn ancestors(&self, unit: UnitId) -> Result<Vec<UnitId>, Error> {
        self.check(unit)?;
        Ok(self.registry.tree().ancestors(unit)?.filter(|&a| self.contains(a)).collect())
    }

    /// The unit and everything below it, in pre-order.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn subtree(&self, unit: UnitId) -> Result<crate::grid::Subtree<'r>, Error> {
        self.check(unit)?;
        Ok(self.registry.tree().subtree(unit)?)
    }

    /// Every unit inside the scope, root by root, each in pre-order.
    pub fn units(&self) -> impl Iterator<Item = UnitId> + '_ {
        let tree = self.registry.tree();
        self.roots.iter().flat_map(move |&r| tree.subtree(r).into_iter().flatten())
    }

    /// The lowest common ancestor of two units, `None` when the two lie in different roots of
    /// the scope (their common ancestors lie outside: as if the scope were a forest).
    ///
    /// # Errors
    /// As [`Scope::check`] for either unit.
    pub fn lowest_common_ancestor(&self, a: UnitId, b: UnitId) -> Result<Option<UnitId>, Error> {
        self.check(a)?;
        self.check(b)?;
        let lca = self.registry.tree().lowest_common_ancestor(a, b)?;
        Ok(self.contains(lca).then_some(lca))
    }

    /// The unit with this code, `None` when no unit inside has it (none has it, or the one
    /// that has lies outside: the two answers are the same).
    ///
    /// # Complexity
    /// A hash look-up, then [`Scope::contains`] when a unit has the code.
    pub fn find_by_code(&self, code: &str) -> Option<UnitId> {
        self.registry.tree().find_by_code(code).filter(|&u| self.contains(u))
    }

    /// Households and persons inside `unit`.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn counts(&self, unit: UnitId) -> Result<Counts, Error> {
        self.check(unit)?;
        self.registry.counts(unit)
    }

    /// Households and persons inside the whole scope.
    pub fn totals(&self) -> Counts {
        self.roots.iter().filter_map(|&r| self.registry.counts(r).ok()).sum()
    }

    /// The colour tally of everything inside `unit`.
    ///
    /// # Errors
    /// As [`Scope::check`].
    ///
    /// # Complexity
    /// O(1) after the check.
    pub fn tally(&self, unit: UnitId) -> Result<&'r Tally, Error> {
        self.check(unit)?;
        self.registry.tally(unit)
    }

    /// Persons per measure inside `unit` ([`Registry::measures`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn measures(&self, unit: UnitId) -> Result<crate::colour::MeasureCounts, Error> {
        self.check(unit)?;
        self.registry.measures(unit)
    }

    /// The arrivals of the households inside `unit`, counted on `on`
    /// ([`Registry::arrival_counts`]).
    ///
    /// # Errors
    /// As [`Scope::check`]: a unit outside reads as unknown.
    pub fn arrival_counts(&self, unit: UnitId, on: NaiveDate) -> Result<crate::arrivals::ArrivalCounts, Error> {
        self.check(unit)?;
        self.registry.arrival_counts(unit, on)
    }

    /// The arrivals of the households inside the whole scope, counted on `on`: each person
    /// once, even one whose arrivals were recorded in households under two of its roots.
    ///
    /// # Complexity
    /// O(n · (levels × log roots) + n log n) for the n arrivals recorded.
    pub fn total_arrival_counts(&self, on: NaiveDate) -> crate::arrivals::ArrivalCounts {
        let reg = self.registry;
        let inside = |r: &&crate::arrivals::ArrivalRecord| {
            reg.population().household(r.household).is_ok_and(|h| self.contains(h.unit()))
        };
        crate::arrivals::ArrivalCounts::count(reg.arrival_records().iter().filter(inside), on)
    }

    /// The colour tally of the whole scope: the merge of its roots' tallies.
    pub fn total_tally(&self) -> Tally {
        self.roots.iter().filter_map(|&r| self.registry.tally(r).ok()).sum()
    }

    /// The colour tally of a cell whose units all lie inside the scope.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`] naming `cell`, whether it has a unit outside or does not
    /// exist.
    pub fn cell_tally(&self, cell: CellId) -> Result<&'r Tally, Error> {
        self.cell_inside(cell)?;
        self.registry.cell_tally(cell)
    }

    /// Refuse a cell that is not inside (unknown, or with a unit outside) as unknown.
    fn cell_inside(&self, cell: CellId) -> Result<(), Error> {
        match self.registry.overlays().cell(cell) {
            Ok(c) if c.units().iter().all(|&u| self.contains(u)) => Ok(()),
            _ => Err(GridError::UnknownCell { cell }.into()),
        }
    }

    /// Refuse a cell a command names: unknown, or with a unit outside
    /// ([`RegistryError::OutsideScope`]).
    fn writable_cell(&self, cell: CellId) -> Result<(), Error> {
        let units = self.registry.overlays().cell(cell)?.units();
        if units.iter().all(|&u| self.contains(u)) {
            Ok(())
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Cell(cell) }.into())
        }
    }

    /// The colour of a household inside the scope.
    ///
    /// # Errors
    /// As [`Scope::household`].
    pub fn colour(&self, household: HouseholdId) -> Result<Colour, Error> {
        self.household(household)?;
        self.registry.colour(household)
    }

    /// The state of a person inside the scope.
    ///
    /// # Errors
    /// As [`Scope::person`].
    pub fn state(&self, person: PersonId) -> Result<PersonState, Error> {
        self.person(person)?;
        self.registry.state(person)
    }

    /// The standing of a person inside the scope; see [`Registry::standing`].
    ///
    /// # Errors
    /// As [`Scope::person`].
    pub fn standing(&self, person: PersonId) -> Result<crate::colour::Standing, Error> {
        self.person(person)?;
        self.registry.standing(person)
    }

    /// The courtyard map of a unit inside the scope; see [`Registry::map`].
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn map(&self, unit: UnitId, date: NaiveDate) -> Result<ColourMap, Error> {
        self.check(unit)?;
        self.registry.map(unit, date)
    }

    /// The daily agenda for `date` of the households inside the scope; see
    /// [`Registry::agenda`].
    pub fn agenda(&self, date: NaiveDate) -> Agenda {
        let mut agenda = self.registry.agenda(date);
        agenda.retain(|unit| self.contains(unit));
        agenda
    }

    /// The day's work inside the scope: [`Registry::workday`] keeping the tasks whose unit
    /// lies inside. Routing is the city's (a holder's load counts their tasks everywhere),
    /// but nothing outside is shown.
    pub fn workday(&self, date: NaiveDate) -> Workday {
        let mut day = self.registry.workday(date);
        day.retain(|unit| self.contains(unit));
        day
    }

    /// A screening campaign's progress inside `unit` ([`Registry::campaign_progress`]), for a
    /// unit inside the scope.
    ///
    /// # Errors
    /// As [`Scope::check`]; [`ScreenError::UnknownCampaign`](crate::screen::ScreenError::UnknownCampaign).
    pub fn campaign_progress(
        &self,
        campaign: crate::screen::CampaignId,
        unit: UnitId,
    ) -> Result<crate::screen::Progress, Error> {
        self.check(unit)?;
        self.registry.campaign_progress(campaign, unit)
    }

    // Issue 17 §1: checkpoints, closed entrances, shift rosters.
    /// The checkpoints whose entrance lies inside the scope, in entrance order
    /// ([`Registry::checkpoints`]).
    pub fn checkpoints(&self) -> Vec<&'r crate::gates::Checkpoint> {
        self.registry.checkpoints().iter().filter(|c| self.check(c.entrance()).is_ok()).collect()
    }

    /// The checkpoint at an entrance inside the scope ([`Registry::checkpoint`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn checkpoint(&self, entrance: UnitId) -> Result<Option<&'r crate::gates::Checkpoint>, Error> {
        self.check(entrance)?;
        Ok(self.registry.checkpoint(entrance))
    }

    /// The compounds inside the scope under the one-entrance rule with more than one open
    /// entrance ([`Registry::one_entrance_breaches`]), naming only the entrances inside it.
    pub fn one_entrance_breaches(&self) -> Vec<crate::gates::OneWayBreach> {
        let mut found = self.registry.one_entrance_breaches();
        found.retain(|b| self.check(b.compound).is_ok());
        for b in &mut found {
            b.open.retain(|u| self.check(*u).is_ok());
        }
        found
    }

    /// Coverage by hour of the roster spanning `date` over the checkpoints inside `area`
    /// ([`Registry::gate_coverage_within`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn gate_coverage_within(&self, date: NaiveDate, area: UnitId) -> Result<Option<crate::gates::Coverage>, Error> {
        self.check(area)?;
        self.registry.gate_coverage_within(date, area)
    }

    // Issue 17 §3: workplaces and rental properties.
    /// The filing of a workplace inside the scope ([`Registry::filing`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn filing(&self, unit: UnitId) -> Result<Option<&'r crate::firms::Filing>, Error> {
        self.check(unit)?;
        Ok(self.registry.filing(unit))
    }

    /// The workplaces inside `unit` by filing status and their staff back at work
    /// ([`Registry::firm_counts`]). An employee who lives outside the scope is counted back
    /// at work, as one who does not live here: the scope learns nothing of their colour.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn firm_counts(&self, unit: UnitId) -> Result<crate::firms::FirmCounts, Error> {
        self.check(unit)?;
        let reg = self.registry;
        reg.firm_counts_by(unit, |p| self.person(p).is_err() || reg.may_work(p))
    }

    /// The workplaces of the whole scope by filing status and their staff back at work: the
    /// merge of its roots' counts ([`Scope::firm_counts`]).
    ///
    /// # Complexity
    /// That of [`Registry::firm_counts`] over each root.
    pub fn total_firm_counts(&self) -> crate::firms::FirmCounts {
        let mut total = crate::firms::FirmCounts::default();
        for counts in self.roots.iter().filter_map(|&r| self.firm_counts(r).ok()) {
            total.merge(&counts);
        }
        total
    }

    /// The workplaces inside `unit` approved or reopened with an employee who may not come
    /// to work ([`Registry::workplaces_at_risk`]), naming only the employees inside the scope.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn workplaces_at_risk(&self, unit: UnitId) -> Result<Vec<(UnitId, Vec<PersonId>)>, Error> {
        self.check(unit)?;
        let mut found = self.registry.workplaces_at_risk(unit)?;
        for (_, persons) in &mut found {
            persons.retain(|p| self.person(*p).is_ok());
        }
        Ok(found)
    }

    /// The rental properties inside `unit` whose inspection is overdue
    /// ([`Registry::overdue_rentals`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn overdue_rentals(
        &self,
        unit: UnitId,
        on: NaiveDate,
        every: u32,
    ) -> Result<Vec<crate::firms::Overdue>, Error> {
        self.check(unit)?;
        self.registry.overdue_rentals(unit, on, every)
    }

    /// A traced batch's report inside the scope 批次报告: [`Registry::traced_report`] keeping
    /// the rows whose unit (their person's, or where they were routed) lies inside, counted
    /// among themselves; a row of no unit (bad, not found here) only for a scope holding the
    /// root. The rows keep their positions in the batch; nothing of a row outside is shown.
    ///
    /// # Errors
    /// [`TraceError::UnknownBatch`](crate::trace::TraceError::UnknownBatch).
    pub fn traced_report(&self, batch: crate::trace::BatchId) -> Result<crate::trace::BatchReport, Error> {
        let root = self.contains(self.registry.root());
        self.registry.traced_report_where(batch, |unit| unit.map_or(root, |u| self.contains(u)))
    }

    /// The traced rows of every batch inside `unit` ([`Registry::traced_tally`]), for a unit
    /// inside the scope.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn traced_tally(&self, unit: UnitId) -> Result<crate::trace::TraceTally, Error> {
        self.check(unit)?;
        self.registry.traced_tally(unit)
    }

    /// The tasks of `date` inside the scope that nobody can take: gaps, each with its reason.
    pub fn unassigned(&self, date: NaiveDate) -> Vec<Task> {
        self.workday(date).unassigned().cloned().collect()
    }

    /// How well `scheme` covers the scope on `date`: [`Registry::duty_coverage`] over its
    /// roots, except that each holder's load counts only their assignments for targets inside
    /// ([`Scope::load`]): what they carry outside is not shown.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`].
    ///
    /// # Complexity
    /// That of [`Registry::duty_coverage`] over the roots, plus O(assignments of the scheme).
    pub fn duty_coverage(&self, scheme: SchemeId, date: NaiveDate) -> Result<Coverage, Error> {
        let mut report = self.registry.coverage_of(scheme, &self.roots, date)?;
        report.loads.iter_mut().for_each(|l| l.load = 0);
        for (target, staff) in self.registry.holdings(scheme)? {
            if let Ok(i) = report.loads.binary_search_by_key(&staff, |l| l.staff)
                && self.target_inside(target)
                && let Some(l) = report.loads.get_mut(i)
            {
                l.load += 1;
            }
        }
        Ok(report)
    }

    /// A staff member whose home unit lies inside the scope.
    ///
    /// # Errors
    /// [`DutyError::UnknownStaff`] naming `id`, whether they live outside or do not exist.
    pub fn staff_member(&self, id: StaffId) -> Result<&'r Staff, Error> {
        match self.registry.staff_member(id) {
            Ok(member) if self.contains(member.home()) => Ok(member),
            _ => Err(DutyError::UnknownStaff { staff: id }.into()),
        }
    }

    /// How many assignments a staff member inside carries under `scheme` for targets inside:
    /// the load they would have if the outside did not exist.
    ///
    /// # Errors
    /// As [`Scope::staff_member`]; [`DutyError::UnknownScheme`].
    ///
    /// # Complexity
    /// O(assignments of the scheme), whoever is asked for.
    pub fn load(&self, scheme: SchemeId, staff: StaffId) -> Result<usize, Error> {
        self.staff_member(staff)?;
        Ok(self.registry.holdings(scheme)?.filter(|&(t, s)| s == staff && self.target_inside(t)).count())
    }

    /// The assignments of `scheme` whose target lies inside the scope (their holders may live
    /// outside, as [`Scope::responsible_for`] shows them).
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`].
    ///
    /// # Complexity
    /// O(assignments of the scheme).
    pub fn roster(&self, scheme: SchemeId) -> Result<Roster, Error> {
        let roster = self.registry.roster(scheme)?;
        Ok(roster
            .assignments()
            .iter()
            .filter(|a| self.target_inside(a.target))
            .map(|a| (a.target, a.role, a.staff))
            .collect())
    }

    /// Whether a target lies inside: a unit inside, a cell whose every unit is, a person
    /// living inside.
    fn target_inside(&self, target: Target) -> bool {
        match target {
            Target::Unit(u) => self.contains(u),
            Target::Cell(c) => self.cell_inside(c).is_ok(),
            Target::Person(p) => self.person(p).is_ok(),
        }
    }

    /// Everyone responsible for a unit, household or person inside the scope on `date`, as
    /// [`Registry::responsible_for`] gives them (including those holding roles for units
    /// above the scope, such as a district leader).
    ///
    /// # Errors
    /// As [`Scope::check`], [`Scope::household`] or [`Scope::person`] for the subject.
    pub fn responsible_for(&self, subject: impl Into<Subject>, date: NaiveDate) -> Result<Vec<Responsible>, Error> {
        let subject = subject.into();
        match subject {
            Subject::Unit(u) => self.check(u)?,
            Subject::Household(h) => {
                self.household(h)?;
            }
            Subject::Person(p) => {
                self.person(p)?;
            }
        }
        self.registry.responsible_for(subject, date)
    }

    /// A case whose person lives inside the scope.
    ///
    /// # Errors
    /// [`CaseError::UnknownCase`] naming `id`, whether its person lives outside or it does not
    /// exist.
    pub fn case(&self, id: CaseId) -> Result<&'r Case, Error> {
        match self.registry.case(id) {
            Ok(case) if self.person(case.person()).is_ok() => Ok(case),
            _ => Err(CaseError::UnknownCase { case: id }.into()),
        }
    }

    /// The household, when it lies inside the scope.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`] naming `id`, whether it lies outside or does not
    /// exist.
    pub fn household(&self, id: HouseholdId) -> Result<&'r Household, Error> {
        match self.registry.household(id) {
            Ok(h) if self.contains(h.unit()) => Ok(h),
            _ => Err(PeopleError::UnknownHousehold { household: id }.into()),
        }
    }

    /// The person, when their household lies inside the scope.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`] naming `id`, whether they live outside or do not exist.
    pub fn person(&self, id: PersonId) -> Result<&'r Person, Error> {
        let reg = self.registry;
        match reg.person(id) {
            Ok(p) if reg.household(p.household()).is_ok_and(|h| self.contains(h.unit())) => Ok(p),
            _ => Err(PeopleError::UnknownPerson { person: id }.into()),
        }
    }

    /// Refuse a household a command names: unknown, or outside
    /// ([`RegistryError::OutsideScope`]).
    fn writable_subject(&self, subject: TaskSubject) -> Result<(), Error> {
        match subject {
            TaskSubject::Person(p) => self.writable_person(p),
            TaskSubject::Household(h) => self.writable_household(h),
            TaskSubject::Unit(u) => self.writable(u),
        }
    }

    fn writable_household(&self, id: HouseholdId) -> Result<(), Error> {
        if self.contains(self.registry.household(id)?.unit()) {
            Ok(())
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Household(id) }.into())
        }
    }

    /// Refuse a person a command names: unknown, or living outside
    /// ([`RegistryError::OutsideScope`]).
    fn writable_person(&self, id: PersonId) -> Result<(), Error> {
        let p = self.registry.person(id)?;
        if self.contains(self.registry.household(p.household())?.unit()) {
            Ok(())
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Person(id) }.into())
        }
    }

    /// Refuse a case a command names: unknown, or of a person living outside
    /// ([`RegistryError::OutsideScope`], naming the person).
    fn writable_case(&self, id: CaseId) -> Result<(), Error> {
        self.writable_person(self.registry.case(id)?.person())
    }

    /// The households sitting directly at `unit`.
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn households_at(&self, unit: UnitId) -> Result<&'r [HouseholdId], Error> {
        self.check(unit)?;
        Ok(self.registry.population().households_at(unit))
    }

    /// Every household inside the scope.
    pub fn households(&self) -> impl Iterator<Item = HouseholdId> + '_ {
        let pop = self.registry.population();
        self.units().flat_map(move |u| pop.households_at(u).iter().copied())
    }

    /// The window `request` asks of the households inside `unit`, a unit of the scope; see
    /// [`Registry::households_page`].
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn households_page(
        &self,
        unit: UnitId,
        request: crate::page::PageRequest,
    ) -> Result<crate::page::Page<HouseholdId>, Error> {
        self.check(unit)?;
        self.registry.households_page(unit, request)
    }

    /// Every person inside the scope.
    pub fn persons(&self) -> impl Iterator<Item = PersonId> + '_ {
        let pop = self.registry.population();
        self.households().flat_map(move |h| pop.household(h).map(|h| h.members()).unwrap_or(&[]).iter().copied())
    }

    /// The person registered inside the scope with this resident identity number, `None`
    /// when nobody inside has it (nobody has it, or the one who has lives outside: the two
    /// answers are the same).
    ///
    /// # Complexity
    /// A hash look-up, then [`Scope::person`] when someone has the number.
    pub fn find_resident(&self, id: &ResidentId) -> Option<PersonId> {
        self.registry.population().find_resident(id).filter(|&p| self.person(p).is_ok())
    }
}

/// Writes through a scope: what a command issued by a user limited to some subtrees may touch.
// Issue 17 §2: closed management, passes, entry checks.
impl<'r> Scope<'r> {
    /// A compound's status on `on` ([`Registry::compound_status`]).
    ///
    /// # Errors
    /// As [`Scope::check`]: a compound outside reads as unknown.
    pub fn compound_status(&self, compound: UnitId, on: NaiveDate) -> Result<crate::access::CompoundStatus, Error> {
        self.check(compound)?;
        self.registry.compound_status(compound, on)
    }

    /// How many compounds inside `unit` are in each status on `on` ([`Registry::status_counts`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn status_counts(&self, unit: UnitId, on: NaiveDate) -> Result<crate::access::StatusCounts, Error> {
        self.check(unit)?;
        self.registry.status_counts(unit, on)
    }

    /// How many compounds inside the whole scope are in each status on `on`.
    ///
    /// # Complexity
    /// O(units inside × log changes per compound).
    pub fn total_status_counts(&self, on: NaiveDate) -> crate::access::StatusCounts {
        self.roots.iter().filter_map(|&r| self.registry.status_counts(r, on).ok()).sum()
    }

    /// A household's passes ([`Registry::passes_of`]).
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold) for a
    /// household outside.
    pub fn passes_of(&self, household: HouseholdId) -> Result<&'r [crate::access::PassId], Error> {
        self.household(household)?;
        self.registry.passes_of(household)
    }

    /// Check a pass at a gate inside the scope ([`Registry::check_pass`]).
    ///
    /// # Errors
    /// As [`Scope::check`] for the entrance; [`AccessError::UnknownPass`](crate::access::AccessError::UnknownPass)
    /// for a pass of a compound outside.
    pub fn check_pass(
        &self,
        pass: crate::access::PassId,
        entrance: UnitId,
        on: NaiveDate,
    ) -> Result<crate::access::Verdict, Error> {
        self.check(entrance)?;
        if !self.registry.pass(pass).is_ok_and(|p| self.contains(p.pass.compound)) {
            return Err(crate::access::AccessError::UnknownPass { pass }.into());
        }
        self.registry.check_pass(pass, entrance, on)
    }

    /// The entries of `on` at the entrances inside `unit`, counted ([`Registry::entry_counts`]).
    ///
    /// # Errors
    /// As [`Scope::check`].
    pub fn entry_counts(&self, unit: UnitId, on: NaiveDate) -> Result<crate::access::EntryCounts, Error> {
        self.check(unit)?;
        self.registry.entry_counts(unit, on)
    }

    /// The entries of `on` at the entrances inside the scope: a visitor's name and phone at a
    /// gate outside are never seen.
    pub fn entries_on(&self, on: NaiveDate) -> impl Iterator<Item = &'r crate::access::EntryRecord> + '_ {
        self.registry.entries_on(on).filter(|r| self.contains(r.entry.entrance))
    }

    /// The fevers of `on` at the gates inside the scope listed for follow-up
    /// ([`Registry::gate_follow_ups`]).
    pub fn gate_follow_ups(&self, on: NaiveDate) -> impl Iterator<Item = &'r crate::access::EntryRecord> + '_ {
        self.registry.gate_follow_ups(on).filter(|r| self.contains(r.entry.entrance))
    }
}

impl Scope<'_> {
    /// Refuse a command whose events would change anything outside the scope; accept any other
    /// (which [`Registry::apply`] may still refuse for its own reasons). This is the rule of
    /// [`Registry::apply_within`]; a host can also ask it beforehand, to offer only what a user
    /// may do.
    ///
    /// A scope holding the registry's root accepts every command. Otherwise, command by
    /// command (a unit is inside when it lies in a root's subtree; a household when its unit
    /// is; a person when their household is; a case when its person is; a staff member when
    /// their home unit is; a cell when every unit of it is; an assignment when its target and
    /// its holder are):
    ///
    /// | command | must lie inside |
    /// |---|---|
    /// | `AddUnit` | the parent |
    /// | `MoveUnit` | the unit, its parent (the source) and the new parent |
    /// | `CloseUnit` | the unit and the unit its households go to |
    /// | `AddCell` | every unit of the new cell |
    /// | `ExtendCell` | the cell (every unit it has) and every unit added |
    /// | `AddHousehold` | the unit |
    /// | `MoveHousehold` | the household (its unit, the source) and the unit it goes to |
    /// | `RegisterPerson` | the household |
    /// | `MovePerson` | the person (their household, the source) and the household they join |
    /// | `SetMarkers`, `SetState`, `SetMeasure`, `Exposed`, `RecordCheck` | the person |
    /// | `StartCase` | the person, and the linked close contact's case if any |
    /// | `RecordTest` | the person; when positive, every active secondary contact's case linked to theirs, since each is converted in the same command, and every released one, since each may be reopened |
    /// | `Release`, `CorrectCheck` | the case |
    /// | `CorrectTest` | the case; when corrected to a positive, the secondary contacts' cases linked to it, as for `RecordTest` |
    /// | `AddStaff` | the new member's home unit |
    /// | `SetAvailability` | the staff member, and the target of every assignment they hold under any scheme (their availability decides whether it is valid) |
    /// | `Assign`, `Unassign` | the assignment: its target and the staff member |
    /// | `Replace` | the leaving staff member, and every assignment the replacement removes or adds (as [`Registry::replacement`] proposes it) |
    /// | `CompleteTask` | the task's subject and the staff member who did it |
    /// | `ReassignTasks` | the staff member, and every task moved and whom it goes to |
    /// | `OpenTicket` | the unit, and the household if one |
    /// | `RecordExposure` | the contact (the source is only read) |
    /// | `TraceContacts` | the index case, and every contact the rule finds (refused naming the index case when one lies outside) |
    /// | `RecordArrival` | the person |
    /// | `ControlTraced` | the row's unit (its person's, or where it was routed), and the person named |
    /// | `HandOverTraced` | the row's unit; the root for a row of no unit (not found here) |
    /// | `StartCampaign` | the unit |
    /// | `RecordVisit` | the household (its members' states change with it) and the grid worker |
    /// | `SetCompoundStatus` | the compound |
    /// | `IssuePass` | the household |
    /// | `RevokePass` | the pass's compound |
    /// | `RecordEntry` | the entrance, and the resident named |
    /// | `SetCheckpoint` | the entrance and every compound it serves (their one-entrance count changes) |
    /// | `CloseEntrance`, `ReopenEntrance` | the entrance |
    /// | `SetOneEntranceRule` | the compound |
    /// | `ReceiveTracedBatch` | the registry's root: a list is matched against the whole register (the data centre's work 数据管理中心) |
    /// | `CreateOverlay`, `SetColourRule`, `AdoptPolicy`, `AdoptScheme`, `AdoptWorkPlan`, `Solve`, `OpenDay`, `ChangePolicy`, `RecordShiftRoster` | the registry's root: they act on the whole city (a new overlay, rule, policy or scheme is shared by everyone; a solve fills every target the scheme selects; the daily round and a protocol change move every open case; a roster staffs every checkpoint) |
    ///
    /// What is checked are the ids a command names and what its events would change, from the
    /// current state, before anything is applied. Reads that a command only makes (the policy
    /// a case follows, a scheme's rules) are not changes: they need not lie inside. The
    /// tallies of the units above the roots follow what changes inside, as they always do;
    /// nothing else outside changes: a move with both ends inside leaves every tally outside as
    /// it was, and every staff member's locality to a target outside.
    ///
    /// A positive test is refused rather than cut short when a linked secondary contact lives
    /// outside: the conversions are part of the command, and a scope reaching all of them
    /// (the root's, say) records it whole.
    ///
    /// # Errors
    /// [`RegistryError::OutsideScope`] naming the first id the command names that lies outside
    /// (the root unit for a command on the whole city); when only the command's effects reach
    /// outside, it names what the command names inside, never what lies outside: the staff
    /// member for `SetAvailability` (an assignment outside) and `Replace` (an assignment moved
    /// outside), the person tested for a positive `RecordTest` (a secondary contact outside).
    /// The errors of an unknown unit, household, person, case, cell, staff member or scheme met
    /// on the way. Unlike reads, writes tell an id outside from an unknown one (`OutsideScope`
    /// against the unknown-id error): that is all they show of the outside.
    ///
    /// # Complexity
    /// O(levels × log roots) per id named, for most commands. `SetAvailability` adds O(assignments of a
    /// scheme) for each scheme under which the member holds something; `Replace` computes
    /// [`Registry::replacement`] ([`Registry::apply_within`] does not: it checks the
    /// replacement the command's event carries); a positive `RecordTest` adds O(linked cases).
    pub fn check_command(&self, command: &Command) -> Result<(), Error> {
        let reg = self.registry;
        if self.contains(reg.root()) {
            return Ok(());
        }
        // No wildcard: a new command must say what it touches.
        match command {
            Command::AddUnit { parent, .. } => self.writable(*parent),
            Command::MoveUnit { unit, new_parent } => {
                self.writable(*unit)?;
                if let Some(from) = reg.tree().parent(*unit)? {
                    self.writable(from)?;
                }
                self.writable(*new_parent)
            }
            Command::CloseUnit { unit, transfer_to, .. } => {
                self.writable(*unit)?;
                transfer_to.map_or(Ok(()), |to| self.writable(to))
            }
            Command::AddCell { units, .. } => units.iter().try_for_each(|&u| self.writable(u)),
            Command::ExtendCell { cell, units } => {
                self.writable_cell(*cell)?;
                units.iter().try_for_each(|&u| self.writable(u))
            }
            Command::AddHousehold { unit, .. } => self.writable(*unit),
            Command::MoveHousehold { household, to } => {
                self.writable_household(*household)?;
                self.writable(*to)
            }
            Command::RegisterPerson { household, .. } => self.writable_household(*household),
            Command::MovePerson { person, to, .. } => {
                self.writable_person(*person)?;
                self.writable_household(*to)
            }
            Command::SetMarkers { person, .. }
            | Command::SetState { person, .. }
            | Command::SetMeasure { person, .. }
            | Command::Exposed { person, .. }
            | Command::RecordCheck { person, .. } => self.writable_person(*person),
            Command::StartCase { person, linked, .. } => {
                self.writable_person(*person)?;
                linked.and_then(Link::case).map_or(Ok(()), |close| self.writable_case(close))
            }
            Command::RecordTest { person, result, .. } => {
                self.writable_person(*person)?;
                match (result, reg.active_case(*person)) {
                    (TestResult::Positive, Some(close)) => self.check_linked(*person, close),
                    _ => Ok(()),
                }
            }
            Command::Release { case, .. } | Command::CorrectCheck { case, .. } | Command::AdjustCase { case, .. } => {
                self.writable_case(*case)
            }
            Command::CorrectTest { case, corrected, .. } => {
                self.writable_case(*case)?;
                match corrected {
                    Some(sample) if sample.result == TestResult::Positive => {
                        self.check_linked(reg.case(*case)?.person(), *case)
                    }
                    _ => Ok(()),
                }
            }
            Command::AddStaff { staff } => self.writable(staff.home()),
            Command::SetAvailability { staff, .. } => {
                self.check_staff(*staff)?;
                self.check_assignments_of(*staff)
            }
            Command::Assign { target, staff, .. } | Command::Unassign { target, staff, .. } => {
                self.check_target(*target)?;
                self.check_staff(*staff).map(drop)
            }
            Command::Replace { scheme, leaving, on } => {
                self.check_staff(*leaving)?;
                let proposal = reg.replacement(*scheme, *leaving, *on)?;
                self.check_replacement(*leaving, &proposal.removed, &proposal.added)
            }
            Command::CompleteTask { task, by, .. } => {
                self.writable_subject(task.subject)?;
                self.check_staff(*by).map(drop)
            }
            Command::ReassignTasks { from, on } => {
                self.check_staff(*from)?;
                for (key, moved) in reg.reassignment(*from, *on) {
                    self.writable_subject(key.subject)?;
                    if let Some(to) = moved.to {
                        self.check_staff(to)?;
                    }
                }
                Ok(())
            }
            Command::OpenTicket { unit, household, .. } => {
                self.writable(*unit)?;
                household.map_or(Ok(()), |h| self.writable_household(h))
            }
            // Issue 16 §4: the contact graph.
            Command::RecordExposure { exposure } => {
                self.writable_person(exposure.contact())?;
                reg.person(exposure.source()).map(drop)
            }
            Command::TraceContacts { index, rule, on, .. } => {
                self.writable_person(*index)?;
                let found = reg.derive_contacts(rule, *index, *on)?;
                // Refused naming the index case, never the contact outside.
                match found.close.iter().chain(&found.secondary).any(|d| self.person(d.person).is_err()) {
                    true => Err(RegistryError::OutsideScope { item: ScopeItem::Person(*index) }.into()),
                    false => Ok(()),
                }
            }
            Command::RecordArrival { person, .. } => self.writable_person(*person),
            // Issue 16 §2: traced lists.
            Command::ControlTraced { row, person, .. } => {
                if let Some(unit) = reg.traced_row_unit(*row)? {
                    self.writable(unit)?;
                }
                person.map_or(Ok(()), |p| self.writable_person(p))
            }
            Command::HandOverTraced { row, .. } => match reg.traced_row_unit(*row)? {
                Some(unit) => self.writable(unit),
                None => Err(RegistryError::OutsideScope { item: ScopeItem::Unit(reg.root()) }.into()),
            },
            // Issue 16 §1: screening campaigns.
            Command::StartCampaign { unit, .. } => self.writable(*unit),
            Command::RecordVisit { visit, .. } => {
                self.writable_household(visit.household)?;
                self.check_staff(visit.by).map(drop)
            }
            // Issue 17 §3: workplaces and rental properties.
            Command::ChangeFiling { unit, .. } | Command::CheckWorkplace { unit, .. } => self.writable(*unit),
            Command::SetEmployees { unit, add, remove, .. } => {
                self.writable(*unit)?;
                add.iter().chain(remove).try_for_each(|p| self.person(*p).map(drop))
            }
            Command::ContractWorkplace { unit, leader, .. } => {
                self.writable(*unit)?;
                self.check_staff(*leader).map(drop)
            }
            Command::MarkRental { premises, .. } | Command::InspectRental { premises, .. } => {
                if let Command::InspectRental { inspection, .. } = command {
                    self.check_staff(inspection.by)?;
                }
                match *premises {
                    crate::firms::Premises::Unit(u) => self.writable(u),
                    crate::firms::Premises::Household(h) => self.writable_household(h),
                }
            }
            // Issue 17 §2: closed management, passes, entry checks.
            Command::SetCompoundStatus { compound, .. } => self.writable(*compound),
            Command::IssuePass { household, .. } => self.writable_household(*household),
            Command::RevokePass { pass, .. } => self.writable(reg.pass(*pass)?.pass.compound),
            Command::RecordEntry { entry } => {
                self.writable(entry.entrance)?;
                match &entry.entrant {
                    crate::access::Entrant::Resident { person, .. } => self.writable_person(*person),
                    _ => Ok(()),
                }
            }
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            Command::SetCheckpoint { checkpoint, .. } => {
                self.writable(checkpoint.entrance())?;
                checkpoint.serves().iter().try_for_each(|u| self.writable(*u))
            }
            Command::CloseEntrance { entrance, .. } | Command::ReopenEntrance { entrance, .. } => {
                self.writable(*entrance)
            }
            Command::SetOneEntranceRule { compound, .. } => self.writable(*compound),
            Command::ReceiveTracedBatch { .. }
            | Command::RecordShiftRoster { .. }
            | Command::CreateOverlay { .. }
            | Command::SetColourRule { .. }
            | Command::AdoptPolicy { .. }
            | Command::AdoptScheme { .. }
            | Command::AdoptWorkPlan { .. }
            | Command::Solve { .. }
            | Command::OpenDay { .. }
            | Command::ChangePolicy { .. } => {
                Err(RegistryError::CityWide { command: command.kind().to_owned() }.into())
            }
        }
    }

    // Issue 16 §4: the contact graph.
    /// Each person in `found` as this scope may see them: inside by id, outside only as
    /// [`Seen::Elsewhere`]; those inside first, by id.
    fn seen(&self, found: Vec<PersonId>) -> Vec<Seen> {
        let (here, elsewhere): (Vec<PersonId>, Vec<PersonId>) =
            found.into_iter().partition(|&p| self.person(p).is_ok());
        here.into_iter().map(Seen::Here).chain(elsewhere.iter().map(|_| Seen::Elsewhere)).collect()
    }

    /// The persons traced from `person` (their contacts 密接, or a close contact's secondary
    /// contacts): those inside by id, one [`Seen::Elsewhere`] for each outside, whose data
    /// stays hidden.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`] when `person` lives outside or does not exist.
    pub fn traced_from(&self, person: PersonId) -> Result<Vec<Seen>, Error> {
        self.person(person)?;
        Ok(self.seen(self.registry.contact_graph().traced_from(person)))
    }

    /// Whom `person` was traced from (a contact of several cases has several), as
    /// [`Scope::traced_from`] shows them.
    ///
    /// # Errors
    /// As [`Scope::traced_from`].
    pub fn traced_via(&self, person: PersonId) -> Result<Vec<Seen>, Error> {
        self.person(person)?;
        Ok(self.seen(self.registry.contact_graph().traced_via(person)))
    }

    /// The chain of tracing from `person` back to the index case
    /// ([`Registry::chain_of`]), each link outside shown only as [`Seen::Elsewhere`].
    ///
    /// # Errors
    /// As [`Scope::traced_from`].
    pub fn chain_of(&self, person: PersonId) -> Result<Option<Vec<Seen>>, Error> {
        self.person(person)?;
        let chain = self.registry.chain_of(person)?;
        let show = |p: PersonId| if self.person(p).is_ok() { Seen::Here(p) } else { Seen::Elsewhere };
        Ok(chain.map(|c| c.into_iter().map(show).collect()))
    }

    /// Refuse a positive result of close contact's case `close` when a secondary contact's
    /// case linked to it (active, converted by it; or released, re-judged by it) lies outside.
    fn check_linked(&self, person: PersonId, close: CaseId) -> Result<(), Error> {
        let reg = self.registry;
        let mut linked = reg.linked_to(close).into_iter().chain(reg.released_linked_to(close));
        // Refused naming the person tested, not the secondary contact outside.
        match linked.any(|secondary| self.case(secondary).is_err()) {
            true => Err(RegistryError::OutsideScope { item: ScopeItem::Person(person) }.into()),
            false => Ok(()),
        }
    }

    /// Refuse a staff member living outside the scope.
    fn check_staff(&self, id: StaffId) -> Result<&Staff, Error> {
        let member = self.registry.staff_member(id)?;
        if self.contains(member.home()) {
            Ok(member)
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Staff(id) }.into())
        }
    }

    /// Refuse a target outside the scope.
    fn check_target(&self, target: Target) -> Result<(), Error> {
        match target {
            Target::Unit(u) => self.writable(u),
            Target::Cell(c) => self.writable_cell(c),
            Target::Person(p) => self.writable_person(p),
        }
    }

    /// Refuse a replacement that removes or adds an assignment outside the scope (a target
    /// or a holder outside), naming the member leaving, not what lies outside.
    fn check_replacement(&self, leaving: StaffId, removed: &[Assignment], added: &[Assignment]) -> Result<(), Error> {
        let inside = |a: &Assignment| self.target_inside(a.target) && self.staff_member(a.staff).is_ok();
        if removed.iter().chain(added).all(inside) {
            Ok(())
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Staff(leaving) }.into())
        }
    }

    /// Refuse when `staff` holds an assignment, under any scheme, whose target lies outside
    /// the scope.
    /// The refusal names the staff member (inside), not the target (outside).
    fn check_assignments_of(&self, staff: StaffId) -> Result<(), Error> {
        let reg = self.registry;
        for (scheme, _) in reg.schemes() {
            if reg.load(scheme, staff)? == 0 {
                continue;
            }
            if reg.holdings(scheme)?.any(|(t, s)| s == staff && !self.target_inside(t)) {
                return Err(RegistryError::OutsideScope { item: ScopeItem::Staff(staff) }.into());
            }
        }
        Ok(())
    }
}

/// Writes through a scope.
impl Registry {
    /// Validate a command issued by a user limited to the subtrees of `roots` (a grid worker's
    /// grid, a party secretary's community), apply it atomically and return the events it
    /// became. The same as [`Registry::apply`], except that a command whose events would
    /// change anything outside the scope is refused, before anything changes:
    /// [`Scope::check_command`] gives the rule of each command. Commands on the whole city
    /// (a new overlay, colour rule, policy or scheme, a solve, the daily round) need the
    /// registry's root among `roots`.
    ///
    /// # Errors
    /// As [`Registry::scope`] for `roots`; [`RegistryError::OutsideScope`] naming the first
    /// thing outside; [`RegistryError::RegisteredOutsideScope`] for an identity number or
    /// passport registered already to someone outside (一人一档: refused, without naming them);
    /// otherwise as [`Registry::apply`]. On error the registry is unchanged.
    ///
    /// # Complexity
    /// That of [`Scope::check_command`], then of [`Registry::apply`].
    ///
    /// # Example
    /// ```
    /// use wangge::{Command, Error, Registry, RegistryError};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::DoorLabel;
    /// use wangge::quarantine::Policy;
    /// use wangge::registry::ScopeItem;
    ///
    /// let scheme = LevelScheme::zhengzhou();
    /// let lv = |n: &str| scheme.level(n).unwrap();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area))?;
    /// let root = reg.root();
    /// let community = |name: &str| Command::AddUnit { parent: root, unit: NewUnit::new(name, lv("社区"), UnitKind::Area) };
    /// let a = reg.apply(community("农科路社区"))?[0].new_unit().unwrap();
    /// let b = reg.apply(community("丰产路社区"))?[0].new_unit().unwrap();
    ///
    /// // Community a's secretary adds a household in a ...
    /// let door = DoorLabel::new("1-101")?;
    /// let events = reg.apply_within(&[a], Command::AddHousehold { unit: a, door: door.clone() })?;
    /// assert_eq!(events.len(), 1);
    /// // ... but not in b, nor moves theirs there, nor adopts a policy for the whole city.
    /// let outside = |item| Err(Error::Registry(RegistryError::OutsideScope { item }));
    /// assert_eq!(reg.apply_within(&[a], Command::AddHousehold { unit: b, door }), outside(ScopeItem::Unit(b)));
    /// let household = events[0].new_household().unwrap();
    /// assert_eq!(reg.apply_within(&[a], Command::MoveHousehold { household, to: b }), outside(ScopeItem::Unit(b)));
    /// let adopt = Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() };
    /// let city_wide = Err(Error::Registry(RegistryError::CityWide { command: "adopt_policy".to_owned() }));
    /// assert_eq!(reg.apply_within(&[a], adopt.clone()), city_wide);
    /// assert_eq!((reg.counts(a)?.households, reg.counts(b)?.households), (1, 0));
    /// // The sub-district, whose scope is the root, may.
    /// assert!(reg.apply_within(&[root], adopt).is_ok());
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn apply_within(&mut self, roots: &[UnitId], command: Command) -> Result<Vec<Event>, Error> {
        let decided = self.decide_within(roots, command)?;
        self.commit_events(&decided.events, decided.first_checked)?;
        Ok(decided.events)
    }

    /// The events of `command` for a user whose scope is the subtrees of `roots`, decided
    /// without changing anything; refused as [`Registry::apply_within`] says.
    pub(super) fn decide_within(&self, roots: &[UnitId], command: Command) -> Result<Decided, Error> {
        let scope = self.scope(roots)?;
        if let Command::Replace { leaving, .. } = command
            && !scope.contains(self.root())
        {
            // The replacement is worked out once, by the command's decision, and its
            // assignments are checked on the event it became, before anything is applied.
            scope.check_staff(leaving)?;
            let decided = self.decide_record(command)?;
            return match decided.events.first() {
                Some(Event::Rostered { removed, added, .. }) => {
                    scope.check_replacement(leaving, removed, added)?;
                    Ok(decided)
                }
                _ => Err(RegistryError::Mismatch { what: "a replacement became another event".to_owned() }.into()),
            };
        }
        scope.check_command(&command)?;
        match self.decide_record(command) {
            Ok(decided) => Ok(decided),
            // One person, one file: refused, but without naming someone outside.
            Err(Error::People(
                PeopleError::DuplicateResidentId { household, .. } | PeopleError::DuplicatePassport { household, .. },
            )) if scope.household(household).is_err() => Err(RegistryError::RegisteredOutsideScope.into()),
            Err(e) => Err(e),
        }
    }
}
