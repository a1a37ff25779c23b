//! `diff` (SPEC §4.2): what a change does to an estate, as a reviewer wants
//! to read it. Two halves:
//!
//! - **structure**, from two graphs: nodes added, removed and changed
//!   (fields, placement, tags, entries) and requirement edges added and
//!   removed. Both graphs hold their nodes in id order, so this is one
//!   merge over the two id lists: O(nodes + members) of both sides.
//! - **resilience**, from two [`SideFacts`]: what `sweep`, `spof` and
//!   `check` said on each side, keyed by id text (node indices of two
//!   graphs do not compare). Facts come from the engine run on an estate
//!   ([`facts_of_estate`]) or from a JSON report read back by the caller,
//!   so a new entry kind or domain kind changes nothing here.
//!
//! Every list is sorted (ids and domains in byte order of their text), so
//! the same inputs give the same diff.

use std::collections::{BTreeMap, BTreeSet};

use super::check::violations;
use super::incremental::Baseline;
use super::spof::{path_to, spof};
use super::sweep::{scenarios_of, sweep};
use crate::graph::{Attr, Graph, NodeIx};
use crate::model::{Domain, DomainKind, Rule, Status};

/// What one side says about resilience. A part is `None` when the side
/// does not tell it (a `spof` report has no scenarios): that part is then
/// not compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideFacts {
    /// The function ids of the side; `None` when unknown (a `sweep` report
    /// lists only functions that are not up), so no function is `absent`.
    pub functions: Option<BTreeSet<String>>,
    /// Domain text → the functions not up under it.
    pub scenarios: Option<BTreeMap<String, BTreeMap<String, Status>>>,
    /// Function → its single points of failure.
    pub spofs: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Policy violations as (function, rule name, domain text).
    pub violations: Option<BTreeSet<(String, String, String)>>,
}

/// A function's status on one side of a diff: `absent` where the function
/// does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SideStatus {
    Absent,
    Is(Status),
}

impl SideStatus {
    /// As written in reports: `absent`, `up`, `degraded`, `down`.
    pub fn as_str(self) -> &'static str {
        match self {
            SideStatus::Absent => "absent",
            SideStatus::Is(s) => s.as_str(),
        }
    }
}

/// Which way a change goes (SPEC §4.2): the verdict of a whole diff and of
/// each function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Unchanged,
    Better,
    Worse,
    Mixed,
}

impl Verdict {
    /// As written in reports: `worse`, `better`, `mixed`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Unchanged => "unchanged",
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Mixed => "mixed",
        }
    }

    fn of(worse: bool, better: bool) -> Verdict {
        match (worse, better) {
            (false, false) => Verdict::Unchanged,
            (false, true) => Verdict::Better,
            (true, false) => Verdict::Worse,
            (true, true) => Verdict::Mixed,
        }
    }

    /// Whether something got worse (`worse` or `mixed`): what
    /// `--fail-on worse` fails on, since a gate must not let a new single
    /// point of failure through because something else improved.
    pub fn worsens(self) -> bool {
        matches!(self, Verdict::Worse | Verdict::Mixed)
    }
}

/// A domain under which a function's status differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioChange {
    pub domain: String,
    pub old: SideStatus,
    pub new: SideStatus,
}

/// A single point of failure the new side gained, with its path there
/// (SPEC §3.4, function first) when the new side is an estate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GainedSpof {
    pub id: String,
    pub path: Vec<String>,
}

/// Everything that changed for one function; functions without a change
/// are not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDiff {
    pub id: String,
    /// Whether the function exists on each side (`true` when unknown).
    pub on_old: bool,
    pub on_new: bool,
    pub scenarios: Vec<ScenarioChange>,
    pub spof_gained: Vec<GainedSpof>,
    pub spof_lost: Vec<String>,
    /// (rule, domain) violations of the new side the old side lacks.
    pub violations_gained: Vec<(String, String)>,
    /// (rule, domain) violations of the old side the new side lacks.
    pub violations_fixed: Vec<(String, String)>,
    pub verdict: Verdict,
}

