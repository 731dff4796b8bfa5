//! Closed management, passes and entry checks (issue 17 §2 and the §4 tests of it).
//!
//! - **Seed 000's closed compounds**: "2月上旬,辖区内130个住宅小区实行封闭式管理" — a
//!   community's compounds closed from Feb 3 by an order, one sealed later; counts of
//!   compounds per status per unit, rolled up, through a scope too; the history kept.
//! - **Seed 001's passes** "实行出入证管控制度": passes issued per household; a household turns
//!   red and its pass no longer admits; expired, not yet valid, revoked, another compound's,
//!   a sealed compound: each refusal typed.
//! - **Seed 000's "三个务必" (询问、登记和测温)** at a gate: a resident under a case with a
//!   fever is escalated by the case's check in the same record; a visitor with a fever is
//!   listed for follow-up; counts per day per entrance and per compound; a visitor's name and
//!   phone never in `Debug` or an error, and never seen through another community's scope.
//! - **Property tests against naive models**: a revoked or expired pass never admits; counts
//!   per status equal a recount; entry counts equal a recount.
//! - The audit refuses snapshots no command sequence makes.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use wangge::access::{
    AccessError, CompoundStatus, Entrant, Entry, EntryCounts, FeverRoute, PassId, Refusal, RevokeReason, Verdict,
    Visitor,
};
use wangge::colour::{Colour, PersonState, State};
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord, Phone};
use wangge::quarantine::{CaseStatus, Category, Policy, Temperature};
use wangge::registry::Snapshot;
use wangge::{Command, Error, Event, HouseholdId, PersonId, Registry, UnitId};

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a date")
}

fn at(d: u32, h: u32) -> NaiveDateTime {
    feb(d).and_hms_opt(h, 0, 0).expect("a time")
}

fn t(tenths: u16) -> Temperature {
    Temperature::from_tenths(tenths).expect("a temperature")
}

/// A sub-district with `communities` communities of `compounds` compounds each, every compound
/// with one gate and `households` households of one person. Returns the registry, the
/// communities, the compounds, their gates, and each compound's households and persons.
struct Town {
    reg: Registry,
    communities: Vec<UnitId>,
    compounds: Vec<UnitId>,
    gates: Vec<UnitId>,
    households: Vec<Vec<HouseholdId>>,
    persons: Vec<Vec<PersonId>>,
}

fn town(communities: usize, compounds: usize, households: usize) -> Result<Town, Error> {
    let levels = LevelScheme::zhengzhou();
    let level = |n: &str| levels.level(n).expect("a level");
    let mut reg = Registry::new(levels.clone(), NewUnit::new("长海路街道", level("街道"), UnitKind::Area))?;
    let mut town = Town {
        reg: reg.clone(),
        communities: Vec::new(),
        compounds: Vec::new(),
        gates: Vec::new(),
        households: Vec::new(),
        persons: Vec::new(),
    };
    for c in 0..communities {
        let spec = NewUnit::new(format!("社区{c}"), level("社区"), UnitKind::Area);
        let community = reg.apply(Command::AddUnit { parent: reg.root(), unit: spec })?[0].new_unit().expect("a unit");
        town.communities.push(community);
        for y in 0..compounds {
            let spec = NewUnit::new(
                format!("小区{c}-{y}"),
                level("楼院"),
                UnitKind::Compound(CompoundKind::PropertyManagedClosed),
            );
            let yard = reg.apply(Command::AddUnit { parent: community, unit: spec })?[0].new_unit().expect("a unit");
            let spec = NewUnit::new(format!("小区{c}-{y}大门"), level("楼组"), UnitKind::Entrance(None));
            let gate = reg.apply(Command::AddUnit { parent: yard, unit: spec })?[0].new_unit().expect("a unit");
            let (mut hs, mut ps) = (Vec::new(), Vec::new());
            for n in 0..households {
                let door = DoorLabel::new(&format!("{n}"))?;
                let h = reg.apply(Command::AddHousehold { unit: yard, door })?[0].new_household().expect("a household");
                let state = PersonState::well(feb(1));
                let p = reg.apply(Command::RegisterPerson { household: h, record: PersonRecord::new(), state })?[0]
                    .new_person()
                    .expect("a person");
                hs.push(h);
                ps.push(p);
            }
            town.compounds.push(yard);
            town.gates.push(gate);
            town.households.push(hs);
            town.persons.push(ps);
        }
    }
    town.reg = reg;
    Ok(town)
}

