//! The business date 业务日期: the registry's own date, the date of the last daily round
//! ([`Command::OpenDay`]), and the rules every dated record is held to against it.
//!
//! The registry never reads a clock: its date moves only when the host opens a day, and only
//! forward. Opening a day several days ahead runs the days in between in one record, worked
//! out before anything changes ([`Registry::prepare`]): every phase a person's state changes
//! with is entered on its own first day, and each release or flag lands on the day a
//! day-by-day run would judge it, so the outcome is that of opening each day in turn.
//!
//! # The rules, command by command
//!
//! "Today" is the business date. "Before any day" is a registry that has not opened one yet
//! (new, or loaded from a snapshot of format 5, which kept no date).
//!
//! | command | its date | refused when, once a day is open | before any day |
//! |---|---|---|---|
//! | `OpenDay` | `today` | not later than the business date ([`RegistryError::DayNotForward`]) | sets the first business date, runs that day only |
//! | `StartCase`, `Exposed` | `on` | not today ([`RegistryError::NotBusinessDate`]): a case starts on the day it is decided; the anchor says when the exposure was | refused ([`RegistryError::NoBusinessDate`]) |
//! | `ChangePolicy`, `AdjustCase` | `on` | not today: a change of rule or period is made on the day it is decided, and never releases anyone before it | refused |
//! | `RecordCheck` | `at`'s date | after today ([`RegistryError::AfterBusinessDate`]); back-dated is allowed (also in a released case's window of obligations after release) | refused |
//! | `RecordTest` | `on` (the sampling date) | after today; back-dated is allowed (a result arriving days after the sample) | refused |
//! | `Release` | `on` | after today: nothing in the future releases anyone (a blocked release is refused on any date: flags are the round's) | refused |
//! | `CorrectCheck`, `CorrectTest` | the business date; the corrected record's own date | the corrected record after today (the record named may be dated anywhere, so that a far-future typo can be corrected) | refused |
//! | `RegisterPerson` | the state's `since` | after today | allowed (a bulk load of the population as it stands) |
//! | `MovePerson`, `SetState`, `SetMeasure`, `SetColourRule`, `CloseUnit` | `on` | after today | allowed |
//! | `Assign`, `Unassign`, `Solve`, `Replace` | `on` | after today | allowed |
//! | `SetAvailability` | `from`, `until` | never: it is a plan, not a record | allowed |
//! | `CompleteTask`, `OpenTicket` | `at`, `received` | after today; back-dated is allowed (a task of an earlier day carried to today) | refused |
//! | `ReassignTasks` | `on` | not today: the moves hold for the business date | refused |
//! | `AdoptWorkPlan` | none | never | allowed |
//! | `RecordExposure` | the exposure's `on` | after today; back-dated is allowed (a flow investigation finds exposures of the days before) | refused |
//! | `TraceContacts` | `on` | not today: the contacts' cases start on the day the trace is decided; their anchors are their last exposures | refused |
//! | `RecordArrival` | the arrival date | after today; back-dated is allowed (arrivals registered days later) | allowed (a bulk load of past arrivals) |
//! | `ReceiveTracedBatch`, `HandOverTraced` | `received`, `at` | after today; back-dated is allowed (a list received yesterday, entered today) | refused |
//! | `ControlTraced` | `at` | not today: the measure is taken on the day it is decided (a case starts today) | refused |
//! | `RecordVisit` | `at` | after today; back-dated is allowed (a visit entered the next morning); the cases it starts for persons back from a key area start on the business date, anchored on their arrival | refused |
//! | `StartCampaign` | `from` | never: it is a plan, not a record | allowed |
//! | `ChangeFiling`, `CheckWorkplace`, `SetEmployees`, `ContractWorkplace`, `MarkRental` | `on` | after today; back-dated is allowed (a filing entered days later) | allowed (a bulk load of the workplaces as they stand) |
//! | `InspectRental` | the inspection's `on` | after today; back-dated is allowed | allowed |
//! | `SetCompoundStatus`, `IssuePass`, `RevokePass` | `on` | after today; back-dated is allowed (an order of yesterday entered today; a status history stays in date order) | allowed (a bulk load of the compounds as they stand) |
//! | `RecordEntry` | `at` | after today; back-dated is allowed (a paper register entered later); a resident's fever escalates their case today, as `RecordCheck` does | refused |
//! | `SetCheckpoint`, `CloseEntrance`, `ReopenEntrance`, `SetOneEntranceRule`, `RecordShiftRoster` | `on` | after today; back-dated is allowed (a gate closed yesterday entered today; a closure or rule history stays in date order); a roster's own dates may run ahead (it is a plan) | allowed (a bulk load of the gates as they stand) |
//! | units, overlays, households, markers, policies, staff, schemes | none | never | allowed |
//!
//! # Where consequences land
//!
//! A back-dated record is taken as dated, but what it causes happens on the business date:
//! a fever or a positive result escalates the case today (its status is escalated on the
//! business date, the person's new state begins then, and it shows on today's agenda); the
//! secondary contacts linked to a positive close contact are converted today; a secondary
//! contact released on the close contact's first tests being negative, which a late positive
//! among those tests contradicts, is reopened today as a close contact's case under review
//! ([`ReviewReason::ReleasedBeforeLinkedPositive`](crate::quarantine::ReviewReason::ReleasedBeforeLinkedPositive)).
//! An erratum's consequences land today too.
//!
//! # Logs and snapshots
//!
//! [`Event::DayOpened`] begins every day's round, quiet days included, so a replay restores
//! the business date; a snapshot carries it. Replaying events checks them against the same
//! rules. A log that records for cases before any [`Event::DayOpened`] was written before the
//! registry kept its date (format 5): its events are read as they were written (no date rule,
//! consequences on the records' own dates) until its first day is opened; a snapshot of
//! format 5 has no business date, and the host's next [`Command::OpenDay`] sets it.

