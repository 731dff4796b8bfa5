//! Snapshots: the whole state of a registry as one serialisable value, and the format version
//! that snapshots and event logs share.
//!
//! [`Registry::snapshot`] copies out what the registry holds as source (the tree, overlays,
//! population, states, colour rule, policies and cases, staff, schemes and rosters), not what
//! it derives; [`Registry::from_snapshot`] checks the version first, rebuilds the derived data
//! (colours, tallies, indexes) and audits the result before handing it out. A host keeps a
//! snapshot beside its log to restart without replaying it all.
//!
//! A snapshot is as strict as the commands: loading refuses every state that no sequence of
//! commands reaches and that a rule of a command refuses (a holder not eligible for their role,
//! a case released before its date or while its records block release, an escalated case
//! without the record that escalated it, a link no `StartCase` makes, two schemes of one name
//! ...). The audit module's table lists each command check and what enforces it on load.

use chrono::NaiveDate;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::cases::CaseBook;
use super::contacts::{ContactBook, ContactData};
use super::duties::DutyBook;
use super::firms::FirmsData;
use super::record::Requests;
use super::screen::ScreenData;
// Issue 17 §2: closed management, passes, entry checks.
use super::access::{AccessBook, AccessData};
use super::gates::GatesData;
use super::trace::{TraceBook, TraceData};
use super::work::{WorkBook, WorkData};
use super::{Digest, Head, Registry, RegistryError, Remembered};
use crate::Error;
use crate::arrivals::ArrivalRecord;
use crate::colour::{ColourRule, PersonState};
use crate::duty::{Assignment, Scheme, Staff};
use crate::grid::{NewUnit, Overlays, OverlaysData, Tree, TreeData, Unit};
use crate::people::{Population, PopulationData};
use crate::quarantine::{Case, Policy};

/// The format of the JSON (or any serde form) this build writes and reads: of every
/// [`Snapshot`], and of every event log, whose first event, [`Event::Founded`](super::Event::Founded),
/// carries it. One number for both, since a snapshot and a log describe the same registry.
///
/// **The rule: bump it whenever the serialised form of any event or of a snapshot changes**
/// (a field added, removed, renamed or retyped, a variant added or renamed, a value meaning
/// something else), and keep the golden files of the old version under `tests/golden/`: the
/// test `tests/format.rs` reads them, so a change that would misread old logs fails there.
/// Loading any other version is refused with [`RegistryError::UnsupportedFormat`], never read
/// as this one.
///
/// The versions:
/// - 1: the tree, overlays, households and persons.
/// - 2: the colour rule and person states.
/// - 3: the isolation policies and cases.
/// - 4: the staff, responsibility schemes and rosters.
/// - 5: event logs carry the version too (`Event::Founded { format, .. }`); unknown fields in
///   events and snapshots are refused instead of ignored; snapshots are read format first.
/// - 6: the log is a sequence of [`Record`](super::Record)s, one per command, each with its
///   position, request id and running digest; a snapshot names the head of the log it covers
///   (`head`) and the request ids committed (`requests`). Format-5 logs and snapshots are
///   upgraded when read ([`upgrade_v5_log`](super::upgrade_v5_log),
///   [`Registry::from_snapshot`]), never refused.
/// - 7: a person's state is a standing, the reason apart from the measure
///   ([`PersonState`]: `{"reason", "measure", "since"}`; in binary forms one integer marked
///   2^40 + (day + 2^27) × 64 + measure × 16 + reason); format 6's state
///   `CentralisedIsolation` is a measure, no longer a state; the colour rule is a rule over
///   standings (`{"reasons", "cells", "household"}`); `Command::SetMeasure`. Format-6 logs
///   and snapshots are upgraded when read, never refused: each format-6 state reads as
///   `Standing::from_format_6` says (centralised isolation takes the reason of the person's
///   open case, or in a log the reason before it, else present and well), a format-6 rule as
///   [`StandingRule::from_format_6`](crate::colour::StandingRule), and a registry founded
///   in format 5 or 6 keeps the format-6 rule
///   ([`StandingRule::zhengzhou_2020_format_6`](crate::colour::StandingRule::zhengzhou_2020_format_6)),
///   so its colours do not change.
pub const FORMAT_VERSION: u32 = 7;

