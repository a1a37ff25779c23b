//! Merged nodes → [`Graph`]: ids in byte order, ARN-derived fields,
//! interned placements, references and selectors resolved, every problem
//! reported with its position (SPEC §1.1–§1.3).

use super::arn::parse_arn;
use super::merge::{ListSizes, Merged, Stated};
use super::raw::{self, At, Member, NodeField as Field, Text, Zones};
use super::select::{Pattern, Selector};
use super::Files;
use crate::diag::{closest, did_you_mean, Code, Diagnostic};
use crate::graph::{Attr, Builder, Graph, NodeId, NodeIx, NodeRow, Sym, NO_SYM};
use crate::model::builtin::{self, BUILTINS};
use crate::model::{Criticality, EntryKind, NodeKind};

/// No node: the id table's value for a string that is not an id.
const NO_NODE: NodeIx = NodeIx::MAX;

/// Builds the graph from the merged nodes (in byte order of ids); pushes a
/// diagnostic for every problem.
pub(crate) fn resolve(
    files: &Files,
    merged: Vec<Merged>,
    list_sizes: ListSizes,
    out: &mut Vec<Diagnostic>,
) -> (
    Graph,
    std::collections::BTreeMap<NodeIx, crate::model::Position>,
    Vec<(u32, u32)>,
) {
    let mut builder = Builder::with_texts(merged.len(), std::sync::Arc::clone(files.texts()));
    builder.reserve_lists(list_sizes.tags, list_sizes.zones);
    // The node of each interned string that is an id: a reference is
    // then resolved by indexing with its symbol, not by hashing its text.
    let mut index = vec![NO_NODE; files.texts().len()];
    for (i, m) in merged.iter().enumerate() {
        index[m.sym.index()] = i as NodeIx;
    }
    // Plain-id entries need the index alone: resolved on the other core,
    // which then adds the last nodes while this one adds the first (entries
    // then need them all). The second part's builder is appended as if its
    // nodes had been pushed here (`Builder::append_nodes`).
    let split = node_split::at(merged.len());
    let plain = std::thread::scope(|scope| {
        let (first, last) = merged.split_at(split);
        let other_core = || {
            let plain = PlainEntries::resolve(files, &merged, &index);
            let mut part = Builder::with_texts(last.len(), std::sync::Arc::clone(files.texts()));
            let share = list_sizes.share(last.len(), merged.len());
            part.reserve_lists(share.tags, share.zones);
            let mut found = Vec::new();
            add_nodes(files, last, &mut part, &mut found);
            (plain, part, found)
        };
        let resolving = std::thread::Builder::new()
            .name("resolve-ids".into())
            .spawn_scoped(scope, other_core);
        add_nodes(files, first, &mut builder, out);
        let (plain, part, found) = match resolving {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            Err(_) => other_core(),
        };
        builder.append_nodes(part);
        out.extend(found);
        plain
    });
    tracing::debug!(
        peak_rss_mb = super::peak_rss_mb(),
        rss_mb = super::rss_mb(),
        "nodes indexed"
    );
    let plain = (!plain_switch::plain_entries_off()).then_some(plain);
    // Where each node's id was written needs the merged nodes alone: found
    // on the other core while this one resolves the entries (at 120k the
    // phase after the entries went from 20–28 to 11–15 ms).
    let mut at = Vec::new();
    crate::graph::on_two_cores(
        "node-origins",
        merged.len() >= ORIGINS_ON_ANOTHER_CORE_FROM,
        || resolve_entries(files, &merged, &index, plain.as_ref(), &mut builder, out),
        || at = id_origins(files, &merged),
    );
    drop(index);
    drop(plain);
    tracing::debug!(
        peak_rss_mb = super::peak_rss_mb(),
        rss_mb = super::rss_mb(),
        "entries resolved"
    );
    let graph = builder.finish();
    let origins = files.key_positions(graph.functions().iter().map(|&f| (f, at[f as usize])));
    (graph, origins, at)
}

/// Estates of at least this many nodes find their ids' origins on another
/// core (below, a thread costs more than the work).
const ORIGINS_ON_ANOTHER_CORE_FROM: usize = 50_000;

/// Where each node's id is written, by node: its source and its offset
/// there.
fn id_origins(files: &Files, merged: &[Merged]) -> Vec<(u32, u32)> {
    merged
        .iter()
        .map(|m| files.key_origin(m.id.src, m.id.value.at))
        .collect()
}

/// Adds every node to the graph, in id order.
fn add_nodes(files: &Files, merged: &[Merged], builder: &mut Builder, out: &mut Vec<Diagnostic>) {
    // One node at a time: preparing all nodes first (even on both cores)
    // held 400 MB more at the peak for no measurable gain.
    let mut symbols = Symbols(vec![NO_SYM; files.texts().len()]);
    let mut scratch = Scratch::default();
    for (i, m) in merged.iter().enumerate() {
        prefetch_for_node(files, merged.get(i + AHEAD), merged.get(i + 2 * AHEAD));
        add_node(files, m, builder, &mut symbols, &mut scratch, out);
    }
}

/// The entries of every node whose entries are simple (most nodes):
/// plain ids of defined nodes, and `all`, `any` and `quorum` groups of
/// such ids that the general path accepts without a word. Resolved as
/// [`Resolver::resolve_list`] and [`drop_observed_calls_marked_soft`]
/// resolve them, they need the index alone, not the graph, so they are
/// resolved on the other core while the nodes are added. Such a node has no
/// diagnostic to report; anything else (a selector, a failover, an unknown
/// id or key, a quorum out of range, `allow_empty`) is left to the general
/// path.
struct PlainEntries {
    /// Per node, its range of `entries`, or [`PlainEntries::NOT_PLAIN`]
    /// for a node whose entries are resolved the general way.
    spans: Vec<(u32, u32)>,
    /// A node's `requires` entries first, then its `optional` ones.
    entries: Vec<PlainEntry>,
    members: Vec<NodeIx>,
}

/// One resolved entry of [`PlainEntries`]: its members are
/// `members[start..end]`.
#[derive(Debug, Clone, Copy)]
struct PlainEntry {
    kind: EntryKind,
    optional: bool,
    start: u32,
    end: u32,
}

/// One entry of a list while it is read: its members are a range of the
/// list's pool.
#[derive(Debug, Clone, Copy)]
struct Listed {
    kind: EntryKind,
    start: usize,
    end: usize,
    /// Written as a plain id (subject to the observed-edge override).
    plain_id: bool,
    /// Stated by at least one document that is not collector output.
    by_person: bool,
}

/// A node's two lists while they are read, kept from node to node.
#[derive(Default)]
struct PlainScratch {
    requires: Vec<Listed>,
    optional: Vec<Listed>,
    pool: Vec<NodeIx>,
}

impl PlainEntries {
    const NOT_PLAIN: (u32, u32) = (u32::MAX, u32::MAX);

