//! Overlays 叠加分区: partitions drawn across the tree, such as zones 片区 and grids 网格.
//!
//! A cell is a set of units; it holds the households inside them. The cells of one overlay
//! never overlap (no unit of a cell lies inside a unit of another cell, or of the same cell),
//! so a household is in at most one cell of each overlay. Households in no cell are the gaps
//! that "摸排不落一户" (no household skipped) forbids; the registry lists them.
//!
//! In: `CreateOverlay`, `AddCell` and `ExtendCell` commands, checked against the registry's
//! tree; a `MoveUnit` is refused when it would make cells overlap ([`Overlays::check_move`]).
//! Out: the registry keeps a [`Tally`](crate::colour::Tally) per cell, finding a household's
//! cells with [`Overlays::cells_naming`] along its unit's ancestors, answers
//! [`Registry::coverage`](crate::Registry::coverage) with the households in no cell, and
//! rosters take cells as targets ([`Target::Cell`](crate::duty::Target::Cell)).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::{GridError, Tree, check_name};
use crate::{CellId, OverlayId, UnitId};

/// What an overlay is used as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OverlayKind {
    /// Zones 片区, each contracted 包干 to a leader (seed 000: 7 zones).
    Zone,
    /// Basic grids 基层网格 (seed 002: 99 grids) or governance grids 综治网格 (seed 004: 5,924).
    Grid,
    /// Any other partition a host draws.
    Other,
}

impl OverlayKind {
    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            OverlayKind::Zone => "片区",
            OverlayKind::Grid => "网格",
            OverlayKind::Other => "分区",
        }
    }
}

/// One overlay: a name, a kind and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    name: String,
    kind: OverlayKind,
    cells: Vec<CellId>,
}

impl Overlay {
    /// The overlay's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The overlay's kind.
    pub fn kind(&self) -> OverlayKind {
        self.kind
    }

    /// The overlay's cells, in the order they were added.
    pub fn cells(&self) -> &[CellId] {
        &self.cells
    }
}

/// One cell of an overlay: a zone, a grid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    overlay: OverlayId,
    name: String,
    units: Vec<UnitId>,
}

impl Cell {
    /// The overlay the cell belongs to.
    pub fn overlay(&self) -> OverlayId {
        self.overlay
    }

    /// The cell's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The units whose subtrees make up the cell.
    pub fn units(&self) -> &[UnitId] {
        &self.units
    }
}

/// Every overlay of a registry and their cells, with the index that finds a unit's cell.
///
/// Changed only through checked methods that keep each overlay free of overlaps; the tree
/// they are checked against is passed in, since the tree can change too (the registry refuses
/// a move that would make cells overlap, see [`Overlays::check_move`]).
///
/// # Example
/// ```
/// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, OverlayKind, Overlays, Tree, UnitKind};
///
/// // A sub-district of two communities; a courtyard in the east one.
/// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
/// let east = tree.add(tree.root(), NewUnit::new("东社区", Level::new(1), UnitKind::Area))?;
/// let west = tree.add(tree.root(), NewUnit::new("西社区", Level::new(1), UnitKind::Area))?;
/// let yard = tree.add(east, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
///
/// let mut overlays = Overlays::new();
/// let zones = overlays.create("片区", OverlayKind::Zone)?;
/// let first = overlays.add_cell(&tree, zones, "第一片区", &[east])?;
/// // A unit lies in the cell naming it or its nearest named ancestor; the west community in none yet.
/// assert_eq!(overlays.cell_of(&tree, zones, yard)?, Some(first));
/// assert_eq!(overlays.cell_of(&tree, zones, west)?, None);
///
/// // Cells never overlap: the courtyard is in the first zone already.
/// assert_eq!(
///     overlays.add_cell(&tree, zones, "第二片区", &[west, yard]),
///     Err(GridError::CellOverlap { overlay: zones, unit: yard, other: east })
/// );
/// let second = overlays.add_cell(&tree, zones, "第二片区", &[west])?;
/// assert_eq!(overlays.overlay(zones)?.cells(), [first, second]);
/// assert_eq!(overlays.cells_naming(west), [second]);
/// # Ok::<(), GridError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    overlays: Vec<Overlay>,
    cells: Vec<Cell>,
    /// Per overlay: each unit named by one of its cells, and that cell.
    assigned: Vec<HashMap<UnitId, CellId>>,
    /// Per overlay: for each unit with units named below it (strictly), those units. Lets a
    /// new cell be checked against the units named inside its own in O(levels), instead of
    /// against every unit the overlay names; kept up to date by [`Overlays::unit_moved`].
    below: Vec<HashMap<UnitId, BTreeSet<UnitId>>>,
    /// By unit index: the cells, of any overlay, that name the unit itself (one per overlay
    /// at most). Lets the registry find every cell holding a household by walking its
    /// ancestors, with no hashing.
    naming: Vec<Vec<CellId>>,
}

