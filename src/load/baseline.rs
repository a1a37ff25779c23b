//! Baseline files for `check`: accepted violations, so a team can adopt the
//! gate on an estate that already has findings and fail only on new ones.
//! This module reads and writes the file; which violation an entry accepts
//! is decided in `engine::check`.
//!
//! The file is JSON, written by `check --write-baseline`; people may add a
//! `reason` and an `expires` date (`YYYY-MM-DD`) to an entry. An expired
//! entry no longer accepts its violation.

use crate::diag::{Code, Diagnostic, SourceFile, Span};
use crate::model::baseline::BaselineFile;

/// Reads a baseline file; a malformed one is an error with its position.
pub fn read_baseline(name: &str, text: &str) -> Result<BaselineFile, Diagnostic> {
    let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
        let source = std::sync::Arc::new(SourceFile::new(name, std::sync::Arc::from(text)));
        let offset = source.offset_of(e.line(), e.column().max(1));
        Diagnostic::error(Code::InvalidBaseline, e.to_string())
            .at(Some(Span {
                file: source,
                range: offset..offset,
            }))
            .help("write the baseline with `blastmap check --write-baseline FILE`")
    })?;
    if file.version != 1 {
        return Err(Diagnostic::error(
            Code::InvalidBaseline,
            format!("unknown baseline version {}", file.version),
        )
        .in_file(name)
        .help("this blastmap reads baseline version 1"));
    }
    for e in &file.violations {
        if let Some(date) = &e.expires {
            if !is_date(date) {
                return Err(Diagnostic::error(
                    Code::InvalidBaseline,
                    format!("`expires: {date}` is not a date"),
                )
                .in_file(name)
                .help("write dates as YYYY-MM-DD"));
            }
        }
    }
    Ok(file)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
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
}
