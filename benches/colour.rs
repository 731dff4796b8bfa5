//! Benches of the five colours (四级五色): the full roll-up, one state change, a tally read.
//!
//! Sizes, named in every bench id:
//! - `10k`: `CityShape::with_households(10_000)`, 10,080 households, ≈29,000 persons;
//! - `10m`: `CityShape::city_10m()`, 3,532,800 households, ≈10.1 million persons, ≈106,000 units.
//! - `10m_hot` (state change): city_10m with every pick inside its first community, a working
//!   set as small as the 10k city's, to tell the command's own cost from cache misses.
//!
//! Both cities are built once per process and then coloured through public commands
//! (`Command::SetState`, seeded ChaCha8): 1% of households away as a whole (white), and of the
//! other persons ≈3% in home isolation from the epidemic area, ≈5% from elsewhere, 0.5% close
//! contacts, a few secondary contacts, cases and persons in centralised isolation, 2% absent;
//! every colour occurs.
//!
//! Groups:
//! - `rollup` (city_10m): `wangge_roll_up` (`Registry::roll_up`, every unit's tally recomputed
//!   from the households) against two baselines in the same group: `raw_leaf_pass`, a plain
//!   pass doing `counts[unit][colour] += 1` over two arrays extracted beforehand (leaf unit per
//!   household as `u32`, colour per household as `u8`), and `sqlite_recursive_cte`, the roll-up
//!   a host service would write in SQLite (bundled, in memory, loaded beforehand): households
//!   grouped by leaf unit and colour, then climbed to every ancestor with a recursive CTE, every
//!   row fetched. Once, outside the timing, the SQLite result is checked to equal wangge's
//!   households per colour for every unit, so both compute the same roll-up.
//!
//!   wangge's roll-up computes more than either baseline: persons per colour, persons per
//!   state and marked persons per colour besides households per colour, for every unit, from
//!   every household and every person; the raw pass reads households only and does not climb
//!   the tree at all.
//!
//!   `wangge_live_tallies`, in the same group, is no roll-up: it reads every unit's households
//!   per colour off the live tallies (`Registry::tally`), the rows SQLite's roll-up returns,
//!   into one buffer reused by every iteration (so that it times the reads, not page faults).
//!   It is what a host does instead of rolling up.
//! - `state_change`: one iteration is `SetState` Well → CloseContact, then CloseContact → Well
//!   on the same date for a random well person (pre-drawn), so the registry ends as it began.
//!   **One change is half an iteration**: the household is recoloured and the tallies of every
//!   ancestor updated, twice.
//! - `tally_read`: `Registry::tally` of the root, of the building whose household just changed,
//!   and of a random building. Each timed run of reads follows an (untimed) state change, so
//!   every read is of a tally kept live, never recomputed.
//!
//! Run: `cargo bench --all-features --bench colour` (see BENCHMARKS.md for the figures).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main, measurement::WallTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use wangge::colour::{Colour, Measure, State};
use wangge::synth::{City, CityShape};
use wangge::{Command, HouseholdId, PersonId, Registry, UnitId};

/// The system allocator, counting allocation calls (not bytes), to print how many a state
/// change makes. Counting costs one relaxed atomic add per allocation, in every bench.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is only
// incremented.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The date the city is coloured: after `wangge::synth::REGISTERED_ON`, when everyone was
/// registered well.
const COLOURED_ON: NaiveDate = date(2020, 2, 1);

/// The date of the benched changes: after every state the colouring set began.
const CHANGED_ON: NaiveDate = date(2020, 2, 10);

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("a valid date"),
    }
}

/// Random picks made once per bench, outside the timed loop, and cycled through.
const PICKS: usize = 4096;

fn rng(salt: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0xC010_0125 ^ salt)
}

/// The state a person of a household that is not away as a whole is put in, by the colouring
/// (`None`: placed in centralised isolation, a measure since format 7).
fn draw_state(r: &mut ChaCha8Rng) -> Option<State> {
    // Cumulative shares in parts per 100,000.
    const SHARES: [(u32, Option<State>); 8] = [
        (5, Some(State::Confirmed)),
        (15, Some(State::Suspected)),
        (65, None),
        (265, Some(State::SecondaryContact)),
        (765, Some(State::CloseContact)),
        (3_765, Some(State::HomeIsolationEpidemicArea)),
        (8_765, Some(State::HomeIsolationElsewhere)),
        (10_765, Some(State::Absent)),
    ];
    let x = r.random_range(0..100_000u32);
    SHARES.iter().find(|&&(upto, _)| x < upto).map_or(Some(State::Well), |&(_, s)| s)
}

