//! Unit tests of SPEC §2–§3 rules (domains, statuses, causes, paths).
//!
//! Each test is one rule: a few lines of estate, a scenario, and what the
//! rule says every node's status (or a cause, or a path) must be. Helpers
//! return ids and statuses by name, so a failure shows the values.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::engine::scenario::{checked_scenario, checked_scenario_of_args};
use crate::engine::{self, Analysis};
use crate::graph::{Graph, NodeIx};
use crate::load::{load_documents, Source};
use crate::model::domain::DOMAIN_SYNTAX_HELP;
use crate::model::Status::{self, Degraded, Down, Up};
use crate::model::{Domain, DomainArg};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Loads one YAML estate that must be valid.
pub(super) fn graph(yaml: &str) -> Graph {
    let sources = [Source {
        name: "estate.yaml".to_owned(),
        text: yaml.to_owned(),
    }];
    match load_documents(&sources) {
        Ok(l) => l.graph,
        Err(e) => panic!("expected the estate to load, got:\n{e}\ninput:\n{yaml}"),
    }
}

/// Every diagnostic as one text: message, help and notes.
pub(super) fn text_of(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{d} {}", d.notes.join(" ")))
        .collect::<Vec<_>>()
        .join("\n")
}

fn analyse<'g>(g: &'g Graph, domains: &[&str]) -> Analysis<'g> {
    let parsed = domains
        .iter()
        .map(|t| t.parse::<Domain>())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("scenario {domains:?} is malformed: {e}"));
    let scenario = checked_scenario(g, parsed)
        .unwrap_or_else(|e| panic!("scenario {domains:?} rejected: {}", text_of(&e)));
    engine::analyze(g, &scenario)
}

/// Every node that is not up once `domains` fail, with its status.
pub(super) fn not_up(yaml: &str, domains: &[&str]) -> BTreeMap<String, Status> {
    let g = graph(yaml);
    let a = analyse(&g, domains);
    g.nodes()
        .filter(|&n| a.status(n) != Up)
        .map(|n| (g.id(n).to_owned(), a.status(n)))
        .collect()
}

/// The expected result of [`not_up`].
pub(super) fn expect(pairs: &[(&str, Status)]) -> BTreeMap<String, Status> {
    pairs.iter().map(|(id, s)| ((*id).to_owned(), *s)).collect()
}

pub(super) fn status_of(yaml: &str, domains: &[&str], id: &str) -> Status {
    let g = graph(yaml);
    let a = analyse(&g, domains);
    a.status(ix(&g, id))
}

pub(super) fn ix(g: &Graph, id: &str) -> NodeIx {
    g.find(id)
        .unwrap_or_else(|| panic!("node `{id}` is not in the graph"))
}

fn ids(g: &Graph, nodes: &[NodeIx]) -> Vec<String> {
    nodes.iter().map(|&n| g.id(n).to_owned()).collect()
}

/// §3.3 causes of `id`, as ids.
pub(super) fn causes(yaml: &str, domains: &[&str], id: &str) -> Vec<String> {
    let g = graph(yaml);
    let a = analyse(&g, domains);
    ids(&g, &a.causes(ix(&g, id)))
}

/// §3.4 path of `id`, as ids.
pub(super) fn path(yaml: &str, domains: &[&str], id: &str) -> Vec<String> {
    let g = graph(yaml);
    let a = analyse(&g, domains);
    ids(&g, &a.path(ix(&g, id)))
}

/// The text of the problems of a scenario that must be rejected: its
/// syntax (which the command line checks) or its values (which the engine
/// checks against the estate).
fn rejection(yaml: &str, domains: &[&str]) -> String {
    let g = graph(yaml);
    let mut parsed = Vec::new();
    for t in domains {
        match t.parse::<DomainArg>() {
            Ok(d) => parsed.push(d),
            Err(e) => return format!("`{t}` is not a failure domain: {e} {DOMAIN_SYNTAX_HELP}"),
        }
    }
    let problems = match checked_scenario_of_args(&g, parsed) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    };
    assert!(!problems.is_empty(), "expected {domains:?} to be rejected");
    text_of(&problems)
}

