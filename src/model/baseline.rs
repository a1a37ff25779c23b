//! The baseline's vocabulary: violations a team accepted, so `check` fails
//! only on new ones. Plain data: `load::baseline` reads and writes the file,
//! `engine::check` decides which violation an entry accepts.

use serde::{Deserialize, Serialize};

/// A baseline file (version 1), as written by `check --write-baseline`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// Always 1: the only version this blastmap reads.
    pub version: u32,
    /// The accepted violations.
    pub violations: Vec<BaselineEntry>,
}

/// One accepted violation; people may add a `reason` and an `expires` date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The violation's domain (`region:us-east-1`), for people reading the
    /// file; for a pair (SPEC §6.3) both, joined: `zone:a + zone:b`.
    pub domain: String,
    /// A pair's two domains, sorted (`must_survive = ["zone+zone"]`);
    /// absent for a single domain, so files written before pairs existed
    /// read the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
    /// `YYYY-MM-DD`: after this day the entry no longer accepts its violation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// What the entry matches: the fingerprint of (rule, function, domain).
    pub fingerprint: String,
    /// The function's id, for people reading the file.
    pub function: String,
    /// Why the violation is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule's name, for people reading the file.
    pub rule: String,
}

impl BaselineEntry {
    /// Whether the acceptance has run out by `today` (`YYYY-MM-DD`). An
    /// `expires` that is no calendar date accepts nothing (loading rejects
    /// such a file; an entry built in code fails closed rather than being
    /// accepted forever).
    pub fn expired(&self, today: &str) -> bool {
        let Some(expires) = self.expires.as_deref() else {
            return false;
        };
        match (Date::parse(expires), Date::parse(today)) {
            (Ok(expires), Ok(today)) => expires < today,
            (Err(_), _) => true,
            (Ok(_), Err(_)) => expires < today,
        }
    }
}

/// A day of the (proleptic Gregorian) calendar, written `YYYY-MM-DD`.
/// Ordered by time, so expiry is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a text is not a [`Date`], in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not `YYYY-MM-DD` digits.
    Shape,
    /// A month outside 1..=12.
    Month(u8),
    /// A day outside the days of its month (`2099-02-30`).
    Day { year: u16, month: u8, day: u8 },
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateError::Shape => f.write_str("it is not written YYYY-MM-DD"),
            DateError::Month(m) => write!(f, "there is no month {m}"),
            DateError::Day { year, month, day } => write!(
                f,
                "{} {year} has {} days, not {day}",
                MONTH_NAMES[usize::from(*month - 1)],
                days_in_month(*year, *month)
            ),
        }
    }
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Reads `YYYY-MM-DD`, checking that the day exists (leap years
    /// included: 2028-02-29 does, 2027-02-29 does not).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let b = text.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err(DateError::Shape);
        }
        let number = |range: std::ops::Range<usize>| {
            b[range]
                .iter()
                .fold(0u16, |n, c| n * 10 + u16::from(c - b'0'))
        };
        let year = number(0..4);
        // Two digits each: at most 99, so they fit in a u8.
        let month = number(5..7) as u8;
        let day = number(8..10) as u8;
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day { year, month, day });
        }
        Ok(Date { year, month, day })
    }
}

/// Days in `month` (1..=12) of `year`.
fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Gregorian leap years: every fourth, except centuries not divisible by 400.
fn is_leap_year(year: u16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_expires_after_its_date() {
        let mut e = BaselineEntry {
            domain: "d".into(),
            domains: Vec::new(),
            expires: Some("2026-01-31".into()),
            fingerprint: "x".into(),
            function: "f".into(),
            reason: None,
            rule: "r".into(),
        };
        assert!(e.expired("2026-02-01"));
        assert!(!e.expired("2026-01-31"));
        e.expires = None;
        assert!(!e.expired("2999-01-01"));
    }

    #[test]
    fn only_days_of_the_calendar_are_dates() {
        for valid in [
            "2028-02-29",
            "2000-02-29",
            "2027-02-28",
            "2026-12-31",
            "2026-04-30",
        ] {
            assert!(Date::parse(valid).is_ok(), "{valid}");
        }
        let cases = [
            ("2027-02-29", "February 2027 has 28 days, not 29"),
            ("1900-02-29", "February 1900 has 28 days, not 29"),
            ("2099-02-30", "February 2099 has 28 days, not 30"),
            ("2026-04-31", "April 2026 has 30 days, not 31"),
            ("2026-01-00", "January 2026 has 31 days, not 0"),
            ("2099-13-45", "there is no month 13"),
            ("9999-99-99", "there is no month 99"),
            ("2026-00-10", "there is no month 0"),
            ("next year", "it is not written YYYY-MM-DD"),
            ("2026-1-01", "it is not written YYYY-MM-DD"),
        ];
        for (text, why) in cases {
            match Date::parse(text) {
                Err(e) => assert_eq!(e.to_string(), why, "{text}"),
                Ok(d) => panic!("{text} read as {d:?}"),
            }
        }
    }

    #[test]
    fn dates_compare_by_time_across_months_and_years() {
        let d = |s| Date::parse(s).expect("a valid date");
        assert!(d("2026-02-28") < d("2026-03-01"));
        assert!(d("2026-12-31") < d("2027-01-01"));
        assert!(d("2028-02-29") > d("2028-02-28"));
    }

    #[test]
    fn an_entry_whose_expiry_is_no_date_accepts_nothing() {
        let mut e = BaselineEntry {
            domain: "d".into(),
            domains: Vec::new(),
            expires: Some("2099-02-30".into()),
            fingerprint: "x".into(),
            function: "f".into(),
            reason: None,
            rule: "r".into(),
        };
        assert!(e.expired("2026-06-01"));
        // A real date late in a month is not taken for an earlier one.
        e.expires = Some("2026-02-28".into());
        assert!(!e.expired("2026-02-28"));
        assert!(e.expired("2026-03-01"));
    }
}
