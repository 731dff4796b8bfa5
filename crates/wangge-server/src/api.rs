//! The routes and their handlers.

use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use wangge::colour::{Colour, Tally};
use wangge::grid::GridError;
use wangge::quarantine::LabelledItem;
use wangge::registry::RequestId;
use wangge::work::Task;
use wangge::{Command, Counts, Event, HouseholdId, PersonId, Registry, Scope, StaffId, UnitId};

use crate::book::Book;
use crate::config::{Access, Reach, Tokens};
use crate::error::ApiError;

/// The header carrying a client's request id, for exactly-once commands.
pub const REQUEST_ID: &str = "request-id";

/// The most items one page holds; also the default.
pub const PAGE_LIMIT: usize = 1_000;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct App {
    /// The registry and its store.
    pub book: Arc<Book>,
    /// The tokens.
    pub tokens: Arc<Tokens>,
}

/// The service's routes over `app` (see [`crate::openapi`] for their description).
pub fn router(app: App) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/health", get(health))
        .route("/whoami", get(whoami))
        .route("/commands", post(command))
        .route("/units", get(units))
        .route("/units/{unit}", get(unit))
        .route("/units/{unit}/households", get(households))
        .route("/units/{unit}/map.svg", get(map))
        .route("/agenda", get(agenda))
        .route("/staff/{staff}/worklist", get(worklist))
        .route("/dashboard", get(crate::dashboard::dashboard_with_header))
        .with_state(app)
}

async fn openapi() -> Response {
    axum::Json(crate::openapi::document()).into_response()
}

/// The grant of the request's bearer token.
fn access<'a>(app: &'a App, headers: &HeaderMap) -> Result<&'a Access, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    app.tokens.access(token).ok_or_else(ApiError::unauthorized)
}

/// Run `read` with the scope the token reaches, `None` when it reaches nothing.
fn read<T>(
    app: &App,
    headers: &HeaderMap,
    read: impl FnOnce(&Registry, Option<&Scope<'_>>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let access = access(app, headers)?;
    let registry = app.book.read();
    let roots = access.reach(&registry).roots(&registry);
    if roots.is_empty() {
        return read(&registry, None);
    }
    let scope = registry.scope(&roots)?;
    read(&registry, Some(&scope))
}

/// A unit as a token with no scope sees it: not at all, as a unit that does not exist.
fn unseen(unit: UnitId) -> ApiError {
    wangge::Error::from(GridError::UnknownUnit { unit }).into()
}

/// An id in a path: `u12` (its `Display`) or the bare number of the serde form.
fn id<T: FromStr>(text: &str, what: &str, bare: impl Fn(u32) -> T) -> Result<T, ApiError> {
    text.parse::<T>()
        .ok()
        .or_else(|| text.parse::<u32>().ok().map(bare))
        .ok_or_else(|| ApiError::invalid("request.bad_id", format!("not a {what} id")))
}

#[derive(Debug, Deserialize)]
struct DateQuery {
    date: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    date: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

/// The date asked for, or the registry's business date 业务日期.
fn date(registry: &Registry, text: Option<&str>) -> Result<NaiveDate, ApiError> {
    match text {
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid("request.bad_date", "a date is written YYYY-MM-DD")),
        None => registry.business_date().ok_or_else(|| {
            ApiError::invalid("request.no_date", "the registry has no business date yet: ask with ?date=YYYY-MM-DD")
        }),
    }
}

/// Offset and limit, the limit at most [`PAGE_LIMIT`].
fn page(offset: Option<usize>, limit: Option<usize>) -> (usize, usize) {
    (offset.unwrap_or(0), limit.unwrap_or(PAGE_LIMIT).min(PAGE_LIMIT))
}

#[derive(Debug, Serialize)]
struct Health {
    position: u64,
    business_date: Option<NaiveDate>,
}

async fn health(State(app): State<App>) -> Response {
    let registry = app.book.read();
    axum::Json(Health { position: registry.position(), business_date: registry.business_date() }).into_response()
}

#[derive(Debug, Serialize)]
struct WhoAmI {
    role: String,
    roots: Vec<UnitId>,
    whole_registry: bool,
}

async fn whoami(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    let access = access(&app, &headers)?;
    let registry = app.book.read();
    let reach = access.reach(&registry);
    let answer =
        WhoAmI { role: access.role_name.clone(), roots: reach.roots(&registry), whole_registry: reach == Reach::All };
    Ok(axum::Json(answer).into_response())
}

/// The answer to a command.
#[derive(Debug, Serialize)]
pub struct Applied {
    /// The command's kind.
    pub kind: String,
    /// The position of its record.
    pub position: u64,
    /// Whether the request id was answered before (nothing changed now).
    pub repeated: bool,
    /// The events the command became (for a repeat: those of the first time).
    pub events: Vec<Event>,
}

async fn command(State(app): State<App>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let access = access(&app, &headers)?.clone();
    let command: Command = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("request.bad_command", format!("not a command: {e}")))?;
    if !access.role.allows(&command) {
        return Err(ApiError::forbidden(
            "auth.command_not_allowed",
            format!("the role {} may not send {} ({})", access.role_name, command.kind(), command.category()),
        ));
    }
    let request = match headers.get(REQUEST_ID) {
        None => None,
        Some(v) => {
            let text = v.to_str().map_err(|_| ApiError::invalid("request.bad_request_id", "a request id is text"))?;
            Some(RequestId::new(text)?)
        }
    };
    let kind = command.kind().to_owned();
    let book = app.book.clone();
    // The write waits for the disk on a blocking thread: the async workers go on answering.
    let written = tokio::task::spawn_blocking(move || {
        let reach = access.reach(&book.read());
        match reach {
            Reach::Nothing => Err(ApiError::forbidden("auth.no_scope", "this token has no scope: it may send nothing")),
            Reach::All => book.execute(None, command, request).map_err(ApiError::from),
            Reach::Within(roots) => book.execute(Some(&roots), command, request).map_err(ApiError::from),
        }
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "server.task", "unavailable", e.to_string()))??;
    let answer = Applied {
        kind,
        position: written.record.position(),
        repeated: written.repeated,
        events: written.record.into_events(),
    };
    Ok(axum::Json(answer).into_response())
}

