//! Closed management, passes and entry checks 封闭式管理、出入证、"三个务必" (issue 17 §2).
//!
//! The seeds describe the gates of a compound in three pieces, each a value here:
//! - a compound's **management status** ([`CompoundStatus`]): open 开放, closed 封闭式管理
//!   (seed 000: "2月上旬,辖区内130个住宅小区实行封闭式管理"), or sealed 封控, kept as a
//!   dated history of [`StatusChange`]s, each with its source (the order that set it);
//! - **passes** 出入证 per household ([`Pass`]; seed 001: "实施小区封闭式管理,实行出入证管控制度"),
//!   valid from / until, revoked by command, and judged at the gate by [`judge`]: allowed, or
//!   refused with a typed [`Refusal`];
//! - **entry records** at an entrance ([`Entry`]), the "三个务必" of seed 000: "入场时询问、登记和测温"
//!   (ask, register, take the temperature) for a resident with a pass, a visitor registered
//!   with the purpose, a vehicle or a delivery; counted per day by [`EntryCounts`].
//!
//! Everything here is pure: the registry's book (`registry/access.rs`) keeps the records and
//! reads colours and cases through the registry's own accessors.
//!
//! When a household turns red, the registry revokes its passes in force in the record that
//! turned it ([`RevokeReason::HouseholdRed`], dated the business date): a revoked pass
//! ([`PassRecord::revoked`]) never admits, whatever the date asked, and the household gets a
//! new pass once it may go out again. A pass of a household that is red at the check (one
//! issued while it was red) is refused for that ([`Refusal::HouseholdRed`]).

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::people::{Name, Phone};
use crate::quarantine::Temperature;
use crate::{CaseId, HouseholdId, PersonId, UnitId};

/// The longest source, purpose or reason text kept, in characters.
pub const MAX_TEXT: usize = 200;

/// The fever at the gate: a reading at or above it that no case's check escalates is listed
/// for follow-up ([`FeverRoute::FollowUp`]). 37.3 °C, the Chinese threshold
/// ([`Temperature::FEVER_CN`], DOMAIN.md §5: "fever (Chinese practice: 37.3 °C or more)").
pub const GATE_FEVER: Temperature = Temperature::FEVER_CN;

/// A compound's management status 管理状态.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CompoundStatus {
    /// Open 开放: no gate control (every compound until a status is set).
    Open,
    /// Closed management 封闭式管理: residents in and out with a pass, visitors asked,
    /// registered and their temperature taken (seed 000's "三个务必").
    Closed,
    /// Sealed 封控: nobody in or out; deliveries are taken at the gate (seed 000: "安排专人接收快递").
    Sealed,
}

impl CompoundStatus {
    /// Every status, in order.
    pub const ALL: [CompoundStatus; 3] = [CompoundStatus::Open, CompoundStatus::Closed, CompoundStatus::Sealed];

    /// Its Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            CompoundStatus::Open => "开放",
            CompoundStatus::Closed => "封闭管理",
            CompoundStatus::Sealed => "封控",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for CompoundStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CompoundStatus::Open => "open",
            CompoundStatus::Closed => "closed",
            CompoundStatus::Sealed => "sealed",
        })
    }
}

/// A change of a compound's status 管理状态变更: from `on`, by the order named in `source`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The compound (a unit of kind [`UnitKind::Compound`](crate::grid::UnitKind::Compound)).
    pub compound: UnitId,
    /// Its status from `on`.
    pub status: CompoundStatus,
    /// The day it takes effect.
    pub on: NaiveDate,
    /// The order that set it (a notice's name, a meeting's date; 1 to [`MAX_TEXT`]
    /// characters, not personal data).
    pub source: String,
}

/// How many compounds are in each status 各状态小区数.
///
/// # Example
/// ```
/// use wangge::access::{CompoundStatus, StatusCounts};
///
/// let mut counts = StatusCounts::default();
/// counts.add(CompoundStatus::Closed);
/// counts.add(CompoundStatus::Closed);
/// counts.add(CompoundStatus::Open);
/// assert_eq!(counts.get(CompoundStatus::Closed), 2);
/// assert_eq!(counts.total(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusCounts([u64; 3]);

