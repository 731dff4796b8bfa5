//! Names and categories of commands and events, for hosts (issue 18 §1): a stable snake-case
//! name for each command and event ([`Command::kind`], [`Event::kind`]: an indexed column of a
//! store, a permission table, a log line) and a category for each command
//! ([`Command::category`]), so a host can allow commands by role.

use serde::{Deserialize, Serialize};

use super::{Command, Event};

/// What part of the registry a command changes ([`Command::category`]): a host allows
/// commands to a role by category (a grid worker records cases and findings, a community
/// changes its structure, only the sub-district adopts policies).
///
/// Serialised in snake case (`"city_wide"`), as [`CommandCategory::as_str`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommandCategory {
    /// The tree and its overlays, households placed in it: add, move and close units, cells,
    /// households.
    Structure,
    /// The population register 一人一档: persons registered and moved, their markers.
    Register,
    /// A person's state set by hand.
    State,
    /// Isolation cases 隔离个案: start, exposures, checks, tests, release, errata, adjustments.
    Case,
    /// Responsibility 包保: staff, their availability, assignments, replacements.
    Duty,
    /// The day's work: tasks completed and reassigned, hotline tickets.
    Work,
    /// Finding people: exposures and tracing, arrivals, traced lists' rows, screening.
    Finding,
    /// Gates 卡点 and closed management: checkpoints, their shifts, compounds' status, passes
    /// 出入证, entry records.
    Gate,
    /// Workplaces' return to work 复工复产 and rental properties 出租屋.
    Workplace,
    /// What applies to the whole registry and is refused through a scope
    /// ([`RegistryError::CityWide`](super::RegistryError::CityWide)): overlays, colour rules,
    /// policies and their changes, schemes and their solving, work plans, the business date,
    /// traced batches received, shift rosters of the checkpoints.
    CityWide,
}

impl CommandCategory {
    /// Every category, in declaration order.
    pub const ALL: [CommandCategory; 10] = [
        CommandCategory::Structure,
        CommandCategory::Register,
        CommandCategory::State,
        CommandCategory::Case,
        CommandCategory::Duty,
        CommandCategory::Work,
        CommandCategory::Finding,
        CommandCategory::Gate,
        CommandCategory::Workplace,
        CommandCategory::CityWide,
    ];

    /// The category's stable name, in snake case.
    pub const fn as_str(self) -> &'static str {
        match self {
            CommandCategory::Structure => "structure",
            CommandCategory::Register => "register",
            CommandCategory::State => "state",
            CommandCategory::Case => "case",
            CommandCategory::Duty => "duty",
            CommandCategory::Work => "work",
            CommandCategory::Finding => "finding",
            CommandCategory::Gate => "gate",
            CommandCategory::Workplace => "workplace",
            CommandCategory::CityWide => "city_wide",
        }
    }
}

