//! `blastmap spof` through the real binary: the report on the README's
//! example (snapshots), agreement with one `analyze` per node, and the edge
//! cases of SPEC §3 (fallback cycles, quorums, optional dependencies, zones).

use serde_json::Value;

use crate::util::{exec, ok, path_str, temp_dir, write_estate, SHOP};

#[test]
fn spof_on_the_example() {
    assert_snapshot!("cli_sweep_spof", "spof_shop_text", ok(&["spof", SHOP]));
    let out = ok(&["spof", SHOP, "--format", "json"]);
    assert_snapshot!("cli_sweep_spof", "spof_shop_json", out);
    let v: Value = serde_json::from_str(&out).unwrap();
    let functions = v["functions"].as_array().unwrap();
    let ids: Vec<&str> = functions
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert_eq!(ids.len(), 6);
    let checkout = functions.iter().find(|f| f["id"] == "checkout").unwrap();
    let spofs: Vec<&str> = checkout["spof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(spofs.contains(&"order-service-use1"), "{spofs:?}");
    assert!(!spofs.contains(&"checkout"));
}

#[test]
fn spof_equals_one_analyze_per_node_on_the_example() {
    let v: Value = serde_json::from_str(&ok(&["spof", SHOP, "--format", "json"])).unwrap();
    let nodes: Value = serde_json::from_str(&ok(&[
        "analyze",
        SHOP,
        "--fail",
        "account:111122223333",
        "--format",
        "json",
    ]))
    .unwrap();
    // Every node of the shop is in the account or is a function, service
    // or external: collect every id from a run that fails everything.
    let all_ids: Vec<String> = nodes["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    for f in v["functions"].as_array().unwrap() {
        let id = f["id"].as_str().unwrap();
        let got: Vec<&str> = f["spof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        for x in &all_ids {
            if x == id {
                continue;
            }
            let a: Value = serde_json::from_str(&ok(&[
                "analyze",
                SHOP,
                "--fail",
                &format!("node:{x}"),
                "--format",
                "json",
            ]))
            .unwrap();
            let status = a["functions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["id"] == id)
                .unwrap()["status"]
                .clone();
            assert_eq!(
                status == "down",
                got.contains(&x.as_str()),
                "{id} under node:{x}: {status}, spof says {}",
                got.contains(&x.as_str())
            );
        }
    }
}

/// The SPOFs of every function of a small estate, as `f: [x, ...]`.
fn spofs(yaml: &str) -> Vec<(String, Vec<String>)> {
    let dir = temp_dir();
    let path = write_estate(&dir, yaml);
    let v: Value = serde_json::from_str(&ok(&["spof", &path, "--format", "json"])).unwrap();
    v["functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["spof"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// The SPOFs of function `f` of a small estate (also used by the sweep tests).
pub fn spof_of(yaml: &str, f: &str) -> Vec<String> {
    spofs(yaml)
        .into_iter()
        .find(|(id, _)| id == f)
        .expect("function listed")
        .1
}

#[test]
fn fallback_cycle_members_are_no_spof_but_the_shared_entry_point_is() {
    let yaml = "version: 1
functions:
  f: {requires: [svc]}
services:
  svc: {requires: [{any: [a, b]}]}
  a: {requires: [{any: [db-a, b]}]}
  b: {requires: [{any: [db-b, a]}]}
resources:
  db-a: {region: r1}
  db-b: {region: r2}
";
    assert_eq!(spof_of(yaml, "f"), ["svc"]);
}

#[test]
fn quorum_losing_one_member_is_no_spof_but_a_member_of_a_tight_quorum_is() {
    let yaml = "version: 1
functions:
  loose: {requires: [{quorum: 2, of: [a, b, c]}]}
  tight: {requires: [{quorum: 3, of: [a, b, c]}]}
resources:
  a: {}
  b: {}
  c: {}
";
    assert!(spof_of(yaml, "loose").is_empty());
    assert_eq!(spof_of(yaml, "tight"), ["a", "b", "c"]);
}

#[test]
fn optional_only_dependencies_are_never_spofs() {
    let yaml = "version: 1
functions:
  f: {optional: [x], requires: [y]}
resources:
  x: {}
  y: {}
";
    assert_eq!(spof_of(yaml, "f"), ["y"]);
}

#[test]
fn a_function_requiring_itself_through_a_cycle_is_not_its_own_spof() {
    let yaml = "version: 1
functions:
  f: {requires: [s]}
services:
  s: {requires: [{any: [db, f]}]}
resources:
  db: {}
";
    // f needs s; s needs db or f; with db gone, f and s hold each other up
    // only through the cycle, which has no grounded support: both go down.
    assert_eq!(spof_of(yaml, "f"), ["db", "s"]);
}

#[test]
fn zones_with_min_zones_are_spofs_only_when_one_zone_loss_breaks_them() {
    let yaml = "version: 1
functions:
  strict: {requires: [db2]}
  relaxed: {requires: [db1]}
resources:
  db2: {zones: [z1, z2], min_zones: 2}
  db1: {zones: [z1, z2]}
";
    let dir = temp_dir();
    let path = write_estate(&dir, yaml);
    let v: Value = serde_json::from_str(&ok(&["sweep", &path, "--format", "json"])).unwrap();
    let z1 = v["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["failed"][0] == "zone:z1")
        .unwrap();
    assert_eq!(z1["functions"]["strict"], "down");
    assert_eq!(z1["functions"]["relaxed"], "degraded");
}

#[test]
fn a_function_down_with_nothing_failed_has_no_spof() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [{select: {tags: {team: none}}}], allow_empty: true}, x]}
resources:
  x: {tags: {team: a}}
";
    let dir = temp_dir();
    let path = write_estate(&dir, yaml);
    let (code, out, stderr) = exec(&["spof", &path, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("entry-never-satisfied"),
        "a warning says why: {stderr}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["functions"][0]["id"], "f");
    assert_eq!(v["functions"][0]["spof"], Value::Array(vec![]));
}

#[test]
fn spof_kinds_lists_only_nodes_of_those_kinds() {
    let all: Value = serde_json::from_str(&ok(&["spof", SHOP, "-f", "json"])).unwrap();
    let some: Value = serde_json::from_str(&ok(&[
        "spof",
        SHOP,
        "--kinds",
        "resource,external",
        "-f",
        "json",
    ]))
    .unwrap();
    // Every function is still listed; only the other kinds are dropped.
    let ids = |v: &Value| -> Vec<String> {
        v["functions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&some), ids(&all));
    let checkout = |v: &Value| -> Vec<String> {
        v["functions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == "checkout")
            .unwrap()["spof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        checkout(&some),
        [
            "arn:aws:rds:us-east-1:111122223333:db:orders",
            "arn:aws:sqs:us-east-1:111122223333:order-events",
            "stripe"
        ]
    );
    // The filtered list is the full list without services.
    let services = [
        "cart",
        "order-service",
        "order-service-use1",
        "payments",
        "web",
    ];
    let expected: Vec<String> = checkout(&all)
        .into_iter()
        .filter(|x| !services.contains(&x.as_str()))
        .collect();
    assert_eq!(checkout(&some), expected);

    let text = ok(&["spof", SHOP, "--kinds", "service", "--function", "checkout"]);
    assert!(text.contains("  web  (service)"), "{text}");
    assert!(text.contains("checkout [critical]: 5"), "{text}");
    assert!(!text.contains("stripe"), "{text}");
    assert!(!text.contains("db:orders  ("), "{text}");
}

#[test]
fn spof_kinds_rejects_an_unknown_kind_with_a_suggestion() {
    let (code, out, stderr) = exec(&["spof", SHOP, "--kinds", "resource,externl"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(out.is_empty(), "{out}");
    assert!(
        stderr.contains("`externl` is not a kind of node (did you mean `external`?)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("use some of: function, service, resource, external"),
        "{stderr}"
    );
}

#[test]
fn spof_text_says_why_a_logical_node_is_a_single_point_of_failure() {
    let text = ok(&["spof", SHOP, "--function", "checkout"]);
    let why = |node: &str| -> String {
        let at = text
            .find(&format!("\n  {node}  ("))
            .unwrap_or_else(|| panic!("{node} listed: {text}"));
        text[at..]
            .lines()
            .find(|l| l.trim_start().starts_with("why: "))
            .unwrap()
            .trim()
            .to_owned()
    };
    // A logical service with two deployments below it: where paths converge.
    assert_eq!(
        why("web"),
        "why: every path from checkout goes through web; below it, any of web-use1, web-euw1 \
         will do: make web itself redundant, or let checkout reach them without web"
    );
    // A node whose one requirement is single: the chain, and where to act.
    assert_eq!(
        why("order-service"),
        "why: its only requirement is order-service-use1 (chain: order-service → \
         order-service-use1): add an alternative to order-service-use1 and require both with `any`"
    );
    // A leaf keeps the peer advice.
    assert_eq!(
        why("stripe"),
        "why: nothing stands in for it: add a redundant peer and require both with `any` or `quorum`"
    );
    assert!(!why("web").contains("redundant peer"));
    let md = ok(&["spof", SHOP, "--function", "checkout", "-f", "markdown"]);
    assert!(
        md.contains(
            "| `web` | service | `checkout → web` | every path from checkout goes through web;"
        ),
        "{md}"
    );
}

#[test]
fn spof_text_names_every_single_requirement_of_a_node_without_redundancy() {
    let yaml = "version: 1
functions:
  f: {requires: [svc]}
services:
  svc: {requires: [a, b]}
resources:
  a: {}
  b: {}
";
    let dir = temp_dir();
    let path = write_estate(&dir, yaml);
    let text = ok(&["spof", &path, "--function", "f"]);
    assert!(
        text.contains(
            "why: every path from f goes through svc, which needs each of a, b: \
             add a peer for svc and require both with `any`"
        ),
        "{text}"
    );
}

/// `check` on the shop with `policy` (TOML): exit code, stdout, stderr.
fn check_with_policy(policy: &str, format: &str) -> (i32, String, String) {
    let dir = temp_dir();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, policy).unwrap();
    exec(&["check", SHOP, "--policy", &path_str(&p), "--format", format])
}

#[test]
fn policy_node_kinds_limits_node_domains() {
    let policy = "[[rule]]\nname = \"no single resource or third party\"\nfunctions = { ids = [\"checkout\"] }\nmust_survive = [\"node\"]\nnode_kinds = [\"resource\", \"external\"]\n";
    let (code, out, err) = check_with_policy(policy, "json");
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let domains: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["domain"].as_str().unwrap())
        .collect();
    // Exactly `spof --kinds resource,external` of checkout, as node domains.
    let spof: Value = serde_json::from_str(&ok(&[
        "spof",
        SHOP,
        "--function",
        "checkout",
        "--kinds",
        "resource,external",
        "-f",
        "json",
    ]))
    .unwrap();
    let expected: Vec<String> = spof["functions"][0]["spof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("node:{}", x.as_str().unwrap()))
        .collect();
    assert_eq!(domains, expected);
    assert_eq!(
        domains,
        [
            "node:arn:aws:rds:us-east-1:111122223333:db:orders",
            "node:arn:aws:sqs:us-east-1:111122223333:order-events",
            "node:stripe"
        ]
    );

    // Functions only: checkout requires no other function, so it passes.
    let policy = "[[rule]]\nname = \"no other function\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\nnode_kinds = [\"function\"]\n";
    let (code, out, err) = check_with_policy(policy, "json");
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn policy_node_kinds_with_an_unknown_kind_is_an_error_at_its_position() {
    let policy = "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\nnode_kinds = [\"resource\", \"externl\"]\n";
    let (code, out, err) = check_with_policy(policy, "text");
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("error[invalid-policy]: `externl` is not a kind of node"),
        "{err}"
    );
    assert!(err.contains("policy.toml:5:27"), "{err}");
    assert!(err.contains("did you mean `external`?"), "{err}");
    assert!(
        err.contains("node_kinds takes: function, service, resource, external"),
        "{err}"
    );
}

#[test]
fn policy_node_kinds_without_node_in_must_survive_is_an_error_at_the_key() {
    let policy = "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"region\"]\nnode_kinds = [\"resource\"]\n";
    let (code, out, err) = check_with_policy(policy, "text");
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("`node_kinds` without `node` in `must_survive` limits nothing"),
        "{err}"
    );
    assert!(err.contains("policy.toml:5:1"), "{err}");
    assert!(err.contains(r#"add "node" to must_survive"#), "{err}");
}
