//! Measures 管控措施 and standings: *where and how* a person is held apart from *why*.
//!
//! Format 6's states mixed the two: they had a reason for each state but one, centralised
//! isolation, which is a setting. A close contact, an arrival from a
//! non-epidemic area and a discharged case in centralised isolation all become that one state,
//! and seed 003's default rule paints it red, so the map no longer says why. This module keeps
//! the two apart, as format 7 stores them ([`PersonState`](super::PersonState) holds a
//! standing):
//!
//! - [`Measure`]: none, home isolation (= home medical observation 居家医学观察), health
//!   management 健康管理 (seed 000: *not* isolation), centralised isolation 集中隔离.
//! - [`Standing`]: a reason (a [`State`]) with a measure. Its constructor refuses an absent
//!   person under a measure;
//!   its changes ([`Standing::may_become`], [`Standing::set_reason`], [`Standing::under`])
//!   follow the transitions of [`State::may_become`] on the reason, and change the measure
//!   freely: a quarantine's phases change the measure, never the reason
//!   ([`Category::standing_in`](crate::quarantine::Category::standing_in)).
//! - [`StandingRule`]: the colour of a standing, by its reason unless the rule sets a colour
//!   for one reason under one measure. [`StandingRule::zhengzhou_2020`] is seed 003 read by
//!   reason: red for "确诊、疑似病例及密切接触者" only.
//! - `Standing::from_format_6` (crate-private, for the format-6 reader): how a format-6 state
//!   becomes a standing, and what cannot be derived.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Colour, ColourError, HouseholdRule, State, V6Rule, V6State};

/// Where and how a person is held 管控措施: the measure, apart from the reason.
///
/// Serialised by variant name (`"HealthManagement"`).
///
/// # Example
/// ```
/// use wangge::colour::Measure;
/// assert!(Measure::CentralisedIsolation.is_isolation());
/// assert!(!Measure::HealthManagement.is_isolation()); // seed 000: 纳入健康管理, not isolation
/// assert_eq!(Measure::HomeIsolation.label_zh(), "居家隔离（居家医学观察）");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum Measure {
    /// No measure: the person lives as usual (or is away).
    #[default]
    None,
    /// Health management 纳入健康管理 (seed 000, arrivals from other areas): registered and
    /// followed up, not isolated.
    HealthManagement,
    /// Home isolation 居家隔离, also called home medical observation 居家医学观察 (seed 000's
    /// arrivals from key areas, seed 001's 14 days of home isolation observation).
    HomeIsolation,
    /// Centralised isolation 集中隔离, at a designated site (seed 003: "集中隔离服务41人").
    CentralisedIsolation,
}

impl Measure {
    /// Every measure, in declaration order.
    pub const ALL: [Measure; 4] =
        [Measure::None, Measure::HealthManagement, Measure::HomeIsolation, Measure::CentralisedIsolation];

    /// How many measures there are.
    pub const COUNT: usize = 4;

    /// The measure's position in [`Measure::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Whether the person is isolated (at home or at a site); health management is not.
    pub const fn is_isolation(self) -> bool {
        matches!(self, Measure::HomeIsolation | Measure::CentralisedIsolation)
    }

    /// The Chinese name.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Measure::None => "无",
            Measure::HealthManagement => "健康管理",
            Measure::HomeIsolation => "居家隔离（居家医学观察）",
            Measure::CentralisedIsolation => "集中隔离",
        }
    }

    /// The English name.
    pub const fn label_en(self) -> &'static str {
        match self {
            Measure::None => "no measure",
            Measure::HealthManagement => "health management",
            Measure::HomeIsolation => "home isolation",
            Measure::CentralisedIsolation => "centralised isolation",
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// Persons per measure 各管控措施人数 inside a unit: how many live as usual, under health
/// management, in home isolation and in centralised isolation (seed 003: "集中隔离服务41人").
/// Read with [`Registry::measures`](crate::Registry::measures); shards add up with `+`.
///
/// # Example
/// ```
/// use wangge::colour::{Measure, MeasureCounts};
/// let mut a = MeasureCounts::new();
/// a.add(Measure::CentralisedIsolation, 41);
/// let b = a + MeasureCounts::new();
/// assert_eq!((b.get(Measure::CentralisedIsolation), b.total()), (41, 41));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct MeasureCounts([u64; Measure::COUNT]);

impl MeasureCounts {
    /// No one.
    pub const fn new() -> Self {
        MeasureCounts([0; Measure::COUNT])
    }

    /// Persons under `measure`.
    pub const fn get(&self, measure: Measure) -> u64 {
        self.0[measure.index()]
    }

    /// Everyone counted.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0, |a, &n| a.saturating_add(n))
    }

    /// Count `n` more persons under `measure` (saturating).
    pub fn add(&mut self, measure: Measure, n: u64) {
        self.0[measure.index()] = self.0[measure.index()].saturating_add(n);
    }

    /// Move one person from `from` to `to` (none leaves a measure counted at zero).
    pub fn shift(&mut self, from: Measure, to: Measure) {
        self.0[from.index()] = self.0[from.index()].saturating_sub(1);
        self.add(to, 1);
    }

    /// Every measure with its count, in [`Measure::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Measure, u64)> + '_ {
        Measure::ALL.into_iter().map(|m| (m, self.get(m)))
    }
}

