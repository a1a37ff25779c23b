//! `blastmap sweep` and `blastmap spof` through the real binary: outputs on
//! the README's example (snapshots), the JSON shape of SPEC §4.2, the
//! edge cases the issue names, and byte-identical output whatever the
//! number of threads.

use std::fmt::Write;

use assert_cmd::Command;
use serde_json::Value;

const SHOP: &str = "fixtures/shop";

fn blastmap(args: &[&str]) -> (i32, String, String) {
    blastmap_env(args, &[])
}

fn blastmap_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("blastmap").expect("binary builds");
    cmd.args(args).env_remove("RUST_LOG").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = blastmap(args);
    assert_eq!(code, 0, "blastmap {args:?} failed:\n{stderr}");
    assert!(stderr.is_empty(), "stderr not empty: {stderr}");
    stdout
}

fn write_estate(dir: &tempfile::TempDir, yaml: &str) -> String {
    let path = dir.path().join("estate.yaml");
    std::fs::write(&path, yaml).expect("temp file");
    path.display().to_string()
}

#[test]
fn sweep_text_on_the_example() {
    insta::assert_snapshot!("sweep_shop_text", ok(&["sweep", SHOP]));
}

#[test]
fn sweep_markdown_and_csv_on_the_example() {
    insta::assert_snapshot!(
        "sweep_shop_markdown",
        ok(&["sweep", SHOP, "--format", "markdown"])
    );
    insta::assert_snapshot!("sweep_shop_csv", ok(&["sweep", SHOP, "--format", "csv"]));
}

#[test]
fn sweep_json_lists_every_scenario_once_with_only_functions_not_up() {
    let out = ok(&["sweep", SHOP, "--format", "json"]);
    insta::assert_snapshot!("sweep_shop_json", out);
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    let obj = v.as_object().expect("object");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["scenarios"]);
    let scenarios = v["scenarios"].as_array().expect("array");
    let failed: Vec<&str> = scenarios
        .iter()
        .map(|s| {
            let keys: Vec<&String> = s.as_object().expect("object").keys().collect();
            assert_eq!(keys, ["failed", "functions"]);
            let f = s["failed"].as_array().expect("array");
            assert_eq!(f.len(), 1);
            for status in s["functions"].as_object().expect("object").values() {
                assert!(status == "down" || status == "degraded", "{status}");
            }
            f[0].as_str().expect("string")
        })
        .collect();
    // Kinds in the default order, each kind's values sorted, each once.
    let kinds: Vec<&str> = failed
        .iter()
        .map(|d| d.split(':').next().unwrap())
        .collect();
    let mut order = kinds.clone();
    order.dedup();
    assert_eq!(order, ["region", "zone", "account", "cloud-service"]);
    for kind in order {
        let values: Vec<&&str> = failed.iter().filter(|d| d.starts_with(kind)).collect();
        let mut sorted = values.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(values, sorted);
    }
    assert!(failed.contains(&"cloud-service:rds@us-east-1"));
    let us_east = scenarios
        .iter()
        .find(|s| s["failed"][0] == "region:us-east-1")
        .expect("region:us-east-1 is swept");
    assert_eq!(us_east["functions"]["checkout"], "down");
    assert_eq!(us_east["functions"]["order-tracking"], "down");
}

#[test]
fn sweep_columns_equal_analyze_of_each_scenario() {
    let sweep: Value = serde_json::from_str(&ok(&["sweep", SHOP, "--format", "json"])).unwrap();
    for s in sweep["scenarios"].as_array().unwrap() {
        let domain = s["failed"][0].as_str().unwrap();
        let analyze: Value = serde_json::from_str(&ok(&[
            "analyze", SHOP, "--fail", domain, "--format", "json",
        ]))
        .unwrap();
        let mut expected = serde_json::Map::new();
        for f in analyze["functions"].as_array().unwrap() {
            if f["status"] != "up" {
                expected.insert(f["id"].as_str().unwrap().to_owned(), f["status"].clone());
            }
        }
        assert_eq!(s["functions"], Value::Object(expected), "{domain}");
    }
}

