//! One run: the epidemic model and the host that manages it through the registry.

use std::collections::VecDeque;

use chrono::{Days, NaiveDate, NaiveDateTime};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{
    Layout, Management, Params, Sim, SimError, Whereabouts, contacts_under, discharge, is_centralised, whereabouts,
};
use crate::access::CompoundStatus;
use crate::colour::{Colour, Standing, State};
use crate::quarantine::{Category, Item, Temperature, TestResult};
use crate::{CaseId, Command, Event, PersonId, PolicyId, Registry};

/// One simulated day's figures, plain numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Day {
    /// New infections (the model's truth).
    pub new_infections: u64,
    /// Persons newly confirmed (what the management found).
    pub new_confirmed: u64,
    /// Red households 红色户 at the root's tally in the evening.
    pub red_households: u64,
    /// Persons under an open case in the evening.
    pub under_case: u64,
    /// Of them, in centralised isolation 集中隔离.
    pub centralised: u64,
    /// Of them, isolated at home 居家隔离 (or in another state a case gives).
    pub at_home: u64,
    /// The staff's workload 工作量: records the grid staff made that day (checks, tests, cases
    /// started and restarted, releases, states set, compound statuses), every command but the
    /// daily round `OpenDay`.
    pub staff_tasks: u64,
}

/// What one run of one management with one seed gave.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    /// The management's name.
    pub name: String,
    /// The run's seed.
    pub seed: u64,
    /// Infections, the first ones included.
    pub infections: u64,
    /// Persons confirmed.
    pub confirmed: u64,
    /// The most red households on a day, and the first day it was reached.
    pub peak_red: u64,
    /// The day of [`Outcome::peak_red`].
    pub peak_day: u16,
    /// Person-days in centralised isolation under a case.
    pub centralised_days: u64,
    /// Person-days isolated at home under a case.
    pub home_days: u64,
    /// Records the staff made (the sum of [`Day::staff_tasks`]).
    pub staff_tasks: u64,
    /// Cases started.
    pub cases_started: u64,
    /// Cases restarted by a new exposure.
    pub restarts: u64,
    /// Cases released.
    pub releases: u64,
    /// Items on the mornings' agendas.
    pub agenda_items: u64,
    /// Commands applied or refused.
    pub commands: u64,
    /// Commands refused (the model asked something the registry would not do).
    pub refused: u64,
    /// The days, in order.
    pub days: Vec<Day>,
}

impl Outcome {
    /// Person-days in isolation under a case, centralised and at home.
    pub fn isolation_days(&self) -> u64 {
        self.centralised_days + self.home_days
    }
}

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
}

const NO_CASE: u32 = u32::MAX;

/// A run in progress: the registry it manages, what it has read back, and the model's state.
/// Made by [`Sim::start`]; one [`Run::step`] a day; [`Run::finish`] gives the [`Outcome`].
#[derive(Debug)]
pub struct Run<'a> {
    reg: Registry,
    layout: &'a Layout,
    params: Params,
    policy: PolicyId,
    closed_from: Option<u16>,
    day: u16,
    rng: ChaCha8Rng,
    log: Vec<Event>,
    /// Mirrors of the registry, read back from events.
    state: Vec<Standing>,
    case_of: Vec<u32>,
    /// The day a person last went away (centralised isolation or hospital).
    away_since: Vec<u16>,
    listed: Vec<bool>,
    under_case: Vec<u32>,
    detected: Vec<bool>,
    /// Each courtyard's compound status today.
    status: Vec<CompoundStatus>,
    /// The model.
    infection: Vec<Infection>,
    exposed: Vec<u32>,
    infectious: Vec<u32>,
    /// Community contacts of the last `trace_days` days, both ways, sorted, with their day.
    contacts: VecDeque<(u16, Vec<(u32, u32)>)>,
    hospital: VecDeque<(u16, u32)>,
    discharged: VecDeque<(u16, u32)>,
    tasks_today: u64,
    out: Outcome,
}

