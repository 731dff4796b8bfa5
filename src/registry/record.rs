//! Records 记录: one command, one record. The log of format 6 is a sequence of records, each
//! holding every event of one command in order, its position, the host's request id if any,
//! and a running digest (a hash chain) over every record before it.
//!
//! ```text
//! host ── Command (+ RequestId) ──▶ Registry::prepare ──▶ Prepared (a Record, nothing applied)
//!                                                            │
//!                         the host (its store) appends the record durably
//!                                                            │
//!                                  Registry::commit ◀────────┘  applies exactly that record
//! ```
//!
//! The rules of replay, the digest and exactly-once requests are on [`Record`]'s page.

use std::fmt;

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::{Command, Event, Registry, RegistryError};
use crate::Error;
use crate::colour::{Colour, PersonState};
use crate::{CaseId, HouseholdId, PersonId};

/// The source of [`Registry`] generations: one counter for the process, so that no two states
/// of any registries share a generation (2^64 changes do not happen).
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A generation no registry state had before.
pub(super) fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The longest [`RequestId`], in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// A host-given request id 请求编号 (an HTTP idempotency key, say): 1 to
/// [`MAX_REQUEST_ID_LEN`] bytes of printable text, no control characters.
///
/// # Example
/// ```
/// use wangge::registry::RequestId;
/// assert!(RequestId::new("7f3c-retry-safe").is_ok());
/// assert!(RequestId::new("").is_err());
/// assert!(RequestId::new("x".repeat(129)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

impl RequestId {
    /// A request id.
    ///
    /// # Errors
    /// [`RegistryError::InvalidRequestId`] when it is empty, longer than
    /// [`MAX_REQUEST_ID_LEN`] bytes, or holds a control character.
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        if id.is_empty() || id.len() > MAX_REQUEST_ID_LEN || id.chars().any(char::is_control) {
            return Err(RegistryError::InvalidRequestId { length: id.len() }.into());
        }
        Ok(RequestId(id))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 16 bytes the registry keeps of it.
    fn key(&self) -> RequestKey {
        let hash = Sha256::new().chain_update(b"wangge request id\0").chain_update(self.0.as_bytes()).finalize();
        let mut key = [0; 16];
        key.copy_from_slice(&hash[..16]);
        RequestKey(key)
    }
}

impl TryFrom<String> for RequestId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self, Error> {
        RequestId::new(id)
    }
}

