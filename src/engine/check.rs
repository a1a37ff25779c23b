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

use super::explain::{down_under, Explainer};
use super::incremental::Baseline;
use super::sweep::{added_to, scenarios_of, DomainIndex};
use crate::graph::{Graph, NodeIx};
use crate::model::baseline::{BaselineEntry, BaselineFile};
use crate::model::{Domain, DomainKind, FunctionSelector, Rule};

/// Whether function `f` is selected by `selector` (a function without
/// criticality is `medium`). O(ids + tags of f).
pub fn selects(graph: &Graph, selector: &FunctionSelector, f: NodeIx) -> bool {
    let FunctionSelector::Where {
        ids,
        criticality,
        tags,
    } = selector
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

/// A function down under a domain of a rule's kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Index of the rule in the policy.
    pub rule: usize,
    pub function: NodeIx,
    pub domain: Domain,
    /// For a `KIND+KIND` rule (SPEC §6.3), the pair's other domain: the
    /// function goes down when both fail, under neither alone. `domain`
    /// comes first in byte order of their text.
    pub second: Option<Domain>,
    pub path: Vec<NodeIx>,
    pub causes: Vec<NodeIx>,
}

impl Violation {
    /// The scenario's text: `region:us-east-1`, or for a pair
    /// `region:us-east-1 + zone:use1-az1`. Baseline fingerprints and
    /// reports name a violation's scenario by it.
    pub fn scenario(&self) -> String {
        match &self.second {
            None => self.domain.to_string(),
            Some(b) => format!("{} + {b}", self.domain),
        }
    }

    /// The failed domains: one, or the two of a pair, sorted.
    pub fn domains(&self) -> impl Iterator<Item = &Domain> {
        std::iter::once(&self.domain).chain(self.second.as_ref())
    }
}

/// The functions each rule selects, in id order.
pub fn selected_functions(graph: &Graph, rule: &Rule) -> Vec<NodeIx> {
    graph
        .functions()
        .iter()
        .copied()
        .filter(|&f| selects(graph, &rule.functions, f))
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
    let pairs_under = pairs_of_kinds(baseline, &index, rules, &selected, progress);
    let mut out = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let wanted: FxHashSet<NodeIx> = selected[r].iter().copied().collect();
        let mut found: Vec<(NodeIx, &Domain, Option<&Domain>)> = Vec::new();
        for kind in &rule.must_survive {
            for (domain, down) in &down_under[kind] {
                if !counts_domain(graph, rule, domain) {
                    continue;
                }
                for &f in down {
                    if wanted.contains(&f) && *domain != Domain::Node(graph.id(f).to_owned()) {
                        found.push((f, domain, None));
                    }
                }
            }
        }
        for kinds in &rule.must_survive_pairs {
            for (a, b, down) in &pairs_under[kinds] {
                if !counts_domain(graph, rule, a) || !counts_domain(graph, rule, b) {
                    continue;
                }
                found.extend(
                    down.iter()
                        .filter(|f| wanted.contains(f))
                        .map(|&f| (f, a, Some(b))),
                );
            }
        }
        let mut found: Vec<Violation> = found
            .into_iter()
            .map(|(f, domain, second)| Violation {
                rule: r,
                function: f,
                domain: domain.clone(),
                second: second.cloned(),
                path: Vec::new(),
                causes: Vec::new(),
            })
            .collect();
        // SPEC §4.2: ids and domains in byte order of their text.
        found.sort_by_cached_key(|v| (v.function, v.scenario()));
        found.dedup_by(|x, y| {
            x.function == y.function && x.domain == y.domain && x.second == y.second
        });
        out.extend(found);
    }
    explain_all(baseline, &index, &mut out);
    out
}

/// `node_kinds`: whether `domain` counts for `rule` (only the `node`
/// domains of those kinds do; other domains always count).
fn counts_domain(graph: &Graph, rule: &Rule, domain: &Domain) -> bool {
    let Domain::Node(id) = domain else {
        return true;
    };
    graph
        .find(id)
        .is_none_or(|x| rule.counts_node_kind(graph.kind(x)))
}

