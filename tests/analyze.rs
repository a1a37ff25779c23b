//! `blastmap analyze` driven through the real binary on the README's example
//! estate, `fixtures/shop/` (its README lists the expected outcomes).
//!
//! Reports are snapshot-tested (insta, `tests/snapshots/`), so any change to
//! them shows in review; the facts that must hold whatever the layout (SPEC
//! §3, §4, §4.2) are asserted on their own. The committed example reports in
//! `output/` are checked against the binary too: after a change that alters
//! them, run `scripts/gen-output`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{blastmap, ok, repo_path, run, run_with, temp_dir, Run, SHOP};

/// The six business functions of `fixtures/shop/functions.yaml`, in byte order.
const SHOP_FUNCTIONS: [&str; 6] = [
    "account-login",
    "browse-catalog",
    "checkout",
    "marketing-emails",
    "order-tracking",
    "product-search",
];

/// The reports committed under `output/`: file name, then the arguments after
/// `blastmap`. Kept in step with `scripts/gen-output`.
const OUTPUT_REPORTS: [(&str, &str); 24] = [
    (
        "analyze-region-us-east-1.txt",
        "analyze fixtures/shop --fail region:us-east-1 --format text --color never",
    ),
    (
        "analyze-region-us-east-1.json",
        "analyze fixtures/shop --fail region:us-east-1 --format json",
    ),
    (
        "analyze-region-us-east-1.md",
        "analyze fixtures/shop --fail region:us-east-1 --format markdown",
    ),
    (
        "analyze-zone-use1-az1.txt",
        "analyze fixtures/shop --fail zone:use1-az1 --format text --color never",
    ),
    (
        "analyze-region-eu-west-1.json",
        "analyze fixtures/shop --fail region:eu-west-1 --format json",
    ),
    ("sweep.txt", "sweep fixtures/shop --color never"),
    ("sweep.md", "sweep fixtures/shop --format markdown"),
    ("spof.txt", "spof fixtures/shop --color never"),
    (
        "check.txt",
        "check fixtures/shop --policy fixtures/policy.toml --color never --soft-fail",
    ),
    (
        "availability.txt",
        "availability fixtures/shop fixtures/availability/instances.yaml --rates fixtures/availability/aws-sla.toml --color never",
    ),
    (
        "availability.json",
        "availability fixtures/shop fixtures/availability/instances.yaml --rates fixtures/availability/aws-sla.toml --format json",
    ),
    (
        "availability.md",
        "availability fixtures/shop fixtures/availability/instances.yaml --rates fixtures/availability/aws-sla.toml --format markdown",
    ),
    (
        "check.sarif",
        "check fixtures/shop --policy fixtures/policy.toml --format sarif --soft-fail",
    ),
    (
        "check-junit.xml",
        "check fixtures/shop --policy fixtures/policy.toml --format junit --soft-fail",
    ),
    (
        "check-github.txt",
        "check fixtures/shop --policy fixtures/policy.toml --format github --soft-fail",
    ),
    (
        "diff.txt",
        "diff fixtures/shop fixtures/shop-change --policy fixtures/policy.toml",
    ),
    (
        "diff.md",
        "diff fixtures/shop fixtures/shop-change --policy fixtures/policy.toml --format markdown",
    ),
    ("shop.svg", "diagram fixtures/shop"),
    (
        "shop-region-us-east-1.svg",
        "diagram fixtures/shop --fail region:us-east-1",
    ),
    (
        "review.html",
        "report fixtures/shop --policy fixtures/policy.toml",
    ),
    (
        "failover-analyze-region-us-east-1.txt",
        "analyze fixtures/failover --fail region:us-east-1 --format text --color never",
    ),
    (
        "failover-analyze-region-us-east-1.json",
        "analyze fixtures/failover --fail region:us-east-1 --format json",
    ),
    (
        "failover-check.txt",
        "check fixtures/failover --policy fixtures/failover/policy.toml --color never --soft-fail",
    ),
    ("catalog.md", "catalog --format markdown"),
];

/// Files under `output/` made from a report rather than by blastmap (so not
/// compared byte for byte): the screenshot of `review.html` in headless
/// Chromium that `scripts/gen-output` takes.
const OUTPUT_PICTURES: [&str; 1] = ["review.png"];

