//! Model-based testing (issue 7 §1): the registry against a deliberately naive reference model
//! of its observable behaviour, written here from the documentation (the commands' and reports'
//! docs, `State::may_become`'s table, the colour rule, `Category::state_in`, the schedule's day
//! counting, `Case::release_blockers`, `Item`, the duty docs), not from the registry's code. The
//! model holds plain vectors and answers every question by a linear scan: units with their
//! parent, level, kind and closing date; households at units; persons with their states and
//! markers; cells; cases with their days; staff, schemes and per scheme a plain list of
//! assignments in the order made.
//!
//! **The run.** A case draws a level scheme (Zhengzhou's four levels, or Shanghai's five with
//! an optional one), builds a small sub-district by fixed commands (two communities,
//! courtyards, buildings, entrances, a road, six households, ten persons, four policies, two
//! overlays, four responsibility schemes, ten staff), then runs up to [`MAX_OPS`] random
//! operations drawn by weight over valid *and* invalid ids (one pick in sixteen names an id
//! that does not exist; closed units, dates before an anchor or a release, a state the table
//! forbids, names taken ...). The operations cover every [`Command`] variant: `AddUnit`,
//! `MoveUnit`, `CloseUnit`, `CreateOverlay`, `AddCell`, `ExtendCell`, `AddHousehold`,
//! `MoveHousehold`, `RegisterPerson`, `MovePerson`, `SetMarkers`, `SetState`, `SetColourRule`,
//! `AdoptPolicy`, `StartCase`, `Exposed`, `RecordCheck`, `RecordTest`, `Release`, `OpenDay`,
//! `AddStaff`, `SetAvailability`, `AdoptScheme`, `Assign`, `Unassign`, `Solve`, `Replace`;
//! a routine operation records every check and test due today, a cluster operation starts a
//! close contact and a secondary contact linked to them, and `OpenDay` moves the date forward
//! (about seventeen days over 200 operations, long enough for every policy's period).
//!
//! **Every command**: the model says whether it must be accepted and, when refused, which
//! error kinds are acceptable (every rule it breaks; the registry names one of them). A
//! refused command must leave the registry equal to its clone from before. An accepted one is
//! applied to the model too; for `Solve` and `Replace`, whose choice among equally good rosters
//! is the flow's, the model checks the registry's `Rostered` event against the documented
//! rules instead (what is removed, every assignment added valid, no slot overfilled, no load
//! over a limit, and after a solve no slot left short that one more valid holder could fill)
//! and applies it. The net colour changes carried by the command's events equal the model's.
//!
//! **After every step, every report is compared** with the model's: for every unit its parent,
//! children, level, kind, name, closing date, households, `counts()` and every count of its
//! `tally()` (households and persons per colour, persons per state, marked persons per marker
//! and colour), computed by scanning every household whose unit lies in the subtree; every
//! household's unit, door, members and colour; every person's household, state and markers and
//! active case; every overlay and cell with its units and `cell_tally()`; every case's person,
//! policy, category, anchor, start, settled date, link, status, day records and schedule
//! (release and last day); `agenda()` of yesterday, today, tomorrow and three days ahead, item
//! for item; every staff member's availability; every scheme's roster (holders per target, in
//! order) and every load; and `audit()` is empty. At the end of a sequence the log replays into
//! an equal registry.
//!
//! **Figures.** By default 64 sequences of 1 to 200 operations (200 operations become ≈220
//! commands, after the 52 of the setup; every one followed by the comparison above), about 5 s
//! in debug; `PROPTEST_CASES=2000 cargo test --all-features --test reference` runs 2,000 in
//! about 2 minutes. Failing sequences are shrunk by [`Sequence`] (chunks of operations dropped,
//! picks made smaller, and again) and kept in `proptest-regressions/reference.txt`; the failure
//! message lists the commands of the shrunk sequence after the setup, each with its outcome.
//! Faults planted in the registry (a tally off by one on a person's move, an agenda dropping
//! the missed checks of a case's first day, a colour rule ranking orange above red, a load
//! limit off by one) each failed within the default run and shrank to one, one, two and five
//! operations.
//!
//! The state machine is written by hand with proptest strategies rather than with
//! `proptest-state-machine`: each operation holds *picks* that are resolved against the
//! model when it runs (an index modulo the current count, or an id past the end), so every
//! subsequence of a sequence is itself a valid input and shrinking needs no preconditions; the
//! invalid commands are part of what is tested, not something to filter out; and no
//! dependency is added. This is the pattern of the crate's other property tests.

#[path = "support/proptest_config.rs"]
mod proptest_config;
#[path = "support/standing_model.rs"]
mod standing_model;
use standing_model::*;

use std::collections::BTreeMap;

#[path = "support/case_record.rs"]
mod case_record;
use case_record::MCase;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use proptest::prelude::*;
use wangge::colour::{Colour, ColourRule, HouseholdRule, Measure, PersonState, State, Tally};
use wangge::duty::{
    Assignment, Availability, Locality, Qualification as Q, Qualifications, Role, Scheme, Staff, Target,
    TargetSelector, UnitClass,
};
use wangge::grid::{CheckpointKind, CompoundKind, Level, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Marker, Markers, Name, PersonRecord, ResidentId};
use wangge::quarantine::{
    AfterRelease, AgendaItem, Anchor, CaseChange, CaseStatus, Category, DayCounting, EarlyRelease, Ending, Item, Link,
    LinkedRelease, Phase, Policy, Reason, Release, ReviewReason, Setting, Temperature, TestResult,
};
use wangge::registry::{Answer, Record, RequestId, RosterCause};
use wangge::{
    CaseId, CellId, Command, Error, Event, HouseholdId, OverlayId, PersonId, PolicyId, Registry, RegistryError,
    SchemeId, StaffId, UnitId,
};

/// Sequences run unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 64;

/// The longest sequence of random operations after the setup.
const MAX_OPS: usize = 200;

// ---------------------------------------------------------------------------------------------
// The rules, written out from the docs
// ---------------------------------------------------------------------------------------------

/// The measures, in declaration order.
const MEASURES: [Measure; 4] =
    [Measure::None, Measure::HealthManagement, Measure::HomeIsolation, Measure::CentralisedIsolation];

fn measure_ix(m: Measure) -> usize {
    MEASURES.iter().position(|&x| x == m).expect("every measure is listed")
}

const COLOURS: [Colour; 5] = [Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red];

/// A colour's position in `COLOURS`, which is also its severity: white < green < yellow <
/// orange < red.
fn severity(c: Colour) -> usize {
    COLOURS.iter().position(|&x| x == c).expect("every colour is listed")
}

use Colour::{Green as G, Orange as O, Red as R, White as W, Yellow as Y};

/// Colour rules by their tables of reasons, in [`STATES`] order. The first is seed 003's by
/// reason (the default of a registry founded in format 7: secondary contacts orange, red for
/// "确诊、疑似病例及密切接触者" only).
const RULES: [[Colour; 8]; 4] = [
    [G, W, Y, O, O, R, R, R],
    // Secondary contacts red (format 6's choice).
    [G, W, Y, O, R, R, R, R],
    // Well white, absent green: a household of well persons counts as empty.
    [W, G, Y, O, O, R, R, R],
    // Home isolation milder.
    [G, W, G, Y, O, R, R, R],
];

fn colour_rule(i: usize) -> ColourRule {
    ColourRule::new(STATES.iter().copied().zip(RULES[i]), HouseholdRule::MostSevere).expect("a full mapping")
}

/// The standing of someone of `category` in a phase of `setting` (`Category::standing_in`'s
/// docs): the category's reason under the setting's measure.
fn state_in(category: Category, setting: Setting) -> Naive {
    let reason = match category {
        Category::CloseContact => State::CloseContact,
        Category::SecondaryContact => State::SecondaryContact,
        Category::ArrivalFromElsewhere => State::HomeIsolationElsewhere,
        Category::ArrivalFromEpidemicArea | Category::Inbound | Category::RiskAreaTraveller => {
            State::HomeIsolationEpidemicArea
        }
    };
    let measure = match setting {
        Setting::CentralisedIsolation => Measure::CentralisedIsolation,
        Setting::HomeIsolation | Setting::HomeMedicalObservation => Measure::HomeIsolation,
        Setting::HomeHealthMonitoring => Measure::HealthManagement,
    };
    (reason, measure)
}

const CATEGORIES: [Category; 6] = [
    Category::CloseContact,
    Category::SecondaryContact,
    Category::ArrivalFromEpidemicArea,
    Category::ArrivalFromElsewhere,
    Category::Inbound,
    Category::RiskAreaTraveller,
];

fn plus(date: NaiveDate, days: i64) -> NaiveDate {
    date + TimeDelta::days(days)
}

/// A schedule as the docs of `Schedule` and the quarantine module count it: under
/// `AnchorIsDayZero` the anchor is day 0 and day `k` is `k` days after it; under
/// `AnchorIsDayOne` everything falls a day earlier. Phases follow each other from day 1; an
/// N-day phase covers N days; the release is the last day, or the day after.
#[derive(Debug, Clone)]
struct MSchedule {
    phases: Vec<(Setting, NaiveDate, NaiveDate)>,
    tests: Vec<NaiveDate>,
    first: NaiveDate,
    last: NaiveDate,
    release: NaiveDate,
    /// The obligations after release: the day after the last day, through the policy's day.
    monitoring: Option<(NaiveDate, NaiveDate)>,
}

impl MSchedule {
    /// The schedule a case follows, as `Case::schedule`, `Command::AdjustCase`,
    /// `Command::ChangePolicy`, `EarlyRelease` and `AfterRelease` document it: the policy's
    /// days, plus the days added or taken off since the case's policy last changed (refused
    /// below 1 or above 366); cut to the shorter period when a negative sample taken on its
    /// days `sample_from..=days` is recorded and it is shorter; phases cut from the end (the
    /// last one extended); release on the last day or the day after, never before the date of
    /// the latest change; obligations from the day after the last day through the policy's day.
    fn of_case(policy: &Policy, c: &MCase) -> Option<MSchedule> {
        let shift = i64::from(policy.counting() == DayCounting::AnchorIsDayOne);
        let day = |k: i64| plus(c.anchor, k - shift);
        let full: i64 = policy.phases().iter().map(|p| i64::from(p.days())).sum();
        let since_policy = c.changes.iter().rposition(|x| matches!(x, CaseChange::PolicyChanged { .. }));
        let adjustment: i64 = c.changes[since_policy.map_or(0, |i| i + 1)..]
            .iter()
            .map(|x| if let CaseChange::Adjusted { days, .. } = x { i64::from(*days) } else { 0 })
            .sum();
        let mut total = full + adjustment;
        if !(1..=366).contains(&total) {
            return None;
        }
        if let Some(e) = policy.early() {
            let (from, to) = (day(i64::from(e.sample_from())), day(i64::from(e.days())));
            let sampled = c.tests().iter().any(|&(d, t)| t == TestResult::Negative && from <= d && d <= to);
            if i64::from(e.days()) < total && sampled {
                total = i64::from(e.days());
            }
        }
        let (mut phases, mut tests, mut start) = (Vec::new(), Vec::new(), 1i64);
        for phase in policy.phases() {
            if start > total {
                break;
            }
            let end = (start + i64::from(phase.days()) - 1).min(total);
            phases.push((phase.setting(), day(start), day(end)));
            tests.extend(phase.test_days().iter().map(|&t| start + i64::from(t) - 1).filter(|&k| k <= end).map(day));
            start = end + 1;
        }
        if let Some(last) = phases.last_mut() {
            last.2 = day(total);
        }
        let last = day(total);
        let mut release = if policy.release() == Release::OnLastDay { last } else { day(total + 1) };
        if let Some(latest) = c.changes.last() {
            release = release.max(latest.on());
        }
        let monitoring = policy
            .after_release()
            .map(|a| (day(total + 1), day(i64::from(a.last_day()))))
            .filter(|(from, until)| from <= until);
        Some(MSchedule { phases, tests, first: day(1), last, release, monitoring })
    }

    fn of(policy: &Policy, anchor: NaiveDate) -> MSchedule {
        let shift = i64::from(policy.counting() == DayCounting::AnchorIsDayOne);
        let day = |k: i64| plus(anchor, k - shift);
        let (mut phases, mut tests, mut start) = (Vec::new(), Vec::new(), 1i64);
        for phase in policy.phases() {
            let end = start + i64::from(phase.days()) - 1;
            phases.push((phase.setting(), day(start), day(end)));
            tests.extend(phase.test_days().iter().map(|&t| day(start + i64::from(t) - 1)));
            start = end + 1;
        }
        let last = day(start - 1);
        let release = if policy.release() == Release::OnLastDay { last } else { day(start) };
        MSchedule { phases, tests, first: day(1), last, release, monitoring: None }
    }

    fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }

    /// The state of `category` on `date`: the phase's it falls in; before the first, the
    /// first's; after the last, the last's.
    fn state_on(&self, category: Category, date: NaiveDate) -> Naive {
        let phase = self.phases.iter().find(|p| p.1 <= date && date <= p.2).unwrap_or(if date < self.first {
            &self.phases[0]
        } else {
            &self.phases[self.phases.len() - 1]
        });
        state_in(category, phase.0)
    }

    /// The first date after `after` on which the state changes.
    fn next_change(&self, category: Category, after: NaiveDate) -> Option<NaiveDate> {
        let now = self.state_on(category, after);
        self.phases.iter().find(|p| p.1 > after && state_in(category, p.0) != now).map(|p| p.1)
    }
}

/// The agenda's order of kinds.
fn rank(item: &Item) -> u8 {
    match item {
        Item::Released => 0,
        Item::Escalated { .. } => 1,
        Item::Review { .. } => 2,
        Item::ReleaseDue { .. } => 3,
        Item::TestDue => 4,
        Item::MissedChecks { .. } => 5,
        Item::Monitoring { .. } => 6,
    }
}

fn class_of(kind: UnitKind) -> UnitClass {
    match kind {
        UnitKind::Area => UnitClass::Area,
        UnitKind::Compound(_) => UnitClass::Compound,
        UnitKind::Building => UnitClass::Building,
        UnitKind::Entrance(_) => UnitClass::Entrance,
        UnitKind::Road => UnitClass::Road,
        UnitKind::Workplace => UnitClass::Workplace,
    }
}

/// Whether units of `kind` hold child units and households: areas, compounds, buildings.
fn holds_residents(kind: UnitKind) -> bool {
    matches!(kind, UnitKind::Area | UnitKind::Compound(_) | UnitKind::Building)
}

fn bad_name(name: &str) -> bool {
    name.trim().is_empty() || name.chars().count() > wangge::grid::MAX_NAME_CHARS || name.chars().any(char::is_control)
}

/// The kind of an error, as its `Debug` names it: `Grid(UnknownUnit`, `Duty(Roster(Ineligible`.
fn kind(e: &Error) -> String {
    let text = format!("{e:?}");
    let head: String = text.chars().take_while(|&c| c != ' ' && c != '{').collect();
    head.trim_end_matches(')').to_owned()
}

// The error kinds the model predicts.
const UNKNOWN_UNIT: &str = "Grid(UnknownUnit";
const UNIT_CLOSED: &str = "Grid(UnitClosed";
const NOT_A_CONTAINER: &str = "Grid(NotAContainer";
const UNKNOWN_LEVEL: &str = "Grid(UnknownLevel";
const NO_NEST: &str = "Grid(LevelDoesNotNest";
const DUPLICATE_CODE: &str = "Grid(DuplicateCode";
const ROOT_FIXED: &str = "Grid(RootIsFixed";
const OWN_SUBTREE: &str = "Grid(MoveIntoOwnSubtree";
const OPEN_CHILDREN: &str = "Grid(HasOpenChildren";
const INVALID_NAME: &str = "Grid(InvalidName";
const UNKNOWN_OVERLAY: &str = "Grid(UnknownOverlay";
const UNKNOWN_CELL: &str = "Grid(UnknownCell";
const DUPLICATE_OVERLAY: &str = "Grid(DuplicateOverlay";
const EMPTY_CELL: &str = "Grid(EmptyCell";
const CELL_OVERLAP: &str = "Grid(CellOverlap";
const UNKNOWN_HOUSEHOLD: &str = "People(UnknownHousehold";
const UNKNOWN_PERSON: &str = "People(UnknownPerson";
const DUPLICATE_RESIDENT: &str = "People(DuplicateResidentId";
const DUPLICATE_DOOR: &str = "People(DuplicateDoor";
const ILLEGAL: &str = "Colour(IllegalTransition";
const UNCHANGED: &str = "Colour(Unchanged";
const BEFORE_CURRENT: &str = "Colour(BeforeCurrent";
const UNKNOWN_POLICY: &str = "Case(UnknownPolicy";
const UNKNOWN_CASE: &str = "Case(UnknownCase";
const POLICY_TAKEN: &str = "Case(PolicyNameTaken";
const UNDER_CASE: &str = "Case(UnderCase";
const NO_ACTIVE_CASE: &str = "Case(NoActiveCase";
const ENDED: &str = "Case(Ended";
const ANCHOR_AFTER: &str = "Case(AnchorAfterStart";
const PERIOD_OVER: &str = "Case(PeriodOver";
const NOT_LATER: &str = "Case(RestartNotLater";
const BACK_DATED: &str = "Case(BackDated";
const BEFORE_ANCHOR: &str = "Case(BeforeAnchor";
const TEST_TWICE: &str = "Case(TestAlreadyRecorded";
const TOO_EARLY: &str = "Case(TooEarly";
const NOT_RELEASABLE: &str = "Case(NotReleasable";
const INVALID_LINK: &str = "Case(InvalidLink";
const LINK_UNSTATED: &str = "Case(LinkUnstated";
const HOUSEHOLDS_REMAIN: &str = "Registry(HouseholdsRemain";
const TRANSFER_INSIDE: &str = "Registry(TransferInside";
const UNKNOWN_SCHEME: &str = "Duty(UnknownScheme";
const UNKNOWN_STAFF: &str = "Duty(UnknownStaff";
const SCHEME_TAKEN: &str = "Duty(SchemeNameTaken";
const NOT_HELD: &str = "Duty(NotHeld";
const REVERSED: &str = "Duty(AvailabilityReversed";
const NOT_SELECTED: &str = "Duty(Roster(NotSelected";
const ROLE_NOT_FOR: &str = "Duty(Roster(RoleNotForTarget";
const ROSTER_UNKNOWN_STAFF: &str = "Duty(Roster(UnknownStaff";
const DUPLICATE: &str = "Duty(Roster(Duplicate";
const INELIGIBLE: &str = "Duty(Roster(Ineligible";
const UNAVAILABLE: &str = "Duty(Roster(Unavailable";
const LOCALITY: &str = "Duty(Roster(LocalityBreach";
const OVERFILLED: &str = "Duty(Roster(Overfilled";
const OVERLOAD: &str = "Duty(Roster(OverLoad";
const NO_DAY: &str = "Registry(NoBusinessDate";
const NOT_FORWARD: &str = "Registry(DayNotForward";
const AFTER_DAY: &str = "Registry(AfterBusinessDate";
const NOT_TODAY: &str = "Registry(NotBusinessDate";
const ZERO_ADJUSTMENT: &str = "Case(ZeroAdjustment";
const INVALID_LENGTH: &str = "Quarantine(InvalidLength";
const SAME_POLICY: &str = "Case(SamePolicy";
const ANCHOR_MISMATCH: &str = "Case(AnchorMismatch";
const NO_CASES_UNDER: &str = "Case(NoCasesUnder";

