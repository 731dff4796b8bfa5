//! Events: what happened to the registry, in order. A command's events travel together in one
//! [`Record`](super::Record) of the host's log (format 6), its audit trail and its persistence:
//! replaying the records from the start rebuilds an equal registry. The event-level calls
//! below are the shape of format 5's logs, kept for hosts that log events and for bulk loads.
//!
//! Commands become events ([`Registry::apply`](super::Registry::apply)); the host appends them
//! to its log; on restart it feeds them back ([`Registry::replay`](super::Registry::replay),
//! [`Registry::apply_event`](super::Registry::apply_event)), and each is checked as strictly as
//! the command it came from before it changes anything, so an edited log is refused, not
//! believed. An event carries every id it assigned and every value it moved (the recolourings
//! included), so that a reader (a dashboard repainting its map, say) needs nothing else.

use chrono::{NaiveDate, NaiveDateTime};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::RosterCause;
use super::snapshot::FormatFirst;
use crate::arrivals::Arrival;
use crate::colour::{Colour, ColourRule, PersonState};
use crate::contacts::Exposure;
use crate::duty::{Assignment, Scheme, Staff};
use crate::grid::{LevelScheme, NewUnit, OverlayKind};
use crate::people::{DoorLabel, Markers, PersonRecord};
use crate::quarantine::{Category, Policy, Reading, Reason, ReviewReason, Sample, Temperature, TestResult};
use crate::work::{Completion, Moved, TaskKey, Ticket, WorkPlan};
use crate::{CaseId, CellId, HouseholdId, OverlayId, PersonId, PolicyId, SchemeId, StaffId, TicketId, UnitId};

