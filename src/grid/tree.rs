//! The unit tree: one root, one parent for every other unit, levels that deepen downwards.
//!
//! The [`Registry`](crate::Registry) owns one [`Tree`] and changes it only through the checked
//! methods here (for `AddUnit`, `MoveUnit`, `CloseUnit`); everything else reads it: tallies
//! roll up [`Tree::ancestors`], scopes and overlays ask [`Tree::is_within`], rosters check
//! localities against the lineage. A snapshot stores it as [`TreeData`] and rebuilds it with
//! [`Tree::from_data`], which checks every invariant again.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AdminCode, GridError, Level, LevelRef, LevelScheme, NewUnit, Unit, check_name};
use crate::UnitId;

/// "No ancestor at this level" in the lineage table.
const NONE: u32 = u32::MAX;

/// The tree of units 单位树 under one root, with the invariants kept by its type.
///
/// Invariants, true of every `Tree` whatever methods were called:
/// - exactly one root, [`Tree::root`], created with the tree; it cannot move or close;
/// - every other unit has exactly one parent, an open unit whose kind holds residents;
/// - a child's level is deeper than its parent's, skipping only optional levels
///   ([`LevelScheme::may_nest`]); since levels only deepen downwards there can be no cycle;
/// - administrative codes are unique.
///
/// The only ways to change a tree are [`Tree::add`], [`Tree::move_subtree`] and
/// [`Tree::close`], each of which checks everything before it changes anything.
///
/// Besides parent and children the tree keeps a *lineage table*: for every unit, its ancestor
/// at every level of the scheme. Since a path from the root has at most one unit per level,
/// "is A inside B" is one table read, and ancestors and lowest common ancestors cost at most
/// one step per level, whatever the size of the city.
///
/// # Example
/// ```
/// use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind, CompoundKind};
///
/// let scheme = LevelScheme::zhengzhou();
/// let lv = |n: &str| scheme.level(n).unwrap();
/// let mut tree = Tree::new(scheme.clone(), NewUnit::new("Huayuan Road 花园路街道", lv("sub-district"), UnitKind::Area))?;
/// let community = tree.add(tree.root(), NewUnit::new("Jinshui community", lv("community"), UnitKind::Area))?;
/// let yard = tree.add(community, NewUnit::new("No. 7 courtyard", lv("courtyard"), UnitKind::Compound(CompoundKind::WorkUnit)))?;
/// assert!(tree.is_within(yard, tree.root())?);
/// assert_eq!(tree.ancestors(yard)?.collect::<Vec<_>>(), vec![tree.root(), community]);
/// // A community cannot hang under a courtyard: levels only deepen downwards.
/// assert!(tree.add(yard, NewUnit::new("bad", lv("community"), UnitKind::Area)).is_err());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    scheme: LevelScheme,
    units: Vec<Unit>,
    parent: Vec<Option<UnitId>>,
    children: Vec<Vec<UnitId>>,
    /// `lineage[u * stride + l]` = the ancestor of `u` at level `l` (`u` itself at its own
    /// level), or `NONE`.
    lineage: Vec<u32>,
    depth: Vec<u8>,
    by_code: HashMap<AdminCode, UnitId>,
}

impl Tree {
    /// A tree holding only its root.
    ///
    /// # Errors
    /// [`GridError::UnknownLevel`] when the root's level is not in `scheme`,
    /// [`GridError::InvalidName`] for a bad name, [`GridError::NotAContainer`] when the root's
    /// kind cannot hold child units.
    pub fn new(scheme: LevelScheme, root: NewUnit) -> Result<Self, GridError> {
        check_name(&root.name)?;
        let level = scheme.resolve(&root.level)?;
        if !root.kind.holds_residents() {
            return Err(GridError::NotAContainer { unit: UnitId::new(0), kind: root.kind });
        }
        let stride = scheme.len();
        let mut tree = Tree {
            scheme,
            units: Vec::new(),
            parent: Vec::new(),
            children: Vec::new(),
            lineage: Vec::new(),
            depth: Vec::new(),
            by_code: HashMap::new(),
        };
        tree.lineage.resize(stride, NONE);
        tree.lineage[level.index()] = 0;
        if let Some(code) = &root.code {
            tree.by_code.insert(code.clone(), UnitId::new(0));
        }
        tree.units.push(Unit::from_new(root, level));
        tree.parent.push(None);
        tree.children.push(Vec::new());
        tree.depth.push(0);
        Ok(tree)
    }

    /// The level scheme the tree follows.
    pub fn scheme(&self) -> &LevelScheme {
        &self.scheme
    }

    /// The root unit (always `UnitId(0)`).
    pub fn root(&self) -> UnitId {
        UnitId::new(0)
    }

    /// How many units the tree has, open and closed. Never 0.
    #[allow(clippy::len_without_is_empty)] // a tree always has its root
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Every unit id, in the order they were added.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = UnitId> + use<> {
        // `len` fits in u32: `add` refuses a unit whose id would not.
        (0..self.units.len() as u32).map(UnitId::new)
    }