/// Why the model refuses a command: every rule it breaks.
type Refusal = Vec<&'static str>;

fn refuse_if(why: Refusal) -> Result<(), Refusal> {
    if why.is_empty() { Ok(()) } else { Err(why) }
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct MUnit {
    name: String,
    parent: Option<usize>,
    level: usize,
    kind: UnitKind,
    code: Option<String>,
    closed: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct MHousehold {
    unit: usize,
    door: String,
}

#[derive(Debug, Clone)]
struct MPerson {
    household: usize,
    state: Naive,
    since: NaiveDate,
    markers: Markers,
    resident: Option<ResidentId>,
}

#[derive(Debug, Clone)]
struct MCell {
    overlay: usize,
    units: Vec<usize>,
}

/// A change of a person's state: the new state and the date it begins; `None` when they are in
/// it already.
type Change = Option<(Naive, NaiveDate)>;

/// The registry as the docs say it must be, in plain vectors.
#[derive(Debug, Clone)]
struct Model {
    /// Per level of the scheme, whether it is optional.
    optional: Vec<bool>,
    units: Vec<MUnit>,
    /// Each overlay's name.
    overlays: Vec<String>,
    cells: Vec<MCell>,
    households: Vec<MHousehold>,
    persons: Vec<MPerson>,
    /// The colour rule in force: a colour per state, in [`STATES`] order.
    rule: [Colour; 8],
    policies: Vec<Policy>,
    cases: Vec<MCase>,
    staff: Vec<Staff>,
    schemes: Vec<Scheme>,
    /// Per scheme, every assignment in the order it was made.
    rosters: Vec<Vec<Assignment>>,
    /// The business date: the date of the last day opened, `None` before the first.
    day: Option<NaiveDate>,
}

/// What the households look like now: each one's members and colour, and the counts it adds to
/// a tally.
struct Census {
    members: Vec<Vec<usize>>,
    colours: Vec<Colour>,
    tallies: Vec<Vec<u64>>,
}

/// The counts of a tally in one fixed order: households per colour, persons per colour,
/// persons per state, persons per measure, marked persons per marker and colour.
const TALLY_LEN: usize = 5 + 5 + 8 + 4 + 7 * 5;

fn tally_counts(t: &Tally) -> Vec<u64> {
    let mut out = Vec::with_capacity(TALLY_LEN);
    out.extend(COLOURS.iter().map(|&c| t.households(c)));
    out.extend(COLOURS.iter().map(|&c| t.persons(c)));
    out.extend(STATES.iter().map(|&s| t.in_state(s)));
    out.extend(MEASURES.iter().map(|&m| t.under(m)));
    for m in Marker::ALL {
        out.extend(COLOURS.iter().map(|&c| t.marked(m, c)));
    }
    out
}

impl Model {
    fn new(optional: Vec<bool>, root: &str) -> Model {
        Model {
            optional,
            units: vec![MUnit {
                name: root.to_owned(),
                parent: None,
                level: 0,
                kind: UnitKind::Area,
                code: None,
                closed: None,
            }],
            overlays: Vec::new(),
            cells: Vec::new(),
            households: Vec::new(),
            persons: Vec::new(),
            rule: RULES[0],
            policies: Vec::new(),
            cases: Vec::new(),
            staff: Vec::new(),
            schemes: Vec::new(),
            rosters: Vec::new(),
            day: None,
        }
    }

    /// Why `command` is refused for its date, from the table of `registry/days.rs`'s docs:
    /// `OpenDay` only forward; a case starts and restarts on the business date; nothing is
    /// recorded after it; a case's records wait for the first day, the rest does not.
    fn date_refusal(&self, command: &Command) -> Option<&'static str> {
        let (date, today_only, waits) = match command {
            Command::OpenDay { today } => return self.day.is_some_and(|d| *today <= d).then_some(NOT_FORWARD),
            Command::StartCase { on, .. } | Command::Exposed { on, .. } => (*on, true, true),
            Command::RecordCheck { at, .. } => (at.date(), false, true),
            Command::AdjustCase { on, .. } | Command::ChangePolicy { on, .. } => (*on, true, true),
            Command::RecordTest { on, .. } | Command::Release { on, .. } => (*on, false, true),
            Command::RegisterPerson { state, .. } => (state.since(), false, false),
            Command::CloseUnit { on, .. }
            | Command::MovePerson { on, .. }
            | Command::SetState { on, .. }
            | Command::SetColourRule { on, .. }
            | Command::Assign { on, .. }
            | Command::Unassign { on, .. }
            | Command::Solve { on, .. }
            | Command::Replace { on, .. } => (*on, false, false),
            _ => return None,
        };
        match self.day {
            None => waits.then_some(NO_DAY),
            Some(d) if today_only => (date != d).then_some(NOT_TODAY),
            Some(d) => (date > d).then_some(AFTER_DAY),
        }
    }

    // --- the tree -----------------------------------------------------------------------------

    fn unit(&self, id: UnitId) -> Option<&MUnit> {
        self.units.get(id.index())
    }

    /// `unit` and its ancestors, nearest first.
    fn chain(&self, unit: usize) -> Vec<usize> {
        let mut out = vec![unit];
        while let Some(p) = self.units[*out.last().expect("not empty")].parent {
            out.push(p);
        }
        out
    }

    fn within(&self, unit: usize, area: usize) -> bool {
        self.chain(unit).contains(&area)
    }

    /// A unit of level `child` may hang under one of level `parent`: deeper, skipping only
    /// optional levels.
    fn may_nest(&self, parent: usize, child: usize) -> bool {
        child > parent && child < self.optional.len() && self.optional[parent + 1..child].iter().all(|&o| o)
    }

    /// Why `unit` cannot take households (or child units) now.
    fn not_a_home(&self, unit: UnitId) -> Refusal {
        match self.unit(unit) {
            None => vec![UNKNOWN_UNIT],
            Some(u) => {
                let mut why = Vec::new();
                if u.closed.is_some() {
                    why.push(UNIT_CLOSED);
                }
                if !holds_residents(u.kind) {
                    why.push(NOT_A_CONTAINER);
                }
                why
            }
        }
    }

    fn households_at(&self, unit: usize) -> Vec<usize> {
        (0..self.households.len()).filter(|&h| self.households[h].unit == unit).collect()
    }

    fn door_taken(&self, unit: usize, door: &str, except: Option<usize>) -> bool {
        self.households_at(unit).into_iter().any(|h| Some(h) != except && self.households[h].door == door)
    }

    /// The units named by the cells of `overlay`.
    fn named(&self, overlay: usize) -> Vec<usize> {
        self.cells.iter().filter(|c| c.overlay == overlay).flat_map(|c| c.units.iter().copied()).collect()
    }

    /// Why `units` cannot join `overlay`: unknown, overlapping each other, or inside, around or
    /// equal to a unit the overlay names.
    fn cell_problems(&self, overlay: usize, units: &[UnitId], why: &mut Refusal) {
        if units.is_empty() {
            why.push(EMPTY_CELL);
        }
        let named = self.named(overlay);
        for (i, &u) in units.iter().enumerate() {
            if self.unit(u).is_none() {
                why.push(UNKNOWN_UNIT);
                continue;
            }
            let u = u.index();
            let earlier = units[..i].iter().filter(|v| self.unit(**v).is_some()).map(|v| v.index());
            let overlaps = earlier.clone().any(|v| self.within(u, v) || self.within(v, u))
                || named.iter().any(|&a| self.within(u, a) || self.within(a, u));
            if overlaps {
                why.push(CELL_OVERLAP);
            }
        }
    }

    // --- colours and tallies ------------------------------------------------------------------

    fn colour_of(&self, s: Naive) -> Colour {
        self.rule[state_ix(s.0)]
    }

    fn members(&self, household: usize) -> Vec<usize> {
        (0..self.persons.len()).filter(|&p| self.persons[p].household == household).collect()
    }

    /// A household's colour: the most severe of its members' colours, white when it has none.
    fn classify(&self, states: impl IntoIterator<Item = Naive>) -> Colour {
        states.into_iter().map(|s| self.colour_of(s)).fold(W, |a, b| if severity(b) > severity(a) { b } else { a })
    }

    fn colour(&self, household: usize) -> Colour {
        self.classify(self.members(household).into_iter().map(|p| self.persons[p].state))
    }

    fn census(&self) -> Census {
        let mut members = vec![Vec::new(); self.households.len()];
        for (p, person) in self.persons.iter().enumerate() {
            members[person.household].push(p);
        }
        let colours: Vec<Colour> =
            members.iter().map(|m| self.classify(m.iter().map(|&p| self.persons[p].state))).collect();
        let tallies = (0..self.households.len())
            .map(|h| {
                let mut t = vec![0u64; TALLY_LEN];
                let c = severity(colours[h]);
                t[c] += 1;
                for &p in &members[h] {
                    let person = &self.persons[p];
                    t[5 + c] += 1;
                    t[10 + state_ix(person.state.0)] += 1;
                    t[18 + measure_ix(person.state.1)] += 1;
                    for (k, m) in Marker::ALL.into_iter().enumerate() {
                        if person.markers.contains(m) {
                            t[22 + k * 5 + c] += 1;
                        }
                    }
                }
                t
            })
            .collect();
        Census { members, colours, tallies }
    }

    /// The tally of the households `inside` accepts, by scanning them all.
    fn tally(census: &Census, inside: impl Fn(usize) -> bool) -> Vec<u64> {
        let mut out = vec![0u64; TALLY_LEN];
        for (h, t) in census.tallies.iter().enumerate() {
            if inside(h) {
                for (a, b) in out.iter_mut().zip(t) {
                    *a += b;
                }
            }
        }
        out
    }

    // --- cases --------------------------------------------------------------------------------

    fn schedule(&self, case: usize) -> MSchedule {
        let c = &self.cases[case];
        MSchedule::of_case(&self.policies[c.policy], c).expect("a case's adjustments are checked when made")
    }

    /// The schedule of `case` once it follows `policy` (a conversion, a reopening): its
    /// changes kept.
    fn converted(&self, case: usize, policy: usize) -> MSchedule {
        let mut c = self.cases[case].clone();
        c.policy = policy;
        MSchedule::of_case(&self.policies[policy], &c).expect("checked when made")
    }

    /// The released case of `person`, present and well under no active case, whose obligations
    /// after release cover `date` (the latest, if several do).
    fn monitored_case(&self, person: usize, date: NaiveDate) -> Option<usize> {
        // While the person is as the release left them: present and well, under no case.
        if self.active_case(person).is_some() || self.persons[person].state != (State::Well, Measure::None) {
            return None;
        }
        (0..self.cases.len()).rev().find(|&i| {
            let c = &self.cases[i];
            c.person == person
                && matches!(c.status, CaseStatus::Released { .. })
                && self.schedule(i).monitoring.is_some_and(|(from, until)| from <= date && date <= until)
        })
    }

    fn active_case(&self, person: usize) -> Option<usize> {
        self.cases.iter().position(|c| c.person == person && c.active())
    }

    /// The change of `person` into `to` on `date`. Unless `strict` (a host's date), a date
    /// before their state began is moved up to it (the rules' own dates).
    fn change(&self, person: usize, to: Naive, date: NaiveDate, strict: bool) -> Result<Change, Refusal> {
        let p = &self.persons[person];
        if p.state == to {
            return Ok(None);
        }
        let date = if strict { date } else { date.max(p.since) };
        let mut why = Vec::new();
        if !allowed(p.state, to) {
            why.push(ILLEGAL);
        }
        if date < p.since {
            why.push(BEFORE_CURRENT);
        }
        refuse_if(why).map(|()| Some((to, date)))
    }

    fn set_state(&mut self, person: usize, change: Change) {
        if let Some((state, since)) = change {
            self.persons[person].state = state;
            self.persons[person].since = since;
        }
    }

    /// What keeps `case` from being released (`Case::release_blockers`).
    fn blockers(&self, case: usize) -> Vec<ReviewReason> {
        let c = &self.cases[case];
        let policy = &self.policies[c.policy];
        let s = self.schedule(case);
        let mut out = Vec::new();
        if policy.ending() == Ending::AfterCleanLastCheck {
            let day = c.day(s.last);
            if day.checks == 0 {
                out.push(ReviewReason::NoLastDayCheck);
            }
            if day.symptoms {
                out.push(ReviewReason::SymptomsOnLastDay);
            }
            if s.tests.contains(&s.last) && day.test != Some(TestResult::Negative) {
                out.push(ReviewReason::NoLastDayTest);
            }
        }
        if let (Some(rule), Some(close)) = (policy.linked(), c.linked) {
            let wanted = usize::from(rule.first_tests());
            let tests = self.cases[close].tests();
            if tests.iter().take(wanted).filter(|(_, t)| *t == TestResult::Negative).count() < wanted {
                out.push(ReviewReason::LinkedTestsPending);
            }
        }
        out
    }

    /// The daily round of `today`: every open case whose next phase has begun by today enters
    /// the latest one, then every open case whose last day is over is released on its release
    /// date, or flagged today.
    fn round(&mut self, today: NaiveDate) -> Result<(), Refusal> {
        // Phases first, by the date of the change and then case: each enters the
        // latest phase begun by today ...
        let mut phases: Vec<(NaiveDate, usize)> = (0..self.cases.len())
            .filter(|&i| self.cases[i].status == CaseStatus::Open)
            .filter_map(|i| {
                let c = &self.cases[i];
                self.schedule(i).next_change(c.category, c.settled).map(|d| (d, i))
            })
            .filter(|&(d, _)| d <= today)
            .collect();
        phases.sort();
        for (_, i) in phases {
            let s = self.schedule(i);
            let first = s.phases.iter().rev().find(|p| p.1 <= today).expect("a change is due").1;
            let (person, category) = (self.cases[i].person, self.cases[i].category);
            let change = self.change(person, s.state_on(category, first), first, false)?;
            self.set_state(person, change);
            self.cases[i].settled = first;
        }
        // ... then every open case whose last day is over is released on its release
        // date or flagged today, by release date and then case.
        let mut releases: Vec<(NaiveDate, usize)> = (0..self.cases.len())
            .filter(|&i| self.cases[i].status == CaseStatus::Open)
            .map(|i| (self.schedule(i), i))
            .filter(|(s, _)| s.release <= today && s.last < today)
            .map(|(s, i)| (s.release, i))
            .collect();
        releases.sort();
        for (release, i) in releases {
            self.release_or_flag(i, release, today)?;
        }
        Ok(())
    }

    /// Release `case` on `on`, or flag it for review on `flag_on` when something is missing; a
    /// case under review that still lacks something is refused.
    fn release_or_flag(&mut self, case: usize, on: NaiveDate, flag_on: NaiveDate) -> Result<(), Refusal> {
        let reasons = self.blockers(case);
        if reasons.is_empty() {
            let person = self.cases[case].person;
            let change = self.change(person, (State::Well, Measure::None), on, false)?;
            self.set_state(person, change);
            self.cases[case].status = CaseStatus::Released { on };
            return Ok(());
        }
        if self.cases[case].status != CaseStatus::Open {
            return Err(vec![NOT_RELEASABLE]);
        }
        self.cases[case].status = CaseStatus::Review { since: flag_on, reasons };
        Ok(())
    }

    /// The agenda of `date`, by scanning every case.
    fn agenda(&self, date: NaiveDate) -> Vec<AgendaItem> {
        let mut items = Vec::new();
        for (i, c) in self.cases.iter().enumerate() {
            let s = self.schedule(i);
            let mut found = Vec::new();
            match c.status {
                CaseStatus::Released { on } => {
                    if on == date {
                        found.push(Item::Released);
                    }
                    if let Some((from, until)) = s.monitoring
                        && from <= date
                        && date <= until
                    {
                        found.push(Item::Monitoring { until });
                    }
                }
                CaseStatus::Escalated { on, to } if on == date => found.push(Item::Escalated { to }),
                CaseStatus::Review { since, .. } if since <= date => found.push(Item::Review { since }),
                CaseStatus::Open => {
                    if s.release <= date {
                        found.push(Item::ReleaseDue { release: s.release });
                    }
                    if date >= c.started && s.tests.contains(&date) {
                        found.push(Item::TestDue);
                    }
                    let yesterday = plus(date, -1);
                    let required = self.policies[c.policy].checks_per_day();
                    let recorded = c.day(yesterday).checks.min(255);
                    if s.contains(yesterday) && yesterday >= c.started && recorded < u32::from(required) {
                        found.push(Item::MissedChecks { required, recorded: recorded as u8 });
                    }
                }
                _ => {}
            }
            let household = self.persons[c.person].household;
            for item in found {
                items.push(AgendaItem {
                    case: CaseId::new(i as u32),
                    person: PersonId::new(c.person as u32),
                    household: HouseholdId::new(household as u32),
                    unit: UnitId::new(self.households[household].unit as u32),
                    item,
                });
            }
        }
        items.sort_by_key(|i| (rank(&i.item), i.case));
        items
    }

    // --- responsibility -----------------------------------------------------------------------

    /// Whether `selector` picks `target` now: an open unit at the level or of the kind, a cell
    /// of the overlay, a person in one of the states.
    fn selects(&self, selector: &TargetSelector, target: Target) -> bool {
        match (selector, target) {
            (TargetSelector::UnitsAtLevel(level), Target::Unit(u)) => {
                self.unit(u).is_some_and(|x| x.closed.is_none() && x.level == level.index())
            }
            (TargetSelector::UnitsOfKind(class), Target::Unit(u)) => {
                self.unit(u).is_some_and(|x| x.closed.is_none() && class_of(x.kind) == *class)
            }
            (TargetSelector::CellsOf(overlay), Target::Cell(c)) => {
                self.cells.get(c.index()).is_some_and(|x| x.overlay == overlay.index())
            }
            (TargetSelector::PersonsIn(states), Target::Person(p)) => {
                self.persons.get(p.index()).is_some_and(|x| states.contains(&x.state.0))
            }
            _ => false,
        }
    }

    fn selected(&self, scheme: &Scheme, target: Target) -> bool {
        scheme.rules().iter().any(|r| self.selects(r.targets(), target))
    }

    /// A target's unit: itself, the person's household's, the deepest unit holding all of the
    /// cell's.
    fn target_unit(&self, target: Target) -> Option<usize> {
        match target {
            Target::Unit(u) => self.unit(u).map(|_| u.index()),
            Target::Person(p) => self.persons.get(p.index()).map(|x| self.households[x.household].unit),
            Target::Cell(c) => {
                let units = &self.cells.get(c.index())?.units;
                let mut common = self.chain(*units.first()?);
                for &u in &units[1..] {
                    let other = self.chain(u);
                    common.retain(|x| other.contains(x));
                }
                common.first().copied()
            }
        }
    }

    fn eligible(member: &Staff, role: Role) -> bool {
        role.requires().iter().any(|q| member.qualifications().contains(q))
    }

    fn available(member: &Staff, date: NaiveDate) -> bool {
        member.available_from().is_none_or(|f| f <= date) && member.available_until().is_none_or(|u| date <= u)
    }

    fn local(&self, locality: Locality, home: UnitId, unit: usize) -> bool {
        if self.unit(home).is_none() {
            return false;
        }
        let home = home.index();
        match locality {
            Locality::Anywhere => true,
            Locality::WithinTarget => self.within(home, unit),
            Locality::HomeCovers => self.within(unit, home),
            Locality::SameAncestorAt(level) => {
                let at = |u: usize| self.chain(u).into_iter().find(|&a| self.units[a].level == level.index());
                at(home).is_some() && at(home) == at(unit)
            }
        }
    }

    /// Whether `a` is a valid holding under scheme `i` on `date`: the rule asking the role
    /// selects the target now, the staff member is known, eligible, available and local.
    fn valid(&self, i: usize, a: &Assignment, date: NaiveDate) -> bool {
        let scheme = &self.schemes[i];
        let Some((rule, slot)) = scheme.slot(a.role) else { return false };
        if !self.selects(scheme.rules()[rule].targets(), a.target) {
            return false;
        }
        let (Some(unit), Some(member)) = (self.target_unit(a.target), self.staff.get(a.staff.index())) else {
            return false;
        };
        Self::eligible(member, a.role)
            && Self::available(member, date)
            && self.local(slot.locality(), member.home(), unit)
    }

    /// The most `staff` may carry under scheme `i`: their own limit, or the scheme's if lower.
    fn limit(&self, i: usize, staff: StaffId) -> usize {
        let own = self.staff[staff.index()].load_limit();
        usize::from(self.schemes[i].load_limit().map_or(own, |cap| cap.min(own)))
    }

    fn load(&self, i: usize, staff: StaffId) -> usize {
        self.rosters[i].iter().filter(|a| a.staff == staff).count()
    }

    fn holders(&self, i: usize, target: Target, role: Role) -> usize {
        self.rosters[i].iter().filter(|a| a.target == target && a.role == role).count()
    }

    /// Every target there is, selected or not.
    fn all_targets(&self) -> Vec<Target> {
        let mut out: Vec<Target> = (0..self.units.len()).map(|u| Target::Unit(UnitId::new(u as u32))).collect();
        out.extend((0..self.cells.len()).map(|c| Target::Cell(CellId::new(c as u32))));
        out.extend((0..self.persons.len()).map(|p| Target::Person(PersonId::new(p as u32))));
        out
    }

    /// What is wrong with scheme `i`'s roster after a change: an overfilled slot, a load over a
    /// limit, a repeat.
    fn roster_problems(&self, i: usize) -> Vec<String> {
        let mut out = Vec::new();
        let roster = &self.rosters[i];
        for (k, a) in roster.iter().enumerate() {
            if roster[..k].contains(a) {
                out.push(format!("{a:?} held twice"));
            }
            if let Some((_, slot)) = self.schemes[i].slot(a.role)
                && self.holders(i, a.target, a.role) > usize::from(slot.count())
            {
                out.push(format!("{:?} {:?} overfilled", a.target, a.role));
            }
        }
        for s in 0..self.staff.len() {
            let s = StaffId::new(s as u32);
            if self.load(i, s) > self.limit(i, s) {
                out.push(format!("{s:?} over their limit"));
            }
        }
        out
    }

    /// The slots of scheme `i` a valid holder could still be added to on `on`: what a maximum
    /// solve leaves none of.
    fn fillable(&self, i: usize, on: NaiveDate) -> Vec<Assignment> {
        let spec = &self.schemes[i];
        let mut out = Vec::new();
        for target in self.all_targets() {
            for rule in spec.rules().iter().filter(|r| self.selects(r.targets(), target)) {
                for slot in rule.slots() {
                    if self.holders(i, target, slot.role()) >= usize::from(slot.count()) {
                        continue;
                    }
                    for s in 0..self.staff.len() {
                        let a = Assignment { target, role: slot.role(), staff: StaffId::new(s as u32) };
                        if !self.rosters[i].contains(&a)
                            && self.valid(i, &a, on)
                            && self.load(i, a.staff) < self.limit(i, a.staff)
                        {
                            out.push(a);
                        }
                    }
                }
            }
        }
        out
    }

    /// Apply a `Rostered` event of a `Solve` or `Replace` the model accepted, after checking it
    /// against the rules those commands document.
    fn apply_rostered(&mut self, event: &Event) -> Result<(), String> {
        let Event::Rostered { scheme, on, cause, removed, added } = event else {
            return Err(format!("not a roster event: {event:?}"));
        };
        let (i, on) = (scheme.index(), *on);
        for (k, a) in removed.iter().enumerate() {
            if !self.rosters[i].contains(a) || removed[..k].contains(a) {
                return Err(format!("removes {a:?}, not held (or twice)"));
            }
        }
        match cause {
            RosterCause::Solve | RosterCause::SolveBalanced => {
                // Every assignment with a problem of its own on `on` goes; every valid one stays.
                let invalid: Vec<Assignment> =
                    self.rosters[i].iter().filter(|a| !self.valid(i, a, on)).copied().collect();
                let mut gone = removed.clone();
                gone.sort_by_key(|a| (a.target, a.role, a.staff));
                let mut expected = invalid;
                expected.sort_by_key(|a| (a.target, a.role, a.staff));
                if gone != expected {
                    return Err(format!("a solve removes {gone:?}, the invalid ones are {expected:?}"));
                }
            }
            RosterCause::Replace { leaving } => {
                for a in self.rosters[i].iter().filter(|a| a.staff == *leaving) {
                    if !removed.contains(a) {
                        return Err(format!("the leaver keeps {a:?}"));
                    }
                }
                if let Some(a) = added.iter().find(|a| a.staff == *leaving) {
                    return Err(format!("the leaver takes {a:?}"));
                }
            }
            other => return Err(format!("unexpected cause {other:?}")),
        }
        self.rosters[i].retain(|a| !removed.contains(a));
        for a in added {
            if self.rosters[i].contains(a) {
                return Err(format!("adds {a:?}, held already"));
            }
            if !self.valid(i, a, on) {
                return Err(format!("adds {a:?}, not valid on {on}"));
            }
            self.rosters[i].push(*a);
        }
        let problems = self.roster_problems(i);
        if !problems.is_empty() {
            return Err(format!("the roster after it: {problems:?}"));
        }
        if matches!(cause, RosterCause::Solve | RosterCause::SolveBalanced) {
            let left = self.fillable(i, on);
            if !left.is_empty() {
                return Err(format!("a solve is not maximum: {left:?} could still be added"));
            }
        }
        Ok(())
    }

    // --- the commands -------------------------------------------------------------------------

    /// Apply `command` as the docs say, or say why it must be refused. `Solve` and `Replace`
    /// are only checked here; their roster change comes from [`Model::apply_rostered`].
    fn apply(&mut self, command: &Command) -> Result<(), Refusal> {
        let mut why: Refusal = Vec::new();
        // A command's own date is judged before anything else about it.
        if let Some(kind) = self.date_refusal(command) {
            return Err(vec![kind]);
        }
        // Where the consequences of a record land: the business date.
        let today = self.day.unwrap_or(start());
        match command {
            Command::AddUnit { parent, unit } => {
                if bad_name(unit.name()) {
                    why.push(INVALID_NAME);
                }
                why.extend(self.not_a_home(*parent));
                let level = unit.level().index().map_or(usize::MAX, |l| l.index());
                if level >= self.optional.len() {
                    why.push(UNKNOWN_LEVEL);
                } else if let Some(p) = self.unit(*parent)
                    && !self.may_nest(p.level, level)
                {
                    why.push(NO_NEST);
                }
                let code = unit.code().map(|c| c.as_str().to_owned());
                if code.is_some() && self.units.iter().any(|u| u.code == code) {
                    why.push(DUPLICATE_CODE);
                }
                refuse_if(why)?;
                self.units.push(MUnit {
                    name: unit.name().to_owned(),
                    parent: Some(parent.index()),
                    level,
                    kind: unit.kind(),
                    code,
                    closed: None,
                });
            }
            Command::MoveUnit { unit, new_parent } => {
                if unit.index() == 0 {
                    why.push(ROOT_FIXED);
                }
                let (Some(u), Some(p)) = (self.unit(*unit), self.unit(*new_parent)) else {
                    why.push(UNKNOWN_UNIT);
                    return Err(why);
                };
                if u.closed.is_some() {
                    why.push(UNIT_CLOSED);
                }
                why.extend(self.not_a_home(*new_parent));
                if self.within(new_parent.index(), unit.index()) {
                    why.push(OWN_SUBTREE);
                }
                if !self.may_nest(p.level, u.level) {
                    why.push(NO_NEST);
                }
                // No overlay may come to name a unit inside another it names.
                for o in 0..self.overlays.len() {
                    let named = self.named(o);
                    let above = self.chain(new_parent.index()).into_iter().any(|a| named.contains(&a));
                    if above && named.iter().any(|&n| self.within(n, unit.index())) {
                        why.push(CELL_OVERLAP);
                    }
                }
                refuse_if(why)?;
                self.units[unit.index()].parent = Some(new_parent.index());
            }
            Command::CloseUnit { unit, on, transfer_to } => {
                let Some(u) = self.unit(*unit) else { return Err(vec![UNKNOWN_UNIT]) };
                if unit.index() == 0 {
                    why.push(ROOT_FIXED);
                }
                if u.closed.is_some() {
                    why.push(UNIT_CLOSED);
                }
                if self.units.iter().any(|c| c.parent == Some(unit.index()) && c.closed.is_none()) {
                    why.push(OPEN_CHILDREN);
                }
                let held = self.households_at(unit.index());
                match transfer_to {
                    None if !held.is_empty() => why.push(HOUSEHOLDS_REMAIN),
                    None => {}
                    Some(t) => {
                        why.extend(self.not_a_home(*t));
                        if self.unit(*t).is_some() {
                            if self.within(t.index(), unit.index()) {
                                why.push(TRANSFER_INSIDE);
                            }
                            if held.iter().any(|&h| self.door_taken(t.index(), &self.households[h].door, Some(h))) {
                                why.push(DUPLICATE_DOOR);
                            }
                        }
                    }
                }
                refuse_if(why)?;
                self.units[unit.index()].closed = Some(*on);
                if let Some(t) = transfer_to {
                    for h in held {
                        self.households[h].unit = t.index();
                    }
                }
            }
            Command::CreateOverlay { name, .. } => {
                if bad_name(name) {
                    why.push(INVALID_NAME);
                }
                if self.overlays.contains(name) {
                    why.push(DUPLICATE_OVERLAY);
                }
                refuse_if(why)?;
                self.overlays.push(name.clone());
            }
            Command::AddCell { overlay, name, units } => {
                if bad_name(name) {
                    why.push(INVALID_NAME);
                }
                if overlay.index() >= self.overlays.len() {
                    why.push(UNKNOWN_OVERLAY);
                    return Err(why);
                }
                self.cell_problems(overlay.index(), units, &mut why);
                refuse_if(why)?;
                self.cells.push(MCell { overlay: overlay.index(), units: units.iter().map(|u| u.index()).collect() });
            }
            Command::ExtendCell { cell, units } => {
                let Some(c) = self.cells.get(cell.index()) else { return Err(vec![UNKNOWN_CELL]) };
                self.cell_problems(c.overlay, units, &mut why);
                refuse_if(why)?;
                self.cells[cell.index()].units.extend(units.iter().map(|u| u.index()));
            }
            Command::AddHousehold { unit, door } => {
                why.extend(self.not_a_home(*unit));
                if self.unit(*unit).is_some() && self.door_taken(unit.index(), door.as_str(), None) {
                    why.push(DUPLICATE_DOOR);
                }
                refuse_if(why)?;
                self.households.push(MHousehold { unit: unit.index(), door: door.as_str().to_owned() });
            }
            Command::MoveHousehold { household, to } => {
                let Some(h) = self.households.get(household.index()) else { return Err(vec![UNKNOWN_HOUSEHOLD]) };
                why.extend(self.not_a_home(*to));
                if self.unit(*to).is_some() && self.door_taken(to.index(), &h.door, Some(household.index())) {
                    why.push(DUPLICATE_DOOR);
                }
                refuse_if(why)?;
                self.households[household.index()].unit = to.index();
            }
            Command::RegisterPerson { household, record, state } => {
                if household.index() >= self.households.len() {
                    why.push(UNKNOWN_HOUSEHOLD);
                }
                let resident = record.resident_id();
                if resident.is_some() && self.persons.iter().any(|p| p.resident == resident) {
                    why.push(DUPLICATE_RESIDENT);
                }
                refuse_if(why)?;
                self.persons.push(MPerson {
                    household: household.index(),
                    state: (state.state(), state.measure()),
                    since: state.since(),
                    markers: record.markers(),
                    resident,
                });
            }
            Command::MovePerson { person, to, .. } => {
                if person.index() >= self.persons.len() {
                    why.push(UNKNOWN_PERSON);
                }
                if to.index() >= self.households.len() {
                    why.push(UNKNOWN_HOUSEHOLD);
                }
                refuse_if(why)?;
                self.persons[person.index()].household = to.index();
            }
            Command::SetMarkers { person, markers } => {
                let Some(p) = self.persons.get_mut(person.index()) else { return Err(vec![UNKNOWN_PERSON]) };
                p.markers = *markers;
            }
            Command::SetState { person, state, on } => {
                let p = person.index();
                let Some(was) = self.persons.get(p) else { return Err(vec![UNKNOWN_PERSON]) };
                if self.active_case(p).is_some() {
                    why.push(UNDER_CASE);
                }
                if was.state.0 == *state {
                    why.push(UNCHANGED);
                }
                let to = set_reason(was.state, *state);
                if let Err(e) = self.change(p, to, *on, true) {
                    why.extend(e);
                }
                refuse_if(why)?;
                self.set_state(p, Some((to, *on)));
            }
            Command::SetColourRule { rule, .. } => {
                let i = (0..RULES.len()).find(|&i| colour_rule(i) == *rule).expect("a rule of the table");
                self.rule = RULES[i];
            }
            Command::AdoptPolicy { policy } => {
                if self.policies.iter().any(|p| p.name() == policy.name()) {
                    return Err(vec![POLICY_TAKEN]);
                }
                self.policies.push(policy.clone());
            }
            Command::StartCase { person, policy, category, anchor, on, linked } => {
                let p = person.index();
                if p >= self.persons.len() {
                    return Err(vec![UNKNOWN_PERSON]);
                }
                if self.active_case(p).is_some() {
                    why.push(UNDER_CASE);
                }
                if anchor > on {
                    why.push(ANCHOR_AFTER);
                }
                let Some(rules) = self.policies.get(policy.index()) else {
                    why.push(UNKNOWN_POLICY);
                    return Err(why);
                };
                if linked.is_none() && *category == Category::SecondaryContact && rules.linked().is_some() {
                    why.push(LINK_UNSTATED);
                }
                if let Some(Link::Case(l)) = linked {
                    if *category != Category::SecondaryContact || rules.linked().is_none() {
                        why.push(INVALID_LINK);
                    }
                    match self.cases.get(l.index()) {
                        None => why.push(UNKNOWN_CASE),
                        Some(close) => {
                            let positive = close.tests().iter().any(|(_, t)| *t == TestResult::Positive);
                            if close.category != Category::CloseContact || close.person == p || positive {
                                why.push(INVALID_LINK);
                            }
                        }
                    }
                }
                let s = MSchedule::of(rules, *anchor);
                if s.release < *on {
                    why.push(PERIOD_OVER);
                }
                let change = self.change(p, s.state_on(*category, *on), *on, true);
                if let Err(e) = &change {
                    why.extend(e);
                }
                refuse_if(why)?;
                self.set_state(p, change.expect("no refusal"));
                self.cases.push(MCase {
                    person: p,
                    policy: policy.index(),
                    category: *category,
                    anchor: *anchor,
                    started: *on,
                    settled: *on,
                    linked: linked.and_then(Link::case).map(|l| l.index()),
                    status: CaseStatus::Open,
                    days: Vec::new(),
                    changes: Vec::new(),
                });
            }
            Command::Exposed { person, anchor, on } => {
                let p = person.index();
                if p >= self.persons.len() {
                    return Err(vec![UNKNOWN_PERSON]);
                }
                let Some(id) = self.active_case(p) else { return Err(vec![NO_ACTIVE_CASE]) };
                let c = &self.cases[id];
                if *anchor <= c.anchor {
                    why.push(NOT_LATER);
                }
                if *on < c.settled {
                    why.push(BACK_DATED);
                }
                if anchor > on {
                    why.push(ANCHOR_AFTER);
                }
                // The case's own schedule from the new anchor, its changes kept.
                let mut moved = c.clone();
                moved.anchor = *anchor;
                let s = MSchedule::of_case(&self.policies[c.policy], &moved).expect("checked when made");
                if s.release < *on {
                    why.push(PERIOD_OVER);
                }
                let change = self.change(p, s.state_on(c.category, *on), *on, true);
                if let Err(e) = &change {
                    why.extend(e);
                }
                refuse_if(why)?;
                self.set_state(p, change.expect("no refusal"));
                let c = &mut self.cases[id];
                (c.anchor, c.settled, c.status) = (*anchor, *on, CaseStatus::Open);
            }
            Command::RecordCheck { person, at, temperature, symptoms } => {
                let p = person.index();
                if p >= self.persons.len() {
                    return Err(vec![UNKNOWN_PERSON]);
                }
                let date = at.date();
                let Some(id) = self.active_case(p).or_else(|| self.monitored_case(p, date)) else {
                    return Err(vec![NO_ACTIVE_CASE]);
                };
                if date < self.cases[id].anchor {
                    return Err(vec![BEFORE_ANCHOR]);
                }
                let fever = temperature.tenths() >= self.policies[self.cases[id].policy].fever().tenths();
                let change =
                    if fever { self.change(p, (State::Suspected, Measure::None), today, false)? } else { None };
                self.set_state(p, change);
                let day = self.cases[id].day_mut(date);
                day.checks += 1;
                day.symptoms |= *symptoms;
                if fever {
                    self.cases[id].status = CaseStatus::Escalated { on: today, to: State::Suspected };
                }
            }
            Command::RecordTest { person, on, result } => {
                let p = person.index();
                if p >= self.persons.len() {
                    return Err(vec![UNKNOWN_PERSON]);
                }
                let Some(id) = self.active_case(p) else { return Err(vec![NO_ACTIVE_CASE]) };
                if *on < self.cases[id].anchor {
                    why.push(BEFORE_ANCHOR);
                }
                if self.cases[id].day(*on).test.is_some() {
                    why.push(TEST_TWICE);
                }
                refuse_if(why)?;
                let positive = *result == TestResult::Positive;
                let change =
                    if positive { self.change(p, (State::Confirmed, Measure::None), today, false)? } else { None };
                self.set_state(p, change);
                self.cases[id].day_mut(*on).test = Some(*result);
                if positive {
                    self.cases[id].status = CaseStatus::Escalated { on: today, to: State::Confirmed };
                    // Every active secondary contact linked to this case becomes a close
                    // contact under its policy, from their own anchor, in case order.
                    let policy = self.cases[id].policy;
                    for s in 0..self.cases.len() {
                        let c = &self.cases[s];
                        if !(c.active() && c.linked == Some(id)) {
                            continue;
                        }
                        let settled = c.settled.max(today);
                        let state = self.converted(s, policy).state_on(Category::CloseContact, settled);
                        let person = c.person;
                        let change = self.change(person, state, today, false)?;
                        self.set_state(person, change);
                        let c = &mut self.cases[s];
                        (c.policy, c.category, c.linked, c.settled, c.status) =
                            (policy, Category::CloseContact, None, settled, CaseStatus::Open);
                    }
                    // Every released secondary contact linked to it, released on the first
                    // tests being negative, which they are not now, is reopened as a close
                    // contact's case under review, today: unless the person is under another
                    // case or the state table forbids their way back into isolation.
                    for s in 0..self.cases.len() {
                        let c = &self.cases[s];
                        if !(matches!(c.status, CaseStatus::Released { .. }) && c.linked == Some(id)) {
                            continue;
                        }
                        if self.active_case(c.person).is_some()
                            || !self.blockers(s).contains(&ReviewReason::LinkedTestsPending)
                        {
                            continue;
                        }
                        let state = self.converted(s, policy).state_on(Category::CloseContact, today);
                        let person = c.person;
                        let Ok(change) = self.change(person, state, today, false) else { continue };
                        self.set_state(person, change);
                        let c = &mut self.cases[s];
                        let reasons = vec![ReviewReason::ReleasedBeforeLinkedPositive];
                        (c.policy, c.category, c.linked, c.settled, c.status) = (
                            policy,
                            Category::CloseContact,
                            None,
                            c.settled.max(today),
                            CaseStatus::Review { since: today, reasons },
                        );
                    }
                }
            }
            Command::AdjustCase { case, days, reason, by, on } => {
                if *days == 0 {
                    why.push(ZERO_ADJUSTMENT);
                }
                if by.index() >= self.staff.len() {
                    why.push(UNKNOWN_STAFF);
                }
                let id = case.index();
                let Some(c) = self.cases.get(id) else {
                    why.push(UNKNOWN_CASE);
                    return Err(why);
                };
                if !c.active() {
                    why.push(ENDED);
                    return Err(why);
                }
                let previous_release = self.schedule(id).release;
                let change =
                    CaseChange::Adjusted { on: *on, days: *days, reason: reason.clone(), by: *by, previous_release };
                let mut next = c.clone();
                (next.settled, next.status) = (next.settled.max(*on), CaseStatus::Open);
                next.changes.push(change);
                let Some(s) = MSchedule::of_case(&self.policies[c.policy], &next) else {
                    why.push(INVALID_LENGTH);
                    return Err(why);
                };
                refuse_if(why)?;
                let state = self.change(c.person, s.state_on(c.category, next.settled), *on, false)?;
                self.set_state(c.person, state);
                self.cases[id] = next;
            }
            Command::ChangePolicy { from, to, on } => {
                let (f, t) = (from.index(), to.index());
                if f >= self.policies.len() || t >= self.policies.len() {
                    return Err(vec![UNKNOWN_POLICY]);
                }
                if f == t {
                    why.push(SAME_POLICY);
                }
                if self.policies[f].anchor() != self.policies[t].anchor() {
                    why.push(ANCHOR_MISMATCH);
                }
                let moving: Vec<usize> =
                    (0..self.cases.len()).filter(|&i| self.cases[i].active() && self.cases[i].policy == f).collect();
                if moving.is_empty() {
                    why.push(NO_CASES_UNDER);
                }
                refuse_if(why)?;
                for i in moving {
                    let previous_release = self.schedule(i).release;
                    let c = &mut self.cases[i];
                    c.changes.push(CaseChange::PolicyChanged { on: *on, from: *from, to: *to, previous_release });
                    (c.policy, c.settled, c.status) = (t, c.settled.max(*on), CaseStatus::Open);
                    if self.policies[t].linked().is_none() {
                        c.linked = None;
                    }
                    let (person, category, settled) = (c.person, c.category, c.settled);
                    let s = self.schedule(i);
                    let change = self.change(person, s.state_on(category, settled), *on, false)?;
                    self.set_state(person, change);
                }
            }
            Command::Release { case, on } => {
                let id = case.index();
                let Some(c) = self.cases.get(id) else { return Err(vec![UNKNOWN_CASE]) };
                if !c.active() {
                    why.push(ENDED);
                }
                if *on < self.schedule(id).release {
                    why.push(TOO_EARLY);
                }
                // A blocked release is refused, open or under review: flags are the round's.
                if c.active() && !self.blockers(id).is_empty() {
                    why.push(NOT_RELEASABLE);
                }
                refuse_if(why)?;
                self.release_or_flag(id, *on, *on)?;
            }
            Command::OpenDay { today: opened } => {
                // The day opens, then every day from the one after the last opened (only the
                // new one when none was) is run, in order.
                let first = self.day.map_or(*opened, |d| plus(d, 1));
                self.day = Some(*opened);
                let mut today = first;
                while today <= *opened {
                    self.round(today)?;
                    today = plus(today, 1);
                }
            }
            Command::AddStaff { staff } => {
                if self.unit(staff.home()).is_none() {
                    return Err(vec![UNKNOWN_UNIT]);
                }
                self.staff.push(staff.clone());
            }
            Command::SetAvailability { staff, availability } => {
                let (from, until) = availability.bounds();
                if staff.index() >= self.staff.len() {
                    why.push(UNKNOWN_STAFF);
                }
                if let (Some(f), Some(u)) = (from, until)
                    && u < f
                {
                    why.push(REVERSED);
                }
                refuse_if(why)?;
                let member = &mut self.staff[staff.index()];
                *member = member.clone().available(from, until).expect("ordered");
            }
            Command::AdoptScheme { scheme } => {
                if self.schemes.iter().any(|s| s.name() == scheme.name()) {
                    return Err(vec![SCHEME_TAKEN]);
                }
                self.schemes.push(scheme.clone());
                self.rosters.push(Vec::new());
            }
            Command::Assign { scheme, target, role, staff, on } => {
                let i = scheme.index();
                let Some(spec) = self.schemes.get(i) else { return Err(vec![UNKNOWN_SCHEME]) };
                let a = Assignment { target: *target, role: *role, staff: *staff };
                let Some(unit) = self.target_unit(*target) else {
                    return Err(vec![match target {
                        Target::Unit(_) => UNKNOWN_UNIT,
                        Target::Cell(_) => UNKNOWN_CELL,
                        Target::Person(_) => UNKNOWN_PERSON,
                    }]);
                };
                if !self.selected(spec, *target) {
                    why.push(NOT_SELECTED);
                }
                let slot = spec.slot(*role).filter(|(r, _)| self.selects(spec.rules()[*r].targets(), *target));
                if slot.is_none() {
                    why.push(ROLE_NOT_FOR);
                }
                match self.staff.get(staff.index()) {
                    None => why.push(ROSTER_UNKNOWN_STAFF),
                    Some(member) => {
                        if !Self::eligible(member, *role) {
                            why.push(INELIGIBLE);
                        }
                        if !Self::available(member, *on) {
                            why.push(UNAVAILABLE);
                        }
                        if let Some((_, slot)) = slot
                            && !self.local(slot.locality(), member.home(), unit)
                        {
                            why.push(LOCALITY);
                        }
                        if self.load(i, *staff) + 1 > self.limit(i, *staff) {
                            why.push(OVERLOAD);
                        }
                    }
                }
                if self.rosters[i].contains(&a) {
                    why.push(DUPLICATE);
                }
                if let Some((_, slot)) = slot
                    && self.holders(i, *target, *role) + 1 > usize::from(slot.count())
                {
                    why.push(OVERFILLED);
                }
                refuse_if(why)?;
                self.rosters[i].push(a);
            }
            Command::Unassign { scheme, target, role, staff, .. } => {
                let Some(roster) = self.rosters.get_mut(scheme.index()) else { return Err(vec![UNKNOWN_SCHEME]) };
                let a = Assignment { target: *target, role: *role, staff: *staff };
                if !roster.contains(&a) {
                    return Err(vec![NOT_HELD]);
                }
                roster.retain(|x| *x != a);
            }
            Command::Solve { scheme, .. } => {
                if scheme.index() >= self.schemes.len() {
                    return Err(vec![UNKNOWN_SCHEME]);
                }
            }
            Command::Replace { scheme, leaving, .. } => {
                if leaving.index() >= self.staff.len() {
                    why.push(UNKNOWN_STAFF);
                }
                if scheme.index() >= self.schemes.len() {
                    why.push(UNKNOWN_SCHEME);
                }
                refuse_if(why)?;
            }
            other => panic!("not a command the model knows: {other:?}"),
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The fixtures: level schemes, policies, schemes, identity numbers
// ---------------------------------------------------------------------------------------------

/// A level scheme, its optional levels (as its docs list them) and the levels of a community,
/// a courtyard and a building in it.
struct Levels {
    scheme: LevelScheme,
    optional: Vec<bool>,
    community: usize,
}

impl Levels {
    fn of(shanghai: bool) -> Levels {
        if shanghai {
            // 街道党工委 > (住宅党组织, optional) > 居委会 > 住宅小区 > 建筑小组.
            Levels { scheme: LevelScheme::shanghai(), optional: vec![false, true, false, false, false], community: 2 }
        } else {
            // 街道 > 社区 > 楼院 > 楼组.
            Levels { scheme: LevelScheme::zhengzhou(), optional: vec![false; 4], community: 1 }
        }
    }

    fn level(&self, k: usize) -> Level {
        Level::new(k as u8)
    }
}

/// The policies drawn from; the first four are adopted by the setup. Short periods, so that
/// cases run their course within a sequence.
fn policies() -> Vec<Policy> {
    let b = Policy::builder;
    vec![
        b("home_4", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 4).with_tests([4])])
            .checks_per_day(2)
            .after_release(AfterRelease::through(10))
            .build(),
        b(
            "central_3_home_2",
            Anchor::LastExposure,
            vec![
                Phase::new(Setting::CentralisedIsolation, 3).with_tests([1, 3]),
                Phase::new(Setting::HomeHealthMonitoring, 2).with_tests([2]),
            ],
        )
        .checks_per_day(1)
        .build(),
        b("secondary_3", Anchor::LastExposure, vec![Phase::new(Setting::HomeMedicalObservation, 3).with_tests([3])])
            .checks_per_day(1)
            .linked(LinkedRelease::CN_SECONDARY_CONTACT)
            .build(),
        b("day_one_after", Anchor::Arrival, vec![Phase::new(Setting::HomeIsolation, 3)])
            .counting(DayCounting::AnchorIsDayOne)
            .checks_per_day(0)
            .release(Release::DayAfter)
            .ending(Ending::Automatic)
            .build(),
        // The US CDC's December 2020 rule, shrunk: 6 days, or 4 with a negative sample taken
        // on day 3 or 4; monitoring through day 12.
        b("early_or_full", Anchor::LastExposure, vec![Phase::new(Setting::HomeIsolation, 6)])
            .checks_per_day(1)
            .fever(Temperature::FEVER_38)
            .release(Release::DayAfter)
            .ending(Ending::Automatic)
            .early(EarlyRelease::new(4, 3))
            .after_release(AfterRelease::through(12))
            .build(),
        b(
            "back_and_forth",
            Anchor::LastExposure,
            vec![
                Phase::new(Setting::CentralisedIsolation, 2).with_tests([1]),
                Phase::new(Setting::HomeIsolation, 1),
                Phase::new(Setting::CentralisedIsolation, 2).with_tests([2]),
            ],
        )
        .checks_per_day(1)
        .fever(Temperature::FEVER_38)
        .build(),
        Ok(Policy::cn_ed9_close_contact()),
    ]
    .into_iter()
    .map(|p| p.expect("a valid policy"))
    .collect()
}

/// The responsibility schemes drawn from: 六包一, 2+3, 三长联动, 包干 over an overlay, and one
/// of the host's own (two party members for each contact, anywhere, at most one each).
fn scheme(levels: &Levels, which: u8, overlay: OverlayId) -> Scheme {
    let lv = |k| levels.level(k);
    match which % 5 {
        0 => Scheme::six_cover_one(lv(levels.community), lv(0), None).expect("a valid preset"),
        1 => Scheme::two_plus_three(),
        2 => Scheme::three_heads(lv(levels.community), lv(0)).expect("a valid preset"),
        3 => Scheme::zone_leaders(overlay),
        _ => Scheme::builder(
            "contact_watch",
            vec![wangge::duty::Rule::new(
                TargetSelector::PersonsIn(vec![State::CloseContact, State::SecondaryContact]),
                vec![wangge::duty::Slot::new(Role::PartyMember, 2, Locality::Anywhere)],
            )],
        )
        .load_limit(Some(1))
        .build()
        .expect("a valid scheme"),
    }
}

/// Forty resident identity numbers, so that the same one is drawn twice now and then.
fn residents() -> Vec<ResidentId> {
    (0..40u16)
        .map(|i| {
            let born = NaiveDate::from_ymd_opt(1940 + i32::from(i), 1 + u32::from(i % 12), 1 + u32::from(i % 28))
                .expect("a real date");
            ResidentId::from_parts(410_105, born, 10 + i * 7).expect("valid parts")
        })
        .collect()
}

fn markers(bits: u8) -> Markers {
    Marker::ALL.into_iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, m)| m).collect()
}

