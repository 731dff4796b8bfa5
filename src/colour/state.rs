//! Person states 人员状态 and the changes between them.
//!
//! A person's [`PersonState`] comes in with [`Command::RegisterPerson`](crate::Command::RegisterPerson)
//! and changes by [`Command::SetState`](crate::Command::SetState) or by the phases of an
//! isolation case; every change goes through [`PersonState::change`], so the registry refuses
//! what [`State::may_become`] forbids. Out: the [`ColourRule`](super::ColourRule) turns the
//! states of a household's members into its colour, and each [`Tally`](super::Tally) counts
//! persons per state.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ColourError, Measure, Standing, V6State};

/// What a person is, for epidemic prevention: the states the seeds name.
///
/// Which state may follow which is fixed by [`State::may_become`]: anyone may be found to be
/// a case or a contact; a person under isolation is released back to [`State::Well`]; nobody
/// is silently downgraded (a confirmed case leaves only from centralised isolation, a close
/// contact is never turned back into a secondary contact).
///
/// Every state is a *reason* 原因 (why a person is held). Where and how they are held is
/// their [`Measure`](super::Measure), kept apart in their [`Standing`](super::Standing):
/// format 6's state `CentralisedIsolation` was a setting, not a reason, and is no longer a
/// state (format 7; only the format-6 reader knows it, see
/// [`FORMAT_VERSION`](crate::registry::FORMAT_VERSION)).
///
/// Serialised by variant name (`"CloseContact"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum State {
    /// Present and well 在家无症状: stayed, no symptoms.
    Well,
    /// Absent 不在本地: registered here but not living here now (away for the holiday, say).
    Absent,
    /// Home isolation after return from elsewhere 非疫区返回居家隔离.
    HomeIsolationElsewhere,
    /// Home isolation after return from the epidemic area 疫区返回居家隔离.
    HomeIsolationEpidemicArea,
    /// Secondary contact 次密切接触者: a contact of a close contact.
    SecondaryContact,
    /// Close contact 密切接触者 of a case.
    CloseContact,
    /// Suspected case 疑似病例.
    Suspected,
    /// Confirmed case 确诊病例.
    Confirmed,
}

impl State {
    /// Every state, in declaration order.
    pub const ALL: [State; 8] = [
        State::Well,
        State::Absent,
        State::HomeIsolationElsewhere,
        State::HomeIsolationEpidemicArea,
        State::SecondaryContact,
        State::CloseContact,
        State::Suspected,
        State::Confirmed,
    ];

    /// How many states there are.
    pub const COUNT: usize = 8;

    /// The state's position in [`State::ALL`], for tables indexed by state.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether `next` may follow `self` directly. Staying in the same state is not a change
    /// and is not allowed either.
    ///
    /// | from | may become |
    /// |---|---|
    /// | well, absent | any other state |
    /// | home isolation (elsewhere) | well (released), home isolation (epidemic area), a contact, a case |
    /// | home isolation (epidemic area) | well (released), a contact, a case |
    /// | secondary contact | well (released), close contact (converted), a case |
    /// | close contact | well (released), a case |
    /// | suspected case | confirmed, well (ruled out 排除), close contact (ruled out, still a contact) |
    /// | confirmed case | well (the standing allows it only from centralised isolation: discharged 出院 into isolated observation, then released; see [`Standing::may_become`](super::Standing::may_become), under which a person at a site may take any reason but absent) |
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// assert!(State::CloseContact.may_become(State::Well)); // released
    /// assert!(!State::CloseContact.may_become(State::SecondaryContact)); // not silently downgraded
    /// ```
    pub const fn may_become(self, next: State) -> bool {
        use State::*;
        if self as u8 == next as u8 {
            return false;
        }
        match self {
            Well | Absent => true,
            HomeIsolationElsewhere => !matches!(next, Absent),
            HomeIsolationEpidemicArea => !matches!(next, Absent | HomeIsolationElsewhere),
            SecondaryContact => matches!(next, Well | CloseContact | Suspected | Confirmed),
            CloseContact => matches!(next, Well | Suspected | Confirmed),
            Suspected => matches!(next, Confirmed | Well | CloseContact),
            Confirmed => matches!(next, Well),
        }
    }

