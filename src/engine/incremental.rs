//! Many scenarios against one baseline: the engine behind `sweep`, `spof`
//! and `check`.
//!
//! # Algorithm
//! Statuses only get worse when more fails (up → degraded → down; support
//! is lost, never gained), so a scenario is evaluated as a *change* from the
//! baseline (nothing failed): only nodes that a failure reaches are touched,
//! and propagation stops where a node's state does not change (a redundant
//! member lost inside an `any` stops the `down` wave at its owner).
//!
//! Nodes are processed in topological order of the strongly connected
//! components of the `requires` graph (members before owners), from a heap
//! keyed by component rank. A node alone in its component is re-evaluated
//! from per-entry counters kept as deltas over the baseline (supported
//! members of each grounded entry, members not down of each entry). A
//! component with a cycle is re-evaluated as a whole: its grounded support
//! (SPEC §3.1) is recomputed as a least fixed point inside the component,
//! with members outside it taken as they now are — so only the cycles a
//! failure touches are examined again, and two deployments that fall back
//! on each other cannot hold each other up.
//!
//! # Complexity
//! Building the baseline: O(nodes + members) plus Tarjan's SCC, once.
//! One scenario: O(Σ (entries + member_of) over the nodes whose state
//! changes, + the size of every cyclic component they touch, × log of the
//! heap). With `down_only` (single points of failure), degradation is not
//! propagated, so a failure absorbed by redundancy costs O(its owners).
//! Scratch state is reset by epoch stamps, not by clearing: O(1) per scenario.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::cycle::{degrade_inside, down_inside, first_statuses, support_inside};
use super::entry::{degrades_owner, full_weight, satisfied, weight};
use super::flat::{Flat, FlatState};
use super::status::{close_down, degrade, support_thresholds, Grounding, NOT_COUNTED};
use crate::graph::{EntryIx, Graph, NodeIx};
use crate::model::Status;

/// The nothing-failed state and the component order, computed once.
#[derive(Debug)]
pub struct Baseline<'g> {
    graph: &'g Graph,
    grounded_entry: Vec<bool>,
    /// Per node: grounded (SPEC §3.1).
    grounded_node: Vec<bool>,
    /// Per entry: what support asks of it (see `support_thresholds`).
    thresholds: Vec<u32>,
    supported: Vec<bool>,
    status: Vec<Status>,
    /// Per entry: supported members (meaningful for grounded entries).
    supported_members: Vec<u32>,
    /// Per entry: members not down.
    alive: Vec<u32>,
    /// Nodes down with nothing failed.
    down_at_rest: Vec<NodeIx>,
    /// Per node: rank of its component; members rank below owners.
    rank: Vec<u32>,
    /// Per node: whether its component has a cycle.
    cyclic: Vec<bool>,
    /// Row `rank`: the nodes of that component.
    components: crate::graph::Csr<NodeIx>,
    /// Per node: its position in its component's row, so that re-solving a
    /// component finds a member's slot in O(1), not by a scan of the row.
    local: Vec<u32>,
    /// The estate in component order, for full evaluations: built by the
    /// first one, so that commands that make none do not pay for it.
    flat: std::sync::OnceLock<Flat>,
}

impl<'g> Baseline<'g> {
    /// Evaluates the estate with nothing failed and orders its components.
    pub fn new(graph: &'g Graph) -> Self {
        // The components do not depend on the statuses: on the other core.
        let (statuses, (rank, cyclic, components, local)) = rayon::join(
            || {
                let grounding = Grounding::compute(graph);
                let nothing = vec![false; graph.len()];
                let thresholds = support_thresholds(graph, Some(&grounding.grounded_entry));
                let (supported, supported_members) = support_at_rest(graph, &thresholds);
                let (down, alive) = close_down(graph, supported.clone());
                let status = degrade(graph, &down, &alive, &nothing);
                (
                    grounding,
                    thresholds,
                    supported,
                    supported_members,
                    alive,
                    status,
                )
            },
            || {
                let (rank, cyclic, components) = components_in_order(graph);
                let local = positions_in_rows(&components, graph.len());
                (rank, cyclic, components, local)
            },
        );
        let (grounding, thresholds, supported, supported_members, alive, status) = statuses;
        let down_at_rest = graph
            .nodes()
            .filter(|&n| status[n as usize] == Status::Down)
            .collect();
        Baseline {
            down_at_rest,
            graph,
            grounded_entry: grounding.grounded_entry,
            grounded_node: grounding.grounded_node,
            thresholds,
            supported,
            status,
            supported_members,
            alive,
            rank,
            cyclic,
            components,
            local,
            flat: std::sync::OnceLock::new(),
        }
    }

