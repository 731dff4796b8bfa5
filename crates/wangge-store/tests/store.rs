//! The SQLite store as a host uses it: persist first then apply, exactly once for a retried
//! request, one writer, checkpoints, a full disk, foreign and stale snapshots, damaged pages.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use wangge::registry::{Record, RequestId};
use wangge::{Command, Registry};
use wangge_store::{Durable, Options, SqliteStore, Store, StoreError};

/// A directory of this test's own, removed on drop.
pub struct Dir(pub PathBuf);

impl Dir {
    pub fn new(test: &str) -> Dir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("wangge-store-{}-{test}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        Dir(path)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every record the store holds.
fn records(store: &impl Store) -> Vec<Record> {
    let mut all = Vec::new();
    store
        .read(0, &mut |r| {
            all.push(r);
            Ok(())
        })
        .expect("the store reads");
    all
}

/// Execute `ops` through a durable store; the registry and every acknowledged record.
fn run(book: &mut Durable<SqliteStore>, ops: &[support::Op]) -> Vec<Record> {
    let mut driver = support::Driver::default();
    let mut acked = Vec::new();
    let _ = book.execute(Command::OpenDay { today: driver.today }, None).map(|e| acked.push(e.record));
    for (i, op) in ops.iter().enumerate() {
        let command = driver.command(book.registry(), op);
        let request = (i % 3 == 0).then(|| RequestId::new(format!("r{i}")).expect("valid"));
        let before = book.registry().clone();
        let head = book.store().head();
        match book.execute(command, request) {
            Ok(done) => {
                assert!(!done.repeated);
                acked.push(done.record);
            }
            Err(StoreError::Refused(_)) => {
                assert!(*book.registry() == before, "a refused command changed the registry");
                assert_eq!(book.store().head(), head, "a refused command was written");
            }
            Err(e) => panic!("the store failed: {e}"),
        }
    }
    acked
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        // Failures kept beside the crate and replayed first on the next run.
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct("proptest-regressions/store.txt"))),
        ..ProptestConfig::default()
    })]

    /// After any commands, with checkpoints every few records: the store holds exactly the
    /// acknowledged records, in order; it opens to the same registry (from its newest snapshot
    /// and the tail), which equals a replay of those records.
    #[test]
    fn the_store_opens_to_the_registry_it_acknowledged(
        ops in prop::collection::vec(support::op(), 0..80),
        every in 1u64..12,
    ) {
        let dir = Dir::new("prop");
        let options = Options::new().checkpoint_every(Some(every));
        let mut book = Durable::create(SqliteStore::open(&dir.0, options.clone()).expect("opens"), support::founded()).expect("creates");
        let mut acked = vec![book.registry().founding_record()];
        acked.extend(run(&mut book, &ops));
        let registry = book.registry().clone();
        prop_assert_eq!(records(book.store()), acked.clone());
        drop(book);

        let (book, opened) = Durable::open(SqliteStore::open(&dir.0, options).expect("opens")).expect("reopens");
        prop_assert!(*book.registry() == registry);
        prop_assert_eq!(book.registry().head(), registry.head());
        prop_assert!(opened.skipped.is_empty(), "{:?}", opened.skipped);
        prop_assert_eq!(opened.snapshot.is_some(), registry.position() >= every);
        prop_assert!(opened.replayed < every.max(1) + 1 || opened.snapshot.is_none());
        prop_assert!(Registry::replay_records(&acked).expect("replays") == registry);
        prop_assert_eq!(book.store().verify().expect("verifies"), acked.len() as u64);
    }
}

