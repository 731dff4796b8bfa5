//! The population register 人口登记: households 户 and persons 人, one file per person 一人一档.
//!
//! This module owns who lives where. A [`Household`] sits at a unit of the tree behind a door
//! label; a [`Person`] belongs to one household and carries markers and, as personal data
//! (redacted in every `Debug`), an identity number, passport, name and phone. The
//! [`Population`] is read-only from outside: the [`Registry`](crate::Registry) is its only
//! writer and checks units against the tree before it calls in here. One person, one file:
//! a resident identity number or passport registered twice is refused, naming the household
//! that holds it (横向查重).
//!
//! In: a host validates the texts it receives here ([`ResidentId::parse`], [`Passport::new`],
//! [`Name::new`], [`Phone::new`], [`DoorLabel::new`]) and sends a [`PersonRecord`] in
//! [`Command::RegisterPerson`](crate::Command::RegisterPerson) (a door in `AddHousehold`).
//! Out: the registry reads [`Registry::population`](crate::Registry::population) for lookups,
//! counts each person's [`Markers`] into the colour tallies and the courtyard map, and writes
//! the records into its events, the only place the personal data is serialised.

mod identity;
mod marker;
mod personal;

pub use identity::{IdentityError, Passport, PersonalField, ResidentId, Sex};
pub use marker::{Marker, Markers};
pub use personal::{Name, Phone};

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{HouseholdId, PersonId, UnitId};

/// The longest door label accepted, in characters.
pub const MAX_DOOR_CHARS: usize = 32;

/// What can go wrong in the population register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PeopleError {
    /// An identity number, passport, name or phone is not valid.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// No household has this id.
    #[error("no household {household}")]
    UnknownHousehold {
        /// The id asked for.
        household: HouseholdId,
    },
    /// No person has this id.
    #[error("no person {person}")]
    UnknownPerson {
        /// The id asked for.
        person: PersonId,
    },
    /// The resident identity number is registered already (一人一档).
    #[error("this resident identity number is registered already, to {person} in household {household}")]
    DuplicateResidentId {
        /// The household holding the number.
        household: HouseholdId,
        /// The person holding the number.
        person: PersonId,
    },
    /// The passport is registered already.
    #[error("this passport is registered already, to {person} in household {household}")]
    DuplicatePassport {
        /// The household holding the passport.
        household: HouseholdId,
        /// The person holding it.
        person: PersonId,
    },
    /// Another household at the unit has this door label.
    #[error("household {household} at {unit} already has this door label")]
    DuplicateDoor {
        /// The unit.
        unit: UnitId,
        /// The household with that label.
        household: HouseholdId,
    },
    /// A door label is empty, too long or holds control characters.
    #[error("invalid door label of {chars} characters: expected 1 to {max}, not all blank, no control characters")]
    InvalidDoor {
        /// How many characters it had.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A household names a unit the register was told does not exist.
    #[error("no unit {unit} to hold a household")]
    UnknownUnit {
        /// The unit named.
        unit: UnitId,
    },
    /// No household id is left.
    #[error("no household id is left")]
    TooManyHouseholds,
    /// No person id is left.
    #[error("no person id is left")]
    TooManyPersons,
}

/// A door label 门牌: how a household is found at its unit ("3-2-501"), unique within the unit.
///
/// # Example
/// ```
/// use wangge::people::DoorLabel;
/// assert_eq!(DoorLabel::new("3-2-501")?.as_str(), "3-2-501");
/// assert!(DoorLabel::new("  ").is_err());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DoorLabel(Box<str>);

impl DoorLabel {
    /// A validated door label.
    ///
    /// # Errors
    /// [`PeopleError::InvalidDoor`] when blank, longer than [`MAX_DOOR_CHARS`] characters or
    /// holding control characters.
    pub fn new(label: &str) -> Result<Self, PeopleError> {
        Self::check(label)?;
        Ok(DoorLabel(label.into()))
    }

    /// [`DoorLabel::new`]'s check.
    fn check(label: &str) -> Result<(), PeopleError> {
        let chars = label.chars().count();
        if label.trim().is_empty() || chars > MAX_DOOR_CHARS || label.chars().any(char::is_control) {
            return Err(PeopleError::InvalidDoor { chars, max: MAX_DOOR_CHARS });
        }
        Ok(())
    }

