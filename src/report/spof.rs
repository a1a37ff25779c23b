//! `spof` output: each function's single points of failure.

use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::style::Style;
use crate::engine::incremental::Baseline;
use crate::engine::spof::{path_to, FunctionSpofs};
use crate::graph::Graph;
use crate::model::Status;

/// `spof --format json` (SPEC §4.2).
#[derive(Debug, Serialize)]
pub struct SpofReport {
    pub functions: Vec<SpofEntry>,
}

/// One function and its single points of failure, sorted.
#[derive(Debug, Serialize)]
pub struct SpofEntry {
    pub id: String,
    pub spof: Vec<String>,
}

impl SpofReport {
    /// Collects the report, functions in id order.
    pub fn new(graph: &Graph, results: &[FunctionSpofs]) -> Self {
        let mut functions: Vec<SpofEntry> = results
            .iter()
            .map(|r| SpofEntry {
                id: graph.id(r.function).to_owned(),
                spof: r.spofs.iter().map(|&x| graph.id(x).to_owned()).collect(),
            })
            .collect();
        functions.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        SpofReport { functions }
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }
}

/// The text report: per function (most critical first), each single point
/// of failure with its kind, placement and the path from the function.
pub fn to_text(baseline: &Baseline, results: &[FunctionSpofs], style: Style) -> String {
    let graph = baseline.graph();
    let mut sorted: Vec<&FunctionSpofs> = results.iter().collect();
    sorted.sort_by_key(|r| (graph.criticality(r.function), r.function));
    let mut scratch = baseline.scratch();
    let mut out = String::new();
    let with = sorted.iter().filter(|r| !r.spofs.is_empty()).count();
    let _ = writeln!(
        out,
        "{} {with} of {} functions have single points of failure\n",
        style.bold("Single points of failure:"),
        sorted.len()
    );
    for r in sorted {
        let f = r.function;
        let _ = write!(
            out,
            "{} [{}]",
            style.bold(&display_id(graph, f)),
            graph.criticality(f)
        );
        if baseline.status(f) == Status::Down {
            let _ = writeln!(out, ": {}", style.status(Status::Down));
            let _ = writeln!(
                out,
                "    down with nothing failed: fix its requirements first"
            );
            continue;
        }
        if r.spofs.is_empty() {
            let _ = writeln!(out, ": none");
            continue;
        }
        let _ = writeln!(out, ": {}", r.spofs.len());
        for &x in &r.spofs {
            let path: Vec<_> = path_to(baseline, &mut scratch, f, x)
                .into_iter()
                .map(|n| display_id(graph, n))
                .collect();
            let _ = writeln!(
                out,
                "  {}  ({})",
                display_id(graph, x),
                super::describe_node(graph, x)
            );
            let _ = writeln!(out, "    {}", style.dim(&path.join(" → ")));
        }
    }
    out
}

/// Markdown for a pull-request comment: a summary line, then per function
/// (most critical first) a table of its single points of failure, each
/// with what and where it is and the path to it. Input text is escaped
/// (`report::markdown`).
pub fn to_markdown(baseline: &Baseline, results: &[FunctionSpofs]) -> String {
    use super::markdown::{code, text};
    let graph = baseline.graph();
    let mut sorted: Vec<&FunctionSpofs> = results.iter().collect();
    sorted.sort_by_key(|r| (graph.criticality(r.function), r.function));
    let mut scratch = baseline.scratch();
    let with = sorted.iter().filter(|r| !r.spofs.is_empty()).count();
    let mut out = String::from("## blastmap: single points of failure\n\n");
    let _ = writeln!(
        out,
        "**{with}** of {} functions have single points of failure.",
        sorted.len()
    );
    for r in sorted {
        let f = r.function;
        let _ = writeln!(
            out,
            "\n### `{}` ({})\n",
            code(graph.id(f)),
            graph.criticality(f)
        );
        if baseline.status(f) == Status::Down {
            out.push_str("✗ Down with nothing failed: fix its requirements first.\n");
            continue;
        }
        if r.spofs.is_empty() {
            out.push_str("✓ No single point of failure.\n");
            continue;
        }
        out.push_str("| Single point of failure | What and where | Path |\n|---|---|---|\n");
        for &x in &r.spofs {
            let path: Vec<&str> = path_to(baseline, &mut scratch, f, x)
                .into_iter()
                .map(|n| graph.id(n))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` |",
                code(graph.id(x)),
                text(&super::describe_node(graph, x)),
                code(&path.join(" → "))
            );
        }
    }
    out
}
