//! The names of commands and events (issue 18 §1): `Command::kind`, `Command::category` and
//! `Event::kind` are stable, so a host may keep them in a permission table or an indexed
//! column.
//!
//! - Each name is its variant's name in snake case (derived here from the variant, not read
//!   from the code under test), unique, and equal to `tests/golden/command_kinds.txt` /
//!   `event_kinds.txt`: a name renamed, removed or moved to another category fails here. New
//!   ones are added with `WANGGE_BLESS=1 cargo test --test kinds`.
//! - A city-wide command sent through a scope without the root is refused with
//!   `RegistryError::CityWide` naming its kind; through the root's scope it is accepted.
//! - States, colours, measures and markers read back what they print, and their serde names.

use chrono::NaiveDate;
use wangge::grid::{LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::quarantine::Policy;
use wangge::registry::CommandCategory;
use wangge::{Command, Error, ErrorKind, Registry, RegistryError};

const KINDS: &str = include_str!("../src/registry/kinds.rs");

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `(variant, name, rest)` of each arm `Enum::Variant { .. } => ...` in kinds.rs.
fn arms(prefix: &str) -> Vec<(String, String, String)> {
    KINDS
        .lines()
        .filter_map(|l| {
            let arm = l.trim().strip_prefix(prefix)?;
            let (variant, rest) = arm.split_once(" { .. } => ")?;
            let name = rest.split('"').nth(1)?;
            let category = rest.split("CommandCategory::").nth(1).map(|c| c.trim_end_matches("),").to_owned());
            Some((variant.to_owned(), name.to_owned(), category.unwrap_or_default()))
        })
        .collect()
}

fn check_against_golden(file: &str, lines: String) {
    if std::env::var_os("WANGGE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(file, &lines).expect("written");
    }
    let golden = std::fs::read_to_string(file).expect("the golden list");
    let golden: std::collections::BTreeSet<&str> = golden.lines().collect();
    let now: std::collections::BTreeSet<&str> = lines.lines().collect();
    let gone: Vec<&&str> = golden.difference(&now).collect();
    assert!(gone.is_empty(), "names renamed, removed or moved: {gone:?}");
    let new: Vec<&&str> = now.difference(&golden).collect();
    assert!(new.is_empty(), "new names not in {file} (bless them): {new:?}");
}

#[test]
fn command_and_event_names_are_their_variants_in_snake_case_and_stable() {
    for (prefix, file, at_least) in
        [("Command::", "tests/golden/command_kinds.txt", 40), ("Event::", "tests/golden/event_kinds.txt", 40)]
    {
        let arms = arms(prefix);
        assert!(arms.len() >= at_least, "{} arms of {prefix}: the parser lost them", arms.len());
        let mut names: Vec<&str> = arms.iter().map(|a| a.1.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), arms.len(), "a {prefix} name is used twice");
        for (variant, name, _) in &arms {
            assert_eq!(*name, snake(variant), "{prefix}{variant}");
        }
        if prefix == "Command::" {
            let all: Vec<String> = CommandCategory::ALL.iter().map(|c| format!("{c:?}")).collect();
            assert!(arms.iter().all(|a| all.contains(&a.2)), "a command without a known category");
        }
        check_against_golden(file, arms.iter().map(|(_, n, c)| format!("{n} {c}\n").replace(" \n", "\n")).collect());
    }
}

#[test]
fn a_city_wide_command_through_a_scope_is_refused_as_city_wide() {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a registry");
    let root = reg.root();
    let community = reg
        .apply(Command::AddUnit { parent: root, unit: NewUnit::new("甲社区", lv("社区"), UnitKind::Area) })
        .expect("added")[0]
        .new_unit()
        .expect("a unit");
    let today = NaiveDate::from_ymd_opt(2020, 2, 1).expect("a date");
    let commands = [
        Command::OpenDay { today },
        Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() },
        Command::CreateOverlay { name: "网格".to_owned(), kind: OverlayKind::Grid },
    ];
    for command in commands {
        assert_eq!(command.category(), CommandCategory::CityWide);
        let refused = reg.apply_within(&[community], command.clone()).expect_err("city-wide");
        assert_eq!(refused, Error::Registry(RegistryError::CityWide { command: command.kind().to_owned() }));
        assert_eq!((refused.code(), refused.kind()), ("registry.city_wide", ErrorKind::Forbidden));
        reg.apply_within(&[root], command).expect("the root's scope may");
    }
    let add = Command::AddUnit { parent: community, unit: NewUnit::new("1号院", lv("楼院"), UnitKind::Area) };
    assert_eq!((add.kind(), add.category()), ("add_unit", CommandCategory::Structure));
    let events = reg.apply_within(&[community], add).expect("inside");
    assert_eq!(events[0].kind(), "unit_added");
}

