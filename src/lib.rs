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
//! - **The five colours** 四级五色. Each person has a [`Standing`](colour::Standing): a reason,
//!   their [`State`](colour::State) (confirmed case, close contact, return from the epidemic
//!   area, present and well ...), under a [`Measure`](colour::Measure) (home isolation, health
//!   management, centralised isolation), with the date it began; a
//!   [`StandingRule`](colour::StandingRule) paints each household red 红,
//!   orange 橙, yellow 黄, green 绿 or white 白 by its most severe member (seed 003's rule by
//!   default, a host's own if it likes). A [`Tally`](colour::Tally) of households and persons
//!   per colour is kept live for every unit and every overlay cell, and renders as the
//!   courtyard map 院区疫情防控平面图 posted at the gate.
//! - **The registry**. [`Registry`] owns all of it. Every change is a [`Command`], validated
//!   and applied atomically, returning [`Event`]s that are the host's log: replaying them
//!   rebuilds an equal registry. Tallies roll up the tree live, in O(depth) per change;
//!   [`Registry::audit`] (纵向稽核) rechecks everything; a [`Scope`] limits reads to a grid
//!   worker's grid or a secretary's community.
//!
//! - **Isolation periods** 隔离期. A [`Policy`](quarantine::Policy) is data with its source
//!   (seed 001's 14 days at home, the national protocols' 14 + 7, 7 + 3, 5 + 3 ...): phases,
//!   tests, checks a day, the fever threshold, how release is counted; its
//!   [`Schedule`](quarantine::Schedule) for an anchor date lists every phase, test and check.
//!   A [`Case`](quarantine::Case) puts a person under a policy: their state follows its phases
//!   (so do their household's colour and every tally), a fever reading or a positive test
//!   escalates them, a new exposure restarts the period, and release needs what the policy
//!   asks (a clean last-day check, the linked close contact's first tests). Each morning
//!   [`Registry::agenda`] says who is released, who needs review, whose tests are due and who
//!   missed checks the day before.
//!
//! - **Responsibility** 包保. A [`Scheme`](duty::Scheme) says which targets need which roles
//!   (六包一: six named people for every community; 2+3: a team for every person in home
//!   isolation; gate, building and road heads; zone leaders), with eligibility and locality.
//!   The registry keeps the staff and a roster per scheme; [`Roster::solve`](duty::Roster::solve)
//!   fills it by a maximum flow, [`Roster::replace`](duty::Roster::replace) proposes who takes
//!   over when someone leaves, and [`Registry::responsible_for`] answers "who is responsible
//!   for this household, and is anyone missing?".
//!
//! No I/O, no clock: the host passes dates ("today").
//!
//! ## The words
//!
//! | term | here | |
//! |---|---|---|
//! | 街道 / 社区 / 楼院 / 楼组 | sub-district / community / courtyard / building group | levels of a [`LevelScheme`](grid::LevelScheme) |
//! | 卡点 | checkpoint at an entrance | [`UnitKind::Entrance`](grid::UnitKind::Entrance) |
//! | 片区 / 网格 | zone / grid, cut across the tree | cells of an [`Overlay`](grid::Overlay) |
//! | 户 / 一人一档 | household / one file per person | [`Household`](people::Household), [`ResidentId`](people::ResidentId) |
//! | 四级五色 | red 红, orange 橙, yellow 黄, green 绿, white 白 households | [`Colour`](colour::Colour), [`ColourRule`](colour::ColourRule) |
//! | 密接 / 次密接 | close / secondary contact | [`State`](colour::State), [`Category`](quarantine::Category), [`ContactRule`](contacts::ContactRule) |
//! | 流调 | tracing a case's contacts | [`Command::TraceContacts`], [`ContactGraph`](contacts::ContactGraph) |
//! | 居家隔离 / 集中隔离 | home / centralised isolation | [`Setting`](quarantine::Setting), [`Measure`](colour::Measure) |
//! | 隔离期 | an isolation period's phases, tests and checks | [`Policy`](quarantine::Policy), [`Schedule`](quarantine::Schedule) |
//! | 每日工作清单 | the morning agenda | [`Agenda`](quarantine::Agenda) |
//! | 六包一 / 2+3 / 三长联动 | six cover one / key-person team / gate, building and road heads | [`Scheme`](duty::Scheme) presets |
//! | 大数据清单 | a traced list, matched against the register and controlled the same day | [`trace`], [`Registry::traced_report`] |
//! | 纵向稽核 | the audit | [`Registry::audit`] |
//! | 封闭式管理 / 出入证 / 三个务必 | closed management, passes, entry checks at the gates | [`access`], [`Command::RecordEntry`], [`Registry::check_pass`] |
//!
//! ```
//! use chrono::NaiveDate;
//! use wangge::{Command, Registry};
//! use wangge::colour::{Colour, PersonState, State};
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
//! let jan25 = NaiveDate::from_ymd_opt(2020, 1, 25).unwrap();
//! let record = PersonRecord::new().with_resident_id(id);
//! let events = reg.apply(Command::RegisterPerson { household, record: record.clone(), state: PersonState::well(jan25) })?;
//! let person = events[0].new_person().unwrap();
//!
//! // One person, one file: the same number again is refused, naming the household.
//! assert!(reg.apply(Command::RegisterPerson { household, record, state: PersonState::well(jan25) }).is_err());
//! assert_eq!(reg.counts(community)?.persons, 1);
//!
//! // Back from the epidemic area: home isolation, and the household turns orange at every level.
//! let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
//! reg.apply(Command::SetState { person, state: State::HomeIsolationEpidemicArea, on: feb1 })?;
//! assert_eq!(reg.colour(household)?, Colour::Orange);
//! assert_eq!(reg.tally(community)?.households(Colour::Orange), 1);
//! assert!(reg.map(yard, feb1)?.to_svg().contains("3号院"));
//! assert!(reg.audit().is_empty());
//! # Ok::<(), wangge::Error>(())
//! ```
//!
//! ## Feature flags
//! - `synth` (off by default): the `synth` module, seeded synthetic cities for benches, tests and
//!   simulations, from a few households to `city_10m` (≈10 million persons). Adds `rand` and
//!   `rand_chacha`.
//! - `sim` (off by default, turns on `synth`): the `sim` module, a seeded household epidemic
//!   model managed by wangge through its commands, and studies comparing management policies
//!   over many seeds in parallel threads (issue 19 §2).
//! - `demo` (off by default): the `demo` module, the Huayuan Road sub-district 花园路街道 of
//!   seed 003 built from embedded data and its 28 days, shared by the `subdistrict` example,
//!   the scenarios and the reference service. No dependency.
//!
//! ## Modules
//! - [`access`]: closed management 封闭式管理, passes 出入证 and entry checks at the gates
//!   (三个务必: ask, register, take the temperature).
//! - [`colour`]: person states, colour rules, tallies, the courtyard map.
//! - [`contacts`]: the contact graph 密接 / 次密接: exposures, contact rules, close and
//!   secondary contacts derived, chains back to the index case, clusters.
//! - [`duty`]: responsibility 包保: roles, staff, schemes such as 六包一 with presets, rosters,
//!   their validation, the solver and replacements.
//! - [`firms`]: workplaces' return to work 复工复产 (filings 备案, their checklist, employees,
//!   the leader contracted 包企) and rental properties 出租屋 with their inspections.
//! - [`grid`]: level schemes, units, the tree, overlays.
//! - [`people`]: households, persons, markers, identity numbers and personal data.
//! - [`quarantine`]: isolation policies 隔离期 and their phases, presets citing their sources,
//!   schedules, cases and the daily agenda.
//! - [`registry`]: the aggregate; commands, events, snapshots, audit, scopes.
//! - `synth` (feature `synth`): seeded synthetic cities built through the registry's commands.
//! - [`screen`]: screening campaigns 摸排: campaigns over a unit, visits and their outcomes,
//!   progress per unit and per grid worker (不落一户).
//! - [`trace`]: traced lists 大数据清单: rows from outside sources, their reading, statuses and
//!   same-day figures.
//! - [`gates`]: checkpoints 卡点 at the entrances, their 24-hour shift rosters and the
//!   one-entrance rule 所有楼院保留一个进出口.
//! - [`work`]: the day's work 每日工作: work plans, tasks, worklists per staff member, services
//!   owed to households, hotline tickets.
//! - `sim` (feature `sim`): management policies as a simulation's input: a seeded household
//!   SEIR model driven through the registry's commands, and studies with confidence intervals.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod colour;
pub mod contacts;
// Arrivals by origin (issue 16 §3).
pub mod arrivals;
pub mod duty;
mod error;
mod form;
pub mod grid;
mod id;
// Issue 18 §1: pages of long lists.
pub mod page;
pub mod people;
pub mod quarantine;
pub mod registry;
#[cfg(feature = "synth")]
pub mod synth;
mod text;
// Issue 16 §2: traced lists.
pub mod trace;
// Issue 16 §1: screening campaigns.
pub mod screen;
pub mod work;
// Issue 17 §3: workplaces' return to work and rental properties.
pub mod firms;
// Issue 17 §2: closed management, passes, entry checks.
pub mod access;
// gates (issue 17 §1)
pub mod gates;
// sim (issue 19 §2): management policies as a simulation's input.
#[cfg(feature = "sim")]
pub mod sim;
// The Huayuan Road demo (issue 18 §1), shared by the example, the scenarios and the server.
#[cfg(feature = "demo")]
pub mod demo;

pub use error::{Error, ErrorKind};
pub use id::{
    CaseId, CellId, HouseholdId, OverlayId, ParseIdError, ParseNameError, PersonId, PolicyId, SchemeId, StaffId,
    TicketId, UnitId,
};
pub use registry::{
    Answer, Command, Counts, Digest, Event, Prepared, Record, Registry, RegistryError, RequestId, Scope, Snapshot,
};

/// The README's quick start, run as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
