//! A one-pass reader for JSON estate documents (issue 24: load "at the
//! speed of parsing").
//!
//! The serde path of [`super::raw`] reads each JSON scalar twice (once as a
//! [`serde_json::value::RawValue`] to learn where it stands, once more to
//! read it) and re-parses every requirement entry from its raw text. This
//! reader walks the bytes once, interns each scalar straight from the input
//! and builds the same [`Document`] with the same positions.
//!
//! It accepts only what it reads exactly as the serde path does, and bails
//! (returns `None`) on everything else: syntax errors, `null` where a value
//! is read, a field given twice, unknown top-level keys, an escaped `"*"`
//! for `zones`... The caller then reads the document again with serde,
//! which reports the error with its diagnostics or reads the unusual
//! construct. A document that is read here is therefore never read
//! differently than serde would read it; one that bails costs one extra
//! partial pass (its texts interned so far stay in the table, unused).
//!
//! Texts are interned in the order the serde visitors intern them (a
//! node's contents before its id, a tag's value before its key), so both
//! paths number the strings of a document alike.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use super::raw::{
    At, Document, Entry, Group, Member, Meta, Node, NodeField, Section, Selector, Tags, Text,
    Zones, GROUP_FIELDS,
};
use super::strings::Strings;

/// Nesting deeper than this in an ignored value (an unknown key's value,
/// `meta`) bails: the reader recurses, and no estate nests that deep.
const MAX_DEPTH: u32 = 128;

/// Reads the JSON estate document `text`, interning its texts into
/// `strings`, in one pass over the bytes.
///
/// Returns `None` when the document holds anything this reader does not
/// read exactly as `serde_json::from_str::<Document>` does (any error among
/// them); the caller must then read it with serde. `Some(doc)` is equal to
/// what serde gives, positions ([`At::json`] offsets into `text`) included.
/// Time is linear in the length of `text`.
///
/// `read`, when given, is told each byte range the reader is done with
/// (every [`READ_BEHIND_BYTES`] or so), so that the pages of a mapped file
/// can be given back while it is read.
pub(crate) fn scan_json(
    text: &str,
    strings: &mut Strings,
    read: Option<ReadBehind>,
) -> Option<Document> {
    let split = (text.len() >= SPLIT_FROM_BYTES)
        .then(|| split_candidate(text.as_bytes(), text.len() / 100 * SPLIT_PERCENT))
        .flatten();
    scan_json_split(text, strings, split, read).0
}

/// Told each byte range of the text the reader is done with.
pub type ReadBehind<'a> = &'a (dyn Fn(std::ops::Range<usize>) + Sync);

/// How many bytes the reader reads between two calls of [`ReadBehind`]
/// (a few hundred in tests, so that small documents exercise it).
const READ_BEHIND_BYTES: usize = if cfg!(test) { 256 } else { 8 << 20 };

/// Documents at least this large are read on two cores.
const SPLIT_FROM_BYTES: usize = 4 << 20;

/// Where the second core starts, in percent of the text: past the middle,
/// because its part costs more per byte (every string is new to its own
/// table, and is interned once more when the parts are joined). At
/// `--services 120000` the first core waited 100–180 ms at 50 %, 0–55 ms
/// at 55 % and not at all at 60 % (BENCHMARKS.md).
const SPLIT_PERCENT: usize = 58;

/// Reads `text` as [`scan_json`] does, the part from `split` on (when
/// given) on another core, and says whether that part was used.
///
/// The other core reads from `split` as if it were the start of a node's id
/// in a section; this core reads from the start. When this core reaches
/// `split` exactly where a node's id starts in a section, the other core's
/// reading is what this core would have read from there, and is spliced in
/// (its texts renumbered into `strings`, in the order this core would have
/// interned them). Otherwise (a guess inside a node, a part that bails, a
/// top-level key given twice across the two parts) this core reads on
/// alone: the document, its texts and their numbers are always those of
/// reading from the start on one core.
fn scan_json_split(
    text: &str,
    strings: &mut Strings,
    split: Option<usize>,
    read: Option<ReadBehind>,
) -> (Option<Document>, bool) {
    let Some(at) = split else {
        let mut scan = Scanner::new(text, 0, strings, read);
        return (scan.whole_document(), false);
    };
    // Set once this thread is done: the other stops at its next node
    // instead of reading on for a part nobody will take (a document that
    // bails early is then read by serde at once).
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let done = &done;
        let reading = std::thread::Builder::new()
            .name("read-json".into())
            .spawn_scoped(scope, move || read_tail(text, at, read, done));
        let mut scan = Scanner::new(text, 0, strings, read);
        if let Ok(handle) = reading {
            scan.tail = Some((at, Box::new(move || handle.join().ok().flatten())));
        }
        let doc = scan.whole_document();
        done.store(true, Ordering::Relaxed);
        (doc, scan.spliced)
    })
}

/// What the other core read from a split: the rest of the section it
/// started in, the top-level keys after that section, and its own texts.
struct Tail {
    section: Section,
    rest: Document,
    keys: u8,
    strings: Strings,
}

/// Reads from `at` (a node's id in some section) to the end of `text`.
/// Stops, with `None`, once `done` is set.
fn read_tail(text: &str, at: usize, read: Option<ReadBehind>, done: &AtomicBool) -> Option<Tail> {
    let rest_bytes = text.len() - at;
    let mut strings = Strings::with_capacity(rest_bytes / 150, rest_bytes / 3).keeping_hashes();
    let mut scan = Scanner::new(text, at, &mut strings, read);
    scan.stop = Some(done);
    let mut section = Section::default();
    scan.section_entries(&mut section, true)?;
    let mut rest = Document::default();
    let more = scan.next_item(b'}')?;
    scan.document_fields(&mut rest, more)?;
    scan.skip_whitespace();
    let keys = scan.seen;
    let whole = scan.pos == text.len();
    drop(scan);
    whole.then_some(Tail {
        section,
        rest,
        keys,
        strings,
    })
}