impl<'a> Run<'a> {
    pub(super) fn new(sim: &'a Sim, management: &Management, params: &Params, seed: u64) -> Result<Run<'a>, SimError> {
        params.validate()?;
        let mut reg = sim.registry.clone();
        let start = params.start;
        let name = management.policy.name().to_owned();
        let policy = reg
            .apply(Command::AdoptPolicy { policy: management.policy.clone() })?
            .first()
            .and_then(Event::new_policy)
            .ok_or(SimError::NotAdopted { name })?;
        if let Some(rule) = &management.colour_rule {
            reg.apply(Command::SetColourRule { rule: rule.clone(), on: start })?;
        }
        let layout = &sim.layout;
        let n = layout.persons();
        let mut run = Run {
            reg,
            layout,
            params: params.clone(),
            policy,
            closed_from: management.closed_from,
            day: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            log: Vec::new(),
            state: vec![Standing::WELL; n],
            case_of: vec![NO_CASE; n],
            away_since: vec![0; n],
            listed: vec![false; n],
            under_case: Vec::new(),
            detected: vec![false; n],
            status: vec![CompoundStatus::Open; layout.courtyards.len()],
            infection: vec![Infection::NONE; n],
            exposed: Vec::new(),
            infectious: Vec::new(),
            contacts: VecDeque::new(),
            hospital: VecDeque::new(),
            discharged: VecDeque::new(),
            tasks_today: 0,
            out: Outcome { name: management.name.clone(), seed, ..Outcome::default() },
        };
        // The persons count fits in u32 (checked by the layout).
        let persons = n as u32;
        for _ in 0..params.first_infections(n as u64) {
            let p = run.rng.random_range(0..persons);
            if run.infection[p as usize].stage == Stage::Susceptible {
                run.infect(p, 0);
            }
        }
        Ok(run)
    }

    /// The registry as the management left it.
    pub fn registry(&self) -> &Registry {
        &self.reg
    }

    /// Days stepped so far.
    pub fn day(&self) -> u16 {
        self.day
    }

    /// Infections so far.
    pub fn infections(&self) -> u64 {
        self.out.infections
    }

    /// One day, managed: the morning's round and agenda, the model's day, then the day's
    /// management (tests, care, tracing, checks, releases, discharges) and the evening's tally.
    ///
    /// # Errors
    /// [`SimError::Calendar`] past the calendar or [`super::MAX_DAYS`], a registry read failing.
    pub fn step(&mut self) -> Result<Day, SimError> {
        let day = self.next_day()?;
        self.manage(day)?;
        self.day += 1;
        Ok(self.out.days.last().copied().unwrap_or_default())
    }

    /// One day of the model alone, with no management: nobody is confirmed, traced or
    /// isolated (the baseline of `benches/sim.rs`).
    ///
    /// # Errors
    /// [`SimError::Calendar`] past [`super::MAX_DAYS`].
    pub fn step_unmanaged(&mut self) -> Result<Day, SimError> {
        let day = self.next_day()?;
        let new_infections = self.epidemic_day(day);
        let today = Day { new_infections, ..Day::default() };
        self.out.days.push(today);
        self.day += 1;
        Ok(today)
    }

    /// The outcome so far.
    pub fn finish(self) -> Outcome {
        self.out
    }

    fn next_day(&self) -> Result<u16, SimError> {
        if self.day >= super::MAX_DAYS {
            return Err(SimError::Calendar { start: self.params.start, day: self.day });
        }
        Ok(self.day)
    }

    fn date(&self, day: u16) -> Result<NaiveDate, SimError> {
        self.params
            .start
            .checked_add_days(Days::new(u64::from(day)))
            .ok_or(SimError::Calendar { start: self.params.start, day })
    }

    fn at(&self, day: u16, hour: u32) -> Result<NaiveDateTime, SimError> {
        self.date(day)?.and_hms_opt(hour, 0, 0).ok_or(SimError::Calendar { start: self.params.start, day })
    }

    /// Apply a command and read its events back into the mirrors; a refused command is
    /// counted and returned as `false`.
    fn apply(&mut self, command: Command, day: u16) -> Result<bool, SimError> {
        let task = !matches!(command, Command::OpenDay { .. });
        self.log.clear();
        let applied = self.reg.apply_into(command, &mut self.log).is_ok();
        if applied {
            for i in 0..self.log.len() {
                self.read_back(i, day)?;
            }
            if task {
                self.tasks_today += 1;
            }
        } else {
            self.out.refused += 1;
        }
        self.out.commands += 1;
        Ok(applied)
    }

    fn read_back(&mut self, i: usize, day: u16) -> Result<(), SimError> {
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
            if whereabouts(to) == Whereabouts::Away && whereabouts(self.state[p]) != Whereabouts::Away {
                self.away_since[p] = day;
            }
            self.state[p] = to;
        }
        Ok(())
    }

    /// Infect `p` on `day`.
    fn infect(&mut self, p: u32, day: u16) {
        let latent = self.rng.random_range(self.params.latent.0..=self.params.latent.1);
        let symptomatic = self.rng.random_bool(self.params.symptomatic);
        self.infection[p as usize] = Infection { stage: Stage::Exposed, symptomatic, day, latent };
        self.exposed.push(p);
        self.out.infections += 1;
    }