// ---------------------------------------------------------------------------
// §2 Failure domains
// ---------------------------------------------------------------------------

const PLACED: &str = "version: 1
services:
  api-use1: {region: us-east-1, tags: {team: pay}}
  api-euw1: {region: eu-west-1}
  by-zone: {zones: [use1-az1]}
  gcp-thing: {provider: gcp, region: us-east-1, service: gce, account: proj-1}
resources:
  arn:aws:rds:us-east-1:111122223333:db:pay: {}
  arn:aws:rds:eu-west-1:111122223333:db:pay: {}
  arn:aws:dynamodb:us-east-1:444455556666:table/carts: {zones: '*'}
  arn:aws:s3:::assets: {}
";

const RDS_USE1: &str = "arn:aws:rds:us-east-1:111122223333:db:pay";
const RDS_EUW1: &str = "arn:aws:rds:eu-west-1:111122223333:db:pay";
const DDB_USE1: &str = "arn:aws:dynamodb:us-east-1:444455556666:table/carts";
const BUCKET: &str = "arn:aws:s3:::assets";

#[test]
fn region_domain_fails_every_node_with_that_region() {
    assert_eq!(
        not_up(PLACED, &["region:us-east-1"]),
        expect(&[
            ("api-use1", Down),
            ("gcp-thing", Down),
            (RDS_USE1, Down),
            (DDB_USE1, Down),
        ])
    );
}

#[test]
fn region_domain_fails_nodes_by_their_region_not_their_zones() {
    let yaml = "version: 1
services:
  zoned-only: {zones: [us-east-1a, us-east-1b]}
  placed: {region: us-east-1}
  elsewhere: {region: us-west-2, zones: [us-east-1a]}
";
    assert_eq!(
        not_up(yaml, &["region:us-east-1"]),
        expect(&[("placed", Down)])
    );
}

#[test]
fn an_arn_with_an_empty_region_fails_with_region_global() {
    assert_eq!(
        not_up(PLACED, &["region:global"]),
        expect(&[(BUCKET, Down)])
    );
}

#[test]
fn zone_domain_takes_a_node_down_only_when_fewer_than_min_zones_survive() {
    let yaml = "version: 1
resources:
  single: {zones: [z1]}
  pair: {zones: [z1, z2]}
  trio: {zones: [z1, z2, z3], min_zones: 2}
";
    assert_eq!(
        not_up(yaml, &["zone:z1"]),
        expect(&[("single", Down), ("pair", Degraded), ("trio", Degraded)])
    );
    assert_eq!(
        not_up(yaml, &["zone:z1", "zone:z2"]),
        expect(&[("single", Down), ("pair", Down), ("trio", Down)])
    );
    assert_eq!(not_up(yaml, &["zone:z3"]), expect(&[("trio", Degraded)]));
}

#[test]
fn zone_degraded_is_not_down_and_a_lost_zone_elsewhere_does_nothing() {
    let yaml = "version: 1
resources:
  quorum-db: {zones: [a1, a2, a3], min_zones: 2}
  other: {zones: [b1]}
";
    assert_eq!(status_of(yaml, &["zone:a2"], "quorum-db"), Degraded);
    assert_eq!(status_of(yaml, &["zone:b1"], "quorum-db"), Up);
    assert_eq!(status_of(yaml, &["zone:a2", "zone:a3"], "quorum-db"), Down);
}

#[test]
fn star_empty_and_missing_zones_are_never_affected_by_zone_domains() {
    let yaml = "version: 1
resources:
  listed: {zones: [use1-az1, use1-az2], region: us-east-1}
  everywhere: {zones: '*', region: us-east-1}
  empty: {zones: [], region: us-east-1}
  unplaced: {region: us-east-1}
";
    assert_eq!(
        not_up(yaml, &["zone:use1-az1", "zone:use1-az2"]),
        expect(&[("listed", Down)])
    );
}

