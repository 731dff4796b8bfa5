//! The audit 纵向稽核: every invariant of a registry rechecked from scratch.
//!
//! [`Registry::audit`] reads the whole registry and recomputes what commands keep live (the
//! tree's shape, each household at an open unit, every colour and tally, the case indexes, the
//! rosters) and reports each difference as a [`Finding`]. Nothing calls it on the hot path:
//! loading a snapshot runs it before handing the registry out (all of it but the recheck of
//! the tables loading has just built from scratch), tests run it after every step, and a host
//! may run it at night.
//!
//! # Every command rule, on load
//! A snapshot must hold only what commands can reach (issue 14 §3). Each rule a command
//! enforces is enforced on [`Registry::from_snapshot`](super::Registry::from_snapshot) by the
//! loader's structural checks (a refusal before the audit: [`Tree::from_data`](crate::grid::Tree::from_data),
//! [`Overlays::from_data`](crate::grid::Overlays::from_data), [`Population::from_data`](crate::people::Population::from_data),
//! serde's checked constructors, the case and duty books' `from_parts`) or by a [`Finding`]:
//!
//! | Command check (where) | Rule | Enforced on load by |
//! |---|---|---|
//! | `Tree::check_add`, `check_name` (grid/tree.rs, grid/unit.rs) | name valid, parent open and holding units, level in the scheme and nesting, code unique | `Tree::from_data` |
//! | `Tree::check_move`, `Overlays::check_move` (grid) | no cycle, levels nest, open units; cells never overlap | `Tree::from_data`, [`Finding::Tree`], `Overlays::from_data`, [`Finding::Overlay`] |
//! | `Tree::check_close` (grid/tree.rs) | root never closed, children closed first | `Tree::from_data` ("an open unit under a closed parent") |
//! | `Tree::check_holds_households`, `check_container` (grid/tree.rs) | households at open units that hold residents | `from_snapshot`, [`Finding::Placement`] |
//! | `Overlays::check_create` (grid/overlay.rs) | overlay names valid and unique | `Overlays::from_data` |
//! | `check_add_cell`, `check_extend_cell`, `check_units` (grid/overlay.rs) | cells name existing units, none twice, none inside another of the overlay | `Overlays::from_data`, [`Finding::Overlay`] |
//! | `check_add_household`, `check_door`, `check_move_household` (people/mod.rs) | a known unit; doors unique per unit | `Population::from_data`, [`Finding::Population`] |
//! | `check_register`, `check_move_person` (people/mod.rs) | a known household; one person one file (resident number, passport) | `Population::from_data`, [`Finding::Population`] |
//! | `check_value`, `check_byte`, `check_character` (people/identity.rs) | resident numbers with their check character | `ResidentId`'s deserialisation |
//! | `PersonState::change` via `SetState` (colour/state.rs) | the transition table | any state is reachable without a case (`RegisterPerson` takes any state); under a case see `check_not_under_case` |
//! | `check_not_under_case` (registry/cases.rs) | a person under an active case changes state only with it | [`Finding::Case`] (the person is in the state the case's category has on its settled date) |
//! | `check_case` `PolicyAdopted` (registry/cases.rs), `Policy::validate` | policy names unique; a valid policy | `CaseBook::from_parts`; `Policy`'s deserialisation |
//! | `check_case` `CaseStarted`: person known, not under another case | one active case per person | `CaseBook::from_parts` |
//! | `check_link` (registry/cases.rs) | a secondary contact under a linked policy, linked to another person's close-contact case without a positive test | `CaseBook::from_parts` (an earlier case), [`CaseRule::Link`] (all but the positive test: see below) |
//! | `period`, `restart_period` (registry/cases.rs): `AnchorAfterStart`, `PeriodOver`, `RestartNotLater`, `BackDated` | anchor and settled date before the period ends | `Case::problem` (anchor and start not after the settled date), [`CaseRule::SettledAfterRelease`] |
//! | `check_case` `CheckRecorded` / `TestRecorded`: `BeforeAnchor`, `TestAlreadyRecorded` | records not before the anchor; one test a day | [`CaseRule::EscalatedBeforeAnchor`]; one test a day by type ([`DayRecord`](crate::quarantine::DayRecord)); days in order by `Case::problem`; [`CaseRule::EmptyDay`] |
//! | fever / positive escalation (`check_case`, `decide_case`) | a fever or a positive test ends the case | [`CaseRule::PositiveNotEscalated`], [`CaseRule::EscalationWithoutRecord`] |
//! | `check_case` `CaseConverted`, `check_conversions` | a positive close contact converts every active linked secondary contact | not on load (see below) |
//! | `check_case` `PhaseEntered` | the person's state follows the phases | [`Finding::Case`] (state on the settled date) and the index rebuild |
//! | `check_case` `CaseReleased`: `TooEarly`, `NotReleasable` | released on or after the release date, with nothing missing | [`CaseRule::ReleasedEarly`], [`CaseRule::ReleasedWithBlockers`] (the case's own records) |
//! | `check_case` `CaseFlagged` | flagged on or after the release date, for what is missing | [`CaseRule::ReviewedEarly`], [`CaseRule::ReviewReasons`] |
//! | `adjustment`, `policy_change` (registry/cases.rs): `ZeroAdjustment`, `SamePolicy`, `InvalidLength`, the business date | a case's changes ([`CaseChange`](crate::quarantine::CaseChange)): none of 0 days, none from a policy to itself, dated in order between its start and its settled date, leaving 1 to 366 days, a case not a close contact's following the policy its last change gave it | `Case::problem` (`CaseBook::from_parts`), the case's schedule computed on load |
//! | state changes of case events (`case_change`) | ending a case changes its person on that date or later | [`CaseRule::PersonChangedBefore`] |
//! | `check_duty` `StaffAdded` (registry/duties.rs), `Staff::new`, `available` | home in the tree; a load limit; availability in order | [`Finding::Duty`]; `Staff`'s deserialisation |
//! | `check_duty` `SchemeAdopted`, `Scheme::validate` | scheme names unique; a valid scheme | [`Finding::SchemeNameTaken`]; `Scheme`'s deserialisation |
//! | `check_rostered` (registry/duties.rs): `UnknownStaff`, `NotHeld`, `Duplicate` | holders known, each assignment once | `DutyBook::from_parts`, [`Finding::Duty`] |
//! | `check_rostered`: `RoleNotForTarget`, `NotSelected` | a role of the rule selecting the target | [`Finding::Duty`] (a role of the scheme), [`Finding::RoleNotForTarget`] (level, kind, overlay, persons), target exists ([`Finding::Duty`]) |
//! | `check_rostered`: `Ineligible` | the holder holds a qualification the role admits | [`Finding::Ineligible`] |
//! | `check_rostered`: `Overfilled`, `OverLoad` | slot counts, load limits | [`Finding::Duty`] |
//! | `check_command` and the checks of registry/scope.rs | what a scoped caller may touch | not state: nothing to load |
//!
//! **Checked on the command's date only, and not on load**, because later commands may break
//! them without any command refusing: a holder's availability (`Unavailable`:
//! `SetAvailability` changes it afterwards), locality (`LocalityBreach`: `MoveUnit`,
//! `MoveHousehold` and `MovePerson` move targets and homes afterwards; coverage reports such
//! holders as invalid), a person target's state and an open unit (`NotSelected`: states
//! change, units close), records dated before a restarted case's anchor (`BeforeAnchor`:
//! `Exposed` moves the anchor later), a released secondary contact's linked tests
//! (`LinkedTestsPending`: the close contact's back-dated tests arrive afterwards), and a
//! person's state date under an active case (the state may have been set before the case
//! started, on any date). **Not audited while a command's events may be split**: an active
//! secondary contact still linked to a close contact who tested positive (`AlreadyPositive`,
//! and the conversions `check_conversions` guarantees): the positive test's event, applied
//! alone as [`Registry::apply_event`](super::Registry::apply_event) and a replayed log allow,
//! leaves it so until the conversion events of the same command; once a command is stored and
//! replayed as one record (issue 14 §2) this becomes a finding.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;
use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use super::Registry;
use crate::colour::{Colour, State, Tally};
use crate::duty::{Role, Target, TargetSelector};
use crate::quarantine::{Case, CaseStatus, Category, Ending, LinkProblem, ReviewReason, TestResult};
use crate::{CaseId, CellId, HouseholdId, SchemeId, StaffId, UnitId};

