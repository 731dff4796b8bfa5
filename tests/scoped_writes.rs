//! Writes through a scope (issue 7 §4): a command issued through
//! [`Registry::apply_within`] changes nothing outside the scope, and is refused with
//! [`RegistryError::OutsideScope`] exactly when it would have.
//!
//! A case builds a small city at random (a sub-district, two or three communities, courtyards
//! and building groups, households at courtyards, buildings and one at a community itself,
//! persons; a grid overlay with a cell per community but the last, a zone overlay with one
//! cell across two communities; arrivals in home isolation, close contacts and secondary
//! contacts linked to close contacts of *other* communities; 六包一, 2+3 and zone leaders with
//! staff living at the root, the communities and the courtyards, some holding roles far from
//! home; 六包一's and the zone leaders' rosters solved, 2+3's left with gaps to fill), draws three users' scopes (one or two random roots; now and then
//! the root) and sends up to [`MAX_OPS`] random commands of every kind, each through one of
//! the scopes: valid and invalid, inside and outside, unknown ids now and then.
//!
//! For every command, the same command applied without a scope to a clone of the registry
//! from before is the reference, and its events are read by an oracle written here from the
//! documented rule ([`Scope::check_command`](wangge::Scope::check_command)), walking parent
//! links rather than asking the registry what is inside:
//! - the reference refused it: the scoped command is refused too, the registry unchanged;
//! - the reference's events touch something outside: refused with `OutsideScope`; the command
//!   acts on the whole city and the scope lacks the root: refused with `CityWide`; the registry
//!   unchanged either way;
//! - otherwise: accepted, with the very same events, leaving the registry equal to the
//!   reference.
//!
//! After every accepted command, everything outside is compared with before: every unit not
//! inside (attributes, parent, children), the counts and tallies of every unit neither inside
//! nor above a root (those above legitimately follow what changes inside), every household,
//! person and case not inside with its colour and state, every cell not inside and the tally of
//! every cell with no unit inside or above a root, every staff member living outside, every
//! roster entry whose target or holder is outside, who is responsible for every unit, household
//! and person not inside, the agenda's items outside, the colour rule, the policies, the
//! schemes and the overlays. The audit stays empty.
//!
//! A second test runs a fixed set of cases and checks that every kind of command was both
//! accepted through a scope without the root and refused as outside, so that neither verdict
//! is vacuous.

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use wangge::colour::{Colour, ColourRule, PersonState, State, Tally};
use wangge::duty::{Assignment, Availability, Qualification, Qualifications, Role, Scheme, Staff, Target};
use wangge::grid::{Cell, CompoundKind, LevelScheme, NewUnit, OverlayKind, Unit, UnitKind};
use wangge::people::{DoorLabel, Household, Markers, Person, PersonRecord, ResidentId};
use wangge::quarantine::{Agenda, Case, Category, Link, Policy, Temperature, TestResult};
use wangge::registry::{Responsible, RosterCause};
use wangge::{
    CaseId, CellId, Command, Counts, Error, Event, HouseholdId, OverlayId, PersonId, PolicyId, Registry, RegistryError,
    SchemeId, StaffId, UnitId,
};

/// The most commands sent in a case.
const MAX_OPS: usize = 40;

/// How many kinds of command [`to_command`] makes.
const KINDS: u8 = 27;

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a real date")
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).expect("a real time")
}

// ---------------------------------------------------------------------------------------------
// The city
// ---------------------------------------------------------------------------------------------

/// The random parts of a city.
#[derive(Clone, Debug)]
struct Shape {
    /// Courtyards per community (2 or 3 communities).
    courtyards: Vec<u8>,
    /// Whether each courtyard (in order) has a building group.
    buildings: Vec<bool>,
    /// Persons per household (in order), 1 or 2.
    sizes: Vec<u8>,
    /// Which persons start a case, and of which kind.
    cases: Vec<u8>,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        proptest::collection::vec(1u8..=2, 2..=3),
        proptest::collection::vec(any::<bool>(), 6),
        proptest::collection::vec(1u8..=2, 16),
        proptest::collection::vec(0u8..8, 32),
    )
        .prop_map(|(courtyards, buildings, sizes, cases)| Shape { courtyards, buildings, sizes, cases })
}

fn send(reg: &mut Registry, command: Command) -> Vec<Event> {
    reg.apply(command).expect("the city is built of valid commands")
}

