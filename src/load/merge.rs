//! Merging documents (SPEC §1.5): the same id in several documents is one
//! node whose explicitly given fields must agree.

use rustc_hash::FxHashMap;

use super::Files;
use crate::diag::Diagnostic;
use crate::model::raw::{Document, Entry, Node, Section, Text, Zones};
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

/// The scalar fields that merge by agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Criticality = 0,
    Arn,
    Provider,
    Service,
    Type,
    Account,
    Region,
    MinZones,
}

impl Field {
    const COUNT: usize = 8;

    fn name(self) -> &'static str {
        match self {
            Field::Criticality => "criticality",
            Field::Arn => "arn",
            Field::Provider => "provider",
            Field::Service => "service",
            Field::Type => "type",
            Field::Account => "account",
            Field::Region => "region",
            Field::MinZones => "min_zones",
        }
    }
}

/// A requirement entry and whether the document that stated it is observed
/// (collector output).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stated<'d> {
    pub entry: &'d Entry<'d>,
    pub src: usize,
    pub observed: bool,
}

/// One node, merged from every document that mentions it.
#[derive(Debug)]
pub(crate) struct Merged<'d> {
    pub id: From<'d, Text<'d>>,
    pub kind: NodeKind,
    pub description: Option<&'d Text<'d>>,
    pub fields: [Option<From<'d, Text<'d>>>; Field::COUNT],
    pub zones: Option<From<'d, Zones<'d>>>,
    pub tags: Vec<(From<'d, Text<'d>>, &'d Text<'d>)>,
    pub requires: Vec<Stated<'d>>,
    pub optional: Vec<Stated<'d>>,
}

impl<'d> Merged<'d> {
    /// The explicitly given value of a field.
    pub fn field(&self, f: Field) -> Option<From<'d, Text<'d>>> {
        self.fields[f as usize]
    }
}

/// Merges the nodes of every document, reporting conflicts.
pub(crate) fn merge<'d>(
    files: &Files,
    documents: &'d [(usize, Document<'d>)],
    out: &mut Vec<Diagnostic>,
) -> Vec<Merged<'d>> {
    let total: usize = documents.iter().map(|(_, d)| node_count(d)).sum();
    let mut nodes: Vec<Merged<'d>> = Vec::with_capacity(total);
    let mut by_id: FxHashMap<&'d str, usize> = FxHashMap::default();
    by_id.reserve(total);
    for (src, doc) in documents {
        let observed = doc.meta.as_ref().is_some_and(|m| !m.sources.is_empty());
        for kind in NodeKind::ALL {
            let Some(section) = section(doc, kind) else {
                continue;
            };
            for (id, node) in &section.0 {
                let at = From {
                    value: id,
                    src: *src,
                };
                match by_id.get(id.as_str()) {
                    None => {
                        by_id.insert(id.as_str(), nodes.len());
                        nodes.push(new_merged(at, kind, node, observed));
                    }
                    Some(&i) => {
                        let existing = &mut nodes[i];
                        if let Some(d) = same_id_problem(files, existing, at, kind) {
                            out.push(d);
                        } else {
                            merge_into(files, existing, node, *src, observed, out);
                        }
                    }
                }
            }
        }
    }
    nodes
}

fn node_count(doc: &Document) -> usize {
    NodeKind::ALL
        .iter()
        .filter_map(|k| section(doc, *k))
        .map(|s| s.0.len())
        .sum()
}

fn section<'a, 'd>(doc: &'a Document<'d>, kind: NodeKind) -> Option<&'a Section<'d>> {
    match kind {
        NodeKind::Function => doc.functions.as_ref(),
        NodeKind::Service => doc.services.as_ref(),
        NodeKind::Resource => doc.resources.as_ref(),
        NodeKind::External => doc.externals.as_ref(),
    }
}

fn new_merged<'d>(
    id: From<'d, Text<'d>>,
    kind: NodeKind,
    node: &'d Node<'d>,
    observed: bool,
) -> Merged<'d> {
    let mut m = Merged {
        id,
        kind,
        description: node.description.as_ref(),
        fields: [None; Field::COUNT],
        zones: None,
        tags: Vec::new(),
        requires: Vec::new(),
        optional: Vec::new(),
    };
    for (field, value) in fields_of(node) {
        m.fields[field as usize] = value.map(|value| From { value, src: id.src });
    }
    m.zones = node.zones.as_ref().map(|value| From { value, src: id.src });
    for (k, v) in node.tags.iter().flat_map(|t| &t.0) {
        m.tags.push((
            From {
                value: k,
                src: id.src,
            },
            v,
        ));
    }
    add_entries(&mut m, node, id.src, observed);
    m
}

fn fields_of<'d>(node: &'d Node<'d>) -> [(Field, Option<&'d Text<'d>>); Field::COUNT] {
    [
        (Field::Criticality, node.criticality.as_ref()),
        (Field::Arn, node.arn.as_ref()),
        (Field::Provider, node.provider.as_ref()),
        (Field::Service, node.service.as_ref()),
        (Field::Type, node.type_.as_ref()),
        (Field::Account, node.account.as_ref()),
        (Field::Region, node.region.as_ref()),
        (Field::MinZones, node.min_zones.as_ref()),
    ]
}