impl std::ops::Add for MeasureCounts {
    type Output = MeasureCounts;
    fn add(mut self, o: MeasureCounts) -> MeasureCounts {
        for m in Measure::ALL {
            MeasureCounts::add(&mut self, m, o.get(m));
        }
        self
    }
}

impl std::iter::Sum for MeasureCounts {
    fn sum<I: Iterator<Item = MeasureCounts>>(iter: I) -> MeasureCounts {
        iter.fold(MeasureCounts::new(), |a, b| a + b)
    }
}

/// The reasons: every [`State`] (format 7 has no setting among its states); [`State::ALL`].
pub const REASONS: [State; State::COUNT] = State::ALL;

/// A person's standing 人员管控状态: why (the reason, a [`State`]) and where and how (the
/// [`Measure`]), kept apart.
///
/// An [`State::Absent`] person is under no measure here. The two `HomeIsolation…` states name the
/// reason, where the person returned from (疫区返郑 / 非疫区返郑); their measure says whether
/// they are at home, under health management or at a site.
///
/// # Example
/// ```
/// use wangge::colour::{Measure, Standing, State};
///
/// // A person back from a non-epidemic area, placed in centralised isolation.
/// let s = Standing::new(State::HomeIsolationElsewhere, Measure::CentralisedIsolation)?;
/// assert_eq!(s.reason(), State::HomeIsolationElsewhere);
/// assert!(Standing::new(State::Absent, Measure::CentralisedIsolation).is_err());
/// # Ok::<(), wangge::colour::ColourError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "StandingFields", into = "StandingFields")]
pub struct Standing {
    reason: State,
    measure: Measure,
}

/// The serialised form of a [`Standing`], checked on the way in.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Standing")]
struct StandingFields {
    reason: State,
    measure: Measure,
}

impl TryFrom<StandingFields> for Standing {
    type Error = ColourError;
    fn try_from(f: StandingFields) -> Result<Self, ColourError> {
        Standing::new(f.reason, f.measure)
    }
}

impl From<Standing> for StandingFields {
    fn from(s: Standing) -> StandingFields {
        StandingFields { reason: s.reason, measure: s.measure }
    }
}

impl Standing {
    /// Present and well, under no measure: how most persons are registered.
    pub const WELL: Standing = Standing { reason: State::Well, measure: Measure::None };

    /// `reason` under `measure`.
    ///
    /// # Errors
    /// [`ColourError::AbsentUnderMeasure`] for an absent person under a measure.
    pub const fn new(reason: State, measure: Measure) -> Result<Standing, ColourError> {
        if matches!(reason, State::Absent) && !matches!(measure, Measure::None) {
            return Err(ColourError::AbsentUnderMeasure { measure });
        }
        Ok(Standing { reason, measure })
    }

    /// `reason` under the measure a [`Command::SetState`](crate::Command::SetState) of it gives
    /// a person under no measure ([`Standing::default_measure`]).
    pub const fn of(reason: State) -> Standing {
        Standing { reason, measure: Standing::default_measure(reason) }
    }

