//! Merging documents (SPEC §1.5): the same id in several documents is one
//! node whose explicitly given fields must agree.
//!
//! A merged node keeps references to its parts (each document's definition)
//! rather than copies of their fields: nearly every node has one part, and a
//! million-node estate must not be held twice.

use super::raw::{Document, Entry, Node, NodeField, Section, Text, Zones};
use super::strings::Str;
use super::Files;
use crate::diag::{Code, Diagnostic};

use crate::model::NodeKind;

/// A value and the source it came from.
#[derive(Debug)]
pub(crate) struct From<'d, T: ?Sized> {
    pub value: &'d T,
    pub src: usize,
}

impl<T: ?Sized> Clone for From<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ?Sized> Copy for From<'_, T> {}

/// One document's definition of a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part<'d> {
    pub node: &'d Node,
    pub src: usize,
    /// The document is collector output (`meta.sources` not empty).
    pub observed: bool,
}

/// A requirement entry and whether the document that stated it is observed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stated<'d> {
    pub entry: &'d Entry,
    pub src: usize,
    pub observed: bool,
}

/// One node, merged from every document that defines it.
///
/// 40 bytes: a million of them are held while the graph is built, so the
/// first definition is kept inline (its source is the id's) and the rare
/// further ones behind a pointer.
#[derive(Debug)]
pub(crate) struct Merged<'d> {
    pub id: From<'d, Text>,
    /// The id's symbol, copied from `id` (in what was padding): the passes
    /// over every node that need the symbol alone (merging definitions,
    /// indexing the ids) then read the merged nodes in order instead of
    /// each node's id where the parse left it (at 120k, 10 ms of the
    /// index's 14 went to those reads).
    pub sym: Str,
    pub kind: NodeKind,
    /// The first definition's document is collector output.
    first_observed: bool,
    first: &'d Node,
    // A box around the list: 8 bytes here instead of a list's 24, for a
    // list that nearly every node leaves empty.
    #[allow(clippy::box_collection)]
    more: Option<Box<Vec<Part<'d>>>>,
}

// The size the comment on `Merged` gives, held.
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Merged<'static>>() == 40);

impl<'d> Merged<'d> {
    /// Every definition, in load order.
    pub fn parts(&self) -> impl Iterator<Item = Part<'d>> + '_ {
        std::iter::once(self.first_part()).chain(self.more.iter().flat_map(|m| m.iter().copied()))
    }

    /// The node of the first definition.
    pub fn first_node(&self) -> &'d Node {
        self.first
    }

    /// The first definition, where the id was first written.
    fn first_part(&self) -> Part<'d> {
        Part {
            node: self.first,
            src: self.id.src,
            observed: self.first_observed,
        }
    }

    /// A scalar field, from the first definition that gives it (merging
    /// checked that the others agree).
    pub fn field(&self, f: NodeField) -> Option<From<'d, Text>> {
        self.parts()
            .find_map(|p| p.node.get(f).map(|value| From { value, src: p.src }))
    }

    /// The zones, from the first definition that gives them.
    pub fn zones(&self) -> Option<From<'d, Zones>> {
        self.parts().find_map(|p| {
            p.node
                .zones
                .as_ref()
                .map(|value| From { value, src: p.src })
        })
    }

    /// Every tag of every definition: `(key, value)`.
    pub fn tags(&self) -> impl Iterator<Item = (From<'d, Text>, &'d Text)> + '_ {
        self.parts().flat_map(|p| {
            p.node.tags.iter().flat_map(|t| &t.0).map(move |(k, v)| {
                (
                    From {
                        value: k,
                        src: p.src,
                    },
                    v,
                )
            })
        })
    }

    /// The `requires` entries of every definition, concatenated.
    pub fn requires(&self) -> Vec<Stated<'d>> {
        self.entries(|n| n.requires.as_deref())
    }

    /// The `optional` entries of every definition, concatenated.
    pub fn optional(&self) -> Vec<Stated<'d>> {
        self.entries(|n| n.optional.as_deref())
    }

    fn entries(&self, list: impl Fn(&'d Node) -> Option<&'d [Entry]>) -> Vec<Stated<'d>> {
        self.parts()
            .flat_map(|p| {
                list(p.node)
                    .unwrap_or_default()
                    .iter()
                    .map(move |entry| Stated {
                        entry,
                        src: p.src,
                        observed: p.observed,
                    })
            })
            .collect()
    }
}

