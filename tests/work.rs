//! The day's work (issue 15): worklists against a brute-force routing of the agenda, the cases
//! and the plan's services through the rosters; every task in exactly one worklist or among
//! the gaps; no household a plan selects falls through (不落一户); completions, carrying,
//! reassignment and tickets; replay and snapshots keep the work book.
//!
//! The model here reads the registry only through its public reads (`cases`, `agenda`,
//! `colour`, `state`, `responsible_for`, `tickets`) and routes on its own.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::duty::{Qualification as Q, Qualifications, Scheme, Staff};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Marker, Markers, Name, PersonRecord};
use wangge::quarantine::{CaseStatus, Category, Item, Policy, Temperature};
use wangge::work::{
    Assignee, Duty, GapReason, Households, Outcome, Roles, Status, TaskKey, TaskSubject, TicketKind, WorkError,
    WorkPlan, Workday,
};
use wangge::{Command, Error, HouseholdId, PersonId, Registry, StaffId, UnitId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).unwrap()
}

/// A small sub-district: two communities of two courtyards, each with a building.
struct Town {
    reg: Registry,
    units: Vec<UnitId>,
    households: Vec<HouseholdId>,
    persons: Vec<PersonId>,
    staff: Vec<StaffId>,
}

#[derive(Debug, Clone)]
struct Shape {
    /// Per household: its unit (index into the town's units), its members' markers.
    households: Vec<(usize, Vec<u8>)>,
    /// Per staff member: qualification index, home unit index, the last day available
    /// (feb 2 + n) if they leave.
    staff: Vec<(u8, usize, Option<u32>)>,
    /// Per day: persons to start a case (indexes), readings (person index, count), completions
    /// (index into the open tasks), a ticket (unit index), a reassignment (staff index).
    days: Vec<Day>,
}

#[derive(Debug, Clone)]
struct Day {
    start: Vec<usize>,
    readings: Vec<(usize, u8)>,
    complete: Vec<usize>,
    ticket: Option<usize>,
    reassign: Option<usize>,
    solve: bool,
}

const QUALIFICATIONS: [Q; 8] = [
    Q::GridWorker,
    Q::HealthWorker,
    Q::Police,
    Q::Medical,
    Q::PartySecretary,
    Q::Volunteer,
    Q::PartyMember,
    Q::SectionCadre,
];

fn build(shape: &Shape) -> Town {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).unwrap();
    let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).unwrap();
    let mut units = vec![reg.root()];
    let root = reg.root();
    for c in 0..2 {
        let community = new_unit(&mut reg, root, &format!("社区{c}"), lv("社区"), UnitKind::Area);
        units.push(community);
        for y in 0..2 {
            let yard = new_unit(&mut reg, community, &format!("{c}-{y}号院"), lv("楼院"), UnitKind::Area);
            units.push(yard);
            units.push(new_unit(&mut reg, yard, &format!("{c}-{y}-1号楼"), lv("楼组"), UnitKind::Building));
        }
    }
    let mut households = Vec::new();
    let mut persons = Vec::new();
    for (i, (unit, members)) in shape.households.iter().enumerate() {
        let unit = units[1 + unit % (units.len() - 1)];
        let door = DoorLabel::new(&format!("{i}-101")).unwrap();
        let h = reg.apply(Command::AddHousehold { unit, door }).unwrap()[0].new_household().unwrap();
        households.push(h);
        for &m in members {
            let record = PersonRecord::new();
            let state = PersonState::well(feb(1));
            let p =
                reg.apply(Command::RegisterPerson { household: h, record, state }).unwrap()[0].new_person().unwrap();
            let marker =
                [Marker::ElderlyLivingAlone, Marker::EmptyNestElderly, Marker::PartyMember][usize::from(m % 4).min(2)];
            if m % 4 != 3 {
                reg.apply(Command::SetMarkers { person: p, markers: Markers::from_iter([marker]) }).unwrap();
            }
            persons.push(p);
        }
    }
    let mut staff = Vec::new();
    for (i, &(q, home, away)) in shape.staff.iter().enumerate() {
        let q = QUALIFICATIONS[usize::from(q) % QUALIFICATIONS.len()];
        let home = units[home % units.len()];
        let mut member = Staff::new(Name::new(&format!("员{i}")).unwrap(), Qualifications::only(q), home, 40).unwrap();
        if let Some(last) = away {
            // Available until feb(2 + last), away after.
            member = member.available(None, Some(feb(2 + last))).unwrap();
        }
        staff.push(reg.apply(Command::AddStaff { staff: member }).unwrap()[0].new_staff().unwrap());
    }
    let lvs = |n: &str| levels.level(n).unwrap();
    for scheme in [
        Scheme::two_plus_three(),
        Scheme::six_cover_one(lvs("社区"), lvs("街道"), None).unwrap(),
        Scheme::three_heads(lvs("社区"), lvs("街道")).unwrap(),
    ] {
        reg.apply(Command::AdoptScheme { scheme }).unwrap();
    }
    reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).unwrap();
    reg.apply(Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) }).unwrap();
    Town { reg, units, households, persons, staff }
}

