//! The shapes of one estate document as written, before any checking.
//!
//! Every scalar is a [`Text`]: its value (borrowed from the input where the
//! format allows, so a million-node JSON file costs few allocations) and where
//! it stands, so that later checks can point at `file:line:col`. Maps are kept
//! as ordered lists of pairs so that duplicated keys can be reported instead of
//! silently overwritten, and so that nothing is hashed while parsing.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

thread_local! {
    /// Set while a YAML document is deserialised: YAML locations come from
    /// serde-saphyr's `Spanned`, JSON locations from the borrowed slice's
    /// address. One model serves both formats this way.
    static YAML_SPANS: Cell<bool> = const { Cell::new(false) };
}

/// Runs `parse` with YAML span capture switched on for this thread.
pub fn with_yaml_spans<T>(parse: impl FnOnce() -> T) -> T {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            YAML_SPANS.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(YAML_SPANS.with(|c| c.replace(true)));
    parse()
}

/// Where a value stands in its document: a byte offset (YAML), the
/// address of a slice borrowed from the document's text (JSON; turned into
/// an offset by [`At::offset_in`]), or unknown (an escaped JSON string).
/// Packed in one word, since every scalar of a million-node estate has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct At(u64);

const ADDRESS_BIT: u64 = 1 << 63;

impl At {
    /// No position known.
    pub const UNKNOWN: At = At(0);

    /// A byte offset into the document.
    pub fn offset(offset: u64) -> At {
        At((offset + 1) & !ADDRESS_BIT)
    }

    /// The address of a slice borrowed from the document's text.
    pub fn address(address: usize) -> At {
        At(address as u64 | ADDRESS_BIT)
    }

    /// The byte offset of this position in `text`, the document it came from.
    pub fn offset_in(self, text: &str) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        if self.0 & ADDRESS_BIT == 0 {
            return usize::try_from(self.0 - 1)
                .ok()
                .filter(|o| *o <= text.len());
        }
        let a = usize::try_from(self.0 & !ADDRESS_BIT).ok()?;
        let base = text.as_ptr() as usize;
        (a >= base && a <= base + text.len()).then(|| a - base)
    }

    /// Whether the position is a borrowed JSON string's address: it then
    /// points just inside the string's opening quote.
    pub fn is_inside_quotes(self) -> bool {
        self.0 & ADDRESS_BIT != 0
    }

    /// This position if known, else `fallback`.
    pub fn or(self, fallback: At) -> At {
        if self == At::UNKNOWN {
            fallback
        } else {
            self
        }
    }
}

/// A scalar as text, with where it stands. YAML numbers and booleans are
/// read as their text, since ids and account numbers are text (SPEC §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'a> {
    pub value: Cow<'a, str>,
    pub at: At,
}

impl<'a> Text<'a> {
    /// The value as a string slice.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// A scalar read as text; borrowed when the input allows it.
struct Scalar<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar(Cow::Owned(v.to_string())))
            }
        }
        // YAML hands a plain scalar to a string target exactly as written
        // (`0123` stays `0123`); JSON numbers come as numbers.
        if YAML_SPANS.with(|c| c.get()) {
            d.deserialize_str(V(PhantomData))
        } else {
            d.deserialize_any(V(PhantomData))
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<Scalar<'a>>::deserialize(d)?;
            let at = s
                .referenced
                .span()
                .byte_offset()
                .map_or(At::UNKNOWN, At::offset);
            Ok(Text {
                value: s.value.0,
                at,
            })
        } else {
            let Scalar(value) = Scalar::<'a>::deserialize(d)?;
            let at = match &value {
                Cow::Borrowed(s) => At::address(s.as_ptr() as usize),
                Cow::Owned(_) => At::UNKNOWN,
            };
            Ok(Text { value, at })
        }
    }
}

/// One document: the four sections, its version and collector metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'a"))]
pub struct Document<'a> {
    #[serde(borrow)]
    pub version: Option<Text<'a>>,
    #[serde(default)]
    pub meta: Option<Meta>,
    #[serde(default, borrow)]
    pub functions: Option<Section<'a>>,
    #[serde(default, borrow)]
    pub services: Option<Section<'a>>,
    #[serde(default, borrow)]
    pub resources: Option<Section<'a>>,
    #[serde(default, borrow)]
    pub externals: Option<Section<'a>>,
}