    /// The measure a reason brings by itself: home isolation for the two `HomeIsolation…`
    /// reasons (seed 003's orange and yellow households are "居家隔离户"), none for the others
    /// (a contact's or a case's measure is the setting of their case's phase, or set apart).
    pub const fn default_measure(reason: State) -> Measure {
        match reason {
            State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea => Measure::HomeIsolation,
            _ => Measure::None,
        }
    }

    /// Why.
    pub const fn reason(self) -> State {
        self.reason
    }

    /// Where and how.
    pub const fn measure(self) -> Measure {
        self.measure
    }

    /// Whether `next` may follow `self` directly.
    ///
    /// - The same standing is not a change.
    /// - Under centralised isolation the reason may change to any but absent (what format 6
    ///   allowed its state centralised isolation: released, a home phase after the
    ///   centralised one, a contact, a case; so no format-6 log is refused on upgrade).
    /// - Otherwise a change of reason follows [`State::may_become`], except that a confirmed
    ///   case leaves only from centralised isolation (format 6: "discharged 出院 into
    ///   isolated observation" first).
    /// - A change of the measure alone is always allowed (the phases of a quarantine, a
    ///   person moved to a site and back home).
    pub const fn may_become(self, next: Standing) -> bool {
        let same_reason = self.reason as u8 == next.reason as u8;
        if same_reason {
            return self.measure as u8 != next.measure as u8;
        }
        if matches!(self.measure, Measure::CentralisedIsolation) {
            return !matches!(next.reason, State::Absent);
        }
        if matches!(self.reason, State::Confirmed) {
            return false;
        }
        self.reason.may_become(next.reason)
    }

    /// The standing after a [`Command::SetState`](crate::Command::SetState) to `reason`: the
    /// reason changes and the measure follows it:
    /// - present and well, or absent: no measure (released, or gone);
    /// - the two `HomeIsolation…` reasons: home isolation, unless the person is under
    ///   centralised isolation, which stays;
    /// - a contact or a case: the measure stays (a close contact found at a site stays there).
    ///
    /// # Errors
    /// [`ColourError::Unchanged`] when `reason` is the current one,
    /// [`ColourError::IllegalTransition`] when [`Standing::may_become`] forbids it.
    ///
    /// # Example
    /// ```
    /// use wangge::colour::{Measure, Standing, State};
    /// let arrived = Standing::of(State::HomeIsolationElsewhere).under(Measure::CentralisedIsolation)?;
    /// let contact = arrived.set_reason(State::CloseContact)?;
    /// assert_eq!((contact.reason(), contact.measure()), (State::CloseContact, Measure::CentralisedIsolation));
    /// assert_eq!(contact.set_reason(State::Well)?, Standing::WELL);
    /// # Ok::<(), wangge::colour::ColourError>(())
    /// ```
    pub fn set_reason(self, reason: State) -> Result<Standing, ColourError> {
        if reason == self.reason {
            return Err(ColourError::Unchanged { state: reason });
        }
        let measure = match reason {
            State::Well | State::Absent => Measure::None,
            State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea
                if self.measure != Measure::CentralisedIsolation =>
            {
                Measure::HomeIsolation
            }
            _ => self.measure,
        };
        let next = Standing::new(reason, measure)?;
        if !self.may_become(next) {
            return Err(ColourError::IllegalTransition { from: self.reason, to: reason });
        }
        Ok(next)
    }

    /// The standing with its measure replaced and its reason kept.
    ///
    /// # Errors
    /// [`ColourError::MeasureUnchanged`] when `measure` is the current one,
    /// [`ColourError::AbsentUnderMeasure`] for an absent person.
    pub const fn under(self, measure: Measure) -> Result<Standing, ColourError> {
        if self.measure as u8 == measure as u8 {
            return Err(ColourError::MeasureUnchanged { measure });
        }
        Standing::new(self.reason, measure)
    }

