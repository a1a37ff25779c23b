//! One source text → one [`Document`], or a diagnostic that points at the
//! first syntax or shape error (serde stops there; the semantic checks that
//! follow report every other problem together).

use std::sync::Arc;

pub use super::locate::Format;
use super::raw::{
    with_json_error_positions, with_strings, with_yaml_spans, without_json_position, Document,
    Strings,
};
pub use super::scan::ReadBehind;
use crate::diag::{closest, did_you_mean, Code, Diagnostic, SourceFile, Span};

/// Parses `text` (named `name` in messages) as an estate document whose
/// texts are interned in `strings`. `read`, when given, is told each byte
/// range of `text` the one-pass reader is done with.
pub fn parse_document(
    name: &str,
    text: &str,
    strings: &mut Strings,
    read: Option<ReadBehind>,
) -> Result<Document, Diagnostic> {
    match Format::guess(name, text) {
        Format::Json => match super::scan::scan_json(text, strings, read) {
            Some(doc) => Ok(doc),
            // Anything unusual, errors included: serde reads it and words
            // the diagnostic.
            None => with_strings(strings, || parse_json(name, text)),
        },
        Format::Yaml => with_strings(strings, || parse_yaml(name, text)),
    }
}

fn parse_json(name: &str, text: &str) -> Result<Document, Diagnostic> {
    let (parsed, error_at) = with_json_error_positions(text, || serde_json::from_str(text));
    parsed.map_err(|e| {
        let code = match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                Code::MalformedJson
            }
            _ => shape_error_code(&e.to_string()),
        };
        let message = without_json_position(&e.to_string());
        let offset = error_at
            .and_then(|a| a.checked_sub(text.as_ptr() as usize))
            .filter(|o| *o <= text.len())
            .unwrap_or_else(|| json_offset(text, e.line(), e.column()));
        let offset = at_null(text, &message, offset);
        let offset = at_key(text, &message, offset);
        let (code, message, offset, help) = match lone_surrogate(text, &message, offset) {
            Some(found) => found,
            None => (code, message, offset, None),
        };
        let node = super::locate::node_at(Format::Json, text, offset);
        let d = shape_error(
            code,
            message,
            Some(span_at(source_file(name, text), offset)),
        );
        let d = match help {
            Some(h) => d.help(h),
            None => d,
        };
        with_node(d, node)
    })
}

/// The byte offset of serde_json's 1-based line and column (a count of
/// bytes from the line's start, after the byte it stopped at), on a
/// character boundary.
fn json_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line > 1 {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    } else {
        0
    };
    let mut offset = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A key whose value is `null` is reported once the `null` is read: point
/// at the `null` itself.
fn at_null(text: &str, message: &str, offset: usize) -> usize {
    if !message.contains("(null)") {
        return offset;
    }
    // serde_json stops at the last byte of `null` or just after it.
    [offset + 1, offset]
        .into_iter()
        .filter_map(|end| text.get(..end).map(str::trim_end))
        .find(|head| head.ends_with("null"))
        .map_or(offset, |head| head.len() - "null".len())
}

/// An unknown key, or a value of the wrong type (reported as "`requires`
/// is a list..."), is pinned on its key: serde_json stops after the key or
/// the value, and the key is what the author looks for.
fn at_key(text: &str, message: &str, offset: usize) -> usize {
    let key = match message.strip_prefix("unknown field `") {
        Some(rest) => rest.split('`').next(),
        None => message
            .strip_prefix('`')
            .and_then(|rest| rest.split_once("` is "))
            .map(|(key, _)| key),
    };
    let Some(key) = key.filter(|k| !k.is_empty() && !k.contains('"')) else {
        return offset;
    };
    let quoted = format!("\"{key}\"");
    // serde_json may stop inside the key's closing quote.
    let mut end = (offset + quoted.len()).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    head.rmatch_indices(&quoted)
        .map(|(i, _)| i)
        .filter(|&i| i <= offset)
        .find(|&i| text[i + quoted.len()..].trim_start().starts_with(':'))
        .unwrap_or(offset)
}

/// serde_json's words for a `\u` escape that is half of a UTF-16
/// surrogate pair, which is no character on its own.
const SURROGATE_ERRORS: [&str; 2] = [
    "lone leading surrogate in hex escape",
    "unexpected end of hex escape",
];

/// A lone surrogate (`"\ud800"`, as some tools write a broken emoji): the
/// message in an author's words, at the escape itself rather than after it.
fn lone_surrogate(
    text: &str,
    message: &str,
    offset: usize,
) -> Option<(Code, String, usize, Option<String>)> {
    if !SURROGATE_ERRORS.contains(&message) {
        return None;
    }
    let escape = text.get(..offset)?.rfind("\\u")?;
    let written = text.get(escape..escape + 6).unwrap_or("\\u");
    Some((
        Code::MalformedJson,
        format!(
            "`{written}` is half of a UTF-16 surrogate pair: on its own it is not a character, \
             so the text is not valid Unicode"
        ),
        escape,
        Some(
            "write the character itself, or both halves of its pair (such as `\\ud83d\\ude00`)"
                .to_owned(),
        ),
    ))
}