    /// The graph.
    pub fn graph(&self) -> &'g Graph {
        self.graph
    }

    /// A node's status with nothing failed.
    pub fn status(&self, n: NodeIx) -> Status {
        self.status[n as usize]
    }

    /// The nodes that are down with nothing failed (usually none), in id
    /// order.
    pub fn down_with_nothing_failed(&self) -> &[NodeIx] {
        &self.down_at_rest
    }

    /// Whether entry `e` is grounded (SPEC §3.1).
    pub(crate) fn grounded_entry(&self, e: EntryIx) -> bool {
        self.grounded_entry[e as usize]
    }

    /// Whether node `n` is grounded (SPEC §3.1).
    pub(crate) fn grounded_node(&self, n: NodeIx) -> bool {
        self.grounded_node[n as usize]
    }

    /// The nodes of `n`'s strongly connected component (of the `requires`
    /// graph), and whether that component has a cycle.
    pub(crate) fn component_of(&self, n: NodeIx) -> (&[NodeIx], bool) {
        let rank = self.rank[n as usize] as usize;
        (self.components.row(rank), self.cyclic[n as usize])
    }

    /// Fresh scratch space for [`Baseline::evaluate`] (one per thread).
    pub fn scratch(&self) -> Scratch {
        let n = self.graph.len();
        let e = self.graph.entries().len();
        Scratch {
            epoch: 0,
            nodes: vec![
                NodeState {
                    epoch: 0,
                    status: Status::Up,
                    supported: false,
                    direct: false,
                    zone_degraded: false,
                    worse_member: false,
                };
                n
            ],
            entries: vec![
                EntryState {
                    epoch: 0,
                    supported_members: 0,
                    alive: 0,
                };
                e
            ],
            queued_epoch: vec![0; self.components.rows()],
            heap: BinaryHeap::new(),
            changed: Vec::new(),
        }
    }

    /// Evaluates one scenario given what it fails directly. Returns the
    /// nodes whose status differs from the baseline, with their new status,
    /// in no particular order. With `down_only`, only changes to down are
    /// propagated and reported (degraded statuses are not computed).
    pub fn evaluate(
        &self,
        scratch: &mut Scratch,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
        down_only: bool,
    ) -> Vec<(NodeIx, Status)> {
        run_from(self, self, scratch, directly_down, zone_degraded, down_only);
        changes_from(scratch, |n| self.status[n as usize])
    }

    /// Evaluates the scenario that fails `directly_down` (down only, as
    /// [`Baseline::evaluate`] with `down_only`) and keeps it in `scratch`
    /// as a [`Held`] state that further failures can be added to without
    /// propagating these again. Costs what the failures reach.
    pub fn hold<'s>(&'s self, scratch: &'s mut Scratch, directly_down: &[NodeIx]) -> Held<'s, 'g> {
        run_from(self, self, scratch, directly_down, &[], true);
        Held {
            base: self,
            s: scratch,
            down_only: true,
        }
    }

    /// As [`Baseline::hold`], with degraded statuses computed (zone
    /// degradation included), for scenarios added with
    /// [`Held::evaluate_scenario`]: `sweep --pairs`.
    pub fn hold_scenario<'s>(
        &'s self,
        scratch: &'s mut Scratch,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
    ) -> Held<'s, 'g> {
        run_from(self, self, scratch, directly_down, zone_degraded, false);
        Held {
            base: self,
            s: scratch,
            down_only: false,
        }
    }
}

/// Support (SPEC §3.1) with nothing failed, without a fixed point: every
/// node is supported, so each counted entry has all its members supported.
/// Why: a grounded node's entries are all grounded (satisfied by grounded
/// members), so by induction on the grounding every grounded node is
/// supported; then every counted entry (a grounded one) is satisfied by
/// supported members, and with nothing excluded every node is supported.
/// Returns what [`least_support_with`] would, at the cost of one pass over
/// the entries instead of a walk of the whole graph.
fn support_at_rest(graph: &Graph, thresholds: &[u32]) -> (Vec<bool>, Vec<u32>) {
    let members = (0..graph.entries().len() as EntryIx)
        .map(|e| {
            if thresholds[e as usize] == NOT_COUNTED {
                0
            } else {
                full_weight(graph, e)
            }
        })
        .collect();
    (vec![true; graph.len()], members)
}

/// Runs one scenario's propagation in `scratch`, on top of `below` (the
/// baseline, or a held scenario).
fn run_from<B: Below>(
    base: &Baseline<'_>,
    below: &B,
    scratch: &mut Scratch,
    directly_down: &[NodeIx],
    zone_degraded: &[NodeIx],
    down_only: bool,
) {
    scratch.begin();
    let mut run = Run {
        base,
        below,
        s: scratch,
        down_only,
    };
    for &x in directly_down {
        run.touch(x);
        run.s.nodes[x as usize].direct = true;
        run.enqueue(x);
    }
    if !down_only {
        for &x in zone_degraded {
            run.touch(x);
            run.s.nodes[x as usize].zone_degraded = true;
            run.enqueue(x);
        }
    }
    run.drain();
}

