//! Checkpoints 卡点 at the entrances, their 24-hour shift rosters 24小时值守 and the "one way
//! in and out" rule 所有楼院保留一个进出口 (issue 17 §1).
//!
//! Seed 003 (Zhengzhou Huayuan Road): "街道共设置管控服务卡点168个(无主管楼院卡点29个,单位家属院
//! 卡点88个,公共单位卡点42个,公共场所卡点9个)", about 600 people standing at them in shifts
//! round the clock; seed 001 (Shanghai Ganquan Road): 71 entrances of 60 compounds held by the
//! sub-district's cadres; seed 004 (Foshan): monitoring points on the main roads "由专人24小时
//! 轮岗排查". This module holds those as pure values:
//!
//! - a [`Checkpoint`] stands at an entrance unit ([`UnitKind::Entrance`](crate::grid::UnitKind)):
//!   its [`CheckpointKind`] (the four of seed 003), the compounds it serves, the [`Hours`] it
//!   is open, how many people each shift needs, who may stand there (any of a set of
//!   [`Qualifications`]) and where they must belong (a [`Locality`] relative to the entrance);
//! - a [`ShiftPattern`] splits the day into [`Shift`]s (three 8-hour shifts by default) and
//!   [`ShiftRules`] add the rest 休息 a person must have between two shifts and a cap of hours
//!   a week;
//! - [`ShiftRoster::solve`] fills every open checkpoint's shifts over a run of dates from a
//!   staff pool ([`Staff`](crate::duty::Staff)), shift after shift, each shift by the maximum
//!   flow of the duty solver; what it cannot fill is listed first-class ([`Gap`]), like the
//!   duty solver's `unassigned`; [`ShiftRoster::coverage`] and [`ShiftRoster::coverage_within`]
//!   give coverage by hour per checkpoint and per community;
//! - [`one_way_breaches`] lists the compounds put under the one-entrance rule with more than
//!   one open entrance.
//!
//! Everything here is pure: the caller passes checkpoints, staff, dates and the tree.
//!
//! # Example
//! ```
//! use chrono::NaiveDate;
//! use wangge::duty::{Locality, Qualification as Q, Qualifications, Staff};
//! use wangge::gates::{Checkpoint, Hours, ShiftPattern, ShiftRoster, ShiftRules};
//! use wangge::grid::{CheckpointKind, LevelScheme, NewUnit, Tree, UnitKind};
//! use wangge::people::Name;
//!
//! let levels = LevelScheme::zhengzhou(); // 街道 > 社区 > 楼院 > 楼组
//! let lv = |n: &str| levels.level(n).unwrap();
//! let mut tree = Tree::new(levels.clone(), NewUnit::new("花园路街道", lv("sub-district"), UnitKind::Area))?;
//! let community = tree.add(tree.root(), NewUnit::new("农科路社区", lv("community"), UnitKind::Area))?;
//! let yard = tree.add(community, NewUnit::new("3号院", lv("courtyard"), UnitKind::Area))?;
//! let kind = CheckpointKind::UnmanagedCourtyard;
//! let gate = tree.add(yard, NewUnit::new("东门", lv("building group"), UnitKind::Entrance(Some(kind))))?;
//!
//! let checkpoints = [Checkpoint::new(gate, kind, vec![yard], Hours::AllDay, 1, Qualifications::only(Q::Volunteer), Locality::Anywhere)?];
//! let staff: Vec<Staff> = (0..4)
//!     .map(|i| Staff::new(Name::new(&format!("志愿者{i}"))?, Qualifications::only(Q::Volunteer), community, 1).map_err(Into::into))
//!     .collect::<Result<_, wangge::Error>>()?;
//! // Three 8-hour shifts, 8 hours' rest between two shifts, at most 40 hours a week.
//! let rules = ShiftRules::new(ShiftPattern::three_eights(), 8, 40)?;
//! let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
//! let roster = ShiftRoster::solve(&checkpoints, &staff, &rules, feb1, 7, &tree)?;
//! // 21 shifts of 8 hours from four people capped at 5 shifts a week each: one stays open.
//! assert_eq!(roster.duties().len(), 20);
//! assert_eq!(roster.gaps().len(), 1);
//! // Coverage by hour: 168 hours needing one person each, 160 of them staffed.
//! let cover = roster.coverage(&checkpoints, 0)?;
//! assert_eq!(cover.hours().len(), 168);
//! assert_eq!(cover.uncovered().count(), 8);
//! # Ok::<(), wangge::Error>(())
//! ```