impl StatusCounts {
    /// Count one compound in `status`.
    pub fn add(&mut self, status: CompoundStatus) {
        self.0[status.index()] += 1;
    }

    /// How many compounds are in `status`.
    pub fn get(&self, status: CompoundStatus) -> u64 {
        self.0[status.index()]
    }

    /// How many compounds in all.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }
}

impl std::ops::Add for StatusCounts {
    type Output = StatusCounts;

    fn add(mut self, o: StatusCounts) -> StatusCounts {
        for (a, b) in self.0.iter_mut().zip(o.0) {
            *a += b;
        }
        self
    }
}

impl std::iter::Sum for StatusCounts {
    fn sum<I: Iterator<Item = StatusCounts>>(iter: I) -> StatusCounts {
        iter.fold(StatusCounts::default(), |a, b| a + b)
    }
}

/// A pass's number 出入证编号, `PassId(i)` the i-th issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PassId(u32);

impl PassId {
    /// The pass numbered `id`.
    pub const fn new(id: u32) -> Self {
        PassId(id)
    }

    /// Its number.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Its position among the passes issued.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for PassId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pass#{}", self.0)
    }
}

/// A pass 出入证 of a household, for the compound it lives in, valid from `from` to `until`
/// (both days included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pass {
    /// The household.
    pub household: HouseholdId,
    /// The compound it opens (the household's when issued).
    pub compound: UnitId,
    /// The first day it is valid (the day issued).
    pub from: NaiveDate,
    /// The last day it is valid.
    pub until: NaiveDate,
}

/// Why a pass was revoked 收回.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RevokeReason {
    /// Lost 遗失.
    Lost,
    /// The household left the compound 搬离.
    MovedOut,
    /// Withdrawn by the issuing office (misuse, a decision of the gate head 门长).
    Withdrawn,
    /// The household turned red 红色户 (seed 001: passes are for households that may go out):
    /// every pass of the household still in force is revoked by the registry the day it does,
    /// in the record that turned it red; a new pass is issued once it may go out again.
    HouseholdRed,
}

/// A revocation: when, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// The day it was revoked.
    pub on: NaiveDate,
    /// Why.
    pub reason: RevokeReason,
}

/// A pass as the registry keeps it: issued, and revoked or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassRecord {
    /// The pass.
    pub pass: Pass,
    /// Its revocation, if revoked.
    #[serde(default)]
    pub revoked: Option<Revocation>,
}

crate::form::serialize_fields!(PassRecord { pass, revoked skip_if Option::is_none });

/// Why a pass check at a gate refused 拒绝通行.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Refusal {
    /// The pass was revoked (on that day): a revoked pass never admits.
    Revoked {
        /// The day of the revocation.
        on: NaiveDate,
    },
    /// The pass is not valid yet.
    NotYetValid {
        /// Its first valid day.
        from: NaiveDate,
    },
    /// The pass has expired.
    Expired {
        /// Its last valid day.
        until: NaiveDate,
    },
    /// The pass is another compound's.
    OtherCompound {
        /// The compound it opens.
        compound: UnitId,
    },
    /// The compound is sealed 封控: nobody in or out.
    Sealed,
    /// The household is red 红 (a confirmed, suspected case or close contact lives there).
    HouseholdRed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Revoked { on } => write!(f, "the pass was revoked on {on}"),
            Refusal::NotYetValid { from } => write!(f, "the pass is valid from {from}"),
            Refusal::Expired { until } => write!(f, "the pass expired after {until}"),
            Refusal::OtherCompound { compound } => write!(f, "the pass opens {compound}, not this compound"),
            Refusal::Sealed => f.write_str("the compound is sealed"),
            Refusal::HouseholdRed => f.write_str("the household is red"),
        }
    }
}

/// What a pass check at a gate answers 验证结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Let in.
    Allowed,
    /// Refused, and why.
    Refused(Refusal),
}

impl Verdict {
    /// Whether the pass admits.
    pub fn admits(self) -> bool {
        self == Verdict::Allowed
    }
}

