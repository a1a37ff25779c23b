//! The graph's one write path: `load` pushes nodes in id order, then their
//! entries in owner order, and [`Builder::finish`] derives the lookup tables
//! and hands back the immutable [`Graph`].
//!
//! Rows are appended to the same flat tables the finished graph reads (no
//! node is buffered as a struct first), so building a million-node graph
//! holds one copy of it. Symbols are numbered in the order they are first
//! interned, which with nodes in id order makes the graph deterministic.

use std::sync::Arc;

use super::{Attr, Entry, Graph, NodeIx, Sym, Texts, NO_SYM};
use crate::model::{Criticality, EntryKind, NodeKind};

/// One node as `load` checked it, borrowed for the time of
/// [`Builder::push_node`] (its texts are interned or copied there).
#[derive(Debug, Clone, Copy)]
pub struct NodeRow<'a> {
    /// The node's id; ids come in byte order.
    pub id: NodeId<'a>,
    /// The section it is defined in.
    pub kind: NodeKind,
    /// Its criticality (`medium` when not given).
    pub criticality: Criticality,
    /// Its description, if any.
    pub description: Option<&'a str>,
    /// Provider, service, type, account and region, in [`Attr::ALL`] order
    /// ([`NO_SYM`] when absent), interned with [`Builder::intern_attr`].
    pub attrs: [Sym; 5],
    /// Its explicit zones list, each zone once (empty for `"*"` or none),
    /// interned with [`Builder::intern`].
    pub zones: &'a [Sym],
    /// Whether its `zones` is `"*"`.
    pub every_zone: bool,
    /// How many of its zones must survive.
    pub min_zones: u32,
    /// How often it has not failed by itself (SPEC §7.1; 1: never fails).
    pub availability: f64,
    /// Its tags, `(key, value)` sorted by key, each key once, interned.
    pub tags: &'a [(Sym, Sym)],
}

/// A node's id: a text the builder copies, or the number of a text of
/// the [`Texts`] the builder was made with (the loader's, not copied).
#[derive(Debug, Clone, Copy)]
pub enum NodeId<'a> {
    Text(&'a str),
    Interned(u32),
}

/// Builds a [`Graph`]: nodes first (in id order), then entries (in owner
/// order, a node's `requires` before its `optional`), then [`finish`].
///
/// [`finish`]: Builder::finish
#[derive(Debug, Default)]
pub struct Builder {
    graph: Graph,
    /// The last symbol of each attribute slot: nodes in id order tend to
    /// share their neighbours' region, account and type, so most look-ups
    /// are a string compare instead of a hash.
    last: [Option<Sym>; 5],
}

impl Builder {
    /// A builder whose per-node tables are sized once for `nodes` nodes
    /// whose ids total `id_bytes` bytes, so they never grow by copying.
    pub fn with_capacity(nodes: usize, id_bytes: usize) -> Builder {
        Builder::with_texts(nodes, Arc::new(Texts::with_capacity(nodes, id_bytes)))
    }

    /// A builder for `nodes` nodes whose ids are among `texts`
    /// ([`NodeId::Interned`]).
    pub fn with_texts(nodes: usize, texts: Arc<Texts>) -> Builder {
        let mut g = Graph {
            id_texts: texts,
            ..Graph::default()
        };
        g.id_syms.reserve(nodes);
        g.kinds.reserve(nodes);
        g.criticality.reserve(nodes);
        g.attrs.reserve(nodes * Attr::ALL.len());
        g.zones.offsets.reserve(nodes);
        g.zones_every.reserve(nodes);
        g.min_zones.reserve(nodes);
        g.tags.offsets.reserve(nodes);
        Builder {
            graph: g,
            last: [None; 5],
        }
    }

    /// Room for `tags` tags and `zones` listed zones in all, so that those
    /// lists do not grow by copying as nodes are pushed.
    pub fn reserve_lists(&mut self, tags: usize, zones: usize) {
        self.graph.tags.items.reserve(tags);
        self.graph.zones.items.reserve(zones);
    }

    /// The symbol of `text`, interning it on first use.
    pub fn intern(&mut self, text: &str) -> Sym {
        if let Some(&s) = self.graph.symbol_index.get(text) {
            return s;
        }
        let s = self.graph.symbols.len() as Sym;
        self.graph.symbols.push(text.into());
        self.graph.symbol_index.insert(text.into(), s);
        s
    }

