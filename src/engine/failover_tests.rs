//! Unit tests of SPEC §6.1 (failover entries with `via`) and §6.2 (built-in
//! `aws:` nodes): one rule or one named edge case per test, on the helpers
//! of the §3 tests.

use super::incremental::Baseline;
use super::tests::{causes, expect, graph, not_up, path, status_of, text_of};
use crate::load::{load_documents, Source};
use crate::model::Status::{Degraded, Down, Up};

/// The primary in r1, the standby in r2, the switch in r3.
const SWITCHED: &str = "version: 1
functions:
  f: {requires: [svc]}
services:
  svc:
    requires:
      - failover: [primary, standby]
        via: [switch]
  primary: {region: r1}
  standby: {region: r2}
  switch: {region: r3}
";

#[test]
fn a_failover_is_satisfied_by_its_primary_while_the_switch_is_down() {
    // §6.1: alone, a via node never takes its owner down; it is lost
    // redundancy (c), so the owner is degraded.
    assert_eq!(
        not_up(SWITCHED, &["region:r3"]),
        expect(&[("switch", Down), ("svc", Degraded), ("f", Degraded)])
    );
}

#[test]
fn a_failover_falls_back_to_a_standby_when_every_via_node_is_up() {
    assert_eq!(
        not_up(SWITCHED, &["region:r1"]),
        expect(&[("primary", Down), ("svc", Degraded), ("f", Degraded)])
    );
}

#[test]
fn a_failover_is_down_when_the_primary_and_a_via_node_fail_although_the_standby_is_up() {
    let both = ["region:r1", "region:r3"];
    assert_eq!(status_of(SWITCHED, &both, "standby"), Up);
    assert_eq!(status_of(SWITCHED, &both, "f"), Down);
    // §6.1: causes and path treat via nodes like members.
    assert_eq!(causes(SWITCHED, &both, "f"), ["primary", "switch"]);
    assert_eq!(path(SWITCHED, &both, "f"), ["f", "svc", "primary"]);
}

#[test]
fn a_failover_is_down_when_the_primary_and_every_standby_fail() {
    assert_eq!(
        status_of(SWITCHED, &["region:r1", "region:r2"], "svc"),
        Down
    );
}

#[test]
fn a_failover_without_via_is_an_automatic_switch() {
    let yaml = "version: 1
services:
  svc: {requires: [{failover: [p, s1, s2]}]}
  p: {region: r1}
  s1: {region: r2}
  s2: {region: r3}
";
    assert_eq!(
        status_of(yaml, &["region:r1", "region:r2"], "svc"),
        Degraded
    );
    assert_eq!(
        status_of(yaml, &["region:r1", "region:r2", "region:r3"], "svc"),
        Down
    );
}

#[test]
fn several_standbys_never_stand_in_for_a_via_node() {
    // Weights: two standbys alive must not make up for a via node down.
    let yaml = "version: 1
services:
  svc:
    requires:
      - failover: [p, s1, s2, s3]
        via: [v1, v2]
  p: {region: r1}
  s1: {region: r2}
  s2: {region: r2}
  s3: {region: r2}
  v1: {region: r3}
  v2: {region: r4}
";
    assert_eq!(status_of(yaml, &["region:r1", "region:r4"], "svc"), Down);
    assert_eq!(status_of(yaml, &["region:r1"], "svc"), Degraded);
    assert_eq!(status_of(yaml, &["region:r1", "region:r2"], "svc"), Down);
}

#[test]
fn a_via_list_that_holds_the_primary_leaves_only_the_primary() {
    // The switch needs the primary, which is down whenever the switch is
    // needed: the standby can never take over.
    let yaml = "version: 1
services:
  svc:
    requires:
      - failover: [p, s]
        via: [p]
  p: {region: r1}
  s: {region: r2}
";
    assert_eq!(status_of(yaml, &["region:r1"], "svc"), Down);
    assert_eq!(status_of(yaml, &["region:r2"], "svc"), Degraded);
}

#[test]
fn a_standby_that_is_also_a_via_node_holds_the_entry_while_it_is_up() {
    let yaml = "version: 1
services:
  svc:
    requires:
      - failover: [p, s1, s2]
        via: [s1]
  p: {region: r1}
  s1: {region: r2}
  s2: {region: r3}
";
    assert_eq!(status_of(yaml, &["region:r1"], "svc"), Degraded);
    assert_eq!(
        status_of(yaml, &["region:r1", "region:r3"], "svc"),
        Degraded
    );
    assert_eq!(status_of(yaml, &["region:r1", "region:r2"], "svc"), Down);
}

#[test]
fn a_standby_that_needs_the_primarys_region_does_not_survive_it() {
    let yaml = "version: 1
services:
  svc: {requires: [{failover: [p, s]}]}
  p: {region: r1}
  s: {region: r2, requires: [config]}
  config: {region: r1}
";
    assert_eq!(status_of(yaml, &["region:r1"], "svc"), Down);
    assert_eq!(causes(yaml, &["region:r1"], "svc"), ["config", "p"]);
}

#[test]
fn two_failovers_that_fall_back_on_each_other_do_not_hold_each_other_up() {
    // §3.1 grounding evaluates failover entries by the same rule.
    let yaml = "version: 1
services:
  a: {requires: [{failover: [db-a, b]}]}
  b: {requires: [{failover: [db-b, a]}]}
  db-a: {region: r1}
  db-b: {region: r2}
";
    assert_eq!(status_of(yaml, &["region:r1"], "a"), Degraded);
    assert_eq!(status_of(yaml, &["region:r1", "region:r2"], "a"), Down);
    assert_eq!(status_of(yaml, &["region:r1", "region:r2"], "b"), Down);
}