#[test]
fn zone_names_and_zone_ids_are_matched_as_written() {
    let yaml = "version: 1
resources:
  by-name: {zones: [us-east-1a]}
  by-id: {zones: [use1-az1]}
";
    assert_eq!(
        not_up(yaml, &["zone:us-east-1a"]),
        expect(&[("by-name", Down)])
    );
}

#[test]
fn account_domain_fails_every_node_with_that_account_including_derived_ones() {
    assert_eq!(
        not_up(PLACED, &["account:111122223333"]),
        expect(&[(RDS_USE1, Down), (RDS_EUW1, Down)])
    );
    assert_eq!(
        not_up(PLACED, &["account:proj-1"]),
        expect(&[("gcp-thing", Down)])
    );
}

#[test]
fn an_arn_with_an_empty_account_has_no_account() {
    let yaml = "version: 1
resources:
  arn:aws:s3:::assets: {}
  arn:aws:sqs:us-east-1:111122223333:q: {}
";
    assert_eq!(
        not_up(yaml, &["account:111122223333"]),
        expect(&[("arn:aws:sqs:us-east-1:111122223333:q", Down)])
    );
    let listed = rejection(yaml, &["account:999"]);
    assert!(listed.contains("111122223333"), "{listed}");
    assert!(rejection(yaml, &["account:"]).contains("account:"));
}

#[test]
fn cloud_service_domain_fails_that_service_in_every_region() {
    assert_eq!(
        not_up(PLACED, &["cloud-service:rds"]),
        expect(&[(RDS_USE1, Down), (RDS_EUW1, Down)])
    );
}

#[test]
fn cloud_service_at_region_fails_that_service_in_that_region_only() {
    assert_eq!(
        not_up(PLACED, &["cloud-service:rds@eu-west-1"]),
        expect(&[(RDS_EUW1, Down)])
    );
    assert_eq!(
        not_up(PLACED, &["cloud-service:gce@us-east-1"]),
        expect(&[("gcp-thing", Down)])
    );
}

#[test]
fn provider_domain_fails_every_node_of_that_provider_including_arn_derived() {
    assert_eq!(
        not_up(PLACED, &["provider:aws"]),
        expect(&[
            (RDS_USE1, Down),
            (RDS_EUW1, Down),
            (DDB_USE1, Down),
            (BUCKET, Down),
        ])
    );
    assert_eq!(
        not_up(PLACED, &["provider:gcp"]),
        expect(&[("gcp-thing", Down)])
    );
}

#[test]
fn tag_domain_fails_nodes_with_that_tag_value() {
    assert_eq!(
        not_up(PLACED, &["tag:team=pay"]),
        expect(&[("api-use1", Down)])
    );
}

#[test]
fn tag_domain_splits_at_the_first_equals_sign() {
    let yaml = "version: 1
services:
  flagged: {tags: {rule: 'a=b'}}
  plain: {tags: {rule: a}}
";
    assert_eq!(
        not_up(yaml, &["tag:rule=a=b"]),
        expect(&[("flagged", Down)])
    );
    assert_eq!(not_up(yaml, &["tag:rule=a"]), expect(&[("plain", Down)]));
}

#[test]
fn node_domain_fails_that_node_of_any_kind() {
    let yaml = "version: 1
functions:
  checkout: {}
services:
  api: {}
externals:
  stripe: {}
";
    assert_eq!(
        not_up(yaml, &["node:checkout"]),
        expect(&[("checkout", Down)])
    );
    assert_eq!(not_up(yaml, &["node:stripe"]), expect(&[("stripe", Down)]));
}

#[test]
fn node_domain_splits_at_the_first_colon_so_an_arn_id_works() {
    assert_eq!(
        not_up(PLACED, &[&format!("node:{RDS_USE1}")]),
        expect(&[(RDS_USE1, Down)])
    );
}

#[test]
fn domain_values_are_compared_exactly_without_globs() {
    let listed = rejection(PLACED, &["region:us-*"]);
    assert!(listed.contains("us-east-1"), "{listed}");
    let listed = rejection(PLACED, &["node:api-*"]);
    assert!(listed.contains("api-use1"), "{listed}");
}