/// The scalar fields that must agree across documents (`description` is
/// taken from the first document that gives one).
const AGREEING_FIELDS: [NodeField; 9] = [
    NodeField::Criticality,
    NodeField::Arn,
    NodeField::Provider,
    NodeField::Service,
    NodeField::Type,
    NodeField::Account,
    NodeField::Region,
    NodeField::MinZones,
    NodeField::Availability,
];

/// Merges the nodes of every document, reporting conflicts. The nodes
/// come back in byte order of ids, the node order (SPEC §4.2).
///
/// No table of ids is built: every definition becomes a node, the nodes are
/// sorted by id (stably, so an id's definitions stay in load order) and each
/// definition is folded into the one before it with the same id. A million
/// ids are then compared where they lie rather than hashed into a table as
/// large as the nodes.
pub(crate) fn merge<'d>(
    files: &Files,
    documents: &'d [(usize, Document)],
    out: &mut Vec<Diagnostic>,
) -> (Vec<Merged<'d>>, ListSizes) {
    let total: usize = documents.iter().map(|(_, d)| node_count(d)).sum();
    let mut nodes: Vec<Merged<'d>> = Vec::with_capacity(total);
    let mut sizes = ListSizes::default();
    let mut runs: Vec<Run<'d>> = Vec::new();
    for (src, doc) in documents {
        let observed = doc.meta.as_ref().is_some_and(|m| !m.sources.is_empty());
        for kind in NodeKind::ALL {
            if let Some(section) = section(doc, kind) {
                runs.push(Run {
                    src: *src,
                    observed,
                    kind,
                    section,
                });
            }
        }
    }
    let in_order = runs_in_id_order(files, &runs);
    for run in in_order.as_deref().unwrap_or(&runs) {
        nodes.extend(run.section.iter().map(|(id, node)| {
            sizes.count(node);
            Merged {
                id: From {
                    value: id,
                    src: run.src,
                },
                sym: id.sym,
                kind: run.kind,
                first_observed: run.observed,
                first: node,
                more: None,
            }
        }));
    }
    if in_order.is_none() {
        // Stable: an id's definitions stay in load order. The standard
        // stable sort also finds the runs already in order: 0.06 s at
        // 1.34 M nodes, where an unstable sort took 0.35 s; rayon's stable
        // sort was no faster on two cores, held a full scratch copy
        // (90 MB) and was slower on unsorted input.
        nodes.sort_by(|a, b| {
            files
                .str(a.id.value)
                .as_bytes()
                .cmp(files.str(b.id.value).as_bytes())
        });
    }
    nodes.dedup_by(|again, existing| {
        if again.sym != existing.sym {
            return false;
        }
        match same_id_problem(files, existing, again.id, again.kind) {
            Some(d) => out.push(d),
            None => {
                check_agreement(files, existing, again.first_part(), out);
                existing
                    .more
                    .get_or_insert_with(Box::default)
                    .push(again.first_part());
            }
        }
        true
    });
    (nodes, sizes)
}

/// One section of one document, as the merge reads it.
#[derive(Clone, Copy)]
struct Run<'d> {
    src: usize,
    observed: bool,
    kind: NodeKind,
    section: &'d Section,
}

/// The sections in the order that lays their ids out in byte order, when
/// each is known to ascend ([`Section::ascending`]) and no two overlap (the
/// last id of each is below the first of the next): the nodes then need
/// no sort, only the sections' first and last ids compared. The JSON
/// reader knows a section ascends from the bytes it read; a generated or
/// collected document's sections do (a sort took 40–44 ms at 120k, where
/// this takes microseconds). `None` otherwise: some section not known to
/// ascend, or two that overlap or share an id (the sort keeps an id's
/// definitions in load order for the merge).
fn runs_in_id_order<'d>(files: &Files, runs: &[Run<'d>]) -> Option<Vec<Run<'d>>> {
    let mut bounds = Vec::with_capacity(runs.len());
    for run in runs {
        if !run.section.ascending() {
            return None;
        }
        if let Some((first, last)) = run.section.first_and_last_id() {
            let (first, last) = (files.str(&first).as_bytes(), files.str(&last).as_bytes());
            bounds.push((first, last, run));
        }
    }
    bounds.sort_by(|a, b| a.0.cmp(b.0));
    let apart = bounds.windows(2).all(|w| w[0].1 < w[1].0);
    apart.then(|| bounds.into_iter().map(|(_, _, r)| *r).collect())
}