impl std::fmt::Display for CommandCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Command {
    /// The command's stable name: its variant in snake case (`"start_case"`), never renamed.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::Command;
    /// use wangge::registry::CommandCategory;
    ///
    /// let open = Command::OpenDay { today: NaiveDate::from_ymd_opt(2020, 2, 1).unwrap() };
    /// assert_eq!(open.kind(), "open_day");
    /// assert_eq!(open.category(), CommandCategory::CityWide); // refused through a scope
    /// ```
    pub fn kind(&self) -> &'static str {
        self.kind_and_category().0
    }

    /// What part of the registry the command changes.
    pub fn category(&self) -> CommandCategory {
        self.kind_and_category().1
    }

    fn kind_and_category(&self) -> (&'static str, CommandCategory) {
        match self {
            Command::AddUnit { .. } => ("add_unit", CommandCategory::Structure),
            Command::MoveUnit { .. } => ("move_unit", CommandCategory::Structure),
            Command::CloseUnit { .. } => ("close_unit", CommandCategory::Structure),
            Command::CreateOverlay { .. } => ("create_overlay", CommandCategory::CityWide),
            Command::AddCell { .. } => ("add_cell", CommandCategory::Structure),
            Command::ExtendCell { .. } => ("extend_cell", CommandCategory::Structure),
            Command::AddHousehold { .. } => ("add_household", CommandCategory::Structure),
            Command::MoveHousehold { .. } => ("move_household", CommandCategory::Structure),
            Command::RegisterPerson { .. } => ("register_person", CommandCategory::Register),
            Command::MovePerson { .. } => ("move_person", CommandCategory::Register),
            Command::SetMarkers { .. } => ("set_markers", CommandCategory::Register),
            Command::SetState { .. } => ("set_state", CommandCategory::State),
            Command::SetMeasure { .. } => ("set_measure", CommandCategory::State),
            Command::SetColourRule { .. } => ("set_colour_rule", CommandCategory::CityWide),
            Command::AdoptPolicy { .. } => ("adopt_policy", CommandCategory::CityWide),
            Command::StartCase { .. } => ("start_case", CommandCategory::Case),
            Command::Exposed { .. } => ("exposed", CommandCategory::Case),
            Command::RecordCheck { .. } => ("record_check", CommandCategory::Case),
            Command::RecordTest { .. } => ("record_test", CommandCategory::Case),
            Command::Release { .. } => ("release", CommandCategory::Case),
            Command::CorrectCheck { .. } => ("correct_check", CommandCategory::Case),
            Command::CorrectTest { .. } => ("correct_test", CommandCategory::Case),
            Command::OpenDay { .. } => ("open_day", CommandCategory::CityWide),
            Command::AddStaff { .. } => ("add_staff", CommandCategory::Duty),
            Command::SetAvailability { .. } => ("set_availability", CommandCategory::Duty),
            Command::AdoptScheme { .. } => ("adopt_scheme", CommandCategory::CityWide),
            Command::Assign { .. } => ("assign", CommandCategory::Duty),
            Command::Unassign { .. } => ("unassign", CommandCategory::Duty),
            Command::Solve { .. } => ("solve", CommandCategory::CityWide),
            Command::Replace { .. } => ("replace", CommandCategory::Duty),
            Command::AdoptWorkPlan { .. } => ("adopt_work_plan", CommandCategory::CityWide),
            Command::CompleteTask { .. } => ("complete_task", CommandCategory::Work),
            Command::ReassignTasks { .. } => ("reassign_tasks", CommandCategory::Work),
            Command::OpenTicket { .. } => ("open_ticket", CommandCategory::Work),
            Command::ChangePolicy { .. } => ("change_policy", CommandCategory::CityWide),
            Command::AdjustCase { .. } => ("adjust_case", CommandCategory::Case),
            Command::RecordExposure { .. } => ("record_exposure", CommandCategory::Finding),
            Command::TraceContacts { .. } => ("trace_contacts", CommandCategory::Finding),
            Command::RecordArrival { .. } => ("record_arrival", CommandCategory::Finding),
            Command::ReceiveTracedBatch { .. } => ("receive_traced_batch", CommandCategory::CityWide),
            Command::ControlTraced { .. } => ("control_traced", CommandCategory::Finding),
            Command::HandOverTraced { .. } => ("hand_over_traced", CommandCategory::Finding),
            Command::StartCampaign { .. } => ("start_campaign", CommandCategory::Finding),
            Command::RecordVisit { .. } => ("record_visit", CommandCategory::Finding),
            Command::ChangeFiling { .. } => ("change_filing", CommandCategory::Workplace),
            Command::CheckWorkplace { .. } => ("check_workplace", CommandCategory::Workplace),
            Command::SetEmployees { .. } => ("set_employees", CommandCategory::Workplace),
            Command::ContractWorkplace { .. } => ("contract_workplace", CommandCategory::Workplace),
            Command::MarkRental { .. } => ("mark_rental", CommandCategory::Workplace),
            Command::InspectRental { .. } => ("inspect_rental", CommandCategory::Workplace),
            Command::SetCompoundStatus { .. } => ("set_compound_status", CommandCategory::Gate),
            Command::IssuePass { .. } => ("issue_pass", CommandCategory::Gate),
            Command::RevokePass { .. } => ("revoke_pass", CommandCategory::Gate),
            Command::RecordEntry { .. } => ("record_entry", CommandCategory::Gate),
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            Command::SetCheckpoint { .. } => ("set_checkpoint", CommandCategory::Gate),
            Command::CloseEntrance { .. } => ("close_entrance", CommandCategory::Gate),
            Command::ReopenEntrance { .. } => ("reopen_entrance", CommandCategory::Gate),
            Command::SetOneEntranceRule { .. } => ("set_one_entrance_rule", CommandCategory::Gate),
            Command::RecordShiftRoster { .. } => ("record_shift_roster", CommandCategory::CityWide),
        }
    }
}