fn new_unit(reg: &mut Registry, parent: UnitId, name: &str, level: wangge::grid::Level, kind: UnitKind) -> UnitId {
    reg.apply(Command::AddUnit { parent, unit: NewUnit::new(name, level, kind) }).unwrap()[0].new_unit().unwrap()
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// What the model expects of a task: its key, roles, and (once routed) its holder and whether
/// it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    key: TaskKey,
    roles: Roles,
    done: bool,
    carried: Option<Option<StaffId>>,
}

fn subject_unit(reg: &Registry, subject: TaskSubject) -> UnitId {
    match subject {
        TaskSubject::Person(p) => {
            reg.population().household(reg.population().person(p).unwrap().household()).unwrap().unit()
        }
        TaskSubject::Household(h) => reg.population().household(h).unwrap().unit(),
        TaskSubject::Unit(u) => u,
    }
}

/// Every task of `date` by brute force from the registry's public reads and the plan.
fn model_tasks(reg: &Registry, date: NaiveDate, carried: &[(TaskKey, Roles, Option<StaffId>)]) -> Vec<Expected> {
    let plan = reg.work_plan().expect("a plan");
    let mut out = Vec::new();
    if let Some(f) = &plan.follow_ups {
        for (id, case) in reg.cases() {
            let checks = match case.status() {
                CaseStatus::Open if reg.schedule(id).unwrap().contains(date) && case.started() <= date => {
                    reg.policy(case.policy()).unwrap().checks_per_day()
                }
                CaseStatus::Review { .. } if case.started() <= date => {
                    reg.policy(case.policy()).unwrap().checks_per_day()
                }
                _ => 0,
            };
            for call in 1..=checks {
                let key = TaskKey { date, subject: TaskSubject::Person(case.person()), duty: Duty::FollowUp { call } };
                out.push(Expected {
                    key,
                    roles: f.roles.iter().copied().collect(),
                    done: case.checks_on(date) >= call,
                    carried: None,
                });
            }
        }
    }
    for line in reg.agenda(date).items() {
        let (duty, route) = match line.item {
            Item::TestDue => (Duty::TakeTest, &plan.tests),
            Item::ReleaseDue { .. } | Item::Released => (Duty::SignRelease, &plan.releases),
            Item::Review { .. } => (Duty::Review, &plan.reviews),
            Item::Escalated { .. } => (Duty::Transfer, &plan.transfers),
            _ => continue,
        };
        let Some(route) = route else { continue };
        let key = TaskKey { date, subject: TaskSubject::Person(line.person), duty };
        let done = line.item == Item::Released;
        out.push(Expected { key, roles: route.roles.iter().copied().collect(), done, carried: None });
    }
    for (h, household) in reg.population().households() {
        let colour = reg.colour(h).unwrap();
        for rule in &plan.services {
            let selected = match &rule.households {
                Households::Coloured(cs) => cs.contains(&colour),
                Households::WithState(ss) => {
                    household.members().iter().any(|&p| ss.contains(&reg.state(p).unwrap().state()))
                }
                Households::WithMarker(ms) => household
                    .members()
                    .iter()
                    .any(|&p| ms.iter().any(|&m| reg.population().person(p).unwrap().markers().contains(m))),
            };
            if selected {
                for round in 1..=rule.cadence.rounds_on(date) {
                    let key = TaskKey {
                        date,
                        subject: TaskSubject::Household(h),
                        duty: Duty::Service { service: rule.service, round },
                    };
                    out.push(Expected {
                        key,
                        roles: rule.route.roles.iter().copied().collect(),
                        done: false,
                        carried: None,
                    });
                }
            }
        }
    }
    if let Some(route) = &plan.tickets {
        for (id, t) in reg.tickets() {
            if t.received.date() <= date && t.closed.is_none_or(|c| c.date() >= date) {
                let subject = t.household.map_or(TaskSubject::Unit(t.unit), TaskSubject::Household);
                let done = t.closed.is_some_and(|c| c.date() == date);
                out.push(Expected {
                    key: TaskKey { date, subject, duty: Duty::Ticket(id) },
                    roles: route.roles.iter().copied().collect(),
                    done,
                    carried: None,
                });
            }
        }
    }
    if reg.business_date() == Some(date) {
        for (key, roles, staff) in carried {
            out.push(Expected { key: *key, roles: *roles, done: false, carried: Some(*staff) });
        }
    }
    out.sort_by_key(|t| t.key);
    out
}

