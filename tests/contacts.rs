//! The contact graph 密接 / 次密接 (issue 16 §4): a scenario told in the domain's words, the
//! property tests of its invariants against naive models, and what a scoped reader sees.
//!
//! - **Derivation equals the rule applied by brute force**: for random small cities, random
//!   exposures, random rules and random index cases, [`Registry::derive_contacts`] gives
//!   exactly the persons, "via" and last exposures that a scan of every person against the
//!   rule's words gives.
//! - **Chains are acyclic and reach an index case**: links offered at random (cycles
//!   included) are taken exactly when a naive reachability search says they close no cycle,
//!   and every chain walks back along taken links, without repeating anyone, to a person
//!   traced from nobody, by the fewest links a naive breadth-first search finds.

#[path = "support/proptest_config.rs"]
mod proptest_config;

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use wangge::colour::{PersonState, State};
use wangge::contacts::{CaseLinks, ContactGraph, ContactRule, Derived, Exposure, Place, PlaceKind, Reach};
use wangge::grid::{LevelScheme, NewUnit, UnitKind};
use wangge::people::{DoorLabel, PersonRecord};
use wangge::quarantine::{Category, Policy, TestResult};
use wangge::registry::ScopeItem;
use wangge::registry::Seen;
use wangge::{Command, Error, HouseholdId, PersonId, PolicyId, Registry, RegistryError, UnitId};

fn jul(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 7, d).expect("a real date")
}

/// A sub-district with `communities` communities, each with `buildings` building groups.
struct Town {
    reg: Registry,
    communities: Vec<UnitId>,
    buildings: Vec<Vec<UnitId>>,
    close: PolicyId,
    secondary: PolicyId,
}

fn town(communities: usize, buildings: usize) -> Town {
    let levels = LevelScheme::zhengzhou();
    let lv = |n: &str| levels.level(n).expect("a level");
    let mut reg =
        Registry::new(levels.clone(), NewUnit::new("花园路街道", lv("街道"), UnitKind::Area)).expect("a root");
    let mut cs = Vec::new();
    let mut bs = Vec::new();
    for c in 0..communities {
        let unit = NewUnit::new(format!("{c}社区"), lv("社区"), UnitKind::Area);
        let community =
            reg.apply(Command::AddUnit { parent: reg.root(), unit }).expect("added")[0].new_unit().expect("a unit");
        let mut these = Vec::new();
        for b in 0..buildings {
            let unit =
                NewUnit::new(format!("{c}-{b}"), lv("楼院"), UnitKind::Compound(wangge::grid::CompoundKind::Open));
            let yard =
                reg.apply(Command::AddUnit { parent: community, unit }).expect("added")[0].new_unit().expect("a unit");
            these.push(yard);
        }
        cs.push(community);
        bs.push(these);
    }
    let close = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed1_7_close_contact() }).expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    let secondary = reg.apply(Command::AdoptPolicy { policy: Policy::cn_ed9_secondary_contact() }).expect("adopted")[0]
        .new_policy()
        .expect("a policy");
    Town { reg, communities: cs, buildings: bs, close, secondary }
}

impl Town {
    /// A household of `size` persons, present and well since June 1, at `unit`.
    fn household(&mut self, unit: UnitId, size: usize) -> (HouseholdId, Vec<PersonId>) {
        let n = self.reg.population().household_count();
        let door = DoorLabel::new(&format!("{n}-101")).expect("a door");
        let h = self.reg.apply(Command::AddHousehold { unit, door }).expect("added")[0]
            .new_household()
            .expect("a household");
        let persons = (0..size)
            .map(|_| {
                let state = PersonState::well(jul(1) - Days::new(30));
                let events =
                    self.reg.apply(Command::RegisterPerson { household: h, record: PersonRecord::new(), state });
                events.expect("registered")[0].new_person().expect("a person")
            })
            .collect();
        (h, persons)
    }

    fn expose(&mut self, contact: PersonId, source: PersonId, on: NaiveDate, place: Place) {
        let exposure = Exposure::new(contact, source, on, place, None).expect("two persons");
        self.reg.apply(Command::RecordExposure { exposure }).expect("recorded");
    }
}

