//! Bad input: arbitrary strings, numbers, ids and JSON fed to every public constructor,
//! command, event and deserialiser give a typed error or a valid value, never a panic.
//!
//! - Constructors (`LevelScheme::new`, `AdminCode::new`, `NewUnit::with_code`, `DoorLabel::new`,
//!   `ResidentId::parse` / `from_parts`, `Passport::new`, `Name::new`, `Phone::new`,
//!   `Registry::new`) accept exactly what their documentation allows, and what they accept
//!   survives JSON.
//! - Deserialising arbitrary text, arbitrary JSON values and mutated copies of real snapshots,
//!   logs and commands gives `Err` or a valid value; a snapshot that loads keeps every
//!   invariant; a log that replays keeps every invariant, and one that does not names the
//!   refused event.
//! - Commands and events with arbitrary ids, levels, names and dates, applied to a small
//!   registry: `Ok` or `Err`, a refused one changes nothing, the audit stays empty, and every
//!   read with an arbitrary id answers without panicking.
//! - Personal data (names, phones, identity and passport numbers) never appears in an error's
//!   message or in any `Debug` output, whether it was valid or refused.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wangge::colour::{Colour, ColourRule, PersonState, State};
use wangge::grid::{
    AdminCode, Cell, CheckpointKind, CompoundKind, GridError, Level, LevelScheme, LevelSpec, MAX_LEVELS,
    MAX_NAME_CHARS, NewUnit, Overlay, OverlayKind, OverlaysData, Tree, TreeData, Unit, UnitKind,
};
use wangge::people::{
    DoorLabel, Household, IdentityError, MAX_DOOR_CHARS, Marker, Markers, Name, Passport, PeopleError, PersonRecord,
    Phone, PopulationData, ResidentId,
};
use wangge::registry::{Finding, Recolour, ScopeItem};
use wangge::{
    CellId, Command, Counts, Error, Event, HouseholdId, OverlayId, PersonId, Registry, RegistryError, Snapshot, UnitId,
};

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Text of every kind: any Unicode, printable, control characters and odd spaces, long runs,
/// and strings shaped like the valid values (digits, uppercase, phone characters).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC*",
        "[ -~]{0,40}",
        "[\\x00-\\x1f\\x7f\\u{85}\\u{2028}\\u{3000} a-zA-Z0-9_-]{0,12}",
        ".{0,300}",
        "[a-zA-Z0-9_-]{0,40}",
        "[0-9X]{16,19}",
        "[A-Z]{2,4}",
        "[A-Z0-9]{3,22}",
        "[+ 0-9-]{0,24}",
        "[\\u{4e00}-\\u{9fa5}·]{0,70}",
        Just(String::new()),
    ]
}

/// An id number: usually small (near the ids a small registry has), sometimes anything.
fn id() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..24, 1 => any::<u32>(), 1 => Just(u32::MAX)]
}

fn unit_id() -> impl Strategy<Value = UnitId> {
    id().prop_map(UnitId::new)
}

fn household_id() -> impl Strategy<Value = HouseholdId> {
    id().prop_map(HouseholdId::new)
}

fn person_id() -> impl Strategy<Value = PersonId> {
    id().prop_map(PersonId::new)
}

fn overlay_id() -> impl Strategy<Value = OverlayId> {
    prop_oneof![3 => 0u16..4, 1 => any::<u16>()].prop_map(OverlayId::new)
}

fn cell_id() -> impl Strategy<Value = CellId> {
    id().prop_map(CellId::new)
}

fn level() -> impl Strategy<Value = Level> {
    prop_oneof![3 => 0u8..8, 1 => any::<u8>()].prop_map(Level::new)
}

/// Any date chrono can hold, the ends included.
fn date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
        (-95_000_000i32..95_000_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap_or(NaiveDate::MIN)),
        (0i32..1000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(737_400 + d).unwrap_or(NaiveDate::MIN)),
    ]
}

fn unit_kind() -> impl Strategy<Value = UnitKind> {
    prop_oneof![
        Just(UnitKind::Area),
        prop::sample::select(CompoundKind::ALL.to_vec()).prop_map(UnitKind::Compound),
        Just(UnitKind::Building),
        prop::option::of(prop::sample::select(CheckpointKind::ALL.to_vec())).prop_map(UnitKind::Entrance),
        Just(UnitKind::Road),
        Just(UnitKind::Workplace),
    ]
}

fn overlay_kind() -> impl Strategy<Value = OverlayKind> {
    prop::sample::select(vec![OverlayKind::Zone, OverlayKind::Grid, OverlayKind::Other])
}

/// A unit name: mostly plain, sometimes arbitrary text.
fn unit_name() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-z 社区楼院]{1,12}", 1 => text()]
}

fn new_unit() -> impl Strategy<Value = NewUnit> {
    (unit_name(), level(), unit_kind(), prop::option::of("[A-Z0-9]{1,4}")).prop_map(|(name, level, kind, code)| {
        let unit = NewUnit::new(name, level, kind);
        match code {
            Some(code) => unit.clone().with_code(&code).unwrap_or(unit),
            None => unit,
        }
    })
}

fn markers() -> impl Strategy<Value = Markers> {
    prop::collection::vec(prop::sample::select(Marker::ALL.to_vec()), 0..4).prop_map(|m| m.into_iter().collect())
}

/// Personal data the sample registry and the generated records use. Each string is
/// distinctive, so that finding it in an error message or a `Debug` output means it leaked.
const NAMES: [&str; 3] = ["王秘密", "Zhao Qxjv", "阿卜杜拉·秘"];
const PHONES: [&str; 3] = ["13812345678", "+86 371-6123 4567", "0371 66667777"];
const PASSPORTS: [(&str, &str); 3] = [("DEU", "C01X00T47"), ("USA", "QZ8765432"), ("FRA", "17AB99312")];
const RESIDENT_IDS: [&str; 3] = ["11010519491231002X", "440524188001010014", "410105199003071234"];

/// Valid resident identity numbers: the fixed ones (the last made valid) and generated ones.
fn resident_ids() -> Vec<ResidentId> {
    let mut ids: Vec<ResidentId> = RESIDENT_IDS[..2].iter().map(|t| ResidentId::parse(t).expect("valid")).collect();
    let born = NaiveDate::from_ymd_opt(1990, 3, 7).expect("a real date");
    ids.push(ResidentId::from_parts(410_105, born, 123).expect("valid parts"));
    for i in 0..5u16 {
        let born = NaiveDate::from_ymd_opt(1950 + i32::from(i), 6, 1).expect("a real date");
        ids.push(ResidentId::from_parts(410_105, born, 500 + i).expect("valid parts"));
    }
    ids
}

/// Every personal string a record of [`record`] or the sample registry may hold.
fn personal_strings() -> Vec<String> {
    let mut all: Vec<String> = resident_ids().iter().map(ResidentId::reveal).collect();
    all.extend(NAMES.iter().map(|s| (*s).to_owned()));
    all.extend(PHONES.iter().map(|s| (*s).to_owned()));
    all.extend(PASSPORTS.iter().map(|(_, n)| (*n).to_owned()));
    all
}

