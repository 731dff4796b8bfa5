//! Benches of the daily agenda 每日工作清单 (`Registry::agenda`) and the daily round
//! (`Command::OpenDay`) on registries of isolation cases.
//!
//! Every registry is city_10m (`CityShape::city_10m()`, ≈10.1 million persons, built once and
//! cloned) with two policies adopted, `Policy::seed_shanghai_2020()` (arrivals from the epidemic
//! area: 14 days at home, 2 checks a day, no tests) and `Policy::cn_ed9_close_contact()` (close
//! contacts: 7 days centralised + 3 at home, tests on days 1, 2, 3, 5, 7 and 10, 2 checks a
//! day), and its cases played in date order through public commands, as a community would:
//! each day from 2020-02-01 (`FIRST_ANCHOR`) to 2020-02-21, the daily round (`OpenDay`, up to
//! `TODAY`), the cases anchored that day started (`StartCase`, `on` = the anchor), then that
//! day's readings (before `TODAY`): of the checks due, both for 95% of the cases and days, one
//! for 4%, none for 1% (a rare reading is a fever, 0.02%), and on each test day a result
//! (negative, 0.2% positive). On `TODAY` (2020-02-11) itself: of the close contacts whose
//! release day it is, 40% are checked and tested and released by hand (`Release`), 2% are
//! released by hand without the last day's check and test (so flagged for review); 0.1% of the
//! other open cases read a fever. Cases anchored after `TODAY` are not started: the registry
//! keeps its own business date 业务日期 (issue 14 §1), `TODAY` once its day is opened, and
//! nothing is recorded after it (before that change they were started as announced arrivals,
//! so the registries now hold the plans' cases anchored up to `TODAY`, about 11 in 21). The
//! agenda of `TODAY` holds every kind of item.
//!
//! Case `i` of a plan (a seeded splitmix64 draw) has a policy (half and half), an anchor among
//! the 21 days and person `i × STEP mod persons`, the same in every registry:
//! - `1m`: cases 0 .. 1,000,000;
//! - `100k`: cases 0, 10, 20 ... (100,000);
//! - `1m_same_due`: `100k`'s cases, played the same way, plus the 900,000 others made *quiet*:
//!   a close contact with a test or its release due on `TODAY` is an arrival instead, every
//!   check is recorded, no fever, no positive, nothing done by hand. They are open cases of
//!   the same 21 days of anchors with nothing due on `TODAY`: **the agenda of `1m_same_due` is
//!   the agenda of `100k`** (the same persons, households, units and items in the same order;
//!   asserted before measuring), while it holds ten times the open cases.
//!
//! Groups:
//! - `agenda`: `1m`, `Registry::agenda(TODAY)`, criterion's throughput = the items;
//! - `agenda_same_due`: `100k` and `1m_same_due` (read the ratio from one run);
//! - `open_day`: `1m`, `Command::OpenDay { today: TODAY }` on a clone of the `1m` registry
//!   taken just before its round of `TODAY` (the clone is made outside the timing).
//!
//! Before measuring, each registry's build (time, commands, live heap bytes a case, counted by
//! the global allocator below), the round of `TODAY` as it ran while building, its agenda's
//! items of each kind, and five cold agenda calls (each after writing 1 GiB, more than the
//! shared L3, so the registry is out of the caches as for a host's one call a day) are printed
//! to stderr. The whole run takes ≈1.5 minutes, ≈35 s of it building and the cold calls.
//!
//! Needs the `synth` feature. Run: `cargo bench --all-features --bench quarantine` (see
//! BENCHMARKS.md for the figures).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting the bytes live (requested sizes, not the allocator's own
/// rounding and headers), to print what the cases hold. Counting costs one relaxed atomic add
/// per allocation and per release, in every bench.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is only
// arithmetic on the sizes the caller passed.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

criterion::criterion_main!(agenda::benches);