/// The nodes `scratch`'s last run left with a status other than `before`,
/// with that status, sorted.
fn changes_from(s: &Scratch, before: impl Fn(NodeIx) -> Status) -> Vec<(NodeIx, Status)> {
    let mut out: Vec<(NodeIx, Status)> = s
        .changed
        .iter()
        .filter(|&&n| s.nodes[n as usize].status != before(n))
        .map(|&n| (n, s.nodes[n as usize].status))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The state a run starts from and reads through where it has not
/// touched a node or an entry: the baseline, or a [`Held`] scenario.
/// Generic (not a trait object) so the baseline's hot path stays as it was.
trait Below {
    fn status(&self, n: NodeIx) -> Status;
    fn supported(&self, n: NodeIx) -> bool;
    fn direct(&self, n: NodeIx) -> bool;
    fn alive(&self, e: EntryIx) -> u32;
    fn supported_members(&self, e: EntryIx) -> u32;
}

impl Below for Baseline<'_> {
    #[inline]
    fn status(&self, n: NodeIx) -> Status {
        self.status[n as usize]
    }
    #[inline]
    fn supported(&self, n: NodeIx) -> bool {
        self.supported[n as usize]
    }
    #[inline]
    fn direct(&self, _: NodeIx) -> bool {
        false
    }
    #[inline]
    fn alive(&self, e: EntryIx) -> u32 {
        self.alive[e as usize]
    }
    #[inline]
    fn supported_members(&self, e: EntryIx) -> u32 {
        self.supported_members[e as usize]
    }
}

/// A scenario evaluated once and kept (SPEC §6.3 double failures): the
/// second failure of a pair is propagated on top of it, so the first
/// failure's wave is paid once for all its partners, not once per pair.
/// From [`Baseline::hold`], down only (degraded statuses are not
/// computed); from [`Baseline::hold_scenario`], every status. Statuses only
/// get worse as failures are added, so a node re-evaluated on top keeps
/// the held status at least.
#[derive(Debug)]
pub struct Held<'s, 'g> {
    base: &'s Baseline<'g>,
    s: &'s Scratch,
    down_only: bool,
}

impl<'g> Held<'_, 'g> {
    /// The baseline this scenario was evaluated against.
    pub fn baseline(&self) -> &Baseline<'g> {
        self.base
    }

    /// Whether `n` is down in this scenario (down at rest included).
    #[inline]
    pub fn is_down(&self, n: NodeIx) -> bool {
        Below::status(self, n) == Status::Down
    }

    /// Whether `n` has nothing left to lose in this scenario: down and
    /// without support (SPEC §3.1). A node down but still supported (its
    /// `requires` rest on a cycle) can still lose its support to a further
    /// failure, and its owners with it.
    #[inline]
    pub fn is_lost(&self, n: NodeIx) -> bool {
        self.is_down(n) && !Below::supported(self, n)
    }

    /// The nodes this scenario took down or took support from (SPEC §3.1),
    /// compared with the baseline, in no particular order.
    pub fn newly_lost(&self) -> impl Iterator<Item = NodeIx> + '_ {
        self.s.changed.iter().copied().filter(|&n| {
            let i = n as usize;
            let state = &self.s.nodes[i];
            (state.status == Status::Down && self.base.status[i] != Status::Down)
                || (self.base.supported[i] && !state.supported)
        })
    }

    /// A node's status in this scenario (with [`Baseline::hold`], degraded
    /// only where the baseline has it so).
    pub fn status(&self, n: NodeIx) -> Status {
        Below::status(self, n)
    }

    /// The nodes whose status differs from the baseline, with their status
    /// in this scenario, sorted.
    pub fn changes(&self) -> Vec<(NodeIx, Status)> {
        changes_from(self.s, |n| self.base.status[n as usize])
    }

    /// Adds a scenario that fails `directly_down` and zone-degrades
    /// `zone_degraded` to this one (held by [`Baseline::hold_scenario`]), in
    /// `scratch`: returns the nodes whose status gets worse on top of it,
    /// with their new status, sorted. Costs what the added failures reach.
    pub fn evaluate_scenario(
        &self,
        scratch: &mut Scratch,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
    ) -> Vec<(NodeIx, Status)> {
        debug_assert!(!self.down_only, "degraded statuses need hold_scenario");
        run_from(
            self.base,
            self,
            scratch,
            directly_down,
            zone_degraded,
            false,
        );
        changes_from(scratch, |n| Below::status(self, n))
    }

    /// Adds the failure of `directly_down` to this scenario, in `scratch`
    /// (not the one holding it): returns the nodes that go down on top of
    /// it, sorted. Costs what the added failures reach given the held
    /// ones; the held state is left as it was.
    pub fn evaluate(&self, scratch: &mut Scratch, directly_down: &[NodeIx]) -> Vec<NodeIx> {
        run_from(self.base, self, scratch, directly_down, &[], true);
        changes_from(scratch, |n| Below::status(self, n))
            .into_iter()
            .filter(|(_, s)| *s == Status::Down)
            .map(|(n, _)| n)
            .collect()
    }
}

