//! One diagnostic pipeline, through the real binary: every diagnostic code
//! occurs, and problems with the inputs reach CI in the format asked for
//! (SARIF checked against the official schema, GitHub annotations, JSON).

use std::fs;
use std::path::Path;

use blastmap::diag::{Code, Example};
use serde_json::Value;

use crate::util::{exec as blastmap, validate_sarif, POLICY, SHOP};

const THIS_TEST: &str = "every_code_without_a_fixture_is_produced_by_a_command";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).expect("write a temporary file");
    path.display().to_string()
}

/// The command line that makes the binary report `code`, given a scratch
/// directory. Exhaustive: a new code without a fixture needs a line here.
fn command_for(code: Code, dir: &Path) -> Vec<String> {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let valid = "version: 1\nfunctions:\n  f: {requires: [x]}\nservices:\n  x: {region: r1}\n";
    match code {
        Code::BadDomain => s(&["analyze", SHOP, "--fail", "tag:service"]),
        Code::CannotWrite => {
            let out = dir.join("no-such-dir").join("out.txt");
            s(&[
                "analyze",
                SHOP,
                "--fail",
                "region:us-east-1",
                "-o",
                &out.display().to_string(),
            ])
        }
        Code::EntryNeverSatisfied => {
            let estate = write(
                dir,
                "never.yaml",
                "version: 1\nfunctions:\n  f: {requires: [{any: [{select: {tags: {team: none}}}], allow_empty: true}, x]}\nresources:\n  x: {tags: {team: a}}\n",
            );
            s(&["spof", &estate])
        }
        Code::IncompleteEstate => {
            let estate = write(
                dir,
                "incomplete.json",
                r#"{"version": 1, "meta": {"sources": [{"collector": "c", "complete": false}]}, "services": {"x": {"region": "r1"}}}"#,
            );
            s(&["spof", &estate])
        }
        Code::InvalidBaseline => {
            let baseline = write(dir, "baseline.json", r#"{"version": 2, "violations": []}"#);
            s(&["check", SHOP, "--policy", POLICY, "--baseline", &baseline])
        }
        Code::MissingVersion => {
            let estate = write(dir, "noversion.yaml", "services:\n  x: {region: r1}\n");
            s(&["spof", &estate])
        }
        Code::NoEstateFiles => s(&["spof", &dir.display().to_string()]),
        Code::ReservedId => {
            let estate = write(dir, "reserved.yaml", "version: 1\nservices:\n  aws:x: {}\n");
            s(&["spof", &estate])
        }
        Code::OutputIsInput => {
            let estate = write(dir, "estate.yaml", valid);
            s(&["spof", &estate, "-o", &estate])
        }
        Code::UnknownDomain => s(&["analyze", SHOP, "--fail", "region:nowhere-1"]),
        Code::UnknownDomainKind => {
            let policy = write(
                dir,
                "policy.toml",
                "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"regoin\"]\n",
            );
            s(&["check", SHOP, "--policy", &policy])
        }
        Code::UnknownFunction => s(&["spof", SHOP, "--function", "chekout"]),
        Code::UnreadableFile => s(&["check", SHOP, "--policy", "no/such/policy.toml"]),
        // Fixtures or unit tests show these (`collect backstage`'s codes:
        // tests/collect_backstage.rs; `placement-unknown`: src/app/collect_aws.rs).
        Code::CatalogDuplicateEntity
        | Code::CatalogTargetMissing
        | Code::MalformedCatalog
        | Code::GraphvizFailed
        | Code::FileChanged
        | Code::AvailabilityOutOfRange
        | Code::InvalidRates
        | Code::BadCriticality
        | Code::BadEntry
        | Code::ConflictingDefinition
        | Code::DiffInputs
        | Code::DuplicateKey
        | Code::EmptyEstate
        | Code::EmptyMembers
        | Code::InvalidPolicy
        | Code::InvalidValue
        | Code::MalformedArn
        | Code::MalformedJson
        | Code::MalformedTrace
        | Code::MalformedYaml
        | Code::MinZonesOutOfRange
        | Code::PlacementUnknown
        | Code::QuorumOutOfRange
        | Code::SameIdTwoSections
        | Code::SelectorMatchesNothing
        | Code::TagConflict
        | Code::UnknownField
        | Code::UnknownReference
        | Code::UnknownBuiltin
        | Code::UnknownTraceFormat
        | Code::UnknownVersion
        | Code::ZoneListedTwice => {
            let _ = valid;
            Vec::new()
        }
    }
}

#[test]
fn every_code_without_a_fixture_is_produced_by_a_command() {
    for code in Code::ALL {
        if code.example() != Example::Test(THIS_TEST) {
            continue;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let args = command_for(code, dir.path());
        assert!(!args.is_empty(), "{code}: no command in command_for");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, out, err) = blastmap(&args);
        assert!(
            err.contains(&format!("[{code}]")),
            "{code}: `blastmap {}` did not report it:\n{out}{err}",
            args.join(" ")
        );
    }
}

#[test]
fn every_fixture_fails_with_its_code() {
    for code in Code::ALL {
        let Example::Fixture(path) = code.example() else {
            continue;
        };
        let (exit, out, err) = blastmap(&["analyze", path, "--fail", "region:us-east-1"]);
        assert_eq!(exit, 2, "{path}:\n{out}{err}");
        assert!(err.contains(&format!("error[{code}]")), "{path}:\n{err}");
    }
}

fn assert_schema_valid(sarif: &str) {
    if let Err(errors) = validate_sarif(sarif) {
        panic!("the SARIF log is not valid against the 2.1.0 schema:\n{errors}\n{sarif}");
    }
}

#[test]
fn an_invalid_estate_gives_a_valid_sarif_log_at_the_file_and_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("check.sarif");
    let out_arg = out.display().to_string();
    let fixture = "fixtures/invalid/unknown-reference.yaml";
    let (code, _, err) = blastmap(&[
        "check", fixture, "--policy", POLICY, "--format", "sarif", "-o", &out_arg,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error[unknown-reference]"),
        "text on stderr too: {err}"
    );
    let sarif = fs::read_to_string(&out).expect("the SARIF log is written");
    assert_schema_valid(&sarif);
    let v: Value = serde_json::from_str(&sarif).expect("JSON");
    let result = &v["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unknown-reference");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], fixture);
    assert_eq!(location["region"]["startLine"], 7);
    assert_eq!(location["region"]["startColumn"], 21);
}

