//! Units 单位 of the grid: their names, administrative codes and kinds.
//!
//! A host describes a unit as a [`NewUnit`] (name, level, kind, optional code) and sends it in
//! a [`Command::AddUnit`](crate::Command::AddUnit); the [`Tree`](super::Tree) checks it and
//! gives back its [`UnitId`](crate::UnitId). A [`Unit`] is what is read back. Kinds matter
//! downstream: only areas, compounds and buildings hold households, and responsibility rules
//! pick units by kind ([`UnitClass`](crate::duty::UnitClass)).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{GridError, Level, LevelRef, LevelScheme};

/// The longest unit name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// An administrative division code 行政区划代码 or any host-assigned unit code: 1 to 32 ASCII
/// letters, digits, `-` or `_`, unique within a registry.
///
/// # Example
/// ```
/// use wangge::grid::AdminCode;
/// assert!(AdminCode::new("410105001").is_ok());
/// assert!(AdminCode::new("4101 05").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AdminCode(Box<str>);

impl AdminCode {
    /// A validated code.
    ///
    /// # Errors
    /// [`GridError::InvalidCode`] when the code is empty, longer than 32 characters or holds a
    /// character other than ASCII letters, digits, `-` and `_`.
    pub fn new(code: &str) -> Result<Self, GridError> {
        let ok = !code.is_empty()
            && code.len() <= 32
            && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(AdminCode(code.into()))
        } else {
            Err(GridError::InvalidCode { code: code.chars().take(40).collect() })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for AdminCode {
    type Error = GridError;
    fn try_from(s: String) -> Result<Self, GridError> {
        AdminCode::new(&s)
    }
}

impl From<AdminCode> for String {
    fn from(c: AdminCode) -> String {
        c.0.into()
    }
}

impl std::fmt::Display for AdminCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Check a unit name: trimmed non-empty, at most [`MAX_NAME_CHARS`] characters, no control
/// characters. Unit names are public (they are posted at the gate), not personal data.
pub(crate) fn check_name(name: &str) -> Result<(), GridError> {
    let count = name.chars().count();
    if name.trim().is_empty() || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(GridError::InvalidName { chars: count, max: MAX_NAME_CHARS });
    }
    Ok(())
}

/// The kind of a compound or courtyard 小区/楼院, as the seeds sort them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CompoundKind {
    /// Closed compound with a property management company 物业封闭小区 (seed 000: 107 of 130).
    PropertyManagedClosed,
    /// Military compound 部队小区 (seed 000: 20).
    Military,
    /// Open compound 开放式小区 (seed 000: 3).
    Open,
    /// Courtyard with no managing body 无主管楼院 (seed 003).
    Unmanaged,
    /// Work-unit family courtyard 单位家属院 (seed 003).
    WorkUnit,
}

impl CompoundKind {
    /// Every kind, in declaration order.
    pub const ALL: [CompoundKind; 5] =
        [Self::PropertyManagedClosed, Self::Military, Self::Open, Self::Unmanaged, Self::WorkUnit];

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PropertyManagedClosed => "物业封闭小区",
            Self::Military => "部队小区",
            Self::Open => "开放式小区",
            Self::Unmanaged => "无主管楼院",
            Self::WorkUnit => "单位家属院",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::PropertyManagedClosed => "property-managed closed compound",
            Self::Military => "military compound",
            Self::Open => "open compound",
            Self::Unmanaged => "unmanaged courtyard",
            Self::WorkUnit => "work-unit family courtyard",
        }
    }
}

/// Where a checkpoint 卡点 stands, the four kinds of seed 003 (168 = 29 + 88 + 42 + 9): "无主管
/// 楼院卡点29个,单位家属院卡点88个,公共单位卡点42个,公共场所卡点9个".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CheckpointKind {
    /// At a courtyard with no managing body 无主管楼院 (29).
    UnmanagedCourtyard,
    /// At a work unit's family courtyard 单位家属院 (88).
    WorkUnitCourtyard,
    /// At a public unit 公共单位 (42): an institution, an office, a school.
    PublicInstitution,
    /// At a public place 公共场所 (9).
    PublicPlace,
}

impl CheckpointKind {
    /// Every kind, in declaration order.
    pub const ALL: [CheckpointKind; 4] =
        [Self::UnmanagedCourtyard, Self::WorkUnitCourtyard, Self::PublicInstitution, Self::PublicPlace];

    /// Huayuan Road's checkpoints by kind (seed 003: "无主管楼院卡点29个,单位家属院卡点88个,
    /// 公共单位卡点42个,公共场所卡点9个", 168 in all), in [`CheckpointKind::ALL`] order.
    pub const HUAYUAN_ROAD_2020: [(CheckpointKind, usize); 4] = [
        (Self::UnmanagedCourtyard, 29),
        (Self::WorkUnitCourtyard, 88),
        (Self::PublicInstitution, 42),
        (Self::PublicPlace, 9),
    ];

