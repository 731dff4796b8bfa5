//! Isolation and quarantine periods 隔离期: policies, their phases and the schedules they give;
//! cases and the daily agenda.
//!
//! A [`Policy`] is a value: what the period counts from (its [`Anchor`]), a sequence of
//! [`Phase`]s (a [`Setting`] and a length in days, with the test days within it), how many
//! checks a day, the fever threshold, and how the period ends. Policies are data with a source,
//! never constants in code: [`Policy::presets`] lists the seed's own rule, the Chinese national
//! protocols of 2020–2022 and the US CDC's and WHO's rules for contacts, each citing its
//! source (a row of `ISOLATION_RULES.md`, or the seed).
//!
//! A [`Schedule`] is what a policy gives for one anchor date: every phase's first and last
//! day, every test day, every check slot and the release date. It is a pure function of the
//! policy and the date, so a new exposure during the period simply asks for a new schedule.
//!
//! The published protocols also say what happens around the period, and the policy says it as
//! data too: a shorter period earned by a negative sample taken in a window of days
//! ([`EarlyRelease`]: the US CDC's "7 days with a test on day 5 or later"), and obligations
//! after release ([`AfterRelease`]: symptom monitoring and a mask through day 14), which do not
//! hold the release but show on the agenda, a fever in them making a suspected case. A case's
//! own schedule ([`Case::schedule`]) adds what was done to it: the protocol changes applied to
//! people already isolated and the extensions and reductions of its period ([`CaseChange`],
//! kept with the release date each replaced).
//!
//! A [`Case`] is one person under one policy, kept by the [`Registry`](crate::Registry): its
//! [`Category`] and the phase give the person's [`State`](crate::colour::State) (so the
//! household's colour follows the case), the checks and tests recorded decide whether it may
//! be released ([`Case::release_blockers`]), and it ends released or escalated
//! ([`CaseStatus`]; a released case may still escalate during its obligations after release).
//! The [`Agenda`] is what the registry answers each morning: who was released or escalated,
//! who needs review, whose release and tests are due, who missed checks the day before, who
//! is released but still monitoring their symptoms.
//!
//! ```text
//! Policy ──schedule(anchor date)──▶ Schedule: phases, tests, check slots, release
//!    │                                  │
//!    └── Command::StartCase ──▶ Case ───┴──▶ person's State ──▶ household colour, tallies
//!        RecordCheck / RecordTest / Exposed / Release / OpenDay ──▶ Registry::agenda(today)
//!        ChangePolicy / AdjustCase ──▶ Case::changes, the case's schedule recomputed
//! ```
//!
//! This module holds the pure rules and values; the registry applies them
//! ([`Command::StartCase`](crate::Command::StartCase) and the commands after it).
//!
//! ## Counting days
//! The anchor date is day 0; an N-day phase covers days 1..=N and the next phase starts on day
//! N + 1 ([`DayCounting::AnchorIsDayZero`], the national protocols' and the seeds' rule).
//! Some localities counted the arrival day as day 1 ([`DayCounting::AnchorIsDayOne`]): then
//! everything falls one day earlier. Chinese practice releases a person **on** the last day
//! once that day's check or test is clean ([`Release::OnLastDay`]); the US CDC frees a person
//! on the day after ("after day N", [`Release::DayAfter`]). Whether the period ends by itself
//! or only after a clean last-day check is a policy choice too ([`Ending`]).
//!
//! ```
//! use chrono::NaiveDate;
//! use wangge::quarantine::{Policy, Setting};
//!
//! // CN edition 9, close contact: 7 days centralised isolation + 3 days home health monitoring.
//! let policy = Policy::cn_ed9_close_contact();
//! let exposed = NaiveDate::from_ymd_opt(2022, 7, 1).unwrap();
//! let schedule = policy.schedule(exposed)?;
//! let jul = |d| NaiveDate::from_ymd_opt(2022, 7, d).unwrap();
//! assert_eq!(schedule.phases()[0].setting(), Setting::CentralisedIsolation);
//! assert_eq!((schedule.phases()[0].first(), schedule.phases()[0].last()), (jul(2), jul(8)));
//! assert_eq!(schedule.test_days().collect::<Vec<_>>(), [jul(2), jul(3), jul(4), jul(6), jul(8), jul(11)]);
//! assert_eq!(schedule.release(), jul(11)); // released on day 10 once its test is negative
//! assert_eq!(schedule.day_number(jul(11)), 10);
//! # Ok::<(), wangge::quarantine::QuarantineError>(())
//! ```

mod agenda;
mod case;
mod category;
mod policy;
mod presets;
mod schedule;

pub use agenda::{Agenda, AgendaItem, Item, LabelledItem};
pub use case::{
    Case, CaseChange, CaseError, CaseStatus, DayRecord, LinkProblem, MAX_REASON_CHARS, Reading, Reason, ReviewReason,
    Sample, TestResult,
};
pub use category::{Category, Link};
pub use policy::{
    AfterRelease, EarlyRelease, LinkedRelease, MAX_CHECKS_PER_DAY, MAX_NAME_CHARS, MAX_SOURCE_CHARS, MAX_TOTAL_DAYS,
    Phase, Policy, PolicyBuilder, Temperature,
};
pub use schedule::{PhaseDates, Schedule};