/// Collector metadata (SPEC §1.4). Only what the engine reads is typed; the
/// block is free to extend, so other keys are accepted and ignored.
#[derive(Debug, Default, Deserialize)]
pub struct Meta {
    #[serde(default)]
    pub sources: Vec<SourceMeta>,
    #[serde(default)]
    pub collected_at: Option<IgnoredAny>,
    #[serde(default)]
    pub edges: Option<IgnoredAny>,
}

/// One collector run that contributed to a document.
#[derive(Debug, Default, Deserialize)]
pub struct SourceMeta {
    #[serde(default)]
    pub collector: Option<String>,
    #[serde(default)]
    pub complete: Option<bool>,
    #[serde(default)]
    pub account: Option<IgnoredAny>,
    #[serde(default)]
    pub regions: Option<IgnoredAny>,
    #[serde(default)]
    pub errors: Option<IgnoredAny>,
}

/// The nodes of one section, in document order: `(id, node)`.
///
/// Kept in chunks of bounded size: a JSON map does not say how many
/// entries it has, and growing one vector of a million nodes would copy it
/// (and fault in fresh pages) again at every doubling.
#[derive(Debug, Default)]
pub struct Section<'a> {
    chunks: Vec<Vec<(Text<'a>, Node<'a>)>>,
}

/// Nodes per chunk of a [`Section`].
const SECTION_CHUNK: usize = 16 * 1024;

impl<'a> Section<'a> {
    /// Every `(id, node)`, in document order.
    pub fn iter(&self) -> impl Iterator<Item = &(Text<'a>, Node<'a>)> {
        self.chunks.iter().flatten()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// True when the section has no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Section<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Section<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of node ids to nodes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Section<'a>, A::Error> {
                let mut chunks: Vec<Vec<(Text<'a>, Node<'a>)>> = Vec::new();
                let mut chunk =
                    Vec::with_capacity(map.size_hint().unwrap_or(64).min(SECTION_CHUNK));
                while let Some(key) = map.next_key::<Text<'a>>()? {
                    let value = map.next_value::<Node<'a>>()?;
                    if chunk.len() == SECTION_CHUNK {
                        chunks.push(std::mem::replace(
                            &mut chunk,
                            Vec::with_capacity(SECTION_CHUNK),
                        ));
                    }
                    chunk.push((key, value));
                }
                chunks.push(chunk);
                Ok(Section { chunks })
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// Reads a map into `(key, value)` pairs, in order, duplicates kept.
struct PairsVisitor<V>(PhantomData<V>);

impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<(&'a (), V)> {
    type Value = Vec<(Text<'a>, V)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<Text<'a>>()? {
            let value = map.next_value::<V>()?;
            out.push((key, value));
        }
        Ok(out)
    }
}

/// The string-to-string tags of a node, in order, duplicates kept.
#[derive(Debug, Default, Clone)]
pub struct Tags<'a>(pub Vec<(Text<'a>, Text<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Tags<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor::<(&'a (), Text<'a>)>(PhantomData))
            .map(Tags)
    }
}

/// The scalar fields of a node (SPEC §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeField {
    Description,
    Criticality,
    Arn,
    Provider,
    Service,
    Type,
    Account,
    Region,
    MinZones,
}

impl NodeField {
    /// The field's name in a document.
    pub fn name(self) -> &'static str {
        match self {
            NodeField::Description => "description",
            NodeField::Criticality => "criticality",
            NodeField::Arn => "arn",
            NodeField::Provider => "provider",
            NodeField::Service => "service",
            NodeField::Type => "type",
            NodeField::Account => "account",
            NodeField::Region => "region",
            NodeField::MinZones => "min_zones",
        }
    }
}

/// Every field name a node accepts, for "unknown field" messages.
pub const NODE_FIELDS: &[&str] = &[
    "description",
    "criticality",
    "arn",
    "provider",
    "service",
    "type",
    "account",
    "region",
    "zones",
    "min_zones",
    "tags",
    "requires",
    "optional",
];