    /// The states that may follow this one, in [`State::ALL`] order.
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// // A confirmed case leaves only for well (from centralised isolation: `Standing::may_become`).
    /// assert_eq!(State::Confirmed.successors().collect::<Vec<_>>(), [State::Well]);
    /// assert_eq!(State::Well.successors().count(), State::COUNT - 1);
    /// ```
    pub fn successors(self) -> impl Iterator<Item = State> {
        State::ALL.into_iter().filter(move |&n| self.may_become(n))
    }

    /// The Chinese name.
    pub const fn label_zh(self) -> &'static str {
        match self {
            State::Well => "在家无症状",
            State::Absent => "不在本地",
            State::HomeIsolationElsewhere => "非疫区返回居家隔离",
            State::HomeIsolationEpidemicArea => "疫区返回居家隔离",
            State::SecondaryContact => "次密切接触者",
            State::CloseContact => "密切接触者",
            State::Suspected => "疑似病例",
            State::Confirmed => "确诊病例",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            State::Well => "present and well",
            State::Absent => "absent",
            State::HomeIsolationElsewhere => "in home isolation after return from elsewhere",
            State::HomeIsolationEpidemicArea => "in home isolation after return from the epidemic area",
            State::SecondaryContact => "a secondary contact",
            State::CloseContact => "a close contact",
            State::Suspected => "a suspected case",
            State::Confirmed => "a confirmed case",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// A person's standing ([`Standing`]: the reason, a [`State`], under a [`Measure`]) and the
/// date it began.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::colour::{Measure, PersonState, State};
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let arrived = PersonState::new(State::HomeIsolationEpidemicArea, feb(1));
/// assert_eq!(arrived.measure(), Measure::HomeIsolation); // the measure the reason brings
/// let at_site = arrived.change_measure(Measure::CentralisedIsolation, feb(3))?;
/// assert_eq!((at_site.state(), at_site.measure()), (State::HomeIsolationEpidemicArea, Measure::CentralisedIsolation));
/// let released = at_site.change(State::Well, feb(15))?;
/// assert_eq!((released.state(), released.measure(), released.since()), (State::Well, Measure::None, feb(15)));
/// assert!(arrived.change(State::Well, NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()).is_err()); // before it began
/// # Ok::<(), wangge::colour::ColourError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonState {
    standing: Standing,
    since: NaiveDate,
}

/// A person's state as its fields: its human-readable form, read by every form. Format 7
/// writes `reason`, `measure` and `since`; format 6 wrote `state` and `since`, read here as
/// [`PersonState::from_format_6`] reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "PersonState")]
struct StateFields {
    #[serde(default)]
    reason: Option<State>,
    #[serde(default)]
    measure: Option<Measure>,
    #[serde(default)]
    state: Option<V6State>,
    #[serde(deserialize_with = "crate::form::date::deserialize")]
    since: NaiveDate,
}

/// The marker of format 7's packed binary form: every packed format-7 state is at least this,
/// every packed format-6 state is below it in absolute value (a day number fits in 28 bits,
/// times 16 below 2^32), so the two forms can never be confused, whatever the date.
const PACKED_V7: i64 = 1 << 40;

/// Added to a day number (from 0001-01-01, negative before) so that it is never negative:
/// every `NaiveDate` lies within ±2^27 days of 0001-01-01.
const DAY_OFFSET: i64 = 1 << 27;

/// In human-readable forms `{"reason": .., "measure": .., "since": "YYYY-MM-DD"}`; in binary
/// forms one integer: `2^40 + (day + 2^27) × 64 + measure × 16 + reason`, the day the date's
/// number from 0001-01-01, `measure` its index in [`Measure::ALL`], `reason` in
/// [`State::ALL`]: a snapshot holds one state per person, and one value decodes several times
/// faster than a struct. Format 6 packed `day × 16 + state` (its 9 states), whose absolute
/// value is below 2^32 for every date: the reader tells the two apart by the marker 2^40, and
/// reads a format-6 value as a format-6 state (its centralised isolation as present and well at a site).
impl Serialize for PersonState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Datelike as _;
        use serde::ser::SerializeStruct as _;
        if s.is_human_readable() {
            let mut st = s.serialize_struct("PersonState", 3)?;
            st.serialize_field("reason", &self.standing.reason())?;
            st.serialize_field("measure", &self.standing.measure())?;
            st.serialize_field("since", &self.since)?;
            st.end()
        } else {
            let day = i64::from(self.since.num_days_from_ce()) + DAY_OFFSET;
            let low = self.standing.measure().index() as i64 * 16 + self.standing.reason().index() as i64;
            s.serialize_i64(PACKED_V7 + day * 64 + low)
        }
    }
}

