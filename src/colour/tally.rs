//! Tallies 统计: households and persons per colour, persons per state and per measure, marked persons per
//! colour.
//!
//! The registry keeps one [`Tally`] per unit and per overlay cell. When a household changes
//! it takes the household's tally before and after and applies only the difference to the
//! household's unit, every ancestor and every cell holding it, in O(depth). Hosts read them
//! with [`Registry::tally`](crate::Registry::tally) and add up shards with [`Tally::merge`].

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Colour, Measure, Standing, State};
use crate::people::{Marker, Markers};

const MARKERS: usize = Marker::ALL.len();

/// The colour counts of a unit, a cell or a whole city: households and persons per household
/// colour, persons per [`State`] and per [`Measure`], and marked persons per household colour (the elderly living
/// alone in red households are the care list).
///
/// Persons are counted by the colour of their household: "1,518 households / 3,463 persons in
/// home isolation" counts the persons of orange and yellow households. Their own states are
/// counted apart, by [`Tally::in_state`].
///
/// Tallies merge: [`Tally::merge`] (also `+` and `Sum`) is commutative and associative with
/// [`Tally::new`] (empty) as identity, and the merge of the tallies of disjoint shards is the
/// tally of their union, so a host that shards a city by district adds the shards' reports up.
/// Each count is held in 32 bits and saturates at `u32::MAX` (4,294,967,295, three times the
/// population of China) rather than overflow; the accessors return `u64`. So a unit's tally is
/// four cache lines, and the counts one change touches lie in the first two.
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
#[derive(Clone, PartialEq, Eq, Hash)]
#[repr(align(64))] // a cache line: the counts one change touches lie in its first two lines
pub struct Tally {
    /// Every count in one array, laid out by the offsets below, so that merging is one loop.
    counts: [u32; LEN],
}

/// Where each part of a tally starts in [`Tally::counts`].
const HOUSEHOLDS: usize = 0;
const PERSONS: usize = HOUSEHOLDS + Colour::COUNT;
const STATES: usize = PERSONS + Colour::COUNT;
const MEASURES: usize = STATES + State::COUNT;
const MARKED: usize = MEASURES + Measure::COUNT;
const LEN: usize = MARKED + MARKERS * Colour::COUNT;

const fn marked_at(marker: Marker, colour: Colour) -> usize {
    MARKED + marker as usize * Colour::COUNT + colour.index()
}

impl Tally {
    /// The empty tally: the identity of [`Tally::merge`].
    pub const fn new() -> Self {
        Tally { counts: [0; LEN] }
    }

    /// The tally of one household of `colour` whose members have the given standings (or
    /// states, each under the measure it brings) and markers.
    pub fn household<S: Into<Standing>>(colour: Colour, members: impl IntoIterator<Item = (S, Markers)>) -> Self {
        let mut t = Tally::new();
        t.count_household(colour, members);
        t
    }

    /// Count one more household of `colour` whose members have the given states and markers:
    /// the same as merging [`Tally::household`], without building it.
    pub fn count_household<S: Into<Standing>>(
        &mut self,
        colour: Colour,
        members: impl IntoIterator<Item = (S, Markers)>,
    ) {
        self.bump(HOUSEHOLDS + colour.index(), 1);
        for (standing, markers) in members {
            self.count_member(colour, standing.into(), markers);
        }
    }

    /// Count one more member, in a household of `colour` already counted.
    pub(crate) fn count_member(&mut self, colour: Colour, standing: Standing, markers: Markers) {
        let c = colour.index();
        self.bump(PERSONS + c, 1);
        self.bump(STATES + standing.reason().index(), 1);
        self.bump(MEASURES + standing.measure().index(), 1);
        if markers != Markers::EMPTY {
            for m in markers.iter() {
                self.bump(marked_at(m, colour), 1);
            }
        }
    }

    fn bump(&mut self, at: usize, by: u32) {
        self.counts[at] = self.counts[at].saturating_add(by);
    }

    /// Households of `colour`.
    pub const fn households(&self, colour: Colour) -> u64 {
        self.counts[HOUSEHOLDS + colour.index()] as u64
    }

    /// Persons living in households of `colour`.
    pub const fn persons(&self, colour: Colour) -> u64 {
        self.counts[PERSONS + colour.index()] as u64
    }

    /// Persons in `state` (their reason), whatever their household's colour and their
    /// measure.
    pub const fn in_state(&self, state: State) -> u64 {
        self.counts[STATES + state.index()] as u64
    }

    /// Persons under `measure` 各管控措施人数, whatever their reason (seed 003: "集中隔离服务
    /// 41人" is the street's count under centralised isolation).
    pub const fn under(&self, measure: Measure) -> u64 {
        self.counts[MEASURES + measure.index()] as u64
    }

    /// Persons per measure, as [`MeasureCounts`](super::MeasureCounts).
    pub fn measures(&self) -> super::MeasureCounts {
        let mut m = super::MeasureCounts::new();
        for measure in Measure::ALL {
            m.add(measure, self.under(measure));
        }
        m
    }