    /// The label as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DoorLabel {
    type Error = PeopleError;
    /// Checks as [`DoorLabel::new`] and keeps the text's own allocation: a city's snapshot reads
    /// millions of doors.
    fn try_from(s: String) -> Result<Self, PeopleError> {
        DoorLabel::check(&s)?;
        Ok(DoorLabel(s.into_boxed_str()))
    }
}

impl From<DoorLabel> for String {
    fn from(d: DoorLabel) -> String {
        d.0.into()
    }
}

impl std::fmt::Display for DoorLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A household 户: a door at a unit and the persons registered there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Household {
    unit: UnitId,
    door: DoorLabel,
    members: Vec<PersonId>,
}

impl Household {
    /// The unit the household sits at.
    pub fn unit(&self) -> UnitId {
        self.unit
    }

    /// The door label.
    pub fn door(&self) -> &DoorLabel {
        &self.door
    }

    /// The persons registered in the household, by increasing id.
    pub fn members(&self) -> &[PersonId] {
        &self.members
    }
}

/// Everything known of a person when they are registered. Every field is optional: a
/// synthetic person may carry nothing at all, a foreign resident a passport instead of an
/// identity number.
///
/// `Debug` shows only which fields are present: the values are personal data.
///
/// # Example
/// ```
/// use wangge::people::{PersonRecord, ResidentId, Name, Marker};
/// let record = PersonRecord::new()
///     .with_resident_id(ResidentId::parse("11010519491231002X")?)
///     .with_name(Name::new("张三")?)
///     .with_marker(Marker::PartyMember);
/// assert!(!format!("{record:?}").contains("张三"));
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonRecord {
    resident_id: Option<ResidentId>,
    markers: Markers,
    /// The passport, name and phone, out of line as a [`Person`] keeps them: `Some` only when
    /// one of them is set (so equal records compare equal), and the register takes the box as
    /// it is. A record is 24 bytes instead of 64: a city's snapshot decodes ten million of
    /// them before they become persons.
    details: Option<Box<Details>>,
}

// A snapshot of a city decodes a record per person before the register takes them: keep it small.
const _: () = assert!(std::mem::size_of::<PersonRecord>() <= 3 * std::mem::size_of::<usize>());

/// A person's record as its fields: what every form reads, and how JSON writes it.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename = "PersonRecord",
    bound(deserialize = "R: Deserialize<'de>, P: Deserialize<'de>, N: Deserialize<'de>, T: Deserialize<'de>")
)]
struct RecordFields<R, P, N, T> {
    #[serde(default)]
    resident_id: Option<R>,
    #[serde(default)]
    passport: Option<P>,
    #[serde(default)]
    name: Option<N>,
    #[serde(default)]
    phone: Option<T>,
    #[serde(default)]
    markers: Markers,
}

/// The record's fields, borrowed.
fn record_fields(r: &PersonRecord) -> RecordFields<&ResidentId, &Passport, &Name, &Phone> {
    RecordFields {
        resident_id: r.resident_id.as_ref(),
        passport: r.passport(),
        name: r.name(),
        phone: r.phone(),
        markers: r.markers,
    }
}

// JSON leaves the empty fields out; binary forms write them all (see `crate::form`).
crate::form::serialize_fields!(RecordFields<R: Serialize, P: Serialize, N: Serialize, T: Serialize> as "PersonRecord" {
    resident_id skip_if Option::is_none,
    passport skip_if Option::is_none,
    name skip_if Option::is_none,
    phone skip_if Option::is_none,
    markers skip_if Markers::is_empty,
});

/// In human-readable forms the fields that are set; in binary forms every field, or, for a
/// record with nothing but markers (most persons of a city), the markers' bits alone: one
/// value per person in a snapshot instead of six.
impl Serialize for PersonRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bare = self.resident_id.is_none() && self.details.is_none();
        if bare && !s.is_human_readable() {
            s.serialize_u8(self.markers.bits())
        } else {
            record_fields(self).serialize(s)
        }
    }
}

