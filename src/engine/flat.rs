//! One scenario over the whole estate in one pass: the evaluation behind
//! [`Baseline::evaluate_full`](super::incremental::Baseline::evaluate_full),
//! for scenarios that fail a large share of the estate (a region, a zone).
//!
//! Why a second form of the full evaluation: [`super::status::evaluate`]
//! makes three passes in id order (least support, down closure,
//! degradation), each reading every node's members at random over the whole
//! estate and keeping a counter per entry. At a million nodes each of those
//! reads misses the cache. Here the nodes are renumbered once in the order
//! of the components of the `requires` graph (members before owners), each
//! node's entries and members are laid out in that order (the nodes
//! without entries, which read nothing, ahead of all), and one pass
//! settles each node's support, down and degraded state from its members'
//! final states: the tables are read in order, and the state of a scenario
//! is one byte per node.
//!
//! Two things are settled out of that order, as [`super::status`] does:
//! - a component with a cycle is solved as a whole (support as a least
//!   fixed point inside it, then the down closure, then degradation inside
//!   it), by the helpers the incremental engine uses;
//! - an `optional` entry with a member later in the order (`optional` edges
//!   are not part of the component order) is read again after the pass: its
//!   owner's degradation, if it is new, spreads to owners as in
//!   [`super::status::degrade`].

use super::cycle::{degrade_inside, down_inside, first_statuses, support_inside};
use super::entry::{count_alive, degrades_owner, full_weight, threshold};
use super::status::NOT_COUNTED;
use crate::graph::{Csr, Graph, NodeIx};
use crate::model::Status;

/// A node's state in a scenario: the bits of one byte.
const SUPPORTED: u8 = 1;
const DOWN: u8 = 2;
const DEGRADED: u8 = 4;
const DIRECT: u8 = 8;
const ZONE: u8 = 16;

/// An entry's flags.
const OPTIONAL: u8 = 1;
/// A grounded `requires` entry: support counts it (SPEC §3.1).
const COUNTED: u8 = 2;

/// One entry, laid out with its owner: its members are
/// `members[start..next entry's start]`.
#[derive(Debug, Clone, Copy)]
struct FlatEntry {
    start: u32,
    needed: u32,
    /// The counter with no member down (see [`full_weight`]).
    full: u32,
    flags: u8,
}

/// The estate laid out for the one pass, built once per baseline: the
/// nodes without entries, then every component in order (members first),
/// each contiguous.
#[derive(Debug)]
pub(crate) struct Flat {
    /// Positions `0..leaves` hold the nodes without entries: their state
    /// follows from the scenario alone, in a loop over bytes that reads
    /// nothing else.
    leaves: u32,
    /// Position → node.
    order: Vec<NodeIx>,
    /// Node → position.
    pos: Vec<u32>,
    /// Position → its first entry; one more at the end.
    entry_start: Vec<u32>,
    /// Entries by position of their owner, then one that ends the last.
    entries: Vec<FlatEntry>,
    /// Members, as positions.
    members: Vec<u32>,
    /// Each member's weight (same index), only when some entry weighs its
    /// members differently (`failover`); empty otherwise.
    weights: Vec<u32>,
    /// The position ranges of the components with a cycle, ascending.
    cyclic: Vec<(u32, u32)>,
    /// Positions of the nodes with an `optional` member after their
    /// component, ascending.
    late: Vec<u32>,
}

