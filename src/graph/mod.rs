//! The estate as one compact graph that every command shares.
//!
//! Nodes are dense `u32` indices assigned in byte order of their ids, so that
//! comparing two indices compares the ids (SPEC §4.2 ordering, §3.4 paths)
//! with no string work. Adjacency is stored as flat CSR arrays: forward
//! (node → its entries → their members) and reverse (node → the entries it is
//! a member of), which is what propagation walks. Attribute values (regions,
//! zones, accounts, ...) are interned symbols. Built once by `load` through
//! the one write path, [`Builder`]; immutable and never cloned per scenario.

mod builder;
mod provenance;
mod texts;

pub use builder::{Builder, NodeId, NodeRow};
pub use provenance::{Observation, Provenance};
pub use texts::{prefetch, Texts};

use crate::model::{Criticality, EntryKind, NodeKind};

/// A node's index: its rank in byte order of ids.
pub type NodeIx = u32;
/// An entry's index in [`Graph::entries`].
pub type EntryIx = u32;
/// An interned attribute value.
pub type Sym = u32;
/// "No value" for an attribute.
pub const NO_SYM: Sym = Sym::MAX;

/// The placement and identity attributes a domain or selector can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Attr {
    Provider = 0,
    Service = 1,
    Type = 2,
    Account = 3,
    Region = 4,
}

impl Attr {
    /// Every attribute, in storage order.
    pub const ALL: [Attr; 5] = [
        Attr::Provider,
        Attr::Service,
        Attr::Type,
        Attr::Account,
        Attr::Region,
    ];

    /// The field's name in an estate document.
    pub fn field(self) -> &'static str {
        match self {
            Attr::Provider => "provider",
            Attr::Service => "service",
            Attr::Type => "type",
            Attr::Account => "account",
            Attr::Region => "region",
        }
    }
}

/// Compressed sparse rows: the items of row `r` are
/// `items[offsets[r]..offsets[r + 1]]`.
#[derive(Debug, Clone)]
pub struct Csr<T> {
    pub offsets: Vec<u32>,
    pub items: Vec<T>,
}

impl<T> Default for Csr<T> {
    fn default() -> Self {
        Csr::new()
    }
}

impl<T> Csr<T> {
    /// An empty table that rows are pushed onto.
    pub fn new() -> Self {
        Csr {
            offsets: vec![0],
            items: Vec::new(),
        }
    }

    /// Appends one row.
    pub fn push_row(&mut self, row: impl IntoIterator<Item = T>) {
        self.items.extend(row);
        self.offsets.push(self.items.len() as u32);
    }

    /// Ends the row whose items were pushed onto `items` since the last.
    fn end_row(&mut self) {
        self.offsets.push(self.items.len() as u32);
    }

    /// Appends every row of `more`, each item through `f`: one pass over
    /// its items and one over its offsets, not a loop per row.
    fn append_rows<U: Copy>(&mut self, more: &Csr<U>, f: impl Fn(U) -> T) {
        let base = self.items.len() as u32;
        self.items.extend(more.items.iter().map(|&x| f(x)));
        self.offsets
            .extend(more.offsets.iter().skip(1).map(|&o| base + o));
    }

    /// The items of row `r`.
    #[inline]
    pub fn row(&self, r: usize) -> &[T] {
        &self.items[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.offsets.len() - 1
    }
}

impl<T: Copy + Into<u32> + Sync> Csr<T> {
    /// Transposes a table of node indices: row `x` of the result lists every
    /// row that holds `x`, in ascending order. A large table is transposed
    /// on two cores (each counts, then places, the items of half the rows;
    /// the first half's rows come first in every row of the result): at
    /// 120k services, 0.8 M entries, building the graph's last tables took
    /// 8–14 ms on one core at the end of the load, 6–10 ms now.
    pub fn transpose(&self, columns: usize) -> Csr<u32> {
        let split = if self.items.len() >= TRANSPOSED_ON_TWO_CORES_FROM {
            self.row_at_half_the_items()
        } else {
            self.rows()
        };
        self.transpose_split_at(columns, split)
    }

    /// The first row at or past half the items.
    fn row_at_half_the_items(&self) -> usize {
        let half = (self.items.len() / 2) as u32;
        self.offsets.partition_point(|&o| o < half).min(self.rows())
    }