/// A pair of domains and the functions it takes down that neither domain
/// takes down alone.
type PairDown = (Domain, Domain, Vec<NodeIx>);

/// For each `KIND+KIND` some rule asks for, the pairs of distinct domains
/// of those kinds with the functions (selected by such a rule) they take
/// down together but neither alone (SPEC §6.3).
fn pairs_of_kinds(
    baseline: &Baseline,
    index: &DomainIndex,
    rules: &[Rule],
    selected: &[Vec<NodeIx>],
    progress: &(dyn Fn(u64) + Sync),
) -> FxHashMap<(DomainKind, DomainKind), Vec<PairDown>> {
    let mut out = FxHashMap::default();
    for (r, rule) in rules.iter().enumerate() {
        for &kinds in &rule.must_survive_pairs {
            if out.contains_key(&kinds) {
                continue;
            }
            let mut functions: Vec<NodeIx> = rules
                .iter()
                .zip(selected)
                .skip(r)
                .filter(|(other, _)| other.must_survive_pairs.contains(&kinds))
                .flat_map(|(_, s)| s.iter().copied())
                .collect();
            functions.sort_unstable();
            functions.dedup();
            let found = if kinds == (DomainKind::Node, DomainKind::Node) {
                node_pairs(baseline, &functions, progress)
            } else {
                domain_pairs(baseline, index, kinds, &functions, progress)
            };
            out.insert(kinds, found);
        }
    }
    out
}