/// Seed-shaped scenario: a confirmed case, their household and two named contacts become
/// close contacts; the named contacts' households become secondary contacts, linked to their
/// close contact's case; one named contact tests positive and their household is converted;
/// traced in turn, they add a third generation. Everything in one record per trace.
#[test]
fn a_confirmed_case_household_and_named_contacts_then_their_households() {
    let mut t = town(2, 2);
    let (b0, b1) = (t.buildings[0][0], t.buildings[0][1]);
    let (_, index_home) = t.household(b0, 3); // the case and two household members
    let (case, a1, a2) = (index_home[0], index_home[1], index_home[2]);
    let (_, bus) = t.household(b1, 2); // a bus companion and a household member
    let (_, work) = t.household(t.buildings[1][0], 3); // a colleague and two household members
    let (_, old) = t.household(b1, 1); // met twelve days ago: outside the rule's 4 days
    let (_, later) = t.household(t.buildings[1][1], 1); // meets the colleague later
    let neighbour = t.household(b0, 1).1[0]; // same building, no exposure: not a contact
    t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
    t.reg.apply(Command::SetState { person: case, state: State::Confirmed, on: jul(10) }).expect("confirmed");
    t.expose(bus[0], case, jul(8), Place::Transport);
    t.expose(work[0], case, jul(7), Place::Workplace(t.buildings[1][0]));
    t.expose(old[0], case, jul(1) - Days::new(3), Place::Transport);

    let rule = ContactRule::cn_ed9();
    let trace = Command::TraceContacts {
        index: case,
        rule: rule.clone(),
        close_policy: t.close,
        secondary_policy: Some(t.secondary),
        on: jul(10),
    };
    let log_before = t.reg.clone();
    let events = t.reg.execute(trace, None).expect("traced");
    let events = events.record().expect("a record").events().to_vec();
    // One record: the trace, then 4 close contacts' cases, then 3 secondary contacts'.
    assert_eq!(events.len(), 1 + 4 + 3);
    let traced = &t.reg.traces()[0];
    let ids = |placed: &[wangge::registry::Placed]| placed.iter().map(|p| p.person).collect::<Vec<_>>();
    assert_eq!(ids(&traced.close), [a1, a2, bus[0], work[0]]);
    assert_eq!(ids(&traced.secondary), [bus[1], work[1], work[2]]);
    assert!(!ids(&traced.close).contains(&neighbour) && !ids(&traced.close).contains(&old[0]));
    // Anchored at the last exposure: the household today, the named contacts on their day.
    let anchor = |p: PersonId| t.reg.case(t.reg.active_case(p).expect("a case")).expect("a case").anchor();
    assert_eq!((anchor(a1), anchor(bus[0]), anchor(work[0]), anchor(work[1])), (jul(10), jul(8), jul(7), jul(10)));
    for &p in &[a1, a2, bus[0], work[0]] {
        assert_eq!(t.reg.state(p).expect("a person").state(), State::CloseContact);
        let c = t.reg.case(t.reg.active_case(p).expect("a case")).expect("a case");
        assert_eq!(c.category(), Category::CloseContact);
    }
    for &p in &[bus[1], work[1], work[2]] {
        assert_eq!(t.reg.state(p).expect("a person").state(), State::SecondaryContact);
        let c = t.reg.case(t.reg.active_case(p).expect("a case")).expect("a case");
        let via = if bus.contains(&p) { bus[0] } else { work[0] };
        // Linked to their close contact's case, as StartCase { linked } links one.
        assert_eq!(c.linked(), t.reg.active_case(via));
    }
    assert_eq!(t.reg.chain_of(work[2]).expect("a person"), Some(vec![work[2], work[0], case]));
    assert_eq!(t.reg.contact_graph().generation(work[2]), Some(2));
    assert_eq!(t.reg.chain_of(case).expect("a person"), Some(vec![case]));
    assert!(t.reg.audit().is_empty(), "{:?}", t.reg.audit());

    // The colleague tests positive: their household is converted to close contacts (today's
    // linked secondary contacts), and the colleague, now a case, keeps the trace's history.
    t.reg.apply(Command::OpenDay { today: jul(11) }).expect("a day");
    t.expose(later[0], work[0], jul(11), Place::Transport);
    t.reg.apply(Command::RecordTest { person: work[0], on: jul(11), result: TestResult::Positive }).expect("tested");
    assert_eq!(t.reg.state(work[1]).expect("a person").state(), State::CloseContact);
    let events = t.reg.apply(Command::TraceContacts {
        index: work[0],
        rule,
        close_policy: t.close,
        secondary_policy: Some(t.secondary),
        on: jul(11),
    });
    let events = events.expect("traced");
    // The household is under its cases already (kept); the new contact gets one.
    assert_eq!(events.len(), 2);
    let second = &t.reg.traces()[1];
    assert_eq!(ids(&second.close), [work[1], work[2], later[0]]);
    assert_eq!(second.close.iter().map(|p| p.started).collect::<Vec<_>>(), [false, false, true]);
    assert_eq!(t.reg.traces()[0].close[3].person, work[0]); // the history kept
    assert_eq!(t.reg.chain_of(later[0]).expect("a person"), Some(vec![later[0], work[0], case]));
    // A contact of several cases: traced from both the colleague and (as a secondary contact)
    // the colleague again; the chain takes the fewest links.
    assert_eq!(t.reg.contact_graph().traced_via(work[1]), [work[0]]);
    let clusters = t.reg.clusters();
    assert_eq!(clusters.len(), 1);
    // The case, 4 + 3 contacts, the old exposure, the later contact; the neighbour is in none.
    assert_eq!(clusters[0].cluster.size(), 10);
    assert_eq!(clusters[0].cluster.index_cases, [case]);
    assert_eq!(clusters[0].units.iter().map(|u| u.1).sum::<usize>(), 10);
    assert!(t.reg.audit().is_empty(), "{:?}", t.reg.audit());

    // Replayed from its records and through a snapshot, the same registry.
    let json = serde_json::to_string(&t.reg.snapshot()).expect("written");
    let back = Registry::from_snapshot(serde_json::from_str(&json).expect("read")).expect("loaded");
    assert_eq!(back, t.reg);
    drop(log_before);
}

