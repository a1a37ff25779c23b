//! Every distinct string of a load, stored once and named by a dense `u32`.
//!
//! Ids, references and field values are interned while the documents are
//! parsed, so a parsed scalar is eight bytes plus its position instead of
//! a borrowed or owned string, nothing borrows the input text once it is
//! parsed, and references are resolved later by indexing a table with the
//! symbol instead of hashing the string a second time.

use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use crate::graph::Texts;
use crate::model::builtin;

/// A string of a load's [`Strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Str(pub u32);

impl Str {
    /// The symbol as an index into per-symbol tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The interning table: the strings (records end to end, numbered in
/// order of first sight, see [`Texts`]) and an open-addressing table of
/// their record offsets.
///
/// A look-up costs two cache misses: its slot (which holds 24 bits of the
/// hash, so that a slot of another string is passed over without reading
/// it) and the record (number, length and text in one place). A general
/// hash map of numbers costs four (control bytes, slot, string bounds,
/// bytes), and at a million ids this look-up is most of the parse.
#[derive(Debug)]
pub struct Strings {
    texts: Texts,
    /// 0: empty; else the hash's top 24 bits, then the record's offset
    /// plus one in the low 40 bits. A power of two long.
    slots: Vec<u64>,
    /// One bit per string: set when it may name or imply a built-in node
    /// ([`builtin::may_concern_builtins`], decided while the string is in
    /// the cache), so that finding the built-ins a load needs reads only
    /// those strings.
    builtin_bits: Vec<u64>,
    /// Each string's hash, by number, when the table is to be joined into
    /// another ([`Strings::keeping_hashes`]).
    hashes: Option<Vec<u64>>,
}

const OFFSET_BITS: u32 = 40;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

impl Default for Strings {
    fn default() -> Self {
        Strings::with_capacity(0, 0)
    }
}

impl Strings {
    /// An empty table with room for about `strings` strings of `bytes`
    /// bytes in all, so that a large load does not grow it by copying.
    pub fn with_capacity(strings: usize, bytes: usize) -> Strings {
        Strings {
            texts: Texts::with_capacity(strings, bytes),
            slots: written_zeros(slots_for(strings)),
            builtin_bits: Vec::with_capacity(strings.div_ceil(64)),
            hashes: None,
        }
    }

    /// The table, keeping each string's hash from now on: the part of a
    /// document read on another core is interned once more into the first
    /// part's table ([`Strings::intern_all_of`]), on the first core while
    /// the other waits; at 120k its 1.3 M strings then need not be hashed
    /// again there. 8 bytes a string, on the other core.
    pub fn keeping_hashes(mut self) -> Strings {
        self.hashes = Some(Vec::with_capacity(self.texts.capacity_strings()));
        self
    }

    /// The symbol of `s`, adding it on first sight.
    ///
    /// # Panics
    /// Past `u32::MAX` distinct strings (see [`Texts::push`]).
    pub fn intern(&mut self, s: &str) -> Str {
        self.intern_hashed(s, FxBuildHasher.hash_one(s))
    }

    #[inline]
    fn intern_hashed(&mut self, s: &str, hash: u64) -> Str {
        let empty = match self.look_up(s, hash) {
            Ok(sym) => return Str(sym),
            Err(empty) => empty,
        };
        let sym = self.texts.push(s);
        if let Some(hashes) = &mut self.hashes {
            hashes.push(hash);
        }
        let (word, bit) = (sym as usize / 64, sym % 64);
        if word == self.builtin_bits.len() {
            self.builtin_bits.push(0);
        }
        if builtin::may_concern_builtins(s) {
            self.builtin_bits[word] |= 1 << bit;
        }
        if (self.texts.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        } else {
            self.slots[empty] = slot_of(hash, self.texts.start(sym));
        }
        Str(sym)
    }

