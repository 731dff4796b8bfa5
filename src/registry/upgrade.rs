//! The upgrade of format-5 logs into records of format 6.
//!
//! A log of format 5 is a flat list of events, one a line, with no mark of where one
//! command's events end. Each command's events are found again by replaying them: a
//! positive test is followed by the conversions of its linked secondary contacts (joined to
//! it), and a daily round's phases, releases and flags form one record of that day's round,
//! the day found as one whose round makes exactly those events (the longest such round). A quiet day made no
//! event in format 5 and so makes no record. A day whose round only released or flagged
//! cases made events that a [`Command::Release`](super::Command::Release) per case makes
//! too: they are upgraded as such (the same events, the same registry). Every record made is
//! checked as [`Registry::apply_record`] checks one, so an upgrade never yields a log that
//! would not replay.

use chrono::NaiveDate;

use super::record::Record;
use super::{Event, Origin, Registry, RegistryError, StateChange, snapshot};
use crate::colour::{Measure, PersonState, REASONS, Standing, State};
use crate::{CaseId, Error, PersonId};

/// Upgrade a format-5 event log (its founding event first) into the records of format 6.
///
/// # Example
/// ```
/// use wangge::{Command, Registry};
/// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
/// use wangge::people::DoorLabel;
///
/// let levels = LevelScheme::zhengzhou();
/// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
/// let mut events = vec![reg.founding_event()];
/// events.extend(reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?);
/// let records = wangge::registry::upgrade_v5_log(&events)?;
/// assert_eq!(records.len(), 2);
/// assert_eq!(Registry::replay_records(&records)?, reg);
/// # Ok::<(), wangge::Error>(())
/// ```
///
/// # Errors
/// [`RegistryError::Replay`] naming the first event (by its index in the format-5 log) that
/// is refused or that no command makes there.
pub fn upgrade_v5_log(events: &[Event]) -> Result<Vec<Record>, Error> {
    let wrap = |index: usize, e: Error| Error::from(RegistryError::Replay { index, source: Box::new(e) });
    let mut reg = match events.first() {
        Some(Event::Founded { format, scheme, root }) => {
            snapshot::check_format(*format).map_err(|e| wrap(0, e.into()))?;
            // A format-5 log is upgraded into a log founded in format 6, as the build of format
            // 6 upgraded it: the same founding record, and the colour rule of format 6. Events
            // of today's format (a host's flat list) keep theirs.
            let founded = (*format).clamp(snapshot::UPGRADED_STATES_FORMAT, snapshot::FORMAT_VERSION);
            Registry::founded_in(scheme.clone(), root.clone(), founded).map_err(|e| wrap(0, e))?
        }
        _ => return Err(wrap(0, RegistryError::Founding.into())),
    };
    let mut records = vec![reg.founding_record()];
    records.extend(reg.upgrade_v5_tail(events.get(1..).unwrap_or_default(), 1)?);
    Ok(records)
}

impl Registry {
    /// Apply the events of a format-5 log that continue this registry (the tail after a
    /// format-5 snapshot, loaded by [`Registry::from_snapshot`]) and return the records of
    /// format 6 they become, continuing the registry's head. `first_index` is the index of
    /// `events[0]` in the format-5 log, for the errors.
    ///
    /// # Errors
    /// [`RegistryError::Replay`] naming the first event that is refused or that no command
    /// makes there; the registry then holds the records before it.
    pub fn upgrade_v5_tail(&mut self, events: &[Event], first_index: usize) -> Result<Vec<Record>, Error> {
        let mut records = Vec::new();
        let mut i = 0;
        while i < events.len() {
            let index = first_index + i;
            let wrap = |e: Error| Error::from(RegistryError::Replay { index, source: Box::new(e) });
            let (round, decided) = self.v5_command(&events[i..]).map_err(wrap)?;
            let position =
                self.head.position.checked_add(1).ok_or(RegistryError::LogFull).map_err(|e| wrap(e.into()))?;
            let record = Record::new(&self.head.digest, position, None, round, decided);
            self.commit_events(record.events(), record.first_checked()).map_err(wrap)?;
            self.advance(&record);
            i += record.events().len();
            records.push(record);
        }
        Ok(records)
    }

