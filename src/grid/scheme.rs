//! Level schemes 层级: the names of a tree's levels, top to bottom, as data.
//!
//! Cities cut their grid into different levels (Zhengzhou's four levels 四级, Shanghai's five
//! levels 五级, Foshan's town/village/group), so the scheme is a value, validated once, with a
//! preset for every scheme in the seeds. A scheme can be placed under district 区 and city 市
//! so that a whole city fits in one tree.
//!
//! A host picks or builds a scheme once and hands it to [`Registry::new`](crate::Registry::new)
//! (or [`Tree::new`](super::Tree::new)); from then on every [`Level`] a unit or a
//! responsibility rule names is checked against it, and [`LevelScheme::may_nest`] decides
//! where a unit may hang.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::GridError;

/// The most levels a scheme may have; it bounds a unit's depth and so every walk up the tree.
pub const MAX_LEVELS: usize = 16;

/// The position of a level in its scheme, 0 at the top.
///
/// A `Level` is only meaningful with the scheme it came from; the tree checks it against its
/// own scheme before using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Level(u8);

impl Level {
    /// The level at `index` (0 = top). Whether the index exists is checked by the scheme.
    pub const fn new(index: u8) -> Self {
        Level(index)
    }

    /// The index of this level, 0 at the top.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// A level as a command names it: by its position in the scheme, or by its English or Chinese
/// name (`"community"`, `"社区"`), resolved against the tree's scheme when the unit is added
/// ([`LevelScheme::resolve`]). In JSON an index is a number and a name a string, so a host can
/// write `{"name": "3号院", "level": "楼院", "kind": ...}`; the registry records the resolved
/// index, so a log never depends on names.
///
/// # Example
/// ```
/// use wangge::grid::{Level, LevelRef, LevelScheme};
/// let zz = LevelScheme::zhengzhou();
/// assert_eq!(zz.resolve(&LevelRef::from("楼院"))?, Level::new(2));
/// assert_eq!(zz.resolve(&LevelRef::from("Courtyard"))?, Level::new(2));
/// assert_eq!(zz.resolve(&LevelRef::from(Level::new(1)))?, Level::new(1));
/// assert!(zz.resolve(&LevelRef::from("village")).is_err());
/// let named: LevelRef = serde_json::from_str("\"社区\"")?;
/// assert_eq!(named, LevelRef::from("社区"));
/// let index: LevelRef = serde_json::from_str("1")?;
/// assert_eq!(index, LevelRef::from(Level::new(1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LevelRef {
    /// The level's position in the scheme, 0 at the top (a number in JSON).
    Index(Level),
    /// The level's English name (any case) or Chinese name (a string in JSON).
    Name(String),
}

impl LevelRef {
    /// The index, if this names the level by position.
    pub fn index(&self) -> Option<Level> {
        match self {
            LevelRef::Index(level) => Some(*level),
            LevelRef::Name(_) => None,
        }
    }
}

impl From<Level> for LevelRef {
    fn from(level: Level) -> Self {
        LevelRef::Index(level)
    }
}

impl From<&str> for LevelRef {
    fn from(name: &str) -> Self {
        LevelRef::Name(name.to_owned())
    }
}

impl From<String> for LevelRef {
    fn from(name: String) -> Self {
        LevelRef::Name(name)
    }
}

impl fmt::Display for LevelRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LevelRef::Index(level) => write!(f, "{}", level.index()),
            LevelRef::Name(name) => f.write_str(name),
        }
    }
}

/// One level of a scheme: its English and Chinese names and whether a child may skip it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelSpec {
    name: String,
    name_zh: String,
    optional: bool,
}

impl LevelSpec {
    /// A required level with its English and Chinese names.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::LevelSpec;
    /// let l = LevelSpec::new("courtyard", "楼院");
    /// assert_eq!(l.name(), "courtyard");
    /// assert!(!l.is_optional());
    /// ```
    pub fn new(name: impl Into<String>, name_zh: impl Into<String>) -> Self {
        LevelSpec { name: name.into(), name_zh: name_zh.into(), optional: false }
    }

    /// The same level, marked optional: a unit of a deeper level may hang directly under a
    /// unit of a shallower one, skipping this level.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// The English name (unique within a scheme).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Chinese name.
    pub fn name_zh(&self) -> &str {
        &self.name_zh
    }

    /// Whether a child may skip this level.
    pub fn is_optional(&self) -> bool {
        self.optional
    }
}

