//! The CI policy's vocabulary (SPEC §4.1): which functions a rule selects and
//! which domain kinds they must survive. Evaluating a selector against an
//! estate is the engine's job (`engine::check::selects`).

use super::{Criticality, DomainKind, NodeKind};

/// Which functions a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionSelector {
    /// `functions = "*"`.
    All,
    /// `functions = { ids = [...], criticality = [...], tags = {...} }`:
    /// every condition given must hold.
    Where {
        ids: Option<Vec<String>>,
        criticality: Option<Vec<Criticality>>,
        tags: Vec<(String, String)>,
    },
}

/// One rule of a policy, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub name: String,
    pub functions: FunctionSelector,
    pub must_survive: Vec<DomainKind>,
    /// `must_survive = ["zone+zone", "region+zone"]` (SPEC §6.3): kinds of
    /// pairs of distinct domains that must not take a function down
    /// together when neither does alone. Each pair in [`DomainKind`] order,
    /// without repeats.
    pub must_survive_pairs: Vec<(DomainKind, DomainKind)>,
    /// `node_kinds = [...]`: the kinds of node whose `node` domains the rule
    /// counts, so a rule can ask for no single database or third party
    /// without failing on every logical service that functions converge on.
    /// `None`: every kind.
    pub node_kinds: Option<Vec<NodeKind>>,
}

impl Rule {
    /// Whether `node` domains count for this rule, alone or in a pair:
    /// what `node_kinds` limits.
    pub fn asks_for_nodes(&self) -> bool {
        self.must_survive.contains(&DomainKind::Node)
            || self
                .must_survive_pairs
                .iter()
                .any(|&(a, b)| a == DomainKind::Node || b == DomainKind::Node)
    }

    /// Whether the domain `node:x`, for a node of `kind`, is one of this
    /// rule's domains (given that `node` is in `must_survive`).
    pub fn counts_node_kind(&self, kind: NodeKind) -> bool {
        self.node_kinds.as_ref().is_none_or(|k| k.contains(&kind))
    }
}