/// Build the city of `shape`, through unscoped commands.
fn city(shape: &Shape) -> Registry {
    let scheme = LevelScheme::zhengzhou();
    let lv = |n: &str| scheme.level(n).expect("a Zhengzhou level");
    let mut reg = Registry::new(scheme.clone(), NewUnit::new("S", lv("街道"), UnitKind::Area)).expect("a root");
    let root = reg.root();
    let unit = |reg: &mut Registry, parent, name: String, level, kind| {
        send(reg, Command::AddUnit { parent, unit: NewUnit::new(name, lv(level), kind) })[0].new_unit().expect("a unit")
    };
    let mut communities = Vec::new();
    let mut yards = Vec::new();
    let mut holders = Vec::new();
    for (c, &n) in shape.courtyards.iter().enumerate() {
        let community = unit(&mut reg, root, format!("C{c}"), "社区", UnitKind::Area);
        communities.push(community);
        for y in 0..n {
            let kind = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
            let yard = unit(&mut reg, community, format!("Y{c}{y}"), "楼院", kind);
            yards.push(yard);
            holders.push(yard);
            if shape.buildings[yards.len() - 1] {
                holders.push(unit(&mut reg, yard, format!("B{c}{y}"), "楼组", UnitKind::Building));
            }
        }
    }
    holders.push(communities[0]);
    let mut persons = Vec::new();
    for (i, &u) in holders.iter().enumerate() {
        let door = DoorLabel::new(&format!("{i}-101")).expect("a door");
        let h = send(&mut reg, Command::AddHousehold { unit: u, door })[0].new_household().expect("a household");
        for _ in 0..shape.sizes[i % shape.sizes.len()] {
            let state = PersonState::well(start());
            let command = Command::RegisterPerson { household: h, record: PersonRecord::new(), state };
            persons.push(send(&mut reg, command)[0].new_person().expect("a person"));
        }
    }

    let grids = send(&mut reg, Command::CreateOverlay { name: "grids".into(), kind: OverlayKind::Grid })[0]
        .new_overlay()
        .expect("an overlay");
    for (c, &community) in communities.iter().enumerate().take(communities.len() - 1) {
        send(&mut reg, Command::AddCell { overlay: grids, name: format!("g{c}"), units: vec![community] });
    }
    let zones = send(&mut reg, Command::CreateOverlay { name: "zones".into(), kind: OverlayKind::Zone })[0]
        .new_overlay()
        .expect("an overlay");
    let across = vec![yards[0], *yards.last().expect("courtyards")];
    send(&mut reg, Command::AddCell { overlay: zones, name: "z0".into(), units: across });

    // Cases: arrivals, close contacts, and secondary contacts linked to a close contact's case.
    let policy = |reg: &mut Registry, p: Policy| send(reg, Command::AdoptPolicy { policy: p })[0].new_policy();
    let arrival = policy(&mut reg, Policy::seed_shanghai_2020()).expect("a policy");
    let close = policy(&mut reg, Policy::cn_ed9_close_contact()).expect("a policy");
    let secondary = policy(&mut reg, Policy::cn_ed9_secondary_contact()).expect("a policy");
    assert_eq!(secondary, PolicyId::new(2), "to_command links secondary contacts under policy 2");
    let mut close_cases = Vec::new();
    // The first business date 业务日期: cases start on it.
    send(&mut reg, Command::OpenDay { today: start() });
    // Arrivals of 14 days ago are due for release today, so that a release can be decided.
    let fortnight = start().checked_sub_days(Days::new(14)).expect("a date");
    for (i, &person) in persons.iter().enumerate() {
        let (policy, category, linked, anchor) = match shape.cases[i % shape.cases.len()] {
            0 => (arrival, Category::ArrivalFromEpidemicArea, None, start()),
            1 => (arrival, Category::ArrivalFromEpidemicArea, None, fortnight),
            2 | 3 => (close, Category::CloseContact, None, start()),
            4 | 5 if !close_cases.is_empty() => {
                (secondary, Category::SecondaryContact, Some(Link::Case(close_cases[i % close_cases.len()])), start())
            }
            _ => continue,
        };
        let command = Command::StartCase { person, policy, category, anchor, on: start(), linked };
        let case = send(&mut reg, command)[0].new_case().expect("a case");
        if category == Category::CloseContact {
            close_cases.push(case);
        }
        if anchor == fortnight {
            // A clean check on their last day, today: a release asked for is accepted (a
            // blocked one is refused).
            let temperature = Temperature::from_tenths(365).expect("a temperature");
            send(&mut reg, Command::RecordCheck { person, at: at(start(), 8), temperature, symptoms: false });
        }
    }

    // Staff at the root, the communities and the courtyards; three schemes, solved.
    let q = Qualifications::only;
    let mut staff = vec![
        (root, q(Qualification::DistrictLeader).with(Qualification::DistrictDepartment), 6),
        (root, q(Qualification::SectionCadre).with(Qualification::Police), 6),
        (root, q(Qualification::Medical).with(Qualification::DepartmentLeader), 6),
        (yards[0], q(Qualification::DistrictLeader).with(Qualification::DepartmentLeader), 3),
    ];
    for &c in &communities {
        staff.push((c, q(Qualification::PartySecretary).with(Qualification::HealthWorker), 3));
        staff.push((c, q(Qualification::GridWorker).with(Qualification::Police), 4));
    }
    for &y in &yards {
        staff.push((y, q(Qualification::GridWorker).with(Qualification::SectionCadre), 2));
    }
    for (i, (home, quals, limit)) in staff.into_iter().enumerate() {
        let name = wangge::people::Name::new(&format!("staff {i}")).expect("a name");
        let member = Staff::new(name, quals, home, limit).expect("a staff member");
        send(&mut reg, Command::AddStaff { staff: member });
    }
    let six = Scheme::six_cover_one(lv("社区"), lv("街道"), None).expect("a preset");
    // 2+3 is left unsolved: its gaps are for commands to fill.
    for (scheme, solve) in [(six, true), (Scheme::two_plus_three(), false), (Scheme::zone_leaders(zones), true)] {
        let id = send(&mut reg, Command::AdoptScheme { scheme })[0].new_scheme().expect("a scheme");
        if solve {
            send(&mut reg, Command::Solve { scheme: id, on: start(), balanced: false });
        }
    }
    assert!(reg.audit().is_empty());
    reg
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/// One command to send: its kind, picks for what it names, and which user sends it.
#[derive(Clone, Copy, Debug)]
struct Op {
    kind: u8,
    a: u16,
    b: u16,
    c: u16,
    flag: u8,
    user: u8,
}

fn op() -> impl Strategy<Value = Op> {
    (0..KINDS, any::<u16>(), any::<u16>(), any::<u16>(), any::<u8>(), 0u8..3)
        .prop_map(|(kind, a, b, c, flag, user)| Op { kind, a, b, c, flag, user })
}

/// Pick among `n` ids, or one past the last now and then (unknown).
fn pick(n: usize, p: u16) -> u32 {
    if p % 16 == 15 || n == 0 { n as u32 } else { (p as usize % n) as u32 }
}

/// Picks of ids in the registry of the moment: any id, or, when `near`, one inside the scope
/// the command is sent through (so that commands inside are common enough to be accepted).
struct Picker<'r> {
    reg: &'r Registry,
    near: bool,
    roots: Vec<UnitId>,
    units: Vec<UnitId>,
    households: Vec<HouseholdId>,
    persons: Vec<PersonId>,
}

