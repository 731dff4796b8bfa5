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

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use wangge::colour::{Colour, ColourRule, Measure, PersonState, State};
use wangge::duty::{
    Assignment, Availability, DutyError, Locality, Qualification, Qualifications, Role, Roster, RosterProblem, Rule,
    Scheme, SchemeBuilder, Slot, Solution, Staff, Target, TargetSelector, Unfilled, UnitClass,
};
use wangge::grid::{
    AdminCode, Cell, CheckpointKind, CompoundKind, GridError, Level, LevelScheme, LevelSpec, MAX_LEVELS,
    MAX_NAME_CHARS, NewUnit, Overlay, OverlayKind, OverlaysData, Tree, TreeData, Unit, UnitKind,
};
use wangge::people::{
    DoorLabel, Household, IdentityError, MAX_DOOR_CHARS, Marker, Markers, Name, Passport, PeopleError, PersonRecord,
    Phone, PopulationData, ResidentId,
};
use wangge::quarantine::{
    Agenda, AgendaItem, Anchor, Case, CaseError, CaseStatus, Category, DayCounting, DayRecord, Ending, Item, Link,
    LinkProblem, LinkedRelease, Phase, Policy, PolicyBuilder, QuarantineError, Release, ReviewReason, Setting,
    Temperature, TestResult,
};
use wangge::registry::{
    Coverage, Finding, Gap, Recolour, Responsible, RosterCause, ScopeItem, StaffLoad, StateChange, Subject,
};
use wangge::{
    CaseId, CellId, Command, Counts, Error, Event, HouseholdId, OverlayId, PersonId, PolicyId, Registry, RegistryError,
    SchemeId, Snapshot, StaffId, UnitId,
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

/// A staff id: usually near the staff a small registry has, sometimes anything.
fn staff_id() -> impl Strategy<Value = StaffId> {
    prop_oneof![6 => 0u32..12, 1 => any::<u32>(), 1 => Just(u32::MAX)].prop_map(StaffId::new)
}

/// A scheme id: usually near the schemes a small registry has, sometimes anything.
fn scheme_id() -> impl Strategy<Value = SchemeId> {
    prop_oneof![6 => 0u16..7, 1 => any::<u16>()].prop_map(SchemeId::new)
}

fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => unit_id().prop_map(Target::Unit),
        1 => cell_id().prop_map(Target::Cell),
        2 => person_id().prop_map(Target::Person),
    ]
}

fn assignment() -> impl Strategy<Value = Assignment> {
    (target(), role(), staff_id()).prop_map(|(target, role, staff)| Assignment { target, role, staff })
}

fn qualifications() -> impl Strategy<Value = Qualifications> {
    any::<u16>().prop_map(|bits| Qualification::ALL.into_iter().filter(|q| bits & (1 << *q as u16) != 0).collect())
}

/// A staff member: a personal name of the fixtures or any valid one, any qualifications, any
/// home, any load limit (0 becomes 1), bounds in any order (reversed ones dropped).
fn staff() -> impl Strategy<Value = Staff> {
    let name = prop_oneof![2 => (0usize..3).prop_map(|i| NAMES[i].to_owned()), 1 => text()];
    (name, qualifications(), unit_id(), any::<u16>(), prop::option::of(date()), prop::option::of(date())).prop_map(
        |(name, q, home, limit, from, until)| {
            let name = Name::new(&name).unwrap_or_else(|_| Name::new(NAMES[0]).expect("valid"));
            let member = Staff::new(name, q, home, limit.max(1)).expect("a limit of at least 1");
            member.clone().available(from, until).unwrap_or(member)
        },
    )
}

fn locality() -> impl Strategy<Value = Locality> {
    prop_oneof![
        Just(Locality::Anywhere),
        Just(Locality::WithinTarget),
        Just(Locality::HomeCovers),
        level().prop_map(Locality::SameAncestorAt),
    ]
}

fn selector() -> impl Strategy<Value = TargetSelector> {
    let class = prop::sample::select(vec![
        UnitClass::Area,
        UnitClass::Compound,
        UnitClass::Building,
        UnitClass::Entrance,
        UnitClass::Road,
        UnitClass::Workplace,
    ]);
    prop_oneof![
        level().prop_map(TargetSelector::UnitsAtLevel),
        class.prop_map(TargetSelector::UnitsOfKind),
        overlay_id().prop_map(TargetSelector::CellsOf),
        prop::collection::vec(state(), 0..3).prop_map(TargetSelector::PersonsIn),
    ]
}

/// The parts of a scheme, anything at all.
fn scheme_builder() -> impl Strategy<Value = SchemeBuilder> {
    let slot = (role(), prop_oneof![4 => 1u8..3, 1 => any::<u8>()], locality())
        .prop_map(|(role, count, locality)| Slot::new(role, count, locality));
    let rule = (selector(), prop::collection::vec(slot, 0..4)).prop_map(|(t, slots)| Rule::new(t, slots));
    (
        prop_oneof![3 => "[a-z_]{1,12}", 1 => text()],
        prop_oneof![3 => Just(String::new()), 1 => text()],
        prop::collection::vec(rule, 0..3),
    )
        .prop_map(|(name, source, rules)| Scheme::builder(name, rules).source(source))
}

/// A scheme: a preset (any levels, any overlay) or any valid parts.
fn scheme() -> impl Strategy<Value = Scheme> {
    let preset =
        (0u8..5, level(), level(), prop::option::of(level()), overlay_id()).prop_map(|(which, a, b, c, overlay)| {
            match which {
                0 => Scheme::six_cover_one(a, b, c).unwrap_or_else(|_| Scheme::two_plus_three()),
                1 => Scheme::two_plus_three(),
                2 => Scheme::three_heads(a, b).unwrap_or_else(|_| Scheme::two_plus_three()),
                3 => Scheme::zone_leaders(overlay),
                _ => Scheme::screening_teams(),
            }
        });
    prop_oneof![2 => preset, 1 => scheme_builder().prop_filter_map("an invalid scheme", |b| b.build().ok())]
}

fn roster_cause() -> impl Strategy<Value = RosterCause> {
    prop_oneof![
        Just(RosterCause::Assign),
        Just(RosterCause::Unassign),
        Just(RosterCause::Solve),
        Just(RosterCause::SolveBalanced),
        staff_id().prop_map(|leaving| RosterCause::Replace { leaving }),
    ]
}

/// Any responsibility command, with ids, targets, roles and dates drawn anywhere.
fn duty_command() -> BoxedStrategy<Command> {
    let bound = || prop::option::of(date());
    prop_oneof![
        1 => staff().prop_map(|staff| Command::AddStaff { staff }),
        1 => (staff_id(), bound(), bound())
            .prop_map(|(staff, from, until)| Command::SetAvailability { staff, availability: Availability::from_bounds(from, until) }),
        1 => scheme().prop_map(|scheme| Command::AdoptScheme { scheme }),
        3 => (scheme_id(), target(), role(), staff_id(), date())
            .prop_map(|(scheme, target, role, staff, on)| Command::Assign { scheme, target, role, staff, on }),
        2 => (scheme_id(), target(), role(), staff_id(), date())
            .prop_map(|(scheme, target, role, staff, on)| Command::Unassign { scheme, target, role, staff, on }),
        2 => (scheme_id(), date(), any::<bool>()).prop_map(|(scheme, on, balanced)| Command::Solve { scheme, on, balanced }),
        1 => (scheme_id(), staff_id(), date()).prop_map(|(scheme, leaving, on)| Command::Replace { scheme, leaving, on }),
    ]
    .boxed()
}

/// Any responsibility event, with ids, targets, roles and dates drawn anywhere.
fn duty_event() -> BoxedStrategy<Event> {
    let bound = || prop::option::of(date());
    let assignments = || prop_oneof![2 => Just(Vec::new()), 2 => prop::collection::vec(assignment(), 1..2), 1 => prop::collection::vec(assignment(), 0..4)];
    prop_oneof![
        1 => (staff_id(), staff()).prop_map(|(staff, spec)| Event::StaffAdded { staff, spec }),
        1 => (staff_id(), bound(), bound()).prop_map(|(staff, from, until)| Event::AvailabilitySet { staff, from, until }),
        1 => (scheme_id(), scheme()).prop_map(|(scheme, spec)| Event::SchemeAdopted { scheme, spec }),
        4 => (scheme_id(), date(), roster_cause(), assignments(), assignments()).prop_map(
            |(scheme, on, cause, removed, added)| Event::Rostered { scheme, on, cause, removed, added }
        ),
    ]
    .boxed()
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
        duty_command(),
    ]
}

