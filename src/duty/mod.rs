//! Responsibility 包保: roles, staff, schemes such as "six cover one" 六包一, and rosters.
//!
//! In 2020 every community, courtyard and person under watch had named people responsible
//! for it. The seeds' schemes share one shape: *roles × targets × eligibility × load*
//! (DOMAIN.md section 4). This module holds that shape as pure values:
//!
//! - a [`Role`] (区级领导, 片医, 片警, 网格员, 门长 ...) asks for [`Qualification`]s; a
//!   [`Staff`] member holds a set of them ([`Qualifications`]), belongs to a unit, carries at
//!   most a load, and is available between two dates;
//! - a [`Scheme`] is data with its source: [`Rule`]s selecting targets ([`TargetSelector`]:
//!   units of a level or kind, cells of an overlay, persons in given states), each with the
//!   [`Slot`]s every target needs (a role, how many, a [`Locality`] rule), with presets
//!   ([`Scheme::six_cover_one`], [`Scheme::two_plus_three`], [`Scheme::three_heads`],
//!   [`Scheme::zone_leaders`], [`Scheme::screening_teams`]);
//! - a [`Roster`] lists assignments (target, role, staff id); [`Roster::problems`] gives every
//!   [`RosterProblem`] on a date (a missing role, an ineligible, unavailable or overloaded
//!   staff member, a locality breach ...) and [`Roster::validate`] the first;
//! - [`Roster::solve`] completes a roster: it keeps every valid assignment and fills the
//!   missing slots by a maximum flow (Dinic's algorithm), deterministically, listing each
//!   slot it cannot fill and why ([`Unfilled`]); [`Roster::solve_balanced`] also makes the
//!   largest load as small as it can be;
//! - [`Roster::replace`] proposes how to replace a staff member who leaves (or is away on a
//!   date): the targets affected and who takes over, moving as few other assignments as
//!   possible (a minimum-cost maximum flow), as a [`Replacement`].
//!
//! Everything here is pure: the caller passes the date, the staff pool (indexed by
//! [`StaffId`]), the targets with their units and the tree. The [`Registry`](crate::Registry)
//! keeps the state (staff, adopted schemes, one roster each) and answers with these rules:
//!
//! ```text
//! Scheme ─┐                          Command::Assign / Unassign ─┐
//! Staff ──┼─▶ Roster::solve ─────▶ Command::Solve ───────────────┼─▶ Event::Rostered ─▶ rosters
//! targets ┘   Roster::replace ───▶ Command::Replace ─────────────┘        │
//!                                                                          ▼
//!             Registry::responsible_for(household | unit | person, date), duty_coverage
//! ```
//!
//! ```
//! use chrono::NaiveDate;
//! use wangge::StaffId;
//! use wangge::duty::{Qualification as Q, Qualifications, Role, Roster, RosterProblem, Scheme, Staff, Target};
//! use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind};
//! use wangge::people::Name;
//!
//! let levels = LevelScheme::zhengzhou(); // 街道 > 社区 > 楼院 > 楼组
//! let (sub, community) = (levels.level("sub-district").unwrap(), levels.level("community").unwrap());
//! let mut tree = Tree::new(levels.clone(), NewUnit::new("花园路街道", sub, UnitKind::Area))?;
//! let nongke = tree.add(tree.root(), NewUnit::new("农科路社区", community, UnitKind::Area))?;
//! let six = Scheme::six_cover_one(community, sub, None)?;
//!
//! let person = |name: &str, q: Q, home| Ok::<_, wangge::Error>(Staff::new(Name::new(name)?, Qualifications::only(q), home, 3)?);
//! let root = tree.root();
//! let staff = [
//!     person("区领导", Q::DistrictLeader, root)?,
//!     person("区直人员", Q::DistrictDepartment, root)?,
//!     person("科级干部", Q::SectionCadre, root)?,
//!     person("书记", Q::PartySecretary, nongke)?,
//!     person("片医", Q::Medical, root)?,
//!     person("片警", Q::Police, root)?,
//! ];
//! let target = Target::Unit(nongke);
//! let mut roster: Roster = Role::SIX_COVER_ONE.iter().zip(0..).map(|(&role, i)| (target, role, StaffId::new(i))).collect();
//! let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
//! assert_eq!(roster.validate(&six, &staff, feb1, &[(target, nongke)], &tree), Ok(()));
//!
//! // The doctor cannot also be the police officer.
//! roster.assign(target, Role::AreaPolice, StaffId::new(4));
//! let problems = roster.problems(&six, &staff, feb1, &[(target, nongke)], &tree);
//! assert_eq!(problems[0], RosterProblem::Ineligible { target, role: Role::AreaPolice, staff: StaffId::new(4) });
//! # Ok::<(), wangge::Error>(())
//! ```

