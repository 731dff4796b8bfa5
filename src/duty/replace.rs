//! Replacement 替补: a staff member leaves; who takes over, moving as few others as possible.
//!
//! The proposal is a minimum-cost maximum flow over the leaver's slots, found by successive
//! shortest paths (petgraph's `dijkstra` with potentials) on the residual network of the
//! roster as it stands. The network is never built whole: it is a view whose arcs are worked
//! out when the search first leaves a node, so a replacement that a free colleague can take
//! looks at the leaver's slots and their candidates only, whatever the size of the city.
//!
//! In: the roster as it stands, the leaver's id and the inputs of
//! [`Roster::problems`](super::Roster::problems). Out: a [`Replacement`], a proposal only;
//! the registry shows it ([`Registry::replacement`](crate::Registry::replacement)) or applies
//! it ([`Command::Replace`](crate::Command::Replace)).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use chrono::NaiveDate;
use petgraph::algo::dijkstra;
use petgraph::visit::{Data, EdgeRef, GraphBase, IntoEdgeReferences, IntoEdges, IntoNeighbors, Visitable};
use serde::{Deserialize, Serialize};

use super::roster::selects;
use super::{Assignment, Role, Roster, Scheme, Slot, Staff, Target, Unfilled, UnfilledReason};
use crate::grid::Tree;
use crate::{StaffId, UnitId};

/// A proposal to replace a staff member who leaves, from [`Roster::replace`].
///
/// The proposed roster is the old one with [`Replacement::removed`] taken out and
/// [`Replacement::added`] put in: each added assignment stands where an assignment removed
/// from the same slot (target and role) stood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// The leaving member's assignments in the roster, in roster order: the targets affected
    /// (every one, valid or not).
    pub affected: Vec<Assignment>,
    /// The proposed roster.
    pub roster: Roster,
    /// The assignments of the old roster not in the proposal: the leaver's (`affected`), then
    /// those moved, in roster order.
    pub removed: Vec<Assignment>,
    /// The assignments of the proposal not in the old roster, in the order they appear in
    /// `roster`.
    pub added: Vec<Assignment>,
    /// The leaver's slots whose place nobody could take, in the order of `affected`; `missing`
    /// is what the slot lacks in the proposed roster (with any gap it had before).
    pub unfilled: Vec<Unfilled>,
}

impl Replacement {
    /// The other members' assignments the proposal moves (each member moved holds another
    /// slot instead): `removed` after the leaver's own, in roster order.
    pub fn moved(&self) -> &[Assignment] {
        self.removed.get(self.affected.len()..).unwrap_or(&[])
    }

    /// Whether every place the leaver held is taken: no [`Unfilled`].
    pub fn is_complete(&self) -> bool {
        self.unfilled.is_empty()
    }
}

impl Roster {
    /// Propose how to replace `leaving`, with the same inputs as [`Roster::problems`]: list
    /// the targets affected and refill the leaver's places, changing as few other assignments
    /// as possible.
    ///
    /// **The leaver** is unavailable on `date`, whatever their availability says, and every
    /// assignment of theirs is removed.
    ///
    /// **The places to refill**: each slot the leaver held (a listed target and a role the
    /// scheme asks of it, each such pair once) that has fewer valid holders than its count
    /// once the leaver is gone, valid as [`Roster::problems`] counts them, gets one holder
    /// back: the leaver's place. Other gaps are left to [`Roster::solve`].
    ///
    /// **Kept**: every other assignment stays as it is and where it is, even an invalid one,
    /// but for those the proposal *moves*. A move takes a valid assignment (its triple not
    /// repeated in the roster, its member known, eligible, available, local and not over
    /// their load limit) from its member, who holds another slot instead, and gives its slot
    /// to someone else (chains of moves are allowed): each slot keeps its number of holders.
    ///
    /// **New holders** are eligible, available on `date` and local as the slot's
    /// [`Locality`](super::Locality) asks, do not already hold that role for that target, and
    /// carry no more assignments in the proposed roster than their load limit.
    ///
    /// **Chosen**, in this order: (1) as many of the places refilled as possible; (2) among
    /// those, as few assignments moved as possible; (3) ties broken deterministically: the
    /// same inputs give the same proposal. This is a minimum-cost maximum flow from the
    /// places to refill, through staff members and the slots they give up, to the load left
    /// under their limits, with a cost of 1 per assignment moved: successive shortest paths
    /// (petgraph's `dijkstra`, with potentials for the negative costs of the residual arcs)
    /// on the residual network of the roster as it stands.
    ///
    /// **Unfilled**: each place still empty, with [`UnfilledReason::NoEligibleStaff`] when
    /// nobody but the leaver and those already holding the slot could hold it, else
    /// [`UnfilledReason::AllAtLoadLimit`] (the flow being maximum, nobody who could hold it
    /// can be freed for it).
    ///
    /// The proposed roster has no [`Roster::problems`] the old one did not have, once the
    /// leaver's are taken out; a valid roster stays valid but for the
    /// [`RosterProblem::Missing`](super::RosterProblem::Missing) of its unfilled places.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::StaffId;
    /// use wangge::duty::{Assignment, Qualification as Q, Qualifications, Role, Roster, Scheme, Staff, Target};
    /// use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let (sub, community) = (levels.level("sub-district").unwrap(), levels.level("community").unwrap());
    /// let mut tree = Tree::new(levels.clone(), NewUnit::new("花园路街道", sub, UnitKind::Area))?;
    /// let nongke = tree.add(tree.root(), NewUnit::new("农科路社区", community, UnitKind::Area))?;
    /// let six = Scheme::six_cover_one(community, sub, None)?;
    /// let root = tree.root();
    /// let person = |name: &str, q: Q, home| Ok::<_, wangge::Error>(Staff::new(Name::new(name)?, Qualifications::only(q), home, 1)?);
    /// let staff = [
    ///     person("区领导", Q::DistrictLeader, root)?,
    ///     person("区直人员", Q::DistrictDepartment, root)?,
    ///     person("科级干部", Q::SectionCadre, root)?,
    ///     person("书记", Q::PartySecretary, nongke)?,
    ///     person("片医", Q::Medical, root)?,
    ///     person("片警甲", Q::Police, root)?, // s5
    ///     person("片警乙", Q::Police, root)?, // s6, free
    /// ];
    /// let targets = [(Target::Unit(nongke), nongke)];
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    /// let target = Target::Unit(nongke);
    /// let roster: Roster = Role::SIX_COVER_ONE.iter().zip(0..).map(|(&role, i)| (target, role, StaffId::new(i))).collect();
    /// assert_eq!(roster.validate(&six, &staff, feb1, &targets, &tree), Ok(()));
    ///
    /// // 片警甲 is called away: 片警乙 takes over, nobody else is moved.
    /// let proposal = roster.replace(StaffId::new(5), &six, &staff, feb1, &targets, &tree);
    /// assert_eq!(proposal.affected, [Assignment { target, role: Role::AreaPolice, staff: StaffId::new(5) }]);
    /// assert_eq!(proposal.added, [Assignment { target, role: Role::AreaPolice, staff: StaffId::new(6) }]);
    /// assert!(proposal.moved().is_empty() && proposal.is_complete());
    /// assert_eq!(proposal.roster.validate(&six, &staff, feb1, &targets, &tree), Ok(()));
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Complexity
    /// O(R + T) to index the roster's R assignments and the T targets, then one search per
    /// place refilled (k of them, at most the leaver's load): petgraph's Dijkstra, stopping
    /// at the first augmenting path, over the part of the residual network it reaches, in
    /// O(E log V) for the V nodes and E arcs it explores. Each slot the search leaves costs
    /// one pass over the S staff members the first time (an eligibility check each, O(levels)
    /// locality checks for the eligible). When a free colleague can take each place, the
    /// search explores the leaver's slots and their candidates only: O(R + T + k·S). At
    /// worst, when nobody who could take a place is free, it explores every slot the
    /// candidates hold and their candidates in turn (about 0.1 s for a city-wide pool of 800
    /// police officers, all full, for 800 communities).
    pub fn replace(
        &self,
        leaving: StaffId,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
    ) -> Replacement {
        let mut net = Network::new(self, leaving, scheme, staff, date, targets, tree);
        while net.augment() {}
        net.proposal()
    }
}

