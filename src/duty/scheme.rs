//! Responsibility schemes 包保方案 as data: which targets, which roles each needs, how many,
//! and where their holders must belong.
//!
//! A host takes a preset or builds its own ([`Scheme::builder`], serde) and sends it in
//! [`Command::AdoptScheme`](crate::Command::AdoptScheme). The registry then asks each rule's
//! [`TargetSelector`] which units, cells and persons need cover, and
//! [`Roster::problems`](super::Roster::problems), [`Roster::solve`](super::Roster::solve) and
//! [`Roster::replace`](super::Roster::replace) read its [`Slot`]s for roles, counts and
//! localities.

use serde::{Deserialize, Serialize};

use super::{DutyError, Role};
use crate::OverlayId;
use crate::colour::State;
use crate::grid::{Level, Unit, UnitKind};

/// The longest scheme name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The longest source citation accepted, in characters.
pub const MAX_SOURCE_CHARS: usize = 1000;

/// A class of units by kind, for [`TargetSelector::UnitsOfKind`]: [`UnitKind`] without the
/// detail (any compound, any entrance, with or without a checkpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum UnitClass {
    /// Areas: sub-districts, communities, villages ...
    Area,
    /// Compounds and courtyards of any kind.
    Compound,
    /// Buildings and building groups.
    Building,
    /// Entrances, with or without a checkpoint.
    Entrance,
    /// Roads.
    Road,
    /// Workplaces and enterprises.
    Workplace,
}

impl UnitClass {
    /// The class of a unit kind.
    ///
    /// # Example
    /// ```
    /// use wangge::duty::UnitClass;
    /// use wangge::grid::{CheckpointKind, UnitKind};
    /// assert_eq!(UnitClass::of(UnitKind::Entrance(Some(CheckpointKind::PublicPlace))), UnitClass::Entrance);
    /// ```
    pub const fn of(kind: UnitKind) -> Self {
        match kind {
            UnitKind::Area => UnitClass::Area,
            UnitKind::Compound(_) => UnitClass::Compound,
            UnitKind::Building => UnitClass::Building,
            UnitKind::Entrance(_) => UnitClass::Entrance,
            UnitKind::Road => UnitClass::Road,
            UnitKind::Workplace => UnitClass::Workplace,
        }
    }
}

/// Which targets a rule covers.
///
/// Serialised externally tagged: `{"UnitsAtLevel": 1}`, `{"UnitsOfKind": "Entrance"}`,
/// `{"CellsOf": 0}`, `{"PersonsIn": ["HomeIsolationElsewhere"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TargetSelector {
    /// Every unit at this level of the tree's scheme (the communities, the villages ...).
    UnitsAtLevel(Level),
    /// Every unit of this class (every entrance, building, road ...).
    UnitsOfKind(UnitClass),
    /// Every cell of this overlay (the zones of a zone overlay ...).
    CellsOf(OverlayId),
    /// Every person in one of these states; never empty, kept sorted without repeats.
    PersonsIn(Vec<State>),
}

impl TargetSelector {
    /// The level of the units this selector picks, when it picks by level.
    pub const fn level(&self) -> Option<Level> {
        match self {
            TargetSelector::UnitsAtLevel(level) => Some(*level),
            _ => None,
        }
    }

