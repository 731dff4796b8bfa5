//! # Simulation 模拟: management policies as an epidemic model's input
//!
//! A seeded household transmission model (SEIR) whose contacts follow the registry's
//! structure (household 户, building 楼栋, courtyard 楼院, community 社区), managed by wangge
//! **only through [`Command`]s and reads**, so that the management policies are the
//! experiment's variables: the isolation [`Policy`] for close contacts, the [`ColourRule`]
//! that paints the households, and closed management 封闭式管理 of the compounds from a day
//! ([`Command::SetCompoundStatus`]). A [`Management`] names one such choice; a [`Study`] runs
//! several over many seeds in parallel threads and summarises each with 95% confidence
//! intervals. Pure: no I/O, no clock (the host times what it likes); threads only through
//! [`std::thread::scope`].
//!
//! **Same seed, same output, on every platform.** Each run draws from its own ChaCha8
//! generator seeded by the run's seed (the same seed under every management: the same first
//! infections, common random numbers); every draw of a range is on `u32`, never `usize`; no
//! hash map is iterated; results are placed by the run's index, not by the order threads
//! finish, so they do not depend on the number of threads either (`tests/sim.rs` checks both).
//!
//! Parameters and results are plain structs of numbers with public fields, and serde (JSON)
//! both ways, for hosts and the Python package.
//!
//! ## The model (illustrative parameters, see [`Params`])
//! Each person is susceptible, exposed (latent 2–4 days), infectious (8 days: 2 before symptom
//! onset, 6 after; 30% never show symptoms and are half as infectious) or recovered; one step a
//! day. An infectious person infects each susceptible member of their household with
//! probability 4% a day, unless either is away (centralised isolation or hospital); a person
//! free in the community also meets 10 people a day (4 in their building, 3 in their courtyard,
//! 2 in their community, 1 anywhere), none of whom is isolated, and infects a susceptible one
//! with probability 4.25%. Under closed management (their compound's status in the registry is
//! [`CompoundStatus::Closed`] that day) they meet 4 of their building and 1 of their courtyard;
//! sealed 封控, no one outside their household. Twenty persons per million are infected on day
//! 0. The parameters are chosen to put the outbreak near the edge of control, where policies
//! differ; they are not fitted to data (`docs/policy_study.md` gives their sources where they
//! have one).
//!
//! ## What wangge does each day
//! `OpenDay` and [`Registry::agenda`]; the tests due are taken ([`Command::RecordTest`], 90%
//! sensitivity); everyone under an open case reports two temperature checks
//! ([`Command::RecordCheck`], 1% miss one); a fever escalates to a suspected case, then a
//! confirmed one ([`Command::SetState`]); a free person with symptoms seeks care with
//! probability 30% a day and is confirmed. A confirmed person's household and 80% of the
//! people they met in the last 4 days are put under the policy ([`Command::StartCase`], or
//! [`Command::Exposed`] for someone under a case already); releases due are released
//! ([`Command::Release`]); the confirmed stay 14 days in hospital, then 14 in centralised
//! isolation after discharge, then go home well. The tally at the root gives the red
//! households 红色户 each evening.
//!
//! ## Example
//! ```
//! use wangge::sim::{Management, Sim, Study};
//! use wangge::synth::CityShape;
//!
//! let sim = Sim::from_shape(&CityShape::small())?;
//! let study = Study::new(Management::presets(Some(30))).seeds(1..=3).days(40).threads(2);
//! let result = study.run(&sim)?;
//! assert_eq!(result.arms.len(), 3);
//! assert_eq!(result.arms[0].runs.len(), 3);
//! let first = &result.arms[0].summary.infections;
//! assert!(first.low <= first.mean && first.mean <= first.high);
//! // The same study again gives the same figures, on any number of threads.
//! assert_eq!(study.threads(1).run(&sim)?, result);
//! assert!(result.table().contains("seed_shanghai_2020"));
//! # Ok::<(), wangge::sim::SimError>(())
//! ```

mod report;
mod run;
mod study;

pub use run::{Day, Outcome, Run};
pub use study::{ArmResult, Interval, Study, StudyResult, Summary, t_975};