    fn resolve(files: &Files, merged: &[Merged], index: &[NodeIx]) -> PlainEntries {
        let mut out = PlainEntries {
            spans: Vec::with_capacity(merged.len()),
            entries: Vec::new(),
            members: Vec::new(),
        };
        let mut s = PlainScratch::default();
        for m in merged {
            s.pool.clear();
            let plain = plain_list(
                files,
                m,
                index,
                |n| n.requires.as_deref(),
                &mut s.requires,
                &mut s.pool,
            ) && plain_list(
                files,
                m,
                index,
                |n| n.optional.as_deref(),
                &mut s.optional,
                &mut s.pool,
            );
            if !plain {
                out.spans.push(Self::NOT_PLAIN);
                continue;
            }
            let start = out.entries.len() as u32;
            let pool = &s.pool;
            // An observed call the person marked optional is optional only.
            let soft_by_person = |x: NodeIx| {
                s.optional
                    .iter()
                    .any(|o| o.plain_id && o.by_person && pool[o.start..o.end] == [x])
            };
            let kept = s
                .requires
                .iter()
                .filter(|r| !(r.plain_id && !r.by_person && soft_by_person(pool[r.start])));
            for (listed, optional) in kept
                .map(|r| (r, false))
                .chain(s.optional.iter().map(|o| (o, true)))
            {
                let from = out.members.len() as u32;
                out.members
                    .extend_from_slice(&pool[listed.start..listed.end]);
                out.entries.push(PlainEntry {
                    kind: listed.kind,
                    optional,
                    start: from,
                    end: out.members.len() as u32,
                });
            }
            out.spans.push((start, out.entries.len() as u32));
        }
        out
    }

    /// Node `n`'s `requires` and `optional` entries, when they are all
    /// simple.
    fn of(&self, n: NodeIx) -> Option<(&[PlainEntry], &[PlainEntry])> {
        let &(start, end) = self.spans.get(n as usize)?;
        if (start, end) == Self::NOT_PLAIN {
            return None;
        }
        let entries = self.entries.get(start as usize..end as usize)?;
        Some(entries.split_at(entries.partition_point(|e| !e.optional)))
    }

    /// The members of `entry`.
    fn members_of(&self, entry: &PlainEntry) -> &[NodeIx] {
        self.members
            .get(entry.start as usize..entry.end as usize)
            .unwrap_or_default()
    }
}

/// One list (`requires` or `optional`) of every definition of `m`,
/// resolved and de-duplicated as [`Resolver::resolve_list`] does, its
/// members pushed onto `pool`; false when an entry is not simple (see
/// [`PlainEntries`]).
fn plain_list<'d>(
    files: &Files,
    m: &Merged<'d>,
    index: &[NodeIx],
    list: impl Fn(&'d raw::Node) -> Option<&'d [raw::Entry]>,
    out: &mut Vec<Listed>,
    pool: &mut Vec<NodeIx>,
) -> bool {
    out.clear();
    for part in m.parts() {
        for entry in list(part.node).unwrap_or_default() {
            let start = pool.len();
            let Some((kind, plain_id)) = plain_entry(files, entry, index, pool) else {
                return false;
            };
            let by_person = !part.observed;
            let same = out
                .iter_mut()
                .find(|x| x.kind == kind && pool[x.start..x.end] == pool[start..]);
            match same {
                Some(x) => {
                    x.by_person |= by_person;
                    pool.truncate(start);
                }
                None => out.push(Listed {
                    kind,
                    start,
                    end: pool.len(),
                    plain_id,
                    by_person,
                }),
            }
        }
    }
    true
}

/// A simple entry's kind and whether it is a plain id, its members pushed
/// onto `pool` (de-duplicated, first kept); `None` when it is not simple.
fn plain_entry(
    files: &Files,
    entry: &raw::Entry,
    index: &[NodeIx],
    pool: &mut Vec<NodeIx>,
) -> Option<(EntryKind, bool)> {
    let defined = |t: &Text| match index.get(t.sym.index()) {
        Some(&x) if x != NO_NODE => Some(x),
        _ => None,
    };
    let g = match entry {
        raw::Entry::Id(t) => {
            pool.push(defined(t)?);
            return Some((EntryKind::All, true));
        }
        raw::Entry::Group(g) => g,
    };
    let simple = g.unknown.is_empty()
        && g.select.is_none()
        && g.failover.is_none()
        && g.via.is_none()
        && g.allow_empty
            .as_ref()
            .is_none_or(|t| files.str(t) == "false");
    if !simple {
        return None;
    }
    let (kind, list) = match (&g.all, &g.any, &g.quorum, &g.of) {
        (Some(list), None, None, None) => (EntryKind::All, list),
        (None, Some(list), None, None) => (EntryKind::Any, list),
        (None, None, Some(k), Some(list)) => (EntryKind::Quorum(files.str(k).parse().ok()?), list),
        _ => return None,
    };
    let start = pool.len();
    for member in list {
        let Member::Id(t) = member else {
            return None;
        };
        pool.push(defined(t)?);
    }
    dedup_keep_first_from(pool, start);
    let n = pool.len() - start;
    let in_range = match kind {
        EntryKind::Quorum(k) => k >= 1 && k as usize <= n,
        _ => n >= 1,
    };
    in_range.then_some((kind, false))
}

/// How many nodes ahead [`prefetch_for_node`] works.
const AHEAD: usize = 8;

/// Brings what adding a node reads first into the cache, some nodes ahead:
/// merged nodes come in id order, their ids' texts and parsed nodes in
/// document order, so at a million nodes each read is a cache miss. Two
/// steps, as each address is read from memory brought in by the step
/// before: the record's start and the parsed node for `far`, the record
/// and the node's scalars for `near`.
fn prefetch_for_node(files: &Files, near: Option<&Merged>, far: Option<&Merged>) {
    let texts = files.texts();
    if let Some(m) = far {
        texts.prefetch_start(m.id.value.sym.0);
        crate::graph::prefetch(m.first_node());
    }
    if let Some(m) = near {
        texts.prefetch_text(m.id.value.sym.0);
        if let Some(first) = m.first_node().scalars.first() {
            crate::graph::prefetch(first);
        }
    }
}

/// A key that is not a field: a typo must not be silently ignored.
fn unknown_field(
    files: &Files,
    src: usize,
    key: &Text,
    m: &Merged,
    known: &[&str],
    what: &str,
) -> Diagnostic {
    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    let help = match did_you_mean(&closest(files.str(key), known.iter().copied())) {
        Some(dym) => format!("{dym} (a {what} takes {})", list.join(", ")),
        None => format!("a {what} takes {}", list.join(", ")),
    };
    let place = match what {
        "node" => format!("node `{}`", files.str(m.id.value)),
        _ => format!("a {what} of `{}`", files.str(m.id.value)),
    };
    let d = Diagnostic::error(
        Code::UnknownField,
        format!("unknown field `{}` in {place}", files.str(key)),
    )
    .node(files.str(m.id.value))
    .help(help);
    files.locate(d, src, key.at, files.str(key).len())
}

