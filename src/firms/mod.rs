//! Workplaces' return to work 复工复产 and rental properties 出租屋 (issue 17 §3): the rules,
//! pure.
//!
//! **Filings 备案.** An enterprise or a building project is a unit of kind
//! [`UnitKind::Workplace`](crate::grid::UnitKind::Workplace). Seed 000's sub-district
//! "落实备案制度,夯实企业主体责任" (put the filing system in place, make enterprises carry
//! their own responsibility); seed 002's Baiyang put "3611家街属企业、75个政府投资和社会投资建设
//! 项目纳入数据库,对企业复工、工程进度、员工到岗等内容实施动态管理". A workplace's filing
//! ([`Filing`]) moves through the [`FilingStatus`]es by dated changes, each with its source,
//! the history kept; [`FilingStatus::may_become`] is the table of what may follow what.
//!
//! **The checklist.** Seed 000 guided ~200 small firms "从安排员工、制发通行证、开展公共环境
//! 消毒、存放防控材料、建立健康档案" and seed 003 trained firms on "企业管控服务点设置": the
//! four [`CheckItem`]s. A filing is not approved while one is missing
//! ([`FirmError::ChecklistIncomplete`]).
//!
//! **Employees.** The employees who live here link to persons of the register; those who do
//! not are a number ([`Filing::outside`]). Whether a registered employee may come to work is
//! the registry's to say from their colour and isolation
//! ([`Registry::work_bar`](crate::Registry::work_bar)); [`FirmCounts`] counts, per status,
//! the enterprises and their staff back at work.
//!
//! **The leader contracted 包企.** Seed 004: "領導幹部'包鎮、包村、包企、包校'" (leaders
//! contracted to towns, villages, enterprises and schools): a staff member of the duty pool
//! holding one of [`LEADER_QUALIFICATIONS`].
//!
//! **Rental properties.** Seed 000: "街道对辖区内25家规模出租屋进行了疫情防控专项检查和指导,
//! 明确要求出租屋管理者落实企业主体责任 … 通过'以房治人',强化对房东和房客的防控意识". A
//! [`Rental`] is a unit or a household marked as rented, with its landlord (the responsible
//! person, personal data) and its dated inspections; [`Rental::due`] says when the next is
//! owed.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::duty::Qualification;
use crate::people::{Name, Phone};
use crate::{HouseholdId, PersonId, StaffId, UnitId};

/// The most characters a filing's source may have.
pub const MAX_SOURCE_CHARS: usize = 200;

/// The qualifications of a leader who may be contracted to an enterprise 包企: the leading
/// cadres (领导干部) of seed 004, district-level, department-level and the sub-district's
/// section-level cadres.
pub const LEADER_QUALIFICATIONS: [Qualification; 3] =
    [Qualification::DistrictLeader, Qualification::DepartmentLeader, Qualification::SectionCadre];

/// What can go wrong with filings and rental properties. Never names a person's name or
/// phone: a landlord is personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FirmError {
    /// A filing, a checklist or employees for a unit that is not a workplace.
    #[error("unit {unit} is not a workplace 企业")]
    NotAWorkplace {
        /// The unit.
        unit: UnitId,
    },
    /// A change of filing status the table does not allow ([`FilingStatus::may_become`]).
    #[error("the filing of {unit} may not go from {from} to {to}")]
    Transition {
        /// The workplace.
        unit: UnitId,
        /// Its status.
        from: FilingStatus,
        /// The refused status.
        to: FilingStatus,
    },
    /// An approval while a checklist item is missing.
    #[error("the filing of {unit} may not be approved: {} checklist item(s) missing", missing.len())]
    ChecklistIncomplete {
        /// The workplace.
        unit: UnitId,
        /// The items missing.
        missing: Vec<CheckItem>,
    },
    /// A change dated before the filing's last change.
    #[error("the change on {on} is dated before the last change on {last}")]
    BeforeLast {
        /// The last change.
        last: NaiveDate,
        /// The refused date.
        on: NaiveDate,
    },
    /// A source too long or with control characters.
    #[error("a source of {chars} characters (at most {MAX_SOURCE_CHARS}, no control characters)")]
    BadSource {
        /// Its length.
        chars: usize,
    },
    /// A checklist item set to what it is already.
    #[error("the checklist of {unit} has {item:?} set so already")]
    ItemUnchanged {
        /// The workplace.
        unit: UnitId,
        /// The item.
        item: CheckItem,
    },
    /// A person added twice, or added while employed there already, or removed while not.
    #[error("person {person} cannot be added to or removed from {unit}'s employees")]
    Employee {
        /// The workplace.
        unit: UnitId,
        /// The person.
        person: PersonId,
    },
    /// A leader contracted 包企 who holds none of [`LEADER_QUALIFICATIONS`].
    #[error("staff member {staff} is not a leading cadre and may not be contracted to an enterprise")]
    NotALeader {
        /// The staff member.
        staff: StaffId,
    },
    /// The premises are marked as rented already.
    #[error("{premises} is marked as rented already")]
    AlreadyRented {
        /// The premises.
        premises: Premises,
    },
    /// The premises are not marked as rented.
    #[error("{premises} is not marked as rented")]
    NotRented {
        /// The premises.
        premises: Premises,
    },
    /// A rental property marked on a unit that holds no residents, or an inspection dated
    /// before the property was marked or before its last inspection.
    #[error("{premises}: {what}")]
    Rental {
        /// The premises.
        premises: Premises,
        /// What is wrong.
        what: String,
    },
}

