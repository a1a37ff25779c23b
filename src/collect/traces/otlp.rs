//! OpenTelemetry OTLP/JSON: `ExportTraceServiceRequest`s (`resourceSpans`,
//! or `batches` as Grafana Tempo writes them), one document or JSON lines.
//!
//! A span's parent may be in another resource, on another line or in
//! another file, so each resource is reduced to a few numbers per span
//! (its key and service, its parent's key, a client span's peer) and the
//! calls are resolved once every file is read ([`Pending::resolve`]).
//!
//! Throughput (BENCHMARKS.md): ids are reduced to their value and attribute
//! keys to an [`AttrKey`] while they are read, and attribute values are
//! kept only for the keys used here, so a span costs no string allocation
//! but its peer's.

use std::fmt;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{id_value, span_key_of, Collector, InputFormat, PEER_KEYS};

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
    trace_id: Id,
    #[serde(rename = "spanId", alias = "span_id", default)]
    span_id: Id,
    #[serde(rename = "parentSpanId", alias = "parent_span_id", default)]
    parent_span_id: Id,
    #[serde(default)]
    kind: Option<Kind>,
    #[serde(default)]
    attributes: Vec<KeyValue>,
}

/// A trace or span id (hex or base64), reduced by [`id_value`] as it is
/// read; `null` or absent is no id.
#[derive(Debug, Default, Clone, Copy)]
struct Id(Option<u128>);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Id, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a trace or span id: a hex or base64 string")
            }
            fn visit_str<E: de::Error>(self, id: &str) -> Result<Id, E> {
                Ok(Id(id_value(id)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Id, E> {
                Ok(Id(None))
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Id, D::Error> {
                d.deserialize_any(IdVisitor)
            }
        }
        d.deserialize_option(IdVisitor)
    }
}

/// The attribute keys read here: `service.name` and the [`PEER_KEYS`] (by
/// their index); every other key is `Other` and its value is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttrKey {
    ServiceName,
    Peer(usize),
    Other,
}

impl AttrKey {
    fn of(key: &str) -> AttrKey {
        if key == "service.name" {
            return AttrKey::ServiceName;
        }
        PEER_KEYS
            .iter()
            .position(|&k| k == key)
            .map_or(AttrKey::Other, AttrKey::Peer)
    }
}

impl<'de> Deserialize<'de> for AttrKey {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<AttrKey, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = AttrKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<AttrKey, E> {
                Ok(AttrKey::of(key))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// An attribute; only string values of the keys in [`AttrKey`] matter
/// here, and only those are kept.
#[derive(Debug)]
struct KeyValue {
    key: AttrKey,
    value: Option<String>,
}

impl<'de> Deserialize<'de> for KeyValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<KeyValue, D::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Key,
            Value,
            #[serde(other)]
            Other,
        }
        struct KvVisitor;
        impl<'de> Visitor<'de> for KvVisitor {
            type Value = KeyValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an attribute: {\"key\", \"value\"}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyValue, A::Error> {
                let mut key = None;
                let mut value = None;
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        Field::Key => key = Some(map.next_value::<AttrKey>()?),
                        // The key usually comes first: then an unused
                        // value is skipped without being stored.
                        Field::Value if key != Some(AttrKey::Other) => {
                            value = map
                                .next_value::<Option<AnyValue>>()?
                                .and_then(|v| v.string_value);
                        }
                        Field::Value | Field::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                let key = key.ok_or_else(|| de::Error::missing_field("key"))?;
                Ok(KeyValue { key, value })
            }
        }
        d.deserialize_map(KvVisitor)
    }
}

#[derive(Debug, Deserialize)]
struct AnyValue {
    #[serde(rename = "stringValue", alias = "string_value", default)]
    string_value: Option<String>,
}

/// The string value of attribute `key`.
fn attribute(attributes: &[KeyValue], key: AttrKey) -> Option<&str> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_deref())
}

impl ResourceSpans {
    /// Reduces the resource's spans to what [`Pending::resolve`] needs.
    fn record(self, collector: &mut Collector) {
        let name = self
            .resource
            .as_ref()
            .and_then(|r| attribute(&r.attributes, AttrKey::ServiceName))
            .unwrap_or(UNKNOWN_SERVICE);
        let service = collector.service(name);
        for span in self.scope_spans.iter().flat_map(|s| &s.spans) {
            let key = span_key_of(span.trace_id.0, span.span_id.0);
            if let Some(key) = key {
                collector.otlp.owner.entry(key).or_insert(service);
            }
            if let Some(parent) = span_key_of(span.trace_id.0, span.parent_span_id.0) {
                collector.otlp.children.push((parent, service));
            }
            let calls_out = matches!(span.kind, Some(Kind::Client | Kind::Producer));
            let peer =
                (0..PEER_KEYS.len()).find_map(|i| attribute(&span.attributes, AttrKey::Peer(i)));
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

#[cfg(test)]
mod tests {
    use super::super::Options;
    use super::*;
    use crate::model::document::Entry;

    #[test]
    fn a_peer_attribute_written_value_first_and_a_null_parent_still_count() {
        let line = r#"{"resourceSpans":[{"resource":{"attributes":[
            {"key":"host.name","value":{"stringValue":"h1"}},
            {"value":{"stringValue":"orders"},"key":"service.name"}]},
          "scopeSpans":[{"spans":[
            {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","parentSpanId":null,"kind":3,
             "attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},
                           {"value":{"stringValue":"pg"},"key":"peer.service"}]}]}]}]}"#;
        let mut c = Collector::new();
        c.read(line.as_bytes(), "t.json", None).unwrap();
        let doc = c.finish(&Options::default());
        assert_eq!(doc.services["orders"].requires, [Entry::Id("pg".into())]);
        assert!(!doc.services.contains_key("postgresql"));
    }

    #[test]
    fn an_attribute_without_a_key_is_malformed() {
        let line =
            r#"{"resourceSpans":[{"resource":{"attributes":[{"value":{"stringValue":"x"}}]}}]}"#;
        let err = Collector::new()
            .read(line.as_bytes(), "t.json", None)
            .unwrap_err();
        assert!(
            err.message.contains("missing field `key`"),
            "{}",
            err.message
        );
    }
}
