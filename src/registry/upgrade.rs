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
use super::{Event, Origin, Registry, RegistryError, snapshot};
use crate::Error;

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
            Registry::new(scheme.clone(), root.clone()).map_err(|e| wrap(0, e))?
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
                if events.get(..decided.len()) != Some(&decided[..]) {
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
        self.check(first, Origin::Log)?;
        let mut decided = vec![first.clone()];
        self.follow_ups(first, &mut decided)?;
        if events.get(..decided.len()) != Some(&decided[..]) {
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
            if !round.is_empty() && events.get(..round.len()) == Some(&round[..]) {
                found = Some((Some(today), round));
            }
        }
        if let Some(found) = found {
            return Ok(found);
        }
        Err(RegistryError::RecordEvents { what: "no daily round makes these events".to_owned() }.into())
    }
}
