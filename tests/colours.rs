//! Property tests of the five colours 四级五色 (issue 3, section 4): person states, the colour
//! rule, tallies, and the registry that keeps household colours and unit and cell tallies live.
//!
//! What the file proves, each from the documentation and public reads only:
//!
//! - **The rule.** For random colour rules (any colour for each state) and the preset
//!   [`ColourRule::zhengzhou_2020`], a household's colour is the most severe of its members'
//!   colours, written out here by hand (white with no member, or all members white); adding a
//!   member never lowers it (and a member at least as severe sets it); raising one member's
//!   colour never lowers it; the order of members does not matter.
//! - **Tallies.** [`Tally::merge`] is commutative and associative with [`Tally::new`] as
//!   identity; the merge of the tallies of disjoint shards of a set of households is the tally
//!   of their union, and so is counting them one by one ([`Tally::count_household`]);
//!   [`Tally::household`] counts what it is given; tallies survive JSON.
//! - **Transitions.** [`State::may_become`] agrees, on all 64 pairs, with the table of its
//!   documentation written out here as data; [`PersonState::change`] returns the typed error
//!   ([`ColourError::Unchanged`], [`ColourError::IllegalTransition`],
//!   [`ColourError::BeforeCurrent`]) for each refusal, and the new state otherwise.
//! - **The registry.** A random city (Zhengzhou's four levels, communities, courtyards,
//!   buildings, households with persons in random states and with random markers, two overlays
//!   with cells) goes through up to [`MAX_OPS`] random commands, mostly changes of state on dates
//!   that usually go forward and sometimes back, plus moves of persons, households and
//!   courtyards, markers, new persons and households, cells, closings and now and then a new
//!   random colour rule. A model kept here (each person's state and the date it began, each
//!   household's unit, the tree's parent links, the cells, the rule in force) predicts whether
//!   each command is accepted (for a change of state always, from the table and the date rule)
//!   and the registry agrees; a refused command leaves the registry equal to its clone from
//!   before. After every step: every household's colour equals the model's classification;
//!   every unit's tally equals a brute-force recount that walks parent links up from each
//!   household's unit; each unit's tally is its own households' plus the sum of its children's;
//!   each person is counted exactly once in every unit holding them (by household colour and by
//!   state); every cell's tally equals the recount of the households inside any of its units;
//!   a scope's total tally equals the recount of the union of its roots' subtrees, and its
//!   colour, state, tally and cell reads answer inside and refuse outside; `audit` is empty and
//!   `roll_up` agrees; each event's recolourings are exactly the colour changes observed, and
//!   adding a member never lowered a household's colour. At the end: the log replays into an
//!   equal registry, the snapshot loads into one, and [`Event::colour_changes_since`] equals,
//!   for every date met, the net change computed from the colours recorded around each step.

#[path = "support/proptest_config.rs"]
mod proptest_config;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use proptest::prelude::*;
use wangge::colour::{Colour, ColourError, ColourRule, HouseholdRule, Measure, PersonState, Standing, State, Tally};
use wangge::grid::{CompoundKind, GridError, LevelScheme, NewUnit, OverlayKind, UnitKind};
use wangge::people::{DoorLabel, Marker, Markers, PersonRecord};
use wangge::registry::Recolour;
use wangge::{
    CellId, Command, Counts, Error, Event, HouseholdId, OverlayId, PersonId, Registry, RegistryError, UnitId,
};

/// The longest sequence of random operations after the city is built.
const MAX_OPS: usize = 80;

// ---------------------------------------------------------------------------------------------
// The documentation, written out independently
// ---------------------------------------------------------------------------------------------

/// The colours, least severe first, as the docs of [`Colour`] order them.
const COLOURS: [Colour; 5] = [Colour::White, Colour::Green, Colour::Yellow, Colour::Orange, Colour::Red];

/// The states, in declaration order.
const STATES: [State; 8] = [
    State::Well,
    State::Absent,
    State::HomeIsolationElsewhere,
    State::HomeIsolationEpidemicArea,
    State::SecondaryContact,
    State::CloseContact,
    State::Suspected,
    State::Confirmed,
];

/// The table of [`State::may_become`]'s documentation: row `from`, column `to`, both in
/// [`STATES`] order (W well, A absent, E home isolation after return from elsewhere, P home
/// isolation after return from the epidemic area, S secondary contact, C close contact, Q
/// suspected, F confirmed); `X` where the change is allowed. (Format 7: centralised isolation
/// is a measure, not a state.)
const TABLE: [&str; 8] = [
    // WAEPSCQF
    "-XXXXXXX", // well: any other state
    "X-XXXXXX", // absent: any other state
    "X--XXXXX", // home isolation (elsewhere): well, home isolation (epidemic area), a contact, a case
    "X---XXXX", // home isolation (epidemic area): well, a contact, a case
    "X----XXX", // secondary contact: well, close contact, a case
    "X-----XX", // close contact: well, a case
    "X----X-X", // suspected: confirmed, well, close contact
    "X-------", // confirmed: well (only from centralised isolation: `Standing::may_become`)
];

/// Whether the registry lets a person of `from` become `to` by `SetState`: the table, except
/// that a confirmed case leaves only from centralised isolation, a measure no command here
/// sets (`Command::SetState` documents it).
fn registry_allows(from: State, to: State) -> bool {
    allowed(from, to) && from != State::Confirmed
}

fn state_index(s: State) -> usize {
    STATES.iter().position(|&x| x == s).expect("every state is listed")
}

fn colour_index(c: Colour) -> usize {
    COLOURS.iter().position(|&x| x == c).expect("every colour is listed")
}

fn marker_index(m: Marker) -> usize {
    Marker::ALL.iter().position(|&x| x == m).expect("every marker is listed")
}

/// Whether the documented table allows `from` to become `to`.
fn allowed(from: State, to: State) -> bool {
    TABLE[state_index(from)].as_bytes()[state_index(to)] == b'X'
}

/// Severity by hand: white 0 < green < yellow < orange < red 4.
fn severity(c: Colour) -> u8 {
    match c {
        Colour::White => 0,
        Colour::Green => 1,
        Colour::Yellow => 2,
        Colour::Orange => 3,
        Colour::Red => 4,
    }
}

/// The more severe of two colours.
fn worse(a: Colour, b: Colour) -> Colour {
    if severity(b) > severity(a) { b } else { a }
}

/// A colour rule as data: the colour of each state, in [`STATES`] order.
type RuleTable = [Colour; 8];

/// A household's colour by `rule`: the most severe of its members' colours, white for none.
fn classify_by_hand(rule: &RuleTable, members: &[State]) -> Colour {
    members.iter().fold(Colour::White, |acc, &s| worse(acc, rule[state_index(s)]))
}

fn rule_of(table: &RuleTable) -> ColourRule {
    ColourRule::new(STATES.iter().copied().zip(table.iter().copied()), HouseholdRule::MostSevere)
        .expect("a complete mapping")
}

fn zhengzhou_table() -> RuleTable {
    use Colour::*;
    // Seed 003 by reason: well green, absent white, elsewhere yellow, epidemic area and
    // secondary contacts orange (the documented choice of `StandingRule::zhengzhou_2020`:
    // seed 003's red is "确诊、疑似病例及密切接触者" only), the rest red.
    [Green, White, Yellow, Orange, Orange, Red, Red, Red]
}

fn markers(bits: u8) -> Markers {
    Marker::ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, &m)| m).collect()
}

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("a real date") + chrono::Duration::days(n)
}