/// The status of a workplace's filing 备案状态.
///
/// # Example
/// ```
/// use wangge::firms::FilingStatus;
/// assert!(FilingStatus::Closed.may_become(FilingStatus::Applied));
/// assert!(!FilingStatus::Closed.may_become(FilingStatus::Reopened)); // not without approval
/// assert!(FilingStatus::Suspended.may_become(FilingStatus::Applied)); // it files again
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FilingStatus {
    /// Closed 停工: not back at work (every workplace before its filing).
    Closed,
    /// Applied 已申请: the filing 备案 submitted, its checklist under review.
    Applied,
    /// Approved 已核准: may reopen.
    Approved,
    /// Reopened 已复工: back at work.
    Reopened,
    /// Suspended 暂停: stopped again (an employee fell ill, a check failed); files again to
    /// reopen.
    Suspended,
}

impl FilingStatus {
    /// Every status, in declaration order.
    pub const ALL: [FilingStatus; 5] = [
        FilingStatus::Closed,
        FilingStatus::Applied,
        FilingStatus::Approved,
        FilingStatus::Reopened,
        FilingStatus::Suspended,
    ];

    /// How many statuses there are.
    pub const COUNT: usize = 5;

    /// Its position in declaration order, for tables indexed by status.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            FilingStatus::Closed => "停工",
            FilingStatus::Applied => "已申请",
            FilingStatus::Approved => "已核准",
            FilingStatus::Reopened => "已复工",
            FilingStatus::Suspended => "暂停",
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            FilingStatus::Closed => "closed",
            FilingStatus::Applied => "applied",
            FilingStatus::Approved => "approved",
            FilingStatus::Reopened => "reopened",
            FilingStatus::Suspended => "suspended",
        }
    }

    /// Whether a filing of this status may change to `next`: closed → applied; applied →
    /// approved or closed (refused, withdrawn); approved → reopened, suspended or closed;
    /// reopened → suspended or closed; suspended → applied (it files again) or closed. Never
    /// to itself, never reopened without an approval.
    pub const fn may_become(self, next: FilingStatus) -> bool {
        use FilingStatus::*;
        matches!(
            (self, next),
            (Closed, Applied)
                | (Applied, Approved | Closed)
                | (Approved, Reopened | Suspended | Closed)
                | (Reopened, Suspended | Closed)
                | (Suspended, Applied | Closed)
        )
    }
}

impl std::fmt::Display for FilingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label_en())
    }
}

/// An item of a workplace's epidemic-prevention checklist 防疫检查清单 (seeds 000 and 003).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckItem {
    /// The staff health register 员工健康档案 (seed 000: 建立健康档案).
    HealthRegister,
    /// Disinfection of the premises 公共环境消毒 (seed 000: 开展公共环境消毒).
    Disinfection,
    /// Prevention supplies stored 防控物资 (seed 000: 存放防控材料; masks, thermometers,
    /// disinfectant).
    Supplies,
    /// A control point 管控服务点 at the entrance (seed 003: 企业管控服务点设置).
    ControlPoint,
}