/// Any event, with ids, levels, names and dates drawn anywhere.
fn event() -> impl Strategy<Value = Event> {
    let units = || prop::collection::vec(unit_id(), 0..4);
    prop_oneof![
        1 => (scheme_input(), new_unit()).prop_filter_map("an invalid scheme", |((name, specs), root)| {
            LevelScheme::new(name, specs).ok().map(|scheme| Event::Founded { format: wangge::registry::FORMAT_VERSION, scheme, root })
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
        3 => duty_event(),
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
    proptest_config::persisted("proptest-regressions/bad_input.txt", cases)
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
    round::<CaseId>(json, &mut n);
    round::<PolicyId>(json, &mut n);
    round::<Policy>(json, &mut n);
    round::<PolicyBuilder>(json, &mut n);
    round::<Phase>(json, &mut n);
    round::<LinkedRelease>(json, &mut n);
    round::<Temperature>(json, &mut n);
    round::<Category>(json, &mut n);
    round::<Case>(json, &mut n);
    round::<CaseStatus>(json, &mut n);
    round::<DayRecord>(json, &mut n);
    round::<ReviewReason>(json, &mut n);
    round::<Agenda>(json, &mut n);
    round::<AgendaItem>(json, &mut n);
    round::<Item>(json, &mut n);
    round::<CaseError>(json, &mut n);
    round::<QuarantineError>(json, &mut n);
    round::<StateChange>(json, &mut n);
    round::<StaffId>(json, &mut n);
    round::<SchemeId>(json, &mut n);
    round::<Role>(json, &mut n);
    round::<Qualification>(json, &mut n);
    round::<Qualifications>(json, &mut n);
    round::<Target>(json, &mut n);
    round::<Assignment>(json, &mut n);
    round::<Roster>(json, &mut n);
    round::<RosterProblem>(json, &mut n);
    round::<DutyError>(json, &mut n);
    round::<Slot>(json, &mut n);
    round::<Rule>(json, &mut n);
    round::<TargetSelector>(json, &mut n);
    round::<Locality>(json, &mut n);
    round::<SchemeBuilder>(json, &mut n);
    round::<Solution>(json, &mut n);
    round::<Unfilled>(json, &mut n);
    round::<Coverage>(json, &mut n);
    round::<Gap>(json, &mut n);
    round::<StaffLoad>(json, &mut n);
    round::<Responsible>(json, &mut n);
    round::<RosterCause>(json, &mut n);
    round::<Subject>(json, &mut n);
    if let Some(scheme) = try_read::<Scheme>(json, &mut n) {
        assert_eq!(scheme.to_builder().build().as_ref(), Ok(&scheme), "an invalid scheme was read");
        round::<Scheme>(json, &mut n);
    }
    if let Some(member) = try_read::<Staff>(json, &mut n) {
        let again = Staff::new(member.name().clone(), member.qualifications(), member.home(), member.load_limit())
            .and_then(|m| m.available(member.available_from(), member.available_until()));
        assert_eq!(again.as_ref(), Ok(&member), "an invalid staff member was read");
        assert_no_personal_data(&format!("{member:?}"), "a staff member's Debug");
        round::<Staff>(json, &mut n);
    }
    if let Some(policy) = try_read::<Policy>(json, &mut n) {
        assert_eq!(policy.to_builder().build().as_ref(), Ok(&policy), "an invalid policy was read");
    }
    if let Some(t) = try_read::<Temperature>(json, &mut n) {
        assert_eq!(Temperature::from_tenths(t.tenths()), Ok(t), "an invalid temperature was read");
    }
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
            // Found through the scope exactly when found and inside.
            let found = reg.tree().find_by_code(&code).filter(|&c| scope.contains(c));
            assert_eq!(scope.find_by_code(&code), found);
            let found = reg.population().find_resident(&rid).filter(|&p| scope.person(p).is_ok());
            assert_eq!(scope.find_resident(&rid), found);
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

// ---------------------------------------------------------------------------------------------
// Isolation cases: hostile commands, events and JSON
// ---------------------------------------------------------------------------------------------

/// Like [`config`], but failures are not written to the shared regressions file: the case
/// properties shrink and report in the test output.
fn case_config(cases: u32) -> ProptestConfig {
    ProptestConfig { failure_persistence: None, ..config(cases) }
}

fn case_id() -> impl Strategy<Value = CaseId> {
    prop_oneof![4 => 0u32..8, 1 => any::<u32>(), 1 => Just(u32::MAX)].prop_map(CaseId::new)
}

fn policy_id() -> impl Strategy<Value = PolicyId> {
    prop_oneof![6 => 0u16..6, 1 => 0u16..9, 1 => any::<u16>()].prop_map(PolicyId::new)
}

/// A person of the case sample (0..=7 exist), sometimes anyone.
fn case_person() -> impl Strategy<Value = PersonId> {
    prop_oneof![8 => 0u32..9, 1 => any::<u32>()].prop_map(PersonId::new)
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX)
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// A date for the case commands: mostly around the sample's February 2020 (so that cases
/// start, restart and end), sometimes at or near either end of the calendar, sometimes any.
fn case_date() -> BoxedStrategy<NaiveDate> {
    let jan15 = NaiveDate::from_ymd_opt(2020, 1, 15).expect("a real date");
    prop_oneof![
        8 => (0u64..80).prop_map(move |d| plus(jan15, d)),
        1 => Just(NaiveDate::MIN),
        1 => Just(NaiveDate::MAX),
        1 => (0u64..400).prop_map(|d| minus(NaiveDate::MAX, d)),
        1 => (0u64..400).prop_map(|d| plus(NaiveDate::MIN, d)),
        1 => date(),
    ]
    .boxed()
}

/// An anchor and a date of the command: independent, or the anchor up to 30 days before.
fn anchor_and_on() -> BoxedStrategy<(NaiveDate, NaiveDate)> {
    prop_oneof![
        1 => (case_date(), case_date()),
        3 => (case_date(), 0u64..16).prop_map(|(on, back)| (minus(on, back), on)),
    ]
    .boxed()
}

fn case_time() -> BoxedStrategy<NaiveDateTime> {
    (case_date(), 0u32..86_400)
        .prop_map(|(d, s)| {
            d.and_time(NaiveTime::from_num_seconds_from_midnight_opt(s, 0).expect("a second of the day"))
        })
        .boxed()
}

/// A temperature, often at the bounds and the two fever thresholds.
fn temperature() -> BoxedStrategy<Temperature> {
    prop_oneof![
        prop::sample::select(vec![300u16, 301, 372, 373, 379, 380, 449, 450]),
        Temperature::MIN_TENTHS..=Temperature::MAX_TENTHS,
    ]
    .prop_map(|t| Temperature::from_tenths(t).expect("within the bounds"))
    .boxed()
}

fn category() -> impl Strategy<Value = Category> {
    prop::sample::select(Category::ALL.to_vec())
}

fn test_result() -> impl Strategy<Value = TestResult> {
    prop::sample::select(vec![TestResult::Negative, TestResult::Positive])
}

fn setting() -> impl Strategy<Value = Setting> {
    prop::sample::select(Setting::ALL.to_vec())
}

/// A policy: a preset, or a host's own with any phases and settings (a name from a small pool,
/// so that names clash); parts that do not build give a preset.
fn case_policy() -> BoxedStrategy<Policy> {
    let presets = Policy::presets();
    let phase = (setting(), 1u16..30, prop::collection::vec(1u16..30, 0..4))
        .prop_map(|(setting, days, tests)| Phase::new(setting, days).with_tests(tests));
    let own = (
        prop::sample::select(vec!["local", "local_2", "seed_shanghai_2020", "本地规则"]),
        prop::sample::select(Anchor::ALL.to_vec()),
        prop::collection::vec(phase, 1..4),
        0u8..4,
        temperature(),
        any::<(bool, bool, bool)>(),
        prop::option::of(1u8..4),
    )
        .prop_map(|(name, anchor, phases, checks, fever, (day_one, day_after, automatic), linked)| {
            Policy::builder(name, anchor, phases)
                .checks_per_day(checks)
                .fever(fever)
                .counting(if day_one { DayCounting::AnchorIsDayOne } else { DayCounting::AnchorIsDayZero })
                .release(if day_after { Release::DayAfter } else { Release::OnLastDay })
                .ending(if automatic { Ending::Automatic } else { Ending::AfterCleanLastCheck })
                .linked(linked.and_then(|k| LinkedRelease::new(k).ok()))
                .build()
                .unwrap_or_else(|_| Policy::seed_shanghai_2020())
        });
    prop_oneof![2 => prop::sample::select(presets), 1 => own].boxed()
}

/// A link a command states: to any case, or explicitly none.
fn link() -> BoxedStrategy<Link> {
    prop_oneof![3 => case_id().prop_map(Link::Case), 1 => Just(Link::Unlinked)].boxed()
}

/// Any case command, with ids, dates and temperatures drawn anywhere.
fn case_command() -> BoxedStrategy<Command> {
    prop_oneof![
        1 => case_policy().prop_map(|policy| Command::AdoptPolicy { policy }).boxed(),
        4 => (case_person(), policy_id(), category(), anchor_and_on(), prop::option::of(link())).prop_map(
            |(person, policy, category, (anchor, on), linked)| Command::StartCase {
                person,
                policy,
                category,
                anchor,
                on,
                linked
            }
        ).boxed(),
        2 => (case_person(), anchor_and_on()).prop_map(|(person, (anchor, on))| Command::Exposed { person, anchor, on }).boxed(),
        4 => (case_person(), case_time(), temperature(), any::<bool>()).prop_map(
            |(person, at, temperature, symptoms)| Command::RecordCheck { person, at, temperature, symptoms }
        ).boxed(),
        3 => (case_person(), case_date(), test_result())
            .prop_map(|(person, on, result)| Command::RecordTest { person, on, result }).boxed(),
        2 => (case_id(), case_date()).prop_map(|(case, on)| Command::Release { case, on }).boxed(),
        2 => case_date().prop_map(|today| Command::OpenDay { today }).boxed(),
    ]
    .boxed()
}

/// A step of the hostile host: any case command, or days of diligent work — from `from`, for
/// `days` days, the daily round, then every active case's checks (some skipped, one reading a
/// fever if `fever`) and due tests (one positive if `positive`), and a release asked for each
/// case under review.
#[derive(Debug, Clone)]
enum Step {
    Do(Command),
    Work { from: NaiveDate, days: u8, skip: u8, fever: bool, positive: bool },
}

fn step() -> BoxedStrategy<Step> {
    let jan25 = NaiveDate::from_ymd_opt(2020, 1, 25).expect("a real date");
    prop_oneof![
        4 => case_command().prop_map(Step::Do),
        1 => ((0u64..50).prop_map(move |d| plus(jan25, d)), 1u8..20, 0u8..6, any::<bool>(), any::<bool>())
            .prop_map(|(from, days, skip, fever, positive)| Step::Work { from, days, skip, fever, positive }),
    ]
    .boxed()
}

/// The commands of one day of diligent work on `reg`, as [`Step::Work`] describes.
fn day_of_work(reg: &Registry, today: NaiveDate, skip: u8, fever: bool, positive: bool) -> Vec<Command> {
    let mut commands = Vec::new();
    let normal = Temperature::from_tenths(365).expect("a temperature");
    let hot = Temperature::from_tenths(375).expect("a temperature");
    let mut positive = positive;
    for (id, case) in reg.cases().filter(|(_, c)| c.status().is_active()) {
        let person = case.person();
        let Ok(schedule) = reg.schedule(id) else { continue };
        let Ok(policy) = reg.policy(case.policy()) else { continue };
        if let CaseStatus::Review { .. } = case.status() {
            commands.push(Command::Release { case: id, on: today });
        }
        let skipped =
            skip > 0 && (person.index() + today.num_days_from_ce() as usize).is_multiple_of(usize::from(skip));
        if schedule.contains(today) && !skipped {
            for slot in 0..policy.checks_per_day().max(1) {
                let at = today.and_hms_opt(8 + u32::from(slot % 12), 0, 0).expect("a real time");
                let temperature = if fever && slot == 1 && person.index() % 3 == 0 { hot } else { normal };
                commands.push(Command::RecordCheck { person, at, temperature, symptoms: false });
            }
        }
        if schedule.tests_due_on(today) > 0 && !skipped {
            let result = if positive && case.category() == Category::CloseContact {
                positive = false;
                TestResult::Positive
            } else {
                TestResult::Negative
            };
            commands.push(Command::RecordTest { person, on: today, result });
        }
    }
    commands
}

fn state_change() -> impl Strategy<Value = StateChange> {
    (person_state(), person_state(), recolours()).prop_map(|(from, to, recolours)| StateChange { from, to, recolours })
}

fn review_reasons() -> impl Strategy<Value = Vec<ReviewReason>> {
    let all = vec![
        ReviewReason::NoLastDayCheck,
        ReviewReason::SymptomsOnLastDay,
        ReviewReason::NoLastDayTest,
        ReviewReason::LinkedTestsPending,
    ];
    prop::collection::vec(prop::sample::select(all), 0..4)
}

/// Any case event, with ids, dates, changes of state and recolourings drawn anywhere.
fn case_event() -> BoxedStrategy<Event> {
    let change = || prop::option::of(state_change());
    prop_oneof![
        1 => (policy_id(), case_policy()).prop_map(|(policy, spec)| Event::PolicyAdopted { policy, spec }).boxed(),
        3 => (
            case_id(),
            case_person(),
            policy_id(),
            category(),
            anchor_and_on(),
            prop::option::of(case_id()),
            change()
        )
            .prop_map(|(case, person, policy, category, (anchor, on), linked, change)| Event::CaseStarted {
                case,
                person,
                policy,
                category,
                anchor,
                on,
                linked,
                change
            }).boxed(),
        2 => (case_id(), anchor_and_on(), change())
            .prop_map(|(case, (anchor, on), change)| Event::CaseRestarted { case, anchor, on, change }).boxed(),
        3 => (case_id(), case_time(), temperature(), any::<bool>(), change()).prop_map(
            |(case, at, temperature, symptoms, escalation)| Event::CheckRecorded {
                case,
                at,
                temperature,
                symptoms,
                escalation
            }
        ).boxed(),
        2 => (case_id(), case_date(), test_result(), change())
            .prop_map(|(case, on, result, escalation)| Event::TestRecorded { case, on, result, escalation }).boxed(),
        2 => (case_id(), policy_id(), case_date(), change())
            .prop_map(|(case, policy, on, change)| Event::CaseConverted { case, policy, on, change }).boxed(),
        2 => (case_id(), prop_oneof![0u16..4, any::<u16>()], case_date(), change())
            .prop_map(|(case, phase, on, change)| Event::PhaseEntered { case, phase, on, change }).boxed(),
        2 => (case_id(), case_date(), state_change())
            .prop_map(|(case, on, change)| Event::CaseReleased { case, on, change }).boxed(),
        2 => (case_id(), case_date(), review_reasons())
            .prop_map(|(case, on, reasons)| Event::CaseFlagged { case, on, reasons }).boxed(),
    ]
    .boxed()
}

/// Values a field of a case command or event may be given in JSON: valid ones and ones just
/// outside (dates beyond the calendar or not in it, temperatures out of bounds, ids beyond
/// `u32`, unknown names), chosen by the field's name.
fn plausible(field: &str) -> Vec<Value> {
    use serde_json::json;
    let change = |from: State, to: State| {
        let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
        let change =
            StateChange { from: PersonState::new(from, feb(1)), to: PersonState::new(to, feb(5)), recolours: vec![] };
        serde_json::to_value(change).expect("a change serialises")
    };
    let policy = |p: Policy| serde_json::to_value(p).expect("a policy serialises");
    match field {
        "person" | "case" | "policy" | "linked" => {
            vec![
                json!(0),
                json!(1),
                json!(2),
                json!(4),
                json!(7),
                json!(u32::MAX),
                json!(u64::from(u32::MAX) + 1),
                json!(-1),
                Value::Null,
            ]
        }
        "anchor" | "on" | "today" => vec![
            json!("2020-02-05"),
            json!("2020-02-20"),
            json!("2020-01-01"),
            json!("+262142-12-31"),
            json!("-262143-01-01"),
            json!("+262143-01-01"),
            json!("2020-02-30"),
            json!(""),
        ],
        "at" => vec![
            json!("2020-02-05T08:00:00"),
            json!("2020-02-15T23:59:59"),
            json!("+262142-12-31T23:59:59"),
            json!("2020-02-05T24:00:00"),
            json!("2020-02-05"),
        ],
        "temperature" => {
            vec![
                json!("37.3"),
                json!("37.2"),
                json!("38.0"),
                json!("29.9"),
                json!("45.0"),
                json!("45.1"),
                json!("37.25"),
                json!(373),
            ]
        }
        "symptoms" => vec![json!(true), json!(false), json!("yes")],
        "result" => vec![json!("Negative"), json!("Positive"), json!("negative")],
        "category" => {
            let mut all: Vec<Value> = Category::ALL.iter().map(|c| json!(c)).collect();
            all.push(json!("Close"));
            all
        }
        "phase" => vec![json!(0), json!(1), json!(2), json!(u16::MAX), json!(u32::from(u16::MAX) + 1)],
        "reasons" => vec![
            json!([]),
            json!(["NoLastDayCheck"]),
            json!(["LinkedTestsPending", "NoLastDayCheck"]),
            json!(["Bogus"]),
        ],
        "change" | "escalation" => vec![
            Value::Null,
            change(State::Well, State::CloseContact),
            change(State::CloseContact, State::Confirmed),
            change(State::HomeIsolationEpidemicArea, State::Suspected),
            json!({"from": "Well"}),
        ],
        "spec" | "adopted" => vec![
            policy(Policy::seed_shanghai_2020()),
            policy(Policy::cn_ed9_close_contact()),
            json!({"name": "zero", "anchor": "Arrival", "phases": [{"setting": "HomeIsolation", "days": 0}]}),
            json!({"name": "local", "anchor": "Arrival", "phases": [{"setting": "HomeIsolation", "days": 366}]}),
            json!({"name": "local", "anchor": "Arrival", "phases": [{"setting": "HomeIsolation", "days": 3}], "checks_per_day": 0, "ending": "Automatic"}),
            json!({"name": "", "anchor": "Arrival", "phases": [{"setting": "HomeIsolation", "days": 3}]}),
        ],
        _ => vec![Value::Null],
    }
}

/// A JSON object shaped like a case command or event: a variant name and its fields, each
/// with a plausible value for its name or an arbitrary one, sometimes one left out or one too
/// many.
fn case_json() -> impl Strategy<Value = Value> {
    let variants: Vec<(&str, &[&str])> = vec![
        ("AdoptPolicy", &["policy"]),
        ("StartCase", &["person", "policy", "category", "anchor", "on", "linked"]),
        ("Exposed", &["person", "anchor", "on"]),
        ("RecordCheck", &["person", "at", "temperature", "symptoms"]),
        ("RecordTest", &["person", "on", "result"]),
        ("Release", &["case", "on"]),
        ("OpenDay", &["today"]),
        ("PolicyAdopted", &["policy", "spec"]),
        ("CaseStarted", &["case", "person", "policy", "category", "anchor", "on", "linked", "change"]),
        ("CaseRestarted", &["case", "anchor", "on", "change"]),
        ("CheckRecorded", &["case", "at", "temperature", "symptoms", "escalation"]),
        ("TestRecorded", &["case", "on", "result", "escalation"]),
        ("CaseConverted", &["case", "policy", "on", "change"]),
        ("PhaseEntered", &["case", "phase", "on", "change"]),
        ("CaseReleased", &["case", "on", "change"]),
        ("CaseFlagged", &["case", "on", "reasons"]),
    ];
    let value = (any::<prop::sample::Index>(), prop::option::weighted(0.15, json()));
    (
        prop::sample::select(variants),
        prop::collection::vec(value, 8),
        prop::option::weighted(0.2, 0usize..8),
        prop::bool::weighted(0.1),
    )
        .prop_map(|((name, fields), values, drop, extra)| {
            let mut object = serde_json::Map::new();
            for (i, (field, (pick, random))) in fields.iter().zip(values).enumerate() {
                if drop == Some(i) {
                    continue;
                }
                // AdoptPolicy's `policy` is a whole policy, the events' a policy id.
                let kind = if name == "AdoptPolicy" { "adopted" } else { field };
                let value = random.unwrap_or_else(|| {
                    let options = plausible(kind);
                    options[pick.index(options.len())].clone()
                });
                object.insert((*field).to_owned(), value);
            }
            if extra {
                object.insert("colour".to_owned(), Value::from("Red"));
            }
            serde_json::json!({ name: Value::Object(object) })
        })
}

/// The sample with isolation cases: five policies (three presets, the US CDC's and a local
/// rule counting the arrival day as day 1), an ed.9 close contact (person 1) with a secondary
/// contact linked to them (person 2), a Wuhan arrival (person 0), a released case and an
/// escalated one (person 3, present and well again since Feb 8), and persons 4 to 7 present and
/// well, under no case; built through commands, with its log and commands.
fn case_sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let base = sample();
        let mut s = Sample { reg: base.reg.clone(), log: base.log.clone(), commands: base.commands.clone() };
        let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
        let jan = |d| NaiveDate::from_ymd_opt(2020, 1, d).expect("a real date");
        let local = Policy::seed_shanghai_2020()
            .to_builder()
            .name("local_day_one")
            .counting(DayCounting::AnchorIsDayOne)
            .build()
            .expect("a valid policy");
        for policy in [
            Policy::seed_shanghai_2020(),
            Policy::cn_ed9_close_contact(),
            Policy::cn_ed9_secondary_contact(),
            Policy::us_cdc_2020_contact(),
            local,
        ] {
            s.apply(Command::AdoptPolicy { policy });
        }
        for household in [HouseholdId::new(1), HouseholdId::new(1), HouseholdId::new(2), HouseholdId::new(4)] {
            let state = PersonState::well(feb(1));
            s.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state });
        }
        let (p0, p1, p2, p3) = (PersonId::new(0), PersonId::new(1), PersonId::new(2), PersonId::new(3));
        let (seed, close, secondary, us) = (PolicyId::new(0), PolicyId::new(1), PolicyId::new(2), PolicyId::new(3));
        let start = |person, policy, category, anchor, on, linked: Option<CaseId>| Command::StartCase {
            person,
            policy,
            category,
            anchor,
            on,
            linked: linked.map(Link::Case),
        };
        // Each record on its business date 业务日期, opened first.
        s.apply(Command::OpenDay { today: feb(1) });
        let c0 = s.apply(start(p1, close, Category::CloseContact, feb(1), feb(1), None)).new_case().expect("a case");
        s.apply(Command::OpenDay { today: feb(2) });
        s.apply(start(p2, secondary, Category::SecondaryContact, feb(2), feb(2), Some(c0)));
        s.apply(start(p0, seed, Category::ArrivalFromEpidemicArea, feb(1), feb(2), None));
        s.apply(start(p3, us, Category::CloseContact, jan(20), feb(2), None));
        let at = |d, h| feb(d).and_hms_opt(h, 0, 0).expect("a real time");
        let normal = Temperature::from_tenths(365).expect("a temperature");
        for person in [p0, p1, p1, p2] {
            s.apply(Command::RecordCheck { person, at: at(2, 8), temperature: normal, symptoms: false });
        }
        s.apply(Command::RecordTest { person: p1, on: feb(2), result: TestResult::Negative });
        s.apply(Command::OpenDay { today: feb(5) }); // releases person 3 on Feb 4
        s.apply(start(p3, seed, Category::ArrivalFromElsewhere, feb(5), feb(5), None));
        s.apply(Command::OpenDay { today: feb(6) });
        let fever = Temperature::from_tenths(380).expect("a temperature");
        s.apply(Command::RecordCheck { person: p3, at: at(6, 9), temperature: fever, symptoms: true });
        s.apply(Command::OpenDay { today: feb(8) });
        s.apply(Command::SetState { person: p3, state: State::Well, on: feb(8) }); // cleared
        let statuses: Vec<CaseStatus> = s.reg.cases().map(|(_, c)| c.status().clone()).collect();
        assert_eq!(statuses.len(), 5);
        assert!(statuses[..3].iter().all(|st| st == &CaseStatus::Open), "{statuses:?}");
        assert_eq!(statuses[3], CaseStatus::Released { on: feb(4) });
        assert_eq!(statuses[4], CaseStatus::Escalated { on: feb(6), to: State::Suspected });
        assert!(s.reg.audit().is_empty());
        assert!(Registry::replay(&s.log).expect("the case sample's log replays") == s.reg);
        s
    })
}

