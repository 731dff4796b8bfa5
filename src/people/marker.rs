//! Markers 标记: what the courtyard colour map marks a person as (party member, elderly
//! living alone ...), and small sets of them.
//!
//! A person's [`Markers`] come in with their [`PersonRecord`](super::PersonRecord) (and change
//! with [`Command::SetMarkers`](crate::Command::SetMarkers)); they go out counted per household
//! colour in every [`Tally`](crate::colour::Tally) (the care list of elderly living alone in
//! red households) and drawn as [`Symbol`](crate::colour::Symbol)s on the courtyard map.

use std::fmt;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A marker drawn on the courtyard colour map (seed 003).
///
/// Serialised by its variant name (`"PartyMember"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Marker {
    /// Member of the Communist Party 党员.
    PartyMember,
    /// Building head 楼栋长.
    BuildingHead,
    /// Party group leader 党小组长.
    PartyGroupLeader,
    /// Receives the minimum living allowance 低保户.
    LowIncome,
    /// Elderly person living alone without family support 孤寡老人.
    ElderlyLivingAlone,
    /// Elderly person whose children live elsewhere 空巢老人.
    EmptyNestElderly,
    /// Seriously ill or seriously disabled 重病重残.
    SeriouslyIllOrDisabled,
}

impl Marker {
    /// Every marker, in declaration order.
    pub const ALL: [Marker; 7] = [
        Self::PartyMember,
        Self::BuildingHead,
        Self::PartyGroupLeader,
        Self::LowIncome,
        Self::ElderlyLivingAlone,
        Self::EmptyNestElderly,
        Self::SeriouslyIllOrDisabled,
    ];

    /// The Chinese label.
    ///
    /// # Example
    /// ```
    /// use wangge::people::Marker;
    /// assert_eq!(Marker::PartyMember.label_zh(), "党员");
    /// ```
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PartyMember => "党员",
            Self::BuildingHead => "楼栋长",
            Self::PartyGroupLeader => "党小组长",
            Self::LowIncome => "低保户",
            Self::ElderlyLivingAlone => "孤寡老人",
            Self::EmptyNestElderly => "空巢老人",
            Self::SeriouslyIllOrDisabled => "重病重残",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::PartyMember => "party member",
            Self::BuildingHead => "building head",
            Self::PartyGroupLeader => "party group leader",
            Self::LowIncome => "minimum living allowance recipient",
            Self::ElderlyLivingAlone => "elderly living alone",
            Self::EmptyNestElderly => "empty-nest elderly",
            Self::SeriouslyIllOrDisabled => "seriously ill or disabled",
        }
    }

    /// The marker's bit in a [`Markers`] set.
    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The English label ([`Marker::label_en`]); `FromStr` reads it back, or the variant's name.
impl std::fmt::Display for Marker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label_en())
    }
}

/// A set of [`Marker`]s, one byte.
///
/// Iterates in [`Marker::ALL`] order. Serialised as a list of marker names in that order
/// (`["PartyMember","LowIncome"]`), not as bits, so the format is readable and stable;
/// reading an unknown name fails, a repeated one is accepted once.
///
/// # Example
/// ```
/// use wangge::people::{Marker, Markers};
/// let set = Markers::new().with(Marker::LowIncome).with(Marker::PartyMember);
/// assert!(set.contains(Marker::PartyMember));
/// assert_eq!(set.len(), 2);
/// assert_eq!(set.iter().collect::<Vec<_>>(), [Marker::PartyMember, Marker::LowIncome]);
/// assert_eq!(format!("{set:?}"), "Markers{PartyMember, LowIncome}");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Markers(u8);

impl Markers {
    /// The empty set.
    pub const EMPTY: Markers = Markers(0);

    /// The empty set.
    pub const fn new() -> Self {
        Self::EMPTY
    }

    /// The set as its bits (bit `i` for `Marker::ALL[i]`), for compact binary forms.
    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    /// The set of these bits, if each names a marker.
    pub(crate) fn from_bits(bits: u8) -> Option<Markers> {
        let known = Marker::ALL.iter().fold(0, |all, m| all | m.bit());
        (bits & !known == 0).then_some(Markers(bits))
    }

    /// This set with `marker` added.
    pub const fn with(self, marker: Marker) -> Self {
        Markers(self.0 | marker.bit())
    }

    /// Add `marker`; `true` when it was not in the set before.
    pub fn insert(&mut self, marker: Marker) -> bool {
        let added = !self.contains(marker);
        self.0 |= marker.bit();
        added
    }

    /// Remove `marker`; `true` when it was in the set.
    pub fn remove(&mut self, marker: Marker) -> bool {
        let had = self.contains(marker);
        self.0 &= !marker.bit();
        had
    }

    /// Whether `marker` is in the set.
    pub const fn contains(&self, marker: Marker) -> bool {
        self.0 & marker.bit() != 0
    }

    /// The markers in the set, in [`Marker::ALL`] order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Marker> + Clone + use<> {
        let set = *self;
        Marker::ALL.into_iter().filter(move |&m| set.contains(m))
    }

    /// How many markers are in the set.
    pub const fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The markers in either set.
    pub const fn union(self, other: Markers) -> Self {
        Markers(self.0 | other.0)
    }

    /// The markers in both sets.
    pub const fn intersection(self, other: Markers) -> Self {
        Markers(self.0 & other.0)
    }
}

