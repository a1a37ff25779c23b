//! `check` output: the CI gate's findings, as data every format renders.
//!
//! [`CheckReport`] holds plain strings (ids, domains, file positions), so
//! each renderer (text, JSON, SARIF, JUnit, GitHub annotations) is a pure
//! function of it.

/// Where something is defined in a file (1-based line and column): the
/// model's one position type, under the name the renderers use.
pub type SourcePosition = crate::model::Position;

/// The whole outcome of one `check` run.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The policy file, as given on the command line.
    pub policy_file: String,
    /// Every rule, in policy order, with every function it selects.
    pub rules: Vec<RuleOutcome>,
    /// Baseline entries that no longer occur (can be removed).
    pub stale_baseline: Vec<BaselineEntryOutcome>,
    /// Whether a baseline file was given.
    pub with_baseline: bool,
    /// Where the nodes on violations' paths and causes are defined, by id,
    /// when the format shows them (SARIF code flows); may be empty.
    pub node_positions: std::collections::BTreeMap<String, SourcePosition>,
}

/// One rule of the policy.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    /// The rule's `name`.
    pub name: String,
    /// Where the rule's `name` is written in the policy file.
    pub position: Option<SourcePosition>,
    /// The domain kinds it asks functions to survive (`region`, `zone`...).
    pub must_survive: Vec<String>,
    /// Every function the rule selects, in id order (passing ones too:
    /// JUnit lists a test case per rule × function).
    pub functions: Vec<FunctionOutcome>,
}

/// One function under one rule.
#[derive(Debug, Clone)]
pub struct FunctionOutcome {
    pub id: String,
    /// `critical`, `high`, `medium` or `low`.
    pub criticality: String,
    pub description: Option<String>,
    /// Where the function is defined (its id's key in the estate file).
    pub position: Option<SourcePosition>,
    /// Violations, in byte order of their domains.
    pub violations: Vec<ViolationOutcome>,
}

/// The function goes down under one domain of the rule's kinds.
#[derive(Debug, Clone)]
pub struct ViolationOutcome {
    /// The failed domain (`region:us-east-1`, `node:db-1`); for a pair
    /// (SPEC §6.3) both, joined: `zone:a + zone:b`. Every format shows it.
    pub domain: String,
    /// A pair's two domains, sorted; empty for a single domain. JSON
    /// writes them as `domains` instead of `domain`.
    pub domains: Vec<String>,
    /// SPEC §3.4 path from the function to a cause.
    pub path: Vec<String>,
    /// SPEC §3.3 causes.
    pub causes: Vec<String>,
    /// Stable fingerprint of (rule, function, domain): 16 hex digits.
    pub fingerprint: String,
    /// One line on how to fix it.
    pub hint: String,
    /// Set when a baseline entry accepts this violation.
    pub baselined: Option<BaselineNote>,
    /// Set when the baseline entry for this violation has expired (so it
    /// fails again): every format says "expired on DATE".
    pub expired: Option<BaselineNote>,
}

impl ViolationOutcome {
    /// `region:a fails`, or for a pair `zone:a and zone:b fail together`:
    /// what "goes down when …" ends with.
    pub fn fails(&self) -> String {
        match &self.domains[..] {
            [a, b] => format!("{a} and {b} fail together"),
            _ => format!("{} fails", self.domain),
        }
    }

    /// `the baseline entry accepting it expired on DATE`, when it did.
    pub fn expiry_phrase(&self) -> Option<String> {
        let note = self.expired.as_ref()?;
        let date = note.expires.as_deref().unwrap_or("an unknown date");
        Some(format!("the baseline entry accepting it expired on {date}"))
    }
}

/// Why a violation is accepted.
#[derive(Debug, Clone, Default)]
pub struct BaselineNote {
    pub reason: Option<String>,
    /// `YYYY-MM-DD`, if the acceptance expires.
    pub expires: Option<String>,
}

/// A baseline entry that matched nothing in this run.
#[derive(Debug, Clone)]
pub struct BaselineEntryOutcome {
    pub rule: String,
    pub function: String,
    pub domain: String,
    pub fingerprint: String,
}

impl CheckReport {
    /// Violations not accepted by the baseline: what fails the build.
    pub fn new_violations(
        &self,
    ) -> impl Iterator<Item = (&RuleOutcome, &FunctionOutcome, &ViolationOutcome)> {
        self.all_violations()
            .filter(|(_, _, v)| v.baselined.is_none())
    }