/// A unit with its figures.
#[derive(Debug, Serialize)]
pub struct UnitView {
    /// The unit.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its level's name (`community`).
    pub level: String,
    /// Its level's Chinese name (`社区`).
    pub level_zh: String,
    /// Its kind (`Compound(WorkUnit)`).
    pub kind: String,
    /// Households and persons inside.
    pub counts: Counts,
    /// Households and persons of each colour inside.
    pub tally: Tally,
}

/// A unit, its parent (when inside the scope) and its children, each with its figures.
#[derive(Debug, Serialize)]
pub struct UnitReport {
    /// The unit.
    #[serde(flatten)]
    pub unit: UnitView,
    /// Its parent, `None` at a root of the scope.
    pub parent: Option<UnitId>,
    /// Its children.
    pub children: Vec<UnitView>,
}

fn view(registry: &Registry, scope: &Scope<'_>, unit: UnitId) -> Result<UnitView, ApiError> {
    let u = scope.unit(unit)?;
    let spec = registry.tree().scheme().spec(u.level());
    let level = spec.map_or_else(String::new, |s| s.name().to_owned());
    let level_zh = spec.map_or_else(String::new, |s| s.name_zh().to_owned());
    Ok(UnitView {
        unit,
        name: u.name().to_owned(),
        level,
        level_zh,
        kind: u.kind().to_string(),
        counts: scope.counts(unit)?,
        tally: scope.tally(unit)?.clone(),
    })
}

async fn units(State(app): State<App>, headers: HeaderMap) -> Result<Response, ApiError> {
    let views = read(&app, &headers, |registry, scope| match scope {
        None => Ok(Vec::new()),
        Some(scope) => scope.roots().iter().map(|&r| view(registry, scope, r)).collect(),
    })?;
    Ok(axum::Json(views).into_response())
}

async fn unit(State(app): State<App>, headers: HeaderMap, Path(unit): Path<String>) -> Result<Response, ApiError> {
    let unit = id(&unit, "unit", UnitId::new)?;
    let report = read(&app, &headers, |registry, scope| {
        let scope = scope.ok_or_else(|| unseen(unit))?;
        let children = scope.children(unit)?.iter().map(|&c| view(registry, scope, c)).collect::<Result<_, _>>()?;
        Ok(UnitReport { unit: view(registry, scope, unit)?, parent: scope.parent(unit)?, children })
    })?;
    Ok(axum::Json(report).into_response())
}

