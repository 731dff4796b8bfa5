//! Isolation policies 隔离政策: temperatures, phases, linked releases and the policy itself.
//!
//! A [`Policy`] comes from a preset, from [`Policy::builder`] or from serde, checked the same
//! way each time. A host adopts it in the registry
//! ([`Command::AdoptPolicy`](crate::Command::AdoptPolicy) gives it a
//! [`PolicyId`](crate::PolicyId)); each case started under it asks [`Policy::schedule`] for
//! its dates, [`Policy::is_fever`] judges its readings, and its release waits on what the
//! policy's [`Ending`] and [`LinkedRelease`] ask.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Anchor, DayCounting, Ending, QuarantineError, Release, Schedule, Setting};

/// The longest policy name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest source citation accepted, in characters.
pub const MAX_SOURCE_CHARS: usize = 1000;

/// The longest period accepted, all phases together, in days: a year. The longest protocol
/// in the sources is 14 + 14 days.
pub const MAX_TOTAL_DAYS: u32 = 366;

/// The most checks a day accepted: one an hour.
pub const MAX_CHECKS_PER_DAY: u8 = 24;

/// A body temperature 体温 in tenths of a degree Celsius, within the plausible 30.0–45.0 °C.
///
/// Kept as an integer so that thresholds compare exactly: 37.3 °C is 373 tenths, and a reading
/// is a fever 发热 under a threshold when it is at least that threshold. Displayed as
/// `37.3 °C`; parsed from `37.3`, `37`, `37.3°C`, `37.3 °C` or `37.3℃` (at most one decimal).
/// Serialised as the string `"37.3"`, read back through the same checks.
///
/// # Example
/// ```
/// use wangge::quarantine::{QuarantineError, Temperature};
///
/// let t: Temperature = "37.3".parse()?;
/// assert_eq!(t, Temperature::FEVER_CN);
/// assert_eq!(t.tenths(), 373);
/// assert_eq!(t.to_string(), "37.3 °C");
/// assert!("37.4".parse::<Temperature>()? >= Temperature::FEVER_CN);
/// assert_eq!(Temperature::from_tenths(500), Err(QuarantineError::InvalidTemperature { tenths: 500 }));
/// assert!("hot".parse::<Temperature>().is_err());
/// # Ok::<(), QuarantineError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Temperature(u16);

impl Temperature {
    /// The lowest temperature accepted, in tenths: 30.0 °C.
    pub const MIN_TENTHS: u16 = 300;
    /// The highest temperature accepted, in tenths: 45.0 °C.
    pub const MAX_TENTHS: u16 = 450;
    /// The Chinese fever threshold, 37.3 °C: a reading of 37.3 or more is a fever (the default
    /// of every policy).
    pub const FEVER_CN: Temperature = Temperature(373);
    /// 38.0 °C, the fever of the US CDC (100.4 °F) and of WHO's case definitions.
    pub const FEVER_38: Temperature = Temperature(380);

    /// A temperature of `tenths` tenths of a degree Celsius.
    ///
    /// # Errors
    /// [`QuarantineError::InvalidTemperature`] outside 30.0–45.0 °C (300–450).
    pub const fn from_tenths(tenths: u16) -> Result<Self, QuarantineError> {
        if tenths < Self::MIN_TENTHS || tenths > Self::MAX_TENTHS {
            return Err(QuarantineError::InvalidTemperature { tenths });
        }
        Ok(Temperature(tenths))
    }

    /// The temperature in tenths of a degree Celsius.
    pub const fn tenths(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} °C", self.0 / 10, self.0 % 10)
    }
}

impl FromStr for Temperature {
    type Err = QuarantineError;

    /// Parse degrees Celsius with at most one decimal (`37.3`), optionally followed by `°C`,
    /// ` °C` or `℃`.
    ///
    /// # Errors
    /// [`QuarantineError::UnparsableTemperature`] for anything else,
    /// [`QuarantineError::InvalidTemperature`] outside 30.0–45.0 °C.
    fn from_str(s: &str) -> Result<Self, QuarantineError> {
        let unparsable = || QuarantineError::UnparsableTemperature { text: s.chars().take(40).collect() };
        let t = s.trim();
        let t = t.strip_suffix("°C").or_else(|| t.strip_suffix('℃')).unwrap_or(t).trim_end();
        let (whole, tenth) = match t.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (t, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || whole.len() > 3 || tenth.is_some_and(|f| !digits(f) || f.len() != 1) {
            return Err(unparsable());
        }
        // At most three digits and one: at most 9999, which fits a u16.
        let whole: u16 = whole.parse().map_err(|_| unparsable())?;
        let tenth: u16 = tenth.map_or(Ok(0), str::parse).map_err(|_| unparsable())?;
        Temperature::from_tenths(whole * 10 + tenth)
    }
}

impl TryFrom<String> for Temperature {
    type Error = QuarantineError;
    fn try_from(s: String) -> Result<Self, QuarantineError> {
        s.parse()
    }
}

impl From<Temperature> for String {
    fn from(t: Temperature) -> String {
        format!("{}.{}", t.0 / 10, t.0 % 10)
    }
}

/// One phase of a period: a [`Setting`], a length in days and the test days within it.
///
/// Test days count from 1 within the phase and are kept as a set, sorted and without repeats
/// (`with_tests([7, 1, 4, 4])` keeps `[1, 4, 7]`). A phase alone is not checked: a phase of 0
/// days or a test day outside `1..=days` is refused by the [`Policy`] that holds it, which can
/// name the phase.
///
/// Serialised as `{"setting": "CentralisedIsolation", "days": 7, "tests": [1, 4, 7]}`, `tests`
/// left out when empty.
///
/// # Example
/// ```
/// use wangge::quarantine::{Phase, Setting};
/// let phase = Phase::new(Setting::CentralisedIsolation, 14).with_tests([14, 1, 4, 7]);
/// assert_eq!(phase.test_days(), [1, 4, 7, 14]);
/// assert_eq!(phase.days(), 14);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "PhaseData")]
pub struct Phase {
    setting: Setting,
    days: u16,
    tests: Vec<u16>,
}

// JSON leaves a phase without tests without them; binary forms write them (see `crate::form`).
crate::form::serialize_fields!(Phase { setting, days, tests skip_if Vec::is_empty });

/// A phase as read, before its test days are sorted.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PhaseData {
    setting: Setting,
    days: u16,
    #[serde(default)]
    tests: Vec<u16>,
}