/// `FromStr` and `Display` are a pair for the values a host puts in a URL or a form: each value
/// reads back from what it prints and from its serde name (compared with serde_json's own
/// output, not the code under test), and nothing else reads.
#[test]
fn states_colours_measures_and_markers_read_back_what_they_print() {
    use wangge::ParseNameError;
    use wangge::colour::{Colour, Measure, State};
    use wangge::people::Marker;

    fn pair<T>(all: &[T], what: &str)
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + serde::Serialize,
        T: std::str::FromStr<Err = ParseNameError>,
    {
        for &v in all {
            assert_eq!(v.to_string().parse::<T>(), Ok(v), "{v:?} printed");
            let name = serde_json::to_string(&v).expect("a name");
            assert_eq!(name.trim_matches('"').parse::<T>(), Ok(v), "{v:?} by its serde name");
            let upper = v.to_string().to_uppercase();
            assert_eq!(upper.parse::<T>().map_err(|e| e.what()), Err(what), "{upper} is no {what}");
        }
        assert!("".parse::<T>().is_err() && " a close contact".parse::<T>().is_err());
    }
    pair(&State::ALL, "state");
    pair(&Colour::BY_SEVERITY, "colour");
    pair(&Measure::ALL, "measure");
    pair(&Marker::ALL, "marker");
}

/// A labelled agenda line serialises flat: the item's ids and what is due, then the door label
/// and the unit's name, for a host's list; a page of an agenda labels just that page.
#[test]
fn labelled_agenda_lines_carry_the_door_and_the_unit_name() {
    use wangge::colour::PersonState;
    use wangge::people::{DoorLabel, PersonRecord};
    use wangge::quarantine::Category;

    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a registry");
    let yard = reg
        .apply(Command::AddUnit {
            parent: reg.root(), unit: NewUnit::new("丰产路壹号", lv("社区"), UnitKind::Area)
        })
        .expect("added")[0]
        .new_unit()
        .expect("a unit");
    let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).expect("a date");
    let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).expect("adopted")[0]
        .new_policy()
        .expect("an id");
    reg.apply(Command::OpenDay { today: feb(1) }).expect("a day");
    for door in ["1-101", "2-202", "3-303"] {
        let household = reg
            .apply(Command::AddHousehold { unit: yard, door: DoorLabel::new(door).expect("a door") })
            .expect("added")[0]
            .new_household()
            .expect("an id");
        let person = reg
            .apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })
            .expect("registered")[0]
            .new_person()
            .expect("an id");
        let category = Category::ArrivalFromElsewhere;
        reg.apply(Command::StartCase { person, policy, category, anchor: feb(1), on: feb(1), linked: None })
            .expect("a case");
    }
    let agenda = reg.agenda(feb(3)); // everyone missed their checks of Feb 2
    assert_eq!(agenda.len(), 3);
    let page = reg.labelled(&agenda.items()[1..]);
    assert_eq!(page.iter().map(|l| l.door.as_str()).collect::<Vec<_>>(), ["2-202", "3-303"]);
    let json = serde_json::to_value(&page[0]).expect("a line");
    assert_eq!(json["door"], "2-202");
    assert_eq!(json["unit_name"], "丰产路壹号");
    assert_eq!(json["household"], 1);
    assert!(json["item"].is_object(), "{json}");
}

/// Unit kinds print as their serde variant with what it holds (worked out here from serde_json's
/// own form) and read back; every kind is listed once.
#[test]
fn unit_kinds_read_back_what_they_print() {
    let all: Vec<UnitKind> = UnitKind::all().collect();
    assert_eq!(all.len(), 4 + 5 + 1 + 4);
    for (i, &kind) in all.iter().enumerate() {
        assert!(!all[..i].contains(&kind), "{kind:?} listed twice");
        let expected = match serde_json::to_value(kind).expect("a kind") {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(m) => {
                let (k, v) = m.into_iter().next().expect("one variant");
                match v {
                    serde_json::Value::Null => k,
                    serde_json::Value::String(inner) => format!("{k}({inner})"),
                    other => panic!("{other}"),
                }
            }
            other => panic!("{other}"),
        };
        assert_eq!(kind.to_string(), expected);
        assert_eq!(expected.parse::<UnitKind>(), Ok(kind));
    }
    for bad in ["", "area", "Compound", "Compound()", "Entrance(None)", " Area"] {
        assert_eq!(bad.parse::<UnitKind>().map_err(|e| e.what()), Err("unit kind"), "{bad:?}");
    }
}
