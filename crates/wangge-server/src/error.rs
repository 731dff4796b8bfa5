//! Errors as the API answers them: `{"code", "kind", "message"}` with the status of the kind.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use wangge::ErrorKind;
use wangge_store::StoreError;

/// An error answered to a client: a stable `code` (the core's [`wangge::Error::code`] for what
/// the registry refused, the service's own otherwise), a `kind` and a message (which never
/// holds personal data: the core's messages name ids only, the service's name no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// The stable code (`grid.unknown_unit`, `registry.city_wide`, `auth.unknown_token` ...).
    pub code: String,
    /// The kind: the core's five ([`ErrorKind::as_str`]) and the service's `unauthorized` and
    /// `unavailable`.
    pub kind: String,
    /// What went wrong, in words.
    pub message: String,
    #[serde(skip)]
    status: u16,
}

impl ApiError {
    /// An error of the service itself.
    pub fn new(status: StatusCode, code: &str, kind: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_owned(), kind: kind.to_owned(), message: message.into(), status: status.as_u16() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// No token, or one the service does not know: 401.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "auth.unknown_token",
            "unauthorized",
            "a known token is needed: Authorization: Bearer <token>",
        )
    }

    /// A request the service cannot read (a body that is not a command, a bad date): 422.
    pub fn invalid(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, ErrorKind::Invalid.as_str(), message)
    }

    /// A command the token's role may not send, or a token that may send nothing: 403.
    pub fn forbidden(code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, code, ErrorKind::Forbidden.as_str(), message)
    }
}

/// The status of each of the core's kinds: not found 404, conflict 409, invalid 422,
/// forbidden 403, corrupt 500.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<wangge::Error> for ApiError {
    fn from(e: wangge::Error) -> ApiError {
        let kind = e.kind();
        ApiError::new(status_of(kind), e.code(), kind.as_str(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let unavailable = |code: &str, e: &StoreError| {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, "unavailable", e.to_string())
        };
        match e {
            StoreError::Refused(e) => e.into(),
            StoreError::Full(_) => {
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "store.full", "unavailable", e.to_string())
            }
            StoreError::Poisoned => unavailable("store.poisoned", &e),
            StoreError::Locked { .. } => unavailable("store.locked", &e),
            StoreError::Corrupt { .. } | StoreError::Record { .. } => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "store.corrupt",
                ErrorKind::Corrupt.as_str(),
                e.to_string(),
            ),
            other => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "store.failed", "unavailable", other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status(), axum::Json(&self)).into_response()
    }
}
