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
use super::raw::{Document, Entry, Member, Node, NodeField, Strings, Text};
use super::strings::Str;
use crate::model::builtin::{self, BuiltinNode, BUILTINS};

/// The name the built-in document carries in diagnostics and origins. Not
/// a path: nothing reads it back from disk.
pub(crate) const SOURCE_NAME: &str = "<built-in aws: nodes>";

/// The built-in nodes the documents need: every known `aws:` id they
/// reference, the nodes their node types imply, and what those require,
/// in id order. Unknown `aws:` ids are left to the resolver, which reports
/// them with the table. O(entries + members).
pub(crate) fn needed<'t>(
    documents: impl IntoIterator<Item = &'t Document>,
    strings: &Strings,
) -> Vec<&'static BuiltinNode> {
    needed_on(documents, strings, None)
}

/// [`needed`], on two cores when `two_cores` says so, else when there are
/// [`READ_ON_TWO_CORES_FROM`] nodes or more.
fn needed_on<'t>(
    documents: impl IntoIterator<Item = &'t Document>,
    strings: &Strings,
    two_cores: Option<bool>,
) -> Vec<&'static BuiltinNode> {
    let runs: Vec<&[(Text, Node)]> = documents
        .into_iter()
        .flat_map(|doc| {
            [
                &doc.functions,
                &doc.services,
                &doc.resources,
                &doc.externals,
            ]
        })
        .flatten()
        .flat_map(|section| section.runs())
        .collect();
    // Every node is read: at 120k services 17 ms on one core, at the end
    // of the parse. Every other run of nodes on each core (a section's
    // nodes differ in their entries, so halves by count would not share
    // the work), then the two sets joined.
    let nodes: usize = runs.iter().map(|r| r.len()).sum();
    let alternate = |parity: usize| runs.iter().skip(parity).step_by(2).copied();
    let (mut wanted, mut also) = (BTreeSet::new(), BTreeSet::new());
    crate::graph::on_two_cores(
        "find-built-ins",
        two_cores.unwrap_or(nodes >= READ_ON_TWO_CORES_FROM) && runs.len() > 1,
        || wanted = referenced_or_implied(alternate(0), strings),
        || also = referenced_or_implied(alternate(1), strings),
    );
    wanted.append(&mut also);
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

/// Estates of at least this many nodes are read for built-ins on two
/// cores (below, a thread costs about what it saves).
const READ_ON_TWO_CORES_FROM: usize = 50_000;

/// The built-in ids the nodes of `runs` reference or imply.
fn referenced_or_implied<'r>(
    runs: impl Iterator<Item = &'r [(Text, Node)]>,
    strings: &Strings,
) -> BTreeSet<&'static str> {
    let mut wanted = BTreeSet::new();
    for (id, node) in runs.flatten() {
        if let Some(implied) = implied(id.sym, node, strings) {
            wanted.insert(implied);
        }
        for entry in node.requires.iter().chain(&node.optional).flatten() {
            for_each_referenced_id(entry, strings, |referenced| {
                if builtin::is_builtin_id(referenced) {
                    if let Some(b) = builtin::find(referenced) {
                        wanted.insert(b.id);
                    }
                }
            });
        }
    }
    wanted
}

/// The built-in a node's type implies (SPEC §6.2): its `type` field, else
/// the type its ARN (the `arn` field, or the id) derives.
fn implied(id: Str, node: &Node, strings: &Strings) -> Option<&'static str> {
    if let Some(t) = node.get(NodeField::Type) {
        return builtin::implied_by_type(&strings[t.sym]);
    }
    let arn = node.get(NodeField::Arn).map_or(id, |t| t.sym);
    if !strings.may_concern_builtins(arn) {
        return None;
    }
    let arn = &strings[arn];
    // Most ids are not ARNs of an implying service: look at the service
    // field alone before parsing the whole ARN (this runs on every node).
    let after_partition = arn.strip_prefix("arn:")?.split_once(':')?.1;
    let service = after_partition.split_once(':')?.0;
    if !builtin::IMPLIED
        .iter()
        .any(|(t, _)| t.split_once(':').is_some_and(|(s, _)| s == service))
    {
        return None;
    }
    let facts = parse_arn(arn)?;
    builtin::implied_by_arn_type(facts.service, facts.type_suffix)
}

/// Calls `f` with each id an entry names directly (selectors never match
/// built-ins). Allocation-free: it runs on every entry of every load.
/// Only ids that may name a built-in are read
/// ([`Strings::may_concern_builtins`]): the rest are never read again.
fn for_each_referenced_id<'s>(entry: &Entry, strings: &'s Strings, mut f: impl FnMut(&'s str)) {
    let mut id = |t: &Text| {
        if strings.may_concern_builtins(t.sym) {
            f(&strings[t.sym]);
        }
    };
    let g = match entry {
        Entry::Id(t) => return id(t),
        Entry::Group(g) => g,
    };
    for list in [&g.all, &g.any, &g.of, &g.failover].into_iter().flatten() {
        for m in list {
            if let Member::Id(t) = m {
                id(t);
            }
        }
    }
    g.via.iter().flatten().for_each(id);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-ins referenced (as members and as `via`), implied (by a type
    /// and by an ARN) and required by another (the ARC cluster's quorum of
    /// regional endpoints), in sections that land on either core.
    const ESTATE: &str = "functions:
  f: {requires: [a, b]}
services:
  a: {requires: ['aws:iam-control-plane'], region: us-east-1}
  b: {requires: [{any: ['aws:sts-global-endpoint', c]}]}
  c: {requires: [q, {all: [z], via: ['aws:route53-arc-cluster']}]}
  z: {}
resources:
  q: {type: 'route53:hostedzone', region: us-east-1}
  r: {arn: 'arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE'}
";

    #[test]
    fn built_ins_found_on_two_cores_are_those_found_on_one() {
        let mut strings = Strings::default();
        let doc = match super::super::parse::parse_document("e.yaml", ESTATE, &mut strings, None) {
            Ok(doc) => doc,
            Err(d) => panic!("the estate should parse: {d:?}"),
        };
        let ids = |two_cores| -> Vec<&str> {
            needed_on([&doc], &strings, Some(two_cores))
                .iter()
                .map(|b| b.id)
                .collect()
        };
        let one = ids(false);
        for id in [
            "aws:iam-control-plane",
            "aws:sts-global-endpoint",
            "aws:route53-arc-cluster",
            "aws:route53-arc@us-west-2",
            "aws:route53-dns",
            "aws:cloudfront-edge",
        ] {
            assert!(
                one.contains(&id),
                "{id} (referenced, required or implied) in {one:?}"
            );
        }
        assert_eq!(ids(true), one);
    }
}
