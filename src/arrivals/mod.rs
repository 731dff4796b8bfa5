//! Arrivals 返回人员登记 and their counts by origin and by measure, current and cumulative 累计.
//!
//! Seed 000 (Changhai Road, Shanghai) counts the arrivals it registered by where they came
//! from and the measure each got: 1,811 from key areas under home medical observation
//! 居家医学观察, 3,641 from other areas under health management 纳入健康管理, 396 from abroad.
//! Seed 003 (Huayuan Road, Zhengzhou) counts what it served: "累计居家隔离服务1518户3463人" —
//! households 户 and persons 人, **cumulative**: everyone served so far, not a day's count.
//!
//! - [`OriginClass`]: key epidemic area 重点地区, other area 其他地区, abroad 境外.
//! - [`Route`]: how they travelled (a train, a flight, by road), a short text.
//! - [`Arrival`]: origin, route, date, the [`Measure`] it got and for how many days.
//! - [`ArrivalCounts`]: households and persons per origin and per measure, and in total, for
//!   a set of [`ArrivalRecord`]s on a date: **current** (under their measure that day) and
//!   **cumulative** (arrived on or before it). A person is counted once in each figure
//!   however many times they arrived; a household once however many of its members did.
//!
//! ```text
//! Command::RecordArrival ──▶ ArrivalRecord (person, household, Arrival) ──▶ ArrivalCounts::count
//!                                                                             (per unit, scoped)
//! ```
//!
//! # Example
//! ```
//! use chrono::NaiveDate;
//! use wangge::arrivals::{Arrival, ArrivalCounts, ArrivalRecord, OriginClass, Route};
//! use wangge::colour::Measure;
//! use wangge::{HouseholdId, PersonId};
//!
//! let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
//! let train = Route::new("G1712")?;
//! let home = Arrival::new(OriginClass::KeyArea, train.clone(), feb(1), Measure::HomeIsolation, 14)?;
//! let managed = Arrival::new(OriginClass::OtherArea, train, feb(3), Measure::HealthManagement, 14)?;
//! let records = [
//!     ArrivalRecord::new(PersonId::new(0), HouseholdId::new(0), home.clone()),
//!     ArrivalRecord::new(PersonId::new(1), HouseholdId::new(0), home),
//!     ArrivalRecord::new(PersonId::new(2), HouseholdId::new(1), managed),
//! ];
//! let on = ArrivalCounts::count(&records, feb(16));
//! assert_eq!(on.cumulative.by_origin(OriginClass::KeyArea), (1, 2)); // 1 household, 2 persons
//! assert_eq!(on.cumulative.by_measure(Measure::HealthManagement), (1, 1));
//! assert_eq!(on.current.by_measure(Measure::HomeIsolation), (0, 0)); // 14 days ended on Feb 15
//! assert_eq!(on.current.by_measure(Measure::HealthManagement), (1, 1)); // until Feb 17
//! # Ok::<(), wangge::arrivals::ArrivalError>(())
//! ```

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::colour::Measure;
use crate::{HouseholdId, PersonId};

/// The longest [`Route`], in characters.
pub const MAX_ROUTE_LEN: usize = 64;

/// The longest measure period of an [`Arrival`], in days.
pub const MAX_DAYS: u16 = 366;

/// What can go wrong with arrivals.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ArrivalError {
    /// A route that is empty, blank, too long or holds control characters.
    #[error("a route is 1 to {MAX_ROUTE_LEN} characters without control characters, not {length} characters")]
    InvalidRoute {
        /// Its length in characters.
        length: usize,
    },
    /// A measure period longer than [`MAX_DAYS`], or a measure with no day, or no measure
    /// with days.
    #[error("an arrival under {measure} lasts {days} days: a measure lasts 1 to {MAX_DAYS} days, no measure 0")]
    InvalidDays {
        /// The measure.
        measure: Measure,
        /// The days given.
        days: u16,
    },
    /// The measure's last day is past the calendar.
    #[error("an arrival on {arrived} under a measure of {days} days ends past the calendar")]
    OutOfCalendar {
        /// The arrival date.
        arrived: NaiveDate,
        /// The days.
        days: u16,
    },
    /// The person's arrival on that date is recorded already.
    #[error("{person} has an arrival on {arrived} already")]
    Duplicate {
        /// The person.
        person: PersonId,
        /// The date.
        arrived: NaiveDate,
    },
}

