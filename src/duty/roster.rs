//! Rosters 包保名单: who holds which role for which target, and what is wrong with them.
//!
//! A [`Roster`] is a plain list of [`Assignment`]s. The registry keeps one per adopted scheme,
//! changed by `Assign`, `Unassign`, `Solve` and `Replace`, and checks it with
//! [`Roster::problems`] against the scheme, the staff pool, the date and the targets the
//! scheme selects now; a host can do the same with a roster of its own before sending it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Locality, Role, Scheme, Staff, TargetSelector};
use crate::grid::Tree;
use crate::{CellId, PersonId, StaffId, UnitId};

/// What a role is held for: a unit, an overlay cell or a person.
///
/// Serialised externally tagged: `{"Unit": 3}`, `{"Cell": 0}`, `{"Person": 12}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Target {
    /// A unit: a community, a building, an entrance ...
    Unit(UnitId),
    /// A cell of an overlay: a zone, a grid.
    Cell(CellId),
    /// A person (2+3 key-person control).
    Person(PersonId),
}

/// One assignment: `staff` holds `role` for `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// What the role is held for.
    pub target: Target,
    /// The role.
    pub role: Role,
    /// Who holds it.
    pub staff: StaffId,
}

/// Something wrong with a roster under a scheme, on a date. Names staff, targets and units by
/// id only, never by name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RosterProblem {
    /// A target to cover whose unit, or an assigned staff member's home unit, is not in the
    /// tree.
    #[error("unit {unit} is not in the tree")]
    UnknownUnit {
        /// The unit.
        unit: UnitId,
    },
    /// A target to cover that no rule of the scheme selects (a unit of another level or kind,
    /// a cell or person when the scheme has no such rule).
    #[error("{target:?} is not a target of the scheme")]
    NotSelected {
        /// The target.
        target: Target,
    },
    /// An assignment for a target that is not among the targets to cover.
    #[error("{staff} holds {role} for {target:?}, which is not among the targets to cover")]
    UnlistedTarget {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
    },
    /// An assignment of a role the scheme does not ask of this target.
    #[error("{role} is not a role the scheme asks of {target:?}")]
    RoleNotForTarget {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
    },
    /// An assignment to a staff id not in the pool.
    #[error("no staff member {staff} (holding {role} for {target:?})")]
    UnknownStaff {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The id.
        staff: StaffId,
    },
    /// The same assignment twice.
    #[error("{staff} holds {role} for {target:?} twice")]
    Duplicate {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
    },
    /// A staff member who holds none of the qualifications the role requires.
    #[error("{staff} is not eligible for {role} (for {target:?})")]
    Ineligible {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
    },
    /// A staff member not available on the date.
    #[error("{staff} is not available on {date} (holding {role} for {target:?})")]
    Unavailable {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
        /// The date.
        date: NaiveDate,
    },
    /// A staff member whose home unit does not meet the slot's locality.
    #[error("{staff} (home {home}) breaches {locality:?} for {role} of {target:?} (unit {unit})")]
    LocalityBreach {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
        /// The staff member's home unit.
        home: UnitId,
        /// The target's unit.
        unit: UnitId,
        /// The locality asked for.
        locality: Locality,
    },
    /// A target with fewer valid holders of a role than its slot asks.
    #[error("{target:?} lacks {missing} of the {count} {role} it needs")]
    Missing {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// How many holders are missing.
        missing: u8,
        /// How many the slot asks.
        count: u8,
    },
    /// A target with more holders of a role than its slot asks.
    #[error("{target:?} has {assigned} holders of {role}: expected at most {count}")]
    Overfilled {
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// How many hold it.
        assigned: usize,
        /// How many the slot asks.
        count: u8,
    },
    /// A staff member carrying more assignments than their load limit.
    #[error("{staff} carries {load} assignments: expected at most {limit}")]
    OverLoad {
        /// The staff member.
        staff: StaffId,
        /// How many assignments they carry in the roster.
        load: usize,
        /// Their limit.
        limit: u16,
    },
}

