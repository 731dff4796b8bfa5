//! Responsibility in the registry 包保: the staff, the schemes adopted and their rosters; who is
//! responsible for a household, a unit or a person; how well a scheme covers a unit.
//!
//! The rules are [`crate::duty`]'s, pure; this file keeps their state. Each scheme has its own
//! roster, and a staff member's load limit bounds what they carry under one scheme.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Event, IdTable, Registry, RegistryError};
use crate::duty::{Assignment, DutyError, Role, Roster, RosterProblem, Scheme, Slot, Staff, Target, TargetSelector};
use crate::duty::{Replacement, UnitClass};
use crate::{CellId, Error, HouseholdId, PersonId, SchemeId, StaffId, UnitId};

/// Why a roster changed, in [`Event::Rostered`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RosterCause {
    /// [`Command::Assign`](super::Command::Assign): one assignment added.
    Assign,
    /// [`Command::Unassign`](super::Command::Unassign): one assignment removed.
    Unassign,
    /// [`Command::Solve`](super::Command::Solve) with `balanced: false`.
    Solve,
    /// [`Command::Solve`](super::Command::Solve) with `balanced: true`.
    SolveBalanced,
    /// [`Command::Replace`](super::Command::Replace): a staff member's assignments refilled.
    Replace {
        /// The staff member who left.
        leaving: StaffId,
    },
}

/// What [`Registry::responsible_for`] is asked about: a unit, a household or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    /// A unit: a courtyard, a building, a community ...
    Unit(UnitId),
    /// A household.
    Household(HouseholdId),
    /// A person.
    Person(PersonId),
}

impl From<UnitId> for Subject {
    fn from(u: UnitId) -> Self {
        Subject::Unit(u)
    }
}

impl From<HouseholdId> for Subject {
    fn from(h: HouseholdId) -> Self {
        Subject::Household(h)
    }
}

impl From<PersonId> for Subject {
    fn from(p: PersonId) -> Self {
        Subject::Person(p)
    }
}

/// One staff member responsible through one scheme, from [`Registry::responsible_for`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Responsible {
    /// The scheme.
    pub scheme: SchemeId,
    /// What they hold the role for: the subject itself or what it lies in.
    pub target: Target,
    /// The role.
    pub role: Role,
    /// Who.
    pub staff: StaffId,
}

/// A slot of a target short of valid holders, in a [`Coverage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gap {
    /// The target.
    pub target: Target,
    /// The role.
    pub role: Role,
    /// How many holders are missing.
    pub missing: u8,
    /// How many the slot asks.
    pub count: u8,
}

/// A staff member's load under a scheme, in a [`Coverage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StaffLoad {
    /// The staff member.
    pub staff: StaffId,
    /// The assignments they carry under the scheme, everywhere.
    pub load: usize,
    /// The most they may carry under the scheme ([`Scheme::limit_for`]).
    pub limit: u16,
}

/// How well a scheme covers a unit (or a scope) on a date, from [`Registry::duty_coverage`]:
/// its targets inside, those with every slot held, each slot short, and the loads of those
/// holding roles there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// The scheme.
    pub scheme: SchemeId,
    /// The date.
    pub date: NaiveDate,
    /// The targets of the scheme inside.
    pub targets: usize,
    /// The targets whose every slot has as many valid holders as it asks.
    pub covered: usize,
    /// Each slot short of valid holders: targets in the order of
    /// [`Registry::duty_targets_within`], slots in scheme order.
    pub gaps: Vec<Gap>,
    /// Each staff member holding a role for a target inside (valid or not), by id.
    pub loads: Vec<StaffLoad>,
}

impl Coverage {
    /// Whether every target inside is covered.
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// The adopted schemes, split by what they select ([`Registry::schemes_by_target`]).
pub(super) struct SchemesByTarget<'a> {
    /// Those with a rule selecting persons.
    persons: Vec<PersonScheme<'a>>,
    /// Those with a rule selecting units or cells.
    units: Vec<(SchemeId, &'a Scheme)>,
}

/// A person target with its holders, in the order assigned.
type PersonTarget<'a> = (PersonId, &'a [(Role, StaffId)]);

/// A scheme selecting persons, with how its person targets are looked up.
struct PersonScheme<'a> {
    id: SchemeId,
    spec: &'a Scheme,
    /// For a day's routing ([`Registry::schemes_for_day`]): its person targets with their
    /// holders, in person order, and where the last look-up ended. A day asks persons in
    /// ascending runs (the persons with tasks, then the members of each household with one),
    /// so each look-up starts from the last and usually finds its answer next to it; the
    /// tree would be descended anew for each. `None`: each look-up asks the tree.
    sorted: Option<(Vec<PersonTarget<'a>>, usize)>,
}

impl<'a> PersonScheme<'a> {
    /// The holders of person `p` under this scheme, in the order assigned.
    fn holders(&mut self, book: &'a DutyBook, p: PersonId) -> Option<&'a [(Role, StaffId)]> {
        let Some((sorted, at)) = &mut self.sorted else { return book.holders_for(self.id, Target::Person(p)) };
        // From the last position when every target before it is below `p`, else from the
        // start; then by doubling steps, and a binary search within the last step.
        let start = match at.checked_sub(1).and_then(|i| sorted.get(i)) {
            Some(&(before, _)) if before >= p => 0,
            _ => *at,
        };
        let rest = sorted.get(start..).unwrap_or(&[]);
        let mut bound = 1;
        while bound < rest.len() && rest.get(bound - 1).is_some_and(|&(q, _)| q < p) {
            bound *= 2;
        }
        let within = rest.get(..bound.min(rest.len())).unwrap_or(&[]);
        let i = start + within.partition_point(|&(q, _)| q < p);
        *at = i;
        sorted.get(i).and_then(|&(q, list)| (q == p).then_some(list))
    }
}

/// A roster as the registry keeps it: each target's holders, (role, staff member) in the
/// order assigned.
type Holders = BTreeMap<Target, Vec<(Role, StaffId)>>;

/// A scheme's loads: the assignments each staff member carries under it, for those carrying
/// at least one (no entry is 0).
type Loads = HashMap<StaffId, u32>;

/// The staff, the schemes and one roster per scheme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct DutyBook {
    staff: Vec<Staff>,
    schemes: Vec<Scheme>,
    /// Per scheme, each target's holders: (role, staff member) in the order assigned.
    holders: Vec<Holders>,
    /// Per scheme, the assignments each staff member carries, for those carrying any: memory
    /// in proportion to the assignments, not to schemes × staff.
    loads: Vec<Loads>,
    /// Each scheme name, with the first scheme of that name: adopting a scheme checks its
    /// name in O(1), not against every scheme.
    names: HashMap<String, SchemeId>,
}