mod agenda {
    use std::hint::black_box;
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use chrono::{Days, NaiveDate, NaiveDateTime};
    use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group};
    use wangge::quarantine::{Agenda, Category, Policy, Schedule, Temperature, TestResult};
    use wangge::synth::CityShape;
    use wangge::{CaseId, Command, Event, PersonId, PolicyId, Registry};

    use super::LIVE_BYTES;

    /// The first of the 21 anchor dates.
    const FIRST_ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
        Some(d) => d,
        None => panic!("a valid date"),
    };

    /// Anchors are spread over this many consecutive days.
    const ANCHOR_DAYS: u32 = 21;

    /// `TODAY` is this many days after `FIRST_ANCHOR`: the release day of the first close
    /// contacts (day 10 of 10), a test day of close contacts anchored 1, 2, 3, 5, 7 and 10 days
    /// before, and no one's release overdue.
    const TODAY_INDEX: u32 = 10;

    /// The date whose agenda is benched.
    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 11) {
        Some(d) => d,
        None => panic!("a valid date"),
    };

    /// Cases in the large registries.
    const CASES: u32 = 1_000_000;

    /// `100k` holds every tenth case of the plan.
    const EVERY: u32 = 10;

    /// The stride through the persons: case `i`'s person is `i × STEP mod persons`.
    const STEP: u64 = 7_368_787;

    fn date(day: u32) -> NaiveDate {
        FIRST_ANCHOR.checked_add_days(Days::new(u64::from(day))).expect("a date in 2020")
    }

    fn at(day: NaiveDate, hour: u32) -> NaiveDateTime {
        day.and_hms_opt(hour, 0, 0).expect("an hour of the day")
    }

    /// splitmix64.
    fn draw(x: u64) -> u64 {
        let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A draw in 0..10,000 (per ten thousand) for case `i`, day `day`, purpose `what`.
    fn roll(i: u32, day: u32, what: u64) -> u64 {
        draw((u64::from(i) << 24) ^ (u64::from(day) << 8) ^ what) % 10_000
    }

    /// The two policies of the benches.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Rule {
        /// `seed_shanghai_2020`, category `ArrivalFromEpidemicArea`.
        Arrival = 0,
        /// `cn_ed9_close_contact`, category `CloseContact`.
        Close = 1,
    }

    /// One case of a plan.
    #[derive(Debug, Clone, Copy)]
    struct Plan {
        /// Its number in the plan (the seed of its draws).
        i: u32,
        person: PersonId,
        rule: Rule,
        /// Days after `FIRST_ANCHOR`.
        anchor: u32,
        /// Every check recorded, no fever or positive, nothing done by hand.
        quiet: bool,
    }

    /// Every schedule of the benches: `[rule][anchor day]`.
    fn schedules() -> [Vec<Schedule>; 2] {
        let of = |policy: Policy| (0..ANCHOR_DAYS).map(|d| policy.schedule(date(d)).expect("a preset")).collect();
        [of(Policy::seed_shanghai_2020()), of(Policy::cn_ed9_close_contact())]
    }

    /// Whether a case of `schedule` started on its anchor has anything due on `TODAY` by its
    /// schedule alone (a test, its release).
    fn due_today(schedule: &Schedule) -> bool {
        let started = schedule.anchor() <= TODAY;
        started && (schedule.release() <= TODAY || schedule.test_days().any(|d| d == TODAY))
    }

    /// Case `i` of the plan; `quiet` makes it one with nothing due on `TODAY`.
    fn plan(i: u32, persons: u64, quiet: bool, table: &[Vec<Schedule>; 2]) -> Plan {
        let x = draw(u64::from(i));
        let mut rule = if x & 1 == 0 { Rule::Arrival } else { Rule::Close };
        let anchor = ((x >> 8) % u64::from(ANCHOR_DAYS)) as u32;
        if quiet && due_today(&table[rule as usize][anchor as usize]) {
            rule = Rule::Arrival;
            assert!(!due_today(&table[0][anchor as usize]), "a quiet arrival has nothing due today");
        }
        let person = PersonId::new(((u64::from(i) * STEP) % persons) as u32);
        Plan { i, person, rule, anchor, quiet }
    }

    /// What building a registry did, printed once.
    #[derive(Debug, Default)]
    struct Played {
        starts: usize,
        checks: usize,
        tests: usize,
        by_hand: usize,
        round_events: usize,
        start_time: Duration,
        record_time: Duration,
        round_time: Duration,
    }

    /// A registry of the plan's cases, and (when asked) a clone of it just before its round of
    /// `TODAY`.
    struct Built {
        registry: Registry,
        before_round: Option<Registry>,
    }

    /// Play `plans` on a clone of `city` in date order (see the module's doc), printing what it
    /// took.
    fn build(name: &str, city: &Registry, plans: &[Plan], keep_before_round: bool) -> Built {
        let live = LIVE_BYTES.load(Ordering::Relaxed);
        let began = Instant::now();
        let mut reg = city.clone();
        let cloned = began.elapsed();
        let city_bytes = LIVE_BYTES.load(Ordering::Relaxed) - live;
        let table = schedules();
        let mut log: Vec<Event> = Vec::new();
        let mut adopt = |reg: &mut Registry, policy| -> PolicyId {
            log.clear();
            reg.apply_into(Command::AdoptPolicy { policy }, &mut log).expect("a new policy");
            log[0].new_policy().expect("a policy adopted")
        };
        let policies = [adopt(&mut reg, Policy::seed_shanghai_2020()), adopt(&mut reg, Policy::cn_ed9_close_contact())];
        let categories = [Category::ArrivalFromEpidemicArea, Category::CloseContact];

        let mut by_day: Vec<Vec<usize>> = vec![Vec::new(); ANCHOR_DAYS as usize];
        for (k, p) in plans.iter().enumerate() {
            by_day[p.anchor as usize].push(k);
        }
        let mut cases: Vec<CaseId> = vec![CaseId::new(0); plans.len()];
        let mut ended = vec![false; plans.len()];
        let mut started: Vec<usize> = Vec::with_capacity(plans.len());
        let mut tally = Played::default();
        let mut before_round = None;
        let mut clone_bytes = 0;
        let normal: Temperature = "36.5".parse().expect("a temperature");
        let fever = Temperature::from_tenths(381).expect("a temperature");

        let simulated = Instant::now();
        for d in 0..ANCHOR_DAYS {
            let today = date(d);
            if d > TODAY_INDEX {
                // Nothing is recorded after the business date `TODAY`.
                break;
            }
            {
                if d == TODAY_INDEX && keep_before_round {
                    let live = LIVE_BYTES.load(Ordering::Relaxed);
                    before_round = Some(reg.clone());
                    clone_bytes = LIVE_BYTES.load(Ordering::Relaxed) - live;
                }
                let t = Instant::now();
                log.clear();
                let n = reg.apply_into(Command::OpenDay { today }, &mut log).expect("the daily round");
                let took = t.elapsed();
                tally.round_time += took;
                tally.round_events += n;
                if d == TODAY_INDEX {
                    eprintln!(
                        "{name}: OpenDay {today} (once, while building): {n} events in {:.2} ms",
                        took.as_secs_f64() * 1e3
                    );
                }
            }
            let t = Instant::now();
            for &k in &by_day[d as usize] {
                let p = &plans[k];
                let r = p.rule as usize;
                let (policy, category, anchor) = (policies[r], categories[r], today);
                log.clear();
                let start = Command::StartCase { person: p.person, policy, category, anchor, on: today, linked: None };
                reg.apply_into(start, &mut log).expect("a case starts");
                cases[k] = log[0].new_case().expect("a case started");
                started.push(k);
            }
            tally.starts += by_day[d as usize].len();
            tally.start_time += t.elapsed();
            if d > TODAY_INDEX {
                continue;
            }
            let t = Instant::now();
            for &k in &started {
                let p = &plans[k];
                let s = &table[p.rule as usize][p.anchor as usize];
                if ended[k] || today < s.first_day() || s.last_day() < today {
                    continue;
                }
                let mut apply = |reg: &mut Registry, command| {
                    log.clear();
                    reg.apply_into(command, &mut log).expect("a reading");
                };
                if d < TODAY_INDEX {
                    let checks = match roll(p.i, d, 1) {
                        _ if p.quiet => 2,
                        0..9_500 => 2,
                        9_500..9_900 => 1,
                        _ => 0,
                    };
                    for c in 0..checks {
                        let hot = !p.quiet && roll(p.i, d, 2 + c) < 2;
                        let temperature = if hot { fever } else { normal };
                        let check = Command::RecordCheck {
                            person: p.person,
                            at: at(today, 8 + 12 * c as u32),
                            temperature,
                            symptoms: hot,
                        };
                        apply(&mut reg, check);
                        tally.checks += 1;
                        if hot {
                            ended[k] = true;
                            break;
                        }
                    }
                    if !ended[k] && s.test_days().any(|t| t == today) {
                        let positive = !p.quiet && roll(p.i, d, 5) < 20;
                        let result = if positive { TestResult::Positive } else { TestResult::Negative };
                        apply(&mut reg, Command::RecordTest { person: p.person, on: today, result });
                        tally.tests += 1;
                        ended[k] = positive;
                    }
                } else if !p.quiet && p.anchor < TODAY_INDEX {
                    // TODAY: the releases done by hand, and a few fevers.
                    if s.release() == today {
                        let r = roll(p.i, d, 6);
                        if r < 4_000 {
                            let check = Command::RecordCheck {
                                person: p.person,
                                at: at(today, 8),
                                temperature: normal,
                                symptoms: false,
                            };
                            apply(&mut reg, check);
                            apply(
                                &mut reg,
                                Command::RecordTest { person: p.person, on: today, result: TestResult::Negative },
                            );
                        }
                        if r < 4_200 {
                            apply(&mut reg, Command::Release { case: cases[k], on: today });
                            tally.by_hand += 1;
                        }
                    } else if roll(p.i, d, 7) < 10 {
                        let check = Command::RecordCheck {
                            person: p.person,
                            at: at(today, 9),
                            temperature: fever,
                            symptoms: true,
                        };
                        apply(&mut reg, check);
                        tally.by_hand += 1;
                    }
                }
            }
            tally.record_time += t.elapsed();
        }
        let simulated = simulated.elapsed();
        drop((log, by_day, cases, ended, started));
        let bytes = LIVE_BYTES.load(Ordering::Relaxed) - live - city_bytes - clone_bytes;
        let n = tally.starts.max(1);
        eprintln!(
            "{name}: {n} cases played in {:.2} s (after a {:.2} s clone of the city): {} StartCase in {:.2} s ({:.2} µs \
             each), {} checks + {} tests + {} by hand in {:.2} s, {} rounds ({} events) in {:.2} s; cases live heap \
             {:.1} MB = {:.0} B a case",
            simulated.as_secs_f64(),
            cloned.as_secs_f64(),
            tally.starts,
            tally.start_time.as_secs_f64(),
            tally.start_time.as_secs_f64() * 1e6 / tally.starts as f64,
            tally.checks,
            tally.tests,
            tally.by_hand,
            tally.record_time.as_secs_f64(),
            TODAY_INDEX,
            tally.round_events,
            tally.round_time.as_secs_f64(),
            bytes as f64 / 1e6,
            bytes as f64 / n as f64,
        );
        let open = reg.cases().filter(|(_, c)| c.status().is_active()).count();
        let begun = plans.iter().filter(|p| p.anchor <= TODAY_INDEX).count();
        eprintln!("{name}: {open} cases active (open or under review) after {TODAY}; {begun} anchored on or before it");
        Built { registry: reg, before_round }
    }

    /// The agenda of `TODAY`, timed once and printed by kind.
    fn agenda(name: &str, reg: &Registry) -> Agenda {
        let t = Instant::now();
        let agenda = reg.agenda(TODAY);
        let took = t.elapsed();
        let [released, escalated, review, release_due, tests, missed, monitoring] = agenda.counts();
        eprintln!(
            "{name}: agenda {TODAY}: {} items ({released} released, {escalated} escalated, {review} to review, \
             {release_due} release due, {tests} tests due, {missed} missed checks, {monitoring} monitoring after \
             release), first call {:.2} ms",
            agenda.len(),
            took.as_secs_f64() * 1e3
        );
        agenda
    }

    /// Times a cold agenda call is made to print: after a sweep of `SWEEP_BYTES`.
    const COLD_RUNS: usize = 5;

    /// Bytes written before each cold call, more than the shared L3 (480 MiB here).
    const SWEEP_BYTES: usize = 1 << 30;

    /// The agenda of `TODAY` called cold, `COLD_RUNS` times, each right after writing every
    /// cache line of `sweep` (so the registry is out of the caches, as for a host's one call
    /// a day); prints the median, fastest and slowest.
    fn cold(name: &str, reg: &Registry, sweep: &mut [u8]) {
        let mut times: Vec<Duration> = (0..COLD_RUNS)
            .map(|_| {
                for x in sweep.iter_mut().step_by(64) {
                    *x = x.wrapping_add(1);
                }
                black_box(&mut *sweep);
                let t = Instant::now();
                black_box(reg.agenda(black_box(TODAY)));
                t.elapsed()
            })
            .collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        eprintln!(
            "{name}: agenda {TODAY} cold (after a {} MiB sweep, {COLD_RUNS} calls): median {:.2} ms, {:.2} .. {:.2} ms",
            SWEEP_BYTES >> 20,
            ms(times[COLD_RUNS / 2]),
            ms(times[0]),
            ms(times[COLD_RUNS - 1])
        );
    }

    fn bench_agenda(c: &mut Criterion) {
        assert_eq!(date(TODAY_INDEX), TODAY);
        let t = Instant::now();
        let city = CityShape::city_10m().build().expect("the preset shape").into_registry();
        let persons = city.population().person_count() as u64;
        eprintln!("city_10m: {persons} persons, built in {:.2} s", t.elapsed().as_secs_f64());
        let gcd = |mut a: u64, mut b: u64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        assert!(persons > u64::from(CASES) && gcd(STEP, persons) == 1, "distinct persons for every case");
        let table = schedules();

        let natural: Vec<Plan> = (0..CASES).map(|i| plan(i, persons, false, &table)).collect();
        let small: Vec<Plan> = natural.iter().copied().filter(|p| p.i % EVERY == 0).collect();
        let same: Vec<Plan> = (0..CASES).map(|i| plan(i, persons, i % EVERY != 0, &table)).collect();

        let large = build("1m", &city, &natural, true);
        let large_agenda = agenda("1m", &large.registry);
        // Every kind but the obligations after release, which the bench's policies do not have.
        assert!(large_agenda.counts()[..6].iter().all(|&n| n > 0), "every kind of item on the agenda");
        drop(natural);
        let small = build("100k", &city, &small, false).registry;
        let same = build("1m_same_due", &city, &same, false).registry;
        drop(city);
        let small_agenda = agenda("100k", &small);
        let same_agenda = agenda("1m_same_due", &same);
        let lines = |a: &Agenda| a.items().iter().map(|i| (i.person, i.household, i.unit, i.item)).collect::<Vec<_>>();
        assert_eq!(small_agenda.len(), same_agenda.len(), "as many items due today");
        assert!(lines(&small_agenda) == lines(&same_agenda), "the same items due today");
        let mut sweep = vec![0u8; SWEEP_BYTES];
        for (name, reg) in [("1m", &large.registry), ("100k", &small), ("1m_same_due", &same)] {
            cold(name, reg, &mut sweep);
        }
        drop(sweep);

        let mut group = c.benchmark_group("agenda");
        group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Elements(large_agenda.len() as u64));
        group.bench_function("1m", |b| b.iter(|| black_box(large.registry.agenda(black_box(TODAY)))));
        group.finish();

        let mut group = c.benchmark_group("agenda_same_due");
        group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(7));
        group.throughput(Throughput::Elements(small_agenda.len() as u64));
        for (name, reg) in [("100k", &small), ("1m_same_due", &same)] {
            group.bench_function(name, |b| b.iter(|| black_box(reg.agenda(black_box(TODAY)))));
        }
        group.finish();
        drop((small, same));

        // The round mutates the registry: each iteration gets a fresh clone (made, and
        // dropped, outside the timing; ≈2 s each). Flat sampling, one iteration a sample, ten
        // samples: criterion warns that it cannot complete them in the target time, which is
        // kept short on purpose (a longer one means two clones a sample).
        let before = large.before_round.expect("kept");
        drop(large.registry);
        let mut group = c.benchmark_group("open_day");
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
        group.warm_up_time(Duration::from_millis(1)).measurement_time(Duration::from_secs(1));
        let mut log = Vec::new();
        group.bench_function("1m", |b| {
            b.iter_batched(
                || before.clone(),
                |mut reg| {
                    log.clear();
                    let n = reg.apply_into(Command::OpenDay { today: black_box(TODAY) }, &mut log).expect("the round");
                    (reg, n)
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
    }

    criterion_group!(benches, bench_agenda);
}
