//! `spof` output: each function's single points of failure.

use rayon::prelude::*;
use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::style::Style;
use crate::engine::entry::{needs_every_member, threshold};
use crate::engine::incremental::Baseline;
use crate::engine::spof::{path_to, FunctionSpofs};
use crate::graph::{Graph, NodeIx};
use crate::model::{EntryKind, Status};

/// `spof --format json` (SPEC §4.2). Borrows the ids from the graph: a
/// large estate has hundreds of thousands of them to list.
#[derive(Debug, Serialize)]
pub struct SpofReport<'g> {
    pub functions: Vec<SpofEntry<'g>>,
}

/// One function and its single points of failure, sorted.
#[derive(Debug, Serialize)]
pub struct SpofEntry<'g> {
    pub id: &'g str,
    pub spof: Vec<&'g str>,
}

impl<'g> SpofReport<'g> {
    /// Collects the report, functions in id order.
    pub fn new(graph: &'g Graph, results: &[FunctionSpofs]) -> Self {
        // In parallel: each id is a look-up at random in a large table.
        let mut functions: Vec<SpofEntry> = results
            .par_iter()
            .map(|r| SpofEntry {
                id: graph.id(r.function),
                spof: r.spofs.iter().map(|&x| graph.id(x)).collect(),
            })
            .collect();
        functions.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        SpofReport { functions }
    }

    /// Pretty JSON, newline-terminated.
    pub fn to_json(&self) -> String {
        super::pretty_json(self, self.expected_json_bytes())
    }

    /// About the length of [`SpofReport::to_json`]: 56 bytes a function
    /// and 12 a point of failure besides their ids.
    fn expected_json_bytes(&self) -> usize {
        let function =
            |f: &SpofEntry| 56 + f.id.len() + f.spof.iter().map(|x| 12 + x.len()).sum::<usize>();
        32 + self.functions.iter().map(function).sum::<usize>()
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
        if !function_heading(&mut out, baseline, f, style) {
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
            let _ = writeln!(out, "    why: {}", why(graph, f, x));
        }
    }
    out
}

/// Writes `id [criticality]` for a function of the text report; for one
/// down with nothing failed, says so and returns false (nothing more to
/// list for it).
pub(super) fn function_heading(
    out: &mut String,
    baseline: &Baseline,
    f: NodeIx,
    style: Style,
) -> bool {
    let graph = baseline.graph();
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
        return false;
    }
    true
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
        out.push_str(
            "| Single point of failure | What and where | Path | Why and what to do |\n|---|---|---|---|\n",
        );
        for &x in &r.spofs {
            let path: Vec<&str> = path_to(baseline, &mut scratch, f, x)
                .into_iter()
                .map(|n| graph.id(n))
                .collect();
            let _ = writeln!(
                out,
                "| `{}` | {} | `{}` | {} |",
                code(graph.id(x)),
                text(&super::describe_node(graph, x)),
                code(&path.join(" → ")),
                text(&why(graph, f, x))
            );
        }
    }
    out
}

/// Why `x` is a single point of failure of `f`, and what to do about it, in
/// one sentence (ids escaped for display). From `x`'s own `requires`:
/// - none: nothing stands in for it, so it needs a redundant peer;
/// - an entry with more members than it needs (`any`, `quorum`): `x` is
///   where redundant paths converge, so `x` itself must become redundant, or
///   `f` must reach what is below it another way. A peer below it does not
///   help, which is what a bare "add a redundant peer" would suggest;
/// - one single requirement: `x` only passes on the failure of a chain,
///   shown to its end, so the alternative belongs next to that requirement;
/// - several single requirements: `x` needs each of them.
///
/// O(requires of `x`), and the chain's length when it is one.
pub fn why(graph: &Graph, f: NodeIx, x: NodeIx) -> String {
    let id = |n: NodeIx| display_id(graph, n).into_owned();
    let requires = graph.requires(x);
    if requires.is_empty() {
        return "nothing stands in for it: add a redundant peer and require both with `any` or `quorum`"
            .to_owned();
    }
    let redundant = requires.clone().find(|&e| !needs_every_member(graph, e));
    if let Some(e) = redundant {
        let entry = &graph.entries()[e as usize];
        let needed = threshold(entry);
        let members = listed(graph.members(e).iter().map(|&m| id(m)).collect());
        let how = if matches!(entry.kind, EntryKind::Failover { .. }) {
            format!("a failover among {members}")
        } else if needed == 1 {
            format!("any of {members}")
        } else {
            format!("{needed} of {members}")
        };
        return format!(
            "every path from {f} goes through {x}; below it, {how} will do: make {x} itself redundant, or let {f} reach them without {x}",
            f = id(f),
            x = id(x),
        );
    }
    let singles: Vec<NodeIx> = requires
        .clone()
        .flat_map(|e| graph.members(e).iter().copied())
        .collect();
    if let [m] = singles[..] {
        let chain = chain_from(graph, x, m);
        return format!(
            "its only requirement is {m} (chain: {chain}): add an alternative to {m} and require both with `any`",
            m = id(m),
            chain = chain.iter().map(|&n| id(n)).collect::<Vec<_>>().join(" → "),
        );
    }
    format!(
        "every path from {f} goes through {x}, which needs each of {all}: add a peer for {x} and require both with `any`",
        f = id(f),
        x = id(x),
        all = listed(singles.iter().map(|&n| id(n)).collect()),
    )
}

/// The chain of single requirements from `x` through `m`: each next node
/// the only requirement of the one before, up to the first node that is
/// not such a link (or a node seen before, or 32 links).
fn chain_from(graph: &Graph, x: NodeIx, m: NodeIx) -> Vec<NodeIx> {
    let mut chain = vec![x, m];
    let mut at = m;
    while chain.len() < 32 {
        let mut requires = graph.requires(at);
        let (Some(e), None) = (requires.next(), requires.next()) else {
            break;
        };
        let [next] = graph.members(e)[..] else {
            break;
        };
        if chain.contains(&next) {
            break;
        }
        chain.push(next);
        at = next;
    }
    chain
}

/// `a, b, c`, or `a, b, c and 4 more` beyond three names.
fn listed(mut names: Vec<String>) -> String {
    let more = names.len().saturating_sub(3);
    names.truncate(3);
    let list = names.join(", ");
    if more == 0 {
        list
    } else {
        format!("{list} and {more} more")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON written into room reserved ahead is serde_json's, and the
    /// estimate of its length is within a quarter of it (past a few
    /// bytes).
    #[test]
    fn json_written_into_reserved_room_is_serde_jsons_and_about_as_long() {
        let ids: Vec<String> = (0..5000)
            .map(|i| format!("arn:aws:s3:::b\"{i}\""))
            .collect();
        for functions in [0, 1, 10, 1000] {
            let report = SpofReport {
                functions: (0..functions)
                    .map(|i| SpofEntry {
                        id: &ids[i],
                        spof: ids[i..i + i % 7].iter().map(String::as_str).collect(),
                    })
                    .collect(),
            };
            let mut expected = serde_json::to_string_pretty(&report).expect("serialises");
            expected.push('\n');
            assert_eq!(report.to_json(), expected);
            let (estimate, real) = (report.expected_json_bytes() as f64, expected.len() as f64);
            assert!(
                real < 100.0 || (0.75 * real..=1.25 * real).contains(&estimate),
                "{functions} functions: estimated {estimate} bytes, wrote {real}"
            );
        }
    }
}
