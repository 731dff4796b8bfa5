//! The contact graph: exposures, the chains of tracing, derivation, chains and clusters.

use chrono::{Days, NaiveDate};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::{EdgeRef, Reversed};
use rustc_hash::FxHashMap;

use super::{ContactRule, Exposure, Reach};
use crate::PersonId;

/// What a derivation needs to know of the register: households, units, who is a case.
///
/// The registry implements it over its population and states; a test can over a toy city.
pub trait Neighbourhood {
    /// The members of the person's household, the person included (empty for an unknown
    /// person).
    fn household_of(&self, person: PersonId) -> &[PersonId];
    /// Calls `f` with everyone living at the unit of the person's household, the person
    /// included.
    fn at_unit_of(&self, person: PersonId, f: &mut dyn FnMut(PersonId));
    /// Whether the person is a confirmed or suspected case (a case is not traced as a contact).
    fn is_case(&self, person: PersonId) -> bool;
}

/// One person a [`Derivation`] reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derived {
    /// The contact.
    pub person: PersonId,
    /// Whom they are a contact of: the index case for a close contact, the first close contact
    /// (by id) reaching them for a secondary contact.
    pub via: PersonId,
    /// The date of their last exposure at this level (the anchor of their isolation).
    pub last_exposure: NaiveDate,
}

/// The close and secondary contacts a [`ContactRule`] gives for an index case on a date, each
/// list by person id. A person is in at most one list, never the index case, never a case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Derivation {
    /// Close contacts 密切接触者.
    pub close: Vec<Derived>,
    /// Secondary contacts 次密切接触者.
    pub secondary: Vec<Derived>,
}

/// A cluster 聚集性疫情: a connected component of the persons linked by exposures and by
/// tracing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// Its members, by id.
    pub members: Vec<PersonId>,
    /// The members at the head of a chain (linked to nobody upstream), by id.
    pub index_cases: Vec<PersonId>,
}

impl Cluster {
    /// How many persons it holds.
    pub fn size(&self) -> usize {
        self.members.len()
    }
}

/// Exposures and the chains of tracing, over one node per person met.
///
/// Two petgraph graphs share the node indices: `exposures`, a multigraph with one edge per
/// [`Exposure`] from the source to the contact, and `chains`, with an edge from each traced
/// source to each person traced from them. The chains change only through
/// [`ContactGraph::link`], which refuses a link that would close a cycle (a former case traced
/// again as a contact of someone they led to; petgraph's `has_path_connecting` finds the path
/// back): they stay acyclic, and every walk back from a person ends at an index case.
/// (petgraph's `Acyclic` wrapper would keep this by type, but holds `RefCell`s: a registry
/// holding one could no longer be shared between threads.)
#[derive(Debug, Clone, Default)]
pub struct ContactGraph {
    nodes: FxHashMap<PersonId, NodeIndex>,
    exposures: DiGraph<PersonId, Exposure>,
    chains: DiGraph<PersonId, ()>,
}

impl PartialEq for ContactGraph {
    fn eq(&self, o: &Self) -> bool {
        let edges = |g: &ContactGraph| -> Vec<(PersonId, PersonId)> {
            let c = &g.chains;
            c.edge_references().map(|e| (c[e.source()], c[e.target()])).collect()
        };
        self.exposures().eq(o.exposures()) && edges(self) == edges(o)
    }
}

impl Eq for ContactGraph {}

impl ContactGraph {
    /// An empty graph.
    pub fn new() -> Self {
        ContactGraph::default()
    }

    fn node(&mut self, person: PersonId) -> NodeIndex {
        if let Some(&n) = self.nodes.get(&person) {
            return n;
        }
        let n = self.exposures.add_node(person);
        let m = self.chains.add_node(person);
        debug_assert_eq!(n, m);
        self.nodes.insert(person, n);
        n
    }

    /// Add an exposure.
    pub fn add_exposure(&mut self, exposure: Exposure) {
        let (a, b) = (self.node(exposure.source()), self.node(exposure.contact()));
        self.exposures.add_edge(a, b, exposure);
    }

    /// Link `person` as traced from `via`; `false` (and nothing linked) when the link would
    /// close a cycle of the chains, or is there already.
    pub fn link(&mut self, via: PersonId, person: PersonId) -> bool {
        if via == person {
            return false;
        }
        let (a, b) = (self.node(via), self.node(person));
        if self.chains.find_edge(a, b).is_some() || petgraph::algo::has_path_connecting(&self.chains, b, a, None) {
            return false;
        }
        self.chains.add_edge(a, b, ());
        true
    }

