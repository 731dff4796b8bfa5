//! The fuzz targets' bodies (issue 7 §2) on every `cargo test`: the same code that
//! `fuzz/fuzz_targets/*.rs` runs under libFuzzer (`tests/fuzz_bodies/mod.rs`), here on the
//! committed seeds (`tests/fuzz_seeds/TARGET/`, with any input a fuzzer once crashed on), on
//! the golden files, and on proptest's random and mutated bytes, so that a regression is caught
//! without nightly or cargo-fuzz. FUZZING.md has the long runs and their figures.
//!
//! `PROPTEST_CASES` overrides the case counts below (which keep this file under a minute in a
//! debug build on two cores).

#[path = "fuzz_bodies/mod.rs"]
mod fuzz_bodies;

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::path::{Path, PathBuf};

use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/fuzzing.txt", cases)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed seeds of a target, by file name, and the golden files that fit it.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("tests").join("fuzz_seeds").join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().expect("a file name").to_string_lossy().into_owned(), bytes)
        })
        .collect();
    let golden = |name: &str| {
        let path: &Path = &root().join("tests").join("golden").join(name);
        (format!("golden/{name}"), std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
    };
    match target {
        "decode_event" => out.extend([golden("log_v5.jsonl"), golden("log_v6_issue17.jsonl"), golden("log_v7.jsonl")]),
        "decode_snapshot" => {
            out.extend([golden("snapshot_v5.json"), golden("snapshot_v6_issue17.json"), golden("snapshot_v7.json")])
        }
        _ => {}
    }
    out.sort();
    out
}

/// Run `body` on each seed, naming the seed that fails.
fn run_seeds(target: &str, body: fn(&[u8])) -> usize {
    let seeds = seeds(target);
    for (name, bytes) in &seeds {
        if let Err(panic) = std::panic::catch_unwind(|| body(bytes)) {
            eprintln!("the {target} seed {name} fails");
            std::panic::resume_unwind(panic);
        }
    }
    seeds.len()
}

#[test]
fn decode_event_on_the_seeds() {
    assert!(run_seeds("decode_event", fuzz_bodies::decode_event) >= 4);
}

#[test]
fn decode_snapshot_on_the_seeds() {
    assert!(run_seeds("decode_snapshot", fuzz_bodies::decode_snapshot) >= 3);
}

#[test]
fn apply_commands_on_the_seeds() {
    assert!(run_seeds("apply_commands", fuzz_bodies::apply_commands) >= 3);
}

/// The seeds are not idle: the event seeds get events applied, the snapshot seeds load, the
/// command seeds get commands accepted (a body that returned early on everything would pass
/// the tests above).
#[test]
fn the_seeds_reach_the_registry() {
    let golden = seeds("decode_event").into_iter().find(|(n, _)| n == "golden/log_v5.jsonl").expect("the golden log");
    let events: Vec<wangge::Event> =
        golden.1.split(|&b| b == b'\n').filter_map(|l| serde_json::from_slice(l).ok()).collect();
    assert_eq!(events.len(), 70);
    wangge::Registry::replay(&events).expect("the golden log replays");
    let golden = seeds("decode_event").into_iter().find(|(n, _)| n == "golden/log_v7.jsonl").expect("the golden log");
    let records: Vec<wangge::Record> =
        golden.1.split(|&b| b == b'\n').filter_map(|l| serde_json::from_slice(l).ok()).collect();
    assert!(records.len() > 70);
    wangge::Registry::replay_records(&records).expect("the golden log of records replays");
    for (name, bytes) in seeds("decode_snapshot") {
        if name.starts_with("golden") || name.starts_with("base") {
            let snapshot = serde_json::from_slice(&bytes).expect("a snapshot");
            wangge::Registry::from_snapshot(snapshot).expect("it loads");
        }
    }
    let (base, _) = fuzz_bodies::base();
    let mut accepted = 0;
    for (_, bytes) in seeds("apply_commands") {
        let mut reg = base.clone();
        let mut commands = fuzz_bodies::Commands::new(&bytes);
        while let Some(command) = commands.next(&reg) {
            accepted += usize::from(reg.apply(command).is_ok());
        }
    }
    assert!(accepted >= 20, "only {accepted} commands of the seeds were accepted");
}

