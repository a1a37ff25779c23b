//! Failure domains (SPEC §2), the kinds a sweep or a policy asks for, and
//! scenarios: the words a user writes after `--fail`, `--domains` and
//! `must_survive`. Syntax only: whether the estate has a value is checked
//! after loading, by the engine.

use std::fmt;
use std::str::FromStr;

/// One failure domain, as written on the command line (`region:us-east-1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Domain {
    Region(String),
    Zone(String),
    Account(String),
    /// `cloud-service:S` or `cloud-service:S@R`.
    CloudService {
        service: String,
        region: Option<String>,
    },
    Provider(String),
    Tag {
        key: String,
        value: String,
    },
    Node(String),
}

/// The domain kinds, as written before the first `:`; the candidates of a
/// "did you mean" for a mistyped kind.
pub const DOMAIN_KINDS: [&str; 7] = [
    "region",
    "zone",
    "account",
    "cloud-service",
    "provider",
    "tag",
    "node",
];

/// How to write a domain, for the help line of a syntax error.
pub const DOMAIN_SYNTAX_HELP: &str =
    "write region:R, zone:Z, account:A, cloud-service:S or cloud-service:S@R, provider:P, tag:K=V or node:ID";

/// Why a text is not a domain; the caller words the message (model prints
/// nothing and knows no diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainSyntaxError {
    /// No `:` at all.
    NoKind,
    /// Nothing after the `:`.
    EmptyValue,
    /// `tag:K` without `=V`.
    TagWithoutValue,
    /// A kind that is not one of [`DOMAIN_KINDS`].
    UnknownKind(String),
}

impl fmt::Display for DomainSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoKind => f.write_str("a domain is written KIND:VALUE"),
            Self::EmptyValue => f.write_str("the value after `:` is empty"),
            Self::TagWithoutValue => f.write_str("a tag domain is written tag:KEY=VALUE"),
            Self::UnknownKind(kind) => write!(f, "unknown domain kind `{kind}`"),
        }
    }
}

impl std::error::Error for DomainSyntaxError {}

/// A `--fail` value as the command line read it: a domain, or `tag:KEY`
/// without `=VALUE`. SPEC §2 wants the latter's error to list the estate's
/// tags, so it waits, as text, until the estate is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainArg {
    /// A well-formed domain.
    Domain(Domain),
    /// `tag:KEY` without `=VALUE`, as written.
    TagWithoutValue(String),
}

impl FromStr for DomainArg {
    type Err = DomainSyntaxError;

    /// Like [`Domain::from_str`], except that a tag domain without `=` is
    /// kept for the check after loading.
    fn from_str(text: &str) -> Result<DomainArg, DomainSyntaxError> {
        match text.parse::<Domain>() {
            Ok(d) => Ok(DomainArg::Domain(d)),
            Err(DomainSyntaxError::TagWithoutValue) => {
                Ok(DomainArg::TagWithoutValue(text.to_owned()))
            }
            Err(e) => Err(e),
        }
    }
}

impl FromStr for Domain {
    type Err = DomainSyntaxError;

    /// Parses `KIND:VALUE` (split at the first `:`; `cloud-service:S@R` at the
    /// first `@`, `tag:K=V` at the first `=`). Checks the syntax only.
    fn from_str(text: &str) -> Result<Domain, DomainSyntaxError> {
        let (kind, value) = text.split_once(':').ok_or(DomainSyntaxError::NoKind)?;
        if value.is_empty() {
            return Err(DomainSyntaxError::EmptyValue);
        }
        let v = value.to_owned();
        Ok(match kind {
            "region" => Domain::Region(v),
            "zone" => Domain::Zone(v),
            "account" => Domain::Account(v),
            "provider" => Domain::Provider(v),
            "node" => Domain::Node(v),
            "cloud-service" => match value.split_once('@') {
                Some((s, r)) => Domain::CloudService {
                    service: s.to_owned(),
                    region: Some(r.to_owned()),
                },
                None => Domain::CloudService {
                    service: v,
                    region: None,
                },
            },
            "tag" => match value.split_once('=') {
                Some((k, val)) => Domain::Tag {
                    key: k.to_owned(),
                    value: val.to_owned(),
                },
                None => return Err(DomainSyntaxError::TagWithoutValue),
            },
            _ => return Err(DomainSyntaxError::UnknownKind(kind.to_owned())),
        })
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Region(v) => write!(f, "region:{v}"),
            Domain::Zone(v) => write!(f, "zone:{v}"),
            Domain::Account(v) => write!(f, "account:{v}"),
            Domain::Provider(v) => write!(f, "provider:{v}"),
            Domain::Node(v) => write!(f, "node:{v}"),
            Domain::CloudService {
                service,
                region: Some(r),
            } => write!(f, "cloud-service:{service}@{r}"),
            Domain::CloudService {
                service,
                region: None,
            } => write!(f, "cloud-service:{service}"),
            Domain::Tag { key, value } => write!(f, "tag:{key}={value}"),
        }
    }
}

