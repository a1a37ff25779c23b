//! `blastmap diff` through the real binary: the named changes of
//! `fixtures/diff/` (a new single point of failure, a lost region, tags
//! only, a rename, a new function, no change), reports as inputs, the exit
//! codes, and a property test against two `sweep`s on random estates.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::Value;

use crate::util::{exec, temp_dir, write_estate, SHOP};

const BASE: &str = "fixtures/diff/base.yaml";
const POLICY: &str = "fixtures/diff/policy.toml";

fn case(name: &str) -> String {
    format!("fixtures/diff/{name}.yaml")
}

/// `diff OLD NEW --format json` (with the diff policy), parsed; exit 0.
fn diff_json(old: &str, new: &str) -> Value {
    let (code, out, err) = exec(&["diff", old, new, "--policy", POLICY, "--format", "json"]);
    assert_eq!(code, 0, "diff {old} {new}: {err}");
    serde_json::from_str(&out).expect("diff writes JSON")
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_str().expect("a string"))
        .collect()
}

fn function<'a>(diff: &'a Value, id: &str) -> &'a Value {
    diff["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("{id} is listed: {diff:#}"))
}

#[test]
fn a_change_that_adds_a_spof_is_worse_and_names_it_with_its_path() {
    let d = diff_json(BASE, &case("new-spof"));
    assert_eq!(d["verdict"], "worse");
    assert_eq!(strs(&d["nodes"]["added"]), ["fraud-api"]);
    assert_eq!(
        d["edges"]["added"],
        serde_json::json!([["orders", "fraud-api"]])
    );
    let checkout = function(&d, "checkout");
    assert_eq!(strs(&checkout["spof"]["gained"]), ["fraud-api"]);
    assert_eq!(
        strs(&checkout["spof"]["paths"]["fraud-api"]),
        ["checkout", "orders", "fraud-api"]
    );
}

#[test]
fn a_change_that_removes_a_regions_redundancy_gains_the_region_and_a_violation() {
    let d = diff_json(BASE, &case("single-region"));
    // Losing eu-west-1 no longer degrades checkout (nothing there is used
    // any more): that part improves, so the verdict is mixed, not worse.
    assert_eq!(d["verdict"], "mixed");
    let checkout = function(&d, "checkout");
    let us_east = checkout["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["failed"][0] == "region:us-east-1")
        .expect("region:us-east-1 changed");
    assert_eq!(
        (&us_east["old"], &us_east["new"]),
        (&"degraded".into(), &"down".into())
    );
    assert_eq!(
        strs(&checkout["spof"]["gained"]),
        ["db-use1", "orders-use1"]
    );
    assert_eq!(
        checkout["violations"]["gained"],
        serde_json::json!([{"rule": "critical functions survive a region", "domain": "region:us-east-1"}])
    );
    assert_eq!(
        d["edges"]["removed"],
        serde_json::json!([["orders", "orders-euw1"]])
    );
    let (code, _, _) = exec(&["diff", BASE, &case("single-region"), "--fail-on", "worse"]);
    assert_eq!(code, 1, "a mixed change fails --fail-on worse");
}

#[test]
fn a_change_that_only_adds_tags_changes_the_structure_not_the_resilience() {
    let d = diff_json(BASE, &case("tags-only"));
    assert_eq!(d["verdict"], "unchanged");
    assert_eq!(strs(&d["nodes"]["changed"]), ["db-use1"]);
    assert_eq!(strs(&d["nodes"]["changed_fields"]["db-use1"]), ["tags"]);
    assert_eq!(d["functions"], serde_json::json!([]));
    let (code, _, _) = exec(&["diff", BASE, &case("tags-only"), "--fail-on", "any"]);
    assert_eq!(code, 0, "no verdict to fail on");
}

#[test]
fn a_renamed_node_is_removed_and_added() {
    let d = diff_json(BASE, &case("renamed"));
    assert_eq!(strs(&d["nodes"]["removed"]), ["db-use1"]);
    assert_eq!(strs(&d["nodes"]["added"]), ["orders-db-use1"]);
    assert_eq!(strs(&d["nodes"]["changed"]), ["orders-use1"]);
    assert_eq!(d["verdict"], "unchanged");
}

#[test]
fn a_function_added_is_its_own_line_and_neither_worse_nor_better() {
    let d = diff_json(BASE, &case("function-added"));
    assert_eq!(d["verdict"], "unchanged");
    let refunds = function(&d, "refunds");
    let statuses: BTreeSet<&str> = refunds["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| s["old"].as_str().expect("old"))
        .collect();
    assert_eq!(statuses, BTreeSet::from(["absent"]));
    assert_eq!(d["functions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn identical_inputs_are_unchanged_and_exit_0() {
    let d = diff_json(BASE, BASE);
    assert_eq!(d["verdict"], "unchanged");
    assert_eq!(d["nodes"]["changed"], serde_json::json!([]));
    let (code, out, _) = exec(&["diff", SHOP, SHOP, "--fail-on", "any"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("blastmap diff: unchanged"), "{out}");
}

#[test]
fn old_and_new_take_several_sources_each() {
    let shop_files =
        ["functions.yaml", "services.yaml", "inventory.json"].map(|f| format!("{SHOP}/{f}"));
    let mut args = vec!["diff".to_owned()];
    for f in &shop_files {
        args.extend(["--old".to_owned(), f.clone()]);
    }
    args.extend([
        "--new".to_owned(),
        SHOP.to_owned(),
        "-f".into(),
        "json".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = exec(&args);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(d["verdict"], "unchanged");
}

#[test]
fn two_spof_reports_compare_their_single_points_of_failure() {
    let dir = temp_dir();
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    for (estate, out) in [(BASE.to_owned(), &old), (case("new-spof"), &new)] {
        let out = out.display().to_string();
        let (code, _, err) = exec(&["spof", &estate, "-f", "json", "-o", &out]);
        assert_eq!(code, 0, "{err}");
    }
    let (code, out, err) = exec(&[
        "diff",
        &old.display().to_string(),
        &new.display().to_string(),
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let d: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(d["verdict"], "worse");
    assert_eq!(d["nodes"], Value::Null, "reports carry no structure");
    assert_eq!(
        strs(&function(&d, "checkout")["spof"]["gained"]),
        ["fraud-api"]
    );
}

#[test]
fn diff_of_an_estate_against_a_report_exits_2() {
    let dir = temp_dir();
    let report = dir.path().join("sweep.json");
    let report = report.display().to_string();
    let (code, _, _) = exec(&["sweep", BASE, "-f", "json", "-o", &report]);
    assert_eq!(code, 0);
    let (code, _, err) = exec(&["diff", BASE, &report]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("diff-inputs") && err.contains("`sweep` report"),
        "{err}"
    );
    let spof = dir.path().join("spof.json").display().to_string();
    exec(&["spof", BASE, "-f", "json", "-o", &spof]);
    let (code, _, err) = exec(&["diff", &report, &spof]);
    assert_eq!(code, 2, "mixing kinds: {err}");
    let (code, _, err) = exec(&["diff", BASE]);
    assert_eq!(code, 2, "one side only: {err}");
}

#[test]
fn the_markdown_comment_starts_with_its_marker_and_a_summary_table() {
    let (code, out, err) = exec(&["diff", BASE, &case("new-spof"), "-f", "markdown"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("<!-- blastmap-diff -->"));
    assert_eq!(lines.next(), Some("## blastmap diff: 🔴 worse"));
    let table = out.find("| function |").expect("a summary table");
    let details = out.find("<details>").expect("details");
    assert!(table < details, "{out}");
    assert!(
        out.contains("| `checkout` | 🔴 worse | 0 | 0 | 1 | 0 | 0 | 0 |"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// Property: diff against two sweeps
// ---------------------------------------------------------------------------

/// A small random estate (a DAG: each node requires lower-numbered ones):
/// resources placed in two regions and three zones, services with `all`,
/// `any` and `quorum` entries, and 1 to 3 functions.
fn random_estate(seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut out = "version: 1\nresources:\n".to_owned();
    let resources = 2 + next(4);
    for r in 0..resources {
        let region = ["r1", "r2"][next(2) as usize];
        let zones: Vec<&str> = ["z1", "z2", "z3"]
            .into_iter()
            .filter(|_| next(2) == 0)
            .collect();
        out.push_str(&format!("  res{r}: {{region: {region}"));
        if !zones.is_empty() {
            out.push_str(&format!(", zones: [{}]", zones.join(", ")));
        }
        out.push_str("}\n");
    }
    let mut nodes: Vec<String> = (0..resources).map(|r| format!("res{r}")).collect();
    out.push_str("services:\n");
    for s in 0..1 + next(4) {
        let a = nodes[next(nodes.len() as u64) as usize].clone();
        let b = nodes[next(nodes.len() as u64) as usize].clone();
        let entry = if a == b {
            a
        } else {
            match next(3) {
                0 => format!("{{any: [{a}, {b}]}}"),
                1 => format!("{{quorum: 2, of: [{a}, {b}]}}"),
                _ => format!("{{all: [{a}, {b}]}}"),
            }
        };
        out.push_str(&format!("  svc{s}: {{requires: [{entry}]}}\n"));
        nodes.push(format!("svc{s}"));
    }
    out.push_str("functions:\n");
    for f in 0..1 + next(3) {
        let x = &nodes[next(nodes.len() as u64) as usize];
        out.push_str(&format!("  fn{f}: {{requires: [{x}]}}\n"));
    }
    out
}

/// domain → function → status, from `sweep --format json`.
type Matrix = BTreeMap<String, BTreeMap<String, String>>;

fn sweep_matrix(estate: &str) -> Matrix {
    let (code, out, err) = exec(&["sweep", estate, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    v["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            let statuses = s["functions"]
                .as_object()
                .expect("functions")
                .iter()
                .map(|(f, st)| (f.clone(), st.as_str().expect("status").to_owned()))
                .collect();
            (
                s["failed"][0].as_str().expect("domain").to_owned(),
                statuses,
            )
        })
        .collect()
}

fn function_ids(estate: &str) -> BTreeSet<String> {
    let (_, out, _) = exec(&["spof", estate, "-f", "json"]);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    v["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

/// (function, domain, old, new) where the two sweeps differ. A domain one
/// side lacks fails nothing there: every function is up (these estates
/// have no function down with nothing failed).
fn expected_changes(old: &str, new: &str) -> BTreeSet<(String, String, String, String)> {
    let (a, b) = (sweep_matrix(old), sweep_matrix(new));
    let (fa, fb) = (function_ids(old), function_ids(new));
    let domains: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = BTreeSet::new();
    for f in fa.union(&fb) {
        for &d in &domains {
            let status = |m: &Matrix, fs: &BTreeSet<String>| {
                if !fs.contains(f) {
                    return "absent".to_owned();
                }
                m.get(d)
                    .and_then(|s| s.get(f))
                    .cloned()
                    .unwrap_or_else(|| "up".to_owned())
            };
            let (o, n) = (status(&a, &fa), status(&b, &fb));
            if o != n {
                out.insert((f.clone(), d.clone(), o, n));
            }
        }
    }
    out
}

fn listed_changes(old: &str, new: &str) -> (String, BTreeSet<(String, String, String, String)>) {
    let (code, out, err) = exec(&["diff", old, new, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let mut changes = BTreeSet::new();
    for f in v["functions"].as_array().expect("functions") {
        for s in f["scenarios"].as_array().expect("scenarios") {
            changes.insert((
                f["id"].as_str().expect("id").to_owned(),
                s["failed"][0].as_str().expect("domain").to_owned(),
                s["old"].as_str().expect("old").to_owned(),
                s["new"].as_str().expect("new").to_owned(),
            ));
        }
    }
    (v["verdict"].as_str().expect("verdict").to_owned(), changes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn diff_lists_exactly_the_scenarios_where_two_sweeps_differ(a in any::<u64>(), b in any::<u64>()) {
        let dir = temp_dir();
        let old = write_estate(&dir, &random_estate(a));
        let new_dir = temp_dir();
        let new = write_estate(&new_dir, &random_estate(b));
        let (_, listed) = listed_changes(&old, &new);
        prop_assert_eq!(listed, expected_changes(&old, &new), "estates:\n{}\n---\n{}", random_estate(a), random_estate(b));
        let (verdict, same) = listed_changes(&old, &old);
        prop_assert_eq!(verdict, "unchanged");
        prop_assert!(same.is_empty());
    }
}