/// A roster 包保名单: assignments of staff to (target, role), in the order given.
///
/// A roster is a plain list: anything may be written into it, and [`Roster::problems`] says
/// what is wrong under a scheme, a staff pool and a date.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::StaffId;
/// use wangge::duty::{Locality, Qualification, Qualifications, Role, Roster, RosterProblem, Rule, Scheme, Slot, Staff, Target, TargetSelector, UnitClass};
/// use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind};
/// use wangge::people::Name;
///
/// let levels = LevelScheme::zhengzhou();
/// let mut tree = Tree::new(levels.clone(), NewUnit::new("花园路街道", levels.level("sub-district").unwrap(), UnitKind::Area))?;
/// let community = tree.add(tree.root(), NewUnit::new("农科路社区", levels.level("community").unwrap(), UnitKind::Area))?;
/// let yard = tree.add(community, NewUnit::new("3号院", levels.level("courtyard").unwrap(), UnitKind::Area))?;
/// let building = tree.add(yard, NewUnit::new("1号楼", levels.level("building group").unwrap(), UnitKind::Building))?;
///
/// let scheme = Scheme::builder("building_heads", vec![Rule::new(
///     TargetSelector::UnitsOfKind(UnitClass::Building),
///     vec![Slot::new(Role::BuildingHead, 1, Locality::WithinTarget)],
/// )]).build()?;
/// let volunteer = Qualifications::only(Qualification::Volunteer);
/// let staff = [
///     Staff::new(Name::new("张三")?, volunteer, building, 2)?,
///     Staff::new(Name::new("李四")?, volunteer, yard, 2)?,
/// ];
/// let targets = [(Target::Unit(building), building)];
/// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
///
/// let mut roster = Roster::new();
/// assert_eq!(
///     roster.validate(&scheme, &staff, feb1, &targets, &tree),
///     Err(RosterProblem::Missing { target: Target::Unit(building), role: Role::BuildingHead, missing: 1, count: 1 })
/// );
/// roster.assign(Target::Unit(building), Role::BuildingHead, StaffId::new(1)); // lives in the yard, not the building
/// assert!(matches!(roster.validate(&scheme, &staff, feb1, &targets, &tree), Err(RosterProblem::LocalityBreach { .. })));
/// let roster = Roster::from_iter([(Target::Unit(building), Role::BuildingHead, StaffId::new(0))]);
/// assert!(roster.problems(&scheme, &staff, feb1, &targets, &tree).is_empty());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Roster {
    assignments: Vec<Assignment>,
}

impl FromIterator<(Target, Role, StaffId)> for Roster {
    fn from_iter<I: IntoIterator<Item = (Target, Role, StaffId)>>(iter: I) -> Self {
        Roster {
            assignments: iter.into_iter().map(|(target, role, staff)| Assignment { target, role, staff }).collect(),
        }
    }
}

impl Roster {
    /// An empty roster.
    pub fn new() -> Self {
        Roster::default()
    }

    /// Add the assignment: `staff` holds `role` for `target`. Nothing is checked here.
    pub fn assign(&mut self, target: Target, role: Role, staff: StaffId) {
        self.assignments.push(Assignment { target, role, staff });
    }

    /// The assignments, in the order given.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    /// How many assignments `staff` carries.
    pub fn load(&self, staff: StaffId) -> usize {
        self.assignments.iter().filter(|a| a.staff == staff).count()
    }

