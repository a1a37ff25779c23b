//! `diff` output: the verdict first, then what changed per function and in
//! the structure. Text for a terminal, JSON for programs (SPEC §4.2), and
//! Markdown for a pull-request comment that fits GitHub's limit.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::markdown;
use crate::engine::diff::{Diff, FunctionDiff, StructureDiff, Verdict};
use crate::model::text::escape_for_display;

/// GitHub refuses a comment longer than this many characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The first line of the Markdown report: CI finds its own comment by it
/// and updates that one instead of adding another.
pub const MARKDOWN_MARKER: &str = "<!-- blastmap-diff -->";

/// `diff --format json` (SPEC §4.2). `nodes` and `edges` are `null` when
/// the sides are reports rather than estates.
#[derive(Debug, Serialize)]
pub struct DiffReport<'a> {
    pub verdict: &'static str,
    pub nodes: Option<NodesJson<'a>>,
    pub edges: Option<EdgesJson<'a>>,
    pub functions: Vec<FunctionJson<'a>>,
    /// How many domains were compared.
    pub domains_compared: usize,
}

/// Nodes added, removed, changed (ids sorted), and what changed in each.
#[derive(Debug, Serialize)]
pub struct NodesJson<'a> {
    pub added: &'a [String],
    pub removed: &'a [String],
    pub changed: Vec<&'a str>,
    pub changed_fields: BTreeMap<&'a str, &'a [&'static str]>,
}

/// Requirement edges `[owner, member]`, sorted.
#[derive(Debug, Serialize)]
pub struct EdgesJson<'a> {
    pub added: &'a [(String, String)],
    pub removed: &'a [(String, String)],
}

/// One function with a change.
#[derive(Debug, Serialize)]
pub struct FunctionJson<'a> {
    pub id: &'a str,
    pub verdict: &'static str,
    pub scenarios: Vec<ScenarioJson<'a>>,
    pub spof: SpofJson<'a>,
    pub violations: ViolationsJson<'a>,
}

/// A domain under which the function's status differs.
#[derive(Debug, Serialize)]
pub struct ScenarioJson<'a> {
    pub failed: [&'a str; 1],
    pub old: &'static str,
    pub new: &'static str,
}

/// Single points of failure gained and lost; `paths` holds each gained
/// one's path on the new side (function first), when known.
#[derive(Debug, Serialize)]
pub struct SpofJson<'a> {
    pub gained: Vec<&'a str>,
    pub lost: &'a [String],
    pub paths: BTreeMap<&'a str, &'a [String]>,
}

/// Policy violations gained and fixed.
#[derive(Debug, Serialize)]
pub struct ViolationsJson<'a> {
    pub gained: Vec<RuleDomain<'a>>,
    pub fixed: Vec<RuleDomain<'a>>,
}

/// A violation of one function: its rule and domain.
#[derive(Debug, Serialize)]
pub struct RuleDomain<'a> {
    pub rule: &'a str,
    pub domain: &'a str,
}

/// The JSON report, pretty-printed, with a final newline.
pub fn to_json(diff: &Diff) -> String {
    let report = DiffReport {
        verdict: diff.verdict.as_str(),
        nodes: diff.structure.as_ref().map(|s| NodesJson {
            added: &s.added,
            removed: &s.removed,
            changed: s.changed.iter().map(|(id, _)| id.as_str()).collect(),
            changed_fields: s
                .changed
                .iter()
                .map(|(id, f)| (id.as_str(), f.as_slice()))
                .collect(),
        }),
        edges: diff.structure.as_ref().map(|s| EdgesJson {
            added: &s.edges_added,
            removed: &s.edges_removed,
        }),
        functions: diff.functions.iter().map(function_json).collect(),
        domains_compared: diff.domains_compared,
    };
    let mut out = serde_json::to_string_pretty(&report).expect("the report serialises");
    out.push('\n');
    out
}