    /// Whether this selector picks `unit`, by its level or its kind's class; a cell or person
    /// selector picks no unit. Open or closed alike: whether a closed unit still needs cover is
    /// the caller's question.
    ///
    /// # Example
    /// ```
    /// use wangge::OverlayId;
    /// use wangge::duty::{TargetSelector, UnitClass};
    /// use wangge::grid::{CheckpointKind, Level, LevelScheme, NewUnit, Tree, UnitKind};
    ///
    /// let mut tree = Tree::new(LevelScheme::zhengzhou(), NewUnit::new("花园路街道", Level::new(0), UnitKind::Area))?;
    /// let community = tree.add(tree.root(), NewUnit::new("农科路社区", Level::new(1), UnitKind::Area))?;
    /// let yard = tree.add(community, NewUnit::new("3号院", Level::new(2), UnitKind::Area))?;
    /// let gate = tree.add(yard, NewUnit::new("东门", Level::new(3), UnitKind::Entrance(Some(CheckpointKind::PublicPlace))))?;
    ///
    /// let communities = TargetSelector::UnitsAtLevel(Level::new(1));
    /// let entrances = TargetSelector::UnitsOfKind(UnitClass::Entrance);
    /// assert!(communities.selects_unit(tree.unit(community)?));
    /// assert!(!communities.selects_unit(tree.unit(yard)?));
    /// assert!(entrances.selects_unit(tree.unit(gate)?)); // with or without a checkpoint
    /// assert!(!TargetSelector::CellsOf(OverlayId::new(0)).selects_unit(tree.unit(community)?));
    /// # Ok::<(), wangge::grid::GridError>(())
    /// ```
    pub fn selects_unit(&self, unit: &Unit) -> bool {
        match self {
            TargetSelector::UnitsAtLevel(level) => unit.level() == *level,
            TargetSelector::UnitsOfKind(class) => UnitClass::of(unit.kind()) == *class,
            TargetSelector::CellsOf(_) | TargetSelector::PersonsIn(_) => false,
        }
    }

    fn normalise(&mut self) {
        if let TargetSelector::PersonsIn(states) = self {
            states.sort_unstable();
            states.dedup();
        }
    }
}

/// Where a role's holder must belong, relative to the target's unit (for a unit, itself; for a
/// person, their household's unit; for a cell, the unit its caller names).
///
/// [`Staff::may_hold`](super::Staff::may_hold) shows [`Locality::HomeCovers`] and
/// [`Locality::WithinTarget`] at work on a small tree.
///
/// Serialised externally tagged: `"Anywhere"`, `"WithinTarget"`, `"HomeCovers"`,
/// `{"SameAncestorAt": 0}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locality {
    /// Anyone may hold it, wherever they belong.
    Anywhere,
    /// The holder's home unit lies inside the target's unit (or is it): the community party
    /// secretary of that community, the building head living in that building.
    WithinTarget,
    /// The target's unit lies inside the holder's home unit (or is it): the grid worker whose
    /// grid holds the household, the police officer whose station's area holds it.
    HomeCovers,
    /// The holder's home unit and the target's unit have the same ancestor at this level
    /// (each counts as its own ancestor at its own level), and both have one there: the area
    /// doctor and police of the same sub-district, the district leader of the district.
    SameAncestorAt(Level),
}

/// One role a target needs: how many holders and where they must belong.
///
/// # Example
/// ```
/// use wangge::duty::{Locality, Role, Slot};
/// let slot = Slot::new(Role::CommunitySecretary, 1, Locality::WithinTarget);
/// assert_eq!(slot.role(), Role::CommunitySecretary);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    role: Role,
    count: u8,
    locality: Locality,
}

impl Slot {
    /// `count` holders of `role` per target, belonging as `locality` says. A count of 0 is
    /// refused by the [`Scheme`] that holds the slot, which can name its rule.
    pub const fn new(role: Role, count: u8, locality: Locality) -> Self {
        Slot { role, count, locality }
    }

    /// The role.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// How many holders each target needs (at least 1 in a scheme).
    pub const fn count(&self) -> u8 {
        self.count
    }

    /// Where the holders must belong.
    pub const fn locality(&self) -> Locality {
        self.locality
    }
}

/// One rule of a scheme: the targets it selects and the slots each of them needs.
///
/// A scheme holds several rules when its roles cover different targets (三长联动: gate heads
/// for entrances, building heads for buildings, road heads for roads), so that one scheme is
/// one campaign, as in the seeds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    targets: TargetSelector,
    slots: Vec<Slot>,
}