/// A node as written (SPEC §1.1). Unknown fields are errors.
///
/// Scalar fields are kept as a short list of the ones given rather than one
/// slot each: a node gives few of them, and a million-node estate then
/// costs a tenth of the memory to hold while it is merged.
#[derive(Debug, Default)]
pub struct Node<'a> {
    pub scalars: Vec<(NodeField, Text<'a>)>,
    pub zones: Option<Zones<'a>>,
    pub tags: Option<Tags<'a>>,
    pub requires: Option<Vec<Entry<'a>>>,
    pub optional: Option<Vec<Entry<'a>>>,
    /// Keys that are not node fields (typos), reported with every other
    /// problem of the load rather than stopping it. Boxed: almost always
    /// absent, and a million nodes should not each carry an empty vector.
    pub unknown: Option<Box<Vec<Text<'a>>>>,
}

impl<'a> Node<'a> {
    /// The value of a scalar field, if given.
    pub fn get(&self, field: NodeField) -> Option<&Text<'a>> {
        self.scalars
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t)
    }
}

/// A key of a node mapping.
enum NodeKey {
    Scalar(NodeField),
    Zones,
    Tags,
    Requires,
    Optional,
}

impl NodeKey {
    /// The field a key names, if it is one.
    fn parse(key: &str) -> Option<NodeKey> {
        use NodeField as F;
        Some(match key {
            "description" => NodeKey::Scalar(F::Description),
            "criticality" => NodeKey::Scalar(F::Criticality),
            "arn" => NodeKey::Scalar(F::Arn),
            "provider" => NodeKey::Scalar(F::Provider),
            "service" => NodeKey::Scalar(F::Service),
            "type" => NodeKey::Scalar(F::Type),
            "account" => NodeKey::Scalar(F::Account),
            "region" => NodeKey::Scalar(F::Region),
            "min_zones" => NodeKey::Scalar(F::MinZones),
            "zones" => NodeKey::Zones,
            "tags" => NodeKey::Tags,
            "requires" => NodeKey::Requires,
            "optional" => NodeKey::Optional,
            _ => return None,
        })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Node<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NodeVisitor(PhantomData))
    }
}

struct NodeVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for NodeVisitor<'a> {
    type Value = Node<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node: a mapping of fields such as requires, region, zones")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'a>, A::Error> {
        let mut node = Node::default();
        while let Some(text) = map.next_key::<Text<'a>>()? {
            let Some(key) = NodeKey::parse(text.as_str()) else {
                map.next_value::<IgnoredAny>()?;
                node.unknown.get_or_insert_with(Box::default).push(text);
                continue;
            };
            match key {
                NodeKey::Scalar(f) => {
                    if node.get(f).is_some() {
                        return Err(de::Error::duplicate_field(f.name()));
                    }
                    node.scalars.push((f, map.next_value()?));
                }
                NodeKey::Zones => once(&mut node.zones, "zones", &mut map)?,
                NodeKey::Tags => once(&mut node.tags, "tags", &mut map)?,
                NodeKey::Requires => once(&mut node.requires, "requires", &mut map)?,
                NodeKey::Optional => once(&mut node.optional, "optional", &mut map)?,
            }
        }
        Ok(node)
    }
}

/// Reads a field's value into `slot`; a field given twice is an error.
fn once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    name: &'static str,
    map: &mut A,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The zones a node runs in: an explicit list, or `"*"` (every zone of its
/// region, never affected by `zone:` domains).
#[derive(Debug, Clone)]
pub enum Zones<'a> {
    Every(Text<'a>),
    List(Vec<Text<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Zones<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ZonesVisitor(PhantomData))
    }
}

struct ZonesVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ZonesVisitor<'a> {
    type Value = Zones<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a list of zones, or "*""#)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(z) = seq.next_element::<Text<'a>>()? {
            out.push(z);
        }
        Ok(Zones::List(out))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.star(Cow::Borrowed(v), At::address(v.as_ptr() as usize))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.star(Cow::Owned(v.to_owned()), At::UNKNOWN)
    }
}