    /// Every exposure, in the order added.
    pub fn exposures(&self) -> impl Iterator<Item = &Exposure> + '_ {
        self.exposures.edge_weights()
    }

    /// The exposures to `source` (of others to them), in the order added.
    pub fn exposures_to(&self, source: PersonId) -> impl Iterator<Item = &Exposure> + '_ {
        let node = self.nodes.get(&source).copied();
        let mut found: Vec<&Exposure> = match node {
            Some(n) => self.exposures.edges_directed(n, Direction::Outgoing).map(|e| e.weight()).collect(),
            None => Vec::new(),
        };
        // petgraph lists a node's edges newest first.
        found.reverse();
        found.into_iter()
    }

    /// The exposures of `contact` (to others), in the order added.
    pub fn exposures_of(&self, contact: PersonId) -> impl Iterator<Item = &Exposure> + '_ {
        let node = self.nodes.get(&contact).copied();
        let mut found: Vec<&Exposure> = match node {
            Some(n) => self.exposures.edges_directed(n, Direction::Incoming).map(|e| e.weight()).collect(),
            None => Vec::new(),
        };
        found.reverse();
        found.into_iter()
    }

    /// The persons traced from `person`, by id.
    pub fn traced_from(&self, person: PersonId) -> Vec<PersonId> {
        self.neighbours(person, Direction::Outgoing)
    }

    /// The persons `person` was traced from (several: a contact of several cases), by id.
    pub fn traced_via(&self, person: PersonId) -> Vec<PersonId> {
        self.neighbours(person, Direction::Incoming)
    }

    fn neighbours(&self, person: PersonId, dir: Direction) -> Vec<PersonId> {
        let Some(&n) = self.nodes.get(&person) else { return Vec::new() };
        let c = &self.chains;
        let mut found: Vec<PersonId> = c.neighbors_directed(n, dir).map(|m| c[m]).collect();
        found.sort_unstable();
        found.dedup();
        found
    }

    /// The chain of tracing from `person` back to an index case: `person` first, the index
    /// case last, each the one the previous was traced from, by the fewest links (the
    /// smallest ids on a tie); `[person]` for an index case; `None` for a person the graph
    /// has never met.
    ///
    /// # Complexity
    /// O(the persons upstream of `person` × log of them): an A* search (petgraph's `astar`)
    /// on the reversed chains.
    pub fn chain_of(&self, person: PersonId) -> Option<Vec<PersonId>> {
        let &start = self.nodes.get(&person)?;
        let c = &self.chains;
        let is_index = |n: NodeIndex| c.neighbors_directed(n, Direction::Incoming).next().is_none();
        let (_, path) = petgraph::algo::astar(Reversed(c), start, is_index, |_| 1u32, |_| 0)?;
        Some(path.into_iter().map(|n| c[n]).collect())
    }

    /// The generation of `person`: 0 for an index case, 1 for their close contacts, 2 for
    /// those traced from them ...; the length of [`ContactGraph::chain_of`] less one.
    pub fn generation(&self, person: PersonId) -> Option<usize> {
        self.chain_of(person).map(|c| c.len() - 1)
    }

    /// The clusters: the connected components of the persons met, linked by exposures and by
    /// tracing, each with its members by id, largest first (then by first member).
    ///
    /// # Complexity
    /// O((persons + links) × α): petgraph's union-find.
    pub fn clusters(&self) -> Vec<Cluster> {
        let n = self.exposures.node_count();
        let mut sets = UnionFind::<usize>::new(n);
        for e in self.exposures.edge_references() {
            sets.union(e.source().index(), e.target().index());
        }
        let c = &self.chains;
        for e in c.edge_references() {
            sets.union(e.source().index(), e.target().index());
        }
        let labels = sets.into_labeling();
        let mut groups: FxHashMap<usize, Vec<NodeIndex>> = FxHashMap::default();
        for (i, &label) in labels.iter().enumerate() {
            groups.entry(label).or_default().push(NodeIndex::new(i));
        }
        let mut clusters: Vec<Cluster> = groups
            .into_values()
            .map(|nodes| {
                let mut members: Vec<PersonId> = nodes.iter().map(|&n| c[n]).collect();
                let mut index_cases: Vec<PersonId> = (nodes.iter())
                    .filter(|&&n| {
                        c.neighbors_directed(n, Direction::Incoming).next().is_none()
                            && c.neighbors_directed(n, Direction::Outgoing).next().is_some()
                    })
                    .map(|&n| c[n])
                    .collect();
                members.sort_unstable();
                index_cases.sort_unstable();
                Cluster { members, index_cases }
            })
            .collect();
        clusters.sort_by(|a, b| b.size().cmp(&a.size()).then(a.members.cmp(&b.members)));
        clusters
    }

    /// The close and secondary contacts `rule` gives for `index` as of `on`: the close level
    /// applied to the index case, the secondary level to each close contact. Neither the index
    /// case nor a case ([`Neighbourhood::is_case`]) is a contact; a close contact is not also
    /// a secondary one; a secondary contact reached from several close contacts is listed once,
    /// via the first by id, at their latest exposure.
    ///
    /// # Complexity
    /// O(what the rule reaches, and the recorded exposures to the index case and the close
    /// contacts), independent of the size of the city.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::PersonId;
    /// use wangge::contacts::{ContactGraph, ContactRule, Exposure, Neighbourhood, Place};
    ///
    /// /// Households of two: {0, 1}, {2, 3}, {4, 5}; person 0 is the case.
    /// struct Pairs(Vec<[PersonId; 2]>);
    /// impl Neighbourhood for Pairs {
    ///     fn household_of(&self, p: PersonId) -> &[PersonId] { &self.0[p.index() / 2] }
    ///     fn at_unit_of(&self, p: PersonId, f: &mut dyn FnMut(PersonId)) { self.0[p.index() / 2].iter().for_each(|&q| f(q)) }
    ///     fn is_case(&self, p: PersonId) -> bool { p.index() == 0 }
    /// }
    /// let p = PersonId::new;
    /// let city = Pairs(vec![[p(0), p(1)], [p(2), p(3)], [p(4), p(5)]]);
    /// let day = NaiveDate::from_ymd_opt(2022, 7, 3).unwrap();
    /// let mut graph = ContactGraph::new();
    /// graph.add_exposure(Exposure::new(p(2), p(0), day, Place::Transport, None)?); // 2 shared a car with 0
    ///
    /// let found = graph.derive(&ContactRule::cn_ed9(), p(0), day, &city);
    /// let ids = |d: &[wangge::contacts::Derived]| d.iter().map(|d| d.person).collect::<Vec<_>>();
    /// assert_eq!(ids(&found.close), [p(1), p(2)]); // the household, the named contact
    /// assert_eq!(ids(&found.secondary), [p(3)]); // the named contact's household
    /// # Ok::<(), wangge::contacts::ContactError>(())
    /// ```
    pub fn derive(&self, rule: &ContactRule, index: PersonId, on: NaiveDate, city: &impl Neighbourhood) -> Derivation {
        let mut close: FxHashMap<PersonId, Derived> = FxHashMap::default();
        self.reach(rule.close(), index, on, city, &mut |person, date| {
            if person != index && !city.is_case(person) {
                let d = close.entry(person).or_insert(Derived { person, via: index, last_exposure: date });
                d.last_exposure = d.last_exposure.max(date);
            }
        });
        let mut close: Vec<Derived> = close.into_values().collect();
        close.sort_unstable_by_key(|d| d.person);
        let mut secondary: FxHashMap<PersonId, Derived> = FxHashMap::default();
        if let Some(reach) = rule.secondary() {
            let is_close = |p: PersonId| close.binary_search_by_key(&p, |d| d.person).is_ok();
            for c in &close {
                self.reach(reach, c.person, on, city, &mut |person, date| {
                    if person != index && !is_close(person) && !city.is_case(person) {
                        let d =
                            secondary.entry(person).or_insert(Derived { person, via: c.person, last_exposure: date });
                        d.last_exposure = d.last_exposure.max(date);
                    }
                });
            }
        }
        let mut secondary: Vec<Derived> = secondary.into_values().collect();
        secondary.sort_unstable_by_key(|d| d.person);
        Derivation { close, secondary }
    }

    /// Calls `found` with each person `reach` reaches from `source` as of `on` (the source
    /// among them, for the household and the building), and the date of that exposure.
    fn reach(
        &self,
        reach: &Reach,
        source: PersonId,
        on: NaiveDate,
        city: &impl Neighbourhood,
        found: &mut dyn FnMut(PersonId, NaiveDate),
    ) {
        if reach.household {
            for &m in city.household_of(source) {
                found(m, on);
            }
        }
        if reach.building {
            city.at_unit_of(source, &mut |m| found(m, on));
        }
        if !reach.places.is_empty() {
            let from = on.checked_sub_days(Days::new(u64::from(reach.within_days))).unwrap_or(NaiveDate::MIN);
            if let Some(&n) = self.nodes.get(&source) {
                for e in self.exposures.edges_directed(n, Direction::Outgoing) {
                    let x = e.weight();
                    if (from..=on).contains(&x.on()) && reach.counts(x.place().kind()) {
                        found(x.contact(), x.on());
                    }
                }
            }
        }
    }
}
