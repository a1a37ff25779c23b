//! `blastmap check`, the CI gate, through the real binary: the example's
//! deliberate single-region dependency, baselines, exit codes, and policy
//! errors with their positions.

use std::path::Path;

use serde_json::Value;

use crate::util::{exec, path_str, temp_dir, validate_sarif, POLICY, SHOP};

#[test]
fn the_example_fails_on_its_single_region_dependency() {
    let (code, out, err) = exec(&["check", SHOP, "--policy", POLICY]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("checkout"), "{out}");
    assert!(out.contains("region:us-east-1"), "{out}");
    assert!(
        out.contains("checkout → order-service → order-service-use1"),
        "{out}"
    );
    assert_snapshot!("cli_check", "check_shop_text", out);
}

#[test]
fn json_has_passed_and_the_violations_of_spec_4_2() {
    let (code, out, _) = exec(&["check", SHOP, "--policy", POLICY, "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["passed", "violations"]);
    assert_eq!(v["passed"], false);
    let violations = v["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1);
    let only = violations[0].as_object().unwrap();
    let keys: Vec<&String> = only.keys().collect();
    assert_eq!(keys, ["causes", "domain", "function", "path", "rule"]);
    assert_eq!(only["function"], "checkout");
    assert_eq!(only["domain"], "region:us-east-1");
    assert_eq!(only["causes"], serde_json::json!(["order-service-use1"]));
    assert_eq!(
        only["rule"],
        "critical functions survive a region and a zone"
    );
}

#[test]
fn with_a_baseline_written_first_the_example_passes() {
    let dir = temp_dir();
    let baseline = path_str(&dir.path().join("baseline.json"));
    let (code, _, err) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--write-baseline",
        &baseline,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 1 accepted violation"), "{err}");
    let (code, out, err) = exec(&["check", SHOP, "--policy", POLICY, "--baseline", &baseline]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("check passed: 0 new violation(s), 1 baselined"),
        "{out}"
    );
    let (code, out, _) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--baseline",
        &baseline,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], true);
    assert_eq!(v["violations"][0]["baselined"], true);
    assert_eq!(v["stale_baseline"], serde_json::json!([]));
}

/// Copies the shop estate into `dir`, so a test can break it further.
fn copy_shop(dir: &Path) -> String {
    let estate = dir.join("shop");
    std::fs::create_dir_all(&estate).unwrap();
    for entry in std::fs::read_dir(SHOP).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "yaml" || e == "json") {
            std::fs::copy(&p, estate.join(p.file_name().unwrap())).unwrap();
        }
    }
    path_str(&estate)
}

#[test]
fn baseline_round_trip_fails_only_on_the_new_violation_and_reports_stale_entries() {
    let dir = temp_dir();
    let estate = copy_shop(dir.path());
    let baseline = path_str(&dir.path().join("baseline.json"));
    let (code, _, err) = exec(&[
        "check",
        &estate,
        "--policy",
        POLICY,
        "--write-baseline",
        &baseline,
    ]);
    assert_eq!(code, 0, "{err}");
    // A new single-region dependency: login now needs a us-east-1-only service.
    std::fs::write(
        Path::new(&estate).join("zz-new.yaml"),
        "version: 1\nfunctions:\n  account-login:\n    requires: [audit-log]\nservices:\n  audit-log:\n    region: us-east-1\n",
    )
    .unwrap();
    let (code, out, err) = exec(&[
        "check",
        &estate,
        "--policy",
        POLICY,
        "--baseline",
        &baseline,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let new: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["baselined"] == false)
        .collect();
    assert_eq!(new.len(), 1, "{out}");
    assert_eq!(new[0]["function"], "account-login");
    assert_eq!(new[0]["domain"], "region:us-east-1");
    // The old violation is still accepted; none is stale.
    let old: Vec<&Value> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["baselined"] == true)
        .collect();
    assert_eq!(old.len(), 1);
    assert_eq!(old[0]["function"], "checkout");
    assert_eq!(v["stale_baseline"], serde_json::json!([]));
}