impl From<RequestId> for String {
    fn from(id: RequestId) -> String {
        id.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Write `bytes` as lowercase hex.
fn hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

/// Read `N` bytes of lowercase or uppercase hex.
fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    if text.len() != 2 * N || !text.is_ascii() {
        return None;
    }
    let mut out = [0; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

macro_rules! hex_newtype {
    ($name:ident, $n:literal, $what:literal) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                hex(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                hex(&self.0, f)?;
                f.write_str(")")
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(text: &str) -> Result<Self, Error> {
                unhex::<$n>(text)
                    .map($name)
                    .ok_or_else(|| RegistryError::InvalidHex { what: $what.to_owned(), expected: 2 * $n }.into())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A record's running digest 摘要: SHA-256 over the previous record's digest and this
/// record's canonical bytes (see [`Record`]'s "The digest"), shown and serialised as 64 hex
/// digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; 32]);

hex_newtype!(Digest, 32, "a digest");

impl Digest {
    /// The digest "before" the founding record: 32 zero bytes.
    pub const GENESIS: Digest = Digest([0; 32]);

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The head a format-5 snapshot of a registry founded with `founding` (its founding
    /// record's digest) is given when upgraded: position 0 and this digest, SHA-256 of
    /// `"wangge format-5 snapshot\0"` and that digest. See [`Registry::from_snapshot`].
    pub fn of_v5_snapshot(founding: &Digest) -> Digest {
        Digest(Sha256::new().chain_update(b"wangge format-5 snapshot\0").chain_update(founding.0).finalize().into())
    }
}

/// An 8-byte fingerprint of a command (the first bytes of the SHA-256 of its JSON): what the
/// registry remembers of the command a request id carried, to tell a retry from a reused id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 8]);

hex_newtype!(Fingerprint, 8, "a command fingerprint");

impl Fingerprint {
    /// The fingerprint of `command`.
    pub fn of(command: &Command) -> Fingerprint {
        let mut hasher = HashWriter(Sha256::new());
        hasher.0.update(b"wangge command\0");
        // Writing into a hasher cannot fail, and a command always serialises.
        let _ = serde_json::to_writer(&mut hasher, command);
        let hash = hasher.0.finalize();
        let mut out = [0; 8];
        out.copy_from_slice(&hash[..8]);
        Fingerprint(out)
    }
}

/// A request a record answered: the host's id and the fingerprint of the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The host's request id.
    pub id: RequestId,
    /// The command's fingerprint.
    pub command: Fingerprint,
}

/// The position and digest of the last record of a log: where the next record continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// The record's position (0 = the founding record).
    pub position: u64,
    /// Its digest.
    pub digest: Digest,
}

/// One record 记录 of a log of format 6: every event of one command, in order.
///
/// Made by [`Registry::prepare`] (or [`Registry::founding_record`]), read back with serde and
/// replayed by [`Registry::apply_record`], which checks everything it claims. A record of a
/// daily round ([`Command::OpenDay`]) begins with [`Event::DayOpened`], which names its day:
/// the round's events are decided by that date, so a replay recomputes them and refuses a
/// record that lacks one. (A round of a format-5 log, which opened no day, names its day in
/// `round` instead.)
///
/// On restart the host feeds the records back ([`Registry::replay_records`],
/// [`Registry::apply_record`]): each must continue the registry's head (position + 1, the
/// digest chained from the head's), and its events must be exactly what the command it
/// records makes on that state: a record with an event missing, added, reordered or edited
/// is refused with its position, before anything changes.
///
/// # The digest
/// A record's [`Digest`] is SHA-256 over the previous record's digest (32 bytes; 32 zero bytes
/// before the founding record) followed by the compact JSON (serde_json) of
/// `{"position":…,"request":…,"round":…,"events":[…]}`, the record's fields in that order, as
/// this build serialises them. Anyone holding the log can recompute it.
///
/// # Exactly once
/// A command may carry a host-given [`RequestId`]. The registry remembers every request id it
/// committed, as 16 bytes of the id's SHA-256, with an 8-byte fingerprint of the command and
/// the position of its record: 32 bytes a request, about 37 in its hash table (FxHashMap, load
/// at most 7/8, one control byte) and up to twice that right after the table grew: 10 million
/// requests cost 0.4 to 0.7 GB. Commands without a request id cost nothing. The same id again
/// with the same command is answered with the first record's position ([`Answer::Repeated`])
/// and changes nothing; with another command it is refused
/// ([`RegistryError::RequestReused`]). Replays and snapshots restore the remembered ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    position: u64,
    request: Option<Request>,
    round: Option<NaiveDate>,
    events: Vec<Event>,
    digest: Digest,
}

/// The fields a digest covers, in order.
#[derive(Serialize)]
struct Canonical<'a> {
    position: u64,
    request: Option<&'a Request>,
    round: Option<NaiveDate>,
    events: &'a [Event],
}

/// Feeds serde_json's output straight into SHA-256.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Record {
    /// A record of `events` at `position`, its digest chained from `previous`. The registry
    /// makes its own records ([`Registry::prepare`]); this is for tools that rewrite a log
    /// (and tests that forge one). The digest is no signature: anyone can chain a record, and
    /// a record is believed only as far as [`Registry::apply_record`]'s checks go.
    pub fn new(
        previous: &Digest,
        position: u64,
        request: Option<Request>,
        round: Option<NaiveDate>,
        events: Vec<Event>,
    ) -> Record {
        let digest = Self::chain(previous, position, request.as_ref(), round, &events);
        Record { position, request, round, events, digest }
    }

    /// The digest of a record of these fields after `previous`.
    fn chain(
        previous: &Digest,
        position: u64,
        request: Option<&Request>,
        round: Option<NaiveDate>,
        events: &[Event],
    ) -> Digest {
        let mut hasher = HashWriter(Sha256::new());
        hasher.0.update(previous.0);
        // Writing into a hasher cannot fail, and events always serialise.
        let _ = serde_json::to_writer(&mut hasher, &Canonical { position, request, round, events });
        Digest(hasher.0.finalize().into())
    }

    /// Whether the record's digest is the one its fields give after `previous`.
    pub fn continues(&self, previous: &Digest) -> bool {
        Self::chain(previous, self.position, self.request.as_ref(), self.round, &self.events) == self.digest
    }

    /// Its position in the log: 0 for the founding record, then 1, 2, ...
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The request it answered, if the command carried one.
    pub fn request(&self) -> Option<&Request> {
        self.request.as_ref()
    }

    /// The day of the daily round it records, for a round of a format-5 log (upgraded), which
    /// opened no day; `None` otherwise (today's [`Command::OpenDay`] records begin with
    /// [`Event::DayOpened`], which names the day).
    pub fn round(&self) -> Option<NaiveDate> {
        self.round
    }

    /// Whether its first event was checked when it was decided (a command's), rather than
    /// with the rest as they are committed (a round's).
    pub(super) fn first_checked(&self) -> bool {
        self.round.is_none() && !matches!(self.events.first(), Some(Event::DayOpened { .. }))
    }

    /// Its events, in order (none for a quiet day's round).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Its events, taken out.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// Its digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The head a log ending with this record has.
    pub fn head(&self) -> Head {
        Head { position: self.position, digest: self.digest }
    }
}

/// A command worked out against a registry, nothing applied: what [`Registry::prepare`]
/// gives and [`Registry::commit`] takes. Either a new record for the host to persist first,
/// or the answer to a request committed before (nothing to persist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    kind: PreparedKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PreparedKind {
    /// A new record, made against `head` of the registry at `generation`.
    Fresh { record: Record, head: Head, generation: u64 },
    /// The request was answered by the record at `position`.
    Repeated { position: u64 },
}

impl Prepared {
    /// The record to persist before committing, `None` for a request answered before.
    pub fn record(&self) -> Option<&Record> {
        match &self.kind {
            PreparedKind::Fresh { record, .. } => Some(record),
            PreparedKind::Repeated { .. } => None,
        }
    }