    /// The events of the command that begins `events` (a format-5 log's rest), checked, and
    /// the day of its round if it is one.
    fn v5_command(&self, events: &[Event]) -> Result<(Option<NaiveDate>, Vec<Event>), Error> {
        let Some(first) = events.first() else { return Ok((None, Vec::new())) };
        match first {
            // A day opened (a log of events written since the registry kept its date): the
            // day's whole round follows it.
            Event::DayOpened { on, .. } => {
                let decided = self.day_events(*on)?;
                if !self.same_events(events, &decided) {
                    return Err(RegistryError::RecordEvents {
                        what: format!("the day's {} events are not all in the log, in order", decided.len()),
                    }
                    .into());
                }
                return Ok((None, decided));
            }
            // Rounds without a day opened are format 5's, read before any day was opened.
            Event::PhaseEntered { .. } if self.business_date().is_none() => return self.v5_round(events),
            // A release or a flag may begin a day's round or be a `Release` command's: the
            // round is taken when one makes these events.
            Event::CaseReleased { .. } | Event::CaseFlagged { .. } if self.business_date().is_none() => {
                if let Ok(round) = self.v5_round(events) {
                    return Ok(round);
                }
            }
            _ => {}
        }
        if let Event::CaseConverted { .. } = first {
            return Err(RegistryError::RecordEvents {
                what: "a conversion that follows no positive test of its close contact".to_owned(),
            }
            .into());
        }
        let first = if self.founded < snapshot::FORMAT_VERSION {
            self.fit_format_6(first)?
        } else {
            self.check(first, Origin::Log)?;
            first.clone()
        };
        let mut decided = vec![first.clone()];
        self.follow_ups(&first, &mut decided)?;
        if !self.same_events(events, &decided) {
            return Err(RegistryError::RecordEvents {
                what: format!("the command's {} events are not all in the log, in order", decided.len()),
            }
            .into());
        }
        Ok((None, decided))
    }

    /// The daily round that begins `events`: the longest that a day's round makes from the
    /// start of the run of round events there (phases, releases, flags). A round's day is at
    /// least each of its events' dates (a phase's first day, a flag's day, the day after a
    /// released case's last day), so the candidates are those dates; a later day's round
    /// holds the earlier's cases, so the search stops at a round longer than the run. Days
    /// whose rounds followed each other with no command between may so become one record of
    /// the later day: the same events, the same registry.
    fn v5_round(&self, events: &[Event]) -> Result<(Option<NaiveDate>, Vec<Event>), Error> {
        let run = events
            .iter()
            .take_while(|e| {
                matches!(e, Event::PhaseEntered { .. } | Event::CaseReleased { .. } | Event::CaseFlagged { .. })
            })
            .count();
        let mut days: Vec<NaiveDate> = events[..run]
            .iter()
            .filter_map(|e| match e {
                Event::PhaseEntered { on, .. } | Event::CaseFlagged { on, .. } => Some(*on),
                Event::CaseReleased { case, .. } => self.schedule(*case).ok()?.last_day().succ_opt(),
                _ => None,
            })
            .collect();
        let Some(&earliest) = days.first() else {
            return Err(RegistryError::RecordEvents { what: "no daily round makes these events".to_owned() }.into());
        };
        days.retain(|&d| d >= earliest);
        days.sort_unstable();
        days.dedup();
        let mut found = None;
        for today in days {
            let round = self.round_events(today, today)?;
            if round.len() > run {
                break;
            }
            if !round.is_empty() && self.same_events(events, &round) {
                found = Some((Some(today), round));
            }
        }
        if let Some(found) = found {
            return Ok(found);
        }
        Err(RegistryError::RecordEvents { what: "no daily round makes these events".to_owned() }.into())
    }
}