impl Rule {
    /// The slots `slots` for every target `targets` selects.
    pub fn new(targets: TargetSelector, slots: Vec<Slot>) -> Self {
        Rule { targets, slots }
    }

    /// The targets.
    pub fn targets(&self) -> &TargetSelector {
        &self.targets
    }

    /// The slots each target needs, in order; never empty in a scheme.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }
}

/// The parts of a [`Scheme`], not yet checked; [`SchemeBuilder::build`] checks them. It is also
/// the scheme's serialised form: `{"name": ..., "source": ..., "rules": [{"targets": ...,
/// "slots": [{"role": "AreaDoctor", "count": 1, "locality": {"SameAncestorAt": 0}}]}],
/// "load_limit": 3}`; `load_limit` may be left out (none); unknown fields are refused. In a
/// command ([`Command::AdoptScheme`](crate::Command::AdoptScheme)) `source` is required; read on
/// its own (and in a format-5 event log or snapshot, which this crate always writes whole) it
/// may be left out (empty).
///
/// # Example
/// ```
/// use wangge::duty::{DutyError, Locality, Role, Rule, Scheme, Slot, TargetSelector, UnitClass};
///
/// let gates = Rule::new(TargetSelector::UnitsOfKind(UnitClass::Entrance), vec![Slot::new(Role::GateHead, 2, Locality::Anywhere)]);
/// let scheme = Scheme::builder("two_per_gate", vec![gates.clone()]).source("our sub-district").build()?;
/// assert_eq!(scheme.rules().len(), 1);
///
/// // Every problem, or the first.
/// let zero = Rule::new(TargetSelector::UnitsOfKind(UnitClass::Road), vec![Slot::new(Role::GateHead, 0, Locality::Anywhere)]);
/// let bad = Scheme::builder("", vec![gates, zero]);
/// assert_eq!(bad.problems().len(), 3); // the name, the count, the role twice
/// assert_eq!(bad.build(), Err(DutyError::InvalidName { chars: 0, max: 100 }));
/// # Ok::<(), DutyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeBuilder {
    name: String,
    #[serde(default)]
    source: String,
    rules: Vec<Rule>,
    #[serde(default)]
    load_limit: Option<u16>,
}

// JSON leaves an absent load limit out; binary forms write it (see `crate::form`).
crate::form::serialize_fields!(SchemeBuilder { name, source, rules, load_limit skip_if Option::is_none });

/// A scheme as a command gives it ([`Command::AdoptScheme`](crate::Command::AdoptScheme)):
/// `source` is required (an empty string says there is none); `load_limit` may be left out.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EveryField {
    name: String,
    source: String,
    rules: Vec<Rule>,
    #[serde(default)]
    load_limit: Option<u16>,
}

/// Read a scheme with its `source` given, through the same checks as [`Scheme`]'s own
/// reading. For commands; a format-5 log or snapshot is read with [`Scheme`]'s `Deserialize`.
pub(crate) fn deserialize_every_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Scheme, D::Error> {
    let EveryField { name, source, rules, load_limit } = EveryField::deserialize(d)?;
    SchemeBuilder { name, source, rules, load_limit }.build().map_err(serde::de::Error::custom)
}

impl SchemeBuilder {
    /// The name (a short identifier such as `six_cover_one`).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The source the scheme follows, as text (a seed, a notice).
    #[must_use]
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// The rules, replacing any there were.
    #[must_use]
    pub fn rules(mut self, rules: Vec<Rule>) -> Self {
        self.rules = rules;
        self
    }

    /// The most assignments anyone may carry under the scheme, below their own
    /// [`Staff::load_limit`](super::Staff::load_limit) (六包一: a district leader covers at most
    /// three communities, however many they could carry elsewhere); `None`: theirs alone.
    #[must_use]
    pub fn load_limit(mut self, limit: Option<u16>) -> Self {
        self.load_limit = limit;
        self
    }