/// The agenda of `date` as rules.md defines it, computed from every case by brute force.
fn expected_agenda(reg: &Registry, date: NaiveDate) -> Vec<AgendaItem> {
    let mut items = Vec::new();
    for (id, case) in reg.cases() {
        let schedule = reg.schedule(id).expect("every case has a schedule");
        let policy = reg.policy(case.policy()).expect("every case names an adopted policy");
        let person = case.person();
        let household = reg.person(person).expect("every case names a person").household();
        let unit = reg.household(household).expect("a person's household").unit();
        let mut push = |item| items.push(AgendaItem { case: id, person, household, unit, item });
        match case.status() {
            CaseStatus::Released { on } if *on == date => push(Item::Released),
            CaseStatus::Escalated { on, to } if *on == date => push(Item::Escalated { to: *to }),
            CaseStatus::Review { since, .. } if *since <= date => push(Item::Review { since: *since }),
            CaseStatus::Open => {
                if schedule.release() <= date {
                    push(Item::ReleaseDue { release: schedule.release() });
                }
                if schedule.tests_due_on(date) > 0 && date >= case.started() {
                    push(Item::TestDue);
                }
                let required = policy.checks_per_day();
                if let Some(yesterday) = date.pred_opt()
                    && schedule.contains(yesterday)
                    && yesterday >= case.started()
                    && required > 0
                    && case.checks_on(yesterday) < required
                {
                    push(Item::MissedChecks { required, recorded: case.checks_on(yesterday) });
                }
            }
            _ => {}
        }
    }
    items.sort_by_key(|i| (i.item.rank(), i.case));
    items
}