/// A secondary contact whose case a worker started by hand, linked to a traced close
/// contact's case (`StartCase { linked }`), is in the chain and the cluster of that close
/// contact, as if the trace had placed them; a person linked by hand to someone downstream of
/// them does not make a chain loop. The same through a snapshot, and rolled up by community.
#[test]
fn a_case_linked_by_hand_joins_the_chain_of_its_close_contact() {
    let mut t = town(2, 1);
    let (_, home) = t.household(t.buildings[0][0], 1);
    let (_, bus) = t.household(t.buildings[0][0], 1);
    let (_, family) = t.household(t.buildings[1][0], 2); // the bus companion's relatives
    let case = home[0];
    t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
    t.reg.apply(Command::SetState { person: case, state: State::Confirmed, on: jul(10) }).expect("confirmed");
    t.expose(bus[0], case, jul(9), Place::Transport);
    let trace = Command::TraceContacts {
        index: case,
        rule: ContactRule::cn_ed9(),
        close_policy: t.close,
        secondary_policy: None,
        on: jul(10),
    };
    t.reg.apply(trace).expect("traced");
    assert_eq!(t.reg.chain_of(family[0]).expect("a person"), None); // not met yet
    let close_case = t.reg.active_case(bus[0]).expect("a case");
    for &p in &family {
        t.reg
            .apply(Command::StartCase {
                person: p,
                policy: t.secondary,
                category: Category::SecondaryContact,
                anchor: jul(10),
                on: jul(10),
                linked: Some(wangge::quarantine::Link::Case(close_case)),
            })
            .expect("started");
    }
    assert_eq!(t.reg.chain_of(family[1]).expect("a person"), Some(vec![family[1], bus[0], case]));
    assert_eq!(t.reg.chain_of(family[0]).expect("a person").map(|c| c.len() - 1), Some(2)); // the generation
    let clusters = t.reg.clusters();
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0].cluster.members, [case, bus[0], family[0], family[1]]);
    assert_eq!(clusters[0].cluster.index_cases, [case]);
    let by_community =
        t.reg.span_at(&clusters[0], t.reg.tree().scheme().level("社区").expect("a level")).expect("spans");
    assert_eq!(by_community, [(t.communities[0], 2), (t.communities[1], 2)]);
    assert!(t.reg.audit().is_empty(), "{:?}", t.reg.audit());

    let json = serde_json::to_string(&t.reg.snapshot()).expect("written");
    let back = Registry::from_snapshot(serde_json::from_str(&json).expect("read")).expect("loaded");
    assert_eq!(back, t.reg);
    assert_eq!(back.chain_of(family[1]).expect("a person"), Some(vec![family[1], bus[0], case]));
}

