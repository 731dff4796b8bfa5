//! A maximum flow (Dinic's algorithm, with current-arc pointers) on a petgraph graph whose
//! edge weights are capacities: what the solver runs on each part of its network.
//!
//! petgraph's own `dinics` restarts its depth-first search, and allocates a vector the size of
//! the graph, for every augmenting path: O(paths × nodes) in all, which made a 2+3 network of
//! 40,000 persons and 40,000 staff take seconds. Here each phase keeps, for every node, the
//! first arc not yet known to lead nowhere, so a phase costs O(arcs + paths × depth), and the
//! solver's networks (source → demands → staff → sink, depth 3) take a handful of phases.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

/// The value of a maximum flow from `source` to `sink` in `graph` (edge weights are
/// capacities), and the flow on each edge, by edge index.
///
/// Deterministic: arcs are tried in the order petgraph walks them. A `source` or `sink`
/// not in the graph, or equal, gives no flow.
///
/// # Complexity
/// O(nodes × arcs) per phase at worst, O(arcs + paths × depth) on layered networks such as
/// the solver's; at most O(nodes) phases.
pub(crate) fn max_flow(graph: &DiGraph<(), u32>, source: NodeIndex, sink: NodeIndex) -> (u32, Vec<u32>) {
    let (n, m) = (graph.node_count(), graph.edge_count());
    let (s, t) = (source.index(), sink.index());
    if s >= n || t >= n || s == t {
        return (0, vec![0; m]);
    }
    // Arc 2e is edge e forward (its capacity), arc 2e + 1 backward (its flow); `to` is each
    // arc's head, `left` its residual capacity.
    let mut to = vec![0usize; 2 * m];
    let mut left = vec![0u32; 2 * m];
    let mut degree = vec![0usize; n + 1];
    for e in graph.edge_references() {
        let (a, b, i) = (e.source().index(), e.target().index(), e.id().index());
        // Indices below `node_count` and `edge_count`: a graph numbers them densely.
        to[2 * i] = b;
        to[2 * i + 1] = a;
        left[2 * i] = *e.weight();
        degree[a] += 1;
        degree[b] += 1;
    }
    // The arcs out of each node, `arcs[start[v]..start[v + 1]]`, in the order petgraph walks
    // a node's edges (its outgoing edges, newest first, then its incoming ones, newest
    // first), so that the flow chosen among equal ones stays the one petgraph's `dinics` chose
    // wherever their searches agree.
    let mut start = vec![0usize; n + 1];
    for v in 0..n {
        start[v + 1] = start[v] + degree[v];
    }
    let mut fill = start.clone();
    let mut arcs = vec![0usize; 2 * m];
    for backward in [0, 1] {
        for i in (0..m).rev() {
            let arc = 2 * i + backward;
            // The tail of an arc is the head of its twin.
            let tail = to[arc ^ 1];
            arcs[fill[tail]] = arc;
            fill[tail] += 1;
        }
    }

    let mut total = 0u32;
    let mut level = vec![usize::MAX; n];
    let mut queue = Vec::with_capacity(n);
    let mut current = vec![0usize; n];
    let mut path: Vec<usize> = Vec::new();
    loop {
        // Levels by breadth-first search over arcs with residual capacity.
        level.fill(usize::MAX);
        level[s] = 0;
        queue.clear();
        queue.push(s);
        let mut head = 0;
        while let Some(&v) = queue.get(head) {
            head += 1;
            for &arc in &arcs[start[v]..start[v + 1]] {
                let w = to[arc];
                if left[arc] > 0 && level[w] == usize::MAX {
                    level[w] = level[v] + 1;
                    queue.push(w);
                }
            }
        }
        if level[t] == usize::MAX {
            break;
        }
        // A blocking flow: advance along the current arcs, augment at the sink, retreat from
        // dead ends (moving the current arc of the node before them past the arc taken).
        current.copy_from_slice(&start[..n]);
        path.clear();
        let mut v = s;
        loop {
            if v == t {
                let pushed = path.iter().map(|&arc| left[arc]).min().unwrap_or(0);
                for &arc in &path {
                    left[arc] -= pushed;
                    left[arc ^ 1] += pushed;
                }
                total = total.saturating_add(pushed);
                path.clear();
                v = s;
                continue;
            }
            let mut next = None;
            while current[v] < start[v + 1] {
                let arc = arcs[current[v]];
                let w = to[arc];
                if left[arc] > 0 && level[w] == level[v] + 1 {
                    next = Some(arc);
                    break;
                }
                current[v] += 1;
            }
            match next {
                Some(arc) => {
                    path.push(arc);
                    v = to[arc];
                }
                None => {
                    // A dead end: no path to the sink through `v` in this phase.
                    level[v] = usize::MAX;
                    match path.pop() {
                        Some(arc) => {
                            v = to[arc ^ 1];
                            current[v] += 1;
                        }
                        None => break,
                    }
                }
            }
        }
    }
    let flows = (0..m).map(|i| left[2 * i + 1]).collect();
    (total, flows)
}

#[cfg(test)]
mod tests {
    use petgraph::algo::dinics;
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The same value as petgraph's Dinic, and a flow: within capacities, conserved at
        /// every node but the source and sink.
        #[test]
        fn a_maximum_flow_as_petgraphs(
            nodes in 2usize..9,
            edges in prop::collection::vec((0usize..9, 0usize..9, 0u32..5), 0..30),
        ) {
            let mut graph = DiGraph::<(), u32>::new();
            let ids: Vec<NodeIndex> = (0..nodes).map(|_| graph.add_node(())).collect();
            for (a, b, c) in edges {
                graph.add_edge(ids[a % nodes], ids[b % nodes], c);
            }
            let (source, sink) = (ids[0], ids[nodes - 1]);
            let (value, flows) = max_flow(&graph, source, sink);
            prop_assert_eq!(value, dinics(&graph, source, sink).0);
            let mut net = vec![0i64; nodes];
            for e in graph.edge_references() {
                let f = flows[e.id().index()];
                prop_assert!(f <= *e.weight());
                net[e.source().index()] -= i64::from(f);
                net[e.target().index()] += i64::from(f);
            }
            for (v, &balance) in net.iter().enumerate() {
                if v == source.index() {
                    prop_assert_eq!(balance, -i64::from(value));
                } else if v == sink.index() {
                    prop_assert_eq!(balance, i64::from(value));
                } else {
                    prop_assert_eq!(balance, 0);
                }
            }
        }
    }
}
