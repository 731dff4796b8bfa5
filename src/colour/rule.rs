//! How a household's colour follows from its members', and the colour rule of format 6 as the
//! format-6 reader knows it.
//!
//! The registry holds one [`StandingRule`](super::StandingRule) (its name before format 7,
//! [`ColourRule`], is kept as an alias) and calls its `classify` whenever a member of a
//! household changes; the colour that comes out is counted in the tallies and drawn on the
//! map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Colour, ColourError, State};

/// How a household's colour follows from its members' colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum HouseholdRule {
    /// The most severe colour among the members present wins (red > orange > yellow > green);
    /// white when nobody is present (seed 003). A member counts as present unless their
    /// standing's colour is white.
    #[default]
    MostSevere,
}

/// The colour rule 五色标记规则: since format 7 a rule over standings, [`StandingRule`](super::StandingRule).
/// The name is kept for hosts that named it; format 6's rule (a colour for each of its nine
/// states, centralised isolation among them) is read as
/// [`StandingRule::zhengzhou_2020_format_6`](super::StandingRule::zhengzhou_2020_format_6)
/// reads format 6's default.
pub type ColourRule = super::StandingRule;

/// A person state of format 6: the eight reasons of format 7 and the setting
/// `CentralisedIsolation`, which format 6 stored as a state. Only the format-6 reader knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum V6State {
    Well,
    Absent,
    HomeIsolationElsewhere,
    HomeIsolationEpidemicArea,
    CentralisedIsolation,
    SecondaryContact,
    CloseContact,
    Suspected,
    Confirmed,
}

impl V6State {
    /// Every state of format 6, in its order (the index its packed binary form used).
    pub(crate) const ALL: [V6State; 9] = [
        V6State::Well,
        V6State::Absent,
        V6State::HomeIsolationElsewhere,
        V6State::HomeIsolationEpidemicArea,
        V6State::CentralisedIsolation,
        V6State::SecondaryContact,
        V6State::CloseContact,
        V6State::Suspected,
        V6State::Confirmed,
    ];

    /// The reason it names, `None` for centralised isolation (a setting).
    pub(crate) const fn reason(self) -> Option<State> {
        Some(match self {
            V6State::Well => State::Well,
            V6State::Absent => State::Absent,
            V6State::HomeIsolationElsewhere => State::HomeIsolationElsewhere,
            V6State::HomeIsolationEpidemicArea => State::HomeIsolationEpidemicArea,
            V6State::CentralisedIsolation => return None,
            V6State::SecondaryContact => State::SecondaryContact,
            V6State::CloseContact => State::CloseContact,
            V6State::Suspected => State::Suspected,
            V6State::Confirmed => State::Confirmed,
        })
    }

    /// The format-6 state of a reason.
    pub(crate) const fn of(reason: State) -> V6State {
        match reason {
            State::Well => V6State::Well,
            State::Absent => V6State::Absent,
            State::HomeIsolationElsewhere => V6State::HomeIsolationElsewhere,
            State::HomeIsolationEpidemicArea => V6State::HomeIsolationEpidemicArea,
            State::SecondaryContact => V6State::SecondaryContact,
            State::CloseContact => V6State::CloseContact,
            State::Suspected => V6State::Suspected,
            State::Confirmed => V6State::Confirmed,
        }
    }
}

/// Format 6's colour rule: a colour for each of its nine states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct V6Rule {
    colours: [Colour; 9],
    household: HouseholdRule,
}

impl V6Rule {
    /// Format 6's default, seed 003 as format 6 read it: every case, contact and centralised
    /// isolation red.
    #[cfg(test)]
    pub(crate) const fn zhengzhou_2020() -> Self {
        let mut colours = [Colour::Red; 9];
        colours[V6State::Well as usize] = Colour::Green;
        colours[V6State::Absent as usize] = Colour::White;
        colours[V6State::HomeIsolationElsewhere as usize] = Colour::Yellow;
        colours[V6State::HomeIsolationEpidemicArea as usize] = Colour::Orange;
        V6Rule { colours, household: HouseholdRule::MostSevere }
    }

    /// A rule from a mapping naming every format-6 state.
    ///
    /// # Errors
    /// [`ColourError::Unmapped`] for a reason left out, [`ColourError::SettingAsReason`] for
    /// centralised isolation left out.
    pub(crate) fn new(mapping: BTreeMap<V6State, Colour>, household: HouseholdRule) -> Result<Self, ColourError> {
        let mut colours = [Colour::White; 9];
        for state in V6State::ALL {
            colours[state as usize] = *mapping.get(&state).ok_or(match state.reason() {
                Some(state) => ColourError::Unmapped { state },
                None => ColourError::SettingAsReason,
            })?;
        }
        Ok(V6Rule { colours, household })
    }

    /// The colour of a format-6 state.
    pub(crate) const fn colour_of(&self, state: V6State) -> Colour {
        self.colours[state as usize]
    }

    /// The household rule.
    pub(crate) const fn household_rule(&self) -> HouseholdRule {
        self.household
    }
}
