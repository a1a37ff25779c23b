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