fn visitor(name: &str, phone: &str) -> Visitor {
    Visitor {
        name: Name::new(name).expect("a name"),
        phone: Some(Phone::new(phone).expect("a phone")),
        purpose: "探亲".into(),
        visiting: None,
    }
}

fn entry(gate: UnitId, when: NaiveDateTime, entrant: Entrant, tenths: u16) -> Command {
    Command::RecordEntry { entry: Entry { entrance: gate, at: when, entrant, temperature: t(tenths) } }
}

/// Seed 000: the compounds closed in early February, one sealed later; counts per status per
/// unit, rolled up and through a scope; the history with its sources.
#[test]
fn compounds_closed_by_an_order_are_counted_per_status() -> Result<(), Error> {
    let mut w = town(2, 3, 1)?;
    let order = "长海路街道 2月上旬 封闭式管理通知";
    for &yard in &w.compounds[..5] {
        w.reg.apply(Command::SetCompoundStatus {
            compound: yard,
            status: CompoundStatus::Closed,
            on: feb(3),
            source: order.into(),
        })?;
    }
    let sealed = w.compounds[0];
    w.reg.apply(Command::SetCompoundStatus {
        compound: sealed,
        status: CompoundStatus::Sealed,
        on: feb(10),
        source: "确诊病例所在小区".into(),
    })?;
    let count = |reg: &Registry, unit, on| -> Result<[u64; 3], Error> {
        let c = reg.status_counts(unit, on)?;
        Ok(CompoundStatus::ALL.map(|s| c.get(s)))
    };
    assert_eq!(count(&w.reg, w.reg.root(), feb(2))?, [6, 0, 0]);
    assert_eq!(count(&w.reg, w.reg.root(), feb(3))?, [1, 5, 0]);
    assert_eq!(count(&w.reg, w.reg.root(), feb(10))?, [1, 4, 1]);
    assert_eq!(count(&w.reg, w.communities[0], feb(10))?, [0, 2, 1]);
    assert_eq!(count(&w.reg, w.communities[1], feb(10))?, [1, 2, 0]);
    // Through the second community's scope: its own compounds only; the first's are unknown.
    let scope = w.reg.scope(&[w.communities[1]])?;
    assert_eq!(scope.total_status_counts(feb(10)).get(CompoundStatus::Closed), 2);
    assert!(scope.status_counts(w.communities[0], feb(10)).is_err());
    assert!(scope.compound_status(sealed, feb(10)).is_err());
    // The history, oldest first, with its sources.
    let history = w.reg.status_history(sealed)?;
    assert_eq!(
        history.iter().map(|c| (c.status, c.on)).collect::<Vec<_>>(),
        [(CompoundStatus::Closed, feb(3)), (CompoundStatus::Sealed, feb(10))]
    );
    assert_eq!(history[0].source, order);
    // Refused: the same status again, a change before the last, a unit not a compound.
    let again = |status, on| Command::SetCompoundStatus { compound: sealed, status, on, source: "x".into() };
    assert_eq!(
        w.reg.clone().apply(again(CompoundStatus::Sealed, feb(11))).unwrap_err(),
        Error::Access(AccessError::SameStatus { compound: sealed, status: CompoundStatus::Sealed })
    );
    assert!(matches!(
        w.reg.clone().apply(again(CompoundStatus::Open, feb(9))).unwrap_err(),
        Error::Access(AccessError::BeforeLastChange { .. })
    ));
    let community = w.communities[0];
    let not = Command::SetCompoundStatus {
        compound: community,
        status: CompoundStatus::Closed,
        on: feb(3),
        source: "x".into(),
    };
    assert_eq!(w.reg.clone().apply(not).unwrap_err(), Error::Access(AccessError::NotACompound { unit: community }));
    assert!(w.reg.audit().is_empty());
    Ok(())
}

