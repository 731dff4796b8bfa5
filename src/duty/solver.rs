//! The solver 排班: complete a roster with a maximum flow, keeping what is already valid.
//!
//! In: a roster, a scheme, the staff pool, the date, the targets with their units and the
//! tree, all passed by the caller (the registry, for [`Command::Solve`](crate::Command::Solve)).
//! Out: a [`Solution`], the completed roster and the [`Unfilled`] slots with their reasons;
//! the registry turns it into the events that change its roster.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::unionfind::UnionFind;
use serde::{Deserialize, Serialize};

use super::roster::selects;
use super::{Assignment, Locality, Role, Roster, Scheme, Slot, Staff, Target};
use crate::grid::{Level, Tree};
use crate::{StaffId, UnitId};

/// Why a slot stays (partly) unfilled in a [`Solution`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnfilledReason {
    /// No staff member who does not already hold the role for the target is eligible for it,
    /// available on the date and belongs where the slot's locality asks.
    NoEligibleStaff,
    /// Some staff members are eligible, available and local for it, but every one of them
    /// carries as many assignments as their load limit allows.
    AllAtLoadLimit,
}

/// A slot of a target that the solver could not fill completely, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Unfilled {
    /// The target.
    pub target: Target,
    /// The role.
    pub role: Role,
    /// How many holders are still missing: the `missing` of the [`RosterProblem::Missing`]
    /// the solved roster has for this slot.
    ///
    /// [`RosterProblem::Missing`]: super::RosterProblem::Missing
    pub missing: u8,
    /// How many holders the slot asks.
    pub count: u8,
    /// Why.
    pub reason: UnfilledReason,
}

/// A solved roster and the slots left unfilled, from [`Roster::solve`] or
/// [`Roster::solve_balanced`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Solution {
    /// The roster: the kept assignments in their order, then the new ones (targets in the
    /// order given, slots in scheme order, staff by id).
    pub roster: Roster,
    /// The slots still missing holders, targets in the order given, slots in scheme order;
    /// empty when the roster is complete.
    pub unfilled: Vec<Unfilled>,
}

impl Solution {
    /// Whether every slot is filled: no [`Unfilled`].
    pub fn is_complete(&self) -> bool {
        self.unfilled.is_empty()
    }

    /// The largest number of assignments any staff member carries in the roster (0 when it
    /// is empty).
    pub fn largest_load(&self) -> usize {
        let mut load: HashMap<StaffId, usize> = HashMap::new();
        for a in self.roster.assignments() {
            *load.entry(a.staff).or_default() += 1;
        }
        load.into_values().max().unwrap_or(0)
    }
}

impl Roster {
    /// Complete this roster under `scheme` on `date`, with the same inputs as
    /// [`Roster::problems`]: keep every assignment without a problem of its own, then fill
    /// as many missing holders as possible from the pool with a maximum flow.
    ///
    /// **Kept**, in roster order: an assignment for a listed target, of a role the scheme asks
    /// of it, to a known staff member who is eligible, available on `date` and local as the
    /// slot's [`Locality`](super::Locality) asks, not a repeat of one already kept, while its slot has fewer
    /// kept holders than its count and its staff member fewer kept assignments than their
    /// load limit. Everything else is dropped.
    ///
    /// **Filled**: a maximum flow (Dinic's algorithm) from a source through each slot of each
    /// target (capacity: the holders it lacks) to each staff member who is eligible,
    /// available, local and not already holding that role for that target (capacity 1), to
    /// a sink (capacity: the load left under their limit); slots that hold no one, lack as
    /// many and have the same candidates (the 2+3 slots of the persons of one community, say)
    /// share one node of the network, which gives the same maximum. The roster filled is thus the
    /// largest one that keeps the kept assignments; each slot left short is an
    /// [`Unfilled`], with [`UnfilledReason::AllAtLoadLimit`] when a staff member could
    /// otherwise hold it (the flow being maximum, all such are at their limit), else
    /// [`UnfilledReason::NoEligibleStaff`]. The network falls apart into independent parts,
    /// slots sharing no candidate staff member, directly or through others (one role in one
    /// community, sub-district or district, when localities follow the tree); each part's
    /// maximum flow is found on its own, and together they are a maximum flow of the whole.
    /// When several rosters are maximum, which one comes out is the flow's (deterministic)
    /// choice.
    ///
    /// The solved roster has no [`Roster::problems`] but the [`RosterProblem::Missing`] of
    /// its unfilled slots and those of the targets themselves ([`RosterProblem::UnknownUnit`],
    /// [`RosterProblem::NotSelected`]). Deterministic: the same inputs give the same roster.
    ///
    /// [`RosterProblem::Missing`]: super::RosterProblem::Missing
    /// [`RosterProblem::UnknownUnit`]: super::RosterProblem::UnknownUnit
    /// [`RosterProblem::NotSelected`]: super::RosterProblem::NotSelected
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::duty::{Qualification as Q, Qualifications, Role, Roster, Scheme, Staff, Target, UnfilledReason};
    /// use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let (sub, community) = (levels.level("sub-district").unwrap(), levels.level("community").unwrap());
    /// let mut tree = Tree::new(levels.clone(), NewUnit::new("花园路街道", sub, UnitKind::Area))?;
    /// let nongke = tree.add(tree.root(), NewUnit::new("农科路社区", community, UnitKind::Area))?;
    /// let six = Scheme::six_cover_one(community, sub, None)?;
    /// let root = tree.root();
    /// let person = |name: &str, q: Q, home| Ok::<_, wangge::Error>(Staff::new(Name::new(name)?, Qualifications::only(q), home, 3)?);
    /// let staff = [
    ///     person("区领导", Q::DistrictLeader, root)?,
    ///     person("区直人员", Q::DistrictDepartment, root)?,
    ///     person("科级干部", Q::SectionCadre, root)?,
    ///     person("书记", Q::PartySecretary, nongke)?,
    ///     person("片医", Q::Medical, root)?,
    /// ];
    /// let targets = [(Target::Unit(nongke), nongke)];
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    ///
    /// let solution = Roster::new().solve(&six, &staff, feb1, &targets, &tree);
    /// assert_eq!(solution.roster.assignments().len(), 5);
    /// // No police officer in the pool.
    /// assert_eq!(solution.unfilled.len(), 1);
    /// assert_eq!(solution.unfilled[0].role, Role::AreaPolice);
    /// assert_eq!(solution.unfilled[0].reason, UnfilledReason::NoEligibleStaff);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Complexity
    /// The candidates of a slot come from an index of the pool by role and place, built once
    /// a call, not from a scan of the pool: O(staff) for each role and level asked, O(levels)
    /// for each distinct unit a [`Locality::HomeCovers`](super::Locality::HomeCovers) slot
    /// asks about, then O(levels) a slot. The network then holds E edges, one for each class
    /// of interchangeable slots (or slot holding someone already) and candidate with load
    /// left, built in O(E): not one for each slot and candidate, so that persons × staff
    /// (every staff member of a role homed at the root, under `HomeCovers`) stays small.
    /// Dinic's algorithm with current arcs costs O(E + paths × depth) per phase on this
    /// layered network, and the network falls apart into parts solved one by one.
    /// A list of candidates is built for each unit whose home-covering staff live at several
    /// levels (O(those staff) each). Measured (BENCHMARKS.md): 六包一 for 800 communities from
    /// 10,000 staff in ≈5–9 ms, 2+3 for 100,000 persons from 6,000 staff in ≈120–200 ms;
    /// 2+3 balanced for 40,000 persons from 40,000 staff homed at the root (`hostile_solve`).
    pub fn solve(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
    ) -> Solution {
        self.solve_with(scheme, staff, date, targets, tree, Grouping::Classes)
    }

    /// [`Roster::solve`] on the network of `grouping`.
    fn solve_with(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
        grouping: Grouping,
    ) -> Solution {
        let mut index = Index::new(staff, date, tree);
        let prepared = Prepared::new(self, scheme, targets, &mut index);
        let net = Network::new(&prepared, &index, grouping);
        let flows = net.run();
        prepared.solution(&net, &flows, &index)
    }

