//! A scoped user learns nothing about what lies outside (issue 14 §6).
//!
//! **The property**: two registries built alike, then changed differently outside a scope (more
//! courtyards with codes, households, persons with resident identity numbers, cases and their
//! checks, staff living outside, and assignments of targets outside, held by staff inside or
//! outside), give the same answer to every read through that scope: every method of
//! [`wangge::Scope`], for every id either registry has and a few beyond, every code and
//! identity number either registry holds, compared through `Debug`, errors included. An id
//! that exists only outside in one registry and not at all in the other is the sharpest probe:
//! the two answers must be identical, message and all.
//!
//! "Outside" here is the other communities' subtrees. What lies above the scope's roots is
//! not changed: the roles held for the sub-district itself are shown to the scope by design
//! (who is responsible for the user's units, up to the district leader).
//!
//! The comparison itself is tested here too: a registry changed *inside* the scope gives a
//! different answer, so the property is not vacuous.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::PersonState;
use wangge::duty::{Locality, Qualification, Qualifications, Role, Rule, Scheme, Slot, Staff, Target, TargetSelector};
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord, ResidentId};
use wangge::quarantine::{Category, Policy, Temperature};
use wangge::registry::Subject;
use wangge::{
    CaseId, CellId, Command, HouseholdId, OverlayId, PersonId, PolicyId, Registry, SchemeId, StaffId, UnitId,
};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date")
}

fn resident(sequence: u16) -> ResidentId {
    ResidentId::from_parts(410_105, NaiveDate::from_ymd_opt(1980, 5, 17).expect("a real date"), sequence)
        .expect("valid parts")
}

/// The city both registries start from, and where things are in it.
struct City {
    reg: Registry,
    /// The communities A, B, C.
    communities: [UnitId; 3],
    /// Each community's courtyards.
    courtyards: [Vec<UnitId>; 3],
}

fn add(reg: &mut Registry, command: Command) -> Option<wangge::Event> {
    reg.apply(command).ok().and_then(|mut e| (!e.is_empty()).then(|| e.remove(0)))
}

/// Three communities of two courtyards, each with two households of two residents; one
/// arrival's case per community; a police officer living in each community, each rostered
/// for their own courtyards; an overlay with a cell per community.
fn city() -> City {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a root");
    let root = reg.root();
    let mut communities = Vec::new();
    let mut courtyards: [Vec<UnitId>; 3] = Default::default();
    let mut sequence = 0;
    reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).expect("adopted");
    for (c, name) in ["甲社区", "乙社区", "丙社区"].into_iter().enumerate() {
        let unit = NewUnit::new(name, lv("社区"), UnitKind::Area).with_code(&format!("C-{c}")).expect("a code");
        let community =
            add(&mut reg, Command::AddUnit { parent: root, unit }).and_then(|e| e.new_unit()).expect("a unit");
        communities.push(community);
        for y in 0..2 {
            let kind = UnitKind::Compound(CompoundKind::Open);
            let unit =
                NewUnit::new(format!("{y}号院"), lv("楼院"), kind).with_code(&format!("Y-{c}-{y}")).expect("a code");
            let yard =
                add(&mut reg, Command::AddUnit { parent: community, unit }).and_then(|e| e.new_unit()).expect("a unit");
            courtyards[c].push(yard);
            for d in 0..2 {
                let door = DoorLabel::new(&format!("{d}-101")).expect("a door");
                let h = add(&mut reg, Command::AddHousehold { unit: yard, door })
                    .and_then(|e| e.new_household())
                    .expect("a household");
                for _ in 0..2 {
                    let record = PersonRecord::new().with_resident_id(resident(sequence));
                    sequence += 1;
                    let command = Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) };
                    reg.apply(command).expect("registered");
                }
            }
        }
    }
    let communities: [UnitId; 3] = communities.try_into().expect("three");
    // One arrival per community, from the first household of its first courtyard, on the
    // first business date.
    reg.apply(Command::OpenDay { today: feb(2) }).expect("a day opened");
    for yards in &courtyards {
        let h = reg.population().households_at(yards[0])[0];
        let person = reg.household(h).expect("a household").members()[0];
        let command = Command::StartCase {
            person,
            policy: PolicyId::new(0),
            category: Category::ArrivalFromEpidemicArea,
            anchor: feb(1),
            on: feb(2),
            linked: None,
        };
        reg.apply(command).expect("a case");
    }
    let slot = Slot::new(Role::AreaPolice, 2, Locality::Anywhere);
    let scheme = Scheme::builder("yard_police", vec![Rule::new(TargetSelector::UnitsAtLevel(lv("楼院")), vec![slot])])
        .source("a test")
        .build()
        .expect("a scheme");
    reg.apply(Command::AdoptScheme { scheme }).expect("adopted");
    for (c, &home) in communities.iter().enumerate() {
        let staff =
            Staff::new(Name::new("民警").expect("a name"), Qualifications::only(Qualification::Police), home, 8)
                .expect("a member");
        let id = add(&mut reg, Command::AddStaff { staff }).and_then(|e| e.new_staff()).expect("a member");
        for &yard in &courtyards[c] {
            let command = Command::Assign {
                scheme: SchemeId::new(0),
                target: Target::Unit(yard),
                role: Role::AreaPolice,
                staff: id,
                on: feb(2),
            };
            reg.apply(command).expect("assigned");
        }
    }
    let overlay = OverlayId::new(0);
    reg.apply(Command::CreateOverlay { name: "片区".to_owned(), kind: OverlayKind::Zone }).expect("an overlay");
    for (c, &community) in communities.iter().enumerate() {
        let command = Command::AddCell { overlay, name: format!("片{c}"), units: vec![community] };
        reg.apply(command).expect("a cell");
    }
    // The changes, in and out of the scope, are made on the next day.
    reg.apply(Command::OpenDay { today: feb(3) }).expect("a day opened");
    City { reg, communities, courtyards }
}