    /// Interns every string of `other`, in its order: the symbol each gets
    /// here, by its symbol there. `meanwhile` is given those symbols while
    /// the strings are added, on another core for a large table.
    ///
    /// This renumbers the second part of a document read on another core,
    /// a million strings at 120k, most of which (86 % there) are here
    /// already. Finding them only reads this table, so a large table is
    /// searched on both cores. Every missing string then gets the next
    /// number in order (those strings are distinct, so the first missing
    /// one gets `len()`, the next `len() + 1`, and so on): the symbols are
    /// known before a string is added, and `meanwhile` (the renumbering of
    /// the part's texts) runs beside the adding. At 120k the join took
    /// 72–82 ms on one core before.
    pub fn intern_all_of(
        &mut self,
        other: &Strings,
        meanwhile: impl FnOnce(&[Str]) + Send,
    ) -> Vec<Str> {
        self.intern_all_of_on(other, other.len() >= TWO_CORES_FROM, meanwhile)
    }

    fn intern_all_of_on(
        &mut self,
        other: &Strings,
        two_cores: bool,
        meanwhile: impl FnOnce(&[Str]) + Send,
    ) -> Vec<Str> {
        let n = other.len();
        let (mut found, mut found_after) = (Vec::new(), Vec::new());
        let this = &*self;
        crate::graph::on_two_cores(
            "join-strings",
            two_cores,
            || found = this.find_all_of(other, 0..n / 2),
            || found_after = this.find_all_of(other, n / 2..n),
        );
        found.append(&mut found_after);
        let mut missing = Vec::new();
        let mut next = self.len() as u32;
        let numbers: Vec<Str> = found
            .iter()
            .enumerate()
            .map(|(i, &sym)| {
                if sym != MISSING {
                    return Str(sym);
                }
                missing.push(i as u32);
                next += 1;
                Str(next - 1)
            })
            .collect();
        drop(found);
        crate::graph::on_two_cores(
            "join-renumber",
            two_cores,
            || self.add_missing(other, &missing, &numbers),
            || meanwhile(&numbers),
        );
        numbers
    }

    /// Adds the strings of `other` at `missing` (in order), which this
    /// table does not hold; string `i` gets `numbers[i]`. The slot of the
    /// string eight ahead is brought into the cache first.
    fn add_missing(&mut self, other: &Strings, missing: &[u32], numbers: &[Str]) {
        const AHEAD: usize = 8;
        for (k, &i) in missing.iter().enumerate() {
            if let Some(&ahead) = missing.get(k + AHEAD) {
                self.prefetch_slot(self.probe_start(other.hash_at(ahead as usize)));
            }
            let i = i as usize;
            let sym = self.intern_hashed(other.texts.get(i as u32), other.hash_at(i));
            debug_assert_eq!(sym, numbers[i], "a missing string numbered in order");
        }
    }

    /// The symbol here of each string of `other` in `range`, or
    /// [`MISSING`]. Look-ups run ahead (the slot of a string 16 ahead, the
    /// record of one 8 ahead are brought into the cache), so that their
    /// cache misses overlap.
    fn find_all_of(&self, other: &Strings, range: std::ops::Range<usize>) -> Vec<u32> {
        const AHEAD: usize = 16;
        let end = range.end;
        let mut found = Vec::with_capacity(range.len());
        for i in range {
            if i + AHEAD < end {
                self.prefetch_slot(self.probe_start(other.hash_at(i + AHEAD)));
            }
            if i + AHEAD / 2 < end {
                self.prefetch_record_of(other.hash_at(i + AHEAD / 2));
            }
            let text = other.texts.get(i as u32);
            found.push(self.look_up(text, other.hash_at(i)).unwrap_or(MISSING));
        }
        found
    }

    /// The hash of string `i`: kept, or computed again.
    #[inline]
    fn hash_at(&self, i: usize) -> u64 {
        match self.hashes.as_deref() {
            Some(kept) if kept.len() == self.len() => kept[i],
            _ => FxBuildHasher.hash_one(self.texts.get(i as u32)),
        }
    }
    /// Brings the record the first slot of `hash` names into the cache,
    /// when that slot holds a string whose hash tag matches.
    #[inline]
    fn prefetch_record_of(&self, hash: u64) {
        let slot = self.slots[self.probe_start(hash)];
        if slot != 0 && slot >> OFFSET_BITS == hash >> OFFSET_BITS {
            self.texts
                .prefetch_record(((slot & OFFSET_MASK) - 1) as usize);
        }
    }

