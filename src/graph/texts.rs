//! Texts stored end to end and named by a dense `u32`: the node ids of a
//! loaded estate live here once, shared by the loader (which interned every
//! string of the documents into it) and the graph (which names each node's
//! id by its number), instead of being copied into the graph.

/// Strings stored end to end; string `i` ends at `ends[i]`.
#[derive(Debug, Default, Clone)]
pub struct Texts {
    bytes: String,
    ends: Vec<usize>,
}

impl Texts {
    /// Empty, with room for `strings` strings of `bytes` bytes in all.
    pub fn with_capacity(strings: usize, bytes: usize) -> Texts {
        Texts {
            bytes: String::with_capacity(bytes),
            ends: Vec::with_capacity(strings),
        }
    }

    /// Appends `s` and returns its number.
    ///
    /// # Panics
    /// Past `u32::MAX` strings, more than any input the loader accepts
    /// (2 GiB) can hold.
    pub fn push(&mut self, s: &str) -> u32 {
        let i = u32::try_from(self.ends.len()).expect("fewer than 2^32 strings");
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        i
    }

    /// String number `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes held, for the memory log.
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}