#[test]
fn a_retried_request_gets_its_first_answer_and_nothing_is_written_twice() {
    let dir = Dir::new("retry");
    let mut book = Durable::create(SqliteStore::open(&dir.0, Options::new()).expect("opens"), support::founded())
        .expect("creates");
    let root = book.registry().root();
    let add = Command::AddHousehold { unit: root, door: wangge::people::DoorLabel::new("1-01").expect("valid") };
    let request = RequestId::new("retry-1").expect("valid");
    let first = book.execute(add.clone(), Some(request.clone())).expect("applied");
    assert!(!first.repeated);
    let again = book.execute(add.clone(), Some(request.clone())).expect("answered");
    assert!(again.repeated);
    assert_eq!(again.record, first.record);
    assert_eq!(records(book.store()).len(), 2);
    drop(book);
    // After a restart too: the registry remembers the request.
    let (mut book, _) = Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens")).expect("reopens");
    let third = book.execute(add, Some(request)).expect("answered");
    assert!(third.repeated);
    assert_eq!(third.record, first.record);
    assert_eq!(records(book.store()).len(), 2);
}

#[test]
fn a_second_writer_is_refused_and_a_reader_is_not() {
    let dir = Dir::new("two");
    let mut book = Durable::create(SqliteStore::open(&dir.0, Options::new()).expect("opens"), support::founded())
        .expect("creates");
    run(&mut book, &support::ops_from_seed(3, 50));
    assert!(matches!(SqliteStore::open(&dir.0, Options::new()), Err(StoreError::Locked { .. })));
    let reader = SqliteStore::reader(&dir.0).expect("a reader opens");
    assert_eq!(reader.head(), book.store().head());
    assert_eq!(records(&reader), records(book.store()));
    let mut reader = reader;
    assert!(matches!(reader.append(&book.registry().founding_record()), Err(StoreError::Locked { .. })));
    // The reader sees what the writer appends next, without reopening.
    run(&mut book, &support::ops_from_seed(4, 20));
    assert_eq!(records(&reader), records(book.store()));
    drop(book);
    // The lock goes with the writer.
    let (_book, _) =
        Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens once the writer left")).expect("opens");
}

