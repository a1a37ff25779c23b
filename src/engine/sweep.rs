//! `sweep`: every single-domain scenario of some kinds, and what each does
//! to every function (SPEC §4). Built on [`Baseline`]: each scenario costs
//! what it reaches, not the size of the estate.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::entry::{zone_effect, ZoneEffect};
use super::incremental::{Baseline, Scratch};
use crate::graph::{Attr, Graph, NodeIx, Sym, NO_SYM};
use crate::model::Status;
use crate::model::{Domain, DomainKind};

/// The scenarios of the given kinds present in the estate: in the order of
/// the kinds, each kind's values sorted (SPEC §4).
pub fn scenarios_of(graph: &Graph, kinds: &[DomainKind]) -> Vec<Domain> {
    let mut out = Vec::new();
    for kind in kinds {
        match kind {
            DomainKind::Region => out.extend(
                graph
                    .attr_values(Attr::Region)
                    .into_iter()
                    .map(|v| Domain::Region(v.to_owned())),
            ),
            DomainKind::Zone => out.extend(
                graph
                    .zone_values()
                    .into_iter()
                    .map(|v| Domain::Zone(v.to_owned())),
            ),
            DomainKind::Account => out.extend(
                graph
                    .attr_values(Attr::Account)
                    .into_iter()
                    .map(|v| Domain::Account(v.to_owned())),
            ),
            DomainKind::CloudService => out.extend(service_regions(graph).into_iter().map(
                |(s, r)| Domain::CloudService {
                    service: s,
                    region: Some(r),
                },
            )),
            DomainKind::Node => {
                out.extend(graph.nodes().map(|n| Domain::Node(graph.id(n).to_owned())))
            }
        }
    }
    out
}

/// Every `(service, region)` pair of nodes that have both, sorted by the
/// domain's text (`S@R`).
fn service_regions(graph: &Graph) -> Vec<(String, String)> {
    let mut pairs: Vec<(Sym, Sym)> = graph
        .nodes()
        .map(|n| {
            (
                graph.attr_sym(n, Attr::Service),
                graph.attr_sym(n, Attr::Region),
            )
        })
        .filter(|(s, r)| *s != NO_SYM && *r != NO_SYM)
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut out: Vec<(String, String)> = pairs
        .into_iter()
        .filter_map(|(s, r)| Some((graph.symbol(s)?.to_owned(), graph.symbol(r)?.to_owned())))
        .collect();
    out.sort_by_cached_key(|(s, r)| format!("{s}@{r}"));
    out
}

/// Which nodes each single domain fails directly, indexed once so that a
/// sweep over every value costs O(nodes) in all, not O(nodes) per value.
#[derive(Debug, Default)]
pub struct DomainIndex {
    by_region: FxHashMap<Sym, Vec<NodeIx>>,
    by_account: FxHashMap<Sym, Vec<NodeIx>>,
    by_service_region: FxHashMap<(Sym, Sym), Vec<NodeIx>>,
    by_zone: FxHashMap<Sym, Vec<NodeIx>>,
}

impl DomainIndex {
    /// Indexes the graph's placements.
    pub fn new(graph: &Graph) -> Self {
        let mut idx = DomainIndex::default();
        for n in graph.nodes() {
            let region = graph.attr_sym(n, Attr::Region);
            let account = graph.attr_sym(n, Attr::Account);
            let service = graph.attr_sym(n, Attr::Service);
            if region != NO_SYM {
                idx.by_region.entry(region).or_default().push(n);
            }
            if account != NO_SYM {
                idx.by_account.entry(account).or_default().push(n);
            }
            if service != NO_SYM && region != NO_SYM {
                idx.by_service_region
                    .entry((service, region))
                    .or_default()
                    .push(n);
            }
            for &z in graph.zones(n) {
                idx.by_zone.entry(z).or_default().push(n);
            }
        }
        idx
    }