    /// The position of the record that answered this request before, if it was.
    pub fn repeated(&self) -> Option<u64> {
        match self.kind {
            PreparedKind::Repeated { position } => Some(position),
            PreparedKind::Fresh { .. } => None,
        }
    }
}

/// What a committed command gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The command was applied; its record.
    Applied(Record),
    /// The request was answered before by the record at `position`; nothing changed.
    Repeated {
        /// The position of the first record of the request.
        position: u64,
    },
}

impl Answer {
    /// The position of the record that answers the command.
    pub fn position(&self) -> u64 {
        match self {
            Answer::Applied(record) => record.position,
            Answer::Repeated { position } => *position,
        }
    }

    /// The events the command became, when it was applied now.
    pub fn events(&self) -> Option<&[Event]> {
        match self {
            Answer::Applied(record) => Some(&record.events),
            Answer::Repeated { .. } => None,
        }
    }

    /// The record, when the command was applied now.
    pub fn record(&self) -> Option<&Record> {
        match self {
            Answer::Applied(record) => Some(record),
            Answer::Repeated { .. } => None,
        }
    }
}

/// 16 bytes of a request id's SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct RequestKey([u8; 16]);

hex_newtype!(RequestKey, 16, "a request key");

/// A request the registry remembers, as a snapshot stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    /// 16 bytes of the request id's SHA-256, in hex.
    key: RequestKey,
    /// The command's fingerprint.
    command: Fingerprint,
    /// The position of its record.
    position: u64,
}

/// The request ids a registry committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Requests(FxHashMap<RequestKey, (Fingerprint, u64)>);

impl Requests {
    /// From a snapshot's list.
    ///
    /// # Errors
    /// [`RegistryError::InvalidSnapshot`] for a key twice, or a position after `head`.
    pub(super) fn from_list(list: Vec<Remembered>, head: u64) -> Result<Requests, Error> {
        let mut map = FxHashMap::default();
        map.reserve(list.len());
        for r in list {
            if r.position > head || r.position == 0 {
                return Err(RegistryError::InvalidSnapshot {
                    what: format!("a request answered at position {} of a log at {head}", r.position),
                }
                .into());
            }
            if map.insert(r.key, (r.command, r.position)).is_some() {
                return Err(RegistryError::InvalidSnapshot { what: format!("request {} twice", r.key) }.into());
            }
        }
        Ok(Requests(map))
    }

    /// As a snapshot stores them, by position.
    pub(super) fn to_list(&self) -> Vec<Remembered> {
        let mut list: Vec<Remembered> =
            self.0.iter().map(|(&key, &(command, position))| Remembered { key, command, position }).collect();
        list.sort_unstable_by_key(|r| (r.position, r.key));
        list
    }

    /// How many.
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }
}

/// What the follow-up events of one command read that an earlier event of the same command
/// changed: persons' states and households' colours. Everything else they read is untouched
/// by the events before them in the same command (see [`Registry::decide_record`]).
#[derive(Debug, Default)]
pub(super) struct Draft {
    states: FxHashMap<PersonId, PersonState>,
    colours: FxHashMap<HouseholdId, Colour>,
}

impl Draft {
    /// The person's state, as the events drafted so far leave it.
    pub(super) fn state(&self, reg: &Registry, person: PersonId) -> Result<PersonState, Error> {
        match self.states.get(&person) {
            Some(&s) => Ok(s),
            None => reg.state(person),
        }
    }

    /// A household member's state, as the events drafted so far leave it (`None` for an
    /// unknown person, whom no household lists).
    pub(super) fn member_state(&self, reg: &Registry, person: PersonId) -> Option<crate::colour::Standing> {
        match self.states.get(&person) {
            Some(s) => Some(s.standing()),
            None => reg.states.get(person.index()).map(PersonState::standing),
        }
    }

    /// The household's colour, as the events drafted so far leave it; `None` for an unknown one.
    pub(super) fn colour(&self, reg: &Registry, household: HouseholdId) -> Option<Colour> {
        self.colours.get(&household).copied().or_else(|| reg.colour(household).ok())
    }