    /// The standing a format-6 `state` becomes in format 7.
    ///
    /// Every state but centralised isolation is a reason: it keeps it, under its
    /// [`Standing::default_measure`]. A format-6 centralised isolation becomes the centralised
    /// measure with the reason `derived`, which the caller derives, in this order:
    /// 1. the person's open case: its category's reason
    ///    ([`Category::reason`](crate::quarantine::Category::reason)), and the measure of the
    ///    case's phase;
    /// 2. in a log, the reason before the change into centralised isolation (a close contact
    ///    placed at a site stays a close contact; a confirmed case discharged into isolated
    ///    observation stays confirmed).
    ///
    /// **What cannot be derived**: a person put in centralised isolation by a format-6
    /// `SetState` from present and well or absent (no case, no earlier reason), or registered
    /// in it, or read from a snapshot alone with no open case. `derived` is then `None` (an
    /// absent reason counts as none: an absent person is under no measure) and the reason
    /// becomes [`State::Well`] under centralised isolation: the person stays at the site, and
    /// [`StandingRule::zhengzhou_2020_format_6`] (the rule a format-6 registry keeps) still
    /// paints them red as before; under the corrected rule they are green until a host
    /// states the reason.
    pub(crate) const fn from_format_6(state: V6State, derived: Option<State>) -> Standing {
        match state.reason() {
            Some(reason) => Standing::of(reason),
            None => {
                let reason = match derived {
                    Some(State::Absent) | None => State::Well,
                    Some(r) => r,
                };
                Standing { reason, measure: Measure::CentralisedIsolation }
            }
        }
    }

    /// The format-6 state this standing reads as: its reason, or centralised isolation under
    /// the centralised measure (how the upgrade checks that a format-6 log replays the same).
    pub(crate) const fn format_6(self) -> V6State {
        match self.measure {
            Measure::CentralisedIsolation => V6State::CentralisedIsolation,
            _ => V6State::of(self.reason),
        }
    }
}

impl From<State> for Standing {
    /// [`Standing::of`]: the reason under the measure it brings.
    fn from(reason: State) -> Standing {
        Standing::of(reason)
    }
}

impl Default for Standing {
    /// [`Standing::WELL`].
    fn default() -> Self {
        Standing::WELL
    }
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, {}", self.reason, self.measure)
    }
}

/// The colour rule over standings 五色标记规则(按原因): a colour for every reason, and
/// optionally a colour for one reason under one measure. The household's colour follows from
/// its members' by its [`HouseholdRule`].
///
/// Serialised as `{"reasons": {"Well": "Green", ...}, "cells": [{"reason": .., "measure": ..,
/// "colour": ..}], "household": "MostSevere"}`, `cells` left out when empty.
///
/// # Example
/// ```
/// use wangge::colour::{Colour, Measure, Standing, StandingRule, State};
///
/// let rule = StandingRule::zhengzhou_2020();
/// let at_site = |r| Standing::new(r, Measure::CentralisedIsolation).unwrap();
/// assert_eq!(rule.colour_of(at_site(State::CloseContact)), Colour::Red);
/// assert_eq!(rule.colour_of(at_site(State::HomeIsolationElsewhere)), Colour::Yellow); // keeps yellow
/// assert_eq!(rule.colour_of(Standing::of(State::SecondaryContact)), Colour::Orange);
///
/// // A host that paints health management of arrivals from elsewhere green.
/// let managed = Standing::new(State::HomeIsolationElsewhere, Measure::HealthManagement)?;
/// assert_eq!(rule.colour_of(managed), Colour::Yellow);
/// let host = rule.with_cell(State::HomeIsolationElsewhere, Measure::HealthManagement, Colour::Green)?;
/// assert_eq!(host.colour_of(managed), Colour::Green);
/// # Ok::<(), wangge::colour::ColourError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StandingRuleData", into = "StandingRuleData")]
pub struct StandingRule {
    /// Indexed by [`State::index`].
    reasons: [Colour; State::COUNT],
    /// Indexed by [`State::index`] then [`Measure::index`]: the colour of each cell.
    cells: [[Colour; Measure::COUNT]; State::COUNT],
    household: HouseholdRule,
}

