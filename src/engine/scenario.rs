//! What a scenario fails directly (SPEC §2), and whether its domains exist
//! in the estate. The domain and scenario types are in `model`.

use super::entry::{zone_effect, ZoneEffect};
use crate::diag::{closest, did_you_mean, Code, Diagnostic};
use crate::graph::{Attr, Graph, NodeIx, Sym, NO_SYM};
use crate::model::{Domain, DomainArg, Scenario};

/// Checks domains against the estate (SPEC §2): a value that no node has
/// is an error listing the values the estate has, with a "did you mean".
/// Every problem is reported; the scenario is in canonical order.
pub fn checked_scenario(graph: &Graph, domains: Vec<Domain>) -> Result<Scenario, Vec<Diagnostic>> {
    checked_scenario_of_args(graph, domains.into_iter().map(DomainArg::Domain).collect())
}

/// [`checked_scenario`] for `--fail` values as the command line read them:
/// a tag domain without `=` is reported here, with the estate's tags.
pub fn checked_scenario_of_args(
    graph: &Graph,
    args: Vec<DomainArg>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut domains = Vec::with_capacity(args.len());
    let mut problems = Vec::new();
    for arg in args {
        match arg {
            DomainArg::Domain(d) => domains.push(d),
            DomainArg::TagWithoutValue(text) => problems.push(tag_without_value(graph, &text)),
        }
    }
    problems.extend(check_domains_exist(graph, &domains));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Scenario::from_domains(domains))
}

/// One diagnostic per domain that fails nothing in this estate, in the
/// order given. Syntax is the command line's business (model's
/// `FromStr`); this is the check that needs the estate.
pub fn check_domains_exist(graph: &Graph, domains: &[Domain]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for d in domains {
        match check_present(graph, d.clone()) {
            Ok(_) => {}
            Err(p) if matches!(d, Domain::Tag { .. }) => problems.push(p.note(format!(
                "the estate's tags are: {}",
                listing(&tag_values(graph))
            ))),
            Err(p) => problems.push(p),
        }
    }
    problems
}

fn check_present(graph: &Graph, d: Domain) -> Result<Domain, Diagnostic> {
    let missing = |what: &str, values: Vec<String>| {
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let wrong = d.to_string();
        let value = wrong.split_once(':').map_or("", |x| x.1);
        let hint = did_you_mean(&closest(value, refs.iter().copied()));
        let mut diag = Diagnostic::error(
            Code::UnknownDomain,
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

/// `tag:KEY` without `=VALUE` (SPEC §2): a usage error that lists the
/// estate's tags, so the user can pick one.
fn tag_without_value(graph: &Graph, text: &str) -> Diagnostic {
    Diagnostic::error(
        Code::BadDomain,
        format!("`{text}` is not a failure domain: a tag domain is written tag:KEY=VALUE"),
    )
    .help(format!(
        "the estate's tags are: {}",
        listing(&tag_values(graph))
    ))
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