    /// Every violation, baselined or not, in rule, function, domain order.
    pub fn all_violations(
        &self,
    ) -> impl Iterator<Item = (&RuleOutcome, &FunctionOutcome, &ViolationOutcome)> {
        self.rules.iter().flat_map(|r| {
            r.functions
                .iter()
                .flat_map(move |f| f.violations.iter().map(move |v| (r, f, v)))
        })
    }

    /// True when no violation fails the build.
    pub fn passed(&self) -> bool {
        self.new_violations().next().is_none()
    }
}

/// `check --format json` (SPEC §4.2): `{"passed", "violations"}`, each
/// violation with `rule`, `function`, `domain`, `path`, `causes`. With a
/// baseline, each violation also says whether it is `baselined`, one whose
/// entry has run out has `expired` (the entry's `expires` date), and
/// `stale_baseline` lists entries that no longer occur.
pub fn to_json(report: &CheckReport) -> String {
    let violations: Vec<JsonViolation> = report
        .all_violations()
        .map(|(r, f, v)| JsonViolation {
            baselined: report.with_baseline.then_some(v.baselined.is_some()),
            causes: &v.causes,
            domain: v.domains.is_empty().then_some(v.domain.as_str()),
            domains: (!v.domains.is_empty()).then_some(v.domains.as_slice()),
            expired: v.expired.as_ref().and_then(|e| e.expires.as_deref()),
            function: &f.id,
            path: &v.path,
            rule: &r.name,
        })
        .collect();
    let stale_baseline = report.with_baseline.then(|| {
        report
            .stale_baseline
            .iter()
            .map(|e| JsonStale {
                domain: &e.domain,
                fingerprint: &e.fingerprint,
                function: &e.function,
                rule: &e.rule,
            })
            .collect()
    });
    let top = JsonCheck {
        passed: report.passed(),
        stale_baseline,
        violations,
    };
    let mut s = serde_json::to_string_pretty(&top).expect("plain data serialises");
    s.push('\n');
    s
}

/// `check --format json`, borrowed from the report and written field by
/// field, keys in byte order: at 100,000 violations a tree of values
/// (a map and owned strings per violation) took as long to build and free
/// as to write.
#[derive(serde::Serialize)]
struct JsonCheck<'r> {
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stale_baseline: Option<Vec<JsonStale<'r>>>,
    violations: Vec<JsonViolation<'r>>,
}

#[derive(serde::Serialize)]
struct JsonViolation<'r> {
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<bool>,
    causes: &'r [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domains: Option<&'r [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired: Option<&'r str>,
    function: &'r str,
    path: &'r [String],
    rule: &'r str,
}

#[derive(serde::Serialize)]
struct JsonStale<'r> {
    domain: &'r str,
    fingerprint: &'r str,
    function: &'r str,
    rule: &'r str,
}