/// A tally as plain counts, read through the public accessors only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Recount {
    households: [u64; 5],
    persons: [u64; 5],
    states: [u64; 8],
    marked: [[u64; 5]; 7],
}

impl Recount {
    fn of(t: &Tally) -> Recount {
        let mut r = Recount::default();
        for c in COLOURS {
            r.households[colour_index(c)] = t.households(c);
            r.persons[colour_index(c)] = t.persons(c);
            for m in Marker::ALL {
                r.marked[marker_index(m)][colour_index(c)] = t.marked(m, c);
            }
        }
        for s in STATES {
            r.states[state_index(s)] = t.in_state(s);
        }
        r
    }

    /// One household of `colour` whose members have these states and markers.
    fn household(colour: Colour, members: &[(impl Into<Standing> + Copy, Markers)]) -> Recount {
        let mut r = Recount::default();
        let c = colour_index(colour);
        r.households[c] = 1;
        for &(s, ms) in members {
            r.persons[c] += 1;
            r.states[state_index(s.into().reason())] += 1;
            for m in Marker::ALL.into_iter().filter(|&m| ms.contains(m)) {
                r.marked[marker_index(m)][c] += 1;
            }
        }
        r
    }

    fn add(&mut self, o: &Recount) {
        let pairs = self.households.iter_mut().zip(&o.households);
        let pairs = pairs.chain(self.persons.iter_mut().zip(&o.persons));
        let pairs = pairs.chain(self.states.iter_mut().zip(&o.states));
        let pairs = pairs.chain(self.marked.iter_mut().flatten().zip(o.marked.iter().flatten()));
        for (a, b) in pairs {
            *a += b;
        }
    }

    fn total_households(&self) -> u64 {
        self.households.iter().sum()
    }

    fn total_persons(&self) -> u64 {
        self.persons.iter().sum()
    }
}

// ---------------------------------------------------------------------------------------------
// 1. The rule
// ---------------------------------------------------------------------------------------------

fn rule_table() -> impl Strategy<Value = RuleTable> {
    prop_oneof![
        1 => Just(zhengzhou_table()),
        3 => prop::array::uniform8(0usize..5).prop_map(|a| a.map(|i| COLOURS[i])),
    ]
}

fn state() -> impl Strategy<Value = State> {
    (0usize..8).prop_map(|i| STATES[i])
}

/// `cases` cases unless `PROPTEST_CASES` says otherwise; failures are kept in
/// `proptest-regressions/colours.txt` and replayed first on the next run.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { max_shrink_iters: 2_000, ..proptest_config::persisted("proptest-regressions/colours.txt", cases) }
}

#[test]
fn colours_are_ordered_by_severity_and_the_preset_is_seed_003() {
    for a in COLOURS {
        for b in COLOURS {
            assert_eq!(a.cmp(&b), severity(a).cmp(&severity(b)), "{a:?} against {b:?}");
            assert_eq!(a.max(b), worse(a, b));
        }
    }
    let mut most_severe_first = COLOURS;
    most_severe_first.reverse();
    assert_eq!(Colour::BY_SEVERITY, most_severe_first);
    assert_eq!(STATES, State::ALL);
    let preset = ColourRule::zhengzhou_2020();
    for s in STATES {
        assert_eq!(preset.colour_of(s), zhengzhou_table()[state_index(s)], "{s:?}");
    }
    assert_eq!(preset, rule_of(&zhengzhou_table()));
    assert_eq!(ColourRule::default(), preset);
}

