//! Property tests of isolation cases 隔离个案 in the registry, against a deliberately naive model
//! written here from the rules (`Command::StartCase` .. `Command::OpenDay`, `Case`, `Item`), not
//! from the registry's code: no indexes, every question answered by scanning every case.
//!
//! What the file shows:
//!
//! - **Random command sequences.** A small city (a street, two communities, two courtyards, 3–5
//!   households, 6–12 persons registered present and well on 2020-01-20) adopts eight policies
//!   (the seed's, a day-one variant of it, ed.8 and ed.9 close and secondary contacts, the
//!   20 measures' close contacts, the US CDC's 2020 contacts) and goes through up to
//!   [`MAX_OPS`] operations: cases started (any category, anchor and start date, now and then
//!   linked to a close contact's case; secondary contacts linked to close contacts' cases),
//!   new exposures, checks (mostly normal, sometimes a fever or symptoms), tests (mostly
//!   negative; now and then a close contact's positive one), releases (on the day, on the
//!   release date, the day before it), the grid worker's routine (every check and test due on
//!   the last few days), the daily round on a date that moves forward over up to about forty
//!   days (day by day after a routine, or skipping days), and the occasional move or change of
//!   state by hand. An operation is one command, a routine or a walk of days several: a
//!   sequence is some tens to a few hundred commands, many of them refused. The model
//!   predicts, for every command, whether it is accepted and the exact events it becomes (ids,
//!   dates, changes of state and household colours); the registry must agree, and a refused
//!   command leaves it equal to its clone from before.
//! - **After every step**, from the model and [`Policy::schedule`] only: every case's fields,
//!   status and day records; every person's state; the agenda of yesterday, today, tomorrow
//!   and a random date, item for item, equals a brute-force scan of all cases (and
//!   `agenda_within` of a random unit the scan filtered by the unit tree); a release is never
//!   before the schedule's release date nor before the policy's minimum (the anchor + its
//!   days, one less when the anchor counts as day 1); a restart never moves a release
//!   earlier; a case ends at most once (one release or escalation event, its status frozen
//!   from then on); colours follow cases (each household's colour is the colour rule's
//!   classification of its members' states, read from scratch; each active case's person is in
//!   the state its category has on the date it was last settled; a released person is present
//!   and well); the audit is empty.
//! - **At the end of each sequence** the log replays into an equal registry, through JSON too,
//!   and the snapshot, through JSON, loads into an equal registry.
//! - **Tampered logs.** Every case event of random logs, altered (wrong colour changes or a
//!   change of state dated otherwise or left out, a release before the release date, a flag
//!   with other reasons or a release in its place, a phase entered on the wrong date, a fever
//!   without its escalation, a test result flipped, a restart that is not later, a conversion
//!   under another policy) or applied twice, is refused and changes nothing; a log with one of
//!   them replays to an error naming that event.
//! - **Scenarios**: missed checks on the agenda, a restart moving the release later, a linked
//!   secondary contact flagged while the close contact's tests are pending and converted when
//!   they test positive; a late restart refused and a conversion by an earlier sample, both
//!   leaving a registry that loads its own snapshot.

#[path = "support/proptest_config.rs"]
mod proptest_config;
#[path = "support/standing_model.rs"]
mod standing_model;
use standing_model::*;

use std::collections::BTreeMap;

#[path = "support/case_record.rs"]
mod case_record;
use case_record::MCase;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use proptest::prelude::*;
use wangge::colour::{Colour, Measure, PersonState, Standing, State};
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::quarantine::{
    AgendaItem, CaseError, CaseStatus, Category, DayCounting, Ending, Item, Link, Policy, ReviewReason, Schedule,
    Setting, Temperature, TestResult,
};
use wangge::registry::{Recolour, StateChange};
use wangge::{
    CaseId, Command, Error, Event, HouseholdId, PersonId, PolicyId, Registry, RegistryError, Snapshot, UnitId,
};

/// The longest sequence of operations after the city is built.
const MAX_OPS: usize = 60;

// ---------------------------------------------------------------------------------------------
// The rules, written out independently
// ---------------------------------------------------------------------------------------------

/// The day the city's persons are registered, present and well.
fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 20).expect("a real date")
}

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + TimeDelta::days(days)
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).expect("a real time")
}

/// The policies every city adopts, in id order.
fn policies() -> Vec<Policy> {
    let day_one = Policy::seed_shanghai_2020()
        .to_builder()
        .name("seed_day_one")
        .counting(DayCounting::AnchorIsDayOne)
        .build()
        .expect("a valid variant");
    vec![
        Policy::seed_shanghai_2020(),
        Policy::cn_ed9_close_contact(),
        Policy::cn_ed9_secondary_contact(),
        Policy::cn_ed8_close_contact(),
        Policy::us_cdc_2020_contact(),
        Policy::cn_20_measures_close_contact(),
        Policy::cn_ed8_secondary_contact(),
        day_one,
    ]
}

/// Indexes into [`policies`] of the policies with a linked release.
const SECONDARY_POLICIES: [usize; 2] = [2, 6];

/// Indexes into [`policies`] of the close contacts' policies.
const CLOSE_POLICIES: [usize; 3] = [1, 3, 5];

/// A reason under no measure (a release, an escalation).
fn plain(reason: State) -> Naive {
    (reason, Measure::None)
}

/// Seed 003 by reason (the registry's default rule, `StandingRule::zhengzhou_2020`): well
/// green, absent white, elsewhere yellow, epidemic area and secondary contacts orange, close
/// contacts and cases red, whatever the measure.
fn colour_of(s: Naive) -> Colour {
    match s.0 {
        State::Well => Colour::Green,
        State::Absent => Colour::White,
        State::HomeIsolationElsewhere => Colour::Yellow,
        State::HomeIsolationEpidemicArea | State::SecondaryContact => Colour::Orange,
        _ => Colour::Red,
    }
}

fn severity(c: Colour) -> u8 {
    match c {
        Colour::White => 0,
        Colour::Green => 1,
        Colour::Yellow => 2,
        Colour::Orange => 3,
        Colour::Red => 4,
    }
}

/// A household's colour: its most severe member's, white with no member.
fn classify(states: impl IntoIterator<Item = Naive>) -> Colour {
    states.into_iter().map(colour_of).fold(Colour::White, |a, b| if severity(b) > severity(a) { b } else { a })
}

/// The standing of someone of `category` in a phase of `setting`: the category's reason under
/// the setting's measure.
fn state_in(category: Category, setting: Setting) -> Naive {
    let reason = match category {
        Category::CloseContact => State::CloseContact,
        Category::SecondaryContact => State::SecondaryContact,
        Category::ArrivalFromElsewhere => State::HomeIsolationElsewhere,
        Category::ArrivalFromEpidemicArea | Category::Inbound | Category::RiskAreaTraveller => {
            State::HomeIsolationEpidemicArea
        }
    };
    let measure = match setting {
        Setting::CentralisedIsolation => Measure::CentralisedIsolation,
        Setting::HomeIsolation | Setting::HomeMedicalObservation => Measure::HomeIsolation,
        Setting::HomeHealthMonitoring => Measure::HealthManagement,
    };
    (reason, measure)
}

/// The standing on `date`: the phase it falls in; before the first, the first; after the
/// last, the last.
fn state_on(schedule: &Schedule, category: Category, date: NaiveDate) -> Naive {
    let phases = schedule.phases();
    let phase = phases
        .iter()
        .find(|p| p.first() <= date && date <= p.last())
        .or_else(|| if date < phases[0].first() { phases.first() } else { phases.last() })
        .expect("a schedule has phases");
    state_in(category, phase.setting())
}

/// The first date after `after` on which the state changes.
fn next_change(schedule: &Schedule, category: Category, after: NaiveDate) -> Option<NaiveDate> {
    let now = state_on(schedule, category, after);
    schedule.phases().iter().find(|p| p.first() > after && state_in(category, p.setting()) != now).map(|p| p.first())
}