/// Build a city and give it realistic colours through public commands.
fn coloured(shape: &CityShape, name: &str) -> City {
    let start = Instant::now();
    let mut city = shape.build().expect("the presets are valid shapes");
    let built = start.elapsed();
    let start = Instant::now();
    let mut r = rng(0);
    let mut log = Vec::new();
    let mut changes = 0u64;
    let households = city.registry().population().household_count() as u32;
    for h in 0..households {
        let members = city.registry().household(HouseholdId::new(h)).expect("a household").members().to_vec();
        let away = r.random_bool(0.01);
        for p in members {
            let state = if away { Some(State::Absent) } else { draw_state(&mut r) };
            if state != Some(State::Well) {
                log.clear();
                let command = match state {
                    Some(state) => Command::SetState { person: p, state, on: COLOURED_ON },
                    None => Command::SetMeasure { person: p, measure: Measure::CentralisedIsolation, on: COLOURED_ON },
                };
                city.registry_mut().apply_into(command, &mut log).expect("a well person may become anything");
                changes += 1;
            }
        }
    }
    let reg = city.registry();
    let root = reg.tally(reg.root()).expect("the root");
    eprintln!(
        "city_{name}: {} units, {} households, {} persons; built in {:.2} s, coloured by {changes} SetState in {:.2} s",
        reg.tree().len(),
        reg.population().household_count(),
        reg.population().person_count(),
        built.as_secs_f64(),
        start.elapsed().as_secs_f64()
    );
    let per_colour: Vec<String> =
        Colour::BY_SEVERITY.iter().map(|&c| format!("{} {}", c.label_en(), root.households(c))).collect();
    eprintln!("city_{name}: households per colour: {}", per_colour.join(", "));
    city
}

static CITY_10M: LazyLock<Mutex<City>> = LazyLock::new(|| Mutex::new(coloured(&CityShape::city_10m(), "10m")));

static CITY_10K: LazyLock<Mutex<City>> =
    LazyLock::new(|| Mutex::new(coloured(&CityShape::with_households(10_000), "10k")));

fn lock(city: &'static LazyLock<Mutex<City>>) -> MutexGuard<'static, City> {
    // A panic in one bench poisons nothing the next one relies on: the city is still whole.
    city.lock().unwrap_or_else(|e| e.into_inner())
}

/// The two cities of every comparison: (name, city).
fn cities() -> [(&'static str, &'static LazyLock<Mutex<City>>); 2] {
    [("10k", &CITY_10K), ("10m", &CITY_10M)]
}

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
}

/// `PICKS` persons in state Well, drawn among the first `persons` (all of them, or the first
/// community's: synthetic cities are built depth first).
fn well_persons(reg: &Registry, persons: u32, r: &mut ChaCha8Rng) -> Vec<PersonId> {
    let mut picks = Vec::with_capacity(PICKS);
    while picks.len() < PICKS {
        let p = PersonId::new(r.random_range(0..persons));
        if reg.state(p).expect("a registered person").state() == State::Well {
            picks.push(p);
        }
    }
    picks
}

fn set_state(reg: &mut Registry, person: PersonId, state: State) {
    black_box(reg.apply(Command::SetState { person, state, on: CHANGED_ON }).expect("well <-> close contact"));
}

// ---------------------------------------------------------------------------------------------
// rollup

/// The baseline's input: leaf unit per household and colour per household, as plain arrays.
struct Arrays {
    units: usize,
    leaf: Vec<u32>,
    colour: Vec<u8>,
}

fn arrays(reg: &Registry) -> Arrays {
    let households = reg.population().households();
    let (leaf, colour) =
        households.map(|(id, h)| (h.unit().get(), reg.colour(id).expect("a household").index() as u8)).unzip();
    Arrays { units: reg.tree().len(), leaf, colour }
}