impl From<PhaseData> for Phase {
    fn from(d: PhaseData) -> Phase {
        Phase::new(d.setting, d.days).with_tests(d.tests)
    }
}

impl Phase {
    /// A phase of `days` days in `setting`, with no tests.
    pub const fn new(setting: Setting, days: u16) -> Self {
        Phase { setting, days, tests: Vec::new() }
    }

    /// This phase with tests on `days` (counted from 1 within the phase), replacing any it
    /// had; sorted, repeats dropped.
    #[must_use]
    pub fn with_tests(mut self, days: impl IntoIterator<Item = u16>) -> Self {
        let mut tests: Vec<u16> = days.into_iter().collect();
        tests.sort_unstable();
        tests.dedup();
        self.tests = tests;
        self
    }

    /// Where the phase is spent.
    pub const fn setting(&self) -> Setting {
        self.setting
    }

    /// How many days the phase lasts.
    pub const fn days(&self) -> u16 {
        self.days
    }

    /// The test days, counted from 1 within the phase, sorted, without repeats.
    pub fn test_days(&self) -> &[u16] {
        &self.tests
    }

    /// The problems of this phase as the `index`-th of a policy.
    fn problems(&self, index: usize, found: &mut Vec<QuarantineError>) {
        if self.days == 0 {
            found.push(QuarantineError::ZeroLength { phase: index });
        }
        for &day in &self.tests {
            if day == 0 || day > self.days {
                found.push(QuarantineError::TestDayOutsidePhase { phase: index, day, days: self.days });
            }
        }
    }
}

/// A secondary contact's release 次密接解除 waiting on the linked close contact's tests.
///
/// CN editions 8 and 9: a secondary contact is released on day 7 only if the linked close
/// contact's first 2 tests are negative; if one is positive, the secondary contact becomes a
/// close contact. The policy carries the rule as data; applying it (following the linked
/// person's results) is the registry's work.
///
/// Serialised as `{"first_tests": 2}`.
///
/// # Example
/// ```
/// use wangge::quarantine::LinkedRelease;
/// assert_eq!(LinkedRelease::new(2)?, LinkedRelease::CN_SECONDARY_CONTACT);
/// assert!(LinkedRelease::new(0).is_err());
/// # Ok::<(), wangge::quarantine::QuarantineError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "LinkedData")]
pub struct LinkedRelease {
    first_tests: u8,
}

/// A linked release as read, before it is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkedData {
    first_tests: u8,
}

impl TryFrom<LinkedData> for LinkedRelease {
    type Error = QuarantineError;
    fn try_from(d: LinkedData) -> Result<Self, QuarantineError> {
        LinkedRelease::new(d.first_tests)
    }
}

impl LinkedRelease {
    /// CN editions 8 and 9: the linked close contact's first 2 tests.
    pub const CN_SECONDARY_CONTACT: LinkedRelease = LinkedRelease { first_tests: 2 };

    /// A release that waits on the linked close contact's first `first_tests` tests.
    ///
    /// # Errors
    /// [`QuarantineError::ZeroLinkedTests`] when `first_tests` is 0.
    pub const fn new(first_tests: u8) -> Result<Self, QuarantineError> {
        if first_tests == 0 {
            return Err(QuarantineError::ZeroLinkedTests);
        }
        Ok(LinkedRelease { first_tests })
    }

    /// How many of the linked close contact's first tests must be negative.
    pub const fn first_tests(self) -> u8 {
        self.first_tests
    }
}

/// A shorter period with a negative sample 检测缩短: released after `days` days instead of
/// the full period when a sample taken on day `sample_from` or later (and on day `days` at
/// the latest) was negative.
///
/// The US CDC's rule of December 2020 for contacts: 10 days, or 7 with a negative test on a
/// sample taken on day 5 or later ([`EarlyRelease::CDC_DEC_2020`]). The sample is a window,
/// not a fixed test day: any negative result sampled in it counts, and without one the case
/// runs to the full period. Validated by the [`Policy`] that holds it: `1 <= sample_from <=
/// days`, `days` shorter than the full period.
///
/// Serialised as `{"days": 7, "sample_from": 5}`.
///
/// # Example
/// ```
/// use wangge::quarantine::EarlyRelease;
/// let rule = EarlyRelease::new(7, 5);
/// assert_eq!(rule, EarlyRelease::CDC_DEC_2020);
/// assert_eq!((rule.days(), rule.sample_from()), (7, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyRelease {
    days: u16,
    sample_from: u16,
}