/// Judge a pass at a gate of `compound` on `on`, the compound in `status`, the pass's
/// household `red` or not. The first refusal found, in this order: revoked, not yet valid,
/// expired, another compound's, the compound sealed, the household red.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::{HouseholdId, UnitId};
/// use wangge::access::{judge, CompoundStatus, Pass, PassRecord, Refusal, Verdict};
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let yard = UnitId::new(3);
/// let pass = PassRecord { pass: Pass { household: HouseholdId::new(0), compound: yard, from: feb(3), until: feb(29) }, revoked: None };
/// assert_eq!(judge(&pass, yard, feb(10), CompoundStatus::Closed, false), Verdict::Allowed);
/// assert_eq!(judge(&pass, yard, feb(10), CompoundStatus::Closed, true), Verdict::Refused(Refusal::HouseholdRed));
/// assert_eq!(judge(&pass, UnitId::new(4), feb(10), CompoundStatus::Closed, false), Verdict::Refused(Refusal::OtherCompound { compound: yard }));
/// ```
pub fn judge(record: &PassRecord, compound: UnitId, on: NaiveDate, status: CompoundStatus, red: bool) -> Verdict {
    let p = &record.pass;
    let refusal = if let Some(r) = record.revoked {
        Refusal::Revoked { on: r.on }
    } else if on < p.from {
        Refusal::NotYetValid { from: p.from }
    } else if on > p.until {
        Refusal::Expired { until: p.until }
    } else if p.compound != compound {
        Refusal::OtherCompound { compound: p.compound }
    } else if status == CompoundStatus::Sealed {
        Refusal::Sealed
    } else if red {
        Refusal::HouseholdRed
    } else {
        return Verdict::Allowed;
    };
    Verdict::Refused(refusal)
}

/// A visitor 访客, registered at the gate with the purpose of the visit. The name and phone
/// are personal data: never shown in `Debug` or an error.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Visitor {
    /// The visitor's name.
    pub name: Name,
    /// Their phone, if given.
    #[serde(default)]
    pub phone: Option<Phone>,
    /// Why they come (1 to [`MAX_TEXT`] characters).
    pub purpose: String,
    /// The household visited, if one.
    #[serde(default)]
    pub visiting: Option<HouseholdId>,
}

crate::form::serialize_fields!(Visitor { name, phone skip_if Option::is_none, purpose, visiting skip_if Option::is_none });

/// Who or what comes in 进入类别.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Entrant {
    /// A resident 居民 with the household's pass: the person must live in the pass's household.
    Resident {
        /// The pass shown.
        pass: PassId,
        /// The person (registered here).
        person: PersonId,
    },
    /// A visitor 访客, registered with the purpose.
    Visitor(Visitor),
    /// A vehicle 车辆 (its driver's temperature taken).
    Vehicle {
        /// Why it comes (1 to [`MAX_TEXT`] characters).
        purpose: String,
    },
    /// A delivery 快递/外卖, taken at the gate (the courier's temperature taken).
    Delivery,
}

/// Which kind of entrant, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntrantKind {
    /// A resident with a pass.
    Resident,
    /// A visitor.
    Visitor,
    /// A vehicle.
    Vehicle,
    /// A delivery.
    Delivery,
}

impl Entrant {
    /// Its kind.
    pub fn kind(&self) -> EntrantKind {
        match self {
            Entrant::Resident { .. } => EntrantKind::Resident,
            Entrant::Visitor(_) => EntrantKind::Visitor,
            Entrant::Vehicle { .. } => EntrantKind::Vehicle,
            Entrant::Delivery => EntrantKind::Delivery,
        }
    }

    /// Its free text (a visitor's or vehicle's purpose), if any.
    pub fn purpose(&self) -> Option<&str> {
        match self {
            Entrant::Visitor(v) => Some(&v.purpose),
            Entrant::Vehicle { purpose } => Some(purpose),
            _ => None,
        }
    }
}

/// An entry at an entrance 出入登记: asked, registered, temperature taken ("三个务必").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entrance (a unit of kind [`UnitKind::Entrance`](crate::grid::UnitKind::Entrance)).
    pub entrance: UnitId,
    /// When (the host's time of day).
    pub at: NaiveDateTime,
    /// Who or what.
    pub entrant: Entrant,
    /// The temperature taken 测温.
    pub temperature: Temperature,
}

