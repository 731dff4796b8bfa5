//! One run of a small hostile input of issue 14 §5, for its time and peak memory:
//!
//! ```text
//! cargo build --release --example hostile
//! /usr/bin/time -v target/release/examples/hostile scope 80000
//! /usr/bin/time -v target/release/examples/hostile loads 15000 15000
//! /usr/bin/time -v target/release/examples/hostile cells 20000
//! /usr/bin/time -v target/release/examples/hostile solve 4000 4000
//! ```
//!
//! Prints the time of the step measured (building the input aside, except for `loads`, whose
//! input is what costs); `/usr/bin/time -v` gives the peak resident set of the whole run.

use std::time::Instant;

#[path = "../benches/support/hostile.rs"]
mod hostile;

fn arg(i: usize, default: usize) -> usize {
    std::env::args().nth(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    match case.as_str() {
        "scope" => {
            let (mut reg, roots) = hostile::registry_with_communities(arg(2, 80_000));
            let start = Instant::now();
            let events = reg.apply_within(&roots, hostile::household_in(roots[0])).expect("inside");
            println!(
                "scope: apply_within over {} roots in {:?} ({} event)",
                roots.len(),
                start.elapsed(),
                events.len()
            );
        }
        "loads" => {
            let (schemes, staff) = (arg(2, 15_000), arg(3, 15_000));
            let start = Instant::now();
            let reg = hostile::registry_with_schemes_and_staff(schemes, staff);
            println!("loads: {schemes} schemes x {staff} staff built in {:?}", start.elapsed());
            let start = Instant::now();
            assert!(reg.audit().is_empty());
            println!("loads: audit in {:?}", start.elapsed());
        }
        "cells" => {
            let (mut reg, cells) = hostile::registry_and_cells(arg(2, 20_000));
            let n = cells.len();
            let start = Instant::now();
            for c in cells {
                reg.apply(c).expect("a cell");
            }
            println!("cells: {n} cells added in {:?}", start.elapsed());
        }
        "solve" => {
            let input = hostile::SolveInput::new(arg(2, 4_000), arg(3, 4_000));
            let start = Instant::now();
            let solution = input.solve(true);
            println!(
                "solve: balanced, {} persons x {} staff in {:?}: {} assignments, {} unfilled, largest load {}",
                input.targets.len(),
                input.staff.len(),
                start.elapsed(),
                solution.roster.assignments().len(),
                solution.unfilled.len(),
                solution.largest_load()
            );
        }
        "spread" => {
            let input = hostile::SolveInput::spread(arg(2, 4_000), arg(3, 4_000));
            let start = Instant::now();
            let solution = input.solve(true);
            println!(
                "spread: balanced, {} persons in communities of their own x {} staff in {:?}: {} assignments",
                input.targets.len(),
                input.staff.len(),
                start.elapsed(),
                solution.roster.assignments().len(),
            );
        }
        other => eprintln!(
            "unknown case {other:?}: scope N | loads SCHEMES STAFF | cells N | solve PERSONS STAFF | spread PERSONS STAFF"
        ),
    }
}