    /// [`Csr::transpose`], the rows before `split` on this core and the
    /// others on another (all on this one when `split` is the last row).
    fn transpose_split_at(&self, columns: usize, split: usize) -> Csr<u32> {
        use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
        let cut = self.offsets[split] as usize;
        let (first, second) = self.items.split_at(cut);
        let count = |items: &[T]| {
            let mut counts = vec![0u32; columns];
            for &x in items {
                counts[x.into() as usize] += 1;
            }
            counts
        };
        let (mut fill_first, mut fill_second) = (Vec::new(), Vec::new());
        on_two_cores(
            "count-members",
            !second.is_empty(),
            || fill_first = count(first),
            || fill_second = count(second),
        );
        // Row x of the result: the first half's rows, then the second's.
        let mut offsets = Vec::with_capacity(columns + 1);
        let mut at = 0u32;
        offsets.push(at);
        for (a, b) in fill_first.iter_mut().zip(fill_second.iter_mut()) {
            let (in_first, in_second) = (*a, *b);
            *a = at;
            *b = at + in_first;
            at += in_first + in_second;
            offsets.push(at);
        }
        // Each slot is written once, by one thread: relaxed stores are
        // plain stores, and the threads' joins order them before the reads.
        let items: Vec<AtomicU32> = (0..self.items.len()).map(|_| AtomicU32::new(0)).collect();
        let place = |rows: std::ops::Range<usize>, fill: &mut [u32]| {
            for r in rows {
                for &x in self.row(r) {
                    let slot = &mut fill[x.into() as usize];
                    items[*slot as usize].store(r as u32, Relaxed);
                    *slot += 1;
                }
            }
        };
        let rows = self.rows();
        on_two_cores(
            "place-members",
            split < rows,
            || place(0..split, &mut fill_first),
            || place(split..rows, &mut fill_second),
        );
        Csr {
            offsets,
            items: items.into_iter().map(AtomicU32::into_inner).collect(),
        }
    }
}

/// Tables of at least this many items are transposed on two cores (below,
/// a thread costs about what it saves).
const TRANSPOSED_ON_TWO_CORES_FROM: usize = 100_000;

/// Runs `here` on this thread and `there` on another (named `name`) when
/// `both`, else both here (`there` also runs here when no thread can be
/// started). For the floors below the engine, which has rayon.
pub(crate) fn on_two_cores(
    name: &str,
    both: bool,
    here: impl FnOnce(),
    there: impl FnOnce() + Send,
) {
    // Taken once: by the other thread, or here after it.
    let job = std::sync::Mutex::new(Some(there));
    let run = || {
        let taken = job.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(there) = taken {
            there();
        }
    };
    if both {
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name(name.into())
                .spawn_scoped(scope, run);
            here();
            if let Ok(handle) = other {
                handle
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
            }
        });
    } else {
        here();
    }
    run();
}

/// One requirement entry, resolved (SPEC §1.2): its owner, how it counts,
/// and its members (ids and selectors expanded, de-duplicated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub owner: NodeIx,
    pub kind: EntryKind,
    /// Members that must be not down for the entry to be satisfied; read
    /// only through `engine::entry`, the one satisfaction rule.
    pub needed: u32,
    /// `optional` (soft) rather than `requires` (hard).
    pub optional: bool,
}

