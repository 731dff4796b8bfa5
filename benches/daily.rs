//! Bench of wangge's daily management step on city_10m, per resident-day (issue 6 §2): what a
//! simulator pays each simulated day for wangge to manage its city, against the target of
//! ≤ 10 ns per resident-day (under 10% of a Covasim-class simulator's 100–200 ns per
//! person-day).
//!
//! The registry is city_10m (`CityShape::city_10m()`, ≈10.1 million persons) with
//! `Policy::cn_ed9_close_contact()` adopted (7 days centralised + 3 at home, tests on days 1,
//! 2, 3, 5, 7, 10, two checks a day), run as a steady state of one day after another from
//! 2020-02-01:
//!
//! - each day `CONFIRMED` (1,000) well persons not under a case are confirmed
//!   (`SetState Confirmed`), and their household members plus persons drawn at random, up to
//!   `CONTACTS_PER_CASE` (10) a case, are put under the policy as close contacts
//!   (`StartCase`, anchored 0–2 days before), ≈10,000 cases a day; so ≈100,000 cases are open
//!   (≈0.9% of the residents, a heavy load) once the first ten days are past;
//! - confirmed persons go to centralised isolation after 14 days (discharged) and home well
//!   after 14 more (`SetState`), ≈1,000 of each a day;
//! - every open case reports two checks a day (1% miss one, never on the last day) and the
//!   tests due on the agenda are taken (negative, 0.2% positive: escalated, so confirmed);
//! - the releases due on the agenda are released (`Release`) once the day's check and test
//!   are in.
//!
//! The persons of each day are drawn with a seeded splitmix64, and the same days are played
//! whatever is timed. `WARM_UP_DAYS` (30) are played before measuring, so the open cases, the
//! releases and the discharges are at their steady level. One criterion iteration is one
//! simulated day; groups:
//!
//! - `daily/step/city_10m`: **the daily management step**, timed: `OpenDay`, `agenda(today)`,
//!   the day's state changes (confirmations, `StartCase`, `Release`, discharges: the
//!   recolouring) and the roll-up read (the live red-household counts of every community,
//!   sub-district, district and the city). The readings are played but not timed.
//! - `daily/readings/city_10m`: the day's checks and tests alone (the other parts played, not
//!   timed): a simulator that records readings pays this too.
//! - `daily/roll_up_full/city_10m`: `Registry::roll_up()`, every tally recomputed from the
//!   households: what a day's roll-up would cost without the live tallies.
//!
//! Criterion's throughput is the residents, so its elements/s read as resident-days per
//! second; the ns per resident-day (time ÷ residents) and each day's counts are printed to
//! stderr. Needs the `synth` feature; `cargo bench --bench daily` (≈3 minutes). Figures in
//! BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, NaiveDateTime};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wangge::colour::{Colour, Measure, State};
use wangge::quarantine::{Category, Item, Policy, Temperature, TestResult};
use wangge::synth::CityShape;
use wangge::{Command, Event, PersonId, PolicyId, Registry, UnitId};

/// Day 0.
const START: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// Persons confirmed a day.
const CONFIRMED: usize = 1_000;
/// Close contacts put under the policy per confirmed person (household first).
const CONTACTS_PER_CASE: usize = 10;
/// Days in hospital, then in centralised isolation after discharge.
const HOSPITAL_DAYS: u32 = 14;
const DISCHARGE_DAYS: u32 = 14;
/// Days played before measuring.
const WARM_UP_DAYS: u32 = 30;
/// Per ten thousand: checks with one missed, tests positive.
const MISS_CHECK: u64 = 100;
const POSITIVE: u64 = 20;