impl EarlyRelease {
    /// The US CDC, December 2020: 7 days with a negative sample taken on day 5 or later.
    pub const CDC_DEC_2020: EarlyRelease = EarlyRelease { days: 7, sample_from: 5 };

    /// Released after `days` days with a negative sample taken on day `sample_from..=days`
    /// (checked by the policy that holds it).
    pub const fn new(days: u16, sample_from: u16) -> Self {
        EarlyRelease { days, sample_from }
    }

    /// The length of the shorter period, in days.
    pub const fn days(self) -> u16 {
        self.days
    }

    /// The first day a sample counts, counted as the period's days are.
    pub const fn sample_from(self) -> u16 {
        self.sample_from
    }
}

/// Obligations after release 解除后健康监测: the person is free, but keeps monitoring their
/// symptoms (and wears a mask) through day `through` of the period's counting.
///
/// The US CDC, December 2020: contacts released after day 10 (or 7) keep monitoring through
/// day 14; December 2021: 5 days at home, then 5 of masking (through day 10). The window does
/// not hold the release: it begins the day after the period's last day and ends on day
/// `through`; it shows on the agenda ([`Item::Monitoring`](super::Item::Monitoring)) and a
/// fever reading in it makes the person a suspected case
/// ([`Command::RecordCheck`](crate::Command::RecordCheck)). Validated by the [`Policy`] that
/// holds it: `through` is after the full period and within [`MAX_TOTAL_DAYS`].
///
/// Serialised as `{"through": 14}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AfterRelease {
    through: u16,
}

impl AfterRelease {
    /// Monitoring through day `through` (checked by the policy that holds it).
    pub const fn through(through: u16) -> Self {
        AfterRelease { through }
    }

    /// The last day of the obligations, counted as the period's days are.
    pub const fn last_day(self) -> u16 {
        self.through
    }
}

/// The parts of a [`Policy`], with defaults, not yet checked; [`PolicyBuilder::build`] checks
/// them. It is also the policy's serialised form.
///
/// | field | default |
/// |---|---|
/// | `source` | empty |
/// | `counting` | [`DayCounting::AnchorIsDayZero`] |
/// | `checks_per_day` | 2 (temperature twice a day, seed 001) |
/// | `fever` | [`Temperature::FEVER_CN`], 37.3 °C |
/// | `release` | [`Release::OnLastDay`] |
/// | `ending` | [`Ending::AfterCleanLastCheck`] |
/// | `linked` | none |
/// | `early` | none |
/// | `after_release` | none |
///
/// Serialised as `{"name": ..., "source": ..., "anchor": "LastExposure", "counting": ...,
/// "phases": [...], "checks_per_day": 2, "fever": "37.3", "release": "OnLastDay", "ending":
/// ..., "linked": {"first_tests": 2}, "early": {...}, "after_release": {...}}`, the last three
/// left out when none; unknown fields are refused. In a command
/// ([`Command::AdoptPolicy`](crate::Command::AdoptPolicy)) every field but `linked`, `early`
/// and `after_release` is required. Read on its own (and in a format-5 event log or snapshot, which this crate always
/// writes whole), every field but `name`, `anchor` and `phases` may be left out, taking its
/// default.
///
/// # Example
/// ```
/// use wangge::quarantine::{Anchor, Ending, Phase, Policy, QuarantineError, Release, Setting};
///
/// let policy = Policy::builder("my_14_day_rule", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 14)])
///     .source("our district, March 2020")
///     .checks_per_day(1)
///     .release(Release::DayAfter)
///     .ending(Ending::Automatic)
///     .build()?;
/// assert_eq!(policy.total_days(), 14);
///
/// // Every problem, or the first.
/// let bad = Policy::builder("bad", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 0).with_tests([3])]);
/// assert_eq!(bad.problems().len(), 2);
/// assert_eq!(bad.build(), Err(QuarantineError::ZeroLength { phase: 0 }));
/// # Ok::<(), QuarantineError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBuilder {
    name: String,
    #[serde(default)]
    source: String,
    anchor: Anchor,
    #[serde(default)]
    counting: DayCounting,
    phases: Vec<Phase>,
    #[serde(default = "default_checks_per_day")]
    checks_per_day: u8,
    #[serde(default = "default_fever")]
    fever: Temperature,
    #[serde(default)]
    release: Release,
    #[serde(default)]
    ending: Ending,
    #[serde(default)]
    linked: Option<LinkedRelease>,
    #[serde(default)]
    early: Option<EarlyRelease>,
    #[serde(default)]
    after_release: Option<AfterRelease>,
}

// JSON leaves an absent linked release out; binary forms write it (see `crate::form`).
crate::form::serialize_fields!(PolicyBuilder {
    name,
    source,
    anchor,
    counting,
    phases,
    checks_per_day,
    fever,
    release,
    ending,
    linked skip_if Option::is_none,
    early skip_if Option::is_none,
    after_release skip_if Option::is_none,
});

