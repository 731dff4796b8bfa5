//! Property tests of the registry's invariants, on random sequences of commands.
//!
//! A case draws a level scheme (Shanghai's five levels with an optional one, Zhengzhou's four
//! under city and district, Foshan's with an optional group) and up to [`MAX_OPS`] abstract
//! operations: first some that grow a city, then any (or, in a second property, mostly overlay
//! and move operations). Their targets are picks among the current units, households, persons,
//! overlays or cells (one time in sixteen the next id, unknown). Each operation becomes a
//! [`Command`] against the current registry; most are valid, many are refused (levels that do
//! not nest, duplicate doors and identity numbers 一人一档, closed units, overlapping cells ...).
//!
//! After every command:
//! - a brute-force oracle, written here from the documented rules, says whether the command
//!   must be accepted or refused, and the registry agrees;
//! - a refused command leaves the registry equal to its clone from before;
//! - an accepted command became the events it should, did what it says and nothing else; its
//!   events applied to the clone from before give the same registry, while copies of them that
//!   name another id or another prior state are refused and change nothing;
//! - [`Registry::audit`] is empty, and every unit's counts equal a recount made here by
//!   walking parent links (纵向稽核); the population's links agree both ways; doors are unique
//!   per unit; one person one file;
//! - every overlay is a partition without overlaps, its gaps exactly the households in no cell.
//!
//! Every twenty commands and at the end: the tree's queries (depth, ancestors, subtrees,
//! lowest common ancestors, codes) agree with walks of parent links, and scopes drawn from
//! random roots yield exactly what lies inside their subtrees and refuse the rest with
//! `OutsideScope`. At the end of a case: the log replays into an equal registry; snapshots and
//! the registry itself survive JSON; every public value met on the way survives JSON unchanged.

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Debug;

use chrono::NaiveDate;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wangge::colour::{Colour, Measure, PersonState, Standing, State};
use wangge::grid::{
    CheckpointKind, CompoundKind, GridError, Level, LevelRef, LevelScheme, MAX_NAME_CHARS, NewUnit, OverlayKind, Tree,
    UnitKind,
};
use wangge::people::{DoorLabel, Marker, Markers, Name, Passport, PeopleError, PersonRecord, Phone, ResidentId};
use wangge::registry::{Recolour, ScopeItem};
use wangge::{
    CellId, Command, Counts, Error, Event, HouseholdId, OverlayId, PersonId, Registry, RegistryError, Snapshot, UnitId,
};

/// The longest sequence of operations in a case.
const MAX_OPS: usize = 100;

// ---------------------------------------------------------------------------------------------
// Abstract operations and their strategy
// ---------------------------------------------------------------------------------------------

/// An operation with its targets as picks, turned into a [`Command`] against the registry of
/// the moment by [`to_command`].
#[derive(Debug, Clone)]
enum Op {
    AddUnit {
        parent: u16,
        level: u8,
        kind: u8,
        code: Option<u8>,
        bad_name: Option<u8>,
    },
    MoveUnit {
        unit: u16,
        new_parent: u16,
        same_level: bool,
    },
    CloseUnit {
        unit: u16,
        leaf: bool,
        transfer: Option<u16>,
        day: u16,
    },
    CreateOverlay {
        name: u8,
        kind: u8,
    },
    AddCell {
        overlay: u16,
        name: u8,
        units: Vec<u16>,
    },
    ExtendCell {
        cell: u16,
        units: Vec<u16>,
    },
    AddHousehold {
        unit: u16,
        door: u8,
    },
    MoveHousehold {
        household: u16,
        to: u16,
    },
    RegisterPerson {
        household: u16,
        resident: Option<u8>,
        passport: Option<u8>,
        name: Option<u8>,
        phone: bool,
        markers: u8,
    },
    MovePerson {
        person: u16,
        to: u16,
    },
    SetMarkers {
        person: u16,
        markers: u8,
    },
    SetState {
        person: u16,
        state: u8,
        day: u16,
    },
}

/// The operations that grow a city: units, households, persons, an overlay now and then.
fn build_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<u16>(), any::<u8>(), any::<u8>(), prop::option::weighted(0.2, 0u8..12))
            .prop_map(|(parent, level, kind, code)| Op::AddUnit { parent, level, kind, code, bad_name: None }),
        3 => (any::<u16>(), 0u8..6).prop_map(|(unit, door)| Op::AddHousehold { unit, door }),
        4 => (any::<u16>(), prop::option::weighted(0.6, any::<u8>()), any::<u8>()).prop_map(
            |(household, resident, markers)| Op::RegisterPerson {
                household,
                resident,
                passport: None,
                name: None,
                phone: false,
                markers,
            }
        ),
        2 => (0u8..4, any::<u8>()).prop_map(|(name, kind)| Op::CreateOverlay { name, kind }),
    ]
}

/// A case's operations: a city grown first, then any operation at all.
fn ops(max: usize) -> impl Strategy<Value = Vec<Op>> {
    grow_then(max, op(Mix::ANY))
}

/// A city grown first, then `rest`.
fn grow_then(max: usize, rest: impl Strategy<Value = Op>) -> impl Strategy<Value = Vec<Op>> {
    (prop::collection::vec(build_op(), 0..=max / 2), prop::collection::vec(rest, 1..=max - max / 2)).prop_map(
        |(mut build, rest)| {
            build.extend(rest);
            build
        },
    )
}

/// How often each operation is drawn, in the order of [`Op`]'s variants.
struct Mix([u32; 12]);

impl Mix {
    /// Every operation, units and the register more often than overlays.
    const ANY: Mix = Mix([6, 2, 1, 1, 4, 2, 5, 2, 5, 2, 1, 4]);
    /// Overlays and moving units: the rule that a move must not make cells overlap.
    const OVERLAYS: Mix = Mix([2, 6, 1, 1, 6, 4, 2, 1, 1, 1, 1, 1]);
}

/// Any operation, drawn as often as `mix` says.
fn op(mix: Mix) -> impl Strategy<Value = Op> {
    let [
        add_unit,
        move_unit,
        close_unit,
        create_overlay,
        add_cell,
        extend_cell,
        add_household,
        move_household,
        register,
        move_person,
        set_markers,
        set_state,
    ] = mix.0;
    let pick = any::<u16>;
    let units = || prop::collection::vec(any::<u16>(), 0..4);
    prop_oneof![
        add_unit => (
            pick(),
            any::<u8>(),
            any::<u8>(),
            prop::option::weighted(0.3, 0u8..12),
            prop::option::weighted(0.05, any::<u8>()),
        )
            .prop_map(|(parent, level, kind, code, bad_name)| Op::AddUnit { parent, level, kind, code, bad_name }),
        move_unit => (pick(), pick(), any::<bool>())
            .prop_map(|(unit, new_parent, same_level)| Op::MoveUnit { unit, new_parent, same_level }),
        close_unit => (pick(), any::<bool>(), prop::option::of(pick()), any::<u16>())
            .prop_map(|(unit, leaf, transfer, day)| Op::CloseUnit { unit, leaf, transfer, day }),
        create_overlay => (0u8..4, any::<u8>()).prop_map(|(name, kind)| Op::CreateOverlay { name, kind }),
        add_cell => (pick(), any::<u8>(), units())
            .prop_map(|(overlay, name, units)| Op::AddCell { overlay, name, units }),
        extend_cell => (pick(), units()).prop_map(|(cell, units)| Op::ExtendCell { cell, units }),
        add_household => (pick(), 0u8..6).prop_map(|(unit, door)| Op::AddHousehold { unit, door }),
        move_household => (pick(), pick()).prop_map(|(household, to)| Op::MoveHousehold { household, to }),
        register => (
            pick(),
            prop::option::weighted(0.6, any::<u8>()),
            prop::option::weighted(0.2, any::<u8>()),
            prop::option::weighted(0.3, any::<u8>()),
            any::<bool>(),
            any::<u8>(),
        )
            .prop_map(|(household, resident, passport, name, phone, markers)| Op::RegisterPerson {
                household,
                resident,
                passport,
                name,
                phone,
                markers
            }),
        move_person => (pick(), pick()).prop_map(|(person, to)| Op::MovePerson { person, to }),
        set_markers => (pick(), any::<u8>()).prop_map(|(person, markers)| Op::SetMarkers { person, markers }),
        set_state => (pick(), any::<u8>(), any::<u16>()).prop_map(|(person, state, day)| Op::SetState { person, state, day }),
    ]
}

/// The schemes a case is drawn in: Shanghai's five levels (one optional), Zhengzhou's four
/// under city and district (six, none optional), Foshan's (group optional).
/// The level a command's level names, found naively: an index the scheme has, or the first
/// level whose English name (any case) or Chinese name is the name.
fn naive_level(scheme: &LevelScheme, level: &LevelRef) -> Option<Level> {
    match level {
        LevelRef::Index(l) => (l.index() < scheme.len()).then_some(*l),
        LevelRef::Name(name) => scheme
            .levels()
            .find(|(_, spec)| spec.name().to_lowercase() == name.to_lowercase() || spec.name_zh() == name)
            .map(|(l, _)| l),
    }
}

