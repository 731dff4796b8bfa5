//! Bench of `wangge::sim`'s step, per resident-day (issue 19 §2, §4): the seeded household
//! SEIR model with wangge managing it through its commands, against the same model stepped
//! without management (the baseline, in the same group).
//!
//! The city is `CityShape::with_households(35_000)` (≈100,000 residents), the parameters
//! `Params::default()`, seed 2020. Each sample starts a run (the registry cloned, the policy
//! adopted: not timed), plays `WARM_UP` days untimed so the outbreak is under way, then times
//! the next `TIMED` days:
//!
//! - `sim/unmanaged/100k`: `Run::step_unmanaged`, the model alone: nobody is confirmed,
//!   traced or isolated, so its outbreak grows unchecked (more infected to step than below).
//! - `sim/managed/<policy>/100k`: `Run::step`, the model and the management: `OpenDay`, the
//!   agenda, tests, checks, tracing, cases started and released, the evening's tally; for
//!   seed 001's 14 days at home and CN edition 9's 7 + 3.
//!
//! Criterion's throughput is the resident-days of the timed days, so elements/s read as
//! resident-days per second. `cargo bench --bench sim -- --warm-up-time 1 --measurement-time 3`
//! (needs the `sim` feature: the package's dev-dependency on itself turns it on). Figures in
//! BENCHMARKS.md.

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use wangge::quarantine::Policy;
use wangge::sim::{Management, Params, Run, Sim};
use wangge::synth::CityShape;

const WARM_UP: u16 = 40;
const TIMED: u16 = 20;
const SEED: u64 = 2020;

fn warmed<'a>(sim: &'a Sim, m: &Management, managed: bool) -> Run<'a> {
    let mut run = sim.start(m, &Params::default(), SEED).expect("a valid run");
    for _ in 0..WARM_UP {
        if managed { run.step() } else { run.step_unmanaged() }.expect("a day");
    }
    run
}

/// The timed days.
fn play(mut run: Run<'_>, managed: bool) -> Run<'_> {
    for _ in 0..TIMED {
        if managed { run.step() } else { run.step_unmanaged() }.expect("a day");
    }
    run
}

fn bench(c: &mut Criterion) {
    let sim = Sim::from_shape(&CityShape::with_households(35_000).seed(SEED)).expect("a city");
    let residents = sim.residents();
    let mut g = c.benchmark_group("sim");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    g.throughput(Throughput::Elements(residents * u64::from(TIMED)));
    let ed9 = Management::new(Policy::cn_ed9_close_contact());
    // Print the load once: infections at the start and the end of the timed days.
    for (name, m, managed) in [("unmanaged", &ed9, false), ("managed ed9", &ed9, true)] {
        let run = warmed(&sim, m, managed);
        let before = run.infections();
        let after = play(run, managed).infections();
        eprintln!(
            "{name}: {residents} residents, infections {before} after day {WARM_UP}, {after} after day {}",
            WARM_UP + TIMED
        );
    }
    g.bench_function("unmanaged/100k", |b| {
        b.iter_batched(|| warmed(&sim, &ed9, false), |run| play(run, false), BatchSize::PerIteration)
    });
    for policy in [Policy::seed_shanghai_2020(), Policy::cn_ed9_close_contact()] {
        let m = Management::new(policy);
        g.bench_function(format!("managed/{}/100k", m.name), |b| {
            b.iter_batched(|| warmed(&sim, &m, true), |run| play(run, true), BatchSize::PerIteration)
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