/// One invariant violation found by [`Registry::audit`]. A registry built only through
/// commands and events has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Finding {
    /// The tree's shape or its derived tables are wrong at a unit.
    Tree {
        /// The unit.
        unit: UnitId,
        /// What is wrong.
        problem: String,
    },
    /// An overlay's cells overlap or its index is wrong.
    Overlay {
        /// What is wrong.
        problem: String,
    },
    /// One person one file, or the household/member links, are broken.
    Population {
        /// What is wrong.
        problem: String,
    },
    /// A household sits at a unit that cannot hold it (missing, closed, an entrance ...).
    Placement {
        /// The household.
        household: HouseholdId,
        /// Its unit.
        unit: UnitId,
    },
    /// A household's stored colour differs from a classification of its members by the rule
    /// in force.
    Colour {
        /// The household.
        household: HouseholdId,
        /// The colour stored.
        stored: Colour,
        /// The colour expected.
        expected: Colour,
    },
    /// A unit's stored tally differs from a recount, or from its own households plus the sum
    /// of its children's tallies.
    Tally {
        /// The unit.
        unit: UnitId,
        /// The tally stored.
        stored: Box<Tally>,
        /// The tally expected.
        expected: Box<Tally>,
    },
    /// A cell's stored tally differs from the sum of its units' tallies.
    CellTally {
        /// The cell.
        cell: CellId,
        /// The tally stored.
        stored: Box<Tally>,
        /// The tally expected.
        expected: Box<Tally>,
    },
    /// A table has the wrong number of rows.
    Table {
        /// What is wrong.
        problem: String,
    },
    /// An isolation case names what does not exist, its person's state does not follow it, or
    /// the case indexes differ from a rebuild.
    Case {
        /// What is wrong.
        problem: String,
    },
    /// A roster names a staff member or target that does not exist, repeats an assignment,
    /// overfills a slot or overloads a staff member, or the loads differ from a recount.
    Duty {
        /// What is wrong.
        problem: String,
    },
    /// The work book names a staff member, unit or subject that does not exist, a plan that
    /// is not valid, or tasks of days it cannot hold.
    Work {
        /// What is wrong.
        problem: String,
    },
    /// Two schemes share a name: [`Command::AdoptScheme`](super::Command::AdoptScheme) refuses
    /// a name taken ([`DutyError::SchemeNameTaken`](crate::duty::DutyError::SchemeNameTaken)).
    SchemeNameTaken {
        /// The later scheme.
        scheme: SchemeId,
        /// The first scheme of that name.
        first: SchemeId,
    },
    /// A roster holder lacks every qualification their role admits: an assignment refuses
    /// them ([`RosterProblem::Ineligible`](crate::duty::RosterProblem::Ineligible)), and
    /// qualifications never change after [`Command::AddStaff`](super::Command::AddStaff).
    Ineligible {
        /// The scheme.
        scheme: SchemeId,
        /// The target held for.
        target: Target,
        /// The role held.
        role: Role,
        /// The holder.
        staff: StaffId,
    },
    /// A role is held for a target that the rule asking the role could never select: a unit
    /// of another level or kind, a cell of another overlay, a unit or cell for persons. An
    /// assignment refuses it ([`RosterProblem::RoleNotForTarget`](crate::duty::RosterProblem::RoleNotForTarget)),
    /// and a unit's level and kind, a cell's overlay and a scheme's rules never change.
    RoleNotForTarget {
        /// The scheme.
        scheme: SchemeId,
        /// The target.
        target: Target,
        /// The role.
        role: Role,
    },
    /// An isolation case holds what no sequence of case commands leaves: see [`CaseRule`].
    CaseRule {
        /// The case.
        case: CaseId,
        /// The rule it breaks.
        rule: CaseRule,
    },
    // Issue 16 §4: the contact graph.
    /// The contact book names a person, unit, staff member, policy or case that does not
    /// exist or does not fit, or is dated after the business date.
    Contact {
        /// What is wrong.
        problem: String,
    },
    // Arrivals by origin (issue 16 §3).
    /// The arrival book names a person or household that does not exist, holds two
    /// arrivals of a person on one date, or an arrival after the business date.
    Arrival {
        /// What is wrong.
        problem: String,
    },
    // Issue 16 §2: traced lists.
    /// A traced row holds a status no command gives it (a bad row read as good or the
    /// reverse, a person other than its document's, a settlement before its receipt ...).
    Trace {
        /// What is wrong.
        problem: String,
    },
    // Issue 16 §1: screening campaigns.
    /// A campaign names an unknown unit, household, policy or visitor, or a category not an
    /// arrival's, or holds a visit off its list, before its start or after the business date,
    /// or a person found back from a key area said to arrive after the visit or under no case
    /// of the campaign's category anchored on or after their arrival.
    Screen {
        /// What is wrong.
        problem: String,
    },
    // Issue 17 §3: workplaces and rental properties.
    /// A filing of a unit that is not a workplace, a status history no sequence of changes
    /// makes, an unknown employee or a leader who is not a leading cadre, a rental property
    /// that does not exist, inspections out of order, or anything after the business date.
    Firms {
        /// What is wrong.
        problem: String,
    },
    // Issue 17 §2: closed management, passes, entry checks.
    /// The access book holds what no command makes: a status on a unit not a compound, a
    /// history out of order or repeating itself, a pass of an unknown household, an entry a
    /// pass could not have admitted, a fever routed otherwise than its reading, a record
    /// after the business date.
    Access {
        /// What is wrong.
        problem: String,
    },
    // Issue 17 §1: checkpoints, closed entrances, shift rosters.
    /// The gates book holds what no command makes: a checkpoint not at an entrance, spans
    /// out of order or overlapping, a roster breaking its rules (see
    /// [`Registry::audit`](super::Registry::audit)), anything after the business date.
    Gates {
        /// What is wrong.
        problem: String,
    },
}