impl Flat {
    /// Lays the graph out in the order of `components` (members first);
    /// `cyclic` per node, `thresholds` per entry as the baseline has them.
    pub(crate) fn new(
        g: &Graph,
        thresholds: &[u32],
        components: &Csr<NodeIx>,
        cyclic: &[bool],
    ) -> Flat {
        // Nodes without entries first (about three in four of a generated
        // estate: its resources), then every other component, contiguous.
        let no_entries = |x: NodeIx| g.requires(x).start == g.optional(x).end;
        let mut order: Vec<NodeIx> = Vec::with_capacity(g.len());
        order.extend(components.items.iter().copied().filter(|&x| no_entries(x)));
        let leaves = order.len();
        let mut rows: Vec<(u32, u32)> = Vec::new();
        let mut flat = Flat {
            leaves: leaves as u32,
            entry_start: vec![0; leaves],
            entries: Vec::with_capacity(g.entries().len() + 1),
            members: Vec::new(),
            weights: Vec::new(),
            cyclic: Vec::new(),
            late: Vec::new(),
            order: Vec::new(),
            pos: Vec::new(),
        };
        for r in 0..components.rows() {
            let row = components.row(r);
            if row.len() == 1 && no_entries(row[0]) {
                continue;
            }
            let start = order.len() as u32;
            order.extend_from_slice(row);
            let end = order.len() as u32;
            rows.push((start, end));
            if cyclic[row[0] as usize] {
                flat.cyclic.push((start, end));
            }
        }
        let mut pos = vec![0u32; g.len()];
        for (p, &x) in order.iter().enumerate() {
            pos[x as usize] = p as u32;
        }
        let weighted = g.has_weighted_entries();
        flat.entry_start.reserve(g.len() + 1 - leaves);
        for (start, end) in rows {
            for p in start..end {
                flat.entry_start.push(flat.entries.len() as u32);
                let x = order[p as usize];
                let mut late = false;
                for e in g.requires(x).start..g.optional(x).end {
                    let entry = &g.entries()[e as usize];
                    let ms = g.members(e);
                    let mut flags = 0;
                    if entry.optional {
                        flags |= OPTIONAL;
                        late |= ms.iter().any(|&m| pos[m as usize] >= end);
                    }
                    if thresholds[e as usize] != NOT_COUNTED {
                        flags |= COUNTED;
                    }
                    flat.entries.push(FlatEntry {
                        start: flat.members.len() as u32,
                        needed: threshold(entry),
                        full: full_weight(g, e),
                        flags,
                    });
                    flat.members.extend(ms.iter().map(|&m| pos[m as usize]));
                    if weighted {
                        let kind = entry.kind;
                        flat.weights
                            .extend((0..ms.len()).map(|i| kind.weight(i, ms.len())));
                    }
                }
                if late {
                    flat.late.push(p);
                }
            }
        }
        flat.entry_start.push(flat.entries.len() as u32);
        flat.entries.push(FlatEntry {
            start: flat.members.len() as u32,
            needed: 0,
            full: 0,
            flags: 0,
        });
        flat.order = order;
        flat.pos = pos;
        flat
    }

    /// Evaluates the scenario that fails `directly_down` and zone-degrades
    /// `zone_degraded`. With `down_only`, degradation is not computed (no
    /// node is reported degraded). O(nodes + members).
    pub(crate) fn evaluate(
        &self,
        g: &Graph,
        thresholds: &[u32],
        directly_down: &[NodeIx],
        zone_degraded: &[NodeIx],
        down_only: bool,
    ) -> FlatState<'_> {
        let mut state = vec![0u8; self.order.len()];
        for &x in directly_down {
            state[self.pos[x as usize] as usize] |= DIRECT;
        }
        for &x in zone_degraded {
            state[self.pos[x as usize] as usize] |= ZONE;
        }
        let mut run = Pass {
            flat: self,
            g,
            thresholds,
            state,
            down_only,
        };
        if self.weights.is_empty() {
            run.settle_in_order::<false>();
        } else {
            run.settle_in_order::<true>();
        }
        if !down_only {
            run.degrade_late();
        }
        FlatState {
            flat: self,
            state: run.state,
        }
    }
}

/// The statuses of one scenario evaluated by [`Flat::evaluate`].
#[derive(Debug)]
pub(crate) struct FlatState<'f> {
    flat: &'f Flat,
    state: Vec<u8>,
}

impl FlatState<'_> {
    /// Node `n`'s status.
    #[inline]
    pub(crate) fn status(&self, n: NodeIx) -> Status {
        status_of(self.state[self.flat.pos[n as usize] as usize])
    }

    /// Every down node, in id order.
    pub(crate) fn down_nodes(&self) -> Vec<NodeIx> {
        let mut down: Vec<NodeIx> = self
            .state
            .iter()
            .zip(&self.flat.order)
            .filter(|(&s, _)| s & DOWN != 0)
            .map(|(_, &n)| n)
            .collect();
        down.sort_unstable();
        down
    }
}