fn scheme(which: u8) -> LevelScheme {
    match which % 4 {
        0 | 1 => LevelScheme::shanghai(),
        2 => LevelScheme::zhengzhou().under_city_and_district().expect("the preset fits under city and district"),
        _ => LevelScheme::foshan(),
    }
}

/// Twenty valid resident identity numbers, so that the same number is drawn twice in a case.
fn resident_pool() -> Vec<ResidentId> {
    (0..20u16)
        .map(|i| {
            let born = NaiveDate::from_ymd_opt(1940 + i32::from(i), 1 + u32::from(i % 12), 1 + u32::from(i % 28))
                .expect("a real date");
            ResidentId::from_parts(110_105 + u32::from(i % 3), born, i * 37).expect("valid parts")
        })
        .collect()
}

/// Six passports, so that the same one is drawn twice.
fn passport(i: u8) -> Passport {
    let country = ["DEU", "FRA", "USA"][usize::from(i % 3)];
    Passport::new(country, &format!("C0{}X{}", i % 6, i % 6)).expect("a valid passport")
}

fn name(i: u8) -> Name {
    Name::new(["张三", "李四", "王五", "Anna Müller", "阿卜杜拉·艾则孜"][usize::from(i % 5)]).expect("a valid name")
}

fn markers(bits: u8) -> Markers {
    Marker::ALL.into_iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, m)| m).collect()
}

/// Day `d` from 1 January 2020.
fn day(d: u16) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("a real date") + chrono::Days::new(u64::from(d))
}

/// One of `n` existing ids, or one time in sixteen (and always when there is none) the next
/// id, unknown.
fn pick(p: u16, n: usize) -> u32 {
    let p = usize::from(p);
    if n == 0 || p % 16 == 0 { n as u32 } else { (p / 16 % n) as u32 }
}

fn kind(k: u8) -> UnitKind {
    match k % 16 {
        0..=4 => UnitKind::Area,
        5..=8 => UnitKind::Compound(CompoundKind::ALL[usize::from(k / 16) % CompoundKind::ALL.len()]),
        9..=12 => UnitKind::Building,
        13 => UnitKind::Entrance(CheckpointKind::ALL.get(usize::from(k / 16) % 5).copied()),
        14 => UnitKind::Road,
        _ => UnitKind::Workplace,
    }
}

