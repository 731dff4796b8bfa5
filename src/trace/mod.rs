//! Traced lists 大数据清单: batches of people from outside sources, matched against the register
//! and each one controlled, the same day.
//!
//! Seed 000 (Shanghai): "对340批3488人进行了来自口岸、航运、移动通信、药店等地的大数据清单去向调查。
//! 所有人员在调查的同一天实现控制" — 340 batches, 3,488 people from ports, shipping, mobile
//! operators and pharmacies, every one traced and controlled the same day. Seed 004 (Foshan):
//! 12,505 people of a key origin found in big data, 523 key persons screened out.
//!
//! A [`TracedRow`] is what a list gives of one person: an identity document (a resident
//! identity number or a passport), name, phone, the address they claim, where they came from
//! and when. The registry matches each row of a batch against its register (one person, one
//! file 一人一档: a row never creates a file) and keeps each row's [`RowStatus`] through the day:
//!
//! - [`RowStatus::Matched`]: a registered person, not under control yet;
//! - [`RowStatus::Controlled`]: placed under control (a case started or a state set) at a time
//!   of day the host gives;
//! - [`RowStatus::AlreadyUnderControl`]: the person was under a case or in a controlled state
//!   when the row was received (or was found so by the unit);
//! - [`RowStatus::NotFound`]: nobody registered carries the document: routed to the unit of
//!   the claimed address for a visit, or, for an address outside the registry, not found here;
//! - [`RowStatus::Elsewhere`]: handed to another sub-district;
//! - [`RowStatus::Bad`]: a row that cannot be read ([`BadRow`]: an invalid identity number, an
//!   unknown address, a date after the receipt), reported by its position, never stopping the
//!   rest of the batch.
//!
//! This module holds the rules, pure: reading a row ([`TracedRow::check`]) and the figures of
//! a batch ([`BatchReport`], [`TraceTally`]). The registry's book
//! (`registry/trace.rs`) keeps the batches and decides the commands
//! ([`Command::ReceiveTracedBatch`](crate::Command::ReceiveTracedBatch),
//! [`Command::ControlTraced`](crate::Command::ControlTraced),
//! [`Command::HandOverTraced`](crate::Command::HandOverTraced)).
//!
//! Names, phones, identity numbers and doors are personal data: their `Debug` is redacted, and
//! no error or report quotes them.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::colour::State;
use crate::grid::AdminCode;
use crate::people::{IdentityError, Passport, ResidentId};
use crate::quarantine::{Category, Link};
use crate::{PersonId, PolicyId, UnitId};

/// The most rows a batch may hold.
pub const MAX_ROWS: usize = 1_000_000;

/// The most characters of a free-text field of a row (name, phone, door, origin, the
/// sub-district a row is handed to).
pub const MAX_TEXT_CHARS: usize = 200;

/// A traced batch's id: `BatchId(i)` is the `i`-th batch received.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BatchId(u32);

impl BatchId {
    /// The id of the batch at `index`.
    pub const fn new(index: u32) -> Self {
        BatchId(index)
    }

    /// Its position among the batches.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "batch{}", self.0)
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "batch{}", self.0)
    }
}

/// A row of a batch: the batch and the row's position in it (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowRef {
    /// The batch.
    pub batch: BatchId,
    /// The row's position in the batch.
    pub row: u32,
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {} of {}", self.row, self.batch)
    }
}

/// Where a list comes from 数据来源 (seed 000: ports 口岸, shipping 航运, mobile operators
/// 移动通信, pharmacies 药店).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ListSource {
    /// Ports of entry 口岸.
    Port,
    /// Shipping 航运 (and rail, air: the carriers' passenger lists).
    Shipping,
    /// Mobile operators 移动通信 (roaming records).
    MobileOperator,
    /// Pharmacies 药店 (buyers of fever medicine).
    Pharmacy,
    /// Another sub-district or a higher level, passing a list on.
    Referral,
    /// Any other source.
    Other,
}

/// Free text of a row that is personal data (a name, a phone, a door): kept as received
/// (the log persists it), its `Debug` redacted, revealed only by [`PersonalText::reveal`].
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonalText(Box<str>);

impl PersonalText {
    /// Wrap received text.
    pub fn new(text: &str) -> Self {
        PersonalText(text.into())
    }

