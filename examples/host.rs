//! # A host service: wangge behind a line protocol
//!
//! wangge is a pure domain model: it reads no files, keeps no clock and knows no users. A
//! service that embeds it owns all three. This example is the smallest such service: it reads
//! requests as JSON lines on stdin, applies them to one [`Registry`], and writes responses as
//! JSON lines on stdout.
//!
//! ```sh
//! cargo run --example host -- --print-sample > session.jsonl   # a session to start from
//! cargo run --example host < session.jsonl                      # run it (the store grows)
//! cargo run --example host -- --store city.store --checkpoint-every 1000 < session.jsonl
//! cargo run --example host                                      # no input: the sample, narrated
//! ```
//!
//! ## What a host keeps: the store
//!
//! Every change is a [`Command`]; the registry works out the [`Record`] it becomes (every
//! event of the command, its position and its running digest) without applying it
//! ([`Registry::prepare`]). The host keeps its registry in a [`wangge_store`] store
//! ([`Durable`] over [`SqliteStore`]): the record is written in one SQLite transaction and
//! synced, and only then applied ([`Registry::commit`]), so memory is never ahead of the
//! disk, and a command is acknowledged only once its record is on disk. On start
//! [`Host::open`] loads the newest checkpoint snapshot of the store and replays the records
//! after it, each checked as strictly as its command and against the digest chain. A second
//! host on the same store is refused at open. The store writes a checkpoint every
//! `--checkpoint-every` records (default 1,000) and the host one more at the end of input.
//!
//! The store defaults to `wangge-host.store` in [`std::env::temp_dir`] (`--store DIR`).
//!
//! ## Requests, one per line
//!
//! - Found the registry, once, on an empty log (the level scheme and the root unit):
//!   `{"found":{"scheme":<LevelScheme>,"root":{"name":"花园路街道","level":0,"kind":"Area","code":null}}}`
//! - A command, as wangge serialises [`Command`]:
//!   `{"command":{"AddHousehold":{"unit":3,"door":"1-101"}}}`
//! - The morning 业务日期: `{"command":{"OpenDay":{"today":"2020-02-03"}}}` opens the
//!   registry's business date (only ever forward) and runs that day's round. Records for
//!   cases wait for the first day opened and nothing dated after the day is recorded; a real
//!   service sends it from its own clock, here the session carries it.
//! - A query for a user, who sees only their scope 管辖范围 (the subtrees of some units; see
//!   [`Scope`](wangge::Scope)), with the date it is asked for (the host passes "today"):
//!   `{"query":{"Map":{"unit":3,"date":"2020-02-03"}},"as":{"scope":[1]}}`.
//!   A command may carry a user too, and is then refused if it would change anything outside
//!   their scope ([`Registry::apply_within`]):
//!   `{"command":{"AddHousehold":{"unit":4,"door":"2-202"}},"as":{"scope":[1]}}`.
//!   The queries are [`Query`]: `"Totals"`, `Tally`, `Agenda`, `DutyCoverage`,
//!   `ResponsibleFor` and `Map`. Here the user's scope rides on the line to keep the protocol
//!   one stream; a real service takes it from its own authentication, never from the client.
//!
//! ## Responses, in order
//!
//! Every request ends with exactly one final line, `applied`, `report` or `error`, so a client
//! can tell where the answer to each request ends (a command may become several events).
//!
//! - Each event a command became, as wangge serialises [`Event`]:
//!   `{"event":{"HouseholdAdded":{"household":0,"unit":3,"door":"1-101"}}}`
//! - Then how many events it became and how many records the store holds now:
//!   `{"applied":{"events":1,"logged":6}}`
//! - A query's answer ([`Report`]):
//!   `{"report":{"Totals":{"roots":[1],"counts":{"households":2,"persons":3},"tally":{...}}}}`
//! - A refusal: the registry is unchanged and nothing is logged. `message` is the error's
//!   text; `detail` is wangge's typed [`Error`] as JSON, for a client to match on (absent when
//!   the host refused it without asking wangge: a line that is not a request, a command before
//!   the founding):
//!   `{"error":{"message":"no unit u4","detail":{"Grid":{"UnknownUnit":{"unit":4}}}}}` (a read
//!   of a unit outside the user's scope is answered as if it did not exist)
//!
//! Only a failure of the host itself (the store cannot be opened or written, stdout is closed)
//! stops it,
//! with a message on stderr and a non-zero exit; no input can make it panic.
//!
//! ## What the crate does not do
//!
//! No I/O, no clock, no users: wangge never opens a file, never asks the time
//! (every command and query carries its date) and never checks who is asking. The host decides
//! where the store lives, which date "today" is, who may see which scope and
//! who may send which command, and how requests from many clients are put in one order (here:
//! one stdin).
//!
//! [`serve`] is the protocol loop, usable without a process (the tests drive it); [`Host`]
//! holds the registry and its store.