#[test]
fn an_unknown_domain_kind_is_an_error_naming_the_kinds() {
    let listed = rejection(PLACED, &["regoin:us-east-1"]);
    for kind in [
        "region",
        "zone",
        "account",
        "cloud-service",
        "provider",
        "tag",
        "node",
    ] {
        assert!(listed.contains(kind), "`{kind}` not named in: {listed}");
    }
}

#[test]
fn a_tag_domain_without_equals_is_an_error_listing_the_estate_tags() {
    let listed = rejection(PLACED, &["tag:team"]);
    assert!(listed.contains("tag:KEY=VALUE"), "{listed}");
    assert!(listed.contains("team=pay"), "{listed}");
    let listed = rejection(PLACED, &["tag:team=nope"]);
    assert!(listed.contains("team=pay"), "{listed}");
}

#[test]
fn a_value_no_node_has_is_an_error_listing_the_estate_values() {
    let cases: [(&str, &[&str]); 6] = [
        ("region:us-east-2", &["us-east-1", "eu-west-1", "global"]),
        ("zone:use1-az9", &["use1-az1"]),
        ("account:123", &["111122223333", "444455556666", "proj-1"]),
        ("cloud-service:ec2", &["rds", "dynamodb", "gce"]),
        ("provider:azure", &["aws", "gcp"]),
        ("tag:team=payments", &["team=pay"]),
    ];
    for (domain, values) in cases {
        let listed = rejection(PLACED, &[domain]);
        for v in values {
            assert!(
                listed.contains(v),
                "{domain}: `{v}` not listed in: {listed}"
            );
        }
    }
    let listed = rejection(PLACED, &["node:api"]);
    assert!(listed.contains("api-use1"), "{listed}");
}

#[test]
fn every_bad_domain_of_a_scenario_is_reported() {
    let g = graph(PLACED);
    let domains: Vec<Domain> = ["region:nowhere", "region:us-east-1", "zone:nowhere"]
        .iter()
        .map(|t| t.parse().expect("well-formed domains"))
        .collect();
    let problems = checked_scenario(&g, domains).expect_err("two of the domains are bad");
    assert_eq!(problems.len(), 2, "{}", text_of(&problems));
}

#[test]
fn repeated_fail_domains_form_their_union() {
    assert_eq!(
        not_up(
            PLACED,
            &["region:eu-west-1", "tag:team=pay", "node:by-zone"]
        ),
        expect(&[
            ("api-euw1", Down),
            (RDS_EUW1, Down),
            ("api-use1", Down),
            ("by-zone", Down),
        ])
    );
}

// ---------------------------------------------------------------------------
// §3.1 down
// ---------------------------------------------------------------------------

#[test]
fn without_cycles_failure_propagates_along_requires() {
    let yaml = "version: 1
functions:
  checkout: {requires: [pay]}
  browse: {requires: [catalog]}
services:
  pay: {requires: [db]}
  catalog: {}
resources:
  db: {}
";
    assert_eq!(
        not_up(yaml, &["node:db"]),
        expect(&[("db", Down), ("pay", Down), ("checkout", Down)])
    );
}

#[test]
fn nothing_failed_leaves_every_node_up() {
    let yaml = "version: 1
services:
  a: {requires: [b, {any: [c, d]}, {quorum: 1, of: [c, d]}]}
  b: {}
  c: {}
  d: {}
";
    assert_eq!(not_up(yaml, &[]), expect(&[]));
}

#[test]
fn a_fallback_pair_goes_down_when_both_databases_fail() {
    let yaml = "version: 1
services:
  a: {requires: [{any: [db-a, b]}]}
  b: {requires: [{any: [db-b, a]}]}
  db-a: {}
  db-b: {}
";
    assert_eq!(
        not_up(yaml, &["node:db-a", "node:db-b"]),
        expect(&[("a", Down), ("b", Down), ("db-a", Down), ("db-b", Down)])
    );
}