impl<'r> Picker<'r> {
    fn new(reg: &'r Registry, roots: &[UnitId], near: bool) -> Self {
        let units: Vec<UnitId> = roots.iter().flat_map(|&r| reg.tree().subtree(r).expect("a root")).collect();
        let households: Vec<HouseholdId> =
            units.iter().flat_map(|&u| reg.population().households_at(u).iter().copied()).collect();
        let persons =
            households.iter().flat_map(|&h| reg.household(h).expect("known").members().iter().copied()).collect();
        Picker { reg, near, roots: roots.to_vec(), units, households, persons }
    }

    /// The `p`th of `inside` when near and there are some, else any of `n` ids (or an unknown).
    fn of<T: Copy>(&self, inside: &[T], n: usize, p: u16, id: impl Fn(u32) -> T) -> T {
        if self.near && !inside.is_empty() { inside[p as usize % inside.len()] } else { id(pick(n, p)) }
    }

    fn unit(&self, p: u16) -> UnitId {
        self.of(&self.units, self.reg.tree().len(), p, UnitId::new)
    }

    fn household(&self, p: u16) -> HouseholdId {
        self.of(&self.households, self.reg.population().household_count(), p, HouseholdId::new)
    }

    fn person(&self, p: u16) -> PersonId {
        self.of(&self.persons, self.reg.population().person_count(), p, PersonId::new)
    }

    fn case(&self, p: u16) -> CaseId {
        let inside: Vec<CaseId> =
            self.reg.cases().filter(|(_, c)| self.persons.contains(&c.person())).map(|(id, _)| id).collect();
        self.of(&inside, self.reg.cases().count(), p, CaseId::new)
    }

    fn staff(&self, p: u16) -> StaffId {
        let inside: Vec<StaffId> = (0..self.reg.staff_pool().len() as u32)
            .map(StaffId::new)
            .filter(|&s| self.units.contains(&self.reg.staff_member(s).expect("known").home()))
            .collect();
        self.of(&inside, self.reg.staff_pool().len(), p, StaffId::new)
    }

    fn cell(&self, p: u16) -> CellId {
        let n = self.reg.overlays().cell_count();
        let inside: Vec<CellId> = (0..n as u32)
            .map(CellId::new)
            .filter(|&c| self.reg.overlays().cell(c).expect("known").units().iter().all(|u| self.units.contains(u)))
            .collect();
        self.of(&inside, n, p, CellId::new)
    }

    fn scheme(&self, p: u16) -> SchemeId {
        SchemeId::new(pick(self.reg.schemes().count(), p) as u16)
    }

    /// A person under an active case, most of the time: case commands are about them.
    fn patient(&self, p: u16) -> PersonId {
        let active: Vec<PersonId> = self
            .reg
            .cases()
            .filter(|(_, c)| c.status().is_active() && (!self.near || self.persons.contains(&c.person())))
            .map(|(_, c)| c.person())
            .collect();
        if active.is_empty() || p % 8 == 7 { self.person(p) } else { active[p as usize % active.len()] }
    }
}