fn add_entries<'d>(m: &mut Merged<'d>, node: &'d Node<'d>, src: usize, observed: bool) {
    let stated = |entry| Stated {
        entry,
        src,
        observed,
    };
    m.requires
        .extend(node.requires.iter().flatten().map(stated));
    m.optional
        .extend(node.optional.iter().flatten().map(stated));
}

/// The same id twice in one document, or in two sections: an error.
fn same_id_problem(
    files: &Files,
    existing: &Merged,
    again: From<Text>,
    kind: NodeKind,
) -> Option<Diagnostic> {
    let first = files.name(existing.id.src).to_owned();
    let id = again.value.as_str();
    if existing.kind != kind {
        let d = Diagnostic::error(
            "same-id-two-sections",
            format!(
                "`{id}` is defined under `{}` and again under `{}`",
                existing.kind.section(),
                kind.section()
            ),
        )
        .node(id)
        .note(format!("first defined in {first}"))
        .help("ids are unique across functions, services, resources and externals: rename one");
        return Some(files.locate(d, again.src, again.value.at, id.len()));
    }
    if existing.id.src == again.src {
        let d = Diagnostic::error(
            "duplicate-key",
            format!(
                "`{id}` is defined twice in the same `{}` mapping",
                kind.section()
            ),
        )
        .node(id)
        .help("remove one of the two definitions, or merge them into one");
        return Some(files.locate(d, again.src, again.value.at, id.len()));
    }
    None
}

fn merge_into<'d>(
    files: &Files,
    m: &mut Merged<'d>,
    node: &'d Node<'d>,
    src: usize,
    observed: bool,
    out: &mut Vec<Diagnostic>,
) {
    if m.description.is_none() {
        m.description = node.description.as_ref();
    }
    for (field, value) in fields_of(node) {
        let Some(value) = value else { continue };
        let slot = &mut m.fields[field as usize];
        match slot {
            None => *slot = Some(From { value, src }),
            Some(prev) if prev.value.value == value.value => {}
            Some(prev) => out.push(conflict(
                files,
                m.id.value.as_str(),
                field.name(),
                *prev,
                From { value, src },
            )),
        }
    }
    if let Some(zones) = &node.zones {
        merge_zones(files, m, From { value: zones, src }, out);
    }
    merge_tags(files, m, node, src, out);
    add_entries(m, node, src, observed);
}

fn merge_zones<'d>(
    files: &Files,
    m: &mut Merged<'d>,
    zones: From<'d, Zones<'d>>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(prev) = m.zones else {
        m.zones = Some(zones);
        return;
    };
    if zone_set(prev.value) != zone_set(zones.value) {
        let at = zone_position(zones.value);
        let d = Diagnostic::error(
            "conflicting-definition",
            format!(
                "`{}` has zones {} here but {} in {}",
                m.id.value,
                zone_text(zones.value),
                zone_text(prev.value),
                files.name(prev.src)
            ),
        )
        .node(m.id.value.as_str())
        .help("give the node the same zones in every document, or in one document only");
        out.push(files.locate(d, zones.src, at.at, at.value.len()));
    }
}

fn zone_set(z: &Zones) -> Vec<String> {
    match z {
        Zones::Every(_) => vec!["*".to_owned()],
        Zones::List(l) => {
            let mut v: Vec<String> = l.iter().map(|t| t.value.to_string()).collect();
            v.sort();
            v
        }
    }
}

fn zone_text(z: &Zones) -> String {
    match z {
        Zones::Every(_) => "\"*\"".to_owned(),
        Zones::List(l) => format!(
            "[{}]",
            l.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn zone_position<'a, 'd>(z: &'a Zones<'d>) -> &'a Text<'d> {
    static NONE: Text<'static> = Text {
        value: std::borrow::Cow::Borrowed(""),
        at: crate::model::raw::At::Unknown,
    };
    match z {
        Zones::Every(t) => t,
        Zones::List(l) => l.first().unwrap_or(&NONE),
    }
}

fn merge_tags<'d>(
    files: &Files,
    m: &mut Merged<'d>,
    node: &'d Node<'d>,
    src: usize,
    out: &mut Vec<Diagnostic>,
) {
    for (k, v) in node.tags.iter().flat_map(|t| &t.0) {
        let prev = m.tags.iter().find(|(pk, _)| pk.value.value == k.value);
        match prev {
            Some((_, pv)) if pv.value == v.value => {}
            Some((pk, pv)) => {
                let d = Diagnostic::error(
                    "tag-conflict",
                    format!(
                        "`{}` has tag `{k}` = `{v}` here but `{pv}` in {}",
                        m.id.value,
                        files.name(pk.src)
                    ),
                )
                .node(m.id.value.as_str())
                .help("give the tag one value, in every document that sets it");
                out.push(files.locate(d, src, v.at, v.value.len()));
            }
            None => m.tags.push((From { value: k, src }, v)),
        }
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
        "conflicting-definition",
        format!(
            "`{id}` has {field} `{}` here but `{}` in {}",
            again.value,
            first.value,
            files.name(first.src)
        ),
    )
    .node(id)
    .help(format!(
        "a node defined in several documents must agree on `{field}`: give it one value, or set it in one document only"
    ));
    files.locate(d, again.src, again.value.at, again.value.value.len())
}
