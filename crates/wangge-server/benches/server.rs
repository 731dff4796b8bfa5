//! A bounded load on the loopback address beside the same work against the bare registry, in
//! one group (`server/…`), on Huayuan Road as seed 003 sets it (`wangge::demo`).
//!
//! ```sh
//! cargo bench -p wangge-server --bench server -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! - `bare/unit_report` against `http/unit_report`: a community's tally with its children's,
//!   read through a scope and written as JSON, in process and over HTTP (keep-alive);
//! - `http/unit_report_while_writing`: the same read while another client posts commands
//!   back to back, each fsynced: readers do not wait for the disk, only for the apply;
//! - `bare/execute_add_household` against `http/post_add_household_fsync`: one command, in
//!   memory, and over HTTP persisted (SQLite, synchronous=FULL) before it is applied;
//! - `bare/200_reads` against `http/200_reads_4_clients`: 200 reports, one thread in process,
//!   four clients over HTTP.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use wangge::people::DoorLabel;
use wangge::{Command, Registry, UnitId};
use wangge_server::{App, Book, Tokens};

const TOKENS: &str = r#"{"roles": {"all": {"categories": ["structure", "city_wide"]}},
                         "tokens": [{"token": "t", "role": "all", "scope": "all"}]}"#;

/// A community's report as the service builds it, from the bare registry.
fn report(reg: &Registry, unit: UnitId) -> Vec<u8> {
    let Ok(scope) = reg.scope(&[reg.root()]) else { return Vec::new() };
    let mut out = Vec::new();
    if let (Ok(tally), Ok(children)) = (scope.tally(unit), scope.children(unit)) {
        let children: Vec<_> = children.iter().filter_map(|&c| scope.tally(c).ok()).collect();
        let _ = serde_json::to_writer(&mut out, &(tally, children, scope.counts(unit).ok()));
    }
    out
}

fn get(agent: &ureq::Agent, url: &str) -> usize {
    agent
        .get(url)
        .header("Authorization", "Bearer t")
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_to_string().ok())
        .map_or(0, |s| s.len())
}

/// Whether the command was applied (200).
fn post(agent: &ureq::Agent, url: &str, body: &str) -> bool {
    let sent = agent.post(url).header("Authorization", "Bearer t").content_type("application/json").send(body);
    sent.is_ok_and(|r| r.status().as_u16() == 200)
}

fn bench(c: &mut Criterion) {
    let Ok((registry, layout)) = wangge::demo::build_huayuan_road() else { return };
    let records = layout.records.clone();
    let dir = std::env::temp_dir().join(format!("wangge-server-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let Ok((book, _)) = Book::open_or_seed(&dir, wangge_store::Options::new(), || Ok(records)) else { return };
    let Ok(tokens) = Tokens::from_json(TOKENS) else { return };
    let app = App { book: Arc::new(book), tokens: Arc::new(tokens) };
    let Ok(addr) = "127.0.0.1:0".parse() else { return };
    let Ok(server) = wangge_server::spawn(app, addr) else { return };
    let base = format!("http://{}", server.addr());
    let community = layout.communities.first().copied().unwrap_or(layout.root);
    let yard = layout.courtyards.first().copied().unwrap_or(layout.root);
    let unit_url = format!("{base}/units/{community}");
    let commands_url = format!("{base}/commands");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let door = AtomicU64::new(0);
    let add = |reg_door: u64| {
        let door = DoorLabel::new(&format!("bench-{reg_door}")).ok()?;
        serde_json::to_string(&Command::AddHousehold { unit: yard, door }).ok()
    };

    let mut g = c.benchmark_group("server");
    g.bench_function("bare/unit_report", |b| b.iter(|| black_box(report(&registry, community).len())));
    g.bench_function("http/unit_report", |b| b.iter(|| black_box(get(&agent, &unit_url))));

    // A writer posting commands back to back while the reads are timed (bounded: it stops
    // when the bench does).
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (writing, url, first) = (writing.clone(), commands_url.clone(), 1_000_000_000u64);
        let bodies: Vec<String> = (0..20_000).filter_map(|i| add(first + i)).collect();
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
            let mut sent = 0usize;
            for body in &bodies {
                if !writing.load(Ordering::Relaxed) {
                    break;
                }
                sent += usize::from(post(&agent, &url, body));
            }
            sent
        })
    };
    g.bench_function("http/unit_report_while_writing", |b| b.iter(|| black_box(get(&agent, &unit_url))));
    writing.store(false, Ordering::Relaxed);
    // How many commands landed while the reads were timed: the reads ran beside real writes.
    eprintln!("server/http/unit_report_while_writing: {} commands written meanwhile", writer.join().unwrap_or(0));

    let mut bare = registry.clone();
    g.bench_function("bare/execute_add_household", |b| {
        b.iter(|| {
            let n = door.fetch_add(1, Ordering::Relaxed);
            let Ok(door) = DoorLabel::new(&format!("bare-{n}")) else { return };
            let _ = black_box(bare.execute(Command::AddHousehold { unit: yard, door }, None));
        })
    });
    g.bench_function("http/post_add_household_fsync", |b| {
        b.iter(|| {
            let body = add(door.fetch_add(1, Ordering::Relaxed)).unwrap_or_default();
            black_box(post(&agent, &commands_url, &body))
        })
    });

    g.bench_function("bare/200_reads", |b| {
        b.iter(|| (0..200).map(|_| report(&registry, community).len()).sum::<usize>())
    });
    g.bench_function("http/200_reads_4_clients", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            let agent: ureq::Agent =
                                ureq::Agent::config_builder().http_status_as_error(false).build().into();
                            (0..50).map(|_| get(&agent, &unit_url)).sum::<usize>()
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap_or(0)).sum::<usize>()
            })
        })
    });
    g.finish();
    let _ = server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
