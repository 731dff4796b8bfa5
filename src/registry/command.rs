//! Commands: what a host asks the registry to do.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::colour::{ColourRule, PersonState, State};
use crate::grid::{NewUnit, OverlayKind};
use crate::people::{DoorLabel, Markers, PersonRecord};
use crate::{CellId, HouseholdId, OverlayId, PersonId, UnitId};

/// A change a host asks of the [`Registry`](super::Registry). A command is validated against
/// the registry's state, becomes one or more [`Event`](super::Event)s and is applied
/// atomically: a refused command changes nothing.
///
/// Commands name no new ids; the events they become carry the ids the registry assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Command {
    /// Add a unit under `parent`.
    AddUnit {
        /// The parent.
        parent: UnitId,
        /// Name, level, kind and code of the new unit.
        unit: NewUnit,
    },
    /// Move a unit and its subtree under a new parent.
    MoveUnit {
        /// The unit to move.
        unit: UnitId,
        /// Its new parent.
        new_parent: UnitId,
    },
    /// Close a unit on a date. Refused while it holds households, unless `transfer_to` names
    /// an open unit outside it to take them, in the same command.
    CloseUnit {
        /// The unit to close.
        unit: UnitId,
        /// The date it closes.
        on: NaiveDate,
        /// Where its households go.
        transfer_to: Option<UnitId>,
    },
    /// Create an empty overlay (a set of zones 片区 or grids 网格).
    CreateOverlay {
        /// Its name, unique among overlays.
        name: String,
        /// What it is used as.
        kind: OverlayKind,
    },
    /// Add a cell, made of the subtrees of `units`, to an overlay.
    AddCell {
        /// The overlay.
        overlay: OverlayId,
        /// The cell's name.
        name: String,
        /// The units whose subtrees make up the cell.
        units: Vec<UnitId>,
    },
    /// Add units to an existing cell.
    ExtendCell {
        /// The cell.
        cell: CellId,
        /// The units to add.
        units: Vec<UnitId>,
    },
    /// Add a household at a unit.
    AddHousehold {
        /// The unit.
        unit: UnitId,
        /// Its door label, unique within the unit.
        door: DoorLabel,
    },
    /// Move a household to another unit.
    MoveHousehold {
        /// The household.
        household: HouseholdId,
        /// Where it goes.
        to: UnitId,
    },
    /// Register a person in a household (一人一档: refused if their identity number or
    /// passport is registered already).
    RegisterPerson {
        /// The household.
        household: HouseholdId,
        /// What is known of the person.
        record: PersonRecord,
        /// Their state when registered, and since when ([`PersonState::well`] for most).
        state: PersonState,
    },
    /// Move a person to another household.
    MovePerson {
        /// The person.
        person: PersonId,
        /// Their new household.
        to: HouseholdId,
        /// The date of the move.
        on: NaiveDate,
    },
    /// Replace a person's markers.
    SetMarkers {
        /// The person.
        person: PersonId,
        /// The new markers.
        markers: Markers,
    },
    /// Change a person's state (a close contact found, a release ...), recolouring their
    /// household. Refused when [`State::may_become`] forbids the change or `on` is before the
    /// current state began.
    SetState {
        /// The person.
        person: PersonId,
        /// Their new state.
        state: State,
        /// The date it begins.
        on: NaiveDate,
    },
    /// Replace the colour rule, recolouring every household by it.
    ///
    /// # Complexity
    /// O(households + persons + units): every colour and tally is recomputed.
    SetColourRule {
        /// The new rule.
        rule: ColourRule,
        /// The date it applies from.
        on: NaiveDate,
    },
}
