//! Output that attacks its reader (issue 16, items 10 and 11): ids,
//! descriptions, zones, regions, tag values, rule names and file names
//! written to rewrite a terminal (`ESC [2J`), overwrite a line (CR), hide or
//! reorder text (U+202E, U+200B) or run in a spreadsheet (`=cmd|...`).
//! Every format a person reads must show them escaped (`\x1b`, `\u{202e}`),
//! and CSV cells that would run as formulas carry a `'` prefix.
//!
//! The estates are generated here. What counts as hostile is written out
//! below, independently of the library's own list.

use std::path::Path;

use serde_json::json;

use crate::util::{exec, path_str, temp_dir};

/// A function id that clears the screen.
const FUNCTION: &str = "f\u{1b}[2Jx";
const FUNCTION_SHOWN: &str = r"f\x1b[2Jx";
/// A description that reverses the text after it and returns the carriage.
const DESCRIPTION: &str = "pay \u{202e}lave\r ok";
const DESCRIPTION_SHOWN: &str = r"pay \u{202e}lave\r ok";
/// A service id a spreadsheet would run.
const SERVICE: &str = "=cmd|' /C calc'!A0";
/// A function id a spreadsheet would run, with a comma (so the cell is quoted).
const FORMULA_FUNCTION: &str = "=cmd|' /C calc'!A0,+1";
/// More formula starts: `+`, `-`, `@`.
const PLUS_FUNCTION: &str = "+1+2";
const MINUS_FUNCTION: &str = "-1\u{1b}]0;t\u{7}";
const AT_FUNCTION: &str = "@SUM(A1)";
/// A database whose id ends in a bidi override, a tab and a line feed.
const DATABASE: &str = "db\u{202e}\t\n";
const DATABASE_SHOWN: &str = r"db\u{202e}\t\n";
/// A region that sets the terminal's title and rings the bell.
const REGION: &str = "us-east-1\u{1b}]0;pwn\u{7}";
const REGION_SHOWN: &str = r"us-east-1\x1b]0;pwn\x07";
/// A zone with a zero-width space.
const ZONE: &str = "z\u{200b}one";
const ZONE_SHOWN: &str = r"z\u{200b}one";
/// A rule name that clears the screen and reverses the text.
const RULE_SHOWN: &str = r"survive\x1b[2J a zone \u{202e}";

/// Characters that must never reach a reader raw: C0 controls but the line
/// feeds that lay out the output, DEL, C1 controls, bidi controls, and the
/// invisible format characters.
fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{61c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Fails, naming the output and the first hostile character, when `output`
/// holds a raw one.
fn assert_no_raw_hostile_character(what: &str, output: &str) {
    if let Some((i, c)) = output.char_indices().find(|&(_, c)| is_hostile(c)) {
        panic!("{what}: raw {c:?} at byte {i} in:\n{output:?}");
    }
}

/// Fails unless `output` shows each of `needles`.
fn assert_shows(what: &str, output: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            output.contains(needle),
            "{what}: {needle:?} not shown in:\n{output}"
        );
    }
}

/// The hostile estate, as JSON (`\u001b` escapes in the file, the raw
/// characters in the ids once loaded).
fn hostile_estate() -> String {
    let formula_function = |id: &str| {
        (
            id.to_owned(),
            json!({"criticality": "low", "requires": [SERVICE]}),
        )
    };
    let mut functions = serde_json::Map::new();
    functions.insert(
        FUNCTION.to_owned(),
        json!({"description": DESCRIPTION, "criticality": "critical", "requires": [SERVICE]}),
    );
    for id in [FORMULA_FUNCTION, PLUS_FUNCTION, MINUS_FUNCTION, AT_FUNCTION] {
        let (id, body) = formula_function(id);
        functions.insert(id, body);
    }
    let estate = json!({
        "version": 1,
        "functions": functions,
        "services": {
            SERVICE: {
                "region": REGION,
                "zones": [ZONE, "z2"],
                "tags": {"team": "a\rb"},
                "requires": [DATABASE],
            },
            DATABASE: {"region": REGION, "zones": [ZONE]},
        },
    });
    serde_json::to_string_pretty(&estate).expect("the estate serialises")
}

/// Writes the hostile estate into `dir`; returns its path.
fn write_hostile_estate(dir: &Path) -> String {
    let path = dir.join("estate.json");
    std::fs::write(&path, hostile_estate()).expect("the estate can be written");
    path_str(&path)
}

/// `blastmap ARGS` that must exit with `code`; returns stdout and stderr.
fn run_expecting(code: i32, args: &[&str]) -> (String, String) {
    let (got, out, err) = exec(args);
    assert_eq!(got, code, "blastmap {args:?}:\n{out}\n{err}");
    (out, err)
}