/// A person record with any mix of the personal data above.
fn record() -> impl Strategy<Value = PersonRecord> {
    (
        prop::option::of(0usize..8),
        prop::option::of(0usize..3),
        prop::option::of(0usize..3),
        prop::option::of(0usize..3),
        markers(),
    )
        .prop_map(|(rid, passport, name, phone, markers)| {
            let mut r = PersonRecord::new().with_markers(markers);
            if let Some(i) = rid {
                r = r.with_resident_id(resident_ids()[i]);
            }
            if let Some(i) = passport {
                r = r.with_passport(Passport::new(PASSPORTS[i].0, PASSPORTS[i].1).expect("valid"));
            }
            if let Some(i) = name {
                r = r.with_name(Name::new(NAMES[i]).expect("valid"));
            }
            if let Some(i) = phone {
                r = r.with_phone(Phone::new(PHONES[i]).expect("valid"));
            }
            r
        })
}

/// A date in February 2020.
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 10).expect("a real date")
}

fn state() -> impl Strategy<Value = State> {
    prop::sample::select(State::ALL.to_vec())
}

fn colour() -> impl Strategy<Value = Colour> {
    prop::sample::select(Colour::BY_SEVERITY.to_vec())
}

fn person_state() -> impl Strategy<Value = PersonState> {
    (state(), date()).prop_map(|(s, d)| PersonState::new(s, d))
}

/// Any complete colour rule: every state mapped to any colour.
fn colour_rule() -> impl Strategy<Value = ColourRule> {
    prop::collection::vec(colour(), State::COUNT).prop_map(|colours| {
        State::ALL.into_iter().zip(colours).fold(ColourRule::zhengzhou_2020(), |r, (s, c)| r.with(s, c))
    })
}

/// Mostly empty (the usual case), sometimes any recolouring at all.
fn recolours() -> impl Strategy<Value = Vec<Recolour>> {
    let one = (household_id(), colour(), colour()).prop_map(|(household, from, to)| Recolour { household, from, to });
    prop_oneof![2 => Just(Vec::new()), 1 => prop::collection::vec(one, 1..3)]
}

fn door() -> impl Strategy<Value = DoorLabel> {
    prop_oneof!["[1-3]-[1-3]0[1-2]", text()].prop_map(|d| DoorLabel::new(&d).unwrap_or_else(|_| door_of("9-909")))
}

fn door_of(label: &str) -> DoorLabel {
    DoorLabel::new(label).expect("a valid door")
}

/// Any command, with ids, levels, names and dates drawn anywhere.
fn command() -> impl Strategy<Value = Command> {
    let units = || prop::collection::vec(unit_id(), 0..4);
    prop_oneof![
        (unit_id(), new_unit()).prop_map(|(parent, unit)| Command::AddUnit { parent, unit }),
        (unit_id(), unit_id()).prop_map(|(unit, new_parent)| Command::MoveUnit { unit, new_parent }),
        (unit_id(), date(), prop::option::of(unit_id())).prop_map(|(unit, on, transfer_to)| Command::CloseUnit {
            unit,
            on,
            transfer_to
        }),
        (unit_name(), overlay_kind()).prop_map(|(name, kind)| Command::CreateOverlay { name, kind }),
        (overlay_id(), unit_name(), units()).prop_map(|(overlay, name, units)| Command::AddCell {
            overlay,
            name,
            units
        }),
        (cell_id(), units()).prop_map(|(cell, units)| Command::ExtendCell { cell, units }),
        (unit_id(), door()).prop_map(|(unit, door)| Command::AddHousehold { unit, door }),
        (household_id(), unit_id()).prop_map(|(household, to)| Command::MoveHousehold { household, to }),
        (household_id(), record(), person_state()).prop_map(|(household, record, state)| Command::RegisterPerson {
            household,
            record,
            state
        }),
        (person_id(), household_id(), date()).prop_map(|(person, to, on)| Command::MovePerson { person, to, on }),
        (person_id(), markers()).prop_map(|(person, markers)| Command::SetMarkers { person, markers }),
        (person_id(), state(), date()).prop_map(|(person, state, on)| Command::SetState { person, state, on }),
        (colour_rule(), date()).prop_map(|(rule, on)| Command::SetColourRule { rule, on }),
    ]
}

/// Any event, with ids, levels, names and dates drawn anywhere.
fn event() -> impl Strategy<Value = Event> {
    let units = || prop::collection::vec(unit_id(), 0..4);
    prop_oneof![
        1 => (scheme_input(), new_unit()).prop_filter_map("an invalid scheme", |((name, specs), root)| {
            LevelScheme::new(name, specs).ok().map(|scheme| Event::Founded { scheme, root })
        }),
        3 => (unit_id(), unit_id(), new_unit())
            .prop_map(|(unit, parent, spec)| Event::UnitAdded { unit, parent, spec }),
        2 => (unit_id(), unit_id(), unit_id()).prop_map(|(unit, from, to)| Event::UnitMoved { unit, from, to }),
        2 => (unit_id(), date(), prop::option::of(unit_id()), prop::collection::vec(household_id(), 0..3)).prop_map(
            |(unit, on, transferred_to, households)| Event::UnitClosed { unit, on, transferred_to, households }
        ),
        1 => (overlay_id(), unit_name(), overlay_kind())
            .prop_map(|(overlay, name, kind)| Event::OverlayCreated { overlay, name, kind }),
        2 => (cell_id(), overlay_id(), unit_name(), units())
            .prop_map(|(cell, overlay, name, units)| Event::CellAdded { cell, overlay, name, units }),
        1 => (cell_id(), units()).prop_map(|(cell, units)| Event::CellExtended { cell, units }),
        2 => (household_id(), unit_id(), door())
            .prop_map(|(household, unit, door)| Event::HouseholdAdded { household, unit, door }),
        2 => (household_id(), unit_id(), unit_id())
            .prop_map(|(household, from, to)| Event::HouseholdMoved { household, from, to }),
        2 => (person_id(), household_id(), record(), person_state(), recolours()).prop_map(
            |(person, household, record, state, recolours)| Event::PersonRegistered {
                person,
                household,
                record,
                state,
                recolours
            }
        ),
        2 => (person_id(), household_id(), household_id(), date(), recolours())
            .prop_map(|(person, from, to, on, recolours)| Event::PersonMoved { person, from, to, on, recolours }),
        1 => (person_id(), markers()).prop_map(|(person, markers)| Event::MarkersSet { person, markers }),
        2 => (person_id(), person_state(), person_state(), recolours())
            .prop_map(|(person, from, to, recolours)| Event::StateChanged { person, from, to, recolours }),
        1 => (colour_rule(), date(), recolours())
            .prop_map(|(rule, on, recolours)| Event::ColourRuleSet { rule, on, recolours }),
    ]
}

/// A scheme's name and levels, anything at all.
fn scheme_input() -> impl Strategy<Value = (String, Vec<LevelSpec>)> {
    let spec = (prop_oneof![3 => "[a-cA-C ]{0,3}", 1 => text()], prop_oneof!["[甲乙丙]{0,1}", text()], any::<bool>())
        .prop_map(|(en, zh, optional)| {
            let spec = LevelSpec::new(en, zh);
            if optional { spec.optional() } else { spec }
        });
    (text(), prop::collection::vec(spec, 0..=MAX_LEVELS + 2))
}

