//! Property tests of responsibility 包保 in the registry (staff, schemes, rosters, who is
//! responsible, coverage) against a deliberately naive model written here from the docs of
//! `Command::AddStaff` .. `Command::Solve`, `Registry::responsible_for`,
//! `Registry::duty_targets_within` and `Registry::duty_coverage`, not from the registry's code:
//! per scheme a plain list of assignments, every question answered by scanning all of them.
//!
//! What the file shows:
//!
//! - **Random command sequences.** A small Zhengzhou sub-district (街道 > 社区 > 楼院 > 楼组: two
//!   or three communities, one or two courtyards each with an entrance and one or two
//!   buildings, a household in each building and courtyard, one or two persons in each, some of
//!   them in home isolation) with a zone overlay and a grid overlay adopts the four presets
//!   (六包一, 2+3, 三长联动, 包干 over the zones) and goes through up to [`MAX_OPS`] operations:
//!   staff added (qualifications among those the roles need, any home unit, a load limit of
//!   1 to 3, sometimes a bounded availability), availability set (sometimes reversed), roles
//!   assigned (mostly to a target the scheme selects with a role it asks and a staff member
//!   eligible for it; otherwise anything), unassigned, rosters solved (plain or balanced),
//!   persons moved into and out of home isolation (as `State::may_become` allows), households
//!   moved, entrances and buildings closed, and the date moving forward over about two weeks.
//!   The model predicts whether each duty command is accepted and the exact event; a solve's
//!   roster is compared, as a set, with `Roster::solve` / `Roster::solve_balanced` run on the
//!   model's roster (in the registry's order) over targets enumerated here by brute force. A
//!   refused command leaves the registry equal to its clone from before.
//! - **After every step**: each roster in the documented order (targets in order, holders in
//!   the order assigned); `duty_targets` equals the brute-force enumeration; every load is a
//!   count; `responsible_for` of a random household, person and unit on a random date equals a
//!   scan of all assignments in the documented order (the subject's persons, then its unit and
//!   each ancestor nearest first: the unit, its entrances, the cells naming it; only holders
//!   valid on the date); `duty_coverage` of a random scheme and unit equals the `Missing`
//!   problems of `Roster::problems` over the targets inside, with the counts and loads;
//!   `Scope::duty_coverage` and `Scope::responsible_for` agree over random roots; the audit
//!   is empty.
//! - **At the end of each sequence** the log replays into an equal registry, through JSON too,
//!   and the snapshot, through JSON, loads into an equal registry.
//! - **Tampered events.** Each `Rostered` event, altered (an added assignment made ineligible,
//!   for a target not selected, a duplicate, overfilling a slot, over a load limit; a removed
//!   assignment not held; the wrong shape for its cause; an unknown scheme), is refused by
//!   `apply_event` and leaves the registry unchanged; a log holding one replays to an error
//!   naming it.

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::HashSet;

use chrono::{NaiveDate, TimeDelta};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::duty::{
    Assignment, Availability, Locality, Qualification as Q, Qualifications, Role, Roster, RosterProblem, Rule, Scheme,
    Slot, Staff, Target, TargetSelector, UnitClass,
};
use wangge::grid::{CompoundKind, Level, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord};
use wangge::registry::{Coverage, Gap, Responsible, RosterCause, StaffLoad, Subject};
use wangge::{
    CellId, Command, Error, Event, HouseholdId, PersonId, Registry, RegistryError, SchemeId, Snapshot, StaffId, UnitId,
};

/// The longest sequence of operations after the city and its first staff.
const MAX_OPS: usize = 40;

/// The qualifications the presets' roles ask for.
const QUALS: [Q; 11] = [
    Q::DistrictLeader,
    Q::DistrictDepartment,
    Q::SectionCadre,
    Q::PartySecretary,
    Q::Medical,
    Q::Police,
    Q::GridWorker,
    Q::HealthWorker,
    Q::Volunteer,
    Q::PartyMember,
    Q::DepartmentLeader,
];

/// The states persons are moved between.
const STATES: [State; 5] = [
    State::Well,
    State::HomeIsolationElsewhere,
    State::HomeIsolationEpidemicArea,
    State::SecondaryContact,
    State::CloseContact,
];

fn registered() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 20).expect("a real date")
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a real date")
}

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + TimeDelta::days(days)
}

// ---------------------------------------------------------------------------------------------
// The rules, written out independently
// ---------------------------------------------------------------------------------------------

/// The model: what the registry should hold, as plain lists.
#[derive(Debug, Clone)]
struct Model {
    staff: Vec<Staff>,
    schemes: Vec<Scheme>,
    /// Per scheme, every assignment in the order it was made.
    rosters: Vec<Vec<Assignment>>,
    /// Per person, their state.
    states: Vec<PersonState>,
}

fn class_of(kind: UnitKind) -> UnitClass {
    match kind {
        UnitKind::Area => UnitClass::Area,
        UnitKind::Compound(_) => UnitClass::Compound,
        UnitKind::Building => UnitClass::Building,
        UnitKind::Entrance(_) => UnitClass::Entrance,
        UnitKind::Road => UnitClass::Road,
        UnitKind::Workplace => UnitClass::Workplace,
    }
}

/// `unit` and its ancestors, nearest first; empty for a unit not in the tree.
fn chain(reg: &Registry, unit: UnitId) -> Vec<UnitId> {
    let tree = reg.tree();
    let mut out = Vec::new();
    let mut at = Some(unit);
    while let Some(u) = at {
        if !tree.contains(u) {
            return Vec::new();
        }
        out.push(u);
        at = tree.parent(u).expect("a unit of the tree");
    }
    out
}

/// The deepest unit containing all of `units`.
fn deepest_common(reg: &Registry, units: &[UnitId]) -> Option<UnitId> {
    let mut common = chain(reg, *units.first()?);
    for &u in &units[1..] {
        let other = chain(reg, u);
        common.retain(|x| other.contains(x));
    }
    common.first().copied()
}

fn within(reg: &Registry, unit: UnitId, area: UnitId) -> bool {
    chain(reg, unit).contains(&area)
}

impl Model {
    /// Whether `selector` picks `target` now: an open unit at the level or of the kind, a cell
    /// of the overlay, a person in one of the states.
    fn selects(&self, reg: &Registry, selector: &TargetSelector, target: Target) -> bool {
        match (selector, target) {
            (TargetSelector::UnitsAtLevel(level), Target::Unit(u)) => {
                reg.tree().unit(u).is_ok_and(|x| x.is_open() && x.level() == *level)
            }
            (TargetSelector::UnitsOfKind(class), Target::Unit(u)) => {
                reg.tree().unit(u).is_ok_and(|x| x.is_open() && class_of(x.kind()) == *class)
            }
            (TargetSelector::CellsOf(overlay), Target::Cell(c)) => {
                reg.overlays().cell(c).is_ok_and(|x| x.overlay() == *overlay)
            }
            (TargetSelector::PersonsIn(states), Target::Person(p)) => {
                self.states.get(p.index()).is_some_and(|s| states.contains(&s.state()))
            }
            _ => false,
        }
    }

    fn selected(&self, reg: &Registry, scheme: &Scheme, target: Target) -> bool {
        scheme.rules().iter().any(|r| self.selects(reg, r.targets(), target))
    }

    /// A target's unit: itself, the person's household's, the deepest unit holding the cell's.
    fn unit_of(reg: &Registry, target: Target) -> Option<UnitId> {
        match target {
            Target::Unit(u) => reg.tree().contains(u).then_some(u),
            Target::Person(p) => Some(reg.household(reg.person(p).ok()?.household()).ok()?.unit()),
            Target::Cell(c) => deepest_common(reg, reg.overlays().cell(c).ok()?.units()),
        }
    }

    fn available(member: &Staff, date: NaiveDate) -> bool {
        member.available_from().is_none_or(|f| f <= date) && member.available_until().is_none_or(|u| date <= u)
    }