/// A policy as a command gives it ([`Command::AdoptPolicy`](crate::Command::AdoptPolicy)):
/// every field of [`PolicyBuilder`] but `linked` is required, so a host that leaves one out
/// is told so instead of getting a default it may not have meant.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EveryField {
    name: String,
    source: String,
    anchor: Anchor,
    counting: DayCounting,
    phases: Vec<Phase>,
    checks_per_day: u8,
    fever: Temperature,
    release: Release,
    ending: Ending,
    #[serde(default)]
    linked: Option<LinkedRelease>,
    #[serde(default)]
    early: Option<EarlyRelease>,
    #[serde(default)]
    after_release: Option<AfterRelease>,
}

/// Read a policy with every field given (no default taken but `linked`'s, none), through
/// the same checks as [`Policy`]'s own reading. For commands; a format-5 log or snapshot is read
/// with [`Policy`]'s `Deserialize`, which fills the documented defaults.
pub(crate) fn deserialize_every_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Policy, D::Error> {
    let f = EveryField::deserialize(d)?;
    let b = PolicyBuilder {
        name: f.name,
        source: f.source,
        anchor: f.anchor,
        counting: f.counting,
        phases: f.phases,
        checks_per_day: f.checks_per_day,
        fever: f.fever,
        release: f.release,
        ending: f.ending,
        linked: f.linked,
        early: f.early,
        after_release: f.after_release,
    };
    b.build().map_err(serde::de::Error::custom)
}

const fn default_checks_per_day() -> u8 {
    2
}

const fn default_fever() -> Temperature {
    Temperature::FEVER_CN
}

impl PolicyBuilder {
    /// The name (a short identifier such as `cn_ed9_close_contact`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The source the policy follows, as text (a row of `ISOLATION_RULES.md`, a notice).
    #[must_use]
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// What the period counts from.
    #[must_use]
    pub fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    /// How the anchor date is numbered.
    #[must_use]
    pub fn counting(mut self, counting: DayCounting) -> Self {
        self.counting = counting;
        self
    }

    /// The phases, in order.
    #[must_use]
    pub fn phases(mut self, phases: Vec<Phase>) -> Self {
        self.phases = phases;
        self
    }

    /// The checks (temperature and symptoms) due each day of every phase.
    #[must_use]
    pub fn checks_per_day(mut self, checks: u8) -> Self {
        self.checks_per_day = checks;
        self
    }

    /// The fever threshold: a reading at or above it is a fever.
    #[must_use]
    pub fn fever(mut self, fever: Temperature) -> Self {
        self.fever = fever;
        self
    }

    /// On which day the person is released.
    #[must_use]
    pub fn release(mut self, release: Release) -> Self {
        self.release = release;
        self
    }

    /// Whether the period ends by itself or after a clean last-day check.
    #[must_use]
    pub fn ending(mut self, ending: Ending) -> Self {
        self.ending = ending;
        self
    }

    /// A release that waits on a linked close contact's tests, or `None`.
    #[must_use]
    pub fn linked(mut self, linked: impl Into<Option<LinkedRelease>>) -> Self {
        self.linked = linked.into();
        self
    }

    /// A shorter period with a negative sample taken in a window, or `None`.
    #[must_use]
    pub fn early(mut self, early: impl Into<Option<EarlyRelease>>) -> Self {
        self.early = early.into();
        self
    }

    /// Obligations after release (symptom monitoring, a mask) through a day, or `None`.
    #[must_use]
    pub fn after_release(mut self, after: impl Into<Option<AfterRelease>>) -> Self {
        self.after_release = after.into();
        self
    }

    /// Every problem of these parts, in this order: the name, the source, no phases, each
    /// phase (0 days, test days outside it), the total length, the checks a day, the shorter
    /// period, the obligations after release. Empty when
    /// [`PolicyBuilder::build`] succeeds.
    pub fn problems(&self) -> Vec<QuarantineError> {
        let mut found = Vec::new();
        if let Some(chars) = crate::text::bad_name(&self.name, MAX_NAME_CHARS) {
            found.push(QuarantineError::InvalidName { chars, max: MAX_NAME_CHARS });
        }
        if let Some(chars) = crate::text::bad_source(&self.source, MAX_SOURCE_CHARS) {
            found.push(QuarantineError::InvalidSource { chars, max: MAX_SOURCE_CHARS });
        }
        if self.phases.is_empty() {
            found.push(QuarantineError::NoPhases);
        }
        for (i, phase) in self.phases.iter().enumerate() {
            phase.problems(i, &mut found);
        }
        let days = total_days(&self.phases);
        if days > MAX_TOTAL_DAYS {
            found.push(QuarantineError::TooLong { days, max: MAX_TOTAL_DAYS });
        }
        if self.checks_per_day == 0 && self.ending == Ending::AfterCleanLastCheck {
            found.push(QuarantineError::ZeroChecks);
        }
        if self.checks_per_day > MAX_CHECKS_PER_DAY {
            found.push(QuarantineError::TooManyChecks { checks: self.checks_per_day, max: MAX_CHECKS_PER_DAY });
        }
        if let Some(e) = self.early
            && (e.sample_from == 0 || e.sample_from > e.days || u32::from(e.days) >= days)
        {
            found.push(QuarantineError::InvalidEarlyRelease { days: e.days, sample_from: e.sample_from, total: days });
        }
        if let Some(a) = self.after_release
            && (u32::from(a.through) <= days || u32::from(a.through) > MAX_TOTAL_DAYS)
        {
            found.push(QuarantineError::InvalidAfterRelease { through: a.through, total: days });
        }
        found
    }

