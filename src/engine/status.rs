//! Status semantics of SPEC §3: down by grounded support, degraded, causes
//! and paths.
//!
//! Every fixed point here is computed by counting, in O(nodes + members):
//! each entry keeps how many of its members are (grounded | supported | not
//! down), and a node changes state once, when a counter crosses the entry's
//! threshold. No pass is repeated until stable; no string is touched.

use std::collections::VecDeque;

use super::entry::{self, degraded_steps, degrades_owner, down_steps, satisfied};
use super::explain::{causes_from, for_each_shortest_chain, shortest_chain};
use super::scenario::DirectFailure;
use crate::graph::{EntryIx, Graph, NodeIx};
use crate::model::Status;

/// Which `requires` entries are grounded (SPEC §3.1): satisfied by grounded
/// members when nothing has failed. Computed once per graph; cyclic entries
/// (the others) ask for no support in any scenario.
#[derive(Debug, Clone)]
pub struct Grounding {
    pub grounded_entry: Vec<bool>,
    pub grounded_node: Vec<bool>,
}

impl Grounding {
    /// The least fixed point of "every `requires` entry satisfied by
    /// grounded members". O(nodes + members).
    pub fn compute(graph: &Graph) -> Grounding {
        let no_failure = vec![false; graph.len()];
        let (grounded_node, count) = least_support(graph, &no_failure, None);
        let grounded_entry = graph
            .entries()
            .iter()
            .zip(&count)
            .map(|(e, c)| !e.optional && satisfied(e, *c))
            .collect();
        Grounding {
            grounded_entry,
            grounded_node,
        }
    }
}

/// Marks an entry that a support computation does not count.
pub(crate) const NOT_COUNTED: u32 = u32::MAX;

/// Per entry, the members a support computation asks of it: `needed` for
/// the counted `requires` entries (all of them for grounding, the grounded
/// ones for support), [`NOT_COUNTED`] for the others.
pub(crate) fn support_thresholds(graph: &Graph, grounded: Option<&[bool]>) -> Vec<u32> {
    graph
        .entries()
        .iter()
        .enumerate()
        .map(|(e, entry)| {
            if !entry.optional && grounded.is_none_or(|g| g[e]) {
                entry::threshold(entry)
            } else {
                NOT_COUNTED
            }
        })
        .collect()
}

/// The least set S of nodes not in `excluded` such that each counted
/// `requires` entry of a node of S has `needed` members in S. Counted
/// entries: all of them (grounding) or the grounded ones (support).
/// Returns S and, per entry, how many members are in S.
pub(crate) fn least_support(
    graph: &Graph,
    excluded: &[bool],
    grounded: Option<&[bool]>,
) -> (Vec<bool>, Vec<u32>) {
    least_support_with(graph, excluded, &support_thresholds(graph, grounded))
}

/// [`least_support`] with the thresholds computed once by the caller.
///
/// Memory-bound at a million nodes (every step reads an entry and an owner
/// at random), so each is one read: an entry's owner, threshold and count
/// sit together, and a node's one counter says both how many of its
/// entries are still unsatisfied and whether it is excluded.
pub(crate) fn least_support_with(
    graph: &Graph,
    excluded: &[bool],
    threshold: &[u32],
) -> (Vec<bool>, Vec<u32>) {
    /// Added to an excluded node's counter: it never reaches zero, as it
    /// only goes down by the number of entries it started with.
    const BLOCKED: u32 = 1 << 31;
    #[derive(Clone, Copy)]
    struct Slot {
        owner: NodeIx,
        threshold: u32,
        count: u32,
    }
    let mut slots: Vec<Slot> = graph
        .entries()
        .iter()
        .zip(threshold)
        .map(|(entry, &threshold)| Slot {
            owner: entry.owner,
            threshold,
            count: 0,
        })
        .collect();
    let mut pending: Vec<u32> = excluded
        .iter()
        .map(|&x| if x { BLOCKED } else { 0 })
        .collect();
    for slot in &slots {
        if slot.threshold != NOT_COUNTED && slot.threshold > 0 {
            pending[slot.owner as usize] += 1;
        }
    }
    let mut queue: Vec<NodeIx> = Vec::with_capacity(graph.len());
    queue.extend(graph.nodes().filter(|&n| pending[n as usize] == 0));
    let weighted = graph.has_weighted_entries();
    while let Some(x) = queue.pop() {
        for &e in graph.member_of(x) {
            let slot = &mut slots[e as usize];
            let t = slot.threshold;
            if t == NOT_COUNTED {
                continue;
            }
            let before = slot.count;
            let w = if weighted {
                entry::weight(graph, e, x)
            } else {
                1
            };
            slot.count = before.saturating_add(w);
            if !(before < t && slot.count >= t) {
                continue;
            }
            let o = slot.owner as usize;
            pending[o] -= 1;
            if pending[o] == 0 {
                queue.push(slot.owner);
            }
        }
    }
    let in_set = pending.iter().map(|&p| p == 0).collect();
    let count = slots.iter().map(|s| s.count).collect();
    (in_set, count)
}