#[inline]
fn status_of(s: u8) -> Status {
    if s & DOWN != 0 {
        Status::Down
    } else if s & DEGRADED != 0 {
        Status::Degraded
    } else {
        Status::Up
    }
}

/// One evaluation in progress.
struct Pass<'f, 'g> {
    flat: &'f Flat,
    g: &'g Graph,
    thresholds: &'f [u32],
    state: Vec<u8>,
    down_only: bool,
}

impl Pass<'_, '_> {
    /// Every node in component order; a component with a cycle as a whole.
    /// `W`: whether members have weights.
    fn settle_in_order<const W: bool>(&mut self) {
        self.settle_leaves();
        let n = self.state.len();
        let mut cyclic = self.flat.cyclic.iter().copied().peekable();
        let mut p = self.flat.leaves as usize;
        while p < n {
            match cyclic.peek() {
                Some(&(start, end)) if start as usize == p => {
                    self.settle_component(start as usize, end as usize);
                    cyclic.next();
                    p = end as usize;
                }
                _ => {
                    self.settle_node::<W>(p);
                    p += 1;
                }
            }
        }
    }

    /// The nodes without entries: supported unless failed directly, down
    /// if failed directly, degraded if only zone-degraded (SPEC §2, §3).
    fn settle_leaves(&mut self) {
        let degrade = if self.down_only { 0 } else { DEGRADED };
        for s in &mut self.state[..self.flat.leaves as usize] {
            *s |= if *s & DIRECT != 0 {
                DOWN
            } else if *s & ZONE != 0 {
                SUPPORTED | degrade
            } else {
                SUPPORTED
            };
        }
    }

    /// A node alone in its component: every member is settled.
    #[inline]
    fn settle_node<const W: bool>(&mut self, p: usize) {
        let flat = self.flat;
        let mut s = self.state[p];
        let mut supported = s & DIRECT == 0;
        let mut down = false;
        let mut degraded = s & ZONE != 0;
        let entries =
            &flat.entries[flat.entry_start[p] as usize..=flat.entry_start[p + 1] as usize];
        for pair in entries.windows(2) {
            let (entry, end) = (pair[0], pair[1].start);
            let (with_support, alive, worse) = self.count::<W>(entry.start as usize..end as usize);
            if entry.flags & OPTIONAL != 0 {
                degraded |= alive < entry.needed;
                continue;
            }
            if entry.flags & COUNTED != 0 && with_support < entry.needed {
                supported = false;
            }
            down |= alive < entry.needed;
            degraded |= alive < entry.full || worse;
        }
        down |= !supported;
        if supported {
            s |= SUPPORTED;
        }
        if down {
            s |= DOWN;
        } else if degraded && !self.down_only {
            s |= DEGRADED;
        }
        self.state[p] = s;
    }

    /// Over the members `range`: the weight of those supported, the weight
    /// of those not down, and whether one is degraded.
    #[inline]
    fn count<const W: bool>(&self, range: std::ops::Range<usize>) -> (u32, u32, bool) {
        let (mut with_support, mut alive, mut worse) = (0u32, 0u32, false);
        for k in range {
            let m = self.state[self.flat.members[k] as usize];
            if W {
                let w = self.flat.weights[k];
                if m & SUPPORTED != 0 {
                    with_support = with_support.saturating_add(w);
                }
                if m & DOWN == 0 {
                    alive = alive.saturating_add(w);
                }
            } else {
                with_support += u32::from(m & SUPPORTED != 0);
                alive += u32::from(m & DOWN == 0);
            }
            worse |= m & DEGRADED != 0;
        }
        (with_support, alive, worse)
    }

    #[inline]
    fn bits(&self, n: NodeIx) -> u8 {
        self.state[self.flat.pos[n as usize] as usize]
    }

