//! `check`'s machine formats (SARIF, JUnit, GitHub annotations), checked
//! the way the CI systems read them: SARIF against the official SARIF 2.1.0
//! schema, JUnit through an XML parser, annotations by undoing the workflow
//! command escaping. Reports are built by hand, so every case is explicit.

use std::collections::BTreeMap;

use blastmap::model::text::escape_for_display;
use blastmap::report::check::{
    BaselineEntryOutcome, BaselineNote, CheckReport, FunctionOutcome, RuleOutcome, SourcePosition,
    ViolationOutcome,
};
use blastmap::report::github::to_github;
use blastmap::report::junit::to_junit;
use blastmap::report::sarif::{to_sarif, MAX_RESULTS};
use serde_json::Value;

use crate::util::validate_sarif;

// ---------------------------------------------------------------- builders

fn violation(rule: &str, function: &str, domain: &str) -> ViolationOutcome {
    ViolationOutcome {
        domain: domain.into(),
        domains: Vec::new(),
        path: vec![function.into(), "api".into(), "db-primary".into()],
        causes: vec!["db-primary".into()],
        fingerprint: blastmap::engine::check::fingerprint(rule, function, domain),
        hint: "add a deployment in another region and require it with `any`".into(),
        baselined: None,
        expired: None,
    }
}

fn baselined(mut v: ViolationOutcome, reason: &str) -> ViolationOutcome {
    v.baselined = Some(BaselineNote {
        reason: Some(reason.into()),
        expires: Some("2027-06-30".into()),
    });
    v
}

fn at(file: &str, line: usize, column: usize) -> Option<SourcePosition> {
    Some(SourcePosition {
        file: file.into(),
        line,
        column,
    })
}

fn function(
    id: &str,
    position: Option<SourcePosition>,
    violations: Vec<ViolationOutcome>,
) -> FunctionOutcome {
    FunctionOutcome {
        id: id.into(),
        criticality: "critical".into(),
        description: Some(format!("{id}, as customers see it")),
        position,
        violations,
    }
}

fn rule(name: &str, kinds: &[&str], functions: Vec<FunctionOutcome>) -> RuleOutcome {
    RuleOutcome {
        name: name.into(),
        position: at("policy.toml", 2, 8),
        must_survive: kinds.iter().map(|k| k.to_string()).collect(),
        functions,
    }
}

/// Two rules; passing, failing, baselined-only and mixed functions; a stale
/// baseline entry.
fn typical_report() -> CheckReport {
    let r1 = "critical functions survive a region";
    let r2 = "everything survives a zone";
    CheckReport {
        policy_file: "policy.toml".into(),
        rules: vec![
            rule(
                r1,
                &["region", "zone"],
                vec![
                    function(
                        "billing",
                        at("estate/shop.yaml", 40, 3),
                        vec![baselined(
                            violation(r1, "billing", "region:us-east-1"),
                            "ticket OPS-12",
                        )],
                    ),
                    function(
                        "checkout",
                        at("estate/shop.yaml", 12, 3),
                        vec![
                            violation(r1, "checkout", "region:us-east-1"),
                            violation(r1, "checkout", "zone:use1-az1"),
                        ],
                    ),
                    function("search", at("estate/shop.yaml", 30, 3), vec![]),
                ],
            ),
            rule(
                r2,
                &["zone"],
                vec![
                    function(
                        "checkout",
                        at("estate/shop.yaml", 12, 3),
                        vec![
                            baselined(violation(r2, "checkout", "zone:use1-az1"), "migrating"),
                            violation(r2, "checkout", "zone:use1-az2"),
                        ],
                    ),
                    function(
                        "reports",
                        None,
                        vec![violation(r2, "reports", "zone:use1-az1")],
                    ),
                ],
            ),
        ],
        stale_baseline: vec![BaselineEntryOutcome {
            rule: r2.into(),
            function: "search".into(),
            domain: "zone:use1-az3".into(),
            fingerprint: blastmap::engine::check::fingerprint(r2, "search", "zone:use1-az3"),
        }],
        with_baseline: true,
        node_positions: BTreeMap::new(),
    }
}

/// Text that breaks naive JSON, XML and workflow-command writers.
const HOSTILE_ID: &str =
    "chk\"out' <&> ]]> ::error ::x %0A%25 a,b:c\nline2\r\tend \u{1}\u{1b}[31m zürich-🌍";
const HOSTILE_RULE: &str = "rule \"one\" <&> ]]> :: 100% a,b:c\nnext";
const HOSTILE_DOMAIN: &str = "region:us-east-1,\"x\"<y>&%25\n::warning::z";
const HOSTILE_FILE: &str = "estates/wéird, file:1%.yaml";