/// `blastmap analyze fixtures/shop EXTRA...`, which must succeed (exit 0)
/// with nothing on stderr; returns stdout.
fn analyze_shop(extra: &[&str]) -> String {
    let mut args = vec!["analyze", SHOP];
    args.extend_from_slice(extra);
    let run = run(&args);
    run.assert_code(0);
    assert_eq!(run.stderr, "", "`{}` wrote to stderr", run.command_line());
    run.stdout
}

fn analyze_shop_json(fail: &[&str]) -> Value {
    let mut extra = vec!["--format", "json"];
    for domain in fail {
        extra.extend_from_slice(&["--fail", domain]);
    }
    let stdout = analyze_shop(&extra);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("stdout of analyze {fail:?} is not one JSON document: {e}\n{stdout}")
    })
}

/// Snapshots stdout under `name`, recording the command in the snapshot.
fn assert_report_snapshot(name: &str, extra: &[&str]) {
    let stdout = analyze_shop(extra);
    let command = format!("blastmap analyze {SHOP} {}", extra.join(" "));
    insta::with_settings!({ description => command, omit_expression => true }, {
        assert_snapshot!("cli_analyze", name, stdout);
    });
}

// ---------------------------------------------------------------------------
// Reading the JSON report (SPEC §4.2)
// ---------------------------------------------------------------------------

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array of strings, got {value}"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("expected a string, got {v}"))
        })
        .collect()
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("expected an object, got {value}"))
        .keys()
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn functions(report: &Value) -> &Vec<Value> {
    report["functions"]
        .as_array()
        .expect("`functions` is an array")
}

fn nodes(report: &Value) -> &Vec<Value> {
    report["nodes"].as_array().expect("`nodes` is an array")
}

fn function<'a>(report: &'a Value, id: &str) -> &'a Value {
    functions(report)
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("function `{id}` missing from {report}"))
}

fn status_of(report: &Value, id: &str) -> String {
    function(report, id)["status"]
        .as_str()
        .expect("`status` is a string")
        .to_string()
}

fn assert_sorted_unique(ids: &[&str], what: &str) {
    for pair in ids.windows(2) {
        assert!(
            pair[0].as_bytes() < pair[1].as_bytes(),
            "{what} not in strictly ascending byte order: `{}` before `{}`",
            pair[0],
            pair[1]
        );
    }
}

/// Every fact of SPEC §4.2 that holds for any analyze report.
fn assert_report_shape(report: &Value) {
    assert_eq!(
        keys(report),
        ["functions", "nodes", "scenario"],
        "top-level keys"
    );
    assert_sorted_unique(&strings(&report["scenario"]), "scenario");
    for f in functions(report) {
        assert_eq!(
            keys(f),
            ["causes", "criticality", "id", "path", "reasons", "status"],
            "keys of {f}"
        );
        assert_reasons_shape(f);
        let status = f["status"].as_str().expect("`status` is a string");
        assert!(
            ["up", "degraded", "down"].contains(&status),
            "status of {f}"
        );
        let causes = strings(&f["causes"]);
        let path = strings(&f["path"]);
        if status == "down" {
            assert!(!causes.is_empty(), "a down function has causes: {f}");
            assert_sorted_unique(&causes, "causes");
            assert_eq!(
                path.first(),
                f["id"].as_str().as_ref(),
                "path starts at the function: {f}"
            );
            assert!(
                causes.contains(path.last().expect("path not empty")),
                "path ends at a cause: {f}"
            );
        } else {
            assert!(
                causes.is_empty() && path.is_empty(),
                "causes and path are [] unless down: {f}"
            );
        }
    }
    let function_ids: Vec<&str> = functions(report)
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        function_ids, SHOP_FUNCTIONS,
        "every function, in byte order"
    );
    for n in nodes(report) {
        assert_eq!(keys(n), ["id", "status"], "keys of {n}");
        assert!(
            n["status"] == "down" || n["status"] == "degraded",
            "`nodes` holds only nodes that are not up: {n}"
        );
    }
    let node_ids: Vec<&str> = nodes(report)
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_sorted_unique(&node_ids, "nodes");
    for f in functions(report) {
        let listed = nodes(report).iter().find(|n| n["id"] == f["id"]);
        match f["status"].as_str() {
            Some("up") => assert!(listed.is_none(), "an up function is not in `nodes`: {f}"),
            _ => assert_eq!(
                listed.map(|n| &n["status"]),
                Some(&f["status"]),
                "{f} in `nodes`"
            ),
        }
    }
}

