//! `sweep` output: the function × scenario matrix.

use std::borrow::Cow;
use std::fmt::Write;

use super::display_id;
use super::style::Style;
use crate::engine::sweep::SweepColumn;
use crate::graph::{Graph, NodeIx};
use crate::model::text::escape_for_display;
use crate::model::Status;

/// Above this many scenarios, text and Markdown show as matrix columns only
/// the scenarios that affect some function, and count the others.
const MATRIX_COLUMNS: usize = 120;

/// `sweep --format json` (SPEC §4.2): every scenario once, only the
/// functions that are not up. One scenario per line, keys sorted, so a
/// million-scenario sweep streams and diffs well.
pub fn to_json(graph: &Graph, columns: &[SweepColumn]) -> String {
    let mut out = String::with_capacity(64 * columns.len() + 32);
    out.push_str("{\"scenarios\": [");
    for (i, c) in columns.iter().enumerate() {
        out.push_str(if i == 0 { "\n  " } else { ",\n  " });
        out.push_str("{\"failed\": [");
        out.push_str(&json_string(&c.domain.to_string()));
        out.push_str("], \"functions\": {");
        for (j, (f, s)) in c.functions.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}: \"{}\"", json_string(graph.id(*f)), s.as_str());
        }
        out.push_str("}}");
    }
    out.push_str(if columns.is_empty() { "]}\n" } else { "\n]}\n" });
    out
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Rows of the matrix: functions by criticality, then id.
fn rows(graph: &Graph, functions: &[NodeIx]) -> Vec<NodeIx> {
    let mut rows = functions.to_vec();
    rows.sort_by_key(|&f| (graph.criticality(f), f));
    rows
}

fn cell(column: &SweepColumn, f: NodeIx) -> Status {
    column
        .functions
        .binary_search_by_key(&f, |x| x.0)
        .map_or(Status::Up, |i| column.functions[i].1)
}

fn counts(column: &SweepColumn) -> (usize, usize) {
    let down = column
        .functions
        .iter()
        .filter(|(_, s)| *s == Status::Down)
        .count();
    (down, column.functions.len() - down)
}

/// The columns the matrix shows: all, or when there are too many, those
/// that affect some function.
fn shown(columns: &[SweepColumn]) -> Vec<usize> {
    (0..columns.len())
        .filter(|&i| columns.len() <= MATRIX_COLUMNS || !columns[i].functions.is_empty())
        .collect()
}

/// The text matrix: one row per function, one symbol per scenario (`X`
/// down, `~` degraded, `.` up), then a legend and one line per scenario.
pub fn to_text(
    graph: &Graph,
    functions: &[NodeIx],
    columns: &[SweepColumn],
    style: Style,
) -> String {
    let rows = rows(graph, functions);
    let shown = shown(columns);
    let labels: Vec<String> = rows
        .iter()
        .map(|&f| format!("{} [{}]", display_id(graph, f), graph.criticality(f)))
        .collect();
    let label_width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let number_width = (columns.len().max(1)).to_string().len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} scenarios × {} functions",
        style.bold("Sweep:"),
        columns.len(),
        rows.len()
    );
    out.push('\n');
    for digit in 0..number_width {
        let _ = write!(out, "{:label_width$} ", "");
        for &i in &shown {
            let n = format!("{:>number_width$}", i + 1);
            let _ = write!(out, " {}", &n[digit..digit + 1]);
        }
        out.push('\n');
    }
    for (label, &f) in labels.iter().zip(&rows) {
        let _ = write!(out, "{label:label_width$} ");
        for &i in &shown {
            let symbol = match cell(&columns[i], f) {
                Status::Down => style.status_symbol(Status::Down, "X"),
                Status::Degraded => style.status_symbol(Status::Degraded, "~"),
                Status::Up => style.dim("."),
            };
            let _ = write!(out, " {symbol}");
        }
        out.push('\n');
    }
    out.push_str("\nX down   ~ degraded   . up\n");
    if shown.len() < columns.len() {
        let _ = writeln!(
            out,
            "({} scenarios that affect no function are not shown as columns)",
            columns.len() - shown.len()
        );
    }
    out.push('\n');
    let names: Vec<String> = columns
        .iter()
        .map(|c| escape_for_display(&c.domain.to_string()).into_owned())
        .collect();
    let name_width = shown
        .iter()
        .map(|&i| names[i].chars().count())
        .max()
        .unwrap_or(0);
    for &i in &shown {
        let (down, degraded) = counts(&columns[i]);
        let _ = writeln!(
            out,
            "{:>number_width$}  {:name_width$}  {down} down, {degraded} degraded",
            i + 1,
            names[i]
        );
    }
    out
}

