//! `spof --order 2` output: each function's single points of failure and
//! its pairs (SPEC §6.3). Pairs can number in the thousands, so people get
//! them grouped by their first member, with counts; programs get every pair.

use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::style::Style;
use crate::engine::incremental::Baseline;
use crate::engine::pairs::FunctionPairs;
use crate::graph::{Graph, NodeIx};
use crate::model::Status;

/// `spof --order 2 --format json`:
/// `{"functions": [{"id", "spof": [ids], "pairs": [[a, b]]}]}`, sorted.
#[derive(Debug, Serialize)]
pub struct PairsReport {
    pub functions: Vec<PairsEntry>,
}

/// One function, its single points of failure and its pairs (a < b),
/// sorted.
#[derive(Debug, Serialize)]
pub struct PairsEntry {
    pub id: String,
    pub spof: Vec<String>,
    pub pairs: Vec<[String; 2]>,
}

impl PairsReport {
    /// Collects the report, functions in id order (node indices follow id
    /// order, so the pairs are sorted already).
    pub fn new(graph: &Graph, results: &[FunctionPairs]) -> Self {
        let id = |n: NodeIx| graph.id(n).to_owned();
        let mut functions: Vec<PairsEntry> = results
            .iter()
            .map(|r| PairsEntry {
                id: id(r.function),
                spof: r.spofs.iter().map(|&x| id(x)).collect(),
                pairs: r.pairs.iter().map(|&(a, b)| [id(a), id(b)]).collect(),
            })
            .collect();
        functions.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        PairsReport { functions }
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }
}

/// The pairs of one function grouped by their first member, in id order:
/// `(a, [b…])`.
fn by_first_member(pairs: &[(NodeIx, NodeIx)]) -> Vec<(NodeIx, Vec<NodeIx>)> {
    let mut groups: Vec<(NodeIx, Vec<NodeIx>)> = Vec::new();
    for &(a, b) in pairs {
        match groups.last_mut() {
            Some((first, partners)) if *first == a => partners.push(b),
            _ => groups.push((a, vec![b])),
        }
    }
    groups
}

/// Functions most critical first, then by id.
fn most_critical_first<'r>(graph: &Graph, results: &'r [FunctionPairs]) -> Vec<&'r FunctionPairs> {
    let mut sorted: Vec<&FunctionPairs> = results.iter().collect();
    sorted.sort_by_key(|r| (graph.criticality(r.function), r.function));
    sorted
}

/// The text report: a summary, then per function (most critical first) its
/// single points of failure on one line and its pairs grouped by their
/// first member, each group with its count.
pub fn to_text(baseline: &Baseline, results: &[FunctionPairs], style: Style) -> String {
    let graph = baseline.graph();
    let sorted = most_critical_first(graph, results);
    let total: usize = sorted.iter().map(|r| r.pairs.len()).sum();
    let with = sorted.iter().filter(|r| !r.pairs.is_empty()).count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {with} of {} functions go down when some two nodes fail together ({total} pairs)\n",
        style.bold("Double failures:"),
        sorted.len()
    );
    let ids = |ns: &[NodeIx]| {
        ns.iter()
            .map(|&n| display_id(graph, n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for r in sorted {
        if !super::spof::function_heading(&mut out, baseline, r.function, style) {
            continue;
        }
        let _ = writeln!(
            out,
            ": {} single points of failure, {} pairs",
            r.spofs.len(),
            r.pairs.len()
        );
        if !r.spofs.is_empty() {
            let _ = writeln!(out, "  single: {}", ids(&r.spofs));
        }
        let groups = by_first_member(&r.pairs);
        if !groups.is_empty() {
            let _ = writeln!(out, "  pairs by first member ({}):", groups.len());
        }
        for (a, partners) in groups {
            let _ = writeln!(
                out,
                "    {} ({}) with {}",
                display_id(graph, a),
                partners.len(),
                style.dim(&ids(&partners))
            );
        }
    }
    out
}

/// Markdown for a pull-request comment: a summary, then per function a
/// table of its pairs grouped by first member. Input text is escaped
/// (`report::markdown`).
pub fn to_markdown(baseline: &Baseline, results: &[FunctionPairs]) -> String {
    use super::markdown::code;
    let graph = baseline.graph();
    let sorted = most_critical_first(graph, results);
    let total: usize = sorted.iter().map(|r| r.pairs.len()).sum();
    let with = sorted.iter().filter(|r| !r.pairs.is_empty()).count();
    let mut out = String::from("## blastmap: double failures\n\n");
    let _ = writeln!(
        out,
        "**{with}** of {} functions go down when some two nodes fail together (**{total}** pairs).",
        sorted.len()
    );
    let ids = |ns: &[NodeIx]| {
        ns.iter()
            .map(|&n| format!("`{}`", code(graph.id(n))))
            .collect::<Vec<_>>()
            .join(", ")
    };
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
        let _ = writeln!(
            out,
            "{} single points of failure{}; {} pairs.",
            r.spofs.len(),
            if r.spofs.is_empty() {
                String::new()
            } else {
                format!(" ({})", ids(&r.spofs))
            },
            r.pairs.len()
        );
        let groups = by_first_member(&r.pairs);
        if groups.is_empty() {
            continue;
        }
        out.push_str(
            "\n| First member | Pairs | Fails the function together with |\n|---|---|---|\n",
        );
        for (a, partners) in groups {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                code(graph.id(a)),
                partners.len(),
                ids(&partners)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_group_by_first_member_in_order() {
        let groups = by_first_member(&[(1, 2), (1, 5), (3, 4)]);
        assert_eq!(groups, vec![(1, vec![2, 5]), (3, vec![4])]);
    }
}