/// Seed 001's passes: issued per household; the household turns red and its pass no longer
/// admits; every refusal typed; a revoked pass never admits.
#[test]
fn a_red_household_s_pass_no_longer_admits() -> Result<(), Error> {
    let mut w = town(1, 2, 2)?;
    let (yard, gate, other_gate) = (w.compounds[0], w.gates[0], w.gates[1]);
    let (h, p) = (w.households[0][0], w.persons[0][0]);
    w.reg.apply(Command::OpenDay { today: feb(5) })?;
    w.reg.apply(Command::SetCompoundStatus {
        compound: yard,
        status: CompoundStatus::Closed,
        on: feb(3),
        source: "通知".into(),
    })?;
    let issued = w.reg.apply(Command::IssuePass { household: h, on: feb(5), until: feb(29) })?;
    let Event::PassIssued { pass, spec } = issued[0] else { panic!("{issued:?}") };
    assert_eq!((spec.household, spec.compound), (h, yard));
    assert_eq!(w.reg.passes_of(h)?, [pass]);
    assert_eq!(w.reg.check_pass(pass, gate, feb(5))?, Verdict::Allowed);
    assert_eq!(w.reg.check_pass(pass, gate, feb(4))?, Verdict::Refused(Refusal::NotYetValid { from: feb(5) }));
    assert_eq!(
        w.reg.check_pass(pass, gate, feb(29).succ_opt().expect("Mar 1"))?,
        Verdict::Refused(Refusal::Expired { until: feb(29) })
    );
    assert_eq!(
        w.reg.check_pass(pass, other_gate, feb(5))?,
        Verdict::Refused(Refusal::OtherCompound { compound: yard })
    );
    w.reg.apply(entry(gate, at(5, 8), Entrant::Resident { pass, person: p }, 364))?;
    // The household turns red: a suspected case lives there. Its pass is revoked in the same
    // record, and never admits again, even once the household is no longer red.
    let before_red = w.reg.clone();
    w.reg.apply(Command::SetState { person: p, state: State::Suspected, on: feb(5) })?;
    assert_eq!(w.reg.colour(h)?, Colour::Red);
    let revoked = Refusal::Revoked { on: feb(5) };
    assert_eq!(w.reg.check_pass(pass, gate, feb(5))?, Verdict::Refused(revoked));
    assert_eq!(w.reg.pass(pass)?.revoked.map(|r| r.reason), Some(RevokeReason::HouseholdRed));
    assert_eq!(
        w.reg.clone().apply(entry(gate, at(5, 9), Entrant::Resident { pass, person: p }, 364)).unwrap_err(),
        Error::Access(AccessError::Refused { pass, refusal: revoked })
    );
    // A pass issued while the household is red is refused for its colour at the gate.
    let late = w.reg.clone().apply(Command::IssuePass { household: h, on: feb(5), until: feb(29) })?;
    let Event::PassIssued { pass: late, .. } = late[0] else { panic!("{late:?}") };
    let mut red_now = w.reg.clone();
    red_now.apply(Command::IssuePass { household: h, on: feb(5), until: feb(29) })?;
    assert_eq!(red_now.check_pass(late, gate, feb(5))?, Verdict::Refused(Refusal::HouseholdRed));
    // A neighbour's pass, revoked: never admits, on any day.
    let (h2, p2) = (w.households[0][1], w.persons[0][1]);
    let pass2 = w.reg.apply(Command::IssuePass { household: h2, on: feb(5), until: feb(29) })?;
    let Event::PassIssued { pass: pass2, .. } = pass2[0] else { panic!() };
    w.reg.apply(Command::RevokePass { pass: pass2, on: feb(5), reason: RevokeReason::Lost })?;
    for day in [4, 5, 29] {
        assert_eq!(w.reg.check_pass(pass2, gate, feb(day))?, Verdict::Refused(Refusal::Revoked { on: feb(5) }));
    }
    assert!(w.reg.clone().apply(entry(gate, at(5, 10), Entrant::Resident { pass: pass2, person: p2 }, 364)).is_err());
    assert!(matches!(
        w.reg.clone().apply(Command::RevokePass { pass: pass2, on: feb(5), reason: RevokeReason::Lost }).unwrap_err(),
        Error::Access(AccessError::AlreadyRevoked { .. })
    ));
    // A resident not of the pass's household is refused.
    assert_eq!(
        w.reg.clone().apply(entry(gate, at(5, 11), Entrant::Resident { pass, person: p2 }, 364)).unwrap_err(),
        Error::Access(AccessError::NotOfHousehold { person: p2, pass })
    );
    // A pass that admitted on the 5th cannot be revoked on the 4th.
    assert_eq!(
        before_red
            .clone()
            .apply(Command::RevokePass { pass, on: feb(4), reason: RevokeReason::Withdrawn })
            .unwrap_err(),
        Error::Access(AccessError::RevokedBeforeUse { pass, on: feb(4), used: feb(5) })
    );
    // Sealed: residents refused, visitors refused, a delivery taken at the gate.
    let fresh = w.reg.apply(Command::IssuePass { household: h2, on: feb(5), until: feb(29) })?;
    let Event::PassIssued { pass: fresh, .. } = fresh[0] else { panic!() };
    w.reg.apply(Command::SetCompoundStatus {
        compound: yard,
        status: CompoundStatus::Sealed,
        on: feb(5),
        source: "封控".into(),
    })?;
    assert_eq!(w.reg.check_pass(fresh, gate, feb(5))?, Verdict::Refused(Refusal::Sealed));
    assert_eq!(
        w.reg.clone().apply(entry(gate, at(5, 12), Entrant::Visitor(visitor("李四", "13900000000")), 365)).unwrap_err(),
        Error::Access(AccessError::Sealed { compound: yard })
    );
    w.reg.apply(entry(gate, at(5, 13), Entrant::Delivery, 365))?;
    assert!(w.reg.audit().is_empty());
    assert!(Registry::from_snapshot(w.reg.snapshot())? == w.reg);
    Ok(())
}

