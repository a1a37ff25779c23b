//! `blastmap collect backstage`: Backstage `catalog-info.yaml` files → an
//! estate [`Document`] (issue 19, item 2).
//!
//! What is read, from every (multi-document) file and every file a
//! `Location` entity points at through a relative `spec.target(s)`:
//! - `Component` → a service, `Resource` → a resource;
//! - `spec.dependsOn` → a `requires` entry (to a component or resource; a
//!   dependency on an API goes to the components that provide it);
//! - `spec.consumesApis` → a `requires` entry on the component(s) whose
//!   `spec.providesApis` name that API (`any` of them when several do);
//! - `spec.system`, and a System's `spec.domain`: tags, and with
//!   `functions_from` one business function per System (or Domain) that
//!   requires each of its components and resources;
//! - `Group`, `User`, `Template` and kinds outside the core model are
//!   counted and skipped.
//!
//! Entity references are written `kind:namespace/name`, `kind:name`,
//! `namespace/name` or `name`, in any case: a missing kind is the one the
//! field implies (`component` for `dependsOn`, `api` for the API fields,
//! `system`, `domain`), a missing namespace is the referring entity's own
//! (`default` unless it says otherwise), as Backstage resolves them.
//!
//! Ids: a node's id is its `metadata.name` as written when no other emitted
//! node has that name (case-insensitively), else `namespace/name`, else
//! `kind:namespace/name`. So ids stay readable and only change when the
//! catalog really has two entities of one name. Every node keeps its full
//! reference in the tag `backstage-ref`. A `dependsOn` on a component or
//! resource the catalog does not define gives an empty node of that id in
//! the matching section, so the document loads on its own and merges with
//! an estate file that defines the node (SPEC §1.5).
//!
//! Deterministic: files are read in the order given (Locations depth
//! first), the first definition of an entity wins, and the document's maps
//! are sorted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diag::{Code, Diagnostic, SourceFile, Span};
use crate::model::document::{Document, Edge, Entry, Member, Meta, Node, SourceMeta};
use crate::model::NodeKind;

/// The collector's name in `meta.sources` and `meta.edges`.
pub const COLLECTOR: &str = "backstage";

/// Which catalog entities become business functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionsFrom {
    /// One function per System, requiring its components and resources.
    System,
    /// One function per Domain, requiring the components and resources of
    /// its Systems.
    Domain,
}

/// What the caller chose beyond the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Make business functions of Systems or Domains (none by default).
    pub functions_from: Option<FunctionsFrom>,
    /// `FROM=TO` pairs: the node whose id would be FROM gets the id TO, so
    /// catalog names join trace service names and estate ids (item 3).
    pub renames: Vec<(String, String)>,
}

/// The collected document, the warnings met on the way, and counts for the
/// summary line.
#[derive(Debug)]
pub struct Collected {
    pub document: Document,
    /// Duplicated entities, missing Location targets, relations dropped.
    pub warnings: Vec<Diagnostic>,
    pub summary: Summary,
}

/// Counts of what was read and what was skipped, for the user's summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Catalog files read (given and reached through Locations).
    pub files: usize,
    /// Entities read per kind as written in the catalog (`Component`),
    /// before duplicates are dropped.
    pub kinds: BTreeMap<String, usize>,
    /// Entities of kinds that give no node (`Group`, `User`, `Template`...).
    pub skipped: BTreeMap<String, usize>,
    /// Location targets that are URLs, which this collector does not fetch.
    pub remote_targets: usize,
    /// `dependsOn` targets the catalog does not define (empty nodes).
    pub placeholders: usize,
    /// Relations that name no node: an API nobody provides, a kind that is
    /// not a component or resource.
    pub dropped_relations: usize,
}

impl Summary {
    /// One line for stderr: files, kinds read and kinds skipped.
    pub fn line(&self, doc: &Document) -> String {
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut line = format!(
            "read {} catalog files ({}); wrote {} services, {} resources, {} functions",
            self.files,
            list(&self.kinds),
            doc.services.len(),
            doc.resources.len(),
            doc.functions.len()
        );
        if !self.skipped.is_empty() {
            line.push_str(&format!("; skipped {}", list(&self.skipped)));
        }
        if self.placeholders > 0 {
            line.push_str(&format!(
                "; {} dependencies defined outside the catalog",
                self.placeholders
            ));
        }
        if self.dropped_relations > 0 {
            line.push_str(&format!(
                "; {} relations to nothing dropped",
                self.dropped_relations
            ));
        }
        if self.remote_targets > 0 {
            line.push_str(&format!(
                "; {} URL location targets not fetched",
                self.remote_targets
            ));
        }
        line
    }
}

