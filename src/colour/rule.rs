//! The colour rule: which colour each person state gives, and how a household's colour
//! follows from its members'.
//!
//! The registry holds one rule (seed 003's unless a host sends
//! [`Command::SetColourRule`](crate::Command::SetColourRule)) and calls
//! [`ColourRule::classify`] whenever a member of a household changes; the colour that comes
//! out is counted in the tallies and drawn on the map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Colour, ColourError, State};

/// How a household's colour follows from its members' colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HouseholdRule {
    /// The most severe colour among the members present wins (red > orange > yellow > green);
    /// white when nobody is present (seed 003). A member counts as present unless their
    /// state's colour is white.
    #[default]
    MostSevere,
}

/// A colour rule 五色标记规则: a colour for every [`State`] plus a [`HouseholdRule`]. A value:
/// hosts keep their own, serialise it, and set it on a registry with
/// [`Command::SetColourRule`](crate::Command::SetColourRule).
///
/// A state mapped to [`Colour::White`] counts as not present: a household whose members are all
/// white (or which has none) is white, an empty household 空户.
///
/// Serialised as `{"colours": {"Well": "Green", ...}, "household": "MostSevere"}`; a mapping
/// that leaves a state out is refused when read.
///
/// # Example
/// ```
/// use wangge::colour::{Colour, ColourRule, State};
///
/// let seed = ColourRule::zhengzhou_2020();
/// assert_eq!(seed.colour_of(State::SecondaryContact), Colour::Red);
/// assert_eq!(seed.classify([State::Well, State::HomeIsolationElsewhere]), Colour::Yellow);
/// assert_eq!(seed.classify([State::Absent]), Colour::White);
/// assert_eq!(seed.classify([]), Colour::White);
///
/// // A host that marks secondary contacts orange instead.
/// let milder = seed.clone().with(State::SecondaryContact, Colour::Orange);
/// assert_eq!(milder.classify([State::SecondaryContact, State::Well]), Colour::Orange);
///
/// // A mapping must cover every state.
/// assert!(ColourRule::new([(State::Well, Colour::Green)], Default::default()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RuleData", into = "RuleData")]
pub struct ColourRule {
    colours: [Colour; State::COUNT],
    household: HouseholdRule,
}

impl ColourRule {
    /// Seed 003, Zhengzhou 2020 (四级五色): confirmed and suspected cases, close and secondary
    /// contacts red (重点关注户, "key attention"), home isolation after return from the
    /// epidemic area orange, from elsewhere yellow, present and well green, absent white.
    ///
    /// A person in centralised isolation maps to red: like a confirmed case in hospital, they
    /// are away but still belong to the household, which stays under key attention.
    pub const fn zhengzhou_2020() -> Self {
        let mut colours = [Colour::Red; State::COUNT];
        colours[State::Well.index()] = Colour::Green;
        colours[State::Absent.index()] = Colour::White;
        colours[State::HomeIsolationElsewhere.index()] = Colour::Yellow;
        colours[State::HomeIsolationEpidemicArea.index()] = Colour::Orange;
        ColourRule { colours, household: HouseholdRule::MostSevere }
    }

    /// A rule from a mapping that names every state once.
    ///
    /// # Errors
    /// [`ColourError::Unmapped`] for the first state left out, [`ColourError::MappedTwice`] for
    /// a state named twice.
    pub fn new(
        mapping: impl IntoIterator<Item = (State, Colour)>,
        household: HouseholdRule,
    ) -> Result<Self, ColourError> {
        let mut colours: [Option<Colour>; State::COUNT] = [None; State::COUNT];
        for (state, colour) in mapping {
            if colours[state.index()].replace(colour).is_some() {
                return Err(ColourError::MappedTwice { state });
            }
        }
        let mut out = [Colour::White; State::COUNT];
        for state in State::ALL {
            out[state.index()] = colours[state.index()].ok_or(ColourError::Unmapped { state })?;
        }
        Ok(ColourRule { colours: out, household })
    }

    /// This rule with `state` mapped to `colour`.
    #[must_use]
    pub fn with(mut self, state: State, colour: Colour) -> Self {
        self.colours[state.index()] = colour;
        self
    }

    /// The colour a person in `state` gives.
    pub const fn colour_of(&self, state: State) -> Colour {
        self.colours[state.index()]
    }

    /// The household rule.
    pub const fn household_rule(&self) -> HouseholdRule {
        self.household
    }

    /// Every state with its colour, in [`State::ALL`] order.
    pub fn mapping(&self) -> impl Iterator<Item = (State, Colour)> + '_ {
        State::ALL.into_iter().map(|s| (s, self.colour_of(s)))
    }

    /// The colour of a household whose members are in `states`.
    ///
    /// Monotone: adding a member never lowers the colour, and raising a member's colour never
    /// lowers the household's.
    pub fn classify(&self, states: impl IntoIterator<Item = State>) -> Colour {
        match self.household {
            HouseholdRule::MostSevere => states.into_iter().map(|s| self.colour_of(s)).max().unwrap_or(Colour::White),
        }
    }
}

impl Default for ColourRule {
    /// [`ColourRule::zhengzhou_2020`].
    fn default() -> Self {
        ColourRule::zhengzhou_2020()
    }
}

/// The serialised form: a map from state to colour, checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleData {
    colours: BTreeMap<State, Colour>,
    household: HouseholdRule,
}

impl TryFrom<RuleData> for ColourRule {
    type Error = ColourError;
    fn try_from(d: RuleData) -> Result<Self, ColourError> {
        ColourRule::new(d.colours, d.household)
    }
}

impl From<ColourRule> for RuleData {
    fn from(r: ColourRule) -> RuleData {
        RuleData { colours: r.mapping().collect(), household: r.household }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_rule_matches_the_table_of_seed_003() {
        let r = ColourRule::zhengzhou_2020();
        for s in [State::Confirmed, State::Suspected, State::CloseContact, State::SecondaryContact] {
            assert_eq!(r.colour_of(s), Colour::Red, "{s:?}");
        }
        assert_eq!(r.colour_of(State::HomeIsolationEpidemicArea), Colour::Orange);
        assert_eq!(r.colour_of(State::HomeIsolationElsewhere), Colour::Yellow);
        assert_eq!(r.colour_of(State::Well), Colour::Green);
        assert_eq!(r.colour_of(State::Absent), Colour::White);
        assert_eq!(r.classify([State::Absent, State::Well]), Colour::Green);
        assert_eq!(r.classify([State::Well, State::Confirmed, State::HomeIsolationEpidemicArea]), Colour::Red);
    }

    #[test]
    fn serde_round_trips_and_refuses_partial_mappings() {
        let r = ColourRule::zhengzhou_2020().with(State::SecondaryContact, Colour::Orange);
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains(r#""SecondaryContact":"Orange""#), "{json}");
        assert_eq!(serde_json::from_str::<ColourRule>(&json).unwrap(), r);
        let partial = json.replace(r#""Well":"Green","#, "");
        let err = serde_json::from_str::<ColourRule>(&partial).unwrap_err().to_string();
        assert!(err.contains("present and well"), "{err}");
    }

    #[test]
    fn a_state_named_twice_is_refused() {
        let twice = ColourRule::zhengzhou_2020().mapping().chain([(State::Well, Colour::Red)]).collect::<Vec<_>>();
        assert_eq!(
            ColourRule::new(twice, HouseholdRule::MostSevere),
            Err(ColourError::MappedTwice { state: State::Well })
        );
    }
}