/// Route the model's tasks: carried ones keep their holder; each other, in key order, to the
/// available holder of one of its roles ([`Registry::responsible_for`]) with the fewest tasks
/// so far, the lower id on a tie; a moved one to whom it was moved.
fn model_route(
    reg: &Registry,
    date: NaiveDate,
    tasks: &[Expected],
    moved: &BTreeMap<TaskKey, Option<StaffId>>,
    relieved: &BTreeSet<StaffId>,
) -> BTreeMap<TaskKey, Option<StaffId>> {
    let mut load: HashMap<StaffId, u32> = HashMap::new();
    for t in tasks {
        if let Some(carried) = t.carried
            && let Some(s) = moved.get(&t.key).copied().unwrap_or(carried)
        {
            *load.entry(s).or_default() += 1;
        }
    }
    let mut out = BTreeMap::new();
    for t in tasks {
        let holder = if let Some(to) = moved.get(&t.key) {
            *to
        } else if let Some(staff) = t.carried {
            staff
        } else {
            let subject = match t.key.subject {
                TaskSubject::Person(p) => wangge::registry::Subject::Person(p),
                TaskSubject::Household(h) => wangge::registry::Subject::Household(h),
                TaskSubject::Unit(u) => wangge::registry::Subject::Unit(u),
            };
            let holders = reg.responsible_for(subject, date).unwrap();
            holders
                .iter()
                .filter(|r| t.roles.contains(r.role) && !relieved.contains(&r.staff))
                .map(|r| r.staff)
                .min_by_key(|s| (load.get(s).copied().unwrap_or(0), *s))
        };
        if t.carried.is_none()
            && let Some(s) = holder
        {
            *load.entry(s).or_default() += 1;
        }
        out.insert(t.key, holder);
    }
    out
}

/// The open tasks of `day` that the next day carries.
fn to_carry(day: &Workday) -> Vec<(TaskKey, Roles, Option<StaffId>)> {
    day.tasks()
        .iter()
        .filter(|t| t.key.date == day.date() && t.status == Status::Open)
        .filter(|t| !matches!(t.key.duty, Duty::SignRelease | Duty::Review | Duty::Ticket(_)))
        .map(|t| (t.key, t.roles, t.assignee.staff()))
        .collect()
}

