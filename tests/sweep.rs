//! `blastmap sweep` through the real binary: outputs on the README's example
//! (snapshots), the JSON shape of SPEC §4.2, the edge cases the issue names,
//! and byte-identical output whatever the number of threads.

use std::fmt::Write;

use serde_json::Value;

use crate::spof::spof_of;
use crate::util::{exec, exec_env, ok, temp_dir, write_estate, SHOP};

#[test]
fn sweep_text_on_the_example() {
    assert_snapshot!("cli_sweep_spof", "sweep_shop_text", ok(&["sweep", SHOP]));
}

#[test]
fn sweep_markdown_and_csv_on_the_example() {
    assert_snapshot!(
        "cli_sweep_spof",
        "sweep_shop_markdown",
        ok(&["sweep", SHOP, "--format", "markdown"])
    );
    assert_snapshot!(
        "cli_sweep_spof",
        "sweep_shop_csv",
        ok(&["sweep", SHOP, "--format", "csv"])
    );
}

#[test]
fn sweep_json_lists_every_scenario_once_with_only_functions_not_up() {
    let out = ok(&["sweep", SHOP, "--format", "json"]);
    assert_snapshot!("cli_sweep_spof", "sweep_shop_json", out);
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
    let (code, _, stderr) = exec(&["sweep", SHOP, "--function", "checkuot"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `checkout`"), "{stderr}");
    let (code, _, stderr) = exec(&["sweep", SHOP, "--domains", "region,zoen"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("zoen"), "{stderr}");
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
    let dir = temp_dir();
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
        let (c1, one, e1) = exec_env(&args, &[("RAYON_NUM_THREADS", "1")]);
        let (c4, many, e4) = exec_env(&args, &[("RAYON_NUM_THREADS", "4")]);
        assert_eq!((c1, c4), (0, 0), "{e1}{e4}");
        assert!(one == many, "{args:?} differs between 1 and 4 threads");
        assert!(
            one.len() > 1000,
            "{args:?} printed too little to test anything"
        );
    }
}

#[test]
fn nodes_placed_in_global_are_swept_as_region_global() {
    let yaml = "version: 1
functions:
  f: {requires: ['arn:aws:iam::111122223333:role/deploy']}
resources:
  'arn:aws:iam::111122223333:role/deploy': {}
";
    let dir = temp_dir();
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

/// An estate with `regions` regions and a function per ten of them, ids
/// and region names far longer than a terminal column allows.
fn wide_estate(regions: usize) -> String {
    let mut y = String::from("version: 1\nfunctions:\n");
    for f in 0..regions.div_ceil(10) {
        let dbs: Vec<String> = (f * 10..(f * 10 + 11).min(regions))
            .map(|r| format!("db-{r}"))
            .collect();
        let _ = writeln!(
            y,
            "  a-business-function-with-a-very-long-identifier-that-goes-on-{f:03}: {{requires: [{{any: [{}]}}]}}",
            dbs.join(", ")
        );
    }
    y.push_str("resources:\n");
    for r in 0..regions {
        let _ = writeln!(
            y,
            "  db-{r}: {{region: a-region-whose-name-is-far-too-long-for-any-column-of-a-terminal-or-a-printed-page-{r:03}}}"
        );
    }
    y
}

#[test]
fn sweep_text_lines_fit_100_columns() {
    let dir = temp_dir();
    let estate = write_estate(&dir, &wide_estate(70));
    let out = ok(&["sweep", &estate, "--color", "never"]);
    for line in out.lines() {
        assert!(
            line.chars().count() <= 100,
            "a line of {} characters:\n{line}\n--- in\n{out}",
            line.chars().count()
        );
    }
    let pages = out.matches(" (page ").count();
    assert_eq!(pages, 3, "70 scenarios take three pages of 29:\n{out}");
    assert_eq!(
        out.matches("\n✗ down   ~ degraded   ✓ up\n").count(),
        pages,
        "each page has its legend:\n{out}"
    );
    // Every scenario is listed once, by its number, on the page that shows it.
    for n in 1..=70 {
        let listed = out
            .lines()
            .filter(|l| l.starts_with(&format!("{n:>2}  region:a-region-")))
            .count();
        assert_eq!(listed, 1, "scenario {n} listed {listed} times:\n{out}");
    }
    // Shortened in the middle, deterministically: start and end still show.
    assert!(
        out.contains("\na-business-func…hat-goes-on-000 [medium]  "),
        "{out}"
    );
    assert!(
        out.contains(" 1  region:a-region-whose-name-is-far-too-…n-of-a-terminal-or-a-printed-page-000  0 down"),
        "{out}"
    );
}

#[test]
fn sweep_markdown_has_one_table_per_domain_kind() {
    let out = ok(&["sweep", SHOP, "--format", "markdown"]);
    let headings: Vec<&str> = out.lines().filter(|l| l.starts_with("### ")).collect();
    assert_eq!(
        headings,
        [
            "### region (2 scenarios)",
            "### zone (6 scenarios)",
            "### account (1 scenario)",
            "### cloud-service (18 scenarios)"
        ]
    );
    let tables = out.lines().filter(|l| l.starts_with("|---|---|")).count();
    assert_eq!(
        tables,
        headings.len(),
        "one table under each heading:\n{out}"
    );
    let region_header = out
        .lines()
        .skip_while(|l| *l != "### region (2 scenarios)")
        .find(|l| l.starts_with("| Function"))
        .expect("the region table has a header");
    assert_eq!(
        region_header,
        "| Function | Criticality | `eu-west-1` | `us-east-1` |"
    );
    let with_nodes = ok(&[
        "sweep",
        SHOP,
        "--domains",
        "region,node",
        "--format",
        "markdown",
    ]);
    assert!(with_nodes.contains("\n### node ("), "{with_nodes}");
}
