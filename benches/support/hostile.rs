//! Small hostile inputs of issue 14 §5, built through the public API: shared by
//! `benches/hostile.rs` (time) and `examples/hostile.rs` (time and peak memory of one run).
//!
//! Each is a few hundred kilobytes of commands at most, and each used to cost time or memory
//! quadratic in its size.

#![allow(dead_code)] // each user takes what it measures

use chrono::NaiveDate;
use wangge::duty::TargetSelector;
use wangge::duty::{Locality, Qualification as Q, Qualifications, Role, Roster, Rule, Scheme, Slot, Staff, Target};
use wangge::grid::{LevelScheme, NewUnit, OverlayKind, Tree, UnitKind};
use wangge::people::{DoorLabel, Name};
use wangge::{Command, Event, PersonId, Registry, UnitId};

/// The date of every solve.
pub const DAY: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// A sub-district (Zhengzhou levels) with `n` communities under its root, by id.
pub fn registry_with_communities(n: usize) -> (Registry, Vec<UnitId>) {
    let levels = LevelScheme::zhengzhou();
    let lv = |name: &str| levels.level(name).expect("a Zhengzhou level");
    let mut reg = Registry::new(levels.clone(), NewUnit::new("街道", lv("街道"), UnitKind::Area)).expect("a root");
    let root = reg.root();
    let units = (0..n)
        .map(|i| {
            let unit = NewUnit::new(format!("社区{i}"), lv("社区"), UnitKind::Area);
            reg.apply(Command::AddUnit { parent: root, unit }).expect("a community")[0].new_unit().expect("a unit")
        })
        .collect();
    (reg, units)
}

/// A command a user limited to every community may issue: a household in the first one.
pub fn household_in(unit: UnitId) -> Command {
    Command::AddHousehold { unit, door: DoorLabel::new("1-101").expect("a door") }
}

/// A registry adopting `schemes` schemes (one rule each, distinct names) and registering
/// `staff` staff members, all homed at the root, with no assignment.
pub fn registry_with_schemes_and_staff(schemes: usize, staff: usize) -> Registry {
    let (mut reg, _) = registry_with_communities(1);
    let community = reg.tree().scheme().level("社区").expect("a Zhengzhou level");
    for i in 0..schemes {
        let rule = Rule::new(
            TargetSelector::UnitsAtLevel(community),
            vec![Slot::new(Role::CommunitySecretary, 1, Locality::WithinTarget)],
        );
        let scheme = Scheme::builder(format!("s{i}"), vec![rule]).build().expect("a scheme");
        reg.apply(Command::AdoptScheme { scheme }).expect("adopted");
    }
    let root = reg.root();
    for _ in 0..staff {
        let member = Staff::new(Name::new("员").expect("a name"), Qualifications::only(Q::Volunteer), root, 1)
            .expect("a staff member");
        reg.apply(Command::AddStaff { staff: member }).expect("added");
    }
    reg
}

/// A sub-district with `n` communities and one overlay, and the commands adding one cell per
/// community.
pub fn registry_and_cells(n: usize) -> (Registry, Vec<Command>) {
    let (mut reg, units) = registry_with_communities(n);
    let events = reg.apply(Command::CreateOverlay { name: "网格".to_owned(), kind: OverlayKind::Grid }).expect("made");
    let Event::OverlayCreated { overlay, .. } = events[0] else { panic!("an overlay: {events:?}") };
    let cells = units
        .iter()
        .enumerate()
        .map(|(i, &u)| Command::AddCell { overlay, name: format!("格{i}"), units: vec![u] })
        .collect();
    (reg, cells)
}

/// 2+3 for `persons` persons (in `persons / 100 + 1` communities) from `staff` staff homed at
/// the root: each a grid worker, a health worker or a police officer in turn, with room for
/// everyone (load limit 3 + 3 × persons / staff). Every staff member of a role may hold it for
/// every person: the network of the old solver held persons × staff edges.
pub struct SolveInput {
    /// The tree.
    pub tree: Tree,
    /// The scheme (2+3).
    pub scheme: Scheme,
    /// The pool.
    pub staff: Vec<Staff>,
    /// Each person with their community.
    pub targets: Vec<(Target, UnitId)>,
}

impl SolveInput {
    /// The input.
    pub fn new(persons: usize, staff: usize) -> Self {
        let levels = LevelScheme::zhengzhou();
        let lv = |name: &str| levels.level(name).expect("a Zhengzhou level");
        let mut tree = Tree::new(levels.clone(), NewUnit::new("街道", lv("街道"), UnitKind::Area)).expect("a root");
        let communities: Vec<UnitId> = (0..persons / 100 + 1)
            .map(|i| {
                tree.add(tree.root(), NewUnit::new(format!("社区{i}"), lv("社区"), UnitKind::Area)).expect("a unit")
            })
            .collect();
        let targets = (0..persons)
            .map(|i| (Target::Person(PersonId::new(i as u32)), communities[i % communities.len()]))
            .collect();
        let limit = u16::try_from(3 + 3 * persons / staff.max(1)).expect("a limit");
        let root = tree.root();
        let staff = (0..staff)
            .map(|i| {
                let q = [Q::GridWorker, Q::HealthWorker, Q::Police][i % 3];
                Staff::new(Name::new("员").expect("a name"), Qualifications::only(q), root, limit).expect("staff")
            })
            .collect();
        SolveInput { tree, scheme: Scheme::two_plus_three(), staff, targets }
    }

    /// As [`SolveInput::new`], but each person in a community of their own, and each
    /// community with a staff member of each role homed there besides the `staff` at the root:
    /// the candidates of a person's slots are those at the root and those of their community,
    /// a list of its own for every community. Not near-linear yet: O(persons × staff at the
    /// root) candidates are listed.
    pub fn spread(persons: usize, staff: usize) -> Self {
        let mut input = SolveInput::new(0, staff);
        let lv = input.tree.scheme().level("社区").expect("a Zhengzhou level");
        let limit = input.staff.first().map_or(3, |m| m.load_limit());
        for i in 0..persons {
            let root = input.tree.root();
            let community = input.tree.add(root, NewUnit::new(format!("社区{i}"), lv, UnitKind::Area)).expect("a unit");
            input.targets.push((Target::Person(PersonId::new(i as u32)), community));
            for q in [Q::GridWorker, Q::HealthWorker, Q::Police] {
                let member = Staff::new(Name::new("员").expect("a name"), Qualifications::only(q), community, limit);
                input.staff.push(member.expect("staff"));
            }
        }
        input
    }

    /// Solve from an empty roster, balanced or not.
    pub fn solve(&self, balanced: bool) -> wangge::duty::Solution {
        let roster = Roster::new();
        if balanced {
            roster.solve_balanced(&self.scheme, &self.staff, DAY, &self.targets, &self.tree)
        } else {
            roster.solve(&self.scheme, &self.staff, DAY, &self.targets, &self.tree)
        }
    }
}