/// A validated list of levels, top to bottom.
///
/// Invariants (checked by [`LevelScheme::new`] and on deserialisation): at least one level, at
/// most [`MAX_LEVELS`], every name non-empty, English names unique (ignoring case) and Chinese
/// names unique where given.
///
/// # Example
/// ```
/// use wangge::grid::{LevelScheme, LevelSpec};
///
/// let zz = LevelScheme::zhengzhou().under_city_and_district()?;
/// assert_eq!(zz.len(), 6);
/// assert_eq!(zz.spec(zz.level("courtyard").unwrap()).unwrap().name_zh(), "楼院");
///
/// // A custom scheme is validated.
/// let bad = LevelScheme::new("mine", vec![LevelSpec::new("a", "甲"), LevelSpec::new("A", "乙")]);
/// assert!(bad.is_err());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawScheme")]
pub struct LevelScheme {
    name: String,
    levels: Vec<LevelSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    name: String,
    levels: Vec<LevelSpec>,
}

impl TryFrom<RawScheme> for LevelScheme {
    type Error = GridError;
    fn try_from(raw: RawScheme) -> Result<Self, GridError> {
        LevelScheme::new(raw.name, raw.levels)
    }
}

impl LevelScheme {
    /// A custom scheme, validated.
    ///
    /// # Errors
    /// [`GridError::InvalidScheme`] when the list is empty or longer than [`MAX_LEVELS`], a
    /// name is empty, or two levels share a name.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, LevelSpec};
    ///
    /// // A university campus: a dormitory may sit in a block or directly on the campus.
    /// let campus = LevelScheme::new("campus", vec![
    ///     LevelSpec::new("campus", "校区"),
    ///     LevelSpec::new("block", "片").optional(),
    ///     LevelSpec::new("dormitory", "宿舍楼"),
    /// ])?;
    /// assert_eq!(campus.len(), 3);
    /// assert!(campus.may_nest(Level::new(0), Level::new(2)));
    ///
    /// assert!(matches!(LevelScheme::new("nothing", vec![]), Err(GridError::InvalidScheme { .. })));
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn new(name: impl Into<String>, levels: Vec<LevelSpec>) -> Result<Self, GridError> {
        let name = name.into();
        let invalid = |reason: String| Err(GridError::InvalidScheme { reason });
        if levels.is_empty() {
            return invalid("a scheme needs at least one level".into());
        }
        if levels.len() > MAX_LEVELS {
            return invalid(format!("a scheme has at most {MAX_LEVELS} levels, found {}", levels.len()));
        }
        for (i, l) in levels.iter().enumerate() {
            if l.name.trim().is_empty() {
                return invalid(format!("level {i} has an empty English name"));
            }
            for earlier in &levels[..i] {
                if earlier.name.eq_ignore_ascii_case(&l.name) {
                    return invalid(format!("level name {:?} appears twice", l.name));
                }
                if !l.name_zh.is_empty() && earlier.name_zh == l.name_zh {
                    return invalid(format!("Chinese level name {:?} appears twice", l.name_zh));
                }
            }
        }
        Ok(LevelScheme { name, levels })
    }

    /// Zhengzhou Huayuan Road's four levels 四级 (seed 003): sub-district 街道 > community 社区 >
    /// courtyard 楼院 > building group 楼组.
    pub fn zhengzhou() -> Self {
        Self::preset(
            "Zhengzhou four-level 四级 (seed 003)",
            vec![
                LevelSpec::new("sub-district", "街道"),
                LevelSpec::new("community", "社区"),
                LevelSpec::new("courtyard", "楼院"),
                LevelSpec::new("building group", "楼组"),
            ],
        )
    }

    /// Shanghai Changhai Road's five levels 五级 (seed 000): sub-district party committee
    /// 街道党工委 > residential-area party organisation 小区/住宅党组织 > residents' committee
    /// 居委会 > residential compound 住宅小区 > building group 建筑小组.
    ///
    /// The party organisation level is optional: the seed pairs it with the residents'
    /// committee ("住宅党组织、居委会"), and a committee without its own party organisation
    /// hangs directly under the sub-district.
    pub fn shanghai() -> Self {
        Self::preset(
            "Shanghai five-level 五级 (seed 000)",
            vec![
                LevelSpec::new("sub-district party committee", "街道党工委"),
                LevelSpec::new("residential-area party organisation", "住宅党组织").optional(),
                LevelSpec::new("residents' committee", "居委会"),
                LevelSpec::new("residential compound", "住宅小区"),
                LevelSpec::new("building group", "建筑小组"),
            ],
        )
    }