/// The command of `op` against the registry of the moment.
fn to_command(reg: &Registry, op: Op, today: NaiveDate, roots: &[UnitId]) -> Command {
    let Op { kind, a, b, c, flag, .. } = op;
    let k = Picker::new(reg, roots, flag & 0x80 != 0);
    let tree = reg.tree();
    let levels = ["街道", "社区", "楼院", "楼组"];
    match kind {
        0 => {
            let parent = k.unit(a);
            let depth = tree.level(parent).map_or(1, |l| l.index() + 1).min(3);
            let kind = match (depth, flag % 5) {
                (_, 0) => UnitKind::Entrance(None),
                (1, _) => UnitKind::Area,
                (2, _) => UnitKind::Compound(CompoundKind::Open),
                _ => UnitKind::Building,
            };
            let level = tree.scheme().level(levels[depth]).expect("a level");
            Command::AddUnit { parent, unit: NewUnit::new(format!("n{c}"), level, kind) }
        }
        1 => {
            let moved = k.unit(a);
            let parent_level = tree.parent(moved).ok().flatten().and_then(|p| tree.level(p).ok());
            let same: Vec<UnitId> = tree.ids().filter(|&u| tree.level(u).ok() == parent_level).collect();
            let new_parent = if same.is_empty() || flag % 4 == 0 { k.unit(b) } else { same[b as usize % same.len()] };
            Command::MoveUnit { unit: moved, new_parent }
        }
        2 => {
            let transfer_to = (flag % 2 == 0).then(|| k.unit(b));
            Command::CloseUnit { unit: k.unit(a), on: today, transfer_to }
        }
        3 => Command::CreateOverlay { name: format!("o{}", a % 4), kind: OverlayKind::Other },
        4 => {
            let overlay = OverlayId::new(pick(reg.overlays().len(), a) as u16);
            let mut units = vec![k.unit(b)];
            if flag % 3 == 0 {
                units.push(k.unit(c));
            }
            Command::AddCell { overlay, name: format!("c{}", b % 8), units }
        }
        5 => Command::ExtendCell { cell: k.cell(a), units: vec![k.unit(b)] },
        6 => Command::AddHousehold { unit: k.unit(a), door: DoorLabel::new(&format!("d{}", b % 6)).expect("a door") },
        7 => Command::MoveHousehold { household: k.household(a), to: k.unit(b) },
        8 => {
            let mut record = PersonRecord::new();
            if flag % 3 != 0 {
                let born = NaiveDate::from_ymd_opt(1980, 1, 1 + u32::from(b % 6)).expect("a date");
                record = record.with_resident_id(ResidentId::from_parts(410105, born, 1).expect("valid"));
            }
            Command::RegisterPerson { household: k.household(a), record, state: PersonState::well(today) }
        }
        9 => Command::MovePerson { person: k.person(a), to: k.household(b), on: today },
        10 => {
            let markers: Markers = wangge::people::Marker::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| b & (1 << i) != 0)
                .map(|(_, &m)| m)
                .collect();
            Command::SetMarkers { person: k.person(a), markers }
        }
        11 => Command::SetState { person: k.person(a), state: State::ALL[b as usize % State::ALL.len()], on: today },
        12 => {
            let rule = if flag % 2 == 0 {
                ColourRule::default()
            } else {
                ColourRule::default().with(State::Absent, Colour::Yellow)
            };
            Command::SetColourRule { rule, on: today }
        }
        13 => {
            let presets = Policy::presets();
            Command::AdoptPolicy { policy: presets[a as usize % presets.len()].clone() }
        }
        14 => {
            let anchor = today.checked_sub_days(Days::new(u64::from(flag % 4))).expect("a date");
            if flag % 3 == 0 {
                // A secondary contact linked to a close contact's case, anywhere.
                let close: Vec<CaseId> =
                    reg.cases().filter(|(_, c)| c.category() == Category::CloseContact).map(|(id, _)| id).collect();
                let linked = close.get(c as usize % close.len().max(1)).copied().unwrap_or(CaseId::new(0));
                let (policy, category) = (PolicyId::new(2), Category::SecondaryContact);
                return Command::StartCase {
                    person: k.person(a),
                    policy,
                    category,
                    anchor,
                    on: today,
                    linked: Some(Link::Case(linked)),
                };
            }
            let policy = PolicyId::new(pick(reg.policies().count(), b) as u16);
            let category = Category::ALL[c as usize % Category::ALL.len()];
            // Now and then a link to some case, or explicitly none, or (refused for a
            // secondary contact under a linked release) nothing said.
            let linked = match flag % 5 {
                0 => Some(Link::Case(k.case(c))),
                1 | 2 => Some(Link::Unlinked),
                _ => None,
            };
            Command::StartCase { person: k.person(a), policy, category, anchor, on: today, linked }
        }
        15 => {
            // A new exposure recorded today, from a day up to two before (later than the case's
            // anchor once days have passed).
            let anchor = today.checked_sub_days(Days::new(u64::from(b % 3))).expect("a date");
            Command::Exposed { person: k.patient(a), anchor, on: today }
        }
        16 => {
            let temperature = Temperature::from_tenths(if flag % 4 == 0 { 386 } else { 365 }).expect("a temperature");
            Command::RecordCheck { person: k.patient(a), at: at(today, 9), temperature, symptoms: false }
        }
        17 => {
            let result = if flag % 2 == 0 { TestResult::Positive } else { TestResult::Negative };
            Command::RecordTest { person: k.patient(a), on: today, result }
        }
        18 => Command::Release {
            case: k.case(a),
            // Today, or up to two days back (before a release date: refused).
            on: today.checked_sub_days(Days::new(u64::from(b % 3))).expect("a date"),
        },
        19 => Command::OpenDay { today: today.checked_add_days(Days::new(u64::from(a % 4))).expect("a date") },
        20 => {
            let quals = Qualifications::only(Qualification::ALL[b as usize % Qualification::ALL.len()]);
            let name = wangge::people::Name::new("new staff").expect("a name");
            let member = Staff::new(name, quals, k.unit(a), 1 + c % 3).expect("a staff member");
            Command::AddStaff { staff: member }
        }
        21 => {
            let until = (flag % 2 == 0).then_some(today);
            let availability = until.map_or(Availability::Always, Availability::Until);
            Command::SetAvailability { staff: k.staff(a), availability }
        }
        22 => {
            let scheme = match a % 3 {
                0 => Scheme::two_plus_three(),
                1 => Scheme::three_heads(wangge::grid::Level::new(1), wangge::grid::Level::new(0))
                    .expect("a valid preset"),
                _ => Scheme::zone_leaders(OverlayId::new(0)),
            };
            Command::AdoptScheme { scheme }
        }
        23 => {
            let s = k.scheme(a);
            // Near: a gap inside the scope, and someone inside who may hold it.
            let gaps: Vec<(Target, Role)> = if k.near {
                k.roots
                    .iter()
                    .filter_map(|&r| reg.duty_coverage(s, r, today).ok())
                    .flat_map(|c| c.gaps.into_iter().map(|g| (g.target, g.role)))
                    .collect()
            } else {
                Vec::new()
            };
            let (target, role) = match gaps.get(b as usize % gaps.len().max(1)) {
                Some(&gap) => gap,
                None => {
                    let targets = reg.duty_targets(s).unwrap_or_default();
                    let target = if targets.is_empty() {
                        Target::Unit(k.unit(b))
                    } else {
                        targets[b as usize % targets.len()].0
                    };
                    let roles: Vec<Role> = reg
                        .scheme(s)
                        .map(|spec| {
                            spec.rules().iter().flat_map(|r| r.slots().iter().map(|slot| slot.role())).collect()
                        })
                        .unwrap_or_default();
                    (target, if roles.is_empty() { Role::GridWorker } else { roles[c as usize % roles.len()] })
                }
            };
            let eligible: Vec<StaffId> = (0..reg.staff_pool().len() as u32)
                .map(StaffId::new)
                .filter(|&m| reg.staff_member(m).is_ok_and(|m| m.is_eligible(role) && k.units.contains(&m.home())))
                .collect();
            let staff = match eligible.get(c as usize % eligible.len().max(1)) {
                Some(&m) if k.near => m,
                _ => k.staff(u16::from(flag)),
            };
            Command::Assign { scheme: s, target, role, staff, on: today }
        }
        24 => {
            let s = k.scheme(a);
            let held: Vec<Assignment> = reg.roster(s).map(|r| r.assignments().to_vec()).unwrap_or_default();
            match held.get(b as usize % held.len().max(1)) {
                Some(x) if flag % 8 != 0 => {
                    Command::Unassign { scheme: s, target: x.target, role: x.role, staff: x.staff, on: today }
                }
                _ => Command::Unassign {
                    scheme: s,
                    target: Target::Unit(k.unit(b)),
                    role: Role::GridWorker,
                    staff: k.staff(c),
                    on: today,
                },
            }
        }
        25 => Command::Solve { scheme: k.scheme(a), on: today, balanced: flag % 2 == 0 },
        _ => {
            let s = k.scheme(a);
            let held: Vec<Assignment> = reg.roster(s).map(|r| r.assignments().to_vec()).unwrap_or_default();
            let leaving = match held.get(b as usize % held.len().max(1)) {
                Some(x) if flag % 4 != 0 => x.staff,
                _ => k.staff(b),
            };
            Command::Replace { scheme: s, leaving, on: today }
        }
    }
}