#![forbid(unsafe_code)]

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use wangge::colour::{PersonState, Tally};
use wangge::duty::{Qualification, Qualifications, Scheme, Staff};
use wangge::grid::{CompoundKind, LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, Name, PersonRecord, ResidentId};
use wangge::quarantine::{Agenda, Category, Policy, Temperature};
use wangge::registry::{Coverage, Responsible, Subject};
use wangge::{Command, Counts, Error, Event, HouseholdId, PersonId, PolicyId, Record, Registry, SchemeId, UnitId};
use wangge_store::{Durable, Options as StoreOptions, SqliteStore, Store, StoreError};

// ---------------------------------------------------------------------------------------------
// The protocol
// ---------------------------------------------------------------------------------------------

/// One line of input.
///
/// On the wire it is an object with one of the keys `found`, `command` or `query` (a query
/// with `as` beside it); anything else is refused with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RequestLine", into = "RequestLine")]
pub enum Request {
    /// Found the registry: the first request on an empty log, and only then.
    Found(Founding),
    /// Change the registry.
    Command(Command),
    /// Change the registry as a user limited to a scope: refused with `OutsideScope`, and
    /// nothing changed, when the command would touch anything outside it, or with `CityWide`
    /// when it applies to the whole registry ([`Registry::apply_within`]).
    CommandAs {
        /// The change.
        command: Command,
        /// Who makes it.
        user: User,
    },
    /// Ask for a report, as a user limited to a scope.
    Query {
        /// What is asked.
        query: Query,
        /// Who asks.
        user: User,
    },
}

/// What a new registry is founded with: [`Registry::new`]'s arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Founding {
    /// The level scheme (郑州 四级, 上海 五级 ...).
    pub scheme: LevelScheme,
    /// The root unit.
    pub root: NewUnit,
}

/// The user a query is asked for: the units whose subtrees they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The roots of their scope: a community for its secretary, the root for the sub-district.
    pub scope: Vec<UnitId>,
}

/// A report a user may ask for. Each reads through the user's [`Scope`](wangge::Scope), so
/// anything outside it is answered as if it did not exist (the error of an unknown id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Query {
    /// Households, persons and the colour tally of the whole scope.
    Totals,
    /// Households, persons and the colour tally of one unit inside the scope.
    Tally {
        /// The unit.
        unit: UnitId,
    },
    /// The daily agenda 每日工作清单 of the scope for a date.
    Agenda {
        /// The date.
        date: NaiveDate,
    },
    /// How well a responsibility scheme covers the scope on a date.
    DutyCoverage {
        /// The scheme.
        scheme: SchemeId,
        /// The date.
        date: NaiveDate,
    },
    /// Who is responsible for a unit, household or person inside the scope on a date.
    ResponsibleFor {
        /// The unit, household or person.
        subject: Subject,
        /// The date.
        date: NaiveDate,
    },
    /// The courtyard map 院区疫情防控平面图 of a unit inside the scope, as text.
    Map {
        /// The unit.
        unit: UnitId,
        /// The date it shows.
        date: NaiveDate,
    },
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Report {
    /// For [`Query::Totals`].
    Totals {
        /// The scope's roots, as the scope keeps them (disjoint, by id).
        roots: Vec<UnitId>,
        /// Households and persons.
        counts: Counts,
        /// Households and persons per colour, persons per state.
        tally: Tally,
    },
    /// For [`Query::Tally`].
    Tally {
        /// The unit.
        unit: UnitId,
        /// Households and persons inside it.
        counts: Counts,
        /// Its colour tally.
        tally: Tally,
    },
    /// For [`Query::Agenda`].
    Agenda(Agenda),
    /// For [`Query::DutyCoverage`].
    DutyCoverage(Coverage),
    /// For [`Query::ResponsibleFor`].
    ResponsibleFor {
        /// The subject.
        subject: Subject,
        /// The date.
        date: NaiveDate,
        /// Everyone responsible, through every scheme.
        responsible: Vec<Responsible>,
    },
    /// For [`Query::Map`].
    Map {
        /// The unit.
        unit: UnitId,
        /// The date.
        date: NaiveDate,
        /// The map as text ([`ColourMap::to_text`](wangge::colour::ColourMap::to_text)).
        text: String,
    },
}

