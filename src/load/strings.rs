//! Every distinct string of a load, stored once and named by a dense `u32`.
//!
//! Ids, references and field values are interned while the documents are
//! parsed, so a parsed scalar is eight bytes plus its position instead of
//! a borrowed or owned string, nothing borrows the input text once it is
//! parsed, and references are resolved later by indexing a table with the
//! symbol instead of hashing the string a second time.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// A string of a load's [`Strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Str(pub u32);

impl Str {
    /// The symbol as an index into per-symbol tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The interning table: the strings' bytes end to end, where each ends,
/// and a hash table of symbols keyed by their text.
#[derive(Debug, Default)]
pub struct Strings {
    bytes: String,
    ends: Vec<usize>,
    table: HashTable<u32>,
}

impl Strings {
    /// An empty table with room for about `strings` strings of `bytes`
    /// bytes in all, so that a large load does not grow it by copying.
    pub fn with_capacity(strings: usize, bytes: usize) -> Strings {
        Strings {
            bytes: String::with_capacity(bytes),
            ends: Vec::with_capacity(strings),
            table: HashTable::with_capacity(strings),
        }
    }

    /// The symbol of `s`, adding it on first sight.
    ///
    /// # Panics
    /// Past `u32::MAX` distinct strings, more than any input the loader
    /// accepts (2 GiB) can hold.
    pub fn intern(&mut self, s: &str) -> Str {
        let hash = FxBuildHasher.hash_one(s);
        let (bytes, ends) = (&self.bytes, &self.ends);
        let text_of = |i: u32| slice(bytes, ends, i as usize);
        if let Some(&i) = self.table.find(hash, |&i| text_of(i) == s) {
            return Str(i);
        }
        let i = u32::try_from(self.ends.len()).expect("fewer than 2^32 distinct strings");
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.table.insert_unique(hash, i, |&j| {
            FxBuildHasher.hash_one(slice(bytes, ends, j as usize))
        });
        Str(i)
    }

    /// The symbol of `s` if it was interned.
    pub fn find(&self, s: &str) -> Option<Str> {
        let hash = FxBuildHasher.hash_one(s);
        self.table
            .find(hash, |&i| slice(&self.bytes, &self.ends, i as usize) == s)
            .map(|&i| Str(i))
    }

    /// The text of `s`.
    pub fn get(&self, s: Str) -> &str {
        slice(&self.bytes, &self.ends, s.index())
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes held (texts, ends and the hash table), for the memory log.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + self.ends.capacity() * std::mem::size_of::<usize>()
            + self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

#[inline]
fn slice<'a>(bytes: &'a str, ends: &[usize], i: usize) -> &'a str {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &bytes[start..ends[i]]
}

impl std::ops::Index<Str> for Strings {
    type Output = str;
    fn index(&self, s: Str) -> &str {
        self.get(s)
    }
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
    fn many_strings_survive_the_table_growing() {
        let mut s = Strings::with_capacity(4, 8);
        let syms: Vec<Str> = (0..10_000).map(|i| s.intern(&format!("n{i}"))).collect();
        for (i, sym) in syms.iter().enumerate() {
            assert_eq!(s.get(*sym), format!("n{i}"));
            assert_eq!(s.intern(&format!("n{i}")), *sym);
        }
    }
}
