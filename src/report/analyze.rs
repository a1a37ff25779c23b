//! `analyze` output: one scenario's outcome for every function.
//!
//! [`AnalyzeReport`] is the JSON of SPEC §4.2, field for field (keys in byte
//! order); text and Markdown are rendered from it plus the analysis, which
//! explains degraded functions too.

use rayon::prelude::*;
use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::markdown;
use super::style::Style;
use crate::engine::status::DegradationReason;
use crate::engine::{Analysis, DegradedBecause};
use crate::graph::{Graph, NodeIx, Observation, Provenance};
use crate::model::text::escape_for_display;
use crate::model::Scenario;
use crate::model::Status;

/// `analyze --format json` (SPEC §4.2).
#[derive(Debug, Serialize)]
pub struct AnalyzeReport {
    pub functions: Vec<FunctionOutcome>,
    pub nodes: Vec<NodeOutcome>,
    pub scenario: Vec<String>,
}

/// One function's status; `causes` and `path` are empty unless down,
/// `reasons` (an addition to SPEC §4.2, which allows extra fields) empty
/// unless degraded.
#[derive(Debug, Serialize)]
pub struct FunctionOutcome {
    pub causes: Vec<String>,
    pub criticality: &'static str,
    pub id: String,
    pub path: Vec<String>,
    /// Where each edge of `path` was observed (an addition to SPEC §4.2):
    /// absent when no edge of the path came from a collector's `meta.edges`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<EdgeProvenance>,
    pub reasons: Vec<ReasonOutcome>,
    pub status: &'static str,
}

/// One sighting of one edge of a down function's path: `from` calls `to`,
/// seen by `source` (`otlp`, `backstage`) `calls` times, written by
/// `collector` in `document`. Edges of the path in path order, sightings of
/// one edge in load order.
#[derive(Debug, Serialize)]
pub struct EdgeProvenance {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<u64>,
    pub collector: String,
    pub document: String,
    pub from: String,
    pub source: String,
    pub to: String,
}

/// Every sighting of every edge of `path`, in path order.
fn path_observations<'p>(
    provenance: &'p Provenance,
    path: &[NodeIx],
) -> Vec<(NodeIx, NodeIx, &'p Observation)> {
    if provenance.is_empty() {
        return Vec::new();
    }
    path.windows(2)
        .flat_map(|w| {
            provenance
                .observations(w[0], w[1])
                .iter()
                .map(move |o| (w[0], w[1], o))
        })
        .collect()
}

/// `1,234`: a call count as a person reads it.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `web → orders in traces (otlp, 1,234 calls, traces.json)`: one
/// sighting in words, ids and names escaped for display.
fn observation_line(
    graph: &Graph,
    provenance: &Provenance,
    (from, to, o): (NodeIx, NodeIx, &Observation),
) -> String {
    let collector = provenance.collector(o);
    let mut parts = Vec::new();
    if o.source != collector {
        parts.push(escape_for_display(&o.source).into_owned());
    }
    if let Some(calls) = o.calls {
        let unit = if calls == 1 { "call" } else { "calls" };
        parts.push(format!("{} {unit}", thousands(calls)));
    }
    parts.push(escape_for_display(provenance.document(o)).into_owned());
    format!(
        "{} → {} in {} ({})",
        display_id(graph, from),
        display_id(graph, to),
        escape_for_display(collector),
        parts.join(", ")
    )
}

/// One reason a degraded function is degraded, so a script sees every
/// one, not only the nearest: `node` is degraded for a reason of its own
/// (`kind`), `member` the down member behind it (absent for `zone-loss`),
/// `via` the chain from the function to `node`. Listed in the order of
/// [`Analysis::degradation_reasons`].
#[derive(Debug, Serialize)]
pub struct ReasonOutcome {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    pub node: String,
    pub via: Vec<String>,
}

impl ReasonOutcome {
    fn new(graph: &Graph, reason: &DegradationReason) -> Self {
        let id = |x: NodeIx| graph.id(x).to_owned();
        let (kind, member) = match reason.because {
            DegradedBecause::LostRedundancy(m) => ("lost-redundancy", Some(id(m))),
            DegradedBecause::OptionalDown(m) => ("optional-down", Some(id(m))),
            DegradedBecause::ZoneLoss => ("zone-loss", None),
        };
        ReasonOutcome {
            kind,
            member,
            node: id(reason.node()),
            via: reason.chain.iter().map(|&x| id(x)).collect(),
        }
    }
}

