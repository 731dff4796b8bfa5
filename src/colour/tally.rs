//! Tallies 统计: households and persons per colour, persons per state, marked persons per
//! colour.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Colour, State};
use crate::people::{Marker, Markers};

const MARKERS: usize = Marker::ALL.len();

/// The colour counts of a unit, a cell or a whole city: households and persons per household
/// colour, persons per [`State`], and marked persons per household colour (the elderly living
/// alone in red households are the care list).
///
/// Persons are counted by the colour of their household: "1,518 households / 3,463 persons in
/// home isolation" counts the persons of orange and yellow households. Their own states are
/// counted apart, by [`Tally::in_state`].
///
/// Tallies merge: [`Tally::merge`] (also `+` and `Sum`) is commutative and associative with
/// [`Tally::new`] (empty) as identity, and the merge of the tallies of disjoint shards is the
/// tally of their union, so a host that shards a city by district adds the shards' reports up.
/// Counts saturate at `u64::MAX` rather than overflow.
///
/// Serialised as maps keyed by colour, state and marker name, leaving zeros out:
/// `{"households":{"Red":1},"persons":{"Red":3},"states":{"CloseContact":1,"Well":2},"marked":{}}`.
///
/// # Example
/// ```
/// use wangge::colour::{Colour, State, Tally};
/// use wangge::people::{Marker, Markers};
///
/// let elderly = Markers::new().with(Marker::ElderlyLivingAlone);
/// let a = Tally::household(Colour::Red, [(State::CloseContact, elderly)]);
/// let b = Tally::household(Colour::Green, [(State::Well, Markers::new()), (State::Well, Markers::new())]);
/// let both = a.clone() + b;
/// assert_eq!((both.total_households(), both.total_persons()), (2, 3));
/// assert_eq!(both.households(Colour::Red), 1);
/// assert_eq!(both.in_state(State::Well), 2);
/// assert_eq!(both.marked(Marker::ElderlyLivingAlone, Colour::Red), 1); // the care list
/// assert_eq!(a.clone() + Tally::new(), a);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Tally {
    households: [u64; Colour::COUNT],
    persons: [u64; Colour::COUNT],
    states: [u64; State::COUNT],
    marked: [[u64; Colour::COUNT]; MARKERS],
}

impl Tally {
    /// The empty tally: the identity of [`Tally::merge`].
    pub const fn new() -> Self {
        Tally {
            households: [0; Colour::COUNT],
            persons: [0; Colour::COUNT],
            states: [0; State::COUNT],
            marked: [[0; Colour::COUNT]; MARKERS],
        }
    }

    /// The tally of one household of `colour` whose members have the given states and
    /// markers.
    pub fn household(colour: Colour, members: impl IntoIterator<Item = (State, Markers)>) -> Self {
        let mut t = Tally::new();
        t.count_household(colour, members);
        t
    }

    /// Count one more household of `colour` whose members have the given states and markers:
    /// the same as merging [`Tally::household`], without building it.
    pub fn count_household(&mut self, colour: Colour, members: impl IntoIterator<Item = (State, Markers)>) {
        let c = colour.index();
        self.households[c] = self.households[c].saturating_add(1);
        for (state, markers) in members {
            self.persons[c] = self.persons[c].saturating_add(1);
            let s = &mut self.states[state.index()];
            *s = s.saturating_add(1);
            if markers != Markers::EMPTY {
                for m in markers.iter() {
                    let n = &mut self.marked[m as usize][c];
                    *n = n.saturating_add(1);
                }
            }
        }
    }

    /// Households of `colour`.
    pub const fn households(&self, colour: Colour) -> u64 {
        self.households[colour.index()]
    }

    /// Persons living in households of `colour`.
    pub const fn persons(&self, colour: Colour) -> u64 {
        self.persons[colour.index()]
    }

    /// Persons in `state`, whatever their household's colour.
    pub const fn in_state(&self, state: State) -> u64 {
        self.states[state.index()]
    }

    /// Persons carrying `marker` in households of `colour`.
    pub const fn marked(&self, marker: Marker, colour: Colour) -> u64 {
        self.marked[marker as usize][colour.index()]
    }

    /// All households.
    pub fn total_households(&self) -> u64 {
        self.households.iter().fold(0, |a, &b| a.saturating_add(b))
    }

    /// All persons.
    pub fn total_persons(&self) -> u64 {
        self.persons.iter().fold(0, |a, &b| a.saturating_add(b))
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        *self == Tally::new()
    }

