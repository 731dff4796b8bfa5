//! Schedules 隔离日程: the dates a policy gives for one anchor date.
//!
//! [`Policy::schedule`] turns a policy's day numbers into dates for one anchor: each phase's
//! first and last day, the test days, the check slots and the release date. A schedule is a
//! pure, cheap value, never stored: the registry recomputes it from a case's policy and anchor
//! whenever it needs one (to index a case by date, to decide a phase or a release), and a
//! host may do the same to show a person their dates.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use smallvec::SmallVec;

use super::{DayCounting, Ending, Policy, QuarantineError, Release, Setting};

/// One phase of a [`Schedule`]: its setting and its first and last dates (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PhaseDates {
    setting: Setting,
    first: NaiveDate,
    last: NaiveDate,
}

impl PhaseDates {
    /// Where the phase is spent.
    pub const fn setting(&self) -> Setting {
        self.setting
    }

    /// The phase's first date.
    pub const fn first(&self) -> NaiveDate {
        self.first
    }

    /// The phase's last date (inclusive).
    pub const fn last(&self) -> NaiveDate {
        self.last
    }

    /// How many days the phase lasts.
    pub fn days(&self) -> u32 {
        // `last >= first`, and a phase lasts at most `MAX_TOTAL_DAYS`.
        u32::try_from(self.last.signed_duration_since(self.first).num_days() + 1).unwrap_or(0)
    }

    /// Whether `date` is one of the phase's days.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }
}

/// What a [`Policy`] gives for one anchor date 隔离日程: every phase's first and last day,
/// every test day, every check slot and the release date 解除隔离日期.
///
/// Made by [`Policy::schedule`], a pure function of the policy and the date: a new exposure
/// during the period is a new schedule from the new anchor. Days are numbered as the policy's
/// [`DayCounting`] says: under [`DayCounting::AnchorIsDayZero`] the anchor is day 0 and the
/// first phase starts on day 1, the day after; an N-day phase covers days 1..=N and the next
/// one starts on day N + 1. Under [`DayCounting::AnchorIsDayOne`] the anchor date is itself
/// day 1 and every date falls one day earlier.
///
/// The release date is the last day under [`Release::OnLastDay`] and the day after it under
/// [`Release::DayAfter`]; whether the period then ends by itself or only after a clean
/// last-day check is [`Schedule::ending`], for the registry to apply.
///
/// Serialised for reports and hosts; it is not read back (recompute it from the policy and the
/// anchor, which is cheap).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::quarantine::{Policy, Setting};
///
/// // Seed 001: 14 days of home isolation observation from arrival, temperature twice a day.
/// let policy = Policy::seed_shanghai_2020();
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let s = policy.schedule(feb(1))?;
/// assert_eq!((s.first_day(), s.last_day(), s.release()), (feb(2), feb(15), feb(15)));
/// assert_eq!(s.day_number(feb(1)), 0);
/// assert_eq!(s.day_number(feb(15)), 14);
/// assert_eq!(s.checks_due_on(feb(1)), 0); // the arrival day itself is day 0
/// assert_eq!(s.checks_due_on(feb(2)), 2);
/// assert_eq!(s.check_slots().count(), 28);
/// assert_eq!(s.phase_on(feb(9)).map(|p| p.setting()), Some(Setting::HomeIsolation));
/// # Ok::<(), wangge::quarantine::QuarantineError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Schedule {
    anchor: NaiveDate,
    counting: DayCounting,
    /// In order, contiguous, never empty. Inline up to three phases (every preset has one or
    /// two), so that computing a schedule allocates nothing.
    phases: SmallVec<[PhaseDates; 3]>,
    /// Sorted by date; no date twice; the index is the phase's. Inline up to eight.
    tests: SmallVec<[(NaiveDate, usize); 8]>,
    checks_per_day: u8,
    total_days: u32,
    first_day: NaiveDate,
    last_day: NaiveDate,
    rule: Release,
    ending: Ending,
    release: NaiveDate,
    /// The shorter period: its last day and the first day a sample counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    early: Option<(NaiveDate, NaiveDate)>,
    /// The last day of the obligations after release.
    #[serde(skip_serializing_if = "Option::is_none")]
    watch_until: Option<NaiveDate>,
}

