//! Benches of records (issue 14 §2): what a record costs beside the command it records, and
//! that preparing a command costs what the command changes, not the size of the city.
//!
//! Groups, each with its baseline beside it:
//! - `record/set_markers/{apply,execute}/city_100k`: a person's markers flipped and flipped
//!   back (two commands an iteration) by `Registry::apply` (no record) and by
//!   `Registry::execute` (a record: its events serialised and hashed into the chain).
//! - `record/prepare_round/{cases}/{city}`: `Registry::prepare` of the daily round on which
//!   every one of `cases` isolation cases enters its second phase (one event each), with
//!   no change to the registry, so every iteration prepares the same round: 200 and 2,000
//!   cases on a city of ≈29,000 persons (10k) and ≈101,000 persons (100k). Equal times on
//!   both cities, ten times more for ten times the cases: the cost follows the round's effect.
//!
//! Run: `cargo bench --all-features --bench record`.

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use wangge::people::{Marker, Markers};
use wangge::quarantine::{Anchor, Category, Phase, Policy, Setting};
use wangge::synth::{City, CityShape, REGISTERED_ON};
use wangge::{Command, PersonId, PolicyId, Registry};

fn city(households: u32) -> City {
    CityShape::with_households(households).build().expect("the presets are valid shapes")
}

/// The day the cases start, after everyone was registered.
fn start() -> NaiveDate {
    REGISTERED_ON.checked_add_days(chrono::Days::new(1)).expect("a date")
}

/// `cases` close contacts, every 7th person from the first, in a central isolation of three
/// days followed by two at home: on one day each enters its second phase.
fn with_cases(mut reg: Registry, cases: u32) -> Registry {
    let policy = Policy::builder(
        "central_3_home_2",
        Anchor::LastExposure,
        vec![Phase::new(Setting::CentralisedIsolation, 3), Phase::new(Setting::HomeHealthMonitoring, 2)],
    )
    .checks_per_day(1)
    .build()
    .expect("a valid policy");
    let policy: PolicyId =
        reg.apply(Command::AdoptPolicy { policy }).expect("a new policy")[0].new_policy().expect("a policy");
    for k in 0..cases {
        let person = PersonId::new(k * 7);
        let (anchor, on, linked) = (start(), start(), None);
        let command = Command::StartCase { person, policy, category: Category::CloseContact, anchor, on, linked };
        reg.apply(command).expect("a case");
    }
    reg
}

fn bench_record(c: &mut Criterion) {
    let mut group = c.benchmark_group("record");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));

    let mut reg = city(35_000).into_registry();
    let person = PersonId::new(1234);
    let (none, elderly) = (Markers::new(), Markers::new().with(Marker::ElderlyLivingAlone));
    group.bench_function("set_markers/apply/city_100k", |b| {
        b.iter(|| {
            black_box(reg.apply(Command::SetMarkers { person, markers: elderly }).expect("markers"));
            black_box(reg.apply(Command::SetMarkers { person, markers: none }).expect("markers"));
        })
    });
    group.bench_function("set_markers/execute/city_100k", |b| {
        b.iter(|| {
            black_box(reg.execute(Command::SetMarkers { person, markers: elderly }, None).expect("markers"));
            black_box(reg.execute(Command::SetMarkers { person, markers: none }, None).expect("markers"));
        })
    });
    drop(reg);

    for (name, households) in [("10k", 10_000), ("100k", 35_000)] {
        for cases in [200, 2_000] {
            let reg = with_cases(city(households).into_registry(), cases);
            // The first day of the second phase.
            let schedule = reg.schedule(wangge::CaseId::new(0)).expect("a case");
            let fourth = schedule.phases()[1].first();
            let round = reg.prepare(Command::OpenDay { today: fourth }, None).expect("a round");
            assert_eq!(round.record().map(|r| r.events().len()), Some(cases as usize), "one phase a case");
            group.bench_function(format!("prepare_round/{cases}/city_{name}"), |b| {
                b.iter(|| black_box(reg.prepare(Command::OpenDay { today: fourth }, None).expect("a round")))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_record);
criterion_main!(benches);