    /// The text. Personal data: keep it out of logs.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonalText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// An identity document as a list gives it, unchecked: the text of a resident identity number
/// 居民身份证号, or a passport's country and number. Checked when the row is read
/// ([`TracedRow::check`]); an invalid one makes a [`BadRow`]. `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RawDocument {
    /// The text of a resident identity number.
    Resident(PersonalText),
    /// A passport.
    Passport {
        /// The issuing country (ISO 3166-1 alpha-3, not personal).
        country: String,
        /// The number.
        number: PersonalText,
    },
}

impl fmt::Debug for RawDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawDocument::Resident(_) => f.write_str("Resident(<redacted>)"),
            RawDocument::Passport { .. } => f.write_str("Passport(<redacted>)"),
        }
    }
}

/// A checked identity document, the key a row is matched by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Document {
    /// A resident identity number.
    Resident(ResidentId),
    /// A passport.
    Passport(Passport),
}

impl RawDocument {
    /// A raw resident identity number (the text as the list gives it).
    pub fn resident(text: &str) -> Self {
        RawDocument::Resident(PersonalText::new(text))
    }

    /// Check the document.
    ///
    /// # Errors
    /// The [`IdentityError`] of [`ResidentId::parse`] or [`Passport::new`]: it never quotes the
    /// text.
    pub fn check(&self) -> Result<Document, IdentityError> {
        match self {
            RawDocument::Resident(text) => ResidentId::parse(text.reveal()).map(Document::Resident),
            RawDocument::Passport { country, number } => {
                Passport::new(country, number.reveal()).map(Document::Passport)
            }
        }
    }
}

/// The address a row claims: the administrative code 行政区划代码 of the community, courtyard
/// or building the list names, and the door if it gives one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// The unit's administrative code, as the list gives it.
    pub code: String,
    /// The door, if given (personal data).
    #[serde(default)]
    pub door: Option<PersonalText>,
}

// JSON leaves empty fields out; binary forms write every field (see `crate::form`).
crate::form::serialize_fields!(Address { code, door skip_if Option::is_none });

/// One row of a traced list: what a source gives of one person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracedRow {
    /// The identity document, if the list gives one.
    #[serde(default)]
    pub document: Option<RawDocument>,
    /// The name (personal data).
    #[serde(default)]
    pub name: Option<PersonalText>,
    /// The phone number (personal data).
    #[serde(default)]
    pub phone: Option<PersonalText>,
    /// The address claimed.
    #[serde(default)]
    pub address: Option<Address>,
    /// Where the person came from 来源地 (a place, not personal data), free text.
    #[serde(default)]
    pub origin: String,
    /// The date the list gives (arrival, purchase ...): not after the batch was received.
    pub date: NaiveDate,
}

// JSON leaves empty fields out; binary forms write every field (see `crate::form`).
crate::form::serialize_fields!(TracedRow {
    document skip_if Option::is_none,
    name skip_if Option::is_none,
    phone skip_if Option::is_none,
    address skip_if Option::is_none,
    origin skip_if String::is_empty,
    date,
});

/// What is wrong with a row 问题数据, by position: it never quotes the row's personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum BadRow {
    /// The identity document is not valid (an identity number's check character, a
    /// passport's number ...).
    #[error("the identity document is invalid: {0}")]
    InvalidDocument(IdentityError),
    /// The row has no document, and its address is missing or is not an administrative code:
    /// nobody can be matched or routed.
    #[error("the row names no identity document and no address that can be placed")]
    UnknownAddress,
    /// The date the row gives is after the batch was received.
    #[error("the row's date {date} is after the batch was received")]
    DateAfterReceipt {
        /// The row's date (not personal).
        date: NaiveDate,
    },
    /// A free-text field is longer than [`MAX_TEXT_CHARS`] or holds a control character.
    #[error("the row's {field} is longer than {MAX_TEXT_CHARS} characters or holds a control character")]
    BadText {
        /// Which field.
        field: RowField,
    },
}

/// A free-text field of a row, named in a [`BadRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowField {
    /// The name.
    Name,
    /// The phone.
    Phone,
    /// The address (its code or door).
    Address,
    /// The origin.
    Origin,
}

impl fmt::Display for RowField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RowField::Name => "name",
            RowField::Phone => "phone",
            RowField::Address => "address",
            RowField::Origin => "origin",
        })
    }
}

/// Where a readable row's address points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// An administrative code: the registry looks it up among its units.
    Code(AdminCode),
    /// No address (the row is matched by its document alone).
    None,
}

