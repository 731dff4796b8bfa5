//! The registry 登记册: the one stateful aggregate a host keeps in memory.
//!
//! It owns the [`Tree`], the [`Overlays`], the [`Population`], the persons' states, the
//! isolation cases, and the staff with one roster per responsibility scheme. It keeps every
//! household's colour and every unit's and cell's [`Tally`] live, rolled up the tree in
//! O(depth) per change, the cases' date indexes behind [`Registry::agenda`], and each roster's
//! holders by target behind [`Registry::responsible_for`] and [`Registry::duty_coverage`].
//! Data flows one way:
//!
//! ```text
//! host ── Command ──▶ prepare: decide (ids assigned) + check ──▶ Record (nothing applied)
//!                                                                  │ the host persists it
//!                     commit ◀─────────────────────────────────────┘
//!                       └──▶ state + tallies up the tree; the Record's events back to the host
//! ```
//!
//! Replaying records goes through the same decisions, checks and commits, so a log from
//! elsewhere is as strictly validated as a command (see [`Record`]). Reads never change state; [`Scope`] limits them to
//! subtrees; [`Registry::audit`] rechecks every invariant from scratch (纵向稽核).

mod audit;
mod cases;
mod colours;
mod command;
mod contacts;
mod days;
mod duties;
mod event;
mod record;
mod scope;
mod snapshot;
mod upgrade;
mod work;
// Issue 18 §1: names and categories of commands and events.
mod kinds;
// Arrivals by origin (issue 16 §3).
mod arrivals;
// Issue 16 §2: traced lists.
mod trace;
// Issue 16 §1: screening campaigns.
mod screen;
// Issue 17 §3: workplaces and rental properties.
mod firms;
// Issue 17 §2: closed management, passes, entry checks.
mod access;
// Issue 17 §1: checkpoints, closed entrances, shift rosters.
mod gates;

pub use audit::{CaseRule, Finding};
pub use command::Command;
pub use contacts::{ClusterSpan, ContactData, Placed, Trace};
pub use duties::{Coverage, Gap, Responsible, RosterCause, StaffLoad, Subject};
pub use event::{Event, Recolour, StateChange};
pub use firms::FirmsData;
pub use kinds::CommandCategory;
pub use record::{
    Answer, Digest, Fingerprint, Head, MAX_REQUEST_ID_LEN, Prepared, Record, Remembered, Request, RequestId,
};
pub use scope::{Scope, ScopeItem, Seen};
pub use screen::{CampaignRecord, ScreenData};
pub use snapshot::{FORMAT_VERSION, Snapshot, UPGRADED_FORMAT};
pub use trace::{TraceData, TracedBatch};
pub use upgrade::upgrade_v5_log;
pub use work::WorkData;
// Issue 17 §2: closed management, passes, entry checks.
pub use access::AccessData;
// Issue 17 §1: checkpoints, closed entrances, shift rosters.
pub use gates::{GateSpan, GatesData, RecordedRoster};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::colour::{Colour, ColourRule, Delta, PersonState, Tally};
use crate::grid::{GridError, LevelScheme, NewUnit, Overlays, Tree};
use crate::people::{Household, Person, Population};
use crate::{CellId, Error, HouseholdId, OverlayId, PersonId, UnitId};