/// The text report: per rule, each violation with its path, causes and a
/// one-line hint of the fix; then a verdict line. Every text from the
/// inputs (ids, rule names, domains, files, baseline reasons) is escaped for
/// display (`model::text`).
pub fn to_text(report: &CheckReport, style: super::style::Style) -> String {
    use crate::model::text::escape_for_display;
    use std::fmt::Write;
    let joined =
        |items: &[String], separator: &str| escape_for_display(&items.join(separator)).into_owned();
    let mut out = String::new();
    for r in &report.rules {
        let count = r
            .functions
            .iter()
            .map(|f| f.violations.len())
            .sum::<usize>();
        let new = r
            .functions
            .iter()
            .flat_map(|f| &f.violations)
            .filter(|v| v.baselined.is_none())
            .count();
        let verdict = if new > 0 {
            style
                .status(crate::model::Status::Down)
                .replace("DOWN", "FAIL")
        } else {
            style.status(crate::model::Status::Up).replace("UP", "PASS")
        };
        let _ = writeln!(
            out,
            "{verdict} {} (must survive: {}) — {} function(s), {count} violation(s){}",
            style.bold(&format!("\"{}\"", escape_for_display(&r.name))),
            joined(&r.must_survive, ", "),
            r.functions.len(),
            if count > new {
                format!(", {} baselined", count - new)
            } else {
                String::new()
            }
        );
        for f in &r.functions {
            for v in &f.violations {
                let mark = if v.baselined.is_some() { "~" } else { "✗" };
                let _ = write!(
                    out,
                    "  {mark} {} [{}] is down under {}",
                    style.bold(&escape_for_display(&f.id)),
                    escape_for_display(&f.criticality),
                    escape_for_display(&v.domain)
                );
                if let Some(p) = &f.position {
                    let at = format!("({}:{})", escape_for_display(&p.file), p.line);
                    let _ = write!(out, "  {}", style.dim(&at));
                }
                out.push('\n');
                if !v.path.is_empty() {
                    let _ = writeln!(out, "      path:   {}", joined(&v.path, " → "));
                }
                if !v.causes.is_empty() {
                    let _ = writeln!(out, "      causes: {}", joined(&v.causes, ", "));
                }
                let _ = writeln!(out, "      fix:    {}", escape_for_display(&v.hint));
                if let Some(b) = &v.baselined {
                    let why = escape_for_display(b.reason.as_deref().unwrap_or("no reason given"));
                    let until = b.expires.as_deref().map_or(String::new(), |e| {
                        format!(", until {}", escape_for_display(e))
                    });
                    let _ = writeln!(out, "      accepted by the baseline: {why}{until}");
                }
                if let (Some(phrase), Some(e)) = (v.expiry_phrase(), &v.expired) {
                    let why = e.reason.as_deref().map_or(String::new(), |r| {
                        format!(" (reason: {})", escape_for_display(r))
                    });
                    let _ = writeln!(
                        out,
                        "      expired: {}{why}; fix it, or renew the entry's `expires`",
                        escape_for_display(&phrase)
                    );
                }
            }
        }
    }
    for e in &report.stale_baseline {
        let _ = writeln!(
            out,
            "note: baseline entry no longer occurs: rule \"{}\", {} under {} ({}); it can be removed",
            escape_for_display(&e.rule),
            escape_for_display(&e.function),
            escape_for_display(&e.domain),
            escape_for_display(&e.fingerprint)
        );
    }
    let total = report.all_violations().count();
    let new = report.new_violations().count();
    let _ = writeln!(
        out,
        "\ncheck {}: {new} new violation(s), {} baselined, {} rule(s)",
        if new == 0 { "passed" } else { "failed" },
        total - new,
        report.rules.len()
    );
    out
}

/// A rule name as an identifier: lower-case letters and digits, every other
/// run of characters one `-` (`"Critical: survive a region!"` →
/// `critical-survive-a-region`); `rule` when nothing is left.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("rule");
    }
    out
}

/// Everything `check` computed, to be turned into a [`CheckReport`].
pub struct CheckInputs<'a> {
    pub graph: &'a crate::graph::Graph,
    /// The policy's rules, in policy order.
    pub rules: &'a [crate::model::Rule],
    /// The policy file, as given on the command line.
    pub policy_file: &'a str,
    /// Where each rule's `name` is written in the policy: (line, column).
    pub rule_positions: &'a [(usize, usize)],
    /// The gate's verdict: violations and what the baseline accepts.
    pub verdict: &'a crate::engine::check::Verdict,
    pub origins: &'a std::collections::BTreeMap<crate::graph::NodeIx, SourcePosition>,
    /// The baseline's entries, if a baseline was given (the verdict's
    /// indices point into them).
    pub baseline: Option<&'a [crate::model::baseline::BaselineEntry]>,
    /// Where nodes on paths and causes are defined (may be empty: only
    /// SARIF shows them).
    pub node_positions: &'a std::collections::BTreeMap<crate::graph::NodeIx, SourcePosition>,
}