    /// Take in the change of state and colour of a [`Event::CaseStarted`] decided after those
    /// drafted so far (its case does not exist yet: the event names its person).
    pub(super) fn absorb_start(&mut self, event: &Event) {
        if let Event::CaseStarted { person, change: Some(change), .. } = event {
            self.states.insert(*person, change.to);
            for r in &change.recolours {
                self.colours.insert(r.household, r.to);
            }
        }
    }

    /// Take in the changes of state and colour of `event`, decided after those drafted so far.
    pub(super) fn absorb(&mut self, reg: &Registry, event: &Event) -> Result<(), Error> {
        // Issue 16 §1: a visit's findings change states directly.
        if let Event::StateChanged { person, to, recolours, .. } = event {
            self.states.insert(*person, *to);
            for r in recolours {
                self.colours.insert(r.household, r.to);
            }
            return Ok(());
        }
        let (case, change) = match event {
            Event::TestRecorded { case, escalation: change, .. }
            | Event::CaseConverted { case, change, .. }
            | Event::CaseReopened { case, change, .. }
            | Event::PhaseEntered { case, change, .. }
            | Event::PolicyChanged { case, change, .. }
            | Event::CaseAdjusted { case, change, .. } => (*case, change.as_ref()),
            Event::TestCorrected { case, escalation, undone, .. }
            | Event::CheckCorrected { case, escalation, undone, .. } => {
                (*case, escalation.as_ref().or(undone.as_ref()))
            }
            Event::CaseReleased { case, change, .. } => (*case, Some(change)),
            _ => return Ok(()),
        };
        let Some(change) = change else { return Ok(()) };
        let person = reg.case(case)?.person();
        self.states.insert(person, change.to);
        for r in &change.recolours {
            self.colours.insert(r.household, r.to);
        }
        Ok(())
    }
}

/// A command's events, decided against a registry without changing it.
pub(super) struct Decided {
    /// The day of the round, for an `OpenDay`.
    pub(super) round: Option<NaiveDate>,
    /// The events, in order.
    pub(super) events: Vec<Event>,
    /// Whether the first event was checked already (it is committed without a second check).
    pub(super) first_checked: bool,
}

impl Registry {
    /// The record that begins this registry's log, at position 0: its founding event alone.
    pub fn founding_record(&self) -> Record {
        Record::new(&Digest::GENESIS, 0, None, None, vec![self.founding_event()])
    }

    /// The position of the last record the registry holds (0 = the founding record).
    pub fn position(&self) -> u64 {
        self.head.position
    }

    /// The digest of the last record the registry holds.
    pub fn digest(&self) -> Digest {
        self.head.digest
    }

    /// The head of the registry's log: the position and digest of its last record.
    pub fn head(&self) -> Head {
        self.head
    }

    /// How many request ids the registry remembers.
    pub fn remembered_requests(&self) -> usize {
        self.requests.len()
    }

    /// The position of the record that answered request `id`, if one did.
    pub fn answered(&self, id: &RequestId) -> Option<u64> {
        self.requests.0.get(&id.key()).map(|&(_, position)| position)
    }

    pub(super) fn requests_list(&self) -> Vec<Remembered> {
        self.requests.to_list()
    }

    pub(super) fn shrink_requests(&mut self) {
        self.requests.shrink_to_fit();
    }

    /// Work out `command`'s complete record against the registry, without changing it: the
    /// host persists the record, then [`Registry::commit`]s it, so that its memory is never
    /// ahead of its disk. A command carrying a request id committed before is answered with
    /// that record's position (nothing to persist or apply).
    ///
    /// # Example
    /// ```
    /// use wangge::{Command, Registry};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::DoorLabel;
    /// use wangge::registry::{Answer, RequestId};
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(levels.clone(), NewUnit::new("花园路街道", levels.level("街道").unwrap(), UnitKind::Area))?;
    /// let mut disk = vec![reg.founding_record()]; // the host's store
    /// let add = Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? };
    /// let request = RequestId::new("req-1")?;
    ///
    /// let prepared = reg.prepare(add.clone(), Some(request.clone()))?;
    /// let record = prepared.record().expect("a new command").clone();
    /// assert_eq!(reg.position(), 0); // nothing applied yet
    /// disk.push(record);             // persist first ...
    /// reg.commit(prepared)?;         // ... then apply
    /// assert_eq!(reg.position(), 1);
    ///
    /// // The reply was lost; the host retries: the first answer, nothing changes.
    /// let again = reg.execute(add, Some(request))?;
    /// assert_eq!(again, Answer::Repeated { position: 1 });
    /// assert_eq!(Registry::replay_records(&disk)?, reg);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::apply`]; [`RegistryError::RequestReused`] when `request` was committed
    /// with another command.
    ///
    /// # Complexity
    /// As [`Registry::apply`], plus serialising and hashing the record's events: proportional
    /// to the command's effect, never to the city's size (no copy of the registry).
    pub fn prepare(&self, command: Command, request: Option<RequestId>) -> Result<Prepared, Error> {
        self.prepare_by(command, request, Registry::decide_record)
    }