/// Arbitrary JSON.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0u64..40).prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One change to a JSON document: at the `at`-th node (pre-order, modulo the node count),
/// replace it, remove it from its parent array, or duplicate it there; or shift a number.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(prop::sample::Index, Value),
    Remove(prop::sample::Index),
    Duplicate(prop::sample::Index),
    /// Replace a number with a nearby one (an id off by one, a level one deeper ...).
    Nudge(prop::sample::Index, i64),
    /// Replace a node with a copy of another node of the same document (a kind, a code, an id
    /// or a whole unit taken from elsewhere): mostly still readable, often inconsistent.
    Copy(prop::sample::Index, prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let small_json = prop_oneof![
        3 => (0u64..30).prop_map(Value::from),
        1 => any::<u32>().prop_map(Value::from),
        1 => text().prop_map(Value::String),
        1 => json(),
    ];
    prop_oneof![
        2 => (any::<prop::sample::Index>(), small_json).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<prop::sample::Index>().prop_map(Mutation::Remove),
        2 => any::<prop::sample::Index>().prop_map(Mutation::Duplicate),
        8 => (any::<prop::sample::Index>(), prop_oneof![4 => -3i64..=3, 1 => any::<i64>()])
            .prop_map(|(i, d)| Mutation::Nudge(i, d)),
        6 => (any::<prop::sample::Index>(), any::<prop::sample::Index>()).prop_map(|(i, j)| Mutation::Copy(i, j)),
    ]
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Apply `m` to the `target`-th node below `v` (`v` itself is node 0 and is only replaced).
fn mutate(v: &mut Value, m: &Mutation) {
    if let Mutation::Copy(to, from) = m {
        let n = count_nodes(v);
        let mut from = from.index(n);
        let copy = if from == 0 { Some(v.clone()) } else { find_node(v, &mut from) };
        if let Some(copy) = copy {
            mutate(v, &Mutation::Replace(*to, copy));
        }
        return;
    }
    let (index, nudge_only) = match m {
        Mutation::Replace(i, _) | Mutation::Remove(i) | Mutation::Duplicate(i) => (i, false),
        Mutation::Nudge(i, _) => (i, true),
        Mutation::Copy(..) => return,
    };
    if nudge_only {
        // Count numbers only, so that a nudge always lands on one.
        let mut numbers = Vec::new();
        collect_numbers(v, &mut numbers);
        if numbers.is_empty() {
            return;
        }
        let target = numbers[index.index(numbers.len())];
        let Mutation::Nudge(_, d) = m else { return };
        let mut seen = 0;
        nudge(v, target, *d, &mut seen);
        return;
    }
    let n = count_nodes(v);
    let mut target = index.index(n);
    if target == 0 {
        if let Mutation::Replace(_, new) = m {
            *v = new.clone();
        }
        return;
    }
    walk_mutate(v, &mut target, m);
}

/// A copy of the `target`-th node below `v`, counting children in pre-order from 1.
fn find_node(v: &Value, target: &mut usize) -> Option<Value> {
    let children: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => Vec::new(),
    };
    for c in children {
        *target -= 1;
        if *target == 0 {
            return Some(c.clone());
        }
        if let Some(found) = find_node(c, target) {
            return Some(found);
        }
    }
    None
}

fn collect_numbers(v: &Value, out: &mut Vec<usize>) {
    fn go(v: &Value, counter: &mut usize, out: &mut Vec<usize>) {
        if v.is_number() {
            out.push(*counter);
        }
        *counter += 1;
        match v {
            Value::Array(a) => a.iter().for_each(|x| go(x, counter, out)),
            Value::Object(o) => o.values().for_each(|x| go(x, counter, out)),
            _ => {}
        }
    }
    let mut counter = 0;
    go(v, &mut counter, out);
}

fn nudge(v: &mut Value, target: usize, d: i64, seen: &mut usize) -> bool {
    if *seen == target {
        if let Some(n) = v.as_i64() {
            *v = Value::from(n.saturating_add(d));
        } else if let Some(n) = v.as_u64() {
            *v = Value::from(n.saturating_add_signed(d));
        }
        return true;
    }
    *seen += 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| nudge(x, target, d, seen)),
        Value::Object(o) => o.values_mut().any(|x| nudge(x, target, d, seen)),
        _ => false,
    }
}