/// splitmix64.
fn draw(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn date(day: u32) -> NaiveDate {
    START.checked_add_days(Days::new(u64::from(day))).expect("a date in range")
}

fn at(day: NaiveDate, hour: u32) -> NaiveDateTime {
    day.and_hms_opt(hour, 0, 0).expect("an hour of the day")
}

/// A stopwatch of consecutive parts.
struct Lap {
    began: Instant,
    mark: Instant,
}

impl Lap {
    fn new() -> Lap {
        let now = Instant::now();
        Lap { began: now, mark: now }
    }

    /// Add the time since the last split to `into`.
    fn split(&mut self, into: &mut Duration) {
        let now = Instant::now();
        *into += now - self.mark;
        self.mark = now;
    }

    fn total(&self) -> Duration {
        self.mark - self.began
    }
}

/// Which part of a day is timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Step,
    Readings,
}

/// What one day did.
#[derive(Debug, Default, Clone, Copy)]
struct DayCounts {
    round_events: usize,
    agenda_items: usize,
    confirmed: usize,
    started: usize,
    released: usize,
    discharged: usize,
    checks: usize,
    tests: usize,
    open: usize,
    red: u64,
}

/// The steady state: the registry and what the host keeps.
struct Sim {
    reg: Registry,
    policy: PolicyId,
    persons: u64,
    /// Units whose tallies the roll-up read reads: communities, sub-districts, districts, city.
    read_units: Vec<UnitId>,
    /// Persons under an open case, compacted each day.
    open: Vec<PersonId>,
    /// Confirmed per day, for their discharge and return.
    confirmed_on: Vec<Vec<PersonId>>,
    day: u32,
    log: Vec<Event>,
    last: DayCounts,
    /// The step's parts summed over the days played: round, agenda, confirmations, starts,
    /// releases, discharges and returns, roll-up read.
    parts: [Duration; 7],
    played: u32,
}

/// The names of `Sim::parts`.
const PARTS: [&str; 7] =
    ["OpenDay", "agenda", "SetState Confirmed", "StartCase", "Release", "SetState discharge/home", "roll-up read"];

