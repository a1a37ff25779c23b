//! `check --format github`: GitHub Actions workflow commands, so a failing
//! check annotates the estate file in the pull request.
//!
//! - One `::error` per function with new violations (across all rules),
//!   most critical first, then by id, at the function's definition, listing
//!   the rules it breaks and their domains. GitHub shows at most
//!   [`MAX_ANNOTATIONS`] error annotations per step: with more functions,
//!   the first nine are annotated and a tenth says how many functions and
//!   violations were left out and where to see them all.
//! - A violation whose baseline entry has expired is annotated like a new
//!   one, its domain followed by "(baseline entry expired on DATE)".
//! - Baselined violations are not annotated. Each stale baseline entry is a
//!   `::warning` (at most [`MAX_ANNOTATIONS`] too, the same way).
//! - A plain summary line ends the output.
//!
//! Every annotation is one line: messages escape `%`, CR and LF; property
//! values (`file`, `title`) escape `:` and `,` as well, as GitHub's
//! toolkit does. Before that, every text from the inputs is escaped for
//! display (`model::text`): the decoded annotation shows `\x1b` or
//! `\u{202e}`, never the raw character, in the log or the pull request.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::check::{
    BaselineEntryOutcome, CheckReport, RuleOutcome, SourcePosition, ViolationOutcome,
};
use crate::model::text::{escape_for_display, escape_lines_for_display};

/// GitHub shows at most this many error (and as many warning) annotations
/// per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// Domains listed per rule in one annotation.
const DOMAINS_SHOWN: usize = 20;

/// The workflow commands of a `check` run, one per line, then a summary.
pub fn to_github(report: &CheckReport) -> String {
    let failing = failing_functions(report);
    let mut out = String::new();
    write_errors(&mut out, &failing);
    write_stale_warnings(&mut out, &report.stale_baseline);
    let new = report.new_violations().count();
    let baselined = report.all_violations().count() - new;
    let _ = writeln!(
        out,
        "blastmap check {}: {new} new violation(s) in {} function(s), {baselined} baselined, {} stale baseline entr{}",
        if new == 0 { "passed" } else { "failed" },
        failing.len(),
        report.stale_baseline.len(),
        if report.stale_baseline.len() == 1 { "y" } else { "ies" }
    );
    out
}

/// A function with new violations, under every rule it breaks.
struct FailingFunction<'a> {
    id: &'a str,
    criticality: &'a str,
    position: Option<&'a SourcePosition>,
    rules: Vec<(&'a RuleOutcome, Vec<&'a ViolationOutcome>)>,
}

impl FailingFunction<'_> {
    fn violation_count(&self) -> usize {
        self.rules.iter().map(|(_, vs)| vs.len()).sum()
    }
}

/// Functions with new violations, most critical first, then in id order.
fn failing_functions(report: &CheckReport) -> Vec<FailingFunction<'_>> {
    let mut by_id: BTreeMap<&str, FailingFunction<'_>> = BTreeMap::new();
    for rule in &report.rules {
        for f in &rule.functions {
            let new: Vec<&ViolationOutcome> = f
                .violations
                .iter()
                .filter(|v| v.baselined.is_none())
                .collect();
            if new.is_empty() {
                continue;
            }
            let entry = by_id.entry(&f.id).or_insert_with(|| FailingFunction {
                id: &f.id,
                criticality: &f.criticality,
                position: None,
                rules: Vec::new(),
            });
            entry.position = entry.position.or(f.position.as_ref());
            entry.rules.push((rule, new));
        }
    }
    let mut failing: Vec<FailingFunction<'_>> = by_id.into_values().collect();
    failing.sort_by_key(|f| criticality_rank(f.criticality));
    failing
}

