//! The contact graph at city scale (issue 16 §6): the close and secondary contacts of 1,000
//! confirmed cases of `city_10m` derived by CN edition 9's rule, against a plain breadth-first
//! search of depth 2 over the same household adjacency and named exposures (the baseline, in
//! the same group).
//!
//! The city: `CityShape::city_10m()` (≈10.1 million persons); 1,000 persons spread evenly over
//! it confirmed on day 0, each with two named exposures of the day before (a fellow passenger
//! and a colleague, in other households), so that each case has its household and two named
//! contacts as close contacts, and their households as secondary contacts.
//!
//! - `contacts/derive_1000/city_10m`: `Registry::derive_contacts` for each of the 1,000 cases;
//! - `contacts/bfs_1000/city_10m`: the baseline: for each case, a breadth-first search of depth
//!   2 over household members and named exposures (a hash map of the exposures by source, made
//!   before timing), no rule, no windows, no exclusions.
//!
//! Needs the `synth` feature; `cargo bench --all-features --bench contacts` (≈1 minute to
//! build the city, 3 GB). `WANGGE_CONTACTS_BENCH_HOUSEHOLDS=350000` runs a city of ≈1 million
//! instead. Figures in BENCHMARKS.md.

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use rustc_hash::{FxHashMap, FxHashSet};
use wangge::colour::State;
use wangge::contacts::{ContactRule, Exposure, Place};
use wangge::synth::CityShape;
use wangge::{Command, PersonId, Registry};

const CASES: u32 = 1_000;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, 1 + n).expect("a July date")
}

fn city() -> (Registry, Vec<PersonId>, String) {
    let began = Instant::now();
    let (shape, name) = match std::env::var("WANGGE_CONTACTS_BENCH_HOUSEHOLDS").ok().and_then(|s| s.parse().ok()) {
        Some(n) => (CityShape::with_households(n), format!("city_{n}h")),
        None => (CityShape::city_10m(), "city_10m".to_owned()),
    };
    let mut reg = shape.build().expect("the city builds").into_registry();
    let persons = u32::try_from(reg.population().person_count()).expect("persons fit");
    reg.apply(Command::OpenDay { today: day(1) }).expect("day 1");
    let step = (persons / CASES).max(4);
    let mut cases = Vec::new();
    for i in 0..CASES.min(persons / step) {
        let case = PersonId::new(i * step);
        reg.apply(Command::SetState { person: case, state: State::Confirmed, on: day(1) }).expect("confirmed");
        for (k, place) in [(step / 2, Place::Transport), (step / 3, Place::Workplace(reg.root()))] {
            let contact = PersonId::new(i * step + k);
            let exposure = Exposure::new(contact, case, day(0), place, None).expect("two persons");
            reg.apply(Command::RecordExposure { exposure }).expect("recorded");
        }
        cases.push(case);
    }
    eprintln!("{name}: {persons} persons, {} cases, built in {:.1?}", cases.len(), began.elapsed());
    (reg, cases, name)
}

/// The baseline: a plain breadth-first search of depth 2 from `case` over household members
/// and the named exposures; how many persons it reaches.
fn bfs(reg: &Registry, named: &FxHashMap<PersonId, Vec<PersonId>>, case: PersonId) -> usize {
    let pop = reg.population();
    let mut seen: FxHashSet<PersonId> = FxHashSet::default();
    let mut queue = VecDeque::from([(case, 0u8)]);
    seen.insert(case);
    while let Some((p, depth)) = queue.pop_front() {
        if depth == 2 {
            continue;
        }
        let household = pop.person(p).and_then(|p| pop.household(p.household())).map(|h| h.members()).unwrap_or(&[]);
        for &q in household.iter().chain(named.get(&p).into_iter().flatten()) {
            if seen.insert(q) {
                queue.push_back((q, depth + 1));
            }
        }
    }
    seen.len() - 1
}

fn bench_contacts(c: &mut Criterion) {
    let (reg, cases, name) = city();
    let today = day(1);
    let rule = ContactRule::cn_ed9();
    let mut named: FxHashMap<PersonId, Vec<PersonId>> = FxHashMap::default();
    for e in reg.contact_graph().exposures() {
        named.entry(e.source()).or_default().push(e.contact());
    }
    let derive_all = || {
        let (mut close, mut secondary) = (0, 0);
        for &case in &cases {
            let found = reg.derive_contacts(&rule, case, today).expect("a case");
            close += found.close.len();
            secondary += found.secondary.len();
        }
        (close, secondary)
    };
    let bfs_all = || cases.iter().map(|&case| bfs(&reg, &named, case)).sum::<usize>();
    let (close, secondary) = derive_all();
    eprintln!("{name}: {close} close and {secondary} secondary contacts derived; the BFS reaches {}", bfs_all());
    let mut group = c.benchmark_group("contacts");
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    group.bench_function(format!("bfs_1000/{name}"), |b| b.iter(|| black_box(bfs_all())));
    group.bench_function(format!("derive_1000/{name}"), |b| b.iter(|| black_box(derive_all())));
    group.finish();
}

criterion_group!(benches, bench_contacts);
criterion_main!(benches);