fn check_day(
    town: &Town,
    date: NaiveDate,
    carried: &[(TaskKey, Roles, Option<StaffId>)],
    moved: &BTreeMap<TaskKey, Option<StaffId>>,
    relieved: &BTreeSet<StaffId>,
) -> Result<(), TestCaseError> {
    let reg = &town.reg;
    let day = reg.workday(date);
    let expected = model_tasks(reg, date, carried);
    let keys: Vec<TaskKey> = day.tasks().iter().map(|t| t.key).collect();
    let expected_keys: Vec<TaskKey> = expected.iter().map(|t| t.key).collect();
    prop_assert_eq!(&keys, &expected_keys, "the day's tasks");
    let routed = model_route(reg, date, &expected, moved, relieved);
    for (t, e) in day.tasks().iter().zip(&expected) {
        prop_assert_eq!(&t.roles, &e.roles);
        prop_assert_eq!(t.assignee.staff(), routed[&t.key], "the holder of {:?}", t.key);
        prop_assert_eq!(t.unit, subject_unit(reg, t.key.subject));
        if e.done {
            prop_assert!(matches!(t.status, Status::Done(_)), "{:?} is done by its record", t.key);
        }
        if e.carried.is_some() && !matches!(t.status, Status::Done(_)) {
            let overdue = matches!(t.status, Status::Overdue { .. });
            prop_assert!(overdue, "a carried task is overdue");
        }
    }
    // Every task in exactly one worklist, or among the gaps.
    let mut seen: BTreeMap<TaskKey, usize> = BTreeMap::new();
    for &s in &town.staff {
        for t in day.worklist(s) {
            prop_assert_eq!(t.assignee.staff(), Some(s));
            *seen.entry(t.key).or_default() += 1;
        }
    }
    for t in day.unassigned() {
        *seen.entry(t.key).or_default() += 1;
    }
    prop_assert_eq!(seen.len(), day.tasks().len());
    prop_assert!(seen.values().all(|&n| n == 1), "a task in two lists");
    // 不落一户: every household a plan rule selects has each round of its service in the day.
    let plan = reg.work_plan().unwrap();
    let have: BTreeSet<TaskKey> = keys.iter().copied().collect();
    for &h in &town.households {
        let colour = reg.colour(h).unwrap();
        for rule in &plan.services {
            if let Households::Coloured(cs) = &rule.households
                && cs.contains(&colour)
            {
                for round in 1..=rule.cadence.rounds_on(date) {
                    let key = TaskKey {
                        date,
                        subject: TaskSubject::Household(h),
                        duty: Duty::Service { service: rule.service, round },
                    };
                    prop_assert!(have.contains(&key), "{:?} fell through", key);
                }
            }
        }
    }
    Ok(())
}

fn shape() -> impl Strategy<Value = Shape> {
    let households = prop::collection::vec((0usize..12, prop::collection::vec(0u8..8, 1..4)), 1..10);
    let staff = prop::collection::vec((0u8..8, 0usize..13, prop::option::of(0u32..4)), 1..14);
    let day = (
        prop::collection::vec(0usize..30, 0..4),
        prop::collection::vec((0usize..30, 0u8..3), 0..6),
        prop::collection::vec(0usize..40, 0..4),
        prop::option::of(0usize..13),
        prop::option::weighted(0.3, 0usize..14),
        any::<bool>(),
    )
        .prop_map(|(start, readings, complete, ticket, reassign, solve)| Day {
            start,
            readings,
            complete,
            ticket,
            reassign,
            solve,
        });
    (households, staff, prop::collection::vec(day, 1..6)).prop_map(|(households, staff, days)| Shape {
        households,
        staff,
        days,
    })
}