    fn eligible(member: &Staff, role: Role) -> bool {
        role.requires().iter().any(|q| member.qualifications().contains(q))
    }

    fn local(reg: &Registry, locality: Locality, home: UnitId, unit: UnitId) -> bool {
        let tree = reg.tree();
        if !tree.contains(home) || !tree.contains(unit) {
            return false;
        }
        match locality {
            Locality::Anywhere => true,
            Locality::WithinTarget => within(reg, home, unit),
            Locality::HomeCovers => within(reg, unit, home),
            Locality::SameAncestorAt(level) => {
                let at = |u: UnitId| chain(reg, u).into_iter().find(|&a| tree.level(a).ok() == Some(level));
                at(home).is_some() && at(home) == at(unit)
            }
        }
    }

    /// Whether `a` is a valid holding under scheme `i` on `date`: the rule asking the role
    /// selects the target now, the staff member is known, eligible, available and local.
    fn valid(&self, reg: &Registry, i: usize, a: &Assignment, date: NaiveDate) -> bool {
        let scheme = &self.schemes[i];
        let Some((rule, slot)) = scheme.slot(a.role) else { return false };
        if !self.selects(reg, scheme.rules()[rule].targets(), a.target) {
            return false;
        }
        let (Some(unit), Some(member)) = (Self::unit_of(reg, a.target), self.staff.get(a.staff.index())) else {
            return false;
        };
        Self::eligible(member, a.role)
            && Self::available(member, date)
            && Self::local(reg, slot.locality(), member.home(), unit)
    }

    /// The most `staff` may carry under scheme `i`: their limit, or the scheme's if lower.
    fn limit(&self, i: usize, staff: StaffId) -> u16 {
        let own = self.staff[staff.index()].load_limit();
        self.schemes[i].load_limit().map_or(own, |cap| cap.min(own))
    }

    fn load(&self, i: usize, staff: StaffId) -> usize {
        self.rosters[i].iter().filter(|a| a.staff == staff).count()
    }

    fn holders(&self, i: usize, target: Target, role: Role) -> usize {
        self.rosters[i].iter().filter(|a| a.target == target && a.role == role).count()
    }

    /// Whether `a` could be added to scheme `i`'s roster on `on`, as `Command::Assign` says.
    fn may_assign(&self, reg: &Registry, i: usize, a: &Assignment, on: NaiveDate) -> bool {
        let Some(scheme) = self.schemes.get(i) else { return false };
        let Some((_, slot)) = scheme.slot(a.role) else { return false };
        if a.staff.index() >= self.staff.len() {
            return false;
        }
        self.valid(reg, i, a, on)
            && !self.rosters[i].contains(a)
            && self.holders(i, a.target, a.role) < usize::from(slot.count())
            && self.load(i, a.staff) < usize::from(self.limit(i, a.staff))
    }

    /// Every target scheme `i` selects now inside `unit`, by brute force: units in pre-order
    /// with the persons living at each after it, then the cells wholly inside, by id.
    fn targets_within(&self, reg: &Registry, i: usize, unit: UnitId) -> Vec<(Target, UnitId)> {
        let scheme = &self.schemes[i];
        let mut out = Vec::new();
        for u in reg.tree().subtree(unit).expect("a unit") {
            if self.selected(reg, scheme, Target::Unit(u)) {
                out.push((Target::Unit(u), u));
            }
            for &h in reg.population().households_at(u) {
                for &p in reg.household(h).expect("a household").members() {
                    if self.selected(reg, scheme, Target::Person(p)) {
                        out.push((Target::Person(p), u));
                    }
                }
            }
        }
        for c in 0..reg.overlays().cell_count() {
            let cell = CellId::new(c as u32);
            let units = reg.overlays().cell(cell).expect("a cell").units();
            if self.selected(reg, scheme, Target::Cell(cell)) && units.iter().all(|&u| within(reg, u, unit)) {
                out.push((Target::Cell(cell), deepest_common(reg, units).expect("a cell has units")));
            }
        }
        out
    }

    /// `Registry::responsible_for`, by a scan of every roster.
    fn responsible(&self, reg: &Registry, subject: Subject, date: NaiveDate) -> Vec<Responsible> {
        let mut targets = Vec::new();
        let unit = match subject {
            Subject::Unit(u) => u,
            Subject::Household(h) => {
                let household = reg.household(h).expect("a household");
                targets.extend(household.members().iter().map(|&p| Target::Person(p)));
                household.unit()
            }
            Subject::Person(p) => {
                targets.push(Target::Person(p));
                Self::unit_of(reg, Target::Person(p)).expect("a person")
            }
        };
        for u in chain(reg, unit) {
            targets.push(Target::Unit(u));
            for &child in reg.tree().children(u).expect("a unit") {
                if matches!(reg.tree().unit(child).expect("a child").kind(), UnitKind::Entrance(_)) {
                    targets.push(Target::Unit(child));
                }
            }
            for c in 0..reg.overlays().cell_count() {
                let cell = CellId::new(c as u32);
                let naming = reg.overlays().cell(cell).expect("a cell").units().contains(&u);
                if naming && !targets.contains(&Target::Cell(cell)) {
                    targets.push(Target::Cell(cell));
                }
            }
        }
        let mut found = Vec::new();
        for target in targets {
            for (i, roster) in self.rosters.iter().enumerate() {
                for a in roster.iter().filter(|a| a.target == target) {
                    if self.valid(reg, i, a, date) {
                        let scheme = SchemeId::new(i as u16);
                        found.push(Responsible { scheme, target, role: a.role, staff: a.staff });
                    }
                }
            }
        }
        found
    }

    /// `Registry::duty_coverage` over `roots`, from `Roster::problems` over the targets inside
    /// (as `Scope::duty_coverage` says: the unit's coverage "over its roots"): the units and
    /// persons inside each root in turn, then the cells whose every unit lies inside one root
    /// or another (see `a_zone_spanning_two_roots_of_a_scope_is_covered_by_the_scope`).
    /// The coverage of `roots` by scheme `i`; `scoped`: as a scope shows it, each holder's load
    /// counting only their assignments for targets inside the roots.
    fn coverage(&self, reg: &Registry, i: usize, roots: &[UnitId], date: NaiveDate, scoped: bool) -> Coverage {
        let mut targets: Vec<(Target, UnitId)> = roots
            .iter()
            .flat_map(|&r| self.targets_within(reg, i, r))
            .filter(|(t, _)| !matches!(t, Target::Cell(_)))
            .collect();
        let inside_a_root = |u: &UnitId| roots.iter().any(|&r| reg.tree().is_within(*u, r).unwrap_or(false));
        targets.extend(self.targets_within(reg, i, reg.root()).into_iter().filter(|(t, _)| match t {
            Target::Cell(c) => reg.overlays().cell(*c).is_ok_and(|cell| cell.units().iter().all(inside_a_root)),
            _ => false,
        }));
        let roster: Roster = self.rosters[i].iter().map(|a| (a.target, a.role, a.staff)).collect();
        let gaps: Vec<Gap> = roster
            .problems(&self.schemes[i], &self.staff, date, &targets, reg.tree())
            .into_iter()
            .filter_map(|p| match p {
                RosterProblem::Missing { target, role, missing, count } => Some(Gap { target, role, missing, count }),
                _ => None,
            })
            .collect();
        let covered = targets.iter().filter(|(t, _)| !gaps.iter().any(|g| g.target == *t)).count();
        let inside: HashSet<Target> = targets.iter().map(|(t, _)| *t).collect();
        let mut holding: Vec<StaffId> =
            self.rosters[i].iter().filter(|a| inside.contains(&a.target)).map(|a| a.staff).collect();
        holding.sort_unstable();
        holding.dedup();
        let loads = holding
            .into_iter()
            .map(|staff| {
                let load = if scoped {
                    let unit_inside = |u: UnitId| roots.iter().any(|&r| within(reg, u, r));
                    let target_inside = |t: Target| match t {
                        Target::Unit(u) => unit_inside(u),
                        Target::Cell(c) => {
                            reg.overlays().cell(c).is_ok_and(|cell| cell.units().iter().all(|&u| unit_inside(u)))
                        }
                        Target::Person(_) => Model::unit_of(reg, t).is_some_and(unit_inside),
                    };
                    self.rosters[i].iter().filter(|a| a.staff == staff && target_inside(a.target)).count()
                } else {
                    self.load(i, staff)
                };
                StaffLoad { staff, load, limit: self.limit(i, staff) }
            })
            .collect();
        Coverage { scheme: SchemeId::new(i as u16), date, targets: targets.len(), covered, gaps, loads }
    }