    /// [`Registry::prepare`], with the command's events decided by `decide`.
    fn prepare_by(
        &self,
        command: Command,
        request: Option<RequestId>,
        decide: impl FnOnce(&Registry, Command) -> Result<Decided, Error>,
    ) -> Result<Prepared, Error> {
        let request = match request {
            Some(id) => {
                let fingerprint = Fingerprint::of(&command);
                if let Some(&(known, position)) = self.requests.0.get(&id.key()) {
                    if known == fingerprint {
                        return Ok(Prepared { kind: PreparedKind::Repeated { position } });
                    }
                    return Err(RegistryError::RequestReused { request: id, position }.into());
                }
                Some(Request { id, command: fingerprint })
            }
            None => None,
        };
        let Decided { round, events, .. } = decide(self, command)?;
        let position = self.head.position.checked_add(1).ok_or(RegistryError::LogFull)?;
        let record = Record::new(&self.head.digest, position, request, round, events);
        Ok(Prepared { kind: PreparedKind::Fresh { record, head: self.head, generation: self.generation } })
    }

    /// [`Registry::prepare`] for a user whose scope is the subtrees of `roots`: refused unless
    /// everything the command names lies inside (as [`Registry::apply_within`]).
    ///
    /// # Errors
    /// As [`Registry::apply_within`] and [`Registry::prepare`].
    pub fn prepare_within(
        &self,
        roots: &[crate::UnitId],
        command: Command,
        request: Option<RequestId>,
    ) -> Result<Prepared, Error> {
        self.prepare_by(command, request, |reg, command| reg.decide_within(roots, command))
    }

    /// Apply exactly the record `prepared` holds (or give the earlier answer of a repeated
    /// request). Refused, changing nothing, when the registry has changed since it was
    /// prepared, or is another registry (a clone that has gone its own way included; a clone
    /// taken after `prepare` and unchanged since holds the same state and takes it).
    ///
    /// # Errors
    /// [`RegistryError::StalePrepared`] when `prepared` was made against another head or
    /// state (another registry, or this one before a later change).
    pub fn commit(&mut self, prepared: Prepared) -> Result<Answer, Error> {
        let (record, head, generation) = match prepared.kind {
            PreparedKind::Repeated { position } => return Ok(Answer::Repeated { position }),
            PreparedKind::Fresh { record, head, generation } => (record, head, generation),
        };
        if head != self.head || generation != self.generation {
            return Err(RegistryError::StalePrepared { prepared: head.position, head: self.head.position }.into());
        }
        self.commit_events(&record.events, record.first_checked())?;
        self.advance(&record);
        Ok(Answer::Applied(record))
    }

    /// [`Registry::prepare`] and [`Registry::commit`] in one: for a host that persists after
    /// applying, or not at all.
    ///
    /// # Errors
    /// As [`Registry::prepare`].
    pub fn execute(&mut self, command: Command, request: Option<RequestId>) -> Result<Answer, Error> {
        let prepared = self.prepare(command, request)?;
        self.commit(prepared)
    }

    /// Apply one record of a log, checked as strictly as the command it records: it must
    /// continue the registry's head (the next position, its digest chained from the head's),
    /// name no request answered before, and hold exactly the events its command makes on this
    /// state: a daily round's every phase, release and flag, a positive test's every
    /// conversion, each event as [`Registry::apply_event`] checks it. On error the registry is
    /// unchanged.
    ///
    /// # Errors
    /// [`RegistryError::Record`] naming the record's position, around the reason:
    /// [`RegistryError::OutOfSequence`], [`RegistryError::BrokenChain`],
    /// [`RegistryError::RequestReplayed`], [`RegistryError::RecordEvents`], or the event's own
    /// refusal.
    pub fn apply_record(&mut self, record: &Record) -> Result<(), Error> {
        let wrap = |e: Error| Error::from(RegistryError::Record { position: record.position, source: Box::new(e) });
        if self.founded < super::FORMAT_VERSION && !record.continues(&self.head.digest) {
            // A record of format 6 in a log founded before format 7: upgraded as it is read.
            let events = self.upgrade_v6_record(record).map_err(wrap)?;
            self.commit_events(&events, false).map_err(wrap)?;
            self.advance(record);
            return Ok(());
        }
        self.check_record(record).map_err(wrap)?;
        self.commit_events(&record.events, true).map_err(wrap)?;
        self.advance(record);
        Ok(())
    }

