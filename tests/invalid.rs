//! Every estate under `fixtures/invalid/` fails to load with exit code 2 and
//! a diagnostic that names its code, the file, the line and, where one is
//! known, the node (SPEC §1.3, §1.5; `fixtures/invalid/EXPECTED.md`).
//!
//! Each file of the directory is one estate, each subdirectory another (loaded
//! as a whole); `*.md` files are documentation. Every estate there must have
//! an entry in `EXPECTATIONS`, so a new fixture cannot go untested.

use std::fs;
use std::path::PathBuf;

use predicates::prelude::*;

use crate::util::{output_env, repo_path, repo_root};

/// One diagnostic an estate must produce.
struct Expected {
    /// The code between the brackets of `error[...]`.
    code: &'static str,
    /// The file (relative to the fixture, `""` when the fixture is that file)
    /// the diagnostic points into.
    file: &'static str,
    /// The 1-based line of the offending token (columns may legitimately
    /// differ between parsers, so they are not compared).
    line: u32,
    /// The node the diagnostic must name (`node: <id>`), when one is known.
    node: Option<&'static str>,
}

const fn expect(
    code: &'static str,
    file: &'static str,
    line: u32,
    node: Option<&'static str>,
) -> Expected {
    Expected {
        code,
        file,
        line,
        node,
    }
}

const PAYMENTS_DB: &str = "arn:aws:rds:us-east-1:111122223333:db:payments";
const WEB_ALB: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188";

/// Each fixture (a file or directory under `fixtures/invalid/`) with every
/// diagnostic it must produce, from `fixtures/invalid/EXPECTED.md`.
const EXPECTATIONS: &[(&str, &[Expected])] = &[
    (
        "availability-out-of-range.yaml",
        &[expect(
            "availability-out-of-range",
            "",
            7,
            Some(PAYMENTS_DB),
        )],
    ),
    (
        "bad-criticality.yaml",
        &[expect("bad-criticality", "", 6, Some("checkout"))],
    ),
    (
        "conflicting-definition",
        &[expect(
            "conflicting-definition",
            "b-payments-deployments.yaml",
            8,
            Some("payments-use1"),
        )],
    ),
    (
        "duplicate-key.json",
        &[expect("duplicate-key", "", 12, Some(PAYMENTS_DB))],
    ),
    (
        "duplicate-key.yaml",
        &[expect("duplicate-key", "", 10, Some("checkout"))],
    ),
    ("empty-estate.yaml", &[expect("empty-estate", "", 4, None)]),
    (
        "empty-members.yaml",
        &[expect("empty-members", "", 11, Some("payments"))],
    ),
    (
        "malformed-arn.yaml",
        &[expect(
            "malformed-arn",
            "",
            9,
            Some("arn:aws:rds:us-east-1:111122223333"),
        )],
    ),
    (
        "malformed-json.json",
        &[expect("malformed-json", "", 6, None)],
    ),
    (
        "malformed-yaml.yaml",
        &[expect("malformed-yaml", "", 7, None)],
    ),
    (
        "min-zones-out-of-range.yaml",
        &[expect("min-zones-out-of-range", "", 7, Some(PAYMENTS_DB))],
    ),
    (
        "multiple-errors.yaml",
        &[
            expect("unknown-reference", "", 12, Some("browse-catalog")),
            expect("quorum-out-of-range", "", 16, Some("payments")),
            expect("selector-matches-nothing", "", 21, Some("cart")),
        ],
    ),
    (
        "quorum-out-of-range.yaml",
        &[expect("quorum-out-of-range", "", 11, Some("payments"))],
    ),
    (
        "same-id-two-sections.yaml",
        &[expect("same-id-two-sections", "", 13, Some("stripe"))],
    ),
    (
        "selector-matches-nothing.yaml",
        &[expect(
            "selector-matches-nothing",
            "",
            9,
            Some("payments-use1"),
        )],
    ),
    (
        "tag-conflict",
        &[expect(
            "tag-conflict",
            "b-overrides.yaml",
            8,
            Some(PAYMENTS_DB),
        )],
    ),
    (
        "unknown-builtin.yaml",
        &[expect("unknown-builtin", "", 9, Some("checkout"))],
    ),
    (
        "unknown-field.yaml",
        &[expect("unknown-field", "", 7, Some("checkout"))],
    ),
    (
        "unknown-reference.yaml",
        &[expect("unknown-reference", "", 7, Some("checkout"))],
    ),
    (
        "unknown-selector-key.yaml",
        &[expect("unknown-field", "", 8, Some("payments-use1"))],
    ),
    (
        "unknown-version.yaml",
        &[expect("unknown-version", "", 3, None)],
    ),
    (
        "zone-listed-twice.yaml",
        &[expect("zone-listed-twice", "", 6, Some(WEB_ALB))],
    ),
];