const QUALS: [Q; 12] = [
    Q::DistrictLeader,
    Q::DepartmentLeader,
    Q::DistrictDepartment,
    Q::SectionCadre,
    Q::PartySecretary,
    Q::PartyMember,
    Q::GridWorker,
    Q::HealthWorker,
    Q::Medical,
    Q::Police,
    Q::PoliceAuxiliary,
    Q::Volunteer,
];

const DOORS: [&str; 6] = ["1-101", "1-102", "2-201", "门卫室", "3-301", "平房"];

const KINDS: [UnitKind; 8] = [
    UnitKind::Area,
    UnitKind::Compound(CompoundKind::PropertyManagedClosed),
    UnitKind::Compound(CompoundKind::Open),
    UnitKind::Building,
    UnitKind::Building,
    UnitKind::Entrance(None),
    UnitKind::Entrance(Some(CheckpointKind::PublicPlace)),
    UnitKind::Road,
];

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 2, 1).expect("a real date")
}

// ---------------------------------------------------------------------------------------------
// The world: the registry, its log and the model, stepped together
// ---------------------------------------------------------------------------------------------

struct World {
    reg: Registry,
    log: Vec<Event>,
    /// The log as records, one per accepted command.
    records: Vec<Record>,
    model: Model,
    levels: Levels,
    residents: Vec<ResidentId>,
    today: NaiveDate,
    /// Each command of the random part with its outcome, for the failure message.
    trace: Vec<String>,
    /// Whether the setup is over (commands are traced from then on).
    tracing: bool,
    steps: usize,
    /// Per command variant, how many were accepted and refused; per event variant and per
    /// error kind, how many.
    outcomes: BTreeMap<String, (usize, usize)>,
}