impl From<Marker> for Markers {
    fn from(marker: Marker) -> Self {
        Markers::EMPTY.with(marker)
    }
}

impl FromIterator<Marker> for Markers {
    fn from_iter<I: IntoIterator<Item = Marker>>(iter: I) -> Self {
        let mut set = Markers::EMPTY;
        set.extend(iter);
        set
    }
}

impl Extend<Marker> for Markers {
    fn extend<I: IntoIterator<Item = Marker>>(&mut self, iter: I) {
        for m in iter {
            self.insert(m);
        }
    }
}

impl fmt::Debug for Markers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Markers{")?;
        for (i, m) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{m:?}")?;
        }
        f.write_str("}")
    }
}

impl Serialize for Markers {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Markers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;

        impl<'de> Visitor<'de> for SetVisitor {
            type Value = Markers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of marker names")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Markers, A::Error> {
                let mut set = Markers::EMPTY;
                while let Some(m) = seq.next_element::<Marker>()? {
                    set.insert(m);
                }
                Ok(set)
            }
        }

        deserializer.deserialize_seq(SetVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn all_is_in_declaration_order_with_distinct_bits() {
        let mut seen = 0u8;
        for (i, m) in Marker::ALL.into_iter().enumerate() {
            assert_eq!(m as usize, i);
            assert_eq!(seen & m.bit(), 0);
            seen |= m.bit();
            assert!(!m.label_zh().is_empty() && !m.label_en().is_empty());
        }
        assert_eq!(seen, 0x7f);
        assert_eq!(Marker::SeriouslyIllOrDisabled.label_zh(), "重病重残");
        assert_eq!(Marker::EmptyNestElderly.label_en(), "empty-nest elderly");
    }

    #[test]
    fn set_operations() {
        let mut set = Markers::new();
        assert!(set.is_empty());
        assert_eq!(set.len(), 0);
        assert_eq!(set, Markers::default());
        assert!(set.insert(Marker::LowIncome));
        assert!(!set.insert(Marker::LowIncome));
        assert!(set.insert(Marker::PartyMember));
        assert_eq!(set.len(), 2);
        assert!(set.contains(Marker::LowIncome) && !set.contains(Marker::BuildingHead));
        assert!(set.remove(Marker::LowIncome));
        assert!(!set.remove(Marker::LowIncome));
        assert_eq!(set, Markers::from(Marker::PartyMember));
        let other: Markers = [Marker::BuildingHead, Marker::PartyMember].into_iter().collect();
        assert_eq!(set.union(other).len(), 2);
        assert_eq!(set.intersection(other), set);
        let all: Markers = Marker::ALL.into_iter().collect();
        assert_eq!(all.len(), 7);
        assert_eq!(all.iter().collect::<Vec<_>>(), Marker::ALL);
        assert_eq!(all.iter().next_back(), Some(Marker::SeriouslyIllOrDisabled));
        // Iterating a temporary set does not borrow it.
        let from_temporary: Vec<Marker> = Markers::from(Marker::LowIncome).iter().collect();
        assert_eq!(from_temporary, [Marker::LowIncome]);
    }

    #[test]
    fn debug_lists_names() {
        assert_eq!(format!("{:?}", Markers::EMPTY), "Markers{}");
        let set = Markers::EMPTY.with(Marker::LowIncome).with(Marker::PartyMember);
        assert_eq!(format!("{set:?}"), "Markers{PartyMember, LowIncome}");
    }

    #[test]
    fn serde_is_a_list_of_names() {
        let set = Markers::EMPTY.with(Marker::LowIncome).with(Marker::PartyMember);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["PartyMember","LowIncome"]"#);
        assert_eq!(serde_json::from_str::<Markers>(&json).unwrap(), set);
        assert_eq!(serde_json::to_string(&Markers::EMPTY).unwrap(), "[]");
        assert_eq!(serde_json::from_str::<Markers>("[]").unwrap(), Markers::EMPTY);
        assert_eq!(serde_json::from_str::<Markers>(r#"["LowIncome","PartyMember","LowIncome"]"#).unwrap(), set);
        assert!(serde_json::from_str::<Markers>(r#"["PartyMember","Hero"]"#).is_err());
        assert!(serde_json::from_str::<Markers>("3").is_err());
        for m in Marker::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{m:?}\""));
            assert_eq!(serde_json::from_str::<Marker>(&json).unwrap(), m);
        }
    }

    proptest! {
        #[test]
        fn sets_behave_like_btreesets(picks in proptest::collection::vec(0usize..7, 0..20)) {
            let markers: Vec<Marker> = picks.iter().map(|&i| Marker::ALL[i]).collect();
            let set: Markers = markers.iter().copied().collect();
            let model: std::collections::BTreeSet<Marker> = markers.iter().copied().collect();
            prop_assert_eq!(set.len(), model.len());
            prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
            let json = serde_json::to_string(&set).unwrap();
            prop_assert_eq!(serde_json::from_str::<Markers>(&json).unwrap(), set);
        }
    }
}
