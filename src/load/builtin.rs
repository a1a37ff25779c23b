//! Built-in `aws:` nodes (SPEC §6.2) brought into a load: the documents are
//! scanned for the built-in ids they reference (members, `via` nodes, and the
//! types that imply one), and those nodes, with the built-ins they require,
//! are written as one more document that goes through the ordinary parse,
//! merge and resolve. A built-in is then a node like any other for every
//! command; only its id namespace is special.
//!
//! The table itself is vocabulary (`model::builtin`), shared with
//! `blastmap catalog`.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::arn::parse_arn;
use super::raw::{Document, Entry, Member, Node, NodeField};
use crate::model::builtin::{self, BuiltinNode, BUILTINS};

/// The name the built-in document carries in diagnostics and origins. Not
/// a path: nothing reads it back from disk.
pub(crate) const SOURCE_NAME: &str = "<built-in aws: nodes>";

/// The built-in nodes the documents need: every known `aws:` id they
/// reference, the nodes their node types imply, and what those require,
/// in id order. Unknown `aws:` ids are left to the resolver, which reports
/// them with the table. O(entries + members).
pub(crate) fn needed<'t>(
    documents: impl IntoIterator<Item = &'t Document<'t>>,
) -> Vec<&'static BuiltinNode> {
    let mut wanted: BTreeSet<&'static str> = BTreeSet::new();
    for doc in documents {
        let sections = [
            &doc.functions,
            &doc.services,
            &doc.resources,
            &doc.externals,
        ];
        for (id, node) in sections.into_iter().flatten().flat_map(|s| s.iter()) {
            if let Some(implied) = implied(id.as_str(), node) {
                wanted.insert(implied);
            }
            for entry in node.requires.iter().chain(&node.optional).flatten() {
                for referenced in referenced_ids(entry) {
                    if let Some(b) = builtin::find(referenced) {
                        wanted.insert(b.id);
                    }
                }
            }
        }
    }
    let mut stack: Vec<&'static str> = wanted.iter().copied().collect();
    while let Some(id) = stack.pop() {
        let required = builtin::find(id).and_then(|b| b.quorum);
        for m in required.iter().flat_map(|(_, of)| of.iter()) {
            if wanted.insert(m) {
                stack.push(m);
            }
        }
    }
    wanted.into_iter().filter_map(builtin::find).collect()
}

/// The built-in a node's type implies (SPEC §6.2): its `type` field, else
/// the type its ARN (the `arn` field, or the id) derives.
fn implied(id: &str, node: &Node) -> Option<&'static str> {
    if let Some(t) = node.get(NodeField::Type) {
        return builtin::implied_by_type(t.as_str());
    }
    let arn = node.get(NodeField::Arn).map_or(id, |t| t.as_str());
    let facts = parse_arn(arn)?;
    builtin::implied_by_type(&facts.node_type())
}

/// The ids an entry names directly (selectors never match built-ins).
fn referenced_ids<'e>(entry: &'e Entry) -> Vec<&'e str> {
    let g = match entry {
        Entry::Id(t) => return vec![t.as_str()],
        Entry::Group(g) => g,
    };
    let lists = [&g.all, &g.any, &g.of, &g.failover];
    let members = lists
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|m| match m {
            Member::Id(t) => Some(t.as_str()),
            Member::Select(_) => None,
        });
    let via = g.via.iter().flatten().map(|t| t.as_str());
    members.chain(via).collect()
}

/// The document that defines `nodes` (JSON text), or `None` when there is
/// none to define.
pub(crate) fn document(nodes: &[&BuiltinNode]) -> Option<String> {
    if nodes.is_empty() {
        return None;
    }
    let mut externals = Map::new();
    for b in nodes {
        let mut node = Map::new();
        node.insert("description".into(), json!(b.needed_by));
        node.insert("provider".into(), json!(builtin::PROVIDER));
        node.insert("service".into(), json!(b.service));
        if let Some(region) = b.region {
            node.insert("region".into(), json!(region));
        }
        if let Some((k, of)) = b.quorum {
            node.insert("requires".into(), json!([{"quorum": k, "of": of}]));
        }
        externals.insert(b.id.to_owned(), Value::Object(node));
    }
    let doc = json!({"version": 1, "externals": externals});
    Some(doc.to_string())
}

/// The table as a note: what a diagnostic about an `aws:` id lists.
pub(crate) fn table_note() -> String {
    let ids: Vec<&str> = BUILTINS.iter().map(|b| b.id).collect();
    format!(
        "the built-in nodes are: {} (`blastmap catalog` shows what each stands for)",
        ids.join(", ")
    )
}