/// A set of failed domains: the union fails (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The domains, sorted in byte order of their text, without repeats.
    pub domains: Vec<Domain>,
}

impl Scenario {
    /// A scenario of these domains, in the canonical order reports rely on.
    pub fn from_domains(mut domains: Vec<Domain>) -> Scenario {
        domains.sort_by_cached_key(|d| d.to_string());
        domains.dedup();
        Scenario { domains }
    }

    /// The domains as text, sorted.
    pub fn domain_texts(&self) -> Vec<String> {
        self.domains.iter().map(Domain::to_string).collect()
    }
}

/// The domain kinds a sweep (or a policy's `must_survive`) can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DomainKind {
    Region,
    Zone,
    Account,
    /// One domain per service and region: `cloud-service:S@R`.
    CloudService,
    /// One domain per node.
    Node,
}

/// A name that is not a [`DomainKind`]; the caller words the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDomainKind(pub String);

impl fmt::Display for UnknownDomainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a domain kind", self.0)
    }
}

impl std::error::Error for UnknownDomainKind {}

impl DomainKind {
    /// Every kind, in the SPEC's order.
    pub const ALL: [DomainKind; 5] = [
        DomainKind::Region,
        DomainKind::Zone,
        DomainKind::Account,
        DomainKind::CloudService,
        DomainKind::Node,
    ];

    /// The default kinds of `sweep`.
    pub const DEFAULT: [DomainKind; 4] = [
        DomainKind::Region,
        DomainKind::Zone,
        DomainKind::Account,
        DomainKind::CloudService,
    ];

    /// The kind's name (`cloud-service`).
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Region => "region",
            DomainKind::Zone => "zone",
            DomainKind::Account => "account",
            DomainKind::CloudService => "cloud-service",
            DomainKind::Node => "node",
        }
    }
}

impl FromStr for DomainKind {
    type Err = UnknownDomainKind;

    /// One kind name, exactly as [`DomainKind::as_str`] writes it.
    fn from_str(text: &str) -> Result<DomainKind, UnknownDomainKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| UnknownDomainKind(text.to_owned()))
    }
}

impl fmt::Display for DomainKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_splits_at_the_first_colon_so_node_arns_work() {
        let d: Domain = "node:arn:aws:rds:us-east-1:1:db:x".parse().unwrap();
        assert_eq!(d, Domain::Node("arn:aws:rds:us-east-1:1:db:x".into()));
        assert_eq!(d.to_string(), "node:arn:aws:rds:us-east-1:1:db:x");
    }

    #[test]
    fn a_tag_value_may_hold_equals_and_a_cloud_service_a_region() {
        let tag: Domain = "tag:k=a=b".parse().unwrap();
        assert_eq!(
            tag,
            Domain::Tag {
                key: "k".into(),
                value: "a=b".into()
            }
        );
        let cs: Domain = "cloud-service:rds@us-east-1".parse().unwrap();
        assert_eq!(cs.to_string(), "cloud-service:rds@us-east-1");
    }

    #[test]
    fn malformed_domains_say_why() {
        let err = |t: &str| t.parse::<Domain>().unwrap_err();
        assert_eq!(err("region"), DomainSyntaxError::NoKind);
        assert_eq!(err("region:"), DomainSyntaxError::EmptyValue);
        assert_eq!(err("tag:service"), DomainSyntaxError::TagWithoutValue);
        assert_eq!(
            err("regon:x"),
            DomainSyntaxError::UnknownKind("regon".into())
        );
    }

    #[test]
    fn a_scenario_sorts_its_domains_by_text_and_drops_repeats() {
        let d = |t: &str| t.parse::<Domain>().unwrap();
        let s = Scenario::from_domains(vec![d("zone:b"), d("region:a"), d("zone:b")]);
        assert_eq!(s.domain_texts(), ["region:a", "zone:b"]);
    }

    #[test]
    fn domain_kinds_read_back_what_they_write() {
        for k in DomainKind::ALL {
            assert_eq!(k.as_str().parse::<DomainKind>(), Ok(k));
        }
        assert_eq!(
            "zoen".parse::<DomainKind>(),
            Err(UnknownDomainKind("zoen".into()))
        );
    }
}
