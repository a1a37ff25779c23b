//! `availability`'s outputs (SPEC §7.3): text for people, JSON for
//! programs, Markdown for a review document.

use std::fmt::Write;

use serde::Serialize;

use super::display_id;
use super::markdown;
use super::style::Style;
use crate::engine::availability::{Availability, FunctionAvailability, MINUTES_PER_YEAR};
use crate::graph::Graph;
use crate::model::text::escape_for_display;

/// `availability --format json` (SPEC §7.3).
#[derive(Debug, Serialize)]
pub struct AvailabilityReport {
    pub functions: Vec<FunctionEntry>,
}

/// One function's figures.
#[derive(Debug, Serialize)]
pub struct FunctionEntry {
    pub id: String,
    pub availability: f64,
    pub unavailability: f64,
    pub up: f64,
    pub downtime_minutes_per_year: f64,
    pub exact: bool,
    /// Only when `exact` is false: bounds that hold the exact availability.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<[f64; 2]>,
    pub contributors: Vec<Contributor>,
}

/// A basic event and how much of the function's downtime would go away if
/// it never failed (a probability, like `unavailability`).
#[derive(Debug, Serialize)]
pub struct Contributor {
    pub event: String,
    pub improvement: f64,
}

impl AvailabilityReport {
    /// Collects the report, functions in id order.
    pub fn new(graph: &Graph, a: &Availability) -> Self {
        let mut functions: Vec<FunctionEntry> = a
            .functions
            .iter()
            .map(|f| FunctionEntry {
                id: graph.id(f.function).to_owned(),
                availability: f.availability,
                unavailability: f.unavailability,
                up: f.up,
                downtime_minutes_per_year: f.unavailability * MINUTES_PER_YEAR,
                exact: f.exact,
                bounds: f.bounds.map(|(lo, hi)| [lo, hi]),
                contributors: f
                    .contributors
                    .iter()
                    .map(|&(e, improvement)| Contributor {
                        event: a.events[e].domain.to_string(),
                        improvement,
                    })
                    .collect(),
            })
            .collect();
        functions.sort_by(|x, y| x.id.as_bytes().cmp(y.id.as_bytes()));
        AvailabilityReport { functions }
    }

    /// Pretty JSON, newline-terminated. serde_json writes each number with
    /// the shortest text that reads back to the same double.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }
}

/// An availability as a percentage with enough decimals to differ from
/// 100 % (two significant digits of the downtime): `99.95 %`,
/// `99.9999999990 %`; exactly `100 %` only when nothing can fail.
pub fn percent(availability: f64, unavailability: f64) -> String {
    if unavailability <= 0.0 {
        return "100 %".to_owned();
    }
    let down_percent = unavailability * 100.0;
    let decimals = ((-down_percent.log10()).floor() as i64 + 2).clamp(2, 15) as usize;
    format!("{:.*} %", decimals, availability * 100.0)
}

/// A duration in minutes as hours and minutes (`4 h 23 min`), or seconds
/// below a minute (`26 s`, `0.0031 s`).
pub fn hours_minutes(minutes: f64) -> String {
    if minutes >= 1.0 {
        let total = minutes.round() as u64;
        let (h, m) = (total / 60, total % 60);
        if h == 0 {
            format!("{m} min")
        } else {
            format!("{h} h {m:02} min")
        }
    } else {
        let seconds = minutes * 60.0;
        if seconds == 0.0 {
            "0 s".to_owned()
        } else if seconds >= 1.0 {
            format!("{seconds:.0} s")
        } else if seconds >= 0.01 {
            format!("{seconds:.2} s")
        } else {
            format!("{seconds:.1e} s")
        }
    }
}

/// The text report: one block per function (in id order) with its
/// availability, downtime per year and month, and the contributors.
pub fn to_text(graph: &Graph, a: &Availability, style: Style) -> String {
    let mut out = String::new();
    let mut rows: Vec<&FunctionAvailability> = a.functions.iter().collect();
    rows.sort_by_key(|f| f.function);
    for f in rows {
        let per_year = f.unavailability * MINUTES_PER_YEAR;
        let _ = writeln!(
            out,
            "{}  {}  down {} a year, {} a month",
            style.bold(&display_id(graph, f.function)),
            percent(f.availability, f.unavailability),
            hours_minutes(per_year),
            hours_minutes(per_year / 12.0),
        );
        if let Some((lo, hi)) = f.bounds {
            let _ = writeln!(
                out,
                "  not exact (over the diagram budget): between {} and {}",
                percent(lo, 1.0 - lo),
                percent(hi, 1.0 - hi)
            );
        }
        let _ = writeln!(
            out,
            "  up (not degraded either): {}",
            percent(f.up, 1.0 - f.up)
        );
        if f.contributors.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  would buy the most (downtime removed if it never failed):"
        );
        for &(e, improvement) in &f.contributors {
            let _ = writeln!(
                out,
                "    {:<32} {} a year",
                escape_for_display(&a.events[e].domain.to_string()),
                hours_minutes(improvement * MINUTES_PER_YEAR),
            );
        }
    }
    if a.functions.is_empty() {
        out.push_str("no functions\n");
    }
    out
}

/// The Markdown report: one table row per function, then the contributors.
pub fn to_markdown(graph: &Graph, a: &Availability) -> String {
    let mut out = String::from("## Availability of each function\n\n");
    out.push_str(
        "| function | availability | downtime a year | downtime a month | would buy the most |\n",
    );
    out.push_str("|---|---|---|---|---|\n");
    let mut rows: Vec<&FunctionAvailability> = a.functions.iter().collect();
    rows.sort_by_key(|f| f.function);
    for f in rows {
        let per_year = f.unavailability * MINUTES_PER_YEAR;
        let best = f.contributors.first().map_or_else(
            || "—".to_owned(),
            |&(e, imp)| {
                format!(
                    "`{}` ({} a year)",
                    markdown::code(&a.events[e].domain.to_string()),
                    hours_minutes(imp * MINUTES_PER_YEAR)
                )
            },
        );
        let exact = if f.exact { "" } else { " (bounded)" };
        let _ = writeln!(
            out,
            "| `{}` | {}{exact} | {} | {} | {best} |",
            markdown::code(graph.id(f.function)),
            percent(f.availability, f.unavailability),
            hours_minutes(per_year),
            hours_minutes(per_year / 12.0),
        );
    }
    out.push_str(
        "\nFailures are taken as independent; a published SLA is a floor, not a measured availability.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_shows_enough_digits_to_differ_from_100() {
        assert_eq!(percent(0.9995, 0.0005), "99.950 %");
        assert_eq!(percent(1.0 - 1e-9, 1e-9), "99.999999900 %");
        assert_eq!(percent(1.0, 0.0), "100 %");
        assert_eq!(percent(0.5, 0.5), "50.00 %");
    }

    #[test]
    fn durations_read_as_hours_and_minutes() {
        assert_eq!(hours_minutes(263.0), "4 h 23 min");
        assert_eq!(hours_minutes(26.2), "26 min");
        assert_eq!(hours_minutes(0.5), "30 s");
        assert_eq!(hours_minutes(0.0), "0 s");
        assert_eq!(hours_minutes(0.0097), "0.58 s");
        assert_eq!(hours_minutes(1e-6), "6.0e-5 s");
    }
}