impl Event {
    /// The event's stable name: its variant in snake case (`"case_started"`), never renamed:
    /// a store may keep it in an indexed column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Founded { .. } => "founded",
            Event::UnitAdded { .. } => "unit_added",
            Event::UnitMoved { .. } => "unit_moved",
            Event::UnitClosed { .. } => "unit_closed",
            Event::OverlayCreated { .. } => "overlay_created",
            Event::CellAdded { .. } => "cell_added",
            Event::CellExtended { .. } => "cell_extended",
            Event::HouseholdAdded { .. } => "household_added",
            Event::HouseholdMoved { .. } => "household_moved",
            Event::PersonRegistered { .. } => "person_registered",
            Event::PersonMoved { .. } => "person_moved",
            Event::MarkersSet { .. } => "markers_set",
            Event::StateChanged { .. } => "state_changed",
            Event::ColourRuleSet { .. } => "colour_rule_set",
            Event::PolicyAdopted { .. } => "policy_adopted",
            Event::CaseStarted { .. } => "case_started",
            Event::CaseRestarted { .. } => "case_restarted",
            Event::CheckRecorded { .. } => "check_recorded",
            Event::TestRecorded { .. } => "test_recorded",
            Event::CaseConverted { .. } => "case_converted",
            Event::PhaseEntered { .. } => "phase_entered",
            Event::CaseReleased { .. } => "case_released",
            Event::CaseFlagged { .. } => "case_flagged",
            Event::DayOpened { .. } => "day_opened",
            Event::CaseReopened { .. } => "case_reopened",
            Event::CheckCorrected { .. } => "check_corrected",
            Event::TestCorrected { .. } => "test_corrected",
            Event::StaffAdded { .. } => "staff_added",
            Event::AvailabilitySet { .. } => "availability_set",
            Event::SchemeAdopted { .. } => "scheme_adopted",
            Event::Rostered { .. } => "rostered",
            Event::WorkPlanAdopted { .. } => "work_plan_adopted",
            Event::TaskCompleted { .. } => "task_completed",
            Event::TasksReassigned { .. } => "tasks_reassigned",
            Event::TicketOpened { .. } => "ticket_opened",
            Event::PolicyChanged { .. } => "policy_changed",
            Event::CaseAdjusted { .. } => "case_adjusted",
            Event::ExposureRecorded { .. } => "exposure_recorded",
            Event::ContactsTraced { .. } => "contacts_traced",
            Event::ArrivalRecorded { .. } => "arrival_recorded",
            Event::TracedBatchReceived { .. } => "traced_batch_received",
            Event::TracedControlled { .. } => "traced_controlled",
            Event::TracedHandedOver { .. } => "traced_handed_over",
            Event::CampaignStarted { .. } => "campaign_started",
            Event::VisitRecorded { .. } => "visit_recorded",
            Event::FilingChanged { .. } => "filing_changed",
            Event::WorkplaceChecked { .. } => "workplace_checked",
            Event::EmployeesSet { .. } => "employees_set",
            Event::WorkplaceContracted { .. } => "workplace_contracted",
            Event::RentalMarked { .. } => "rental_marked",
            Event::RentalInspected { .. } => "rental_inspected",
            Event::CompoundStatusSet { .. } => "compound_status_set",
            Event::PassIssued { .. } => "pass_issued",
            Event::PassRevoked { .. } => "pass_revoked",
            Event::EntryRecorded { .. } => "entry_recorded",
            // Issue 17 §1: checkpoints, closed entrances, shift rosters.
            Event::CheckpointSet { .. } => "checkpoint_set",
            Event::EntranceClosed { .. } => "entrance_closed",
            Event::EntranceReopened { .. } => "entrance_reopened",
            Event::OneEntranceRuleSet { .. } => "one_entrance_rule_set",
            Event::ShiftRosterRecorded { .. } => "shift_roster_recorded",
        }
    }
}