pub(crate) use policy::deserialize_every_field as deserialize_policy_every_field;

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What can go wrong with isolation policies and schedules.
///
/// Phase indices count from 0, in the policy's order, as in [`Schedule::phases`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum QuarantineError {
    /// A policy with no phases.
    #[error("a policy needs at least one phase")]
    NoPhases,
    /// A phase of 0 days.
    #[error("phase {phase} lasts 0 days: expected at least 1")]
    ZeroLength {
        /// The phase's index, from 0.
        phase: usize,
    },
    /// A test day that is not one of the phase's days 1..=N.
    #[error("test day {day} of phase {phase} lies outside its days 1..={days}")]
    TestDayOutsidePhase {
        /// The phase's index, from 0.
        phase: usize,
        /// The test day, counted from 1 within the phase.
        day: u16,
        /// How many days the phase has.
        days: u16,
    },
    /// No checks a day, while the period ends only after a clean last-day check: there would
    /// be no check to end it.
    #[error("0 checks a day, but the period ends only after a clean last-day check: expected at least 1")]
    ZeroChecks,
    /// More checks a day than [`MAX_CHECKS_PER_DAY`].
    #[error("{checks} checks a day: expected at most {max}")]
    TooManyChecks {
        /// The number given.
        checks: u8,
        /// The most allowed.
        max: u8,
    },
    /// A temperature outside the plausible 30.0–45.0 °C.
    #[error("a temperature of {}.{} °C: expected 30.0 to 45.0 °C", tenths / 10, tenths % 10)]
    InvalidTemperature {
        /// The reading, in tenths of a degree Celsius.
        tenths: u16,
    },
    /// Text that is not a temperature such as `37.3`.
    #[error("{text:?} is not a temperature: expected degrees Celsius with at most one decimal, such as 37.3")]
    UnparsableTemperature {
        /// The text given (at most 40 characters of it).
        text: String,
    },
    /// A policy name that is empty, too long or holds control characters.
    #[error(
        "invalid policy name of {chars} characters: expected 1 to {max} characters, not all blank, no control characters"
    )]
    InvalidName {
        /// How many characters the name had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A source citation that is too long or holds control characters.
    #[error("invalid source of {chars} characters: expected at most {max} characters, no control characters")]
    InvalidSource {
        /// How many characters the source had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A period longer than [`MAX_TOTAL_DAYS`].
    #[error("the phases last {days} days in all: expected at most {max}")]
    TooLong {
        /// The total length.
        days: u32,
        /// The most allowed.
        max: u32,
    },
    /// A linked release that waits on 0 tests.
    #[error("a linked release must wait on at least 1 test of the linked close contact")]
    ZeroLinkedTests,
    /// A shorter period whose sample window is empty (`sample_from` 0 or after `days`), or
    /// that is not shorter than the full period.
    #[error(
        "a shorter period of {days} days with samples from day {sample_from}: expected 1 <= sample_from <= days < {total}"
    )]
    InvalidEarlyRelease {
        /// The shorter period's days.
        days: u16,
        /// The first day a sample counts.
        sample_from: u16,
        /// The full period's days.
        total: u32,
    },
    /// Obligations after release that end within the period, or after [`MAX_TOTAL_DAYS`].
    #[error(
        "obligations after release through day {through}: expected after the period's {total} days and at most day 366"
    )]
    InvalidAfterRelease {
        /// The last day given.
        through: u16,
        /// The full period's days.
        total: u32,
    },
    /// A case's period adjusted to fewer than 1 day or more than [`MAX_TOTAL_DAYS`].
    #[error("a period of {days} days: expected 1 to 366")]
    InvalidLength {
        /// The length it would have.
        days: i64,
    },
    /// A date of the schedule falls outside the calendar chrono can represent.
    #[error("day {day} counted from {anchor} is outside the representable calendar")]
    DateOutOfRange {
        /// The anchor date.
        anchor: NaiveDate,
        /// The day number that could not be reached.
        day: u32,
    },
}

/// What a period counts from: the event on the anchor date.
///
/// Serialised by variant name (`"LastExposure"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Anchor {
    /// The last exposure to a case 末次暴露 (close and secondary contacts).
    LastExposure,
    /// Leaving a high- or medium-risk area 离开风险地区.
    DepartureFromRiskArea,
    /// Arrival 抵达 (seed 001: arrivals from Wuhan; inbound travellers 入境).
    Arrival,
    /// Symptom onset 发病.
    SymptomOnset,
    /// A positive test 检测阳性 (the sampling date).
    PositiveTest,
}

impl Anchor {
    /// Every anchor, in declaration order.
    pub const ALL: [Anchor; 5] = [
        Anchor::LastExposure,
        Anchor::DepartureFromRiskArea,
        Anchor::Arrival,
        Anchor::SymptomOnset,
        Anchor::PositiveTest,
    ];

