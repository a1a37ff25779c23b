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

use crate::graph::Texts;

/// A string of a load's [`Strings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Str(pub u32);

impl Str {
    /// The symbol as an index into per-symbol tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The interning table: the strings (end to end, numbered in order of
/// first sight) and a hash table of their numbers keyed by their text.
#[derive(Debug, Default)]
pub struct Strings {
    texts: Texts,
    table: HashTable<u32>,
}

impl Strings {
    /// An empty table with room for about `strings` strings of `bytes`
    /// bytes in all, so that a large load does not grow it by copying.
    pub fn with_capacity(strings: usize, bytes: usize) -> Strings {
        Strings {
            texts: Texts::with_capacity(strings, bytes),
            table: HashTable::with_capacity(strings),
        }
    }

    /// The symbol of `s`, adding it on first sight.
    ///
    /// # Panics
    /// Past `u32::MAX` distinct strings (see [`Texts::push`]).
    pub fn intern(&mut self, s: &str) -> Str {
        let hash = FxBuildHasher.hash_one(s);
        let texts = &self.texts;
        if let Some(&i) = self.table.find(hash, |&i| texts.get(i) == s) {
            return Str(i);
        }
        let i = self.texts.push(s);
        let texts = &self.texts;
        self.table
            .insert_unique(hash, i, |&j| FxBuildHasher.hash_one(texts.get(j)));
        Str(i)
    }

    /// The symbol of `s` if it was interned.
    pub fn find(&self, s: &str) -> Option<Str> {
        let hash = FxBuildHasher.hash_one(s);
        self.table
            .find(hash, |&i| self.texts.get(i) == s)
            .map(|&i| Str(i))
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

    /// Bytes held (texts, ends and the hash table), for the memory log.
    pub fn heap_bytes(&self) -> usize {
        self.texts.heap_bytes() + self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

impl Strings {
    /// The strings without the table: once every document is parsed
    /// nothing more is interned, and the texts move into the graph (the
    /// node ids among them), while the table's memory is given back.
    pub fn freeze(self) -> Texts {
        self.texts
    }
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
