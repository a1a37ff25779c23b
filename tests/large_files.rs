//! Large estate files are mapped rather than read (see `load::open_text`):
//! the mapped path loads the same estate as the read one, and a large file
//! that is not UTF-8 is a clear error, not a crash.

use std::fmt::Write;

use crate::util::{exec, temp_dir};

/// A JSON estate of `resources` resources behind one function: over 8 MB
/// when `resources` is 150,000.
fn big_estate(resources: usize) -> String {
    let mut json = String::from(r#"{"version": 1, "functions": {"f": {"requires": [{"any": ["#);
    for i in 0..resources {
        if i > 0 {
            json.push(',');
        }
        let _ = write!(json, "\"r{i}\"");
    }
    json.push_str(r#"]}]}}, "resources": {"#);
    for i in 0..resources {
        if i > 0 {
            json.push(',');
        }
        let _ = write!(
            json,
            r#""r{i}": {{"region": "r{}", "zones": ["z{}"], "tags": {{"n": "{i}"}}}}"#,
            i % 2,
            i % 3
        );
    }
    json.push_str("}}\n");
    json
}

fn analyze(path: &std::path::Path, domain: &str) -> (i32, String, String) {
    let path = path.to_str().expect("temporary paths are UTF-8");
    exec(&["analyze", path, "--fail", domain, "--format", "json"])
}

#[test]
fn a_large_estate_file_loads_like_a_small_one() {
    let dir = temp_dir();
    let big = dir.path().join("big.json");
    let text = big_estate(150_000);
    assert!(
        text.len() > 8 << 20,
        "the file must be large enough to be mapped"
    );
    std::fs::write(&big, &text).unwrap();
    let (code, out, err) = analyze(&big, "region:r0");
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["functions"][0]["status"], "degraded");
    assert_eq!(
        v["nodes"].as_array().unwrap().len(),
        75_001,
        "75,000 resources in r0 and f"
    );
    let (code, out, _) = analyze(&big, "zone:z1");
    assert_eq!(code, 0);
    assert!(out.contains("\"degraded\""));
}

#[test]
fn a_large_file_that_is_not_utf8_is_a_clear_error() {
    let dir = temp_dir();
    let big = dir.path().join("big.json");
    let mut bytes = big_estate(150_000).into_bytes();
    bytes[100] = 0xff;
    std::fs::write(&big, &bytes).unwrap();
    let (code, _, err) = analyze(&big, "region:r0");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not UTF-8"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A JSON estate of `resources` resources behind one function, one node a
/// line (over 8 MB, so mapped, when `resources` is 150,000); the function
/// comes last, so whatever it says stands near the end of the file.
fn big_estate_by_lines(resources: usize, function: &str) -> String {
    let mut json = String::from("{\"version\": 1,\n\"resources\": {\n");
    for i in 0..resources {
        let _ = writeln!(
            json,
            r#""r{i}": {{"region": "r{}", "zones": ["z{}"], "tags": {{"n": "{i}"}}}},"#,
            i % 2,
            i % 3
        );
    }
    json.push_str("\"last\": {}\n},\n\"functions\": {\n");
    json.push_str(function);
    json.push_str("\n}}\n");
    json
}

/// `text`'s 1-based line and column (in characters) of the first `needle`.
fn line_col_of(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("the needle is in the text");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..at].matches('\n').count() + 1,
        text[line_start..at].chars().count() + 1,
    )
}

#[test]
fn an_unknown_reference_near_the_end_of_a_large_file_is_reported_at_its_line_and_column() {
    let dir = temp_dir();
    let big = dir.path().join("big.json");
    let text = big_estate_by_lines(150_000, r#""f": {"requires": ["r149999", "r15OOOO"]}"#);
    assert!(text.len() > 8 << 20, "the file must be mapped");
    std::fs::write(&big, &text).unwrap();
    let (code, _, err) = analyze(&big, "region:r0");
    assert_eq!(code, 2, "{err}");
    // The span covers the id's token, quotes included.
    let (line, col) = line_col_of(&text, "\"r15OOOO\"");
    assert!(line > 150_000, "the error is near the end: line {line}");
    let want = format!("{}:{line}:{col}", big.display());
    assert!(err.contains(&want), "expected {want} in:\n{err}");
    assert!(err.contains("r15OOOO"), "{err}");
}

#[test]
fn a_syntax_error_near_the_end_of_a_large_file_is_reported_at_its_line_and_column() {
    let dir = temp_dir();
    let big = dir.path().join("big.json");
    // A missing colon after the function's id.
    let text = big_estate_by_lines(150_000, r#""f" {"requires": ["r1"]}"#);
    assert!(text.len() > 8 << 20, "the file must be mapped");
    std::fs::write(&big, &text).unwrap();
    let (code, _, err) = analyze(&big, "region:r0");
    assert_eq!(code, 2, "{err}");
    let (line, col) = line_col_of(&text, r#"{"requires": ["r1"]}"#);
    assert!(line > 150_000, "the error is near the end: line {line}");
    let want = format!("{}:{line}:{col}", big.display());
    assert!(err.contains(&want), "expected {want} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}
