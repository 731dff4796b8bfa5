//! Benches of the registry on synthetic cities (`wangge::synth`).
//!
//! Sizes, named in every bench id:
//! - `10k`: `CityShape::with_households(10_000)`, 10,080 households, ≈29,000 persons;
//! - `100k`: `CityShape::with_households(35_000)`, 35,328 households, ≈101,000 persons;
//! - `10m`: `CityShape::city_10m()`, 3,532,800 households, ≈10.1 million persons.
//! - `10m_hot` (command group): city_10m with every pick inside its first community, a working
//!   set as small as the 10k city's, to tell the command's own cost from cache misses.
//!
//! Each group holds the small city as the baseline of the large one, so a ratio is read from
//! one run. The city_10m used by the query, scope and command groups is built once per process;
//! building it also measures the memory per resident with the counting allocator below and
//! prints it to stderr.
//!
//! Run: `cargo bench --all-features --bench registry` (see BENCHMARKS.md for the figures).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge::colour::PersonState;
use wangge::people::{DoorLabel, Marker, Markers, PersonRecord};
use wangge::synth::{City, CityShape, REGISTERED_ON};
use wangge::{Command, Event, HouseholdId, PersonId, UnitId};

/// The system allocator, counting the bytes live (requested sizes, not the allocator's own
/// rounding and headers). Counting costs one relaxed atomic add per allocation, in every bench.
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

/// The resident set size of this process, from /proc (Linux), in bytes.
fn rss_bytes() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse::<i64>().ok().map(|kb| kb * 1024)
}

fn build(shape: &CityShape) -> City {
    shape.build().expect("the presets are valid shapes")
}

fn shape_10k() -> CityShape {
    CityShape::with_households(10_000)
}

fn shape_100k() -> CityShape {
    CityShape::with_households(35_000)
}

/// The city_10m shared by the query, scope and command groups, built once. Building it
/// measures the memory per resident.
static CITY_10M: LazyLock<Mutex<City>> = LazyLock::new(|| {
    let (live, rss) = (LIVE_BYTES.load(Ordering::Relaxed), rss_bytes());
    let start = Instant::now();
    let city = build(&CityShape::city_10m());
    let took = start.elapsed();
    let live = LIVE_BYTES.load(Ordering::Relaxed) - live;
    let persons = city.totals().persons;
    eprintln!(
        "city_10m: {} units, {} households, {} persons, built in {:.2} s",
        city.registry().tree().len(),
        city.totals().households,
        persons,
        took.as_secs_f64()
    );
    eprintln!(
        "city_10m memory: {} live bytes = {:.1} bytes per resident (allocator-requested)",
        live,
        live as f64 / persons as f64
    );
    if let (Some(before), Some(after)) = (rss, rss_bytes()) {
        eprintln!(
            "city_10m memory: {} bytes RSS growth = {:.1} bytes per resident",
            after - before,
            (after - before) as f64 / persons as f64
        );
    }
    Mutex::new(city)
});

static CITY_10K: LazyLock<Mutex<City>> = LazyLock::new(|| Mutex::new(build(&shape_10k())));

fn lock(city: &'static LazyLock<Mutex<City>>) -> MutexGuard<'static, City> {
    // A panic in one bench poisons nothing the next one relies on: the city is still whole.
    city.lock().unwrap_or_else(|e| e.into_inner())
}

/// The two cities of every comparison: (name, city).
fn cities() -> [(&'static str, &'static LazyLock<Mutex<City>>); 2] {
    [("10k", &CITY_10K), ("10m", &CITY_10M)]
}

/// Random picks made once per bench, outside the timed loop, and cycled through.
const PICKS: usize = 4096;

fn rng(salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0x5EED ^ salt)
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, from: &[T]) -> T {
    from[rng.random_range(0..from.len())]
}

/// Every area a query may ask about: districts, sub-districts, communities, courtyards.
fn areas(city: &City) -> Vec<UnitId> {
    [city.districts(), city.sub_districts(), city.communities(), city.courtyards()].concat()
}

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    let small = shape_100k();
    group.bench_function("city_100k", |b| b.iter_with_large_drop(|| build(black_box(&small))));
    group.measurement_time(Duration::from_secs(25));
    let large = CityShape::city_10m();
    group.bench_function("city_10m", |b| b.iter_with_large_drop(|| build(black_box(&large))));
    group.finish();
}

