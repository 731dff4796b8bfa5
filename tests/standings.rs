//! The registry stores standings (issue 16 §5, format 7): property tests against models
//! written here.
//!
//! - **(a) Colours and tallies.** For any sequence of `RegisterPerson`, `SetState`,
//!   `SetMeasure`, `MovePerson` and `SetColourRule` over a small street (two buildings of
//!   households), every household's colour is the most severe of its members' colours by a
//!   rule table kept here (seed 003 by reason, or the format-6 table with centralised
//!   isolation red), every command is refused exactly when the model says (the documented
//!   measure that follows a reason, the table of `State::may_become`, a confirmed case leaving
//!   only from a site), and every unit's tally (households and persons per colour, persons per
//!   reason and per measure) equals a recount over the tree.
//! - **(b) Format 6.** A log of format 6 written here by hand (its states as format 6 wrote
//!   them, `{"state": .., "since": ..}`, centralised isolation among them, and its recolours
//!   computed by the format-6 model: the format-6 table over the format-6 states) replays
//!   through the upgrade into a registry whose every household has the colour the format-6
//!   model gives, whose colour rule is the format-6 rule, and whose persons in centralised
//!   isolation keep the reason they had before (present and well when they had none).
//! - **(c) The audit.** A snapshot with an absent person under a measure, or an active case
//!   whose person's standing is not the category's in its phase, is refused on load.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{Colour, Measure, PersonState, StandingRule, State};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::registry::{Digest, Record};
use wangge::{Command, Event, HouseholdId, PersonId, Registry, Snapshot, UnitId};

fn config(cases: u32) -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/standings.txt", cases)
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a date") + chrono::Days::new(u64::from(d))
}

const REASONS: [State; 8] = [
    State::Well,
    State::Absent,
    State::HomeIsolationElsewhere,
    State::HomeIsolationEpidemicArea,
    State::SecondaryContact,
    State::CloseContact,
    State::Suspected,
    State::Confirmed,
];

const MEASURES: [Measure; 4] =
    [Measure::None, Measure::HealthManagement, Measure::HomeIsolation, Measure::CentralisedIsolation];

/// The table of `State::may_become` (its documentation), rows `from`, columns `to`, in
/// [`REASONS`] order: W A E P S C Q F.
const TABLE: [&str; 8] = [
    "-XXXXXXX", // well
    "X-XXXXXX", // absent
    "X--XXXXX", // home isolation (elsewhere)
    "X---XXXX", // home isolation (epidemic area)
    "X----XXX", // secondary contact: well, close contact, a case
    "X-----XX", // close contact: well, a case
    "X----X-X", // suspected: well (ruled out), close contact, confirmed
    "X-------", // confirmed: well, and only from a site (below)
];

fn index(s: State) -> usize {
    REASONS.iter().position(|&r| r == s).expect("a reason")
}

fn reason_may_become(from: State, to: State) -> bool {
    TABLE[index(from)].as_bytes()[index(to)] == b'X'
}

/// A naive standing: (reason, measure).
type Naive = (State, Measure);

/// The model of `SetState`: the measure that follows, `None` when refused.
fn set_reason(from: Naive, to: State) -> Option<Naive> {
    if to == from.0 {
        return None;
    }
    let measure = match to {
        State::Well | State::Absent => Measure::None,
        State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea if from.1 != Measure::CentralisedIsolation => {
            Measure::HomeIsolation
        }
        _ => from.1,
    };
    // At a site, any reason but absent (format 6's centralised isolation); a confirmed case
    // leaves only from a site.
    let allowed = if from.1 == Measure::CentralisedIsolation {
        to != State::Absent
    } else {
        from.0 != State::Confirmed && reason_may_become(from.0, to)
    };
    (allowed && (to != State::Absent || measure == Measure::None)).then_some((to, measure))
}

/// The model of `SetMeasure`.
fn set_measure(from: Naive, to: Measure) -> Option<Naive> {
    (to != from.1 && from.0 != State::Absent).then_some((from.0, to))
}

/// The measure a reason brings when registered.
fn brought(reason: State) -> Measure {
    match reason {
        State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea => Measure::HomeIsolation,
        _ => Measure::None,
    }
}