/// Case links read after the chains of tracing never make a chain repeat anyone: a person
/// linked by hand to someone downstream of them ends the walk there.
#[test]
fn a_case_link_back_into_its_own_chain_is_not_followed() {
    let [a, b, c] = [1, 2, 3].map(PersonId::new);
    let mut g = ContactGraph::new();
    assert!(g.link(a, b) && g.link(b, c));
    let links = CaseLinks::new([(c, a), (a, a)]); // a's case linked, by hand, to c's, downstream of a
    assert_eq!(links.pairs(), [(c, a)]);
    assert_eq!(g.chain_with(c, &links), Some(vec![c, b, a]));
    assert_eq!(g.chain_with(a, &links), Some(vec![a]));
    assert_eq!(g.clusters_with(&links).len(), 1);
    assert!(g.clusters_with(&links)[0].index_cases.is_empty()); // a loop by hand has no head
}

/// All or nothing: a trace one contact of which cannot be placed places nobody.
#[test]
fn a_trace_that_cannot_place_everyone_places_nobody() {
    let mut t = town(1, 1);
    let b = t.buildings[0][0];
    let (_, home) = t.household(b, 2);
    let (_, friend) = t.household(b, 2);
    t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
    t.reg.apply(Command::SetState { person: home[0], state: State::Confirmed, on: jul(10) }).expect("confirmed");
    // The friend's household member was made a close contact by hand: the rule would make
    // them a secondary contact, which the state table refuses.
    t.reg.apply(Command::SetState { person: friend[1], state: State::CloseContact, on: jul(10) }).expect("set");
    t.expose(friend[0], home[0], jul(9), Place::Household);
    let before = t.reg.clone();
    let err = t.reg.apply(Command::TraceContacts {
        index: home[0],
        rule: ContactRule::cn_ed9(),
        close_policy: t.close,
        secondary_policy: Some(t.secondary),
        on: jul(10),
    });
    assert!(matches!(err, Err(Error::Colour(_))), "{err:?}");
    assert_eq!(t.reg, before);
    // Not a case: refused.
    let err = t.reg.apply(Command::TraceContacts {
        index: friend[0],
        rule: ContactRule::cn_20_measures(),
        close_policy: t.close,
        secondary_policy: None,
        on: jul(10),
    });
    assert_eq!(err, Err(wangge::contacts::ContactError::NotACase { person: friend[0] }.into()));
}

/// A grid worker of community 0 sees the contacts in their grid and that one exists
/// elsewhere, never who; one of community 1 sees their resident traced from someone
/// elsewhere. The same answers whoever the outside person is.
#[test]
fn a_scoped_reader_sees_contacts_elsewhere_only_as_elsewhere() {
    let answers = |outside_size: usize| {
        let mut t = town(2, 1);
        let (b0, b1) = (t.buildings[0][0], t.buildings[1][0]);
        let (_, home) = t.household(b0, 2);
        // Community 1 differs between the two runs: more households, other ids.
        for _ in 0..outside_size {
            t.household(b1, 1);
        }
        let (_, away) = t.household(b1, 1);
        t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
        t.reg.apply(Command::SetState { person: home[0], state: State::Confirmed, on: jul(10) }).expect("confirmed");
        t.expose(away[0], home[0], jul(9), Place::Transport);
        let trace = Command::TraceContacts {
            index: home[0],
            rule: ContactRule::cn_20_measures(),
            close_policy: t.close,
            secondary_policy: None,
            on: jul(10),
        };
        // Through community 0's scope the trace is refused naming the case, not the contact.
        let refused = t.reg.apply_within(&[t.communities[0]], trace.clone()).unwrap_err();
        assert_eq!(refused, RegistryError::OutsideScope { item: ScopeItem::Person(home[0]) }.into());
        t.reg.apply(trace).expect("traced by the sub-district");
        let inside = t.reg.scope(&[t.communities[0]]).expect("a scope");
        let from = inside.traced_from(home[0]).expect("inside");
        assert_eq!(from, [Seen::Here(home[1]), Seen::Elsewhere]);
        let chain = inside.chain_of(home[1]).expect("inside");
        let outside = t.reg.scope(&[t.communities[1]]).expect("a scope");
        assert_eq!(outside.traced_via(away[0]).expect("inside"), [Seen::Elsewhere]);
        assert_eq!(outside.chain_of(away[0]).expect("inside"), Some(vec![Seen::Here(away[0]), Seen::Elsewhere]));
        // Asking about the outside person is asking about nobody.
        let unknown = inside.traced_from(away[0]).unwrap_err().to_string().replace(&away[0].to_string(), "P");
        (format!("{from:?} {chain:?}"), unknown)
    };
    assert_eq!(answers(0), answers(3));
}