    /// As [`Roster::solve`], filling as many holders, but with the largest load (counting the
    /// kept assignments) as small as possible: the smallest load cap applied to everyone
    /// (each still within their own limit) that still fills as many holders as
    /// [`Roster::solve`], found by binary search re-running the maximum flow. Since the parts
    /// of the network (see [`Roster::solve`]) are independent, the smallest cap of the whole
    /// is the largest of the parts' own: the search runs part by part, and the flow of every
    /// part is then taken under that one cap.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use wangge::duty::{Locality, Qualification, Qualifications, Role, Roster, Rule, Scheme, Slot, Staff, Target, TargetSelector, UnitClass};
    /// use wangge::grid::{LevelScheme, NewUnit, Tree, UnitKind};
    /// use wangge::people::Name;
    ///
    /// let levels = LevelScheme::zhengzhou();
    /// let mut tree = Tree::new(levels.clone(), NewUnit::new("街道", levels.level("sub-district").unwrap(), UnitKind::Area))?;
    /// let community = levels.level("community").unwrap();
    /// let mut targets = Vec::new();
    /// for name in ["甲", "乙", "丙", "丁"] {
    ///     let c = tree.add(tree.root(), NewUnit::new(name, community, UnitKind::Area))?;
    ///     targets.push((Target::Unit(c), c));
    /// }
    /// let scheme = Scheme::builder("doctors", vec![Rule::new(
    ///     TargetSelector::UnitsAtLevel(community),
    ///     vec![Slot::new(Role::AreaDoctor, 1, Locality::Anywhere)],
    /// )]).build()?;
    /// let doctor = || Ok::<_, wangge::Error>(Staff::new(Name::new("医生")?, Qualifications::only(Qualification::Medical), tree.root(), 4)?);
    /// let staff = [doctor()?, doctor()?];
    /// let feb1 = NaiveDate::from_ymd_opt(2020, 2, 1).unwrap();
    ///
    /// let balanced = Roster::new().solve_balanced(&scheme, &staff, feb1, &targets, &tree);
    /// assert!(balanced.is_complete());
    /// assert_eq!(balanced.largest_load(), 2);
    /// # Ok::<(), wangge::Error>(())
    /// ```
    ///
    /// # Complexity
    /// As [`Roster::solve`], plus for each part: one more maximum flow under the cap reached
    /// so far (none when the cap is at or above every limit in the part), O(log(largest load
    /// limit)) flows when the part must raise the cap, and a last flow under the final cap
    /// unless one was run under it already. The cap starts at a bound no part can go below
    /// (each part's holders spread evenly over its staff), so most parts take two flows in
    /// all: ≈1.1–1.4 × [`Roster::solve`] in the benches.
    pub fn solve_balanced(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
    ) -> Solution {
        self.solve_balanced_with(scheme, staff, date, targets, tree, Grouping::Classes)
    }

    /// [`Roster::solve_balanced`] on the network of `grouping`.
    fn solve_balanced_with(
        &self,
        scheme: &Scheme,
        staff: &[Staff],
        date: NaiveDate,
        targets: &[(Target, UnitId)],
        tree: &Tree,
        grouping: Grouping,
    ) -> Solution {
        let mut index = Index::new(staff, date, tree);
        let prepared = Prepared::new(self, scheme, targets, &mut index);
        let mut net = Network::new(&prepared, &index, grouping);
        // Each part's flow under no cap but the limits (a cap at or above its `top`), and the
        // cap of that run.
        let mut runs: Vec<(u32, u32, Vec<u32>)> = (net.parts.iter())
            .map(|part| {
                let (value, flows) = part.run();
                (part.top, value, flows)
            })
            .collect();
        // A part fills as many holders as without a cap exactly when the cap is at least its
        // own smallest such cap, so the smallest cap for the whole is the largest of the
        // parts' (and of the kept loads): raise it part by part, searching only the parts it
        // does not already serve. It starts at a bound no part can go below, its holders and
        // kept assignments shared evenly among its staff, so that most parts are checked at
        // the final cap, and their flows kept.
        let mut cap = prepared.load.iter().copied().max().unwrap_or(0);
        for (part, &(_, best, _)) in net.parts.iter().zip(&runs) {
            let kept: u32 = part.sinks.iter().filter_map(|&(i, _)| prepared.load.get(i)).sum();
            let members = u32::try_from(part.sinks.len()).unwrap_or(u32::MAX).max(1);
            cap = cap.max(best.saturating_add(kept).div_ceil(members).min(part.top));
        }
        for (part, run) in net.parts.iter_mut().zip(&mut runs) {
            let best = run.1;
            if cap >= part.top {
                continue;
            }
            part.cap(&prepared, cap);
            let (value, flows) = part.run();
            if value == best {
                *run = (cap, value, flows);
                continue;
            }
            let (mut lo, mut hi) = (cap + 1, part.top);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                part.cap(&prepared, mid);
                if part.run().0 == best {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            cap = lo;
        }
        let flows: Vec<Vec<u32>> = (net.parts.iter_mut().zip(runs))
            .map(|(part, (ran_at, _, flows))| {
                let at = cap.min(part.top);
                if ran_at == at {
                    flows
                } else {
                    part.cap(&prepared, at);
                    part.run().1
                }
            })
            .collect();
        prepared.solution(&net, &flows, &index)
    }
}

/// A slot of a target still missing holders after the kept assignments.
struct Open {
    target: Target,
    slot: Slot,
    missing: u8,
    /// The staff members kept in this slot.
    held: Vec<StaffId>,
    /// The staff members who may hold it, whatever their load: a set of the [`Index`].
    candidates: usize,
}

/// The kept assignments, the loads they make and the slots still open.
struct Prepared {
    kept: Vec<Assignment>,
    /// Kept assignments per staff member, by index.
    load: Vec<u32>,
    /// The most each staff member may carry under the scheme ([`Scheme::limit_for`]), by index.
    limit: Vec<u32>,
    open: Vec<Open>,
}

impl Prepared {
    fn new(roster: &Roster, scheme: &Scheme, targets: &[(Target, UnitId)], index: &mut Index<'_>) -> Self {
        let (staff, date, tree) = (index.staff, index.date, index.tree);
        // The targets, each once with its first unit, and the rules selecting them (one of
        // the distinct sets of rules met, `rule_sets`: targets of one kind share theirs).
        let mut cover: HashMap<Target, usize> = HashMap::with_capacity(targets.len());
        let mut order: Vec<(Target, UnitId, usize)> = Vec::with_capacity(targets.len());
        let mut rule_sets: Vec<Vec<usize>> = Vec::new();
        let mut rules = Vec::new();
        for &(target, unit) in targets {
            cover.entry(target).or_insert_with(|| {
                rules.clear();
                rules.extend(
                    (scheme.rules().iter().enumerate())
                        .filter(|(_, r)| selects(r.targets(), target, tree))
                        .map(|(i, _)| i),
                );
                let set = rule_sets.iter().position(|set| *set == rules).unwrap_or_else(|| {
                    rule_sets.push(rules.clone());
                    rule_sets.len() - 1
                });
                order.push((target, unit, set));
                order.len() - 1
            });
        }
        let no_rules = Vec::new();
        let rules_of = |set: usize| rule_sets.get(set).unwrap_or(&no_rules);

        // Keep, in roster order.
        let mut kept = Vec::new();
        let mut load = vec![0u32; staff.len()];
        let mut filled: HashMap<(Target, Role), Vec<StaffId>> = HashMap::new();
        let mut seen: HashSet<Assignment> = HashSet::new();
        for a in roster.assignments() {
            let Some(&(_, unit, set)) = cover.get(&a.target).and_then(|&t| order.get(t)) else { continue };
            let Some((_, slot)) = scheme.slot(a.role).filter(|(rule, _)| rules_of(set).contains(rule)) else {
                continue;
            };
            let (Some(member), Some(n)) = (staff.get(a.staff.index()), load.get_mut(a.staff.index())) else {
                continue;
            };
            if seen.contains(a) || !member.may_hold(slot, unit, date, tree) {
                continue;
            }
            let have = filled.entry((a.target, a.role)).or_default();
            if have.len() >= usize::from(slot.count()) || *n >= u32::from(scheme.limit_for(member)) {
                continue;
            }
            have.push(a.staff);
            *n += 1;
            seen.insert(*a);
            kept.push(*a);
        }
        drop(cover);

        // The slots still open, with their candidates.
        let mut open = Vec::with_capacity(order.len());
        for &(target, unit, set) in &order {
            for slot in rules_of(set).iter().filter_map(|&i| scheme.rules().get(i)).flat_map(|r| r.slots()) {
                let held = if filled.is_empty() {
                    Vec::new()
                } else {
                    filled.remove(&(target, slot.role())).unwrap_or_default()
                };
                // `held` is at most the count (a u8), as kept above.
                let have = u8::try_from(held.len()).unwrap_or(u8::MAX);
                if have < slot.count() {
                    let candidates = index.candidates(slot, unit);
                    open.push(Open { target, slot: *slot, missing: slot.count() - have, held, candidates });
                }
            }
        }
        let limit = staff.iter().map(|m| u32::from(scheme.limit_for(m))).collect();
        Prepared { kept, load, limit, open }
    }

