//! Benches of the SQLite store (issue 14 §4), baselines in the same group:
//!
//! - `store/append`: one command appended and applied per iteration through
//!   [`Durable::execute`] (one SQLite transaction, `synchronous=FULL`: an fsync each), against
//!   the same store without the fsync (`Options::fsync(false)`: what the store itself costs)
//!   and the same command executed in memory alone. Target: ≥ 1,000 appends per second.
//! - `store/open/<city>`: opening a store of a synthetic city whose newest snapshot is
//!   followed by a tail of 10,000 records, against replaying the store's whole log from its
//!   founding record and against building the city in memory through commands
//!   (`CityShape::build`). Targets on city_10m: open in ≤ 2 s and ≥ 10× faster than the
//!   replay.
//!
//! The city is `CityShape::with_households(N)` with N from `WANGGE_STORE_BENCH_HOUSEHOLDS`
//! (default 350,000: city_1m, ≈1.0 million persons; 3,500,000 is city_10m). Its log is made
//! by executing, record by record, the commands that build it (every unit, household and
//! person in id order), imported into the store in transactions of 50,000 records, then a
//! checkpoint, then 10,000 `SetState` records. The store is built once per run under the
//! target directory and removed at the end; sizes, set-up times and where one open's time goes
//! go to stderr. With `WANGGE_STORE_BENCH_ONCE` set, the open group times each contender once
//! instead (for city_10m, whose replay alone takes minutes), and where the open's time goes is
//! measured again after the timed open.
//! `cargo bench -p wangge-store --bench store`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wangge::colour::State;
use wangge::grid::NewUnit;
use wangge::people::{Marker, Markers};
use wangge::registry::Record;
use wangge::synth::CityShape;
use wangge::{Command, HouseholdId, PersonId, Registry, UnitId};
use wangge_store::{Durable, Options, SqliteStore, Store};

/// Records after the snapshot.
const TAIL: u64 = 10_000;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a valid date")
}

/// A scratch directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let dir = base.join("wangge-store-bench").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The commands that build `city` from its founding, in id order.
fn commands(city: &Registry) -> impl Iterator<Item = Command> + '_ {
    let tree = city.tree();
    let units = (1..tree.len()).map(move |i| {
        let id = UnitId::new(i as u32);
        let unit = tree.unit(id).expect("listed");
        let mut spec = NewUnit::new(unit.name(), unit.level(), unit.kind());
        if let Some(code) = unit.code() {
            spec = spec.with_code(code.as_str()).expect("a valid code");
        }
        Command::AddUnit { parent: tree.parent(id).expect("listed").expect("not the root"), unit: spec }
    });
    let population = city.population();
    let households = (0..population.household_count()).map(move |i| {
        let h = population.household(HouseholdId::new(i as u32)).expect("listed");
        Command::AddHousehold { unit: h.unit(), door: h.door().clone() }
    });
    let persons = (0..population.person_count()).map(move |i| {
        let id = PersonId::new(i as u32);
        let p = population.person(id).expect("listed");
        Command::RegisterPerson { household: p.household(), record: p.record(), state: city.state(id).expect("listed") }
    });
    units.chain(households).chain(persons)
}

/// A fresh registry founded as `city` was.
fn founded_like(city: &Registry) -> Registry {
    let root = city.tree().unit(city.root()).expect("the root");
    let mut spec = NewUnit::new(root.name(), root.level(), root.kind());
    if let Some(code) = root.code() {
        spec = spec.with_code(code.as_str()).expect("a valid code");
    }
    Registry::new(city.tree().scheme().clone(), spec).expect("the city's root")
}

/// Execute `commands` on `reg`, importing their records into `store` in batches.
fn import(reg: &mut Registry, store: &mut SqliteStore, commands: impl Iterator<Item = Command>) -> u64 {
    let mut batch: Vec<Record> = Vec::with_capacity(50_000);
    let mut n = 0;
    for command in commands {
        let answer = reg.execute(command, None).expect("a city's command");
        batch.push(answer.record().expect("applied").clone());
        n += 1;
        if batch.len() == 50_000 {
            store.append_all(&batch).expect("imported");
            batch.clear();
        }
    }
    store.append_all(&batch).expect("imported");
    n
}