/// Households as (building, size); exposures as (contact, source, days back, kind); the cases.
type Drawn = (Vec<(usize, usize)>, Vec<(usize, usize, u64, usize)>, BTreeSet<usize>);

/// A small random city for the property tests: households of 1 to 4 at 3 building groups.
fn city_and_exposures() -> impl Strategy<Value = Drawn> {
    (prop::collection::vec((0usize..3, 1usize..=4), 2..9)).prop_flat_map(|households| {
        let persons: usize = households.iter().map(|h| h.1).sum();
        let exposures = prop::collection::vec((0..persons, 0..persons, 0u64..8, 0usize..4), 0..20);
        let cases = prop::collection::btree_set(0..persons, 1..3);
        (Just(households), exposures, cases)
    })
}

fn reach() -> impl Strategy<Value = Reach> {
    (any::<bool>(), any::<bool>(), prop::sample::subsequence(PlaceKind::ALL.to_vec(), 0..=4), 0u16..6)
        .prop_map(|(household, building, places, within_days)| Reach { household, building, places, within_days })
}

fn rule() -> impl Strategy<Value = ContactRule> {
    (reach(), prop::option::of(reach()))
        .prop_filter_map("reaches someone", |(close, secondary)| ContactRule::new("r", "test", close, secondary).ok())
}

/// The naive model of a [`Reach`]: does `reach` take `p` from `source`, and on what date.
fn naive_reach(
    reach: &Reach,
    (source, p): (usize, usize),
    on: NaiveDate,
    home: &[usize],
    unit_of: &[usize],
    exposures: &[(usize, usize, NaiveDate, PlaceKind)],
) -> Option<NaiveDate> {
    let mut date = None;
    if reach.household && home[source] == home[p] || reach.building && unit_of[home[source]] == unit_of[home[p]] {
        date = Some(on);
    }
    for &(contact, src, day, kind) in exposures {
        let from = on - Days::new(u64::from(reach.within_days));
        if src == source && contact == p && day >= from && day <= on && reach.places.contains(&kind) {
            date = date.max(Some(day));
        }
    }
    date
}