use chrono::NaiveDate;
use thiserror::Error;

use crate::access::CompoundStatus;
use crate::colour::{ColourRule, Measure, Standing, State};
use crate::quarantine::Policy;
use crate::synth::CityShape;
use crate::{Command, PersonId, Registry, UnitId};

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SimError {
    /// A registry read failed (the registry is not shaped as the model expects).
    #[error(transparent)]
    Registry(#[from] crate::Error),
    /// A synthetic city could not be built.
    #[error(transparent)]
    Shape(#[from] crate::synth::ShapeError),
    /// The city has no residents.
    #[error("the city has no residents: nothing to simulate")]
    EmptyCity,
    /// The persons are not numbered 0, 1, 2 ... in the population's order.
    #[error("person {found} is at position {position} of the population: the model wants dense person ids")]
    SparsePersons {
        /// Its position in the population.
        position: usize,
        /// The person's index.
        found: usize,
    },
    /// A parameter is out of its range.
    #[error("parameter {name} is {value}, expected {expected}")]
    Parameter {
        /// The parameter's name.
        name: &'static str,
        /// Its value, printed.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// A day of the run falls outside the calendar.
    #[error("day {day} after {start} is past the calendar")]
    Calendar {
        /// The start date.
        start: NaiveDate,
        /// The day.
        day: u16,
    },
    /// The adopted policy gave no id back (a registry that does not report its events).
    #[error("the policy {name:?} was not adopted")]
    NotAdopted {
        /// The policy's name.
        name: String,
    },
    /// A study has nothing to run: no management or no seed.
    #[error("the study has no {what}")]
    EmptyStudy {
        /// `"management"` or `"seed"`.
        what: &'static str,
    },
    /// A worker thread stopped without a result (it panicked).
    #[error("a worker thread of the study stopped without a result")]
    Worker,
}

impl SimError {
    /// A stable code for the error, `sim.*`, or the registry's own code for a registry error
    /// (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            SimError::Registry(e) => e.code(),
            SimError::Shape(_) => "sim.shape",
            SimError::EmptyCity => "sim.empty_city",
            SimError::SparsePersons { .. } => "sim.sparse_persons",
            SimError::Parameter { .. } => "sim.parameter",
            SimError::Calendar { .. } => "sim.calendar",
            SimError::NotAdopted { .. } => "sim.not_adopted",
            SimError::EmptyStudy { .. } => "sim.empty_study",
            SimError::Worker => "sim.worker",
        }
    }
}

/// The model's parameters: plain numbers, public fields, [`Params::default`] the values of the
/// module docs. Checked by [`Params::validate`] before a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    /// Day 0 of the simulation (default 2020-02-01).
    pub start: NaiveDate,
    /// Infections on day 0 per million residents, at least one (default 20).
    pub seeds_per_million: f64,
    /// Latent days, drawn uniformly from `latent.0..=latent.1` (default 2 to 4).
    pub latent: (u16, u16),
    /// Infectious days (default 8).
    pub infectious_days: u16,
    /// Of the infectious days, those before symptom onset (default 2).
    pub presymptomatic_days: u16,
    /// Share of infections with symptoms (default 0.7).
    pub symptomatic: f64,
    /// Relative infectiousness of an infection without symptoms (default 0.5).
    pub asymptomatic_factor: f64,
    /// Daily probability that an infectious person infects a susceptible household member
    /// (default 0.04).
    pub household_p: f64,
    /// Community contacts a day of a free person: in the building, courtyard, community, city
    /// (default 4, 3, 2, 1).
    pub contacts: [u32; 4],
    /// The same when their compound is under closed management 封闭式管理 (default 4, 1, 0,
    /// 0: the building's neighbours and one person of the courtyard).
    pub closed_contacts: [u32; 4],
    /// Probability that a community contact with an infectious person infects (default 0.0425).
    pub community_p: f64,
    /// Daily probability that a free person with symptoms seeks care and is confirmed
    /// (default 0.3).
    pub care_p: f64,
    /// Share of community contacts that tracing finds (default 0.8).
    pub trace_p: f64,
    /// Days tracing looks back, today included (default 4).
    pub trace_days: u16,
    /// Test sensitivity, from the last latent day on (default 0.9).
    pub sensitivity: f64,
    /// Share of persons under a case who miss one of the day's two checks (default 0.01).
    pub miss_check_p: f64,
    /// Days in hospital once confirmed (default 14).
    pub hospital_days: u16,
    /// Days in centralised isolation after discharge (default 14; CN, April 2020).
    pub discharge_days: u16,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            start: NaiveDate::from_ymd_opt(2020, 2, 1).unwrap_or(NaiveDate::MIN),
            seeds_per_million: 20.0,
            latent: (2, 4),
            infectious_days: 8,
            presymptomatic_days: 2,
            symptomatic: 0.7,
            asymptomatic_factor: 0.5,
            household_p: 0.04,
            contacts: [4, 3, 2, 1],
            closed_contacts: [4, 1, 0, 0],
            community_p: 0.0425,
            care_p: 0.3,
            trace_p: 0.8,
            trace_days: 4,
            sensitivity: 0.9,
            miss_check_p: 0.01,
            hospital_days: 14,
            discharge_days: 14,
        }
    }
}

