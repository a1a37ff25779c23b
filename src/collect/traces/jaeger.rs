//! Jaeger: dependency links (`/api/dependencies`) and traces (`/api/traces`
//! JSON, or one bare `{traceID, spans, processes}` object). A trace is
//! self-contained (spans name their process), so each is resolved as soon
//! as it is read and then dropped.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{self, IgnoredAny, MapAccess};
use serde::Deserialize;

use super::{span_key, Collector, InputFormat, PEER_KEYS};

/// The parts of a bare trace object, gathered key by key (`spans` may come
/// before `processes`).
#[derive(Debug, Default)]
pub(super) struct BareTrace {
    pub spans: Option<Vec<Span>>,
    pub processes: BTreeMap<String, Process>,
}

/// One span: its ids, its process, its parents and its tags.
#[derive(Debug, Deserialize)]
pub(super) struct Span {
    #[serde(rename = "traceID", default)]
    trace_id: String,
    #[serde(rename = "spanID", default)]
    span_id: String,
    #[serde(rename = "parentSpanID", default)]
    parent_span_id: Option<String>,
    #[serde(default)]
    references: Option<Vec<Reference>>,
    #[serde(rename = "processID", default)]
    process_id: Option<String>,
    #[serde(default)]
    process: Option<Process>,
    #[serde(default)]
    tags: Option<Vec<Tag>>,
}

/// A span reference; only `CHILD_OF` makes a call (see the module doc of
/// `collect::traces` for why `FOLLOWS_FROM` does not).
#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(rename = "refType", default)]
    ref_type: String,
    #[serde(rename = "traceID", default)]
    trace_id: String,
    #[serde(rename = "spanID", default)]
    span_id: String,
}

/// A process: the service a span belongs to.
#[derive(Debug, Deserialize)]
pub(super) struct Process {
    #[serde(rename = "serviceName")]
    service_name: String,
}

/// A span tag; only string values matter here (`span.kind`, `peer.service`).
#[derive(Debug, Deserialize)]
struct Tag {
    key: String,
    #[serde(default)]
    value: Option<TagValue>,
}

/// A tag's value: text, or anything else (numbers, booleans), ignored.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TagValue {
    Text(String),
    // Read only to be skipped.
    #[allow(dead_code)]
    Other(IgnoredAny),
}

impl Span {
    /// The string value of tag `key`.
    fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().flatten().find_map(|t| match &t.value {
            Some(TagValue::Text(v)) if t.key == key => Some(v.as_str()),
            _ => None,
        })
    }

    /// The service of the span's process.
    fn service<'a>(&'a self, processes: &'a BTreeMap<String, Process>) -> Option<&'a str> {
        self.process
            .as_ref()
            .or_else(|| processes.get(self.process_id.as_deref()?))
            .map(|p| p.service_name.as_str())
    }

    /// The keys of the span's parents: `CHILD_OF` references and
    /// `parentSpanID`, each once.
    fn parents(&self) -> Vec<u64> {
        let mut parents: Vec<u64> = self
            .references
            .iter()
            .flatten()
            .filter(|r| r.ref_type.eq_ignore_ascii_case("CHILD_OF"))
            .filter_map(|r| {
                let trace = if r.trace_id.is_empty() {
                    &self.trace_id
                } else {
                    &r.trace_id
                };
                span_key(trace, &r.span_id)
            })
            .collect();
        parents.extend(
            self.parent_span_id
                .as_deref()
                .and_then(|p| span_key(&self.trace_id, p)),
        );
        parents.sort_unstable();
        parents.dedup();
        parents
    }
}

/// Counts the calls of one trace: a span whose parent belongs to another
/// service is one call from the parent's service to the span's; a client
/// or producer span naming a peer that no span of another service has as
/// parent is one call to that peer.
pub(super) fn trace(
    collector: &mut Collector,
    spans: &[Span],
    processes: &BTreeMap<String, Process>,
) {
    let mut owner: FxHashMap<u64, u32> = FxHashMap::default();
    for span in spans {
        let (Some(service), Some(key)) = (
            span.service(processes),
            span_key(&span.trace_id, &span.span_id),
        ) else {
            continue;
        };
        let service = collector.service(service);
        owner.entry(key).or_insert(service);
    }
    let mut called_remotely: FxHashSet<u64> = FxHashSet::default();
    for span in spans {
        let Some(service) = span.service(processes) else {
            continue;
        };
        let child = collector.intern(service);
        for parent in span.parents() {
            match owner.get(&parent) {
                Some(&caller) if caller != child => {
                    collector.call(caller, child, InputFormat::JaegerTraces, 1);
                    called_remotely.insert(parent);
                }
                _ => {}
            }
        }
    }
    for span in spans {
        let is_client = matches!(span.tag("span.kind"), Some("client" | "producer"));
        let key = span_key(&span.trace_id, &span.span_id);
        let (Some(service), true, Some(key)) = (span.service(processes), is_client, key) else {
            continue;
        };
        if called_remotely.contains(&key) {
            continue;
        }
        if let Some(peer) = PEER_KEYS.iter().find_map(|k| span.tag(k)) {
            collector.call_named(service, peer, InputFormat::JaegerTraces, 1);
        }
    }
}

/// A dependency link, gathered key by key.
#[derive(Debug, Default)]
pub(super) struct Link {
    parent: Option<String>,
    child: Option<String>,
    calls: Option<u64>,
}

impl Link {
    /// Reads the value of `key` (`parent`, `child` or `callCount`).
    pub fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "parent" => self.parent = Some(map.next_value()?),
            "child" => self.child = Some(map.next_value()?),
            "callCount" => self.calls = Some(map.next_value()?),
            _ => {
                return Err(de::Error::unknown_field(
                    key,
                    &["parent", "child", "callCount"],
                ))
            }
        }
        Ok(())
    }

    /// Parent, child and calls (1 when no count is given), once both
    /// names are known.
    pub fn complete(self) -> Option<(String, String, u64)> {
        Some((self.parent?, self.child?, self.calls.unwrap_or(1)))
    }
}