use chrono::NaiveDate;

use super::{Event, Registry, RegistryError};
use crate::{Command, Error};

impl Registry {
    /// The business date 业务日期: the date of the last [`Command::OpenDay`], `None` before
    /// the first. Nothing is recorded for a date after it.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry, RegistryError};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// assert_eq!(reg.business_date(), None);
    /// reg.apply(Command::OpenDay { today: feb(1) })?;
    /// // Three days ahead: Feb 2, 3 and 4 are run, in one record.
    /// reg.apply(Command::OpenDay { today: feb(4) })?;
    /// assert_eq!(reg.business_date(), Some(feb(4)));
    /// // Never back.
    /// let back = reg.apply(Command::OpenDay { today: feb(3) }).unwrap_err();
    /// assert_eq!(back, RegistryError::DayNotForward { today: feb(3), business_date: feb(4) }.into());
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn business_date(&self) -> Option<NaiveDate> {
        self.day
    }

    /// The date a record's consequences land on: the business date, or, before any day was
    /// opened (a log of format 5), the record's own `date`.
    pub(super) fn today_or(&self, date: NaiveDate) -> NaiveDate {
        self.day.unwrap_or(date)
    }

    /// Refuse a command by its own date before deciding it, so that a record in the future
    /// is refused for that, whatever else is wrong with it (see the module's table). The
    /// events it becomes are checked again, as every event is.
    pub(super) fn check_command_day(&self, command: &Command) -> Result<(), Error> {
        let (date, today_only, waits) = match command {
            Command::StartCase { on, .. }
            | Command::Exposed { on, .. }
            | Command::ChangePolicy { on, .. }
            | Command::AdjustCase { on, .. } => (*on, true, true),
            Command::RecordCheck { at, .. } => (at.date(), false, true),
            Command::RecordTest { on, .. } | Command::Release { on, .. } => (*on, false, true),
            // The record an erratum names may be dated anywhere; what it should have been may not.
            Command::CorrectCheck { corrected: Some(r), .. } => (r.at.date(), false, true),
            Command::CorrectTest { corrected: Some(s), .. } => (s.on, false, true),
            Command::CorrectCheck { corrected: None, recorded, .. } => {
                return self.day.map(drop).ok_or(RegistryError::NoBusinessDate { date: recorded.at.date() }.into());
            }
            Command::CorrectTest { corrected: None, on, .. } => {
                return self.day.map(drop).ok_or(RegistryError::NoBusinessDate { date: *on }.into());
            }
            Command::RegisterPerson { state, .. } => (state.since(), false, false),
            Command::MovePerson { on, .. }
            | Command::SetState { on, .. }
            | Command::SetMeasure { on, .. }
            | Command::SetColourRule { on, .. }
            | Command::CloseUnit { on, .. }
            | Command::Assign { on, .. }
            | Command::Unassign { on, .. }
            | Command::Solve { on, .. }
            | Command::Replace { on, .. } => (*on, false, false),
            Command::CompleteTask { at, .. } => (at.date(), false, true),
            Command::ReassignTasks { on, .. } => (*on, true, true),
            Command::OpenTicket { received, .. } => (received.date(), false, true),
            Command::RecordExposure { exposure } => (exposure.on(), false, true),
            Command::TraceContacts { on, .. } => (*on, true, true),
            Command::RecordArrival { arrival, .. } => (arrival.arrived(), false, false),
            Command::ReceiveTracedBatch { received, .. } => (received.date(), false, true),
            Command::HandOverTraced { at, .. } => (at.date(), false, true),
            Command::ControlTraced { at, .. } => (at.date(), true, true),
            Command::RecordVisit { visit, .. } => (visit.at.date(), false, true),
            // Issue 17 §3: workplaces and rental properties.
            Command::ChangeFiling { on, .. }
            | Command::CheckWorkplace { on, .. }
            | Command::SetEmployees { on, .. }
            | Command::ContractWorkplace { on, .. }
            | Command::MarkRental { on, .. } => (*on, false, false),
            Command::InspectRental { inspection, .. } => (inspection.on, false, false),
            // Issue 17 §2: closed management, passes, entry checks.
            Command::SetCompoundStatus { on, .. } | Command::IssuePass { on, .. } | Command::RevokePass { on, .. } => {
                (*on, false, false)
            }
            Command::RecordEntry { entry } => (entry.at.date(), false, true),
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            Command::SetCheckpoint { on, .. }
            | Command::CloseEntrance { on, .. }
            | Command::ReopenEntrance { on, .. }
            | Command::SetOneEntranceRule { on, .. }
            | Command::RecordShiftRoster { on, .. } => (*on, false, false),
            _ => return Ok(()),
        };
        match self.day {
            None if waits => Err(RegistryError::NoBusinessDate { date }.into()),
            None => Ok(()),
            Some(business_date) if today_only && date != business_date => {
                Err(RegistryError::NotBusinessDate { date, business_date }.into())
            }
            Some(business_date) if date > business_date => {
                Err(RegistryError::AfterBusinessDate { date, business_date }.into())
            }
            Some(_) => Ok(()),
        }
    }