/// Seed 000's "三个务必" at the gate: a resident under a case with a fever is escalated by the
/// case's check in the same record (the existing rule); a visitor with a fever is listed for
/// follow-up; counts per day, per entrance and per compound; personal data kept hidden.
#[test]
fn a_fever_at_the_gate_for_a_resident_and_for_a_visitor() -> Result<(), Error> {
    let mut w = town(2, 2, 2)?;
    let (yard, gate) = (w.compounds[0], w.gates[0]);
    let (h, p) = (w.households[0][0], w.persons[0][0]);
    let policy =
        w.reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().expect("a policy");
    w.reg.apply(Command::OpenDay { today: feb(6) })?;
    let case = w.reg.apply(Command::StartCase {
        person: p,
        policy,
        category: Category::ArrivalFromEpidemicArea,
        anchor: feb(4),
        on: feb(6),
        linked: None,
    })?[0]
        .new_case()
        .expect("a case");
    w.reg.apply(Command::SetCompoundStatus {
        compound: yard,
        status: CompoundStatus::Closed,
        on: feb(3),
        source: "通知".into(),
    })?;
    let Event::PassIssued { pass, .. } =
        w.reg.apply(Command::IssuePass { household: h, on: feb(6), until: feb(29) })?[0]
    else {
        panic!()
    };
    // A normal reading: one event, no check.
    let normal = w.reg.apply(entry(gate, at(6, 7), Entrant::Resident { pass, person: p }, 366))?;
    assert_eq!(normal.len(), 1);
    // 38.1 °C: the entry, then the case's check escalating it, in one record.
    let events = w.reg.apply(entry(gate, at(6, 9), Entrant::Resident { pass, person: p }, 381))?;
    assert!(matches!(&events[0], Event::EntryRecorded { record } if record.fever == Some(FeverRoute::Case(case))));
    assert!(matches!(&events[1], Event::CheckRecorded { escalation: Some(_), .. }), "{events:?}");
    assert!(matches!(w.reg.case(case)?.status(), CaseStatus::Escalated { .. }));
    assert_eq!(w.reg.state(p)?.state(), State::Suspected);
    assert_eq!(w.reg.colour(h)?, Colour::Red);
    assert_eq!(w.reg.check_pass(pass, gate, feb(6))?, Verdict::Refused(Refusal::Revoked { on: feb(6) }));
    // A visitor at 37.6 °C: listed for follow-up, nobody's state changes.
    let states_before: Vec<_> = w.persons.iter().flatten().map(|&q| w.reg.state(q)).collect();
    w.reg.apply(entry(gate, at(6, 10), Entrant::Visitor(visitor("张三", "13800138000")), 376))?;
    let states_after: Vec<_> = w.persons.iter().flatten().map(|&q| w.reg.state(q)).collect();
    assert_eq!(states_before, states_after);
    let follow: Vec<_> = w.reg.gate_follow_ups(feb(6)).collect();
    assert_eq!(follow.len(), 1);
    assert!(matches!(&follow[0].entry.entrant, Entrant::Visitor(v) if v.name.reveal() == "张三"));
    // A neighbour under no case at 37.4 °C: listed for follow-up too.
    let (h2, p2) = (w.households[0][1], w.persons[0][1]);
    let Event::PassIssued { pass: pass2, .. } =
        w.reg.apply(Command::IssuePass { household: h2, on: feb(6), until: feb(29) })?[0]
    else {
        panic!()
    };
    w.reg.apply(entry(gate, at(6, 11), Entrant::Resident { pass: pass2, person: p2 }, 374))?;
    // More entries at the other compound's gate and the other community's.
    w.reg.apply(entry(w.gates[1], at(6, 12), Entrant::Delivery, 362))?;
    w.reg.apply(entry(w.gates[1], at(6, 13), Entrant::Vehicle { purpose: "送菜".into() }, 363))?;
    w.reg.apply(entry(w.gates[2], at(6, 14), Entrant::Visitor(visitor("赵六", "13600000000")), 380))?;
    w.reg.apply(Command::OpenDay { today: feb(7) })?;
    w.reg.apply(entry(gate, at(7, 8), Entrant::Delivery, 365))?;
    // Counts per day: per entrance, per compound, per community.
    let gate0 = w.reg.entry_counts(gate, feb(6))?;
    assert_eq!((gate0.residents, gate0.visitors, gate0.escalated, gate0.follow_ups, gate0.total()), (3, 1, 1, 2, 4));
    assert_eq!(w.reg.entry_counts(yard, feb(6))?, gate0);
    let c0 = w.reg.entry_counts(w.communities[0], feb(6))?;
    assert_eq!((c0.total(), c0.deliveries, c0.vehicles), (6, 1, 1));
    assert_eq!(w.reg.entry_counts(w.reg.root(), feb(6))?.total(), 7);
    assert_eq!(w.reg.entry_counts(w.reg.root(), feb(7))?.total(), 1);
    let by_gate = w.reg.entry_counts_by_entrance(feb(6));
    assert_eq!(by_gate.values().copied().fold(EntryCounts::default(), |a, b| a + b).total(), 7);
    assert_eq!(by_gate[&gate], gate0);
    // Personal data: never in Debug, never seen through another community's scope.
    let shown = format!("{:?} {:?}", w.reg.access_data(), w.reg.gate_follow_ups(feb(6)).collect::<Vec<_>>());
    for secret in ["张三", "13800138000", "赵六", "13600000000"] {
        assert!(!shown.contains(secret), "{secret} shown");
    }
    let scope = w.reg.scope(&[w.communities[1]])?;
    assert_eq!(scope.entries_on(feb(6)).count(), 1);
    assert_eq!(scope.gate_follow_ups(feb(6)).count(), 1);
    assert!(scope.entry_counts(gate, feb(6)).is_err());
    assert!(scope.check_pass(pass, w.gates[2], feb(6)).is_err());
    assert!(scope.passes_of(h).is_err());
    // Writing through a scope: a gate outside is refused.
    assert!(w.reg.apply_within(&[w.communities[1]], entry(gate, at(7, 9), Entrant::Delivery, 365)).is_err());
    w.reg.apply_within(&[w.communities[1]], entry(w.gates[2], at(7, 9), Entrant::Delivery, 365))?;
    // The whole registry round-trips and replays.
    assert!(w.reg.audit().is_empty());
    assert!(Registry::from_snapshot(w.reg.snapshot())? == w.reg);
    let json = serde_json::to_string(&w.reg).expect("a snapshot");
    assert!(serde_json::from_str::<Registry>(&json).expect("it loads") == w.reg);
    Ok(())
}

