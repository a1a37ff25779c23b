//! The baseline's vocabulary: violations a team accepted, so `check` fails
//! only on new ones. Plain data: `load::baseline` reads and writes the file,
//! `engine::check` decides which violation an entry accepts.

use serde::{Deserialize, Serialize};

/// A baseline file (version 1), as written by `check --write-baseline`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Always 1: the only version this blastmap reads.
    pub version: u32,
    /// The accepted violations.
    pub violations: Vec<BaselineEntry>,
}

/// One accepted violation; people may add a `reason` and an `expires` date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The violation's domain (`region:us-east-1`), for people reading the file.
    pub domain: String,
    /// `YYYY-MM-DD`: after this day the entry no longer accepts its violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// What the entry matches: the fingerprint of (rule, function, domain).
    pub fingerprint: String,
    /// The function's id, for people reading the file.
    pub function: String,
    /// Why the violation is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule's name, for people reading the file.
    pub rule: String,
}

impl BaselineEntry {
    /// Whether the acceptance has run out by `today` (`YYYY-MM-DD`).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_expires_after_its_date() {
        let mut e = BaselineEntry {
            domain: "d".into(),
            expires: Some("2026-01-31".into()),
            fingerprint: "x".into(),
            function: "f".into(),
            reason: None,
            rule: "r".into(),
        };
        assert!(e.expired("2026-02-01"));
        assert!(!e.expired("2026-01-31"));
        e.expires = None;
        assert!(!e.expired("2999-01-01"));
    }
}
