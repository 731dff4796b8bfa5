//! Cases 隔离个案: one person under one policy, with the checks and tests recorded for them,
//! and the pure rules that decide whether they may be released.
//!
//! A [`Case`] is a record: the registry makes it ([`Command::StartCase`](crate::Command::StartCase)),
//! changes it by its events (a check or test recorded, a restart, a phase entered, a release)
//! and lends it out read-only ([`Registry::case`](crate::Registry::case)). What a case says
//! about a date is read with its policy's [`Schedule`]: [`Case::release_blockers`] is the rule
//! the registry applies on the release date, and [`CaseStatus`] where the case stands.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Category, Ending, LinkedRelease, Policy, QuarantineError, Schedule};
use crate::colour::State;
use crate::{CaseId, PersonId, PolicyId, StaffId};

/// The longest [`Reason`] accepted, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// Why a case's period was extended or shortened 调整原因: 1 to [`MAX_REASON_CHARS`]
/// characters, not all blank, no control characters. Serialised as a string, read back
/// through the same checks.
///
/// # Example
/// ```
/// use wangge::quarantine::Reason;
/// assert_eq!(Reason::new("复核: 第7天采样阴性")?.as_str(), "复核: 第7天采样阴性");
/// assert!(Reason::new(" ").is_err());
/// # Ok::<(), wangge::quarantine::CaseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    /// A reason.
    ///
    /// # Errors
    /// [`CaseError::InvalidReason`] when empty, blank, longer than [`MAX_REASON_CHARS`] or
    /// holding a control character.
    pub fn new(text: impl Into<String>) -> Result<Self, CaseError> {
        let text = text.into();
        if let Some(chars) = crate::text::bad_name(&text, MAX_REASON_CHARS) {
            return Err(CaseError::InvalidReason { chars, max: MAX_REASON_CHARS });
        }
        Ok(Reason(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = CaseError;
    fn try_from(s: String) -> Result<Self, CaseError> {
        Reason::new(s)
    }
}

impl From<Reason> for String {
    fn from(r: Reason) -> String {
        r.0
    }
}

/// A change made to an active case's period by a command, kept on the case
/// ([`Case::changes`]) with the release date it had before.
///
/// Serialised as `{"PolicyChanged": {...}}` or `{"Adjusted": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum CaseChange {
    /// The case moved to another policy ([`Command::ChangePolicy`](crate::Command::ChangePolicy)):
    /// a protocol change applied to the people already in isolation.
    PolicyChanged {
        /// The business date of the change.
        on: NaiveDate,
        /// The policy it followed.
        from: PolicyId,
        /// The policy it follows from then.
        to: PolicyId,
        /// Its release date before the change.
        previous_release: NaiveDate,
    },
    /// The period was extended (`days` > 0) or shortened (`days` < 0)
    /// ([`Command::AdjustCase`](crate::Command::AdjustCase)).
    Adjusted {
        /// The business date of the adjustment.
        on: NaiveDate,
        /// Days added (negative: taken off).
        days: i16,
        /// Why.
        reason: Reason,
        /// The staff member who authorised it.
        by: StaffId,
        /// Its release date before the adjustment.
        previous_release: NaiveDate,
    },
}

impl CaseChange {
    /// The business date of the change.
    pub const fn on(&self) -> NaiveDate {
        match self {
            CaseChange::PolicyChanged { on, .. } | CaseChange::Adjusted { on, .. } => *on,
        }
    }

    /// The release date before the change.
    pub const fn previous_release(&self) -> NaiveDate {
        match self {
            CaseChange::PolicyChanged { previous_release, .. } | CaseChange::Adjusted { previous_release, .. } => {
                *previous_release
            }
        }
    }
}

/// The result of a test 核酸检测结果.
///
/// Serialised by variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TestResult {
    /// Negative 阴性.
    Negative,
    /// Positive 阳性: the person becomes a confirmed case.
    Positive,
}

/// What was recorded for a case on one date: how many health checks, whether any reported
/// symptoms, and the test result if a sample was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRecord {
    date: NaiveDate,
    checks: u8,
    symptoms: bool,
    test: Option<TestResult>,
}

impl DayRecord {
    fn new(date: NaiveDate) -> Self {
        DayRecord { date, checks: 0, symptoms: false, test: None }
    }

    /// The date.
    pub const fn date(&self) -> NaiveDate {
        self.date
    }

    /// How many checks (temperature readings) were recorded that day, at most 255.
    pub const fn checks(&self) -> u8 {
        self.checks
    }