fn run(shape: &Shape) -> Result<Town, TestCaseError> {
    let mut town = build(shape);
    let mut carried: Vec<(TaskKey, Roles, Option<StaffId>)> = Vec::new();
    let policy = town.reg.policy_named("seed_shanghai_2020").unwrap();
    for (i, plan) in shape.days.iter().enumerate() {
        let date = feb(2 + i as u32);
        if i > 0 {
            carried = to_carry(&town.reg.workday(feb(1 + i as u32)));
        }
        town.reg.apply(Command::OpenDay { today: date }).unwrap();
        let mut moved: BTreeMap<TaskKey, Option<StaffId>> = BTreeMap::new();
        let mut relieved: BTreeSet<StaffId> = BTreeSet::new();
        for &p in &plan.start {
            let person = town.persons[p % town.persons.len()];
            if town.reg.active_case(person).is_none() && town.reg.state(person).unwrap().state() == State::Well {
                let category = Category::ArrivalFromEpidemicArea;
                let anchor = date.pred_opt().unwrap();
                town.reg
                    .apply(Command::StartCase { person, policy, category, anchor, on: date, linked: None })
                    .unwrap();
            }
        }
        if plan.solve {
            for scheme in town.reg.schemes().map(|(id, _)| id).collect::<Vec<_>>() {
                town.reg.apply(Command::Solve { scheme, on: date, balanced: false }).unwrap();
            }
        }
        for &(p, n) in &plan.readings {
            let person = town.persons[p % town.persons.len()];
            for k in 0..n {
                let reading = Command::RecordCheck {
                    person,
                    at: at(date, 8 + u32::from(k)),
                    temperature: Temperature::from_tenths(365).unwrap(),
                    symptoms: false,
                };
                let _ = town.reg.apply(reading);
            }
        }
        if let Some(u) = plan.ticket {
            let unit = town.units[u % town.units.len()];
            town.reg
                .apply(Command::OpenTicket { unit, household: None, kind: TicketKind::Supplies, received: at(date, 9) })
                .unwrap();
        }
        for &c in &plan.complete {
            let day = town.reg.workday(date);
            let open: Vec<_> = day.tasks().iter().filter(|t| t.status.is_open()).collect();
            if open.is_empty() {
                break;
            }
            let task = open[c % open.len()];
            let by = task.assignee.staff().unwrap_or(town.staff[0]);
            town.reg
                .apply(Command::CompleteTask { task: task.key, by, at: at(date, 20), outcome: Outcome::Done })
                .unwrap();
            // Once done it cannot be done again.
            let again =
                town.reg.apply(Command::CompleteTask { task: task.key, by, at: at(date, 21), outcome: Outcome::Done });
            prop_assert_eq!(again, Err(Error::Work(WorkError::AlreadyDone { task: task.key })));
        }
        if let Some(s) = plan.reassign {
            let from = town.staff[s % town.staff.len()];
            relieved.insert(from);
            let events = town.reg.apply(Command::ReassignTasks { from, on: date }).unwrap();
            let wangge::Event::TasksReassigned { moved: list, .. } = &events[0] else { panic!("{events:?}") };
            for (key, m) in list {
                prop_assert_eq!(m.from, from);
                prop_assert_ne!(m.to, Some(from));
                moved.insert(*key, m.to);
            }
            let after = town.reg.workday(date);
            let left = after.worklist(from).any(|t| t.status.is_open());
            prop_assert!(!left, "open tasks left with {:?}", from);
        }
        check_day(&town, date, &carried, &moved, &relieved)?;
    }
    Ok(town)
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/work.txt", 48))]

    /// Worklists equal a brute-force routing; every task in exactly one list; no household
    /// falls through; replay and a snapshot keep the work book.
    #[test]
    fn worklists_equal_a_brute_force_routing(shape in shape()) {
        let town = run(&shape)?;
        let snapshot = town.reg.snapshot();
        let loaded = Registry::from_snapshot(snapshot.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(loaded == town.reg);
        let json = serde_json::to_string(&snapshot).unwrap();
        let back: wangge::Snapshot = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Registry::from_snapshot(back).unwrap().workday(town.reg.business_date().unwrap()), town.reg.workday(town.reg.business_date().unwrap()));
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// One person in home isolation, a grid worker and a health worker on the 2+3 team.
fn team() -> (Registry, PersonId, HouseholdId, StaffId, StaffId) {
    let levels = LevelScheme::zhengzhou();
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))
            .unwrap();
    let h = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101").unwrap() }).unwrap()[0]
        .new_household()
        .unwrap();
    let p = reg
        .apply(Command::RegisterPerson { household: h, record: PersonRecord::new(), state: PersonState::well(feb(1)) })
        .unwrap()[0]
        .new_person()
        .unwrap();
    let add = |reg: &mut Registry, name: &str, q| {
        let staff = Staff::new(Name::new(name).unwrap(), Qualifications::only(q), reg.root(), 40).unwrap();
        reg.apply(Command::AddStaff { staff }).unwrap()[0].new_staff().unwrap()
    };
    let li = add(&mut reg, "李", Q::GridWorker);
    let wang = add(&mut reg, "王", Q::HealthWorker);
    let team = reg.apply(Command::AdoptScheme { scheme: Scheme::two_plus_three() }).unwrap()[0].new_scheme().unwrap();
    let policy =
        reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).unwrap()[0].new_policy().unwrap();
    reg.apply(Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) }).unwrap();
    reg.apply(Command::OpenDay { today: feb(1) }).unwrap();
    let category = Category::ArrivalFromEpidemicArea;
    reg.apply(Command::StartCase { person: p, policy, category, anchor: feb(1), on: feb(1), linked: None }).unwrap();
    reg.apply(Command::Solve { scheme: team, on: feb(1), balanced: false }).unwrap();
    reg.apply(Command::OpenDay { today: feb(2) }).unwrap();
    (reg, p, h, li, wang)
}