/// A rule of the case commands that a case read from a snapshot breaks, in
/// [`Finding::CaseRule`]. Each names the command check that the state could not have passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CaseRule {
    /// A day record holds neither a check nor a test, or symptoms without a check: only a
    /// check ([`Command::RecordCheck`](super::Command::RecordCheck)) or a test makes a day.
    EmptyDay {
        /// The day.
        date: NaiveDate,
    },
    /// A positive test in a case not escalated to a confirmed case on or after its date: a
    /// positive result ends the case on the business date it is recorded (the person under an
    /// active case is never confirmed already).
    PositiveNotEscalated {
        /// The test's date.
        date: NaiveDate,
    },
    /// An escalated case without the record that escalates: a check on its date (a suspected
    /// case) or a positive test on it (a confirmed case); or escalated to another state.
    EscalationWithoutRecord {
        /// The date it ended.
        on: NaiveDate,
        /// The state it escalated to.
        to: State,
    },
    /// Escalated before its anchor ([`CaseError::BeforeAnchor`](crate::quarantine::CaseError::BeforeAnchor)).
    EscalatedBeforeAnchor {
        /// The date it ended.
        on: NaiveDate,
        /// Its anchor.
        anchor: NaiveDate,
    },
    /// Released before its schedule's release date ([`CaseError::TooEarly`](crate::quarantine::CaseError::TooEarly)).
    ReleasedEarly {
        /// The date it was released.
        on: NaiveDate,
        /// Its schedule's release date.
        release: NaiveDate,
    },
    /// Released while its own records block release ([`CaseError::NotReleasable`](crate::quarantine::CaseError::NotReleasable)):
    /// no more records come once a case ended, so they blocked it then.
    ReleasedWithBlockers {
        /// What its records lack.
        reasons: Vec<ReviewReason>,
    },
    /// Under review since before its release date: a case is flagged on or after it.
    ReviewedEarly {
        /// The date it was flagged.
        since: NaiveDate,
        /// Its schedule's release date.
        release: NaiveDate,
    },
    /// Under review for no reason, for a reason twice or out of order, for a reason its
    /// schedule and link cannot give (a last-day check under an automatic ending, a last-day
    /// test where none is due, the linked close contact's tests without a link), without a
    /// reason its records still give (no check or no negative test on the last day: checks and
    /// tests are only ever added), or for symptoms its last day does not hold (symptoms are
    /// never taken back).
    ReviewReasons {
        /// The reasons stored.
        reasons: Vec<ReviewReason>,
    },
    /// Open (or under review, not reopened), not a close contact's case, yet its state was settled after its release date: a
    /// case started ([`CaseError::PeriodOver`](crate::quarantine::CaseError::PeriodOver)) or
    /// restarted refuses a period over, and a phase is entered before the release. (A close
    /// contact's case may be a converted secondary contact, settled on the conversion day; a
    /// case whose escalation an erratum undid after its release date is settled on that day,
    /// under review, and keeps that date once a fever or a release ends it.)
    SettledAfterRelease {
        /// The date it was settled.
        settled: NaiveDate,
        /// Its schedule's release date.
        release: NaiveDate,
    },
    /// Its link to a close contact's case is one [`Command::StartCase`](super::Command::StartCase)
    /// refuses ([`CaseError::InvalidLink`](crate::quarantine::CaseError::InvalidLink)): not a
    /// secondary contact under a linked policy, not a close contact's case, or the person's own.
    /// (An active case still linked to a close contact who tested positive is not refused: the
    /// positive test's event alone leaves it so until the conversions that follow it in the
    /// same command, and a log may end between them until commands are stored as one record.)
    Link {
        /// The case it is linked to.
        linked: CaseId,
        /// What is wrong with the link.
        problem: LinkProblem,
    },
    /// The case started, or came to stand where it stands, after the business date 业务日期:
    /// commands record nothing after it, and the daily round runs no later.
    AfterBusinessDate {
        /// The date of the start or of the status.
        date: NaiveDate,
        /// The business date.
        business_date: NaiveDate,
    },
    /// The case ended after its person's current state began: ending a case changes the
    /// person's state on that date or later, and later changes are later still.
    PersonChangedBefore {
        /// The date the case ended.
        on: NaiveDate,
        /// The date the person's state began.
        since: NaiveDate,
    },
}

