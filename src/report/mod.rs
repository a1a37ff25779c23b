//! Outputs: the engine's answers rendered for people (text, Markdown) and
//! programs (JSON), written atomically.

pub mod analyze;
pub mod check;
pub mod diagnostics;
pub mod github;
pub mod junit;
pub mod output;
pub mod progress;
pub mod sarif;
pub mod spof;
pub mod style;
pub mod sweep;

use crate::graph::{Attr, Graph, NodeIx};

/// What a node is and where: `rds:db, us-east-1, use1-az1+use1-az2`, or
/// `service, us-east-1` for a node without a type.
pub fn describe_node(graph: &Graph, n: NodeIx) -> String {
    let mut parts = vec![graph
        .attr(n, Attr::Type)
        .map_or_else(|| graph.kind(n).as_str().to_owned(), str::to_owned)];
    if let Some(r) = graph.attr(n, Attr::Region) {
        parts.push(r.to_owned());
    }
    let zones: Vec<&str> = graph
        .zones(n)
        .iter()
        .filter_map(|z| graph.symbol(*z))
        .collect();
    if !zones.is_empty() {
        parts.push(zones.join("+"));
    }
    parts.join(", ")
}