/// The kind of a command, as [`to_command`] numbers them.
fn kind_of(command: &Command) -> u8 {
    match command {
        Command::AddUnit { .. } => 0,
        Command::MoveUnit { .. } => 1,
        Command::CloseUnit { .. } => 2,
        Command::CreateOverlay { .. } => 3,
        Command::AddCell { .. } => 4,
        Command::ExtendCell { .. } => 5,
        Command::AddHousehold { .. } => 6,
        Command::MoveHousehold { .. } => 7,
        Command::RegisterPerson { .. } => 8,
        Command::MovePerson { .. } => 9,
        Command::SetMarkers { .. } => 10,
        Command::SetState { .. } => 11,
        Command::SetColourRule { .. } => 12,
        Command::AdoptPolicy { .. } => 13,
        Command::StartCase { .. } => 14,
        Command::Exposed { .. } => 15,
        Command::RecordCheck { .. } => 16,
        Command::RecordTest { .. } => 17,
        Command::Release { .. } => 18,
        Command::OpenDay { .. } => 19,
        Command::AddStaff { .. } => 20,
        Command::SetAvailability { .. } => 21,
        Command::AdoptScheme { .. } => 22,
        Command::Assign { .. } => 23,
        Command::Unassign { .. } => 24,
        Command::Solve { .. } => 25,
        Command::Replace { .. } => 26,
        _ => panic!("a command this test does not know: {command:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Inside and outside, by walking parent links
// ---------------------------------------------------------------------------------------------

/// What lies inside a scope of a registry, worked out by walking parent links.
struct Inside<'r> {
    reg: &'r Registry,
    roots: Vec<UnitId>,
}

impl Inside<'_> {
    /// The unit and its ancestors, itself first.
    fn chain(&self, unit: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        let mut at = Some(unit);
        while let Some(u) = at {
            out.push(u);
            at = self.reg.tree().parent(u).ok().flatten();
        }
        out
    }

    fn unit(&self, unit: UnitId) -> bool {
        self.reg.tree().contains(unit) && self.chain(unit).iter().any(|u| self.roots.contains(u))
    }

    /// A unit strictly above one of the roots.
    fn above(&self, unit: UnitId) -> bool {
        self.roots.iter().any(|&r| r != unit && self.chain(r).contains(&unit))
    }

    fn household(&self, h: HouseholdId) -> bool {
        self.reg.household(h).is_ok_and(|h| self.unit(h.unit()))
    }

    fn person(&self, p: PersonId) -> bool {
        self.reg.person(p).is_ok_and(|p| self.household(p.household()))
    }

    fn case(&self, c: CaseId) -> bool {
        self.reg.case(c).is_ok_and(|c| self.person(c.person()))
    }

    fn staff(&self, s: StaffId) -> bool {
        self.reg.staff_member(s).is_ok_and(|m| self.unit(m.home()))
    }

    fn cell(&self, c: CellId) -> bool {
        self.reg.overlays().cell(c).is_ok_and(|cell| cell.units().iter().all(|&u| self.unit(u)))
    }

    fn target(&self, t: Target) -> bool {
        match t {
            Target::Unit(u) => self.unit(u),
            Target::Cell(c) => self.cell(c),
            Target::Person(p) => self.person(p),
        }
    }

    fn assignment(&self, a: &Assignment) -> bool {
        self.target(a.target) && self.staff(a.staff)
    }

    /// Every assignment `staff` holds, under any scheme.
    fn held_by(&self, staff: StaffId) -> Vec<Assignment> {
        let mut out = Vec::new();
        for (s, _) in self.reg.schemes() {
            let roster = self.reg.roster(s).expect("a scheme");
            out.extend(roster.assignments().iter().filter(|a| a.staff == staff).copied());
        }
        out
    }

    /// Whether an event, read against the registry before its command, changes only what
    /// lies inside.
    fn event(&self, event: &Event) -> bool {
        match event {
            Event::UnitAdded { parent, .. } => self.unit(*parent),
            Event::UnitMoved { from, to, .. } => self.unit(*from) && self.unit(*to),
            Event::UnitClosed { unit, transferred_to, .. } => {
                self.unit(*unit) && transferred_to.is_none_or(|t| self.unit(t))
            }
            Event::CellAdded { units, .. } => units.iter().all(|&u| self.unit(u)),
            Event::CellExtended { cell, units } => self.cell(*cell) && units.iter().all(|&u| self.unit(u)),
            Event::HouseholdAdded { unit, .. } => self.unit(*unit),
            Event::HouseholdMoved { from, to, .. } => self.unit(*from) && self.unit(*to),
            Event::PersonRegistered { household, .. } => self.household(*household),
            Event::PersonMoved { from, to, .. } => self.household(*from) && self.household(*to),
            Event::MarkersSet { person, .. } | Event::StateChanged { person, .. } => self.person(*person),
            Event::CaseStarted { person, linked, .. } => self.person(*person) && linked.is_none_or(|l| self.case(l)),
            Event::CaseRestarted { case, .. }
            | Event::CheckRecorded { case, .. }
            | Event::TestRecorded { case, .. }
            | Event::CaseConverted { case, .. }
            | Event::PhaseEntered { case, .. }
            | Event::CaseReleased { case, .. }
            | Event::CaseFlagged { case, .. } => self.case(*case),
            Event::StaffAdded { spec, .. } => self.unit(spec.home()),
            Event::AvailabilitySet { staff, .. } => {
                self.staff(*staff) && self.held_by(*staff).iter().all(|a| self.target(a.target))
            }
            Event::Rostered { removed, added, cause, .. } => {
                let leaver = match cause {
                    RosterCause::Replace { leaving } => self.staff(*leaving),
                    _ => true,
                };
                leaver && removed.iter().chain(added).all(|a| self.assignment(a))
            }
            Event::Founded { .. }
            | Event::OverlayCreated { .. }
            | Event::ColourRuleSet { .. }
            | Event::PolicyAdopted { .. }
            | Event::SchemeAdopted { .. } => false,
            other => panic!("an event this test does not know: {other:?}"),
        }
    }

    /// Whether a command that became `events` changes only what lies inside: the documented
    /// rule, read from the events. Commands on the whole city need the root.
    fn command(&self, command: &Command, events: &[Event]) -> bool {
        if self.unit(self.reg.root()) {
            return true;
        }
        !self.city_wide(command) && events.iter().all(|e| self.event(e))
    }

    /// Whether `command` acts on the whole city and this scope lacks the root: refused with
    /// `CityWide`, whatever it would touch.
    fn city_wide(&self, command: &Command) -> bool {
        let whole_city = matches!(
            command,
            Command::CreateOverlay { .. }
                | Command::SetColourRule { .. }
                | Command::AdoptPolicy { .. }
                | Command::AdoptScheme { .. }
                | Command::AdoptWorkPlan { .. }
                | Command::ChangePolicy { .. }
                | Command::ReceiveTracedBatch { .. }
                | Command::Solve { .. }
                | Command::OpenDay { .. }
        );
        whole_city && !self.unit(self.reg.root())
    }
}

// ---------------------------------------------------------------------------------------------
// What lies outside
// ---------------------------------------------------------------------------------------------

/// Everything outside a scope that a command through it must leave as it was.
#[derive(Debug, PartialEq)]
struct Outside {
    units: Vec<(UnitId, Unit, Option<UnitId>, Vec<UnitId>)>,
    tallies: Vec<(UnitId, Counts, Tally)>,
    households: Vec<(HouseholdId, Household, Colour)>,
    persons: Vec<(PersonId, Person, PersonState)>,
    cases: Vec<(CaseId, Case)>,
    cells: Vec<(CellId, Cell)>,
    cell_tallies: Vec<(CellId, Tally)>,
    staff: Vec<(StaffId, Staff)>,
    roster: Vec<(SchemeId, Assignment)>,
    responsible: Vec<(String, Vec<Responsible>)>,
    agenda: Vec<Agenda>,
    rule: ColourRule,
    policies: Vec<Policy>,
    schemes: Vec<Scheme>,
    overlays: Vec<String>,
}

/// What lies outside the scope `inside` (read on the registry before the command) in `reg`.
fn outside(inside: &Inside, reg: &Registry, today: NaiveDate) -> Outside {
    let before = inside.reg;
    let date = today;
    let units: Vec<UnitId> = before.tree().ids().filter(|&u| !inside.unit(u)).collect();
    let households: Vec<HouseholdId> =
        before.population().households().map(|(h, _)| h).filter(|&h| !inside.household(h)).collect();
    let persons: Vec<PersonId> = before.population().persons().map(|(p, _)| p).filter(|&p| !inside.person(p)).collect();
    let mut responsible = Vec::new();
    for &u in &units {
        responsible.push((format!("{u}"), reg.responsible_for(u, date).expect("known")));
    }
    for &h in &households {
        responsible.push((format!("{h}"), reg.responsible_for(h, date).expect("known")));
    }
    for &p in &persons {
        responsible.push((format!("{p}"), reg.responsible_for(p, date).expect("known")));
    }
    let cells: Vec<CellId> =
        (0..before.overlays().cell_count() as u32).map(CellId::new).filter(|&c| !inside.cell(c)).collect();
    let far = |u: &UnitId| !inside.unit(*u) && !inside.above(*u);
    let mut roster = Vec::new();
    for (s, _) in before.schemes() {
        for a in reg.roster(s).expect("a scheme").assignments() {
            if !inside.target(a.target) || !inside.staff(a.staff) {
                roster.push((s, *a));
            }
        }
    }
    let agenda = [date, date.checked_add_days(Days::new(1)).expect("a date")]
        .into_iter()
        .map(|d| {
            let mut agenda = reg.agenda(d);
            agenda.retain(|u| !inside.unit(u));
            agenda
        })
        .collect();
    Outside {
        units: units
            .iter()
            .map(|&u| {
                let tree = reg.tree();
                let unit = tree.unit(u).expect("units are never removed").clone();
                (u, unit, tree.parent(u).expect("known"), tree.children(u).expect("known").to_vec())
            })
            .collect(),
        tallies: units
            .iter()
            .filter(|u| far(u))
            .map(|&u| (u, reg.counts(u).expect("known"), reg.tally(u).expect("known").clone()))
            .collect(),
        households: households
            .iter()
            .map(|&h| (h, reg.household(h).expect("known").clone(), reg.colour(h).expect("known")))
            .collect(),
        persons: persons
            .iter()
            .map(|&p| (p, reg.person(p).expect("known").clone(), reg.state(p).expect("known")))
            .collect(),
        cases: before
            .cases()
            .map(|(c, _)| c)
            .filter(|&c| !inside.case(c))
            .map(|c| (c, reg.case(c).expect("known").clone()))
            .collect(),
        cell_tallies: cells
            .iter()
            .filter(|&&c| before.overlays().cell(c).expect("known").units().iter().all(far))
            .map(|&c| (c, reg.cell_tally(c).expect("known").clone()))
            .collect(),
        cells: cells.iter().map(|&c| (c, reg.overlays().cell(c).expect("known").clone())).collect(),
        staff: (0..before.staff_pool().len() as u32)
            .map(StaffId::new)
            .filter(|&s| !inside.staff(s))
            .map(|s| (s, reg.staff_member(s).expect("known").clone()))
            .collect(),
        roster,
        responsible,
        agenda,
        rule: reg.colour_rule().clone(),
        policies: reg.policies().map(|(_, p)| p.clone()).collect(),
        schemes: reg.schemes().map(|(_, s)| s.clone()).collect(),
        overlays: reg.overlays().ids().map(|o| reg.overlays().overlay(o).expect("known").name().to_owned()).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

/// What happened to each kind of command, for the second test.
#[derive(Default, Debug)]
struct Verdicts {
    /// Accepted through a scope without the root.
    accepted: BTreeMap<u8, usize>,
    /// Refused as outside.
    outside: BTreeMap<u8, usize>,
    /// Refused for another reason.
    refused: BTreeMap<u8, usize>,
}

/// Draw a scope's roots: one or two units, the root one time in eight.
fn roots_of(reg: &Registry, picks: (u16, u16, u8)) -> Vec<UnitId> {
    let n = reg.tree().len();
    let (a, b, flag) = picks;
    let mut roots = vec![UnitId::new(1 + (a as usize % (n - 1)) as u32)];
    if flag % 8 == 0 {
        roots.push(reg.root());
    } else if flag % 2 == 0 {
        roots.push(UnitId::new(1 + (b as usize % (n - 1)) as u32));
    }
    roots
}

fn run_case(shape: &Shape, users: &[(u16, u16, u8)], ops: &[Op], stats: &mut Verdicts) -> Result<(), TestCaseError> {
    let mut reg = city(shape);
    let scopes: Vec<Vec<UnitId>> = users.iter().map(|&u| roots_of(&reg, u)).collect();
    let mut today = start();
    for (step, &op) in ops.iter().enumerate() {
        let roots = &scopes[op.user as usize % scopes.len()];
        let command = to_command(&reg, op, today, roots);
        let kind = kind_of(&command);
        let before = reg.clone();
        let mut reference = before.clone();
        let expected = reference.apply(command.clone());
        let got = reg.apply_within(roots, command.clone());
        let inside = Inside { reg: &before, roots: roots.clone() };
        let whole = inside.unit(before.root());
        let context = || format!("step {step}: {command:?} through {roots:?}");
        match (&expected, &got) {
            (Err(_), Ok(_)) => return Err(TestCaseError::fail(format!("{}: accepted, refused unscoped", context()))),
            (Err(_), Err(_)) => prop_assert_eq!(&reg, &before, "{}: refused but changed", context()),
            (Ok(events), _) if !inside.command(&command, events) => {
                let refused = match inside.city_wide(&command) {
                    true => matches!(got, Err(Error::Registry(RegistryError::CityWide { .. }))),
                    false => matches!(got, Err(Error::Registry(RegistryError::OutsideScope { .. }))),
                };
                prop_assert!(refused, "{}: touches outside ({:?}) but gave {:?}", context(), events, got);
                prop_assert_eq!(&reg, &before, "{}: refused but changed", context());
            }
            (Ok(events), _) => {
                prop_assert_eq!(got.as_ref().ok(), Some(events), "{}: inside, yet not the same", context());
                prop_assert_eq!(&reg, &reference, "{}", context());
            }
        }
        match &got {
            Ok(_) => {
                // A scope holding the root has nothing outside (the colour rule, the policies
                // ... are the whole city's, which it holds).
                if !whole {
                    *stats.accepted.entry(kind).or_default() += 1;
                    let was = outside(&inside, &before, today);
                    let now = outside(&inside, &reg, today);
                    if was != now {
                        let diff = diff(&was, &now);
                        return Err(TestCaseError::fail(format!("{}: changed outside\n{diff}", context())));
                    }
                }
                if let Command::OpenDay { today: t } = command {
                    today = t;
                }
            }
            Err(Error::Registry(RegistryError::OutsideScope { .. } | RegistryError::CityWide { .. })) => {
                *stats.outside.entry(kind).or_default() += 1;
            }
            Err(_) => *stats.refused.entry(kind).or_default() += 1,
        }
    }
    prop_assert!(reg.audit().is_empty(), "{:?}", reg.audit());
    Ok(())
}

/// The first field of `Outside` that differs, both ways.
fn diff(was: &Outside, now: &Outside) -> String {
    let (a, b) = (format!("{was:#?}"), format!("{now:#?}"));
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
    let around = |s: &str| s.lines().skip(line.saturating_sub(8)).take(16).collect::<Vec<_>>().join("\n");
    format!("before:\n{}\nafter:\n{}", around(&a), around(&b))
}

fn case_strategy() -> impl Strategy<Value = (Shape, Vec<(u16, u16, u8)>, Vec<Op>)> {
    (shape(), proptest::collection::vec(any::<(u16, u16, u8)>(), 3), proptest::collection::vec(op(), 1..=MAX_OPS))
}

/// 256 cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/scoped_writes.txt`.
fn config() -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/scoped_writes.txt", 256)
}

proptest! {
    #![proptest_config(config())]

    /// A command through a scope changes nothing outside it, and is refused with
    /// `OutsideScope` exactly when it would.
    #[test]
    fn writes_stay_inside_their_scope((shape, users, ops) in case_strategy()) {
        run_case(&shape, &users, &ops, &mut Verdicts::default())?;
    }
}

/// Neither verdict is vacuous: over a fixed set of cases, every kind of command is accepted
/// through a scope without the root (but those on the whole city, which never are) and refused
/// as outside.
#[test]
fn every_kind_is_both_accepted_and_refused() {
    let mut runner = TestRunner::deterministic();
    let strategy = case_strategy();
    let mut stats = Verdicts::default();
    for _ in 0..128 {
        let (shape, users, ops) = strategy.new_tree(&mut runner).expect("a case").current();
        run_case(&shape, &users, &ops, &mut stats).expect("the property holds");
    }
    eprintln!("verdicts by kind of command over 128 cases: {stats:?}");
    let whole_city = [3u8, 12, 13, 19, 22, 25];
    for kind in 0..KINDS {
        let (accepted, outside) = (stats.accepted.get(&kind), stats.outside.get(&kind));
        assert!(outside.is_some(), "kind {kind} never refused as outside: {stats:?}");
        if whole_city.contains(&kind) {
            assert!(accepted.is_none(), "kind {kind} accepted without the root: {stats:?}");
        } else {
            assert!(accepted.is_some(), "kind {kind} never accepted through a scope: {stats:?}");
        }
    }
}