#[test]
fn the_two_calls_land_on_the_team_and_alternate_by_load() {
    let (reg, p, _, li, wang) = team();
    let day = reg.workday(feb(2));
    let calls: Vec<_> = day.tasks().iter().filter(|t| matches!(t.key.duty, Duty::FollowUp { .. })).collect();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|t| t.key.subject == TaskSubject::Person(p)));
    let holders: BTreeSet<_> = calls.iter().map(|t| t.assignee.staff().unwrap()).collect();
    assert_eq!(holders, BTreeSet::from([li, wang]), "one call each: the least loaded takes the next");
    // The morning call in the morning slot, the afternoon one after.
    assert!(calls[0].due.until() < calls[1].due.from());
    // The reason is the 2+3 scheme's role for the person.
    let Assignee::Staff { why: wangge::work::Why::Holds(r), .. } = &calls[0].assignee else { panic!() };
    assert_eq!(r.target, wangge::duty::Target::Person(p));
}

#[test]
fn a_holder_away_is_skipped_and_named() {
    let (mut reg, _, _, li, wang) = team();
    reg.apply(Command::SetAvailability { staff: wang, availability: wangge::duty::Availability::Until(feb(1)) })
        .unwrap();
    let day = reg.workday(feb(2));
    for t in day.tasks().iter().filter(|t| matches!(t.key.duty, Duty::FollowUp { .. })) {
        let Assignee::Staff { staff, skipped, .. } = &t.assignee else { panic!("{t:?}") };
        assert_eq!((*staff, skipped.as_slice()), (li, [wang].as_slice()));
    }
    // The health worker alone does the psychological support call: a gap when they are away.
    let gaps: Vec<_> = day
        .unassigned()
        .filter(|t| matches!(t.key.duty, Duty::Service { service: wangge::work::Service::PsychologicalSupport, .. }))
        .collect();
    for g in &gaps {
        assert_eq!(g.assignee, Assignee::Nobody(GapReason::AllAway { holders: vec![wang] }));
    }
}