    /// One more rule.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Every problem of these parts, in this order: the name, the source, a load limit of 0, no
    /// rules, then each
    /// rule in order (no states, no slots, then each slot: a count of 0, a role already asked
    /// for by this or an earlier rule, a locality level deeper than the rule's target level).
    /// Empty when [`SchemeBuilder::build`] succeeds.
    ///
    /// A role appears at most once in a scheme, so that an assignment's (target, role) names
    /// exactly one slot.
    pub fn problems(&self) -> Vec<DutyError> {
        let mut found = Vec::new();
        if let Some(chars) = crate::text::bad_name(&self.name, MAX_NAME_CHARS) {
            found.push(DutyError::InvalidName { chars, max: MAX_NAME_CHARS });
        }
        if let Some(chars) = crate::text::bad_source(&self.source, MAX_SOURCE_CHARS) {
            found.push(DutyError::InvalidSource { chars, max: MAX_SOURCE_CHARS });
        }
        if self.load_limit == Some(0) {
            found.push(DutyError::ZeroLoadLimit);
        }
        if self.rules.is_empty() {
            found.push(DutyError::NoRules);
        }
        let mut seen: Vec<Role> = Vec::new();
        for (rule, r) in self.rules.iter().enumerate() {
            if matches!(&r.targets, TargetSelector::PersonsIn(states) if states.is_empty()) {
                found.push(DutyError::NoStates { rule });
            }
            if r.slots.is_empty() {
                found.push(DutyError::NoSlots { rule });
            }
            for slot in &r.slots {
                if slot.count == 0 {
                    found.push(DutyError::ZeroCount { rule, role: slot.role });
                }
                if seen.contains(&slot.role) {
                    found.push(DutyError::RoleTwice { rule, role: slot.role });
                } else {
                    seen.push(slot.role);
                }
                if let (Locality::SameAncestorAt(level), Some(target)) = (slot.locality, r.targets.level())
                    && level > target
                {
                    found.push(DutyError::LocalityBelowTarget { rule, role: slot.role, level, target });
                }
            }
        }
        found
    }

    /// The first of [`SchemeBuilder::problems`], or `Ok`.
    ///
    /// # Errors
    /// The first problem.
    pub fn validate(&self) -> Result<(), DutyError> {
        match self.problems().into_iter().next() {
            Some(p) => Err(p),
            None => Ok(()),
        }
    }

    /// The checked scheme; the states of each [`TargetSelector::PersonsIn`] sorted, repeats
    /// dropped.
    ///
    /// # Errors
    /// The first of [`SchemeBuilder::problems`]: [`DutyError::InvalidName`],
    /// [`DutyError::InvalidSource`], [`DutyError::ZeroLoadLimit`], [`DutyError::NoRules`], [`DutyError::NoStates`],
    /// [`DutyError::NoSlots`], [`DutyError::ZeroCount`], [`DutyError::RoleTwice`] or
    /// [`DutyError::LocalityBelowTarget`].
    pub fn build(mut self) -> Result<Scheme, DutyError> {
        for rule in &mut self.rules {
            rule.targets.normalise();
        }
        self.validate()?;
        Ok(Scheme { parts: self })
    }
}