mod entrances;
mod roster;

pub use entrances::{OneWayBreach, one_way_breaches};
pub use roster::{Coverage, Duty, Gap, GapReason, ShiftRoster};

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::UnitId;
use crate::duty::{Locality, Qualifications};
use crate::grid::CheckpointKind;

/// The most days a roster may span: a year.
pub const MAX_ROSTER_DAYS: u16 = 366;

/// What can go wrong building checkpoints, shift patterns and rules, or solving a roster. No
/// variant holds a name of a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum GateError {
    /// A checkpoint asking for no one on a shift.
    #[error("a checkpoint needs at least 1 person a shift, not 0")]
    NoOneNeeded,
    /// A checkpoint no qualification admits.
    #[error("a checkpoint needs at least one qualification its staff may hold")]
    NoQualification,
    /// Opening hours that are empty or beyond the day.
    #[error("open from {open} to {close}: expected 0 <= open < close <= 24")]
    BadHours {
        /// The hour it opens.
        open: u8,
        /// The hour it closes.
        close: u8,
    },
    /// A shift pattern whose shifts do not tile the day.
    #[error(
        "shift {shift} starts at {start} for {hours} hours: expected shifts sorted by start, each from 1 to 24 \
         hours, each starting where the one before ends, together 24 hours"
    )]
    BadPattern {
        /// The shift's index.
        shift: usize,
        /// Its start hour.
        start: u8,
        /// Its length.
        hours: u8,
    },
    /// A shift pattern with no shifts.
    #[error("a shift pattern needs at least one shift")]
    NoShifts,
    /// A weekly cap smaller than a shift, or more than a week's hours.
    #[error("a cap of {cap} hours a week: expected from the longest shift ({longest}) to 168")]
    BadCap {
        /// The cap.
        cap: u16,
        /// The longest shift's hours.
        longest: u8,
    },
    /// A rest of more than a week.
    #[error("a rest of {rest} hours: expected at most 168")]
    BadRest {
        /// The rest asked.
        rest: u16,
    },
    /// A roster of no days, or of more than [`MAX_ROSTER_DAYS`], or one running past the
    /// calendar's end.
    #[error("a roster of {days} days: expected 1 to {max} days within the calendar")]
    BadSpan {
        /// The days asked.
        days: u16,
        /// The most allowed.
        max: u16,
    },
    // Issue 17 §1 in the registry: the gates book.
    /// A unit that is not an entrance ([`UnitKind::Entrance`](crate::grid::UnitKind::Entrance)).
    #[error("{unit} is not an entrance")]
    NotAnEntrance {
        /// The unit.
        unit: UnitId,
    },
    /// A unit that is not a compound ([`UnitKind::Compound`](crate::grid::UnitKind::Compound)).
    #[error("{unit} is not a compound")]
    NotACompound {
        /// The unit.
        unit: UnitId,
    },
    /// An entrance closed by this book already, or reopened when it is open.
    #[error("{entrance} is {} already", if *closed { "closed" } else { "open" })]
    EntranceUnchanged {
        /// The entrance.
        entrance: UnitId,
        /// Whether it is closed.
        closed: bool,
    },
    /// A compound put under the one-entrance rule when it is, or lifted when it is not.
    #[error("{compound} is {} the one-entrance rule already", if *under { "under" } else { "not under" })]
    RuleUnchanged {
        /// The compound.
        compound: UnitId,
        /// Whether it is under the rule.
        under: bool,
    },
    /// A change dated before the unit's last change in this book.
    #[error("{unit} changed last on {last}: a change on {on} would go back")]
    BeforeLast {
        /// The unit.
        unit: UnitId,
        /// The change's date.
        on: NaiveDate,
        /// The last change's date.
        last: NaiveDate,
    },
    /// A roster breaking a rule it was solved under ([`ShiftRoster::check`]).
    #[error("the roster's duty {duty} breaks the rule: {rule}")]
    RosterBreaks {
        /// The first duty breaking it (for [`RosterRule::Gaps`], the first gap wrong).
        duty: usize,
        /// The rule.
        rule: RosterRule,
    },
    /// A roster whose dates overlap a roster recorded already.
    #[error("a roster from {first} overlaps one recorded already")]
    RosterOverlap {
        /// Its first date.
        first: NaiveDate,
    },
    /// A checkpoint index not in the slice passed.
    #[error("no checkpoint {index}: {len} were given")]
    UnknownCheckpoint {
        /// The index.
        index: usize,
        /// How many checkpoints there are.
        len: usize,
    },
}