    /// A component with a cycle, positions `start..end`: support as a least
    /// fixed point inside it, the down closure, then degradation.
    fn settle_component(&mut self, start: usize, end: usize) {
        let (g, flat) = (self.g, self.flat);
        let nodes = &flat.order[start..end];
        let local = |m: NodeIx| {
            let q = flat.pos[m as usize] as usize;
            (start..end).contains(&q).then(|| q - start)
        };
        let supported = support_inside(
            g,
            self.thresholds,
            nodes,
            |m| local(m).is_some(),
            |x| self.bits(x) & DIRECT != 0,
            |m| self.bits(m) & SUPPORTED != 0,
        );
        let down = down_inside(g, nodes, &supported, local, |m| self.bits(m) & DOWN != 0);
        for (k, (&sup, &d)) in supported.iter().zip(&down).enumerate() {
            let s = &mut self.state[start + k];
            *s |= if sup { SUPPORTED } else { 0 } | if d { DOWN } else { 0 };
        }
        if self.down_only {
            return;
        }
        let status = first_statuses(nodes, &down, |n| {
            if self.degraded_by_itself_or_outside(n, &local) {
                Status::Degraded
            } else {
                Status::Up
            }
        });
        let status = degrade_inside(g, nodes, status, local);
        for (k, st) in status.into_iter().enumerate() {
            if st == Status::Degraded {
                self.state[start + k] |= DEGRADED;
            }
        }
    }

    /// Whether node `n` (not down) of a component being solved is degraded
    /// before degradation spreads inside it (SPEC §3.2): zone-degraded, an
    /// entry that degrades it, or a degraded `requires` member outside.
    fn degraded_by_itself_or_outside(
        &self,
        n: NodeIx,
        local: &impl Fn(NodeIx) -> Option<usize>,
    ) -> bool {
        let g = self.g;
        let alive = |e| count_alive(g, e, |m| self.bits(m) & DOWN == 0);
        self.bits(n) & ZONE != 0
            || g.requires(n)
                .chain(g.optional(n))
                .any(|e| degrades_owner(g, e, alive(e)))
            || g.requires(n).any(|e| {
                g.members(e)
                    .iter()
                    .any(|&m| local(m).is_none() && self.bits(m) & DEGRADED != 0)
            })
    }

