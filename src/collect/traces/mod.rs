//! `blastmap collect traces`: service-to-service calls observed in trace
//! exports, as a `model::Document` (issue 19, SPEC §1.4).
//!
//! Five input formats, detected from the keys of each top-level JSON value
//! (or forced with [`InputFormat`]): Jaeger dependency links, Jaeger traces,
//! OTLP/JSON, X-Ray `GetServiceGraph` and X-Ray `BatchGetTraces` pages.
//! Every file is a sequence of JSON values (one document, or JSON lines),
//! read from a buffered reader with serde's streaming visitors: the arrays
//! that hold traces (`data`, `resourceSpans`, `batches`, `Traces`) are
//! visited one element at a time, so memory holds one trace (one OTLP
//! resource) at a time, plus a few bytes per OTLP span id (parents of OTLP
//! spans may sit on other lines or in other files, so their ids are kept
//! until the end) and one entry per distinct call.
//!
//! What counts as a call:
//! - a span whose parent (Jaeger `CHILD_OF` reference or `parentSpanID`,
//!   OTLP `parentSpanId`, X-Ray `parent_id`) belongs to another service;
//!   Jaeger `FOLLOWS_FROM` references are not calls: the parent does not
//!   wait for the follower (a queue consumer, say), so the follower's
//!   failure does not take the parent down;
//! - a client or producer span naming its callee (`peer.service`, else
//!   `server.address`, else `net.peer.name`) that no span of another
//!   service has as its parent: the callee emits no spans of its own (a
//!   database, say);
//! - a Jaeger dependency link, an X-Ray service-graph edge (edges from
//!   `client` nodes are the users, not a service, and are left out).
//!
//! A self-call is not a dependency and is dropped.

mod jaeger;
mod otlp;
mod xray;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;

use rustc_hash::{FxHashMap, FxHasher};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::diag::{Code, Diagnostic};
use crate::model::document::{Document, Edge, Entry, Meta, Node, SourceMeta};
use crate::model::NodeKind;

/// The collector name written in `meta.sources`.
pub const COLLECTOR: &str = "traces";

/// A trace export format. The names are what `--input-format` takes and
/// what error messages list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InputFormat {
    /// Jaeger `/api/dependencies`: `parent`, `child`, `callCount` links.
    JaegerDependencies,
    /// Jaeger `/api/traces` JSON, or one bare trace object.
    JaegerTraces,
    /// OpenTelemetry OTLP/JSON `ExportTraceServiceRequest`s.
    Otlp,
    /// AWS X-Ray `GetServiceGraph` output.
    XrayServiceGraph,
    /// AWS X-Ray `BatchGetTraces` pages.
    XrayTraces,
}

impl InputFormat {
    /// Every format, in the order help texts list them.
    pub const ALL: [InputFormat; 5] = [
        InputFormat::JaegerDependencies,
        InputFormat::JaegerTraces,
        InputFormat::Otlp,
        InputFormat::XrayServiceGraph,
        InputFormat::XrayTraces,
    ];

    /// The name `--input-format` takes.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::JaegerDependencies => "jaeger-dependencies",
            InputFormat::JaegerTraces => "jaeger-traces",
            InputFormat::Otlp => "otlp",
            InputFormat::XrayServiceGraph => "xray-service-graph",
            InputFormat::XrayTraces => "xray-traces",
        }
    }

    /// The format named `name`, if any.
    pub fn from_name(name: &str) -> Option<InputFormat> {
        InputFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What a file of this format looks like, for the list an unrecognised
    /// file gets.
    fn shape(self) -> &'static str {
        match self {
            InputFormat::JaegerDependencies => {
                "[{\"parent\", \"child\", \"callCount\"}], bare or under \"data\""
            }
            InputFormat::JaegerTraces => {
                "{\"data\": [{\"traceID\", \"spans\", \"processes\"}]} or one bare trace"
            }
            InputFormat::Otlp => {
                "{\"resourceSpans\": [...]} or {\"batches\": [...]}, JSON lines too"
            }
            InputFormat::XrayServiceGraph => "{\"Services\": [...]} from GetServiceGraph",
            InputFormat::XrayTraces => {
                "{\"Traces\": [...]} from BatchGetTraces, or an array of pages"
            }
        }
    }

    /// The `source` written in `meta.edges`.
    fn source(self) -> &'static str {
        match self {
            InputFormat::JaegerDependencies | InputFormat::JaegerTraces => "jaeger",
            InputFormat::Otlp => "otlp",
            InputFormat::XrayServiceGraph | InputFormat::XrayTraces => "xray",
        }
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What turns the observed calls into requirements: `collect traces`'
/// flags, already parsed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Calls seen fewer times than this (summed over sources) are dropped.
    pub min_calls: u64,
    /// Callees whose failure only degrades their callers: `optional`.
    pub optional: BTreeSet<String>,
    /// Service names to replace (`--rename FROM=TO`), applied before
    /// anything else so renamed services merge.
    pub renames: BTreeMap<String, String>,
}

