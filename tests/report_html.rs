//! `blastmap report`: the review HTML opened in real headless Chromium
//! (driven over the DevTools protocol by `tests/support/chromium_cdp.py`):
//! no console errors, no network requests, one matrix row per function, and
//! a function id made of markup shown as text, never executed. These tests
//! need Chromium and Graphviz (scripts/install-test-deps installs both) and
//! fail, never skip, without them.

use serde_json::Value;

use crate::util::{
    exec, exec_env, ok, path_str, support_script, temp_dir, venv_python, write_estate, POLICY, SHOP,
};

/// The Chromium binary the tests drive.
const CHROMIUM: &str = "chromium";

/// Fails loudly, naming the install script, when Chromium is missing.
fn require_chromium() {
    let found = std::process::Command::new(CHROMIUM)
        .arg("--version")
        .output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "Chromium is not installed: run scripts/install-test-deps (apt-get install chromium)"
    );
}

/// Opens `page` in headless Chromium; returns what the page did (console,
/// exceptions, log, requests, dialogs) and the value of each JavaScript
/// `question` evaluated once it has loaded.
fn open_in_chromium(page: &std::path::Path, questions: &[&str]) -> Value {
    require_chromium();
    let output = std::process::Command::new(venv_python())
        .arg(support_script("chromium_cdp.py"))
        .arg(CHROMIUM)
        .arg(page)
        .args(questions)
        .output()
        .expect("the Chromium driver starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the Chromium driver failed ({}): {}{stdout}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).expect("the driver prints JSON");
    assert_eq!(report["loaded"], true, "the page loaded: {report:#}");
    report
}

/// Fails on any console error or warning, uncaught exception, error log
/// entry, dialog, or request for anything but the page itself.
fn assert_quiet_and_offline(report: &Value) {
    let console: Vec<&Value> = report["console"]
        .as_array()
        .expect("console list")
        .iter()
        .filter(|m| m["type"] != "log" && m["type"] != "info" && m["type"] != "debug")
        .collect();
    assert!(console.is_empty(), "console: {report:#}");
    assert_eq!(report["exceptions"], Value::Array(Vec::new()), "{report:#}");
    let errors: Vec<&Value> = report["log"]
        .as_array()
        .expect("log list")
        .iter()
        .filter(|e| e["level"] == "error" || e["level"] == "warning")
        .collect();
    assert!(errors.is_empty(), "log: {report:#}");
    assert_eq!(report["dialogs"], Value::Array(Vec::new()), "{report:#}");
    assert_eq!(
        report["requests"],
        Value::Array(vec![report["url"].clone()]),
        "only the page itself is requested: {report:#}"
    );
}

/// How many functions `spof --format json` lists for `estate`.
fn function_count(estate: &str) -> u64 {
    let json: Value =
        serde_json::from_str(&ok(&["spof", estate, "--format", "json"])).expect("spof JSON");
    json["functions"].as_array().expect("functions").len() as u64
}

const ROWS: &str = "document.querySelectorAll('#matrix tr.function-row').length";
const SVGS: &str = "document.querySelectorAll('article.function figure svg').length";
const DUPLICATE_IDS: &str = "(() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id); return ids.length - new Set(ids).size; })()";

#[test]
fn the_shop_review_loads_in_chromium_with_no_console_error_and_no_request() {
    let dir = temp_dir();
    let page = dir.path().join("review.html");
    ok(&["report", SHOP, "--policy", POLICY, "-o", &path_str(&page)]);
    let report = open_in_chromium(
        &page,
        &[
            ROWS,
            SVGS,
            DUPLICATE_IDS,
            "document.querySelectorAll('#policy tbody tr').length",
            "!!document.querySelector('.filter input')",
        ],
    );
    assert_quiet_and_offline(&report);
    let functions = function_count(SHOP);
    let answers = &report["answers"];
    assert_eq!(answers[0], functions, "one matrix row per function");
    assert_eq!(answers[1], functions, "one diagram per function");
    assert_eq!(answers[2], 0, "ids unique across the inlined SVGs");
    assert_eq!(answers[3], 1, "the policy's one violation");
    assert_eq!(answers[4], true, "the optional filter box ran");
}

#[test]
fn a_function_named_like_markup_is_shown_as_text_and_never_executed() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1\nfunctions:\n  \"<img src=x onerror=alert(1)>\": {requires: [db]}\n  \"</script><script>alert(2)</script>\": {requires: [db]}\nservices:\n  db: {region: r1}\n",
    );
    let page = dir.path().join("review.html");
    ok(&["report", &estate, "-o", &path_str(&page)]);
    let report = open_in_chromium(
        &page,
        &[
            ROWS,
            "document.querySelectorAll('img').length",
            "document.querySelectorAll('script').length",
            "[...document.querySelectorAll('#matrix th a')].map(a => a.textContent).sort()",
            SVGS,
        ],
    );
    assert_quiet_and_offline(&report);
    let answers = &report["answers"];
    assert_eq!(answers[0], 2, "{report:#}");
    assert_eq!(answers[1], 0, "no injected <img>: {report:#}");
    assert_eq!(answers[2], 1, "only the page's own script: {report:#}");
    assert_eq!(
        answers[3],
        serde_json::json!([
            "</script><script>alert(2)</script>",
            "<img src=x onerror=alert(1)>"
        ]),
        "the ids shown as text"
    );
    assert_eq!(answers[4], 2, "both diagrams drawn: {report:#}");
}

