//! `analyze` output: one scenario's outcome for every function.
//!
//! [`AnalyzeReport`] is the JSON of SPEC §4.2, field for field (keys in byte
//! order); text and Markdown are rendered from it plus the analysis, which
//! explains degraded functions too.

use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::markdown;
use super::style::Style;
use crate::engine::status::DegradationReason;
use crate::engine::{Analysis, DegradedBecause};
use crate::graph::{Graph, NodeIx};
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
    pub reasons: Vec<ReasonOutcome>,
    pub status: &'static str,
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
        let graph = analysis.graph();
        let ids = |xs: Vec<NodeIx>| xs.into_iter().map(|x| graph.id(x).to_owned()).collect();
        let functions = graph
            .functions()
            .iter()
            .map(|&f| FunctionOutcome {
                causes: ids(analysis.causes(f)),
                criticality: graph.criticality(f).as_str(),
                id: graph.id(f).to_owned(),
                path: ids(analysis.path(f)),
                reasons: analysis
                    .degradation_reasons(f)
                    .iter()
                    .map(|r| ReasonOutcome::new(graph, r))
                    .collect(),
                status: analysis.status(f).as_str(),
            })
            .collect();
        let nodes = graph
            .nodes()
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
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
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
            write_function(&mut out, analysis, f, style);
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

fn write_function(out: &mut String, analysis: &Analysis, f: NodeIx, style: Style) {
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
                    let path = markdown::code(&arrow_path(graph, &analysis.path(f)));
                    format!("causes: {}<br>path: `{path}`", causes.join(", "))
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