/// One line of output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    /// An event a command became, already in the log.
    Event(Event),
    /// The final line of an applied command: how many events it became (each on a line
    /// before this one) and how many records the log holds now.
    Applied {
        /// Events of this command.
        events: usize,
        /// Records in the log, the founding one included.
        logged: u64,
    },
    /// The final line of a query (boxed: a report holds tallies, far larger than the rest).
    Report(Box<Report>),
    /// The final line of a refused request: nothing changed, nothing was logged.
    Error(Refusal),
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// What was wrong, for people.
    pub message: String,
    /// wangge's typed error, for programs; absent when the line was not a request at all, or
    /// the request did not fit the host's state (a command before founding, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Error>,
}

impl Response {
    /// The refusal of a request wangge refused.
    fn refused(error: Error) -> Self {
        Response::Error(Refusal { message: error.to_string(), detail: Some(error) })
    }

    /// The refusal of a request the host refused before asking wangge.
    fn refused_by_host(message: impl Into<String>) -> Self {
        Response::Error(Refusal { message: message.into(), detail: None })
    }

    /// Whether this line ends the answer to a request.
    pub fn is_final(&self) -> bool {
        !matches!(self, Response::Event(_))
    }
}

/// The wire form of a [`Request`]: every key optional, checked by `TryFrom`, so that a line
/// with no key or two gets a reason rather than serde's "did not match any variant".
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    found: Option<Founding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    command: Option<Command>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    query: Option<Query>,
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    user: Option<User>,
}

impl TryFrom<RequestLine> for Request {
    type Error = &'static str;

    fn try_from(line: RequestLine) -> Result<Self, Self::Error> {
        match line {
            RequestLine { found: Some(founding), command: None, query: None, user: None } => {
                Ok(Request::Found(founding))
            }
            RequestLine { found: None, command: Some(command), query: None, user: None } => {
                Ok(Request::Command(command))
            }
            RequestLine { found: None, command: Some(command), query: None, user: Some(user) } => {
                Ok(Request::CommandAs { command, user })
            }
            RequestLine { found: None, command: None, query: Some(query), user: Some(user) } => {
                Ok(Request::Query { query, user })
            }
            RequestLine { found: None, command: None, query: Some(_), user: None } => {
                Err(r#"a query needs "as": {"scope": [unit ids]}, the user it is asked for"#)
            }
            RequestLine { found: None, command: None, query: None, user: None } => {
                Err(r#"a request has one of the keys "found", "command" or "query""#)
            }
            RequestLine { query: None, command: None, user: Some(_), .. } => {
                Err(r#""as" goes with a command or a query"#)
            }
            _ => Err(r#"one request per line: "found", "command" and "query" do not go together"#),
        }
    }
}

impl From<Request> for RequestLine {
    fn from(request: Request) -> Self {
        let empty = RequestLine { found: None, command: None, query: None, user: None };
        match request {
            Request::Found(founding) => RequestLine { found: Some(founding), ..empty },
            Request::Command(command) => RequestLine { command: Some(command), ..empty },
            Request::CommandAs { command, user } => RequestLine { command: Some(command), user: Some(user), ..empty },
            Request::Query { query, user } => RequestLine { query: Some(query), user: Some(user), ..empty },
        }
    }
}

/// Answer a query through the user's scope.
///
/// # Errors
/// The scope's: an empty or unknown root, the unknown-id error for anything outside it (as
/// for an id that does not exist), an unknown scheme ...
pub fn answer(registry: &Registry, query: &Query, user: &User) -> Result<Report, Error> {
    let scope = registry.scope(&user.scope)?;
    Ok(match *query {
        Query::Totals => {
            Report::Totals { roots: scope.roots().to_vec(), counts: scope.totals(), tally: scope.total_tally() }
        }
        Query::Tally { unit } => Report::Tally { unit, counts: scope.counts(unit)?, tally: scope.tally(unit)?.clone() },
        Query::Agenda { date } => Report::Agenda(scope.agenda(date)),
        Query::DutyCoverage { scheme, date } => Report::DutyCoverage(scope.duty_coverage(scheme, date)?),
        Query::ResponsibleFor { subject, date } => {
            Report::ResponsibleFor { subject, date, responsible: scope.responsible_for(subject, date)? }
        }
        Query::Map { unit, date } => Report::Map { unit, date, text: scope.map(unit, date)?.to_text() },
    })
}

// ---------------------------------------------------------------------------------------------
// The host
// ---------------------------------------------------------------------------------------------

/// What stops the host: its own I/O, or a store it cannot trust. Never a request.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// Stdin or stdout failed.
    #[error("cannot {what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The stream.
        path: String,
        /// Why it failed.
        source: io::Error,
    },
    /// The store failed: it cannot be opened (another host has it, it is damaged), or a
    /// record could not be written (the disk is full ...).
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    /// A value could not be written as JSON.
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        /// What.
        what: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// An earlier write to the store failed uncertainly; reopen the store.
    #[error("the store could not be written earlier; restart the host to reopen it")]
    Stopped,
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The sample session did not behave as it should.
    #[error("the sample session went wrong: {0}")]
    Sample(String),
}

/// What [`Host::open`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Opened {
    /// Records in the store, the founding one included.
    pub logged: u64,
    /// Of those, how many the newest snapshot covered (not replayed).
    pub from_snapshot: u64,
    /// Snapshots passed over (damaged, or not of this log).
    pub skipped_snapshots: usize,
}

/// The registry and its store: before the founding, the store alone.
#[derive(Debug)]
enum Book {
    Empty(Box<SqliteStore>),
    Founded(Box<Durable<SqliteStore>>),
}

/// A registry and its store ([`wangge_store`]: one SQLite database of records, one
/// transaction and fsync per command, checkpoint snapshots beside it).
#[derive(Debug)]
pub struct Host {
    /// `None` only after a failed founding consumed the store.
    book: Option<Book>,
    /// The store's directory, for messages.
    path: PathBuf,
    /// What opening found.
    opened: Opened,
    /// Set when a write to the store failed uncertainly.
    stopped: bool,
}

impl Host {
    /// Open the store in directory `path` (creating it if absent) and rebuild the registry
    /// from it: the newest snapshot, then the records after it. A checkpoint snapshot is
    /// written every `checkpoint_every` records.
    ///
    /// # Errors
    /// [`HostError::Store`] when another host has the store open, or it cannot be read, or a
    /// record in it is refused by the registry.
    pub fn open(path: &Path, checkpoint_every: Option<u64>) -> Result<Host, HostError> {
        let store = SqliteStore::open(path, StoreOptions::new().checkpoint_every(checkpoint_every))?;
        let (book, opened) = if store.head().is_none() {
            (Book::Empty(Box::new(store)), Opened::default())
        } else {
            let (book, found) = Durable::open(store)?;
            let logged = book.registry().position() + 1;
            let from_snapshot = found.snapshot.map_or(0, |h| h.position + 1);
            (Book::Founded(Box::new(book)), Opened { logged, from_snapshot, skipped_snapshots: found.skipped.len() })
        };
        Ok(Host { book: Some(book), path: path.to_owned(), opened, stopped: false })
    }