fn hostile_report() -> CheckReport {
    let mut v = violation(HOSTILE_RULE, HOSTILE_ID, HOSTILE_DOMAIN);
    v.path = vec![HOSTILE_ID.into(), "db <primary> & \"co\"".into()];
    v.causes = vec!["db <primary> & \"co\"".into(), "x\u{0}y".into()];
    v.hint = "fix it: 50% of the time, it works\nevery time".into();
    let mut f = function(HOSTILE_ID, at(HOSTILE_FILE, 7, 5), vec![v]);
    f.description = Some("<![CDATA[ desc ]]> & \"quotes\" \u{7} \u{FFFE} ok".into());
    let mut accepted = function(
        "other\n::error::fake",
        None,
        vec![baselined(
            violation(HOSTILE_RULE, "other", "zone:a"),
            "reason with \"quotes\" <b> & %0A\nnewline",
        )],
    );
    accepted.criticality = "low".into();
    let mut report = CheckReport {
        policy_file: "policy,\"weird\".toml".into(),
        rules: vec![rule(HOSTILE_RULE, &["region", "zone"], vec![f, accepted])],
        stale_baseline: vec![BaselineEntryOutcome {
            rule: HOSTILE_RULE.into(),
            function: HOSTILE_ID.into(),
            domain: HOSTILE_DOMAIN.into(),
            fingerprint: "0123456789abcdef".into(),
        }],
        with_baseline: true,
        node_positions: BTreeMap::new(),
    };
    report.rules[0].position = at(HOSTILE_FILE, 1, 1);
    report
}

/// One rule, `functions` functions with `per_function` new violations each.
fn large_report(functions: usize, per_function: usize) -> CheckReport {
    let name = "everything survives a node";
    let functions = (0..functions)
        .map(|i| {
            let id = format!("f{i:05}");
            let violations = (0..per_function)
                .map(|d| violation(name, &id, &format!("node:n{d:05}")))
                .collect();
            function(&id, at("estate.yaml", i + 1, 3), violations)
        })
        .collect();
    CheckReport {
        policy_file: "policy.toml".into(),
        rules: vec![rule(name, &["node"], functions)],
        stale_baseline: Vec::new(),
        with_baseline: false,
        node_positions: BTreeMap::new(),
    }
}

// ---------------------------------------------------------------- SARIF

fn assert_schema_valid(sarif: &str) {
    if let Err(errors) = validate_sarif(sarif) {
        let head: String = sarif.chars().take(4000).collect();
        panic!("SARIF output is not valid SARIF 2.1.0:\n{errors}\n--- output (start) ---\n{head}");
    }
}

fn parse_sarif(sarif: &str) -> Value {
    serde_json::from_str(sarif).unwrap_or_else(|e| panic!("SARIF is not JSON ({e}):\n{sarif}"))
}

fn sarif_results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("runs[0].results is an array")
}

fn sarif_notifications(log: &Value) -> Vec<String> {
    log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| n["message"]["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sarif_of_a_typical_report_is_valid_sarif_2_1_0() {
    let sarif = to_sarif(&typical_report(), "0.1.0");
    assert_schema_valid(&sarif);
}

#[test]
fn sarif_has_one_error_per_new_violation_and_leaves_baselined_ones_out() {
    let report = typical_report();
    let log = parse_sarif(&to_sarif(&report, "0.1.0"));
    let results = sarif_results(&log);
    assert_eq!(results.len(), report.new_violations().count());
    assert!(results.iter().all(|r| r["level"] == "error"));
    let fingerprints: Vec<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["blastmapViolation/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    let expected: Vec<&str> = report
        .new_violations()
        .map(|(_, _, v)| v.fingerprint.as_str())
        .collect();
    assert_eq!(fingerprints, expected);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "blastmap/critical-functions-survive-a-region",
            "blastmap/everything-survives-a-zone"
        ]
    );
    assert_eq!(
        rules[1]["shortDescription"]["text"],
        "everything survives a zone"
    );
    let notes = sarif_notifications(&log);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("2 violations accepted by the baseline")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("1 baseline entries no longer occur")),
        "{notes:?}"
    );
}

#[test]
fn sarif_results_point_at_the_function_definition() {
    let log = parse_sarif(&to_sarif(&typical_report(), "0.1.0"));
    let first = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(first["artifactLocation"]["uri"], "estate/shop.yaml");
    assert_eq!(first["region"]["startLine"], 12);
    assert_eq!(first["region"]["startColumn"], 3);
}