/// Nodes and requirement edges added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StructureDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Ids on both sides whose fields or entries differ, with the names of
    /// what differs (`region`, `tags`, `requires`, ...).
    pub changed: Vec<(String, Vec<&'static str>)>,
    pub edges_added: Vec<(String, String)>,
    pub edges_removed: Vec<(String, String)>,
}

impl StructureDiff {
    /// Whether nothing changed in the structure.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.edges_added.is_empty()
            && self.edges_removed.is_empty()
    }
}

/// The whole answer of `diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    pub verdict: Verdict,
    /// `None` when the sides are reports, not estates.
    pub structure: Option<StructureDiff>,
    pub functions: Vec<FunctionDiff>,
    /// How many domains were compared (0 when neither side has scenarios).
    pub domains_compared: usize,
}

/// The domains to compare: those of `kinds` on either side, in the order of
/// the kinds, each kind's domains sorted by text. A domain one side lacks
/// fails nothing there (SPEC §4.2).
pub fn domains_of_both(old: &Graph, new: &Graph, kinds: &[DomainKind]) -> Vec<Domain> {
    let mut out = Vec::new();
    for &kind in kinds {
        let mut both: BTreeMap<String, Domain> = BTreeMap::new();
        for graph in [old, new] {
            for d in scenarios_of(graph, &[kind]) {
                both.entry(d.to_string()).or_insert(d);
            }
        }
        out.extend(both.into_values());
    }
    out
}

/// Runs `sweep` over `domains`, `spof` and, given `rules`, `check` on one
/// estate: each once, on one shared [`Baseline`] (the incremental engine:
/// each scenario costs what it reaches).
pub fn facts_of_estate(
    baseline: &Baseline,
    domains: &[Domain],
    rules: Option<&[Rule]>,
    progress: &(dyn Fn(u64) + Sync),
) -> SideFacts {
    let graph = baseline.graph();
    let id = |n: NodeIx| graph.id(n).to_owned();
    let columns = sweep(baseline, domains, None, progress);
    let scenarios = columns
        .into_iter()
        .map(|c| {
            let statuses = c.functions.into_iter().map(|(f, s)| (id(f), s)).collect();
            (c.domain.to_string(), statuses)
        })
        .collect();
    let spofs = spof(baseline, graph.functions(), progress)
        .into_iter()
        .map(|r| (id(r.function), r.spofs.into_iter().map(id).collect()))
        .collect();
    let violations = rules.map(|rules| {
        violations(baseline, rules, progress)
            .into_iter()
            .map(|v| {
                (
                    id(v.function),
                    rules[v.rule].name.clone(),
                    v.domain.to_string(),
                )
            })
            .collect()
    });
    SideFacts {
        functions: Some(graph.functions().iter().map(|&f| id(f)).collect()),
        scenarios: Some(scenarios),
        spofs: Some(spofs),
        violations,
    }
}

/// Compares two sides' facts. Only the parts both sides tell are compared.
/// O(domains × changed functions + facts), after sorting.
pub fn diff_facts(old: &SideFacts, new: &SideFacts, structure: Option<StructureDiff>) -> Diff {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for side in [old, new] {
        ids.extend(side.functions.iter().flatten().map(String::as_str));
        ids.extend(side.spofs.iter().flat_map(|m| m.keys()).map(String::as_str));
        for statuses in side.scenarios.iter().flat_map(|m| m.values()) {
            ids.extend(statuses.keys().map(String::as_str));
        }
        ids.extend(side.violations.iter().flatten().map(|v| v.0.as_str()));
    }
    let scenarios = old.scenarios.as_ref().zip(new.scenarios.as_ref());
    let domains: BTreeSet<&str> = scenarios
        .iter()
        .flat_map(|(o, n)| o.keys().chain(n.keys()))
        .map(String::as_str)
        .collect();
    let mut changes = scenario_changes(old, new, &domains);
    let (old_violations, new_violations) = (by_function(old), by_function(new));
    let functions: Vec<FunctionDiff> = ids
        .into_iter()
        .filter_map(|f| {
            let scenarios = changes.remove(f).unwrap_or_default();
            let violations = (
                old_violations
                    .as_ref()
                    .map(|v| v.get(f).cloned().unwrap_or_default()),
                new_violations
                    .as_ref()
                    .map(|v| v.get(f).cloned().unwrap_or_default()),
            );
            function_diff(f, old, new, scenarios, violations)
        })
        .collect();
    let worse = functions.iter().any(|f| f.verdict.worsens());
    let better = functions
        .iter()
        .any(|f| matches!(f.verdict, Verdict::Better | Verdict::Mixed));
    Diff {
        verdict: Verdict::of(worse, better),
        structure,
        functions,
        domains_compared: domains.len(),
    }
}

