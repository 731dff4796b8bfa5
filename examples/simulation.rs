//! # A simulation study: isolation policies compared on one synthetic city
//!
//! Run it with `cargo run --release --example simulation` (defaults built in, no `--features`
//! needed: the package dev-depends on itself with `synth` on).
//!
//! **The model** (in this file; wangge stays pure). A seeded synthetic city from
//! [`wangge::synth`] (default 1 million residents in ≈350,000 households, in buildings 楼栋,
//! courtyards 楼院 and communities 社区). Each person is susceptible, exposed (latent 2–4
//! days), infectious (8 days: 2 before symptom onset, 6 after; 30% never show symptoms and
//! are half as infectious) or recovered: SEIR, one step a day, with a ChaCha8 generator
//! seeded by `--seed`. An infectious person infects each susceptible member of their
//! household with probability 4% a day, unless either is in centralised isolation or
//! hospital; a person free in the community also meets 10 people a day (4 in their building,
//! 3 in their courtyard, 2 in their community, 1 anywhere in the city), none of whom is in
//! isolation, and infects a susceptible one with probability 4.25%. From day 60 (`--closed-from`)
//! the communities are under closed management 封闭式管理, as Chinese cities closed theirs in
//! February 2020: gates shut, one shopper per household, so a person meets 4 people of their
//! building and 1 of their courtyard a day, no one beyond. Twenty persons per million are
//! infected on the first day. **These epidemic parameters are illustrative**, chosen to
//! put the outbreak near the edge of control, where the policies differ; they are not fitted
//! to any data, and the results say how the management behaves, not what COVID-19 did.
//!
//! **What wangge does** (the management, only through [`Command`]s and reads). Each day:
//! `OpenDay` (the daily round: phases move, cases whose period is over are released or
//! flagged) and `Registry::agenda` (tests due, releases due, missed checks); the tests due are
//! taken ([`Command::RecordTest`], positive when the person is infected and detectable, 90%
//! sensitivity); everyone under an open case reports two temperature checks
//! ([`Command::RecordCheck`]; 1% of them miss one, except on the last day; a person with
//! symptoms reads a fever and is escalated to a suspected case, then confirmed). A person
//! with symptoms who is free seeks care with probability 30% a day and is confirmed
//! ([`Command::SetState`]). Every confirmed case is traced: the members of their household,
//! and 80% of the people they met in the community in the last four days, are put under the
//! policy compared as close contacts ([`Command::StartCase`], anchored on the last exposure,
//! or [`Command::Exposed`] for someone already under a case, which restarts it). Releases due
//! on the agenda are released that day ([`Command::Release`]) once the day's check and test
//! are in. Confirmed cases stay 14 days in hospital, then 14 days in centralised isolation
//! 集中隔离 after discharge (by `SetState`), then go home well. The colours of the households
//! follow, and the tally at the root (kept live by wangge, read each day) gives the red
//! households 红色户. Who is at home and who is away is read back from the events: a person in
//! centralised isolation or hospital meets no one; a person isolated at home meets only their
//! household.
//!
//! **The policies compared**, on the same city and seed (so the same first infections): the
//! seed's 2020 rule (`seed_shanghai_2020`: 14 days at home, two checks a day, no tests), CN
//! edition 9 (`cn_ed9_close_contact`: 7 days centralised + 3 at home, tests on days 1, 2, 3, 5,
//! 7 and 10) and CN 20 measures (`cn_20_measures_close_contact`: 5 days centralised + 3 at
//! home, tests on days 1, 2, 3, 5, 6 and 8). Their sources are in `ISOLATION_RULES.md`.
//!
//! **Flags** (all optional): `--residents N` (default 1,000,000), `--days N` (default 150),
//! `--closed-from N` (default 60; 0 never closes the communities), `--seed N` (default 2020), `--out DIR` (default the system's temporary directory),
//! `--help`. The default run takes a few seconds; a city_10m-sized one, `--residents
//! 10000000`, takes minutes and a few GB of memory.
//!
//! **Reading the output.** For each policy: infections (the model's truth), confirmed cases
//! (what the management found), the peak of red households (a household with a case, a
//! suspected case, a close contact or someone in centralised isolation: the grid's own
//! measure of the load), and person-days in isolation under the policy (centralised and at
//! home). Then the wall time per simulated day, split into wangge's share (every registry
//! call: commands, the agenda, the tally read, reading events back) and the model's, and
//! wangge's time per resident-day in three parts: the daily step (`OpenDay`, the agenda, the
//! roll-up read), the state changes (cases started, restarted, released, states set) and the
//! readings (checks and tests). The model here steps only the infected and their contacts, so
//! its own share is small; a simulator that steps every agent spends 100–200 ns per
//! person-day, the yardstick of `benches/daily.rs`. The table is written as Markdown, the daily series as CSV
//! and the red households per day per policy as an SVG line chart; their paths are printed.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, NaiveDateTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wangge::colour::{Colour, Measure, Standing, State};
use wangge::quarantine::{Category, Item, Policy, Temperature, TestResult};
use wangge::synth::CityShape;
use wangge::{CaseId, Command, Event, PersonId, PolicyId, Registry, UnitId};