impl Below for Held<'_, '_> {
    #[inline]
    fn status(&self, n: NodeIx) -> Status {
        self.s.status_over(n, self.base)
    }
    #[inline]
    fn supported(&self, n: NodeIx) -> bool {
        self.s.supported_over(n, self.base)
    }
    #[inline]
    fn direct(&self, n: NodeIx) -> bool {
        let i = n as usize;
        let state = &self.s.nodes[i];
        state.epoch == self.s.epoch && state.direct
    }
    #[inline]
    fn alive(&self, e: EntryIx) -> u32 {
        self.s.alive_over(e, self.base)
    }
    #[inline]
    fn supported_members(&self, e: EntryIx) -> u32 {
        self.s.supported_members_over(e, self.base)
    }
}

impl Baseline<'_> {
    /// The same answer as [`Baseline::evaluate`] (without `down_only`), by a
    /// full O(nodes + members) evaluation: cheaper when a scenario fails a
    /// large share of the estate (a region), where the incremental
    /// bookkeeping per touched node costs more than a flat pass.
    pub fn evaluate_full(
        &self,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
    ) -> Vec<(NodeIx, Status)> {
        self.full_changes(directly_down, zone_degraded, false)
    }

    /// The nodes whose status under a scenario differs from the baseline,
    /// with that status, in id order, by one full pass; with `down_only`,
    /// those that go down.
    fn full_changes(
        &self,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
        down_only: bool,
    ) -> Vec<(NodeIx, Status)> {
        let state = self.full_state(directly_down, zone_degraded, down_only);
        self.graph
            .nodes()
            .map(|n| (n, state.status(n)))
            .filter(|&(n, st)| st != self.status[n as usize] && (!down_only || st == Status::Down))
            .collect()
    }

    /// Every node's status under a scenario, by one full pass over the
    /// estate in component order ([`Flat`]). With `down_only`, no node is
    /// reported degraded.
    pub(crate) fn full_state(
        &self,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
        down_only: bool,
    ) -> FlatState<'_> {
        self.flat().evaluate(
            self.graph,
            &self.thresholds,
            directly_down,
            zone_degraded,
            down_only,
        )
    }

    /// The estate in component order, built on first use.
    pub(crate) fn flat(&self) -> &Flat {
        self.flat
            .get_or_init(|| Flat::new(self.graph, &self.thresholds, &self.components, &self.cyclic))
    }

    /// Whether a scenario failing `failed` nodes directly is cheaper as one
    /// full pass than as incremental work (see [`Baseline::evaluate_auto`]).
    /// Measured on generated estates: a full pass costs 8–14 ns per node,
    /// incremental work 0.1–0.5 µs per node it changes, and a failure
    /// changes 1.4–5 nodes per node it fails directly; one in 80 nodes
    /// failed directly is where the two meet, at 10,000 services as at
    /// 120,000 (an account, about one node in 100 to 1,200, stays
    /// incremental; a cloud service in a region, one in 70 to 90, goes
    /// full).
    pub(crate) fn prefers_full(&self, failed: usize) -> bool {
        failed * 80 > self.graph.len()
    }

    /// Evaluates a scenario the cheaper way for its size: incrementally when
    /// it fails a small part of the estate, fully otherwise. With
    /// `down_only`, only changes to down are reported, as by
    /// [`Baseline::evaluate`].
    pub fn evaluate_auto(
        &self,
        scratch: &mut Scratch,
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
        down_only: bool,
    ) -> Vec<(NodeIx, Status)> {
        if !self.prefers_full(directly_down.len() + zone_degraded.len()) {
            return self.evaluate(scratch, directly_down, zone_degraded, down_only);
        }
        self.full_changes(directly_down, zone_degraded, down_only)
    }
}

/// Per-thread working state, reset in O(1) by bumping the epoch.
#[derive(Debug)]
pub struct Scratch {
    epoch: u32,
    nodes: Vec<NodeState>,
    entries: Vec<EntryState>,
    queued_epoch: Vec<u32>,
    heap: BinaryHeap<Reverse<u32>>,
    changed: Vec<NodeIx>,
}