impl std::fmt::Display for CaseRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaseRule::EmptyDay { date } => write!(f, "its day {date} holds neither a check nor a test"),
            CaseRule::AfterBusinessDate { date, business_date } => {
                write!(f, "it is dated {date}, after the business date {business_date}")
            }
            CaseRule::PositiveNotEscalated { date } => {
                write!(f, "its positive test of {date} did not make it a confirmed case")
            }
            CaseRule::EscalationWithoutRecord { on, to } => {
                write!(f, "it escalated to {to} on {on} without the record that escalates")
            }
            CaseRule::EscalatedBeforeAnchor { on, anchor } => {
                write!(f, "it escalated on {on}, before its anchor {anchor}")
            }
            CaseRule::ReleasedEarly { on, release } => write!(f, "it was released on {on}, before {release}"),
            CaseRule::ReleasedWithBlockers { reasons } => {
                write!(f, "it was released with {} reason(s) to hold it", reasons.len())
            }
            CaseRule::ReviewedEarly { since, release } => {
                write!(f, "it is under review since {since}, before its release date {release}")
            }
            CaseRule::ReviewReasons { reasons } => write!(f, "it is under review for {reasons:?}"),
            CaseRule::SettledAfterRelease { settled, release } => {
                write!(f, "it was settled on {settled}, after its release date {release}")
            }
            CaseRule::Link { linked, problem } => write!(f, "its link to {linked}: {problem}"),
            CaseRule::PersonChangedBefore { on, since } => {
                write!(f, "it ended on {on}, after its person's state began on {since}")
            }
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Tree { unit, problem } => write!(f, "tree at {unit}: {problem}"),
            Finding::Overlay { problem } => write!(f, "overlay: {problem}"),
            Finding::Population { problem } => write!(f, "population: {problem}"),
            Finding::Placement { household, unit } => {
                write!(f, "household {household} sits at {unit}, which cannot hold it")
            }
            Finding::Colour { household, stored, expected } => {
                write!(f, "household {household} is coloured {stored}, its members make it {expected}")
            }
            Finding::Tally { unit, stored, expected } => {
                write!(f, "tally of {unit}: stored {}, expected {}", json(stored), json(expected))
            }
            Finding::CellTally { cell, stored, expected } => {
                write!(f, "tally of cell {cell}: stored {}, expected {}", json(stored), json(expected))
            }
            Finding::Table { problem } => f.write_str(problem),
            Finding::Case { problem } => write!(f, "case: {problem}"),
            Finding::Duty { problem } => write!(f, "responsibility: {problem}"),
            Finding::Work { problem } => write!(f, "the day's work: {problem}"),
            Finding::Arrival { problem } => write!(f, "the arrivals: {problem}"),
            Finding::Trace { problem } => write!(f, "traced lists: {problem}"),
            Finding::Screen { problem } => write!(f, "screening: {problem}"),
            Finding::Firms { problem } => write!(f, "workplaces and rentals: {problem}"),
            Finding::Access { problem } => write!(f, "the gates: {problem}"),
            Finding::Gates { problem } => write!(f, "checkpoints and rosters: {problem}"),
            Finding::SchemeNameTaken { scheme, first } => {
                write!(f, "scheme {scheme} has the name of scheme {first}")
            }
            Finding::Ineligible { scheme, target, role, staff } => {
                write!(f, "scheme {scheme}: {staff} holds {role} for {target:?} without a qualification for it")
            }
            Finding::RoleNotForTarget { scheme, target, role } => {
                write!(f, "scheme {scheme}: {role} is held for {target:?}, which its rule never selects")
            }
            Finding::CaseRule { case, rule } => write!(f, "{case}: {rule}"),
            Finding::Contact { problem } => write!(f, "contact graph: {problem}"),
        }
    }
}

