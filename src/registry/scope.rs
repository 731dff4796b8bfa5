//! Scopes 管辖范围: views of a registry limited to one or more subtrees, for reads
//! ([`Scope`]) and for writes ([`Registry::apply_within`], ruled by [`Scope::check_command`]).
//!
//! A host makes a scope from the units a user is responsible for (a grid worker's grid, a
//! party secretary's community, the sub-district's root) on each request. Reads through it
//! answer only what lies inside and refuse the rest with [`RegistryError::OutsideScope`],
//! never with an empty answer; writes are checked against the same rule before the command is
//! applied.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::{Command, Counts, Coverage, Event, Registry, RegistryError, Responsible, Subject};
use crate::colour::{Colour, ColourMap, PersonState, Tally};
use crate::duty::{Assignment, Staff, Target};
use crate::grid::Unit;
use crate::people::{Household, Person, ResidentId};
use crate::quarantine::{Agenda, Case, TestResult};
use crate::{CaseId, CellId, Error, HouseholdId, PersonId, SchemeId, StaffId, UnitId};

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
/// Every query returns only what lies inside; asking for anything outside is
/// [`RegistryError::OutsideScope`], never an empty answer. Ancestors stop at the scope's
/// roots, whose parents are hidden. Writes go through [`Registry::apply_within`], which refuses
/// what [`Scope::check_command`] refuses.
///
/// # Example
/// ```
/// use wangge::{Registry, Command, Event, Error, RegistryError};
/// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
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
/// assert!(matches!(scope.unit(b), Err(Error::Registry(RegistryError::OutsideScope { .. }))));
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

    /// Refuse a unit outside the scope.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit),
    /// [`RegistryError::OutsideScope`].
    pub fn check(&self, unit: UnitId) -> Result<(), Error> {
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

    /// The lowest common ancestor of two units, when it lies inside the scope.
    ///
    /// # Errors
    /// As [`Scope::check`] for either unit, and [`RegistryError::OutsideScope`] when the two
    /// lie in different roots of the scope.
    pub fn lowest_common_ancestor(&self, a: UnitId, b: UnitId) -> Result<UnitId, Error> {
        self.check(a)?;
        self.check(b)?;
        let lca = self.registry.tree().lowest_common_ancestor(a, b)?;
        self.check(lca)?;
        Ok(lca)
    }

    /// The unit with this code.
    ///
    /// # Errors
    /// [`RegistryError::OutsideScope`] when the unit exists but lies outside.
    pub fn find_by_code(&self, code: &str) -> Result<Option<UnitId>, Error> {
        match self.registry.tree().find_by_code(code) {
            Some(u) => self.check(u).map(|()| Some(u)),
            None => Ok(None),
        }
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

    /// The colour tally of the whole scope: the merge of its roots' tallies.
    pub fn total_tally(&self) -> Tally {
        self.roots.iter().filter_map(|&r| self.registry.tally(r).ok()).sum()
    }

    /// The colour tally of a cell whose units all lie inside the scope.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`](crate::grid::GridError::UnknownCell),
    /// [`RegistryError::OutsideScope`] when any unit of the cell lies outside.
    pub fn cell_tally(&self, cell: CellId) -> Result<&'r Tally, Error> {
        self.check_cell(cell)?;
        self.registry.cell_tally(cell)
    }

    /// Refuse a cell with a unit outside the scope.
    fn check_cell(&self, cell: CellId) -> Result<(), Error> {
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

    /// How well `scheme` covers the scope on `date`: [`Registry::duty_coverage`] over its
    /// roots.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`](crate::duty::DutyError::UnknownScheme).
    pub fn duty_coverage(&self, scheme: SchemeId, date: NaiveDate) -> Result<Coverage, Error> {
        self.registry.coverage_of(scheme, &self.roots, date)
    }

    /// Everyone responsible for a unit, household or person inside the scope on `date`, as
    /// [`Registry::responsible_for`] gives them (including those holding roles for units
    /// above the scope, such as a district leader).
    ///
    /// # Errors
    /// As [`Registry::responsible_for`], and [`RegistryError::OutsideScope`].
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
    /// [`CaseError::UnknownCase`](crate::quarantine::CaseError::UnknownCase),
    /// [`RegistryError::OutsideScope`] (naming the person).
    pub fn case(&self, id: CaseId) -> Result<&'r Case, Error> {
        let case = self.registry.case(id)?;
        self.person(case.person())?;
        Ok(case)
    }

    /// The household, when it lies inside the scope.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold),
    /// [`RegistryError::OutsideScope`].
    pub fn household(&self, id: HouseholdId) -> Result<&'r Household, Error> {
        let h = self.registry.household(id)?;
        if self.contains(h.unit()) {
            Ok(h)
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Household(id) }.into())
        }
    }

    /// The person, when their household lies inside the scope.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson),
    /// [`RegistryError::OutsideScope`].
    pub fn person(&self, id: PersonId) -> Result<&'r Person, Error> {
        let p = self.registry.person(id)?;
        let unit = self.registry.household(p.household())?.unit();
        if self.contains(unit) {
            Ok(p)
        } else {
            Err(RegistryError::OutsideScope { item: ScopeItem::Person(id) }.into())
        }
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

    /// Every person inside the scope.
    pub fn persons(&self) -> impl Iterator<Item = PersonId> + '_ {
        let pop = self.registry.population();
        self.households().flat_map(move |h| pop.household(h).map(|h| h.members()).unwrap_or(&[]).iter().copied())
    }

    /// The person registered with this resident identity number.
    ///
    /// # Errors
    /// [`RegistryError::OutsideScope`] when the person is registered outside the scope.
    pub fn find_resident(&self, id: &ResidentId) -> Result<Option<PersonId>, Error> {
        match self.registry.population().find_resident(id) {
            Some(p) => self.person(p).map(|_| Some(p)),
            None => Ok(None),
        }
    }
}