/// Where a second core may start reading: the first node id at or after
/// `from` that looks like one in a section (`}`, `,`, a plain key that is
/// no field name, `:` and `{`, with any whitespace between), within a
/// mebibyte. Only a guess: [`scan_json_split`] checks it.
fn split_candidate(bytes: &[u8], from: usize) -> Option<usize> {
    let window = bytes.get(from..)?;
    let window = &window[..window.len().min(1 << 20)];
    let skip = |mut i: usize| {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(i) {
            i += 1;
        }
        i
    };
    let closes = window.iter().enumerate().filter(|(_, b)| **b == b'}');
    for close in closes.map(|(i, _)| from + i) {
        let comma = skip(close + 1);
        if bytes.get(comma) != Some(&b',') {
            continue;
        }
        let quote = skip(comma + 1);
        if bytes.get(quote) != Some(&b'"') {
            continue;
        }
        let Some(len) = bytes
            .get(quote + 1..)
            .and_then(|b| b.iter().position(|&b| b == b'"'))
        else {
            continue;
        };
        let key = &bytes[quote + 1..quote + 1 + len];
        if key.contains(&b'\\') || is_field_name(key) {
            continue;
        }
        let colon = skip(quote + len + 2);
        if bytes.get(colon) == Some(&b':') && bytes.get(skip(colon + 1)) == Some(&b'{') {
            return Some(quote);
        }
    }
    None
}

/// Whether `key` names a field of a node, an entry or a selector.
fn is_field_name(key: &[u8]) -> bool {
    std::str::from_utf8(key).is_ok_and(|key| {
        NodeField::from_key(key).is_some()
            || GROUP_FIELDS.contains(&key)
            || Selector::default().condition(key).is_some()
            || matches!(key, "zones" | "tags" | "requires" | "optional")
    })
}

/// The reader's state: the text, how far it has read, where texts go, and
/// lists reused from node to node. A node's lists are short: read into a
/// reused list and copied out at their exact length, each costs one
/// allocation instead of a growing one and a shrinking one. No list of a
/// kind is read while another of the same kind is being read (a node holds
/// no node, an entry no entry...), so one of each is enough.
struct Scanner<'t, 's> {
    text: &'t str,
    pos: usize,
    strings: &'s mut Strings,
    scalars: Vec<(NodeField, Text)>,
    pairs: Vec<(Text, Text)>,
    texts: Vec<Text>,
    entries: Vec<Entry>,
    members: Vec<Member>,
    /// The top-level keys read so far, one bit each ([`key_bit`]).
    seen: u8,
    /// Where another core started reading, and how to wait for what it read.
    tail: Option<TailJoin<'s>>,
    /// The top-level keys the other core read, once its part is spliced in.
    rest: Option<Document>,
    /// Whether the other core's part was spliced in.
    spliced: bool,
    /// Told the ranges read, and where the next one starts.
    read: Option<ReadBehind<'s>>,
    read_from: usize,
    /// Set when nobody wants what this reader reads any more: it bails at
    /// the next node.
    stop: Option<&'s AtomicBool>,
}

type TailJoin<'s> = (usize, Box<dyn FnOnce() -> Option<Tail> + 's>);

/// The bit of a top-level key in [`Scanner::seen`]; `None` for a key that
/// is no top-level key.
fn key_bit(key: &str) -> Option<u8> {
    let i = [
        "version",
        "meta",
        "functions",
        "services",
        "resources",
        "externals",
    ]
    .iter()
    .position(|k| *k == key)?;
    Some(1 << i)
}

/// Fills the empty `slot` with what `read` reads. A field given twice is a
/// serde error (`duplicate field`), raised before its second value is read:
/// this bails there too, so that a document that bails has interned no
/// more than serde will.
fn once<T>(slot: &mut Option<T>, read: impl FnOnce() -> Option<T>) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(read()?);
    Some(())
}

/// The index of the first byte at or after `i` that may end a plain run of
/// string bytes (a quote, a backslash, a control character), or a little
/// before the end of `bytes`: eight bytes are tested at a time, and the
/// caller reads the bytes from there one by one.
fn plain_run_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    while let Some(Ok(chunk)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let word = u64::from_ne_bytes(chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        // A byte that is a quote or a backslash (zero after the xor), or
        // below 0x20, is one where subtracting 1 (or 0x20) borrows into
        // its high bit while its own high bit was clear.
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        if special & HIGHS != 0 {
            break;
        }
        i += 8;
    }
    i
}

impl<'t, 's> Scanner<'t, 's> {
    fn new(
        text: &'t str,
        pos: usize,
        strings: &'s mut Strings,
        read: Option<ReadBehind<'s>>,
    ) -> Self {
        Scanner {
            text,
            pos,
            strings,
            scalars: Vec::new(),
            pairs: Vec::new(),
            texts: Vec::new(),
            entries: Vec::new(),
            members: Vec::new(),
            seen: 0,
            tail: None,
            rest: None,
            spliced: false,
            read,
            read_from: pos,
            stop: None,
        }
    }

    /// Tells [`ReadBehind`] what was read since it was last told, every
    /// [`READ_BEHIND_BYTES`]: everything before `self.pos` is interned.
    fn tell_read(&mut self) {
        if let Some(read) = self.read {
            if self.pos - self.read_from >= READ_BEHIND_BYTES {
                read(self.read_from..self.pos);
                self.read_from = self.pos;
            }
        }
    }

    /// The document from the start of the text to its end.
    fn whole_document(&mut self) -> Option<Document> {
        let doc = self.document()?;
        self.skip_whitespace();
        (self.pos == self.text.len()).then_some(doc)
    }

    /// At the start of a node's id in a section: when another core started
    /// reading here, waits for its part and takes it, its texts renumbered
    /// into this table. `None` (read on alone) when it bailed, or when it
    /// read a top-level key this core has read too (a key given twice,
    /// which this core then finds and bails on).
    fn take_tail(&mut self) -> Option<Tail> {
        self.skip_whitespace();
        if self.tail.as_ref().is_none_or(|(at, _)| *at != self.pos) {
            return None;
        }
        let (_, join) = self.tail.take()?;
        let waiting = std::time::Instant::now();
        let mut tail = join()?;
        let joining = std::time::Instant::now();
        if tail.keys & self.seen != 0 {
            return None;
        }
        let Tail {
            section,
            rest,
            strings,
            ..
        } = &mut tail;
        self.strings.intern_all_of(strings, |numbers| {
            let mut renumber = |t: &mut Text| t.sym = numbers[t.sym.index()];
            section.for_each_text_mut(&mut renumber);
            rest.for_each_text_mut(&mut renumber);
        });
        tracing::debug!(
            at = self.pos,
            waited_ms = (joining - waiting).as_millis() as u64,
            joined_ms = joining.elapsed().as_millis() as u64,
            strings = tail.strings.len(),
            "read the second part of a document on another core"
        );
        Some(tail)
    }
}