/// Where an arrival came from 来源地类别 (seed 000's three classes).
///
/// Serialised by variant name (`"KeyArea"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OriginClass {
    /// A key epidemic area 重点地区 (seed 000: 1,811 under home medical observation).
    KeyArea,
    /// Another area in the country 其他地区 (seed 000: 3,641 under health management).
    OtherArea,
    /// Abroad 境外 (seed 000: 396).
    Abroad,
}

impl OriginClass {
    /// Every class, in declaration order.
    pub const ALL: [OriginClass; 3] = [OriginClass::KeyArea, OriginClass::OtherArea, OriginClass::Abroad];

    /// How many classes there are.
    pub const COUNT: usize = 3;

    /// The class's position in [`OriginClass::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The Chinese name.
    pub const fn label_zh(self) -> &'static str {
        match self {
            OriginClass::KeyArea => "重点地区",
            OriginClass::OtherArea => "其他地区",
            OriginClass::Abroad => "境外",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            OriginClass::KeyArea => "a key epidemic area",
            OriginClass::OtherArea => "another area",
            OriginClass::Abroad => "abroad",
        }
    }
}

impl fmt::Display for OriginClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// How an arrival travelled 行程 (a train or flight number, "by road"): 1 to
/// [`MAX_ROUTE_LEN`] characters, not blank, no control characters. Not personal data on its
/// own, but never a name, a phone or an identity number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Route(String);

