//! The flags and small commands of issue 17 (items 6–8), driven through the
//! real binary: habits users bring from other tools (`--fail a,b`, `-f`,
//! `-q`, `--color never` for logs, `--version`), help that teaches
//! (examples, exit codes, completions, man page), and `validate` and
//! `domains`.

use crate::util::{exec, exec_env, ok, run, temp_dir, write_estate, POLICY, SHOP};

/// A small estate whose domains are known by heart: regions r1 (2 nodes)
/// and r2 (1), zones z1 (2) and z2 (1), one account, rds in two regions,
/// tags team=a (2) and tier=data (1).
const SMALL: &str = "\
version: 1
functions:
  shop:
    requires: [web]
services:
  web:
    region: r1
    zones: [z1, z2]
    tags: {team: a}
    requires: [{any: [db-1, db-2]}]
resources:
  db-1:
    provider: aws
    service: rds
    account: '111'
    region: r1
    zones: [z1]
    tags: {team: a, tier: data}
  db-2:
    provider: aws
    service: rds
    account: '111'
    region: r2
    zones: [z1]
";

#[test]
fn fail_accepts_a_comma_separated_list() {
    let listed = ok(&[
        "analyze",
        SHOP,
        "--fail",
        "node:search-db-use1,node:search-db-euw1",
        "-f",
        "json",
    ]);
    let repeated = ok(&[
        "analyze",
        SHOP,
        "--fail",
        "node:search-db-use1",
        "--fail",
        "node:search-db-euw1",
        "-f",
        "json",
    ]);
    assert_eq!(listed, repeated);
    assert!(
        listed
            .contains("\"scenario\": [\n    \"node:search-db-euw1\",\n    \"node:search-db-use1\""),
        "{listed}"
    );
}

#[test]
fn fail_keeps_a_comma_that_does_not_start_a_domain() {
    let dir = temp_dir();
    let estate = write_estate(&dir, &SMALL.replace("team: a}", "team: 'a,b'}"));
    let out = ok(&["analyze", &estate, "--fail", "tag:team=a,b", "-f", "json"]);
    assert!(out.contains("\"tag:team=a,b\""), "{out}");
    assert!(
        out.contains("\"id\": \"web\""),
        "web carries the tag: {out}"
    );
}

#[test]
fn short_f_is_format() {
    assert_eq!(
        ok(&["spof", SHOP, "-f", "json"]),
        ok(&["spof", SHOP, "--format", "json"])
    );
    assert_eq!(
        ok(&["sweep", SHOP, "-f", "csv"]),
        ok(&["sweep", SHOP, "--format", "csv"])
    );
}