impl Sim {
    fn new() -> Sim {
        let t = Instant::now();
        let city = CityShape::city_10m().build().expect("city_10m builds");
        let persons = city.totals().persons;
        let mut read_units = Vec::new();
        read_units.extend_from_slice(city.communities());
        read_units.extend_from_slice(city.sub_districts());
        read_units.extend_from_slice(city.districts());
        read_units.push(city.root());
        let mut reg = city.into_registry();
        let policy = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() }).expect("adopted")[0]
            .new_policy()
            .expect("a policy");
        eprintln!("daily: city_10m built, {persons} persons, in {:.2} s", t.elapsed().as_secs_f64());
        Sim {
            reg,
            policy,
            persons,
            read_units,
            open: Vec::new(),
            confirmed_on: Vec::new(),
            day: 0,
            log: Vec::new(),
            last: DayCounts::default(),
            parts: [Duration::ZERO; 7],
            played: 0,
        }
    }

    fn apply(&mut self, command: Command) -> usize {
        self.log.clear();
        match self.reg.apply_into(command.clone(), &mut self.log) {
            Ok(n) => n,
            Err(e) => panic!("day {}: {command:?} refused: {e}", self.day),
        }
    }

    /// A well person not under a case and not drawn today, from draw `k` of the day on.
    fn free_person(&self, k: &mut u64, taken: &mut std::collections::HashSet<PersonId>) -> PersonId {
        loop {
            *k += 1;
            let p = PersonId::new((draw((u64::from(self.day) << 32) ^ *k) % self.persons) as u32);
            let well = self.reg.state(p).is_ok_and(|s| s.state() == State::Well);
            if well && self.reg.active_case(p).is_none() && taken.insert(p) {
                return p;
            }
        }
    }

    /// Play one day, returning the time of `part`.
    fn day(&mut self, part: Part) -> Duration {
        let today = date(self.day);
        let d = u64::from(self.day);
        let mut counts = DayCounts::default();
        let mut step = Duration::ZERO;
        let mut readings = Duration::ZERO;

        // The morning: the round and the agenda.
        let mut lap = Lap::new();
        counts.round_events = self.apply(Command::OpenDay { today });
        lap.split(&mut self.parts[0]);
        let agenda = black_box(self.reg.agenda(today));
        lap.split(&mut self.parts[1]);
        step += lap.total();
        counts.agenda_items = agenda.len();

        // The readings: two checks a day for every open case, the tests due.
        let releasing: std::collections::HashSet<PersonId> =
            agenda.items().iter().filter(|i| matches!(i.item, Item::ReleaseDue { .. })).map(|i| i.person).collect();
        let normal = Temperature::from_tenths(365).expect("a temperature");
        let mut escalated = Vec::new();
        let t = Instant::now();
        for item in agenda.tests_due() {
            let positive = draw((d << 40) ^ u64::from(item.person.get()) ^ 0x7e57) % 10_000 < POSITIVE;
            let result = if positive { TestResult::Positive } else { TestResult::Negative };
            self.apply(Command::RecordTest { person: item.person, on: today, result });
            counts.tests += 1;
            if positive {
                escalated.push(item.person);
            }
        }
        for k in 0..self.open.len() {
            let person = self.open[k];
            if self.reg.active_case(person).is_none() {
                continue;
            }
            let miss = !releasing.contains(&person) && draw((d << 40) ^ u64::from(person.get())) % 10_000 < MISS_CHECK;
            for c in 0..if miss { 1 } else { 2 } {
                self.apply(Command::RecordCheck {
                    person,
                    at: at(today, 8 + 12 * c),
                    temperature: normal,
                    symptoms: false,
                });
                counts.checks += 1;
            }
        }
        readings += t.elapsed();

        // The day's state changes. Who is chosen is the host's business: drawn before timing.
        let mut taken = std::collections::HashSet::new();
        let mut k = 0;
        let cases: Vec<PersonId> = (0..CONFIRMED).map(|_| self.free_person(&mut k, &mut taken)).collect();
        let mut contacts = Vec::with_capacity(CONFIRMED * CONTACTS_PER_CASE);
        for &c in &cases {
            let household = self.reg.person(c).expect("a person").household();
            let members = self.reg.household(household).expect("a household").members().to_vec();
            let mut found = 0;
            for m in members {
                let well = self.reg.state(m).is_ok_and(|s| s.state() == State::Well);
                if m != c && well && self.reg.active_case(m).is_none() && taken.insert(m) {
                    contacts.push(m);
                    found += 1;
                }
            }
            while found < CONTACTS_PER_CASE {
                contacts.push(self.free_person(&mut k, &mut taken));
                found += 1;
            }
        }
        let back = |days: u32| self.day.checked_sub(days).map(|d| d as usize);
        let discharged = back(HOSPITAL_DAYS).and_then(|d| self.confirmed_on.get(d)).cloned().unwrap_or_default();
        let home =
            back(HOSPITAL_DAYS + DISCHARGE_DAYS).and_then(|d| self.confirmed_on.get(d)).cloned().unwrap_or_default();

        let mut lap = Lap::new();
        for &person in &cases {
            self.apply(Command::SetState { person, state: State::Confirmed, on: today });
        }
        lap.split(&mut self.parts[2]);
        for (i, &person) in contacts.iter().enumerate() {
            let anchor = date(self.day.saturating_sub((draw((d << 40) ^ i as u64 ^ 0xa) % 3) as u32));
            let category = Category::CloseContact;
            self.apply(Command::StartCase { person, policy: self.policy, category, anchor, on: today, linked: None });
        }
        lap.split(&mut self.parts[3]);
        for item in agenda.release_due() {
            if self.reg.active_case(item.person) == Some(item.case) {
                self.apply(Command::Release { case: item.case, on: today });
                counts.released += 1;
            }
        }
        lap.split(&mut self.parts[4]);
        for &person in &discharged {
            if self.reg.state(person).is_ok_and(|s| s.state() == State::Confirmed) {
                self.apply(Command::SetMeasure { person, measure: Measure::CentralisedIsolation, on: today });
                counts.discharged += 1;
            }
        }
        for &person in &home {
            if self.reg.state(person).is_ok_and(|s| s.measure() == Measure::CentralisedIsolation) {
                self.apply(Command::SetState { person, state: State::Well, on: today });
            }
        }
        lap.split(&mut self.parts[5]);
        // The roll-up read: the live counts of every unit from the community up.
        let mut red = 0;
        for &u in &self.read_units {
            red += black_box(self.reg.tally(u).expect("a unit").households(Colour::Red));
        }
        lap.split(&mut self.parts[6]);
        step += lap.total();

        counts.red = self.reg.tally(self.reg.root()).expect("the root").households(Colour::Red);
        black_box(red);
        counts.confirmed = cases.len();
        counts.started = contacts.len();
        self.open.extend(contacts);
        let reg = &self.reg;
        self.open.retain(|&p| reg.active_case(p).is_some());
        counts.open = self.open.len();
        let mut confirmed = cases;
        confirmed.extend(escalated);
        self.confirmed_on.push(confirmed);
        self.last = counts;
        self.day += 1;
        self.played += 1;
        match part {
            Part::Step => step,
            Part::Readings => readings,
        }
    }

    fn days(&mut self, n: u64, part: Part) -> Duration {
        (0..n).map(|_| self.day(part)).sum()
    }
}