/// A policy with three mistakes in two rules.
const BAD_POLICY: &str = r#"[[rule]]
name = "one"
functions = { ids = ["chekout"] }
must_survive = ["regoin"]

[[rule]]
name = "two"
functions = { criticality = ["urgent"] }
must_survive = ["zone"]
"#;

#[test]
fn an_invalid_policy_gives_a_valid_sarif_log_with_every_mistake() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let policy = write(dir.path(), "policy.toml", BAD_POLICY);
    let (code, out, err) = blastmap(&["check", SHOP, "--policy", &policy, "--format", "sarif"]);
    assert_eq!(code, 2, "{err}");
    assert_schema_valid(&out);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let results = v["runs"][0]["results"].as_array().expect("results");
    let lines: Vec<(u64, u64)> = results
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                region["startLine"].as_u64().unwrap_or(0),
                region["startColumn"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(lines, [(3, 22), (4, 17), (8, 30)], "{out}");
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == policy.as_str()
    ));
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
}

/// Undoes the workflow command escaping of a property value.
fn unescape(text: &str) -> String {
    text.replace("%2C", ",")
        .replace("%3A", ":")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

#[test]
fn an_invalid_estate_gives_github_error_annotations_at_the_file_and_line() {
    let fixture = "fixtures/invalid/multiple-errors.yaml";
    let (code, out, err) = blastmap(&["check", fixture, "--policy", POLICY, "--format", "github"]);
    assert_eq!(code, 2, "{err}");
    let annotations: Vec<(String, String, String)> = out
        .lines()
        .filter_map(|l| l.strip_prefix("::error "))
        .map(|l| {
            let (props, _message) = l.split_once("::").expect("properties::message");
            let mut file = String::new();
            let mut line = String::new();
            let mut col = String::new();
            for p in props.split(',') {
                let (k, v) = p.split_once('=').expect("key=value");
                match k {
                    "file" => file = unescape(v),
                    "line" => line = v.to_owned(),
                    "col" => col = v.to_owned(),
                    _ => {}
                }
            }
            (file, line, col)
        })
        .collect();
    let at = |l: &str, c: &str| (fixture.to_owned(), l.to_owned(), c.to_owned());
    assert_eq!(
        annotations,
        [at("12", "16"), at("16", "17"), at("21", "9")],
        "{out}"
    );
}

#[test]
fn an_invalid_estate_gives_a_json_errors_object() {
    let fixture = "fixtures/invalid/quorum-out-of-range.yaml";
    for command in [
        vec!["check", fixture, "--policy", POLICY, "--format", "json"],
        vec!["analyze", fixture, "--fail", "region:r", "--format", "json"],
        vec!["sweep", fixture, "--format", "json"],
        vec!["spof", fixture, "--format", "json"],
    ] {
        let (code, out, err) = blastmap(&command);
        assert_eq!(code, 2, "{command:?}: {err}");
        let v: Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{command:?}: {e}\n{out}"));
        let errors = v["errors"].as_array().expect("an errors array");
        assert_eq!(errors.len(), 1, "{out}");
        let e = &errors[0];
        assert_eq!(e["code"], "quorum-out-of-range");
        assert_eq!(e["severity"], "error");
        assert_eq!(e["file"], fixture);
        assert_eq!(
            (e["line"].as_u64(), e["column"].as_u64()),
            (Some(11), Some(17))
        );
        assert!(e["help"].is_string() && e["message"].is_string(), "{out}");
        let keys: Vec<&String> = e.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            ["code", "column", "file", "help", "line", "message", "node", "severity"]
        );
    }
}

