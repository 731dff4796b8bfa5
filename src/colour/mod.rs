//! The five colours 四级五色 (seed 003): person states, the colour rule, tallies and the
//! courtyard map 院区疫情防控平面图.
//!
//! This module owns the rules and the values; the [`Registry`](crate::Registry) keeps them
//! live. Data flows one way:
//!
//! ```text
//! standings ──▶ StandingRule::classify ──▶ household Colour ──▶ Tally per unit / cell
//!                                                     │                (rolled up the tree)
//!                                                     └──▶ ColourMap ──▶ SVG / text
//! ```
//!
//! - [`State`] and [`PersonState`]: why a person is held (confirmed case, close contact,
//!   return from the epidemic area, present and well ...), under which [`Measure`], since
//!   when, and which changes are legal ([`State::may_become`], [`Standing::may_become`]).
//! - [`Colour`]: red 红, orange 橙, yellow 黄, green 绿, white 白, ordered by severity.
//! - [`StandingRule`] (also named [`ColourRule`]): which colour each standing gives, and how a
//!   household's colour follows from its members'. The default is seed 003's (Zhengzhou
//!   2020) read by reason, red for confirmed, suspected and close contacts only; a host can
//!   supply its own.
//! - [`Tally`]: households and persons per colour, persons per state and per measure, and
//!   marked persons per colour, for a unit or a cell. Tallies merge, so a city sharded by
//!   district adds up.
//! - [`Measure`] and [`Standing`]: why (the reason) kept apart from where and how (the
//!   measure: home isolation, health management, centralised isolation).
//! - [`ColourMap`]: the courtyard map, rendered as SVG or text, with no personal data on it.

mod map;
mod measure;
mod rule;
mod state;
mod tally;

pub use map::{ColourMap, MapBlock, MapHousehold, Symbol};
pub use measure::{Measure, MeasureCounts, REASONS, Standing, StandingRule};
pub use rule::{ColourRule, HouseholdRule};
pub(crate) use rule::{V6Rule, V6State};
pub use state::{PersonState, State};
pub(crate) use tally::Delta;
pub use tally::Tally;

use std::fmt;

use serde::{Deserialize, Serialize};

/// What can go wrong with states and colour rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ColourError {
    /// The state may not follow the current one (a confirmed case is not silently downgraded).
    #[error("a person {from} may not become {to} directly")]
    IllegalTransition {
        /// The current state.
        from: State,
        /// The refused state.
        to: State,
    },
    /// The person is in that state already.
    #[error("the person is {state} already")]
    Unchanged {
        /// The state.
        state: State,
    },
    /// A change dated before the current state began.
    #[error("the change on {on} is dated before the current state began on {since}")]
    BeforeCurrent {
        /// When the current state began.
        since: chrono::NaiveDate,
        /// The date of the refused change.
        on: chrono::NaiveDate,
    },
    /// A colour rule gives no colour for a state.
    #[error("the colour rule gives no colour for {state}")]
    Unmapped {
        /// The state left out.
        state: State,
    },
    /// A colour rule maps a state twice.
    #[error("the colour rule maps {state} twice")]
    MappedTwice {
        /// The state mapped twice.
        state: State,
    },
    // Measures and standings (issue 16 §5).
    /// Format 6's state centralised isolation where a reason is needed (a format-6 colour
    /// rule leaving it out): it is a setting, a [`Measure`].
    #[error("centralised isolation is a measure, not a reason")]
    SettingAsReason,
    /// An absent person put under a measure here.
    #[error("an absent person is under no measure here, not {measure}")]
    AbsentUnderMeasure {
        /// The refused measure.
        measure: Measure,
    },
    /// The person is under that measure already.
    #[error("the person is under {measure} already")]
    MeasureUnchanged {
        /// The measure.
        measure: Measure,
    },
}

/// The colour of a household 户 on the courtyard map, ordered by severity: `White < Green <
/// Yellow < Orange < Red`, so the most severe of several is their `max`.
///
/// | colour | household class (seed 003) |
/// |---|---|
/// | red 红 | key attention 重点关注户: a confirmed or suspected case or a close contact lives here |
/// | orange 橙 | home isolation after return from the epidemic area 疫区返郑居家隔离户 |
/// | yellow 黄 | home isolation after return from elsewhere 非疫区返郑居家隔离户 |
/// | green 绿 | stayed, no symptoms 未离郑无症状户 |
/// | white 白 | empty 空户: nobody lives there now |
///
/// # Example
/// ```
/// use wangge::colour::Colour;
/// assert!(Colour::Red > Colour::Orange);
/// assert_eq!(Colour::Green.max(Colour::Yellow), Colour::Yellow);
/// assert_eq!(Colour::Orange.label_zh(), "橙");
/// assert_eq!(Colour::BY_SEVERITY[0], Colour::Red);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Colour {
    /// White 白: an empty household 空户.
    White,
    /// Green 绿: stayed, no symptoms 未离郑无症状户.
    Green,
    /// Yellow 黄: home isolation after return from elsewhere 非疫区返郑居家隔离户.
    Yellow,
    /// Orange 橙: home isolation after return from the epidemic area 疫区返郑居家隔离户.
    Orange,
    /// Red 红: key attention 重点关注户.
    Red,
}

impl Colour {
    /// Every colour, most severe first: the order of a legend.
    pub const BY_SEVERITY: [Colour; 5] = [Colour::Red, Colour::Orange, Colour::Yellow, Colour::Green, Colour::White];

    /// How many colours there are.
    pub const COUNT: usize = 5;

    /// The colour's position in declaration order (`White` = 0 ... `Red` = 4), for tables
    /// indexed by colour.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The colour's Chinese name: 红, 橙, 黄, 绿, 白.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Colour::Red => "红",
            Colour::Orange => "橙",
            Colour::Yellow => "黄",
            Colour::Green => "绿",
            Colour::White => "白",
        }
    }

    /// The colour's English name: red, orange, yellow, green, white.
    pub const fn label_en(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Orange => "orange",
            Colour::Yellow => "yellow",
            Colour::Green => "green",
            Colour::White => "white",
        }
    }

    /// The household class the colour marks, in Chinese (重点关注户 ...).
    pub const fn class_zh(self) -> &'static str {
        match self {
            Colour::Red => "重点关注户",
            Colour::Orange => "疫区返回居家隔离户",
            Colour::Yellow => "非疫区返回居家隔离户",
            Colour::Green => "未离开无症状户",
            Colour::White => "空户",
        }
    }

    /// The household class the colour marks, in English.
    pub const fn class_en(self) -> &'static str {
        match self {
            Colour::Red => "key attention",
            Colour::Orange => "home isolation, from the epidemic area",
            Colour::Yellow => "home isolation, from elsewhere",
            Colour::Green => "stayed, no symptoms",
            Colour::White => "empty",
        }
    }

    /// One capital letter for terminals: R, O, Y, G, W.
    pub const fn initial(self) -> char {
        match self {
            Colour::Red => 'R',
            Colour::Orange => 'O',
            Colour::Yellow => 'Y',
            Colour::Green => 'G',
            Colour::White => 'W',
        }
    }

    /// The fill used on the map, as a CSS hex colour.
    pub const fn hex(self) -> &'static str {
        match self {
            Colour::Red => "#d7191c",
            Colour::Orange => "#fd8d3c",
            Colour::Yellow => "#ffd92f",
            Colour::Green => "#4daf4a",
            Colour::White => "#ffffff",
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}