/// Every node's status under one scenario, and what it takes to explain it.
#[derive(Debug, Clone)]
pub struct Analysis<'g> {
    graph: &'g Graph,
    status: Vec<Status>,
    direct_down: Vec<bool>,
    zone_degraded: Vec<bool>,
    /// Per entry: members not down.
    alive: Vec<u32>,
}

/// Computes every status under `direct` (SPEC §3.1, §3.2).
pub fn evaluate<'g>(
    graph: &'g Graph,
    grounding: &Grounding,
    direct: &DirectFailure,
) -> Analysis<'g> {
    let (supported, _) = least_support(graph, &direct.down, Some(&grounding.grounded_entry));
    let (down, alive) = close_down(graph, supported);
    let status = degrade(graph, &down, &alive, &direct.zone_degraded);
    Analysis {
        graph,
        status,
        direct_down: direct.down.clone(),
        zone_degraded: direct.zone_degraded.clone(),
        alive,
    }
}

/// The least down set holding every unsupported node and closed under
/// "has an unsatisfied `requires` entry". Returns it and, per entry, the
/// number of members not down.
pub(crate) fn close_down(graph: &Graph, supported: Vec<bool>) -> (Vec<bool>, Vec<u32>) {
    let mut down: Vec<bool> = supported.into_iter().map(|s| !s).collect();
    let mut alive: Vec<u32> = (0..graph.entries().len() as EntryIx)
        .map(|e| entry::full_weight(graph, e))
        .collect();
    let mut queue: VecDeque<NodeIx> = graph.nodes().filter(|&n| down[n as usize]).collect();
    for (e, entry) in graph.entries().iter().enumerate() {
        let o = entry.owner as usize;
        if !entry.optional && !satisfied(entry, alive[e]) && !down[o] {
            down[o] = true;
            queue.push_back(entry.owner);
        }
    }
    while let Some(x) = queue.pop_front() {
        for &e in graph.member_of(x) {
            alive[e as usize] -= entry::weight(graph, e, x);
            let entry = &graph.entries()[e as usize];
            let o = entry.owner as usize;
            if !entry.optional && !satisfied(entry, alive[e as usize]) && !down[o] {
                down[o] = true;
                queue.push_back(entry.owner);
            }
        }
    }
    (down, alive)
}

/// SPEC §3.2: seeds are nodes not down that are zone-degraded (a), miss an
/// optional entry (b) or lost a member of a `requires` entry (c); (d) then
/// spreads degradation to every not-down owner of a `requires` entry with a
/// degraded member.
pub(crate) fn degrade(
    graph: &Graph,
    down: &[bool],
    alive: &[u32],
    zone_degraded: &[bool],
) -> Vec<Status> {
    let mut status: Vec<Status> = down
        .iter()
        .map(|&d| if d { Status::Down } else { Status::Up })
        .collect();
    let seed = |n: NodeIx| {
        zone_degraded[n as usize]
            || graph
                .requires(n)
                .chain(graph.optional(n))
                .any(|e| degrades_owner(graph, e, alive[e as usize]))
    };
    let mut queue: Vec<NodeIx> = graph
        .nodes()
        .filter(|&n| !down[n as usize] && seed(n))
        .collect();
    for &n in &queue {
        status[n as usize] = Status::Degraded;
    }
    while let Some(x) = queue.pop() {
        for &e in graph.member_of(x) {
            let entry = &graph.entries()[e as usize];
            let o = entry.owner as usize;
            if !entry.optional && status[o] == Status::Up {
                status[o] = Status::Degraded;
                queue.push(entry.owner);
            }
        }
    }
    status
}

impl<'g> Analysis<'g> {
    /// The graph this analysis is about.
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// A node's status.
    pub fn status(&self, n: NodeIx) -> Status {
        self.status[n as usize]
    }

    /// Every node's status, by index.
    pub fn statuses(&self) -> &[Status] {
        &self.status
    }

    /// Whether a domain or the zone rule failed the node itself.
    pub fn directly_down(&self, n: NodeIx) -> bool {
        self.direct_down[n as usize]
    }

    /// The steps of an explanation: down members of the unsatisfied
    /// `requires` entries of `x`, ascending, without repeats.
    fn down_steps(&self, x: NodeIx) -> Vec<NodeIx> {
        down_steps(
            self.graph,
            x,
            |e| self.alive[e as usize],
            |m| self.status[m as usize] == Status::Down,
        )
    }

