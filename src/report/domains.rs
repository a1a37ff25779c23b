//! `domains`: the failure domains an estate has, each with its number of
//! nodes, so a user can pick a `--fail` value without reading the files.
//!
//! Each domain is written as `--fail` takes it (`region:us-east-1`,
//! `cloud-service:rds@us-east-1`, `tag:team=payments`). The counts are the
//! nodes each domain fails directly (SPEC §2): the nodes whose attribute
//! has the value, or, for a zone, the nodes that list the zone (a node with
//! `zones: "*"` lists none). Everything is sorted in byte order, so the same
//! estate always gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::graph::{Attr, Graph, Sym, NO_SYM};
use crate::model::text::escape_for_display;

/// `domains --format json`: one list per kind, and the estate's size.
#[derive(Debug, Serialize)]
pub struct DomainsReport {
    pub accounts: Vec<DomainCount>,
    /// `cloud-service:S` (every region) and `cloud-service:S@R`.
    pub cloud_services: Vec<DomainCount>,
    /// Nodes in the estate.
    pub nodes: usize,
    pub providers: Vec<DomainCount>,
    pub regions: Vec<DomainCount>,
    /// `tag:K=V`.
    pub tags: Vec<DomainCount>,
    pub zones: Vec<DomainCount>,
}

/// One domain and how many nodes it fails directly.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct DomainCount {
    /// As `--fail` takes it: `region:us-east-1`.
    pub domain: String,
    pub nodes: usize,
    /// What follows `KIND:` (`us-east-1`, `rds@us-east-1`, `team=payments`).
    pub value: String,
}

impl DomainsReport {
    /// Counts every domain in one pass over the nodes: O(nodes + zones +
    /// tags), then a sort per kind.
    pub fn new(graph: &Graph) -> Self {
        let mut counts: [BTreeMap<String, usize>; 6] = Default::default();
        let [accounts, services, providers, regions, tags, zones] = &mut counts;
        let text = |s: Sym| (s != NO_SYM).then(|| graph.symbol(s)).flatten();
        for n in graph.nodes() {
            let attr = |a: Attr| text(graph.attr_sym(n, a));
            for (map, a) in [
                (&mut *accounts, Attr::Account),
                (&mut *providers, Attr::Provider),
                (&mut *regions, Attr::Region),
            ] {
                if let Some(v) = attr(a) {
                    *map.entry(v.to_owned()).or_default() += 1;
                }
            }
            if let Some(s) = attr(Attr::Service) {
                *services.entry(s.to_owned()).or_default() += 1;
                if let Some(r) = attr(Attr::Region) {
                    *services.entry(format!("{s}@{r}")).or_default() += 1;
                }
            }
            let mut listed: Vec<Sym> = graph.zones(n).to_vec();
            listed.sort_unstable();
            listed.dedup();
            for z in listed.into_iter().filter_map(text) {
                *zones.entry(z.to_owned()).or_default() += 1;
            }
            for &(k, v) in graph.tags(n) {
                if let (Some(k), Some(v)) = (text(k), text(v)) {
                    *tags.entry(format!("{k}={v}")).or_default() += 1;
                }
            }
        }
        let [accounts, services, providers, regions, tags, zones] = counts;
        let list = |kind: &str, map: BTreeMap<String, usize>| -> Vec<DomainCount> {
            map.into_iter()
                .map(|(value, nodes)| DomainCount {
                    domain: format!("{kind}:{value}"),
                    nodes,
                    value,
                })
                .collect()
        };
        DomainsReport {
            accounts: list("account", accounts),
            cloud_services: list("cloud-service", services),
            nodes: graph.len(),
            providers: list("provider", providers),
            regions: list("region", regions),
            tags: list("tag", tags),
            zones: list("zone", zones),
        }
    }

    /// The kinds with a heading each, in the order of SPEC §2.
    fn sections(&self) -> [(&'static str, &[DomainCount]); 6] {
        [
            ("Regions", &self.regions),
            ("Zones", &self.zones),
            ("Accounts", &self.accounts),
            ("Cloud services", &self.cloud_services),
            ("Providers", &self.providers),
            ("Tags", &self.tags),
        ]
    }

    /// Pretty JSON, keys sorted, newline-terminated.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }

    /// The text report: a heading per kind (with how many values it has),
    /// then each domain as `--fail` takes it and its node count, aligned.
    /// Values are escaped for display (`model::text`).
    pub fn to_text(&self) -> String {
        let mut out = format!("{} nodes\n", self.nodes);
        let width = self
            .sections()
            .iter()
            .flat_map(|(_, list)| list.iter())
            .map(|d| escape_for_display(&d.domain).chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for (heading, list) in self.sections() {
            let _ = writeln!(out, "\n{heading} ({})", list.len());
            if list.is_empty() {
                out.push_str("  none\n");
            }
            for d in list {
                let noun = if d.nodes == 1 { "node" } else { "nodes" };
                let _ = writeln!(
                    out,
                    "  {:<width$}  {:>6} {noun}",
                    escape_for_display(&d.domain),
                    d.nodes
                );
            }
        }
        out
    }
}