    /// Foshan's five-layer net 五层防控网 (seed 004): town 镇 > village 村 > group 组 >
    /// enterprise 企; the fifth layer, household 户, is the register's households, which hang
    /// on villages and groups.
    ///
    /// The group level is optional so that an enterprise can sit directly in a village.
    pub fn foshan() -> Self {
        Self::preset(
            "Foshan five-layer 五层防控网 (seed 004)",
            vec![
                LevelSpec::new("town", "镇"),
                LevelSpec::new("village", "村"),
                LevelSpec::new("group", "组").optional(),
                LevelSpec::new("enterprise", "企"),
            ],
        )
    }

    /// Foshan Sanshui's three-level grid 三级网格 (seed 004): town or sub-district 镇街 >
    /// village or community 村(社区) > area 片.
    ///
    /// The seed names the three levels only as "三级网格"; the third, the area contracted
    /// house by house 包片包户, is read from the same paragraph.
    pub fn foshan_sanshui() -> Self {
        Self::preset(
            "Foshan Sanshui three-level grid 三级网格 (seed 004)",
            vec![
                LevelSpec::new("town or sub-district", "镇街"),
                LevelSpec::new("village or community", "村(社区)"),
                LevelSpec::new("area", "片"),
            ],
        )
    }

    /// Every preset, for listing and tests.
    pub fn presets() -> Vec<LevelScheme> {
        vec![Self::zhengzhou(), Self::shanghai(), Self::foshan(), Self::foshan_sanshui()]
    }

    fn preset(name: &str, levels: Vec<LevelSpec>) -> Self {
        // The presets are fixed, short and have distinct names, so they are valid by
        // construction; `new` is still the only constructor so the invariants hold.
        LevelScheme { name: name.to_owned(), levels }
    }

    /// This scheme with district 区 placed above its top level.
    ///
    /// # Errors
    /// [`GridError::InvalidScheme`] if the scheme already has a level named "district" or 区,
    /// or would exceed [`MAX_LEVELS`].
    pub fn under_district(self) -> Result<Self, GridError> {
        self.under(vec![LevelSpec::new("district", "区")])
    }

    /// This scheme with city 市 and district 区 placed above its top level.
    ///
    /// # Errors
    /// As [`LevelScheme::under_district`], for both levels.
    pub fn under_city_and_district(self) -> Result<Self, GridError> {
        self.under(vec![LevelSpec::new("city", "市"), LevelSpec::new("district", "区")])
    }

    /// This scheme with `above` placed above its top level (top to bottom).
    ///
    /// # Errors
    /// [`GridError::InvalidScheme`] when the result would not be a valid scheme.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{Level, LevelScheme, LevelSpec};
    ///
    /// let guangdong = LevelScheme::foshan().under(vec![LevelSpec::new("province", "省"), LevelSpec::new("city", "市")])?;
    /// assert_eq!(guangdong.level("省"), Some(Level::new(0)));
    /// assert_eq!(guangdong.level("town"), Some(Level::new(2))); // every level moves down two
    ///
    /// // A name the scheme has already (ignoring ASCII case) is refused.
    /// assert!(LevelScheme::foshan().under(vec![LevelSpec::new("Town", "乡")]).is_err());
    /// # Ok::<(), wangge::grid::GridError>(())
    /// ```
    pub fn under(self, above: Vec<LevelSpec>) -> Result<Self, GridError> {
        let names: Vec<&str> = above.iter().map(|l| l.name.as_str()).collect();
        let name = format!("{} under {}", self.name, names.join(" > "));
        let mut levels = above;
        levels.extend(self.levels);
        LevelScheme::new(name, levels)
    }

    /// The scheme's name (presets name their seed).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many levels the scheme has (never 0).
    #[allow(clippy::len_without_is_empty)] // a scheme is never empty
    pub fn len(&self) -> usize {
        self.levels.len()
    }

    /// Every level, top to bottom.
    pub fn levels(&self) -> impl ExactSizeIterator<Item = (Level, &LevelSpec)> {
        // MAX_LEVELS (16) fits in u8, so the cast cannot truncate.
        self.levels.iter().enumerate().map(|(i, l)| (Level(i as u8), l))
    }