/// The oldest format this build still reads, upgrading it (format 5: no records).
pub const UPGRADED_FORMAT: u32 = 5;

/// The format whose person states and colour rule this build upgrades to standings as it
/// reads them (format 6: records, as today, but states that mix reason and setting).
pub const UPGRADED_STATES_FORMAT: u32 = 6;

/// Whether this build reads values of format `found` (its own, or one it upgrades).
pub(super) fn readable(found: u32) -> bool {
    (UPGRADED_FORMAT..=FORMAT_VERSION).contains(&found)
}

/// `Ok` for a format this build reads ([`FORMAT_VERSION`], or [`UPGRADED_FORMAT`] and
/// [`UPGRADED_STATES_FORMAT`], which it upgrades), [`RegistryError::UnsupportedFormat`] for
/// any other.
pub(super) fn check_format(found: u32) -> Result<(), RegistryError> {
    if readable(found) { Ok(()) } else { Err(RegistryError::UnsupportedFormat { found, supported: FORMAT_VERSION }) }
}

/// Reads the fields of a versioned value (a snapshot, a founding event) with its `format`
/// first. Fields before `format` are read as this build's; once `format` is known to be
/// another, every field is read leniently: unknown fields are skipped, and a field this build
/// cannot read, or one missing, is reported as [`RegistryError::UnsupportedFormat`] rather than
/// as a shape error. A value of another format that does read is returned with its format, for
/// [`Registry::from_snapshot`] and [`Registry::replay`] to refuse by type.
#[derive(Default)]
pub(super) struct FormatFirst {
    /// The format, once read.
    format: Option<u32>,
    /// The first field this build does not know, read before the format.
    unknown: Option<String>,
}

impl FormatFirst {
    /// The format read, if it is not this build's.
    fn foreign(&self) -> Option<u32> {
        self.format.filter(|&f| !readable(f))
    }

    /// The error for a value of format `found`, as serde reports errors.
    pub(super) fn unsupported<E: de::Error>(found: u32) -> E {
        E::custom(RegistryError::UnsupportedFormat { found, supported: FORMAT_VERSION })
    }

    /// Read the value of `format`.
    pub(super) fn format<'de, A: MapAccess<'de>>(&mut self, map: &mut A) -> Result<(), A::Error> {
        if self.format.is_some() {
            return Err(de::Error::duplicate_field("format"));
        }
        self.format = Some(map.next_value()?);
        Ok(())
    }

    /// Read the value of the known field `name` into `slot`.
    pub(super) fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        &self,
        map: &mut A,
        name: &'static str,
        slot: &mut Option<T>,
    ) -> Result<(), A::Error> {
        if slot.is_some() {
            return Err(match self.foreign() {
                Some(found) => Self::unsupported(found),
                None => de::Error::duplicate_field(name),
            });
        }
        *slot = Some(match self.foreign() {
            Some(found) => map.next_value().map_err(|_: A::Error| Self::unsupported(found))?,
            None => map.next_value()?,
        });
        Ok(())
    }

    /// Skip the value of a field this build does not know: refused for this build's format,
    /// skipped for another, remembered while the format is not known yet.
    pub(super) fn unknown<'de, A: MapAccess<'de>>(
        &mut self,
        map: &mut A,
        key: String,
        expected: &'static [&'static str],
    ) -> Result<(), A::Error> {
        match self.format {
            Some(f) if readable(f) => Err(de::Error::unknown_field(&key, expected)),
            Some(found) => map.next_value::<IgnoredAny>().map(drop).map_err(|_: A::Error| Self::unsupported(found)),
            None => {
                self.unknown.get_or_insert(key);
                map.next_value::<IgnoredAny>().map(drop)
            }
        }
    }

    /// After the last field: the format read, or the error that the value's fields call for
    /// (`format` missing, a field unknown to this build's format, a field of another format
    /// missing). `expected` names every field.
    pub(super) fn finish<E: de::Error>(self, expected: &'static [&'static str]) -> Result<u32, E> {
        match self.format {
            None => Err(E::missing_field("format")),
            Some(f) if readable(f) => match self.unknown {
                Some(key) => Err(E::unknown_field(&key, expected)),
                None => Ok(f),
            },
            Some(found) => Ok(found),
        }
    }

    /// A required field: present, or missing (an error naming it for this build's format, the
    /// unsupported format for another).
    pub(super) fn required<T, E: de::Error>(format: u32, name: &'static str, slot: Option<T>) -> Result<T, E> {
        slot.ok_or_else(|| if readable(format) { E::missing_field(name) } else { Self::unsupported(format) })
    }

    /// After the elements this build knows: for another format, skip what it added after them.
    pub(super) fn rest<'de, A: SeqAccess<'de>>(format: u32, seq: &mut A) -> Result<(), A::Error> {
        if !readable(format) {
            while seq.next_element::<IgnoredAny>().map_err(|_: A::Error| Self::unsupported(format))?.is_some() {}
        }
        Ok(())
    }

    /// Read the next element of a sequence (a form without field names, where `format` is
    /// always first); `index` counts from 0 for the error.
    pub(super) fn element<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
        format: u32,
        seq: &mut A,
        index: usize,
        expecting: &dyn de::Expected,
    ) -> Result<T, A::Error> {
        let next = if readable(format) {
            seq.next_element()?
        } else {
            seq.next_element().map_err(|_: A::Error| Self::unsupported(format))?
        };
        next.ok_or_else(|| {
            if readable(format) { de::Error::invalid_length(index, expecting) } else { Self::unsupported(format) }
        })
    }
}