/// One change to the registry, with every id it assigned and every value it moved, so that
/// a log can be read and replayed on its own. Events of personal data carry it in full (the
/// log is the persistence); their `Debug` redacts it.
///
/// # Reading one
/// A field unknown to this build, or missing, or an unknown variant, is a serde error: never
/// skipped, never given a default. The founding event is read format first, as a
/// [`Snapshot`](super::Snapshot) is: a log of another [`FORMAT_VERSION`](super::FORMAT_VERSION) gives a founding
/// event that [`Registry::replay`](super::Registry::replay) refuses with
/// [`RegistryError::UnsupportedFormat`](super::RegistryError::UnsupportedFormat), or, when its
/// founding event does not even read as this build's, a serde error with that refusal's
/// message. A host reads the first line of a log, and replays it, before the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub enum Event {
    /// The registry was created: the first event of every log.
    #[serde(deserialize_with = "read_founded")]
    Founded {
        /// The format of the log, [`FORMAT_VERSION`](super::FORMAT_VERSION) when written by this build: the log's
        /// events mean what they say only in that version.
        format: u32,
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
        /// Their state when registered.
        state: PersonState,
        /// The household's change of colour, if any (a first member turns a white household
        /// green, say).
        recolours: Vec<Recolour>,
    },
    /// A person moved to another household.
    PersonMoved {
        /// The person.
        person: PersonId,
        /// The household they left.
        from: HouseholdId,
        /// The household they joined.
        to: HouseholdId,
        /// The date of the move.
        on: NaiveDate,
        /// The changes of colour of the two households, if any.
        recolours: Vec<Recolour>,
    },
    /// A person's markers were replaced.
    MarkersSet {
        /// The person.
        person: PersonId,
        /// The new markers.
        markers: Markers,
    },
    /// A person's state changed.
    StateChanged {
        /// The person.
        person: PersonId,
        /// Their state before.
        from: PersonState,
        /// Their state now, and since when.
        to: PersonState,
        /// The household's change of colour, if any.
        recolours: Vec<Recolour>,
    },
    /// The colour rule was replaced and every household recoloured by it.
    ColourRuleSet {
        /// The new rule.
        rule: ColourRule,
        /// The date it applies from.
        on: NaiveDate,
        /// Every household whose colour changed, by id.
        recolours: Vec<Recolour>,
    },
    /// An isolation policy was adopted.
    PolicyAdopted {
        /// Its new id.
        policy: PolicyId,
        /// The policy.
        spec: Policy,
    },
    /// A case started.
    CaseStarted {
        /// Its new id.
        case: CaseId,
        /// The person.
        person: PersonId,
        /// The policy.
        policy: PolicyId,
        /// Why the person is under it.
        category: Category,
        /// The anchor date.
        anchor: NaiveDate,
        /// The date it started.
        on: NaiveDate,
        /// The linked close contact's case, for a secondary contact.
        linked: Option<CaseId>,
        /// The person's change of state, if their state was not that of the phase already.
        change: Option<StateChange>,
    },
    /// A case restarted from a new exposure.
    CaseRestarted {
        /// The case.
        case: CaseId,
        /// The new anchor.
        anchor: NaiveDate,
        /// The date recorded.
        on: NaiveDate,
        /// The person's change of state, if the phase on `on` has another.
        change: Option<StateChange>,
    },
    /// A health check was recorded.
    CheckRecorded {
        /// The case.
        case: CaseId,
        /// When.
        at: NaiveDateTime,
        /// The temperature.
        temperature: Temperature,
        /// Whether symptoms were reported.
        symptoms: bool,
        /// The escalation to a suspected case, when the temperature was a fever.
        escalation: Option<StateChange>,
    },
    /// A test result was recorded.
    TestRecorded {
        /// The case.
        case: CaseId,
        /// The sampling date.
        on: NaiveDate,
        /// The result.
        result: TestResult,
        /// The escalation to a confirmed case, when positive.
        escalation: Option<StateChange>,
    },
    /// A secondary contact became a close contact, under the policy of the close contact
    /// who tested positive.
    CaseConverted {
        /// The secondary contact's case.
        case: CaseId,
        /// The close-contact policy it follows now.
        policy: PolicyId,
        /// The date.
        on: NaiveDate,
        /// The person's change of state, if any.
        change: Option<StateChange>,
    },
    /// An open case's person entered the state of a later phase.
    PhaseEntered {
        /// The case.
        case: CaseId,
        /// The phase's index, from 0.
        phase: u16,
        /// The phase's first day.
        on: NaiveDate,
        /// The person's change of state, if the phase's state differs from theirs.
        change: Option<StateChange>,
    },
    /// A case was released: the person is present and well.
    CaseReleased {
        /// The case.
        case: CaseId,
        /// The release date.
        on: NaiveDate,
        /// The person's change of state, to present and well.
        change: StateChange,
    },
    /// A case due for release was flagged for review.
    CaseFlagged {
        /// The case.
        case: CaseId,
        /// The date.
        on: NaiveDate,
        /// What was missing, in order.
        reasons: Vec<ReviewReason>,
    },
    /// A business date 业务日期 was opened ([`Command::OpenDay`](super::Command::OpenDay)); the
    /// events of the days it ran follow it.
    DayOpened {
        /// The business date before, `None` when no day was opened before.
        from: Option<NaiveDate>,
        /// The new business date.
        on: NaiveDate,
    },
    /// A released secondary contact's case was reopened by a late positive result of the
    /// linked close contact that breaks the rule it was released on: it is a close contact's
    /// case now, under the close contact's policy, flagged for review on `on` (the business
    /// date the result was recorded).
    CaseReopened {
        /// The secondary contact's case.
        case: CaseId,
        /// The close contact's policy it follows now.
        policy: PolicyId,
        /// The date: the business date.
        on: NaiveDate,
        /// Why it is under review.
        reasons: Vec<ReviewReason>,
        /// The person's change of state, back into isolation.
        change: Option<StateChange>,
    },
    /// An erratum corrected a health check ([`Command::CorrectCheck`](super::Command::CorrectCheck)).
    CheckCorrected {
        /// The case.
        case: CaseId,
        /// The check as it was recorded.
        recorded: Reading,
        /// What it should have been, if anything.
        corrected: Option<Reading>,
        /// The business date of the correction, when its consequences land.
        on: NaiveDate,
        /// The escalation the corrected reading makes (a fever), if any.
        escalation: Option<StateChange>,
        /// The undoing of the escalation the recorded reading made, if any.
        undone: Option<StateChange>,
        /// When the undoing reopens the case under review, why.
        reasons: Vec<ReviewReason>,
    },
    /// An erratum corrected a test result ([`Command::CorrectTest`](super::Command::CorrectTest)).
    TestCorrected {
        /// The case.
        case: CaseId,
        /// The sampling date of the result recorded.
        sampled: NaiveDate,
        /// The result recorded.
        recorded: TestResult,
        /// What it should have been, if anything.
        corrected: Option<Sample>,
        /// The business date of the correction, when its consequences land.
        on: NaiveDate,
        /// The escalation the corrected result makes (a positive), if any.
        escalation: Option<StateChange>,
        /// The undoing of the escalation the recorded result made, if any.
        undone: Option<StateChange>,
        /// When the undoing reopens the case under review, why.
        reasons: Vec<ReviewReason>,
    },
    /// A staff member was registered.
    StaffAdded {
        /// Their new id.
        staff: StaffId,
        /// The staff member (their name is personal data; `Debug` redacts it).
        spec: Staff,
    },
    /// A staff member's available dates were set.
    AvailabilitySet {
        /// The staff member.
        staff: StaffId,
        /// The first day available.
        from: Option<NaiveDate>,
        /// The last day available.
        until: Option<NaiveDate>,
    },
    /// A responsibility scheme was adopted.
    SchemeAdopted {
        /// Its new id.
        scheme: SchemeId,
        /// The scheme.
        spec: Scheme,
    },
    /// A scheme's roster changed: `removed` were taken off, then `added` put on, each valid
    /// on `on`.
    Rostered {
        /// The scheme.
        scheme: SchemeId,
        /// The date.
        on: NaiveDate,
        /// The command it came from.
        cause: RosterCause,
        /// The assignments removed.
        removed: Vec<Assignment>,
        /// The assignments added.
        added: Vec<Assignment>,
    },
    /// A work plan was adopted ([`Command::AdoptWorkPlan`](crate::Command::AdoptWorkPlan)).
    WorkPlanAdopted {
        /// The plan now in force (boxed: a plan is large beside the other events).
        plan: Box<WorkPlan>,
    },
    /// A task was recorded done.
    TaskCompleted {
        /// The task.
        task: TaskKey,
        /// Who, when, how.
        completion: Completion,
    },
    /// A staff member's open tasks of a day were moved to others.
    TasksReassigned {
        /// Whose they were.
        from: StaffId,
        /// The day.
        on: NaiveDate,
        /// Each task and whom it went to (nobody: a gap).
        moved: Vec<(TaskKey, Moved)>,
    },
    /// A hotline ticket was received.
    TicketOpened {
        /// Its new id.
        ticket: TicketId,
        /// The ticket.
        spec: Ticket,
    },
    // Issue 15 §3: the rules of the published protocols. Kept together at the end.
    /// An active case moved to another policy ([`Command::ChangePolicy`](super::Command::ChangePolicy)):
    /// one event per case, in case order.
    PolicyChanged {
        /// The case.
        case: CaseId,
        /// The policy it followed.
        from: PolicyId,
        /// The policy it follows now.
        to: PolicyId,
        /// The business date of the change.
        on: NaiveDate,
        /// Its release date before the change.
        previous_release: NaiveDate,
        /// Its release date under the new policy (never before `on`).
        release: NaiveDate,
        /// The person's change of state, if the new schedule puts them in another today.
        change: Option<StateChange>,
    },
    /// An active case's period was extended or shortened ([`Command::AdjustCase`](super::Command::AdjustCase)).
    CaseAdjusted {
        /// The case.
        case: CaseId,
        /// Days added (negative: taken off).
        days: i16,
        /// Why.
        reason: Reason,
        /// The staff member who authorised it.
        by: StaffId,
        /// The business date.
        on: NaiveDate,
        /// Its release date before.
        previous_release: NaiveDate,
        /// Its release date now (never before `on`).
        release: NaiveDate,
        /// The person's change of state, if the new schedule puts them in another today.
        change: Option<StateChange>,
    },
    // Issue 16 §4: the contact graph. Kept together at the end.
    /// An exposure was recorded ([`Command::RecordExposure`](super::Command::RecordExposure)).
    ExposureRecorded {
        /// The exposure.
        exposure: Exposure,
    },
    /// A case's contacts were traced ([`Command::TraceContacts`](super::Command::TraceContacts)):
    /// the rule applied and everyone it placed; followed, in the same record, by one
    /// [`Event::CaseStarted`] per contact a case is started for.
    ContactsTraced {
        /// The trace (boxed: it is large beside the other events).
        trace: Box<super::contacts::Trace>,
    },
    // Issue 16 §3: arrivals by origin. Kept together at the end.
    /// An arrival was recorded ([`Command::RecordArrival`](super::Command::RecordArrival)).
    ArrivalRecorded {
        /// The person.
        person: PersonId,
        /// The household they live in.
        household: HouseholdId,
        /// The arrival.
        arrival: Arrival,
    },
    // Issue 16 §2: traced lists 大数据清单. Kept together at the end.
    /// A traced batch was received ([`Command::ReceiveTracedBatch`](super::Command::ReceiveTracedBatch)).
    TracedBatchReceived {
        /// Its new id.
        batch: crate::trace::BatchId,
        /// Where the list came from.
        source: crate::trace::ListSource,
        /// When it was received.
        received: NaiveDateTime,
        /// The rows, as received (personal data: `Debug` redacts it).
        rows: Vec<crate::trace::TracedRow>,
        /// Each row's status on receipt.
        statuses: Vec<crate::trace::RowStatus>,
    },
    /// A traced row's person was placed under control, or found under control already
    /// ([`Command::ControlTraced`](super::Command::ControlTraced)); the measure's event
    /// follows in the same record.
    TracedControlled {
        /// The row named.
        row: crate::trace::RowRef,
        /// The person.
        person: PersonId,
        /// The measure, `None`: under control already.
        measure: Option<crate::trace::ControlMeasure>,
        /// When.
        at: NaiveDateTime,
        /// Every row settled by it, in order: the row named and the person's other open rows.
        settled: Vec<crate::trace::RowRef>,
    },
    /// A traced row was handed to another sub-district.
    TracedHandedOver {
        /// The row.
        row: crate::trace::RowRef,
        /// To whom.
        to: String,
        /// When.
        at: NaiveDateTime,
    },
    // Issue 16 §1: screening campaigns 摸排. Kept together at the end.
    /// A screening campaign started ([`Command::StartCampaign`](super::Command::StartCampaign)).
    CampaignStarted {
        /// Its new id.
        campaign: crate::screen::CampaignId,
        /// The campaign, with its visit list.
        spec: crate::screen::Campaign,
    },
    /// A visit was recorded ([`Command::RecordVisit`](super::Command::RecordVisit)); the changes
    /// of state its findings make (persons away) and the cases it starts (persons back from a
    /// key area, [`Event::CaseStarted`]) follow in the same record.
    VisitRecorded {
        /// The campaign.
        campaign: crate::screen::CampaignId,
        /// The visit.
        visit: crate::screen::Visit,
    },
    // Issue 17 §3: workplaces' return to work and rental properties. Kept together at the end.
    /// A workplace's filing status changed ([`Command::ChangeFiling`](super::Command::ChangeFiling)).
    FilingChanged {
        /// The workplace.
        unit: UnitId,
        /// The change.
        change: crate::firms::StatusChange,
    },
    /// A checklist item was marked ([`Command::CheckWorkplace`](super::Command::CheckWorkplace)).
    WorkplaceChecked {
        /// The workplace.
        unit: UnitId,
        /// The item.
        item: crate::firms::CheckItem,
        /// Done or not.
        done: bool,
        /// The day.
        on: NaiveDate,
    },
    /// A workplace's employees changed ([`Command::SetEmployees`](super::Command::SetEmployees)).
    EmployeesSet {
        /// The workplace.
        unit: UnitId,
        /// Persons added.
        add: Vec<PersonId>,
        /// Persons removed.
        remove: Vec<PersonId>,
        /// Employees who do not live here.
        outside: u32,
        /// The day.
        on: NaiveDate,
    },
    /// A leader was contracted to a workplace ([`Command::ContractWorkplace`](super::Command::ContractWorkplace)).
    WorkplaceContracted {
        /// The workplace.
        unit: UnitId,
        /// The leader and since when.
        contract: crate::firms::Contract,
    },
    /// Premises were marked as rented ([`Command::MarkRental`](super::Command::MarkRental)).
    RentalMarked {
        /// What is rented.
        premises: crate::firms::Premises,
        /// The landlord (personal data).
        landlord: crate::firms::Landlord,
        /// Since when.
        on: NaiveDate,
    },
    /// A rental property was inspected ([`Command::InspectRental`](super::Command::InspectRental)).
    RentalInspected {
        /// The premises.
        premises: crate::firms::Premises,
        /// The inspection.
        inspection: crate::firms::Inspection,
    },
    // Issue 17 §2: closed management, passes, entry checks. Kept together at the end.
    /// A compound's status was set ([`Command::SetCompoundStatus`](super::Command::SetCompoundStatus)).
    CompoundStatusSet {
        /// The change.
        change: crate::access::StatusChange,
    },
    /// A pass was issued ([`Command::IssuePass`](super::Command::IssuePass)).
    PassIssued {
        /// Its new number.
        pass: crate::access::PassId,
        /// The pass.
        spec: crate::access::Pass,
    },
    /// A pass was revoked ([`Command::RevokePass`](super::Command::RevokePass)).
    PassRevoked {
        /// The pass.
        pass: crate::access::PassId,
        /// When and why.
        revocation: crate::access::Revocation,
    },
    /// An entry was recorded at a gate ([`Command::RecordEntry`](super::Command::RecordEntry));
    /// followed, in the same record, by the [`Event::CheckRecorded`] of a resident's fever
    /// routed to their case.
    EntryRecorded {
        /// The entry, its compound and where a fever went.
        record: crate::access::EntryRecord,
    },
    // Issue 17 §1: checkpoints, closed entrances, shift rosters.
    /// A checkpoint was set ([`Command::SetCheckpoint`](super::Command::SetCheckpoint)).
    CheckpointSet {
        /// The checkpoint.
        checkpoint: crate::gates::Checkpoint,
        /// The day set.
        on: NaiveDate,
    },
    /// An entrance was closed ([`Command::CloseEntrance`](super::Command::CloseEntrance)).
    EntranceClosed {
        /// The entrance.
        entrance: UnitId,
        /// The first day closed.
        on: NaiveDate,
    },
    /// An entrance was reopened ([`Command::ReopenEntrance`](super::Command::ReopenEntrance)).
    EntranceReopened {
        /// The entrance.
        entrance: UnitId,
        /// The first day open again.
        on: NaiveDate,
    },
    /// A compound was put under the one-entrance rule or lifted from it
    /// ([`Command::SetOneEntranceRule`](super::Command::SetOneEntranceRule)).
    OneEntranceRuleSet {
        /// The compound.
        compound: UnitId,
        /// Under the rule or lifted.
        under: bool,
        /// The day it takes effect.
        on: NaiveDate,
    },
    /// A shift roster was recorded
    /// ([`Command::RecordShiftRoster`](super::Command::RecordShiftRoster)), with the
    /// checkpoints it was solved over.
    ShiftRosterRecorded {
        /// The roster, its rules and checkpoints.
        roster: super::RecordedRoster,
    },
}

