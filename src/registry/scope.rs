//! Scopes 管辖范围: read-only views of a registry limited to one or more subtrees.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::{Counts, Coverage, Registry, RegistryError, Responsible, Subject};
use crate::colour::{Colour, ColourMap, PersonState, Tally};
use crate::grid::Unit;
use crate::people::{Household, Person, ResidentId};
use crate::quarantine::{Agenda, Case};
use crate::{CaseId, CellId, Error, HouseholdId, PersonId, SchemeId, UnitId};

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
}

impl std::fmt::Display for ScopeItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScopeItem::Unit(u) => write!(f, "unit {u}"),
            ScopeItem::Household(h) => write!(f, "household {h}"),
            ScopeItem::Person(p) => write!(f, "person {p}"),
            ScopeItem::Cell(c) => write!(f, "cell {c}"),
        }
    }
}

/// A read-only view of a registry limited to the subtrees of its roots: a grid worker's grid,
/// a party secretary's community.
///
/// Every query returns only what lies inside; asking for anything outside is
/// [`RegistryError::OutsideScope`], never an empty answer. Ancestors stop at the scope's
/// roots, whose parents are hidden.
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
        // Keep only roots not inside another root, once each, in id order.
        let mut kept: Vec<UnitId> = Vec::new();
        for &r in roots {
            let covered = roots.iter().any(|&o| o != r && tree.is_within(r, o).unwrap_or(false));
            if !covered && !kept.contains(&r) {
                kept.push(r);
            }
        }
        kept.sort_unstable();
        Ok(Scope { registry, roots: kept })
    }

    /// The roots of the scope: disjoint subtrees, by increasing id.
    pub fn roots(&self) -> &[UnitId] {
        &self.roots
    }

    /// Whether `unit` lies inside the scope. False for units the registry does not have.
    ///
    /// # Complexity
    /// O(roots).
    pub fn contains(&self, unit: UnitId) -> bool {
        let tree = self.registry.tree();
        self.roots.iter().any(|&r| tree.is_within(unit, r).unwrap_or(false))
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
        if self.roots.contains(&unit) {
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
        let units = self.registry.overlays().cell(cell)?.units();
        if units.iter().all(|&u| self.contains(u)) {
            self.registry.cell_tally(cell)
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