/// A responsibility scheme 包保方案: a name, its source, rules saying which targets need
/// which roles, how many holders each, and where they must belong, and optionally a load
/// limit of its own that caps every holder's ([`Scheme::limit_for`]).
///
/// A checked value: a valid name, at most [`MAX_SOURCE_CHARS`] of source, a load limit (if
/// any) of at least 1, at least one rule,
/// every rule with at least one slot (and, selecting persons, at least one state), every count
/// at least 1, every role at most once in the whole scheme, and no locality level deeper than
/// its rule's target level (no unit has an ancestor below itself). Build one with
/// [`Scheme::builder`], take a preset ([`Scheme::six_cover_one`] ...), or read one with serde
/// through the same checks (the serialised form is a [`SchemeBuilder`]).
///
/// # Example
/// ```
/// use wangge::duty::{Role, Scheme};
/// use wangge::grid::LevelScheme;
///
/// let levels = LevelScheme::zhengzhou().under_city_and_district()?;
/// let (district, sub, community) = (levels.level("district").unwrap(), levels.level("sub-district").unwrap(), levels.level("community").unwrap());
/// let six = Scheme::six_cover_one(community, sub, Some(district))?;
/// assert_eq!(six.roles().collect::<Vec<_>>(), Role::SIX_COVER_ONE);
/// assert!(six.slot(Role::AreaPolice).is_some());
/// assert!(six.slot(Role::GateHead).is_none());
/// # Ok::<(), wangge::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SchemeBuilder", into = "SchemeBuilder")]
pub struct Scheme {
    /// Checked parts: [`SchemeBuilder::problems`] is empty.
    parts: SchemeBuilder,
}

impl TryFrom<SchemeBuilder> for Scheme {
    type Error = DutyError;
    fn try_from(b: SchemeBuilder) -> Result<Self, DutyError> {
        b.build()
    }
}

impl From<Scheme> for SchemeBuilder {
    fn from(s: Scheme) -> SchemeBuilder {
        s.parts
    }
}

impl Scheme {
    /// The parts of a scheme named `name` with `rules` and no source, to be checked by
    /// [`SchemeBuilder::build`].
    pub fn builder(name: impl Into<String>, rules: Vec<Rule>) -> SchemeBuilder {
        SchemeBuilder { name: name.into(), source: String::new(), rules, load_limit: None }
    }

    /// A preset's scheme, from constant parts that the presets' unit tests show valid
    /// (`every_preset_validates`), so that the presets need not unwrap.
    pub(super) fn from_checked_parts(parts: SchemeBuilder) -> Self {
        Scheme { parts }
    }

    /// This scheme's parts, to change and check again (a locality's variant of a preset).
    pub fn to_builder(&self) -> SchemeBuilder {
        self.parts.clone()
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.parts.name
    }

    /// The source the scheme follows, as text.
    pub fn source(&self) -> &str {
        &self.parts.source
    }

    /// The rules, in order; never empty.
    pub fn rules(&self) -> &[Rule] {
        &self.parts.rules
    }

    /// The most assignments anyone may carry under the scheme, if it caps them below their own
    /// limits.
    pub fn load_limit(&self) -> Option<u16> {
        self.parts.load_limit
    }