#[test]
fn a_via_node_is_a_single_point_of_failure_of_nothing() {
    let g = graph(SWITCHED);
    let baseline = Baseline::new(&g);
    let f = g.find("f").expect("f");
    let found = super::spof::spof(&baseline, &[f], &|_| {});
    let ids: Vec<&str> = found[0].spofs.iter().map(|&n| g.id(n)).collect();
    assert_eq!(ids, ["svc"], "switch must not be a single point of failure");
}

const ARC: &str = "version: 1
functions:
  f: {requires: [svc]}
services:
  svc:
    requires:
      - failover: [p, s]
        via: [aws:route53-arc-cluster]
  p: {region: us-east-1}
  s: {region: us-west-2}
";

#[test]
fn the_arc_cluster_survives_two_of_its_five_regions() {
    let lost = ["region:us-east-1", "region:eu-west-1"];
    assert_eq!(status_of(ARC, &lost, "aws:route53-arc-cluster"), Degraded);
    assert_eq!(status_of(ARC, &lost, "f"), Degraded);
}

#[test]
fn the_arc_cluster_fails_with_three_of_its_five_regions() {
    let lost = [
        "region:us-east-1",
        "region:eu-west-1",
        "region:ap-northeast-1",
    ];
    assert_eq!(status_of(ARC, &lost, "aws:route53-arc-cluster"), Down);
    assert_eq!(status_of(ARC, &lost, "f"), Down);
    assert_eq!(
        causes(ARC, &lost, "f"),
        [
            "aws:route53-arc@ap-northeast-1",
            "aws:route53-arc@eu-west-1",
            "aws:route53-arc@us-east-1",
            "p"
        ]
    );
}

#[test]
fn a_referenced_built_in_comes_with_its_placement_and_fails_with_its_region() {
    let yaml = "version: 1
services:
  svc:
    requires:
      - failover: [p, s]
        via: [aws:route53-control-plane]
  p: {region: us-east-1}
  s: {region: us-west-2}
";
    let g = graph(yaml);
    let cp = g
        .find("aws:route53-control-plane")
        .expect("the built-in is added");
    assert_eq!(g.kind(cp), crate::model::NodeKind::External);
    assert_eq!(g.attr(cp, crate::graph::Attr::Region), Some("us-east-1"));
    assert_eq!(g.attr(cp, crate::graph::Attr::Provider), Some("aws"));
    assert!(
        g.find("aws:iam-control-plane").is_none(),
        "only what is referenced"
    );
    assert_eq!(status_of(yaml, &["region:us-east-1"], "svc"), Down);
}

#[test]
fn distributions_and_hosted_zones_require_their_data_planes() {
    let yaml = "version: 1
resources:
  arn:aws:cloudfront::111122223333:distribution/E1: {}
  zone: {type: 'route53:hostedzone'}
";
    assert_eq!(
        not_up(yaml, &["node:aws:cloudfront-edge"]),
        expect(&[
            ("arn:aws:cloudfront::111122223333:distribution/E1", Down),
            ("aws:cloudfront-edge", Down)
        ])
    );
    assert_eq!(status_of(yaml, &["node:aws:route53-dns"], "zone"), Down);
}

#[test]
fn selectors_never_match_built_in_nodes() {
    let yaml = "version: 1
services:
  svc: {requires: [aws:route53-dns, {select: {provider: aws}}]}
  mine: {provider: aws}
";
    let g = graph(yaml);
    let svc = g.find("svc").expect("svc");
    let members: Vec<&str> = g
        .requires(svc)
        .flat_map(|e| g.members(e).iter().map(|&m| g.id(m)))
        .collect();
    assert_eq!(members, ["aws:route53-dns", "mine"]);
}

fn load_errors(yaml: &str) -> String {
    let sources = [Source {
        name: "estate.yaml".to_owned(),
        text: yaml.to_owned(),
    }];
    match load_documents(&sources) {
        Ok(_) => panic!("expected errors for:\n{yaml}"),
        Err(e) => {
            let codes: Vec<&str> = e.diagnostics.iter().map(|d| d.code.as_str()).collect();
            format!("{codes:?} {}", text_of(&e.diagnostics))
        }
    }
}

#[test]
fn defining_an_aws_id_is_an_error_that_lists_the_built_ins() {
    let text = load_errors("version: 1\nexternals:\n  aws:route53-dns: {}\n");
    assert!(text.contains("reserved-id"), "{text}");
    assert!(text.contains("aws:route53-control-plane"), "{text}");
}

#[test]
fn referencing_an_unknown_aws_id_is_an_error_that_lists_the_built_ins() {
    let text = load_errors("version: 1\nservices:\n  s: {requires: [aws:route53-controlplane]}\n");
    assert!(text.contains("unknown-builtin"), "{text}");
    assert!(text.contains("aws:sts-global-endpoint"), "{text}");
    assert!(
        text.contains("did you mean `aws:route53-control-plane`"),
        "{text}"
    );
}

#[test]
fn every_problem_of_failover_entries_is_reported_together() {
    let text = load_errors(
        "version: 1
services:
  a: {requires: [{failover: [{select: {region: r1}}, b]}]}
  b: {region: r1, requires: [{failover: [c], via: [nowhere]}]}
  c: {requires: [{failover: []}]}
  d: {requires: [{failover: [a], via: []}]}
  e: {requires: [{via: [a]}]}
",
    );
    for want in [
        "the first item of a `failover` entry of `a` is a selector",
        "`b` requires `nowhere`",
        "`c` has an empty member list",
        "a requirement entry of `d` has an empty member list",
        "`e` has `via` without `failover`",
    ] {
        assert!(text.contains(want), "missing {want:?} in {text}");
    }
}