/// Where a fever at the gate went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FeverRoute {
    /// A resident under a case (or its watch after release): the reading is the case's
    /// health check, a fever under its policy, and escalates it by the existing rule
    /// ([`Command::RecordCheck`](crate::Command::RecordCheck)) in the same record.
    Case(CaseId),
    /// Listed for follow-up 跟进: a visitor, a driver, a courier, or a resident under no case
    /// whose reading is at or above [`GATE_FEVER`].
    FollowUp,
}

/// An entry as kept: the entry, the compound its entrance serves, and where a fever went.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    /// The entry.
    pub entry: Entry,
    /// The compound of the entrance.
    pub compound: UnitId,
    /// Where a fever went; `None` for a normal reading.
    #[serde(default)]
    pub fever: Option<FeverRoute>,
}

crate::form::serialize_fields!(EntryRecord { entry, compound, fever skip_if Option::is_none });

/// A day's entries counted 每日出入统计, by kind, with the fevers found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntryCounts {
    /// Residents with a pass.
    pub residents: u64,
    /// Visitors.
    pub visitors: u64,
    /// Vehicles.
    pub vehicles: u64,
    /// Deliveries.
    pub deliveries: u64,
    /// Fevers escalating a case.
    pub escalated: u64,
    /// Fevers listed for follow-up.
    pub follow_ups: u64,
}

impl EntryCounts {
    /// Count one entry.
    pub fn add(&mut self, record: &EntryRecord) {
        match record.entry.entrant.kind() {
            EntrantKind::Resident => self.residents += 1,
            EntrantKind::Visitor => self.visitors += 1,
            EntrantKind::Vehicle => self.vehicles += 1,
            EntrantKind::Delivery => self.deliveries += 1,
        }
        match record.fever {
            Some(FeverRoute::Case(_)) => self.escalated += 1,
            Some(FeverRoute::FollowUp) => self.follow_ups += 1,
            None => {}
        }
    }

    /// Every entry counted.
    pub fn total(&self) -> u64 {
        self.residents + self.visitors + self.vehicles + self.deliveries
    }

    /// Count `records`.
    pub fn count<'a>(records: impl IntoIterator<Item = &'a EntryRecord>) -> EntryCounts {
        let mut c = EntryCounts::default();
        for r in records {
            c.add(r);
        }
        c
    }
}

impl std::ops::Add for EntryCounts {
    type Output = EntryCounts;

    fn add(self, o: EntryCounts) -> EntryCounts {
        EntryCounts {
            residents: self.residents + o.residents,
            visitors: self.visitors + o.visitors,
            vehicles: self.vehicles + o.vehicles,
            deliveries: self.deliveries + o.deliveries,
            escalated: self.escalated + o.escalated,
            follow_ups: self.follow_ups + o.follow_ups,
        }
    }
}