/// The agenda's order of kinds.
fn rank(item: &Item) -> u8 {
    match item {
        Item::Released => 0,
        Item::Escalated { .. } => 1,
        Item::Review { .. } => 2,
        Item::ReleaseDue { .. } => 3,
        Item::TestDue => 4,
        Item::MissedChecks { .. } => 5,
        Item::Monitoring { .. } => 6,
    }
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct MPerson {
    household: usize,
    state: Naive,
    since: NaiveDate,
}

/// The city and its cases as the rules say they must be.
#[derive(Debug, Clone)]
struct Model {
    policies: Vec<Policy>,
    /// Each unit's parent.
    parents: Vec<Option<usize>>,
    /// Each household's unit.
    households: Vec<usize>,
    persons: Vec<MPerson>,
    cases: Vec<MCase>,
    /// The business date: the last day opened.
    day: Option<NaiveDate>,
}

impl Model {
    fn schedule(&self, case: usize) -> Schedule {
        let c = &self.cases[case];
        self.policies[c.policy].schedule(c.anchor).expect("dates of 2020")
    }

    fn active_case(&self, person: usize) -> Option<usize> {
        self.cases.iter().position(|c| c.person == person && c.active())
    }

    /// The standing (reason, measure) a person has: the model keeps it.
    fn standing(&self, person: usize) -> Naive {
        self.persons[person].state
    }

    fn members(&self, household: usize) -> Vec<usize> {
        (0..self.persons.len()).filter(|&p| self.persons[p].household == household).collect()
    }

    fn colour(&self, household: usize) -> Colour {
        classify(self.members(household).into_iter().map(|p| self.persons[p].state))
    }

    fn within(&self, mut unit: usize, area: usize) -> bool {
        loop {
            if unit == area {
                return true;
            }
            match self.parents[unit] {
                Some(parent) => unit = parent,
                None => return false,
            }
        }
    }

    /// The change of `person` into `to` on `date`: `Some(None)` when they are in it already,
    /// `None` when it is refused. Unless `strict`, a date before their state began is moved up.
    fn change(&self, person: usize, to: Naive, date: NaiveDate, strict: bool) -> Option<Option<StateChange>> {
        let p = &self.persons[person];
        if p.state == to {
            return Some(None);
        }
        if !allowed(p.state, to) {
            return None;
        }
        let date = if strict { date } else { date.max(p.since) };
        if date < p.since {
            return None;
        }
        let before = self.colour(p.household);
        let after = classify(
            self.members(p.household).into_iter().map(|m| if m == person { to } else { self.persons[m].state }),
        );
        let recolours = if before == after {
            Vec::new()
        } else {
            vec![Recolour { household: HouseholdId::new(p.household as u32), from: before, to: after }]
        };
        Some(Some(StateChange { from: person_state(p.state, p.since), to: person_state(to, date), recolours }))
    }

    fn apply_change(&mut self, person: usize, change: Option<&StateChange>) {
        if let Some(c) = change {
            self.persons[person].state = (c.to.state(), c.to.measure());
            self.persons[person].since = c.to.since();
        }
    }

    /// What keeps `case` from being released.
    fn blockers(&self, case: usize) -> Vec<ReviewReason> {
        let c = &self.cases[case];
        let policy = &self.policies[c.policy];
        let schedule = self.schedule(case);
        let mut out = Vec::new();
        if policy.ending() == Ending::AfterCleanLastCheck {
            let last = schedule.last_day();
            let r = c.day(last);
            if r.checks == 0 {
                out.push(ReviewReason::NoLastDayCheck);
            }
            if r.symptoms {
                out.push(ReviewReason::SymptomsOnLastDay);
            }
            if schedule.test_days().any(|d| d == last) && r.test != Some(TestResult::Negative) {
                out.push(ReviewReason::NoLastDayTest);
            }
        }
        if let (Some(rule), Some(close)) = (policy.linked(), c.linked) {
            let wanted = usize::from(rule.first_tests());
            let tests = self.cases[close].tests();
            let negatives = tests.iter().take(wanted).filter(|(_, t)| *t == TestResult::Negative).count();
            if negatives < wanted {
                out.push(ReviewReason::LinkedTestsPending);
            }
        }
        out
    }

    /// The release of `case` on `on`, or its flag on `flag_on`; `None` when refused.
    fn release_or_flag(&mut self, case: usize, on: NaiveDate, flag_on: NaiveDate) -> Option<Event> {
        let reasons = self.blockers(case);
        let id = CaseId::new(case as u32);
        if reasons.is_empty() {
            let person = self.cases[case].person;
            let change = self.change(person, plain(State::Well), on, false)??;
            self.apply_change(person, Some(&change));
            self.cases[case].status = CaseStatus::Released { on };
            return Some(Event::CaseReleased { case: id, on, change });
        }
        if self.cases[case].status != CaseStatus::Open {
            return None;
        }
        self.cases[case].status = CaseStatus::Review { since: flag_on, reasons: reasons.clone() };
        Some(Event::CaseFlagged { case: id, on: flag_on, reasons })
    }

    /// The daily round of `today`, from the model as the day begins: phases entered (by the
    /// date of the change, then case), then releases and flags (by release date, then case).
    fn round(&mut self, today: NaiveDate, events: &mut Vec<Event>) -> Option<()> {
        let before = self.clone();
        let mut phases: Vec<(NaiveDate, usize)> = (0..before.cases.len())
            .filter(|&i| before.cases[i].status == CaseStatus::Open)
            .filter_map(|i| {
                let c = &before.cases[i];
                next_change(&before.schedule(i), c.category, c.settled).map(|d| (d, i))
            })
            .filter(|&(d, _)| d <= today)
            .collect();
        phases.sort();
        for (_, i) in phases {
            let schedule = self.schedule(i);
            let (index, phase) =
                schedule.phases().iter().enumerate().rfind(|(_, p)| p.first() <= today).expect("a change is due");
            let c = &self.cases[i];
            let person = c.person;
            let state = state_on(&schedule, c.category, phase.first());
            let change = self.change(person, state, phase.first(), false)?;
            self.apply_change(person, change.as_ref());
            self.cases[i].settled = phase.first();
            events.push(Event::PhaseEntered {
                case: CaseId::new(i as u32),
                phase: index as u16,
                on: phase.first(),
                change,
            });
        }
        // ... then releases and flags, by release date and then case.
        let mut releases: Vec<(NaiveDate, usize)> = (0..before.cases.len())
            .filter(|&i| before.cases[i].status == CaseStatus::Open)
            .map(|i| (before.schedule(i).release(), i))
            .filter(|&(r, i)| r <= today && before.schedule(i).last_day() < today)
            .collect();
        releases.sort();
        for (release, i) in releases {
            events.push(self.release_or_flag(i, release, today)?);
        }
        Some(())
    }

    /// What `command` must do: the model after it and the events it becomes, or `None` when
    /// the rules refuse it.
    fn predict(&self, command: &Command) -> Option<(Model, Vec<Event>)> {
        let mut next = self.clone();
        let mut events = Vec::new();
        // The business date: a case starts or restarts on it; nothing is recorded after it; a
        // case's records wait for the first day opened.
        let day = self.day;
        let dated = |date: NaiveDate, waits: bool| match day {
            Some(d) => date <= d,
            None => !waits,
        };
        let ok = match *command {
            Command::StartCase { on, .. } | Command::Exposed { on, .. } => day == Some(on),
            Command::RecordCheck { at, .. } => dated(at.date(), true),
            Command::RecordTest { on, .. } | Command::Release { on, .. } => dated(on, true),
            Command::MovePerson { on, .. } | Command::SetState { on, .. } => dated(on, false),
            Command::OpenDay { today } => day.is_none_or(|d| d < today),
            _ => true,
        };
        if !ok {
            return None;
        }
        // Where a record's consequences land: the business date.
        let today = day.unwrap_or(start());
        match *command {
            Command::StartCase { person, policy, category, anchor, on, linked } => {
                let p = person.index();
                self.persons.get(p)?;
                if self.active_case(p).is_some() {
                    return None;
                }
                let rules = self.policies.get(policy.index())?;
                // A secondary contact under a linked release must say whom they follow, or
                // that there is nobody.
                if linked.is_none() && category == Category::SecondaryContact && rules.linked().is_some() {
                    return None;
                }
                let linked = linked.and_then(Link::case);
                if let Some(l) = linked {
                    let close = self.cases.get(l.index())?;
                    let positive = close.tests().iter().any(|(_, t)| *t == TestResult::Positive);
                    if category != Category::SecondaryContact
                        || rules.linked().is_none()
                        || close.category != Category::CloseContact
                        || close.person == p
                        || positive
                    {
                        return None;
                    }
                }
                if anchor > on {
                    return None;
                }
                let schedule = rules.schedule(anchor).ok()?;
                if schedule.release() < on {
                    return None;
                }
                let change = self.change(p, state_on(&schedule, category, on), on, true)?;
                next.apply_change(p, change.as_ref());
                next.cases.push(MCase {
                    person: p,
                    policy: policy.index(),
                    category,
                    anchor,
                    started: on,
                    settled: on,
                    linked: linked.map(CaseId::index),
                    status: CaseStatus::Open,
                    days: Vec::new(),
                    changes: Vec::new(),
                });
                let case = CaseId::new(self.cases.len() as u32);
                events.push(Event::CaseStarted { case, person, policy, category, anchor, on, linked, change });
            }
            Command::Exposed { person, anchor, on } => {
                let p = person.index();
                let id = self.active_case(p)?;
                let c = &self.cases[id];
                // Later than the anchor, not after the day recorded, and not back before the
                // case last set the state (`CaseError::BackDated`).
                if anchor <= c.anchor || anchor > on || on < c.settled {
                    return None;
                }
                let schedule = self.policies[c.policy].schedule(anchor).ok()?;
                if schedule.release() < on {
                    return None;
                }
                let change = self.change(p, state_on(&schedule, c.category, on), on, true)?;
                next.apply_change(p, change.as_ref());
                let n = &mut next.cases[id];
                (n.anchor, n.settled, n.status) = (anchor, on, CaseStatus::Open);
                events.push(Event::CaseRestarted { case: CaseId::new(id as u32), anchor, on, change });
            }
            Command::RecordCheck { person, at, temperature, symptoms } => {
                let p = self.persons.get(person.index()).map(|_| person.index())?;
                let id = self.active_case(p)?;
                let date = at.date();
                if date < self.cases[id].anchor {
                    return None;
                }
                let fever = temperature >= self.policies[self.cases[id].policy].fever();
                let escalation = if fever { self.change(p, plain(State::Suspected), today, false)? } else { None };
                next.apply_change(p, escalation.as_ref());
                let r = next.cases[id].day_mut(date);
                r.checks += 1;
                r.symptoms |= symptoms;
                if fever {
                    next.cases[id].status = CaseStatus::Escalated { on: today, to: State::Suspected };
                }
                events.push(Event::CheckRecorded {
                    case: CaseId::new(id as u32),
                    at,
                    temperature,
                    symptoms,
                    escalation,
                });
            }
            Command::RecordTest { person, on, result } => {
                let p = self.persons.get(person.index()).map(|_| person.index())?;
                let id = self.active_case(p)?;
                if on < self.cases[id].anchor || self.cases[id].day(on).test.is_some() {
                    return None;
                }
                let positive = result == TestResult::Positive;
                let escalation = if positive { self.change(p, plain(State::Confirmed), today, false)? } else { None };
                next.apply_change(p, escalation.as_ref());
                next.cases[id].day_mut(on).test = Some(result);
                if positive {
                    next.cases[id].status = CaseStatus::Escalated { on: today, to: State::Confirmed };
                }
                events.push(Event::TestRecorded { case: CaseId::new(id as u32), on, result, escalation });
                if positive {
                    // Every active secondary contact linked to this case, in case order.
                    let policy = self.cases[id].policy;
                    for s in 0..next.cases.len() {
                        let c = &next.cases[s];
                        if !(c.active() && c.category == Category::SecondaryContact && c.linked == Some(id)) {
                            continue;
                        }
                        // Converted on the business date (never before the case last set the state).
                        let schedule = next.policies[policy].schedule(c.anchor).ok()?;
                        let (person, settled) = (c.person, c.settled.max(today));
                        let state = state_on(&schedule, Category::CloseContact, settled);
                        let change = next.change(person, state, today, false)?;
                        next.apply_change(person, change.as_ref());
                        let c = &mut next.cases[s];
                        (c.policy, c.category, c.linked, c.settled, c.status) =
                            (policy, Category::CloseContact, None, settled, CaseStatus::Open);
                        events.push(Event::CaseConverted {
                            case: CaseId::new(s as u32),
                            policy: PolicyId::new(policy as u16),
                            on: today,
                            change,
                        });
                    }
                    // Every released secondary contact linked to it whose release waited on the
                    // first tests, now not all negative: reopened as a close contact's case,
                    // under review, today (unless under another case, or unable to go back).
                    for s in 0..next.cases.len() {
                        let c = &next.cases[s];
                        let released = matches!(c.status, CaseStatus::Released { .. });
                        if !(released && c.linked == Some(id)) || next.active_case(c.person).is_some() {
                            continue;
                        }
                        if !next.blockers(s).contains(&ReviewReason::LinkedTestsPending) {
                            continue;
                        }
                        let schedule = next.policies[policy].schedule(c.anchor).ok()?;
                        let person = c.person;
                        let state = state_on(&schedule, Category::CloseContact, today);
                        let was = next.persons[person].state;
                        if was != state && !allowed(was, state) {
                            continue;
                        }
                        let change = next.change(person, state, today, false)?;
                        next.apply_change(person, change.as_ref());
                        let reasons = vec![ReviewReason::ReleasedBeforeLinkedPositive];
                        let c = &mut next.cases[s];
                        (c.policy, c.category, c.linked, c.settled) =
                            (policy, Category::CloseContact, None, c.settled.max(today));
                        c.status = CaseStatus::Review { since: today, reasons: reasons.clone() };
                        events.push(Event::CaseReopened {
                            case: CaseId::new(s as u32),
                            policy: PolicyId::new(policy as u16),
                            on: today,
                            reasons,
                            change,
                        });
                    }
                }
            }
            Command::Release { case, on } => {
                let id = case.index();
                let c = self.cases.get(id)?;
                // A blocked release is refused, open or under review: flags are the round's.
                if !c.active() || on < self.schedule(id).release() || !self.blockers(id).is_empty() {
                    return None;
                }
                events.push(next.release_or_flag(id, on, on)?);
            }
            Command::OpenDay { today: opened } => {
                // The day is opened, then every day from the one after the last one opened (or
                // only the new one) is run in order.
                events.push(Event::DayOpened { from: day, on: opened });
                next.day = Some(opened);
                let mut today = day.map_or(opened, |d| plus(d, 1));
                while today <= opened {
                    next.round(today, &mut events)?;
                    today = plus(today, 1);
                }
            }
            Command::MovePerson { person, to, on } => {
                let p = person.index();
                let from = self.persons.get(p)?.household;
                let h = to.index();
                if h >= self.households.len() {
                    return None;
                }
                next.persons[p].household = h;
                let mut recolours = Vec::new();
                if from != h {
                    for x in [from, h] {
                        if self.colour(x) != next.colour(x) {
                            recolours.push(Recolour {
                                household: HouseholdId::new(x as u32),
                                from: self.colour(x),
                                to: next.colour(x),
                            });
                        }
                    }
                    recolours.sort_by_key(|r| r.household);
                }
                events.push(Event::PersonMoved { person, from: HouseholdId::new(from as u32), to, on, recolours });
            }
            Command::SetState { person, state, on } => {
                let p = person.index();
                let was = self.persons.get(p)?;
                if self.active_case(p).is_some() || was.state.0 == state {
                    return None;
                }
                let change = self.change(p, set_reason(was.state, state), on, true)??;
                next.apply_change(p, Some(&change));
                let StateChange { from, to, recolours } = change;
                events.push(Event::StateChanged { person, from, to, recolours });
            }
            _ => unreachable!("not drawn: {command:?}"),
        }
        Some((next, events))
    }

    /// The agenda of `date`, by scanning every case.
    fn agenda(&self, date: NaiveDate) -> Vec<AgendaItem> {
        let mut items = Vec::new();
        for (i, c) in self.cases.iter().enumerate() {
            let schedule = self.schedule(i);
            let mut found = Vec::new();
            match c.status {
                CaseStatus::Released { on } if on == date => found.push(Item::Released),
                CaseStatus::Escalated { on, to } if on == date => found.push(Item::Escalated { to }),
                CaseStatus::Review { since, .. } if since <= date => found.push(Item::Review { since }),
                CaseStatus::Open => {
                    if schedule.release() <= date {
                        found.push(Item::ReleaseDue { release: schedule.release() });
                    }
                    if date >= c.started && schedule.test_days().any(|d| d == date) {
                        found.push(Item::TestDue);
                    }
                    let yesterday = plus(date, -1);
                    let required = self.policies[c.policy].checks_per_day();
                    let recorded = c.day(yesterday).checks;
                    if schedule.first_day() <= yesterday
                        && yesterday <= schedule.last_day()
                        && yesterday >= c.started
                        && required > 0
                        && recorded < u32::from(required)
                    {
                        found.push(Item::MissedChecks { required, recorded: recorded as u8 });
                    }
                }
                _ => {}
            }
            let household = self.persons[c.person].household;
            for item in found {
                items.push(AgendaItem {
                    case: CaseId::new(i as u32),
                    person: PersonId::new(c.person as u32),
                    household: HouseholdId::new(household as u32),
                    unit: UnitId::new(self.households[household] as u32),
                    item,
                });
            }
        }
        items.sort_by_key(|i| (rank(&i.item), i.case));
        items
    }
}

// ---------------------------------------------------------------------------------------------
// The city, and each step's checks
// ---------------------------------------------------------------------------------------------

/// A registry with its log and the model, changed only through [`World::step`].
struct World {
    reg: Registry,
    log: Vec<Event>,
    model: Model,
    /// Each case's status when it first ended.
    ended: BTreeMap<usize, CaseStatus>,
    /// Each case's release and escalation events.
    ends: BTreeMap<usize, usize>,
    today: NaiveDate,
}

fn setup(reg: &mut Registry, log: &mut Vec<Event>, command: Command) -> Vec<Event> {
    let events = reg.apply(command.clone()).unwrap_or_else(|e| panic!("{command:?} refused: {e}"));
    log.extend(events.clone());
    events
}

impl World {
    /// A street with two communities, each with a courtyard; `households` households and
    /// `persons` persons present and well, spread over them; every policy of [`policies`].
    fn new(households: usize, persons: usize) -> World {
        let scheme = LevelScheme::zhengzhou();
        let level = |name: &str| scheme.level(name).expect("a Zhengzhou level");
        let mut reg =
            Registry::new(scheme.clone(), NewUnit::new("花园路街道", level("街道"), UnitKind::Area)).expect("a root");
        let mut log = vec![reg.founding_event()];
        let root = reg.root();
        let unit = |reg: &mut Registry, log: &mut Vec<Event>, parent: UnitId, unit: NewUnit| {
            setup(reg, log, Command::AddUnit { parent, unit })[0].new_unit().expect("a unit")
        };
        let c0 = unit(&mut reg, &mut log, root, NewUnit::new("社区一", level("社区"), UnitKind::Area));
        let c1 = unit(&mut reg, &mut log, root, NewUnit::new("社区二", level("社区"), UnitKind::Area));
        let yard = UnitKind::Compound(CompoundKind::PropertyManagedClosed);
        let y0 = unit(&mut reg, &mut log, c0, NewUnit::new("1号院", level("楼院"), yard));
        let y1 = unit(&mut reg, &mut log, c1, NewUnit::new("2号院", level("楼院"), yard));
        let parents = vec![None, Some(0), Some(0), Some(1), Some(2)];
        assert_eq!([root, c0, c1, y0, y1].map(UnitId::index), [0, 1, 2, 3, 4]);
        let places = [y0, y1, c1, y0, y1];
        let mut model = Model {
            policies: policies(),
            parents,
            households: Vec::new(),
            persons: Vec::new(),
            cases: Vec::new(),
            day: None,
        };
        for i in 0..households {
            let door = DoorLabel::new(&format!("{}-{}01", i + 1, i % 3 + 1)).expect("a door");
            let unit = places[i % places.len()];
            let h = setup(&mut reg, &mut log, Command::AddHousehold { unit, door })[0].new_household();
            assert_eq!(h.map(HouseholdId::index), Some(i));
            model.households.push(unit.index());
        }
        for i in 0..persons {
            let household = HouseholdId::new((i % households) as u32);
            let state = PersonState::well(start());
            setup(&mut reg, &mut log, Command::RegisterPerson { household, record: PersonRecord::new(), state });
            model.persons.push(MPerson { household: household.index(), state: plain(State::Well), since: start() });
        }
        for policy in policies() {
            setup(&mut reg, &mut log, Command::AdoptPolicy { policy });
        }
        // The first business date: records for cases wait for it.
        setup(&mut reg, &mut log, Command::OpenDay { today: start() });
        model.day = Some(start());
        World { reg, log, model, ended: BTreeMap::new(), ends: BTreeMap::new(), today: start() }
    }

    /// Apply `command`, compare with the model's prediction and check everything after it.
    fn step(&mut self, step: usize, command: Command, probe: u16) {
        if let Command::OpenDay { today } = command {
            self.today = self.today.max(today);
        }
        let before = self.reg.clone();
        let predicted = self.model.predict(&command);
        match (self.reg.apply(command.clone()), predicted) {
            (Ok(events), Some((next, expected))) => {
                assert_eq!(events, expected, "step {step}: {command:?} became other events than the rules say");
                self.check_events(step, &before, &events);
                self.model = next;
                self.log.extend(events);
            }
            (Ok(events), None) => panic!("step {step}: {command:?} was accepted as {events:?}; the rules refuse it"),
            (Err(e), Some((_, expected))) => {
                panic!("step {step}: {command:?} was refused ({e}); the rules make it {expected:?}")
            }
            (Err(e), None) => {
                assert!(self.reg == before, "step {step}: the refused {command:?} ({e}) changed the registry");
            }
        }
        self.check(step, probe);
    }

    /// What the events of one command must respect, whatever the model says.
    fn check_events(&mut self, step: usize, before: &Registry, events: &[Event]) {
        for event in events {
            let ended = match event {
                Event::CaseReleased { case, on, change } => {
                    let schedule = before.schedule(*case).expect("a case");
                    let c = before.case(*case).expect("a case");
                    let policy = before.policy(c.policy()).expect("a policy");
                    let shift = i64::from(policy.counting() == DayCounting::AnchorIsDayOne);
                    let minimum = plus(c.anchor(), i64::from(policy.total_days()) - shift);
                    assert!(*on >= schedule.release(), "step {step}: {case} released on {on}, before its release");
                    assert!(*on >= minimum, "step {step}: {case} released on {on}, before the minimum {minimum}");
                    assert_eq!(change.to.state(), State::Well, "step {step}");
                    let state = self.reg.state(c.person()).expect("a person");
                    assert_eq!(state.state(), State::Well, "step {step}: {case} released, its person is not well");
                    Some(*case)
                }
                Event::CaseRestarted { case, .. } => {
                    let old = before.schedule(*case).expect("a case").release();
                    let new = self.reg.schedule(*case).expect("a case").release();
                    assert!(new >= old, "step {step}: a restart moved {case}'s release from {old} to {new}");
                    None
                }
                Event::CheckRecorded { case, escalation: Some(_), .. }
                | Event::TestRecorded { case, escalation: Some(_), .. }
                | Event::CheckCorrected { case, escalation: Some(_), .. }
                | Event::TestCorrected { case, escalation: Some(_), .. } => Some(*case),
                // Active again (a release re-judged, an escalation undone): it may end once more.
                Event::CaseReopened { case, .. }
                | Event::CheckCorrected { case, undone: Some(_), .. }
                | Event::TestCorrected { case, undone: Some(_), .. } => {
                    self.ends.remove(&case.index());
                    None
                }
                _ => None,
            };
            if let Some(case) = ended {
                let n = self.ends.entry(case.index()).or_default();
                *n += 1;
                assert!(*n <= 1, "step {step}: {case} ended {n} times");
            }
        }
    }

    /// Everything the registry must say after a step, from the model and the rules.
    fn check(&mut self, step: usize, probe: u16) {
        let reg = &self.reg;
        let model = &self.model;
        // Cases: fields, status, records; each ends once.
        assert_eq!(reg.cases().count(), model.cases.len(), "step {step}");
        for (id, case) in reg.cases() {
            let m = &model.cases[id.index()];
            let found = (
                case.person().index(),
                case.policy().index(),
                case.category(),
                case.anchor(),
                case.started(),
                case.settled(),
                case.linked().map(CaseId::index),
            );
            assert_eq!(found, (m.person, m.policy, m.category, m.anchor, m.started, m.settled, m.linked), "{id}");
            assert_eq!(case.status(), &m.status, "step {step}: the status of {id}");
            let mut readings = m.days.clone();
            readings.sort_by_key(|r| r.date);
            let days: Vec<_> =
                case.days().iter().map(|d| (d.date(), u32::from(d.checks()), d.symptoms(), d.test())).collect();
            let want: Vec<_> = readings.iter().map(|r| (r.date, r.checks, r.symptoms, r.test)).collect();
            assert_eq!(days, want, "step {step}: the records of {id}");
            let schedule = reg.schedule(id).expect("a case");
            assert_eq!(schedule, model.schedule(id.index()), "step {step}: the schedule of {id}");
            match case.status() {
                CaseStatus::Released { .. } | CaseStatus::Escalated { .. } => {
                    let first = self.ended.entry(id.index()).or_insert_with(|| case.status().clone());
                    assert_eq!(first, case.status(), "step {step}: {id} ended twice");
                }
                _ => {
                    // Only a late positive of the linked close contact (a release re-judged) or an
                    // erratum undoing an escalation makes an ended case active again.
                    if let Some(first) = self.ended.remove(&id.index()) {
                        let reopened = match (&first, case.status()) {
                            (CaseStatus::Released { .. }, CaseStatus::Review { reasons, .. }) => {
                                reasons.contains(&ReviewReason::ReleasedBeforeLinkedPositive)
                            }
                            (CaseStatus::Escalated { .. }, CaseStatus::Open) => true,
                            (CaseStatus::Escalated { .. }, CaseStatus::Review { reasons, .. }) => {
                                reasons.contains(&ReviewReason::EscalationCorrected)
                            }
                            _ => false,
                        };
                        assert!(reopened, "step {step}: {id} ended as {first:?} and is active again");
                    }
                }
            }
            if case.status().is_active() {
                assert_eq!(reg.active_case(case.person()), Some(id), "step {step}");
                let state = reg.state(case.person()).expect("a person");
                let state = (state.state(), state.measure());
                let want = state_on(&schedule, case.category(), case.settled());
                assert_eq!(state, want, "step {step}: {id}'s person is {state:?}, its phase gives {want:?}");
            }
        }
        // Persons and colours.
        for (p, m) in model.persons.iter().enumerate() {
            let person = PersonId::new(p as u32);
            // Issue 16 §5: the standing read apart from the state, by hand.
            let standing = reg.standing(person).expect("a person");
            assert_eq!((standing.reason(), standing.measure()), model.standing(p), "step {step}: {person}'s standing");
            assert_eq!(reg.state(person).expect("a person"), person_state(m.state, m.since), "step {step}: {p}");
            assert_eq!(reg.person(person).expect("a person").household().index(), m.household, "step {step}");
            assert_eq!(reg.active_case(person).map(CaseId::index), model.active_case(p), "step {step}: {person}");
        }
        for h in 0..model.households.len() {
            let household = HouseholdId::new(h as u32);
            let members = reg.household(household).expect("a household").members();
            let standings = members.iter().map(|&p| reg.standing(p).expect("a member"));
            let colour = reg.colour(household).expect("a household");
            assert_eq!(colour, reg.colour_rule().classify(standings), "step {step}: {household}'s colour");
            assert_eq!(colour, model.colour(h), "step {step}: {household}'s colour by hand");
        }
        // Persons per measure in every unit: a recount of the hand model's standings.
        for u in 0..model.parents.len() {
            let mut want = [0u64; Measure::COUNT];
            for (p, m) in model.persons.iter().enumerate() {
                if model.within(model.households[m.household], u) {
                    want[model.standing(p).1.index()] += 1;
                }
            }
            let found = reg.measures(UnitId::new(u as u32)).expect("a unit");
            assert_eq!(found.iter().map(|(_, n)| n).collect::<Vec<_>>(), want, "step {step}: measures in unit {u}");
        }
        let audit = reg.audit();
        assert!(audit.is_empty(), "step {step}: the audit finds {audit:?}");
        // The agenda, around today and on a random date.
        let random = plus(self.today, i64::from(probe % 41) - 20);
        for date in [plus(self.today, -1), self.today, plus(self.today, 1), random] {
            let agenda = reg.agenda(date);
            assert_eq!(agenda.date(), date);
            let want = model.agenda(date);
            assert_eq!(agenda.items(), want.as_slice(), "step {step}: the agenda of {date}");
        }
        let unit = usize::from(probe / 41) % model.parents.len();
        let within = reg.agenda_within(random, UnitId::new(unit as u32)).expect("a unit");
        let want: Vec<_> = model.agenda(random).into_iter().filter(|i| model.within(i.unit.index(), unit)).collect();
        assert_eq!(within.items(), want.as_slice(), "step {step}: the agenda of {random} within unit {unit}");
    }
}

/// The log replays into an equal registry, also through JSON, and the snapshot, through
/// JSON, loads into an equal one.
fn check_persistence(reg: &Registry, log: &[Event]) {
    let replayed = Registry::replay(log).unwrap_or_else(|e| panic!("the log does not replay: {e}"));
    assert!(replayed == *reg, "the replayed registry differs");
    let stored: Vec<Event> =
        serde_json::from_str(&serde_json::to_string(log).expect("a log serialises")).expect("a stored log reads back");
    assert!(stored == log, "the log changed through JSON");
    let json = serde_json::to_string(&reg.snapshot()).expect("a snapshot serialises");
    let snapshot: Snapshot = serde_json::from_str(&json).expect("a snapshot reads back");
    let loaded = Registry::from_snapshot(snapshot).unwrap_or_else(|e| panic!("the snapshot does not load: {e}"));
    assert!(loaded == *reg, "the registry loaded from its snapshot differs");
    assert!(loaded.audit().is_empty());
    assert_eq!(loaded.agenda(start()), reg.agenda(start()));
}

// ---------------------------------------------------------------------------------------------
// Random commands
// ---------------------------------------------------------------------------------------------

/// A command with its targets as picks and its dates relative to today, made concrete against
/// the model of the moment by [`to_commands`].
#[derive(Debug, Clone)]
enum Op {
    /// Any person, policy and category; now and then linked to any case.
    Start {
        person: u8,
        policy: u8,
        category: u8,
        anchor_back: u8,
        on_back: u8,
        link: Option<u8>,
    },
    /// A secondary contact under a policy with a linked release, linked to a close contact's case.
    StartSecondary {
        person: u8,
        close: u8,
        policy: bool,
        anchor_back: u8,
        on_back: u8,
    },
    Exposed {
        person: u8,
        anchor_back: u8,
        on_back: u8,
    },
    Check {
        person: u8,
        back: u8,
        hour: u8,
        temperature: u16,
        symptoms: bool,
    },
    Test {
        person: u8,
        back: u8,
        positive: bool,
    },
    /// The grid worker's round: for every active case and each of the last `back` days and
    /// today, the checks still due (normal; with symptoms today for the `cough`-th active
    /// case) and the test due, negative.
    Routine {
        back: u8,
        cough: Option<u8>,
    },
    /// A positive test for a close contact with an active secondary contact linked to their
    /// case, if there is one.
    Outbreak {
        person: u8,
        back: u8,
    },
    Release {
        case: u8,
        when: u8,
    },
    /// The days up to `advance` days on, one by one: the daily round of each, after a
    /// routine of the day before when `diligent`.
    OpenDay {
        advance: u8,
        diligent: bool,
    },
    Move {
        person: u8,
        household: u8,
    },
    SetState {
        person: u8,
        state: u8,
        back: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let pick = any::<u8>;
    // Mostly normal readings; now and then a fever under the Chinese threshold only, or any.
    let temperature = prop_oneof![30 => 355u16..373, 2 => 373u16..380, 2 => 380u16..400];
    prop_oneof![
        4 => (pick(), pick(), pick(), 0u8..16, 0u8..3, prop::option::weighted(0.15, pick())).prop_map(
            |(person, policy, category, anchor_back, on_back, link)| Op::Start {
                person, policy, category, anchor_back, on_back, link
            }
        ),
        3 => (pick(), pick(), any::<bool>(), 0u8..8, 0u8..3).prop_map(|(person, close, policy, anchor_back, on_back)| {
            Op::StartSecondary { person, close, policy, anchor_back, on_back }
        }),
        2 => (pick(), 0u8..10, 0u8..3).prop_map(|(person, anchor_back, on_back)| Op::Exposed {
            person, anchor_back, on_back
        }),
        5 => (pick(), 0u8..2, 6u8..22, temperature, prop::bool::weighted(0.1)).prop_map(
            |(person, back, hour, temperature, symptoms)| Op::Check { person, back, hour, temperature, symptoms }
        ),
        3 => (pick(), 0u8..4, prop::bool::weighted(0.08)).prop_map(|(person, back, positive)| Op::Test {
            person, back, positive
        }),
        7 => (0u8..5, prop::option::weighted(0.15, pick())).prop_map(|(back, cough)| Op::Routine { back, cough }),
        2 => (pick(), 0u8..4).prop_map(|(person, back)| Op::Outbreak { person, back }),
        3 => (pick(), 0u8..4).prop_map(|(case, when)| Op::Release { case, when }),
        10 => (1u8..5, prop::bool::weighted(0.7))
            .prop_map(|(advance, diligent)| Op::OpenDay { advance, diligent }),
        1 => (pick(), pick()).prop_map(|(person, household)| Op::Move { person, household }),
        1 => (pick(), pick(), 0u8..3).prop_map(|(person, state, back)| Op::SetState { person, state, back }),
    ]
}

/// The persons of active close contacts' cases with an active secondary contact linked.
fn linked_close_contacts(model: &Model) -> Vec<usize> {
    model
        .cases
        .iter()
        .filter(|c| c.active())
        .filter_map(|c| c.linked.map(|l| &model.cases[l]))
        .filter(|close| close.active())
        .map(|close| close.person)
        .collect()
}

/// A person: mostly one under an active case, when there is one (for a test, one time in
/// three a close contact with an active secondary contact linked to their case).
fn pick_person(model: &Model, pick: u8, close_first: bool) -> PersonId {
    let active: Vec<usize> = (0..model.persons.len()).filter(|&p| model.active_case(p).is_some()).collect();
    let linked = linked_close_contacts(model);
    let p = if close_first && pick.is_multiple_of(3) && !linked.is_empty() {
        linked[usize::from(pick / 3) % linked.len()]
    } else if !pick.is_multiple_of(5) && !active.is_empty() {
        active[usize::from(pick / 5) % active.len()]
    } else {
        usize::from(pick) % model.persons.len()
    };
    PersonId::new(p as u32)
}

fn to_commands(model: &Model, today: NaiveDate, op: &Op) -> Vec<Command> {
    let back = |n: u8| plus(today, -i64::from(n));
    let command = match *op {
        Op::Start { person, policy, category, anchor_back, on_back, link } => Command::StartCase {
            person: PersonId::new(u32::from(person) % model.persons.len() as u32),
            policy: PolicyId::new(u16::from(policy) % model.policies.len() as u16),
            // A close contact one time in three.
            category: match category % 3 {
                0 => Category::CloseContact,
                _ => Category::ALL[usize::from(category / 3) % Category::ALL.len()],
            },
            anchor: back(anchor_back),
            on: back(on_back),
            // Now and then explicitly unlinked.
            linked: link.map(|l| match l % 5 {
                4 => Link::Unlinked,
                _ => Link::Case(CaseId::new(u32::from(l) % (model.cases.len() as u32 + 1))),
            }),
        },
        Op::StartSecondary { person, close, policy, anchor_back, on_back } => {
            // Mostly an active close contact's case; without one, a close contact found the
            // same day first (the next case, if it starts).
            let all: Vec<usize> =
                (0..model.cases.len()).filter(|&c| model.cases[c].category == Category::CloseContact).collect();
            let active: Vec<usize> = all.iter().copied().filter(|&c| model.cases[c].active()).collect();
            let closes = if close % 4 != 0 && !active.is_empty() { active } else { all };
            let mut out = Vec::new();
            let linked = match closes.get(usize::from(close / 4) % closes.len().max(1)) {
                Some(&c) if close % 8 != 1 => CaseId::new(c as u32),
                _ => {
                    out.push(Command::StartCase {
                        person: PersonId::new(u32::from(close) % model.persons.len() as u32),
                        policy: PolicyId::new(CLOSE_POLICIES[usize::from(close) % CLOSE_POLICIES.len()] as u16),
                        category: Category::CloseContact,
                        anchor: back(anchor_back),
                        on: back(on_back),
                        linked: None,
                    });
                    CaseId::new(model.cases.len() as u32)
                }
            };
            out.push(Command::StartCase {
                person: PersonId::new(u32::from(person) % model.persons.len() as u32),
                policy: PolicyId::new(SECONDARY_POLICIES[usize::from(policy)] as u16),
                category: Category::SecondaryContact,
                anchor: back(anchor_back),
                on: back(on_back),
                linked: Some(Link::Case(linked)),
            });
            return out;
        }
        Op::Exposed { person, anchor_back, on_back } => {
            Command::Exposed { person: pick_person(model, person, false), anchor: back(anchor_back), on: back(on_back) }
        }
        Op::Check { person, back: b, hour, temperature, symptoms } => Command::RecordCheck {
            person: pick_person(model, person, false),
            at: at(back(b), u32::from(hour)),
            temperature: Temperature::from_tenths(temperature).expect("a plausible temperature"),
            symptoms,
        },
        Op::Test { person, back: b, positive } => Command::RecordTest {
            person: pick_person(model, person, true),
            on: back(b),
            result: if positive { TestResult::Positive } else { TestResult::Negative },
        },
        Op::Routine { back: b, cough } => {
            let mut out = Vec::new();
            let normal = Temperature::from_tenths(364).expect("a plausible temperature");
            let active: Vec<usize> = (0..model.cases.len()).filter(|&i| model.cases[i].active()).collect();
            let coughing = cough.and_then(|k| active.get(usize::from(k) % active.len().max(1)).copied());
            for &i in &active {
                let c = &model.cases[i];
                let schedule = model.schedule(i);
                let person = PersonId::new(c.person as u32);
                for date in (0..=b).rev().map(back).filter(|&d| d >= c.anchor) {
                    let required = u32::from(model.policies[c.policy].checks_per_day());
                    let symptoms = coughing == Some(i) && date == today;
                    for slot in c.day(date).checks..required {
                        let at = at(date, 8 + slot);
                        out.push(Command::RecordCheck { person, at, temperature: normal, symptoms });
                    }
                    if schedule.test_days().any(|d| d == date) && c.day(date).test.is_none() {
                        out.push(Command::RecordTest { person, on: date, result: TestResult::Negative });
                    }
                }
            }
            return out;
        }
        Op::Outbreak { person, back: b } => Command::RecordTest {
            person: match linked_close_contacts(model) {
                linked if linked.is_empty() => pick_person(model, person, false),
                linked => PersonId::new(linked[usize::from(person) % linked.len()] as u32),
            },
            on: back(b),
            result: TestResult::Positive,
        },
        Op::Release { case, when } => {
            let active: Vec<usize> = (0..model.cases.len()).filter(|&c| model.cases[c].active()).collect();
            let id = if case % 4 != 0 && !active.is_empty() {
                active[usize::from(case / 4) % active.len()]
            } else {
                usize::from(case) % (model.cases.len() + 1)
            };
            let release = if id < model.cases.len() { model.schedule(id).release() } else { today };
            let on = match when {
                0 => today,
                1 => release,
                2 => plus(release, -1),
                _ => plus(today, 1),
            };
            Command::Release { case: CaseId::new(id as u32), on }
        }
        Op::OpenDay { advance, diligent } => {
            // A diligent round walks the days one by one (`run` repeats it); otherwise the
            // days in between are skipped.
            if !diligent {
                return vec![Command::OpenDay { today: plus(today, i64::from(advance)) }];
            }
            let mut out = to_commands(model, today, &Op::Routine { back: 0, cough: None });
            out.push(Command::OpenDay { today: plus(today, 1) });
            return out;
        }
        Op::Move { person, household } => Command::MovePerson {
            person: PersonId::new(u32::from(person) % model.persons.len() as u32),
            to: HouseholdId::new(u32::from(household) % model.households.len() as u32),
            on: today,
        },
        Op::SetState { person, state, back: b } => Command::SetState {
            person: PersonId::new(u32::from(person) % model.persons.len() as u32),
            state: STATES[usize::from(state) % STATES.len()],
            on: back(b),
        },
    };
    vec![command]
}

/// Build a city of `households` and `persons` and run `ops` on it, each command checked.
fn run(households: usize, persons: usize, ops: &[(Op, u16)]) -> World {
    let mut world = World::new(households, persons);
    world.check(0, 0);
    let mut step = 0;
    for (op, probe) in ops {
        let days = match *op {
            Op::OpenDay { advance, diligent: true } => advance,
            _ => 1,
        };
        for _ in 0..days {
            for command in to_commands(&world.model, world.today, op) {
                world.step(step, command, *probe);
                step += 1;
            }
        }
    }
    world
}

// ---------------------------------------------------------------------------------------------
// Tampered events
// ---------------------------------------------------------------------------------------------

/// Copies of case event `event` altered so that the registry `reg` (the one just before it)
/// must refuse them.
fn tampered(reg: &Registry, event: &Event) -> Vec<Event> {
    let mut out = Vec::new();
    // A change of state with the wrong household colours, or dated a day later.
    let wrong_recolours = |change: &StateChange| {
        let mut c = change.clone();
        match c.recolours.first_mut() {
            Some(r) => std::mem::swap(&mut r.from, &mut r.to),
            None => {
                let household = reg.person(PersonId::new(0)).expect("a person").household();
                c.recolours.push(Recolour { household, from: Colour::Green, to: Colour::White });
            }
        }
        c
    };
    let later = |change: &StateChange| {
        let mut c = change.clone();
        c.to = PersonState::with_standing(c.to.standing(), plus(c.to.since(), 1));
        c
    };
    let mut with_change = |change: Option<&StateChange>, make: &dyn Fn(Option<StateChange>) -> Event| {
        if let Some(c) = change {
            out.push(make(Some(wrong_recolours(c))));
            out.push(make(Some(later(c))));
            out.push(make(None));
        }
    };
    match event.clone() {
        Event::CaseStarted { case, person, policy, category, anchor, on, linked, change } => {
            with_change(change.as_ref(), &|change| Event::CaseStarted {
                case,
                person,
                policy,
                category,
                anchor,
                on,
                linked,
                change,
            });
        }
        Event::CaseRestarted { case, anchor, on, change } => {
            with_change(change.as_ref(), &|change| Event::CaseRestarted { case, anchor, on, change });
            // Not later than the case's anchor.
            let current = reg.case(case).expect("a case").anchor();
            out.push(Event::CaseRestarted { case, anchor: current, on, change: change.clone() });
        }
        Event::CheckRecorded { case, at, temperature, symptoms, escalation } => {
            with_change(escalation.as_ref(), &|escalation| Event::CheckRecorded {
                case,
                at,
                temperature,
                symptoms,
                escalation,
            });
            if escalation.is_none() {
                // A fever, without the escalation it makes.
                let temperature = Temperature::from_tenths(395).expect("a fever");
                out.push(Event::CheckRecorded { case, at, temperature, symptoms, escalation: None });
            }
        }
        Event::TestRecorded { case, on, result, escalation } => {
            with_change(escalation.as_ref(), &|escalation| Event::TestRecorded { case, on, result, escalation });
            let flipped = match result {
                TestResult::Negative => TestResult::Positive,
                TestResult::Positive => TestResult::Negative,
            };
            out.push(Event::TestRecorded { case, on, result: flipped, escalation: escalation.clone() });
        }
        Event::CaseConverted { case, policy, on, change } => {
            with_change(change.as_ref(), &|change| Event::CaseConverted { case, policy, on, change });
            let other = PolicyId::new((policy.get() + 1) % 8);
            out.push(Event::CaseConverted { case, policy: other, on, change: change.clone() });
        }
        Event::PhaseEntered { case, phase, on, change } => {
            with_change(change.as_ref(), &|change| Event::PhaseEntered { case, phase, on, change });
            for wrong in [plus(on, -1), plus(on, 1)] {
                out.push(Event::PhaseEntered { case, phase, on: wrong, change: change.clone() });
            }
        }
        Event::CaseReleased { case, on, change } => {
            out.push(Event::CaseReleased { case, on, change: wrong_recolours(&change) });
            out.push(Event::CaseReleased { case, on, change: later(&change) });
            // A day before the release date.
            let release = reg.schedule(case).expect("a case").release();
            let mut early = change.clone();
            early.to = PersonState::new(State::Well, plus(release, -1).max(change.from.since()));
            out.push(Event::CaseReleased { case, on: plus(release, -1), change: early });
        }
        Event::CaseFlagged { case, on, reasons } => {
            // One reason fewer, or one more.
            for r in [
                ReviewReason::NoLastDayCheck,
                ReviewReason::SymptomsOnLastDay,
                ReviewReason::NoLastDayTest,
                ReviewReason::LinkedTestsPending,
            ] {
                let mut other: Vec<_> = reasons.iter().copied().filter(|&x| x != r).collect();
                if other.len() == reasons.len() {
                    other.push(r);
                    other.sort();
                }
                out.push(Event::CaseFlagged { case, on, reasons: other });
            }
            // Released instead, with the right change of state: the blockers forbid it.
            let person = reg.case(case).expect("a case").person();
            let release = reg.schedule(case).expect("a case").release().max(on);
            let from = reg.state(person).expect("a person");
            let household = reg.person(person).expect("a person").household();
            let members = reg.household(household).expect("a household").members();
            let states = members
                .iter()
                .map(|&m| if m == person { Standing::WELL } else { reg.state(m).expect("a member").standing() });
            let (before, after) = (reg.colour(household).expect("a household"), reg.colour_rule().classify(states));
            let recolours =
                if before == after { Vec::new() } else { vec![Recolour { household, from: before, to: after }] };
            let to = PersonState::new(State::Well, release.max(from.since()));
            out.push(Event::CaseReleased { case, on: release, change: StateChange { from, to, recolours } });
        }
        _ => {}
    }
    out
}

/// Every case event of `log`, tampered, is refused by the registry just before it and leaves
/// it unchanged, and so is every case event applied a second time; the log with the event at
/// `pick` tampered replays to an error naming it.
fn check_tampering(log: &[Event], pick: usize) {
    let mut reg = Registry::replay(&log[..1]).expect("the founding event");
    let mut chosen = None;
    for (i, event) in log.iter().enumerate().skip(1) {
        let bad = tampered(&reg, event);
        for b in &bad {
            let mut other = reg.clone();
            assert!(other.apply_event(b).is_err(), "event {i}: the tampered {b:?} was applied");
            assert!(other == reg, "event {i}: a refused event changed the registry");
        }
        if !bad.is_empty() && (chosen.is_none() || i <= pick) {
            chosen = Some((i, bad[pick % bad.len()].clone()));
        }
        reg.apply_event(event).unwrap_or_else(|e| panic!("event {i} of a valid log refused: {e}"));
        // A case event cannot be applied twice (but for a check that ends nothing: a second
        // reading is just that).
        let twice = match event {
            Event::CheckRecorded { escalation, .. } => escalation.is_some(),
            Event::CaseStarted { .. }
            | Event::CaseRestarted { .. }
            | Event::TestRecorded { .. }
            | Event::CaseConverted { .. }
            | Event::PhaseEntered { .. }
            | Event::CaseReleased { .. }
            | Event::CaseFlagged { .. } => true,
            _ => false,
        };
        if twice {
            let mut other = reg.clone();
            assert!(other.apply_event(event).is_err(), "event {i} was applied twice: {event:?}");
            assert!(other == reg, "event {i}: a refused event changed the registry");
        }
    }
    if let Some((i, bad)) = chosen {
        let mut altered = log.to_vec();
        altered[i] = bad;
        match Registry::replay(&altered) {
            Err(Error::Registry(RegistryError::Replay { index, .. })) => assert_eq!(index, i),
            Err(e) => panic!("the tampered log was refused without naming the event: {e}"),
            Ok(_) => panic!("the log with event {i} tampered replayed"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/cases.txt` and replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { max_shrink_iters: 2_000, ..proptest_config::persisted("proptest-regressions/cases.txt", cases) }
}

proptest! {
    #![proptest_config(config(128))]

    /// Random commands on a small city agree with the model at every step; the log replays
    /// and the snapshot loads.
    #[test]
    fn cases_follow_the_rules(
        households in 3usize..=5,
        persons in 6usize..=12,
        ops in prop::collection::vec((op(), any::<u16>()), 1..=MAX_OPS),
    ) {
        let world = run(households, persons, &ops);
        check_persistence(&world.reg, &world.log);
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Tampered case events are refused, one by one and inside a replayed log.
    #[test]
    fn tampered_case_events_are_refused(
        persons in 6usize..=10,
        ops in prop::collection::vec((op(), any::<u16>()), 1..=40),
        pick in any::<usize>(),
    ) {
        let world = run(3, persons, &ops);
        check_tampering(&world.log, pick % world.log.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

fn feb(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, d).expect("a real date")
}

fn policy_id(name: &str) -> PolicyId {
    PolicyId::new(policies().iter().position(|p| p.name() == name).expect("adopted") as u16)
}

/// Apply `command`, opening the business date up to the date it records for a case first (a
/// record needs its day open).
fn day_then(world: &mut World, command: Command) -> Result<Vec<Event>, Error> {
    let date = match &command {
        Command::StartCase { on, .. }
        | Command::Exposed { on, .. }
        | Command::RecordTest { on, .. }
        | Command::Release { on, .. } => Some(*on),
        Command::RecordCheck { at, .. } => Some(at.date()),
        _ => None,
    };
    if let Some(date) = date
        && world.reg.business_date().is_none_or(|d| d < date)
    {
        world.reg.apply(Command::OpenDay { today: date })?;
    }
    world.reg.apply(command)
}

fn begin(world: &mut World, person: u32, policy: &str, category: Category, anchor: NaiveDate, on: NaiveDate) -> CaseId {
    begin_linked(world, person, policy, category, anchor, on, None)
}

fn begin_linked(
    world: &mut World,
    person: u32,
    policy: &str,
    category: Category,
    anchor: NaiveDate,
    on: NaiveDate,
    linked: Option<CaseId>,
) -> CaseId {
    let command = Command::StartCase {
        person: PersonId::new(person),
        policy: policy_id(policy),
        category,
        anchor,
        on,
        linked: linked.map(Link::Case),
    };
    let events = day_then(world, command).expect("the case starts");
    events[0].new_case().expect("a case")
}

fn reading(world: &mut World, person: u32, date: NaiveDate, hour: u32) {
    let temperature = Temperature::from_tenths(365).expect("a temperature");
    let command =
        Command::RecordCheck { person: PersonId::new(person), at: at(date, hour), temperature, symptoms: false };
    day_then(world, command).expect("a check");
}

fn test(world: &mut World, person: u32, on: NaiveDate, result: TestResult) -> Vec<Event> {
    day_then(world, Command::RecordTest { person: PersonId::new(person), on, result }).expect("a test")
}

#[test]
fn one_reading_of_two_shows_one_check_missed_the_next_day() {
    let mut w = World::new(2, 4);
    let case = begin(&mut w, 0, "seed_shanghai_2020", Category::ArrivalFromEpidemicArea, feb(1), feb(1));
    reading(&mut w, 0, feb(2), 8);
    let missed = |w: &World, date| w.reg.agenda(date).missed_checks().map(|i| (i.case, i.item)).collect::<Vec<_>>();
    assert_eq!(missed(&w, feb(3)), [(case, Item::MissedChecks { required: 2, recorded: 1 })]);
    // The anchor day is day 0: nothing was due on it.
    assert_eq!(missed(&w, feb(2)), []);
    reading(&mut w, 0, feb(2), 20);
    assert_eq!(missed(&w, feb(3)), []);
    // Nothing recorded on Feb 3: both missed on Feb 4.
    assert_eq!(missed(&w, feb(4)), [(case, Item::MissedChecks { required: 2, recorded: 0 })]);
}

#[test]
fn a_restart_moves_the_release_later_and_never_earlier() {
    let mut w = World::new(2, 4);
    let case = begin(&mut w, 0, "cn_ed9_close_contact", Category::CloseContact, feb(1), feb(2));
    let first = w.reg.schedule(case).expect("a case").release();
    assert_eq!(first, feb(11));
    let person = PersonId::new(0);
    let events = day_then(&mut w, Command::Exposed { person, anchor: feb(5), on: feb(6) }).expect("a restart");
    assert!(matches!(events[..], [Event::CaseRestarted { anchor, .. }] if anchor == feb(5)));
    assert_eq!(w.reg.schedule(case).expect("a case").release(), feb(15));
    // An exposure not after the current anchor would shorten the case, or leave it: refused.
    for anchor in [feb(5), feb(3)] {
        let before = w.reg.clone();
        let err = day_then(&mut w, Command::Exposed { person, anchor, on: feb(6) }).expect_err("not later");
        assert_eq!(err, Error::Case(CaseError::RestartNotLater { anchor, current: feb(5) }));
        assert!(w.reg == before);
    }
    // Not releasable before the new date.
    let err = day_then(&mut w, Command::Release { case, on: feb(11) }).expect_err("too early");
    assert_eq!(err, Error::Case(CaseError::TooEarly { case, release: feb(15), on: feb(11) }));
}

#[test]
fn a_linked_secondary_contact_waits_for_the_close_contacts_first_two_tests() {
    let mut w = World::new(2, 4);
    let close = begin(&mut w, 0, "cn_ed9_close_contact", Category::CloseContact, feb(1), feb(1));
    let secondary =
        begin_linked(&mut w, 1, "cn_ed9_secondary_contact", Category::SecondaryContact, feb(1), feb(1), Some(close));
    // The secondary contact's own last day (day 7, Feb 8) is clean, check and test.
    reading(&mut w, 1, feb(8), 8);
    test(&mut w, 1, feb(8), TestResult::Negative);
    // The close contact's first test is negative, the second not recorded yet.
    test(&mut w, 0, feb(2), TestResult::Negative);
    // A release by hand is refused with what is missing, and changes nothing ...
    let before = w.reg.clone();
    let err = day_then(&mut w, Command::Release { case: secondary, on: feb(8) }).expect_err("blocked");
    let pending = vec![ReviewReason::LinkedTestsPending];
    assert_eq!(err, Error::Case(CaseError::NotReleasable { case: secondary, reasons: pending.clone() }));
    assert_eq!(w.reg.case(secondary).expect("a case").status(), before.case(secondary).expect("a case").status());
    // ... and the round flags it once its last day is over.
    let events = w.reg.apply(Command::OpenDay { today: feb(9) }).expect("the round");
    assert!(events.contains(&Event::CaseFlagged { case: secondary, on: feb(9), reasons: pending }), "{events:?}");
    assert_eq!(w.reg.agenda(feb(9)).review().map(|i| i.case).collect::<Vec<_>>(), [secondary]);
    // Still pending: refused, with what is missing.
    let err = day_then(&mut w, Command::Release { case: secondary, on: feb(9) }).expect_err("pending");
    assert_eq!(
        err,
        Error::Case(CaseError::NotReleasable { case: secondary, reasons: vec![ReviewReason::LinkedTestsPending] })
    );
    // The second test negative: released, present and well.
    test(&mut w, 0, feb(3), TestResult::Negative);
    let events = day_then(&mut w, Command::Release { case: secondary, on: feb(9) }).expect("released");
    assert!(matches!(events[..], [Event::CaseReleased { on, .. }] if on == feb(9)));
    assert_eq!(w.reg.state(PersonId::new(1)).expect("a person").state(), State::Well);
    assert!(w.reg.audit().is_empty());
}

#[test]
fn a_positive_first_test_flags_a_linked_secondary_contact_and_converts_it() {
    let mut w = World::new(2, 4);
    let close = begin(&mut w, 0, "cn_ed9_close_contact", Category::CloseContact, feb(1), feb(1));
    let secondary =
        begin_linked(&mut w, 1, "cn_ed9_secondary_contact", Category::SecondaryContact, feb(1), feb(2), Some(close));
    assert_eq!(w.reg.state(PersonId::new(1)).expect("a person").state(), State::SecondaryContact);
    // Negative on Feb 2, nothing more: at its release the secondary contact is flagged.
    test(&mut w, 0, feb(2), TestResult::Negative);
    reading(&mut w, 1, feb(8), 8);
    test(&mut w, 1, feb(8), TestResult::Negative);
    let events = w.reg.apply(Command::OpenDay { today: feb(9) }).expect("the round");
    assert!(events.contains(&Event::CaseFlagged {
        case: secondary,
        on: feb(9),
        reasons: vec![ReviewReason::LinkedTestsPending]
    }));
    // The close contact's second test, sampled Feb 4, comes back positive on Feb 9: confirmed,
    // and the secondary contact is a close contact now, under the close contact's policy from
    // its own anchor, open again; the conversion lands on Feb 9 (day 8 of ed.9's 7 + 3: home
    // health monitoring).
    let events = test(&mut w, 0, feb(4), TestResult::Positive);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[1], Event::CaseConverted { case, policy, on, .. }
        if case == secondary && policy == policy_id("cn_ed9_close_contact") && on == feb(9)));
    let c = w.reg.case(secondary).expect("a case");
    assert_eq!(
        (c.category(), c.policy(), c.linked(), c.status()),
        (Category::CloseContact, policy_id("cn_ed9_close_contact"), None, &CaseStatus::Open)
    );
    assert_eq!(w.reg.schedule(secondary).expect("a case").release(), feb(11));
    let state = w.reg.state(PersonId::new(1)).expect("a person");
    assert_eq!((state.state(), state.since()), (State::CloseContact, feb(9)));
    assert_eq!(w.reg.state(PersonId::new(0)).expect("a person").state(), State::Confirmed);
    assert!(w.reg.audit().is_empty());
    // Another secondary contact cannot link to a close contact who tested positive.
    let err = w
        .reg
        .apply(Command::StartCase {
            person: PersonId::new(2),
            policy: policy_id("cn_ed9_secondary_contact"),
            category: Category::SecondaryContact,
            anchor: feb(4),
            on: feb(9),
            linked: Some(Link::Case(close)),
        })
        .expect_err("already positive");
    assert!(matches!(err, Error::Case(CaseError::InvalidLink { .. })), "{err}");
}

/// A new exposure recorded for a date before the case last set its person's state (a late
/// report, the state unchanged) would move the case back in time: refused (a restart is dated
/// on the business date), and the registry still loads its own snapshot after one dated from
/// then on.
#[test]
fn a_restart_dated_before_the_case_last_set_the_state_is_refused() {
    let mut w = World::new(2, 4);
    let case = begin(&mut w, 0, "seed_shanghai_2020", Category::ArrivalFromEpidemicArea, feb(1), feb(5));
    let person = PersonId::new(0);
    let before = w.reg.clone();
    let err = day_then(&mut w, Command::Exposed { person, anchor: feb(2), on: feb(3) }).expect_err("back-dated");
    assert_eq!(err, Error::Registry(RegistryError::NotBusinessDate { date: feb(3), business_date: feb(5) }));
    assert!(w.reg == before);
    day_then(&mut w, Command::Exposed { person, anchor: feb(2), on: feb(5) }).expect("a restart");
    let c = w.reg.case(case).expect("a case");
    assert_eq!((c.anchor(), c.started(), c.settled()), (feb(2), feb(5), feb(5)));
    assert!(w.reg.audit().is_empty());
    let loaded = Registry::from_snapshot(w.reg.snapshot()).expect("a registry loads its own snapshot");
    assert!(loaded == w.reg);
}

/// A close contact's positive test sampled before their linked secondary contact's case
/// started converts it from the day it started (the state it set then counts), on the business
/// date the result arrives: the registry still loads its own snapshot.
#[test]
fn a_conversion_by_an_earlier_sample_counts_from_the_start() {
    let mut w = World::new(2, 4);
    let close = begin(&mut w, 0, "cn_ed9_close_contact", Category::CloseContact, feb(1), feb(1));
    let secondary =
        begin_linked(&mut w, 1, "cn_ed9_secondary_contact", Category::SecondaryContact, feb(4), feb(5), Some(close));
    let events = test(&mut w, 0, feb(2), TestResult::Positive);
    assert!(matches!(events[..], [_, Event::CaseConverted { on, .. }] if on == feb(5)), "{events:?}");
    let c = w.reg.case(secondary).expect("a case");
    assert_eq!((c.category(), c.anchor(), c.started(), c.settled()), (Category::CloseContact, feb(4), feb(5), feb(5)));
    // Ed.9's close contacts from Feb 4: centralised isolation Feb 5 to 11.
    let state = w.reg.state(PersonId::new(1)).expect("a person");
    assert_eq!(
        (state.state(), state.measure(), state.since()),
        (State::CloseContact, Measure::CentralisedIsolation, feb(5))
    );
    assert!(w.reg.audit().is_empty());
    let loaded = Registry::from_snapshot(w.reg.snapshot()).expect("a registry loads its own snapshot");
    assert!(loaded == w.reg);
}