    /// Whether string `s` may name or imply a built-in node
    /// ([`builtin::may_concern_builtins`]); false for a symbol of another
    /// table.
    pub fn may_concern_builtins(&self, s: Str) -> bool {
        let word = self.builtin_bits.get(s.index() / 64).copied().unwrap_or(0);
        word >> (s.0 % 64) & 1 == 1
    }

    /// The symbol of `s` if it was interned.
    pub fn find(&self, s: &str) -> Option<Str> {
        self.look_up(s, FxBuildHasher.hash_one(s)).ok().map(Str)
    }

    /// The number of `s` (whose hash is `hash`), or the empty slot where
    /// it would go.
    #[inline]
    fn look_up(&self, s: &str, hash: u64) -> Result<u32, usize> {
        let mut i = self.probe_start(hash);
        loop {
            match self.slots[i] {
                0 => return Err(i),
                slot => {
                    if let Some(sym) = self.same(slot, hash, s) {
                        return Ok(sym);
                    }
                }
            }
            i = (i + 1) & (self.slots.len() - 1);
        }
    }

    /// Asks the processor to bring the slot where a look-up of `s` starts
    /// into the cache, so that a reader that knows which string comes
    /// next overlaps its cache miss with the work before it.
    #[inline]
    pub fn prefetch(&self, s: &str) {
        self.prefetch_slot(self.probe_start(FxBuildHasher.hash_one(s)));
    }

    #[inline]
    fn prefetch_slot(&self, i: usize) {
        if let Some(slot) = self.slots.get(i) {
            crate::graph::prefetch(slot);
        }
    }

    /// The string of `slot` if it is `s` (whose hash is `hash`).
    #[inline]
    fn same(&self, slot: u64, hash: u64, s: &str) -> Option<u32> {
        if slot >> OFFSET_BITS != hash >> OFFSET_BITS {
            return None;
        }
        let (sym, text) = self.texts.record_at(((slot & OFFSET_MASK) - 1) as usize);
        (text == s).then_some(sym)
    }