impl DutyBook {
    /// A book from a snapshot's parts; what the audit checks is left to it.
    pub(super) fn from_parts(
        staff: Vec<Staff>,
        schemes: Vec<Scheme>,
        rosters: Vec<Vec<Assignment>>,
    ) -> Result<Self, Error> {
        if rosters.len() != schemes.len() {
            let what = format!("{} rosters for {} schemes", rosters.len(), schemes.len());
            return Err(RegistryError::InvalidSnapshot { what }.into());
        }
        let mut names = HashMap::with_capacity(schemes.len());
        for (i, scheme) in schemes.iter().enumerate() {
            if let Some(id) = SchemeId::from_index(i) {
                names.entry(scheme.name().to_owned()).or_insert(id);
            }
        }
        let mut book = DutyBook {
            holders: vec![BTreeMap::new(); schemes.len()],
            loads: vec![Loads::new(); schemes.len()],
            names,
            staff,
            schemes,
        };
        for (i, roster) in rosters.into_iter().enumerate() {
            for a in roster {
                if a.staff.index() >= book.staff.len() {
                    return Err(DutyError::UnknownStaff { staff: a.staff }.into());
                }
                book.add(i, a);
            }
        }
        Ok(book)
    }

    /// The staff, `StaffId(i)` at position `i`.
    pub(super) fn staff(&self) -> &[Staff] {
        &self.staff
    }

    /// The schemes, `SchemeId(i)` at position `i`.
    pub(super) fn schemes(&self) -> &[Scheme] {
        &self.schemes
    }

    /// Each scheme's roster, targets in order, each target's holders in the order assigned.
    pub(super) fn rosters(&self) -> Vec<Vec<Assignment>> {
        self.holders.iter().map(|h| assignments(h).collect()).collect()
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.staff.shrink_to_fit();
        self.loads.iter_mut().for_each(Loads::shrink_to_fit);
    }

    fn scheme(&self, id: SchemeId) -> Result<&Scheme, Error> {
        self.schemes.get(id.index()).ok_or_else(|| DutyError::UnknownScheme { scheme: id }.into())
    }

    fn member(&self, id: StaffId) -> Result<&Staff, Error> {
        self.staff.get(id.index()).ok_or_else(|| DutyError::UnknownStaff { staff: id }.into())
    }

    fn holders(&self, id: SchemeId) -> Result<&Holders, Error> {
        self.holders.get(id.index()).ok_or_else(|| DutyError::UnknownScheme { scheme: id }.into())
    }

    /// The holders of `target` under `scheme`, in the order assigned (`None` for none, or an
    /// unknown scheme).
    fn holders_for(&self, scheme: SchemeId, target: Target) -> Option<&[(Role, StaffId)]> {
        self.holders.get(scheme.index())?.get(&target).map(Vec::as_slice)
    }

    /// The person targets of `scheme` with their holders, in person order (person targets
    /// come last in [`Target`]'s order: a range of the tree, read in sequence).
    fn person_targets(&self, scheme: SchemeId) -> Vec<PersonTarget<'_>> {
        let Some(holders) = self.holders.get(scheme.index()) else { return Vec::new() };
        holders
            .range(Target::Person(PersonId::new(0))..)
            .filter_map(|(target, list)| match *target {
                Target::Person(p) => Some((p, list.as_slice())),
                _ => None,
            })
            .collect()
    }

    /// The assignments `staff` carries under scheme `scheme` (0 for unknown ids).
    fn load(&self, scheme: SchemeId, staff: StaffId) -> u32 {
        self.loads.get(scheme.index()).and_then(|l| l.get(&staff)).copied().unwrap_or(0)
    }

    fn holds(&self, scheme: usize, a: &Assignment) -> bool {
        self.holders.get(scheme).and_then(|h| h.get(&a.target)).is_some_and(|list| list.contains(&(a.role, a.staff)))
    }

    fn add(&mut self, scheme: usize, a: Assignment) {
        if let (Some(holders), Some(loads)) = (self.holders.get_mut(scheme), self.loads.get_mut(scheme)) {
            holders.entry(a.target).or_default().push((a.role, a.staff));
            *loads.entry(a.staff).or_default() += 1;
        }
    }

    fn remove(&mut self, scheme: usize, a: &Assignment) {
        if let (Some(holders), Some(loads)) = (self.holders.get_mut(scheme), self.loads.get_mut(scheme)) {
            if let Some(list) = holders.get_mut(&a.target) {
                list.retain(|&h| h != (a.role, a.staff));
                if list.is_empty() {
                    holders.remove(&a.target);
                }
            }
            if let Some(n) = loads.get_mut(&a.staff) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    loads.remove(&a.staff);
                }
            }
        }
    }

    /// What is wrong with the book on its own: loads that differ from a recount, unknown
    /// staff, roles not in their scheme, repeats, overfilled slots, loads over a limit.
    pub(super) fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (i, (scheme, holders)) in self.schemes.iter().zip(&self.holders).enumerate() {
            // A recount, by staff id: O(assignments), whatever the size of the pool.
            let mut load: BTreeMap<StaffId, u32> = BTreeMap::new();
            for (target, list) in holders {
                let mut seen = HashSet::new();
                let mut per_role: HashMap<Role, usize> = HashMap::new();
                for &(role, staff) in list {
                    if staff.index() < self.staff.len() {
                        *load.entry(staff).or_default() += 1;
                    } else {
                        found.push(format!("scheme {i}: unknown staff {staff} for {target:?}"));
                    }
                    if !seen.insert((role, staff)) {
                        found.push(format!("scheme {i}: {staff} holds {role} for {target:?} twice"));
                    }
                    *per_role.entry(role).or_default() += 1;
                }
                for (role, n) in per_role {
                    match scheme.slot(role) {
                        None => found.push(format!("scheme {i}: {role} is not a role of the scheme")),
                        Some((_, slot)) if n > usize::from(slot.count()) => {
                            found.push(format!("scheme {i}: {n} holders of {role} for {target:?}"));
                        }
                        Some(_) => {}
                    }
                }
            }
            let kept = self.loads.get(i);
            if kept.is_none_or(|kept| kept.len() != load.len() || load.iter().any(|(s, n)| kept.get(s) != Some(n))) {
                found.push(format!("scheme {i}: the loads differ from a recount"));
            }
            for (&staff, &n) in &load {
                if let Some(member) = self.staff.get(staff.index())
                    && n > u32::from(scheme.limit_for(member))
                {
                    found.push(format!("scheme {i}: staff {} carries {n}, over their limit", staff.index()));
                }
            }
        }
        if self.loads.len() != self.schemes.len() || self.holders.len() != self.schemes.len() {
            found.push("the rosters and loads are not one per scheme".to_owned());
        }
        found
    }
}

