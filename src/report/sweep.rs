//! `sweep` output: the function × scenario matrix.

use std::borrow::Cow;
use std::fmt::Write;

use super::display_id;
use super::markdown;
use super::style::{Style, STATUS_LEGEND};
use crate::engine::sweep::SweepColumn;
use crate::graph::{Graph, NodeIx};
use crate::model::text::escape_for_display;
use crate::model::{Domain, Status};

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
        let failed: Vec<String> = c.failed().map(|d| json_string(&d.to_string())).collect();
        out.push_str(&failed.join(", "));
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
pub(super) fn rows(graph: &Graph, functions: &[NodeIx]) -> Vec<NodeIx> {
    let mut rows = functions.to_vec();
    rows.sort_by_key(|&f| (graph.criticality(f), f));
    rows
}

pub(super) fn cell(column: &SweepColumn, f: NodeIx) -> Status {
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
pub(super) fn shown(columns: &[SweepColumn]) -> Vec<usize> {
    (0..columns.len())
        .filter(|&i| columns.len() <= MATRIX_COLUMNS || !columns[i].functions.is_empty())
        .collect()
}

/// The widest line of the text report, in characters: it fits a
/// terminal, a printout and a code review without wrapping.
pub const TEXT_WIDTH: usize = 100;

/// The widest function label (`id [criticality]`) of the text matrix;
/// longer ids are shortened in the middle, so at least
/// `(TEXT_WIDTH - LABEL_MAX - 1) / 2` scenario columns fit on a page.
const LABEL_MAX: usize = 40;

/// `text` shortened to `width` characters with `…` in the middle (its
/// start and end are what tells ids apart); unchanged when it fits.
fn shorten(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(1);
    let head = keep.div_ceil(2);
    let tail = keep - head;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A function's row label, at most [`LABEL_MAX`] characters.
fn row_label(graph: &Graph, f: NodeIx) -> String {
    let criticality = format!(" [{}]", graph.criticality(f));
    let room = LABEL_MAX.saturating_sub(criticality.chars().count());
    format!("{}{criticality}", shorten(&display_id(graph, f), room))
}

/// The text matrix: one row per function, one symbol per scenario (`✗`
/// down, `~` degraded, `✓` up), then a legend and one line per scenario.
/// Columns are paged so that no line is wider than [`TEXT_WIDTH`]: each
/// page repeats the header and the legend and lists its own scenarios;
/// scenario numbers run across pages.
pub fn to_text(
    graph: &Graph,
    functions: &[NodeIx],
    columns: &[SweepColumn],
    style: Style,
) -> String {
    let rows = rows(graph, functions);
    let shown = shown(columns);
    let labels: Vec<String> = rows.iter().map(|&f| row_label(graph, f)).collect();
    let label_width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let per_page = ((TEXT_WIDTH - 1 - label_width) / 2).max(1);
    let pages: Vec<&[usize]> = shown.chunks(per_page).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} scenarios × {} functions",
        style.bold("Sweep:"),
        columns.len(),
        rows.len()
    );
    if shown.len() < columns.len() {
        let _ = writeln!(
            out,
            "({} scenarios that affect no function are not shown as columns)",
            columns.len() - shown.len()
        );
    }
    let matrix = Matrix {
        rows: &rows,
        labels: &labels,
        label_width,
        number_width: columns.len().max(1).to_string().len(),
        columns,
        style,
    };
    for (p, page) in pages.iter().enumerate() {
        out.push('\n');
        if pages.len() > 1 {
            let first = page.first().map_or(0, |i| i + 1);
            let last = page.last().map_or(0, |i| i + 1);
            let _ = writeln!(
                out,
                "{} {first}–{last} (page {} of {})",
                style.bold("Scenarios"),
                p + 1,
                pages.len()
            );
        }
        matrix.write_page(&mut out, page);
    }
    out
}

/// What every page of the text matrix shares.
struct Matrix<'a> {
    rows: &'a [NodeIx],
    labels: &'a [String],
    label_width: usize,
    number_width: usize,
    columns: &'a [SweepColumn],
    style: Style,
}

