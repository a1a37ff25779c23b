//! Problems with the inputs (an invalid estate, policy or baseline), in the
//! format the user asked for, so CI shows them at their file and line like
//! any finding: SARIF results, GitHub `::error` annotations, JUnit failing
//! test cases, or a JSON `{"errors": [...]}` object. The text form is
//! [`Diagnostic::render`], on stderr.
//!
//! Each renderer keeps the diagnostics' order and writes the same bytes for
//! the same diagnostics.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::sarif_model::{ArtifactLocation, Location, Log, PhysicalLocation, Region, Text};
use serde_json::{Map, Value};

use crate::diag::{Diagnostic, Severity};

/// Where a diagnostic points, as the formats want it: file, then the
/// 1-based line and column when the position is known.
fn position(d: &Diagnostic) -> (Option<String>, Option<(usize, usize)>) {
    match &d.span {
        Some(span) => (Some(span.file.name.clone()), Some(span.line_col())),
        None => (d.file.clone(), None),
    }
}

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The message with the node, notes and help a person needs, in one text.
fn full_message(d: &Diagnostic) -> String {
    let mut out = d.message.clone();
    if let Some(node) = &d.node {
        let _ = write!(out, " (node `{node}`)");
    }
    for note in &d.notes {
        let _ = write!(out, "\nnote: {note}");
    }
    if let Some(help) = &d.help {
        let _ = write!(out, "\nhelp: {help}");
    }
    out
}

/// `{"errors": [{"code", "column", "file", "help", "line", "message",
/// "node", "severity"}]}`, keys sorted, absent values `null`, pretty JSON
/// ending in a newline. Warnings are entries too (`"severity": "warning"`).
pub fn to_json(diagnostics: &[Diagnostic]) -> String {
    let errors: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let (file, at) = position(d);
            let mut m = Map::new();
            m.insert("code".into(), d.code.as_str().into());
            m.insert("column".into(), at.map(|a| a.1).into());
            m.insert("file".into(), file.into());
            m.insert("help".into(), d.help.clone().into());
            m.insert("line".into(), at.map(|a| a.0).into());
            m.insert("message".into(), d.message.clone().into());
            m.insert("node".into(), d.node.clone().into());
            m.insert("severity".into(), severity(d).into());
            Value::Object(m)
        })
        .collect();
    let mut top = Map::new();
    top.insert("errors".into(), Value::Array(errors));
    let mut s = serde_json::to_string_pretty(&Value::Object(top)).expect("plain data serialises");
    s.push('\n');
    s
}

/// One `::error` (or `::warning`) workflow command per diagnostic, at its
/// file, line and column when known, escaped for display (`model::text`:
/// no raw control or bidi character from an input reaches the log), then
/// as GitHub's toolkit does.
pub fn to_github(diagnostics: &[Diagnostic]) -> String {
    use super::github::{escape_data, escape_property};
    use crate::model::text::{escape_for_display, escape_lines_for_display};
    let mut out = String::new();
    for d in diagnostics {
        let _ = write!(out, "::{} ", severity(d));
        let (file, at) = position(d);
        if let Some(file) = file {
            let _ = write!(out, "file={},", escape_property(&escape_for_display(&file)));
        }
        if let Some((line, col)) = at {
            let _ = write!(out, "line={line},col={col},");
        }
        let title = format!("blastmap {}", d.code);
        let _ = writeln!(
            out,
            "title={}::{}",
            escape_property(&title),
            escape_data(&escape_lines_for_display(&format!(
                "[{}] {}",
                d.code,
                full_message(d)
            )))
        );
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "blastmap: {errors} error(s), {} warning(s) in the inputs",
        diagnostics.len() - errors
    );
    out
}