/// `node+node`: the pairs of [`super::pairs`], by pair of nodes.
fn node_pairs(
    baseline: &Baseline,
    functions: &[NodeIx],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<PairDown> {
    let graph = baseline.graph();
    let mut by_pair: std::collections::BTreeMap<(NodeIx, NodeIx), Vec<NodeIx>> = Default::default();
    for item in super::pairs::pairs(baseline, functions, progress) {
        for p in item.pairs {
            by_pair.entry(p).or_default().push(item.function);
        }
    }
    let node = |n: NodeIx| Domain::Node(graph.id(n).to_owned());
    by_pair
        .into_iter()
        .map(|((a, b), fs)| (node(a), node(b), fs))
        .collect()
}

/// Pairs of distinct domains of `kinds`, each first domain held once and
/// every second domain added on top of it ([`Baseline::hold`]), so a pair
/// costs what its second domain reaches given the first.
fn domain_pairs(
    baseline: &Baseline,
    index: &DomainIndex,
    (k1, k2): (DomainKind, DomainKind),
    functions: &[NodeIx],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<PairDown> {
    use rayon::prelude::*;
    let graph = baseline.graph();
    let mut wanted = vec![false; graph.len()];
    for &f in functions {
        wanted[f as usize] = true;
    }
    let first = scenarios_of(graph, &[k1]);
    let second = scenarios_of(graph, &[k2]);
    let direct2: Vec<Vec<NodeIx>> = second.iter().map(|d| index.direct(graph, d).0).collect();
    let zone_pairs = k1 == DomainKind::Zone && k2 == DomainKind::Zone;
    let alone2: Vec<Vec<NodeIx>> = direct2
        .par_iter()
        .map_init(
            || baseline.scratch(),
            |scratch, direct| {
                let mut fs = down_under(baseline, scratch, direct);
                fs.retain(|&n| wanted[n as usize]);
                fs
            },
        )
        .collect();
    first
        .par_iter()
        .enumerate()
        .map_init(
            || (baseline.scratch(), baseline.scratch()),
            |(held_scratch, scratch), (i, d1)| {
                let direct1 = index.direct(graph, d1).0;
                let held = baseline.hold(held_scratch, &direct1);
                let mut found = Vec::new();
                for (j, d2) in second.iter().enumerate() {
                    if (k1 == k2 && j <= i) || d1 == d2 {
                        continue;
                    }
                    // Two zones can take down together a node that each
                    // only degrades (the zone rule counts both).
                    let added = if zone_pairs {
                        let pair = [d1.clone(), d2.clone()];
                        added_to(&index.direct_all(graph, &pair).0, &direct1)
                    } else {
                        direct2[j].clone()
                    };
                    let down: Vec<NodeIx> = held
                        .evaluate(scratch, &added)
                        .into_iter()
                        .filter(|&n| wanted[n as usize] && alone2[j].binary_search(&n).is_err())
                        .collect();
                    if !down.is_empty() {
                        let (a, b) = if d1.to_string() <= d2.to_string() {
                            (d1, d2)
                        } else {
                            (d2, d1)
                        };
                        found.push((a.clone(), b.clone(), down));
                    }
                }
                progress(1);
                found
            },
        )
        .flatten()
        .collect()
}

/// A violation's failed domains: one, or a pair.
type Failed = (Domain, Option<Domain>);

/// A violation's index with its causes and path.
type Explained = (usize, Vec<NodeIx>, Vec<NodeIx>);

/// Fills causes and paths, evaluating each violating domain once.
fn explain_all(baseline: &Baseline, index: &DomainIndex, violations: &mut [Violation]) {
    use rayon::prelude::*;
    let graph = baseline.graph();
    let mut by_domain: FxHashMap<Failed, Vec<usize>> = FxHashMap::default();
    for (i, v) in violations.iter().enumerate() {
        by_domain
            .entry((v.domain.clone(), v.second.clone()))
            .or_default()
            .push(i);
    }
    let mut domains: Vec<(Failed, Vec<usize>)> = by_domain.into_iter().collect();
    domains.sort_by_cached_key(|((d, e), _)| (d.to_string(), e.as_ref().map(Domain::to_string)));
    // Each domain on its own (in parallel); the answers land by index.
    let explained: Vec<Vec<Explained>> = domains
        .into_par_iter()
        .map_init(
            || baseline.scratch(),
            |scratch, ((domain, second), indices)| {
                let failed: Vec<Domain> = std::iter::once(domain).chain(second).collect();
                let (direct, _) = index.direct_all(graph, &failed);
                let explainer = Explainer::new(baseline, scratch, &direct);
                indices
                    .into_iter()
                    .map(|i| {
                        let (causes, path) = explainer.explain(violations[i].function);
                        (i, causes, path)
                    })
                    .collect()
            },
        )
        .collect();
    for (i, causes, path) in explained.into_iter().flatten() {
        violations[i].causes = causes;
        violations[i].path = path;
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
                // A fresh vector (not an in-place collect): the column
                // keeps only its functions, not the whole down set.
                let mut functions: Vec<NodeIx> = down_under(baseline, scratch, &down)
                    .iter()
                    .copied()
                    .filter(|&n| is_function[n as usize])
                    .collect();
                functions.sort_unstable();
                progress(1);
                (d, functions)
            },
        )
        .collect()
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

/// The stable fingerprint of a violation: FNV-1a (64 bits) of
/// `rule \0 function \0 domain`, as 16 hex digits. Stable across runs,
/// machines and versions: it depends on those three texts only. Baseline
/// entries and SARIF `partialFingerprints` match violations by it.
pub fn fingerprint(rule: &str, function: &str, domain: &str) -> String {
    let bytes = rule
        .bytes()
        .chain([0])
        .chain(function.bytes())
        .chain([0])
        .chain(domain.bytes());
    let hash = bytes.fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The gate's verdict: every violation with its fingerprint and the
/// baseline entry, if any, that accepts it, and the entries that accept
/// nothing. Reports render it; `--write-baseline` renews from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Every violation, in the order [`violations`] gives.
    pub violations: Vec<Violation>,
    /// The fingerprint of each violation (same index).
    pub fingerprints: Vec<String>,
    /// The baseline entry (its index) accepting each violation (same index).
    pub accepted_by: Vec<Option<usize>>,
    /// Unexpired baseline entries (their indices, in file order) that
    /// accept no violation of this run: they can be removed.
    pub stale: Vec<usize>,
    /// Whether a baseline was given.
    pub with_baseline: bool,
    /// For each violation no entry accepts (same index), the expired entry
    /// with its fingerprint, if any: the report says "expired on DATE"
    /// rather than letting a lapsed acceptance look like a new finding.
    pub expired: Vec<Option<usize>>,
}

impl Verdict {
    /// Judges `violations` of `rules` against a baseline's entries: an
    /// unexpired entry (by `today`, `YYYY-MM-DD`) accepts the violation of
    /// the same fingerprint; of entries sharing a fingerprint, the last.
    pub fn new(
        graph: &Graph,
        rules: &[Rule],
        violations: Vec<Violation>,
        baseline: Option<&[BaselineEntry]>,
        today: &str,
    ) -> Self {
        let entries = baseline.unwrap_or_default();
        let accepting: FxHashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.expired(today))
            .map(|(i, e)| (e.fingerprint.as_str(), i))
            .collect();
        let fingerprints: Vec<String> = violations
            .iter()
            .map(|v| fingerprint(&rules[v.rule].name, graph.id(v.function), &v.scenario()))
            .collect();
        let accepted_by: Vec<Option<usize>> = fingerprints
            .iter()
            .map(|fp| accepting.get(fp.as_str()).copied())
            .collect();
        let used: FxHashSet<&str> = fingerprints
            .iter()
            .zip(&accepted_by)
            .filter(|(_, a)| a.is_some())
            .map(|(fp, _)| fp.as_str())
            .collect();
        let stale = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.expired(today) && !used.contains(e.fingerprint.as_str()))
            .map(|(i, _)| i)
            .collect();
        let expired = expired_entries(entries, &fingerprints, &accepted_by, today);
        Verdict {
            violations,
            fingerprints,
            accepted_by,
            stale,
            with_baseline: baseline.is_some(),
            expired,
        }
    }

    /// True when no violation fails the build (all are accepted).
    pub fn passed(&self) -> bool {
        self.accepted_by.iter().all(Option::is_some)
    }

    /// The baseline `--write-baseline` writes: every current violation,
    /// keeping the reason and expiry of the unexpired entry of `old` with
    /// the same fingerprint (an expired entry is renewed without them).
    pub fn renewed_baseline(
        &self,
        graph: &Graph,
        rules: &[Rule],
        old: Option<&[BaselineEntry]>,
        today: &str,
    ) -> BaselineFile {
        let kept = |fp: &str| {
            old.and_then(|b| b.iter().find(|e| e.fingerprint == fp && !e.expired(today)))
        };
        let violations = self
            .violations
            .iter()
            .zip(&self.fingerprints)
            .map(|(v, fp)| {
                let previous = kept(fp);
                BaselineEntry {
                    domain: v.scenario(),
                    domains: match &v.second {
                        None => Vec::new(),
                        Some(_) => v.domains().map(Domain::to_string).collect(),
                    },
                    expires: previous.and_then(|p| p.expires.clone()),
                    fingerprint: fp.clone(),
                    function: graph.id(v.function).to_owned(),
                    reason: previous.and_then(|p| p.reason.clone()),
                    rule: rules[v.rule].name.clone(),
                }
            })
            .collect();
        BaselineFile {
            version: 1,
            violations,
        }
    }
}