    /// The level named `name` (English or Chinese, English ignoring ASCII case).
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{Level, LevelScheme};
    /// let zz = LevelScheme::zhengzhou();
    /// assert_eq!(zz.level("Courtyard"), Some(Level::new(2)));
    /// assert_eq!(zz.level("楼院"), Some(Level::new(2)));
    /// assert_eq!(zz.level("village"), None);
    /// ```
    pub fn level(&self, name: &str) -> Option<Level> {
        self.levels()
            .find(|(_, l)| l.name.eq_ignore_ascii_case(name) || (!l.name_zh.is_empty() && l.name_zh == name))
            .map(|(lv, _)| lv)
    }

    /// The level `level` names in this scheme: an index the scheme has, or a name as
    /// [`LevelScheme::level`] finds it.
    ///
    /// # Errors
    /// [`GridError::UnknownLevel`] for an index past the scheme's levels,
    /// [`GridError::UnknownLevelName`] for a name no level has.
    pub fn resolve(&self, level: &LevelRef) -> Result<Level, GridError> {
        match level {
            LevelRef::Index(index) if self.contains(*index) => Ok(*index),
            LevelRef::Index(index) => Err(GridError::UnknownLevel { level: *index, levels: self.len() }),
            LevelRef::Name(name) => self
                .level(name)
                .ok_or_else(|| GridError::UnknownLevelName { chars: name.chars().count(), scheme: self.name.clone() }),
        }
    }

    /// The description of `level`, or `None` if the scheme has no such level.
    pub fn spec(&self, level: Level) -> Option<&LevelSpec> {
        self.levels.get(level.index())
    }

    /// Whether `level` exists in this scheme.
    pub fn contains(&self, level: Level) -> bool {
        level.index() < self.levels.len()
    }

    /// Whether a unit of level `child` may hang directly under a unit of level `parent`:
    /// `child` is deeper, and every level strictly between them is optional.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{Level, LevelScheme};
    ///
    /// // Shanghai: sub-district 0 > party organisation 1 (optional) > residents' committee 2 > compound 3.
    /// let sh = LevelScheme::shanghai();
    /// let (sub, party, committee, compound) = (Level::new(0), Level::new(1), Level::new(2), Level::new(3));
    /// assert!(sh.may_nest(sub, party));
    /// assert!(sh.may_nest(sub, committee)); // skips the optional level
    /// assert!(!sh.may_nest(sub, compound)); // would skip the required committee
    /// assert!(!sh.may_nest(committee, party)); // levels only deepen downwards
    /// ```
    pub fn may_nest(&self, parent: Level, child: Level) -> bool {
        child > parent
            && self.contains(child)
            && self.levels[parent.index() + 1..child.index()].iter().all(|l| l.optional)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_sit_under_city_and_district() {
        for p in LevelScheme::presets() {
            let again = LevelScheme::new(p.name().to_owned(), p.levels.clone()).unwrap();
            assert_eq!(again, p);
            let full = p.clone().under_city_and_district().unwrap();
            assert_eq!(full.len(), p.len() + 2);
            assert_eq!(full.level("市"), Some(Level::new(0)));
            assert_eq!(full.level("district"), Some(Level::new(1)));
        }
    }

    #[test]
    fn custom_schemes_are_validated() {
        assert!(LevelScheme::new("x", vec![]).is_err());
        assert!(LevelScheme::new("x", vec![LevelSpec::new(" ", "")]).is_err());
        assert!(LevelScheme::new("x", vec![LevelSpec::new("a", "甲"), LevelSpec::new("b", "甲")]).is_err());
        let many = (0..17).map(|i| LevelSpec::new(format!("l{i}"), "")).collect();
        assert!(LevelScheme::new("x", many).is_err());
        assert!(LevelScheme::zhengzhou().under_district().unwrap().under_district().is_err());
    }

    #[test]
    fn optional_levels_may_be_skipped_and_only_they() {
        let sh = LevelScheme::shanghai();
        assert!(sh.may_nest(Level::new(0), Level::new(2)));
        assert!(!sh.may_nest(Level::new(0), Level::new(3)));
        assert!(!sh.may_nest(Level::new(2), Level::new(2)));
        assert!(!sh.may_nest(Level::new(3), Level::new(1)));
        assert!(!sh.may_nest(Level::new(4), Level::new(9)));
    }

    #[test]
    fn deserialising_validates() {
        let bad = r#"{"name":"x","levels":[]}"#;
        assert!(serde_json::from_str::<LevelScheme>(bad).is_err());
        let good = serde_json::to_string(&LevelScheme::foshan()).unwrap();
        assert_eq!(serde_json::from_str::<LevelScheme>(&good).unwrap(), LevelScheme::foshan());
    }
}