#[test]
fn a_fallback_pair_holds_through_its_grounded_escape_when_one_database_fails() {
    let yaml = "version: 1
functions:
  f: {requires: [a]}
services:
  a: {requires: [{any: [db-a, b]}]}
  b: {requires: [{any: [db-b, a]}]}
  db-a: {}
  db-b: {}
";
    assert_eq!(
        not_up(yaml, &["node:db-a"]),
        expect(&[
            ("db-a", Down),
            ("a", Degraded),
            ("b", Degraded),
            ("f", Degraded)
        ])
    );
}

#[test]
fn cycle_without_failure_stays_up() {
    let yaml = "version: 1
functions:
  f: {requires: [a]}
services:
  a: {requires: [b, ext]}
  b: {requires: [a]}
  ext: {}
  unrelated: {}
";
    assert_eq!(not_up(yaml, &[]), expect(&[]));
    assert_eq!(
        not_up(yaml, &["node:unrelated"]),
        expect(&[("unrelated", Down)])
    );
}

#[test]
fn a_failed_requirement_of_a_cycle_takes_the_whole_cycle_down() {
    let yaml = "version: 1
functions:
  f: {requires: [a]}
services:
  a: {requires: [b, ext]}
  b: {requires: [a]}
  ext: {}
";
    assert_eq!(
        not_up(yaml, &["node:ext"]),
        expect(&[("ext", Down), ("a", Down), ("b", Down), ("f", Down)])
    );
}

#[test]
fn a_cycle_whose_only_ground_fails_does_not_hold_itself_up() {
    let yaml = "version: 1
services:
  a: {requires: [{any: [b, db]}]}
  b: {requires: [a]}
  db: {}
";
    assert_eq!(not_up(yaml, &[]), expect(&[]));
    assert_eq!(
        not_up(yaml, &["node:db"]),
        expect(&[("db", Down), ("a", Down), ("b", Down)])
    );
}

#[test]
fn a_pure_cycle_goes_down_when_one_of_its_nodes_fails() {
    let yaml = "version: 1
services:
  a: {requires: [b]}
  b: {requires: [c]}
  c: {requires: [a]}
";
    assert_eq!(
        not_up(yaml, &["node:b"]),
        expect(&[("a", Down), ("b", Down), ("c", Down)])
    );
}

#[test]
fn an_any_entry_is_satisfied_while_one_member_is_not_down() {
    let yaml = "version: 1
services:
  s: {requires: [{any: [a, b, c]}]}
  a: {}
  b: {}
  c: {}
";
    assert_eq!(status_of(yaml, &["node:a", "node:b"], "s"), Degraded);
    assert_eq!(status_of(yaml, &["node:a", "node:b", "node:c"], "s"), Down);
}

#[test]
fn a_quorum_entry_needs_k_members_not_down() {
    let yaml = "version: 1
services:
  s: {requires: [{quorum: 2, of: [a, b, c]}]}
  a: {}
  b: {}
  c: {}
";
    assert_eq!(status_of(yaml, &["node:c"], "s"), Degraded);
    assert_eq!(status_of(yaml, &["node:a", "node:c"], "s"), Down);
}

#[test]
fn an_all_entry_needs_every_member_not_down() {
    let yaml = "version: 1
services:
  s: {requires: [{all: [a, b, c]}]}
  a: {}
  b: {}
  c: {}
";
    assert_eq!(status_of(yaml, &["node:b"], "s"), Down);
}

// ---------------------------------------------------------------------------
// §3.2 degraded
// ---------------------------------------------------------------------------

#[test]
fn a_zone_degraded_node_is_degraded() {
    let yaml = "version: 1\nresources:\n  db: {zones: [z1, z2]}\n";
    assert_eq!(not_up(yaml, &["zone:z1"]), expect(&[("db", Degraded)]));
}

#[test]
fn an_unsatisfied_optional_entry_degrades_its_owner() {
    let yaml = "version: 1
functions:
  checkout: {requires: [web], optional: [recs]}
services:
  web: {}
  recs: {}
";
    assert_eq!(
        not_up(yaml, &["node:recs"]),
        expect(&[("recs", Down), ("checkout", Degraded)])
    );
}

