//! The estate's vocabulary: what a node is, what it requires, how it can fail.
//!
//! The bottom floor: plain types, no I/O, nothing else of the crate. The
//! owned [`Document`] is what collectors write; the serde shapes with spans
//! that the loader reads are in `load::raw`.

pub mod document;
pub mod domain;
pub mod policy;
pub mod position;
pub mod rates;
pub mod text;

pub use document::Document;
pub use domain::{Domain, DomainArg, DomainKind, Scenario};
pub use policy::{FunctionSelector, Rule};
pub use position::Position;
pub mod baseline;
pub mod builtin;

use std::fmt;

/// How much a business function matters; orders reports (critical first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Criticality {
    Critical,
    High,
    #[default]
    Medium,
    Low,
}

impl Criticality {
    /// Every level, most critical first.
    pub const ALL: [Criticality; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    /// The level's name as written in an estate (`critical`, `high`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    /// Parses a level as written in an estate or a policy.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The section a node is defined in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Function,
    Service,
    Resource,
    External,
}

impl NodeKind {
    /// Every kind, in the order the sections appear in a document.
    pub const ALL: [NodeKind; 4] = [
        Self::Function,
        Self::Service,
        Self::Resource,
        Self::External,
    ];

    /// The kind's name as used by selectors (`kind: service`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Function => "function",
            Self::Service => "service",
            Self::Resource => "resource",
            Self::External => "external",
        }
    }

    /// The document section that holds nodes of this kind.
    pub fn section(self) -> &'static str {
        match self {
            Self::Function => "functions",
            Self::Service => "services",
            Self::Resource => "resources",
            Self::External => "externals",
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node's state under a scenario (SPEC §3). Ordered from healthy to broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    #[default]
    Up,
    Degraded,
    Down,
}

impl Status {
    /// The status as written in reports (`up`, `degraded`, `down`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Degraded => "degraded",
            Self::Down => "down",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a requirement entry counts its members (SPEC §1.2).
///
/// Every kind reduces to a threshold on the (weighted) number of members
/// that are not down, which lets the engine treat them with one counter per
/// entry; the rule itself is `engine::entry`. `failover` (SPEC §6.1) is a
/// weighted threshold over its members stored as `[primary, standby…,
/// via…]`: see [`EntryKind::Failover`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Every member must be up (a plain id is `all` of one member).
    All,
    /// At least one member.
    Any,
    /// At least `k` members.
    Quorum(u32),
    /// SPEC §6.1: the primary (member 0), or a standby (the next `standbys`
    /// members) together with every `via` node (the rest). Weights make it
    /// one threshold: a standby counts 1, a `via` node `standbys + 1` (no
    /// set of standbys stands in for one), the primary the whole threshold
    /// `via × (standbys + 1) + 1`. When a standby is itself a `via` node
    /// (`standby_in_via`), "some standby" holds whenever every `via` node
    /// does: the loader keeps it among the `via` nodes and the threshold
    /// drops by one. A primary listed in `via` leaves no standby branch:
    /// the loader stores every other member as a `via` node (`standbys: 0`).
    Failover {
        /// How many members after the primary are standbys.
        standbys: u32,
        /// A standby is also a `via` node (see above).
        standby_in_via: bool,
    },
}

impl EntryKind {
    /// How many members (weighted, for `failover`) must be not down for
    /// the entry to be satisfied. Saturates rather than wraps on absurd
    /// member counts.
    pub fn needed(self, members: usize) -> u32 {
        match self {
            Self::All => members as u32,
            Self::Any => 1,
            Self::Quorum(k) => k,
            Self::Failover {
                standbys,
                standby_in_via,
            } => {
                let via = (members as u32).saturating_sub(1 + standbys);
                via.saturating_mul(standbys + 1)
                    .saturating_add(u32::from(!standby_in_via))
            }
        }
    }

    /// The weight of the member at `position` in the entry's member list:
    /// 1 except in a `failover` entry (see [`EntryKind::Failover`]).
    #[inline]
    pub fn weight(self, position: usize, members: usize) -> u32 {
        match self {
            Self::Failover { standbys, .. } => match position {
                0 => self.needed(members),
                p if p <= standbys as usize => 1,
                _ => standbys + 1,
            },
            _ => 1,
        }
    }
}