/// The whole state of a [`Registry`] as plain data: what a host saves instead of (or beside)
/// the event log. Derived data (colours, tallies, indexes) is not stored; loading rebuilds it and audits
/// the result, so a snapshot that breaks an invariant is refused, never half-loaded.
///
/// # Example
/// ```
/// use wangge::{Registry, Snapshot};
/// use wangge::grid::{LevelScheme, NewUnit, UnitKind, Level};
///
/// let reg = Registry::new(LevelScheme::foshan(), NewUnit::new("Lecong 乐从镇", Level::new(0), UnitKind::Area))?;
/// let json = serde_json::to_string(&reg.snapshot()).unwrap();
/// let back = Registry::from_snapshot(serde_json::from_str::<Snapshot>(&json).unwrap())?;
/// assert_eq!(back, reg);
/// # Ok::<(), wangge::Error>(())
/// ```
///
/// # Reading one
/// The format is read first, and fields are checked against it: a snapshot of this build's
/// [`FORMAT_VERSION`] with a field unknown, missing or twice is a serde error naming it. One
/// of another version is never read as this one: if its fields still read as this build's, it
/// is returned with its `format` for [`Registry::from_snapshot`] to refuse
/// ([`RegistryError::UnsupportedFormat`]); if they do not, the serde error is that same
/// refusal's message, not a complaint about a field's shape. This holds when `format` comes
/// before the fields whose shape changed, as it does in everything this crate writes (a map
/// that sorts its keys, like `serde_json::Value`, puts `cases` and `colour_rule` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The format version, [`FORMAT_VERSION`] when written by this build. The other fields
    /// mean what they say only in that version: check it (as [`Registry::from_snapshot`]
    /// does) before reading them.
    pub format: u32,
    /// The root as it was founded (for the founding event).
    pub root: NewUnit,
    /// The tree.
    pub tree: TreeData,
    /// The overlays.
    pub overlays: OverlaysData,
    /// Households and persons.
    pub population: PopulationData,
    /// The colour rule in force.
    pub colour_rule: ColourRule,
    /// Each person's state, `PersonId(i)` at position `i`.
    pub states: Vec<PersonState>,
    /// The isolation policies adopted, `PolicyId(i)` at position `i`.
    pub policies: Vec<Policy>,
    /// Every isolation case, `CaseId(i)` at position `i`.
    pub cases: Vec<Case>,
    /// The staff, `StaffId(i)` at position `i`.
    pub staff: Vec<Staff>,
    /// The responsibility schemes adopted, `SchemeId(i)` at position `i`.
    pub schemes: Vec<Scheme>,
    /// Each scheme's roster, in the scheme's order.
    pub rosters: Vec<Vec<Assignment>>,
    /// The position and digest of the last record the snapshot covers: a log continuing it
    /// begins at the next position, chained from this digest. Format 6; a snapshot of format
    /// 5 is given a head when loaded (see [`Registry::from_snapshot`]).
    pub head: Head,
    /// The request ids committed by the records it covers (format 6; none in format 5).
    pub requests: Vec<Remembered>,
    /// The business date 业务日期 ([`Registry::business_date`]), `None` before the first
    /// day was opened. Written last; a snapshot of format 5 written before the registry kept
    /// its date has no such field, and reads as `None`: the host's next
    /// [`Command::OpenDay`](crate::Command::OpenDay) sets it.
    pub business_date: Option<NaiveDate>,
    /// The day's work ([`WorkData`]): the plan in force, what was done, moved and carried,
    /// the tickets. Written after the business date, and left out when empty, so a snapshot
    /// of a registry that keeps no work reads as it did before the day's work existed.
    pub work: WorkData,
    // Issue 16 §4: the contact graph.
    /// The contact graph ([`ContactData`]): every exposure and trace. Written after the work
    /// book, and left out of JSON when empty, so a snapshot of a registry that traced nobody
    /// reads and writes as it did before the contact graph existed.
    pub contacts: ContactData,
    // Arrivals by origin (issue 16 §3).
    /// The arrivals recorded ([`ArrivalRecord`]), in the order recorded. Written after the
    /// work book, and left out when empty, so a snapshot of a registry that recorded none
    /// reads as it did before arrivals existed.
    pub arrivals: Vec<ArrivalRecord>,
    // Issue 16 §2: traced lists.
    /// The traced lists ([`TraceData`]): every batch received and each row's status. Written
    /// after the day's work, and left out when empty, so a snapshot of a registry that
    /// received no list reads as it did before traced lists existed.
    pub trace: TraceData,
    // Issue 16 §1: screening campaigns.
    /// The screening campaigns ([`ScreenData`]) and their visits. Written last, left out when
    /// empty.
    pub screen: ScreenData,
    // Issue 17 §3: workplaces and rental properties.
    /// Workplaces' filings and rental properties ([`FirmsData`]). Written last, left out of
    /// JSON when empty.
    pub firms: FirmsData,
    // Issue 17 §2: closed management, passes, entry checks.
    /// Compounds' status, passes and entries at the gates ([`AccessData`]). Written last,
    /// left out of JSON when empty, so a snapshot of a registry that recorded none reads and
    /// writes as it did before.
    pub access: AccessData,
    // Issue 17 §1: checkpoints, closed entrances, shift rosters.
    /// Checkpoints, closed entrances, the one-entrance rule and shift rosters
    /// ([`GatesData`]). Written last, left out of JSON when empty.
    pub gates: GatesData,
}