/// A store of the city: log, snapshot, tail. Returns the city's label, its directory and the
/// registry it holds.
fn city_store() -> (String, PathBuf, Registry) {
    let households: u32 =
        std::env::var("WANGGE_STORE_BENCH_HOUSEHOLDS").ok().and_then(|h| h.parse().ok()).unwrap_or(350_000);
    let shape = CityShape::with_households(households);
    let t = Instant::now();
    let city = shape.build().expect("a valid shape").into_registry();
    let persons = city.population().person_count();
    let label = if persons >= 1_000_000 {
        format!("city_{}m", (persons as f64 / 1e6).round() as u64)
    } else {
        format!("city_{}k", (persons as f64 / 1e3).round() as u64)
    };
    eprintln!("{label}: {persons} persons, built in memory in {:.2?}", t.elapsed());

    let dir = scratch(&label);
    let mut store = SqliteStore::open(&dir, Options::new().checkpoint_every(None)).expect("opens");
    let mut reg = founded_like(&city);
    store.append_all([&reg.founding_record()]).expect("founded");
    let t = Instant::now();
    let n = import(&mut reg, &mut store, commands(&city));
    drop(city);
    reg.shrink_to_fit();
    eprintln!("{label}: {n} records executed and imported in {:.2?}", t.elapsed());
    let t = Instant::now();
    store.checkpoint(&reg).expect("a checkpoint");
    let snapshot = std::fs::read_dir(dir.join("snapshots")).expect("listed").next().expect("one").expect("entry");
    eprintln!(
        "{label}: snapshot of {} MB written in {:.2?}",
        snapshot.metadata().expect("metadata").len() / 1_000_000,
        t.elapsed()
    );
    let tail = (0..TAIL).map(|i| Command::SetState {
        person: PersonId::new(i as u32),
        state: State::HomeIsolationEpidemicArea,
        on: day(),
    });
    import(&mut reg, &mut store, tail);
    store.flush_wal().expect("merged");
    let db = std::fs::metadata(store.database_path()).expect("metadata").len();
    eprintln!("{label}: records database {} MB, head at {}", db / 1_000_000, reg.position());
    (label, dir, reg)
}

/// Replay the store's whole log from its founding record.
fn replay_whole_log(dir: &Path) -> Registry {
    let store = SqliteStore::reader(dir).expect("opens");
    let mut reg: Option<Registry> = None;
    store
        .read(0, &mut |record| {
            match reg.as_mut() {
                Some(reg) => reg.apply_record(&record).expect("a record of the city"),
                None => reg = Some(Registry::replay_records([&record]).expect("the founding record")),
            }
            Ok(())
        })
        .expect("reads");
    reg.expect("a log")
}

/// Where an open's time goes, measured once: reading the snapshot file, checking and decoding
/// it, rebuilding the registry from it (tallies, indexes, audit), replaying the tail.
fn open_breakdown(label: &str, dir: &Path) {
    let t = Instant::now();
    let file = std::fs::read_dir(dir.join("snapshots")).expect("listed").next().expect("one").expect("entry").path();
    let bytes = std::fs::read(&file).expect("read");
    let read = t.elapsed();
    let t = Instant::now();
    let (_, snapshot) = wangge_store::codec::read_snapshot(&bytes).expect("decodes");
    let decode = t.elapsed();
    drop(bytes);
    let t = Instant::now();
    let mut reg = Registry::from_snapshot(snapshot).expect("loads");
    let load = t.elapsed();
    let t = Instant::now();
    let store = SqliteStore::reader(dir).expect("opens");
    store
        .read(reg.position() + 1, &mut |record| {
            reg.apply_record(&record).expect("a record of the city");
            Ok(())
        })
        .expect("reads");
    let tail = t.elapsed();
    eprintln!(
        "{label}: open, once: read the file {read:.2?}, check and decode {decode:.2?}, Registry::from_snapshot \
         {load:.2?}, replay the {TAIL}-record tail {tail:.2?}"
    );
}

