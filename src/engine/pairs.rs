//! Double failures (SPEC §6.3): for each function f, every pair `[a, b]`
//! (a < b, neither f nor one of f's single points of failure) whose joint
//! loss takes f down.
//!
//! # Algorithm
//! Brute force would run one propagation per pair of nodes: O(n²) scenarios.
//! Instead, each candidate `a` is failed **once** and held
//! ([`Baseline::hold`]); its partners are then evaluated on top of that held
//! scenario ([`Held::evaluate`]), so each costs only what `b` reaches given
//! `a` — `a`'s wave is never propagated again. And `b` is only tried where
//! it can meet `a`'s wave:
//!
//! - **Closure.** Candidates are the nodes the asked functions depend on
//!   (through `requires`, `via` included): a node outside f's dependency
//!   closure leaves f's status as it is, so a pair holding one is a single
//!   point of failure plus a bystander.
//! - **Frontier.** Let L(a) be the nodes `a`'s failure takes down or takes
//!   support from (SPEC §3.1; a node can be down yet supported, when its
//!   `requires` rest on a cycle, and still lose that support), and call a
//!   node *lost* when it is down and unsupported. Take a node m that loses
//!   something under `{a, b}` that it keeps under each alone, lowest in the
//!   component order (f is such a node, so one exists). Its members lose
//!   jointly only what they lose under `a` or under `b`, so one `requires`
//!   entry of m lost a member x ∈ L(a) while m kept something to lose, and
//!   another member y, not lost under `a`, loses under `b`: `b` lies in the
//!   dependency closure of y. When m's component has a cycle, support can be
//!   lost through any entry of the component: `b` lies in the closure of m.
//!   So `b` is searched only in the closure of these **frontier seeds**: the
//!   members not lost of an entry that lost a member to L(a) but whose owner
//!   is not lost (or that owner itself, in a cyclic component). A failure
//!   absorbed nowhere (a chain up to a function) has no frontier and costs
//!   nothing more; an `any` between two regions offers the other region.
//!
//! Candidates `a` are processed in parallel (one pair of scratch spaces per
//! thread); pairs are reported once, from their smaller member.
//!
//! # Complexity
//! With C the candidates, reach(x) what x's failure touches, and P(a) the
//! frontier closure of `a` (capped by C):
//! O(Σ_a [reach(a) + |P(a)| + Σ_{b ∈ P(a), b > a} reach(b | a)] + spof),
//! plus sorting the output. Redundancy kept at the top (a function that
//! needs either of two regions) makes P(a) the other region, which is also
//! the size of the answer; a failure absorbed low (an `any` over two
//! replicas) makes P(a) small. Memory: the graph, two scratch spaces and a
//! visit mark per thread, and the pairs found.

use rayon::prelude::*;

use super::incremental::{Baseline, Held, Scratch};
use super::spof::{dependencies_of, spof, FunctionSpofs};
use crate::graph::{Graph, NodeIx};
use crate::model::Status;

/// A function, its single points of failure and its pairs (SPEC §6.3),
/// each sorted. Both empty for a function down with nothing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionPairs {
    pub function: NodeIx,
    pub spofs: Vec<NodeIx>,
    /// `(a, b)` with a < b.
    pub pairs: Vec<(NodeIx, NodeIx)>,
}