    /// The registry, once founded.
    pub fn registry(&self) -> Option<&Registry> {
        match &self.book {
            Some(Book::Founded(book)) => Some(book.registry()),
            _ => None,
        }
    }

    /// Records in the store, the founding one included.
    pub fn logged(&self) -> u64 {
        self.registry().map_or(0, |r| r.position() + 1)
    }

    /// What opening the store found.
    pub fn opened(&self) -> Opened {
        self.opened
    }

    /// The store's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record the store holds, in order.
    ///
    /// # Errors
    /// [`HostError::Store`] when the store cannot be read.
    pub fn records(&self) -> Result<Vec<Record>, HostError> {
        let mut all = Vec::new();
        let mut push = |r: Record| {
            all.push(r);
            Ok(())
        };
        match &self.book {
            Some(Book::Founded(book)) => book.store().read(0, &mut push)?,
            Some(Book::Empty(store)) => store.read(0, &mut push)?,
            None => {}
        }
        Ok(all)
    }

    /// Handle one request: the responses to write, the last of them final.
    ///
    /// # Errors
    /// Only the host's own failures: the store cannot be written (after an uncertain write,
    /// every call is [`HostError::Stopped`]). A request the registry refuses is an `error`
    /// response, and so is a command the full disk could not take (nothing changed).
    pub fn handle(&mut self, request: Request) -> Result<Vec<Response>, HostError> {
        if self.stopped {
            return Err(HostError::Stopped);
        }
        match request {
            Request::Found(Founding { scheme, root }) => {
                let store = match self.book.take() {
                    Some(Book::Empty(store)) => *store,
                    other => {
                        self.book = other;
                        return Ok(vec![Response::refused_by_host("the registry is founded already; its log goes on")]);
                    }
                };
                let registry = match Registry::new(scheme, root) {
                    Ok(registry) => registry,
                    Err(e) => {
                        self.book = Some(Book::Empty(Box::new(store)));
                        return Ok(vec![Response::refused(e)]);
                    }
                };
                let every = store.options().checkpoints();
                let record = registry.founding_record();
                // Written before the host keeps the registry: a failed write leaves nothing.
                match Durable::create_with(store, registry, every) {
                    Ok(book) => {
                        self.book = Some(Book::Founded(Box::new(book)));
                        Ok(self.applied(record.into_events()))
                    }
                    Err(e) => {
                        self.stopped = true;
                        Err(e.into())
                    }
                }
            }
            Request::Command(command) => self.change(command, None),
            Request::CommandAs { command, user } => self.change(command, Some(&user)),
            Request::Query { query, user } => {
                let Some(registry) = self.registry() else {
                    return Ok(vec![not_founded()]);
                };
                Ok(vec![match answer(registry, &query, &user) {
                    Ok(report) => Response::Report(Box::new(report)),
                    Err(e) => Response::refused(e),
                }])
            }
        }
    }