/// Calls gathered from any number of files; [`Collector::finish`] turns
/// them into the document. Names are interned: a call is two `u32`s.
#[derive(Debug, Default)]
pub struct Collector {
    names: Vec<String>,
    ids: FxHashMap<String, u32>,
    /// Services that emitted spans or appear in a call.
    services: BTreeSet<u32>,
    /// (caller, callee, format) → calls.
    calls: BTreeMap<(u32, u32, InputFormat), u64>,
    otlp: otlp::Pending,
}

impl Collector {
    /// An empty collector.
    pub fn new() -> Self {
        Collector::default()
    }

    /// Reads one trace file; `format` forces the format instead of detecting
    /// it. A malformed file stops with [`Code::MalformedTrace`] at its
    /// line:col, one that holds no known format with
    /// [`Code::UnknownTraceFormat`]; calls read before the error are kept.
    pub fn read_file(
        &mut self,
        path: &Path,
        format: Option<InputFormat>,
    ) -> Result<(), Diagnostic> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            Diagnostic::error(Code::UnreadableFile, format!("cannot read {name}: {e}"))
                .in_file(&name)
                .help("check the path and the permissions")
        })?;
        self.read(
            std::io::BufReader::with_capacity(1 << 16, file),
            &name,
            format,
        )
    }

    /// Reads trace JSON from `reader` (named `name` in diagnostics): every
    /// JSON value in it, one after another (JSON lines or one document).
    pub fn read<R: std::io::Read>(
        &mut self,
        reader: R,
        name: &str,
        format: Option<InputFormat>,
    ) -> Result<(), Diagnostic> {
        let mut de = serde_json::Deserializer::from_reader(reader);
        let mut found = Found::default();
        loop {
            match de.end() {
                Ok(()) => break,
                Err(e) if e.is_io() => return Err(malformed(name, &e)),
                Err(_) => {}
            }
            let top = Value {
                collector: self,
                forced: format,
                found: &mut found,
                depth: 0,
            };
            top.deserialize(&mut de).map_err(|e| malformed(name, &e))?;
        }
        if found.formats.is_empty() {
            return Err(unknown_format(name, format, &found.keys));
        }
        Ok(())
    }

    /// The interned index of service `name`.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 service names");
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// Notes a service that emitted spans (it is a node even if it calls
    /// nobody and nobody calls it).
    fn service(&mut self, name: &str) -> u32 {
        let id = self.intern(name);
        self.services.insert(id);
        id
    }

    /// Counts `calls` calls from `from` to `to`, seen in `format`.
    fn call(&mut self, from: u32, to: u32, format: InputFormat, calls: u64) {
        self.services.insert(from);
        self.services.insert(to);
        *self.calls.entry((from, to, format)).or_default() += calls;
    }

    /// [`Collector::call`] by names.
    fn call_named(&mut self, from: &str, to: &str, format: InputFormat, calls: u64) {
        let (from, to) = (self.intern(from), self.intern(to));
        self.call(from, to, format, calls);
    }

    /// The document: one service per service seen, a `requires` (or, for
    /// `--optional` callees, `optional`) entry per call kept, every call
    /// with its count and source in `meta.edges`. Deterministic: the same
    /// inputs give the same document whatever their order within a file.
    pub fn finish(mut self, options: &Options) -> Document {
        let pending = std::mem::take(&mut self.otlp);
        pending.resolve(&mut self);
        let rename = |name: &str| -> String {
            options
                .renames
                .get(name)
                .cloned()
                .unwrap_or_else(|| name.to_owned())
        };
        let names: Vec<String> = self.names.iter().map(|n| rename(n)).collect();
        let mut per_source: BTreeMap<(&str, &str, &str), u64> = BTreeMap::new();
        for (&(from, to, format), &calls) in &self.calls {
            let (from, to) = (names[from as usize].as_str(), names[to as usize].as_str());
            if from != to {
                *per_source.entry((from, to, format.source())).or_default() += calls;
            }
        }
        let mut total: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for (&(from, to, _), &calls) in &per_source {
            *total.entry((from, to)).or_default() += calls;
        }
        let mut doc = Document::default();
        for &id in &self.services {
            doc.insert(
                NodeKind::Service,
                names[id as usize].clone(),
                Node::default(),
            );
        }
        let mut edges = Vec::new();
        for ((from, to, source), calls) in per_source {
            if total[&(from, to)] < options.min_calls {
                continue;
            }
            edges.push(Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                source: source.to_owned(),
                calls: Some(calls),
            });
        }
        for (&(from, to), &calls) in &total {
            if calls < options.min_calls {
                continue;
            }
            let node = doc.services.entry(from.to_owned()).or_default();
            let entry = Entry::Id(to.to_owned());
            if options.optional.contains(to) {
                node.optional.push(entry);
            } else {
                node.requires.push(entry);
            }
        }
        doc.meta = Some(Meta {
            collected_at: None,
            sources: vec![SourceMeta::complete(COLLECTOR)],
            edges,
        });
        doc
    }
}