    /// Persons carrying `marker` in households of `colour`.
    pub const fn marked(&self, marker: Marker, colour: Colour) -> u64 {
        self.counts[marked_at(marker, colour)] as u64
    }

    /// All households.
    pub fn total_households(&self) -> u64 {
        self.counts[HOUSEHOLDS..PERSONS].iter().map(|&n| u64::from(n)).sum()
    }

    /// All persons.
    pub fn total_persons(&self) -> u64 {
        self.counts[PERSONS..STATES].iter().map(|&n| u64::from(n)).sum()
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    /// Add `other` into this tally.
    ///
    /// # Complexity
    /// O(1): a fixed number of additions.
    pub fn merge(&mut self, other: &Tally) {
        for (a, &b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(b);
        }
    }

    /// The counts that differ between `before` and `after` (two tallies of one household,
    /// say), to be applied to every tally holding `before` so that it holds `after` instead.
    pub(crate) fn delta(before: &Tally, after: &Tally) -> Delta {
        let mut d = Delta::new();
        for (i, (&b, &a)) in before.counts.iter().zip(&after.counts).enumerate() {
            if a != b {
                // Each index once, in order: no merging needed.
                d.at[d.len] = i as u8;
                d.by[d.len] = a.wrapping_sub(b);
                d.len += 1;
            }
        }
        d
    }

    /// Apply a [`Delta`]: only the counts it names change.
    ///
    /// # Complexity
    /// O(counts that differ), a handful when one household changes.
    pub(crate) fn apply(&mut self, delta: &Delta) {
        for (&at, &by) in delta.at[..delta.len].iter().zip(&delta.by[..delta.len]) {
            // Two's-complement addition of the difference: exact while the tally holds the
            // `before` the delta was made from, which the registry guarantees (and the audit
            // rechecks).
            let n = &mut self.counts[usize::from(at)];
            *n = n.wrapping_add(by);
        }
    }
}

/// The difference between two tallies, sparse: see [`Tally::delta`].
#[derive(Debug, Clone)]
pub(crate) struct Delta {
    at: [u8; LEN],
    by: [u32; LEN],
    len: usize,
}

impl Delta {
    const fn new() -> Self {
        Delta { at: [0; LEN], by: [0; LEN], len: 0 }
    }

    /// Add `by` (two's complement) to the count at `at`, merging with an entry already there.
    fn push(&mut self, at: usize, by: u32) {
        let at = at as u8; // LEN < 256
        match self.at[..self.len].iter().position(|&a| a == at) {
            Some(i) => self.by[i] = self.by[i].wrapping_add(by),
            None => {
                self.at[self.len] = at;
                self.by[self.len] = by;
                self.len += 1;
            }
        }
    }

    /// The change when one member of a household of `colour`, which keeps its colour, goes
    /// from `before` to `after` (each a state and markers; `None` for no member): a handful
    /// of entries, without building tallies.
    pub(crate) fn member(
        colour: Colour,
        before: Option<(Standing, Markers)>,
        after: Option<(Standing, Markers)>,
    ) -> Delta {
        let mut d = Delta::new();
        for (member, by) in [(before, 1u32.wrapping_neg()), (after, 1)] {
            if let Some((standing, markers)) = member {
                d.push(PERSONS + colour.index(), by);
                d.push(STATES + standing.reason().index(), by);
                d.push(MEASURES + standing.measure().index(), by);
                for m in markers.iter() {
                    d.push(marked_at(m, colour), by);
                }
            }
        }
        d.len = {
            // Drop the entries that cancelled out, so applying them costs nothing.
            let mut kept = 0;
            for i in 0..d.len {
                if d.by[i] != 0 {
                    d.at[kept] = d.at[i];
                    d.by[kept] = d.by[i];
                    kept += 1;
                }
            }
            kept
        };
        d
    }

    /// Whether nothing differs.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Tally {
    fn default() -> Self {
        Tally::new()
    }
}

impl fmt::Debug for Tally {
    /// The non-zero counts, by name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = TallyData::from(self);
        f.debug_struct("Tally")
            .field("households", &data.households)
            .field("persons", &data.persons)
            .field("states", &data.states)
            .field("measures", &data.measures)
            .field("marked", &data.marked)
            .finish()
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

/// The serialised form: households and persons as maps of all five colours in severity order
/// (red first, zeros written: a host's table or chart has every column); states and marked
/// persons without zeros. Read back, a colour left out counts 0.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TallyData {
    #[serde(default)]
    households: FiveColours,
    #[serde(default)]
    persons: FiveColours,
    #[serde(default)]
    states: BTreeMap<State, u64>,
    #[serde(default)]
    measures: BTreeMap<Measure, u64>,
    #[serde(default)]
    marked: BTreeMap<Marker, BTreeMap<Colour, u64>>,
}

/// A count per colour, written as a map of all five in [`Colour::BY_SEVERITY`] order.
#[derive(Default)]
struct FiveColours([u64; Colour::COUNT]);

/// As a map of the colours counted (zeros left out), as `Tally`'s `Debug` always showed them.
impl fmt::Debug for FiveColours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counted: BTreeMap<Colour, u64> =
            Colour::BY_SEVERITY.into_iter().map(|c| (c, self.0[c.index()])).filter(|&(_, n)| n > 0).collect();
        counted.fmt(f)
    }
}