    /// What one domain fails: `(directly down, zone-degraded)`. Domains of
    /// kinds a sweep does not list (provider, tag, service without region)
    /// fall back to a scan.
    pub fn direct(&self, graph: &Graph, d: &Domain) -> (Vec<NodeIx>, Vec<NodeIx>) {
        let sym = |t: &str| graph.find_symbol(t);
        let lookup = |m: &FxHashMap<Sym, Vec<NodeIx>>, t: &str| {
            sym(t).and_then(|s| m.get(&s)).cloned().unwrap_or_default()
        };
        match d {
            Domain::Region(v) => (lookup(&self.by_region, v), Vec::new()),
            Domain::Account(v) => (lookup(&self.by_account, v), Vec::new()),
            Domain::CloudService {
                service,
                region: Some(r),
            } => {
                let nodes = match (sym(service), sym(r)) {
                    (Some(s), Some(r)) => self
                        .by_service_region
                        .get(&(s, r))
                        .cloned()
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                (nodes, Vec::new())
            }
            Domain::Node(id) => (graph.find(id).into_iter().collect(), Vec::new()),
            Domain::Zone(z) => {
                let mut down = Vec::new();
                let mut degraded = Vec::new();
                for n in lookup(&self.by_zone, z) {
                    // A zone is listed once per node: losing it loses one.
                    match zone_effect(graph.zones(n).len(), 1, graph.min_zones(n)) {
                        ZoneEffect::Down => down.push(n),
                        _ => degraded.push(n),
                    }
                }
                (down, degraded)
            }
            other => {
                let f = super::scenario::DirectFailure::compute(graph, std::slice::from_ref(other));
                let pick = |v: &[bool]| {
                    v.iter()
                        .enumerate()
                        .filter(|(_, x)| **x)
                        .map(|(i, _)| i as NodeIx)
                        .collect()
                };
                (pick(&f.down), pick(&f.zone_degraded))
            }
        }
    }
}

impl DomainIndex {
    /// What several domains fail together: `(directly down,
    /// zone-degraded)`, sorted. Not the union of [`DomainIndex::direct`]:
    /// the zone rule (SPEC §2) counts every failed zone of a node's list at
    /// once, so two zones that each only degrade a node can take it down.
    pub fn direct_all(&self, graph: &Graph, domains: &[Domain]) -> (Vec<NodeIx>, Vec<NodeIx>) {
        let mut down = Vec::new();
        let mut lost: FxHashMap<NodeIx, usize> = FxHashMap::default();
        for d in domains {
            match d {
                Domain::Zone(z) => {
                    let nodes = graph
                        .find_symbol(z)
                        .and_then(|s| self.by_zone.get(&s))
                        .map_or(&[][..], Vec::as_slice);
                    for &n in nodes {
                        *lost.entry(n).or_default() += 1;
                    }
                }
                other => down.extend(self.direct(graph, other).0),
            }
        }
        let mut degraded = Vec::new();
        for (n, l) in lost {
            match zone_effect(graph.zones(n).len(), l, graph.min_zones(n)) {
                ZoneEffect::Down => down.push(n),
                ZoneEffect::Degraded => degraded.push(n),
                ZoneEffect::Unaffected => {}
            }
        }
        down.sort_unstable();
        down.dedup();
        degraded.sort_unstable();
        (down, degraded)
    }
}

/// The nodes of `all` (sorted) that are not in `held` (sorted): what a
/// second failure adds to a held first one.
pub(crate) fn added_to(all: &[NodeIx], held: &[NodeIx]) -> Vec<NodeIx> {
    all.iter()
        .copied()
        .filter(|n| held.binary_search(n).is_err())
        .collect()
}

/// One column of the sweep: a scenario and the functions it leaves not up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepColumn {
    pub domain: Domain,
    /// The other domain of a pair (`sweep --pairs`, SPEC §6.3), after
    /// `domain` in byte order of their text.
    pub second: Option<Domain>,
    /// Functions that are not up, in id order.
    pub functions: Vec<(NodeIx, Status)>,
}

impl SweepColumn {
    /// The scenario's failed domains: one, or the two of a pair.
    pub fn failed(&self) -> impl Iterator<Item = &Domain> {
        std::iter::once(&self.domain).chain(self.second.as_ref())
    }
}