// ---------------------------------------------------------------------------------------------
// Parameters (illustrative)
// ---------------------------------------------------------------------------------------------

/// Mean persons per household in the synthetic city (its default size weights).
const MEAN_HOUSEHOLD: f64 = 2.86;
/// Infections on day 0, per million residents (at least one).
const SEEDS_PER_MILLION: f64 = 20.0;
/// Latent days: uniform in this range.
const LATENT: (u16, u16) = (2, 4);
/// Infectious days, and of those the days before symptom onset.
const INFECTIOUS_DAYS: u16 = 8;
const PRESYMPTOMATIC_DAYS: u16 = 2;
/// Share of infections with symptoms; the others are half as infectious.
const SYMPTOMATIC: f64 = 0.7;
const ASYMPTOMATIC_FACTOR: f64 = 0.5;
/// Daily probability that an infectious person infects a susceptible household member.
const HOUSEHOLD_P: f64 = 0.04;
/// Community contacts a day of a free person: in the building, courtyard, community, city.
const CONTACTS: [u32; 4] = [4, 3, 2, 1];
/// The same under closed management 封闭式管理 (gates closed, one shopper per household): the
/// building's neighbours and one person of the courtyard, no one beyond it.
const CLOSED_CONTACTS: [u32; 4] = [4, 1, 0, 0];
/// Probability that a community contact with an infectious person infects.
const COMMUNITY_P: f64 = 0.0425;
/// Daily probability that a free person with symptoms seeks care (and is confirmed).
const CARE_P: f64 = 0.3;
/// Share of community contacts that tracing finds, and the days it looks back (today included).
const TRACE_P: f64 = 0.8;
const TRACE_DAYS: usize = 4;
/// Test sensitivity, and the days after infection from which a test can be positive (the last
/// latent day on).
const SENSITIVITY: f64 = 0.9;
/// Share of persons under a case who miss one of the day's two checks.
const MISS_CHECK_P: f64 = 0.01;
/// Days in hospital once confirmed, then in centralised isolation after discharge (CN, April
/// 2020: "discharged patient, 14 from discharge").
const HOSPITAL_DAYS: u16 = 14;
const DISCHARGE_DAYS: u16 = 14;

