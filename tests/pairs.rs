//! Double failures (SPEC §6.3) through the real binary: `spof --order 2`
//! and `sweep --pairs` on the README's example, each pair checked against
//! `analyze` failing its two members, and the named edge cases.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{exec, ok, temp_dir, write_estate, SHOP};

fn json(args: &[&str]) -> Value {
    let out = ok(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| {
            x.as_str()
                .unwrap_or_else(|| panic!("not text: {x}"))
                .to_owned()
        })
        .collect()
}

/// Each function's status under `analyze --fail` of every domain given.
fn statuses_under(estate: &str, failed: &[String]) -> BTreeMap<String, String> {
    let mut args = vec!["analyze".to_owned(), estate.to_owned()];
    for d in failed {
        args.push("--fail".to_owned());
        args.push(d.clone());
    }
    args.extend(["--format".to_owned(), "json".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    json(&args)["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().expect("id").to_owned(),
                f["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

fn down_under(estate: &str, function: &str, nodes: &[&str]) -> bool {
    let failed: Vec<String> = nodes.iter().map(|n| format!("node:{n}")).collect();
    statuses_under(estate, &failed)[function] == "down"
}

#[test]
fn every_pair_of_checkout_takes_it_down_and_neither_member_alone_does() {
    let v = json(&[
        "spof",
        SHOP,
        "--order",
        "2",
        "--function",
        "checkout",
        "--format",
        "json",
    ]);
    let functions = v["functions"].as_array().expect("functions");
    assert_eq!(functions.len(), 1, "{v}");
    let f = &functions[0];
    assert_eq!(f["id"], "checkout");
    let spofs = strings(&f["spof"]);
    let pairs: Vec<Vec<String>> = f["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(strings)
        .collect();
    assert!(!pairs.is_empty(), "checkout has redundant parts: {v}");
    let mut sorted = pairs.clone();
    sorted.sort();
    assert_eq!(pairs, sorted, "pairs sorted");
    for pair in &pairs {
        let [a, b] = &pair[..] else {
            panic!("a pair has two members: {pair:?}");
        };
        assert!(a < b, "{a} < {b}");
        for x in [a, b] {
            assert!(x != "checkout" && !spofs.contains(x), "{x} is excluded");
            assert!(!down_under(SHOP, "checkout", &[x]), "{x} alone");
        }
        assert!(down_under(SHOP, "checkout", &[a, b]), "{a} + {b}");
    }
}

#[test]
fn order_two_json_lists_every_function_with_spof_and_pairs() {
    let one = json(&["spof", SHOP, "--format", "json"]);
    let two = json(&["spof", SHOP, "--order", "2", "--format", "json"]);
    let ones = one["functions"].as_array().expect("functions");
    let twos = two["functions"].as_array().expect("functions");
    assert_eq!(ones.len(), twos.len());
    for (a, b) in ones.iter().zip(twos) {
        assert_eq!(a["id"], b["id"]);
        assert_eq!(a["spof"], b["spof"], "the same single points of failure");
        assert!(b["pairs"].is_array(), "{b}");
    }
}

#[test]
fn order_two_text_groups_pairs_by_first_member_with_counts() {
    let out = ok(&["spof", SHOP, "--order", "2", "--function", "checkout"]);
    assert_snapshot!("cli_pairs", "spof_order2_checkout_text", out.clone());
    assert!(out.contains("15 pairs"), "{out}");
    assert!(out.contains("pairs by first member (11):"), "{out}");
    assert!(out.contains("    cart-euw1 (1) with cart-use1\n"), "{out}");
}

#[test]
fn order_above_two_is_a_usage_error() {
    let (code, _, err) = exec(&["spof", SHOP, "--order", "3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--order"), "{err}");
}

#[test]
fn a_function_without_redundancy_has_no_pairs() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1
functions:
  f: {requires: [a, b]}
  g: {requires: [{any: [a, b]}]}
resources:
  a: {}
  b: {}
",
    );
    let v = json(&["spof", &estate, "--order", "2", "--format", "json"]);
    assert_eq!(
        v,
        serde_json::json!({"functions": [
            {"id": "f", "spof": ["a", "b"], "pairs": []},
            {"id": "g", "spof": [], "pairs": [["a", "b"]]},
        ]})
    );
}

#[test]
fn members_that_are_each_a_single_point_of_failure_are_no_pair() {
    // SPEC §6.3: neither member of a pair is one of f's single points of
    // failure, so `a` (one) pairs with nothing, though a + b takes f down.
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1
functions:
  f: {requires: [a, {any: [b, c]}]}
resources:
  a: {}
  b: {}
  c: {}
",
    );
    let v = json(&["spof", &estate, "--order", "2", "--format", "json"]);
    assert_eq!(v["functions"][0]["spof"], serde_json::json!(["a"]));
    assert_eq!(v["functions"][0]["pairs"], serde_json::json!([["b", "c"]]));
}

#[test]
fn pairs_inside_a_cycle_of_fallbacks() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1
functions:
  f: {requires: [{any: [a, b]}]}
services:
  a: {requires: [{any: [db-a, b]}]}
  b: {requires: [{any: [db-b, a]}]}
resources:
  db-a: {}
  db-b: {}
",
    );
    let v = json(&["spof", &estate, "--order", "2", "--format", "json"]);
    let pairs = &v["functions"][0]["pairs"];
    assert_eq!(
        pairs,
        &serde_json::json!([["a", "b"], ["a", "db-b"], ["b", "db-a"], ["db-a", "db-b"]]),
        "the two deployments cannot hold each other up once both databases are gone"
    );
}

#[test]
fn sweep_pairs_equals_analyze_on_each_pair() {
    let v = json(&[
        "sweep",
        SHOP,
        "--pairs",
        "--domains",
        "region,zone",
        "--format",
        "json",
    ]);
    let singles = json(&[
        "sweep",
        SHOP,
        "--domains",
        "region,zone",
        "--format",
        "json",
    ]);
    let n = singles["scenarios"].as_array().expect("scenarios").len();
    let scenarios = v["scenarios"].as_array().expect("scenarios");
    assert_eq!(
        scenarios.len(),
        n * (n - 1) / 2,
        "every unordered pair once"
    );
    for s in scenarios {
        let failed = strings(&s["failed"]);
        assert_eq!(failed.len(), 2, "{s}");
        assert!(failed[0] < failed[1], "sorted and distinct: {failed:?}");
        let expected: BTreeMap<String, String> = statuses_under(SHOP, &failed)
            .into_iter()
            .filter(|(_, status)| status != "up")
            .collect();
        let got: BTreeMap<String, String> = s["functions"]
            .as_object()
            .expect("functions")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("status").to_owned()))
            .collect();
        assert_eq!(got, expected, "under {failed:?}");
    }
}

