//! Texts stored end to end and named by a dense `u32`: the node ids of a
//! loaded estate live here once, shared by the loader (which interned every
//! string of the documents into it) and the graph (which names each node's
//! id by its number), instead of being copied into the graph.

/// Strings stored as records end to end: each record is the string's
/// number and length (4 bytes each) and then its bytes, so that whoever
/// holds a record's offset (the loader's interning table) reads number,
/// length and text from one place: one cache miss, not three.
#[derive(Debug, Default, Clone)]
pub struct Texts {
    records: Vec<u8>,
    /// Where each string's record starts, by number.
    starts: Vec<usize>,
}

/// Bytes of a record before its text.
const HEADER: usize = 8;

impl Texts {
    /// Empty, with room for `strings` strings of `bytes` bytes in all.
    pub fn with_capacity(strings: usize, bytes: usize) -> Texts {
        Texts {
            records: Vec::with_capacity(bytes + strings * HEADER),
            starts: Vec::with_capacity(strings),
        }
    }

    /// How many strings there is room for without growing.
    pub fn capacity_strings(&self) -> usize {
        self.starts.capacity()
    }

    /// Appends `s` and returns its number.
    ///
    /// # Panics
    /// Past `u32::MAX` strings or a string of 4 GiB, more than any input
    /// the loader accepts (2 GiB) can hold.
    pub fn push(&mut self, s: &str) -> u32 {
        let i = u32::try_from(self.starts.len()).expect("fewer than 2^32 strings");
        let len = u32::try_from(s.len()).expect("a string shorter than 4 GiB");
        self.starts.push(self.records.len());
        self.records.extend_from_slice(&i.to_le_bytes());
        self.records.extend_from_slice(&len.to_le_bytes());
        self.records.extend_from_slice(s.as_bytes());
        i
    }

    /// String number `i`.
    #[inline]
    pub fn get(&self, i: u32) -> &str {
        self.record_at(self.starts[i as usize]).1
    }

    /// Where string `i`'s record starts.
    #[inline]
    pub fn start(&self, i: u32) -> usize {
        self.starts[i as usize]
    }

    /// The number and text of the record at `offset` (a value
    /// [`Texts::start`] gave).
    #[inline]
    pub fn record_at(&self, offset: usize) -> (u32, &str) {
        let head = &self.records[offset..offset + HEADER];
        let number = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
        let bytes = &self.records[offset + HEADER..offset + HEADER + len];
        // SAFETY: the only writer, `push`, copies whole `&str`s, and
        // `offset` is the start of one of their records: `bytes` is one
        // of those strings, valid UTF-8.
        (number, unsafe { std::str::from_utf8_unchecked(bytes) })
    }

    /// Brings where string `i`'s record starts into the cache; a reader
    /// some strings ahead then calls [`Texts::prefetch_text`], and the
    /// reading of string `i` after that misses nothing.
    #[inline]
    pub fn prefetch_start(&self, i: u32) {
        if let Some(start) = self.starts.get(i as usize) {
            prefetch(start);
        }
    }

    /// Brings string `i`'s record into the cache.
    #[inline]
    pub fn prefetch_text(&self, i: u32) {
        if let Some(&start) = self.starts.get(i as usize) {
            self.prefetch_record(start);
        }
    }

    /// Brings the record at `offset` into the cache (a hint: nothing is
    /// read, an offset past the end is ignored).
    #[inline]
    pub fn prefetch_record(&self, offset: usize) {
        if let Some(byte) = self.records.get(offset) {
            prefetch(byte);
        }
    }

    /// Every string's record offset, in number order (for rebuilding an
    /// index of them).
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Bytes held, for the memory log.
    pub fn heap_bytes(&self) -> usize {
        self.records.capacity() + self.starts.capacity() * std::mem::size_of::<usize>()
    }
}

/// Asks the processor to bring the cache line of `value` in: a reader
/// that knows what it reads next overlaps the cache miss with its work.
#[inline]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault; the address is
    // that of a live reference anyway.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_give_back_their_number_and_text() {
        let mut t = Texts::with_capacity(0, 0);
        let a = t.push("svc-1");
        let b = t.push("");
        let c = t.push("é-api");
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!((t.get(a), t.get(b), t.get(c)), ("svc-1", "", "é-api"));
        assert_eq!(t.record_at(t.start(c)), (2, "é-api"));
        assert_eq!(t.len(), 3);
    }
}