    /// The Chinese name.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Anchor::LastExposure => "末次暴露",
            Anchor::DepartureFromRiskArea => "离开风险地区",
            Anchor::Arrival => "抵达",
            Anchor::SymptomOnset => "发病",
            Anchor::PositiveTest => "检测阳性",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            Anchor::LastExposure => "last exposure",
            Anchor::DepartureFromRiskArea => "departure from a risk area",
            Anchor::Arrival => "arrival",
            Anchor::SymptomOnset => "symptom onset",
            Anchor::PositiveTest => "positive test",
        }
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// Where and how a phase is spent.
///
/// Serialised by variant name (`"CentralisedIsolation"`).
///
/// # Example
/// ```
/// use wangge::quarantine::Setting;
/// assert_eq!(Setting::HomeHealthMonitoring.label_zh(), "居家健康监测");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Setting {
    /// Centralised isolation 集中隔离, at a designated site (an observation centre for close
    /// contacts 密切接触者留观中心, a quarantine hotel).
    CentralisedIsolation,
    /// Home isolation 居家隔离: the person does not leave home (seed 001's home isolation
    /// observation 居家隔离观察).
    HomeIsolation,
    /// Home medical observation 居家医学观察: home isolation under a health worker's
    /// observation.
    HomeMedicalObservation,
    /// Home health monitoring 居家健康监测: at home, checks and tests continue, gatherings are
    /// avoided.
    HomeHealthMonitoring,
}

impl Setting {
    /// Every setting, in declaration order.
    pub const ALL: [Setting; 4] = [
        Setting::CentralisedIsolation,
        Setting::HomeIsolation,
        Setting::HomeMedicalObservation,
        Setting::HomeHealthMonitoring,
    ];

    /// The Chinese name: 集中隔离, 居家隔离, 居家医学观察, 居家健康监测.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Setting::CentralisedIsolation => "集中隔离",
            Setting::HomeIsolation => "居家隔离",
            Setting::HomeMedicalObservation => "居家医学观察",
            Setting::HomeHealthMonitoring => "居家健康监测",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            Setting::CentralisedIsolation => "centralised isolation",
            Setting::HomeIsolation => "home isolation",
            Setting::HomeMedicalObservation => "home medical observation",
            Setting::HomeHealthMonitoring => "home health monitoring",
        }
    }

    /// Whether the phase is spent at home (every setting but centralised isolation).
    pub const fn at_home(self) -> bool {
        !matches!(self, Setting::CentralisedIsolation)
    }

    /// The [`Measure`](crate::colour::Measure) a phase of this setting puts a person under:
    /// centralised isolation at a site; home isolation for home isolation and home medical
    /// observation (seed 000's arrivals from key areas "居家医学观察" are home isolation);
    /// health management for home health monitoring, which is followed up but not isolation.
    ///
    /// # Example
    /// ```
    /// use wangge::colour::Measure;
    /// use wangge::quarantine::Setting;
    /// assert_eq!(Setting::HomeMedicalObservation.measure(), Measure::HomeIsolation);
    /// assert_eq!(Setting::HomeHealthMonitoring.measure(), Measure::HealthManagement);
    /// ```
    pub const fn measure(self) -> crate::colour::Measure {
        use crate::colour::Measure;
        match self {
            Setting::CentralisedIsolation => Measure::CentralisedIsolation,
            Setting::HomeIsolation | Setting::HomeMedicalObservation => Measure::HomeIsolation,
            Setting::HomeHealthMonitoring => Measure::HealthManagement,
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// On which day a person is released 解除隔离.
///
/// Serialised by variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Release {
    /// Released **on** the last day once its checks pass (Chinese practice): release =
    /// day N.
    #[default]
    OnLastDay,
    /// Free on the day after the last day ("after day N", as the US CDC counts): release =
    /// day N + 1.
    DayAfter,
}

/// How the period ends.
///
/// Systems in the field disagree; users of those that do not end a period by itself complain,
/// so it is a policy choice.
///
/// Serialised by variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Ending {
    /// The period ends by itself on the release date.
    Automatic,
    /// The period ends only once the last day's check (and test, if one is due) is recorded
    /// clean. Needs at least one check a day.
    #[default]
    AfterCleanLastCheck,
}

/// How the anchor date is numbered.
///
/// Serialised by variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DayCounting {
    /// The anchor date is day 0; the first phase starts on day 1, the day after (the national
    /// protocols: exposure or departure day = day 0).
    #[default]
    AnchorIsDayZero,
    /// The anchor date is day 1: "the arrival day counts as day 1" (some localities). Every
    /// date of the schedule falls one day earlier than under [`DayCounting::AnchorIsDayZero`].
    AnchorIsDayOne,
}

impl DayCounting {
    /// The number of the anchor date itself: 0 or 1.
    pub const fn anchor_day(self) -> i64 {
        match self {
            DayCounting::AnchorIsDayZero => 0,
            DayCounting::AnchorIsDayOne => 1,
        }
    }
}
