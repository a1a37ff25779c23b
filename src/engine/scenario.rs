//! Failure domains and scenarios (SPEC §2): what a scenario fails directly.

use std::fmt;

use super::entry::{zone_effect, ZoneEffect};
use crate::diag::{closest, did_you_mean, Diagnostic};
use crate::graph::{Attr, Graph, NodeIx, Sym, NO_SYM};

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

/// The domain kinds, as written before the first `:`.
pub const DOMAIN_KINDS: [&str; 7] = [
    "region",
    "zone",
    "account",
    "cloud-service",
    "provider",
    "tag",
    "node",
];

impl Domain {
    /// Parses `KIND:VALUE` (split at the first `:`; `cloud-service:S@R` at the
    /// first `@`, `tag:K=V` at the first `=`). Checks the syntax only.
    pub fn parse(text: &str) -> Result<Domain, Diagnostic> {
        let Some((kind, value)) = text.split_once(':') else {
            return Err(bad_domain(text, "a domain is written KIND:VALUE"));
        };
        if value.is_empty() {
            return Err(bad_domain(text, "the value after `:` is empty"));
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
                None => return Err(bad_domain(text, "a tag domain is written tag:KEY=VALUE")),
            },
            _ => {
                let hint = did_you_mean(&closest(kind, DOMAIN_KINDS)).unwrap_or_default();
                return Err(bad_domain(
                    text,
                    format!("unknown domain kind `{kind}` {hint}").trim(),
                ));
            }
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

fn bad_domain(text: &str, why: &str) -> Diagnostic {
    Diagnostic::error("bad-domain", format!("`{text}` is not a failure domain: {why}")).help(
        "write region:R, zone:Z, account:A, cloud-service:S or cloud-service:S@R, provider:P, tag:K=V or node:ID",
    )
}

/// A set of failed domains, checked against an estate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The domains, sorted in byte order of their text, without repeats.
    pub domains: Vec<Domain>,
}

impl Scenario {
    /// Parses and checks domains; every problem is reported. A value that no
    /// node has is an error that lists the values the estate has.
    pub fn parse<S: AsRef<str>>(graph: &Graph, texts: &[S]) -> Result<Scenario, Vec<Diagnostic>> {
        let mut domains = Vec::new();
        let mut problems = Vec::new();
        for t in texts {
            match Domain::parse(t.as_ref()).and_then(|d| check_present(graph, d)) {
                Ok(d) => domains.push(d),
                Err(p) if t.as_ref().starts_with("tag:") => problems.push(p.note(format!(
                    "the estate's tags are: {}",
                    listing(&tag_values(graph))
                ))),
                Err(p) => problems.push(p),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Scenario::from_domains(domains))
    }

    /// A scenario from domains already known to be present.
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

fn check_present(graph: &Graph, d: Domain) -> Result<Domain, Diagnostic> {
    let missing = |what: &str, values: Vec<String>| {
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let wrong = d.to_string();
        let value = wrong.split_once(':').map_or("", |x| x.1);
        let hint = did_you_mean(&closest(value, refs.iter().copied()));
        let mut diag = Diagnostic::error(
            "unknown-domain",
            format!("no node has {what} `{value}`, so `{wrong}` fails nothing"),
        )
        .help(format!(
            "the estate's values are: {}",
            if values.is_empty() {
                "none".to_owned()
            } else {
                values.join(", ")
            }
        ));
        if let Some(h) = hint {
            diag = diag.note(h);
        }
        diag
    };
    let present = match &d {
        Domain::Region(v) => attr_present(graph, Attr::Region, v),
        Domain::Account(v) => attr_present(graph, Attr::Account, v),
        Domain::Provider(v) => attr_present(graph, Attr::Provider, v),
        Domain::Zone(v) => graph.zone_values().contains(&v.as_str()),
        Domain::Node(v) => graph.find(v).is_some(),
        Domain::CloudService { .. } | Domain::Tag { .. } => {
            let direct = DirectFailure::compute(graph, std::slice::from_ref(&d));
            direct.down.iter().any(|x| *x)
        }
    };
    if present {
        return Ok(d);
    }
    let strings = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    Err(match &d {
        Domain::Region(_) => missing("region", strings(graph.attr_values(Attr::Region))),
        Domain::Account(_) => missing("account", strings(graph.attr_values(Attr::Account))),
        Domain::Provider(_) => missing("provider", strings(graph.attr_values(Attr::Provider))),
        Domain::Zone(_) => missing("zone", strings(graph.zone_values())),
        Domain::Node(_) => missing(
            "id",
            graph.nodes().map(|n| graph.id(n).to_owned()).collect(),
        ),
        Domain::CloudService { .. } => missing("cloud service", cloud_services(graph)),
        Domain::Tag { .. } => missing("tag", tag_values(graph)),
    })
}

fn listing(values: &[String]) -> String {
    if values.is_empty() {
        "none".to_owned()
    } else {
        values.join(", ")
    }
}

fn attr_present(graph: &Graph, attr: Attr, value: &str) -> bool {
    graph.attr_values(attr).contains(&value)
}

/// Every `service` and `service@region` of the estate, sorted.
pub fn cloud_services(graph: &Graph) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for n in graph.nodes() {
        if let Some(s) = graph.attr(n, Attr::Service) {
            out.insert(s.to_owned());
            if let Some(r) = graph.attr(n, Attr::Region) {
                out.insert(format!("{s}@{r}"));
            }
        }
    }
    out.into_iter().collect()
}

fn tag_values(graph: &Graph) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for n in graph.nodes() {
        for (k, v) in graph.tags(n) {
            if let (Some(k), Some(v)) = (graph.symbol(*k), graph.symbol(*v)) {
                out.insert(format!("{k}={v}"));
            }
        }
    }
    out.into_iter().collect()
}

/// What a scenario does to each node before any propagation: directly down
/// (a domain names it, or the zone rule), or zone-degraded (SPEC §2).
#[derive(Debug, Clone)]
pub struct DirectFailure {
    pub down: Vec<bool>,
    pub zone_degraded: Vec<bool>,
}

impl DirectFailure {
    /// Applies `domains` to every node. O(nodes + zones listed).
    pub fn compute(graph: &Graph, domains: &[Domain]) -> DirectFailure {
        let n = graph.len();
        let mut down = vec![false; n];
        let mut failed_zones: Vec<Sym> = Vec::new();
        for d in domains {
            match d {
                Domain::Zone(z) => failed_zones.extend(graph.find_symbol(z)),
                Domain::Node(id) => {
                    if let Some(x) = graph.find(id) {
                        down[x as usize] = true;
                    }
                }
                other => fail_matching(graph, other, &mut down),
            }
        }
        let mut zone_degraded = vec![false; n];
        if !failed_zones.is_empty() {
            apply_zone_rule(graph, &failed_zones, &mut down, &mut zone_degraded);
        }
        DirectFailure {
            down,
            zone_degraded,
        }
    }
}

/// Marks the nodes whose attributes or tags a domain names.
fn fail_matching(graph: &Graph, d: &Domain, down: &mut [bool]) {
    let sym = |t: &str| graph.find_symbol(t).unwrap_or(NO_SYM - 1);
    let test: Box<dyn Fn(NodeIx) -> bool> = match d {
        Domain::Region(v) => attr_is(graph, Attr::Region, sym(v)),
        Domain::Account(v) => attr_is(graph, Attr::Account, sym(v)),
        Domain::Provider(v) => attr_is(graph, Attr::Provider, sym(v)),
        Domain::CloudService { service, region } => {
            let (s, r) = (sym(service), region.as_deref().map(sym));
            Box::new(move |n| {
                graph.attr_sym(n, Attr::Service) == s
                    && r.is_none_or(|r| graph.attr_sym(n, Attr::Region) == r)
            })
        }
        Domain::Tag { key, value } => {
            let (k, v) = (sym(key), sym(value));
            Box::new(move |n| graph.tags(n).contains(&(k, v)))
        }
        Domain::Zone(_) | Domain::Node(_) => return,
    };
    for n in graph.nodes() {
        if test(n) {
            down[n as usize] = true;
        }
    }
}

fn attr_is(graph: &Graph, attr: Attr, s: Sym) -> Box<dyn Fn(NodeIx) -> bool + '_> {
    Box::new(move |n| graph.attr_sym(n, attr) == s)
}

/// Applies the SPEC §2 zone rule ([`zone_effect`]) to every node with an
/// explicit zones list, given the failed zones.
fn apply_zone_rule(graph: &Graph, failed: &[Sym], down: &mut [bool], degraded: &mut [bool]) {
    for n in graph.nodes() {
        let zones = graph.zones(n);
        if zones.is_empty() {
            continue;
        }
        let lost = zones.iter().filter(|z| failed.contains(z)).count();
        match zone_effect(zones.len(), lost, graph.min_zones(n)) {
            ZoneEffect::Unaffected => {}
            ZoneEffect::Degraded => degraded[n as usize] = true,
            ZoneEffect::Down => down[n as usize] = true,
        }
    }
}