    /// Whether a check that day reported symptoms.
    pub const fn symptoms(&self) -> bool {
        self.symptoms
    }

    /// The day's test result, if a test was recorded.
    pub const fn test(&self) -> Option<TestResult> {
        self.test
    }
}

/// One health check as it was recorded ([`Command::RecordCheck`](crate::Command::RecordCheck)),
/// named by an erratum ([`Command::CorrectCheck`](crate::Command::CorrectCheck)): when, the
/// temperature, and whether symptoms were reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// When the check was made.
    pub at: chrono::NaiveDateTime,
    /// The temperature read.
    pub temperature: super::Temperature,
    /// Whether symptoms were reported.
    pub symptoms: bool,
}

/// One test result by its sampling date, as an erratum
/// ([`Command::CorrectTest`](crate::Command::CorrectTest)) says it should have been.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    /// The sampling date.
    pub on: NaiveDate,
    /// The result.
    pub result: TestResult,
}

/// Why a case due for release was flagged for review 待复核 instead of released.
///
/// Serialised by variant name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReviewReason {
    /// The policy ends the period only after a clean last-day check
    /// ([`Ending::AfterCleanLastCheck`]), and none was recorded on the last day.
    NoLastDayCheck,
    /// A check on the last day reported symptoms.
    SymptomsOnLastDay,
    /// A test was due on the last day and no negative result was recorded for it.
    NoLastDayTest,
    /// The policy releases a secondary contact only once the linked close contact's first
    /// tests are negative ([`LinkedRelease`]), and they are not all recorded negative yet.
    LinkedTestsPending,
    /// A secondary contact was released while the linked close contact's first tests were
    /// all negative; a positive result recorded since, sampled among those first tests,
    /// breaks the rule it was released on. The case is reopened as a close contact's, under
    /// the close contact's policy, and flagged on the day the result was recorded.
    ReleasedBeforeLinkedPositive,
    /// An erratum removed the fever or positive result that escalated the case, and the
    /// person's way back to the case's state is one [`State::may_become`] does not allow (a
    /// suspected case back into home isolation, say): the case is reopened under review so
    /// that a person looks at it.
    EscalationCorrected,
}

impl ReviewReason {
    /// The English description.
    pub const fn label_en(self) -> &'static str {
        match self {
            ReviewReason::NoLastDayCheck => "no check recorded on the last day",
            ReviewReason::SymptomsOnLastDay => "symptoms reported on the last day",
            ReviewReason::NoLastDayTest => "no negative result for the last day's test",
            ReviewReason::LinkedTestsPending => "the linked close contact's first tests are not all negative yet",
            ReviewReason::ReleasedBeforeLinkedPositive => {
                "released before a positive result among the linked close contact's first tests arrived"
            }
            ReviewReason::EscalationCorrected => "the record that escalated the case was corrected",
        }
    }
}