/// Every case read with arbitrary ids and dates answers without panicking, and the agenda of
/// each date equals rules.md's, city-wide, per unit and per scope.
fn read_cases(reg: &Registry, ids: Ids, case: CaseId, policy: PolicyId, dates: &[NaiveDate]) {
    let known_case = case.index() < reg.cases().count();
    assert_eq!(reg.case(case).is_ok(), known_case);
    assert_eq!(reg.schedule(case).is_ok(), known_case);
    assert_eq!(reg.policy(policy).is_ok(), policy.index() < reg.policies().count());
    if let Ok(p) = reg.policy(policy) {
        assert_eq!(reg.policy_named(p.name()), Some(policy));
    }
    if let Some(active) = reg.active_case(ids.p) {
        let c = reg.case(active).expect("an active case exists");
        assert!(c.status().is_active() && c.person() == ids.p);
    }
    let scope = reg.scope(&[ids.u]).ok();
    for &date in dates.iter().chain(&[NaiveDate::MIN, NaiveDate::MAX]) {
        let agenda = reg.agenda(date);
        assert_eq!(agenda.date(), date);
        assert_eq!(agenda.items(), expected_agenda(reg, date).as_slice(), "the agenda of {date}");
        assert_eq!(agenda.counts().iter().sum::<usize>(), agenda.len());
        match reg.agenda_within(date, ids.u) {
            Ok(within) => {
                let tree = reg.tree();
                let kept: Vec<AgendaItem> =
                    agenda.items().iter().filter(|i| tree.is_within(i.unit, ids.u).unwrap_or(false)).copied().collect();
                assert_eq!(within.items(), kept.as_slice());
                if let Some(scope) = &scope {
                    assert_eq!(scope.agenda(date), within);
                }
            }
            Err(e) => {
                check_error(&e);
                assert!(!reg.tree().contains(ids.u));
            }
        }
    }
    if let Some(scope) = &scope {
        match scope.case(case) {
            Ok(c) => assert_eq!(reg.case(case).ok(), Some(c)),
            Err(e) => check_error(&e),
        }
    }
}

/// Apply a case command as [`apply_checked`] does, and check what rules.md says of it: a
/// refusal is never an internal mismatch; the daily round leaves no open case with a phase
/// or a release due by then; a positive test leaves no active secondary contact linked to it.
fn apply_case_checked(reg: &mut Registry, command: Command) -> Result<Vec<Event>, Error> {
    let before = reg.clone();
    let result = reg.apply(command.clone());
    match &result {
        // Only the daily round may become no event (a quiet day).
        Ok(events) => assert!(!events.is_empty() || matches!(command, Command::OpenDay { .. }), "{command:?}"),
        Err(e) => {
            check_error(e);
            assert!(*reg == before, "a refused command changed the registry: {e}");
        }
    }
    let findings = reg.audit();
    assert!(findings.is_empty(), "audit findings: {findings:?}");
    match &result {
        Err(e) => assert!(
            !matches!(e, Error::Registry(RegistryError::Mismatch { .. } | RegistryError::UnexpectedId { .. })),
            "{command:?} was refused by an internal mismatch: {e}"
        ),
        Ok(events) => match command {
            Command::OpenDay { today } => {
                for e in events {
                    assert!(
                        matches!(
                            e,
                            Event::DayOpened { .. }
                                | Event::PhaseEntered { .. }
                                | Event::CaseReleased { .. }
                                | Event::CaseFlagged { .. }
                        ),
                        "{e:?}"
                    );
                }
                for (id, case) in reg.cases().filter(|(_, c)| c.status() == &CaseStatus::Open) {
                    let schedule = reg.schedule(id).expect("a schedule");
                    let next = case.category().next_change(&schedule, case.settled());
                    assert!(next.is_none_or(|(d, _)| d > today), "{id} still has a phase due by {today}: {next:?}");
                    assert!(
                        !(schedule.release() <= today && schedule.last_day() < today),
                        "{id} is still open after its last day, {today}"
                    );
                }
            }
            Command::RecordTest { result: TestResult::Positive, .. } => {
                if let Some(Event::TestRecorded { case, .. }) = events.first() {
                    let linked = reg.cases().filter(|(_, c)| c.status().is_active() && c.linked() == Some(*case));
                    assert_eq!(linked.count(), 0, "secondary contacts still linked to positive {case}");
                }
            }
            _ => {}
        },
    }
    result
}