/// The keys and formats one file showed, to name an unknown format.
#[derive(Debug, Default)]
struct Found {
    formats: BTreeSet<InputFormat>,
    /// The first top-level keys that belong to no format.
    keys: BTreeSet<String>,
}

/// A malformed or truncated file: file:line:col and what serde_json
/// expected there.
fn malformed(name: &str, e: &serde_json::Error) -> Diagnostic {
    let what = e.to_string();
    let what = what
        .rsplit_once(" at line ")
        .map_or(what.as_str(), |(w, _)| w)
        .to_owned();
    let help = match e.classify() {
        serde_json::error::Category::Eof => {
            "the file ends in the middle of a JSON value: it is truncated; export it again"
        }
        serde_json::error::Category::Io => "check that the file can be read",
        _ => "fix the JSON at that position, or export the traces again",
    };
    Diagnostic::error(
        Code::MalformedTrace,
        format!(
            "{name}:{}:{}: malformed trace file: {what}",
            e.line(),
            e.column()
        ),
    )
    .in_file(name)
    .help(help)
}

/// A file that holds none of the formats (or not the one forced).
fn unknown_format(name: &str, forced: Option<InputFormat>, keys: &BTreeSet<String>) -> Diagnostic {
    let what = match forced {
        Some(f) => format!("{name} does not hold {f} traces"),
        None => format!("{name} holds no trace format blastmap reads"),
    };
    let mut diag = Diagnostic::error(Code::UnknownTraceFormat, what).in_file(name);
    if !keys.is_empty() {
        let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
        diag = diag.note(format!("its top-level keys: {}", keys.join(", ")));
    }
    for f in InputFormat::ALL {
        diag = diag.note(format!("{}: {}", f.name(), f.shape()));
    }
    diag.help("export one of the formats above, or name it with --input-format")
}

/// The key of a trace or span id, however it is written: hex (any case,
/// leading zeros dropped or not) and base64 ids of the same bytes get the
/// same key.
fn id_value(id: &str) -> Option<u128> {
    let id = id.trim();
    if id.is_empty() {
        return None;
    }
    let digits = id.trim_start_matches('0');
    if id.bytes().all(|b| b.is_ascii_hexdigit()) && digits.len() <= 32 {
        return Some(u128::from_str_radix(digits, 16).unwrap_or(0));
    }
    if let Some(bytes) = base64(id) {
        return Some(bytes.iter().fold(0u128, |v, &b| (v << 8) | u128::from(b)));
    }
    let mut h = FxHasher::default();
    id.hash(&mut h);
    Some(u128::from(h.finish()))
}