    /// Execute `command` through the store (as `user` when there is one): its record is
    /// written and synced, then applied.
    fn change(&mut self, command: Command, user: Option<&User>) -> Result<Vec<Response>, HostError> {
        let Some(Book::Founded(book)) = self.book.as_mut() else {
            return Ok(vec![not_founded()]);
        };
        let executed = match user {
            Some(user) => book.execute_within(&user.scope, command, None),
            None => book.execute(command, None),
        };
        match executed {
            Ok(done) => Ok(self.applied(done.record.into_events())),
            // A refused command changed nothing: there is nothing to log.
            Err(StoreError::Refused(e)) => Ok(vec![Response::refused(e)]),
            // The disk is full: nothing was written or applied; the next command may fit.
            Err(e @ StoreError::Full(_)) => Ok(vec![Response::refused_by_host(e.to_string())]),
            Err(e) => {
                self.stopped = true;
                Err(e.into())
            }
        }
    }

    /// The responses of an applied command.
    fn applied(&self, events: Vec<Event>) -> Vec<Response> {
        let count = events.len();
        let mut out: Vec<Response> = events.into_iter().map(Response::Event).collect();
        out.push(Response::Applied { events: count, logged: self.logged() });
        out
    }

    /// Write a checkpoint snapshot now (the store also writes one every N records). Does
    /// nothing before the registry is founded.
    ///
    /// # Errors
    /// [`HostError::Store`].
    pub fn checkpoint(&mut self) -> Result<(), HostError> {
        if let Some(Book::Founded(book)) = self.book.as_mut() {
            book.checkpoint()?;
        }
        Ok(())
    }
}

fn not_founded() -> Response {
    Response::refused_by_host(
        r#"no registry yet: the first request of a new log is {"found": {"scheme": ..., "root": ...}}"#,
    )
}

fn io_error(what: &'static str, path: &Path) -> impl FnOnce(io::Error) -> HostError {
    let path = path.display().to_string();
    move |source| HostError::Io { what, path, source }
}

/// How many of each line [`serve`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Served {
    /// Requests read (blank lines are skipped).
    pub requests: usize,
    /// Event lines.
    pub events: usize,
    /// Report lines.
    pub reports: usize,
    /// Error lines.
    pub refusals: usize,
}

/// The protocol loop: read requests from `input` line by line until it ends, handle each and
/// write its responses to `output` as JSON lines, flushed after each request.
///
/// A line that is not a request (bad JSON, an unknown command, invalid UTF-8) is answered
/// with an `error` line and the loop goes on.
///
/// # Errors
/// Only the host's own failures: reading `input`, writing `output` or the log.
pub fn serve(host: &mut Host, mut input: impl BufRead, mut output: impl Write) -> Result<Served, HostError> {
    let mut served = Served::default();
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).map_err(io_error("read", Path::new("the input")))? == 0 {
            return Ok(served);
        }
        let responses = match std::str::from_utf8(&bytes) {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => match serde_json::from_str::<Request>(line) {
                Ok(request) => host.handle(request)?,
                Err(e) => vec![Response::refused_by_host(format!("not a request: {e}"))],
            },
            Err(e) => vec![Response::refused_by_host(format!("not a request: the line is not UTF-8 ({e})"))],
        };
        served.requests += 1;
        let mut text = String::new();
        for response in &responses {
            match response {
                Response::Event(_) => served.events += 1,
                Response::Report(_) => served.reports += 1,
                Response::Error(_) => served.refusals += 1,
                Response::Applied { .. } => {}
            }
            text.push_str(
                &serde_json::to_string(response).map_err(|source| HostError::Encode { what: "a response", source })?,
            );
            text.push('\n');
        }
        let stdout = Path::new("the output");
        output.write_all(text.as_bytes()).map_err(io_error("write", stdout))?;
        output.flush().map_err(io_error("flush", stdout))?;
    }
}