/// Reads `paths` (and the files their Locations name) and builds the
/// document. `Err` holds every error (unreadable or malformed files), each
/// at its file and position; the caller exits 2.
pub fn collect(paths: &[PathBuf], options: &Options) -> Result<Collected, Vec<Diagnostic>> {
    let mut catalog = Catalog::default();
    let mut errors = Vec::new();
    let mut seen_files = BTreeSet::new();
    for path in paths {
        catalog.read_tree(path, None, &mut seen_files, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    catalog.into_document(options)
}

// ---------------------------------------------------------------------------
// The YAML shape: only the fields used, everything else ignored
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawEntity {
    kind: Option<String>,
    metadata: RawMetadata,
    spec: RawSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawMetadata {
    name: Option<serde_saphyr::Spanned<String>>,
    namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RawSpec {
    owner: Option<String>,
    system: Option<String>,
    domain: Option<String>,
    #[serde(rename = "dependsOn")]
    depends_on: OneOrMany,
    #[serde(rename = "consumesApis")]
    consumes_apis: OneOrMany,
    #[serde(rename = "providesApis")]
    provides_apis: OneOrMany,
    target: Option<String>,
    targets: OneOrMany,
}

/// A list of strings, or a single string where a list is usual.
#[derive(Debug, Default, Deserialize)]
#[serde(from = "OneOrManyRaw")]
struct OneOrMany(Vec<String>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrManyRaw {
    One(String),
    Many(Vec<String>),
}

impl From<OneOrManyRaw> for OneOrMany {
    fn from(raw: OneOrManyRaw) -> Self {
        match raw {
            OneOrManyRaw::One(s) => OneOrMany(vec![s]),
            OneOrManyRaw::Many(v) => OneOrMany(v),
        }
    }
}

// ---------------------------------------------------------------------------
// Entities and references
// ---------------------------------------------------------------------------

/// An entity reference, normalised: kind, namespace and name in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    kind: String,
    namespace: String,
    name: String,
}

impl Key {
    /// Parses `kind:ns/name`, `kind:name`, `ns/name` or `name`; `None` for
    /// an empty reference.
    fn parse(text: &str, default_kind: &str, default_namespace: &str) -> Option<Key> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, r)) if !k.contains('/') => (k, r),
            _ => (default_kind, text),
        };
        let (namespace, name) = rest.split_once('/').unwrap_or((default_namespace, rest));
        if kind.is_empty() || name.is_empty() {
            return None;
        }
        Some(Key {
            kind: kind.to_lowercase(),
            namespace: if namespace.is_empty() {
                default_namespace.to_lowercase()
            } else {
                namespace.to_lowercase()
            },
            name: name.to_lowercase(),
        })
    }

    fn as_ref_string(&self) -> String {
        format!("{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// A Component, Resource, API, System or Domain as the catalog defines it.
#[derive(Debug)]
struct Entity {
    key: Key,
    /// `metadata.name` as written.
    name: String,
    /// `metadata.namespace` as written (`default` when absent).
    namespace: String,
    owner: Option<String>,
    system: Option<Key>,
    domain: Option<Key>,
    depends_on: Vec<Key>,
    consumes_apis: Vec<Key>,
    provides_apis: Vec<Key>,
    /// Where `metadata.name` is, for warnings.
    span: Option<Span>,
}

/// The kinds that carry dependencies, in their catalog spelling.
const CORE_KINDS: [&str; 5] = ["component", "resource", "api", "system", "domain"];

#[derive(Debug, Default)]
struct Catalog {
    entities: BTreeMap<Key, Entity>,
    warnings: Vec<Diagnostic>,
    summary: Summary,
}

impl Catalog {
    /// Reads `path`, then, depth first, the files its Locations name.
    /// `from` is the Location that named it: then a missing file is a
    /// warning, not an error. A file already read is not read again, so a
    /// Location loop ends.
    fn read_tree(
        &mut self,
        path: &Path,
        from: Option<&Span>,
        seen: &mut BTreeSet<PathBuf>,
        errors: &mut Vec<Diagnostic>,
    ) {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !seen.insert(canonical) {
            return;
        }
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                match from {
                    Some(span) => self.warnings.push(
                        Diagnostic::warning(
                            Code::CatalogTargetMissing,
                            format!("location target {name} cannot be read: {e}"),
                        )
                        .at(Some(span.clone()))
                        .help("fix the target's path, relative to the file of the Location"),
                    ),
                    None => errors.push(
                        Diagnostic::error(Code::UnreadableFile, format!("cannot read {name}: {e}"))
                            .in_file(&name)
                            .help("check the path and the file's encoding (UTF-8)"),
                    ),
                }
                return;
            }
        };
        let file = Arc::new(SourceFile::new(name.as_str(), Arc::from(text.as_str())));
        let documents = match parse_documents(&file) {
            Ok(docs) => docs,
            Err(d) => {
                errors.push(d);
                return;
            }
        };
        self.summary.files += 1;
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        // Every document of this file first, so its own entities come
        // before those of the files it names ("first definition wins").
        let targets: Vec<(String, Option<Span>)> = documents
            .into_iter()
            .flat_map(|doc| self.add(doc, &file))
            .collect();
        for (target, span) in targets {
            let target: PathBuf = Path::new(&target)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            self.read_tree(&dir.join(target), span.as_ref(), seen, errors);
        }
    }

    /// Adds one document; returns the local files a Location names.
    fn add(&mut self, doc: RawEntity, file: &Arc<SourceFile>) -> Vec<(String, Option<Span>)> {
        let kind = doc.kind.clone().unwrap_or_else(|| "(no kind)".to_owned());
        *self.summary.kinds.entry(kind.clone()).or_default() += 1;
        let lower = kind.to_lowercase();
        let span = doc.metadata.name.as_ref().and_then(|n| span_of(file, n));
        if lower == "location" {
            return self.location_targets(doc, span);
        }
        if !CORE_KINDS.contains(&lower.as_str()) {
            *self.summary.skipped.entry(kind).or_default() += 1;
            return Vec::new();
        }
        let Some(entity) = entity_of(&lower, doc, span) else {
            *self
                .summary
                .skipped
                .entry(format!("{kind} without a name"))
                .or_default() += 1;
            return Vec::new();
        };
        match self.entities.get(&entity.key) {
            Some(first) => {
                let d = Diagnostic::warning(
                    Code::CatalogDuplicateEntity,
                    format!(
                        "`{}` is defined twice: the first definition is kept",
                        entity.key.as_ref_string()
                    ),
                )
                .at(entity.span.clone())
                .related(first.span.clone(), "first defined here")
                .help("remove one of the two definitions, or give them different names");
                self.warnings.push(d);
            }
            None => {
                self.entities.insert(entity.key.clone(), entity);
            }
        }
        Vec::new()
    }

    fn location_targets(
        &mut self,
        doc: RawEntity,
        span: Option<Span>,
    ) -> Vec<(String, Option<Span>)> {
        let mut out = Vec::new();
        for target in doc.spec.target.into_iter().chain(doc.spec.targets.0) {
            if target.contains("://") {
                self.summary.remote_targets += 1;
            } else {
                out.push((target, span.clone()));
            }
        }
        out
    }

    fn into_document(mut self, options: &Options) -> Result<Collected, Vec<Diagnostic>> {
        let mut graph = Graph::default();
        self.add_dependencies(&mut graph);
        if let Some(from) = options.functions_from {
            self.add_functions(from, &mut graph);
        }
        let ids = graph.ids(options)?;
        let mut document = Document::default();
        let mut edges = Vec::new();
        for (key, (kind, requires)) in &graph.nodes {
            let id = &ids[key];
            let mut node = Node::default().tag("backstage-ref", key.as_ref_string());
            if let Some(entity) = self.entities.get(key) {
                node = tag_entity(node, entity);
            }
            for group in requires {
                let members: Vec<&String> = group.iter().map(|k| &ids[k]).collect();
                for to in &members {
                    edges.push(Edge {
                        from: id.clone(),
                        to: (*to).clone(),
                        source: COLLECTOR.to_owned(),
                        calls: None,
                    });
                }
                node.requires.push(match members.as_slice() {
                    [one] => Entry::Id((*one).clone()),
                    many => Entry::Any {
                        any: many.iter().map(|m| Member::Id((*m).clone())).collect(),
                        allow_empty: false,
                    },
                });
            }
            node.requires.sort_by_key(entry_sort_key);
            document.insert(*kind, id.clone(), node);
        }
        edges.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
        edges.dedup();
        document.meta = Some(Meta {
            collected_at: None,
            sources: vec![SourceMeta::complete(COLLECTOR)],
            edges,
        });
        Ok(Collected {
            document,
            warnings: self.warnings,
            summary: self.summary,
        })
    }

    /// Components and resources, each with its `dependsOn` and the
    /// providers of the APIs it consumes.
    fn add_dependencies(&mut self, graph: &mut Graph) {
        let providers = self.providers();
        let mut placeholders = BTreeSet::new();
        for entity in self.entities.values() {
            let Some(kind) = node_kind(&entity.key.kind) else {
                continue;
            };
            let mut requires: BTreeSet<Vec<Key>> = BTreeSet::new();
            for target in &entity.depends_on {
                match (node_kind(&target.kind), target.kind.as_str()) {
                    (Some(_), _) => {
                        if !self.entities.contains_key(target) {
                            placeholders.insert(target.clone());
                        }
                        requires.insert(vec![target.clone()]);
                    }
                    (None, "api") => match providers.get(target) {
                        Some(p) => {
                            requires.insert(p.clone());
                        }
                        None => self.summary.dropped_relations += 1,
                    },
                    (None, _) => self.summary.dropped_relations += 1,
                }
            }
            for api in &entity.consumes_apis {
                match providers.get(api) {
                    Some(p) => {
                        requires.insert(p.clone());
                    }
                    None => self.summary.dropped_relations += 1,
                }
            }
            let requires = requires
                .into_iter()
                .map(|g| g.into_iter().filter(|k| *k != entity.key).collect())
                .filter(|g: &Vec<Key>| !g.is_empty())
                .collect();
            graph.nodes.insert(entity.key.clone(), (kind, requires));
        }
        self.summary.placeholders = placeholders.len();
        for key in placeholders {
            let kind = node_kind(&key.kind).expect("placeholders are components or resources");
            graph.nodes.insert(key, (kind, Vec::new()));
        }
    }

    /// API → the components that provide it, in key order.
    fn providers(&self) -> BTreeMap<Key, Vec<Key>> {
        let mut out: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
        for entity in self.entities.values() {
            if node_kind(&entity.key.kind).is_none() {
                continue;
            }
            for api in &entity.provides_apis {
                out.entry(api.clone()).or_default().push(entity.key.clone());
            }
        }
        out
    }

    /// One function per System or Domain that has components or resources.
    fn add_functions(&mut self, from: FunctionsFrom, graph: &mut Graph) {
        let mut members: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
        for entity in self.entities.values() {
            if node_kind(&entity.key.kind).is_none() {
                continue;
            }
            let Some(system) = &entity.system else {
                continue;
            };
            let owner = match from {
                FunctionsFrom::System => self.entities.get(system).map(|s| s.key.clone()),
                FunctionsFrom::Domain => self.entities.get(system).and_then(|s| s.domain.clone()),
            };
            if let Some(owner) = owner.filter(|o| self.entities.contains_key(o)) {
                members.entry(owner).or_default().push(entity.key.clone());
            }
        }
        for (function, keys) in members {
            let requires = keys.into_iter().map(|k| vec![k]).collect();
            graph.nodes.insert(function, (NodeKind::Function, requires));
        }
    }
}

/// The nodes to write, by entity key: their section and `requires` groups
/// (one member: an id; several: `any`).
#[derive(Debug, Default)]
struct Graph {
    nodes: BTreeMap<Key, (NodeKind, Vec<Vec<Key>>)>,
}

impl Graph {
    /// The id of every node (module doc: name, else namespace/name, else
    /// kind:namespace/name), after `--rename`.
    fn ids(&self, options: &Options) -> Result<BTreeMap<Key, String>, Vec<Diagnostic>> {
        let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
        let mut by_ns_name: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for key in self.nodes.keys() {
            *by_name.entry(&key.name).or_default() += 1;
            *by_ns_name.entry((&key.namespace, &key.name)).or_default() += 1;
        }
        let renames: BTreeMap<&str, &str> = options
            .renames
            .iter()
            .map(|(f, t)| (f.as_str(), t.as_str()))
            .collect();
        let mut ids = BTreeMap::new();
        let mut taken: BTreeMap<String, Key> = BTreeMap::new();
        let mut errors = Vec::new();
        for key in self.nodes.keys() {
            let id = if by_name[key.name.as_str()] == 1 {
                key.name.clone()
            } else if by_ns_name[&(key.namespace.as_str(), key.name.as_str())] == 1 {
                format!("{}/{}", key.namespace, key.name)
            } else {
                key.as_ref_string()
            };
            let id = renames.get(id.as_str()).map_or(id, |t| (*t).to_owned());
            if let Some(other) = taken.insert(id.clone(), key.clone()) {
                errors.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "--rename gives `{}` and `{}` the same id `{id}`",
                            other.as_ref_string(),
                            key.as_ref_string()
                        ),
                    )
                    .help("rename to an id the catalog does not use"),
                );
            }
            ids.insert(key.clone(), id);
        }
        if errors.is_empty() {
            Ok(ids)
        } else {
            Err(errors)
        }
    }
}