/// The raw leaf-tally pass: households per colour at the unit each household sits at (no
/// climb).
fn raw_leaf_pass(a: &Arrays) -> Vec<[u64; Colour::COUNT]> {
    let mut counts = vec![[0u64; Colour::COUNT]; a.units];
    for (&unit, &colour) in a.leaf.iter().zip(&a.colour) {
        counts[unit as usize][colour as usize] += 1;
    }
    counts
}

/// Every unit's households per colour, read off the live tallies (nothing recomputed).
fn live_tallies(reg: &Registry) -> Vec<[u64; Colour::COUNT]> {
    let mut rows = Vec::new();
    live_tallies_into(reg, &mut rows);
    rows
}

/// [`live_tallies`] into `rows`, cleared first: a buffer reused from one call to the next
/// touches no fresh page, so a bench of it times the reads, not the page faults of a new
/// 4.3 MB result every iteration.
fn live_tallies_into(reg: &Registry, rows: &mut Vec<[u64; Colour::COUNT]>) {
    rows.clear();
    rows.extend(reg.tree().ids().map(|u| {
        let t = reg.tally(u).expect("a unit of the tree");
        let mut households = [0; Colour::COUNT];
        for c in Colour::BY_SEVERITY {
            households[c.index()] = t.households(c);
        }
        households
    }));
}

/// The roll-up a host service would write: households grouped by leaf unit and colour (read
/// off the index on `households(unit, colour)`), climbed to every ancestor, summed per unit
/// and colour. `UNION ALL`: two units may carry equal rows.
const ROLL_UP_SQL: &str = "
WITH RECURSIVE up(unit, colour, n) AS (
    SELECT unit, colour, COUNT(*) FROM households GROUP BY unit, colour
    UNION ALL
    SELECT units.parent, up.colour, up.n FROM up JOIN units ON units.id = up.unit
    WHERE units.parent IS NOT NULL
)
SELECT unit, colour, SUM(n) FROM up GROUP BY unit, colour";

/// An in-memory SQLite database holding the registry's units and households.
fn sqlite(reg: &Registry) -> Connection {
    let start = Instant::now();
    let mut db = Connection::open_in_memory().expect("an in-memory database");
    db.execute_batch(
        "CREATE TABLE units(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES units(id));
         CREATE TABLE households(id INTEGER PRIMARY KEY, unit INTEGER NOT NULL REFERENCES units(id),
                                 colour INTEGER NOT NULL);",
    )
    .expect("the schema");
    let tx = db.transaction().expect("a transaction");
    {
        let mut insert = tx.prepare("INSERT INTO units(id, parent) VALUES (?1, ?2)").expect("the insert");
        let tree = reg.tree();
        for u in tree.ids() {
            let parent = tree.parent(u).expect("a unit of the tree").map(UnitId::get);
            insert.execute((u.get(), parent)).expect("a unit row");
        }
        let mut insert =
            tx.prepare("INSERT INTO households(id, unit, colour) VALUES (?1, ?2, ?3)").expect("the insert");
        for (id, h) in reg.population().households() {
            let colour = reg.colour(id).expect("a household").index() as u32;
            insert.execute((id.get(), h.unit().get(), colour)).expect("a household row");
        }
    }
    tx.commit().expect("the load");
    db.execute_batch(
        "CREATE INDEX households_unit_colour ON households(unit, colour);
         CREATE INDEX units_parent ON units(parent);
         ANALYZE;",
    )
    .expect("the indexes");
    eprintln!("sqlite: loaded and indexed in {:.2} s", start.elapsed().as_secs_f64());
    let mut plan = db.prepare(&format!("EXPLAIN QUERY PLAN {ROLL_UP_SQL}")).expect("the plan");
    let rows = plan.query_map([], |row| row.get::<_, String>(3)).expect("the plan");
    for detail in rows {
        eprintln!("sqlite plan: {}", detail.expect("a plan row"));
    }
    drop(plan);
    db
}

/// Run the SQLite roll-up, fetching every row: (unit, colour, households).
fn sqlite_roll_up(statement: &mut rusqlite::Statement<'_>) -> Vec<(i64, i64, i64)> {
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).expect("the roll-up");
    rows.collect::<Result<_, _>>().expect("the rows")
}

