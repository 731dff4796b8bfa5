//! The audit 纵向稽核: every invariant of a registry rechecked from scratch.
//!
//! [`Registry::audit`] reads the whole registry and recomputes what commands keep live (the
//! tree's shape, each household at an open unit, every colour and tally, the case indexes, the
//! rosters) and reports each difference as a [`Finding`]. Nothing calls it on the hot path:
//! loading a snapshot runs it before handing the registry out, tests run it after every
//! step, and a host may run it at night.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;
use serde::{Deserialize, Serialize};

use super::Registry;
use crate::colour::{Colour, Tally};
use crate::{CellId, HouseholdId, UnitId};

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
    /// A household's stored colour differs from a classification of its members by the rule
    /// in force.
    Colour {
        /// The household.
        household: HouseholdId,
        /// The colour stored.
        stored: Colour,
        /// The colour expected.
        expected: Colour,
    },
    /// A unit's stored tally differs from a recount, or from its own households plus the sum
    /// of its children's tallies.
    Tally {
        /// The unit.
        unit: UnitId,
        /// The tally stored.
        stored: Box<Tally>,
        /// The tally expected.
        expected: Box<Tally>,
    },
    /// A cell's stored tally differs from the sum of its units' tallies.
    CellTally {
        /// The cell.
        cell: CellId,
        /// The tally stored.
        stored: Box<Tally>,
        /// The tally expected.
        expected: Box<Tally>,
    },
    /// A table has the wrong number of rows.
    Table {
        /// What is wrong.
        problem: String,
    },
    /// An isolation case names what does not exist, its person's state does not follow it, or
    /// the case indexes differ from a rebuild.
    Case {
        /// What is wrong.
        problem: String,
    },
    /// A roster names a staff member or target that does not exist, repeats an assignment,
    /// overfills a slot or overloads a staff member, or the loads differ from a recount.
    Duty {
        /// What is wrong.
        problem: String,
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
            Finding::Colour { household, stored, expected } => {
                write!(f, "household {household} is coloured {stored}, its members make it {expected}")
            }
            Finding::Tally { unit, stored, expected } => {
                write!(f, "tally of {unit}: stored {}, expected {}", json(stored), json(expected))
            }
            Finding::CellTally { cell, stored, expected } => {
                write!(f, "tally of cell {cell}: stored {}, expected {}", json(stored), json(expected))
            }
            Finding::Table { problem } => f.write_str(problem),
            Finding::Case { problem } => write!(f, "case: {problem}"),
            Finding::Duty { problem } => write!(f, "responsibility: {problem}"),
        }
    }
}

/// A tally in one line, for findings.
fn json(t: &Tally) -> String {
    format!("{} households, {} persons", t.total_households(), t.total_persons())
}

impl Registry {
    /// Recheck every invariant from scratch and return each violation found (纵向稽核): the
    /// tree's shape (one root, one parent each, levels deepening, no cycle, checked
    /// independently with petgraph), overlays without overlaps, one person one file, every
    /// household at an open unit that can hold it, every household's colour equal to a fresh
    /// classification of its members, and per-unit tallies equal to a brute-force recount,
    /// each parent's equal to its own households plus the sum of its children's, each cell's
    /// equal to the sum of its units'.
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

        let tables = [
            ("count", self.tallies.len(), n),
            ("state", self.states.len(), self.population.person_count()),
            ("colour", self.colours.len(), self.population.household_count()),
            ("cell tally", self.cell_tallies.len(), self.overlays.cell_count()),
            ("household list", self.population.unit_slots(), n),
        ];
        let mut short = false;
        for (what, rows, expected) in tables {
            if rows != expected {
                found.push(Finding::Table { problem: format!("{rows} {what} rows for {expected}") });
                short = true;
            }
        }
        if short {
            return found; // the checks below index the tables
        }

        for (household, expected) in self.classify_all().into_iter().enumerate() {
            let household = HouseholdId::new(household as u32);
            let stored = self.colours[household.index()];
            if stored != expected {
                found.push(Finding::Colour { household, stored, expected });
            }
        }
        let recount = self.roll_up();
        for unit in self.tree.ids() {
            let stored = &self.tallies[unit.index()];
            let expected = &recount[unit.index()];
            if stored != expected {
                found.push(Finding::Tally {
                    unit,
                    stored: Box::new(stored.clone()),
                    expected: Box::new(expected.clone()),
                });
                continue;
            }
            let own = self.population.households_at(unit).iter().map(|&h| self.household_tally(h));
            let children = self.tree.children(unit).unwrap_or(&[]).iter().map(|c| self.tallies[c.index()].clone());
            let summed: Tally = own.chain(children).sum();
            if summed != *stored {
                found.push(Finding::Tally { unit, stored: Box::new(stored.clone()), expected: Box::new(summed) });
            }
        }
        let (_, cells) = self.tallies_from_scratch();
        for (i, expected) in cells.into_iter().enumerate() {
            let cell = CellId::new(i as u32);
            let stored = &self.cell_tallies[i];
            if *stored != expected {
                found.push(Finding::CellTally { cell, stored: Box::new(stored.clone()), expected: Box::new(expected) });
            }
        }
        found.extend(self.case_problems().into_iter().map(|problem| Finding::Case { problem }));
        found.extend(self.duty_problems().into_iter().map(|problem| Finding::Duty { problem }));
        found
    }
}