proptest! {
    #![proptest_config(case_config(256))]

    /// Case commands with arbitrary persons, cases, policies, dates (the calendar's ends and
    /// far-future anchors included) and temperatures at the bounds, applied to the case
    /// sample: `Ok` or a typed error, never a panic; a refused one changes nothing and names
    /// no personal data; the audit stays empty; every agenda is rules.md's; the log replays
    /// into an equal registry whose snapshot loads.
    #[test]
    fn arbitrary_case_commands_never_panic(
        steps in prop::collection::vec(step(), 1..16),
        ids in ids(),
        case in case_id(),
        policy in policy_id(),
        probe in case_date(),
    ) {
        let s = case_sample();
        let mut reg = s.reg.clone();
        let mut log = s.log.clone();
        let mut dates = vec![probe];
        for step in steps {
            let mut commands = Vec::new();
            match step {
                Step::Do(command) => commands.push(command),
                Step::Work { from, days, skip, fever, positive } => {
                    for d in 0..u64::from(days) {
                        let today = plus(from, d);
                        commands.push(Command::OpenDay { today });
                        let last = d + 1 == u64::from(days);
                        commands.extend(day_of_work(&reg, today, skip, fever && last, positive && d == 2));
                    }
                }
            }
            for command in commands {
                if let Command::OpenDay { today } | Command::Release { on: today, .. } | Command::RecordTest { on: today, .. } = command {
                    dates.extend([today, today.succ_opt().unwrap_or(today)]);
                }
                assert_no_personal_data(&format!("{command:?}"), "a command's Debug");
                if let Ok(events) = apply_case_checked(&mut reg, command) {
                    assert_no_personal_data(&format!("{events:?}"), "an event's Debug");
                    log.extend(events);
                }
            }
            read_cases(&reg, ids, case, policy, &dates[dates.len().saturating_sub(4)..]);
        }
        read_cases(&reg, ids, case, policy, &dates);
        let replayed = replay_checked(&log).expect("the log of accepted commands replays");
        assert!(replayed == reg);
    }

    /// Case events with arbitrary fields, one by one and as a log: `Ok` or a typed error; a
    /// refused event changes nothing; a refused log names its event.
    #[test]
    fn arbitrary_case_events_never_panic(events in prop::collection::vec(case_event(), 1..12), ids in ids()) {
        let s = case_sample();
        let mut reg = s.reg.clone();
        for e in &events {
            let _ = apply_event_checked(&mut reg, e);
        }
        read_cases(&reg, ids, CaseId::new(0), PolicyId::new(0), &[day()]);
        let mut log = s.log.clone();
        log.extend(events.iter().cloned());
        match replay_checked(&log) {
            Ok(replayed) => assert!(replayed == reg, "replaying the log and applying its events disagree"),
            Err(Error::Registry(RegistryError::Replay { index, .. })) => assert!(index >= s.log.len()),
            Err(e) => panic!("{e}"),
        }
    }

    /// JSON shaped like the case commands and events, with plausible and arbitrary values (dates
    /// beyond the calendar, temperatures out of bounds, a field left out or one too many): read
    /// as `Command` and `Event`, refused or read back equal, and applied when read.
    #[test]
    fn case_shaped_json_never_panics(value in case_json()) {
        let text = value.to_string();
        deserialise_everything(&text);
        let s = case_sample();
        if let Ok(command) = serde_json::from_str::<Command>(&text) {
            let mut reg = s.reg.clone();
            let _ = apply_case_checked(&mut reg, command);
        }
        if let Ok(event) = serde_json::from_str::<Event>(&text) {
            let mut reg = s.reg.clone();
            let _ = apply_event_checked(&mut reg, &event);
        }
    }

    /// Mutated copies of the case sample's log, commands and snapshot: refused, or replayed,
    /// applied or loaded into a registry that keeps every invariant; a loaded one takes more
    /// case commands without panicking.
    #[test]
    fn mutated_case_logs_commands_and_snapshots_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..3),
        more in prop::collection::vec(case_command(), 0..6),
    ) {
        let s = case_sample();
        let case_part = s.log.len() - sample().log.len();
        let mut value = serde_json::to_value(&s.log).expect("a log serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(events) = serde_json::from_value::<Vec<Event>>(value) {
            let _ = replay_checked(&events);
        }
        let commands = &s.commands[s.commands.len() - case_part.min(s.commands.len())..];
        let mut value = serde_json::to_value(&commands[which.index(commands.len())]).expect("a command serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(command) = serde_json::from_value::<Command>(value) {
            let mut reg = s.reg.clone();
            let _ = apply_case_checked(&mut reg, command);
        }
        let mut value = serde_json::to_value(s.reg.snapshot()).expect("a snapshot serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(snapshot) = serde_json::from_value::<Snapshot>(value) {
            match Registry::from_snapshot(snapshot) {
                Ok(mut loaded) => {
                    check_loaded(&loaded);
                    for command in more {
                        let _ = apply_case_checked(&mut loaded, command);
                    }
                }
                Err(e) => check_error(&e),
            }
        }
    }
}