impl Schedule {
    /// The schedule `policy` gives for `anchor`.
    pub(super) fn compute(policy: &Policy, anchor: NaiveDate) -> Result<Schedule, QuarantineError> {
        let counting = policy.counting();
        // Day `day` (>= 1) is this many days after the anchor.
        let shift = u32::from(counting == DayCounting::AnchorIsDayOne);
        let date_of = |day: u32| {
            anchor
                .checked_add_days(Days::new(u64::from(day.saturating_sub(shift))))
                .ok_or(QuarantineError::DateOutOfRange { anchor, day })
        };
        let mut phases = SmallVec::with_capacity(policy.phases().len());
        let mut tests = SmallVec::new();
        let mut start = 1u32;
        for (index, phase) in policy.phases().iter().enumerate() {
            // A policy's phases last at least 1 day each and at most MAX_TOTAL_DAYS in all.
            let end = start + u32::from(phase.days()).saturating_sub(1);
            phases.push(PhaseDates { setting: phase.setting(), first: date_of(start)?, last: date_of(end)? });
            for &day in phase.test_days() {
                tests.push((date_of(start + u32::from(day).saturating_sub(1))?, index));
            }
            start = end + 1;
        }
        let total_days = policy.total_days();
        let first_day = date_of(1)?;
        let last_day = date_of(total_days)?;
        let release = match policy.release() {
            Release::OnLastDay => last_day,
            Release::DayAfter => date_of(total_days + 1)?,
        };
        let early = match policy.early() {
            Some(e) => Some((date_of(u32::from(e.days()))?, date_of(u32::from(e.sample_from()))?)),
            None => None,
        };
        let watch_until = match policy.after_release() {
            Some(a) => Some(date_of(u32::from(a.last_day()))?),
            None => None,
        };
        Ok(Schedule {
            early,
            watch_until,
            anchor,
            counting,
            phases,
            tests,
            checks_per_day: policy.checks_per_day(),
            total_days,
            first_day,
            last_day,
            rule: policy.release(),
            ending: policy.ending(),
            release,
        })
    }

    /// The anchor date.
    pub const fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// How the anchor date is numbered.
    pub const fn counting(&self) -> DayCounting {
        self.counting
    }

    /// The phases' dates, in order: contiguous, the first starting on day 1.
    pub fn phases(&self) -> &[PhaseDates] {
        &self.phases
    }

    /// Every test, as its date and the index of its phase, in date order.
    pub fn tests(&self) -> &[(NaiveDate, usize)] {
        &self.tests
    }