#[test]
fn a_satisfied_optional_entry_with_a_down_member_does_not_degrade() {
    let yaml = "version: 1
functions:
  checkout: {optional: [{any: [recs-a, recs-b]}]}
services:
  recs-a: {}
  recs-b: {}
";
    assert_eq!(not_up(yaml, &["node:recs-a"]), expect(&[("recs-a", Down)]));
}

#[test]
fn a_down_member_of_a_satisfied_requires_entry_degrades_by_lost_redundancy() {
    let yaml = "version: 1
services:
  any-of: {requires: [{any: [a, b]}]}
  quorum-of: {requires: [{quorum: 1, of: [a, b]}]}
  a: {}
  b: {}
";
    assert_eq!(
        not_up(yaml, &["node:a"]),
        expect(&[("a", Down), ("any-of", Degraded), ("quorum-of", Degraded)])
    );
}

#[test]
fn a_degraded_member_degrades_its_owner_whatever_the_entry_kind() {
    let yaml = "version: 1
functions:
  by-id: {requires: [s]}
  by-all: {requires: [{all: [s, t]}]}
  by-any: {requires: [{any: [s, t, u]}]}
  by-quorum: {requires: [{quorum: 1, of: [t, u, s]}]}
services:
  s: {requires: [{any: [x, y]}]}
  t: {}
  u: {}
  x: {}
  y: {}
";
    assert_eq!(
        not_up(yaml, &["node:x"]),
        expect(&[
            ("x", Down),
            ("s", Degraded),
            ("by-id", Degraded),
            ("by-all", Degraded),
            ("by-any", Degraded),
            ("by-quorum", Degraded),
        ])
    );
}

#[test]
fn degradation_is_a_least_fixed_point_so_a_cycle_without_reason_stays_up() {
    let yaml = "version: 1
services:
  a: {requires: [b]}
  b: {requires: [a, {any: [x, y]}]}
  c: {requires: [{any: [a, z]}]}
  x: {}
  y: {}
  z: {}
  other: {}
";
    assert_eq!(not_up(yaml, &["node:other"]), expect(&[("other", Down)]));
    assert_eq!(
        not_up(yaml, &["node:x"]),
        expect(&[
            ("x", Down),
            ("b", Degraded),
            ("a", Degraded),
            ("c", Degraded)
        ])
    );
}

#[test]
fn optional_entries_count_only_when_unsatisfied() {
    let yaml = "version: 1
functions:
  f: {optional: [s]}
services:
  s: {requires: [{any: [x, y]}]}
  x: {}
  y: {}
";
    assert_eq!(
        not_up(yaml, &["node:x"]),
        expect(&[("x", Down), ("s", Degraded)])
    );
}

#[test]
fn zone_degradation_propagates_through_requires() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [s, t]}]}
services:
  s: {requires: [db]}
  t: {}
resources:
  db: {zones: [z1, z2]}
";
    assert_eq!(
        not_up(yaml, &["zone:z1"]),
        expect(&[("db", Degraded), ("s", Degraded), ("f", Degraded)])
    );
}

#[test]
fn degradation_from_an_unsatisfied_optional_propagates_through_requires() {
    let yaml = "version: 1
functions:
  f: {requires: [s]}
services:
  s: {optional: [recs]}
  recs: {}
";
    assert_eq!(
        not_up(yaml, &["node:recs"]),
        expect(&[("recs", Down), ("s", Degraded), ("f", Degraded)])
    );
}

/// §3.2 every reason of `id` (`Analysis::degradation_reasons`), each as
/// `chain: reason`, in the order the engine lists them.
fn reasons(yaml: &str, domains: &[&str], id: &str) -> Vec<String> {
    use crate::engine::DegradedBecause::{LostRedundancy, OptionalDown, ZoneLoss};
    let g = graph(yaml);
    let a = analyse(&g, domains);
    a.degradation_reasons(ix(&g, id))
        .iter()
        .map(|r| {
            let because = match r.because {
                LostRedundancy(m) => format!("lost {}", g.id(m)),
                OptionalDown(m) => format!("optional {}", g.id(m)),
                ZoneLoss => "zones".to_owned(),
            };
            format!("{}: {because}", ids(&g, &r.chain).join(">"))
        })
        .collect()
}