fn bench_daily(c: &mut Criterion) {
    let mut sim = Sim::new();
    let t = Instant::now();
    let mut warm = Duration::ZERO;
    for _ in 0..WARM_UP_DAYS {
        warm += sim.day(Part::Step);
    }
    let l = sim.last;
    eprintln!(
        "daily: {WARM_UP_DAYS} days played in {:.1} s; day {}: {} round events, {} agenda items, {} confirmed, {} cases \
         started, {} released, {} discharged, {} checks, {} tests, {} open cases, {} red households; step {:.1} ms a \
         day (mean of the {WARM_UP_DAYS})",
        t.elapsed().as_secs_f64(),
        sim.day - 1,
        l.round_events,
        l.agenda_items,
        l.confirmed,
        l.started,
        l.released,
        l.discharged,
        l.checks,
        l.tests,
        l.open,
        l.red,
        warm.as_secs_f64() * 1e3 / f64::from(WARM_UP_DAYS),
    );
    // A few days timed outside criterion, printed per resident-day.
    for part in [Part::Step, Part::Readings] {
        let took: Vec<f64> = (0..3).map(|_| sim.day(part).as_secs_f64()).collect();
        let ns: Vec<String> = took.iter().map(|s| format!("{:.2}", s * 1e9 / sim.persons as f64)).collect();
        eprintln!("daily: {part:?}, three days: {} ns per resident-day", ns.join(" / "));
    }

    let mut group = c.benchmark_group("daily");
    group.throughput(Throughput::Elements(sim.persons));
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(15));
    group.bench_function("step/city_10m", |b| b.iter_custom(|iters| sim.days(iters, Part::Step)));
    group.bench_function("readings/city_10m", |b| b.iter_custom(|iters| sim.days(iters, Part::Readings)));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("roll_up_full/city_10m", |b| b.iter(|| black_box(sim.reg.roll_up())));
    group.finish();
    let per_day = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(sim.played);
    let total: Duration = sim.parts.iter().sum();
    let parts: Vec<String> = PARTS
        .iter()
        .zip(sim.parts)
        .map(|(name, d)| {
            format!(
                "{name} {:.1} ms ({:.2} ns)",
                per_day(d),
                d.as_secs_f64() * 1e9 / f64::from(sim.played) / sim.persons as f64
            )
        })
        .collect();
    eprintln!(
        "daily: the step's parts, mean of {} days ({:.1} ms, {:.2} ns per resident-day): {}",
        sim.played,
        per_day(total),
        total.as_secs_f64() * 1e9 / f64::from(sim.played) / sim.persons as f64,
        parts.join(", ")
    );
    let l = sim.last;
    eprintln!(
        "daily: after day {}: {} open cases, {} agenda items, {} red households, {} cases in the registry",
        sim.day - 1,
        l.open,
        l.agenda_items,
        l.red,
        sim.reg.cases().count()
    );
}

criterion_group!(benches, bench_daily);
criterion_main!(benches);