/// A node that is not up.
#[derive(Debug, Serialize)]
pub struct NodeOutcome {
    pub id: String,
    pub status: &'static str,
}

impl AnalyzeReport {
    /// Collects the report: every function in id order, every node that is
    /// not up in id order.
    pub fn new(scenario: &Scenario, analysis: &Analysis) -> Self {
        Self::observed(scenario, analysis, &Provenance::default())
    }

    /// [`AnalyzeReport::new`] with, for each down function, where each
    /// edge of its path was observed.
    pub fn observed(scenario: &Scenario, analysis: &Analysis, provenance: &Provenance) -> Self {
        let graph = analysis.graph();
        let ids = |xs: &[NodeIx]| xs.iter().map(|&x| graph.id(x).to_owned()).collect();
        let sightings = |path: &[NodeIx]| {
            path_observations(provenance, path)
                .into_iter()
                .map(|(from, to, o)| EdgeProvenance {
                    calls: o.calls,
                    collector: provenance.collector(o).to_owned(),
                    document: provenance.document(o).to_owned(),
                    from: graph.id(from).to_owned(),
                    source: o.source.clone(),
                    to: graph.id(to).to_owned(),
                })
                .collect()
        };
        // Each function's explanation is a search of its own: in parallel
        // (the order of the list is kept).
        let functions = graph
            .functions()
            .par_iter()
            .map(|&f| {
                // One search per function: a down function's path is a
                // breadth-first search through what is down.
                let path = analysis.path(f);
                FunctionOutcome {
                    causes: ids(&analysis.causes(f)),
                    criticality: graph.criticality(f).as_str(),
                    id: graph.id(f).to_owned(),
                    path: ids(&path),
                    provenance: sightings(&path),
                    reasons: analysis
                        .degradation_reasons(f)
                        .iter()
                        .map(|r| ReasonOutcome::new(graph, r))
                        .collect(),
                    status: analysis.status(f).as_str(),
                }
            })
            .collect();
        let nodes = (0..graph.len() as NodeIx)
            .into_par_iter()
            .filter(|&n| analysis.status(n) != Status::Up)
            .map(|n| NodeOutcome {
                id: graph.id(n).to_owned(),
                status: analysis.status(n).as_str(),
            })
            .collect();
        AnalyzeReport {
            functions,
            nodes,
            scenario: scenario.domain_texts(),
        }
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        super::pretty_json(self, self.expected_json_bytes())
    }

    /// About the length of [`AnalyzeReport::to_json`]: a node's line costs
    /// 48 bytes besides its id and status, a function's about 200 besides
    /// its texts.
    fn expected_json_bytes(&self) -> usize {
        let texts = |list: &[String]| list.iter().map(|t| t.len() + 12).sum::<usize>();
        let functions: usize = self
            .functions
            .iter()
            .map(|f| {
                200 + f.id.len()
                    + texts(&f.causes)
                    + texts(&f.path)
                    + 300 * (f.reasons.len() + f.provenance.len())
            })
            .sum();
        let nodes: usize = self
            .nodes
            .iter()
            .map(|n| 48 + n.id.len() + n.status.len())
            .sum();
        functions + nodes + texts(&self.scenario) + 64
    }
}

/// Functions among `functions` of one status, most critical first, then by
/// id.
fn functions_with(analysis: &Analysis, functions: &[NodeIx], status: Status) -> Vec<NodeIx> {
    let graph = analysis.graph();
    let mut fs: Vec<NodeIx> = functions
        .iter()
        .copied()
        .filter(|&f| analysis.status(f) == status)
        .collect();
    fs.sort_by_key(|&f| (graph.criticality(f), f));
    fs
}