/// Each kind of case refusal, provoked on the case sample: a typed [`CaseError`] (or the
/// policy's or colour table's), the registry unchanged, and no personal data of the fixture in
/// the message or the `Debug`.
#[test]
fn every_case_refusal_is_typed_changes_nothing_and_shows_no_personal_data() {
    let s = case_sample();
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
    let at = |d| feb(d).and_hms_opt(8, 0, 0).expect("a real time");
    let normal = Temperature::from_tenths(365).expect("a temperature");
    let (p1, p2, p3) = (PersonId::new(1), PersonId::new(2), PersonId::new(3));
    let (c0, c2, c3, c4) = (CaseId::new(0), CaseId::new(2), CaseId::new(3), CaseId::new(4));
    let (seed, close, secondary) = (PolicyId::new(0), PolicyId::new(1), PolicyId::new(2));
    let start = |person, policy, category, anchor, on, linked: Option<CaseId>| Command::StartCase {
        person,
        policy,
        category,
        anchor,
        on,
        linked: linked.map(Link::Case),
    };
    let link = |linked, problem| Error::Case(CaseError::InvalidLink { linked, problem });
    // The sample with its business date 业务日期 opened on `d`: each refusal below is dated on
    // or before it (a record after it is refused for that first).
    let opened = |d| {
        let mut reg = s.reg.clone();
        apply_checked(&mut reg, Command::OpenDay { today: feb(d) }).expect("a day");
        reg
    };
    let base = opened(10);
    let refusals: Vec<(Command, Error)> = vec![
        (
            // A secondary contact under a linked release, with nothing said of the link.
            start(p3, secondary, Category::SecondaryContact, feb(10), feb(10), None),
            Error::Case(CaseError::LinkUnstated { person: p3, policy: secondary }),
        ),
        (
            start(p3, PolicyId::new(99), Category::CloseContact, feb(10), feb(10), None),
            Error::Case(CaseError::UnknownPolicy { policy: PolicyId::new(99) }),
        ),
        (
            Command::Release { case: CaseId::new(u32::MAX), on: feb(10) },
            Error::Case(CaseError::UnknownCase { case: CaseId::new(u32::MAX) }),
        ),
        (
            Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() },
            Error::Case(CaseError::PolicyNameTaken { name: "cn_ed9_close_contact".into(), policy: close }),
        ),
        (
            start(p1, seed, Category::CloseContact, feb(3), feb(10), None),
            Error::Case(CaseError::UnderCase { person: p1, case: c0 }),
        ),
        (
            Command::SetState { person: p1, state: State::Well, on: feb(3) },
            Error::Case(CaseError::UnderCase { person: p1, case: c0 }),
        ),
        (
            Command::RecordCheck { person: p3, at: at(7), temperature: normal, symptoms: false },
            Error::Case(CaseError::NoActiveCase { person: p3 }),
        ),
        (Command::Release { case: c3, on: feb(10) }, Error::Case(CaseError::Ended { case: c3, on: feb(4) })),
        (Command::Release { case: c4, on: feb(9) }, Error::Case(CaseError::Ended { case: c4, on: feb(6) })),
        (
            start(p3, seed, Category::ArrivalFromEpidemicArea, feb(12), feb(10), None),
            Error::Case(CaseError::AnchorAfterStart { anchor: feb(12), on: feb(10) }),
        ),
        (
            start(p3, seed, Category::ArrivalFromEpidemicArea, feb(1) - chrono::Days::new(7), feb(10), None),
            Error::Case(CaseError::PeriodOver { release: feb(8), on: feb(10) }),
        ),
        (
            Command::Exposed { person: p1, anchor: feb(1), on: feb(10) },
            Error::Case(CaseError::RestartNotLater { anchor: feb(1), current: feb(1) }),
        ),
        (
            Command::RecordCheck { person: p2, at: at(1), temperature: normal, symptoms: false },
            Error::Case(CaseError::BeforeAnchor { date: feb(1), anchor: feb(2) }),
        ),
        (
            Command::RecordTest { person: p1, on: feb(2), result: TestResult::Positive },
            Error::Case(CaseError::TestAlreadyRecorded { case: c0, on: feb(2) }),
        ),
        (
            Command::Release { case: c2, on: feb(10) },
            Error::Case(CaseError::TooEarly { case: c2, release: feb(15), on: feb(10) }),
        ),
        (
            start(p3, seed, Category::SecondaryContact, feb(10), feb(10), Some(c0)),
            link(c0, LinkProblem::NotLinkedRelease),
        ),
        (
            start(p3, secondary, Category::SecondaryContact, feb(10), feb(10), Some(c2)),
            link(c2, LinkProblem::NotCloseContact),
        ),
        (
            start(p3, secondary, Category::SecondaryContact, feb(10), feb(10), Some(c3)),
            link(c3, LinkProblem::SamePerson),
        ),
        (
            start(p3, secondary, Category::SecondaryContact, feb(10), feb(10), Some(CaseId::new(77))),
            Error::Case(CaseError::UnknownCase { case: CaseId::new(77) }),
        ),
        // A case started after the business date, or on another day than it.
        (
            start(p3, seed, Category::ArrivalFromEpidemicArea, NaiveDate::MAX, NaiveDate::MAX, None),
            Error::Registry(RegistryError::NotBusinessDate { date: NaiveDate::MAX, business_date: feb(10) }),
        ),
        (
            Command::RecordTest { person: p1, on: NaiveDate::MAX, result: TestResult::Positive },
            Error::Registry(RegistryError::AfterBusinessDate { date: NaiveDate::MAX, business_date: feb(10) }),
        ),
        (
            Command::OpenDay { today: feb(9) },
            Error::Registry(RegistryError::DayNotForward { today: feb(9), business_date: feb(10) }),
        ),
        (
            Command::RecordTest { person: PersonId::new(u32::MAX), on: feb(3), result: TestResult::Negative },
            Error::People(PeopleError::UnknownPerson { person: PersonId::new(u32::MAX) }),
        ),
    ];
    for (command, expected) in refusals {
        let mut reg = base.clone();
        let error = apply_checked(&mut reg, command.clone()).expect_err("refused");
        assert_eq!(error, expected, "{command:?}");
        check_error(&error);
        assert!(reg == base);
    }

    // A blocked release is refused with what is missing (no checks on the last day), open or
    // under review alike: the flag is the round's.
    let mut reg = opened(15);
    let before = reg.clone();
    let error = apply_checked(&mut reg, Command::Release { case: c2, on: feb(15) }).expect_err("refused");
    let reasons = vec![ReviewReason::NoLastDayCheck];
    assert_eq!(error, Error::Case(CaseError::NotReleasable { case: c2, reasons: reasons.clone() }));
    assert!(reg == before);
    let events = apply_checked(&mut reg, Command::OpenDay { today: feb(16) }).expect("a day");
    assert!(matches!(events.as_slice(), [Event::DayOpened { .. }, Event::CaseFlagged { .. }]), "{events:?}");
    let error = apply_checked(&mut reg, Command::Release { case: c2, on: feb(16) }).expect_err("refused");
    assert_eq!(error, Error::Case(CaseError::NotReleasable { case: c2, reasons }));
    check_error(&error);

    // A positive test linked to a secondary contact already positive: nobody can be linked.
    let mut reg = s.reg.clone();
    apply_checked(&mut reg, Command::RecordTest { person: p1, on: feb(3), result: TestResult::Positive })
        .expect("a positive test");
    apply_checked(&mut reg, Command::OpenDay { today: feb(10) }).expect("a day");
    let error = apply_checked(&mut reg, start(p3, secondary, Category::SecondaryContact, feb(10), feb(10), Some(c0)))
        .expect_err("refused");
    assert_eq!(error, link(c0, LinkProblem::AlreadyPositive));
    // A state the colour table forbids: a confirmed case cannot be put in home isolation.
    apply_checked(&mut reg, Command::OpenDay { today: feb(20) }).expect("a day");
    let home = start(p1, seed, Category::ArrivalFromEpidemicArea, feb(20), feb(20), None);
    let error = apply_checked(&mut reg, home).expect_err("refused");
    assert!(matches!(error, Error::Colour(_)), "{error:?}");
    check_error(&error);
}