/// What can go wrong in the registry itself (the grid and the register have their own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RegistryError {
    /// An event log must begin with [`Event::Founded`], and only once.
    #[error("an event log begins with one Founded event, and has no other")]
    Founding,
    /// An event carries an id other than the one the registry would assign next.
    #[error("the event assigns {found} as a {table} id, but the next free one is {expected}")]
    UnexpectedId {
        /// Which table.
        table: IdTable,
        /// The id the registry would assign.
        expected: u32,
        /// The id in the event.
        found: u32,
    },
    /// An event describes a state other than the registry's (for instance a move "from" a
    /// unit the household is not at).
    #[error("the event does not match the registry: {what}")]
    Mismatch {
        /// What disagrees.
        what: String,
    },
    /// A unit still holds households, and the command transfers them nowhere.
    #[error("{unit} still holds {households} households; transfer them in the same command")]
    HouseholdsRemain {
        /// The unit.
        unit: UnitId,
        /// How many households it holds.
        households: usize,
    },
    /// Households cannot be transferred to the unit being closed, or inside it.
    #[error("households of {unit} cannot be transferred to {target}, which lies inside it")]
    TransferInside {
        /// The closing unit.
        unit: UnitId,
        /// The refused target.
        target: UnitId,
    },
    /// A command issued through a scope ([`Registry::apply_within`]) would change this item,
    /// which lies outside the scope. Reads through a [`Scope`] never give it: they answer an
    /// item outside as one that does not exist.
    #[error("{item} lies outside this scope")]
    OutsideScope {
        /// What was asked for.
        item: ScopeItem,
    },
    /// Through a scope ([`Registry::apply_within`]): the command applies to the whole registry
    /// ([`CommandCategory::CityWide`]: an overlay, a colour rule, a policy or its change, a
    /// scheme or its solving, a work plan, the business date, a traced batch), which only the
    /// whole registry's scope may send.
    #[error("{command} applies to the whole registry: it cannot be sent through a scope")]
    CityWide {
        /// The command's kind ([`Command::kind`]).
        command: String,
    },
    /// Through a scope ([`Registry::apply_within`]): the resident identity number or passport
    /// is registered already (一人一档) to someone outside the scope, who is not named (the
    /// same refusal names them for a scope that reaches them).
    #[error("this identity document is registered already, outside this scope")]
    RegisteredOutsideScope,
    /// A scope needs at least one root unit.
    #[error("a scope needs at least one root unit")]
    EmptyScope,
    /// An event log or snapshot of another format version ([`FORMAT_VERSION`]).
    #[error("format version {found} is not supported; this build reads version {supported}")]
    UnsupportedFormat {
        /// The version found.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// A snapshot whose parts do not fit together (a case naming no registered person, states
    /// for another number of persons, rosters for another number of schemes ...).
    #[error("the snapshot does not hold together: {what}")]
    InvalidSnapshot {
        /// What does not fit.
        what: String,
    },
    /// A loaded snapshot breaks an invariant.
    #[error("the snapshot breaks {count} invariants; first: {first}")]
    AuditFailed {
        /// How many findings.
        count: usize,
        /// The first one, described.
        first: String,
    },
    /// A request id that is empty, too long ([`MAX_REQUEST_ID_LEN`]) or holds a control
    /// character.
    #[error("a request id is 1 to 128 bytes of text without control characters; this one has {length} bytes")]
    InvalidRequestId {
        /// Its length in bytes.
        length: usize,
    },
    /// Text that should be hex digits of a fixed length is not.
    #[error("{what} is {expected} hex digits")]
    InvalidHex {
        /// What was read.
        what: String,
        /// How many digits it has.
        expected: usize,
    },
    /// A request id committed before comes with another command.
    #[error("request {request} was answered by record {position} for another command")]
    RequestReused {
        /// The request id.
        request: RequestId,
        /// The position of the record that answered it.
        position: u64,
    },
    /// A record of a log names a request that an earlier record answered.
    #[error("request {request} was answered by record {position} already")]
    RequestReplayed {
        /// The request id.
        request: RequestId,
        /// The position of the earlier record.
        position: u64,
    },
    /// A prepared command is committed to a registry that has changed since (or to another).
    #[error(
        "the command was prepared against record {prepared}; the registry is at record {head} or has changed since"
    )]
    StalePrepared {
        /// The head position it was prepared against.
        prepared: u64,
        /// The registry's head position.
        head: u64,
    },
    /// A record's position is not the one after the registry's head.
    #[error("the record is at position {found}, the registry expects {expected}")]
    OutOfSequence {
        /// The position after the head.
        expected: u64,
        /// The record's.
        found: u64,
    },
    /// A record's digest does not continue the registry's head: a torn or edited record, or
    /// a log that does not continue this registry (another registry's, a stale snapshot's).
    #[error("record {position}'s digest does not continue the log's head")]
    BrokenChain {
        /// The record's position.
        position: u64,
    },
    /// A record's events are not exactly those its command makes on the registry's state (an
    /// event missing, added, reordered or edited).
    #[error("the record's events are not its command's: {what}")]
    RecordEvents {
        /// What differs.
        what: String,
    },
    /// The log has as many records as a position can count.
    #[error("the log is full")]
    LogFull,
    /// Replaying a log of records failed at a record.
    #[error("record {position} of the log was refused: {source}")]
    Record {
        /// The position of the refused record (0 = the founding record).
        position: u64,
        /// Why it was refused.
        source: Box<Error>,
    },
    /// A command dated before any business date 业务日期 was opened: the commands that record
    /// for an isolation case (and errata) wait for the first [`Command::OpenDay`].
    #[error("no business date is open: open one (OpenDay) before recording for {date}")]
    NoBusinessDate {
        /// The date of the record.
        date: NaiveDate,
    },
    /// [`Command::OpenDay`] may only move the business date forward.
    #[error("the business date is {business_date}: a day cannot be opened on {today}, which is not later")]
    DayNotForward {
        /// The date asked for.
        today: NaiveDate,
        /// The business date.
        business_date: NaiveDate,
    },
    /// A record dated after the business date: nothing in the future is recorded.
    #[error("a record dated {date} is after the business date {business_date}")]
    AfterBusinessDate {
        /// The record's date.
        date: NaiveDate,
        /// The business date.
        business_date: NaiveDate,
    },
    /// A case starts, or restarts on a new exposure, on the business date (the anchor says
    /// when the exposure was), not on another.
    #[error("a case starts or restarts on the business date {business_date}, not on {date}")]
    NotBusinessDate {
        /// The date of the command.
        date: NaiveDate,
        /// The business date.
        business_date: NaiveDate,
    },
    /// Replaying a log failed at an event.
    #[error("event {index} of the log was refused: {source}")]
    Replay {
        /// The position of the refused event (0 = the founding event).
        index: usize,
        /// Why it was refused.
        source: Box<Error>,
    },
    // Issue 18 §1: honest dates and bounded reads.
    /// A map of a date before the business date: the registry holds only the business date's
    /// colours; a past day's are read from the log ([`Registry::as_of`]).
    #[error(
        "the registry shows the colours of its business date {business_date}, not of {date}: read {date} from the log"
    )]
    PastColours {
        /// The date asked for.
        date: NaiveDate,
        /// The business date.
        business_date: NaiveDate,
    },
    /// A map of a unit holding more households than the limit (a sub-district's or a city's
    /// map is a report, not a picture): map its courtyards, or ask with a larger limit.
    #[error("{unit} holds {households} households, more than a map of {limit}")]
    MapTooLarge {
        /// The unit asked for.
        unit: UnitId,
        /// The households inside it.
        households: u64,
        /// The most a map holds.
        limit: usize,
    },
}

/// Where an event being checked comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Decided by this registry from a command, just now.
    Decided,
    /// Read from a log, written by anyone.
    Log,
}

/// The tables whose ids events assign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IdTable {
    /// Units.
    Unit,
    /// Overlays.
    Overlay,
    /// Cells.
    Cell,
    /// Households.
    Household,
    /// Persons.
    Person,
    /// Isolation policies.
    Policy,
    /// Isolation cases.
    Case,
    /// Staff members.
    Staff,
    /// Responsibility schemes.
    Scheme,
    /// Hotline tickets.
    Ticket,
    // Issue 16 §2: traced lists.
    /// Traced batches.
    Batch,
    // Issue 16 §1: screening campaigns.
    /// Screening campaigns.
    Campaign,
    // Issue 17 §2: closed management, passes, entry checks.
    /// Passes 出入证.
    Pass,
}

impl std::fmt::Display for IdTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdTable::Unit => "unit",
            IdTable::Overlay => "overlay",
            IdTable::Cell => "cell",
            IdTable::Household => "household",
            IdTable::Person => "person",
            IdTable::Policy => "policy",
            IdTable::Case => "case",
            IdTable::Staff => "staff",
            IdTable::Scheme => "scheme",
            IdTable::Ticket => "ticket",
            IdTable::Batch => "traced batch",
            IdTable::Campaign => "screening campaign",
            IdTable::Pass => "pass",
        })
    }
}