impl Serialize for FiveColours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = s.serialize_map(Some(Colour::COUNT))?;
        for c in Colour::BY_SEVERITY {
            map.serialize_entry(&c, &self.0[c.index()])?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FiveColours {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let read = BTreeMap::<Colour, u64>::deserialize(d)?;
        let mut five = FiveColours::default();
        for (c, n) in read {
            five.0[c.index()] = n;
        }
        Ok(five)
    }
}

fn five(counts: &[u32]) -> FiveColours {
    let mut five = FiveColours::default();
    for c in Colour::BY_SEVERITY {
        five.0[c.index()] = u64::from(counts[c.index()]);
    }
    five
}

fn by_colour(counts: &[u32]) -> BTreeMap<Colour, u64> {
    Colour::BY_SEVERITY.into_iter().map(|c| (c, u64::from(counts[c.index()]))).filter(|&(_, n)| n > 0).collect()
}

impl From<&Tally> for TallyData {
    fn from(t: &Tally) -> TallyData {
        let marked = Marker::ALL
            .into_iter()
            .map(|m| (m, by_colour(&t.counts[marked_at(m, Colour::White)..][..Colour::COUNT])))
            .filter(|(_, counts)| !counts.is_empty())
            .collect();
        TallyData {
            households: five(&t.counts[HOUSEHOLDS..PERSONS]),
            persons: five(&t.counts[PERSONS..STATES]),
            states: State::ALL.into_iter().map(|st| (st, t.in_state(st))).filter(|&(_, n)| n > 0).collect(),
            measures: Measure::ALL.into_iter().map(|m| (m, t.under(m))).filter(|&(_, n)| n > 0).collect(),
            marked,
        }
    }
}

impl Serialize for Tally {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TallyData::from(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Tally {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = TallyData::deserialize(d)?;
        let mut t = Tally::new();
        let mut set = |at: usize, n: u64| -> Result<(), D::Error> {
            t.counts[at] = u32::try_from(n)
                .map_err(|_| serde::de::Error::custom(format_args!("a count of {n} is above 4,294,967,295")))?;
            Ok(())
        };
        for c in Colour::BY_SEVERITY {
            set(HOUSEHOLDS + c.index(), data.households.0[c.index()])?;
            set(PERSONS + c.index(), data.persons.0[c.index()])?;
        }
        for (&st, &n) in &data.states {
            set(STATES + st.index(), n)?;
        }
        for (&m, &n) in &data.measures {
            set(MEASURES + m.index(), n)?;
        }
        for (&m, counts) in &data.marked {
            for (&c, &n) in counts {
                set(marked_at(m, c), n)?;
            }
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_writes_the_five_colours_in_severity_order_and_round_trips() {
        let t = Tally::household(Colour::Red, [(State::CloseContact, Markers::new().with(Marker::LowIncome))])
            + Tally::household::<Standing>(Colour::White, []);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"households":{"Red":1,"Orange":0,"Yellow":0,"Green":0,"White":1},"#,
                r#""persons":{"Red":1,"Orange":0,"Yellow":0,"Green":0,"White":0},"#,
                r#""states":{"CloseContact":1},"measures":{"None":1},"marked":{"LowIncome":{"Red":1}}}"#
            )
        );
        assert_eq!(serde_json::from_str::<Tally>(&json).unwrap(), t);
        // What earlier builds wrote (zeros left out) still reads.
        let sparse = r#"{"households":{"White":1,"Red":1},"persons":{"Red":1},"states":{"CloseContact":1},"measures":{"None":1},"marked":{"LowIncome":{"Red":1}}}"#;
        assert_eq!(serde_json::from_str::<Tally>(sparse).unwrap(), t);
        // Before format 7 a tally counted no measures: it reads with none.
        let before = sparse.replace(r#""measures":{"None":1},"#, "");
        assert_eq!(serde_json::from_str::<Tally>(&before).unwrap().measures().total(), 0);
        assert!(serde_json::from_str::<Tally>(r#"{"households":{"Purple":1}}"#).is_err());
        assert_eq!(serde_json::from_str::<Tally>("{}").unwrap(), Tally::new());
        let err = serde_json::from_str::<Tally>(r#"{"households":{"Red":4294967296}}"#).unwrap_err();
        assert!(err.to_string().contains("above 4,294,967,295"), "{err}");
    }

    #[test]
    fn merging_saturates_instead_of_overflowing() {
        let mut big = Tally::household::<Standing>(Colour::Green, []);
        big.counts[HOUSEHOLDS + Colour::Green.index()] = u32::MAX;
        let sum = big.clone() + Tally::household::<Standing>(Colour::Green, []);
        assert_eq!(sum.households(Colour::Green), u64::from(u32::MAX));
        assert_eq!(sum.total_households(), u64::from(u32::MAX));
    }
}