    /// The roster the flows `flows` (one list per part of `net`) give, with the unfilled slots.
    fn solution(&self, net: &Network, flows: &[Vec<u32>], index: &Index<'_>) -> Solution {
        // The staff chosen for each open slot, in slot order: the part of each lists its
        // slots with their edges, the staff by id.
        // A class of slots hands out the holders its edges carry in turn, staff by id, slot
        // after slot of the class and round again: each edge carries at most as many as the
        // class has slots, so no slot gets anyone twice, and each slot at most its share
        // rounded up, which is at most what it misses (see `Network`).
        // A layered class takes the holders its edges carry from each list's node: what the
        // node passes on to its staff (by id) goes to the classes drawing on it, in class order.
        let mut given: Vec<Vec<StaffId>> = vec![Vec::new(); self.open.len()];
        for (part, flows) in net.parts.iter().zip(flows) {
            let mut out: HashMap<usize, std::collections::VecDeque<(u32, u32)>> = HashMap::new();
            for &(l, first) in &part.lists {
                let queue = (net.list_staff(l).iter().enumerate())
                    .map(|(j, &i)| (i, flows.get(first + j).copied().unwrap_or(0)))
                    .filter(|&(_, f)| f > 0)
                    .collect();
                out.insert(l, queue);
            }
            for &(d, first) in &part.demands {
                let Some(class) = net.demands.get(d) else { continue };
                let mut turn = 0;
                let mut hand = |i: u32, given: &mut Vec<Vec<StaffId>>| {
                    if let Some(list) = class.slots.get(turn).and_then(|&k| given.get_mut(k)) {
                        list.push(StaffId::new(i));
                    }
                    turn = (turn + 1) % class.slots.len().max(1);
                };
                for (j, &i) in net.edges(d).iter().enumerate() {
                    let mut carried = flows.get(first + j).copied().unwrap_or(0);
                    if !class.layered {
                        (0..carried).for_each(|_| hand(i, &mut given));
                        continue;
                    }
                    // Conservation at the list's node: its staff carry what its classes bring.
                    let Some(queue) = out.get_mut(&(i as usize)) else { continue };
                    while carried > 0 {
                        let Some(front) = queue.front_mut() else { break };
                        let take = front.1.min(carried);
                        (0..take).for_each(|_| hand(front.0, &mut given));
                        front.1 -= take;
                        carried -= take;
                        if front.1 == 0 {
                            queue.pop_front();
                        }
                    }
                }
            }
        }
        let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(self.open.len());
        let mut picks: Vec<StaffId> = Vec::new();
        for list in given {
            let from = picks.len();
            picks.extend(list);
            chosen.push((from, picks.len()));
        }

        let mut assignments = Vec::with_capacity(self.kept.len() + picks.len());
        assignments.extend_from_slice(&self.kept);
        let mut unfilled = Vec::new();
        for (k, o) in self.open.iter().enumerate() {
            let role = o.slot.role();
            let new = chosen.get(k).and_then(|&(from, to)| picks.get(from..to)).unwrap_or(&[]);
            assignments.extend(new.iter().map(|&staff| Assignment { target: o.target, role, staff }));
            // At most `missing` were added: the source's edge to the slot carries no more.
            let n = u8::try_from(new.len()).unwrap_or(u8::MAX);
            if n >= o.missing {
                continue;
            }
            let could = (index.set(o.candidates).iter()).flat_map(|&l| index.list(l)).any(|&i| {
                let id = StaffId::new(i);
                !o.held.contains(&id) && !new.contains(&id)
            });
            let reason = if could { UnfilledReason::AllAtLoadLimit } else { UnfilledReason::NoEligibleStaff };
            unfilled.push(Unfilled { target: o.target, role, missing: o.missing - n, count: o.slot.count(), reason });
        }
        Solution { roster: assignments.into_iter().map(|a| (a.target, a.role, a.staff)).collect(), unfilled }
    }
}

/// The staff members who may hold a slot, found by role and place rather than by scanning the
/// pool: for a slot and a target's unit, exactly those [`Staff::may_hold`] accepts, by increasing
/// index (the tests check every list against it).
///
/// By locality: [`Locality::Anywhere`], everyone eligible for the role (and available on the
/// date, homed in the tree); [`Locality::SameAncestorAt`], those whose home has the target's
/// ancestor at that level; [`Locality::WithinTarget`], those whose home has the target's unit
/// as its ancestor at the unit's level; [`Locality::HomeCovers`], those homed at the target's
/// unit or one of its ancestors (one look-up per level). Each list is built once and shared by
/// every slot that asks it.
struct Index<'a> {
    staff: &'a [Staff],
    date: NaiveDate,
    tree: &'a Tree,
    /// The lists of staff indices, each increasing; list 0 is empty.
    lists: Vec<Vec<u32>>,
    /// The sets of candidates: each the union of disjoint lists (one, or under `HomeCovers`
    /// those homed at each level above a unit), never merged into a list of its own, so that
    /// a unit's set costs O(levels) however many staff it holds. Set 0 is empty.
    sets: Vec<Vec<usize>>,
    /// The set holding list `i` alone, by list.
    single: HashMap<usize, usize>,
    /// Per role (by its place in [`Role::ALL`]): the staff eligible for it, available on the
    /// date and homed in the tree.
    eligible: Vec<Option<usize>>,
    /// Per role and level: the eligible by their home's ancestor at that level, by unit index.
    by_ancestor: HashMap<(Role, Level), Vec<usize>>,
    /// Per role: the eligible whose home covers a unit, and the eligible by their home.
    covering: Vec<Option<Covering>>,
}

/// For one role: the sets of those whose home covers a unit, by unit index (`usize::MAX`
/// until asked), and the lists of those homed at a unit.
type Covering = (Vec<usize>, HashMap<UnitId, usize>);

/// The place of `role` in [`Role::ALL`], in which every role is listed once in declaration
/// order.
fn role_index(role: Role) -> usize {
    role as usize
}

impl<'a> Index<'a> {
    fn new(staff: &'a [Staff], date: NaiveDate, tree: &'a Tree) -> Self {
        Index {
            staff,
            date,
            tree,
            lists: vec![Vec::new()],
            sets: vec![Vec::new()],
            single: HashMap::new(),
            eligible: vec![None; Role::ALL.len()],
            by_ancestor: HashMap::new(),
            covering: (0..Role::ALL.len()).map(|_| None).collect(),
        }
    }

    /// The list `i` (empty when there is none).
    fn list(&self, i: usize) -> &[u32] {
        self.lists.get(i).map_or(&[], Vec::as_slice)
    }

    /// The lists of set `i` (none when there is none).
    fn set(&self, i: usize) -> &[usize] {
        self.sets.get(i).map_or(&[], Vec::as_slice)
    }

    /// The staff of set `i`, by increasing index.
    fn members(&self, i: usize) -> Vec<u32> {
        let mut all: Vec<u32> = self.set(i).iter().flat_map(|&l| self.list(l)).copied().collect();
        if self.set(i).len() > 1 {
            all.sort_unstable();
        }
        all
    }

    /// The set of list `list` alone (set 0 for the empty list).
    fn single(&mut self, list: usize) -> usize {
        if list == 0 {
            return 0;
        }
        if let Some(&i) = self.single.get(&list) {
            return i;
        }
        self.sets.push(vec![list]);
        self.single.insert(list, self.sets.len() - 1);
        self.sets.len() - 1
    }

    /// Store `list`, giving its number.
    fn add(&mut self, list: Vec<u32>) -> usize {
        if list.is_empty() {
            return 0;
        }
        self.lists.push(list);
        self.lists.len() - 1
    }