// JSON leaves an empty work book out; binary forms write it (see `crate::form`).
crate::form::serialize_fields!(Snapshot {
    format,
    root,
    tree,
    overlays,
    population,
    colour_rule,
    states,
    policies,
    cases,
    staff,
    schemes,
    rosters,
    head,
    requests,
    business_date,
    work skip_if WorkData::is_empty,
    contacts skip_if ContactData::is_empty,
    arrivals skip_if Vec::is_empty,
    trace skip_if TraceData::is_empty,
    screen skip_if ScreenData::is_empty,
    firms skip_if FirmsData::is_empty,
    access skip_if AccessData::is_empty,
    gates skip_if GatesData::is_empty,
});

/// The fields of a [`Snapshot`], in the order they are written.
const SNAPSHOT_FIELDS: &[&str] = &[
    "format",
    "root",
    "tree",
    "overlays",
    "population",
    "colour_rule",
    "states",
    "policies",
    "cases",
    "staff",
    "schemes",
    "rosters",
    "head",
    "requests",
    "business_date",
    "work",
    "contacts",
    "arrivals",
    "trace",
    "screen",
    "firms",
    "access",
    "gates",
];

/// Reads `format` first; see [`Snapshot`]'s "Reading one".
impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct("Snapshot", SNAPSHOT_FIELDS, SnapshotVisitor)
    }
}