#[test]
fn undone_tasks_are_overdue_the_next_day_and_completions_are_checked() {
    let (mut reg, p, h, li, _) = team();
    let call = TaskKey { date: feb(2), subject: TaskSubject::Person(p), duty: Duty::FollowUp { call: 1 } };
    // Not owed: a third call, a date after the business date, a stranger's household.
    let third = TaskKey { duty: Duty::FollowUp { call: 3 }, ..call };
    assert_eq!(
        reg.apply(Command::CompleteTask { task: third, by: li, at: at(feb(2), 9), outcome: Outcome::Done }),
        Err(Error::Work(WorkError::NoSuchTask { task: third }))
    );
    let early = Command::CompleteTask { task: call, by: li, at: at(feb(1), 9), outcome: Outcome::Done };
    assert_eq!(reg.apply(early), Err(Error::Work(WorkError::BadCompletionTime { task: call, at: at(feb(1), 9) })));
    let late = Command::CompleteTask { task: call, by: li, at: at(feb(3), 9), outcome: Outcome::Done };
    assert!(matches!(reg.apply(late), Err(Error::Registry(wangge::RegistryError::AfterBusinessDate { .. }))));
    reg.apply(Command::CompleteTask { task: call, by: li, at: at(feb(2), 9), outcome: Outcome::NotReached }).unwrap();
    let delivery = TaskKey {
        date: feb(2),
        subject: TaskSubject::Household(h),
        duty: Duty::Service { service: wangge::work::Service::Delivery, round: 1 },
    };
    assert!(reg.workday(feb(2)).task(&delivery).is_some(), "an orange household is owed a delivery");

    reg.apply(Command::OpenDay { today: feb(3) }).unwrap();
    let day = reg.workday(feb(3));
    let second = TaskKey { duty: Duty::FollowUp { call: 2 }, ..call };
    assert_eq!(day.task(&second).map(|t| t.status), Some(Status::Overdue { since: feb(2) }));
    assert!(day.task(&call).is_none(), "the call done is not carried");
    assert_eq!(day.task(&delivery).map(|t| t.status), Some(Status::Overdue { since: feb(2) }));
    let behind = day.progress_by_staff();
    assert!(behind.values().map(|p| p.overdue).sum::<u32>() >= 2);
    // Done late, it is done; a day later it is gone.
    reg.apply(Command::CompleteTask { task: delivery, by: li, at: at(feb(3), 10), outcome: Outcome::Done }).unwrap();
    assert!(matches!(reg.workday(feb(3)).task(&delivery).map(|t| t.status), Some(Status::Done(_))));
    reg.apply(Command::OpenDay { today: feb(4) }).unwrap();
    assert!(reg.workday(feb(4)).task(&second).is_none());
    // A task of two days ago is owed no more: it cannot be recorded done.
    let stale = Command::CompleteTask { task: second, by: li, at: at(feb(4), 9), outcome: Outcome::Done };
    assert_eq!(reg.apply(stale), Err(Error::Work(WorkError::NoSuchTask { task: second })));
}

#[test]
fn tickets_are_routed_and_reported() {
    let (mut reg, _, h, li, wang) = team();
    let root = reg.root();
    let ticket = reg
        .apply(Command::OpenTicket {
            unit: root,
            household: Some(h),
            kind: TicketKind::Supplies,
            received: at(feb(2), 8),
        })
        .unwrap()[0]
        .clone();
    let wangge::Event::TicketOpened { ticket: id, spec } = ticket else { panic!() };
    // The grid worker holds the 2+3 role for a member of the household: accepted at once.
    assert!(spec.accepted);
    let key = TaskKey { date: feb(2), subject: TaskSubject::Household(h), duty: Duty::Ticket(id) };
    let day = reg.workday(feb(2));
    let task = day.task(&key).unwrap();
    assert_eq!(task.assignee.staff(), Some(li), "the grid worker holds the 2+3 role for a member of the household");
    reg.apply(Command::CompleteTask { task: key, by: wang, at: at(feb(2), 17), outcome: Outcome::Done }).unwrap();
    let report = reg.ticket_report(root).unwrap();
    assert_eq!((report.received, report.accepted, report.closed, report.closed_same_day), (1, 1, 1, 1));
    // A ticket about a unit nobody holds anything for is not accepted at once.
    let yard = reg
        .apply(Command::AddUnit {
            parent: root,
            unit: NewUnit::new("农科路社区", LevelScheme::zhengzhou().level("社区").unwrap(), UnitKind::Area),
        })
        .unwrap()[0]
        .new_unit()
        .unwrap();
    let events = reg
        .apply(Command::OpenTicket { unit: yard, household: None, kind: TicketKind::Report, received: at(feb(2), 9) })
        .unwrap();
    let wangge::Event::TicketOpened { spec, .. } = &events[0] else { panic!() };
    assert!(!spec.accepted);
    assert_eq!(reg.ticket_report(root).unwrap().accepted, 1);
    assert_eq!(reg.ticket_report(yard).unwrap().received, 1);
    assert_eq!(report.rate(report.closed_same_day), 1.0);
    assert_eq!(reg.ticket(id).unwrap().closed, Some(at(feb(2), 17)));
    // A ticket about a household outside the unit is refused; one in the future too.
    let future =
        Command::OpenTicket { unit: root, household: None, kind: TicketKind::Question, received: at(feb(3), 8) };
    assert!(reg.apply(future).is_err());
}