    /// The event a duty command becomes, or `None` when the rules refuse it. `current` is
    /// the registry's roster of a scheme to solve, read before the command.
    fn predict(&self, reg: &Registry, command: &Command) -> Option<Event> {
        match command.clone() {
            Command::AddStaff { staff } => reg
                .tree()
                .contains(staff.home())
                .then(|| Event::StaffAdded { staff: StaffId::new(self.staff.len() as u32), spec: staff }),
            Command::SetAvailability { staff, availability } => {
                let (from, until) = availability.bounds();
                let ordered = match (from, until) {
                    (Some(f), Some(u)) => f <= u,
                    _ => true,
                };
                (staff.index() < self.staff.len() && ordered).then_some(Event::AvailabilitySet { staff, from, until })
            }
            Command::Assign { scheme, target, role, staff, on } => {
                let a = Assignment { target, role, staff };
                self.may_assign(reg, scheme.index(), &a, on).then(|| Event::Rostered {
                    scheme,
                    on,
                    cause: RosterCause::Assign,
                    removed: Vec::new(),
                    added: vec![a],
                })
            }
            Command::Unassign { scheme, target, role, staff, on } => {
                let a = Assignment { target, role, staff };
                self.rosters.get(scheme.index()).is_some_and(|r| r.contains(&a)).then(|| Event::Rostered {
                    scheme,
                    on,
                    cause: RosterCause::Unassign,
                    removed: vec![a],
                    added: Vec::new(),
                })
            }
            other => panic!("not a command the model predicts: {other:?}"),
        }
    }