/// A JUnit document with one test case per diagnostic: errors fail, with a
/// `<failure type=CODE>`; warnings pass, their text in `<system-out>`.
pub fn to_junit(diagnostics: &[Diagnostic]) -> String {
    use super::junit::{attr, text};
    let failures = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut cases = String::new();
    for d in diagnostics {
        let name = d.location().unwrap_or_else(|| "input".to_owned());
        let _ = writeln!(
            cases,
            "    <testcase classname=\"blastmap.inputs\" name=\"{} {}\">",
            attr(&name),
            attr(d.code.as_str())
        );
        let body = text(&format!("{d}\n"));
        match d.severity {
            Severity::Error => {
                let _ = writeln!(
                    cases,
                    "      <failure type=\"{}\" message=\"{}\">{body}</failure>",
                    attr(d.code.as_str()),
                    attr(&d.message)
                );
            }
            Severity::Warning => {
                let _ = writeln!(cases, "      <system-out>{body}</system-out>");
            }
        }
        cases.push_str("    </testcase>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\"",
        diagnostics.len()
    );
    let _ = writeln!(out, "<testsuites name=\"blastmap check\" {counts}>");
    let _ = writeln!(out, "  <testsuite name=\"inputs\" {counts}>");
    out.push_str(&cases);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    /// The other side of a conflict, so code scanning shows both lines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

/// The related positions of a diagnostic, numbered from 0.
fn related_locations(d: &Diagnostic) -> Vec<Location> {
    d.related
        .iter()
        .enumerate()
        .map(|(id, r)| {
            let (start_line, start_column) = r.span.line_col();
            Location {
                id: Some(id),
                physical_location: Some(PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: r.span.file.name.clone(),
                    },
                    region: Some(Region {
                        start_line,
                        start_column,
                    }),
                }),
                message: Some(Text {
                    text: r.message.clone(),
                }),
            }
        })
        .collect()
}

/// A SARIF 2.1.0 log of the diagnostics: one rule per code that occurs
/// (`ruleId` = the code, in byte order), one result per diagnostic with
/// level `error` or `warning`, located at its file and line when known.
/// `executionSuccessful` is false when an error stopped the run.
pub fn to_sarif(diagnostics: &[Diagnostic], tool_version: &str) -> String {
    let codes: BTreeMap<&'static str, usize> = {
        let mut seen: Vec<&'static str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.into_iter().enumerate().map(|(i, c)| (c, i)).collect()
    };
    let results = diagnostics
        .iter()
        .map(|d| {
            let (file, at) = position(d);
            let locations = file
                .map(|uri| Location {
                    id: None,
                    physical_location: Some(PhysicalLocation {
                        artifact_location: ArtifactLocation { uri },
                        region: at.map(|(start_line, start_column)| Region {
                            start_line,
                            start_column,
                        }),
                    }),
                    message: None,
                })
                .into_iter()
                .collect();
            SarifResult {
                rule_id: d.code.as_str(),
                rule_index: codes[d.code.as_str()],
                level: severity(d),
                message: Text {
                    text: full_message(d),
                },
                locations,
                related_locations: related_locations(d),
            }
        })
        .collect();
    let rules = codes
        .keys()
        .map(|&c| Descriptor { id: c, name: c })
        .collect();
    let invocation = Invocation {
        execution_successful: !diagnostics.iter().any(|d| d.severity == Severity::Error),
    };
    Log::new(tool_version, rules, invocation, results).to_pretty_json()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::diag::{Code, SourceFile, Span};

    fn located() -> Diagnostic {
        let file = Arc::new(SourceFile::new("e,1.yaml", Arc::from("a: 1\nb: 2\n")));
        Diagnostic::error(Code::UnknownField, "unknown field `b`")
            .at(Some(Span { file, range: 5..6 }))
            .node("n")
            .help("remove it")
    }

    #[test]
    fn json_errors_have_every_field_with_nulls_for_the_unknown() {
        let warning = Diagnostic::warning(Code::MissingVersion, "no version").in_file("x.yaml");
        let v: Value = serde_json::from_str(&to_json(&[located(), warning])).unwrap();
        let first = &v["errors"][0];
        assert_eq!(first["code"], "unknown-field");
        assert_eq!(
            (first["line"].as_u64(), first["column"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(first["file"], "e,1.yaml");
        assert_eq!(first["node"], "n");
        assert_eq!(v["errors"][1]["severity"], "warning");
        assert!(v["errors"][1]["line"].is_null());
    }

    #[test]
    fn github_annotations_escape_the_file_and_point_at_the_line() {
        let out = to_github(&[located()]);
        let first = out.lines().next().unwrap();
        assert!(
            first
                .starts_with("::error file=e%2C1.yaml,line=2,col=1,title=blastmap unknown-field::"),
            "{first}"
        );
        assert!(first.contains("%0Ahelp: remove it"), "{first}");
    }

    #[test]
    fn sarif_results_name_the_code_and_junit_fails_on_errors_only() {
        let warning = Diagnostic::warning(Code::MissingVersion, "no version").in_file("x.yaml");
        let v: Value = serde_json::from_str(&to_sarif(&[located(), warning.clone()], "1")).unwrap();
        let results = &v["runs"][0]["results"];
        assert_eq!(results[0]["ruleId"], "unknown-field");
        assert_eq!(results[0]["ruleIndex"], 1);
        assert_eq!(results[1]["level"], "warning");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
        let junit = to_junit(&[located(), warning]);
        assert!(junit.contains("tests=\"2\" failures=\"1\""), "{junit}");
    }
}