/// A change outside the scope: `(kind, a, b)`, picked among the units, households, persons and
/// staff of the communities not in the scope (and, for an assignment, any staff member).
type Change = (u8, u8, u8);

fn change_outside(city: &City, reg: &mut Registry, outside: &[usize], (kind, a, b): Change) {
    let pick = |v: usize, n: usize| v % n.max(1);
    let community = city.communities[outside[pick(usize::from(a), outside.len())]];
    let units: Vec<UnitId> = reg.tree().subtree(community).expect("a community").filter(|&u| u != community).collect();
    let unit = units[pick(usize::from(b), units.len())];
    let households: Vec<HouseholdId> = units.iter().flat_map(|&u| reg.population().households_at(u).to_vec()).collect();
    let persons: Vec<PersonId> =
        households.iter().flat_map(|&h| reg.household(h).map(|h| h.members().to_vec()).unwrap_or_default()).collect();
    let levels = reg.tree().scheme().clone();
    let lv = |n: &str| levels.level(n).expect("a level");
    let command = match kind % 8 {
        0 => {
            let code = format!("Q-{a}-{b}");
            let unit = NewUnit::new("新院", lv("楼院"), UnitKind::Compound(CompoundKind::Open))
                .with_code(&code)
                .expect("a code");
            Command::AddUnit { parent: community, unit }
        }
        1 => Command::AddHousehold { unit, door: DoorLabel::new(&format!("{a}-{b}")).expect("a door") },
        2 if !households.is_empty() => {
            // Now and then the identity number of someone inside: refused, 一人一档.
            let sequence = if b % 7 == 0 { u16::from(a % 4) } else { 500 + u16::from(a % 60) * 8 + u16::from(b % 8) };
            let record = PersonRecord::new().with_resident_id(resident(sequence));
            let household = households[pick(usize::from(a), households.len())];
            Command::RegisterPerson { household, record, state: PersonState::well(feb(1)) }
        }
        3 if !persons.is_empty() => Command::StartCase {
            person: persons[pick(usize::from(a), persons.len())],
            policy: PolicyId::new(0),
            category: Category::ArrivalFromEpidemicArea,
            anchor: feb(2),
            on: feb(3),
            linked: None,
        },
        4 if !persons.is_empty() => Command::RecordCheck {
            person: persons[pick(usize::from(a), persons.len())],
            at: feb(3).and_hms_opt(8, 0, 0).expect("a time"),
            temperature: Temperature::from_tenths(if b % 2 == 0 { 386 } else { 365 }).expect("a temperature"),
            symptoms: false,
        },
        5 => {
            let staff =
                Staff::new(Name::new("新民警").expect("a name"), Qualifications::only(Qualification::Police), unit, 8)
                    .expect("a member");
            Command::AddStaff { staff }
        }
        6 => {
            // Any staff member, those living inside the scope included, takes a courtyard
            // outside: their load grows, outside.
            let staff = StaffId::new(u32::from(a) % reg.staff_pool().len() as u32);
            let yards: Vec<UnitId> =
                units.iter().copied().filter(|&u| reg.tree().unit(u).is_ok_and(|x| x.level() == lv("楼院"))).collect();
            let target = Target::Unit(yards[pick(usize::from(b), yards.len())]);
            Command::Assign { scheme: SchemeId::new(0), target, role: Role::AreaPolice, staff, on: feb(3) }
        }
        _ if households.len() > 1 => {
            Command::MoveHousehold { household: households[pick(usize::from(a), households.len())], to: unit }
        }
        _ => return,
    };
    let _ = reg.apply(command);
}