proptest! {
    #![proptest_config(proptest_config::persisted("proptest-regressions/contacts.txt", 96))]

    /// The graph's derived contacts equal a brute-force application of the rule to every
    /// person of the city.
    #[test]
    fn derived_contacts_equal_the_rule_applied_by_brute_force(
        (households, raw, cases) in city_and_exposures(),
        rule in rule(),
    ) {
        let mut t = town(1, 3);
        let mut home = Vec::new(); // person -> household number
        let mut unit_of = Vec::new(); // household number -> building
        let mut persons = Vec::new();
        for (i, &(b, size)) in households.iter().enumerate() {
            let (_, ps) = t.household(t.buildings[0][b], size);
            unit_of.push(b);
            for p in ps {
                home.push(i);
                persons.push(p);
            }
        }
        let today = jul(10);
        t.reg.apply(Command::OpenDay { today }).expect("a day");
        let mut exposures = Vec::new();
        for &(contact, source, back, kind) in &raw {
            if contact == source { continue; }
            let place = match PlaceKind::ALL[kind] {
                PlaceKind::Household => Place::Household,
                PlaceKind::Building => Place::Building(t.buildings[0][0]),
                PlaceKind::Workplace => Place::Workplace(t.buildings[0][1]),
                PlaceKind::Transport => Place::Transport,
            };
            let day = today - Days::new(back);
            t.expose(persons[contact], persons[source], day, place);
            exposures.push((contact, source, day, PlaceKind::ALL[kind]));
        }
        for &c in &cases {
            t.reg.apply(Command::SetState { person: persons[c], state: State::Confirmed, on: today }).expect("confirmed");
        }
        let index = *cases.iter().next().expect("a case");
        let found = t.reg.derive_contacts(&rule, persons[index], today).expect("derived");

        // Brute force: every person against the rule's words.
        let n = persons.len();
        let mut close: BTreeMap<usize, NaiveDate> = BTreeMap::new();
        for p in 0..n {
            if p == index || cases.contains(&p) { continue; }
            if let Some(d) = naive_reach(rule.close(), (index, p), today, &home, &unit_of, &exposures) {
                close.insert(p, d);
            }
        }
        let mut secondary: BTreeMap<usize, (usize, NaiveDate)> = BTreeMap::new();
        if let Some(reach) = rule.secondary() {
            for p in 0..n {
                if p == index || cases.contains(&p) || close.contains_key(&p) { continue; }
                let reaching: Vec<(usize, NaiveDate)> = close.keys()
                    .filter_map(|&c| naive_reach(reach, (c, p), today, &home, &unit_of, &exposures).map(|d| (c, d)))
                    .collect();
                if let (Some(&(via, _)), Some(last)) = (reaching.iter().min_by_key(|r| persons[r.0]), reaching.iter().map(|r| r.1).max()) {
                    secondary.insert(p, (via, last));
                }
            }
        }
        let expect_close: Vec<Derived> = close.iter()
            .map(|(&p, &d)| Derived { person: persons[p], via: persons[index], last_exposure: d }).collect();
        let mut expect_secondary: Vec<Derived> = secondary.iter()
            .map(|(&p, &(via, d))| Derived { person: persons[p], via: persons[via], last_exposure: d }).collect();
        expect_secondary.sort_by_key(|d| d.person);
        prop_assert_eq!(found.close, expect_close);
        prop_assert_eq!(found.secondary, expect_secondary);
    }

    /// Chains are acyclic and reach an index case: a link is taken exactly when it closes no
    /// cycle (a naive search), and every chain walks back along taken links, repeating nobody,
    /// to a person traced from nobody, by the fewest links.
    #[test]
    fn chains_are_acyclic_and_reach_an_index_case(links in prop::collection::vec((0u32..12, 0u32..12), 0..40)) {
        let mut graph = ContactGraph::new();
        let mut taken: BTreeSet<(u32, u32)> = BTreeSet::new();
        let reaches = |taken: &BTreeSet<(u32, u32)>, from: u32, to: u32| {
            let mut seen = BTreeSet::from([from]);
            let mut queue = VecDeque::from([from]);
            while let Some(x) = queue.pop_front() {
                if x == to { return true; }
                for &(a, b) in taken.iter().filter(|(a, _)| *a == x) {
                    let _ = a;
                    if seen.insert(b) { queue.push_back(b); }
                }
            }
            false
        };
        for &(via, person) in &links {
            let expected = via != person && !taken.contains(&(via, person)) && !reaches(&taken, person, via);
            let got = graph.link(PersonId::new(via), PersonId::new(person));
            prop_assert_eq!(got, expected, "link {} -> {}", via, person);
            if got { taken.insert((via, person)); }
        }
        let met: BTreeSet<u32> = links.iter().filter(|(a, b)| a != b).flat_map(|&(a, b)| [a, b]).collect();
        for &p in &met {
            let chain = graph.chain_of(PersonId::new(p)).expect("met");
            prop_assert_eq!(chain[0], PersonId::new(p));
            let distinct: BTreeSet<PersonId> = chain.iter().copied().collect();
            prop_assert_eq!(distinct.len(), chain.len(), "a chain repeats someone");
            for pair in chain.windows(2) {
                prop_assert!(taken.contains(&(pair[1].get(), pair[0].get())), "{:?} is not a link", pair);
            }
            let last = chain[chain.len() - 1].get();
            prop_assert!(!taken.iter().any(|&(_, b)| b == last), "the chain ends at someone traced from another");
            // The fewest links: a naive backward breadth-first search to any index case.
            let mut dist = BTreeMap::from([(p, 0usize)]);
            let mut queue = VecDeque::from([p]);
            let mut shortest = None;
            while let Some(x) = queue.pop_front() {
                if !taken.iter().any(|&(_, b)| b == x) { shortest = Some(dist[&x]); break; }
                for &(a, _) in taken.iter().filter(|&&(_, b)| b == x) {
                    if !dist.contains_key(&a) { dist.insert(a, dist[&x] + 1); queue.push_back(a); }
                }
            }
            prop_assert_eq!(Some(chain.len() - 1), shortest);
        }
    }

    /// With case links made by hand beside the tracing, a chain still repeats nobody and each
    /// step is a link: back along the tracing while there is one, then along the person's last
    /// case link, and it ends where neither goes on (no case link, or one whose stretch would
    /// bring someone back). Clusters join every person met through any link (a naive
    /// flood fill).
    #[test]
    fn chains_with_case_links_follow_links_and_repeat_nobody(
        links in prop::collection::vec((0u32..10, 0u32..10), 0..25),
        hand in prop::collection::vec((0u32..10, 0u32..10), 0..10),
    ) {
        let mut graph = ContactGraph::new();
        let mut taken: BTreeSet<(u32, u32)> = BTreeSet::new();
        for &(via, person) in &links {
            if graph.link(PersonId::new(via), PersonId::new(person)) { taken.insert((via, person)); }
        }
        let mut last_link: BTreeMap<u32, u32> = BTreeMap::new();
        for &(via, person) in &hand {
            if via != person { last_link.insert(person, via); }
        }
        let case_links = CaseLinks::new(hand.iter().map(|&(a, b)| (PersonId::new(a), PersonId::new(b))));
        let traced_from_someone = |x: u32| taken.iter().any(|&(_, b)| b == x);
        let met: BTreeSet<u32> = (links.iter().filter(|(a, b)| a != b).chain(hand.iter().filter(|(a, b)| a != b)))
            .flat_map(|&(a, b)| [a, b]).collect();
        for &p in &met {
            let chain: Vec<u32> = graph.chain_with(PersonId::new(p), &case_links).expect("met").iter().map(|x| x.get()).collect();
            prop_assert_eq!(chain[0], p);
            let distinct: BTreeSet<u32> = chain.iter().copied().collect();
            prop_assert_eq!(distinct.len(), chain.len(), "a chain repeats someone: {:?}", chain);
            for pair in chain.windows(2) {
                let (x, y) = (pair[0], pair[1]);
                let step = if traced_from_someone(x) { taken.contains(&(y, x)) } else { last_link.get(&x) == Some(&y) };
                prop_assert!(step, "{} -> {} is not the link to follow in {:?}", x, y, chain);
            }
            let end = chain[chain.len() - 1];
            prop_assert!(!traced_from_someone(end));
            if let Some(&via) = last_link.get(&end) {
                // The stretch of tracing the link would bring: `via`'s own chain while it
                // follows the tracing (its steps are checked as links above, for `via`).
                let whole: Vec<u32> = graph.chain_with(PersonId::new(via), &case_links).expect("met").iter().map(|x| x.get()).collect();
                let mut up = vec![whole[0]];
                for pair in whole.windows(2) {
                    if !traced_from_someone(pair[0]) { break; }
                    up.push(pair[1]);
                }
                let comes_back = up.iter().any(|x| chain.contains(x));
                prop_assert!(comes_back, "the chain {:?} stops before {}'s link to {}", chain, end, via);
            }
        }
        // Clusters: a naive flood fill over every kind of link.
        let edges: Vec<(u32, u32)> = taken.iter().copied().chain(hand.iter().copied().filter(|(a, b)| a != b)).collect();
        let mut seen: BTreeSet<u32> = BTreeSet::new();
        let mut expected: Vec<Vec<u32>> = Vec::new();
        for &start in &met {
            if !seen.insert(start) { continue; }
            let mut group = vec![start];
            let mut queue = VecDeque::from([start]);
            while let Some(x) = queue.pop_front() {
                for &(a, b) in &edges {
                    for (from, to) in [(a, b), (b, a)] {
                        if from == x && seen.insert(to) { group.push(to); queue.push_back(to); }
                    }
                }
            }
            group.sort_unstable();
            expected.push(group);
        }
        let mut found: Vec<Vec<u32>> = graph.clusters_with(&case_links).into_iter()
            .map(|c| c.members.iter().map(|m| m.get()).collect()).collect();
        found.sort();
        expected.sort();
        prop_assert_eq!(found, expected);
    }
}

