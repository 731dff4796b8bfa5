//! Benches of the small hostile inputs of issue 14 §5: each was quadratic in its size, took
//! seconds or gigabytes from a few hundred kilobytes of commands, and is now near-linear. Each
//! group holds a small baseline and ten times the size that hurt, so the ratio is read from one
//! run (a linear cost gives a ratio near the sizes' ratio, a quadratic one its square):
//!
//! - `hostile_scope/check_command/{800,800000}`: [`Registry::scope`] over every community of a
//!   sub-district as roots, then [`Scope::check_command`] of a household added in the first
//!   (what [`Registry::apply_within`] does first). 80,000 roots took 32 s.
//! - `hostile_loads/build/{150x150,15000x150000}`: adopting S schemes and registering T staff
//!   (the per-(scheme, staff) load tables of 15,000 × 15,000 took 957 MB).
//! - `hostile_cells/add/{200,200000}`: one cell per community added to one overlay, each
//!   checked against the units the overlay names (20,000 cells took 2.0 s).
//! - `hostile_solve/balanced/{400x400,40000x40000}`: 2+3 for P persons from S staff all homed
//!   at the root, so that every staff member of a role may hold it for every person
//!   (4,000 × 4,000 took 11.4 s and 603 MB).
//!
//! Peak memory of one run of each: `examples/hostile.rs` under `/usr/bin/time -v`.
//! Run: `cargo bench --all-features --bench hostile` (figures in BENCHMARKS.md).
//!
//! [`Registry::scope`]: wangge::Registry::scope
//! [`Scope::check_command`]: wangge::registry::Scope::check_command
//! [`Registry::apply_within`]: wangge::Registry::apply_within

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime};

#[path = "support/hostile.rs"]
mod hostile;

fn quick(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
}

fn bench_scope(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile_scope");
    quick(&mut group);
    for n in [800, 800_000] {
        let (reg, roots) = hostile::registry_with_communities(n);
        let command = hostile::household_in(roots[0]);
        group.bench_function(format!("check_command/{n}"), |b| {
            b.iter(|| reg.scope(black_box(&roots)).and_then(|scope| scope.check_command(&command)))
        });
    }
    group.finish();
}

fn bench_loads(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile_loads");
    quick(&mut group);
    for (schemes, staff) in [(150, 150), (15_000, 150_000)] {
        group.bench_function(format!("build/{schemes}x{staff}"), |b| {
            b.iter(|| hostile::registry_with_schemes_and_staff(black_box(schemes), black_box(staff)))
        });
    }
    group.finish();
}

fn bench_cells(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile_cells");
    quick(&mut group);
    for n in [200, 200_000] {
        let (reg, cells) = hostile::registry_and_cells(n);
        group.bench_function(format!("add/{n}"), |b| {
            b.iter_batched(
                || (reg.clone(), cells.clone()),
                |(mut reg, cells)| {
                    for cell in cells {
                        reg.apply(cell).expect("a cell of its own");
                    }
                    reg
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn bench_solve(c: &mut Criterion) {
    let mut group = c.benchmark_group("hostile_solve");
    quick(&mut group);
    for n in [400, 40_000] {
        let input = hostile::SolveInput::new(n, n);
        let solution = input.solve(true);
        assert!(solution.is_complete() && solution.roster.assignments().len() == 3 * n);
        group.bench_function(format!("balanced/{n}x{n}"), |b| b.iter(|| input.solve(black_box(true))));
    }
    group.finish();
}

criterion_group!(benches, bench_scope, bench_loads, bench_cells, bench_solve);
criterion_main!(benches);