/// How many tags and listed zones the nodes give, every definition
/// counted: at most what the graph's lists of tags and zones will hold.
/// Counted while merging reads each node anyway, so that those lists are
/// sized once instead of doubling (and copying into fresh memory) as the
/// nodes are added: that growth was 7 % of the samples of a
/// 10,000-service `analyze`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListSizes {
    pub tags: usize,
    pub zones: usize,
}

impl ListSizes {
    fn count(&mut self, node: &Node) {
        self.tags += node.tags.as_ref().map_or(0, |t| t.0.len());
        if let Some(Zones::List(zones)) = &node.zones {
            self.zones += zones.len();
        }
    }

    /// About the share of `part` nodes out of `all`, with room to spare:
    /// the nodes of one part may give more than their share.
    pub fn share(self, part: usize, all: usize) -> ListSizes {
        let of = |n: usize| (n as u128 * part as u128 / all.max(1) as u128) as usize;
        ListSizes {
            tags: of(self.tags) + of(self.tags) / 4,
            zones: of(self.zones) + of(self.zones) / 4,
        }
    }
}

fn node_count(doc: &Document) -> usize {
    NodeKind::ALL
        .iter()
        .filter_map(|k| section(doc, *k))
        .map(|s| s.len())
        .sum()
}

fn section(doc: &Document, kind: NodeKind) -> Option<&Section> {
    match kind {
        NodeKind::Function => doc.functions.as_ref(),
        NodeKind::Service => doc.services.as_ref(),
        NodeKind::Resource => doc.resources.as_ref(),
        NodeKind::External => doc.externals.as_ref(),
    }
}

/// The same id twice in one document, or in two sections: an error.
fn same_id_problem(
    files: &Files,
    existing: &Merged,
    again: From<Text>,
    kind: NodeKind,
) -> Option<Diagnostic> {
    let first = files.name(existing.id.src).to_owned();
    let id = files.str(again.value);
    let d = if existing.kind != kind {
        Diagnostic::error(
            Code::SameIdTwoSections,
            format!(
                "`{id}` is defined under `{}` and again under `{}`",
                existing.kind.section(),
                kind.section()
            ),
        )
        .note(format!("first defined in {first}"))
        .help("ids are unique across functions, services, resources and externals: rename one")
    } else if existing.id.src == again.src {
        Diagnostic::error(
            Code::DuplicateKey,
            format!(
                "`{id}` is defined twice in the same `{}` mapping",
                kind.section()
            ),
        )
        .help("remove one of the two definitions, or merge them into one")
    } else {
        return None;
    };
    Some(files.locate(d.node(id), again.src, again.value.at, id.len()))
}