/// A snapshot whose contact book holds what no command makes is refused: an exposure dated
/// after the business date, a trace placing someone under another person's case, an exposure
/// naming nobody registered.
#[test]
fn a_snapshot_with_an_impossible_contact_book_is_refused() {
    let mut t = town(1, 1);
    let b = t.buildings[0][0];
    let (_, home) = t.household(b, 2);
    let (_, friend) = t.household(b, 2);
    t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
    t.reg.apply(Command::SetState { person: home[0], state: State::Confirmed, on: jul(10) }).expect("confirmed");
    t.expose(friend[0], home[0], jul(9), Place::Transport);
    t.reg
        .apply(Command::TraceContacts {
            index: home[0],
            rule: ContactRule::cn_ed9(),
            close_policy: t.close,
            secondary_policy: Some(t.secondary),
            on: jul(10),
        })
        .expect("traced");
    let json = serde_json::to_value(t.reg.snapshot()).expect("written");
    let load = |json: &serde_json::Value| Registry::from_snapshot(serde_json::from_value(json.clone()).expect("read"));
    assert!(load(&json).is_ok());

    let mut future = json.clone();
    future["contacts"]["exposures"][0]["on"] = serde_json::json!("2022-07-11");
    let err = load(&future).expect_err("an exposure in the future");
    assert!(err.to_string().contains("contact graph"), "{err}");

    let mut swapped = json.clone();
    let other = swapped["contacts"]["traces"][0]["close"][1]["case"].clone();
    swapped["contacts"]["traces"][0]["close"][0]["case"] = other;
    let err = load(&swapped).expect_err("a case that is not theirs");
    assert!(err.to_string().contains("not theirs"), "{err}");

    let mut nobody = json;
    nobody["contacts"]["exposures"][0]["contact"] = serde_json::json!(99);
    let err = load(&nobody).expect_err("nobody");
    assert!(matches!(err, Error::Registry(RegistryError::InvalidSnapshot { .. })), "{err}");
}