    /// The first of [`PolicyBuilder::problems`], or `Ok`.
    ///
    /// # Errors
    /// The first problem.
    pub fn validate(&self) -> Result<(), QuarantineError> {
        match self.problems().into_iter().next() {
            Some(p) => Err(p),
            None => Ok(()),
        }
    }

    /// The checked policy.
    ///
    /// # Errors
    /// The first of [`PolicyBuilder::problems`]: [`QuarantineError::InvalidName`],
    /// [`QuarantineError::InvalidSource`], [`QuarantineError::NoPhases`],
    /// [`QuarantineError::ZeroLength`], [`QuarantineError::TestDayOutsidePhase`],
    /// [`QuarantineError::TooLong`], [`QuarantineError::ZeroChecks`],
    /// [`QuarantineError::TooManyChecks`], [`QuarantineError::InvalidEarlyRelease`] or
    /// [`QuarantineError::InvalidAfterRelease`].
    pub fn build(self) -> Result<Policy, QuarantineError> {
        self.validate()?;
        Ok(Policy { parts: self })
    }
}

/// The days of all phases together, without overflow (each is at most `u16::MAX`, and there
/// are fewer than `u32::MAX / u16::MAX` phases before this saturates).
fn total_days(phases: &[Phase]) -> u32 {
    phases.iter().fold(0u32, |sum, p| sum.saturating_add(u32::from(p.days)))
}

/// An isolation policy 隔离政策: what the period counts from, its phases, the checks a day, the
/// fever threshold and how it ends. A checked value: every policy has at least one phase, no
/// phase of 0 days, every test day inside its phase, at most [`MAX_TOTAL_DAYS`] days in all,
/// at most [`MAX_CHECKS_PER_DAY`] checks a day, and at least one check a day when the period
/// ends only after a clean last-day check.
///
/// **Zero checks a day** are allowed when the period ends by itself ([`Ending::Automatic`]):
/// a quarantine whose monitoring is done outside the system (or not at all) then has no check
/// slots. A period that ends only after a clean last-day check needs a check to end it, so
/// there 0 is refused ([`QuarantineError::ZeroChecks`]).
///
/// Build one with [`Policy::new`] or [`Policy::builder`], take a preset
/// ([`Policy::presets`]), or read one with serde: reading goes through the same checks (the
/// serialised form is a [`PolicyBuilder`]).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::quarantine::{Anchor, Phase, Policy, Setting};
///
/// let policy = Policy::new(
///     "two_phase",
///     Anchor::LastExposure,
///     vec![
///         Phase::new(Setting::CentralisedIsolation, 7).with_tests([1, 4, 7]),
///         Phase::new(Setting::HomeHealthMonitoring, 7).with_tests([7]),
///     ],
/// )?;
/// assert_eq!(policy.total_days(), 14);
/// assert!(policy.is_fever("37.3".parse()?));
/// let s = policy.schedule(NaiveDate::from_ymd_opt(2021, 6, 1).unwrap())?;
/// assert_eq!(s.release(), NaiveDate::from_ymd_opt(2021, 6, 15).unwrap());
///
/// // A test day outside its phase is refused.
/// assert!(Policy::new("bad", Anchor::LastExposure, vec![Phase::new(Setting::HomeIsolation, 5).with_tests([6])]).is_err());
/// # Ok::<(), wangge::quarantine::QuarantineError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PolicyBuilder", into = "PolicyBuilder")]
pub struct Policy {
    /// Checked parts: [`PolicyBuilder::problems`] is empty.
    parts: PolicyBuilder,
}

impl TryFrom<PolicyBuilder> for Policy {
    type Error = QuarantineError;
    fn try_from(b: PolicyBuilder) -> Result<Self, QuarantineError> {
        b.build()
    }
}

impl From<Policy> for PolicyBuilder {
    fn from(p: Policy) -> PolicyBuilder {
        p.parts
    }
}

impl Policy {
    /// A checked policy named `name`, counting from `anchor`, with `phases` and every other
    /// field at its default (see [`PolicyBuilder`]).
    ///
    /// # Errors
    /// As [`PolicyBuilder::build`].
    pub fn new(name: impl Into<String>, anchor: Anchor, phases: Vec<Phase>) -> Result<Self, QuarantineError> {
        Policy::builder(name, anchor, phases).build()
    }

    /// The parts of a policy named `name`, counting from `anchor`, with `phases` and every
    /// other field at its default, to be set and then checked by [`PolicyBuilder::build`].
    pub fn builder(name: impl Into<String>, anchor: Anchor, phases: Vec<Phase>) -> PolicyBuilder {
        PolicyBuilder {
            name: name.into(),
            source: String::new(),
            anchor,
            counting: DayCounting::default(),
            phases,
            checks_per_day: default_checks_per_day(),
            fever: default_fever(),
            release: Release::default(),
            ending: Ending::default(),
            linked: None,
            early: None,
            after_release: None,
        }
    }

    /// A preset's policy, from constant parts that the presets' unit tests show to be valid
    /// (`every_preset_validates`), so that the presets need not unwrap.
    pub(super) fn from_checked_parts(parts: PolicyBuilder) -> Self {
        Policy { parts }
    }