/// Walk children in pre-order, counting `target` down; act on the child where it reaches 0.
fn walk_mutate(v: &mut Value, target: &mut usize, m: &Mutation) -> bool {
    match v {
        Value::Array(a) => {
            for i in 0..a.len() {
                *target -= 1;
                if *target == 0 {
                    match m {
                        Mutation::Replace(_, new) => a[i] = new.clone(),
                        Mutation::Remove(_) => {
                            a.remove(i);
                        }
                        Mutation::Duplicate(_) => {
                            let copy = a[i].clone();
                            a.insert(i, copy);
                        }
                        Mutation::Nudge(..) | Mutation::Copy(..) => {}
                    }
                    return true;
                }
                if walk_mutate(&mut a[i], target, m) {
                    return true;
                }
            }
            false
        }
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                *target -= 1;
                if *target == 0 {
                    match m {
                        Mutation::Replace(_, new) => {
                            o.insert(k, new.clone());
                        }
                        // Removing a field only makes the document unreadable, but an
                        // optional one (a code, a transfer) may go.
                        Mutation::Remove(_) if o.get(&k).is_some_and(|v| v.is_null() || k == "code") => {
                            o.remove(&k);
                        }
                        Mutation::Remove(_) | Mutation::Duplicate(_) | Mutation::Nudge(..) | Mutation::Copy(..) => {}
                    }
                    return true;
                }
                if walk_mutate(o.get_mut(&k).expect("a listed key"), target, m) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

/// Change one fact of a snapshot in its JSON form, keeping it readable: `what` chooses the
/// fact, `i` and `j` the items.
fn change_fact(v: &mut Value, what: u8, i: prop::sample::Index, j: prop::sample::Index) {
    let len = |v: &Value| v.as_array().map_or(0, Vec::len);
    let (units, households, persons, cells) = (
        len(&v["tree"]["units"]),
        len(&v["population"]["households"]),
        len(&v["population"]["persons"]),
        len(&v["overlays"]["cells"]),
    );
    let (u, w) = (i.index(units), j.index(units));
    match what {
        0 => {
            let closed = &mut v["tree"]["units"][u][1]["closed_on"];
            *closed = if closed.is_null() { Value::from("2020-03-01") } else { Value::Null };
        }
        1 => v["tree"]["units"][u][0] = Value::from(w),
        2 => v["tree"]["units"][u][1]["level"] = Value::from(j.index(6)),
        3 => v["tree"]["units"][u][1]["kind"] = v["tree"]["units"][w][1]["kind"].clone(),
        4 => v["tree"]["units"][u][1]["code"] = v["tree"]["units"][w][1]["code"].clone(),
        5 if households > 0 => v["population"]["households"][i.index(households)][0] = Value::from(w),
        6 if households > 0 => {
            let door = v["population"]["households"][j.index(households)][1].clone();
            v["population"]["households"][i.index(households)][1] = door;
        }
        7 if persons > 0 && households > 0 => {
            v["population"]["persons"][i.index(persons)][0] = Value::from(j.index(households + 1));
        }
        8 if persons > 0 => {
            let record = v["population"]["persons"][j.index(persons)][1].clone();
            v["population"]["persons"][i.index(persons)][1] = record;
        }
        9 if cells > 0 => {
            let cell_units = &mut v["overlays"]["cells"][i.index(cells)]["units"];
            if let Some(list) = cell_units.as_array_mut() {
                list.push(Value::from(w));
            }
        }
        10 => v["format"] = Value::from(j.index(3)),
        11 => v["root"]["kind"] = v["tree"]["units"][w][1]["kind"].clone(),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// The sample registry
// ---------------------------------------------------------------------------------------------

/// A small Zhengzhou sub-district holding one of everything: codes, every kind of unit, a
/// closed unit, an overlay with cells, households, and persons with every kind of personal
/// data; with its log and the commands it was built by. Built once; cases clone it.
struct Sample {
    reg: Registry,
    log: Vec<Event>,
    commands: Vec<Command>,
}

impl Sample {
    fn apply(&mut self, command: Command) -> Event {
        let events = self.reg.apply(command.clone()).expect("the sample is valid");
        self.commands.push(command);
        self.log.extend(events.iter().cloned());
        events[0].clone()
    }

    fn unit(&mut self, parent: UnitId, name: &str, level: &str, kind: UnitKind) -> UnitId {
        let level = self.reg.tree().scheme().level(level).expect("a Zhengzhou level");
        let code = format!("C{}", self.reg.tree().len());
        let unit = NewUnit::new(name, level, kind).with_code(&code).expect("a valid code");
        self.apply(Command::AddUnit { parent, unit }).new_unit().expect("a new unit")
    }
}

fn sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let root = NewUnit::new("花园路街道", Level::new(0), UnitKind::Area).with_code("410105001").expect("a code");
        let reg = Registry::new(LevelScheme::zhengzhou(), root).expect("a valid root");
        let log = vec![reg.founding_event()];
        let mut s = Sample { reg, log, commands: Vec::new() };
        let root = s.reg.root();
        let a = s.unit(root, "农科路社区", "社区", UnitKind::Area);
        let b = s.unit(root, "丰产路社区", "社区", UnitKind::Area);
        let yard = s.unit(a, "3号院", "楼院", UnitKind::Compound(CompoundKind::WorkUnit));
        let open = s.unit(b, "开放小区", "楼院", UnitKind::Compound(CompoundKind::Open));
        let building = s.unit(yard, "1号楼", "楼组", UnitKind::Building);
        s.unit(yard, "南门", "楼组", UnitKind::Entrance(Some(CheckpointKind::WorkUnitCourtyard)));
        s.unit(open, "丰产路", "楼组", UnitKind::Road);
        let old = s.unit(open, "旧楼", "楼组", UnitKind::Building);
        let moving = s.unit(a, "4号院", "楼院", UnitKind::Compound(CompoundKind::Unmanaged));
        s.apply(Command::MoveUnit { unit: moving, new_parent: b });
        let mut households = Vec::new();
        for (unit, d) in [(building, "1-101"), (building, "1-102"), (open, "1-101"), (yard, "门卫室"), (old, "1-1")]
        {
            let h = s.apply(Command::AddHousehold { unit, door: door_of(d) }).new_household().expect("a household");
            households.push(h);
        }
        let on = NaiveDate::from_ymd_opt(2020, 2, 1).expect("a real date");
        s.apply(Command::CloseUnit { unit: old, on, transfer_to: Some(b) });
        s.apply(Command::MoveHousehold { household: households[3], to: moving });
        let ids = resident_ids();
        for i in 0..3 {
            let record = PersonRecord::new()
                .with_resident_id(ids[i])
                .with_passport(Passport::new(PASSPORTS[i].0, PASSPORTS[i].1).expect("valid"))
                .with_name(Name::new(NAMES[i]).expect("valid"))
                .with_phone(Phone::new(PHONES[i]).expect("valid"))
                .with_marker(Marker::ALL[i]);
            s.apply(Command::RegisterPerson { household: households[i], record, state: PersonState::well(on) });
        }
        let nobody = s.apply(Command::RegisterPerson {
            household: households[0],
            record: PersonRecord::new(),
            state: PersonState::well(on),
        });
        let nobody = nobody.new_person().expect("a person");
        s.apply(Command::MovePerson { person: nobody, to: households[4], on });
        let first = PersonId::new(0);
        s.apply(Command::SetState { person: first, state: State::HomeIsolationEpidemicArea, on });
        s.apply(Command::SetState { person: nobody, state: State::CloseContact, on });
        s.apply(Command::SetMarkers { person: nobody, markers: Markers::from(Marker::ElderlyLivingAlone) });
        let zones = s.apply(Command::CreateOverlay { name: "片区".to_owned(), kind: OverlayKind::Zone });
        let zones = zones.new_overlay().expect("an overlay");
        let first = s.apply(Command::AddCell { overlay: zones, name: "一片".to_owned(), units: vec![a] });
        s.apply(Command::AddCell { overlay: zones, name: "二片".to_owned(), units: vec![open] });
        s.apply(Command::ExtendCell { cell: first.new_cell().expect("a cell"), units: vec![moving] });
        s.apply(Command::CreateOverlay { name: "网格".to_owned(), kind: OverlayKind::Grid });
        assert!(s.reg.audit().is_empty());
        assert!(Registry::replay(&s.log).expect("the sample log replays") == s.reg);
        s
    })
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// `value` survives a trip through JSON unchanged.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("a valid value serialises");
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(&back, value);
}

/// `text` (personal data) does not appear in `shown`.
fn assert_hidden(text: &str, shown: &str, what: &str) {
    assert!(!shown.contains(text), "{what} shows personal data: {shown}");
}

/// No personal string of the sample or the generated records appears in `shown`.
fn assert_no_personal_data(shown: &str, what: &str) {
    for p in personal_strings() {
        assert_hidden(&p, shown, what);
    }
}

/// An error's message and `Debug` carry no personal data, and it survives JSON.
fn check_error(error: &Error) {
    assert_no_personal_data(&error.to_string(), "an error message");
    assert_no_personal_data(&format!("{error:?}"), "an error's Debug");
    let back: Error =
        serde_json::from_str(&serde_json::to_string(error).expect("an error serialises")).expect("an error reads back");
    assert_eq!(&back, error);
}

/// Apply `command` to `reg`: a refused one leaves it unchanged, the audit stays empty.
fn apply_checked(reg: &mut Registry, command: Command) -> Result<Vec<Event>, Error> {
    let before = reg.clone();
    let result = reg.apply(command);
    match &result {
        Ok(events) => assert!(!events.is_empty(), "an accepted command became no event"),
        Err(e) => {
            check_error(e);
            assert!(*reg == before, "a refused command changed the registry: {e}");
        }
    }
    let findings = reg.audit();
    assert!(findings.is_empty(), "audit findings: {findings:?}");
    result
}

/// Apply `event` to `reg`: a refused one leaves it unchanged, the audit stays empty.
fn apply_event_checked(reg: &mut Registry, event: &Event) -> Result<(), Error> {
    let before = reg.clone();
    let result = reg.apply_event(event);
    if let Err(e) = &result {
        check_error(e);
        assert!(*reg == before, "a refused event changed the registry: {e}");
    }
    let findings = reg.audit();
    assert!(findings.is_empty(), "audit findings: {findings:?}");
    result
}

/// Replay `log`: either a registry that keeps every invariant (and replays from its own
/// snapshot), or [`RegistryError::Replay`] naming an event of the log.
fn replay_checked(log: &[Event]) -> Result<Registry, Error> {
    match Registry::replay(log) {
        Ok(reg) => {
            let findings = reg.audit();
            assert!(findings.is_empty(), "a replayed log breaks invariants: {findings:?}");
            let again = Registry::from_snapshot(reg.snapshot()).expect("a replayed registry's snapshot loads");
            assert_eq!(again.snapshot(), reg.snapshot());
            Ok(reg)
        }
        Err(e) => {
            check_error(&e);
            match &e {
                Error::Registry(RegistryError::Replay { index, .. }) => {
                    assert!(*index < log.len().max(1), "the refused event {index} is not in a log of {}", log.len());
                }
                other => panic!("a refused replay must name its event: {other:?}"),
            }
            Err(e)
        }
    }
}

/// A loaded snapshot keeps every invariant, gives itself back, and its founding event founds
/// the same root.
fn check_loaded(reg: &Registry) {
    let findings = reg.audit();
    assert!(findings.is_empty(), "a loaded snapshot breaks invariants: {findings:?}");
    let tree = reg.tree();
    for u in tree.ids() {
        let unit = tree.unit(u).expect("listed");
        let mut doors: Vec<&DoorLabel> =
            reg.population().households_at(u).iter().map(|&h| reg.household(h).expect("listed").door()).collect();
        let listed = doors.len();
        doors.sort();
        doors.dedup();
        assert_eq!(doors.len(), listed, "a loaded snapshot has two households at {u} with one door");
        if let Some(p) = tree.parent(u).expect("listed") {
            let parent = tree.unit(p).expect("a parent");
            assert!(parent.is_open() || !unit.is_open(), "a loaded snapshot has open {u} under closed {p}");
            assert!(parent.kind().holds_residents(), "a loaded snapshot has {u} under {p}, which holds no units");
        } else {
            assert_eq!(u, tree.root(), "a loaded snapshot has a second root");
            assert!(unit.is_open(), "a loaded snapshot has a closed root");
        }
    }
    let again = Registry::from_snapshot(reg.snapshot()).expect("a loaded registry's snapshot loads");
    assert_eq!(again.snapshot(), reg.snapshot());
    let founded = Registry::replay(&[reg.founding_event()])
        .unwrap_or_else(|e| panic!("the founding event of a loaded registry does not replay: {e}"));
    let (root, tree) = (founded.tree().unit(founded.root()).expect("a root"), reg.tree());
    assert_eq!(root, tree.unit(tree.root()).expect("a root"), "the founding event founds another root");
    assert_eq!(founded.tree().scheme(), tree.scheme());
}

/// Arbitrary ids of every table, for reads.
#[derive(Debug, Clone, Copy)]
struct Ids {
    u: UnitId,
    v: UnitId,
    h: HouseholdId,
    p: PersonId,
    o: OverlayId,
    c: CellId,
    l: Level,
}

fn ids() -> impl Strategy<Value = Ids> {
    (unit_id(), unit_id(), household_id(), person_id(), overlay_id(), cell_id(), level())
        .prop_map(|(u, v, h, p, o, c, l)| Ids { u, v, h, p, o, c, l })
}

/// Every read of `reg` with arbitrary ids answers without panicking; unknown ids are errors.
fn read_everything(reg: &Registry, ids: Ids) {
    let Ids { u, v, h, p, o, c, l } = ids;
    let tree = reg.tree();
    let known = tree.contains(u);
    assert_eq!(tree.check(u).is_ok(), known);
    assert_eq!(tree.unit(u).is_ok(), known);
    assert_eq!(tree.parent(u).is_ok(), known);
    assert_eq!(tree.children(u).is_ok(), known);
    assert_eq!(tree.level(u).is_ok(), known);
    assert_eq!(tree.depth(u).is_ok(), known);
    assert_eq!(tree.ancestor_at(u, l).is_ok(), known);
    assert_eq!(tree.ancestors(u).map(Iterator::count).is_ok(), known);
    assert_eq!(tree.subtree(u).map(Iterator::count).is_ok(), known);
    assert_eq!(tree.descendants(u).map(Iterator::count).is_ok(), known);
    assert_eq!(tree.is_within(u, v).is_ok(), known && tree.contains(v));
    assert_eq!(tree.lowest_common_ancestor(u, v).is_ok(), known && tree.contains(v));
    assert_eq!(
        tree.check_holds_households(u).is_ok(),
        known && tree.unit(u).is_ok_and(|x| x.is_open() && x.kind().holds_residents())
    );
    let _ = tree.check_close(u);
    let _ = tree.check_move(u, v);
    let _ = tree.scheme().may_nest(l, Level::new(u.get() as u8));
    let _ = (tree.scheme().spec(l), tree.scheme().contains(l));
    assert_eq!(reg.counts(u).is_ok(), known);
    assert_eq!(reg.households_within(u).map(Iterator::count).is_ok(), known);
    assert_eq!(reg.household(h).is_ok(), h.index() < reg.population().household_count());
    assert_eq!(reg.person(p).is_ok(), p.index() < reg.population().person_count());
    let _ = reg.population().households_at(u);
    assert_eq!(reg.cell_of(o, h).is_ok(), reg.household(h).is_ok() && reg.overlays().overlay(o).is_ok());
    assert_eq!(reg.households_in_cell(c).is_ok(), reg.overlays().cell(c).is_ok());
    assert_eq!(reg.coverage(o).is_ok(), o.index() < reg.overlays().len());
    assert_eq!(reg.is_complete(o).is_ok(), o.index() < reg.overlays().len());
    let _ = reg.overlays().cell_of(tree, o, u);
    let _ = reg.overlays().check_move(tree, u, v);
    for roots in [vec![], vec![u], vec![u, v], vec![v, u, u]] {
        match reg.scope(&roots) {
            Ok(scope) => {
                assert!(roots.iter().all(|&r| tree.contains(r)) && !roots.is_empty());
                let _ = (scope.units().count(), scope.households().count(), scope.persons().count(), scope.totals());
                let _ = (scope.unit(v), scope.parent(v), scope.children(v), scope.ancestors(v), scope.counts(v));
                let _ =
                    (scope.household(h), scope.person(p), scope.households_at(v), scope.lowest_common_ancestor(u, v));
                let _ = scope.subtree(v).map(Iterator::count);
            }
            Err(e) => {
                check_error(&e);
                assert!(roots.is_empty() || roots.iter().any(|&r| !tree.contains(r)), "scope refused: {e}");
            }
        }
    }
}

fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { default.cases } else { cases },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/bad_input.txt"))),
        ..default
    }
}

