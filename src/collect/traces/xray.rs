//! AWS X-Ray: `GetServiceGraph` output (services and their edges by
//! `ReferenceId`) and `BatchGetTraces` pages (segment documents as JSON
//! strings). A service graph is small and read whole; traces are read one
//! at a time.

use std::fmt;

use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde::Deserialize;

use super::{Collector, InputFormat};

/// A node of the service graph: a service, an `AWS::…` resource it
/// calls, or the `client` node (the users).
#[derive(Debug, Deserialize)]
pub(super) struct Service {
    #[serde(rename = "ReferenceId")]
    reference_id: i64,
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Type", default)]
    type_: Option<String>,
    #[serde(rename = "Edges", default)]
    edges: Vec<GraphEdge>,
}

#[derive(Debug, Deserialize)]
struct GraphEdge {
    #[serde(rename = "ReferenceId")]
    reference_id: i64,
    #[serde(rename = "SummaryStatistics", default)]
    statistics: Option<Statistics>,
}

#[derive(Debug, Deserialize)]
struct Statistics {
    #[serde(rename = "TotalCount", default)]
    total_count: Option<u64>,
}

impl Service {
    /// The node's name, unless it is the `client` node: the users are not a
    /// service of the estate (and the sample app's client node even shares
    /// its name with the service it calls).
    fn service_name(&self) -> Option<&str> {
        let is_client = self
            .type_
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("client"));
        self.name.as_deref().filter(|_| !is_client)
    }
}

/// Counts the graph's edges: `TotalCount` calls each (1 when absent).
pub(super) fn service_graph(collector: &mut Collector, services: &[Service]) {
    let by_reference: FxHashMap<i64, &Service> =
        services.iter().map(|s| (s.reference_id, s)).collect();
    for service in services {
        let Some(caller) = service.service_name() else {
            continue;
        };
        collector.service(caller);
        for edge in &service.edges {
            let callee = by_reference
                .get(&edge.reference_id)
                .and_then(|s| s.service_name());
            if let Some(callee) = callee {
                let calls = edge
                    .statistics
                    .as_ref()
                    .and_then(|s| s.total_count)
                    .unwrap_or(1);
                collector.call_named(caller, callee, InputFormat::XrayServiceGraph, calls);
            }
        }
    }
}

/// The `Traces` array of a `BatchGetTraces` page, one trace at a time.
pub(super) struct Traces<'a>(pub &'a mut Collector);

impl<'de> DeserializeSeed<'de> for Traces<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Traces<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of X-Ray traces")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(trace) = seq.next_element::<Trace>()? {
            trace_calls(self.0, &trace).map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct Trace {
    #[serde(rename = "Segments", default)]
    segments: Vec<Segment>,
}

#[derive(Debug, Deserialize)]
struct Segment {
    #[serde(rename = "Document")]
    document: String,
}

/// A segment document (or a subsegment of one): its id, name, parent and
/// subsegments.
#[derive(Debug, Deserialize)]
struct Document {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent_id: Option<String>,
    #[serde(default)]
    subsegments: Vec<Document>,
}

impl Document {
    /// Notes this (sub)segment's id and those of its subsegments as
    /// belonging to `service`.
    fn own(&self, service: u32, owner: &mut FxHashMap<String, u32>) {
        owner.entry(self.id.clone()).or_insert(service);
        for sub in &self.subsegments {
            sub.own(service, owner);
        }
    }
}

/// Counts the calls of one trace: a segment whose parent (a segment or a
/// subsegment, such as the call an SDK records before an inferred
/// `DynamoDB` segment) belongs to another service is one call.
fn trace_calls(collector: &mut Collector, trace: &Trace) -> Result<(), String> {
    let mut documents = Vec::with_capacity(trace.segments.len());
    for segment in &trace.segments {
        let document: Document = serde_json::from_str(&segment.document)
            .map_err(|e| format!("a segment's Document is not a segment document: {e}"))?;
        documents.push(document);
    }
    let mut owner: FxHashMap<String, u32> = FxHashMap::default();
    let mut services = Vec::with_capacity(documents.len());
    for document in &documents {
        let service = collector.service(&document.name);
        services.push(service);
        document.own(service, &mut owner);
    }
    for (document, &service) in documents.iter().zip(&services) {
        let caller = document.parent_id.as_ref().and_then(|p| owner.get(p));
        if let Some(&caller) = caller.filter(|&&c| c != service) {
            collector.call(caller, service, InputFormat::XrayTraces, 1);
        }
    }
    Ok(())
}