/// Check, once and untimed, that the three roll-ups agree with each other and with the live
/// tallies.
fn verify(reg: &Registry, arrays: &Arrays, sqlite: &[(i64, i64, i64)]) {
    let full = reg.roll_up();
    assert_eq!(full.len(), reg.tree().len());
    let mut from_sqlite = vec![[0u64; Colour::COUNT]; full.len()];
    for &(unit, colour, n) in sqlite {
        let index = |v: i64| usize::try_from(v).expect("ids and colours are small and positive");
        from_sqlite[index(unit)][index(colour)] = u64::try_from(n).expect("a count");
    }
    let raw = raw_leaf_pass(arrays);
    assert_eq!(live_tallies(reg), from_sqlite, "live tallies vs SQLite");
    for u in reg.tree().ids() {
        let t = &full[u.index()];
        assert_eq!(t, reg.tally(u).expect("a unit"), "live tally of {u}");
        let mut households = [0u64; Colour::COUNT];
        for c in Colour::BY_SEVERITY {
            households[c.index()] = t.households(c);
        }
        assert_eq!(households, from_sqlite[u.index()], "households per colour of {u}: wangge vs SQLite");
        if reg.tree().children(u).expect("a unit").is_empty() {
            assert_eq!(households, raw[u.index()], "households per colour of leaf {u}: wangge vs the raw pass");
        }
    }
    eprintln!("rollup: wangge, SQLite ({} rows) and the raw pass agree on every unit", sqlite.len());
}

