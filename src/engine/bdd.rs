//! Reduced ordered binary decision diagrams: the exact representation of
//! "which combinations of failed basic events take this node down" that
//! SPEC §7 availability is computed over.
//!
//! Why a BDD: a function's status is a Boolean function of the failed
//! events; redundancy (`any`, `quorum`), zones (`min_zones`) and cycles make
//! it anything but a product. A BDD holds it canonically (equal functions
//! are the same node, so fixed-point iterations over cycles stop by
//! comparing handles), and the probability of a BDD under independent
//! events is one memoised pass (Shannon decomposition), with no
//! subtraction that could cancel digits: P(down) of 1e-13 keeps them.
//!
//! Variable `v` true means "basic event `v` has failed". Nodes are
//! hash-consed in one table shared by every function of an estate, so a
//! deployment's diagram is built once and reused by every function that
//! needs it. No complement edges: simpler, and the estates' diagrams are
//! small (a handful of regions and zones per function).

use rustc_hash::FxHashMap;

/// A handle to a diagram node. [`FALSE`] and [`TRUE`] are the terminals.
pub type Bdd = u32;
/// The constant false.
pub const FALSE: Bdd = 0;
/// The constant true.
pub const TRUE: Bdd = 1;
/// The level of the terminals: below every variable.
const TERMINAL: u32 = u32::MAX;

/// The diagram grew past its node budget (SPEC §7.2: the function then
/// reports `exact: false` with bounds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget;

/// A node: test variable `var`, go to `hi` if it failed, `lo` if not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Node {
    var: u32,
    lo: Bdd,
    hi: Bdd,
}

/// The node store, the unique table and the operation cache.
#[derive(Debug)]
pub struct Manager {
    nodes: Vec<Node>,
    unique: FxHashMap<Node, Bdd>,
    ite_cache: FxHashMap<(Bdd, Bdd, Bdd), Bdd>,
    budget: usize,
}

impl Manager {
    /// An empty manager that refuses to hold more than `budget` nodes.
    pub fn new(budget: usize) -> Self {
        let terminal = |v| Node {
            var: TERMINAL,
            lo: v,
            hi: v,
        };
        Manager {
            nodes: vec![terminal(FALSE), terminal(TRUE)],
            unique: FxHashMap::default(),
            ite_cache: FxHashMap::default(),
            budget: budget.max(2),
        }
    }