impl Scratch {
    /// A node's status as the last run left it, or `below`'s where the run
    /// did not touch it: the one layered read, for runs and held states.
    #[inline]
    fn status_over(&self, n: NodeIx, below: &impl Below) -> Status {
        let state = &self.nodes[n as usize];
        if state.epoch == self.epoch {
            state.status
        } else {
            below.status(n)
        }
    }

    #[inline]
    fn supported_over(&self, n: NodeIx, below: &impl Below) -> bool {
        let state = &self.nodes[n as usize];
        if state.epoch == self.epoch {
            state.supported
        } else {
            below.supported(n)
        }
    }

    #[inline]
    fn alive_over(&self, e: EntryIx, below: &impl Below) -> u32 {
        let state = &self.entries[e as usize];
        if state.epoch == self.epoch {
            state.alive
        } else {
            below.alive(e)
        }
    }

    #[inline]
    fn supported_members_over(&self, e: EntryIx, below: &impl Below) -> u32 {
        let state = &self.entries[e as usize];
        if state.epoch == self.epoch {
            state.supported_members
        } else {
            below.supported_members(e)
        }
    }

    fn begin(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.nodes.iter_mut().for_each(|x| x.epoch = 0);
            self.entries.iter_mut().for_each(|x| x.epoch = 0);
            self.queued_epoch.fill(0);
            self.epoch = 1;
        }
        self.heap.clear();
        self.changed.clear();
    }
}

/// A node's state in a run. One record per node rather than an array per
/// field: a step reads and writes these together, and at a million nodes
/// each array was a cache miss of its own.
#[derive(Debug, Clone, Copy)]
struct NodeState {
    /// The run that wrote this record; older ones are read from below.
    epoch: u32,
    status: Status,
    supported: bool,
    direct: bool,
    zone_degraded: bool,
    worse_member: bool,
}

/// An entry's counters in a run (see [`NodeState`]).
#[derive(Debug, Clone, Copy)]
struct EntryState {
    epoch: u32,
    supported_members: u32,
    alive: u32,
}

/// One scenario being evaluated.
struct Run<'a, 'g, B: Below> {
    base: &'a Baseline<'g>,
    /// What the run reads where it has not touched a node or an entry.
    below: &'a B,
    s: &'a mut Scratch,
    down_only: bool,
}

impl<B: Below> Run<'_, '_, B> {
    /// Makes node `n`'s scratch state current (copied from the baseline).
    fn touch(&mut self, n: NodeIx) {
        let i = n as usize;
        if self.s.nodes[i].epoch != self.s.epoch {
            self.s.nodes[i] = NodeState {
                epoch: self.s.epoch,
                status: self.below.status(n),
                supported: self.below.supported(n),
                direct: self.below.direct(n),
                zone_degraded: false,
                worse_member: false,
            };
            self.s.changed.push(n);
        }
    }

    fn touch_entry(&mut self, e: EntryIx) {
        let i = e as usize;
        if self.s.entries[i].epoch != self.s.epoch {
            self.s.entries[i] = EntryState {
                epoch: self.s.epoch,
                supported_members: self.below.supported_members(e),
                alive: self.below.alive(e),
            };
        }
    }

    fn status(&self, n: NodeIx) -> Status {
        self.s.status_over(n, self.below)
    }

    fn supported(&self, n: NodeIx) -> bool {
        self.s.supported_over(n, self.below)
    }

    fn alive(&self, e: EntryIx) -> u32 {
        self.s.alive_over(e, self.below)
    }

    fn supported_members(&self, e: EntryIx) -> u32 {
        self.s.supported_members_over(e, self.below)
    }

    fn enqueue(&mut self, n: NodeIx) {
        let rank = self.base.rank[n as usize];
        if self.s.queued_epoch[rank as usize] != self.s.epoch {
            self.s.queued_epoch[rank as usize] = self.s.epoch;
            self.s.heap.push(Reverse(rank));
        }
    }

    fn drain(&mut self) {
        while let Some(Reverse(rank)) = self.s.heap.pop() {
            // Re-queueing a component already processed (through an
            // `optional` edge that points down the order) is allowed.
            self.s.queued_epoch[rank as usize] = 0;
            let first = self.base.components.row(rank as usize)[0];
            if self.base.cyclic[first as usize] {
                self.process_component(rank);
            } else {
                self.process_node(first);
            }
        }
    }

    /// Re-evaluates a node alone in its component from the counters.
    fn process_node(&mut self, n: NodeIx) {
        self.touch(n);
        let g = self.base.graph;
        let direct = self.s.nodes[n as usize].direct;
        let supported = !direct
            && g.requires(n).all(|e| {
                !self.base.grounded_entry[e as usize]
                    || satisfied(&g.entries()[e as usize], self.supported_members(e))
            });
        let down = !supported
            || g.requires(n)
                .any(|e| !satisfied(&g.entries()[e as usize], self.alive(e)));
        let status = if down {
            Status::Down
        } else {
            self.degraded_status(n)
        };
        self.settle(n, supported, status);
    }