impl fmt::Display for ReviewReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// What can go wrong with isolation cases in the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CaseError {
    /// No policy has this id.
    #[error("no policy {policy}")]
    UnknownPolicy {
        /// The id asked for.
        policy: PolicyId,
    },
    /// No case has this id.
    #[error("no case {case}")]
    UnknownCase {
        /// The id asked for.
        case: CaseId,
    },
    /// A policy of this name is adopted already.
    #[error("a policy named {name:?} is adopted already, as {policy}")]
    PolicyNameTaken {
        /// The name.
        name: String,
        /// The policy that holds it.
        policy: PolicyId,
    },
    /// The person is under an active case: a second one cannot start (a new exposure restarts
    /// it instead), and their state follows the case, not [`Command::SetState`](crate::Command::SetState).
    #[error("{person} is under the active case {case}")]
    UnderCase {
        /// The person.
        person: PersonId,
        /// Their active case.
        case: CaseId,
    },
    /// The person has no active case to record for.
    #[error("{person} has no active case")]
    NoActiveCase {
        /// The person.
        person: PersonId,
    },
    /// An erratum would date the positive result that confirmed the case after the day it was
    /// confirmed: a confirmed case stands on a positive sampled on or before that day.
    #[error("case {case} was confirmed on {escalated}; its positive result cannot be dated {on}, later")]
    PositiveAfterEscalation {
        /// The case.
        case: CaseId,
        /// The date asked for.
        on: NaiveDate,
        /// The day it was confirmed.
        escalated: NaiveDate,
    },
    /// The case has ended (released or escalated).
    #[error("case {case} ended on {on}")]
    Ended {
        /// The case.
        case: CaseId,
        /// The date it ended.
        on: NaiveDate,
    },
    /// A period cannot start, or be restarted, on a date before its anchor.
    #[error("the anchor {anchor} is after {on}, the date the case starts")]
    AnchorAfterStart {
        /// The anchor date.
        anchor: NaiveDate,
        /// The date of the command.
        on: NaiveDate,
    },
    /// The period would be over already: its release date is before the date of the command.
    #[error("the period from that anchor was over on {release}, before {on}")]
    PeriodOver {
        /// The release date the period would have.
        release: NaiveDate,
        /// The date of the command.
        on: NaiveDate,
    },
    /// A new exposure must be later than the anchor the case counts from: a restart never
    /// shortens a case.
    #[error("a new exposure on {anchor} is not after the current anchor {current}")]
    RestartNotLater {
        /// The new anchor.
        anchor: NaiveDate,
        /// The case's anchor.
        current: NaiveDate,
    },
    /// A restart dated before the case last set its person's state (its start, a phase
    /// entered, an earlier restart): the case cannot go back.
    #[error("a restart dated {on} goes back before {settled}, when the case last set its person's state")]
    BackDated {
        /// The date of the command.
        on: NaiveDate,
        /// The case's [`Case::settled`] date.
        settled: NaiveDate,
    },
    /// A check or test dated before the case's anchor.
    #[error("a record dated {date} is before the case's anchor {anchor}")]
    BeforeAnchor {
        /// The record's date.
        date: NaiveDate,
        /// The anchor.
        anchor: NaiveDate,
    },
    /// A test result for that date is recorded already.
    #[error("case {case} has a test result on {on} already")]
    TestAlreadyRecorded {
        /// The case.
        case: CaseId,
        /// The date.
        on: NaiveDate,
    },
    /// A release before the case's release date.
    #[error("case {case} is due for release on {release}, not {on}")]
    TooEarly {
        /// The case.
        case: CaseId,
        /// Its release date.
        release: NaiveDate,
        /// The date asked.
        on: NaiveDate,
    },
    /// A case under review still cannot be released.
    #[error("case {case} cannot be released yet: {}", list(reasons))]
    NotReleasable {
        /// The case.
        case: CaseId,
        /// What is still missing.
        reasons: Vec<ReviewReason>,
    },
    /// An erratum names a record the case does not hold (no check that day, no such test,
    /// or a fever or positive result on a case it did not escalate).
    #[error("case {case} holds no such record on {date}")]
    NoSuchRecord {
        /// The case.
        case: CaseId,
        /// The date of the record named.
        date: NaiveDate,
    },
    /// A reason that is empty, blank, too long or holds control characters.
    #[error(
        "invalid reason of {chars} characters: expected 1 to {max} characters, not all blank, no control characters"
    )]
    InvalidReason {
        /// How many characters it had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// An adjustment of 0 days.
    #[error("an adjustment of 0 days changes nothing: expected days added or taken off")]
    ZeroAdjustment,
    /// A change of policy that would move no case: no active case follows the policy.
    #[error("no active case follows policy {policy}")]
    NoCasesUnder {
        /// The policy.
        policy: PolicyId,
    },
    /// A change of policy from a policy to itself.
    #[error("policy {policy} cannot replace itself")]
    SamePolicy {
        /// The policy.
        policy: PolicyId,
    },
    /// A change between policies that count from different anchors: the cases' anchor dates
    /// would mean something else.
    #[error("policy {from} counts from {from_anchor}, policy {to} from {to_anchor}: expected the same anchor")]
    AnchorMismatch {
        /// The policy the cases follow.
        from: PolicyId,
        /// Its anchor.
        from_anchor: super::Anchor,
        /// The policy they would follow.
        to: PolicyId,
        /// Its anchor.
        to_anchor: super::Anchor,
    },
    /// A secondary contact under a policy with a [`LinkedRelease`] started without saying
    /// which close contact's case they follow: name it ([`Link::Case`](super::Link::Case)), or
    /// say there is none ([`Link::Unlinked`](super::Link::Unlinked)).
    #[error(
        "person {person} is started as a secondary contact under policy {policy}, whose release waits on \
         their close contact: name the close contact's case, or say explicitly that there is none"
    )]
    LinkUnstated {
        /// The person.
        person: PersonId,
        /// The policy, which has a linked release.
        policy: PolicyId,
    },
    /// A secondary contact's case cannot be linked to that case.
    #[error("cannot link to case {linked}: {problem}")]
    InvalidLink {
        /// The case named as the close contact's.
        linked: CaseId,
        /// Why not.
        problem: LinkProblem,
    },
}