fn bench_query(c: &mut Criterion) {
    let mut group = c.benchmark_group("query");
    quick(&mut group);
    for (size, city) in cities() {
        let city = lock(city);
        let tree = city.registry().tree();
        let mut r = rng(1);
        let units = tree.len() as u32;
        let areas = areas(&city);
        let pairs: Vec<(UnitId, UnitId)> =
            (0..PICKS).map(|_| (UnitId::new(r.random_range(0..units)), pick(&mut r, &areas))).collect();
        let mut i = 0;
        group.bench_function(format!("is_within/{size}"), |b| {
            b.iter(|| {
                let (u, a) = pairs[i % PICKS];
                i += 1;
                black_box(tree.is_within(black_box(u), black_box(a)))
            })
        });
        group.bench_function(format!("within_by_ancestors/{size}"), |b| {
            b.iter(|| {
                let (u, a) = pairs[i % PICKS];
                i += 1;
                let (u, a) = (black_box(u), black_box(a));
                black_box(u == a || tree.ancestors(u).is_ok_and(|mut up| up.any(|x| x == a)))
            })
        });
        let buildings: Vec<(UnitId, UnitId)> =
            (0..PICKS).map(|_| (pick(&mut r, city.buildings()), pick(&mut r, city.buildings()))).collect();
        group.bench_function(format!("lowest_common_ancestor/{size}"), |b| {
            b.iter(|| {
                let (x, y) = buildings[i % PICKS];
                i += 1;
                black_box(tree.lowest_common_ancestor(black_box(x), black_box(y)))
            })
        });
        let codes: Vec<String> = (0..PICKS)
            .map(|_| {
                let c = pick(&mut r, city.courtyards());
                tree.unit(c).ok().and_then(|u| u.code()).map(|code| code.to_string()).unwrap_or_default()
            })
            .collect();
        group.bench_function(format!("find_by_code/{size}"), |b| {
            b.iter(|| {
                i += 1;
                black_box(tree.find_by_code(black_box(&codes[i % PICKS])))
            })
        });
        group.bench_function(format!("counts/{size}"), |b| {
            b.iter(|| {
                let (_, a) = pairs[i % PICKS];
                i += 1;
                black_box(city.registry().counts(black_box(a)))
            })
        });
    }
    group.finish();
}

fn bench_scope(c: &mut Criterion) {
    let mut group = c.benchmark_group("scope");
    quick(&mut group);
    for (size, city) in cities() {
        let city = lock(city);
        let reg = city.registry();
        // A sub-district secretary's view: one sub-district of the city.
        let scope = reg.scope(&[city.sub_districts()[0]]).expect("a sub-district is a unit");
        let mut r = rng(2);
        let units = reg.tree().len() as u32;
        let households = reg.population().household_count() as u32;
        let unit_picks: Vec<UnitId> = (0..PICKS).map(|_| UnitId::new(r.random_range(0..units))).collect();
        let household_picks: Vec<HouseholdId> =
            (0..PICKS).map(|_| HouseholdId::new(r.random_range(0..households))).collect();
        let mut i = 0;
        group.bench_function(format!("check/{size}"), |b| {
            b.iter(|| {
                i += 1;
                black_box(scope.check(black_box(unit_picks[i % PICKS])).is_ok())
            })
        });
        group.bench_function(format!("household/{size}"), |b| {
            b.iter(|| {
                i += 1;
                black_box(scope.household(black_box(household_picks[i % PICKS])).is_ok())
            })
        });
    }
    group.finish();
}