fn criticality_rank(criticality: &str) -> u8 {
    match criticality {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

fn write_errors(out: &mut String, failing: &[FailingFunction<'_>]) {
    let shown = if failing.len() > MAX_ANNOTATIONS {
        MAX_ANNOTATIONS - 1
    } else {
        failing.len()
    };
    for f in &failing[..shown] {
        let title = format!(
            "blastmap: {} goes down under {} domain(s)",
            escape_for_display(f.id),
            f.violation_count()
        );
        write_command(out, "error", f.position, &title, &function_message(f));
    }
    let left_out = &failing[shown..];
    if !left_out.is_empty() {
        let violations: usize = left_out.iter().map(FailingFunction::violation_count).sum();
        let message = format!(
            "{} more function(s) with {violations} new violation(s) are not annotated: GitHub shows \
             at most {MAX_ANNOTATIONS} error annotations per step. See the full report with \
             `blastmap check --format text`, or upload `--format sarif` to code scanning.",
            left_out.len()
        );
        let title = format!("blastmap: {} more failing function(s)", left_out.len());
        write_command(out, "error", None, &title, &message);
    }
}

/// What the function breaks: per rule its domains, then the path and
/// causes under the first one and how to fix it.
fn function_message(f: &FailingFunction<'_>) -> String {
    let with_pairs = f
        .rules
        .iter()
        .any(|(_, vs)| vs.iter().any(|v| !v.domains.is_empty()));
    let mut message = format!(
        "{} ({}) goes down when one of these fails alone{}:",
        escape_for_display(f.id),
        escape_for_display(f.criticality),
        if with_pairs {
            " (a pair `a + b`: both together)"
        } else {
            ""
        }
    );
    for (rule, violations) in &f.rules {
        let domains: Vec<String> = violations
            .iter()
            .take(DOMAINS_SHOWN)
            .map(
                |v| match v.expired.as_ref().and_then(|e| e.expires.as_deref()) {
                    Some(date) => format!(
                        "{} (baseline entry expired on {})",
                        escape_for_display(&v.domain),
                        escape_for_display(date)
                    ),
                    None => escape_for_display(&v.domain).into_owned(),
                },
            )
            .collect();
        let _ = write!(
            message,
            "\nrule \"{}\": {}",
            escape_for_display(&rule.name),
            domains.join(", ")
        );
        if violations.len() > domains.len() {
            let _ = write!(message, " and {} more", violations.len() - domains.len());
        }
    }
    let first = f.rules[0].1[0];
    if !first.path.is_empty() {
        let _ = write!(
            message,
            "\npath under {}: {}",
            escape_for_display(&first.domain),
            escape_for_display(&first.path.join(" → "))
        );
    }
    if !first.causes.is_empty() {
        let _ = write!(
            message,
            "\ncauses: {}",
            escape_for_display(&first.causes.join(", "))
        );
    }
    let _ = write!(message, "\nfix: {}", escape_for_display(&first.hint));
    message
}

fn write_stale_warnings(out: &mut String, stale: &[BaselineEntryOutcome]) {
    let shown = if stale.len() > MAX_ANNOTATIONS {
        MAX_ANNOTATIONS - 1
    } else {
        stale.len()
    };
    for e in &stale[..shown] {
        let message = format!(
            "The baseline entry for rule \"{}\", function {} under {} (fingerprint {}) no longer \
             occurs; remove it from the baseline.",
            escape_for_display(&e.rule),
            escape_for_display(&e.function),
            escape_for_display(&e.domain),
            escape_for_display(&e.fingerprint)
        );
        write_command(
            out,
            "warning",
            None,
            "blastmap: stale baseline entry",
            &message,
        );
    }
    let left_out = stale.len() - shown;
    if left_out > 0 {
        let message = format!(
            "{left_out} more stale baseline entries are not annotated; see them all with \
             `blastmap check --format text`."
        );
        let title = format!("blastmap: {left_out} more stale baseline entries");
        write_command(out, "warning", None, &title, &message);
    }
}

/// `::KIND file=F,line=L,col=C,title=T::MESSAGE` and a newline. The file
/// and title are escaped for display, and so is the message but for its
/// line feeds (its callers escape each input value in it, line feeds too):
/// nothing raw reaches the log whatever a caller forgets.
fn write_command(
    out: &mut String,
    kind: &str,
    position: Option<&SourcePosition>,
    title: &str,
    message: &str,
) {
    let _ = write!(out, "::{kind} ");
    if let Some(p) = position {
        let _ = write!(
            out,
            "file={},line={},col={},",
            escape_property(&escape_for_display(&p.file)),
            p.line,
            p.column
        );
    }
    let _ = writeln!(
        out,
        "title={}::{}",
        escape_property(&escape_for_display(title)),
        escape_data(&escape_lines_for_display(message))
    );
}

/// A workflow command's message: `%`, CR and LF as `%25`, `%0D`, `%0A`.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as [`escape_data`], and `:` and
/// `,` as `%3A` and `%2C`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::check::{BaselineNote, FunctionOutcome};

    fn violation(domain: &str, baselined: bool) -> ViolationOutcome {
        ViolationOutcome {
            domain: domain.into(),
            domains: Vec::new(),
            path: vec!["f".into(), "db".into()],
            causes: vec!["db".into()],
            fingerprint: "0".repeat(16),
            hint: "add a deployment in another region".into(),
            baselined: baselined.then(BaselineNote::default),
            expired: None,
        }
    }

    fn function(id: &str, criticality: &str, violations: Vec<ViolationOutcome>) -> FunctionOutcome {
        FunctionOutcome {
            id: id.into(),
            criticality: criticality.into(),
            description: None,
            position: Some(SourcePosition {
                file: "estate.yaml".into(),
                line: 4,
                column: 3,
            }),
            violations,
        }
    }

    fn rule(name: &str, functions: Vec<FunctionOutcome>) -> RuleOutcome {
        RuleOutcome {
            name: name.into(),
            position: None,
            must_survive: vec!["region".into()],
            functions,
        }
    }

    fn report(rules: Vec<RuleOutcome>) -> CheckReport {
        CheckReport {
            policy_file: "policy.toml".into(),
            rules,
            stale_baseline: Vec::new(),
            with_baseline: false,
            node_positions: BTreeMap::new(),
        }
    }

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\nx: a, b"), "100%25%0D%0Ax: a, b");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn one_annotation_per_function_across_rules() {
        let out = to_github(&report(vec![
            rule(
                "r1",
                vec![function("pay", "high", vec![violation("region:a", false)])],
            ),
            rule(
                "r2",
                vec![function("pay", "high", vec![violation("zone:b", false)])],
            ),
        ]));
        let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
        assert_eq!(errors.len(), 1, "{out}");
        assert!(errors[0].starts_with(
            "::error file=estate.yaml,line=4,col=3,title=blastmap%3A pay goes down under 2 domain(s)::"
        ));
        assert!(errors[0].contains("%0Arule \"r1\": region:a%0Arule \"r2\": zone:b"));
    }

    #[test]
    fn most_critical_functions_come_first() {
        let out = to_github(&report(vec![rule(
            "r",
            vec![
                function("a", "low", vec![violation("region:a", false)]),
                function("b", "critical", vec![violation("region:a", false)]),
            ],
        )]));
        let first = out.lines().next().unwrap();
        assert!(first.contains("title=blastmap%3A b goes"), "{out}");
    }

    #[test]
    fn baselined_violations_are_not_annotated() {
        let out = to_github(&report(vec![rule(
            "r",
            vec![function("a", "low", vec![violation("region:a", true)])],
        )]));
        assert_eq!(
            out,
            "blastmap check passed: 0 new violation(s) in 0 function(s), 1 baselined, 0 stale baseline entries\n"
        );
    }

    #[test]
    fn more_than_ten_functions_give_nine_and_a_summary() {
        let functions = (0..12)
            .map(|i| {
                function(
                    &format!("f{i:02}"),
                    "high",
                    vec![violation("region:a", false)],
                )
            })
            .collect();
        let out = to_github(&report(vec![rule("r", functions)]));
        let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
        assert_eq!(errors.len(), MAX_ANNOTATIONS);
        assert!(errors[8].contains("f08 goes down"));
        assert!(
            errors[9].starts_with("::error title=blastmap%3A 3 more failing function(s)::3 more")
        );
    }

    #[test]
    fn stale_entries_are_warnings_capped_at_ten() {
        let mut r = report(vec![]);
        r.stale_baseline = (0..11)
            .map(|i| BaselineEntryOutcome {
                rule: "r".into(),
                function: format!("f{i}"),
                domain: "zone:a".into(),
                fingerprint: "0".repeat(16),
            })
            .collect();
        let out = to_github(&r);
        let warnings: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("::warning "))
            .collect();
        assert_eq!(warnings.len(), MAX_ANNOTATIONS);
        assert!(warnings[9].contains("2 more stale baseline entries"));
        assert!(out.ends_with("0 baselined, 11 stale baseline entries\n"));
    }
}