fn list(reasons: &[ReviewReason]) -> String {
    reasons.iter().map(|r| r.label_en()).collect::<Vec<_>>().join("; ")
}

/// Why a case cannot be linked to a close contact's case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkProblem {
    /// Only a secondary contact under a policy with a [`LinkedRelease`] is linked.
    NotLinkedRelease,
    /// The linked case is not a close contact's.
    NotCloseContact,
    /// The linked case is the person's own.
    SamePerson,
    /// The close contact tested positive already: the person is a close contact now.
    AlreadyPositive,
}

impl fmt::Display for LinkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LinkProblem::NotLinkedRelease => "only a secondary contact under a policy with a linked release is linked",
            LinkProblem::NotCloseContact => "it is not a close contact's case",
            LinkProblem::SamePerson => "it is the person's own case",
            LinkProblem::AlreadyPositive => "that close contact tested positive already: start a close-contact case",
        })
    }
}

/// Where a case stands. A case is *active* while open or under review; it ends released or
/// escalated. A released case whose policy has obligations after release
/// ([`AfterRelease`](super::AfterRelease)) may still be escalated by a fever in that window
/// (released, then escalated: never active again by it).
///
/// Serialised as `"Open"`, `{"Review": {...}}`, `{"Released": {"on": ...}}`,
/// `{"Escalated": {"on": ..., "to": "Suspected"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum CaseStatus {
    /// Under its policy: checks and tests are due, the release date has not been dealt with.
    Open,
    /// The release date came and the case could not be released (why: `reasons`); the person
    /// stays isolated until a late record clears it ([`Command::Release`](crate::Command::Release))
    /// or a new exposure restarts it.
    Review {
        /// The date the case was flagged.
        since: NaiveDate,
        /// What was missing, in [`ReviewReason`] order.
        reasons: Vec<ReviewReason>,
    },
    /// Released 解除隔离: the person is present and well again.
    Released {
        /// The release date.
        on: NaiveDate,
    },
    /// Escalated: a fever reading made the person a suspected case, or a positive test a
    /// confirmed one. The quarantine case ends; the person's care continues elsewhere.
    Escalated {
        /// The date of the reading or sample.
        on: NaiveDate,
        /// [`State::Suspected`] or [`State::Confirmed`].
        to: State,
    },
}

impl CaseStatus {
    /// Whether the case is open or under review (not yet ended).
    pub const fn is_active(&self) -> bool {
        matches!(self, CaseStatus::Open | CaseStatus::Review { .. })
    }

    /// The date the case ended, if it has.
    pub const fn ended_on(&self) -> Option<NaiveDate> {
        match self {
            CaseStatus::Released { on } | CaseStatus::Escalated { on, .. } => Some(*on),
            CaseStatus::Open | CaseStatus::Review { .. } => None,
        }
    }
}

/// One person under one isolation policy 隔离个案, as the [`Registry`](crate::Registry) keeps
/// it: who, under which policy and category, counted from which anchor date, linked to which
/// close contact's case (for a secondary contact), where it stands, and what was recorded day
/// by day.
///
/// Cases are made and changed only by the registry's commands (start, record a check or a
/// test, a new exposure, release, the daily round); this type holds the pure rules they
/// apply. The schedule is not stored: [`Policy::schedule`](super::Policy::schedule) of the
/// case's policy and anchor gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    person: PersonId,
    policy: PolicyId,
    category: Category,
    anchor: NaiveDate,
    started: NaiveDate,
    /// The last date the person's state was set to follow the phases (start, restart,
    /// conversion, a phase entered).
    settled: NaiveDate,
    linked: Option<CaseId>,
    status: CaseStatus,
    /// Sorted by date, one record per date.
    days: Vec<DayRecord>,
    /// The changes made to the period, in order (left out when none, so that a case without
    /// any writes as before).
    #[serde(default)]
    changes: Vec<CaseChange>,
}

// JSON leaves a case's empty list of changes out; binary forms write it (see `crate::form`).
crate::form::serialize_fields!(Case {
    person,
    policy,
    category,
    anchor,
    started,
    settled,
    linked,
    status,
    days,
    changes skip_if Vec::is_empty,
});

