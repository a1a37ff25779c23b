//! Terminal styling: ANSI colour only when asked for and allowed
//! (a terminal, `NO_COLOR` unset, or `--color always`).

use crate::model::Status;

/// Whether to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Plain text.
    pub const PLAIN: Style = Style { color: false };

    /// Colours a status word: red down, yellow degraded, green up.
    pub fn status(self, s: Status) -> String {
        let code = match s {
            Status::Down => "1;31",
            Status::Degraded => "1;33",
            Status::Up => "32",
        };
        self.paint(code, &s.as_str().to_uppercase())
    }

    /// Bold text.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Dimmed text.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

impl Style {
    /// A one-character symbol in the colour of a status.
    pub fn status_symbol(self, s: Status, symbol: &str) -> String {
        let code = match s {
            Status::Down => "1;31",
            Status::Degraded => "33",
            Status::Up => "32",
        };
        self.paint(code, symbol)
    }
}