/// The estate, resolved and indexed. Immutable once built: only
/// [`Builder`] writes its tables.
#[derive(Debug, Default)]
pub struct Graph {
    /// The texts the ids are among (the loader's interned strings, shared
    /// rather than copied), and node `n`'s id as its number there.
    id_texts: std::sync::Arc<Texts>,
    id_syms: Vec<u32>,
    kinds: Vec<NodeKind>,
    criticality: Vec<Criticality>,
    /// The nodes that have a description, in node order: few nodes of a
    /// large estate have one, so not one slot per node.
    descriptions: Vec<(NodeIx, Box<str>)>,
    symbols: Vec<Box<str>>,
    /// Text → symbol, for domains and selectors named on the command line.
    symbol_index: rustc_hash::FxHashMap<Box<str>, Sym>,
    /// `attrs[node * 5 + attr]`.
    attrs: Vec<Sym>,
    /// Each node's explicit `zones` list (empty for `"*"` or none).
    zones: Csr<Sym>,
    /// Nodes whose `zones` is `"*"`.
    zones_every: Vec<bool>,
    min_zones: Vec<u32>,
    /// The nodes whose own `availability` is below 1 (SPEC §7.1), in node
    /// order: few in any estate, so not one slot per node.
    availability: Vec<(NodeIx, f64)>,
    /// Each node's tags as `(key, value)`, sorted by key.
    tags: Csr<(Sym, Sym)>,
    /// Every entry; a node's entries are contiguous, `requires` first.
    entries: Vec<Entry>,
    /// Row `e`: the members of entry `e`.
    members: Csr<NodeIx>,
    /// Row `n`: the entries of node `n`, as a range of entry indices.
    entry_start: Vec<u32>,
    /// Index of the first `optional` entry of each node.
    optional_start: Vec<u32>,
    /// Row `n`: the entries that have `n` as a member.
    member_of: Csr<EntryIx>,
    functions: Vec<NodeIx>,
    /// Some entry weighs its members (SPEC §6.1 `failover`): without one,
    /// `engine::entry` counts every member as 1 without reading the entry.
    weighted: bool,
}

