//! Baseline files for `check`: accepted violations, so a team can adopt the
//! gate on an estate that already has findings and fail only on new ones.
//! This module reads and writes the file; which violation an entry accepts
//! is decided in `engine::check`.
//!
//! The file is JSON, written by `check --write-baseline`; people may add a
//! `reason` and an `expires` date (`YYYY-MM-DD`) to an entry. An expired
//! entry no longer accepts its violation.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::diag::{Code, Diagnostic, SourceFile, Span};
use crate::model::baseline::{BaselineFile, Date};

/// Reads a baseline file; a malformed one is an error with its position:
/// syntax and shape errors where serde_json stopped, content errors (an
/// unknown version, an `expires` that is no calendar date) at the value.
pub fn read_baseline(name: &str, text: &str) -> Result<BaselineFile, Diagnostic> {
    let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
        let source = Arc::new(SourceFile::new(name, Arc::from(text)));
        let offset = source.offset_of(e.line(), e.column().max(1));
        Diagnostic::error(Code::InvalidBaseline, e.to_string())
            .at(Some(Span {
                file: source,
                range: offset..offset,
            }))
            .help("write the baseline with `blastmap check --write-baseline FILE`")
    })?;
    if file.version != 1 {
        let d = Diagnostic::error(
            Code::InvalidBaseline,
            format!("unknown baseline version {}", file.version),
        )
        .help("this blastmap reads baseline version 1");
        return Err(at_value(d, name, text, |p| p.version));
    }
    for (i, e) in file.violations.iter().enumerate() {
        let Some(date) = &e.expires else { continue };
        if let Err(why) = Date::parse(date) {
            let d = Diagnostic::error(
                Code::InvalidBaseline,
                format!("`expires: {date}` is not a date: {why}"),
            )
            .help("write the last day the entry accepts its violation, as YYYY-MM-DD");
            return Err(at_value(d, name, text, |p| {
                p.violations.get(i).and_then(|v| v.expires)
            }));
        }
    }
    Ok(file)
}

/// Where the values that content checks read stand in a baseline file
/// (which has already been read once, so this second reading succeeds).
#[derive(Deserialize)]
struct Places<'a> {
    #[serde(borrow)]
    version: Option<&'a RawValue>,
    #[serde(default, borrow)]
    violations: Vec<EntryPlaces<'a>>,
}

/// Where an entry's `expires` stands.
#[derive(Deserialize)]
struct EntryPlaces<'a> {
    #[serde(default, borrow)]
    expires: Option<&'a RawValue>,
}

/// `d` at the value `pick` finds in `text`, or in the file when it cannot
/// be found.
fn at_value(
    d: Diagnostic,
    name: &str,
    text: &str,
    pick: impl FnOnce(Places<'_>) -> Option<&RawValue>,
) -> Diagnostic {
    let range = serde_json::from_str::<Places>(text)
        .ok()
        .and_then(pick)
        .and_then(|raw| {
            let start = (raw.get().as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
            Some(start..start + raw.get().len())
        })
        .filter(|r| r.end <= text.len());
    match range {
        Some(range) => d.at(Some(Span {
            file: Arc::new(SourceFile::new(name, Arc::from(text))),
            range,
        })),
        None => d.in_file(name),
    }
}

/// Serialises a baseline: entries sorted, keys sorted, newline-terminated.
pub fn write_baseline_text(file: &BaselineFile) -> String {
    let mut sorted = file.clone();
    sorted
        .violations
        .sort_by(|a, b| (&a.rule, &a.function, &a.domain).cmp(&(&b.rule, &b.function, &b.domain)));
    let mut s = serde_json::to_string_pretty(&sorted).expect("plain data serialises");
    s.push('\n');
    s
}

/// Today's date in UTC, `YYYY-MM-DD` (civil-from-days, no time zone data).
pub fn today_utc() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's algorithm: days since 1970-01-01 → (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right_around_leap_years() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_782), (2026, 11, 25));
    }

    #[test]
    fn baseline_files_round_trip_and_reject_bad_dates() {
        let text = r#"{"version": 1, "violations": [{"rule": "r", "function": "f", "domain": "zone:z", "fingerprint": "00", "expires": "2027-01-01", "reason": "ticket 12"}]}"#;
        let file = read_baseline("b.json", text).unwrap();
        let again = read_baseline("b.json", &write_baseline_text(&file)).unwrap();
        assert_eq!(file, again);
        let bad = text.replace("2027-01-01", "next year");
        assert!(read_baseline("b.json", &bad).is_err());
        assert!(
            read_baseline("b.json", r#"{"version": 1, "violations": [], "extra": 1}"#).is_err()
        );
    }

    /// A two-entry baseline whose second entry expires on `date`.
    fn baseline_expiring(date: &str) -> String {
        format!(
            "{{\n  \"version\": 1,\n  \"violations\": [\n    {{\"rule\": \"r\", \"function\": \"f\", \"domain\": \"zone:z\", \"fingerprint\": \"00\", \"expires\": \"2027-01-01\"}},\n    {{\"rule\": \"r\", \"function\": \"g\", \"domain\": \"zone:z\", \"fingerprint\": \"01\",\n     \"expires\": \"{date}\"}}\n  ]\n}}\n"
        )
    }

    #[test]
    fn an_expiry_that_is_no_calendar_day_is_rejected_at_its_line() {
        for (date, why) in [
            ("2099-02-30", "February 2099 has 28 days, not 30"),
            ("2026-02-30", "February 2026 has 28 days, not 30"),
            ("2027-02-29", "February 2027 has 28 days, not 29"),
            ("2099-13-45", "there is no month 13"),
            ("9999-99-99", "there is no month 99"),
            ("soon", "it is not written YYYY-MM-DD"),
        ] {
            let text = baseline_expiring(date);
            let d = match read_baseline("b.json", &text) {
                Err(d) => d,
                Ok(_) => panic!("`expires: {date}` was accepted"),
            };
            assert_eq!(d.code, Code::InvalidBaseline);
            assert_eq!(d.message, format!("`expires: {date}` is not a date: {why}"));
            assert_eq!(d.location().as_deref(), Some("b.json:6:17"), "{date}");
        }
    }

    #[test]
    fn a_leap_day_is_a_valid_expiry() {
        let file = read_baseline("b.json", &baseline_expiring("2028-02-29"))
            .unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(file.violations[1].expires.as_deref(), Some("2028-02-29"));
    }

    #[test]
    fn an_unknown_baseline_version_is_reported_at_its_line() {
        let text = "{\n  \"violations\": [],\n  \"version\": 2\n}\n";
        let d = match read_baseline("b.json", text) {
            Err(d) => d,
            Ok(_) => panic!("version 2 was accepted"),
        };
        assert_eq!(d.message, "unknown baseline version 2");
        assert_eq!(d.location().as_deref(), Some("b.json:3:14"));
    }
}
