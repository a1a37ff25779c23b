//! The CI gate's violations (SPEC §4.1): for each rule, each function it
//! selects and each domain of the rule's kinds that `sweep` would list
//! (except `node:f` for the function f itself), (rule, f, d) is a violation
//! exactly when f is down under d alone.
//!
//! Built on the same [`Baseline`] as `sweep` and `spof`: each domain is
//! evaluated once for every rule that asks for its kind, down statuses only;
//! `node` kinds come from the single-points-of-failure computation. Causes
//! and paths are then derived per violating domain from its down set.

use rustc_hash::{FxHashMap, FxHashSet};

use super::entry::{count_alive, down_steps};
use super::explain::{causes_from, shortest_chain};
use super::incremental::{Baseline, Scratch};
use super::scenario::Domain;
use super::sweep::{scenarios_of, DomainIndex, DomainKind};
use crate::graph::{Graph, NodeIx};
use crate::model::{Criticality, Status};

/// Which functions a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionSelector {
    /// `functions = "*"`.
    All,
    /// `functions = { ids = [...], criticality = [...], tags = {...} }`:
    /// every condition given must hold.
    Where {
        ids: Option<Vec<String>>,
        criticality: Option<Vec<Criticality>>,
        tags: Vec<(String, String)>,
    },
}

impl FunctionSelector {
    /// Whether function `f` is selected (a function without criticality is
    /// `medium`).
    pub fn selects(&self, graph: &Graph, f: NodeIx) -> bool {
        let Self::Where {
            ids,
            criticality,
            tags,
        } = self
        else {
            return true;
        };
        if ids
            .as_ref()
            .is_some_and(|ids| !ids.iter().any(|id| id == graph.id(f)))
        {
            return false;
        }
        if criticality
            .as_ref()
            .is_some_and(|c| !c.contains(&graph.criticality(f)))
        {
            return false;
        }
        tags.iter().all(|(k, v)| {
            graph
                .tags(f)
                .iter()
                .any(|(tk, tv)| graph.symbol(*tk) == Some(k) && graph.symbol(*tv) == Some(v))
        })
    }
}

/// One rule of a policy, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub functions: FunctionSelector,
    pub must_survive: Vec<DomainKind>,
}

/// A function down under a domain of a rule's kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Index of the rule in the policy.
    pub rule: usize,
    pub function: NodeIx,
    pub domain: Domain,
    pub path: Vec<NodeIx>,
    pub causes: Vec<NodeIx>,
}

/// The functions each rule selects, in id order.
pub fn selected_functions(graph: &Graph, rule: &Rule) -> Vec<NodeIx> {
    graph
        .functions()
        .iter()
        .copied()
        .filter(|&f| rule.functions.selects(graph, f))
        .collect()
}

/// Every violation of every rule, sorted by rule (policy order), function
/// id, then domain (byte order of their text, SPEC §4.2). Deterministic
/// whatever the thread count.
pub fn violations(
    baseline: &Baseline,
    rules: &[Rule],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Violation> {
    let graph = baseline.graph();
    let selected: Vec<Vec<NodeIx>> = rules.iter().map(|r| selected_functions(graph, r)).collect();
    let mut kinds: Vec<DomainKind> = Vec::new();
    for k in rules.iter().flat_map(|r| &r.must_survive) {
        if !kinds.contains(k) {
            kinds.push(*k);
        }
    }
    let index = DomainIndex::new(graph);
    let mut down_under: FxHashMap<DomainKind, Vec<(Domain, Vec<NodeIx>)>> = FxHashMap::default();
    for &kind in &kinds {
        let results = if kind == DomainKind::Node {
            node_domains(baseline, rules, &selected, progress)
        } else {
            placement_domains(baseline, &index, kind, progress)
        };
        down_under.insert(kind, results);
    }
    let mut out = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let wanted: FxHashSet<NodeIx> = selected[r].iter().copied().collect();
        let mut found: Vec<(NodeIx, usize, usize, &Domain)> = Vec::new();
        for (k, kind) in rule.must_survive.iter().enumerate() {
            for (d, (domain, down)) in down_under[kind].iter().enumerate() {
                for &f in down {
                    if wanted.contains(&f) && *domain != Domain::Node(graph.id(f).to_owned()) {
                        found.push((f, k, d, domain));
                    }
                }
            }
        }
        // SPEC §4.2: ids and domains in byte order of their text.
        found.sort_by_cached_key(|x| (x.0, x.3.to_string()));
        found.dedup_by_key(|x| (x.0, x.3.clone()));
        for (f, _, _, domain) in found {
            out.push(Violation {
                rule: r,
                function: f,
                domain: domain.clone(),
                path: Vec::new(),
                causes: Vec::new(),
            });
        }
    }
    explain_all(baseline, &index, &mut out);
    out
}