/// A row read: its document, if any, and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    /// The document, checked.
    pub document: Option<Document>,
    /// The address.
    pub place: Place,
}

fn text_ok(text: &str) -> bool {
    crate::text::bad_source(text, MAX_TEXT_CHARS).is_none()
}

impl TracedRow {
    /// A row with only a date: fill the fields in with the `with_` methods.
    pub fn new(date: NaiveDate) -> Self {
        TracedRow { document: None, name: None, phone: None, address: None, origin: String::new(), date }
    }

    /// With an identity document.
    pub fn with_document(mut self, document: RawDocument) -> Self {
        self.document = Some(document);
        self
    }

    /// With a name.
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = Some(PersonalText::new(name));
        self
    }

    /// With a phone number.
    pub fn with_phone(mut self, phone: &str) -> Self {
        self.phone = Some(PersonalText::new(phone));
        self
    }

    /// With an address: a unit's administrative code, and a door if given.
    pub fn with_address(mut self, code: &str, door: Option<&str>) -> Self {
        self.address = Some(Address { code: code.to_owned(), door: door.map(PersonalText::new) });
        self
    }

    /// With an origin.
    pub fn with_origin(mut self, origin: &str) -> Self {
        self.origin = origin.to_owned();
        self
    }

    /// Read the row of a batch received on `received`: the rule every row is held to, in
    /// this order: free text within bounds, the date not after the receipt, the document
    /// valid, and a row with no document has an address that is an administrative code.
    ///
    /// # Errors
    /// The first [`BadRow`] found.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::trace::{BadRow, RawDocument, TracedRow};
    ///
    /// let feb2 = NaiveDate::from_ymd_opt(2020, 2, 2).unwrap();
    /// let good = TracedRow::new(feb2).with_document(RawDocument::resident("11010519491231002X"));
    /// assert!(good.check(feb2).is_ok());
    /// // A wrong check character: a bad row, whose error does not quote the number.
    /// let bad = TracedRow::new(feb2).with_document(RawDocument::resident("110105194912310021"));
    /// let err = bad.check(feb2).unwrap_err();
    /// assert!(matches!(err, BadRow::InvalidDocument(_)));
    /// assert!(!err.to_string().contains("110105"));
    /// ```
    pub fn check(&self, received: NaiveDate) -> Result<CheckedRow, BadRow> {
        let texts = [
            (RowField::Name, self.name.as_ref().map(PersonalText::reveal)),
            (RowField::Phone, self.phone.as_ref().map(PersonalText::reveal)),
            (RowField::Address, self.address.as_ref().and_then(|a| a.door.as_ref()).map(PersonalText::reveal)),
            (RowField::Origin, Some(self.origin.as_str())),
        ];
        for (field, text) in texts {
            if text.is_some_and(|t| !text_ok(t)) {
                return Err(BadRow::BadText { field });
            }
        }
        if self.date > received {
            return Err(BadRow::DateAfterReceipt { date: self.date });
        }
        let document = self.document.as_ref().map(RawDocument::check).transpose().map_err(BadRow::InvalidDocument)?;
        let place = match self.address.as_ref().map(|a| AdminCode::new(&a.code)) {
            Some(Ok(code)) => Place::Code(code),
            Some(Err(_)) if document.is_none() => return Err(BadRow::UnknownAddress),
            None if document.is_none() => return Err(BadRow::UnknownAddress),
            _ => Place::None,
        };
        Ok(CheckedRow { document, place })
    }
}

/// How a person found on a list is placed under control 管控: a state set, or a case started
/// under an adopted policy (the command
/// [`Command::SetState`](crate::Command::SetState) or
/// [`Command::StartCase`](crate::Command::StartCase) makes, decided in the same command).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ControlMeasure {
    /// Set the person's state (a close contact, home isolation ...): not
    /// [`State::Well`] nor [`State::Absent`], which control nobody.
    SetState {
        /// The state.
        state: State,
    },
    /// Start a case under a policy.
    StartCase {
        /// The policy, adopted already.
        policy: PolicyId,
        /// Why the person is under it.
        category: Category,
        /// The anchor date (arrival, last exposure).
        anchor: NaiveDate,
        /// A secondary contact's link, as [`Command::StartCase`](crate::Command::StartCase).
        linked: Option<Link>,
    },
}

/// Whether a person in `state` is under control 已管控: anyone not well and present (or away).
/// A person under an active case is under control whatever their state.
pub fn controls(state: State) -> bool {
    !matches!(state, State::Well | State::Absent)
}

