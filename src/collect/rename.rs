//! The rename mapping file (`--rename-file FILE`) of `collect traces` and
//! `collect backstage`: one place to keep the joins between trace service
//! names, catalog names and estate ids, instead of a long row of
//! `--rename` flags in every CI job.
//!
//! ```toml
//! [rename]
//! "orders.prod" = "orders"
//! frontend = "web"
//! ```
//!
//! Read with spans, like the policy file: every mistake is reported at its
//! line and column, all together (a TOML syntax error alone, as the parser
//! stops there). `--rename` flags given with the file win over its entries
//! for the same FROM: the file is the team's shared mapping, a flag the
//! one-off override of a run.

use std::ops::Range;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::diag::{Code, Diagnostic, SourceFile, Span};

/// The one top-level key of the file.
const TABLE: &str = "rename";

/// Reads a rename file: the `FROM = "TO"` pairs of its `[rename]` table in
/// the order they are written. Every mistake comes back at once, in file
/// order, as `invalid-value` errors at their position.
pub fn parse_rename_file(name: &str, text: &str) -> Result<Vec<(String, String)>, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(name, Arc::from(text)));
    let root = DeTable::parse(text).map_err(|e| vec![syntax_error(&file, &e)])?;
    let mut renames = Vec::new();
    let mut problems = Vec::new();
    let at = |range: Range<usize>| {
        Some(Span {
            file: file.clone(),
            range,
        })
    };
    let mut entries: Vec<_> = root.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        if key.get_ref().as_ref() != TABLE {
            problems.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("unknown key `{}` in a rename file", key.get_ref()),
                )
                .at(at(key.span()))
                .help("put the pairs under `[rename]`, one `from = \"to\"` a line"),
            );
            continue;
        }
        let DeValue::Table(table) = value.get_ref() else {
            problems.push(
                Diagnostic::error(Code::InvalidValue, "`rename` must be a table")
                    .at(at(value.span()))
                    .help("write `[rename]` and then one `from = \"to\"` a line"),
            );
            continue;
        };
        let mut pairs: Vec<_> = table.iter().collect();
        pairs.sort_by_key(|(k, _)| k.span().start);
        for (from, to) in pairs {
            let from_text = from.get_ref().as_ref();
            match to.get_ref() {
                DeValue::String(to_text) if !from_text.is_empty() && !to_text.is_empty() => {
                    renames.push((from_text.to_owned(), to_text.as_ref().to_owned()));
                }
                DeValue::String(_) => problems.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("`{from_text}` renames to or from an empty name"),
                    )
                    .at(at(from.span().start..to.span().end))
                    .help("both sides of a rename are non-empty names"),
                ),
                other => problems.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "the new name of `{from_text}` is a {}, not a string",
                            other.type_str()
                        ),
                    )
                    .at(at(to.span()))
                    .help(format!("quote the name: {from_text} = \"new-name\"")),
                ),
            }
        }
    }
    if problems.is_empty() {
        Ok(renames)
    } else {
        problems.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.range.start));
        Err(problems)
    }
}

/// The renames of a file, then those of the flags: a flag for a FROM the
/// file also names replaces the file's entry (flags win), in place, so the
/// order stays the file's order followed by the flags' new names.
pub fn with_flags(
    file: Vec<(String, String)>,
    flags: &[(String, String)],
) -> Vec<(String, String)> {
    let mut out = file;
    for (from, to) in flags {
        match out.iter_mut().find(|(f, _)| f == from) {
            Some(entry) => entry.1.clone_from(to),
            None => out.push((from.clone(), to.clone())),
        }
    }
    out
}

/// The file is not TOML: the parser's message at its position.
fn syntax_error(file: &Arc<SourceFile>, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().map(|range| Span {
        file: file.clone(),
        range,
    });
    let d = Diagnostic::error(Code::InvalidValue, e.message().trim())
        .at(span)
        .help("a rename file is TOML: `[rename]` and one `from = \"to\"` a line");
    if d.span.is_none() {
        d.in_file(file.name.clone())
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn rename_file_pairs_come_in_file_order() {
        let text = "[rename]\nzeta = \"z\"\n\"orders.prod\" = \"orders\"\n";
        let got = parse_rename_file("r.toml", text).unwrap();
        assert_eq!(got, pairs(&[("zeta", "z"), ("orders.prod", "orders")]));
    }

    #[test]
    fn every_mistake_of_a_rename_file_is_reported_at_its_line() {
        let text = "[rename]\na = 1\nb = \"\"\n[other]\n";
        let problems = parse_rename_file("r.toml", text).unwrap_err();
        let lines: Vec<usize> = problems
            .iter()
            .map(|d| {
                d.span
                    .as_ref()
                    .unwrap()
                    .file
                    .line_col(d.span.as_ref().unwrap().range.start)
                    .0
            })
            .collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(problems.iter().all(|d| d.code == Code::InvalidValue));
    }

    #[test]
    fn a_flag_wins_over_the_file_for_the_same_name() {
        let merged = with_flags(
            pairs(&[("a", "file-a"), ("b", "file-b")]),
            &pairs(&[("a", "flag-a"), ("c", "flag-c")]),
        );
        assert_eq!(
            merged,
            pairs(&[("a", "flag-a"), ("b", "file-b"), ("c", "flag-c")])
        );
    }
}