/// What can go wrong with compounds' status, passes and entries. No variant carries a name or
/// phone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum AccessError {
    /// A status is set on a unit that is not a compound.
    #[error("{unit} is not a compound")]
    NotACompound {
        /// The unit.
        unit: UnitId,
    },
    /// An entry is recorded at a unit that is not an entrance.
    #[error("{unit} is not an entrance")]
    NotAnEntrance {
        /// The unit.
        unit: UnitId,
    },
    /// The unit (an entrance, a household's unit) lies in no compound.
    #[error("{unit} lies in no compound")]
    NoCompound {
        /// The unit.
        unit: UnitId,
    },
    /// The compound is in that status already.
    #[error("{compound} is {status} already")]
    SameStatus {
        /// The compound.
        compound: UnitId,
        /// Its status.
        status: CompoundStatus,
    },
    /// A change dated before the compound's last one: the history is kept in order.
    #[error("{compound}'s status changed last on {last}; a change on {on} comes before it")]
    BeforeLastChange {
        /// The compound.
        compound: UnitId,
        /// The date asked.
        on: NaiveDate,
        /// Its last change.
        last: NaiveDate,
    },
    /// A source, purpose or reason text that is empty (where needed), too long or holds
    /// control characters.
    #[error("a text of {chars} characters: 1 to {max} without control characters are expected")]
    BadText {
        /// Its length in characters.
        chars: usize,
        /// The longest allowed.
        max: usize,
    },
    /// A pass valid until before it is valid from.
    #[error("a pass valid from {from} until {until}")]
    BadValidity {
        /// Its first day.
        from: NaiveDate,
        /// Its last day.
        until: NaiveDate,
    },
    /// No such pass.
    #[error("{pass} was never issued")]
    UnknownPass {
        /// The pass.
        pass: PassId,
    },
    /// The pass is revoked already.
    #[error("{pass} was revoked on {on}")]
    AlreadyRevoked {
        /// The pass.
        pass: PassId,
        /// When.
        on: NaiveDate,
    },
    /// A revocation dated before an entry the pass admitted.
    #[error("{pass} admitted an entry on {used}; it cannot be revoked on {on}, before")]
    RevokedBeforeUse {
        /// The pass.
        pass: PassId,
        /// The date asked.
        on: NaiveDate,
        /// Its last entry.
        used: NaiveDate,
    },
    /// A resident's entry whose person does not live in the pass's household.
    #[error("{person} does not live in the household of {pass}")]
    NotOfHousehold {
        /// The person.
        person: PersonId,
        /// The pass.
        pass: PassId,
    },
    /// The pass does not admit.
    #[error("{pass} is refused: {refusal}")]
    Refused {
        /// The pass.
        pass: PassId,
        /// Why.
        refusal: Refusal,
    },
    /// A visitor or a vehicle at a sealed compound's gate: nobody comes in.
    #[error("{compound} is sealed: nobody comes in")]
    Sealed {
        /// The compound.
        compound: UnitId,
    },
}

/// `Err` when `text` is not 1 to [`MAX_TEXT`] characters without control characters.
pub(crate) fn check_text(text: &str) -> Result<(), AccessError> {
    match crate::text::bad_name(text, MAX_TEXT) {
        Some(chars) => Err(AccessError::BadText { chars, max: MAX_TEXT }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feb(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 2, d).unwrap()
    }

    #[test]
    fn the_first_refusal_wins_and_revoked_comes_first() {
        let yard = UnitId::new(1);
        let mut r = PassRecord {
            pass: Pass { household: HouseholdId::new(0), compound: yard, from: feb(3), until: feb(10) },
            revoked: None,
        };
        assert_eq!(judge(&r, yard, feb(3), CompoundStatus::Open, false), Verdict::Allowed);
        assert_eq!(judge(&r, yard, feb(10), CompoundStatus::Closed, false), Verdict::Allowed);
        assert_eq!(
            judge(&r, yard, feb(2), CompoundStatus::Closed, false),
            Verdict::Refused(Refusal::NotYetValid { from: feb(3) })
        );
        assert_eq!(
            judge(&r, yard, feb(11), CompoundStatus::Closed, true),
            Verdict::Refused(Refusal::Expired { until: feb(10) })
        );
        assert_eq!(judge(&r, yard, feb(5), CompoundStatus::Sealed, true), Verdict::Refused(Refusal::Sealed));
        r.revoked = Some(Revocation { on: feb(4), reason: RevokeReason::Lost });
        assert_eq!(
            judge(&r, yard, feb(2), CompoundStatus::Open, false),
            Verdict::Refused(Refusal::Revoked { on: feb(4) })
        );
    }

    #[test]
    fn a_visitors_debug_shows_no_personal_data() {
        let v = Visitor {
            name: Name::new("张三").unwrap(),
            phone: Some(Phone::new("13800138000").unwrap()),
            purpose: "送药".into(),
            visiting: None,
        };
        let shown = format!("{:?}", Entrant::Visitor(v));
        assert!(!shown.contains("张三") && !shown.contains("13800138000"), "{shown}");
    }

    #[test]
    fn texts() {
        assert!(check_text("街道通知").is_ok());
        assert_eq!(check_text(" "), Err(AccessError::BadText { chars: 1, max: MAX_TEXT }));
    }
}