/// Standard or URL-safe base64, padded or not; `None` when `text` is not.
fn base64(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for b in text.trim_end_matches('=').bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// One span's key: its trace and span ids, folded. Spans of different
/// traces with the same span id get different keys.
fn span_key(trace: &str, span: &str) -> Option<u64> {
    span_key_of(id_value(trace), id_value(span))
}

/// [`span_key`] of ids already reduced by [`id_value`] (OTLP reduces them
/// while reading, so no id is kept as a string).
fn span_key_of(trace: Option<u128>, span: Option<u128>) -> Option<u64> {
    // A zero parent id is how some exporters write "no parent".
    let span = span.filter(|&v| v != 0)?;
    let mut h = FxHasher::default();
    trace.unwrap_or(0).hash(&mut h);
    span.hash(&mut h);
    Some(h.finish())
}

/// The callee a client span names, by the attribute keys in the order
/// OpenTelemetry's conventions prefer them.
const PEER_KEYS: [&str; 3] = ["peer.service", "server.address", "net.peer.name"];

/// One top-level JSON value (or one element of a top-level array, or of
/// `data`), visited key by key: the key decides the format, and the arrays
/// that hold traces are visited element by element.
struct Value<'a> {
    collector: &'a mut Collector,
    forced: Option<InputFormat>,
    found: &'a mut Found,
    /// 0 at the top of the file, 1 inside a top-level array or `data`.
    depth: u8,
}

impl Value<'_> {
    /// Whether format `f` may be read (none forced, or `f` forced).
    fn allows(&self, f: InputFormat) -> bool {
        self.forced.is_none_or(|forced| forced == f)
    }
}

impl<'de> DeserializeSeed<'de> for Value<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Value<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a trace export: a JSON object or array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.depth > 0 {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        Elements {
            collector: self.collector,
            forced: self.forced,
            found: self.found,
        }
        .visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut trace = jaeger::BareTrace::default();
        let mut link = jaeger::Link::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "data" if self.depth == 0 => {
                    if self.allows(InputFormat::JaegerTraces) {
                        // `{"data": []}` is what Jaeger answers when it
                        // holds no trace: a Jaeger file with no call.
                        self.found.formats.insert(InputFormat::JaegerTraces);
                    }
                    map.next_value_seed(Elements {
                        collector: &mut *self.collector,
                        forced: self.forced,
                        found: &mut *self.found,
                    })?;
                }
                "resourceSpans" | "resource_spans" | "batches"
                    if self.allows(InputFormat::Otlp) =>
                {
                    self.found.formats.insert(InputFormat::Otlp);
                    map.next_value_seed(otlp::Resources(&mut *self.collector))?;
                }
                "Services" if self.allows(InputFormat::XrayServiceGraph) => {
                    self.found.formats.insert(InputFormat::XrayServiceGraph);
                    let services: Vec<xray::Service> = map.next_value()?;
                    xray::service_graph(self.collector, &services);
                }
                "Traces" if self.allows(InputFormat::XrayTraces) => {
                    self.found.formats.insert(InputFormat::XrayTraces);
                    map.next_value_seed(xray::Traces(&mut *self.collector))?;
                }
                "spans" if self.allows(InputFormat::JaegerTraces) => {
                    trace.spans = Some(map.next_value()?);
                }
                "processes" if self.allows(InputFormat::JaegerTraces) => {
                    trace.processes = map.next_value()?;
                }
                "parent" | "child" | "callCount"
                    if self.allows(InputFormat::JaegerDependencies) =>
                {
                    link.set(&key, &mut map)?;
                }
                _ => {
                    if self.depth == 0 && self.found.keys.len() < 8 {
                        self.found.keys.insert(key);
                    }
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(spans) = trace.spans {
            self.found.formats.insert(InputFormat::JaegerTraces);
            jaeger::trace(self.collector, &spans, &trace.processes);
        }
        if let Some((parent, child, calls)) = link.complete() {
            self.found.formats.insert(InputFormat::JaegerDependencies);
            self.collector
                .call_named(&parent, &child, InputFormat::JaegerDependencies, calls);
        }
        Ok(())
    }
}

/// An array of values (the top level of a file, or `data`), each visited
/// as a [`Value`] once it is read: one element in memory at a time.
struct Elements<'a> {
    collector: &'a mut Collector,
    forced: Option<InputFormat>,
    found: &'a mut Found,
}