    /// The staff who may hold `slot` for a target at `unit`: a set.
    fn candidates(&mut self, slot: &Slot, unit: UnitId) -> usize {
        let role = slot.role();
        let found = if !self.tree.contains(unit) {
            0
        } else {
            let list = match slot.locality() {
                Locality::Anywhere => self.eligible(role),
                Locality::WithinTarget => match self.tree.level(unit) {
                    Ok(level) => self.grouped(role, level, unit),
                    Err(_) => 0,
                },
                Locality::SameAncestorAt(level) => match self.tree.ancestor_at(unit, level) {
                    Ok(Some(ancestor)) => self.grouped(role, level, ancestor),
                    _ => 0,
                },
                Locality::HomeCovers => {
                    let set = self.covering(role, unit);
                    return self.checked(slot, unit, set);
                }
            };
            self.single(list)
        };
        self.checked(slot, unit, found)
    }

    /// `found`, the set of candidates for `slot` at `unit`; under `cfg(test)` asserted equal to
    /// a scan of the pool with [`Staff::may_hold`].
    fn checked(&self, slot: &Slot, unit: UnitId, found: usize) -> usize {
        #[cfg(not(test))]
        let _ = (slot, unit);
        #[cfg(test)]
        {
            let scan: Vec<u32> = (0..self.staff.len())
                .filter(|&i| self.staff[i].may_hold(slot, unit, self.date, self.tree))
                .map(|i| i as u32)
                .collect();
            assert_eq!(self.members(found), scan, "the index agrees with may_hold for {slot:?} at {unit:?}");
        }
        found
    }

    /// The staff eligible for `role`, available on the date and homed in the tree.
    fn eligible(&mut self, role: Role) -> usize {
        if let Some(&Some(i)) = self.eligible.get(role_index(role)) {
            return i;
        }
        let (date, tree) = (self.date, self.tree);
        let list = (self.staff.iter().enumerate())
            .filter(|(_, m)| m.is_eligible(role) && m.is_available_on(date) && tree.contains(m.home()))
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let i = self.add(list);
        if let Some(at) = self.eligible.get_mut(role_index(role)) {
            *at = Some(i);
        }
        i
    }

    /// The staff eligible for `role` whose home's ancestor at `level` is `ancestor`.
    fn grouped(&mut self, role: Role, level: Level, ancestor: UnitId) -> usize {
        if !self.by_ancestor.contains_key(&(role, level)) {
            let all = self.eligible(role);
            let mut groups: Vec<Vec<u32>> = vec![Vec::new(); self.tree.len()];
            for &i in self.list(all) {
                if let Some(m) = self.staff.get(i as usize)
                    && let Ok(Some(a)) = self.tree.ancestor_at(m.home(), level)
                    && let Some(group) = groups.get_mut(a.index())
                {
                    group.push(i);
                }
            }
            let groups = groups.into_iter().map(|list| self.add(list)).collect();
            self.by_ancestor.insert((role, level), groups);
        }
        (self.by_ancestor.get(&(role, level))).and_then(|g| g.get(ancestor.index())).copied().unwrap_or(0)
    }

    /// The staff eligible for `role` homed at `unit` or one of its ancestors: a set.
    fn covering(&mut self, role: Role, unit: UnitId) -> usize {
        let r = role_index(role);
        if let Some(Some((cache, _))) = self.covering.get(r)
            && let Some(&i) = cache.get(unit.index())
            && i != usize::MAX
        {
            return i;
        }
        if self.covering.get(r).is_some_and(Option::is_none) {
            let all = self.eligible(role);
            let mut homes: HashMap<UnitId, Vec<u32>> = HashMap::new();
            for &i in self.list(all) {
                if let Some(m) = self.staff.get(i as usize) {
                    homes.entry(m.home()).or_default().push(i);
                }
            }
            // Numbered by home, not in the map's order: list numbers order the network's list
            // nodes, and the same inputs must give the same roster in every process.
            let mut homes: Vec<(UnitId, Vec<u32>)> = homes.into_iter().collect();
            homes.sort_unstable_by_key(|&(h, _)| h);
            let homes = homes.into_iter().map(|(h, list)| (h, self.add(list))).collect();
            if let Some(at) = self.covering.get_mut(r) {
                *at = Some((vec![usize::MAX; self.tree.len()], homes));
            }
        }
        // A home covers the unit when it is the unit's ancestor at the home's own level: look
        // up the unit's ancestor at every level.
        let mut found = Vec::new();
        if let Some(Some((_, homes))) = self.covering.get(r) {
            for (level, _) in self.tree.scheme().levels() {
                if let Ok(Some(a)) = self.tree.ancestor_at(unit, level)
                    && let Some(&i) = homes.get(&a)
                {
                    found.push(i);
                }
            }
        }
        let i = match found[..] {
            [] => 0,
            [one] => self.single(one),
            _ => {
                self.sets.push(found);
                self.sets.len() - 1
            }
        };
        if let Some(Some((cache, _))) = self.covering.get_mut(r)
            && let Some(at) = cache.get_mut(unit.index())
        {
            *at = i;
        }
        i
    }
}

/// How open slots become nodes of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grouping {
    /// A node for each class of interchangeable slots (see [`Network`]).
    Classes,
    /// A node for each open slot, as the solver first built it: kept to check the classes
    /// against.
    #[cfg(test)]
    Slots,
}

/// A node of the network on the slots' side: a class of open slots, by index in
/// `Prepared::open`, in order.
struct Demand {
    slots: Vec<usize>,
    /// Whether its edges go to the lists of its set of candidates (a class lacking one
    /// holder a slot, whose candidates are several lists), not to each candidate.
    layered: bool,
}

/// The flow network source → demands → staff → sink, split into its parts: the connected
/// components of the demands and staff once source and sink are set aside (demands sharing no
/// candidate staff member, directly or through others, lie in different parts). A maximum
/// flow of the whole is a maximum flow of each part, so each part is solved on its own.
///
/// A demand is a class of open slots that hold no one yet, lack the same number `m` of
/// holders and have the same candidates (one list of the [`Index`]: the slots of a role, a
/// locality and a place, such as the 2+3 slots of every person of a community), or a slot
/// holding someone (whom it may not take again) alone. A class of `n` slots has an edge of
/// capacity `m × n` from the source and one of capacity `n` to each candidate with load left,
/// instead of `n` edges to each: a network of O(classes × candidates) edges, not O(slots ×
/// candidates). Nothing is lost: any flow of the class network is the flow of some roster,
/// since `n` slots lacking `m` each can take `g_s ≤ n` holders of each staff member `s` as long
/// as `Σ g_s ≤ m × n`, handing them out in turn (a 0/1 matrix with these column sums whose row
/// sums differ by at most one); and any roster's flow is a flow of the class network. So the
/// maximum flows, and the loads the balanced search finds, are those of the network of one
/// node a slot (the property tests compare the two).
///
/// A set of candidates made of several lists (under `HomeCovers`, those homed at each level
/// above the unit) would still list the staff of the upper levels once for every unit below
/// them. A class lacking one holder a slot has instead an edge of capacity `n` to a node for
/// each of its lists, and each list's node one edge to each of its staff with load left,
/// shared by every class: any flow through them hands one holder to each slot it fills.
struct Network {
    parts: Vec<Part>,
    demands: Vec<Demand>,
    /// The edges of demand `d`: `to[starts[d]..starts[d + 1]]`, staff indices, or list numbers
    /// of the [`Index`] for a layered demand.
    starts: Vec<usize>,
    to: Vec<u32>,
    /// The staff with load left of each list a layered demand reaches: `staff[at..at + len]`
    /// for the list's `(at, len)`.
    lists: HashMap<usize, (usize, usize)>,
    list_staff: Vec<u32>,
}

/// One part of the network, a graph of its own with its source and sink.
struct Part {
    graph: DiGraph<(), u32>,
    source: NodeIndex,
    sink: NodeIndex,
    /// Its demands in order, each with the index of its first edge to staff or lists: the
    /// demand's edges are added one after the other, so edge `j` of the demand is `first + j`.
    demands: Vec<(usize, usize)>,
    /// Its list nodes, each with the index of its first edge to staff, likewise.
    lists: Vec<(usize, usize)>,
    /// Each staff-to-sink edge: the staff member's index, the edge.
    sinks: Vec<(usize, EdgeIndex)>,
    /// The largest load limit of the part's staff: a cap at or above it changes nothing.
    top: u32,
}