/// A node of the residual network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    /// Where the places to refill draw from.
    Source,
    /// A slot (a target and a role), by its index in the network's table.
    Slot(usize),
    /// A staff member.
    Staff(StaffId),
    /// Where the load left under the members' limits drains.
    Sink,
}

/// What taking an arc of the residual network does to the proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// One more of a slot's places refilled (source to slot).
    Refill,
    /// The member takes the slot as a new assignment (slot to member, cost 0).
    Take,
    /// The member takes back their assignment at this roster index, moved before (slot to
    /// member, cost -1).
    Restore(usize),
    /// The member gives up their assignment at this roster index (member to slot, cost 1).
    Move(usize),
    /// The member gives up a new assignment (member to slot, cost 0).
    Undo,
    /// The member carries one more assignment (member to sink, cost 0).
    Load,
}

/// Whether a member holds a slot in the flow so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holding {
    /// Held: by an assignment of the roster not moved, or a new one.
    Held,
    /// Not held, and never was.
    Free,
    /// Not held: their assignment at this roster index was moved.
    Moved(usize),
}

/// An arc of the residual network: its ends, its cost (assignments moved) and its step.
#[derive(Debug, Clone, Copy)]
struct Arc {
    from: Node,
    to: Node,
    cost: i64,
    step: Step,
}

impl EdgeRef for Arc {
    type NodeId = Node;
    type EdgeId = (Node, Node);
    type Weight = i64;
    fn source(&self) -> Node {
        self.from
    }
    fn target(&self) -> Node {
        self.to
    }
    fn weight(&self) -> &i64 {
        &self.cost
    }
    fn id(&self) -> (Node, Node) {
        (self.from, self.to)
    }
}

/// A member's assignments a move may take: (roster index, slot index), in roster order.
type Movable = Rc<[(usize, usize)]>;

/// A slot met by the search.
struct SlotInfo {
    target: Target,
    unit: UnitId,
    slot: Slot,
    /// Places to refill: 1 for a slot of the leaver's short after they go, else 0.
    want: u8,
    /// Places refilled so far.
    refilled: u8,
    /// The staff members who could hold it, by id, worked out when the search first leaves
    /// the slot.
    candidates: Option<Rc<[StaffId]>>,
}

/// The residual network as a lazy view, and the flow so far.
///
/// The flow starts as the roster itself: every assignment held. Between searches the flow
/// changes (`moved`, `added`, `extra`, `refilled`); during a search only the caches behind
/// `RefCell`s grow.
struct Network<'a> {
    roster: &'a [Assignment],
    leaving: StaffId,
    scheme: &'a Scheme,
    staff: &'a [Staff],
    date: NaiveDate,
    tree: &'a Tree,
    /// Each listed target's unit (its first).
    units: HashMap<Target, UnitId>,
    /// The roster indices of each member's assignments (not the leaver's).
    by_staff: HashMap<StaffId, Vec<usize>>,
    /// Each triple of the roster but the leaver's: how many times, and its first index.
    triples: HashMap<Assignment, (u32, usize)>,
    /// The slots met, and their index by (target, role).
    slots: RefCell<Vec<SlotInfo>>,
    slot_index: RefCell<HashMap<(Target, Role), Option<usize>>>,
    /// Each member's movable assignments: (roster index, slot), in roster order.
    movable: RefCell<HashMap<StaffId, Movable>>,
    /// The slots to refill, in the order of the leaver's assignments.
    freed: Vec<usize>,
    /// The flow: roster indices moved, new assignments (by member, slot indices), the load
    /// each member took on.
    moved: BTreeSet<usize>,
    added: HashMap<StaffId, Vec<usize>>,
    extra: HashMap<StaffId, u32>,
    /// Potentials, as corrections to a common base that cancels in every reduced cost.
    potential: HashMap<Node, i64>,
}