/// Reads the binary integer (format 7's or format 6's), and the fields (named or in order) in
/// any form.
impl<'de> Deserialize<'de> for PersonState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor, value};
        struct Packed;
        impl<'de> Visitor<'de> for Packed {
            type Value = PersonState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a person's state: its fields, or its packed integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PersonState, E> {
                let bad = || E::invalid_value(de::Unexpected::Signed(v), &self);
                let date = |day: i64| i32::try_from(day).ok().and_then(NaiveDate::from_num_days_from_ce_opt);
                if v >= PACKED_V7 {
                    let rest = v - PACKED_V7;
                    let reason = State::ALL.get((rest % 16) as usize).copied().ok_or_else(bad)?;
                    let measure = Measure::ALL.get((rest / 16 % 4) as usize).copied().ok_or_else(bad)?;
                    let since = date(rest / 64 - DAY_OFFSET).ok_or_else(bad)?;
                    let standing = Standing::new(reason, measure).map_err(E::custom)?;
                    Ok(PersonState { standing, since })
                } else {
                    let state = V6State::ALL.get(v.rem_euclid(16) as usize).copied().ok_or_else(bad)?;
                    let since = date(v.div_euclid(16)).ok_or_else(bad)?;
                    Ok(PersonState::from_format_6(state, since))
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PersonState, E> {
                i64::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<PersonState, A::Error> {
                StateFields::deserialize(value::SeqAccessDeserializer::new(seq))
                    .and_then(|f| PersonState::try_from(f).map_err(de::Error::custom))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PersonState, A::Error> {
                StateFields::deserialize(value::MapAccessDeserializer::new(map))
                    .and_then(|f| PersonState::try_from(f).map_err(de::Error::custom))
            }
        }
        if d.is_human_readable() {
            StateFields::deserialize(d).and_then(|f| PersonState::try_from(f).map_err(de::Error::custom))
        } else {
            d.deserialize_any(Packed)
        }
    }
}

impl TryFrom<StateFields> for PersonState {
    type Error = String;
    fn try_from(f: StateFields) -> Result<PersonState, String> {
        match (f.reason, f.measure, f.state) {
            (Some(reason), Some(measure), None) => Standing::new(reason, measure)
                .map(|standing| PersonState { standing, since: f.since })
                .map_err(|e| e.to_string()),
            (None, None, Some(state)) => Ok(PersonState::from_format_6(state, f.since)),
            _ => Err("a person's state has a reason and a measure (or, in format 6, a state)".to_owned()),
        }
    }
}

impl PersonState {
    /// `state` (the reason) under the measure it brings ([`Standing::of`]), beginning on
    /// `since`.
    pub const fn new(state: State, since: NaiveDate) -> Self {
        PersonState { standing: Standing::of(state), since }
    }

    /// `standing`, beginning on `since`.
    pub const fn with_standing(standing: Standing, since: NaiveDate) -> Self {
        PersonState { standing, since }
    }

    /// Present and well since `since`: how most persons are registered.
    pub const fn well(since: NaiveDate) -> Self {
        PersonState::new(State::Well, since)
    }

    /// How a format-6 state reads, before its reason is derived: every format-6 state but
    /// centralised isolation is a reason, under the measure it brings; format 6's
    /// centralised isolation is present and well under centralised isolation (the reason
    /// nothing records, [`Standing::from_format_6`]). The upgrade of a format-6 log or
    /// snapshot then derives the reason where it can (the registry's
    /// `upgrade_v6_records`, [`Registry::from_snapshot`](crate::Registry::from_snapshot)).
    pub(crate) const fn from_format_6(state: V6State, since: NaiveDate) -> Self {
        PersonState { standing: Standing::from_format_6(state, None), since }
    }

    /// The reason (why the person is held): the state format 6 named, but never a setting.
    pub const fn state(&self) -> State {
        self.standing.reason()
    }

    /// The measure (where and how the person is held).
    pub const fn measure(&self) -> Measure {
        self.standing.measure()
    }

    /// The reason with the measure.
    pub const fn standing(&self) -> Standing {
        self.standing
    }

    /// The date it began.
    pub const fn since(&self) -> NaiveDate {
        self.since
    }

    /// The state that follows when the person's reason becomes `next` on `on` (a
    /// [`Command::SetState`](crate::Command::SetState)): the measure follows
    /// [`Standing::set_reason`] (well and absent clear it; the two `HomeIsolation…` reasons
    /// bring home isolation unless the person is under centralised isolation; a contact or a
    /// case keeps the measure).
    ///
    /// # Errors
    /// [`ColourError::Unchanged`] when `next` is the current reason,
    /// [`ColourError::IllegalTransition`] when [`Standing::may_become`] forbids it,
    /// [`ColourError::BeforeCurrent`] when `on` is before the current state began; checked in
    /// that order, so a change that breaks several rules names the first.
    pub fn change(self, next: State, on: NaiveDate) -> Result<PersonState, ColourError> {
        let standing = self.standing.set_reason(next)?;
        self.change_to(standing, on)
    }

    /// The state that follows when the person is put under `measure` on `on`, for the same
    /// reason (a [`Command::SetMeasure`](crate::Command::SetMeasure)).
    ///
    /// # Errors
    /// [`ColourError::MeasureUnchanged`] when `measure` is the current one,
    /// [`ColourError::AbsentUnderMeasure`] for an absent person,
    /// [`ColourError::BeforeCurrent`] when `on` is before the current state began.
    pub fn change_measure(self, measure: Measure, on: NaiveDate) -> Result<PersonState, ColourError> {
        let standing = self.standing.under(measure)?;
        self.change_to(standing, on)
    }

    /// The state that follows when the person's standing becomes `next` on `on` (a case's
    /// phase, or a change recorded in a log).
    ///
    /// # Errors
    /// [`ColourError::Unchanged`] or [`ColourError::MeasureUnchanged`] for the same standing,
    /// [`ColourError::IllegalTransition`] when [`Standing::may_become`] forbids it,
    /// [`ColourError::BeforeCurrent`] when `on` is before the current state began.
    pub fn change_to(self, next: Standing, on: NaiveDate) -> Result<PersonState, ColourError> {
        if next == self.standing {
            return Err(ColourError::Unchanged { state: next.reason() });
        }
        if !self.standing.may_become(next) {
            return Err(ColourError::IllegalTransition { from: self.standing.reason(), to: next.reason() });
        }
        if on < self.since {
            return Err(ColourError::BeforeCurrent { since: self.since, on });
        }
        Ok(PersonState { standing: next, since: on })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_can_reach_well_and_no_state_stays_put() {
        for s in State::ALL {
            assert!(!s.may_become(s), "{s:?}");
            // From anywhere, a path leads back to present and well within two steps.
            let back =
                s == State::Well || s.may_become(State::Well) || s.successors().any(|n| n.may_become(State::Well));
            assert!(back, "{s:?} cannot get back to well");
        }
    }

    #[test]
    fn index_matches_all() {
        for (i, s) in State::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
        }
    }

    #[test]
    fn a_confirmed_case_leaves_only_through_centralised_isolation() {
        let d = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
        let err = PersonState::new(State::Confirmed, d).change(State::Well, d).unwrap_err();
        assert_eq!(err, ColourError::IllegalTransition { from: State::Confirmed, to: State::Well });
        let discharged =
            PersonState::new(State::Confirmed, d).change_measure(Measure::CentralisedIsolation, d).unwrap();
        assert_eq!(discharged.change(State::Well, d).unwrap(), PersonState::well(d));
    }

    #[test]
    fn the_packed_forms_of_format_6_and_7_never_meet() {
        use chrono::Datelike as _;
        // The extreme dates: format 6's packed values stay below 2^32 in absolute value.
        for date in [NaiveDate::MIN, NaiveDate::MAX] {
            let v6 = i64::from(date.num_days_from_ce()) * 16 + 15;
            assert!(v6.abs() < PACKED_V7, "{date}");
            assert!(i64::from(date.num_days_from_ce()) + DAY_OFFSET >= 0, "{date}");
        }
    }
}