/// A trace's record replays to the same registry; a record of it with a contact's case left
/// out, or the trace alone, is refused: the trace and its placements are one command.
#[test]
fn a_trace_record_is_replayed_whole_or_refused() {
    let mut t = town(1, 1);
    let b = t.buildings[0][0];
    let (_, home) = t.household(b, 2);
    let (_, friend) = t.household(b, 2);
    t.reg.apply(Command::OpenDay { today: jul(10) }).expect("a day");
    t.reg.apply(Command::SetState { person: home[0], state: State::Confirmed, on: jul(10) }).expect("confirmed");
    t.expose(friend[0], home[0], jul(9), Place::Transport);
    let snapshot = t.reg.snapshot();
    let before = Registry::from_snapshot(snapshot).expect("loads");
    let trace = Command::TraceContacts {
        index: home[0],
        rule: ContactRule::cn_ed9(),
        close_policy: t.close,
        secondary_policy: Some(t.secondary),
        on: jul(10),
    };
    let answer = t.reg.execute(trace, None).expect("traced");
    let record = answer.record().expect("a record").clone();
    assert_eq!(record.events().len(), 4); // the trace; the household member, the friend; the friend's household member
    let mut replica = before.clone();
    replica.apply_record(&record).expect("the record replays");
    assert!(replica == t.reg);
    let head = before.head();
    for keep in [1, 3] {
        let forged = wangge::Record::new(&head.digest, head.position + 1, None, None, record.events()[..keep].to_vec());
        let mut replica = before.clone();
        let err = replica.apply_record(&forged).expect_err("a part of the command");
        assert!(err.to_string().contains("the record's events are not its command's"), "{err}");
        assert!(replica == before);
    }
}