fn bench_command(c: &mut Criterion) {
    let mut group = c.benchmark_group("command");
    quick(&mut group);
    // `10m_hot` is city_10m with every pick inside its first community (≈4,400 households,
    // ≈12,600 persons, as many as the 10k city holds): the same work on a working set that fits
    // in cache, to tell the cost of the command from the cost of cache misses on a big heap.
    let cases = [("10k", &CITY_10K, false), ("10m", &CITY_10M, false), ("10m_hot", &CITY_10M, true)];
    for (size, city, hot) in cases {
        let mut city = lock(city);
        let mut r = rng(3);
        let (persons, households, buildings, courtyards) = if hot {
            // Synthetic cities are built depth first, so the first community holds the first
            // households, persons, courtyards and buildings.
            let first = city.registry().counts(city.communities()[0]).expect("a community");
            let yards = city.courtyards().len() / city.communities().len();
            let blocks = city.buildings().len() / city.courtyards().len() * yards;
            (
                first.persons as u32,
                first.households as u32,
                city.buildings()[..blocks].to_vec(),
                city.courtyards()[..yards].to_vec(),
            )
        } else {
            let pop = city.registry().population();
            (
                pop.person_count() as u32,
                pop.household_count() as u32,
                city.buildings().to_vec(),
                city.courtyards().to_vec(),
            )
        };

        // A person moves to a random household and back: two commands per iteration, and the
        // registry ends as it began.
        let moves: Vec<(PersonId, HouseholdId, HouseholdId)> = (0..PICKS)
            .map(|_| {
                let p = PersonId::new(r.random_range(0..persons));
                let home = city.registry().person(p).expect("a registered person").household();
                (p, home, HouseholdId::new(r.random_range(0..households)))
            })
            .collect();
        let mut i = 0;
        group.bench_function(format!("move_person_and_back/{size}"), |b| {
            b.iter(|| {
                let (p, home, to) = moves[i % PICKS];
                i += 1;
                let reg = city.registry_mut();
                black_box(reg.apply(Command::MovePerson { person: p, to, on: REGISTERED_ON }).expect("a valid move"));
                black_box(
                    reg.apply(Command::MovePerson { person: p, to: home, on: REGISTERED_ON }).expect("a valid move"),
                )
            })
        });

        // A household moves to a random courtyard and back (courtyards hold no households in a
        // synthetic city, so no door label clashes): two commands per iteration, each checking
        // the door labels at its target.
        let hmoves: Vec<(HouseholdId, UnitId, UnitId)> = (0..PICKS)
            .map(|_| {
                let h = HouseholdId::new(r.random_range(0..households));
                let at = city.registry().household(h).expect("a registered household").unit();
                (h, at, pick(&mut r, &courtyards))
            })
            .collect();
        group.bench_function(format!("move_household_and_back/{size}"), |b| {
            b.iter(|| {
                let (h, at, to) = hmoves[i % PICKS];
                i += 1;
                let reg = city.registry_mut();
                black_box(reg.apply(Command::MoveHousehold { household: h, to }).expect("a valid move"));
                black_box(reg.apply(Command::MoveHousehold { household: h, to: at }).expect("a valid move"))
            })
        });

        let marks: Vec<(PersonId, Markers)> = (0..PICKS)
            .map(|_| {
                let m = if r.random_bool(0.5) { Markers::new().with(Marker::PartyMember) } else { Markers::EMPTY };
                (PersonId::new(r.random_range(0..persons)), m)
            })
            .collect();
        group.bench_function(format!("set_markers/{size}"), |b| {
            b.iter(|| {
                let (person, markers) = marks[i % PICKS];
                i += 1;
                black_box(city.registry_mut().apply(Command::SetMarkers { person, markers }).expect("a person"))
            })
        });

        if hot {
            continue;
        }

        // A new household of three at a random building. The registry grows as it is timed;
        // the 10k city is put back every 1,000 households (untimed) so that it stays at
        // 10k-11k households; city_10m grows by what the measurement adds (printed below,
        // bounded by a shorter measurement).
        group.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(1));
        let pristine = (size == "10k").then(|| city.clone());
        let mut added = 0u64;
        let mut door = 0u64;
        group.bench_function(format!("add_household_of_3/{size}"), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let batch = left.min(1000);
                    left -= batch;
                    if let Some(p) = &pristine
                        && added >= 1000
                    {
                        *city = p.clone();
                        added = 0;
                    }
                    let work: Vec<(UnitId, DoorLabel)> = (0..batch)
                        .map(|_| {
                            door += 1;
                            let label = DoorLabel::new(&format!("n{door}")).expect("a short label");
                            (pick(&mut r, &buildings), label)
                        })
                        .collect();
                    let reg = city.registry_mut();
                    let start = Instant::now();
                    for (unit, label) in work {
                        let events = reg.apply(Command::AddHousehold { unit, door: label }).expect("a new door");
                        let Some(&Event::HouseholdAdded { household, .. }) = events.first() else {
                            panic!("AddHousehold becomes HouseholdAdded")
                        };
                        for _ in 0..3 {
                            black_box(
                                reg.apply(Command::RegisterPerson {
                                    household,
                                    record: PersonRecord::new(),
                                    state: PersonState::well(REGISTERED_ON),
                                })
                                .expect("a person without identity number"),
                            );
                        }
                    }
                    timed += start.elapsed();
                    added += batch;
                }
                timed
            })
        });
        let now = city.registry().population().household_count();
        eprintln!("command/add_household_of_3/{size}: the city now holds {now} households");
        group.sample_size(100);
        quick(&mut group);
    }
    group.finish();
}