impl<'de> DeserializeSeed<'de> for Elements<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of dependency links or traces")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Value {
                collector: &mut *self.collector,
                forced: self.forced,
                found: &mut *self.found,
                depth: 1,
            })?
            .is_some()
        {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(json: &str) -> Result<Document, Diagnostic> {
        let mut c = Collector::new();
        c.read(json.as_bytes(), "t.json", None)?;
        Ok(c.finish(&Options::default()))
    }

    fn requires(doc: &Document, id: &str) -> Vec<String> {
        doc.services[id]
            .requires
            .iter()
            .map(|e| match e {
                Entry::Id(id) => id.clone(),
                other => panic!("only single ids: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn hex_ids_with_and_without_leading_zeros_and_base64_ids_are_the_same_id() {
        assert_eq!(id_value("0a68c6983a6d81a2"), id_value("a68c6983a6d81a2"));
        assert_eq!(id_value("49B8E9EFA1E8A3B1"), id_value("49b8e9efa1e8a3b1"));
        // base64 "Sc130fnc2TY=" is the bytes 49 cd 77 d1 f9 dc d9 36.
        assert_eq!(id_value("Sc130fnc2TY="), id_value("49cd77d1f9dcd936"));
        assert_eq!(id_value(""), None);
    }

    #[test]
    fn dependency_links_sum_their_call_counts_and_drop_self_calls() {
        let doc = collect(
            r#"[{"parent":"a","child":"b","callCount":2},{"parent":"a","child":"b","callCount":3},
                {"parent":"b","child":"b","callCount":9}]"#,
        )
        .unwrap();
        assert_eq!(requires(&doc, "a"), ["b"]);
        assert!(doc.services["b"].requires.is_empty());
        let edges = &doc.meta.as_ref().unwrap().edges;
        assert_eq!(edges.len(), 1);
        assert_eq!(edges[0].calls, Some(5));
    }

    #[test]
    fn min_calls_drops_rare_calls_and_optional_makes_a_callee_soft() {
        let mut c = Collector::new();
        c.read(
            r#"{"data":[{"parent":"a","child":"b","callCount":1},{"parent":"a","child":"c","callCount":10},{"parent":"a","child":"d","callCount":10}]}"#
                .as_bytes(),
            "t.json",
            None,
        )
        .unwrap();
        let options = Options {
            min_calls: 2,
            optional: ["d".to_owned()].into(),
            renames: BTreeMap::new(),
        };
        let doc = c.finish(&options);
        assert_eq!(requires(&doc, "a"), ["c"]);
        assert_eq!(doc.services["a"].optional, [Entry::Id("d".into())]);
        assert_eq!(doc.meta.unwrap().edges.len(), 2);
    }

    #[test]
    fn rename_joins_two_names_of_one_service_and_their_call_becomes_a_self_call() {
        let mut c = Collector::new();
        c.read(
            r#"[{"parent":"web","child":"orders.prod","callCount":4},{"parent":"orders.prod","child":"orders","callCount":4}]"#
                .as_bytes(),
            "t.json",
            None,
        )
        .unwrap();
        let options = Options {
            renames: [("orders.prod".to_owned(), "orders".to_owned())].into(),
            ..Options::default()
        };
        let doc = c.finish(&options);
        assert_eq!(requires(&doc, "web"), ["orders"]);
        assert!(requires(&doc, "orders").is_empty());
        assert!(!doc.services.contains_key("orders.prod"));
    }

    #[test]
    fn a_truncated_file_names_its_line_and_column() {
        let err = collect("{\"data\": [\n{\"parent\": \"a\",").unwrap_err();
        assert_eq!(err.code, Code::MalformedTrace);
        assert!(err.message.starts_with("t.json:2:"), "{}", err.message);
        assert!(err.message.contains("EOF"), "{}", err.message);
    }

    #[test]
    fn an_object_of_no_known_format_lists_the_formats() {
        let err = collect(r#"{"hello": 1}"#).unwrap_err();
        assert_eq!(err.code, Code::UnknownTraceFormat);
        let notes = err.notes.join("\n");
        assert!(notes.contains("`hello`"), "{notes}");
        for f in InputFormat::ALL {
            assert!(notes.contains(f.name()), "{notes}");
        }
    }

    #[test]
    fn a_forced_format_ignores_the_keys_of_the_others() {
        let mut c = Collector::new();
        let err = c
            .read(
                r#"[{"parent":"a","child":"b","callCount":1}]"#.as_bytes(),
                "t.json",
                Some(InputFormat::Otlp),
            )
            .unwrap_err();
        assert_eq!(err.code, Code::UnknownTraceFormat);
        assert!(
            err.message.contains("does not hold otlp traces"),
            "{}",
            err.message
        );
    }
}