#[cfg(test)]
mod fixtures;
pub(crate) mod flow;
mod presets;
mod replace;
mod role;
pub(crate) mod roster;
mod scheme;
mod solver;
mod staff;

pub use replace::Replacement;
pub use role::{Qualification, Qualifications, Role};
pub use roster::{Assignment, Roster, RosterProblem, Target};
pub use scheme::{
    Locality, MAX_NAME_CHARS, MAX_SOURCE_CHARS, Rule, Scheme, SchemeBuilder, Slot, TargetSelector, UnitClass,
};
pub use solver::{Solution, Unfilled, UnfilledReason};
pub use staff::{Availability, Staff};

pub(crate) use scheme::deserialize_every_field as deserialize_scheme_every_field;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::grid::Level;
use crate::{SchemeId, StaffId};

/// What can go wrong building responsibility values: schemes and staff. Rule indices count
/// from 0 in the scheme's order. No variant holds a name of a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DutyError {
    /// A scheme name that is empty, too long or holds control characters.
    #[error(
        "invalid scheme name of {chars} characters: expected 1 to {max} characters, not all blank, no control characters"
    )]
    InvalidName {
        /// How many characters the name had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A source citation that is too long or holds control characters.
    #[error("invalid source of {chars} characters: expected at most {max} characters, no control characters")]
    InvalidSource {
        /// How many characters the source had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A scheme with no rules.
    #[error("a scheme needs at least one rule")]
    NoRules,
    /// A rule with no slots.
    #[error("rule {rule} has no slots: expected at least one role")]
    NoSlots {
        /// The rule's index.
        rule: usize,
    },
    /// A rule selecting persons in no state.
    #[error("rule {rule} selects persons in no state: expected at least one")]
    NoStates {
        /// The rule's index.
        rule: usize,
    },
    /// A slot asking for no holders.
    #[error("rule {rule} asks for a count of 0 {role}: expected at least 1")]
    ZeroCount {
        /// The rule's index.
        rule: usize,
        /// The slot's role.
        role: Role,
    },
    /// A role asked for a second time in a scheme.
    #[error("rule {rule} asks for {role} again: a role appears at most once in a scheme")]
    RoleTwice {
        /// The index of the rule asking again.
        rule: usize,
        /// The role.
        role: Role,
    },
    /// A locality at a level deeper than the units its rule selects, which never holds.
    #[error(
        "rule {rule} asks {role} to share the ancestor at level {} of units at level {}: expected a level at or above the target's",
        level.index(),
        target.index()
    )]
    LocalityBelowTarget {
        /// The rule's index.
        rule: usize,
        /// The slot's role.
        role: Role,
        /// The locality's level.
        level: Level,
        /// The level of the rule's targets.
        target: Level,
    },
    /// A staff member with a load limit of 0.
    #[error("a load limit of 0: expected at least 1")]
    ZeroLoadLimit,
    /// An available period that ends before it starts.
    #[error("available from {from} until {until}: expected the last day on or after the first")]
    AvailabilityReversed {
        /// The first day.
        from: NaiveDate,
        /// The last day given.
        until: NaiveDate,
    },
    /// A roster problem, for `?` from [`Roster::validate`], and the reason the registry
    /// refuses an assignment.
    #[error(transparent)]
    Roster(#[from] RosterProblem),
    /// A scheme id the registry has not adopted.
    #[error("no scheme {scheme} is adopted")]
    UnknownScheme {
        /// The id.
        scheme: SchemeId,
    },
    /// A staff id not in the registry.
    #[error("no staff member {staff} is registered")]
    UnknownStaff {
        /// The id.
        staff: StaffId,
    },
    /// A scheme whose name an adopted scheme has already.
    #[error("scheme {scheme} is named {name:?} already")]
    SchemeNameTaken {
        /// The name.
        name: String,
        /// The scheme holding it.
        scheme: SchemeId,
    },
    /// An assignment to remove that the roster does not hold.
    #[error("{staff} does not hold {role} for {target:?} under {scheme}")]
    NotHeld {
        /// The scheme.
        scheme: SchemeId,
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
    },
}