/// Temperatures at the bounds: 30.0 and 45.0 °C are readings, 29.9 and 45.1 are not (not even
/// inside a command read from JSON); a reading at the fever threshold is a fever, a tenth below
/// is not (37.3 °C for the Chinese policies, 38.0 °C for the US CDC's).
#[test]
fn temperatures_at_the_bounds_and_the_fever_thresholds() {
    let s = case_sample();
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
    for tenths in [299u16, 451, 0, u16::MAX] {
        assert_eq!(Temperature::from_tenths(tenths), Err(QuarantineError::InvalidTemperature { tenths }));
    }
    let command = |t: &str| {
        format!(r#"{{"RecordCheck":{{"person":0,"at":"2020-02-03T08:00:00","temperature":"{t}","symptoms":false}}}}"#)
    };
    for bad in ["29.9", "45.1", "37.25", "-37", "", "373"] {
        assert!(serde_json::from_str::<Command>(&command(bad)).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Command>(&command("45.0")).is_ok());
    let t = |tenths| Temperature::from_tenths(tenths).expect("within the bounds");
    // Person 0 follows seed 001's rule (37.3 °C).
    for (tenths, escalates) in [(300, false), (372, false), (373, true), (450, true)] {
        let mut reg = s.reg.clone();
        let at = feb(3).and_hms_opt(8, 0, 0).expect("a real time");
        let command = Command::RecordCheck { person: PersonId::new(0), at, temperature: t(tenths), symptoms: false };
        let events = apply_checked(&mut reg, command).expect("a reading");
        let escalated = matches!(&events[0], Event::CheckRecorded { escalation: Some(_), .. });
        assert_eq!(escalated, escalates, "{tenths}");
        assert_eq!(reg.active_case(PersonId::new(0)).is_none(), escalates);
    }
    // The US CDC's 38.0 °C, for a contact exposed on Feb 8.
    for (tenths, escalates) in [(379, false), (380, true)] {
        let mut reg = s.reg.clone();
        apply_checked(&mut reg, Command::OpenDay { today: feb(9) }).expect("a day");
        apply_checked(
            &mut reg,
            Command::StartCase {
                person: PersonId::new(3),
                policy: PolicyId::new(3),
                category: Category::CloseContact,
                anchor: feb(8),
                on: feb(9),
                linked: None,
            },
        )
        .expect("a case");
        let at = feb(8).and_hms_opt(20, 0, 0).expect("a real time");
        let command = Command::RecordCheck { person: PersonId::new(3), at, temperature: t(tenths), symptoms: true };
        apply_checked(&mut reg, command).expect("a reading");
        assert_eq!(reg.active_case(PersonId::new(3)).is_none(), escalates, "{tenths}");
    }
}

/// One test result per date: a second one, of either result, is refused and escalates
/// nothing; other dates are recorded.
#[test]
fn repeated_tests_on_one_date_are_refused() {
    let s = case_sample();
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
    let person = PersonId::new(1);
    let mut reg = s.reg.clone();
    for result in [TestResult::Negative, TestResult::Positive] {
        let error = apply_checked(&mut reg, Command::RecordTest { person, on: feb(2), result }).expect_err("refused");
        assert_eq!(error, Error::Case(CaseError::TestAlreadyRecorded { case: CaseId::new(0), on: feb(2) }));
    }
    assert_eq!(reg.state(person).expect("a person").measure(), Measure::CentralisedIsolation);
    apply_checked(&mut reg, Command::RecordTest { person, on: feb(3), result: TestResult::Negative }).expect("a test");
    let error = apply_checked(&mut reg, Command::RecordTest { person, on: feb(3), result: TestResult::Positive })
        .expect_err("refused");
    assert_eq!(error, Error::Case(CaseError::TestAlreadyRecorded { case: CaseId::new(0), on: feb(3) }));
    let tests: Vec<_> = reg.case(CaseId::new(0)).expect("a case").tests().collect();
    assert_eq!(tests, [(feb(2), TestResult::Negative), (feb(3), TestResult::Negative)]);
    // A test before the anchor is refused too.
    let error =
        apply_checked(&mut reg, Command::RecordTest { person, on: NaiveDate::MIN, result: TestResult::Positive })
            .expect_err("refused");
    assert_eq!(error, Error::Case(CaseError::BeforeAnchor { date: NaiveDate::MIN, anchor: feb(1) }));
}

/// The daily round and the agenda at the ends of the calendar, and a case whose period ends on
/// its last representable day.
#[test]
fn cases_at_the_ends_of_the_calendar() {
    let s = case_sample();
    for today in [NaiveDate::MIN, NaiveDate::MAX] {
        let mut reg = s.reg.clone();
        // The business date only moves forward: the calendar's first day is refused.
        if reg.business_date().is_some_and(|d| today <= d) {
            let error = apply_case_checked(&mut reg, Command::OpenDay { today }).expect_err("backwards");
            assert!(matches!(error, Error::Registry(RegistryError::DayNotForward { .. })), "{error:?}");
            continue;
        }
        let events = apply_case_checked(&mut reg, Command::OpenDay { today }).expect("a round");
        for date in [NaiveDate::MIN, NaiveDate::MAX, today] {
            assert_eq!(reg.agenda(date).items(), expected_agenda(&reg, date).as_slice());
        }
        // The round at the calendar's end releases or flags every open case; a second changes nothing.
        if today == NaiveDate::MAX {
            assert!(reg.cases().all(|(_, c)| c.status() != &CaseStatus::Open));
        }
        apply_case_checked(&mut reg.clone(), Command::OpenDay { today }).expect_err("the day is open already");
        assert!(replay_checked(&[s.log.clone(), events].concat()).expect("replays") == reg);
    }
    // Seed 001's 14 days from 14 days before the calendar's end: released on its last day.
    let mut reg = s.reg.clone();
    let mut log = s.log.clone();
    let anchor = minus(NaiveDate::MAX, 14);
    let person = PersonId::new(3);
    let start = |anchor| Command::StartCase {
        person,
        policy: PolicyId::new(0),
        category: Category::ArrivalFromEpidemicArea,
        anchor,
        on: minus(NaiveDate::MAX, 13),
        linked: None,
    };
    log.extend(apply_case_checked(&mut reg, Command::OpenDay { today: minus(NaiveDate::MAX, 13) }).expect("a day"));
    let error = apply_checked(&mut reg, start(minus(NaiveDate::MAX, 13))).expect_err("beyond the calendar");
    assert!(matches!(error, Error::Quarantine(QuarantineError::DateOutOfRange { day: 14, .. })), "{error:?}");
    log.extend(apply_case_checked(&mut reg, start(anchor)).expect("a case"));
    let case = reg.active_case(person).expect("a case");
    assert_eq!(reg.schedule(case).expect("a schedule").release(), NaiveDate::MAX);
    // The round of the last day cannot release a period whose last day is not over yet ...
    let events = apply_case_checked(&mut reg, Command::OpenDay { today: NaiveDate::MAX }).expect("a round");
    assert!(events.iter().all(|e| !matches!(e, Event::CaseReleased { case: c, .. } if *c == case)), "{events:?}");
    log.extend(events);
    let last = NaiveDate::MAX.and_hms_opt(23, 59, 59).expect("a real time");
    let normal = Temperature::from_tenths(366).expect("a temperature");
    log.extend(
        apply_case_checked(&mut reg, Command::RecordCheck { person, at: last, temperature: normal, symptoms: false })
            .expect("a reading"),
    );
    let error = apply_checked(&mut reg, Command::Exposed { person, anchor: NaiveDate::MAX, on: NaiveDate::MAX })
        .expect_err("beyond the calendar");
    check_error(&error);
    // ... a host can, on that day.
    log.extend(apply_case_checked(&mut reg, Command::Release { case, on: NaiveDate::MAX }).expect("a release"));
    assert_eq!(reg.case(case).expect("a case").status(), &CaseStatus::Released { on: NaiveDate::MAX });
    assert_eq!(reg.agenda(NaiveDate::MAX).released().count(), 1);
    assert!(replay_checked(&log).expect("replays") == reg);
}

/// Regression (fails until `src/` is fixed). rules.md: `Exposed` "needs anchor > case anchor
/// (RestartNotLater), anchor <= on, new release >= on" — nothing about the case's start — and
/// "snapshots round-trip". An exposure recorded with a date before the day the case started
/// (back-dated: the case started Feb 10 for an arrival of Feb 1, a new exposure on Feb 2 is
/// recorded as of Feb 2) is accepted; it settles the case on Feb 2, before it started, and
/// `Registry::from_snapshot` then refuses the registry's own snapshot ("its state was settled
/// before it started"). Either the command must be refused or the snapshot must load.
#[test]
fn an_exposure_dated_before_the_case_started_keeps_the_snapshot_loadable() {
    let s = case_sample();
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
    let mut reg = s.reg.clone();
    let person = PersonId::new(3);
    let start = Command::StartCase {
        person,
        policy: PolicyId::new(0),
        category: Category::ArrivalFromEpidemicArea,
        anchor: feb(1),
        on: feb(10),
        linked: None,
    };
    apply_case_checked(&mut reg, Command::OpenDay { today: feb(10) }).expect("a day");
    apply_case_checked(&mut reg, start).expect("a case");
    if apply_case_checked(&mut reg, Command::Exposed { person, anchor: feb(2), on: feb(2) }).is_ok() {
        let loaded = Registry::from_snapshot(reg.snapshot());
        assert!(loaded.is_ok(), "the registry's own snapshot is refused: {:?}", loaded.err());
    }
}

/// Regression (fails until `src/` is fixed). rules.md: a positive `RecordTest` converts every
/// active secondary contact linked to the case; `Registry::apply` documents "On error the
/// registry is unchanged". A secondary contact whose anchor is within the last 10 days of the
/// calendar has a 7-day schedule (`cn_ed9_secondary_contact`) but no 10-day one under the close
/// contact's policy (`cn_ed9_close_contact`): the conversion fails with `DateOutOfRange` after
/// the positive result was committed, so the command returns an error and no events while the
/// close contact's case is escalated and their person confirmed (and a host's log misses the
/// event). Expected: refused with the registry unchanged, or accepted with its events.
#[test]
fn a_conversion_beyond_the_calendar_is_all_or_nothing() {
    let s = case_sample();
    let mut reg = s.reg.clone();
    let (close_person, contact) = (PersonId::new(3), PersonId::new(1));
    let mut log = s.log.clone();
    // Person 1's own case ends first (escalated), so that they can be a secondary contact.
    let at = NaiveDate::from_ymd_opt(2020, 2, 3).and_then(|d| d.and_hms_opt(8, 0, 0)).expect("a real time");
    let fever = Temperature::from_tenths(390).expect("a temperature");
    log.extend(
        apply_case_checked(&mut reg, Command::RecordCheck { person: contact, at, temperature: fever, symptoms: true })
            .expect("a fever"),
    );
    log.extend(apply_case_checked(&mut reg, Command::OpenDay { today: day() }).expect("a day"));
    log.extend(
        apply_case_checked(&mut reg, Command::SetState { person: contact, state: State::Well, on: day() })
            .expect("well again"),
    );
    let close_anchor = minus(NaiveDate::MAX, 10);
    let contact_anchor = minus(NaiveDate::MAX, 8);
    log.extend(apply_case_checked(&mut reg, Command::OpenDay { today: close_anchor }).expect("a day"));
    let events = apply_case_checked(
        &mut reg,
        Command::StartCase {
            person: close_person,
            policy: PolicyId::new(1),
            category: Category::CloseContact,
            anchor: close_anchor,
            on: close_anchor,
            linked: None,
        },
    )
    .expect("a close contact");
    let close_case = events[0].new_case().expect("a case");
    log.extend(events);
    log.extend(apply_case_checked(&mut reg, Command::OpenDay { today: contact_anchor }).expect("a day"));
    log.extend(
        apply_case_checked(
            &mut reg,
            Command::StartCase {
                person: contact,
                policy: PolicyId::new(2),
                category: Category::SecondaryContact,
                anchor: contact_anchor,
                on: contact_anchor,
                linked: Some(Link::Case(close_case)),
            },
        )
        .expect("a secondary contact"),
    );
    let before = reg.clone();
    let result =
        reg.apply(Command::RecordTest { person: close_person, on: contact_anchor, result: TestResult::Positive });
    match result {
        Ok(events) => {
            log.extend(events);
            assert!(replay_checked(&log).expect("replays") == reg);
        }
        Err(e) => {
            check_error(&e);
            assert!(
                reg == before,
                "refused with {e}, but the close contact's case is now {:?} and their state {:?}",
                reg.case(close_case).map(|c| c.status().clone()),
                reg.state(close_person)
            );
        }
    }
}

/// Regression (fails until `src/` is fixed), the shrunk input of
/// `arbitrary_case_commands_never_panic`: on the case sample, the close contact (person 1,
/// case 0, exposed Feb 1) records a positive sample dated Feb 1, their anchor. Their secondary
/// contact's case (case 1, started Feb 2) is converted on Feb 1, before it started; the
/// registry's own snapshot is then refused ("its state was settled before it started"), while
/// rules.md says snapshots round-trip.
#[test]
fn a_positive_sample_dated_before_the_linked_case_started_keeps_the_snapshot_loadable() {
    let s = case_sample();
    let mut reg = s.reg.clone();
    let on = NaiveDate::from_ymd_opt(2020, 2, 1).expect("a real date");
    let events = apply_case_checked(
        &mut reg,
        Command::RecordTest { person: PersonId::new(1), on, result: TestResult::Positive },
    )
    .expect("a positive test");
    assert!(
        matches!(events.as_slice(), [Event::TestRecorded { .. }, Event::CaseConverted { case, .. }] if *case == CaseId::new(1))
    );
    let loaded = Registry::from_snapshot(reg.snapshot());
    assert!(loaded.is_ok(), "the registry's own snapshot is refused: {:?}", loaded.err());
}

// ---------------------------------------------------------------------------------------------
// Responsibility 包保
// ---------------------------------------------------------------------------------------------

/// The sample with responsibility: staff of every qualification the presets ask for (three
/// with the fixtures' personal names; one available only until Feb 3), the five presets
/// adopted (包干 over the zones, screening teams per community) and every roster solved on
/// Feb 1; built through commands, with its log and commands.
fn duty_sample() -> &'static Sample {
    static SAMPLE: OnceLock<Sample> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let base = sample();
        let mut s = Sample { reg: base.reg.clone(), log: base.log.clone(), commands: base.commands.clone() };
        let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date");
        let levels = s.reg.tree().scheme().clone();
        let level = |name: &str| levels.level(name).expect("a Zhengzhou level");
        let (root, community, yard, building) = (UnitId::new(0), UnitId::new(1), UnitId::new(3), UnitId::new(5));
        use Qualification as Q;
        let people = [
            (Q::DistrictLeader, root, 3),
            (Q::DistrictDepartment, root, 2),
            (Q::SectionCadre, root, 2),
            (Q::PartySecretary, community, 1),
            (Q::Medical, root, 3),
            (Q::Police, root, 3),
            (Q::GridWorker, root, 2),
            (Q::HealthWorker, community, 2),
            (Q::Volunteer, building, 2),
            (Q::PartyMember, yard, 2),
            (Q::DepartmentLeader, root, 1),
            (Q::PoliceAuxiliary, root, 1),
        ];
        for (i, (q, home, limit)) in people.into_iter().enumerate() {
            let name = Name::new(NAMES[i % 3]).expect("valid");
            let staff = Staff::new(name, Qualifications::only(q), home, limit).expect("a limit of at least 1");
            s.apply(Command::AddStaff { staff });
        }
        s.apply(Command::SetAvailability { staff: StaffId::new(4), availability: Availability::Until(feb(3)) });
        for scheme in [
            Scheme::six_cover_one(level("社区"), level("街道"), None).expect("a valid preset"),
            Scheme::two_plus_three(),
            Scheme::three_heads(level("社区"), level("街道")).expect("a valid preset"),
            Scheme::zone_leaders(OverlayId::new(0)),
            Scheme::screening_teams(),
        ] {
            let scheme = s.apply(Command::AdoptScheme { scheme }).new_scheme().expect("a scheme");
            s.apply(Command::Solve { scheme, on: feb(1), balanced: scheme.get().is_multiple_of(2) });
        }
        assert!(s.reg.schemes().all(|(id, _)| s.reg.roster(id).is_ok_and(|r| !r.assignments().is_empty())));
        assert!(s.reg.audit().is_empty());
        assert!(Registry::replay(&s.log).expect("the duty sample's log replays") == s.reg);
        s
    })
}