fn present(side: &SideFacts, f: &str) -> bool {
    side.functions.as_ref().is_none_or(|s| s.contains(f))
}

/// The status of function `f` under domain `d` on one side (`on`: the
/// function exists there): a function a scenario does not list is up.
fn status_on(side: &SideFacts, on: bool, d: &str, f: &str) -> SideStatus {
    if !on {
        return SideStatus::Absent;
    }
    let s = side.scenarios.as_ref().and_then(|m| m.get(d)?.get(f));
    SideStatus::Is(s.copied().unwrap_or(Status::Up))
}

/// Every function's scenario changes, in domain order. Only the functions
/// a scenario lists as not up on either side can change under it (the
/// others are up on both), so the cost follows the not-up entries of the
/// two sweeps, not functions × domains (7.4 M look-ups at 120k services);
/// a function on one side only changes under every domain.
fn scenario_changes<'a>(
    old: &'a SideFacts,
    new: &'a SideFacts,
    domains: &BTreeSet<&'a str>,
) -> BTreeMap<&'a str, Vec<ScenarioChange>> {
    let mut out: BTreeMap<&str, Vec<ScenarioChange>> = BTreeMap::new();
    let listed = |side: &'a SideFacts, d: &str| -> Vec<&'a str> {
        side.scenarios
            .as_ref()
            .and_then(|m| m.get(d))
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let one_sided: Vec<&str> = [old, new]
        .iter()
        .flat_map(|side| side.functions.iter().flatten())
        .map(String::as_str)
        .filter(|f| present(old, f) != present(new, f))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for &d in domains {
        let mut candidates: BTreeSet<&str> = listed(old, d).into_iter().collect();
        candidates.extend(listed(new, d));
        candidates.extend(one_sided.iter().copied());
        for f in candidates {
            let (o, n) = (
                status_on(old, present(old, f), d, f),
                status_on(new, present(new, f), d, f),
            );
            if o != n {
                out.entry(f).or_default().push(ScenarioChange {
                    domain: d.to_owned(),
                    old: o,
                    new: n,
                });
            }
        }
    }
    out
}

/// One function's violations on one side: (rule name, domain text).
type RuleDomains = BTreeSet<(String, String)>;

/// A side's violations grouped by function.
fn by_function(side: &SideFacts) -> Option<BTreeMap<&str, RuleDomains>> {
    side.violations.as_ref().map(|all| {
        let mut out: BTreeMap<&str, RuleDomains> = BTreeMap::new();
        for v in all {
            out.entry(v.0.as_str())
                .or_default()
                .insert((v.1.clone(), v.2.clone()));
        }
        out
    })
}