#[test]
fn analyze_text_and_markdown_show_hostile_ids_descriptions_and_domains_escaped() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    let zone = format!("zone:{ZONE}");
    for format in ["text", "markdown"] {
        let (out, err) = run_expecting(
            0,
            &["analyze", &estate, "--fail", &zone, "--format", format],
        );
        let what = format!("analyze --format {format}");
        assert_no_raw_hostile_character(&what, &out);
        assert_no_raw_hostile_character(&what, &err);
        assert_shows(&what, &out, &[FUNCTION_SHOWN, DATABASE_SHOWN, ZONE_SHOWN]);
    }
    let (text, _) = run_expecting(0, &["analyze", &estate, "--fail", &zone]);
    assert_shows(
        "analyze text",
        &text,
        &[DESCRIPTION_SHOWN, REGION_SHOWN, SERVICE],
    );
}

#[test]
fn coloured_text_holds_only_blastmaps_own_colour_sequences() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    let zone = format!("zone:{ZONE}");
    let (out, _) = run_expecting(
        0,
        &["analyze", &estate, "--fail", &zone, "--color", "always"],
    );
    // Every ESC starts a Select Graphic Rendition: `ESC [` digits and `;`, then `m`.
    for (i, _) in out.match_indices('\u{1b}') {
        let rest = &out[i + 1..];
        let end = rest.find('m').unwrap_or(rest.len());
        let body = &rest[..end];
        assert!(
            body.starts_with('[') && body[1..].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "an ESC that is not a colour at byte {i}: {:?}",
            &out[i..(i + 12).min(out.len())]
        );
    }
    assert_shows("analyze --color always", &out, &[FUNCTION_SHOWN]);
}

#[test]
fn sweep_text_and_markdown_show_hostile_ids_and_domains_escaped() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    for format in ["text", "markdown"] {
        let (out, err) = run_expecting(0, &["sweep", &estate, "--format", format]);
        let what = format!("sweep --format {format}");
        assert_no_raw_hostile_character(&what, &out);
        assert_no_raw_hostile_character(&what, &err);
        assert_shows(&what, &out, &[FUNCTION_SHOWN, REGION_SHOWN, ZONE_SHOWN]);
    }
}

/// A small RFC 4180 reader: fields split on `,`, records on CRLF or LF,
/// quoted fields may hold `,`, `""` and line breaks. `Err` on a stray quote.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    Some('"') => break,
                    Some(c) => field.push(c),
                    None => return Err("a quoted field is not closed".into()),
                }
            },
            '"' => return Err(format!("a quote inside the unquoted field {field:?}")),
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            c => field.push(c),
        }
        at_field_start = matches!(c, ',' | '\n');
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// What a program reading the CSV does with the OWASP prefix: drops a `'`
/// put before a formula character.
fn without_formula_prefix(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

#[test]
fn sweep_csv_prefixes_formula_cells_escapes_controls_and_round_trips() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    let (out, err) = run_expecting(0, &["sweep", &estate, "--format", "csv"]);
    assert_no_raw_hostile_character("sweep --format csv", &out);
    assert_no_raw_hostile_character("sweep --format csv (stderr)", &err);
    let records = parse_csv(&out).unwrap_or_else(|e| panic!("not RFC 4180 ({e}):\n{out}"));
    for record in &records {
        assert_eq!(record.len(), records[0].len(), "ragged CSV:\n{out}");
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet runs: {cell:?} in\n{out}"
            );
        }
    }
    let header: Vec<&str> = records[0]
        .iter()
        .map(|c| without_formula_prefix(c))
        .collect();
    assert_eq!(&header[..2], ["function", "criticality"]);
    assert!(
        header.contains(&&*format!("region:{REGION_SHOWN}")),
        "{header:?}"
    );
    assert!(
        header.contains(&&*format!("zone:{ZONE_SHOWN}")),
        "{header:?}"
    );
    let mut functions: Vec<&str> = records[1..]
        .iter()
        .map(|r| without_formula_prefix(&r[0]))
        .collect();
    functions.sort_unstable();
    let mut expected = [
        FUNCTION_SHOWN,
        "=cmd|' /C calc'!A0,+1",
        "+1+2",
        r"-1\x1b]0;t\x07",
        "@SUM(A1)",
    ];
    expected.sort_unstable();
    assert_eq!(functions, expected, "{out}");
    assert!(
        out.contains("\"'=cmd|' /C calc'!A0,+1\""),
        "the formula cell with a comma is prefixed inside its quotes:\n{out}"
    );
    for record in &records[1..] {
        assert!(
            record[2..]
                .iter()
                .all(|s| ["up", "down", "degraded"].contains(&s.as_str())),
            "{record:?}"
        );
    }
}

#[test]
fn spof_text_shows_hostile_ids_and_placements_escaped() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    let (out, err) = run_expecting(0, &["spof", &estate]);
    assert_no_raw_hostile_character("spof", &out);
    assert_no_raw_hostile_character("spof (stderr)", &err);
    assert_shows(
        "spof",
        &out,
        &[
            FUNCTION_SHOWN,
            DATABASE_SHOWN,
            REGION_SHOWN,
            ZONE_SHOWN,
            SERVICE,
        ],
    );
}