/// Day 0 of the simulation.
const START: NaiveDate = match NaiveDate::from_ymd_opt(2020, 2, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

/// The run's settings, from the flags.
#[derive(Debug, Clone)]
struct Options {
    residents: u64,
    days: u16,
    /// The day closed management begins, if it does.
    closed_from: Option<u16>,
    seed: u64,
    out: PathBuf,
}

const USAGE: &str = "\
usage: cargo run --release --example simulation -- [--residents N] [--days N] [--closed-from N] [--seed N] [--out DIR]

  --residents N   residents of the synthetic city (default 1000000; 1 to 50000000)
  --days N        simulated days (default 150; 1 to 3650)
  --closed-from N the day closed management of the communities begins (default 60; 0: never)
  --seed N        seed of the city and the epidemic (default 2020)
  --out DIR       where the table, CSV and SVG go (default the system's temporary directory)
  --help          this text";

/// The options from `args` (without the program name); `Ok(None)` for `--help`.
fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Options>, String> {
    let mut o =
        Options { residents: 1_000_000, days: 150, closed_from: Some(60), seed: 2020, out: std::env::temp_dir() };
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
        match flag.as_str() {
            "--residents" => o.residents = number(value()?, 1, 50_000_000)?,
            "--days" => o.days = u16::try_from(number(value()?, 1, 3650)?).map_err(|e| e.to_string())?,
            "--closed-from" => {
                let day = u16::try_from(number(value()?, 0, 3650)?).map_err(|e| e.to_string())?;
                o.closed_from = (day > 0).then_some(day);
            }
            "--seed" => o.seed = number(value()?, 0, u64::MAX)?,
            "--out" => o.out = PathBuf::from(value()?),
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    Ok(Some(o))
}

// ---------------------------------------------------------------------------------------------
// The city as the model sees it
// ---------------------------------------------------------------------------------------------

/// The persons of the city grouped for drawing contacts: by household, building, courtyard and
/// community, each a list of persons with offsets.
struct Layout {
    /// Each person's household, building, courtyard and community (dense indexes).
    of: [Vec<u32>; 4],
    /// For each grouping: the persons in group order, and where each group starts.
    members: [Vec<u32>; 4],
    starts: [Vec<u32>; 4],
    root: UnitId,
}

impl Layout {
    fn new(reg: &Registry) -> Result<Layout, Box<dyn std::error::Error>> {
        let persons = reg.population().person_count();
        let tree = reg.tree();
        // Dense indexes of the units at each level above the household, by unit index.
        let mut dense = [vec![u32::MAX; tree.len()], vec![u32::MAX; tree.len()], vec![u32::MAX; tree.len()]];
        let mut counts = [0u32; 3];
        let mut of: [Vec<u32>; 4] = std::array::from_fn(|_| Vec::with_capacity(persons));
        for (_, person) in reg.population().persons() {
            let h = person.household();
            let mut unit = reg.household(h)?.unit();
            of[0].push(h.get());
            for level in 0..3 {
                let slot = &mut dense[level][unit.index()];
                if *slot == u32::MAX {
                    *slot = counts[level];
                    counts[level] += 1;
                }
                of[level + 1].push(*slot);
                unit = tree.parent(unit)?.unwrap_or(unit);
            }
        }
        let groups = [reg.population().household_count() as u32, counts[0], counts[1], counts[2]];
        let mut members: [Vec<u32>; 4] = Default::default();
        let mut starts: [Vec<u32>; 4] = Default::default();
        for g in 0..4 {
            // A counting sort of the persons by group.
            let mut start = vec![0u32; groups[g] as usize + 1];
            for &x in &of[g] {
                start[x as usize + 1] += 1;
            }
            for i in 1..start.len() {
                start[i] += start[i - 1];
            }
            let mut next = start.clone();
            let mut list = vec![0u32; persons];
            for (p, &x) in of[g].iter().enumerate() {
                list[next[x as usize] as usize] = p as u32;
                next[x as usize] += 1;
            }
            members[g] = list;
            starts[g] = start;
        }
        Ok(Layout { of, members, starts, root: reg.root() })
    }

    /// The persons of `person`'s group at `level` (0 household, 1 building, 2 courtyard,
    /// 3 community).
    fn group(&self, level: usize, person: u32) -> &[u32] {
        let g = self.of[level][person as usize] as usize;
        &self.members[level][self.starts[level][g] as usize..self.starts[level][g + 1] as usize]
    }

    fn persons(&self) -> usize {
        self.of[0].len()
    }
}

// ---------------------------------------------------------------------------------------------
// One run: the epidemic model and the host that manages it through wangge
// ---------------------------------------------------------------------------------------------

/// The model's disease stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Susceptible,
    Exposed,
    Infectious,
    Recovered,
}

/// One person's infection, as the model knows it.
#[derive(Debug, Clone, Copy)]
struct Infection {
    stage: Stage,
    symptomatic: bool,
    /// The day of infection, and the latent days.
    day: u16,
    latent: u16,
}

impl Infection {
    const NONE: Infection = Infection { stage: Stage::Susceptible, symptomatic: false, day: 0, latent: 0 };

    fn infectious_from(&self) -> u16 {
        self.day + self.latent
    }

    fn has_symptoms(&self, day: u16) -> bool {
        self.stage == Stage::Infectious && self.symptomatic && day >= self.infectious_from() + PRESYMPTOMATIC_DAYS
    }

    fn detectable(&self, day: u16) -> bool {
        match self.stage {
            Stage::Exposed => day + 1 >= self.infectious_from(),
            Stage::Infectious => true,
            _ => false,
        }
    }
}

/// Where a person is, as far as contacts go, from their state in the registry.
fn isolation(state: Standing) -> u8 {
    match (state.measure(), state.reason()) {
        (Measure::CentralisedIsolation, _) | (_, State::Suspected | State::Confirmed) => 2,
        (_, State::Well | State::Absent) => 0,
        _ => 1,
    }
}

/// What one policy's run gave.
#[derive(Debug, Clone, Default)]
struct Outcome {
    name: String,
    infections: u64,
    confirmed: u64,
    peak_red: u64,
    peak_day: u16,
    centralised_days: u64,
    home_days: u64,
    cases_started: u64,
    restarts: u64,
    releases: u64,
    agenda_items: u64,
    commands: u64,
    refused: u64,
    /// Per day: red households, persons under a case, new infections, new confirmed.
    red: Vec<u64>,
    under_case: Vec<u64>,
    new_infections: Vec<u64>,
    new_confirmed: Vec<u64>,
    /// Wangge's time, and its parts: the daily step (round, agenda, roll-up read), the state
    /// changes (cases started, restarted, released, states set) and the readings (checks,
    /// tests).
    wangge: Duration,
    parts: [Duration; 3],
    total: Duration,
}

/// The parts of wangge's time.
const STEP: usize = 0;
const CHANGES: usize = 1;
const READINGS: usize = 2;

const NO_CASE: u32 = u32::MAX;

/// The host: the registry, what it has told us back, and the model's state.
struct Run<'a> {
    reg: Registry,
    layout: &'a Layout,
    policy: PolicyId,
    rng: ChaCha8Rng,
    log: Vec<Event>,
    /// Mirrors of the registry, read back from events.
    state: Vec<Standing>,
    case_of: Vec<u32>,
    /// The day a person last went into centralised isolation or hospital.
    away_since: Vec<u16>,
    listed: Vec<bool>,
    under_case: Vec<u32>,
    detected: Vec<bool>,
    /// The model.
    infection: Vec<Infection>,
    exposed: Vec<u32>,
    infectious: Vec<u32>,
    /// Community contacts of the last `TRACE_DAYS` days, both ways, sorted, with their day.
    contacts: VecDeque<(u16, Vec<(u32, u32)>)>,
    hospital: VecDeque<(u16, u32)>,
    discharged: VecDeque<(u16, u32)>,
    out: Outcome,
    /// The day closed management begins, if it does.
    closed_from: Option<u16>,
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn date(day: u16) -> Res<NaiveDate> {
    START.checked_add_days(Days::new(u64::from(day))).ok_or_else(|| "a date past the calendar".into())
}

fn at(day: NaiveDate, hour: u32) -> Res<NaiveDateTime> {
    day.and_hms_opt(hour, 0, 0).ok_or_else(|| "an hour of the day".into())
}

impl<'a> Run<'a> {
    fn new(city: &Registry, layout: &'a Layout, policy: Policy, seed: u64) -> Res<Run<'a>> {
        let mut reg = city.clone();
        let name = policy.name().to_owned();
        let policy = reg.apply(Command::AdoptPolicy { policy })?[0].new_policy().ok_or("a policy adopted")?;
        let n = layout.persons();
        Ok(Run {
            reg,
            layout,
            policy,
            rng: ChaCha8Rng::seed_from_u64(seed),
            log: Vec::new(),
            state: vec![Standing::WELL; n],
            case_of: vec![NO_CASE; n],
            away_since: vec![0; n],
            listed: vec![false; n],
            under_case: Vec::new(),
            detected: vec![false; n],
            infection: vec![Infection::NONE; n],
            exposed: Vec::new(),
            infectious: Vec::new(),
            contacts: VecDeque::new(),
            hospital: VecDeque::new(),
            discharged: VecDeque::new(),
            out: Outcome { name, ..Outcome::default() },
            closed_from: None,
        })
    }

    /// Apply a command, timing it as wangge's, and read its events back into the mirrors.
    /// A refused command is counted and returned as `false`.
    fn apply(&mut self, command: Command, day: u16) -> Res<bool> {
        let part = match command {
            Command::OpenDay { .. } => STEP,
            Command::RecordCheck { .. } | Command::RecordTest { .. } => READINGS,
            _ => CHANGES,
        };
        let t = Instant::now();
        self.log.clear();
        let applied = self.reg.apply_into(command, &mut self.log).is_ok();
        if applied {
            for i in 0..self.log.len() {
                self.read_back(i, day)?;
            }
        } else {
            self.out.refused += 1;
        }
        self.out.commands += 1;
        let took = t.elapsed();
        self.out.wangge += took;
        self.out.parts[part] += took;
        Ok(applied)
    }

    fn read_back(&mut self, i: usize, day: u16) -> Res<()> {
        let (person, to, ended) = match &self.log[i] {
            Event::CaseStarted { case, person, change, .. } => {
                let p = person.index();
                self.case_of[p] = case.get();
                if !self.listed[p] {
                    self.listed[p] = true;
                    self.under_case.push(person.get());
                }
                self.out.cases_started += 1;
                (*person, change.as_ref().map(|c| c.to.standing()), false)
            }
            Event::CaseRestarted { case, change, .. } | Event::PhaseEntered { case, change, .. } => {
                (self.reg.case(*case)?.person(), change.as_ref().map(|c| c.to.standing()), false)
            }
            Event::CheckRecorded { case, escalation, .. } | Event::TestRecorded { case, escalation, .. } => {
                (self.reg.case(*case)?.person(), escalation.as_ref().map(|c| c.to.standing()), escalation.is_some())
            }
            Event::CaseReleased { case, change, .. } => {
                self.out.releases += 1;
                (self.reg.case(*case)?.person(), Some(change.to.standing()), true)
            }
            Event::StateChanged { person, to, .. } => (*person, Some(to.standing()), false),
            _ => return Ok(()),
        };
        let p = person.index();
        if ended {
            self.case_of[p] = NO_CASE;
        }
        if let Some(to) = to {
            if isolation(to) == 2 && isolation(self.state[p]) != 2 {
                self.away_since[p] = day;
            }
            self.state[p] = to;
        }
        Ok(())
    }

    /// Infect `p` on `day`.
    fn infect(&mut self, p: u32, day: u16) {
        let latent = self.rng.random_range(LATENT.0..=LATENT.1);
        let symptomatic = self.rng.random_bool(SYMPTOMATIC);
        self.infection[p as usize] = Infection { stage: Stage::Exposed, symptomatic, day, latent };
        self.exposed.push(p);
        self.out.infections += 1;
    }

    /// The model's day: progression, then household and community transmission by where
    /// everyone is this morning. Returns the new infections.
    fn epidemic_day(&mut self, day: u16) -> u64 {
        let before = self.out.infections;
        // Progression.
        let mut k = 0;
        while k < self.exposed.len() {
            let p = self.exposed[k];
            let inf = &mut self.infection[p as usize];
            if day >= inf.infectious_from() {
                inf.stage = Stage::Infectious;
                self.infectious.push(p);
                self.exposed.swap_remove(k);
            } else {
                k += 1;
            }
        }
        let mut k = 0;
        while k < self.infectious.len() {
            let p = self.infectious[k];
            let inf = &mut self.infection[p as usize];
            if day >= inf.infectious_from() + INFECTIOUS_DAYS {
                inf.stage = Stage::Recovered;
                self.infectious.swap_remove(k);
            } else {
                k += 1;
            }
        }
        // Transmission.
        let mut met: Vec<(u32, u32)> = Vec::new();
        let mut infected: Vec<u32> = Vec::new();
        for k in 0..self.infectious.len() {
            let i = self.infectious[k];
            let where_i = isolation(self.state[i as usize]);
            if where_i == 2 {
                continue;
            }
            let factor = if self.infection[i as usize].symptomatic { 1.0 } else { ASYMPTOMATIC_FACTOR };
            for &m in self.layout.group(0, i) {
                if m != i
                    && self.infection[m as usize].stage == Stage::Susceptible
                    && isolation(self.state[m as usize]) < 2
                    && self.rng.random_bool(HOUSEHOLD_P * factor)
                {
                    infected.push(m);
                }
            }
            if where_i != 0 {
                continue;
            }
            let home = self.layout.of[0][i as usize];
            let contacts = if self.closed_from.is_some_and(|from| day >= from) { CLOSED_CONTACTS } else { CONTACTS };
            for (level, &n) in contacts.iter().enumerate() {
                for _ in 0..n {
                    let c = if level == 3 {
                        self.rng.random_range(0..self.layout.persons() as u32)
                    } else {
                        let group = self.layout.group(level + 1, i);
                        group[self.rng.random_range(0..group.len())]
                    };
                    if self.layout.of[0][c as usize] == home || isolation(self.state[c as usize]) != 0 {
                        continue;
                    }
                    met.push((i, c));
                    met.push((c, i));
                    if self.infection[c as usize].stage == Stage::Susceptible
                        && self.rng.random_bool(COMMUNITY_P * factor)
                    {
                        infected.push(c);
                    }
                }
            }
        }
        for p in infected {
            if self.infection[p as usize].stage == Stage::Susceptible {
                self.infect(p, day);
            }
        }
        met.sort_unstable();
        met.dedup();
        if self.contacts.len() == TRACE_DAYS {
            self.contacts.pop_front();
        }
        self.contacts.push_back((day, met));
        self.out.infections - before
    }

    /// A test result for `p` on `day`, as the model says.
    fn test(&mut self, p: u32, day: u16) -> TestResult {
        if self.infection[p as usize].detectable(day) && self.rng.random_bool(SENSITIVITY) {
            TestResult::Positive
        } else {
            TestResult::Negative
        }
    }

    /// Confirm `p` (found by a test, a fever or at a clinic) and send them to hospital.
    fn confirm(&mut self, p: u32, day: u16, confirmed: &mut Vec<u32>) -> Res<()> {
        let person = PersonId::new(p);
        if self.state[p as usize].reason() != State::Confirmed {
            self.apply(Command::SetState { person, state: State::Confirmed, on: date(day)? }, day)?;
        }
        if self.state[p as usize].reason() == State::Confirmed && !self.detected[p as usize] {
            self.detected[p as usize] = true;
            self.hospital.push_back((day + HOSPITAL_DAYS, p));
            self.out.confirmed += 1;
            confirmed.push(p);
        }
        Ok(())
    }

    /// The management of one day, after the model's.
    fn manage(&mut self, day: u16) -> Res<()> {
        let today = date(day)?;
        // The morning: the round, then the agenda.
        self.apply(Command::OpenDay { today }, day)?;
        let t = Instant::now();
        let agenda = self.reg.agenda(today);
        let took = t.elapsed();
        self.out.wangge += took;
        self.out.parts[STEP] += took;
        self.out.agenda_items += agenda.len() as u64;
        let new_infections = self.epidemic_day(day);

        let mut confirmed = Vec::new();
        // Tests due.
        for item in agenda.tests_due() {
            let p = item.person.get();
            if self.case_of[p as usize] != item.case.get() {
                continue;
            }
            let result = self.test(p, day);
            self.apply(Command::RecordTest { person: item.person, on: today, result }, day)?;
            if result == TestResult::Positive {
                self.confirm(p, day, &mut confirmed)?;
            }
        }
        // Free persons with symptoms seek care.
        for k in 0..self.infectious.len() {
            let p = self.infectious[k];
            if self.infection[p as usize].has_symptoms(day)
                && self.case_of[p as usize] == NO_CASE
                && !self.detected[p as usize]
                && self.rng.random_bool(CARE_P)
            {
                self.confirm(p, day, &mut confirmed)?;
            }
        }
        // Tracing, then the checks of everyone under a case (a fever is found, confirmed and
        // traced in turn).
        let releasing: Vec<(CaseId, u32)> = agenda
            .items()
            .iter()
            .filter(|i| matches!(i.item, Item::ReleaseDue { .. }))
            .map(|i| (i.case, i.person.get()))
            .collect();
        let mut last_day = vec![];
        for &(_, p) in &releasing {
            last_day.push(p);
        }
        last_day.sort_unstable();
        self.trace(&confirmed, day)?;
        let mut checked = 0;
        let normal: Temperature = Temperature::from_tenths(365)?;
        let fever: Temperature = Temperature::from_tenths(382)?;
        while checked < self.under_case.len() {
            let mut newly = Vec::new();
            let end = self.under_case.len();
            for k in checked..end {
                let p = self.under_case[k];
                if self.case_of[p as usize] == NO_CASE {
                    continue;
                }
                let hot = self.infection[p as usize].has_symptoms(day);
                let last = last_day.binary_search(&p).is_ok();
                let checks = if !last && self.rng.random_bool(MISS_CHECK_P) { 1 } else { 2 };
                for c in 0..checks {
                    let temperature = if hot { fever } else { normal };
                    let at = at(today, 8 + 12 * c)?;
                    self.apply(Command::RecordCheck { person: PersonId::new(p), at, temperature, symptoms: hot }, day)?;
                    if hot {
                        // Escalated to a suspected case; the fever clinic confirms it.
                        self.confirm(p, day, &mut newly)?;
                        break;
                    }
                }
            }
            checked = end;
            self.trace(&newly, day)?;
        }
        // Releases due today.
        for (case, p) in releasing {
            if self.case_of[p as usize] == case.get() && self.reg.schedule(case).is_ok_and(|s| s.release() <= today) {
                self.apply(Command::Release { case, on: today }, day)?;
            }
        }
        // Hospital discharges, and the end of the isolation after discharge.
        while let Some(&(until, p)) = self.hospital.front() {
            if until > day {
                break;
            }
            self.hospital.pop_front();
            self.apply(
                Command::SetMeasure { person: PersonId::new(p), measure: Measure::CentralisedIsolation, on: today },
                day,
            )?;
            self.discharged.push_back((day + DISCHARGE_DAYS, p));
        }
        while let Some(&(until, p)) = self.discharged.front() {
            if until > day {
                break;
            }
            self.discharged.pop_front();
            self.apply(Command::SetState { person: PersonId::new(p), state: State::Well, on: today }, day)?;
        }
        // The evening's roll-up read, and the day's counts.
        let t = Instant::now();
        let red = self.reg.tally(self.layout.root)?.households(Colour::Red);
        let took = t.elapsed();
        self.out.wangge += took;
        self.out.parts[STEP] += took;
        let (case_of, listed) = (&self.case_of, &mut self.listed);
        self.under_case.retain(|&p| {
            let keep = case_of[p as usize] != NO_CASE;
            listed[p as usize] = keep;
            keep
        });
        let centralised = self
            .under_case
            .iter()
            .filter(|&&p| self.state[p as usize].measure() == Measure::CentralisedIsolation)
            .count() as u64;
        self.out.centralised_days += centralised;
        self.out.home_days += self.under_case.len() as u64 - centralised;
        if red > self.out.peak_red {
            (self.out.peak_red, self.out.peak_day) = (red, day);
        }
        self.out.red.push(red);
        self.out.under_case.push(self.under_case.len() as u64);
        self.out.new_infections.push(new_infections);
        self.out.new_confirmed.push(confirmed.len() as u64);
        Ok(())
    }

    /// Put the household and the traced community contacts of each of `cases` under the
    /// policy: a new case anchored on the last exposure, or a restart for someone under one.
    fn trace(&mut self, cases: &[u32], day: u16) -> Res<()> {
        let mut found: Vec<(u32, u16)> = Vec::new();
        for &c in cases {
            // The household was last exposed when the case was last at home.
            let home_day = if isolation(self.state[c as usize]) == 2 && self.away_since[c as usize] < day {
                self.away_since[c as usize]
            } else {
                day
            };
            for &m in self.layout.group(0, c) {
                if m != c {
                    found.push((m, home_day));
                }
            }
            for (met_on, met) in &self.contacts {
                let from = met.partition_point(|&(a, _)| a < c);
                for &(_, k) in met[from..].iter().take_while(|&&(a, _)| a == c) {
                    if self.rng.random_bool(TRACE_P) {
                        found.push((k, *met_on));
                    }
                }
            }
        }
        // The latest exposure of each person found.
        found.sort_unstable_by_key(|&(p, d)| (p, std::cmp::Reverse(d)));
        found.dedup_by_key(|&mut (p, _)| p);
        let today = date(day)?;
        for (p, exposed) in found {
            if self.detected[p as usize]
                || matches!(self.state[p as usize].reason(), State::Suspected | State::Confirmed)
            {
                continue;
            }
            let person = PersonId::new(p);
            let anchor = date(exposed)?;
            let case = self.case_of[p as usize];
            if case == NO_CASE {
                let period_over = self.reg.policy(self.policy)?.schedule(anchor)?.release() < today;
                if !period_over {
                    let category = Category::CloseContact;
                    let start =
                        Command::StartCase { person, policy: self.policy, category, anchor, on: today, linked: None };
                    self.apply(start, day)?;
                }
            } else if self.reg.case(CaseId::new(case))?.anchor() < anchor {
                self.apply(Command::Exposed { person, anchor, on: today }, day)?;
                self.out.restarts += 1;
            }
        }
        Ok(())
    }

    fn run(mut self, days: u16, seeds: u32, closed_from: Option<u16>) -> Res<Outcome> {
        let began = Instant::now();
        self.closed_from = closed_from;
        for _ in 0..seeds {
            let p = self.rng.random_range(0..self.layout.persons() as u32);
            if self.infection[p as usize].stage == Stage::Susceptible {
                self.infect(p, 0);
            }
        }
        for day in 0..days {
            self.manage(day)?;
            if (day + 1) % 20 == 0 || day + 1 == days {
                eprintln!(
                    "  {:<30} day {:>3}: {:>7} infections, {:>6} confirmed, {:>6} red households, {:>7} under a case",
                    self.out.name,
                    day + 1,
                    self.out.infections,
                    self.out.confirmed,
                    self.out.red.last().copied().unwrap_or(0),
                    self.under_case.len()
                );
            }
        }
        self.out.total = began.elapsed();
        Ok(self.out)
    }
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn table(outcomes: &[Outcome], residents: u64, days: u16) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| policy | infections | confirmed cases | peak red households (day) | person-days in isolation \
         (centralised + home) |"
    );
    let _ = writeln!(t, "|---|---:|---:|---:|---:|");
    for o in outcomes {
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} ({}) | {} ({} + {}) |",
            o.name,
            thousands(o.infections),
            thousands(o.confirmed),
            thousands(o.peak_red),
            o.peak_day,
            thousands(o.centralised_days + o.home_days),
            thousands(o.centralised_days),
            thousands(o.home_days),
        );
    }
    let _ = writeln!(
        t,
        "\n| policy | cases started | restarts | releases | agenda items | commands | wall ms / day | wangge share \
         | wangge ns / resident-day |"
    );
    let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for o in outcomes {
        let per_day = o.total.as_secs_f64() * 1e3 / f64::from(days);
        let share = o.wangge.as_secs_f64() / o.total.as_secs_f64().max(1e-9) * 100.0;
        let ns = o.wangge.as_secs_f64() * 1e9 / (residents as f64 * f64::from(days));
        let _ = writeln!(
            t,
            "| `{}` | {} | {} | {} | {} | {} | {:.1} | {:.0}% | {:.1} |",
            o.name,
            thousands(o.cases_started),
            thousands(o.restarts),
            thousands(o.releases),
            thousands(o.agenda_items),
            thousands(o.commands),
            per_day,
            share,
            ns
        );
    }
    t
}