/// Turn an operation into a command against `reg`.
fn to_command(reg: &Registry, op: &Op, residents: &[ResidentId]) -> Command {
    let tree = reg.tree();
    let units = tree.len();
    let households = reg.population().household_count();
    let persons = reg.population().person_count();
    let unit = |p: u16| UnitId::new(pick(p, units));
    match op {
        Op::AddUnit { parent, level, kind: k, code, bad_name } => {
            let levels = tree.scheme().len();
            // Mostly under a unit that can take children, sometimes under any unit.
            let growing: Vec<UnitId> = tree
                .ids()
                .filter(|&u| open_container(tree, u) && tree.level(u).is_ok_and(|l| l.index() + 1 < levels))
                .collect();
            let parent = if level % 8 < 6 && !growing.is_empty() && parent % 16 != 0 {
                growing[usize::from(*parent) % growing.len()]
            } else {
                unit(*parent)
            };
            // Mostly one or two levels below the parent (two is valid across an optional
            // level), sometimes any level including one past the scheme.
            let level = match (tree.level(parent), level % 8) {
                (Ok(p), 0..=4) => p.index() + 1,
                (Ok(p), 5) => p.index() + 2,
                _ => usize::from(*level) % (levels + 1),
            };
            let name = match bad_name {
                None => format!("unit {units}"),
                Some(b) => match b % 4 {
                    0 => String::new(),
                    1 => " \u{3000} ".to_owned(),
                    2 => "gate\u{7}bell".to_owned(),
                    _ => "长".repeat(MAX_NAME_CHARS + 1),
                },
            };
            // Every third unit names its level, as a host's JSON may: the Chinese name where
            // the scheme has the level, a name no level has where it does not.
            let mut new = if units.is_multiple_of(3) {
                let named = tree.scheme().spec(Level::new(level as u8)).map_or("村民小组", |spec| spec.name_zh());
                NewUnit::new(name, named, kind(*k))
            } else {
                NewUnit::new(name, Level::new(level as u8), kind(*k))
            };
            if let Some(c) = code {
                new = new.with_code(&format!("4101-{c}")).expect("a valid code");
            }
            Command::AddUnit { parent, unit: new }
        }
        Op::MoveUnit { unit: u, new_parent, same_level } => {
            let u = unit(*u);
            // Either any unit, or one at the level of the unit's current parent (a sibling
            // of that parent, more often valid).
            let candidates: Vec<UnitId> = match tree.parent(u) {
                Ok(Some(p)) if *same_level => {
                    let l = tree.level(p).expect("a parent exists");
                    tree.ids().filter(|&x| tree.level(x).expect("listed") == l).collect()
                }
                _ => Vec::new(),
            };
            let new_parent = if candidates.is_empty() {
                unit(*new_parent)
            } else {
                candidates[usize::from(*new_parent) % candidates.len()]
            };
            Command::MoveUnit { unit: u, new_parent }
        }
        Op::CloseUnit { unit: u, leaf, transfer, day } => {
            // Either any unit, or one without open children (more often valid).
            let leaves: Vec<UnitId> = if *leaf {
                tree.ids()
                    .filter(|&x| {
                        x != tree.root()
                            && tree.unit(x).expect("listed").is_open()
                            && tree
                                .children(x)
                                .expect("listed")
                                .iter()
                                .all(|&c| !tree.unit(c).expect("a child").is_open())
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let u = if leaves.is_empty() { unit(*u) } else { leaves[usize::from(*u) % leaves.len()] };
            let on =
                NaiveDate::from_ymd_opt(2020, 1, 1).expect("a real date") + chrono::Days::new(u64::from(*day % 800));
            Command::CloseUnit { unit: u, on, transfer_to: transfer.map(unit) }
        }
        Op::CreateOverlay { name, kind } => Command::CreateOverlay {
            name: format!("overlay {name}"),
            kind: [OverlayKind::Zone, OverlayKind::Grid, OverlayKind::Other][usize::from(kind % 3)],
        },
        Op::AddCell { overlay, name, units: us } => Command::AddCell {
            overlay: OverlayId::new(pick(*overlay, reg.overlays().len()) as u16),
            name: if *name == 0 { String::new() } else { format!("cell {name}") },
            units: us.iter().map(|&p| unit(p)).collect(),
        },
        Op::ExtendCell { cell, units: us } => Command::ExtendCell {
            cell: CellId::new(pick(*cell, reg.overlays().cell_count())),
            units: us.iter().map(|&p| unit(p)).collect(),
        },
        Op::AddHousehold { unit: u, door } => Command::AddHousehold {
            unit: unit(*u),
            door: DoorLabel::new(&format!("{}-{}01", door % 3, door)).expect("valid"),
        },
        Op::MoveHousehold { household, to } => {
            Command::MoveHousehold { household: HouseholdId::new(pick(*household, households)), to: unit(*to) }
        }
        Op::RegisterPerson { household, resident, passport: pp, name: n, phone, markers: m } => {
            let mut record = PersonRecord::new().with_markers(markers(*m));
            if let Some(r) = resident {
                record = record.with_resident_id(residents[usize::from(*r) % residents.len()]);
            }
            if let Some(p) = pp {
                record = record.with_passport(passport(*p));
            }
            if let Some(n) = n {
                record = record.with_name(name(*n));
            }
            if *phone {
                record = record.with_phone(Phone::new("+86 371-6000 0000").expect("a valid phone"));
            }
            // Mostly present and well; the marker bits pick another initial state now and then.
            let state = if m % 4 == 0 { State::ALL[usize::from(m / 4) % State::COUNT] } else { State::Well };
            Command::RegisterPerson {
                household: HouseholdId::new(pick(*household, households)),
                record,
                state: PersonState::new(state, day(u16::from(*m))),
            }
        }
        Op::MovePerson { person, to } => Command::MovePerson {
            person: PersonId::new(pick(*person, persons)),
            to: HouseholdId::new(pick(*to, households)),
            on: day(0),
        },
        Op::SetState { person, state, day: d } => Command::SetState {
            person: PersonId::new(pick(*person, persons)),
            state: State::ALL[usize::from(*state) % State::COUNT],
            on: day(*d % 400),
        },
        Op::SetMarkers { person, markers: m } => {
            Command::SetMarkers { person: PersonId::new(pick(*person, persons)), markers: markers(*m) }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Brute force: the rules written out again, from the documentation, over public reads only
// ---------------------------------------------------------------------------------------------

/// Whether `unit` is `area` or lies below it, walking parent links one by one (not through the
/// tree's lineage table, which is what is being checked).
fn within(tree: &Tree, unit: UnitId, area: UnitId) -> bool {
    let mut cursor = Some(unit);
    let mut steps = 0;
    while let Some(c) = cursor {
        if c == area {
            return true;
        }
        steps += 1;
        assert!(steps <= tree.len(), "the parent chain of {unit} does not reach the root");
        cursor = tree.parent(c).expect("a unit on a parent chain exists");
    }
    false
}

/// A unit name or cell name as the documentation allows it.
fn name_ok(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= MAX_NAME_CHARS && !name.chars().any(char::is_control)
}

/// An existing, open unit of a kind that holds residents: one that may take child units and
/// households.
fn open_container(tree: &Tree, unit: UnitId) -> bool {
    tree.unit(unit).is_ok_and(|u| u.is_open() && u.kind().holds_residents())
}

/// Every unit named by a cell of `overlay`.
fn named(reg: &Registry, overlay: OverlayId) -> Vec<UnitId> {
    let overlays = reg.overlays();
    let o = overlays.overlay(overlay).expect("a listed overlay");
    o.cells().iter().flat_map(|&c| overlays.cell(c).expect("a listed cell").units().iter().copied()).collect()
}

/// Whether `units` may join `overlay`: at least one, all known, none inside another or itself,
/// none inside or around a unit the overlay names already.
fn cell_units_ok(reg: &Registry, overlay: OverlayId, units: &[UnitId]) -> bool {
    let tree = reg.tree();
    if units.is_empty() || units.iter().any(|&u| !tree.contains(u)) {
        return false;
    }
    for (i, &u) in units.iter().enumerate() {
        if units[..i].iter().any(|&v| within(tree, u, v) || within(tree, v, u)) {
            return false;
        }
    }
    let taken = named(reg, overlay);
    !units.iter().any(|&u| taken.iter().any(|&a| within(tree, u, a) || within(tree, a, u)))
}

/// Whether `door` is free at `unit` for a household other than `except`.
fn door_free(reg: &Registry, unit: UnitId, door: &DoorLabel, except: Option<HouseholdId>) -> bool {
    reg.population().households().all(|(id, h)| Some(id) == except || h.unit() != unit || h.door() != door)
}

/// Whether `command` must be accepted by `reg` (`Some(true)`), refused (`Some(false)`), or the
/// documentation leaves it open (`None`).
fn expected(reg: &Registry, command: &Command) -> Option<bool> {
    let tree = reg.tree();
    let pop = reg.population();
    Some(match command {
        Command::AddUnit { parent, unit } => {
            let code_free =
                unit.code().is_none_or(|c| tree.ids().all(|u| tree.unit(u).expect("listed").code() != Some(c)));
            let level = naive_level(tree.scheme(), unit.level());
            name_ok(unit.name())
                && open_container(tree, *parent)
                && level
                    .is_some_and(|level| tree.scheme().may_nest(tree.level(*parent).expect("open, so known"), level))
                && code_free
        }
        Command::MoveUnit { unit, new_parent } => {
            if !tree.contains(*unit) || !tree.contains(*new_parent) {
                return Some(false);
            }
            let shape_ok = *unit != tree.root()
                && tree.unit(*unit).expect("known").is_open()
                && open_container(tree, *new_parent)
                && !within(tree, *new_parent, *unit)
                && tree.scheme().may_nest(tree.level(*new_parent).expect("known"), tree.level(*unit).expect("known"));
            // No overlay may end up with one named unit inside another: refused when the moved
            // subtree holds a named unit and the new parent lies inside a unit of the same overlay.
            let overlays_ok = reg.overlays().ids().all(|o| {
                let taken = named(reg, o);
                let lands_in_cell = taken.iter().any(|&b| within(tree, *new_parent, b));
                !(lands_in_cell && taken.iter().any(|&a| within(tree, a, *unit)))
            });
            shape_ok && overlays_ok
        }
        Command::CloseUnit { unit, transfer_to, .. } => {
            if !tree.contains(*unit) {
                return Some(false);
            }
            let u = tree.unit(*unit).expect("known");
            let open_children =
                tree.children(*unit).expect("known").iter().any(|&c| tree.unit(c).expect("a child").is_open());
            if *unit == tree.root() || !u.is_open() || open_children {
                return Some(false);
            }
            let held = pop.households_at(*unit);
            match transfer_to {
                None => held.is_empty(),
                Some(target) => {
                    let target_ok = open_container(tree, *target) && !within(tree, *target, *unit);
                    if held.is_empty() && !target_ok {
                        // Nothing to transfer to a target that could not take it: the
                        // documentation does not say.
                        return None;
                    }
                    target_ok
                        && held
                            .iter()
                            .all(|&h| door_free(reg, *target, pop.household(h).expect("listed").door(), Some(h)))
                }
            }
        }
        Command::CreateOverlay { name, .. } => {
            name_ok(name) && reg.overlays().ids().all(|o| reg.overlays().overlay(o).expect("listed").name() != name)
        }
        Command::AddCell { overlay, name, units } => {
            name_ok(name) && reg.overlays().overlay(*overlay).is_ok() && cell_units_ok(reg, *overlay, units)
        }
        Command::ExtendCell { cell, units } => match reg.overlays().cell(*cell) {
            Ok(c) => cell_units_ok(reg, c.overlay(), units),
            Err(_) => false,
        },
        Command::AddHousehold { unit, door } => open_container(tree, *unit) && door_free(reg, *unit, door, None),
        Command::MoveHousehold { household, to } => {
            pop.household(*household).is_ok()
                && open_container(tree, *to)
                && door_free(reg, *to, pop.household(*household).expect("known").door(), Some(*household))
        }
        Command::RegisterPerson { household, record, .. } => {
            let id_free = record.resident_id().is_none_or(|r| pop.persons().all(|(_, p)| p.resident_id() != Some(r)));
            let passport_free = record.passport().is_none_or(|pp| pop.persons().all(|(_, p)| p.passport() != Some(pp)));
            pop.household(*household).is_ok() && id_free && passport_free
        }
        Command::MovePerson { person, to, .. } => pop.person(*person).is_ok() && pop.household(*to).is_ok(),
        Command::SetMarkers { person, .. } => pop.person(*person).is_ok(),
        _ => return None,
    })
}

/// An accepted command became the events it should have, did what it says, and left alone
/// what it does not touch.
fn check_effect(before: &Registry, after: &Registry, command: &Command, events: &[Event]) {
    let (bt, at) = (before.tree(), after.tree());
    let (bp, ap) = (before.population(), after.population());
    let same_tree = || assert_eq!(bt, at, "{command:?} changed the tree");
    let same_overlays = || assert_eq!(before.overlays(), after.overlays(), "{command:?} changed the overlays");
    let same_population = || assert_eq!(bp, ap, "{command:?} changed the population");
    match command {
        Command::AddUnit { parent, unit } => {
            let id = UnitId::new(bt.len() as u32);
            // The event records the level as an index, whatever the command named.
            let level = naive_level(bt.scheme(), unit.level()).expect("accepted, so the level resolved");
            let Event::UnitAdded { unit: added, parent: under, spec } = &events[0] else {
                panic!("a unit added, not {events:?}");
            };
            assert_eq!((events.len(), *added, *under), (1, id, *parent));
            assert_eq!(spec.level(), &LevelRef::Index(level));
            assert_eq!(at.len(), bt.len() + 1);
            let u = at.unit(id).expect("the new unit");
            assert_eq!((u.name(), u.level(), u.kind(), u.code()), (unit.name(), level, unit.kind(), unit.code()));
            assert!(u.is_open());
            assert_eq!(at.parent(id).expect("the new unit"), Some(*parent));
            assert!(at.children(*parent).expect("the parent").contains(&id));
            same_overlays();
            same_population();
        }
        Command::MoveUnit { unit, new_parent } => {
            let from = bt.parent(*unit).expect("known").expect("not the root");
            assert_eq!(events, [Event::UnitMoved { unit: *unit, from, to: *new_parent }]);
            for u in bt.ids() {
                let parent = if u == *unit { Some(*new_parent) } else { bt.parent(u).expect("listed") };
                assert_eq!(at.parent(u).expect("listed"), parent, "{command:?} moved {u}");
                assert_eq!(at.unit(u).expect("listed"), bt.unit(u).expect("listed"));
            }
            assert_eq!(at.len(), bt.len());
            same_overlays();
            same_population();
        }
        Command::CloseUnit { unit, on, transfer_to } => {
            let held = bp.households_at(*unit).to_vec();
            assert_eq!(
                events,
                [Event::UnitClosed { unit: *unit, on: *on, transferred_to: *transfer_to, households: held.clone() }]
            );
            assert_eq!(at.unit(*unit).expect("known").closed_on(), Some(*on));
            for u in bt.ids().filter(|u| u != unit) {
                assert_eq!(at.unit(u).expect("listed"), bt.unit(u).expect("listed"));
                assert_eq!(at.parent(u).expect("listed"), bt.parent(u).expect("listed"));
            }
            assert!(ap.households_at(*unit).is_empty(), "a closed unit keeps households");
            for (id, h) in bp.households() {
                let expect = if held.contains(&id) { transfer_to.expect("held, so transferred") } else { h.unit() };
                let now = ap.household(id).expect("listed");
                assert_eq!((now.unit(), now.door(), now.members()), (expect, h.door(), h.members()));
            }
            same_overlays();
        }
        Command::CreateOverlay { name, kind } => {
            let id = OverlayId::new(before.overlays().len() as u16);
            assert_eq!(events, [Event::OverlayCreated { overlay: id, name: name.clone(), kind: *kind }]);
            let o = after.overlays().overlay(id).expect("the new overlay");
            assert_eq!((o.name(), o.kind(), o.cells()), (name.as_str(), *kind, &[][..]));
            assert_eq!(after.overlays().find(name), Some(id));
            same_tree();
            same_population();
        }
        Command::AddCell { overlay, name, units } => {
            let id = CellId::new(before.overlays().cell_count() as u32);
            assert_eq!(
                events,
                [Event::CellAdded { cell: id, overlay: *overlay, name: name.clone(), units: units.clone() }]
            );
            let c = after.overlays().cell(id).expect("the new cell");
            assert_eq!((c.overlay(), c.name(), c.units()), (*overlay, name.as_str(), units.as_slice()));
            assert_eq!(after.overlays().overlay(*overlay).expect("known").cells().last(), Some(&id));
            same_tree();
            same_population();
        }
        Command::ExtendCell { cell, units } => {
            assert_eq!(events, [Event::CellExtended { cell: *cell, units: units.clone() }]);
            let mut all = before.overlays().cell(*cell).expect("known").units().to_vec();
            all.extend_from_slice(units);
            assert_eq!(after.overlays().cell(*cell).expect("known").units(), all.as_slice());
            same_tree();
            same_population();
        }
        Command::AddHousehold { unit, door } => {
            let id = HouseholdId::new(bp.household_count() as u32);
            assert_eq!(events, [Event::HouseholdAdded { household: id, unit: *unit, door: door.clone() }]);
            let h = ap.household(id).expect("the new household");
            assert_eq!((h.unit(), h.door(), h.members()), (*unit, door, &[][..]));
            assert_eq!(ap.household_count(), bp.household_count() + 1);
            same_tree();
            same_overlays();
        }
        Command::MoveHousehold { household, to } => {
            let was = bp.household(*household).expect("known");
            assert_eq!(events, [Event::HouseholdMoved { household: *household, from: was.unit(), to: *to }]);
            let now = ap.household(*household).expect("known");
            assert_eq!((now.unit(), now.door(), now.members()), (*to, was.door(), was.members()));
            same_tree();
            same_overlays();
        }
        Command::RegisterPerson { household, record, state } => {
            let id = PersonId::new(bp.person_count() as u32);
            let recolours = recoloured(before, after, &[*household]);
            assert_eq!(
                events,
                [Event::PersonRegistered {
                    person: id,
                    household: *household,
                    record: record.clone(),
                    state: *state,
                    recolours
                }]
            );
            assert_eq!(after.state(id).expect("the new person"), *state);
            let p = ap.person(id).expect("the new person");
            assert_eq!((p.household(), p.record()), (*household, record.clone()));
            assert_eq!(ap.household(*household).expect("known").members().last(), Some(&id));
            if let Some(r) = record.resident_id() {
                assert_eq!(ap.find_resident(&r), Some(id));
            }
            if let Some(pp) = record.passport() {
                assert_eq!(ap.find_passport(pp), Some(id));
            }
            same_tree();
            same_overlays();
        }
        Command::MovePerson { person, to, on } => {
            let was = bp.person(*person).expect("known");
            let mut both = [was.household(), *to];
            both.sort();
            let recolours = recoloured(before, after, &both);
            assert_eq!(
                events,
                [Event::PersonMoved { person: *person, from: was.household(), to: *to, on: *on, recolours }]
            );
            let now = ap.person(*person).expect("known");
            assert_eq!((now.household(), now.record()), (*to, was.record()));
            assert!(ap.household(*to).expect("known").members().contains(person));
            same_tree();
            same_overlays();
        }
        Command::SetMarkers { person, markers } => {
            assert_eq!(events, [Event::MarkersSet { person: *person, markers: *markers }]);
            let now = ap.person(*person).expect("known");
            let was = bp.person(*person).expect("known");
            assert_eq!(now.record(), was.record().with_markers(*markers));
            assert_eq!(now.household(), was.household());
            same_tree();
            same_overlays();
        }
        Command::SetState { person, state, on } => {
            let household = bp.person(*person).expect("known").household();
            let from = before.state(*person).expect("known");
            // The measure follows the reason (the documentation of `Command::SetState`): well
            // and absent clear it, home isolation brings it unless at a site, the rest keep it.
            let measure = match state {
                State::Well | State::Absent => Measure::None,
                State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea
                    if from.measure() != Measure::CentralisedIsolation =>
                {
                    Measure::HomeIsolation
                }
                _ => from.measure(),
            };
            let to = PersonState::with_standing(Standing::new(*state, measure).expect("a standing"), *on);
            let recolours = recoloured(before, after, &[household]);
            assert_eq!(events, [Event::StateChanged { person: *person, from, to, recolours }]);
            assert_eq!(after.state(*person).expect("known"), to);
            same_tree();
            same_overlays();
            same_population();
        }
        _ => {}
    }
    // Only the households an event names change colour, and every person keeps their state
    // but the one a command names.
    let recoloured: BTreeSet<HouseholdId> = events.iter().flat_map(|e| e.recolours()).map(|r| r.household).collect();
    for (h, _) in bp.households() {
        if !recoloured.contains(&h) {
            assert_eq!(before.colour(h), after.colour(h), "{command:?} recoloured {h} silently");
        }
    }
    for (p, _) in bp.persons() {
        if !matches!(command, Command::SetState { person, .. } | Command::SetMeasure { person, .. } if *person == p) {
            assert_eq!(before.state(p), after.state(p), "{command:?} changed the state of {p}");
        }
    }
}

/// The changes of colour of `households` between `before` and `after`, as events list them.
fn recoloured(before: &Registry, after: &Registry, households: &[HouseholdId]) -> Vec<Recolour> {
    let mut seen = BTreeSet::new();
    households
        .iter()
        .filter(|h| seen.insert(**h))
        .filter_map(|&household| {
            let from = before.colour(household).expect("known before");
            let to = after.colour(household).expect("known after");
            (from != to).then_some(Recolour { household, from, to })
        })
        .collect()
}

/// Copies of `event` that name the wrong new id or a wrong state before it ("moved from" a
/// unit it was not under, "closing" with other households): a registry must refuse each of
/// them where it accepts `event`.
fn tampered(event: &Event) -> Vec<Event> {
    let next = |id: u32| id.wrapping_add(1);
    match event.clone() {
        Event::UnitAdded { unit, parent, spec } => {
            vec![Event::UnitAdded { unit: UnitId::new(next(unit.get())), parent, spec }]
        }
        Event::UnitMoved { unit, from, to } => vec![Event::UnitMoved { unit, from: UnitId::new(next(from.get())), to }],
        Event::UnitClosed { unit, on, transferred_to, mut households } => {
            let mut out = Vec::new();
            let mut more = households.clone();
            more.push(HouseholdId::new(households.iter().map(|h| next(h.get())).max().unwrap_or(0)));
            out.push(Event::UnitClosed { unit, on, transferred_to, households: more });
            if households.pop().is_some() {
                out.push(Event::UnitClosed { unit, on, transferred_to, households });
            }
            out
        }
        Event::OverlayCreated { overlay, name, kind } => {
            vec![Event::OverlayCreated { overlay: OverlayId::new(overlay.get().wrapping_add(1)), name, kind }]
        }
        Event::CellAdded { cell, overlay, name, units } => {
            vec![Event::CellAdded { cell: CellId::new(next(cell.get())), overlay, name, units }]
        }
        Event::HouseholdAdded { household, unit, door } => {
            vec![Event::HouseholdAdded { household: HouseholdId::new(next(household.get())), unit, door }]
        }
        Event::HouseholdMoved { household, from, to } => {
            vec![Event::HouseholdMoved { household, from: UnitId::new(next(from.get())), to }]
        }
        Event::PersonRegistered { person, household, record, state, recolours } => vec![
            Event::PersonRegistered {
                person: PersonId::new(next(person.get())),
                household,
                record: record.clone(),
                state,
                recolours: recolours.clone(),
            },
            Event::PersonRegistered { person, household, record, state, recolours: wrong(&recolours, household) },
        ],
        Event::PersonMoved { person, from, to, on, recolours } => vec![
            Event::PersonMoved {
                person,
                from: HouseholdId::new(next(from.get())),
                to,
                on,
                recolours: recolours.clone(),
            },
            Event::PersonMoved { person, from, to, on, recolours: wrong(&recolours, to) },
        ],
        Event::StateChanged { person, from, to, recolours } => {
            let household = recolours.first().map_or(HouseholdId::new(0), |r| r.household);
            let earlier = from.since().pred_opt().unwrap_or(from.since());
            vec![
                Event::StateChanged {
                    person,
                    from: PersonState::with_standing(from.standing(), earlier),
                    to,
                    recolours: recolours.clone(),
                },
                Event::StateChanged { person, from, to, recolours: wrong(&recolours, household) },
            ]
        }
        _ => Vec::new(),
    }
}

/// A recolouring other than `recolours`: none where there was one, a made-up one otherwise.
fn wrong(recolours: &[Recolour], household: HouseholdId) -> Vec<Recolour> {
    if recolours.is_empty() { vec![Recolour { household, from: Colour::Green, to: Colour::Red }] } else { Vec::new() }
}

/// Every invariant, rechecked here by brute force beside [`Registry::audit`].
fn check_invariants(reg: &Registry) {
    let findings = reg.audit();
    assert!(findings.is_empty(), "audit findings: {findings:?}");
    let tree = reg.tree();
    let pop = reg.population();

    // The tree: one root, every other unit under a parent of a shallower, nesting level, an
    // open unit never under a closed one, children listed by their parents exactly once.
    assert_eq!(tree.parent(tree.root()).expect("the root"), None);
    for u in tree.ids() {
        let unit = tree.unit(u).expect("listed");
        assert!(within(tree, u, tree.root()));
        if let Some(p) = tree.parent(u).expect("listed") {
            let parent = tree.unit(p).expect("a parent");
            assert!(tree.scheme().may_nest(parent.level(), unit.level()), "{u} does not nest under {p}");
            assert!(parent.kind().holds_residents(), "{u} hangs under {p}, which holds no units");
            assert!(parent.is_open() || !unit.is_open(), "open {u} under closed {p}");
            assert_eq!(tree.children(p).expect("a parent").iter().filter(|&&c| c == u).count(), 1);
        }
        for &c in tree.children(u).expect("listed") {
            assert_eq!(tree.parent(c).expect("a child"), Some(u));
        }
        assert_eq!(tree.ancestors(u).expect("listed").collect::<Vec<_>>(), {
            let mut chain = Vec::new();
            let mut cursor = tree.parent(u).expect("listed");
            while let Some(c) = cursor {
                chain.push(c);
                cursor = tree.parent(c).expect("listed");
            }
            chain.reverse();
            chain
        });
    }

    // The population: links agree both ways, every household at an open container, one
    // person one file.
    for (h, household) in pop.households() {
        assert!(open_container(tree, household.unit()), "household {h} at {}", household.unit());
        assert_eq!(pop.households_at(household.unit()).iter().filter(|&&x| x == h).count(), 1);
        for &p in household.members() {
            assert_eq!(pop.person(p).expect("a member").household(), h);
        }
        assert!(household.members().windows(2).all(|w| w[0] < w[1]), "members of {h} out of order");
    }
    for u in tree.ids() {
        let mut doors = HashSet::new();
        for &h in pop.households_at(u) {
            let household = pop.household(h).expect("listed at a unit");
            assert_eq!(household.unit(), u);
            assert!(doors.insert(household.door().clone()), "two households at {u} share a door");
        }
    }
    // Standings (issue 16 §5; no command here opens a case): the measure is the one the
    // person's reason brought, home isolation for the two `HomeIsolation…` reasons (kept by a
    // contact or a case found later), or the centralised isolation a `SetMeasure` set. The
    // rule over standings gives every household the most severe of its members' colours.
    let over_standings = reg.colour_rule().clone();
    let mut measures: BTreeMap<UnitId, [u64; Measure::COUNT]> = BTreeMap::new();
    for (p, _) in pop.persons() {
        let state = reg.state(p).expect("a person").state();
        let standing = reg.standing(p).expect("a person");
        let want = (standing.reason(), standing.measure());
        assert_eq!(state, standing.reason(), "{p}'s reason");
        assert!(
            standing.reason() != State::Absent || standing.measure() == Measure::None,
            "{p}: absent under a measure"
        );
        let mut cursor = Some(pop.household(pop.person(p).expect("a person").household()).expect("known").unit());
        while let Some(c) = cursor {
            measures.entry(c).or_insert([0; Measure::COUNT])[want.1.index()] += 1;
            cursor = tree.parent(c).expect("listed");
        }
        assert_eq!(over_standings.colour_of(standing), reg.colour_rule().colour_of(state), "{p}'s colour");
    }
    for u in tree.ids() {
        let found: Vec<u64> = reg.measures(u).expect("a unit").iter().map(|(_, n)| n).collect();
        assert_eq!(found, measures.get(&u).copied().unwrap_or_default(), "persons per measure in {u}");
    }
    for (h, household) in pop.households() {
        let standings = household.members().iter().map(|&p| reg.standing(p).expect("a member"));
        assert_eq!(over_standings.classify(standings), reg.colour(h).expect("a household"), "{h}'s colour");
    }
    let mut residents = HashSet::new();
    let mut passports = HashSet::new();
    for (p, person) in pop.persons() {
        assert!(pop.household(person.household()).expect("a person's household").members().contains(&p));
        if let Some(r) = person.resident_id() {
            assert!(residents.insert(r), "a resident identity number registered twice");
            assert_eq!(pop.find_resident(&r), Some(p));
        }
        if let Some(pp) = person.passport() {
            assert!(passports.insert(pp.clone()), "a passport registered twice");
            assert_eq!(pop.find_passport(pp), Some(p));
        }
    }

    // Counts: a recount by walking parent links, households and persons each counted from
    // their own side.
    let mut expected: BTreeMap<UnitId, Counts> = tree.ids().map(|u| (u, Counts::default())).collect();
    for (_, household) in pop.households() {
        let mut cursor = Some(household.unit());
        while let Some(c) = cursor {
            expected.get_mut(&c).expect("a unit").households += 1;
            cursor = tree.parent(c).expect("listed");
        }
    }
    for (_, person) in pop.persons() {
        let mut cursor = Some(pop.household(person.household()).expect("known").unit());
        while let Some(c) = cursor {
            expected.get_mut(&c).expect("a unit").persons += 1;
            cursor = tree.parent(c).expect("listed");
        }
    }
    for (u, counts) in expected {
        assert_eq!(reg.counts(u).expect("listed"), counts, "counts of {u}");
        let within_u: BTreeSet<HouseholdId> = reg.households_within(u).expect("listed").collect();
        let brute: BTreeSet<HouseholdId> =
            pop.households().filter(|(_, h)| within(tree, h.unit(), u)).map(|(id, _)| id).collect();
        assert_eq!(within_u, brute, "households within {u}");
    }
    assert_eq!(
        reg.counts(reg.root()).expect("the root"),
        Counts { households: pop.household_count() as u64, persons: pop.person_count() as u64 }
    );

    // Colours: each household the most severe colour of its members under the rule in force,
    // white with none; each unit's households and persons per colour and persons per state a
    // recount by walking parent links.
    let rule = reg.colour_rule();
    let mut by_colour: BTreeMap<(UnitId, Colour), (u64, u64)> = BTreeMap::new();
    let mut by_state: BTreeMap<(UnitId, State), u64> = BTreeMap::new();
    for (h, household) in pop.households() {
        let states: Vec<State> =
            household.members().iter().map(|&p| reg.state(p).expect("a member has a state").state()).collect();
        let colour = states.iter().map(|&s| rule.colour_of(s)).max().unwrap_or(Colour::White);
        assert_eq!(reg.colour(h).expect("known"), colour, "colour of {h} with members in {states:?}");
        let mut cursor = Some(household.unit());
        while let Some(c) = cursor {
            let e = by_colour.entry((c, colour)).or_default();
            e.0 += 1;
            e.1 += states.len() as u64;
            for &s in &states {
                *by_state.entry((c, s)).or_default() += 1;
            }
            cursor = tree.parent(c).expect("listed");
        }
    }
    for u in tree.ids() {
        let tally = reg.tally(u).expect("listed");
        for c in Colour::BY_SEVERITY {
            let (hh, pp) = by_colour.get(&(u, c)).copied().unwrap_or_default();
            assert_eq!((tally.households(c), tally.persons(c)), (hh, pp), "{c} at {u}");
        }
        for s in State::ALL {
            assert_eq!(tally.in_state(s), by_state.get(&(u, s)).copied().unwrap_or_default(), "{s} at {u}");
        }
    }
    assert!(reg.state(PersonId::new(pop.person_count() as u32)).is_err());

    check_overlays(reg);
}

/// Every overlay is a partition without overlaps: a household lies in the one cell naming its
/// unit or an ancestor, or in none; the cells' household lists are disjoint and agree with
/// `cell_of`; the coverage gaps are exactly the households in no cell.
fn check_overlays(reg: &Registry) {
    let tree = reg.tree();
    let overlays = reg.overlays();
    for o in overlays.ids() {
        let mut in_cells: BTreeMap<HouseholdId, CellId> = BTreeMap::new();
        for &c in overlays.overlay(o).expect("listed").cells() {
            assert_eq!(overlays.cell(c).expect("listed").overlay(), o);
            for h in reg.households_in_cell(c).expect("listed") {
                assert_eq!(in_cells.insert(h, c), None, "household {h} lies in two cells of {o}");
            }
        }
        let mut gaps = Vec::new();
        for (h, household) in reg.population().households() {
            let holders: Vec<CellId> = overlays
                .overlay(o)
                .expect("listed")
                .cells()
                .iter()
                .copied()
                .filter(|&c| {
                    overlays.cell(c).expect("listed").units().iter().any(|&u| within(tree, household.unit(), u))
                })
                .collect();
            assert!(holders.len() <= 1, "household {h} lies in cells {holders:?} of {o}");
            let cell = reg.cell_of(o, h).expect("known");
            assert_eq!(cell, holders.first().copied(), "cell of household {h} in {o}");
            assert_eq!(in_cells.get(&h).copied(), cell);
            if cell.is_none() {
                gaps.push(h);
            }
        }
        assert_eq!(reg.coverage(o).expect("listed"), gaps, "coverage of {o}");
        assert_eq!(reg.is_complete(o).expect("listed"), gaps.is_empty());
    }
}

/// The tree's queries agree with walks of parent links: depth, ancestors at each level,
/// subtrees in pre-order, lowest common ancestors, codes.
fn check_tree_queries(reg: &Registry) {
    let tree = reg.tree();
    let chain = |u: UnitId| {
        let mut chain = vec![u];
        while let Some(p) = tree.parent(*chain.last().expect("never empty")).expect("listed") {
            chain.push(p);
        }
        chain
    };
    for u in tree.ids() {
        let up = chain(u);
        assert_eq!(tree.depth(u).expect("listed"), up.len() - 1, "depth of {u}");
        for (level, _) in tree.scheme().levels() {
            let brute = up.iter().copied().find(|&a| tree.level(a).expect("listed") == level);
            assert_eq!(tree.ancestor_at(u, level).expect("listed"), brute, "ancestor of {u} at {level:?}");
        }
        let walk: Vec<UnitId> = tree.subtree(u).expect("listed").collect();
        let brute: BTreeSet<UnitId> = tree.ids().filter(|&x| within(tree, x, u)).collect();
        assert_eq!(walk.len(), brute.len(), "the subtree of {u} yields a unit twice or misses one");
        assert_eq!(walk.iter().copied().collect::<BTreeSet<_>>(), brute);
        assert_eq!(walk.first(), Some(&u));
        for (i, &x) in walk.iter().enumerate().skip(1) {
            let parent = tree.parent(x).expect("listed").expect("below u");
            assert!(walk[..i].contains(&parent), "pre-order: {x} before its parent");
        }
        assert_eq!(tree.descendants(u).expect("listed").collect::<Vec<_>>(), walk[1..]);
        if let Some(code) = tree.unit(u).expect("listed").code() {
            assert_eq!(tree.find_by_code(code.as_str()), Some(u));
        }
        for v in tree.ids() {
            let (a, b) = (chain(u), chain(v));
            let lca = a.iter().copied().find(|x| b.contains(x)).expect("the root is common");
            assert_eq!(tree.lowest_common_ancestor(u, v).expect("listed"), lca, "lca of {u} and {v}");
            assert_eq!(tree.is_within(u, v).expect("listed"), within(tree, u, v), "is {u} within {v}");
        }
    }
}

/// A scope over `roots` yields exactly the units, households and persons inside their subtrees
/// and answers everything else as if it did not exist: the errors of unknown ids, nobody found.
fn check_scope(reg: &Registry, picks: &[u16]) {
    let tree = reg.tree();
    let pop = reg.population();
    let roots: Vec<UnitId> = picks.iter().map(|&p| UnitId::new(pick(p, tree.len()))).collect();
    let scope = match reg.scope(&roots) {
        Ok(scope) => scope,
        Err(Error::Registry(RegistryError::EmptyScope)) => {
            assert!(roots.is_empty(), "a scope with roots refused as empty");
            return;
        }
        Err(e) => {
            assert!(roots.iter().any(|&r| !tree.contains(r)), "scope refused: {e}");
            return;
        }
    };
    assert!(!roots.is_empty() && roots.iter().all(|&r| tree.contains(r)));
    let inside = |u: UnitId| roots.iter().any(|&r| within(tree, u, r));

    // Roots: some of those given, disjoint, and covering the same units.
    for &r in scope.roots() {
        assert!(roots.contains(&r));
        assert!(scope.roots().iter().all(|&o| o == r || !within(tree, r, o)), "overlapping roots");
        assert_eq!(scope.parent(r).expect("a root is inside"), None);
    }

    let units: Vec<UnitId> = scope.units().collect();
    let unit_set: BTreeSet<UnitId> = units.iter().copied().collect();
    assert_eq!(units.len(), unit_set.len(), "a unit yielded twice");
    let expected_units: BTreeSet<UnitId> = tree.ids().filter(|&u| inside(u)).collect();
    assert_eq!(unit_set, expected_units);

    let households: Vec<HouseholdId> = scope.households().collect();
    let household_set: BTreeSet<HouseholdId> = households.iter().copied().collect();
    assert_eq!(households.len(), household_set.len(), "a household yielded twice");
    let expected_households: BTreeSet<HouseholdId> =
        pop.households().filter(|(_, h)| inside(h.unit())).map(|(id, _)| id).collect();
    assert_eq!(household_set, expected_households);

    let persons: Vec<PersonId> = scope.persons().collect();
    let person_set: BTreeSet<PersonId> = persons.iter().copied().collect();
    assert_eq!(persons.len(), person_set.len(), "a person yielded twice");
    let expected_persons: BTreeSet<PersonId> = pop
        .persons()
        .filter(|(_, p)| inside(pop.household(p.household()).expect("known").unit()))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(person_set, expected_persons);

    let outside = |item: ScopeItem| match item {
        ScopeItem::Unit(unit) => Error::Grid(GridError::UnknownUnit { unit }),
        ScopeItem::Household(household) => Error::People(PeopleError::UnknownHousehold { household }),
        ScopeItem::Person(person) => Error::People(PeopleError::UnknownPerson { person }),
        other => panic!("not read here: {other:?}"),
    };
    let mut totals = Counts::default();
    for u in tree.ids() {
        if inside(u) {
            assert!(scope.contains(u));
            assert_eq!(scope.unit(u).expect("inside"), tree.unit(u).expect("listed"));
            assert_eq!(scope.counts(u).expect("inside"), reg.counts(u).expect("listed"));
            assert_eq!(scope.children(u).expect("inside"), tree.children(u).expect("listed"));
            assert!(scope.ancestors(u).expect("inside").into_iter().all(inside));
            assert!(scope.subtree(u).expect("inside").all(inside));
            if scope.roots().contains(&u) {
                totals += reg.counts(u).expect("listed");
            }
        } else {
            assert!(!scope.contains(u));
            assert_eq!(scope.unit(u).err(), Some(outside(ScopeItem::Unit(u))), "{u} read through {roots:?}");
            assert_eq!(scope.counts(u).err(), Some(outside(ScopeItem::Unit(u))));
            assert_eq!(scope.parent(u).err(), Some(outside(ScopeItem::Unit(u))));
            assert_eq!(scope.children(u).err(), Some(outside(ScopeItem::Unit(u))));
            assert_eq!(scope.households_at(u).err(), Some(outside(ScopeItem::Unit(u))));
            assert!(scope.subtree(u).is_err());
        }
    }
    assert_eq!(scope.totals(), totals);
    for a in tree.ids() {
        for b in tree.ids() {
            let lca = tree.lowest_common_ancestor(a, b).expect("listed");
            match scope.lowest_common_ancestor(a, b) {
                Ok(Some(found)) => assert!(inside(a) && inside(b) && inside(lca) && found == lca),
                Ok(None) => assert!(inside(a) && inside(b) && !inside(lca), "lca of {a} and {b}"),
                Err(e) => {
                    assert!(!(inside(a) && inside(b)), "lca of {a} and {b} refused: {e}");
                    let first = if inside(a) { b } else { a };
                    assert_eq!(e, outside(ScopeItem::Unit(first)));
                }
            }
        }
        if let Some(code) = tree.unit(a).expect("listed").code() {
            assert_eq!(scope.find_by_code(code.as_str()), inside(a).then_some(a));
        }
    }
    for (h, household) in pop.households() {
        if inside(household.unit()) {
            assert_eq!(scope.household(h).expect("inside"), household);
        } else {
            assert_eq!(scope.household(h).err(), Some(outside(ScopeItem::Household(h))));
        }
    }
    for (p, person) in pop.persons() {
        let inside_p = inside(pop.household(person.household()).expect("known").unit());
        if inside_p {
            assert_eq!(scope.person(p).expect("inside"), person);
        } else {
            assert_eq!(scope.person(p).err(), Some(outside(ScopeItem::Person(p))));
        }
        if let Some(r) = person.resident_id() {
            assert_eq!(scope.find_resident(&r), inside_p.then_some(p));
        }
    }
    // Unknown ids are unknown through a scope too, never inside it.
    let unknown = UnitId::new(tree.len() as u32);
    assert!(!scope.contains(unknown));
    assert_eq!(scope.unit(unknown).err(), Some(outside(ScopeItem::Unit(unknown))));
}

// ---------------------------------------------------------------------------------------------
// Serde
// ---------------------------------------------------------------------------------------------

/// `value` survives a trip through JSON unchanged.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).expect("every public value serialises");
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json} does not read back: {e}"));
    assert_eq!(&back, value, "changed through JSON: {json}");
}

/// Every public value reachable from the registry survives JSON.
fn round_trip_everything(reg: &Registry) {
    let tree = reg.tree();
    round_trip(tree.scheme());
    round_trip(tree);
    for u in tree.ids() {
        round_trip(&u);
        round_trip(tree.unit(u).expect("listed"));
        round_trip(&tree.level(u).expect("listed"));
        round_trip(&reg.counts(u).expect("listed"));
    }
    for o in reg.overlays().ids() {
        round_trip(&o);
        round_trip(reg.overlays().overlay(o).expect("listed"));
        for &c in reg.overlays().overlay(o).expect("listed").cells() {
            round_trip(&c);
            round_trip(reg.overlays().cell(c).expect("listed"));
        }
    }
    for (h, household) in reg.population().households() {
        round_trip(&h);
        round_trip(household);
        round_trip(household.door());
    }
    for (p, person) in reg.population().persons() {
        round_trip(&p);
        let record = person.record();
        round_trip(&record);
        round_trip(&record.markers());
        for m in record.markers().iter() {
            round_trip(&m);
        }
        if let Some(r) = record.resident_id() {
            round_trip(&r);
            round_trip(&r.sex());
        }
        if let Some(pp) = record.passport() {
            round_trip(pp);
        }
        if let Some(n) = record.name() {
            round_trip(n);
        }
        if let Some(ph) = record.phone() {
            round_trip(ph);
        }
    }
    let snapshot = reg.snapshot();
    round_trip(&snapshot);
    round_trip(&snapshot.tree);
    round_trip(&snapshot.overlays);
    round_trip(&snapshot.population);
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// A registry founded in a scheme, with its log, changed only through [`Case::step`].
struct Case {
    reg: Registry,
    log: Vec<Event>,
}

impl Case {
    fn new(scheme: LevelScheme) -> Self {
        let root = NewUnit::new("root 街道", Level::new(0), UnitKind::Area);
        let reg = Registry::new(scheme, root).expect("a valid root");
        let log = vec![reg.founding_event()];
        Case { reg, log }
    }

    /// Apply `command` with every check described at the top; whether it was accepted.
    fn step(&mut self, step: usize, command: Command) -> bool {
        let reg = &mut self.reg;
        round_trip(&command);
        let expect = expected(reg, &command);
        let before = reg.clone();
        let accepted = match reg.apply(command.clone()) {
            Ok(events) => {
                assert_ne!(expect, Some(false), "step {step}: {command:?} was accepted, but the rules refuse it");
                check_effect(&before, reg, &command, &events);
                // The events alone, applied to the registry as it was, give the same registry.
                let mut again = before.clone();
                for e in &events {
                    round_trip(e);
                    again.apply_event(e).unwrap_or_else(|err| panic!("step {step}: own event {e:?} refused: {err}"));
                }
                assert!(again == *reg, "step {step}: applying the events of {command:?} gave another registry");
                // An event that names another id, or another state before it, is refused
                // and changes nothing.
                for e in &events {
                    for bad in tampered(e) {
                        let mut other = before.clone();
                        assert!(other.apply_event(&bad).is_err(), "step {step}: tampered {bad:?} was applied");
                        assert!(other == before, "step {step}: a refused event changed the registry");
                    }
                }
                // An event that assigned an id cannot be applied twice.
                for e in events.iter().filter(|e| {
                    e.new_unit().is_some()
                        || e.new_household().is_some()
                        || e.new_person().is_some()
                        || e.new_overlay().is_some()
                        || e.new_cell().is_some()
                }) {
                    let mut twice = reg.clone();
                    assert!(twice.apply_event(e).is_err(), "step {step}: {e:?} applied twice");
                    assert!(twice == *reg, "step {step}: a refused event changed the registry");
                }
                self.log.extend(events);
                true
            }
            Err(error) => {
                assert_ne!(
                    expect,
                    Some(true),
                    "step {step}: {command:?} was refused ({error}), but the rules accept it"
                );
                assert!(*reg == before, "step {step}: the refused {command:?} ({error}) changed the registry");
                round_trip(&error);
                false
            }
        };
        check_invariants(reg);
        accepted
    }
}

/// Run a case: found a registry, turn every operation into a command against it and apply it
/// through [`Case::step`], checking the scopes now and then; return the registry and its log.
fn run(scheme_pick: u8, ops: &[Op], scopes: &[Vec<u16>]) -> (Registry, Vec<Event>) {
    let residents = resident_pool();
    let mut case = Case::new(scheme(scheme_pick));
    for (step, op) in ops.iter().enumerate() {
        let command = to_command(&case.reg, op, &residents);
        case.step(step, command);
        if step % 20 == 19 {
            check_tree_queries(&case.reg);
            for roots in scopes {
                check_scope(&case.reg, roots);
            }
        }
    }
    check_tree_queries(&case.reg);
    (case.reg, case.log)
}

/// The end-of-case checks: replay, snapshot, JSON, scopes.
fn check_persistence(reg: &Registry, log: &[Event]) {
    let replayed = Registry::replay(log).unwrap_or_else(|e| panic!("the log does not replay: {e}"));
    assert!(replayed == *reg, "the replayed registry differs");
    let stored: Vec<Event> =
        serde_json::from_str(&serde_json::to_string(log).expect("a log serialises")).expect("a stored log reads back");
    assert!(stored == log, "the log changed through JSON");
    assert!(Registry::replay(&stored).expect("the stored log replays") == *reg);

    let snapshot = reg.snapshot();
    let json = serde_json::to_string(&snapshot).expect("a snapshot serialises");
    let loaded = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).expect("a snapshot reads back"))
        .unwrap_or_else(|e| panic!("the snapshot does not load: {e}"));
    assert_eq!(loaded.snapshot(), snapshot, "the snapshot of the loaded registry differs");
    assert!(loaded == *reg, "the registry loaded from its snapshot differs");
    assert!(loaded.audit().is_empty());
    let direct: Registry = serde_json::from_str(&serde_json::to_string(reg).expect("a registry serialises"))
        .expect("a registry reads back");
    assert!(direct.snapshot() == reg.snapshot());
    assert!(direct == *reg, "the registry changed through JSON");
    assert_eq!(reg.founding_event(), log[0]);
    round_trip_everything(reg);
}

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/invariants.txt` and replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        max_shrink_iters: 2_000,
        ..proptest_config::persisted("proptest-regressions/invariants.txt", cases)
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Any sequence of commands keeps every invariant; refused commands change nothing;
    /// the log replays; snapshots and JSON give the registry back.
    #[test]
    fn random_commands_keep_every_invariant(
        scheme_pick in any::<u8>(),
        ops in ops(MAX_OPS),
        scopes in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..4), 1..4),
    ) {
        let (reg, log) = run(scheme_pick, &ops, &scopes);
        for roots in &scopes {
            check_scope(&reg, roots);
        }
        check_persistence(&reg, &log);
    }

    /// Overlays stay partitions without overlaps while units move under and out of cells.
    #[test]
    fn overlays_stay_partitions_while_units_move(
        scheme_pick in any::<u8>(),
        ops in grow_then(MAX_OPS, op(Mix::OVERLAYS)),
        scopes in prop::collection::vec(prop::collection::vec(any::<u16>(), 1..3), 1..2),
    ) {
        let (reg, log) = run(scheme_pick, &ops, &scopes);
        check_persistence(&reg, &log);
    }

    /// Replaying any prefix of a valid log gives a registry that keeps every invariant, and
    /// its snapshot loads into an equal registry.
    #[test]
    fn every_prefix_of_a_log_replays(
        scheme_pick in any::<u8>(),
        ops in ops(40),
        cut in any::<prop::sample::Index>(),
    ) {
        let (_, log) = run(scheme_pick, &ops, &[]);
        let prefix = &log[..=cut.index(log.len())];
        let reg = Registry::replay(prefix).expect("a prefix of a valid log replays");
        check_invariants(&reg);
        let loaded = Registry::from_snapshot(reg.snapshot()).expect("the snapshot loads");
        prop_assert!(loaded.snapshot() == reg.snapshot());
        prop_assert!(loaded == reg);
        // A log with an event left out either fails at a named event or still keeps every
        // invariant.
        if prefix.len() > 2 {
            let mut gapped = prefix.to_vec();
            gapped.remove(1 + cut.index(prefix.len() - 1));
            match Registry::replay(&gapped) {
                Ok(r) => check_invariants(&r),
                Err(Error::Registry(RegistryError::Replay { index, .. })) => prop_assert!(index < gapped.len()),
                Err(e) => prop_assert!(false, "a refused replay names no event: {e}"),
            }
        }
    }
}

/// A fixed case that exercises every command, accepted and refused, so that the checks above
/// are seen to accept a sound registry and the oracle to agree on each rule.
#[test]
fn the_checks_accept_a_registry_built_by_hand() {
    let scheme = LevelScheme::shanghai();
    let lv = |name: &str| scheme.level(name).expect("a Shanghai level");
    let (org, committee, compound, group) = (lv("住宅党组织"), lv("居委会"), lv("住宅小区"), lv("建筑小组"));
    let u = UnitId::new;
    let (h, p) = (HouseholdId::new, PersonId::new);
    let door = |d: &str| DoorLabel::new(d).expect("a valid door");
    let add = |parent: u32, name: &str, level: Level, kind: UnitKind| Command::AddUnit {
        parent: u(parent),
        unit: NewUnit::new(name, level, kind),
    };
    let residents = resident_pool();
    let day = NaiveDate::from_ymd_opt(2020, 2, 10).expect("a real date");
    let yard = UnitKind::Compound(CompoundKind::Military);
    let steps: Vec<(Command, bool)> = vec![
        (add(0, "党总支", org, UnitKind::Area), true),         // u1
        (add(0, "居委会甲", committee, UnitKind::Area), true), // u2, skipping the optional level
        (add(1, "居委会乙", committee, UnitKind::Area), true), // u3
        (add(2, "小区一", compound, yard), true),              // u4
        (add(3, "小区二", compound, yard), true),              // u5
        (add(4, "一组", group, UnitKind::Building), true),     // u6
        (add(4, "大门", group, UnitKind::Entrance(Some(CheckpointKind::PublicPlace))), true), // u7
        (add(0, "一组", group, UnitKind::Building), false),    // two levels skipped, one required
        (add(7, "门岗", group, UnitKind::Building), false),    // under an entrance
        (Command::AddHousehold { unit: u(6), door: door("1-101") }, true), // h0
        (Command::AddHousehold { unit: u(6), door: door("1-101") }, false), // the same door
        (Command::AddHousehold { unit: u(5), door: door("1-101") }, true), // h1
        (Command::AddHousehold { unit: u(7), door: door("1-102") }, false), // at an entrance
        (
            Command::RegisterPerson {
                household: h(0),
                record: PersonRecord::new()
                    .with_resident_id(residents[0])
                    .with_passport(passport(1))
                    .with_name(name(0))
                    .with_phone(Phone::new("13800000000").expect("a phone"))
                    .with_markers(markers(0b101)),
                state: PersonState::well(day),
            },
            true,
        ), // p0
        (
            Command::RegisterPerson {
                household: h(1),
                record: PersonRecord::new().with_resident_id(residents[0]),
                state: PersonState::well(day),
            },
            false,
        ),
        (
            Command::RegisterPerson {
                household: h(1),
                record: PersonRecord::new().with_passport(passport(1)),
                state: PersonState::well(day),
            },
            false,
        ),
        (
            Command::RegisterPerson {
                household: h(1),
                record: PersonRecord::new().with_resident_id(residents[1]),
                state: PersonState::new(State::HomeIsolationElsewhere, day),
            },
            true,
        ), // p1, a yellow household
        (
            Command::RegisterPerson { household: h(9), record: PersonRecord::new(), state: PersonState::well(day) },
            false,
        ),
        (Command::CreateOverlay { name: "片区".to_owned(), kind: OverlayKind::Zone }, true), // o0
        (Command::CreateOverlay { name: "片区".to_owned(), kind: OverlayKind::Grid }, false),
        (Command::AddCell { overlay: OverlayId::new(0), name: "一片".to_owned(), units: vec![u(2)] }, true), // c0
        (Command::AddCell { overlay: OverlayId::new(0), name: "二片".to_owned(), units: vec![u(6)] }, false), // inside c0
        (Command::AddCell { overlay: OverlayId::new(0), name: "二片".to_owned(), units: vec![u(5), u(3)] }, false), // nested
        (Command::AddCell { overlay: OverlayId::new(0), name: "二片".to_owned(), units: vec![u(5)] }, true), // c1
        (Command::ExtendCell { cell: CellId::new(0), units: vec![u(3)] }, false), // around c1
        (Command::MoveUnit { unit: u(3), new_parent: u(0) }, true),               // out of the party org
        (Command::MoveUnit { unit: u(5), new_parent: u(2) }, false),              // c1's unit into c0
        (Command::MoveUnit { unit: u(4), new_parent: u(3) }, true),               // u4 with h0 and p0 into u3
        (Command::MoveUnit { unit: u(0), new_parent: u(1) }, false),              // the root
        (Command::MoveUnit { unit: u(1), new_parent: u(1) }, false),              // under itself
        (Command::MoveHousehold { household: h(1), to: u(6) }, false),            // door taken at u6
        (Command::MoveHousehold { household: h(1), to: u(4) }, true),
        (Command::MovePerson { person: p(1), to: h(0), on: day }, true), // h0 turns yellow, h1 white
        (Command::MovePerson { person: p(1), to: h(7), on: day }, false),
        (Command::SetState { person: p(1), state: State::Well, on: day }, true), // released
        (Command::SetState { person: p(1), state: State::Well, on: day }, false), // well already
        (Command::SetState { person: p(0), state: State::Confirmed, on: day }, true),
        (Command::SetState { person: p(0), state: State::Well, on: day }, false), // not silently downgraded
        (
            Command::SetMeasure {
                person: p(0),
                measure: Measure::CentralisedIsolation,
                on: day.pred_opt().expect("a day"),
            },
            false,
        ), // before
        (Command::SetMeasure { person: p(0), measure: Measure::CentralisedIsolation, on: day }, true),
        (Command::SetMeasure { person: p(0), measure: Measure::CentralisedIsolation, on: day }, false), // already
        (Command::SetState { person: p(9), state: State::Well, on: day }, false),
        (Command::SetMarkers { person: p(0), markers: Markers::EMPTY }, true),
        (Command::SetMarkers { person: p(9), markers: Markers::EMPTY }, false),
        (Command::CloseUnit { unit: u(6), on: day, transfer_to: None }, false), // holds h0
        (Command::CloseUnit { unit: u(6), on: day, transfer_to: Some(u(4)) }, false), // door 1-101 taken at u4
        (Command::MoveHousehold { household: h(1), to: u(5) }, true),
        (Command::CloseUnit { unit: u(6), on: day, transfer_to: Some(u(6)) }, false), // into itself
        (Command::CloseUnit { unit: u(4), on: day, transfer_to: Some(u(5)) }, false), // open children
        (Command::CloseUnit { unit: u(6), on: day, transfer_to: Some(u(4)) }, true),
        (Command::CloseUnit { unit: u(7), on: day, transfer_to: None }, true),
        (Command::AddHousehold { unit: u(6), door: door("1-102") }, false), // closed
        (Command::MoveUnit { unit: u(6), new_parent: u(5) }, false),        // closed
        (Command::CloseUnit { unit: u(4), on: day, transfer_to: Some(u(5)) }, false), // door 1-101 taken at u5
        (Command::CloseUnit { unit: u(4), on: day, transfer_to: Some(u(2)) }, true),
    ];
    let mut case = Case::new(scheme.clone());
    for (i, (command, accept)) in steps.into_iter().enumerate() {
        let shown = format!("{command:?}");
        assert_eq!(case.step(i, command), accept, "step {i}: {shown}");
    }
    let reg = &case.reg;
    assert_eq!(reg.counts(u(2)).expect("u2"), Counts { households: 1, persons: 2 });
    assert_eq!(reg.counts(u(3)).expect("u3"), Counts { households: 1, persons: 0 });
    assert_eq!(reg.cell_of(OverlayId::new(0), h(0)).expect("known"), Some(CellId::new(0)));
    assert_eq!(reg.coverage(OverlayId::new(0)).expect("known"), Vec::<HouseholdId>::new());
    for roots in [vec![1], vec![2 * 16 + 1, 3 * 16 + 1], vec![0], vec![], vec![16 * 9 + 5]] {
        check_scope(reg, &roots);
    }
    check_persistence(reg, &case.log);
}

/// Regression: a household that moved from a unit of higher id to one of lower id leaves the
/// registry unequal to the one loaded from its snapshot (and to the one read back from JSON).
#[test]
fn a_snapshot_after_a_household_moved_down_the_ids_loads_equal() {
    let scheme = LevelScheme::zhengzhou();
    let mut reg = Registry::new(scheme, NewUnit::new("花园路街道", Level::new(0), UnitKind::Area)).expect("a root");
    let community = |name: &str| Command::AddUnit {
        parent: UnitId::new(0),
        unit: NewUnit::new(name, Level::new(1), UnitKind::Area),
    };
    let mut log = vec![reg.founding_event()];
    log.extend(reg.apply(community("A")).expect("community A"));
    log.extend(reg.apply(community("B")).expect("community B"));
    let door = DoorLabel::new("1-101").expect("a door");
    log.extend(reg.apply(Command::AddHousehold { unit: UnitId::new(2), door }).expect("a household in B"));
    log.extend(
        reg.apply(Command::MoveHousehold { household: HouseholdId::new(0), to: UnitId::new(1) })
            .expect("the household moves to A"),
    );
    assert!(reg.audit().is_empty());
    assert!(Registry::replay(&log).expect("the log replays") == reg);
    let loaded = Registry::from_snapshot(reg.snapshot()).expect("the snapshot loads");
    assert_eq!(loaded.snapshot(), reg.snapshot());
    assert!(loaded == reg, "the registry loaded from its snapshot differs");
}