/// A policy whose rule name clears the screen and reverses the text.
fn write_hostile_policy(dir: &Path) -> String {
    let path = dir.join("policy.toml");
    let policy = "[[rule]]\nname = \"survive\\u001B[2J a zone \\u202E\"\nfunctions = \"*\"\nmust_survive = [\"zone\", \"node\"]\n";
    std::fs::write(&path, policy).expect("the policy can be written");
    path_str(&path)
}

#[test]
fn check_text_and_github_show_hostile_ids_and_rule_names_escaped() {
    let dir = temp_dir();
    let estate = write_hostile_estate(dir.path());
    let policy = write_hostile_policy(dir.path());
    for format in ["text", "github"] {
        let (out, err) = run_expecting(
            1,
            &["check", &estate, "--policy", &policy, "--format", format],
        );
        let what = format!("check --format {format}");
        assert_no_raw_hostile_character(&what, &out);
        assert_no_raw_hostile_character(&what, &err);
        assert_shows(
            &what,
            &out,
            &[FUNCTION_SHOWN, RULE_SHOWN, ZONE_SHOWN, DATABASE_SHOWN],
        );
    }
}

/// An estate file in YAML with raw hostile characters in the text itself:
/// a bidi override in an unknown reference (so the offending line shown
/// under the diagnostic holds it) and an ESC id written with YAML's `\e`.
const YAML_UNKNOWN_REFERENCE: &str =
    "version: 1\nfunctions:\n  \"f\\e[2Jx\":\n    requires: [ghost\u{202e}gnp.exe]\n";

#[test]
fn stderr_diagnostics_show_hostile_ids_source_lines_and_file_names_escaped() {
    let dir = temp_dir();
    // The file's own name reverses the text too.
    let estate = dir.path().join("estate\u{202e}lmay.yaml");
    std::fs::write(&estate, YAML_UNKNOWN_REFERENCE).expect("the estate can be written");
    let estate = path_str(&estate);
    for color in ["never", "always"] {
        let (_, err) = run_expecting(
            2,
            &["analyze", &estate, "--fail", "region:x", "--color", color],
        );
        let what = format!("stderr, --color {color}");
        let uncoloured = strip_colour(&err);
        assert_no_raw_hostile_character(&what, &uncoloured);
        assert_shows(
            &what,
            &uncoloured,
            &[
                "unknown-reference",
                r"ghost\u{202e}gnp.exe",
                r"estate\u{202e}lmay.yaml",
            ],
        );
    }
}

/// `text` without blastmap's own colour sequences (`ESC [ ... m`), which
/// [`coloured_text_holds_only_blastmaps_own_colour_sequences`] checks.
fn strip_colour(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[i..i + 2]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn stderr_diagnostics_show_a_raw_escape_in_the_offending_line_escaped() {
    let dir = temp_dir();
    let estate = dir.path().join("raw.yaml");
    std::fs::write(
        &estate,
        "version: 1\nfunctions:\n  f\u{1b}[2J\u{202e}: {}\n",
    )
    .expect("the estate can be written");
    let (_, err) = run_expecting(2, &["analyze", &path_str(&estate), "--fail", "region:x"]);
    assert_no_raw_hostile_character("malformed-yaml on stderr", &err);
    assert_shows("malformed-yaml on stderr", &err, &[r"f\x1b[2J\u{202e}: {}"]);
}

#[test]
fn stderr_and_github_diagnostics_show_conflicting_tag_values_escaped() {
    let dir = temp_dir();
    let resource = "arn:aws:rds:us-east-1:111122223333:db:payments";
    for (name, team) in [("a.json", "a\rb"), ("b.json", "c\u{1b}[2Kd")] {
        let document = json!({"version": 1, "resources": {resource: {"tags": {"team": team}}}});
        std::fs::write(dir.path().join(name), document.to_string()).expect("a document");
    }
    let estate = path_str(dir.path());
    let (_, err) = run_expecting(2, &["analyze", &estate, "--fail", "region:x"]);
    assert_no_raw_hostile_character("tag-conflict on stderr", &err);
    assert_shows(
        "tag-conflict on stderr",
        &err,
        &["tag-conflict", r"a\rb", r"c\x1b[2Kd"],
    );

    let policy = write_hostile_policy(dir.path());
    let (out, err) = run_expecting(
        2,
        &["check", &estate, "--policy", &policy, "--format", "github"],
    );
    assert_no_raw_hostile_character("tag-conflict as a GitHub annotation", &out);
    assert_no_raw_hostile_character("tag-conflict as a GitHub annotation (stderr)", &err);
    assert_shows(
        "tag-conflict as a GitHub annotation",
        &out,
        &["::error ", r"a\rb", r"c\x1b[2Kd"],
    );
}
