//! Error codes and kinds (issue 18 §1): every variant of every area's error has a stable code
//! `area.what` and a kind, listed once in the table of `Error::code`.
//!
//! - The codes written in `src/error.rs` are unique, well formed, and each is in the documented
//!   table with the same kind, and the table holds nothing else.
//! - They equal `tests/golden/error_codes.txt`: a code renamed or removed, or its kind changed,
//!   fails here (a host matches on them). A new code is added to the golden file with
//!   `WANGGE_BLESS=1 cargo test --test error_codes`.
//! - Errors made by real commands carry the code and kind the table gives them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use wangge::colour::{PersonState, State};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord, ResidentId};
use wangge::{Command, Error, ErrorKind, PersonId, Registry};

const SOURCE: &str = include_str!("../src/error.rs");
const GOLDEN: &str = "tests/golden/error_codes.txt";

/// `(code, kind)` of each `Variant => Kind "code",` line of the macro calls.
fn written() -> Vec<(String, String)> {
    SOURCE
        .lines()
        .filter_map(|l| {
            let (_, rest) = l.trim().split_once(" => ")?;
            let (kind, code) = rest.split_once(' ')?;
            let code = code.strip_prefix('"')?.strip_suffix("\",")?;
            Some((code.to_owned(), kind.to_owned()))
        })
        .collect()
}

/// `(code, kind)` of each row of the documented table.
fn documented() -> Vec<(String, String)> {
    SOURCE
        .lines()
        .filter_map(|l| {
            let row = l.trim().strip_prefix("/// | `")?;
            let (code, rest) = row.split_once("` | ")?;
            let (kind, _) = rest.split_once(" | ")?;
            Some((code.to_owned(), kind.to_owned()))
        })
        .collect()
}

fn kind_name(kind: &str) -> String {
    // `NotFound` → `not found`, as the table writes it.
    let mut out = String::new();
    for (i, c) in kind.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[test]
fn every_code_is_unique_well_formed_and_documented_with_its_kind() {
    let written = written();
    assert!(written.len() > 150, "{} codes found: the parser lost them", written.len());
    let unique: BTreeSet<&str> = written.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(unique.len(), written.len(), "a code is written twice");
    for (code, kind) in &written {
        let (area, what) = code.split_once('.').expect("area.what");
        let snake = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_');
        assert!(snake(area) && snake(what), "{code} is not area.what in snake case");
        assert!(ErrorKind::ALL.iter().any(|k| format!("{k:?}") == *kind), "{code}: {kind} is not a kind");
    }
    let table: BTreeMap<String, String> = documented().into_iter().collect();
    let from_code: BTreeMap<String, String> = written.iter().map(|(c, k)| (c.clone(), kind_name(k))).collect();
    assert_eq!(table, from_code, "the table of Error::code and the codes written differ");
}

#[test]
fn the_codes_are_those_of_the_golden_list() {
    let now: String = written().iter().map(|(c, k)| format!("{c} {k}\n")).collect();
    if std::env::var_os("WANGGE_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(GOLDEN, &now).expect("written");
    }
    let golden = std::fs::read_to_string(GOLDEN).expect("the golden list");
    let golden: BTreeSet<&str> = golden.lines().collect();
    let now: BTreeSet<&str> = now.lines().collect();
    let gone: Vec<&&str> = golden.difference(&now).collect();
    assert!(gone.is_empty(), "codes renamed, removed or of another kind: {gone:?}");
    let new: Vec<&&str> = now.difference(&golden).collect();
    assert!(new.is_empty(), "new codes not in {GOLDEN} (bless them): {new:?}");
}

fn jan(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, d).expect("a date")
}

#[test]
fn errors_of_real_commands_carry_their_code_and_kind() {
    let levels = LevelScheme::zhengzhou();
    let mut reg = Registry::new(
        levels.clone(),
        NewUnit::new("花园路街道", levels.level("街道").expect("a level"), UnitKind::Area),
    )
    .expect("a registry");
    let door = DoorLabel::new("1-101").expect("a door");
    let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: door.clone() }).expect("added")[0]
        .new_household()
        .expect("a household");
    let person = reg
        .apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(jan(1)) })
        .expect("registered")[0]
        .new_person()
        .expect("a person");
    let check = |err: Error, code: &str, kind: ErrorKind| {
        assert_eq!((err.code(), err.kind()), (code, kind), "{err}");
    };
    check(reg.state(PersonId::new(99)).expect_err("no such person"), "people.unknown_person", ErrorKind::NotFound);
    let again = reg.apply(Command::AddHousehold { unit: reg.root(), door }).expect_err("a duplicate door");
    check(again, "people.duplicate_door", ErrorKind::Conflict);
    reg.apply(Command::OpenDay { today: jan(2) }).expect("a day");
    let back = reg.apply(Command::OpenDay { today: jan(1) }).expect_err("not forward");
    check(back, "registry.day_not_forward", ErrorKind::Conflict);
    let same = reg.apply(Command::SetState { person, state: State::Well, on: jan(2) }).expect_err("unchanged");
    check(same, "colour.unchanged", ErrorKind::Conflict);
    let future = reg.apply(Command::SetState { person, state: State::Confirmed, on: jan(3) }).expect_err("tomorrow");
    check(future, "registry.after_business_date", ErrorKind::Conflict);
    let bad = Error::from(ResidentId::parse("1101051949123100").expect_err("too short"));
    check(bad, "identity.wrong_length", ErrorKind::Invalid);
    let scope = reg.scope(&[]).expect_err("an empty scope");
    check(scope, "registry.empty_scope", ErrorKind::Invalid);
}