    #[inline]
    fn probe_start(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// Doubles the table and places every string again, reading the
    /// records in order (one pass over memory laid out end to end).
    fn grow(&mut self) {
        let mut slots = written_zeros(self.slots.len() * 2);
        let mask = slots.len() - 1;
        let kept = self.hashes.as_deref();
        for (sym, &start) in self.texts.starts().iter().enumerate() {
            let hash = match kept {
                Some(kept) => kept[sym],
                None => FxBuildHasher.hash_one(self.texts.record_at(start).1),
            };
            let mut i = hash as usize & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = slot_of(hash, start);
        }
        self.slots = slots;
    }

    /// The text of `s`.
    pub fn get(&self, s: Str) -> &str {
        self.texts.get(s.0)
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// True when nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    /// Bytes held (texts and table), for the memory log.
    pub fn heap_bytes(&self) -> usize {
        self.texts.heap_bytes() + self.slots.capacity() * std::mem::size_of::<u64>()
    }

    /// The strings without the table: once every document is parsed
    /// nothing more is interned, and the texts move into the graph (the
    /// node ids among them), while the table's memory is given back.
    pub fn freeze(self) -> Texts {
        self.texts
    }
}

/// A table at most three quarters full for `strings` strings.
fn slots_for(strings: usize) -> usize {
    (strings.saturating_mul(4) / 3 + 1)
        .next_power_of_two()
        .max(16)
}

fn slot_of(hash: u64, record: usize) -> u64 {
    (hash >> OFFSET_BITS << OFFSET_BITS) | ((record as u64 + 1) & OFFSET_MASK)
}

impl std::ops::Index<Str> for Strings {
    type Output = str;
    fn index(&self, s: Str) -> &str {
        self.get(s)
    }
}

/// Not a symbol: a string [`Strings::find_all_of`] did not find.
const MISSING: u32 = u32::MAX;

/// Joins of at least this many strings use two cores (below, the threads
/// cost about what they save).
const TWO_CORES_FROM: usize = 20_000;

/// A table of `len` zeros whose pages are all written once, in order.
///
/// `vec![0; len]` maps fresh pages lazily, and the table is then touched
/// at random: a look-up reads a slot first (mapping the shared zero page),
/// then an insert writes it (a copy-on-write fault that, while another
/// thread runs, flushes the other core's TLB by interrupt). At 120k services
/// those faults were 4–5 % of `analyze`'s samples; one written pass costs
/// a single fault per page. The writes are volatile so that they are not
/// dropped as stores of zero into memory known to be zero.
fn written_zeros(len: usize) -> Vec<u64> {
    const PER_PAGE: usize = 4096 / std::mem::size_of::<u64>();
    let mut slots = vec![0u64; len];
    for slot in slots.iter_mut().step_by(PER_PAGE) {
        // SAFETY: `slot` is a valid, aligned, exclusive reference.
        unsafe { std::ptr::write_volatile(slot, 0) };
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_a_symbol_and_read_back() {
        let mut s = Strings::default();
        let a = s.intern("svc-1");
        let b = s.intern("");
        let c = s.intern("svc-1");
        let d = s.intern("é-api");
        assert_eq!(a, c);
        assert_ne!(a, b);
        assert_eq!((s.get(a), s.get(b), &s[d]), ("svc-1", "", "é-api"));
        assert_eq!(s.find("é-api"), Some(d));
        assert_eq!(s.find("svc-2"), None);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn a_full_table_of_short_strings_finds_each_past_the_others() {
        // 16 slots: most strings share a start and are found by probing.
        let mut s = Strings::with_capacity(0, 0);
        let syms: Vec<Str> = (0..12).map(|i| s.intern(&"x".repeat(i))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(s.find(&"x".repeat(i)), Some(*sym));
        }
        assert_eq!(s.find("y"), None);
    }

    /// Interning another table's strings gives each the symbol interning
    /// it alone gives, whether that table kept its hashes or not and
    /// whether it is joined on one core or two, and a table that keeps
    /// them (and grows) finds every string.
    #[test]
    fn a_table_joined_with_or_without_kept_hashes_numbers_alike() {
        let texts: Vec<String> = (0..5_000).map(|i| format!("s{}", i % 3_000)).collect();
        let mut kept = Strings::with_capacity(4, 8).keeping_hashes();
        let mut plain = Strings::with_capacity(4, 8);
        for t in &texts {
            assert_eq!(kept.intern(t), plain.intern(t));
        }
        assert_eq!(kept.hashes.as_ref().map(Vec::len), Some(kept.len()));
        for t in &texts {
            assert_eq!(kept.find(t), plain.find(t));
        }
        let base = || {
            let mut b = Strings::default();
            for i in (0..4_000).step_by(7) {
                b.intern(&format!("s{i}"));
            }
            b
        };
        let (mut a, mut b, mut c) = (base(), base(), base());
        let by_kept = a.intern_all_of_on(&kept, false, |_| {});
        let by_plain = b.intern_all_of_on(&plain, false, |_| {});
        let (tx, rx) = std::sync::mpsc::channel();
        let on_two_cores = c.intern_all_of_on(&kept, true, move |numbers| {
            let _ = tx.send(numbers.to_vec());
        });
        assert_eq!(by_kept, by_plain);
        assert_eq!(on_two_cores, by_kept);
        assert_eq!(
            rx.try_recv().ok(),
            Some(by_kept.clone()),
            "meanwhile saw them"
        );
        assert_eq!(c.len(), a.len());
        for (i, sym) in by_kept.iter().enumerate() {
            assert_eq!(a.get(*sym), kept.get(Str(i as u32)));
        }
    }

    #[test]
    fn many_strings_survive_the_table_growing() {
        let mut s = Strings::with_capacity(4, 8);
        let syms: Vec<Str> = (0..10_000).map(|i| s.intern(&format!("n{i}"))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(s.get(*sym), format!("n{i}"));
            assert_eq!(s.intern(&format!("n{i}")), *sym);
        }
    }
}