fn function_diff(
    f: &str,
    old: &SideFacts,
    new: &SideFacts,
    scenarios: Vec<ScenarioChange>,
    violations: (Option<RuleDomains>, Option<RuleDomains>),
) -> Option<FunctionDiff> {
    let (on_old, on_new) = (present(old, f), present(new, f));
    let (spof_gained, spof_lost) = match (&old.spofs, &new.spofs) {
        (Some(o), Some(n)) => {
            let (gained, lost) = set_diff(o.get(f), n.get(f));
            let gained = gained
                .into_iter()
                .map(|id| GainedSpof {
                    id,
                    path: Vec::new(),
                })
                .collect();
            (gained, lost)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let (violations_gained, violations_fixed) = match violations {
        (Some(o), Some(n)) => set_diff(Some(&o), Some(&n)),
        _ => (Vec::new(), Vec::new()),
    };
    let both = on_old && on_new;
    let worse = both
        && (scenarios.iter().any(|c| c.new > c.old)
            || !spof_gained.is_empty()
            || !violations_gained.is_empty());
    let better = both
        && (scenarios.iter().any(|c| c.new < c.old)
            || !spof_lost.is_empty()
            || !violations_fixed.is_empty());
    let changed = on_old != on_new
        || !scenarios.is_empty()
        || !spof_gained.is_empty()
        || !spof_lost.is_empty()
        || !violations_gained.is_empty()
        || !violations_fixed.is_empty();
    changed.then(|| FunctionDiff {
        id: f.to_owned(),
        on_old,
        on_new,
        scenarios,
        spof_gained,
        spof_lost,
        violations_gained,
        violations_fixed,
        verdict: Verdict::of(worse, better),
    })
}

/// (in `new` only, in `old` only), sorted.
fn set_diff<T: Ord + Clone>(
    old: Option<&BTreeSet<T>>,
    new: Option<&BTreeSet<T>>,
) -> (Vec<T>, Vec<T>) {
    let empty = BTreeSet::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    (
        new.difference(old).cloned().collect(),
        old.difference(new).cloned().collect(),
    )
}

/// Fills the path (SPEC §3.4) of each gained single point of failure, on
/// the new side's estate. Costs what each gained node's failure reaches.
pub fn add_spof_paths(diff: &mut Diff, new: &Baseline) {
    let graph = new.graph();
    let mut scratch = new.scratch();
    for f in &mut diff.functions {
        let Some(fx) = graph.find(&f.id) else {
            continue;
        };
        for gained in &mut f.spof_gained {
            if let Some(x) = graph.find(&gained.id) {
                gained.path = path_to(new, &mut scratch, fx, x)
                    .into_iter()
                    .map(|n| graph.id(n).to_owned())
                    .collect();
            }
        }
    }
}

/// Nodes and edges added, removed and changed between two estates. One
/// merge over both graphs' id-ordered nodes: O(nodes + members).
pub fn structure_diff(old: &Graph, new: &Graph) -> StructureDiff {
    let mut out = StructureDiff::default();
    let (mut i, mut j) = (0 as NodeIx, 0 as NodeIx);
    let (n_old, n_new) = (old.len() as NodeIx, new.len() as NodeIx);
    while i < n_old || j < n_new {
        let order = match (i < n_old, j < n_new) {
            (true, true) => old.id(i).as_bytes().cmp(new.id(j).as_bytes()),
            (true, false) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                out.removed.push(old.id(i).to_owned());
                out.edges_removed.extend(edges(old, i));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.added.push(new.id(j).to_owned());
                out.edges_added.extend(edges(new, j));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let fields = changed_fields(old, i, new, j);
                if !fields.is_empty() {
                    out.changed.push((old.id(i).to_owned(), fields));
                    let (o, n): (BTreeSet<_>, BTreeSet<_>) = (edges(old, i), edges(new, j));
                    out.edges_added.extend(n.difference(&o).cloned());
                    out.edges_removed.extend(o.difference(&n).cloned());
                }
                i += 1;
                j += 1;
            }
        }
    }
    out.edges_added.sort();
    out.edges_removed.sort();
    out
}

/// (owner, member) for every member of the node's entries (SPEC §4.2).
fn edges(graph: &Graph, n: NodeIx) -> BTreeSet<(String, String)> {
    let owner = graph.id(n);
    (graph.requires(n).start..graph.optional(n).end)
        .flat_map(|e| graph.members(e))
        .map(|&m| (owner.to_owned(), graph.id(m).to_owned()))
        .collect()
}

/// The names of the fields (SPEC §1.1) and entry lists that differ between
/// node `i` of `old` and node `j` of `new` (the same id).
fn changed_fields(old: &Graph, i: NodeIx, new: &Graph, j: NodeIx) -> Vec<&'static str> {
    let mut out = Vec::new();
    if old.kind(i) != new.kind(j) {
        out.push("kind");
    }
    if old.criticality(i) != new.criticality(j) {
        out.push("criticality");
    }
    if old.description(i) != new.description(j) {
        out.push("description");
    }
    for attr in Attr::ALL {
        if old.attr(i, attr) != new.attr(j, attr) {
            out.push(attr.field());
        }
    }
    let same_zones = old.zones_every(i) == new.zones_every(j)
        && same_by(old.zones(i), new.zones(j), |&a, &b| {
            old.symbol(a) == new.symbol(b)
        });
    if !same_zones {
        out.push("zones");
    }
    if old.min_zones(i) != new.min_zones(j) {
        out.push("min_zones");
    }
    if !same_by(old.tags(i), new.tags(j), |&(k, v), &(k2, v2)| {
        old.symbol(k) == new.symbol(k2) && old.symbol(v) == new.symbol(v2)
    }) {
        out.push("tags");
    }
    if !same_entries(old, old.requires(i), new, new.requires(j)) {
        out.push("requires");
    }
    if !same_entries(old, old.optional(i), new, new.optional(j)) {
        out.push("optional");
    }
    out
}