impl CheckItem {
    /// Every item, in declaration order.
    pub const ALL: [CheckItem; 4] =
        [CheckItem::HealthRegister, CheckItem::Disinfection, CheckItem::Supplies, CheckItem::ControlPoint];

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            CheckItem::HealthRegister => "员工健康档案",
            CheckItem::Disinfection => "公共环境消毒",
            CheckItem::Supplies => "防控物资",
            CheckItem::ControlPoint => "管控服务点",
        }
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The checklist items done 防疫检查清单: a set of [`CheckItem`]s. Written as the list of
/// the items done, in declaration order.
///
/// # Example
/// ```
/// use wangge::firms::{CheckItem, Checklist};
/// let list = Checklist::EMPTY.with(CheckItem::Disinfection, true);
/// assert!(list.done(CheckItem::Disinfection));
/// assert_eq!(list.missing().count(), 3);
/// assert!(!list.is_complete());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(from = "Vec<CheckItem>", into = "Vec<CheckItem>")]
pub struct Checklist(u8);

impl Checklist {
    /// Nothing done.
    pub const EMPTY: Checklist = Checklist(0);

    /// Whether `item` is done.
    pub const fn done(self, item: CheckItem) -> bool {
        self.0 & item.bit() != 0
    }

    /// This list with `item` done or not.
    #[must_use]
    pub const fn with(self, item: CheckItem, done: bool) -> Self {
        if done { Checklist(self.0 | item.bit()) } else { Checklist(self.0 & !item.bit()) }
    }

    /// The items done, in declaration order.
    pub fn items(self) -> impl Iterator<Item = CheckItem> {
        CheckItem::ALL.into_iter().filter(move |i| self.done(*i))
    }

    /// The items missing, in declaration order.
    pub fn missing(self) -> impl Iterator<Item = CheckItem> {
        CheckItem::ALL.into_iter().filter(move |i| !self.done(*i))
    }

    /// Whether every item is done.
    pub fn is_complete(self) -> bool {
        self.missing().next().is_none()
    }
}

impl std::fmt::Debug for Checklist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.items()).finish()
    }
}

impl From<Vec<CheckItem>> for Checklist {
    fn from(items: Vec<CheckItem>) -> Self {
        items.into_iter().fold(Checklist::EMPTY, |list, item| list.with(item, true))
    }
}

impl From<Checklist> for Vec<CheckItem> {
    fn from(list: Checklist) -> Self {
        list.items().collect()
    }
}

/// One dated change of a filing's status, with its source (who filed, approved, suspended;
/// not personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The status from this day.
    pub status: FilingStatus,
    /// The day.
    pub on: NaiveDate,
    /// Its source 来源 (up to [`MAX_SOURCE_CHARS`] characters, may be empty).
    pub source: String,
}

/// The leader contracted to a workplace 包企领导, since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The leader: a staff member holding one of [`LEADER_QUALIFICATIONS`].
    pub leader: StaffId,
    /// Since when.
    pub since: NaiveDate,
}

/// A workplace's filing 备案: its status history, checklist, employees and leader.
///
/// A workplace with no filing, or whose history is empty, is [`FilingStatus::Closed`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    /// The workplace.
    pub unit: UnitId,
    /// Every change of status, oldest first.
    #[serde(default)]
    pub history: Vec<StatusChange>,
    /// The checklist items done.
    #[serde(default)]
    pub checklist: Checklist,
    /// The employees who live here, persons of the register, in id order.
    #[serde(default)]
    pub employees: Vec<PersonId>,
    /// How many employees do not live here (no record of them is kept).
    #[serde(default)]
    pub outside: u32,
    /// The leader contracted 包企, if any.
    #[serde(default)]
    pub leader: Option<Contract>,
}

crate::form::serialize_fields!(Filing {
    unit,
    history skip_if Vec::is_empty,
    checklist,
    employees skip_if Vec::is_empty,
    outside,
    leader skip_if Option::is_none,
});

impl Filing {
    /// A new filing of `unit`: closed, nothing done, nobody employed.
    pub fn new(unit: UnitId) -> Self {
        Filing {
            unit,
            history: Vec::new(),
            checklist: Checklist::EMPTY,
            employees: Vec::new(),
            outside: 0,
            leader: None,
        }
    }

    /// Its status now.
    pub fn status(&self) -> FilingStatus {
        self.history.last().map_or(FilingStatus::Closed, |c| c.status)
    }

    /// The day of its last change, if any.
    pub fn since(&self) -> Option<NaiveDate> {
        self.history.last().map(|c| c.on)
    }