#[test]
fn sarif_with_hostile_text_is_json_and_valid_sarif() {
    let report = hostile_report();
    let sarif = to_sarif(&report, "0.1.0");
    assert_schema_valid(&sarif);
    let log = parse_sarif(&sarif);
    let results = sarif_results(&log);
    assert_eq!(results.len(), 1);
    let message = results[0]["message"]["text"].as_str().unwrap();
    for needle in [HOSTILE_ID, HOSTILE_DOMAIN, HOSTILE_RULE] {
        assert!(
            message.contains(needle),
            "{needle:?} missing from {message:?}"
        );
    }
    let uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, "estates/w%C3%A9ird,%20file%3A1%25.yaml");
}

#[test]
fn sarif_with_30000_violations_groups_them_per_rule_and_function() {
    let report = large_report(100, 300);
    let sarif = to_sarif(&report, "0.1.0");
    let log = parse_sarif(&sarif);
    let results = sarif_results(&log);
    assert_eq!(results.len(), 100);
    let message = results[0]["message"]["text"].as_str().unwrap();
    assert!(message.contains("any of 300 domains"), "{message}");
    let notes = sarif_notifications(&log);
    assert!(
        notes[0].starts_with("30000 new violations are reported as 100 results"),
        "{notes:?}"
    );
    assert_schema_valid(&sarif);
}

#[test]
fn sarif_with_30000_failing_functions_keeps_25000_results_and_says_how_many_were_left_out() {
    let report = large_report(30_000, 1);
    let sarif = to_sarif(&report, "0.1.0");
    let log = parse_sarif(&sarif);
    assert_eq!(sarif_results(&log).len(), MAX_RESULTS);
    let warning = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][1];
    assert_eq!(warning["level"], "warning");
    let text = warning["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("5000 results (5000 new violations) were left out"),
        "{text}"
    );
    assert_schema_valid(&sarif);
}

// ---------------------------------------------------------------- JUnit

/// An XML element as the parser read it: attributes and text decoded.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn all(&self, name: &str) -> Vec<&Element> {
        let mut found = Vec::new();
        for child in &self.children {
            if child.name == name {
                found.push(child);
            }
            found.extend(child.all(name));
        }
        found
    }

    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("<{}> has no attribute {name}", self.name))
    }

    fn count(&self, name: &str) -> usize {
        self.attr(name)
            .parse()
            .unwrap_or_else(|e| panic!("<{}> {name}: {e}", self.name))
    }
}

/// Parses `xml` with quick-xml into its root element; panics, showing the
/// document, when it is not well-formed.
fn parse_xml(xml: &str) -> Element {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::Reader;

    fn element(start: &BytesStart<'_>, xml: &str) -> Element {
        let mut el = Element {
            name: String::from_utf8(start.name().as_ref().to_vec()).unwrap(),
            ..Element::default()
        };
        for a in start.attributes() {
            let a = a.unwrap_or_else(|e| panic!("bad attribute ({e}):\n{xml}"));
            let value = a
                .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .unwrap_or_else(|e| panic!("bad attribute value ({e}):\n{xml}"));
            let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
            el.attributes.insert(key, value.into_owned());
        }
        el
    }

    let invalid: Vec<char> = xml.chars().filter(|&c| forbidden_in_xml(c)).collect();
    assert!(
        invalid.is_empty(),
        "characters XML 1.0 forbids: {invalid:?}\n{xml}"
    );
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("invalid XML at {}: {e}\n{xml}", reader.error_position()));
        let top = stack.last_mut().expect("the document stays on the stack");
        match event {
            Event::Start(e) => stack.push(element(&e, xml)),
            Event::Empty(e) => top.children.push(element(&e, xml)),
            Event::End(_) => {
                let done = stack.pop().expect("an open element");
                stack.last_mut().expect("a parent").children.push(done);
            }
            Event::Text(t) => top.text.push_str(&t.xml10_content().unwrap()),
            Event::CData(c) => top.text.push_str(&c.decode().unwrap()),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => top.text.push(c),
                None => {
                    let name = r.decode().unwrap();
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap_or_else(|| panic!("unknown entity &{name};\n{xml}"));
                    top.text.push_str(resolved);
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements:\n{xml}");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element:\n{xml}");
    document.children.pop().unwrap()
}

/// Test cases whose violations are all baselined (and at least one).
fn only_baselined(f: &FunctionOutcome) -> bool {
    !f.violations.is_empty() && f.violations.iter().all(|v| v.baselined.is_some())
}

fn has_new(f: &FunctionOutcome) -> bool {
    f.violations.iter().any(|v| v.baselined.is_none())
}