/// SPEC §6.2: only the loader's own document defines `aws:` ids; a
/// document that defines one (where it would merge with the built-in, or
/// shadow it) is told which ids exist.
fn check_reserved_id(files: &Files, m: &Merged, out: &mut Vec<Diagnostic>) {
    let id = files.str(m.id.value);
    if builtin::is_builtin_id(id) && m.parts().any(|p| !files.is_builtin(p.src)) {
        let d = Diagnostic::error(
            Code::ReservedId,
            format!("`{id}` is defined here, but ids starting with `aws:` name nodes built into blastmap"),
        )
        .node(id)
        .help("remove the definition and reference the built-in node by its id, or rename the node")
        .note(super::builtin::table_note());
        out.push(files.locate(d, m.id.src, m.id.value.at, id.len()));
    }
}

/// Lists reused from node to node while nodes are added: a million nodes
/// would otherwise each allocate and free a handful of short lists.
#[derive(Default)]
struct Scratch<'f> {
    node_type: String,
    zones: Vec<Text>,
    tag_rows: Vec<(&'f str, Text, usize, Text)>,
    tags: Vec<(Text, Text)>,
    zone_syms: Vec<Sym>,
    tag_syms: Vec<(Sym, Sym)>,
}

/// The graph symbol of each interned text already given to the builder,
/// by its number: a zone or tag met again costs an index, not a hash.
struct Symbols(Vec<Sym>);

impl Symbols {
    fn of(&mut self, builder: &mut Builder, files: &Files, t: Text) -> Sym {
        let slot = &mut self.0[t.sym.index()];
        if *slot == NO_SYM {
            *slot = builder.intern(files.str(&t));
        }
        *slot
    }
}

/// Checks a node's fields, derives its placement and adds it to the
/// graph, which interns its values (one thread: symbols are numbered in
/// node order, so the graph is deterministic).
fn add_node<'f>(
    files: &Files<'f>,
    m: &Merged,
    builder: &mut Builder,
    symbols: &mut Symbols,
    scratch: &mut Scratch<'f>,
    out: &mut Vec<Diagnostic>,
) {
    check_reserved_id(files, m, out);
    for part in m.parts() {
        for key in part.node.unknown.iter().flat_map(|k| k.iter()) {
            out.push(unknown_field(
                files,
                part.src,
                key,
                m,
                raw::NODE_FIELDS,
                "node",
            ));
        }
    }
    let criticality = criticality(files, m, out);
    let given = attributes(files, m, &mut scratch.node_type, out);
    let every_zone = zones(files, m, &mut scratch.zones, out);
    let min_zones = min_zones(files, m, scratch.zones.len(), out);
    let availability = availability(files, m, out);
    tags(files, m, &mut scratch.tag_rows, &mut scratch.tags, out);
    let mut attrs = [NO_SYM; 5];
    for (slot, a) in given.iter().enumerate() {
        match a {
            Some(Given::Text(a)) => attrs[slot] = builder.intern_attr(slot, a),
            Some(Given::NodeType) => attrs[slot] = builder.intern_attr(slot, &scratch.node_type),
            None => {}
        }
    }
    scratch.zone_syms.clear();
    for z in &scratch.zones {
        scratch.zone_syms.push(symbols.of(builder, files, *z));
    }
    scratch.tag_syms.clear();
    for (k, v) in &scratch.tags {
        let k = symbols.of(builder, files, *k);
        scratch.tag_syms.push((k, symbols.of(builder, files, *v)));
    }
    builder.push_node(&NodeRow {
        id: NodeId::Interned(m.sym.0),
        kind: m.kind,
        criticality,
        description: m.field(Field::Description).map(|d| files.str(d.value)),
        attrs,
        zones: &scratch.zone_syms,
        every_zone,
        min_zones,
        availability,
        tags: &scratch.tag_syms,
    });
}

fn criticality(files: &Files, m: &Merged, out: &mut Vec<Diagnostic>) -> Criticality {
    let Some(c) = m.field(Field::Criticality) else {
        return Criticality::default();
    };
    Criticality::parse(files.str(c.value)).unwrap_or_else(|| {
        let d = Diagnostic::error(
            Code::BadCriticality,
            format!("`{}` is not a criticality", files.str(c.value)),
        )
        .node(files.str(m.id.value))
        .help("use one of `critical`, `high`, `medium`, `low`");
        out.push(files.locate(d, c.src, c.value.at, files.str(c.value).len()));
        Criticality::default()
    })
}

/// An attribute's value: a text, or the node type derived from the ARN,
/// written into the caller's reused buffer (a million ARNs would
/// otherwise each cost a string allocated and freed).
enum Given<'f> {
    Text(&'f str),
    NodeType,
}

/// Provider, service, type, account and region: given, else from the ARN
/// (a given field wins over the derived one, SPEC §1.1). A derived type is
/// written into `node_type`.
fn attributes<'f>(
    files: &Files<'f>,
    m: &Merged,
    node_type: &mut String,
    out: &mut Vec<Diagnostic>,
) -> [Option<Given<'f>>; 5] {
    let given = |f: Field| m.field(f).map(|t| Given::Text(files.str(t.value)));
    let mut attrs = [
        given(Field::Provider),
        given(Field::Service),
        given(Field::Type),
        given(Field::Account),
        given(Field::Region),
    ];
    let (arn, src, at) = match m.field(Field::Arn) {
        Some(a) => (files.str(a.value), a.src, a.value.at),
        None if files.str(m.id.value).starts_with("arn:") => {
            (files.str(m.id.value), m.id.src, m.id.value.at)
        }
        None => return attrs,
    };
    let Some(facts) = parse_arn(arn) else {
        let d = Diagnostic::error(Code::MalformedArn, format!("`{arn}` is not a well-formed ARN"))
            .node(files.str(m.id.value))
            .help("an ARN reads `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, with partition, service and resource not empty");
        out.push(files.locate(d, src, at, arn.len()));
        return attrs;
    };
    if attrs[Attr::Type as usize].is_none() {
        node_type.clear();
        facts.write_node_type(node_type);
    }
    let derived = [
        (Attr::Provider, Some(Given::Text("aws"))),
        (Attr::Service, Some(Given::Text(facts.service))),
        (Attr::Type, Some(Given::NodeType)),
        (Attr::Account, facts.account.map(Given::Text)),
        (Attr::Region, Some(Given::Text(facts.region))),
    ];
    for (attr, value) in derived {
        let slot = &mut attrs[attr as usize];
        if slot.is_none() {
            *slot = value;
        }
    }
    attrs
}

