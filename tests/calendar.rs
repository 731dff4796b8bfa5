//! The calendar behind the daily agenda 每日事项: what is due on a date, for every open case.
//!
//! 1. **Scenarios**, told in the domain's words: an empty calendar, a case removed (released
//!    or escalated) that never appears again, a restart after a new exposure that replaces the
//!    old schedule without leaving a duplicate, releases the day after (US CDC counting).
//! 2. **The property** of issue 4, section 3: after random sequences of inserts (a random
//!    preset, sometimes counted from day one or without checks, from a random anchor within a
//!    few weeks), re-inserts (restarts) and removals over a few dozen cases, [`Calendar::due_on`]
//!    equals, for every date around the periods and in the documented order (key order, then
//!    [`Due`] order), a brute-force scan of a plain `BTreeMap` of the live cases' schedules
//!    computed from [`Schedule`]'s own accessors.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use wangge::quarantine::{Calendar, DayCounting, Due, Ending, Policy, Schedule};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn plus(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap()
}

/// Every date from `from`, `n` of them.
fn days(from: NaiveDate, n: u64) -> impl Iterator<Item = NaiveDate> {
    (0..n).map(move |i| plus(from, i))
}

/// The brute-force agenda: every live case scanned, its items read off its schedule.
fn scan<K: Copy>(cases: &BTreeMap<K, Schedule>, on: NaiveDate) -> Vec<(K, Due)> {
    let mut items = Vec::new();
    for (&key, s) in cases {
        if s.release() == on {
            items.push((key, Due::Release));
        }
        if s.test_days().any(|d| d == on) {
            items.push((key, Due::Test));
        }
        let required = s.check_slots().filter(|&(d, _)| d == on).count();
        if required > 0 {
            items.push((key, Due::Checks { required: u8::try_from(required).unwrap() }));
        }
        if s.last_day() == on {
            items.push((key, Due::LastDay));
        }
    }
    items
}

fn agenda<K: Copy + Ord>(calendar: &Calendar<K>, on: NaiveDate) -> Vec<(K, Due)> {
    calendar.due_on(on).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_calendar_has_nothing_due() {
    let calendar: Calendar<u32> = Calendar::new();
    assert!(calendar.is_empty());
    assert_eq!(calendar.len(), 0);
    assert!(!calendar.contains(0));
    for on in [NaiveDate::MIN, date(2020, 2, 1), NaiveDate::MAX] {
        assert_eq!(calendar.due_on(on).count(), 0);
    }
    let mut calendar = Calendar::<u32>::default();
    assert!(!calendar.remove(7), "removing a case never indexed is a no-op");
    assert!(calendar.is_empty());
}

#[test]
fn a_removed_case_never_appears_again() {
    let anchor = date(2020, 2, 1);
    let seed = Policy::seed_shanghai_2020().schedule(anchor).unwrap();
    let mut calendar = Calendar::new();
    calendar.insert(1u32, &seed);
    calendar.insert(2u32, &seed);
    assert!(calendar.remove(1), "case 1 escalated to a suspected case");
    assert!(!calendar.contains(1));
    assert_eq!(calendar.len(), 1);
    for on in days(anchor, 30) {
        assert!(calendar.due_on(on).all(|(key, _)| key == 2), "case 1 appears on {on}");
    }
    // Case 2 is still there, every day of its period.
    assert_eq!(days(anchor, 30).filter(|&on| calendar.due_on(on).next().is_some()).count(), 14);
    assert!(calendar.remove(2));
    assert!(calendar.is_empty());
    assert!(days(anchor, 30).all(|on| calendar.due_on(on).next().is_none()));
}

#[test]
fn a_restart_replaces_the_schedule_without_duplicates() {
    let jul = |d| date(2022, 7, d);
    let policy = Policy::cn_ed9_close_contact();
    let first = policy.schedule(jul(1)).unwrap();
    let again = policy.schedule(jul(4)).unwrap(); // exposed again on Jul 4: the period restarts
    let mut calendar = Calendar::new();
    calendar.insert(5u32, &first);
    calendar.insert(5u32, &again);
    assert_eq!(calendar.len(), 1);
    let only_again = BTreeMap::from([(5u32, again.clone())]);
    for on in days(jul(1), 20) {
        let items = agenda(&calendar, on);
        assert_eq!(items, scan(&only_again, on), "on {on}");
        let mut kinds: Vec<Due> = items.iter().map(|&(_, due)| due).collect();
        kinds.dedup();
        assert_eq!(kinds.len(), items.len(), "a duplicate item on {on}");
    }
    // The old release date (Jul 11) is the new period's day 7, a test day; the release is Jul 14.
    assert_eq!(agenda(&calendar, jul(11)), [(5, Due::Test), (5, Due::Checks { required: 2 })]);
    assert_eq!(
        agenda(&calendar, jul(14)),
        [(5, Due::Release), (5, Due::Test), (5, Due::Checks { required: 2 }), (5, Due::LastDay)]
    );
    // The old period's first days, before the new anchor's day 1, hold nothing.
    assert!(agenda(&calendar, jul(2)).is_empty());
}

#[test]
fn a_release_the_day_after_is_its_own_date() {
    // US CDC 2020: 14 days from the last exposure, free "after day 14", on day 15.
    let apr = |d| date(2020, 4, d);
    let s = Policy::us_cdc_2020_contact().schedule(apr(1)).unwrap();
    let mut calendar = Calendar::new();
    calendar.insert(1u32, &s);
    assert_eq!(agenda(&calendar, apr(15)), [(1, Due::Checks { required: s.checks_per_day() }), (1, Due::LastDay)]);
    assert_eq!(agenda(&calendar, apr(16)), [(1, Due::Release)]);
    assert!(agenda(&calendar, apr(17)).is_empty());
}

#[test]
fn the_agenda_is_in_key_order() {
    let anchor = date(2020, 2, 1);
    let mut calendar = Calendar::new();
    for key in [30u32, 10, 20] {
        calendar.insert(key, &Policy::seed_shanghai_2020().schedule(anchor).unwrap());
    }
    let keys: Vec<u32> = calendar.due_on(plus(anchor, 3)).map(|(key, _)| key).collect();
    assert_eq!(keys, [10, 20, 30]);
}

// ---------------------------------------------------------------------------------------------
// 2. The property: the index equals a brute-force scan
// ---------------------------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    let default = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { default.cases } else { cases },
        max_shrink_iters: 2_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/calendar.txt"))),
        ..default
    }
}