    fn commit(&mut self, event: &Event) {
        match event {
            Event::StaffAdded { spec, .. } => self.staff.push(spec.clone()),
            Event::AvailabilitySet { staff, from, until } => {
                let member = &mut self.staff[staff.index()];
                *member = member.clone().available(*from, *until).expect("checked");
            }
            Event::SchemeAdopted { spec, .. } => {
                self.schemes.push(spec.clone());
                self.rosters.push(Vec::new());
            }
            Event::Rostered { scheme, removed, added, .. } => {
                let roster = &mut self.rosters[scheme.index()];
                roster.retain(|a| !removed.contains(a));
                roster.extend(added.iter().copied());
            }
            Event::StateChanged { person, to, .. } => self.states[person.index()] = *to,
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The world: a registry, its log and the model
// ---------------------------------------------------------------------------------------------

/// The city's shape: per community, per courtyard, how many buildings; persons per household
/// (cycled); which persons start in home isolation; how the zones are drawn.
#[derive(Debug, Clone)]
struct Shape {
    communities: Vec<Vec<u8>>,
    persons: Vec<u8>,
    isolated: Vec<bool>,
    zones_per_community: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop::collection::vec(prop::collection::vec(1u8..=2, 1..=2), 2..=3),
        prop::collection::vec(1u8..=2, 1..=4),
        prop::collection::vec(prop::bool::weighted(0.3), 1..=8),
        any::<bool>(),
    )
        .prop_map(|(communities, persons, isolated, zones_per_community)| Shape {
            communities,
            persons,
            isolated,
            zones_per_community,
        })
}

struct World {
    reg: Registry,
    log: Vec<Event>,
    model: Model,
    today: NaiveDate,
    /// Every unit made, in id order.
    units: Vec<UnitId>,
    /// Entrances and buildings, to close.
    leaves: Vec<UnitId>,
    /// Units that hold households: courtyards and buildings.
    homes: Vec<UnitId>,
    /// Communities and courtyards, to move courtyards between communities.
    communities: Vec<UnitId>,
    yards: Vec<UnitId>,
    /// Every Rostered event accepted: the length of the log before it, the registry and the
    /// model just before it, the event.
    rostered: Vec<(usize, Registry, Model, Event)>,
}

/// A scheme of the host's own, with counts of two: two party members living in each
/// courtyard and two medical staff of its community watch it; nobody watches more than one
/// courtyard, whatever their own load limit (the scheme's `load_limit`).
fn courtyard_watch() -> Scheme {
    Scheme::builder(
        "courtyard_watch",
        vec![Rule::new(
            TargetSelector::UnitsOfKind(UnitClass::Compound),
            vec![
                Slot::new(Role::PartyMember, 2, Locality::WithinTarget),
                Slot::new(Role::MedicalStaff, 2, Locality::SameAncestorAt(Level::new(1))),
            ],
        )],
    )
    .load_limit(Some(1))
    .build()
    .expect("a valid scheme")
}

fn setup(reg: &mut Registry, log: &mut Vec<Event>, command: Command) -> Vec<Event> {
    let events = reg.apply(command.clone()).unwrap_or_else(|e| panic!("{command:?} refused: {e}"));
    log.extend(events.clone());
    events
}

impl World {
    fn new(shape: &Shape) -> World {
        let levels = LevelScheme::zhengzhou();
        let level = |name: &str| levels.level(name).expect("a Zhengzhou level");
        let mut reg =
            Registry::new(levels.clone(), NewUnit::new("花园路街道", level("街道"), UnitKind::Area)).expect("a root");
        let mut log = vec![reg.founding_event()];
        let root = reg.root();
        let (mut units, mut leaves, mut homes, mut yards, mut communities) =
            (vec![root], vec![], vec![], vec![], vec![]);
        let mut add = |reg: &mut Registry, log: &mut Vec<Event>, parent: UnitId, unit: NewUnit| {
            let id = setup(reg, log, Command::AddUnit { parent, unit })[0].new_unit().expect("a unit");
            units.push(id);
            id
        };
        let yard_kind = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
        for (c, yards_of) in shape.communities.iter().enumerate() {
            let community =
                add(&mut reg, &mut log, root, NewUnit::new(format!("社区{c}"), level("社区"), UnitKind::Area));
            communities.push(community);
            let mut mine = Vec::new();
            for (y, &buildings) in yards_of.iter().enumerate() {
                let yard =
                    add(&mut reg, &mut log, community, NewUnit::new(format!("{c}-{y}号院"), level("楼院"), yard_kind));
                mine.push(yard);
                homes.push(yard);
                let gate = add(&mut reg, &mut log, yard, NewUnit::new("大门", level("楼组"), UnitKind::Entrance(None)));
                leaves.push(gate);
                for b in 0..buildings {
                    let name = format!("{b}号楼");
                    let building = add(&mut reg, &mut log, yard, NewUnit::new(name, level("楼组"), UnitKind::Building));
                    leaves.push(building);
                    homes.push(building);
                }
            }
            yards.push(mine);
        }
        // A household in every courtyard and building; persons well since the 20th.
        let mut persons = 0usize;
        for (i, &unit) in homes.iter().enumerate() {
            let door = DoorLabel::new(&format!("{}-101", i + 1)).expect("a door");
            let household = setup(&mut reg, &mut log, Command::AddHousehold { unit, door })[0]
                .new_household()
                .expect("a household");
            for _ in 0..shape.persons[i % shape.persons.len()] {
                let state = PersonState::well(registered());
                setup(&mut reg, &mut log, Command::RegisterPerson { household, record: PersonRecord::new(), state });
                persons += 1;
            }
        }
        let mut states = vec![PersonState::well(registered()); persons];
        for (p, slot) in states.iter_mut().enumerate() {
            if shape.isolated[p % shape.isolated.len()] {
                let state = if p % 2 == 0 { State::HomeIsolationElsewhere } else { State::HomeIsolationEpidemicArea };
                let person = PersonId::new(p as u32);
                setup(&mut reg, &mut log, Command::SetState { person, state, on: registered() });
                *slot = PersonState::new(state, registered());
            }
        }
        // Zones: one per community, or the first courtyards of the first two communities as
        // one zone (its unit the sub-district) and every other courtyard as another; grids:
        // one per courtyard.
        let zones = setup(&mut reg, &mut log, Command::CreateOverlay { name: "片区".into(), kind: OverlayKind::Zone });
        let zones = zones[0].new_overlay().expect("an overlay");
        let zone_units: Vec<Vec<UnitId>> = if shape.zones_per_community {
            communities.iter().map(|&c| vec![c]).collect()
        } else {
            let first = vec![yards[0][0], yards[1][0]];
            let rest: Vec<UnitId> = yards.iter().flatten().copied().filter(|y| !first.contains(y)).collect();
            [first, rest].into_iter().filter(|v| !v.is_empty()).collect()
        };
        for (i, units) in zone_units.into_iter().enumerate() {
            setup(&mut reg, &mut log, Command::AddCell { overlay: zones, name: format!("{i}片"), units });
        }
        let grids = setup(&mut reg, &mut log, Command::CreateOverlay { name: "网格".into(), kind: OverlayKind::Grid });
        let grids = grids[0].new_overlay().expect("an overlay");
        for (i, &yard) in yards.iter().flatten().enumerate() {
            setup(&mut reg, &mut log, Command::AddCell { overlay: grids, name: format!("{i}格"), units: vec![yard] });
        }
        let mut model = Model { staff: Vec::new(), schemes: Vec::new(), rosters: Vec::new(), states };
        let presets = [
            Scheme::six_cover_one(level("社区"), level("街道"), None).expect("a valid preset"),
            Scheme::two_plus_three(),
            Scheme::three_heads(level("社区"), level("街道")).expect("a valid preset"),
            Scheme::zone_leaders(zones),
            courtyard_watch(),
        ];
        for scheme in presets {
            let events = setup(&mut reg, &mut log, Command::AdoptScheme { scheme });
            model.commit(&events[0]);
        }
        let yards = yards.concat();
        World { reg, log, model, today: start(), units, leaves, homes, communities, yards, rostered: Vec::new() }
    }

    /// Apply `command` and compare with the model, then check everything.
    fn step(&mut self, step: usize, command: Command, probe: u64) {
        let before = self.reg.clone();
        let model_before = self.model.clone();
        let result = self.reg.apply(command.clone());
        match &command {
            Command::Solve { scheme, on, balanced } => {
                self.check_solve(step, &before, *scheme, *on, *balanced, &result)
            }
            Command::Replace { scheme, leaving, on } => {
                self.check_replace(step, &before, *scheme, *leaving, *on, &result)
            }
            Command::AddStaff { .. }
            | Command::SetAvailability { .. }
            | Command::Assign { .. }
            | Command::Unassign { .. } => {
                let predicted = self.model.predict(&before, &command);
                match (&result, predicted) {
                    (Ok(events), Some(expected)) => {
                        assert_eq!(
                            events,
                            &[expected],
                            "step {step}: {command:?} became other events than the rules say"
                        );
                    }
                    (Ok(events), None) => {
                        panic!("step {step}: {command:?} was accepted as {events:?}; the rules refuse it")
                    }
                    (Err(e), Some(expected)) => {
                        panic!("step {step}: {command:?} was refused ({e}); the rules make it {expected:?}")
                    }
                    (Err(_), None) => {}
                }
            }
            Command::SetState { person, state, on } => {
                let from = self.model.states[person.index()];
                let allowed =
                    from.state() != *state && from.standing().set_reason(*state).is_ok() && *on >= from.since();
                assert_eq!(result.is_ok(), allowed, "step {step}: {command:?} from {from:?}: {result:?}");
            }
            _ => {}
        }
        match result {
            Ok(events) => {
                for event in &events {
                    if matches!(event, Event::Rostered { .. }) {
                        self.rostered.push((self.log.len(), before.clone(), model_before.clone(), event.clone()));
                    }
                    self.model.commit(event);
                }
                self.log.extend(events);
            }
            Err(e) => {
                assert!(self.reg == before, "step {step}: the refused {command:?} ({e}) changed the registry");
                assert!(
                    matches!(
                        e,
                        Error::Duty(_) | Error::Grid(_) | Error::People(_) | Error::Colour(_) | Error::Registry(_)
                    ),
                    "step {step}: {e:?}"
                );
            }
        }
        self.check(step, probe);
    }

    /// A solve: the roster after it, as a set, is what the pure solver makes of the roster
    /// before it over the brute-force targets; the event lists the difference.
    fn check_solve(
        &self,
        step: usize,
        before: &Registry,
        scheme: SchemeId,
        on: NaiveDate,
        balanced: bool,
        result: &Result<Vec<Event>, Error>,
    ) {
        let i = scheme.index();
        let Some(spec) = self.model.schemes.get(i) else {
            assert!(result.is_err(), "step {step}: solving unknown {scheme} was accepted");
            return;
        };
        let events = result.as_ref().unwrap_or_else(|e| panic!("step {step}: solving {scheme} was refused: {e}"));
        let current = before.roster(scheme).expect("an adopted scheme");
        let targets = self.model.targets_within(before, i, before.root());
        let solution = if balanced {
            current.solve_balanced(spec, &self.model.staff, on, &targets, before.tree())
        } else {
            current.solve(spec, &self.model.staff, on, &targets, before.tree())
        };
        let old: HashSet<Assignment> = current.assignments().iter().copied().collect();
        let new: HashSet<Assignment> = solution.roster.assignments().iter().copied().collect();
        let [Event::Rostered { scheme: s, on: o, cause, removed, added }] = events.as_slice() else {
            panic!("step {step}: a solve became {events:?}")
        };
        let cause_wanted = if balanced { RosterCause::SolveBalanced } else { RosterCause::Solve };
        assert_eq!((*s, *o, *cause), (scheme, on, cause_wanted), "step {step}");
        let removed_set: HashSet<Assignment> = removed.iter().copied().collect();
        let added_set: HashSet<Assignment> = added.iter().copied().collect();
        assert_eq!(removed_set.len(), removed.len(), "step {step}: a solve removed one assignment twice");
        assert_eq!(added_set.len(), added.len(), "step {step}: a solve added one assignment twice");
        assert_eq!(removed_set, &old - &new, "step {step}: a solve removed other assignments than the solver");
        assert_eq!(added_set, &new - &old, "step {step}: a solve added other assignments than the solver");
        let after: HashSet<Assignment> =
            self.reg.roster(scheme).expect("an adopted scheme").assignments().iter().copied().collect();
        assert_eq!(after, new, "step {step}: the solved roster differs from the solver's");
    }

    /// A replacement: refused for an unknown scheme or staff member; otherwise one event that
    /// removes and adds exactly what the pure `Roster::replace` proposes for the roster before
    /// it over the brute-force targets (the proposal itself is proven minimal against a brute
    /// force in `src/duty/replace.rs`), the same proposal `Registry::replacement` read before,
    /// leaving the leaver nothing under the scheme.
    fn check_replace(
        &self,
        step: usize,
        before: &Registry,
        scheme: SchemeId,
        leaving: StaffId,
        on: NaiveDate,
        result: &Result<Vec<Event>, Error>,
    ) {
        let i = scheme.index();
        let (Some(spec), true) = (self.model.schemes.get(i), leaving.index() < self.model.staff.len()) else {
            assert!(result.is_err(), "step {step}: replacing {leaving} under {scheme} was accepted");
            assert!(before.replacement(scheme, leaving, on).is_err(), "step {step}: a proposal for unknowns");
            return;
        };
        let events = result.as_ref().unwrap_or_else(|e| panic!("step {step}: replacing {leaving} was refused: {e}"));
        let current = before.roster(scheme).expect("an adopted scheme");
        let targets = self.model.targets_within(before, i, before.root());
        let proposal = current.replace(leaving, spec, &self.model.staff, on, &targets, before.tree());
        assert_eq!(before.replacement(scheme, leaving, on).as_ref(), Ok(&proposal), "step {step}: the proposal read");
        let [Event::Rostered { scheme: s, on: o, cause, removed, added }] = events.as_slice() else {
            panic!("step {step}: a replacement became {events:?}")
        };
        assert_eq!((*s, *o, *cause), (scheme, on, RosterCause::Replace { leaving }), "step {step}");
        assert_eq!((removed, added), (&proposal.removed, &proposal.added), "step {step}: not the proposal");
        let after: HashSet<Assignment> =
            self.reg.roster(scheme).expect("an adopted scheme").assignments().iter().copied().collect();
        let proposed: HashSet<Assignment> = proposal.roster.assignments().iter().copied().collect();
        assert_eq!(after, proposed, "step {step}: the roster after a replacement");
        assert!(after.iter().all(|a| a.staff != leaving), "step {step}: the leaver still holds a place");
    }

    /// Everything the registry must say after a step, from the model.
    fn check(&self, step: usize, probe: u64) {
        let (reg, model) = (&self.reg, &self.model);
        let mut pick = Picker(probe);
        assert_eq!(reg.staff_pool(), model.staff.as_slice(), "step {step}: the staff pool");
        for (p, state) in model.states.iter().enumerate() {
            assert_eq!(reg.state(PersonId::new(p as u32)).ok(), Some(*state), "step {step}: person {p}'s state");
        }
        let dates = [self.today, plus(self.today, -1), plus(self.today, 1), plus(self.today, pick.next(10) as i64 - 3)];
        for (i, scheme) in model.schemes.iter().enumerate() {
            let id = SchemeId::new(i as u16);
            assert_eq!(reg.scheme(id).ok(), Some(scheme));
            assert_eq!(reg.scheme_named(scheme.name()), Some(id));
            // The roster: targets in order, holders in the order assigned.
            let mut ordered = model.rosters[i].clone();
            ordered.sort_by_key(|a| a.target);
            let roster = reg.roster(id).expect("an adopted scheme");
            assert_eq!(roster.assignments(), ordered.as_slice(), "step {step}: the roster of {id}");
            for s in 0..model.staff.len() {
                let staff = StaffId::new(s as u32);
                assert_eq!(reg.load(id, staff).ok(), Some(model.load(i, staff)), "step {step}: {staff}'s load");
            }
            let targets = model.targets_within(reg, i, reg.root());
            assert_eq!(reg.duty_targets(id).expect("a scheme"), targets, "step {step}: the targets of {id}");
            let unit = self.units[pick.next(self.units.len())];
            assert_eq!(
                reg.duty_targets_within(id, unit).expect("a scheme"),
                model.targets_within(reg, i, unit),
                "step {step}: the targets of {id} within {unit}"
            );
        }
        assert_eq!(reg.schemes().count(), model.schemes.len());
        // Who is responsible.
        let date = dates[pick.next(dates.len())];
        let households = reg.population().household_count();
        let persons = reg.population().person_count();
        let subjects = [
            Subject::Household(HouseholdId::new(pick.next(households) as u32)),
            Subject::Person(PersonId::new(pick.next(persons) as u32)),
            Subject::Unit(self.units[pick.next(self.units.len())]),
        ];
        for subject in subjects {
            let found = reg.responsible_for(subject, date).expect("a subject");
            assert_eq!(
                found,
                model.responsible(reg, subject, date),
                "step {step}: responsible for {subject:?} on {date}"
            );
        }
        // Coverage of a unit and of a scope.
        let i = pick.next(model.schemes.len());
        let id = SchemeId::new(i as u16);
        let unit = self.units[pick.next(self.units.len())];
        let coverage = reg.duty_coverage(id, unit, date).expect("a scheme and a unit");
        assert_eq!(
            coverage,
            model.coverage(reg, i, &[unit], date, false),
            "step {step}: the coverage of {unit} by {id}"
        );
        assert_eq!(coverage.is_complete(), coverage.gaps.is_empty());
        let mut roots: Vec<UnitId> = (0..1 + pick.next(3)).map(|_| self.units[pick.next(self.units.len())]).collect();
        let scope = reg.scope(&roots).expect("units of the tree");
        roots = roots.iter().copied().filter(|&r| !roots.iter().any(|&o| o != r && within(reg, r, o))).collect();
        roots.sort_unstable();
        roots.dedup();
        assert_eq!(scope.roots(), roots.as_slice());
        let coverage = scope.duty_coverage(id, date).expect("a scheme");
        assert_eq!(
            coverage,
            model.coverage(reg, i, &roots, date, true),
            "step {step}: the coverage of {roots:?} by {id}"
        );
        for subject in subjects {
            let unit = match subject {
                Subject::Unit(u) => u,
                Subject::Household(h) => reg.household(h).expect("a household").unit(),
                Subject::Person(p) => Model::unit_of(reg, Target::Person(p)).expect("a person"),
            };
            match scope.responsible_for(subject, date) {
                Ok(found) => {
                    assert!(roots.iter().any(|&r| within(reg, unit, r)), "step {step}: {subject:?} is outside");
                    assert_eq!(found, model.responsible(reg, subject, date), "step {step}");
                }
                Err(e) => {
                    assert!(!roots.iter().any(|&r| within(reg, unit, r)), "step {step}: {subject:?} is inside: {e}");
                    // Answered as if it did not exist.
                    let unknown: Error = match subject {
                        Subject::Unit(unit) => wangge::grid::GridError::UnknownUnit { unit }.into(),
                        Subject::Household(household) => {
                            wangge::people::PeopleError::UnknownHousehold { household }.into()
                        }
                        Subject::Person(person) => wangge::people::PeopleError::UnknownPerson { person }.into(),
                    };
                    assert_eq!(e, unknown, "step {step}");
                }
            }
        }
        let findings = reg.audit();
        assert!(findings.is_empty(), "step {step}: audit findings {findings:?}");
    }
}

/// A source of small numbers from one random `u64`.
struct Picker(u64);

impl Picker {
    /// A number below `n` (0 when `n` is 0).
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        if n == 0 { 0 } else { ((self.0 >> 33) % n as u64) as usize }
    }
}

// ---------------------------------------------------------------------------------------------
// Random operations
// ---------------------------------------------------------------------------------------------

/// An operation, its picks made concrete against the world by [`World::commands`].
#[derive(Debug, Clone)]
enum Op {
    AddStaff {
        quals: (u8, Option<u8>),
        home: u8,
        limit: u16,
        from: Option<i8>,
        until: Option<i8>,
    },
    SetAvailability {
        staff: u8,
        from: Option<i8>,
        until: Option<i8>,
    },
    /// `smart`: a target the scheme selects, a role it asks of it, an eligible staff member.
    Assign {
        scheme: u8,
        target: u8,
        role: u8,
        staff: u8,
        smart: bool,
        on: i8,
    },
    Unassign {
        scheme: u8,
        pick: u8,
        held: bool,
    },
    Solve {
        scheme: u8,
        balanced: bool,
        on: i8,
    },
    /// `holder`: a staff member holding an assignment under the scheme, when there is one.
    Replace {
        scheme: u8,
        staff: u8,
        holder: bool,
        on: i8,
    },
    SetState {
        person: u8,
        state: u8,
    },
    MoveHousehold {
        household: u8,
        to: u8,
    },
    Close {
        leaf: u8,
    },
    MoveYard {
        yard: u8,
        to: u8,
    },
    Advance {
        days: u8,
    },
}

fn add_staff() -> impl Strategy<Value = Op> {
    let bound = || prop::option::weighted(0.25, -4i8..8);
    (0u8..11, prop::option::weighted(0.4, 0u8..11), any::<u8>(), 1u16..=3, bound(), bound())
        .prop_map(|(q, q2, home, limit, from, until)| Op::AddStaff { quals: (q, q2), home, limit, from, until })
}

fn op() -> impl Strategy<Value = Op> {
    let pick = any::<u8>;
    let bound = || prop::option::weighted(0.5, -4i8..8);
    // Mostly an adopted scheme; now and then an unknown one.
    let scheme = || prop_oneof![15 => 0u8..5, 1 => Just(5u8)];
    prop_oneof![
        2 => add_staff(),
        2 => (pick(), bound(), bound()).prop_map(|(staff, from, until)| Op::SetAvailability { staff, from, until }),
        10 => (scheme(), pick(), pick(), pick(), prop::bool::weighted(0.75), -1i8..=2)
            .prop_map(|(scheme, target, role, staff, smart, on)| Op::Assign { scheme, target, role, staff, smart, on }),
        3 => (scheme(), pick(), prop::bool::weighted(0.8)).prop_map(|(scheme, pick, held)| Op::Unassign { scheme, pick, held }),
        3 => (scheme(), any::<bool>(), -1i8..=1).prop_map(|(scheme, balanced, on)| Op::Solve { scheme, balanced, on }),
        3 => (scheme(), pick(), prop::bool::weighted(0.9), 0i8..=2)
            .prop_map(|(scheme, staff, holder, on)| Op::Replace { scheme, staff, holder, on }),
        3 => (pick(), pick()).prop_map(|(person, state)| Op::SetState { person, state }),
        1 => (pick(), pick()).prop_map(|(household, to)| Op::MoveHousehold { household, to }),
        1 => pick().prop_map(|leaf| Op::Close { leaf }),
        1 => (pick(), pick()).prop_map(|(yard, to)| Op::MoveYard { yard, to }),
        2 => (1u8..=2).prop_map(|days| Op::Advance { days }),
    ]
}

fn nth<T: Copy>(items: &[T], pick: u8) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(pick) % items.len()])
}