impl StandingRule {
    /// Seed 003 (Zhengzhou 2020, 四级五色) read by reason. The seed's classes: "重点关注户
    /// (确诊、疑似病例及密切接触者)、疫区返郑居家隔离户、非疫区返郑居家隔离户、未离郑无症状户、空户",
    /// red, orange, yellow, green, white:
    /// - red: confirmed cases, suspected cases and close contacts, the three the seed names;
    /// - orange: arrivals from the epidemic area (疫区返郑);
    /// - yellow: arrivals from elsewhere (非疫区返郑);
    /// - green: present and well (未离郑无症状); white: absent (空户).
    ///
    /// The colour follows the reason whatever the measure: an arrival from a non-epidemic
    /// area placed in centralised isolation keeps yellow.
    ///
    /// Choices the seed does not make, documented here:
    /// - **Secondary contacts** 次密切接触者 are orange. Seed 003 (February 2020) names no
    ///   secondary contacts (the category came with the 8th edition of the national protocol,
    ///   2021), and its red is for the three reasons above only. A secondary contact is held
    ///   for a link to the epidemic, not for a case of their own: the class below key
    ///   attention that the seed keeps for an epidemic link is orange ("疫区返郑居家隔离").
    /// - **Health management** 纳入健康管理 (seed 000's arrivals from other areas, not
    ///   isolation) keeps the reason's colour: yellow for an arrival from elsewhere. The seed's
    ///   green is for those who did not leave ("未离郑"), and yellow is its only class for an
    ///   arrival from a non-epidemic area. A host that reads health management as green sets
    ///   it with [`StandingRule::with_cell`].
    pub const fn zhengzhou_2020() -> Self {
        let mut reasons = [Colour::Red; State::COUNT];
        reasons[State::Well.index()] = Colour::Green;
        reasons[State::Absent.index()] = Colour::White;
        reasons[State::HomeIsolationElsewhere.index()] = Colour::Yellow;
        reasons[State::HomeIsolationEpidemicArea.index()] = Colour::Orange;
        reasons[State::SecondaryContact.index()] = Colour::Orange;
        StandingRule::by_reason(reasons, HouseholdRule::MostSevere)
    }

    /// The rule a registry of format 6 keeps (format 6's default rule read over standings):
    /// secondary contacts red, and anyone under centralised isolation red whatever the reason. A format-6 registry read by a later build keeps it, so its
    /// log replays to the same colours; a host moves to the corrected rule by command.
    pub const fn zhengzhou_2020_format_6() -> Self {
        let mut rule = StandingRule::zhengzhou_2020();
        rule.reasons[State::SecondaryContact.index()] = Colour::Red;
        let mut i = 0;
        while i < State::COUNT {
            // No standing has absent as its reason under a measure.
            if i != State::Absent.index() {
                rule.cells[i] = [rule.reasons[i]; Measure::COUNT];
                rule.cells[i][Measure::CentralisedIsolation.index()] = Colour::Red;
            }
            i += 1;
        }
        rule
    }

    /// The rule over standings that a format-6 colour rule becomes: each reason keeps the
    /// rule's colour for it, and every reason under centralised isolation takes the colour
    /// the rule gave the format-6 state `CentralisedIsolation` (absent persons are under no
    /// measure). So a format-6 state upgraded by `Standing::from_format_6` keeps its colour
    /// whatever reason is derived for it, and a household keeps its colour: format 6's default
    /// rule becomes [`StandingRule::zhengzhou_2020_format_6`]. This is how a format-6
    /// `SetColourRule` or snapshot rule (`{"colours": {..}, "household": ..}`) is read.
    pub(crate) fn from_format_6(rule: &V6Rule) -> Self {
        let mut reasons = [Colour::White; State::COUNT];
        for reason in REASONS {
            reasons[reason.index()] = rule.colour_of(V6State::of(reason));
        }
        let mut out = StandingRule::by_reason(reasons, rule.household_rule());
        let at_site = rule.colour_of(V6State::CentralisedIsolation);
        for reason in REASONS {
            if reason != State::Absent {
                out.cells[reason.index()][Measure::CentralisedIsolation.index()] = at_site;
            }
        }
        out
    }

    /// A rule whose colour follows the reason alone: `reasons` indexed by [`State::index`].
    const fn by_reason(reasons: [Colour; State::COUNT], household: HouseholdRule) -> Self {
        let mut cells = [[Colour::White; Measure::COUNT]; State::COUNT];
        let mut i = 0;
        while i < State::COUNT {
            cells[i] = [reasons[i]; Measure::COUNT];
            i += 1;
        }
        StandingRule { reasons, cells, household }
    }