/// A household as a list shows it: ids, door label, colour and members (ids only).
#[derive(Debug, Serialize)]
pub struct HouseholdView {
    /// The household.
    pub household: HouseholdId,
    /// Its unit.
    pub unit: UnitId,
    /// Its door label 门牌.
    pub door: String,
    /// Its colour.
    pub colour: Colour,
    /// Its members.
    pub members: Vec<PersonId>,
}

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// How many there are in all.
    pub total: usize,
    /// The first one's place, from 0.
    pub offset: usize,
    /// This page.
    pub items: Vec<T>,
}

async fn households(
    State(app): State<App>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let unit = id(&unit, "unit", UnitId::new)?;
    let (offset, limit) = page(q.offset, q.limit);
    let answer = read(&app, &headers, |registry, scope| {
        let scope = scope.ok_or_else(|| unseen(unit))?;
        scope.check(unit)?;
        let total = registry.households_within(unit)?.count();
        let mut items = Vec::new();
        for h in registry.households_within(unit)?.skip(offset).take(limit) {
            let household = scope.household(h)?;
            items.push(HouseholdView {
                household: h,
                unit: household.unit(),
                door: household.door().to_string(),
                colour: scope.colour(h)?,
                members: household.members().to_vec(),
            });
        }
        Ok(Page { total, offset, items })
    })?;
    Ok(axum::Json(answer).into_response())
}

async fn map(
    State(app): State<App>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Response, ApiError> {
    let unit = id(&unit, "unit", UnitId::new)?;
    let svg = read(&app, &headers, |registry, scope| {
        let scope = scope.ok_or_else(|| unseen(unit))?;
        let on = date(registry, q.date.as_deref())?;
        Ok(scope.map(unit, on)?.to_svg())
    })?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

/// One page of the agenda of a date, each line with its door label and unit name.
#[derive(Debug, Serialize)]
pub struct AgendaPage {
    /// The date.
    pub date: NaiveDate,
    /// The page.
    #[serde(flatten)]
    pub page: Page<LabelledItem>,
}

async fn agenda(State(app): State<App>, headers: HeaderMap, Query(q): Query<PageQuery>) -> Result<Response, ApiError> {
    let (offset, limit) = page(q.offset, q.limit);
    let answer = read(&app, &headers, |registry, scope| {
        let on = date(registry, q.date.as_deref())?;
        let Some(scope) = scope else {
            return Ok(AgendaPage { date: on, page: Page { total: 0, offset, items: Vec::new() } });
        };
        let agenda = scope.agenda(on);
        let items = agenda.items();
        let shown = items.get(offset.min(items.len())..).unwrap_or(&[]);
        let shown = shown.get(..limit.min(shown.len())).unwrap_or(&[]);
        Ok(AgendaPage { date: on, page: Page { total: items.len(), offset, items: registry.labelled(shown) } })
    })?;
    Ok(axum::Json(answer).into_response())
}

/// A staff member's worklist 工作清单 of a date.
#[derive(Debug, Serialize)]
pub struct Worklist {
    /// The staff member.
    pub staff: StaffId,
    /// The date.
    pub date: NaiveDate,
    /// Their tasks.
    pub tasks: Vec<Task>,
}

async fn worklist(
    State(app): State<App>,
    headers: HeaderMap,
    Path(staff): Path<String>,
    Query(q): Query<DateQuery>,
) -> Result<Response, ApiError> {
    let staff = id(&staff, "staff", StaffId::new)?;
    let answer = read(&app, &headers, |registry, scope| {
        let unknown = || ApiError::from(wangge::Error::from(wangge::duty::DutyError::UnknownStaff { staff }));
        let scope = scope.ok_or_else(unknown)?;
        scope.staff_member(staff)?;
        let on = date(registry, q.date.as_deref())?;
        let tasks = scope.workday(on).worklist(staff).cloned().collect();
        Ok(Worklist { staff, date: on, tasks })
    })?;
    Ok(axum::Json(answer).into_response())
}