impl World {
    fn day(&self, offset: Option<i8>) -> Option<NaiveDate> {
        offset.map(|d| plus(self.today, i64::from(d)))
    }

    /// Every target there is, selected or not, and an unknown one of each kind.
    fn all_targets(&self) -> Vec<Target> {
        let mut all: Vec<Target> = self.units.iter().map(|&u| Target::Unit(u)).collect();
        all.extend((0..self.reg.population().person_count()).map(|p| Target::Person(PersonId::new(p as u32))));
        all.extend((0..self.reg.overlays().cell_count()).map(|c| Target::Cell(CellId::new(c as u32))));
        all.extend([Target::Unit(UnitId::new(999)), Target::Person(PersonId::new(999)), Target::Cell(CellId::new(99))]);
        all
    }

    fn commands(&mut self, op: &Op) -> Vec<Command> {
        let model = &self.model;
        let scheme_of = |s: u8| SchemeId::new(u16::from(s));
        let command = match *op {
            Op::AddStaff { quals: (q, q2), home, limit, from, until } => {
                let quals = Qualifications::only(QUALS[usize::from(q)]);
                let quals = q2.map_or(quals, |q2| quals.with(QUALS[usize::from(q2)]));
                // One time in sixteen a home outside the tree.
                let home = if home % 16 == 15 { UnitId::new(999) } else { nth(&self.units, home).expect("units") };
                let (from, until) = (self.day(from), self.day(until));
                let (from, until) = match (from, until) {
                    (Some(f), Some(u)) if u < f => (Some(u), Some(f)),
                    other => other,
                };
                let name = Name::new(&format!("工作人员{}", model.staff.len())).expect("a name");
                let staff = Staff::new(name, quals, home, limit).expect("a limit of 1 to 3");
                Command::AddStaff { staff: staff.available(from, until).expect("ordered") }
            }
            Op::SetAvailability { staff, from, until } => Command::SetAvailability {
                staff: StaffId::new(u32::from(staff) % (model.staff.len() as u32 + 1)),
                availability: Availability::from_bounds(self.day(from), self.day(until)),
            },
            Op::Assign { scheme, target, role, staff, smart, on } => {
                let on = plus(self.today, i64::from(on));
                let i = usize::from(scheme);
                let smart_pick = if smart && i < model.schemes.len() {
                    let spec = &model.schemes[i];
                    let targets = model.targets_within(&self.reg, i, self.reg.root());
                    nth(&targets, target).map(|(t, _)| {
                        let roles: Vec<Role> = spec
                            .rules()
                            .iter()
                            .filter(|r| model.selects(&self.reg, r.targets(), t))
                            .flat_map(|r| r.slots().iter().map(|s| s.role()))
                            .collect();
                        // Mostly a role with room left.
                        let open: Vec<Role> = roles
                            .iter()
                            .copied()
                            .filter(|&r| model.holders(i, t, r) < usize::from(spec.slot(r).expect("asked").1.count()))
                            .collect();
                        let roles = if open.is_empty() || role % 5 == 0 { roles } else { open };
                        let role = nth(&roles, role / 5).expect("a rule has slots");
                        // Mostly one who could hold it.
                        let eligible: Vec<StaffId> = (0..model.staff.len())
                            .map(|s| StaffId::new(s as u32))
                            .filter(|&s| Model::eligible(&model.staff[s.index()], role))
                            .collect();
                        let fitting: Vec<StaffId> = eligible
                            .iter()
                            .copied()
                            .filter(|&s| model.may_assign(&self.reg, i, &Assignment { target: t, role, staff: s }, on))
                            .collect();
                        let eligible = if fitting.is_empty() || staff % 4 == 0 { eligible } else { fitting };
                        let staff = nth(&eligible, staff).unwrap_or(StaffId::new(u32::from(staff)));
                        (t, role, staff)
                    })
                } else {
                    None
                };
                let (target, role, staff) = smart_pick.unwrap_or_else(|| {
                    let all = self.all_targets();
                    let staff = StaffId::new(u32::from(staff) % (model.staff.len() as u32 + 2));
                    (nth(&all, target).expect("targets"), Role::ALL[usize::from(role) % Role::ALL.len()], staff)
                });
                Command::Assign { scheme: scheme_of(scheme), target, role, staff, on }
            }
            Op::Unassign { scheme, pick, held } => {
                let i = usize::from(scheme);
                let a = match model.rosters.get(i) {
                    Some(roster) if held && !roster.is_empty() => roster[usize::from(pick) % roster.len()],
                    _ => {
                        let all = self.all_targets();
                        let target = nth(&all, pick).expect("targets");
                        let staff = StaffId::new(u32::from(pick) % (model.staff.len() as u32 + 1));
                        Assignment { target, role: Role::ALL[usize::from(pick) % Role::ALL.len()], staff }
                    }
                };
                Command::Unassign {
                    scheme: scheme_of(scheme),
                    target: a.target,
                    role: a.role,
                    staff: a.staff,
                    on: self.today,
                }
            }
            Op::Solve { scheme, balanced, on } => {
                Command::Solve { scheme: scheme_of(scheme), on: plus(self.today, i64::from(on)), balanced }
            }
            Op::Replace { scheme, staff, holder, on } => {
                let holders: Vec<StaffId> = model
                    .rosters
                    .get(usize::from(scheme))
                    .map(|r| r.iter().map(|a| a.staff).collect())
                    .unwrap_or_default();
                let leaving = match (holder, nth(&holders, staff)) {
                    (true, Some(s)) => s,
                    // Anyone, now and then an id past the pool.
                    _ => StaffId::new(u32::from(staff) % (model.staff.len() as u32 + 2)),
                };
                Command::Replace { scheme: scheme_of(scheme), leaving, on: plus(self.today, i64::from(on)) }
            }
            Op::SetState { person, state } => {
                let persons = self.reg.population().person_count() as u32;
                // Mostly into or out of home isolation.
                let state = match state % 8 {
                    0..=2 => State::Well,
                    3..=4 => State::HomeIsolationElsewhere,
                    5 => State::HomeIsolationEpidemicArea,
                    _ => STATES[usize::from(state / 8) % STATES.len()],
                };
                Command::SetState { person: PersonId::new(u32::from(person) % persons), state, on: self.today }
            }
            Op::MoveHousehold { household, to } => {
                let households = self.reg.population().household_count() as u32;
                let household = HouseholdId::new(u32::from(household) % households);
                Command::MoveHousehold { household, to: nth(&self.homes, to).expect("homes") }
            }
            Op::MoveYard { yard, to } => Command::MoveUnit {
                unit: nth(&self.yards, yard).expect("courtyards"),
                new_parent: nth(&self.communities, to).expect("communities"),
            },
            Op::Close { leaf } => {
                let unit = nth(&self.leaves, leaf).expect("leaves");
                let parent = self.reg.tree().parent(unit).expect("a unit").expect("not the root");
                let holds = !self.reg.population().households_at(unit).is_empty();
                Command::CloseUnit { unit, on: self.today, transfer_to: holds.then_some(parent) }
            }
            Op::Advance { days } => {
                self.today = plus(self.today, i64::from(days));
                return Vec::new();
            }
        };
        vec![command]
    }
}