/// Runs every scenario (in parallel; the result is in `domains` order and
/// does not depend on the number of threads). `rows` limits the functions
/// reported (all when `None`). `progress` is called with the number of
/// scenarios done since its last call.
pub fn sweep(
    baseline: &Baseline,
    domains: &[Domain],
    rows: Option<&[NodeIx]>,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<SweepColumn> {
    let graph = baseline.graph();
    let index = DomainIndex::new(graph);
    let wanted = wanted_functions(graph, rows);
    let baseline_not_up = not_up_where(graph, &wanted, |f| baseline.status(f));
    let shared = NodeScenarios::new(baseline, domains);
    let mut columns: Vec<Option<SweepColumn>> = domains
        .par_iter()
        .enumerate()
        .map_init(
            || baseline.scratch(),
            |scratch, (i, d)| {
                if shared.link[i] != NO_LINK {
                    return None;
                }
                let column = run_one(baseline, &index, scratch, d, &wanted, &baseline_not_up);
                progress(1);
                Some(column)
            },
        )
        .collect();
    shared.resolve(&mut columns, domains, &wanted);
    progress(shared.linked as u64);
    columns
        .into_iter()
        .map(|c| c.expect("every column is evaluated or resolved from its link"))
        .collect()
}

const NO_LINK: usize = usize::MAX;

/// `node:x` scenarios whose column follows from another's (the sharing
/// rules of [`super::spof`]): x's loss amounts to its forced owner o's,
/// plus x itself down; every node of an all-or-nothing cycle fails the same
/// set. Degradation then follows from the same down set, so the columns
/// agree too. This makes `--domains node` on a chain or a cycle of n
/// services cost O(n + output), not O(n²).
struct NodeScenarios {
    /// Per scenario: the scenario whose column it derives from, or
    /// [`NO_LINK`].
    link: Vec<usize>,
    /// Per scenario: whether the link is a forced owner (the node itself
    /// is added, down) rather than a cycle's representative.
    adds_itself: Vec<Option<NodeIx>>,
    linked: usize,
}

impl NodeScenarios {
    fn new(baseline: &Baseline, domains: &[Domain]) -> Self {
        let graph = baseline.graph();
        let mut scenario_of: FxHashMap<NodeIx, usize> = FxHashMap::default();
        for (i, d) in domains.iter().enumerate() {
            if let Domain::Node(id) = d {
                if let Some(n) = graph.find(id) {
                    scenario_of.entry(n).or_insert(i);
                }
            }
        }
        let mut link = vec![NO_LINK; domains.len()];
        let mut adds_itself = vec![None; domains.len()];
        let mut known = FxHashMap::default();
        let mut linked = 0;
        for (&x, &i) in &scenario_of {
            let target = if let Some(o) = super::spof::forced_owner(baseline, x) {
                adds_itself[i] = Some(x);
                scenario_of.get(&o)
            } else {
                super::spof::all_or_nothing_representative(baseline, x, &mut known)
                    .filter(|&rep| rep != x)
                    .and_then(|rep| scenario_of.get(&rep))
            };
            if let Some(&t) = target {
                link[i] = t;
                linked += 1;
            } else {
                adds_itself[i] = None;
            }
        }
        NodeScenarios {
            link,
            adds_itself,
            linked,
        }
    }

    /// Fills the linked columns from the evaluated ones. Links go from a
    /// member to its owner (up the component order) or to a cycle's
    /// representative (evaluated), so they never loop.
    fn resolve(&self, columns: &mut [Option<SweepColumn>], domains: &[Domain], wanted: &[bool]) {
        let mut path: Vec<usize> = Vec::new();
        for start in 0..columns.len() {
            let mut i = start;
            while columns[i].is_none() {
                path.push(i);
                i = self.link[i];
            }
            while let Some(j) = path.pop() {
                let mut functions = columns[i]
                    .as_ref()
                    .expect("resolved in link order")
                    .functions
                    .clone();
                if let Some(x) = self.adds_itself[j].filter(|&x| wanted[x as usize]) {
                    match functions.binary_search_by_key(&x, |c| c.0) {
                        Ok(at) => functions[at].1 = Status::Down,
                        Err(at) => functions.insert(at, (x, Status::Down)),
                    }
                }
                columns[j] = Some(SweepColumn {
                    domain: domains[j].clone(),
                    second: None,
                    functions,
                });
                i = j;
            }
        }
    }
}

/// The wanted functions a scenario leaves not up, in id order: its
/// `changes` over `before` (the statuses it started from), each function
/// at its worst.
fn functions_not_up(
    changes: &[(NodeIx, Status)],
    wanted: &[bool],
    before: &[(NodeIx, Status)],
) -> Vec<(NodeIx, Status)> {
    // Not `into_iter().filter().collect()`: that reuses the allocation of
    // every change, so a column would keep memory for all the nodes the
    // scenario reached (quadratic over a sweep of a long chain).
    let mut functions: Vec<(NodeIx, Status)> = changes
        .iter()
        .copied()
        .filter(|(n, _)| wanted[*n as usize])
        .collect();
    // A change is always worse than the status it replaces: keep the worst
    // status of each function.
    functions.extend_from_slice(before);
    functions.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    functions.dedup_by_key(|x| x.0);
    functions
}

/// The wanted functions that are not up in a state given by `status`.
fn not_up_where(
    graph: &Graph,
    wanted: &[bool],
    status: impl Fn(NodeIx) -> Status,
) -> Vec<(NodeIx, Status)> {
    graph
        .functions()
        .iter()
        .filter(|&&f| wanted[f as usize] && status(f) != Status::Up)
        .map(|&f| (f, status(f)))
        .collect()
}

fn wanted_functions(graph: &Graph, rows: Option<&[NodeIx]>) -> Vec<bool> {
    let mut wanted = vec![false; graph.len()];
    match rows {
        Some(rows) => rows.iter().for_each(|&f| wanted[f as usize] = true),
        None => graph
            .functions()
            .iter()
            .for_each(|&f| wanted[f as usize] = true),
    }
    wanted
}

fn run_one(
    baseline: &Baseline,
    index: &DomainIndex,
    scratch: &mut Scratch,
    d: &Domain,
    wanted: &[bool],
    baseline_not_up: &[(NodeIx, Status)],
) -> SweepColumn {
    let graph = baseline.graph();
    let (down, degraded) = index.direct(graph, d);
    let functions = if baseline.prefers_full(down.len() + degraded.len()) {
        let state = baseline.full_state(&down, &degraded, false);
        not_up_where(graph, wanted, |f| state.status(f))
    } else {
        let changes = baseline.evaluate(scratch, &down, &degraded, false);
        functions_not_up(&changes, wanted, baseline_not_up)
    };
    SweepColumn {
        domain: d.clone(),
        second: None,
        functions,
    }
}

/// Every unordered pair of distinct `domains` (SPEC §6.3 `sweep --pairs`),
/// in the order of the first member, then the second, as the single
/// scenarios are listed. Each first domain is evaluated once and held
/// ([`Baseline::hold_scenario`]); every later domain is added on top of it
/// ([`super::incremental::Held::evaluate_scenario`]), so a pair costs what
/// its second domain reaches given the first, never a propagation from
/// nothing. Parallel over first domains; deterministic.
pub fn sweep_pairs(
    baseline: &Baseline,
    domains: &[Domain],
    rows: Option<&[NodeIx]>,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<SweepColumn> {
    let graph = baseline.graph();
    let index = DomainIndex::new(graph);
    let wanted = wanted_functions(graph, rows);
    let direct: Vec<(Vec<NodeIx>, Vec<NodeIx>)> = domains
        .iter()
        .map(|d| index.direct_all(graph, std::slice::from_ref(d)))
        .collect();
    // As `Baseline::evaluate_auto`: a domain that fails a large share of
    // the estate is cheaper as one flat pass than as incremental work.
    let large = |k: usize| baseline.prefers_full(direct[k].0.len() + direct[k].1.len());
    let per_first: Vec<Vec<SweepColumn>> = (0..domains.len())
        .into_par_iter()
        .map_init(
            || (baseline.scratch(), baseline.scratch()),
            |(first, second), i| {
                let (down, degraded) = &direct[i];
                let held = (!large(i)).then(|| baseline.hold_scenario(first, down, degraded));
                let at_first = held
                    .as_ref()
                    .map_or_else(Vec::new, |h| not_up_where(graph, &wanted, |f| h.status(f)));
                let columns: Vec<SweepColumn> = (i + 1..domains.len())
                    .map(|j| {
                        let pair = [domains[i].clone(), domains[j].clone()];
                        let (down, degraded) = index.direct_all(graph, &pair);
                        let functions = match &held {
                            Some(h) if !large(j) => {
                                let changes = h.evaluate_scenario(
                                    second,
                                    &added_to(&down, &direct[i].0),
                                    &degraded,
                                );
                                functions_not_up(&changes, &wanted, &at_first)
                            }
                            _ => {
                                let state = baseline.full_state(&down, &degraded, false);
                                not_up_where(graph, &wanted, |f| state.status(f))
                            }
                        };
                        let (a, b) = ordered(&domains[i], &domains[j]);
                        SweepColumn {
                            domain: a.clone(),
                            second: Some(b.clone()),
                            functions,
                        }
                    })
                    .collect();
                progress(columns.len() as u64);
                columns
            },
        )
        .collect();
    per_first.into_iter().flatten().collect()
}

/// Two domains in byte order of their text (SPEC §4.2).
fn ordered<'d>(a: &'d Domain, b: &'d Domain) -> (&'d Domain, &'d Domain) {
    if a.to_string() <= b.to_string() {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod pair_tests {
    use super::*;
    use crate::load::{load_documents, Source};

    /// Two regions of two zones, a cycle of fallbacks between them, a
    /// quorum over zones, and unplaced filler so that every domain is
    /// small enough for the held (incremental) path.
    fn estate() -> Graph {
        let mut y = String::from(
            "functions:
  f: {requires: [{any: [east, west]}], optional: [cache]}
  g: {requires: [{quorum: 2, of: [q1, q2, q3]}]}
services:
  east: {region: r1, requires: [{any: [db-e, west]}]}
  west: {region: r2, requires: [{any: [db-w, east]}]}
resources:
  db-e: {region: r1, zones: [a1, a2]}
  db-w: {region: r2, zones: [b1, b2], min_zones: 2}
  cache: {region: r1, zones: [a2]}
  q1: {region: r1, zones: [a1]}
  q2: {region: r2, zones: [b1]}
  q3: {region: r2, zones: [b2]}
",
        );
        for k in 0..400 {
            y.push_str(&format!("  filler-{k}: {{}}\n"));
        }
        let sources = [Source {
            name: "pairs.yaml".to_owned(),
            text: y,
        }];
        match load_documents(&sources) {
            Ok(l) => l.graph,
            Err(e) => panic!("the estate should load: {e}"),
        }
    }

    #[test]
    fn pair_columns_held_and_added_match_a_full_evaluation_of_both_domains() {
        let g = estate();
        let base = Baseline::new(&g);
        let index = DomainIndex::new(&g);
        let domains = scenarios_of(&g, &[DomainKind::Region, DomainKind::Zone]);
        let columns = sweep_pairs(&base, &domains, None, &|_| {});
        let n = domains.len();
        assert_eq!(columns.len(), n * (n - 1) / 2);
        let mut affected = 0;
        for c in &columns {
            let failed: Vec<Domain> = c.failed().cloned().collect();
            let (down, degraded) = index.direct_all(&g, &failed);
            let mut expected: Vec<(NodeIx, Status)> = base
                .evaluate_full(&down, &degraded)
                .into_iter()
                .filter(|(x, _)| g.functions().contains(x))
                .collect();
            expected.sort_unstable();
            assert_eq!(c.functions, expected, "under {failed:?}");
            affected += usize::from(c.functions.iter().any(|(_, s)| *s == Status::Down));
        }
        assert!(affected > 3, "some pairs take functions down");
    }
}