#[test]
fn an_expired_baseline_entry_counts_as_new_and_a_stale_one_is_reported() {
    let dir = temp_dir();
    let baseline = dir.path().join("baseline.json");
    let (code, _, _) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--write-baseline",
        &path_str(&baseline),
    ]);
    assert_eq!(code, 0);
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    file["violations"][0]["expires"] = Value::String("2001-01-01".into());
    file["violations"][0]["reason"] =
        Value::String("SHOP-1423: order-service goes multi-region in Q1".into());
    let stale = serde_json::json!({
        "rule": "everything survives a zone", "function": "checkout", "domain": "zone:use1-az9",
        "fingerprint": "0123456789abcdef"
    });
    file["violations"].as_array_mut().unwrap().push(stale);
    std::fs::write(&baseline, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let (code, out, _) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--baseline",
        &path_str(&baseline),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "an expired acceptance no longer holds: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["violations"][0]["baselined"], false);
    assert_eq!(v["stale_baseline"][0]["fingerprint"], "0123456789abcdef");
    // Re-writing the baseline keeps reasons of entries that still hold.
    file["violations"][0]["expires"] = Value::String("2999-01-01".into());
    std::fs::write(&baseline, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    let rewritten = dir.path().join("rewritten.json");
    let (code, _, _) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--baseline",
        &path_str(&baseline),
        "--write-baseline",
        &path_str(&rewritten),
    ]);
    assert_eq!(code, 0);
    let text = std::fs::read_to_string(&rewritten).unwrap();
    assert!(text.contains("SHOP-1423"), "{text}");
    assert!(
        !text.contains("use1-az9"),
        "stale entries are dropped: {text}"
    );
}

#[test]
fn soft_fail_reports_but_exits_zero() {
    let (code, out, _) = exec(&["check", SHOP, "--policy", POLICY, "--soft-fail"]);
    assert_eq!(code, 0);
    assert!(out.contains("check failed: 1 new violation(s)"), "{out}");
}

fn policy_errors(toml: &str) -> (i32, String) {
    let dir = temp_dir();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, toml).unwrap();
    let (code, _, err) = exec(&["check", SHOP, "--policy", &path_str(&p)]);
    (code, err)
}

#[test]
fn policy_mistakes_are_errors_with_line_and_column() {
    let (code, err) = policy_errors("[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"region\"]\nmust_surive = [\"zone\"]\n");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("policy.toml:5:1"), "{err}");
    assert!(err.contains("must_surive"), "{err}");

    let (code, err) = policy_errors(
        "[[rule]]\nname = \"r\"\nfunctions = { criticality = [\"urgent\"], ids = [\"chekout\"] }\nmust_survive = [\"regoin\"]\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`urgent` is not a criticality"), "{err}");
    assert!(
        err.contains("`chekout` is not defined in the estate"),
        "{err}"
    );
    assert!(err.contains("did you mean `checkout`"), "{err}");
    assert!(err.contains("`regoin` is not a domain kind"), "{err}");
    assert!(err.contains("policy.toml:3:"), "{err}");
    assert!(err.contains("policy.toml:4:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, err) =
        policy_errors("[[rule]]\nname = \"r\"\nfunctions = \"all\"\nmust_survive = []\n");
    assert_eq!(code, 2);
    assert!(err.contains("selects nothing"), "{err}");
    assert!(err.contains("`must_survive` is empty"), "{err}");

    let (code, err) = policy_errors("[[rule]\nname = \"r\"\n");
    assert_eq!(code, 2, "malformed TOML: {err}");
    assert!(err.contains("policy.toml:1:"), "{err}");
}

/// Six kinds of mistake in three rules and at the top level.
const POLICY_WITH_SIX_MISTAKES: &str = r#"version = 2

[[rule]]
name = "one"
functions = { ids = ["chekout"] }
must_surive = ["zone"]

[[rule]]
name = "two"
functions = 3
must_survive = ["regoin"]

[[rule]]
functions = "*"
must_survive = ["zone"]
"#;

#[test]
fn every_mistake_of_a_policy_file_is_reported_in_one_run_in_file_order() {
    let (code, err) = policy_errors(POLICY_WITH_SIX_MISTAKES);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("error[").count(), 7, "{err}");
    let dir = temp_dir();
    let p = dir.path().join("policy.toml");
    std::fs::write(&p, POLICY_WITH_SIX_MISTAKES).unwrap();
    let (code, out, err) = exec(&["check", SHOP, "--policy", &path_str(&p), "--format", "json"]);
    assert_eq!(code, 2, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{} {} {}",
                e["line"],
                e["column"],
                e["code"].as_str().unwrap(),
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "1:1 invalid-policy unknown field `version` in the policy",
            "3:1 invalid-policy missing field `must_survive` in this rule",
            "5:22 invalid-policy `chekout` is not defined in the estate",
            "6:1 invalid-policy unknown field `must_surive` in a rule",
            "10:13 invalid-policy `functions` must be \"*\" or a table, not an integer",
            "11:17 unknown-domain-kind `regoin` is not a domain kind",
            "13:1 invalid-policy missing field `name` in this rule",
        ],
        "{out}"
    );
}