/// The explicit zones list (checked for repeats) and whether it is `"*"`.
fn zones(files: &Files, m: &Merged, seen: &mut Vec<Text>, out: &mut Vec<Diagnostic>) -> bool {
    seen.clear();
    let Some(z) = m.zones() else {
        return false;
    };
    let list = match z.value {
        Zones::Every(_) => return true,
        Zones::List(l) => l,
    };
    for t in list {
        if seen.iter().any(|s| s.sym == t.sym) {
            let d = Diagnostic::error(
                Code::ZoneListedTwice,
                format!(
                    "zone `{}` is listed twice in the zones of `{}`",
                    files.str(t),
                    files.str(m.id.value)
                ),
            )
            .node(files.str(m.id.value))
            .help("list each zone once");
            out.push(files.locate(d, z.src, t.at, files.str(t).len()));
        } else {
            seen.push(*t);
        }
    }
    false
}

/// A numeric node field read by `check`, or `None` when it is absent or
/// wrong: written as something other than a number is the `not_a_number`
/// error, a number `check` refuses is the error it returns (its code,
/// message and help). Each error names the node and points at the value.
/// One place for what `min_zones` and `availability` share.
fn number_field<T>(
    files: &Files,
    m: &Merged,
    field: Field,
    counts: &str,
    out: &mut Vec<Diagnostic>,
    check: impl FnOnce(&str) -> Result<T, Diagnostic>,
) -> Option<T> {
    let t = m.field(field)?;
    let result = match not_a_number(
        field.name(),
        files.str(t.value),
        files.str(m.id.value),
        counts,
    ) {
        Some(d) => Err(d),
        None => check(files.str(t.value)).map_err(|d| d.node(files.str(m.id.value))),
    };
    result
        .map_err(|d| out.push(files.locate(d, t.src, t.value.at, files.str(t.value).len())))
        .ok()
}

/// SPEC §1.1, §7.1: how often the node has not failed by itself, a number
/// in (0, 1]; 1 (never fails by itself) when not given or wrong.
fn availability(files: &Files, m: &Merged, out: &mut Vec<Diagnostic>) -> f64 {
    let counts = "how often the node has not failed by itself, in (0, 1]";
    let read = number_field(files, m, Field::Availability, counts, out, |text| {
        match text.parse::<f64>() {
            Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
            _ => Err(Diagnostic::error(
                Code::AvailabilityOutOfRange,
                format!("`availability: {text}` of `{}` is outside (0, 1]", files.str(m.id.value)),
            )
            .help("availability is the probability that the node has not failed by itself, such as 0.9995 (1: it never fails by itself)")),
        }
    });
    read.unwrap_or(1.0)
}

fn min_zones(files: &Files, m: &Merged, zone_count: usize, out: &mut Vec<Diagnostic>) -> u32 {
    let explicit_list = matches!(m.zones().map(|z| z.value), Some(Zones::List(_)));
    let counts = "how many of the node's zones must survive";
    let read = number_field(files, m, Field::MinZones, counts, out, |text| {
        let in_range = |v: u32| v >= 1 && (!explicit_list || v as usize <= zone_count);
        match text.parse::<u32>() {
            Ok(v) if in_range(v) => Ok(v),
            _ => {
                let range = if explicit_list {
                    format!("1..={zone_count}, the number of its zones")
                } else {
                    "a whole number of 1 or more".to_owned()
                };
                Err(Diagnostic::error(
                    Code::MinZonesOutOfRange,
                    format!(
                        "`min_zones: {text}` of `{}` is outside {range}",
                        files.str(m.id.value)
                    ),
                )
                .help("min_zones is how many of the node's zones must survive"))
            }
        }
    });
    read.unwrap_or(1)
}

/// Tags sorted by key; a key twice in one mapping is an error.
fn tags<'f>(
    files: &Files<'f>,
    m: &Merged,
    tags: &mut Vec<(&'f str, Text, usize, Text)>,
    sorted: &mut Vec<(Text, Text)>,
    out: &mut Vec<Diagnostic>,
) {
    tags.clear();
    tags.extend(
        m.tags()
            .map(|(k, v)| (files.str(k.value), *v, k.src, *k.value)),
    );
    tags.sort_by(|a, b| a.0.cmp(b.0));
    for w in tags.windows(2) {
        if w[0].0 == w[1].0 && w[0].2 == w[1].2 {
            let d = Diagnostic::error(
                Code::DuplicateKey,
                format!(
                    "tag `{}` is given twice on `{}`",
                    w[1].0,
                    files.str(m.id.value)
                ),
            )
            .node(files.str(m.id.value))
            .help("give each tag once");
            out.push(files.locate(d, w[1].2, w[1].3.at, w[1].0.len()));
        }
    }
    tags.dedup_by(|a, b| a.0 == b.0);
    sorted.clear();
    sorted.extend(tags.iter().map(|&(_, v, _, k)| (k, v)));
}

/// Resolves requirement entries against the finished node table.
struct Resolver<'a, 'f> {
    files: &'a Files<'f>,
    graph: &'a Graph,
    /// Node by symbol ([`NO_NODE`] for a string that is no node's id).
    index: &'a [NodeIx],
}

/// An entry after resolution, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Resolved {
    kind: EntryKind,
    members: Vec<NodeIx>,
    /// Written as a plain id (subject to the observed-edge override).
    plain_id: bool,
    /// Stated by at least one document that is not collector output.
    by_person: bool,
}

/// Resolves every node's entries and pushes them, in node order, onto the
/// builder, whose nodes are all in (selectors expand against them).
/// With `plain`, the nodes it resolved are pushed from it.
fn resolve_entries(
    files: &Files,
    merged: &[Merged],
    index: &[NodeIx],
    plain: Option<&PlainEntries>,
    builder: &mut Builder,
    out: &mut Vec<Diagnostic>,
) {
    for (n, m) in merged.iter().enumerate() {
        let n = n as NodeIx;
        if let Some(p) = plain {
            if let Some((requires, optional)) = p.of(n) {
                push_plain(builder, p, n, requires, optional);
                continue;
            }
        }
        let resolver = Resolver {
            files,
            graph: builder.graph(),
            index,
        };
        let requires = resolver.resolve_list(n, m, &m.requires(), out);
        let optional = resolver.resolve_list(n, m, &m.optional(), out);
        let mut requires = drop_observed_calls_marked_soft(requires, &optional);
        requires.extend(implied_requirement(builder.graph(), n, &requires));
        for (list, is_optional) in [(requires, false), (optional, true)] {
            for r in list {
                builder.push_entry(n, r.kind, is_optional, &r.members);
            }
        }
    }
}

impl Resolver<'_, '_> {
    /// Resolves and de-duplicates one list (`requires` or `optional`).
    fn resolve_list(
        &self,
        owner: NodeIx,
        m: &Merged,
        list: &[Stated],
        out: &mut Vec<Diagnostic>,
    ) -> Vec<Resolved> {
        let mut resolved: Vec<Resolved> = Vec::with_capacity(list.len());
        for stated in list {
            let Some(r) = self.resolve_entry(owner, m, stated, out) else {
                continue;
            };
            let same = resolved
                .iter_mut()
                .find(|x| x.kind == r.kind && x.members == r.members);
            match same {
                Some(x) => x.by_person |= r.by_person,
                None => resolved.push(r),
            }
        }
        resolved
    }