#[test]
fn warnings_are_warning_entries_beside_the_errors_and_obey_color() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let estate = write(
        dir.path(),
        "a.yaml",
        "services:\n  x: {region: r1}\nfunctions:\n  f: {requires: [y]}\n",
    );
    let (code, out, _) = blastmap(&["check", &estate, "--policy", POLICY, "--format", "json"]);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let severities: Vec<(&str, &str)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or(""),
                e["severity"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        severities.contains(&("unknown-reference", "error")),
        "{out}"
    );
    let valid = write(dir.path(), "b.yaml", "services:\n  x: {region: r1}\n");
    let (_, _, plain) = blastmap(&["spof", &valid, "--color", "never"]);
    assert!(plain.contains("warning[missing-version]"), "{plain}");
    assert!(!plain.contains('\u{1b}'), "{plain}");
    let (_, _, colored) = blastmap(&["spof", &valid, "--color", "always"]);
    assert!(colored.contains('\u{1b}'), "{colored}");
}

#[test]
fn a_conflict_shows_the_other_files_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("check.sarif");
    let out_arg = out.display().to_string();
    let fixture = "fixtures/invalid/conflicting-definition";
    let (code, _, err) = blastmap(&[
        "check", fixture, "--policy", POLICY, "--format", "sarif", "-o", &out_arg,
    ]);
    assert_eq!(code, 2, "{err}");
    // Text: the other file's line under the primary one, with what it says.
    let other = "fixtures/invalid/conflicting-definition/a-payments.yaml:13:13";
    assert!(err.contains(other), "{err}");
    assert!(err.contains("region `us-east-1` is given here"), "{err}");
    // SARIF: the same position as a related location.
    let sarif = fs::read_to_string(&out).expect("the SARIF log is written");
    assert_schema_valid(&sarif);
    let v: Value = serde_json::from_str(&sarif).expect("JSON");
    let related = &v["runs"][0]["results"][0]["relatedLocations"][0];
    let location = &related["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "fixtures/invalid/conflicting-definition/a-payments.yaml"
    );
    assert_eq!(location["region"]["startLine"], 13);
    assert_eq!(location["region"]["startColumn"], 13);
    assert_eq!(
        related["message"]["text"],
        "region `us-east-1` is given here"
    );

    let (code, _, err) = blastmap(&["spof", "fixtures/invalid/tag-conflict"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("fixtures/invalid/tag-conflict/a-inventory.json:20:17"),
        "{err}"
    );
    assert!(err.contains("`team` = `payments` is given here"), "{err}");
}