#[test]
fn every_reason_in_the_degraded_cone_is_listed_nearest_first() {
    let yaml = "version: 1
functions:
  f: {requires: [s, t], optional: [recs]}
services:
  s: {requires: [{any: [x, y, z]}]}
  t: {requires: [db]}
  recs: {}
  x: {}
  y: {}
  z: {}
resources:
  db: {zones: [z1, z2]}
";
    assert_eq!(
        reasons(yaml, &["node:z", "node:x", "node:recs", "zone:z1"], "f"),
        [
            "f: optional recs",
            "f>s: lost x",
            "f>s: lost z",
            "f>t>db: zones"
        ]
    );
}

#[test]
fn a_reason_reached_by_several_chains_is_listed_once_with_the_shortest_smallest_chain() {
    let yaml = "version: 1
functions:
  f: {requires: [e, b, a]}
services:
  a: {requires: [c]}
  b: {requires: [c]}
  e: {requires: [d]}
  d: {requires: [c]}
  c: {requires: [{any: [x, y]}]}
  x: {}
  y: {}
";
    // f>a>c and f>b>c are the shortest; a is the smaller id. f>e>d>c is longer.
    assert_eq!(reasons(yaml, &["node:x"], "f"), ["f>a>c: lost x"]);
}

#[test]
fn a_node_that_is_not_degraded_has_no_reasons() {
    let yaml = "version: 1
functions:
  f: {requires: [x]}
  g: {requires: [y]}
services:
  x: {}
  y: {}
";
    assert!(reasons(yaml, &["node:x"], "f").is_empty());
    assert!(reasons(yaml, &["node:x"], "g").is_empty());
}

#[test]
fn a_down_node_is_not_also_degraded() {
    let yaml = "version: 1
services:
  s: {requires: [a, {any: [b, c]}], optional: [d]}
  a: {}
  b: {}
  c: {}
  d: {}
";
    assert_eq!(status_of(yaml, &["node:a", "node:b", "node:d"], "s"), Down);
}

// ---------------------------------------------------------------------------
// §3.3 causes
// ---------------------------------------------------------------------------

#[test]
fn a_directly_down_node_is_its_own_cause_even_with_failed_entries() {
    let yaml = "version: 1
services:
  s: {requires: [db], region: r1}
  db: {}
";
    assert_eq!(causes(yaml, &["node:s", "node:db"], "s"), ["s"]);
    assert_eq!(causes(yaml, &["region:r1", "node:db"], "s"), ["s"]);
}

#[test]
fn a_node_down_by_the_zone_rule_is_its_own_cause() {
    let yaml = "version: 1
services:
  s: {requires: [db]}
resources:
  db: {zones: [z1]}
";
    assert_eq!(causes(yaml, &["zone:z1"], "db"), ["db"]);
    assert_eq!(causes(yaml, &["zone:z1"], "s"), ["db"]);
    assert_eq!(path(yaml, &["zone:z1"], "s"), ["s", "db"]);
}

#[test]
fn causes_are_the_union_over_down_members_of_unsatisfied_entries() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [a, b]}, c, s]}
services:
  a: {}
  b: {}
  c: {}
  s: {requires: [d]}
  d: {}
";
    assert_eq!(
        causes(yaml, &["node:a", "node:b", "node:c", "node:d"], "f"),
        ["a", "b", "c", "d"]
    );
}

#[test]
fn down_members_of_satisfied_entries_are_not_causes() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [a, b]}, c]}
services:
  a: {}
  b: {}
  c: {}
";
    assert_eq!(causes(yaml, &["node:a", "node:c"], "f"), ["c"]);
}

#[test]
fn causes_do_not_pass_through_another_directly_down_node() {
    let yaml = "version: 1
functions:
  f: {requires: [s, t]}
services:
  s: {requires: [db1]}
  t: {requires: [db2]}
  db1: {}
  db2: {}
";
    let all = ["node:s", "node:db1", "node:db2"];
    assert_eq!(causes(yaml, &all, "f"), ["db2", "s"]);
    assert_eq!(causes(yaml, &["node:db1", "node:db2"], "f"), ["db1", "db2"]);
}