/// A policy file in `dir` whose one rule selects every function and must
/// survive `kinds`.
fn policy(dir: &tempfile::TempDir, kinds: &str) -> String {
    let path = dir.path().join("policy.toml");
    let text = format!("[[rule]]\nname = \"pairs\"\nfunctions = \"*\"\nmust_survive = [{kinds}]\n");
    std::fs::write(&path, text).expect("temp file");
    path.display().to_string()
}

/// `(function, [d1, d2])` of every pair of region/zone domains that takes a
/// function down while neither domain alone does, from `sweep` (itself
/// checked against `analyze` above).
fn pairs_from_sweep() -> Vec<(String, Vec<String>)> {
    let singles = json(&[
        "sweep",
        SHOP,
        "--domains",
        "region,zone",
        "--format",
        "json",
    ]);
    let down_alone = |d: &str, f: &str| {
        singles["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .any(|s| s["failed"][0] == d && s["functions"][f] == "down")
    };
    let pairs = json(&[
        "sweep",
        SHOP,
        "--pairs",
        "--domains",
        "region,zone",
        "--format",
        "json",
    ]);
    let mut expected = Vec::new();
    for s in pairs["scenarios"].as_array().expect("scenarios") {
        let failed = strings(&s["failed"]);
        for (f, status) in s["functions"].as_object().expect("functions") {
            if status == "down" && !failed.iter().any(|d| down_alone(d, f)) {
                expected.push((f.clone(), failed.clone()));
            }
        }
    }
    expected.sort();
    expected
}

#[test]
fn check_kind_plus_kind_violations_are_the_pairs_neither_member_explains() {
    let dir = temp_dir();
    let policy = policy(&dir, r#""zone+zone", "zone+region", "region+region""#);
    let (code, out, err) = exec(&["check", SHOP, "--policy", &policy, "--format", "json"]);
    assert_eq!(
        code, 1,
        "the two regions together take everything down: {err}"
    );
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let mut got: Vec<(String, Vec<String>)> = v["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|x| {
            assert!(x.get("domain").is_none(), "a pair has `domains`: {x}");
            assert!(!strings(&x["path"]).is_empty() && !strings(&x["causes"]).is_empty());
            (
                x["function"].as_str().expect("function").to_owned(),
                strings(&x["domains"]),
            )
        })
        .collect();
    got.sort();
    let expected = pairs_from_sweep();
    assert!(!expected.is_empty());
    assert_eq!(got, expected);
}

#[test]
fn a_baseline_accepts_pair_violations_and_records_both_domains() {
    let dir = temp_dir();
    let policy = policy(&dir, r#""region+region""#);
    let baseline = dir.path().join("baseline.json").display().to_string();
    let (code, _, err) = exec(&[
        "check",
        SHOP,
        "--policy",
        &policy,
        "--write-baseline",
        &baseline,
    ]);
    assert_eq!(code, 0, "{err}");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("written")).expect("JSON");
    let first = &written["violations"][0];
    assert_eq!(
        first["domains"],
        serde_json::json!(["region:eu-west-1", "region:us-east-1"]),
        "{written}"
    );
    assert_eq!(first["domain"], "region:eu-west-1 + region:us-east-1");
    let (code, out, err) = exec(&["check", SHOP, "--policy", &policy, "--baseline", &baseline]);
    assert_eq!(code, 0, "every pair violation is accepted:\n{out}\n{err}");
}

#[test]
fn sarif_junit_and_github_name_both_domains_of_a_pair() {
    let dir = temp_dir();
    let policy = policy(&dir, r#""region+region""#);
    for format in ["sarif", "junit", "github", "text"] {
        let (code, out, err) = exec(&["check", SHOP, "--policy", &policy, "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(
            out.contains("region:eu-west-1") && out.contains("region:us-east-1"),
            "{format} names both domains:\n{out}"
        );
    }
    let (_, sarif, _) = exec(&["check", SHOP, "--policy", &policy, "--format", "sarif"]);
    assert!(
        sarif.contains("fail together (neither alone does)"),
        "{sarif}"
    );
    // The rule's description and help speak of pairs, not of "any single
    // region+region".
    let log: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
    let full = rule["fullDescription"]["text"].as_str().expect("text");
    let help = rule["help"]["text"].as_str().expect("text");
    assert!(
        full.contains("two domains (region and region) fail together"),
        "{full}"
    );
    assert!(!full.contains("single region+region"), "{full}");
    assert!(help.contains("redundancy outside both domains"), "{help}");
    let (_, junit, _) = exec(&["check", SHOP, "--policy", &policy, "--format", "junit"]);
    assert!(
        junit.contains("region:eu-west-1 and region:us-east-1 fail together"),
        "{junit}"
    );
}

#[test]
fn an_unknown_kind_in_a_pair_is_a_policy_error() {
    let dir = temp_dir();
    let policy = policy(&dir, r#""zone+regoin""#);
    let (code, _, err) = exec(&["check", SHOP, "--policy", &policy]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("regoin") && err.contains("zone+zone"), "{err}");
}

#[test]
fn two_zones_take_down_together_what_each_only_degrades() {
    // SPEC §2: the zone rule counts every failed zone of a node's list, so
    // a database in two zones survives either zone and loses to both.
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1
functions:
  f: {requires: [db]}
resources:
  db: {zones: [az1, az2]}
  other: {zones: [az3]}
",
    );
    let sweep = json(&[
        "sweep",
        &estate,
        "--pairs",
        "--domains",
        "zone",
        "--format",
        "json",
    ]);
    let pair = sweep["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["failed"] == serde_json::json!(["zone:az1", "zone:az2"]))
        .expect("the pair of zones is swept");
    assert_eq!(pair["functions"], serde_json::json!({"f": "down"}));
    let single = &sweep["scenarios"][1];
    assert_eq!(
        single["failed"],
        serde_json::json!(["zone:az1", "zone:az3"])
    );
    assert_eq!(single["functions"], serde_json::json!({"f": "degraded"}));
    let policy = policy(&dir, r#""zone+zone""#);
    let (code, out, _) = exec(&["check", &estate, "--policy", &policy, "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["violations"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(
        v["violations"][0]["domains"],
        serde_json::json!(["zone:az1", "zone:az2"])
    );
    assert_eq!(v["violations"][0]["causes"], serde_json::json!(["db"]));
}

#[test]
fn order_two_markdown_has_a_table_of_pairs_per_function() {
    let out = ok(&[
        "spof",
        SHOP,
        "--order",
        "2",
        "--function",
        "account-login",
        "--format",
        "markdown",
    ]);
    assert!(out.starts_with("## blastmap: double failures\n"), "{out}");
    assert!(out.contains("**8** pairs"), "{out}");
    assert!(
        out.contains("| `web-euw1` | 1 | `web-use1` |"),
        "one row per first member, with its count:\n{out}"
    );
}

#[test]
fn github_annotations_say_a_pair_fails_together() {
    let dir = temp_dir();
    let policy = policy(&dir, r#""region+region""#);
    let (code, out, _) = exec(&["check", SHOP, "--policy", &policy, "--format", "github"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("(a pair `a + b`: both together)"), "{out}");
    assert!(out.contains("region:eu-west-1 + region:us-east-1"), "{out}");
}