/// A registry whose entries cannot all be replayed: records made by commands, before any
/// business day, are refused; and an entry before any day is refused.
#[test]
fn entries_wait_for_a_business_day_and_follow_the_date_rules() -> Result<(), Error> {
    let mut w = town(1, 1, 1)?;
    let gate = w.gates[0];
    assert!(w.reg.clone().apply(entry(gate, at(6, 9), Entrant::Delivery, 365)).is_err());
    w.reg.apply(Command::OpenDay { today: feb(6) })?;
    assert!(w.reg.clone().apply(entry(gate, at(7, 9), Entrant::Delivery, 365)).is_err());
    w.reg.apply(entry(gate, at(5, 9), Entrant::Delivery, 365))?; // a paper register, entered a day late
    assert!(
        w.reg.clone().apply(Command::IssuePass { household: w.households[0][0], on: feb(7), until: feb(9) }).is_err()
    );
    assert!(matches!(
        w.reg
            .clone()
            .apply(Command::IssuePass { household: w.households[0][0], on: feb(6), until: feb(5) })
            .unwrap_err(),
        Error::Access(AccessError::BadValidity { .. })
    ));
    // An entry at a unit that is not an entrance.
    let yard = w.compounds[0];
    assert_eq!(
        w.reg.clone().apply(entry(yard, at(6, 9), Entrant::Delivery, 365)).unwrap_err(),
        Error::Access(AccessError::NotAnEntrance { unit: yard })
    );
    Ok(())
}

