//! The rules that decide a node's state from what it requires (SPEC §1.2,
//! §3.1–§3.4) and from its zones (SPEC §2), each written once.
//!
//! An entry is **satisfied** when enough of its members are not down:
//! `all` needs every member, `any` one, `quorum: k` k of them. Every
//! counting pass of the engine (grounding, support, the down closure, the
//! incremental evaluation, a cyclic component re-solved, explanations)
//! asks [`satisfied`] with the number of members it counts as alive, and
//! nothing else compares a count with a threshold. **Lost redundancy**
//! ([`degrades_owner`]) and the **explanation steps** ([`down_steps`],
//! [`degraded_steps`]) are here for the same reason: `analyze`, `sweep`,
//! `spof` and `check` must agree on them byte for byte, and a SPEC change
//! must be one edit.
//!
//! # Entry kinds and weights
//! Callers keep one counter per entry (the weight of its members alive) and
//! pass it here; the kind decides what the counter means. Every member of
//! `all`, `any` and `quorum` weighs 1. SPEC §6.1 `failover` + `via`
//! (satisfied by the primary, or by a standby *and* every `via` node) is a
//! weighted threshold over the members stored as `[primary, standby…,
//! via…]` (weights in [`EntryKind::Failover`]): counters move by
//! [`weight`], never by a literal one, so the kind stays one variant here
//! and nothing else in the engine knows it exists.
//!
//! Everything here is `#[inline]`, allocation-free on the hot paths, and
//! O(1) or O(members of one entry).

use crate::graph::{Entry, EntryIx, Graph, NodeIx};
use crate::model::EntryKind;

/// How many members must be not down for `entry` to be satisfied. Counting
/// callers (least fixed points) watch their counter cross this value.
#[inline]
pub fn threshold(entry: &Entry) -> u32 {
    entry.needed
}

/// How much member `m` of entry `e` moves the entry's counter: 1, except in
/// a `failover` entry. O(1), or O(members of `e`) for `failover` (a member's
/// role is its position; failover entries are short).
#[inline]
pub fn weight(graph: &Graph, e: EntryIx, m: NodeIx) -> u32 {
    if !graph.has_weighted_entries() {
        return 1;
    }
    let kind = graph.entries()[e as usize].kind;
    if !matches!(kind, EntryKind::Failover { .. }) {
        return 1;
    }
    let members = graph.members(e);
    let position = members.iter().position(|&x| x == m).unwrap_or(0);
    kind.weight(position, members.len())
}

/// The counter of entry `e` when no member is down: the sum of its members'
/// weights (the member count, except for `failover`).
#[inline]
pub fn full_weight(graph: &Graph, e: EntryIx) -> u32 {
    let entry = &graph.entries()[e as usize];
    let n = graph.members(e).len();
    match entry.kind {
        EntryKind::Failover { .. } => (0..n)
            .map(|p| entry.kind.weight(p, n))
            .fold(0u32, u32::saturating_add),
        _ => n as u32,
    }
}

/// Whether a counter that moved from `before` to `after` has just reached
/// `entry`'s threshold: least fixed points act on that step only.
#[inline]
pub fn reached(entry: &Entry, before: u32, after: u32) -> bool {
    before < threshold(entry) && after >= threshold(entry)
}

/// Whether losing any one member leaves entry `e` unsatisfied (`all`, a
/// quorum of every member, a failover with nothing to fail over to): the
/// entry passes every member's failure on to its owner.
#[inline]
pub fn needs_every_member(graph: &Graph, e: EntryIx) -> bool {
    threshold(&graph.entries()[e as usize]) >= full_weight(graph, e)
}

/// Whether `entry` is satisfied when `alive` of its members are not down
/// (or supported, for SPEC §3.1 support). The one satisfaction rule.
#[inline]
pub fn satisfied(entry: &Entry, alive: u32) -> bool {
    alive >= threshold(entry)
}

/// How many members of entry `e` are alive by `is_alive`: the count
/// [`satisfied`] takes, for callers that keep no counter. O(members).
#[inline]
pub fn count_alive(graph: &Graph, e: EntryIx, is_alive: impl Fn(NodeIx) -> bool) -> u32 {
    let members = graph.members(e);
    let kind = graph.entries()[e as usize].kind;
    if !graph.has_weighted_entries() || !matches!(kind, EntryKind::Failover { .. }) {
        return members.iter().filter(|&&m| is_alive(m)).count() as u32;
    }
    members
        .iter()
        .enumerate()
        .filter(|(_, &m)| is_alive(m))
        .map(|(p, _)| kind.weight(p, members.len()))
        .fold(0u32, u32::saturating_add)
}

