//! # wangge 网格: community grid management as a pure domain model
//!
//! In 2020 Chinese cities ran epidemic prevention through their community grid system
//! 网格化管理. wangge models it for the services, crates and simulations that embed it:
//!
//! - **The tree** 层级. A city is a tree of units: sub-district 街道 > community 社区 >
//!   courtyard 楼院 > building group 楼组 in Zhengzhou, five levels 五级 in Shanghai, town 镇 >
//!   village 村 > group 组 in Foshan. The [`LevelScheme`](grid::LevelScheme) is data; the
//!   [`Tree`](grid::Tree) keeps one root, one parent each, levels deepening downwards.
//!   Courtyards have kinds (property-managed, military, open, unmanaged, work-unit);
//!   entrances and checkpoints 卡点, roads and workplaces are units too.
//! - **Overlays** 片区 / 网格. Zones and grids are partitions cut across the tree; no
//!   household may be skipped 不落一户, and [`Registry::coverage`] lists any that are.
//! - **The register** 一人一档. Every household 户 sits at a unit; every person 人 is registered
//!   once, keyed by a validated [`ResidentId`](people::ResidentId) 居民身份证号. Names, phones
//!   and identity numbers are personal data and never appear in `Debug` or errors.
//! - **The registry**. [`Registry`] owns all of it. Every change is a [`Command`], validated
//!   and applied atomically, returning [`Event`]s that are the host's log: replaying them
//!   rebuilds an equal registry. Households and persons per unit roll up the tree live;
//!   [`Registry::audit`] (纵向稽核) rechecks everything; a [`Scope`] limits reads to a grid
//!   worker's grid or a secretary's community.
//!
//! No I/O, no clock: the host passes dates. Later releases add the five colours 五色,
//! responsibility schemes 六包一 and isolation policies 隔离期 on the same registry.
//!
//! ```
//! use wangge::{Command, Registry};
//! use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
//! use wangge::people::{DoorLabel, PersonRecord, ResidentId};
//!
//! let scheme = LevelScheme::zhengzhou(); // 街道 > 社区 > 楼院 > 楼组
//! let level = |name: &str| scheme.level(name).unwrap();
//! let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", level("sub-district"), UnitKind::Area))?;
//!
//! // Each command returns the events it became; they name the ids assigned.
//! let community = NewUnit::new("农科路社区", level("community"), UnitKind::Area);
//! let events = reg.apply(Command::AddUnit { parent: reg.root(), unit: community })?;
//! let community = events[0].new_unit().unwrap();
//! let yard = NewUnit::new("3号院", level("courtyard"), UnitKind::Compound(CompoundKind::WorkUnit));
//! let yard = reg.apply(Command::AddUnit { parent: community, unit: yard })?[0].new_unit().unwrap();
//!
//! let door = DoorLabel::new("1-101")?;
//! let household = reg.apply(Command::AddHousehold { unit: yard, door })?[0].new_household().unwrap();
//! let id = ResidentId::parse("11010519491231002X")?;
//! reg.apply(Command::RegisterPerson { household, record: PersonRecord::new().with_resident_id(id) })?;
//!
//! // One person, one file: the same number again is refused, naming the household.
//! assert!(reg.apply(Command::RegisterPerson { household, record: PersonRecord::new().with_resident_id(id) }).is_err());
//! assert_eq!(reg.counts(community)?.persons, 1);
//! assert!(reg.audit().is_empty());
//! # Ok::<(), wangge::Error>(())
//! ```
//!
//! ## Feature flags
//! - `synth` (off by default): the `synth` module, seeded synthetic cities for benches, tests and
//!   simulations, from a few households to `city_10m` (≈10 million persons). Adds `rand` and
//!   `rand_chacha`.
//!
//! ## Modules
//! - [`grid`]: level schemes, units, the tree, overlays.
//! - [`people`]: households, persons, markers, identity numbers and personal data.
//! - [`registry`]: the aggregate; commands, events, snapshots, audit, scopes.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod error;
pub mod grid;
mod id;
pub mod people;
pub mod registry;
#[cfg(feature = "synth")]
pub mod synth;

pub use error::Error;
pub use id::{CellId, HouseholdId, OverlayId, PersonId, UnitId};
pub use registry::{Command, Counts, Event, Registry, RegistryError, Scope, Snapshot};

/// The README's quick start, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