/// `reasons`: `[]` unless degraded; for a degraded function at least one,
/// each a chain from the function to the node degraded for a reason of its
/// own, with the down member unless the reason is its zones.
fn assert_reasons_shape(f: &Value) {
    let reasons = f["reasons"].as_array().expect("`reasons` is an array");
    if f["status"] != "degraded" {
        assert!(reasons.is_empty(), "reasons are [] unless degraded: {f}");
        return;
    }
    assert!(!reasons.is_empty(), "a degraded function has reasons: {f}");
    for r in reasons {
        let kind = r["kind"].as_str().expect("`kind` is a string");
        let expected_keys: &[&str] = match kind {
            "lost-redundancy" | "optional-down" => &["kind", "member", "node", "via"],
            "zone-loss" => &["kind", "node", "via"],
            _ => panic!("unknown reason kind in {r}"),
        };
        assert_eq!(keys(r), expected_keys, "keys of {r}");
        let via = strings(&r["via"]);
        assert_eq!(via.first(), f["id"].as_str().as_ref(), "via starts at {f}");
        assert_eq!(
            via.last(),
            r["node"].as_str().as_ref(),
            "via ends at node: {r}"
        );
    }
}

/// The "Expected outcomes" table of fixtures/shop/README.md, one column.
fn assert_statuses(report: &Value, expected: [(&str, &str); 6]) {
    for (id, status) in expected {
        assert_eq!(
            status_of(report, id),
            status,
            "status of `{id}` under {}",
            report["scenario"]
        );
    }
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

#[test]
fn region_us_east_1_text_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_region_us_east_1_text",
        &["--fail", "region:us-east-1"],
    );
}

#[test]
fn region_us_east_1_json_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_region_us_east_1_json",
        &["--fail", "region:us-east-1", "--format", "json"],
    );
}

#[test]
fn region_us_east_1_markdown_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_region_us_east_1_markdown",
        &["--fail", "region:us-east-1", "--format", "markdown"],
    );
}

#[test]
fn zone_use1_az1_text_report_matches_snapshot() {
    assert_report_snapshot("analyze_zone_use1_az1_text", &["--fail", "zone:use1-az1"]);
}

#[test]
fn region_eu_west_1_json_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_region_eu_west_1_json",
        &["--fail", "region:eu-west-1", "--format", "json"],
    );
}

#[test]
fn both_search_indexes_text_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_both_search_indexes_text",
        &[
            "--fail",
            "node:search-db-use1",
            "--fail",
            "node:search-db-euw1",
        ],
    );
}

#[test]
fn both_search_indexes_json_report_matches_snapshot() {
    assert_report_snapshot(
        "analyze_both_search_indexes_json",
        &[
            "--fail",
            "node:search-db-use1",
            "--fail",
            "node:search-db-euw1",
            "--format",
            "json",
        ],
    );
}

// ---------------------------------------------------------------------------
// Facts of the reports
// ---------------------------------------------------------------------------

#[test]
fn json_report_has_exactly_the_documented_fields_and_order() {
    for fail in [
        &["region:us-east-1"][..],
        &["region:eu-west-1"],
        &["zone:use1-az1"],
        &["node:search-db-use1", "node:search-db-euw1"],
    ] {
        assert_report_shape(&analyze_shop_json(fail));
    }
}

#[test]
fn degraded_function_lists_every_reason_in_text_markdown_and_json() {
    let fail = ["--fail", "region:us-east-1"];
    let report = analyze_shop_json(&["region:us-east-1"]);
    let browse = function(&report, "browse-catalog");
    let reasons: Vec<(String, String, String)> = browse["reasons"]
        .as_array()
        .expect("`reasons` is an array")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("kind"), text("node"), text("member"))
        })
        .collect();
    let optional = ("optional-down", "browse-catalog", "recommendations");
    let web = ("lost-redundancy", "web", "web-use1");
    for (kind, node, member) in [optional, web] {
        assert!(
            reasons.contains(&(kind.into(), node.into(), member.into())),
            "browse-catalog's JSON reasons miss {kind} {node} {member}: {reasons:?}"
        );
    }
    assert_eq!(
        reasons.first(),
        Some(&(optional.0.into(), optional.1.into(), optional.2.into())),
        "the nearest reason comes first"
    );
    let text = analyze_shop(&fail);
    let markdown = analyze_shop(&[&fail[..], &["--format", "markdown"]].concat());
    for (format, report) in [("text", &text), ("markdown", &markdown)] {
        for line in [
            "optional recommendations is down",
            "web lost redundancy: web-use1 is down (via browse-catalog → web)",
        ] {
            assert!(
                report.contains(line),
                "{format} report misses `{line}`:\n{report}"
            );
        }
    }
    let why: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("browse-catalog"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .collect();
    assert_eq!(
        why.len(),
        reasons.len(),
        "one text line per reason: {why:?}"
    );
}