/// For each violation not accepted (by `accepted_by`), the expired entry of
/// `entries` with its fingerprint (of several, the last), if any.
fn expired_entries(
    entries: &[BaselineEntry],
    fingerprints: &[String],
    accepted_by: &[Option<usize>],
    today: &str,
) -> Vec<Option<usize>> {
    let lapsed: FxHashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.expired(today))
        .map(|(i, e)| (e.fingerprint.as_str(), i))
        .collect();
    fingerprints
        .iter()
        .zip(accepted_by)
        .map(|(fp, accepted)| match accepted {
            Some(_) => None,
            None => lapsed.get(fp.as_str()).copied(),
        })
        .collect()
}

/// What `--write-baseline` did to the file it replaces, for the line that
/// says so (counts of entries by fingerprint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Renewal {
    /// Entries written: one per current violation.
    pub written: usize,
    /// Written entries that an unexpired previous entry accepted: their
    /// reason and expiry are kept.
    pub kept: usize,
    /// Written entries whose previous entry had expired: renewed without
    /// its reason and expiry, which the team has to give again.
    pub renewed_expired: usize,
    /// Written entries no previous entry had.
    pub new: usize,
    /// Previous entries (distinct fingerprints) that no longer occur.
    pub removed: usize,
}

impl Renewal {
    /// Compares the renewed file with the `previous` entries it was
    /// renewed from, as [`Verdict::renewed_baseline`] judged them by `today`.
    pub fn of(written: &BaselineFile, previous: &[BaselineEntry], today: &str) -> Self {
        let unexpired: FxHashSet<&str> = previous
            .iter()
            .filter(|e| !e.expired(today))
            .map(|e| e.fingerprint.as_str())
            .collect();
        let all: FxHashSet<&str> = previous.iter().map(|e| e.fingerprint.as_str()).collect();
        let now: FxHashSet<&str> = written
            .violations
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let mut renewal = Renewal {
            written: written.violations.len(),
            removed: all.difference(&now).count(),
            ..Renewal::default()
        };
        for e in &written.violations {
            let fp = e.fingerprint.as_str();
            if unexpired.contains(fp) {
                renewal.kept += 1;
            } else if all.contains(fp) {
                renewal.renewed_expired += 1;
            } else {
                renewal.new += 1;
            }
        }
        renewal
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_rule_function_and_domain_only() {
        let a = fingerprint("r", "checkout", "region:us-east-1");
        assert_eq!(a, fingerprint("r", "checkout", "region:us-east-1"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, fingerprint("r", "checkout", "region:eu-west-1"));
        assert_ne!(fingerprint("ab", "c", "d"), fingerprint("a", "bc", "d"));
    }

    fn entry(fp: &str, expires: Option<&str>) -> BaselineEntry {
        BaselineEntry {
            domain: "zone:z".into(),
            domains: Vec::new(),
            expires: expires.map(str::to_owned),
            fingerprint: fp.into(),
            function: "f".into(),
            reason: None,
            rule: "r".into(),
        }
    }

    #[test]
    fn an_expired_entry_is_named_for_its_violation_but_accepts_nothing() {
        let entries = [entry("a", Some("2001-01-31")), entry("b", None)];
        let fingerprints = ["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let accepted_by = [None, Some(1), None];
        let expired = expired_entries(&entries, &fingerprints, &accepted_by, "2026-01-01");
        assert_eq!(expired, [Some(0), None, None]);
        // The day it expires, it still accepts: nothing is expired.
        let expired = expired_entries(&entries, &fingerprints, &accepted_by, "2001-01-31");
        assert_eq!(expired, [None, None, None]);
    }

    #[test]
    fn a_renewal_counts_kept_new_renewed_and_removed_entries() {
        let previous = [
            entry("kept", Some("2999-01-01")),
            entry("lapsed", Some("2001-01-01")),
            entry("gone", None),
        ];
        let written = BaselineFile {
            version: 1,
            violations: vec![
                entry("kept", None),
                entry("lapsed", None),
                entry("fresh", None),
            ],
        };
        let r = Renewal::of(&written, &previous, "2026-01-01");
        assert_eq!(
            r,
            Renewal {
                written: 3,
                kept: 1,
                renewed_expired: 1,
                new: 1,
                removed: 1
            }
        );
    }
}