// ---------------------------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------------------------

const USAGE: &str = "\
usage: host [--store DIR] [--checkpoint-every N] [--print-sample]

Reads requests as JSON lines on stdin, writes responses as JSON lines on stdout.
  --store DIR             the store (default: wangge-host.store in the temporary directory)
  --checkpoint-every N    write a checkpoint snapshot every N records (default 1000)
  --print-sample          print the sample session's requests, one per line, and exit
With no input at all, runs the sample session (in a store of its own) and narrates it.";

/// The command line's options.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    store: PathBuf,
    checkpoint_every: u64,
    print_sample: bool,
    help: bool,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, HostError> {
        let mut options = Options {
            store: std::env::temp_dir().join("wangge-host.store"),
            checkpoint_every: 1_000,
            print_sample: false,
            help: false,
        };
        while let Some(arg) = args.next() {
            let mut value =
                |flag: &str| args.next().ok_or_else(|| HostError::Usage(format!("{flag} needs a value\n{USAGE}")));
            match arg.as_str() {
                "--store" => options.store = PathBuf::from(value("--store")?),
                "--checkpoint-every" => {
                    let n = value("--checkpoint-every")?;
                    options.checkpoint_every = n.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
                        HostError::Usage(format!("--checkpoint-every needs a count, not {n:?}\n{USAGE}"))
                    })?;
                }
                "--print-sample" => options.print_sample = true,
                "-h" | "--help" => options.help = true,
                other => return Err(HostError::Usage(format!("unknown argument {other:?}\n{USAGE}"))),
            }
        }
        Ok(options)
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(HostError::Usage(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("host: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), HostError> {
    let options = Options::parse(std::env::args().skip(1))?;
    let stdout = Path::new("stdout");
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    if options.print_sample {
        let mut out = io::stdout().lock();
        for line in sample_lines()? {
            writeln!(out, "{line}").map_err(io_error("write", stdout))?;
        }
        return Ok(());
    }
    let mut input = io::stdin().lock();
    // No input at all (`< /dev/null`, an empty file): show the sample instead of doing nothing.
    if input.fill_buf().map_err(io_error("read", Path::new("stdin")))?.is_empty() {
        return sample_session(&mut io::stdout().lock());
    }
    let mut host = Host::open(&options.store, Some(options.checkpoint_every))?;
    let opened = host.opened();
    eprintln!(
        "host: store {} ({} records, {} from the snapshot, {} snapshots passed over)",
        host.path().display(),
        opened.logged,
        opened.from_snapshot,
        opened.skipped_snapshots,
    );
    let served = serve(&mut host, input, io::stdout().lock())?;
    host.checkpoint()?;
    eprintln!(
        "host: {} requests: {} events logged, {} reports, {} refused; the store holds {} records",
        served.requests,
        served.events,
        served.reports,
        served.refusals,
        host.logged()
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The sample session
// ---------------------------------------------------------------------------------------------

/// A date in February 2020.
fn february(day: u32) -> Result<NaiveDate, HostError> {
    NaiveDate::from_ymd_opt(2020, 2, day).ok_or_else(|| HostError::Sample(format!("no day 2020-02-{day}")))
}

/// A wangge error while building the sample, which is fixed data: a bug of the sample.
fn sample_bug(error: Error) -> HostError {
    HostError::Sample(error.to_string())
}

/// The sample session's requests: a small sub-district founded and built by commands, a
/// person put under home isolation with `StartCase`, a secretary named under 六包一, one
/// command refused, and queries as the secretary of one community (one of them outside) and
/// as the sub-district.
///
/// Ids are handed out in order from 0, so a session names them ahead: the root is unit 0,
/// the first unit added is unit 1, and so on.
///
/// # Errors
/// [`HostError::Sample`] if the fixed data were invalid (a bug).
pub fn sample_requests() -> Result<Vec<Request>, HostError> {
    let zhengzhou = LevelScheme::zhengzhou(); // 街道 > 社区 > 楼院 > 楼组
    let level = |name: &str| zhengzhou.level(name).ok_or_else(|| HostError::Sample(format!("no level {name}")));
    let (root, nongke, huanghe, yard3, yard7) =
        (UnitId::new(0), UnitId::new(1), UnitId::new(2), UnitId::new(3), UnitId::new(4));
    let (h0, h1, h2) = (HouseholdId::new(0), HouseholdId::new(1), HouseholdId::new(2));
    // Made-up residents of Jinshui District 金水区 (area code 410105).
    let resident = |sequence: u16, year: i32| -> Result<PersonRecord, HostError> {
        let born = NaiveDate::from_ymd_opt(year, 5, 17).ok_or_else(|| HostError::Sample(format!("no {year}-05-17")))?;
        let id = ResidentId::from_parts(410105, born, sequence).map_err(|e| sample_bug(e.into()))?;
        Ok(PersonRecord::new().with_resident_id(id))
    };
    let well = PersonState::well(february(1)?);
    let register = |household: HouseholdId, record: PersonRecord| {
        Request::Command(Command::RegisterPerson { household, record, state: well })
    };
    let add_unit = |parent: UnitId, unit: NewUnit| Request::Command(Command::AddUnit { parent, unit });
    let door = |label: &str| DoorLabel::new(label).map_err(|e| sample_bug(e.into()));
    let add_household = |unit: UnitId, label: &str| -> Result<Request, HostError> {
        Ok(Request::Command(Command::AddHousehold { unit, door: door(label)? }))
    };
    let secretary = User { scope: vec![nongke] };
    let sub_district = User { scope: vec![root] };
    let ask = |query: Query, user: &User| Request::Query { query, user: user.clone() };
    let today = february(3)?;
    let morning = february(2)?.and_hms_opt(8, 0, 0).ok_or_else(|| HostError::Sample("no 08:00".to_owned()))?;
    let normal = Temperature::from_tenths(365).map_err(|e| sample_bug(e.into()))?;
    let six_cover_one =
        Scheme::six_cover_one(level("社区")?, level("街道")?, None).map_err(|e| sample_bug(e.into()))?;
    let name = Name::new("农科路书记").map_err(|e| sample_bug(e.into()))?;
    let party_secretary = Staff::new(name, Qualifications::only(Qualification::PartySecretary), nongke, 1)
        .map_err(|e| sample_bug(e.into()))?;
    Ok(vec![
        Request::Found(Founding {
            scheme: zhengzhou.clone(),
            root: NewUnit::new("花园路街道", level("街道")?, UnitKind::Area),
        }),
        add_unit(root, NewUnit::new("农科路社区", level("社区")?, UnitKind::Area)),
        add_unit(root, NewUnit::new("黄河路社区", level("社区")?, UnitKind::Area)),
        add_unit(nongke, NewUnit::new("3号院", level("楼院")?, UnitKind::Compound(CompoundKind::WorkUnit))),
        add_unit(huanghe, NewUnit::new("7号院", level("楼院")?, UnitKind::Compound(CompoundKind::Unmanaged))),
        add_household(yard3, "1-101")?,
        add_household(yard3, "1-102")?,
        add_household(yard7, "2-201")?,
        register(h0, resident(11, 1958)?),
        register(h0, resident(12, 1961)?),
        register(h1, resident(21, 1987)?),
        register(h2, resident(31, 1975)?),
        // One person, one file 一人一档: the same identity number again is refused.
        register(h2, resident(11, 1958)?),
        Request::Command(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() }),
        // The business date 业务日期 of 1 February is opened: records for cases need one.
        Request::Command(Command::OpenDay { today: february(1)? }),
        // Back from Wuhan on 1 February: 14 days of home isolation; 1-101 turns orange.
        Request::Command(Command::StartCase {
            person: PersonId::new(0),
            policy: PolicyId::new(0),
            category: Category::ArrivalFromEpidemicArea,
            anchor: february(1)?,
            on: february(1)?,
            linked: None,
        }),
        // One check of the two a day on 2 February: tomorrow's agenda lists the missed one.
        Request::Command(Command::OpenDay { today: february(2)? }),
        Request::Command(Command::RecordCheck {
            person: PersonId::new(0),
            at: morning,
            temperature: normal,
            symptoms: false,
        }),
        // 六包一, with the community's party secretary as its first named person.
        // The morning round of 3 February: nothing changes phase, so only the day opened.
        Request::Command(Command::OpenDay { today }),
        Request::Command(Command::AdoptScheme { scheme: six_cover_one }),
        Request::Command(Command::AddStaff { staff: party_secretary }),
        Request::Command(Command::Solve { scheme: SchemeId::new(0), on: today, balanced: false }),
        // The secretary of 农科路社区 registers a household in their own courtyard ...
        Request::CommandAs {
            command: Command::AddHousehold { unit: yard3, door: door("1-201")? },
            user: secretary.clone(),
        },
        // ... but not in the next community's: refused, nothing changed.
        Request::CommandAs {
            command: Command::AddHousehold { unit: yard7, door: door("2-202")? },
            user: secretary.clone(),
        },
        // The secretary of 农科路社区 sees their community ...
        ask(Query::Totals, &secretary),
        ask(Query::Agenda { date: today }, &secretary),
        ask(Query::ResponsibleFor { subject: Subject::Household(h0), date: today }, &secretary),
        ask(Query::DutyCoverage { scheme: SchemeId::new(0), date: today }, &secretary),
        ask(Query::Map { unit: yard3, date: today }, &secretary),
        // ... and not the next one's courtyard.
        ask(Query::Map { unit: yard7, date: today }, &secretary),
        // The sub-district sees both communities.
        ask(Query::Totals, &sub_district),
    ])
}

/// The sample session's requests as JSON lines.
pub fn sample_lines() -> Result<Vec<String>, HostError> {
    sample_requests()?
        .into_iter()
        .map(|r| serde_json::to_string(&r).map_err(|source| HostError::Encode { what: "a request", source }))
        .collect()
}

/// Shorten a line for the narration, on a character boundary.
fn shorten(line: &str, max: usize) -> String {
    match line.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &line[..at]),
        None => line.to_owned(),
    }
}

/// Run the sample session against a fresh log in the temporary directory, narrating it to
/// `out`; then restart from the log and ask the same queries again.
///
/// # Errors
/// The host's, and [`HostError::Sample`] if the restarted host answers differently.
pub fn sample_session(out: &mut impl Write) -> Result<(), HostError> {
    let path = std::env::temp_dir().join(format!("wangge-host-sample-{}.store", std::process::id()));
    let _ = fs::remove_dir_all(&path);
    let result = narrate(&path, out);
    // The sample's store is the sample's own: leave nothing behind (a failed removal is harmless).
    let _ = fs::remove_dir_all(&path);
    result
}

fn narrate(path: &Path, out: &mut impl Write) -> Result<(), HostError> {
    let stdout = Path::new("the output");
    let mut say = |text: &str| writeln!(out, "{text}").map_err(io_error("write", stdout));
    let mut host = Host::open(path, Some(1_000))?;
    say(&format!("A host with an empty store at {}. Requests (→) and responses (←):\n", path.display()))?;
    let mut answers: Vec<(String, String)> = Vec::new(); // each query line and its answer
    let mut map = None;
    for line in sample_lines()? {
        let mut output = Vec::new();
        serve(&mut host, line.as_bytes(), &mut output)?;
        let output = String::from_utf8(output).map_err(|e| HostError::Sample(e.to_string()))?;
        say(&format!("→ {}", shorten(&line, 140)))?;
        for response in output.lines() {
            say(&format!("← {}", shorten(response, 140)))?;
            if let Ok(Response::Report(report)) = serde_json::from_str(response)
                && let Report::Map { text, .. } = *report
            {
                map = Some(text);
            }
        }
        if matches!(serde_json::from_str(&line), Ok(Request::Query { .. })) {
            answers.push((line, output));
        }
    }
    if let Some(map) = map {
        say(&format!("\nThe map report's text, as the secretary sees it:\n\n{map}"))?;
    }

    // A second host on the same store is refused while the first has it.
    if !matches!(Host::open(path, None), Err(HostError::Store(StoreError::Locked { .. }))) {
        return Err(HostError::Sample("a second host opened the store".to_owned()));
    }
    say("A second host on the same store is refused while the first has it open.")?;

    // The restart: a new host from the same store, the same queries, the same answers.
    host.checkpoint()?;
    let first = host.registry().cloned();
    drop(host);
    let mut restarted = Host::open(path, None)?;
    let opened = restarted.opened();
    say(&format!(
        "Restart: {} records, {} of them from the checkpoint snapshot, the rest replayed from {}.",
        opened.logged,
        opened.from_snapshot,
        path.display()
    ))?;
    for (line, before) in &answers {
        let mut after = Vec::new();
        serve(&mut restarted, line.as_bytes(), &mut after)?;
        if after != before.as_bytes() {
            return Err(HostError::Sample(format!("after the restart {line} is answered differently")));
        }
    }
    if restarted.registry() != first.as_ref() {
        return Err(HostError::Sample("the restarted registry differs".to_owned()));
    }
    say(&format!("The {} queries answer the same, and the rebuilt registry equals the first.", answers.len()))?;
    if let Some(registry) = restarted.registry() {
        say(&format!("The audit 纵向稽核 finds {} problems.", registry.audit().len()))?;
    }
    Ok(())
}