/// The longest run, in days.
pub const MAX_DAYS: u16 = 3650;
/// The longest duration parameter (latent, infectious, hospital, discharge, trace days).
const MAX_SPAN: u16 = 365;

impl Params {
    /// The first parameter out of its range.
    ///
    /// # Errors
    /// [`SimError::Parameter`] naming it: a probability outside 0 to 1 (or not a number), a
    /// latent range upside down or starting at 0, a span over 365 days, no infectious day, more
    /// presymptomatic days than infectious ones, more than 1,000 contacts a day at a level, or
    /// seeds per million outside 0 to 1,000,000.
    pub fn validate(&self) -> Result<(), SimError> {
        let bad = |name, value: String, expected| Err(SimError::Parameter { name, value, expected });
        for (name, p) in [
            ("symptomatic", self.symptomatic),
            ("asymptomatic_factor", self.asymptomatic_factor),
            ("household_p", self.household_p),
            ("community_p", self.community_p),
            ("care_p", self.care_p),
            ("trace_p", self.trace_p),
            ("sensitivity", self.sensitivity),
            ("miss_check_p", self.miss_check_p),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return bad(name, p.to_string(), "a probability, 0 to 1");
            }
        }
        if !(0.0..=1e6).contains(&self.seeds_per_million) {
            return bad("seeds_per_million", self.seeds_per_million.to_string(), "0 to 1,000,000");
        }
        let (lo, hi) = self.latent;
        if lo == 0 || lo > hi || hi > MAX_SPAN {
            return bad("latent", format!("{lo}..={hi}"), "1 <= low <= high <= 365");
        }
        for (name, d) in [
            ("infectious_days", self.infectious_days),
            ("hospital_days", self.hospital_days),
            ("discharge_days", self.discharge_days),
            ("trace_days", self.trace_days),
        ] {
            if d == 0 || d > MAX_SPAN {
                return bad(name, d.to_string(), "1 to 365 days");
            }
        }
        if self.presymptomatic_days > self.infectious_days {
            return bad("presymptomatic_days", self.presymptomatic_days.to_string(), "at most infectious_days");
        }
        for (name, c) in [("contacts", self.contacts), ("closed_contacts", self.closed_contacts)] {
            if c.iter().any(|&n| n > 1000) {
                return bad(name, format!("{c:?}"), "at most 1,000 a level");
            }
        }
        Ok(())
    }

    /// The first infections for `residents` (at least one).
    pub fn first_infections(&self, residents: u64) -> u32 {
        // Both factors are bounded (residents ≤ u32::MAX, seeds per million ≤ 10^6), so the
        // product is a finite number that the saturating cast keeps.
        ((residents as f64 * self.seeds_per_million / 1e6).round() as u32).max(1)
    }
}

