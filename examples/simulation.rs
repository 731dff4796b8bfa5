//! # A simulation study: management policies compared over many seeds
//!
//! Run it with `cargo run --release --example simulation` (no `--features` needed: the package
//! dev-depends on itself with `sim` on). The model and the study are [`wangge::sim`]; this
//! file parses the flags, runs a [`Study`], prints its table and writes a CSV of the runs, a
//! CSV of the days and an SVG chart of the red households with their intervals to `--out`.
//!
//! The default (200,000 residents, 10 seeds, 150 days, closed management from day 60, three
//! policies) takes a few seconds. The study of issue 19 §3, committed with its assumptions in
//! `docs/policy_study.md`:
//!
//! ```sh
//! cargo run --release --example simulation -- --residents 1000000 --seeds 30
//! ```
//!
//! **The policies compared** (on the same city and seeds, so the same first infections): the
//! seed's 2020 rule (`seed_shanghai_2020`: 14 days at home, two checks a day, no tests), CN
//! edition 9 (`cn_ed9_close_contact`: 7 days centralised + 3 at home) and CN 20 measures
//! (`cn_20_measures_close_contact`: 5 days centralised + 3 at home); sources in
//! `ISOLATION_RULES.md`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use wangge::sim::{Management, Sim, Study};
use wangge::synth::CityShape;

/// Mean persons per household of the synthetic city (its default size weights).
const MEAN_HOUSEHOLD: f64 = 2.86;

#[derive(Debug, Clone)]
struct Options {
    residents: u64,
    seeds: u64,
    first_seed: u64,
    days: u16,
    closed_from: Option<u16>,
    threads: usize,
    out: PathBuf,
}

const USAGE: &str = "\
usage: cargo run --release --example simulation -- [--residents N] [--seeds N] [--first-seed N] [--days N]
         [--closed-from N] [--threads N] [--out DIR]

  --residents N   residents of the synthetic city (default 200000; 1 to 50000000)
  --seeds N       seeds of the epidemic, each run under every policy (default 10; 1 to 1000)
  --first-seed N  the first seed; the city is built with it too (default 2020)
  --days N        simulated days (default 150; 1 to 3650)
  --closed-from N the day closed management of the compounds begins (default 60; 0: never)
  --threads N     worker threads (default: the machine's cores)
  --out DIR       where the CSVs and the SVG go (default the system's temporary directory)
  --help          this text";

fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut o = Options {
        residents: 200_000,
        seeds: 10,
        first_seed: 2020,
        days: 150,
        closed_from: Some(60),
        threads,
        out: std::env::temp_dir(),
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String, min: u64, max: u64| -> Result<u64, String> {
            let n: u64 = v.replace('_', "").parse().map_err(|_| format!("{flag} wants a number, found {v:?}"))?;
            if (min..=max).contains(&n) { Ok(n) } else { Err(format!("{flag} must be {min} to {max}, found {n}")) }
        };
        let small = |n: u64| u16::try_from(n).map_err(|e| e.to_string());
        match flag.as_str() {
            "--residents" => o.residents = number(value()?, 1, 50_000_000)?,
            "--seeds" => o.seeds = number(value()?, 1, 1000)?,
            "--first-seed" => o.first_seed = number(value()?, 0, u64::MAX - 1000)?,
            "--days" => o.days = small(number(value()?, 1, 3650)?)?,
            "--closed-from" => o.closed_from = Some(small(number(value()?, 0, 3650)?)?).filter(|&d| d > 0),
            "--threads" => o.threads = number(value()?, 1, 256)? as usize,
            "--out" => o.out = PathBuf::from(value()?),
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    Ok(Some(o))
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("simulation: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match simulate(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("simulation: {e}");
            ExitCode::FAILURE
        }
    }
}

fn simulate(o: &Options) -> Result<(), Box<dyn std::error::Error>> {
    let households = u32::try_from(((o.residents as f64 / MEAN_HOUSEHOLD).ceil() as u64).max(1))?;
    let t = Instant::now();
    let sim = Sim::from_shape(&CityShape::with_households(households).seed(o.first_seed))?;
    println!(
        "city: {} residents in {} households (seed {}), built in {:.2} s",
        sim.residents(),
        sim.households(),
        o.first_seed,
        t.elapsed().as_secs_f64()
    );
    let study = Study::new(Management::presets(o.closed_from))
        .seeds(o.first_seed..o.first_seed + o.seeds)
        .days(o.days)
        .threads(o.threads);
    let t = Instant::now();
    let result = study.run(&sim)?;
    let took = t.elapsed().as_secs_f64();
    let runs = result.arms.len() as f64 * o.seeds as f64;
    println!("\n{}", result.table());
    println!(
        "{} runs in {took:.1} s on {} threads ({:.2} s a run; {:.1} ns per resident-day, model and management, \
         per thread)",
        runs,
        o.threads,
        took / runs,
        took * 1e9 * o.threads.min(runs as usize) as f64 / (runs * sim.residents() as f64 * f64::from(o.days))
    );
    for arm in &result.arms {
        let refused: u64 = arm.runs.iter().map(|r| r.refused).sum();
        if refused > 0 {
            println!("note: {refused} commands of `{}` were refused over its runs", arm.name);
        }
    }
    std::fs::create_dir_all(&o.out).map_err(|e| format!("cannot create {}: {e}", o.out.display()))?;
    let write = |name: &str, text: &str| -> Result<PathBuf, String> {
        let path = o.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    };
    let table = write("wangge_study.md", &format!("# Management policies compared\n\n{}", result.table()))?;
    let runs = write("wangge_study_runs.csv", &result.runs_csv())?;
    let days = write("wangge_study_days.csv", &result.daily_csv())?;
    let svg = write("wangge_study_red_households.svg", &result.svg())?;
    println!(
        "table: {}\nruns: {}\ndays: {}\nchart: {}",
        table.display(),
        runs.display(),
        days.display(),
        svg.display()
    );
    Ok(())
}