/// The rule tables, by hand: 0 is seed 003 by reason (red for confirmed, suspected and close
/// contacts; orange for the epidemic area and secondary contacts; yellow for elsewhere; green
/// for well; white for absent), 1 the format-6 rule (secondary contacts and anyone at a site
/// red).
fn colour(rule: u8, (reason, measure): Naive) -> Colour {
    if rule == 1 && measure == Measure::CentralisedIsolation {
        return Colour::Red;
    }
    match reason {
        State::Confirmed | State::Suspected | State::CloseContact => Colour::Red,
        State::SecondaryContact if rule == 1 => Colour::Red,
        State::HomeIsolationEpidemicArea | State::SecondaryContact => Colour::Orange,
        State::HomeIsolationElsewhere => Colour::Yellow,
        State::Well => Colour::Green,
        State::Absent => Colour::White,
    }
}

fn rank(c: Colour) -> u8 {
    match c {
        Colour::White => 0,
        Colour::Green => 1,
        Colour::Yellow => 2,
        Colour::Orange => 3,
        Colour::Red => 4,
    }
}

fn rule_of(rule: u8) -> StandingRule {
    if rule == 1 { StandingRule::zhengzhou_2020_format_6() } else { StandingRule::zhengzhou_2020() }
}

/// A street with two buildings, three households in each.
struct Street {
    reg: Registry,
    buildings: [UnitId; 2],
    households: Vec<HouseholdId>,
}

fn street() -> Street {
    let levels = LevelScheme::zhengzhou();
    let mut reg = Registry::new(
        levels.clone(),
        NewUnit::new("花园路街道", levels.level("街道").expect("a level"), UnitKind::Area),
    )
    .expect("a registry");
    let root = reg.root();
    let mut units = Vec::new();
    for name in ["1号楼", "2号楼"] {
        let level = levels.level("社区").expect("a level");
        let e = reg.apply(Command::AddUnit { parent: root, unit: NewUnit::new(name, level, UnitKind::Area) });
        units.push(e.expect("a unit")[0].new_unit().expect("a unit"));
    }
    let mut households = Vec::new();
    for (i, &u) in units.iter().enumerate() {
        for d in 0..3 {
            let door = DoorLabel::new(&format!("{}-{}01", i + 1, d + 1)).expect("a door");
            households.push(
                reg.apply(Command::AddHousehold { unit: u, door }).expect("added")[0]
                    .new_household()
                    .expect("a household"),
            );
        }
    }
    Street { reg, buildings: [units[0], units[1]], households }
}

#[derive(Debug, Clone)]
enum Op {
    Register { household: usize, reason: usize },
    SetState { person: usize, reason: usize },
    SetMeasure { person: usize, measure: usize },
    Move { person: usize, household: usize },
    Rule { rule: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..6, 0usize..8).prop_map(|(household, reason)| Op::Register { household, reason }),
        4 => (0usize..16, 0usize..8).prop_map(|(person, reason)| Op::SetState { person, reason }),
        3 => (0usize..16, 0usize..4).prop_map(|(person, measure)| Op::SetMeasure { person, measure }),
        1 => (0usize..16, 0usize..6).prop_map(|(person, household)| Op::Move { person, household }),
        1 => (0u8..2).prop_map(|rule| Op::Rule { rule }),
    ]
}

/// The model: each person's household and standing, and the rule in force.
struct Model {
    persons: Vec<(usize, Naive)>,
    rule: u8,
}