/// One management choice, the experiment's variable: the isolation policy for close contacts
/// 密接隔离, the colour rule 四级五色 and closed management 封闭式管理 of every compound from
/// a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Management {
    /// Its name in the results (default the policy's).
    pub name: String,
    /// The isolation policy for close contacts (a preset or a host's own).
    pub policy: Policy,
    /// The colour rule, if not the registry's default (seed 003's).
    pub colour_rule: Option<ColourRule>,
    /// The day every compound goes under closed management, if any.
    pub closed_from: Option<u16>,
}

impl Management {
    /// A policy, named after it, with the default colour rule and no closed management.
    pub fn new(policy: Policy) -> Self {
        Management { name: policy.name().to_owned(), policy, colour_rule: None, closed_from: None }
    }

    /// The same with another name.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The same with a colour rule.
    pub fn colour_rule(mut self, rule: ColourRule) -> Self {
        self.colour_rule = Some(rule);
        self
    }

    /// The same with closed management from `day` (`None`: never).
    pub fn closed_from(mut self, day: Option<u16>) -> Self {
        self.closed_from = day;
        self
    }

    /// The three policies of issue 19 §3, each with closed management from `closed_from`:
    /// seed 001's 14 days at home ([`Policy::seed_shanghai_2020`]), CN edition 9's 7 days
    /// centralised + 3 at home ([`Policy::cn_ed9_close_contact`]) and the 20 measures' 5 + 3
    /// ([`Policy::cn_20_measures_close_contact`]).
    pub fn presets(closed_from: Option<u16>) -> Vec<Management> {
        [Policy::seed_shanghai_2020(), Policy::cn_ed9_close_contact(), Policy::cn_20_measures_close_contact()]
            .into_iter()
            .map(|p| Management::new(p).closed_from(closed_from))
            .collect()
    }
}

/// A city prepared for simulation: its registry before the epidemic, and its persons grouped by
/// household, building, courtyard and community for drawing contacts.
#[derive(Debug, Clone)]
pub struct Sim {
    registry: Registry,
    layout: Layout,
}

impl Sim {
    /// Prepare `registry` (households at buildings, under courtyards, under communities, as
    /// [`crate::synth`] builds them; a shallower tree repeats its top level).
    ///
    /// # Errors
    /// [`SimError::EmptyCity`] without residents, [`SimError::SparsePersons`] when the persons
    /// are not numbered densely in order, a registry error for a broken tree.
    ///
    /// # Complexity
    /// O(persons × depth).
    pub fn new(registry: Registry) -> Result<Sim, SimError> {
        let layout = Layout::new(&registry)?;
        Ok(Sim { registry, layout })
    }

    /// Build the synthetic city of `shape` and prepare it.
    ///
    /// # Errors
    /// The shape's error, or [`Sim::new`]'s.
    pub fn from_shape(shape: &CityShape) -> Result<Sim, SimError> {
        Sim::new(shape.build()?.into_registry())
    }

    /// The registry before the epidemic.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Residents.
    pub fn residents(&self) -> u64 {
        self.layout.persons() as u64
    }

    /// Households.
    pub fn households(&self) -> u64 {
        self.registry.population().household_count() as u64
    }

    /// Start a run of `management` with `seed`: the registry cloned, the policy adopted, the
    /// colour rule set, the first infections drawn. Step it with [`Run::step`].
    ///
    /// # Errors
    /// A parameter out of range, or a policy or colour rule the registry refuses.
    pub fn start(&self, management: &Management, params: &Params, seed: u64) -> Result<Run<'_>, SimError> {
        Run::new(self, management, params, seed)
    }

    /// Run `management` with `seed` for `days` days.
    ///
    /// # Errors
    /// [`Sim::start`]'s, a day count over [`MAX_DAYS`], or a registry read failing on the way.
    pub fn run(&self, management: &Management, params: &Params, seed: u64, days: u16) -> Result<Outcome, SimError> {
        check_days(days)?;
        let mut run = self.start(management, params, seed)?;
        for _ in 0..days {
            run.step()?;
        }
        Ok(run.finish())
    }
}

fn check_days(days: u16) -> Result<(), SimError> {
    if days > MAX_DAYS {
        return Err(SimError::Parameter { name: "days", value: days.to_string(), expected: "0 to 3650" });
    }
    Ok(())
}