/// A tally in one line, for findings.
fn json(t: &Tally) -> String {
    format!("{} households, {} persons", t.total_households(), t.total_persons())
}

impl Registry {
    /// Recheck every invariant from scratch and return each violation found (纵向稽核): the
    /// tree's shape (one root, one parent each, levels deepening, no cycle, checked
    /// independently with petgraph), overlays without overlaps, one person one file, every
    /// household at an open unit that can hold it, every household's colour equal to a fresh
    /// classification of its members, and per-unit tallies equal to a brute-force recount,
    /// each parent's equal to its own households plus the sum of its children's, each cell's
    /// equal to the sum of its units'.
    ///
    /// Then every rule a command enforces that still holds of what it left (see the module's
    /// table): scheme names unique, roster holders eligible and their targets of the kind their
    /// rule selects, and each case's records, status, dates, link and person as the case
    /// commands leave them ([`CaseRule`]).
    ///
    /// Empty for every registry built through commands, events or a snapshot.
    ///
    /// # Complexity
    /// O(units × levels + households × levels + persons), plus O(k²) per overlay naming k
    /// units, plus O(day records + assignments) for the command rules. Meant for tests, audits
    /// and loading, not for every command.
    pub fn audit(&self) -> Vec<Finding> {
        self.audit_with(Derived::Recheck)
    }

