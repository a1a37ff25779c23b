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
use serde_json::value::RawValue;

thread_local! {
    /// Set while a YAML document is deserialised: YAML locations come from
    /// serde-saphyr's `Spanned`, JSON locations from the borrowed slice's
    /// address. One model serves both formats this way.
    static YAML_SPANS: Cell<bool> = const { Cell::new(false) };

    /// The address in the JSON text of the first error raised by this
    /// module's visitors, when it is known better than serde_json knows it
    /// (serde_json places an error after the value the visitor consumed).
    static JSON_ERROR_AT: Cell<usize> = const { Cell::new(0) };
}

/// Runs a JSON `parse` and returns, with its result, where in the text
/// (an address into it, see [`At::address`]) the first error raised by
/// this module stands, if one was raised.
pub fn with_json_error_positions<T>(parse: impl FnOnce() -> T) -> (T, Option<usize>) {
    struct Reset(usize);
    impl Drop for Reset {
        fn drop(&mut self) {
            JSON_ERROR_AT.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(JSON_ERROR_AT.with(|c| c.replace(0)));
    let out = parse();
    let at = JSON_ERROR_AT.with(|c| c.get());
    (out, (at != 0).then_some(at))
}

/// An error at `address` in the JSON text. The innermost error is the one
/// a person must fix, so an address already recorded is kept.
fn json_error_at<E: de::Error>(address: usize, message: impl fmt::Display) -> E {
    JSON_ERROR_AT.with(|c| {
        if c.get() == 0 {
            c.set(address);
        }
    });
    E::custom(message)
}

/// Whether the document being read is JSON (no YAML span capture), so
/// that an example in a message is written in the document's own syntax.
fn reading_json() -> bool {
    !YAML_SPANS.with(|c| c.get())
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

/// A YAML scalar read as text; borrowed when the input allows it.
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
        // (`0123` stays `0123`).
        d.deserialize_str(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<Scalar<'a>>::deserialize(d)?;
            let at = yaml_at(&s.referenced);
            Ok(Text {
                value: s.value.0,
                at,
            })
        } else {
            let raw = <&'a RawValue>::deserialize(d)?;
            json_scalar(raw.get(), &"a string")
        }
    }
}

/// A JSON scalar from its text as written, positioned by the address of
/// that text in the document: a number keeps its digits (SPEC §1.1: `1.50`
/// stays `1.50`, `18446744073709551616` stays whole), a string is
/// unescaped (`"a\u00e9"` is `aé`) and still knows where it stands.
fn json_scalar<'a, E: de::Error>(raw: &'a str, expected: &dyn de::Expected) -> Result<Text<'a>, E> {
    let address = raw.as_ptr() as usize;
    let unexpected = match raw.as_bytes().first() {
        Some(b'"') => return json_string(raw),
        Some(b'{') => de::Unexpected::Map,
        Some(b'[') => de::Unexpected::Seq,
        Some(b'n') => de::Unexpected::Unit,
        _ => {
            return Ok(Text {
                value: Cow::Borrowed(raw),
                at: At::address(address),
            })
        }
    };
    let message = E::invalid_type(unexpected, expected).to_string();
    Err(json_error_at(
        address,
        message.replace("unit value", "null"),
    ))
}

/// A JSON string token (quotes included) as its value; borrowed unless it
/// holds escapes. Its position points just inside the opening quote, as
/// every JSON string position does.
fn json_string<'a, E: de::Error>(raw: &'a str) -> Result<Text<'a>, E> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let at = At::address(inner.as_ptr() as usize);
    if !inner.contains('\\') {
        return Ok(Text {
            value: Cow::Borrowed(inner),
            at,
        });
    }
    match serde_json::from_str::<String>(raw) {
        Ok(value) => Ok(Text {
            value: Cow::Owned(value),
            at,
        }),
        // A lone surrogate (`"\ud800"`): serde_json places the error at
        // or just after the escape; a JSON string holds no newline.
        Err(e) => {
            let offset = e.column().saturating_sub(1).min(raw.len());
            Err(json_error_at(
                raw.as_ptr() as usize + offset,
                without_json_position(&e.to_string()),
            ))
        }
    }
}