impl Route {
    /// A route.
    ///
    /// # Errors
    /// [`ArrivalError::InvalidRoute`] when it is blank, longer than [`MAX_ROUTE_LEN`]
    /// characters or holds a control character.
    pub fn new(route: impl Into<String>) -> Result<Route, ArrivalError> {
        let route = route.into();
        match crate::text::bad_name(&route, MAX_ROUTE_LEN) {
            Some(length) => Err(ArrivalError::InvalidRoute { length }),
            None => Ok(Route(route)),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Route {
    type Error = ArrivalError;
    fn try_from(s: String) -> Result<Route, ArrivalError> {
        Route::new(s)
    }
}

impl From<Route> for String {
    fn from(r: Route) -> String {
        r.0
    }
}

/// One arrival 返回登记: where from, how, when, and the measure it got for how many days.
///
/// The measure covers the arrival day (day 0) and the `days` after it, days 1..=`days`, as
/// the quarantine's phases count (seed 001: 14 days of home isolation); no measure lasts 0
/// days. The period is policy data the host passes.
///
/// Serialised as `{"origin": "KeyArea", "route": "G1712", "arrived": "2020-02-01",
/// "measure": "HomeIsolation", "days": 14}`, checked on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ArrivalFields", into = "ArrivalFields")]
pub struct Arrival {
    origin: OriginClass,
    route: Route,
    arrived: NaiveDate,
    measure: Measure,
    days: u16,
    last: NaiveDate,
}

/// The serialised form of an [`Arrival`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Arrival")]
struct ArrivalFields {
    origin: OriginClass,
    route: Route,
    #[serde(deserialize_with = "crate::form::date::deserialize")]
    arrived: NaiveDate,
    measure: Measure,
    days: u16,
}

impl TryFrom<ArrivalFields> for Arrival {
    type Error = ArrivalError;
    fn try_from(f: ArrivalFields) -> Result<Arrival, ArrivalError> {
        Arrival::new(f.origin, f.route, f.arrived, f.measure, f.days)
    }
}

impl From<Arrival> for ArrivalFields {
    fn from(a: Arrival) -> ArrivalFields {
        ArrivalFields { origin: a.origin, route: a.route, arrived: a.arrived, measure: a.measure, days: a.days }
    }
}

impl Arrival {
    /// An arrival from `origin` by `route` on `arrived`, under `measure` for `days` days.
    ///
    /// # Errors
    /// [`ArrivalError::InvalidDays`] for a measure of 0 or more than [`MAX_DAYS`] days, or no
    /// measure with days; [`ArrivalError::OutOfCalendar`] when the last day is past the
    /// calendar.
    pub fn new(
        origin: OriginClass,
        route: Route,
        arrived: NaiveDate,
        measure: Measure,
        days: u16,
    ) -> Result<Arrival, ArrivalError> {
        let valid = if measure == Measure::None { days == 0 } else { (1..=MAX_DAYS).contains(&days) };
        if !valid {
            return Err(ArrivalError::InvalidDays { measure, days });
        }
        let last = arrived
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .ok_or(ArrivalError::OutOfCalendar { arrived, days })?;
        Ok(Arrival { origin, route, arrived, measure, days, last })
    }

    /// Where from.
    pub const fn origin(&self) -> OriginClass {
        self.origin
    }

    /// How.
    pub const fn route(&self) -> &Route {
        &self.route
    }

    /// The arrival date, day 0 of the measure.
    pub const fn arrived(&self) -> NaiveDate {
        self.arrived
    }

    /// The measure it got.
    pub const fn measure(&self) -> Measure {
        self.measure
    }

    /// How many days after the arrival day the measure lasts.
    pub const fn days(&self) -> u16 {
        self.days
    }

    /// The measure's last day (the arrival day for no measure).
    pub const fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// Whether the person is under the arrival's measure on `on`: a measure, and `on` in
    /// `arrived..=last_day`.
    pub fn is_current(&self, on: NaiveDate) -> bool {
        self.measure != Measure::None && self.arrived <= on && on <= self.last
    }
}

/// An arrival of a registered person, in the household they lived in when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArrivalRecord {
    /// The person.
    pub person: PersonId,
    /// Their household when the arrival was recorded.
    pub household: HouseholdId,
    /// The arrival.
    pub arrival: Arrival,
}

impl ArrivalRecord {
    /// `person` of `household` arrived as `arrival`.
    pub const fn new(person: PersonId, household: HouseholdId, arrival: Arrival) -> Self {
        ArrivalRecord { person, household, arrival }
    }
}

/// Households 户 and persons 人 per origin class and per measure, and in total. Each figure
/// counts a person (a household) once, however many of their arrivals fall in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Figures {
    origins: [(u32, u32); OriginClass::COUNT],
    measures: [(u32, u32); Measure::COUNT],
    cells: [[(u32, u32); Measure::COUNT]; OriginClass::COUNT],
    total: (u32, u32),
}

impl Figures {
    /// (households, persons) that arrived from `origin`.
    pub const fn by_origin(&self, origin: OriginClass) -> (u32, u32) {
        self.origins[origin.index()]
    }

    /// (households, persons) under `measure`.
    pub const fn by_measure(&self, measure: Measure) -> (u32, u32) {
        self.measures[measure.index()]
    }

    /// (households, persons) that arrived from `origin` under `measure`.
    pub const fn cell(&self, origin: OriginClass, measure: Measure) -> (u32, u32) {
        self.cells[origin.index()][measure.index()]
    }

    /// (households, persons) in all.
    pub const fn total(&self) -> (u32, u32) {
        self.total
    }
}

/// The counts of a set of arrivals on a date: [`current`](ArrivalCounts::current) and
/// [`cumulative`](ArrivalCounts::cumulative) 累计.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ArrivalCounts {
    /// Those under their arrival's measure on the date ([`Arrival::is_current`]).
    pub current: Figures,
    /// Everyone who arrived on or before the date, under whatever measure: seed 003's
    /// "累计居家隔离服务1518户3463人" is `cumulative.by_measure(Measure::HomeIsolation)`.
    pub cumulative: Figures,
}