/// Where in the document a catalog kind goes; `None` for kinds that are
/// not nodes (API, System, Domain, and kinds a reference may name).
fn node_kind(kind: &str) -> Option<NodeKind> {
    match kind {
        "component" => Some(NodeKind::Service),
        "resource" => Some(NodeKind::Resource),
        _ => None,
    }
}

fn entity_of(kind: &str, doc: RawEntity, span: Option<Span>) -> Option<Entity> {
    let name = doc.metadata.name?.value;
    let namespace = doc
        .metadata
        .namespace
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "default".to_owned());
    let key = Key::parse(&name, kind, &namespace)
        .filter(|k| k.kind == kind && !name.contains([':', '/']))?;
    let refs = |list: Vec<String>, default_kind: &str| -> Vec<Key> {
        list.iter()
            .filter_map(|r| Key::parse(r, default_kind, &key.namespace))
            .collect()
    };
    Some(Entity {
        depends_on: refs(doc.spec.depends_on.0, "component"),
        consumes_apis: refs(doc.spec.consumes_apis.0, "api"),
        provides_apis: refs(doc.spec.provides_apis.0, "api"),
        system: doc
            .spec
            .system
            .and_then(|s| Key::parse(&s, "system", &key.namespace)),
        domain: doc
            .spec
            .domain
            .and_then(|d| Key::parse(&d, "domain", &key.namespace)),
        owner: doc.spec.owner,
        name,
        namespace,
        key,
        span,
    })
}