fn open(c: &mut Criterion) {
    let (label, dir, registry) = city_store();
    open_breakdown(&label, &dir);
    let households: u32 =
        std::env::var("WANGGE_STORE_BENCH_HOUSEHOLDS").ok().and_then(|h| h.parse().ok()).unwrap_or(350_000);
    if std::env::var_os("WANGGE_STORE_BENCH_ONCE").is_some() {
        // city_10m's replay takes minutes: each contender once, timed, instead of criterion's
        // ten samples.
        let t = Instant::now();
        let (book, opened) = Durable::open(SqliteStore::open(&dir, Options::new()).expect("opens")).expect("opens");
        let open = t.elapsed();
        assert_eq!(opened.replayed, TAIL);
        assert!(*book.registry() == registry, "the store opened to another registry");
        drop(book);
        // The parts again, now that the process has run one open (the first breakdown runs
        // right after building the store, on a heap that has not been reused yet).
        open_breakdown(&label, &dir);
        let t = Instant::now();
        let replayed = replay_whole_log(&dir);
        let replay = t.elapsed();
        assert!(replayed == registry);
        drop(replayed);
        let t = Instant::now();
        drop(black_box(CityShape::with_households(households).build().expect("builds").into_registry()));
        let build = t.elapsed();
        eprintln!(
            "store/open/{label}, once: snapshot_and_tail {open:.2?}, replay_whole_log {replay:.2?} ({:.1}x), \
             build_in_memory {build:.2?}",
            replay.as_secs_f64() / open.as_secs_f64()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let mut group = c.benchmark_group(format!("store/open/{label}"));
    group.sampling_mode(SamplingMode::Flat).sample_size(10).warm_up_time(Duration::from_millis(1));
    group.bench_function("snapshot_and_tail", |b| {
        b.iter(|| {
            let store = SqliteStore::open(&dir, Options::new()).expect("opens");
            let (book, opened) = Durable::open(store).expect("opens");
            assert_eq!(opened.replayed, TAIL);
            black_box(book.into_parts().0)
        })
    });
    group.bench_function("replay_whole_log", |b| b.iter(|| black_box(replay_whole_log(&dir))));
    group.bench_function("build_in_memory", |b| {
        b.iter(|| black_box(CityShape::with_households(households).build().expect("builds").into_registry()))
    });
    group.finish();
    let (book, _) = Durable::open(SqliteStore::open(&dir, Options::new()).expect("opens")).expect("opens");
    assert!(*book.registry() == registry, "the store opened to another registry");
    drop(book);
    let _ = std::fs::remove_dir_all(&dir);
}

fn append(c: &mut Criterion) {
    let dir = scratch("append");
    let reg = founded_like(&CityShape::with_households(1_000).build().expect("builds").into_registry());
    let mut book =
        Durable::create(SqliteStore::open(&dir, Options::new().checkpoint_every(None)).expect("opens"), reg.clone())
            .expect("creates");
    let lazy_dir = scratch("append-no-fsync");
    let mut lazy = Durable::create(
        SqliteStore::open(&lazy_dir, Options::new().checkpoint_every(None).fsync(false)).expect("opens"),
        reg.clone(),
    )
    .expect("creates");
    let mut memory = reg;
    let household = {
        let cmd =
            Command::AddHousehold { unit: memory.root(), door: wangge::people::DoorLabel::new("1-01").expect("valid") };
        book.execute(cmd.clone(), None).expect("applied");
        lazy.execute(cmd.clone(), None).expect("applied");
        memory.execute(cmd, None).expect("applied");
        HouseholdId::new(0)
    };
    let register = Command::RegisterPerson {
        household,
        record: wangge::people::PersonRecord::new(),
        state: wangge::colour::PersonState::well(day()),
    };
    book.execute(register.clone(), None).expect("applied");
    lazy.execute(register.clone(), None).expect("applied");
    memory.execute(register, None).expect("applied");
    let person = PersonId::new(0);
    let sets = [Markers::new(), [Marker::PartyMember].into_iter().collect::<Markers>()];

    let mut group = c.benchmark_group("store/append");
    group.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    group.bench_function("sqlite_fsync", |b| {
        b.iter(|| {
            i += 1;
            let markers = sets[i % 2];
            black_box(book.execute(Command::SetMarkers { person, markers }, None).expect("applied"))
        })
    });
    let mut k = 0usize;
    group.bench_function("sqlite_no_fsync", |b| {
        b.iter(|| {
            k += 1;
            let markers = sets[k % 2];
            black_box(lazy.execute(Command::SetMarkers { person, markers }, None).expect("applied"))
        })
    });
    let mut j = 0usize;
    group.bench_function("in_memory", |b| {
        b.iter(|| {
            j += 1;
            let markers = sets[j % 2];
            black_box(memory.execute(Command::SetMarkers { person, markers }, None).expect("applied"))
        })
    });
    group.finish();
    drop((book, lazy));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&lazy_dir);
}

criterion_group!(benches, append, open);
criterion_main!(benches);