/// The rule a recorded roster breaks ([`GateError::RosterBreaks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RosterRule {
    /// Not of the rules' shifts, duties out of order or twice, or naming a date outside the
    /// span, a shift, checkpoint or person that does not exist.
    Shape,
    /// More people on a shift than the checkpoint needs (or on a shift it is closed).
    Overstaffed,
    /// A person holding no qualification the checkpoint admits.
    Eligibility,
    /// A person not belonging where the checkpoint asks.
    Locality,
    /// A person not available on the date.
    Availability,
    /// Less rest than the rules ask since the person's last shift (or two shifts at once).
    Rest,
    /// More hours in a week than the cap.
    WeekCap,
    /// Gaps other than the shifts left short.
    Gaps,
}

impl std::fmt::Display for RosterRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RosterRule::Shape => "shifts, dates, checkpoints and people as solved",
            RosterRule::Overstaffed => "no more people than a shift needs",
            RosterRule::Eligibility => "a qualification the checkpoint admits",
            RosterRule::Locality => "belonging where the checkpoint asks",
            RosterRule::Availability => "available on the date",
            RosterRule::Rest => "rest between two shifts",
            RosterRule::WeekCap => "the cap of hours a week",
            RosterRule::Gaps => "gaps as the shifts left short",
        })
    }
}

/// The hours a checkpoint is open each day.
///
/// Serialised externally tagged: `"AllDay"`, `{"Daily":{"open":6,"close":22}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Hours {
    /// Round the clock 24小时值守.
    AllDay,
    /// Every day from `open` to `close` (hours of the day, `0 <= open < close <= 24`).
    Daily {
        /// The hour it opens.
        open: u8,
        /// The hour it closes (24: midnight).
        close: u8,
    },
}

impl Hours {
    /// Whether open in the hour starting at `hour` (of the day, taken modulo 24).
    pub const fn open_at(self, hour: u32) -> bool {
        let h = hour % 24;
        match self {
            Hours::AllDay => true,
            Hours::Daily { open, close } => open as u32 <= h && h < close as u32,
        }
    }

    fn check(self) -> Result<(), GateError> {
        match self {
            Hours::Daily { open, close } if open >= close || close > 24 => Err(GateError::BadHours { open, close }),
            _ => Ok(()),
        }
    }
}