    /// [`Builder::intern`] for an attribute value of slot `slot` (its
    /// [`Attr`] index), trying the slot's last symbol first. A node's
    /// values are interned before it is pushed, attributes first, then
    /// zones, then tags: symbols are then numbered in node order.
    pub fn intern_attr(&mut self, slot: usize, text: &str) -> Sym {
        if let Some(s) = self.last[slot] {
            if *self.graph.symbols[s as usize] == *text {
                return s;
            }
        }
        let s = self.intern(text);
        self.last[slot] = Some(s);
        s
    }

    /// Appends a node and returns its index. Nodes must come in byte order
    /// of ids (node order is id order, SPEC §4.2) and before any entry.
    pub fn push_node(&mut self, node: &NodeRow<'_>) -> NodeIx {
        debug_assert!(self.graph.entries.is_empty(), "nodes come before entries");
        let n = self.graph.len() as NodeIx;
        let g = &mut self.graph;
        let sym = match node.id {
            NodeId::Interned(sym) => sym,
            // Unique until the graph is finished: no copy.
            NodeId::Text(text) => Arc::make_mut(&mut g.id_texts).push(text),
        };
        g.id_syms.push(sym);
        debug_assert!(
            n == 0 || g.id(n - 1).as_bytes() < g.id(n).as_bytes(),
            "nodes are pushed in byte order of ids"
        );
        g.kinds.push(node.kind);
        if let Some(d) = node.description {
            g.descriptions.push((n, d.into()));
        }
        g.criticality.push(node.criticality);
        g.attrs.extend_from_slice(&node.attrs);
        g.zones.items.extend_from_slice(node.zones);
        g.zones.end_row();
        self.graph.zones_every.push(node.every_zone);
        self.graph.min_zones.push(node.min_zones);
        if node.availability < 1.0 {
            self.graph.availability.push((n, node.availability));
        }
        self.graph.tags.items.extend_from_slice(node.tags);
        self.graph.tags.end_row();
        n
    }

    /// Appends the nodes of `part`, a builder that added the nodes right
    /// after this one's (on another core), as if they had been pushed here:
    /// its symbols are interned here in its numbering order, which is the
    /// order they first appear in its nodes, so every symbol gets the
    /// number one builder would have given it. Both hold nodes only.
    pub fn append_nodes(&mut self, part: Builder) {
        debug_assert!(
            self.graph.entries.is_empty() && part.graph.entries.is_empty(),
            "nodes come before entries"
        );
        let p = part.graph;
        let map: Vec<Sym> = p.symbols.iter().map(|t| self.intern(t)).collect();
        let sym = |s: Sym| if s == NO_SYM { NO_SYM } else { map[s as usize] };
        let offset = self.graph.len() as NodeIx;
        let g = &mut self.graph;
        g.id_syms.extend_from_slice(&p.id_syms);
        g.kinds.extend_from_slice(&p.kinds);
        g.criticality.extend_from_slice(&p.criticality);
        g.descriptions
            .extend(p.descriptions.into_iter().map(|(n, d)| (n + offset, d)));
        g.attrs.extend(p.attrs.iter().map(|&s| sym(s)));
        g.zones.append_rows(&p.zones, sym);
        g.zones_every.extend_from_slice(&p.zones_every);
        g.min_zones.extend_from_slice(&p.min_zones);
        g.availability
            .extend(p.availability.iter().map(|&(n, a)| (n + offset, a)));
        g.tags.append_rows(&p.tags, |(k, v)| (sym(k), sym(v)));
    }