fn bench_audit(c: &mut Criterion) {
    let mut group = c.benchmark_group("audit");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for (size, shape) in [("10k", shape_10k()), ("100k", shape_100k())] {
        let city = build(&shape);
        group.bench_function(format!("city_{size}"), |b| b.iter(|| black_box(city.registry().audit())));
    }
    group.finish();
}

/// A city with cases in every state: one person in a hundred under home isolation (Shanghai's
/// seed policy) from `REGISTERED_ON`, each checked twice a day; of those, one in three released
/// after its period, one in ten escalated by a fever on its third day, the rest open. So that
/// the audit's case rules (issue 14 §3) have records, statuses and dates to read.
fn with_cases(shape: &CityShape) -> wangge::Registry {
    use wangge::quarantine::{CaseStatus, Category, Policy, Temperature};
    let mut reg = build(shape).into_registry();
    let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).expect("a policy")[0]
        .new_policy()
        .expect("its id");
    let persons: Vec<PersonId> = reg.population().persons().map(|(p, _)| p).step_by(100).collect();
    let start = REGISTERED_ON;
    let normal = Temperature::from_tenths(364).expect("plausible");
    let fever = Temperature::from_tenths(385).expect("plausible");
    for (k, &person) in persons.iter().enumerate() {
        let category = Category::ArrivalFromEpidemicArea;
        let command = Command::StartCase { person, policy, category, anchor: start, on: start, linked: None };
        let Some(case) = reg.apply(command).expect("a case").first().and_then(Event::new_case) else { continue };
        let schedule = reg.schedule(case).expect("a schedule");
        let days: Vec<_> = schedule.first_day().iter_days().take_while(|&d| d <= schedule.last_day()).collect();
        for (i, &day) in days.iter().enumerate() {
            for hour in [8, 18] {
                let hot = k % 10 == 1 && i == 2 && hour == 18;
                let at = day.and_hms_opt(hour, 0, 0).expect("a time");
                let temperature = if hot { fever } else { normal };
                reg.apply(Command::RecordCheck { person, at, temperature, symptoms: false }).expect("a check");
            }
            if reg.case(case).is_ok_and(|c| c.status() != &CaseStatus::Open) {
                break;
            }
        }
        if k % 3 == 0 && reg.case(case).is_ok_and(|c| c.status() == &CaseStatus::Open) {
            reg.apply(Command::Release { case, on: schedule.release() }).expect("a release");
        }
    }
    reg
}

/// Loading a snapshot (issue 14 §3: the audit now checks every command rule on load): from a
/// `Snapshot` value already in memory, so that JSON parsing is not in the figure; the audit
/// alone beside it, and the small city as the baseline of the large one.
fn bench_snapshot(c: &mut Criterion) {
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(10));
    for (size, shape) in [("100k", shape_100k()), ("1m", CityShape::with_households(353_280))] {
        let reg = with_cases(&shape);
        let snapshot = reg.snapshot();
        eprintln!("city_{size}: {} persons, {} cases", reg.population().person_count(), reg.cases().count());
        group.bench_function(format!("from_snapshot/city_{size}"), |b| {
            b.iter_batched(
                || snapshot.clone(),
                |s| wangge::Registry::from_snapshot(s).expect("it loads"),
                criterion::BatchSize::LargeInput,
            )
        });
        group.bench_function(format!("audit/city_{size}"), |b| b.iter(|| black_box(reg.audit())));
    }
    group.finish();
}

criterion_group!(benches, bench_build, bench_query, bench_scope, bench_command, bench_audit, bench_snapshot);
criterion_main!(benches);