/// Households and persons inside a unit (the unit and all its descendants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Households 户.
    pub households: u64,
    /// Persons 人.
    pub persons: u64,
}

impl From<&Tally> for Counts {
    fn from(t: &Tally) -> Counts {
        Counts { households: t.total_households(), persons: t.total_persons() }
    }
}

impl std::ops::Add for Counts {
    type Output = Counts;
    fn add(self, o: Counts) -> Counts {
        // Saturating: the fields are public, so a host can build counts that would overflow.
        Counts {
            households: self.households.saturating_add(o.households),
            persons: self.persons.saturating_add(o.persons),
        }
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        *self = *self + o;
    }
}

impl std::iter::Sum for Counts {
    fn sum<I: Iterator<Item = Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), |a, b| a + b)
    }
}

/// The aggregate: tree, overlays and population of one city (or one shard of it), changed only
/// by commands and events.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::{Command, Registry};
/// use wangge::colour::PersonState;
/// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
/// use wangge::people::{DoorLabel, PersonRecord};
///
/// let scheme = LevelScheme::zhengzhou();
/// let lv = |n: &str| scheme.level(n).unwrap();
/// let mut reg = Registry::new(scheme.clone(), NewUnit::new("Huayuan Road 花园路街道", lv("街道"), UnitKind::Area))?;
/// let mut log = vec![reg.founding_event()]; // the host keeps the log
///
/// let jinshui = NewUnit::new("Jinshui 社区", lv("社区"), UnitKind::Area);
/// let events = reg.apply(Command::AddUnit { parent: reg.root(), unit: jinshui })?;
/// let community = events[0].new_unit().unwrap();
/// log.extend(events);
/// let events = reg.apply(Command::AddHousehold { unit: community, door: DoorLabel::new("1-101")? })?;
/// let household = events[0].new_household().unwrap();
/// log.extend(events);
/// let state = PersonState::well(NaiveDate::from_ymd_opt(2020, 1, 25).unwrap());
/// log.extend(reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state })?);
///
/// assert_eq!(reg.counts(reg.root())?.persons, 1);
/// assert!(reg.audit().is_empty());
/// assert_eq!(Registry::replay(&log)?, reg);
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Registry {
    root_spec: NewUnit,
    tree: Tree,
    overlays: Overlays,
    population: Population,
    /// The colour rule in force.
    rule: ColourRule,
    /// The format the registry's log was founded in: [`FORMAT_VERSION`], or 6 for a registry
    /// whose log began in format 5 or 6 and is upgraded as it is read (its records of format 6
    /// are read as such: see `upgrade.rs`).
    founded: u32,
    /// Each person's state, by person index.
    states: Vec<PersonState>,
    /// Each household's colour, by household index.
    colours: Vec<Colour>,
    /// The tally of everything inside each unit, by unit index.
    tallies: Vec<Tally>,
    /// The tally of each cell, by cell index.
    cell_tallies: Vec<Tally>,
    /// Isolation policies and cases.
    cases: cases::CaseBook,
    /// Staff, responsibility schemes and their rosters.
    duties: duties::DutyBook,
    /// The work plan, the tasks done, moved and carried, the tickets.
    work: work::WorkBook,
    /// The contact graph: exposures and traces.
    contacts: contacts::ContactBook,
    /// The arrivals recorded (issue 16 §3).
    arrivals: arrivals::ArrivalBook,
    /// Traced lists: the batches and each row's status.
    trace: trace::TraceBook,
    /// Screening campaigns and their visits.
    screen: screen::ScreenBook,
    /// Workplaces' filings and rental properties (issue 17 §3).
    firms: firms::FirmsBook,
    // Issue 17 §2: closed management, passes, entry checks.
    /// Compounds' status, passes, entries.
    access: access::AccessBook,
    // Issue 17 §1: checkpoints, closed entrances, shift rosters.
    /// Checkpoints, closed entrances, the one-entrance rule, shift rosters.
    gates: gates::GatesBook,
    /// The position and digest of the last record applied.
    head: Head,
    /// The request ids committed.
    requests: record::Requests,
    /// Names the registry's state among every registry of the process: drawn anew from a
    /// process-wide counter at each change, so that a [`Prepared`] made before a change, or on
    /// another registry (a clone gone its own way included), is refused. Not part of the
    /// state: neither compared nor saved.
    generation: u64,
    /// The business date 业务日期: the date of the last [`Command::OpenDay`], `None` before
    /// the first.
    day: Option<NaiveDate>,
}

/// Registries are equal when their states are: what a replay of their logs rebuilds. Their
/// logs' heads and the requests they remember are not compared (a registry fed events by
/// [`Registry::apply`] has no records); [`Registry::head`] tells them apart.
impl PartialEq for Registry {
    fn eq(&self, o: &Self) -> bool {
        self.root_spec == o.root_spec
            && self.tree == o.tree
            && self.overlays == o.overlays
            && self.population == o.population
            && self.rule == o.rule
            && self.states == o.states
            && self.colours == o.colours
            && self.tallies == o.tallies
            && self.cell_tallies == o.cell_tallies
            && self.cases == o.cases
            && self.duties == o.duties
            && self.work == o.work
            && self.contacts == o.contacts
            && self.arrivals == o.arrivals
            && self.trace == o.trace
            && self.screen == o.screen
            && self.firms == o.firms
            && self.access == o.access
            && self.gates == o.gates
    }
}

impl Eq for Registry {}

impl Registry {
    /// A registry holding only its root unit.
    ///
    /// # Errors
    /// The errors of [`Tree::new`].
    pub fn new(scheme: LevelScheme, root: NewUnit) -> Result<Self, Error> {
        Registry::founded_in(scheme, root, FORMAT_VERSION)
    }