/// The chain `a → b → c`, ids escaped for display.
fn arrow_path(graph: &Graph, path: &[NodeIx]) -> String {
    path.iter()
        .map(|&x| display_id(graph, x))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Where a node is: `(rds:db, us-east-1, use1-az1+use1-az2)`.
fn placement(graph: &Graph, n: NodeIx) -> String {
    format!("({})", super::describe_node(graph, n))
}

/// Why a degraded function is degraded: one line per reason, nearest
/// first (see [`Analysis::degradation_reasons`]), ids escaped for display.
fn degraded_reasons(analysis: &Analysis, f: NodeIx) -> Vec<String> {
    let graph = analysis.graph();
    analysis
        .degradation_reasons(f)
        .iter()
        .map(|reason| reason_line(graph, reason))
        .collect()
}

/// One reason in words: what happened to the node at the end of the
/// chain, then the chain when it is not the function alone.
fn reason_line(graph: &Graph, reason: &DegradationReason) -> String {
    let end = reason.node();
    let how = match reason.because {
        DegradedBecause::ZoneLoss => {
            format!("{} lost some of its zones", display_id(graph, end))
        }
        DegradedBecause::OptionalDown(m) => {
            format!("optional {} is down", display_id(graph, m))
        }
        DegradedBecause::LostRedundancy(m) => format!(
            "{} lost redundancy: {} is down",
            display_id(graph, end),
            display_id(graph, m)
        ),
    };
    if reason.chain.len() > 1 {
        format!("{how} (via {})", arrow_path(graph, &reason.chain))
    } else {
        how
    }
}

/// The text report for a person at a terminal, on `functions` (every
/// function of the estate, or those `--function` names).
pub fn to_text(
    scenario: &Scenario,
    analysis: &Analysis,
    functions: &[NodeIx],
    style: Style,
) -> String {
    to_text_observed(scenario, analysis, functions, &Provenance::default(), style)
}

/// [`to_text`] with an `observed:` line after a down function's path for
/// each sighting of each of its edges (none for hand-written edges).
pub fn to_text_observed(
    scenario: &Scenario,
    analysis: &Analysis,
    functions: &[NodeIx],
    provenance: &Provenance,
    style: Style,
) -> String {
    let graph = analysis.graph();
    let mut out = String::new();
    let down = functions_with(analysis, functions, Status::Down);
    let degraded = functions_with(analysis, functions, Status::Degraded);
    let up = functions_with(analysis, functions, Status::Up);
    let _ = writeln!(
        out,
        "{} {}",
        style.bold("Scenario:"),
        escape_for_display(&scenario.domain_texts().join(" + "))
    );
    let _ = writeln!(
        out,
        "{} of {} functions down, {} degraded, {} up\n",
        down.len(),
        functions.len(),
        degraded.len(),
        up.len()
    );
    for (status, fs) in [(Status::Down, &down), (Status::Degraded, &degraded)] {
        if fs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}", style.status_heading(status));
        for &f in fs.iter() {
            write_function(&mut out, analysis, provenance, f, style);
        }
        out.push('\n');
    }
    if !up.is_empty() {
        let _ = writeln!(out, "{}", style.status_heading(Status::Up));
        let names: Vec<String> = up
            .iter()
            .map(|&f| format!("{} [{}]", display_id(graph, f), graph.criticality(f)))
            .collect();
        let _ = writeln!(out, "  {}", names.join(", "));
    }
    out
}

fn write_function(
    out: &mut String,
    analysis: &Analysis,
    provenance: &Provenance,
    f: NodeIx,
    style: Style,
) {
    let graph = analysis.graph();
    let _ = write!(
        out,
        "  {} [{}]",
        style.bold(&display_id(graph, f)),
        graph.criticality(f)
    );
    if let Some(d) = graph.description(f) {
        let d = escape_for_display(d);
        let _ = write!(out, " {}", style.dim(&format!("— {d}")));
    }
    out.push('\n');
    if analysis.status(f) == Status::Down {
        let causes = analysis.causes(f);
        let shown: Vec<String> = causes
            .iter()
            .take(10)
            .map(|&c| format!("{} {}", display_id(graph, c), placement(graph, c)))
            .collect();
        let more = causes.len().saturating_sub(10);
        let _ = writeln!(out, "    causes: {}", shown.join(", "));
        if more > 0 {
            let _ = writeln!(out, "            and {more} more");
        }
        let path = analysis.path(f);
        if !path.is_empty() {
            let _ = writeln!(out, "    path:   {}", arrow_path(graph, &path));
        }
        for sighting in path_observations(provenance, &path) {
            let line = observation_line(graph, provenance, sighting);
            let _ = writeln!(out, "    observed: {line}");
        }
    } else {
        for (i, why) in degraded_reasons(analysis, f).iter().enumerate() {
            let label = if i == 0 { "why:" } else { "" };
            let _ = writeln!(out, "    {label:<8}{why}");
        }
    }
}

