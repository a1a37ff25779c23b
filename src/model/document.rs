//! The owned estate document (SPEC §1, §1.4): what collectors build and
//! write, and what the loader reads back.
//!
//! Every map is a `BTreeMap` and absent fields are skipped, so
//! [`Document::to_json_string`] writes the same bytes for the same estate
//! (keys sorted, SPEC §1.4). There is one reader, the loader (`load/`): this
//! type only writes, so what a collector writes is checked exactly as a
//! hand-written file is.

use std::collections::BTreeMap;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use super::{Criticality, NodeKind};

/// The estate format version this type writes.
pub const VERSION: u32 = 1;

/// One estate document: nodes in four sections, and collector metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    /// Always [`VERSION`].
    pub version: u32,
    /// Who collected the document, and how far they got (SPEC §1.4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Node>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, Node>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, Node>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub externals: BTreeMap<String, Node>,
}

impl Default for Document {
    fn default() -> Self {
        Document {
            version: VERSION,
            meta: None,
            functions: BTreeMap::new(),
            services: BTreeMap::new(),
            resources: BTreeMap::new(),
            externals: BTreeMap::new(),
        }
    }
}

impl Document {
    /// The section that holds nodes of `kind`.
    pub fn section(&self, kind: NodeKind) -> &BTreeMap<String, Node> {
        match kind {
            NodeKind::Function => &self.functions,
            NodeKind::Service => &self.services,
            NodeKind::Resource => &self.resources,
            NodeKind::External => &self.externals,
        }
    }

    /// The section that holds nodes of `kind`, to add to.
    pub fn section_mut(&mut self, kind: NodeKind) -> &mut BTreeMap<String, Node> {
        match kind {
            NodeKind::Function => &mut self.functions,
            NodeKind::Service => &mut self.services,
            NodeKind::Resource => &mut self.resources,
            NodeKind::External => &mut self.externals,
        }
    }

    /// Adds (or replaces) node `id` in the section of `kind`; returns the
    /// node it replaced. An id must be unique across sections: the loader
    /// rejects one defined in two.
    pub fn insert(&mut self, kind: NodeKind, id: impl Into<String>, node: Node) -> Option<Node> {
        self.section_mut(kind).insert(id.into(), node)
    }

    /// Every node with its kind, section by section, ids in byte order.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeKind, &str, &Node)> {
        NodeKind::ALL.into_iter().flat_map(move |k| {
            self.section(k)
                .iter()
                .map(move |(id, n)| (k, id.as_str(), n))
        })
    }

    /// The document as JSON with sorted keys, two-space indented, ending in
    /// a newline: the same document always gives the same bytes.
    pub fn to_json_string(&self) -> String {
        // Through `Value`, whose maps are sorted: struct fields would
        // otherwise come in declaration order.
        let value = serde_json::to_value(self).expect("a document serialises: string keys only");
        let mut out = serde_json::to_string_pretty(&value).expect("a JSON value always serialises");
        out.push('\n');
        out
    }
}

/// Collector metadata (SPEC §1.4). The loader reads `sources[].complete`
/// (an incomplete estate) and whether `sources` is empty (an observed
/// document, §1.5); reports may show the rest.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Meta {
    /// When the collection ran (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    /// Each collector run that contributed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<SourceMeta>,
    /// Calls seen (in traces), for provenance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
}

/// One collector run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceMeta {
    /// The collector's name (`aws-tagging`, `jaeger`).
    pub collector: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// False when the collector could not finish: the estate is then
    /// incomplete and commands exit 3 unless `--allow-incomplete`.
    pub complete: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<CollectError>,
}

impl SourceMeta {
    /// A collector run that finished, with nothing else said about it.
    pub fn complete(collector: impl Into<String>) -> Self {
        SourceMeta {
            collector: collector.into(),
            account: None,
            regions: Vec::new(),
            complete: true,
            errors: Vec::new(),
        }
    }
}

/// What stopped a collector in one region (and account).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectError {
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub error: String,
}

/// A call seen between two nodes, and by whom.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Which collector saw it (`jaeger`, `xray`).
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<u64>,
}

/// A node (SPEC §1.1). Every field is optional; the loader derives
/// `provider`, `service`, `region`, `account` and `type` from an ARN id or
/// `arn` unless they are given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Node {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criticality: Option<Criticality>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Zones>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_zones: Option<u32>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// SPEC §7 (not implemented yet): the loader rejects the field as
    /// unknown until availability lands, so leave it `None` meanwhile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<f64>,
    /// Hard requirements: one unsatisfied entry takes the node down.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Entry>,
    /// Soft requirements: one unsatisfied entry degrades the node.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<Entry>,
}