/// Deserialise `json` as every public type; whatever reads back must be valid. Returns how
/// many types accepted it (for the tests' own sanity).
fn deserialise_everything(json: &str) -> usize {
    fn try_read<T: DeserializeOwned>(json: &str, accepted: &mut usize) -> Option<T> {
        let read = serde_json::from_str::<T>(json).ok();
        *accepted += usize::from(read.is_some());
        read
    }
    fn round<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(json: &str, accepted: &mut usize) {
        if let Some(value) = try_read::<T>(json, accepted) {
            let again: T = serde_json::from_str(&serde_json::to_string(&value).expect("serialises"))
                .expect("what was read reads back");
            assert_eq!(again, value);
        }
    }
    let mut n = 0;
    if let Some(reg) = try_read::<Registry>(json, &mut n) {
        check_loaded(&reg);
    }
    if let Some(snapshot) = try_read::<Snapshot>(json, &mut n)
        && let Ok(reg) = Registry::from_snapshot(snapshot)
    {
        check_loaded(&reg);
    }
    if let Some(events) = try_read::<Vec<Event>>(json, &mut n) {
        let _ = replay_checked(&events);
    }
    if let Some(scheme) = try_read::<LevelScheme>(json, &mut n) {
        let levels: Vec<LevelSpec> = scheme.levels().map(|(_, s)| s.clone()).collect();
        assert_eq!(LevelScheme::new(scheme.name(), levels).as_ref(), Ok(&scheme), "an invalid scheme was read");
    }
    if let Some(tree) = try_read::<Tree>(json, &mut n) {
        assert!(tree.len() >= 1);
    }
    if let Some(name) = try_read::<Name>(json, &mut n) {
        assert_eq!(Name::new(name.reveal()).as_ref(), Ok(&name), "an invalid name was read");
    }
    if let Some(phone) = try_read::<Phone>(json, &mut n) {
        assert_eq!(Phone::new(phone.reveal()).as_ref(), Ok(&phone), "an invalid phone was read");
    }
    if let Some(p) = try_read::<Passport>(json, &mut n) {
        assert_eq!(Passport::new(p.country(), p.reveal_number()).as_ref(), Ok(&p), "an invalid passport was read");
    }
    if let Some(id) = try_read::<ResidentId>(json, &mut n) {
        assert_eq!(ResidentId::parse(&id.reveal()), Ok(id));
    }
    if let Some(code) = try_read::<AdminCode>(json, &mut n) {
        assert_eq!(AdminCode::new(code.as_str()).as_ref(), Ok(&code), "an invalid code was read");
    }
    if let Some(door) = try_read::<DoorLabel>(json, &mut n) {
        assert_eq!(DoorLabel::new(door.as_str()).as_ref(), Ok(&door), "an invalid door was read");
    }
    round::<Command>(json, &mut n);
    round::<Event>(json, &mut n);
    round::<NewUnit>(json, &mut n);
    round::<Unit>(json, &mut n);
    round::<UnitKind>(json, &mut n);
    round::<Level>(json, &mut n);
    round::<LevelSpec>(json, &mut n);
    round::<TreeData>(json, &mut n);
    round::<OverlaysData>(json, &mut n);
    round::<Overlay>(json, &mut n);
    round::<Cell>(json, &mut n);
    round::<PopulationData>(json, &mut n);
    round::<Household>(json, &mut n);
    round::<PersonRecord>(json, &mut n);
    round::<Markers>(json, &mut n);
    round::<Marker>(json, &mut n);
    round::<Counts>(json, &mut n);
    round::<Error>(json, &mut n);
    round::<Finding>(json, &mut n);
    round::<ScopeItem>(json, &mut n);
    round::<UnitId>(json, &mut n);
    round::<HouseholdId>(json, &mut n);
    round::<PersonId>(json, &mut n);
    round::<OverlayId>(json, &mut n);
    round::<CellId>(json, &mut n);
    n
}

