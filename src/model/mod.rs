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
/// Every kind reduces to a threshold on the number of members that are not
/// down, which lets the engine treat them with one counter per entry; the
/// rule itself is `engine::entry`. `failover` (SPEC §6.1) is a weighted
/// threshold over `[primary, standby, via…]`: one more variant here and its
/// arm there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Every member must be up (a plain id is `all` of one member).
    All,
    /// At least one member.
    Any,
    /// At least `k` members.
    Quorum(u32),
}

impl EntryKind {
    /// How many members must be not down for the entry to be satisfied.
    pub fn needed(self, members: usize) -> u32 {
        match self {
            Self::All => members as u32,
            Self::Any => 1,
            Self::Quorum(k) => k,
        }
    }
}