    /// Add `other` into this tally.
    ///
    /// # Complexity
    /// O(1): a fixed number of additions.
    pub fn merge(&mut self, other: &Tally) {
        self.zip(other, u64::saturating_add);
    }

    /// Take `other`, a part of this tally, out of it (saturating at zero).
    pub(crate) fn remove(&mut self, other: &Tally) {
        self.zip(other, u64::saturating_sub);
    }

    fn zip(&mut self, other: &Tally, f: impl Fn(u64, u64) -> u64) {
        let pairs = self.households.iter_mut().zip(&other.households);
        let pairs = pairs.chain(self.persons.iter_mut().zip(&other.persons));
        let pairs = pairs.chain(self.states.iter_mut().zip(&other.states));
        let pairs = pairs.chain(self.marked.iter_mut().flatten().zip(other.marked.iter().flatten()));
        for (a, &b) in pairs {
            *a = f(*a, b);
        }
    }
}

impl std::ops::Add for Tally {
    type Output = Tally;
    fn add(mut self, other: Tally) -> Tally {
        self.merge(&other);
        self
    }
}

impl std::ops::AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, other: &Tally) {
        self.merge(other);
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        iter.fold(Tally::new(), |a, b| a + b)
    }
}

impl<'a> std::iter::Sum<&'a Tally> for Tally {
    fn sum<I: Iterator<Item = &'a Tally>>(iter: I) -> Tally {
        iter.fold(Tally::new(), |mut a, b| {
            a.merge(b);
            a
        })
    }
}

impl fmt::Display for Tally {
    /// One line per colour, most severe first: `red 红  3 households  7 persons`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in Colour::BY_SEVERITY.into_iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(
                f,
                "{:<6} {} {:>9} households {:>10} persons",
                c.label_en(),
                c.label_zh(),
                self.households(c),
                self.persons(c)
            )?;
        }
        Ok(())
    }
}

/// The serialised form: maps without zeros.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TallyData {
    #[serde(default)]
    households: BTreeMap<Colour, u64>,
    #[serde(default)]
    persons: BTreeMap<Colour, u64>,
    #[serde(default)]
    states: BTreeMap<State, u64>,
    #[serde(default)]
    marked: BTreeMap<Marker, BTreeMap<Colour, u64>>,
}

fn by_colour(counts: &[u64; Colour::COUNT]) -> BTreeMap<Colour, u64> {
    Colour::BY_SEVERITY.into_iter().map(|c| (c, counts[c.index()])).filter(|&(_, n)| n > 0).collect()
}

fn from_colours(map: &BTreeMap<Colour, u64>) -> [u64; Colour::COUNT] {
    let mut out = [0; Colour::COUNT];
    for (&c, &n) in map {
        out[c.index()] = n;
    }
    out
}

impl Serialize for Tally {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let marked = Marker::ALL
            .into_iter()
            .map(|m| (m, by_colour(&self.marked[m as usize])))
            .filter(|(_, counts)| !counts.is_empty())
            .collect();
        TallyData {
            households: by_colour(&self.households),
            persons: by_colour(&self.persons),
            states: State::ALL.into_iter().map(|st| (st, self.in_state(st))).filter(|&(_, n)| n > 0).collect(),
            marked,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tally {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = TallyData::deserialize(d)?;
        let mut t = Tally::new();
        t.households = from_colours(&data.households);
        t.persons = from_colours(&data.persons);
        for (&st, &n) in &data.states {
            t.states[st.index()] = n;
        }
        for (&m, counts) in &data.marked {
            t.marked[m as usize] = from_colours(counts);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_round_trips_without_zeros() {
        let t = Tally::household(Colour::Red, [(State::CloseContact, Markers::new().with(Marker::LowIncome))])
            + Tally::household(Colour::White, []);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"households":{"White":1,"Red":1},"persons":{"Red":1},"states":{"CloseContact":1},"marked":{"LowIncome":{"Red":1}}}"#
        );
        assert_eq!(serde_json::from_str::<Tally>(&json).unwrap(), t);
        assert!(serde_json::from_str::<Tally>(r#"{"households":{"Purple":1}}"#).is_err());
        assert_eq!(serde_json::from_str::<Tally>("{}").unwrap(), Tally::new());
    }

    #[test]
    fn merging_saturates_instead_of_overflowing() {
        let mut big = Tally::household(Colour::Green, []);
        big.households[Colour::Green.index()] = u64::MAX;
        let sum = big.clone() + Tally::household(Colour::Green, []);
        assert_eq!(sum.households(Colour::Green), u64::MAX);
        assert_eq!(sum.total_households(), u64::MAX);
    }
}