    /// Up or degraded for a node that is not down (SPEC §3.2): degraded at
    /// baseline, zone-degraded, a requires member got worse, an optional
    /// entry unsatisfied, or a requires entry lost a member.
    fn degraded_status(&self, n: NodeIx) -> Status {
        if self.down_only {
            return self.status(n).min(Status::Degraded);
        }
        let g = self.base.graph;
        let i = n as usize;
        let degraded = self.base.status[i] == Status::Degraded
            || self.s.nodes[i].zone_degraded
            || self.s.nodes[i].worse_member
            || g.requires(n)
                .chain(g.optional(n))
                .any(|e| degrades_owner(g, e, self.alive(e)));
        if degraded {
            Status::Degraded
        } else {
            Status::Up
        }
    }

    /// Records a node's new state and propagates what changed to the
    /// entries it is a member of.
    fn settle(&mut self, n: NodeIx, supported: bool, status: Status) {
        let i = n as usize;
        let state = &mut self.s.nodes[i];
        let lost_support = state.supported && !supported;
        let old = state.status;
        let status = status.max(old);
        let went_down = old != Status::Down && status == Status::Down;
        let worse = status > old;
        state.supported = state.supported && supported;
        state.status = status;
        if !(lost_support || worse) {
            return;
        }
        let g = self.base.graph;
        for &e in g.member_of(n) {
            let entry = g.entries()[e as usize];
            self.touch_entry(e);
            if lost_support && self.base.grounded_entry[e as usize] {
                self.s.entries[e as usize].supported_members -= weight(g, e, n);
            }
            if went_down {
                self.s.entries[e as usize].alive -= weight(g, e, n);
            }
            let owner_matters = if self.down_only {
                !entry.optional && (lost_support || went_down)
            } else {
                true
            };
            if owner_matters {
                self.touch(entry.owner);
                if !entry.optional {
                    self.s.nodes[entry.owner as usize].worse_member = true;
                }
                self.enqueue(entry.owner);
            }
        }
    }

    /// Re-evaluates a component with a cycle as a whole: support as a least
    /// fixed point inside it, then the down closure, then degradation.
    fn process_component(&mut self, rank: u32) {
        let nodes: Vec<NodeIx> = self.base.components.row(rank as usize).to_vec();
        for &n in &nodes {
            self.touch(n);
        }
        let supported = self.component_support(rank, &nodes);
        let down = self.component_down(rank, &nodes, &supported);
        let status = first_statuses(&nodes, &down, |n| self.degraded_status(n));
        let status = self.component_degrade(rank, &nodes, status);
        for ((&n, &sup), &st) in nodes.iter().zip(&supported).zip(&status) {
            self.settle(n, sup, st);
        }
    }

    /// The position of `m` in the row of component `rank`, if it is in it.
    #[inline]
    fn local(&self, m: NodeIx, rank: u32) -> Option<usize> {
        (self.base.rank[m as usize] == rank).then(|| self.base.local[m as usize] as usize)
    }

    /// Least fixed point of support inside the component; members outside
    /// count as they are now.
    fn component_support(&self, rank: u32, nodes: &[NodeIx]) -> Vec<bool> {
        support_inside(
            self.base.graph,
            &self.base.thresholds,
            nodes,
            |m| self.base.rank[m as usize] == rank,
            |n| self.s.nodes[n as usize].direct,
            |m| self.supported(m),
        )
    }

    /// The down closure inside the component, members outside it taken as
    /// they now are.
    fn component_down(&self, rank: u32, nodes: &[NodeIx], supported: &[bool]) -> Vec<bool> {
        down_inside(
            self.base.graph,
            nodes,
            supported,
            |m| self.local(m, rank),
            |m| self.status(m) == Status::Down,
        )
    }

    /// Degradation spreading inside the component (none with
    /// `down_only`, which computes no degradation).
    fn component_degrade(&self, rank: u32, nodes: &[NodeIx], status: Vec<Status>) -> Vec<Status> {
        if self.down_only {
            return status;
        }
        degrade_inside(self.base.graph, nodes, status, |m| self.local(m, rank))
    }
}

/// Per node: its position in the row of the table that holds it (every
/// node in exactly one row). O(nodes).
fn positions_in_rows(rows: &crate::graph::Csr<NodeIx>, nodes: usize) -> Vec<u32> {
    let mut local = vec![0u32; nodes];
    for r in 0..rows.rows() {
        for (k, &n) in rows.row(r).iter().enumerate() {
            local[n as usize] = k as u32;
        }
    }
    local
}