/// How far ids go in either registry (and a little beyond).
#[derive(Clone, Copy)]
struct Bounds {
    units: u32,
    households: u32,
    persons: u32,
    cases: u32,
    staff: u32,
    cells: u32,
}

impl Bounds {
    fn of(regs: [&Registry; 2]) -> Bounds {
        let max = |f: &dyn Fn(&Registry) -> usize| regs.iter().map(|r| f(r)).max().unwrap_or(0) as u32 + 2;
        Bounds {
            units: max(&|r| r.tree().len()),
            households: max(&|r| r.population().household_count()),
            persons: max(&|r| r.population().person_count()),
            cases: max(&|r| (0..).take_while(|&c| r.case(CaseId::new(c)).is_ok()).count()),
            staff: max(&|r| r.staff_pool().len()),
            cells: max(&|r| r.overlays().cell_count()),
        }
    }
}

/// Every code and identity number either registry holds, and one nobody does.
fn probes(regs: [&Registry; 2]) -> (Vec<String>, Vec<ResidentId>) {
    let mut codes: Vec<String> = regs
        .iter()
        .flat_map(|r| {
            r.tree()
                .ids()
                .filter_map(|u| r.tree().unit(u).ok()?.code().map(|c| c.as_str().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    codes.push("nobody-has-this".to_owned());
    codes.sort();
    codes.dedup();
    let mut ids: Vec<ResidentId> = regs
        .iter()
        .flat_map(|r| r.population().persons().filter_map(|(_, p)| p.resident_id()).collect::<Vec<_>>())
        .collect();
    ids.push(resident(999));
    ids.sort_by_key(|r| r.reveal());
    ids.dedup();
    (codes, ids)
}

/// Every answer the scope over `roots` gives, as text: each method of `Scope`, for every id
/// up to `bounds`, every code and identity number of `probes`.
fn answers(reg: &Registry, roots: &[UnitId], bounds: Bounds, probes: &(Vec<String>, Vec<ResidentId>)) -> Vec<String> {
    let scope = reg.scope(roots).expect("a scope");
    let mut out = Vec::new();
    let mut say = |what: String, answer: String| out.push(format!("{what}: {answer}"));
    let units: Vec<UnitId> = (0..bounds.units).map(UnitId::new).collect();
    say("roots".into(), format!("{:?}", scope.roots()));
    for &u in &units {
        say(format!("contains {u}"), format!("{:?}", scope.contains(u)));
        say(format!("check {u}"), format!("{:?}", scope.check(u)));
        say(format!("unit {u}"), format!("{:?}", scope.unit(u)));
        say(format!("parent {u}"), format!("{:?}", scope.parent(u)));
        say(format!("children {u}"), format!("{:?}", scope.children(u)));
        say(format!("ancestors {u}"), format!("{:?}", scope.ancestors(u)));
        say(format!("subtree {u}"), format!("{:?}", scope.subtree(u).map(|s| s.collect::<Vec<_>>())));
        say(format!("counts {u}"), format!("{:?}", scope.counts(u)));
        say(format!("tally {u}"), format!("{:?}", scope.tally(u)));
        say(format!("measures {u}"), format!("{:?}", scope.measures(u)));
        say(format!("map {u}"), format!("{:?}", scope.map(u, feb(3))));
        say(format!("households_at {u}"), format!("{:?}", scope.households_at(u)));
        say(format!("responsible_for {u}"), format!("{:?}", scope.responsible_for(u, feb(3))));
        for &v in units.iter().step_by(3) {
            say(format!("lca {u} {v}"), format!("{:?}", scope.lowest_common_ancestor(u, v)));
        }
    }
    for code in &probes.0 {
        say(format!("code {code}"), format!("{:?}", scope.find_by_code(code)));
    }
    for id in &probes.1 {
        say(format!("resident {}", id.reveal()), format!("{:?}", scope.find_resident(id)));
    }
    for c in (0..bounds.cells).map(CellId::new) {
        say(format!("cell_tally {c}"), format!("{:?}", scope.cell_tally(c)));
    }
    for h in (0..bounds.households).map(HouseholdId::new) {
        say(format!("household {h}"), format!("{:?}", scope.household(h)));
        say(format!("colour {h}"), format!("{:?}", scope.colour(h)));
        say(format!("responsible_for {h}"), format!("{:?}", scope.responsible_for(Subject::Household(h), feb(3))));
    }
    for p in (0..bounds.persons).map(PersonId::new) {
        say(format!("person {p}"), format!("{:?}", scope.person(p)));
        say(format!("state {p}"), format!("{:?}", scope.state(p)));
        say(format!("standing {p}"), format!("{:?}", scope.standing(p)));
        say(format!("responsible_for {p}"), format!("{:?}", scope.responsible_for(Subject::Person(p), feb(3))));
    }
    for c in (0..bounds.cases).map(CaseId::new) {
        say(format!("case {c}"), format!("{:?}", scope.case(c)));
    }
    for scheme in [SchemeId::new(0), SchemeId::new(1)] {
        for s in (0..bounds.staff).map(StaffId::new) {
            say(format!("staff_member {s}"), format!("{:?}", scope.staff_member(s)));
            say(format!("load {scheme} {s}"), format!("{:?}", scope.load(scheme, s)));
        }
        say(format!("roster {scheme}"), format!("{:?}", scope.roster(scheme).map(|r| r.assignments().to_vec())));
        say(format!("duty_coverage {scheme}"), format!("{:?}", scope.duty_coverage(scheme, feb(3))));
    }
    say("units".into(), format!("{:?}", scope.units().collect::<Vec<_>>()));
    say("households".into(), format!("{:?}", scope.households().collect::<Vec<_>>()));
    say("persons".into(), format!("{:?}", scope.persons().collect::<Vec<_>>()));
    say("totals".into(), format!("{:?}", scope.totals()));
    say("total_tally".into(), format!("{:?}", scope.total_tally()));
    for d in [2, 3, 16] {
        say(format!("agenda {d}"), format!("{:?}", scope.agenda(feb(d))));
    }
    out
}

/// The first answer that differs, if any.
fn first_difference(a: &[String], b: &[String]) -> Option<(String, String)> {
    a.iter()
        .zip(b)
        .find(|(x, y)| x != y)
        .map(|(x, y)| (x.clone(), y.clone()))
        .or_else(|| (a.len() != b.len()).then(|| (format!("{} answers", a.len()), format!("{} answers", b.len()))))
}

fn change() -> impl Strategy<Value = Change> {
    (0u8..8, any::<u8>(), any::<u8>())
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/scope_privacy.txt", 48))]

    /// Equal inside, different outside: every scoped read answers alike.
    #[test]
    fn a_scope_answers_as_if_the_outside_did_not_exist(
        scope_pick in 0u8..4,
        left in prop::collection::vec(change(), 0..24),
        right in prop::collection::vec(change(), 0..24),
    ) {
        let city = city();
        // The scope: community A; A and C; a courtyard of A; A's courtyards both.
        let [a, _, c] = city.communities;
        let (roots, inside): (Vec<UnitId>, Vec<usize>) = match scope_pick {
            0 => (vec![a], vec![0]),
            1 => (vec![a, c], vec![0, 2]),
            2 => (vec![city.courtyards[0][0]], vec![0]),
            _ => (city.courtyards[0].clone(), vec![0]),
        };
        // Changes go to the communities not wholly or partly inside.
        let outside: Vec<usize> = (0..3).filter(|k| !inside.contains(k)).collect();
        let (mut x, mut y) = (city.reg.clone(), city.reg.clone());
        for &ch in &left {
            change_outside(&city, &mut x, &outside, ch);
        }
        for &ch in &right {
            change_outside(&city, &mut y, &outside, ch);
        }
        let bounds = Bounds::of([&x, &y]);
        let probes = probes([&x, &y]);
        let (ax, ay) = (answers(&x, &roots, bounds, &probes), answers(&y, &roots, bounds, &probes));
        prop_assert_eq!(first_difference(&ax, &ay), None);
    }
}

/// The comparison sees a change inside: the property is not vacuous.
#[test]
fn a_change_inside_the_scope_is_seen() {
    let city = city();
    let roots = [city.communities[0]];
    let mut y = city.reg.clone();
    let yard = city.courtyards[0][1];
    y.apply(Command::AddHousehold { unit: yard, door: DoorLabel::new("9-901").expect("a door") }).expect("added");
    let bounds = Bounds::of([&city.reg, &y]);
    let probes = probes([&city.reg, &y]);
    let difference =
        first_difference(&answers(&city.reg, &roots, bounds, &probes), &answers(&y, &roots, bounds, &probes));
    assert!(difference.is_some());
}

/// The sharpest probes, by hand: a household, a code and an identity number that exist only
/// outside in one registry and nowhere in the other; an inside officer's load outside.
#[test]
fn ids_codes_and_numbers_that_exist_only_outside_are_unknown_through_the_scope() {
    let city = city();
    let (a, b) = (city.communities[0], city.communities[1]);
    let mut x = city.reg.clone();
    let levels = x.tree().scheme().clone();
    let yard = NewUnit::new("新院", levels.level("楼院").expect("a level"), UnitKind::Compound(CompoundKind::Open))
        .with_code("Q-only-in-x")
        .expect("a code");
    let new_yard = add(&mut x, Command::AddUnit { parent: b, unit: yard }).and_then(|e| e.new_unit()).expect("a unit");
    let door = DoorLabel::new("1-101").expect("a door");
    let h = add(&mut x, Command::AddHousehold { unit: new_yard, door }).and_then(|e| e.new_household()).expect("added");
    let record = PersonRecord::new().with_resident_id(resident(777));
    x.apply(Command::RegisterPerson { household: h, record, state: PersonState::well(feb(1)) }).expect("registered");
    // A's officer (staff 0) also takes the new courtyard, outside A.
    let assign = Command::Assign {
        scheme: SchemeId::new(0),
        target: Target::Unit(new_yard),
        role: Role::AreaPolice,
        staff: StaffId::new(0),
        on: feb(3),
    };
    x.apply(assign).expect("assigned");
    assert_eq!(x.load(SchemeId::new(0), StaffId::new(0)).expect("a load"), 3);
    let (sx, sy) = (x.scope(&[a]).expect("a scope"), city.reg.scope(&[a]).expect("a scope"));
    assert_eq!(x.tree().find_by_code("Q-only-in-x"), Some(new_yard));
    assert_eq!(sx.find_by_code("Q-only-in-x"), None);
    assert!(x.population().find_resident(&resident(777)).is_some());
    assert_eq!(sx.find_resident(&resident(777)), None);
    assert_eq!(sx.household(h), sy.household(h));
    assert_eq!(
        sx.household(h).map(|_| ()).unwrap_err().to_string(),
        sy.household(h).map(|_| ()).unwrap_err().to_string()
    );
    assert_eq!(sx.unit(new_yard).map(|_| ()), sy.unit(new_yard).map(|_| ()));
    assert_eq!(sx.load(SchemeId::new(0), StaffId::new(0)).expect("a load"), 2);
    assert_eq!(sx.load(SchemeId::new(0), StaffId::new(0)), sy.load(SchemeId::new(0), StaffId::new(0)));
    assert_eq!(sx.duty_coverage(SchemeId::new(0), feb(3)), sy.duty_coverage(SchemeId::new(0), feb(3)));
    // B's officer lives outside: unknown through A's scope, as one who does not exist.
    assert_eq!(
        sx.staff_member(StaffId::new(1)).map(|_| ()).unwrap_err().to_string(),
        sx.staff_member(StaffId::new(99)).map(|_| ()).unwrap_err().to_string().replace("99", "1")
    );
}

/// One person, one file 一人一档 through a scope: a number registered outside is refused
/// without naming who holds it; one registered inside names them, as it always did.
#[test]
fn a_number_registered_outside_is_refused_without_naming_its_holder() {
    let city = city();
    let (a, b) = (city.communities[0], city.communities[1]);
    let mut reg = city.reg.clone();
    let household = reg.population().households_at(city.courtyards[1][0])[0];
    let before = reg.clone();
    // resident(0) lives in A, resident(8) in B (four per courtyard, two courtyards a community).
    let register = |n| Command::RegisterPerson {
        household,
        record: PersonRecord::new().with_resident_id(resident(n)),
        state: PersonState::well(feb(1)),
    };
    let outside = reg.apply_within(&[b], register(0)).expect_err("registered already");
    assert_eq!(outside, wangge::Error::Registry(wangge::RegistryError::RegisteredOutsideScope));
    let inside = reg.apply_within(&[b], register(8)).expect_err("registered already");
    assert!(
        matches!(inside, wangge::Error::People(wangge::people::PeopleError::DuplicateResidentId { .. })),
        "{inside}"
    );
    // The sub-district sees who holds it.
    let whole = reg.apply_within(&[reg.root()], register(0)).expect_err("registered already");
    assert!(matches!(whole, wangge::Error::People(wangge::people::PeopleError::DuplicateResidentId { .. })));
    assert!(reg == before);
    let _ = a;
}

/// A write whose effects reach outside is refused naming what the command named inside, not
/// what lies outside: A's officer, who also holds a courtyard of B, cannot be set away through
/// A's scope, and the refusal names the officer, not B's courtyard.
#[test]
fn a_write_reaching_outside_names_what_lies_inside() {
    let city = city();
    let (a, b_yard) = (city.communities[0], city.courtyards[1][0]);
    let mut reg = city.reg.clone();
    let officer = StaffId::new(0);
    let assign = |target| Command::Assign {
        scheme: SchemeId::new(0),
        target,
        role: Role::AreaPolice,
        staff: officer,
        on: feb(3),
    };
    reg.apply(assign(Target::Unit(b_yard))).expect("assigned");
    let away = Command::SetAvailability { staff: officer, availability: wangge::duty::Availability::Until(feb(5)) };
    let before = reg.clone();
    let refused = reg.apply_within(&[a], away.clone()).expect_err("an assignment outside");
    let item = wangge::registry::ScopeItem::Staff(officer);
    assert_eq!(refused, wangge::Error::Registry(wangge::RegistryError::OutsideScope { item }));
    assert!(reg == before);
    assert!(reg.apply_within(&[reg.root()], away).is_ok());
}