impl<'a> Network<'a> {
    #[allow(clippy::too_many_arguments, reason = "the inputs of `Roster::replace`")]
    fn new(
        roster: &'a Roster,
        leaving: StaffId,
        scheme: &'a Scheme,
        staff: &'a [Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &'a Tree,
    ) -> Self {
        let mut units = HashMap::with_capacity(targets.len());
        for &(target, unit) in targets {
            units.entry(target).or_insert(unit);
        }
        let assignments = roster.assignments();
        let mut by_staff: HashMap<StaffId, Vec<usize>> = HashMap::new();
        let mut triples: HashMap<Assignment, (u32, usize)> = HashMap::with_capacity(assignments.len());
        for (i, a) in assignments.iter().enumerate().filter(|(_, a)| a.staff != leaving) {
            by_staff.entry(a.staff).or_default().push(i);
            triples.entry(*a).and_modify(|(n, _)| *n += 1).or_insert((1, i));
        }
        let mut net = Network {
            roster: assignments,
            leaving,
            scheme,
            staff,
            date,
            tree,
            units,
            by_staff,
            triples,
            slots: RefCell::new(Vec::new()),
            slot_index: RefCell::new(HashMap::new()),
            movable: RefCell::new(HashMap::new()),
            freed: Vec::new(),
            moved: BTreeSet::new(),
            added: HashMap::new(),
            extra: HashMap::new(),
            potential: HashMap::new(),
        };

        // The leaver's slots, each once, and the valid holders the others give them.
        let mut order: Vec<usize> = Vec::new();
        for a in assignments.iter().filter(|a| a.staff == leaving) {
            if let Some(k) = net.slot(a.target, a.role)
                && !order.contains(&k)
            {
                order.push(k);
            }
        }
        let mut valid: HashMap<usize, HashSet<StaffId>> = HashMap::new();
        if !order.is_empty() {
            for a in assignments.iter().filter(|a| a.staff != leaving) {
                if let Some(k) = net.slot_known(a.target, a.role)
                    && order.contains(&k)
                    && net.may_hold(a.staff, k)
                {
                    valid.entry(k).or_default().insert(a.staff);
                }
            }
        }
        for k in order {
            let have = valid.get(&k).map_or(0, HashSet::len);
            if let Some(info) = net.slots.get_mut().get_mut(k)
                && usize::from(info.slot.count()) > have
            {
                info.want = 1;
                net.freed.push(k);
            }
        }
        net
    }

    /// The index of the slot of `role` for `target`, registering it when first met; `None`
    /// when the target is not listed or the scheme does not ask that role of it.
    fn slot(&self, target: Target, role: Role) -> Option<usize> {
        if let Some(&k) = self.slot_index.borrow().get(&(target, role)) {
            return k;
        }
        let found = self.units.get(&target).and_then(|&unit| {
            let (rule, slot) = self.scheme.slot(role)?;
            let selected = self.scheme.rules().get(rule).is_some_and(|r| selects(r.targets(), target, self.tree));
            selected.then_some((unit, *slot))
        });
        let k = found.map(|(unit, slot)| {
            let mut slots = self.slots.borrow_mut();
            slots.push(SlotInfo { target, unit, slot, want: 0, refilled: 0, candidates: None });
            slots.len() - 1
        });
        self.slot_index.borrow_mut().insert((target, role), k);
        k
    }

    /// As [`Network::slot`], without registering: only slots met already.
    fn slot_known(&self, target: Target, role: Role) -> Option<usize> {
        self.slot_index.borrow().get(&(target, role)).copied().flatten()
    }

    /// Whether `id` is a known member who may hold slot `k` (eligible, available, local) and
    /// is not the leaver.
    fn may_hold(&self, id: StaffId, k: usize) -> bool {
        let slots = self.slots.borrow();
        let (Some(member), Some(info)) = (self.staff.get(id.index()), slots.get(k)) else { return false };
        id != self.leaving && member.may_hold(&info.slot, info.unit, self.date, self.tree)
    }

    /// How many assignments `id` carries in the roster (not counting the flow's changes).
    fn load(&self, id: StaffId) -> usize {
        self.by_staff.get(&id).map_or(0, Vec::len)
    }

    /// Whether `id` may take on new assignments at all: known and not over their limit.
    fn may_take(&self, id: StaffId) -> bool {
        id != self.leaving
            && self.staff.get(id.index()).is_some_and(|m| self.load(id) <= usize::from(self.scheme.limit_for(m)))
    }

    /// The candidates of slot `k`: members who may hold it and may take assignments, by id.
    fn candidates(&self, k: usize) -> Rc<[StaffId]> {
        if let Some(c) = self.slots.borrow().get(k).and_then(|i| i.candidates.clone()) {
            return c;
        }
        let found: Rc<[StaffId]> = (0..self.staff.len())
            .filter_map(StaffId::from_index)
            .filter(|&id| self.may_take(id) && self.may_hold(id, k))
            .collect();
        if let Some(info) = self.slots.borrow_mut().get_mut(k) {
            info.candidates = Some(found.clone());
        }
        found
    }

    /// The assignments of `id` a move may take: (roster index, slot), in roster order.
    fn movable(&self, id: StaffId) -> Movable {
        if let Some(m) = self.movable.borrow().get(&id) {
            return m.clone();
        }
        let mut found = Vec::new();
        if self.may_take(id) {
            for &i in self.by_staff.get(&id).map_or(&[][..], Vec::as_slice) {
                let Some(a) = self.roster.get(i) else { continue };
                let unique = self.triples.get(a).is_some_and(|&(n, _)| n == 1);
                if let Some(k) = self.slot(a.target, a.role)
                    && unique
                    && self.may_hold(id, k)
                {
                    found.push((i, k));
                }
            }
        }
        let found: Movable = found.into();
        self.movable.borrow_mut().insert(id, found.clone());
        found
    }

    /// The assignment `id` holding slot `k`.
    fn assignment(&self, k: usize, id: StaffId) -> Option<Assignment> {
        self.slots.borrow().get(k).map(|i| Assignment { target: i.target, role: i.slot.role(), staff: id })
    }

    /// Whether `id` holds slot `k` in the flow so far.
    fn holding(&self, k: usize, id: StaffId) -> Holding {
        if self.added.get(&id).is_some_and(|s| s.contains(&k)) {
            return Holding::Held;
        }
        let Some(a) = self.assignment(k, id) else { return Holding::Held };
        match self.triples.get(&a) {
            None => Holding::Free,
            Some(&(1, i)) if self.moved.contains(&i) => Holding::Moved(i),
            Some(_) => Holding::Held,
        }
    }

    /// The load `id` may still take on.
    fn spare(&self, id: StaffId) -> u32 {
        let limit = self.staff.get(id.index()).map_or(0, |m| u32::from(self.scheme.limit_for(m)));
        let load = u32::try_from(self.load(id)).unwrap_or(u32::MAX);
        limit.saturating_sub(load.saturating_add(self.extra.get(&id).copied().unwrap_or(0)))
    }

    /// The arcs out of `node` in the residual network of the flow so far, in a fixed order.
    fn arcs(&self, node: Node) -> Vec<Arc> {
        let arc = |to, cost, step| Arc { from: node, to, cost, step };
        match node {
            Node::Source => {
                let slots = self.slots.borrow();
                self.freed
                    .iter()
                    .filter(|&&k| slots.get(k).is_some_and(|i| i.refilled < i.want))
                    .map(|&k| arc(Node::Slot(k), 0, Step::Refill))
                    .collect()
            }
            Node::Slot(k) => self
                .candidates(k)
                .iter()
                .filter_map(|&id| match self.holding(k, id) {
                    Holding::Free => Some(arc(Node::Staff(id), 0, Step::Take)),
                    Holding::Moved(i) => Some(arc(Node::Staff(id), -1, Step::Restore(i))),
                    Holding::Held => None,
                })
                .collect(),
            Node::Staff(id) => {
                let mut out = Vec::new();
                if self.spare(id) > 0 {
                    out.push(arc(Node::Sink, 0, Step::Load));
                }
                for &(i, k) in self.movable(id).iter().filter(|(i, _)| !self.moved.contains(i)) {
                    out.push(arc(Node::Slot(k), 1, Step::Move(i)));
                }
                for &k in self.added.get(&id).map_or(&[][..], Vec::as_slice) {
                    out.push(arc(Node::Slot(k), 0, Step::Undo));
                }
                out
            }
            Node::Sink => Vec::new(),
        }
    }