/// Every responsibility read with arbitrary ids and dates answers, unknown ids as typed
/// errors, never a panic; what it answers is consistent with the rosters.
fn read_duties(reg: &Registry, ids: Ids, scheme: SchemeId, staff: StaffId, date: NaiveDate) {
    let Ids { u, v, h, p, .. } = ids;
    let known_scheme = scheme.index() < reg.schemes().count();
    let known_staff = staff.index() < reg.staff_pool().len();
    assert_eq!(reg.scheme(scheme).is_ok(), known_scheme);
    assert_eq!(reg.staff_member(staff).is_ok(), known_staff);
    assert_eq!(reg.roster(scheme).is_ok(), known_scheme);
    assert_eq!(reg.load(scheme, staff).is_ok(), known_scheme && known_staff);
    if let Ok(load) = reg.load(scheme, staff) {
        let roster = reg.roster(scheme).expect("a scheme");
        assert_eq!(load, roster.load(staff));
        assert!(load <= usize::from(reg.staff_member(staff).expect("known").load_limit()));
    }
    assert_eq!(reg.duty_targets(scheme).is_ok(), known_scheme);
    let inside = reg.duty_targets_within(scheme, u);
    assert_eq!(inside.is_ok(), known_scheme && reg.tree().contains(u));
    let coverage = reg.duty_coverage(scheme, u, date);
    assert_eq!(coverage.is_ok(), known_scheme && reg.tree().contains(u));
    if let (Ok(c), Ok(targets)) = (&coverage, &inside) {
        assert_eq!(c.targets, targets.len());
        assert!(c.covered <= c.targets);
        assert_eq!(c.is_complete(), c.gaps.is_empty());
    }
    for e in [inside.err(), coverage.err()].into_iter().flatten() {
        check_error(&e);
    }
    for subject in [Subject::Unit(u), Subject::Household(h), Subject::Person(p)] {
        match reg.responsible_for(subject, date) {
            Ok(found) => {
                for r in found {
                    let roster = reg.roster(r.scheme).expect("a scheme of the registry");
                    assert!(roster.assignments().contains(&Assignment {
                        target: r.target,
                        role: r.role,
                        staff: r.staff
                    }));
                }
            }
            Err(e) => {
                check_error(&e);
                let known = match subject {
                    Subject::Unit(u) => reg.tree().contains(u),
                    Subject::Household(h) => reg.household(h).is_ok(),
                    Subject::Person(p) => reg.person(p).is_ok(),
                };
                assert!(!known, "responsible_for {subject:?} refused: {e}");
            }
        }
    }
    if let Ok(scope) = reg.scope(&[u, v]) {
        if let Err(e) = scope.duty_coverage(scheme, date) {
            check_error(&e);
            assert!(!known_scheme, "a scope's coverage refused: {e}");
        }
        for subject in [Subject::Unit(v), Subject::Household(h), Subject::Person(p)] {
            if let Err(e) = scope.responsible_for(subject, date) {
                check_error(&e);
            }
        }
    }
    let _ = reg.scheme_named(&format!("{scheme}"));
}

/// JSON shaped like the responsibility commands and events, with plausible values swapped in
/// (an id, a date, a target, a role) or a field dropped.
fn duty_json() -> impl Strategy<Value = Value> {
    let base = (duty_command(), duty_event()).prop_map(|(c, e)| {
        (serde_json::to_value(c).expect("a command serialises"), serde_json::to_value(e).expect("an event serialises"))
    });
    (base, any::<bool>(), mutation()).prop_map(|((c, e), command, m)| {
        let mut v = if command { c } else { e };
        mutate(&mut v, &m);
        v
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// Responsibility commands with arbitrary ids, targets, roles and dates, applied to the
    /// duty sample: `Ok` or a typed error, never a panic; a refused one changes nothing and
    /// names no personal data; the audit stays empty; every read answers; the log replays into
    /// an equal registry.
    #[test]
    fn arbitrary_duty_commands_never_panic(
        commands in prop::collection::vec(duty_command(), 1..12),
        ids in ids(),
        scheme in scheme_id(),
        staff in staff_id(),
        date in date(),
    ) {
        let s = duty_sample();
        let mut reg = s.reg.clone();
        let mut log = s.log.clone();
        for command in commands {
            assert_no_personal_data(&format!("{command:?}"), "a command's Debug");
            if let Ok(events) = apply_checked(&mut reg, command) {
                assert_no_personal_data(&format!("{events:?}"), "an event's Debug");
                log.extend(events);
            }
            read_duties(&reg, ids, scheme, staff, date);
        }
        assert_no_personal_data(&format!("{reg:?}"), "a registry's Debug");
        let replayed = replay_checked(&log).expect("the log of accepted commands replays");
        assert!(replayed == reg);
    }

    /// Responsibility events with arbitrary fields, one by one and as a log: `Ok` or a typed
    /// error; a refused event changes nothing; a refused log names its event.
    #[test]
    fn arbitrary_duty_events_never_panic(
        events in prop::collection::vec(duty_event(), 1..12),
        ids in ids(),
        scheme in scheme_id(),
        staff in staff_id(),
    ) {
        let s = duty_sample();
        let mut reg = s.reg.clone();
        for e in &events {
            let _ = apply_event_checked(&mut reg, e);
        }
        read_duties(&reg, ids, scheme, staff, day());
        let mut log = s.log.clone();
        log.extend(events.iter().cloned());
        match replay_checked(&log) {
            Ok(replayed) => assert!(replayed == reg, "replaying the log and applying its events disagree"),
            Err(Error::Registry(RegistryError::Replay { index, .. })) => assert!(index >= s.log.len()),
            Err(e) => panic!("{e}"),
        }
    }

    /// Every responsibility read of the duty sample with arbitrary ids and dates answers.
    #[test]
    fn arbitrary_duty_reads_never_panic(ids in ids(), scheme in scheme_id(), staff in staff_id(), date in date()) {
        read_duties(&duty_sample().reg, ids, scheme, staff, date);
    }

    /// JSON shaped like responsibility commands and events, mutated: read as `Command` and
    /// `Event`, refused or read back equal, and applied to the duty sample when read.
    #[test]
    fn duty_shaped_json_never_panics(value in duty_json()) {
        let text = value.to_string();
        deserialise_everything(&text);
        let s = duty_sample();
        if let Ok(command) = serde_json::from_str::<Command>(&text) {
            let mut reg = s.reg.clone();
            let _ = apply_checked(&mut reg, command);
        }
        if let Ok(event) = serde_json::from_str::<Event>(&text) {
            let mut reg = s.reg.clone();
            let _ = apply_event_checked(&mut reg, &event);
        }
    }

    /// Mutated copies of the duty sample's log, commands and snapshot: refused, or replayed,
    /// applied or loaded into a registry that keeps every invariant; a loaded one takes more
    /// responsibility commands without panicking.
    #[test]
    fn mutated_duty_logs_commands_and_snapshots_never_panic(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..3),
        more in prop::collection::vec(duty_command(), 0..6),
    ) {
        let s = duty_sample();
        let duty_part = s.log.len() - sample().log.len();
        let mut value = serde_json::to_value(&s.log).expect("a log serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(events) = serde_json::from_value::<Vec<Event>>(value) {
            let _ = replay_checked(&events);
        }
        let commands = &s.commands[s.commands.len() - duty_part.min(s.commands.len())..];
        let mut value = serde_json::to_value(&commands[which.index(commands.len())]).expect("a command serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(command) = serde_json::from_value::<Command>(value) {
            let mut reg = s.reg.clone();
            let _ = apply_checked(&mut reg, command);
        }
        let mut value = serde_json::to_value(s.reg.snapshot()).expect("a snapshot serialises");
        for m in &mutations {
            mutate(&mut value, m);
        }
        if let Ok(snapshot) = serde_json::from_value::<Snapshot>(value) {
            match Registry::from_snapshot(snapshot) {
                Ok(mut loaded) => {
                    check_loaded(&loaded);
                    for command in more {
                        let _ = apply_checked(&mut loaded, command);
                    }
                }
                Err(e) => check_error(&e),
            }
        }
    }
}