impl Network {
    /// The network with each staff member's capacity the load left under their own limit,
    /// and an edge from each demand to each candidate with load left who does not hold its
    /// slot already (or to its lists, for a layered class). Parts in the order of their first
    /// demand; in each part, nodes and edges in a fixed order: its staff by id, then its list
    /// nodes by number, each with its staff by id, then its demands in order, each with its
    /// staff by id (or its lists in the order of its set).
    fn new(p: &Prepared, index: &Index<'_>, grouping: Grouping) -> Self {
        let staff = index.staff;
        let left: Vec<u32> = p.limit.iter().zip(&p.load).map(|(&limit, &kept)| limit.saturating_sub(kept)).collect();

        // The demands, in the order of their first slot.
        let mut demands: Vec<Demand> = Vec::new();
        let mut class_of: HashMap<(usize, u8), usize> = HashMap::new();
        for (k, o) in p.open.iter().enumerate() {
            let alone = match grouping {
                Grouping::Classes => !o.held.is_empty(),
                #[cfg(test)]
                Grouping::Slots => true,
            };
            if alone {
                demands.push(Demand { slots: vec![k], layered: false });
                continue;
            }
            let d = *class_of.entry((o.candidates, o.missing)).or_insert_with(|| {
                let layered = o.missing == 1 && index.set(o.candidates).len() > 1;
                demands.push(Demand { slots: Vec::new(), layered });
                demands.len() - 1
            });
            if let Some(class) = demands.get_mut(d) {
                class.slots.push(k);
            }
        }
        drop(class_of);
        // The first slot of a demand stands for all: same candidates, same missing, and only a
        // slot alone holds anyone.
        let first = |d: &Demand| d.slots.first().and_then(|&k| p.open.get(k));

        // The edges of each demand, one run of `to` each; the staff of each list reached.
        let has_left = |i: u32| left.get(i as usize).is_some_and(|&l| l > 0);
        let mut starts = Vec::with_capacity(demands.len() + 1);
        starts.push(0);
        let mut to: Vec<u32> = Vec::new();
        let mut lists: HashMap<usize, (usize, usize)> = HashMap::new();
        let mut list_staff: Vec<u32> = Vec::new();
        for (demand, o) in demands.iter().filter_map(|d| Some((d, first(d)?))) {
            if demand.layered {
                for &l in index.set(o.candidates) {
                    let (_, len) = *lists.entry(l).or_insert_with(|| {
                        let at = list_staff.len();
                        list_staff.extend(index.list(l).iter().copied().filter(|&i| has_left(i)));
                        (at, list_staff.len() - at)
                    });
                    // A list whose staff are all at their limit takes nothing: no edge.
                    if len > 0 {
                        to.push(u32::try_from(l).unwrap_or(u32::MAX));
                    }
                }
            } else {
                to.extend(
                    (index.members(o.candidates).into_iter())
                        .filter(|&i| has_left(i) && !o.held.contains(&StaffId::new(i))),
                );
            }
            starts.push(to.len());
        }
        let of_list = |l: u32| {
            let (at, len) = lists.get(&(l as usize)).copied().unwrap_or((0, 0));
            list_staff.get(at..at + len).unwrap_or(&[])
        };
        // The staff a demand's edges lead to, directly or through its lists.
        let edges = |d: usize| starts.get(d..d + 2).and_then(|s| to.get(s[0]..s[1])).unwrap_or(&[]);
        let layered = |d: usize| demands.get(d).is_some_and(|x| x.layered);
        let first_staff = |d: usize| match edges(d).first() {
            Some(&l) if layered(d) => of_list(l).first().copied(),
            other => other.copied(),
        };

        // The parts: join the staff each demand has edges to (once for each list of
        // candidates the demands holding nobody share, since their edges are that list less
        // those at their limit), then each demand lies with its first edge's staff member.
        let mut sets = UnionFind::<usize>::new(staff.len());
        let mut joined = vec![false; index.sets.len()];
        for (d, o) in demands.iter().enumerate().filter_map(|(d, x)| Some((d, first(x)?))) {
            if o.held.is_empty() {
                match joined.get_mut(o.candidates) {
                    Some(done) if !*done => *done = true,
                    _ => continue,
                }
            }
            if layered(d) {
                // The lists' first staff members together; each list's staff are joined below.
                for pair in edges(d).windows(2) {
                    if let (Some(&a), Some(&b)) = (of_list(pair[0]).first(), of_list(pair[1]).first()) {
                        sets.union(a as usize, b as usize);
                    }
                }
            } else {
                for pair in edges(d).windows(2) {
                    // Both index `staff`: the index lists only its members.
                    sets.union(pair[0] as usize, pair[1] as usize);
                }
            }
        }
        let mut list_order: Vec<usize> = lists.keys().copied().collect();
        list_order.sort_unstable();
        for &l in &list_order {
            for pair in of_list(u32::try_from(l).unwrap_or(u32::MAX)).windows(2) {
                sets.union(pair[0] as usize, pair[1] as usize);
            }
        }
        let labels = sets.into_labeling();
        // Each demand's part, and each part's size (nodes, edges) to allocate it at once.
        let mut part_of = vec![usize::MAX; labels.len()];
        let mut demand_part = vec![usize::MAX; demands.len()];
        let mut sizes: Vec<(usize, usize)> = Vec::new();
        for (d, at) in demand_part.iter_mut().enumerate() {
            let Some(&root) = first_staff(d).and_then(|i| labels.get(i as usize)) else { continue };
            let Some(part) = part_of.get_mut(root) else { continue };
            if *part == usize::MAX {
                *part = sizes.len();
                sizes.push((2, 0));
            }
            *at = *part;
            if let Some((nodes, arcs)) = sizes.get_mut(*part) {
                *nodes += 1;
                *arcs += 1 + edges(d).len();
            }
        }

        for &root in &labels {
            if let Some((nodes, arcs)) = part_of.get(root).and_then(|&part| sizes.get_mut(part)) {
                *nodes += 1;
                *arcs += 1;
            }
        }
        // Each list node lies with its staff.
        let list_part = |l: usize| {
            let first = of_list(u32::try_from(l).unwrap_or(u32::MAX)).first().copied()?;
            part_of.get(*labels.get(first as usize)?).copied().filter(|&part| part != usize::MAX)
        };
        for &l in &list_order {
            if let Some((nodes, arcs)) = list_part(l).and_then(|part| sizes.get_mut(part)) {
                *nodes += 1;
                *arcs += of_list(u32::try_from(l).unwrap_or(u32::MAX)).len();
            }
        }

        // Build every part at once, in one pass over the staff then one over the demands
        // (each part gets the same nodes and edges in the same order as built alone).
        let mut parts: Vec<Part> = (sizes.iter())
            .map(|&(nodes, arcs)| {
                let mut graph = DiGraph::with_capacity(nodes, arcs);
                let source = graph.add_node(());
                let sink = graph.add_node(());
                Part { graph, source, sink, demands: Vec::new(), lists: Vec::new(), sinks: Vec::new(), top: 0 }
            })
            .collect();
        // Every staff member with an edge lies with a demand; those without in no part.
        let mut node_of = vec![NodeIndex::end(); staff.len()];
        for (i, &root) in labels.iter().enumerate() {
            let Some(part) = part_of.get(root).and_then(|&part| parts.get_mut(part)) else { continue };
            let node = part.graph.add_node(());
            if let Some(at) = node_of.get_mut(i) {
                *at = node;
            }
            part.sinks.push((i, part.graph.add_edge(node, part.sink, left.get(i).copied().unwrap_or(0))));
            part.top = part.top.max(p.limit.get(i).copied().unwrap_or(0));
        }
        // Then the list nodes, by list number, each with its staff by id.
        let mut list_node: HashMap<usize, NodeIndex> = HashMap::with_capacity(list_order.len());
        for &l in &list_order {
            let Some(part) = list_part(l).and_then(|part| parts.get_mut(part)) else { continue };
            let node = part.graph.add_node(());
            list_node.insert(l, node);
            let first = part.graph.edge_count();
            part.lists.push((l, first));
            for &i in of_list(u32::try_from(l).unwrap_or(u32::MAX)) {
                // Its staff lie in this part: `node_of` is set. Their own edge to the sink
                // bounds what goes through.
                let to = node_of.get(i as usize).copied().unwrap_or(part.sink);
                part.graph.add_edge(node, to, u32::MAX);
            }
        }
        for (d, (demand, &at)) in demands.iter().zip(&demand_part).enumerate() {
            let Some(part) = parts.get_mut(at) else { continue };
            let Some(o) = first(demand) else { continue };
            // A class has at most as many slots as there are open slots: it fits a u32 unless
            // the roster is larger than memory; saturating keeps the bound.
            let n = u32::try_from(demand.slots.len()).unwrap_or(u32::MAX);
            let node = part.graph.add_node(());
            part.graph.add_edge(part.source, node, u32::from(o.missing).saturating_mul(n));
            let first = part.graph.edge_count();
            part.demands.push((d, first));
            for (j, &i) in edges(d).iter().enumerate() {
                // Every staff member (or list) of the demand's edges lies in this part:
                // `node_of` (or `list_node`) is set.
                let to = if demand.layered {
                    list_node.get(&(i as usize)).copied().unwrap_or(part.sink)
                } else {
                    node_of.get(i as usize).copied().unwrap_or(part.sink)
                };
                let edge = part.graph.add_edge(node, to, n);
                debug_assert_eq!(edge.index(), first + j, "a graph numbers its edges in the order added");
            }
        }
        Network { parts, demands, starts, to, lists, list_staff }
    }