/// Reads the fields (named or in order) in any form, and the bare markers' bits in binary forms.
impl<'de> Deserialize<'de> for PersonRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor, value};
        type Fields = RecordFields<ResidentId, Passport, Name, Phone>;
        struct Bits;
        impl<'de> Visitor<'de> for Bits {
            type Value = PersonRecord;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a person's record: its fields, or the bits of its markers alone")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PersonRecord, E> {
                let markers = u8::try_from(v).ok().and_then(Markers::from_bits);
                let markers = markers.ok_or_else(|| E::invalid_value(de::Unexpected::Unsigned(v), &self))?;
                Ok(PersonRecord { markers, ..PersonRecord::default() })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<PersonRecord, A::Error> {
                Fields::deserialize(value::SeqAccessDeserializer::new(seq)).map(PersonRecord::from)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PersonRecord, A::Error> {
                Fields::deserialize(value::MapAccessDeserializer::new(map)).map(PersonRecord::from)
            }
        }
        if d.is_human_readable() { Fields::deserialize(d).map(PersonRecord::from) } else { d.deserialize_any(Bits) }
    }
}

impl From<RecordFields<ResidentId, Passport, Name, Phone>> for PersonRecord {
    fn from(f: RecordFields<ResidentId, Passport, Name, Phone>) -> PersonRecord {
        let details = (f.passport.is_some() || f.name.is_some() || f.phone.is_some())
            .then(|| Box::new(Details { passport: f.passport, name: f.name, phone: f.phone }));
        PersonRecord { resident_id: f.resident_id, markers: f.markers, details }
    }
}

impl PersonRecord {
    /// A record with nothing in it.
    pub fn new() -> Self {
        Self::default()
    }

    /// With a resident identity number 居民身份证号.
    pub fn with_resident_id(mut self, id: ResidentId) -> Self {
        self.resident_id = Some(id);
        self
    }

    /// With a passport 护照.
    pub fn with_passport(mut self, passport: Passport) -> Self {
        self.details_mut().passport = Some(passport);
        self
    }

    /// With a name 姓名.
    pub fn with_name(mut self, name: Name) -> Self {
        self.details_mut().name = Some(name);
        self
    }

    /// With a phone number 电话.
    pub fn with_phone(mut self, phone: Phone) -> Self {
        self.details_mut().phone = Some(phone);
        self
    }

    /// With one more marker.
    pub fn with_marker(mut self, marker: Marker) -> Self {
        self.markers.insert(marker);
        self
    }

    /// With these markers (replacing any set before).
    pub fn with_markers(mut self, markers: Markers) -> Self {
        self.markers = markers;
        self
    }

    /// The resident identity number, if any.
    pub fn resident_id(&self) -> Option<ResidentId> {
        self.resident_id
    }

    /// The passport, if any.
    pub fn passport(&self) -> Option<&Passport> {
        self.details.as_ref().and_then(|d| d.passport.as_ref())
    }

    /// The name, if any.
    pub fn name(&self) -> Option<&Name> {
        self.details.as_ref().and_then(|d| d.name.as_ref())
    }

    /// The phone number, if any.
    pub fn phone(&self) -> Option<&Phone> {
        self.details.as_ref().and_then(|d| d.phone.as_ref())
    }

    /// The markers.
    pub fn markers(&self) -> Markers {
        self.markers
    }

    /// The details, made when the first of them is set.
    fn details_mut(&mut self) -> &mut Details {
        self.details.get_or_insert_with(|| Box::new(Details { passport: None, name: None, phone: None }))
    }
}

/// The rarely present personal data of a person, kept out of line so that a person or a record
/// without any costs one pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Details {
    passport: Option<Passport>,
    name: Option<Name>,
    phone: Option<Phone>,
}

/// A person 人 in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    household: HouseholdId,
    markers: Markers,
    resident_id: Option<ResidentId>,
    details: Option<Box<Details>>,
}

impl Person {
    fn from_record(household: HouseholdId, r: PersonRecord) -> Self {
        Person { household, markers: r.markers, resident_id: r.resident_id, details: r.details }
    }

    /// The household the person is registered in.
    pub fn household(&self) -> HouseholdId {
        self.household
    }

    /// The person's markers (party member, elderly living alone ...).
    pub fn markers(&self) -> Markers {
        self.markers
    }

    /// The resident identity number, if registered with one.
    pub fn resident_id(&self) -> Option<ResidentId> {
        self.resident_id
    }

    /// The passport, if registered with one.
    pub fn passport(&self) -> Option<&Passport> {
        self.details.as_ref().and_then(|d| d.passport.as_ref())
    }

