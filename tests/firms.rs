//! Workplaces' return to work 复工复产 and rental properties 出租屋 (issue 17 §3 and §4).
//!
//! - **Baiyang at full scale** (seed 002: "3611家街属企业、75个政府投资和社会投资建设项目纳入
//!   数据库,对企业复工、工程进度、员工到岗等内容实施动态管理"): every workplace files, the
//!   approvals wait for the checklist, the enterprises and the projects reopen, an employee
//!   turns red and their enterprise is found at risk and suspended, then files again.
//! - **Seed 000's 25 large rental properties** (25家规模出租屋) marked with their landlords,
//!   inspected, the overdue ones listed.
//! - **Properties**: no impossible transition is accepted (against a table written here); the
//!   counts per status and of staff back at work equal a recount by a naive model, per
//!   community, for the sub-district and through a community's scope.
//! - The audit refuses a snapshot whose firms book no command sequence makes.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::duty::{Qualification, Qualifications, Staff};
use wangge::firms::{
    CheckItem, FilingStatus, FirmCounts, FirmError, Inspection, InspectionOutcome, Landlord, Premises, StatusChange,
    WorkBar,
};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord, Phone};
use wangge::{Command, Error, HouseholdId, PersonId, Registry, RegistryError, StaffId, UnitId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a date")
}

/// A sub-district with `communities` communities.
fn subdistrict(communities: usize) -> (Registry, Vec<UnitId>) {
    let levels = LevelScheme::zhengzhou();
    let level = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("白杨街道", level("街道"), UnitKind::Area)).expect("a root");
    let units = (0..communities)
        .map(|i| {
            let spec = NewUnit::new(format!("社区{i}"), level("社区"), UnitKind::Area);
            reg.apply(Command::AddUnit { parent: reg.root(), unit: spec }).expect("a unit")[0]
                .new_unit()
                .expect("an id")
        })
        .collect();
    (reg, units)
}

fn child(reg: &mut Registry, parent: UnitId, name: &str, kind: UnitKind) -> UnitId {
    let level = reg.tree().scheme().level("楼院").expect("a level");
    let spec = NewUnit::new(name, level, kind);
    reg.apply(Command::AddUnit { parent, unit: spec }).expect("a unit")[0].new_unit().expect("an id")
}

fn resident(reg: &mut Registry, unit: UnitId, door: usize) -> (HouseholdId, PersonId) {
    let door = DoorLabel::new(&format!("{door}")).expect("a door");
    let household =
        reg.apply(Command::AddHousehold { unit, door }).expect("a household")[0].new_household().expect("an id");
    let state = PersonState::well(feb(1));
    let person =
        reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state }).expect("a person")[0]
            .new_person()
            .expect("an id");
    (household, person)
}

fn staff(reg: &mut Registry, name: &str, q: Qualification, home: UnitId) -> StaffId {
    let staff = Staff::new(Name::new(name).expect("a name"), Qualifications::only(q), home, 50).expect("staff");
    reg.apply(Command::AddStaff { staff }).expect("added")[0].new_staff().expect("an id")
}

fn change(unit: UnitId, status: FilingStatus, on: NaiveDate, source: &str) -> Command {
    Command::ChangeFiling { unit, status, on, source: source.into() }
}

fn landlord(name: &str) -> Landlord {
    Landlord { name: Name::new(name).expect("a name"), phone: Phone::new("13800000000").expect("a phone") }
}

/// The transitions the issue names, written here apart from the crate's table.
const ALLOWED: [(FilingStatus, FilingStatus); 10] = {
    use FilingStatus::*;
    [
        (Closed, Applied),
        (Applied, Approved),
        (Applied, Closed),
        (Approved, Reopened),
        (Approved, Suspended),
        (Approved, Closed),
        (Reopened, Suspended),
        (Reopened, Closed),
        (Suspended, Applied),
        (Suspended, Closed),
    ]
};

fn allowed(from: FilingStatus, to: FilingStatus) -> bool {
    ALLOWED.contains(&(from, to))
}