#[test]
fn the_review_is_complete_without_javascript_and_fetches_nothing() {
    let dir = temp_dir();
    let page = dir.path().join("review.html");
    ok(&["report", SHOP, "-o", &path_str(&page)]);
    let html = std::fs::read_to_string(&page).expect("the review is written");
    let rows = html.matches(r#"<tr class="function-row">"#).count() as u64;
    assert_eq!(
        rows,
        function_count(SHOP),
        "the matrix is in the HTML itself"
    );
    for fetch in ["<link", " src=", "@import", "url(http", "<iframe", "<img"] {
        assert!(!html.contains(fetch), "{fetch} in the review");
    }
    assert!(html.contains("@media print"), "print styles");
    assert!(
        !html.contains("<!--"),
        "no comments from dot (they hold ids)"
    );
    assert!(!html.contains("<?xml"), "no SVG prolog");
}

#[test]
fn functions_past_max_diagrams_or_max_nodes_are_named_not_drawn() {
    let dir = temp_dir();
    let page = dir.path().join("review.html");
    ok(&[
        "report",
        SHOP,
        "--max-diagrams",
        "2",
        "-o",
        &path_str(&page),
    ]);
    let html = std::fs::read_to_string(&page).expect("the review is written");
    let functions = function_count(SHOP) as usize;
    assert_eq!(html.matches("<figure").count(), 2, "two diagrams");
    assert_eq!(html.matches("(--max-diagrams)").count(), functions - 2);
    ok(&["report", SHOP, "--max-nodes", "3", "-o", &path_str(&page)]);
    let html = std::fs::read_to_string(&page).expect("the review is written");
    assert_eq!(html.matches("<figure").count(), 0, "nothing drawn");
    assert_eq!(html.matches("more than --max-nodes 3").count(), functions);
}

#[test]
fn a_review_without_dot_fails_naming_graphviz_and_writes_nothing() {
    let dir = temp_dir();
    let page = dir.path().join("review.html");
    let empty = temp_dir();
    let (code, _, err) = exec_env(
        &["report", SHOP, "-o", &path_str(&page)],
        &[("PATH", &path_str(empty.path()))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("install Graphviz"), "{err}");
    assert!(!page.exists(), "no review written");
}

#[test]
fn an_invalid_policy_stops_the_review_with_exit_2() {
    let dir = temp_dir();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, "[[rule]]\nname = 1\n").expect("temp file");
    let page = dir.path().join("review.html");
    let (code, _, err) = exec(&[
        "report",
        SHOP,
        "--policy",
        &path_str(&policy),
        "-o",
        &path_str(&page),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("policy.toml"), "{err}");
    assert!(!page.exists());
}
