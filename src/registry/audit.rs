//! The audit 纵向稽核: every invariant of a registry rechecked from scratch.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;
use serde::{Deserialize, Serialize};

use super::{Counts, Registry};
use crate::{HouseholdId, UnitId};

/// One invariant violation found by [`Registry::audit`]. A registry built only through
/// commands and events has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Finding {
    /// The tree's shape or its derived tables are wrong at a unit.
    Tree {
        /// The unit.
        unit: UnitId,
        /// What is wrong.
        problem: String,
    },
    /// An overlay's cells overlap or its index is wrong.
    Overlay {
        /// What is wrong.
        problem: String,
    },
    /// One person one file, or the household/member links, are broken.
    Population {
        /// What is wrong.
        problem: String,
    },
    /// A household sits at a unit that cannot hold it (missing, closed, an entrance ...).
    Placement {
        /// The household.
        household: HouseholdId,
        /// Its unit.
        unit: UnitId,
    },
    /// A unit's stored counts differ from a recount, or from its own households plus the sum
    /// of its children's counts.
    Counts {
        /// The unit.
        unit: UnitId,
        /// The counts stored.
        stored: Counts,
        /// The counts expected.
        expected: Counts,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finding::Tree { unit, problem } => write!(f, "tree at {unit}: {problem}"),
            Finding::Overlay { problem } => write!(f, "overlay: {problem}"),
            Finding::Population { problem } => write!(f, "population: {problem}"),
            Finding::Placement { household, unit } => {
                write!(f, "household {household} sits at {unit}, which cannot hold it")
            }
            Finding::Counts { unit, stored, expected } => write!(
                f,
                "counts of {unit}: stored {} households / {} persons, expected {} / {}",
                stored.households, stored.persons, expected.households, expected.persons
            ),
        }
    }
}

impl Registry {
    /// Recheck every invariant from scratch and return each violation found (纵向稽核): the
    /// tree's shape (one root, one parent each, levels deepening, no cycle, checked
    /// independently with petgraph), overlays without overlaps, one person one file, every
    /// household at an open unit that can hold it, and per-unit counts equal to a brute-force
    /// recount, each parent's equal to its own households plus the sum of its children's.
    ///
    /// Empty for every registry built through commands, events or a snapshot.
    ///
    /// # Complexity
    /// O(units × levels + households × levels + persons), plus O(k²) per overlay naming k
    /// units. Meant for tests, audits and loading, not for every command.
    pub fn audit(&self) -> Vec<Finding> {
        let mut found: Vec<Finding> =
            self.tree.self_check().into_iter().map(|(unit, problem)| Finding::Tree { unit, problem }).collect();

        // An independent look at the shape: petgraph over the parent pointers alone.
        let n = self.tree.len();
        let mut graph: DiGraph<(), ()> = DiGraph::with_capacity(n, n.saturating_sub(1));
        let nodes: Vec<NodeIndex> = (0..n).map(|_| graph.add_node(())).collect();
        for (p, c) in self.tree.parent_links() {
            graph.add_edge(nodes[p.index()], nodes[c.index()], ());
        }
        if petgraph::algo::is_cyclic_directed(&graph) {
            found.push(Finding::Tree { unit: self.root(), problem: "the parent links form a cycle".to_owned() });
        }
        let mut dfs = Dfs::new(&graph, nodes[0]);
        let mut reached = 0usize;
        while dfs.next(&graph).is_some() {
            reached += 1;
        }
        if reached != n {
            found.push(Finding::Tree {
                unit: self.root(),
                problem: format!("only {reached} of {n} units hang under the root"),
            });
        }

        found.extend(self.overlays.self_check(&self.tree).into_iter().map(|problem| Finding::Overlay { problem }));
        found.extend(self.population.self_check().into_iter().map(|problem| Finding::Population { problem }));
        for (household, h) in self.population.households() {
            if self.tree.check_holds_households(h.unit()).is_err() {
                found.push(Finding::Placement { household, unit: h.unit() });
            }
        }

        let recount = Self::recount(&self.tree, &self.population);
        for unit in self.tree.ids() {
            let stored = self.counts.get(unit.index()).copied().unwrap_or_default();
            let expected = recount[unit.index()];
            if stored != expected {
                found.push(Finding::Counts { unit, stored, expected });
                continue;
            }
            let own = self.population.households_at(unit).iter().map(|&h| Counts {
                households: 1,
                persons: self.population.household(h).map_or(0, |h| h.members().len() as u64),
            });
            let children = self
                .tree
                .children(unit)
                .unwrap_or(&[])
                .iter()
                .map(|c| self.counts.get(c.index()).copied().unwrap_or_default());
            let summed: Counts = own.chain(children).sum();
            if summed != stored {
                found.push(Finding::Counts { unit, stored, expected: summed });
            }
        }
        if self.population.unit_slots() != n {
            found.push(Finding::Population {
                problem: format!("household lists for {} units in a tree of {n}", self.population.unit_slots()),
            });
        }
        if self.counts.len() != n {
            found.push(Finding::Tree {
                unit: self.root(),
                problem: format!("{} count rows for {n} units", self.counts.len()),
            });
        }
        found
    }
}