    /// A rule from a colour for every reason, each reason named once.
    ///
    /// # Errors
    /// [`ColourError::MappedTwice`] for a reason named twice, [`ColourError::Unmapped`] for
    /// the first reason left out.
    pub fn new(
        mapping: impl IntoIterator<Item = (State, Colour)>,
        household: HouseholdRule,
    ) -> Result<Self, ColourError> {
        let mut found: [Option<Colour>; State::COUNT] = [None; State::COUNT];
        for (state, colour) in mapping {
            if found[state.index()].replace(colour).is_some() {
                return Err(ColourError::MappedTwice { state });
            }
        }
        let mut reasons = [Colour::White; State::COUNT];
        for state in REASONS {
            reasons[state.index()] = found[state.index()].ok_or(ColourError::Unmapped { state })?;
        }
        Ok(StandingRule::by_reason(reasons, household))
    }

    /// This rule with `reason` mapped to `colour` under every measure (its cells replaced).
    #[must_use]
    pub fn with(mut self, reason: State, colour: Colour) -> Self {
        self.reasons[reason.index()] = colour;
        self.cells[reason.index()] = [colour; Measure::COUNT];
        self
    }

    /// The household rule.
    pub const fn household_rule(&self) -> HouseholdRule {
        self.household
    }

    /// Every reason with its colour under no set cell, in [`State::ALL`] order.
    pub fn mapping(&self) -> impl Iterator<Item = (State, Colour)> + '_ {
        REASONS.into_iter().map(|s| (s, self.colour_of_reason(s)))
    }

    /// This rule with `reason` under `measure` mapped to `colour`: a rule setting, such as the
    /// colour of health management.
    ///
    /// # Errors
    /// As [`Standing::new`]: no such standing.
    pub fn with_cell(mut self, reason: State, measure: Measure, colour: Colour) -> Result<Self, ColourError> {
        let s = Standing::new(reason, measure)?;
        self.cells[s.reason.index()][s.measure.index()] = colour;
        Ok(self)
    }

    /// The colour of a reason under no set cell.
    pub const fn colour_of_reason(&self, reason: State) -> Colour {
        self.reasons[reason.index()]
    }

    /// The colour a person of `standing` gives (a [`State`] alone is read as
    /// [`Standing::of`] it).
    pub fn colour_of(&self, standing: impl Into<Standing>) -> Colour {
        let standing = standing.into();
        self.cells[standing.reason.index()][standing.measure.index()]
    }

    /// The colour of a household whose members are in `standings` (white for none).
    ///
    /// Monotone: adding a member never lowers the colour.
    pub fn classify<S: Into<Standing>>(&self, standings: impl IntoIterator<Item = S>) -> Colour {
        match self.household {
            HouseholdRule::MostSevere => {
                standings.into_iter().map(|s| self.colour_of(s)).max().unwrap_or(Colour::White)
            }
        }
    }

    /// The cells whose colour differs from their reason's, in reason then measure order.
    pub fn cells(&self) -> impl Iterator<Item = (Standing, Colour)> + '_ {
        REASONS.into_iter().flat_map(move |r| {
            Measure::ALL.into_iter().filter_map(move |m| {
                let colour = self.cells[r.index()][m.index()];
                let s = Standing::new(r, m).ok()?;
                (colour != self.reasons[r.index()]).then_some((s, colour))
            })
        })
    }
}

impl Default for StandingRule {
    /// [`StandingRule::zhengzhou_2020`].
    fn default() -> Self {
        StandingRule::zhengzhou_2020()
    }
}

/// One set cell of a [`StandingRule`], serialised.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CellData {
    reason: State,
    measure: Measure,
    colour: Colour,
}

/// The serialised form of a [`StandingRule`]; format 6's colour rule (`colours`, a colour
/// for each of its states) is read too, as [`StandingRule::from_format_6`] reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandingRuleData {
    #[serde(default)]
    reasons: Option<BTreeMap<State, Colour>>,
    #[serde(default)]
    cells: Vec<CellData>,
    household: HouseholdRule,
    /// Format 6's mapping, never written: last, so a positional form reads without it.
    #[serde(default)]
    colours: Option<BTreeMap<V6State, Colour>>,
}

// JSON leaves no set cell out; binary forms write every field (see `crate::form`).
crate::form::serialize_fields!(StandingRuleData {
    reasons,
    cells skip_if Vec::is_empty,
    household,
});