#[test]
fn junit_parses_back_with_the_report_counts() {
    let report = typical_report();
    let root = parse_xml(&to_junit(&report));
    assert_eq!(root.name, "testsuites");
    let suites = root.all("testsuite");
    assert_eq!(suites.len(), report.rules.len());
    for (suite, rule) in suites.iter().zip(&report.rules) {
        assert_eq!(suite.attr("name"), rule.name);
        let cases = suite.all("testcase");
        assert_eq!(cases.len(), rule.functions.len());
        assert_eq!(suite.count("tests"), rule.functions.len());
        let failing = rule.functions.iter().filter(|f| has_new(f)).count();
        let skipped = rule.functions.iter().filter(|f| only_baselined(f)).count();
        assert_eq!(suite.count("failures"), failing);
        assert_eq!(suite.count("skipped"), skipped);
        for (case, f) in cases.iter().zip(&rule.functions) {
            assert_eq!(case.attr("name"), f.id);
            let new = f
                .violations
                .iter()
                .filter(|v| v.baselined.is_none())
                .count();
            assert_eq!(case.all("failure").len(), new, "{}", f.id);
            assert_eq!(case.all("skipped").len(), usize::from(only_baselined(f)));
        }
    }
    assert_eq!(root.all("testcase").len(), 5);
    assert_eq!(root.all("failure").len(), report.new_violations().count());
    assert_eq!(root.all("skipped").len(), 1);
    assert_eq!(root.count("tests"), 5);
    assert_eq!(root.count("failures"), 3);
    assert_eq!(root.count("skipped"), 1);
    let skipped = root.all("skipped")[0];
    assert_eq!(skipped.attr("message"), "baselined: ticket OPS-12");
    let failure = root.all("failure")[0];
    assert_eq!(failure.attr("type"), "violation");
    assert!(
        failure.text.contains("path: checkout → api → db-primary\n"),
        "{}",
        failure.text
    );
}

/// `text` without the characters XML 1.0 cannot hold.
fn xml_safe(text: &str) -> String {
    text.chars().filter(|&c| !forbidden_in_xml(c)).collect()
}

/// Characters XML 1.0 does not allow in a document (Rust strings hold no
/// surrogates).
fn forbidden_in_xml(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[test]
fn junit_with_hostile_text_parses_back_to_the_same_text() {
    let report = hostile_report();
    let root = parse_xml(&to_junit(&report));
    let suite = root.all("testsuite")[0];
    assert_eq!(suite.attr("name"), xml_safe(HOSTILE_RULE));
    let case = suite.all("testcase")[0];
    assert_eq!(case.attr("name"), xml_safe(HOSTILE_ID));
    assert_eq!(case.attr("file"), HOSTILE_FILE);
    let failure = case.all("failure")[0];
    assert_eq!(
        failure.attr("message"),
        xml_safe(&format!(
            "{HOSTILE_ID} goes down when {HOSTILE_DOMAIN} fails"
        ))
    );
    for needle in [
        HOSTILE_DOMAIN,
        "db <primary> & \"co\"",
        "<![CDATA[ desc ]]>",
    ] {
        assert!(
            failure.text.contains(&xml_safe(needle)),
            "{needle:?} in {:?}",
            failure.text
        );
    }
    let skipped = root.all("skipped")[0];
    assert_eq!(
        skipped.attr("message"),
        "baselined: reason with \"quotes\" <b> & %0A\nnewline"
    );
}

// ---------------------------------------------------------------- GitHub

/// One workflow command: kind, decoded properties, decoded message.
#[derive(Debug)]
struct Annotation {
    kind: String,
    properties: BTreeMap<String, String>,
    message: String,
}

/// Undoes workflow command escaping in one pass: `%XX` for the characters
/// GitHub escapes (`%`, CR, LF, and in properties `:` and `,`).
fn unescape(text: &str, property: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 3)
            .expect("% is followed by two characters");
        let c = match code {
            "25" => '%',
            "0D" => '\r',
            "0A" => '\n',
            "3A" if property => ':',
            "2C" if property => ',',
            other => panic!("unexpected escape %{other} in {text:?}"),
        };
        out.push(c);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

/// Parses `::kind k=v,k=v::message` as GitHub's runner does.
fn parse_annotation(line: &str) -> Annotation {
    let rest = line.strip_prefix("::").expect("a command starts with ::");
    let (head, message) = rest.split_once("::").expect("a command has a second ::");
    let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("a property is key=value");
            (k.to_owned(), unescape(v, true))
        })
        .collect();
    Annotation {
        kind: kind.to_owned(),
        properties,
        message: unescape(message, false),
    }
}

fn annotations(output: &str) -> Vec<Annotation> {
    output
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(parse_annotation)
        .collect()
}

