//! A strongly connected component of the `requires` graph with a cycle,
//! solved as a whole (SPEC §3.1, §3.2): support as a least fixed point
//! inside it, the down closure, degradation spreading inside it. Members
//! outside the component are taken as the caller knows them, so the
//! incremental engine (a component a failure reaches) and the one-pass
//! full evaluation (every component in order) share these rules.

use super::entry::{count_alive, satisfied_by, weight};
use super::status::NOT_COUNTED;
use crate::graph::{EntryIx, Graph, NodeIx};
use crate::model::Status;

/// The least fixed point of support inside one component with a cycle:
/// which of `nodes` are supported, given whether each member outside the
/// component is (`supported_outside`) and which nodes are excluded
/// (directly down). O(size of the component's entries and member lists).
pub(crate) fn support_inside(
    g: &Graph,
    thresholds: &[u32],
    nodes: &[NodeIx],
    inside: impl Fn(NodeIx) -> bool,
    excluded: impl Fn(NodeIx) -> bool,
    supported_outside: impl Fn(NodeIx) -> bool,
) -> Vec<bool> {
    let pos: rustc_hash::FxHashMap<NodeIx, usize> =
        nodes.iter().enumerate().map(|(k, &n)| (n, k)).collect();
    let mut pending = vec![0u32; nodes.len()];
    let mut count: rustc_hash::FxHashMap<EntryIx, u32> = Default::default();
    for (k, &n) in nodes.iter().enumerate() {
        for e in g.requires(n) {
            let t = thresholds[e as usize];
            if t == NOT_COUNTED {
                continue;
            }
            let outside = count_alive(g, e, |m| !inside(m) && supported_outside(m));
            count.insert(e, outside);
            if outside < t {
                pending[k] += 1;
            }
        }
    }
    let mut supported = vec![false; nodes.len()];
    let mut stack: Vec<usize> = (0..nodes.len())
        .filter(|&k| pending[k] == 0 && !excluded(nodes[k]))
        .collect();
    for &k in &stack {
        supported[k] = true;
    }
    while let Some(k) = stack.pop() {
        for &e in g.member_of(nodes[k]) {
            let owner = g.entries()[e as usize].owner;
            let (Some(&o), Some(c)) = (pos.get(&owner), count.get_mut(&e)) else {
                continue;
            };
            let before = *c;
            *c = before.saturating_add(weight(g, e, nodes[k]));
            let t = thresholds[e as usize];
            if !(before < t && *c >= t) {
                continue;
            }
            pending[o] -= 1;
            if pending[o] == 0 && !supported[o] && !excluded(owner) {
                supported[o] = true;
                stack.push(o);
            }
        }
    }
    supported
}

/// The down closure inside a component with a cycle (SPEC §3.1): its
/// unsupported nodes, then every node with an unsatisfied `requires` entry,
/// by a worklist that re-checks only the owners of the entries of a node
/// gone down. `local` gives a node's position in `nodes` (`None` outside
/// the component); members outside are down as `down_outside` says.
/// O(Σ members of the entries touched).
pub(crate) fn down_inside(
    g: &Graph,
    nodes: &[NodeIx],
    supported: &[bool],
    local: impl Fn(NodeIx) -> Option<usize>,
    down_outside: impl Fn(NodeIx) -> bool,
) -> Vec<bool> {
    let alive = |down: &[bool], m: NodeIx| match local(m) {
        Some(j) => !down[j],
        None => !down_outside(m),
    };
    let mut down: Vec<bool> = supported.iter().map(|s| !s).collect();
    let mut stack: Vec<usize> = (0..nodes.len()).filter(|&k| down[k]).collect();
    for (k, &n) in nodes.iter().enumerate() {
        if !down[k]
            && g.requires(n)
                .any(|e| !satisfied_by(g, e, |m| alive(&down, m)))
        {
            down[k] = true;
            stack.push(k);
        }
    }
    while let Some(k) = stack.pop() {
        for (e, o) in requiring_inside(g, nodes[k], &local) {
            if !down[o] && !satisfied_by(g, e, |m| alive(&down, m)) {
                down[o] = true;
                stack.push(o);
            }
        }
    }
    down
}

/// The `requires` entries that have `n` as a member and an owner inside the
/// component, each with its owner's position there: where a change of `n`
/// goes next while a component is solved.
fn requiring_inside<'a>(
    g: &'a Graph,
    n: NodeIx,
    local: &'a impl Fn(NodeIx) -> Option<usize>,
) -> impl Iterator<Item = (EntryIx, usize)> + 'a {
    g.member_of(n).iter().filter_map(move |&e| {
        let entry = &g.entries()[e as usize];
        if entry.optional {
            return None;
        }
        local(entry.owner).map(|o| (e, o))
    })
}

/// The statuses of a component's nodes before degradation spreads inside
/// it: down where `down` says so, else what `not_down` says (up, or
/// degraded for a reason of its own or of a member outside).
pub(crate) fn first_statuses(
    nodes: &[NodeIx],
    down: &[bool],
    not_down: impl Fn(NodeIx) -> Status,
) -> Vec<Status> {
    nodes
        .iter()
        .zip(down)
        .map(|(&n, &d)| if d { Status::Down } else { not_down(n) })
        .collect()
}

/// Degradation spreading inside a component with a cycle through
/// `requires` (SPEC §3.2 d): a worklist from its nodes that are not up.
/// `local` as for [`down_inside`]. O(component + its edges).
pub(crate) fn degrade_inside(
    g: &Graph,
    nodes: &[NodeIx],
    mut status: Vec<Status>,
    local: impl Fn(NodeIx) -> Option<usize>,
) -> Vec<Status> {
    let mut stack: Vec<usize> = (0..nodes.len())
        .filter(|&k| status[k] != Status::Up)
        .collect();
    while let Some(k) = stack.pop() {
        for (_, o) in requiring_inside(g, nodes[k], &local) {
            if status[o] == Status::Up {
                status[o] = Status::Degraded;
                stack.push(o);
            }
        }
    }
    status
}