// ---------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------

/// A name as units and overlays allow it.
fn unit_name_ok(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control)
}

proptest! {
    #![proptest_config(config(512))]

    /// A scheme is accepted exactly when it has 1 to 16 levels, every English name is not
    /// blank and unique ignoring case, and Chinese names are unique where given.
    #[test]
    fn level_schemes_are_validated((name, specs) in scheme_input(), probe in text(), a in level(), b in level()) {
        let valid = !specs.is_empty()
            && specs.len() <= MAX_LEVELS
            && specs.iter().all(|s| !s.name().trim().is_empty())
            && specs.iter().enumerate().all(|(i, s)| {
                specs[..i].iter().all(|e| {
                    !e.name().eq_ignore_ascii_case(s.name()) && (s.name_zh().is_empty() || e.name_zh() != s.name_zh())
                })
            });
        match LevelScheme::new(name.clone(), specs.clone()) {
            Ok(scheme) => {
                assert!(valid, "an invalid scheme was accepted");
                assert_eq!(scheme.len(), specs.len());
                assert_eq!(scheme.name(), name.as_str());
                let back: LevelScheme = serde_json::from_str(&serde_json::to_string(&scheme).expect("serialises"))
                    .expect("reads back");
                assert_eq!(&back, &scheme);
                for (level, spec) in scheme.levels() {
                    assert_eq!(scheme.spec(level), Some(spec));
                    assert!(scheme.level(spec.name()).is_some());
                }
                let _ = (scheme.level(&probe), scheme.may_nest(a, b), scheme.spec(a), scheme.contains(b));
                assert!(!scheme.may_nest(a, b) || (b > a && scheme.contains(b)));
                match scheme.clone().under_city_and_district() {
                    Ok(under) => assert_eq!(under.len(), scheme.len() + 2),
                    Err(e) => assert!(matches!(e, GridError::InvalidScheme { .. })),
                }
                let _ = scheme.clone().under(vec![LevelSpec::new(probe.clone(), probe.clone())]);
                // A registry in any valid scheme, with a root of any level and kind.
                let kind = if a.index() % 2 == 0 { UnitKind::Area } else { UnitKind::Road };
                let root = NewUnit::new(probe.clone(), a, kind);
                match Registry::new(scheme.clone(), root) {
                    Ok(reg) => {
                        assert!(unit_name_ok(&probe) && scheme.contains(a) && kind.holds_residents());
                        assert!(reg.audit().is_empty());
                        assert!(Registry::replay(&[reg.founding_event()]).expect("replays") == reg);
                    }
                    Err(e) => {
                        check_error(&e);
                        assert!(!(unit_name_ok(&probe) && scheme.contains(a) && kind.holds_residents()));
                    }
                }
            }
            Err(e) => {
                assert!(!valid, "a valid scheme was refused: {}", e);
                assert!(matches!(e, GridError::InvalidScheme { .. }));
            }
        }
    }

    /// Unit codes and door labels accept exactly what they document.
    #[test]
    fn codes_and_doors_are_validated(s in text()) {
        let code_ok = !s.is_empty()
            && s.len() <= 32
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        match AdminCode::new(&s) {
            Ok(code) => {
                assert!(code_ok);
                assert_eq!(code.as_str(), s.as_str());
                assert_eq!(code.to_string(), s.clone());
            }
            Err(GridError::InvalidCode { code }) => {
                assert!(!code_ok);
                assert_eq!(code, s.chars().take(40).collect::<String>());
            }
            Err(e) => panic!("unexpected error {e}"),
        }
        let unit = NewUnit::new("x", Level::new(0), UnitKind::Area);
        assert_eq!(unit.with_code(&s).is_ok(), code_ok);
        let as_json = serde_json::to_string(&s).expect("a string serialises");
        assert_eq!(serde_json::from_str::<AdminCode>(&as_json).is_ok(), code_ok);

        let chars = s.chars().count();
        let door_ok = !s.trim().is_empty() && chars <= MAX_DOOR_CHARS && !s.chars().any(char::is_control);
        match DoorLabel::new(&s) {
            Ok(door) => {
                assert!(door_ok);
                assert_eq!(door.as_str(), s.as_str());
            }
            Err(PeopleError::InvalidDoor { chars: c, max }) => {
                assert!(!door_ok);
                assert_eq!((c, max), (chars, MAX_DOOR_CHARS));
            }
            Err(e) => panic!("unexpected error {e}"),
        }
        assert_eq!(serde_json::from_str::<DoorLabel>(&as_json).is_ok(), door_ok);
    }

    /// Resident identity numbers: any text parses or gives a typed error that does not quote
    /// it; what parses reveals the same text. Any parts build a number or a typed error.
    #[test]
    fn resident_ids_never_panic(
        s in text(),
        digits in "[1-9][0-9]{16}[0-9X]",
        area in any::<u32>(),
        born in date(),
        seq in any::<u16>(),
    ) {
        for t in [&s, &digits] {
            match ResidentId::parse(t) {
                Ok(id) => assert_eq!(&id.reveal(), t),
                Err(e) => {
                    if t.chars().count() >= 8 {
                        assert_hidden(t, &e.to_string(), "a resident id error");
                        assert_hidden(t, &format!("{e:?}"), "a resident id error's Debug");
                        assert_hidden(t, &Error::from(e.clone()).to_string(), "a resident id error");
                    }
                    let as_json = serde_json::to_string(t).expect("a string serialises");
                    let serde_error = serde_json::from_str::<ResidentId>(&as_json).expect_err("refused by serde too");
                    if t.chars().count() >= 8 {
                        assert_hidden(t, &serde_error.to_string(), "a serde error of a resident id");
                    }
                }
            }
        }
        match ResidentId::from_parts(area, born, seq) {
            Ok(id) => {
                assert_eq!(ResidentId::parse(&id.reveal()), Ok(id));
                assert_eq!((id.area_code(), id.birth_date(), id.sequence()), (area, born, seq));
                assert!(!format!("{id:?}").contains(&id.reveal()));
            }
            Err(e) => assert!(matches!(
                e,
                IdentityError::InvalidAreaCode | IdentityError::InvalidBirthDate | IdentityError::InvalidSequence
            )),
        }
    }

    /// Names, phones and passports: any text gives a valid value or a typed error; neither the
    /// error nor any `Debug` output quotes what was given.
    #[test]
    fn personal_data_is_validated_and_never_shown(s in text(), country in text(), long_digits in "[0-9]{21,40}") {
        // A sentinel the messages could not contain by chance.
        let marked = format!("秘{s}密");
        for t in [s.clone(), marked.clone()] {
            match Name::new(&t) {
                Ok(name) => {
                    assert_eq!(name.reveal(), t.trim());
                    assert!(name.reveal().chars().count() <= Name::MAX_CHARS);
                    assert!(!format!("{name:?}").contains('秘'), "a name's Debug shows it");
                    round_trip(&name);
                }
                Err(e) => {
                    assert!(!e.to_string().contains('秘') && !format!("{e:?}").contains('秘'));
                    let as_json = serde_json::to_string(&t).expect("a string serialises");
                    let serde_error = serde_json::from_str::<Name>(&as_json).expect_err("refused by serde too");
                    assert!(!serde_error.to_string().contains('秘'), "{}", serde_error);
                }
            }
            match Phone::new(&t) {
                Ok(phone) => {
                    assert_eq!(phone.reveal(), t.trim());
                    assert!(!format!("{phone:?}").contains(|c: char| c.is_ascii_digit()), "a phone's Debug shows it");
                    round_trip(&phone);
                }
                Err(e) => {
                    assert!(!e.to_string().contains('秘'));
                    let as_json = serde_json::to_string(&t).expect("a string serialises");
                    assert!(serde_json::from_str::<Phone>(&as_json).is_err());
                }
            }
            match Passport::new(&country, &t) {
                Ok(p) => {
                    assert_eq!((p.country(), p.reveal_number()), (country.as_str(), t.as_str()));
                    assert!(!format!("{p:?}").contains(p.reveal_number()), "a passport's Debug shows its number");
                    round_trip(&p);
                }
                Err(e) => assert!(!e.to_string().contains('秘') && !format!("{e:?}").contains('秘')),
            }
        }
        // Too long to be valid, too long to be found in a message by chance.
        let e = Phone::new(&long_digits).expect_err("too long");
        assert_hidden(&long_digits, &e.to_string(), "a phone error");
        let e = Passport::new("DEU", &long_digits).expect_err("too long");
        assert_hidden(&long_digits, &e.to_string(), "a passport error");
        let json = format!(r#"{{"country":"DEU","number":"{long_digits}"}}"#);
        let e = serde_json::from_str::<Passport>(&json).expect_err("too long");
        assert_hidden(&long_digits, &e.to_string(), "a serde error of a passport");
        let e = serde_json::from_str::<PersonRecord>(&format!(r#"{{"phone":"{long_digits}"}}"#)).expect_err("too long");
        assert_hidden(&long_digits, &e.to_string(), "a serde error of a record");
    }
}

// ---------------------------------------------------------------------------------------------
// Deserialising
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary text and arbitrary JSON read as every public type give `Err` or a valid value.
    #[test]
    fn arbitrary_json_never_panics(s in text(), value in json()) {
        deserialise_everything(&s);
        deserialise_everything(&value.to_string());
    }

    /// Mutated copies of a real snapshot: refused, or loaded into a registry that keeps every
    /// invariant.
    #[test]
    fn mutated_snapshots_never_panic(mutations in prop::collection::vec(mutation(), 1..3)) {
        let reg = &sample().reg;
        let mut value = serde_json::to_value(reg.snapshot()).expect("a snapshot serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(snapshot) = serde_json::from_value::<Snapshot>(value.clone()) {
            match Registry::from_snapshot(snapshot) {
                Ok(loaded) => check_loaded(&loaded),
                Err(e) => check_error(&e),
            }
        }
        if let Ok(loaded) = serde_json::from_value::<Registry>(value) {
            check_loaded(&loaded);
        }
    }

    /// Snapshots with one fact changed (a unit closed or reopened, re-parented, re-levelled,
    /// re-kinded or given another's code; a household moved or given another's door; a person
    /// moved or given another's identity number; a cell given another unit; the format):
    /// refused, or loaded into a registry that keeps every invariant.
    #[test]
    fn snapshots_with_one_fact_changed_load_only_when_sound(
        changes in prop::collection::vec((0u8..12, any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..3),
    ) {
        let reg = &sample().reg;
        let mut v = serde_json::to_value(reg.snapshot()).expect("a snapshot serialises");
        for (what, i, j) in changes {
            change_fact(&mut v, what, i, j);
        }
        let snapshot: Snapshot = serde_json::from_value(v).expect("a changed fact keeps the snapshot readable");
        match Registry::from_snapshot(snapshot) {
            Ok(loaded) => check_loaded(&loaded),
            Err(e) => check_error(&e),
        }
    }

    /// Mutated copies of a real log: replayed into a registry that keeps every invariant, or
    /// refused naming the event.
    #[test]
    fn mutated_logs_never_panic(mutations in prop::collection::vec(mutation(), 1..3)) {
        let log = &sample().log;
        let mut value = serde_json::to_value(log).expect("a log serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(events) = serde_json::from_value::<Vec<Event>>(value) {
            let _ = replay_checked(&events);
        }
    }

    /// Mutated copies of real commands, applied to the sample: `Ok` or `Err`, a refused one
    /// changes nothing, the audit stays empty.
    #[test]
    fn mutated_commands_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..3),
    ) {
        let s = sample();
        let mut value = serde_json::to_value(&s.commands[which.index(s.commands.len())]).expect("a command serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(command) = serde_json::from_value::<Command>(value) {
            let mut reg = s.reg.clone();
            let _ = apply_checked(&mut reg, command);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands, events and reads with arbitrary ids
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    /// Commands with arbitrary ids, levels, names and dates: `Ok` or a typed error, never a
    /// panic; a refused one changes nothing; the audit stays empty; the log still replays.
    #[test]
    fn arbitrary_commands_never_panic(commands in prop::collection::vec(command(), 1..12)) {
        let s = sample();
        let mut reg = s.reg.clone();
        let mut log = s.log.clone();
        for command in commands {
            assert_no_personal_data(&format!("{command:?}"), "a command's Debug");
            if let Ok(events) = apply_checked(&mut reg, command) {
                for e in &events {
                    assert_no_personal_data(&format!("{e:?}"), "an event's Debug");
                }
                log.extend(events);
            }
        }
        assert_no_personal_data(&format!("{reg:?}"), "a registry's Debug");
        let replayed = replay_checked(&log).expect("the log of accepted commands replays");
        assert!(replayed == reg);
    }

    /// Events with arbitrary ids, levels, names and dates, one by one and as a log: `Ok` or a
    /// typed error; a refused event changes nothing; a refused log names its event.
    #[test]
    fn arbitrary_events_never_panic(events in prop::collection::vec(event(), 1..12), founded_first in any::<bool>()) {
        let s = sample();
        let sample_log = &s.log;
        let mut reg = s.reg.clone();
        for e in &events {
            let refused = apply_event_checked(&mut reg, e).is_err();
            assert!(refused || !matches!(e, Event::Founded { .. }), "a second founding event was accepted");
        }
        let mut log = sample_log.clone();
        log.extend(events.iter().cloned());
        match replay_checked(&log) {
            Ok(replayed) => assert!(replayed == reg, "replaying the log and applying its events disagree"),
            Err(Error::Registry(RegistryError::Replay { index, .. })) => {
                assert!(index >= sample_log.len(), "the valid part of the log was refused at {}", index);
            }
            Err(e) => panic!("{e}"),
        }
        // A log that does not begin with its founding event, or is empty, is refused at 0.
        let log: Vec<Event> = if founded_first { events.clone() } else { Vec::new() };
        if !matches!(log.first(), Some(Event::Founded { .. })) {
            let e = Registry::replay(&log).expect_err("no founding event");
            assert!(matches!(e, Error::Registry(RegistryError::Replay { index: 0, .. })));
        } else {
            let _ = replay_checked(&log);
        }
    }

    /// Every read with arbitrary ids answers, unknown ids as errors, never a panic.
    #[test]
    fn arbitrary_reads_never_panic(ids in ids(), code in text(), probe in 0usize..8) {
        let reg = &sample().reg;
        read_everything(reg, ids);
        let u = ids.u;
        let _ = reg.tree().find_by_code(&code);
        let _ = reg.overlays().find(&code);
        let rid = resident_ids()[probe];
        let _ = reg.population().find_resident(&rid);
        if let Ok(scope) = reg.scope(&[u]) {
            let _ = scope.find_by_code(&code);
            match scope.find_resident(&rid) {
                Ok(_) => {}
                Err(e) => {
                    check_error(&e);
                    assert!(matches!(e, Error::Registry(RegistryError::OutsideScope { item: ScopeItem::Person(_) })));
                }
            }
        }
    }
}

/// The sample itself: its personal data is in it, but no `Debug`, error or finding shows it.
#[test]
fn the_sample_holds_personal_data_and_hides_it() {
    let (reg, log) = (&sample().reg, &sample().log);
    let records: Vec<PersonRecord> = reg.population().persons().map(|(_, p)| p.record()).collect();
    assert!(
        records.iter().filter(|r| r.name().is_some() && r.phone().is_some() && r.passport().is_some()).count() >= 3
    );
    assert_no_personal_data(&format!("{reg:?}"), "the registry's Debug");
    assert_no_personal_data(&format!("{log:?}"), "the log's Debug");
    assert_no_personal_data(&format!("{:?}", reg.snapshot()), "a snapshot's Debug");
    assert_no_personal_data(&format!("{records:?}"), "records' Debug");
    for (_, p) in reg.population().persons() {
        assert_no_personal_data(&format!("{p:?}"), "a person's Debug");
    }
    // Nor does any courtyard map, in any rendering.
    for u in reg.tree().ids() {
        let map = reg.map(u, day()).expect("a known unit");
        for (text, what) in
            [(map.to_svg(), "an SVG map"), (map.to_text(), "a text map"), (map.to_ansi(), "an ANSI map")]
        {
            assert_no_personal_data(&text, what);
        }
        assert_no_personal_data(&format!("{map:?} {}", reg.tally(u).expect("a known unit")), "a map's Debug");
    }
    // ... while JSON, the persistence, carries it in full.
    let json = serde_json::to_string(log).expect("the log serialises");
    assert!(personal_strings().iter().filter(|p| json.contains(p.as_str())).count() >= 9);
    // Refusals that concern personal data name ids, never the data.
    let mut reg = reg.clone();
    let again = records[0].clone();
    let e = reg
        .apply(Command::RegisterPerson {
            household: HouseholdId::new(1),
            record: again,
            state: PersonState::well(day()),
        })
        .expect_err("duplicate");
    check_error(&e);
    let e = reg
        .apply(Command::RegisterPerson {
            household: HouseholdId::new(1),
            record: PersonRecord::new().with_passport(records[1].passport().expect("a passport").clone()),
            state: PersonState::well(day()),
        })
        .expect_err("duplicate passport");
    check_error(&e);
}

/// Regression: a snapshot whose founding root (`Snapshot::root`) has another kind or code than
/// the root of its tree is loaded, and the loaded registry's founding event then founds
/// another root, or none at all (a road cannot be a root). It must be refused.
#[test]
fn a_snapshot_whose_founding_root_differs_from_its_tree_is_refused() {
    let reg = &sample().reg;
    for (field, value) in [
        ("kind", serde_json::json!("Road")),
        ("kind", serde_json::json!("Building")),
        ("code", serde_json::json!("X9")),
    ] {
        let mut json = serde_json::to_value(reg.snapshot()).expect("a snapshot serialises");
        json["root"][field] = value;
        let snapshot: Snapshot = serde_json::from_value(json).expect("a readable snapshot");
        match Registry::from_snapshot(snapshot) {
            Err(e) => check_error(&e),
            Ok(loaded) => {
                let founded = Registry::replay(&[loaded.founding_event()]);
                panic!(
                    "a snapshot whose root {field} differs from its tree's was loaded; its founding event {}",
                    match founded {
                        Ok(f) if f.tree().unit(f.root()).ok() == reg.tree().unit(reg.root()).ok() =>
                            "founds the same root".to_owned(),
                        Ok(f) => format!("founds another root: {:?}", f.tree().unit(f.root()).ok()),
                        Err(e) => format!("is refused: {e}"),
                    }
                );
            }
        }
    }
}