    /// The kind of each of Huayuan Road's 168 checkpoints, kind by kind
    /// ([`CheckpointKind::HUAYUAN_ROAD_2020`]).
    ///
    /// ```
    /// use wangge::grid::CheckpointKind;
    /// let kinds: Vec<CheckpointKind> = CheckpointKind::huayuan_road_2020().collect();
    /// assert_eq!(kinds.len(), 168);
    /// assert_eq!(kinds.iter().filter(|&&k| k == CheckpointKind::PublicPlace).count(), 9);
    /// ```
    pub fn huayuan_road_2020() -> impl Iterator<Item = CheckpointKind> {
        Self::HUAYUAN_ROAD_2020.into_iter().flat_map(|(k, n)| std::iter::repeat_n(k, n))
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::UnmanagedCourtyard => "无主管楼院卡点",
            Self::WorkUnitCourtyard => "单位家属院卡点",
            Self::PublicInstitution => "公共单位卡点",
            Self::PublicPlace => "公共场所卡点",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::UnmanagedCourtyard => "checkpoint at an unmanaged courtyard",
            Self::WorkUnitCourtyard => "checkpoint at a work-unit family courtyard",
            Self::PublicInstitution => "checkpoint at a public unit",
            Self::PublicPlace => "checkpoint at a public place",
        }
    }
}

/// What a unit is, beyond its level.
///
/// Areas, compounds and buildings hold households and child units. Entrances, roads and
/// workplaces are units in their own right (so that gate heads 门长, road heads 路长 and
/// enterprise contacts can be assigned to them) but are leaves: they hold neither child units
/// nor households.
///
/// # Example
/// ```
/// use wangge::grid::{CheckpointKind, CompoundKind, GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
///
/// let gate = UnitKind::Entrance(Some(CheckpointKind::WorkUnitCourtyard));
/// assert!(!gate.holds_residents());
/// assert_eq!(gate.label_zh(), "单位家属院卡点");
///
/// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
/// let community = tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
/// let yard = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Compound(CompoundKind::WorkUnit)))?;
/// let east_gate = tree.add(yard, NewUnit::new("东门", Level::new(3), gate))?;
/// // A checkpoint is a leaf: nothing hangs under it.
/// let booth = NewUnit::new("岗亭", Level::new(3), UnitKind::Building);
/// assert!(matches!(tree.add(east_gate, booth), Err(GridError::NotAContainer { .. })));
/// # Ok::<(), GridError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitKind {
    /// An administrative area with no more specific kind: sub-district 街道, community 社区,
    /// village 村, zone of a town ...
    Area,
    /// A compound or courtyard 小区/楼院 of the given kind.
    Compound(CompoundKind),
    /// A building or building group 楼栋/楼组.
    Building,
    /// An entrance 出入口 of its parent; `Some` when a checkpoint 卡点 is kept there.
    Entrance(Option<CheckpointKind>),
    /// A road 路, the target of a road head 路长.
    Road,
    /// A workplace or enterprise 企业 (seed 002 tracked 3,611 for return to work 复工).
    Workplace,
}

impl UnitKind {
    /// Every kind, each compound and checkpoint kind spelt out: the four plain kinds, then
    /// the compounds in [`CompoundKind::ALL`] order, then the entrances (without a checkpoint,
    /// then with each [`CheckpointKind`]).
    pub fn all() -> impl Iterator<Item = UnitKind> {
        [UnitKind::Area, UnitKind::Building, UnitKind::Road, UnitKind::Workplace]
            .into_iter()
            .chain(CompoundKind::ALL.into_iter().map(UnitKind::Compound))
            .chain(std::iter::once(UnitKind::Entrance(None)))
            .chain(CheckpointKind::ALL.into_iter().map(|k| UnitKind::Entrance(Some(k))))
    }

    /// Whether units of this kind may have child units and households.
    pub fn holds_residents(self) -> bool {
        matches!(self, UnitKind::Area | UnitKind::Compound(_) | UnitKind::Building)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            UnitKind::Area => "区域",
            UnitKind::Compound(k) => k.label_zh(),
            UnitKind::Building => "楼栋",
            UnitKind::Entrance(None) => "出入口",
            UnitKind::Entrance(Some(k)) => k.label_zh(),
            UnitKind::Road => "道路",
            UnitKind::Workplace => "企业",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            UnitKind::Area => "area",
            UnitKind::Compound(k) => k.label_en(),
            UnitKind::Building => "building",
            UnitKind::Entrance(None) => "entrance",
            UnitKind::Entrance(Some(k)) => k.label_en(),
            UnitKind::Road => "road",
            UnitKind::Workplace => "workplace",
        }
    }
}

