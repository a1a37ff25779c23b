//! SPEC §6.1–§6.2 through the binary: the worked example of
//! `fixtures/failover/` (README "Failover and control planes"), built-in
//! `aws:` nodes in every command, and `blastmap catalog`.

use serde_json::Value;

use crate::util::{exec, ok, run, temp_dir, write_estate};

const FAILOVER: &str = "fixtures/failover";
const FAILOVER_POLICY: &str = "fixtures/failover/policy.toml";

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn function<'v>(report: &'v Value, id: &str) -> &'v Value {
    report["functions"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == id))
        .unwrap_or_else(|| panic!("no function {id} in {report}"))
}

fn node_status(report: &Value, id: &str) -> String {
    report["nodes"]
        .as_array()
        .and_then(|ns| ns.iter().find(|n| n["id"] == id))
        .map_or("up".to_owned(), |n| {
            n["status"].as_str().unwrap_or("?").to_owned()
        })
}

#[test]
fn losing_the_primary_region_takes_a_function_down_when_its_switch_lives_there_too() {
    let report = json(&ok(&[
        "analyze",
        FAILOVER,
        "--fail",
        "region:us-east-1",
        "--format",
        "json",
    ]));
    let place = function(&report, "place-order");
    assert_eq!(place["status"], "down", "{place}");
    assert_eq!(
        place["path"],
        serde_json::json!(["place-order", "orders", "aws:route53-control-plane"])
    );
    assert_eq!(
        place["causes"],
        serde_json::json!(["aws:route53-control-plane", "orders-use1"])
    );
    assert_eq!(
        node_status(&report, "orders-usw2"),
        "up",
        "the standby is up"
    );
    assert_eq!(node_status(&report, "aws:route53-control-plane"), "down");
}

#[test]
fn a_switch_through_the_arc_cluster_survives_the_primary_region() {
    let report = json(&ok(&[
        "analyze",
        FAILOVER,
        "--fail",
        "region:us-east-1",
        "--format",
        "json",
    ]));
    assert_eq!(function(&report, "track-order")["status"], "degraded");
    assert_eq!(node_status(&report, "aws:route53-arc-cluster"), "degraded");
}

#[test]
fn check_fails_the_region_rule_and_says_the_switch_is_why() {
    let r = run(&[
        "check",
        FAILOVER,
        "--policy",
        FAILOVER_POLICY,
        "--color",
        "never",
    ]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("place-order [critical] is down under region:us-east-1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("`orders` cannot fail over: its switch needs `aws:route53-control-plane`"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("is down under").count(), 1, "{}", r.stdout);
}

#[test]
fn the_switch_alone_is_no_single_point_of_failure() {
    let report = json(&ok(&["spof", FAILOVER, "--format", "json"]));
    assert_eq!(
        function(&report, "place-order")["spof"],
        serde_json::json!(["orders"])
    );
    assert_eq!(
        function(&report, "track-order")["spof"],
        serde_json::json!(["tracking"])
    );
}

#[test]
fn built_ins_bring_their_regions_and_services_into_sweep_and_domains() {
    let sweep = json(&ok(&[
        "sweep",
        FAILOVER,
        "--domains",
        "region,cloud-service",
        "--format",
        "json",
    ]));
    let failed: Vec<String> = sweep["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["failed"][0].as_str().unwrap_or("?").to_owned())
        .collect();
    for want in [
        "region:eu-west-1",
        "region:ap-northeast-1",
        "cloud-service:route53@us-east-1",
    ] {
        assert!(
            failed.iter().any(|f| f == want),
            "{want} missing from {failed:?}"
        );
    }
    let domains = ok(&["domains", FAILOVER]);
    assert!(
        domains.contains("cloud-service:route53-recovery-cluster@eu-west-1"),
        "{domains}"
    );
}

#[test]
fn readme_failover_section_shows_what_analyze_and_check_print() {
    let readme = std::fs::read_to_string(crate::util::repo_path("README.md")).expect("README.md");
    let (_, section) = readme
        .split_once("## Failover and control planes")
        .expect("README.md has the section");
    let blocks: Vec<&str> = section
        .split("```text\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap_or(""))
        .collect();
    let analyze = ok(&[
        "analyze",
        FAILOVER,
        "--fail",
        "region:us-east-1",
        "--color",
        "never",
    ]);
    assert!(
        analyze.starts_with(blocks[0]),
        "README analyze block:\n{}\nprinted:\n{analyze}",
        blocks[0]
    );
    let check = run(&[
        "check",
        FAILOVER,
        "--policy",
        FAILOVER_POLICY,
        "--color",
        "never",
    ]);
    assert!(
        check.stdout.starts_with(blocks[1]),
        "README check block:\n{}\nprinted:\n{}",
        blocks[1],
        check.stdout
    );
    let catalog = ok(&["catalog"]);
    assert!(
        catalog.starts_with(blocks[2]),
        "README catalog block:\n{}\nprinted:\n{catalog}",
        blocks[2]
    );
}

#[test]
fn catalog_lists_every_built_in_with_a_source_in_json_text_and_markdown() {
    let report = json(&ok(&["catalog", "--format", "json"]));
    let nodes = report["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 18, "{report}");
    for n in nodes {
        assert!(
            n["id"].as_str().is_some_and(|id| id.starts_with("aws:")),
            "{n}"
        );
        assert!(n["source"].as_str().is_some_and(|s| !s.is_empty()), "{n}");
        assert_eq!(n["kind"], "external");
    }
    let cp = nodes
        .iter()
        .find(|n| n["id"] == "aws:route53-control-plane")
        .expect("route53");
    assert_eq!(cp["region"], "us-east-1");
    assert_eq!(report["implied"][0]["type"], "cloudfront:distribution");
    let md = ok(&["catalog", "--format", "markdown"]);
    assert!(md.contains("| `aws:route53-arc-cluster` |"), "{md}");
    let text = ok(&["catalog"]);
    assert!(
        text.contains("aws:sts-global-endpoint  (sts, region us-east-1)"),
        "{text}"
    );
}

#[test]
fn catalog_writes_to_a_file_with_o() {
    let dir = temp_dir();
    let target = dir.path().join("catalog.md");
    let target = target.to_str().expect("UTF-8 path");
    assert_eq!(ok(&["catalog", "-f", "markdown", "-o", target]), "");
    let written = std::fs::read_to_string(target).expect("written");
    assert!(written.starts_with("## Built-in AWS nodes"), "{written}");
}

#[test]
fn defining_a_built_in_id_fails_with_exit_2_and_lists_the_built_ins() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1\nexternals:\n  aws:iam-control-plane: {region: eu-west-1}\n",
    );
    let (code, _, stderr) = exec(&["spof", &estate]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("error[reserved-id]"), "{stderr}");
    assert!(stderr.contains("aws:route53-arc-cluster"), "{stderr}");
}

#[test]
fn a_hosted_zone_is_down_with_route53_dns_in_analyze() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1\nfunctions:\n  site: {requires: ['arn:aws:route53:::hostedzone/Z1']}\nresources:\n  'arn:aws:route53:::hostedzone/Z1': {}\n",
    );
    let report = json(&ok(&[
        "analyze",
        &estate,
        "--fail",
        "node:aws:route53-dns",
        "--format",
        "json",
    ]));
    let site = function(&report, "site");
    assert_eq!(site["status"], "down", "{report}");
    assert_eq!(site["causes"], serde_json::json!(["aws:route53-dns"]));
}