struct SnapshotVisitor;

/// The head a snapshot of format 5 is read with, until [`Registry::from_snapshot`] gives it
/// its own.
const V5_HEAD: Head = Head { position: 0, digest: Digest::GENESIS };

/// Calls `$with!` with every field of a [`Snapshot`] after `format`, with its name.
macro_rules! snapshot_body {
    ($with:ident) => {
        $with!(
            root: "root",
            tree: "tree",
            overlays: "overlays",
            population: "population",
            colour_rule: "colour_rule",
            states: "states",
            policies: "policies",
            cases: "cases",
            staff: "staff",
            schemes: "schemes",
            rosters: "rosters"
        )
    };
}

impl<'de> Visitor<'de> for SnapshotVisitor {
    type Value = Snapshot;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a wangge snapshot")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Snapshot, A::Error> {
        let format = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let mut index = 0;
        macro_rules! read {
            ($($field:ident: $name:literal),*) => {
                Snapshot {
                    format,
                    $($field: {
                        index += 1;
                        FormatFirst::element(format, &mut seq, index, &self)?
                    },)*
                    head: V5_HEAD,
                    requests: Vec::new(),
                    business_date: None,
                    work: WorkData::default(),
                    contacts: ContactData::default(),
                    arrivals: Vec::new(),
                    trace: TraceData::default(),
                    screen: ScreenData::default(),
                    firms: FirmsData::default(),
                    access: AccessData::default(),
                    gates: GatesData::default(),
                }
            };
        }
        let mut snapshot = snapshot_body!(read);
        if format != UPGRADED_FORMAT {
            snapshot.head = FormatFirst::element(format, &mut seq, index + 1, &self)?;
            snapshot.requests = FormatFirst::element(format, &mut seq, index + 2, &self)?;
            snapshot.business_date = FormatFirst::element(format, &mut seq, index + 3, &self)?;
            // Optional and last: absent in what was written before the day's work existed.
            snapshot.work = seq.next_element()?.unwrap_or_default();
            snapshot.contacts = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before arrivals existed.
            snapshot.arrivals = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before traced lists existed.
            snapshot.trace = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before screening campaigns existed.
            snapshot.screen = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before workplaces were kept.
            snapshot.firms = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before the access book existed.
            snapshot.access = seq.next_element()?.unwrap_or_default();
            // Optional and last: absent in what was written before the gates book existed.
            snapshot.gates = seq.next_element()?.unwrap_or_default();
        }
        FormatFirst::rest(format, &mut seq)?;
        Ok(snapshot)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Snapshot, A::Error> {
        let mut reader = FormatFirst::default();
        macro_rules! read {
            ($($field:ident: $name:literal),*) => {{
                $(let mut $field = None;)*
                let (mut head, mut requests) = (None, None);
                let mut business_date: Option<Option<NaiveDate>> = None;
                let mut work: Option<WorkData> = None;
                let mut contacts: Option<ContactData> = None;
                let mut arrivals: Option<Vec<ArrivalRecord>> = None;
                let mut trace: Option<TraceData> = None;
                let mut screen: Option<ScreenData> = None;
                let mut firms: Option<FirmsData> = None;
                let mut access: Option<AccessData> = None;
                let mut gates: Option<GatesData> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "format" => reader.format(&mut map)?,
                        $($name => reader.field(&mut map, $name, &mut $field)?,)*
                        "head" if reader.format != Some(UPGRADED_FORMAT) => reader.field(&mut map, "head", &mut head)?,
                        "requests" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "requests", &mut requests)?
                        }
                        "business_date" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "business_date", &mut business_date)?
                        }
                        "work" if reader.format != Some(UPGRADED_FORMAT) => reader.field(&mut map, "work", &mut work)?,
                        "contacts" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "contacts", &mut contacts)?
                        }
                        "arrivals" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "arrivals", &mut arrivals)?
                        }
                        "trace" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "trace", &mut trace)?
                        }
                        "screen" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "screen", &mut screen)?
                        }
                        "firms" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "firms", &mut firms)?
                        }
                        "access" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "access", &mut access)?
                        }
                        "gates" if reader.format != Some(UPGRADED_FORMAT) => {
                            reader.field(&mut map, "gates", &mut gates)?
                        }
                        _ => reader.unknown(&mut map, key, SNAPSHOT_FIELDS)?,
                    }
                }
                let format = reader.finish(SNAPSHOT_FIELDS)?;
                if format == UPGRADED_FORMAT && (head.is_some() || requests.is_some() || business_date.is_some()) {
                    return Err(de::Error::custom("a snapshot of format 5 has no head, no requests and no business date"));
                }
                // Format 5 has none of them; another format is returned only to be refused by type.
                let (head, requests, business_date) = match format {
                    UPGRADED_STATES_FORMAT | FORMAT_VERSION => (
                        FormatFirst::required(format, "head", head)?,
                        FormatFirst::required(format, "requests", requests)?,
                        FormatFirst::required(format, "business_date", business_date)?,
                    ),
                    _ => (head.unwrap_or(V5_HEAD), requests.unwrap_or_default(), business_date.flatten()),
                };
                let (work, contacts) = (work.unwrap_or_default(), contacts.unwrap_or_default());
                let arrivals = arrivals.unwrap_or_default();
                let (trace, screen) = (trace.unwrap_or_default(), screen.unwrap_or_default());
                let firms = firms.unwrap_or_default();
                let access = access.unwrap_or_default();
                let gates = gates.unwrap_or_default();
                Snapshot {
                    format,
                    $($field: FormatFirst::required(format, $name, $field)?,)*
                    head,
                    requests,
                    business_date,
                    work,
                    contacts,
                    arrivals,
                    trace,
                    screen,
                    firms,
                    access,
                    gates,
                }
            }};
        }
        Ok(snapshot_body!(read))
    }
}