#[test]
fn a_node_that_is_not_down_has_no_causes_and_no_path() {
    let yaml = "version: 1
services:
  s: {requires: [{any: [a, b]}]}
  a: {}
  b: {}
";
    assert!(causes(yaml, &["node:a"], "s").is_empty());
    assert!(path(yaml, &["node:a"], "s").is_empty());
    assert!(causes(yaml, &["node:a"], "b").is_empty());
}

#[test]
fn causes_of_a_cycle_down_by_lost_support_reach_the_failed_ground() {
    let yaml = "version: 1
functions:
  f: {requires: [a]}
services:
  a: {requires: [{any: [db-a, b]}]}
  b: {requires: [{any: [db-b, a]}]}
  db-a: {}
  db-b: {}
";
    let both = ["node:db-a", "node:db-b"];
    assert_eq!(causes(yaml, &both, "f"), ["db-a", "db-b"]);
    assert_eq!(path(yaml, &both, "f"), ["f", "a", "db-a"]);
    assert_eq!(path(yaml, &both, "b"), ["b", "db-b"]);
}

// ---------------------------------------------------------------------------
// §3.4 path
// ---------------------------------------------------------------------------

#[test]
fn a_directly_down_node_has_itself_as_path() {
    let yaml = "version: 1\nservices:\n  s: {requires: [db]}\n  db: {}\n";
    assert_eq!(path(yaml, &["node:s", "node:db"], "s"), ["s"]);
}

#[test]
fn path_is_a_shortest_chain_to_a_cause() {
    let yaml = "version: 1
functions:
  f: {requires: [a, z]}
services:
  a: {requires: [b]}
  b: {requires: [c]}
  c: {}
  z: {}
";
    assert_eq!(path(yaml, &["node:c", "node:z"], "f"), ["f", "z"]);
    assert_eq!(path(yaml, &["node:c"], "f"), ["f", "a", "b", "c"]);
}

#[test]
fn path_among_shortest_is_smallest_in_byte_order_so_n10_comes_before_n2() {
    let yaml = "version: 1
functions:
  f: {requires: [n2, n10]}
services:
  n2: {requires: [aa]}
  n10: {requires: [zz]}
  aa: {}
  zz: {}
";
    assert_eq!(path(yaml, &["node:aa", "node:zz"], "f"), ["f", "n10", "zz"]);
}

#[test]
fn path_among_shortest_puts_uppercase_before_lowercase() {
    let yaml = "version: 1
functions:
  f: {requires: [b, B]}
services:
  b: {requires: [a1]}
  B: {requires: [z9]}
  a1: {}
  z9: {}
";
    assert_eq!(path(yaml, &["node:a1", "node:z9"], "f"), ["f", "B", "z9"]);
}

#[test]
fn path_compares_position_by_position_not_by_cause() {
    let yaml = "version: 1
functions:
  f: {requires: [m, n]}
services:
  m: {requires: [p]}
  n: {requires: [o]}
  p: {requires: [zz]}
  o: {requires: [aa]}
  aa: {}
  zz: {}
";
    assert_eq!(
        path(yaml, &["node:aa", "node:zz"], "f"),
        ["f", "m", "p", "zz"]
    );
}

#[test]
fn path_steps_only_through_unsatisfied_requires_entries() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [a, b]}, c], optional: [e]}
services:
  a: {}
  b: {}
  c: {requires: [d]}
  d: {}
  e: {}
";
    assert_eq!(
        path(yaml, &["node:a", "node:d", "node:e"], "f"),
        ["f", "c", "d"]
    );
}

#[test]
fn path_stops_at_the_first_directly_down_node() {
    let yaml = "version: 1
functions:
  f: {requires: [s]}
services:
  s: {requires: [db]}
  db: {}
";
    assert_eq!(path(yaml, &["node:s", "node:db"], "f"), ["f", "s"]);
}