impl Node {
    /// Adds a tag, for chained construction.
    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.insert(key.into(), value.into());
        self
    }

    /// Adds a hard requirement, for chained construction.
    pub fn requires(mut self, entry: impl Into<Entry>) -> Self {
        self.requires.push(entry.into());
        self
    }
}

/// The zones a node runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zones {
    /// `"*"`: every zone of its region; never affected by a zone failure.
    Every,
    /// An explicit list.
    List(Vec<String>),
}

impl Serialize for Zones {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Zones::Every => s.serialize_str("*"),
            Zones::List(zones) => {
                let mut seq = s.serialize_seq(Some(zones.len()))?;
                for z in zones {
                    seq.serialize_element(z)?;
                }
                seq.end()
            }
        }
    }
}

impl Serialize for Criticality {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A requirement entry (SPEC §1.2). `allow_empty` is written only when true.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Entry {
    /// A single id: satisfied when that node is not down.
    Id(String),
    /// Every member not down.
    All {
        all: Vec<Member>,
        #[serde(skip_serializing_if = "is_false")]
        allow_empty: bool,
    },
    /// At least one member not down.
    Any {
        any: Vec<Member>,
        #[serde(skip_serializing_if = "is_false")]
        allow_empty: bool,
    },
    /// At least `quorum` members not down.
    Quorum {
        quorum: u32,
        of: Vec<Member>,
        #[serde(skip_serializing_if = "is_false")]
        allow_empty: bool,
    },
    /// Shorthand for `all` of one selector.
    Select {
        select: Selector,
        #[serde(skip_serializing_if = "is_false")]
        allow_empty: bool,
    },
    /// SPEC §6.1: the primary (first, a single id) or a standby, the
    /// standby only when every `via` node is not down. `via` is written
    /// only when not empty (an empty `via: []` is an error).
    Failover {
        failover: Vec<Member>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        via: Vec<String>,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl From<&str> for Entry {
    fn from(id: &str) -> Self {
        Entry::Id(id.to_owned())
    }
}

impl From<String> for Entry {
    fn from(id: String) -> Self {
        Entry::Id(id)
    }
}

/// A member of an entry's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Member {
    Id(String),
    /// Every node the selector matches, in id order.
    Select {
        select: Selector,
    },
}

impl From<&str> for Member {
    fn from(id: &str) -> Self {
        Member::Id(id.to_owned())
    }
}

/// Conditions that must all hold (SPEC §1.2); `*` matches any run of
/// characters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Selector {
    /// `function`, `service`, `resource` or `external`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_come_sorted_and_absent_fields_are_left_out() {
        let mut doc = Document::default();
        let node = Node {
            region: Some("us-east-1".into()),
            zones: Some(Zones::List(vec!["b".into(), "a".into()])),
            ..Node::default()
        }
        .tag("team", "pay")
        .requires(Entry::Quorum {
            quorum: 1,
            of: vec!["db".into()],
            allow_empty: false,
        });
        doc.insert(NodeKind::Service, "svc", node);
        doc.insert(NodeKind::External, "db", Node::default());
        let json = doc.to_json_string();
        let expected = r#"{
  "externals": {
    "db": {}
  },
  "services": {
    "svc": {
      "region": "us-east-1",
      "requires": [
        {
          "of": [
            "db"
          ],
          "quorum": 1
        }
      ],
      "tags": {
        "team": "pay"
      },
      "zones": [
        "b",
        "a"
      ]
    }
  },
  "version": 1
}
"#;
        assert_eq!(json, expected);
    }

    #[test]
    fn every_zone_is_written_as_a_star_and_allow_empty_only_when_true() {
        let node = Node {
            zones: Some(Zones::Every),
            optional: vec![Entry::Select {
                select: Selector {
                    type_: Some("ec2:*".into()),
                    ..Selector::default()
                },
                allow_empty: true,
            }],
            ..Node::default()
        };
        let json = serde_json::to_string(&node).unwrap();
        assert_eq!(
            json,
            r#"{"zones":"*","optional":[{"select":{"type":"ec2:*"},"allow_empty":true}]}"#
        );
    }
}
