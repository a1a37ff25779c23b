//! Outputs: the engine's answers rendered for people (text, Markdown) and
//! programs (JSON), written atomically.

pub mod analyze;
pub mod availability;
pub mod catalog;
pub mod check;
pub mod diagnostics;
pub mod diagram;
pub mod diff;
pub mod domains;
pub mod github;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod output;
pub mod pairs;
pub mod progress;
pub mod sarif;
mod sarif_model;
pub mod spof;
pub mod style;
pub mod sweep;

use std::borrow::Cow;

use crate::graph::{Attr, Graph, NodeIx};
use crate::model::text::escape_for_display;

/// `value` as pretty JSON, newline-terminated, written into room for
/// `expected_bytes` reserved at once.
///
/// A report of a large estate is tens of megabytes: grown from empty, its
/// buffer is copied at every doubling into memory the kernel must zero
/// first, as much work again as the report itself (BENCHMARKS.md, issue
/// 24). The estimate only sizes the buffer; the bytes are serde_json's.
pub fn pretty_json<T: serde::Serialize + ?Sized>(value: &T, expected_bytes: usize) -> String {
    let mut bytes = Vec::with_capacity(expected_bytes.saturating_add(expected_bytes / 8) + 4096);
    // Writing into a `Vec` cannot fail, and the report types are plain
    // data (string keys, no custom serialisers that fail).
    serde_json::to_writer_pretty(&mut bytes, value).expect("plain data serialises");
    bytes.push(b'\n');
    tracing::debug!(
        expected_bytes,
        written_bytes = bytes.len(),
        "JSON report written"
    );
    // SAFETY: serde_json writes UTF-8 only: its own `to_string_pretty`
    // makes its `String` the same way, without checking. Checking here
    // would read the whole report once more.
    unsafe { String::from_utf8_unchecked(bytes) }
}

/// A node's id as a person may read it: control and invisible characters
/// escaped (`model::text`), so an id cannot rewrite a terminal or hide text.
/// Every text, Markdown and CSV renderer shows ids through this.
pub fn display_id(graph: &Graph, n: NodeIx) -> Cow<'_, str> {
    escape_for_display(graph.id(n))
}

/// What a node is and where: `rds:db, us-east-1, use1-az1+use1-az2`, or
/// `service, us-east-1` for a node without a type. For people: escaped for
/// display like [`display_id`].
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
    escape_for_display(&parts.join(", ")).into_owned()
}