/// Fills causes and paths, evaluating each violating domain once.
fn explain_all(baseline: &Baseline, index: &DomainIndex, violations: &mut [Violation]) {
    let graph = baseline.graph();
    let mut by_domain: FxHashMap<Domain, Vec<usize>> = FxHashMap::default();
    for (i, v) in violations.iter().enumerate() {
        by_domain.entry(v.domain.clone()).or_default().push(i);
    }
    let mut scratch = baseline.scratch();
    let mut domains: Vec<(Domain, Vec<usize>)> = by_domain.into_iter().collect();
    domains.sort_by_cached_key(|(d, _)| d.to_string());
    for (domain, indices) in domains {
        let (direct, _) = index.direct(graph, &domain);
        let explainer = Explainer::new(baseline, &mut scratch, &direct);
        for i in indices {
            let (causes, path) = explainer.explain(violations[i].function);
            violations[i].causes = causes;
            violations[i].path = path;
        }
    }
}

/// Each domain of a placement kind with the functions down under it.
fn placement_domains(
    baseline: &Baseline,
    index: &DomainIndex,
    kind: DomainKind,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<(Domain, Vec<NodeIx>)> {
    use rayon::prelude::*;
    let graph = baseline.graph();
    let is_function: Vec<bool> = graph
        .nodes()
        .map(|n| graph.kind(n) == crate::model::NodeKind::Function)
        .collect();
    scenarios_of(graph, &[kind])
        .into_par_iter()
        .map_init(
            || baseline.scratch(),
            |scratch, d| {
                let (down, _) = index.direct(graph, &d);
                let mut functions: Vec<NodeIx> = down_under(baseline, scratch, &down)
                    .into_iter()
                    .filter(|&n| is_function[n as usize])
                    .collect();
                functions.sort_unstable();
                progress(1);
                (d, functions)
            },
        )
        .collect()
}

/// Every node that is down when `direct` fails (baseline-down nodes too).
fn down_under(baseline: &Baseline, scratch: &mut Scratch, direct: &[NodeIx]) -> Vec<NodeIx> {
    let changes = baseline.evaluate_auto(scratch, direct, &[], true);
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

/// `node:x` domains with the selected functions each takes down, from the
/// single points of failure (every node of the estate is a `node` domain;
/// those that take no selected function down are left out, as they can
/// yield no violation).
fn node_domains(
    baseline: &Baseline,
    rules: &[Rule],
    selected: &[Vec<NodeIx>],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<(Domain, Vec<NodeIx>)> {
    let graph = baseline.graph();
    let mut functions: Vec<NodeIx> = rules
        .iter()
        .zip(selected)
        .filter(|(r, _)| r.must_survive.contains(&DomainKind::Node))
        .flat_map(|(_, s)| s.iter().copied())
        .collect();
    functions.sort_unstable();
    functions.dedup();
    let mut by_node: FxHashMap<NodeIx, Vec<NodeIx>> = FxHashMap::default();
    for item in super::spof::spof(baseline, &functions, progress) {
        for x in item.spofs {
            by_node.entry(x).or_default().push(item.function);
        }
    }
    // A function down with nothing failed is down under every node.
    for &f in &functions {
        if baseline.down_with_nothing_failed().contains(&f) {
            for x in graph.nodes().filter(|&x| x != f) {
                by_node.entry(x).or_default().push(f);
            }
        }
    }
    let mut out: Vec<(NodeIx, Vec<NodeIx>)> = by_node
        .into_iter()
        .map(|(x, mut fs)| {
            fs.sort_unstable();
            fs.dedup();
            (x, fs)
        })
        .collect();
    // Node indices follow the byte order of ids: the sweep's order.
    out.sort_unstable_by_key(|(x, _)| *x);
    out.into_iter()
        .map(|(x, fs)| (Domain::Node(graph.id(x).to_owned()), fs))
        .collect()
}

/// Explains why functions are down under one scenario: its down set and
/// directly-down set, computed once for every function asked about.
pub struct Explainer<'b, 'g> {
    baseline: &'b Baseline<'g>,
    down: FxHashSet<NodeIx>,
    direct: FxHashSet<NodeIx>,
}

impl<'b, 'g> Explainer<'b, 'g> {
    /// Evaluates the scenario that fails `direct` (down statuses only).
    pub fn new(baseline: &'b Baseline<'g>, scratch: &mut Scratch, direct: &[NodeIx]) -> Self {
        Explainer {
            baseline,
            down: down_under(baseline, scratch, direct).into_iter().collect(),
            direct: direct.iter().copied().collect(),
        }
    }

    /// Whether `n` is down in the scenario.
    pub fn is_down(&self, n: NodeIx) -> bool {
        self.down.contains(&n)
    }

    /// Causes (SPEC §3.3) and path (§3.4) of `f`; empty when `f` is up.
    pub fn explain(&self, f: NodeIx) -> (Vec<NodeIx>, Vec<NodeIx>) {
        if !self.is_down(f) {
            return (Vec::new(), Vec::new());
        }
        if self.direct.contains(&f) {
            return (vec![f], vec![f]);
        }
        let direct = |x: NodeIx| self.direct.contains(&x);
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