#[test]
fn analyze_function_limits_the_report() {
    let text = ok(&[
        "analyze",
        SHOP,
        "--fail",
        "region:us-east-1",
        "--function",
        "checkout",
    ]);
    assert!(
        text.contains("1 of 1 functions down, 0 degraded, 0 up"),
        "{text}"
    );
    assert!(!text.contains("browse-catalog"), "{text}");
    let json = ok(&[
        "analyze",
        SHOP,
        "--fail",
        "region:us-east-1",
        "--function",
        "checkout",
        "-f",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let ids: Vec<&str> = v["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["checkout"]);
    // `nodes` is the scenario's damage to the whole estate, not filtered.
    let nodes = v["nodes"].as_array().expect("nodes");
    assert!(
        nodes.iter().any(|n| n["id"] == "order-tracking"),
        "nodes stay complete: {json}"
    );
    let (code, _, stderr) = exec(&[
        "analyze",
        SHOP,
        "--fail",
        "region:us-east-1",
        "--function",
        "chekout",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `checkout`?"), "{stderr}");
}

#[test]
fn spof_markdown_is_a_pr_comment() {
    let md = ok(&["spof", SHOP, "-f", "markdown"]);
    let mut lines = md.lines();
    assert_eq!(lines.next(), Some("## blastmap: single points of failure"));
    assert!(
        md.contains("\n**6** of 6 functions have single points of failure.\n"),
        "{md}"
    );
    assert!(md.contains("\n### `checkout` (critical)\n"), "{md}");
    assert!(
        md.contains("| `order-service-use1` | service, us-east-1 | `checkout → order-service → order-service-use1` |"),
        "{md}"
    );
}

#[test]
fn spof_markdown_escapes_ids_that_would_break_the_table() {
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1\nfunctions:\n  shop:\n    requires: ['a|b']\nservices:\n  'a|b': {}\n",
    );
    let md = ok(&["spof", &estate, "-f", "markdown"]);
    assert!(md.contains("| `a\\|b` |"), "{md}");
}

#[test]
fn check_markdown_is_a_pr_comment() {
    let (code, md, _) = exec(&["check", SHOP, "--policy", POLICY, "-f", "markdown"]);
    assert_eq!(code, 1, "the exit code does not depend on the format");
    assert!(
        md.starts_with("## blastmap check: ✗ failed\n\n**1** new violation(s)"),
        "{md}"
    );
    assert!(md.contains("\n### `checkout` (critical)\n"), "{md}");
    assert!(
        md.contains("| ✗ new | critical functions survive a region and a zone | `region:us-east-1` | `checkout → order-service → order-service-use1` |"),
        "{md}"
    );
}

#[test]
fn check_markdown_marks_baselined_violations_and_passes() {
    let dir = temp_dir();
    let baseline = dir.path().join("b.json");
    let b = baseline.display().to_string();
    ok(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--write-baseline",
        &b,
        "-q",
    ]);
    let md = ok(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--baseline",
        &b,
        "-f",
        "markdown",
    ]);
    assert!(
        md.starts_with("## blastmap check: ✓ passed\n\n**0** new violation(s), 1 baselined"),
        "{md}"
    );
    assert!(md.contains("| ~ baselined: no reason given |"), "{md}");
}

#[test]
fn quiet_silences_warnings_but_not_errors() {
    let dir = temp_dir();
    let estate = write_estate(&dir, &SMALL.replace("version: 1\n", ""));
    let (code, _, stderr) = exec(&["spof", &estate]);
    assert_eq!(code, 0);
    assert!(stderr.contains("warning[missing-version]"), "{stderr}");
    let (code, stdout, stderr) = exec(&["spof", &estate, "-q"]);
    assert_eq!(code, 0);
    assert_eq!(stderr, "", "--quiet prints no warning");
    assert!(
        stdout.contains("shop [medium]"),
        "the report is unchanged: {stdout}"
    );
    let (code, _, stderr) = exec(&["-q", "spof", "fixtures/invalid/unknown-reference.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("error[unknown-reference]"), "{stderr}");
    let b = dir.path().join("b.json").display().to_string();
    let (_, _, stderr) = exec(&[
        "check",
        SHOP,
        "--policy",
        POLICY,
        "--write-baseline",
        &b,
        "-q",
    ]);
    assert_eq!(stderr, "", "--quiet drops the note on what was written");
}

#[test]
fn color_never_keeps_logs_plain() {
    let (_, _, plain) = exec(&["spof", SHOP, "-v", "--color", "never"]);
    assert!(plain.contains("estate loaded"), "-v logs: {plain}");
    assert!(
        !plain.contains('\u{1b}'),
        "no ANSI with --color never: {plain:?}"
    );
    let (_, _, coloured) = exec(&["spof", SHOP, "-v", "--color", "always"]);
    assert!(
        coloured.contains("\u{1b}["),
        "ANSI with --color always: {coloured:?}"
    );
    // NO_COLOR (set by `exec`) and a non-terminal stderr: plain under auto.
    let (_, _, auto) = exec_env(&["spof", SHOP, "-v"], &[]);
    assert!(!auto.contains('\u{1b}'), "{auto:?}");
}

#[test]
fn version_names_the_estate_format() {
    let out = ok(&["--version"]);
    assert_eq!(
        out,
        format!("blastmap {} (estate format 1)\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_ends_with_examples_and_exit_codes() {
    for command in [
        "analyze",
        "sweep",
        "spof",
        "check",
        "validate",
        "domains",
        "catalog",
        "completions",
        "man",
    ] {
        let help = ok(&[command, "--help"]);
        let (_, tail) = help
            .rsplit_once("Examples:\n")
            .unwrap_or_else(|| panic!("`{command} --help` has no examples:\n{help}"));
        assert!(
            tail.contains(&format!("  blastmap {command} ")),
            "{command}: {tail}"
        );
        assert!(tail.contains("Exit codes: 0"), "{command}: {tail}");
        assert!(
            help.ends_with("Reference: docs/README.md in the blastmap repository.\n"),
            "{command}: {help}"
        );
    }
    assert!(crate::util::repo_path("docs/README.md").is_file());
}

#[test]
fn completions_cover_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = ok(&["completions", shell]);
        for command in [
            "analyze", "sweep", "spof", "check", "validate", "domains", "catalog",
        ] {
            assert!(script.contains(command), "{shell} misses {command}");
        }
    }
    let (code, _, stderr) = exec(&["completions", "tcsh"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn man_page_lists_every_command() {
    let page = ok(&["man"]);
    assert!(page.contains("\n.TH blastmap 1 "), "{page}");
    for command in [
        "analyze",
        "sweep",
        "spof",
        "check",
        "validate",
        "domains",
        "catalog",
        "completions",
        "man",
    ] {
        assert!(
            page.contains(&format!("blastmap\\-{command}(1)")),
            "{command}"
        );
    }
    let check = ok(&["man", "check"]);
    assert!(check.contains("\\-\\-policy"), "{check}");
}

#[test]
fn validate_exits_0_on_a_valid_estate_and_2_on_an_invalid_one() {
    assert_eq!(ok(&["validate", SHOP]), "94 nodes in 3 files: valid\n");
    let r = run(&["validate", "fixtures/invalid/multiple-errors.yaml"]);
    r.assert_code(2);
    for code in [
        "unknown-reference",
        "quorum-out-of-range",
        "selector-matches-nothing",
    ] {
        assert!(
            r.stderr.contains(&format!("error[{code}]")),
            "every problem: {}",
            r.stderr
        );
    }
    assert!(r.stderr.ends_with("3 problems found\n"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[test]
fn validate_json_is_the_errors_object_of_every_command() {
    let (code, stdout, _) = exec(&[
        "validate",
        "fixtures/invalid/unknown-reference.yaml",
        "-f",
        "json",
    ]);
    assert_eq!(code, 2);
    let (_, spof, _) = exec(&[
        "spof",
        "fixtures/invalid/unknown-reference.yaml",
        "-f",
        "json",
    ]);
    assert_eq!(stdout, spof);
    let dir = temp_dir();
    let estate = write_estate(&dir, &SMALL.replace("version: 1\n", ""));
    let (code, stdout, stderr) = exec(&["validate", &estate, "-f", "json"]);
    assert_eq!(code, 0, "a warning does not fail: {stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(v["errors"][0]["code"], "missing-version", "{stdout}");
    assert_eq!(v["errors"][0]["severity"], "warning", "{stdout}");
}

#[test]
fn domains_lists_every_value_with_node_counts() {
    let dir = temp_dir();
    let estate = write_estate(&dir, SMALL);
    let text = ok(&["domains", &estate]);
    assert_eq!(
        text,
        "\
4 nodes

Regions (2)
  region:r1                  2 nodes
  region:r2                  1 node

Zones (2)
  zone:z1                    3 nodes
  zone:z2                    1 node

Accounts (1)
  account:111                2 nodes

Cloud services (3)
  cloud-service:rds          2 nodes
  cloud-service:rds@r1       1 node
  cloud-service:rds@r2       1 node

Providers (1)
  provider:aws               2 nodes

Tags (2)
  tag:team=a                 2 nodes
  tag:tier=data              1 node
"
    );
    let json = ok(&["domains", &estate, "-f", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["nodes"], 4);
    assert_eq!(
        v["zones"],
        serde_json::json!([
            {"domain": "zone:z1", "nodes": 3, "value": "z1"},
            {"domain": "zone:z2", "nodes": 1, "value": "z2"}
        ])
    );
    // Every listed domain is one `analyze --fail` accepts.
    for list in [
        "regions",
        "zones",
        "accounts",
        "cloud_services",
        "providers",
        "tags",
    ] {
        for d in v[list].as_array().expect("a list") {
            let domain = d["domain"].as_str().expect("text");
            let (code, _, stderr) = exec(&["analyze", &estate, "--fail", domain]);
            assert_eq!(code, 0, "{domain}: {stderr}");
        }
    }
}

#[test]
fn domains_escapes_control_characters_in_text() {
    let dir = temp_dir();
    let estate = write_estate(&dir, &SMALL.replace("region: r2", "region: \"r\\e[2J\""));
    let text = ok(&["domains", &estate]);
    assert!(text.contains("region:r\\x1b[2J"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn validate_json_is_an_empty_errors_list_on_a_clean_estate() {
    assert_eq!(
        ok(&["validate", SHOP, "-f", "json"]),
        "{\n  \"errors\": []\n}\n"
    );
}

/// The README's first `text` block under `heading`, up to its end or a
/// `...` line (the README shows the start of long outputs).
fn readme_output_of(heading: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(crate::util::repo_path("README.md")).expect("README.md");
    let (_, section) = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README.md has `{heading}`"));
    let (_, block) = section.split_once("```text\n").expect("an output block");
    block
        .lines()
        .take_while(|l| *l != "```" && *l != "...")
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_shows_what_validate_and_domains_print() {
    for (heading, args) in [
        ("### `blastmap validate SOURCES...`", ["validate", SHOP]),
        ("### `blastmap domains SOURCES...`", ["domains", SHOP]),
    ] {
        let shown = readme_output_of(heading);
        let printed = ok(&args);
        let printed: Vec<&str> = printed.lines().take(shown.len()).collect();
        assert_eq!(printed, shown, "README.md under {heading}");
    }
}
