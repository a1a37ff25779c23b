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

/// The symbol of a status, so it reads without colour (colour-blind
/// readers, printouts, logs): `✗` down, `~` degraded, `✓` up. Every text
/// and Markdown report marks statuses with these.
pub fn status_symbol(s: Status) -> &'static str {
    match s {
        Status::Down => "✗",
        Status::Degraded => "~",
        Status::Up => "✓",
    }
}

/// The legend of [`status_symbol`], the same wherever a report needs one.
pub const STATUS_LEGEND: &str = "✗ down   ~ degraded   ✓ up";

impl Style {
    /// A status's symbol and word (`✗ DOWN`), in its colour: a section
    /// heading that reads the same without colour.
    pub fn status_heading(self, s: Status) -> String {
        format!("{} {}", status_symbol(s), self.status(s))
    }

    /// A status's symbol in its colour (up dimmed, so that down and
    /// degraded stand out in a matrix).
    pub fn status_symbol(self, s: Status) -> String {
        let symbol = status_symbol(s);
        match s {
            Status::Down => self.paint("1;31", symbol),
            Status::Degraded => self.paint("33", symbol),
            Status::Up => self.dim(symbol),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_has_its_own_symbol_with_or_without_colour() {
        let statuses = [Status::Down, Status::Degraded, Status::Up];
        let plain: Vec<String> = statuses
            .iter()
            .map(|&s| Style::PLAIN.status_symbol(s))
            .collect();
        assert_eq!(plain, ["✗", "~", "✓"]);
        for &s in &statuses {
            let coloured = Style { color: true }.status_symbol(s);
            assert!(coloured.contains(status_symbol(s)), "{coloured:?}");
            assert!(STATUS_LEGEND.contains(&format!("{} {}", status_symbol(s), s.as_str())));
        }
        assert_eq!(Style::PLAIN.status_heading(Status::Degraded), "~ DEGRADED");
    }
}