    /// Check a change to `status` on `on` from `source`: allowed by the table, not dated
    /// before the last change, an approval only with the checklist complete.
    ///
    /// # Errors
    /// [`FirmError::Transition`], [`FirmError::BeforeLast`], [`FirmError::ChecklistIncomplete`],
    /// [`FirmError::BadSource`].
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::UnitId;
    /// use wangge::firms::{CheckItem, Filing, FilingStatus, FirmError};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let mut filing = Filing::new(UnitId::new(1));
    /// filing.check_change(FilingStatus::Applied, feb(10), "企业服务群申请")?;
    /// filing.history.push(wangge::firms::StatusChange { status: FilingStatus::Applied, on: feb(10), source: String::new() });
    /// // Not approved while an item is missing.
    /// assert!(matches!(filing.check_change(FilingStatus::Approved, feb(11), ""), Err(FirmError::ChecklistIncomplete { .. })));
    /// for item in CheckItem::ALL {
    ///     filing.checklist = filing.checklist.with(item, true);
    /// }
    /// filing.check_change(FilingStatus::Approved, feb(11), "")?;
    /// # Ok::<(), FirmError>(())
    /// ```
    pub fn check_change(&self, status: FilingStatus, on: NaiveDate, source: &str) -> Result<(), FirmError> {
        if let Some(chars) = crate::text::bad_source(source, MAX_SOURCE_CHARS) {
            return Err(FirmError::BadSource { chars });
        }
        let from = self.status();
        if !from.may_become(status) {
            return Err(FirmError::Transition { unit: self.unit, from, to: status });
        }
        if let Some(last) = self.since()
            && on < last
        {
            return Err(FirmError::BeforeLast { last, on });
        }
        if status == FilingStatus::Approved && !self.checklist.is_complete() {
            return Err(FirmError::ChecklistIncomplete {
                unit: self.unit,
                missing: self.checklist.missing().collect(),
            });
        }
        Ok(())
    }

    /// Whether `person` is a registered employee.
    ///
    /// # Complexity
    /// O(log employees).
    pub fn employs(&self, person: PersonId) -> bool {
        self.employees.binary_search(&person).is_ok()
    }
}

/// Counts of workplaces by filing status and of their staff 复工统计, for a unit or a scope.
/// Mergeable: the counts of two disjoint parts add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FirmCounts {
    /// Workplaces per status, indexed by [`FilingStatus::index`] (unfiled ones are closed).
    pub by_status: [u32; FilingStatus::COUNT],
    /// Staff back at work 员工到岗: at reopened workplaces, the registered employees who may
    /// come to work plus those who do not live here.
    pub staff_back: u64,
    /// Registered employees of reopened workplaces kept from work by their colour or
    /// isolation.
    pub staff_barred: u64,
}

impl FirmCounts {
    /// The workplaces of `status`.
    pub const fn of(&self, status: FilingStatus) -> u32 {
        self.by_status[status.index()]
    }

    /// Every workplace counted.
    pub fn total(&self) -> u64 {
        self.by_status.iter().map(|&n| u64::from(n)).sum()
    }

    /// Count one workplace: its filing (none: closed) and whether each registered employee
    /// may come to work.
    pub fn add(&mut self, filing: Option<&Filing>, may_work: impl Fn(PersonId) -> bool) {
        let Some(filing) = filing else {
            self.by_status[FilingStatus::Closed.index()] += 1;
            return;
        };
        let status = filing.status();
        self.by_status[status.index()] += 1;
        if status == FilingStatus::Reopened {
            let back = filing.employees.iter().filter(|p| may_work(**p)).count() as u64;
            self.staff_back += back + u64::from(filing.outside);
            self.staff_barred += filing.employees.len() as u64 - back;
        }
    }

    /// Add the counts of a disjoint part.
    pub fn merge(&mut self, other: &FirmCounts) {
        for (mine, theirs) in self.by_status.iter_mut().zip(other.by_status) {
            *mine += theirs;
        }
        self.staff_back += other.staff_back;
        self.staff_barred += other.staff_barred;
    }
}

/// Why a registered person may not come to work 不得到岗.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkBar {
    /// Their colour under the rule in force is not green (nor white).
    Colour(crate::colour::Colour),
    /// They are under an active isolation case.
    Isolation(crate::CaseId),
}

/// What is rented 出租屋: a unit (a building let as a whole, a large rental property 规模出租屋)
/// or a household's dwelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Premises {
    /// A unit that holds residents.
    Unit(UnitId),
    /// A household's dwelling.
    Household(HouseholdId),
}

