//! The crate's error: one enum per area, wrapped.
//!
//! Each module returns its own error ([`GridError`], [`PeopleError`], ...); the registry and
//! hosts that mix areas use [`Error`], into which every one of them converts with `?`.

use serde::{Deserialize, Serialize};

use crate::colour::ColourError;
use crate::grid::GridError;
use crate::people::{IdentityError, PeopleError};
use crate::registry::RegistryError;

/// Every error wangge returns. Each area has its own enum with the offending ids and values
/// in its fields; this wraps them so that `?` works across areas.
///
/// No message carries personal data: identity numbers, names and phones are never shown.
///
/// # Example
/// ```
/// use wangge::Error;
/// use wangge::people::{IdentityError, PeopleError, ResidentId};
///
/// fn register(text: &str) -> Result<ResidentId, Error> {
///     Ok(ResidentId::parse(text)?) // an IdentityError becomes an Error
/// }
/// let err = register("11010519491231002x").unwrap_err();
/// assert_eq!(err, Error::People(PeopleError::Identity(IdentityError::InvalidCheckCharacter)));
/// // The message says what was wrong, never the text.
/// assert!(!err.to_string().contains("1101"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Error {
    /// The grid: schemes, units, the tree, overlays.
    #[error(transparent)]
    Grid(#[from] GridError),
    /// The population register.
    #[error(transparent)]
    People(#[from] PeopleError),
    /// Person states and colour rules.
    #[error(transparent)]
    Colour(#[from] ColourError),
    /// Isolation policies and schedules.
    #[error(transparent)]
    Quarantine(#[from] crate::quarantine::QuarantineError),
    /// Isolation cases in the registry.
    #[error(transparent)]
    Case(#[from] crate::quarantine::CaseError),
    /// Responsibility: schemes, staff, rosters.
    #[error(transparent)]
    Duty(#[from] crate::duty::DutyError),
    /// The day's work: plans, tasks, tickets.
    #[error(transparent)]
    Work(#[from] crate::work::WorkError),
    // Issue 16 §2: traced lists.
    /// Traced lists: batches, rows, controls.
    #[error(transparent)]
    Trace(#[from] crate::trace::TraceError),
    // Issue 16 §1: screening campaigns.
    /// Screening campaigns: visits and their findings.
    #[error(transparent)]
    Screen(#[from] crate::screen::ScreenError),
    /// The registry: events, scopes, snapshots.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    // Issue 16 §4: the contact graph.
    /// The contact graph: exposures, rules, tracing.
    #[error(transparent)]
    Contact(#[from] crate::contacts::ContactError),
    // Arrivals (issue 16 §3).
    /// Arrivals and their counts.
    #[error(transparent)]
    Arrival(#[from] crate::arrivals::ArrivalError),
    // Issue 17 §3: workplaces and rental properties.
    /// Workplaces' filings and rental properties.
    #[error(transparent)]
    Firm(#[from] crate::firms::FirmError),
    // Issue 17 §2: closed management, passes, entry checks.
    /// Compounds' status, passes and entries at the gates.
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    // gates (issue 17 §1)
    /// Checkpoints, shift patterns and shift rosters.
    #[error(transparent)]
    Gate(#[from] crate::gates::GateError),
}

impl From<IdentityError> for Error {
    fn from(e: IdentityError) -> Self {
        Error::People(PeopleError::Identity(e))
    }
}

/// What kind of failure an [`Error`] is ([`Error::kind`]): how a host answers it (an HTTP
/// service: 404, 409, 422, 403, 500).
///
/// Serialised in snake case (`"not_found"`), as [`ErrorKind::as_str`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// What the command or read names does not exist (a unit, person, case, batch ...).
    NotFound,
    /// The command is well formed but the registry's state refuses it now (a duplicate, a
    /// transition not allowed, a case not yet due, a date after the business date, a request id
    /// answered for another command).
    Conflict,
    /// The input itself is malformed or out of range, whatever the state (a bad identity
    /// number, a policy of 0 days, an empty name).
    Invalid,
    /// The command or read reaches outside the caller's scope 管辖范围.
    Forbidden,
    /// Stored data does not hold together (a snapshot, a log, a record): not the caller's fault.
    Corrupt,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 5] =
        [ErrorKind::NotFound, ErrorKind::Conflict, ErrorKind::Invalid, ErrorKind::Forbidden, ErrorKind::Corrupt];

    /// The kind's stable name: `not_found`, `conflict`, `invalid`, `forbidden`, `corrupt`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Corrupt => "corrupt",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The error's stable code, `area.what` in snake case: one per variant of each area's
    /// error, never reused, never renamed (a host may match on it and show it to users). The
    /// whole list, with each code's [kind](Error::kind):
    ///
    /// | code | kind | the error |
    /// |---|---|---|
    /// | `grid.invalid_scheme` | invalid | [`GridError::InvalidScheme`](GridError::InvalidScheme) |
    /// | `grid.invalid_code` | invalid | [`GridError::InvalidCode`](GridError::InvalidCode) |
    /// | `grid.invalid_name` | invalid | [`GridError::InvalidName`](GridError::InvalidName) |
    /// | `grid.unknown_unit` | not found | [`GridError::UnknownUnit`](GridError::UnknownUnit) |
    /// | `grid.unknown_level` | not found | [`GridError::UnknownLevel`](GridError::UnknownLevel) |
    /// | `grid.unknown_level_name` | not found | [`GridError::UnknownLevelName`](GridError::UnknownLevelName) |
    /// | `grid.level_does_not_nest` | invalid | [`GridError::LevelDoesNotNest`](GridError::LevelDoesNotNest) |
    /// | `grid.not_a_container` | invalid | [`GridError::NotAContainer`](GridError::NotAContainer) |
    /// | `grid.unit_closed` | conflict | [`GridError::UnitClosed`](GridError::UnitClosed) |
    /// | `grid.duplicate_code` | conflict | [`GridError::DuplicateCode`](GridError::DuplicateCode) |
    /// | `grid.root_is_fixed` | conflict | [`GridError::RootIsFixed`](GridError::RootIsFixed) |
    /// | `grid.move_into_own_subtree` | invalid | [`GridError::MoveIntoOwnSubtree`](GridError::MoveIntoOwnSubtree) |
    /// | `grid.has_open_children` | conflict | [`GridError::HasOpenChildren`](GridError::HasOpenChildren) |
    /// | `grid.too_many_units` | conflict | [`GridError::TooManyUnits`](GridError::TooManyUnits) |
    /// | `grid.invalid_tree_data` | corrupt | [`GridError::InvalidTreeData`](GridError::InvalidTreeData) |
    /// | `grid.unknown_overlay` | not found | [`GridError::UnknownOverlay`](GridError::UnknownOverlay) |
    /// | `grid.unknown_cell` | not found | [`GridError::UnknownCell`](GridError::UnknownCell) |
    /// | `grid.duplicate_overlay` | conflict | [`GridError::DuplicateOverlay`](GridError::DuplicateOverlay) |
    /// | `grid.empty_cell` | invalid | [`GridError::EmptyCell`](GridError::EmptyCell) |
    /// | `grid.cell_overlap` | conflict | [`GridError::CellOverlap`](GridError::CellOverlap) |
    /// | `grid.too_many_overlays` | conflict | [`GridError::TooManyOverlays`](GridError::TooManyOverlays) |
    /// | `grid.too_many_cells` | conflict | [`GridError::TooManyCells`](GridError::TooManyCells) |
    /// | `grid.invalid_overlay_data` | corrupt | [`GridError::InvalidOverlayData`](GridError::InvalidOverlayData) |
    /// | `people.unknown_household` | not found | [`PeopleError::UnknownHousehold`](PeopleError::UnknownHousehold) |
    /// | `people.unknown_person` | not found | [`PeopleError::UnknownPerson`](PeopleError::UnknownPerson) |
    /// | `people.duplicate_resident_id` | conflict | [`PeopleError::DuplicateResidentId`](PeopleError::DuplicateResidentId) |
    /// | `people.duplicate_passport` | conflict | [`PeopleError::DuplicatePassport`](PeopleError::DuplicatePassport) |
    /// | `people.duplicate_door` | conflict | [`PeopleError::DuplicateDoor`](PeopleError::DuplicateDoor) |
    /// | `people.invalid_door` | invalid | [`PeopleError::InvalidDoor`](PeopleError::InvalidDoor) |
    /// | `people.unknown_unit` | not found | [`PeopleError::UnknownUnit`](PeopleError::UnknownUnit) |
    /// | `people.too_many_households` | conflict | [`PeopleError::TooManyHouseholds`](PeopleError::TooManyHouseholds) |
    /// | `people.too_many_persons` | conflict | [`PeopleError::TooManyPersons`](PeopleError::TooManyPersons) |
    /// | `identity.wrong_length` | invalid | [`IdentityError::WrongLength`](IdentityError::WrongLength) |
    /// | `identity.not_a_digit` | invalid | [`IdentityError::NotADigit`](IdentityError::NotADigit) |
    /// | `identity.invalid_check_character` | invalid | [`IdentityError::InvalidCheckCharacter`](IdentityError::InvalidCheckCharacter) |
    /// | `identity.invalid_area_code` | invalid | [`IdentityError::InvalidAreaCode`](IdentityError::InvalidAreaCode) |
    /// | `identity.invalid_birth_date` | invalid | [`IdentityError::InvalidBirthDate`](IdentityError::InvalidBirthDate) |
    /// | `identity.invalid_sequence` | invalid | [`IdentityError::InvalidSequence`](IdentityError::InvalidSequence) |
    /// | `identity.bad_check_character` | invalid | [`IdentityError::BadCheckCharacter`](IdentityError::BadCheckCharacter) |
    /// | `identity.empty_name` | invalid | [`IdentityError::EmptyName`](IdentityError::EmptyName) |
    /// | `identity.name_too_long` | invalid | [`IdentityError::NameTooLong`](IdentityError::NameTooLong) |
    /// | `identity.control_character` | invalid | [`IdentityError::ControlCharacter`](IdentityError::ControlCharacter) |
    /// | `identity.invalid_phone` | invalid | [`IdentityError::InvalidPhone`](IdentityError::InvalidPhone) |
    /// | `identity.invalid_passport` | invalid | [`IdentityError::InvalidPassport`](IdentityError::InvalidPassport) |
    /// | `identity.invalid_country_code` | invalid | [`IdentityError::InvalidCountryCode`](IdentityError::InvalidCountryCode) |
    /// | `colour.illegal_transition` | conflict | [`ColourError::IllegalTransition`](ColourError::IllegalTransition) |
    /// | `colour.unchanged` | conflict | [`ColourError::Unchanged`](ColourError::Unchanged) |
    /// | `colour.before_current` | conflict | [`ColourError::BeforeCurrent`](ColourError::BeforeCurrent) |
    /// | `colour.unmapped` | invalid | [`ColourError::Unmapped`](ColourError::Unmapped) |
    /// | `colour.mapped_twice` | invalid | [`ColourError::MappedTwice`](ColourError::MappedTwice) |
    /// | `colour.setting_as_reason` | invalid | [`ColourError::SettingAsReason`](ColourError::SettingAsReason) |
    /// | `colour.absent_under_measure` | invalid | [`ColourError::AbsentUnderMeasure`](ColourError::AbsentUnderMeasure) |
    /// | `colour.measure_unchanged` | conflict | [`ColourError::MeasureUnchanged`](ColourError::MeasureUnchanged) |
    /// | `policy.no_phases` | invalid | [`QuarantineError::NoPhases`](crate::quarantine::QuarantineError::NoPhases) |
    /// | `policy.zero_length` | invalid | [`QuarantineError::ZeroLength`](crate::quarantine::QuarantineError::ZeroLength) |
    /// | `policy.test_day_outside_phase` | invalid | [`QuarantineError::TestDayOutsidePhase`](crate::quarantine::QuarantineError::TestDayOutsidePhase) |
    /// | `policy.zero_checks` | invalid | [`QuarantineError::ZeroChecks`](crate::quarantine::QuarantineError::ZeroChecks) |
    /// | `policy.too_many_checks` | invalid | [`QuarantineError::TooManyChecks`](crate::quarantine::QuarantineError::TooManyChecks) |
    /// | `policy.invalid_temperature` | invalid | [`QuarantineError::InvalidTemperature`](crate::quarantine::QuarantineError::InvalidTemperature) |
    /// | `policy.unparsable_temperature` | invalid | [`QuarantineError::UnparsableTemperature`](crate::quarantine::QuarantineError::UnparsableTemperature) |
    /// | `policy.invalid_name` | invalid | [`QuarantineError::InvalidName`](crate::quarantine::QuarantineError::InvalidName) |
    /// | `policy.invalid_source` | invalid | [`QuarantineError::InvalidSource`](crate::quarantine::QuarantineError::InvalidSource) |
    /// | `policy.too_long` | invalid | [`QuarantineError::TooLong`](crate::quarantine::QuarantineError::TooLong) |
    /// | `policy.zero_linked_tests` | invalid | [`QuarantineError::ZeroLinkedTests`](crate::quarantine::QuarantineError::ZeroLinkedTests) |
    /// | `policy.invalid_early_release` | invalid | [`QuarantineError::InvalidEarlyRelease`](crate::quarantine::QuarantineError::InvalidEarlyRelease) |
    /// | `policy.invalid_after_release` | invalid | [`QuarantineError::InvalidAfterRelease`](crate::quarantine::QuarantineError::InvalidAfterRelease) |
    /// | `policy.invalid_length` | invalid | [`QuarantineError::InvalidLength`](crate::quarantine::QuarantineError::InvalidLength) |
    /// | `policy.date_out_of_range` | invalid | [`QuarantineError::DateOutOfRange`](crate::quarantine::QuarantineError::DateOutOfRange) |
    /// | `case.unknown_policy` | not found | [`CaseError::UnknownPolicy`](crate::quarantine::CaseError::UnknownPolicy) |
    /// | `case.unknown_case` | not found | [`CaseError::UnknownCase`](crate::quarantine::CaseError::UnknownCase) |
    /// | `case.policy_name_taken` | conflict | [`CaseError::PolicyNameTaken`](crate::quarantine::CaseError::PolicyNameTaken) |
    /// | `case.under_case` | conflict | [`CaseError::UnderCase`](crate::quarantine::CaseError::UnderCase) |
    /// | `case.no_active_case` | not found | [`CaseError::NoActiveCase`](crate::quarantine::CaseError::NoActiveCase) |
    /// | `case.positive_after_escalation` | conflict | [`CaseError::PositiveAfterEscalation`](crate::quarantine::CaseError::PositiveAfterEscalation) |
    /// | `case.ended` | conflict | [`CaseError::Ended`](crate::quarantine::CaseError::Ended) |
    /// | `case.anchor_after_start` | invalid | [`CaseError::AnchorAfterStart`](crate::quarantine::CaseError::AnchorAfterStart) |
    /// | `case.period_over` | conflict | [`CaseError::PeriodOver`](crate::quarantine::CaseError::PeriodOver) |
    /// | `case.restart_not_later` | conflict | [`CaseError::RestartNotLater`](crate::quarantine::CaseError::RestartNotLater) |
    /// | `case.back_dated` | conflict | [`CaseError::BackDated`](crate::quarantine::CaseError::BackDated) |
    /// | `case.before_anchor` | invalid | [`CaseError::BeforeAnchor`](crate::quarantine::CaseError::BeforeAnchor) |
    /// | `case.test_already_recorded` | conflict | [`CaseError::TestAlreadyRecorded`](crate::quarantine::CaseError::TestAlreadyRecorded) |
    /// | `case.too_early` | conflict | [`CaseError::TooEarly`](crate::quarantine::CaseError::TooEarly) |
    /// | `case.not_releasable` | conflict | [`CaseError::NotReleasable`](crate::quarantine::CaseError::NotReleasable) |
    /// | `case.no_such_record` | not found | [`CaseError::NoSuchRecord`](crate::quarantine::CaseError::NoSuchRecord) |
    /// | `case.invalid_reason` | invalid | [`CaseError::InvalidReason`](crate::quarantine::CaseError::InvalidReason) |
    /// | `case.zero_adjustment` | invalid | [`CaseError::ZeroAdjustment`](crate::quarantine::CaseError::ZeroAdjustment) |
    /// | `case.no_cases_under` | not found | [`CaseError::NoCasesUnder`](crate::quarantine::CaseError::NoCasesUnder) |
    /// | `case.same_policy` | invalid | [`CaseError::SamePolicy`](crate::quarantine::CaseError::SamePolicy) |
    /// | `case.anchor_mismatch` | invalid | [`CaseError::AnchorMismatch`](crate::quarantine::CaseError::AnchorMismatch) |
    /// | `case.link_unstated` | invalid | [`CaseError::LinkUnstated`](crate::quarantine::CaseError::LinkUnstated) |
    /// | `case.invalid_link` | conflict | [`CaseError::InvalidLink`](crate::quarantine::CaseError::InvalidLink) |
    /// | `duty.invalid_name` | invalid | [`DutyError::InvalidName`](crate::duty::DutyError::InvalidName) |
    /// | `duty.invalid_source` | invalid | [`DutyError::InvalidSource`](crate::duty::DutyError::InvalidSource) |
    /// | `duty.no_rules` | invalid | [`DutyError::NoRules`](crate::duty::DutyError::NoRules) |
    /// | `duty.no_slots` | invalid | [`DutyError::NoSlots`](crate::duty::DutyError::NoSlots) |
    /// | `duty.no_states` | invalid | [`DutyError::NoStates`](crate::duty::DutyError::NoStates) |
    /// | `duty.zero_count` | invalid | [`DutyError::ZeroCount`](crate::duty::DutyError::ZeroCount) |
    /// | `duty.role_twice` | invalid | [`DutyError::RoleTwice`](crate::duty::DutyError::RoleTwice) |
    /// | `duty.locality_below_target` | invalid | [`DutyError::LocalityBelowTarget`](crate::duty::DutyError::LocalityBelowTarget) |
    /// | `duty.zero_load_limit` | invalid | [`DutyError::ZeroLoadLimit`](crate::duty::DutyError::ZeroLoadLimit) |
    /// | `duty.availability_reversed` | invalid | [`DutyError::AvailabilityReversed`](crate::duty::DutyError::AvailabilityReversed) |
    /// | `duty.unknown_scheme` | not found | [`DutyError::UnknownScheme`](crate::duty::DutyError::UnknownScheme) |
    /// | `duty.unknown_staff` | not found | [`DutyError::UnknownStaff`](crate::duty::DutyError::UnknownStaff) |
    /// | `duty.scheme_name_taken` | conflict | [`DutyError::SchemeNameTaken`](crate::duty::DutyError::SchemeNameTaken) |
    /// | `duty.not_held` | not found | [`DutyError::NotHeld`](crate::duty::DutyError::NotHeld) |
    /// | `roster.unknown_unit` | invalid | [`RosterProblem::UnknownUnit`](crate::duty::RosterProblem::UnknownUnit) |
    /// | `roster.not_selected` | invalid | [`RosterProblem::NotSelected`](crate::duty::RosterProblem::NotSelected) |
    /// | `roster.unlisted_target` | invalid | [`RosterProblem::UnlistedTarget`](crate::duty::RosterProblem::UnlistedTarget) |
    /// | `roster.role_not_for_target` | invalid | [`RosterProblem::RoleNotForTarget`](crate::duty::RosterProblem::RoleNotForTarget) |
    /// | `roster.unknown_staff` | invalid | [`RosterProblem::UnknownStaff`](crate::duty::RosterProblem::UnknownStaff) |
    /// | `roster.duplicate` | invalid | [`RosterProblem::Duplicate`](crate::duty::RosterProblem::Duplicate) |
    /// | `roster.ineligible` | invalid | [`RosterProblem::Ineligible`](crate::duty::RosterProblem::Ineligible) |
    /// | `roster.unavailable` | invalid | [`RosterProblem::Unavailable`](crate::duty::RosterProblem::Unavailable) |
    /// | `roster.locality_breach` | invalid | [`RosterProblem::LocalityBreach`](crate::duty::RosterProblem::LocalityBreach) |
    /// | `roster.missing` | invalid | [`RosterProblem::Missing`](crate::duty::RosterProblem::Missing) |
    /// | `roster.overfilled` | invalid | [`RosterProblem::Overfilled`](crate::duty::RosterProblem::Overfilled) |
    /// | `roster.over_load` | invalid | [`RosterProblem::OverLoad`](crate::duty::RosterProblem::OverLoad) |
    /// | `work.invalid_plan` | invalid | [`WorkError::InvalidPlan`](crate::work::WorkError::InvalidPlan) |
    /// | `work.slot_reversed` | invalid | [`WorkError::SlotReversed`](crate::work::WorkError::SlotReversed) |
    /// | `work.no_plan` | not found | [`WorkError::NoPlan`](crate::work::WorkError::NoPlan) |
    /// | `work.no_such_task` | not found | [`WorkError::NoSuchTask`](crate::work::WorkError::NoSuchTask) |
    /// | `work.already_done` | conflict | [`WorkError::AlreadyDone`](crate::work::WorkError::AlreadyDone) |
    /// | `work.bad_completion_time` | invalid | [`WorkError::BadCompletionTime`](crate::work::WorkError::BadCompletionTime) |
    /// | `work.unknown_ticket` | not found | [`WorkError::UnknownTicket`](crate::work::WorkError::UnknownTicket) |
    /// | `trace.unknown_batch` | not found | [`TraceError::UnknownBatch`](crate::trace::TraceError::UnknownBatch) |
    /// | `trace.unknown_row` | not found | [`TraceError::UnknownRow`](crate::trace::TraceError::UnknownRow) |
    /// | `trace.batch_size` | invalid | [`TraceError::BatchSize`](crate::trace::TraceError::BatchSize) |
    /// | `trace.not_open` | conflict | [`TraceError::NotOpen`](crate::trace::TraceError::NotOpen) |
    /// | `trace.not_the_person` | invalid | [`TraceError::NotThePerson`](crate::trace::TraceError::NotThePerson) |
    /// | `trace.person_unnamed` | invalid | [`TraceError::PersonUnnamed`](crate::trace::TraceError::PersonUnnamed) |
    /// | `trace.not_in_unit` | invalid | [`TraceError::NotInUnit`](crate::trace::TraceError::NotInUnit) |
    /// | `trace.already_controlled` | conflict | [`TraceError::AlreadyControlled`](crate::trace::TraceError::AlreadyControlled) |
    /// | `trace.not_controlled` | conflict | [`TraceError::NotControlled`](crate::trace::TraceError::NotControlled) |
    /// | `trace.not_a_measure` | invalid | [`TraceError::NotAMeasure`](crate::trace::TraceError::NotAMeasure) |
    /// | `trace.before_receipt` | invalid | [`TraceError::BeforeReceipt`](crate::trace::TraceError::BeforeReceipt) |
    /// | `trace.bad_recipient` | invalid | [`TraceError::BadRecipient`](crate::trace::TraceError::BadRecipient) |
    /// | `screen.unknown_campaign` | not found | [`ScreenError::UnknownCampaign`](crate::screen::ScreenError::UnknownCampaign) |
    /// | `screen.not_on_list` | invalid | [`ScreenError::NotOnList`](crate::screen::ScreenError::NotOnList) |
    /// | `screen.before_start` | invalid | [`ScreenError::BeforeStart`](crate::screen::ScreenError::BeforeStart) |
    /// | `screen.not_a_member` | invalid | [`ScreenError::NotAMember`](crate::screen::ScreenError::NotAMember) |
    /// | `screen.symptoms_absent` | invalid | [`ScreenError::SymptomsAbsent`](crate::screen::ScreenError::SymptomsAbsent) |
    /// | `screen.bad_text` | invalid | [`ScreenError::BadText`](crate::screen::ScreenError::BadText) |
    /// | `screen.bad_category` | invalid | [`ScreenError::BadCategory`](crate::screen::ScreenError::BadCategory) |
    /// | `screen.arrived_after_visit` | invalid | [`ScreenError::ArrivedAfterVisit`](crate::screen::ScreenError::ArrivedAfterVisit) |
    /// | `registry.founding` | corrupt | [`RegistryError::Founding`](RegistryError::Founding) |
    /// | `registry.unexpected_id` | corrupt | [`RegistryError::UnexpectedId`](RegistryError::UnexpectedId) |
    /// | `registry.mismatch` | corrupt | [`RegistryError::Mismatch`](RegistryError::Mismatch) |
    /// | `registry.households_remain` | conflict | [`RegistryError::HouseholdsRemain`](RegistryError::HouseholdsRemain) |
    /// | `registry.transfer_inside` | invalid | [`RegistryError::TransferInside`](RegistryError::TransferInside) |
    /// | `registry.outside_scope` | forbidden | [`RegistryError::OutsideScope`](RegistryError::OutsideScope) |
    /// | `registry.city_wide` | forbidden | [`RegistryError::CityWide`](RegistryError::CityWide) |
    /// | `registry.registered_outside_scope` | forbidden | [`RegistryError::RegisteredOutsideScope`](RegistryError::RegisteredOutsideScope) |
    /// | `registry.empty_scope` | invalid | [`RegistryError::EmptyScope`](RegistryError::EmptyScope) |
    /// | `registry.unsupported_format` | corrupt | [`RegistryError::UnsupportedFormat`](RegistryError::UnsupportedFormat) |
    /// | `registry.invalid_snapshot` | corrupt | [`RegistryError::InvalidSnapshot`](RegistryError::InvalidSnapshot) |
    /// | `registry.audit_failed` | corrupt | [`RegistryError::AuditFailed`](RegistryError::AuditFailed) |
    /// | `registry.invalid_request_id` | invalid | [`RegistryError::InvalidRequestId`](RegistryError::InvalidRequestId) |
    /// | `registry.invalid_hex` | invalid | [`RegistryError::InvalidHex`](RegistryError::InvalidHex) |
    /// | `registry.request_reused` | conflict | [`RegistryError::RequestReused`](RegistryError::RequestReused) |
    /// | `registry.request_replayed` | conflict | [`RegistryError::RequestReplayed`](RegistryError::RequestReplayed) |
    /// | `registry.stale_prepared` | conflict | [`RegistryError::StalePrepared`](RegistryError::StalePrepared) |
    /// | `registry.out_of_sequence` | corrupt | [`RegistryError::OutOfSequence`](RegistryError::OutOfSequence) |
    /// | `registry.broken_chain` | corrupt | [`RegistryError::BrokenChain`](RegistryError::BrokenChain) |
    /// | `registry.record_events` | corrupt | [`RegistryError::RecordEvents`](RegistryError::RecordEvents) |
    /// | `registry.log_full` | conflict | [`RegistryError::LogFull`](RegistryError::LogFull) |
    /// | `registry.record` | corrupt | [`RegistryError::Record`](RegistryError::Record) |
    /// | `registry.no_business_date` | conflict | [`RegistryError::NoBusinessDate`](RegistryError::NoBusinessDate) |
    /// | `registry.day_not_forward` | conflict | [`RegistryError::DayNotForward`](RegistryError::DayNotForward) |
    /// | `registry.after_business_date` | conflict | [`RegistryError::AfterBusinessDate`](RegistryError::AfterBusinessDate) |
    /// | `registry.not_business_date` | conflict | [`RegistryError::NotBusinessDate`](RegistryError::NotBusinessDate) |
    /// | `registry.replay` | corrupt | [`RegistryError::Replay`](RegistryError::Replay) |
    /// | `registry.past_colours` | invalid | [`RegistryError::PastColours`](RegistryError::PastColours) |
    /// | `registry.map_too_large` | invalid | [`RegistryError::MapTooLarge`](RegistryError::MapTooLarge) |
    /// | `contact.self_exposure` | invalid | [`ContactError::SelfExposure`](crate::contacts::ContactError::SelfExposure) |
    /// | `contact.not_a_case` | conflict | [`ContactError::NotACase`](crate::contacts::ContactError::NotACase) |
    /// | `contact.invalid_rule` | invalid | [`ContactError::InvalidRule`](crate::contacts::ContactError::InvalidRule) |
    /// | `contact.unknown_reporter` | not found | [`ContactError::UnknownReporter`](crate::contacts::ContactError::UnknownReporter) |
    /// | `contact.no_secondary_policy` | invalid | [`ContactError::NoSecondaryPolicy`](crate::contacts::ContactError::NoSecondaryPolicy) |
    /// | `arrival.invalid_route` | invalid | [`ArrivalError::InvalidRoute`](crate::arrivals::ArrivalError::InvalidRoute) |
    /// | `arrival.invalid_days` | invalid | [`ArrivalError::InvalidDays`](crate::arrivals::ArrivalError::InvalidDays) |
    /// | `arrival.out_of_calendar` | invalid | [`ArrivalError::OutOfCalendar`](crate::arrivals::ArrivalError::OutOfCalendar) |
    /// | `arrival.duplicate` | conflict | [`ArrivalError::Duplicate`](crate::arrivals::ArrivalError::Duplicate) |
    /// | `firm.not_a_workplace` | invalid | [`FirmError::NotAWorkplace`](crate::firms::FirmError::NotAWorkplace) |
    /// | `firm.transition` | conflict | [`FirmError::Transition`](crate::firms::FirmError::Transition) |
    /// | `firm.checklist_incomplete` | conflict | [`FirmError::ChecklistIncomplete`](crate::firms::FirmError::ChecklistIncomplete) |
    /// | `firm.before_last` | conflict | [`FirmError::BeforeLast`](crate::firms::FirmError::BeforeLast) |
    /// | `firm.bad_source` | invalid | [`FirmError::BadSource`](crate::firms::FirmError::BadSource) |
    /// | `firm.item_unchanged` | conflict | [`FirmError::ItemUnchanged`](crate::firms::FirmError::ItemUnchanged) |
    /// | `firm.employee` | conflict | [`FirmError::Employee`](crate::firms::FirmError::Employee) |
    /// | `firm.not_a_leader` | invalid | [`FirmError::NotALeader`](crate::firms::FirmError::NotALeader) |
    /// | `firm.already_rented` | conflict | [`FirmError::AlreadyRented`](crate::firms::FirmError::AlreadyRented) |
    /// | `firm.not_rented` | conflict | [`FirmError::NotRented`](crate::firms::FirmError::NotRented) |
    /// | `firm.rental` | invalid | [`FirmError::Rental`](crate::firms::FirmError::Rental) |
    /// | `access.not_a_compound` | invalid | [`AccessError::NotACompound`](crate::access::AccessError::NotACompound) |
    /// | `access.not_an_entrance` | invalid | [`AccessError::NotAnEntrance`](crate::access::AccessError::NotAnEntrance) |
    /// | `access.no_compound` | invalid | [`AccessError::NoCompound`](crate::access::AccessError::NoCompound) |
    /// | `access.same_status` | conflict | [`AccessError::SameStatus`](crate::access::AccessError::SameStatus) |
    /// | `access.before_last_change` | conflict | [`AccessError::BeforeLastChange`](crate::access::AccessError::BeforeLastChange) |
    /// | `access.bad_text` | invalid | [`AccessError::BadText`](crate::access::AccessError::BadText) |
    /// | `access.bad_validity` | invalid | [`AccessError::BadValidity`](crate::access::AccessError::BadValidity) |
    /// | `access.unknown_pass` | not found | [`AccessError::UnknownPass`](crate::access::AccessError::UnknownPass) |
    /// | `access.already_revoked` | conflict | [`AccessError::AlreadyRevoked`](crate::access::AccessError::AlreadyRevoked) |
    /// | `access.revoked_before_use` | conflict | [`AccessError::RevokedBeforeUse`](crate::access::AccessError::RevokedBeforeUse) |
    /// | `access.not_of_household` | invalid | [`AccessError::NotOfHousehold`](crate::access::AccessError::NotOfHousehold) |
    /// | `access.refused` | conflict | [`AccessError::Refused`](crate::access::AccessError::Refused) |
    /// | `access.sealed` | conflict | [`AccessError::Sealed`](crate::access::AccessError::Sealed) |
    /// | `gate.no_one_needed` | invalid | [`GateError::NoOneNeeded`](crate::gates::GateError::NoOneNeeded) |
    /// | `gate.no_qualification` | invalid | [`GateError::NoQualification`](crate::gates::GateError::NoQualification) |
    /// | `gate.bad_hours` | invalid | [`GateError::BadHours`](crate::gates::GateError::BadHours) |
    /// | `gate.bad_pattern` | invalid | [`GateError::BadPattern`](crate::gates::GateError::BadPattern) |
    /// | `gate.no_shifts` | invalid | [`GateError::NoShifts`](crate::gates::GateError::NoShifts) |
    /// | `gate.bad_cap` | invalid | [`GateError::BadCap`](crate::gates::GateError::BadCap) |
    /// | `gate.bad_rest` | invalid | [`GateError::BadRest`](crate::gates::GateError::BadRest) |
    /// | `gate.bad_span` | invalid | [`GateError::BadSpan`](crate::gates::GateError::BadSpan) |
    /// | `gate.unknown_checkpoint` | not found | [`GateError::UnknownCheckpoint`](crate::gates::GateError::UnknownCheckpoint) |
    /// | `gate.not_an_entrance` | invalid | [`GateError::NotAnEntrance`](crate::gates::GateError::NotAnEntrance) |
    /// | `gate.not_a_compound` | invalid | [`GateError::NotACompound`](crate::gates::GateError::NotACompound) |
    /// | `gate.entrance_unchanged` | conflict | [`GateError::EntranceUnchanged`](crate::gates::GateError::EntranceUnchanged) |
    /// | `gate.rule_unchanged` | conflict | [`GateError::RuleUnchanged`](crate::gates::GateError::RuleUnchanged) |
    /// | `gate.before_last` | conflict | [`GateError::BeforeLast`](crate::gates::GateError::BeforeLast) |
    /// | `gate.roster_breaks` | conflict | [`GateError::RosterBreaks`](crate::gates::GateError::RosterBreaks) |
    /// | `gate.roster_overlap` | conflict | [`GateError::RosterOverlap`](crate::gates::GateError::RosterOverlap) |
    ///
    /// # Example
    /// ```
    /// use wangge::{Error, ErrorKind};
    /// use wangge::people::ResidentId;
    ///
    /// let err = Error::from(ResidentId::parse("11010519491231002x").unwrap_err());
    /// assert_eq!(err.code(), "identity.invalid_check_character");
    /// assert_eq!(err.kind(), ErrorKind::Invalid);
    /// ```
    pub fn code(&self) -> &'static str {
        self.area().code()
    }

    /// What kind of failure this is: not found, conflict, invalid, forbidden or corrupt (see
    /// the table of [`Error::code`]).
    pub fn kind(&self) -> ErrorKind {
        self.area().kind()
    }

    /// The area's own error, as something with a code and a kind.
    fn area(&self) -> &dyn Coded {
        match self {
            Error::Grid(e) => e,
            Error::People(e) => e,
            Error::Colour(e) => e,
            Error::Quarantine(e) => e,
            Error::Case(e) => e,
            Error::Duty(e) => e,
            Error::Work(e) => e,
            Error::Trace(e) => e,
            Error::Screen(e) => e,
            Error::Registry(e) => e,
            Error::Contact(e) => e,
            Error::Arrival(e) => e,
            Error::Gate(e) => e,
            Error::Access(e) => e,
            Error::Firm(e) => e,
        }
    }
}

/// An area's error with its code and kind ([`Error::code`], [`Error::kind`]).
trait Coded {
    fn code(&self) -> &'static str;
    fn kind(&self) -> ErrorKind;
}

/// The code and kind of each variant of an area's error; `wraps` names the variants that hold
/// another area's error, whose code and kind are that error's.
macro_rules! error_codes {
    ($ty:path { $($variant:ident => $kind:ident $code:literal,)* } $(wraps { $($wrap:ident),* })?) => {
        impl Coded for $ty {
            fn code(&self) -> &'static str {
                use $ty as This;
                match self {
                    $(This::$variant { .. } => $code,)*
                    $($(This::$wrap(inner) => Coded::code(inner),)*)?
                }
            }

            fn kind(&self) -> ErrorKind {
                use $ty as This;
                match self {
                    $(This::$variant { .. } => ErrorKind::$kind,)*
                    $($(This::$wrap(inner) => Coded::kind(inner),)*)?
                }
            }
        }
    };
}

error_codes!(GridError {
    InvalidScheme => Invalid "grid.invalid_scheme",
    InvalidCode => Invalid "grid.invalid_code",
    InvalidName => Invalid "grid.invalid_name",
    UnknownUnit => NotFound "grid.unknown_unit",
    UnknownLevel => NotFound "grid.unknown_level",
    UnknownLevelName => NotFound "grid.unknown_level_name",
    LevelDoesNotNest => Invalid "grid.level_does_not_nest",
    NotAContainer => Invalid "grid.not_a_container",
    UnitClosed => Conflict "grid.unit_closed",
    DuplicateCode => Conflict "grid.duplicate_code",
    RootIsFixed => Conflict "grid.root_is_fixed",
    MoveIntoOwnSubtree => Invalid "grid.move_into_own_subtree",
    HasOpenChildren => Conflict "grid.has_open_children",
    TooManyUnits => Conflict "grid.too_many_units",
    InvalidTreeData => Corrupt "grid.invalid_tree_data",
    UnknownOverlay => NotFound "grid.unknown_overlay",
    UnknownCell => NotFound "grid.unknown_cell",
    DuplicateOverlay => Conflict "grid.duplicate_overlay",
    EmptyCell => Invalid "grid.empty_cell",
    CellOverlap => Conflict "grid.cell_overlap",
    TooManyOverlays => Conflict "grid.too_many_overlays",
    TooManyCells => Conflict "grid.too_many_cells",
    InvalidOverlayData => Corrupt "grid.invalid_overlay_data",
});

error_codes!(PeopleError {
    UnknownHousehold => NotFound "people.unknown_household",
    UnknownPerson => NotFound "people.unknown_person",
    DuplicateResidentId => Conflict "people.duplicate_resident_id",
    DuplicatePassport => Conflict "people.duplicate_passport",
    DuplicateDoor => Conflict "people.duplicate_door",
    InvalidDoor => Invalid "people.invalid_door",
    UnknownUnit => NotFound "people.unknown_unit",
    TooManyHouseholds => Conflict "people.too_many_households",
    TooManyPersons => Conflict "people.too_many_persons",
} wraps { Identity });

error_codes!(IdentityError {
    WrongLength => Invalid "identity.wrong_length",
    NotADigit => Invalid "identity.not_a_digit",
    InvalidCheckCharacter => Invalid "identity.invalid_check_character",
    InvalidAreaCode => Invalid "identity.invalid_area_code",
    InvalidBirthDate => Invalid "identity.invalid_birth_date",
    InvalidSequence => Invalid "identity.invalid_sequence",
    BadCheckCharacter => Invalid "identity.bad_check_character",
    EmptyName => Invalid "identity.empty_name",
    NameTooLong => Invalid "identity.name_too_long",
    ControlCharacter => Invalid "identity.control_character",
    InvalidPhone => Invalid "identity.invalid_phone",
    InvalidPassport => Invalid "identity.invalid_passport",
    InvalidCountryCode => Invalid "identity.invalid_country_code",
});

error_codes!(ColourError {
    IllegalTransition => Conflict "colour.illegal_transition",
    Unchanged => Conflict "colour.unchanged",
    BeforeCurrent => Conflict "colour.before_current",
    Unmapped => Invalid "colour.unmapped",
    MappedTwice => Invalid "colour.mapped_twice",
    SettingAsReason => Invalid "colour.setting_as_reason",
    AbsentUnderMeasure => Invalid "colour.absent_under_measure",
    MeasureUnchanged => Conflict "colour.measure_unchanged",
});

error_codes!(crate::quarantine::QuarantineError {
    NoPhases => Invalid "policy.no_phases",
    ZeroLength => Invalid "policy.zero_length",
    TestDayOutsidePhase => Invalid "policy.test_day_outside_phase",
    ZeroChecks => Invalid "policy.zero_checks",
    TooManyChecks => Invalid "policy.too_many_checks",
    InvalidTemperature => Invalid "policy.invalid_temperature",
    UnparsableTemperature => Invalid "policy.unparsable_temperature",
    InvalidName => Invalid "policy.invalid_name",
    InvalidSource => Invalid "policy.invalid_source",
    TooLong => Invalid "policy.too_long",
    ZeroLinkedTests => Invalid "policy.zero_linked_tests",
    InvalidEarlyRelease => Invalid "policy.invalid_early_release",
    InvalidAfterRelease => Invalid "policy.invalid_after_release",
    InvalidLength => Invalid "policy.invalid_length",
    DateOutOfRange => Invalid "policy.date_out_of_range",
});

error_codes!(crate::quarantine::CaseError {
    UnknownPolicy => NotFound "case.unknown_policy",
    UnknownCase => NotFound "case.unknown_case",
    PolicyNameTaken => Conflict "case.policy_name_taken",
    UnderCase => Conflict "case.under_case",
    NoActiveCase => NotFound "case.no_active_case",
    PositiveAfterEscalation => Conflict "case.positive_after_escalation",
    Ended => Conflict "case.ended",
    AnchorAfterStart => Invalid "case.anchor_after_start",
    PeriodOver => Conflict "case.period_over",
    RestartNotLater => Conflict "case.restart_not_later",
    BackDated => Conflict "case.back_dated",
    BeforeAnchor => Invalid "case.before_anchor",
    TestAlreadyRecorded => Conflict "case.test_already_recorded",
    TooEarly => Conflict "case.too_early",
    NotReleasable => Conflict "case.not_releasable",
    NoSuchRecord => NotFound "case.no_such_record",
    InvalidReason => Invalid "case.invalid_reason",
    ZeroAdjustment => Invalid "case.zero_adjustment",
    NoCasesUnder => NotFound "case.no_cases_under",
    SamePolicy => Invalid "case.same_policy",
    AnchorMismatch => Invalid "case.anchor_mismatch",
    LinkUnstated => Invalid "case.link_unstated",
    InvalidLink => Conflict "case.invalid_link",
});

error_codes!(crate::duty::DutyError {
    InvalidName => Invalid "duty.invalid_name",
    InvalidSource => Invalid "duty.invalid_source",
    NoRules => Invalid "duty.no_rules",
    NoSlots => Invalid "duty.no_slots",
    NoStates => Invalid "duty.no_states",
    ZeroCount => Invalid "duty.zero_count",
    RoleTwice => Invalid "duty.role_twice",
    LocalityBelowTarget => Invalid "duty.locality_below_target",
    ZeroLoadLimit => Invalid "duty.zero_load_limit",
    AvailabilityReversed => Invalid "duty.availability_reversed",
    UnknownScheme => NotFound "duty.unknown_scheme",
    UnknownStaff => NotFound "duty.unknown_staff",
    SchemeNameTaken => Conflict "duty.scheme_name_taken",
    NotHeld => NotFound "duty.not_held",
} wraps { Roster });

error_codes!(crate::duty::RosterProblem {
    UnknownUnit => Invalid "roster.unknown_unit",
    NotSelected => Invalid "roster.not_selected",
    UnlistedTarget => Invalid "roster.unlisted_target",
    RoleNotForTarget => Invalid "roster.role_not_for_target",
    UnknownStaff => Invalid "roster.unknown_staff",
    Duplicate => Invalid "roster.duplicate",
    Ineligible => Invalid "roster.ineligible",
    Unavailable => Invalid "roster.unavailable",
    LocalityBreach => Invalid "roster.locality_breach",
    Missing => Invalid "roster.missing",
    Overfilled => Invalid "roster.overfilled",
    OverLoad => Invalid "roster.over_load",
});

error_codes!(crate::work::WorkError {
    InvalidPlan => Invalid "work.invalid_plan",
    SlotReversed => Invalid "work.slot_reversed",
    NoPlan => NotFound "work.no_plan",
    NoSuchTask => NotFound "work.no_such_task",
    AlreadyDone => Conflict "work.already_done",
    BadCompletionTime => Invalid "work.bad_completion_time",
    UnknownTicket => NotFound "work.unknown_ticket",
});

error_codes!(crate::trace::TraceError {
    UnknownBatch => NotFound "trace.unknown_batch",
    UnknownRow => NotFound "trace.unknown_row",
    BatchSize => Invalid "trace.batch_size",
    NotOpen => Conflict "trace.not_open",
    NotThePerson => Invalid "trace.not_the_person",
    PersonUnnamed => Invalid "trace.person_unnamed",
    NotInUnit => Invalid "trace.not_in_unit",
    AlreadyControlled => Conflict "trace.already_controlled",
    NotControlled => Conflict "trace.not_controlled",
    NotAMeasure => Invalid "trace.not_a_measure",
    BeforeReceipt => Invalid "trace.before_receipt",
    BadRecipient => Invalid "trace.bad_recipient",
});

error_codes!(crate::screen::ScreenError {
    UnknownCampaign => NotFound "screen.unknown_campaign",
    NotOnList => Invalid "screen.not_on_list",
    BeforeStart => Invalid "screen.before_start",
    NotAMember => Invalid "screen.not_a_member",
    SymptomsAbsent => Invalid "screen.symptoms_absent",
    BadText => Invalid "screen.bad_text",
    BadCategory => Invalid "screen.bad_category",
    ArrivedAfterVisit => Invalid "screen.arrived_after_visit",
});

error_codes!(RegistryError {
    Founding => Corrupt "registry.founding",
    UnexpectedId => Corrupt "registry.unexpected_id",
    Mismatch => Corrupt "registry.mismatch",
    HouseholdsRemain => Conflict "registry.households_remain",
    TransferInside => Invalid "registry.transfer_inside",
    OutsideScope => Forbidden "registry.outside_scope",
    CityWide => Forbidden "registry.city_wide",
    RegisteredOutsideScope => Forbidden "registry.registered_outside_scope",
    EmptyScope => Invalid "registry.empty_scope",
    UnsupportedFormat => Corrupt "registry.unsupported_format",
    InvalidSnapshot => Corrupt "registry.invalid_snapshot",
    AuditFailed => Corrupt "registry.audit_failed",
    InvalidRequestId => Invalid "registry.invalid_request_id",
    InvalidHex => Invalid "registry.invalid_hex",
    RequestReused => Conflict "registry.request_reused",
    RequestReplayed => Conflict "registry.request_replayed",
    StalePrepared => Conflict "registry.stale_prepared",
    OutOfSequence => Corrupt "registry.out_of_sequence",
    BrokenChain => Corrupt "registry.broken_chain",
    RecordEvents => Corrupt "registry.record_events",
    LogFull => Conflict "registry.log_full",
    Record => Corrupt "registry.record",
    NoBusinessDate => Conflict "registry.no_business_date",
    DayNotForward => Conflict "registry.day_not_forward",
    AfterBusinessDate => Conflict "registry.after_business_date",
    NotBusinessDate => Conflict "registry.not_business_date",
    Replay => Corrupt "registry.replay",
    PastColours => Invalid "registry.past_colours",
    MapTooLarge => Invalid "registry.map_too_large",
});

error_codes!(crate::contacts::ContactError {
    SelfExposure => Invalid "contact.self_exposure",
    NotACase => Conflict "contact.not_a_case",
    InvalidRule => Invalid "contact.invalid_rule",
    UnknownReporter => NotFound "contact.unknown_reporter",
    NoSecondaryPolicy => Invalid "contact.no_secondary_policy",
});

error_codes!(crate::arrivals::ArrivalError {
    InvalidRoute => Invalid "arrival.invalid_route",
    InvalidDays => Invalid "arrival.invalid_days",
    OutOfCalendar => Invalid "arrival.out_of_calendar",
    Duplicate => Conflict "arrival.duplicate",
});

error_codes!(crate::firms::FirmError {
    NotAWorkplace => Invalid "firm.not_a_workplace",
    Transition => Conflict "firm.transition",
    ChecklistIncomplete => Conflict "firm.checklist_incomplete",
    BeforeLast => Conflict "firm.before_last",
    BadSource => Invalid "firm.bad_source",
    ItemUnchanged => Conflict "firm.item_unchanged",
    Employee => Conflict "firm.employee",
    NotALeader => Invalid "firm.not_a_leader",
    AlreadyRented => Conflict "firm.already_rented",
    NotRented => Conflict "firm.not_rented",
    Rental => Invalid "firm.rental",
});

error_codes!(crate::access::AccessError {
    NotACompound => Invalid "access.not_a_compound",
    NotAnEntrance => Invalid "access.not_an_entrance",
    NoCompound => Invalid "access.no_compound",
    SameStatus => Conflict "access.same_status",
    BeforeLastChange => Conflict "access.before_last_change",
    BadText => Invalid "access.bad_text",
    BadValidity => Invalid "access.bad_validity",
    UnknownPass => NotFound "access.unknown_pass",
    AlreadyRevoked => Conflict "access.already_revoked",
    RevokedBeforeUse => Conflict "access.revoked_before_use",
    NotOfHousehold => Invalid "access.not_of_household",
    Refused => Conflict "access.refused",
    Sealed => Conflict "access.sealed",
});

error_codes!(crate::gates::GateError {
    NoOneNeeded => Invalid "gate.no_one_needed",
    NoQualification => Invalid "gate.no_qualification",
    BadHours => Invalid "gate.bad_hours",
    BadPattern => Invalid "gate.bad_pattern",
    NoShifts => Invalid "gate.no_shifts",
    BadCap => Invalid "gate.bad_cap",
    BadRest => Invalid "gate.bad_rest",
    BadSpan => Invalid "gate.bad_span",
    UnknownCheckpoint => NotFound "gate.unknown_checkpoint",
    // Issue 17 §1 in the registry: the gates book.
    NotAnEntrance => Invalid "gate.not_an_entrance",
    NotACompound => Invalid "gate.not_a_compound",
    EntranceUnchanged => Conflict "gate.entrance_unchanged",
    RuleUnchanged => Conflict "gate.rule_unchanged",
    BeforeLast => Conflict "gate.before_last",
    RosterBreaks => Conflict "gate.roster_breaks",
    RosterOverlap => Conflict "gate.roster_overlap",
});
