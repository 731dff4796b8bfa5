//! The grid 网格: level schemes, units, the unit tree and the overlays drawn across it.
//!
//! This module owns the *shape* of a city. A [`LevelScheme`] names the levels (街道 > 社区 >
//! 楼院 > 楼组 in Zhengzhou); a [`Tree`] holds the units under one root and keeps its
//! invariants by type; [`Overlays`] hold partitions such as zones 片区 and grids 网格 cut across
//! the tree. Households and persons live in [`people`](crate::people); the
//! [`Registry`](crate::Registry) ties the two together and is the only writer in a running
//! system.
//!
//! Data flows one way. In: a registry command ([`Command::AddUnit`](crate::Command::AddUnit),
//! `MoveUnit`, `CloseUnit`, `CreateOverlay`, `AddCell`, `ExtendCell`) calls a `check_*` method
//! here for every part of the command first, then the method that changes the tree or the
//! overlays, so a refused command changes nothing. Out: the registry rolls a household's
//! tally change up its unit's [`Tree::ancestors`] and into the cells naming any of them
//! ([`Overlays::cells_naming`]; [`Overlays::cell_of`] answers for one overlay), a
//! [`Scope`](crate::Scope) asks [`Tree::is_within`], and the [`duty`](crate::duty) rules read
//! levels, kinds and lineage for their localities. Nothing here calls back into the registry.
//! Snapshots carry the tree and overlays as plain data ([`TreeData`], [`OverlaysData`]),
//! checked again when read back.

mod overlay;
mod scheme;
mod tree;
mod unit;

pub use overlay::{Cell, Overlay, OverlayKind, Overlays, OverlaysData};
pub use scheme::{Level, LevelRef, LevelScheme, LevelSpec, MAX_LEVELS};
pub use tree::{Subtree, Tree, TreeData};
pub use unit::{AdminCode, CheckpointKind, CompoundKind, MAX_NAME_CHARS, NewUnit, Unit, UnitKind};

pub(crate) use unit::check_name;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{CellId, OverlayId, UnitId};

/// What can go wrong with the grid: schemes, units, the tree and overlays.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum GridError {
    /// A level scheme is not valid.
    #[error("invalid level scheme: {reason}")]
    InvalidScheme {
        /// What is wrong with it.
        reason: String,
    },
    /// A unit code is not valid.
    #[error("invalid unit code {code:?}: expected 1 to 32 ASCII letters, digits, '-' or '_'")]
    InvalidCode {
        /// The code given (at most 40 characters of it).
        code: String,
    },
    /// A name is empty, too long or holds control characters.
    #[error("invalid name of {chars} characters: expected 1 to {max} characters, not all blank, no control characters")]
    InvalidName {
        /// How many characters the name had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// No unit has this id.
    #[error("no unit {unit}")]
    UnknownUnit {
        /// The id asked for.
        unit: UnitId,
    },
    /// The level is not in the tree's scheme.
    #[error("no level {} in a scheme of {levels} levels", level.index())]
    UnknownLevel {
        /// The level asked for.
        level: Level,
        /// How many levels the scheme has.
        levels: usize,
    },
    /// No level of the tree's scheme has the name given (English, any case, or Chinese). The
    /// name is not repeated: a mistyped field may hold anything, personal data included.
    #[error("no level of the scheme {scheme:?} has the name given ({chars} characters)")]
    UnknownLevelName {
        /// How many characters the name given has.
        chars: usize,
        /// The scheme's name.
        scheme: String,
    },
    /// A unit of this level may not hang under that parent.
    #[error("a unit of level {} cannot hang under {parent} of level {}: levels must deepen, skipping only optional ones", child_level.index(), parent_level.index())]
    LevelDoesNotNest {
        /// The would-be parent.
        parent: UnitId,
        /// Its level.
        parent_level: Level,
        /// The child's level.
        child_level: Level,
    },
    /// The unit is an entrance, road or workplace, which hold no units or households.
    #[error("{unit} is a {} and holds no units or households", kind.label_en())]
    NotAContainer {
        /// The unit.
        unit: UnitId,
        /// Its kind.
        kind: UnitKind,
    },
    /// The unit is closed.
    #[error("{unit} was closed on {on}")]
    UnitClosed {
        /// The unit.
        unit: UnitId,
        /// When it closed.
        on: NaiveDate,
    },
    /// Another unit already has this code.
    #[error("code {code} already belongs to {unit}")]
    DuplicateCode {
        /// The code.
        code: AdminCode,
        /// The unit holding it.
        unit: UnitId,
    },
    /// The root can be neither moved nor closed.
    #[error("the root unit can be neither moved nor closed")]
    RootIsFixed,
    /// A unit cannot move under itself or its own descendant.
    #[error("{unit} cannot move under {new_parent}, which lies inside it")]
    MoveIntoOwnSubtree {
        /// The unit to move.
        unit: UnitId,
        /// The refused new parent.
        new_parent: UnitId,
    },
    /// A unit cannot close while a child is open.
    #[error("{unit} still has {open_children} open child units; close or move them first")]
    HasOpenChildren {
        /// The unit.
        unit: UnitId,
        /// How many children are open.
        open_children: usize,
    },
    /// The tree has as many units as ids can number.
    #[error("the tree is full: no unit id is left")]
    TooManyUnits,
    /// Tree data from a snapshot breaks an invariant.
    #[error("invalid tree data at unit {unit}: {reason}")]
    InvalidTreeData {
        /// The position of the offending unit.
        unit: u64,
        /// Which invariant it breaks.
        reason: String,
    },
    /// No overlay has this id.
    #[error("no overlay {overlay}")]
    UnknownOverlay {
        /// The id asked for.
        overlay: OverlayId,
    },
    /// No cell has this id.
    #[error("no cell {cell}")]
    UnknownCell {
        /// The id asked for.
        cell: CellId,
    },
    /// An overlay already has this name.
    #[error("an overlay named {name:?} exists already")]
    DuplicateOverlay {
        /// The name.
        name: String,
    },
    /// A cell must name at least one unit.
    #[error("a cell must name at least one unit")]
    EmptyCell,
    /// Two cells of an overlay (or two units of one cell) would overlap.
    #[error("in overlay {overlay}, {unit} would overlap {other}: the cells of an overlay never overlap")]
    CellOverlap {
        /// The overlay.
        overlay: OverlayId,
        /// The unit that would overlap.
        unit: UnitId,
        /// The unit already named that it would overlap.
        other: UnitId,
    },
    /// No overlay id is left.
    #[error("no overlay id is left")]
    TooManyOverlays,
    /// No cell id is left.
    #[error("no cell id is left")]
    TooManyCells,
    /// Overlay data from a snapshot is inconsistent.
    #[error("invalid overlay data at cell {cell}")]
    InvalidOverlayData {
        /// The offending cell.
        cell: CellId,
    },
}
