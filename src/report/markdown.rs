//! Markdown escaping for pull-request comments and review documents.
//!
//! Input text (ids, rule names, hints) is escaped for display first
//! (`model::text`), so no control or invisible character reaches the page,
//! then for Markdown, so a `|` cannot split a table cell and a `*` or `<`
//! cannot restyle or inject markup. The rules are those of
//! `report::analyze`'s Markdown; every Markdown renderer uses this module.

use crate::model::text::escape_for_display;

/// Text for a code span (between backticks) inside a table cell: a backtick
/// would end the span, so it becomes `'`; a `|` would end the cell.
pub fn code(s: &str) -> String {
    escape_for_display(s).replace('`', "'").replace('|', "\\|")
}

/// Plain text safe inside a table cell or a paragraph: Markdown's own
/// characters escaped with a backslash (the display escape's backslashes
/// too), line breaks as spaces.
pub fn text(s: &str) -> String {
    let s = escape_for_display(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_cannot_end_its_span_or_its_cell() {
        assert_eq!(code("a`b|c"), "a'b\\|c");
    }

    #[test]
    fn text_escapes_markup_and_controls() {
        assert_eq!(
            text("*a* <b> [c](d) e|f"),
            "\\*a\\* \\<b\\> \\[c\\](d) e\\|f"
        );
        assert_eq!(text("x\u{1b}[2Jy"), "x\\\\x1b\\[2Jy");
    }
}
