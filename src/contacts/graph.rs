//! The contact graph: exposures, the chains of tracing, derivation, chains and clusters.

use chrono::{Days, NaiveDate};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::unionfind::UnionFind;
use petgraph::visit::{EdgeRef, Reversed};
use rustc_hash::{FxHashMap, FxHashSet};

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
///
/// Beside the chains of tracing, [`ContactGraph::chain_with`] and
/// [`ContactGraph::clusters_with`] read [`CaseLinks`]: secondary contacts whose cases were
/// started linked to a close contact's case by hand
/// ([`Command::StartCase`](crate::Command::StartCase) with `linked`). The registry makes them
/// from its cases when asked, so they are never stored twice.
#[derive(Debug, Clone, Default)]
pub struct ContactGraph {
    nodes: FxHashMap<PersonId, NodeIndex>,
    exposures: DiGraph<PersonId, Exposure>,
    chains: DiGraph<PersonId, ()>,
}

/// Case links 关联个案: who was linked to whom outside the tracing, as (via, person) pairs: a
/// secondary contact's case started by hand linked to their close contact's case
/// ([`Command::StartCase`](crate::Command::StartCase) with `linked`).
///
/// Read after the chains of tracing: a chain follows the tracing back to its head, then the
/// head's case link (the last pair naming them), and so on, and ends before a stretch that
/// would bring back a person already in it. So a chain never repeats anyone, whatever the links.
///
/// # Example
/// ```
/// use wangge::PersonId;
/// use wangge::contacts::{CaseLinks, ContactGraph};
///
/// let [case, close, secondary] = [1, 2, 3].map(PersonId::new);
/// let mut g = ContactGraph::new();
/// g.link(case, close); // traced
/// let by_hand = CaseLinks::new([(close, secondary)]); // a case started by hand, linked
/// assert_eq!(g.chain_with(secondary, &by_hand), Some(vec![secondary, close, case]));
/// assert_eq!(g.chain_of(secondary), None); // the tracing alone never met them
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseLinks {
    pairs: Vec<(PersonId, PersonId)>,
    last: FxHashMap<PersonId, PersonId>,
}

impl CaseLinks {
    /// The links of `pairs`, (via, person), in order (a later pair of a person replaces the
    /// earlier in their chain; both join the cluster). A pair of a person with themselves is
    /// left out.
    pub fn new(pairs: impl IntoIterator<Item = (PersonId, PersonId)>) -> Self {
        let pairs: Vec<(PersonId, PersonId)> = pairs.into_iter().filter(|(via, person)| via != person).collect();
        let last = pairs.iter().map(|&(via, person)| (person, via)).collect();
        CaseLinks { pairs, last }
    }

    /// The pairs, (via, person), in order.
    pub fn pairs(&self) -> &[(PersonId, PersonId)] {
        &self.pairs
    }

    /// Whom `person` was last linked to.
    pub fn via(&self, person: PersonId) -> Option<PersonId> {
        self.last.get(&person).copied()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
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
        self.traced_chain(person)
    }

    /// The chain from `person` back to an index case through the tracing and `links`
    /// ([`CaseLinks`]): back along the tracing ([`ContactGraph::chain_of`]), then along the
    /// head's case link, and so on; it ends before a stretch that would bring back someone
    /// already in it. `None` for a person neither the graph nor `links` has met.
    ///
    /// # Complexity
    /// One A* search for each stretch of tracing.
    pub fn chain_with(&self, person: PersonId, links: &CaseLinks) -> Option<Vec<PersonId>> {
        let mut chain = match self.traced_chain(person) {
            Some(chain) => chain,
            None if links.via(person).is_some() || links.pairs.iter().any(|&(via, _)| via == person) => vec![person],
            None => return None,
        };
        let mut met: FxHashSet<PersonId> = chain.iter().copied().collect();
        while let Some(via) = chain.last().and_then(|&last| links.via(last)) {
            let more = self.traced_chain(via).unwrap_or_else(|| vec![via]);
            if more.iter().any(|p| met.contains(p)) {
                break;
            }
            met.extend(more.iter().copied());
            chain.extend(more);
        }
        Some(chain)
    }

    /// The chain of tracing alone from `person` back to its head.
    fn traced_chain(&self, person: PersonId) -> Option<Vec<PersonId>> {
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
        self.clusters_with(&CaseLinks::default())
    }

    /// [`ContactGraph::clusters`] with `links` joining their persons too. A cluster's index
    /// cases are its members linked to nobody upstream (neither traced from anyone nor linked
    /// in `links`) who lead to someone.
    ///
    /// # Complexity
    /// O((persons + links) × α).
    pub fn clusters_with(&self, links: &CaseLinks) -> Vec<Cluster> {
        let mut extra: Vec<PersonId> = Vec::new();
        let mut index_of: FxHashMap<PersonId, usize> = FxHashMap::default();
        let n0 = self.exposures.node_count();
        for &(via, person) in &links.pairs {
            for p in [via, person] {
                if !self.nodes.contains_key(&p) && !index_of.contains_key(&p) {
                    index_of.insert(p, n0 + extra.len());
                    extra.push(p);
                }
            }
        }
        let at = |p: PersonId| self.nodes.get(&p).map(|n| n.index()).or_else(|| index_of.get(&p).copied());
        let n = n0 + extra.len();
        let mut sets = UnionFind::<usize>::new(n);
        for e in self.exposures.edge_references() {
            sets.union(e.source().index(), e.target().index());
        }
        let c = &self.chains;
        for e in c.edge_references() {
            sets.union(e.source().index(), e.target().index());
        }
        let mut leads: FxHashSet<PersonId> = FxHashSet::default();
        for &(via, person) in &links.pairs {
            if let (Some(a), Some(b)) = (at(via), at(person)) {
                sets.union(a, b);
            }
            leads.insert(via);
        }
        let labels = sets.into_labeling();
        let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
        for (i, &label) in labels.iter().enumerate() {
            groups.entry(label).or_default().push(i);
        }
        let person = |i: usize| if i < n0 { c[NodeIndex::new(i)] } else { extra[i - n0] };
        // Traced from nobody and linked to nobody, and leading to someone.
        let heads = |i: usize| {
            let (traced_from, leads_traced) = match i < n0 {
                true => {
                    let n = NodeIndex::new(i);
                    let mut incoming = c.neighbors_directed(n, Direction::Incoming);
                    (incoming.next().is_some(), c.neighbors_directed(n, Direction::Outgoing).next().is_some())
                }
                false => (false, false),
            };
            let p = person(i);
            !traced_from && links.via(p).is_none() && (leads_traced || leads.contains(&p))
        };
        let mut clusters: Vec<Cluster> = groups
            .into_values()
            .map(|nodes| {
                let mut members: Vec<PersonId> = nodes.iter().map(|&i| person(i)).collect();
                let mut index_cases: Vec<PersonId> = nodes.iter().filter(|&&i| heads(i)).map(|&i| person(i)).collect();
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