impl Graph {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.id_syms.len()
    }

    /// True when the estate has no node.
    pub fn is_empty(&self) -> bool {
        self.id_syms.is_empty()
    }

    /// The id of a node.
    pub fn id(&self, n: NodeIx) -> &str {
        self.id_texts.get(self.id_syms[n as usize])
    }

    /// The node with this id. O(log n): ids are sorted.
    pub fn find(&self, id: &str) -> Option<NodeIx> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid as NodeIx).as_bytes().cmp(id.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as NodeIx),
            }
        }
        None
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeIx> {
        0..self.len() as NodeIx
    }

    /// Functions, in id order.
    pub fn functions(&self) -> &[NodeIx] {
        &self.functions
    }

    /// The section a node comes from.
    pub fn kind(&self, n: NodeIx) -> NodeKind {
        self.kinds[n as usize]
    }

    /// A function's criticality (`medium` when not given).
    pub fn criticality(&self, n: NodeIx) -> Criticality {
        self.criticality[n as usize]
    }

    /// The node's description, if any.
    pub fn description(&self, n: NodeIx) -> Option<&str> {
        self.descriptions
            .binary_search_by_key(&n, |(m, _)| *m)
            .ok()
            .map(|i| &*self.descriptions[i].1)
    }

    /// The interned symbol of an attribute of a node, or [`NO_SYM`].
    #[inline]
    pub fn attr_sym(&self, n: NodeIx, attr: Attr) -> Sym {
        self.attrs[n as usize * Attr::ALL.len() + attr as usize]
    }

    /// The value of an attribute of a node.
    pub fn attr(&self, n: NodeIx, attr: Attr) -> Option<&str> {
        self.symbol(self.attr_sym(n, attr))
    }

    /// The text of an interned symbol.
    pub fn symbol(&self, s: Sym) -> Option<&str> {
        self.symbols.get(s as usize).map(|b| &**b)
    }

    /// The symbol of a text, if any node uses it.
    /// O(1): the loader keeps its interning table.
    pub fn find_symbol(&self, text: &str) -> Option<Sym> {
        self.symbol_index.get(text).copied()
    }

    /// The node's explicit zones list (empty for `"*"` or none).
    pub fn zones(&self, n: NodeIx) -> &[Sym] {
        self.zones.row(n as usize)
    }

    /// Whether the node's `zones` is `"*"`.
    pub fn zones_every(&self, n: NodeIx) -> bool {
        self.zones_every[n as usize]
    }

    /// How often node `n` has not failed by itself (SPEC §7.1; 1 when not
    /// given). O(log k) over the k nodes that give one.
    pub fn availability(&self, n: NodeIx) -> f64 {
        self.availability
            .binary_search_by_key(&n, |&(x, _)| x)
            .map_or(1.0, |i| self.availability[i].1)
    }

    /// The nodes whose own availability is below 1, in node order.
    pub fn unreliable_nodes(&self) -> &[(NodeIx, f64)] {
        &self.availability
    }

    /// How many of its zones must survive.
    pub fn min_zones(&self, n: NodeIx) -> u32 {
        self.min_zones[n as usize]
    }

    /// The node's tags, `(key, value)` sorted by key.
    pub fn tags(&self, n: NodeIx) -> &[(Sym, Sym)] {
        self.tags.row(n as usize)
    }

    /// Every entry of the estate.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The members of an entry, in order (selectors expanded in id order).
    #[inline]
    pub fn members(&self, e: EntryIx) -> &[NodeIx] {
        self.members.row(e as usize)
    }

    /// The node's `requires` entries, as entry indices.
    #[inline]
    pub fn requires(&self, n: NodeIx) -> std::ops::Range<EntryIx> {
        self.entry_start[n as usize]..self.optional_start[n as usize]
    }

    /// The node's `optional` entries, as entry indices.
    #[inline]
    pub fn optional(&self, n: NodeIx) -> std::ops::Range<EntryIx> {
        self.optional_start[n as usize]..self.entry_start[n as usize + 1]
    }

    /// Whether some entry weighs its members differently (a `failover`
    /// entry): counters then move by `engine::entry::weight`, not by one.
    #[inline]
    pub fn has_weighted_entries(&self) -> bool {
        self.weighted
    }

    /// The entries (of any owner) that have `n` as a member.
    #[inline]
    pub fn member_of(&self, n: NodeIx) -> &[EntryIx] {
        self.member_of.row(n as usize)
    }

    /// Every value of an attribute that some node has, sorted.
    pub fn attr_values(&self, attr: Attr) -> Vec<&str> {
        let mut seen = vec![false; self.symbols.len()];
        for n in self.nodes() {
            let s = self.attr_sym(n, attr);
            if s != NO_SYM {
                seen[s as usize] = true;
            }
        }
        self.sorted_symbols(&seen)
    }

    /// Every zone named in some node's `zones` list, sorted.
    pub fn zone_values(&self) -> Vec<&str> {
        let mut seen = vec![false; self.symbols.len()];
        for &z in &self.zones.items {
            seen[z as usize] = true;
        }
        self.sorted_symbols(&seen)
    }

    fn sorted_symbols(&self, seen: &[bool]) -> Vec<&str> {
        let mut out: Vec<&str> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| &*self.symbols[i])
            .collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of `rows` rows of up to 5 items each below `columns`.
    fn random_table(rows: usize, columns: u32, seed: &mut u64) -> Csr<u32> {
        let mut next = |n: u64| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed % n
        };
        let mut table = Csr::new();
        for _ in 0..rows {
            let len = next(6);
            table.push_row((0..len).map(|_| next(u64::from(columns)) as u32));
        }
        table
    }

    /// Row x of the transpose, by a scan of every row.
    fn rows_holding(table: &Csr<u32>, x: u32) -> Vec<u32> {
        (0..table.rows())
            .flat_map(|r| {
                table
                    .row(r)
                    .iter()
                    .filter(move |&&y| y == x)
                    .map(move |_| r as u32)
            })
            .collect()
    }

    #[test]
    fn a_table_transposed_at_any_split_lists_each_rows_holders_in_order() {
        let mut seed = 0x7ab1e_u64;
        for (rows, columns) in [(0, 3), (1, 1), (9, 4), (40, 7), (120, 30)] {
            let table = random_table(rows, columns, &mut seed);
            for split in 0..=table.rows() {
                let t = table.transpose_split_at(columns as usize, split);
                assert_eq!(t.rows(), columns as usize);
                for x in 0..columns {
                    assert_eq!(
                        t.row(x as usize),
                        rows_holding(&table, x).as_slice(),
                        "row {x} of a {rows}-row table split at {split}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_large_table_is_split_at_half_its_items() {
        let mut seed = 0x5b117_u64;
        let table = random_table(60_000, 5_000, &mut seed);
        assert!(table.items.len() >= TRANSPOSED_ON_TWO_CORES_FROM);
        let split = table.row_at_half_the_items();
        let before = table.offsets[split] as usize;
        assert!(before >= table.items.len() / 2 && before <= table.items.len() / 2 + 5);
        let both = table.transpose(5_000);
        let one = table.transpose_split_at(5_000, table.rows());
        assert_eq!((both.offsets, both.items), (one.offsets, one.items));
    }
}