/// The strongly connected components of the `requires` graph (owner →
/// member), ranked so that members come before owners; for each node, its
/// rank and whether its component has a cycle (more than one node, or a
/// node requiring itself). Iterative (see [`strongly_connected`]): a chain
/// of a million services needs no stack.
fn components_in_order(graph: &Graph) -> (Vec<u32>, Vec<bool>, crate::graph::Csr<NodeIx>) {
    // A node that requires itself is cyclic alone: seen as its members are
    // listed, instead of by a second pass over every entry.
    let mut cyclic = vec![false; graph.len()];
    let components = strongly_connected_rows(graph.len(), |n, out| {
        let start = out.len();
        for e in graph.requires(n) {
            out.extend_from_slice(graph.members(e));
        }
        if out[start..].contains(&n) {
            cyclic[n as usize] = true;
        }
    });
    let mut rank = vec![0u32; graph.len()];
    for r in 0..components.rows() {
        let nodes = components.row(r);
        let has_cycle = nodes.len() > 1 || nodes.first().is_some_and(|&x| cyclic[x as usize]);
        for &n in nodes {
            rank[n as usize] = r as u32;
            cyclic[n as usize] = has_cycle;
        }
    }
    (rank, cyclic, components)
}

/// Tarjan's strongly connected components of a graph of `nodes` nodes
/// whose successors `successors(n, out)` appends to `out`, in post-order:
/// every component comes after the components it reaches. Iterative, with
/// an explicit stack of (node, successors left): O(nodes + edges) time and
/// heap memory, constant call stack whatever the depth of the graph.
pub(crate) fn strongly_connected(
    nodes: usize,
    successors: impl FnMut(NodeIx, &mut Vec<NodeIx>),
) -> Vec<Vec<NodeIx>> {
    let rows = strongly_connected_rows(nodes, successors);
    (0..rows.rows()).map(|r| rows.row(r).to_vec()).collect()
}