/// Writes through a scope: what a command issued by a user limited to some subtrees may touch.
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
    /// | `SetMarkers`, `SetState`, `Exposed`, `RecordCheck` | the person |
    /// | `StartCase` | the person, and the linked close contact's case if any |
    /// | `RecordTest` | the person; when positive, every active secondary contact's case linked to theirs, since each is converted in the same command |
    /// | `Release` | the case |
    /// | `AddStaff` | the new member's home unit |
    /// | `SetAvailability` | the staff member, and the target of every assignment they hold under any scheme (their availability decides whether it is valid) |
    /// | `Assign`, `Unassign` | the assignment: its target and the staff member |
    /// | `Replace` | the leaving staff member, and every assignment the replacement removes or adds (as [`Registry::replacement`] proposes it) |
    /// | `CreateOverlay`, `SetColourRule`, `AdoptPolicy`, `AdoptScheme`, `Solve`, `OpenDay` | the registry's root: they act on the whole city (a new overlay, rule, policy or scheme is shared by everyone; a solve fills every target the scheme selects; the daily round moves every open case) |
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
    /// [`RegistryError::OutsideScope`] naming the first thing outside (the root unit for a
    /// command on the whole city); the errors of an unknown unit, household, person, case, cell,
    /// staff member or scheme met on the way.
    ///
    /// # Complexity
    /// O(levels × log roots) per id named, for most commands. `SetAvailability` adds O(assignments of a
    /// scheme) for each scheme under which the member holds something; `Replace` computes
    /// [`Registry::replacement`] (which [`Registry::apply`] then computes again); a positive
    /// `RecordTest` adds O(linked cases).
    pub fn check_command(&self, command: &Command) -> Result<(), Error> {
        let reg = self.registry;
        if self.contains(reg.root()) {
            return Ok(());
        }
        // No wildcard: a new command must say what it touches.
        match command {
            Command::AddUnit { parent, .. } => self.check(*parent),
            Command::MoveUnit { unit, new_parent } => {
                self.check(*unit)?;
                if let Some(from) = reg.tree().parent(*unit)? {
                    self.check(from)?;
                }
                self.check(*new_parent)
            }
            Command::CloseUnit { unit, transfer_to, .. } => {
                self.check(*unit)?;
                transfer_to.map_or(Ok(()), |to| self.check(to))
            }
            Command::AddCell { units, .. } => units.iter().try_for_each(|&u| self.check(u)),
            Command::ExtendCell { cell, units } => {
                self.check_cell(*cell)?;
                units.iter().try_for_each(|&u| self.check(u))
            }
            Command::AddHousehold { unit, .. } => self.check(*unit),
            Command::MoveHousehold { household, to } => {
                self.household(*household)?;
                self.check(*to)
            }
            Command::RegisterPerson { household, .. } => self.household(*household).map(drop),
            Command::MovePerson { person, to, .. } => {
                self.person(*person)?;
                self.household(*to).map(drop)
            }
            Command::SetMarkers { person, .. }
            | Command::SetState { person, .. }
            | Command::Exposed { person, .. }
            | Command::RecordCheck { person, .. } => self.person(*person).map(drop),
            Command::StartCase { person, linked, .. } => {
                self.person(*person)?;
                linked.map_or(Ok(()), |close| self.case(close).map(drop))
            }
            Command::RecordTest { person, result, .. } => {
                self.person(*person)?;
                match (result, reg.active_case(*person)) {
                    (TestResult::Positive, Some(close)) => {
                        reg.linked_to(close).into_iter().try_for_each(|secondary| self.case(secondary).map(drop))
                    }
                    _ => Ok(()),
                }
            }
            Command::Release { case, .. } => self.case(*case).map(drop),
            Command::AddStaff { staff } => self.check(staff.home()),
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
                proposal.removed.iter().chain(&proposal.added).try_for_each(|a| self.check_assignment(a))
            }
            Command::CreateOverlay { .. }
            | Command::SetColourRule { .. }
            | Command::AdoptPolicy { .. }
            | Command::AdoptScheme { .. }
            | Command::Solve { .. }
            | Command::OpenDay { .. } => Err(RegistryError::OutsideScope { item: ScopeItem::Unit(reg.root()) }.into()),
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
            Target::Unit(u) => self.check(u),
            Target::Cell(c) => self.check_cell(c),
            Target::Person(p) => self.person(p).map(drop),
        }
    }

    /// Refuse an assignment whose target or holder lies outside the scope.
    fn check_assignment(&self, a: &Assignment) -> Result<(), Error> {
        self.check_target(a.target)?;
        self.check_staff(a.staff).map(drop)
    }

    /// Refuse when `staff` holds an assignment, under any scheme, whose target lies outside
    /// the scope.
    fn check_assignments_of(&self, staff: StaffId) -> Result<(), Error> {
        let reg = self.registry;
        for (scheme, _) in reg.schemes() {
            if reg.load(scheme, staff)? == 0 {
                continue;
            }
            for a in reg.roster(scheme)?.assignments().iter().filter(|a| a.staff == staff) {
                self.check_target(a.target)?;
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
    /// thing outside; otherwise as [`Registry::apply`], whose errors may name ids outside the
    /// scope (the household holding an identity number registered already, 一人一档), never
    /// personal data. On error the registry is unchanged.
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
    /// assert_eq!(reg.apply_within(&[a], adopt.clone()), outside(ScopeItem::Unit(root)));
    /// assert_eq!((reg.counts(a)?.households, reg.counts(b)?.households), (1, 0));
    /// // The sub-district, whose scope is the root, may.
    /// assert!(reg.apply_within(&[root], adopt).is_ok());
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn apply_within(&mut self, roots: &[UnitId], command: Command) -> Result<Vec<Event>, Error> {
        self.scope(roots)?.check_command(&command)?;
        self.apply(command)
    }
}