/// The fields of [`Event::Founded`], in the order they are written.
const FOUNDED_FIELDS: &[&str] = &["format", "scheme", "root"];

/// Reads [`Event::Founded`]'s fields format first (see [`Event`]'s "Reading one").
fn read_founded<'de, D: Deserializer<'de>>(d: D) -> Result<(u32, LevelScheme, NewUnit), D::Error> {
    d.deserialize_struct("Founded", FOUNDED_FIELDS, FoundedVisitor)
}

struct FoundedVisitor;

impl<'de> Visitor<'de> for FoundedVisitor {
    type Value = (u32, LevelScheme, NewUnit);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a founding event")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let format = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let scheme = FormatFirst::element(format, &mut seq, 1, &self)?;
        let root = FormatFirst::element(format, &mut seq, 2, &self)?;
        FormatFirst::rest(format, &mut seq)?;
        Ok((format, scheme, root))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut reader = FormatFirst::default();
        let (mut scheme, mut root) = (None, None);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => reader.format(&mut map)?,
                "scheme" => reader.field(&mut map, "scheme", &mut scheme)?,
                "root" => reader.field(&mut map, "root", &mut root)?,
                _ => reader.unknown(&mut map, key, FOUNDED_FIELDS)?,
            }
        }
        let format = reader.finish(FOUNDED_FIELDS)?;
        Ok((format, FormatFirst::required(format, "scheme", scheme)?, FormatFirst::required(format, "root", root)?))
    }
}