/// A seed with a few bytes changed, inserted, removed or repeated, as libFuzzer mutates.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seeds: Vec<Vec<u8>> = seeds(target).into_iter().map(|(_, bytes)| bytes).collect();
    // Bytes that keep JSON JSON-like: digits, quotes, brackets, separators, letters.
    let alphabet: &'static [u8] = b"0123456789-\"{}[],:. aeEnlrstu\\\n";
    (0..seeds.len(), prop::collection::vec((0u8..8, any::<prop::sample::Index>(), 0..alphabet.len(), 1usize..8), 1..5))
        .prop_map(move |(seed, edits)| {
            let mut bytes = seeds[seed].clone();
            for (op, at, byte, len) in edits {
                let i = if bytes.is_empty() { 0 } else { at.index(bytes.len()) };
                let b = alphabet[byte];
                match op {
                    0 if i < bytes.len() => bytes[i] = b,
                    1 => bytes.insert(i, b),
                    2 if i < bytes.len() => {
                        bytes.drain(i..(i + len).min(bytes.len()));
                    }
                    3 if i < bytes.len() => {
                        let piece: Vec<u8> = bytes[i..(i + len).min(bytes.len())].to_vec();
                        bytes.splice(i..i, piece);
                    }
                    // Half the edits: a digit changed to another (another id, date or count),
                    // which keeps JSON JSON.
                    _ => {
                        if let Some(d) = bytes[i..].iter().position(u8::is_ascii_digit) {
                            bytes[i + d] = b'0' + (byte % 10) as u8;
                        }
                    }
                }
            }
            bytes
        })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn decode_event_on_mutated_seeds(bytes in mutated("decode_event")) {
        fuzz_bodies::decode_event(&bytes);
    }

    #[test]
    fn decode_event_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        fuzz_bodies::decode_event(&bytes);
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn decode_snapshot_on_mutated_seeds(bytes in mutated("decode_snapshot")) {
        fuzz_bodies::decode_snapshot(&bytes);
    }

    #[test]
    fn decode_snapshot_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        fuzz_bodies::decode_snapshot(&bytes);
    }
}

proptest! {
    #![proptest_config(config(1500))]

    #[test]
    fn apply_commands_on_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        fuzz_bodies::apply_commands(&bytes);
    }

    #[test]
    fn apply_commands_on_mutated_seeds(bytes in mutated("apply_commands")) {
        fuzz_bodies::apply_commands(&bytes);
    }
}

/// Write the generated seeds (`tests/fuzz_seeds/*/`, except the crash regressions, which are
/// kept as found): `cargo test --all-features --test fuzzing write_seeds -- --ignored`.
#[test]
#[ignore = "writes files; run on demand"]
fn write_seeds() {
    use wangge::Command;
    let dir = |target: &str| {
        let dir = root().join("tests").join("fuzz_seeds").join(target);
        std::fs::create_dir_all(&dir).expect("the seed directory");
        dir
    };
    let lines = |events: &[wangge::Event]| -> String {
        events.iter().map(|e| serde_json::to_string(e).expect("an event writes") + "\n").collect()
    };
    let (base, log) = fuzz_bodies::base();

    let events = dir("decode_event");
    std::fs::write(events.join("base_log.jsonl"), lines(log)).expect("written");
    let foreign = lines(log).replacen(r#""format":5"#, r#""format":6"#, 1);
    std::fs::write(events.join("foreign_format.jsonl"), foreign).expect("written");
    // Events that apply to the base registry, as the body applies a log without a founding.
    let day = |d| chrono::NaiveDate::from_ymd_opt(2020, 2, d).expect("a day");
    let mut reg = base.clone();
    let mut after = Vec::new();
    for command in [
        Command::AddUnit {
            parent: wangge::UnitId::new(2),
            unit: wangge::grid::NewUnit::new("9号院", wangge::grid::Level::new(2), wangge::grid::UnitKind::Area),
        },
        Command::AddHousehold {
            unit: wangge::UnitId::new(7),
            door: wangge::people::DoorLabel::new("9-901").expect("a door"),
        },
        Command::RegisterPerson {
            household: wangge::HouseholdId::new(4),
            record: wangge::people::PersonRecord::new(),
            state: wangge::colour::PersonState::well(day(1)),
        },
        Command::SetState { person: wangge::PersonId::new(5), state: wangge::colour::State::Absent, on: day(3) },
        Command::RecordTest {
            person: wangge::PersonId::new(0),
            on: day(3),
            result: wangge::quarantine::TestResult::Negative,
        },
        Command::OpenDay { today: day(12) },
        Command::Solve { scheme: wangge::SchemeId::new(1), on: day(12), balanced: true },
    ] {
        after.extend(reg.apply(command).expect("a valid command"));
    }
    std::fs::write(events.join("after_base.jsonl"), lines(&after)).expect("written");

    let snapshots = dir("decode_snapshot");
    let compact = serde_json::to_string(base).expect("a registry writes");
    std::fs::write(snapshots.join("base_snapshot.json"), &compact).expect("written");
    let sorted: serde_json::Value = serde_json::from_str(&compact).expect("JSON");
    std::fs::write(snapshots.join("base_sorted.json"), sorted.to_string()).expect("written");
    std::fs::write(snapshots.join("format_6.json"), compact.replacen(r#""format":5"#, r#""format":6"#, 1))
        .expect("written");

    let commands = dir("apply_commands");
    std::fs::write(commands.join("ascending.bin"), (0..=255u8).collect::<Vec<u8>>()).expect("written");
    // Each kind of command with small fields.
    let each: Vec<u8> = (0..27u8).flat_map(|k| [k, 1, 2, 3, 1, 2, 0, 5, 1, 3, 2, 1]).collect();
    std::fs::write(commands.join("each_kind.bin"), each).expect("written");
    // Bytes from a fixed linear congruential sequence.
    let mut x: u32 = 0x5eed;
    for n in 0..3 {
        let bytes: Vec<u8> = (0..160)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        std::fs::write(commands.join(format!("lcg_{n}.bin")), bytes).expect("written");
    }
}