/// The persons grouped for drawing contacts.
#[derive(Debug, Clone)]
struct Layout {
    /// Each person's household, building, courtyard and community (dense indexes).
    of: [Vec<u32>; 4],
    /// For each grouping: the persons in group order, and where each group starts.
    members: [Vec<u32>; 4],
    starts: [Vec<u32>; 4],
    /// The courtyard (compound) of each dense courtyard index.
    courtyards: Vec<UnitId>,
    root: UnitId,
}

impl Layout {
    fn new(reg: &Registry) -> Result<Layout, SimError> {
        let persons = reg.population().person_count();
        if persons == 0 {
            return Err(SimError::EmptyCity);
        }
        if u32::try_from(persons).is_err() {
            return Err(SimError::Parameter {
                name: "residents",
                value: persons.to_string(),
                expected: "fewer than 2^32",
            });
        }
        let tree = reg.tree();
        let mut dense = [vec![u32::MAX; tree.len()], vec![u32::MAX; tree.len()], vec![u32::MAX; tree.len()]];
        let mut counts = [0u32; 3];
        let mut courtyards = Vec::new();
        let mut of: [Vec<u32>; 4] = std::array::from_fn(|_| Vec::with_capacity(persons));
        for (position, (id, person)) in reg.population().persons().enumerate() {
            if id.index() != position {
                return Err(SimError::SparsePersons { position, found: id.index() });
            }
            let h = person.household();
            let mut unit = reg.household(h)?.unit();
            of[0].push(h.get());
            for level in 0..3 {
                let slot = &mut dense[level][unit.index()];
                if *slot == u32::MAX {
                    *slot = counts[level];
                    counts[level] += 1;
                    if level == 1 {
                        courtyards.push(unit);
                    }
                }
                of[level + 1].push(*slot);
                unit = tree.parent(unit).map_err(crate::Error::from)?.unwrap_or(unit);
            }
        }
        // Households by their ids' index (dense in a registry, but a gap would only leave a
        // group empty, never index out of bounds).
        let households = of[0].iter().copied().max().map_or(0, |h| h + 1);
        let groups = [households, counts[0], counts[1], counts[2]];
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
        Ok(Layout { of, members, starts, courtyards, root: reg.root() })
    }

    /// The persons of `person`'s group at `level` (0 household, 1 building, 2 courtyard,
    /// 3 community); never empty, `person` is in it.
    fn group(&self, level: usize, person: u32) -> &[u32] {
        let g = self.of[level][person as usize] as usize;
        &self.members[level][self.starts[level][g] as usize..self.starts[level][g + 1] as usize]
    }

    fn persons(&self) -> usize {
        self.of[0].len()
    }
}

/// Where a person is, for contacts: free, isolated at home (meets only the household) or away
/// (centralised isolation, hospital: meets no one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Whereabouts {
    Free,
    Home,
    Away,
}

// Where a person is, from their standing (format 7: centralised isolation is a measure, kept
// apart from the reason a person is held).

/// Where a person with `standing` is: away at a site or in hospital, isolated at home, or free.
fn whereabouts(standing: Standing) -> Whereabouts {
    match (standing.measure(), standing.reason()) {
        (Measure::CentralisedIsolation, _) | (_, State::Suspected | State::Confirmed) => Whereabouts::Away,
        (_, State::Well | State::Absent) => Whereabouts::Free,
        _ => Whereabouts::Home,
    }
}

/// Whether a person under a case with `standing` counts as in centralised isolation.
fn is_centralised(standing: Standing) -> bool {
    standing.measure() == Measure::CentralisedIsolation
}

/// The command that sends a discharged patient into centralised isolation after discharge: a
/// measure, their reason kept.
fn discharge(person: PersonId, on: NaiveDate) -> Command {
    Command::SetMeasure { person, measure: Measure::CentralisedIsolation, on }
}

/// The contacts a day at each level for a compound's status.
fn contacts_under(params: &Params, status: CompoundStatus) -> [u32; 4] {
    match status {
        CompoundStatus::Open => params.contacts,
        CompoundStatus::Closed => params.closed_contacts,
        CompoundStatus::Sealed => [0; 4],
    }
}
