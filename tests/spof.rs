//! `blastmap spof` through the real binary: the report on the README's
//! example (snapshots), agreement with one `analyze` per node, and the edge
//! cases of SPEC §3 (fallback cycles, quorums, optional dependencies, zones).

use serde_json::Value;

use crate::util::{exec, ok, temp_dir, write_estate, SHOP};

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