/// A row's status 状态 through the day: every row of every batch is in exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum RowStatus {
    /// The row could not be read.
    Bad(BadRow),
    /// Matched to a registered person not under control yet.
    Matched {
        /// The person.
        person: PersonId,
    },
    /// Placed under control.
    Controlled {
        /// The person.
        person: PersonId,
        /// When (the host's time of day on the business date).
        at: NaiveDateTime,
    },
    /// The person was under control already when the row was received, or when the unit
    /// found them.
    AlreadyUnderControl {
        /// The person.
        person: PersonId,
        /// When that was established (the receipt, or the unit's finding).
        at: NaiveDateTime,
    },
    /// Nobody registered carries the document.
    NotFound {
        /// The unit of the claimed address, where the row was routed for a visit; `None`: the
        /// address lies outside the registry (not found here).
        routed: Option<UnitId>,
    },
    /// Handed to another sub-district.
    Elsewhere {
        /// To whom (a sub-district's name or code: not personal data).
        to: String,
        /// When.
        at: NaiveDateTime,
    },
}

impl RowStatus {
    /// The kind of status, without its data.
    pub fn kind(&self) -> StatusKind {
        match self {
            RowStatus::Bad(_) => StatusKind::Bad,
            RowStatus::Matched { .. } => StatusKind::Matched,
            RowStatus::Controlled { .. } => StatusKind::Controlled,
            RowStatus::AlreadyUnderControl { .. } => StatusKind::AlreadyUnderControl,
            RowStatus::NotFound { .. } => StatusKind::NotFound,
            RowStatus::Elsewhere { .. } => StatusKind::Elsewhere,
        }
    }

    /// The person the row is matched to, if any.
    pub fn person(&self) -> Option<PersonId> {
        match self {
            RowStatus::Matched { person }
            | RowStatus::Controlled { person, .. }
            | RowStatus::AlreadyUnderControl { person, .. } => Some(*person),
            _ => None,
        }
    }

    /// When the row was settled (controlled, found under control, handed over), if it was.
    pub fn settled_at(&self) -> Option<NaiveDateTime> {
        match self {
            RowStatus::Controlled { at, .. }
            | RowStatus::AlreadyUnderControl { at, .. }
            | RowStatus::Elsewhere { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// Whether the row still waits for the sub-district: matched but not controlled, or
    /// routed to a unit and not found yet.
    pub fn is_open(&self) -> bool {
        matches!(self, RowStatus::Matched { .. } | RowStatus::NotFound { routed: Some(_) })
    }
}

/// The kinds of [`RowStatus`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StatusKind {
    /// [`RowStatus::Bad`].
    Bad,
    /// [`RowStatus::Matched`].
    Matched,
    /// [`RowStatus::Controlled`].
    Controlled,
    /// [`RowStatus::AlreadyUnderControl`].
    AlreadyUnderControl,
    /// [`RowStatus::NotFound`].
    NotFound,
    /// [`RowStatus::Elsewhere`].
    Elsewhere,
}

/// One row of a [`BatchReport`]: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowLine {
    /// The row's position in the batch.
    pub row: u32,
    /// Its status.
    pub status: RowStatus,
    /// The unit it belongs to: the matched person's household's unit, or the unit it was
    /// routed to.
    pub unit: Option<UnitId>,
    /// Minutes from the batch's receipt to the row being settled (controlled, found under
    /// control, handed over); `None` while it is not.
    pub minutes_to_control: Option<i64>,
}

/// Counts of rows by status, with the same-day figure 当日管控: what seed 000 reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TraceTally {
    /// Rows received.
    pub rows: u64,
    /// Rows that could not be read.
    pub bad: u64,
    /// Rows matched, not controlled yet.
    pub matched: u64,
    /// Rows placed under control.
    pub controlled: u64,
    /// Rows of persons under control already.
    pub already_under_control: u64,
    /// Rows not found (routed to a unit, or not found here).
    pub not_found: u64,
    /// Of those, not found here (the address lies outside the registry).
    pub not_found_here: u64,
    /// Rows handed to another sub-district.
    pub elsewhere: u64,
    /// Rows settled (controlled, under control already, handed over) on the day their batch
    /// was received.
    pub settled_same_day: u64,
    /// Rows settled on a later day.
    pub settled_later: u64,
    /// Distinct persons matched (a person in three lists counts once).
    pub persons: u64,
}