#[test]
fn losing_us_east_1_takes_down_what_needs_the_single_region_order_service() {
    let report = analyze_shop_json(&["region:us-east-1"]);
    assert_eq!(strings(&report["scenario"]), ["region:us-east-1"]);
    assert_statuses(
        &report,
        [
            ("account-login", "degraded"),
            ("browse-catalog", "degraded"),
            ("checkout", "down"),
            ("marketing-emails", "degraded"),
            ("order-tracking", "down"),
            ("product-search", "degraded"),
        ],
    );
    let checkout = function(&report, "checkout");
    assert_eq!(checkout["criticality"], "critical");
    assert_eq!(strings(&checkout["causes"]), ["order-service-use1"]);
    assert_eq!(
        strings(&checkout["path"]),
        ["checkout", "order-service", "order-service-use1"]
    );
    let tracking = function(&report, "order-tracking");
    assert_eq!(strings(&tracking["causes"]), ["order-service-use1"]);
    assert_eq!(
        strings(&tracking["path"]),
        ["order-tracking", "order-service", "order-service-use1"]
    );
}

#[test]
fn losing_eu_west_1_degrades_every_function_and_takes_none_down() {
    let report = analyze_shop_json(&["region:eu-west-1"]);
    assert_statuses(&report, SHOP_FUNCTIONS.map(|id| (id, "degraded")));
}

#[test]
fn losing_zone_use1_az1_takes_down_only_recommendations() {
    let report = analyze_shop_json(&["zone:use1-az1"]);
    assert_statuses(
        &report,
        [
            ("account-login", "degraded"),
            ("browse-catalog", "degraded"),
            ("checkout", "degraded"),
            ("marketing-emails", "up"),
            ("order-tracking", "degraded"),
            ("product-search", "degraded"),
        ],
    );
    let down: Vec<&str> = nodes(&report)
        .iter()
        .filter(|n| n["status"] == "down")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(
        down.contains(&"recommendations"),
        "recommendations is down: {down:?}"
    );
    assert!(
        down.contains(&"recommendations-use1"),
        "recommendations-use1 is down: {down:?}"
    );
    assert!(
        down.iter()
            .all(|id| id.starts_with("recommendations") || id.starts_with("arn:aws:ec2:")),
        "only recommendations and instances go down: {down:?}"
    );
}

#[test]
fn losing_both_search_indexes_takes_down_product_search_through_the_cycle() {
    let report = analyze_shop_json(&["node:search-db-use1", "node:search-db-euw1"]);
    assert_eq!(
        strings(&report["scenario"]),
        ["node:search-db-euw1", "node:search-db-use1"],
        "the scenario lists its domains in byte order"
    );
    assert_statuses(
        &report,
        [
            ("account-login", "up"),
            ("browse-catalog", "degraded"),
            ("checkout", "up"),
            ("marketing-emails", "up"),
            ("order-tracking", "up"),
            ("product-search", "down"),
        ],
    );
    let search = function(&report, "product-search");
    assert_eq!(
        strings(&search["causes"]),
        ["search-db-euw1", "search-db-use1"]
    );
    assert_eq!(
        strings(&search["path"]),
        ["product-search", "search", "search-euw1", "search-db-euw1"]
    );
}

#[test]
fn every_format_is_byte_identical_across_runs() {
    for format in ["text", "json", "markdown"] {
        let args = [
            "--fail",
            "region:us-east-1",
            "--fail",
            "zone:euw1-az2",
            "--format",
            format,
        ];
        assert_eq!(
            analyze_shop(&args),
            analyze_shop(&args),
            "two runs of --format {format}"
        );
    }
}