/// Markdown for review documents and pull-request comments, on `functions`
/// as [`to_text`].
pub fn to_markdown(scenario: &Scenario, analysis: &Analysis, functions: &[NodeIx]) -> String {
    to_markdown_observed(scenario, analysis, functions, &Provenance::default())
}

/// [`to_markdown`] with, in a down function's cell, a short note per
/// sighting of each edge of its path.
pub fn to_markdown_observed(
    scenario: &Scenario,
    analysis: &Analysis,
    functions: &[NodeIx],
    provenance: &Provenance,
) -> String {
    let graph = analysis.graph();
    let mut out = String::new();
    let scenario_text: Vec<String> = scenario
        .domain_texts()
        .iter()
        .map(|d| format!("`{}`", markdown::code(d)))
        .collect();
    let _ = writeln!(out, "## blastmap: {}\n", scenario_text.join(" + "));
    let counts: Vec<usize> = [Status::Down, Status::Degraded, Status::Up]
        .iter()
        .map(|&s| functions_with(analysis, functions, s).len())
        .collect();
    let _ = writeln!(
        out,
        "**{}** down, **{}** degraded, **{}** up, of {} functions.\n",
        counts[0],
        counts[1],
        counts[2],
        functions.len()
    );
    let _ = writeln!(out, "| Function | Criticality | Status | Why |");
    let _ = writeln!(out, "|---|---|---|---|");
    for status in [Status::Down, Status::Degraded, Status::Up] {
        for f in functions_with(analysis, functions, status) {
            let why = match status {
                Status::Down => {
                    let causes: Vec<String> = analysis
                        .causes(f)
                        .iter()
                        .map(|&c| format!("`{}`", markdown::code(graph.id(c))))
                        .collect();
                    let path_ix = analysis.path(f);
                    let path = markdown::code(&arrow_path(graph, &path_ix));
                    let mut cell = format!("causes: {}<br>path: `{path}`", causes.join(", "));
                    for sighting in path_observations(provenance, &path_ix) {
                        let line = observation_line(graph, provenance, sighting);
                        let _ = write!(cell, "<br>observed: {}", markdown::text(&line));
                    }
                    cell
                }
                Status::Degraded => degraded_reasons(analysis, f)
                    .iter()
                    .map(|why| markdown::text(why))
                    .collect::<Vec<_>>()
                    .join("<br>"),
                Status::Up => String::new(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                markdown::code(graph.id(f)),
                graph.criticality(f),
                status_badge(status),
                why
            );
        }
    }
    out
}

fn status_badge(s: Status) -> &'static str {
    match s {
        Status::Down => "🔴 down",
        Status::Degraded => "🟠 degraded",
        Status::Up => "🟢 up",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234), "1,234");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    fn report(nodes: usize) -> AnalyzeReport {
        let ids = ["web", "db \"main\"", "é\n<b>", ""];
        AnalyzeReport {
            functions: vec![FunctionOutcome {
                causes: vec!["db".into(), "region:us-east-1".into()],
                criticality: "critical",
                id: "checkout".into(),
                path: vec!["checkout".into(), "web".into(), "db".into()],
                provenance: Vec::new(),
                reasons: Vec::new(),
                status: "down",
            }],
            nodes: (0..nodes)
                .map(|i| NodeOutcome {
                    id: format!("{}-{i}", ids[i % ids.len()]),
                    status: ["down", "degraded", "up"][i % 3],
                })
                .collect(),
            scenario: vec!["region:us-east-1".into()],
        }
    }

    /// The JSON written into room reserved ahead is serde_json's, and the
    /// estimate of its length is close to it (within a quarter), so the
    /// room is neither grown by copying nor far too large.
    #[test]
    fn json_written_into_reserved_room_is_serde_jsons_and_about_as_long() {
        for nodes in [0, 1, 10, 10_000] {
            let r = report(nodes);
            let mut expected = serde_json::to_string_pretty(&r).expect("serialises");
            expected.push('\n');
            assert_eq!(r.to_json(), expected);
            let (estimate, real) = (r.expected_json_bytes() as f64, expected.len() as f64);
            assert!(
                (0.75 * real..=1.25 * real).contains(&estimate),
                "{nodes} nodes: estimated {estimate} bytes, wrote {real}"
            );
        }
    }
}