/// The kind as a host writes it in a URL or a form, its serde variant with what it holds:
/// `Area`, `Compound(Open)`, `Entrance`, `Entrance(PublicPlace)` ...; `FromStr` reads it back.
///
/// ```
/// use wangge::grid::{CompoundKind, UnitKind};
/// let kind = UnitKind::Compound(CompoundKind::WorkUnit);
/// assert_eq!(kind.to_string(), "Compound(WorkUnit)");
/// assert_eq!("Compound(WorkUnit)".parse(), Ok(kind));
/// assert!("Compound".parse::<UnitKind>().is_err());
/// ```
impl std::fmt::Display for UnitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnitKind::Compound(k) => write!(f, "Compound({k:?})"),
            UnitKind::Entrance(Some(k)) => write!(f, "Entrance({k:?})"),
            UnitKind::Entrance(None) => f.write_str("Entrance"),
            plain => write!(f, "{plain:?}"),
        }
    }
}

impl std::str::FromStr for UnitKind {
    type Err = crate::ParseNameError;

    fn from_str(text: &str) -> Result<Self, crate::ParseNameError> {
        UnitKind::all().find(|k| k.to_string() == text).ok_or(crate::ParseNameError::new("unit kind"))
    }
}

/// What it takes to add a unit: everything but its place in the tree.
///
/// The level is a [`LevelRef`]: an index, or the level's name (English or Chinese), resolved
/// against the tree's scheme when the unit is added.
///
/// # Example
/// ```
/// use wangge::grid::{NewUnit, UnitKind, CompoundKind, Level, LevelRef};
/// let yard = NewUnit::new("Jinshui courtyard", Level::new(2), UnitKind::Compound(CompoundKind::WorkUnit))
///     .with_code("410105001003")?;
/// assert_eq!(yard.code().unwrap().as_str(), "410105001003");
///
/// // The same level by name, as a host's JSON may give it.
/// let named: NewUnit = serde_json::from_str(r#"{"name": "3号院", "level": "楼院", "kind": "Area", "code": null}"#)?;
/// assert_eq!(named.level(), &LevelRef::from("楼院"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub(crate) name: String,
    pub(crate) level: LevelRef,
    pub(crate) kind: UnitKind,
    pub(crate) code: Option<AdminCode>,
}

impl NewUnit {
    /// A unit with a name, a level (a [`Level`] or a level's name) and a kind, without a code.
    /// The name and the level are checked when the unit is added.
    pub fn new(name: impl Into<String>, level: impl Into<LevelRef>, kind: UnitKind) -> Self {
        NewUnit { name: name.into(), level: level.into(), kind, code: None }
    }

    /// The same unit with its level resolved to an index of `scheme`: how the registry records
    /// it, so that a log never depends on level names.
    ///
    /// # Errors
    /// As [`LevelScheme::resolve`].
    pub fn resolved(mut self, scheme: &LevelScheme) -> Result<Self, GridError> {
        self.level = LevelRef::Index(scheme.resolve(&self.level)?);
        Ok(self)
    }

    /// The same unit with an administrative code.
    ///
    /// # Errors
    /// [`GridError::InvalidCode`] as [`AdminCode::new`].
    pub fn with_code(mut self, code: &str) -> Result<Self, GridError> {
        self.code = Some(AdminCode::new(code)?);
        Ok(self)
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The level, as given: an index or a name.
    pub fn level(&self) -> &LevelRef {
        &self.level
    }

    /// The kind.
    pub fn kind(&self) -> UnitKind {
        self.kind
    }

    /// The code, if any.
    pub fn code(&self) -> Option<&AdminCode> {
        self.code.as_ref()
    }
}

/// A unit of the tree, as read back: attributes and status. Its place in the tree is asked of
/// the [`Tree`](super::Tree).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub(crate) name: String,
    pub(crate) level: Level,
    pub(crate) kind: UnitKind,
    pub(crate) code: Option<AdminCode>,
    pub(crate) closed_on: Option<NaiveDate>,
}

impl Unit {
    pub(crate) fn from_new(n: NewUnit, level: Level) -> Self {
        Unit { name: n.name, level, kind: n.kind, code: n.code, closed_on: None }
    }

    /// The unit's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The unit's level in the tree's scheme.
    pub fn level(&self) -> Level {
        self.level
    }

    /// What the unit is.
    pub fn kind(&self) -> UnitKind {
        self.kind
    }

    /// The administrative code, if any.
    pub fn code(&self) -> Option<&AdminCode> {
        self.code.as_ref()
    }

    /// The date the unit was closed, if it has been.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        self.closed_on
    }

    /// Whether the unit is open (not closed).
    pub fn is_open(&self) -> bool {
        self.closed_on.is_none()
    }
}