#[test]
fn text_and_markdown_reports_start_with_the_scenario() {
    let text = analyze_shop(&["--fail", "region:us-east-1"]);
    assert!(
        text.starts_with("Scenario: region:us-east-1\n"),
        "text report:\n{text}"
    );
    let markdown = analyze_shop(&["--fail", "region:us-east-1", "--format", "markdown"]);
    assert!(markdown.starts_with("## "), "markdown report:\n{markdown}");
    assert!(
        markdown.contains("`region:us-east-1`"),
        "markdown report:\n{markdown}"
    );
}

// ---------------------------------------------------------------------------
// Output destination and colour
// ---------------------------------------------------------------------------

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("read the output directory")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn output_file_holds_exactly_what_stdout_would_and_leaves_no_temporary_file() {
    for format in ["text", "json", "markdown"] {
        let dir = temp_dir();
        let target = dir.path().join("report.out");
        let stdout = analyze_shop(&["--fail", "region:us-east-1", "--format", format]);
        // Twice: the second run replaces an existing file.
        for _ in 0..2 {
            let target_arg = target.to_str().expect("a UTF-8 temporary path");
            let written = analyze_shop(&[
                "--fail",
                "region:us-east-1",
                "--format",
                format,
                "-o",
                target_arg,
            ]);
            assert_eq!(
                written, "",
                "with -o FILE nothing goes to stdout (--format {format})"
            );
            let content = fs::read_to_string(&target).expect("the output file exists");
            assert_eq!(
                content, stdout,
                "-o FILE content equals stdout (--format {format})"
            );
            assert_eq!(
                file_names(dir.path()),
                ["report.out"],
                "no temporary file left behind"
            );
        }
    }
}

#[test]
fn output_dash_writes_to_stdout() {
    for format in ["text", "json", "markdown"] {
        let to_stdout = analyze_shop(&["--fail", "region:us-east-1", "--format", format]);
        let to_dash = analyze_shop(&["--fail", "region:us-east-1", "--format", format, "-o", "-"]);
        assert_eq!(to_dash, to_stdout, "-o - (--format {format})");
    }
}

const ANSI_ESCAPE: char = '\u{1b}';

#[test]
fn output_to_a_pipe_has_no_colour() {
    for format in ["text", "json", "markdown"] {
        let stdout = analyze_shop(&["--fail", "region:us-east-1", "--format", format]);
        assert!(
            !stdout.contains(ANSI_ESCAPE),
            "--format {format} through a pipe:\n{stdout}"
        );
    }
}

#[test]
fn no_color_environment_variable_disables_colour() {
    let mut command = blastmap();
    command.env("NO_COLOR", "1");
    let run = run_with(
        command,
        &[
            "analyze",
            SHOP,
            "--fail",
            "region:us-east-1",
            "--color",
            "auto",
        ],
    );
    run.assert_code(0);
    assert!(
        !run.stdout.contains(ANSI_ESCAPE),
        "NO_COLOR=1:\n{}",
        run.stdout
    );
}

#[test]
fn color_always_colours_the_text_report_but_never_json() {
    let text = analyze_shop(&["--fail", "region:us-east-1", "--color", "always"]);
    assert!(
        text.contains(ANSI_ESCAPE),
        "--color always gives ANSI escapes:\n{text}"
    );
    let json = analyze_shop(&[
        "--fail",
        "region:us-east-1",
        "--color",
        "always",
        "--format",
        "json",
    ]);
    assert!(
        !json.contains(ANSI_ESCAPE),
        "JSON stays plain with --color always:\n{json}"
    );
    serde_json::from_str::<Value>(&json).expect("JSON stays parseable with --color always");
}