    /// Every problem of this roster under `scheme`, with the staff pool `staff` (indexed by
    /// [`StaffId`]), on `date`, for the targets to cover `targets` (each with its unit: a unit
    /// itself, a person's household unit, a cell's unit as the caller resolves it), the tree
    /// giving levels, kinds and localities. Empty when [`Roster::validate`] is `Ok`.
    ///
    /// In this order:
    /// 1. each target to cover, in order: [`RosterProblem::UnknownUnit`] (its unit),
    ///    [`RosterProblem::NotSelected`];
    /// 2. each assignment, in order: [`RosterProblem::UnlistedTarget`],
    ///    [`RosterProblem::RoleNotForTarget`], [`RosterProblem::UnknownStaff`],
    ///    [`RosterProblem::Duplicate`], [`RosterProblem::Ineligible`],
    ///    [`RosterProblem::Unavailable`], [`RosterProblem::UnknownUnit`] (the staff member's
    ///    home), [`RosterProblem::LocalityBreach`]; the first of these that applies stops
    ///    the checks of that assignment after it, except that eligibility, availability and
    ///    locality are all reported;
    /// 3. each target to cover, each slot of its rules in scheme order:
    ///    [`RosterProblem::Missing`] (counting only the assignments of step 2 without a
    ///    problem), [`RosterProblem::Overfilled`] (counting every assignment that names it);
    /// 4. each staff member in id order: [`RosterProblem::OverLoad`] (counting every
    ///    assignment in the roster; which of them to drop is the solver's choice, so a load
    ///    problem does not make the others missing).
    ///
    /// A unit target is selected by [`TargetSelector::UnitsAtLevel`] and
    /// [`TargetSelector::UnitsOfKind`] rules that match its level or kind in `tree`; a cell by
    /// every [`TargetSelector::CellsOf`] rule, a person by every [`TargetSelector::PersonsIn`]
    /// rule (the caller chose the cells of the overlay and the persons in those states).
    ///
    /// # Complexity
    /// O(targets × slots + assignments × log assignments), with O(levels) per locality check.
    pub fn problems(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
    ) -> Vec<RosterProblem> {
        let mut found = Vec::new();
        // 1. The targets and the rules that select them.
        let mut cover: HashMap<Target, (UnitId, Vec<usize>)> = HashMap::with_capacity(targets.len());
        for &(target, unit) in targets {
            if !tree.contains(unit) {
                found.push(RosterProblem::UnknownUnit { unit });
            }
            let rules: Vec<usize> = scheme
                .rules()
                .iter()
                .enumerate()
                .filter(|(_, r)| selects(r.targets(), target, tree))
                .map(|(i, _)| i)
                .collect();
            if rules.is_empty() {
                found.push(RosterProblem::NotSelected { target });
            }
            cover.entry(target).or_insert((unit, rules));
        }

        // 2. Each assignment; count the valid ones and all, per (target, role).
        let mut valid: HashMap<(Target, Role), u8> = HashMap::new();
        let mut named: HashMap<(Target, Role), usize> = HashMap::new();
        let mut seen: HashSet<Assignment> = HashSet::with_capacity(self.assignments.len());
        for a in &self.assignments {
            *named.entry((a.target, a.role)).or_default() += 1;
            let (target, role, id) = (a.target, a.role, a.staff);
            let Some((unit, rules)) = cover.get(&target) else {
                found.push(RosterProblem::UnlistedTarget { target, role, staff: id });
                continue;
            };
            let Some((_, slot)) = scheme.slot(role).filter(|(rule, _)| rules.contains(rule)) else {
                found.push(RosterProblem::RoleNotForTarget { target, role });
                continue;
            };
            let Some(member) = staff.get(id.index()) else {
                found.push(RosterProblem::UnknownStaff { target, role, staff: id });
                continue;
            };
            if !seen.insert(*a) {
                found.push(RosterProblem::Duplicate { target, role, staff: id });
                continue;
            }
            let mut ok = true;
            if !member.is_eligible(role) {
                found.push(RosterProblem::Ineligible { target, role, staff: id });
                ok = false;
            }
            if !member.is_available_on(date) {
                found.push(RosterProblem::Unavailable { target, role, staff: id, date });
                ok = false;
            }
            let home = member.home();
            match locality_holds(slot.locality(), home, *unit, tree) {
                Some(true) => {}
                Some(false) => {
                    let locality = slot.locality();
                    found.push(RosterProblem::LocalityBreach { target, role, staff: id, home, unit: *unit, locality });
                    ok = false;
                }
                None => {
                    // The target's own unknown unit was reported in step 1.
                    if !tree.contains(home) {
                        found.push(RosterProblem::UnknownUnit { unit: home });
                    }
                    ok = false;
                }
            }
            if ok {
                let n = valid.entry((target, role)).or_default();
                *n = n.saturating_add(1);
            }
        }

        // 3. Each target's slots.
        let mut done: HashSet<Target> = HashSet::with_capacity(targets.len());
        for &(target, _) in targets {
            if !done.insert(target) {
                continue;
            }
            let Some((_, rules)) = cover.get(&target) else { continue };
            for &rule in rules {
                let Some(r) = scheme.rules().get(rule) else { continue };
                for slot in r.slots() {
                    let role = slot.role();
                    let have = valid.get(&(target, role)).copied().unwrap_or(0);
                    let count = slot.count();
                    if have < count {
                        found.push(RosterProblem::Missing { target, role, missing: count - have, count });
                    }
                    let assigned = named.get(&(target, role)).copied().unwrap_or(0);
                    if assigned > usize::from(count) {
                        found.push(RosterProblem::Overfilled { target, role, assigned, count });
                    }
                }
            }
        }

        // 4. Loads, counted for those holding something (by id): O(assignments), whatever the
        // size of the pool.
        let mut load: BTreeMap<StaffId, usize> = BTreeMap::new();
        for a in &self.assignments {
            if a.staff.index() < staff.len() {
                *load.entry(a.staff).or_default() += 1;
            }
        }
        for (id, n) in load {
            let Some(member) = staff.get(id.index()) else { continue };
            let limit = scheme.limit_for(member);
            if n > usize::from(limit) {
                found.push(RosterProblem::OverLoad { staff: id, load: n, limit });
            }
        }
        found
    }