    /// Whether `unit` is a unit of this tree.
    pub fn contains(&self, unit: UnitId) -> bool {
        unit.index() < self.units.len()
    }

    /// Refuse an id that is not in the tree.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    pub fn check(&self, unit: UnitId) -> Result<(), GridError> {
        if self.contains(unit) { Ok(()) } else { Err(GridError::UnknownUnit { unit }) }
    }

    /// The unit's attributes.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    pub fn unit(&self, unit: UnitId) -> Result<&Unit, GridError> {
        self.units.get(unit.index()).ok_or(GridError::UnknownUnit { unit })
    }

    /// The unit's parent; `None` for the root.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    pub fn parent(&self, unit: UnitId) -> Result<Option<UnitId>, GridError> {
        self.parent.get(unit.index()).copied().ok_or(GridError::UnknownUnit { unit })
    }

    /// The unit's children, by increasing id.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    pub fn children(&self, unit: UnitId) -> Result<&[UnitId], GridError> {
        self.children.get(unit.index()).map(Vec::as_slice).ok_or(GridError::UnknownUnit { unit })
    }

    /// The unit's level in the scheme.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    pub fn level(&self, unit: UnitId) -> Result<Level, GridError> {
        Ok(self.unit(unit)?.level)
    }

    /// The number of ancestors: 0 for the root.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    pub fn depth(&self, unit: UnitId) -> Result<usize, GridError> {
        self.depth.get(unit.index()).map(|&d| usize::from(d)).ok_or(GridError::UnknownUnit { unit })
    }

    fn lineage_of(&self, unit: UnitId) -> &[u32] {
        let s = self.scheme.len();
        &self.lineage[unit.index() * s..(unit.index() + 1) * s]
    }

    /// The unit's ancestor at `level`, if it has one there (the unit itself at its own level).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`]. O(1).
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// // Shanghai: sub-district 0 > party organisation 1 (optional) > residents' committee 2 ...
    /// let mut tree = Tree::new(LevelScheme::shanghai(), NewUnit::new("长海路街道", Level::new(0), UnitKind::Area))?;
    /// let party = tree.add(tree.root(), NewUnit::new("住宅党组织", Level::new(1), UnitKind::Area))?;
    /// let with = tree.add(party, NewUnit::new("甲居委会", Level::new(2), UnitKind::Area))?;
    /// let without = tree.add(tree.root(), NewUnit::new("乙居委会", Level::new(2), UnitKind::Area))?;
    ///
    /// assert_eq!(tree.ancestor_at(with, Level::new(1))?, Some(party));
    /// assert_eq!(tree.ancestor_at(without, Level::new(1))?, None); // it skipped the optional level
    /// assert_eq!(tree.ancestor_at(without, Level::new(2))?, Some(without)); // itself at its own level
    /// assert_eq!((tree.depth(with)?, tree.depth(without)?), (2, 1));
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn ancestor_at(&self, unit: UnitId, level: Level) -> Result<Option<UnitId>, GridError> {
        self.check(unit)?;
        Ok(self.lineage_of(unit).get(level.index()).filter(|&&a| a != NONE).map(|&a| UnitId::new(a)))
    }

    /// The unit's ancestors, root first, not including the unit itself.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(levels of the scheme), independent of the size of the tree.
    pub fn ancestors(&self, unit: UnitId) -> Result<impl Iterator<Item = UnitId> + '_, GridError> {
        let own = self.level(unit)?.index();
        Ok(self.lineage_of(unit)[..own].iter().filter(|&&a| a != NONE).map(|&a| UnitId::new(a)))
    }

    /// Whether `unit` lies inside `area`: it is `area` or one of its descendants.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`] for either id.
    ///
    /// # Complexity
    /// O(1): one read of the lineage table.
    pub fn is_within(&self, unit: UnitId, area: UnitId) -> Result<bool, GridError> {
        let area_level = self.level(area)?;
        self.check(unit)?;
        Ok(self.lineage_of(unit)[area_level.index()] == area.get())
    }

    /// The deepest unit that contains both `a` and `b` (one of them, if one contains the other).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`] for either id.
    ///
    /// # Complexity
    /// O(levels of the scheme).
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// // 街道 0 > 社区 1 > 楼院 2 > 楼组 3 (Zhengzhou).
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let east = tree.add(tree.root(), NewUnit::new("东社区", Level::new(1), UnitKind::Area))?;
    /// let west = tree.add(tree.root(), NewUnit::new("西社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(east, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let one = tree.add(yard, NewUnit::new("1号楼", Level::new(3), UnitKind::Building))?;
    /// let two = tree.add(yard, NewUnit::new("2号楼", Level::new(3), UnitKind::Building))?;
    ///
    /// assert_eq!(tree.lowest_common_ancestor(one, two)?, yard);
    /// assert_eq!(tree.lowest_common_ancestor(one, yard)?, yard); // one contains the other
    /// assert_eq!(tree.lowest_common_ancestor(one, west)?, tree.root());
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn lowest_common_ancestor(&self, a: UnitId, b: UnitId) -> Result<UnitId, GridError> {
        self.check(a)?;
        self.check(b)?;
        let (la, lb) = (self.lineage_of(a), self.lineage_of(b));
        let common = la.iter().zip(lb).take_while(|(x, y)| x == y).filter(|(x, _)| **x != NONE).last();
        // Both lineages hold the root at the root's level and agree down to it, and there is
        // nothing above the root, so `common` is at least the root.
        Ok(common.map_or(self.root(), |(&x, _)| UnitId::new(x)))
    }

    /// The unit and everything below it, in pre-order (a parent before its children).
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(size of the subtree) for the whole walk; each step is O(1).
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let community = tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
    /// let yard3 = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let yard5 = tree.add(community, NewUnit::new("5号院", Level::new(2), UnitKind::Area))?;
    /// let building = tree.add(yard3, NewUnit::new("1号楼", Level::new(3), UnitKind::Building))?;
    ///
    /// // Pre-order, not id order: the building added last comes right after its courtyard.
    /// assert_eq!(tree.subtree(community)?.collect::<Vec<_>>(), [community, yard3, building, yard5]);
    /// assert_eq!(tree.descendants(community)?.collect::<Vec<_>>(), [yard3, building, yard5]);
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn subtree(&self, unit: UnitId) -> Result<Subtree<'_>, GridError> {
        self.check(unit)?;
        Ok(Subtree { tree: self, stack: vec![unit] })
    }

    /// Everything below the unit, in pre-order, not the unit itself.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(size of the subtree) for the whole walk.
    pub fn descendants(&self, unit: UnitId) -> Result<Subtree<'_>, GridError> {
        let mut walk = self.subtree(unit)?;
        walk.next();
        Ok(walk)
    }

    /// The unit with this administrative code.
    ///
    /// # Complexity
    /// O(1) expected (a hash look-up).
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{AdminCode, GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let community = NewUnit::new("农科路社区", Level::new(1), UnitKind::Area).with_code("410105001001")?;
    /// let community = tree.add(tree.root(), community)?;
    /// assert_eq!(tree.find_by_code("410105001001"), Some(community));
    /// assert_eq!(tree.find_by_code("not a code"), None);
    ///
    /// // Codes are unique in a tree.
    /// let again = NewUnit::new("另一社区", Level::new(1), UnitKind::Area).with_code("410105001001")?;
    /// assert_eq!(
    ///     tree.add(tree.root(), again),
    ///     Err(GridError::DuplicateCode { code: AdminCode::new("410105001001")?, unit: community })
    /// );
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn find_by_code(&self, code: &str) -> Option<UnitId> {
        let code = AdminCode::new(code).ok()?;
        self.by_code.get(&code).copied()
    }

    /// Check that a unit could be added under `parent`, without adding it.
    ///
    /// # Errors
    /// As [`Tree::add`].
    pub fn check_add(&self, parent: UnitId, unit: &NewUnit) -> Result<(), GridError> {
        check_name(&unit.name)?;
        let p = self.unit(parent)?;
        self.check_container(parent, p)?;
        let level = self.scheme.resolve(&unit.level)?;
        if !self.scheme.may_nest(p.level, level) {
            return Err(GridError::LevelDoesNotNest { parent, parent_level: p.level, child_level: level });
        }
        if let Some(code) = &unit.code
            && let Some(&holder) = self.by_code.get(code)
        {
            return Err(GridError::DuplicateCode { code: code.clone(), unit: holder });
        }
        if UnitId::from_index(self.units.len()).is_none_or(|id| id.get() == NONE) {
            return Err(GridError::TooManyUnits);
        }
        Ok(())
    }

    fn check_container(&self, id: UnitId, unit: &Unit) -> Result<(), GridError> {
        if let Some(on) = unit.closed_on {
            return Err(GridError::UnitClosed { unit: id, on });
        }
        if !unit.kind.holds_residents() {
            return Err(GridError::NotAContainer { unit: id, kind: unit.kind });
        }
        Ok(())
    }

    /// Check that `unit` could hold households now: it exists, is open and is of a kind
    /// that holds residents.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`], [`GridError::UnitClosed`], [`GridError::NotAContainer`].
    pub fn check_holds_households(&self, unit: UnitId) -> Result<(), GridError> {
        self.check_container(unit, self.unit(unit)?)
    }

    /// Add a unit under `parent` and return its id (the next free one).
    ///
    /// # Errors
    /// - [`GridError::UnknownUnit`] when `parent` is not in the tree;
    /// - [`GridError::UnitClosed`] / [`GridError::NotAContainer`] when the parent is closed or
    ///   is an entrance, road or workplace;
    /// - [`GridError::UnknownLevel`] / [`GridError::LevelDoesNotNest`] when the level is not in
    ///   the scheme or not deeper than the parent's (skipping only optional levels);
    /// - [`GridError::DuplicateCode`] when another unit has the code;
    /// - [`GridError::InvalidName`], [`GridError::TooManyUnits`].
    ///
    /// # Complexity
    /// O(levels of the scheme).
    pub fn add(&mut self, parent: UnitId, unit: NewUnit) -> Result<UnitId, GridError> {
        self.check_add(parent, &unit)?;
        let level = self.scheme.resolve(&unit.level)?;
        // check_add proved that the next index fits in a UnitId.
        let id = UnitId::from_index(self.units.len()).ok_or(GridError::TooManyUnits)?;
        let s = self.scheme.len();
        let start = self.lineage.len();
        self.lineage.extend_from_within(parent.index() * s..(parent.index() + 1) * s);
        self.lineage[start + level.index()] = id.get();
        if let Some(code) = &unit.code {
            self.by_code.insert(code.clone(), id);
        }
        let depth = self.depth[parent.index()].saturating_add(1);
        self.units.push(Unit::from_new(unit, level));
        self.parent.push(Some(parent));
        self.children.push(Vec::new());
        self.children[parent.index()].push(id);
        self.depth.push(depth);
        Ok(id)
    }

    /// Check that `unit` could be moved under `new_parent`, without moving it.
    ///
    /// # Errors
    /// As [`Tree::move_subtree`].
    pub fn check_move(&self, unit: UnitId, new_parent: UnitId) -> Result<(), GridError> {
        let u = self.unit(unit)?;
        let p = self.unit(new_parent)?;
        if unit == self.root() {
            return Err(GridError::RootIsFixed);
        }
        if let Some(on) = u.closed_on {
            return Err(GridError::UnitClosed { unit, on });
        }
        self.check_container(new_parent, p)?;
        if self.is_within(new_parent, unit)? {
            return Err(GridError::MoveIntoOwnSubtree { unit, new_parent });
        }
        if !self.scheme.may_nest(p.level, u.level) {
            return Err(GridError::LevelDoesNotNest {
                parent: new_parent,
                parent_level: p.level,
                child_level: u.level,
            });
        }
        Ok(())
    }

    /// Move `unit` and everything below it under `new_parent`. Moving a unit under its
    /// current parent is allowed and changes nothing.
    ///
    /// # Errors
    /// - [`GridError::UnknownUnit`] for either id;
    /// - [`GridError::RootIsFixed`] when `unit` is the root;
    /// - [`GridError::MoveIntoOwnSubtree`] when `new_parent` is `unit` or lies inside it;
    /// - [`GridError::UnitClosed`] when either unit is closed,
    ///   [`GridError::NotAContainer`] when `new_parent` cannot hold units;
    /// - [`GridError::LevelDoesNotNest`] when `unit`'s level may not hang under
    ///   `new_parent`'s.
    ///
    /// # Complexity
    /// O(size of the moved subtree × levels) to rewrite the lineage table, plus
    /// O(siblings) to unlink the unit from its old parent.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let east = tree.add(tree.root(), NewUnit::new("东社区", Level::new(1), UnitKind::Area))?;
    /// let west = tree.add(tree.root(), NewUnit::new("西社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(east, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let building = tree.add(yard, NewUnit::new("1号楼", Level::new(3), UnitKind::Building))?;
    ///
    /// // The boundary is redrawn: the courtyard goes to the west community, its building with it.
    /// tree.move_subtree(yard, west)?;
    /// assert_eq!(tree.parent(yard)?, Some(west));
    /// assert!(tree.is_within(building, west)?);
    /// assert!(!tree.is_within(building, east)?);
    /// assert!(tree.children(east)?.is_empty());
    ///
    /// assert_eq!(tree.move_subtree(tree.root(), west), Err(GridError::RootIsFixed));
    /// assert_eq!(tree.move_subtree(yard, building), Err(GridError::MoveIntoOwnSubtree { unit: yard, new_parent: building }));
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn move_subtree(&mut self, unit: UnitId, new_parent: UnitId) -> Result<(), GridError> {
        self.check_move(unit, new_parent)?;
        let old_parent = self.parent[unit.index()];
        if old_parent == Some(new_parent) {
            return Ok(());
        }
        if let Some(old) = old_parent {
            self.children[old.index()].retain(|&c| c != unit);
        }
        // Children stay sorted by id (as `add` leaves them), so the order is canonical.
        let siblings = &mut self.children[new_parent.index()];
        let at = siblings.binary_search(&unit).unwrap_or_else(|at| at);
        siblings.insert(at, unit);
        self.parent[unit.index()] = Some(new_parent);
        let s = self.scheme.len();
        let top = self.units[unit.index()].level.index();
        let above: Vec<u32> = self.lineage[new_parent.index() * s..new_parent.index() * s + top].to_vec();
        let shift = i32::from(self.depth[new_parent.index()]) + 1 - i32::from(self.depth[unit.index()]);
        let moved: Vec<UnitId> = self.subtree(unit)?.collect();
        for m in moved {
            self.lineage[m.index() * s..m.index() * s + top].copy_from_slice(&above);
            // Depth is bounded by the number of levels (≤ 16), so this stays in 0..=16.
            let d = i32::from(self.depth[m.index()]) + shift;
            self.depth[m.index()] = u8::try_from(d).unwrap_or(u8::MAX);
        }
        Ok(())
    }

    /// Check that `unit` could be closed, without closing it.
    ///
    /// # Errors
    /// As [`Tree::close`].
    pub fn check_close(&self, unit: UnitId) -> Result<(), GridError> {
        let u = self.unit(unit)?;
        if unit == self.root() {
            return Err(GridError::RootIsFixed);
        }
        if let Some(on) = u.closed_on {
            return Err(GridError::UnitClosed { unit, on });
        }
        let open = self.children[unit.index()].iter().filter(|c| self.units[c.index()].is_open()).count();
        if open > 0 {
            return Err(GridError::HasOpenChildren { unit, open_children: open });
        }
        Ok(())
    }

    /// Close `unit` on `date`. A closed unit keeps its id and place (history stays readable)
    /// but takes no new children, households or moves. Households are the registry's
    /// business: [`Registry`](crate::Registry) refuses to close a unit that still holds any
    /// unless they are transferred in the same command.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`], [`GridError::RootIsFixed`], [`GridError::UnitClosed`] when it
    /// is closed already, [`GridError::HasOpenChildren`] while any child is open.
    ///
    /// # Complexity
    /// O(children).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let community = tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let mar1 = NaiveDate::from_ymd_opt(2020, 3, 1).ok_or("no such date")?;
    ///
    /// // Children close first.
    /// assert_eq!(tree.close(community, mar1), Err(GridError::HasOpenChildren { unit: community, open_children: 1 }));
    /// tree.close(yard, mar1)?;
    /// tree.close(community, mar1)?;
    /// assert_eq!(tree.unit(community)?.closed_on(), Some(mar1));
    ///
    /// // A closed unit keeps its place but takes nothing new.
    /// assert!(tree.is_within(yard, community)?);
    /// let late = NewUnit::new("5号院", Level::new(2), UnitKind::Area);
    /// assert_eq!(tree.add(community, late), Err(GridError::UnitClosed { unit: community, on: mar1 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close(&mut self, unit: UnitId, date: NaiveDate) -> Result<(), GridError> {
        self.check_close(unit)?;
        self.units[unit.index()].closed_on = Some(date);
        Ok(())
    }

    /// The tree as plain data: every unit with its parent, in id order.
    pub fn to_data(&self) -> TreeData {
        TreeData {
            scheme: self.scheme.clone(),
            units: self.units.iter().zip(&self.parent).map(|(u, &p)| (p, u.clone())).collect(),
        }
    }

    /// Rebuild a tree from plain data, checking every invariant.
    ///
    /// # Errors
    /// [`GridError::InvalidTreeData`] naming the first unit that breaks an invariant, or the
    /// errors of [`Tree::new`] for the root.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
    ///
    /// let data = tree.to_data();
    /// assert_eq!(Tree::from_data(data.clone())?, tree);
    ///
    /// // Data that breaks an invariant is refused, naming the unit: here a second root.
    /// let mut bad = data;
    /// bad.units[1].0 = None;
    /// assert!(matches!(Tree::from_data(bad), Err(GridError::InvalidTreeData { unit: 1, .. })));
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn from_data(data: TreeData) -> Result<Self, GridError> {
        let bad =
            |unit: usize, reason: &str| GridError::InvalidTreeData { unit: unit as u64, reason: reason.to_owned() };
        let mut entries = data.units.into_iter();
        let Some((None, root)) = entries.next() else {
            return Err(bad(0, "the first unit must be the root, with no parent"));
        };
        let closed_root = root.closed_on;
        let mut tree = Tree::new(
            data.scheme,
            NewUnit { name: root.name, level: LevelRef::Index(root.level), kind: root.kind, code: root.code },
        )?;
        if closed_root.is_some() {
            return Err(bad(0, "the root cannot be closed"));
        }
        let rest: Vec<(Option<UnitId>, Unit)> = entries.collect();
        let n = rest.len() + 1;
        if UnitId::from_index(n).is_none() {
            return Err(GridError::TooManyUnits);
        }
        // Levels deepen downwards, so adding units in order of level adds every parent before
        // its children, whatever their ids.
        let mut order: Vec<usize> = (0..rest.len()).collect();
        order.sort_by_key(|&i| rest[i].1.level);
        let s = tree.scheme.len();
        tree.units.resize(n, tree.units[0].clone());
        tree.parent.resize(n, None);
        tree.children.resize(n, Vec::new());
        tree.depth.resize(n, 0);
        tree.lineage.resize(n * s, NONE);
        let mut placed = vec![false; n];
        placed[0] = true;
        for i in order {
            let id = i + 1;
            let (parent, unit) = &rest[i];
            let parent = parent.ok_or_else(|| bad(id, "only the first unit may lack a parent"))?;
            if parent.index() >= n || !placed[parent.index()] {
                return Err(bad(id, "its parent is missing or not shallower than it"));
            }
            check_name(&unit.name).map_err(|_| bad(id, "invalid name"))?;
            let p = &tree.units[parent.index()];
            if !p.kind.holds_residents() {
                return Err(bad(id, "its parent cannot hold units"));
            }
            if !tree.scheme.may_nest(p.level, unit.level) {
                return Err(bad(id, "its level does not nest under its parent's"));
            }
            if p.closed_on.is_some() && unit.closed_on.is_none() {
                return Err(bad(id, "an open unit under a closed parent"));
            }
            if let Some(code) = &unit.code
                && tree.by_code.insert(code.clone(), UnitId::new(id as u32)).is_some()
            {
                return Err(bad(id, "its code is used twice"));
            }
            let (ps, us) = (parent.index() * s, id * s);
            tree.lineage.copy_within(ps..ps + s, us);
            tree.lineage[us + unit.level.index()] = id as u32;
            tree.depth[id] = tree.depth[parent.index()].saturating_add(1);
            tree.units[id] = unit.clone();
            tree.parent[id] = Some(parent);
            placed[id] = true;
        }
        // Children in id order, as `add` and `move_subtree` keep them.
        for id in 1..n {
            if let Some(p) = tree.parent[id] {
                tree.children[p.index()].push(UnitId::new(id as u32));
            }
        }
        Ok(tree)
    }

    /// Recompute the derived tables from parent pointers and compare: the audit's view of the
    /// tree. Returns a description of each disagreement.
    pub(crate) fn self_check(&self) -> Vec<(UnitId, String)> {
        let mut found = Vec::new();
        let s = self.scheme.len();
        for u in self.ids() {
            let unit = &self.units[u.index()];
            let mut expect = vec![NONE; s];
            let mut cursor = Some(u);
            let mut depth = 0usize;
            let mut steps = 0usize;
            while let Some(c) = cursor {
                if let Some(slot) = expect.get_mut(self.units[c.index()].level.index()) {
                    *slot = c.get();
                }
                cursor = self.parent[c.index()];
                if cursor.is_some() {
                    depth += 1;
                }
                steps += 1;
                if steps > self.units.len() {
                    found.push((u, "its parent chain does not reach the root".to_owned()));
                    break;
                }
            }
            if expect != self.lineage_of(u) {
                found.push((u, "its lineage table disagrees with its parent chain".to_owned()));
            }
            if usize::from(self.depth[u.index()]) != depth {
                found.push((u, format!("stored depth {} but {} ancestors", self.depth[u.index()], depth)));
            }
            if let Some(p) = self.parent[u.index()] {
                let pu = &self.units[p.index()];
                if !self.scheme.may_nest(pu.level, unit.level) {
                    found.push((u, "its level does not nest under its parent's".to_owned()));
                }
                if self.children[p.index()].iter().filter(|&&c| c == u).count() != 1 {
                    found.push((u, "its parent does not list it exactly once as a child".to_owned()));
                }
            } else if u != self.root() {
                found.push((u, "a second root".to_owned()));
            }
            for &c in &self.children[u.index()] {
                if self.parent.get(c.index()).copied().flatten() != Some(u) {
                    found.push((u, format!("lists {c} as a child, but {c} has another parent")));
                }
            }
            if let Some(code) = &unit.code
                && self.by_code.get(code) != Some(&u)
            {
                found.push((u, "its code is not indexed to it".to_owned()));
            }
        }
        if self.by_code.len() != self.units.iter().filter(|u| u.code.is_some()).count() {
            found.push((self.root(), "the code index holds codes of no unit".to_owned()));
        }
        found
    }

    /// The parent pointers, for the audit's independent check with petgraph.
    pub(crate) fn parent_links(&self) -> impl Iterator<Item = (UnitId, UnitId)> + '_ {
        self.parent.iter().enumerate().filter_map(|(i, p)| p.map(|p| (p, UnitId::new(i as u32))))
    }
}

