//! The calendar index 日程索引 behind the daily agenda: what is due on a date, for every case.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Schedule;

/// What is due for one case on one date 当日事项.
///
/// Items of one case on one date come in this order (the declaration order, as `Ord` sorts
/// them): [`Due::Release`], [`Due::Test`], [`Due::Checks`], [`Due::LastDay`]. On the last day
/// of a period released [`Release::OnLastDay`](super::Release::OnLastDay) a case has its
/// checks, the last day and the release, all on one date.
///
/// Serialised by variant name (`"Release"`, `{"Checks":{"required":2}}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Due {
    /// The release date 解除隔离日期, [`Schedule::release`].
    Release,
    /// A test day 核酸检测日, one of [`Schedule::test_days`].
    Test,
    /// A day of the period with its health checks 健康监测 (temperature), as
    /// [`Schedule::checks_due_on`] counts them: never 0 (a policy with no checks a day has no
    /// check days).
    Checks {
        /// How many checks are required that day, [`Schedule::checks_per_day`].
        required: u8,
    },
    /// The period's last day (day N), [`Schedule::last_day`]: the day whose clean check may
    /// end the period.
    LastDay,
}

/// What is due for one key on one date, packed: the checks required and three flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Dues {
    checks: u8,
    flags: u8,
}

impl Dues {
    const RELEASE: u8 = 1;
    const TEST: u8 = 2;
    const LAST_DAY: u8 = 4;

    fn is_empty(self) -> bool {
        self.checks == 0 && self.flags == 0
    }

    /// The items, in `Due` order.
    fn iter(self) -> impl Iterator<Item = Due> {
        let flag = |bit: u8, due: Due| (self.flags & bit != 0).then_some(due);
        [
            flag(Self::RELEASE, Due::Release),
            flag(Self::TEST, Due::Test),
            (self.checks > 0).then_some(Due::Checks { required: self.checks }),
            flag(Self::LAST_DAY, Due::LastDay),
        ]
        .into_iter()
        .flatten()
    }
}

/// The dates a key's entries may lie on, first and last inclusive: what `remove` visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    from: NaiveDate,
    to: NaiveDate,
}

/// A calendar index 日程索引 of schedules by date: for any date, what is due and for whom,
/// in time that grows with the items due that date, not with the keys indexed.
///
/// Each key (a case id, for the registry) is indexed with one [`Schedule`]: every day of the
/// period with its required checks ([`Due::Checks`]), every test day ([`Due::Test`]), the last
/// day ([`Due::LastDay`]) and the release date ([`Due::Release`]). [`Calendar::due_on`] then
/// answers the daily agenda: who is released today, whose tests are due today, and, asked for
/// yesterday, whose checks were required (to find the missed ones).
///
/// It is derived data: a host or the registry rebuilds it from the open cases and their
/// schedules, so it has neither equality nor serde.
///
/// # Design
/// One bucket per date, each a `BTreeMap` from key to what is due that date (two bytes), and
/// per key the span of dates its entries lie on. Removing or re-inserting a key deletes its
/// entries at once (no stale entries, nothing to compact), so a date's bucket holds exactly the
/// keys due that date, in key order. Memory: one entry per key and date with anything due,
/// about `total_days + 1` entries per key, plus the span.
///
/// # Complexity
/// With `D` dates indexed, `n` keys and `m` keys with anything due on the date asked:
/// - [`Calendar::due_on`]: O(log D + m), the date's bucket walked in key order;
/// - [`Calendar::insert`], [`Calendar::remove`]: O(d · log n) for a period of `d` days;
/// - [`Calendar::contains`]: O(log n); [`Calendar::len`]: O(1).
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::quarantine::{Calendar, Due, Policy};
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let mut calendar = Calendar::new();
/// // Case 1 arrives from Wuhan on Feb 1: 14 days at home, two checks a day, released Feb 15.
/// calendar.insert(1u32, &Policy::seed_shanghai_2020().schedule(feb(1))?);
/// // Case 2, a close contact exposed on Feb 3 (edition 9: 7 + 3 days, tests on set days).
/// calendar.insert(2u32, &Policy::cn_ed9_close_contact().schedule(feb(3))?);
///
/// let today: Vec<_> = calendar.due_on(feb(5)).collect();
/// assert_eq!(today, [(1, Due::Checks { required: 2 }), (2, Due::Test), (2, Due::Checks { required: 2 })]);
/// let release_day: Vec<_> = calendar.due_on(feb(15)).collect();
/// assert_eq!(release_day, [(1, Due::Release), (1, Due::Checks { required: 2 }), (1, Due::LastDay)]);
///
/// calendar.remove(1); // escalated to a suspected case: no longer on the agenda
/// assert!(calendar.due_on(feb(15)).next().is_none());
/// assert_eq!(calendar.len(), 1);
/// # Ok::<(), wangge::quarantine::QuarantineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Calendar<K> {
    /// Per date, what is due for each key that date; no empty bucket, no empty `Dues`.
    by_date: BTreeMap<NaiveDate, BTreeMap<K, Dues>>,
    /// Per key indexed, the dates its entries lie on.
    spans: BTreeMap<K, Span>,
}