impl TryFrom<StandingRuleData> for StandingRule {
    type Error = ColourError;
    fn try_from(d: StandingRuleData) -> Result<Self, ColourError> {
        let reasons = match (d.reasons, d.colours) {
            (Some(reasons), None) => reasons,
            (None, Some(colours)) if d.cells.is_empty() => {
                return Ok(StandingRule::from_format_6(&V6Rule::new(colours, d.household)?));
            }
            _ => return Err(ColourError::Unmapped { state: State::Well }),
        };
        let mut rule = StandingRule::new(reasons, d.household)?;
        for c in d.cells {
            rule = rule.with_cell(c.reason, c.measure, c.colour)?;
        }
        Ok(rule)
    }
}

impl From<StandingRule> for StandingRuleData {
    fn from(r: StandingRule) -> StandingRuleData {
        StandingRuleData {
            reasons: Some(r.mapping().collect()),
            colours: None,
            cells: r.cells().map(|(s, colour)| CellData { reason: s.reason(), measure: s.measure(), colour }).collect(),
            household: r.household,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_is_for_the_three_reasons_of_seed_003_whatever_the_measure() {
        let rule = StandingRule::zhengzhou_2020();
        for reason in REASONS {
            for measure in Measure::ALL {
                let Ok(s) = Standing::new(reason, measure) else { continue };
                let red = matches!(reason, State::Confirmed | State::Suspected | State::CloseContact);
                assert_eq!(rule.colour_of(s) == Colour::Red, red, "{s}");
                assert_eq!(rule.colour_of(s), rule.colour_of_reason(reason), "{s}");
            }
        }
    }

    #[test]
    fn the_seed_rule_of_format_6_converts_to_the_format_6_rule() {
        assert_eq!(StandingRule::from_format_6(&V6Rule::zhengzhou_2020()), StandingRule::zhengzhou_2020_format_6());
    }

    #[test]
    fn the_format_6_rule_reads_the_format_6_states_as_before() {
        let old = V6Rule::zhengzhou_2020();
        let rule = StandingRule::zhengzhou_2020_format_6();
        for state in V6State::ALL {
            for derived in REASONS.into_iter().map(Some).chain([None]) {
                let s = Standing::from_format_6(state, derived);
                assert_eq!(rule.colour_of(s), old.colour_of(state), "{state:?} {derived:?}");
                assert_eq!(s.format_6(), state, "{state:?} {derived:?}");
            }
        }
    }

    #[test]
    fn serde_round_trips_and_refuses_the_setting_as_a_reason() {
        let rule = StandingRule::zhengzhou_2020()
            .with_cell(State::HomeIsolationElsewhere, Measure::HealthManagement, Colour::Green)
            .expect("a standing");
        let json = serde_json::to_string(&rule).expect("it serialises");
        assert!(
            json.contains(
                r#""cells":[{"reason":"HomeIsolationElsewhere","measure":"HealthManagement","colour":"Green"}]"#
            ),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<StandingRule>(&json).expect("it reads"), rule);
        let old = StandingRule::zhengzhou_2020_format_6();
        let json6 = serde_json::to_string(&old).expect("it serialises");
        assert_eq!(serde_json::from_str::<StandingRule>(&json6).expect("it reads"), old);
        let plain = serde_json::to_string(&StandingRule::zhengzhou_2020()).expect("it serialises");
        assert!(!plain.contains("cells"), "{plain}");
        let bad = plain.replace(r#""Well":"Green""#, r#""Well":"Green","CentralisedIsolation":"Red""#);
        assert!(serde_json::from_str::<StandingRule>(&bad).is_err());
        // Format 6's rule, its nine states, reads as the rule over standings it becomes.
        let v6 = r#"{"colours":{"Well":"Green","Absent":"White","HomeIsolationElsewhere":"Yellow","HomeIsolationEpidemicArea":"Orange","CentralisedIsolation":"Red","SecondaryContact":"Red","CloseContact":"Red","Suspected":"Red","Confirmed":"Red"},"household":"MostSevere"}"#;
        assert_eq!(
            serde_json::from_str::<StandingRule>(v6).expect("it reads"),
            StandingRule::zhengzhou_2020_format_6()
        );
        assert!(serde_json::from_str::<Standing>(r#"{"reason":"Absent","measure":"HomeIsolation"}"#).is_err());
        assert!(serde_json::from_str::<Standing>(r#"{"reason":"CentralisedIsolation","measure":"None"}"#).is_err());
    }
}