impl Case {
    /// A new open case, started on `started`.
    pub(crate) fn new(
        person: PersonId,
        policy: PolicyId,
        category: Category,
        anchor: NaiveDate,
        started: NaiveDate,
        linked: Option<CaseId>,
    ) -> Self {
        Case {
            person,
            policy,
            category,
            anchor,
            started,
            settled: started,
            linked,
            status: CaseStatus::Open,
            days: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The person.
    pub const fn person(&self) -> PersonId {
        self.person
    }

    /// The policy the case follows (a secondary contact converted into a close contact follows
    /// the close contact's policy from then on).
    pub const fn policy(&self) -> PolicyId {
        self.policy
    }

    /// Why the person is under the policy.
    pub const fn category(&self) -> Category {
        self.category
    }

    /// The anchor date the period counts from (the latest exposure, after a restart).
    pub const fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// The date the case was started.
    pub const fn started(&self) -> NaiveDate {
        self.started
    }

    /// The last date the person's state was set to follow the policy's phases.
    pub const fn settled(&self) -> NaiveDate {
        self.settled
    }

    /// The close contact's case a secondary contact's release waits on, if linked.
    pub const fn linked(&self) -> Option<CaseId> {
        self.linked
    }

    /// Where the case stands.
    pub const fn status(&self) -> &CaseStatus {
        &self.status
    }

    /// Every day with something recorded, in date order.
    pub fn days(&self) -> &[DayRecord] {
        &self.days
    }

    /// The changes made to the period (policy changes, extensions, reductions), in order,
    /// each with the release date it had before.
    pub fn changes(&self) -> &[CaseChange] {
        &self.changes
    }

    /// The days added to the period (negative: taken off) since its policy last changed.
    pub fn adjustment(&self) -> i64 {
        self.changes
            .iter()
            .rev()
            .take_while(|c| !matches!(c, CaseChange::PolicyChanged { .. }))
            .map(|c| match c {
                CaseChange::Adjusted { days, .. } => i64::from(*days),
                CaseChange::PolicyChanged { .. } => 0,
            })
            .sum()
    }

    /// Whether a negative sample qualifies the case for `schedule`'s shorter period: one taken
    /// on or after its first sample day and on or before its last day.
    fn early_sample(&self, schedule: &Schedule) -> bool {
        schedule
            .early()
            .is_some_and(|(last, from)| self.tests().any(|(d, t)| t == TestResult::Negative && from <= d && d <= last))
    }

    /// The schedule the case follows under `policy` (its own): the policy's schedule from the
    /// anchor, with the days added or taken off since the policy last changed
    /// ([`Case::adjustment`]), cut to the policy's shorter period when a negative sample taken
    /// in its window is recorded ([`EarlyRelease`](super::EarlyRelease)), and releasing
    /// nobody before the date of the case's latest change ([`Case::changes`]).
    ///
    /// # Errors
    /// [`QuarantineError::DateOutOfRange`] past the calendar;
    /// [`QuarantineError::InvalidLength`] when the adjustments leave no day or too many.
    pub fn schedule(&self, policy: &Policy) -> Result<Schedule, QuarantineError> {
        let mut s = policy.schedule(self.anchor)?;
        let adjustment = self.adjustment();
        if adjustment != 0 {
            s = s.resized(i64::from(s.total_days()) + adjustment)?;
        }
        if self.early_sample(&s)
            && let Some((last, _)) = s.early()
        {
            s = s.resized(last.signed_duration_since(s.first_day()).num_days() + 1)?;
        }
        if let Some(latest) = self.changes.last() {
            s = s.not_before(latest.on());
        }
        Ok(s)
    }

    /// What was recorded on `date`, if anything.
    pub fn day(&self, date: NaiveDate) -> Option<&DayRecord> {
        self.days.binary_search_by_key(&date, |d| d.date).ok().and_then(|i| self.days.get(i))
    }

    /// How many checks were recorded on `date`.
    pub fn checks_on(&self, date: NaiveDate) -> u8 {
        self.day(date).map_or(0, |d| d.checks)
    }

    /// The test results recorded, in date order.
    pub fn tests(&self) -> impl Iterator<Item = (NaiveDate, TestResult)> + '_ {
        self.days.iter().filter_map(|d| d.test.map(|t| (d.date, t)))
    }

    /// What keeps the case from being released under `schedule` (its policy's schedule from
    /// its anchor): empty when it may be released.
    ///
    /// - Under [`Ending::AfterCleanLastCheck`]: a check recorded on the last day
    ///   ([`ReviewReason::NoLastDayCheck`]), none of that day's checks with symptoms
    ///   ([`ReviewReason::SymptomsOnLastDay`]), and a negative result for a test due on the
    ///   last day ([`ReviewReason::NoLastDayTest`]).
    /// - With `linked`, the policy's [`LinkedRelease`] and the linked close contact's case: the
    ///   first [`LinkedRelease::first_tests`] results recorded for that case, in date order,
    ///   all negative ([`ReviewReason::LinkedTestsPending`]).
    ///
    /// The release date itself is the caller's to check.
    ///
    /// # Example
    /// Cases are made by the registry ([`Command::StartCase`](crate::Command::StartCase)); this
    /// one follows edition 9 (7 days centralised + 3 at home, a test on day 10, the last):
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry};
    /// use wangge::colour::PersonState;
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::quarantine::{Category, Policy, ReviewReason, TestResult};
    ///
    /// let jul = |d| NaiveDate::from_ymd_opt(2022, 7, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(jul(1)) })?[0].new_person().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_close_contact() })?[0].new_policy().unwrap();
    /// let category = Category::CloseContact;
    /// reg.apply(Command::OpenDay { today: jul(1) })?; // the business date 业务日期
    /// let case = reg.apply(Command::StartCase { person, policy, category, anchor: jul(1), on: jul(1), linked: None })?[0].new_case().unwrap();
    ///
    /// // On the last day (Jul 11) nothing is recorded yet: neither the check nor the test.
    /// let schedule = reg.schedule(case)?;
    /// assert_eq!(schedule.last_day(), jul(11));
    /// let blockers = reg.case(case)?.release_blockers(&schedule, None);
    /// assert_eq!(blockers, [ReviewReason::NoLastDayCheck, ReviewReason::NoLastDayTest]);
    ///
    /// // A clean check and a negative test on the last day clear both.
    /// reg.apply(Command::OpenDay { today: jul(11) })?;
    /// let at = jul(11).and_hms_opt(8, 0, 0).unwrap();
    /// reg.apply(Command::RecordCheck { person, at, temperature: "36.5".parse()?, symptoms: false })?;
    /// reg.apply(Command::RecordTest { person, on: jul(11), result: TestResult::Negative })?;
    /// assert!(reg.case(case)?.release_blockers(&schedule, None).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_blockers(&self, schedule: &Schedule, linked: Option<(LinkedRelease, &Case)>) -> Vec<ReviewReason> {
        let mut out = Vec::new();
        if schedule.ending() == Ending::AfterCleanLastCheck {
            let last = schedule.last_day();
            let day = self.day(last).copied().unwrap_or(DayRecord::new(last));
            if day.checks == 0 {
                out.push(ReviewReason::NoLastDayCheck);
            }
            if day.symptoms {
                out.push(ReviewReason::SymptomsOnLastDay);
            }
            if schedule.tests_due_on(last) > 0 && day.test != Some(TestResult::Negative) {
                out.push(ReviewReason::NoLastDayTest);
            }
        }
        if let Some((rule, close)) = linked {
            let wanted = usize::from(rule.first_tests());
            let negatives = close.tests().take(wanted).filter(|&(_, t)| t == TestResult::Negative).count();
            if negatives < wanted {
                out.push(ReviewReason::LinkedTestsPending);
            }
        }
        out
    }

    /// The record of `date`, made if missing.
    fn day_mut(&mut self, date: NaiveDate) -> &mut DayRecord {
        let i = match self.days.binary_search_by_key(&date, |d| d.date) {
            Ok(i) => i,
            Err(i) => {
                self.days.insert(i, DayRecord::new(date));
                i
            }
        };
        &mut self.days[i]
    }

    /// Count a check on `date`.
    pub(crate) fn record_check(&mut self, date: NaiveDate, symptoms: bool) {
        let day = self.day_mut(date);
        day.checks = day.checks.saturating_add(1);
        day.symptoms |= symptoms;
    }

    /// Record a test result on `date` (the caller refuses a second one).
    pub(crate) fn record_test(&mut self, date: NaiveDate, result: TestResult) {
        self.day_mut(date).test = Some(result);
    }

    /// Count the period again from a later anchor (a new exposure), the state set on `on`.
    pub(crate) fn restart(&mut self, anchor: NaiveDate, on: NaiveDate) {
        self.anchor = anchor;
        self.settled = on;
        self.status = CaseStatus::Open;
    }

    /// A secondary contact becomes a close contact under `policy`, from their own anchor, on
    /// `on` (a sample taken before the case last set the state counts from then).
    pub(crate) fn convert(&mut self, policy: PolicyId, on: NaiveDate) {
        self.policy = policy;
        self.category = Category::CloseContact;
        self.linked = None;
        self.settled = self.settled.max(on);
        self.status = CaseStatus::Open;
    }

    /// The person's state was set to follow the phase entered on `on`.
    pub(crate) fn settle(&mut self, on: NaiveDate) {
        self.settled = on;
    }

    /// Take back one check counted on `date` (an erratum). Whether the day still had symptoms
    /// is not known check by check: the flag is cleared when no check is left that day;
    /// otherwise it stays (the safe side: a last day with symptoms is reviewed). A day left
    /// with nothing recorded is dropped.
    pub(crate) fn unrecord_check(&mut self, date: NaiveDate) {
        if let Ok(i) = self.days.binary_search_by_key(&date, |d| d.date) {
            let day = &mut self.days[i];
            day.checks = day.checks.saturating_sub(1);
            // Symptoms are reported by checks: with none left, none are reported.
            if day.checks == 0 {
                day.symptoms = false;
            }
            if day.checks == 0 && !day.symptoms && day.test.is_none() {
                self.days.remove(i);
            }
        }
    }

    /// Take back the test result recorded on `date` (an erratum); a day left with nothing
    /// recorded is dropped.
    pub(crate) fn unrecord_test(&mut self, date: NaiveDate) {
        if let Ok(i) = self.days.binary_search_by_key(&date, |d| d.date) {
            let day = &mut self.days[i];
            day.test = None;
            if day.checks == 0 && !day.symptoms {
                self.days.remove(i);
            }
        }
    }

    /// The case, ended, is active again from `on` (an erratum undoing its escalation, or a
    /// late result re-judging its release): open, or under review for `reasons`.
    pub(crate) fn reopen(&mut self, on: NaiveDate, reasons: Vec<ReviewReason>) {
        self.settled = self.settled.max(on);
        self.status = if reasons.is_empty() { CaseStatus::Open } else { CaseStatus::Review { since: on, reasons } };
    }

    /// Record `change`, made on its date, the case following `policy` from then (its link to a
    /// close contact's case kept only when `keep_link`: a policy without a linked release
    /// waits on nobody); a case under review is open again, for the next round to judge under
    /// its new schedule.
    pub(crate) fn change(&mut self, change: CaseChange, policy: PolicyId, keep_link: bool) {
        self.settled = self.settled.max(change.on());
        self.policy = policy;
        if !keep_link {
            self.linked = None;
        }
        self.status = CaseStatus::Open;
        self.changes.push(change);
    }

    /// Set where the case stands.
    pub(crate) fn set_status(&mut self, status: CaseStatus) {
        self.status = status;
    }

    /// What is wrong with a case read from a snapshot, if anything: its days out of order or
    /// repeated, its settled date before its start or anchor.
    pub(crate) fn problem(&self) -> Option<String> {
        if self.days.windows(2).any(|w| w[0].date >= w[1].date) {
            return Some("its days are not in strictly increasing date order".to_owned());
        }
        if self.anchor > self.settled || self.started > self.settled {
            return Some("its state was settled before it started".to_owned());
        }
        let mut previous = self.started;
        for change in &self.changes {
            if change.on() < previous || change.on() > self.settled {
                return Some("its changes are not dated in order between its start and its settled date".to_owned());
            }
            previous = change.on();
            match change {
                CaseChange::Adjusted { days: 0, .. } => return Some("an adjustment of 0 days".to_owned()),
                CaseChange::PolicyChanged { from, to, .. } if from == to => {
                    return Some("a policy changed into itself".to_owned());
                }
                _ => {}
            }
        }
        if let Some(CaseChange::PolicyChanged { to, .. }) =
            self.changes.iter().rev().find(|c| matches!(c, CaseChange::PolicyChanged { .. }))
            && *to != self.policy
            && self.category != Category::CloseContact
        {
            return Some("it follows another policy than its last change of policy gave it".to_owned());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quarantine::Policy;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, d).unwrap()
    }

    fn case(category: Category) -> Case {
        Case::new(PersonId::new(0), PolicyId::new(0), category, date(7, 1), date(7, 1), None)
    }

    #[test]
    fn days_stay_sorted_and_count() {
        let mut c = case(Category::CloseContact);
        c.record_check(date(7, 3), false);
        c.record_check(date(7, 2), true);
        c.record_check(date(7, 3), false);
        c.record_test(date(7, 2), TestResult::Negative);
        assert_eq!(c.days().iter().map(DayRecord::date).collect::<Vec<_>>(), [date(7, 2), date(7, 3)]);
        assert_eq!((c.checks_on(date(7, 3)), c.checks_on(date(7, 2)), c.checks_on(date(7, 9))), (2, 1, 0));
        assert!(c.day(date(7, 2)).is_some_and(DayRecord::symptoms));
        assert_eq!(c.tests().collect::<Vec<_>>(), [(date(7, 2), TestResult::Negative)]);
        assert_eq!(c.problem(), None);
    }

    #[test]
    fn adjustments_count_since_the_last_change_of_policy_and_the_latest_change_is_a_floor() {
        let policy = Policy::cn_ed9_close_contact(); // from Jul 1: last day Jul 11
        let mut c = case(Category::CloseContact);
        let adjusted = |on, days| CaseChange::Adjusted {
            on,
            days,
            reason: Reason::new("r").unwrap(),
            by: StaffId::new(0),
            previous_release: on,
        };
        c.change(adjusted(date(7, 2), 3), PolicyId::new(0), true);
        c.change(adjusted(date(7, 3), -1), PolicyId::new(0), true);
        assert_eq!(c.adjustment(), 2);
        assert_eq!(c.schedule(&policy).unwrap().release(), date(7, 13));
        let moved = CaseChange::PolicyChanged {
            on: date(7, 12),
            from: PolicyId::new(0),
            to: PolicyId::new(1),
            previous_release: date(7, 13),
        };
        c.change(moved, PolicyId::new(1), false);
        assert_eq!(c.adjustment(), 0);
        // The policy's own 10 days end on Jul 11: released on the day of the change, Jul 12.
        assert_eq!(c.schedule(&policy).unwrap().release(), date(7, 12));
        assert_eq!((c.settled(), c.changes().len(), c.problem()), (date(7, 12), 3, None));
        c.change(adjusted(date(7, 12), -20), PolicyId::new(1), true);
        assert_eq!(c.schedule(&policy), Err(QuarantineError::InvalidLength { days: -10 }));
    }

    #[test]
    fn release_needs_a_clean_last_day_with_its_test() {
        // Edition 9: last day Jul 11, a test due that day.
        let s = Policy::cn_ed9_close_contact().schedule(date(7, 1)).unwrap();
        let mut c = case(Category::CloseContact);
        assert_eq!(c.release_blockers(&s, None), [ReviewReason::NoLastDayCheck, ReviewReason::NoLastDayTest]);
        c.record_check(date(7, 11), true);
        assert_eq!(c.release_blockers(&s, None), [ReviewReason::SymptomsOnLastDay, ReviewReason::NoLastDayTest]);
        let mut c = case(Category::CloseContact);
        c.record_check(date(7, 11), false);
        c.record_test(date(7, 11), TestResult::Negative);
        assert!(c.release_blockers(&s, None).is_empty());
        // The US CDC's periods end by themselves.
        let us = Policy::us_cdc_2020_contact().schedule(date(7, 1)).unwrap();
        assert!(case(Category::CloseContact).release_blockers(&us, None).is_empty());
    }

    #[test]
    fn a_secondary_contact_waits_on_the_first_tests_of_the_close_contact() {
        let s = Policy::cn_ed9_secondary_contact().schedule(date(7, 1)).unwrap();
        let mut secondary = case(Category::SecondaryContact);
        secondary.record_check(s.last_day(), false);
        if s.tests_due_on(s.last_day()) > 0 {
            secondary.record_test(s.last_day(), TestResult::Negative);
        }
        let rule = LinkedRelease::CN_SECONDARY_CONTACT;
        let mut close = case(Category::CloseContact);
        assert!(secondary.release_blockers(&s, None).is_empty());
        assert_eq!(secondary.release_blockers(&s, Some((rule, &close))), [ReviewReason::LinkedTestsPending]);
        close.record_test(date(7, 2), TestResult::Negative);
        assert_eq!(secondary.release_blockers(&s, Some((rule, &close))), [ReviewReason::LinkedTestsPending]);
        close.record_test(date(7, 3), TestResult::Negative);
        assert!(secondary.release_blockers(&s, Some((rule, &close))).is_empty());
    }
}