    fn resolve_entry(
        &self,
        owner: NodeIx,
        m: &Merged,
        stated: &Stated,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Resolved> {
        let by_person = !stated.observed;
        match stated.entry {
            raw::Entry::Id(t) => {
                let target = self.reference(m, stated.src, t, out)?;
                Some(Resolved {
                    kind: EntryKind::All,
                    members: vec![target],
                    plain_id: true,
                    by_person,
                })
            }
            raw::Entry::Group(g) => {
                self.resolve_group(owner, m, stated.src, g, out)
                    .map(|(kind, members)| Resolved {
                        kind,
                        members,
                        plain_id: false,
                        by_person,
                    })
            }
        }
    }

    fn resolve_group(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        g: &raw::Group,
        out: &mut Vec<Diagnostic>,
    ) -> Option<(EntryKind, Vec<NodeIx>)> {
        for key in &g.unknown {
            out.push(unknown_field(
                self.files,
                src,
                key,
                m,
                raw::GROUP_FIELDS,
                "requirement entry",
            ));
        }
        let shapes = [
            ("all", g.all.is_some()),
            ("any", g.any.is_some()),
            ("quorum", g.quorum.is_some() || g.of.is_some()),
            ("select", g.select.is_some()),
            ("failover", g.failover.is_some() || g.via.is_some()),
        ];
        let mut given = shapes.iter().filter(|s| s.1).map(|s| s.0);
        let (first, second) = (given.next(), given.next());
        let Some(shape) = first.filter(|_| second.is_none()) else {
            let given: Vec<&str> = shapes.iter().filter(|s| s.1).map(|s| s.0).collect();
            let what = if given.is_empty() {
                "has none of `all`, `any`, `quorum` + `of`, `select`".to_owned()
            } else {
                format!("has {}: an entry takes exactly one", given.join(" and "))
            };
            out.push(self.entry_error(
                m,
                src,
                g.at,
                Code::BadEntry,
                format!(
                    "a requirement entry of `{}` {what}",
                    self.files.str(m.id.value)
                ),
                "split it into one entry per group, e.g. `- any: [a, b]` and `- c`",
            ));
            return None;
        };
        let allow_empty = self.allow_empty(m, src, g, out)?;
        let (kind, members) = match shape {
            "all" => (
                EntryKind::All,
                self.members(owner, m, src, g.all.as_deref()?, allow_empty, g.at, out)?,
            ),
            "any" => (
                EntryKind::Any,
                self.members(owner, m, src, g.any.as_deref()?, allow_empty, g.at, out)?,
            ),
            "select" => {
                let sel = g.select.as_ref()?;
                (
                    EntryKind::All,
                    self.selected(owner, m, src, sel, allow_empty, out)?,
                )
            }
            "quorum" => return self.quorum(owner, m, src, g, allow_empty, out),
            _ => return self.failover(owner, m, src, g, allow_empty, out),
        };
        self.warn_short(m, src, g.at, kind, members.len(), out);
        Some((kind, members))
    }

    fn quorum(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        g: &raw::Group,
        allow_empty: bool,
        out: &mut Vec<Diagnostic>,
    ) -> Option<(EntryKind, Vec<NodeIx>)> {
        let (Some(k), Some(of)) = (&g.quorum, &g.of) else {
            out.push(self.entry_error(
                m,
                src,
                g.at,
                Code::BadEntry,
                format!(
                    "a `quorum` entry of `{}` needs both `quorum: K` and `of: [...]`",
                    self.files.str(m.id.value)
                ),
                "write `quorum: 2` and `of: [a, b, c]` in the same entry",
            ));
            return None;
        };
        let members = self.members(owner, m, src, of, allow_empty, g.at, out);
        if let Some(d) = not_a_number(
            "quorum",
            self.files.str(k),
            self.files.str(m.id.value),
            "how many of `of` must be up",
        ) {
            out.push(self.files.locate(d, src, k.at, self.files.str(k).len()));
            return None;
        }
        let parsed: Option<u32> = self.files.str(k).parse().ok();
        let members = members?;
        let n = members.len();
        match parsed {
            Some(k) if k >= 1 && (k as usize <= n || allow_empty) => {
                self.warn_short(m, src, g.at, EntryKind::Quorum(k), n, out);
                Some((EntryKind::Quorum(k), members))
            }
            _ => {
                let d = Diagnostic::error(
                    Code::QuorumOutOfRange,
                    format!(
                        "`quorum: {}` in `{}` is outside 1..={n}, the number of its members",
                        self.files.str(k),
                        self.files.str(m.id.value)
                    ),
                )
                .node(self.files.str(m.id.value))
                .help(format!("set quorum between 1 and {n}, or add members"));
                out.push(self.files.locate(d, src, k.at, self.files.str(k).len()));
                None
            }
        }
    }

    /// SPEC §6.1: `failover: [primary, standby…]` (the primary a single id)
    /// and `via: [ids]`, stored in the member order and with the weights
    /// [`EntryKind::Failover`] describes. Every problem of the entry is
    /// reported, not only the first.
    fn failover(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        g: &raw::Group,
        allow_empty: bool,
        out: &mut Vec<Diagnostic>,
    ) -> Option<(EntryKind, Vec<NodeIx>)> {
        let Some(list) = g.failover.as_deref() else {
            out.push(self.entry_error(
                m,
                src,
                g.at,
                Code::BadEntry,
                format!(
                    "a requirement entry of `{}` has `via` without `failover`",
                    self.files.str(m.id.value)
                ),
                "write `failover: [primary, standby]` next to `via`",
            ));
            return None;
        };
        let mut ok = true;
        if let Some(Member::Select(sel)) = list.first() {
            out.push(self.entry_error(
                m,
                src,
                sel.position(),
                Code::BadEntry,
                format!(
                    "the first item of a `failover` entry of `{}` is a selector; it must be a single id, the primary",
                    self.files.str(m.id.value)
                ),
                "write the primary first, e.g. `failover: [payments-use1, {select: ...}]`",
            ));
            ok = false;
        }
        let members = self.members(owner, m, src, list, allow_empty, g.at, out);
        let via = self.via(owner, m, src, g, out);
        let (members, via) = (members?, via?);
        ok.then(|| failover_layout(members, via))
    }

    /// The `via` ids of a failover entry, resolved and de-duplicated like
    /// members (an absent `via` is an empty one; a written `via: []` is an
    /// empty list, an error as for members).
    fn via(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        g: &raw::Group,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Vec<NodeIx>> {
        let Some(list) = g.via.as_deref() else {
            return Some(Vec::new());
        };
        let ids: Vec<Member> = list.iter().cloned().map(Member::Id).collect();
        self.members(owner, m, src, &ids, false, g.at, out)
    }

    fn allow_empty(
        &self,
        m: &Merged,
        src: usize,
        g: &raw::Group,
        out: &mut Vec<Diagnostic>,
    ) -> Option<bool> {
        match g.allow_empty.as_ref().map(|t| self.files.str(t)) {
            None | Some("false") => Some(false),
            Some("true") => Some(true),
            Some(other) => {
                let t = g.allow_empty.as_ref()?;
                let d = Diagnostic::error(
                    Code::InvalidValue,
                    format!("`allow_empty: {other}` is not true or false"),
                )
                .node(self.files.str(m.id.value))
                .help("write `allow_empty: true`");
                out.push(self.files.locate(d, src, t.at, self.files.str(t).len()));
                None
            }
        }
    }

    /// An `any` or `quorum` entry left with too few members can never be
    /// satisfied: allowed with `allow_empty`, but worth a warning.
    fn warn_short(
        &self,
        m: &Merged,
        src: usize,
        at: At,
        kind: EntryKind,
        n: usize,
        out: &mut Vec<Diagnostic>,
    ) {
        if (kind.needed(n) as usize) > n {
            let d = Diagnostic::warning(
                Code::EntryNeverSatisfied,
                format!("a requirement entry of `{}` has {n} member(s) but needs {}: it is never satisfied", self.files.str(m.id.value), kind.needed(n)),
            )
            .node(self.files.str(m.id.value))
            .help("its selectors match too little; `allow_empty: true` allows this, but the node will be down or degraded");
            out.push(self.files.locate(d, src, at, 1));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn members(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        list: &[Member],
        allow_empty: bool,
        at: At,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Vec<NodeIx>> {
        if list.is_empty() {
            out.push(self.entry_error(
                m,
                src,
                at,
                Code::EmptyMembers,
                format!(
                    "a requirement entry of `{}` has an empty member list",
                    self.files.str(m.id.value)
                ),
                "list at least one member, or remove the entry",
            ));
            return None;
        }
        let mut members = Vec::with_capacity(list.len());
        let mut ok = true;
        for item in list {
            match item {
                Member::Id(t) => match self.reference(m, src, t, out) {
                    Some(x) => members.push(x),
                    None => ok = false,
                },
                Member::Select(s) => match self.selected(owner, m, src, s, allow_empty, out) {
                    Some(xs) => members.extend(xs),
                    None => ok = false,
                },
            }
        }
        ok.then(|| dedup_keep_first(members))
    }

    fn reference(
        &self,
        m: &Merged,
        src: usize,
        t: &Text,
        out: &mut Vec<Diagnostic>,
    ) -> Option<NodeIx> {
        match self.index.get(t.sym.index()) {
            Some(&x) if x != NO_NODE => return Some(x),
            _ => {}
        }
        let id = self.files.str(t);
        if builtin::is_builtin_id(id) {
            let near = closest(id, BUILTINS.iter().map(|b| b.id));
            let help = did_you_mean(&near).unwrap_or_else(|| {
                "use one of the built-in ids, or define the dependency under an id without the `aws:` prefix".to_owned()
            });
            let d = Diagnostic::error(
                Code::UnknownBuiltin,
                format!(
                    "`{}` requires `{id}`, which is not a built-in node",
                    self.files.str(m.id.value)
                ),
            )
            .node(self.files.str(m.id.value))
            .help(help)
            .note(super::builtin::table_note());
            out.push(self.files.locate(d, src, t.at, id.len()));
            return None;
        }
        let help = {
            let near = closest(id, self.graph.nodes().map(|n| self.graph.id(n)));
            did_you_mean(&near).unwrap_or_else(|| {
                "define it under functions, services, resources or externals, or fix the id"
                    .to_owned()
            })
        };
        let d = Diagnostic::error(
            Code::UnknownReference,
            format!(
                "`{}` requires `{id}`, which is defined nowhere",
                self.files.str(m.id.value)
            ),
        )
        .node(self.files.str(m.id.value))
        .help(help);
        out.push(self.files.locate(d, src, t.at, id.len()));
        None
    }

    fn selected(
        &self,
        owner: NodeIx,
        m: &Merged,
        src: usize,
        s: &raw::Selector,
        allow_empty: bool,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Vec<NodeIx>> {
        let sel = self.compile(m, src, s, out)?;
        let found = sel.expand(self.graph, owner);
        if found.is_empty() && !allow_empty {
            let d = Diagnostic::error(
                Code::SelectorMatchesNothing,
                format!(
                    "a selector of `{}` matches no node",
                    self.files.str(m.id.value)
                ),
            )
            .node(self.files.str(m.id.value))
            .help(self.why_nothing(&sel, owner));
            out.push(self.files.locate(d, src, s.position(), 1));
            return None;
        }
        Some(found)
    }

    fn compile(
        &self,
        m: &Merged,
        src: usize,
        s: &raw::Selector,
        out: &mut Vec<Diagnostic>,
    ) -> Option<Selector> {
        if !s.unknown.is_empty() {
            for key in &s.unknown {
                let d = unknown_field(self.files, src, key, m, raw::SELECTOR_FIELDS, "selector");
                out.push(d);
            }
            return None;
        }
        let mut sel = Selector::default();
        if let Some(k) = &s.kind {
            let kind = NodeKind::ALL
                .into_iter()
                .find(|x| x.as_str() == self.files.str(k));
            match kind {
                Some(kind) => sel.kind = Some(kind),
                None => {
                    let d = Diagnostic::error(
                        Code::InvalidValue,
                        format!("`kind: {}` is not a node kind", self.files.str(k)),
                    )
                    .node(self.files.str(m.id.value))
                    .help("use one of `function`, `service`, `resource`, `external`");
                    out.push(self.files.locate(d, src, k.at, self.files.str(k).len()));
                    return None;
                }
            }
        }
        sel.id = s.id.as_ref().map(|t| Pattern::new(self.files.str(t)));
        let attrs = [
            (Attr::Provider, &s.provider),
            (Attr::Service, &s.service),
            (Attr::Type, &s.type_),
            (Attr::Account, &s.account),
            (Attr::Region, &s.region),
        ];
        for (a, t) in attrs {
            if let Some(t) = t {
                sel.attrs.push((a, Pattern::new(self.files.str(t))));
            }
        }
        sel.zone = s.zone.as_ref().map(|t| Pattern::new(self.files.str(t)));
        for (k, v) in s.tags.iter().flat_map(|t| &t.0) {
            sel.tags.push((
                self.files.str(k).to_owned(),
                Pattern::new(self.files.str(v)),
            ));
        }
        Some(sel)
    }

    /// Names the conditions that alone match nothing, with the values the
    /// estate does have and the closest of them ("did you mean"): nearly
    /// always a typo. When each condition matches some node, names the
    /// condition that eliminated the nodes matching all the others, with
    /// the values those nodes have.
    fn why_nothing(&self, sel: &Selector, owner: NodeIx) -> String {
        let g = self.graph;
        let mut reasons = Vec::new();
        for (a, p) in &sel.attrs {
            let values = g.attr_values(*a);
            if !values.iter().any(|v| p.matches(v)) {
                reasons.push(format!(
                    "no node has a {} like that{}; the estate's are: {}",
                    a.field(),
                    suggest(&p.text(), &values),
                    sample(&values)
                ));
            }
        }
        if let Some(p) = &sel.zone {
            let values = g.zone_values();
            if !values.iter().any(|v| p.matches(v)) {
                reasons.push(format!(
                    "no node lists such a zone{}; the estate's zones are: {}",
                    suggest(&p.text(), &values),
                    sample(&values)
                ));
            }
        }
        for (k, p) in &sel.tags {
            let values = self.tag_values(k, owner);
            if values.is_empty() {
                let keys = self.tag_keys(owner);
                reasons.push(format!(
                    "no node has a tag `{k}`{}; the estate's tag keys are: {}",
                    suggest(k, &keys),
                    sample(&keys)
                ));
            } else if !values.iter().any(|v| p.matches(v)) {
                reasons.push(format!(
                    "no node has tag `{k}` with such a value{}; its values are: {}",
                    suggest(&p.text(), &values),
                    sample(&values)
                ));
            }
        }
        if reasons.is_empty() {
            reasons.push(self.eliminating_condition(sel, owner));
        }
        format!(
            "{}; add `allow_empty: true` to the entry if matching nothing is expected",
            reasons.join("; ")
        )
    }

    /// Every value of tag `key` on nodes other than `owner`, sorted.
    fn tag_values(&self, key: &str, owner: NodeIx) -> Vec<&str> {
        let g = self.graph;
        g.nodes()
            .filter(|&n| n != owner)
            .flat_map(|n| g.tags(n).iter())
            .filter(|(tk, _)| g.symbol(*tk) == Some(key))
            .filter_map(|(_, tv)| g.symbol(*tv))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Every tag key of nodes other than `owner`, sorted.
    fn tag_keys(&self, owner: NodeIx) -> Vec<&str> {
        let g = self.graph;
        g.nodes()
            .filter(|&n| n != owner)
            .flat_map(|n| g.tags(n).iter())
            .filter_map(|(tk, _)| g.symbol(*tk))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Each condition matches some node, but not together: the condition
    /// that, left out, lets the fewest nodes (more than none) match, and
    /// the values those nodes have for it: what the author probably meant.
    fn eliminating_condition(&self, sel: &Selector, owner: NodeIx) -> String {
        let g = self.graph;
        let mut best: Option<(usize, String)> = None;
        for (name, rest, value_of) in leave_one_out(sel) {
            let found = rest.expand(g, owner);
            if found.is_empty() || best.as_ref().is_some_and(|(n, _)| *n <= found.len()) {
                continue;
            }
            let values: Vec<&str> = found
                .iter()
                .flat_map(|&n| value_of(g, n))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let said = format!(
                "each condition matches some node, but not all together: the {} node(s) matching \
                 every other condition have {name} {} (a selector never matches its own node)",
                found.len(),
                sample(&values)
            );
            best = Some((found.len(), said));
        }
        best.map(|(_, said)| said).unwrap_or_else(|| {
            "each condition matches some node, but no node matches all of them (a selector never matches its own node)".to_owned()
        })
    }

    fn entry_error(
        &self,
        m: &Merged,
        src: usize,
        at: At,
        code: Code,
        message: String,
        help: &str,
    ) -> Diagnostic {
        let d = Diagnostic::error(code, message)
            .node(self.files.str(m.id.value))
            .help(help);
        let at = at.or(m.id.value.at);
        self.files.locate(d, src, at, 1)
    }
}

/// A count (`quorum`, `min_zones`) written as something other than a whole
/// number (`two`, `2x`): said in the author's words, with the right form.
/// A number out of range (`0`, `1.5`) is left to the range check.
fn not_a_number(field: &str, value: &str, owner: &str, counts: &str) -> Option<Diagnostic> {
    if value.parse::<f64>().is_ok() {
        return None;
    }
    Some(
        Diagnostic::error(
            Code::InvalidValue,
            format!("`{field}` is a number, not `{value}`: write `{field}: 2`",),
        )
        .node(owner)
        .help(format!("`{field}` is {counts}, written in digits")),
    )
}

/// How to read one condition's values from a node, for "the nodes have
/// region `us-west-2`".
type ValuesOf = Box<dyn Fn(&Graph, NodeIx) -> Vec<&str>>;

/// The selector without each of its conditions in turn: the condition's
/// name, the rest of the selector, and how to read the condition's values.
fn leave_one_out(sel: &Selector) -> Vec<(String, Selector, ValuesOf)> {
    let mut out: Vec<(String, Selector, ValuesOf)> = Vec::new();
    for (i, (a, _)) in sel.attrs.iter().enumerate() {
        let mut rest = sel.clone();
        rest.attrs.remove(i);
        let a = *a;
        let values: ValuesOf = Box::new(move |g, n| g.attr(n, a).into_iter().collect());
        out.push((a.field().to_owned(), rest, values));
    }
    if sel.zone.is_some() {
        let rest = Selector {
            zone: None,
            ..sel.clone()
        };
        let values: ValuesOf =
            Box::new(|g, n| g.zones(n).iter().filter_map(|z| g.symbol(*z)).collect());
        out.push(("zones".to_owned(), rest, values));
    }
    for (i, (k, _)) in sel.tags.iter().enumerate() {
        let mut rest = sel.clone();
        rest.tags.remove(i);
        let key = k.clone();
        let values: ValuesOf = Box::new(move |g, n| {
            g.tags(n)
                .iter()
                .filter(|(tk, _)| g.symbol(*tk) == Some(key.as_str()))
                .filter_map(|(_, tv)| g.symbol(*tv))
                .collect()
        });
        out.push((format!("tag `{k}`"), rest, values));
    }
    out
}

/// " (did you mean `us-east-1`?)" when a value of the estate is close to
/// the one written; nothing otherwise.
fn suggest(written: &str, values: &[&str]) -> String {
    did_you_mean(&closest(written, values.iter().copied()))
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// Up to eight values, for messages; "none" when empty.
fn sample(values: &[&str]) -> String {
    if values.is_empty() {
        return "none".to_owned();
    }
    let shown: Vec<String> = values.iter().take(8).map(|v| format!("`{v}`")).collect();
    let more = values.len().saturating_sub(8);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// SPEC §6.2: a node whose type implies a built-in node (a CloudFront
/// distribution, a Route 53 hosted zone) requires it, unless it already
/// requires it alone. The loader brought the built-in in (`load::builtin`).
fn implied_requirement(graph: &Graph, n: NodeIx, requires: &[Resolved]) -> Option<Resolved> {
    let target = implied_target(graph, n)?;
    let entry = Resolved {
        kind: EntryKind::All,
        members: vec![target],
        plain_id: false,
        by_person: true,
    };
    let stated = requires
        .iter()
        .any(|r| r.kind == entry.kind && r.members == entry.members);
    (!stated).then_some(entry)
}

/// The built-in node `n`'s type implies (SPEC §6.2), if any.
fn implied_target(graph: &Graph, n: NodeIx) -> Option<NodeIx> {
    graph.find(builtin::implied_by_type(graph.attr(n, Attr::Type)?)?)
}

/// Pushes node `n`'s entries resolved by [`PlainEntries`], in the order
/// [`resolve_entries`] pushes them: `requires`, the implied requirement
/// unless a plain entry states it, then `optional`.
fn push_plain(
    builder: &mut Builder,
    plain: &PlainEntries,
    n: NodeIx,
    requires: &[PlainEntry],
    optional: &[PlainEntry],
) {
    for e in requires {
        builder.push_entry(n, e.kind, false, plain.members_of(e));
    }
    if let Some(target) = implied_target(builder.graph(), n) {
        let stated = requires
            .iter()
            .any(|e| e.kind == EntryKind::All && plain.members_of(e) == [target]);
        if !stated {
            builder.push_entry(n, EntryKind::All, false, &[target]);
        }
    }
    for e in optional {
        builder.push_entry(n, e.kind, true, plain.members_of(e));
    }
}

/// The stored form of a failover entry (see [`EntryKind::Failover`]):
/// `[primary, standby…, via…]`. `members` starts with the primary and is
/// de-duplicated; `via` is de-duplicated. A primary listed in `via` leaves
/// no standby branch (every other member is stored as a `via` node); a
/// standby listed in `via` is stored once, as a `via` node.
pub(crate) fn failover_layout(members: Vec<NodeIx>, via: Vec<NodeIx>) -> (EntryKind, Vec<NodeIx>) {
    let primary = members[0];
    if via.contains(&primary) {
        let row = dedup_keep_first(members.into_iter().chain(via).collect());
        let kind = EntryKind::Failover {
            standbys: 0,
            standby_in_via: false,
        };
        return (kind, row);
    }
    let standbys: Vec<NodeIx> = members[1..]
        .iter()
        .copied()
        .filter(|s| !via.contains(s))
        .collect();
    let kind = EntryKind::Failover {
        standbys: standbys.len() as u32,
        standby_in_via: standbys.len() + 1 < members.len(),
    };
    let row = std::iter::once(primary)
        .chain(standbys)
        .chain(via)
        .collect();
    (kind, row)
}

fn dedup_keep_first(mut members: Vec<NodeIx>) -> Vec<NodeIx> {
    dedup_keep_first_from(&mut members, 0);
    members
}

/// Removes the repeats among `members[from..]`, keeping each member's
/// first place.
fn dedup_keep_first_from(members: &mut Vec<NodeIx>, from: usize) {
    // Short lists (nearly all: a group names a few members) in place; a
    // selector's thousands through a set.
    let mut kept = from;
    if members.len() - from <= 32 {
        for i in from..members.len() {
            let x = members[i];
            if !members[from..kept].contains(&x) {
                members[kept] = x;
                kept += 1;
            }
        }
    } else {
        let mut seen = rustc_hash::FxHashSet::default();
        for i in from..members.len() {
            let x = members[i];
            if seen.insert(x) {
                members[kept] = x;
                kept += 1;
            }
        }
    }
    members.truncate(kept);
}

/// SPEC §1.5: when a person lists X in N's `optional`, a plain `requires: X`
/// that only collector output states is dropped (a call seen in traces is
/// soft when people say so). Entries with several members are kept.
fn drop_observed_calls_marked_soft(
    requires: Vec<Resolved>,
    optional: &[Resolved],
) -> Vec<Resolved> {
    let soft_by_person = |x: NodeIx| {
        optional
            .iter()
            .any(|o| o.plain_id && o.by_person && o.members == [x])
    };
    requires
        .into_iter()
        .filter(|r| !(r.plain_id && !r.by_person && soft_by_person(r.members[0])))
        .collect()
}

/// A switch for the tests that compare [`PlainEntries`] with the general
/// path: off only where a test turns it off, on its own thread.
/// Where the nodes are cut between the two cores: the other core also
/// resolves the simple entries (`PlainEntries`), so it adds the last
/// 30 % of the nodes (at 1.3 M nodes the nodes phase took 189–237 ms cut
/// at 60 %, 162–185 at 70 %, 179–188 at 80 %). An
/// estate of fewer than 100,000 nodes is not cut: at 56,000 the second
/// builder's fresh tables cost more than the work they take over (`loaded
/// at` 25.4 → 26.7 ms), at 110,000 the cut pays (nodes phase 11.5 → 9.7
/// ms, since the parts are appended row tables at once; 13 → 16 ms before).
pub(crate) mod node_split {
    /// Fewer nodes than this are all added on one core.
    const FROM_NODES: usize = 100_000;

    #[cfg(test)]
    thread_local! {
        static AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
    }

    /// Runs `f` with the nodes cut at `at` (clamped to their number).
    #[cfg(test)]
    pub(crate) fn cut_at<T>(at: usize, f: impl FnOnce() -> T) -> T {
        AT.with(|c| c.set(Some(at)));
        let result = f();
        AT.with(|c| c.set(None));
        result
    }

    /// The number of nodes the first core adds, of `nodes`.
    pub(super) fn at(nodes: usize) -> usize {
        #[cfg(test)]
        if let Some(at) = AT.with(std::cell::Cell::get) {
            return at.min(nodes);
        }
        if nodes < FROM_NODES {
            nodes
        } else {
            nodes * 7 / 10
        }
    }
}

pub(crate) mod plain_switch {
    #[cfg(test)]
    thread_local! {
        static PLAIN_ENTRIES_OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Runs `f` with every entry resolved the general way.
    #[cfg(test)]
    pub(crate) fn without_plain_entries<T>(f: impl FnOnce() -> T) -> T {
        PLAIN_ENTRIES_OFF.with(|c| c.set(true));
        let result = f();
        PLAIN_ENTRIES_OFF.with(|c| c.set(false));
        result
    }

    pub(super) fn plain_entries_off() -> bool {
        #[cfg(test)]
        return PLAIN_ENTRIES_OFF.with(std::cell::Cell::get);
        #[cfg(not(test))]
        false
    }
}

#[cfg(test)]
mod dedup_tests {
    use super::*;

    #[test]
    fn dedup_keeps_the_first_of_each_member_in_order_at_every_length() {
        let mut seed = 7u32;
        for len in 0..80 {
            let list: Vec<NodeIx> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (seed >> 16) % 13
                })
                .collect();
            let mut expected = Vec::new();
            for &x in &list {
                if !expected.contains(&x) {
                    expected.push(x);
                }
            }
            assert_eq!(dedup_keep_first(list.clone()), expected, "{list:?}");
            // Behind other members, which stay as they are.
            let mut behind = vec![5, 5, 99];
            behind.extend(&list);
            dedup_keep_first_from(&mut behind, 3);
            assert_eq!(behind[..3], [5, 5, 99]);
            assert_eq!(behind[3..], expected, "{list:?}");
        }
    }
}