/// The name of a value's variant, as its `Debug` begins.
fn variant(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}").chars().take_while(|c| c.is_alphanumeric()).collect()
}

impl World {
    fn new(shanghai: bool) -> World {
        let levels = Levels::of(shanghai);
        let root = "花园路街道";
        let reg =
            Registry::new(levels.scheme.clone(), NewUnit::new(root, levels.level(0), UnitKind::Area)).expect("a root");
        let log = vec![reg.founding_event()];
        let records = vec![reg.founding_record()];
        let model = Model::new(levels.optional.clone(), root);
        let mut world = World {
            reg,
            log,
            records,
            model,
            levels,
            residents: residents(),
            today: start(),
            trace: Vec::new(),
            tracing: false,
            steps: 0,
            outcomes: BTreeMap::new(),
        };
        world.check();
        world.setup();
        world.tracing = true;
        world
    }

    /// A small sub-district, built by commands that each go through [`World::step`].
    fn setup(&mut self) {
        let c = self.levels.community;
        let (yard, building) = (c + 1, c + 2);
        let lv = |k: usize| Level::new(k as u8);
        let unit = |parent: u32, name: &str, level: usize, kind: UnitKind| Command::AddUnit {
            parent: UnitId::new(parent),
            unit: NewUnit::new(name, lv(level), kind),
        };
        let mut commands = vec![
            unit(0, "农科路社区", c, UnitKind::Area), // 1
            unit(0, "丰产路社区", c, UnitKind::Area), // 2
            unit(1, "3号院", yard, UnitKind::Compound(CompoundKind::PropertyManagedClosed)), // 3
            unit(1, "5号院", yard, UnitKind::Compound(CompoundKind::Open)), // 4
            unit(2, "7号院", yard, UnitKind::Compound(CompoundKind::WorkUnit)), // 5
            unit(2, "丰产路", yard, UnitKind::Road),  // 6
            unit(3, "1号楼", building, UnitKind::Building), // 7
            unit(3, "2号楼", building, UnitKind::Building), // 8
            unit(3, "东门", building, UnitKind::Entrance(None)), // 9
            unit(5, "3号楼", building, UnitKind::Building), // 10
            unit(5, "北门", building, UnitKind::Entrance(Some(CheckpointKind::WorkUnitCourtyard))), // 11
        ];
        for (u, door) in [(7, "1-101"), (7, "1-102"), (8, "2-201"), (4, "门卫室"), (10, "3-301"), (5, "平房")] {
            commands.push(Command::AddHousehold { unit: UnitId::new(u), door: DoorLabel::new(door).expect("a door") });
        }
        for (p, h) in [0u32, 0, 1, 2, 2, 3, 4, 4, 5, 5].into_iter().enumerate() {
            let record = PersonRecord::new()
                .with_resident_id(self.residents[p])
                .with_markers(markers((p as u8).wrapping_mul(37) & 0x7f));
            let state = PersonState::well(plus(start(), -10));
            commands.push(Command::RegisterPerson { household: HouseholdId::new(h), record, state });
        }
        commands.extend(policies().into_iter().take(5).map(|policy| Command::AdoptPolicy { policy }));
        commands.push(Command::CreateOverlay { name: "片区".into(), kind: OverlayKind::Zone });
        commands.push(Command::AddCell {
            overlay: OverlayId::new(0),
            name: "一片".into(),
            units: vec![UnitId::new(1)],
        });
        commands.push(Command::AddCell {
            overlay: OverlayId::new(0),
            name: "二片".into(),
            units: vec![UnitId::new(5)],
        });
        commands.push(Command::CreateOverlay { name: "网格".into(), kind: OverlayKind::Grid });
        commands.push(Command::AddCell {
            overlay: OverlayId::new(1),
            name: "网格1".into(),
            units: vec![UnitId::new(3)],
        });
        commands.push(Command::AddCell {
            overlay: OverlayId::new(1),
            name: "网格2".into(),
            units: vec![UnitId::new(4), UnitId::new(6)],
        });
        for which in 0..4 {
            commands.push(Command::AdoptScheme { scheme: scheme(&self.levels, which, OverlayId::new(0)) });
        }
        let staff = [
            (vec![Q::DistrictLeader], 0, 3),
            (vec![Q::DistrictDepartment], 0, 3),
            (vec![Q::SectionCadre], 0, 2),
            (vec![Q::PartySecretary], 1, 1),
            (vec![Q::PartySecretary], 2, 1),
            (vec![Q::Medical], 0, 2),
            (vec![Q::Police], 0, 3),
            (vec![Q::GridWorker, Q::HealthWorker], 1, 3),
            (vec![Q::Volunteer, Q::PartyMember], 3, 2),
            (vec![Q::DepartmentLeader], 0, 2),
        ];
        for (k, (quals, home, limit)) in staff.into_iter().enumerate() {
            let quals = quals.into_iter().fold(Qualifications::EMPTY, Qualifications::with);
            let name = Name::new(&format!("工作人员{k}")).expect("a name");
            let staff = Staff::new(name, quals, UnitId::new(home), limit).expect("a limit");
            commands.push(Command::AddStaff { staff });
        }
        // The first business date 业务日期: records for cases wait for it.
        commands.push(Command::OpenDay { today: start() });
        for command in commands {
            self.step(command);
        }
        assert_eq!(self.log.len(), 1 + 11 + 6 + 10 + 5 + 6 + 4 + 10 + 1, "every setup command was accepted");
    }