impl Matrix<'_> {
    /// One page: the scenario numbers written downwards, a row per
    /// function, the legend, then the page's scenarios by number.
    fn write_page(&self, out: &mut String, page: &[usize]) {
        let (label_width, number_width) = (self.label_width, self.number_width);
        for digit in 0..number_width {
            let _ = write!(out, "{:label_width$} ", "");
            for &i in page {
                let n = format!("{:>number_width$}", i + 1);
                let _ = write!(out, " {}", &n[digit..digit + 1]);
            }
            out.push('\n');
        }
        for (label, &f) in self.labels.iter().zip(self.rows) {
            let pad = label_width.saturating_sub(label.chars().count());
            let _ = write!(out, "{label}{:pad$} ", "");
            for &i in page {
                let symbol = self.style.status_symbol(cell(&self.columns[i], f));
                let _ = write!(out, " {symbol}");
            }
            out.push('\n');
        }
        let _ = writeln!(out, "\n{STATUS_LEGEND}\n");
        self.write_scenarios(out, page);
    }

    /// `N  scenario  d down, g degraded`, a line per scenario of the page;
    /// names too long for [`TEXT_WIDTH`] are shortened in the middle.
    fn write_scenarios(&self, out: &mut String, page: &[usize]) {
        let number_width = self.number_width;
        let tallies: Vec<String> = page
            .iter()
            .map(|&i| {
                let (down, degraded) = counts(&self.columns[i]);
                format!("{down} down, {degraded} degraded")
            })
            .collect();
        let tally_width = tallies.iter().map(String::len).max().unwrap_or(0);
        let room = TEXT_WIDTH.saturating_sub(number_width + 4 + tally_width);
        let names: Vec<String> = page
            .iter()
            .map(|&i| {
                let name = escape_for_display(&scenario_name(&self.columns[i])).into_owned();
                shorten(&name, room)
            })
            .collect();
        let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
        for ((&i, name), tally) in page.iter().zip(&names).zip(&tallies) {
            let pad = name_width - name.chars().count();
            let _ = writeln!(out, "{:>number_width$}  {name}{:pad$}  {tally}", i + 1, "");
        }
    }
}

/// A domain's kind and value (`cloud-service`, `rds@us-east-1`): the
/// Markdown report groups scenarios by the first and heads columns with
/// the second.
/// For a pair (`sweep --pairs`): `region+zone`, `us-east-1 + use1-az1`.
fn kind_and_value(column: &SweepColumn) -> (String, String) {
    let (kinds, values): (Vec<String>, Vec<String>) = column
        .failed()
        .map(|domain| {
            let text = domain.to_string();
            match text.split_once(':') {
                Some((kind, value)) => (kind.to_owned(), value.to_owned()),
                None => (String::new(), text),
            }
        })
        .unzip();
    (kinds.join("+"), values.join(" + "))
}

/// A scenario's name: its domain, or a pair's two joined by ` + `.
fn scenario_name(column: &SweepColumn) -> String {
    column
        .failed()
        .map(Domain::to_string)
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Markdown: one table per domain kind (region, zone, account, cloud
/// service, node), in the order the sweep ran them, with a symbol per cell
/// besides its colour (🔴 ✗ down, 🟠 ~ degraded, ✓ up), then the legend.
pub fn to_markdown(graph: &Graph, functions: &[NodeIx], columns: &[SweepColumn]) -> String {
    let rows = rows(graph, functions);
    let mut groups: Vec<(String, Vec<(usize, String)>)> = Vec::new();
    for i in shown(columns) {
        let (kind, value) = kind_and_value(&columns[i]);
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, members)) => members.push((i, value)),
            None => groups.push((kind, vec![(i, value)])),
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## blastmap sweep: {} scenarios × {} functions",
        columns.len(),
        rows.len()
    );
    for (kind, members) in &groups {
        let plural = if members.len() == 1 { "" } else { "s" };
        let _ = writeln!(
            out,
            "\n### {} ({} scenario{plural})\n",
            markdown::text(kind),
            members.len()
        );
        write_markdown_table(&mut out, graph, &rows, columns, members);
    }
    out.push_str("\n🔴 ✗ down · 🟠 ~ degraded · ✓ up\n");
    let hidden = columns.len() - groups.iter().map(|(_, m)| m.len()).sum::<usize>();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{hidden} scenarios that affect no function are not shown."
        );
    }
    out
}

/// One kind's table: a row per function, a column per scenario (headed
/// by its value), a symbol per cell.
fn write_markdown_table(
    out: &mut String,
    graph: &Graph,
    rows: &[NodeIx],
    columns: &[SweepColumn],
    members: &[(usize, String)],
) {
    out.push_str("| Function | Criticality |");
    for (_, value) in members {
        let _ = write!(out, " `{}` |", markdown::code(value));
    }
    out.push_str("\n|---|---|");
    for _ in members {
        out.push_str(":-:|");
    }
    out.push('\n');
    for &f in rows {
        let _ = write!(
            out,
            "| `{}` | {} |",
            markdown::code(graph.id(f)),
            graph.criticality(f)
        );
        for (i, _) in members {
            out.push_str(match cell(&columns[*i], f) {
                Status::Down => " 🔴 ✗ |",
                Status::Degraded => " 🟠 ~ |",
                Status::Up => " ✓ |",
            });
        }
        out.push('\n');
    }
}

/// CSV: a header `function,criticality,<scenario>...`, one row per function,
/// cells `down`, `degraded` or `up`.
pub fn to_csv(graph: &Graph, functions: &[NodeIx], columns: &[SweepColumn]) -> String {
    let rows = rows(graph, functions);
    let mut out = String::from("function,criticality");
    for c in columns {
        out.push(',');
        out.push_str(&csv_field(&scenario_name(c)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_shortened_in_the_middle_to_exactly_the_width() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("abcdefghij", 10), "abcdefghij");
        assert_eq!(shorten("abcdefghijk", 10), "abcde…hijk");
        assert_eq!(shorten("ééééééé", 4), "éé…é");
        assert_eq!(shorten("abcdef", 4).chars().count(), 4);
    }

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
