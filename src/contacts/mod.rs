//! The contact graph 密接 / 次密接: exposures as data, close and secondary contacts derived by
//! a rule that is policy data, chains back to the index case and clusters.
//!
//! Every close contact 密切接触者 of a case has to be found and placed, and under the national
//! protocols of editions 8 and 9 every secondary contact 次密切接触者 too: "a contact of a
//! close contact" (`../shared/ISOLATION_RULES.md`, rows "CN ed.8 / ed.9, secondary contact";
//! the 20 measures of November 2022 stopped identifying them). This module is the pure part:
//!
//! - An [`Exposure`] says who (`contact`) was exposed to whom (`source`: a case, or a person
//!   who later becomes one), when, where ([`Place`]: a household, a building, a workplace,
//!   transport) and who reported it.
//! - A [`ContactRule`] says who counts as a close contact of a case and who as a secondary
//!   contact of a close contact ([`Reach`]: the household, the building group 楼组, named
//!   exposures at some kinds of place, within N days), with presets citing their source.
//! - A [`ContactGraph`] holds the exposures (a petgraph graph, one edge per exposure) and the
//!   chains of tracing (a petgraph graph only [`ContactGraph::link`] changes, which refuses a
//!   link that would close a cycle). [`ContactGraph::derive`] applies a rule to an
//!   index case, [`ContactGraph::chain_of`] walks back to the index case, and
//!   [`ContactGraph::clusters`] gives the connected components.
//!
//! The registry keeps one graph and places the contacts it derives under the isolation
//! policies a host names, in one command
//! ([`Command::TraceContacts`](crate::Command::TraceContacts)).

mod graph;
mod rule;

pub use graph::{CaseLinks, Cluster, ContactGraph, Derivation, Derived, Neighbourhood};
pub use rule::{ContactRule, MAX_WITHIN_DAYS, Reach};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{PersonId, StaffId, UnitId};

/// Where an exposure happened 接触场所.
///
/// Serialised by variant name, with the unit where there is one (`{"Building": 12}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Place {
    /// In a household 同住或到访 (the source's, the contact's or another's).
    Household,
    /// In a building or building group 楼栋 / 楼组 (a stairwell, a lift), at a unit.
    Building(UnitId),
    /// At a workplace 工作场所, a unit of the tree.
    Workplace(UnitId),
    /// On transport 交通工具 (a bus, a train, a car shared).
    Transport,
}

impl Place {
    /// The kind of place, which rules name.
    pub const fn kind(self) -> PlaceKind {
        match self {
            Place::Household => PlaceKind::Household,
            Place::Building(_) => PlaceKind::Building,
            Place::Workplace(_) => PlaceKind::Workplace,
            Place::Transport => PlaceKind::Transport,
        }
    }

    /// The unit it names, if any.
    pub const fn unit(self) -> Option<UnitId> {
        match self {
            Place::Building(u) | Place::Workplace(u) => Some(u),
            Place::Household | Place::Transport => None,
        }
    }
}

/// The kinds of [`Place`], as a [`Reach`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PlaceKind {
    /// [`Place::Household`].
    Household,
    /// [`Place::Building`].
    Building,
    /// [`Place::Workplace`].
    Workplace,
    /// [`Place::Transport`].
    Transport,
}

impl PlaceKind {
    /// Every kind, in declaration order.
    pub const ALL: [PlaceKind; 4] =
        [PlaceKind::Household, PlaceKind::Building, PlaceKind::Workplace, PlaceKind::Transport];
}

/// One exposure 接触记录: `contact` was exposed to `source` on `on` at `place`, as reported by
/// `reported_by` (a staff member: a flow investigator 流调人员, a grid worker), if recorded.
///
/// The source is a case, or a person who later becomes one: an exposure may be recorded
/// before anyone knows it matters.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::PersonId;
/// use wangge::contacts::{Exposure, Place};
///
/// let on = NaiveDate::from_ymd_opt(2022, 7, 3).unwrap();
/// let e = Exposure::new(PersonId::new(1), PersonId::new(0), on, Place::Transport, None)?;
/// assert_eq!((e.contact(), e.source()), (PersonId::new(1), PersonId::new(0)));
/// assert!(Exposure::new(PersonId::new(1), PersonId::new(1), on, Place::Transport, None).is_err());
/// # Ok::<(), wangge::contacts::ContactError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Exposure {
    contact: PersonId,
    source: PersonId,
    on: NaiveDate,
    place: Place,
    reported_by: Option<StaffId>,
}

/// An exposure's fields, read and then checked by [`Exposure::new`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Exposure")]
struct ExposureFields {
    contact: PersonId,
    source: PersonId,
    on: NaiveDate,
    place: Place,
    reported_by: Option<StaffId>,
}

impl<'de> Deserialize<'de> for Exposure {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = ExposureFields::deserialize(d)?;
        Exposure::new(f.contact, f.source, f.on, f.place, f.reported_by).map_err(serde::de::Error::custom)
    }
}

impl Exposure {
    /// An exposure of `contact` to `source`.
    ///
    /// # Errors
    /// [`ContactError::SelfExposure`] when the two are one person.
    pub fn new(
        contact: PersonId,
        source: PersonId,
        on: NaiveDate,
        place: Place,
        reported_by: Option<StaffId>,
    ) -> Result<Self, ContactError> {
        if contact == source {
            return Err(ContactError::SelfExposure { person: contact });
        }
        Ok(Exposure { contact, source, on, place, reported_by })
    }

    /// Who was exposed.
    pub const fn contact(&self) -> PersonId {
        self.contact
    }

    /// To whom.
    pub const fn source(&self) -> PersonId {
        self.source
    }

    /// When.
    pub const fn on(&self) -> NaiveDate {
        self.on
    }

    /// Where.
    pub const fn place(&self) -> Place {
        self.place
    }

    /// Who reported it, if recorded.
    pub const fn reported_by(&self) -> Option<StaffId> {
        self.reported_by
    }
}

/// What can go wrong with exposures, rules and tracing.
///
/// Messages name persons by id only: no name, phone or identity number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ContactError {
    /// An exposure of a person to themselves.
    #[error("{person} cannot be exposed to themselves")]
    SelfExposure {
        /// The person.
        person: PersonId,
    },
    /// Contacts are traced from a confirmed or suspected case only.
    #[error("{person} is not a confirmed or suspected case: contacts are traced from a case")]
    NotACase {
        /// The person.
        person: PersonId,
    },
    /// A rule that reaches nobody, or looks too far back.
    #[error("the contact rule is not valid: {what}")]
    InvalidRule {
        /// What is wrong.
        what: String,
    },
    /// The staff member named as the reporter is not registered.
    #[error("the reporter {staff} is not a registered staff member")]
    UnknownReporter {
        /// The staff member.
        staff: StaffId,
    },
    /// A rule asks for secondary contacts and no policy is named for them.
    #[error("the rule derives secondary contacts: name the policy they are placed under")]
    NoSecondaryPolicy,
}
