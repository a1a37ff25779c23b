//! Explaining a down node (SPEC §3.3, §3.4): its causes and its path, over
//! any scenario's "steps" (owner → down member of an unsatisfied `requires`
//! entry). Shared by `analyze` (a full evaluation) and `check`/`spof`
//! (evaluations from the baseline), which only differ in how they know what
//! is down.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::graph::NodeIx;

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
    let mut parent: FxHashMap<NodeIx, NodeIx> = FxHashMap::default();
    parent.insert(n, n);
    let mut queue = VecDeque::from([n]);
    while let Some(x) = queue.pop_front() {
        if stop(x) {
            let mut chain = vec![x];
            let mut y = x;
            while parent[&y] != y {
                y = parent[&y];
                chain.push(y);
            }
            chain.reverse();
            return chain;
        }
        for m in steps(x) {
            if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(m) {
                v.insert(x);
                queue.push_back(m);
            }
        }
    }
    Vec::new()
}