/// `text` without its ANSI colour sequences (`ESC [ … m`).
fn strip_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(ANSI_ESCAPE) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('m').map_or(after.len(), |m| m + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn statuses_are_marked_with_symbols_not_only_colour() {
    // Text: colour adds nothing that the plain report lacks, and the plain
    // report marks each status with its symbol and word.
    for args in [
        &["analyze", SHOP, "--fail", "region:us-east-1"][..],
        &["analyze", SHOP, "--fail", "zone:use1-az1"],
        &["sweep", SHOP],
    ] {
        let coloured = run(&[args, &["--color", "always"]].concat());
        coloured.assert_code(0);
        assert!(coloured.stdout.contains(ANSI_ESCAPE), "{}", coloured.stdout);
        let plain = run(&[args, &["--color", "never"]].concat());
        assert_eq!(
            strip_colour(&coloured.stdout),
            plain.stdout,
            "`{}`: without colour, the report must read the same",
            plain.command_line()
        );
    }
    let us_east = analyze_shop(&["--fail", "region:us-east-1"]);
    for heading in ["\n✗ DOWN\n", "\n~ DEGRADED\n"] {
        assert!(us_east.contains(heading), "missing {heading:?}:\n{us_east}");
    }
    let zone = analyze_shop(&["--fail", "zone:use1-az1"]);
    assert!(zone.contains("\n✓ UP\n"), "{zone}");
    let sweep = ok(&["sweep", SHOP]);
    let checkout = sweep
        .lines()
        .find(|l| l.starts_with("checkout [critical]"))
        .expect("a checkout row");
    for symbol in ["✗", "~", "✓"] {
        assert!(checkout.contains(symbol), "no {symbol} in `{checkout}`");
    }
    assert!(sweep.contains("\n✗ down   ~ degraded   ✓ up\n"), "{sweep}");
    // Markdown: a word or a symbol beside every coloured badge.
    let markdown = analyze_shop(&["--fail", "region:us-east-1", "--format", "markdown"]);
    assert!(markdown.contains("| 🔴 down |") && markdown.contains("| 🟠 degraded |"));
    let sweep_md = ok(&["sweep", SHOP, "--format", "markdown"]);
    assert!(
        sweep_md.contains("| 🔴 ✗ |")
            && sweep_md.contains("| 🟠 ~ |")
            && sweep_md.contains("| ✓ |")
    );
    for badge in ["🔴", "🟠"] {
        let alone = sweep_md.matches(&format!("{badge} |")).count();
        assert_eq!(alone, 0, "a {badge} cell without its symbol:\n{sweep_md}");
    }
}

#[test]
fn color_never_matches_the_plain_report() {
    let plain = analyze_shop(&["--fail", "region:us-east-1"]);
    let never = analyze_shop(&["--fail", "region:us-east-1", "--color", "never"]);
    assert_eq!(never, plain);
}

// ---------------------------------------------------------------------------
// Usage errors and incomplete estates
// ---------------------------------------------------------------------------

/// Runs `analyze fixtures/shop --fail DOMAIN`, which must be a usage error.
fn assert_bad_domain(domain: &str) -> Run {
    let run = run(&["analyze", SHOP, "--fail", domain]);
    run.assert_code(2);
    assert_eq!(run.stdout, "", "no report for `--fail {domain}`");
    assert!(
        !run.stderr.is_empty(),
        "`--fail {domain}` explains itself on stderr"
    );
    assert_no_panic(&run);
    run
}

fn assert_no_panic(run: &Run) {
    for marker in ["panicked", "RUST_BACKTRACE", "thread 'main'"] {
        assert!(
            !run.stderr.contains(marker),
            "`{}` panicked:\n{}",
            run.command_line(),
            run.stderr
        );
    }
}

#[test]
fn a_region_no_node_has_is_a_usage_error_listing_the_estates_regions() {
    let run = assert_bad_domain("region:us-east-2");
    for region in ["eu-west-1", "us-east-1"] {
        assert!(
            run.stderr.contains(region),
            "stderr lists `{region}`:\n{}",
            run.stderr
        );
    }
}

#[test]
fn an_unknown_domain_kind_is_a_usage_error() {
    let run = assert_bad_domain("regon:us-east-1");
    assert!(
        run.stderr.contains("regon"),
        "stderr names the kind:\n{}",
        run.stderr
    );
}

#[test]
fn a_tag_domain_without_equals_is_a_usage_error() {
    assert_bad_domain("tag:service");
}

/// A copy of the shop estate plus a collector document that says it could
/// not finish (SPEC §1.4, §4).
fn incomplete_shop() -> tempfile::TempDir {
    let dir = temp_dir();
    let shop = repo_path(SHOP);
    for entry in fs::read_dir(&shop).expect("read fixtures/shop") {
        let path = entry.expect("a directory entry").path();
        let is_estate = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        );
        if is_estate {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).expect("copy a fixture");
        }
    }
    let incomplete =
        r#"{"version": 1, "meta": {"sources": [{"collector": "aws-tagging", "complete": false}]}}"#;
    fs::write(dir.path().join("zz-incomplete-collector.json"), incomplete).expect("write");
    dir
}