    /// The graph so far. Node queries (ids, kinds, attributes, zones, tags,
    /// symbols) answer for every node pushed; entry queries and
    /// [`Graph::functions`] only after [`Builder::finish`]. `load` expands
    /// selectors against it while it pushes entries.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Appends one requirement entry of `owner` (SPEC §1.2) with its
    /// members, resolved and de-duplicated. Entries come in owner order,
    /// and a node's `requires` entries before its `optional` ones.
    pub fn push_entry(
        &mut self,
        owner: NodeIx,
        kind: EntryKind,
        optional: bool,
        members: &[NodeIx],
    ) {
        self.open_entries_of(owner as usize);
        let g = &mut self.graph;
        assert!(
            g.entry_start.len() == owner as usize + 1,
            "entries are pushed in owner order"
        );
        let requires_open = g.optional_start.len() < g.entry_start.len();
        if optional && requires_open {
            g.optional_start.push(g.entries.len() as u32);
        }
        assert!(
            optional || requires_open,
            "a node's requires entries come before its optional ones"
        );
        g.weighted |= matches!(kind, EntryKind::Failover { .. });
        g.entries.push(Entry {
            owner,
            kind,
            needed: kind.needed(members.len()),
            optional,
        });
        g.members.push_row(members.iter().copied());
    }

    /// Closes the entries of every node before `owner` and opens `owner`'s
    /// (nodes without entries get empty ranges).
    fn open_entries_of(&mut self, owner: usize) {
        let g = &mut self.graph;
        if g.entry_start.capacity() == 0 {
            g.entry_start.reserve_exact(g.len() + 1);
            g.optional_start.reserve_exact(g.len());
        }
        while g.entry_start.len() <= owner {
            let here = g.entries.len() as u32;
            if g.optional_start.len() < g.entry_start.len() {
                g.optional_start.push(here);
            }
            g.entry_start.push(here);
        }
    }

    /// Derives the lookup tables (entries by member, the list of functions)
    /// and returns the graph. O(nodes + members).
    pub fn finish(mut self) -> Graph {
        self.open_entries_of(self.graph.len());
        let g = &mut self.graph;
        g.member_of = g.members.transpose(g.len());
        g.functions = (0..g.len() as NodeIx)
            .filter(|&n| g.kinds[n as usize] == NodeKind::Function)
            .collect();
        self.graph
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::NO_SYM;

    fn node(b: &mut Builder, id: &'static str, kind: NodeKind) -> NodeRow<'static> {
        let region = b.intern_attr(Attr::Region as usize, "eu-west-1");
        NodeRow {
            id: NodeId::Text(id),
            kind,
            criticality: Criticality::default(),
            description: None,
            attrs: [NO_SYM, NO_SYM, NO_SYM, NO_SYM, region],
            zones: &[],
            every_zone: false,
            min_zones: 1,
            availability: 1.0,
            tags: &[],
        }
    }

    #[test]
    fn nodes_without_entries_get_empty_ranges_around_those_with_entries() {
        let mut b = Builder::with_capacity(4, 8);
        for (id, kind) in [
            ("a", NodeKind::Function),
            ("b", NodeKind::Service),
            ("c", NodeKind::Service),
            ("d", NodeKind::Resource),
        ] {
            let row = node(&mut b, id, kind);
            b.push_node(&row);
        }
        b.push_entry(1, EntryKind::Any, false, &[2, 3]);
        b.push_entry(1, EntryKind::All, true, &[0]);
        b.push_entry(2, EntryKind::All, true, &[3]);
        let g = b.finish();
        assert_eq!(g.requires(0), 0..0);
        assert_eq!(g.optional(0), 0..0);
        assert_eq!(g.requires(1), 0..1);
        assert_eq!(g.optional(1), 1..2);
        assert_eq!(g.requires(2), 2..2);
        assert_eq!(g.optional(2), 2..3);
        assert_eq!(g.requires(3), 3..3);
        assert_eq!(g.optional(3), 3..3);
        assert_eq!(g.member_of(3), &[0, 2]);
        assert_eq!(g.functions(), &[0]);
        assert_eq!(g.entries()[0].needed, 1);
    }

    #[test]
    fn equal_values_share_one_symbol() {
        let mut b = Builder::with_capacity(2, 2);
        let a = node(&mut b, "a", NodeKind::Service);
        b.push_node(&a);
        let row = node(&mut b, "b", NodeKind::Service);
        b.push_node(&row);
        let g = b.finish();
        assert_eq!(g.attr_sym(0, Attr::Region), g.attr_sym(1, Attr::Region));
        assert_eq!(
            g.find_symbol("eu-west-1"),
            Some(g.attr_sym(0, Attr::Region))
        );
        assert_eq!(g.attr(1, Attr::Account), None);
    }
}