/// Checks a new definition against the ones before it: explicitly given
/// fields, zones and tags must agree.
/// Whether two documents give a field the same value: as text, except
/// `availability`, a number (`0.999` and `0.9990` agree).
fn same_value(field: NodeField, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (field, a.parse::<f64>(), b.parse::<f64>()) {
        (NodeField::Availability, Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn check_agreement(files: &Files, m: &Merged, part: Part, out: &mut Vec<Diagnostic>) {
    let id = files.str(m.id.value);
    for f in AGREEING_FIELDS {
        let (Some(prev), Some(value)) = (m.field(f), part.node.get(f)) else {
            continue;
        };
        if !same_value(f, files.str(prev.value), files.str(value)) {
            let again = From {
                value,
                src: part.src,
            };
            out.push(conflict(files, id, f.name(), prev, again));
        }
    }
    if let (Some(prev), Some(zones)) = (m.zones(), &part.node.zones) {
        if zone_set(files, prev.value) != zone_set(files, zones) {
            out.push(zones_conflict(
                files,
                m,
                prev,
                From {
                    value: zones,
                    src: part.src,
                },
            ));
        }
    }
    for (k, v) in part.node.tags.iter().flat_map(|t| &t.0) {
        let prev = m.tags().find(|(pk, _)| pk.value.sym == k.sym);
        if let Some((pk, pv)) = prev {
            if pv.sym != v.sym {
                let (k, pv_text, v_text) = (files.str(k), files.str(pv), files.str(v));
                let d = Diagnostic::error(
                    Code::TagConflict,
                    format!(
                        "`{id}` has tag `{k}` = `{v_text}` here but `{pv_text}` in {}",
                        files.name(pk.src)
                    ),
                )
                .node(id)
                .help("give the tag one value, in every document that sets it")
                .related(
                    files.span(pk.src, pv),
                    format!("`{k}` = `{pv_text}` is given here"),
                );
                out.push(files.locate(d, part.src, v.at, v_text.len()));
            }
        }
    }
}

fn zones_conflict(files: &Files, m: &Merged, prev: From<Zones>, again: From<Zones>) -> Diagnostic {
    let d = Diagnostic::error(
        Code::ConflictingDefinition,
        format!(
            "`{}` has zones {} here but {} in {}",
            files.str(m.id.value),
            zone_text(files, again.value),
            zone_text(files, prev.value),
            files.name(prev.src)
        ),
    )
    .node(files.str(m.id.value))
    .help("give the node the same zones in every document, or in one document only")
    .related(
        zone_position(prev.value).and_then(|t| files.span(prev.src, t)),
        format!("zones {} are given here", zone_text(files, prev.value)),
    );
    match zone_position(again.value) {
        Some(t) => files.locate(d, again.src, t.at, files.str(t).len()),
        None => d.in_file(files.name(again.src)),
    }
}

fn zone_set<'f>(files: &Files<'f>, z: &Zones) -> Vec<&'f str> {
    match z {
        Zones::Every(_) => vec!["*"],
        Zones::List(l) => {
            let mut v: Vec<&str> = l.iter().map(|t| files.str(t)).collect();
            v.sort_unstable();
            v
        }
    }
}

fn zone_text(files: &Files, z: &Zones) -> String {
    match z {
        Zones::Every(_) => "\"*\"".to_owned(),
        Zones::List(l) => format!(
            "[{}]",
            l.iter()
                .map(|t| files.str(t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn zone_position(z: &Zones) -> Option<&Text> {
    match z {
        Zones::Every(t) => Some(t),
        Zones::List(l) => l.first(),
    }
}

fn conflict(
    files: &Files,
    id: &str,
    field: &str,
    first: From<Text>,
    again: From<Text>,
) -> Diagnostic {
    let d = Diagnostic::error(
        Code::ConflictingDefinition,
        format!(
            "`{id}` has {field} `{}` here but `{}` in {}",
            files.str(again.value),
            files.str(first.value),
            files.name(first.src)
        ),
    )
    .node(id)
    .help(format!(
        "a node defined in several documents must agree on `{field}`: give it one value, or set it in one document only"
    ))
    .related(
        files.span(first.src, first.value),
        format!("{field} `{}` is given here", files.str(first.value)),
    );
    files.locate(d, again.src, again.value.at, files.str(again.value).len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::raw::{At, Tags};

    fn text(s: &str) -> Text {
        Text::new(s, At::UNKNOWN)
    }

    fn node(tags: usize, zones: Option<Zones>) -> Node {
        let tag = (text("team"), text("core"));
        Node {
            tags: (tags > 0).then(|| Tags(vec![tag; tags].into_boxed_slice())),
            zones,
            ..Node::default()
        }
    }

    #[test]
    fn list_sizes_count_every_tag_and_listed_zone() {
        let mut sizes = ListSizes::default();
        let two_zones = Zones::List(vec![text("az1"), text("az2")].into_boxed_slice());
        sizes.count(&node(3, Some(two_zones)));
        sizes.count(&node(0, Some(Zones::Every(text("*")))));
        sizes.count(&node(2, None));
        sizes.count(&node(0, None));
        assert_eq!(sizes, ListSizes { tags: 5, zones: 2 });
    }

    #[test]
    fn a_share_of_list_sizes_has_room_to_spare() {
        let sizes = ListSizes {
            tags: 1000,
            zones: 400,
        };
        assert_eq!(
            sizes.share(40, 100),
            ListSizes {
                tags: 500,
                zones: 200
            }
        );
        assert_eq!(sizes.share(0, 0), ListSizes::default());
        assert_eq!(
            sizes.share(7, 7),
            ListSizes {
                tags: 1250,
                zones: 500
            }
        );
    }
}