    /// The most assignments `member` may carry under the scheme: their own load limit, or the
    /// scheme's if lower.
    ///
    /// # Example
    /// ```
    /// use wangge::UnitId;
    /// use wangge::duty::{Qualification, Qualifications, Scheme, Staff};
    /// use wangge::grid::Level;
    /// use wangge::people::Name;
    ///
    /// let six = Scheme::six_cover_one(Level::new(1), Level::new(0), None)?.to_builder().load_limit(Some(3)).build()?;
    /// let leader = Staff::new(Name::new("区领导")?, Qualifications::only(Qualification::DistrictLeader), UnitId::new(0), 10)?;
    /// assert_eq!(six.limit_for(&leader), 3);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    pub fn limit_for(&self, member: &super::Staff) -> u16 {
        self.parts.load_limit.map_or(member.load_limit(), |cap| cap.min(member.load_limit()))
    }

    /// Every role the scheme asks for, in rule and slot order; each once.
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.slots().map(|(_, slot)| slot.role)
    }

    /// Every slot with the index of its rule, in order.
    pub fn slots(&self) -> impl Iterator<Item = (usize, &Slot)> + '_ {
        self.parts.rules.iter().enumerate().flat_map(|(i, r)| r.slots.iter().map(move |s| (i, s)))
    }

    /// The rule index and slot of `role`, if the scheme asks for it (at most one: a role
    /// appears once).
    pub fn slot(&self, role: Role) -> Option<(usize, &Slot)> {
        self.slots().find(|(_, s)| s.role == role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(role: Role, count: u8) -> Slot {
        Slot::new(role, count, Locality::Anywhere)
    }

    fn units(level: u8, slots: Vec<Slot>) -> Rule {
        Rule::new(TargetSelector::UnitsAtLevel(Level::new(level)), slots)
    }

    #[test]
    fn every_problem_kind() {
        let ok = || vec![units(1, vec![slot(Role::AreaDoctor, 1)])];
        assert!(Scheme::builder("s", ok()).build().is_ok());
        for name in ["", " ", "a\nb"] {
            let chars = name.chars().count();
            assert_eq!(Scheme::builder(name, ok()).build(), Err(DutyError::InvalidName { chars, max: MAX_NAME_CHARS }));
        }
        assert_eq!(
            Scheme::builder("名".repeat(101), ok()).build(),
            Err(DutyError::InvalidName { chars: 101, max: MAX_NAME_CHARS })
        );
        assert!(Scheme::builder("名".repeat(100), ok()).build().is_ok());
        assert_eq!(Scheme::builder("s", ok()).load_limit(Some(0)).build(), Err(DutyError::ZeroLoadLimit));
        assert_eq!(Scheme::builder("s", ok()).load_limit(Some(1)).build().map(|s| s.load_limit()), Ok(Some(1)));
        assert_eq!(
            Scheme::builder("s", ok()).source("x".repeat(1001)).build(),
            Err(DutyError::InvalidSource { chars: 1001, max: MAX_SOURCE_CHARS })
        );
        assert_eq!(Scheme::builder("s", vec![]).build(), Err(DutyError::NoRules));
        assert_eq!(Scheme::builder("s", vec![units(1, vec![])]).build(), Err(DutyError::NoSlots { rule: 0 }));
        assert_eq!(
            Scheme::builder("s", vec![units(1, vec![slot(Role::AreaDoctor, 0)])]).build(),
            Err(DutyError::ZeroCount { rule: 0, role: Role::AreaDoctor })
        );
        assert_eq!(
            Scheme::builder("s", ok()).rule(units(2, vec![slot(Role::AreaDoctor, 1)])).build(),
            Err(DutyError::RoleTwice { rule: 1, role: Role::AreaDoctor })
        );
        assert_eq!(
            Scheme::builder("s", vec![units(1, vec![slot(Role::GridWorker, 1), slot(Role::GridWorker, 2)])]).build(),
            Err(DutyError::RoleTwice { rule: 0, role: Role::GridWorker })
        );
        assert_eq!(
            Scheme::builder("s", vec![Rule::new(TargetSelector::PersonsIn(vec![]), vec![slot(Role::GridWorker, 1)])])
                .build(),
            Err(DutyError::NoStates { rule: 0 })
        );
        let deep = Slot::new(Role::AreaPolice, 1, Locality::SameAncestorAt(Level::new(2)));
        assert_eq!(
            Scheme::builder("s", vec![units(1, vec![deep])]).build(),
            Err(DutyError::LocalityBelowTarget {
                rule: 0,
                role: Role::AreaPolice,
                level: Level::new(2),
                target: Level::new(1)
            })
        );
        assert!(Scheme::builder("s", vec![units(2, vec![deep])]).build().is_ok());
    }

    #[test]
    fn problems_lists_all_in_order_and_validate_gives_the_first() {
        let b = Scheme::builder(
            "",
            vec![units(1, vec![slot(Role::AreaDoctor, 0), slot(Role::AreaDoctor, 1)]), units(2, vec![])],
        );
        assert_eq!(
            b.problems(),
            [
                DutyError::InvalidName { chars: 0, max: MAX_NAME_CHARS },
                DutyError::ZeroCount { rule: 0, role: Role::AreaDoctor },
                DutyError::RoleTwice { rule: 0, role: Role::AreaDoctor },
                DutyError::NoSlots { rule: 1 },
            ]
        );
        assert_eq!(b.validate(), Err(DutyError::InvalidName { chars: 0, max: MAX_NAME_CHARS }));
    }

    #[test]
    fn states_are_a_set_and_accessors_work() {
        let persons = TargetSelector::PersonsIn(vec![State::CloseContact, State::Well, State::CloseContact]);
        let s = Scheme::builder("s", vec![Rule::new(persons, vec![slot(Role::GridWorker, 1)])]).build().unwrap();
        assert_eq!(s.rules()[0].targets(), &TargetSelector::PersonsIn(vec![State::Well, State::CloseContact]));
        assert_eq!(s.slot(Role::GridWorker).map(|(i, s)| (i, s.count())), Some((0, 1)));
        assert_eq!(s.to_builder().name("t").build().map(|s| s.name().to_owned()), Ok("t".to_owned()));
    }

    #[test]
    fn serde_round_trips_and_reads_through_the_checks() {
        let s = Scheme::builder(
            "s",
            vec![
                units(1, vec![Slot::new(Role::AreaDoctor, 2, Locality::SameAncestorAt(Level::new(0)))]),
                Rule::new(TargetSelector::CellsOf(OverlayId::new(3)), vec![slot(Role::DepartmentLeader, 1)]),
                Rule::new(TargetSelector::UnitsOfKind(UnitClass::Road), vec![slot(Role::RoadHead, 1)]),
                Rule::new(TargetSelector::PersonsIn(vec![State::Confirmed]), vec![slot(Role::HealthWorker, 1)]),
            ],
        )
        .source("seed 003")
        .build()
        .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains(r#"{"role":"AreaDoctor","count":2,"locality":{"SameAncestorAt":0}}"#), "{json}");
        assert_eq!(serde_json::from_str::<Scheme>(&json).unwrap(), s);

        let min = r#"{"name":"m","rules":[{"targets":{"UnitsOfKind":"Entrance"},"slots":[{"role":"GateHead","count":1,"locality":"Anywhere"}]}]}"#;
        assert_eq!(serde_json::from_str::<Scheme>(min).unwrap().source(), "");
        assert_eq!(serde_json::from_str::<Scheme>(min).unwrap().load_limit(), None);
        let capped = min.replace(r#""name":"m""#, r#""name":"m","load_limit":2"#);
        assert_eq!(serde_json::from_str::<Scheme>(&capped).unwrap().load_limit(), Some(2));
        let capped = serde_json::from_str::<Scheme>(&capped).unwrap();
        assert_eq!(serde_json::from_str::<Scheme>(&serde_json::to_string(&capped).unwrap()).unwrap(), capped);
        let zero = min.replace(r#""name":"m""#, r#""name":"m","load_limit":0"#);
        assert!(serde_json::from_str::<Scheme>(&zero).unwrap_err().to_string().contains("load limit of 0"));
        let err = serde_json::from_str::<Scheme>(&min.replace(r#""count":1"#, r#""count":0"#)).unwrap_err().to_string();
        assert!(err.contains("count of 0"), "{err}");
        assert!(serde_json::from_str::<Scheme>(&min.replace(r#""name":"m""#, r#""name":"""#)).is_err());
        assert!(serde_json::from_str::<Scheme>(&min.replace(r#""name":"m""#, r#""name":"m","x":1"#)).is_err());
        let no_slots = r#"{"name":"m","rules":[{"targets":{"CellsOf":1},"slots":[]}]}"#;
        assert!(serde_json::from_str::<Scheme>(no_slots).is_err());
        assert!(serde_json::from_str::<Scheme>(r#"{"name":"m","rules":[]}"#).is_err());
    }
}