fn csv(outcomes: &[Outcome], days: u16) -> Res<String> {
    let mut s = String::from("day,date,policy,red_households,under_case,new_infections,new_confirmed\n");
    for o in outcomes {
        for d in 0..usize::from(days) {
            let _ = writeln!(
                s,
                "{d},{},{},{},{},{},{}",
                date(d as u16)?,
                o.name,
                o.red[d],
                o.under_case[d],
                o.new_infections[d],
                o.new_confirmed[d]
            );
        }
    }
    Ok(s)
}

/// A line chart of red households per day, one line per policy.
fn svg(outcomes: &[Outcome], days: u16, residents: u64, seed: u64) -> String {
    let (w, h) = (920.0, 520.0);
    let (left, right, top, bottom) = (80.0, 250.0, 50.0, 60.0);
    let (pw, ph) = (w - left - right, h - top - bottom);
    let max = outcomes.iter().flat_map(|o| o.red.iter().copied()).max().unwrap_or(0).max(1);
    // Five steps of a round size (1, 2 or 5 times a power of ten) up the y axis.
    let mut step = 1u64;
    'search: for power in 0..19 {
        for m in [1, 2, 5] {
            step = m * 10u64.pow(power);
            if step * 5 >= max {
                break 'search;
            }
        }
    }
    let top_value = step * 5;
    let x = |d: f64| left + pw * d / f64::from(days.saturating_sub(1).max(1));
    let y = |v: f64| top + ph - ph * v / top_value as f64;
    let colours = ["#c0392b", "#2471a3", "#1e8449", "#7d3c98", "#b9770e"];
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="24" font-size="15" font-weight="bold">Red households 红色户 per day, by isolation policy for close contacts</text>"#
    );
    let _ = writeln!(
        s,
        r##"<text x="{left}" y="40" fill="#555">{} residents, seed {seed}, day 0 = {START}; illustrative epidemic parameters</text>"##,
        thousands(residents)
    );
    for i in 0..=5u64 {
        let v = step * i;
        let yy = y(v as f64);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            left + pw,
            left - 6.0,
            yy + 4.0,
            thousands(v)
        );
    }
    let tick =
        [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].into_iter().find(|&t| t * 10 >= u32::from(days)).unwrap_or(1000);
    for d in (0..u32::from(days)).step_by(tick as usize) {
        let xx = x(f64::from(d));
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{d}</text>"##,
            top + ph,
            top + ph + 5.0,
            top + ph + 18.0
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#333"/><line x1="{left}" y1="{top}" x2="{left}" y2="{:.1}" stroke="#333"/>"##,
        top + ph,
        left + pw,
        top + ph,
        top + ph
    );
    let _ = writeln!(s, r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">day</text>"#, left + pw / 2.0, h - 18.0);
    let _ = writeln!(
        s,
        r#"<text transform="translate(20 {:.1}) rotate(-90)" text-anchor="middle">red households</text>"#,
        top + ph / 2.0
    );
    for (k, o) in outcomes.iter().enumerate() {
        let colour = colours[k % colours.len()];
        let points: Vec<String> =
            o.red.iter().enumerate().map(|(d, &v)| format!("{:.1},{:.1}", x(d as f64), y(v as f64))).collect();
        let _ =
            writeln!(s, r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#, points.join(" "));
        let ly = top + 10.0 + 34.0 * k as f64;
        let lx = left + pw + 16.0;
        let _ = writeln!(
            s,
            r##"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="3"/><text x="{:.1}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" fill="#555">peak {} on day {}</text>"##,
            lx + 20.0,
            lx + 26.0,
            ly + 4.0,
            o.name,
            lx + 26.0,
            ly + 18.0,
            thousands(o.peak_red),
            o.peak_day
        );
    }
    s.push_str("</svg>\n");
    s
}

// ---------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------

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

fn simulate(o: &Options) -> Res<()> {
    let households = ((o.residents as f64 / MEAN_HOUSEHOLD).ceil() as u64).max(1);
    let households = u32::try_from(households).map_err(|_| "too many residents")?;
    let t = Instant::now();
    let city = CityShape::with_households(households).seed(o.seed).build()?;
    let residents = city.totals().persons;
    println!(
        "city: {} residents in {} households, {} communities (seed {}), built in {:.2} s",
        thousands(residents),
        thousands(city.totals().households),
        city.communities().len(),
        o.seed,
        t.elapsed().as_secs_f64()
    );
    let reg = city.into_registry();
    let layout = Layout::new(&reg)?;
    let seeds = ((residents as f64 * SEEDS_PER_MILLION / 1e6).round() as u32).max(1);
    println!("{} days from {START}, {seeds} first infections; policies for close contacts:", o.days);
    let policies =
        [Policy::seed_shanghai_2020(), Policy::cn_ed9_close_contact(), Policy::cn_20_measures_close_contact()];
    let mut outcomes = Vec::new();
    for policy in policies {
        let run = Run::new(&reg, &layout, policy, o.seed)?;
        outcomes.push(run.run(o.days, seeds, o.closed_from)?);
    }
    let table = table(&outcomes, residents, o.days);
    println!("\n{table}");
    for out in &outcomes {
        if out.refused > 0 {
            println!("note: {} of {} commands of `{}` were refused", out.refused, out.commands, out.name);
        }
    }
    let total: Duration = outcomes.iter().map(|o| o.total).sum();
    let wangge: Duration = outcomes.iter().map(|o| o.wangge).sum();
    let sim_days = f64::from(o.days) * outcomes.len() as f64;
    println!(
        "wall time per simulated day: {:.1} ms, of which wangge {:.1} ms ({:.0}%), the model {:.1} ms; wangge {:.1} ns per resident-day",
        total.as_secs_f64() * 1e3 / sim_days,
        wangge.as_secs_f64() * 1e3 / sim_days,
        wangge.as_secs_f64() / total.as_secs_f64().max(1e-9) * 100.0,
        (total - wangge).as_secs_f64() * 1e3 / sim_days,
        wangge.as_secs_f64() * 1e9 / (residents as f64 * sim_days)
    );
    let per_resident_day = |d: Duration| d.as_secs_f64() * 1e9 / (residents as f64 * sim_days);
    let part = |k: usize| outcomes.iter().map(|o| o.parts[k]).sum::<Duration>();
    println!(
        "wangge's parts, per resident-day: the daily step (OpenDay + agenda + roll-up read) {:.2} ns, state changes \
         (cases started, restarted, released; states set) {:.2} ns, readings (checks, tests) {:.2} ns",
        per_resident_day(part(STEP)),
        per_resident_day(part(CHANGES)),
        per_resident_day(part(READINGS))
    );
    println!(
        "(the model touches only the infected and their contacts, so its share is small; a simulator that steps \
         every agent spends 100-200 ns per person-day)"
    );
    std::fs::create_dir_all(&o.out).map_err(|e| format!("cannot create {}: {e}", o.out.display()))?;
    let write = |name: &str, text: &str| -> Res<PathBuf> {
        let path = o.out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    };
    let header = format!(
        "# Isolation policies compared\n\n{} residents, {} days from {START}, seed {}. Illustrative epidemic parameters \
         (examples/simulation.rs).\n\n",
        thousands(residents),
        o.days,
        o.seed
    );
    let md = write("wangge_simulation.md", &(header + &table))?;
    let csv = write("wangge_simulation.csv", &csv(&outcomes, o.days)?)?;
    let svg = write("wangge_simulation_red_households.svg", &svg(&outcomes, o.days, residents, o.seed))?;
    println!("table: {}\ndaily series: {}\nchart: {}", md.display(), csv.display(), svg.display());
    if o.residents < 10_000_000 {
        println!("(a city_10m-sized run: --residents 10000000, minutes and a few GB)");
    }
    Ok(())
}