impl<'a> ZonesVisitor<'a> {
    fn star<E: de::Error>(self, v: Cow<'a, str>, at: At) -> Result<Zones<'a>, E> {
        if v == "*" {
            Ok(Zones::Every(Text { value: v, at }))
        } else {
            Err(E::custom(format_args!(
                "`zones` is `{v}`: write a list such as [use1-az1, use1-az2], or \"*\" for every zone of the region"
            )))
        }
    }
}

/// A requirement entry as written (SPEC §1.2): an id, or a map with one of
/// `all`, `any`, `quorum` + `of`, `select` (or `failover` + `via`, §6.1).
#[derive(Debug, Clone)]
pub enum Entry<'a> {
    Id(Text<'a>),
    Group(Box<Group<'a>>),
}

/// The map form of a requirement entry; which keys were given is checked later
/// so that every mistake in a file is reported, not only the first.
#[derive(Debug, Clone, Default)]
pub struct Group<'a> {
    pub all: Option<Vec<Member<'a>>>,
    pub any: Option<Vec<Member<'a>>>,
    pub quorum: Option<Text<'a>>,
    pub of: Option<Vec<Member<'a>>>,
    pub select: Option<Box<Selector<'a>>>,
    pub failover: Option<Vec<Member<'a>>>,
    pub via: Option<Vec<Text<'a>>>,
    pub allow_empty: Option<Text<'a>>,
    /// Where the entry starts (its first key), for messages about the entry.
    pub at: At,
    /// Keys that are not entry keys (typos such as `qourum`).
    pub unknown: Vec<Text<'a>>,
}

/// Every key a requirement entry accepts, for "unknown field" messages.
pub const GROUP_FIELDS: &[&str] = &[
    "all",
    "any",
    "quorum",
    "of",
    "select",
    "failover",
    "via",
    "allow_empty",
];

impl<'a> Group<'a> {
    /// Reads the entry's keys; each key's position is kept so messages can
    /// point at the entry (`any: []`) rather than at its owner.
    fn read<'de: 'a, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut g = Group::default();
        while let Some(key) = map.next_key::<Text<'a>>()? {
            if g.at == At::UNKNOWN {
                g.at = key.at;
            }
            match key.as_str() {
                "all" => once(&mut g.all, "all", &mut map)?,
                "any" => once(&mut g.any, "any", &mut map)?,
                "quorum" => once(&mut g.quorum, "quorum", &mut map)?,
                "of" => once(&mut g.of, "of", &mut map)?,
                "failover" => once(&mut g.failover, "failover", &mut map)?,
                "via" => once(&mut g.via, "via", &mut map)?,
                "allow_empty" => once(&mut g.allow_empty, "allow_empty", &mut map)?,
                "select" => {
                    once(&mut g.select, "select", &mut map)?;
                    if let Some(sel) = &mut g.select {
                        sel.at = key.at;
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    g.unknown.push(key);
                }
            }
        }
        if g.at == At::UNKNOWN {
            g.at = g.first_position();
        }
        Ok(g)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Entry<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor(PhantomData))
    }
}

struct EntryVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for EntryVisitor<'a> {
    type Value = Entry<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node id, or a map with one of `all`, `any`, `quorum` + `of`, `select`")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Entry::Id(Text {
            value: Cow::Borrowed(v),
            at: At::address(v.as_ptr() as usize),
        }))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Entry::Id(Text {
            value: Cow::Owned(v.to_owned()),
            at: At::UNKNOWN,
        }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Entry::Id(Text {
            value: Cow::Owned(v),
            at: At::UNKNOWN,
        }))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Group::read(map).map(|g| Entry::Group(Box::new(g)))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text::deserialize(d).map(Entry::Id)
    }
}

/// A member of an entry's list: an id, or `{select: SELECTOR}`.
#[derive(Debug, Clone)]
pub enum Member<'a> {
    Id(Text<'a>),
    Select(Box<Selector<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MemberVisitor(PhantomData))
    }
}

