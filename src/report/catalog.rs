//! `catalog`: the built-in `aws:` nodes (SPEC §6.2) with the source of each
//! fact, so a reviewer can check why blastmap places a control plane where
//! it does before trusting a path that names it. The rows come from the one
//! table (`model::builtin`); nothing here knows a fact of its own.

use std::fmt::Write;

use serde::Serialize;

use super::markdown::{code, text};

/// A code span for a Markdown table cell.
fn span(s: &str) -> String {
    format!("`{}`", code(s))
}
use crate::model::builtin::{BuiltinNode, BUILTINS, IMPLIED};

/// `catalog --format json`.
#[derive(Debug, Serialize)]
pub struct CatalogReport {
    /// Node types that imply a requirement on a built-in node.
    pub implied: Vec<ImpliedRequirement>,
    /// Every built-in node, by id.
    pub nodes: Vec<CatalogNode>,
}

/// One built-in node as the catalog shows it.
#[derive(Debug, Serialize)]
pub struct CatalogNode {
    pub id: &'static str,
    pub kind: &'static str,
    pub needed_by: &'static str,
    pub provider: &'static str,
    /// `null` for the ARC cluster, which lives in five regions.
    pub region: Option<&'static str>,
    /// Its `requires` entries as written in an estate (`{quorum: 3, of: [...]}`).
    pub requires: Vec<String>,
    pub service: &'static str,
    pub source: &'static str,
}

/// `type` → the built-in node it requires.
#[derive(Debug, Serialize)]
pub struct ImpliedRequirement {
    pub requires: &'static str,
    #[serde(rename = "type")]
    pub type_: &'static str,
}

impl CatalogReport {
    /// The whole table, in id order (the table's own order).
    pub fn new() -> Self {
        CatalogReport {
            nodes: BUILTINS.iter().map(node).collect(),
            implied: IMPLIED
                .iter()
                .map(|&(type_, requires)| ImpliedRequirement { type_, requires })
                .collect(),
        }
    }

    /// Pretty JSON, one trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }

    /// A block per node: id, service and placement on the first line, then
    /// what needs it, its requirements and its source.
    pub fn to_text(&self) -> String {
        let mut out = format!("Built-in AWS nodes: {}\n", self.nodes.len());
        for n in &self.nodes {
            let _ = writeln!(out, "\n{}  ({}, {})", n.id, n.service, placement(n));
            let _ = writeln!(out, "  needed for: {}", n.needed_by);
            for r in &n.requires {
                let _ = writeln!(out, "  requires:   {r}");
            }
            let _ = writeln!(out, "  source:     {}", n.source);
        }
        out.push_str("\nImplied requirements:\n");
        for i in &self.implied {
            let _ = writeln!(out, "  a node of type {} requires {}", i.type_, i.requires);
        }
        out
    }

    /// One Markdown table of the nodes, then the implied requirements.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from(
            "## Built-in AWS nodes\n\n| id | service | placement | needed for | requires | source |\n|---|---|---|---|---|---|\n",
        );
        for n in &self.nodes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                span(n.id),
                span(n.service),
                text(&placement(n)),
                text(n.needed_by),
                n.requires
                    .iter()
                    .map(|r| code(r))
                    .collect::<Vec<_>>()
                    .join(", "),
                text(n.source)
            );
        }
        out.push_str("\n### Implied requirements\n\n| type | requires |\n|---|---|\n");
        for i in &self.implied {
            let _ = writeln!(out, "| {} | {} |", span(i.type_), span(i.requires));
        }
        out
    }
}

impl Default for CatalogReport {
    fn default() -> Self {
        Self::new()
    }
}

fn node(b: &BuiltinNode) -> CatalogNode {
    CatalogNode {
        id: b.id,
        kind: "external",
        provider: crate::model::builtin::PROVIDER,
        service: b.service,
        region: b.region,
        requires: b
            .quorum
            .iter()
            .map(|(k, of)| format!("{{quorum: {k}, of: [{}]}}", of.join(", ")))
            .collect(),
        needed_by: b.needed_by,
        source: b.source,
    }
}

fn placement(n: &CatalogNode) -> String {
    match n.region {
        Some(r) => format!("region {r}"),
        None => "no region".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_lists_every_built_in_with_its_source() {
        let report = CatalogReport::new();
        let (text, md, json) = (report.to_text(), report.to_markdown(), report.to_json());
        for b in BUILTINS {
            assert!(text.contains(b.id) && text.contains(b.source), "{}", b.id);
            assert!(md.contains(b.id), "{}", b.id);
            assert!(json.contains(&format!("\"id\": \"{}\"", b.id)), "{}", b.id);
        }
    }

    #[test]
    fn the_arc_cluster_shows_its_quorum_of_five_regions_and_no_region() {
        let report = CatalogReport::new();
        let arc = report
            .nodes
            .iter()
            .find(|n| n.id == "aws:route53-arc-cluster")
            .expect("the ARC cluster is in the table");
        assert_eq!(arc.region, None);
        assert_eq!(arc.requires.len(), 1);
        assert!(arc.requires[0].starts_with("{quorum: 3, of: [aws:route53-arc@us-west-2"));
    }
}
