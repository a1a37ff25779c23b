//! How often each failure domain is up (SPEC §7.1): the rates file of
//! `availability`, checked. Plain data: the loader fills it, the engine
//! turns it into basic events.

use std::collections::BTreeMap;

use super::domain::DomainKind;

/// The domain kinds a rates file may rate: every kind of SPEC §4 but
/// `node` (a node's own availability is its `availability` field).
pub const RATED_KINDS: [DomainKind; 4] = [
    DomainKind::Region,
    DomainKind::Zone,
    DomainKind::Account,
    DomainKind::CloudService,
];

/// Availabilities of domains: a default per kind, and values per domain
/// (`us-east-1`, `use1-az1`, `111122223333`, `dynamodb@us-east-1`). A kind
/// with neither never fails.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates {
    pub defaults: BTreeMap<DomainKind, f64>,
    pub listed: BTreeMap<(DomainKind, String), f64>,
}

impl Rates {
    /// The availability of domain `kind:value`: its listed value, else its
    /// kind's default, else 1 (never fails).
    pub fn of(&self, kind: DomainKind, value: &str) -> f64 {
        self.listed
            .get(&(kind, value.to_owned()))
            .or_else(|| self.defaults.get(&kind))
            .copied()
            .unwrap_or(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_value_wins_over_the_default_and_unrated_kinds_never_fail() {
        let mut r = Rates::default();
        r.defaults.insert(DomainKind::Region, 0.9999);
        r.listed
            .insert((DomainKind::Region, "us-east-1".into()), 0.9995);
        assert_eq!(r.of(DomainKind::Region, "us-east-1"), 0.9995);
        assert_eq!(r.of(DomainKind::Region, "eu-west-1"), 0.9999);
        assert_eq!(r.of(DomainKind::Zone, "use1-az1"), 1.0);
    }
}