#[test]
fn reassignment_moves_every_open_task_within_eligibility() {
    let (mut reg, _, _, li, wang) = team();
    // A second grid worker, not on the roster: eligible, home covers the household.
    let staff = Staff::new(Name::new("赵").unwrap(), Qualifications::only(Q::GridWorker), reg.root(), 40).unwrap();
    let zhao = reg.apply(Command::AddStaff { staff }).unwrap()[0].new_staff().unwrap();
    let before: Vec<_> = reg.workday(feb(2)).worklist(li).map(|t| t.key).collect();
    assert!(!before.is_empty());
    let events = reg.apply(Command::ReassignTasks { from: li, on: feb(2) }).unwrap();
    let wangge::Event::TasksReassigned { moved, .. } = &events[0] else { panic!() };
    assert_eq!(moved.iter().map(|(k, _)| *k).collect::<Vec<_>>(), before);
    let day = reg.workday(feb(2));
    assert_eq!(day.worklist(li).map(|t| (t.key, t.assignee.clone(), t.status)).collect::<Vec<_>>(), vec![]);
    for key in &before {
        let to = day.task(key).unwrap().assignee.staff().unwrap();
        assert!(to == wang || to == zhao, "{key:?} went to {to:?}");
    }
    // Only on the business date.
    assert!(reg.apply(Command::ReassignTasks { from: li, on: feb(1) }).is_err());
    // The log replays to the same moves.
    let replayed = Registry::from_snapshot(reg.snapshot()).unwrap();
    assert_eq!(replayed.workday(feb(2)), day);
}

#[test]
fn a_forged_reassignment_is_refused_on_replay() {
    let (mut reg, _, _, li, wang) = team();
    let mut copy = reg.clone();
    let events = reg.apply(Command::ReassignTasks { from: li, on: feb(2) }).unwrap();
    let wangge::Event::TasksReassigned { from, on, mut moved } = events[0].clone() else { panic!() };
    assert!(!moved.is_empty());
    moved[0].1.to = if moved[0].1.to.is_none() { Some(wang) } else { None };
    let forged = wangge::Event::TasksReassigned { from, on, moved };
    assert!(copy.apply_event(&forged).is_err());
    assert!(copy.apply_event(&events[0]).is_ok());
}

#[test]
fn a_workday_reads_back_with_its_worklists() {
    let (reg, _, _, li, wang) = team();
    let day = reg.workday(feb(2));
    let json = serde_json::to_string(&day).unwrap();
    let back: Workday = serde_json::from_str(&json).unwrap();
    assert_eq!(back, day);
    for s in [li, wang] {
        assert_eq!(back.worklist(s).collect::<Vec<_>>(), day.worklist(s).collect::<Vec<_>>());
        assert!(day.worklist(s).count() > 0);
    }
    assert_eq!(day.staff().collect::<Vec<_>>(), [li, wang]);
}
