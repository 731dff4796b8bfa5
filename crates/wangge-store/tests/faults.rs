//! Crashes: a writer PROCESS killed with SIGKILL at random points, again and again, on one
//! store. The writer is this test binary itself, run as a child in writer mode
//! (`writer_process`, ignored unless asked for); it executes commands through a durable store
//! (checkpoints every few records, so kills land in snapshot writes too) and prints each
//! acknowledged record's position and digest. The parent reads them, kills the child after a
//! random number of acknowledgements and a random delay, tries a second writer on the way,
//! then opens the store and checks:
//! - it opens;
//! - every acknowledged record is there, with its digest;
//! - no half command: every record holds exactly the events of its command (replay checks
//!   each record against the command it records), the digest chain is whole, and the registry
//!   opened (snapshot + tail) equals a replay of all the records from the first.
//!
//! `WANGGE_STORE_KILLS` sets the number of kills (20 by default, a few seconds);
//! `WANGGE_STORE_KILL_SEED` the seed of the kill points.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use wangge::Registry;
use wangge::registry::{Head, Record, RequestId};
use wangge_store::{Durable, Options, SqliteStore, Store, StoreError};

/// Set in the child: the store's directory.
const CHILD_DIR: &str = "WANGGE_STORE_WRITER_DIR";
/// Set in the child: the seed of its commands.
const CHILD_SEED: &str = "WANGGE_STORE_WRITER_SEED";

fn options() -> Options {
    Options::new().checkpoint_every(Some(16)).keep_snapshots(3)
}

/// The writer: open (or create) the store, then execute commands, printing each
/// acknowledgement, until it runs out of commands or is killed.
#[test]
#[ignore = "the writer process of `kill_9_at_random_points`, run by it as a child"]
fn writer_process() {
    let (Some(dir), Some(seed)) = (std::env::var_os(CHILD_DIR), std::env::var(CHILD_SEED).ok()) else {
        panic!("run by kill_9_at_random_points only");
    };
    let seed: u64 = seed.parse().expect("a seed");
    let store = SqliteStore::open(&dir, options()).expect("the writer opens the store");
    let mut book = if store.head().is_none() {
        let book = Durable::create(store, support::founded()).expect("creates");
        println!("ack {} {}", 0, book.registry().digest());
        book
    } else {
        Durable::open(store).expect("the writer reopens the store").0
    };
    let mut driver = support::Driver::default();
    for (i, op) in support::ops_from_seed(seed, 3_000).iter().enumerate() {
        let command = driver.command(book.registry(), op);
        let request = (i % 5 == 0).then(|| RequestId::new(format!("s{seed}-{i}")).expect("valid"));
        match book.execute(command, request) {
            Ok(done) => println!("ack {} {}", done.record.position(), done.record.digest()),
            Err(StoreError::Refused(_)) => {}
            Err(e) => panic!("the writer failed: {e}"),
        }
    }
}

/// splitmix64.
fn draw(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What one run of the writer left: the acknowledgements read, and whether it was killed
/// mid-stream (rather than finishing).
struct Run {
    acked: Vec<Head>,
    killed: bool,
}

/// Run the writer once with `seed`, kill it after `after` acknowledgements plus `delay`.
fn run_writer(dir: &Path, seed: u64, after: usize, delay: Duration, second_writer: bool) -> Run {
    let exe = std::env::current_exe().expect("the test binary");
    let mut child = Process::new(exe)
        .args(["--exact", "writer_process", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .env(CHILD_SEED, seed.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the writer starts");
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut acked = Vec::new();
    let mut killed = false;
    while let Some(Ok(line)) = lines.next() {
        if let Some(ack) = parse_ack(&line) {
            acked.push(ack);
        }
        if acked.len() == 1 && second_writer {
            // A second writer while the first is running: refused, whatever the first does.
            assert!(matches!(SqliteStore::open(dir, options()), Err(StoreError::Locked { .. })));
        }
        if acked.len() >= after {
            std::thread::sleep(delay);
            child.kill().expect("SIGKILL");
            killed = true;
            break;
        }
    }
    // What the child printed before it died was acknowledged too.
    for line in lines.map_while(Result::ok) {
        if let Some(ack) = parse_ack(&line) {
            acked.push(ack);
        }
    }
    let status = child.wait().expect("the writer ends");
    assert!(killed || status.success(), "the writer failed by itself: {status}");
    Run { acked, killed }
}

fn parse_ack(line: &str) -> Option<Head> {
    let mut parts = line.strip_prefix("ack ")?.split(' ');
    let position = parts.next()?.parse().ok()?;
    let digest = parts.next()?.parse().ok()?;
    Some(Head { position, digest })
}

/// Open the store after a crash and check everything the module page lists; the head.
fn check_after_crash(dir: &Path, acked: &[Head]) -> Head {
    let store = SqliteStore::open(dir, options()).expect("the store opens after a kill");
    let mut all: Vec<Record> = Vec::new();
    store
        .read(0, &mut |r| {
            all.push(r);
            Ok(())
        })
        .expect("every record reads");
    for ack in acked {
        let record =
            all.get(ack.position as usize).unwrap_or_else(|| panic!("acknowledged record {} lost", ack.position));
        assert_eq!(record.head(), *ack, "acknowledged record {} changed", ack.position);
    }
    store.verify().expect("the chain is whole");
    let replayed = Registry::replay_records(&all).expect("every record is a whole command");
    let (book, _) = Durable::open(store).expect("the registry opens");
    assert!(*book.registry() == replayed, "the opened registry differs from a replay of its records");
    // (Registry equality compares state; the heads are compared too.)
    assert_eq!(book.registry().head(), replayed.head());
    assert_eq!(Some(replayed.head()), book.store().head());
    book.registry().head()
}

#[test]
fn kill_9_at_random_points() {
    let kills: usize = std::env::var("WANGGE_STORE_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(20);
    let mut seed: u64 = std::env::var("WANGGE_STORE_KILL_SEED").ok().and_then(|k| k.parse().ok()).unwrap_or(14);
    let dir = std::env::temp_dir().join(format!("wangge-store-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    let mut acked: Vec<Head> = Vec::new();
    let (mut killed, mut lost_unacked, mut mid_checkpoint_files) = (0, 0u64, 0);
    let mut run = 0;
    let mut previous = 0;
    while killed < kills {
        let after = (draw(&mut seed) % 40) as usize;
        let delay = Duration::from_micros(draw(&mut seed) % 3_000);
        let outcome = run_writer(&dir, seed, after.max(1), delay, run % 4 == 0);
        run += 1;
        killed += usize::from(outcome.killed);
        acked.extend(outcome.acked);
        // A snapshot write cut short leaves its temporary file (removed by the next writer).
        mid_checkpoint_files += std::fs::read_dir(dir.join("snapshots"))
            .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "tmp")).count())
            .unwrap_or(0);
        let head = check_after_crash(&dir, &acked);
        // Records written but not acknowledged (killed between the fsync and the print) are
        // whole commands too; count them.
        let known = acked.last().map_or(0, |a| a.position).max(previous);
        lost_unacked += head.position.saturating_sub(known);
        previous = head.position;
    }
    eprintln!(
        "{killed} kills in {run} runs, {:.1} s: {} acknowledged records all kept, {} more written but not \
         acknowledged before the kill, {} snapshot writes cut short (left as .tmp, never read); the store opened \
         every time and equalled a replay of its records",
        started.elapsed().as_secs_f64(),
        acked.len(),
        lost_unacked,
        mid_checkpoint_files,
    );
    let _ = std::fs::remove_dir_all(&dir);
}