/// The audit refuses snapshots whose access book no command sequence makes.
#[test]
fn the_audit_refuses_an_access_book_no_command_makes() -> Result<(), Error> {
    let mut w = town(1, 2, 1)?;
    let (yard, gate) = (w.compounds[0], w.gates[0]);
    let (h, p) = (w.households[0][0], w.persons[0][0]);
    w.reg.apply(Command::OpenDay { today: feb(6) })?;
    w.reg.apply(Command::SetCompoundStatus {
        compound: yard,
        status: CompoundStatus::Closed,
        on: feb(3),
        source: "通知".into(),
    })?;
    w.reg.apply(Command::IssuePass { household: h, on: feb(6), until: feb(9) })?;
    w.reg.apply(entry(gate, at(6, 9), Entrant::Resident { pass: PassId::new(0), person: p }, 365))?;
    w.reg.apply(entry(gate, at(6, 10), Entrant::Visitor(visitor("张三", "13800138000")), 375))?;
    let good = serde_json::to_value(w.reg.snapshot()).expect("json");
    assert!(Registry::from_snapshot(serde_json::from_value::<Snapshot>(good.clone()).expect("reads")).is_ok());
    let refused = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json = good.clone();
        edit(&mut json);
        let snapshot: Snapshot = serde_json::from_value(json).expect("reads");
        let err = Registry::from_snapshot(snapshot).expect_err("refused");
        let text = err.to_string();
        assert!(!text.contains("张三") && !text.contains("13800138000"), "{text}");
        text
    };
    // The pass revoked before the entry it admitted.
    refused(&|j| j["access"]["passes"][0]["revoked"] = serde_json::json!({ "on": "2020-02-05", "reason": "Lost" }));
    // The entry after the pass expired.
    refused(&|j| j["access"]["passes"][0]["pass"]["until"] = serde_json::json!("2020-02-05"));
    // A status set on the gate, not a compound.
    refused(&|j| j["access"]["statuses"][0]["compound"] = serde_json::json!(gate.get()));
    // Opening a compound that was never closed: the first change repeats "open".
    refused(&|j| j["access"]["statuses"][0]["status"] = serde_json::json!("Open"));
    // The visitor's fever left unrouted, and a normal reading listed for follow-up.
    refused(&|j| {
        j["access"]["entries"][1].as_object_mut().expect("an entry").remove("fever");
    });
    refused(&|j| j["access"]["entries"][0]["fever"] = serde_json::json!("FollowUp"));
    // The entry dated after the business date.
    refused(&|j| j["access"]["entries"][0]["entry"]["at"] = serde_json::json!("2020-02-07T09:00:00"));
    // An entry naming another compound than its gate's.
    let other = w.compounds[1];
    refused(&|j| j["access"]["entries"][0]["compound"] = serde_json::json!(other.get()));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Property tests against naive models
// ---------------------------------------------------------------------------------------------

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    /// Set compound `c`'s status on day `d`.
    Status(usize, usize, u32),
    /// Issue a pass to household `h`, from the business date for `days` days.
    Issue(usize, u32),
    /// Revoke pass `p` (modulo the passes issued).
    Revoke(usize),
    /// A member of household `h` becomes suspected (red) or well again.
    Colour(usize, bool),
    /// An entry at gate `g`: a resident on pass `p`, or another kind; temperature in tenths.
    Enter(usize, usize, u8, u16, u32),
    /// The next day opens.
    NextDay,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..4usize, 0..3usize, 0..4u32).prop_map(|(c, s, d)| Step::Status(c, s, d)),
        (0..8usize, 0..4u32).prop_map(|(h, d)| Step::Issue(h, d)),
        (0..16usize).prop_map(Step::Revoke),
        (0..8usize, any::<bool>()).prop_map(|(h, r)| Step::Colour(h, r)),
        (0..4usize, 0..16usize, 0..4u8, 360..385u16, 0..3u32)
            .prop_map(|(g, p, k, t, back)| Step::Enter(g, p, k, t, back)),
        Just(Step::NextDay),
    ]
}

