//! The shapes of one estate document as written, before any checking.
//!
//! Every scalar is a [`Text`]: its value, interned in the load's
//! [`Strings`] (so a parsed scalar is 8 bytes, a million-node file is not
//! held as strings twice, and nothing borrows the input once it is parsed),
//! and where it stands, so that later checks can point at `file:line:col`.
//! Maps are kept as ordered lists of pairs so that duplicated keys can be
//! reported instead of silently overwritten.
//!
//! These serde shapes read YAML, and JSON that the one-pass reader
//! (`load::scan`) leaves to serde; the reader builds the same shapes.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

pub use super::strings::{Str, Strings};

thread_local! {
    /// Set while a YAML document is deserialised: YAML locations come from
    /// serde-saphyr's `Spanned`, JSON locations from the borrowed slice's
    /// address. One model serves both formats this way.
    static YAML_SPANS: Cell<bool> = const { Cell::new(false) };

    /// The address in the JSON text of the first error raised by this
    /// module's visitors, when it is known better than serde_json knows it
    /// (serde_json places an error after the value the visitor consumed).
    static JSON_ERROR_AT: Cell<usize> = const { Cell::new(0) };

    /// Where the JSON text being parsed lies: its address and length, so
    /// that a slice borrowed from it gives its offset.
    static JSON_TEXT: Cell<(usize, usize)> = const { Cell::new((0, 0)) };

    /// The strings of the parse under way (see [`with_strings`]).
    static STRINGS: RefCell<Strings> = RefCell::new(Strings::default());
}

/// Runs a JSON `parse` of `text` and returns, with its result, where in
/// the text (an address into it) the first error raised by this module
/// stands, if one was raised. Positions of values borrowed from `text`
/// ([`At::address`]) are offsets into it.
pub fn with_json_error_positions<T>(text: &str, parse: impl FnOnce() -> T) -> (T, Option<usize>) {
    struct Reset(usize, (usize, usize));
    impl Drop for Reset {
        fn drop(&mut self) {
            JSON_ERROR_AT.with(|c| c.set(self.0));
            JSON_TEXT.with(|c| c.set(self.1));
        }
    }
    let _reset = Reset(
        JSON_ERROR_AT.with(|c| c.replace(0)),
        JSON_TEXT.with(|c| c.replace((text.as_ptr() as usize, text.len()))),
    );
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

/// Where a value stands in its document: a byte offset, and whether it
/// is a JSON token's (a string's position is then just inside its opening
/// quote), or unknown. Packed in 32 bits, since every scalar of a
/// million-node estate has one: the offset (plus one, 0 being unknown) in
/// 31 bits, which is why an input is at most [`MAX_OFFSET`] bytes long.
///
/// [`MAX_OFFSET`]: At::MAX_OFFSET
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct At(u32);

const JSON_BIT: u32 = 1 << 31;

impl At {
    /// No position known.
    pub const UNKNOWN: At = At(0);

    /// The largest offset a position holds.
    pub const MAX_OFFSET: u64 = (JSON_BIT - 2) as u64;

    /// A byte offset into the document (unknown past [`At::MAX_OFFSET`]).
    pub fn offset(offset: u64) -> At {
        match u32::try_from(offset) {
            Ok(o) if u64::from(o) <= At::MAX_OFFSET => At(o + 1),
            _ => At::UNKNOWN,
        }
    }

    /// The position of a JSON token that starts at `offset`.
    pub fn json(offset: usize) -> At {
        match u32::try_from(offset) {
            Ok(o) if u64::from(o) <= At::MAX_OFFSET => At((o + 1) | JSON_BIT),
            _ => At::UNKNOWN,
        }
    }

    /// The position of a slice borrowed from the JSON text being parsed
    /// (see [`with_json_error_positions`], which says where the text is).
    pub fn address(address: usize) -> At {
        let base = JSON_TEXT.with(|c| c.get());
        match address.checked_sub(base.0) {
            Some(offset) if offset <= base.1 => At::json(offset),
            _ => At::UNKNOWN,
        }
    }

    /// The byte offset of this position in `text`, the document it came from.
    pub fn offset_in(self, text: &str) -> Option<usize> {
        let stored = self.0 & !JSON_BIT;
        if stored == 0 {
            return None;
        }
        usize::try_from(stored - 1)
            .ok()
            .filter(|o| *o <= text.len())
    }

    /// Whether the position is a JSON token's: a string's then points just
    /// inside its opening quote.
    pub fn is_inside_quotes(self) -> bool {
        self.0 & JSON_BIT != 0
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
/// The text itself is interned in the load's [`Strings`]: read it with
/// `strings[text.sym]` or [`Text::str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub sym: Str,
    pub at: At,
}

impl Text {
    /// `value` interned in the strings of the parse under way, at `at`.
    /// Outside [`with_strings`] (never, in the loader) the text is lost.
    pub fn new(value: &str, at: At) -> Text {
        let sym = STRINGS.with(|s| s.borrow_mut().intern(value));
        Text { sym, at }
    }

    /// The text, from the load's strings.
    pub fn str(self, strings: &Strings) -> &str {
        strings.get(self.sym)
    }
}

/// Runs a `parse` that interns its texts into `strings`.
pub fn with_strings<T>(strings: &mut Strings, parse: impl FnOnce() -> T) -> T {
    struct Back<'s>(&'s mut Strings);
    impl Drop for Back<'_> {
        fn drop(&mut self) {
            STRINGS.with(|s| std::mem::swap(&mut *s.borrow_mut(), self.0));
        }
    }
    STRINGS.with(|s| std::mem::swap(&mut *s.borrow_mut(), strings));
    let _back = Back(strings);
    parse()
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

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Key::deserialize(d).map(|k| k.text())
    }
}