/// The tags a catalog node carries: owner and system, by their names.
fn tag_entity(node: Node, entity: &Entity) -> Node {
    let mut node = node;
    if let Some(owner) = &entity.owner {
        node = node.tag("backstage-owner", owner.clone());
    }
    if let Some(system) = &entity.system {
        node = node.tag("backstage-system", system.name.clone());
    }
    debug_assert!(!entity.name.is_empty() && !entity.namespace.is_empty());
    node
}

fn entry_sort_key(entry: &Entry) -> String {
    match entry {
        Entry::Id(id) => id.clone(),
        Entry::Any { any, .. } => any
            .iter()
            .map(|m| match m {
                Member::Id(id) => id.as_str(),
                Member::Select { .. } => "",
            })
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    }
}

/// Every document of a file; an error (exit 2) at the position the YAML
/// parser gives, saying what it expected.
///
/// serde-saphyr's default budget counts the whole stream: at most 1,024
/// documents and 250,000 nodes per file, which one generated catalog of a
/// few thousand entities exceeds (BENCHMARKS.md, 10,000 entities). Without
/// aliases a document, a node or an event takes at least one byte of
/// input, so those three limits grow with the file's size; the alias and
/// anchor limits that stop YAML bombs keep their defaults.
fn parse_documents(file: &Arc<SourceFile>) -> Result<Vec<RawEntity>, Diagnostic> {
    let bytes = file.text.len();
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        budget: serde_saphyr::budget! {
            max_documents: bytes.max(1_024),
            max_nodes: bytes.max(250_000),
            max_events: bytes.saturating_mul(4).max(1_000_000),
        },
    };
    serde_saphyr::from_str_multiple_with_options::<RawEntity, Vec<RawEntity>>(&file.text, options)
        .map_err(|e| {
            let message = e.without_snippet().to_string();
            let span = e.location().map(|loc| {
                let offset = loc
                    .span()
                    .byte_offset()
                    .and_then(|o| usize::try_from(o).ok())
                    .unwrap_or_else(|| file.offset_of(loc.line() as usize, loc.column() as usize));
                Span {
                    file: file.clone(),
                    range: offset..offset,
                }
            });
            let d = Diagnostic::error(
                Code::MalformedCatalog,
                format!("not a Backstage catalog file: {}", strip_position(&message)),
            )
            .help("fix the YAML at this position: each document is one entity mapping");
            match span {
                Some(s) => d.at(Some(s)),
                None => d.in_file(file.name.clone()),
            }
        })
}