impl Model {
    fn household_colour(&self, h: usize) -> Colour {
        self.persons
            .iter()
            .filter(|(at, _)| *at == h)
            .map(|&(_, s)| colour(self.rule, s))
            .max_by_key(|&c| rank(c))
            .unwrap_or(Colour::White)
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// (a) Every person's colour, every household's colour and every unit's tally, colours
    /// and measures, equal the model's recount after every command.
    #[test]
    fn colours_and_tallies_follow_standings(ops in prop::collection::vec(op(), 1..40)) {
        let mut s = street();
        let mut m = Model { persons: Vec::new(), rule: 0 };
        for (step, op) in ops.into_iter().enumerate() {
            let on = day(step as u32);
            match op {
                Op::Register { household, reason } => {
                    let reason = REASONS[reason];
                    let state = PersonState::new(reason, on);
                    let e = s.reg.apply(Command::RegisterPerson { household: s.households[household], record: PersonRecord::new(), state });
                    prop_assert!(e.is_ok(), "{e:?}");
                    m.persons.push((household, (reason, brought(reason))));
                }
                Op::SetState { person, reason } if person < m.persons.len() => {
                    let want = set_reason(m.persons[person].1, REASONS[reason]);
                    let got = s.reg.apply(Command::SetState { person: PersonId::new(person as u32), state: REASONS[reason], on });
                    prop_assert_eq!(got.is_ok(), want.is_some(), "step {}: {:?} -> {:?}: {:?}", step, m.persons[person].1, REASONS[reason], got);
                    if let Some(w) = want { m.persons[person].1 = w; }
                }
                Op::SetMeasure { person, measure } if person < m.persons.len() => {
                    let want = set_measure(m.persons[person].1, MEASURES[measure]);
                    let got = s.reg.apply(Command::SetMeasure { person: PersonId::new(person as u32), measure: MEASURES[measure], on });
                    prop_assert_eq!(got.is_ok(), want.is_some(), "step {}: {:?} under {:?}: {:?}", step, m.persons[person].1, MEASURES[measure], got);
                    if let Some(w) = want { m.persons[person].1 = w; }
                }
                Op::Move { person, household } if person < m.persons.len() => {
                    let got = s.reg.apply(Command::MovePerson { person: PersonId::new(person as u32), to: s.households[household], on });
                    prop_assert!(got.is_ok(), "{got:?}");
                    m.persons[person].0 = household;
                }
                Op::Rule { rule } => {
                    s.reg.apply(Command::SetColourRule { rule: rule_of(rule), on }).expect("a rule is never refused");
                    m.rule = rule;
                }
                _ => {}
            }
            // Every person's standing and every household's colour.
            for (i, &(h, standing)) in m.persons.iter().enumerate() {
                let got = s.reg.standing(PersonId::new(i as u32)).expect("a person");
                prop_assert_eq!((got.reason(), got.measure()), standing, "step {}: person {}", step, i);
                prop_assert_eq!(s.reg.population().person(PersonId::new(i as u32)).expect("a person").household(), s.households[h]);
            }
            for (h, &id) in s.households.iter().enumerate() {
                prop_assert_eq!(s.reg.colour(id).expect("a household"), m.household_colour(h), "step {}: household {}", step, h);
            }
            // Every unit's tally: a recount of the model over the households inside it.
            let root = s.reg.root();
            for (unit, inside) in [(root, vec![0, 1, 2, 3, 4, 5]), (s.buildings[0], vec![0, 1, 2]), (s.buildings[1], vec![3, 4, 5])] {
                let t = s.reg.tally(unit).expect("a unit");
                let measures = s.reg.measures(unit).expect("a unit");
                for c in [Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red] {
                    let households = inside.iter().filter(|&&h| m.household_colour(h) == c).count() as u64;
                    let persons = m.persons.iter().filter(|(h, _)| inside.contains(h) && m.household_colour(*h) == c).count() as u64;
                    prop_assert_eq!((t.households(c), t.persons(c)), (households, persons), "step {}: {:?}", step, c);
                }
                for r in REASONS {
                    let n = m.persons.iter().filter(|(h, s)| inside.contains(h) && s.0 == r).count() as u64;
                    prop_assert_eq!(t.in_state(r), n, "step {}: {:?}", step, r);
                }
                for me in MEASURES {
                    let n = m.persons.iter().filter(|(h, s)| inside.contains(h) && s.1 == me).count() as u64;
                    prop_assert_eq!((t.under(me), measures.get(me)), (n, n), "step {}: {:?}", step, me);
                }
            }
        }
        prop_assert!(s.reg.audit().is_empty(), "{:?}", s.reg.audit());
        // The snapshot and the log give the same registry.
        let json = serde_json::to_string(&s.reg).expect("it serialises");
        let back = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).expect("it reads")).expect("it loads");
        prop_assert!(back == s.reg);
    }
}

// ---------------------------------------------------------------------------------------------
// (b) A format-6 log, written by hand
// ---------------------------------------------------------------------------------------------

/// A state of format 6: a reason, or centralised isolation (`None`).
type V6 = Option<State>;

fn v6_name(s: V6) -> String {
    match s {
        None => "CentralisedIsolation".to_owned(),
        Some(r) => format!("{r:?}"),
    }
}

/// The format-6 rule over format-6 states: centralised isolation and secondary contacts red.
fn v6_colour(s: V6) -> Colour {
    match s {
        None => Colour::Red,
        Some(r) => colour(1, (r, Measure::None)),
    }
}

/// The format-6 table of `State::may_become` (format 6's documentation), rows `from`,
/// columns `to`: W A E P I S C Q F, `I` centralised isolation.
const V6_TABLE: [&str; 9] = [
    "-XXXXXXXX", // well
    "X-XXXXXXX", // absent
    "X--XXXXXX", // home isolation (elsewhere)
    "X---XXXXX", // home isolation (epidemic area)
    "X-XX-XXXX", // centralised isolation
    "X---X-XXX", // secondary contact
    "X---X--XX", // close contact
    "X---X-X-X", // suspected
    "----X----", // confirmed
];

