//! `check --format junit`: JUnit XML for GitLab, Jenkins and other CI
//! systems that show test reports.
//!
//! The shape (SPEC §4.1):
//! - `<testsuites>`, then one `<testsuite name=RULE>` per policy rule, in
//!   policy order;
//! - one `<testcase classname="blastmap.<rule slug>" name="<function id>">`
//!   per rule × selected function, in the rule's function order;
//! - one `<failure type="violation">` per new violation of that function
//!   (its body: domain, path, causes, how to fix); when its baseline entry
//!   has expired, the message and body say "expired on DATE";
//! - a test case whose violations are all baselined is skipped, with one
//!   `<skipped message="baselined: REASON">` listing them; a failing test
//!   case names its baselined violations in `<system-out>`.
//!
//! The `tests`, `failures` and `skipped` attributes count test cases (so
//! `tests` ≥ `failures` + `skipped`, as every JUnit reader expects), while
//! the number of `<failure>` elements is the number of new violations.
//!
//! Written by hand: every attribute and text is escaped (`& < > " '`, and in
//! attributes tab, newline and carriage return as character references, so
//! they survive attribute normalisation), and characters XML 1.0 does not
//! allow (control characters other than tab, newline and carriage return,
//! U+FFFE, U+FFFF) are removed. Deterministic: the report's order only.

use std::fmt::Write;

use super::check::{slug, CheckReport, FunctionOutcome, RuleOutcome, ViolationOutcome};

/// The JUnit XML document of a `check` run, ending in a newline.
pub fn to_junit(report: &CheckReport) -> String {
    let mut totals = Counts::default();
    let mut suites = String::new();
    for rule in &report.rules {
        totals.add(write_suite(&mut suites, rule));
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"blastmap check\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        totals.tests, totals.failures, totals.skipped
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

/// Test cases by verdict.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, other: Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.skipped += other.skipped;
    }
}

/// Writes one rule's `<testsuite>` and returns its counts.
fn write_suite(out: &mut String, rule: &RuleOutcome) -> Counts {
    let classname = format!("blastmap.{}", slug(&rule.name));
    let mut counts = Counts::default();
    let mut cases = String::new();
    for function in &rule.functions {
        counts.tests += 1;
        match write_case(&mut cases, &classname, function) {
            Verdict::Failed => counts.failures += 1,
            Verdict::Skipped => counts.skipped += 1,
            Verdict::Passed => {}
        }
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        attr(&rule.name),
        counts.tests,
        counts.failures,
        counts.skipped
    );
    out.push_str(&cases);
    out.push_str("  </testsuite>\n");
    counts
}

enum Verdict {
    Passed,
    Failed,
    Skipped,
}

fn write_case(out: &mut String, classname: &str, function: &FunctionOutcome) -> Verdict {
    let (new, baselined): (Vec<&ViolationOutcome>, Vec<&ViolationOutcome>) = function
        .violations
        .iter()
        .partition(|v| v.baselined.is_none());
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(classname),
        attr(&function.id)
    );
    if let Some(p) = &function.position {
        let _ = write!(out, " file=\"{}\"", attr(&p.file));
    }
    if new.is_empty() && baselined.is_empty() {
        out.push_str("/>\n");
        return Verdict::Passed;
    }
    out.push_str(">\n");
    let verdict = if new.is_empty() {
        write_skipped(out, function, &baselined);
        Verdict::Skipped
    } else {
        for v in &new {
            write_failure(out, function, v);
        }
        if !baselined.is_empty() {
            let listed: String = baselined.iter().map(|v| baselined_line(v)).collect();
            let _ = writeln!(
                out,
                "      <system-out>also accepted by the baseline:\n{}</system-out>",
                text(&listed)
            );
        }
        Verdict::Failed
    };
    out.push_str("    </testcase>\n");
    verdict
}

fn write_failure(out: &mut String, function: &FunctionOutcome, v: &ViolationOutcome) {
    let mut message = format!("{} goes down when {}", function.id, v.fails());
    if let Some(phrase) = v.expiry_phrase() {
        let _ = write!(message, " ({phrase})");
    }
    let mut body = function_line(function);
    let _ = writeln!(body, "domain: {}", v.domain);
    if !v.path.is_empty() {
        let _ = writeln!(body, "path: {}", v.path.join(" → "));
    }
    if !v.causes.is_empty() {
        let _ = writeln!(body, "causes: {}", v.causes.join(", "));
    }
    let _ = writeln!(body, "fix: {}", v.hint);
    if let Some(phrase) = v.expiry_phrase() {
        let _ = writeln!(body, "baseline: {phrase}");
    }
    let _ = writeln!(
        out,
        "      <failure message=\"{}\" type=\"violation\">{}</failure>",
        attr(&message),
        text(&body)
    );
}