/// serde_json's message without its " at line L column C" suffix, for
/// errors whose position is given separately.
pub fn without_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Reads a JSON value again from its own text (a requirement entry held as
/// a [`RawValue`]), with an error placed where it stands in the document.
fn reparse_json<'a, T, E: de::Error>(
    raw: &'a str,
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'a>>,
    ) -> serde_json::Result<T>,
) -> Result<T, E> {
    let mut de = serde_json::Deserializer::from_str(raw);
    read(&mut de).map_err(|e| {
        let line_start = raw
            .match_indices('\n')
            .nth(e.line().saturating_sub(2))
            .filter(|_| e.line() > 1)
            .map_or(0, |(i, _)| i + 1);
        let offset = (line_start + e.column().saturating_sub(1)).min(raw.len());
        json_error_at(
            raw.as_ptr() as usize + offset,
            without_json_position(&e.to_string()),
        )
    })
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
    /// Calls a collector saw (`[{from, to, source, calls}]`), kept as
    /// provenance for reports; the `requires` entries say the same calls.
    #[serde(default)]
    pub edges: Vec<EdgeMeta>,
}

/// One observed call of `meta.edges`. Other keys are accepted and ignored,
/// like the rest of `meta`.
#[derive(Debug, Default, Deserialize)]
pub struct EdgeMeta {
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub calls: Option<u64>,
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
                    let value = map.next_value::<Node<'a>>().map_err(|e| {
                        super::shape::node_in_user_words(key.as_str(), e, reading_json())
                    })?;
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
            let value = value_of::<V, A>(&mut map, key.as_str()).map_err(|e| {
                super::shape::tag_value_in_user_words(key.as_str(), e, reading_json())
            })?;
            out.push((key, value));
        }
        out.shrink_to_fit();
        Ok(out)
    }
}

/// The string-to-string tags of a node, in order, duplicates kept.
#[derive(Debug, Default, Clone)]
pub struct Tags<'a>(pub Box<[(Text<'a>, Text<'a>)]>);

impl<'de: 'a, 'a> Deserialize<'de> for Tags<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor::<(&'a (), Text<'a>)>(PhantomData))
            .map(|pairs| Tags(pairs.into_boxed_slice()))
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
    Availability,
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
            NodeField::Availability => "availability",
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
    "availability",
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
    pub requires: Option<Box<[Entry<'a>]>>,
    pub optional: Option<Box<[Entry<'a>]>>,
    /// Keys that are not node fields (typos), reported with every other
    /// problem of the load rather than stopping it. Boxed: almost always
    /// absent, and a million nodes should not each carry an empty vector.
    pub unknown: Option<Box<Vec<Text<'a>>>>,
}

impl<'a> Node<'a> {
    /// Gives back the room its scalars grew into while they were read (a
    /// list of one grows to room for four): a million nodes are held at
    /// once while they are merged, so their lists are kept exactly sized
    /// (the others are read into boxed slices, exact by construction).
    fn fit(&mut self) {
        self.scalars.shrink_to_fit();
    }

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
            "availability" => NodeKey::Scalar(F::Availability),
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
                    let value = value_of(&mut map, f.name())
                        .map_err(|e| super::shape::in_user_words(f.name(), e, reading_json()))?;
                    node.scalars.push((f, value));
                }
                NodeKey::Zones => once(&mut node.zones, "zones", &mut map)?,
                NodeKey::Tags => once(&mut node.tags, "tags", &mut map)?,
                NodeKey::Requires => once(&mut node.requires, "requires", &mut map)?,
                NodeKey::Optional => once(&mut node.optional, "optional", &mut map)?,
            }
        }
        node.fit();
        Ok(node)
    }
}