    /// The name, if registered with one.
    pub fn name(&self) -> Option<&Name> {
        self.details.as_ref().and_then(|d| d.name.as_ref())
    }

    /// The phone number, if registered with one.
    pub fn phone(&self) -> Option<&Phone> {
        self.details.as_ref().and_then(|d| d.phone.as_ref())
    }

    /// Everything registered of the person, as the record it would be registered from.
    pub fn record(&self) -> PersonRecord {
        PersonRecord { resident_id: self.resident_id, markers: self.markers, details: self.details.clone() }
    }
}

/// Every household and person of a registry, with the indexes that keep one person one file.
///
/// Read-only from outside the crate; the [`Registry`](crate::Registry) writes it after
/// checking units against the tree. A host reads it through
/// [`Registry::population`](crate::Registry::population), or rebuilds one from a snapshot's
/// plain data with [`Population::from_data`].
///
/// # Example
/// ```
/// use wangge::{HouseholdId, UnitId};
/// use wangge::people::{DoorLabel, PeopleError, PersonRecord, Population, PopulationData, ResidentId};
///
/// let id = ResidentId::parse("11010519491231002X")?;
/// let yard = UnitId::new(1);
/// let data = PopulationData {
///     households: vec![(yard, DoorLabel::new("1-102")?), (yard, DoorLabel::new("1-101")?)],
///     persons: vec![(HouseholdId::new(0), PersonRecord::new().with_resident_id(id)), (HouseholdId::new(1), PersonRecord::new())],
/// };
/// let register = Population::from_data(data.clone(), 2)?; // a tree of 2 units
/// let person = register.find_resident(&id).ok_or("not registered")?;
/// assert_eq!(register.person(person)?.household(), HouseholdId::new(0));
/// // The households at a unit come by door label.
/// assert_eq!(register.households_at(yard), [HouseholdId::new(1), HouseholdId::new(0)]);
/// assert_eq!(register.to_data(), data);
///
/// // One person, one file: the same number in another household is refused, naming the holder.
/// let mut twice = data;
/// twice.persons.push((HouseholdId::new(1), PersonRecord::new().with_resident_id(id)));
/// assert_eq!(
///     Population::from_data(twice, 2).err(),
///     Some(PeopleError::DuplicateResidentId { household: HouseholdId::new(0), person })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Population {
    households: Vec<Household>,
    persons: Vec<Person>,
    by_resident_id: HashMap<ResidentId, PersonId>,
    by_passport: HashMap<Passport, PersonId>,
    /// The households sitting directly at each unit, by unit index, each list sorted by door.
    /// One list per unit of the tree, so that equal registers compare equal.
    at_unit: Vec<Vec<HouseholdId>>,
    /// The persons with at least one marker, in id order: a selection by marker (the safety
    /// calls to the elderly living alone) reads them, not every person.
    marked: std::collections::BTreeSet<PersonId>,
}

/// Two registers are equal when they hold the same households and persons; the indexes are
/// derived from those (and [`Registry::audit`](crate::Registry::audit) checks that they are).
impl PartialEq for Population {
    fn eq(&self, other: &Self) -> bool {
        self.households == other.households && self.persons == other.persons
    }
}

impl Eq for Population {}

impl Population {
    /// An empty register.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many households are registered.
    pub fn household_count(&self) -> usize {
        self.households.len()
    }

    /// How many persons are registered.
    pub fn person_count(&self) -> usize {
        self.persons.len()
    }

    /// The household.
    ///
    /// # Errors
    /// [`PeopleError::UnknownHousehold`]. O(1).
    pub fn household(&self, id: HouseholdId) -> Result<&Household, PeopleError> {
        self.households.get(id.index()).ok_or(PeopleError::UnknownHousehold { household: id })
    }

    /// The person.
    ///
    /// # Errors
    /// [`PeopleError::UnknownPerson`]. O(1).
    pub fn person(&self, id: PersonId) -> Result<&Person, PeopleError> {
        self.persons.get(id.index()).ok_or(PeopleError::UnknownPerson { person: id })
    }

    /// Every household with its id.
    pub fn households(&self) -> impl ExactSizeIterator<Item = (HouseholdId, &Household)> {
        // ids fit: `add_household` refuses one that would not.
        self.households.iter().enumerate().map(|(i, h)| (HouseholdId::new(i as u32), h))
    }