fn function_json(f: &FunctionDiff) -> FunctionJson<'_> {
    FunctionJson {
        id: &f.id,
        verdict: f.verdict.as_str(),
        scenarios: f
            .scenarios
            .iter()
            .map(|c| ScenarioJson {
                failed: [&c.domain],
                old: c.old.as_str(),
                new: c.new.as_str(),
            })
            .collect(),
        spof: SpofJson {
            gained: f.spof_gained.iter().map(|g| g.id.as_str()).collect(),
            lost: &f.spof_lost,
            paths: f
                .spof_gained
                .iter()
                .filter(|g| !g.path.is_empty())
                .map(|g| (g.id.as_str(), g.path.as_slice()))
                .collect(),
        },
        violations: ViolationsJson {
            gained: rule_domains(&f.violations_gained),
            fixed: rule_domains(&f.violations_fixed),
        },
    }
}

fn rule_domains(v: &[(String, String)]) -> Vec<RuleDomain<'_>> {
    v.iter()
        .map(|(rule, domain)| RuleDomain { rule, domain })
        .collect()
}

/// How many scenarios of `f` got worse and how many better.
fn scenario_counts(f: &FunctionDiff) -> (usize, usize) {
    let worse = f.scenarios.iter().filter(|c| c.new > c.old).count();
    let better = f.scenarios.iter().filter(|c| c.new < c.old).count();
    (worse, better)
}

