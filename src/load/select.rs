//! Selectors (SPEC §1.2): conditions on a node's fields, with `*` globs.

use crate::graph::{Attr, Graph, NodeIx};
use crate::model::NodeKind;

/// A value to compare: exact, or with `*` matching any run of characters
/// (no other character is special).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<String>,
    glob: bool,
}

impl Pattern {
    /// Compiles a condition's value.
    pub fn new(text: &str) -> Self {
        Pattern {
            parts: text.split('*').map(str::to_owned).collect(),
            glob: text.contains('*'),
        }
    }

    /// The condition's value as written (`us-*`), for messages.
    pub fn text(&self) -> String {
        self.parts.join("*")
    }

    /// Whether `text` matches. Linear in `text` for each part (greedy
    /// left-to-right matching is exact for `*`-only globs).
    pub fn matches(&self, text: &str) -> bool {
        if !self.glob {
            return self.parts[0] == text;
        }
        let (first, rest) = self
            .parts
            .split_first()
            .expect("split yields one part at least");
        let Some(mut tail) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        let (last, middle) = rest.split_last().expect("a glob has two parts at least");
        for part in middle {
            match tail.find(part.as_str()) {
                Some(i) => tail = &tail[i + part.len()..],
                None => return false,
            }
        }
        tail.len() >= last.len() && tail.ends_with(last.as_str())
    }
}

/// A checked selector.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    pub kind: Option<NodeKind>,
    pub id: Option<Pattern>,
    pub attrs: Vec<(Attr, Pattern)>,
    pub zone: Option<Pattern>,
    /// `(key, value)`: keys compare exactly.
    pub tags: Vec<(String, Pattern)>,
}

impl Selector {
    /// Whether node `n` satisfies every condition. A condition on a field the
    /// node lacks never holds.
    pub fn matches(&self, graph: &Graph, n: NodeIx) -> bool {
        if self.kind.is_some_and(|k| graph.kind(n) != k) {
            return false;
        }
        if self.id.as_ref().is_some_and(|p| !p.matches(graph.id(n))) {
            return false;
        }
        for (attr, p) in &self.attrs {
            match graph.attr(n, *attr) {
                Some(v) if p.matches(v) => {}
                _ => return false,
            }
        }
        if let Some(p) = &self.zone {
            let zones = graph.zones(n);
            if !zones
                .iter()
                .any(|z| graph.symbol(*z).is_some_and(|z| p.matches(z)))
            {
                return false;
            }
        }
        self.tags.iter().all(|(k, p)| {
            graph.tags(n).iter().any(|(tk, tv)| {
                graph.symbol(*tk) == Some(k.as_str())
                    && graph.symbol(*tv).is_some_and(|v| p.matches(v))
            })
        })
    }

    /// Every node it matches other than `carrier` (a selector never
    /// matches the node that carries it), in id order.
    pub fn expand(&self, graph: &Graph, carrier: NodeIx) -> Vec<NodeIx> {
        graph
            .nodes()
            .filter(|&n| {
                n != carrier
                    && self.matches(graph, n)
                    && !crate::model::builtin::is_builtin_id(graph.id(n))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_of_characters() {
        assert!(Pattern::new("us-*").matches("us-east-1"));
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("a*b*c").matches("abc"));
        assert!(Pattern::new("a*b*c").matches("axxbyyc"));
        assert!(!Pattern::new("a*b*c").matches("axxbyy"));
        assert!(!Pattern::new("a*a").matches("a"));
        assert!(Pattern::new("*-1").matches("us-east-1"));
    }

    #[test]
    fn only_star_is_special_in_patterns() {
        assert!(Pattern::new("a?c").matches("a?c"));
        assert!(!Pattern::new("a?c").matches("abc"));
        assert!(!Pattern::new("a.c").matches("abc"));
        assert!(!Pattern::new("exact").matches("exactly"));
    }
}
