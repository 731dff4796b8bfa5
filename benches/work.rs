//! The day's work at city scale (issue 15 §4): every worklist of `city_10m` for one day, with
//! 100,000 open cases and 10,000 staff, against building the agenda alone for the same day
//! (the baseline, in the same group), and one staff member's worklist.
//!
//! The city: `CityShape::city_10m()` (≈10.1 million persons); 100,000 persons spread evenly
//! over it put under seed 001's 14 days at home (two checks a day) on day 0; 10,000 staff,
//! grid workers and health workers in turn, each at home in a community (2+3, `HomeCovers`),
//! the 2+3 roster solved; `WorkPlan::huayuan_road()` adopted; day 3 opened.
//!
//! - `work/agenda/city_10m`: `Registry::agenda(day 3)`: the baseline;
//! - `work/workday/city_10m`: `Registry::workday(day 3)`: every task made and routed;
//! - `work/worklist_of_one/city_10m`: `Workday::worklist(staff)` on the day built once.
//!
//! Needs the `synth` feature; `cargo bench --all-features --bench work` (≈2 minutes, 3 GB).
//! `WANGGE_WORK_BENCH_HOUSEHOLDS=350000` runs a city of ≈1 million instead. Figures in
//! BENCHMARKS.md.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use wangge::duty::{Qualification, Qualifications, Scheme, Staff};
use wangge::people::Name;
use wangge::quarantine::{Category, Policy};
use wangge::synth::CityShape;
use wangge::work::WorkPlan;
use wangge::{Command, PersonId, Registry, StaffId};

const CASES: u32 = 100_000;
const STAFF: u32 = 10_000;

fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1 + n).expect("a February date")
}

fn city() -> (Registry, StaffId, String) {
    let began = Instant::now();
    let (shape, name) = match std::env::var("WANGGE_WORK_BENCH_HOUSEHOLDS").ok().and_then(|s| s.parse().ok()) {
        Some(n) => (CityShape::with_households(n), format!("city_{n}h")),
        None => (CityShape::city_10m(), "city_10m".to_owned()),
    };
    let city = shape.build().expect("the city builds");
    let communities = city.communities().to_vec();
    let mut reg = city.into_registry();
    let persons = u32::try_from(reg.population().person_count()).expect("persons fit");
    let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }).expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    reg.apply(Command::OpenDay { today: day(0) }).expect("day 0");
    let step = (persons / CASES).max(1);
    for i in 0..CASES.min(persons) {
        let person = PersonId::new(i * step);
        let category = Category::ArrivalFromEpidemicArea;
        reg.apply(Command::StartCase { person, policy, category, anchor: day(0), on: day(0), linked: None })
            .expect("a case starts");
    }
    let mut first = None;
    for i in 0..STAFF {
        let q = if i % 2 == 0 { Qualification::GridWorker } else { Qualification::HealthWorker };
        let home = communities[(i / 2) as usize % communities.len()];
        let staff = Staff::new(Name::new(&format!("员{i}")).expect("a name"), Qualifications::only(q), home, 500)
            .expect("a staff member");
        let id = reg.apply(Command::AddStaff { staff }).expect("added")[0].new_staff().expect("an id");
        first.get_or_insert(id);
    }
    let team = reg.apply(Command::AdoptScheme { scheme: Scheme::two_plus_three() }).expect("adopted")[0]
        .new_scheme()
        .expect("a scheme");
    reg.apply(Command::Solve { scheme: team, on: day(0), balanced: false }).expect("solved");
    reg.apply(Command::AdoptWorkPlan { plan: Box::new(WorkPlan::huayuan_road()) }).expect("adopted");
    reg.apply(Command::OpenDay { today: day(3) }).expect("day 3");
    eprintln!("{name}: {persons} persons, {CASES} cases, {STAFF} staff, built in {:.1?}", began.elapsed());
    (reg, first.expect("staff"), name)
}

fn bench_work(c: &mut Criterion) {
    let (reg, staff, name) = city();
    let today = day(3);
    let built = reg.workday(today);
    let unassigned = built.unassigned().count();
    eprintln!(
        "{name}: {} agenda items, {} tasks, {} unassigned, staff {staff:?} owes {}",
        reg.agenda(today).len(),
        built.tasks().len(),
        unassigned,
        built.worklist(staff).count()
    );
    let mut group = c.benchmark_group("work");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function(format!("agenda/{name}"), |b| b.iter(|| black_box(reg.agenda(black_box(today)))));
    group.bench_function(format!("workday/{name}"), |b| b.iter(|| black_box(reg.workday(black_box(today)))));
    group.bench_function(format!("worklist_of_one/{name}"), |b| {
        b.iter(|| black_box(built.worklist(black_box(staff)).count()))
    });
    group.finish();
}

criterion_group!(benches, bench_work);
criterion_main!(benches);