    /// The first of [`Roster::problems`], or `Ok`.
    ///
    /// # Errors
    /// The first problem, in the order [`Roster::problems`] gives.
    ///
    /// # Complexity
    /// As [`Roster::problems`].
    pub fn validate(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
    ) -> Result<(), RosterProblem> {
        match self.problems(scheme, staff, date, targets, tree).into_iter().next() {
            Some(p) => Err(p),
            None => Ok(()),
        }
    }
}

/// Whether `selector` selects `target`: a unit by its level or kind in `tree` (an unknown unit
/// by none), a cell by any cell selector, a person by any person selector.
pub(super) fn selects(selector: &TargetSelector, target: Target, tree: &Tree) -> bool {
    match (selector, target) {
        (selector, Target::Unit(u)) => tree.unit(u).is_ok_and(|unit| selector.selects_unit(unit)),
        (TargetSelector::CellsOf(_), Target::Cell(_)) | (TargetSelector::PersonsIn(_), Target::Person(_)) => true,
        _ => false,
    }
}

/// Whether a staff member at `home` meets `locality` for a target at `unit`; `None` when either
/// unit is not in the tree.
pub(crate) fn locality_holds(locality: Locality, home: UnitId, unit: UnitId, tree: &Tree) -> Option<bool> {
    match locality {
        Locality::Anywhere => (tree.contains(home) && tree.contains(unit)).then_some(true),
        Locality::WithinTarget => tree.is_within(home, unit).ok(),
        Locality::HomeCovers => tree.is_within(unit, home).ok(),
        Locality::SameAncestorAt(level) => {
            let a = tree.ancestor_at(home, level).ok()?;
            let b = tree.ancestor_at(unit, level).ok()?;
            Some(a.is_some() && a == b)
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::duty::{Qualification as Q, Qualifications, Rule, Slot, UnitClass};
    use crate::grid::Level;

    use crate::duty::fixtures::{City, city, day, member};

    fn staff(q: Q, home: UnitId, limit: u16) -> Staff {
        member(Qualifications::only(q), home, limit)
    }

    /// Communities need one secretary of the community and two doctors of the same
    /// sub-district; buildings one building head living there; persons a grid worker covering
    /// their household.
    fn scheme() -> Scheme {
        Scheme::builder(
            "test",
            vec![
                Rule::new(
                    TargetSelector::UnitsAtLevel(Level::new(1)),
                    vec![
                        Slot::new(Role::CommunitySecretary, 1, Locality::WithinTarget),
                        Slot::new(Role::AreaDoctor, 2, Locality::SameAncestorAt(Level::new(0))),
                    ],
                ),
                Rule::new(
                    TargetSelector::UnitsOfKind(UnitClass::Building),
                    vec![Slot::new(Role::BuildingHead, 1, Locality::WithinTarget)],
                ),
                Rule::new(
                    TargetSelector::PersonsIn(vec![crate::colour::State::CloseContact]),
                    vec![Slot::new(Role::GridWorker, 1, Locality::HomeCovers)],
                ),
            ],
        )
        .build()
        .unwrap()
    }

    fn s(i: u32) -> StaffId {
        StaffId::new(i)
    }

    #[test]
    fn a_full_roster_validates_and_each_rule_is_checked() {
        let c = city();
        let pool = vec![
            staff(Q::PartySecretary, c.community[0], 1), // s0
            staff(Q::Medical, c.tree.root(), 2),         // s1
            staff(Q::Medical, c.yard[1], 2),             // s2
            staff(Q::Volunteer, c.building[0], 1),       // s3
            staff(Q::GridWorker, c.community[0], 5),     // s4
        ];
        let com = Target::Unit(c.community[0]);
        let bld = Target::Unit(c.building[0]);
        let per = Target::Person(PersonId::new(7));
        let targets = [(com, c.community[0]), (bld, c.building[0]), (per, c.yard[0])];
        let full = Roster::from_iter([
            (com, Role::CommunitySecretary, s(0)),
            (com, Role::AreaDoctor, s(1)),
            (com, Role::AreaDoctor, s(2)),
            (bld, Role::BuildingHead, s(3)),
            (per, Role::GridWorker, s(4)),
        ]);
        let check = |r: &Roster, pool: &[Staff], date| r.problems(&scheme(), pool, date, &targets, &c.tree);
        assert_eq!(check(&full, &pool, day(1)), []);
        assert_eq!(full.load(s(1)), 1);

        // Missing, with how many.
        let partial = Roster::from_iter(full.assignments()[..2].iter().map(|a| (a.target, a.role, a.staff)));
        assert_eq!(
            check(&partial, &pool, day(1)),
            [
                RosterProblem::Missing { target: com, role: Role::AreaDoctor, missing: 1, count: 2 },
                RosterProblem::Missing { target: bld, role: Role::BuildingHead, missing: 1, count: 1 },
                RosterProblem::Missing { target: per, role: Role::GridWorker, missing: 1, count: 1 },
            ]
        );
        assert_eq!(
            Roster::new().validate(&scheme(), &pool, day(1), &targets, &c.tree),
            Err(RosterProblem::Missing { target: com, role: Role::CommunitySecretary, missing: 1, count: 1 })
        );

        // Ineligible: the volunteer (living in the community's building) as secretary; the
        // slot is then missing too, and the volunteer carries two.
        let mut r = full.clone();
        r.assignments[0].staff = s(3);
        assert_eq!(
            check(&r, &pool, day(1)),
            [
                RosterProblem::Ineligible { target: com, role: Role::CommunitySecretary, staff: s(3) },
                RosterProblem::Missing { target: com, role: Role::CommunitySecretary, missing: 1, count: 1 },
                RosterProblem::OverLoad { staff: s(3), load: 2, limit: 1 },
            ]
        );

        // Unavailable.
        let mut away = pool.clone();
        away[4] = away[4].clone().available(Some(day(2)), None).unwrap();
        assert_eq!(
            check(&full, &away, day(1)),
            [
                RosterProblem::Unavailable { target: per, role: Role::GridWorker, staff: s(4), date: day(1) },
                RosterProblem::Missing { target: per, role: Role::GridWorker, missing: 1, count: 1 },
            ]
        );
        assert_eq!(check(&full, &away, day(2)), []);

        // Locality breaches: the secretary of the other community; a grid worker whose home
        // does not cover the household; a doctor of another sub-district is impossible in a
        // one-root tree, so a level the tree lacks stands in.
        let mut moved = pool.clone();
        moved[0] = staff(Q::PartySecretary, c.community[1], 1);
        moved[4] = staff(Q::GridWorker, c.community[1], 5);
        let p = check(&full, &moved, day(1));
        assert_eq!(p.len(), 4, "{p:?}");
        assert_eq!(
            p[0],
            RosterProblem::LocalityBreach {
                target: com,
                role: Role::CommunitySecretary,
                staff: s(0),
                home: c.community[1],
                unit: c.community[0],
                locality: Locality::WithinTarget,
            }
        );
        assert!(matches!(p[1], RosterProblem::LocalityBreach { role: Role::GridWorker, .. }));
        assert!(matches!(p[2], RosterProblem::Missing { role: Role::CommunitySecretary, .. }));
        assert!(matches!(p[3], RosterProblem::Missing { role: Role::GridWorker, .. }));
        let b = Scheme::builder(
            "deep",
            vec![Rule::new(
                TargetSelector::UnitsOfKind(UnitClass::Building),
                vec![Slot::new(Role::BuildingHead, 1, Locality::SameAncestorAt(Level::new(9)))],
            )],
        )
        .build()
        .unwrap();
        let r = Roster::from_iter([(bld, Role::BuildingHead, s(3))]);
        assert!(matches!(
            r.validate(&b, &pool, day(1), &[(bld, c.building[0])], &c.tree),
            Err(RosterProblem::LocalityBreach { .. })
        ));

        // Over load.
        let mut two = full.clone();
        two.assign(Target::Unit(c.building[1]), Role::BuildingHead, s(3));
        let targets2 = [targets[0], targets[1], targets[2], (Target::Unit(c.building[1]), c.building[1])];
        let p = two.problems(&scheme(), &pool, day(1), &targets2, &c.tree);
        assert!(p.contains(&RosterProblem::OverLoad { staff: s(3), load: 2, limit: 1 }), "{p:?}");
        assert!(p.iter().any(|p| matches!(p, RosterProblem::LocalityBreach { staff, .. } if *staff == s(3))));
    }

    #[test]
    fn bookkeeping_problems() {
        let c = city();
        let pool = vec![staff(Q::Volunteer, c.building[0], 3), staff(Q::Volunteer, UnitId::new(99), 3)];
        let bld = Target::Unit(c.building[0]);
        let yard = Target::Unit(c.yard[0]);
        let cell = Target::Cell(CellId::new(0));
        let targets = [(bld, c.building[0]), (yard, c.yard[0]), (cell, UnitId::new(50))];
        let r = Roster::from_iter([
            (bld, Role::BuildingHead, s(0)),
            (bld, Role::BuildingHead, s(0)),
            (Target::Unit(c.building[1]), Role::BuildingHead, s(0)),
            (bld, Role::GateHead, s(0)),
            (bld, Role::CommunitySecretary, s(0)),
            (bld, Role::BuildingHead, s(9)),
            (bld, Role::BuildingHead, s(1)),
        ]);
        assert_eq!(
            r.problems(&scheme(), &pool, day(1), &targets, &c.tree),
            [
                RosterProblem::NotSelected { target: yard },
                RosterProblem::UnknownUnit { unit: UnitId::new(50) },
                RosterProblem::NotSelected { target: cell },
                RosterProblem::Duplicate { target: bld, role: Role::BuildingHead, staff: s(0) },
                RosterProblem::UnlistedTarget {
                    target: Target::Unit(c.building[1]),
                    role: Role::BuildingHead,
                    staff: s(0)
                },
                RosterProblem::RoleNotForTarget { target: bld, role: Role::GateHead },
                RosterProblem::RoleNotForTarget { target: bld, role: Role::CommunitySecretary },
                RosterProblem::UnknownStaff { target: bld, role: Role::BuildingHead, staff: s(9) },
                RosterProblem::UnknownUnit { unit: UnitId::new(99) },
                RosterProblem::Overfilled { target: bld, role: Role::BuildingHead, assigned: 4, count: 1 },
                RosterProblem::OverLoad { staff: s(0), load: 5, limit: 3 },
            ]
        );
    }

    #[test]
    fn problems_name_no_one_and_serialise() {
        let p =
            RosterProblem::Ineligible { target: Target::Person(PersonId::new(3)), role: Role::AreaPolice, staff: s(4) };
        assert_eq!(p.to_string(), "s4 is not eligible for area police officer 片警 (for Person(p3))");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<RosterProblem>(&json).unwrap(), p);
        let e: crate::Error = crate::duty::DutyError::from(p.clone()).into();
        assert_eq!(e.to_string(), p.to_string());
        let r = Roster::from_iter([(Target::Cell(CellId::new(1)), Role::DepartmentLeader, s(2))]);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"[{"target":{"Cell":1},"role":"DepartmentLeader","staff":2}]"#);
        assert_eq!(serde_json::from_str::<Roster>(&json).unwrap(), r);
    }

    fn arb_roster() -> impl Strategy<Value = (Vec<Staff>, Roster, u32)> {
        let qs = prop::sample::select(vec![Q::PartySecretary, Q::Medical, Q::Volunteer, Q::GridWorker, Q::Police]);
        let member = (qs, 0u32..8, 1u16..3, prop::option::of(1u32..10));
        let roles = prop::sample::select(vec![
            Role::CommunitySecretary,
            Role::AreaDoctor,
            Role::BuildingHead,
            Role::GridWorker,
            Role::GateHead,
        ]);
        let assignment = (0usize..6, roles, 0u32..7);
        (prop::collection::vec(member, 0..6), prop::collection::vec(assignment, 0..12), 1u32..12).prop_map(
            |(members, assignments, date)| {
                let c = city();
                let homes = c.homes();
                let pool = members
                    .into_iter()
                    .map(|(q, home, limit, from)| {
                        staff(q, homes[home as usize], limit).available(from.map(day), None).unwrap()
                    })
                    .collect();
                let ts = all_targets(&c);
                let roster = assignments.into_iter().map(|(t, role, id)| (ts[t].0, role, s(id))).collect();
                (pool, roster, date)
            },
        )
    }

    fn all_targets(c: &City) -> Vec<(Target, UnitId)> {
        vec![
            (Target::Unit(c.community[0]), c.community[0]),
            (Target::Unit(c.community[1]), c.community[1]),
            (Target::Unit(c.building[0]), c.building[0]),
            (Target::Unit(c.building[1]), c.building[1]),
            (Target::Person(PersonId::new(0)), c.yard[0]),
            (Target::Unit(c.yard[0]), c.yard[0]),
        ]
    }

    proptest! {
        #[test]
        fn validate_is_the_first_of_problems((pool, roster, date) in arb_roster()) {
            let c = city();
            let targets = all_targets(&c);
            let problems = roster.problems(&scheme(), &pool, day(date), &targets, &c.tree);
            let first = roster.validate(&scheme(), &pool, day(date), &targets, &c.tree);
            prop_assert_eq!(problems.is_empty(), first.is_ok());
            prop_assert_eq!(problems.first().cloned().map_or(Ok(()), Err), first);
            // The yard is never a target of the scheme; the roster is the same without it, but
            // for the yard's own problems.
            let yard = RosterProblem::NotSelected { target: Target::Unit(c.yard[0]) };
            prop_assert!(problems.contains(&yard));
            let rest = roster.problems(&scheme(), &pool, day(date), &targets[..5], &c.tree);
            prop_assert!(!rest.contains(&yard));
        }
    }
}