struct MemberVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for MemberVisitor<'a> {
    type Value = Member<'a>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node id, or `{select: {...}}`")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        EntryVisitor(PhantomData)
            .visit_borrowed_str(v)
            .map(Entry::into_id)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.visit_string(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Member::Id(Text {
            value: Cow::Owned(v),
            at: At::UNKNOWN,
        }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.visit_string(v.to_string())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let mut map = map;
        let mut select: Option<Box<Selector<'a>>> = None;
        while let Some(key) = map.next_key::<Text<'a>>()? {
            if key.as_str() != "select" {
                return Err(de::Error::unknown_field(key.as_str(), &["select"]));
            }
            once(&mut select, "select", &mut map)?;
            if let Some(sel) = &mut select {
                sel.at = key.at;
            }
        }
        select
            .map(Member::Select)
            .ok_or_else(|| de::Error::missing_field("select"))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text::deserialize(d).map(Member::Id)
    }
}

impl Group<'_> {
    /// The first known position inside the entry, standing for the entry.
    fn first_position(&self) -> At {
        let lists = [&self.all, &self.any, &self.of, &self.failover];
        let in_lists = lists.into_iter().flatten().flatten().map(Member::position);
        let scalars = [&self.quorum, &self.allow_empty]
            .into_iter()
            .flatten()
            .map(|t| t.at);
        let selector = self.select.iter().map(|s| s.position());
        scalars
            .chain(in_lists)
            .chain(selector)
            .find(|at| *at != At::UNKNOWN)
            .unwrap_or_default()
    }
}

impl Member<'_> {
    /// Where the member is written.
    pub fn position(&self) -> At {
        match self {
            Member::Id(t) => t.at,
            Member::Select(s) => s.position(),
        }
    }
}

impl Selector<'_> {
    /// Where the selector is written: its `select` key, else its first
    /// condition.
    pub fn position(&self) -> At {
        if self.at != At::UNKNOWN {
            return self.at;
        }
        let fields = [
            &self.kind,
            &self.id,
            &self.provider,
            &self.service,
            &self.type_,
            &self.account,
            &self.region,
            &self.zone,
        ];
        let tags = self.tags.iter().flat_map(|t| t.0.iter().map(|(k, _)| k.at));
        fields
            .into_iter()
            .flatten()
            .map(|t| t.at)
            .chain(tags)
            .find(|at| *at != At::UNKNOWN)
            .unwrap_or_default()
    }
}

impl<'a> Entry<'a> {
    fn into_id(self) -> Member<'a> {
        match self {
            Entry::Id(t) => Member::Id(t),
            Entry::Group(_) => unreachable!("a string entry is an id"),
        }
    }
}

/// A selector as written (SPEC §1.2): conditions that must all hold.
#[derive(Debug, Clone, Default)]
pub struct Selector<'a> {
    pub kind: Option<Text<'a>>,
    pub id: Option<Text<'a>>,
    pub provider: Option<Text<'a>>,
    pub service: Option<Text<'a>>,
    pub type_: Option<Text<'a>>,
    pub account: Option<Text<'a>>,
    pub region: Option<Text<'a>>,
    pub zone: Option<Text<'a>>,
    pub tags: Option<Tags<'a>>,
    /// Where `select:` is written.
    pub at: At,
    /// Condition keys that do not exist (typos such as `regoin`).
    pub unknown: Vec<Text<'a>>,
}

/// Every condition a selector accepts, for "unknown field" messages.
pub const SELECTOR_FIELDS: &[&str] = &[
    "kind", "id", "provider", "service", "type", "account", "region", "zone", "tags",
];

impl<'de: 'a, 'a> Deserialize<'de> for Selector<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Selector<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a selector: a mapping of conditions such as region, tags")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Selector<'a>, A::Error> {
                let mut s = Selector::default();
                while let Some(key) = map.next_key::<Text<'a>>()? {
                    let slot = match key.as_str() {
                        "kind" => &mut s.kind,
                        "id" => &mut s.id,
                        "provider" => &mut s.provider,
                        "service" => &mut s.service,
                        "type" => &mut s.type_,
                        "account" => &mut s.account,
                        "region" => &mut s.region,
                        "zone" => &mut s.zone,
                        "tags" => {
                            once(&mut s.tags, "tags", &mut map)?;
                            continue;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            s.unknown.push(key);
                            continue;
                        }
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field `{key}` in a selector"
                        )));
                    }
                    *slot = Some(map.next_value()?);
                }
                Ok(s)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