/// Builds the report: every rule with every function it selects. Renders
/// only: which violations the baseline accepts is the verdict's.
pub fn build_report(inputs: &CheckInputs) -> CheckReport {
    let g = inputs.graph;
    let verdict = inputs.verdict;
    let entries = inputs.baseline.unwrap_or_default();
    // Violations come sorted by rule, then function: index their runs.
    let mut runs: std::collections::HashMap<(usize, crate::graph::NodeIx), std::ops::Range<usize>> =
        std::collections::HashMap::new();
    for (i, v) in verdict.violations.iter().enumerate() {
        runs.entry((v.rule, v.function))
            .and_modify(|r| r.end = i + 1)
            .or_insert(i..i + 1);
    }
    let mut rules = Vec::new();
    for (r, rule) in inputs.rules.iter().enumerate() {
        let mut functions = Vec::new();
        for f in crate::engine::check::selected_functions(g, rule) {
            let run = runs.get(&(r, f)).cloned().unwrap_or(0..0);
            let violations = run
                .map(|i| {
                    let v = &verdict.violations[i];
                    let note = |e: &crate::model::baseline::BaselineEntry| BaselineNote {
                        reason: e.reason.clone(),
                        expires: e.expires.clone(),
                    };
                    let baselined = verdict.accepted_by[i]
                        .and_then(|e| entries.get(e))
                        .map(note);
                    let expired = verdict
                        .expired
                        .get(i)
                        .copied()
                        .flatten()
                        .and_then(|e| entries.get(e))
                        .map(note);
                    ViolationOutcome {
                        hint: hint(g, v),
                        path: v.path.iter().map(|&x| g.id(x).to_owned()).collect(),
                        causes: v.causes.iter().map(|&x| g.id(x).to_owned()).collect(),
                        fingerprint: verdict.fingerprints[i].clone(),
                        domain: v.scenario(),
                        domains: match &v.second {
                            None => Vec::new(),
                            Some(_) => v.domains().map(|d| d.to_string()).collect(),
                        },
                        baselined,
                        expired,
                    }
                })
                .collect();
            functions.push(FunctionOutcome {
                id: g.id(f).to_owned(),
                criticality: g.criticality(f).as_str().to_owned(),
                description: g.description(f).map(str::to_owned),
                position: inputs.origins.get(&f).cloned(),
                violations,
            });
        }
        let (line, column) = inputs.rule_positions.get(r).copied().unwrap_or((1, 1));
        rules.push(RuleOutcome {
            name: rule.name.clone(),
            position: Some(SourcePosition {
                file: inputs.policy_file.to_owned(),
                line,
                column,
            }),
            must_survive: rule
                .must_survive
                .iter()
                .map(|k| k.as_str().to_owned())
                .chain(
                    rule.must_survive_pairs
                        .iter()
                        .map(|(a, b)| format!("{a}+{b}")),
                )
                .collect(),
            functions,
        });
    }
    let stale_baseline = verdict
        .stale
        .iter()
        .filter_map(|&i| entries.get(i))
        .map(|e| BaselineEntryOutcome {
            rule: e.rule.clone(),
            function: e.function.clone(),
            domain: e.domain.clone(),
            fingerprint: e.fingerprint.clone(),
        })
        .collect();
    let node_positions = inputs
        .node_positions
        .iter()
        .map(|(&n, p)| (g.id(n).to_owned(), p.clone()))
        .collect();
    CheckReport {
        policy_file: inputs.policy_file.to_owned(),
        rules,
        stale_baseline,
        with_baseline: verdict.with_baseline,
        node_positions,
    }
}

/// One line on how to fix a violation, from the kind of domain and the
/// last step of its path (the dependency that breaks).
fn hint(g: &crate::graph::Graph, v: &crate::engine::check::Violation) -> String {
    use crate::model::Domain;
    let cause = v.path.last().map(|&c| g.id(c)).unwrap_or("?");
    let owner = match v.path.len() {
        0 | 1 => g.id(v.function),
        n => g.id(v.path[n - 2]),
    };
    if v.second.is_some() {
        return format!(
            "neither {} nor {} alone takes `{}` down, but together they do (the path ends at `{cause}`): add redundancy outside both, such as a deployment in a third region or zone, required with `any`",
            v.domain,
            v.second.as_ref().map(Domain::to_string).unwrap_or_default(),
            g.id(v.function),
        );
    }
    if let Some(primary) = failover_primary_through(g, v.path.as_slice()) {
        return format!(
            "`{owner}` cannot fail over: its switch needs `{cause}`, which fails with {} like the primary `{}`: make the switch depend on nothing in that domain (a Route 53 ARC routing control, `aws:route53-arc-cluster`, or health-checked records that need no control-plane change)",
            v.domain,
            g.id(primary)
        );
    }
    match &v.domain {
        Domain::Region(r) => format!(
            "`{owner}` needs `{cause}`, which only runs in {r}: add a deployment in another region and require both with `any`"
        ),
        Domain::Zone(z) => format!(
            "`{cause}` does not survive the loss of {z}: spread it over more zones (`zones`), lower `min_zones`, or require a peer in another zone with `any`"
        ),
        Domain::Account(a) => format!(
            "`{owner}` needs `{cause}`, which only exists in account {a}: keep a redundant copy in another account and require both with `any`"
        ),
        Domain::CloudService { service, region } => format!(
            "`{owner}` needs `{cause}` on {service}{}: add a fallback on another service or region and require both with `any`",
            region.as_deref().map(|r| format!(" in {r}")).unwrap_or_default()
        ),
        Domain::Node(_) => match v.path.last() {
            Some(&c) => format!(
                "`{cause}` is a single point of failure for `{}`: {}",
                g.id(v.function),
                super::spof::why(g, v.function, c)
            ),
            None => format!("`{cause}` is a single point of failure: add redundancy around it"),
        },
        other => format!("`{cause}` fails with {other}: add redundancy outside it"),
    }
}