#[test]
fn an_incomplete_estate_exits_3_unless_allowed() {
    let dir = temp_dir();
    let estate = copy_shop(dir.path());
    std::fs::write(
        Path::new(&estate).join("partial.json"),
        r#"{"version": 1, "meta": {"sources": [{"collector": "aws-tagging", "complete": false}]}}"#,
    )
    .unwrap();
    let (code, _, err) = exec(&["check", &estate, "--policy", POLICY]);
    assert_eq!(code, 3, "{err}");
    let (code, _, _) = exec(&["check", &estate, "--policy", POLICY, "--allow-incomplete"]);
    assert_eq!(code, 1);
}

#[test]
fn a_node_rule_for_one_function_fails_on_each_of_its_single_points_of_failure() {
    let dir = temp_dir();
    let p = dir.path().join("policy.toml");
    std::fs::write(
        &p,
        "[[rule]]\nname = \"checkout has no single point of failure\"\nfunctions = { ids = [\"checkout\"] }\nmust_survive = [\"node\"]\n",
    )
    .unwrap();
    let (code, out, err) = exec(&["check", SHOP, "--policy", &path_str(&p), "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let domains: Vec<&str> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["domain"].as_str().unwrap())
        .collect();
    // Exactly the spof list of checkout, as node domains, in id order.
    let (_, spof, _) = exec(&["spof", SHOP, "--function", "checkout", "--format", "json"]);
    let spof: Value = serde_json::from_str(&spof).unwrap();
    let expected: Vec<String> = spof["functions"][0]["spof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("node:{}", x.as_str().unwrap()))
        .collect();
    assert_eq!(domains, expected);
    assert!(!domains.contains(&"node:checkout"));
}

#[test]
fn every_format_of_the_example_is_valid_and_deterministic() {
    let run = |format: &str| {
        let (code, out, err) = exec(&["check", SHOP, "--policy", POLICY, "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        let (_, again, _) = exec(&["check", SHOP, "--policy", POLICY, "--format", format]);
        assert!(out == again, "{format} output differs between two runs");
        out
    };
    let sarif = run("sarif");
    validate_sarif(&sarif).unwrap_or_else(|e| panic!("invalid SARIF:\n{e}\n{sarif}"));
    let v: Value = serde_json::from_str(&sarif).unwrap();
    let result = &v["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/shop/functions.yaml"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        12
    );
    assert!(result["partialFingerprints"]
        .as_object()
        .is_some_and(|f| !f.is_empty()));
    assert_snapshot!("cli_check", "check_shop_sarif", sarif);
    let junit = run("junit");
    assert!(junit.contains("<testcase"), "{junit}");
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    assert_snapshot!("cli_check", "check_shop_junit", junit);
    let github = run("github");
    let errors: Vec<&str> = github
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 1, "{github}");
    assert!(
        errors[0].starts_with("::error file=fixtures/shop/functions.yaml,line=12,"),
        "{github}"
    );
}

#[test]
fn violations_are_sorted_by_function_then_domain_in_byte_order() {
    let dir = temp_dir();
    let estate = dir.path().join("e.yaml");
    std::fs::write(
        &estate,
        "version: 1\nfunctions:\n  b: {requires: [db]}\n  a: {requires: [db]}\nresources:\n  db: {region: r1, zones: [z1]}\n",
    )
    .unwrap();
    let policy = dir.path().join("p.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"zone\", \"region\"]\n",
    )
    .unwrap();
    let (code, out, err) = exec(&[
        "check",
        &path_str(&estate),
        "--policy",
        &path_str(&policy),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(String, String)> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["function"].as_str().unwrap().to_owned(),
                x["domain"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("a", "region:r1"),
        ("a", "zone:z1"),
        ("b", "region:r1"),
        ("b", "zone:z1"),
    ];
    assert_eq!(got, want.map(|(f, d)| (f.to_owned(), d.to_owned())));
}

#[test]
fn a_baseline_expiry_that_is_no_calendar_day_is_refused_at_its_line() {
    let dir = temp_dir();
    let baseline = dir.path().join("baseline.json");
    let (code, _, _) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--write-baseline",
        &path_str(&baseline),
    ]);
    assert_eq!(code, 0);
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    // Far in the future, so a shape-only check accepted the violation.
    file["violations"][0]["expires"] = Value::String("2099-02-30".into());
    let text = serde_json::to_string_pretty(&file).unwrap();
    std::fs::write(&baseline, &text).unwrap();
    let offset = text.find("\"2099-02-30\"").unwrap();
    let line = text[..offset].matches('\n').count() + 1;
    let col = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
    let (code, out, err) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--baseline",
        &path_str(&baseline),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("invalid-baseline"), "{err}");
    assert!(
        err.contains("`expires: 2099-02-30` is not a date: February 2099 has 28 days, not 30"),
        "{err}"
    );
    let place = format!("{}:{line}:{col}", path_str(&baseline));
    assert!(err.contains(&place), "expected {place} in {err}");
}

// ------------------------------------------------ baselines keep their word

/// Runs `check` on the example with `extra` arguments.
fn check_shop(extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", SHOP, "--policy", POLICY];
    args.extend_from_slice(extra);
    exec(&args)
}

/// Writes the example's baseline to `path`, then gives its only entry a
/// `reason` and an `expires` date; returns the file as JSON.
fn baseline_with_reason(path: &Path, expires: &str) -> Value {
    let (code, _, err) = check_shop(&["--write-baseline", &path_str(path)]);
    assert_eq!(code, 0, "{err}");
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    file["violations"][0]["reason"] = Value::String("SHOP-1423: multi-region in Q1".into());
    file["violations"][0]["expires"] = Value::String(expires.into());
    std::fs::write(path, serde_json::to_string_pretty(&file).unwrap()).unwrap();
    file
}

#[test]
fn write_baseline_keeps_reasons_of_the_file_it_replaces() {
    let dir = temp_dir();
    let path = dir.path().join("baseline.json");
    baseline_with_reason(&path, "2999-12-31");
    // No --baseline: the file being replaced is where the reasons are.
    let (code, _, err) = check_shop(&["--write-baseline", &path_str(&path)]);
    assert_eq!(code, 0, "{err}");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(file["violations"].as_array().unwrap().len(), 1, "{file}");
    assert_eq!(
        file["violations"][0]["reason"],
        "SHOP-1423: multi-region in Q1"
    );
    assert_eq!(file["violations"][0]["expires"], "2999-12-31");
    // An invalid file is an error, and is left as it was.
    std::fs::write(&path, "{ not a baseline").unwrap();
    let (code, _, err) = check_shop(&["--write-baseline", &path_str(&path)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid-baseline"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not a baseline");
}

#[test]
fn an_expired_entry_says_expired_on_its_date_in_every_format() {
    let dir = temp_dir();
    let path = dir.path().join("baseline.json");
    baseline_with_reason(&path, "2001-01-31");
    let baseline = path_str(&path);
    for format in ["text", "json", "markdown", "sarif", "junit", "github"] {
        let (code, out, err) = check_shop(&["--baseline", &baseline, "-f", format]);
        assert_eq!(code, 1, "{format}: an expired entry accepts nothing: {err}");
        // JSON says it as a field (below), every other format in words.
        let said = match format {
            "json" => "\"expired\": \"2001-01-31\"",
            _ => "expired on 2001-01-31",
        };
        assert!(out.contains(said), "{format}: {out}");
    }
    let (_, out, _) = check_shop(&["--baseline", &baseline, "-f", "text"]);
    assert!(out.contains("SHOP-1423"), "the reason is shown: {out}");
    let (_, out, _) = check_shop(&["--baseline", &baseline, "-f", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["violations"][0]["expired"], "2001-01-31");
    assert_eq!(v["violations"][0]["baselined"], false);
    let (_, sarif, _) = check_shop(&["--baseline", &baseline, "-f", "sarif"]);
    validate_sarif(&sarif).unwrap();
    let log: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["properties"]["expired"],
        "2001-01-31"
    );
    // Without an expired entry, no violation says so.
    let (_, out, _) = check_shop(&["-f", "json"]);
    assert!(!out.contains("expired"), "{out}");
}

#[test]
fn a_missing_baseline_says_how_to_create_it() {
    let dir = temp_dir();
    let missing = path_str(&dir.path().join("baseline.json"));
    let (code, out, err) = check_shop(&["--baseline", &missing]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("does not exist"), "{err}");
    let create = format!("blastmap check {SHOP} --policy {POLICY} --write-baseline {missing}");
    assert!(err.contains(&create), "{err}");
    assert!(err.contains("--baseline-missing ok"), "{err}");
}

#[test]
fn baseline_missing_ok_treats_a_missing_file_as_empty() {
    let dir = temp_dir();
    let missing = path_str(&dir.path().join("baseline.json"));
    let (code, out, err) = check_shop(&[
        "--baseline",
        &missing,
        "--baseline-missing",
        "ok",
        "-f",
        "json",
    ]);
    assert_eq!(code, 1, "the violation is new: {out}{err}");
    assert!(err.contains("warning"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["violations"][0]["baselined"], false);
    assert_eq!(v["stale_baseline"], serde_json::json!([]));
    // The first run of a pipeline: read it if there, write it either way.
    let (code, _, err) = check_shop(&[
        "--baseline",
        &missing,
        "--baseline-missing",
        "ok",
        "--write-baseline",
        &missing,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = check_shop(&["--baseline", &missing, "--baseline-missing", "ok"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("does not exist"), "{err}");
}

#[test]
fn write_baseline_says_what_it_wrote_not_that_check_failed() {
    let dir = temp_dir();
    let path = dir.path().join("baseline.json");
    let baseline = path_str(&path);
    let (code, out, err) = check_shop(&["--write-baseline", &baseline]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("check failed"), "{out}");
    assert!(
        out.contains("check passed: 0 new violation(s), 1 baselined"),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "wrote 1 accepted violation(s) to {baseline} (0 kept with their reasons and expiry dates, 1 new)"
        )),
        "{err}"
    );
    baseline_with_reason(&path, "2999-12-31");
    let (code, out, err) = check_shop(&["--write-baseline", &baseline, "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], true, "{out}");
    assert!(
        err.contains("(1 kept with their reasons and expiry dates, 0 new)"),
        "{err}"
    );
}

// ------------------------------------------- SARIF that survives review

/// Writes a policy of `rules` (name, functions, kinds TOML) in that order.
fn policy_of(dir: &Path, file: &str, rules: &[(&str, &str, &str)]) -> String {
    let text: String = rules
        .iter()
        .map(|(name, functions, kinds)| {
            format!(
                "[[rule]]\nname = \"{name}\"\nfunctions = {functions}\nmust_survive = {kinds}\n\n"
            )
        })
        .collect();
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path_str(&path)
}

/// The SARIF log of the example under `policy`.
fn shop_sarif(policy: &str) -> Value {
    let (code, out, err) = exec(&["check", SHOP, "--policy", policy, "-f", "sarif"]);
    assert_eq!(code, 1, "{err}");
    validate_sarif(&out).unwrap();
    serde_json::from_str(&out).unwrap()
}

const RULES: [(&str, &str, &str); 2] = [
    (
        "critical functions survive a region and a zone",
        "{ criticality = [\"critical\", \"high\"] }",
        "[\"region\", \"zone\"]",
    ),
    ("everything survives a node", "\"*\"", "[\"node\"]"),
];

/// Both orders of [`RULES`] as SARIF logs.
fn both_orders() -> (Value, Value) {
    let dir = temp_dir();
    let forward = policy_of(dir.path(), "a.toml", &RULES);
    let backward = policy_of(dir.path(), "b.toml", &[RULES[1], RULES[0]]);
    (shop_sarif(&forward), shop_sarif(&backward))
}

/// Each result's violation fingerprint with its rule id.
fn ids_by_fingerprint(log: &Value) -> std::collections::BTreeMap<String, String> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["blastmapViolation/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r["ruleId"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn sarif_rule_ids_do_not_change_when_rules_are_reordered() {
    let (a, b) = both_orders();
    let rules = |log: &Value| -> std::collections::BTreeMap<String, String> {
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["shortDescription"]["text"].as_str().unwrap().to_owned(),
                    r["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(rules(&a), rules(&b));
    assert_eq!(
        rules(&a)["everything survives a node"],
        "blastmap/everything-survives-a-node"
    );
    // Each result's ruleIndex still points at its rule in this run's list.
    for log in [&a, &b] {
        let listed = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for r in log["runs"][0]["results"].as_array().unwrap() {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(listed[index]["id"], r["ruleId"]);
        }
    }
}

#[test]
fn fingerprints_do_not_change_when_rules_are_reordered() {
    let (a, b) = both_orders();
    let (a, b) = (ids_by_fingerprint(&a), ids_by_fingerprint(&b));
    assert!(a.len() > 2, "both rules have violations: {a:?}");
    assert_eq!(
        a.values().collect::<std::collections::BTreeSet<_>>().len(),
        2,
        "{a:?}"
    );
    assert_eq!(a, b);
}

#[test]
fn sarif_code_flows_follow_the_path_with_each_nodes_file_and_line() {
    let log = shop_sarif(POLICY);
    let (_, json, _) = check_shop(&["-f", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let path: Vec<&str> = json["violations"][0]["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(path, ["checkout", "order-service", "order-service-use1"]);
    let result = &log["runs"][0]["results"][0];
    let flows = result["codeFlows"].as_array().unwrap();
    assert_eq!(flows.len(), 1);
    let steps = flows[0]["threadFlows"][0]["locations"].as_array().unwrap();
    assert_eq!(steps.len(), path.len());
    // Each step is at the line where its node's id is written.
    let defined_at = |step: &Value| -> String {
        let physical = &step["location"]["physicalLocation"];
        let file = physical["artifactLocation"]["uri"].as_str().unwrap();
        let line = physical["region"]["startLine"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(crate::util::repo_path(file)).unwrap();
        text.lines().nth(line - 1).unwrap().trim().to_owned()
    };
    for (step, node) in steps.iter().zip(&path) {
        assert_eq!(defined_at(step), format!("{node}:"), "{step}");
        let message = step["location"]["message"]["text"].as_str().unwrap();
        assert!(message.starts_with(node), "{message}");
    }
    assert_eq!(
        steps[0]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/shop/functions.yaml"
    );
    assert_eq!(
        steps[2]["location"]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/shop/services.yaml"
    );
    // The cause's definition is a related location.
    let related = result["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(
        related[0]["physicalLocation"],
        steps[2]["location"]["physicalLocation"]
    );
    assert_eq!(related[0]["message"]["text"], "cause: order-service-use1");
}

#[test]
fn a_node_rule_hint_says_why_the_node_is_a_single_point_of_failure() {
    let dir = temp_dir();
    let p = dir.path().join("policy.toml");
    std::fs::write(
        &p,
        "[[rule]]\nname = \"checkout has no single point of failure\"\nfunctions = { ids = [\"checkout\"] }\nmust_survive = [\"node\"]\n",
    )
    .unwrap();
    let (code, out, err) = exec(&["check", SHOP, "--policy", &path_str(&p)]);
    assert_eq!(code, 1, "{err}");
    // `web` routes to two regions: the hint says so instead of asking for a peer.
    assert!(
        out.contains("`web` is a single point of failure for `checkout`: every path from checkout goes through web; below it, any of"),
        "{out}"
    );
    // `order-service` has a single requirement: the hint names the chain.
    assert!(
        out.contains("`order-service` is a single point of failure for `checkout`: its only requirement is order-service-use1"),
        "{out}"
    );
}