impl std::fmt::Display for Premises {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Premises::Unit(u) => write!(f, "unit {u}"),
            Premises::Household(h) => write!(f, "household {h}"),
        }
    }
}

/// A landlord 房东 or rental manager 出租屋管理者, the person responsible for the property
/// (以房管人). Personal data: `Debug` is redacted, errors never quote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Landlord {
    /// The name.
    pub name: Name,
    /// The phone.
    pub phone: Phone,
}

/// The outcome of an inspection 检查结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InspectionOutcome {
    /// In order 合格: the landlord keeps the tenants' register and the measures.
    Passed,
    /// To put right 限期整改: inspected again within the period.
    Rectify,
}

/// One inspection 检查 of a rental property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    /// The day.
    pub on: NaiveDate,
    /// Who inspected.
    pub by: StaffId,
    /// The outcome.
    pub outcome: InspectionOutcome,
}

/// A rental property 出租屋: what is rented, its landlord, since when it is marked, and its
/// inspections, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rental {
    /// What is rented.
    pub premises: Premises,
    /// Its landlord (personal data).
    pub landlord: Landlord,
    /// Marked since.
    pub since: NaiveDate,
    /// The inspections, oldest first.
    #[serde(default)]
    pub inspections: Vec<Inspection>,
}

crate::form::serialize_fields!(Rental { premises, landlord, since, inspections skip_if Vec::is_empty });

impl Rental {
    /// The day the next inspection is owed, `every` days after the last (or after the
    /// marking when never inspected); after an inspection to put right, `every` is halved
    /// (rounded up): the re-inspection comes sooner. `None` when it falls beyond the
    /// calendar.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{HouseholdId, StaffId};
    /// use wangge::firms::{Inspection, InspectionOutcome, Landlord, Premises, Rental};
    /// use wangge::people::{Name, Phone};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let landlord = Landlord { name: Name::new("王某")?, phone: Phone::new("13800000000")? };
    /// let mut rental = Rental { premises: Premises::Household(HouseholdId::new(0)), landlord, since: feb(1), inspections: vec![] };
    /// assert_eq!(rental.due(7), Some(feb(8)));
    /// rental.inspections.push(Inspection { on: feb(5), by: StaffId::new(0), outcome: InspectionOutcome::Rectify });
    /// assert_eq!(rental.due(7), Some(feb(9))); // 4 days to put it right
    /// assert!(rental.is_overdue(feb(10), 7));
    /// # Ok::<(), wangge::people::IdentityError>(())
    /// ```
    pub fn due(&self, every: u32) -> Option<NaiveDate> {
        let (last, days) = match self.inspections.last() {
            None => (self.since, every),
            Some(i) if i.outcome == InspectionOutcome::Rectify => (i.on, every.div_ceil(2)),
            Some(i) => (i.on, every),
        };
        last.checked_add_days(Days::new(u64::from(days)))
    }

    /// Whether the next inspection was owed before `on`.
    pub fn is_overdue(&self, on: NaiveDate, every: u32) -> bool {
        self.due(every).is_some_and(|due| due < on)
    }

    /// The day of the last inspection, if any.
    pub fn last_inspected(&self) -> Option<NaiveDate> {
        self.inspections.last().map(|i| i.on)
    }
}

/// A rental property whose inspection is overdue 逾期未检, with the day it was owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    /// The premises.
    pub premises: Premises,
    /// When the inspection was owed.
    pub due: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_never_allows_a_status_to_itself_nor_reopening_without_approval() {
        for s in FilingStatus::ALL {
            assert!(!s.may_become(s));
            assert_eq!(s.may_become(FilingStatus::Reopened), s == FilingStatus::Approved);
        }
    }

    #[test]
    fn a_checklist_round_trips_as_its_items() {
        let list = Checklist::EMPTY.with(CheckItem::Supplies, true).with(CheckItem::HealthRegister, true);
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, r#"["HealthRegister","Supplies"]"#);
        assert_eq!(serde_json::from_str::<Checklist>(&json).unwrap(), list);
        assert_eq!(list.with(CheckItem::Supplies, false).items().collect::<Vec<_>>(), [CheckItem::HealthRegister]);
    }

    #[test]
    fn a_landlord_is_redacted() {
        let landlord = Landlord { name: Name::new("王房东").unwrap(), phone: Phone::new("13800000000").unwrap() };
        let shown = format!("{landlord:?}");
        assert!(!shown.contains('王') && !shown.contains("138"), "{shown}");
    }
}