/// Whether entry `e` is satisfied, asking `is_alive` of each member.
/// O(members).
#[inline]
pub fn satisfied_by(graph: &Graph, e: EntryIx, is_alive: impl Fn(NodeIx) -> bool) -> bool {
    satisfied(
        &graph.entries()[e as usize],
        count_alive(graph, e, is_alive),
    )
}

/// Whether entry `e`, with `alive` (weighted) members not down, makes its
/// owner degraded when the owner is not down (SPEC §3.2): an `optional`
/// entry unsatisfied (b), or a `requires` entry that lost any member,
/// redundant or not, `via` nodes included (c, lost redundancy; every weight
/// is at least 1, so any loss shows in the counter).
#[inline]
pub fn degrades_owner(graph: &Graph, e: EntryIx, alive: u32) -> bool {
    let entry = &graph.entries()[e as usize];
    if entry.optional {
        !satisfied(entry, alive)
    } else {
        alive < full_weight(graph, e)
    }
}

/// The `via` nodes of entry `e` (what a failover's switch needs, SPEC
/// §6.1), as stored; empty for the other kinds. When the primary is itself
/// listed in `via`, every other member is stored as a `via` node.
pub fn via_members(graph: &Graph, e: EntryIx) -> &[NodeIx] {
    match graph.entries()[e as usize].kind {
        EntryKind::Failover { standbys, .. } => &graph.members(e)[1 + standbys as usize..],
        _ => &[],
    }
}

/// The steps of a down explanation (SPEC §3.3, §3.4): the down members of
/// the unsatisfied `requires` entries of `x`, ascending, without repeats.
/// `alive` gives an entry's members not down (a counter, or
/// [`count_alive`]). O(members of `x`'s entries + k log k).
pub fn down_steps(
    graph: &Graph,
    x: NodeIx,
    alive: impl Fn(EntryIx) -> u32,
    is_down: impl Fn(NodeIx) -> bool,
) -> Vec<NodeIx> {
    let mut next = Vec::new();
    for e in graph.requires(x) {
        if satisfied(&graph.entries()[e as usize], alive(e)) {
            continue;
        }
        next.extend(graph.members(e).iter().copied().filter(|&m| is_down(m)));
    }
    next.sort_unstable();
    next.dedup();
    next
}

/// The steps of a degradation chain (SPEC §3.2 d): the degraded members of
/// the `requires` entries of `x`, ascending, without repeats.
pub fn degraded_steps(
    graph: &Graph,
    x: NodeIx,
    is_degraded: impl Fn(NodeIx) -> bool,
) -> Vec<NodeIx> {
    let mut next: Vec<NodeIx> = graph
        .requires(x)
        .flat_map(|e| graph.members(e).iter().copied())
        .filter(|&m| is_degraded(m))
        .collect();
    next.sort_unstable();
    next.dedup();
    next
}

/// What losing zones does to a node by itself (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneEffect {
    /// None of its listed zones failed.
    Unaffected,
    /// It lost some zones but keeps `min_zones`.
    Degraded,
    /// Fewer than `min_zones` of its zones are left: directly down.
    Down,
}

/// The zone rule (SPEC §2): with `listed` zones in the node's explicit list
/// and `lost` of them failed, |Z| − |L| < min_zones → directly down, else
/// L non-empty → zone-degraded. The one place both the scenario and the
/// sweep's per-zone index apply it.
#[inline]
pub fn zone_effect(listed: usize, lost: usize, min_zones: u32) -> ZoneEffect {
    if lost == 0 {
        ZoneEffect::Unaffected
    } else if ((listed - lost) as u32) < min_zones {
        ZoneEffect::Down
    } else {
        ZoneEffect::Degraded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: EntryKind, members: usize) -> Entry {
        Entry {
            owner: 0,
            kind,
            needed: kind.needed(members),
            optional: false,
        }
    }

    #[test]
    fn all_needs_every_member() {
        assert!(satisfied(&entry(EntryKind::All, 3), 3));
        assert!(!satisfied(&entry(EntryKind::All, 3), 2));
    }

    #[test]
    fn any_needs_one_member() {
        assert!(satisfied(&entry(EntryKind::Any, 3), 1));
        assert!(!satisfied(&entry(EntryKind::Any, 3), 0));
    }

    #[test]
    fn quorum_needs_k_members() {
        assert!(satisfied(&entry(EntryKind::Quorum(2), 3), 2));
        assert!(!satisfied(&entry(EntryKind::Quorum(2), 3), 1));
    }

    #[test]
    fn zone_loss_below_min_zones_is_down_above_is_degraded() {
        assert_eq!(zone_effect(3, 0, 2), ZoneEffect::Unaffected);
        assert_eq!(zone_effect(3, 1, 2), ZoneEffect::Degraded);
        assert_eq!(zone_effect(3, 2, 2), ZoneEffect::Down);
        assert_eq!(zone_effect(1, 1, 1), ZoneEffect::Down);
    }
}