/// Markdown: the matrix as a table (🔴 down, 🟠 degraded), then a summary
/// per scenario.
pub fn to_markdown(graph: &Graph, functions: &[NodeIx], columns: &[SweepColumn]) -> String {
    let rows = rows(graph, functions);
    let shown = shown(columns);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## blastmap sweep: {} scenarios × {} functions\n",
        columns.len(),
        rows.len()
    );
    out.push_str("| Function | Criticality |");
    for &i in &shown {
        let _ = write!(out, " `{}` |", md(&columns[i].domain.to_string()));
    }
    out.push_str("\n|---|---|");
    for _ in &shown {
        out.push_str(":-:|");
    }
    out.push('\n');
    for &f in &rows {
        let _ = write!(out, "| `{}` | {} |", md(graph.id(f)), graph.criticality(f));
        for &i in &shown {
            out.push_str(match cell(&columns[i], f) {
                Status::Down => " 🔴 |",
                Status::Degraded => " 🟠 |",
                Status::Up => " |",
            });
        }
        out.push('\n');
    }
    out.push_str("\n🔴 down · 🟠 degraded · blank: up\n");
    if shown.len() < columns.len() {
        let _ = writeln!(
            out,
            "\n{} scenarios that affect no function are not shown.",
            columns.len() - shown.len()
        );
    }
    out
}

/// CSV: a header `function,criticality,<scenario>...`, one row per function,
/// cells `down`, `degraded` or `up`.
pub fn to_csv(graph: &Graph, functions: &[NodeIx], columns: &[SweepColumn]) -> String {
    let rows = rows(graph, functions);
    let mut out = String::from("function,criticality");
    for c in columns {
        out.push(',');
        out.push_str(&csv_field(&c.domain.to_string()));
    }
    out.push('\n');
    for &f in &rows {
        out.push_str(&csv_field(graph.id(f)));
        out.push(',');
        out.push_str(graph.criticality(f).as_str());
        for c in columns {
            out.push(',');
            out.push_str(cell(c, f).as_str());
        }
        out.push('\n');
    }
    out
}

/// A CSV field as people open it in a spreadsheet, still RFC 4180:
/// - escaped for display (`model::text`): no control or invisible
///   character, so a cell holds no raw CR, LF or TAB either;
/// - a cell that a spreadsheet would run as a formula (it starts with `=`,
///   `+`, `-`, `@`, TAB or CR) gets a leading `'`, as OWASP recommends
///   against CSV injection; readers that want the text drop that `'`;
/// - quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    let shown = escape_for_display(s);
    let cell = if shown.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{shown}"))
    } else {
        shown
    };
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.into_owned()
    }
}

/// Text for a Markdown code span in a table cell, escaped for display.
fn md(s: &str) -> String {
    escape_for_display(s).replace('`', "'").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_commas_quotes_or_newlines_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "two\\nlines");
    }

    #[test]
    fn csv_cells_a_spreadsheet_would_run_as_formulas_get_a_quote_prefix() {
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("a=b"), "a=b");
    }

    #[test]
    fn csv_cells_show_control_characters_escaped() {
        assert_eq!(csv_field("\tx"), "\\tx");
        assert_eq!(csv_field("r\u{1b}[2J\u{202e}"), "r\\x1b[2J\\u{202e}");
    }
}