/// Reads the value of the scalar key `key`. A null value (`~`, an empty
/// YAML value, JSON `null`) is an error that names the key, rather than
/// serde's "cannot deserialize null into string".
fn value_of<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
) -> Result<T, A::Error> {
    map.next_value::<Option<T>>()?.ok_or_else(|| {
        de::Error::custom(format_args!(
            "`{key}` has no value (null): write one, or leave `{key}` out"
        ))
    })
}

/// Reads a scalar key's value into `slot`; a key given twice is an error.
fn once_scalar<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    name: &'static str,
    map: &mut A,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    let value =
        value_of(map, name).map_err(|e| super::shape::in_user_words(name, e, reading_json()))?;
    *slot = Some(value);
    Ok(())
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
    let value = map
        .next_value()
        .map_err(|e| super::shape::in_user_words(name, e, reading_json()))?;
    *slot = Some(value);
    Ok(())
}

/// The zones a node runs in: an explicit list, or `"*"` (every zone of its
/// region, never affected by `zone:` domains).
#[derive(Debug, Clone)]
pub enum Zones<'a> {
    Every(Text<'a>),
    List(Box<[Text<'a>]>),
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
        Ok(Zones::List(out.into_boxed_slice()))
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
                "quorum" => once_scalar(&mut g.quorum, "quorum", &mut map)?,
                "of" => once(&mut g.of, "of", &mut map)?,
                "failover" => once(&mut g.failover, "failover", &mut map)?,
                "via" => once(&mut g.via, "via", &mut map)?,
                "allow_empty" => once_scalar(&mut g.allow_empty, "allow_empty", &mut map)?,
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
        for list in [&mut g.all, &mut g.any, &mut g.of, &mut g.failover]
            .into_iter()
            .flatten()
        {
            list.shrink_to_fit();
        }
        Ok(g)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Entry<'a> {
    /// JSON entries are read as raw text first, so that an id written as a
    /// number (`4`) or with escapes (`"a\u00e9"`) keeps its position and
    /// its text as written; a map is then read from that text. YAML ids
    /// take the position of the entry's node.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<EntryAny<'a>>::deserialize(d)?;
            let mut entry = s.value.0;
            if let Entry::Id(t) = &mut entry {
                t.at = t.at.or(yaml_at(&s.referenced));
            }
            return Ok(entry);
        }
        let raw = <&'a RawValue>::deserialize(d)?.get();
        if raw.starts_with('{') {
            reparse_json(raw, |de| de.deserialize_map(EntryVisitor(PhantomData)))
        } else {
            json_scalar(raw, &EntryVisitor(PhantomData)).map(Entry::Id)
        }
    }
}

/// An entry read with `deserialize_any`, for YAML (wrapped in `Spanned`).
struct EntryAny<'a>(Entry<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for EntryAny<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor(PhantomData)).map(EntryAny)
    }
}

/// A member read with `deserialize_any`, for YAML (wrapped in `Spanned`).
struct MemberAny<'a>(Member<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for MemberAny<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MemberVisitor(PhantomData)).map(MemberAny)
    }
}

/// The byte offset of a YAML location, as a position.
fn yaml_at(location: &serde_saphyr::Location) -> At {
    location
        .span()
        .byte_offset()
        .map_or(At::UNKNOWN, At::offset)
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
    /// Read as an [`Entry`] is, so that every id keeps its position.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<MemberAny<'a>>::deserialize(d)?;
            let mut member = s.value.0;
            if let Member::Id(t) = &mut member {
                t.at = t.at.or(yaml_at(&s.referenced));
            }
            return Ok(member);
        }
        let raw = <&'a RawValue>::deserialize(d)?.get();
        if raw.starts_with('{') {
            reparse_json(raw, |de| de.deserialize_map(MemberVisitor(PhantomData)))
        } else {
            json_scalar(raw, &MemberVisitor(PhantomData)).map(Member::Id)
        }
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
                    let value = value_of(&mut map, key.as_str()).map_err(|e| {
                        super::shape::in_user_words(key.as_str(), e, reading_json())
                    })?;
                    *slot = Some(value);
                }
                Ok(s)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}