/// The naive model: what was accepted, kept as plain lists.
#[derive(Default)]
struct Model {
    /// (compound, date, status) in the order accepted.
    statuses: Vec<(usize, NaiveDate, CompoundStatus)>,
    /// (household, from, until, revoked on).
    passes: Vec<(usize, NaiveDate, NaiveDate, Option<NaiveDate>)>,
    /// (gate, date, kind 0..4, fever ≥ 37.3).
    entries: Vec<(usize, NaiveDate, u8, bool)>,
}

impl Model {
    fn status(&self, compound: usize, on: NaiveDate) -> CompoundStatus {
        // The last change dated on or before `on` (changes are accepted in date order).
        self.statuses.iter().rfind(|(c, d, _)| *c == compound && *d <= on).map_or(CompoundStatus::Open, |(_, _, s)| *s)
    }

    fn last_change(&self, compound: usize) -> Option<(NaiveDate, CompoundStatus)> {
        self.statuses.iter().rfind(|(c, ..)| *c == compound).map(|(_, d, s)| (*d, *s))
    }
}

/// Two communities of two compounds, two households each (one person), one gate per compound.
fn small() -> Town {
    town(2, 2, 2).expect("a town")
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/access.txt", 96))]

    /// A revoked or expired pass never admits (nor a pass not yet valid, of another compound,
    /// at a sealed compound or of a red household): every check and every resident's entry
    /// agrees with a verdict worked out here from the model, and counts per status and entry
    /// counts equal a recount of the model's lists, for every unit and day.
    #[test]
    fn passes_and_counts_agree_with_a_naive_model(steps in prop::collection::vec(step(), 1..60)) {
        let mut w = small();
        let mut today = feb(5);
        w.reg.apply(Command::OpenDay { today }).expect("a day");
        let mut m = Model::default();
        let households: Vec<HouseholdId> = w.households.iter().flatten().copied().collect();
        let persons: Vec<PersonId> = w.persons.iter().flatten().copied().collect();
        let compound_of_household = |h: usize| h / 2;
        for s in steps {
            match s {
                Step::Status(c, k, back) => {
                    let status = CompoundStatus::ALL[k];
                    let on = today - chrono::Days::new(u64::from(back));
                    let ok = match m.last_change(c) {
                        Some((d, last)) => on >= d && last != status,
                        None => status != CompoundStatus::Open,
                    };
                    let got = w.reg.apply(Command::SetCompoundStatus { compound: w.compounds[c], status, on, source: "令".into() });
                    prop_assert_eq!(got.is_ok(), ok, "{:?}", got);
                    if ok { m.statuses.push((c, on, status)); }
                }
                Step::Issue(h, days) => {
                    let until = today + chrono::Days::new(u64::from(days));
                    w.reg.apply(Command::IssuePass { household: households[h], on: today, until }).expect("issued");
                    m.passes.push((h, today, until, None));
                }
                Step::Revoke(p) => {
                    if m.passes.is_empty() { continue; }
                    let p = p % m.passes.len();
                    let got = w.reg.apply(Command::RevokePass { pass: PassId::new(p as u32), on: today, reason: RevokeReason::Withdrawn });
                    prop_assert_eq!(got.is_ok(), m.passes[p].3.is_none());
                    if m.passes[p].3.is_none() { m.passes[p].3 = Some(today); }
                }
                Step::Colour(h, red) => {
                    let state = if red { State::Suspected } else { State::Well };
                    let was_red = w.reg.colour(households[h]).expect("a household") == Colour::Red;
                    // Refusals (a change the state model does not allow) leave things as they were.
                    let _ = w.reg.apply(Command::SetState { person: persons[h], state, on: today });
                    let is_red = w.reg.colour(households[h]).expect("a household") == Colour::Red;
                    // Turned red: every pass of the household still in force is revoked today.
                    if is_red && !was_red {
                        for pass in m.passes.iter_mut().filter(|p| p.0 == h && p.3.is_none() && today <= p.2) {
                            pass.3 = Some(today);
                        }
                    }
                }
                Step::Enter(g, p, kind, tenths, back) => {
                    let when = (today - chrono::Days::new(u64::from(back))).and_hms_opt(9, 0, 0).expect("a time");
                    let on = when.date();
                    let status = m.status(g, on);
                    let fever = tenths >= 373;
                    let (entrant, expected) = match kind {
                        0 if !m.passes.is_empty() => {
                            let p = p % m.passes.len();
                            let (h, from, until, revoked) = m.passes[p];
                            let red = w.reg.colour(households[h]).expect("a household") == Colour::Red;
                            // The model's verdict, in the documented order of refusals.
                            let admits = revoked.is_none() && on >= from && on <= until
                                && compound_of_household(h) == g && status != CompoundStatus::Sealed && !red;
                            let check = w.reg.check_pass(PassId::new(p as u32), w.gates[g], on).expect("a check");
                            prop_assert_eq!(check.admits(), admits, "{:?}", check);
                            if revoked.is_some() || on > until {
                                prop_assert!(!check.admits());
                            }
                            (Entrant::Resident { pass: PassId::new(p as u32), person: persons[h] }, admits)
                        }
                        0 | 1 => (Entrant::Visitor(visitor("访客", "13500000000")), status != CompoundStatus::Sealed),
                        2 => (Entrant::Vehicle { purpose: "送货".into() }, status != CompoundStatus::Sealed),
                        _ => (Entrant::Delivery, true),
                    };
                    let k = match &entrant { Entrant::Resident { .. } => 0, Entrant::Visitor(_) => 1, Entrant::Vehicle { .. } => 2, Entrant::Delivery => 3 };
                    let got = w.reg.apply(entry(w.gates[g], when, entrant, tenths));
                    prop_assert_eq!(got.is_ok(), expected, "{:?}", got);
                    if expected { m.entries.push((g, on, k, fever)); }
                }
                Step::NextDay => {
                    today = today.succ_opt().expect("a day");
                    w.reg.apply(Command::OpenDay { today }).expect("a day");
                }
            }
        }
        // Counts per status equal a recount, per community and for the whole town, on each day.
        let mut day = feb(1);
        while day <= today {
            for (ci, &community) in w.communities.iter().enumerate() {
                let mut recount = [0u64; 3];
                for c in (ci * 2)..(ci * 2 + 2) {
                    recount[CompoundStatus::ALL.iter().position(|&s| s == m.status(c, day)).expect("a status")] += 1;
                }
                let got = w.reg.status_counts(community, day).expect("counts");
                prop_assert_eq!(CompoundStatus::ALL.map(|s| got.get(s)), recount);
            }
            prop_assert_eq!(w.reg.status_counts(w.reg.root(), day).expect("counts").total(), 4);
            // Entry counts equal a recount, per gate (= per compound) and for the town.
            let mut by_gate: BTreeMap<usize, [u64; 5]> = BTreeMap::new();
            for &(g, on, k, fever) in &m.entries {
                if on == day {
                    let row = by_gate.entry(g).or_default();
                    row[k as usize] += 1;
                    row[4] += u64::from(fever);
                }
            }
            for g in 0..4 {
                let want = by_gate.get(&g).copied().unwrap_or_default();
                for unit in [w.gates[g], w.compounds[g]] {
                    let c = w.reg.entry_counts(unit, day).expect("counts");
                    prop_assert_eq!([c.residents, c.visitors, c.vehicles, c.deliveries, c.escalated + c.follow_ups], want);
                }
            }
            let total: u64 = by_gate.values().map(|r| r[..4].iter().sum::<u64>()).sum();
            prop_assert_eq!(w.reg.entry_counts(w.reg.root(), day).expect("counts").total(), total);
            let listed: u64 = w.reg.entry_counts_by_entrance(day).values().map(EntryCounts::total).sum();
            prop_assert_eq!(listed, total);
            day = day.succ_opt().expect("a day");
        }
        prop_assert!(w.reg.audit().is_empty(), "{:?}", w.reg.audit());
        prop_assert!(Registry::from_snapshot(w.reg.snapshot()).expect("it loads") == w.reg);
    }
}
