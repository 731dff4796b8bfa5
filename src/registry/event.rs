//! Events: what happened to the registry, in order. The event log is the host's audit trail and
//! its persistence: replaying it from the start rebuilds an equal registry.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::grid::{LevelScheme, NewUnit, OverlayKind};
use crate::people::{DoorLabel, Markers, PersonRecord};
use crate::{CellId, HouseholdId, OverlayId, PersonId, UnitId};

/// One change to the registry, with every id it assigned and every value it moved, so that
/// a log can be read and replayed on its own. Events of personal data carry it in full (the
/// log is the persistence); their `Debug` redacts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// The registry was created: the first event of every log.
    Founded {
        /// The level scheme.
        scheme: LevelScheme,
        /// The root unit, `UnitId(0)`.
        root: NewUnit,
    },
    /// A unit was added.
    UnitAdded {
        /// Its new id.
        unit: UnitId,
        /// Its parent.
        parent: UnitId,
        /// Its attributes.
        spec: NewUnit,
    },
    /// A unit and its subtree moved.
    UnitMoved {
        /// The unit.
        unit: UnitId,
        /// Its old parent.
        from: UnitId,
        /// Its new parent.
        to: UnitId,
    },
    /// A unit closed; its households, if any, moved to `transferred_to`.
    UnitClosed {
        /// The unit.
        unit: UnitId,
        /// The date.
        on: NaiveDate,
        /// Where its households went.
        transferred_to: Option<UnitId>,
        /// The households that moved (every household the unit held).
        households: Vec<HouseholdId>,
    },
    /// An overlay was created.
    OverlayCreated {
        /// Its new id.
        overlay: OverlayId,
        /// Its name.
        name: String,
        /// Its kind.
        kind: OverlayKind,
    },
    /// A cell was added to an overlay.
    CellAdded {
        /// Its new id.
        cell: CellId,
        /// The overlay.
        overlay: OverlayId,
        /// Its name.
        name: String,
        /// Its units.
        units: Vec<UnitId>,
    },
    /// Units were added to a cell.
    CellExtended {
        /// The cell.
        cell: CellId,
        /// The units added.
        units: Vec<UnitId>,
    },
    /// A household was added.
    HouseholdAdded {
        /// Its new id.
        household: HouseholdId,
        /// Its unit.
        unit: UnitId,
        /// Its door label.
        door: DoorLabel,
    },
    /// A household moved to another unit.
    HouseholdMoved {
        /// The household.
        household: HouseholdId,
        /// The unit it left.
        from: UnitId,
        /// The unit it joined.
        to: UnitId,
    },
    /// A person was registered.
    PersonRegistered {
        /// Their new id.
        person: PersonId,
        /// Their household.
        household: HouseholdId,
        /// What is known of them.
        record: PersonRecord,
    },
    /// A person moved to another household.
    PersonMoved {
        /// The person.
        person: PersonId,
        /// The household they left.
        from: HouseholdId,
        /// The household they joined.
        to: HouseholdId,
    },
    /// A person's markers were replaced.
    MarkersSet {
        /// The person.
        person: PersonId,
        /// The new markers.
        markers: Markers,
    },
}

impl Event {
    /// The unit this event created, if it created one.
    pub fn new_unit(&self) -> Option<UnitId> {
        match self {
            Event::UnitAdded { unit, .. } => Some(*unit),
            _ => None,
        }
    }

    /// The household this event created, if it created one.
    pub fn new_household(&self) -> Option<HouseholdId> {
        match self {
            Event::HouseholdAdded { household, .. } => Some(*household),
            _ => None,
        }
    }

    /// The person this event registered, if it registered one.
    pub fn new_person(&self) -> Option<PersonId> {
        match self {
            Event::PersonRegistered { person, .. } => Some(*person),
            _ => None,
        }
    }

    /// The overlay this event created, if it created one.
    pub fn new_overlay(&self) -> Option<OverlayId> {
        match self {
            Event::OverlayCreated { overlay, .. } => Some(*overlay),
            _ => None,
        }
    }

    /// The cell this event created, if it created one.
    pub fn new_cell(&self) -> Option<CellId> {
        match self {
            Event::CellAdded { cell, .. } => Some(*cell),
            _ => None,
        }
    }
}
