//! Commands: what a host asks the registry to do.
//!
//! A [`Command`] is plain data, serialisable, so that a host can take it off the wire. The
//! registry decides it against its state ([`Registry::apply`](super::Registry::apply)) into
//! one or more [`Event`](super::Event)s, or refuses it with a typed error and changes
//! nothing; the events, not the commands, are what a host logs.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::arrivals::Arrival;
use crate::colour::{ColourRule, Measure, PersonState, State};
use crate::contacts::{ContactRule, Exposure};
use crate::duty::{Availability, Role, Scheme, Staff, Target};
use crate::grid::{NewUnit, OverlayKind};
use crate::people::{DoorLabel, Markers, PersonRecord};
use crate::quarantine::{Category, Link, Policy, Reading, Reason, Sample, Temperature, TestResult};
use crate::work::{Outcome, TaskKey, TicketKind, WorkPlan};
use crate::{CaseId, CellId, HouseholdId, OverlayId, PersonId, PolicyId, SchemeId, StaffId, UnitId};

/// A change a host asks of the [`Registry`](super::Registry). A command is validated against
/// the registry's state, becomes one or more [`Event`](super::Event)s and is applied
/// atomically: a refused command changes nothing.
///
/// Commands name no new ids; the events they become carry the ids the registry assigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
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
    /// Change a person's state, the reason they are held (a close contact found, a release
    /// ...), recolouring their household. The measure follows the reason as
    /// [`PersonState::change`] says ([`Standing::set_reason`](crate::colour::Standing::set_reason)):
    /// well and absent clear it; the two `HomeIsolation…` reasons bring home isolation unless
    /// the person is under centralised isolation, which stays; a contact or a case keeps the
    /// measure. Refused when [`Standing::may_become`](crate::colour::Standing::may_become)
    /// forbids the change (a confirmed case leaves only from centralised isolation), `on` is
    /// before the current state began, or the person's state follows an active case.
    SetState {
        /// The person.
        person: PersonId,
        /// Their new state.
        state: State,
        /// The date it begins.
        on: NaiveDate,
    },
    /// Change where and how a person is held 管控措施 (put at a site for centralised
    /// isolation, under health management, back home), without changing why: the reason
    /// stays, recolouring their household by the rule in force. Refused for an unknown person,
    /// for the measure they are under already ([`ColourError::MeasureUnchanged`](crate::colour::ColourError::MeasureUnchanged)),
    /// for an absent person ([`ColourError::AbsentUnderMeasure`](crate::colour::ColourError::AbsentUnderMeasure)),
    /// when `on` is before the current state began, or when the person's state follows an
    /// active case (its phases set the measure). Dated like `SetState` (see
    /// [`registry::days`](crate::registry)); through a scope, the person must be inside.
    SetMeasure {
        /// The person.
        person: PersonId,
        /// The measure.
        measure: Measure,
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
    /// Adopt an isolation policy, so that cases can follow it. Refused when a policy of the
    /// same name is adopted already.
    AdoptPolicy {
        /// The policy (a preset, or a host's own). Read with every field of
        /// [`PolicyBuilder`](crate::quarantine::PolicyBuilder) but `linked` required: none is
        /// defaulted.
        #[serde(deserialize_with = "crate::quarantine::deserialize_policy_every_field")]
        policy: Policy,
    },
    /// Put a person under a policy 隔离: start a case counted from `anchor`, and set their
    /// state from the category and the phase `on` falls in (so their household's colour
    /// follows). Refused when the person is under an active case already, the anchor is after
    /// `on`, or the period would be over on `on`.
    StartCase {
        /// The person.
        person: PersonId,
        /// The policy, adopted already.
        policy: PolicyId,
        /// Why the person is under it.
        category: Category,
        /// The anchor date (last exposure, arrival ...), as the policy's
        /// [`Anchor`](crate::quarantine::Anchor) says.
        anchor: NaiveDate,
        /// The date the case starts: today.
        on: NaiveDate,
        /// For a secondary contact under a policy with a
        /// [`LinkedRelease`](crate::quarantine::LinkedRelease), required: the close contact's
        /// case, or explicitly none ([`Link::Unlinked`]); `None` there is refused
        /// ([`CaseError::LinkUnstated`](crate::quarantine::CaseError::LinkUnstated)). `None`
        /// for every other case.
        linked: Option<Link>,
    },
    /// A new exposure of a person under an active case: the case restarts from the new anchor
    /// (never shortening it) and their state follows the phase `on` falls in.
    Exposed {
        /// The person.
        person: PersonId,
        /// The new anchor: after the case's current one.
        anchor: NaiveDate,
        /// The date it is recorded: today.
        on: NaiveDate,
    },
    /// Record a health check 健康监测 of a person under an active case. A temperature at or
    /// above the policy's fever threshold escalates them to a suspected case and ends the
    /// case.
    ///
    /// A person with no active case, released under a policy with obligations after release
    /// ([`AfterRelease`](crate::quarantine::AfterRelease)) and still present and well, may be
    /// checked on a day of that window: the check is recorded on the released case, and a
    /// fever makes them a suspected case today, the case escalated (it shows as such on the
    /// agenda). Outside such a window: [`CaseError::NoActiveCase`](crate::quarantine::CaseError::NoActiveCase).
    RecordCheck {
        /// The person.
        person: PersonId,
        /// When the check was made.
        at: NaiveDateTime,
        /// The temperature read.
        temperature: Temperature,
        /// Whether they reported symptoms.
        symptoms: bool,
    },
    /// Record a test result (by sampling date) of a person under an active case. A positive
    /// result makes them a confirmed case and ends the case; every active secondary contact
    /// linked to it becomes a close contact under its policy, from their own anchor.
    RecordTest {
        /// The person.
        person: PersonId,
        /// The sampling date.
        on: NaiveDate,
        /// The result.
        result: TestResult,
    },
    /// Release a case on or after its release date: the person becomes present and well.
    ///
    /// **A blocked release is refused, always**: if what the policy requires is missing (a
    /// clean last-day check, the last day's test, the linked close contact's first tests), the
    /// command is refused with
    /// [`CaseError::NotReleasable`](crate::quarantine::CaseError::NotReleasable) naming what,
    /// whether the case is open or under review, and nothing changes. Flagging a case for
    /// review is the daily round's ([`Command::OpenDay`]), once the last day is over.
    Release {
        /// The case.
        case: CaseId,
        /// The date.
        on: NaiveDate,
    },
    /// An erratum 更正 for a health check recorded by mistake: the check `recorded` (as the
    /// log holds it: when, the temperature, the symptoms) of case `case` should have been
    /// `corrected`, or never recorded at all (`None`). The correction is dated on the business
    /// date; the record it names may be dated anywhere (a far-future typo in a log written
    /// before the registry kept its date), the corrected one is held to the rules of
    /// [`Command::RecordCheck`] (not before the anchor, not after the business date).
    ///
    /// When the check named is the fever that escalated the case, and the correction is no
    /// fever, the escalation is undone today if nobody has acted on the person since (they
    /// are still in the state it gave them and under no other case): the case is open again
    /// and the person back in the state their category has today, or, when
    /// [`State::may_become`] does not allow that way back, the case is under review for
    /// [`ReviewReason::EscalationCorrected`](crate::quarantine::ReviewReason::EscalationCorrected).
    /// A correction into a fever on an active case escalates it today, as a check would.
    CorrectCheck {
        /// The case (active or ended).
        case: CaseId,
        /// The check as it was recorded.
        recorded: Reading,
        /// What it should have been; `None`: no check was made.
        corrected: Option<Reading>,
    },
    /// An erratum 更正 for a test result recorded by mistake: the result of case `case`
    /// sampled on `on` should have been `corrected` (another date, another result), or never
    /// recorded (`None`). Dated, checked and undone as [`Command::CorrectCheck`] is (a
    /// positive result corrected away undoes the escalation to a confirmed case; a correction
    /// into a positive escalates an active case today, converts the secondary contacts linked
    /// to it and re-judges those released, as [`Command::RecordTest`] does). Secondary
    /// contacts converted by a positive result that is corrected away stay close contacts:
    /// their cases follow their own records from then on.
    CorrectTest {
        /// The case (active or ended).
        case: CaseId,
        /// The sampling date of the result recorded.
        on: NaiveDate,
        /// What it should have been; `None`: no test was made.
        corrected: Option<Sample>,
    },
    /// The daily round 每日巡查 that opens the business date 业务日期 `today`: the registry's
    /// date moves forward to it ([`Registry::business_date`](super::Registry::business_date);
    /// refused unless later than the current one), and every day from the one after the
    /// previous business date up to `today` is run in order (only `today` when no day was
    /// opened before). On each day, every open case whose next phase has begun moves its
    /// person into that phase's state, then every open case whose last day is over is released
    /// on its release date, or flagged for review on that day when something is missing.
    /// Becomes an [`Event::DayOpened`](super::Event::DayOpened), then one event per case
    /// changed, day by day.
    OpenDay {
        /// Today: the new business date.
        today: NaiveDate,
    },
    /// Register a staff member 工作人员 who can be responsible under schemes. Refused when
    /// their home unit is not in the tree.
    AddStaff {
        /// The staff member.
        staff: Staff,
    },
    /// Set the dates a staff member is available, both inclusive: a member leaving on a date
    /// is available [`Availability::Until`] the day before. Their assignments stay in the
    /// rosters, invalid on the dates they are away; [`Command::Replace`] refills them.
    ///
    /// `availability` is required and names what it means: clearing a leave is
    /// [`Availability::Always`], said explicitly; a command that leaves it out does not decode.
    SetAvailability {
        /// The staff member.
        staff: StaffId,
        /// The dates they are available.
        availability: Availability,
    },
    /// Adopt a responsibility scheme (六包一, 2+3 ...) with an empty roster. Refused when a
    /// scheme of the same name is adopted already.
    AdoptScheme {
        /// The scheme (a preset, or a host's own). Read with its `source` required (empty
        /// for none); `load_limit` may be left out.
        #[serde(deserialize_with = "crate::duty::deserialize_scheme_every_field")]
        scheme: Scheme,
    },
    /// Make `staff` hold `role` for `target` under `scheme`. Refused unless the scheme selects
    /// the target now and asks the role of it, and the staff member is eligible, available on
    /// `on` and local, does not hold it already, the slot has room (counting holders no
    /// longer valid: unassign them first, or solve) and their load stays within their limit.
    Assign {
        /// The scheme.
        scheme: SchemeId,
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
        /// Today.
        on: NaiveDate,
    },
    /// Remove an assignment. Refused when the roster does not hold it.
    Unassign {
        /// The scheme.
        scheme: SchemeId,
        /// The target.
        target: Target,
        /// The role.
        role: Role,
        /// The staff member.
        staff: StaffId,
        /// Today.
        on: NaiveDate,
    },
    /// Complete the scheme's roster on `on` with [`Roster::solve`](crate::duty::Roster::solve)
    /// (or [`Roster::solve_balanced`](crate::duty::Roster::solve_balanced) when `balanced`)
    /// over every target the scheme selects now: assignments with a problem of their own on
    /// `on` (a staff member away, a person released) are removed, every valid one is kept,
    /// and as many missing holders as possible are added. What stays missing is in
    /// [`Registry::duty_coverage`](super::Registry::duty_coverage).
    Solve {
        /// The scheme.
        scheme: SchemeId,
        /// Today.
        on: NaiveDate,
        /// Whether to make the largest load as small as possible.
        balanced: bool,
    },
    /// A staff member leaving: remove their assignments under `scheme` and apply the
    /// replacements [`Registry::replacement`](super::Registry::replacement) proposes, which
    /// move as few other assignments as possible. Their availability is left as it is (set it
    /// with [`Command::SetAvailability`]).
    Replace {
        /// The scheme.
        scheme: SchemeId,
        /// The staff member leaving.
        leaving: StaffId,
        /// Today: the first day without them.
        on: NaiveDate,
    },
    /// Adopt a work plan 工作方案 ([`WorkPlan`]), replacing the one in force: from now on the
    /// registry makes the day's tasks it routes ([`Registry::workday`](super::Registry::workday)).
    /// Refused when the plan is not valid ([`WorkPlan::validate`]).
    AdoptWorkPlan {
        /// The plan (a preset, or a host's own); boxed, as a plan is large beside the other
        /// commands (serialised as the plan itself).
        plan: Box<WorkPlan>,
    },
    /// Record a task done 完成: who did it, when, how. The task is one the registry owes on
    /// its date (the business date, or an overdue one carried to it), not done yet; `at` is
    /// not before the task's date nor after the business date.
    CompleteTask {
        /// The task.
        task: TaskKey,
        /// Who did it.
        by: StaffId,
        /// When.
        at: NaiveDateTime,
        /// How it went (not [`Outcome::Recorded`], which the case records make).
        outcome: Outcome,
    },
    /// Move every open task `from` owes on the business date `on` to others, in one command
    /// (a staff member called away mid-day): each to another holder of a role owning it for
    /// its subject, or else to any staff member eligible for such a role whose home covers the
    /// task's unit, available that day, the least loaded; a task nobody can take becomes a
    /// gap. The moves hold for the day, and `from` is routed nothing more that day (as if
    /// away: a staff member called away mid-day).
    ReassignTasks {
        /// Whose tasks.
        from: StaffId,
        /// Today.
        on: NaiveDate,
    },
    /// Receive a hotline work order 工单 (12345) about `unit` (and a household in it): it is a
    /// task of every day from its receipt until it is closed by completing it.
    OpenTicket {
        /// The unit it concerns.
        unit: UnitId,
        /// The household it concerns, if one; it lies inside `unit`.
        household: Option<HouseholdId>,
        /// What it is about.
        kind: TicketKind,
        /// When it was received: not after the business date.
        received: NaiveDateTime,
    },
    // Issue 15 §3: the rules of the published protocols. Kept together at the end.
    /// A protocol change 政策调整 applied to the people already in isolation: every active case
    /// under `from` follows `to` from today. Each keeps its anchor and records; its schedule is
    /// recomputed under `to` (with its adjustments since its last change of policy: none), and
    /// it is released by the daily round on the new release date, or on `on` when the new
    /// release date is already past: never before the new rule allows, never before the day
    /// of the change. Its person moves into the state the new schedule gives today; a case
    /// under review is open again, for the next round to judge under the new rule; a
    /// secondary contact's link to a close contact's case is dropped when `to` has no linked
    /// release (the 20 measures stopped identifying secondary contacts). The change
    /// and each case's release date before it are kept on the case
    /// ([`CaseChange::PolicyChanged`](crate::quarantine::CaseChange::PolicyChanged)) and in
    /// its event ([`Event::PolicyChanged`](super::Event::PolicyChanged), one per case, in case
    /// order).
    ///
    /// Refused when the two are one policy ([`CaseError::SamePolicy`](crate::quarantine::CaseError::SamePolicy)),
    /// count from different anchors ([`CaseError::AnchorMismatch`](crate::quarantine::CaseError::AnchorMismatch)),
    /// or no active case follows `from` ([`CaseError::NoCasesUnder`](crate::quarantine::CaseError::NoCasesUnder)).
    ChangePolicy {
        /// The policy the cases follow.
        from: PolicyId,
        /// The policy they follow from today, adopted already.
        to: PolicyId,
        /// Today: the business date.
        on: NaiveDate,
    },
    /// Extend (`days` > 0) or shorten (`days` < 0) an active case's period 延长或缩短隔离期,
    /// authorised by a staff member `by`, for `reason`. The last phase grows, or the period is
    /// cut from its end; the release date follows, never before today. The reason and the
    /// release date before are kept on the case
    /// ([`CaseChange::Adjusted`](crate::quarantine::CaseChange::Adjusted)) and in the event
    /// ([`Event::CaseAdjusted`](super::Event::CaseAdjusted)). A case under review is open
    /// again, for the next round to judge on its new schedule.
    ///
    /// Refused for 0 days ([`CaseError::ZeroAdjustment`](crate::quarantine::CaseError::ZeroAdjustment)),
    /// an ended case, an unknown staff member, or a period left with no day or more than
    /// [`MAX_TOTAL_DAYS`](crate::quarantine::MAX_TOTAL_DAYS)
    /// ([`QuarantineError::InvalidLength`](crate::quarantine::QuarantineError::InvalidLength)).
    AdjustCase {
        /// The case.
        case: CaseId,
        /// Days added, or taken off when negative.
        days: i16,
        /// Why.
        reason: Reason,
        /// The staff member who authorised it.
        by: StaffId,
        /// Today: the business date.
        on: NaiveDate,
    },
    // Issue 16 §4: the contact graph 密接 / 次密接. Kept together at the end.
    /// Record an exposure 接触: who was exposed to whom (a case, or a person who later becomes
    /// one), when, where, reported by whom. Refused when a person, the place's unit or the
    /// reporter is unknown, or it is dated after the business date.
    RecordExposure {
        /// The exposure.
        exposure: Exposure,
    },
    /// Trace a case's contacts 流调 and place them, in one command (all or nothing): `rule`
    /// finds the close contacts of `index` (a confirmed or suspected case) and the secondary
    /// contacts of those ([`Registry::derive_contacts`](super::Registry::derive_contacts)); each
    /// under no active case is put under `close_policy` or `secondary_policy` from their last
    /// exposure, as [`Command::StartCase`] would, a secondary contact under a policy with a
    /// linked release linked to the case of the close contact who reached them. Someone under
    /// an active case already keeps it (a contact of several cases is isolated once); every
    /// contact is linked to whom they were traced from ([`Registry::chain_of`](super::Registry::chain_of)).
    ///
    /// Refused when `index` is not a confirmed or suspected case
    /// ([`ContactError::NotACase`](crate::contacts::ContactError::NotACase)), the rule is not
    /// valid, a policy is unknown, the rule finds secondary contacts and no policy is named for
    /// them, or any contact cannot be placed (their state cannot become the category's, or
    /// their period from their last exposure is over): then nobody is.
    TraceContacts {
        /// The index case.
        index: PersonId,
        /// Who is a close and who a secondary contact.
        rule: ContactRule,
        /// The policy close contacts are placed under.
        close_policy: PolicyId,
        /// The policy secondary contacts are placed under (`None` when the rule finds none).
        secondary_policy: Option<PolicyId>,
        /// Today: the business date.
        on: NaiveDate,
    },
    // Issue 16 §3: arrivals by origin. Kept together at the end.
    /// Record an arrival 返回登记 of a registered person: where from (its
    /// [`OriginClass`](crate::arrivals::OriginClass)), how, when, and the measure it got for
    /// how many days ([`Arrival`]). Kept in the arrival book with the household the person
    /// lives in, and counted by [`Registry::arrival_counts`](super::Registry::arrival_counts).
    ///
    /// Refused for an unknown person, a second arrival of the person on the same date
    /// ([`ArrivalError::Duplicate`](crate::arrivals::ArrivalError::Duplicate)), or an arrival
    /// after the business date. The person's state is not changed: a host that puts them
    /// under a case starts it ([`Command::StartCase`]).
    RecordArrival {
        /// The person.
        person: PersonId,
        /// The arrival.
        arrival: Arrival,
    },
    // Issue 16 §2: traced lists 大数据清单. Kept together at the end.
    /// Receive a batch of a traced list 大数据清单 from `source` at `received` (the host's
    /// time of day): every row is matched against the register by its identity document
    /// ([`Registry::match_traced`](super::Registry::match_traced)) and gets its status on
    /// receipt. A bad row (an invalid document, no address that can be placed, a date after
    /// the receipt) is recorded as bad, by position, and never stops the rest of the batch.
    /// Nothing is registered: matching never creates a file.
    ///
    /// Refused for an empty batch or one of more than [`MAX_ROWS`](crate::trace::MAX_ROWS)
    /// rows ([`TraceError::BatchSize`](crate::trace::TraceError::BatchSize)).
    ReceiveTracedBatch {
        /// Where the list came from.
        source: crate::trace::ListSource,
        /// When it was received: not after the business date.
        received: NaiveDateTime,
        /// The rows, as the list gives them.
        rows: Vec<crate::trace::TracedRow>,
    },
    /// Place the person of a traced row under control 管控 at `at` (the host's time of day on
    /// the business date), in one command with the measure: the row's event, then the
    /// [`Command::SetState`] or [`Command::StartCase`] the measure names, decided and checked
    /// as that command is. Every other row matched to the person and not yet settled is
    /// settled with it (a person in three lists is controlled once).
    ///
    /// `person` is `None` for a matched row (or names its person); for a row routed to a unit
    /// and not found on receipt it names the person the unit found, who lives inside that
    /// unit and carries no other document than the row's (one person, one file: register a
    /// newcomer first, with [`Command::RegisterPerson`]). `measure` is `None` exactly when the
    /// person is under control already (the row is then settled as such).
    ControlTraced {
        /// The row.
        row: crate::trace::RowRef,
        /// The person, for a routed row.
        person: Option<PersonId>,
        /// The measure; `None` for a person under control already.
        measure: Option<crate::trace::ControlMeasure>,
        /// When: on the business date, not before the batch was received.
        at: NaiveDateTime,
    },
    /// Hand a traced row to another sub-district 移交: a row matched (the person lives
    /// elsewhere now) or not found. Its status becomes
    /// [`RowStatus::Elsewhere`](crate::trace::RowStatus::Elsewhere).
    HandOverTraced {
        /// The row.
        row: crate::trace::RowRef,
        /// To whom: a sub-district's name or code (1 to 200 characters, not personal data).
        to: String,
        /// When: not after the business date, not before the batch was received.
        at: NaiveDateTime,
    },
    // Issue 16 §1: screening campaigns 摸排. Kept together at the end.
    /// Start a screening campaign 摸排 over the households inside `unit` from `from`: its
    /// visit list is every household inside the unit now ([`Campaign`](crate::screen::Campaign)).
    /// A person a visit finds back from a key area is placed under `policy` (an adopted
    /// policy) with a case of `category` (an arrival's, [`screen::is_arrival`](crate::screen::is_arrival):
    /// [`Category::ArrivalFromEpidemicArea`]
    /// in seed 003's practice, home isolation 居家隔离 counted from the return).
    StartCampaign {
        /// Its name (1 to 200 characters, not personal data).
        name: String,
        /// The unit (a community, a courtyard, a grid's unit).
        unit: UnitId,
        /// The day it starts.
        from: NaiveDate,
        /// The isolation policy for a person found back from a key area.
        policy: PolicyId,
        /// The category of their case.
        category: Category,
    },
    /// Record a visit of a household on a campaign's list, by a grid worker, and feed its
    /// findings to the register in the same record: each person found away becomes
    /// [`State::Absent`] (their expected return kept with the visit) on the visit's date; each
    /// one back from a key area is placed under the campaign's policy, a case of its category
    /// anchored on the day they arrived and started on the business date, with the same events
    /// and checks as [`Command::StartCase`] (cases numbered in the order the visit names them;
    /// all or nothing). A person under an active case is refused (their case says where they
    /// are). Nobody home (a notice left on the
    /// door 张贴温馨提示) and a refusal leave the household to revisit, with a call owed when
    /// nobody was home; a household moved out is done.
    RecordVisit {
        /// The campaign.
        campaign: crate::screen::CampaignId,
        /// The visit.
        visit: crate::screen::Visit,
    },
    // Issue 17 §3: workplaces' return to work 复工复产 and rental properties 出租屋. Kept
    // together at the end.
    /// Change the filing status 备案状态 of a workplace ([`UnitKind::Workplace`](crate::grid::UnitKind::Workplace)),
    /// on a day, from a source; its first change opens its filing
    /// ([`Filing`](crate::firms::Filing)). Refused for a unit that is not an open workplace,
    /// a change the table refuses ([`FilingStatus::may_become`](crate::firms::FilingStatus::may_become)),
    /// a change dated before the last, an approval while a checklist item is missing
    /// ([`FirmError::ChecklistIncomplete`](crate::firms::FirmError::ChecklistIncomplete)),
    /// or a date after the business date.
    ChangeFiling {
        /// The workplace.
        unit: UnitId,
        /// The new status.
        status: crate::firms::FilingStatus,
        /// The day.
        on: NaiveDate,
        /// Its source 来源 (not personal data; may be empty).
        source: String,
    },
    /// Mark an item of a workplace's epidemic-prevention checklist done or not done. Refused
    /// when the item is so already.
    CheckWorkplace {
        /// The workplace.
        unit: UnitId,
        /// The item.
        item: crate::firms::CheckItem,
        /// Done or not.
        done: bool,
        /// The day.
        on: NaiveDate,
    },
    /// Change a workplace's employees: registered persons added and removed (each named once,
    /// an added one not employed there yet, a removed one employed), and the number of
    /// employees who do not live here.
    SetEmployees {
        /// The workplace.
        unit: UnitId,
        /// Persons who start working there.
        add: Vec<PersonId>,
        /// Persons who stop.
        remove: Vec<PersonId>,
        /// How many employees do not live here, from now.
        outside: u32,
        /// The day.
        on: NaiveDate,
    },
    /// Contract a leader to a workplace 包企 (replacing the one before): a staff member holding
    /// one of [`LEADER_QUALIFICATIONS`](crate::firms::LEADER_QUALIFICATIONS).
    ContractWorkplace {
        /// The workplace.
        unit: UnitId,
        /// The leader.
        leader: StaffId,
        /// Since when.
        on: NaiveDate,
    },
    /// Mark premises as rented 出租屋 with their landlord, the responsible person (以房管人).
    /// Refused for premises marked already, a unit that holds no residents, an unknown
    /// household.
    MarkRental {
        /// What is rented.
        premises: crate::firms::Premises,
        /// The landlord (personal data).
        landlord: crate::firms::Landlord,
        /// Since when.
        on: NaiveDate,
    },
    /// Record an inspection of a rental property. Refused for premises not marked, an
    /// unknown inspector, a date before the marking or the last inspection.
    InspectRental {
        /// The premises.
        premises: crate::firms::Premises,
        /// The inspection.
        inspection: crate::firms::Inspection,
    },
    // Issue 17 §2: closed management, passes, entry checks. Kept together at the end.
    /// Set a compound's management status 管理状态 (open, closed 封闭式管理, sealed 封控) from
    /// `on`, by the order named in `source`; the history is kept
    /// ([`Registry::status_history`](super::Registry::status_history)).
    ///
    /// Refused for a unit that is not a compound
    /// ([`AccessError::NotACompound`](crate::access::AccessError::NotACompound)), the status it
    /// has already ([`AccessError::SameStatus`](crate::access::AccessError::SameStatus)), a date
    /// before its last change, a bad source, or a date after the business date.
    SetCompoundStatus {
        /// The compound.
        compound: UnitId,
        /// Its status from `on`.
        status: crate::access::CompoundStatus,
        /// The day it takes effect.
        on: NaiveDate,
        /// The order (1 to 200 characters, not personal data).
        source: String,
    },
    /// Issue a pass 出入证 to a household, for the compound it lives in, valid from `on` (the
    /// day issued) to `until`. A household may hold several.
    ///
    /// Refused for an unknown household, one in no compound, `until` before `on`, or `on`
    /// after the business date.
    IssuePass {
        /// The household.
        household: HouseholdId,
        /// The day issued, its first valid day.
        on: NaiveDate,
        /// Its last valid day.
        until: NaiveDate,
    },
    /// Revoke a pass 收回出入证 from `on`: it never admits again.
    ///
    /// Refused for an unknown pass, one revoked already, a date before an entry it admitted,
    /// or after the business date.
    RevokePass {
        /// The pass.
        pass: crate::access::PassId,
        /// The day revoked.
        on: NaiveDate,
        /// Why.
        reason: crate::access::RevokeReason,
    },
    /// Record an entry at an entrance (三个务必: asked, registered, temperature taken). A
    /// resident comes in only on a pass that admits them
    /// ([`Registry::check_pass`](super::Registry::check_pass)); a visitor or a vehicle never
    /// into a sealed compound. A resident under a case (or its watch after release) whose
    /// reading is a fever under the case's policy is escalated in the same record by the
    /// check [`Command::RecordCheck`] would record; any other reading at or above
    /// [`GATE_FEVER`](crate::access::GATE_FEVER) is listed for follow-up
    /// ([`Registry::gate_follow_ups`](super::Registry::gate_follow_ups)).
    ///
    /// Refused for a unit that is not an entrance of a compound, a refused pass
    /// ([`AccessError::Refused`](crate::access::AccessError::Refused), with the reason), a
    /// resident not of the pass's household, a bad purpose, a visitor or vehicle at a sealed
    /// compound, before any business day, or after the business date.
    RecordEntry {
        /// The entry.
        entry: crate::access::Entry,
    },
    // Issue 17 §1: checkpoints, closed entrances, shift rosters. Kept together at the end.
    /// Set (or replace) the checkpoint 卡点 kept at an entrance
    /// ([`Registry::checkpoint`](super::Registry::checkpoint)).
    ///
    /// Refused for a unit that is not an open entrance
    /// ([`GateError::NotAnEntrance`](crate::gates::GateError::NotAnEntrance)), a compound
    /// served that does not exist, or `on` after the business date.
    SetCheckpoint {
        /// The checkpoint (its entrance says where).
        checkpoint: crate::gates::Checkpoint,
        /// The day set.
        on: NaiveDate,
    },
    /// Close an entrance 封闭出入口 from `on`: it counts closed for the one-entrance rule until
    /// reopened. Apart from [`Command::CloseUnit`], which closes a unit for good.
    ///
    /// Refused for a unit that is not an open entrance, one closed here already
    /// ([`GateError::EntranceUnchanged`](crate::gates::GateError::EntranceUnchanged)), a date
    /// before its last closure or reopening, or after the business date.
    CloseEntrance {
        /// The entrance.
        entrance: UnitId,
        /// The first day closed.
        on: NaiveDate,
    },
    /// Reopen an entrance closed by [`Command::CloseEntrance`], from `on`.
    ///
    /// Refused as [`Command::CloseEntrance`], and for an entrance not closed here.
    ReopenEntrance {
        /// The entrance.
        entrance: UnitId,
        /// The first day open again.
        on: NaiveDate,
    },
    /// Put a compound under the one-entrance rule 所有楼院保留一个进出口 (`under`), or lift it,
    /// from `on` ([`Registry::one_entrance_breaches`](super::Registry::one_entrance_breaches)).
    ///
    /// Refused for a unit that is not a compound, a compound under the rule already (or not
    /// under it, to lift), a date before its last change, or after the business date.
    SetOneEntranceRule {
        /// The compound.
        compound: UnitId,
        /// Under the rule (`true`) or lifted.
        under: bool,
        /// The day it takes effect.
        on: NaiveDate,
    },
    /// Record a shift roster 排班表, solved by the host
    /// ([`ShiftRoster::solve`](crate::gates::ShiftRoster::solve)) over the registry's
    /// checkpoints ([`Registry::checkpoints`](super::Registry::checkpoints)) and staff pool
    /// ([`Registry::staff_pool`](super::Registry::staff_pool)) under `rules`.
    ///
    /// Refused when it breaks a rule it claims
    /// ([`GateError::RosterBreaks`](crate::gates::GateError::RosterBreaks): eligibility,
    /// locality, availability, rest, weekly cap, staffing, gaps; see
    /// [`ShiftRoster::check`](crate::gates::ShiftRoster::check)), when its dates overlap a
    /// roster recorded already, or `on` is after the business date.
    RecordShiftRoster {
        /// The rules it was solved under.
        rules: crate::gates::ShiftRules,
        /// The roster.
        roster: crate::gates::ShiftRoster,
        /// The day recorded.
        on: NaiveDate,
    },
}