    /// Number of nodes held (terminals included): the size the budget caps.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the terminals exist.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 2
    }

    /// The variable tested at `f` (`None` for a terminal).
    pub fn var(&self, f: Bdd) -> Option<u32> {
        let v = self.nodes[f as usize].var;
        (v != TERMINAL).then_some(v)
    }

    /// The branches of `f`: (not failed, failed).
    pub fn branches(&self, f: Bdd) -> (Bdd, Bdd) {
        let n = self.nodes[f as usize];
        (n.lo, n.hi)
    }

    /// The diagram of "variable `var` failed".
    pub fn var_node(&mut self, var: u32) -> Result<Bdd, OverBudget> {
        self.make(var, FALSE, TRUE)
    }

    fn level(&self, f: Bdd) -> u32 {
        self.nodes[f as usize].var
    }

    /// The unique node (var, lo, hi), reduced: equal branches collapse.
    fn make(&mut self, var: u32, lo: Bdd, hi: Bdd) -> Result<Bdd, OverBudget> {
        if lo == hi {
            return Ok(lo);
        }
        let node = Node { var, lo, hi };
        if let Some(&b) = self.unique.get(&node) {
            return Ok(b);
        }
        if self.nodes.len() >= self.budget {
            return Err(OverBudget);
        }
        let b = self.nodes.len() as Bdd;
        self.nodes.push(node);
        self.unique.insert(node, b);
        Ok(b)
    }

    /// The branch of `f` when the variable at `level` is `value`.
    fn cofactor(&self, f: Bdd, level: u32, value: bool) -> Bdd {
        let n = self.nodes[f as usize];
        if n.var != level {
            f
        } else if value {
            n.hi
        } else {
            n.lo
        }
    }

    /// if `f` then `g` else `h`: every Boolean operation reduces to it.
    /// Recursion depth is at most the number of variables.
    pub fn ite(&mut self, f: Bdd, g: Bdd, h: Bdd) -> Result<Bdd, OverBudget> {
        match (f, g, h) {
            (TRUE, _, _) => return Ok(g),
            (FALSE, _, _) => return Ok(h),
            (_, TRUE, FALSE) => return Ok(f),
            _ if g == h => return Ok(g),
            _ => {}
        }
        if let Some(&r) = self.ite_cache.get(&(f, g, h)) {
            return Ok(r);
        }
        let top = self.level(f).min(self.level(g)).min(self.level(h));
        let (f0, g0, h0) = (
            self.cofactor(f, top, false),
            self.cofactor(g, top, false),
            self.cofactor(h, top, false),
        );
        let (f1, g1, h1) = (
            self.cofactor(f, top, true),
            self.cofactor(g, top, true),
            self.cofactor(h, top, true),
        );
        let lo = self.ite(f0, g0, h0)?;
        let hi = self.ite(f1, g1, h1)?;
        let r = self.make(top, lo, hi)?;
        self.ite_cache.insert((f, g, h), r);
        Ok(r)
    }

    /// `f` and `g`.
    pub fn and(&mut self, f: Bdd, g: Bdd) -> Result<Bdd, OverBudget> {
        self.ite(f, g, FALSE)
    }

    /// `f` or `g`.
    pub fn or(&mut self, f: Bdd, g: Bdd) -> Result<Bdd, OverBudget> {
        self.ite(f, TRUE, g)
    }

    /// not `f`.
    pub fn not(&mut self, f: Bdd) -> Result<Bdd, OverBudget> {
        self.ite(f, FALSE, TRUE)
    }

    /// The diagram of "`predicate(c)` holds", where `c` is the summed
    /// weight of the `items` that hold (an item holds where its diagram is
    /// true). This is how a counting rule of the engine (an entry satisfied
    /// when enough members are alive, an owner degraded when one is lost,
    /// the zone rule) becomes a diagram without being rewritten: the rule
    /// is asked for every count the items can reach.
    ///
    /// With `monotone`, the caller promises that `predicate` is monotone
    /// (or antitone) in `c`: a branch stops as soon as the predicate has
    /// the same value for every count still reachable, which makes `all`
    /// and `any` entries linear in their members and `k of n` O(n·k).
    /// Without it every reachable count is checked (for short lists, such
    /// as a node's zones). Items are folded from the last one backwards,
    /// memoised on (position, count).
    pub fn counting(
        &mut self,
        items: &[(Bdd, u32)],
        monotone: bool,
        predicate: impl Fn(u32) -> bool,
    ) -> Result<Bdd, OverBudget> {
        let mut rest_weight = vec![0u32; items.len() + 1];
        for i in (0..items.len()).rev() {
            rest_weight[i] = rest_weight[i + 1] + items[i].1;
        }
        let mut memo: FxHashMap<(usize, u32), Bdd> = FxHashMap::default();
        self.counting_from(0, 0, items, &rest_weight, monotone, &predicate, &mut memo)
    }

    #[allow(clippy::too_many_arguments)]
    fn counting_from(
        &mut self,
        i: usize,
        count: u32,
        items: &[(Bdd, u32)],
        rest_weight: &[u32],
        monotone: bool,
        predicate: &impl Fn(u32) -> bool,
        memo: &mut FxHashMap<(usize, u32), Bdd>,
    ) -> Result<Bdd, OverBudget> {
        let low = predicate(count);
        let high = count + rest_weight[i];
        let constant = if monotone {
            predicate(high) == low
        } else {
            (count..=high).all(|c| predicate(c) == low)
        };
        if constant {
            return Ok(if low { TRUE } else { FALSE });
        }
        if let Some(&b) = memo.get(&(i, count)) {
            return Ok(b);
        }
        let (item, weight) = items[i];
        let holds = self.counting_from(
            i + 1,
            count + weight,
            items,
            rest_weight,
            monotone,
            predicate,
            memo,
        )?;
        let fails =
            self.counting_from(i + 1, count, items, rest_weight, monotone, predicate, memo)?;
        let r = self.ite(item, holds, fails)?;
        memo.insert((i, count), r);
        Ok(r)
    }
}

/// The probability that a diagram is true when variable `v` is true
/// (failed) with probability `q[v]`, independently; memoised in `cache`
/// by node, so every function of an estate shares the work.
pub fn probability(m: &Manager, f: Bdd, q: &[f64], cache: &mut Vec<f64>) -> f64 {
    if cache.len() < m.len() {
        cache.resize(m.len(), f64::NAN);
    }
    cache[FALSE as usize] = 0.0;
    cache[TRUE as usize] = 1.0;
    probability_of(m, f, q, cache)
}

fn probability_of(m: &Manager, f: Bdd, q: &[f64], cache: &mut Vec<f64>) -> f64 {
    let known = cache[f as usize];
    if !known.is_nan() {
        return known;
    }
    let n = m.nodes[f as usize];
    let lo = probability_of(m, n.lo, q, cache);
    let hi = probability_of(m, n.hi, q, cache);
    let qv = q[n.var as usize];
    // Both terms are non-negative: no cancellation, tiny figures keep
    // their digits.
    let p = qv * hi + (1.0 - qv) * lo;
    cache[f as usize] = p;
    p
}