#[test]
fn an_incomplete_estate_exits_3() {
    let dir = incomplete_shop();
    let estate = dir.path().to_str().expect("a UTF-8 temporary path");
    let run = run(&["analyze", estate, "--fail", "region:us-east-1"]);
    run.assert_code(3);
    assert!(!run.stderr.is_empty(), "exit 3 explains itself on stderr");
    assert_no_panic(&run);
}

#[test]
fn allow_incomplete_analyses_an_incomplete_estate() {
    let dir = incomplete_shop();
    let estate = dir.path().to_str().expect("a UTF-8 temporary path");
    let args = [
        "analyze",
        estate,
        "--fail",
        "region:us-east-1",
        "--allow-incomplete",
    ];
    let run = run(&args);
    run.assert_code(0);
    assert_eq!(run.stdout, analyze_shop(&["--fail", "region:us-east-1"]));
}

// ---------------------------------------------------------------------------
// output/ is up to date
// ---------------------------------------------------------------------------

fn output_dir() -> PathBuf {
    repo_path("output")
}

#[test]
fn committed_outputs_match_what_the_binary_writes_now() {
    let fresh = temp_dir();
    let mut stale = Vec::new();
    for (file, command) in OUTPUT_REPORTS {
        let target = fresh.path().join(file);
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.extend_from_slice(&["-o", target.to_str().expect("a UTF-8 temporary path")]);
        let run = run(&args);
        run.assert_code(0);
        let now = fs::read(&target).expect("the binary wrote the report");
        let committed = fs::read(output_dir().join(file));
        if committed.as_deref().ok() != Some(now.as_slice()) {
            stale.push(format!("output/{file} (blastmap {command})"));
        }
    }
    assert!(
        stale.is_empty(),
        "output/ is out of date; run scripts/gen-output. Stale:\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn output_directory_holds_exactly_the_generated_reports_and_their_readme() {
    let mut expected: Vec<String> = OUTPUT_REPORTS.iter().map(|(f, _)| f.to_string()).collect();
    expected.extend(OUTPUT_PICTURES.iter().map(|f| f.to_string()));
    expected.push("README.md".to_string());
    expected.sort();
    assert_eq!(
        file_names(&output_dir()),
        expected,
        "files in output/ (see scripts/gen-output)"
    );
    let readme = fs::read_to_string(output_dir().join("README.md")).expect("output/README.md");
    assert!(
        readme.contains("scripts/gen-output"),
        "output/README.md names its generator"
    );
    for (file, _) in OUTPUT_REPORTS {
        assert!(readme.contains(file), "output/README.md describes {file}");
    }
    for file in OUTPUT_PICTURES {
        assert!(readme.contains(file), "output/README.md describes {file}");
        let png = fs::read(output_dir().join(file)).expect("the screenshot is committed");
        assert!(png.starts_with(b"\x89PNG\r\n"), "output/{file} is a PNG");
    }
}

// ---------------------------------------------------------------------------
// The README's examples are what the binary prints
// ---------------------------------------------------------------------------

/// The ```` ```text ```` block that follows the first line of README.md
/// containing `after`.
fn readme_block_after(after: &str) -> String {
    let readme = fs::read_to_string(repo_path("README.md")).expect("README.md is readable");
    let from = readme
        .find(after)
        .unwrap_or_else(|| panic!("README.md has no `{after}`"));
    let rest = &readme[from..];
    let start = rest.find("```text\n").expect("a text block follows") + "```text\n".len();
    let len = rest[start..].find("```").expect("the block ends");
    rest[start..start + len].to_owned()
}

#[test]
fn readme_quick_start_shows_exactly_what_analyze_prints() {
    let block = readme_block_after("The first command prints:");
    let now = analyze_shop(&["--fail", "region:us-east-1", "--color", "never"]);
    assert_eq!(
        block.trim_end(),
        now.trim_end(),
        "README.md's Quick start output differs from `blastmap analyze fixtures/shop --fail region:us-east-1`"
    );
}

#[test]
fn readme_sweep_excerpt_lines_are_lines_of_the_sweep_report() {
    let block = readme_block_after("blastmap sweep fixtures/shop --function checkout --format csv");
    let now = ok(&["sweep", SHOP, "--color", "never"]);
    let lines: BTreeSet<&str> = now.lines().collect();
    for line in block.lines().filter(|l| *l != "...") {
        assert!(
            lines.contains(line),
            "README.md's sweep excerpt has `{line}`, which `blastmap sweep fixtures/shop` does not print:\n{now}"
        );
    }
}