/// `1 function worse, 2 better` (only the non-zero counts), or `no
/// function changed`.
fn verdict_counts(diff: &Diff) -> String {
    let mut parts = Vec::new();
    for (v, word) in [
        (Verdict::Worse, "worse"),
        (Verdict::Better, "better"),
        (Verdict::Mixed, "mixed"),
    ] {
        let n = diff.functions.iter().filter(|f| f.verdict == v).count();
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    let sided = diff
        .functions
        .iter()
        .filter(|f| f.on_old != f.on_new)
        .count();
    if sided > 0 {
        parts.push(format!("{sided} added or removed"));
    }
    if parts.is_empty() {
        return "no function changed".to_owned();
    }
    let first = parts.remove(0);
    let (n, rest) = first.split_once(' ').expect("`N word`");
    let noun = if n == "1" { "function" } else { "functions" };
    let mut out = format!("{n} {noun} {rest}");
    for p in parts {
        out.push_str(", ");
        out.push_str(&p);
    }
    out
}

/// `2 nodes added, 1 removed, 3 changed; 4 edges added, 1 removed`.
fn structure_summary(s: &StructureDiff) -> String {
    format!(
        "{} node(s) added, {} removed, {} changed; {} edge(s) added, {} removed",
        s.added.len(),
        s.removed.len(),
        s.changed.len(),
        s.edges_added.len(),
        s.edges_removed.len()
    )
}

/// What one function's change says, one line per fact, for text and
/// Markdown (`quote` wraps an id: plain in text, a code span in Markdown).
fn function_lines(f: &FunctionDiff, quote: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut lines = Vec::new();
    match (f.on_old, f.on_new) {
        (false, true) => lines.push("added by this change".to_owned()),
        (true, false) => lines.push("removed by this change".to_owned()),
        _ => {}
    }
    for g in &f.spof_gained {
        let path: Vec<String> = g.path.iter().map(|p| quote(p)).collect();
        let via = if path.is_empty() {
            String::new()
        } else {
            format!(" (path: {})", path.join(" → "))
        };
        lines.push(format!("new single point of failure {}{via}", quote(&g.id)));
    }
    for x in &f.spof_lost {
        lines.push(format!("no longer a single point of failure: {}", quote(x)));
    }
    for (rule, domain) in &f.violations_gained {
        lines.push(format!(
            "new violation of {} under {}",
            quote(rule),
            quote(domain)
        ));
    }
    for (rule, domain) in &f.violations_fixed {
        lines.push(format!(
            "fixed violation of {} under {}",
            quote(rule),
            quote(domain)
        ));
    }
    for c in &f.scenarios {
        lines.push(format!(
            "{}: {} → {}",
            quote(&c.domain),
            c.old.as_str(),
            c.new.as_str()
        ));
    }
    lines
}

/// The text report: the verdict line, the structure, then each function.
pub fn to_text(diff: &Diff) -> String {
    let mut out = format!(
        "blastmap diff: {} ({}; {} scenario(s) compared)\n",
        diff.verdict.as_str(),
        verdict_counts(diff),
        diff.domains_compared
    );
    let plain = |s: &str| escape_for_display(s).into_owned();
    if let Some(s) = &diff.structure {
        let _ = writeln!(out, "\nstructure: {}", structure_summary(s));
        for line in structure_lines(s, &plain) {
            let _ = writeln!(out, "  {line}");
        }
    }
    for f in &diff.functions {
        let _ = writeln!(out, "\n{} ({})", plain(&f.id), function_change(f));
        for line in function_lines(f, &plain).into_iter().skip(sided(f)) {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

/// One line per node and edge change: `+ id`, `- id`, `~ id (fields)`,
/// `+ a → b`, `- a → b`.
fn structure_lines(s: &StructureDiff, quote: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(s.added.iter().map(|id| format!("+ node {}", quote(id))));
    lines.extend(s.removed.iter().map(|id| format!("- node {}", quote(id))));
    lines.extend(
        s.changed
            .iter()
            .map(|(id, f)| format!("~ node {} ({})", quote(id), f.join(", "))),
    );
    for (sign, edges) in [("+", &s.edges_added), ("-", &s.edges_removed)] {
        lines.extend(
            edges
                .iter()
                .map(|(a, b)| format!("{sign} edge {} → {}", quote(a), quote(b))),
        );
    }
    lines
}

/// `added`, `removed`, or the function's verdict.
fn function_change(f: &FunctionDiff) -> &'static str {
    match (f.on_old, f.on_new) {
        (false, true) => "added",
        (true, false) => "removed",
        _ => f.verdict.as_str(),
    }
}

/// How many leading lines of [`function_lines`] say what the heading
/// already says (added or removed).
fn sided(f: &FunctionDiff) -> usize {
    usize::from(f.on_old != f.on_new)
}

fn badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Worse => "🔴 worse",
        Verdict::Better => "🟢 better",
        Verdict::Mixed => "🟠 mixed",
        Verdict::Unchanged => "⚪ unchanged",
    }
}

/// The Markdown report for a pull-request comment: the marker, the
/// verdict, a summary table, then the details in `<details>` blocks. Cut
/// to stay within `limit` characters (GitHub's is
/// [`GITHUB_COMMENT_LIMIT`]), saying what was left out.
pub fn to_markdown(diff: &Diff, limit: usize) -> String {
    let code = |s: &str| format!("`{}`", markdown::code(s));
    let head = format!(
        "{MARKDOWN_MARKER}\n## blastmap diff: {}\n\n{}; {} scenario(s) compared.\n",
        badge(diff.verdict),
        verdict_counts(diff),
        diff.domains_compared
    );
    let mut blocks: Vec<String> = Vec::new();
    if !diff.functions.is_empty() {
        blocks.push(
            "\n| function | change | scenarios worse | scenarios better | SPOFs gained | SPOFs lost | violations gained | violations fixed |\n|---|---|---|---|---|---|---|---|\n"
                .to_owned(),
        );
    }
    for f in &diff.functions {
        let (worse, better) = scenario_counts(f);
        let change = match (f.on_old, f.on_new) {
            (false, true) => "➕ added",
            (true, false) => "➖ removed",
            _ => badge(f.verdict),
        };
        blocks.push(format!(
            "| {} | {change} | {worse} | {better} | {} | {} | {} | {} |\n",
            code(&f.id),
            f.spof_gained.len(),
            f.spof_lost.len(),
            f.violations_gained.len(),
            f.violations_fixed.len()
        ));
    }
    if let Some(s) = &diff.structure {
        blocks.push(format!("\nStructure: {}.\n", structure_summary(s)));
    }
    for f in &diff.functions {
        let mut block = format!(
            "\n<details><summary>{}: {}</summary>\n\n",
            markdown::text(&f.id),
            function_change(f)
        );
        for line in function_lines(f, &code).into_iter().skip(sided(f)) {
            let _ = writeln!(block, "- {line}");
        }
        block.push_str("\n</details>\n");
        blocks.push(block);
    }
    if let Some(s) = diff.structure.as_ref().filter(|s| !s.is_empty()) {
        let mut block = "\n<details><summary>Structure</summary>\n\n".to_owned();
        for line in structure_lines(s, &code) {
            let _ = writeln!(block, "- {line}");
        }
        block.push_str("\n</details>\n");
        blocks.push(block);
    }
    fit(head, blocks, limit)
}

/// Appends blocks in order while they fit in `limit` characters, keeping
/// room for the note that says how many were left out.
fn fit(head: String, blocks: Vec<String>, limit: usize) -> String {
    const NOTE_ROOM: usize = 300;
    let mut out = head;
    let mut used = out.chars().count();
    let total = blocks.len();
    let mut kept = 0;
    for block in blocks {
        let n = block.chars().count();
        if used + n + NOTE_ROOM > limit {
            break;
        }
        used += n;
        out.push_str(&block);
        kept += 1;
    }
    if kept < total {
        let _ = writeln!(
            out,
            "\n**{} of {total} parts of this report left out** to stay within GitHub's \
             {GITHUB_COMMENT_LIMIT}-character comment limit: run `blastmap diff --format json` \
             for all of it.",
            total - kept
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::diff::{ScenarioChange, SideStatus};
    use crate::model::Status;

    fn many_functions(n: usize) -> Diff {
        let functions = (0..n)
            .map(|i| FunctionDiff {
                id: format!("function-with-a-long-name-{i:06}"),
                on_old: true,
                on_new: true,
                scenarios: vec![ScenarioChange {
                    domain: "region:us-east-1".into(),
                    old: SideStatus::Is(Status::Up),
                    new: SideStatus::Is(Status::Down),
                }],
                spof_gained: Vec::new(),
                spof_lost: Vec::new(),
                violations_gained: Vec::new(),
                violations_fixed: Vec::new(),
                verdict: Verdict::Worse,
            })
            .collect();
        Diff {
            verdict: Verdict::Worse,
            structure: None,
            functions,
            domains_compared: 1,
        }
    }

    #[test]
    fn markdown_stays_within_the_comment_limit_and_says_what_it_left_out() {
        let md = to_markdown(&many_functions(5_000), GITHUB_COMMENT_LIMIT);
        assert!(md.chars().count() <= GITHUB_COMMENT_LIMIT, "{}", md.len());
        assert!(md.contains("parts of this report left out"), "{md}");
        assert!(md.starts_with(MARKDOWN_MARKER));
    }

    #[test]
    fn markdown_of_a_small_diff_is_whole() {
        let md = to_markdown(&many_functions(3), GITHUB_COMMENT_LIMIT);
        assert!(!md.contains("left out"), "{md}");
        assert_eq!(md.matches("<details>").count(), 3);
    }

    #[test]
    fn markdown_escapes_ids_in_summaries_and_cells() {
        let mut d = many_functions(1);
        d.functions[0].id = "a|b<script>".into();
        let md = to_markdown(&d, GITHUB_COMMENT_LIMIT);
        // Inside a code span HTML is inert; in a summary it is escaped.
        assert!(md.contains("| `a\\|b<script>` |"), "{md}");
        assert!(
            md.contains("<summary>a\\|b\\<script\\>: worse</summary>"),
            "{md}"
        );
    }
}