/// Equal when they hold the same overlays and cells; the index of units named below each
/// unit follows the tree (it changes when a unit moves) and is not compared.
impl PartialEq for Overlays {
    fn eq(&self, other: &Self) -> bool {
        self.overlays == other.overlays
            && self.cells == other.cells
            && self.assigned == other.assigned
            && self.naming == other.naming
    }
}

impl Eq for Overlays {}

impl Overlays {
    /// No overlays.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many overlays there are.
    pub fn len(&self) -> usize {
        self.overlays.len()
    }

    /// How many cells there are, over all overlays.
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.overlays.is_empty()
    }

    /// Every overlay id.
    pub fn ids(&self) -> impl ExactSizeIterator<Item = OverlayId> + use<> {
        // `create` refuses an overlay whose id would not fit in u16.
        (0..self.overlays.len() as u16).map(OverlayId::new)
    }

    /// The overlay.
    ///
    /// # Errors
    /// [`GridError::UnknownOverlay`].
    pub fn overlay(&self, id: OverlayId) -> Result<&Overlay, GridError> {
        self.overlays.get(id.index()).ok_or(GridError::UnknownOverlay { overlay: id })
    }

    /// The cell.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`].
    pub fn cell(&self, id: CellId) -> Result<&Cell, GridError> {
        self.cells.get(id.index()).ok_or(GridError::UnknownCell { cell: id })
    }

    /// The overlay with this name, if any.
    pub fn find(&self, name: &str) -> Option<OverlayId> {
        self.overlays.iter().position(|o| o.name == name).and_then(OverlayId::from_index)
    }

    /// The cell of `overlay` that holds `unit` (the cell naming the unit or its nearest
    /// ancestor that a cell names), or `None` when the unit lies in no cell.
    ///
    /// # Errors
    /// [`GridError::UnknownOverlay`], [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(levels of the scheme) hash look-ups.
    pub fn cell_of(&self, tree: &Tree, overlay: OverlayId, unit: UnitId) -> Result<Option<CellId>, GridError> {
        let assigned = self.assigned.get(overlay.index()).ok_or(GridError::UnknownOverlay { overlay })?;
        if let Some(&c) = assigned.get(&unit) {
            return Ok(Some(c));
        }
        let mut found = None;
        for a in tree.ancestors(unit)? {
            if let Some(&c) = assigned.get(&a) {
                found = Some(c);
            }
        }
        Ok(found)
    }

    /// The cells, of any overlay, that name `unit` itself (not an ancestor of it); at most
    /// one per overlay, in id order.
    ///
    /// # Complexity
    /// O(1).
    pub fn cells_naming(&self, unit: UnitId) -> &[CellId] {
        self.naming.get(unit.index()).map_or(&[], Vec::as_slice)
    }

    fn name_units(&mut self, cell: CellId, units: &[UnitId]) {
        for &u in units {
            if self.naming.len() <= u.index() {
                self.naming.resize_with(u.index() + 1, Vec::new);
            }
            let cells = &mut self.naming[u.index()];
            if let Err(at) = cells.binary_search(&cell) {
                cells.insert(at, cell);
            }
        }
    }

    /// Check that an overlay could be created, without creating it.
    ///
    /// # Errors
    /// As [`Overlays::create`].
    pub fn check_create(&self, name: &str) -> Result<(), GridError> {
        check_name(name)?;
        if self.find(name).is_some() {
            return Err(GridError::DuplicateOverlay { name: name.to_owned() });
        }
        if OverlayId::from_index(self.overlays.len()).is_none() {
            return Err(GridError::TooManyOverlays);
        }
        Ok(())
    }

    /// Create an empty overlay and return its id (the next free one).
    ///
    /// # Errors
    /// [`GridError::InvalidName`], [`GridError::DuplicateOverlay`] when the name is taken,
    /// [`GridError::TooManyOverlays`].
    pub fn create(&mut self, name: &str, kind: OverlayKind) -> Result<OverlayId, GridError> {
        self.check_create(name)?;
        let id = OverlayId::from_index(self.overlays.len()).ok_or(GridError::TooManyOverlays)?;
        self.overlays.push(Overlay { name: name.to_owned(), kind, cells: Vec::new() });
        self.assigned.push(HashMap::new());
        self.below.push(HashMap::new());
        Ok(id)
    }

    /// Check that `units` could join `overlay` (as a new cell or in an existing one): each
    /// unit, in order, against the units before it (the first one overlapping, as listed),
    /// then against the unit itself and its ancestors named in the overlay (the outermost
    /// first), then against the units named below it (the smallest id).
    ///
    /// O(units × levels) look-ups: the units before are indexed with their ancestors as they
    /// are checked, the units named with theirs as they are added.
    fn check_units(&self, tree: &Tree, overlay: OverlayId, units: &[UnitId]) -> Result<(), GridError> {
        let assigned = self.assigned.get(overlay.index()).ok_or(GridError::UnknownOverlay { overlay })?;
        let below = self.below.get(overlay.index()).ok_or(GridError::UnknownOverlay { overlay })?;
        if units.is_empty() {
            return Err(GridError::EmptyCell);
        }
        // The units checked so far: each one's first position, and for each of their
        // ancestors the first position of a unit below it.
        let mut at: HashMap<UnitId, usize> = HashMap::with_capacity(units.len());
        let mut under: HashMap<UnitId, usize> = HashMap::new();
        for (i, &u) in units.iter().enumerate() {
            tree.check(u)?;
            let ancestors: Vec<UnitId> = tree.ancestors(u)?.collect();
            // Against each other: the first unit before that is this one, an ancestor of it,
            // or lies below it ...
            let first = (std::iter::once(u).chain(ancestors.iter().copied()))
                .filter_map(|a| at.get(&a).copied())
                .chain(under.get(&u).copied())
                .min();
            if let Some(j) = first {
                return Err(GridError::CellOverlap { overlay, unit: u, other: units[j] });
            }
            at.entry(u).or_insert(i);
            for &a in &ancestors {
                under.entry(a).or_insert(i);
            }
            // ... against the unit's ancestors and itself ...
            if assigned.contains_key(&u) {
                return Err(GridError::CellOverlap { overlay, unit: u, other: u });
            }
            for &a in &ancestors {
                if assigned.contains_key(&a) {
                    return Err(GridError::CellOverlap { overlay, unit: u, other: a });
                }
            }
            // ... and against units already named below it.
            if let Some(&a) = below.get(&u).and_then(|named| named.first()) {
                return Err(GridError::CellOverlap { overlay, unit: u, other: a });
            }
        }
        Ok(())
    }

    /// Index `units`, just named in `overlay`, under each of their ancestors.
    fn index_below(&mut self, tree: &Tree, overlay: OverlayId, units: &[UnitId]) -> Result<(), GridError> {
        let below = self.below.get_mut(overlay.index()).ok_or(GridError::UnknownOverlay { overlay })?;
        for &u in units {
            for a in tree.ancestors(u)? {
                below.entry(a).or_default().insert(u);
            }
        }
        Ok(())
    }

    /// Follow a move of `unit` in `tree` (done already), whose ancestors were `before`: the
    /// units named inside its subtree now lie below its new ancestors, not its old ones. A
    /// registry calls it after every [`Tree::move_subtree`].
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(overlays + units named inside the moved subtree × levels × log).
    pub fn unit_moved(&mut self, tree: &Tree, unit: UnitId, before: &[UnitId]) -> Result<(), GridError> {
        let after: Vec<UnitId> = tree.ancestors(unit)?.collect();
        for (assigned, below) in self.assigned.iter().zip(&mut self.below) {
            let mut inside: Vec<UnitId> = below.get(&unit).map(|set| set.iter().copied().collect()).unwrap_or_default();
            if assigned.contains_key(&unit) {
                inside.push(unit);
            }
            if inside.is_empty() {
                continue;
            }
            for a in before {
                if let Some(set) = below.get_mut(a) {
                    for u in &inside {
                        set.remove(u);
                    }
                    if set.is_empty() {
                        below.remove(a);
                    }
                }
            }
            for &a in &after {
                below.entry(a).or_default().extend(inside.iter().copied());
            }
        }
        Ok(())
    }

    /// Check that a cell could be added, without adding it.
    ///
    /// # Errors
    /// As [`Overlays::add_cell`].
    pub fn check_add_cell(
        &self,
        tree: &Tree,
        overlay: OverlayId,
        name: &str,
        units: &[UnitId],
    ) -> Result<(), GridError> {
        check_name(name)?;
        self.check_units(tree, overlay, units)?;
        if CellId::from_index(self.cells.len()).is_none() {
            return Err(GridError::TooManyCells);
        }
        Ok(())
    }

    /// Add a cell made of `units` to `overlay` and return its id (the next free one).
    ///
    /// # Errors
    /// [`GridError::UnknownOverlay`], [`GridError::UnknownUnit`], [`GridError::InvalidName`],
    /// [`GridError::EmptyCell`] when `units` is empty, [`GridError::CellOverlap`] when a unit
    /// lies inside, contains or is a unit named by a cell of the overlay (or by this one),
    /// [`GridError::TooManyCells`].
    ///
    /// # Complexity
    /// O(units × levels) look-ups.
    pub fn add_cell(
        &mut self,
        tree: &Tree,
        overlay: OverlayId,
        name: &str,
        units: &[UnitId],
    ) -> Result<CellId, GridError> {
        self.check_add_cell(tree, overlay, name, units)?;
        let id = CellId::from_index(self.cells.len()).ok_or(GridError::TooManyCells)?;
        self.cells.push(Cell { overlay, name: name.to_owned(), units: units.to_vec() });
        self.overlays[overlay.index()].cells.push(id);
        self.assigned[overlay.index()].extend(units.iter().map(|&u| (u, id)));
        self.index_below(tree, overlay, units)?;
        self.name_units(id, units);
        Ok(id)
    }

    /// Check that units could be added to a cell, without adding them.
    ///
    /// # Errors
    /// As [`Overlays::extend_cell`].
    pub fn check_extend_cell(&self, tree: &Tree, cell: CellId, units: &[UnitId]) -> Result<(), GridError> {
        let overlay = self.cell(cell)?.overlay;
        self.check_units(tree, overlay, units)
    }

    /// Add units to an existing cell.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`], and as [`Overlays::add_cell`].
    pub fn extend_cell(&mut self, tree: &Tree, cell: CellId, units: &[UnitId]) -> Result<(), GridError> {
        self.check_extend_cell(tree, cell, units)?;
        let c = &mut self.cells[cell.index()];
        c.units.extend_from_slice(units);
        let overlay = c.overlay;
        self.assigned[overlay.index()].extend(units.iter().map(|&u| (u, cell)));
        self.index_below(tree, overlay, units)?;
        self.name_units(cell, units);
        Ok(())
    }

    /// Check that moving `unit` under `new_parent` keeps every overlay free of overlaps:
    /// refused when the moved subtree holds a named unit and the new parent lies inside a unit
    /// named by the same overlay.
    ///
    /// # Errors
    /// [`GridError::CellOverlap`], [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(overlays × levels) look-ups.
    ///
    /// # Example
    /// ```
    /// use wangge::grid::{GridError, Level, LevelScheme, NewUnit, OverlayKind, Overlays, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let east = tree.add(tree.root(), NewUnit::new("东社区", Level::new(1), UnitKind::Area))?;
    /// let west = tree.add(tree.root(), NewUnit::new("西社区", Level::new(1), UnitKind::Area))?;
    /// let north = tree.add(tree.root(), NewUnit::new("北社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(west, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    ///
    /// let mut overlays = Overlays::new();
    /// let grids = overlays.create("网格", OverlayKind::Grid)?;
    /// overlays.add_cell(&tree, grids, "东网格", &[east])?;
    /// overlays.add_cell(&tree, grids, "3号院网格", &[yard])?;
    ///
    /// // Into the east community the courtyard would lie in two grids at once.
    /// assert_eq!(overlays.check_move(&tree, yard, east), Err(GridError::CellOverlap { overlay: grids, unit: yard, other: east }));
    /// // The north community lies in no grid: the courtyard may go there, keeping its own.
    /// assert_eq!(overlays.check_move(&tree, yard, north), Ok(()));
    /// # Ok::<(), GridError>(())
    /// ```
    pub fn check_move(&self, tree: &Tree, unit: UnitId, new_parent: UnitId) -> Result<(), GridError> {
        for (i, assigned) in self.assigned.iter().enumerate() {
            let overlay = OverlayId::from_index(i).ok_or(GridError::TooManyOverlays)?;
            let above =
                std::iter::once(new_parent).chain(tree.ancestors(new_parent)?).find(|a| assigned.contains_key(a));
            let Some(above) = above else { continue };
            // The unit itself, or the smallest unit named below it.
            let inside = if assigned.contains_key(&unit) {
                Some(unit)
            } else {
                self.below.get(i).and_then(|below| below.get(&unit)).and_then(|named| named.first().copied())
            };
            if let Some(a) = inside {
                return Err(GridError::CellOverlap { overlay, unit: a, other: above });
            }
        }
        Ok(())
    }

    /// The overlays as plain data, for snapshots.
    pub fn to_data(&self) -> OverlaysData {
        OverlaysData { overlays: self.overlays.clone(), cells: self.cells.clone() }
    }

    /// Rebuild overlays from plain data against `tree`, checking every invariant.
    ///
    /// # Errors
    /// [`GridError::InvalidOverlayData`] when the cells do not match their overlays, and the
    /// errors of [`Overlays::add_cell`] (an unknown unit, an overlap ...).
    pub fn from_data(tree: &Tree, data: OverlaysData) -> Result<Self, GridError> {
        let mut built = Overlays::new();
        for o in &data.overlays {
            built.create(&o.name, o.kind)?;
        }
        // Cells were created in id order; re-add them one unit at a time in that order.
        for (i, cell) in data.cells.iter().enumerate() {
            let listed =
                data.overlays.get(cell.overlay.index()).is_some_and(|o| o.cells.iter().any(|c| c.index() == i));
            if !listed {
                return Err(GridError::InvalidOverlayData {
                    cell: CellId::from_index(i).unwrap_or(CellId::new(u32::MAX)),
                });
            }
            built.add_cell(tree, cell.overlay, &cell.name, &cell.units)?;
        }
        if built.overlays != data.overlays {
            return Err(GridError::InvalidOverlayData { cell: CellId::new(u32::MAX) });
        }
        Ok(built)
    }

    /// Recheck every overlay for overlaps from scratch: the audit's view.
    pub(crate) fn self_check(&self, tree: &Tree) -> Vec<String> {
        let mut found = Vec::new();
        for (o, assigned) in self.assigned.iter().enumerate() {
            let mut named = 0usize;
            for &cid in &self.overlays[o].cells {
                let cell = &self.cells[cid.index()];
                for &u in &cell.units {
                    named += 1;
                    if assigned.get(&u) != Some(&cid) {
                        found.push(format!("overlay o{o}: unit {u} of cell {cid} is not indexed to it"));
                    }
                }
            }
            for &u in assigned.keys() {
                let cid = assigned[&u];
                if !self.cells_naming(u).contains(&cid) {
                    found.push(format!("overlay o{o}: unit {u} is missing from the naming index of {cid}"));
                }
            }
            if named != assigned.len() {
                found.push(format!("overlay o{o}: a unit is named twice or the index holds strays"));
            }
            // Two distinct units overlap when one is an ancestor of the other.
            let mut recount: HashMap<UnitId, BTreeSet<UnitId>> = HashMap::new();
            let mut named: Vec<UnitId> = assigned.keys().copied().collect();
            named.sort_unstable();
            for &a in &named {
                let Ok(ancestors) = tree.ancestors(a) else {
                    found.push(format!("overlay o{o}: unit {a} is not in the tree"));
                    continue;
                };
                for b in ancestors {
                    if assigned.contains_key(&b) {
                        found.push(format!("overlay o{o}: units {a} and {b} overlap"));
                    }
                    recount.entry(b).or_default().insert(a);
                }
            }
            if self.below.get(o) != Some(&recount) {
                found.push(format!("overlay o{o}: the index of units named below each unit differs from a recount"));
            }
        }
        let indexed: usize = self.naming.iter().map(Vec::len).sum();
        let named: usize = self.assigned.iter().map(HashMap::len).sum();
        if indexed != named {
            found.push(format!("the naming index holds {indexed} entries for {named} named units"));
        }
        found
    }
}

/// Overlays as plain data, for snapshots; turned back only through [`Overlays::from_data`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlaysData {
    /// Every overlay, `OverlayId(i)` at position `i`.
    pub overlays: Vec<Overlay>,
    /// Every cell, `CellId(i)` at position `i`.
    pub cells: Vec<Cell>,
}