impl Registry {
    /// The registry's whole state as plain data.
    ///
    /// # Complexity
    /// O(size of the registry); it copies everything.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            format: FORMAT_VERSION,
            root: self.root_spec.clone(),
            tree: self.tree.to_data(),
            overlays: self.overlays.to_data(),
            population: self.population.to_data(),
            colour_rule: self.rule.clone(),
            states: self.states.clone(),
            policies: self.cases.policies().to_vec(),
            cases: self.cases.cases().to_vec(),
            staff: self.duties.staff().to_vec(),
            schemes: self.duties.schemes().to_vec(),
            rosters: self.duties.rosters(),
            head: self.head,
            requests: self.requests_list(),
            business_date: self.day,
            work: self.work.to_data(),
            contacts: self.contacts.to_data(),
            arrivals: self.arrivals.records.clone(),
            trace: self.trace.to_data(),
            screen: self.screen.clone(),
            firms: self.firms.clone(),
            access: self.access.data.clone(),
            gates: self.gates.clone(),
        }
    }

    /// Rebuild a registry from a snapshot, recomputing derived data and auditing the result.
    /// The registry's head is the snapshot's: a log continuing it must begin at the next
    /// position, chained from its digest ([`Registry::apply_record`] refuses anything else,
    /// so a snapshot of another registry, or a stale one, is never mixed with a log).
    ///
    /// # Format 5
    /// A snapshot of format 5 names no head: it cannot, since the records of its log did not
    /// exist. It is upgraded: it loads at position 0 with the digest
    /// [`Digest::of_v5_snapshot`] of its founding record's digest, remembering no request.
    /// The host continues it with its format-5 log's tail after the snapshot, upgraded onto
    /// that head by [`upgrade_v5_tail`](Registry::upgrade_v5_tail).
    ///
    /// # Errors
    /// [`RegistryError::UnsupportedFormat`] for another format version; the errors of
    /// rebuilding the tree, overlays and population; [`RegistryError::InvalidSnapshot`] when
    /// its parts do not fit together; [`RegistryError::AuditFailed`] when the result breaks an
    /// invariant or a rule a command enforces (a household at a closed unit, a case released
    /// before its release date, a holder not eligible for their role: see
    /// [`Finding`](super::Finding) and [`CaseRule`](super::CaseRule)).
    ///
    /// # Complexity
    /// O(size of the snapshot), plus the audit's (see [`Registry::audit`]).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::{Command, Registry, Snapshot};
    /// use wangge::colour::PersonState;
    /// use wangge::grid::{LevelScheme, NewUnit, UnitKind};
    /// use wangge::people::{DoorLabel, PersonRecord};
    /// use wangge::quarantine::{Category, Policy};
    ///
    /// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
    /// let scheme = LevelScheme::zhengzhou();
    /// let mut reg = Registry::new(scheme.clone(), NewUnit::new("花园路街道", scheme.level("街道").unwrap(), UnitKind::Area))?;
    /// let household = reg.apply(Command::AddHousehold { unit: reg.root(), door: DoorLabel::new("1-101")? })?[0].new_household().unwrap();
    /// let person = reg.apply(Command::RegisterPerson { household, record: PersonRecord::new(), state: PersonState::well(feb(1)) })?[0].new_person().unwrap();
    /// let policy = reg.apply(Command::AdoptPolicy { policy: Policy::seed_shanghai_2020() })?[0].new_policy().unwrap();
    /// let category = Category::ArrivalFromEpidemicArea;
    /// reg.apply(Command::OpenDay { today: feb(1) })?;
    /// reg.apply(Command::StartCase { person, policy, category, anchor: feb(1), on: feb(1), linked: None })?;
    ///
    /// // A hand-edited snapshot that releases the case on its second day: no command could.
    /// let mut json = serde_json::to_value(reg.snapshot()).unwrap();
    /// json["cases"][0]["status"] = serde_json::json!({ "Released": { "on": "2020-02-02" } });
    /// json["states"][0] = serde_json::json!({ "state": "Well", "since": "2020-02-02" });
    /// let err = Registry::from_snapshot(serde_json::from_value::<Snapshot>(json).unwrap()).unwrap_err();
    /// assert!(err.to_string().contains("released on 2020-02-02, before"), "{err}");
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn from_snapshot(snapshot: Snapshot) -> Result<Registry, Error> {
        check_format(snapshot.format)?;
        let tree = Tree::from_data(snapshot.tree)?;
        let overlays = Overlays::from_data(&tree, snapshot.overlays)?;
        let population = Population::from_data(snapshot.population, tree.len())?;
        for (_, h) in population.households() {
            tree.check_holds_households(h.unit())?;
        }
        if snapshot.states.len() != population.person_count() {
            return Err(RegistryError::InvalidSnapshot {
                what: format!("{} states for {} persons", snapshot.states.len(), population.person_count()),
            }
            .into());
        }
        let cases = CaseBook::from_parts(snapshot.policies, snapshot.cases, population.person_count())?;
        let duties = DutyBook::from_parts(snapshot.staff, snapshot.schemes, snapshot.rosters)?;
        let work = WorkBook::from_data(snapshot.work)?;
        let contacts = ContactBook::from_data(snapshot.contacts, population.person_count())?;
        let trace = TraceBook::from_data(snapshot.trace)?;
        let requests = match snapshot.format {
            UPGRADED_FORMAT => Requests::default(),
            _ => Requests::from_list(snapshot.requests, snapshot.head.position)?,
        };
        let mut registry = Registry {
            root_spec: snapshot.root,
            tree,
            overlays,
            population,
            rule: snapshot.colour_rule,
            // A snapshot of format 5 or 6 is of a registry founded before format 7.
            founded: UPGRADED_STATES_FORMAT,
            states: snapshot.states,
            colours: Vec::new(),
            tallies: Vec::new(),
            cell_tallies: Vec::new(),
            cases,
            duties,
            work,
            contacts,
            arrivals: super::arrivals::ArrivalBook::from_records(snapshot.arrivals),
            trace,
            screen: snapshot.screen,
            firms: snapshot.firms,
            access: AccessBook::from_data(snapshot.access),
            gates: snapshot.gates,
            head: snapshot.head,
            requests,
            generation: super::record::next_generation(),
            day: snapshot.business_date,
        };
        if snapshot.format == UPGRADED_FORMAT {
            let founding = registry.founding_record().digest();
            registry.head = Head { position: 0, digest: Digest::of_v5_snapshot(&founding) };
        }
        if snapshot.format < FORMAT_VERSION {
            registry.upgrade_states();
        } else {
            registry.founded = FORMAT_VERSION;
        }
        registry.colours = registry.classify_all();
        (registry.tallies, registry.cell_tallies) = registry.tallies_from_scratch();
        let founded = registry.tree.unit(registry.root())?;
        // The root can be neither moved, closed nor renamed, so the tree's root is exactly
        // the unit its founding event made.
        // A registry records its root's level as an index (`Registry::new` resolves a name).
        let Some(root_level) = registry.root_spec.level().index() else {
            return Err(RegistryError::InvalidSnapshot { what: "the founding root names its level".to_owned() }.into());
        };
        if *founded != Unit::from_new(registry.root_spec.clone(), root_level) {
            return Err(RegistryError::InvalidSnapshot {
                what: "the founding root differs from the tree's root".to_owned(),
            }
            .into());
        }
        let findings = registry.audit_loaded();
        if let Some(first) = findings.first() {
            return Err(RegistryError::AuditFailed { count: findings.len(), first: first.to_string() }.into());
        }
        Ok(registry)
    }
}