fn v6_index(s: V6) -> usize {
    match s {
        None => 4,
        Some(r) => {
            let i = index(r);
            if i >= 4 { i + 1 } else { i }
        }
    }
}

fn v6_may_become(from: V6, to: V6) -> bool {
    V6_TABLE[v6_index(from)].as_bytes()[v6_index(to)] == b'X'
}

#[derive(Debug, Clone)]
enum V6Op {
    Register { household: usize, state: usize },
    Set { person: usize, state: usize },
}

fn v6_op() -> impl Strategy<Value = V6Op> {
    prop_oneof![
        1 => (0usize..6, 0usize..9).prop_map(|(household, state)| V6Op::Register { household, state }),
        3 => (0usize..12, 0usize..9).prop_map(|(person, state)| V6Op::Set { person, state }),
    ]
}

fn v6_state(i: usize) -> V6 {
    if i == 8 { None } else { Some(REASONS[i]) }
}

proptest! {
    #![proptest_config(config(64))]

    /// (b) A format-6 log replays through the upgrade to the colours the format-6 model gives,
    /// under the format-6 rule, with each centralised isolation's reason derived from the
    /// state before it.
    #[test]
    fn a_format_6_log_keeps_its_colours(ops in prop::collection::vec(v6_op(), 1..30)) {
        let s = street();
        // The format-6 log of the street: its founding record says format 6.
        let mut lines: Vec<serde_json::Value> = Vec::new();
        let Event::Founded { scheme, root, .. } = s.reg.founding_event() else { unreachable!("a founding event") };
        let founding_v6 = Record::new(&Digest::GENESIS, 0, None, None, vec![Event::Founded { format: 6, scheme, root }]);
        lines.push(serde_json::to_value(&founding_v6).expect("a record"));
        // The street's commands on a format-6 founding: they hold no state, so format 6 wrote
        // them as this build does, digests and all.
        let mut v7 = Registry::replay_records(&[serde_json::from_value::<Record>(lines[0].clone()).expect("a record")])
            .expect("a founding record of format 6 reads");
        prop_assert_eq!(v7.colour_rule(), &StandingRule::zhengzhou_2020_format_6());
        let levels = LevelScheme::zhengzhou();
        let mut households = Vec::new();
        let mut buildings = Vec::new();
        for name in ["1号楼", "2号楼"] {
            let level = levels.level("社区").expect("a level");
            let e = v7.execute(Command::AddUnit { parent: v7.root(), unit: NewUnit::new(name, level, UnitKind::Area) }, None).expect("a unit");
            let record = e.record().expect("a record").clone();
            buildings.push(record.events()[0].new_unit().expect("a unit"));
            lines.push(serde_json::to_value(&record).expect("a record"));
        }
        for (i, &u) in buildings.iter().enumerate() {
            for d in 0..3 {
                let door = DoorLabel::new(&format!("{}-{}01", i + 1, d + 1)).expect("a door");
                let e = v7.execute(Command::AddHousehold { unit: u, door }, None).expect("added");
                let record = e.record().expect("a record").clone();
                households.push(record.events()[0].new_household().expect("a household"));
                lines.push(serde_json::to_value(&record).expect("a record"));
            }
        }
        // The format-6 model: each person's household and format-6 state, and the colours.
        let mut persons: Vec<(usize, V6, NaiveDate)> = Vec::new();
        let mut colours = [Colour::White; 6];
        let colour_of = |persons: &[(usize, V6, NaiveDate)], h: usize| {
            persons.iter().filter(|p| p.0 == h).map(|p| v6_colour(p.1)).max_by_key(|&c| rank(c)).unwrap_or(Colour::White)
        };
        // The reason the upgrade is to derive for each person (the model of `from_format_6`).
        let mut derived: Vec<State> = Vec::new();
        let mut position = lines.len() as u64 - 1;
        for (step, op) in ops.into_iter().enumerate() {
            let on = day(step as u32).format("%Y-%m-%d").to_string();
            let (event, h) = match op {
                V6Op::Register { household, state } => {
                    let state = v6_state(state);
                    let person = persons.len();
                    persons.push((household, state, day(step as u32)));
                    derived.push(state.unwrap_or(State::Well));
                    let event = serde_json::json!({"PersonRegistered": {
                        "person": person, "household": household, "record": {},
                        "state": {"state": v6_name(state), "since": on}, "recolours": []}});
                    (event, household)
                }
                V6Op::Set { person, state } if person < persons.len() => {
                    let (h, from, since) = persons[person];
                    let to = v6_state(state);
                    if !v6_may_become(from, to) {
                        continue;
                    }
                    persons[person] = (h, to, day(step as u32));
                    // Into centralised isolation: the reason before, present and well from
                    // well or absent (nothing to derive).
                    derived[person] = match (from, to) {
                        (_, Some(r)) => r,
                        (Some(State::Absent | State::Well), None) => State::Well,
                        (Some(r), None) => r,
                        (None, None) => derived[person],
                    };
                    let event = serde_json::json!({"StateChanged": {
                        "person": person,
                        "from": {"state": v6_name(from), "since": since.format("%Y-%m-%d").to_string()},
                        "to": {"state": v6_name(to), "since": on}, "recolours": []}});
                    (event, h)
                }
                _ => continue,
            };
            let now = colour_of(&persons, h);
            let mut event = event;
            if now != colours[h] {
                let recolour = serde_json::json!([{"household": h, "from": format!("{:?}", colours[h]), "to": format!("{now:?}")}]);
                let body = event.as_object_mut().expect("an event").values_mut().next().expect("a body");
                body["recolours"] = recolour;
                colours[h] = now;
            }
            position += 1;
            // Format 6's digest is over its own JSON: any value this build does not compute.
            lines.push(serde_json::json!({"position": position, "request": null, "round": null,
                "events": [event], "digest": format!("{position:064x}")}));
        }
        let records: Vec<Record> = lines.iter().map(|l| serde_json::from_value(l.clone()).expect("a format-6 record reads")).collect();
        let reg = Registry::replay_records(&records);
        prop_assert!(reg.is_ok(), "{:?}", reg.err());
        let reg = reg.expect("replayed");
        prop_assert_eq!(reg.colour_rule(), &StandingRule::zhengzhou_2020_format_6());
        for (h, &id) in households.iter().enumerate() {
            prop_assert_eq!(reg.colour(id).expect("a household"), colour_of(&persons, h), "household {}", h);
        }
        for (i, &(_, state, since)) in persons.iter().enumerate() {
            let got = reg.state(PersonId::new(i as u32)).expect("a person");
            prop_assert_eq!(got.since(), since);
            match state {
                None => prop_assert_eq!((got.state(), got.measure()), (derived[i], Measure::CentralisedIsolation), "person {}", i),
                Some(r) => prop_assert_eq!((got.state(), got.measure()), (r, brought(r)), "person {}", i),
            }
        }
        prop_assert!(reg.audit().is_empty(), "{:?}", reg.audit());
    }
}

