//! Input text made safe for a person to read.
//!
//! Ids, descriptions, tag values, rule names and file names come from files
//! that anyone on a team can edit, and they end up in terminals, Markdown
//! previews, spreadsheets and CI logs. A raw ESC (`\x1b[2J` clears the
//! screen), a CR (overwrites the line), a NUL or a bidi override (U+202E
//! shows `gnp.exe` for `exe.png`) would let that text rewrite or hide what
//! blastmap reports. Every renderer for people passes input text through
//! [`escape_for_display`]; JSON, SARIF and XML writers keep the exact text
//! under their own escaping rules, so programs still get the real ids.
//!
//! What is escaped ([`is_hidden_or_control`]): C0 controls (TAB and LF
//! too: inside an id they are part of the name, not layout), DEL, C1
//! controls, bidi controls, the zero-width and invisible format characters,
//! the line and paragraph separators, and the Unicode tag characters. They
//! are shown as Rust writes them: `\t`, `\n`, `\r`, `\x1b` below U+0080,
//! `\u{202e}` above.
//!
//! A backslash is **not** escaped. Every character the escape introduces is
//! printable ASCII, so the escape is idempotent: a layer may apply it to
//! text another layer already escaped (a diagnostic's message, then the
//! whole rendered diagnostic) without doubling anything, and Windows paths
//! keep their single backslashes. The price is that a name literally
//! written `a\x1bb` reads the same as `a` ESC `b`: both are visible,
//! neither can hide or rewrite text, and the JSON output tells them apart.

use std::borrow::Cow;

/// Whether `c` is shown escaped: a control character, or a character that
/// reorders, hides or breaks the text around it without being seen.
pub fn is_hidden_or_control(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'   // C0, DEL, C1 (NEL included)
        | '\u{ad}'                                  // soft hyphen
        | '\u{61c}'                                 // Arabic letter mark
        | '\u{180e}'                                // Mongolian vowel separator
        | '\u{200b}'..='\u{200f}'                   // zero-width space/joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}'                   // line and paragraph separators
        | '\u{202a}'..='\u{202e}'                   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'                   // word joiner, invisible operators
        | '\u{2066}'..='\u{206f}'                   // bidi isolates, deprecated format
        | '\u{feff}'                                // zero-width no-break space (BOM)
        | '\u{fff9}'..='\u{fffb}'                   // interlinear annotation
        | '\u{e0000}'..='\u{e007f}'                 // tag characters
    )
}

/// `text` with every [`is_hidden_or_control`] character written as an
/// escape (`\x1b`, `\u{202e}`), for any place a person reads it. Borrows
/// when nothing needs escaping (the common case costs one scan); idempotent.
pub fn escape_for_display(text: &str) -> Cow<'_, str> {
    escape_where(text, is_hidden_or_control)
}

/// As [`escape_for_display`], but line feeds stay: for text that is already
/// laid out in lines by blastmap (a rendered diagnostic), where each input
/// value in it was escaped with [`escape_for_display`] before.
pub fn escape_lines_for_display(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c != '\n' && is_hidden_or_control(c))
}

fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = text.find(&escaped) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if escaped(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = match c {
        '\t' => write!(out, "\\t"),
        '\n' => write!(out, "\\n"),
        '\r' => write!(out, "\\r"),
        c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escape_sequences_are_shown_not_obeyed() {
        assert_eq!(escape_for_display("f\u{1b}[2Jx"), "f\\x1b[2Jx");
        assert_eq!(
            escape_for_display("a\u{0}b\u{7f}c\u{9b}d"),
            "a\\x00b\\x7fc\\u{9b}d"
        );
    }

    #[test]
    fn tab_line_feed_and_carriage_return_inside_a_name_are_shown() {
        assert_eq!(escape_for_display("r\tz\r\nq"), "r\\tz\\r\\nq");
    }

    #[test]
    fn bidi_and_invisible_format_characters_are_shown() {
        for (c, shown) in [
            ('\u{202e}', "\\u{202e}"),
            ('\u{2066}', "\\u{2066}"),
            ('\u{61c}', "\\u{61c}"),
            ('\u{200b}', "\\u{200b}"),
            ('\u{feff}', "\\u{feff}"),
            ('\u{e0041}', "\\u{e0041}"),
        ] {
            assert_eq!(escape_for_display(&format!("a{c}b")), format!("a{shown}b"));
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged_including_backslashes() {
        for text in [
            "checkout",
            "zürich-🌍 — café",
            "C:\\estates\\shop.yaml",
            "a b",
        ] {
            assert!(matches!(escape_for_display(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        let once = escape_for_display("x\u{1b}\u{202e}\t\\y").into_owned();
        assert_eq!(escape_for_display(&once), once);
    }

    #[test]
    fn laid_out_text_keeps_its_line_feeds_only() {
        assert_eq!(
            escape_lines_for_display("l1 \u{1b}[31m\nl2\r\t"),
            "l1 \\x1b[31m\nl2\\r\\t"
        );
    }

    #[test]
    fn no_escaped_character_survives() {
        let all: String = (0..=0x10ffff).filter_map(char::from_u32).collect();
        let shown = escape_for_display(&all);
        assert!(!shown.chars().any(is_hidden_or_control));
    }
}