    /// Check an event's dates against the business date (see the module's table).
    pub(super) fn check_day(&self, event: &Event) -> Result<(), Error> {
        if let Event::DayOpened { from, on } = event {
            if *from != self.day {
                return Err(RegistryError::Mismatch {
                    what: format!("a day opened from {from:?}, but the business date is {:?}", self.day),
                }
                .into());
            }
            return match self.day {
                Some(business_date) if *on <= business_date => {
                    Err(RegistryError::DayNotForward { today: *on, business_date }.into())
                }
                _ => Ok(()),
            };
        }
        let Some(date) = event.date() else { return Ok(()) };
        // Before any day: the structural commands are a bulk load; a log of format 5 is read as
        // it was written; a command recording for a case was refused before it was decided
        // (`check_command_day`), and what follows from one (a conversion, a round) follows.
        let Some(business_date) = self.day else { return Ok(()) };
        let after = |date: NaiveDate| -> Result<(), Error> {
            if date > business_date {
                Err(RegistryError::AfterBusinessDate { date, business_date }.into())
            } else {
                Ok(())
            }
        };
        match event {
            Event::CaseStarted { on, .. }
            | Event::CaseRestarted { on, .. }
            | Event::PolicyChanged { on, .. }
            | Event::CaseAdjusted { on, .. }
                if *on != business_date =>
            {
                Err(RegistryError::NotBusinessDate { date: *on, business_date }.into())
            }
            Event::ContactsTraced { trace } if trace.on != business_date => {
                Err(RegistryError::NotBusinessDate { date: trace.on, business_date }.into())
            }
            Event::TracedControlled { at, .. } if at.date() != business_date => {
                Err(RegistryError::NotBusinessDate { date: at.date(), business_date }.into())
            }
            Event::CheckCorrected { corrected, on, .. } => {
                if *on != business_date {
                    return Err(RegistryError::NotBusinessDate { date: *on, business_date }.into());
                }
                corrected.map_or(Ok(()), |r| after(r.at.date()))
            }
            Event::TestCorrected { corrected, on, .. } => {
                if *on != business_date {
                    return Err(RegistryError::NotBusinessDate { date: *on, business_date }.into());
                }
                corrected.map_or(Ok(()), |s| after(s.on))
            }
            _ => after(date),
        }
    }
}