    /// Every test date, in order.
    pub fn test_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.tests.iter().map(|&(date, _)| date)
    }

    /// The checks due each day of the period.
    pub const fn checks_per_day(&self) -> u8 {
        self.checks_per_day
    }

    /// Every check slot: each date from [`Schedule::first_day`] to [`Schedule::last_day`] with
    /// each slot `1..=checks_per_day`, in order. `total_days × checks_per_day` items.
    pub fn check_slots(&self) -> impl Iterator<Item = (NaiveDate, u8)> + '_ {
        let slots = self.checks_per_day;
        let days = usize::try_from(self.total_days).unwrap_or(usize::MAX);
        self.first_day.iter_days().take(days).flat_map(move |date| (1..=slots).map(move |slot| (date, slot)))
    }

    /// How many checks are due on `date`: [`Schedule::checks_per_day`] within the period, 0
    /// outside it (the anchor day, under [`DayCounting::AnchorIsDayZero`], is outside).
    pub fn checks_due_on(&self, date: NaiveDate) -> u8 {
        if self.contains(date) { self.checks_per_day } else { 0 }
    }

    /// How many tests are due on `date` (0 or 1: phases do not overlap and a phase's test days
    /// are a set).
    pub fn tests_due_on(&self, date: NaiveDate) -> u8 {
        let from = self.tests.partition_point(|&(d, _)| d < date);
        let n = self.tests[from..].iter().take_while(|&&(d, _)| d == date).count();
        u8::try_from(n).unwrap_or(u8::MAX)
    }

    /// The phase `date` falls in, if any.
    pub fn phase_on(&self, date: NaiveDate) -> Option<&PhaseDates> {
        self.phase_index_on(date).and_then(|i| self.phases.get(i))
    }

    /// The index of the phase `date` falls in, if any.
    pub fn phase_index_on(&self, date: NaiveDate) -> Option<usize> {
        let i = self.phases.partition_point(|p| p.last < date);
        self.phases.get(i).filter(|p| p.contains(date)).map(|_| i)
    }

    /// The number of `date` in the policy's counting: the anchor is day 0 under
    /// [`DayCounting::AnchorIsDayZero`] and day 1 under [`DayCounting::AnchorIsDayOne`]; the
    /// first phase starts on day 1 either way. Negative before the anchor.
    pub fn day_number(&self, date: NaiveDate) -> i64 {
        date.signed_duration_since(self.anchor).num_days() + self.counting.anchor_day()
    }

    /// Whether `date` is one of the period's days, first to last.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }

    /// The days of all phases together.
    pub const fn total_days(&self) -> u32 {
        self.total_days
    }

    /// The first day of the first phase (day 1).
    pub const fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// The last day of the last phase (day N).
    pub const fn last_day(&self) -> NaiveDate {
        self.last_day
    }

    /// The release date: [`Schedule::last_day`] under [`Release::OnLastDay`], the day after
    /// under [`Release::DayAfter`].
    pub const fn release(&self) -> NaiveDate {
        self.release
    }

    /// The first day the person is free 解除隔离首日: the release date, in one place for both
    /// conventions. Chinese practice releases **on** the last day N once its checks pass
    /// ([`Release::OnLastDay`]: day N); the US CDC frees a person "after day N"
    /// ([`Release::DayAfter`]: day N + 1). A case's schedule
    /// ([`Registry::schedule`](crate::Registry::schedule)) also counts its shorter period, its
    /// adjustments and its policy changes.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::Policy;
    ///
    /// let d = |m, d| NaiveDate::from_ymd_opt(2022, m, d).unwrap();
    /// // CN new 10: 5 days at home, released on day 5.
    /// let cn = Policy::cn_new10_close_contact().schedule(d(12, 7))?;
    /// assert_eq!((cn.last_day(), cn.first_free_day()), (d(12, 12), d(12, 12)));
    /// // US CDC 2020: 14 days, free after day 14.
    /// let us = Policy::us_cdc_2020_contact().schedule(d(12, 7))?;
    /// assert_eq!((us.last_day(), us.first_free_day()), (d(12, 21), d(12, 22)));
    /// # Ok::<(), wangge::quarantine::QuarantineError>(())
    /// ```
    pub const fn first_free_day(&self) -> NaiveDate {
        self.release
    }

    /// The shorter period of the policy, if it has one: the last day it ends on and the first
    /// day a negative sample counts for it (the last sample day is that last day).
    pub const fn early(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.early
    }

    /// The obligations after release 解除后健康监测, if the policy has any: the first and last
    /// days of the window (the day after the period's last day, through the policy's day).
    pub fn monitoring(&self) -> Option<(NaiveDate, NaiveDate)> {
        let until = self.watch_until?;
        let from = self.last_day.succ_opt()?;
        (from <= until).then_some((from, until))
    }

    /// This schedule with `days` days in all: cut from the end (a phase that no longer begins
    /// is dropped, test days after the new last day too), or the last phase extended. The
    /// release date and the shorter period follow; the obligations after release keep their
    /// day.
    ///
    /// # Errors
    /// [`QuarantineError::InvalidLength`] for 0 days or more than
    /// [`MAX_TOTAL_DAYS`](super::MAX_TOTAL_DAYS); [`QuarantineError::DateOutOfRange`] past
    /// the calendar.
    pub(crate) fn resized(&self, days: i64) -> Result<Schedule, QuarantineError> {
        if days < 1 || days > i64::from(super::MAX_TOTAL_DAYS) {
            return Err(QuarantineError::InvalidLength { days });
        }
        // 1..=366: fits.
        let days = u32::try_from(days).unwrap_or(1);
        let mut s = self.clone();
        let out = |day: u32| QuarantineError::DateOutOfRange { anchor: self.anchor, day };
        let last = self.first_day.checked_add_days(Days::new(u64::from(days - 1))).ok_or(out(days))?;
        s.phases.retain(|p| p.first <= last);
        if let Some(p) = s.phases.last_mut() {
            p.last = last;
        }
        s.tests.retain(|(d, _)| *d <= last);
        s.total_days = days;
        s.last_day = last;
        s.release = match s.rule {
            Release::OnLastDay => last,
            Release::DayAfter => last.succ_opt().ok_or(out(days + 1))?,
        };
        s.early = s.early.filter(|&(early_last, _)| early_last < last);
        Ok(s)
    }

    /// This schedule with its release on `floor` at the earliest (a change of policy or an
    /// adjustment made on `floor` never releases anyone before the day it is made).
    pub(crate) fn not_before(mut self, floor: NaiveDate) -> Schedule {
        self.release = self.release.max(floor);
        self
    }

    /// The policy's release convention.
    pub const fn release_rule(&self) -> Release {
        self.rule
    }

    /// Whether the period ends by itself on the release date or only after a clean last-day
    /// check.
    pub const fn ending(&self) -> Ending {
        self.ending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quarantine::{Anchor, Phase};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ed8_close_contact_as_the_row_counts() {
        let s = Policy::cn_ed8_close_contact().schedule(date(2021, 6, 1)).unwrap();
        assert_eq!(s.phases().len(), 2);
        assert_eq!((s.phases()[0].first(), s.phases()[0].last()), (date(2021, 6, 2), date(2021, 6, 15)));
        assert_eq!((s.phases()[1].first(), s.phases()[1].last()), (date(2021, 6, 16), date(2021, 6, 22)));
        assert_eq!(s.phases()[0].days(), 14);
        assert_eq!(
            s.tests(),
            [
                (date(2021, 6, 2), 0),
                (date(2021, 6, 5), 0),
                (date(2021, 6, 8), 0),
                (date(2021, 6, 15), 0),
                (date(2021, 6, 17), 1),
                (date(2021, 6, 22), 1)
            ]
        );
        assert_eq!(s.release(), date(2021, 6, 22));
        assert_eq!(s.tests_due_on(date(2021, 6, 17)), 1);
        assert_eq!(s.tests_due_on(date(2021, 6, 18)), 0);
        assert_eq!(s.phase_index_on(date(2021, 6, 15)), Some(0));
        assert_eq!(s.phase_index_on(date(2021, 6, 16)), Some(1));
        assert_eq!(s.phase_index_on(date(2021, 6, 1)), None);
        assert_eq!(s.phase_index_on(date(2021, 6, 23)), None);
        assert_eq!(s.day_number(s.release()), 21);
    }

    #[test]
    fn day_after_and_anchor_is_day_one() {
        let us = Policy::us_cdc_2020_contact().schedule(date(2020, 4, 1)).unwrap();
        assert_eq!((us.last_day(), us.release()), (date(2020, 4, 15), date(2020, 4, 16)));
        assert_eq!(us.day_number(us.release()), 15);
        let local = Policy::seed_shanghai_2020().to_builder().counting(DayCounting::AnchorIsDayOne).build().unwrap();
        let s = local.schedule(date(2020, 2, 1)).unwrap();
        assert_eq!((s.first_day(), s.last_day()), (date(2020, 2, 1), date(2020, 2, 14)));
        assert_eq!(s.day_number(date(2020, 2, 1)), 1);
        assert_eq!(s.day_number(s.release()), 14);
        assert_eq!(s.checks_due_on(date(2020, 2, 1)), 2);
        assert_eq!(s.checks_due_on(date(2020, 2, 15)), 0);
    }

    #[test]
    fn dates_beyond_the_calendar_are_refused() {
        let p = Policy::new("p", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 14)]).unwrap();
        assert_eq!(p.schedule(NaiveDate::MAX), Err(QuarantineError::DateOutOfRange { anchor: NaiveDate::MAX, day: 1 }));
        let near = NaiveDate::MAX.checked_sub_days(Days::new(14)).unwrap();
        assert!(p.schedule(near).is_ok());
        let us = p.to_builder().release(Release::DayAfter).build().unwrap();
        assert_eq!(us.schedule(near), Err(QuarantineError::DateOutOfRange { anchor: near, day: 15 }));
        assert!(p.schedule(NaiveDate::MIN).is_ok());
    }

    #[test]
    fn check_slots_cover_every_day() {
        let s = Policy::cn_ed9_secondary_contact().schedule(date(2022, 7, 1)).unwrap();
        let slots: Vec<_> = s.check_slots().collect();
        assert_eq!(slots.len(), 7 * usize::from(s.checks_per_day()));
        assert_eq!(slots.first(), Some(&(date(2022, 7, 2), 1)));
        assert_eq!(slots.last().map(|&(d, _)| d), Some(date(2022, 7, 8)));
    }

    #[test]
    fn first_free_day_follows_the_convention() {
        let cn = Policy::cn_ed9_close_contact().schedule(date(2022, 7, 1)).unwrap();
        assert_eq!((cn.last_day(), cn.first_free_day()), (date(2022, 7, 11), date(2022, 7, 11)));
        let us = Policy::us_cdc_2020_contact().schedule(date(2022, 7, 1)).unwrap();
        assert_eq!((us.last_day(), us.first_free_day()), (date(2022, 7, 15), date(2022, 7, 16)));
    }

    #[test]
    fn resized_cuts_from_the_end_and_extends_the_last_phase() {
        // Edition 9: 7 centralised (tests 1, 2, 3, 5, 7) + 3 at home (test on its day 3).
        let s = Policy::cn_ed9_close_contact().schedule(date(2022, 7, 1)).unwrap();
        let cut = s.resized(6).unwrap();
        assert_eq!(cut.phases().len(), 1);
        assert_eq!((cut.phases()[0].first(), cut.phases()[0].last()), (date(2022, 7, 2), date(2022, 7, 7)));
        assert_eq!(
            cut.test_days().collect::<Vec<_>>(),
            [date(2022, 7, 2), date(2022, 7, 3), date(2022, 7, 4), date(2022, 7, 6)]
        );
        assert_eq!((cut.total_days(), cut.last_day(), cut.release()), (6, date(2022, 7, 7), date(2022, 7, 7)));
        let longer = s.resized(12).unwrap();
        assert_eq!(longer.phases()[1].last(), date(2022, 7, 13));
        assert_eq!(longer.tests(), s.tests());
        assert_eq!(longer.release(), date(2022, 7, 13));
        assert_eq!(s.resized(0), Err(QuarantineError::InvalidLength { days: 0 }));
        assert_eq!(s.resized(367), Err(QuarantineError::InvalidLength { days: 367 }));
        assert_eq!(s.resized(366).map(|x| x.total_days()), Ok(366));
        // A release never before a floor; a floor before it changes nothing.
        assert_eq!(s.clone().not_before(date(2022, 7, 20)).release(), date(2022, 7, 20));
        assert_eq!(s.clone().not_before(date(2022, 7, 2)).release(), s.release());
    }

    #[test]
    fn the_shorter_period_and_the_obligations_after_release() {
        let s = Policy::us_cdc_dec2020_contact().schedule(date(2021, 1, 1)).unwrap();
        assert_eq!(s.early(), Some((date(2021, 1, 8), date(2021, 1, 6))));
        assert_eq!(s.monitoring(), Some((date(2021, 1, 12), date(2021, 1, 15))));
        // Cut to the shorter period: its window is gone, the obligations keep their last day.
        let early = s.resized(7).unwrap();
        assert_eq!((early.early(), early.first_free_day()), (None, date(2021, 1, 9)));
        assert_eq!(early.monitoring(), Some((date(2021, 1, 9), date(2021, 1, 15))));
        // Extended past the obligations' last day: none are left.
        assert_eq!(s.resized(14).unwrap().monitoring(), None);
        assert_eq!(Policy::cn_ed9_close_contact().schedule(date(2021, 1, 1)).unwrap().monitoring(), None);
    }

    #[test]
    fn schedules_serialise() {
        let s = Policy::cn_new10_close_contact().schedule(date(2022, 12, 10)).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#""release":"2022-12-15""#), "{json}");
        assert!(json.contains(r#""tests":[["2022-12-15",0]]"#), "{json}");
    }
}