    /// Every person with their id.
    pub fn persons(&self) -> impl ExactSizeIterator<Item = (PersonId, &Person)> {
        // ids fit: `register` refuses one that would not.
        self.persons.iter().enumerate().map(|(i, p)| (PersonId::new(i as u32), p))
    }

    /// The households sitting directly at `unit` (not in its descendants), ordered by door
    /// label. Empty for a unit with none, including one the tree does not have.
    pub fn households_at(&self, unit: UnitId) -> &[HouseholdId] {
        self.at_unit.get(unit.index()).map_or(&[], Vec::as_slice)
    }

    /// The person registered with this resident identity number. O(1) expected.
    pub fn find_resident(&self, id: &ResidentId) -> Option<PersonId> {
        self.by_resident_id.get(id).copied()
    }

    /// The person registered with this passport. O(1) expected.
    pub fn find_passport(&self, passport: &Passport) -> Option<PersonId> {
        self.by_passport.get(passport).copied()
    }

    fn household_of(&self, person: PersonId) -> HouseholdId {
        // Index entries always point at registered persons.
        self.persons.get(person.index()).map_or(HouseholdId::new(u32::MAX), |p| p.household)
    }

    /// Where `door` stands, or would stand, in the unit's door-sorted list.
    fn door_slot(&self, unit: UnitId, door: &DoorLabel) -> Result<usize, usize> {
        let list = self.households_at(unit);
        // Every id in `at_unit` names a registered household. A door after the last one (as
        // when a unit's households come in door order, loading or building a city) takes one
        // comparison instead of a search.
        match list.last().map(|h| self.households[h.index()].door.cmp(door)) {
            None | Some(std::cmp::Ordering::Less) => Err(list.len()),
            Some(_) => list.binary_search_by(|h| self.households[h.index()].door.cmp(door)),
        }
    }

    fn check_door(&self, unit: UnitId, door: &DoorLabel, except: Option<HouseholdId>) -> Result<(), PeopleError> {
        if let Ok(at) = self.door_slot(unit, door) {
            let holder = self.households_at(unit)[at];
            if Some(holder) != except {
                return Err(PeopleError::DuplicateDoor { unit, household: holder });
            }
        }
        Ok(())
    }

    /// Put a household into its unit's list, which is kept sorted by door label (unique
    /// within a unit): look-ups are a binary search and the order is canonical.
    fn place(&mut self, id: HouseholdId, unit: UnitId) {
        let at = self.door_slot(unit, &self.households[id.index()].door).unwrap_or_else(|at| at);
        if let Some(list) = self.at_unit.get_mut(unit.index()) {
            list.insert(at, id);
        }
    }

    /// How many units the register keeps household lists for.
    pub(crate) fn unit_slots(&self) -> usize {
        self.at_unit.len()
    }

    /// Make room for the households of one more unit (the registry calls this for every unit
    /// it adds, root included).
    pub(crate) fn add_unit(&mut self) {
        self.at_unit.push(Vec::new());
    }

    pub(crate) fn check_add_household(&self, unit: UnitId, door: &DoorLabel) -> Result<HouseholdId, PeopleError> {
        if unit.index() >= self.at_unit.len() {
            return Err(PeopleError::UnknownUnit { unit });
        }
        self.check_door(unit, door, None)?;
        HouseholdId::from_index(self.households.len()).ok_or(PeopleError::TooManyHouseholds)
    }

    /// Add a household; the caller has run [`Population::check_add_household`].
    pub(crate) fn add_household(&mut self, unit: UnitId, door: DoorLabel) -> HouseholdId {
        // `check_add_household` proved that the next index fits.
        let id = HouseholdId::new(self.households.len() as u32);
        self.households.push(Household { unit, door, members: Vec::new() });
        self.place(id, unit);
        id
    }

    pub(crate) fn check_move_household(&self, id: HouseholdId, to: UnitId) -> Result<(), PeopleError> {
        let h = self.household(id)?;
        if to.index() >= self.at_unit.len() {
            return Err(PeopleError::UnknownUnit { unit: to });
        }
        self.check_door(to, &h.door, Some(id))
    }