impl<'t> Scanner<'t, '_> {
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn intern(&mut self, value: &str, at: At) -> Text {
        let sym = self.strings.intern(value);
        self.prefetch_next_string();
        Text { sym, at }
    }

    /// Prefetches the interning slot of the next plain string in the text
    /// (within a few dozen bytes): most look-ups of a large estate miss
    /// the cache, and the miss of the next one then overlaps the scanning
    /// up to it. Only a hint: nothing is read or changed.
    fn prefetch_next_string(&self) {
        let bytes = self.bytes();
        let ahead = bytes.get(self.pos..).unwrap_or_default();
        let Some(quote) = ahead.iter().take(48).position(|&b| b == b'"') else {
            return;
        };
        let start = self.pos + quote + 1;
        let mut end = plain_run_end(bytes, start);
        while let Some(&b) = bytes.get(end) {
            match b {
                b'"' => break,
                b'\\' | 0..=0x1f => return,
                _ => end += 1,
            }
        }
        if let Some(next) = self.text.get(start..end) {
            self.strings.prefetch(next);
        }
    }

    /// Skips JSON whitespace (exactly space, tab, line feed, carriage return).
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes().get(self.pos).copied()
    }

    /// Consumes `byte` (after whitespace), or bails.
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Consumes the `open` byte of a map or list; true when an item
    /// follows, false when `close` follows at once (consumed).
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.expect(open)?;
        if self.peek()? == close {
            self.pos += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After an item: true when a `,` announces another, false at `close`
    /// (consumed). A trailing comma bails where the next item is read.
    fn next_item(&mut self, close: u8) -> Option<bool> {
        let byte = self.peek()?;
        self.pos += 1;
        match byte {
            b',' => Some(true),
            b if b == close => Some(false),
            _ => None,
        }
    }

    /// Every item of a list, each read by `item`, collected in the reused
    /// list `buffer` picks and returned at its exact length.
    fn list<T>(
        &mut self,
        buffer: fn(&mut Self) -> &mut Vec<T>,
        item: fn(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut items = std::mem::take(buffer(self));
        items.clear();
        let mut more = self.open(b'[', b']')?;
        while more {
            items.push(item(self)?);
            more = self.next_item(b']')?;
        }
        let mut out = Vec::with_capacity(items.len());
        out.append(&mut items);
        *buffer(self) = items;
        Some(out)
    }

    /// A list of scalars (`zones`, `via`).
    fn texts(&mut self) -> Option<Vec<Text>> {
        self.list(|s| &mut s.texts, Self::scalar)
    }

    /// A list of requirement entries (`requires`, `optional`).
    fn entries(&mut self) -> Option<Box<[Entry]>> {
        Some(
            self.list(|s| &mut s.entries, Self::entry)?
                .into_boxed_slice(),
        )
    }

    /// A list of members (`all`, `any`, `of`, `failover`).
    fn members(&mut self) -> Option<Vec<Member>> {
        self.list(|s| &mut s.members, Self::member)
    }

    /// A map key and its `:`: its text and the position just inside its
    /// opening quote.
    fn key(&mut self) -> Option<(Cow<'t, str>, At)> {
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.string()?;
        self.expect(b':')?;
        Some(key)
    }

    /// The end of the string whose opening quote is at `self.pos` (the
    /// index of its closing quote) and whether it holds escapes. Control
    /// characters and escapes serde_json rejects bail.
    fn string_end(&self) -> Option<(usize, bool)> {
        let bytes = self.bytes();
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            i = plain_run_end(bytes, i);
            match *bytes.get(i)? {
                b'"' => return Some((i, escaped)),
                b'\\' => {
                    escaped = true;
                    i += match *bytes.get(i + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' => {
                            let hex = bytes.get(i + 2..i + 6)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            6
                        }
                        _ => return None,
                    };
                }
                0..=0x1f => return None,
                _ => i += 1,
            }
        }
    }

    /// The string at `self.pos`, unescaped (borrowed when it has no
    /// escapes), and the position just inside its opening quote.
    fn string(&mut self) -> Option<(Cow<'t, str>, At)> {
        let start = self.pos + 1;
        let (end, escaped) = self.string_end()?;
        self.pos = end + 1;
        let at = At::json(start);
        if !escaped {
            return Some((Cow::Borrowed(self.text.get(start..end)?), at));
        }
        // Rare: serde_json unescapes it, as `json_string` does (a lone
        // surrogate is an error there, so it bails here).
        let token = self.text.get(start - 1..=end)?;
        let value = serde_json::from_str::<String>(token).ok()?;
        Some((Cow::Owned(value), at))
    }

    /// `word` (`true`, `false`, `null`) at `self.pos`.
    fn word(&mut self, word: &str) -> Option<(Cow<'t, str>, At)> {
        let start = self.pos;
        let found = self.text.get(start..start + word.len())?;
        if found != word {
            return None;
        }
        self.pos += word.len();
        Some((Cow::Borrowed(found), At::json(start)))
    }

    /// Consumes ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let bytes = self.bytes();
        let start = self.pos;
        while bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number token as written, checked against the JSON grammar
    /// (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
    fn number(&mut self) -> Option<(Cow<'t, str>, At)> {
        let bytes = self.bytes();
        let start = self.pos;
        if bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match bytes.get(self.pos)? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let token = self.text.get(start..self.pos)?;
        Some((Cow::Borrowed(token), At::json(start)))
    }

    /// A scalar as the serde path's `json_scalar` reads it: a string's
    /// value, or a number or boolean as written. `null`, maps and lists
    /// are serde errors: they bail.
    fn scalar_text(&mut self) -> Option<(Cow<'t, str>, At)> {
        match self.peek()? {
            b'"' => self.string(),
            b't' => self.word("true"),
            b'f' => self.word("false"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// A scalar, interned.
    fn scalar(&mut self) -> Option<Text> {
        let (value, at) = self.scalar_text()?;
        Some(self.intern(&value, at))
    }

    /// Skips any value as serde's `IgnoredAny` does (which accepts `null`).
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => {
                self.pos = self.string_end()?.0 + 1;
            }
            b'n' => {
                self.word("null")?;
            }
            b'[' => {
                let mut more = self.open(b'[', b']')?;
                while more {
                    self.skip_value(depth + 1)?;
                    more = self.next_item(b']')?;
                }
            }
            b'{' => {
                let mut more = self.open(b'{', b'}')?;
                while more {
                    self.key()?;
                    self.skip_value(depth + 1)?;
                    more = self.next_item(b'}')?;
                }
            }
            _ => {
                self.scalar_text()?;
            }
        }
        Some(())
    }

    /// The top-level map. Unknown keys and keys given twice are serde
    /// errors (`deny_unknown_fields`): they bail.
    fn document(&mut self) -> Option<Document> {
        let mut doc = Document::default();
        let more = self.open(b'{', b'}')?;
        self.document_fields(&mut doc, more)?;
        if let Some(rest) = self.rest.take() {
            doc.fill_from(rest);
            self.pos = self.text.len();
        }
        Some(doc)
    }

    /// The top-level keys from here to the end of the map (`more`: whether
    /// one follows), or to where another core's part was spliced in.
    fn document_fields(&mut self, doc: &mut Document, mut more: bool) -> Option<()> {
        while more {
            let (key, _) = self.key()?;
            self.seen |= key_bit(&key)?;
            match &*key {
                "version" => once(&mut doc.version, || self.scalar())?,
                "meta" => once(&mut doc.meta, || self.meta())?,
                "functions" => once(&mut doc.functions, || self.section())?,
                "services" => once(&mut doc.services, || self.section())?,
                "resources" => once(&mut doc.resources, || self.section())?,
                "externals" => once(&mut doc.externals, || self.section())?,
                _ => return None,
            }
            if self.rest.is_some() {
                return Some(());
            }
            more = self.next_item(b'}')?;
        }
        Some(())
    }

    /// `meta`: its extent found here, its value read by serde from just
    /// that slice (it is small and free-form).
    fn meta(&mut self) -> Option<Meta> {
        self.skip_whitespace();
        let start = self.pos;
        self.skip_value(0)?;
        serde_json::from_str::<Meta>(self.text.get(start..self.pos)?).ok()
    }

    /// A section: `(id, node)` pairs in order, duplicated ids kept (the
    /// merge reports them).
    fn section(&mut self) -> Option<Section> {
        let mut section = Section::default();
        let more = self.open(b'{', b'}')?;
        self.section_entries(&mut section, more)?;
        Some(section)
    }

    /// The `(id, node)` pairs from here to the end of a section (`more`:
    /// whether one follows), or up to where another core's part is
    /// spliced in.
    ///
    /// Says whether the ids it read ascend strictly (see
    /// [`Section::ascending`]): each is compared with the one before
    /// where both stand in the text, a few bytes apart.
    fn section_entries(&mut self, section: &mut Section, mut more: bool) -> Option<()> {
        let mut ascending = section.is_empty();
        let mut previous: Option<&'t str> = None;
        while more {
            if self.tail.is_some() {
                if let Some(tail) = self.take_tail() {
                    let joined_in_order = match (previous, tail.section.first_and_last_id()) {
                        (Some(last), Some((first, _))) => {
                            last.as_bytes() < self.strings.get(first.sym).as_bytes()
                        }
                        _ => true,
                    };
                    ascending = ascending && tail.section.ascending() && joined_in_order;
                    section.append(tail.section);
                    section.set_ascending(ascending);
                    self.rest = Some(tail.rest);
                    self.spliced = true;
                    return Some(());
                }
            }
            if self.stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
                return None;
            }
            let (id, at) = self.key()?;
            match &id {
                Cow::Borrowed(text) if ascending => {
                    ascending = previous.is_none_or(|p| p.as_bytes() < text.as_bytes());
                    previous = Some(text);
                }
                _ => ascending = false,
            }
            let node = self.node()?;
            let id = self.intern(&id, at);
            section.push(id, node);
            self.tell_read();
            more = self.next_item(b'}')?;
        }
        section.set_ascending(ascending);
        Some(())
    }

    /// A node. Unknown keys are collected, as the serde path collects them.
    fn node(&mut self) -> Option<Node> {
        let mut node = Node::default();
        let mut scalars = std::mem::take(&mut self.scalars);
        scalars.clear();
        let mut more = self.open(b'{', b'}')?;
        while more {
            let (key, at) = self.key()?;
            match &*key {
                "zones" => once(&mut node.zones, || self.zones())?,
                "tags" => once(&mut node.tags, || self.tags())?,
                "requires" => once(&mut node.requires, || self.entries())?,
                "optional" => once(&mut node.optional, || self.entries())?,
                other => match NodeField::from_key(other) {
                    Some(field) => {
                        if scalars.iter().any(|(f, _)| *f == field) {
                            return None;
                        }
                        let value = self.scalar()?;
                        scalars.push((field, value));
                    }
                    None => {
                        self.skip_value(0)?;
                        let key = self.intern(&key, at);
                        node.unknown.get_or_insert_with(Box::default).push(key);
                    }
                },
            }
            more = self.next_item(b'}')?;
        }
        node.scalars = scalars.to_vec();
        self.scalars = scalars;
        node.fit();
        Some(node)
    }

    /// `zones`: a list of scalars, or the string `"*"` written plainly
    /// (an escaped one has no position on the serde path: it bails).
    fn zones(&mut self) -> Option<Zones> {
        match self.peek()? {
            b'[' => Some(Zones::List(self.texts()?.into_boxed_slice())),
            b'"' => match self.string()? {
                (Cow::Borrowed("*"), at) => Some(Zones::Every(self.intern("*", at))),
                _ => None,
            },
            _ => None,
        }
    }

    /// Tags in order, duplicates kept; each value interned before its key,
    /// as on the serde path.
    fn tags(&mut self) -> Option<Tags> {
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.clear();
        let mut more = self.open(b'{', b'}')?;
        while more {
            let (key, at) = self.key()?;
            let value = self.scalar()?;
            let key = self.intern(&key, at);
            pairs.push((key, value));
            more = self.next_item(b'}')?;
        }
        let tags = Tags(Box::from(pairs.as_slice()));
        self.pairs = pairs;
        Some(tags)
    }

    /// A requirement entry: an id, or a group.
    fn entry(&mut self) -> Option<Entry> {
        if self.peek()? == b'{' {
            return Some(Entry::Group(Box::new(self.group()?)));
        }
        self.scalar().map(Entry::Id)
    }

    /// A group: its keys checked later, its position its first key's (none
    /// for `{}`, as `Group::first_position` then finds nothing).
    fn group(&mut self) -> Option<Group> {
        let mut g = Group::default();
        let mut more = self.open(b'{', b'}')?;
        while more {
            let (key, at) = self.key()?;
            if g.at == At::UNKNOWN {
                g.at = at;
            }
            match &*key {
                "all" => once(&mut g.all, || self.members())?,
                "any" => once(&mut g.any, || self.members())?,
                "of" => once(&mut g.of, || self.members())?,
                "failover" => once(&mut g.failover, || self.members())?,
                "via" => once(&mut g.via, || self.texts())?,
                "quorum" => once(&mut g.quorum, || self.scalar())?,
                "allow_empty" => once(&mut g.allow_empty, || self.scalar())?,
                "select" => once(&mut g.select, || self.selector(at).map(Box::new))?,
                _ => {
                    self.skip_value(0)?;
                    let key = self.intern(&key, at);
                    g.unknown.push(key);
                }
            }
            more = self.next_item(b'}')?;
        }
        Some(g)
    }

    /// A member: an id, or `{"select": ...}` with no other key.
    fn member(&mut self) -> Option<Member> {
        if self.peek()? != b'{' {
            return self.scalar().map(Member::Id);
        }
        if !self.open(b'{', b'}')? {
            return None;
        }
        let (key, at) = self.key()?;
        if key != "select" {
            return None;
        }
        let selector = self.selector(at)?;
        if self.next_item(b'}')? {
            return None;
        }
        Some(Member::Select(Box::new(selector)))
    }

    /// A selector whose `select` key stands at `at`. Unknown conditions are
    /// collected, as the serde path collects them.
    fn selector(&mut self, at: At) -> Option<Selector> {
        let mut s = Selector {
            at,
            ..Selector::default()
        };
        let mut more = self.open(b'{', b'}')?;
        while more {
            let (key, key_at) = self.key()?;
            if key == "tags" {
                once(&mut s.tags, || self.tags())?;
            } else if let Some(slot) = s.condition(&key) {
                once(slot, || self.scalar())?;
            } else {
                self.skip_value(0)?;
                let key = self.intern(&key, key_at);
                s.unknown.push(key);
            }
            more = self.next_item(b'}')?;
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::load::raw::{with_json_error_positions, with_strings};
    use crate::load::strings::Str;

    /// The serde path: what `parse::parse_json` reads, into its own strings.
    fn serde_read(text: &str) -> (serde_json::Result<Document>, Strings) {
        let mut strings = Strings::default();
        let doc = with_strings(&mut strings, || {
            with_json_error_positions(text, || serde_json::from_str::<Document>(text)).0
        });
        (doc, strings)
    }

    /// The four sections, in their order.
    fn sections_of(doc: &Document) -> [&Option<Section>; 4] {
        [
            &doc.functions,
            &doc.services,
            &doc.resources,
            &doc.externals,
        ]
    }

    /// The document as comparable text: sections by their nodes (a
    /// section's inner chunking is not part of what it holds).
    fn render(doc: &Document) -> String {
        let sections = sections_of(doc).map(|s| s.as_ref().map(|s| s.iter().collect::<Vec<_>>()));
        format!("{:?}\n{:?}\n{:#?}", doc.version, doc.meta, sections)
    }

    fn all_strings(strings: &Strings) -> Vec<&str> {
        (0..strings.len())
            .map(|i| strings.get(Str(u32::try_from(i).expect("few strings in a test"))))
            .collect()
    }

    /// Asserts that the scanner reads `text` exactly as serde does: the
    /// same document, positions and symbols included, and the same strings
    /// in the same order. Returns false (nothing compared) when serde
    /// rejects `text`, after checking that the scanner rejects it too.
    fn assert_reads_as_serde(name: &str, text: &str) -> bool {
        let (expected, expected_strings) = serde_read(text);
        let mut strings = Strings::default();
        let scanned = scan_json(text, &mut strings, None);
        let Ok(expected) = expected else {
            assert!(
                scanned.is_none(),
                "{name}: serde rejects it, the scanner reads it"
            );
            return false;
        };
        let scanned =
            scanned.unwrap_or_else(|| panic!("{name}: serde reads it, the scanner bails"));
        assert_eq!(render(&scanned), render(&expected), "{name}");
        assert_eq!(
            all_strings(&strings),
            all_strings(&expected_strings),
            "{name}"
        );
        true
    }

    fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                json_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_json_fixture_and_sample_reads_as_serde_reads_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        json_files(&root.join("fixtures"), &mut files);
        json_files(&root.join("../shared/samples"), &mut files);
        files.sort();
        let mut read = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).expect("a readable test file");
            if assert_reads_as_serde(&file.display().to_string(), &text) {
                read += 1;
            }
        }
        assert!(read >= 3, "only {read} estate documents among {files:?}");
    }

    /// The JSON estate `scripts/gen_estate.py` writes for `services`.
    fn generated_estate(services: u32) -> String {
        let dir = tempfile::tempdir().expect("a temp dir");
        let out = dir.path().join("estate.json");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen_estate.py");
        let status = std::process::Command::new("python3")
            .arg(&script)
            .args(["--services", &services.to_string(), "-o"])
            .arg(&out)
            .status()
            .expect("python3 runs gen_estate.py");
        assert!(status.success(), "gen_estate.py failed");
        std::fs::read_to_string(&out).expect("gen_estate.py wrote the estate")
    }

    #[test]
    fn a_generated_estate_reads_as_serde_reads_it() {
        let text = generated_estate(200);
        assert!(text.len() > 100_000, "a small estate: {} bytes", text.len());
        assert!(assert_reads_as_serde("gen_estate --services 200", &text));
    }

    /// Every construct of the format, written unusually where JSON allows.
    const EVERY_CONSTRUCT: &str = r#" {
      "version": 1,
      "meta": {"sources": [{"collector": "aws", "complete": true, "account": "123",
                            "regions": ["eu-west-1"], "errors": null}],
               "collected_at": "2026-11-30T00:00:00Z",
               "edges": [{"from": "a", "to": "b", "source": "xray", "calls": 12}],
               "extra": {"nested": [1, 2.5e3, null, "x\n", {}, []]}},
      "functions": {
        "checkout": {"description": "Take payment \u00e9 \"quoted\" \\ ✓ 日本",
                     "criticality": "high",
                     "requires": ["api", {"any": ["db-1", 7, true, -0.5e-3]}],
                     "optional": [{"select": {"kind": "service", "tags": {"tier": "edge"}},
                                   "allow_empty": true}]},
        "7": {"requires": [], "optional": []}
      },
      "services": {
        "api": {"account": "123456789012", "region": "eu-west-1", "zones": "*",
                "min_zones": 2, "availability": 99.950,
                "tags": {"team": "pay", "team": "pay2", "empty": "", "n": 3},
                "requires": [
                  {"quorum": 2, "of": ["db-1", "db-2",
                                       {"select": {"region": "eu-west-1", "tags": {"role": "db"}}}]},
                  {"failover": ["db-1", "db-2"], "via": ["dns", 53]},
                  {"all": ["q"], "allow_empty": false},
                  {},
                  {"qourum": [1, {"a": null}],
                   "select": {"provider": "aws", "service": "rds", "type": "db", "account": 1,
                              "zone": "euw1-az1", "id": "db-*", "regoin": "x", "regoin": null}}
                ]},
        "api": {"region": "us-east-1", "tipo": {"x": [true, false, "\ud83d\ude00"]}, "tipo": 1},
        "caf\u00e9": {"zones": ["euw1-az1", "euw1-az2", 3, "\u0065uw1"]}
      },
      "resources": {
        "db-1": {"arn": "arn:aws:rds:eu-west-1:123:db:one", "zones": ["euw1-az1"],
                 "min_zones": 1.50, "provider": "aws"},
        "db-2": {"provider": "aws", "service": "rds", "type": "db", "tags": {}},
        "q": {},
        "":{"description":"","criticality":-0}
      },
      "externals": {}
    }
    "#;

    /// The document as text, and whether each section is known to ascend.
    fn render_with_order(doc: &Document) -> String {
        let ascending = sections_of(doc).map(|s| s.as_ref().map(Section::ascending));
        format!("{}\nascending: {ascending:?}", render(doc))
    }

    /// What one core reads: the document (as text, with which sections
    /// ascend) and the strings.
    fn one_core(text: &str) -> (Option<String>, Vec<String>) {
        let mut strings = Strings::default();
        let doc = scan_json_split(text, &mut strings, None, None).0;
        let all = all_strings(&strings)
            .into_iter()
            .map(str::to_owned)
            .collect();
        (doc.as_ref().map(render_with_order), all)
    }

    /// A section is known to ascend when every id is above the one before
    /// it in byte order, as written (an escaped id is not compared).
    #[test]
    fn a_section_ascends_when_each_id_is_above_the_one_before() {
        let cases = [
            (r#"{"services": {}}"#, true),
            (r#"{"services": {"a": {}}}"#, true),
            (
                r#"{"services": {"a": {}, "b": {}, "b-1": {}, "ba": {}}}"#,
                true,
            ),
            (r#"{"services": {"b": {}, "a": {}}}"#, false),
            (r#"{"services": {"a": {}, "a": {}}}"#, false),
            (r#"{"services": {"Z": {}, "a": {}, "\u00e9": {}}}"#, false),
            (r#"{"services": {"a": {}, "\u00e9": {}}}"#, false),
        ];
        for (text, ascending) in cases {
            let mut strings = Strings::default();
            let doc = scan_json(text, &mut strings, None).expect("read");
            let services = doc.services.expect("services");
            assert_eq!(services.ascending(), ascending, "{text}");
        }
    }

    /// Asserts that reading `text` split at `at` gives what one core reads:
    /// the same document, strings and numbers, or the same bail. Returns
    /// whether the second core's part was used.
    fn assert_split_reads_as_one_core(name: &str, text: &str, at: usize) -> bool {
        let (expected, expected_strings) = one_core(text);
        let mut strings = Strings::default();
        let (doc, spliced) = scan_json_split(text, &mut strings, Some(at), None);
        assert_eq!(
            doc.as_ref().map(render_with_order),
            expected,
            "{name}, split at {at}"
        );
        assert_eq!(
            all_strings(&strings),
            expected_strings,
            "{name}, split at {at}"
        );
        spliced
    }

    /// Documents whose parts meet across sections, with keys given twice
    /// across the parts or in the second, and with a bail in the second.
    const SPLIT_CASES: &[(&str, &str)] = &[
        (
            "ids that ascend in each part but not across the split",
            r#"{"services": {"b": {}, "c": {}, "a": {}, "d": {}, "e": {}}}"#,
        ),
        (
            "sections after the split",
            r#"{"resources": {"a": {"zones": ["z"]}, "b": {"tags": {"k": "a"}}, "c": {}},
               "version": 1, "externals": {"a": {}}, "meta": {}}"#,
        ),
        (
            "a key given again after the split",
            r#"{"resources": {"a": {}, "b": {}}, "version": 1, "resources": {}}"#,
        ),
        (
            "a key given twice in the second part",
            r#"{"resources": {"a": {}, "b": {}}, "version": 1, "version": 2}"#,
        ),
        (
            "a bail in the second part",
            r#"{"functions": {"f": {"requires": ["a"]}}, "services": {"a": {}, "b": {"x": nul}}}"#,
        ),
        ("trailing text", r#"{"services": {"a": {}, "b": {}}} x"#),
    ];

    #[test]
    fn a_document_split_anywhere_reads_as_on_one_core() {
        let mut cases: Vec<(&str, &str)> = SPLIT_CASES.to_vec();
        cases.push(("every construct", EVERY_CONSTRUCT));
        cases.extend(SERDE_ERRORS.iter().take(10).copied());
        for (name, text) in cases {
            let spliced = (0..=text.len())
                .filter(|&at| assert_split_reads_as_one_core(name, text, at))
                .count();
            if name == "every construct" || name == "sections after the split" {
                assert!(spliced >= 3, "{name}: used the second part {spliced} times");
            }
        }
    }

    #[test]
    fn a_large_generated_estate_is_read_on_two_cores() {
        let text = generated_estate(300);
        let at = split_candidate(text.as_bytes(), text.len() / 2);
        let at = at.expect("a node id after the middle");
        assert!(assert_split_reads_as_one_core(
            "gen_estate --services 300",
            &text,
            at
        ));
    }

    #[test]
    fn the_reader_tells_what_it_has_read_in_order_on_both_cores() {
        let text = generated_estate(100);
        let at = split_candidate(text.as_bytes(), text.len() / 2).expect("a node id");
        let told = std::sync::Mutex::new(Vec::new());
        let read = |range: std::ops::Range<usize>| told.lock().expect("not poisoned").push(range);
        let mut strings = Strings::default();
        let (doc, spliced) = scan_json_split(&text, &mut strings, Some(at), Some(&read));
        assert!(spliced);
        assert_eq!(doc.as_ref().map(render_with_order), one_core(&text).0);
        let mut told = told.into_inner().expect("not poisoned");
        told.sort_by_key(|r| r.start);
        assert!(told.len() > 10, "told {} ranges", told.len());
        for pair in told.windows(2) {
            assert!(
                pair[0].start < pair[0].end && pair[0].end <= pair[1].start,
                "{pair:?}"
            );
        }
        for range in &told {
            assert!(
                range.end <= at || range.start >= at,
                "{range:?} crosses the split at {at}"
            );
        }
        let covered: usize = told.iter().map(|r| r.len()).sum();
        assert!(
            covered * 10 >= text.len() * 9,
            "{covered} of {} bytes",
            text.len()
        );
    }

    #[test]
    fn every_construct_reads_as_serde_reads_it() {
        assert!(assert_reads_as_serde("every construct", EVERY_CONSTRUCT));
    }

    /// Text an edit may insert: JSON's structural bytes, scalars, escapes,
    /// whole keys, and bytes JSON forbids.
    const INSERTS: &[&str] = &[
        "\"",
        "\\",
        ",",
        ":",
        "{",
        "}",
        "[",
        "]",
        " ",
        "\n",
        "null",
        "true",
        "0",
        "-",
        ".",
        "e",
        "1",
        "\u{1}",
        "\u{feff}",
        "\\u00e9",
        "\\ud800",
        "*",
        "\"x\":1,",
        "\"select\":{},",
        "\"tags\":{\"a\":\"b\"},",
        "{\"any\":[]},",
        "\"region\":\"r\",",
        "é",
    ];

    /// `text` with one random edit: a character deleted, or a token of
    /// [`INSERTS`] inserted, at a character boundary.
    fn edited(text: &str, random: &mut impl FnMut(usize) -> usize) -> String {
        let mut at = random(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let (head, tail) = text.split_at(at);
        match random(3) {
            0 => {
                let mut rest = tail.chars();
                rest.next();
                format!("{head}{}", rest.as_str())
            }
            _ => format!("{head}{}{tail}", INSERTS[random(INSERTS.len())]),
        }
    }

    /// The reader's promise on damaged input: whatever it reads, serde
    /// reads the same way, and what serde reads, it reads too (top-level
    /// `null`s aside). Thousands of documents one to three random
    /// edits away from valid ones (most are errors, some unusual but
    /// valid: unknown keys, escapes, numbers as ids).
    #[test]
    fn a_document_read_despite_random_edits_is_what_serde_reads() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n.max(1) as u64).expect("below n")
        };
        let small = r#"{"services": {"a": {"region": "r", "zones": ["z1", 2],
            "requires": ["b", {"quorum": 1, "of": ["c", {"select": {"tags": {"k": "v"}}}]}]}},
            "resources": {"b": {"tags": {"service": "a"}}, "c": {}}}"#;
        let (mut read, mut tried) = (0, 0);
        for base in [small, EVERY_CONSTRUCT] {
            for _ in 0..2_000 {
                let mut text = base.to_owned();
                for _ in 0..=random(3) {
                    text = edited(&text, &mut random);
                }
                tried += 1;
                let mut strings = Strings::default();
                if scan_json(&text, &mut strings, None).is_some() {
                    read += 1;
                    assert!(
                        assert_reads_as_serde("edited", &text),
                        "serde rejects {text}"
                    );
                } else {
                    // The reader leaves to serde only what serde rejects,
                    // and top-level `null`s.
                    let serde_reads = serde_read(&text).0.is_ok();
                    assert!(!serde_reads || text.contains("null"), "bails on {text}");
                }
            }
        }
        // Some edits keep the document valid (a space, an unknown key...):
        // the comparison above must have run on some of them.
        assert!(
            read > tried / 20,
            "only {read} of {tried} edited documents read"
        );
    }

    #[test]
    fn numbers_keep_their_text_and_stand_at_their_first_digit() {
        let text = r#"{"services": {"a": {"availability": 1.50, "min_zones": "2"}}}"#;
        let mut strings = Strings::default();
        let doc = scan_json(text, &mut strings, None).expect("a plain document");
        let services = doc.services.expect("a services section");
        let (id, node) = services.iter().next().expect("one node");
        let offset = |t: &Text| t.at.offset_in(text);
        assert_eq!((id.str(&strings), offset(id)), ("a", text.find("a\"")));
        let availability = node.get(NodeField::Availability).expect("availability");
        assert_eq!(availability.str(&strings), "1.50");
        assert_eq!(offset(availability), text.find("1.50"));
        let min_zones = node.get(NodeField::MinZones).expect("min_zones");
        assert_eq!(
            (min_zones.str(&strings), offset(min_zones)),
            ("2", text.find("2\""))
        );
    }

    #[test]
    fn a_plain_run_ends_at_the_first_quote_backslash_or_control_character() {
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for len in 0..24 {
                // Plain bytes around the special one: ASCII just above and
                // below the specials, and UTF-8 continuation bytes.
                let mut bytes: Vec<u8> = (0..len)
                    .map(|i| [b' ', b'#', b'[', b']', 0xc3, 0xa9][i % 6])
                    .collect();
                bytes.push(special);
                bytes.extend_from_slice(b"tail\"more");
                let end = plain_run_end(&bytes, 0);
                assert!(
                    end <= len,
                    "{special:#x} after {len} bytes: run ends at {end}"
                );
                assert!(
                    bytes[end..len].len() < 8,
                    "{special:#x} after {len} bytes: stopped {} bytes short",
                    len - end
                );
            }
        }
        let plain = "é".repeat(20);
        assert!(
            plain_run_end(plain.as_bytes(), 0) > 32,
            "UTF-8 text is a plain run"
        );
    }

    /// Documents serde rejects: the scanner must bail on each.
    const SERDE_ERRORS: &[(&str, &str)] = &[
        ("empty text", ""),
        ("a list at the top", "[]"),
        ("byte-order mark", "\u{feff}{}"),
        ("trailing characters", r#"{"services": {}} x"#),
        ("unknown top-level key", r#"{"servics": {}}"#),
        ("top-level key twice", r#"{"services": {}, "services": {}}"#),
        ("null scalar", r#"{"services": {"a": {"region": null}}}"#),
        (
            "null requires",
            r#"{"services": {"a": {"requires": null}}}"#,
        ),
        ("null entry", r#"{"services": {"a": {"requires": [null]}}}"#),
        (
            "null in tags",
            r#"{"services": {"a": {"tags": {"k": null}}}}"#,
        ),
        (
            "node field twice",
            r#"{"services": {"a": {"region": "x", "region": "y"}}}"#,
        ),
        (
            "zones twice",
            r#"{"services": {"a": {"zones": "*", "zones": []}}}"#,
        ),
        (
            "group key twice",
            r#"{"services": {"a": {"requires": [{"any": [], "any": []}]}}}"#,
        ),
        (
            "selector condition twice",
            r#"{"functions": {"f": {"requires": [{"select": {"region": "a", "region": "b"}}]}}}"#,
        ),
        (
            "member without select",
            r#"{"functions": {"f": {"requires": [{"any": [{}]}]}}}"#,
        ),
        (
            "member with another key",
            r#"{"functions": {"f": {"requires": [{"any": [{"select": {}, "x": 1}]}]}}}"#,
        ),
        (
            "trailing comma in a list",
            r#"{"services": {"a": {"requires": ["x",]}}}"#,
        ),
        ("trailing comma in a map", r#"{"services": {"a": {},}}"#),
        ("missing comma", r#"{"services": {"a": {} "b": {}}}"#),
        ("unclosed document", r#"{"services": {"a": {}}"#),
        (
            "control character in a string",
            "{\"services\": {\"a\u{1}\": {}}}",
        ),
        ("newline in a string", "{\"services\": {\"a\nb\": {}}}"),
        ("invalid escape", r#"{"services": {"a\x": {}}}"#),
        ("lone surrogate", r#"{"services": {"\ud800": {}}}"#),
        ("leading zero", r#"{"services": {"a": {"min_zones": 01}}}"#),
        (
            "no digit after the point",
            r#"{"services": {"a": {"min_zones": 1.}}}"#,
        ),
        ("a minus alone", r#"{"services": {"a": {"min_zones": -}}}"#),
        (
            "no digit in the exponent",
            r#"{"services": {"a": {"min_zones": 1e}}}"#,
        ),
        (
            "a leading point",
            r#"{"services": {"a": {"min_zones": .5}}}"#,
        ),
        (
            "a leading plus",
            r#"{"services": {"a": {"min_zones": +1}}}"#,
        ),
        ("a misspelt true", r#"{"services": {"a": {"region": tru}}}"#),
        (
            "zones neither a list nor a star",
            r#"{"services": {"a": {"zones": "abc"}}}"#,
        ),
        ("zones a number", r#"{"services": {"a": {"zones": 3}}}"#),
        ("tags a list", r#"{"services": {"a": {"tags": ["x"]}}}"#),
        (
            "a scalar given a map",
            r#"{"services": {"a": {"region": {}}}}"#,
        ),
        ("a node given a list", r#"{"services": {"a": []}}"#),
        ("a meta of the wrong shape", r#"{"meta": {"sources": 3}}"#),
        (
            "a section key that is not a string",
            r#"{"services": {1: {}}}"#,
        ),
    ];

    #[test]
    fn documents_serde_rejects_bail() {
        for (name, text) in SERDE_ERRORS {
            assert!(serde_read(text).0.is_err(), "{name}: serde reads {text:?}");
            let mut strings = Strings::default();
            assert!(
                scan_json(text, &mut strings, None).is_none(),
                "{name}: read {text:?}"
            );
        }
    }

    /// Documents serde reads but the scanner leaves to it: `null` for an
    /// optional top-level value, and an escaped `"*"` (no position there).
    const LEFT_TO_SERDE: &[(&str, &str)] = &[
        ("null version", r#"{"version": null}"#),
        ("null section", r#"{"services": null}"#),
        ("null meta", r#"{"meta": null}"#),
        (
            "escaped star",
            r#"{"services": {"a": {"zones": "\u002a"}}}"#,
        ),
    ];

    #[test]
    fn documents_serde_reads_differently_bail() {
        for (name, text) in LEFT_TO_SERDE {
            assert!(serde_read(text).0.is_ok(), "{name}: serde rejects {text:?}");
            let mut strings = Strings::default();
            assert!(
                scan_json(text, &mut strings, None).is_none(),
                "{name}: read {text:?}"
            );
        }
    }
}