#[test]
fn a_full_disk_leaves_store_and_registry_as_they_were() {
    let dir = Dir::new("full");
    let options = Options::new().checkpoint_every(None).size_limit(Some(64 * 1024));
    let mut book =
        Durable::create(SqliteStore::open(&dir.0, options).expect("opens"), support::founded()).expect("creates");
    let mut driver = support::Driver::default();
    let ops = support::ops_from_seed(5, 5_000);
    let mut acked = vec![book.registry().founding_record()];
    let mut full = 0;
    for op in &ops {
        let command = driver.command(book.registry(), op);
        let before = book.registry().clone();
        match book.execute(command, None) {
            Ok(done) => acked.push(done.record),
            Err(StoreError::Refused(_)) => {}
            Err(StoreError::Full(_)) => {
                full += 1;
                assert!(*book.registry() == before, "the registry took a command the disk did not");
                assert_eq!(book.store().head(), Some(acked.last().expect("founded").head()));
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(full > 0, "the store never filled up");
    let registry = book.registry().clone();
    assert_eq!(records(book.store()), acked);
    drop(book);
    let (mut book, _) = Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens")).expect("reopens");
    assert!(*book.registry() == registry);
    assert!(*book.registry() == Registry::replay_records(&acked).expect("replays"));
    // With room again, the store goes on.
    let command = Command::OpenDay { today: driver.today.succ_opt().expect("a date") };
    book.execute(command, None).expect("room again");
}

/// Build a store of `ops` with checkpoints every `every` records; the registry at the end.
fn build(dir: &Path, seed: u64, n: usize, every: Option<u64>) -> Registry {
    let options = Options::new().checkpoint_every(every).keep_snapshots(10);
    let mut book =
        Durable::create(SqliteStore::open(dir, options).expect("opens"), support::founded()).expect("creates");
    run(&mut book, &support::ops_from_seed(seed, n));
    book.registry().clone()
}

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(dir.join("snapshots")).expect("listed").map(|e| e.expect("an entry").path()).collect();
    files.sort();
    files
}

#[test]
fn foreign_and_divergent_snapshots_are_passed_over() {
    let ours = Dir::new("ours");
    let registry = build(&ours.0, 21, 300, Some(1_000_000));
    // A snapshot of another registry (another founding), named as if it were our newest.
    let theirs = Dir::new("theirs");
    let mut other = Durable::create(
        SqliteStore::open(&theirs.0, Options::new()).expect("opens"),
        Registry::new(
            wangge::grid::LevelScheme::foshan(),
            wangge::grid::NewUnit::new("乐从镇", wangge::grid::Level::new(0), wangge::grid::UnitKind::Area),
        )
        .expect("valid"),
    )
    .expect("creates");
    other.checkpoint().expect("a checkpoint");
    // A snapshot of the same founding but another history (same start, other commands).
    let fork = Dir::new("fork");
    build(&fork.0, 22, 150, None);
    let (mut forked, _) = Durable::open(SqliteStore::open(&fork.0, Options::new()).expect("opens")).expect("opens");
    let forked_at = forked.checkpoint().expect("a checkpoint");
    drop(forked);
    drop(other);

    let position = registry.position();
    fs::copy(&snapshots(&theirs.0)[0], ours.0.join("snapshots").join(format!("{:020}.wgsnap", 0))).expect("copied");
    assert!(forked_at.position < position);
    let fork_name = format!("{:020}.wgsnap", forked_at.position);
    fs::copy(&snapshots(&fork.0)[0], ours.0.join("snapshots").join(fork_name)).expect("copied");
    // And one that is not a snapshot at all.
    fs::write(ours.0.join("snapshots").join(format!("{:020}.wgsnap", position)), b"{\"format\": 6}").expect("written");

    let (book, opened) = Durable::open(SqliteStore::open(&ours.0, Options::new()).expect("opens")).expect("opens");
    assert!(*book.registry() == registry);
    assert_eq!(opened.snapshot, None, "a foreign snapshot was used");
    assert_eq!(opened.skipped.len(), 3, "{:?}", opened.skipped);
}

#[test]
fn a_stale_snapshot_is_used_with_a_longer_tail_and_a_torn_one_is_passed_over() {
    let dir = Dir::new("stale");
    let registry = build(&dir.0, 31, 400, Some(40));
    let files = snapshots(&dir.0);
    assert!(files.len() >= 3, "{files:?}");
    // The newest torn (cut short), the next altered: the third is used, with a longer tail.
    let newest = files[files.len() - 1].clone();
    let bytes = fs::read(&newest).expect("read");
    fs::write(&newest, &bytes[..bytes.len() / 2]).expect("torn");
    let second = files[files.len() - 2].clone();
    let mut bytes = fs::read(&second).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    fs::write(&second, bytes).expect("altered");
    let (book, opened) = Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens")).expect("opens");
    assert!(*book.registry() == registry);
    assert_eq!(opened.skipped.len(), 2, "{:?}", opened.skipped);
    let used = opened.snapshot.expect("the stale snapshot was used");
    assert_eq!(opened.replayed, registry.position() - used.position);
}

#[test]
fn a_damaged_page_is_refused_or_harmless_never_silently_wrong() {
    let dir = Dir::new("pages");
    let registry = build(&dir.0, 41, 600, None);
    let acked = records(&SqliteStore::reader(&dir.0).expect("reads"));
    {
        let (book, _) = Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens")).expect("opens");
        book.store().flush_wal().expect("merged");
    }
    let db = dir.0.join("records.sqlite");
    let pristine = fs::read(&db).expect("read");
    let page = 4096;
    let pages = pristine.len() / page;
    assert!(pages > 8, "a store of {pages} pages");
    let (mut refused, mut harmless) = (0, 0);
    for p in 0..pages {
        for (offset, len) in [(0, page), (page / 2, 64), (page - 100, 100)] {
            let mut bytes = pristine.clone();
            for b in &mut bytes[p * page + offset..p * page + offset + len] {
                *b ^= 0xA5;
            }
            fs::write(&db, &bytes).expect("damaged");
            let _ = fs::remove_file(dir.0.join("records.sqlite-wal"));
            let _ = fs::remove_file(dir.0.join("records.sqlite-shm"));
            let _ = fs::remove_dir_all(dir.0.join("snapshots"));
            let outcome = SqliteStore::open(&dir.0, Options::new()).and_then(|store| {
                store.verify()?;
                Durable::open(store)
            });
            match outcome {
                Ok((book, _)) => {
                    assert!(*book.registry() == registry, "page {p} (+{offset}) damaged gave another registry");
                    assert_eq!(records(book.store()), acked);
                    harmless += 1;
                }
                Err(
                    StoreError::Corrupt { .. }
                    | StoreError::Record { .. }
                    | StoreError::Sqlite(_)
                    | StoreError::UnsupportedLayout { .. }
                    | StoreError::Empty { .. },
                ) => refused += 1,
                Err(e) => panic!("page {p}: unexpected {e}"),
            }
        }
    }
    fs::write(&db, &pristine).expect("restored");
    eprintln!("{} damaged pages: {refused} refused, {harmless} harmless (free space)", 3 * pages);
    assert!(refused > 0);
}

#[test]
fn misuse_is_refused_with_typed_errors() {
    let dir = Dir::new("misuse");
    // An empty store holds no registry.
    let store = SqliteStore::open(&dir.0, Options::new()).expect("opens");
    let store = match Durable::open(store) {
        Err(StoreError::Empty { .. }) => SqliteStore::open(&dir.0, Options::new()).expect("opens again"),
        other => panic!("an empty store opened: {other:?}"),
    };
    // A registry past its founding record does not begin a store.
    let mut moved = support::founded();
    support::drive(&mut moved, &support::ops_from_seed(9, 20));
    assert!(moved.position() > 0);
    let store = match Durable::create(store, moved.clone()) {
        Err(StoreError::NotFresh { position }) if position == moved.position() => {
            SqliteStore::open(&dir.0, Options::new()).expect("opens again")
        }
        other => panic!("{other:?}"),
    };
    let mut book = Durable::create(store, support::founded()).expect("creates");
    run(&mut book, &support::ops_from_seed(10, 30));
    let (registry, mut store) = book.into_parts();
    // A record out of sequence; a checkpoint of another registry's head; created twice.
    assert!(
        matches!(store.append(&registry.founding_record()), Err(StoreError::OutOfSequence { expected, found: 0 }) if expected == registry.position() + 1)
    );
    assert!(matches!(store.checkpoint(&moved), Err(StoreError::ForeignHead { .. })));
    assert!(
        matches!(Durable::create(store, support::founded()), Err(StoreError::Exists { position }) if position == registry.position())
    );
}

/// A host's format-5 log (the golden file) moves into a store: upgraded to records by the
/// core, imported in one transaction, and opened to the registry the log describes.
#[test]
fn a_format_5_log_is_upgraded_into_a_store() {
    let text = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/golden/log_v5.jsonl"))
        .expect("the golden log");
    let events: Vec<wangge::Event> =
        text.lines().map(|line| serde_json::from_str(line).expect("a format-5 event")).collect();
    let records = wangge::registry::upgrade_v5_log(&events).expect("upgraded");
    let dir = Dir::new("v5");
    let mut store = SqliteStore::open(&dir.0, Options::new()).expect("opens");
    store.append_all(&records).expect("imported");
    let (mut book, report) = Durable::open(store).expect("opens");
    assert_eq!(report.replayed, records.len() as u64);
    assert!(*book.registry() == Registry::replay(&events).expect("the events replay"));
    book.checkpoint().expect("a checkpoint");
    drop(book);
    let (book, report) = Durable::open(SqliteStore::open(&dir.0, Options::new()).expect("opens")).expect("opens");
    assert_eq!(report.replayed, 0);
    assert!(*book.registry() == Registry::replay(&events).expect("the events replay"));
}