    /// The audit of a registry whose derived tables were just built from scratch from its
    /// source data ([`Registry::from_snapshot`](super::Registry::from_snapshot)): every check of
    /// [`Registry::audit`] on what a snapshot holds (the tree, overlays, placements, cases,
    /// staff, schemes, rosters and every command rule), but not the comparison of the derived
    /// tables (the population's indexes, colours, unit and cell tallies) with a recomputation,
    /// which on such a registry compares the output of the same functions with itself (and the
    /// unit tallies, built by the from-scratch recount, with the roll-up): a check of this
    /// code, which the tests make, not of the snapshot. A third of a city's load time.
    pub(crate) fn audit_loaded(&self) -> Vec<Finding> {
        self.audit_with(Derived::JustBuilt)
    }

    /// The audit, with or without the recheck of the derived tables.
    fn audit_with(&self, derived: Derived) -> Vec<Finding> {
        let mut found: Vec<Finding> =
            self.tree.self_check().into_iter().map(|(unit, problem)| Finding::Tree { unit, problem }).collect();

        // An independent look at the shape: petgraph over the parent pointers alone.
        let n = self.tree.len();
        let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, n.saturating_sub(1));
        let nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
        for (p, c) in self.tree.parent_links() {
            graph.add_edge(nodes[p.index()], nodes[c.index()], ());
        }
        if petgraph::algo::is_cyclic_directed(&graph) {
            found.push(Finding::Tree { unit: self.root(), problem: "the parent links form a cycle".to_owned() });
        }
        let mut dfs = Dfs::new(&graph, nodes[0]);
        let mut reached = 0usize;
        while dfs.next(&graph).is_some() {
            reached += 1;
        }
        if reached != n {
            found.push(Finding::Tree {
                unit: self.root(),
                problem: format!("only {reached} of {n} units hang under the root"),
            });
        }

        found.extend(self.overlays.self_check(&self.tree).into_iter().map(|problem| Finding::Overlay { problem }));
        if derived == Derived::Recheck {
            found.extend(self.population.self_check().into_iter().map(|problem| Finding::Population { problem }));
        }
        for (household, h) in self.population.households() {
            if self.tree.check_holds_households(h.unit()).is_err() {
                found.push(Finding::Placement { household, unit: h.unit() });
            }
        }