/// Writes a [`Snapshot`] without copying the registry first (only the overlays, which are
/// small, are copied), so saving a city-sized registry needs no second copy in memory.
impl Serialize for Registry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (work, contacts) = (self.work.to_data(), self.contacts.to_data());
        // A human-readable form leaves out an empty work book, contact book, arrival book, trace
        // book and screening book, as
        // `Snapshot` does; a binary form writes every field.
        let write_work = !(s.is_human_readable() && work.is_empty());
        let write_contacts = !(s.is_human_readable() && contacts.is_empty());
        let write_arrivals = !(s.is_human_readable() && self.arrivals.records.is_empty());
        let trace = self.trace.to_data();
        let write_trace = !(s.is_human_readable() && trace.is_empty());
        let write_screen = !(s.is_human_readable() && self.screen.is_empty());
        let write_firms = !(s.is_human_readable() && self.firms.is_empty());
        let write_access = !(s.is_human_readable() && self.access.data.is_empty());
        let write_gates = !(s.is_human_readable() && self.gates.is_empty());
        let fields = 15
            + usize::from(write_work)
            + usize::from(write_contacts)
            + usize::from(write_arrivals)
            + usize::from(write_trace)
            + usize::from(write_screen)
            + usize::from(write_firms)
            + usize::from(write_access)
            + usize::from(write_gates);
        let mut st = s.serialize_struct("Snapshot", fields)?;
        st.serialize_field("format", &FORMAT_VERSION)?;
        st.serialize_field("root", &self.root_spec)?;
        st.serialize_field("tree", &self.tree)?;
        st.serialize_field("overlays", &self.overlays.to_data())?;
        st.serialize_field("population", &self.population)?;
        st.serialize_field("colour_rule", &self.rule)?;
        st.serialize_field("states", &self.states)?;
        st.serialize_field("policies", self.cases.policies())?;
        st.serialize_field("cases", self.cases.cases())?;
        st.serialize_field("staff", self.duties.staff())?;
        st.serialize_field("schemes", self.duties.schemes())?;
        st.serialize_field("rosters", &self.duties.rosters())?;
        st.serialize_field("head", &self.head)?;
        st.serialize_field("requests", &self.requests_list())?;
        st.serialize_field("business_date", &self.day)?;
        if write_work {
            st.serialize_field("work", &work)?;
        }
        if write_contacts {
            st.serialize_field("contacts", &contacts)?;
        }
        if write_arrivals {
            st.serialize_field("arrivals", &self.arrivals.records)?;
        }
        if write_trace {
            st.serialize_field("trace", &trace)?;
        }
        if write_screen {
            st.serialize_field("screen", &self.screen)?;
        }
        if write_firms {
            st.serialize_field("firms", &self.firms)?;
        }
        if write_access {
            st.serialize_field("access", &self.access.data)?;
        }
        if write_gates {
            st.serialize_field("gates", &self.gates)?;
        }
        st.end()
    }
}

impl<'de> Deserialize<'de> for Registry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Registry::from_snapshot(Snapshot::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