/// Whether two slices hold pairwise `same` items, without allocating: this
/// runs for every node the two estates share (a million at 120k services).
fn same_by<A, B>(a: &[A], b: &[B], same: impl Fn(&A, &B) -> bool) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
}

/// Whether two runs of entries are equal: same kind (whatever its
/// variant), threshold, optional flag and member ids in order, so a new
/// entry kind compares without a new arm.
fn same_entries(
    old: &Graph,
    a: std::ops::Range<u32>,
    new: &Graph,
    b: std::ops::Range<u32>,
) -> bool {
    a.len() == b.len()
        && a.zip(b).all(|(x, y)| {
            let (ex, ey) = (&old.entries()[x as usize], &new.entries()[y as usize]);
            ex.kind == ey.kind
                && ex.needed == ey.needed
                && ex.optional == ey.optional
                && same_by(old.members(x), new.members(y), |&m, &n| {
                    old.id(m) == new.id(n)
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(scenarios: &[(&str, &[(&str, Status)])], spofs: &[(&str, &[&str])]) -> SideFacts {
        SideFacts {
            functions: Some(["f".to_owned()].into()),
            scenarios: Some(
                scenarios
                    .iter()
                    .map(|(d, fs)| {
                        let m = fs.iter().map(|(f, s)| (f.to_string(), *s)).collect();
                        (d.to_string(), m)
                    })
                    .collect(),
            ),
            spofs: Some(
                spofs
                    .iter()
                    .map(|(f, xs)| (f.to_string(), xs.iter().map(|x| x.to_string()).collect()))
                    .collect(),
            ),
            violations: None,
        }
    }

    #[test]
    fn identical_facts_are_unchanged_and_list_no_function() {
        let a = side(&[("region:r", &[("f", Status::Down)])], &[("f", &["db"])]);
        let d = diff_facts(&a, &a, None);
        assert_eq!(d.verdict, Verdict::Unchanged);
        assert!(d.functions.is_empty());
    }

    #[test]
    fn a_gained_spof_with_a_survived_region_is_mixed() {
        let old = side(&[("region:r", &[("f", Status::Down)])], &[("f", &[])]);
        let new = side(&[("region:r", &[])], &[("f", &["db"])]);
        let d = diff_facts(&old, &new, None);
        assert_eq!(d.verdict, Verdict::Mixed);
        let f = &d.functions[0];
        assert_eq!(f.spof_gained[0].id, "db");
        assert_eq!(
            f.scenarios,
            vec![ScenarioChange {
                domain: "region:r".into(),
                old: SideStatus::Is(Status::Down),
                new: SideStatus::Is(Status::Up),
            }]
        );
    }

    #[test]
    fn a_function_on_one_side_only_neither_worsens_nor_improves() {
        let old = side(&[("region:r", &[])], &[("f", &[])]);
        let mut new = old.clone();
        new.functions = Some(["f".to_owned(), "g".to_owned()].into());
        new.spofs = Some([("g".to_owned(), ["db".to_owned()].into())].into());
        let d = diff_facts(&old, &new, None);
        assert_eq!(d.verdict, Verdict::Unchanged);
        assert_eq!(d.functions.len(), 1);
        assert!(!d.functions[0].on_old && d.functions[0].on_new);
        assert_eq!(d.functions[0].scenarios[0].old, SideStatus::Absent);
    }
}