impl ArrivalCounts {
    /// Count `records` on `on`.
    ///
    /// # Complexity
    /// O(n log n) for n records.
    pub fn count<'a>(records: impl IntoIterator<Item = &'a ArrivalRecord>, on: NaiveDate) -> ArrivalCounts {
        // (figure key, household, person) triples, deduplicated per figure.
        let mut cumulative = Tuples::default();
        let mut current = Tuples::default();
        for r in records {
            let a = &r.arrival;
            if a.arrived > on {
                continue;
            }
            cumulative.add(a, r.household, r.person);
            if a.is_current(on) {
                current.add(a, r.household, r.person);
            }
        }
        ArrivalCounts { current: current.figures(), cumulative: cumulative.figures() }
    }
}

/// The keys of the figures: 0..3 origins, 3..7 measures, 7..19 cells, 19 the total.
#[derive(Default)]
struct Tuples {
    households: Vec<(usize, HouseholdId)>,
    persons: Vec<(usize, PersonId)>,
}

const MEASURES_AT: usize = OriginClass::COUNT;
const CELLS_AT: usize = MEASURES_AT + Measure::COUNT;
const TOTAL_AT: usize = CELLS_AT + OriginClass::COUNT * Measure::COUNT;

impl Tuples {
    fn add(&mut self, a: &Arrival, household: HouseholdId, person: PersonId) {
        let (o, m) = (a.origin.index(), a.measure.index());
        for key in [o, MEASURES_AT + m, CELLS_AT + o * Measure::COUNT + m, TOTAL_AT] {
            self.households.push((key, household));
            self.persons.push((key, person));
        }
    }

    /// The figures, each household and person once per key.
    fn figures(mut self) -> Figures {
        self.households.sort_unstable();
        self.households.dedup();
        self.persons.sort_unstable();
        self.persons.dedup();
        let mut n = [(0u32, 0u32); TOTAL_AT + 1];
        for &(key, _) in &self.households {
            n[key].0 = n[key].0.saturating_add(1);
        }
        for &(key, _) in &self.persons {
            n[key].1 = n[key].1.saturating_add(1);
        }
        let mut f = Figures { total: n[TOTAL_AT], ..Figures::default() };
        f.origins.copy_from_slice(&n[..MEASURES_AT]);
        f.measures.copy_from_slice(&n[MEASURES_AT..CELLS_AT]);
        for (o, row) in f.cells.iter_mut().enumerate() {
            let at = CELLS_AT + o * Measure::COUNT;
            row.copy_from_slice(&n[at..at + Measure::COUNT]);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feb(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
    }

    #[test]
    fn arrivals_are_checked() {
        let r = Route::new("by road").unwrap();
        assert!(Arrival::new(OriginClass::Abroad, r.clone(), feb(1), Measure::None, 0).is_ok());
        assert_eq!(
            Arrival::new(OriginClass::Abroad, r.clone(), feb(1), Measure::None, 3),
            Err(ArrivalError::InvalidDays { measure: Measure::None, days: 3 })
        );
        assert!(Arrival::new(OriginClass::Abroad, r.clone(), feb(1), Measure::HomeIsolation, 0).is_err());
        assert!(Arrival::new(OriginClass::Abroad, r, NaiveDate::MAX, Measure::HomeIsolation, 1).is_err());
        assert!(Route::new(" ").is_err());
        assert!(Route::new("x".repeat(65)).is_err());
        let json = r#"{"origin":"KeyArea","route":"G1712","arrived":"2020-02-01","measure":"HomeIsolation","days":14}"#;
        let a: Arrival = serde_json::from_str(json).unwrap();
        assert_eq!(a.last_day(), feb(15));
        assert_eq!(serde_json::to_string(&a).unwrap(), json);
        assert!(serde_json::from_str::<Arrival>(&json.replace("14", "0")).is_err());
    }
}