    /// Panic with `what` and the commands since the setup (the last forty of a long run: a
    /// shrunk one is short).
    fn fail(&self, what: &str) -> ! {
        let skipped = self.trace.len().saturating_sub(40);
        panic!(
            "step {}: {what}\n--- the sequence after the setup ({skipped} commands left out), today {}:\n{}",
            self.steps,
            self.today,
            self.trace[skipped..].join("\n")
        );
    }

    /// Apply `command` to the registry and, as far as the model allows it, to the model; then
    /// compare every report.
    fn step(&mut self, command: Command) {
        self.steps += 1;
        let before = self.reg.clone();
        let mut next = self.model.clone();
        let predicted = next.apply(&command);
        let applied = self.prepare_and_commit(&before, &command);
        let outcome = match &applied {
            Ok(events) => format!("ok, {} events", events.len()),
            Err(e) => format!("refused: {}", kind(e)),
        };
        if self.tracing {
            self.trace.push(format!("{command:?}\n    => {outcome}"));
            let counts = self.outcomes.entry(variant(&command)).or_default();
            match &applied {
                Ok(events) => {
                    counts.0 += 1;
                    for e in events {
                        self.outcomes.entry(format!("event {}", variant(e))).or_default().0 += 1;
                        // The protocol rules' own outcomes: a fever in the obligations after
                        // release, a release of the shorter period earned by a sample.
                        let rule = match e {
                            Event::CheckRecorded { case, escalation: Some(_), .. }
                                if matches!(
                                    before.case(*case).map(|c| c.status()),
                                    Ok(CaseStatus::Released { .. })
                                ) =>
                            {
                                Some("rule escalated after release")
                            }
                            Event::CaseReleased { case, .. } => {
                                let c = &self.model.cases[case.index()];
                                let policy = &self.model.policies[c.policy];
                                let s = self.model.schedule(case.index());
                                policy
                                    .early()
                                    .is_some_and(|e| s.last == s.first + TimeDelta::days(i64::from(e.days()) - 1))
                                    .then_some("rule released early")
                            }
                            _ => None,
                        };
                        if let Some(rule) = rule {
                            self.outcomes.entry(rule.to_owned()).or_default().0 += 1;
                        }
                    }
                }
                Err(e) => {
                    counts.1 += 1;
                    self.outcomes.entry(format!("refused {}", kind(e))).or_default().1 += 1;
                }
            }
        }
        match (applied, predicted) {
            (Ok(events), Ok(())) => {
                if matches!(command, Command::Solve { .. } | Command::Replace { .. }) {
                    if events.len() != 1 {
                        self.fail(&format!("a roster command became {} events", events.len()));
                    }
                    if let Err(e) = next.apply_rostered(&events[0]) {
                        self.fail(&format!("the roster change breaks the rules: {e}"));
                    }
                }
                self.check_recolours(&next, &events);
                self.log.extend(events);
                self.model = next;
            }
            (Err(e), Err(why)) => {
                if !why.contains(&kind(&e).as_str()) {
                    self.fail(&format!("refused with {}, expected one of {why:?}", kind(&e)));
                }
                if self.reg != before {
                    self.fail("a refused command changed the registry");
                }
            }
            (Ok(events), Err(why)) => {
                self.fail(&format!("accepted ({} events), expected a refusal: {why:?}", events.len()))
            }
            (Err(e), Ok(())) => self.fail(&format!("refused with {e:?}, expected to be accepted")),
        }
        self.check();
    }

    /// Drive the registry as a store does: prepare the command's record (which must leave the
    /// registry as it was), then commit it. The record's events, applied one at a time to a
    /// copy from before as a log's events (each checked against the state the previous one
    /// left, its changes of state and colour recomputed), must give the same registry: what
    /// `prepare` threads through a command's events is what applying them one by one reads.
    /// Every fourth command carries a request id; its retry is answered with the same
    /// position and changes nothing, and the id with another command is refused.
    fn prepare_and_commit(&mut self, before: &Registry, command: &Command) -> Result<Vec<Event>, Error> {
        let request =
            self.steps.is_multiple_of(4).then(|| RequestId::new(format!("step-{}", self.steps)).expect("an id"));
        let prepared = self.reg.prepare(command.clone(), request.clone());
        if self.reg != *before || self.reg.head() != before.head() {
            self.fail("prepare changed the registry");
        }
        let prepared = prepared?;
        let record = prepared.record().cloned().unwrap_or_else(|| self.fail("a new request answered as repeated"));
        let mut stepwise = before.clone();
        for (i, event) in record.events().iter().enumerate() {
            if let Err(e) = stepwise.apply_event(event) {
                self.fail(&format!("event {i} of the record, applied alone after the others, is refused: {e}"));
            }
        }
        match self.reg.commit(prepared) {
            Ok(Answer::Applied(committed)) if committed == record => {}
            other => self.fail(&format!("the prepared record was not committed as it is: {other:?}")),
        }
        if stepwise != self.reg {
            self.fail("the record's events applied one by one give another registry");
        }
        if self.reg.head() != record.head() {
            self.fail("the head is not the committed record's");
        }
        if let Some(id) = request {
            let head = self.reg.head();
            let again = self.reg.execute(command.clone(), Some(id.clone()));
            if again != Ok(Answer::Repeated { position: record.position() }) || self.reg.head() != head {
                self.fail(&format!("a retried request was not answered as the first: {again:?}"));
            }
            let other = match command {
                Command::OpenDay { today } if *today == start() => Command::OpenDay { today: plus(start(), 1) },
                _ => Command::OpenDay { today: start() },
            };
            match self.reg.execute(other, Some(id)) {
                Err(Error::Registry(RegistryError::RequestReused { position, .. }))
                    if position == record.position() => {}
                other => self.fail(&format!("a request id reused for another command: {other:?}")),
            }
            if self.reg.head() != head {
                self.fail("a refused request moved the head");
            }
        }
        let events = record.events().to_vec();
        self.records.push(record);
        Ok(events)
    }

    /// The net colour changes the events carry are the model's.
    fn check_recolours(&self, next: &Model, events: &[Event]) {
        let mut net: BTreeMap<HouseholdId, (Colour, Colour)> = BTreeMap::new();
        for e in events {
            for r in e.recolours() {
                net.entry(r.household).and_modify(|(_, to)| *to = r.to).or_insert((r.from, r.to));
            }
        }
        net.retain(|_, (from, to)| from != to);
        let mut expected = BTreeMap::new();
        for h in 0..self.model.households.len() {
            let (from, to) = (self.model.colour(h), next.colour(h));
            if from != to {
                expected.insert(HouseholdId::new(h as u32), (from, to));
            }
        }
        if net != expected {
            self.fail(&format!("the events recolour {net:?}, the model {expected:?}"));
        }
    }

