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
//!
//! # Sharing between candidates
//! Write R(x) for the asked functions (not down with nothing failed) that
//! are down when x alone fails, x included when asked: x's single points
//! of failure are R(x) \ {x}. Two rules let a candidate reuse another's
//! answer instead of propagating its failure again, so that a chain or a
//! cycle of n services costs O(n), not O(n²):
//!
//! - **Forced owner.** When x is alone in its component, is a member of
//!   exactly one entry, that entry is a `requires` entry that needs every
//!   member, and it is grounded or x is not grounded, then x's loss takes
//!   its owner o down and changes nothing else that o's own loss would not:
//!   R(x) = R(o) ∪ ({x} if asked). (A grounded entry: o loses support
//!   exactly as if it failed itself. An ungrounded x: support is unchanged
//!   outside x, so the failure is plain propagation, a closure.)
//! - **All-or-nothing cycle.** When no node of a cyclic component C is
//!   grounded and the entries inside C that need every member connect all
//!   of C, any one node's loss is plain propagation that takes all of C
//!   down: R(x) = R(c) for every x, c in C. One evaluation serves C.
//!
//! The other candidates are evaluated (in parallel). Cost: Σ over the
//! evaluated candidates of what each one's failure reaches, plus O(nodes +
//! members) for the rules, plus the output. Memory: the graph, one scratch
//! per thread and the answers (R sets are shared along a chain until an
//! asked node is added).

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
    let shared = Shared::new(baseline, &candidates);
    let evaluated: Vec<(NodeIx, Vec<NodeIx>)> = shared
        .roots
        .par_chunks(256)
        .map_init(
            || baseline.scratch(),
            |scratch, chunk| {
                let mut found = Vec::with_capacity(chunk.len());
                for &x in chunk {
                    let mut r: Vec<NodeIx> = baseline
                        .evaluate(scratch, &[x], &[], true)
                        .iter()
                        .filter(|(n, s)| *s == Status::Down && asked[*n as usize])
                        .map(|(n, _)| *n)
                        .collect();
                    r.shrink_to_fit();
                    found.push((x, r));
                }
                progress(chunk.len() as u64);
                found
            },
        )
        .flatten()
        .collect();
    let answers = shared.resolve(evaluated, &asked);
    progress(candidates.len().saturating_sub(shared.roots.len()) as u64);
    let mut pairs: Vec<(NodeIx, NodeIx)> = Vec::new();
    for &x in &candidates {
        let r = &answers.sets[answers.set_of[x as usize] as usize];
        pairs.extend(r.iter().filter(|&&n| n != x).map(|&n| (n, x)));
    }
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

const NONE: NodeIx = NodeIx::MAX;

/// Which candidates reuse another node's answer (see the module doc), and
/// which must be evaluated.
struct Shared {
    /// Per node: the node whose answer it builds on, or [`NONE`].
    link: Vec<NodeIx>,
    /// Whether the link is a forced owner (adds the node itself when
    /// asked) rather than a cycle's representative (the same answer).
    adds_itself: Vec<bool>,
    /// The nodes to evaluate, in id order.
    roots: Vec<NodeIx>,
}

/// R sets, shared: node → index into `sets`.
struct Answers {
    set_of: Vec<u32>,
    sets: Vec<Vec<NodeIx>>,
}

impl Shared {
    /// Links every node reachable from a candidate by the two rules, and
    /// collects the roots. O(nodes + members).
    fn new(baseline: &Baseline, candidates: &[NodeIx]) -> Shared {
        let graph = baseline.graph();
        let mut link = vec![NONE; graph.len()];
        let mut adds_itself = vec![false; graph.len()];
        let mut decided = vec![false; graph.len()];
        let mut roots = Vec::new();
        let mut known = rustc_hash::FxHashMap::default();
        for &c in candidates {
            let mut x = c;
            while !decided[x as usize] {
                decided[x as usize] = true;
                if let Some(o) = forced_owner(baseline, x) {
                    link[x as usize] = o;
                    adds_itself[x as usize] = true;
                    x = o;
                } else if let Some(rep) = all_or_nothing_representative(baseline, x, &mut known) {
                    if rep != x {
                        link[x as usize] = rep;
                        x = rep;
                    } else {
                        roots.push(x);
                    }
                } else {
                    roots.push(x);
                }
            }
        }
        roots.sort_unstable();
        Shared {
            link,
            adds_itself,
            roots,
        }
    }

    /// Every linked node's R set from the evaluated roots' sets, each set
    /// built once: O(nodes + the sets' sizes).
    fn resolve(&self, evaluated: Vec<(NodeIx, Vec<NodeIx>)>, asked: &[bool]) -> Answers {
        const UNSET: u32 = u32::MAX;
        let mut set_of = vec![UNSET; self.link.len()];
        let mut sets: Vec<Vec<NodeIx>> = Vec::with_capacity(evaluated.len() + 1);
        sets.push(Vec::new());
        for (x, r) in evaluated {
            set_of[x as usize] = sets.len() as u32;
            sets.push(r);
        }
        let mut path: Vec<NodeIx> = Vec::new();
        for start in 0..self.link.len() as NodeIx {
            let mut x = start;
            while set_of[x as usize] == UNSET && self.link[x as usize] != NONE {
                path.push(x);
                x = self.link[x as usize];
            }
            // Nodes never reached from a candidate stay unset (index 0,
            // empty): nothing reads them.
            let mut set = if set_of[x as usize] == UNSET {
                0
            } else {
                set_of[x as usize]
            };
            while let Some(y) = path.pop() {
                if self.adds_itself[y as usize] && asked[y as usize] {
                    let mut r = sets[set as usize].clone();
                    if let Err(at) = r.binary_search(&y) {
                        r.insert(at, y);
                    }
                    set = sets.len() as u32;
                    sets.push(r);
                }
                set_of[y as usize] = set;
            }
        }
        for s in &mut set_of {
            if *s == UNSET {
                *s = 0;
            }
        }
        Answers { set_of, sets }
    }
}