    /// SPEC §3.3: the directly-down nodes reachable from `n` along "owner →
    /// down member of an unsatisfied `requires` entry", not passing through
    /// another directly-down node; `{n}` if `n` is directly down; empty
    /// unless down. Sorted by id. O(size of the down cone of `n`).
    pub fn causes(&self, n: NodeIx) -> Vec<NodeIx> {
        if self.status(n) != Status::Down {
            return Vec::new();
        }
        if self.directly_down(n) {
            return vec![n];
        }
        causes_from(n, |m| self.directly_down(m), |x| self.down_steps(x))
    }

    /// SPEC §3.4: the shortest chain from `n` to a cause, smallest in byte
    /// order of ids among the shortest; `[n]` when directly down; empty
    /// unless down (or when no cause is reachable, as for an entry whose
    /// selectors matched too few nodes).
    pub fn path(&self, n: NodeIx) -> Vec<NodeIx> {
        if self.status(n) != Status::Down {
            return Vec::new();
        }
        shortest_chain(n, |x| self.directly_down(x), |x| self.down_steps(x))
    }
}

/// Why a node is degraded for a reason of its own (SPEC §3.2 a–c). The
/// order of the variants is the order reasons of one node are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DegradedBecause {
    /// (c) a redundant member of a `requires` entry is down.
    LostRedundancy(NodeIx),
    /// (b) an `optional` requirement is unsatisfied; the member is down.
    OptionalDown(NodeIx),
    /// (a) it lost some of its zones, but not enough to go down.
    ZoneLoss,
}

/// One reason a degraded node is degraded: `chain` runs from that node
/// through degraded `requires` members to the node that is degraded
/// `because` of something of its own (its last element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DegradationReason {
    /// `[n, …, x]`: the shortest chain from the node asked about to `x`,
    /// smallest ids first on ties; `[n]` when the reason is `n`'s own.
    pub chain: Vec<NodeIx>,
    /// What degrades `x` by itself.
    pub because: DegradedBecause,
}

impl DegradationReason {
    /// The node degraded for a reason of its own: the end of the chain.
    pub fn node(&self) -> NodeIx {
        *self
            .chain
            .last()
            .expect("a reason's chain holds at least its node")
    }
}

impl Analysis<'_> {
    /// For a degraded node `n`: every reason of its own (SPEC §3.2 a–c) of
    /// every node reachable from `n` through degraded `requires` members
    /// (§3.2 d), each with its shortest chain from `n` (smallest ids first
    /// on ties). Sorted by chain length, then chain ids, then reason (lost
    /// redundancy, optional, zones; then member id): the nearest reason
    /// first, the same order on every run. Empty unless `n` is degraded.
    /// O(size of the degraded cone of `n` + the members of its entries).
    pub fn degradation_reasons(&self, n: NodeIx) -> Vec<DegradationReason> {
        if self.status(n) != Status::Degraded {
            return Vec::new();
        }
        let mut reasons = Vec::new();
        for_each_shortest_chain(
            n,
            |x| self.degraded_members(x),
            |x, chain| {
                for because in self.own_degradation(x) {
                    reasons.push(DegradationReason {
                        chain: chain(),
                        because,
                    });
                }
            },
        );
        reasons.sort_by(|a, b| {
            (a.chain.len(), &a.chain, a.because).cmp(&(b.chain.len(), &b.chain, b.because))
        });
        reasons
    }

    /// Degraded members of the `requires` entries of `x`, ascending.
    fn degraded_members(&self, x: NodeIx) -> Vec<NodeIx> {
        degraded_steps(self.graph, x, |m| self.status(m) == Status::Degraded)
    }

    /// Every reason of its own `x` has to be degraded, sorted, without
    /// repeats: each down member of a `requires` entry, each down member of
    /// an unsatisfied `optional` entry, and the loss of zones. Empty for a
    /// node degraded only through its members. O(members of its entries).
    fn own_degradation(&self, x: NodeIx) -> Vec<DegradedBecause> {
        let down_members = |e: EntryIx| {
            self.graph
                .members(e)
                .iter()
                .copied()
                .filter(|&m| self.status(m) == Status::Down)
        };
        let mut own: Vec<DegradedBecause> = self
            .graph
            .requires(x)
            .flat_map(|e| down_members(e).map(DegradedBecause::LostRedundancy))
            .collect();
        for e in self.graph.optional(x) {
            if degrades_owner(self.graph, e, self.alive[e as usize]) {
                own.extend(down_members(e).map(DegradedBecause::OptionalDown));
            }
        }
        if self.zone_degraded(x) {
            own.push(DegradedBecause::ZoneLoss);
        }
        own.sort_unstable();
        own.dedup();
        own
    }

    fn zone_degraded(&self, x: NodeIx) -> bool {
        self.zone_degraded[x as usize]
    }
}