fn parse_yaml(name: &str, text: &str) -> Result<Document, Diagnostic> {
    // Ids and account numbers are text: keep `y`, `on`, `0123`, `1_000` as
    // written instead of reading YAML 1.1 booleans or numbers.
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    let parsed = with_yaml_spans(|| serde_saphyr::from_str_with_options(text, options));
    parsed.map_err(|e| {
        let message = e.without_snippet().to_string();
        let message = tidy_duplicate_key(strip_yaml_position(&message));
        let code = if is_yaml_syntax_error(e.without_snippet()) {
            Code::MalformedYaml
        } else {
            shape_error_code(&message)
        };
        let span = e.location().and_then(|loc| {
            let file = source_file(name, text);
            let offset = match loc.span().byte_offset() {
                Some(o) => usize::try_from(o).ok()?,
                None => file.offset_of(loc.line() as usize, loc.column() as usize),
            };
            Some(span_at(file, offset))
        });
        let node = span
            .as_ref()
            .and_then(|s| super::locate::node_at(Format::Yaml, text, s.range.start));
        let d = with_node(shape_error(code, message, span), node);
        if d.span.is_none() {
            d.in_file(name)
        } else {
            d
        }
    })
}

/// Builds the diagnostic for a shape error, with a "did you mean" for
/// unknown fields.
fn shape_error(code: Code, message: String, span: Option<Span>) -> Diagnostic {
    let help = match code {
        Code::UnknownField => unknown_field_help(&message),
        Code::DuplicateKey => Some("remove one of the two entries, or merge them".to_owned()),
        Code::MalformedJson => Some("fix the JSON syntax at this position".to_owned()),
        Code::MalformedYaml => Some("fix the YAML syntax at this position".to_owned()),
        _ => None,
    };
    let span = match (code, span) {
        (Code::UnknownField, Some(span)) => Some(over_key(span, &message)),
        (_, span) => span,
    };
    let d = Diagnostic::error(code, message).at(span);
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// The span of an unknown key widened from its first character to the
/// whole key (quotes included in JSON), so the underline shows the typo.
fn over_key(span: Span, message: &str) -> Span {
    let key = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_default();
    let rest = span.file.text.get(span.range.start..).unwrap_or_default();
    let len = if rest.starts_with(key) {
        key.len()
    } else if rest.starts_with(&format!("\"{key}\"")) {
        key.len() + 2
    } else {
        return span;
    };
    let end = span.range.start + len;
    Span {
        range: span.range.start..end.max(span.range.end),
        file: span.file,
    }
}

fn with_node(d: Diagnostic, node: Option<String>) -> Diagnostic {
    match node {
        Some(id) => d.node(id),
        None => d,
    }
}

/// serde-saphyr's "duplicate mapping key: a, set DuplicateKeyPolicy…" in
/// the words of an estate author.
fn tidy_duplicate_key(message: String) -> String {
    match message.strip_prefix("duplicate mapping key: ") {
        Some(rest) => {
            let key = rest
                .split(", set DuplicateKeyPolicy")
                .next()
                .unwrap_or(rest);
            format!("`{key}` is given twice in the same mapping")
        }
        None => message,
    }
}

fn shape_error_code(message: &str) -> Code {
    if message.contains("unknown field") || message.contains("unknown variant") {
        Code::UnknownField
    } else if message.contains("duplicate") || message.contains("given twice") {
        Code::DuplicateKey
    } else {
        Code::InvalidValue
    }
}

/// Errors of the YAML text itself (as opposed to a well-formed document
/// of the wrong shape).
fn is_yaml_syntax_error(e: &serde_saphyr::Error) -> bool {
    use serde_saphyr::Error as E;
    matches!(
        e,
        E::ExternalMessage { .. }
            | E::Eof { .. }
            | E::MultipleDocuments { .. }
            | E::UnknownAnchor { .. }
            | E::ContainerEndMismatch { .. }
            | E::InvalidUtf8Input
            | E::AliasError { .. }
            | E::FoldedBlockScalarMustIndentContent { .. }
            | E::UnexpectedContainerEndWhileSkippingNode { .. }
            | E::UnexpectedContainerEndWhileReadingKeyNode { .. }
            | E::Budget { .. }
    )
}

/// "did you mean `requires`?" from serde's "unknown field `requirs`,
/// expected one of `a`, `b`" message (serde-saphyr leaves out the later
/// backticks).
fn unknown_field_help(message: &str) -> Option<String> {
    let wrong = message.split('`').nth(1)?;
    let expected: Vec<&str> = message
        .split_once("expected one of ")
        .or_else(|| message.split_once("expected "))
        .map(|(_, list)| {
            list.split(", ")
                .map(|f| f.trim().trim_matches('`'))
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let list = expected
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let known = if list.is_empty() {
        String::new()
    } else {
        format!("known fields: {list}")
    };
    match did_you_mean(&closest(wrong, expected.iter().copied())) {
        Some(dym) if known.is_empty() => Some(dym),
        Some(dym) => Some(format!("{dym} ({known})")),
        None => (!known.is_empty()).then_some(known),
    }
}

fn strip_yaml_position(message: &str) -> String {
    let trimmed = message.trim();
    let first = trimmed.lines().next().unwrap_or(trimmed);
    let without = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    let without = without.strip_prefix("error: ").unwrap_or(without);
    without.trim().to_owned()
}

fn source_file(name: &str, text: &str) -> Arc<SourceFile> {
    Arc::new(SourceFile::new(name, Arc::from(text)))
}

fn span_at(file: Arc<SourceFile>, offset: usize) -> Span {
    let end = next_char_end(&file.text, offset);
    Span {
        file,
        range: offset..end,
    }
}

fn next_char_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}