/// A checkpoint 卡点 at an entrance: its kind, the compounds it serves, its hours, how many
/// people each shift needs, who may stand there and where they must belong.
///
/// Serialised as a map of its fields (`serves` a list of unit ids).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "CheckpointData")]
pub struct Checkpoint {
    entrance: UnitId,
    kind: CheckpointKind,
    serves: Vec<UnitId>,
    hours: Hours,
    per_shift: u8,
    eligible: Qualifications,
    locality: Locality,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointData {
    entrance: UnitId,
    kind: CheckpointKind,
    serves: Vec<UnitId>,
    hours: Hours,
    per_shift: u8,
    eligible: Qualifications,
    locality: Locality,
}

impl TryFrom<CheckpointData> for Checkpoint {
    type Error = GateError;
    fn try_from(d: CheckpointData) -> Result<Self, GateError> {
        Checkpoint::new(d.entrance, d.kind, d.serves, d.hours, d.per_shift, d.eligible, d.locality)
    }
}

impl Checkpoint {
    /// A checkpoint at `entrance` of `kind` serving the compounds `serves` (sorted, repeats
    /// dropped), open `hours`, needing `per_shift` people on each shift it is open, each
    /// holding one of `eligible` and belonging as `locality` says of the entrance (say
    /// [`Locality::SameAncestorAt`] the community: people of the same community).
    ///
    /// # Errors
    /// [`GateError::NoOneNeeded`], [`GateError::NoQualification`], [`GateError::BadHours`].
    pub fn new(
        entrance: UnitId,
        kind: CheckpointKind,
        mut serves: Vec<UnitId>,
        hours: Hours,
        per_shift: u8,
        eligible: Qualifications,
        locality: Locality,
    ) -> Result<Self, GateError> {
        if per_shift == 0 {
            return Err(GateError::NoOneNeeded);
        }
        if eligible.is_empty() {
            return Err(GateError::NoQualification);
        }
        hours.check()?;
        serves.sort_unstable();
        serves.dedup();
        Ok(Checkpoint { entrance, kind, serves, hours, per_shift, eligible, locality })
    }

    /// The entrance unit it stands at.
    pub const fn entrance(&self) -> UnitId {
        self.entrance
    }

    /// Its kind (seed 003's four).
    pub const fn kind(&self) -> CheckpointKind {
        self.kind
    }

    /// The compounds it serves, sorted.
    pub fn serves(&self) -> &[UnitId] {
        &self.serves
    }

    /// Its opening hours.
    pub const fn hours(&self) -> Hours {
        self.hours
    }

    /// People needed on each shift it is open.
    pub const fn per_shift(&self) -> u8 {
        self.per_shift
    }

    /// The qualifications of which a person standing there holds at least one.
    pub const fn eligible(&self) -> Qualifications {
        self.eligible
    }

    /// Where the people standing there must belong, relative to the entrance.
    pub const fn locality(&self) -> Locality {
        self.locality
    }

    /// People needed on `shift`: [`Checkpoint::per_shift`] when open in any of its hours, else 0.
    pub fn needs(&self, shift: Shift) -> u8 {
        let start = u32::from(shift.start);
        if (start..start + u32::from(shift.hours)).any(|h| self.hours.open_at(h)) { self.per_shift } else { 0 }
    }
}

/// One shift 班次: it starts at an hour of the day and lasts some hours (possibly past midnight,
/// into the next day; it counts as the day it starts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// The hour it starts (0 to 23).
    pub start: u8,
    /// Its length in hours (1 to 24).
    pub hours: u8,
}

/// The day split into shifts: sorted by start, each starting where the one before ends, the
/// last ending where the first starts the next day (24 hours in all).
///
/// # Example
/// ```
/// use wangge::gates::{Shift, ShiftPattern};
/// let three = ShiftPattern::three_eights();
/// assert_eq!(three.shifts(), [Shift { start: 0, hours: 8 }, Shift { start: 8, hours: 8 }, Shift { start: 16, hours: 8 }]);
/// // Two 12-hour shifts from 7 to 19 and 19 to 7.
/// assert!(ShiftPattern::new(vec![Shift { start: 7, hours: 12 }, Shift { start: 19, hours: 12 }]).is_ok());
/// // A hole from 16 to 24 is refused.
/// assert!(ShiftPattern::new(vec![Shift { start: 0, hours: 8 }, Shift { start: 8, hours: 8 }]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Shift>", into = "Vec<Shift>")]
pub struct ShiftPattern {
    shifts: Vec<Shift>,
}

impl TryFrom<Vec<Shift>> for ShiftPattern {
    type Error = GateError;
    fn try_from(shifts: Vec<Shift>) -> Result<Self, GateError> {
        ShiftPattern::new(shifts)
    }
}

