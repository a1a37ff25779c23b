//! blastmap's one diagnostic type: every problem found in an input (an estate,
//! a scenario, later a policy) becomes a [`Diagnostic`] that says what is
//! wrong, where (file, line, column, node), and how to fix it.
//!
//! The same value is rendered for a person (codespan-reporting, with the
//! offending line underlined) and, later, fed to JSON, SARIF and JUnit.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A file that a diagnostic points into, shared by all diagnostics about it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or a name such as `<stdin>`).
    pub name: String,
    /// The whole text, so a diagnostic can show the offending line.
    pub text: Arc<str>,
    /// Byte offset of each line's start, for offset → line:column.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Indexes `text` for position look-ups.
    pub fn new(name: impl Into<String>, text: Arc<str>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and column (in characters).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// Where a diagnostic points: a byte range of a file.
#[derive(Debug, Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
}

impl Span {
    /// 1-based line and column of the span's start.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.range.start)
    }
}

/// One problem, with everything a person needs to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, documented name for the kind of problem (`unknown-reference`).
    pub code: &'static str,
    pub message: String,
    /// The file position, where the format gives one.
    pub span: Option<Span>,
    /// The file, when no position is known.
    pub file: Option<String>,
    /// The node the problem is about.
    pub node: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error of kind `code`.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            file: None,
            node: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// A warning of kind `code`.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Points the diagnostic at `span`.
    pub fn at(mut self, span: Option<Span>) -> Self {
        if let Some(s) = &span {
            self.file = Some(s.file.name.clone());
        }
        self.span = span;
        self
    }

    /// Names the file when no position is known.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Names the node the problem is about.
    pub fn node(mut self, id: impl Into<String>) -> Self {
        self.node = Some(id.into());
        self
    }

    /// Says how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// `file:line:col` (or `file`) where the problem is, if known.
    pub fn location(&self) -> Option<String> {
        match (&self.span, &self.file) {
            (Some(span), _) => {
                let (line, col) = span.line_col();
                Some(format!("{}:{line}:{col}", span.file.name))
            }
            (None, Some(file)) => Some(file.clone()),
            (None, None) => None,
        }
    }

    /// Renders the diagnostic for a person, with the offending line shown
    /// when the position is known; `color` adds ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let mut buffer = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        let config = term::Config::default();
        let rendered = match &self.span {
            Some(span) => {
                let file = SimpleFile::new(span.file.name.as_str(), &*span.file.text);
                term::emit(&mut buffer, &config, &file, &self.to_codespan(true))
            }
            None => {
                let file = SimpleFile::new("", "");
                term::emit(&mut buffer, &config, &file, &self.to_codespan(false))
            }
        };
        match rendered {
            Ok(()) => String::from_utf8_lossy(buffer.as_slice()).into_owned(),
            Err(_) => format!("{self}\n"),
        }
    }

    fn to_codespan(&self, with_label: bool) -> cs::Diagnostic<()> {
        let severity = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let mut notes = Vec::new();
        if !with_label {
            if let Some(file) = &self.file {
                notes.push(format!("in {file}"));
            }
        }
        if let Some(node) = &self.node {
            notes.push(format!("node: {node}"));
        }
        notes.extend(self.notes.iter().cloned());
        if let Some(help) = &self.help {
            notes.push(format!("help: {help}"));
        }
        let mut d = cs::Diagnostic::new(severity)
            .with_code(self.code)
            .with_message(&self.message)
            .with_notes(notes);
        if let (true, Some(span)) = (with_label, &self.span) {
            let end = span.range.end.max(span.range.start);
            d = d.with_labels(vec![cs::Label::primary((), span.range.start..end)]);
        }
        d
    }
}

impl fmt::Display for Diagnostic {
    /// One line per diagnostic: `file:line:col: error[code]: message (node `x`); help: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = self.location() {
            write!(f, "{loc}: ")?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}]: {}", self.code, self.message)?;
        if let Some(node) = &self.node {
            write!(f, " (node `{node}`)")?;
        }
        if let Some(help) = &self.help {
            write!(f, "; help: {help}")?;
        }
        Ok(())
    }
}

/// The candidates closest to `wrong` by edit distance, best first, for
/// "did you mean" hints. Deterministic: ties are broken by the candidate text.
pub fn closest<'c>(wrong: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let len = wrong.chars().count();
    let limit = (len / 3).max(1).min(len.saturating_sub(1));
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort_unstable();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `a`, `b`?" when there are close candidates.
pub fn did_you_mean(suggestions: &[&str]) -> Option<String> {
    (!suggestions.is_empty()).then(|| {
        let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("did you mean {}?", list.join(" or "))
    })
}

/// A name that is not a domain kind (in `--domains` or a policy's
/// `must_survive`): the kinds to use, and the closest one.
pub fn unknown_domain_kind(text: &str) -> Diagnostic {
    let names: Vec<&str> = crate::model::DomainKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let mut d = Diagnostic::error(
        "unknown-domain-kind",
        format!("`{text}` is not a domain kind"),
    )
    .help(format!("use some of: {}", names.join(", ")));
    if let Some(h) = did_you_mean(&closest(text, names.iter().copied())) {
        d = d.note(h);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let f = SourceFile::new("a.yaml", Arc::from("ab\ncé: x\n"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.offset_of(2, 4), 7);
    }

    #[test]
    fn closest_suggests_the_nearest_ids_first() {
        let ids = ["payments", "cart", "paymentz-old", "web"];
        assert_eq!(closest("paymets", ids), vec!["payments"]);
        assert!(closest("zzzzzzzz", ids).is_empty());
    }
}
