//! The CI policy's vocabulary (SPEC §4.1): which functions a rule selects and
//! which domain kinds they must survive. Evaluating a selector against an
//! estate is the engine's job (`engine::check::selects`).

use super::{Criticality, DomainKind};

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
}
