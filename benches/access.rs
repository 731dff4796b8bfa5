//! Closed management and the gates at scale (issue 17 §2 and §4).
//!
//! - `access/day_168_gates/*`: Huayuan Road's 168 checkpoints (seed 003), 4 communities of 42
//!   compounds with one gate each, a day of 200 entries per gate (33,600: residents on passes,
//!   visitors, vehicles, deliveries, 1 in 50 with a fever). `scan` walks the day's entries
//!   and sums their temperatures (the baseline: every record read once); `by_entrance` counts every gate in one pass
//!   (`Registry::entry_counts_by_entrance`); `per_gate` asks `Registry::entry_counts` of
//!   each of the 168 gates in turn (168 walks of the day: what a dashboard asking gate by
//!   gate costs).
//! - `access/status_counts/*`: the compounds of a city of `city_10m`'s tree (one household
//!   per building), every courtyard closed, one in four sealed later. `walk` walks the
//!   tree below the root and does nothing else (the baseline); `status_counts` counts the
//!   compounds per status on a date (`Registry::status_counts` of the root).
//!
//! Needs the `synth` feature: `cargo bench --all-features --bench access`. Figures in
//! BENCHMARKS.md.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use wangge::access::{CompoundStatus, Entrant, Entry, PassId, Visitor};
use wangge::colour::PersonState;
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord};
use wangge::quarantine::Temperature;
use wangge::synth::CityShape;
use wangge::{Command, Registry, UnitId};

const GATES: usize = 168;
const PER_GATE: u32 = 200;

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a date")
}

/// Huayuan Road's 168 gates and a day of entries at each.
fn gates() -> (Registry, Vec<UnitId>) {
    let began = Instant::now();
    let levels = LevelScheme::zhengzhou();
    let level = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", level("街道"), UnitKind::Area)).expect("a root");
    let add = |reg: &mut Registry, parent, unit| {
        reg.apply(Command::AddUnit { parent, unit }).expect("a unit")[0].new_unit().expect("an id")
    };
    let mut gates = Vec::new();
    let mut residents = Vec::new();
    for c in 0..4 {
        let root = reg.root();
        let community = add(&mut reg, root, NewUnit::new(format!("社区{c}"), level("社区"), UnitKind::Area));
        for y in 0..GATES / 4 {
            let kind = UnitKind::Compound(CompoundKind::WorkUnit);
            let yard = add(&mut reg, community, NewUnit::new(format!("院{c}-{y}"), level("楼院"), kind));
            gates.push(add(
                &mut reg,
                yard,
                NewUnit::new(format!("门{c}-{y}"), level("楼组"), UnitKind::Entrance(None)),
            ));
            let door = DoorLabel::new("1-101").expect("a door");
            let h = reg.apply(Command::AddHousehold { unit: yard, door }).expect("a household")[0]
                .new_household()
                .expect("an id");
            let state = PersonState::well(feb(1));
            let p = reg
                .apply(Command::RegisterPerson { household: h, record: PersonRecord::new(), state })
                .expect("a person")[0]
                .new_person()
                .expect("an id");
            let source = "花园路街道通知".to_owned();
            reg.apply(Command::SetCompoundStatus {
                compound: yard,
                status: CompoundStatus::Closed,
                on: feb(3),
                source,
            })
            .expect("closed");
            let pass = reg.apply(Command::IssuePass { household: h, on: feb(3), until: feb(29) }).expect("a pass");
            let wangge::Event::PassIssued { pass, .. } = pass[0] else { unreachable!("a pass") };
            residents.push((pass, p));
        }
    }
    reg.apply(Command::OpenDay { today: feb(5) }).expect("a day");
    for i in 0..PER_GATE {
        for (g, &gate) in gates.iter().enumerate() {
            let (pass, person): (PassId, _) = residents[g];
            let entrant = match i % 4 {
                0 | 1 => Entrant::Resident { pass, person },
                2 => Entrant::Visitor(Visitor {
                    name: Name::new("访客").expect("a name"),
                    phone: None,
                    purpose: "探亲".into(),
                    visiting: None,
                }),
                _ if i % 8 == 3 => Entrant::Vehicle { purpose: "送菜".into() },
                _ => Entrant::Delivery,
            };
            let tenths = if (i as usize + g).is_multiple_of(50) { 376 } else { 364 };
            let at = feb(5).and_hms_opt(i % 24, (i / 24) % 60, 0).expect("a time");
            let temperature = Temperature::from_tenths(tenths).expect("a temperature");
            reg.apply(Command::RecordEntry { entry: Entry { entrance: gate, at, entrant, temperature } })
                .expect("an entry");
        }
    }
    eprintln!("168 gates: {} entries on Feb 5, built in {:.1?}", reg.entries_on(feb(5)).count(), began.elapsed());
    (reg, gates)
}

fn bench_gates(c: &mut Criterion) {
    let (reg, gates) = gates();
    let day = feb(5);
    let mut group = c.benchmark_group("access/day_168_gates");
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    group.bench_function("scan", |b| {
        b.iter(|| reg.entries_on(black_box(day)).map(|r| u64::from(r.entry.temperature.tenths())).sum::<u64>())
    });
    group.bench_function("by_entrance", |b| b.iter(|| black_box(reg.entry_counts_by_entrance(black_box(day)))));
    group.bench_function("per_gate", |b| {
        b.iter(|| gates.iter().map(|&g| reg.entry_counts(g, day).expect("a gate").total()).sum::<u64>())
    });
    group.finish();
}

fn bench_city(c: &mut Criterion) {
    let began = Instant::now();
    let city = CityShape::city_10m().households(1).build().expect("the city builds");
    let courtyards = city.courtyards().to_vec();
    let mut reg = city.into_registry();
    for (i, &yard) in courtyards.iter().enumerate() {
        let source = "封闭式管理通知".to_owned();
        reg.apply(Command::SetCompoundStatus { compound: yard, status: CompoundStatus::Closed, on: feb(3), source })
            .expect("closed");
        if i % 4 == 0 {
            let source = "封控通知".to_owned();
            reg.apply(Command::SetCompoundStatus {
                compound: yard,
                status: CompoundStatus::Sealed,
                on: feb(8),
                source,
            })
            .expect("sealed");
        }
    }
    let root = reg.root();
    let counts = reg.status_counts(root, feb(10)).expect("counts");
    eprintln!(
        "city_10m tree: {} units, {} compounds ({} closed, {} sealed), built in {:.1?}",
        reg.tree().len(),
        counts.total(),
        counts.get(CompoundStatus::Closed),
        counts.get(CompoundStatus::Sealed),
        began.elapsed()
    );
    let mut group = c.benchmark_group("access/status_counts");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function("walk/city_10m_tree", |b| {
        b.iter(|| black_box(reg.tree().subtree(root).expect("the root").count()))
    });
    group.bench_function("status_counts/city_10m_tree", |b| {
        b.iter(|| black_box(reg.status_counts(root, black_box(feb(10))).expect("counts")))
    });
    group.finish();
}

criterion_group!(benches, bench_gates, bench_city);
criterion_main!(benches);
