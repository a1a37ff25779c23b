//! Where each call between two nodes was observed (SPEC §1.4 `meta.edges`),
//! so a report can show a reviewer the evidence for each edge of a path.
//!
//! Kept beside the graph rather than in it: the engine never reads it, and
//! it costs memory only in proportion to the edges collectors listed (a
//! hand-written estate has none, so its [`Provenance`] is empty).

use std::collections::BTreeMap;

use super::NodeIx;

/// The observations of every edge that has some, by `(from, to)`.
#[derive(Debug, Default, Clone)]
pub struct Provenance {
    /// Each document that listed an edge: its name and its collector.
    documents: Vec<(String, String)>,
    /// By `(from, to)`, in the order the documents were loaded.
    edges: BTreeMap<(NodeIx, NodeIx), Vec<Observation>>,
}

/// One sighting of a call: which source saw it, how often, and in which
/// document it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The format or tool that saw the call (`otlp`, `jaeger`, `backstage`).
    pub source: String,
    /// How many calls were seen, when the source counts them.
    pub calls: Option<u64>,
    /// Index into the provenance's documents.
    document: u32,
}

impl Provenance {
    /// No observation at all (what a hand-written estate has).
    pub fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    /// Registers a document that lists edges, by its name and the collector
    /// that wrote it; returns the handle to [`Provenance::record`] with.
    pub fn add_document(&mut self, name: &str, collector: &str) -> u32 {
        self.documents.push((name.to_owned(), collector.to_owned()));
        u32::try_from(self.documents.len() - 1).expect("fewer than 2^32 estate documents")
    }

    /// Records that `document` saw `from` call `to`.
    pub fn record(
        &mut self,
        from: NodeIx,
        to: NodeIx,
        document: u32,
        source: &str,
        calls: Option<u64>,
    ) {
        self.edges.entry((from, to)).or_default().push(Observation {
            source: source.to_owned(),
            calls,
            document,
        });
    }

    /// The observations of the edge `from → to`, in load order; empty when
    /// nothing observed it (a hand-written edge).
    pub fn observations(&self, from: NodeIx, to: NodeIx) -> &[Observation] {
        self.edges.get(&(from, to)).map_or(&[], Vec::as_slice)
    }

    /// The name of the document an observation was written in.
    pub fn document(&self, o: &Observation) -> &str {
        self.documents
            .get(o.document as usize)
            .map_or("", |(name, _)| name.as_str())
    }

    /// The collector that wrote the document of an observation (`traces`,
    /// `backstage`).
    pub fn collector(&self, o: &Observation) -> &str {
        self.documents
            .get(o.document as usize)
            .map_or("", |(_, collector)| collector.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edge_nobody_observed_has_no_observation() {
        let mut p = Provenance::default();
        assert!(p.is_empty());
        let doc = p.add_document("traces.json", "traces");
        p.record(1, 2, doc, "otlp", Some(7));
        p.record(1, 2, doc, "jaeger", None);
        assert!(p.observations(2, 1).is_empty(), "edges have a direction");
        let seen = p.observations(1, 2);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].calls, Some(7));
        assert_eq!(p.document(&seen[1]), "traces.json");
        assert_eq!(p.collector(&seen[1]), "traces");
    }
}