/// A scalar read but not yet interned: a map's key, matched against the
/// field names without copying it; interned only when it is kept.
struct Key<'de> {
    value: Cow<'de, str>,
    at: At,
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        &self.value
    }

    /// The key as a [`Text`] of the parse under way.
    fn text(&self) -> Text {
        Text::new(&self.value, self.at)
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<Scalar<'de>>::deserialize(d)?;
            Ok(Key {
                value: s.value.0,
                at: yaml_at(&s.referenced),
            })
        } else {
            let raw = <&'de RawValue>::deserialize(d)?;
            json_scalar(raw.get(), &"a string")
        }
    }
}

/// A JSON scalar from its text as written, positioned by the address of
/// that text in the document: a number keeps its digits (SPEC §1.1: `1.50`
/// stays `1.50`, `18446744073709551616` stays whole), a string is
/// unescaped (`"a\u00e9"` is `aé`) and still knows where it stands.
fn json_scalar<'a, E: de::Error>(raw: &'a str, expected: &dyn de::Expected) -> Result<Key<'a>, E> {
    let address = raw.as_ptr() as usize;
    let unexpected = match raw.as_bytes().first() {
        Some(b'"') => return json_string(raw),
        Some(b'{') => de::Unexpected::Map,
        Some(b'[') => de::Unexpected::Seq,
        Some(b'n') => de::Unexpected::Unit,
        _ => {
            return Ok(Key {
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
fn json_string<'a, E: de::Error>(raw: &'a str) -> Result<Key<'a>, E> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let at = At::address(inner.as_ptr() as usize);
    if !inner.contains('\\') {
        return Ok(Key {
            value: Cow::Borrowed(inner),
            at,
        });
    }
    match serde_json::from_str::<String>(raw) {
        Ok(value) => Ok(Key {
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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub version: Option<Text>,
    #[serde(default)]
    pub meta: Option<Meta>,
    #[serde(default)]
    pub functions: Option<Section>,
    #[serde(default)]
    pub services: Option<Section>,
    #[serde(default)]
    pub resources: Option<Section>,
    #[serde(default)]
    pub externals: Option<Section>,
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
pub struct Section {
    chunks: Vec<Vec<(Text, Node)>>,
    /// Whether the ids are known to stand in strictly ascending byte
    /// order: set by the JSON reader, which sees each id's bytes as it
    /// reads them (never by the serde path). The merge then places the
    /// section whole instead of sorting its nodes among the others.
    ascending: bool,
}

/// Nodes per chunk of a [`Section`].
const SECTION_CHUNK: usize = 16 * 1024;

impl Section {
    /// Every `(id, node)`, in document order.
    pub fn iter(&self) -> impl Iterator<Item = &(Text, Node)> {
        self.chunks.iter().flatten()
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Every `(id, node)`, in document order, a run at a time.
    pub fn runs(&self) -> impl Iterator<Item = &[(Text, Node)]> {
        self.chunks.iter().map(Vec::as_slice)
    }

    /// True when the section has no node.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the ids are known to ascend strictly (see the field).
    pub fn ascending(&self) -> bool {
        self.ascending
    }

    /// Records whether the ids are known to ascend strictly: only a
    /// reader that compared every id with the one before may say yes.
    pub fn set_ascending(&mut self, ascending: bool) {
        self.ascending = ascending;
    }

    /// The first node's id and the last one's.
    pub fn first_and_last_id(&self) -> Option<(Text, Text)> {
        let first = self.chunks.iter().find_map(|c| c.first())?.0;
        let last = self.chunks.iter().rev().find_map(|c| c.last())?.0;
        Some((first, last))
    }

    /// Appends a node, in document order.
    pub fn push(&mut self, id: Text, node: Node) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < SECTION_CHUNK => chunk.push((id, node)),
            _ => {
                let mut chunk = Vec::with_capacity(SECTION_CHUNK);
                chunk.push((id, node));
                self.chunks.push(chunk);
            }
        }
    }
}

impl<'de> Deserialize<'de> for Section {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Section;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of node ids to nodes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Section, A::Error> {
                let mut chunks: Vec<Vec<(Text, Node)>> = Vec::new();
                let mut chunk =
                    Vec::with_capacity(map.size_hint().unwrap_or(64).min(SECTION_CHUNK));
                while let Some(key) = map.next_key::<Key>()? {
                    let value = map.next_value::<Node>().map_err(|e| {
                        super::shape::node_in_user_words(key.as_str(), e, reading_json())
                    })?;
                    if chunk.len() == SECTION_CHUNK {
                        chunks.push(std::mem::replace(
                            &mut chunk,
                            Vec::with_capacity(SECTION_CHUNK),
                        ));
                    }
                    chunk.push((key.text(), value));
                }
                chunks.push(chunk);
                Ok(Section {
                    chunks,
                    ascending: false,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads a map into `(key, value)` pairs, in order, duplicates kept.
struct PairsVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
    type Value = Vec<(Text, V)>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<Key>()? {
            let value = value_of::<V, A>(&mut map, key.as_str()).map_err(|e| {
                super::shape::tag_value_in_user_words(key.as_str(), e, reading_json())
            })?;
            out.push((key.text(), value));
        }
        out.shrink_to_fit();
        Ok(out)
    }
}

/// The string-to-string tags of a node, in order, duplicates kept.
#[derive(Debug, Default, Clone)]
pub struct Tags(pub Box<[(Text, Text)]>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(PairsVisitor::<Text>(PhantomData))
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
    /// The scalar field a node key names (the serde path and the one-pass
    /// reader share this vocabulary).
    pub fn from_key(key: &str) -> Option<NodeField> {
        use NodeField as F;
        Some(match key {
            "description" => F::Description,
            "criticality" => F::Criticality,
            "arn" => F::Arn,
            "provider" => F::Provider,
            "service" => F::Service,
            "type" => F::Type,
            "account" => F::Account,
            "region" => F::Region,
            "min_zones" => F::MinZones,
            "availability" => F::Availability,
            _ => return None,
        })
    }

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
pub struct Node {
    pub scalars: Vec<(NodeField, Text)>,
    pub zones: Option<Zones>,
    pub tags: Option<Tags>,
    pub requires: Option<Box<[Entry]>>,
    pub optional: Option<Box<[Entry]>>,
    /// Keys that are not node fields (typos), reported with every other
    /// problem of the load rather than stopping it. Boxed: almost always
    /// absent, and a million nodes should not each carry an empty vector.
    pub unknown: Option<Box<Vec<Text>>>,
}

impl Node {
    /// Gives back the room its scalars grew into while they were read (a
    /// list of one grows to room for four): a million nodes are held at
    /// once while they are merged, so their lists are kept exactly sized
    /// (the others are read into boxed slices, exact by construction).
    pub fn fit(&mut self) {
        self.scalars.shrink_to_fit();
    }

    /// The value of a scalar field, if given.
    pub fn get(&self, field: NodeField) -> Option<&Text> {
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
        if let Some(f) = NodeField::from_key(key) {
            return Some(NodeKey::Scalar(f));
        }
        Some(match key {
            "zones" => NodeKey::Zones,
            "tags" => NodeKey::Tags,
            "requires" => NodeKey::Requires,
            "optional" => NodeKey::Optional,
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node: a mapping of fields such as requires, region, zones")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut node = Node::default();
        while let Some(text) = map.next_key::<Key>()? {
            let Some(key) = NodeKey::parse(text.as_str()) else {
                map.next_value::<IgnoredAny>()?;
                node.unknown
                    .get_or_insert_with(Box::default)
                    .push(text.text());
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
pub enum Zones {
    Every(Text),
    List(Box<[Text]>),
}

impl<'de> Deserialize<'de> for Zones {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ZonesVisitor)
    }
}

struct ZonesVisitor;

impl<'de> Visitor<'de> for ZonesVisitor {
    type Value = Zones;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"a list of zones, or "*""#)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(z) = seq.next_element::<Text>()? {
            out.push(z);
        }
        Ok(Zones::List(out.into_boxed_slice()))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.star(v, At::address(v.as_ptr() as usize))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.star(v, At::UNKNOWN)
    }
}

impl ZonesVisitor {
    fn star<E: de::Error>(self, v: &str, at: At) -> Result<Zones, E> {
        if v == "*" {
            Ok(Zones::Every(Text::new(v, at)))
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
pub enum Entry {
    Id(Text),
    Group(Box<Group>),
}

/// The map form of a requirement entry; which keys were given is checked later
/// so that every mistake in a file is reported, not only the first.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub all: Option<Vec<Member>>,
    pub any: Option<Vec<Member>>,
    pub quorum: Option<Text>,
    pub of: Option<Vec<Member>>,
    pub select: Option<Box<Selector>>,
    pub failover: Option<Vec<Member>>,
    pub via: Option<Vec<Text>>,
    pub allow_empty: Option<Text>,
    /// Where the entry starts (its first key), for messages about the entry.
    pub at: At,
    /// Keys that are not entry keys (typos such as `qourum`).
    pub unknown: Vec<Text>,
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

impl Group {
    /// Reads the entry's keys; each key's position is kept so messages can
    /// point at the entry (`any: []`) rather than at its owner.
    fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut g = Group::default();
        while let Some(key) = map.next_key::<Key>()? {
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
                    g.unknown.push(key.text());
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

impl<'de> Deserialize<'de> for Entry {
    /// JSON entries are read as raw text first, so that an id written as a
    /// number (`4`) or with escapes (`"a\u00e9"`) keeps its position and
    /// its text as written; a map is then read from that text. YAML ids
    /// take the position of the entry's node.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<EntryAny>::deserialize(d)?;
            let mut entry = s.value.0;
            if let Entry::Id(t) = &mut entry {
                t.at = t.at.or(yaml_at(&s.referenced));
            }
            return Ok(entry);
        }
        let raw = <&'de RawValue>::deserialize(d)?.get();
        if raw.starts_with('{') {
            reparse_json(raw, |de| de.deserialize_map(EntryVisitor))
        } else {
            json_scalar(raw, &EntryVisitor).map(|k| Entry::Id(k.text()))
        }
    }
}

/// An entry read with `deserialize_any`, for YAML (wrapped in `Spanned`).
struct EntryAny(Entry);

impl<'de> Deserialize<'de> for EntryAny {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor).map(EntryAny)
    }
}

/// A member read with `deserialize_any`, for YAML (wrapped in `Spanned`).
struct MemberAny(Member);

impl<'de> Deserialize<'de> for MemberAny {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MemberVisitor).map(MemberAny)
    }
}

/// The byte offset of a YAML location, as a position.
fn yaml_at(location: &serde_saphyr::Location) -> At {
    location
        .span()
        .byte_offset()
        .map_or(At::UNKNOWN, At::offset)
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node id, or a map with one of `all`, `any`, `quorum` + `of`, `select`")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Entry::Id(Text::new(v, At::address(v.as_ptr() as usize))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Entry::Id(Text::new(v, At::UNKNOWN)))
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
        Ok(Entry::Id(Text::new(&v, At::UNKNOWN)))
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
pub enum Member {
    Id(Text),
    Select(Box<Selector>),
}

impl<'de> Deserialize<'de> for Member {
    /// Read as an [`Entry`] is, so that every id keeps its position.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if YAML_SPANS.with(|c| c.get()) {
            let s = serde_saphyr::Spanned::<MemberAny>::deserialize(d)?;
            let mut member = s.value.0;
            if let Member::Id(t) = &mut member {
                t.at = t.at.or(yaml_at(&s.referenced));
            }
            return Ok(member);
        }
        let raw = <&'de RawValue>::deserialize(d)?.get();
        if raw.starts_with('{') {
            reparse_json(raw, |de| de.deserialize_map(MemberVisitor))
        } else {
            json_scalar(raw, &MemberVisitor).map(|k| Member::Id(k.text()))
        }
    }
}

struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a node id, or `{select: {...}}`")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        EntryVisitor.visit_borrowed_str(v).map(Entry::into_id)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.visit_string(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Member::Id(Text::new(&v, At::UNKNOWN)))
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
        let mut select: Option<Box<Selector>> = None;
        while let Some(key) = map.next_key::<Key>()? {
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

impl Group {
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

impl Member {
    /// Where the member is written.
    pub fn position(&self) -> At {
        match self {
            Member::Id(t) => t.at,
            Member::Select(s) => s.position(),
        }
    }
}

impl Selector {
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

impl Entry {
    fn into_id(self) -> Member {
        match self {
            Entry::Id(t) => Member::Id(t),
            Entry::Group(_) => unreachable!("a string entry is an id"),
        }
    }
}

/// A selector as written (SPEC §1.2): conditions that must all hold.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub kind: Option<Text>,
    pub id: Option<Text>,
    pub provider: Option<Text>,
    pub service: Option<Text>,
    pub type_: Option<Text>,
    pub account: Option<Text>,
    pub region: Option<Text>,
    pub zone: Option<Text>,
    pub tags: Option<Tags>,
    /// Where `select:` is written.
    pub at: At,
    /// Condition keys that do not exist (typos such as `regoin`).
    pub unknown: Vec<Text>,
}

impl Selector {
    /// The slot of the scalar condition `key` (every condition but
    /// `tags`), for the serde path and the one-pass reader alike.
    pub fn condition(&mut self, key: &str) -> Option<&mut Option<Text>> {
        Some(match key {
            "kind" => &mut self.kind,
            "id" => &mut self.id,
            "provider" => &mut self.provider,
            "service" => &mut self.service,
            "type" => &mut self.type_,
            "account" => &mut self.account,
            "region" => &mut self.region,
            "zone" => &mut self.zone,
            _ => return None,
        })
    }
}

/// Every condition a selector accepts, for "unknown field" messages.
pub const SELECTOR_FIELDS: &[&str] = &[
    "kind", "id", "provider", "service", "type", "account", "region", "zone", "tags",
];

impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Selector;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a selector: a mapping of conditions such as region, tags")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Selector, A::Error> {
                let mut s = Selector::default();
                while let Some(key) = map.next_key::<Key>()? {
                    if key.as_str() == "tags" {
                        once(&mut s.tags, "tags", &mut map)?;
                        continue;
                    }
                    let Some(slot) = s.condition(key.as_str()) else {
                        map.next_value::<IgnoredAny>()?;
                        s.unknown.push(key.text());
                        continue;
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom(format_args!(
                            "duplicate field `{}` in a selector",
                            key.as_str()
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
        d.deserialize_map(V)
    }
}
/// Visiting every text of a parsed document, to renumber the texts of a
/// part read into another interning table (the second half of a large JSON
/// document, read on the other core by `scan`). Each type is destructured
/// in full: a field added later does not compile until it is visited here.
impl Document {
    pub fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        let Document {
            version,
            meta: _,
            functions,
            services,
            resources,
            externals,
        } = self;
        version.iter_mut().for_each(&mut *f);
        for section in [functions, services, resources, externals]
            .into_iter()
            .flatten()
        {
            section.for_each_text_mut(f);
        }
    }
}

impl Document {
    /// Takes the top-level keys of `rest`, the end of this document read
    /// apart (none of its keys is one this document holds).
    pub fn fill_from(&mut self, rest: Document) {
        let Document {
            version,
            meta,
            functions,
            services,
            resources,
            externals,
        } = rest;
        self.version = self.version.take().or(version);
        self.meta = self.meta.take().or(meta);
        self.functions = self.functions.take().or(functions);
        self.services = self.services.take().or(services);
        self.resources = self.resources.take().or(resources);
        self.externals = self.externals.take().or(externals);
    }
}

impl Section {
    pub fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        for (id, node) in self.chunks.iter_mut().flatten() {
            f(id);
            node.for_each_text_mut(f);
        }
    }

    /// Appends the nodes of `more`, after this section's own.
    pub fn append(&mut self, more: Section) {
        self.chunks
            .extend(more.chunks.into_iter().filter(|c| !c.is_empty()));
    }
}

impl Node {
    fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        let Node {
            scalars,
            zones,
            tags,
            requires,
            optional,
            unknown,
        } = self;
        scalars.iter_mut().for_each(|(_, t)| f(t));
        match zones {
            Some(Zones::Every(t)) => f(t),
            Some(Zones::List(list)) => list.iter_mut().for_each(&mut *f),
            None => {}
        }
        if let Some(tags) = tags {
            tags.for_each_text_mut(f);
        }
        for entry in requires
            .iter_mut()
            .chain(optional)
            .flat_map(|e| e.iter_mut())
        {
            match entry {
                Entry::Id(t) => f(t),
                Entry::Group(g) => g.for_each_text_mut(f),
            }
        }
        unknown.iter_mut().flat_map(|u| u.iter_mut()).for_each(f);
    }
}

impl Tags {
    fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        for (key, value) in self.0.iter_mut() {
            f(key);
            f(value);
        }
    }
}

impl Group {
    fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        let Group {
            all,
            any,
            quorum,
            of,
            select,
            failover,
            via,
            allow_empty,
            at: _,
            unknown,
        } = self;
        for member in [all, any, of, failover].into_iter().flatten().flatten() {
            match member {
                Member::Id(t) => f(t),
                Member::Select(s) => s.for_each_text_mut(f),
            }
        }
        if let Some(s) = select {
            s.for_each_text_mut(f);
        }
        let scalars = quorum.iter_mut().chain(allow_empty.iter_mut());
        scalars
            .chain(via.iter_mut().flatten())
            .chain(unknown.iter_mut())
            .for_each(f);
    }
}

impl Selector {
    fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        let Selector {
            kind,
            id,
            provider,
            service,
            type_,
            account,
            region,
            zone,
            tags,
            at: _,
            unknown,
        } = self;
        let scalars = [kind, id, provider, service, type_, account, region, zone];
        scalars.into_iter().flatten().for_each(&mut *f);
        if let Some(tags) = tags {
            tags.for_each_text_mut(f);
        }
        unknown.iter_mut().for_each(f);
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// A million-node estate holds several million of these at once while
    /// it is merged: a field added to them costs megabytes (issue 24).
    #[test]
    fn parsed_values_stay_small() {
        assert_eq!(std::mem::size_of::<At>(), 4);
        assert_eq!(std::mem::size_of::<Text>(), 8);
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        assert_eq!(std::mem::size_of::<Member>(), 16);
        assert!(std::mem::size_of::<Node>() <= 104);
        assert!(std::mem::size_of::<crate::load::merge::Merged>() <= 40);
    }
}