/// A pre-order walk of a subtree; see [`Tree::subtree`].
#[derive(Debug, Clone)]
pub struct Subtree<'t> {
    tree: &'t Tree,
    stack: Vec<UnitId>,
}

impl Iterator for Subtree<'_> {
    type Item = UnitId;
    fn next(&mut self) -> Option<UnitId> {
        let u = self.stack.pop()?;
        self.stack.extend(self.tree.children[u.index()].iter().rev());
        Some(u)
    }
}

/// A tree as plain data, for snapshots: the scheme and every unit with its parent, in id
/// order. Turned back into a [`Tree`] only through [`Tree::from_data`], which checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeData {
    /// The level scheme.
    pub scheme: LevelScheme,
    /// Every unit, `UnitId(i)` at position `i`, with its parent (`None` only for the root).
    pub units: Vec<(Option<UnitId>, Unit)>,
}

/// Writes the same shape as [`TreeData`], without copying the tree first.
impl Serialize for Tree {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Units<'t>(&'t Tree);
        impl Serialize for Units<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.units.iter().zip(&self.0.parent).map(|(u, p)| (p, u)))
            }
        }
        let mut st = s.serialize_struct("TreeData", 2)?;
        st.serialize_field("scheme", &self.scheme)?;
        st.serialize_field("units", &Units(self))?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Tree::from_data(TreeData::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::{CompoundKind, LevelSpec, UnitKind};

    fn lv(t: &Tree, name: &str) -> Level {
        t.scheme().level(name).unwrap()
    }

    /// sub-district > 2 communities > courtyard each > building in the first.
    fn small() -> (Tree, [UnitId; 5]) {
        let scheme = LevelScheme::zhengzhou();
        let mut t = Tree::new(scheme, NewUnit::new("街道", Level::new(0), UnitKind::Area)).unwrap();
        let yard = UnitKind::Compound(CompoundKind::Open);
        let c1 =
            t.add(t.root(), NewUnit::new("c1", lv(&t, "community"), UnitKind::Area).with_code("C1").unwrap()).unwrap();
        let c2 = t.add(t.root(), NewUnit::new("c2", lv(&t, "community"), UnitKind::Area)).unwrap();
        let y1 = t.add(c1, NewUnit::new("y1", lv(&t, "courtyard"), yard)).unwrap();
        let y2 = t.add(c2, NewUnit::new("y2", lv(&t, "courtyard"), yard)).unwrap();
        let b1 = t.add(y1, NewUnit::new("b1", lv(&t, "building group"), UnitKind::Building)).unwrap();
        (t, [c1, c2, y1, y2, b1])
    }

    #[test]
    fn queries_answer_from_the_lineage() {
        let (t, [c1, c2, y1, y2, b1]) = small();
        let root = t.root();
        assert_eq!(t.ancestors(b1).unwrap().collect::<Vec<_>>(), vec![root, c1, y1]);
        assert_eq!(t.depth(b1).unwrap(), 3);
        assert!(t.is_within(b1, c1).unwrap());
        assert!(t.is_within(c1, c1).unwrap());
        assert!(!t.is_within(b1, c2).unwrap());
        assert!(!t.is_within(c1, b1).unwrap());
        assert_eq!(t.lowest_common_ancestor(b1, y2).unwrap(), root);
        assert_eq!(t.lowest_common_ancestor(b1, y1).unwrap(), y1);
        assert_eq!(t.lowest_common_ancestor(y1, b1).unwrap(), y1);
        assert_eq!(t.subtree(root).unwrap().collect::<Vec<_>>(), vec![root, c1, y1, b1, c2, y2]);
        assert_eq!(t.descendants(c1).unwrap().collect::<Vec<_>>(), vec![y1, b1]);
        assert_eq!(t.find_by_code("C1"), Some(c1));
        assert_eq!(t.find_by_code("nope"), None);
        assert_eq!(t.find_by_code("bad code!"), None);
        assert_eq!(t.ancestor_at(b1, lv(&t, "community")).unwrap(), Some(c1));
        let ghost = UnitId::new(99);
        assert_eq!(t.parent(ghost), Err(GridError::UnknownUnit { unit: ghost }));
        assert!(t.is_within(ghost, root).is_err());
        assert!(t.is_within(root, ghost).is_err());
    }

    #[test]
    fn add_refuses_what_would_break_the_tree() {
        let (mut t, [c1, _, y1, _, b1]) = small();
        let community = lv(&t, "community");
        assert!(matches!(
            t.add(y1, NewUnit::new("x", community, UnitKind::Area)),
            Err(GridError::LevelDoesNotNest { .. })
        ));
        assert!(matches!(
            t.add(c1, NewUnit::new("x", community, UnitKind::Area)),
            Err(GridError::LevelDoesNotNest { .. })
        ));
        assert!(matches!(
            t.add(b1, NewUnit::new("x", Level::new(9), UnitKind::Area)),
            Err(GridError::UnknownLevel { .. })
        ));
        assert!(matches!(
            t.add(t.root(), NewUnit::new("x", community, UnitKind::Area).with_code("C1").unwrap()),
            Err(GridError::DuplicateCode { .. })
        ));
        assert!(matches!(
            t.add(t.root(), NewUnit::new("", community, UnitKind::Area)),
            Err(GridError::InvalidName { .. })
        ));
        let gate = t.add(y1, NewUnit::new("gate", lv(&t, "building group"), UnitKind::Entrance(None))).unwrap();
        assert!(matches!(
            t.add(gate, NewUnit::new("x", Level::new(3), UnitKind::Area)),
            Err(GridError::NotAContainer { .. })
        ));
        assert_eq!(t.self_check(), vec![]);
    }

    #[test]
    fn optional_levels_may_be_skipped() {
        let scheme = LevelScheme::shanghai();
        let mut t = Tree::new(scheme, NewUnit::new("长海路街道", Level::new(0), UnitKind::Area)).unwrap();
        let committee = t.add(t.root(), NewUnit::new("居委会", Level::new(2), UnitKind::Area)).unwrap();
        assert!(t.add(t.root(), NewUnit::new("x", Level::new(3), UnitKind::Area)).is_err());
        assert_eq!(t.ancestors(committee).unwrap().collect::<Vec<_>>(), vec![t.root()]);
        let party = t.add(t.root(), NewUnit::new("党组织", Level::new(1), UnitKind::Area)).unwrap();
        t.move_subtree(committee, party).unwrap();
        assert_eq!(t.depth(committee).unwrap(), 2);
        assert_eq!(t.lowest_common_ancestor(committee, party).unwrap(), party);
        assert_eq!(t.self_check(), vec![]);
    }

    #[test]
    fn moves_keep_the_lineage_and_refuse_cycles() {
        let (mut t, [c1, c2, y1, y2, b1]) = small();
        assert_eq!(t.move_subtree(c1, y1), Err(GridError::MoveIntoOwnSubtree { unit: c1, new_parent: y1 }));
        assert_eq!(t.move_subtree(c1, c1), Err(GridError::MoveIntoOwnSubtree { unit: c1, new_parent: c1 }));
        assert_eq!(t.move_subtree(t.root(), c1), Err(GridError::RootIsFixed));
        assert!(matches!(t.move_subtree(y1, y2), Err(GridError::LevelDoesNotNest { .. })));
        t.move_subtree(y1, c2).unwrap();
        assert!(t.is_within(b1, c2).unwrap());
        assert!(!t.is_within(b1, c1).unwrap());
        assert_eq!(t.children(c2).unwrap(), &[y1, y2]);
        assert!(t.children(c1).unwrap().is_empty());
        assert_eq!(t.self_check(), vec![]);
        // Moving under the same parent changes nothing.
        let before = t.clone();
        t.move_subtree(y1, c2).unwrap();
        assert_eq!(t, before);
    }

    #[test]
    fn close_waits_for_open_children_and_freezes_the_unit() {
        let (mut t, [c1, _, y1, y2, b1]) = small();
        let day = NaiveDate::from_ymd_opt(2020, 3, 1).unwrap();
        assert_eq!(t.close(y1, day), Err(GridError::HasOpenChildren { unit: y1, open_children: 1 }));
        t.close(b1, day).unwrap();
        t.close(y1, day).unwrap();
        assert_eq!(t.unit(y1).unwrap().closed_on(), Some(day));
        assert_eq!(t.close(y1, day), Err(GridError::UnitClosed { unit: y1, on: day }));
        assert!(matches!(
            t.add(y1, NewUnit::new("b", Level::new(3), UnitKind::Building)),
            Err(GridError::UnitClosed { .. })
        ));
        assert!(matches!(t.move_subtree(y1, c1), Err(GridError::UnitClosed { .. })));
        assert!(matches!(t.check_holds_households(y1), Err(GridError::UnitClosed { .. })));
        assert!(t.check_holds_households(y2).is_ok());
        assert_eq!(t.close(t.root(), day), Err(GridError::RootIsFixed));
    }

    #[test]
    fn data_round_trips_and_bad_data_is_refused() {
        let (mut t, [_, c2, y1, ..]) = small();
        t.move_subtree(y1, c2).unwrap();
        let back = Tree::from_data(t.to_data()).unwrap();
        assert_eq!(back, t);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Tree>(&json).unwrap(), t);

        let mut cyclic = t.to_data();
        cyclic.units[1].0 = Some(UnitId::new(3)); // a community under its courtyard
        assert!(matches!(Tree::from_data(cyclic), Err(GridError::InvalidTreeData { .. })));
        let mut orphan = t.to_data();
        orphan.units[2].0 = Some(UnitId::new(40));
        assert!(Tree::from_data(orphan).is_err());
        let mut two_roots = t.to_data();
        two_roots.units[2].0 = None;
        assert!(Tree::from_data(two_roots).is_err());
        let mut dup = t.to_data();
        dup.units[2].1.code = dup.units[1].1.code.clone();
        assert!(Tree::from_data(dup).is_err());
        let empty = TreeData { scheme: LevelScheme::zhengzhou(), units: vec![] };
        assert!(Tree::from_data(empty).is_err());
    }

    #[test]
    fn a_root_must_fit_its_scheme() {
        let s = LevelScheme::new("one", vec![LevelSpec::new("only", "唯一")]).unwrap();
        assert!(Tree::new(s.clone(), NewUnit::new("r", Level::new(1), UnitKind::Area)).is_err());
        assert!(Tree::new(s.clone(), NewUnit::new("r", Level::new(0), UnitKind::Road)).is_err());
        let t = Tree::new(s, NewUnit::new("r", Level::new(0), UnitKind::Area)).unwrap();
        assert_eq!(t.lowest_common_ancestor(t.root(), t.root()).unwrap(), t.root());
    }
}