    /// An arc's cost reduced by the potentials: never negative while the flow is of least
    /// cost for its value.
    fn reduced(&self, arc: &Arc) -> i64 {
        let p = |n| self.potential.get(&n).copied().unwrap_or(0);
        arc.cost + p(arc.from) - p(arc.to)
    }

    /// Push one more unit along a shortest augmenting path; `false` when there is none.
    fn augment(&mut self) -> bool {
        let scores = dijkstra(&*self, Node::Source, Some(Node::Sink), |arc| self.reduced(&arc));
        let Some(&reach) = scores.get(&Node::Sink) else { return false };
        let score = |n: &Node| scores.get(n).copied();

        // A path of tight arcs, through nodes the search scored; slots only once their
        // candidates are known, so that no new pass over the staff is made here. The path
        // by which the search reached the sink is such a path.
        let mut path: Vec<Arc> = Vec::new();
        let mut stack: Vec<(Vec<Arc>, usize)> = vec![(self.arcs(Node::Source), 0)];
        let mut seen: HashSet<Node> = HashSet::from([Node::Source]);
        while let Some((arcs, next)) = stack.last_mut() {
            let Some(&arc) = arcs.get(*next) else {
                stack.pop();
                path.pop();
                continue;
            };
            *next += 1;
            let tight = matches!((score(&arc.from), score(&arc.to)), (Some(a), Some(b)) if a + self.reduced(&arc) == b);
            if !tight || !seen.insert(arc.to) {
                continue;
            }
            path.push(arc);
            if arc.to == Node::Sink {
                break;
            }
            let open = match arc.to {
                Node::Slot(k) => self.slots.borrow().get(k).is_some_and(|i| i.candidates.is_some()),
                _ => true,
            };
            let onward = if open { self.arcs(arc.to) } else { Vec::new() };
            stack.push((onward, 0));
        }
        if path.last().is_none_or(|a| a.to != Node::Sink) {
            return false; // Not reached: the search found the sink, so a tight path exists.
        }

        // New potentials: the distance found, capped at the sink's.
        for (node, &d) in &scores {
            if d < reach {
                *self.potential.entry(*node).or_default() += d - reach;
            }
        }
        for arc in path {
            match (arc.step, arc.from, arc.to) {
                (Step::Refill, _, Node::Slot(k)) => {
                    if let Some(info) = self.slots.get_mut().get_mut(k) {
                        info.refilled += 1;
                    }
                }
                (Step::Take, Node::Slot(k), Node::Staff(id)) => self.added.entry(id).or_default().push(k),
                (Step::Restore(i), _, _) => {
                    self.moved.remove(&i);
                }
                (Step::Move(i), _, _) => {
                    self.moved.insert(i);
                }
                (Step::Undo, Node::Staff(id), Node::Slot(k)) => {
                    if let Some(slots) = self.added.get_mut(&id) {
                        slots.retain(|&s| s != k);
                    }
                }
                (Step::Load, Node::Staff(id), _) => *self.extra.entry(id).or_default() += 1,
                _ => {}
            }
        }
        true
    }

    /// The proposal the flow gives.
    fn proposal(self) -> Replacement {
        // The new assignments, by slot then member, each to stand where one removed from
        // its slot stood.
        let mut new: Vec<(usize, StaffId)> =
            self.added.iter().flat_map(|(&id, slots)| slots.iter().map(move |&k| (k, id))).collect();
        new.sort_unstable();
        let mut queue: HashMap<(Target, Role), Vec<Assignment>> = HashMap::new();
        for &(k, id) in new.iter().rev() {
            if let Some(a) = self.assignment(k, id) {
                queue.entry((a.target, a.role)).or_default().push(a);
            }
        }
        let mut affected = Vec::new();
        let mut moved = Vec::new();
        let mut roster = Roster::new();
        let mut added = Vec::new();
        for (i, a) in self.roster.iter().enumerate() {
            let gone = a.staff == self.leaving || self.moved.contains(&i);
            if !gone {
                roster.assign(a.target, a.role, a.staff);
                continue;
            }
            if a.staff == self.leaving {
                affected.push(*a);
            } else {
                moved.push(*a);
            }
            if let Some(b) = queue.get_mut(&(a.target, a.role)).and_then(Vec::pop) {
                roster.assign(b.target, b.role, b.staff);
                added.push(b);
            }
        }
        // Each slot gains no more holders than it loses, so none is left; kept for safety.
        for &(k, id) in &new {
            if let Some(a) = self.assignment(k, id)
                && let Some(q) = queue.get_mut(&(a.target, a.role))
                && let Some(p) = q.iter().position(|b| *b == a)
            {
                q.remove(p);
                roster.assign(a.target, a.role, a.staff);
                added.push(a);
            }
        }

        // The places still empty.
        let mut unfilled = Vec::new();
        let slots = self.slots.borrow();
        for info in self.freed.iter().filter_map(|&k| slots.get(k)).filter(|i| i.refilled < i.want) {
            let role = info.slot.role();
            let holders: HashSet<StaffId> = roster
                .assignments()
                .iter()
                .filter(|a| a.target == info.target && a.role == role)
                .map(|a| a.staff)
                .collect();
            let valid = holders
                .iter()
                .filter(|id| {
                    self.staff.get(id.index()).is_some_and(|m| m.may_hold(&info.slot, info.unit, self.date, self.tree))
                })
                .count();
            let could = self.staff.iter().enumerate().any(|(i, m)| {
                StaffId::from_index(i).is_some_and(|id| {
                    id != self.leaving
                        && !holders.contains(&id)
                        && m.may_hold(&info.slot, info.unit, self.date, self.tree)
                })
            });
            let count = info.slot.count();
            unfilled.push(Unfilled {
                target: info.target,
                role,
                missing: count.saturating_sub(u8::try_from(valid).unwrap_or(u8::MAX)),
                count,
                reason: if could { UnfilledReason::AllAtLoadLimit } else { UnfilledReason::NoEligibleStaff },
            });
        }
        drop(slots);
        let mut removed = affected.clone();
        removed.extend(moved);
        Replacement { affected, roster, removed, added, unfilled }
    }
}