proptest! {
    #![proptest_config(config(256))]

    /// A rule built from a complete mapping gives each state the colour it was given, and
    /// survives JSON.
    #[test]
    fn a_rule_keeps_its_mapping(table in rule_table()) {
        let rule = rule_of(&table);
        for s in STATES {
            prop_assert_eq!(rule.colour_of(s), table[state_index(s)]);
        }
        prop_assert_eq!(rule.household_rule(), HouseholdRule::MostSevere);
        prop_assert_eq!(rule.mapping().collect::<Vec<_>>(), STATES.iter().copied().zip(table).collect::<Vec<_>>());
        let json = serde_json::to_string(&rule).expect("a rule serialises");
        prop_assert_eq!(serde_json::from_str::<ColourRule>(&json).expect("a rule reads back"), rule);
    }

    /// Classification is the most severe member colour, white for no member or all white.
    #[test]
    fn classification_is_the_most_severe_member_colour(
        table in rule_table(),
        members in prop::collection::vec(state(), 0..7),
    ) {
        let rule = rule_of(&table);
        let got = rule.classify(members.iter().copied());
        prop_assert_eq!(got, classify_by_hand(&table, &members));
        if members.iter().all(|&s| table[state_index(s)] == Colour::White) {
            prop_assert_eq!(got, Colour::White);
        } else {
            // The colour is one of the members' and none is more severe.
            prop_assert!(members.iter().any(|&s| table[state_index(s)] == got));
            prop_assert!(members.iter().all(|&s| severity(table[state_index(s)]) <= severity(got)));
        }
        prop_assert_eq!(rule.classify::<State>([]), Colour::White);
    }

    /// Adding a member never lowers the colour; a member at least as severe sets it.
    #[test]
    fn adding_a_member_never_lowers_the_colour(
        table in rule_table(),
        members in prop::collection::vec(state(), 0..7),
        added in state(),
        at in any::<prop::sample::Index>(),
    ) {
        let rule = rule_of(&table);
        let before = rule.classify(members.iter().copied());
        let mut more = members.clone();
        more.insert(at.index(members.len() + 1), added);
        let after = rule.classify(more.iter().copied());
        prop_assert!(severity(after) >= severity(before), "{:?} lowered {:?} to {:?}", added, before, after);
        let colour = table[state_index(added)];
        if severity(colour) >= severity(before) {
            prop_assert_eq!(after, colour);
        } else {
            prop_assert_eq!(after, before);
        }
    }

    /// Raising one member's colour never lowers the household's.
    #[test]
    fn raising_a_member_never_lowers_the_colour(
        table in rule_table(),
        members in prop::collection::vec(state(), 1..7),
        which in any::<prop::sample::Index>(),
        a in state(),
        b in state(),
    ) {
        let rule = rule_of(&table);
        let (lo, hi) = if severity(table[state_index(a)]) <= severity(table[state_index(b)]) { (a, b) } else { (b, a) };
        let i = which.index(members.len());
        let (mut low, mut high) = (members.clone(), members);
        low[i] = lo;
        high[i] = hi;
        let (l, h) = (rule.classify(low), rule.classify(high));
        prop_assert!(severity(h) >= severity(l), "raising {:?} to {:?} lowered {:?} to {:?}", lo, hi, l, h);
    }

    /// The order of members does not matter.
    #[test]
    fn the_order_of_members_does_not_matter(
        table in rule_table(),
        (members, shuffled) in prop::collection::vec(state(), 0..8)
            .prop_flat_map(|m| (Just(m.clone()), Just(m).prop_shuffle())),
    ) {
        let rule = rule_of(&table);
        let c = rule.classify(members.iter().copied());
        prop_assert_eq!(rule.classify(shuffled), c);
        prop_assert_eq!(rule.classify(members.iter().rev().copied()), c);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Tallies
// ---------------------------------------------------------------------------------------------

/// A household for a tally: its colour and its members' states and markers.
type Hh = (Colour, Vec<(State, Markers)>);

fn household() -> impl Strategy<Value = Hh> {
    ((0usize..5), prop::collection::vec((state(), any::<u8>().prop_map(markers)), 0..5))
        .prop_map(|(c, members)| (COLOURS[c], members))
}

fn tally_of(households: &[Hh]) -> Tally {
    households.iter().map(|(c, m)| Tally::household(*c, m.iter().copied())).sum()
}

fn tally() -> impl Strategy<Value = Tally> {
    prop::collection::vec(household(), 0..6).prop_map(|h| tally_of(&h))
}

proptest! {
    #![proptest_config(config(256))]

    /// A household's tally counts exactly what it is given.
    #[test]
    fn a_household_tally_counts_what_it_is_given(h in household()) {
        let t = Tally::household(h.0, h.1.iter().copied());
        prop_assert_eq!(Recount::of(&t), Recount::household(h.0, &h.1));
        prop_assert_eq!((t.total_households(), t.total_persons()), (1, h.1.len() as u64));
        prop_assert!(!t.is_empty());
    }

    /// Merging is commutative and associative, with the empty tally as identity.
    #[test]
    fn merge_laws_hold(a in tally(), b in tally(), c in tally()) {
        prop_assert_eq!(a.clone() + b.clone(), b.clone() + a.clone());
        prop_assert_eq!((a.clone() + b.clone()) + c.clone(), a.clone() + (b.clone() + c.clone()));
        prop_assert_eq!(a.clone() + Tally::new(), a.clone());
        prop_assert_eq!(Tally::new() + a.clone(), a.clone());
        prop_assert!(Tally::new().is_empty());
        let mut merged = a.clone();
        merged.merge(&b);
        let mut added = a.clone();
        added += &b;
        prop_assert_eq!(&merged, &(a.clone() + b.clone()));
        prop_assert_eq!(&added, &merged);
        prop_assert_eq!([&a, &b].into_iter().sum::<Tally>(), merged.clone());
        prop_assert_eq!([a.clone(), b.clone()].into_iter().sum::<Tally>(), merged.clone());
        let mut sum = Recount::of(&a);
        sum.add(&Recount::of(&b));
        prop_assert_eq!(Recount::of(&merged), sum);
    }

    /// The merge of the tallies of disjoint shards of a set of households is the tally of
    /// their union.
    #[test]
    fn shards_add_up_to_their_union(
        households in prop::collection::vec((household(), 0usize..4), 0..12),
    ) {
        let all: Vec<Hh> = households.iter().map(|(h, _)| h.clone()).collect();
        let shards: Vec<Tally> = (0..4)
            .map(|s| {
                let part: Vec<Hh> = households.iter().filter(|(_, k)| *k == s).map(|(h, _)| h.clone()).collect();
                tally_of(&part)
            })
            .collect();
        let union = tally_of(&all);
        prop_assert_eq!(shards.iter().sum::<Tally>(), union.clone());
        prop_assert_eq!(shards.into_iter().rev().sum::<Tally>(), union.clone());
        // Counting households one by one is the same as merging their tallies.
        let mut counted = Tally::new();
        for (c, m) in &all {
            counted.count_household(*c, m.iter().copied());
        }
        prop_assert_eq!(&counted, &union);
        let mut by_hand = Recount::default();
        for (c, m) in &all {
            by_hand.add(&Recount::household(*c, m));
        }
        prop_assert_eq!(Recount::of(&union), by_hand);
    }

    /// Tallies survive JSON.
    #[test]
    fn tallies_survive_json(t in tally()) {
        let json = serde_json::to_string(&t).expect("a tally serialises");
        prop_assert_eq!(serde_json::from_str::<Tally>(&json).expect("a tally reads back"), t);
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Transitions
// ---------------------------------------------------------------------------------------------

#[test]
fn may_become_is_the_documented_table() {
    for from in STATES {
        for to in STATES {
            assert_eq!(from.may_become(to), allowed(from, to), "{from:?} -> {to:?}");
        }
        let listed: Vec<State> = STATES.into_iter().filter(|&to| allowed(from, to)).collect();
        assert_eq!(from.successors().collect::<Vec<_>>(), listed, "successors of {from:?}");
    }
}

#[test]
fn each_refusal_of_a_change_is_typed() {
    let (d1, d2) = (day(40), day(41));
    let close = PersonState::new(State::CloseContact, d1);
    assert_eq!(close.change(State::CloseContact, d2), Err(ColourError::Unchanged { state: State::CloseContact }));
    assert_eq!(
        close.change(State::SecondaryContact, d2),
        Err(ColourError::IllegalTransition { from: State::CloseContact, to: State::SecondaryContact })
    );
    assert_eq!(close.change(State::Well, day(39)), Err(ColourError::BeforeCurrent { since: d1, on: day(39) }));
    assert_eq!(close.change(State::Well, d1), Ok(PersonState::new(State::Well, d1)));
    assert_eq!(close.change(State::Confirmed, d2), Ok(PersonState::new(State::Confirmed, d2)));
}

proptest! {
    #![proptest_config(config(512))]

    /// A change is accepted exactly when the table allows it and it is not dated before the
    /// current state began; each refusal is one of the typed errors that applies.
    #[test]
    fn a_change_follows_the_table_and_the_dates(from in state(), to in state(), since in 0i64..30, on in 0i64..30) {
        let current = PersonState::new(from, day(since));
        let got = current.change(to, day(on));
        let unchanged = from == to;
        let illegal = !registry_allows(from, to);
        let early = on < since;
        if !unchanged && !illegal && !early {
            let measure = measure_after(PersonState::new(from, day(since)).measure(), to);
            let want = PersonState::with_standing(Standing::new(to, measure).expect("a standing"), day(on));
            prop_assert_eq!(got, Ok(want));
        } else {
            let err = got.expect_err("a refused change");
            let fits = match err.clone() {
                ColourError::Unchanged { state } => unchanged && state == to,
                ColourError::IllegalTransition { from: f, to: t } => illegal && !unchanged && (f, t) == (from, to),
                ColourError::BeforeCurrent { since: s, on: o } => early && (s, o) == (day(since), day(on)),
                _ => false,
            };
            prop_assert!(fits, "{:?} -> {:?} on day {} (since day {}): {:?}", from, to, on, since, err);
            if unchanged && !early {
                prop_assert_eq!(&err, &ColourError::Unchanged { state: to });
            }
            if illegal && !unchanged && !early {
                prop_assert_eq!(&err, &ColourError::IllegalTransition { from, to });
            }
            if early && !illegal {
                prop_assert_eq!(&err, &ColourError::BeforeCurrent { since: day(since), on: day(on) });
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The registry: the model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct MUnit {
    parent: Option<usize>,
    level: u8,
    open: bool,
}

#[derive(Debug, Clone)]
struct MPerson {
    household: usize,
    state: State,
    /// The measure (format 7): the one the reason brought, kept by a contact or a case.
    measure: Measure,
    since: NaiveDate,
    markers: Markers,
}

/// The measure a `SetState` to `to` leaves (its documentation): well and absent clear it, the
/// two `HomeIsolation…` reasons bring home isolation (no command here puts anyone at a site),
/// the others keep the measure.
fn measure_after(measure: Measure, to: State) -> Measure {
    match to {
        State::Well | State::Absent => Measure::None,
        State::HomeIsolationElsewhere | State::HomeIsolationEpidemicArea => Measure::HomeIsolation,
        _ => measure,
    }
}

/// What the registry should hold, kept from the commands it accepted.
#[derive(Debug, Clone)]
struct Model {
    rule: RuleTable,
    units: Vec<MUnit>,
    /// Each household's unit.
    households: Vec<usize>,
    persons: Vec<MPerson>,
    overlays: usize,
    /// Each cell's overlay and units.
    cells: Vec<(usize, Vec<usize>)>,
}

impl Model {
    fn new() -> Self {
        Model {
            rule: zhengzhou_table(),
            units: vec![MUnit { parent: None, level: 0, open: true }],
            households: Vec::new(),
            persons: Vec::new(),
            overlays: 0,
            cells: Vec::new(),
        }
    }

    /// Whether `unit` is `area` or lies below it, by walking parent links.
    fn within(&self, unit: usize, area: usize) -> bool {
        let mut u = Some(unit);
        while let Some(x) = u {
            if x == area {
                return true;
            }
            u = self.units[x].parent;
        }
        false
    }

    fn at_level(&self, level: u8) -> Vec<usize> {
        (0..self.units.len()).filter(|&u| self.units[u].level == level).collect()
    }

    fn members(&self, household: usize) -> Vec<usize> {
        (0..self.persons.len()).filter(|&p| self.persons[p].household == household).collect()
    }

    /// The members' standings (reason and measure) and markers.
    fn member_states(&self, household: usize) -> Vec<(Standing, Markers)> {
        self.members(household)
            .into_iter()
            .map(|p| {
                let mp = &self.persons[p];
                (Standing::new(mp.state, mp.measure).expect("a standing"), mp.markers)
            })
            .collect()
    }

    fn colour(&self, household: usize) -> Colour {
        let states: Vec<State> = self.members(household).into_iter().map(|p| self.persons[p].state).collect();
        classify_by_hand(&self.rule, &states)
    }

    fn recount(&self, household: usize) -> Recount {
        Recount::household(self.colour(household), &self.member_states(household))
    }

    fn known_unit(&self, u: UnitId) -> Option<usize> {
        (u.index() < self.units.len()).then_some(u.index())
    }

    fn named(&self, overlay: usize) -> Vec<usize> {
        self.cells.iter().filter(|(o, _)| *o == overlay).flat_map(|(_, us)| us.iter().copied()).collect()
    }

    /// Whether `units` may join `overlay`: known, not nested in each other, not nested in or
    /// around a unit any cell of the overlay names.
    fn cell_units_ok(&self, overlay: usize, units: &[UnitId]) -> bool {
        if units.is_empty() || units.iter().any(|&u| self.known_unit(u).is_none()) {
            return false;
        }
        let us: Vec<usize> = units.iter().map(|u| u.index()).collect();
        for (i, &u) in us.iter().enumerate() {
            if us[..i].iter().any(|&v| self.within(u, v) || self.within(v, u)) {
                return false;
            }
        }
        let named = self.named(overlay);
        !us.iter().any(|&u| named.iter().any(|&n| self.within(u, n) || self.within(n, u)))
    }

    /// Whether the rules accept `command`: `None` where the documentation leaves it open.
    fn expect(&self, command: &Command) -> Option<bool> {
        let person = |p: PersonId| self.persons.get(p.index());
        let household_known = |h: HouseholdId| h.index() < self.households.len();
        let open = |u: usize| self.units[u].open;
        Some(match command {
            Command::AddUnit { parent, unit } => match self.known_unit(*parent) {
                // Every unit of this test is an area, a courtyard or a building.
                Some(p) => {
                    open(p) && Some(usize::from(self.units[p].level) + 1) == unit.level().index().map(|l| l.index())
                }
                None => false,
            },
            Command::CreateOverlay { .. } => true,
            Command::AddCell { overlay, units, .. } => {
                overlay.index() < self.overlays && self.cell_units_ok(overlay.index(), units)
            }
            Command::ExtendCell { cell, units } => match self.cells.get(cell.index()) {
                Some(&(overlay, _)) => self.cell_units_ok(overlay, units),
                None => false,
            },
            // Doors are unique across the whole city here.
            Command::AddHousehold { unit, .. } => self.known_unit(*unit).is_some_and(open),
            Command::MoveHousehold { household, to } => {
                household_known(*household) && self.known_unit(*to).is_some_and(open)
            }
            Command::RegisterPerson { household, .. } => household_known(*household),
            Command::MovePerson { person: p, to, .. } => person(*p).is_some() && household_known(*to),
            Command::SetMarkers { person: p, .. } => person(*p).is_some(),
            Command::SetState { person: p, state, on } => match person(*p) {
                Some(mp) => registry_allows(mp.state, *state) && *on >= mp.since,
                None => false,
            },
            Command::SetColourRule { .. } => true,
            Command::MoveUnit { unit, new_parent } => {
                let (Some(u), Some(p)) = (self.known_unit(*unit), self.known_unit(*new_parent)) else {
                    return Some(false);
                };
                if u == 0 || !open(u) || !open(p) || self.within(p, u) || self.units[p].level + 1 != self.units[u].level
                {
                    return Some(false);
                }
                // No overlay may end up with a named unit inside another of its named units.
                (0..self.overlays).all(|o| {
                    let named = self.named(o);
                    let above = named.iter().any(|&n| self.within(p, n));
                    !above || !named.iter().any(|&n| self.within(n, u))
                })
            }
            Command::CloseUnit { unit, transfer_to, .. } => {
                let Some(u) = self.known_unit(*unit) else { return Some(false) };
                if u == 0 || !open(u) || self.units.iter().any(|c| c.parent == Some(u) && c.open) {
                    return Some(false);
                }
                let holds = self.households.contains(&u);
                let target_ok = |t: UnitId| self.known_unit(t).is_some_and(|t| open(t) && !self.within(t, u));
                match transfer_to {
                    None => !holds,
                    Some(t) if holds => target_ok(*t),
                    // Naming a target for a unit with no households: the docs leave it open.
                    Some(t) => return target_ok(*t).then_some(true),
                }
            }
            _ => return None,
        })
    }

    /// Apply an accepted command; `rule` is the table of a new colour rule.
    fn apply(&mut self, command: &Command, rule: Option<RuleTable>) {
        match command {
            Command::AddUnit { parent, unit } => self.units.push(MUnit {
                parent: Some(parent.index()),
                level: u8::try_from(unit.level().index().expect("generated by index").index()).expect("a small level"),
                open: true,
            }),
            Command::CreateOverlay { .. } => self.overlays += 1,
            Command::AddCell { overlay, units, .. } => {
                self.cells.push((overlay.index(), units.iter().map(|u| u.index()).collect()))
            }
            Command::ExtendCell { cell, units } => self.cells[cell.index()].1.extend(units.iter().map(|u| u.index())),
            Command::AddHousehold { unit, .. } => self.households.push(unit.index()),
            Command::MoveHousehold { household, to } => self.households[household.index()] = to.index(),
            Command::RegisterPerson { household, record, state } => self.persons.push(MPerson {
                household: household.index(),
                state: state.state(),
                measure: state.measure(),
                since: state.since(),
                markers: record.markers(),
            }),
            Command::MovePerson { person, to, .. } => self.persons[person.index()].household = to.index(),
            Command::SetMarkers { person, markers } => self.persons[person.index()].markers = *markers,
            Command::SetState { person, state, on } => {
                let p = &mut self.persons[person.index()];
                (p.state, p.measure, p.since) = (*state, measure_after(p.measure, *state), *on);
            }
            Command::SetColourRule { .. } => self.rule = rule.expect("the table of the new rule"),
            Command::MoveUnit { unit, new_parent } => self.units[unit.index()].parent = Some(new_parent.index()),
            Command::CloseUnit { unit, transfer_to, .. } => {
                self.units[unit.index()].open = false;
                if let Some(t) = transfer_to {
                    for h in self.households.iter_mut().filter(|h| **h == unit.index()) {
                        *h = t.index();
                    }
                }
            }
            other => panic!("the model does not know {other:?}"),
        }
    }

    /// Every unit's recount, by walking parent links up from each household's unit.
    fn unit_recounts(&self) -> Vec<Recount> {
        let mut out = vec![Recount::default(); self.units.len()];
        for h in 0..self.households.len() {
            let r = self.recount(h);
            let mut u = Some(self.households[h]);
            while let Some(x) = u {
                out[x].add(&r);
                u = self.units[x].parent;
            }
        }
        out
    }

    /// The recount of the households inside any of `areas`, each once.
    fn recount_inside(&self, areas: &[usize]) -> Recount {
        let mut r = Recount::default();
        for h in 0..self.households.len() {
            if areas.iter().any(|&a| self.within(self.households[h], a)) {
                r.add(&self.recount(h));
            }
        }
        r
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The registry: checks after every step
// ---------------------------------------------------------------------------------------------

fn check(reg: &Registry, model: &Model, scopes: &[Vec<u16>]) {
    let tree = reg.tree();
    assert_eq!(tree.len(), model.units.len(), "units");
    assert_eq!(reg.population().household_count(), model.households.len(), "households");
    assert_eq!(reg.population().person_count(), model.persons.len(), "persons");
    for (i, mu) in model.units.iter().enumerate() {
        let u = UnitId::new(i as u32);
        assert_eq!(tree.parent(u).expect("known").map(|p| p.index()), mu.parent, "parent of {u}");
        assert_eq!(tree.unit(u).expect("known").is_open(), mu.open, "{u} open");
    }
    for (i, mp) in model.persons.iter().enumerate() {
        let p = PersonId::new(i as u32);
        let standing = Standing::new(mp.state, mp.measure).expect("a standing");
        assert_eq!(reg.state(p).expect("known"), PersonState::with_standing(standing, mp.since), "state of {p}");
        let person = reg.person(p).expect("known");
        assert_eq!(person.household().index(), mp.household, "household of {p}");
        assert_eq!(person.markers(), mp.markers, "markers of {p}");
    }
    assert!(reg.state(PersonId::new(model.persons.len() as u32)).is_err());
    assert!(reg.colour(HouseholdId::new(model.households.len() as u32)).is_err());
    for (i, &unit) in model.households.iter().enumerate() {
        let h = HouseholdId::new(i as u32);
        let household = reg.household(h).expect("known");
        assert_eq!(household.unit().index(), unit, "unit of {h}");
        let mut members: Vec<usize> = household.members().iter().map(|p| p.index()).collect();
        members.sort_unstable();
        assert_eq!(members, model.members(i), "members of {h}");
        assert_eq!(reg.colour(h).expect("known"), model.colour(i), "colour of {h}");
    }

    // Every unit's tally against a recount made by walking parent links.
    let recounts = model.unit_recounts();
    let roll_up = reg.roll_up();
    assert_eq!(roll_up.len(), model.units.len());
    for (i, expected) in recounts.iter().enumerate() {
        let u = UnitId::new(i as u32);
        let stored = reg.tally(u).expect("known");
        assert_eq!(&Recount::of(stored), expected, "tally of {u}");
        // Each person once: by household colour and by state, as many as live inside.
        let inside: Vec<usize> =
            (0..model.households.len()).filter(|&h| model.within(model.households[h], i)).collect();
        let persons = model.persons.iter().filter(|p| inside.contains(&p.household)).count() as u64;
        assert_eq!(COLOURS.iter().map(|&c| stored.persons(c)).sum::<u64>(), persons, "persons of {u}");
        assert_eq!(STATES.iter().map(|&s| stored.in_state(s)).sum::<u64>(), persons, "states of {u}");
        assert_eq!(COLOURS.iter().map(|&c| stored.households(c)).sum::<u64>(), inside.len() as u64);
        assert_eq!(
            reg.counts(u).expect("known"),
            Counts { households: expected.total_households(), persons: expected.total_persons() }
        );
        // A parent's tally is its own households' plus the sum of its children's.
        let own = (0..model.households.len())
            .filter(|&h| model.households[h] == i)
            .map(|h| Tally::household(model.colour(h), model.member_states(h)));
        let children: Vec<usize> = (0..model.units.len()).filter(|&c| model.units[c].parent == Some(i)).collect();
        let mut listed: Vec<usize> = tree.children(u).expect("known").iter().map(|c| c.index()).collect();
        listed.sort_unstable();
        assert_eq!(listed, children, "children of {u}");
        let summed: Tally =
            own.chain(children.iter().map(|&c| reg.tally(UnitId::new(c as u32)).expect("known").clone())).sum();
        assert_eq!(&summed, stored, "own households and children of {u}");
        assert_eq!(&roll_up[i], stored, "roll_up of {u}");
    }
    let findings = reg.audit();
    assert!(findings.is_empty(), "audit: {findings:?}");

    // Cells: the households inside any of their units.
    assert_eq!(reg.overlays().cell_count(), model.cells.len());
    for (i, (overlay, units)) in model.cells.iter().enumerate() {
        let c = CellId::new(i as u32);
        let cell = reg.overlays().cell(c).expect("known");
        assert_eq!(cell.overlay().index(), *overlay);
        assert_eq!(cell.units().iter().map(|u| u.index()).collect::<Vec<_>>(), *units, "units of {c}");
        assert_eq!(Recount::of(reg.cell_tally(c).expect("known")), model.recount_inside(units), "tally of cell {c}");
    }
    assert!(reg.cell_tally(CellId::new(model.cells.len() as u32)).is_err());

    for picks in scopes {
        check_scope(reg, model, picks);
    }
}

/// A scope of random roots: its total is the recount of the union of their subtrees; its
/// reads answer inside and refuse outside.
fn check_scope(reg: &Registry, model: &Model, picks: &[u16]) {
    let roots: Vec<UnitId> = picks.iter().map(|&p| UnitId::new(pick(p, model.units.len()) as u32)).collect();
    let unknown = roots.iter().any(|r| r.index() >= model.units.len());
    let scope = match reg.scope(&roots) {
        Ok(scope) => scope,
        Err(e) => {
            let documented = match e {
                Error::Registry(RegistryError::EmptyScope) => roots.is_empty(),
                Error::Grid(GridError::UnknownUnit { unit }) => unit.index() >= model.units.len(),
                _ => false,
            };
            assert!(documented && (roots.is_empty() || unknown), "scope of {roots:?}: {e:?}");
            return;
        }
    };
    assert!(!roots.is_empty() && !unknown, "a scope of {roots:?}");
    let areas: Vec<usize> = roots.iter().map(|r| r.index()).collect();
    let inside = |u: usize| areas.iter().any(|&a| model.within(u, a));
    assert_eq!(Recount::of(&scope.total_tally()), model.recount_inside(&areas), "total of scope {roots:?}");
    // Outside is answered as if it did not exist: the error of an unknown id.
    for u in 0..model.units.len() {
        let id = UnitId::new(u as u32);
        match scope.tally(id) {
            Ok(t) => assert!(inside(u) && t == reg.tally(id).expect("known")),
            Err(e) => assert!(
                !inside(u) && e == Error::Grid(wangge::grid::GridError::UnknownUnit { unit: id }),
                "{id} in scope {roots:?}"
            ),
        }
    }
    for (h, &unit) in model.households.iter().enumerate() {
        let id = HouseholdId::new(h as u32);
        match scope.colour(id) {
            Ok(c) => assert!(inside(unit) && c == model.colour(h), "{id} in scope {roots:?}"),
            Err(e) => assert!(
                !inside(unit) && e == Error::People(wangge::people::PeopleError::UnknownHousehold { household: id }),
                "{id} in scope {roots:?}"
            ),
        }
    }
    for (p, mp) in model.persons.iter().enumerate() {
        let id = PersonId::new(p as u32);
        match scope.state(id) {
            Ok(s) => {
                let standing = Standing::new(mp.state, mp.measure).expect("a standing");
                assert!(inside(model.households[mp.household]) && s == PersonState::with_standing(standing, mp.since));
            }
            Err(e) => assert!(
                !inside(model.households[mp.household])
                    && e == Error::People(wangge::people::PeopleError::UnknownPerson { person: id }),
                "{id} in scope {roots:?}"
            ),
        }
    }
    for (c, (_, units)) in model.cells.iter().enumerate() {
        let id = CellId::new(c as u32);
        match scope.cell_tally(id) {
            Ok(t) => assert!(units.iter().all(|&u| inside(u)) && t == reg.cell_tally(id).expect("known")),
            Err(e) => assert!(
                !units.iter().all(|&u| inside(u))
                    && e == Error::Grid(wangge::grid::GridError::UnknownCell { cell: id }),
                "{id} in scope {roots:?}"
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The registry: operations
// ---------------------------------------------------------------------------------------------

/// Pick among `n` things; one time in sixteen (and always when there are none) the next id,
/// which is unknown.
fn pick(p: u16, n: usize) -> usize {
    if n == 0 || p % 16 == 15 { n } else { usize::from(p / 16) % n }
}

/// Pick among `ids`; one time in sixteen `unknown`.
fn pick_in(p: u16, ids: &[usize], unknown: usize) -> usize {
    match pick(p, ids.len()) {
        i if i < ids.len() => ids[i],
        _ => unknown,
    }
}

/// The city to build before the random operations.
#[derive(Debug, Clone)]
struct Plan {
    communities: u8,
    /// Each courtyard: a community pick and a compound kind.
    yards: Vec<(u16, u8)>,
    /// Each building: a courtyard pick.
    buildings: Vec<u16>,
    /// Each household: a courtyard-or-building pick.
    households: Vec<u16>,
    /// Each person: a household pick, a state, the day it began, markers.
    persons: Vec<(u16, u8, u8, u8)>,
    /// Each cell: which of the two overlays, unit picks.
    cells: Vec<(bool, Vec<u16>)>,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        2u8..=3,
        prop::collection::vec((any::<u16>(), 0u8..5), 2..=6),
        prop::collection::vec(any::<u16>(), 0..=6),
        prop::collection::vec(any::<u16>(), 3..=12),
        prop::collection::vec((any::<u16>(), 0u8..8, 0u8..20, any::<u8>()), 0..=24),
        prop::collection::vec((any::<bool>(), prop::collection::vec(any::<u16>(), 1..3)), 1..=4),
    )
        .prop_map(|(communities, yards, buildings, households, persons, cells)| Plan {
            communities,
            yards,
            buildings,
            households,
            persons,
            cells,
        })
}

/// A random operation, its targets as picks; `back` dates it that many days before the clock.
#[derive(Debug, Clone)]
enum Op {
    SetState {
        person: u16,
        state: u8,
        back: u8,
    },
    MovePerson {
        person: u16,
        to: u16,
        back: u8,
    },
    SetMarkers {
        person: u16,
        markers: u8,
    },
    Register {
        household: u16,
        state: u8,
        back: u8,
        markers: u8,
    },
    AddHousehold {
        unit: u16,
    },
    MoveHousehold {
        household: u16,
        to: u16,
    },
    /// A courtyard to a community, or (`building`) a building to a courtyard.
    MoveUnit {
        unit: u16,
        to: u16,
        building: bool,
    },
    AddCell {
        second: bool,
        units: Vec<u16>,
    },
    ExtendCell {
        cell: u16,
        units: Vec<u16>,
    },
    SetRule {
        table: RuleTable,
        back: u8,
    },
    CloseUnit {
        unit: u16,
        transfer: Option<u16>,
        back: u8,
    },
}

fn back() -> impl Strategy<Value = u8> {
    prop_oneof![4 => Just(0u8), 1 => 1u8..=20]
}

fn op() -> impl Strategy<Value = Op> {
    let p = any::<u16>;
    let units = || prop::collection::vec(any::<u16>(), 1..3);
    prop_oneof![
        14 => (p(), 0u8..8, back()).prop_map(|(person, state, back)| Op::SetState { person, state, back }),
        2 => (p(), p(), back()).prop_map(|(person, to, back)| Op::MovePerson { person, to, back }),
        2 => (p(), any::<u8>()).prop_map(|(person, markers)| Op::SetMarkers { person, markers }),
        2 => (p(), 0u8..8, back(), any::<u8>())
            .prop_map(|(household, state, back, markers)| Op::Register { household, state, back, markers }),
        1 => p().prop_map(|unit| Op::AddHousehold { unit }),
        2 => (p(), p()).prop_map(|(household, to)| Op::MoveHousehold { household, to }),
        2 => (p(), p(), prop::bool::weighted(0.3)).prop_map(|(unit, to, building)| Op::MoveUnit { unit, to, building }),
        1 => (any::<bool>(), units()).prop_map(|(second, units)| Op::AddCell { second, units }),
        1 => (p(), units()).prop_map(|(cell, units)| Op::ExtendCell { cell, units }),
        1 => (rule_table(), back()).prop_map(|(table, back)| Op::SetRule { table, back }),
        1 => (p(), prop::option::weighted(0.8, p()), back())
            .prop_map(|(unit, transfer, back)| Op::CloseUnit { unit, transfer, back }),
    ]
}

/// One step as it was observed: the date of its event (if it was accepted and dated) and every
/// household's colour before and after.
struct Observed {
    date: Option<NaiveDate>,
    before: Vec<Colour>,
    after: Vec<Colour>,
}

/// Names the step being checked when a check panics, so that a failure says where it happened.
struct Context(String);

impl Drop for Context {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("while checking {}", self.0);
        }
    }
}

/// A registry with its log, the model beside it, and what each step did.
struct Case {
    reg: Registry,
    log: Vec<Event>,
    model: Model,
    observed: Vec<Observed>,
    /// How many commands were refused.
    refused: usize,
    scopes: Vec<Vec<u16>>,
}

fn colours_of(reg: &Registry) -> Vec<Colour> {
    (0..reg.population().household_count()).map(|h| reg.colour(HouseholdId::new(h as u32)).expect("known")).collect()
}

/// The date the event of an accepted command carries, as documented by [`Event::date`].
fn date_of(command: &Command) -> Option<NaiveDate> {
    match command {
        Command::SetState { on, .. }
        | Command::MovePerson { on, .. }
        | Command::SetColourRule { on, .. }
        | Command::CloseUnit { on, .. } => Some(*on),
        Command::RegisterPerson { state, .. } => Some(state.since()),
        _ => None,
    }
}

impl Case {
    fn new(scopes: Vec<Vec<u16>>) -> Self {
        let scheme = LevelScheme::zhengzhou();
        let root = NewUnit::new("花园路街道", scheme.level("街道").expect("a level"), UnitKind::Area);
        let reg = Registry::new(scheme, root).expect("a valid root");
        let log = vec![reg.founding_event()];
        Case { reg, log, model: Model::new(), observed: Vec::new(), refused: 0, scopes }
    }

    /// Apply `command` with every check; whether it was accepted. `rule` is the table of a new
    /// colour rule.
    fn step(&mut self, command: Command, rule: Option<RuleTable>) -> bool {
        let _context = Context(format!("step {} ({command:?})", self.observed.len() + self.refused));
        let expect = self.model.expect(&command);
        let before = self.reg.clone();
        let colours_before = colours_of(&before);
        let accepted = match self.reg.apply(command.clone()) {
            Ok(events) => {
                assert_ne!(expect, Some(false), "{command:?} was accepted, but the rules refuse it");
                assert_eq!(events.len(), 1, "{command:?} became {events:?}");
                let event = &events[0];
                let next = |n: usize| Some(n as u32);
                match &command {
                    Command::AddUnit { .. } => {
                        assert_eq!(event.new_unit().map(|u| u.get()), next(self.model.units.len()))
                    }
                    Command::AddHousehold { .. } => {
                        assert_eq!(event.new_household().map(|h| h.get()), next(self.model.households.len()))
                    }
                    Command::RegisterPerson { household, state, .. } => {
                        assert_eq!(event.new_person().map(|p| p.get()), next(self.model.persons.len()));
                        // Adding a member never lowers the household's colour.
                        let (was, is) =
                            (colours_before[household.index()], self.reg.colour(*household).expect("known"));
                        assert!(
                            severity(is) >= severity(was),
                            "registering lowered {household} from {was:?} to {is:?}"
                        );
                        assert_eq!(is, worse(was, self.model.rule[state_index(state.state())]));
                    }
                    Command::AddCell { .. } => {
                        assert_eq!(event.new_cell().map(|c| c.get()), next(self.model.cells.len()))
                    }
                    _ => {}
                }
                self.model.apply(&command, rule);
                assert_eq!(event.date(), date_of(&command), "date of {event:?}");
                // The event's recolourings are exactly the changes observed, in household order.
                let colours_after = colours_of(&self.reg);
                let seen: Vec<Recolour> = colours_before
                    .iter()
                    .zip(&colours_after)
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(|(h, (&from, &to))| Recolour { household: HouseholdId::new(h as u32), from, to })
                    .collect();
                assert_eq!(event.recolours(), seen.as_slice(), "recolours of {command:?}");
                assert!(colours_after[colours_before.len()..].iter().all(|&c| c == Colour::White), "a new household");
                // The event applied to the registry as it was gives the same registry.
                let mut again = before.clone();
                again.apply_event(event).unwrap_or_else(|e| panic!("own event {event:?} refused: {e}"));
                assert!(again == self.reg, "applying the event of {command:?} gave another registry");
                self.observed.push(Observed { date: event.date(), before: colours_before, after: colours_after });
                self.log.extend(events);
                true
            }
            Err(error) => {
                assert_ne!(expect, Some(true), "{command:?} was refused ({error}), but the rules accept it");
                assert!(self.reg == before, "the refused {command:?} ({error}) changed the registry");
                if let Command::SetState { person, state, on } = &command
                    && let Some(mp) = self.model.persons.get(person.index())
                {
                    let typed = match error {
                        Error::Colour(ColourError::Unchanged { state: s }) => s == mp.state && s == *state,
                        Error::Colour(ColourError::IllegalTransition { from, to }) => {
                            (from, to) == (mp.state, *state) && !registry_allows(from, to)
                        }
                        Error::Colour(ColourError::BeforeCurrent { since, on: o }) => {
                            (since, o) == (mp.since, *on) && o < since
                        }
                        _ => false,
                    };
                    assert!(
                        typed,
                        "{command:?} of a person {:?} since {} was refused with {error:?}",
                        mp.state, mp.since
                    );
                }
                self.refused += 1;
                false
            }
        };
        check(&self.reg, &self.model, &self.scopes);
        accepted
    }

    /// A door no household has: doors are unique across the whole city here.
    fn door(&self) -> DoorLabel {
        let n = self.model.households.len();
        DoorLabel::new(&format!("{}-{:03}", n / 10 + 1, n)).expect("a valid door")
    }

    fn build(&mut self, plan: &Plan) {
        let scheme = self.reg.tree().scheme().clone();
        let level = |n: &str| scheme.level(n).expect("a Zhengzhou level");
        for i in 0..plan.communities {
            let unit = NewUnit::new(format!("社区{i}"), level("社区"), UnitKind::Area);
            self.step(Command::AddUnit { parent: self.reg.root(), unit }, None);
        }
        for (i, &(c, kind)) in plan.yards.iter().enumerate() {
            let parent = pick_in(c, &self.model.at_level(1), self.model.units.len());
            let kind = UnitKind::Compound(CompoundKind::ALL[usize::from(kind) % 5]);
            let unit = NewUnit::new(format!("{i}号院"), level("楼院"), kind);
            self.step(Command::AddUnit { parent: UnitId::new(parent as u32), unit }, None);
        }
        for (i, &y) in plan.buildings.iter().enumerate() {
            let parent = pick_in(y, &self.model.at_level(2), self.model.units.len());
            let unit = NewUnit::new(format!("{i}号楼"), level("楼组"), UnitKind::Building);
            self.step(Command::AddUnit { parent: UnitId::new(parent as u32), unit }, None);
        }
        for (name, kind) in [("片区", OverlayKind::Zone), ("网格", OverlayKind::Grid)] {
            self.step(Command::CreateOverlay { name: name.to_owned(), kind }, None);
        }
        for &u in &plan.households {
            let unit = UnitId::new(self.residential(u) as u32);
            let door = self.door();
            self.step(Command::AddHousehold { unit, door }, None);
        }
        for &(h, s, since, bits) in &plan.persons {
            let household = HouseholdId::new(pick(h, self.model.households.len()) as u32);
            let state = PersonState::new(STATES[usize::from(s) % 8], day(4 + i64::from(since)));
            let record = PersonRecord::new().with_markers(markers(bits));
            self.step(Command::RegisterPerson { household, record, state }, None);
        }
        for (i, (second, units)) in plan.cells.iter().enumerate() {
            let command = Command::AddCell {
                overlay: OverlayId::new(u16::from(*second)),
                name: format!("格{i}"),
                units: self.units(units),
            };
            self.step(command, None);
        }
    }

    /// A courtyard or a building, or an unknown unit.
    fn residential(&self, p: u16) -> usize {
        let mut ids = self.model.at_level(2);
        ids.extend(self.model.at_level(3));
        pick_in(p, &ids, self.model.units.len())
    }

    fn units(&self, picks: &[u16]) -> Vec<UnitId> {
        picks.iter().map(|&p| UnitId::new(pick(p, self.model.units.len()) as u32)).collect()
    }

    fn run(&mut self, ops: &[(u8, Op)]) {
        let mut clock = 19i64; // 20 January 2020
        for (advance, op) in ops {
            clock += i64::from(*advance);
            let on = |back: u8| day(clock - i64::from(back));
            let person = |p: u16| PersonId::new(pick(p, self.model.persons.len()) as u32);
            let household = |h: u16| HouseholdId::new(pick(h, self.model.households.len()) as u32);
            let mut rule = None;
            let command = match op {
                Op::SetState { person: p, state, back } => {
                    Command::SetState { person: person(*p), state: STATES[usize::from(*state)], on: on(*back) }
                }
                Op::MovePerson { person: p, to, back } => {
                    Command::MovePerson { person: person(*p), to: household(*to), on: on(*back) }
                }
                Op::SetMarkers { person: p, markers: bits } => {
                    Command::SetMarkers { person: person(*p), markers: markers(*bits) }
                }
                Op::Register { household: h, state, back, markers: bits } => Command::RegisterPerson {
                    household: household(*h),
                    record: PersonRecord::new().with_markers(markers(*bits)),
                    state: PersonState::new(STATES[usize::from(*state)], on(*back)),
                },
                Op::AddHousehold { unit } => {
                    let unit = UnitId::new(self.residential(*unit) as u32);
                    Command::AddHousehold { unit, door: self.door() }
                }
                Op::MoveHousehold { household: h, to } => {
                    Command::MoveHousehold { household: household(*h), to: UnitId::new(self.residential(*to) as u32) }
                }
                Op::MoveUnit { unit, to, building } => {
                    let (moved, under) = if *building { (3, 2) } else { (2, 1) };
                    let unknown = self.model.units.len();
                    Command::MoveUnit {
                        unit: UnitId::new(pick_in(*unit, &self.model.at_level(moved), unknown) as u32),
                        new_parent: UnitId::new(pick_in(*to, &self.model.at_level(under), unknown) as u32),
                    }
                }
                Op::AddCell { second, units } => Command::AddCell {
                    overlay: OverlayId::new(u16::from(*second)),
                    name: format!("格{}", self.model.cells.len()),
                    units: self.units(units),
                },
                Op::ExtendCell { cell, units } => Command::ExtendCell {
                    cell: CellId::new(pick(*cell, self.model.cells.len()) as u32),
                    units: self.units(units),
                },
                Op::SetRule { table, back } => {
                    rule = Some(*table);
                    Command::SetColourRule { rule: rule_of(table), on: on(*back) }
                }
                Op::CloseUnit { unit, transfer, back } => {
                    let n = self.model.units.len();
                    Command::CloseUnit {
                        unit: UnitId::new(pick(*unit, n) as u32),
                        on: on(*back),
                        transfer_to: transfer.map(|t| UnitId::new(pick(t, n) as u32)),
                    }
                }
            };
            self.step(command, rule);
        }
    }

    /// What [`Event::colour_changes_since`] must give for `since`, from the colours recorded
    /// around each step: for each household changed by events dated `since` or later, its
    /// colour before the first such change and after the last, if they differ.
    fn changes_since(&self, since: NaiveDate) -> Vec<Recolour> {
        let mut out = Vec::new();
        for h in 0..self.model.households.len() {
            let counted: Vec<&Observed> = self
                .observed
                .iter()
                .filter(|o| o.date.is_some_and(|d| d >= since))
                .filter(|o| o.after.get(h).is_some_and(|&a| o.before.get(h).copied().unwrap_or(Colour::White) != a))
                .collect();
            if let (Some(first), Some(last)) = (counted.first(), counted.last()) {
                let (from, to) = (first.before[h], last.after[h]);
                if from != to {
                    out.push(Recolour { household: HouseholdId::new(h as u32), from, to });
                }
            }
        }
        out
    }

    fn finish(&self) {
        let _context = Context("the end of the case".to_owned());
        // Colours change only through dated events.
        for o in &self.observed {
            assert!(o.date.is_some() || o.before == o.after[..o.before.len()], "an undated event recoloured");
        }
        let replayed = Registry::replay(&self.log).unwrap_or_else(|e| panic!("the log does not replay: {e}"));
        assert!(replayed == self.reg, "the replayed registry differs");
        let loaded = Registry::from_snapshot(self.reg.snapshot()).unwrap_or_else(|e| panic!("no snapshot: {e}"));
        assert!(loaded == self.reg, "the registry loaded from its snapshot differs");
        let json = serde_json::to_string(&self.reg.snapshot()).expect("a snapshot serialises");
        let read = Registry::from_snapshot(serde_json::from_str(&json).expect("a snapshot reads back"));
        assert!(read.expect("a snapshot from JSON loads") == self.reg, "the snapshot changed through JSON");

        let dates: BTreeSet<NaiveDate> = self.observed.iter().filter_map(|o| o.date).collect();
        let mut probes: Vec<NaiveDate> = dates.iter().copied().collect();
        probes.extend(dates.first().map(|d| *d - chrono::Duration::days(1)));
        probes.extend(dates.last().map(|d| *d + chrono::Duration::days(1)));
        for since in probes {
            assert_eq!(
                Event::colour_changes_since(&self.log, since),
                self.changes_since(since),
                "changes since {since}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Random changes of state (and the other commands) keep every household's colour and
    /// every unit's and cell's tally equal to a recount from scratch.
    #[test]
    fn colours_and_tallies_stay_live(
        plan in plan(),
        ops in prop::collection::vec((0u8..=2, op()), 1..=MAX_OPS),
        scopes in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..3), 1..3),
    ) {
        let mut case = Case::new(scopes);
        case.build(&plan);
        case.run(&ops);
        case.finish();
    }
}

/// A fixed case through every kind of command, so that the checks above are seen to accept a
/// sound registry and the model to agree on each rule.
#[test]
fn the_checks_accept_a_city_built_by_hand() {
    let plan = Plan {
        communities: 2,
        yards: vec![(0, 0), (16, 1), (0, 4)],
        buildings: vec![0, 0, 16],
        households: vec![0, 16, 32, 48, 64],
        persons: vec![(0, 0, 0, 1), (0, 3, 2, 0), (16, 6, 4, 16), (32, 1, 0, 0), (48, 2, 6, 3)],
        cells: vec![(false, vec![16]), (false, vec![32]), (true, vec![0])],
    };
    let mut case = Case::new(vec![vec![16], vec![32, 48], vec![]]);
    case.build(&plan);
    assert_eq!(case.model.units.len(), 9);
    assert_eq!(case.model.cells.len(), 3);
    let p = |i: u16| i * 16;
    let ops = vec![
        (0, Op::SetState { person: p(0), state: 5, back: 0 }), // well -> close contact
        (1, Op::SetState { person: p(0), state: 4, back: 0 }), // close -> secondary: refused
        (0, Op::SetState { person: p(2), state: 0, back: 0 }), // close -> well (released)
        (0, Op::SetState { person: p(1), state: 0, back: 20 }), // before it began: refused
        (1, Op::SetState { person: p(1), state: 0, back: 0 }),
        (0, Op::SetState { person: 15, state: 0, back: 0 }), // unknown person
        (0, Op::MovePerson { person: p(0), to: p(3), back: 0 }),
        (0, Op::SetMarkers { person: p(3), markers: 0x7f }),
        (0, Op::Register { household: p(4), state: 7, back: 0, markers: 1 }),
        (0, Op::MoveHousehold { household: p(1), to: p(2) }),
        (0, Op::MoveUnit { unit: p(1), to: p(0), building: false }),
        (0, Op::SetRule { table: [Colour::Red; 8], back: 0 }),
        (0, Op::CloseUnit { unit: p(8), transfer: Some(p(3)), back: 0 }),
        (0, Op::ExtendCell { cell: p(0), units: vec![p(8)] }),
        (0, Op::SetRule { table: zhengzhou_table(), back: 3 }),
    ];
    case.run(&ops);
    case.finish();
    assert!(!Event::colour_changes_since(&case.log, day(0)).is_empty());
}