    /// Rebuild a registry from a log of records: the founding record, then each record in
    /// order through [`Registry::apply_record`].
    ///
    /// # Errors
    /// [`RegistryError::Record`] naming the first refused record's position (0 for a log that
    /// does not begin with a founding record of this format).
    pub fn replay_records<'r>(records: impl IntoIterator<Item = &'r Record>) -> Result<Registry, Error> {
        let mut records = records.into_iter();
        let founding = |e: Error| Error::from(RegistryError::Record { position: 0, source: Box::new(e) });
        let mut reg = match records.next() {
            Some(first) => Registry::from_founding_record(first).map_err(founding)?,
            None => return Err(founding(RegistryError::Founding.into())),
        };
        for record in records {
            reg.apply_record(record)?;
        }
        Ok(reg)
    }

    /// The registry as it stood at the end of the business day `date` 业务日期: a log's
    /// founding record and every record before the first that opens a later day. Its colours,
    /// tallies, agenda and map are that day's, read from the log rather than from today's
    /// registry (which holds only its own business date's; see [`Registry::map`]).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::colour::{Colour, PersonState, State};
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::{Command, Registry};
    ///
    /// let day = |d| NaiveDate::from_ymd_opt(2020, 2, d).ok_or("no such date");
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme, NewUnit::new("花园路街道", "街道", UnitKind::Area))?;
    /// let mut log = vec![reg.founding_record()];
    /// let mut run = |reg: &mut Registry, command| -> Result<(), wangge::Error> {
    ///     let answer = reg.execute(command, None)?;
    ///     log.extend(answer.record().cloned());
    ///     Ok(())
    /// };
    /// let yard = NewUnit::new("农科路社区", "社区", UnitKind::Area);
    /// let root = reg.root();
    /// run(&mut reg, Command::AddUnit { parent: root, unit: yard })?;
    /// let yard = wangge::UnitId::new(1);
    /// run(&mut reg, Command::OpenDay { today: day(1)? })?;
    /// run(&mut reg, Command::AddHousehold { unit: yard, door: DoorLabel::new("1-101")? })?;
    /// let household = wangge::HouseholdId::new(0);
    /// run(&mut reg, Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(day(1)?) })?;
    /// run(&mut reg, Command::OpenDay { today: day(2)? })?;
    /// run(&mut reg, Command::SetState { person: wangge::PersonId::new(0), state: State::Confirmed, on: day(2)? })?;
    ///
    /// // Today's registry is on 2 February, and will not pretend to know 1 February's colours.
    /// assert_eq!(reg.colour(household)?, Colour::Red);
    /// assert!(reg.map(yard, day(1)?).is_err());
    ///
    /// // The log knows them.
    /// let first = Registry::as_of(&log, day(1)?)?;
    /// assert_eq!(first.business_date(), Some(day(1)?));
    /// assert_eq!(first.colour(household)?, Colour::Green);
    /// assert_eq!(first.map(yard, day(1)?)?.households(Colour::Green), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Registry::replay_records`].
    ///
    /// # Complexity
    /// The replay of the records up to that day.
    pub fn as_of<'r>(records: impl IntoIterator<Item = &'r Record>, date: NaiveDate) -> Result<Registry, Error> {
        let opens_later = |record: &Record| match (record.round, record.events.first()) {
            (Some(day), _) => day > date,
            (None, Some(Event::DayOpened { on, .. })) => *on > date,
            _ => false,
        };
        Registry::replay_records(records.into_iter().take_while(|record| !opens_later(record)))
    }

    /// A new registry from a log's founding record.
    fn from_founding_record(record: &Record) -> Result<Registry, Error> {
        let (Some(Event::Founded { format, scheme, root }), 1) = (record.events.first(), record.events.len()) else {
            return Err(RegistryError::Founding.into());
        };
        super::snapshot::check_format(*format)?;
        let reg = Registry::founded_in(scheme.clone(), root.clone(), (*format).min(super::FORMAT_VERSION))?;
        if *record != reg.founding_record() {
            if record.position != 0 {
                return Err(RegistryError::OutOfSequence { expected: 0, found: record.position }.into());
            }
            return Err(RegistryError::BrokenChain { position: record.position }.into());
        }
        Ok(reg)
    }

    /// Everything [`Registry::apply_record`] checks before it changes anything.
    fn check_record(&self, record: &Record) -> Result<(), Error> {
        self.check_sequence(record)?;
        if !record.continues(&self.head.digest) {
            return Err(RegistryError::BrokenChain { position: record.position }.into());
        }
        let events = &record.events;
        let decided = self.decide_from_record(record, |reg, first| {
            reg.check(first, super::Origin::Log)?;
            Ok(first.clone())
        })?;
        if decided != *events {
            let at = decided.iter().zip(events.iter()).take_while(|(a, b)| a == b).count();
            return Err(RegistryError::RecordEvents {
                what: format!(
                    "the command makes {} events on this state, the record holds {}; they differ from event {at}",
                    decided.len(),
                    events.len()
                ),
            }
            .into());
        }
        Ok(())
    }

    /// Refuse a record that is not the next one or answers a request answered before.
    pub(super) fn check_sequence(&self, record: &Record) -> Result<(), Error> {
        let expected = self.head.position.checked_add(1).ok_or(RegistryError::LogFull)?;
        if record.position != expected {
            return Err(RegistryError::OutOfSequence { expected, found: record.position }.into());
        }
        if let Some(request) = &record.request
            && let Some(&(_, position)) = self.requests.0.get(&request.id.key())
        {
            return Err(RegistryError::RequestReplayed { request: request.id.clone(), position }.into());
        }
        Ok(())
    }

    /// The events `record` stands for, decided on this state: a format-5 round's, a day's
    /// round, or a command's first event (made by `first` from the record's: checked, or
    /// fitted from an older format) and its follow-ups. Nothing is applied.
    pub(super) fn decide_from_record(
        &self,
        record: &Record,
        first: impl FnOnce(&Self, &Event) -> Result<Event, Error>,
    ) -> Result<Vec<Event>, Error> {
        let events = &record.events;
        Ok(match record.round {
            // A round of format 5, upgraded: read only before any day was opened.
            Some(today) if self.business_date().is_none() => self.round_events(today, today)?,
            Some(_) => {
                return Err(RegistryError::RecordEvents {
                    what: "a round without a day opened comes only from a format-5 log, before any day".to_owned(),
                }
                .into());
            }
            // A day opened, with its round.
            None if let Some(Event::DayOpened { on, .. }) = events.first() => self.day_events(*on)?,
            None => {
                let Some(recorded) = events.first() else {
                    return Err(
                        RegistryError::RecordEvents { what: "a command's record holds no event".to_owned() }.into()
                    );
                };
                if matches!(recorded, Event::PhaseEntered { .. } | Event::CaseConverted { .. }) {
                    return Err(RegistryError::RecordEvents {
                        what: "a phase entered or a conversion begins no command".to_owned(),
                    }
                    .into());
                }
                let first = first(self, recorded)?;
                let mut decided = vec![first.clone()];
                self.follow_ups(&first, &mut decided)?;
                decided
            }
        })
    }

    /// Move the head to `record` and remember its request.
    pub(super) fn advance(&mut self, record: &Record) {
        self.head = record.head();
        if let Some(request) = &record.request {
            self.requests.0.insert(request.id.key(), (request.command, record.position));
        }
    }

    /// Decide every event of `command` against the registry, without changing it. The first
    /// event is decided and checked as a single command's; the follow-ups of a positive test
    /// (conversions) and the events of a daily round are decided one after another, each from
    /// the state the previous ones leave, threaded through a [`Draft`]: what they read that an
    /// earlier event of the same command changed is a person's state and a household's colour
    /// (two persons of one household entering phases, a close contact and their secondary
    /// contacts at one address). Nothing else they read changes within one command: each case
    /// enters at most one phase and is released or flagged at most once per round, a release
    /// reads its case's records, status and linked case's tests, which no phase entry changes,
    /// and a conversion reads the secondary contact's own case and the close contact's
    /// policy, which the close contact's test leaves as they are.
    pub(super) fn decide_record(&self, command: Command) -> Result<Decided, Error> {
        if let Command::OpenDay { today } = command {
            return Ok(Decided { round: None, events: self.day_events(today)?, first_checked: false });
        }
        self.check_command_day(&command)?;
        let first = self.decide(command)?;
        self.check(&first, super::Origin::Decided)?;
        let mut events = Vec::with_capacity(1);
        self.follow_ups(&first, &mut events)?;
        events.insert(0, first);
        Ok(Decided { round: None, events, first_checked: true })
    }

    /// Append to `out` the events that follow `first` in the same command: after a positive
    /// result (recorded, or an erratum's), the conversion of every active secondary contact
    /// linked to the case, and the reopening of every released one whose release the result
    /// contradicts, both on the business date.
    pub(super) fn follow_ups(&self, first: &Event, out: &mut Vec<Event>) -> Result<(), Error> {
        let (close, sampled) = match first {
            Event::TracedControlled { .. } => {
                out.extend(self.trace_follow_up(first)?);
                return Ok(());
            }
            Event::VisitRecorded { .. } => return self.screen_follow_ups(first, out),
            // Issue 17 §2: a resident's fever at the gate is their case's check.
            Event::EntryRecorded { .. } => {
                out.extend(self.access_follow_up(first)?);
                return Ok(());
            }
            Event::TestRecorded { case, on, escalation: Some(_), .. }
            | Event::TestCorrected { case, on, escalation: Some(_), .. } => (*case, *on),
            Event::PolicyChanged { case, from, to, on, .. } => {
                return self.policy_follow_ups(first, *case, (*from, *to, *on), out);
            }
            Event::ContactsTraced { trace } => return self.placements(trace, out),
            _ => return Ok(()),
        };
        self.check_conversions(close)?;
        let on = self.today_or(sampled);
        let mut draft = Draft::default();
        draft.absorb(self, first)?;
        for id in self.linked_to(close) {
            let event = self.conversion(&draft, id, close, on)?;
            draft.absorb(self, &event)?;
            out.push(event);
        }
        if self.business_date().is_some() {
            // The close contact's case with the result recorded, as the first event leaves it.
            let mut after = self.case(close)?.clone();
            match first {
                Event::TestRecorded { on, result, .. } => after.record_test(*on, *result),
                Event::TestCorrected { sampled, corrected, .. } => {
                    after.unrecord_test(*sampled);
                    if let Some(sample) = corrected {
                        after.record_test(sample.on, sample.result);
                    }
                }
                _ => {}
            }
            for id in self.released_linked_to(close) {
                if let Some(event) = self.reopening(&draft, id, on, Some(&after))? {
                    draft.absorb(self, &event)?;
                    out.push(event);
                }
            }
        }
        Ok(())
    }

    /// After the first case of a change of policy (`first`, moving case `moved`), every other
    /// active case under the old policy, in case order, each from the state the ones before
    /// leave.
    fn policy_follow_ups(
        &self,
        first: &Event,
        moved: CaseId,
        (from, to, on): (crate::PolicyId, crate::PolicyId, NaiveDate),
        out: &mut Vec<Event>,
    ) -> Result<(), Error> {
        let mut draft = Draft::default();
        draft.absorb(self, first)?;
        for id in self.cases_under(from).into_iter().filter(|&id| id != moved) {
            let event = self.policy_change_of(&draft, id, (from, to, on))?;
            draft.absorb(self, &event)?;
            out.push(event);
        }
        Ok(())
    }

    /// The events of opening the business date `today`: [`Event::DayOpened`], then the daily
    /// round of `today`, which catches up every day since the previous business date (each
    /// case enters the latest phase begun by `today`, on that phase's first day, and is
    /// released or flagged as of its release date).
    ///
    /// # Errors
    /// [`RegistryError::DayNotForward`] when `today` is not after the business date.
    pub(super) fn day_events(&self, today: NaiveDate) -> Result<Vec<Event>, Error> {
        let from = self.business_date();
        if let Some(business_date) = from
            && today <= business_date
        {
            return Err(RegistryError::DayNotForward { today, business_date }.into());
        }
        let mut events = vec![Event::DayOpened { from, on: today }];
        let first = from.and_then(|d| d.succ_opt()).unwrap_or(today);
        events.extend(self.round_events(first, today)?);
        Ok(events)
    }

    /// The events of the daily round that runs the days `first` to `today`, in order: phases
    /// entered (by date, then case; each phase a person's state changes with, on its own
    /// first day), then releases and flags (by release date, then case), each release or flag
    /// on the day a day-by-day run would have judged it.
    pub(super) fn round_events(&self, first: NaiveDate, today: NaiveDate) -> Result<Vec<Event>, Error> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        /// What is due: a phase to enter (0) or a release to judge (1), on a day.
        type Due = Reverse<(NaiveDate, u8, NaiveDate, CaseId)>;
        let (phases, releases) = self.round(today);
        let mut due: BinaryHeap<Due> = BinaryHeap::with_capacity(phases.len() + releases.len());
        due.extend(phases.into_iter().map(|(day, id)| Reverse((day.max(first), 0, day, id))));
        for (release, id) in releases {
            if let Some(day) = self.judging_day(id, release, first)?
                && day <= today
            {
                due.push(Reverse((day, 1, release, id)));
            }
        }
        // In the order a day-by-day run makes them: day by day, each day's phases (by case)
        // before its releases and flags (by release date, then case).
        let mut draft = Draft::default();
        let mut events = Vec::with_capacity(due.len());
        while let Some(Reverse((day, kind, release, id))) = due.pop() {
            let event = match kind {
                0 => self.phase_event(&draft, id, day)?,
                _ => self.release_or_flag_on(&draft, id, release, day)?,
            };
            if let Event::PhaseEntered { on, .. } = event
                && let Some(next) = self.next_phase_change(id, on)?
                && next <= today
            {
                due.push(Reverse((next, 0, next, id)));
            }
            draft.absorb(self, &event)?;
            events.push(event);
        }
        Ok(events)
    }

    /// Commit decided events in order: the first without a second check when it was checked
    /// already, every other checked against the state the previous ones left.
    pub(super) fn commit_events(&mut self, events: &[Event], first_checked: bool) -> Result<(), Error> {
        for (i, event) in events.iter().enumerate() {
            if i > 0 || !first_checked {
                self.check(event, super::Origin::Decided)?;
            }
            self.commit_event(event)?;
        }
        self.generation = next_generation();
        Ok(())
    }
}