impl TraceTally {
    /// Count one row of a batch received at `received`.
    pub fn count(&mut self, status: &RowStatus, received: NaiveDateTime) {
        self.rows += 1;
        match status {
            RowStatus::Bad(_) => self.bad += 1,
            RowStatus::Matched { .. } => self.matched += 1,
            RowStatus::Controlled { .. } => self.controlled += 1,
            RowStatus::AlreadyUnderControl { .. } => self.already_under_control += 1,
            RowStatus::NotFound { routed } => {
                self.not_found += 1;
                if routed.is_none() {
                    self.not_found_here += 1;
                }
            }
            RowStatus::Elsewhere { .. } => self.elsewhere += 1,
        }
        if let Some(at) = status.settled_at() {
            if at.date() == received.date() {
                self.settled_same_day += 1;
            } else {
                self.settled_later += 1;
            }
        }
    }

    /// Rows the sub-district owes control: every readable row but those not found here.
    pub fn owed(&self) -> u64 {
        self.rows - self.bad - self.not_found_here
    }

    /// Rows still open: matched and not controlled, or routed and not found.
    pub fn open(&self) -> u64 {
        self.matched + (self.not_found - self.not_found_here)
    }

    /// Whether every row owed was settled the day its batch came in 所有人员当日实现管控.
    pub fn all_settled_same_day(&self) -> bool {
        self.open() == 0 && self.settled_later == 0
    }
}

/// A batch's report: each row's status, unit and time to control, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchReport {
    /// The batch.
    pub batch: BatchId,
    /// Where its list came from.
    pub source: ListSource,
    /// When it was received.
    pub received: NaiveDateTime,
    /// Every row, in order.
    pub rows: Vec<RowLine>,
    /// The counts.
    pub tally: TraceTally,
}

/// What can go wrong with a traced-list command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TraceError {
    /// No such batch.
    #[error("no batch {batch}")]
    UnknownBatch {
        /// The batch.
        batch: BatchId,
    },
    /// No such row in the batch.
    #[error("{row} does not exist")]
    UnknownRow {
        /// The row.
        row: RowRef,
    },
    /// A batch with no rows, or more than [`MAX_ROWS`].
    #[error("a batch holds 1 to {MAX_ROWS} rows; this one holds {rows}")]
    BatchSize {
        /// How many rows it holds.
        rows: usize,
    },
    /// The row is not open: only a matched row, or a row routed to a unit, can be controlled
    /// or handed over.
    #[error("{row} is {status:?} already")]
    NotOpen {
        /// The row.
        row: RowRef,
        /// Its status.
        status: StatusKind,
    },
    /// A matched row names another person than the one it matched, or a routed row names a
    /// person whose identity document differs from the row's (one person, one file 一人一档).
    #[error("{row} does not identify {person}")]
    NotThePerson {
        /// The row.
        row: RowRef,
        /// The person named.
        person: PersonId,
    },
    /// A routed row's person was not named.
    #[error("{row} was not matched: name the person the unit found")]
    PersonUnnamed {
        /// The row.
        row: RowRef,
    },
    /// The person named lives outside the unit the row was routed to.
    #[error("{person} does not live inside {unit}, where {row} was routed")]
    NotInUnit {
        /// The row.
        row: RowRef,
        /// The person.
        person: PersonId,
        /// The unit.
        unit: UnitId,
    },
    /// A measure given for a person under control already.
    #[error("{person} is under control already: settle the row with no measure")]
    AlreadyControlled {
        /// The person.
        person: PersonId,
    },
    /// No measure given for a person not under control.
    #[error("{person} is not under control: a measure is needed")]
    NotControlled {
        /// The person.
        person: PersonId,
    },
    /// A state that controls nobody ([`State::Well`], [`State::Absent`]) given as a measure.
    #[error("{state} is not a measure of control")]
    NotAMeasure {
        /// The state.
        state: State,
    },
    /// The time given is before the batch was received.
    #[error("{at} is before {batch} was received at {received}")]
    BeforeReceipt {
        /// The batch.
        batch: BatchId,
        /// The time given.
        at: NaiveDateTime,
        /// The receipt.
        received: NaiveDateTime,
    },
    /// The sub-district a row is handed to is empty, too long or holds control characters.
    #[error("the sub-district a row is handed to is 1 to {MAX_TEXT_CHARS} characters of text")]
    BadRecipient,
}