/// For each variable `v` in `f`, P(f) − P(f | v never fails): the
/// improvement of SPEC §7.2. P(f) is multilinear in q[v], so that
/// difference is q[v] · ∂P/∂q[v], and the derivative is one top-down pass:
/// Σ over the nodes testing v of P(reaching the node) · (P(hi) − P(lo)).
/// `probabilities` must hold P of every node under `f` (the cache
/// [`probability`] filled). O(nodes of f · log).
pub fn improvements(m: &Manager, f: Bdd, q: &[f64], probabilities: &[f64]) -> Vec<(u32, f64)> {
    let mut reach: FxHashMap<Bdd, f64> = FxHashMap::default();
    let mut order = Vec::new();
    let mut stack = vec![f];
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some(x) = stack.pop() {
        if x <= TRUE || !seen.insert(x) {
            continue;
        }
        order.push(x);
        let n = m.nodes[x as usize];
        stack.push(n.lo);
        stack.push(n.hi);
    }
    // Parents test earlier variables than their children: by level, then
    // handle, is a topological order (and deterministic).
    order.sort_unstable_by_key(|&x| (m.nodes[x as usize].var, x));
    reach.insert(f, 1.0);
    let mut derivative: FxHashMap<u32, f64> = FxHashMap::default();
    for x in order {
        let r = reach.get(&x).copied().unwrap_or(0.0);
        let n = m.nodes[x as usize];
        let qv = q[n.var as usize];
        *derivative.entry(n.var).or_insert(0.0) +=
            r * (probabilities[n.hi as usize] - probabilities[n.lo as usize]);
        *reach.entry(n.hi).or_insert(0.0) += r * qv;
        *reach.entry(n.lo).or_insert(0.0) += r * (1.0 - qv);
    }
    let mut out: Vec<(u32, f64)> = derivative
        .into_iter()
        .map(|(v, d)| (v, q[v as usize] * d))
        .collect();
    out.sort_unstable_by_key(|&(v, _)| v);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(f: impl Fn(&[bool]) -> bool, q: &[f64]) -> f64 {
        let n = q.len();
        (0..1u32 << n)
            .map(|s| {
                let x: Vec<bool> = (0..n).map(|i| s >> i & 1 == 1).collect();
                let p: f64 = (0..n)
                    .map(|i| if x[i] { q[i] } else { 1.0 - q[i] })
                    .product();
                if f(&x) {
                    p
                } else {
                    0.0
                }
            })
            .sum()
    }

    #[test]
    fn two_trains_of_valve_and_pump_fail_with_probability_0_7225() {
        // Each train fails when its valve (0.5) or its pump (0.7) fails;
        // the system fails when both trains fail.
        let mut m = Manager::new(1000);
        let v: Vec<Bdd> = (0..4).map(|i| m.var_node(i).unwrap()).collect();
        let t1 = m.or(v[0], v[1]).unwrap();
        let t2 = m.or(v[2], v[3]).unwrap();
        let sys = m.and(t1, t2).unwrap();
        let q = [0.5, 0.7, 0.5, 0.7];
        let mut cache = Vec::new();
        let p = probability(&m, sys, &q, &mut cache);
        assert!((p - 0.7225).abs() < 1e-15, "{p}");
    }

    #[test]
    fn counting_k_of_n_equals_enumeration() {
        let mut m = Manager::new(10_000);
        let q = [0.1, 0.2, 0.3, 0.4, 0.5];
        let items: Vec<(Bdd, u32)> = (0..5).map(|i| (m.var_node(i).unwrap(), 1)).collect();
        // "at least 3 have failed", built both ways.
        let fast = m.counting(&items, true, |c| c >= 3).unwrap();
        let slow = m.counting(&items, false, |c| c >= 3).unwrap();
        assert_eq!(fast, slow, "canonical: the same function is the same node");
        let mut cache = Vec::new();
        let p = probability(&m, fast, &q, &mut cache);
        let expect = brute(|x| x.iter().filter(|&&b| b).count() >= 3, &q);
        assert!((p - expect).abs() < 1e-15, "{p} vs {expect}");
    }

    #[test]
    fn improvement_is_the_drop_when_the_event_never_fails() {
        let mut m = Manager::new(10_000);
        let q = [0.01, 0.02, 0.03];
        let v: Vec<Bdd> = (0..3).map(|i| m.var_node(i).unwrap()).collect();
        // down = v0 or (v1 and v2)
        let both = m.and(v[1], v[2]).unwrap();
        let f = m.or(v[0], both).unwrap();
        let mut cache = Vec::new();
        let p = probability(&m, f, &q, &mut cache);
        let got = improvements(&m, f, &q, &cache);
        for (var, imp) in got {
            let mut q0 = q;
            q0[var as usize] = 0.0;
            let without = brute(|x| x[0] || (x[1] && x[2]), &q0);
            assert!((imp - (p - without)).abs() < 1e-15, "var {var}: {imp}");
        }
    }

    #[test]
    fn a_diagram_past_its_budget_says_so() {
        let mut m = Manager::new(4);
        let a = m.var_node(0).unwrap();
        let b = m.var_node(1).unwrap();
        assert_eq!(m.and(a, b), Err(OverBudget));
    }
}