impl<K> Default for Calendar<K> {
    fn default() -> Self {
        Calendar { by_date: BTreeMap::new(), spans: BTreeMap::new() }
    }
}

impl<K: Copy + Ord> Calendar<K> {
    /// An empty calendar.
    pub fn new() -> Self {
        Self::default()
    }

    /// Index every date of `schedule` for `key`: each check day with its required checks,
    /// each test day, the last day and the release date.
    ///
    /// Whatever was indexed for `key` before is replaced (a restart: a new exposure gives a
    /// new schedule from the new anchor), so a key never has two schedules.
    ///
    /// # Complexity
    /// O(d · log n) for a period of `d` days (first day to release) and `n` keys due on a date,
    /// plus the removal of the old schedule.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::{Calendar, Due, Policy};
    ///
    /// let jul = |d| NaiveDate::from_ymd_opt(2022, 7, d).unwrap();
    /// let policy = Policy::cn_ed9_close_contact();
    /// let mut calendar = Calendar::new();
    /// calendar.insert("case 7", &policy.schedule(jul(1))?); // released Jul 11
    /// calendar.insert("case 7", &policy.schedule(jul(4))?); // exposed again: released Jul 14
    /// assert!(calendar.due_on(jul(11)).all(|(_, due)| due != Due::Release));
    /// assert_eq!(calendar.due_on(jul(14)).filter(|&(_, due)| due == Due::Release).count(), 1);
    /// # Ok::<(), wangge::quarantine::QuarantineError>(())
    /// ```
    pub fn insert(&mut self, key: K, schedule: &Schedule) {
        self.remove(key);
        let tests = schedule.tests();
        // A schedule's dates lie from its first day to its release date; the tests are taken
        // in as well so the span covers every entry whatever the schedule holds.
        let first_test = tests.first().map_or(schedule.first_day(), |&(date, _)| date);
        let last_test = tests.last().map_or(schedule.release(), |&(date, _)| date);
        let span = Span { from: schedule.first_day().min(first_test), to: schedule.release().max(last_test) };
        let mut tests = tests.iter().map(|&(date, _)| date).peekable();
        // Not `iter_days`, which never yields the last representable date.
        let days = std::iter::successors(Some(span.from), |date| date.succ_opt());
        for date in days.take_while(|&date| date <= span.to) {
            let mut dues = Dues { checks: schedule.checks_due_on(date), flags: 0 };
            // Tests are sorted by date, no date twice.
            while let Some(test) = tests.next_if(|&test| test <= date) {
                if test == date {
                    dues.flags |= Dues::TEST;
                }
            }
            if date == schedule.release() {
                dues.flags |= Dues::RELEASE;
            }
            if date == schedule.last_day() {
                dues.flags |= Dues::LAST_DAY;
            }
            if !dues.is_empty() {
                self.by_date.entry(date).or_default().insert(key, dues);
            }
        }
        self.spans.insert(key, span);
    }

    /// Forget `key` (released, escalated, closed): none of its entries appear any more.
    /// Returns whether it was indexed.
    ///
    /// # Complexity
    /// O(d · log n) for a period of `d` days and `n` keys due on a date.
    pub fn remove(&mut self, key: K) -> bool {
        let Some(span) = self.spans.remove(&key) else {
            return false;
        };
        // Collected only when a bucket empties (an empty iterator allocates nothing).
        let emptied: Vec<NaiveDate> = self
            .by_date
            .range_mut(span.from..=span.to)
            .filter_map(|(&date, bucket)| {
                bucket.remove(&key);
                bucket.is_empty().then_some(date)
            })
            .collect();
        for date in emptied {
            self.by_date.remove(&date);
        }
        true
    }

    /// Whether `key` is indexed.
    pub fn contains(&self, key: K) -> bool {
        self.spans.contains_key(&key)
    }