fn run(shape: &Shape, staff: &[Op], ops: &[(Op, u64)]) -> World {
    let mut world = World::new(shape);
    world.check(0, 0);
    let mut step = 0;
    for (op, probe) in staff.iter().map(|op| (op, 0)).chain(ops.iter().map(|(op, probe)| (op, *probe))) {
        for command in world.commands(op) {
            world.step(step, command, probe);
            step += 1;
        }
    }
    world
}

/// The log replays into an equal registry, also through JSON, and the snapshot, through JSON,
/// loads into an equal one.
fn check_persistence(reg: &Registry, log: &[Event]) {
    let replayed = Registry::replay(log).unwrap_or_else(|e| panic!("the log does not replay: {e}"));
    assert!(replayed == *reg, "the replayed registry differs");
    let stored: Vec<Event> =
        serde_json::from_str(&serde_json::to_string(log).expect("a log serialises")).expect("a stored log reads back");
    assert!(stored == log, "the log changed through JSON");
    let json = serde_json::to_string(&reg.snapshot()).expect("a snapshot serialises");
    let snapshot: Snapshot = serde_json::from_str(&json).expect("a snapshot reads back");
    let loaded = Registry::from_snapshot(snapshot).unwrap_or_else(|e| panic!("the snapshot does not load: {e}"));
    assert!(loaded == *reg, "the registry loaded from its snapshot differs");
    assert!(loaded.audit().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Tampered events
// ---------------------------------------------------------------------------------------------

/// Copies of `Rostered` event `event`, each wrong in one way, that the registry `reg` (the one
/// just before it, modelled by `model`) must refuse; with what is wrong.
fn tampered(reg: &Registry, model: &Model, event: &Event) -> Vec<(&'static str, Event)> {
    let Event::Rostered { scheme, on, cause, removed, added } = event.clone() else { return Vec::new() };
    let i = scheme.index();
    let with = |removed: Vec<Assignment>, added: Vec<Assignment>, cause: RosterCause| Event::Rostered {
        scheme,
        on,
        cause,
        removed,
        added,
    };
    let mut out = Vec::new();
    let staff_ids = || (0..model.staff.len()).map(|s| StaffId::new(s as u32));
    // The roster after the event's removals, to judge slots and loads against.
    let mut rest = model.clone();
    rest.rosters[i].retain(|a| !removed.contains(a));
    if let Some(&a) = added.first() {
        let others: Vec<Assignment> = added[1..].to_vec();
        let replaced = |b: Assignment| [vec![b], others.clone()].concat();
        // Ineligible.
        if let Some(s) = staff_ids().find(|s| !Model::eligible(&model.staff[s.index()], a.role)) {
            out.push(("ineligible", with(removed.clone(), replaced(Assignment { staff: s, ..a }), cause)));
        }
        // Unknown staff.
        let unknown = StaffId::new(model.staff.len() as u32);
        out.push(("unknown staff", with(removed.clone(), replaced(Assignment { staff: unknown, ..a }), cause)));
        // A target not selected: the sub-district itself, a person not isolated, a grid's cell.
        let person = (0..model.states.len())
            .map(|p| Target::Person(PersonId::new(p as u32)))
            .find(|&t| !model.selected(reg, &model.schemes[i], t));
        let cell = Target::Cell(CellId::new(reg.overlays().cell_count() as u32 - 1));
        for t in [Some(Target::Unit(reg.root())), Some(cell), person].into_iter().flatten() {
            if !model.selected(reg, &model.schemes[i], t) {
                out.push(("not selected", with(removed.clone(), replaced(Assignment { target: t, ..a }), cause)));
            }
        }
        // A role the scheme does not ask of the target.
        if let Some(role) = Role::ALL.into_iter().find(|&r| model.schemes[i].slot(r).is_none()) {
            out.push(("role not asked", with(removed.clone(), replaced(Assignment { role, ..a }), cause)));
        }
        // Unavailable: the day after the member's last day, or before their first.
        let member = &model.staff[a.staff.index()];
        if let Some(until) = member.available_until() {
            out.push(("unavailable", with(removed.clone(), added.clone(), cause).with_on(plus(until, 1))));
        }
        // Added twice, in one event.
        out.push(("duplicate in the event", with(removed.clone(), [added.clone(), vec![a]].concat(), cause)));
        // Overfilling: a second valid holder of the same slot, when the event fills it.
        let same_slot = |x: &&Assignment| x.target == a.target && x.role == a.role;
        let filled = rest.rosters[i].iter().filter(same_slot).count() + added.iter().filter(same_slot).count();
        let full = model.schemes[i].slot(a.role).is_some_and(|(_, slot)| filled >= usize::from(slot.count()));
        if let Some(s) = staff_ids().filter(|_| full).find(|&s| {
            let b = Assignment { staff: s, ..a };
            s != a.staff
                && !added.contains(&b)
                && rest.valid(reg, i, &b, on)
                && !rest.rosters[i].contains(&b)
                && rest.load(i, s) + added.iter().filter(|x| x.staff == s).count() < usize::from(model.limit(i, s))
        }) {
            out.push((
                "overfilled",
                with(removed.clone(), [added.clone(), vec![Assignment { staff: s, ..a }]].concat(), cause),
            ));
        }
        // Over load: a valid holder of the slot at their limit already.
        if let Some(s) = staff_ids().find(|&s| {
            let b = Assignment { staff: s, ..a };
            s != a.staff
                && rest.valid(reg, i, &b, on)
                && !rest.rosters[i].contains(&b)
                && !others.contains(&b)
                && rest.load(i, s) + others.iter().filter(|x| x.staff == s).count() >= usize::from(model.limit(i, s))
        }) {
            out.push(("over load", with(removed.clone(), replaced(Assignment { staff: s, ..a }), cause)));
        }
    }
    // Adding an assignment held already (and not removed).
    if let Some(&held) = rest.rosters[i].first() {
        out.push(("held already", with(removed.clone(), [added.clone(), vec![held]].concat(), cause)));
    }
    // Removing one not held, or one twice.
    let not_held = staff_ids()
        .map(|s| Assignment { target: Target::Unit(reg.root()), role: Role::GateHead, staff: s })
        .chain(removed.first().map(|&r| Assignment { staff: StaffId::new(model.staff.len() as u32), ..r }))
        .find(|a| !model.rosters[i].contains(a));
    if let Some(a) = not_held {
        let mut gone = removed.clone();
        match gone.first_mut() {
            Some(first) => *first = a,
            None => gone.push(a),
        }
        out.push(("removed not held", with(gone, added.clone(), cause)));
    }
    if let Some(&r) = removed.first() {
        out.push(("removed twice", with([removed.clone(), vec![r]].concat(), added.clone(), cause)));
    }
    // The wrong shape for the cause.
    match cause {
        RosterCause::Assign => {
            out.push(("an assign removing", with(added.clone(), added.clone(), RosterCause::Unassign)));
            out.push(("an assign adding none", with(Vec::new(), Vec::new(), RosterCause::Assign)));
            if let Some(&held) = model.rosters[i].first() {
                out.push(("an assign removing", with(vec![held], added.clone(), RosterCause::Assign)));
            }
        }
        RosterCause::Unassign => {
            out.push(("an unassign adding", with(removed.clone(), removed.clone(), RosterCause::Unassign)));
            out.push(("an unassign as an assign", with(removed.clone(), Vec::new(), RosterCause::Assign)));
        }
        _ => {}
    }
    let unknown = StaffId::new(model.staff.len() as u32);
    out.push((
        "replace of unknown staff",
        with(removed.clone(), added.clone(), RosterCause::Replace { leaving: unknown }),
    ));
    // An unknown scheme.
    out.push((
        "unknown scheme",
        Event::Rostered { scheme: SchemeId::new(model.schemes.len() as u16), on, cause, removed, added },
    ));
    out
}

trait WithOn {
    fn with_on(self, date: NaiveDate) -> Self;
}

impl WithOn for Event {
    fn with_on(self, date: NaiveDate) -> Event {
        match self {
            Event::Rostered { scheme, cause, removed, added, .. } => {
                Event::Rostered { scheme, on: date, cause, removed, added }
            }
            other => other,
        }
    }
}

/// Every tampered copy of every `Rostered` event is refused by the registry just before it
/// and changes nothing; so is an event that added or removed something, applied twice; the
/// log with the `pick`-th tampered event in place of its original replays to an error
/// naming it.
fn check_tampering(world: &World, pick: usize) {
    let mut chosen = None;
    for (n, (at, before, model, event)) in world.rostered.iter().enumerate() {
        for (what, bad) in tampered(before, model, event) {
            let mut other = before.clone();
            assert!(other.apply_event(&bad).is_err(), "Rostered {n}: the tampered ({what}) {bad:?} was applied");
            assert!(other == *before, "Rostered {n}: a refused event ({what}) changed the registry");
            if chosen.is_none() || n <= pick {
                chosen = Some((*at, bad));
            }
        }
        let mut after = before.clone();
        after.apply_event(event).unwrap_or_else(|e| panic!("Rostered {n} refused: {e}"));
        if let Event::Rostered { removed, added, .. } = event
            && !(removed.is_empty() && added.is_empty())
        {
            let again = after.clone();
            assert!(after.apply_event(event).is_err(), "Rostered {n} was applied twice: {event:?}");
            assert!(after == again, "Rostered {n}: a refused event changed the registry");
        }
    }
    if let Some((at, bad)) = chosen {
        let mut altered = world.log[..at].to_vec();
        altered.push(bad);
        match Registry::replay(&altered) {
            Err(Error::Registry(RegistryError::Replay { index, .. })) => assert_eq!(index, at),
            Err(e) => panic!("the tampered log was refused without naming the event: {e}"),
            Ok(_) => panic!("the log with a tampered event replayed"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/duty.txt` and replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { max_shrink_iters: 2_000, ..proptest_config::persisted("proptest-regressions/duty.txt", cases) }
}

proptest! {
    #![proptest_config(config(128))]

    /// Random duty commands on a small sub-district agree with the model at every step; the
    /// log replays and the snapshot loads; tampered `Rostered` events are refused.
    #[test]
    fn duties_follow_the_rules(
        shape in shape(),
        staff in prop::collection::vec(add_staff(), 8..=16),
        ops in prop::collection::vec((op(), any::<u64>()), 1..=MAX_OPS),
        pick in any::<usize>(),
    ) {
        let world = run(&shape, &staff, &ops);
        check_persistence(&world.reg, &world.log);
        check_tampering(&world, pick % world.rostered.len().max(1));
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// A zone made of a courtyard of each of two communities, with its leader.
fn two_community_zone() -> (Registry, [UnitId; 2], HouseholdId, SchemeId) {
    let levels = LevelScheme::zhengzhou();
    let level = |name: &str| levels.level(name).expect("a Zhengzhou level");
    let mut reg = Registry::new(levels.clone(), NewUnit::new("街道", level("街道"), UnitKind::Area)).expect("a root");
    let mut log = Vec::new();
    let root = reg.root();
    let mut unit = |reg: &mut Registry, parent, unit| {
        setup(reg, &mut log, Command::AddUnit { parent, unit })[0].new_unit().expect("a unit")
    };
    let yard_kind = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
    let c0 = unit(&mut reg, root, NewUnit::new("甲社区", level("社区"), UnitKind::Area));
    let c1 = unit(&mut reg, root, NewUnit::new("乙社区", level("社区"), UnitKind::Area));
    let y0 = unit(&mut reg, c0, NewUnit::new("1号院", level("楼院"), yard_kind));
    let y1 = unit(&mut reg, c1, NewUnit::new("2号院", level("楼院"), yard_kind));
    let door = DoorLabel::new("1-101").expect("a door");
    let household = reg.apply(Command::AddHousehold { unit: y0, door }).expect("a household")[0]
        .new_household()
        .expect("a household");
    let zones = reg.apply(Command::CreateOverlay { name: "片区".into(), kind: OverlayKind::Zone }).expect("an overlay")
        [0]
    .new_overlay()
    .expect("an overlay");
    let cell =
        reg.apply(Command::AddCell { overlay: zones, name: "一片".into(), units: vec![y0, y1] }).expect("a cell")[0]
            .new_cell()
            .expect("a cell");
    let scheme = reg.apply(Command::AdoptScheme { scheme: Scheme::zone_leaders(zones) }).expect("adopted")[0]
        .new_scheme()
        .expect("a scheme");
    let name = Name::new("处长").expect("a name");
    let leader = Staff::new(name, Qualifications::only(Q::DepartmentLeader), root, 1).expect("a staff member");
    let staff = reg.apply(Command::AddStaff { staff: leader }).expect("added")[0].new_staff().expect("a staff member");
    let role = Role::DepartmentLeader;
    reg.apply(Command::Assign { scheme, target: Target::Cell(cell), role, staff, on: start() }).expect("assigned");
    (reg, [c0, c1], household, scheme)
}

/// The zone lies wholly inside the scope of its two communities, and the scope lists its
/// leader as responsible for a household in it; its coverage should count the zone.
#[test]
fn a_zone_spanning_two_roots_of_a_scope_is_covered_by_the_scope() {
    let (reg, roots, household, scheme) = two_community_zone();
    let scope = reg.scope(&roots).expect("two communities");
    assert_eq!(scope.responsible_for(household, start()).expect("inside").len(), 1);
    let whole = reg.duty_coverage(scheme, reg.root(), start()).expect("a scheme");
    assert_eq!((whole.targets, whole.covered), (1, 1));
    let coverage = scope.duty_coverage(scheme, start()).expect("a scheme");
    assert_eq!((coverage.targets, coverage.covered), (1, 1), "{coverage:?}");
}