/// A roster's assignments: targets in order, holders in the order assigned.
fn assignments(holders: &Holders) -> impl Iterator<Item = Assignment> + '_ {
    holders.iter().flat_map(|(&target, list)| list.iter().map(move |&(role, staff)| Assignment { target, role, staff }))
}

/// The reads.
impl Registry {
    /// The staff pool, `StaffId(i)` at position `i`: what [`Roster::solve`] and the other pure
    /// functions of [`crate::duty`] take.
    pub fn staff_pool(&self) -> &[Staff] {
        self.duties.staff()
    }

    /// A staff member.
    ///
    /// # Errors
    /// [`DutyError::UnknownStaff`].
    pub fn staff_member(&self, id: StaffId) -> Result<&Staff, Error> {
        self.duties.member(id)
    }

    /// An adopted scheme.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`].
    pub fn scheme(&self, id: SchemeId) -> Result<&Scheme, Error> {
        self.duties.scheme(id)
    }

    /// The scheme adopted under `name`, if any.
    pub fn scheme_named(&self, name: &str) -> Option<SchemeId> {
        self.duties.names.get(name).copied()
    }

    /// The adopted schemes, by id.
    pub fn schemes(&self) -> impl Iterator<Item = (SchemeId, &Scheme)> + '_ {
        self.duties.schemes.iter().enumerate().filter_map(|(i, s)| Some((SchemeId::new(u16::try_from(i).ok()?), s)))
    }

    /// A scheme's roster: targets in order ([`Target`]'s order), each target's holders in the
    /// order they were assigned.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`].
    ///
    /// # Complexity
    /// O(assignments of the scheme).
    pub fn roster(&self, scheme: SchemeId) -> Result<Roster, Error> {
        Ok(assignments(self.duties.holders(scheme)?).map(|a| (a.target, a.role, a.staff)).collect())
    }

    /// Every (target, holder) pair of `scheme`'s roster, in target order.
    pub(super) fn holdings(&self, scheme: SchemeId) -> Result<impl Iterator<Item = (Target, StaffId)> + '_, Error> {
        Ok(self.duties.holders(scheme)?.iter().flat_map(|(&t, list)| list.iter().map(move |&(_, s)| (t, s))))
    }

    /// How many assignments `staff` carries under `scheme`.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`], [`DutyError::UnknownStaff`].
    pub fn load(&self, scheme: SchemeId, staff: StaffId) -> Result<usize, Error> {
        self.duties.member(staff)?;
        self.duties.scheme(scheme)?;
        Ok(self.duties.load(scheme, staff) as usize)
    }

    /// Every target `scheme` selects now, each with its unit, as the pure functions of
    /// [`crate::duty`] take them: see [`Registry::duty_targets_within`].
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`].
    pub fn duty_targets(&self, scheme: SchemeId) -> Result<Vec<(Target, UnitId)>, Error> {
        self.duty_targets_within(scheme, self.root())
    }

    /// The targets `scheme` selects now inside `unit`, each with its unit:
    /// - open units at a rule's level or of its kind, with themselves, in pre-order;
    /// - persons in a rule's states living inside, with their household's unit (in the same
    ///   walk, after the unit they live at);
    /// - then the cells of a rule's overlay whose every unit lies inside, with the deepest
    ///   unit containing all of theirs, by id.
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`], [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// O(units inside × rules), plus O(persons inside) when a rule selects persons, plus
    /// O(cells of the overlays named × their units).
    pub fn duty_targets_within(&self, scheme: SchemeId, unit: UnitId) -> Result<Vec<(Target, UnitId)>, Error> {
        self.targets_inside(self.duties.scheme(scheme)?, &[unit])
    }

    /// The targets `spec` selects now inside any of `roots` (disjoint subtrees), in the
    /// order [`Registry::duty_targets_within`] gives, root by root, then the cells.
    fn targets_inside(&self, spec: &Scheme, roots: &[UnitId]) -> Result<Vec<(Target, UnitId)>, Error> {
        let mut out = Vec::new();
        let selectors: Vec<&TargetSelector> = spec.rules().iter().map(|r| r.targets()).collect();
        let persons = selectors.iter().any(|s| matches!(s, TargetSelector::PersonsIn(_)));
        let units =
            selectors.iter().any(|s| matches!(s, TargetSelector::UnitsAtLevel(_) | TargetSelector::UnitsOfKind(_)));
        for u in roots.iter().map(|&r| self.tree.subtree(r)).collect::<Result<Vec<_>, _>>()?.into_iter().flatten() {
            if units && selectors.iter().any(|s| self.selects_now(s, Target::Unit(u))) {
                out.push((Target::Unit(u), u));
            }
            if persons {
                for &h in self.population.households_at(u) {
                    for &p in self.population.household(h)?.members() {
                        if selectors.iter().any(|s| self.selects_now(s, Target::Person(p))) {
                            out.push((Target::Person(p), u));
                        }
                    }
                }
            }
        }
        let mut cells = Vec::new();
        for s in &selectors {
            if let TargetSelector::CellsOf(overlay) = s
                && let Ok(o) = self.overlays.overlay(*overlay)
            {
                cells.extend_from_slice(o.cells());
            }
        }
        cells.sort_unstable();
        cells.dedup();
        let mut sorted = roots.to_vec();
        sorted.sort_unstable();
        let is_root = |u: UnitId| sorted.binary_search(&u).is_ok();
        // A unit lies inside when it or one of its ancestors is a root: O(levels × log roots).
        let inside = |u: &UnitId| is_root(*u) || self.tree.ancestors(*u).is_ok_and(|mut above| above.any(is_root));
        for c in cells {
            let units = self.overlays.cell(c)?.units();
            if !units.is_empty() && units.iter().all(inside) {
                out.push((Target::Cell(c), self.cell_unit(c)?));
            }
        }
        Ok(out)
    }

    /// The unit a cell target is placed at: the deepest unit containing all of the cell's.
    fn cell_unit(&self, cell: CellId) -> Result<UnitId, Error> {
        let units = self.overlays.cell(cell)?.units();
        let mut common = units.first().copied().unwrap_or(self.root());
        for &u in units {
            common = self.tree.lowest_common_ancestor(common, u)?;
        }
        Ok(common)
    }

    /// Whether `selector` selects `target` now: an open unit by its level or kind, a cell of
    /// its overlay, a person in one of its states.
    fn selects_now(&self, selector: &TargetSelector, target: Target) -> bool {
        match (selector, target) {
            (selector, Target::Unit(u)) => self.tree.unit(u).is_ok_and(|x| x.is_open() && selector.selects_unit(x)),
            (TargetSelector::CellsOf(overlay), Target::Cell(c)) => {
                self.overlays.cell(c).is_ok_and(|x| x.overlay() == *overlay)
            }
            (TargetSelector::PersonsIn(states), Target::Person(p)) => {
                self.states.get(p.index()).is_some_and(|s| states.contains(&s.state()))
            }
            _ => false,
        }
    }

    /// The unit of a target `spec` selects now, and the slot of `role` for it.
    fn target_slot(&self, spec: &Scheme, target: Target, role: Role) -> Result<(UnitId, Slot), Error> {
        let unit = self.target_unit(spec, target)?;
        match spec.slot(role) {
            Some((rule, slot)) if spec.rules().get(rule).is_some_and(|r| self.selects_now(r.targets(), target)) => {
                Ok((unit, *slot))
            }
            _ => Err(DutyError::Roster(RosterProblem::RoleNotForTarget { target, role }).into()),
        }
    }

    /// The unit of a target `spec` selects now (see [`Registry::duty_targets_within`]).
    fn target_unit(&self, spec: &Scheme, target: Target) -> Result<UnitId, Error> {
        let unit = match target {
            Target::Unit(u) => {
                self.tree.check(u)?;
                u
            }
            Target::Person(p) => self.population.household(self.population.person(p)?.household())?.unit(),
            Target::Cell(c) => self.cell_unit(c)?,
        };
        if spec.rules().iter().any(|r| self.selects_now(r.targets(), target)) {
            Ok(unit)
        } else {
            Err(DutyError::Roster(RosterProblem::NotSelected { target }).into())
        }
    }

    /// Everyone responsible for `subject` on `date`, through every adopted scheme, from the
    /// subject outwards:
    /// - for a person, their 2+3 team (the holders for the person); for a household, the
    ///   teams of its members;
    /// - then for the unit (a household's or person's: the unit they live at) and each unit
    ///   above it, nearest first: the holders for the unit itself (a building head, a
    ///   community's 六包一), for the entrances hanging directly under it (the gate heads of
    ///   its courtyard), and for the overlay cells naming it (a zone's leader).
    ///
    /// Within a target, schemes by id, holders in the order assigned. Only holders valid on
    /// `date` are listed: the scheme still selects the target (a person released from home
    /// isolation has no 2+3 team), and the staff member is eligible, available on `date` and
    /// local as the slot asks. A slot no one validly holds is a gap in
    /// [`Registry::duty_coverage`].
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::duty::{Qualification as Q, Qualifications, Role, Scheme, Staff, Target};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, Name};
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let lv = |n: &str| levels.level(n).unwrap();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area))?;
    /// let community = reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new("农科路社区", lv("社区"), UnitKind::Area) })?[0].new_unit().unwrap();
    /// let yard = reg.apply(Command::AddUnit { parent: community, unit: NewUnit::new("3号院", lv("楼院"), UnitKind::Area) })?[0].new_unit().unwrap();
    /// let household = reg.apply(Command::AddHousehold { unit: yard, door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    ///
    /// let six = reg.apply(Command::AdoptScheme { scheme: Scheme::six_cover_one(lv("社区"), lv("街道"), None)? })?[0].new_scheme().unwrap();
    /// let secretary = Staff::new(Name::new("书记")?, Qualifications::only(Q::PartySecretary), community, 1)?;
    /// let staff = reg.apply(Command::AddStaff { staff: secretary })?[0].new_staff().unwrap();
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    /// reg.apply(Command::Assign { scheme: six, target: Target::Unit(community), role: Role::CommunitySecretary, staff, on: feb1 })?;
    ///
    /// let responsible = reg.responsible_for(household, feb1)?;
    /// assert_eq!(responsible.len(), 1);
    /// assert_eq!((responsible[0].role, responsible[0].staff), (Role::CommunitySecretary, staff));
    /// // Five roles of the six are still missing.
    /// assert_eq!(reg.duty_coverage(six, community, feb1)?.gaps.len(), 5);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit),
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold),
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson).
    ///
    /// # Complexity
    /// O(schemes × (members + levels × (1 + children + cells naming a unit)) × log assignments).
    pub fn responsible_for(&self, subject: impl Into<Subject>, date: NaiveDate) -> Result<Vec<Responsible>, Error> {
        let found = self.holders_of(subject.into(), date)?;
        Ok(found.into_iter().filter_map(|(r, available)| available.then_some(r)).collect())
    }

    /// Every holder [`Registry::responsible_for`] would name but for availability on `date`,
    /// with whether they are available: the holders a task skips when they are away.
    pub(super) fn holders_of(&self, subject: Subject, date: NaiveDate) -> Result<Vec<(Responsible, bool)>, Error> {
        let mut schemes = self.schemes_by_target();
        let mut found = Vec::new();
        let unit = match subject {
            Subject::Unit(u) => {
                self.tree.check(u)?;
                u
            }
            Subject::Household(h) => {
                let household = self.population.household(h)?;
                self.person_holders(&mut schemes, household.members(), household.unit(), date, &mut found);
                household.unit()
            }
            Subject::Person(p) => {
                let unit = self.population.household(self.population.person(p)?.household())?.unit();
                self.person_holders(&mut schemes, &[p], unit, date, &mut found);
                unit
            }
        };
        self.unit_holders(&schemes, unit, date, &mut found)?;
        Ok(found)
    }

    /// The adopted schemes split by what they select: a look-up of holders asks only those
    /// that can hold its targets.
    pub(super) fn schemes_by_target(&self) -> SchemesByTarget<'_> {
        self.split_schemes(false)
    }

    /// [`Registry::schemes_by_target`] for a day's routing, which asks the holders of many
    /// persons in ascending runs: each scheme's person targets read once from the tree, in
    /// person order.
    pub(super) fn schemes_for_day(&self) -> SchemesByTarget<'_> {
        self.split_schemes(true)
    }

    fn split_schemes(&self, sorted: bool) -> SchemesByTarget<'_> {
        let (mut persons, mut units) = (Vec::new(), Vec::new());
        for (id, spec) in self.schemes() {
            let rules = spec.rules();
            if rules.iter().any(|r| matches!(r.targets(), TargetSelector::PersonsIn(_))) {
                let sorted = sorted.then(|| (self.duties.person_targets(id), 0));
                persons.push(PersonScheme { id, spec, sorted });
            }
            if rules.iter().any(|r| !matches!(r.targets(), TargetSelector::PersonsIn(_))) {
                units.push((id, spec));
            }
        }
        SchemesByTarget { persons, units }
    }

    /// Push the holders of `persons` themselves as targets (2+3), valid but for availability,
    /// in the order of `persons` then of the schemes; every one of `persons` lives at `unit`
    /// (the unit of their household).
    pub(super) fn person_holders<'a>(
        &'a self,
        schemes: &mut SchemesByTarget<'a>,
        persons: &[PersonId],
        unit: UnitId,
        date: NaiveDate,
        found: &mut Vec<(Responsible, bool)>,
    ) {
        for &p in persons {
            let target = Target::Person(p);
            for by in &mut schemes.persons {
                let Some(list) = by.holders(&self.duties, p) else { continue };
                let (scheme, spec) = (by.id, by.spec);
                for &(role, staff) in list {
                    // As `target_slot`: the slot's rule still selects the person (whose unit
                    // is their household's, `unit`).
                    let Some((rule, slot)) = spec.slot(role) else { continue };
                    if !spec.rules().get(rule).is_some_and(|r| self.selects_now(r.targets(), target)) {
                        continue;
                    }
                    let Ok(member) = self.duties.member(staff) else { continue };
                    if member.fits(slot, unit, &self.tree) {
                        found.push((Responsible { scheme, target, role, staff }, member.is_available_on(date)));
                    }
                }
            }
        }
    }

    /// Push the holders of `unit`, its entrances, every unit above it and theirs, and the
    /// cells naming any of them, as targets, valid but for availability: from `unit` up, each
    /// unit's own targets then its entrances' then its cells', in scheme order. With no scheme
    /// selecting units or cells, nothing is walked.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    pub(super) fn unit_holders(
        &self,
        schemes: &SchemesByTarget<'_>,
        unit: UnitId,
        date: NaiveDate,
        found: &mut Vec<(Responsible, bool)>,
    ) -> Result<(), Error> {
        if schemes.units.is_empty() {
            self.tree.check(unit)?;
            return Ok(());
        }
        let mut targets = Vec::new();
        let mut around: Vec<UnitId> = self.tree.ancestors(unit)?.collect();
        around.push(unit);
        for &u in around.iter().rev() {
            targets.push(Target::Unit(u));
            for &child in self.tree.children(u)? {
                if self.tree.unit(child).is_ok_and(|c| UnitClass::of(c.kind()) == UnitClass::Entrance) {
                    targets.push(Target::Unit(child));
                }
            }
            for &cell in self.overlays.cells_naming(u) {
                if !targets.contains(&Target::Cell(cell)) {
                    targets.push(Target::Cell(cell));
                }
            }
        }
        for target in targets {
            self.holders_at(target, &schemes.units, date, found);
        }
        Ok(())
    }

    /// Push the holders of `target` under `schemes`, valid but for availability (a holder
    /// away is still the holder), with whether they are available on `date`.
    fn holders_at(
        &self,
        target: Target,
        schemes: &[(SchemeId, &Scheme)],
        date: NaiveDate,
        found: &mut Vec<(Responsible, bool)>,
    ) {
        for &(scheme, spec) in schemes {
            let Some(list) = self.duties.holders_for(scheme, target) else { continue };
            for &(role, staff) in list {
                let Ok((unit, slot)) = self.target_slot(spec, target, role) else { continue };
                let Ok(member) = self.duties.member(staff) else { continue };
                if member.fits(&slot, unit, &self.tree) {
                    found.push((Responsible { scheme, target, role, staff }, member.is_available_on(date)));
                }
            }
        }
    }

    /// How well `scheme` covers `unit` on `date`: its targets inside (as
    /// [`Registry::duty_targets_within`]), those whose every slot has as many valid holders
    /// as it asks (valid as in [`Registry::responsible_for`]), each slot short, and the
    /// loads of everyone holding a role there.
    ///
    /// # Example
    /// Six cover one 六包一 over two communities, with only a police officer on the staff:
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::duty::{Qualification, Qualifications, Role, Scheme, Staff, Target};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let lv = |n: &str| levels.level(n).unwrap();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area))?;
    /// for name in ["农科路社区", "经三路社区"] {
    ///     reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new(name, lv("社区"), UnitKind::Area) })?;
    /// }
    /// let six = reg.apply(Command::AdoptScheme { scheme: Scheme::six_cover_one(lv("社区"), lv("街道"), None)? })?[0].new_scheme().unwrap();
    /// let staff = Staff::new(Name::new("民警")?, Qualifications::only(Qualification::Police), reg.root(), 2)?;
    /// let officer = reg.apply(Command::AddStaff { staff })?[0].new_staff().unwrap();
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    /// reg.apply(Command::Solve { scheme: six, on: feb1, balanced: false })?;
    ///
    /// let coverage = reg.duty_coverage(six, reg.root(), feb1)?;
    /// assert_eq!((coverage.targets, coverage.covered), (2, 0));
    /// // Each community lacks its five other roles; the police slot is held in both.
    /// assert_eq!(coverage.gaps.len(), 10);
    /// assert!(coverage.gaps.iter().all(|g| g.role != Role::AreaPolice && matches!(g.target, Target::Unit(_))));
    /// assert_eq!((coverage.loads[0].staff, coverage.loads[0].load, coverage.loads[0].limit), (officer, 2, 2));
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`], [`GridError::UnknownUnit`](crate::grid::GridError::UnknownUnit).
    ///
    /// # Complexity
    /// That of [`Registry::duty_targets_within`], plus O(log assignments + levels) per holder.
    pub fn duty_coverage(&self, scheme: SchemeId, unit: UnitId, date: NaiveDate) -> Result<Coverage, Error> {
        self.coverage_of(scheme, &[unit], date)
    }

    /// [`Registry::duty_coverage`] over several disjoint units (a scope's roots).
    pub(super) fn coverage_of(&self, scheme: SchemeId, units: &[UnitId], date: NaiveDate) -> Result<Coverage, Error> {
        let spec = self.duties.scheme(scheme)?;
        let holders = self.duties.holders(scheme)?;
        let targets = self.targets_inside(spec, units)?;
        let mut report =
            Coverage { scheme, date, targets: targets.len(), covered: 0, gaps: Vec::new(), loads: Vec::new() };
        let mut seen: Vec<StaffId> = Vec::new();
        for &(target, unit) in &targets {
            let list = holders.get(&target).map_or(&[][..], Vec::as_slice);
            seen.extend(list.iter().map(|&(_, s)| s));
            let mut covered = true;
            for rule in spec.rules().iter().filter(|r| self.selects_now(r.targets(), target)) {
                for slot in rule.slots() {
                    let valid = list
                        .iter()
                        .filter(|&&(role, staff)| {
                            role == slot.role()
                                && self.duties.member(staff).is_ok_and(|m| m.may_hold(slot, unit, date, &self.tree))
                        })
                        .count();
                    if valid < usize::from(slot.count()) {
                        covered = false;
                        let missing = slot.count().saturating_sub(u8::try_from(valid).unwrap_or(u8::MAX));
                        report.gaps.push(Gap { target, role: slot.role(), missing, count: slot.count() });
                    }
                }
            }
            report.covered += usize::from(covered);
        }
        seen.sort_unstable();
        seen.dedup();
        report.loads = seen
            .into_iter()
            .filter_map(|staff| {
                let member = self.duties.member(staff).ok()?;
                let load = self.duties.load(scheme, staff) as usize;
                Some(StaffLoad { staff, load, limit: spec.limit_for(member) })
            })
            .collect();
        Ok(report)
    }

    /// What [`Command::Replace`](super::Command::Replace) would do, without doing it: the
    /// targets `leaving` holds roles for under `scheme`, and the replacements that move the
    /// fewest other assignments ([`Roster::replace`] on the scheme's roster, staff and
    /// targets).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::duty::{Availability, Qualification, Qualifications, Role, Scheme, Staff};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let lv = |n: &str| levels.level(n).unwrap();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area))?;
    /// let community = reg.apply(Command::AddUnit { parent: reg.root(), unit: NewUnit::new("农科路社区", lv("社区"), UnitKind::Area) })?[0].new_unit().unwrap();
    /// let six = reg.apply(Command::AdoptScheme { scheme: Scheme::six_cover_one(lv("社区"), lv("街道"), None)? })?[0].new_scheme().unwrap();
    /// let officer = |reg: &mut Registry| -> Result<_, wangge::Error> {
    ///     let staff = Staff::new(Name::new("民警")?, Qualifications::only(Qualification::Police), reg.root(), 2)?;
    ///     Ok(reg.apply(Command::AddStaff { staff })?[0].new_staff().unwrap())
    /// };
    /// let (first, second) = (officer(&mut reg)?, officer(&mut reg)?);
    /// let day = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// reg.apply(Command::Solve { scheme: six, on: day(1), balanced: false })?;
    /// let holder = reg.responsible_for(community, day(1))?.iter().find(|r| r.role == Role::AreaPolice).unwrap().staff;
    ///
    /// // The officer's last day is 11 February: who takes over on the 12th?
    /// reg.apply(Command::SetAvailability { staff: holder, availability: Availability::Until(day(11)) })?;
    /// let proposal = reg.replacement(six, holder, day(12))?;
    /// assert_eq!(proposal.affected.len(), 1);
    /// let other = if holder == first { second } else { first };
    /// assert_eq!(proposal.added[0].staff, other);
    /// assert!(proposal.moved().is_empty());
    /// reg.apply(Command::Replace { scheme: six, leaving: holder, on: day(12) })?;
    /// assert_eq!(reg.responsible_for(community, day(12))?.iter().find(|r| r.role == Role::AreaPolice).unwrap().staff, other);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`DutyError::UnknownScheme`], [`DutyError::UnknownStaff`].
    pub fn replacement(&self, scheme: SchemeId, leaving: StaffId, on: NaiveDate) -> Result<Replacement, Error> {
        self.duties.member(leaving)?;
        let spec = self.duties.scheme(scheme)?;
        let targets = self.duty_targets(scheme)?;
        Ok(self.roster(scheme)?.replace(leaving, spec, self.duties.staff(), on, &targets, &self.tree))
    }
}

/// Commands, checks and commits.
impl Registry {
    /// Decide a responsibility command into its event.
    pub(super) fn decide_duty(&self, command: super::Command) -> Result<Event, Error> {
        use super::Command as C;
        let next = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        Ok(match command {
            C::AddStaff { staff } => {
                Event::StaffAdded { staff: StaffId::new(next(self.duties.staff.len())), spec: staff }
            }
            C::SetAvailability { staff, availability } => {
                let (from, until) = availability.bounds();
                Event::AvailabilitySet { staff, from, until }
            }
            C::AdoptScheme { scheme } => Event::SchemeAdopted {
                scheme: SchemeId::new(u16::try_from(self.duties.schemes.len()).unwrap_or(u16::MAX)),
                spec: scheme,
            },
            C::Assign { scheme, target, role, staff, on } => Event::Rostered {
                scheme,
                on,
                cause: RosterCause::Assign,
                removed: Vec::new(),
                added: vec![Assignment { target, role, staff }],
            },
            C::Unassign { scheme, target, role, staff, on } => Event::Rostered {
                scheme,
                on,
                cause: RosterCause::Unassign,
                removed: vec![Assignment { target, role, staff }],
                added: Vec::new(),
            },
            C::Solve { scheme, on, balanced } => {
                let spec = self.duties.scheme(scheme)?;
                let targets = self.duty_targets(scheme)?;
                let roster = self.roster(scheme)?;
                let solved = if balanced {
                    roster.solve_balanced(spec, self.duties.staff(), on, &targets, &self.tree)
                } else {
                    roster.solve(spec, self.duties.staff(), on, &targets, &self.tree)
                };
                let (removed, added) = difference(&roster, &solved.roster);
                let cause = if balanced { RosterCause::SolveBalanced } else { RosterCause::Solve };
                Event::Rostered { scheme, on, cause, removed, added }
            }
            C::Replace { scheme, leaving, on } => {
                let proposal = self.replacement(scheme, leaving, on)?;
                let cause = RosterCause::Replace { leaving };
                Event::Rostered { scheme, on, cause, removed: proposal.removed, added: proposal.added }
            }
            other => {
                return Err(
                    RegistryError::Mismatch { what: format!("{other:?} is not a responsibility command") }.into()
                );
            }
        })
    }

    /// Check a responsibility event against the current state; everything `commit_duty`
    /// could fail on is checked here.
    pub(super) fn check_duty(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::StaffAdded { staff, spec } => {
                self.tree.check(spec.home())?;
                Self::expect_id(IdTable::Staff, self.duties.staff.len() as u32, staff.get())?;
            }
            Event::AvailabilitySet { staff, from, until } => {
                self.duties.member(*staff)?.clone().available(*from, *until)?;
            }
            Event::SchemeAdopted { scheme, spec } => {
                if let Some(existing) = self.scheme_named(spec.name()) {
                    return Err(DutyError::SchemeNameTaken { name: spec.name().to_owned(), scheme: existing }.into());
                }
                Self::expect_id(IdTable::Scheme, self.duties.schemes.len() as u32, u32::from(scheme.get()))?;
            }
            Event::Rostered { scheme, on, cause, removed, added } => {
                self.check_rostered(*scheme, *on, *cause, removed, added)?;
            }
            _ => return Err(RegistryError::Mismatch { what: "not a responsibility event".to_owned() }.into()),
        }
        Ok(())
    }

    /// A roster change is valid when its shape fits its cause (an assignment adds one, an
    /// unassignment removes one, a replacement removes every place of the leaver and gives
    /// them none), it removes assignments held (each once), and adds
    /// assignments not held that have no problem of their own on `on`: a target the scheme
    /// selects now, a role it asks of it, a known staff member who is eligible, available and
    /// local, the slot not overfilled and the member not over their limit afterwards.
    fn check_rostered(
        &self,
        scheme: SchemeId,
        on: NaiveDate,
        cause: RosterCause,
        removed: &[Assignment],
        added: &[Assignment],
    ) -> Result<(), Error> {
        let spec = self.duties.scheme(scheme)?;
        let holders = self.duties.holders(scheme)?;
        let shape_ok = match cause {
            RosterCause::Assign => removed.is_empty() && added.len() == 1,
            RosterCause::Unassign => removed.len() == 1 && added.is_empty(),
            // The leaver gives up every place and takes none.
            RosterCause::Replace { leaving } => {
                self.duties.member(leaving).is_ok()
                    && added.iter().all(|a| a.staff != leaving)
                    && removed.iter().filter(|a| a.staff == leaving).count()
                        == self.duties.load(scheme, leaving) as usize
            }
            RosterCause::Solve | RosterCause::SolveBalanced => true,
        };
        if !shape_ok {
            return Err(RegistryError::Mismatch { what: format!("a {cause:?} with these changes") }.into());
        }
        let i = scheme.index();
        let mut gone: HashSet<&Assignment> = HashSet::with_capacity(removed.len());
        let mut delta: HashMap<(Target, Role), i64> = HashMap::new();
        let mut load: HashMap<StaffId, i64> = HashMap::new();
        for a in removed {
            if !self.duties.holds(i, a) || !gone.insert(a) {
                let (target, role, staff) = (a.target, a.role, a.staff);
                return Err(DutyError::NotHeld { scheme, target, role, staff }.into());
            }
            *delta.entry((a.target, a.role)).or_default() -= 1;
            *load.entry(a.staff).or_default() -= 1;
        }
        let mut new: HashSet<&Assignment> = HashSet::with_capacity(added.len());
        let mut slots: HashMap<(Target, Role), u8> = HashMap::new();
        for a in added {
            let (target, role, staff) = (a.target, a.role, a.staff);
            let problem = |p: RosterProblem| -> Error { DutyError::Roster(p).into() };
            let (unit, slot) = self.target_slot(spec, target, role)?;
            let member = self.duties.staff.get(staff.index()).ok_or(problem(RosterProblem::UnknownStaff {
                target,
                role,
                staff,
            }))?;
            if (self.duties.holds(i, a) && !gone.contains(a)) || !new.insert(a) {
                return Err(problem(RosterProblem::Duplicate { target, role, staff }));
            }
            if !member.is_eligible(role) {
                return Err(problem(RosterProblem::Ineligible { target, role, staff }));
            }
            if !member.is_available_on(on) {
                return Err(problem(RosterProblem::Unavailable { target, role, staff, date: on }));
            }
            if !member.may_hold(&slot, unit, on, &self.tree) {
                let (home, locality) = (member.home(), slot.locality());
                return Err(problem(RosterProblem::LocalityBreach { target, role, staff, home, unit, locality }));
            }
            *delta.entry((target, role)).or_default() += 1;
            *load.entry(staff).or_default() += 1;
            slots.insert((target, role), slot.count());
        }
        for ((target, role), count) in slots {
            let held = holders.get(&target).map_or(0, |list| list.iter().filter(|h| h.0 == role).count());
            let assigned = held as i64 + delta.get(&(target, role)).copied().unwrap_or(0);
            if assigned > i64::from(count) {
                let assigned = usize::try_from(assigned).unwrap_or(usize::MAX);
                return Err(DutyError::Roster(RosterProblem::Overfilled { target, role, assigned, count }).into());
            }
        }
        for (staff, change) in load {
            let Ok(member) = self.duties.member(staff) else { continue };
            let after = i64::from(self.duties.load(scheme, staff)) + change;
            let limit = spec.limit_for(member);
            if change > 0 && after > i64::from(limit) {
                let load = usize::try_from(after).unwrap_or(usize::MAX);
                return Err(DutyError::Roster(RosterProblem::OverLoad { staff, load, limit }).into());
            }
        }
        Ok(())
    }

    /// Apply a checked responsibility event.
    pub(super) fn commit_duty(&mut self, event: &Event) -> Result<(), Error> {
        match event {
            Event::StaffAdded { spec, .. } => {
                self.duties.staff.push(spec.clone());
            }
            Event::AvailabilitySet { staff, from, until } => {
                let updated = self.duties.member(*staff)?.clone().available(*from, *until)?;
                if let Some(member) = self.duties.staff.get_mut(staff.index()) {
                    *member = updated;
                }
            }
            Event::SchemeAdopted { spec, .. } => {
                if let Some(id) = SchemeId::from_index(self.duties.schemes.len()) {
                    self.duties.names.entry(spec.name().to_owned()).or_insert(id);
                }
                self.duties.schemes.push(spec.clone());
                self.duties.holders.push(BTreeMap::new());
                self.duties.loads.push(Loads::new());
            }
            Event::Rostered { scheme, removed, added, .. } => {
                let i = scheme.index();
                for a in removed {
                    self.duties.remove(i, a);
                }
                for &a in added {
                    self.duties.add(i, a);
                }
            }
            _ => return Err(RegistryError::Mismatch { what: "not a responsibility event".to_owned() }.into()),
        }
        Ok(())
    }

    /// What is wrong with the responsibility state: the book's own problems, staff homed
    /// outside the tree, assignments for targets that do not exist.
    pub(super) fn duty_problems(&self) -> Vec<String> {
        let mut found = self.duties.problems();
        for (i, member) in self.duties.staff.iter().enumerate() {
            if !self.tree.contains(member.home()) {
                found.push(format!("staff {i} belongs to unit {}, not in the tree", member.home()));
            }
        }
        for (i, holders) in self.duties.holders.iter().enumerate() {
            for target in holders.keys() {
                let exists = match *target {
                    Target::Unit(u) => self.tree.contains(u),
                    Target::Cell(c) => self.overlays.cell(c).is_ok(),
                    Target::Person(p) => self.population.person(p).is_ok(),
                };
                if !exists {
                    found.push(format!("scheme {i}: {target:?} does not exist"));
                }
            }
        }
        found
    }
}

/// The assignments of `before` not in `after` (in `before`'s order) and of `after` not in
/// `before` (in `after`'s order).
fn difference(before: &Roster, after: &Roster) -> (Vec<Assignment>, Vec<Assignment>) {
    let old: HashSet<&Assignment> = before.assignments().iter().collect();
    let new: HashSet<&Assignment> = after.assignments().iter().collect();
    let removed = before.assignments().iter().filter(|a| !new.contains(a)).copied().collect();
    let added = after.assignments().iter().filter(|a| !old.contains(a)).copied().collect();
    (removed, added)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::duty::{Qualification, Qualifications};
    use crate::people::Name;

    /// A book with one 2+3 scheme whose roster holds `targets` (person index, holders).
    fn book(targets: &[(u32, Vec<(bool, u32)>)]) -> DutyBook {
        let staff: Vec<Staff> = (0..4)
            .map(|i| {
                let q = Qualifications::only(Qualification::GridWorker).with(Qualification::HealthWorker);
                Staff::new(Name::new(&format!("员{i}")).unwrap(), q, UnitId::new(0), 100).unwrap()
            })
            .collect();
        let roster = targets
            .iter()
            .flat_map(|(p, holders)| {
                holders.iter().map(|&(grid, s)| Assignment {
                    target: Target::Person(PersonId::new(*p)),
                    role: if grid { Role::GridWorker } else { Role::HealthWorker },
                    staff: StaffId::new(s),
                })
            })
            .collect();
        let unit =
            vec![Assignment { target: Target::Unit(UnitId::new(0)), role: Role::GridWorker, staff: StaffId::new(0) }];
        DutyBook::from_parts(staff, vec![Scheme::two_plus_three()], vec![[unit, roster].concat()]).unwrap()
    }

    proptest! {
        /// A day's sorted person targets with their cursor answer every sequence of look-ups
        /// (ascending runs, restarts, repeats, persons holding nobody) exactly as the tree.
        #[test]
        fn the_cursor_over_person_targets_answers_as_the_tree(
            targets in prop::collection::btree_map(0u32..200, prop::collection::vec((any::<bool>(), 0u32..4), 1..4), 0..60),
            asks in prop::collection::vec(0u32..210, 0..120),
        ) {
            let targets: Vec<(u32, Vec<(bool, u32)>)> = targets.into_iter().collect();
            let book = book(&targets);
            let id = SchemeId::new(0);
            let spec = book.schemes().first().unwrap();
            let mut by = PersonScheme { id, spec, sorted: Some((book.person_targets(id), 0)) };
            // Ascending runs (as a day asks them), then the same persons in any order.
            let mut runs = asks.clone();
            runs.chunks_mut(17).for_each(<[u32]>::sort_unstable);
            for p in runs.into_iter().chain(asks) {
                let p = PersonId::new(p);
                prop_assert_eq!(by.holders(&book, p), book.holders_for(id, Target::Person(p)), "{:?}", p);
            }
        }
    }
}