/// The owner whose loss x's loss amounts to (the forced-owner rule of the
/// module doc), if the rule applies.
pub(crate) fn forced_owner(baseline: &Baseline, x: NodeIx) -> Option<NodeIx> {
    let graph = baseline.graph();
    let (_, cyclic) = baseline.component_of(x);
    let [e] = graph.member_of(x) else {
        return None;
    };
    let entry = &graph.entries()[*e as usize];
    let needs_every_member = super::entry::needs_every_member(graph, *e);
    let rule_holds = !cyclic
        && !entry.optional
        && entry.owner != x
        && needs_every_member
        && (baseline.grounded_entry(*e) || !baseline.grounded_node(x));
    rule_holds.then_some(entry.owner)
}

/// The representative (smallest node) of x's component when it is an
/// all-or-nothing cycle (module doc). The check costs O(component + its
/// members) and is made once per component: `known` holds the answer by
/// the component's first node.
pub(crate) fn all_or_nothing_representative(
    baseline: &Baseline,
    x: NodeIx,
    known: &mut rustc_hash::FxHashMap<NodeIx, Option<NodeIx>>,
) -> Option<NodeIx> {
    let (nodes, cyclic) = baseline.component_of(x);
    if !cyclic {
        return None;
    }
    *known.entry(*nodes.first()?).or_insert_with(|| {
        let holds = !nodes.iter().any(|&n| baseline.grounded_node(n))
            && all_or_nothing_component(baseline, nodes);
        holds.then(|| nodes.iter().copied().min()).flatten()
    })
}

/// Whether the `requires` entries that need every member, restricted to
/// `nodes` (one component), connect all of it strongly.
fn all_or_nothing_component(baseline: &Baseline, nodes: &[NodeIx]) -> bool {
    let graph = baseline.graph();
    let local: rustc_hash::FxHashMap<NodeIx, NodeIx> = nodes
        .iter()
        .enumerate()
        .map(|(k, &n)| (n, k as NodeIx))
        .collect();
    let sccs = super::incremental::strongly_connected(nodes.len(), |k, out| {
        for e in graph.requires(nodes[k as usize]) {
            if !super::entry::needs_every_member(graph, e) {
                continue;
            }
            out.extend(graph.members(e).iter().filter_map(|m| local.get(m)));
        }
    });
    sccs.len() == 1
}

/// Every node some function of `functions` reaches through `requires`
/// members (the functions included), in id order.
pub(crate) fn dependencies_of(graph: &Graph, functions: &[NodeIx]) -> Vec<NodeIx> {
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

#[cfg(test)]
mod tests_support {
    use crate::graph::Graph;
    use crate::load::{load_documents, Source};

    /// A chain (forced owners), a pure cycle (all-or-nothing), a cycle
    /// held up by `any` (neither rule), hung below two functions.
    pub(super) fn mixed() -> Graph {
        let y = "functions:
  f: {requires: [a0, c0]}
  g: {requires: [{any: [r0, a2]}]}
services:
  a0: {requires: [a1]}
  a1: {requires: [a2]}
  a2: {requires: [c1, db]}
  c0: {requires: [c1]}
  c1: {requires: [c2]}
  c2: {requires: [c0, db]}
  r0: {requires: [{any: [r1, db]}]}
  r1: {requires: [{any: [r0, db2]}]}
resources:
  db: {}
  db2: {}
";
        let sources = [Source {
            name: "mixed.yaml".to_owned(),
            text: y.to_owned(),
        }];
        match load_documents(&sources) {
            Ok(l) => l.graph,
            Err(e) => panic!("the estate should load: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_answers_match_one_evaluation_per_candidate() {
        let g = tests_support::mixed();
        let base = Baseline::new(&g);
        let functions = g.functions().to_vec();
        let fast = spof(&base, &functions, &|_| {});
        for item in &fast {
            let brute: Vec<NodeIx> = g
                .nodes()
                .filter(|&x| x != item.function)
                .filter(|&x| {
                    base.evaluate_full(&[x], &[])
                        .contains(&(item.function, Status::Down))
                })
                .collect();
            assert_eq!(item.spofs, brute, "spofs of {}", g.id(item.function));
        }
        let f = g.find("f").expect("f exists");
        assert!(
            fast.iter().any(|i| i.function == f && i.spofs.len() == 7),
            "f loses to the chain, the cycle and db: {fast:?}"
        );
    }

    #[test]
    fn node_sweep_columns_shared_along_chains_and_cycles_match_full_evaluation() {
        use crate::model::{Domain, DomainKind};
        let g = tests_support::mixed();
        let base = Baseline::new(&g);
        let domains = crate::engine::sweep::scenarios_of(&g, &[DomainKind::Node]);
        let columns = crate::engine::sweep::sweep(&base, &domains, None, &|_| {});
        for column in &columns {
            let Domain::Node(id) = &column.domain else {
                panic!("node scenarios only: {}", column.domain);
            };
            let x = g.find(id).expect("the scenario's node exists");
            let mut expected: Vec<(NodeIx, Status)> = base
                .evaluate_full(&[x], &[])
                .into_iter()
                .filter(|(n, _)| g.functions().contains(n))
                .collect();
            expected.sort_unstable();
            assert_eq!(column.functions, expected, "column node:{id}");
        }
    }
}