#[test]
fn sweep_function_flag_limits_the_rows_and_rejects_unknown_ids() {
    let out = ok(&["sweep", SHOP, "--format", "csv", "--function", "checkout"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("checkout,critical,"));
    let (code, _, stderr) = blastmap(&["sweep", SHOP, "--function", "checkuot"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `checkout`"), "{stderr}");
    let (code, _, stderr) = blastmap(&["sweep", SHOP, "--domains", "region,zoen"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("zoen"), "{stderr}");
}

#[test]
fn spof_on_the_example() {
    insta::assert_snapshot!("spof_shop_text", ok(&["spof", SHOP]));
    let out = ok(&["spof", SHOP, "--format", "json"]);
    insta::assert_snapshot!("spof_shop_json", out);
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

/// A mid-size estate (a few thousand nodes) so that the work is split
/// across threads: services in three regions calling each other.
fn generated_estate(services: usize) -> String {
    let mut y = String::from("version: 1\nfunctions:\n");
    for f in 0..services / 10 {
        let _ = writeln!(
            y,
            "  fn-{f}:\n    requires: [svc-{}, svc-{}]",
            f * 3 % services,
            (f * 7 + 1) % services
        );
    }
    y.push_str("services:\n");
    for s in 0..services {
        let _ = writeln!(
            y,
            "  svc-{s}:\n    requires:\n      - any: [svc-{s}-r0, svc-{s}-r1]"
        );
        let callee = s + 1 + (s % 5);
        if callee < services && s % 4 != 0 {
            let _ = writeln!(y, "      - svc-{callee}");
        }
        for r in 0..2 {
            let _ = writeln!(
                y,
                "  svc-{s}-r{r}:\n    region: region-{}\n    requires:\n      - quorum: 2\n        of: [i-{s}-{r}-0, i-{s}-{r}-1, i-{s}-{r}-2]\n      - db-{s}-{r}",
                (s + r) % 3
            );
        }
    }
    y.push_str("resources:\n");
    for s in 0..services {
        for r in 0..2 {
            let region = (s + r) % 3;
            for i in 0..3 {
                let _ = writeln!(y, "  i-{s}-{r}-{i}: {{region: region-{region}, service: ec2, zones: [z{region}-{i}]}}");
            }
            let _ = writeln!(
                y,
                "  db-{s}-{r}: {{region: region-{region}, service: rds, zones: [z{region}-0, z{region}-1], min_zones: {}}}",
                1 + s % 2
            );
        }
    }
    y
}

#[test]
fn sweep_and_spof_are_byte_identical_with_one_thread_and_many() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_estate(&dir, &generated_estate(300));
    for args in [
        vec![
            "sweep",
            &path,
            "--domains",
            "region,zone,account,cloud-service,node",
            "--format",
            "json",
        ],
        vec!["sweep", &path, "--format", "csv"],
        vec!["spof", &path, "--format", "json"],
        vec!["spof", &path],
    ] {
        let (c1, one, e1) = blastmap_env(&args, &[("RAYON_NUM_THREADS", "1")]);
        let (c4, many, e4) = blastmap_env(&args, &[("RAYON_NUM_THREADS", "4")]);
        assert_eq!((c1, c4), (0, 0), "{e1}{e4}");
        assert!(one == many, "{args:?} differs between 1 and 4 threads");
        assert!(
            one.len() > 1000,
            "{args:?} printed too little to test anything"
        );
    }
}

/// The SPOFs of every function of a small estate, as `f: [x, ...]`.
fn spofs(yaml: &str) -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
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

fn spof_of(yaml: &str, f: &str) -> Vec<String> {
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
    let dir = tempfile::tempdir().unwrap();
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
fn nodes_placed_in_global_are_swept_as_region_global() {
    let yaml = "version: 1
functions:
  f: {requires: ['arn:aws:iam::111122223333:role/deploy']}
resources:
  'arn:aws:iam::111122223333:role/deploy': {}
";
    let dir = tempfile::tempdir().unwrap();
    let path = write_estate(&dir, yaml);
    let v: Value = serde_json::from_str(&ok(&["sweep", &path, "--format", "json"])).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    let global = scenarios
        .iter()
        .find(|s| s["failed"][0] == "region:global")
        .expect("global swept");
    assert_eq!(global["functions"]["f"], "down");
    assert!(scenarios
        .iter()
        .any(|s| s["failed"][0] == "cloud-service:iam@global"));
    assert_eq!(
        spof_of(yaml, "f"),
        ["arn:aws:iam::111122223333:role/deploy"]
    );
}

#[test]
fn a_function_down_with_nothing_failed_has_no_spof() {
    let yaml = "version: 1
functions:
  f: {requires: [{any: [{select: {tags: {team: none}}}], allow_empty: true}, x]}
resources:
  x: {tags: {team: a}}
";
    let dir = tempfile::tempdir().unwrap();
    let path = write_estate(&dir, yaml);
    let (code, out, stderr) = blastmap(&["spof", &path, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("entry-never-satisfied"),
        "a warning says why: {stderr}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["functions"][0]["id"], "f");
    assert_eq!(v["functions"][0]["spof"], Value::Array(vec![]));
}