    fn has_symptoms(&self, p: u32, day: u16) -> bool {
        let inf = &self.infection[p as usize];
        inf.stage == Stage::Infectious
            && inf.symptomatic
            && day >= inf.infectious_from() + self.params.presymptomatic_days
    }

    fn detectable(&self, p: u32, day: u16) -> bool {
        let inf = &self.infection[p as usize];
        match inf.stage {
            Stage::Exposed => day + 1 >= inf.infectious_from(),
            Stage::Infectious => true,
            _ => false,
        }
    }

    /// The model's day: progression, then household and community transmission by where
    /// everyone is this morning. Returns the new infections.
    fn epidemic_day(&mut self, day: u16) -> u64 {
        let before = self.out.infections;
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
            if day >= inf.infectious_from() + self.params.infectious_days {
                inf.stage = Stage::Recovered;
                self.infectious.swap_remove(k);
            } else {
                k += 1;
            }
        }
        let persons = self.layout.persons() as u32;
        let mut met: Vec<(u32, u32)> = Vec::new();
        let mut infected: Vec<u32> = Vec::new();
        for k in 0..self.infectious.len() {
            let i = self.infectious[k];
            let where_i = whereabouts(self.state[i as usize]);
            if where_i == Whereabouts::Away {
                continue;
            }
            let factor = if self.infection[i as usize].symptomatic { 1.0 } else { self.params.asymptomatic_factor };
            for &m in self.layout.group(0, i) {
                if m != i
                    && self.infection[m as usize].stage == Stage::Susceptible
                    && whereabouts(self.state[m as usize]) != Whereabouts::Away
                    && self.rng.random_bool(self.params.household_p * factor)
                {
                    infected.push(m);
                }
            }
            if where_i != Whereabouts::Free {
                continue;
            }
            let home = self.layout.of[0][i as usize];
            let courtyard = self.layout.of[2][i as usize] as usize;
            let contacts = contacts_under(&self.params, self.status[courtyard]);
            for (level, &n) in contacts.iter().enumerate() {
                for _ in 0..n {
                    let c = if level == 3 {
                        self.rng.random_range(0..persons)
                    } else {
                        let group = self.layout.group(level + 1, i);
                        // A group has at most `persons` members, so its length fits in u32;
                        // drawing on u32 keeps the stream the same on 32- and 64-bit targets.
                        group[self.rng.random_range(0..group.len() as u32) as usize]
                    };
                    if self.layout.of[0][c as usize] == home || whereabouts(self.state[c as usize]) != Whereabouts::Free
                    {
                        continue;
                    }
                    met.push((i, c));
                    met.push((c, i));
                    if self.infection[c as usize].stage == Stage::Susceptible
                        && self.rng.random_bool(self.params.community_p * factor)
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
        if self.contacts.len() >= usize::from(self.params.trace_days) {
            self.contacts.pop_front();
        }
        self.contacts.push_back((day, met));
        self.out.infections - before
    }

    /// A test result for `p` on `day`, as the model says.
    fn test(&mut self, p: u32, day: u16) -> TestResult {
        if self.detectable(p, day) && self.rng.random_bool(self.params.sensitivity) {
            TestResult::Positive
        } else {
            TestResult::Negative
        }
    }

    /// Confirm `p` (found by a test, a fever or at a clinic) and send them to hospital.
    fn confirm(&mut self, p: u32, day: u16, confirmed: &mut Vec<u32>) -> Result<(), SimError> {
        let person = PersonId::new(p);
        if self.state[p as usize].reason() != State::Confirmed {
            let on = self.date(day)?;
            self.apply(Command::SetState { person, state: State::Confirmed, on }, day)?;
        }
        if self.state[p as usize].reason() == State::Confirmed && !self.detected[p as usize] {
            self.detected[p as usize] = true;
            self.hospital.push_back((day + self.params.hospital_days, p));
            self.out.confirmed += 1;
            confirmed.push(p);
        }
        Ok(())
    }

    /// Closed management from its day: every compound's status set by command on that day,
    /// then read back from the registry each morning.
    fn compounds(&mut self, day: u16) -> Result<(), SimError> {
        let today = self.date(day)?;
        if self.closed_from == Some(day) {
            for k in 0..self.layout.courtyards.len() {
                let compound = self.layout.courtyards[k];
                let source = "simulation: closed management of every compound".to_owned();
                let command =
                    Command::SetCompoundStatus { compound, status: CompoundStatus::Closed, on: today, source };
                self.apply(command, day)?;
            }
        }
        if self.closed_from.is_some_and(|from| day >= from) {
            for (k, &compound) in self.layout.courtyards.iter().enumerate() {
                // A courtyard that is not a compound has no status: open.
                self.status[k] = self.reg.compound_status(compound, today).unwrap_or(CompoundStatus::Open);
            }
        }
        Ok(())
    }

    /// The management of one day, around the model's.
    fn manage(&mut self, day: u16) -> Result<(), SimError> {
        let today = self.date(day)?;
        self.tasks_today = 0;
        let confirmed_before = self.out.confirmed;
        self.apply(Command::OpenDay { today }, day)?;
        let agenda = self.reg.agenda(today);
        self.out.agenda_items += agenda.len() as u64;
        self.compounds(day)?;
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
            if self.has_symptoms(p, day)
                && self.case_of[p as usize] == NO_CASE
                && !self.detected[p as usize]
                && self.rng.random_bool(self.params.care_p)
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
        let mut last_day: Vec<u32> = releasing.iter().map(|&(_, p)| p).collect();
        last_day.sort_unstable();
        self.trace(&confirmed, day)?;
        let mut checked = 0;
        let normal = Temperature::from_tenths(365).map_err(crate::Error::from)?;
        let fever = Temperature::from_tenths(382).map_err(crate::Error::from)?;
        while checked < self.under_case.len() {
            let mut newly = Vec::new();
            let end = self.under_case.len();
            for k in checked..end {
                let p = self.under_case[k];
                if self.case_of[p as usize] == NO_CASE {
                    continue;
                }
                let hot = self.has_symptoms(p, day);
                let last = last_day.binary_search(&p).is_ok();
                let checks = if !last && self.rng.random_bool(self.params.miss_check_p) { 1 } else { 2 };
                for c in 0..checks {
                    let temperature = if hot { fever } else { normal };
                    let at = self.at(day, 8 + 12 * c)?;
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
            self.apply(discharge(PersonId::new(p), today), day)?;
            self.discharged.push_back((day + self.params.discharge_days, p));
        }
        while let Some(&(until, p)) = self.discharged.front() {
            if until > day {
                break;
            }
            self.discharged.pop_front();
            self.apply(Command::SetState { person: PersonId::new(p), state: State::Well, on: today }, day)?;
        }
        // The evening's roll-up read, and the day's counts.
        let red = self.reg.tally(self.layout.root)?.households(Colour::Red);
        let (case_of, listed) = (&self.case_of, &mut self.listed);
        self.under_case.retain(|&p| {
            let keep = case_of[p as usize] != NO_CASE;
            listed[p as usize] = keep;
            keep
        });
        let centralised = self.under_case.iter().filter(|&&p| is_centralised(self.state[p as usize])).count() as u64;
        let under_case = self.under_case.len() as u64;
        self.out.centralised_days += centralised;
        self.out.home_days += under_case - centralised;
        self.out.staff_tasks += self.tasks_today;
        if red > self.out.peak_red {
            (self.out.peak_red, self.out.peak_day) = (red, day);
        }
        self.out.days.push(Day {
            new_infections,
            // Found by tests, at clinics and by the checks' fevers alike.
            new_confirmed: self.out.confirmed - confirmed_before,
            red_households: red,
            under_case,
            centralised,
            at_home: under_case - centralised,
            staff_tasks: self.tasks_today,
        });
        Ok(())
    }

    /// Put the household and the traced community contacts of each of `cases` under the
    /// policy: a new case anchored on the last exposure, or a restart for someone under one.
    fn trace(&mut self, cases: &[u32], day: u16) -> Result<(), SimError> {
        let mut found: Vec<(u32, u16)> = Vec::new();
        for &c in cases {
            // The household was last exposed when the case was last at home.
            let home_day =
                if whereabouts(self.state[c as usize]) == Whereabouts::Away && self.away_since[c as usize] < day {
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
                    if self.rng.random_bool(self.params.trace_p) {
                        found.push((k, *met_on));
                    }
                }
            }
        }
        // The latest exposure of each person found.
        found.sort_unstable_by_key(|&(p, d)| (p, std::cmp::Reverse(d)));
        found.dedup_by_key(|&mut (p, _)| p);
        let today = self.date(day)?;
        for (p, exposed) in found {
            if self.detected[p as usize]
                || matches!(self.state[p as usize].reason(), State::Suspected | State::Confirmed)
            {
                continue;
            }
            let person = PersonId::new(p);
            let anchor = self.date(exposed)?;
            let case = self.case_of[p as usize];
            if case == NO_CASE {
                let period_over =
                    self.reg.policy(self.policy)?.schedule(anchor).map_err(crate::Error::from)?.release() < today;
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
}