    /// How many keys are indexed.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no key is indexed.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// What is due on `date` for every key indexed, as `(key, Due)` items: in key order, and
    /// for one key in [`Due`] order (release, test, checks, last day).
    ///
    /// Ask for today for releases and tests due; ask for yesterday for the checks that were
    /// required, to compare with the checks recorded.
    ///
    /// # Complexity
    /// O(log D + m) for `D` dates indexed and `m` keys with anything due on `date`: keys with
    /// nothing due that date are never visited, however many are indexed.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::quarantine::{Calendar, Due, Policy};
    ///
    /// let dec = |d| NaiveDate::from_ymd_opt(2022, 12, d).unwrap();
    /// let mut calendar = Calendar::new();
    /// // New ten measures: 5 days at home, a test on day 5, released on day 5.
    /// calendar.insert(3u32, &Policy::cn_new10_close_contact().schedule(dec(10))?);
    /// let released: Vec<u32> =
    ///     calendar.due_on(dec(15)).filter(|&(_, due)| due == Due::Release).map(|(key, _)| key).collect();
    /// assert_eq!(released, [3]);
    /// assert_eq!(calendar.due_on(dec(10)).count(), 0); // the exposure day is day 0
    /// # Ok::<(), wangge::quarantine::QuarantineError>(())
    /// ```
    pub fn due_on(&self, date: NaiveDate) -> impl Iterator<Item = (K, Due)> + '_ {
        self.by_date.get(&date).into_iter().flatten().flat_map(|(&key, dues)| dues.iter().map(move |due| (key, due)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Days;

    use super::*;
    use crate::quarantine::{Anchor, Ending, Phase, Policy, Release, Setting};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dues_come_in_due_order() {
        let all = Dues { checks: 3, flags: Dues::RELEASE | Dues::TEST | Dues::LAST_DAY };
        let items: Vec<Due> = all.iter().collect();
        assert_eq!(items, [Due::Release, Due::Test, Due::Checks { required: 3 }, Due::LastDay]);
        assert!(items.is_sorted());
        assert_eq!(Dues::default().iter().count(), 0);
    }

    #[test]
    fn every_date_of_a_schedule_is_indexed() {
        let s = Policy::cn_ed8_close_contact().schedule(date(2021, 6, 1)).unwrap();
        let mut c = Calendar::new();
        c.insert(9u8, &s);
        // Days 1..=21, all with checks; the last day is the release day.
        assert_eq!(c.by_date.len(), 21);
        assert_eq!(c.spans[&9], Span { from: date(2021, 6, 2), to: date(2021, 6, 22) });
        let tests: Vec<NaiveDate> =
            c.by_date.iter().filter(|(_, b)| b[&9].flags & Dues::TEST != 0).map(|(&d, _)| d).collect();
        assert_eq!(tests, s.test_days().collect::<Vec<_>>());
        assert!(c.remove(9));
        assert!(c.by_date.is_empty(), "no empty bucket is left behind");
        assert!(!c.remove(9));
    }

    #[test]
    fn no_checks_and_release_the_day_after() {
        let p = Policy::builder("p", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 3).with_tests([2])])
            .checks_per_day(0)
            .ending(Ending::Automatic)
            .release(Release::DayAfter)
            .build()
            .unwrap();
        let s = p.schedule(date(2020, 3, 1)).unwrap();
        let mut c = Calendar::new();
        c.insert(1u8, &s);
        let all: Vec<(NaiveDate, Due)> =
            s.first_day().iter_days().take(5).flat_map(|d| c.due_on(d).map(move |(_, due)| (d, due))).collect();
        assert_eq!(
            all,
            [(date(2020, 3, 3), Due::Test), (date(2020, 3, 4), Due::LastDay), (date(2020, 3, 5), Due::Release)]
        );
    }

    #[test]
    fn the_end_of_the_calendar_is_reached_without_overflow() {
        let p = Policy::new("p", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 2)]).unwrap();
        let anchor = NaiveDate::MAX.checked_sub_days(Days::new(2)).unwrap();
        let s = p.schedule(anchor).unwrap();
        let mut c = Calendar::new();
        c.insert(1u8, &s);
        assert_eq!(
            c.due_on(NaiveDate::MAX).collect::<Vec<_>>(),
            [(1, Due::Release), (1, Due::Checks { required: 2 }), (1, Due::LastDay)]
        );
        assert!(c.remove(1));
        assert!(c.by_date.is_empty());
    }
}