    /// The staff of list `l` with load left, by id, as the list's node has edges to them.
    fn list_staff(&self, l: usize) -> &[u32] {
        let (at, len) = self.lists.get(&l).copied().unwrap_or((0, 0));
        self.list_staff.get(at..at + len).unwrap_or(&[])
    }

    /// The staff members demand `d` has edges to, by id.
    fn edges(&self, d: usize) -> &[u32] {
        self.starts.get(d..d + 2).and_then(|s| self.to.get(s[0]..s[1])).unwrap_or(&[])
    }

    /// The maximum flow on each part, by edge index.
    fn run(&self) -> Vec<Vec<u32>> {
        self.parts.iter().map(|part| part.run().1).collect()
    }
}

impl Part {
    /// Cap every staff member's total load at `cap` (and their own limit).
    fn cap(&mut self, p: &Prepared, cap: u32) {
        for &(i, edge) in &self.sinks {
            let (Some(&limit), Some(&kept)) = (p.limit.get(i), p.load.get(i)) else { continue };
            if let Some(w) = self.graph.edge_weight_mut(edge) {
                *w = limit.min(cap).saturating_sub(kept);
            }
        }
    }

    /// The maximum flow's value and the flow on each edge, by edge index.
    fn run(&self) -> (u32, Vec<u32>) {
        super::flow::max_flow(&self.graph, self.source, self.sink)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::duty::{Locality, Qualification as Q, Qualifications, RosterProblem};
    use crate::grid::Level;

    use crate::duty::fixtures::{City, ROLES, city, day, drawn, member, scheme};

    fn s(i: u32) -> StaffId {
        StaffId::new(i)
    }

    fn six_targets(c: &City) -> Vec<(Target, UnitId)> {
        c.community.iter().map(|&u| (Target::Unit(u), u)).collect()
    }

    /// 六包一 over two communities: `police` officers of the sub-district with `police_limit`,
    /// no section cadre when `cadre` is false.
    fn six_pool(c: &City, police: usize, police_limit: u16, cadre: bool) -> Vec<Staff> {
        let root = c.tree.root();
        let one = Qualifications::only;
        let mut pool = vec![
            member(one(Q::DistrictLeader), root, 2),
            member(one(Q::DistrictDepartment), root, 1),
            member(one(Q::DistrictDepartment), root, 1),
            member(one(Q::PartySecretary), c.community[0], 1),
            member(one(Q::PartySecretary), c.yard[1], 1),
            member(one(Q::Medical), c.building[1], 2),
        ];
        if cadre {
            pool.push(member(one(Q::SectionCadre), root, 2));
        }
        pool.extend((0..police).map(|_| member(one(Q::Police), root, police_limit)));
        pool
    }

    #[test]
    fn six_cover_one_is_solved_and_validates_keeping_what_is_valid() {
        let c = city();
        let six = Scheme::six_cover_one(Level::new(1), Level::new(0), None).unwrap();
        let pool = six_pool(&c, 2, 1, true); // s6 the cadre, s7 and s8 police
        let targets = six_targets(&c);
        let (c0, c1) = (Target::Unit(c.community[0]), Target::Unit(c.community[1]));
        let existing = Roster::from_iter([
            (c1, Role::AreaPolice, s(8)),         // valid: kept
            (c0, Role::AreaPolice, s(5)),         // the doctor as police: dropped
            (c1, Role::CommunitySecretary, s(3)), // the other community's secretary: dropped
            (c1, Role::AreaPolice, s(8)),         // a repeat: dropped
        ]);
        let solution = existing.solve(&six, &pool, day(1), &targets, &c.tree);
        assert!(solution.is_complete(), "{:?}", solution.unfilled);
        assert_eq!(solution.roster.validate(&six, &pool, day(1), &targets, &c.tree), Ok(()));
        assert_eq!(solution.roster.assignments().len(), 12);
        assert_eq!(solution.roster.assignments()[0], Assignment { target: c1, role: Role::AreaPolice, staff: s(8) });
        let holder = |t, r| solution.roster.assignments().iter().filter(|a| a.target == t && a.role == r).count();
        assert!(Role::SIX_COVER_ONE.iter().all(|&r| holder(c0, r) == 1 && holder(c1, r) == 1));
        assert!(solution.roster.assignments().contains(&Assignment {
            target: c0,
            role: Role::AreaPolice,
            staff: s(7)
        }));
        assert_eq!(solution, existing.solve(&six, &pool, day(1), &targets, &c.tree));
        let balanced = existing.solve_balanced(&six, &pool, day(1), &targets, &c.tree);
        assert_eq!(balanced.roster.validate(&six, &pool, day(1), &targets, &c.tree), Ok(()));
        assert_eq!(balanced.largest_load(), 2); // one district leader for two communities
    }

    /// The index gives exactly the staff `Staff::may_hold` accepts, for every locality, role and unit
    /// (an unknown one too), from a pool homed everywhere (an unknown unit too), some away.
    #[test]
    fn the_index_finds_whom_may_hold_accepts() {
        let c = city();
        let homes = [c.tree.root(), c.community[0], c.community[1], c.yard[0], c.yard[1], c.building[0], c.building[1]];
        let homes = homes.into_iter().chain([UnitId::new(40)]);
        let sets = [
            Qualifications::only(Q::Medical),
            Qualifications::only(Q::HealthWorker).with(Q::Police),
            Qualifications::only(Q::PartySecretary).with(Q::Volunteer),
            Qualifications::only(Q::DistrictLeader),
        ];
        let pool: Vec<Staff> = homes
            .flat_map(|home| sets.map(|q| (q, home)))
            .enumerate()
            .map(|(i, (q, home))| member(q, home, 1).available((i % 5 == 0).then(|| day(2)), None).unwrap())
            .collect();
        let localities = [Locality::Anywhere, Locality::WithinTarget, Locality::HomeCovers]
            .into_iter()
            .chain((0..5).map(|l| Locality::SameAncestorAt(Level::new(l))));
        let units: Vec<UnitId> = c.tree.ids().chain([UnitId::new(40)]).collect();
        assert!(Role::ALL.iter().enumerate().all(|(i, &role)| role_index(role) == i));
        let mut index = Index::new(&pool, day(1), &c.tree);
        let mut found = 0;
        for locality in localities {
            for role in [Role::AreaDoctor, Role::HealthWorker, Role::AreaPolice, Role::BuildingHead, Role::GridWorker] {
                for &unit in &units {
                    let slot = Slot::new(role, 1, locality);
                    let list = index.candidates(&slot, unit);
                    let scan: Vec<u32> = (0..pool.len() as u32)
                        .filter(|&i| pool[i as usize].may_hold(&slot, unit, day(1), &c.tree))
                        .collect();
                    assert_eq!(index.members(list), scan, "{slot:?} at {unit:?}");
                    found += scan.len();
                }
            }
        }
        assert!(found > 100, "the cases are not all empty: {found}");
    }

    #[test]
    fn impossible_slots_say_why() {
        let c = city();
        let six = Scheme::six_cover_one(Level::new(1), Level::new(0), None).unwrap();
        let pool = six_pool(&c, 1, 1, false);
        let targets = six_targets(&c);
        let solution = Roster::new().solve(&six, &pool, day(1), &targets, &c.tree);
        let (c0, c1) = (Target::Unit(c.community[0]), Target::Unit(c.community[1]));
        let unfilled = |target, role, reason| Unfilled { target, role, missing: 1, count: 1, reason };
        // One officer of load limit 1 for two communities: which one goes without is the
        // flow's (deterministic) choice.
        let police = solution.unfilled.iter().find(|u| u.role == Role::AreaPolice).map(|u| u.target);
        assert!(police == Some(c0) || police == Some(c1), "{:?}", solution.unfilled);
        let mut expected = vec![
            unfilled(c0, Role::SectionCadre, UnfilledReason::NoEligibleStaff),
            unfilled(c1, Role::SectionCadre, UnfilledReason::NoEligibleStaff),
        ];
        let at = if police == Some(c0) { 1 } else { 2 };
        expected.insert(at, unfilled(police.unwrap_or(c0), Role::AreaPolice, UnfilledReason::AllAtLoadLimit));
        assert_eq!(solution.unfilled, expected);
        let missing: Vec<RosterProblem> = solution.roster.problems(&six, &pool, day(1), &targets, &c.tree);
        assert_eq!(
            missing,
            solution
                .unfilled
                .iter()
                .map(|u| RosterProblem::Missing { target: u.target, role: u.role, missing: u.missing, count: u.count })
                .collect::<Vec<_>>()
        );
        // Unavailable on the date: no eligible staff at all.
        let away: Vec<Staff> = pool.iter().map(|m| m.clone().available(Some(day(2)), None).unwrap()).collect();
        let none = Roster::new().solve(&six, &away, day(1), &targets, &c.tree);
        assert!(none.roster.assignments().is_empty());
        assert_eq!(none.unfilled.len(), 12);
        assert!(none.unfilled.iter().all(|u| u.reason == UnfilledReason::NoEligibleStaff));
        assert_eq!(none.largest_load(), 0);
    }

    #[test]
    fn an_overloaded_member_keeps_the_first_up_to_the_limit_and_full_slots_the_first() {
        let c = city();
        let (c0, c1) = (Target::Unit(c.community[0]), Target::Unit(c.community[1]));
        let doctor = |limit| member(Qualifications::only(Q::Medical), c.tree.root(), limit);
        let pool = vec![doctor(1), doctor(3), doctor(3), doctor(3)];
        let targets = six_targets(&c);
        let existing = Roster::from_iter([
            (c1, Role::AreaDoctor, s(0)),
            (c0, Role::AreaDoctor, s(0)), // s0 over their limit of 1: dropped
            (c0, Role::AreaDoctor, s(1)),
            (c0, Role::AreaDoctor, s(2)),
            (c0, Role::AreaDoctor, s(3)), // a third doctor for two places: dropped
        ]);
        for solution in [
            existing.solve(&scheme(), &pool, day(1), &targets, &c.tree),
            existing.solve_balanced(&scheme(), &pool, day(1), &targets, &c.tree),
        ] {
            let a = solution.roster.assignments();
            assert_eq!(
                &a[..3],
                &existing.assignments()[..1].iter().chain(&existing.assignments()[2..4]).copied().collect::<Vec<_>>()[..]
            );
            assert_eq!(a.len(), 4); // one more doctor for c1; no secretaries in the pool
            assert_eq!(a[3].target, c1);
            assert!(
                solution
                    .roster
                    .problems(&scheme(), &pool, day(1), &targets, &c.tree)
                    .iter()
                    .all(|p| matches!(p, RosterProblem::Missing { role: Role::CommunitySecretary, .. }))
            );
            assert_eq!(solution.unfilled.len(), 2);
        }
    }

    /// The scheme's load limit binds below the members' own: two doctors who could carry
    /// three each take one of the four doctors' places each under a cap of one; the other
    /// two stay open, all at their limit.
    #[test]
    fn the_schemes_load_limit_caps_every_member() {
        let c = city();
        let capped = scheme().to_builder().load_limit(Some(1)).build().unwrap();
        let doctor = || member(Qualifications::only(Q::Medical), c.tree.root(), 3);
        let pool = vec![doctor(), doctor()];
        let targets = six_targets(&c);
        for solution in [
            Roster::new().solve(&capped, &pool, day(1), &targets, &c.tree),
            Roster::new().solve_balanced(&capped, &pool, day(1), &targets, &c.tree),
        ] {
            assert_eq!(solution.roster.assignments().len(), 2);
            assert_eq!(solution.largest_load(), 1);
            let doctors: Vec<&Unfilled> = solution.unfilled.iter().filter(|u| u.role == Role::AreaDoctor).collect();
            assert_eq!(doctors.iter().map(|u| u.missing).sum::<u8>(), 2);
            assert!(doctors.iter().all(|u| u.reason == UnfilledReason::AllAtLoadLimit));
        }
        // Uncapped, the same pool fills all four places.
        assert_eq!(Roster::new().solve(&scheme(), &pool, day(1), &targets, &c.tree).roster.assignments().len(), 4);
    }

    #[derive(Debug)]
    struct Instance {
        city: City,
        pool: Vec<Staff>,
        targets: Vec<(Target, UnitId)>,
        existing: Roster,
        date: NaiveDate,
        /// The fixtures' scheme, now and then with a load limit of its own.
        scheme: Scheme,
    }

    fn arb_instance() -> impl Strategy<Value = Instance> {
        let members = (0u8..8, 0usize..8, 1u16..4, prop::option::of(1u32..4));
        let assignment = (0usize..4, 0usize..4, 0u32..7);
        (
            prop::sample::subsequence(vec![0usize, 1, 2, 3], 0..=4),
            prop::collection::vec(members, 0..=6),
            prop::collection::vec(assignment, 0..6),
            1u32..4,
            prop::option::weighted(0.3, 1u16..3),
        )
            .prop_map(|(chosen, members, assignments, date, cap)| {
                let c = city();
                let homes = c.homes();
                let all = [c.community[0], c.community[1], c.building[0], c.building[1]];
                let pool = members
                    .into_iter()
                    .map(|(mask, home, limit, from)| drawn(mask, homes[home], limit, from))
                    .collect();
                let targets = chosen.into_iter().map(|i| (Target::Unit(all[i]), all[i])).collect();
                let existing =
                    assignments.into_iter().map(|(t, r, id)| (Target::Unit(all[t]), ROLES[r], s(id))).collect();
                let scheme = scheme().to_builder().load_limit(cap).build().unwrap();
                Instance { city: c, pool, targets, existing, date: day(date), scheme }
            })
    }

    impl Instance {
        fn problems(&self, roster: &Roster) -> Vec<RosterProblem> {
            roster.problems(&self.scheme, &self.pool, self.date, &self.targets, &self.city.tree)
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

        /// The existing assignments that must be kept, by the rule stated on `Roster::solve`.
        fn expected_kept(&self) -> Vec<Assignment> {
            let mut kept: Vec<Assignment> = Vec::new();
            for &a in self.existing.assignments() {
                let count = self.scheme.slot(a.role).map_or(0, |(_, s)| usize::from(s.count()));
                let in_slot = kept.iter().filter(|k| k.target == a.target && k.role == a.role).count();
                let load = kept.iter().filter(|k| k.staff == a.staff).count();
                if self.alone_ok(a) && !kept.contains(&a) && in_slot < count && load < self.limit(a.staff) {
                    kept.push(a);
                }
            }
            kept
        }

        /// By brute force over every completion of `kept`: the most holders added, then the
        /// least largest load among the completions adding that many; and how many were missing.
        fn brute_force(&self, kept: &[Assignment]) -> (usize, usize, usize) {
            // The slots to fill: the Missing problems of the kept roster.
            let base = Roster::from_iter(kept.iter().map(|a| (a.target, a.role, a.staff)));
            let mut groups: Vec<(Vec<usize>, usize)> = Vec::new();
            for p in self.problems(&base) {
                if let RosterProblem::Missing { target, role, missing, .. } = p {
                    let candidates: Vec<usize> = (0..self.pool.len())
                        .filter(|&i| {
                            let a = Assignment { target, role, staff: s(i as u32) };
                            !kept.contains(&a) && self.alone_ok(a)
                        })
                        .collect();
                    groups.push((candidates, usize::from(missing)));
                }
            }
            let mut load: Vec<usize> =
                (0..self.pool.len()).map(|i| kept.iter().filter(|k| k.staff == s(i as u32)).count()).collect();
            let limits: Vec<usize> = (0..self.pool.len()).map(|i| self.limit(s(i as u32))).collect();
            let mut best = (0, usize::MAX);
            let first = groups.first().map_or(0, |g| g.1);
            search(&groups, 0, 0, first, &mut load, &limits, 0, &mut best);
            (best.0, best.1, groups.iter().map(|g| g.1).sum())
        }
    }

    /// Every way to pick, for each group, up to its missing count of its candidates (in
    /// increasing order) within the load limits; `best` the most added, then the least
    /// largest load.
    #[allow(clippy::too_many_arguments)]
    fn search(
        groups: &[(Vec<usize>, usize)],
        g: usize,
        from: usize,
        left: usize,
        load: &mut [usize],
        limits: &[usize],
        added: usize,
        best: &mut (usize, usize),
    ) {
        let Some((candidates, _)) = groups.get(g) else {
            let largest = load.iter().copied().max().unwrap_or(0);
            if added > best.0 || (added == best.0 && largest < best.1) {
                *best = (added, largest);
            }
            return;
        };
        let next = groups.get(g + 1).map_or(0, |n| n.1);
        search(groups, g + 1, 0, next, load, limits, added, best);
        if left == 0 {
            return;
        }
        for (k, &i) in candidates.iter().enumerate().skip(from) {
            if load[i] < limits[i] {
                load[i] += 1;
                search(groups, g, k + 1, left - 1, load, limits, added + 1, best);
                load[i] -= 1;
            }
        }
    }

    /// The checks every solution must pass; the number of holders it added.
    fn check(inst: &Instance, solution: &Solution, kept: &[Assignment]) -> Result<usize, TestCaseError> {
        // No problems but the Missing of the unfilled slots, in the same order.
        let problems = inst.problems(&solution.roster);
        let missing: Vec<RosterProblem> = solution
            .unfilled
            .iter()
            .map(|u| RosterProblem::Missing { target: u.target, role: u.role, missing: u.missing, count: u.count })
            .collect();
        prop_assert_eq!(&problems, &missing);
        // The valid existing assignments come first, unmoved.
        let out = solution.roster.assignments();
        prop_assert!(out.len() >= kept.len());
        prop_assert_eq!(&out[..kept.len()], kept);
        // Each reason holds.
        for u in &solution.unfilled {
            let could: Vec<StaffId> = (0..inst.pool.len())
                .map(|i| s(i as u32))
                .filter(|&id| {
                    let a = Assignment { target: u.target, role: u.role, staff: id };
                    !out.contains(&a) && inst.alone_ok(a)
                })
                .collect();
            if could.is_empty() {
                prop_assert_eq!(u.reason, UnfilledReason::NoEligibleStaff);
            } else {
                prop_assert_eq!(u.reason, UnfilledReason::AllAtLoadLimit);
                for id in could {
                    prop_assert_eq!(solution.roster.load(id), inst.limit(id));
                }
            }
        }
        Ok(out.len() - kept.len())
    }

    /// A crowd of persons, many at one unit, whose slots fall into classes: 2+3 with a pair of
    /// health workers, a grid worker (both covering the person's home, from staff homed at
    /// several levels) and a police officer from anywhere; some already held.
    fn arb_crowd() -> impl Strategy<Value = Instance> {
        let quals = [Q::GridWorker, Q::HealthWorker, Q::Police, Q::Medical];
        let members = (1u8..16, 0usize..8, 1u16..5, prop::option::weighted(0.2, 2u32..4));
        let persons = prop::collection::vec(0usize..7, 0..24);
        let roles = [Role::GridWorker, Role::HealthWorker, Role::AreaPolice];
        let assignment = (0usize..24, 0usize..3, 0u32..12);
        (
            prop::collection::vec(members, 0..12),
            persons,
            prop::collection::vec(assignment, 0..10),
            1u32..4,
            prop::option::weighted(0.3, 1u16..4),
        )
            .prop_map(move |(members, persons, assignments, date, cap)| {
                let c = city();
                let homes = c.homes();
                let pool = members
                    .into_iter()
                    .map(|(mask, home, limit, from)| {
                        let q = (quals.iter().enumerate())
                            .filter(|(i, _)| mask & (1 << i) != 0)
                            .fold(Qualifications::EMPTY, |q, (_, &one)| q.with(one));
                        member(q, homes[home], limit).available(from.map(day), None).unwrap()
                    })
                    .collect();
                let targets: Vec<(Target, UnitId)> = (persons.iter().enumerate())
                    .map(|(i, &home)| (Target::Person(crate::PersonId::new(i as u32)), homes[home]))
                    .collect();
                let existing = (assignments.into_iter())
                    .filter_map(|(t, r, id)| targets.get(t).map(|&(target, _)| (target, roles[r], s(id))))
                    .collect();
                let scheme = Scheme::builder(
                    "crowd",
                    vec![crate::duty::Rule::new(
                        crate::duty::TargetSelector::PersonsIn(vec![crate::colour::State::CloseContact]),
                        vec![
                            Slot::new(Role::GridWorker, 1, Locality::HomeCovers),
                            Slot::new(Role::HealthWorker, 2, Locality::HomeCovers),
                            Slot::new(Role::AreaPolice, 1, Locality::Anywhere),
                        ],
                    )],
                )
                .load_limit(cap)
                .build()
                .unwrap();
                Instance { city: c, pool, targets, existing, date: day(date), scheme }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The network of classes fills as many holders as the network of one node a slot (the
        /// solver's first), with the same smallest largest load when balanced, and both
        /// solutions pass every check.
        #[test]
        fn classes_of_slots_fill_as_many_as_one_node_a_slot(inst in arb_crowd()) {
            let (scheme, pool, date, targets, tree) = (&inst.scheme, &inst.pool, inst.date, &inst.targets, &inst.city.tree);
            let kept = inst.expected_kept();
            let classes = inst.existing.solve_with(scheme, pool, date, targets, tree, Grouping::Classes);
            let slots = inst.existing.solve_with(scheme, pool, date, targets, tree, Grouping::Slots);
            prop_assert_eq!(check(&inst, &classes, &kept)?, check(&inst, &slots, &kept)?);
            prop_assert_eq!(&classes, &inst.existing.solve(scheme, pool, date, targets, tree));
            let classes = inst.existing.solve_balanced_with(scheme, pool, date, targets, tree, Grouping::Classes);
            let slots = inst.existing.solve_balanced_with(scheme, pool, date, targets, tree, Grouping::Slots);
            prop_assert_eq!(check(&inst, &classes, &kept)?, check(&inst, &slots, &kept)?);
            prop_assert_eq!(classes.largest_load(), slots.largest_load());
        }

        #[test]
        fn the_solver_is_maximal_balanced_valid_and_deterministic(inst in arb_instance()) {
            let tree = &inst.city.tree;
            let kept = inst.expected_kept();
            let (most, least_largest, was_missing) = inst.brute_force(&kept);

            let plain = inst.existing.solve(&inst.scheme, &inst.pool, inst.date, &inst.targets, tree);
            let added = check(&inst, &plain, &kept)?;
            prop_assert_eq!(added, most);
            let unfilled: usize = plain.unfilled.iter().map(|u| usize::from(u.missing)).sum();
            prop_assert_eq!(added + unfilled, was_missing);
            if most == was_missing {
                prop_assert!(plain.is_complete());
            }
            prop_assert_eq!(&plain, &inst.existing.solve(&inst.scheme, &inst.pool, inst.date, &inst.targets, tree));

            let balanced = inst.existing.solve_balanced(&inst.scheme, &inst.pool, inst.date, &inst.targets, tree);
            prop_assert_eq!(check(&inst, &balanced, &kept)?, most);
            prop_assert_eq!(balanced.largest_load(), least_largest);
            prop_assert!(balanced.largest_load() <= plain.largest_load());
            prop_assert_eq!(
                &balanced,
                &inst.existing.solve_balanced(&inst.scheme, &inst.pool, inst.date, &inst.targets, tree)
            );
        }
    }
}