    /// The nodes with an `optional` member after them, now that every
    /// node is down or not: those newly degraded, and degradation from
    /// them spread to owners through `requires` (SPEC §3.2 b, d).
    fn degrade_late(&mut self) {
        let (g, flat) = (self.g, self.flat);
        let mut stack: Vec<usize> = Vec::new();
        for &p in &flat.late {
            let p = p as usize;
            if self.state[p] & (DOWN | DEGRADED) != 0 {
                continue;
            }
            let n = flat.order[p];
            let unsatisfied = g
                .optional(n)
                .any(|e| degrades_owner(g, e, count_alive(g, e, |m| self.bits(m) & DOWN == 0)));
            if unsatisfied {
                self.state[p] |= DEGRADED;
                stack.push(p);
            }
        }
        while let Some(p) = stack.pop() {
            for &e in g.member_of(flat.order[p]) {
                let entry = &g.entries()[e as usize];
                if entry.optional {
                    continue;
                }
                let o = flat.pos[entry.owner as usize] as usize;
                if self.state[o] & (DOWN | DEGRADED) == 0 {
                    self.state[o] |= DEGRADED;
                    stack.push(o);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::incremental::Baseline;
    use super::super::scenario::DirectFailure;
    use super::super::status::{evaluate, Grounding};
    use super::super::tests::graph;
    use crate::graph::{Graph, NodeIx};
    use crate::model::{Domain, Status};

    /// Cycles (pure, held up by an `any`, and one a node forms with itself),
    /// `optional` entries pointing both ways along the component order,
    /// failover with `via`, a quorum, zones with `min_zones`: every shape
    /// the one pass settles out of order.
    const SHAPES: &str = "version: 1
functions:
  f: {requires: [api], optional: [late-cache, z]}
  g: {requires: [{quorum: 2, of: [q1, q2, q3]}], optional: [f]}
  h: {requires: [ring-a, {failover: [p, s], via: [switch]}]}
  k: {requires: [self-loop], optional: [zz-last]}
services:
  api: {requires: [{any: [east, west]}], optional: [h]}
  east: {region: r1, requires: [{any: [db-e, west]}]}
  west: {region: r2, requires: [{any: [db-w, east]}]}
  ring-a: {requires: [ring-b], optional: [api]}
  ring-b: {requires: [ring-a]}
  self-loop: {requires: [{any: [self-loop, db-e]}]}
  p: {region: r1}
  s: {region: r2}
  switch: {region: r3}
resources:
  db-e: {region: r1, zones: [a1, a2]}
  db-w: {region: r2, zones: [b1, b2], min_zones: 2}
  late-cache: {region: r3, zones: [a2]}
  z: {region: r2, zones: [b1]}
  zz-last: {region: r3}
  q1: {region: r1, zones: [a1]}
  q2: {region: r2, zones: [b1]}
  q3: {region: r2, zones: [b2]}
";

    /// Every node's status by the three passes of `status`.
    fn by_status(g: &Graph, direct: &DirectFailure) -> Vec<Status> {
        let analysis = evaluate(g, &Grounding::compute(g), direct);
        g.nodes().map(|n| analysis.status(n)).collect()
    }

    fn picked(flags: &[bool]) -> Vec<NodeIx> {
        (0..flags.len() as NodeIx)
            .filter(|&n| flags[n as usize])
            .collect()
    }

    /// Every single domain and every pair of domains of the estate.
    fn scenarios(g: &Graph) -> Vec<Vec<Domain>> {
        let mut singles: Vec<Domain> = g.nodes().map(|n| Domain::Node(g.id(n).into())).collect();
        for r in ["r1", "r2", "r3"] {
            singles.push(Domain::Region(r.into()));
        }
        for z in ["a1", "a2", "b1", "b2"] {
            singles.push(Domain::Zone(z.into()));
        }
        let mut all: Vec<Vec<Domain>> = singles.iter().map(|d| vec![d.clone()]).collect();
        for (i, a) in singles.iter().enumerate() {
            for b in &singles[i + 1..] {
                all.push(vec![a.clone(), b.clone()]);
            }
        }
        all
    }

    #[test]
    fn one_pass_in_component_order_gives_the_statuses_of_the_three_passes() {
        let g = graph(SHAPES);
        let base = Baseline::new(&g);
        let mut degraded_somewhere = 0;
        for failed in scenarios(&g) {
            let direct = DirectFailure::compute(&g, &failed);
            let expected = by_status(&g, &direct);
            let (down, zone) = (picked(&direct.down), picked(&direct.zone_degraded));
            let state = base.full_state(&down, &zone, false);
            let got: Vec<Status> = g.nodes().map(|n| state.status(n)).collect();
            assert_eq!(got, expected, "under {failed:?}");
            let down_only = base.full_state(&down, &zone, true);
            for n in g.nodes() {
                let want = if expected[n as usize] == Status::Down {
                    Status::Down
                } else {
                    Status::Up
                };
                assert_eq!(down_only.status(n), want, "{} under {failed:?}", g.id(n));
            }
            degraded_somewhere += usize::from(got.contains(&Status::Degraded));
        }
        assert!(degraded_somewhere > 10, "the scenarios degrade nodes");
    }

    #[test]
    fn an_optional_member_after_its_owner_degrades_it_and_its_owners_through_requires() {
        let g = graph(SHAPES);
        let base = Baseline::new(&g);
        let flat = base.flat();
        let n = |id: &str| g.find(id).expect("the node exists");
        // Whatever the component order, one of the two optional edges
        // between `api` and the ring points forward.
        assert!(!flat.late.is_empty(), "some optional member comes later");
        let state = base.full_state(&[n("zz-last")], &[], false);
        assert_eq!(state.status(n("k")), Status::Degraded);
        assert_eq!(state.status(n("self-loop")), Status::Up);
        // `h` lost: `api` misses an optional member, `f` requires `api`;
        // an optional entry passes on a loss, not a degradation.
        let state = base.full_state(&[n("h")], &[], false);
        for id in ["api", "f"] {
            assert_eq!(state.status(n(id)), Status::Degraded, "{id}");
        }
        for id in ["ring-a", "ring-b", "g"] {
            assert_eq!(state.status(n(id)), Status::Up, "{id}");
        }
    }
}