        let tables = [
            ("count", self.tallies.len(), n),
            ("state", self.states.len(), self.population.person_count()),
            ("colour", self.colours.len(), self.population.household_count()),
            ("cell tally", self.cell_tallies.len(), self.overlays.cell_count()),
            ("household list", self.population.unit_slots(), n),
        ];
        let mut short = false;
        for (what, rows, expected) in tables {
            if rows != expected {
                found.push(Finding::Table { problem: format!("{rows} {what} rows for {expected}") });
                short = true;
            }
        }
        if short {
            return found; // the checks below index the tables
        }
        if derived == Derived::Recheck {
            self.recheck_derived(&mut found);
        }
        found.extend(self.case_problems().into_iter().map(|problem| Finding::Case { problem }));
        found.extend(self.duty_problems().into_iter().map(|problem| Finding::Duty { problem }));
        found.extend(self.work_problems().into_iter().map(|problem| Finding::Work { problem }));
        found.extend(self.contact_problems().into_iter().map(|problem| Finding::Contact { problem }));
        found.extend(self.arrival_problems().into_iter().map(|problem| Finding::Arrival { problem }));
        found.extend(self.trace_problems().into_iter().map(|problem| Finding::Trace { problem }));
        found.extend(self.screen_problems().into_iter().map(|problem| Finding::Screen { problem }));
        found.extend(self.firms_problems().into_iter().map(|problem| Finding::Firms { problem }));
        found.extend(self.access_problems().into_iter().map(|problem| Finding::Access { problem }));
        found.extend(self.gates_problems().into_iter().map(|problem| Finding::Gates { problem }));
        self.scheme_rules(&mut found);
        self.case_rules(&mut found);
        found
    }

    /// Compare the colours, unit tallies and cell tallies with a fresh classification, a
    /// brute-force recount and the sums they must equal.
    fn recheck_derived(&self, found: &mut Vec<Finding>) {
        for (household, expected) in self.classify_all().into_iter().enumerate() {
            let household = HouseholdId::new(household as u32);
            let stored = self.colours[household.index()];
            if stored != expected {
                found.push(Finding::Colour { household, stored, expected });
            }
        }
        let recount = self.roll_up();
        for unit in self.tree.ids() {
            let stored = &self.tallies[unit.index()];
            let expected = &recount[unit.index()];
            if stored != expected {
                found.push(Finding::Tally {
                    unit,
                    stored: Box::new(stored.clone()),
                    expected: Box::new(expected.clone()),
                });
                continue;
            }
            let own = self.population.households_at(unit).iter().map(|&h| self.household_tally(h));
            let children = self.tree.children(unit).unwrap_or(&[]).iter().map(|c| self.tallies[c.index()].clone());
            let summed: Tally = own.chain(children).sum();
            if summed != *stored {
                found.push(Finding::Tally { unit, stored: Box::new(stored.clone()), expected: Box::new(summed) });
            }
        }
        let (_, cells) = self.tallies_from_scratch();
        for (i, expected) in cells.into_iter().enumerate() {
            let cell = CellId::new(i as u32);
            let stored = &self.cell_tallies[i];
            if *stored != expected {
                found.push(Finding::CellTally { cell, stored: Box::new(stored.clone()), expected: Box::new(expected) });
            }
        }
    }

    /// The rules of the responsibility commands that hold for good once an assignment is
    /// made: scheme names unique, every holder eligible, every role held for a target its
    /// rule can select. (Availability, locality and a person's state are checked on the
    /// assignment's date only, and later commands may change them: they are not audited.)
    fn scheme_rules(&self, found: &mut Vec<Finding>) {
        let mut names: std::collections::HashMap<&str, SchemeId> = std::collections::HashMap::new();
        for (scheme, spec) in self.schemes() {
            if let Some(&first) = names.get(spec.name()) {
                found.push(Finding::SchemeNameTaken { scheme, first });
            } else {
                names.insert(spec.name(), scheme);
            }
            let Ok(roster) = self.roster(scheme) else { continue };
            for a in roster.assignments() {
                let (target, role, staff) = (a.target, a.role, a.staff);
                if self.staff_member(staff).is_ok_and(|m| !m.is_eligible(role)) {
                    found.push(Finding::Ineligible { scheme, target, role, staff });
                }
                let Some(rule) = spec.slot(role).and_then(|(rule, _)| spec.rules().get(rule)) else { continue };
                let selectable = match (rule.targets(), target) {
                    (selector, Target::Unit(u)) => self.tree.unit(u).is_ok_and(|x| selector.selects_unit(x)),
                    (TargetSelector::CellsOf(overlay), Target::Cell(c)) => {
                        self.overlays.cell(c).is_ok_and(|x| x.overlay() == *overlay)
                    }
                    (TargetSelector::PersonsIn(_), Target::Person(_)) => true,
                    _ => false,
                };
                if !selectable {
                    found.push(Finding::RoleNotForTarget { scheme, target, role });
                }
            }
        }
    }

    /// The rules of the case commands, checked case by case against its records, its
    /// schedule, its link and its person's state; see [`CaseRule`].
    fn case_rules(&self, found: &mut Vec<Finding>) {
        for (case, c) in self.cases() {
            let mut push = |rule| found.push(Finding::CaseRule { case, rule });
            let (Ok(schedule), Ok(policy)) = (self.schedule(case), self.policy(c.policy())) else {
                continue; // reported by the case problems
            };
            let release = schedule.release();
            match c.status() {
                CaseStatus::Open => {}
                CaseStatus::Review { since, reasons } if Self::reopened(reasons) => {
                    // Reopened on the business date by a late positive of the linked close
                    // contact, or by an erratum undoing an escalation: not at a release date,
                    // and judged on the records as they were then.
                    if *since < c.anchor() {
                        push(CaseRule::ReviewReasons { reasons: reasons.clone() });
                    }
                }
                CaseStatus::Review { since, reasons } => {
                    if *since < release {
                        push(CaseRule::ReviewedEarly { since: *since, release });
                    }
                    let possible = |r: &ReviewReason| match r {
                        ReviewReason::NoLastDayCheck | ReviewReason::SymptomsOnLastDay => {
                            schedule.ending() == Ending::AfterCleanLastCheck
                        }
                        ReviewReason::NoLastDayTest => {
                            schedule.ending() == Ending::AfterCleanLastCheck
                                && schedule.tests_due_on(schedule.last_day()) > 0
                        }
                        ReviewReason::LinkedTestsPending => policy.linked().is_some() && c.linked().is_some(),
                        ReviewReason::ReleasedBeforeLinkedPositive | ReviewReason::EscalationCorrected => false,
                    };
                    let ordered = reasons.windows(2).all(|w| w[0] < w[1]);
                    // What the records lack now is not compared with the reasons: an erratum
                    // (issue 14 §1) may take back a check or a test after the flag.
                    if reasons.is_empty() || !ordered || !reasons.iter().all(possible) {
                        push(CaseRule::ReviewReasons { reasons: reasons.clone() });
                    }
                }
                CaseStatus::Released { on } => {
                    if *on < release {
                        push(CaseRule::ReleasedEarly { on: *on, release });
                    }
                    let reasons = c.release_blockers(&schedule, None);
                    if !reasons.is_empty() {
                        push(CaseRule::ReleasedWithBlockers { reasons });
                    }
                }
                &CaseStatus::Escalated { on, to } => {
                    // Only a fever or a positive result escalates. A positive is kept (an
                    // erratum takes it back only with the escalation), possibly back-dated; a
                    // check is counted, not kept, and an erratum may take the fever's back.
                    let recorded = match to {
                        State::Confirmed => {
                            c.days().iter().any(|d| d.date() <= on && d.test() == Some(TestResult::Positive))
                        }
                        State::Suspected => true,
                        _ => false,
                    };
                    if !recorded {
                        push(CaseRule::EscalationWithoutRecord { on, to });
                    }
                    if on < c.anchor() {
                        push(CaseRule::EscalatedBeforeAnchor { on, anchor: c.anchor() });
                    }
                }
            }
            // An erratum that undoes an escalation after the release date settles the case on
            // its own day, under review for it; whatever ends the case later (a fever, a
            // release) leaves that date as it is. Open cases, and those under review for
            // nothing an erratum or a late result reopened, are held to the rule.
            let held = match c.status() {
                CaseStatus::Open => true,
                CaseStatus::Review { reasons, .. } => !Self::reopened(reasons),
                _ => false,
            };
            if c.category() != Category::CloseContact && c.settled() > release && held {
                push(CaseRule::SettledAfterRelease { settled: c.settled(), release });
            }
            if let Some(linked) = c.linked() {
                let close = self.case(linked).ok();
                let problem = if c.category() != Category::SecondaryContact || policy.linked().is_none() {
                    Some(LinkProblem::NotLinkedRelease)
                } else if close.is_some_and(|k| k.category() != Category::CloseContact) {
                    Some(LinkProblem::NotCloseContact)
                } else if close.is_some_and(|k| k.person() == c.person()) {
                    Some(LinkProblem::SamePerson)
                } else {
                    None
                };
                if let Some(problem) = problem {
                    push(CaseRule::Link { linked, problem });
                }
            }
            if let (Some(on), Ok(state)) = (c.status().ended_on(), self.state(c.person()))
                && state.since() < on
            {
                push(CaseRule::PersonChangedBefore { on, since: state.since() });
            }
            if let Some(business_date) = self.business_date() {
                let status = match c.status() {
                    CaseStatus::Open => None,
                    CaseStatus::Review { since, .. } => Some(*since),
                    other => other.ended_on(),
                };
                for date in std::iter::once(c.started()).chain(status) {
                    if date > business_date {
                        push(CaseRule::AfterBusinessDate { date, business_date });
                    }
                }
            }
            for rule in Self::day_rules(c) {
                push(rule);
            }
        }
    }

    /// Whether a review was opened off the release date: by a late positive of the linked
    /// close contact, or by an erratum that undid an escalation.
    fn reopened(reasons: &[ReviewReason]) -> bool {
        reasons
            .iter()
            .any(|r| matches!(r, ReviewReason::ReleasedBeforeLinkedPositive | ReviewReason::EscalationCorrected))
    }

    /// The rules a case's day records break on their own and against its status.
    fn day_rules(c: &Case) -> Vec<CaseRule> {
        let mut out = Vec::new();
        for d in c.days() {
            if d.checks() == 0 && (d.test().is_none() || d.symptoms()) {
                out.push(CaseRule::EmptyDay { date: d.date() });
            }
        }
        let mut positives = 0;
        for (date, result) in c.tests() {
            // The escalation lands on the business date, on or after the sampling date; the
            // first positive ends the case, so it holds no second one.
            let escalated = matches!(c.status(), &CaseStatus::Escalated { on, to: State::Confirmed } if on >= date);
            positives += usize::from(result == TestResult::Positive);
            if result == TestResult::Positive && (!escalated || positives > 1) {
                out.push(CaseRule::PositiveNotEscalated { date });
            }
        }
        out
    }
}

/// Whether the audit rechecks the derived tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Derived {
    /// Recompute and compare them: they were kept up to date command by command.
    Recheck,
    /// Take them as built: they were just computed from scratch from the source data.
    JustBuilt,
}
