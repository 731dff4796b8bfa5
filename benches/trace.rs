//! Traced lists at city scale (issue 16 §2/§6): a batch of 100,000 rows matched against
//! `city_10m` built with resident identity numbers, against a bare `HashMap` look-up of the
//! same numbers (the baseline, in the same group).
//!
//! The batch: 100,000 rows, each with an identity number (as text), a name, a phone, an origin
//! and a date: 90% the numbers of persons spread evenly over the city, 9% valid numbers nobody
//! carries, addressed to a community by its code (routed there), 1% numbers with a wrong check
//! character (bad rows).
//!
//! - `trace/hashmap/city_10m`: the baseline: a `std::collections::HashMap<ResidentId,
//!   PersonId>` of every person of the city, each row's number (parsed beforehand) looked up;
//! - `trace/parse_lookup/city_10m`: the second baseline: each row's number read from the row
//!   (its text parsed) and looked up in the same bare map: the least any matcher of these rows
//!   does;
//! - `trace/match/city_10m`: `Registry::match_traced`: every row read (its text checked, its
//!   number parsed), matched through the register's index, its person's control looked up,
//!   an unmatched row's address looked up among the units: each row's status;
//! - `trace/prepare/city_10m`: `Registry::prepare` of the `ReceiveTracedBatch` command: the
//!   matching, the event, and the record serialised and hashed (what a host persists).
//!
//! Needs the `synth` feature; `cargo bench --all-features --bench trace` (≈1 minute, 2 GB).
//! `WANGGE_TRACE_BENCH_HOUSEHOLDS=350000` runs a city of ≈1 million instead. Figures in
//! BENCHMARKS.md.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use wangge::people::ResidentId;
use wangge::synth::CityShape;
use wangge::trace::{ListSource, RawDocument, RowStatus, StatusKind, TracedRow};
use wangge::{Command, PersonId, Registry};

const ROWS: u32 = 100_000;

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a February date")
}

fn bench_trace(c: &mut Criterion) {
    let began = Instant::now();
    let (shape, name) = match std::env::var("WANGGE_TRACE_BENCH_HOUSEHOLDS").ok().and_then(|s| s.parse().ok()) {
        Some(n) => (CityShape::with_households(n), format!("city_{n}h")),
        None => (CityShape::city_10m(), "city_10m".to_owned()),
    };
    let city = shape.resident_ids(true).build().expect("the city builds");
    let communities = city.communities().to_vec();
    let mut reg: Registry = city.into_registry();
    reg.apply(Command::OpenDay { today: feb(3) }).expect("a day");
    let persons = u32::try_from(reg.population().person_count()).expect("persons fit");
    let codes: Vec<String> =
        communities.iter().filter_map(|&u| reg.tree().unit(u).ok()?.code().map(|c| c.as_str().to_owned())).collect();
    eprintln!("{name}: {persons} persons, {} communities, built in {:.1?}", codes.len(), began.elapsed());

    // The baseline's map: every person's number, bare.
    let mut bare: HashMap<ResidentId, PersonId> = HashMap::with_capacity(persons as usize);
    for (id, p) in reg.population().persons() {
        if let Some(n) = p.resident_id() {
            bare.insert(n, id);
        }
    }

    let step = (persons / ROWS).max(1);
    let mut rows = Vec::with_capacity(ROWS as usize);
    let mut numbers = Vec::with_capacity(ROWS as usize);
    for i in 0..ROWS {
        let base = TracedRow::new(feb(2)).with_name("张三").with_phone("13800000000").with_origin("湖北武汉");
        let row = match i % 100 {
            0 => {
                // A wrong check character: a bad row.
                let n = ResidentId::from_parts(110105, feb(1), (i / 100 % 1000) as u16).expect("a number");
                numbers.push(n);
                let mut text = n.reveal();
                let last = text.pop().expect("18 characters");
                text.push(if last == '0' { '1' } else { '0' });
                base.with_document(RawDocument::resident(&text))
            }
            1..=9 => {
                // A number nobody carries (synth's are 4406..), routed to a community.
                let n =
                    ResidentId::from_parts(110105, feb(1) - chrono::Days::new(u64::from(i / 1000)), (i % 1000) as u16)
                        .expect("a number");
                numbers.push(n);
                let code = &codes[i as usize % codes.len()];
                base.with_document(RawDocument::resident(&n.reveal())).with_address(code, Some("1-101"))
            }
            _ => {
                let person = PersonId::new((i * step) % persons);
                let n = reg.population().person(person).expect("a person").resident_id().expect("synth gives numbers");
                numbers.push(n);
                base.with_document(RawDocument::resident(&n.reveal()))
            }
        };
        rows.push(row);
    }
    let received = feb(3).and_hms_opt(9, 0, 0).expect("a time");
    let statuses = reg.match_traced(received, &rows);
    let count = |k: StatusKind| statuses.iter().filter(|s| s.kind() == k).count();
    eprintln!(
        "{name}: {ROWS} rows: {} matched, {} not found (routed {}), {} bad",
        count(StatusKind::Matched),
        count(StatusKind::NotFound),
        statuses.iter().filter(|s| matches!(s, RowStatus::NotFound { routed: Some(_) })).count(),
        count(StatusKind::Bad)
    );

    let mut group = c.benchmark_group("trace");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function(format!("hashmap/{name}"), |b| {
        b.iter(|| {
            let found: Vec<Option<PersonId>> = numbers.iter().map(|n| bare.get(n).copied()).collect();
            black_box(found)
        })
    });
    group.bench_function(format!("parse_lookup/{name}"), |b| {
        b.iter(|| {
            let found: Vec<Option<PersonId>> = rows
                .iter()
                .map(|r| match &r.document {
                    Some(RawDocument::Resident(text)) => {
                        ResidentId::parse(text.reveal()).ok().and_then(|n| bare.get(&n).copied())
                    }
                    _ => None,
                })
                .collect();
            black_box(found)
        })
    });
    group.bench_function(format!("match/{name}"), |b| {
        b.iter(|| black_box(reg.match_traced(black_box(received), black_box(&rows))))
    });
    group.bench_function(format!("prepare/{name}"), |b| {
        b.iter(|| {
            let command =
                Command::ReceiveTracedBatch { source: ListSource::MobileOperator, received, rows: rows.clone() };
            black_box(reg.prepare(command, None).expect("prepared"))
        })
    });
    group.finish();
}

criterion_group!(benches, bench_trace);
criterion_main!(benches);
