//! OpenTelemetry OTLP/JSON: `ExportTraceServiceRequest`s (`resourceSpans`,
//! or `batches` as Grafana Tempo writes them), one document or JSON lines.
//!
//! A span's parent may be in another resource, on another line or in
//! another file, so each resource is reduced to a few numbers per span
//! (its key and service, its parent's key, a client span's peer) and the
//! calls are resolved once every file is read ([`Pending::resolve`]).

use std::fmt;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde::Deserialize;

use super::{span_key, Collector, InputFormat, PEER_KEYS};

/// The service OpenTelemetry SDKs report when none is configured.
const UNKNOWN_SERVICE: &str = "unknown_service";

/// What is known of the spans read so far, until every file is read.
#[derive(Debug, Default)]
pub(super) struct Pending {
    /// Span key → the service that emitted it (the first one, for a
    /// duplicated id).
    owner: FxHashMap<u64, u32>,
    /// (parent span key, child's service) for every span with a parent.
    children: Vec<(u64, u32)>,
    /// (span key, service, peer) for client and producer spans naming a
    /// peer.
    clients: Vec<(u64, u32, u32)>,
}

impl Pending {
    /// Counts the calls: a child of a span of another service is a call
    /// from that service; a client span with no such child is a call to
    /// the peer it names (a callee that emits no spans, a database say).
    pub fn resolve(self, collector: &mut Collector) {
        let mut called_remotely: FxHashSet<u64> = FxHashSet::default();
        for (parent, child) in self.children {
            match self.owner.get(&parent) {
                Some(&caller) if caller != child => {
                    collector.call(caller, child, InputFormat::Otlp, 1);
                    called_remotely.insert(parent);
                }
                _ => {}
            }
        }
        for (key, service, peer) in self.clients {
            if !called_remotely.contains(&key) {
                collector.call(service, peer, InputFormat::Otlp, 1);
            }
        }
    }
}

/// The `resourceSpans` (or `batches`) array, visited one resource at a
/// time.
pub(super) struct Resources<'a>(pub &'a mut Collector);

impl<'de> DeserializeSeed<'de> for Resources<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Resources<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of resource spans")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(resource) = seq.next_element::<ResourceSpans>()? {
            resource.record(self.0);
        }
        Ok(())
    }
}

/// The spans of one resource (one service).
#[derive(Debug, Deserialize)]
struct ResourceSpans {
    #[serde(default)]
    resource: Option<Resource>,
    #[serde(
        rename = "scopeSpans",
        alias = "scope_spans",
        alias = "instrumentationLibrarySpans",
        alias = "instrumentation_library_spans",
        default
    )]
    scope_spans: Vec<ScopeSpans>,
}

#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

#[derive(Debug, Deserialize)]
struct ScopeSpans {
    #[serde(default)]
    spans: Vec<Span>,
}

#[derive(Debug, Deserialize)]
struct Span {
    #[serde(rename = "traceId", alias = "trace_id", default)]
    trace_id: String,
    #[serde(rename = "spanId", alias = "span_id", default)]
    span_id: String,
    #[serde(rename = "parentSpanId", alias = "parent_span_id", default)]
    parent_span_id: Option<String>,
    #[serde(default)]
    kind: Option<Kind>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

/// An attribute; only string values matter here.
#[derive(Debug, Deserialize)]
struct KeyValue {
    key: String,
    #[serde(default)]
    value: Option<AnyValue>,
}

#[derive(Debug, Deserialize)]
struct AnyValue {
    #[serde(rename = "stringValue", alias = "string_value", default)]
    string_value: Option<String>,
}

/// The string value of attribute `key`.
fn attribute<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.string_value.as_deref())
}

impl ResourceSpans {
    /// Reduces the resource's spans to what [`Pending::resolve`] needs.
    fn record(self, collector: &mut Collector) {
        let name = self
            .resource
            .as_ref()
            .and_then(|r| attribute(&r.attributes, "service.name"))
            .unwrap_or(UNKNOWN_SERVICE);
        let service = collector.service(name);
        for span in self.scope_spans.iter().flat_map(|s| &s.spans) {
            let key = span_key(&span.trace_id, &span.span_id);
            if let Some(key) = key {
                collector.otlp.owner.entry(key).or_insert(service);
            }
            if let Some(parent) = span
                .parent_span_id
                .as_deref()
                .and_then(|p| span_key(&span.trace_id, p))
            {
                collector.otlp.children.push((parent, service));
            }
            let calls_out = matches!(span.kind, Some(Kind::Client | Kind::Producer));
            let peer = PEER_KEYS
                .iter()
                .find_map(|k| attribute(&span.attributes, k));
            if let (true, Some(peer), Some(key)) = (calls_out, peer, key) {
                let peer = collector.intern(peer);
                collector.otlp.clients.push((key, service, peer));
            }
        }
    }
}

/// A span's kind, written as its number (`3`) or its enum name
/// (`"SPAN_KIND_CLIENT"`, or `"CLIENT"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Client,
    Producer,
    Other,
}

impl Kind {
    fn of_number(n: u64) -> Kind {
        match n {
            3 => Kind::Client,
            4 => Kind::Producer,
            _ => Kind::Other,
        }
    }

    fn of_name(name: &str) -> Kind {
        match name.strip_prefix("SPAN_KIND_").unwrap_or(name) {
            "CLIENT" | "client" => Kind::Client,
            "PRODUCER" | "producer" => Kind::Producer,
            _ => Kind::Other,
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        struct KindVisitor;
        impl Visitor<'_> for KindVisitor {
            type Value = Kind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a span kind: a number or a SPAN_KIND_* name")
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Kind, E> {
                Ok(Kind::of_number(n))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Kind, E> {
                Ok(u64::try_from(n).map_or(Kind::Other, Kind::of_number))
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Kind, E> {
                Ok(Kind::of_name(name))
            }
        }
        d.deserialize_any(KindVisitor)
    }
}