/// serde-saphyr's message without its trailing "at line L column C" (the
/// diagnostic shows the position itself).
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

fn span_of(file: &Arc<SourceFile>, name: &serde_saphyr::Spanned<String>) -> Option<Span> {
    let loc = name.referenced;
    let offset = loc
        .span()
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or_else(|| file.offset_of(loc.line() as usize, loc.column() as usize));
    Some(Span {
        file: file.clone(),
        range: offset..offset + name.value.len().min(file.text.len().saturating_sub(offset)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str, ns: &str, name: &str) -> Key {
        Key {
            kind: kind.into(),
            namespace: ns.into(),
            name: name.into(),
        }
    }

    #[test]
    fn references_take_every_form_in_any_case() {
        let k = |r| Key::parse(r, "component", "default");
        assert_eq!(k("Resource:Ops/DB"), Some(key("resource", "ops", "db")));
        assert_eq!(k("resource:db"), Some(key("resource", "default", "db")));
        assert_eq!(k("ops/Web"), Some(key("component", "ops", "web")));
        assert_eq!(k("web"), Some(key("component", "default", "web")));
        assert_eq!(k("  "), None);
        assert_eq!(k("resource:"), None);
    }

    #[test]
    fn a_reference_without_namespace_takes_the_referring_entitys() {
        assert_eq!(
            Key::parse("api:orders", "api", "Shop"),
            Some(key("api", "shop", "orders"))
        );
    }

    fn collect_text(files: &[(&str, &str)], options: &Options) -> Collected {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        collect(&[dir.path().join(files[0].0)], options).unwrap()
    }

    #[test]
    fn a_file_of_more_than_a_thousand_entities_is_read_whole() {
        let text: String = (0..3_000)
            .map(|i| {
                format!(
                    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c{i}\nspec:\n  type: service\n  dependsOn: [resource:db{}]\n---\n",
                    i % 7
                )
            })
            .collect();
        let collected = collect_text(&[("catalog-info.yaml", &text)], &Options::default());
        assert_eq!(collected.document.services.len(), 3_000);
        assert_eq!(collected.document.services["c2999"].requires.len(), 1);
    }

    #[test]
    fn a_consumer_requires_any_of_the_components_that_provide_the_api() {
        let yaml = "\
kind: Component
metadata: {name: web}
spec: {consumesApis: [orders]}
---
kind: Component
metadata: {name: orders-a}
spec: {providesApis: [orders]}
---
kind: Component
metadata: {name: orders-b}
spec: {providesApis: [api:default/orders]}
---
kind: API
metadata: {name: orders}
";
        let c = collect_text(&[("c.yaml", yaml)], &Options::default());
        assert_eq!(
            c.document.services["web"].requires,
            [Entry::Any {
                any: vec!["orders-a".into(), "orders-b".into()],
                allow_empty: false
            }]
        );
    }

    #[test]
    fn same_names_in_two_namespaces_get_namespace_ids_and_others_keep_their_name() {
        let yaml = "\
kind: Component
metadata: {name: api, namespace: a}
spec: {dependsOn: [resource:db]}
---
kind: Component
metadata: {name: api, namespace: b}
---
kind: Resource
metadata: {name: db, namespace: a}
";
        let c = collect_text(&[("c.yaml", yaml)], &Options::default());
        let ids: Vec<&String> = c.document.services.keys().collect();
        assert_eq!(ids, ["a/api", "b/api"]);
        assert_eq!(c.document.services["a/api"].requires, ["db".into()]);
    }

    #[test]
    fn rename_onto_an_id_in_use_is_an_error() {
        let yaml =
            "kind: Component\nmetadata: {name: a}\n---\nkind: Component\nmetadata: {name: b}\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, yaml).unwrap();
        let options = Options {
            renames: vec![("a".into(), "b".into())],
            ..Options::default()
        };
        let errors = collect(&[path], &options).unwrap_err();
        assert!(errors[0].message.contains("same id `b`"), "{errors:?}");
    }
}