/// A person's change of state made by a case event, with the household's change of colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    /// The state before.
    pub from: PersonState,
    /// The state after, and since when.
    pub to: PersonState,
    /// The household's change of colour, if any.
    pub recolours: Vec<Recolour>,
}

/// A household's change of colour, carried by the event that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recolour {
    /// The household.
    pub household: HouseholdId,
    /// Its colour before.
    pub from: Colour,
    /// Its colour after.
    pub to: Colour,
}

impl Event {
    /// The date the event is dated by, for events that carry one (closing a unit, registering
    /// or moving a person, a change of state or of colour rule, a case's records and changes,
    /// a day opened, an erratum (the business date it was made on), a roster's change).
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Event::UnitClosed { on, .. } | Event::PersonMoved { on, .. } | Event::ColourRuleSet { on, .. } => Some(*on),
            Event::PersonRegistered { state, .. } => Some(state.since()),
            Event::StateChanged { to, .. } => Some(to.since()),
            Event::CaseStarted { on, .. }
            | Event::CaseRestarted { on, .. }
            | Event::TestRecorded { on, .. }
            | Event::CaseConverted { on, .. }
            | Event::PhaseEntered { on, .. }
            | Event::CaseReleased { on, .. }
            | Event::CaseFlagged { on, .. }
            | Event::DayOpened { on, .. }
            | Event::CaseReopened { on, .. }
            | Event::CheckCorrected { on, .. }
            | Event::TestCorrected { on, .. }
            | Event::Rostered { on, .. }
            | Event::TasksReassigned { on, .. }
            | Event::PolicyChanged { on, .. }
            | Event::CaseAdjusted { on, .. } => Some(*on),
            Event::CheckRecorded { at, .. } => Some(at.date()),
            Event::TaskCompleted { completion, .. } => completion.at.map(|at| at.date()),
            Event::TicketOpened { spec, .. } => Some(spec.received.date()),
            Event::ExposureRecorded { exposure } => Some(exposure.on()),
            Event::ContactsTraced { trace } => Some(trace.on),
            Event::ArrivalRecorded { arrival, .. } => Some(arrival.arrived()),
            Event::TracedBatchReceived { received: at, .. }
            | Event::TracedControlled { at, .. }
            | Event::TracedHandedOver { at, .. } => Some(at.date()),
            Event::VisitRecorded { visit, .. } => Some(visit.at.date()),
            // Issue 17 §3: workplaces and rental properties.
            Event::FilingChanged { change, .. } => Some(change.on),
            Event::WorkplaceChecked { on, .. } | Event::EmployeesSet { on, .. } | Event::RentalMarked { on, .. } => {
                Some(*on)
            }
            Event::WorkplaceContracted { contract, .. } => Some(contract.since),
            Event::RentalInspected { inspection, .. } => Some(inspection.on),
            // Issue 17 §2.
            Event::CompoundStatusSet { change } => Some(change.on),
            Event::PassIssued { spec, .. } => Some(spec.from),
            Event::PassRevoked { revocation, .. } => Some(revocation.on),
            Event::EntryRecorded { record } => Some(record.entry.at.date()),
            // Issue 17 §1.
            Event::CheckpointSet { on, .. }
            | Event::EntranceClosed { on, .. }
            | Event::EntranceReopened { on, .. }
            | Event::OneEntranceRuleSet { on, .. } => Some(*on),
            Event::ShiftRosterRecorded { roster } => Some(roster.on),
            _ => None,
        }
    }

    /// The changes of household colour this event made, in household order.
    pub fn recolours(&self) -> &[Recolour] {
        match self {
            Event::PersonRegistered { recolours, .. }
            | Event::PersonMoved { recolours, .. }
            | Event::StateChanged { recolours, .. }
            | Event::ColourRuleSet { recolours, .. } => recolours,
            Event::CaseStarted { change, .. }
            | Event::CaseRestarted { change, .. }
            | Event::CaseConverted { change, .. }
            | Event::PhaseEntered { change, .. }
            | Event::CheckRecorded { escalation: change, .. }
            | Event::TestRecorded { escalation: change, .. }
            | Event::CaseReopened { change, .. }
            | Event::PolicyChanged { change, .. }
            | Event::CaseAdjusted { change, .. } => change.as_ref().map_or(&[], |c| &c.recolours),
            // An erratum makes at most one of the two changes.
            Event::CheckCorrected { escalation, undone, .. } | Event::TestCorrected { escalation, undone, .. } => {
                escalation.as_ref().or(undone.as_ref()).map_or(&[], |c| &c.recolours)
            }
            Event::CaseReleased { change, .. } => &change.recolours,
            _ => &[],
        }
    }

    /// The households whose colour changed in events dated `since` or later (五色图动态管理:
    /// what to repaint on the courtyard maps), each with its colour before the first such
    /// change and after the last, in household order. A household that changed and changed
    /// back is left out. Events are read in log order.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Event, Registry};
    /// use wangge::colour::{Colour, PersonState, State};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let mut log = vec![reg.founding_event()];
    /// log.extend(reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?);
    /// let household = log[1].new_household().unwrap();
    /// log.extend(reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?);
    /// let person = log[2].new_person().unwrap();
    /// log.extend(reg.apply(Command::SetState { person, state: State::CloseContact, on: feb(3) })?);
    ///
    /// let changes = Event::colour_changes_since(&log, feb(2));
    /// assert_eq!(changes.len(), 1);
    /// assert_eq!((changes[0].household, changes[0].from, changes[0].to), (household, Colour::Green, Colour::Red));
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Complexity
    /// O(events + changes × log(households changed)).
    pub fn colour_changes_since<'e>(log: impl IntoIterator<Item = &'e Event>, since: NaiveDate) -> Vec<Recolour> {
        let mut net: std::collections::BTreeMap<HouseholdId, (Colour, Colour)> = Default::default();
        for event in log {
            if event.date().is_none_or(|d| d < since) {
                continue;
            }
            for r in event.recolours() {
                net.entry(r.household).and_modify(|(_, to)| *to = r.to).or_insert((r.from, r.to));
            }
        }
        net.into_iter()
            .filter(|(_, (from, to))| from != to)
            .map(|(household, (from, to))| Recolour { household, from, to })
            .collect()
    }

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

    /// The policy this event adopted, if it adopted one.
    pub fn new_policy(&self) -> Option<PolicyId> {
        match self {
            Event::PolicyAdopted { policy, .. } => Some(*policy),
            _ => None,
        }
    }

    /// The case this event started, if it started one.
    pub fn new_case(&self) -> Option<CaseId> {
        match self {
            Event::CaseStarted { case, .. } => Some(*case),
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

    /// Whether this is a responsibility event (staff, schemes, rosters), which
    /// `registry::duties` checks and commits.
    pub(super) fn is_duty(&self) -> bool {
        matches!(
            self,
            Event::StaffAdded { .. }
                | Event::AvailabilitySet { .. }
                | Event::SchemeAdopted { .. }
                | Event::Rostered { .. }
        )
    }

    /// The staff member this event registered, if it registered one.
    pub fn new_staff(&self) -> Option<StaffId> {
        match self {
            Event::StaffAdded { staff, .. } => Some(*staff),
            _ => None,
        }
    }

    /// The scheme this event adopted, if it adopted one.
    pub fn new_scheme(&self) -> Option<SchemeId> {
        match self {
            Event::SchemeAdopted { scheme, .. } => Some(*scheme),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    /// The number of [`Event`]'s variants: [`variant`] numbers them from 0.
    const VARIANTS: usize = 60;

    /// The variants added after format 5 (the business date, errata; the day's work; the
    /// protocol rules; finding people; workplaces; the gates): the golden v5 log has none of
    /// them, the golden v6 log has each.
    const SINCE_V5: [usize; 33] = [
        27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54,
        // Issue 17 §1: checkpoints, closed entrances, shift rosters.
        55, 56, 57, 58, 59,
    ];

    /// Each variant's number. The `match` has no wildcard arm, so adding a variant stops this
    /// from compiling until it is numbered here, and then `golden_log_covers_every_variant`
    /// fails until the golden log (`tests/format.rs`'s script) makes one.
    fn variant(event: &Event) -> usize {
        match event {
            Event::Founded { .. } => 0,
            Event::UnitAdded { .. } => 1,
            Event::UnitMoved { .. } => 2,
            Event::UnitClosed { .. } => 3,
            Event::OverlayCreated { .. } => 4,
            Event::CellAdded { .. } => 5,
            Event::CellExtended { .. } => 6,
            Event::HouseholdAdded { .. } => 7,
            Event::HouseholdMoved { .. } => 8,
            Event::PersonRegistered { .. } => 9,
            Event::PersonMoved { .. } => 10,
            Event::MarkersSet { .. } => 11,
            Event::StateChanged { .. } => 12,
            Event::ColourRuleSet { .. } => 13,
            Event::PolicyAdopted { .. } => 14,
            Event::CaseStarted { .. } => 15,
            Event::CaseRestarted { .. } => 16,
            Event::CheckRecorded { .. } => 17,
            Event::TestRecorded { .. } => 18,
            Event::CaseConverted { .. } => 19,
            Event::PhaseEntered { .. } => 20,
            Event::CaseReleased { .. } => 21,
            Event::CaseFlagged { .. } => 22,
            Event::StaffAdded { .. } => 23,
            Event::AvailabilitySet { .. } => 24,
            Event::SchemeAdopted { .. } => 25,
            Event::Rostered { .. } => 26,
            Event::DayOpened { .. } => 27,
            Event::CaseReopened { .. } => 28,
            Event::CheckCorrected { .. } => 29,
            Event::TestCorrected { .. } => 30,
            Event::WorkPlanAdopted { .. } => 31,
            Event::TaskCompleted { .. } => 32,
            Event::TasksReassigned { .. } => 33,
            Event::TicketOpened { .. } => 34,
            Event::PolicyChanged { .. } => 35,
            Event::CaseAdjusted { .. } => 36,
            // Issue 16 §4: the contact graph.
            Event::ExposureRecorded { .. } => 37,
            Event::ContactsTraced { .. } => 38,
            // Issue 16 §3: arrivals by origin.
            Event::ArrivalRecorded { .. } => 39,
            // Issue 16 §2: traced lists.
            Event::TracedBatchReceived { .. } => 40,
            Event::TracedControlled { .. } => 41,
            Event::TracedHandedOver { .. } => 42,
            // Issue 16 §1: screening campaigns.
            Event::CampaignStarted { .. } => 43,
            Event::VisitRecorded { .. } => 44,
            // Issue 17 §3: workplaces and rental properties.
            Event::FilingChanged { .. } => 45,
            Event::WorkplaceChecked { .. } => 46,
            Event::EmployeesSet { .. } => 47,
            Event::WorkplaceContracted { .. } => 48,
            Event::RentalMarked { .. } => 49,
            Event::RentalInspected { .. } => 50,
            // Issue 17 §2: closed management, passes, entry checks.
            Event::CompoundStatusSet { .. } => 51,
            Event::PassIssued { .. } => 52,
            Event::PassRevoked { .. } => 53,
            Event::EntryRecorded { .. } => 54,
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            Event::CheckpointSet { .. } => 55,
            Event::EntranceClosed { .. } => 56,
            Event::EntranceReopened { .. } => 57,
            Event::OneEntranceRuleSet { .. } => 58,
            Event::ShiftRosterRecorded { .. } => 59,
        }
    }

    #[test]
    fn golden_log_covers_every_variant() {
        let mut seen = [false; VARIANTS];
        for line in include_str!("../../tests/golden/log_v5.jsonl").lines() {
            let event: Event = serde_json::from_str(line).unwrap();
            seen[variant(&event)] = true;
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|&i| !seen[i] && !SINCE_V5.contains(&i)).collect();
        assert!(missing.is_empty(), "the golden log has no event of the variants numbered {missing:?}");
    }
}