fn bench_rollup(c: &mut Criterion) {
    let city = lock(&CITY_10M);
    let reg = city.registry();
    let mut group = c.benchmark_group("rollup");
    // Flat sampling: every sample runs as many iterations, so the SQLite bench (seconds per
    // iteration) takes 10 iterations, not 55.
    group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("wangge_roll_up/10m", |b| b.iter_with_large_drop(|| reg.roll_up()));
    // Not a recomputation: what a host reads instead of running a roll-up, every unit's
    // households per colour off the live tallies (the rows SQLite's roll-up returns).
    // Into one buffer reused by every iteration (allocated by the warm-up): kept results, one
    // fresh 4.3 MB vector an iteration, made this bench time their page faults (4.3 ms as
    // benched, 0.9 ms for the reads themselves).
    let mut rows = Vec::new();
    group.bench_function("wangge_live_tallies/10m", |b| {
        b.iter(|| {
            live_tallies_into(black_box(reg), &mut rows);
            black_box(rows.len())
        })
    });
    let arrays = arrays(reg);
    group.bench_function("raw_leaf_pass/10m", |b| b.iter_with_large_drop(|| raw_leaf_pass(black_box(&arrays))));
    group.measurement_time(Duration::from_secs(50));
    let mut db: Option<Connection> = None;
    group.bench_function("sqlite_recursive_cte/10m", |b| {
        // Loaded, and checked against wangge, when this bench first runs (not when filtered out).
        let db = db.get_or_insert_with(|| {
            let db = sqlite(reg);
            let mut statement = db.prepare(ROLL_UP_SQL).expect("the roll-up");
            verify(reg, &arrays, &sqlite_roll_up(&mut statement));
            drop(statement);
            db
        });
        let mut statement = db.prepare(ROLL_UP_SQL).expect("the roll-up");
        b.iter_with_large_drop(|| sqlite_roll_up(&mut statement))
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// state_change

fn bench_state_change(c: &mut Criterion) {
    let mut group = c.benchmark_group("state_change");
    quick(&mut group);
    // `10m_hot` is city_10m with every pick inside its first community (≈4,400 households,
    // ≈12,600 persons, as many as the 10k city holds).
    let cases = [("10k", &CITY_10K, false), ("10m", &CITY_10M, false), ("10m_hot", &CITY_10M, true)];
    for (size, city, hot) in cases {
        let mut city = lock(city);
        let persons = if hot {
            city.registry().counts(city.communities()[0]).expect("a community").persons as u32
        } else {
            city.registry().population().person_count() as u32
        };
        let picks = well_persons(city.registry(), persons, &mut rng(1));
        let reg = city.registry_mut();
        let root = reg.tally(reg.root()).expect("the root").clone();

        let before = ALLOCATIONS.load(Ordering::Relaxed);
        set_state(reg, picks[0], State::CloseContact);
        set_state(reg, picks[0], State::Well);
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        eprintln!("state_change/{size}: {allocations} allocations for the two changes (with `apply`)");

        let mut i = 0;
        group.bench_function(format!("well_to_close_contact_and_back/{size}"), |b| {
            b.iter(|| {
                let p = picks[i % PICKS];
                i += 1;
                set_state(reg, black_box(p), State::CloseContact);
                set_state(reg, p, State::Well);
            })
        });
        assert_eq!(reg.tally(reg.root()).expect("the root"), &root, "the registry ends as it began");
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// tally_read

/// Reads timed per run of `READS`, each run right after one untimed state change.
const READS: u64 = 64;

/// Untimed state changes between the timed reads: a close contact found, then released.
struct Changes {
    picks: Vec<PersonId>,
    next: usize,
    pending: Option<PersonId>,
}

impl Changes {
    /// Make one change; returns the unit of the household it recoloured (or not).
    fn change(&mut self, reg: &mut Registry) -> UnitId {
        let p = match self.pending.take() {
            Some(p) => {
                set_state(reg, p, State::Well);
                p
            }
            None => {
                let p = self.picks[self.next % PICKS];
                self.next += 1;
                set_state(reg, p, State::CloseContact);
                self.pending = Some(p);
                p
            }
        };
        let household = reg.person(p).expect("a person").household();
        reg.household(household).expect("a household").unit()
    }

    /// Release the close contact still pending, if any: the registry is as it began.
    fn settle(&mut self, reg: &mut Registry) {
        if self.pending.is_some() {
            self.change(reg);
        }
    }
}

/// Which unit a read asks about: the root, the unit of the household just changed, a random
/// building.
#[derive(Clone, Copy)]
enum Target {
    Root,
    Changed,
    Random,
}

fn bench_tally_read(c: &mut Criterion) {
    let mut group = c.benchmark_group("tally_read");
    quick(&mut group);
    for (size, city) in cities() {
        let mut city = lock(city);
        let mut r = rng(2);
        let persons = city.registry().population().person_count() as u32;
        let picks = well_persons(city.registry(), persons, &mut r);
        let leaves: Vec<UnitId> =
            (0..PICKS).map(|_| city.buildings()[r.random_range(0..city.buildings().len())]).collect();
        let reg = city.registry_mut();
        let root = reg.root();
        let red = |reg: &Registry| reg.tally(root).expect("the root").households(Colour::Red);
        let red_before = red(reg);
        let mut changes = Changes { picks, next: 0, pending: None };

        // The live tally shows a change at once: nothing is recomputed on reading.
        changes.change(reg);
        let red_after = red(reg);
        assert!(red_after >= red_before, "a close contact found never lowers the red count");
        eprintln!("tally_read/{size}: red households at the root {red_before} -> {red_after} after one SetState");
        changes.settle(reg);

        let mut k = 0usize;
        for (name, target) in
            [("root", Target::Root), ("changed_leaf", Target::Changed), ("random_leaf", Target::Random)]
        {
            group.bench_function(format!("{name}/{size}"), |b| {
                b.iter_custom(|iters| {
                    let mut timed = Duration::ZERO;
                    let mut left = iters;
                    while left > 0 {
                        let n = left.min(READS);
                        left -= n;
                        let changed = changes.change(reg);
                        let reg = &*reg;
                        let start = Instant::now();
                        for _ in 0..n {
                            k += 1;
                            let unit = match target {
                                Target::Root => root,
                                Target::Changed => changed,
                                Target::Random => leaves[k % PICKS],
                            };
                            black_box(reg.tally(black_box(unit)).expect("a unit").households(Colour::Red));
                        }
                        timed += start.elapsed();
                    }
                    timed
                })
            });
        }
        changes.settle(reg);
        assert_eq!(red(reg), red_before, "the registry ends as it began");
    }
    group.finish();
}

criterion_group!(benches, bench_rollup, bench_state_change, bench_tally_read);
criterion_main!(benches);