/// A place in an event that holds a person's state, for the upgrade of format 6.
pub(super) enum Slot<'a> {
    /// A person's state when registered.
    One(&'a mut PersonState),
    /// A change of state made by a command (`StateChanged`).
    Pair(&'a mut PersonState, &'a mut PersonState),
    /// A case event's change.
    Change(&'a mut StateChange),
    /// A case event's change, if any.
    Maybe(&'a mut Option<StateChange>),
}

impl Event {
    /// Every place in the event that holds a person's state, in field order.
    pub(super) fn state_slots(&mut self) -> Vec<Slot<'_>> {
        match self {
            Event::PersonRegistered { state, .. } => vec![Slot::One(state)],
            Event::StateChanged { from, to, .. } => vec![Slot::Pair(from, to)],
            Event::CaseReleased { change, .. } => vec![Slot::Change(change)],
            Event::CaseStarted { change, .. }
            | Event::CaseRestarted { change, .. }
            | Event::CaseConverted { change, .. }
            | Event::PhaseEntered { change, .. }
            | Event::CaseReopened { change, .. }
            | Event::PolicyChanged { change, .. }
            | Event::CaseAdjusted { change, .. }
            | Event::CheckRecorded { escalation: change, .. }
            | Event::TestRecorded { escalation: change, .. } => vec![Slot::Maybe(change)],
            Event::CheckCorrected { escalation, undone, .. } | Event::TestCorrected { escalation, undone, .. } => {
                vec![Slot::Maybe(escalation), Slot::Maybe(undone)]
            }
            _ => Vec::new(),
        }
    }

    /// The event as format 6 wrote it, up to what format 6 could not say: every state as its
    /// format-6 state (`Standing::format_6`, read back as `PersonState::from_format_6`), the
    /// state before a change without its date (a change of measure alone, which format 6 did
    /// not record, moves it), and a change that format 6 did not see (of the measure alone,
    /// recolouring nothing) left out. Two events with the same view are the same format-6
    /// event.
    pub(super) fn format_6_view(&self) -> Event {
        let canon = |p: &PersonState| PersonState::from_format_6(p.standing().format_6(), p.since());
        let undated = |p: &PersonState| PersonState::from_format_6(p.standing().format_6(), NaiveDate::MIN);
        let mut e = self.clone();
        for slot in e.state_slots() {
            match slot {
                Slot::One(p) => *p = canon(p),
                Slot::Pair(from, to) => (*from, *to) = (undated(from), canon(to)),
                Slot::Change(c) => (c.from, c.to) = (undated(&c.from), canon(&c.to)),
                Slot::Maybe(o) => {
                    if let Some(c) = o {
                        (c.from, c.to) = (undated(&c.from), canon(&c.to));
                        if c.from.standing() == c.to.standing() && c.recolours.is_empty() {
                            *o = None;
                        }
                    }
                }
            }
        }
        e
    }
}

/// The standings a format-6 state read as `state` may have been, most likely first:
/// `derived` (the reason the context gives) first for centralised isolation.
fn candidates(state: PersonState, derived: Option<State>) -> Vec<PersonState> {
    let since = state.since();
    let old = state.standing().format_6();
    let standings: Vec<Standing> = match old.reason() {
        None => {
            let first = Standing::from_format_6(old, derived);
            std::iter::once(first)
                .chain(REASONS.into_iter().filter_map(|r| Standing::new(r, Measure::CentralisedIsolation).ok()))
                .collect()
        }
        Some(reason) => std::iter::once(Standing::of(reason))
            .chain(
                [Measure::None, Measure::HealthManagement, Measure::HomeIsolation]
                    .into_iter()
                    .filter_map(|m| Standing::new(reason, m).ok()),
            )
            .collect(),
    };
    let mut out: Vec<PersonState> = Vec::new();
    for s in standings {
        let p = PersonState::with_standing(s, since);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// The case an event with a change of state is of.
fn case_of(event: &Event) -> Option<CaseId> {
    match event {
        Event::CaseRestarted { case, .. }
        | Event::CaseConverted { case, .. }
        | Event::PhaseEntered { case, .. }
        | Event::CaseReleased { case, .. }
        | Event::CaseReopened { case, .. }
        | Event::PolicyChanged { case, .. }
        | Event::CaseAdjusted { case, .. }
        | Event::CheckRecorded { case, .. }
        | Event::TestRecorded { case, .. }
        | Event::CheckCorrected { case, .. }
        | Event::TestCorrected { case, .. } => Some(*case),
        _ => None,
    }
}

/// The most combinations of standings tried for one format-6 event (a handful are tried in
/// practice: the likeliest is first).
const MAX_FITS: usize = 4096;

impl Registry {
    /// After loading a snapshot of format 5 or 6: the person of every active case takes the
    /// standing its category has in the phase the case was last settled in (the category's
    /// reason under the phase's measure, [`Category::standing_on`](crate::quarantine::Category::standing_on)),
    /// which format 6 stored as a state; every other person keeps the state read
    /// (`PersonState::from_format_6`: a centralised isolation with no case to give its reason
    /// is present and well under centralised isolation).
    pub(super) fn upgrade_states(&mut self) {
        let active: Vec<CaseId> = self.active_cases();
        for id in active {
            let (Ok(case), Ok(schedule)) = (self.case(id), self.schedule(id)) else { continue };
            let standing = case.category().standing_on(&schedule, case.settled());
            let person = case.person();
            if let Some(state) = self.states.get_mut(person.index()) {
                *state = PersonState::with_standing(standing, state.since());
            }
        }
    }

    /// The person an event's states are of (`None` for a person not registered yet).
    fn person_of(&self, event: &Event) -> Option<PersonId> {
        match event {
            Event::StateChanged { person, .. } | Event::CaseStarted { person, .. } => Some(*person),
            _ => case_of(event).and_then(|c| self.case(c).ok()).map(|c| c.person()),
        }
    }

    /// The reason a format-6 centralised isolation in `event` is derived to have: the
    /// category's of the case the event is of, else the person's reason before.
    fn derived_reason(&self, event: &Event) -> Option<State> {
        if let Event::CaseStarted { category, .. } = event {
            return Some(category.reason());
        }
        if let Some(case) = case_of(event).and_then(|c| self.case(c).ok()) {
            return Some(case.category().reason());
        }
        let person = self.person_of(event)?;
        Some(self.state(person).ok()?.state())
    }

    /// The event of format 7 that a format-6 command's first event, read with its states as
    /// `PersonState::from_format_6` reads them, stands for: each state replaced by the
    /// standing that makes the event the one this registry decides (checked as a log's first
    /// event is), whose format-6 view is the event's. The likeliest standings are tried first
    /// (the person's state before; for centralised isolation the reason derived from the
    /// case, else the reason before, else present and well).
    ///
    /// # Errors
    /// The refusal of the event as read when no standing fits.
    pub(super) fn fit_format_6(&self, event: &Event) -> Result<Event, Error> {
        let mut probe = event.clone();
        if probe.state_slots().is_empty() {
            return self.check(event, Origin::Log).map(|()| event.clone());
        }
        // Not the event as read first: a format-6 centralised isolation reads as present and
        // well at a site, which a check may accept where the derived reason is another.
        let mut refused = None;
        let derived = self.derived_reason(event);
        let current = self.person_of(event).and_then(|p| self.state(p).ok());
        // The candidates of each state in the event, `from` then `to` of each change.
        let mut options: Vec<Vec<PersonState>> = Vec::new();
        for slot in probe.state_slots() {
            let pairs: Vec<(Option<&PersonState>, &PersonState)> = match slot {
                Slot::One(p) => vec![(None, &*p)],
                Slot::Pair(from, to) => vec![(Some(&*from), &*to)],
                Slot::Change(c) => vec![(Some(&c.from), &c.to)],
                Slot::Maybe(Some(c)) => vec![(Some(&c.from), &c.to)],
                Slot::Maybe(None) => Vec::new(),
            };
            for (from, to) in pairs {
                if let Some(from) = from {
                    let mut fs = candidates(*from, derived);
                    if let Some(now) = current
                        && now.standing().format_6() == from.standing().format_6()
                    {
                        fs.retain(|c| c != &now);
                        fs.insert(0, now);
                    }
                    options.push(fs);
                }
                options.push(candidates(*to, derived));
            }
        }
        let mut pick = vec![0usize; options.len()];
        for _ in 0..MAX_FITS {
            let mut k = 0;
            for slot in probe.state_slots() {
                let mut set = |p: &mut PersonState| {
                    *p = options[k][pick[k]];
                    k += 1;
                };
                match slot {
                    Slot::One(p) => set(p),
                    Slot::Pair(from, to) => {
                        set(from);
                        set(to);
                    }
                    Slot::Change(c) => {
                        set(&mut c.from);
                        set(&mut c.to);
                    }
                    Slot::Maybe(Some(c)) => {
                        set(&mut c.from);
                        set(&mut c.to);
                    }
                    Slot::Maybe(None) => {}
                }
            }
            match self.check(&probe, Origin::Log) {
                Ok(()) => return Ok(probe),
                Err(e) => {
                    refused.get_or_insert(e);
                }
            }
            // The next combination, the last state's candidates turning fastest.
            let mut i = options.len();
            loop {
                if i == 0 {
                    return Err(refused.unwrap_or_else(|| {
                        RegistryError::RecordEvents { what: "no standing fits".to_owned() }.into()
                    }));
                }
                i -= 1;
                pick[i] += 1;
                if pick[i] < options[i].len() {
                    break;
                }
                pick[i] = 0;
            }
        }
        Err(refused.unwrap_or_else(|| RegistryError::RecordEvents { what: "no standing fits".to_owned() }.into()))
    }

    /// The events of format 7 that a record of format 6 stands for, decided on this state:
    /// its first event fitted ([`Registry::fit_format_6`]), the follow-ups and daily rounds
    /// decided by this build, all of them checked, and their format-6 view
    /// ([`Event::format_6_view`]) the record's. Its position and request are checked as
    /// [`Registry::apply_record`] checks them; its digest, over the events as format 6 wrote
    /// them, is taken as written (this build cannot write format 6's states again).
    pub(super) fn upgrade_v6_record(&self, record: &Record) -> Result<Vec<Event>, Error> {
        self.check_sequence(record)?;
        let events = record.events();
        let decided = self.decide_from_record(record, |reg, first| reg.fit_format_6(first))?;
        Self::expect_format_6(events, &decided)?;
        Ok(decided)
    }

    /// Whether `events` begins with `decided`: in their format-6 views in a log founded before
    /// format 7 (its states are format 6's), exactly in one of today's format.
    fn same_events(&self, events: &[Event], decided: &[Event]) -> bool {
        let Some(head) = events.get(..decided.len()) else { return false };
        if self.founded >= snapshot::FORMAT_VERSION {
            return head == decided;
        }
        head.iter().zip(decided).all(|(a, b)| a.format_6_view() == b.format_6_view())
    }

    /// Refuse `decided` unless its format-6 view is `found`'s.
    pub(super) fn expect_format_6(found: &[Event], decided: &[Event]) -> Result<(), Error> {
        let same = found.len() == decided.len()
            && found.iter().zip(decided).all(|(a, b)| a.format_6_view() == b.format_6_view());
        if same {
            return Ok(());
        }
        let at = found.iter().zip(decided).take_while(|(a, b)| a.format_6_view() == b.format_6_view()).count();
        Err(RegistryError::RecordEvents {
            what: format!(
                "the format-6 command makes {} events on this state, the record holds {}; they differ from event {at}",
                decided.len(),
                found.len()
            ),
        }
        .into())
    }
}
