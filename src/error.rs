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