const INVALID: &str = "fixtures/invalid";

/// Every estate under `fixtures/invalid/` (files and directories, not `*.md`),
/// by name, sorted.
fn invalid_fixtures() -> Vec<String> {
    let dir = repo_path(INVALID);
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("read fixtures/invalid")
        .map(|entry| {
            entry
                .expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| !name.ends_with(".md"))
        .collect();
    names.sort();
    names
}

/// One diagnostic as printed on stderr: its code, the `file:line:col`
/// locations it names, and the node it names.
#[derive(Debug)]
struct Diagnostic {
    code: String,
    locations: Vec<(String, u32)>,
    node: Option<String>,
    text: String,
}

/// Splits stderr into diagnostics, each starting at a line `error[CODE]...`.
fn diagnostics(stderr: &str) -> Vec<Diagnostic> {
    let mut blocks: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error[") {
            blocks.push(String::new());
        }
        if let Some(block) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
        .into_iter()
        .map(|text| parse_diagnostic(&text))
        .collect()
}

fn parse_diagnostic(text: &str) -> Diagnostic {
    let code = text["error[".len()..]
        .split(']')
        .next()
        .unwrap_or_default()
        .to_string();
    let node = text.lines().find_map(|line| {
        let at = line.find("node: ")?;
        Some(line[at + "node: ".len()..].trim().to_string())
    });
    Diagnostic {
        code,
        locations: locations(text),
        node,
        text: text.to_string(),
    }
}

/// Every `PATH.yaml:LINE:COL` / `PATH.json:LINE:COL` in `text`, as (PATH, LINE);
/// PATH runs back to the previous whitespace or backtick.
fn locations(text: &str) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for extension in [".yaml:", ".json:"] {
        for (at, _) in text.match_indices(extension) {
            let rest = &text[at + extension.len()..];
            let Some((line, col_and_more)) = rest.split_once(':') else {
                continue;
            };
            let col_is_number = col_and_more.starts_with(|c: char| c.is_ascii_digit());
            let Ok(line) = line.parse::<u32>() else {
                continue;
            };
            if !col_is_number {
                continue;
            }
            let start = text[..at]
                .rfind(|c: char| c.is_whitespace() || c == '`')
                .map_or(0, |i| i + 1);
            let path = &text[start..at + extension.len() - 1];
            found.push((path.to_string(), line));
        }
    }
    found
}