/// Distinct keys: a few dozen cases.
const KEYS: u16 = 40;

/// Anchors fall within this many days after `BASE`.
const ANCHOR_DAYS: u64 = 28;

const BASE: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// How a preset is varied, so that every day counting and a policy with no checks occur.
#[derive(Debug, Clone, Copy)]
enum Variant {
    AsIs,
    DayOne,
    NoChecks,
}

#[derive(Debug, Clone)]
enum Op {
    /// Insert (or re-insert, a restart) `key` with a preset from an anchor.
    Insert { key: u16, preset: usize, variant: Variant, anchor: u64 },
    /// Remove `key` (indexed or not).
    Remove { key: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    let presets = Policy::presets().len();
    let variant = prop_oneof![6 => Just(Variant::AsIs), 1 => Just(Variant::DayOne), 1 => Just(Variant::NoChecks)];
    prop_oneof![
        3 => (0..KEYS, 0..presets, variant, 0..ANCHOR_DAYS)
            .prop_map(|(key, preset, variant, anchor)| Op::Insert { key, preset, variant, anchor }),
        1 => (0..KEYS).prop_map(|key| Op::Remove { key }),
    ]
}

fn policy(preset: usize, variant: Variant) -> Policy {
    let p = Policy::presets().swap_remove(preset);
    match variant {
        Variant::AsIs => p,
        Variant::DayOne => p.to_builder().counting(DayCounting::AnchorIsDayOne).build().unwrap(),
        Variant::NoChecks => p.to_builder().checks_per_day(0).ending(Ending::Automatic).build().unwrap(),
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn due_on_equals_a_brute_force_scan(ops in prop::collection::vec(op(), 1..120), probe in 0..ANCHOR_DAYS + 30) {
        let mut calendar = Calendar::new();
        let mut model: BTreeMap<u16, Schedule> = BTreeMap::new();
        // From the day before the first anchor to past the last possible release (day 22).
        let window = || days(BASE.pred_opt().unwrap(), ANCHOR_DAYS + 30);
        for op in ops {
            match op {
                Op::Insert { key, preset, variant, anchor } => {
                    let schedule = policy(preset, variant).schedule(plus(BASE, anchor)).unwrap();
                    calendar.insert(key, &schedule);
                    model.insert(key, schedule);
                }
                Op::Remove { key } => {
                    prop_assert_eq!(calendar.remove(key), model.remove(&key).is_some());
                }
            }
            prop_assert_eq!(calendar.len(), model.len());
            prop_assert_eq!(calendar.is_empty(), model.is_empty());
            // One date after every operation, every date at the end.
            let on = plus(BASE, probe);
            prop_assert_eq!(agenda(&calendar, on), scan(&model, on), "on {}", on);
        }
        for key in 0..KEYS {
            prop_assert_eq!(calendar.contains(key), model.contains_key(&key));
        }
        for on in window() {
            prop_assert_eq!(agenda(&calendar, on), scan(&model, on), "on {}", on);
        }
    }
}
