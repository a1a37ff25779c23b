//! Explaining a down node (SPEC §3.3, §3.4): its causes and its path, over
//! any scenario's "steps" (owner → down member of an unsatisfied `requires`
//! entry). Shared by `analyze` (a full evaluation) and `check`/`spof`
//! (evaluations from the baseline), which only differ in how they know what
//! is down.

use std::collections::VecDeque;
use std::ops::ControlFlow;

use rustc_hash::{FxHashMap, FxHashSet};

use super::entry::{count_alive, down_steps};
use super::incremental::{Baseline, Scratch};
use crate::graph::NodeIx;
use crate::model::Status;

/// The directly-down nodes reachable from `n` along `steps`, not passing
/// through another directly-down node; sorted by id. `n` itself must not be
/// directly down (its causes are then `{n}`). O(size of its down cone).
pub fn causes_from(
    n: NodeIx,
    directly_down: impl Fn(NodeIx) -> bool,
    steps: impl Fn(NodeIx) -> Vec<NodeIx>,
) -> Vec<NodeIx> {
    let mut seen: FxHashSet<NodeIx> = FxHashSet::default();
    seen.insert(n);
    let mut stack = vec![n];
    let mut causes = Vec::new();
    while let Some(x) = stack.pop() {
        for m in steps(x) {
            if !seen.insert(m) {
                continue;
            }
            if directly_down(m) {
                causes.push(m);
            } else {
                stack.push(m);
            }
        }
    }
    causes.sort_unstable();
    causes
}

/// The shortest chain from `n` to a node where `stop` holds, smallest in
/// id order among the shortest: a breadth-first search visiting `steps` in
/// ascending order (`steps` must return them sorted), stopping at the first
/// node it dequeues where `stop` holds. Empty when there is none.
pub fn shortest_chain(
    n: NodeIx,
    stop: impl Fn(NodeIx) -> bool,
    steps: impl Fn(NodeIx) -> Vec<NodeIx>,
) -> Vec<NodeIx> {
    let mut found = Vec::new();
    breadth_first(n, steps, |x, chain| {
        if stop(x) {
            found = chain();
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    found
}

/// Calls `visit` once for every node reachable from `n` along `steps`
/// (`n` included), with a function that builds its shortest chain from `n`
/// (smallest in id order among the shortest, as [`shortest_chain`]); nodes
/// come in breadth-first order. `steps` must return its nodes sorted.
/// O(nodes reached + steps taken), plus the length of each chain built.
pub fn for_each_shortest_chain(
    n: NodeIx,
    steps: impl Fn(NodeIx) -> Vec<NodeIx>,
    mut visit: impl FnMut(NodeIx, &dyn Fn() -> Vec<NodeIx>),
) {
    breadth_first(n, steps, |x, chain| {
        visit(x, chain);
        ControlFlow::Continue(())
    });
}

/// The one breadth-first search behind [`shortest_chain`] and
/// [`for_each_shortest_chain`]: a node's parent is the first node that
/// reached it, so with sorted `steps` its chain is the smallest in id order
/// among its shortest. `visit` may stop the search.
fn breadth_first(
    n: NodeIx,
    steps: impl Fn(NodeIx) -> Vec<NodeIx>,
    mut visit: impl FnMut(NodeIx, &dyn Fn() -> Vec<NodeIx>) -> ControlFlow<()>,
) {
    let mut parent: FxHashMap<NodeIx, NodeIx> = FxHashMap::default();
    parent.insert(n, n);
    let mut queue = VecDeque::from([n]);
    while let Some(x) = queue.pop_front() {
        let chain = || {
            let mut chain = vec![x];
            let mut y = x;
            while parent[&y] != y {
                y = parent[&y];
                chain.push(y);
            }
            chain.reverse();
            chain
        };
        if visit(x, &chain).is_break() {
            return;
        }
        for m in steps(x) {
            if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(m) {
                v.insert(x);
                queue.push_back(m);
            }
        }
    }
}

/// Every node that is down when `direct` fails (baseline-down nodes too),
/// in id order.
pub(crate) fn down_under(
    baseline: &Baseline,
    scratch: &mut Scratch,
    direct: &[NodeIx],
) -> Vec<NodeIx> {
    if baseline.prefers_full(direct.len()) {
        return baseline.full_state(direct, &[], true).down_nodes();
    }
    let changes = baseline.evaluate(scratch, direct, &[], true);
    let mut down: Vec<NodeIx> = changes
        .into_iter()
        .filter(|(_, s)| *s == Status::Down)
        .map(|(n, _)| n)
        .collect();
    down.extend_from_slice(baseline.down_with_nothing_failed());
    down.sort_unstable();
    down.dedup();
    down
}

/// A set of nodes asked "is `n` in it?" many times: hashed when it is a
/// small part of the estate, a flag per node when it is large (a region's
/// down set is a fifth of the estate, and hashing it cost more than
/// explaining every function under it).
enum NodeSet {
    Few(FxHashSet<NodeIx>),
    Many(Vec<bool>),
}

impl NodeSet {
    fn new(nodes: &[NodeIx], estate: usize) -> Self {
        if nodes.len() * 64 > estate {
            let mut flags = vec![false; estate];
            for &n in nodes {
                flags[n as usize] = true;
            }
            NodeSet::Many(flags)
        } else {
            NodeSet::Few(nodes.iter().copied().collect())
        }
    }

    #[inline]
    fn contains(&self, n: NodeIx) -> bool {
        match self {
            NodeSet::Few(set) => set.contains(&n),
            NodeSet::Many(flags) => flags[n as usize],
        }
    }
}

/// Explains why functions are down under one scenario: its down set and
/// directly-down set, computed once for every function asked about.
pub struct Explainer<'b, 'g> {
    baseline: &'b Baseline<'g>,
    down: NodeSet,
    direct: NodeSet,
}

impl<'b, 'g> Explainer<'b, 'g> {
    /// Evaluates the scenario that fails `direct` (down statuses only).
    pub fn new(baseline: &'b Baseline<'g>, scratch: &mut Scratch, direct: &[NodeIx]) -> Self {
        let estate = baseline.graph().len();
        Explainer {
            baseline,
            down: NodeSet::new(&down_under(baseline, scratch, direct), estate),
            direct: NodeSet::new(direct, estate),
        }
    }

    /// Whether `n` is down in the scenario.
    pub fn is_down(&self, n: NodeIx) -> bool {
        self.down.contains(n)
    }

    /// Causes (SPEC §3.3) and path (§3.4) of `f`; empty when `f` is up.
    pub fn explain(&self, f: NodeIx) -> (Vec<NodeIx>, Vec<NodeIx>) {
        if !self.is_down(f) {
            return (Vec::new(), Vec::new());
        }
        if self.direct.contains(f) {
            return (vec![f], vec![f]);
        }
        let direct = |x: NodeIx| self.direct.contains(x);
        (
            causes_from(f, direct, |y| self.steps(y)),
            shortest_chain(f, direct, |y| self.steps(y)),
        )
    }

    /// Down members of the unsatisfied `requires` entries of `y`, ascending.
    fn steps(&self, y: NodeIx) -> Vec<NodeIx> {
        let graph = self.baseline.graph();
        let alive = |m: NodeIx| !self.is_down(m);
        down_steps(
            graph,
            y,
            |e| count_alive(graph, e, alive),
            |m| self.is_down(m),
        )
    }
}