fn write_skipped(out: &mut String, function: &FunctionOutcome, baselined: &[&ViolationOutcome]) {
    let mut reasons: Vec<&str> = Vec::new();
    for v in baselined {
        if !reasons.contains(&reason(v)) {
            reasons.push(reason(v));
        }
    }
    let message = format!("baselined: {}", reasons.join("; "));
    let mut body = function_line(function);
    body.extend(baselined.iter().map(|v| baselined_line(v)));
    let _ = writeln!(
        out,
        "      <skipped message=\"{}\">{}</skipped>",
        attr(&message),
        text(&body)
    );
}

/// `function: ID (criticality) — description`, newline-terminated.
fn function_line(function: &FunctionOutcome) -> String {
    let mut line = format!("function: {} ({})", function.id, function.criticality);
    if let Some(d) = &function.description {
        let _ = write!(line, " — {d}");
    }
    line.push('\n');
    line
}

fn reason(v: &ViolationOutcome) -> &str {
    v.baselined
        .as_ref()
        .and_then(|b| b.reason.as_deref())
        .unwrap_or("no reason given")
}

/// `domain: D (baselined: REASON, until DATE)`, newline-terminated.
fn baselined_line(v: &ViolationOutcome) -> String {
    let until = v
        .baselined
        .as_ref()
        .and_then(|b| b.expires.as_deref())
        .map_or(String::new(), |e| format!(", until {e}"));
    format!("domain: {} (baselined: {}{until})\n", v.domain, reason(v))
}

/// Whether XML 1.0 allows the character at all.
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `value` escaped for an attribute in double quotes.
pub(crate) fn attr(value: &str) -> String {
    escape(value, true)
}

/// `value` escaped for element content.
pub(crate) fn text(value: &str) -> String {
    escape(value, false)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().filter(|&c| allowed_in_xml(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::check::BaselineNote;

    fn violation(domain: &str, reason: Option<&str>) -> ViolationOutcome {
        ViolationOutcome {
            domain: domain.into(),
            domains: Vec::new(),
            path: vec!["f".into(), "db".into()],
            causes: vec!["db".into()],
            fingerprint: "0".repeat(16),
            hint: "add a deployment in another zone".into(),
            baselined: reason.map(|r| BaselineNote {
                reason: Some(r.into()),
                expires: Some("2027-01-01".into()),
            }),
            expired: None,
        }
    }

    fn function(id: &str, violations: Vec<ViolationOutcome>) -> FunctionOutcome {
        FunctionOutcome {
            id: id.into(),
            criticality: "high".into(),
            description: None,
            position: None,
            violations,
        }
    }

    fn report(functions: Vec<FunctionOutcome>) -> CheckReport {
        CheckReport {
            policy_file: "policy.toml".into(),
            rules: vec![RuleOutcome {
                name: "Everything survives a zone".into(),
                position: None,
                must_survive: vec!["zone".into()],
                functions,
            }],
            stale_baseline: Vec::new(),
            with_baseline: true,
            node_positions: BTreeMap::new(),
        }
    }

    #[test]
    fn a_passing_function_is_an_empty_test_case() {
        let xml = to_junit(&report(vec![function("ok", vec![])]));
        assert!(xml
            .contains("<testcase classname=\"blastmap.everything-survives-a-zone\" name=\"ok\"/>"));
        assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""));
    }

    #[test]
    fn each_new_violation_is_a_failure_and_the_case_counts_once() {
        let xml = to_junit(&report(vec![function(
            "pay",
            vec![violation("zone:a", None), violation("zone:b", None)],
        )]));
        assert_eq!(xml.matches("<failure ").count(), 2);
        assert!(xml.contains("message=\"pay goes down when zone:a fails\" type=\"violation\""));
        assert!(xml.contains("path: f → db\n"));
        assert!(xml.contains("tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\""));
    }

    #[test]
    fn only_baselined_violations_skip_the_case() {
        let xml = to_junit(&report(vec![function(
            "pay",
            vec![violation("zone:a", Some("ticket 7"))],
        )]));
        assert!(xml.contains("<skipped message=\"baselined: ticket 7\">"));
        assert!(xml.contains("domain: zone:a (baselined: ticket 7, until 2027-01-01)"));
        assert!(!xml.contains("<failure"));
        assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\""));
    }

    #[test]
    fn a_new_violation_fails_the_case_even_beside_baselined_ones() {
        let xml = to_junit(&report(vec![function(
            "pay",
            vec![
                violation("zone:a", Some("ticket 7")),
                violation("zone:b", None),
            ],
        )]));
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(!xml.contains("<skipped"));
        assert!(xml.contains("<system-out>also accepted by the baseline:\ndomain: zone:a"));
    }

    #[test]
    fn escaping_covers_markup_quotes_and_invalid_characters() {
        assert_eq!(attr("a&b<c>\"d'e"), "a&amp;b&lt;c&gt;&quot;d&apos;e");
        assert_eq!(attr("l1\nl2\tx\ry"), "l1&#10;l2&#9;x&#13;y");
        assert_eq!(text("l1\nl2]]>"), "l1\nl2]]&gt;");
        assert_eq!(text("bell\u{7}\u{0}nul\u{FFFE}é"), "bellnulé");
    }
}