    /// Compare every report of the registry with the model's.
    fn check(&self) {
        let (reg, m) = (&self.reg, &self.model);
        macro_rules! same {
            ($got:expr, $want:expr, $($what:tt)+) => {{
                let (got, want) = ($got, $want);
                if got != want {
                    self.fail(&format!("{}: the registry has {:?}, the model {:?}", format!($($what)+), got, want));
                }
            }};
        }
        let census = m.census();

        // The tree, the households at each unit, the counts and tallies of each subtree.
        same!(reg.tree().len(), m.units.len(), "units");
        for (i, u) in m.units.iter().enumerate() {
            let id = UnitId::new(i as u32);
            let unit = reg.tree().unit(id).expect("a unit");
            same!(
                reg.tree().parent(id).expect("a unit"),
                u.parent.map(|p| UnitId::new(p as u32)),
                "the parent of {id}"
            );
            let children: Vec<UnitId> =
                (0..m.units.len()).filter(|&c| m.units[c].parent == Some(i)).map(|c| UnitId::new(c as u32)).collect();
            same!(reg.tree().children(id).expect("a unit").to_vec(), children, "the children of {id}");
            same!(unit.level().index(), u.level, "the level of {id}");
            same!(unit.kind(), u.kind, "the kind of {id}");
            same!(unit.name(), u.name.as_str(), "the name of {id}");
            same!(unit.code().map(|c| c.as_str().to_owned()), u.code.clone(), "the code of {id}");
            same!(unit.closed_on(), u.closed, "the closing date of {id}");
            let mut at = reg.population().households_at(id).to_vec();
            at.sort();
            let held: Vec<HouseholdId> = m.households_at(i).into_iter().map(|h| HouseholdId::new(h as u32)).collect();
            same!(at, held, "the households at {id}");
            let want = Model::tally(&census, |h| m.within(m.households[h].unit, i));
            same!(tally_counts(reg.tally(id).expect("a unit")), want.clone(), "the tally of {id}");
            let counts = reg.counts(id).expect("a unit");
            same!(
                (counts.households, counts.persons),
                (want[..5].iter().sum::<u64>(), want[5..10].iter().sum::<u64>()),
                "the counts of {id}"
            );
        }

        // Households and persons.
        same!(reg.population().household_count(), m.households.len(), "households");
        for (h, household) in m.households.iter().enumerate() {
            let id = HouseholdId::new(h as u32);
            let got = reg.household(id).expect("a household");
            same!(got.unit(), UnitId::new(household.unit as u32), "the unit of {id}");
            same!(got.door().as_str(), household.door.as_str(), "the door of {id}");
            let mut members = got.members().to_vec();
            members.sort();
            let want: Vec<PersonId> = census.members[h].iter().map(|&p| PersonId::new(p as u32)).collect();
            same!(members, want, "the members of {id}");
            same!(reg.colour(id).expect("a household"), census.colours[h], "the colour of {id}");
        }
        same!(reg.population().person_count(), m.persons.len(), "persons");
        for (p, person) in m.persons.iter().enumerate() {
            let id = PersonId::new(p as u32);
            let got = reg.person(id).expect("a person");
            same!(got.household(), HouseholdId::new(person.household as u32), "the household of {id}");
            same!(got.markers(), person.markers, "the markers of {id}");
            same!(reg.state(id).expect("a person"), person_state(person.state, person.since), "the state of {id}");
            same!(reg.active_case(id), m.active_case(p).map(|c| CaseId::new(c as u32)), "the active case of {id}");
        }

        // Overlays and cells.
        same!(reg.overlays().len(), m.overlays.len(), "overlays");
        for (o, name) in m.overlays.iter().enumerate() {
            let overlay = reg.overlays().overlay(OverlayId::new(o as u16)).expect("an overlay");
            same!(overlay.name(), name.as_str(), "the name of overlay {o}");
            let cells: Vec<CellId> =
                (0..m.cells.len()).filter(|&c| m.cells[c].overlay == o).map(|c| CellId::new(c as u32)).collect();
            same!(overlay.cells().to_vec(), cells, "the cells of overlay {o}");
        }
        same!(reg.overlays().cell_count(), m.cells.len(), "cells");
        for (c, cell) in m.cells.iter().enumerate() {
            let id = CellId::new(c as u32);
            let units: Vec<UnitId> = cell.units.iter().map(|&u| UnitId::new(u as u32)).collect();
            same!(reg.overlays().cell(id).expect("a cell").units().to_vec(), units, "the units of {id}");
            let want = Model::tally(&census, |h| cell.units.iter().any(|&u| m.within(m.households[h].unit, u)));
            same!(tally_counts(reg.cell_tally(id).expect("a cell")), want, "the tally of {id}");
        }

        // Policies and cases.
        let names: Vec<&str> = reg.policies().map(|(_, p)| p.name()).collect();
        same!(names, m.policies.iter().map(Policy::name).collect::<Vec<_>>(), "the policies");
        same!(reg.cases().count(), m.cases.len(), "cases");
        for (i, c) in m.cases.iter().enumerate() {
            let id = CaseId::new(i as u32);
            let got = reg.case(id).expect("a case");
            same!(got.person(), PersonId::new(c.person as u32), "the person of {id}");
            same!(got.policy(), PolicyId::new(c.policy as u16), "the policy of {id}");
            same!(got.category(), c.category, "the category of {id}");
            same!(
                (got.anchor(), got.started(), got.settled()),
                (c.anchor, c.started, c.settled),
                "the anchor, start and settled date of {id}"
            );
            same!(got.linked(), c.linked.map(|l| CaseId::new(l as u32)), "the link of {id}");
            same!(got.status(), &c.status, "the status of {id}");
            same!(got.changes(), c.changes.as_slice(), "the changes of {id}");
            let days: Vec<_> =
                got.days().iter().map(|d| (d.date(), u32::from(d.checks()), d.symptoms(), d.test())).collect();
            let mut want: Vec<_> = c.days.iter().map(|d| (d.date, d.checks.min(255), d.symptoms, d.test)).collect();
            want.sort_by_key(|d| d.0);
            same!(days, want, "the days of {id}");
            let s = reg.schedule(id).expect("a case");
            let ms = m.schedule(i);
            same!((s.release(), s.last_day()), (ms.release, ms.last), "the release and last day of {id}");
        }
        for offset in [-1, 0, 1, 3] {
            let date = plus(self.today, offset);
            same!(reg.agenda(date).items().to_vec(), m.agenda(date), "the agenda of {date}");
        }

        // Staff, schemes, rosters and loads.
        same!(reg.staff_pool().len(), m.staff.len(), "staff");
        for (s, member) in m.staff.iter().enumerate() {
            let got = &reg.staff_pool()[s];
            same!(
                (got.available_from(), got.available_until()),
                (member.available_from(), member.available_until()),
                "the availability of staff {s}"
            );
        }
        let names: Vec<&str> = reg.schemes().map(|(_, s)| s.name()).collect();
        same!(names, m.schemes.iter().map(Scheme::name).collect::<Vec<_>>(), "the schemes");
        for (i, roster) in m.rosters.iter().enumerate() {
            let id = SchemeId::new(i as u16);
            // Targets in order, each target's holders in the order assigned.
            let mut want = roster.clone();
            want.sort_by_key(|a| a.target);
            same!(reg.roster(id).expect("a scheme").assignments().to_vec(), want, "the roster of {id:?}");
            for s in 0..m.staff.len() {
                let staff = StaffId::new(s as u32);
                same!(reg.load(id, staff).expect("known"), m.load(i, staff), "the load of {staff:?} under {id:?}");
            }
        }

        let findings = reg.audit();
        if !findings.is_empty() {
            self.fail(&format!("audit findings: {findings:?}"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Random operations
// ---------------------------------------------------------------------------------------------

/// An operation, its ids as picks made concrete against the model by [`World::commands`].
#[derive(Debug, Clone)]
enum Op {
    AddUnit {
        parent: u16,
        level: u8,
        kind: u8,
        code: Option<u8>,
        named: bool,
    },
    MoveUnit {
        unit: u16,
        to: u16,
    },
    CloseUnit {
        unit: u16,
        smart: bool,
        transfer: u16,
        on: i8,
    },
    CreateOverlay {
        name: u8,
    },
    AddCell {
        overlay: u16,
        named: bool,
        units: Vec<u16>,
    },
    ExtendCell {
        cell: u16,
        units: Vec<u16>,
    },
    AddHousehold {
        unit: u16,
        door: u8,
    },
    MoveHousehold {
        household: u16,
        to: u16,
    },
    Register {
        household: u16,
        resident: Option<u8>,
        markers: u8,
        state: u8,
        since: i8,
    },
    MovePerson {
        person: u16,
        to: u16,
        on: i8,
    },
    SetMarkers {
        person: u16,
        markers: u8,
    },
    SetState {
        person: u16,
        state: u8,
        on: i8,
    },
    SetColourRule {
        rule: u8,
        on: i8,
    },
    AdoptPolicy {
        which: u8,
        rename: u8,
    },
    StartCase {
        person: u16,
        smart: bool,
        policy: u16,
        category: u8,
        anchor: i8,
        on: i8,
        linked: Option<u16>,
    },
    Exposed {
        person: u16,
        smart: bool,
        later: u8,
        on: i8,
    },
    RecordCheck {
        person: u16,
        smart: bool,
        on: i8,
        hour: u8,
        tenths: u16,
        symptoms: bool,
    },
    RecordTest {
        person: u16,
        smart: bool,
        on: i8,
        positive: bool,
    },
    Release {
        case: u16,
        smart: bool,
        on: i8,
    },
    /// An active case's period extended or shortened, by a staff member, on a day.
    Adjust {
        case: u16,
        smart: bool,
        days: i8,
        staff: u16,
        on: i8,
    },
    /// Every active case under one policy moved to another.
    ChangePolicy {
        from: u16,
        to: u16,
        smart: bool,
        on: i8,
    },
    /// A close contact (policy 1) and a secondary contact of theirs (policy 2, linked).
    Cluster {
        close: u16,
        secondary: u16,
        anchor: i8,
    },
    Routine,
    OpenDay {
        days: i8,
    },
    AddStaff {
        quals: u8,
        more: Option<u8>,
        home: u16,
        limit: u16,
        from: Option<i8>,
        until: Option<i8>,
    },
    SetAvailability {
        staff: u16,
        from: Option<i8>,
        until: Option<i8>,
    },
    AdoptScheme {
        which: u8,
        rename: u8,
        overlay: u16,
    },
    Assign {
        scheme: u16,
        target: u16,
        role: u8,
        staff: u16,
        smart: bool,
        on: i8,
    },
    Unassign {
        scheme: u16,
        pick: u16,
        held: bool,
    },
    Solve {
        scheme: u16,
        balanced: bool,
        on: i8,
    },
    Replace {
        scheme: u16,
        staff: u16,
        holder: bool,
        on: i8,
    },
}

/// A day offset from today: mostly today, sometimes a day or two off, now and then a week.
fn offset() -> impl Strategy<Value = i8> {
    prop_oneof![8 => Just(0i8), 3 => -2i8..=2, 1 => -8i8..=8]
}

/// The unit picks of a cell: mostly one or two, now and then none.
fn cell_units() -> impl Strategy<Value = Vec<u16>> {
    prop_oneof![1 => Just(Vec::new()), 8 => prop::collection::vec(any::<u16>(), 1..3)]
}

fn op() -> impl Strategy<Value = Op> {
    let pick = any::<u16>;
    let bound = || prop::option::weighted(0.3, -4i8..8);
    let smart = || prop::bool::weighted(0.85);
    prop_oneof![
        4 => (pick(), any::<u8>(), 0u8..8, prop::option::weighted(0.2, 0u8..6), prop::bool::weighted(0.95))
            .prop_map(|(parent, level, kind, code, named)| Op::AddUnit { parent, level, kind, code, named }),
        2 => (pick(), pick()).prop_map(|(unit, to)| Op::MoveUnit { unit, to }),
        2 => (pick(), smart(), pick(), offset())
            .prop_map(|(unit, smart, transfer, on)| Op::CloseUnit { unit, smart, transfer, on }),
        1 => (0u8..6).prop_map(|name| Op::CreateOverlay { name }),
        2 => (pick(), prop::bool::weighted(0.95), cell_units())
            .prop_map(|(overlay, named, units)| Op::AddCell { overlay, named, units }),
        1 => (pick(), cell_units()).prop_map(|(cell, units)| Op::ExtendCell { cell, units }),
        4 => (pick(), 0u8..6).prop_map(|(unit, door)| Op::AddHousehold { unit, door }),
        2 => (pick(), pick()).prop_map(|(household, to)| Op::MoveHousehold { household, to }),
        5 => (pick(), prop::option::weighted(0.7, 0u8..40), any::<u8>(), any::<u8>(), -3i8..=3).prop_map(
            |(household, resident, markers, state, since)| Op::Register { household, resident, markers, state, since }
        ),
        2 => (pick(), pick(), offset()).prop_map(|(person, to, on)| Op::MovePerson { person, to, on }),
        1 => (pick(), any::<u8>()).prop_map(|(person, markers)| Op::SetMarkers { person, markers }),
        4 => (pick(), any::<u8>(), offset()).prop_map(|(person, state, on)| Op::SetState { person, state, on }),
        1 => (0u8..4, offset()).prop_map(|(rule, on)| Op::SetColourRule { rule, on }),
        1 => (0u8..7, 0u8..4).prop_map(|(which, rename)| Op::AdoptPolicy { which, rename }),
        10 => (
            pick(),
            smart(),
            pick(),
            any::<u8>(),
            prop_oneof![3 => -3i8..=0, 1 => -12i8..=2],
            offset(),
            prop::option::weighted(0.1, pick()),
        )
            .prop_map(|(person, smart, policy, category, anchor, on, linked)| Op::StartCase {
                person,
                smart,
                policy,
                category,
                anchor,
                on,
                linked,
            }),
        3 => (pick(), smart(), 0u8..6, offset())
            .prop_map(|(person, smart, later, on)| Op::Exposed { person, smart, later, on }),
        8 => (
            pick(),
            smart(),
            offset(),
            6u8..22,
            prop_oneof![9 => 355u16..372, 1 => 372u16..395],
            prop::bool::weighted(0.1),
        )
            .prop_map(|(person, smart, on, hour, tenths, symptoms)| Op::RecordCheck {
                person,
                smart,
                on,
                hour,
                tenths,
                symptoms,
            }),
        5 => (pick(), smart(), offset(), prop::bool::weighted(0.3))
            .prop_map(|(person, smart, on, positive)| Op::RecordTest { person, smart, on, positive }),
        4 => (pick(), smart(), -2i8..=2).prop_map(|(case, smart, on)| Op::Release { case, smart, on }),
        3 => (pick(), smart(), prop_oneof![3 => -3i8..=3, 1 => -12i8..=12], pick(), prop_oneof![6 => Just(0i8), 1 => -1i8..=1])
            .prop_map(|(case, smart, days, staff, on)| Op::Adjust { case, smart, days, staff, on }),
        2 => (pick(), pick(), smart(), prop_oneof![6 => Just(0i8), 1 => -1i8..=1])
            .prop_map(|(from, to, smart, on)| Op::ChangePolicy { from, to, smart, on }),
        4 => Just(Op::Routine),
        2 => (pick(), pick(), -2i8..=0)
            .prop_map(|(close, secondary, anchor)| Op::Cluster { close, secondary, anchor }),
        8 => prop_oneof![1 => Just(-1i8), 12 => 0i8..=2].prop_map(|days| Op::OpenDay { days }),
        2 => (0u8..12, prop::option::weighted(0.4, 0u8..12), pick(), 1u16..=3, bound(), bound()).prop_map(
            |(quals, more, home, limit, from, until)| Op::AddStaff { quals, more, home, limit, from, until }
        ),
        2 => (pick(), bound(), bound())
            .prop_map(|(staff, from, until)| Op::SetAvailability { staff, from, until }),
        1 => (0u8..5, 0u8..3, pick())
            .prop_map(|(which, rename, overlay)| Op::AdoptScheme { which, rename, overlay }),
        8 => (pick(), pick(), any::<u8>(), pick(), prop::bool::weighted(0.75), -1i8..=1)
            .prop_map(|(scheme, target, role, staff, smart, on)| Op::Assign { scheme, target, role, staff, smart, on }),
        3 => (pick(), pick(), prop::bool::weighted(0.8))
            .prop_map(|(scheme, pick, held)| Op::Unassign { scheme, pick, held }),
        3 => (pick(), any::<bool>(), -1i8..=1).prop_map(|(scheme, balanced, on)| Op::Solve { scheme, balanced, on }),
        2 => (pick(), pick(), prop::bool::weighted(0.85), 0i8..=2)
            .prop_map(|(scheme, staff, holder, on)| Op::Replace { scheme, staff, holder, on }),
    ]
}

/// An id among `n`: mostly an existing one; one time in sixteen one past them (unknown).
fn id(n: usize, pick: u16) -> u32 {
    if n == 0 || pick % 16 == 15 { (n + usize::from(pick / 16 % 2)) as u32 } else { (usize::from(pick) % n) as u32 }
}

/// An element of `items`, by `pick`; `None` when there are none.
fn among<T: Copy>(items: &[T], pick: u16) -> Option<T> {
    (!items.is_empty()).then(|| items[usize::from(pick) % items.len()])
}

impl World {
    fn day(&self, offset: i8) -> NaiveDate {
        plus(self.today, i64::from(offset))
    }

    fn unit_id(&self, pick: u16) -> UnitId {
        UnitId::new(id(self.model.units.len(), pick))
    }

    fn person_id(&self, pick: u16) -> PersonId {
        PersonId::new(id(self.model.persons.len(), pick))
    }

    /// A person with an active case when `smart` and there is one, else any (or an unknown).
    fn person_under_case(&self, pick: u16, smart: bool) -> PersonId {
        // Under an active case, or released and within the obligations after release.
        let under: Vec<usize> = (0..self.model.persons.len())
            .filter(|&p| self.model.active_case(p).is_some() || self.model.monitored_case(p, self.today).is_some())
            .collect();
        match among(&under, pick) {
            Some(p) if smart => PersonId::new(p as u32),
            _ => self.person_id(pick),
        }
    }

    /// Units for a cell of `overlay`, by `picks`: mostly units clear of those it names (and of
    /// each other); one pick in four any unit.
    fn cell_units(&self, overlay: usize, picks: &[u16]) -> Vec<UnitId> {
        let m = &self.model;
        let named = if overlay < m.overlays.len() { m.named(overlay) } else { Vec::new() };
        let mut out: Vec<UnitId> = Vec::new();
        for &pick in picks {
            let clear: Vec<usize> = (0..m.units.len())
                .filter(|&u| {
                    let mut taken = named.iter().copied().chain(out.iter().map(|o| o.index()));
                    !taken.any(|a| a < m.units.len() && (m.within(u, a) || m.within(a, u)))
                })
                .collect();
            out.push(match among(&clear, pick) {
                Some(u) if pick % 4 != 0 => UnitId::new(u as u32),
                _ => self.unit_id(pick),
            });
        }
        out
    }

    /// The commands an operation becomes now.
    fn commands(&mut self, op: &Op) -> Vec<Command> {
        let m = &self.model;
        let command = match op.clone() {
            Op::AddUnit { parent, level, kind, code, named } => {
                let parent = self.unit_id(parent);
                let depth = m.unit(parent).map_or(0, |p| p.level);
                // Mostly one level down (two, past an optional level); otherwise any.
                let level = match level % 8 {
                    0..=4 => depth + 1,
                    5 => depth + 2,
                    _ => usize::from(level / 8) % (m.optional.len() + 1),
                };
                let name = if named { format!("单位{}", m.units.len()) } else { " ".to_owned() };
                let mut unit = NewUnit::new(name, Level::new(level as u8), KINDS[usize::from(kind)]);
                if let Some(code) = code {
                    unit = unit.with_code(&format!("C{code}")).expect("a valid code");
                }
                Command::AddUnit { parent, unit }
            }
            Op::MoveUnit { unit, to } => {
                // Mostly an open unit under another open unit its level may hang under.
                let (u, p) = (self.unit_id(unit), self.unit_id(to));
                let parents: Vec<usize> = match m.unit(u) {
                    Some(x) if unit % 4 != 0 => (0..m.units.len())
                        .filter(|&q| {
                            m.not_a_home(UnitId::new(q as u32)).is_empty()
                                && m.may_nest(m.units[q].level, x.level)
                                && !m.within(q, u.index())
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let p = among(&parents, to).map_or(p, |q| UnitId::new(q as u32));
                Command::MoveUnit { unit: u, new_parent: p }
            }
            Op::CloseUnit { unit, smart, transfer, on } => {
                // Mostly an open unit with no open child, its households sent to its parent.
                let leaves: Vec<usize> = (1..m.units.len())
                    .filter(|&u| {
                        m.units[u].closed.is_none()
                            && !m.units.iter().any(|c| c.parent == Some(u) && c.closed.is_none())
                    })
                    .collect();
                match among(&leaves, unit).filter(|_| smart) {
                    Some(u) => {
                        let holds = !m.households_at(u).is_empty();
                        let to = if transfer % 4 == 0 {
                            self.unit_id(transfer)
                        } else {
                            UnitId::new(m.units[u].parent.expect("not the root") as u32)
                        };
                        Command::CloseUnit {
                            unit: UnitId::new(u as u32),
                            on: self.day(on),
                            transfer_to: holds.then_some(to),
                        }
                    }
                    None => Command::CloseUnit {
                        unit: self.unit_id(unit),
                        on: self.day(on),
                        transfer_to: (transfer % 2 == 0).then(|| self.unit_id(transfer)),
                    },
                }
            }
            Op::CreateOverlay { name } => Command::CreateOverlay {
                name: ["片区", "综治网格", "楼组网格", "  ", "片区二", "网格"][usize::from(name)].to_owned(),
                kind: [OverlayKind::Zone, OverlayKind::Grid, OverlayKind::Other][usize::from(name) % 3],
            },
            Op::AddCell { overlay, named, units } => {
                let overlay = OverlayId::new(id(m.overlays.len(), overlay) as u16);
                Command::AddCell {
                    overlay,
                    name: if named { format!("格{}", m.cells.len()) } else { String::new() },
                    units: self.cell_units(overlay.index(), &units),
                }
            }
            Op::ExtendCell { cell, units } => {
                let cell = CellId::new(id(m.cells.len(), cell));
                let overlay = m.cells.get(cell.index()).map_or(usize::MAX, |c| c.overlay);
                Command::ExtendCell { cell, units: self.cell_units(overlay, &units) }
            }
            Op::AddHousehold { unit, door } => {
                // Mostly a unit that can take households.
                let homes: Vec<usize> =
                    (0..m.units.len()).filter(|&u| m.not_a_home(UnitId::new(u as u32)).is_empty()).collect();
                let unit = match among(&homes, unit) {
                    Some(u) if unit % 4 != 0 => UnitId::new(u as u32),
                    _ => self.unit_id(unit),
                };
                Command::AddHousehold { unit, door: DoorLabel::new(DOORS[usize::from(door)]).expect("a door") }
            }
            Op::MoveHousehold { household, to } => Command::MoveHousehold {
                household: HouseholdId::new(id(m.households.len(), household)),
                to: self.unit_id(to),
            },
            Op::Register { household, resident, markers: bits, state, since } => {
                let mut record = PersonRecord::new().with_markers(markers(bits & 0x7f));
                if let Some(r) = resident {
                    record = record.with_resident_id(self.residents[usize::from(r)]);
                }
                let state = if state % 4 == 0 { STATES[usize::from(state / 4) % 8] } else { State::Well };
                Command::RegisterPerson {
                    household: HouseholdId::new(id(m.households.len(), household)),
                    record,
                    state: PersonState::new(state, self.day(since)),
                }
            }
            Op::MovePerson { person, to, on } => Command::MovePerson {
                person: self.person_id(person),
                to: HouseholdId::new(id(m.households.len(), to)),
                on: self.day(on),
            },
            Op::SetMarkers { person, markers: bits } => {
                Command::SetMarkers { person: self.person_id(person), markers: markers(bits & 0x7f) }
            }
            Op::SetState { person, state, on } => Command::SetState {
                person: self.person_id(person),
                state: STATES[usize::from(state) % 8],
                on: self.day(on),
            },
            Op::SetColourRule { rule, on } => {
                Command::SetColourRule { rule: colour_rule(usize::from(rule)), on: self.day(on) }
            }
            Op::AdoptPolicy { which, rename } => {
                let policy = policies().swap_remove(usize::from(which));
                let policy = match rename {
                    0 => policy,
                    k => policy.to_builder().name(format!("{}_{k}", policy.name())).build().expect("a valid name"),
                };
                Command::AdoptPolicy { policy }
            }
            Op::StartCase { person, smart, policy, category, anchor, on, linked } => {
                let free: Vec<usize> = (0..m.persons.len()).filter(|&p| m.active_case(p).is_none()).collect();
                let person = match among(&free, person) {
                    Some(p) if smart => PersonId::new(p as u32),
                    _ => self.person_id(person),
                };
                let policy = PolicyId::new(id(m.policies.len(), policy) as u16);
                // Mostly the category the policy is for: contacts under contacts' policies.
                let linked_policy = m.policies.get(policy.index()).is_some_and(|p| p.linked().is_some());
                let category = match (category % 4, linked_policy) {
                    (0, _) => CATEGORIES[usize::from(category / 4) % 6],
                    (_, true) => Category::SecondaryContact,
                    (1, false) => Category::CloseContact,
                    _ => CATEGORIES[2 + usize::from(category / 4) % 4],
                };
                let on = self.day(on);
                // A secondary contact under a linked release mostly linked to an active close
                // contact's case; now and then a link to any case.
                let close: Vec<usize> = (0..m.cases.len())
                    .filter(|&c| m.cases[c].category == Category::CloseContact && m.cases[c].active())
                    .collect();
                let linked = match (linked, among(&close, person.index() as u16)) {
                    (Some(pick), _) => Some(Link::Case(CaseId::new(id(m.cases.len(), pick)))),
                    (None, Some(c)) if category == Category::SecondaryContact && linked_policy => {
                        Some(Link::Case(CaseId::new(c as u32)))
                    }
                    // No close contact to link to: said explicitly, or (now and then) left
                    // unsaid, which a secondary contact under a linked release is refused for.
                    (None, _) => (anchor % 3 != 0).then_some(Link::Unlinked),
                };
                Command::StartCase { person, policy, category, anchor: plus(on, i64::from(anchor)), on, linked }
            }
            Op::Exposed { person, smart, later, on } => {
                let person = self.person_under_case(person, smart);
                let on = self.day(on);
                // Mostly a day or two after the case's anchor; otherwise around today.
                let anchor = match m.active_case(person.index()) {
                    Some(c) if later < 4 => plus(m.cases[c].anchor, i64::from(later)),
                    _ => plus(on, -i64::from(later % 3)),
                };
                Command::Exposed { person, anchor, on }
            }
            Op::RecordCheck { person, smart, on, hour, tenths, symptoms } => {
                let person = self.person_under_case(person, smart);
                let date = self.day(on);
                // Released and monitoring their symptoms: a fever one time in two.
                let watched = m.active_case(person.index()).is_none()
                    && m.persons.get(person.index()).is_some()
                    && m.monitored_case(person.index(), date).is_some();
                let tenths = if watched && hour % 2 == 1 { 385 } else { tenths };
                Command::RecordCheck {
                    person,
                    at: date.and_hms_opt(u32::from(hour), 0, 0).expect("a time"),
                    temperature: Temperature::from_tenths(tenths).expect("plausible"),
                    symptoms,
                }
            }
            Op::RecordTest { person, smart, on, positive } => {
                // A positive result mostly for a close contact with linked secondary contacts.
                let linked: Vec<usize> = (0..m.cases.len())
                    .filter(|&c| m.cases[c].active() && m.cases.iter().any(|s| s.active() && s.linked == Some(c)))
                    .map(|c| m.cases[c].person)
                    .collect();
                let person = match among(&linked, person) {
                    Some(p) if positive && smart => PersonId::new(p as u32),
                    _ => self.person_under_case(person, smart),
                };
                let result = if positive { TestResult::Positive } else { TestResult::Negative };
                Command::RecordTest { person, on: self.day(on), result }
            }
            Op::Adjust { case, smart, days, staff, on } => {
                let active: Vec<usize> = (0..m.cases.len()).filter(|&c| m.cases[c].active()).collect();
                let case = match among(&active, case).filter(|_| smart) {
                    Some(c) => CaseId::new(c as u32),
                    None => CaseId::new(id(m.cases.len(), case)),
                };
                let reason = Reason::new(format!("adjusted by {days}")).expect("a reason");
                let by = StaffId::new(id(m.staff.len(), staff));
                Command::AdjustCase { case, days: i16::from(days), reason, by, on: self.day(on) }
            }
            Op::ChangePolicy { from, to, smart, on } => {
                let n = m.policies.len();
                // Mostly from a policy some active case follows, to another of its anchor.
                let followed: Vec<usize> =
                    (0..n).filter(|&p| m.cases.iter().any(|c| c.active() && c.policy == p)).collect();
                let from = among(&followed, from).filter(|_| smart).unwrap_or(id(n, from) as usize);
                let same: Vec<usize> = (0..n)
                    .filter(|&p| {
                        p != from && m.policies.get(from).is_some_and(|f| f.anchor() == m.policies[p].anchor())
                    })
                    .collect();
                let to = among(&same, to).filter(|_| smart).unwrap_or(id(n, to) as usize);
                Command::ChangePolicy {
                    from: PolicyId::new(from as u16),
                    to: PolicyId::new(to as u16),
                    on: self.day(on),
                }
            }
            Op::Release { case, smart, on } => {
                // Mostly an active case, around its release date.
                let mut active: Vec<usize> = (0..m.cases.len()).filter(|&c| m.cases[c].active()).collect();
                // Those due by today first: nothing after today can release anyone.
                let due: Vec<usize> = active.iter().copied().filter(|&c| m.schedule(c).release <= self.today).collect();
                if !due.is_empty() {
                    active = due;
                }
                match among(&active, case).filter(|_| smart) {
                    Some(c) => {
                        // Nothing in the future releases anyone: at most today, but for the
                        // later picks, which try a date after it.
                        let date = plus(m.schedule(c).release, i64::from(on)).max(plus(self.today, -3));
                        let on = if on <= 0 { date.min(self.today) } else { date };
                        Command::Release { case: CaseId::new(c as u32), on }
                    }
                    None => Command::Release { case: CaseId::new(id(m.cases.len(), case)), on: self.day(on) },
                }
            }
            Op::Cluster { close, secondary, anchor } => {
                // Two persons, present and well (or absent) and under no case, when there are.
                let free: Vec<usize> = (0..m.persons.len())
                    .filter(|&p| {
                        m.active_case(p).is_none() && matches!(m.persons[p].state.0, State::Well | State::Absent)
                    })
                    .collect();
                let first = among(&free, close).unwrap_or(usize::from(close));
                let others: Vec<usize> = free.iter().copied().filter(|&p| p != first).collect();
                let second = among(&others, secondary).unwrap_or(usize::from(secondary));
                let person = |p: usize| PersonId::new(p as u32);
                let (close, secondary) = (first, second);
                let (anchor, on) = (self.day(anchor), self.today);
                let close_case = CaseId::new(m.cases.len() as u32);
                return vec![
                    Command::StartCase {
                        person: person(close),
                        policy: PolicyId::new(1),
                        category: Category::CloseContact,
                        anchor,
                        on,
                        linked: None,
                    },
                    Command::StartCase {
                        person: person(secondary),
                        policy: PolicyId::new(2),
                        category: Category::SecondaryContact,
                        anchor,
                        on,
                        linked: Some(Link::Case(close_case)),
                    },
                ];
            }
            Op::Routine => {
                // The grid worker's round: every check and test due today of every open case.
                let mut out = Vec::new();
                for (i, c) in m.cases.iter().enumerate() {
                    let s = m.schedule(i);
                    if c.status != CaseStatus::Open || !s.contains(self.today) {
                        continue;
                    }
                    let person = PersonId::new(c.person as u32);
                    for k in 0..m.policies[c.policy].checks_per_day() {
                        out.push(Command::RecordCheck {
                            person,
                            at: at(self.today, 7 + u32::from(k) * 5),
                            temperature: Temperature::from_tenths(364).expect("plausible"),
                            symptoms: false,
                        });
                    }
                    if s.tests.contains(&self.today) && c.day(self.today).test.is_none() {
                        out.push(Command::RecordTest { person, on: self.today, result: TestResult::Negative });
                    }
                }
                return out;
            }
            Op::OpenDay { days } => {
                if days >= 0 {
                    self.today = self.day(days);
                    Command::OpenDay { today: self.today }
                } else {
                    Command::OpenDay { today: self.day(days) }
                }
            }
            Op::AddStaff { quals, more, home, limit, from, until } => {
                let q = Qualifications::only(QUALS[usize::from(quals)]);
                let q = more.map_or(q, |more| q.with(QUALS[usize::from(more)]));
                let (from, until) = (from.map(|d| self.day(d)), until.map(|d| self.day(d)));
                let (from, until) = match (from, until) {
                    (Some(f), Some(u)) if u < f => (Some(u), Some(f)),
                    other => other,
                };
                let name = Name::new(&format!("工作人员{}", m.staff.len())).expect("a name");
                let staff = Staff::new(name, q, self.unit_id(home), limit)
                    .expect("a limit")
                    .available(from, until)
                    .expect("ordered");
                Command::AddStaff { staff }
            }
            Op::SetAvailability { staff, from, until } => Command::SetAvailability {
                staff: StaffId::new(id(m.staff.len(), staff)),
                availability: Availability::from_bounds(from.map(|d| self.day(d)), until.map(|d| self.day(d))),
            },
            Op::AdoptScheme { which, rename, overlay } => {
                let spec = scheme(&self.levels, which, OverlayId::new(id(m.overlays.len(), overlay) as u16));
                let spec = match rename {
                    0 => spec,
                    k => spec.to_builder().name(format!("{}_{k}", spec.name())).build().expect("a valid name"),
                };
                Command::AdoptScheme { scheme: spec }
            }
            Op::Assign { scheme, target, role, staff, smart, on } => {
                let on = self.day(on);
                let i = id(m.schemes.len(), scheme) as usize;
                let smart_pick = if smart && i < m.schemes.len() {
                    let spec = &m.schemes[i];
                    let targets: Vec<Target> = m.all_targets().into_iter().filter(|&t| m.selected(spec, t)).collect();
                    among(&targets, target).map(|t| {
                        let roles: Vec<Role> = spec
                            .rules()
                            .iter()
                            .filter(|r| m.selects(r.targets(), t))
                            .flat_map(|r| r.slots().iter().map(|s| s.role()))
                            .collect();
                        let role = among(&roles, u16::from(role)).expect("a rule has slots");
                        let fitting: Vec<StaffId> = (0..m.staff.len())
                            .map(|s| StaffId::new(s as u32))
                            .filter(|&s| m.valid(i, &Assignment { target: t, role, staff: s }, on))
                            .collect();
                        let staff = match among(&fitting, staff) {
                            Some(s) if staff % 4 != 0 => s,
                            _ => StaffId::new(id(m.staff.len(), staff)),
                        };
                        (t, role, staff)
                    })
                } else {
                    None
                };
                let (target, role, staff) = smart_pick.unwrap_or_else(|| {
                    let all = m.all_targets();
                    let target = match target % 16 {
                        15 => Target::Unit(UnitId::new(m.units.len() as u32)),
                        14 => Target::Person(PersonId::new(m.persons.len() as u32)),
                        13 => Target::Cell(CellId::new(m.cells.len() as u32)),
                        _ => among(&all, target).expect("targets"),
                    };
                    (target, Role::ALL[usize::from(role) % Role::ALL.len()], StaffId::new(id(m.staff.len(), staff)))
                });
                Command::Assign { scheme: SchemeId::new(i as u16), target, role, staff, on }
            }
            Op::Unassign { scheme, pick, held } => {
                let i = id(m.schemes.len(), scheme) as usize;
                let a = match m.rosters.get(i) {
                    Some(roster) if held && !roster.is_empty() => roster[usize::from(pick) % roster.len()],
                    _ => Assignment {
                        target: among(&m.all_targets(), pick).expect("targets"),
                        role: Role::ALL[usize::from(pick) % Role::ALL.len()],
                        staff: StaffId::new(id(m.staff.len(), pick)),
                    },
                };
                Command::Unassign {
                    scheme: SchemeId::new(i as u16),
                    target: a.target,
                    role: a.role,
                    staff: a.staff,
                    on: self.today,
                }
            }
            Op::Solve { scheme, balanced, on } => {
                Command::Solve { scheme: SchemeId::new(id(m.schemes.len(), scheme) as u16), on: self.day(on), balanced }
            }
            Op::Replace { scheme, staff, holder, on } => {
                let i = id(m.schemes.len(), scheme) as usize;
                let holders: Vec<StaffId> =
                    m.rosters.get(i).map(|r| r.iter().map(|a| a.staff).collect()).unwrap_or_default();
                let leaving = match among(&holders, staff) {
                    Some(s) if holder => s,
                    _ => StaffId::new(id(m.staff.len(), staff)),
                };
                Command::Replace { scheme: SchemeId::new(i as u16), leaving, on: self.day(on) }
            }
        };
        vec![command]
    }
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).expect("a time")
}

fn run(shanghai: bool, ops: &[Op]) -> World {
    let mut world = World::new(shanghai);
    for op in ops {
        for command in world.commands(op) {
            world.step(command);
        }
    }
    let replayed =
        Registry::replay(&world.log).unwrap_or_else(|e| world.fail(&format!("the log does not replay: {e}")));
    if replayed != world.reg {
        world.fail("the replayed log gives another registry");
    }
    let replayed = Registry::replay_records(&world.records)
        .unwrap_or_else(|e| world.fail(&format!("the records do not replay: {e}")));
    if replayed != world.reg || replayed.head() != world.reg.head() {
        world.fail("the replayed records give another registry");
    }
    if replayed.remembered_requests() != world.reg.remembered_requests() {
        world.fail("the replayed records remember other requests");
    }
    // The events alone, as a log of format 5 holds them, are upgraded into records that
    // replay to the same registry, each command's events in one record.
    let upgraded = wangge::registry::upgrade_v5_log(&world.log)
        .unwrap_or_else(|e| world.fail(&format!("the events do not upgrade to records: {e}")));
    let replayed = Registry::replay_records(&upgraded)
        .unwrap_or_else(|e| world.fail(&format!("the upgraded records do not replay: {e}")));
    if replayed != world.reg {
        world.fail("the upgraded records give another registry");
    }
    let written = world.records.iter().filter(|r| !r.events().is_empty()).count();
    if upgraded.len() > written {
        world.fail(&format!("{} upgraded records for {written} commands that made events", upgraded.len()));
    }
    world
}

/// A sequence of operations that shrinks harder than `prop::collection::vec`: it deletes
/// chunks (halves, quarters ... single operations), then shrinks each operation, and whenever an
/// operation shrank it starts deleting again, until nothing more can go. (The plain vector
/// deletes in one pass only, and stops at the first element whose shrinking ends on a pass;
/// with picks resolved against the state, a deletion that failed at first often succeeds once
/// a later pick is smaller.)
#[derive(Debug, Clone)]
struct Sequence<S> {
    element: S,
    len: std::ops::RangeInclusive<usize>,
}

impl<S: Strategy> Strategy for Sequence<S> {
    type Tree = SequenceTree<S::Tree>;
    type Value = Vec<S::Value>;

    fn new_tree(&self, runner: &mut proptest::test_runner::TestRunner) -> proptest::strategy::NewTree<Self> {
        use proptest::strategy::ValueTree;
        let len = self.len.clone().new_tree(runner)?.current();
        let elements = (0..len).map(|_| self.element.new_tree(runner)).collect::<Result<Vec<_>, _>>()?;
        Ok(SequenceTree {
            included: vec![true; len],
            next: Shrink::Delete { at: 0, width: (len / 2).max(1) },
            pending: None,
            deleted: Vec::new(),
            progress: false,
            min: *self.len.start(),
            elements,
        })
    }
}

/// What a [`SequenceTree`] tries: deleting `width` included elements from the `at`-th, or
/// shrinking the element at an index.
#[derive(Debug, Clone, Copy)]
enum Shrink {
    Delete { at: usize, width: usize },
    Element(usize),
}

#[derive(Debug)]
struct SequenceTree<T> {
    elements: Vec<T>,
    included: Vec<bool>,
    /// The next thing to try.
    next: Shrink,
    /// The change `current()` holds that has not been shown to fail yet.
    pending: Option<Shrink>,
    /// The elements the pending deletion took out.
    deleted: Vec<usize>,
    /// Whether an element shrank since the last deletion pass began.
    progress: bool,
    min: usize,
}

impl<T: proptest::strategy::ValueTree> SequenceTree<T> {
    /// Move to the next candidate; `false` when there is none (then `current()` is the last
    /// failing value).
    fn advance(&mut self) -> bool {
        loop {
            match self.next {
                Shrink::Delete { at, width } => {
                    let live: Vec<usize> = (0..self.elements.len()).filter(|&i| self.included[i]).collect();
                    if at >= live.len() {
                        self.next =
                            if width > 1 { Shrink::Delete { at: 0, width: width / 2 } } else { Shrink::Element(0) };
                        continue;
                    }
                    let chunk: Vec<usize> = live[at..(at + width).min(live.len())].to_vec();
                    if live.len() - chunk.len() < self.min {
                        self.next = Shrink::Delete { at: at + width, width };
                        continue;
                    }
                    for &i in &chunk {
                        self.included[i] = false;
                    }
                    self.deleted = chunk;
                    self.pending = Some(self.next);
                    return true;
                }
                Shrink::Element(i) => {
                    if i >= self.elements.len() {
                        if !self.progress {
                            return false;
                        }
                        self.progress = false;
                        let live = self.included.iter().filter(|&&x| x).count();
                        self.next = Shrink::Delete { at: 0, width: (live / 2).max(1) };
                        continue;
                    }
                    if self.included[i] && self.elements[i].simplify() {
                        self.pending = Some(self.next);
                        return true;
                    }
                    self.next = Shrink::Element(i + 1);
                }
            }
        }
    }
}

impl<T: proptest::strategy::ValueTree> proptest::strategy::ValueTree for SequenceTree<T> {
    type Value = Vec<T::Value>;

    fn current(&self) -> Self::Value {
        self.elements.iter().zip(&self.included).filter(|(_, inc)| **inc).map(|(e, _)| e.current()).collect()
    }

    /// The current value failed: keep the pending change and try the next.
    fn simplify(&mut self) -> bool {
        match self.pending.take() {
            // Later elements moved up into the place: try the same place again.
            Some(Shrink::Delete { at, width }) => self.next = Shrink::Delete { at, width },
            Some(Shrink::Element(i)) => {
                self.progress = true;
                self.next = Shrink::Element(i);
            }
            None => {}
        }
        self.advance()
    }

    /// The current value passed: undo the pending change (or let the element step back) and
    /// move on.
    fn complicate(&mut self) -> bool {
        match self.pending.take() {
            Some(Shrink::Delete { at, width }) => {
                for &i in &self.deleted {
                    self.included[i] = true;
                }
                self.next = Shrink::Delete { at: at + width, width };
                self.advance()
            }
            Some(Shrink::Element(i)) => {
                if self.elements[i].complicate() {
                    self.pending = Some(Shrink::Element(i));
                    return true;
                }
                self.next = Shrink::Element(i + 1);
                self.advance()
            }
            None => false,
        }
    }
}

/// Sequences of 1 to [`MAX_OPS`] operations.
fn operations() -> impl Strategy<Value = Vec<Op>> {
    Sequence { element: op(), len: 1..=MAX_OPS }
}

/// [`DEFAULT_CASES`] cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/reference.txt`.
fn config() -> ProptestConfig {
    ProptestConfig {
        max_shrink_iters: 4_000,
        ..proptest_config::persisted("proptest-regressions/reference.txt", DEFAULT_CASES)
    }
}

proptest! {
    #![proptest_config(config())]

    /// Long random sequences: the registry and the model agree on every command and every
    /// report after it.
    #[test]
    fn the_registry_behaves_as_the_reference_model(shanghai in any::<bool>(), ops in operations()) {
        run(shanghai, &ops);
    }
}

/// How a log of records is damaged (issue 14 §2): events dropped, torn off, reordered,
/// duplicated or moved between records, each with the digests left as they were (a torn or
/// edited file) or chained again over the damage (a host that wrote what it should not
/// have); whole records dropped, repeated or swapped.
#[derive(Debug, Clone, Copy)]
enum Tamper {
    DropEvent { rechain: bool },
    TearEvents { rechain: bool },
    SwapEvents { rechain: bool },
    DuplicateEvent { rechain: bool },
    MoveEvent { rechain: bool },
    DropRecord,
    DuplicateRecord,
    SwapRecords,
}

impl Tamper {
    /// Whether the damage comes with the digests recomputed over it.
    fn rechains(self) -> bool {
        match self {
            Tamper::DropEvent { rechain }
            | Tamper::TearEvents { rechain }
            | Tamper::SwapEvents { rechain }
            | Tamper::DuplicateEvent { rechain }
            | Tamper::MoveEvent { rechain } => rechain,
            Tamper::DropRecord | Tamper::DuplicateRecord | Tamper::SwapRecords => false,
        }
    }
}

fn tamper() -> impl Strategy<Value = (Tamper, u16, u16)> {
    let kind = prop_oneof![
        any::<bool>().prop_map(|rechain| Tamper::DropEvent { rechain }),
        any::<bool>().prop_map(|rechain| Tamper::TearEvents { rechain }),
        any::<bool>().prop_map(|rechain| Tamper::SwapEvents { rechain }),
        any::<bool>().prop_map(|rechain| Tamper::DuplicateEvent { rechain }),
        any::<bool>().prop_map(|rechain| Tamper::MoveEvent { rechain }),
        Just(Tamper::DropRecord),
        Just(Tamper::DuplicateRecord),
        Just(Tamper::SwapRecords),
    ];
    (kind, any::<u16>(), any::<u16>())
}

/// Chain `records[from..]` again over whatever they now hold, each at its index.
fn rechain(records: &mut [Record], from: usize) {
    for i in from.max(1)..records.len() {
        let previous = records[i - 1].digest();
        let r = &records[i];
        records[i] = Record::new(&previous, i as u64, r.request().cloned(), r.round(), r.events().to_vec());
    }
}

/// `records` damaged by `how` at the picks, and the position of the first record a replay
/// must refuse; `None` when the log has no place for that damage.
fn damaged(records: &[Record], how: Tamper, pick: u16, pick2: u16) -> Option<(Vec<Record>, u64)> {
    let mut log = records.to_vec();
    let with = |n: usize| -> Vec<usize> { (1..log.len()).filter(|&i| log[i].events().len() >= n).collect() };
    let choose = |among: &[usize]| among.get(usize::from(pick) % among.len().max(1)).copied();
    let edit = |log: &mut Vec<Record>, k: usize, events: Vec<Event>, rechained: bool| {
        let r = &log[k];
        let digest = r.digest();
        let mut edited = Record::new(&log[k - 1].digest(), k as u64, r.request().cloned(), r.round(), events);
        if !rechained {
            // The digest the record had: what an edit of the file leaves.
            let mut value = serde_json::to_value(&edited).expect("JSON");
            value["digest"] = serde_json::to_value(digest).expect("JSON");
            edited = serde_json::from_value(value).expect("a record");
        }
        log[k] = edited;
        if rechained {
            rechain(log, k + 1);
        }
    };
    match how {
        Tamper::DropEvent { rechain } => {
            let k = choose(&with(1))?;
            let mut events = log[k].events().to_vec();
            events.remove(usize::from(pick2) % events.len());
            edit(&mut log, k, events, rechain);
            Some((log, k as u64))
        }
        Tamper::TearEvents { rechain } => {
            // A log that ends inside a command: the last record with events, cut short.
            let k = *with(1).last()?;
            log.truncate(k + 1);
            let mut events = log[k].events().to_vec();
            events.truncate(usize::from(pick2) % events.len());
            edit(&mut log, k, events, rechain);
            Some((log, k as u64))
        }
        Tamper::SwapEvents { rechain } => {
            let k = choose(&with(2))?;
            let mut events = log[k].events().to_vec();
            let (a, b) = (usize::from(pick2) % events.len(), usize::from(pick2 / 7 + 1) % events.len());
            if events[a] == events[b] {
                return None;
            }
            events.swap(a, b);
            edit(&mut log, k, events, rechain);
            Some((log, k as u64))
        }
        Tamper::DuplicateEvent { rechain } => {
            let k = choose(&with(1))?;
            let mut events = log[k].events().to_vec();
            let at = usize::from(pick2) % events.len();
            events.insert(at, events[at].clone());
            edit(&mut log, k, events, rechain);
            Some((log, k as u64))
        }
        Tamper::MoveEvent { rechain } => {
            // The last event of a record moved to the start of the next one.
            let k = choose(&with(1).into_iter().filter(|&k| k + 1 < log.len()).collect::<Vec<_>>())?;
            let mut events = log[k].events().to_vec();
            let moved = events.pop()?;
            let mut next = log[k + 1].events().to_vec();
            next.insert(0, moved);
            edit(&mut log, k, events, rechain);
            edit(&mut log, k + 1, next, rechain);
            Some((log, k as u64))
        }
        Tamper::DropRecord => {
            let k = 1 + usize::from(pick) % (log.len().checked_sub(2)?).max(1);
            if k + 1 >= log.len() {
                return None;
            }
            log.remove(k);
            Some((log, k as u64 + 1))
        }
        Tamper::DuplicateRecord => {
            let k = 1 + usize::from(pick) % (log.len() - 1);
            log.insert(k, log[k].clone());
            Some((log, k as u64))
        }
        Tamper::SwapRecords => {
            let k = 1 + usize::from(pick) % (log.len().checked_sub(2)?).max(1);
            if k + 1 >= log.len() {
                return None;
            }
            log.swap(k, k + 1);
            Some((log, k as u64 + 1))
        }
    }
}

/// Tampering runs fewer sequences than the model comparison: each is one more replay.
fn tamper_config() -> ProptestConfig {
    proptest_config::persisted("proptest-regressions/records.txt", DEFAULT_CASES / 2)
}

proptest! {
    #![proptest_config(tamper_config())]

    /// A damaged log of records is always refused, at the position of the first record the
    /// damage reaches, never replayed into a clean-looking registry; a snapshot continues with
    /// its own tail only.
    #[test]
    fn a_damaged_log_of_records_is_refused_at_its_position(
        shanghai in any::<bool>(),
        ops in Sequence { element: op(), len: 1..=MAX_OPS / 2 },
        (how, pick, pick2) in tamper(),
        cut in any::<u16>(),
    ) {
        let world = run(shanghai, &ops);
        let records = &world.records;
        if let Some((log, position)) = damaged(records, how, pick, pick2) {
            // With the digests recomputed, a damaged record can be a record some other command
            // makes on that state: a round whose `DayOpened` is dropped, left with a release of
            // the day before, is what `Command::Release` makes on that day. That is a rewritten
            // history, which only the digest chain (or a snapshot's head) tells from the real
            // one; the records after it are still refused where they no longer fit.
            // (Only events are damaged in place, at the index of their position.)
            let k = usize::try_from(position).expect("a position");
            let in_place = !matches!(how, Tamper::DropRecord | Tamper::DuplicateRecord | Tamper::SwapRecords);
            let rewritten = in_place && k < log.len() && Registry::replay_records(&log[..=k]).is_ok();
            prop_assert!(!rewritten || how.rechains(), "{:?} at {} passed the digest chain", how, position);
            match Registry::replay_records(&log) {
                Ok(_) => prop_assert!(rewritten, "{how:?} at {position} replayed"),
                Err(Error::Registry(RegistryError::Record { position: found, source })) if rewritten => {
                    prop_assert!(found > position, "{:?}: {} at {}", how, source, found);
                }
                Err(Error::Registry(RegistryError::Record { position: found, source })) => {
                    prop_assert_eq!(found, position, "{:?}: {}", how, source);
                }
                Err(e) => prop_assert!(false, "{how:?}: {e}"),
            }
        }
        // A snapshot at a record goes on with the records after it, and with nothing else.
        let k = usize::from(cut) % records.len();
        let prefix = Registry::replay_records(&records[..=k]).expect("a prefix replays");
        let json = serde_json::to_string(&prefix).expect("a snapshot");
        let mut resumed: Registry = serde_json::from_str(&json).expect("the snapshot loads");
        prop_assert_eq!(resumed.head(), prefix.head());
        if k + 2 < records.len() {
            let mut stale = resumed.clone();
            prop_assert!(stale.apply_record(&records[k + 2]).is_err());
            prop_assert!(stale == prefix && stale.head() == prefix.head());
        }
        for record in &records[k + 1..] {
            resumed.apply_record(record).expect("the tail continues the snapshot");
        }
        prop_assert!(resumed == world.reg && resumed.head() == world.reg.head());
        prop_assert_eq!(resumed.remembered_requests(), world.reg.remembered_requests());
    }
}

/// Every kind of damage finds a place in the log of a scripted sequence (a day's round of
/// several events, a positive test with its conversions), and every one is refused at its
/// position: the property above is not vacuous.
#[test]
fn every_kind_of_damage_is_tried_and_refused() {
    let mut ops = vec![
        Op::StartCase { person: 0, smart: false, policy: 1, category: 1, anchor: -1, on: 0, linked: None },
        // Persons 1 (at person 0's address) and 2, secondary contacts linked to person 0.
        Op::StartCase { person: 1, smart: false, policy: 2, category: 1, anchor: -1, on: 0, linked: None },
        Op::StartCase { person: 2, smart: false, policy: 2, category: 1, anchor: -1, on: 0, linked: None },
        // Persons 6 and 7, of one household, back from the epidemic area the same day.
        Op::StartCase { person: 6, smart: false, policy: 0, category: 2, anchor: 0, on: 0, linked: None },
        Op::StartCase { person: 7, smart: false, policy: 0, category: 2, anchor: 0, on: 0, linked: None },
        Op::Routine,
        Op::OpenDay { days: 1 },
        Op::RecordTest { person: 0, smart: false, on: 0, positive: true },
    ];
    for _ in 0..16 {
        ops.extend([Op::Routine, Op::OpenDay { days: 1 }]);
    }
    let world = run(false, &ops);
    let records = &world.records;
    let conversions = |r: &&Record| r.events().iter().filter(|e| matches!(e, Event::CaseConverted { .. })).count();
    assert!(records.iter().any(|r| conversions(&r) >= 2), "a positive test converting two secondary contacts");
    assert!(
        records.iter().any(|r| matches!(r.events().first(), Some(Event::DayOpened { .. })) && r.events().len() >= 2),
        "a round of several events"
    );
    let mut tried = BTreeMap::new();
    for rechain in [false, true] {
        for how in [
            Tamper::DropEvent { rechain },
            Tamper::TearEvents { rechain },
            Tamper::SwapEvents { rechain },
            Tamper::DuplicateEvent { rechain },
            Tamper::MoveEvent { rechain },
            Tamper::DropRecord,
            Tamper::DuplicateRecord,
            Tamper::SwapRecords,
        ] {
            for pick in 0..64 {
                let Some((log, position)) = damaged(records, how, pick, pick * 3 + 1) else { continue };
                match Registry::replay_records(&log) {
                    Err(Error::Registry(RegistryError::Record { position: found, .. })) if found == position => {}
                    other => panic!("{how:?} at {position}: {:?}", other.map(|_| "replayed")),
                }
                *tried.entry(format!("{how:?}")).or_insert(0) += 1;
            }
        }
    }
    assert_eq!(tried.len(), 13, "{tried:?}");
}

/// The setup alone, with both level schemes: every command accepted, every report agreed.
#[test]
fn the_setup_agrees_with_the_model() {
    for shanghai in [false, true] {
        let world = run(shanghai, &[]);
        assert_eq!(world.model.units.len(), 12);
        assert_eq!(world.model.persons.len(), 10);
        assert!(world.reg.audit().is_empty());
    }
}

/// A hand-written sequence through every kind of case event: a close contact whose positive
/// test converts a linked secondary contact, a release flagged for review, a restart, a fever.
#[test]
fn a_scripted_sequence_exercises_the_case_rules() {
    let mut ops = vec![
        // Person 0 a close contact (policy 1, central 3 + home 2) exposed yesterday.
        Op::StartCase { person: 0, smart: false, policy: 1, category: 1, anchor: -1, on: 0, linked: None },
        // Person 2 a secondary contact linked to case 0 (policy 2).
        Op::StartCase { person: 2, smart: false, policy: 2, category: 1, anchor: -1, on: 0, linked: Some(1) },
        // Person 5 back from the epidemic area (policy 0, home 4).
        Op::StartCase { person: 5, smart: false, policy: 0, category: 2, anchor: 0, on: 0, linked: None },
        Op::Routine,
        Op::OpenDay { days: 1 },
        Op::Routine,
        Op::OpenDay { days: 1 },
        Op::RecordTest { person: 0, smart: false, on: 0, positive: true },
        Op::Exposed { person: 5, smart: false, later: 1, on: 0 },
        Op::RecordCheck { person: 5, smart: false, on: 0, hour: 8, tenths: 385, symptoms: true },
    ];
    for _ in 0..8 {
        ops.extend([Op::Routine, Op::OpenDay { days: 1 }]);
    }
    ops.push(Op::Release { case: 1, smart: false, on: 0 });
    let world = run(false, &ops);
    let statuses: Vec<&CaseStatus> = world.model.cases.iter().map(|c| &c.status).collect();
    assert!(matches!(statuses[0], CaseStatus::Escalated { to: State::Confirmed, .. }), "{statuses:?}");
    assert_eq!(world.model.cases[1].category, Category::CloseContact, "converted");
    assert!(matches!(statuses[2], CaseStatus::Escalated { to: State::Suspected, .. }), "{statuses:?}");
}

/// The operations are not idle: over eight sequences of a fixed seed, every command is
/// accepted and (where the rules can refuse it) refused, and every kind of case and roster
/// event occurs. Run with `--nocapture` to see the counts.
#[test]
fn the_operations_reach_every_command_and_outcome() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = (any::<bool>(), prop::collection::vec(op(), MAX_OPS..=MAX_OPS));
    let mut total: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut days = 0;
    for _ in 0..8 {
        let (shanghai, ops) = strategy.new_tree(&mut runner).expect("a sequence").current();
        let world = run(shanghai, &ops);
        days += (world.today - start()).num_days();
        for (k, (ok, refused)) in world.outcomes {
            let t = total.entry(k).or_default();
            (t.0, t.1) = (t.0 + ok, t.1 + refused);
        }
    }
    for (k, (ok, refused)) in &total {
        println!("{k:<24} accepted {ok:>5}  refused {refused:>5}");
    }
    let commands: usize = total.iter().filter(|(k, _)| !k.contains(' ')).map(|(_, (a, r))| a + r).sum();
    println!("8 sequences of {MAX_OPS} operations: {commands} commands after the setups, {days} days");
    let never_refused = ["SetColourRule", "OpenDay"];
    for command in [
        "AddUnit",
        "MoveUnit",
        "CloseUnit",
        "CreateOverlay",
        "AddCell",
        "ExtendCell",
        "AddHousehold",
        "MoveHousehold",
        "RegisterPerson",
        "MovePerson",
        "SetMarkers",
        "SetState",
        "SetColourRule",
        "AdoptPolicy",
        "StartCase",
        "Exposed",
        "RecordCheck",
        "RecordTest",
        "Release",
        "OpenDay",
        "AddStaff",
        "SetAvailability",
        "AdoptScheme",
        "Assign",
        "Unassign",
        "Solve",
        "Replace",
        "AdjustCase",
        "ChangePolicy",
    ] {
        let (ok, refused) = total.get(command).copied().unwrap_or_default();
        assert!(ok > 0, "{command} never accepted");
        assert!(refused > 0 || never_refused.contains(&command), "{command} never refused");
    }
    for event in [
        "CaseStarted",
        "CaseRestarted",
        "CheckRecorded",
        "TestRecorded",
        "CaseConverted",
        "PhaseEntered",
        "CaseReleased",
        "CaseFlagged",
        "Rostered",
        "UnitClosed",
        "ColourRuleSet",
        "PolicyChanged",
        "CaseAdjusted",
    ] {
        assert!(total.get(&format!("event {event}")).is_some_and(|t| t.0 > 0), "no {event} event");
    }
    for rule in ["rule escalated after release", "rule released early"] {
        assert!(total.get(rule).is_some_and(|t| t.0 > 0), "never {rule}");
    }
}