    /// Move a household to another unit and return the unit it left; the caller has run
    /// [`Population::check_move_household`].
    pub(crate) fn move_household(&mut self, id: HouseholdId, to: UnitId) -> UnitId {
        let from = self.households[id.index()].unit;
        if from == to {
            return from;
        }
        if let Ok(at) = self.door_slot(from, &self.households[id.index()].door) {
            self.at_unit[from.index()].remove(at);
        }
        self.households[id.index()].unit = to;
        self.place(id, to);
        from
    }

    /// Give back spare capacity after a bulk load (vectors grow by doubling, so up to half of
    /// each table can be slack).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.households.shrink_to_fit();
        self.persons.shrink_to_fit();
        self.by_resident_id.shrink_to_fit();
        self.by_passport.shrink_to_fit();
        self.at_unit.shrink_to_fit();
    }

    pub(crate) fn check_register(
        &self,
        household: HouseholdId,
        record: &PersonRecord,
    ) -> Result<PersonId, PeopleError> {
        self.household(household)?;
        if let Some(rid) = &record.resident_id
            && let Some(&person) = self.by_resident_id.get(rid)
        {
            return Err(PeopleError::DuplicateResidentId { household: self.household_of(person), person });
        }
        if let Some(pp) = record.passport()
            && let Some(&person) = self.by_passport.get(pp)
        {
            return Err(PeopleError::DuplicatePassport { household: self.household_of(person), person });
        }
        PersonId::from_index(self.persons.len()).ok_or(PeopleError::TooManyPersons)
    }

    /// Register a person; the caller has run [`Population::check_register`].
    pub(crate) fn register(&mut self, household: HouseholdId, record: PersonRecord) -> PersonId {
        // `check_register` proved that the next index fits.
        let id = PersonId::new(self.persons.len() as u32);
        if let Some(rid) = record.resident_id {
            self.by_resident_id.insert(rid, id);
        }
        if let Some(pp) = record.passport() {
            self.by_passport.insert(pp.clone(), id);
        }
        if !record.markers.is_empty() {
            self.marked.insert(id);
        }
        self.persons.push(Person::from_record(household, record));
        self.households[household.index()].members.push(id);
        id
    }

    pub(crate) fn check_move_person(&self, person: PersonId, to: HouseholdId) -> Result<HouseholdId, PeopleError> {
        self.household(to)?;
        Ok(self.person(person)?.household)
    }

    /// Move a person to another household and return the one they left; the caller has run
    /// [`Population::check_move_person`].
    pub(crate) fn move_person(&mut self, person: PersonId, to: HouseholdId) -> HouseholdId {
        let from = self.persons[person.index()].household;
        if from != to {
            self.households[from.index()].members.retain(|&p| p != person);
            // Keep members sorted by id (as `register` leaves them), so the order is canonical.
            let members = &mut self.households[to.index()].members;
            let at = members.binary_search(&person).unwrap_or_else(|at| at);
            members.insert(at, person);
            self.persons[person.index()].household = to;
        }
        from
    }

    /// Replace a person's markers; the caller has checked that the person exists.
    pub(crate) fn set_markers(&mut self, person: PersonId, markers: Markers) {
        self.persons[person.index()].markers = markers;
        if markers.is_empty() {
            self.marked.remove(&person);
        } else {
            self.marked.insert(person);
        }
    }

    /// The persons carrying at least one marker, in id order.
    ///
    /// # Complexity
    /// O(1) to start, O(1) amortised a person: proportional to the marked, not to everyone.
    pub fn marked(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.marked.iter().copied()
    }

    /// Recheck the indexes from scratch: the audit's view. One line per disagreement.
    pub(crate) fn self_check(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut ids: HashMap<ResidentId, PersonId> = HashMap::new();
        let mut passports: HashMap<&Passport, PersonId> = HashMap::new();
        for (pid, p) in self.persons() {
            match self.households.get(p.household.index()) {
                Some(h) if h.members.iter().filter(|&&m| m == pid).count() == 1 => {}
                _ => found.push(format!("{pid} is not listed exactly once by its household {}", p.household)),
            }
            if let Some(rid) = p.resident_id
                && let Some(other) = ids.insert(rid, pid)
            {
                found.push(format!("{pid} and {other} share a resident identity number (一人一档)"));
            }
            if let Some(pp) = p.passport()
                && let Some(other) = passports.insert(pp, pid)
            {
                found.push(format!("{pid} and {other} share a passport (一人一档)"));
            }
        }
        if ids != self.by_resident_id {
            found.push("the resident identity number index disagrees with the persons".to_owned());
        }
        let indexed: HashMap<&Passport, PersonId> = self.by_passport.iter().map(|(k, &v)| (k, v)).collect();
        if passports != indexed {
            found.push("the passport index disagrees with the persons".to_owned());
        }
        let mut listed = 0usize;
        for (hid, h) in self.households() {
            listed += h.members.len();
            for &m in &h.members {
                if self.persons.get(m.index()).map(|p| p.household) != Some(hid) {
                    found.push(format!("household {hid} lists {m}, who is registered elsewhere"));
                }
            }
            if self.households_at(h.unit).iter().filter(|&&x| x == hid).count() != 1 {
                found.push(format!("household {hid} is not listed exactly once at its unit {}", h.unit));
            }
        }
        if listed != self.persons.len() {
            found.push(format!("households list {listed} members for {} persons", self.persons.len()));
        }
        let marked: std::collections::BTreeSet<PersonId> =
            self.persons().filter(|(_, p)| !p.markers.is_empty()).map(|(id, _)| id).collect();
        if marked != self.marked {
            found.push("the index of marked persons differs from a rebuild".to_owned());
        }
        for (unit, list) in self.at_unit.iter().enumerate() {
            let doors = list.iter().filter_map(|h| self.households.get(h.index()).map(|h| &h.door));
            if doors.clone().zip(doors.skip(1)).any(|(a, b)| a >= b) {
                found.push(format!("the households at u{unit} are not in strictly increasing door order"));
            }
        }
        let at_total: usize = self.at_unit.iter().map(Vec::len).sum();
        if at_total != self.households.len() {
            found.push(format!("units list {at_total} households for {} households", self.households.len()));
        }
        found
    }

    /// The register as plain data, for snapshots.
    pub fn to_data(&self) -> PopulationData {
        PopulationData {
            households: self.households.iter().map(|h| (h.unit, h.door.clone())).collect(),
            persons: self.persons.iter().map(|p| (p.household, p.record())).collect(),
        }
    }

    /// Rebuild a register from plain data for a tree of `unit_count` units, checking one
    /// person one file and door labels. Units are only checked to lie below `unit_count`;
    /// the registry checks them against its tree.
    ///
    /// # Errors
    /// [`PeopleError::UnknownUnit`] for a unit at or past `unit_count`, and the errors of
    /// registering the same households and persons one by one.
    pub fn from_data(data: PopulationData, unit_count: usize) -> Result<Self, PeopleError> {
        let mut p = Population::new();
        p.at_unit.resize_with(unit_count, Vec::new);
        // Sized once: a city's millions would double them many times. (The identity indexes
        // are left to grow: sizing them would take a pass over every person.)
        p.households.reserve_exact(data.households.len());
        p.persons.reserve_exact(data.persons.len());
        for (unit, door) in data.households {
            p.check_add_household(unit, &door)?;
            p.add_household(unit, door);
        }
        for (household, record) in data.persons {
            p.check_register(household, &record)?;
            p.register(household, record);
        }
        Ok(p)
    }
}

/// Writes the same shape as [`PopulationData`], without copying the register first.
impl Serialize for Population {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Households<'p>(&'p Population);
        impl Serialize for Households<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.households.iter().map(|h| (h.unit, &h.door)))
            }
        }
        struct Persons<'p>(&'p Population);
        impl Serialize for Persons<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.persons.iter().map(|p| (p.household, p.record())))
            }
        }
        let mut st = s.serialize_struct("PopulationData", 2)?;
        st.serialize_field("households", &Households(self))?;
        st.serialize_field("persons", &Persons(self))?;
        st.end()
    }
}

/// A population register as plain data, for snapshots; turned back only through
/// [`Population::from_data`]. Members are listed in id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationData {
    /// Every household, `HouseholdId(i)` at position `i`: its unit and door.
    pub households: Vec<(UnitId, DoorLabel)>,
    /// Every person, `PersonId(i)` at position `i`: household and record.
    pub persons: Vec<(HouseholdId, PersonRecord)>,
}