/// GitHub shows annotations to people (in the log and on the pull request),
/// so they decode to the text escaped for display: every character, but
/// control and bidi characters written as `\x1b`, `\n`, `\u{202e}`.
#[test]
fn github_annotations_stay_one_line_and_decode_to_the_text_escaped_for_display() {
    let report = hostile_report();
    let output = to_github(&report);
    let lines: Vec<&str> = output.lines().collect();
    // One error (the failing function), one warning (the stale entry), the summary.
    assert_eq!(lines.len(), 3, "{output}");
    assert!(lines[0].starts_with("::error "), "{output}");
    assert!(lines[1].starts_with("::warning "), "{output}");
    assert!(
        lines[2].starts_with("blastmap check failed: 1 new violation(s)"),
        "{output}"
    );
    assert!(!output.contains('\r'));

    let all = annotations(&output);
    let error = &all[0];
    assert_eq!(error.kind, "error");
    assert_eq!(error.properties["file"], HOSTILE_FILE);
    assert_eq!(error.properties["line"], "7");
    assert_eq!(error.properties["col"], "5");
    assert_eq!(
        error.properties["title"],
        format!(
            "blastmap: {} goes down under 1 domain(s)",
            escape_for_display(HOSTILE_ID)
        )
    );
    for needle in [
        escape_for_display(HOSTILE_ID),
        escape_for_display(HOSTILE_DOMAIN),
        escape_for_display(HOSTILE_RULE),
        "fix: fix it: 50% of the time, it works\\nevery time".into(),
    ] {
        assert!(
            error.message.contains(&*needle),
            "{needle:?} missing from {:?}",
            error.message
        );
    }
    let warning = &all[1];
    assert_eq!(warning.kind, "warning");
    for needle in [HOSTILE_ID, HOSTILE_DOMAIN, HOSTILE_RULE] {
        let needle = escape_for_display(needle);
        assert!(
            warning.message.contains(&*needle),
            "{needle:?} missing from {:?}",
            warning.message
        );
    }
    for a in &all {
        let decoded = a.properties.values().chain([&a.message]);
        for text in decoded {
            assert!(
                !text.chars().any(|c| c != '\n' && c.is_control()),
                "a raw control character in {text:?}"
            );
        }
    }
}

#[test]
fn github_with_15_failing_functions_gives_10_errors_the_last_a_summary() {
    let report = large_report(15, 2);
    let output = to_github(&report);
    let errors: Vec<&str> = output
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(errors.len(), 10, "{output}");
    for (i, line) in errors[..9].iter().enumerate() {
        assert!(
            line.contains(&format!("f{i:05} goes down under 2 domain(s)")),
            "{line}"
        );
    }
    let summary = parse_annotation(errors[9]);
    assert!(!summary.properties.contains_key("file"));
    assert!(
        summary
            .message
            .starts_with("6 more function(s) with 12 new violation(s) are not annotated"),
        "{}",
        summary.message
    );
    assert!(
        summary.message.contains("--format text"),
        "{}",
        summary.message
    );
    assert_eq!(
        output.lines().last().unwrap(),
        "blastmap check failed: 30 new violation(s) in 15 function(s), 0 baselined, 0 stale baseline entries"
    );
}

#[test]
fn github_does_not_annotate_baselined_violations() {
    let report = typical_report();
    let all = annotations(&to_github(&report));
    let errors: Vec<&Annotation> = all.iter().filter(|a| a.kind == "error").collect();
    // checkout (two rules) and reports; billing is only baselined.
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(|a| !a.message.contains("billing")));
    assert_eq!(all.iter().filter(|a| a.kind == "warning").count(), 1);
}

// ---------------------------------------------------------------- text

/// The text report is for a terminal: ids, rule names, domains, files,
/// baseline reasons and stale entries show control characters escaped, so
/// none can clear the screen or overwrite a line.
#[test]
fn text_of_a_hostile_report_shows_every_control_character_escaped() {
    let report = hostile_report();
    let text = blastmap::report::check::to_text(&report, blastmap::report::style::Style::PLAIN);
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && c.is_control())
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in:\n{text}");
    for needle in [
        escape_for_display(HOSTILE_ID),
        escape_for_display(HOSTILE_RULE),
        escape_for_display(HOSTILE_DOMAIN),
        escape_for_display("x\u{0}y"),
        escape_for_display("reason with \"quotes\" <b> & %0A\nnewline"),
        escape_for_display("other\n::error::fake"),
    ] {
        assert!(text.contains(&*needle), "{needle:?} not shown in:\n{text}");
    }
    assert!(text.contains(r"\x1b[31m"), "{text}");
}
