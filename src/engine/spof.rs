//! Single points of failure (SPEC §4): for each function f, every node x ≠ f
//! whose loss alone takes f down.
//!
//! Not one full propagation per node: each candidate x is evaluated against
//! the shared [`Baseline`] with `down_only`, so its cost is the part of the
//! graph whose down/support state x changes — a member absorbed by an `any`
//! or a quorum stops at its owner. Cyclic components on the way are
//! re-solved as a whole (grounded support, SPEC §3.1), nothing else is.
//! Candidates are limited to the nodes the asked functions depend on
//! (transitively, through `requires`): nothing else can take them down.
//! Total cost: Σ over candidates of what each one's failure reaches.

use rayon::prelude::*;

use super::incremental::{Baseline, Scratch};
use crate::graph::{Graph, NodeIx};
use crate::model::Status;

/// A function and its single points of failure, sorted by id. Empty for a
/// function that is down with nothing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpofs {
    pub function: NodeIx,
    pub spofs: Vec<NodeIx>,
}

/// Computes the single points of failure of `functions` (in the order
/// given). Parallel; the result does not depend on the number of threads.
/// `progress` is called with the number of candidates done since its last
/// call.
pub fn spof(
    baseline: &Baseline,
    functions: &[NodeIx],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<FunctionSpofs> {
    let graph = baseline.graph();
    let mut asked = vec![false; graph.len()];
    for &f in functions {
        if baseline.status(f) != Status::Down {
            asked[f as usize] = true;
        }
    }
    let candidates = dependencies_of(graph, functions);
    let mut pairs: Vec<(NodeIx, NodeIx)> = candidates
        .par_chunks(256)
        .map_init(
            || baseline.scratch(),
            |scratch, chunk| {
                let mut found = Vec::new();
                for &x in chunk {
                    for (n, s) in baseline.evaluate(scratch, &[x], &[], true) {
                        if s == Status::Down && n != x && asked[n as usize] {
                            found.push((n, x));
                        }
                    }
                }
                progress(chunk.len() as u64);
                found
            },
        )
        .flatten()
        .collect();
    pairs.par_sort_unstable();
    functions
        .iter()
        .map(|&f| {
            let start = pairs.partition_point(|p| p.0 < f);
            let end = pairs.partition_point(|p| p.0 <= f);
            FunctionSpofs {
                function: f,
                spofs: pairs[start..end].iter().map(|p| p.1).collect(),
            }
        })
        .collect()
}

/// Every node some function of `functions` reaches through `requires`
/// members (the functions included), in id order.
fn dependencies_of(graph: &Graph, functions: &[NodeIx]) -> Vec<NodeIx> {
    let mut seen = vec![false; graph.len()];
    let mut stack: Vec<NodeIx> = Vec::new();
    for &f in functions {
        if !seen[f as usize] {
            seen[f as usize] = true;
            stack.push(f);
        }
    }
    while let Some(x) = stack.pop() {
        for e in graph.requires(x) {
            for &m in graph.members(e) {
                if !seen[m as usize] {
                    seen[m as usize] = true;
                    stack.push(m);
                }
            }
        }
    }
    (0..graph.len() as NodeIx)
        .filter(|&n| seen[n as usize])
        .collect()
}

/// The path (SPEC §3.4) from `f` to `x` when `x` alone fails: the chain a
/// report shows for a single point of failure. Evaluated against the
/// baseline, so it costs what `x`'s failure reaches.
pub fn path_to(baseline: &Baseline, scratch: &mut Scratch, f: NodeIx, x: NodeIx) -> Vec<NodeIx> {
    super::explain::Explainer::new(baseline, scratch, &[x])
        .explain(f)
        .1
}