    /// A registry holding only its root unit, founded in `format`: one founded before format 7
    /// (its log upgraded) keeps the colour rule of format 6,
    /// [`StandingRule::zhengzhou_2020_format_6`](crate::colour::StandingRule::zhengzhou_2020_format_6),
    /// so that its colours do not change on upgrade, and names `format` in its founding event.
    pub(super) fn founded_in(scheme: LevelScheme, root: NewUnit, format: u32) -> Result<Self, Error> {
        // The founding event records the root's level as an index, whatever the host named.
        let root = root.resolved(&scheme)?;
        let tree = Tree::new(scheme, root.clone())?;
        let mut population = Population::new();
        population.add_unit();
        let mut reg = Registry {
            root_spec: root,
            tree,
            overlays: Overlays::new(),
            population,
            rule: if format < FORMAT_VERSION {
                ColourRule::zhengzhou_2020_format_6()
            } else {
                ColourRule::zhengzhou_2020()
            },
            founded: format,
            states: Vec::new(),
            colours: Vec::new(),
            tallies: vec![Tally::new()],
            cell_tallies: Vec::new(),
            cases: cases::CaseBook::default(),
            duties: duties::DutyBook::default(),
            work: work::WorkBook::default(),
            contacts: contacts::ContactBook::default(),
            arrivals: arrivals::ArrivalBook::default(),
            trace: trace::TraceBook::default(),
            screen: screen::ScreenBook::default(),
            firms: firms::FirmsBook::default(),
            access: access::AccessBook::default(),
            gates: gates::GatesBook::default(),
            head: Head { position: 0, digest: Digest::GENESIS },
            requests: record::Requests::default(),
            generation: record::next_generation(),
            day: None,
        };
        reg.head = reg.founding_record().head();
        Ok(reg)
    }

    /// The event that begins this registry's log: replaying it alone gives a registry equal to
    /// a new one.
    pub fn founding_event(&self) -> Event {
        Event::Founded { format: self.founded, scheme: self.tree.scheme().clone(), root: self.root_spec.clone() }
    }

    /// The root unit.
    pub fn root(&self) -> UnitId {
        self.tree.root()
    }

    /// The unit tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The overlays.
    pub fn overlays(&self) -> &Overlays {
        &self.overlays
    }

    /// The population register.
    pub fn population(&self) -> &Population {
        &self.population
    }

    /// The household.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold).
    pub fn household(&self, id: HouseholdId) -> Result<&Household, Error> {
        Ok(self.population.household(id)?)
    }

    /// The person.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`](crate::people::PeopleError::UnknownPerson).
    pub fn person(&self, id: PersonId) -> Result<&Person, Error> {
        Ok(self.population.person(id)?)
    }

    /// Households and persons inside `unit`, kept live as commands apply.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(1).
    pub fn counts(&self, unit: UnitId) -> Result<Counts, Error> {
        Ok(Counts::from(self.tally(unit)?))
    }