#[test]
fn baiyang_files_approves_reopens_and_suspends_at_full_scale() {
    let (mut reg, communities) = subdistrict(12);
    let mut firms = Vec::new();
    for i in 0..3_611 {
        firms.push(child(&mut reg, communities[i % 12], &format!("企业{i}"), UnitKind::Workplace));
    }
    let projects: Vec<UnitId> =
        (0..75).map(|i| child(&mut reg, communities[i % 12], &format!("建设项目{i}"), UnitKind::Workplace)).collect();
    let all: Vec<UnitId> = firms.iter().chain(&projects).copied().collect();
    assert_eq!(reg.firm_counts(reg.root()).expect("counts").of(FilingStatus::Closed), 3_686);

    // Every workplace files on Feb 3 (杭州企业全面复工开启); all but 11 complete their checklist.
    for &u in &all {
        reg.apply(change(u, FilingStatus::Applied, feb(3), "街道数据库")).expect("filed");
    }
    let lagging = &firms[..11];
    for &u in &all {
        for item in CheckItem::ALL {
            if item == CheckItem::ControlPoint && lagging.contains(&u) {
                continue;
            }
            reg.apply(Command::CheckWorkplace { unit: u, item, done: true, on: feb(5) }).expect("checked");
        }
    }
    let mut refused = 0;
    for &u in &all {
        match reg.apply(change(u, FilingStatus::Approved, feb(8), "街道审核")) {
            Ok(_) => {}
            Err(Error::Firm(FirmError::ChecklistIncomplete { unit, missing })) => {
                assert_eq!((unit, missing), (u, vec![CheckItem::ControlPoint]));
                refused += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(refused, 11);
    // Not reopened without an approval.
    let err = reg.apply(change(lagging[0], FilingStatus::Reopened, feb(10), "")).expect_err("refused");
    assert!(matches!(err, Error::Firm(FirmError::Transition { from: FilingStatus::Applied, .. })), "{err}");
    for &u in &firms[11..] {
        reg.apply(change(u, FilingStatus::Reopened, feb(10), "企业复工")).expect("reopened");
    }
    for &u in &projects {
        reg.apply(change(u, FilingStatus::Reopened, feb(17), "工程复工")).expect("reopened");
    }

    // Enterprise 11 employs three residents and 20 people who live elsewhere; a department
    // leader is contracted to it (包企), a grid worker may not be.
    let firm = firms[11];
    let home = communities[firm_index(&firms, firm) % 12];
    let employees: Vec<PersonId> = (0..3).map(|d| resident(&mut reg, home, d).1).collect();
    reg.apply(Command::SetEmployees { unit: firm, add: employees.clone(), remove: vec![], outside: 20, on: feb(10) })
        .expect("employed");
    let leader = {
        let root = reg.root();
        staff(&mut reg, "包企领导", Qualification::DepartmentLeader, root)
    };
    let worker = staff(&mut reg, "网格员", Qualification::GridWorker, home);
    reg.apply(Command::ContractWorkplace { unit: firm, leader, on: feb(10) }).expect("contracted");
    let err = reg.apply(Command::ContractWorkplace { unit: firm, leader: worker, on: feb(10) }).expect_err("refused");
    assert!(matches!(err, Error::Firm(FirmError::NotALeader { staff }) if staff == worker), "{err}");
    assert_eq!(reg.filing(firm).and_then(|f| f.leader).map(|c| c.leader), Some(leader));

    let counts = reg.firm_counts(reg.root()).expect("counts");
    assert_eq!(counts.by_status, [0, 11, 0, 3_600 + 75, 0]);
    assert_eq!((counts.staff_back, counts.staff_barred), (23, 0));

    // Feb 20: an employee is suspected 疑似 (red); the enterprise is at risk, and suspended.
    reg.apply(Command::OpenDay { today: feb(20) }).expect("a day");
    reg.apply(Command::SetState { person: employees[1], state: State::Suspected, on: feb(20) }).expect("red");
    assert!(matches!(reg.work_bar(employees[1]), Ok(Some(WorkBar::Colour(_)))));
    assert_eq!(reg.work_bar(employees[0]).expect("a person"), None);
    let counts = reg.firm_counts(reg.root()).expect("counts");
    assert_eq!((counts.staff_back, counts.staff_barred), (22, 1));
    assert_eq!(reg.workplaces_at_risk(reg.root()).expect("a unit"), vec![(firm, vec![employees[1]])]);
    reg.apply(change(firm, FilingStatus::Suspended, feb(20), "员工疑似,停工消毒")).expect("suspended");
    // Nothing after the business date; not reopened without filing again.
    let err = reg.apply(change(firm, FilingStatus::Applied, feb(21), "")).expect_err("after today");
    assert!(matches!(err, Error::Registry(RegistryError::AfterBusinessDate { .. })), "{err}");
    let err = reg.apply(change(firm, FilingStatus::Reopened, feb(20), "")).expect_err("not without approval");
    assert!(matches!(err, Error::Firm(FirmError::Transition { .. })), "{err}");
    reg.apply(change(firm, FilingStatus::Applied, feb(20), "重新申请")).expect("filed again");
    let history: Vec<FilingStatus> = reg.filing(firm).expect("a filing").history.iter().map(|c| c.status).collect();
    use FilingStatus::*;
    assert_eq!(history, [Applied, Approved, Reopened, Suspended, Applied]);

    let counts = reg.firm_counts(reg.root()).expect("counts");
    assert_eq!(counts.by_status, [0, 12, 0, 3_674, 0]);
    assert_eq!(counts.total(), 3_686);
    // The communities' counts add up to the sub-district's.
    let mut sum = FirmCounts::default();
    for &c in &communities {
        sum.merge(&reg.firm_counts(c).expect("counts"));
    }
    assert_eq!(sum, counts);
    // The snapshot reads back equal, and passes the audit.
    let back = Registry::from_snapshot(reg.snapshot()).expect("loads");
    assert!(back == reg);
}

fn firm_index(firms: &[UnitId], unit: UnitId) -> usize {
    firms.iter().position(|&f| f == unit).expect("a firm")
}

#[test]
fn seed_000s_rental_properties_are_inspected_and_the_overdue_listed() {
    let (mut reg, communities) = subdistrict(2);
    let inspector = {
        let root = reg.root();
        staff(&mut reg, "社区民警", Qualification::Police, root)
    };
    let properties: Vec<UnitId> =
        (0..25).map(|i| child(&mut reg, communities[i % 2], &format!("规模出租屋{i}"), UnitKind::Building)).collect();
    for (i, &u) in properties.iter().enumerate() {
        reg.apply(Command::MarkRental {
            premises: Premises::Unit(u),
            landlord: landlord(&format!("房东{i}")),
            on: feb(5),
        })
        .expect("marked");
    }
    // 15 in order, 5 to put right, 5 not yet inspected.
    for (i, &u) in properties.iter().enumerate().take(20) {
        let outcome = if i < 15 { InspectionOutcome::Passed } else { InspectionOutcome::Rectify };
        let inspection = Inspection { on: feb(10), by: inspector, outcome };
        reg.apply(Command::InspectRental { premises: Premises::Unit(u), inspection }).expect("inspected");
    }
    // Weekly: the never inspected were owed on Feb 12, those to put right on Feb 14 (half the
    // period), those in order on Feb 17.
    let overdue = reg.overdue_rentals(reg.root(), feb(16), 7).expect("a unit");
    let expected: Vec<Premises> = properties[15..].iter().map(|&u| Premises::Unit(u)).collect();
    assert_eq!(overdue.iter().map(|o| o.premises).collect::<Vec<_>>(), expected);
    assert!(overdue.iter().all(|o| o.due == if o.premises == expected[0] { feb(14) } else { o.due }));
    assert_eq!(reg.overdue_rentals(reg.root(), feb(18), 7).expect("a unit").len(), 25);
    let in_first: usize = properties.iter().step_by(2).skip(8).count(); // indices 16, 18, ..., 24
    let first = reg.overdue_rentals(communities[0], feb(16), 7).expect("a unit");
    assert_eq!(first.len(), in_first);
    let scope = reg.scope(&[communities[0]]).expect("a scope");
    assert_eq!(scope.overdue_rentals(communities[0], feb(16), 7).expect("inside"), first);
    assert!(scope.overdue_rentals(communities[1], feb(16), 7).is_err());

    // A household's dwelling: marked once, inspected not before it was marked.
    let (household, _) = resident(&mut reg, communities[1], 1);
    let premises = Premises::Household(household);
    let secret = "李秘密房东";
    reg.apply(Command::MarkRental { premises, landlord: landlord(secret), on: feb(6) }).expect("marked");
    let again = Command::MarkRental { premises, landlord: landlord(secret), on: feb(7) };
    assert!(!format!("{again:?}").contains(secret));
    let err = reg.apply(again).expect_err("marked already");
    assert!(matches!(err, Error::Firm(FirmError::AlreadyRented { .. })));
    assert!(!err.to_string().contains(secret) && !format!("{err:?}").contains(secret));
    let early = Inspection { on: feb(5), by: inspector, outcome: InspectionOutcome::Passed };
    assert!(reg.apply(Command::InspectRental { premises, inspection: early }).is_err());
    // A workplace holds no residents: not a rental property.
    let firm = child(&mut reg, communities[0], "企业", UnitKind::Workplace);
    assert!(
        reg.apply(Command::MarkRental { premises: Premises::Unit(firm), landlord: landlord("某"), on: feb(6) })
            .is_err()
    );
    assert!(!format!("{:?}", reg.snapshot()).contains(secret));
    let back = Registry::from_snapshot(reg.snapshot()).expect("loads");
    assert!(back == reg);
}

#[test]
fn the_audit_refuses_a_firms_book_no_command_sequence_makes() {
    let (mut reg, communities) = subdistrict(1);
    let firm = child(&mut reg, communities[0], "企业", UnitKind::Workplace);
    let inspector = {
        let root = reg.root();
        staff(&mut reg, "民警", Qualification::Police, root)
    };
    reg.apply(change(firm, FilingStatus::Applied, feb(3), "")).expect("filed");
    let (household, person) = resident(&mut reg, communities[0], 1);
    reg.apply(Command::SetEmployees { unit: firm, add: vec![person], remove: vec![], outside: 0, on: feb(3) })
        .expect("employed");
    let premises = Premises::Household(household);
    reg.apply(Command::MarkRental { premises, landlord: landlord("房东"), on: feb(4) }).expect("marked");
    let inspection = Inspection { on: feb(6), by: inspector, outcome: InspectionOutcome::Passed };
    reg.apply(Command::InspectRental { premises, inspection }).expect("inspected");
    let good = reg.snapshot();
    assert!(Registry::from_snapshot(good.clone()).is_ok());

    let refused = |snapshot: wangge::Snapshot, what: &str| {
        let err = Registry::from_snapshot(snapshot).expect_err(what);
        assert!(matches!(err, Error::Registry(RegistryError::AuditFailed { .. })), "{what}: {err}");
    };
    // Reopened straight from closed.
    let mut s = good.clone();
    s.firms.filings[0].history =
        vec![StatusChange { status: FilingStatus::Reopened, on: feb(3), source: String::new() }];
    refused(s, "reopened without approval");
    // A filing of a community.
    let mut s = good.clone();
    s.firms.filings[0].unit = communities[0];
    refused(s, "not a workplace");
    // An employee listed twice.
    let mut s = good.clone();
    s.firms.filings[0].employees.push(person);
    refused(s, "an employee twice");
    // An inspection before the marking.
    let mut s = good.clone();
    s.firms.rentals[0].inspections[0].on = feb(1);
    refused(s, "inspected before marked");
    // Two filings of one unit.
    let mut s = good;
    let twice = s.firms.filings[0].clone();
    s.firms.filings.push(twice);
    refused(s, "a filing twice");
}

/// One step of a workplace's random history.
#[derive(Debug, Clone)]
enum Step {
    /// Change the status to `ALL[status]`, `shift` days after the last step's day (negative:
    /// back-dated).
    Status { status: usize, shift: i64 },
    /// Mark a checklist item.
    Check { item: usize, done: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..FilingStatus::COUNT, -2i64..4).prop_map(|(status, shift)| Step::Status { status, shift }),
        2 => (0..CheckItem::ALL.len(), any::<bool>()).prop_map(|(item, done)| Step::Check { item, done }),
    ]
}

/// The model of one workplace: its status, last change and checklist, kept by the rules the
/// issue states, apart from the crate.
#[derive(Debug, Clone, Copy)]
struct Model {
    status: FilingStatus,
    last: Option<NaiveDate>,
    checklist: [bool; 4],
}

impl Model {
    const NEW: Model = Model { status: FilingStatus::Closed, last: None, checklist: [false; 4] };

    /// Whether the step is accepted, and the model moved by it if so.
    fn take(&mut self, step: &Step, day: NaiveDate) -> bool {
        match *step {
            Step::Status { status, .. } => {
                let to = FilingStatus::ALL[status];
                let ok = allowed(self.status, to)
                    && self.last.is_none_or(|l| l <= day)
                    && (to != FilingStatus::Approved || self.checklist.iter().all(|&d| d));
                if ok {
                    (self.status, self.last) = (to, Some(day));
                }
                ok
            }
            Step::Check { item, done } => {
                let ok = self.checklist[item] != done;
                self.checklist[item] = done;
                ok
            }
        }
    }
}

fn command(unit: UnitId, step: &Step, day: NaiveDate) -> Command {
    match *step {
        Step::Status { status, .. } => change(unit, FilingStatus::ALL[status], day, "检查"),
        Step::Check { item, done } => Command::CheckWorkplace { unit, item: CheckItem::ALL[item], done, on: day },
    }
}

fn shifted(day: NaiveDate, step: &Step) -> NaiveDate {
    match *step {
        Step::Status { shift, .. } => {
            let moved = day.checked_add_signed(chrono::TimeDelta::days(shift)).expect("a date");
            moved.max(feb(1)).min(NaiveDate::from_ymd_opt(2020, 12, 31).expect("a date"))
        }
        Step::Check { .. } => day,
    }
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/firms.txt", 128))]

    /// No impossible transition is accepted, and every possible one is: each step is
    /// accepted exactly when the model (the table, dates in order, an approval only
    /// with the checklist complete) accepts it; the status and history follow the model, and
    /// the snapshot of whatever was reached passes the audit.
    #[test]
    fn no_impossible_transition_is_accepted(steps in prop::collection::vec(step(), 1..40)) {
        let (mut reg, communities) = subdistrict(1);
        let unit = child(&mut reg, communities[0], "企业", UnitKind::Workplace);
        let mut model = Model::NEW;
        let (mut day, mut accepted) = (feb(1), 0);
        for s in &steps {
            let at = shifted(day, s);
            let expected = model.take(s, at);
            let got = reg.apply(command(unit, s, at));
            prop_assert_eq!(got.is_ok(), expected, "{:?} on {} from {:?}: {:?}", s, at, model, got);
            if expected && matches!(s, Step::Status { .. }) {
                accepted += 1;
                day = at;
            }
        }
        let status = reg.filing(unit).map_or(FilingStatus::Closed, |f| f.status());
        prop_assert_eq!(status, model.status);
        prop_assert_eq!(reg.filing(unit).map_or(0, |f| f.history.len()), accepted);
        let back = Registry::from_snapshot(reg.snapshot());
        prop_assert!(back.is_ok(), "{:?}", back.err());
    }

    /// The counts per status and of staff back at work equal a recount: random workplaces in
    /// two communities moved through random statuses, random employees from either community
    /// (some red), counted per community, for the sub-district and through community 0's
    /// scope (where an employee living outside counts as back at work, unjudged).
    #[test]
    fn counts_per_status_equal_a_recount(
        firms in prop::collection::vec((0usize..2, prop::collection::vec(0usize..20, 0..6),
            prop::collection::vec(0usize..8, 0..5), 0u32..4), 0..10),
        red in prop::collection::vec(any::<bool>(), 8),
    ) {
        let (mut reg, communities) = subdistrict(2);
        // Eight residents, four in each community; some red.
        let persons: Vec<(usize, PersonId)> = (0..8).map(|i| (i % 2, resident(&mut reg, communities[i % 2], i).1)).collect();
        for (i, &(_, p)) in persons.iter().enumerate() {
            if red[i] {
                reg.apply(Command::SetState { person: p, state: State::Confirmed, on: feb(2) }).expect("red");
            }
        }
        // (community, status, registered employees, outside)
        let mut expected: Vec<(usize, FilingStatus, Vec<usize>, u32)> = Vec::new();
        for (i, (community, statuses, employees, outside)) in firms.iter().enumerate() {
            let unit = child(&mut reg, communities[*community], &format!("企业{i}"), UnitKind::Workplace);
            for item in CheckItem::ALL {
                reg.apply(Command::CheckWorkplace { unit, item, done: true, on: feb(3) }).expect("checked");
            }
            let mut model = Model { checklist: [true; 4], ..Model::NEW };
            // A walk along the table written here (most workplaces get somewhere), with one in
            // four steps any status at all (refused unless the table allows it).
            for &s in statuses {
                let next: Vec<FilingStatus> = ALLOWED.iter().filter(|(f, _)| *f == model.status).map(|(_, t)| *t).collect();
                let to = if s % 4 == 3 { FilingStatus::ALL[s % FilingStatus::COUNT] } else { next[s % next.len()] };
                let status = FilingStatus::ALL.iter().position(|x| *x == to).expect("a status");
                let step = Step::Status { status, shift: 0 };
                let ok = model.take(&step, feb(4));
                prop_assert_eq!(reg.apply(command(unit, &step, feb(4))).is_ok(), ok);
            }
            let mut employed: Vec<usize> = employees.clone();
            employed.sort_unstable();
            employed.dedup();
            let add = employed.iter().map(|&e| persons[e].1).collect();
            reg.apply(Command::SetEmployees { unit, add, remove: vec![], outside: *outside, on: feb(4) }).expect("employed");
            expected.push((*community, model.status, employed, *outside));
        }
        // The recount: a reopened workplace's staff back are its employees not red, plus those
        // living elsewhere; `seen` says whose colour the reader may judge.
        let recount = |only: Option<usize>, seen: &dyn Fn(usize) -> bool| {
            let mut by_status = [0u32; FilingStatus::COUNT];
            let (mut back, mut barred) = (0u64, 0u64);
            for (community, status, employees, outside) in &expected {
                if only.is_some_and(|c| c != *community) {
                    continue;
                }
                by_status[FilingStatus::ALL.iter().position(|s| s == status).expect("a status")] += 1;
                if *status == FilingStatus::Reopened {
                    back += u64::from(*outside);
                    for &e in employees {
                        if red[e] && seen(e) { barred += 1 } else { back += 1 }
                    }
                }
            }
            (by_status, back, barred)
        };
        let all = |_: usize| true;
        let got = |c: FirmCounts| (c.by_status, c.staff_back, c.staff_barred);
        prop_assert_eq!(got(reg.firm_counts(reg.root()).expect("counts")), recount(None, &all));
        for (i, &c) in communities.iter().enumerate() {
            prop_assert_eq!(got(reg.firm_counts(c).expect("counts")), recount(Some(i), &all));
        }
        let scope = reg.scope(&[communities[0]]).expect("a scope");
        let inside = |e: usize| persons[e].0 == 0;
        prop_assert_eq!(got(scope.total_firm_counts()), recount(Some(0), &inside));
        prop_assert!(scope.firm_counts(communities[1]).is_err());
    }
}

/// A community's scope writes its own workplaces and rentals only: a workplace, a household or
/// an employee outside is refused, and reads outside are unknown.
#[test]
fn a_scope_writes_and_reads_only_its_own_workplaces() {
    let (mut reg, communities) = subdistrict(2);
    let (ours, theirs) = (communities[0], communities[1]);
    let mine = child(&mut reg, ours, "本社区企业", UnitKind::Workplace);
    let other = child(&mut reg, theirs, "外社区企业", UnitKind::Workplace);
    let (_, neighbour) = resident(&mut reg, theirs, 1);
    let (home, local) = resident(&mut reg, ours, 2);
    let (away, _) = resident(&mut reg, theirs, 3);
    let scope = [ours];
    reg.apply_within(&scope, change(mine, FilingStatus::Applied, feb(3), "")).expect("inside");
    let err = reg.apply_within(&scope, change(other, FilingStatus::Applied, feb(3), "")).expect_err("outside");
    assert!(matches!(err, Error::Registry(RegistryError::OutsideScope { .. })), "{err}");
    let hire = |person| Command::SetEmployees { unit: mine, add: vec![person], remove: vec![], outside: 0, on: feb(3) };
    assert!(reg.apply_within(&scope, hire(neighbour)).is_err());
    reg.apply_within(&scope, hire(local)).expect("a local employee");
    let mark = |household| Command::MarkRental {
        premises: Premises::Household(household),
        landlord: landlord("房东"),
        on: feb(3),
    };
    reg.apply_within(&scope, mark(home)).expect("inside");
    assert!(reg.apply_within(&scope, mark(away)).is_err());
    let reader = reg.scope(&scope).expect("a scope");
    assert!(reader.filing(mine).expect("inside").is_some());
    assert!(reader.filing(other).is_err() && reader.firm_counts(theirs).is_err());
}