/// Computes the single points of failure and the pairs of `functions` (in
/// the order given). Parallel; the result does not depend on the number
/// of threads. `progress` is called with the number of first members done
/// since its last call.
pub fn pairs(
    baseline: &Baseline,
    functions: &[NodeIx],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<FunctionPairs> {
    let graph = baseline.graph();
    let singles = spof(baseline, functions, &|_| {});
    let asked = Asked::new(graph, &singles);
    let candidates = dependencies_of(graph, functions);
    let mut in_closure = vec![false; graph.len()];
    for &c in &candidates {
        in_closure[c as usize] = true;
    }
    let mut found: Vec<(NodeIx, NodeIx, NodeIx)> = candidates
        .par_chunks(64)
        .map_init(
            || Search::new(baseline),
            |search, chunk| {
                let mut out = Vec::new();
                for &a in chunk {
                    search.pairs_with(a, &in_closure, &asked, &mut out);
                }
                progress(chunk.len() as u64);
                out
            },
        )
        .flatten()
        .collect();
    found.par_sort_unstable();
    found.dedup();
    singles
        .into_iter()
        .map(|s| {
            let start = found.partition_point(|t| t.0 < s.function);
            let end = found.partition_point(|t| t.0 <= s.function);
            FunctionPairs {
                function: s.function,
                spofs: s.spofs,
                pairs: found[start..end].iter().map(|t| (t.1, t.2)).collect(),
            }
        })
        .collect()
}

/// The asked functions (not down at rest) and what takes each down alone.
struct Asked {
    /// Per node: its position in `spofs` when it is an asked function.
    slot: Vec<u32>,
    spofs: Vec<Vec<NodeIx>>,
}

impl Asked {
    const NOT_ASKED: u32 = u32::MAX;

    fn new(graph: &Graph, singles: &[FunctionSpofs]) -> Asked {
        let mut slot = vec![Self::NOT_ASKED; graph.len()];
        let mut spofs = Vec::new();
        for s in singles {
            slot[s.function as usize] = spofs.len() as u32;
            spofs.push(s.spofs.clone());
        }
        Asked { slot, spofs }
    }

    /// Whether `g` is an asked function that `x`'s loss alone does not
    /// take down (x is neither g nor one of its single points of failure).
    #[inline]
    fn survives_alone(&self, g: NodeIx, x: NodeIx) -> bool {
        let slot = self.slot[g as usize];
        slot != Self::NOT_ASKED && g != x && self.spofs[slot as usize].binary_search(&x).is_err()
    }
}

/// One thread's working state: the held first failure, the second
/// failure's scratch, and the partners of the last frontier.
struct Search<'b, 'g> {
    baseline: &'b Baseline<'g>,
    first: Scratch,
    second: Scratch,
    partners: Partners,
}

impl<'b, 'g> Search<'b, 'g> {
    fn new(baseline: &'b Baseline<'g>) -> Self {
        Search {
            baseline,
            first: baseline.scratch(),
            second: baseline.scratch(),
            partners: Partners::new(baseline.graph().len()),
        }
    }

    /// Appends `(g, a, b)` for every asked function g that `a` and a
    /// partner `b > a` take down together but neither alone.
    fn pairs_with(
        &mut self,
        a: NodeIx,
        in_closure: &[bool],
        asked: &Asked,
        out: &mut Vec<(NodeIx, NodeIx, NodeIx)>,
    ) {
        if self.baseline.status(a) == Status::Down {
            return;
        }
        let held = self.baseline.hold(&mut self.first, &[a]);
        let partners = self
            .partners
            .of(self.baseline.graph(), frontier_seeds(&held, in_closure));
        let start = partners.partition_point(|&b| b <= a);
        for &b in &partners[start..] {
            // A node down but still supported (it needs a cycle that a
            // failure broke) can still lose its support: only one that is
            // down and unsupported has nothing left to lose.
            if held.is_lost(b) {
                continue;
            }
            for g in held.evaluate(&mut self.second, &[b]) {
                if asked.survives_alone(g, b) {
                    out.push((g, a, b));
                }
            }
        }
    }
}

/// The dependency closure of a frontier, kept for the next first failure:
/// neighbouring candidates (the parts of one deployment) share a frontier.
struct Partners {
    seeds: Vec<NodeIx>,
    closure: Vec<NodeIx>,
    mark: Vec<u32>,
    epoch: u32,
    stack: Vec<NodeIx>,
}

impl Partners {
    fn new(nodes: usize) -> Self {
        Partners {
            seeds: Vec::new(),
            closure: Vec::new(),
            mark: vec![0; nodes],
            epoch: 0,
            stack: Vec::new(),
        }
    }

    /// Every node in the dependency closure of `seeds`, sorted; recomputed
    /// only when the seeds differ from the last call's. O(that closure +
    /// its members).
    fn of(&mut self, graph: &Graph, seeds: Vec<NodeIx>) -> &[NodeIx] {
        if seeds == self.seeds && self.epoch != 0 {
            return &self.closure;
        }
        self.seeds = seeds;
        self.epoch += 1;
        self.closure.clear();
        for &s in &self.seeds {
            if self.mark[s as usize] != self.epoch {
                self.mark[s as usize] = self.epoch;
                self.stack.push(s);
            }
        }
        while let Some(x) = self.stack.pop() {
            self.closure.push(x);
            for e in graph.requires(x) {
                for &m in graph.members(e) {
                    if self.mark[m as usize] != self.epoch {
                        self.mark[m as usize] = self.epoch;
                        self.stack.push(m);
                    }
                }
            }
        }
        self.closure.sort_unstable();
        &self.closure
    }
}

/// The frontier seeds of a held failure (module doc): for each `requires`
/// entry that lost a member to the failure (down, or its support, SPEC
/// §3.1) but whose owner (in the asked functions' closure) has something
/// left to lose, its members that have too, or the owner itself when its
/// component has a cycle. Sorted, without repeats.
fn frontier_seeds(held: &Held, in_closure: &[bool]) -> Vec<NodeIx> {
    let baseline = held.baseline();
    let graph = baseline.graph();
    let mut seeds = Vec::new();
    for x in held.newly_lost() {
        for &e in graph.member_of(x) {
            let entry = &graph.entries()[e as usize];
            let o = entry.owner;
            if entry.optional || held.is_lost(o) || !in_closure[o as usize] {
                continue;
            }
            if baseline.component_of(o).1 {
                seeds.push(o);
            } else {
                seeds.extend(graph.members(e).iter().filter(|&&m| !held.is_lost(m)));
            }
        }
    }
    seeds.sort_unstable();
    seeds.dedup();
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_documents, Source};

    fn graph(y: &str) -> Graph {
        let sources = [Source {
            name: "pairs.yaml".to_owned(),
            text: y.to_owned(),
        }];
        match load_documents(&sources) {
            Ok(l) => l.graph,
            Err(e) => panic!("the estate should load: {e}"),
        }
    }

    /// Every pair of nodes, each scenario evaluated from scratch.
    fn brute_force(g: &Graph, f: NodeIx) -> (Vec<NodeIx>, Vec<(NodeIx, NodeIx)>) {
        let base = Baseline::new(g);
        if base.status(f) == Status::Down {
            return (Vec::new(), Vec::new());
        }
        let down = |failed: &[NodeIx]| base.evaluate_full(failed, &[]).contains(&(f, Status::Down));
        let singles: Vec<NodeIx> = g.nodes().filter(|&x| x != f && down(&[x])).collect();
        let mut pairs = Vec::new();
        for a in g.nodes() {
            for b in g.nodes().filter(|&b| b > a) {
                let excluded = [a, b].iter().any(|x| *x == f || singles.contains(x));
                if !excluded && down(&[a, b]) {
                    pairs.push((a, b));
                }
            }
        }
        (singles, pairs)
    }

    fn names(g: &Graph, pairs: &[(NodeIx, NodeIx)]) -> Vec<String> {
        pairs
            .iter()
            .map(|&(a, b)| format!("{}+{}", g.id(a), g.id(b)))
            .collect()
    }

    fn check_against_brute_force(y: &str) -> Vec<FunctionPairs> {
        let g = graph(y);
        let base = Baseline::new(&g);
        let fast = pairs(&base, g.functions(), &|_| {});
        for item in &fast {
            let (singles, brute) = brute_force(&g, item.function);
            assert_eq!(item.spofs, singles, "spofs of {}", g.id(item.function));
            assert_eq!(
                names(&g, &item.pairs),
                names(&g, &brute),
                "pairs of {} in\n{y}",
                g.id(item.function)
            );
        }
        fast
    }

    #[test]
    fn two_regions_pair_every_deployment_part_with_every_other() {
        let fast = check_against_brute_force(
            "functions:
  f: {requires: [{any: [east, west]}]}
services:
  east: {requires: [db-e, cache-e]}
  west: {requires: [db-w]}
resources:
  db-e: {}
  cache-e: {}
  db-w: {}
",
        );
        assert_eq!(fast[0].pairs.len(), 6, "{fast:?}");
    }

    #[test]
    fn a_function_without_redundancy_has_spofs_and_no_pairs() {
        let fast = check_against_brute_force(
            "functions:
  f: {requires: [a, b]}
services:
  a: {requires: [c]}
resources:
  b: {}
  c: {}
",
        );
        assert_eq!(fast[0].spofs.len(), 3);
        assert!(fast[0].pairs.is_empty(), "{fast:?}");
    }

    #[test]
    fn pairs_inside_a_cycle_that_falls_back_on_itself() {
        let fast = check_against_brute_force(
            "functions:
  f: {requires: [r0]}
services:
  r0: {requires: [{any: [r1, db]}]}
  r1: {requires: [{any: [r0, db2]}]}
resources:
  db: {}
  db2: {}
",
        );
        // db, db2, f, r0, r1: r0 is a single point of failure; r1 falls
        // back on db, and the two databases hold the cycle up together.
        assert_eq!(fast[0].pairs, vec![(0, 1), (0, 4)], "{fast:?}");
    }

    #[test]
    fn single_points_of_failure_never_appear_in_pairs() {
        let fast = check_against_brute_force(
            "functions:
  f: {requires: [core, {any: [x, y]}]}
resources:
  core: {}
  x: {}
  y: {}
",
        );
        assert_eq!(fast[0].spofs.len(), 1);
        assert_eq!(fast[0].pairs.len(), 1, "x+y only, never core+x: {fast:?}");
    }

    #[test]
    fn quorum_of_three_loses_to_any_two() {
        let fast = check_against_brute_force(
            "functions:
  f: {requires: [{quorum: 2, of: [a, b, c]}]}
resources:
  a: {}
  b: {}
  c: {}
",
        );
        assert_eq!(fast[0].pairs.len(), 3);
    }

    /// A random estate of 10 nodes (`f0`, `f1` functions, `s2…` services):
    /// each node requires a few entries (all, any or quorum) over random
    /// other nodes, cycles and self-free, so pairs inside cycles, behind
    /// quorums and next to single points of failure all occur.
    fn random_estate() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let entry = (0u8..4, proptest::collection::vec(0usize..10, 1..4));
        let node = proptest::collection::vec(entry, 1..3);
        proptest::collection::vec(node, 7).prop_map(|mut nodes| {
            // Three leaves (resources without requirements) to fail.
            nodes.extend([Vec::new(), Vec::new(), Vec::new()]);
            let name = |k: usize| {
                if k < 2 {
                    format!("f{k}")
                } else {
                    format!("s{k}")
                }
            };
            let mut y = String::from("functions:\n");
            for (k, entries) in nodes.iter().enumerate() {
                if k == 2 {
                    y.push_str("services:\n");
                }
                let mut items = Vec::new();
                for (kind, members) in entries {
                    let mut ms: Vec<String> = members
                        .iter()
                        .filter(|&&m| m != k && m >= 2)
                        .map(|&m| name(m))
                        .collect();
                    ms.sort();
                    ms.dedup();
                    if ms.is_empty() {
                        continue;
                    }
                    let list = ms.join(", ");
                    items.push(match kind {
                        0 => format!("{{all: [{list}]}}"),
                        1 | 2 => format!("{{any: [{list}]}}"),
                        _ => format!("{{quorum: {}, of: [{list}]}}", ms.len().min(2)),
                    });
                }
                y.push_str(&format!(
                    "  {}: {{requires: [{}]}}\n",
                    name(k),
                    items.join(", ")
                ));
            }
            y
        })
    }

    #[test]
    fn a_node_down_but_supported_pairs_with_what_breaks_its_support() {
        // s3 alone takes the all-or-nothing cycle s5/s6 down, but s5 keeps
        // its support (its entries rest on the cycle), so s2 and s4 hold
        // each other up through it. Failing s5 as well takes that support:
        // s3 + s5 is a pair although s5 is already down under s3.
        let y = "functions:
  f1: {requires: [{any: [s2]}]}
services:
  s2: {requires: [{any: [s4, s5]}]}
  s3: {requires: []}
  s4: {requires: [{any: [s2, s3]}]}
  s5: {requires: [{all: [s6]}]}
  s6: {requires: [{all: [s3, s5]}]}
";
        let fast = check_against_brute_force(y);
        let g = graph(y);
        let (Some(s3), Some(s5)) = (g.find("s3"), g.find("s5")) else {
            panic!("ids exist");
        };
        assert!(fast[0].pairs.contains(&(s3, s5)), "{fast:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        #[test]
        fn pairs_match_brute_force_over_every_node_pair(y in random_estate()) {
            check_against_brute_force(&y);
        }
    }
}