/// The path the binary is given for a fixture, and the path a diagnostic
/// about `file` inside it must end with.
fn fixture_paths(fixture: &str, file: &str) -> (String, String) {
    let argument = format!("{INVALID}/{fixture}");
    let located = if file.is_empty() {
        argument.clone()
    } else {
        format!("{argument}/{file}")
    };
    (argument, located)
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn analyze(source: &str) -> Outcome {
    let output = output_env(&["analyze", source, "--fail", "region:us-east-1"], &[]);
    Outcome {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Everything wrong with one fixture's run, as sentences (empty: all good).
fn problems(fixture: &str, expected: &[Expected]) -> Vec<String> {
    let (argument, _) = fixture_paths(fixture, "");
    let outcome = analyze(&argument);
    let mut problems = Vec::new();
    if outcome.code != Some(2) {
        problems.push(format!("exit code {:?}, expected 2", outcome.code));
    }
    if !outcome.stdout.is_empty() {
        problems.push(format!("wrote a report to stdout:\n{}", outcome.stdout));
    }
    for marker in ["panicked", "RUST_BACKTRACE", "thread 'main'"] {
        if outcome.stderr.contains(marker) {
            problems.push(format!("stderr looks like a panic (`{marker}`)"));
        }
    }
    let location_pattern = predicate::str::is_match(r"\.(yaml|json):\d+:\d+").expect("a regex");
    if !location_pattern.eval(&outcome.stderr) {
        problems.push("stderr names no `file:line:col`".to_string());
    }
    let found = diagnostics(&outcome.stderr);
    if found.len() != expected.len() {
        problems.push(format!(
            "{} error diagnostics, expected {}",
            found.len(),
            expected.len()
        ));
    }
    for want in expected {
        problems.extend(missing(fixture, want, &found));
    }
    if !problems.is_empty() {
        problems.push(format!(
            "--- stderr of `blastmap analyze {argument} --fail region:us-east-1`\n{}",
            outcome.stderr
        ));
    }
    problems
}

/// Why no diagnostic in `found` is the one `want` describes (None: one is).
fn missing(fixture: &str, want: &Expected, found: &[Diagnostic]) -> Option<String> {
    let (_, located) = fixture_paths(fixture, want.file);
    let candidates: Vec<&Diagnostic> = found.iter().filter(|d| d.code == want.code).collect();
    if candidates.is_empty() {
        let codes: Vec<&str> = found.iter().map(|d| d.code.as_str()).collect();
        return Some(format!("no error[{}] (codes found: {codes:?})", want.code));
    }
    let at_line = |d: &&&Diagnostic| {
        d.locations
            .iter()
            .any(|(path, line)| path.ends_with(&located) && *line == want.line)
    };
    let Some(diagnostic) = candidates.iter().find(at_line) else {
        let seen: Vec<&(String, u32)> = candidates.iter().flat_map(|d| &d.locations).collect();
        return Some(format!(
            "error[{}] does not point at {located}:{}:COL (it points at {seen:?})",
            want.code, want.line
        ));
    };
    match want.node {
        Some(node) if diagnostic.node.as_deref() != Some(node) => Some(format!(
            "error[{}] names node {:?}, expected `{node}`:\n{}",
            want.code, diagnostic.node, diagnostic.text
        )),
        _ => None,
    }
}

#[test]
fn every_invalid_fixture_has_an_expectation_and_every_expectation_a_fixture() {
    let listed: Vec<String> = EXPECTATIONS.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(
        invalid_fixtures(),
        listed,
        "fixtures/invalid/ and EXPECTATIONS in tests/invalid.rs"
    );
}

#[test]
fn every_invalid_fixture_fails_with_its_code_file_line_and_node() {
    let mut report = Vec::new();
    for (fixture, expected) in EXPECTATIONS {
        let problems = problems(fixture, expected);
        if !problems.is_empty() {
            report.push(format!("{INVALID}/{fixture}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} invalid fixtures misbehave:\n\n{}",
        report.len(),
        EXPECTATIONS.len(),
        report.join("\n\n")
    );
}

#[test]
fn multiple_errors_are_reported_together_in_one_run() {
    let outcome = analyze(&format!("{INVALID}/multiple-errors.yaml"));
    assert_eq!(outcome.code, Some(2), "stderr:\n{}", outcome.stderr);
    let codes: Vec<String> = diagnostics(&outcome.stderr)
        .into_iter()
        .map(|d| d.code)
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "quorum-out-of-range",
            "selector-matches-nothing",
            "unknown-reference"
        ],
        "stderr:\n{}",
        outcome.stderr
    );
}

#[test]
fn every_fixture_path_exists() {
    for (fixture, expected) in EXPECTATIONS {
        for want in *expected {
            let (_, located) = fixture_paths(fixture, want.file);
            let path: PathBuf = repo_root().join(&located);
            assert!(path.is_file(), "{located} is a fixture file");
        }
    }
}