    /// The households inside `unit` (at it or any descendant), in pre-order of units.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(units in the subtree + households found).
    pub fn households_within(&self, unit: UnitId) -> Result<impl Iterator<Item = HouseholdId> + '_, Error> {
        Ok(self.tree.subtree(unit)?.flat_map(|u| self.population.households_at(u).iter().copied()))
    }

    /// The window `request` asks of [`Registry::households_within`] `unit`, in pre-order of
    /// units.
    ///
    /// # Errors
    /// [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(units in the subtree + households inside).
    pub fn households_page(
        &self,
        unit: UnitId,
        request: crate::page::PageRequest,
    ) -> Result<crate::page::Page<HouseholdId>, Error> {
        Ok(crate::page::Page::of(self.households_within(unit)?, request))
    }

    /// The cell of `overlay` holding `household`, or `None` when it lies in no cell.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`](crate::people::PeopleError::UnknownHousehold), [`GridError::UnknownOverlay`].
    ///
    /// # Complexity
    /// O(levels).
    pub fn cell_of(&self, overlay: OverlayId, household: HouseholdId) -> Result<Option<CellId>, Error> {
        let unit = self.population.household(household)?.unit();
        Ok(self.overlays.cell_of(&self.tree, overlay, unit)?)
    }

    /// The households of a cell.
    ///
    /// # Errors
    /// [`GridError::UnknownCell`].
    ///
    /// # Complexity
    /// O(units and households inside the cell).
    pub fn households_in_cell(&self, cell: CellId) -> Result<Vec<HouseholdId>, Error> {
        let mut out = Vec::new();
        for &u in self.overlays.cell(cell)?.units() {
            out.extend(self.households_within(u)?);
        }
        Ok(out)
    }

    /// The households in no cell of `overlay`: the gaps that "摸排不落一户" (no household
    /// skipped) forbids. The overlay is complete when the list is empty.
    ///
    /// # Example
    /// Two communities, and a grid overlay whose only cell covers the first:
    /// ```
    /// use wangge::{Command, Registry};
    /// use wangge::grid::{LevelScheme, NewUnit, OverlayKind, UnitKind};
    /// use wangge::people::DoorLabel;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let lv = |n: &str| levels.level(n).unwrap();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area))?;
    /// let mut community = |name: &str| -> Result<_, wangge::Error> {
    ///     let unit = NewUnit::new(name, lv("社区"), UnitKind::Area);
    ///     Ok(reg.apply(Command::AddUnit { parent: reg.root(), unit })?[0].new_unit().unwrap())
    /// };
    /// let (a, b) = (community("农科路社区")?, community("丰产路社区")?);
    /// let mut household = |unit| -> Result<_, wangge::Error> {
    ///     Ok(reg.apply(Command::AddHousehold { unit, door: DoorLabel::new("1-101")? })?[0].new_household().unwrap())
    /// };
    /// let (_, missed) = (household(a)?, household(b)?);
    /// let grids = reg.apply(Command::CreateOverlay { name: "网格".into(), kind: OverlayKind::Grid })?[0].new_overlay().unwrap();
    /// let cell = reg.apply(Command::AddCell { overlay: grids, name: "一号网格".into(), units: vec![a] })?[0].new_cell().unwrap();
    ///
    /// assert_eq!(reg.coverage(grids)?, [missed]);
    /// assert!(!reg.is_complete(grids)?);
    /// reg.apply(Command::ExtendCell { cell, units: vec![b] })?;
    /// assert!(reg.is_complete(grids)?);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`GridError::UnknownOverlay`].
    ///
    /// # Complexity
    /// O(households × levels).
    pub fn coverage(&self, overlay: OverlayId) -> Result<Vec<HouseholdId>, Error> {
        self.overlays.overlay(overlay)?;
        let mut gaps = Vec::new();
        for (id, h) in self.population.households() {
            if self.overlays.cell_of(&self.tree, overlay, h.unit())?.is_none() {
                gaps.push(id);
            }
        }
        Ok(gaps)
    }

    /// Whether every household lies in a cell of `overlay`.
    ///
    /// # Errors
    /// [`GridError::UnknownOverlay`].
    pub fn is_complete(&self, overlay: OverlayId) -> Result<bool, Error> {
        Ok(self.coverage(overlay)?.is_empty())
    }

    /// A read-only view limited to the subtrees of `roots`.
    ///
    /// # Errors
    /// [`RegistryError::EmptyScope`], [`GridError::UnknownUnit`].
    ///
    /// # Complexity
    /// O(roots × (levels + log roots)).
    pub fn scope(&self, roots: &[UnitId]) -> Result<Scope<'_>, Error> {
        Scope::new(self, roots)
    }

    /// Validate a command, apply it atomically and return the events it became: the path of
    /// an event log (format 5's shape) and of bulk loads. It makes no record and leaves the
    /// registry's head ([`Registry::head`]) where it is; a host that logs records uses
    /// [`Registry::prepare`] and [`Registry::commit`] (or [`Registry::execute`]) instead.
    ///
    /// # Errors
    /// Whatever makes the command invalid against the current state: an unknown id, a broken
    /// tree rule ([`GridError`]), a duplicate identity number ([`PeopleError`](crate::people::PeopleError)), households
    /// left in a unit to close ([`RegistryError`]), a change of state the table forbids
    /// ([`ColourError`](crate::colour::ColourError)) ... On error the registry is unchanged.
    ///
    /// # Complexity
    /// O(levels) for most commands, independent of the size of the city (a change of state or
    /// of household members also scans that household's members); moving a subtree costs
    /// O(its size); overlay commands O(units named in the overlay); setting the colour rule
    /// O(households + persons + units). A case command adds O(log cases) per date index entry
    /// it changes (about one per day of the period); [`Command::OpenDay`] costs that for each
    /// case it changes, plus O(log dates) per day it runs with something due (quiet days
    /// between are skipped by the date indexes, so a jump of years costs what falls due in
    /// it).
    pub fn apply(&mut self, command: Command) -> Result<Vec<Event>, Error> {
        let mut events = Vec::with_capacity(1);
        self.apply_into(command, &mut events)?;
        Ok(events)
    }

    /// Validate a command, apply it atomically and append the events it became to `log`
    /// (the host's event log, say); returns how many were appended. The same as
    /// [`Registry::apply`] without a fresh vector per command, for bulk loads.
    ///
    /// Most commands become one event. [`Command::OpenDay`] becomes an [`Event::DayOpened`]
    /// (a quiet day too, so that a replay restores the business date) then one event per case
    /// it changes, day by day; a positive [`Command::RecordTest`] (or an erratum making a
    /// result positive) is followed by the conversion of each active secondary contact linked
    /// to the case and the reopening of each released one whose release it contradicts. The
    /// command's own date is checked against the business date first (see
    /// [`Registry::business_date`] and the table of `registry/days.rs`). Those follow-up events are
    /// decided one by one, each from the state the previous one left; they are all changes
    /// the rules make legal by construction (a phase's state, a release to present and well,
    /// a secondary contact becoming a close contact; a test checks every pair) and whatever
    /// else could fail is checked before the first is applied, so none can be refused.
    ///
    /// # Example
    /// A bulk load into the host's log, then a refusal that leaves the log as it was:
    /// ```
    /// use wangge::{Command, Registry};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::DoorLabel;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let mut log = vec![reg.founding_event()];
    /// for door in ["1-101", "1-102", "1-201"] {
    ///     reg.apply_into(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new(door)? }, &mut log)?;
    /// }
    /// assert_eq!(log.len(), 4);
    /// let unknown = wangge::HouseholdId::new(9);
    /// assert!(reg.apply_into(Command::MoveHousehold { household: unknown, to: reg.root() }, &mut log).is_err());
    /// assert_eq!(log.len(), 4);
    /// assert_eq!(Registry::replay(&log)?, reg);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::apply`]; on error neither the registry nor `log` changes.
    pub fn apply_into(&mut self, command: Command, log: &mut Vec<Event>) -> Result<usize, Error> {
        let decided = self.decide_record(command)?;
        self.commit_events(&decided.events, decided.first_checked)?;
        let n = decided.events.len();
        log.extend(decided.events);
        Ok(n)
    }

    /// Give back memory that growing tables left spare (up to half of each, since vectors
    /// grow by doubling). Worth calling after a bulk load; changes nothing observable.
    ///
    /// # Complexity
    /// O(size of the registry): the tables are copied into right-sized storage.
    pub fn shrink_to_fit(&mut self) {
        self.population.shrink_to_fit();
        self.states.shrink_to_fit();
        self.colours.shrink_to_fit();
        self.tallies.shrink_to_fit();
        self.cell_tallies.shrink_to_fit();
        self.cases.shrink_to_fit();
        self.duties.shrink_to_fit();
        self.shrink_requests();
    }

    /// Apply one event from a log, validated exactly as the command it came from.
    ///
    /// # Example
    /// A replica following a primary by its events, and an edited event refused:
    /// ```
    /// use wangge::{Command, Event, Registry};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::DoorLabel;
    ///
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut primary = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let mut replica = Registry::replay(&[primary.founding_event()])?;
    ///
    /// let events = primary.apply(Command::AddHousehold { unit: primary.root(), door: DoorLabel::new("1-101")? })?;
    /// // An event claiming another id than the one the replica would assign is refused ...
    /// let Event::HouseholdAdded { unit, door, .. } = events[0].clone() else { unreachable!() };
    /// let forged = Event::HouseholdAdded { household: wangge::HouseholdId::new(7), unit, door };
    /// assert!(replica.apply_event(&forged).is_err());
    /// // ... and the real one is taken: the two registries are equal again.
    /// for event in &events {
    ///     replica.apply_event(event)?;
    /// }
    /// assert_eq!(replica, primary);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::apply`], plus [`RegistryError::UnexpectedId`] /
    /// [`RegistryError::Mismatch`] when the event does not fit the registry's state and
    /// [`RegistryError::Founding`] for a second founding event. On error the registry is
    /// unchanged.
    pub fn apply_event(&mut self, event: &Event) -> Result<(), Error> {
        self.check(event, Origin::Log)?;
        self.generation = record::next_generation();
        self.commit_event(event)
    }

    /// Rebuild a registry from its event log.
    ///
    /// # Errors
    /// [`RegistryError::Replay`] naming the first refused event, with the reason.
    pub fn replay<'e>(events: impl IntoIterator<Item = &'e Event>) -> Result<Registry, Error> {
        let wrap = |index: usize, e: Error| Error::from(RegistryError::Replay { index, source: Box::new(e) });
        let mut events = events.into_iter().peekable();
        if let Some(Event::Founded { format, .. }) = events.peek()
            && *format < FORMAT_VERSION
        {
            // Events of an older format hold states of format 6: upgraded as a format-5 log is
            // (each command's events found again, its states fitted).
            let events: Vec<Event> = events.cloned().collect();
            let records = upgrade::upgrade_v5_log(&events)?;
            return Registry::replay_records(&records);
        }
        let mut reg = match events.next() {
            Some(Event::Founded { format, scheme, root }) => {
                snapshot::check_format(*format).map_err(|e| wrap(0, e.into()))?;
                Registry::new(scheme.clone(), root.clone()).map_err(|e| wrap(0, e))?
            }
            _ => return Err(wrap(0, RegistryError::Founding.into())),
        };
        for (i, e) in events.enumerate() {
            reg.apply_event(e).map_err(|err| wrap(i + 1, err))?;
        }
        Ok(reg)
    }

    /// Turn a command into the event it would become, assigning ids.
    fn decide(&self, command: Command) -> Result<Event, Error> {
        let next = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        Ok(match command {
            Command::AddUnit { parent, unit } => {
                // Recorded with its level as an index: a log never depends on level names.
                let spec = unit.resolved(self.tree.scheme())?;
                Event::UnitAdded { unit: UnitId::new(next(self.tree.len())), parent, spec }
            }
            Command::MoveUnit { unit, new_parent } => {
                let from = self.tree.parent(unit)?.ok_or(GridError::RootIsFixed)?;
                Event::UnitMoved { unit, from, to: new_parent }
            }
            Command::CloseUnit { unit, on, transfer_to } => {
                self.tree.check(unit)?;
                let households = self.population.households_at(unit).to_vec();
                Event::UnitClosed { unit, on, transferred_to: transfer_to, households }
            }
            Command::CreateOverlay { name, kind } => Event::OverlayCreated {
                overlay: OverlayId::new(u16::try_from(self.overlays.len()).unwrap_or(u16::MAX)),
                name,
                kind,
            },
            Command::AddCell { overlay, name, units } => {
                Event::CellAdded { cell: CellId::new(next(self.overlays.cell_count())), overlay, name, units }
            }
            Command::ExtendCell { cell, units } => Event::CellExtended { cell, units },
            Command::AddHousehold { unit, door } => Event::HouseholdAdded {
                household: HouseholdId::new(next(self.population.household_count())),
                unit,
                door,
            },
            Command::MoveHousehold { household, to } => {
                let from = self.population.household(household)?.unit();
                Event::HouseholdMoved { household, from, to }
            }
            Command::RegisterPerson { household, record, state } => Event::PersonRegistered {
                person: PersonId::new(next(self.population.person_count())),
                household,
                recolours: self.recolours_on_register(household, state)?,
                record,
                state,
            },
            Command::MovePerson { person, to, on } => {
                let from = self.population.person(person)?.household();
                Event::PersonMoved { person, from, to, on, recolours: self.recolours_on_move(person, to)? }
            }
            Command::SetMarkers { person, markers } => Event::MarkersSet { person, markers },
            Command::SetState { person, state, on } => {
                self.check_not_under_case(person)?;
                let from = self.state(person)?;
                let to = from.change(state, on)?;
                Event::StateChanged { person, from, to, recolours: self.recolours_on_state(person, to)? }
            }
            Command::SetMeasure { person, measure, on } => {
                self.check_not_under_case(person)?;
                let from = self.state(person)?;
                let to = from.change_measure(measure, on)?;
                Event::StateChanged { person, from, to, recolours: self.recolours_on_state(person, to)? }
            }
            Command::SetColourRule { rule, on } => {
                Event::ColourRuleSet { recolours: self.recolours_on_rule(&rule), rule, on }
            }
            command @ (Command::AddStaff { .. }
            | Command::SetAvailability { .. }
            | Command::AdoptScheme { .. }
            | Command::Assign { .. }
            | Command::Unassign { .. }
            | Command::Solve { .. }
            | Command::Replace { .. }) => self.decide_duty(command)?,
            command @ (Command::AdoptWorkPlan { .. }
            | Command::CompleteTask { .. }
            | Command::ReassignTasks { .. }
            | Command::OpenTicket { .. }) => self.decide_work(command)?,
            command @ (Command::RecordExposure { .. } | Command::TraceContacts { .. }) => {
                self.decide_contacts(command)?
            }
            command @ Command::RecordArrival { .. } => self.decide_arrival(command)?,
            command @ (Command::ReceiveTracedBatch { .. }
            | Command::ControlTraced { .. }
            | Command::HandOverTraced { .. }) => self.decide_trace(command)?,
            command @ (Command::StartCampaign { .. } | Command::RecordVisit { .. }) => self.decide_screen(command)?,
            command @ (Command::ChangeFiling { .. }
            | Command::CheckWorkplace { .. }
            | Command::SetEmployees { .. }
            | Command::ContractWorkplace { .. }
            | Command::MarkRental { .. }
            | Command::InspectRental { .. }) => self.decide_firms(command)?,
            // Issue 17 §2: closed management, passes, entry checks.
            command @ (Command::SetCompoundStatus { .. }
            | Command::IssuePass { .. }
            | Command::RevokePass { .. }
            | Command::RecordEntry { .. }) => self.decide_access(command)?,
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            command @ (Command::SetCheckpoint { .. }
            | Command::CloseEntrance { .. }
            | Command::ReopenEntrance { .. }
            | Command::SetOneEntranceRule { .. }
            | Command::RecordShiftRoster { .. }) => self.decide_gates(command)?,
            command => self.decide_case(command)?,
        })
    }

    fn expect_id(table: IdTable, expected: u32, found: u32) -> Result<(), Error> {
        if expected == found { Ok(()) } else { Err(RegistryError::UnexpectedId { table, expected, found }.into()) }
    }

    fn mismatch(what: String) -> Error {
        RegistryError::Mismatch { what }.into()
    }

    /// Check that an event can be applied to the current state. Everything that could make
    /// [`Registry::commit`] fail is checked here.
    fn check(&self, event: &Event, origin: Origin) -> Result<(), Error> {
        // The recolourings of an event the registry just decided are its own computation from
        // this same state; those of an event from a log are recomputed and compared.
        let verify = |found: &[Recolour], expected: &dyn Fn() -> Result<Vec<Recolour>, Error>| match origin {
            Origin::Decided => Ok(()),
            Origin::Log => Self::expect_recolours(found, &expected()?),
        };
        self.check_day(event)?;
        match event {
            Event::Founded { format, .. } => {
                snapshot::check_format(*format)?;
                return Err(RegistryError::Founding.into());
            }
            Event::DayOpened { .. } => {}
            Event::UnitAdded { unit, parent, spec } => {
                self.tree.check_add(*parent, spec)?;
                Self::expect_id(IdTable::Unit, self.tree.len() as u32, unit.get())?;
            }
            Event::UnitMoved { unit, from, to } => {
                self.tree.check_move(*unit, *to)?;
                if self.tree.parent(*unit)? != Some(*from) {
                    return Err(Self::mismatch(format!("{unit} does not hang under {from}")));
                }
                self.overlays.check_move(&self.tree, *unit, *to)?;
            }
            Event::UnitClosed { unit, transferred_to, households, .. } => {
                self.tree.check_close(*unit)?;
                let held = self.population.households_at(*unit);
                if held != households.as_slice() {
                    return Err(Self::mismatch(format!("the households listed are not those {unit} holds")));
                }
                match transferred_to {
                    None if !held.is_empty() => {
                        return Err(RegistryError::HouseholdsRemain { unit: *unit, households: held.len() }.into());
                    }
                    None => {}
                    Some(target) => {
                        self.tree.check_holds_households(*target)?;
                        if self.tree.is_within(*target, *unit)? {
                            return Err(RegistryError::TransferInside { unit: *unit, target: *target }.into());
                        }
                        for &h in held {
                            self.population.check_move_household(h, *target)?;
                        }
                    }
                }
            }
            Event::OverlayCreated { overlay, name, .. } => {
                self.overlays.check_create(name)?;
                Self::expect_id(IdTable::Overlay, self.overlays.len() as u32, u32::from(overlay.get()))?;
            }
            Event::CellAdded { cell, overlay, name, units } => {
                self.overlays.check_add_cell(&self.tree, *overlay, name, units)?;
                Self::expect_id(IdTable::Cell, self.overlays.cell_count() as u32, cell.get())?;
            }
            Event::CellExtended { cell, units } => self.overlays.check_extend_cell(&self.tree, *cell, units)?,
            Event::HouseholdAdded { household, unit, door } => {
                self.tree.check_holds_households(*unit)?;
                let id = self.population.check_add_household(*unit, door)?;
                Self::expect_id(IdTable::Household, id.get(), household.get())?;
            }
            Event::HouseholdMoved { household, from, to } => {
                if self.population.household(*household)?.unit() != *from {
                    return Err(Self::mismatch(format!("household {household} is not at {from}")));
                }
                self.tree.check_holds_households(*to)?;
                self.population.check_move_household(*household, *to)?;
            }
            Event::PersonRegistered { person, household, record, state, recolours } => {
                let id = self.population.check_register(*household, record)?;
                Self::expect_id(IdTable::Person, id.get(), person.get())?;
                verify(recolours, &|| self.recolours_on_register(*household, *state))?;
            }
            Event::PersonMoved { person, from, to, recolours, .. } => {
                if self.population.check_move_person(*person, *to)? != *from {
                    return Err(Self::mismatch(format!("{person} is not in household {from}")));
                }
                verify(recolours, &|| self.recolours_on_move(*person, *to))?;
            }
            Event::MarkersSet { person, .. } => {
                self.population.person(*person)?;
            }
            Event::StateChanged { person, from, to, recolours } => {
                self.check_not_under_case(*person)?;
                if self.state(*person)? != *from {
                    return Err(Self::mismatch(format!("{person} is not {} since {}", from.state(), from.since())));
                }
                // A change of reason (`SetState`), of measure (`SetMeasure`), or a visit's: any
                // change the standing allows.
                if from.change_to(to.standing(), to.since())? != *to {
                    return Err(Self::mismatch(format!("{person} cannot become {}", to.standing())));
                }
                verify(recolours, &|| self.recolours_on_state(*person, *to))?;
            }
            Event::ColourRuleSet { rule, recolours, .. } => {
                verify(recolours, &|| Ok(self.recolours_on_rule(rule)))?;
            }
            duty if duty.is_duty() => self.check_duty(duty)?,
            work if work.is_work() => self.check_work(work)?,
            Event::ExposureRecorded { .. } | Event::ContactsTraced { .. } => self.check_contacts(event, origin)?,
            arrival if arrival.is_arrival() => self.check_arrival(arrival)?,
            trace if trace.is_trace() => self.check_trace(trace, origin)?,
            screen if screen.is_screen() => self.check_screen(screen, origin)?,
            firms if firms.is_firms() => self.check_firms(firms)?,
            access if access.is_access() => self.check_access(access)?,
            gates if gates.is_gates() => self.check_gates(gates)?,
            case => self.check_case(case, origin)?,
        }
        Ok(())
    }

    /// Apply a checked event. Where a step can fail it is the first step, so that a failure
    /// (which `check` rules out) would still leave the registry unchanged.
    fn commit_event(&mut self, event: &Event) -> Result<(), Error> {
        match event {
            Event::Founded { .. } => return Err(RegistryError::Founding.into()),
            Event::DayOpened { on, .. } => {
                self.open_work_day();
                self.day = Some(*on);
            }
            Event::UnitAdded { parent, spec, .. } => {
                self.tree.add(*parent, spec.clone())?;
                self.tallies.push(Tally::new());
                self.population.add_unit();
            }
            Event::UnitMoved { unit, from, to } => {
                let before: Vec<UnitId> = self.tree.ancestors(*unit)?.collect();
                self.tree.move_subtree(*unit, *to)?;
                self.overlays.unit_moved(&self.tree, *unit, &before)?;
                let moved = self.tallies[unit.index()].clone();
                self.retally(*from, &moved, &Tally::new());
                self.retally(*to, &Tally::new(), &moved);
            }
            Event::UnitClosed { unit, on, transferred_to, households } => {
                self.tree.close(*unit, *on)?;
                if let Some(target) = transferred_to {
                    for &h in households {
                        self.move_household(h, *target);
                    }
                }
            }
            Event::OverlayCreated { name, kind, .. } => {
                self.overlays.create(name, *kind)?;
            }
            Event::CellAdded { overlay, name, units, .. } => {
                self.overlays.add_cell(&self.tree, *overlay, name, units)?;
                self.cell_tallies.push(units.iter().map(|u| &self.tallies[u.index()]).sum());
            }
            Event::CellExtended { cell, units } => {
                self.overlays.extend_cell(&self.tree, *cell, units)?;
                for u in units {
                    self.cell_tallies[cell.index()].merge(&self.tallies[u.index()]);
                }
            }
            Event::HouseholdAdded { unit, door, .. } => {
                self.population.add_household(*unit, door.clone());
                self.colours.push(Colour::White);
                self.retally(*unit, &Tally::new(), &Tally::household::<crate::colour::Standing>(Colour::White, []));
            }
            Event::HouseholdMoved { household, to, .. } => self.move_household(*household, *to),
            Event::PersonRegistered { household, record, state, recolours, .. } => {
                match recolours.first() {
                    None => {
                        // The household keeps its colour: only the new member is counted.
                        let colour = self.colour(*household)?;
                        let unit = self.population.household(*household)?.unit();
                        self.population.register(*household, record.clone());
                        self.states.push(*state);
                        self.shift(unit, &Delta::member(colour, None, Some((state.standing(), record.markers()))));
                    }
                    Some(recolour) => {
                        let before = self.household_tally(*household);
                        self.population.register(*household, record.clone());
                        self.states.push(*state);
                        self.recolour(recolour, &before);
                    }
                }
            }
            Event::PersonMoved { person, to, recolours, .. } => {
                let p = self.population.person(*person)?;
                let (from, member) = (p.household(), Some((self.state(*person)?.standing(), p.markers())));
                // A household that keeps its colour only loses or gains the member's counts.
                let recoloured = |h: HouseholdId| recolours.iter().find(|r| r.household == h);
                let (before_from, before_to) = (
                    recoloured(from).map(|r| (r, self.household_tally(from))),
                    recoloured(*to).map(|r| (r, self.household_tally(*to))),
                );
                let (colour_from, unit_from) = (self.colour(from)?, self.population.household(from)?.unit());
                let (colour_to, unit_to) = (self.colour(*to)?, self.population.household(*to)?.unit());
                self.population.move_person(*person, *to);
                match before_from {
                    Some((recolour, before)) => self.recolour(recolour, &before),
                    None => self.shift(unit_from, &Delta::member(colour_from, member, None)),
                }
                match before_to {
                    Some((recolour, before)) => self.recolour(recolour, &before),
                    None => self.shift(unit_to, &Delta::member(colour_to, None, member)),
                }
            }
            Event::MarkersSet { person, markers } => {
                // Markers never change a colour: only this member's marks are recounted.
                let p = self.population.person(*person)?;
                let (household, was) = (p.household(), p.markers());
                let (colour, unit) = (self.colour(household)?, self.population.household(household)?.unit());
                let state = self.state(*person)?.standing();
                self.population.set_markers(*person, *markers);
                self.shift(unit, &Delta::member(colour, Some((state, was)), Some((state, *markers))));
            }
            Event::StateChanged { person, from, to, recolours } => self.set_state(*person, *from, *to, recolours)?,
            Event::ColourRuleSet { rule, recolours, .. } => {
                // The checked event lists every household the new rule paints differently.
                self.rule = rule.clone();
                for r in recolours {
                    if let Some(c) = self.colours.get_mut(r.household.index()) {
                        *c = r.to;
                    }
                }
                (self.tallies, self.cell_tallies) = self.tallies_from_scratch();
            }
            duty if duty.is_duty() => self.commit_duty(duty)?,
            work if work.is_work() => self.commit_work(work),
            Event::ExposureRecorded { .. } | Event::ContactsTraced { .. } => self.commit_contacts(event),
            arrival if arrival.is_arrival() => self.commit_arrival(arrival),
            trace if trace.is_trace() => self.commit_trace(trace),
            screen if screen.is_screen() => self.commit_screen(screen),
            firms if firms.is_firms() => self.commit_firms(firms),
            access if access.is_access() => self.commit_access(access),
            gates if gates.is_gates() => self.commit_gates(gates),
            case => self.commit_case(case)?,
        }
        // Issue 17 §2: a household turned red loses its passes in the same record.
        self.revoke_passes_of_red(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