/// [`strongly_connected`] as one table, a row per component: a million
/// components are not a million allocations. A node's index and low link
/// sit together (one cache line per visit), and a low link of `DONE`
/// marks a node whose component is complete (no longer on the stack).
pub(crate) fn strongly_connected_rows(
    nodes: usize,
    mut successors: impl FnMut(NodeIx, &mut Vec<NodeIx>),
) -> crate::graph::Csr<NodeIx> {
    const UNVISITED: u32 = u32::MAX;
    const DONE: u32 = u32::MAX;
    // [index, low link] per node.
    let mut link = vec![[UNVISITED, 0u32]; nodes];
    let mut stack: Vec<NodeIx> = Vec::new();
    // Successors of the nodes on the call path, flattened; `frames` holds
    // (node, start of its successors in `succ`, next one to visit).
    let mut succ: Vec<NodeIx> = Vec::new();
    let mut frames: Vec<(NodeIx, usize, usize)> = Vec::new();
    let mut next_index = 0u32;
    let mut out = crate::graph::Csr::new();
    out.items.reserve(nodes);
    for root in 0..nodes as NodeIx {
        if link[root as usize][0] != UNVISITED {
            continue;
        }
        let mut to_enter = Some(root);
        loop {
            if let Some(v) = to_enter.take() {
                let start = succ.len();
                successors(v, &mut succ);
                if succ.len() == start {
                    // No successor (most nodes: resources): its own
                    // component at once, as the general steps would find
                    // it, without a frame or a visit to the stack. Its low
                    // link is its index, above its parent's: the parent's
                    // stays.
                    link[v as usize] = [next_index, DONE];
                    next_index += 1;
                    out.items.push(v);
                    out.offsets.push(out.items.len() as u32);
                } else {
                    link[v as usize] = [next_index, next_index];
                    next_index += 1;
                    stack.push(v);
                    frames.push((v, start, start));
                }
            }
            let Some(&mut (v, start, ref mut next)) = frames.last_mut() else {
                break;
            };
            if *next < succ.len() {
                let w = succ[*next];
                *next += 1;
                let [index, low] = link[w as usize];
                if index == UNVISITED {
                    to_enter = Some(w);
                } else if low != DONE {
                    let v_low = &mut link[v as usize][1];
                    *v_low = (*v_low).min(index);
                }
                continue;
            }
            frames.pop();
            succ.truncate(start);
            let [v_index, v_low] = link[v as usize];
            if let Some(&(parent, _, _)) = frames.last() {
                let p_low = &mut link[parent as usize][1];
                *p_low = (*p_low).min(v_low);
            }
            if v_low == v_index {
                while let Some(w) = stack.pop() {
                    link[w as usize][1] = DONE;
                    out.items.push(w);
                    if w == v {
                        break;
                    }
                }
                out.offsets.push(out.items.len() as u32);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_documents, Source};

    /// petgraph's `tarjan_scc` recurses (a chain of 80,000 nodes overflowed
    /// the stack), so the engine has its own iterative Tarjan; petgraph
    /// stays the reference it is checked against, on random graphs small
    /// enough for recursion.
    #[test]
    fn iterative_components_equal_petgraphs_and_come_members_first() {
        let mut seed = 0x5cc_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..300 {
            let nodes = 1 + next(40) as usize;
            let edges: Vec<(u32, u32)> = (0..next(nodes as u64 * 3))
                .map(|_| (next(nodes as u64) as u32, next(nodes as u64) as u32))
                .collect();
            let ours = strongly_connected(nodes, |n, out| {
                out.extend(edges.iter().filter(|e| e.0 == n).map(|e| e.1));
            });
            let mut pg = petgraph::graph::DiGraph::<(), ()>::new();
            let ix: Vec<_> = (0..nodes).map(|_| pg.add_node(())).collect();
            for &(a, b) in &edges {
                pg.add_edge(ix[a as usize], ix[b as usize], ());
            }
            let normal = |mut c: Vec<Vec<u32>>| {
                c.iter_mut().for_each(|x| x.sort_unstable());
                c.sort();
                c
            };
            let theirs: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&pg)
                .into_iter()
                .map(|c| c.into_iter().map(|x| x.index() as u32).collect())
                .collect();
            assert_eq!(normal(ours.clone()), normal(theirs), "{edges:?}");
            let mut position = vec![0usize; nodes];
            for (r, c) in ours.iter().enumerate() {
                c.iter().for_each(|&n| position[n as usize] = r);
            }
            for &(a, b) in &edges {
                assert!(position[b as usize] <= position[a as usize], "{edges:?}");
            }
        }
    }

    /// Support with nothing failed needs no fixed point (see
    /// `support_at_rest`): the same answer as the walk, on cycles with and
    /// without ground, a quorum and failover weights.
    #[test]
    fn support_at_rest_is_the_least_fixed_point_with_nothing_failed() {
        let g = super::super::tests::graph(
            "version: 1
functions:
  f: {requires: [a, {quorum: 2, of: [q1, q2, db]}]}
  h: {requires: [pure-1, {failover: [p, s], via: [w]}], optional: [f]}
services:
  a: {requires: [{any: [b, db]}]}
  b: {requires: [a]}
  pure-1: {requires: [pure-2]}
  pure-2: {requires: [pure-1]}
  p: {requires: [q1]}
resources:
  db: {}
  q1: {}
  q2: {}
  s: {}
  w: {}
",
        );
        let grounding = Grounding::compute(&g);
        assert!(
            grounding.grounded_node.contains(&false),
            "some node is not grounded"
        );
        let thresholds = support_thresholds(&g, Some(&grounding.grounded_entry));
        let nothing = vec![false; g.len()];
        assert_eq!(
            support_at_rest(&g, &thresholds),
            super::super::status::least_support_with(&g, &nothing, &thresholds)
        );
    }

    /// A ring of services inside one component: every third requires `all`
    /// of the next service and its database (a failure goes down the ring),
    /// the others `any` (a failure only degrades).
    fn ring(services: usize) -> Graph {
        let mut y = String::from("services:\n");
        for s in 0..services {
            let next = (s + 1) % services;
            let kind = if s % 3 == 0 { "all" } else { "any" };
            y.push_str(&format!(
                "  svc-{s}:\n    requires: [{{{kind}: [svc-{next}, db-{s}]}}]\n"
            ));
        }
        y.push_str("resources:\n");
        for s in 0..services {
            y.push_str(&format!("  db-{s}: {{}}\n"));
        }
        let sources = [Source {
            name: "ring.yaml".to_owned(),
            text: y,
        }];
        match load_documents(&sources) {
            Ok(l) => l.graph,
            Err(e) => panic!("the ring should load: {e}"),
        }
    }

    #[test]
    fn re_solving_a_cycle_incrementally_matches_a_full_evaluation() {
        let g = ring(40);
        let base = Baseline::new(&g);
        let mut scratch = base.scratch();
        for x in g.nodes() {
            let full = base.evaluate_full(&[x], &[]);
            let incremental = base.evaluate(&mut scratch, &[x], &[], false);
            assert_eq!(incremental, full, "failing {}", g.id(x));
            let down_only = base.evaluate(&mut scratch, &[x], &[], true);
            let full_down: Vec<_> = full
                .iter()
                .copied()
                .filter(|(_, s)| *s == Status::Down)
                .collect();
            assert_eq!(down_only, full_down, "failing {} (down only)", g.id(x));
        }
    }
}