impl GraphBase for Network<'_> {
    type NodeId = Node;
    type EdgeId = (Node, Node);
}

impl Data for Network<'_> {
    type NodeWeight = ();
    type EdgeWeight = i64;
}

impl Visitable for Network<'_> {
    type Map = HashSet<Node>;
    fn visit_map(&self) -> HashSet<Node> {
        HashSet::new()
    }
    fn reset_map(&self, map: &mut HashSet<Node>) {
        map.clear();
    }
}

impl IntoNeighbors for &Network<'_> {
    type Neighbors = std::vec::IntoIter<Node>;
    fn neighbors(self, node: Node) -> Self::Neighbors {
        self.arcs(node).into_iter().map(|a| a.to).collect::<Vec<_>>().into_iter()
    }
}

impl IntoEdges for &Network<'_> {
    type Edges = std::vec::IntoIter<Arc>;
    fn edges(self, node: Node) -> Self::Edges {
        self.arcs(node).into_iter()
    }
}

impl IntoEdgeReferences for &Network<'_> {
    type EdgeRef = Arc;
    type EdgeReferences = std::vec::IntoIter<Arc>;
    /// The arcs out of the nodes explored so far (the source, the slots whose candidates are
    /// known, the members whose assignments were looked at): the view is lazy, and the
    /// searches run on it follow the arcs out of a node only.
    fn edge_references(self) -> Self::EdgeReferences {
        let mut nodes = vec![Node::Source];
        let slots = self.slots.borrow();
        nodes
            .extend((0..slots.len()).filter(|&k| slots.get(k).is_some_and(|i| i.candidates.is_some())).map(Node::Slot));
        drop(slots);
        let mut members: Vec<StaffId> = self.movable.borrow().keys().copied().collect();
        members.sort_unstable();
        nodes.extend(members.into_iter().map(Node::Staff));
        nodes.into_iter().flat_map(|n| self.arcs(n)).collect::<Vec<_>>().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::duty::fixtures::{City, ROLES, city, day, drawn, member, scheme};
    use crate::duty::{Qualification as Q, Qualifications, RosterProblem};
    use crate::grid::Level;

    fn s(i: u32) -> StaffId {
        StaffId::new(i)
    }

    fn six() -> Scheme {
        Scheme::six_cover_one(Level::new(1), Level::new(0), None).unwrap()
    }

    fn communities(c: &City) -> Vec<(Target, UnitId)> {
        c.community.iter().map(|&u| (Target::Unit(u), u)).collect()
    }

    /// s0 district leader, s1 district department, s2 section cadre (`cadre_limit`), s3 and
    /// s4 the secretaries of the two communities, s5 the doctor, s6 and s7 police officers,
    /// s8 a party secretary and section cadre living in the first community, load limit 1.
    fn pool(c: &City, cadre_limit: u16) -> Vec<Staff> {
        let (root, one) = (c.tree.root(), Qualifications::only);
        vec![
            member(one(Q::DistrictLeader), root, 2),
            member(one(Q::DistrictDepartment), root, 2),
            member(one(Q::SectionCadre), root, cadre_limit),
            member(one(Q::PartySecretary), c.community[0], 1),
            member(one(Q::PartySecretary), c.yard[1], 1),
            member(one(Q::Medical), root, 2),
            member(one(Q::Police), root, 2),
            member(one(Q::Police), root, 2),
            member(one(Q::PartySecretary).with(Q::SectionCadre), c.community[0], 1),
        ]
    }

    /// 六包一 of both communities: the cadre of the second is s8, both police s6.
    fn full(c: &City) -> Roster {
        let mut r = Roster::new();
        for (i, &u) in c.community.iter().enumerate() {
            let t = Target::Unit(u);
            r.assign(t, Role::DistrictLeader, s(0));
            r.assign(t, Role::DistrictDepartmentStaff, s(1));
            r.assign(t, Role::SectionCadre, if i == 0 { s(2) } else { s(8) });
            r.assign(t, Role::CommunitySecretary, s(3 + i as u32));
            r.assign(t, Role::AreaDoctor, s(5));
            r.assign(t, Role::AreaPolice, s(6));
        }
        r
    }

    #[test]
    fn a_police_officer_leaving_is_replaced_by_a_free_one_in_place() {
        let c = city();
        let (pool, targets) = (pool(&c, 2), communities(&c));
        let mut roster = full(&c);
        assert_eq!(roster.validate(&six(), &pool, day(1), &targets, &c.tree), Ok(()));
        let stray = Assignment { target: Target::Unit(c.yard[0]), role: Role::AreaPolice, staff: s(99) };
        roster.assign(stray.target, stray.role, stray.staff); // invalid, but not ours to touch

        let p = roster.replace(s(6), &six(), &pool, day(1), &targets, &c.tree);
        let police: Vec<Assignment> = roster.assignments().iter().filter(|a| a.staff == s(6)).copied().collect();
        assert_eq!(p.affected, police);
        assert_eq!(p.removed, police);
        assert!(p.moved().is_empty() && p.is_complete());
        let expected: Vec<Assignment> = roster
            .assignments()
            .iter()
            .map(|&a| if a.staff == s(6) { Assignment { staff: s(7), ..a } } else { a })
            .collect();
        assert_eq!(p.roster.assignments(), &expected[..]);
        assert_eq!(p.added, expected.iter().filter(|a| a.staff == s(7)).copied().collect::<Vec<_>>());
        let problems = p.roster.problems(&six(), &pool, day(1), &targets, &c.tree);
        assert_eq!(problems, [RosterProblem::UnlistedTarget { target: stray.target, role: stray.role, staff: s(99) }]);

        // The same officer away on one day only: the date decides nothing for the leaver.
        let mut away = pool.clone();
        away[6] = away[6].clone().available(Some(day(1)), Some(day(1))).unwrap();
        assert_eq!(roster.replace(s(6), &six(), &away, day(1), &targets, &c.tree), p);
        // Deterministic, and serialisable.
        assert_eq!(roster.replace(s(6), &six(), &pool, day(1), &targets, &c.tree), p);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Replacement>(&json).unwrap(), p);
    }

    #[test]
    fn the_only_replacement_moves_one_other_assignment() {
        let c = city();
        let (pool, targets) = (pool(&c, 2), communities(&c));
        let roster = full(&c);
        assert_eq!(roster.validate(&six(), &pool, day(1), &targets, &c.tree), Ok(()));
        let (c0, c1) = (Target::Unit(c.community[0]), Target::Unit(c.community[1]));

        // The first community's secretary leaves. Only s8 lives there and may be secretary,
        // but s8 is full with the cadre of the second community: s2 takes that over.
        let p = roster.replace(s(3), &six(), &pool, day(1), &targets, &c.tree);
        let a = |target, role, staff| Assignment { target, role, staff };
        assert_eq!(p.affected, [a(c0, Role::CommunitySecretary, s(3))]);
        assert_eq!(p.moved(), [a(c1, Role::SectionCadre, s(8))]);
        assert_eq!(p.added, [a(c0, Role::CommunitySecretary, s(8)), a(c1, Role::SectionCadre, s(2))]);
        assert!(p.is_complete());
        assert_eq!(p.roster.validate(&six(), &pool, day(1), &targets, &c.tree), Ok(()));
        assert_eq!(p.roster.assignments().len(), roster.assignments().len());
        assert_eq!(p.roster.assignments()[3], p.added[0]);
        assert_eq!(p.roster.assignments()[8], p.added[1]);
        assert_eq!(p, roster.replace(s(3), &six(), &pool, day(1), &targets, &c.tree));
    }

    #[test]
    fn places_nobody_can_take_say_why() {
        let c = city();
        let targets = communities(&c);
        let roster = full(&c);
        let (c0, c1) = (Target::Unit(c.community[0]), Target::Unit(c.community[1]));
        let short = |target, role, reason| Unfilled { target, role, missing: 1, count: 1, reason };

        // The cadre at their limit: s8 cannot be freed, and is the only one who could.
        let pool = pool(&c, 1);
        assert_eq!(roster.validate(&six(), &pool, day(1), &targets, &c.tree), Ok(()));
        let p = roster.replace(s(3), &six(), &pool, day(1), &targets, &c.tree);
        assert_eq!(p.unfilled, [short(c0, Role::CommunitySecretary, UnfilledReason::AllAtLoadLimit)]);
        assert!(p.added.is_empty() && p.moved().is_empty());
        assert_eq!(
            p.roster.problems(&six(), &pool, day(1), &targets, &c.tree),
            [RosterProblem::Missing { target: c0, role: Role::CommunitySecretary, missing: 1, count: 1 }]
        );

        // Nobody else lives in the second community.
        let p = roster.replace(s(4), &six(), &pool, day(1), &targets, &c.tree);
        assert_eq!(p.unfilled, [short(c1, Role::CommunitySecretary, UnfilledReason::NoEligibleStaff)]);
        assert_eq!(p.roster.assignments().len(), roster.assignments().len() - 1);

        // The only doctor: both communities, no one eligible.
        let p = roster.replace(s(5), &six(), &pool, day(1), &targets, &c.tree);
        assert_eq!(
            p.unfilled,
            [
                short(c0, Role::AreaDoctor, UnfilledReason::NoEligibleStaff),
                short(c1, Role::AreaDoctor, UnfilledReason::NoEligibleStaff)
            ]
        );
    }

    #[test]
    fn a_leaver_holding_nothing_changes_nothing() {
        let c = city();
        let (pool, targets) = (pool(&c, 2), communities(&c));
        let roster = full(&c);
        for leaving in [s(7), s(99)] {
            let p = roster.replace(leaving, &six(), &pool, day(1), &targets, &c.tree);
            assert_eq!(p.roster, roster);
            assert!(p.affected.is_empty() && p.removed.is_empty() && p.added.is_empty() && p.unfilled.is_empty());
        }
        let empty = Roster::new().replace(s(0), &six(), &[], day(1), &[], &c.tree);
        assert_eq!(empty.roster, Roster::new());
    }

    #[derive(Debug)]
    struct Instance {
        city: City,
        pool: Vec<Staff>,
        targets: Vec<(Target, UnitId)>,
        /// Random assignments, valid or not.
        raw: Roster,
        date: NaiveDate,
        /// How the valid roster is made: the raw picks (0), completed by the solver (1), or
        /// greedily, slot by slot, members in id order (2) or the reverse (3).
        mode: u8,
        pick: prop::sample::Index,
        /// The fixtures' scheme, now and then with a load limit of its own.
        scheme: Scheme,
    }

    fn arb_instance() -> impl Strategy<Value = Instance> {
        // Homes weighted to the sub-district, the communities and the buildings, where members
        // can hold slots (several from the sub-district); one home not in the tree.
        let home = prop::sample::select(vec![0usize, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 4, 5, 6, 7]);
        // Qualifications as bits (secretary, medical, volunteer), medical the most common.
        let mask = prop::sample::select(vec![2u8, 2, 2, 2, 3, 3, 1, 4, 6, 5, 7]);
        let members = (mask, home, prop::sample::select(vec![1u16, 1, 2]), prop::option::weighted(0.1, 1u32..4));
        let assignment = (0usize..4, 0usize..4, 0u32..8);
        (
            prop::sample::subsequence(vec![2usize, 3], 0..=2),
            prop::collection::vec(members, 4..=9),
            prop::collection::vec(assignment, 0..24),
            1u32..4,
            0u8..4,
            any::<prop::sample::Index>(),
            prop::option::weighted(0.25, Just(1u16)),
        )
            .prop_map(|(chosen, members, assignments, date, mode, pick, cap)| {
                let c = city();
                let homes = c.homes();
                let all = [c.community[0], c.community[1], c.building[0], c.building[1]];
                let pool = members
                    .into_iter()
                    .map(|(mask, home, limit, from)| drawn(mask, homes[home], limit, from))
                    .collect();
                // Both communities, and some buildings.
                let targets = [0, 1].into_iter().chain(chosen).map(|i| (Target::Unit(all[i]), all[i])).collect();
                let raw = assignments.into_iter().map(|(t, r, id)| (Target::Unit(all[t]), ROLES[r], s(id))).collect();
                let scheme = scheme().to_builder().load_limit(cap).build().unwrap();
                Instance { city: c, pool, targets, raw, date: day(date), mode, pick, scheme }
            })
    }

    impl Instance {
        fn problems(&self, roster: &Roster) -> Vec<RosterProblem> {
            roster.problems(&self.scheme, &self.pool, self.date, &self.targets, &self.city.tree)
        }

        fn replace(&self, roster: &Roster, leaving: StaffId) -> Replacement {
            roster.replace(leaving, &self.scheme, &self.pool, self.date, &self.targets, &self.city.tree)
        }

        /// A leaver: mostly the holder of some assignment, else an unknown id.
        fn leaver(&self, roster: &Roster) -> StaffId {
            let a = roster.assignments();
            let k = self.pick.index(3 * a.len() + 1);
            a.get(k % a.len().max(1)).filter(|_| k < 3 * a.len()).map_or(s(99), |a| a.staff)
        }

        /// A valid roster: the (slot, member) pairs without a problem of their own that the
        /// raw assignments pick (by staff id and role, modulo their number) or all of them in
        /// turn, within the slots' counts and the load limits (see `mode`).
        fn valid(&self) -> Roster {
            let pairs: Vec<(Assignment, usize)> = self
                .slots()
                .into_iter()
                .flat_map(|(target, role, count)| {
                    (0..self.pool.len()).map(move |i| (Assignment { target, role, staff: s(i as u32) }, count))
                })
                .filter(|&(a, _)| self.alone_ok(a))
                .collect();
            let mut kept: Vec<Assignment> = Vec::new();
            let mut keep = |a: Assignment, count| {
                let in_slot = kept.iter().filter(|k| k.target == a.target && k.role == a.role).count();
                let load = kept.iter().filter(|k| k.staff == a.staff).count();
                if !kept.contains(&a) && in_slot < count && load < self.limit(a.staff) {
                    kept.push(a);
                }
            };
            match self.mode {
                0 | 1 => {
                    for (k, a) in self.raw.assignments().iter().enumerate() {
                        let role = ROLES.iter().position(|&r| r == a.role).unwrap_or(0);
                        let pick = (a.staff.index() * 7 + role + k) % 97;
                        if let Some(&(a, count)) = pairs.get(pick % pairs.len().max(1)) {
                            keep(a, count);
                        }
                    }
                }
                2 => pairs.iter().for_each(|&(a, count)| keep(a, count)),
                _ => {
                    let mut reversed = pairs.clone();
                    reversed.sort_by_key(|(a, _)| std::cmp::Reverse(a.staff));
                    reversed.iter().for_each(|&(a, count)| keep(a, count));
                }
            }
            let kept = Roster::from_iter(kept.iter().map(|a| (a.target, a.role, a.staff)));
            if self.mode == 1 {
                kept.solve(&self.scheme, &self.pool, self.date, &self.targets, &self.city.tree).roster
            } else {
                kept
            }
        }

        /// Whether the assignment alone has no problem of its own.
        fn alone_ok(&self, a: Assignment) -> bool {
            let r = Roster::from_iter([(a.target, a.role, a.staff)]);
            self.problems(&r).iter().all(|p| matches!(p, RosterProblem::Missing { .. }))
        }

        fn limit(&self, id: StaffId) -> usize {
            let cap = self.scheme.load_limit().map_or(usize::MAX, usize::from);
            self.pool.get(id.index()).map_or(0, |m| usize::from(m.load_limit()).min(cap))
        }

        /// The slots of the listed targets, each once: (target, role, count).
        fn slots(&self) -> Vec<(Target, Role, usize)> {
            let mut out: Vec<(Target, Role, usize)> = Vec::new();
            for &(target, _) in &self.targets {
                for r in self.scheme.rules().iter().filter(|r| selects(r.targets(), target, &self.city.tree)) {
                    for slot in r.slots() {
                        if !out.iter().any(|&(t, role, _)| t == target && role == slot.role()) {
                            out.push((target, slot.role(), usize::from(slot.count())));
                        }
                    }
                }
            }
            out
        }

        /// By brute force over every roster that keeps each slot's number of holders but the
        /// leaver's, refilling up to one place in each of the leaver's slots short after they
        /// go, from members who may hold it, within the load limits: the most places refilled,
        /// then the fewest assignments of the valid `roster` removed.
        fn brute_force(&self, roster: &Roster, leaving: StaffId) -> (usize, usize) {
            let n = self.pool.len();
            let rest: Vec<Assignment> = roster.assignments().iter().filter(|a| a.staff != leaving).copied().collect();
            let mut groups = Vec::new();
            for (target, role, count) in self.slots() {
                let holders: Vec<usize> =
                    rest.iter().filter(|a| a.target == target && a.role == role).map(|a| a.staff.index()).collect();
                let candidates: Vec<usize> = (0..n)
                    .filter(|&i| {
                        s(i as u32) != leaving && self.alone_ok(Assignment { target, role, staff: s(i as u32) })
                    })
                    .collect();
                let freed =
                    roster.assignments().iter().any(|a| a.staff == leaving && a.target == target && a.role == role);
                let want = usize::from(freed && count > holders.len());
                groups.push(Group { holders, candidates, want });
            }
            let load: Vec<usize> = (0..n).map(|i| rest.iter().filter(|a| a.staff.index() == i).count()).collect();
            let limits: Vec<usize> = (0..n).map(|i| self.limit(s(i as u32))).collect();
            let mut best = (0, usize::MAX);
            search(&groups, 0, &mut load.clone(), &limits, (0, 0), &mut best);
            best
        }
    }

    /// A slot for the brute force: its holders but the leaver, who may hold it, and how many
    /// places to refill.
    struct Group {
        holders: Vec<usize>,
        candidates: Vec<usize>,
        want: usize,
    }

    /// Every choice of holders for each group in turn (subsets of its candidates, as many as
    /// its holders and up to `want` more), `load` the loads so far; `best` the most refilled,
    /// then the fewest removed.
    fn search(
        groups: &[Group],
        g: usize,
        load: &mut Vec<usize>,
        limits: &[usize],
        (refilled, removed): (usize, usize),
        best: &mut (usize, usize),
    ) {
        let Some(group) = groups.get(g) else {
            if load.iter().zip(limits).all(|(l, m)| l <= m)
                && (refilled > best.0 || (refilled == best.0 && removed < best.1))
            {
                *best = (refilled, removed);
            }
            return;
        };
        let c = &group.candidates;
        for mask in 0u32..(1 << c.len()) {
            let chosen: Vec<usize> = (0..c.len()).filter(|&i| mask & (1 << i) != 0).map(|i| c[i]).collect();
            let (have, size) = (group.holders.len(), chosen.len());
            if size < have || size > have + group.want {
                continue;
            }
            let gone: Vec<usize> = group.holders.iter().copied().filter(|h| !chosen.contains(h)).collect();
            let new: Vec<usize> = chosen.iter().copied().filter(|h| !group.holders.contains(h)).collect();
            gone.iter().for_each(|&i| load[i] -= 1);
            new.iter().for_each(|&i| load[i] += 1);
            search(groups, g + 1, load, limits, (refilled + size - have, removed + gone.len()), best);
            gone.iter().for_each(|&i| load[i] += 1);
            new.iter().for_each(|&i| load[i] -= 1);
        }
    }

    /// The checks every proposal must pass, for any roster.
    fn check(inst: &Instance, roster: &Roster, leaving: StaffId, p: &Replacement) -> Result<(), TestCaseError> {
        let old = roster.assignments();
        let affected: Vec<Assignment> = old.iter().filter(|a| a.staff == leaving).copied().collect();
        prop_assert_eq!(&p.affected, &affected);
        prop_assert_eq!(&p.removed[..affected.len()], &affected[..]);
        prop_assert!(p.roster.assignments().iter().all(|a| a.staff != leaving));
        // Every assignment but those removed is kept, in order; the added ones are new.
        let mut removed = p.removed.clone();
        let kept: Vec<Assignment> = old
            .iter()
            .filter(|a| match removed.iter().position(|r| r == *a) {
                Some(i) => {
                    removed.remove(i);
                    false
                }
                None => true,
            })
            .copied()
            .collect();
        prop_assert!(removed.is_empty(), "removed but not in the roster: {:?}", removed);
        let mut added = p.added.clone();
        let rest: Vec<Assignment> = p
            .roster
            .assignments()
            .iter()
            .filter(|a| match added.first() {
                Some(b) if b == *a => {
                    added.remove(0);
                    false
                }
                _ => true,
            })
            .copied()
            .collect();
        prop_assert!(added.is_empty(), "added out of order: {:?}", p);
        prop_assert_eq!(rest, kept);
        // Moved and added assignments are valid; the new holders within their limits.
        for &a in p.moved().iter().chain(&p.added) {
            prop_assert!(inst.alone_ok(a), "{:?}", a);
            prop_assert!(!old.contains(&a) || p.moved().contains(&a));
        }
        for a in &p.added {
            prop_assert!(p.roster.load(a.staff) <= inst.limit(a.staff));
            prop_assert_eq!(p.roster.assignments().iter().filter(|b| *b == a).count(), 1);
        }
        // Each slot keeps its holders' number, but the leaver's.
        for &(target, role, _) in &inst.slots() {
            let held = |r: &[Assignment]| r.iter().filter(|a| a.target == target && a.role == role).count();
            prop_assert!(held(&p.added) <= held(p.moved()) + held(&affected));
            if held(&affected) == 0 {
                prop_assert_eq!(held(&p.added), held(p.moved()));
            }
        }
        // Each place left empty, with its reason.
        for u in &p.unfilled {
            prop_assert!(affected.iter().any(|a| a.target == u.target && a.role == u.role));
            let could: Vec<StaffId> = (0..inst.pool.len())
                .map(|i| s(i as u32))
                .filter(|&id| {
                    let a = Assignment { target: u.target, role: u.role, staff: id };
                    id != leaving && !p.roster.assignments().contains(&a) && inst.alone_ok(a)
                })
                .collect();
            if could.is_empty() {
                prop_assert_eq!(u.reason, UnfilledReason::NoEligibleStaff);
            } else {
                prop_assert_eq!(u.reason, UnfilledReason::AllAtLoadLimit);
            }
        }
        prop_assert_eq!(p, &inst.replace(roster, leaving));
        Ok(())
    }

    /// The residual network's invariant after each augmenting path: every arc out of every
    /// node has a non-negative reduced cost (what lets `dijkstra` search a network with the
    /// negative arcs that take back a moved assignment), and each assignment moved so far can
    /// be taken back, at cost -1, from the slot it left.
    fn residual_invariant(inst: &Instance, roster: &Roster, leaving: StaffId) -> Result<(), TestCaseError> {
        let mut net =
            Network::new(roster, leaving, &inst.scheme, &inst.pool, inst.date, &inst.targets, &inst.city.tree);
        while net.augment() {
            let slots = net.slots.borrow().len();
            let nodes = [Node::Source, Node::Sink]
                .into_iter()
                .chain((0..slots).map(Node::Slot))
                .chain((0..inst.pool.len()).map(|i| Node::Staff(s(i as u32))));
            let mut offered = BTreeSet::new();
            for node in nodes {
                for arc in net.arcs(node) {
                    prop_assert!(net.reduced(&arc) >= 0, "{:?} has reduced cost {}", arc, net.reduced(&arc));
                    if let Step::Restore(i) = arc.step {
                        prop_assert_eq!(arc.cost, -1);
                        offered.insert(i);
                    }
                }
            }
            prop_assert_eq!(&offered, &net.moved, "every move, and only a move, can be taken back");
        }
        Ok(())
    }

    proptest! {
        // Cheap, and only about one instance in twenty moves anyone: many cases.
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn the_residual_network_keeps_reduced_costs_non_negative(inst in arb_instance()) {
            let roster = inst.valid();
            let leaving = inst.leaver(&roster);
            residual_invariant(&inst, &roster, leaving)?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_replacement_refills_most_moves_fewest_and_keeps_the_rest(inst in arb_instance()) {
            let roster = inst.valid();
            let before = inst.problems(&roster);
            prop_assert!(before.iter().all(|p| matches!(p, RosterProblem::Missing { .. })), "{:?}", before);
            let leaving = inst.leaver(&roster);
            let p = inst.replace(&roster, leaving);
            check(&inst, &roster, leaving, &p)?;

            let (most, fewest) = inst.brute_force(&roster, leaving);
            let rest = Roster::from_iter(roster.assignments().iter().filter(|a| a.staff != leaving).map(|a| (a.target, a.role, a.staff)));
            let held = |r: &Roster| inst.slots().iter().map(|&(t, role, count)| {
                count.min(r.assignments().iter().filter(|a| a.target == t && a.role == role).count())
            }).sum::<usize>();
            prop_assert_eq!(held(&p.roster) - held(&rest), most, "{:?}", p);
            prop_assert_eq!(p.moved().len(), fewest, "{:?}", p);
            // A valid roster stays valid but for the places short, before or after.
            let problems = inst.problems(&p.roster);
            prop_assert!(problems.iter().all(|p| matches!(p, RosterProblem::Missing { .. })), "{:?}", problems);
            for u in &p.unfilled {
                let missing = RosterProblem::Missing { target: u.target, role: u.role, missing: u.missing, count: u.count };
                prop_assert!(problems.contains(&missing), "{:?} not in {:?}", missing, problems);
            }
        }

        #[test]
        fn any_roster_keeps_what_is_not_moved(inst in arb_instance()) {
            let mut roster = inst.raw.clone();
            let solved = roster.solve(&inst.scheme, &inst.pool, inst.date, &inst.targets, &inst.city.tree).roster;
            for a in solved.assignments() {
                roster.assign(a.target, a.role, a.staff);
            }
            let leaving = inst.leaver(&roster);
            let p = inst.replace(&roster, leaving);
            check(&inst, &roster, leaving, &p)?;
        }
    }
}