// ---------------------------------------------------------------------------------------------
// (c) The audit
// ---------------------------------------------------------------------------------------------

/// A snapshot with an impossible standing is refused: an absent person under a measure (its
/// state does not read), and an active case whose person is not under its phase's measure.
#[test]
fn a_snapshot_with_an_impossible_standing_is_refused() {
    let mut s = street();
    let household = s.households[0];
    let person = s
        .reg
        .apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(day(0)) })
        .expect("registered")[0]
        .new_person()
        .expect("a person");
    let mut json = serde_json::to_value(s.reg.snapshot()).expect("a snapshot");
    json["states"][0] =
        serde_json::json!({"reason": "Absent", "measure": "CentralisedIsolation", "since": "2020-02-01"});
    assert!(serde_json::from_value::<Snapshot>(json).is_err(), "an absent person under a measure");

    let policy = s
        .reg
        .apply(Command::AdoptPolicy { policy: wangge::quarantine::Policy::cn_ed9_close_contact() })
        .expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    s.reg.apply(Command::OpenDay { today: day(1) }).expect("a day");
    s.reg
        .apply(Command::StartCase {
            person,
            policy,
            category: wangge::quarantine::Category::CloseContact,
            anchor: day(1),
            on: day(1),
            linked: None,
        })
        .expect("a case");
    let st = s.reg.standing(person).expect("a person");
    assert_eq!((st.reason(), st.measure()), (State::CloseContact, Measure::CentralisedIsolation));
    let good = serde_json::to_value(s.reg.snapshot()).expect("a snapshot");
    assert!(Registry::from_snapshot(serde_json::from_value::<Snapshot>(good.clone()).expect("reads")).is_ok());
    for (reason, measure) in
        [("CloseContact", "HomeIsolation"), ("Well", "CentralisedIsolation"), ("CloseContact", "None")]
    {
        let mut json = good.clone();
        json["states"][0]["reason"] = reason.into();
        json["states"][0]["measure"] = measure.into();
        let snapshot = serde_json::from_value::<Snapshot>(json).expect("it reads");
        let err = Registry::from_snapshot(snapshot).expect_err("the audit refuses it");
        assert!(err.to_string().contains("active but its person is"), "{reason} {measure}: {err}");
    }
}
