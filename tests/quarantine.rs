//! Isolation periods 隔离期, told in the domain's words and checked three ways:
//!
//! 1. **The table.** `tests/data/quarantine_schedules.csv` holds schedules computed by hand
//!    (by another engineer, from `ISOLATION_RULES.md` and not from this crate): for each
//!    preset and anchor date, every phase's first and last day, every test day and the release
//!    date. Every row must match [`Policy::schedule`], and every preset must appear.
//! 2. **Scenarios.** A close contact exposed again, an arrival counted as day 1, a secondary
//!    contact whose release waits on someone else's tests.
//! 3. **Properties** over random valid policies and anchors: the day counting of DOMAIN.md
//!    section 5 (anchor = day 0, an N-day phase covers days 1..=N, the next starts on day
//!    N + 1), the release conventions, test days and check slots inside the period,
//!    `phase_on` agreeing with the phase list, the day-one counting shifting everything a day
//!    earlier, invalid policies refused with the right error (also when read with serde), and
//!    serde round trips.

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use wangge::quarantine::{
    Anchor, DayCounting, Ending, LinkedRelease, MAX_CHECKS_PER_DAY, MAX_NAME_CHARS, MAX_TOTAL_DAYS, Phase, Policy,
    PolicyBuilder, QuarantineError, Release, Schedule, Setting, Temperature,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn plus(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap()
}

fn minus(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. The table of hand-computed schedules
// ---------------------------------------------------------------------------------------------

/// One row of the data file: what a preset must give for an anchor date.
#[derive(Debug)]
struct Row {
    line: usize,
    preset: String,
    anchor: NaiveDate,
    phases: Vec<(Setting, NaiveDate, NaiveDate)>,
    tests: Vec<NaiveDate>,
    release: NaiveDate,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("bad date {s:?}: {e}"))
}

fn parse_setting(s: &str) -> Result<Setting, String> {
    // Setting names are the serde variant names.
    serde_json::from_str(&format!("\"{}\"", s.trim())).map_err(|e| format!("bad setting {s:?}: {e}"))
}

fn parse_row(line: usize, text: &str) -> Result<Row, String> {
    let fields: Vec<&str> = text.split(',').collect();
    let [preset, anchor, phases, tests, release] = fields[..] else {
        return Err(format!("expected 5 comma-separated fields, found {}", fields.len()));
    };
    let phases = phases
        .split(';')
        .map(|p| {
            let (setting, range) = p.split_once(':').ok_or(format!("phase {p:?} has no ':'"))?;
            let (first, last) = range.split_once("..").ok_or(format!("phase {p:?} has no '..'"))?;
            Ok((parse_setting(setting)?, parse_date(first)?, parse_date(last)?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let tests = if tests.trim().is_empty() {
        Vec::new()
    } else {
        tests.split(';').map(parse_date).collect::<Result<Vec<_>, String>>()?
    };
    Ok(Row {
        line,
        preset: preset.trim().to_owned(),
        anchor: parse_date(anchor)?,
        phases,
        tests,
        release: parse_date(release)?,
    })
}

/// The rows of the data file, with their 1-based line numbers; comments and blank lines
/// skipped, the header checked.
fn table() -> Vec<Row> {
    let text = include_str!("data/quarantine_schedules.csv");
    let mut header_seen = false;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            assert_eq!(line, "preset,anchor,phases,tests,release", "line {line_no}: the header");
            header_seen = true;
            continue;
        }
        match parse_row(line_no, line) {
            Ok(row) => rows.push(row),
            Err(e) => panic!("line {line_no}: {e}"),
        }
    }
    assert!(header_seen, "the data file has no header");
    rows
}

/// Where a schedule differs from a row, as messages naming the row's line.
fn compare(row: &Row, policy: &Policy) -> Vec<String> {
    let at = |what: String| format!("line {} ({} from {}): {what}", row.line, row.preset, row.anchor);
    let s = match policy.schedule(row.anchor) {
        Ok(s) => s,
        Err(e) => return vec![at(format!("no schedule: {e}"))],
    };
    let mut wrong = Vec::new();
    let got: Vec<_> = s.phases().iter().map(|p| (p.setting(), p.first(), p.last())).collect();
    if got != row.phases {
        wrong.push(at(format!("phases {got:?}, expected {:?}", row.phases)));
    }
    let tests: Vec<_> = s.test_days().collect();
    if tests != row.tests {
        wrong.push(at(format!("tests {tests:?}, expected {:?}", row.tests)));
    }
    if s.release() != row.release {
        wrong.push(at(format!("release {}, expected {}", s.release(), row.release)));
    }
    if s.anchor() != row.anchor {
        wrong.push(at(format!("anchor {}, expected {}", s.anchor(), row.anchor)));
    }
    if let Some(&(_, _, last)) = row.phases.last()
        && s.last_day() != last
    {
        wrong.push(at(format!("last day {}, expected {last}", s.last_day())));
    }
    for &t in &row.tests {
        if s.tests_due_on(t) != 1 {
            wrong.push(at(format!("tests_due_on({t}) = {}, expected 1", s.tests_due_on(t))));
        }
    }
    wrong
}

#[test]
fn every_row_of_the_hand_computed_table_matches() {
    let presets = Policy::presets();
    let rows = table();
    assert!(!rows.is_empty(), "the data file has no rows");
    let mut wrong = Vec::new();
    for row in &rows {
        match presets.iter().find(|p| p.name() == row.preset) {
            Some(policy) => wrong.extend(compare(row, policy)),
            None => wrong.push(format!("line {}: no preset named {:?}", row.line, row.preset)),
        }
    }
    assert!(wrong.is_empty(), "{} mismatches:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_preset_appears_in_the_table() {
    let named: BTreeSet<String> = table().into_iter().map(|r| r.preset).collect();
    let missing: Vec<_> =
        Policy::presets().into_iter().map(|p| p.name().to_owned()).filter(|n| !named.contains(n)).collect();
    assert!(missing.is_empty(), "presets with no row in tests/data/quarantine_schedules.csv: {missing:?}");
}

// ---------------------------------------------------------------------------------------------
// 2. Scenarios
// ---------------------------------------------------------------------------------------------

#[test]
fn a_traveller_from_wuhan_is_observed_at_home_for_fourteen_days() {
    // Seed 001: arrived in Shanghai on 1 February 2020; temperature twice a day.
    let policy = Policy::seed_shanghai_2020();
    assert_eq!(policy.anchor(), Anchor::Arrival);
    let s = policy.schedule(date(2020, 2, 1)).unwrap();
    assert_eq!(s.checks_due_on(date(2020, 2, 1)), 0, "the arrival day is day 0");
    assert_eq!(s.checks_due_on(date(2020, 2, 2)), 2);
    assert_eq!(s.check_slots().count(), 28);
    assert_eq!(s.release(), date(2020, 2, 15));
    assert_eq!(s.day_number(s.release()), 14);
    // 37.3 °C or more is a fever.
    assert!(policy.is_fever("37.3".parse().unwrap()));
    assert!(!policy.is_fever("37.2".parse().unwrap()));
}

#[test]
fn a_new_exposure_restarts_the_period_from_the_new_day_zero() {
    let policy = Policy::cn_ed9_close_contact();
    let first = policy.schedule(date(2022, 7, 1)).unwrap();
    // Exposed again on day 4: a new schedule from the new anchor.
    let again = policy.schedule(date(2022, 7, 5)).unwrap();
    assert_eq!(first.day_number(date(2022, 7, 5)), 4);
    assert_eq!(again.day_number(date(2022, 7, 5)), 0);
    assert_eq!(again.release(), plus(first.release(), 4));
    assert_eq!(again.phases()[0].first(), date(2022, 7, 6));
}

#[test]
fn where_the_arrival_day_counts_as_day_one_everything_is_a_day_earlier() {
    let national = Policy::cn_ed9_inbound();
    let local =
        national.to_builder().name("cn_ed9_inbound_day_one").counting(DayCounting::AnchorIsDayOne).build().unwrap();
    let arrived = date(2022, 7, 1);
    let (n, l) = (national.schedule(arrived).unwrap(), local.schedule(arrived).unwrap());
    assert_eq!(l.phases()[0].first(), arrived);
    assert_eq!(l.day_number(arrived), 1);
    assert_eq!(l.release(), minus(n.release(), 1));
    assert_eq!(l.day_number(l.release()), n.day_number(n.release()));
}

#[test]
fn a_secondary_contact_waits_on_the_close_contacts_first_two_tests() {
    for p in [Policy::cn_ed8_secondary_contact(), Policy::cn_ed9_secondary_contact()] {
        assert_eq!(p.linked(), Some(LinkedRelease::CN_SECONDARY_CONTACT), "{}", p.name());
        assert_eq!(p.linked().map(LinkedRelease::first_tests), Some(2));
        let s = p.schedule(date(2022, 7, 1)).unwrap();
        assert_eq!(s.day_number(s.release()), 7);
    }
    // Home isolation under edition 9, a facility under edition 8.
    assert_eq!(Policy::cn_ed9_secondary_contact().phases()[0].setting(), Setting::HomeIsolation);
    assert_eq!(Policy::cn_ed8_secondary_contact().phases()[0].setting(), Setting::CentralisedIsolation);
}

#[test]
fn the_us_cdc_frees_a_contact_after_the_last_day_by_itself() {
    let p = Policy::us_cdc_dec2020_contact_with_test();
    assert_eq!((p.release(), p.ending()), (Release::DayAfter, Ending::Automatic));
    let s = p.schedule(date(2020, 12, 5)).unwrap();
    assert_eq!(s.last_day(), date(2020, 12, 12));
    assert_eq!(s.release(), date(2020, 12, 13));
    assert_eq!(s.checks_due_on(s.release()), 0);
    assert_eq!(s.test_days().collect::<Vec<_>>(), [date(2020, 12, 10)]);
    assert!(!p.is_fever("37.9".parse().unwrap()));
    assert!(p.is_fever("38.0".parse().unwrap()));
}

#[test]
fn policies_and_their_errors_go_through_the_crate_error() {
    fn build() -> Result<Policy, wangge::Error> {
        Ok(Policy::new("empty", Anchor::Arrival, vec![])?)
    }
    assert_eq!(build(), Err(wangge::Error::Quarantine(QuarantineError::NoPhases)));
}

#[test]
fn every_preset_survives_json() {
    for p in Policy::presets() {
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p, "{json}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Properties
// ---------------------------------------------------------------------------------------------

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/quarantine.txt` and replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        max_shrink_iters: 2_000,
        ..proptest_config::persisted("proptest-regressions/quarantine.txt", cases)
    }
}

fn setting() -> impl Strategy<Value = Setting> {
    prop::sample::select(Setting::ALL.to_vec())
}

fn anchor_kind() -> impl Strategy<Value = Anchor> {
    prop::sample::select(Anchor::ALL.to_vec())
}

/// A valid phase: 1 to 40 days, test days among them.
fn phase() -> impl Strategy<Value = Phase> {
    (setting(), 1u16..=40).prop_flat_map(|(setting, days)| {
        prop::collection::vec(1..=days, 0..6).prop_map(move |tests| Phase::new(setting, days).with_tests(tests))
    })
}

/// A valid policy: 1 to 5 phases (at most 200 days), any counting, anchor, release, ending,
/// fever and linked release, and checks a day consistent with the ending.
fn policy() -> impl Strategy<Value = Policy> {
    (
        prop::collection::vec(phase(), 1..=5),
        anchor_kind(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0u8..=4,
        Temperature::MIN_TENTHS..=Temperature::MAX_TENTHS,
        prop::option::of(1u8..=3),
    )
        .prop_map(|(phases, anchor, day_one, day_after, automatic, checks, fever, linked)| {
            let ending = if automatic || checks == 0 { Ending::Automatic } else { Ending::AfterCleanLastCheck };
            Policy::builder("random", anchor, phases)
                .source("proptest")
                .counting(if day_one { DayCounting::AnchorIsDayOne } else { DayCounting::AnchorIsDayZero })
                .release(if day_after { Release::DayAfter } else { Release::OnLastDay })
                .ending(ending)
                .checks_per_day(checks)
                .fever(Temperature::from_tenths(fever).unwrap())
                .linked(linked.map(|n| LinkedRelease::new(n).unwrap()))
                .build()
                .unwrap()
        })
}

/// An anchor date between 1900 and about 2100.
fn anchor_date() -> impl Strategy<Value = NaiveDate> {
    (0u64..73_000).prop_map(|n| plus(date(1900, 1, 1), n))
}

/// The date of day `day` under `counting`, computed here from DOMAIN.md's rule.
fn day(anchor: NaiveDate, counting: DayCounting, day: u32) -> NaiveDate {
    match counting {
        DayCounting::AnchorIsDayZero => plus(anchor, u64::from(day)),
        DayCounting::AnchorIsDayOne => plus(anchor, u64::from(day) - 1),
    }
}

/// Every invariant of a schedule against its policy.
fn check_schedule(p: &Policy, anchor: NaiveDate, s: &Schedule) -> Result<(), TestCaseError> {
    let counting = p.counting();
    let total: u32 = p.phases().iter().map(|ph| u32::from(ph.days())).sum();
    prop_assert_eq!(p.total_days(), total);
    prop_assert_eq!(s.total_days(), total);
    prop_assert_eq!(s.anchor(), anchor);
    prop_assert_eq!(s.phases().len(), p.phases().len());

    // Phases: contiguous and in order, the first starting on day 1.
    prop_assert_eq!(s.first_day(), day(anchor, counting, 1));
    prop_assert_eq!(s.phases()[0].first(), s.first_day());
    prop_assert_eq!(s.day_number(s.first_day()), 1);
    let mut start = 1u32;
    for (i, (dates, phase)) in s.phases().iter().zip(p.phases()).enumerate() {
        let end = start + u32::from(phase.days()) - 1;
        prop_assert_eq!(dates.setting(), phase.setting());
        prop_assert_eq!(dates.first(), day(anchor, counting, start), "phase {}", i);
        prop_assert_eq!(dates.last(), day(anchor, counting, end), "phase {}", i);
        prop_assert_eq!(dates.days(), u32::from(phase.days()));
        if let Some(next) = s.phases().get(i + 1) {
            prop_assert_eq!(next.first(), plus(dates.last(), 1));
        }
        // Each test day d of the phase is its first date + (d - 1), and lies in the phase.
        let expected: Vec<_> = phase.test_days().iter().map(|&d| (plus(dates.first(), u64::from(d) - 1), i)).collect();
        let got: Vec<_> = s.tests().iter().copied().filter(|&(_, at)| at == i).collect();
        prop_assert_eq!(&got, &expected);
        for &(t, _) in &got {
            prop_assert!(dates.contains(t));
            prop_assert_eq!(s.phase_index_on(t), Some(i));
        }
        start = end + 1;
    }
    prop_assert_eq!(s.last_day(), day(anchor, counting, total));
    prop_assert_eq!(s.phases().last().map(|ph| ph.last()), Some(s.last_day()));
    let test_dates: Vec<_> = s.test_days().collect();
    prop_assert!(test_dates.windows(2).all(|w| w[0] < w[1]), "tests in date order, no date twice");
    prop_assert_eq!(test_dates.len(), p.phases().iter().map(|ph| ph.test_days().len()).sum::<usize>());

    // Release: never before anchor + total (on the last day) or + total + 1 (the day after).
    let release_day = match p.release() {
        Release::OnLastDay => total,
        Release::DayAfter => total + 1,
    };
    prop_assert_eq!(s.day_number(s.release()), i64::from(release_day));
    prop_assert_eq!(s.release(), day(anchor, counting, release_day));
    if counting == DayCounting::AnchorIsDayZero {
        prop_assert!(s.release() >= plus(anchor, u64::from(release_day)));
    }
    prop_assert_eq!(s.release() == s.last_day(), p.release() == Release::OnLastDay);
    prop_assert_eq!(s.ending(), p.ending());
    prop_assert_eq!(s.release_rule(), p.release());

    // Check slots: total × checks a day, all inside the period, in order, none twice.
    let slots: Vec<_> = s.check_slots().collect();
    prop_assert_eq!(slots.len(), total as usize * usize::from(p.checks_per_day()));
    prop_assert!(slots.windows(2).all(|w| w[0] < w[1]));
    for &(d, slot) in &slots {
        prop_assert!(s.first_day() <= d && d <= s.last_day());
        prop_assert!((1..=p.checks_per_day()).contains(&slot));
    }

    // Day by day around the period: phase_on agrees with the phase list, checks and tests due.
    let mut d = minus(anchor, 2);
    let end = plus(s.release(), 2);
    while d <= end {
        let by_list = s.phases().iter().position(|ph| ph.first() <= d && d <= ph.last());
        prop_assert_eq!(s.phase_index_on(d), by_list, "{}", d);
        prop_assert_eq!(s.phase_on(d), by_list.map(|i| &s.phases()[i]));
        let inside = s.first_day() <= d && d <= s.last_day();
        prop_assert_eq!(s.contains(d), inside);
        prop_assert_eq!(s.checks_due_on(d), if inside { p.checks_per_day() } else { 0 });
        prop_assert_eq!(s.checks_due_on(d) as usize, slots.iter().filter(|&&(sd, _)| sd == d).count());
        prop_assert_eq!(s.tests_due_on(d) as usize, test_dates.iter().filter(|&&t| t == d).count());
        prop_assert_eq!(s.day_number(d), (d - anchor).num_days() + counting.anchor_day());
        d = plus(d, 1);
    }
    Ok(())
}

/// A way to break a valid policy, and the error it must then give.
#[derive(Debug, Clone)]
enum Break {
    NoPhases,
    ZeroLength(usize),
    TestDayAfterEnd(usize, u16),
    TestDayZero(usize),
    ZeroChecks,
    TooManyChecks(u8),
    TooLong(u16),
    BlankName(usize),
    LongName(usize),
}

fn breakage() -> impl Strategy<Value = Break> {
    prop_oneof![
        Just(Break::NoPhases),
        any::<usize>().prop_map(Break::ZeroLength),
        (any::<usize>(), 1u16..100).prop_map(|(i, k)| Break::TestDayAfterEnd(i, k)),
        any::<usize>().prop_map(Break::TestDayZero),
        Just(Break::ZeroChecks),
        (MAX_CHECKS_PER_DAY + 1..=u8::MAX).prop_map(Break::TooManyChecks),
        (0u16..1_000).prop_map(Break::TooLong),
        (0usize..4).prop_map(Break::BlankName),
        (1usize..50).prop_map(Break::LongName),
    ]
}

/// `p` broken by `b`, and the first problem that must be found.
fn broken(p: &Policy, b: &Break) -> (PolicyBuilder, QuarantineError) {
    let mut phases = p.phases().to_vec();
    let builder = p.to_builder();
    let n = phases.len();
    match *b {
        Break::NoPhases => (builder.phases(vec![]), QuarantineError::NoPhases),
        Break::ZeroLength(i) => {
            let i = i % n;
            phases[i] = Phase::new(phases[i].setting(), 0).with_tests(phases[i].test_days().iter().copied());
            (builder.phases(phases), QuarantineError::ZeroLength { phase: i })
        }
        Break::TestDayAfterEnd(i, k) => {
            let i = i % n;
            let days = phases[i].days();
            let tests = phases[i].test_days().iter().copied().chain([days + k]);
            phases[i] = phases[i].clone().with_tests(tests);
            (builder.phases(phases), QuarantineError::TestDayOutsidePhase { phase: i, day: days + k, days })
        }
        Break::TestDayZero(i) => {
            let i = i % n;
            let days = phases[i].days();
            let tests = phases[i].test_days().iter().copied().chain([0]);
            phases[i] = phases[i].clone().with_tests(tests);
            (builder.phases(phases), QuarantineError::TestDayOutsidePhase { phase: i, day: 0, days })
        }
        Break::ZeroChecks => {
            (builder.checks_per_day(0).ending(Ending::AfterCleanLastCheck), QuarantineError::ZeroChecks)
        }
        Break::TooManyChecks(c) => {
            (builder.checks_per_day(c), QuarantineError::TooManyChecks { checks: c, max: MAX_CHECKS_PER_DAY })
        }
        Break::TooLong(extra) => {
            // A last phase long enough to pass the cap by 1 + extra days.
            let add = MAX_TOTAL_DAYS + 1 + u32::from(extra) - p.total_days();
            let add = u16::try_from(add).unwrap();
            phases.push(Phase::new(Setting::HomeHealthMonitoring, add));
            let days = p.total_days() + u32::from(add);
            (builder.phases(phases), QuarantineError::TooLong { days, max: MAX_TOTAL_DAYS })
        }
        Break::BlankName(k) => {
            let name = " ".repeat(k);
            (builder.name(name), QuarantineError::InvalidName { chars: k, max: MAX_NAME_CHARS })
        }
        Break::LongName(k) => {
            let name = "隔".repeat(MAX_NAME_CHARS + k);
            (builder.name(name), QuarantineError::InvalidName { chars: MAX_NAME_CHARS + k, max: MAX_NAME_CHARS })
        }
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Every schedule keeps DOMAIN.md's day counting and the policy's conventions.
    #[test]
    fn schedules_count_days_as_the_domain_says(p in policy(), anchor in anchor_date()) {
        let s = p.schedule(anchor).unwrap();
        check_schedule(&p, anchor, &s)?;
    }

    /// Counting the anchor as day 1 gives the schedule of the day before, counted from 0.
    #[test]
    fn anchor_is_day_one_shifts_everything_a_day_earlier(p in policy(), anchor in anchor_date()) {
        let zero = p.to_builder().counting(DayCounting::AnchorIsDayZero).build().unwrap();
        let one = p.to_builder().counting(DayCounting::AnchorIsDayOne).build().unwrap();
        let (a, b) = (zero.schedule(anchor).unwrap(), one.schedule(anchor).unwrap());
        let earlier = zero.schedule(minus(anchor, 1)).unwrap();
        prop_assert_eq!(b.phases(), earlier.phases());
        prop_assert_eq!(b.tests(), earlier.tests());
        prop_assert_eq!(b.release(), earlier.release());
        prop_assert_eq!(b.release(), minus(a.release(), 1));
        prop_assert_eq!(b.check_slots().collect::<Vec<_>>(), earlier.check_slots().collect::<Vec<_>>());
        prop_assert_eq!(b.day_number(b.release()), a.day_number(a.release()));
    }

    /// A policy survives JSON, and so its schedules.
    #[test]
    fn policies_round_trip_through_json(p in policy(), anchor in anchor_date()) {
        let json = serde_json::to_string(&p).unwrap();
        let back: Policy = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.schedule(anchor).unwrap(), p.schedule(anchor).unwrap());
        prop_assert_eq!(back.to_builder().build().unwrap(), p);
    }

    /// A broken policy is refused with the error that names what broke, by the builder and by
    /// serde alike.
    #[test]
    fn invalid_policies_are_refused_with_the_right_error(p in policy(), b in breakage()) {
        let (builder, expected) = broken(&p, &b);
        prop_assert_eq!(builder.validate(), Err(expected.clone()));
        prop_assert_eq!(builder.problems().into_iter().next(), Some(expected.clone()));
        prop_assert_eq!(builder.clone().build(), Err(expected.clone()));
        let json = serde_json::to_string(&builder).unwrap();
        let err = serde_json::from_str::<Policy>(&json).unwrap_err().to_string();
        prop_assert!(err.contains(&expected.to_string()), "{} does not say {}", err, expected);
        let crate_error: wangge::Error = expected.clone().into();
        prop_assert_eq!(crate_error, wangge::Error::Quarantine(expected));
    }

    /// Temperatures in range print and parse back; out of range they are refused.
    #[test]
    fn temperatures_round_trip(tenths in any::<u16>()) {
        match Temperature::from_tenths(tenths) {
            Ok(t) => {
                prop_assert!((Temperature::MIN_TENTHS..=Temperature::MAX_TENTHS).contains(&tenths));
                prop_assert_eq!(t.to_string().parse::<Temperature>(), Ok(t));
                let json = serde_json::to_string(&t).unwrap();
                prop_assert_eq!(serde_json::from_str::<Temperature>(&json).unwrap(), t);
            }
            Err(e) => {
                prop_assert!(!(Temperature::MIN_TENTHS..=Temperature::MAX_TENTHS).contains(&tenths));
                prop_assert_eq!(e, QuarantineError::InvalidTemperature { tenths });
            }
        }
    }
}