    /// This policy's parts, to change and check again (a locality's variant of a preset).
    ///
    /// # Example
    /// ```
    /// use wangge::quarantine::{DayCounting, Policy};
    /// let local = Policy::cn_ed9_inbound().to_builder().name("arrival_day_one").counting(DayCounting::AnchorIsDayOne).build()?;
    /// assert_eq!(local.counting(), DayCounting::AnchorIsDayOne);
    /// # Ok::<(), wangge::quarantine::QuarantineError>(())
    /// ```
    pub fn to_builder(&self) -> PolicyBuilder {
        self.parts.clone()
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// The source the policy follows, as text (for presets, the row of `ISOLATION_RULES.md`).
    pub fn source(&self) -> &str {
        &self.parts.source
    }

    /// What the period counts from.
    pub const fn anchor(&self) -> Anchor {
        self.parts.anchor
    }

    /// How the anchor date is numbered.
    pub const fn counting(&self) -> DayCounting {
        self.parts.counting
    }

    /// The phases, in order; never empty.
    pub fn phases(&self) -> &[Phase] {
        &self.parts.phases
    }

    /// The checks (temperature and symptoms) due each day of every phase.
    pub const fn checks_per_day(&self) -> u8 {
        self.parts.checks_per_day
    }

    /// The fever threshold: a reading at or above it is a fever.
    pub const fn fever(&self) -> Temperature {
        self.parts.fever
    }

    /// Whether `reading` is a fever under this policy (at or above [`Policy::fever`]).
    pub fn is_fever(&self, reading: Temperature) -> bool {
        reading >= self.parts.fever
    }

    /// On which day the person is released.
    pub const fn release(&self) -> Release {
        self.parts.release
    }

    /// Whether the period ends by itself or after a clean last-day check.
    pub const fn ending(&self) -> Ending {
        self.parts.ending
    }

    /// The release that waits on a linked close contact's tests, if any.
    pub const fn linked(&self) -> Option<LinkedRelease> {
        self.parts.linked
    }

    /// The shorter period with a negative sample, if any.
    pub const fn early(&self) -> Option<EarlyRelease> {
        self.parts.early
    }

    /// The obligations after release, if any.
    pub const fn after_release(&self) -> Option<AfterRelease> {
        self.parts.after_release
    }

    /// The days of all phases together: 1 to [`MAX_TOTAL_DAYS`].
    pub fn total_days(&self) -> u32 {
        total_days(&self.parts.phases)
    }

    /// The schedule this policy gives when the anchor event happened on `anchor`.
    ///
    /// # Errors
    /// [`QuarantineError::DateOutOfRange`] when a date of the schedule falls outside chrono's
    /// calendar (an anchor within a year of its ends).
    ///
    /// # Complexity
    /// O(phases + test days).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::{Policy, QuarantineError};
    ///
    /// let policy = Policy::cn_new10_close_contact(); // 5 days at home, a test on day 5
    /// let dec = |d| NaiveDate::from_ymd_opt(2022, 12, d).ok_or("no such date");
    /// let s = policy.schedule(dec(7)?)?;
    /// assert_eq!((s.first_day(), s.last_day()), (dec(8)?, dec(12)?)); // the exposure is day 0
    /// assert_eq!(s.test_days().collect::<Vec<_>>(), [dec(12)?]);
    /// assert_eq!((s.checks_due_on(dec(7)?), s.checks_due_on(dec(8)?)), (0, 2));
    ///
    /// // Dates past the end of chrono's calendar cannot be scheduled.
    /// assert!(matches!(policy.schedule(NaiveDate::MAX), Err(QuarantineError::DateOutOfRange { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schedule(&self, anchor: NaiveDate) -> Result<Schedule, QuarantineError> {
        Schedule::compute(self, anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(phase: Phase) -> PolicyBuilder {
        Policy::builder("p", Anchor::LastExposure, vec![phase])
    }

    #[test]
    fn temperatures_parse_and_display() {
        let t = |s: &str| s.parse::<Temperature>();
        assert_eq!(t("37.3"), Ok(Temperature::FEVER_CN));
        assert_eq!(t(" 37.3 °C "), Ok(Temperature::FEVER_CN));
        assert_eq!(t("37.3°C"), Ok(Temperature::FEVER_CN));
        assert_eq!(t("37.3℃"), Ok(Temperature::FEVER_CN));
        assert_eq!(t("38"), Ok(Temperature::FEVER_38));
        assert_eq!(t("30.0").map(Temperature::tenths), Ok(300));
        assert_eq!(t("45.0").map(Temperature::tenths), Ok(450));
        assert_eq!(t("45.1"), Err(QuarantineError::InvalidTemperature { tenths: 451 }));
        assert_eq!(t("29.9"), Err(QuarantineError::InvalidTemperature { tenths: 299 }));
        assert_eq!(t("999.9"), Err(QuarantineError::InvalidTemperature { tenths: 9999 }));
        for bad in ["", "37.", ".3", "37.25", "-37", "37,3", "3 7", "1000", "37.3 F", "abc", "+37", "37.3.1"] {
            assert_eq!(t(bad), Err(QuarantineError::UnparsableTemperature { text: bad.into() }), "{bad:?}");
        }
        assert_eq!(Temperature::FEVER_CN.to_string(), "37.3 °C");
        assert_eq!(Temperature::from_tenths(365).map(|t| t.to_string()), Ok("36.5 °C".into()));
        assert_eq!(Temperature::from_tenths(0), Err(QuarantineError::InvalidTemperature { tenths: 0 }));
        for tenths in Temperature::MIN_TENTHS..=Temperature::MAX_TENTHS {
            let t = Temperature::from_tenths(tenths).unwrap();
            assert_eq!(t.to_string().parse::<Temperature>(), Ok(t));
            assert_eq!(String::from(t).parse::<Temperature>(), Ok(t));
        }
        let long = "x".repeat(100);
        assert_eq!(t(&long), Err(QuarantineError::UnparsableTemperature { text: "x".repeat(40) }));
    }

    #[test]
    fn temperatures_serialise_as_strings_and_are_checked_when_read() {
        assert_eq!(serde_json::to_string(&Temperature::FEVER_CN).unwrap(), r#""37.3""#);
        assert_eq!(serde_json::from_str::<Temperature>(r#""38.0""#).unwrap(), Temperature::FEVER_38);
        assert!(serde_json::from_str::<Temperature>(r#""50.0""#).is_err());
        assert!(serde_json::from_str::<Temperature>("373").is_err());
    }

    #[test]
    fn every_error_variant_of_validation() {
        let home = |d| Phase::new(Setting::HomeIsolation, d);
        assert_eq!(Policy::new("p", Anchor::Arrival, vec![]), Err(QuarantineError::NoPhases));
        assert_eq!(
            Policy::new("p", Anchor::Arrival, vec![home(3), home(0)]),
            Err(QuarantineError::ZeroLength { phase: 1 })
        );
        assert_eq!(
            Policy::new("p", Anchor::Arrival, vec![home(3).with_tests([1, 4])]),
            Err(QuarantineError::TestDayOutsidePhase { phase: 0, day: 4, days: 3 })
        );
        assert_eq!(
            one(home(3).with_tests([0])).build(),
            Err(QuarantineError::TestDayOutsidePhase { phase: 0, day: 0, days: 3 })
        );
        assert_eq!(one(home(3)).checks_per_day(0).build(), Err(QuarantineError::ZeroChecks));
        assert!(one(home(3)).checks_per_day(0).ending(Ending::Automatic).build().is_ok());
        assert_eq!(
            one(home(3)).checks_per_day(25).build(),
            Err(QuarantineError::TooManyChecks { checks: 25, max: MAX_CHECKS_PER_DAY })
        );
        assert!(one(home(3)).checks_per_day(24).build().is_ok());
        for name in ["", "  ", "a\nb"] {
            let chars = name.chars().count();
            assert_eq!(
                one(home(3)).name(name).build(),
                Err(QuarantineError::InvalidName { chars, max: MAX_NAME_CHARS }),
                "{name:?}"
            );
        }
        assert_eq!(
            one(home(3)).name("名".repeat(101)).build(),
            Err(QuarantineError::InvalidName { chars: 101, max: MAX_NAME_CHARS })
        );
        assert!(one(home(3)).name("名".repeat(100)).build().is_ok());
        assert_eq!(
            one(home(3)).source("x".repeat(1001)).build(),
            Err(QuarantineError::InvalidSource { chars: 1001, max: MAX_SOURCE_CHARS })
        );
        assert_eq!(one(home(3)).source("a\tb").build(), Err(QuarantineError::InvalidSource { chars: 3, max: 1000 }));
        assert_eq!(
            Policy::new("p", Anchor::Arrival, vec![home(300), home(67)]),
            Err(QuarantineError::TooLong { days: 367, max: MAX_TOTAL_DAYS })
        );
        assert!(Policy::new("p", Anchor::Arrival, vec![home(300), home(66)]).is_ok());
        assert_eq!(
            Policy::new("p", Anchor::Arrival, vec![home(u16::MAX); 70_000]),
            Err(QuarantineError::TooLong { days: u32::MAX, max: MAX_TOTAL_DAYS })
        );
        assert_eq!(LinkedRelease::new(0), Err(QuarantineError::ZeroLinkedTests));
        let ten = || one(home(10));
        for (days, sample_from) in [(7, 0), (7, 8), (10, 5), (11, 5)] {
            assert_eq!(
                ten().early(EarlyRelease::new(days, sample_from)).build(),
                Err(QuarantineError::InvalidEarlyRelease { days, sample_from, total: 10 }),
                "{days} {sample_from}"
            );
        }
        assert!(ten().early(EarlyRelease::new(9, 9)).build().is_ok());
        for through in [0, 10, 367] {
            assert_eq!(
                ten().after_release(AfterRelease::through(through)).build(),
                Err(QuarantineError::InvalidAfterRelease { through, total: 10 })
            );
        }
        assert!(ten().after_release(AfterRelease::through(11)).build().is_ok());
        assert_eq!(Temperature::from_tenths(299), Err(QuarantineError::InvalidTemperature { tenths: 299 }));
    }

    #[test]
    fn problems_lists_every_problem_in_order_and_validate_gives_the_first() {
        let b = Policy::builder(
            "",
            Anchor::Arrival,
            vec![Phase::new(Setting::HomeIsolation, 0).with_tests([1]), Phase::new(Setting::HomeIsolation, 400)],
        )
        .checks_per_day(0);
        assert_eq!(
            b.problems(),
            [
                QuarantineError::InvalidName { chars: 0, max: MAX_NAME_CHARS },
                QuarantineError::ZeroLength { phase: 0 },
                QuarantineError::TestDayOutsidePhase { phase: 0, day: 1, days: 0 },
                QuarantineError::TooLong { days: 400, max: MAX_TOTAL_DAYS },
                QuarantineError::ZeroChecks,
            ]
        );
        assert_eq!(b.validate(), Err(QuarantineError::InvalidName { chars: 0, max: MAX_NAME_CHARS }));
    }

    #[test]
    fn defaults_are_as_documented() {
        let p = Policy::new("p", Anchor::SymptomOnset, vec![Phase::new(Setting::HomeHealthMonitoring, 5)]).unwrap();
        assert_eq!(p.name(), "p");
        assert_eq!(p.source(), "");
        assert_eq!(p.anchor(), Anchor::SymptomOnset);
        assert_eq!(p.counting(), DayCounting::AnchorIsDayZero);
        assert_eq!(p.checks_per_day(), 2);
        assert_eq!(p.fever(), Temperature::FEVER_CN);
        assert_eq!(p.release(), Release::OnLastDay);
        assert_eq!(p.ending(), Ending::AfterCleanLastCheck);
        assert_eq!(p.linked(), None);
        assert_eq!(p.total_days(), 5);
        assert!(p.is_fever(Temperature::FEVER_CN));
        assert!(!p.is_fever(Temperature::from_tenths(372).unwrap()));
    }

    #[test]
    fn test_days_are_a_set() {
        let p = Phase::new(Setting::HomeIsolation, 7).with_tests([7, 1, 4, 4, 1]);
        assert_eq!(p.test_days(), [1, 4, 7]);
        assert_eq!(p.clone().with_tests([]).test_days(), [] as [u16; 0]);
    }

    #[test]
    fn serde_round_trips_and_reads_through_the_same_checks() {
        let p = Policy::builder(
            "two",
            Anchor::Arrival,
            vec![
                Phase::new(Setting::CentralisedIsolation, 7).with_tests([1, 2, 3, 5, 7]),
                Phase::new(Setting::HomeHealthMonitoring, 3).with_tests([3]),
            ],
        )
        .source("CN ed.9 | inbound")
        .counting(DayCounting::AnchorIsDayOne)
        .checks_per_day(1)
        .fever(Temperature::FEVER_38)
        .release(Release::DayAfter)
        .ending(Ending::Automatic)
        .linked(LinkedRelease::CN_SECONDARY_CONTACT)
        .early(EarlyRelease::new(8, 5))
        .after_release(AfterRelease::through(14))
        .build()
        .unwrap();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""early":{"days":8,"sample_from":5},"after_release":{"through":14}"#), "{json}");
        // Left out when none: a policy without them writes as before.
        let plain = serde_json::to_string(&Policy::cn_ed9_close_contact()).unwrap();
        assert!(!plain.contains("early") && !plain.contains("after_release"), "{plain}");
        assert!(json.contains(r#""fever":"38.0""#), "{json}");
        assert!(json.contains(r#""linked":{"first_tests":2}"#), "{json}");
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);

        // Defaults fill what is left out.
        let min = r#"{"name":"m","anchor":"Arrival","phases":[{"setting":"HomeIsolation","days":14}]}"#;
        let m = serde_json::from_str::<Policy>(min).unwrap();
        assert_eq!(m, Policy::new("m", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 14)]).unwrap());

        // Test days are read as a set.
        let unsorted = min.replace(r#""days":14"#, r#""days":14,"tests":[7,1,7]"#);
        assert_eq!(serde_json::from_str::<Policy>(&unsorted).unwrap().phases()[0].test_days(), [1, 7]);

        // An invalid phase, an unknown field, a zero linked release, a bad fever: refused.
        let zero = min.replace(r#""days":14"#, r#""days":0"#);
        let err = serde_json::from_str::<Policy>(&zero).unwrap_err().to_string();
        assert!(err.contains("phase 0 lasts 0 days"), "{err}");
        let outside = min.replace(r#""days":14"#, r#""days":14,"tests":[15]"#);
        let err = serde_json::from_str::<Policy>(&outside).unwrap_err().to_string();
        assert!(err.contains("test day 15 of phase 0"), "{err}");
        assert!(
            serde_json::from_str::<Policy>(
                &min.replace(r#""phases":[{"setting":"HomeIsolation","days":14}]"#, r#""phases":[]"#)
            )
            .is_err()
        );
        assert!(serde_json::from_str::<Policy>(&min.replace(r#""name":"m""#, r#""name":"m","colour":"Red""#)).is_err());
        assert!(
            serde_json::from_str::<Policy>(&min.replace(r#""name":"m""#, r#""name":"m","linked":{"first_tests":0}"#))
                .is_err()
        );
        assert!(serde_json::from_str::<Policy>(&min.replace(r#""name":"m""#, r#""name":"m","fever":"25.0""#)).is_err());
        assert!(
            serde_json::from_str::<Policy>(&min.replace(r#""name":"m""#, r#""name":"m","checks_per_day":0"#)).is_err()
        );
    }

    #[test]
    fn errors_serialise_and_wrap_into_the_crate_error() {
        let e = QuarantineError::TestDayOutsidePhase { phase: 1, day: 9, days: 7 };
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<QuarantineError>(&json).unwrap(), e);
        let crate_error: crate::Error = e.clone().into();
        assert_eq!(crate_error.to_string(), e.to_string());
        assert_eq!(
            QuarantineError::InvalidTemperature { tenths: 451 }.to_string(),
            "a temperature of 45.1 °C: expected 30.0 to 45.0 °C"
        );
    }
}
