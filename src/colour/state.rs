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

use super::ColourError;

/// What a person is, for epidemic prevention: the states the seeds name.
///
/// Which state may follow which is fixed by [`State::may_become`]: anyone may be found to be
/// a case or a contact; a person under isolation is released back to [`State::Well`]; nobody
/// is silently downgraded (a confirmed case is discharged into centralised isolation first, a
/// close contact is never turned back into a secondary contact).
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
    /// Centralised isolation 集中隔离, at a designated site.
    CentralisedIsolation,
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
    pub const ALL: [State; 9] = [
        State::Well,
        State::Absent,
        State::HomeIsolationElsewhere,
        State::HomeIsolationEpidemicArea,
        State::CentralisedIsolation,
        State::SecondaryContact,
        State::CloseContact,
        State::Suspected,
        State::Confirmed,
    ];

    /// How many states there are.
    pub const COUNT: usize = 9;

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
    /// | home isolation (elsewhere) | well (released), home isolation (epidemic area), centralised isolation, a contact, a case |
    /// | home isolation (epidemic area) | well (released), centralised isolation, a contact, a case |
    /// | centralised isolation | well (released), home isolation (a home phase after the centralised one), a contact, a case |
    /// | secondary contact | well (released), close contact (converted), centralised isolation, a case |
    /// | close contact | well (released), centralised isolation, a case |
    /// | suspected case | confirmed, well (ruled out 排除), close contact or centralised isolation (ruled out, still a contact) |
    /// | confirmed case | centralised isolation only (discharged 出院 into isolated observation) |
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// assert!(State::CloseContact.may_become(State::Well)); // released
    /// assert!(!State::Confirmed.may_become(State::Well)); // not silently downgraded
    /// assert!(!State::CloseContact.may_become(State::SecondaryContact));
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
            CentralisedIsolation => !matches!(next, Absent),
            SecondaryContact => {
                matches!(next, Well | CloseContact | CentralisedIsolation | Suspected | Confirmed)
            }
            CloseContact => matches!(next, Well | CentralisedIsolation | Suspected | Confirmed),
            Suspected => matches!(next, Confirmed | Well | CloseContact | CentralisedIsolation),
            Confirmed => matches!(next, CentralisedIsolation),
        }
    }

    /// The states that may follow this one, in [`State::ALL`] order.
    ///
    /// # Example
    /// ```
    /// use wangge::colour::State;
    /// // A confirmed case leaves only when discharged into centralised isolation.
    /// assert_eq!(State::Confirmed.successors().collect::<Vec<_>>(), [State::CentralisedIsolation]);
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
            State::CentralisedIsolation => "集中隔离",
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
            State::CentralisedIsolation => "in centralised isolation",
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

/// A person's [`State`] and the date it began.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use wangge::colour::{PersonState, State};
///
/// let feb = |d| NaiveDate::from_ymd_opt(2020, 2, d).unwrap();
/// let arrived = PersonState::new(State::HomeIsolationEpidemicArea, feb(1));
/// let released = arrived.change(State::Well, feb(15))?;
/// assert_eq!((released.state(), released.since()), (State::Well, feb(15)));
/// assert!(arrived.change(State::Well, NaiveDate::from_ymd_opt(2020, 1, 31).unwrap()).is_err()); // before it began
/// # Ok::<(), wangge::colour::ColourError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PersonState {
    state: State,
    since: NaiveDate,
}

/// A person's state as its fields: its human-readable form, read by every form.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "PersonState")]
struct StateFields {
    state: State,
    #[serde(deserialize_with = "crate::form::date::deserialize")]
    since: NaiveDate,
}

/// In human-readable forms `{"state": .., "since": "YYYY-MM-DD"}`; in binary forms one integer,
/// the date's day number (from 0001-01-01) times 16 plus the state's index in [`State::ALL`]: a
/// snapshot holds one state per person, and one value decodes several times faster than a
/// struct of two.
impl Serialize for PersonState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use chrono::Datelike as _;
        use serde::ser::SerializeStruct as _;
        if s.is_human_readable() {
            let mut st = s.serialize_struct("PersonState", 2)?;
            st.serialize_field("state", &self.state)?;
            st.serialize_field("since", &self.since)?;
            st.end()
        } else {
            // An index below 9 in the low four bits.
            s.serialize_i64(i64::from(self.since.num_days_from_ce()) * 16 + self.state.index() as i64)
        }
    }
}

/// Reads the binary integer, and the fields (named or in order) in any form.
impl<'de> Deserialize<'de> for PersonState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor, value};
        struct Packed;
        impl<'de> Visitor<'de> for Packed {
            type Value = PersonState;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a person's state: its fields, or day number × 16 + state index")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PersonState, E> {
                let state = State::ALL.get(v.rem_euclid(16) as usize).copied();
                let since = i32::try_from(v.div_euclid(16)).ok().and_then(NaiveDate::from_num_days_from_ce_opt);
                match (state, since) {
                    (Some(state), Some(since)) => Ok(PersonState { state, since }),
                    _ => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PersonState, E> {
                i64::try_from(v)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
                    .and_then(|v| self.visit_i64(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<PersonState, A::Error> {
                StateFields::deserialize(value::SeqAccessDeserializer::new(seq)).map(PersonState::from)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PersonState, A::Error> {
                StateFields::deserialize(value::MapAccessDeserializer::new(map)).map(PersonState::from)
            }
        }
        if d.is_human_readable() {
            StateFields::deserialize(d).map(PersonState::from)
        } else {
            d.deserialize_any(Packed)
        }
    }
}

impl From<StateFields> for PersonState {
    fn from(f: StateFields) -> PersonState {
        PersonState { state: f.state, since: f.since }
    }
}

impl PersonState {
    /// `state`, beginning on `since`.
    pub const fn new(state: State, since: NaiveDate) -> Self {
        PersonState { state, since }
    }

    /// Present and well since `since`: how most persons are registered.
    pub const fn well(since: NaiveDate) -> Self {
        PersonState::new(State::Well, since)
    }

    /// The state.
    pub const fn state(&self) -> State {
        self.state
    }

    /// The date it began.
    pub const fn since(&self) -> NaiveDate {
        self.since
    }

    /// The state that follows when the person becomes `next` on `on`.
    ///
    /// # Errors
    /// [`ColourError::Unchanged`] when `next` is the current state,
    /// [`ColourError::IllegalTransition`] when [`State::may_become`] forbids it,
    /// [`ColourError::BeforeCurrent`] when `on` is before the current state began; checked in
    /// that order, so a change that breaks several rules names the first.
    pub fn change(self, next: State, on: NaiveDate) -> Result<PersonState, ColourError> {
        if next == self.state {
            return Err(ColourError::Unchanged { state: next });
        }
        if !self.state.may_become(next) {
            return Err(ColourError::IllegalTransition { from: self.state, to: next });
        }
        if on < self.since {
            return Err(ColourError::BeforeCurrent { since: self.since, on });
        }
        Ok(PersonState::new(next, on))
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
        assert_eq!(State::Confirmed.successors().collect::<Vec<_>>(), [State::CentralisedIsolation]);
        let d = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
        let err = PersonState::new(State::Confirmed, d).change(State::Well, d).unwrap_err();
        assert_eq!(err, ColourError::IllegalTransition { from: State::Confirmed, to: State::Well });
    }
}