/// When a path's last step goes from a failover entry's owner to one of
/// its `via` nodes (SPEC §6.1: the switch is what broke), the entry's
/// primary.
fn failover_primary_through(
    g: &crate::graph::Graph,
    path: &[crate::graph::NodeIx],
) -> Option<crate::graph::NodeIx> {
    let [.., owner, cause] = path else {
        return None;
    };
    g.requires(*owner)
        .find(|&e| crate::engine::entry::via_members(g, e).contains(cause))
        .map(|e| g.members(e)[0])
}

/// Markdown for a pull-request comment: a summary line with the verdict,
/// then a table per function with violations (the rule, the domain that
/// takes it down, the path, the fix, and whether a baseline accepts it),
/// then the baseline entries that no longer occur. Functions appear in the
/// order of the first rule that selects them. Input text is escaped
/// (`report::markdown`).
pub fn to_markdown(report: &CheckReport) -> String {
    use super::markdown::{code, text};
    use std::fmt::Write;
    let total = report.all_violations().count();
    let new = report.new_violations().count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## blastmap check: {}\n\n**{new}** new violation(s), {} baselined, {} rule(s), policy `{}`.",
        if new == 0 { "✓ passed" } else { "✗ failed" },
        total - new,
        report.rules.len(),
        code(&report.policy_file)
    );
    // Violations grouped by function, in order of first appearance: one
    // pass, so a large report costs linear time.
    type Group<'r> = (
        &'r FunctionOutcome,
        Vec<(&'r RuleOutcome, &'r ViolationOutcome)>,
    );
    let mut groups: Vec<Group> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (r, f, v) in report.all_violations() {
        let i = *index.entry(f.id.as_str()).or_insert_with(|| {
            groups.push((f, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push((r, v));
    }
    for (f, violations) in groups {
        let _ = writeln!(
            out,
            "\n### `{}` ({})\n\n| | Rule | Down under | Path | Fix |\n|---|---|---|---|---|",
            code(&f.id),
            text(&f.criticality)
        );
        for (r, v) in violations {
            let mark = match &v.baselined {
                None => match v.expired.as_ref().and_then(|e| e.expires.as_deref()) {
                    Some(date) => format!("✗ new: baseline entry expired on {}", text(date)),
                    None => "✗ new".to_owned(),
                },
                Some(b) => {
                    let why = b.reason.as_deref().unwrap_or("no reason given");
                    let until = b
                        .expires
                        .as_deref()
                        .map_or(String::new(), |e| format!(", until {e}"));
                    format!("~ baselined: {}", text(&format!("{why}{until}")))
                }
            };
            let _ = writeln!(
                out,
                "| {mark} | {} | `{}` | `{}` | {} |",
                text(&r.name),
                code(&v.domain),
                code(&v.path.join(" → ")),
                text(&v.hint)
            );
        }
    }
    if !report.stale_baseline.is_empty() {
        out.push_str("\nBaseline entries that no longer occur (they can be removed):\n\n");
        for e in &report.stale_baseline {
            let _ = writeln!(
                out,
                "- rule {}: `{}` under `{}` (`{}`)",
                text(&e.rule),
                code(&e.function),
                code(&e.domain),
                code(&e.fingerprint)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `to_json` as it was first written, a tree of `serde_json` values:
    /// the reference the direct form must match byte for byte.
    fn to_json_as_values(report: &CheckReport) -> String {
        use serde_json::{json, Map, Value};
        let violations: Vec<Value> = report
            .all_violations()
            .map(|(r, f, v)| {
                let mut m = Map::new();
                if report.with_baseline {
                    m.insert("baselined".into(), Value::Bool(v.baselined.is_some()));
                }
                m.insert("causes".into(), json!(v.causes));
                if v.domains.is_empty() {
                    m.insert("domain".into(), json!(v.domain));
                } else {
                    m.insert("domains".into(), json!(v.domains));
                }
                if let Some(date) = v.expired.as_ref().and_then(|e| e.expires.as_ref()) {
                    m.insert("expired".into(), json!(date));
                }
                m.insert("function".into(), json!(f.id));
                m.insert("path".into(), json!(v.path));
                m.insert("rule".into(), json!(r.name));
                Value::Object(m)
            })
            .collect();
        let mut top = Map::new();
        top.insert("passed".into(), Value::Bool(report.passed()));
        if report.with_baseline {
            let stale: Vec<Value> = report
                .stale_baseline
                .iter()
                .map(|e| {
                    json!({"domain": e.domain, "fingerprint": e.fingerprint, "function": e.function, "rule": e.rule})
                })
                .collect();
            top.insert("stale_baseline".into(), Value::Array(stale));
        }
        top.insert("violations".into(), Value::Array(violations));
        let mut s = serde_json::to_string_pretty(&Value::Object(top)).expect("plain data");
        s.push('\n');
        s
    }

    fn violation(
        domain: &str,
        pair: bool,
        baselined: bool,
        expires: Option<&str>,
    ) -> ViolationOutcome {
        let note = |expires: Option<&str>| BaselineNote {
            reason: Some("accepted \"for now\"".into()),
            expires: expires.map(str::to_owned),
        };
        ViolationOutcome {
            domain: domain.into(),
            domains: if pair {
                vec!["zone:a".into(), "zone:\u{1b}[31mb".into()]
            } else {
                Vec::new()
            },
            path: vec!["fn \"é\"".into(), "svc</x>".into()],
            causes: if pair {
                Vec::new()
            } else {
                vec!["db\n1".into()]
            },
            fingerprint: "0123456789abcdef".into(),
            hint: "spread it".into(),
            baselined: baselined.then(|| note(None)),
            expired: expires.map(|d| note(Some(d))),
        }
    }

    fn report(with_baseline: bool) -> CheckReport {
        let function = |id: &str, violations| FunctionOutcome {
            id: id.into(),
            criticality: "high".into(),
            description: None,
            position: None,
            violations,
        };
        CheckReport {
            policy_file: "policy.toml".into(),
            rules: vec![
                RuleOutcome {
                    name: "rule \"one\" ✓".into(),
                    position: None,
                    must_survive: vec!["region".into()],
                    functions: vec![
                        function(
                            "checkout",
                            vec![
                                violation("region:us-east-1", false, true, None),
                                violation("zone:a + zone:b", true, false, Some("2026-01-01")),
                            ],
                        ),
                        function("quiet", Vec::new()),
                    ],
                },
                RuleOutcome {
                    name: "two".into(),
                    position: None,
                    must_survive: vec!["node".into()],
                    functions: vec![function(
                        "pay\tment",
                        vec![violation("node:db", false, false, None)],
                    )],
                },
            ],
            stale_baseline: vec![BaselineEntryOutcome {
                rule: "old".into(),
                function: "gone".into(),
                domain: "region:x".into(),
                fingerprint: "fedcba9876543210".into(),
            }],
            with_baseline,
            node_positions: Default::default(),
        }
    }

    #[test]
    fn json_is_written_as_the_tree_of_values_wrote_it() {
        for with_baseline in [false, true] {
            let report = report(with_baseline);
            assert_eq!(
                to_json(&report),
                to_json_as_values(&report),
                "baseline: {with_baseline}"
            );
        }
        let mut empty = report(true);
        empty.rules.clear();
        empty.stale_baseline.clear();
        assert_eq!(to_json(&empty), to_json_as_values(&empty));
    }
}
