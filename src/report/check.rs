//! `check` output: the CI gate's findings, as data every format renders.
//!
//! [`CheckReport`] holds plain strings (ids, domains, file positions), so
//! each renderer (text, JSON, SARIF, JUnit, GitHub annotations) is a pure
//! function of it.

use serde::Serialize;

/// Where something is defined in a file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SourcePosition {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// The whole outcome of one `check` run.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// The policy file, as given on the command line.
    pub policy_file: String,
    /// Every rule, in policy order, with every function it selects.
    pub rules: Vec<RuleOutcome>,
    /// Baseline entries that no longer occur (can be removed).
    pub stale_baseline: Vec<BaselineEntryOutcome>,
    /// Whether a baseline file was given.
    pub with_baseline: bool,
}

/// One rule of the policy.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    /// The rule's `name`.
    pub name: String,
    /// Where the rule's `name` is written in the policy file.
    pub position: Option<SourcePosition>,
    /// The domain kinds it asks functions to survive (`region`, `zone`...).
    pub must_survive: Vec<String>,
    /// Every function the rule selects, in id order (passing ones too:
    /// JUnit lists a test case per rule × function).
    pub functions: Vec<FunctionOutcome>,
}

/// One function under one rule.
#[derive(Debug, Clone)]
pub struct FunctionOutcome {
    pub id: String,
    /// `critical`, `high`, `medium` or `low`.
    pub criticality: String,
    pub description: Option<String>,
    /// Where the function is defined (its id's key in the estate file).
    pub position: Option<SourcePosition>,
    /// Violations, in sweep order of their domains.
    pub violations: Vec<ViolationOutcome>,
}

/// The function goes down under one domain of the rule's kinds.
#[derive(Debug, Clone)]
pub struct ViolationOutcome {
    /// The failed domain (`region:us-east-1`, `node:db-1`).
    pub domain: String,
    /// SPEC §3.4 path from the function to a cause.
    pub path: Vec<String>,
    /// SPEC §3.3 causes.
    pub causes: Vec<String>,
    /// Stable fingerprint of (rule, function, domain): 16 hex digits.
    pub fingerprint: String,
    /// One line on how to fix it.
    pub hint: String,
    /// Set when a baseline entry accepts this violation.
    pub baselined: Option<BaselineNote>,
}

/// Why a violation is accepted.
#[derive(Debug, Clone, Default)]
pub struct BaselineNote {
    pub reason: Option<String>,
    /// `YYYY-MM-DD`, if the acceptance expires.
    pub expires: Option<String>,
}

/// A baseline entry that matched nothing in this run.
#[derive(Debug, Clone)]
pub struct BaselineEntryOutcome {
    pub rule: String,
    pub function: String,
    pub domain: String,
    pub fingerprint: String,
}

impl CheckReport {
    /// Violations not accepted by the baseline: what fails the build.
    pub fn new_violations(
        &self,
    ) -> impl Iterator<Item = (&RuleOutcome, &FunctionOutcome, &ViolationOutcome)> {
        self.all_violations()
            .filter(|(_, _, v)| v.baselined.is_none())
    }

    /// Every violation, baselined or not, in rule, function, domain order.
    pub fn all_violations(
        &self,
    ) -> impl Iterator<Item = (&RuleOutcome, &FunctionOutcome, &ViolationOutcome)> {
        self.rules.iter().flat_map(|r| {
            r.functions
                .iter()
                .flat_map(move |f| f.violations.iter().map(move |v| (r, f, v)))
        })
    }

    /// True when no violation fails the build.
    pub fn passed(&self) -> bool {
        self.new_violations().next().is_none()
    }
}