impl From<ShiftPattern> for Vec<Shift> {
    fn from(p: ShiftPattern) -> Self {
        p.shifts
    }
}

impl ShiftPattern {
    /// The pattern of `shifts`.
    ///
    /// # Errors
    /// [`GateError::NoShifts`]; [`GateError::BadPattern`] naming the first shift out of
    /// order, of 0 or more than 24 hours, starting at 24 or later, not starting where the one
    /// before ends, or (the last) not ending where the first starts.
    pub fn new(shifts: Vec<Shift>) -> Result<Self, GateError> {
        let first = shifts.first().ok_or(GateError::NoShifts)?;
        let bad = |i: usize, s: &Shift| GateError::BadPattern { shift: i, start: s.start, hours: s.hours };
        let mut end = u32::from(first.start);
        for (i, s) in shifts.iter().enumerate() {
            if s.start >= 24 || s.hours == 0 || s.hours > 24 || u32::from(s.start) != end {
                return Err(bad(i, s));
            }
            end = u32::from(s.start) + u32::from(s.hours);
        }
        let last = shifts.len() - 1;
        if end != u32::from(first.start) + 24 {
            return Err(bad(last, &shifts[last]));
        }
        Ok(ShiftPattern { shifts })
    }

    /// Three 8-hour shifts 三班倒: 0–8, 8–16, 16–24.
    pub fn three_eights() -> Self {
        let s = |start| Shift { start, hours: 8 };
        ShiftPattern { shifts: vec![s(0), s(8), s(16)] }
    }

    /// The shifts, sorted by start.
    pub fn shifts(&self) -> &[Shift] {
        &self.shifts
    }

    /// The longest shift's hours.
    pub fn longest(&self) -> u8 {
        self.shifts.iter().map(|s| s.hours).max().unwrap_or(0)
    }
}

/// The rules a shift roster keeps: its pattern, the rest between two shifts of one person and
/// a cap of hours a week.
///
/// Weeks count from the roster's first date (days 0–6, 7–13 ...); a shift's hours count in
/// the week of the day it starts. Rest is from one shift's end to the next one's start, so
/// with three 8-hour shifts a rest of 8 hours forbids night 0–8 then morning 8–16, and evening
/// 16–24 then the next day's night.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ShiftRulesData")]
pub struct ShiftRules {
    pattern: ShiftPattern,
    rest_hours: u16,
    week_cap_hours: u16,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftRulesData {
    pattern: ShiftPattern,
    rest_hours: u16,
    week_cap_hours: u16,
}

impl TryFrom<ShiftRulesData> for ShiftRules {
    type Error = GateError;
    fn try_from(d: ShiftRulesData) -> Result<Self, GateError> {
        ShiftRules::new(d.pattern, d.rest_hours, d.week_cap_hours)
    }
}

impl ShiftRules {
    /// Rules of `pattern`, at least `rest_hours` between two shifts of one person and at most
    /// `week_cap_hours` a week.
    ///
    /// # Errors
    /// [`GateError::BadRest`] above 168 hours; [`GateError::BadCap`] below the longest
    /// shift or above 168 hours.
    pub fn new(pattern: ShiftPattern, rest_hours: u16, week_cap_hours: u16) -> Result<Self, GateError> {
        if rest_hours > 168 {
            return Err(GateError::BadRest { rest: rest_hours });
        }
        let longest = pattern.longest();
        if week_cap_hours < u16::from(longest) || week_cap_hours > 168 {
            return Err(GateError::BadCap { cap: week_cap_hours, longest });
        }
        Ok(ShiftRules { pattern, rest_hours, week_cap_hours })
    }

    /// The shift pattern.
    pub fn pattern(&self) -> &ShiftPattern {
        &self.pattern
    }

    /// The least rest between two shifts of one person, in hours.
    pub const fn rest_hours(&self) -> u16 {
        self.rest_hours
    }

    /// The most hours a person works in a week.
    pub const fn week_cap_hours(&self) -> u16 {
        self.week_cap_hours
    }
}
