//! Which node a syntax or shape error is inside, for messages that must
//! name the node. serde reports only a position; this recovers the
//! `section → id` path around it from the text. Runs only on errors.

/// The two formats an estate document may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// By extension; otherwise JSON when the text starts with `{`.
    pub fn guess(name: &str, text: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Format::Json
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// The id of the node whose definition holds byte `offset`, if any.
pub fn node_at(format: Format, text: &str, offset: usize) -> Option<String> {
    let head = text.get(..offset.min(text.len()))?;
    match format {
        // A token at the start of a line is a top-level key (a section,
        // `version`): it belongs to no node, whatever stands above it.
        Format::Yaml if head.is_empty() || head.ends_with('\n') => None,
        Format::Yaml => yaml_node(head),
        Format::Json => json_node(head),
    }
}

const SECTIONS: [&str; 4] = ["functions", "services", "resources", "externals"];

/// Block-style YAML: the keys of lines with less and less indentation above
/// the position; the outermost must be a section, the next is the id.
fn yaml_node(head: &str) -> Option<String> {
    let mut chain: Vec<String> = Vec::new();
    let mut indent = usize::MAX;
    for line in head.lines().rev() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let this = line.len() - trimmed.len();
        if this >= indent {
            continue;
        }
        if let Some(key) = yaml_key(trimmed) {
            indent = this;
            chain.push(key);
        }
        if this == 0 {
            break;
        }
    }
    chain.reverse();
    match chain.as_slice() {
        [section, id, ..] if SECTIONS.contains(&section.as_str()) => Some(id.clone()),
        _ => None,
    }
}

fn yaml_key(line: &str) -> Option<String> {
    let line = line.strip_prefix("- ").unwrap_or(line);
    let (key, rest) = if let Some(q) = line.strip_prefix('"') {
        let end = q.find('"')?;
        (&q[..end], &q[end + 1..])
    } else if let Some(q) = line.strip_prefix('\'') {
        let end = q.find('\'')?;
        (&q[..end], &q[end + 1..])
    } else {
        let end = line
            .find(": ")
            .or_else(|| line.strip_suffix(':').map(str::len))?;
        (&line[..end], &line[end..])
    };
    rest.starts_with(':').then(|| key.trim().to_owned())
}

/// JSON: the keys of the objects open at the position.
fn json_node(head: &str) -> Option<String> {
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut last_string: Option<String> = None;
    let mut chars = head.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match c {
            '"' => {
                let mut s = String::from('"');
                while let Some((_, c)) = chars.next() {
                    s.push(c);
                    match c {
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                s.push(e);
                            }
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                last_string = Some(unescape_json(s));
            }
            ':' => {
                if let Some(top) = stack.last_mut() {
                    *top = last_string.take();
                }
            }
            '{' | '[' => stack.push(None),
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    match stack.as_slice() {
        [Some(section), Some(id), ..] if SECTIONS.contains(&section.as_str()) => Some(id.clone()),
        [Some(section), None] if SECTIONS.contains(&section.as_str()) => last_string,
        _ => None,
    }
}

/// A JSON string token as its value (`"a\u00e9"` is `aé`); a token cut
/// short or holding a lone surrogate keeps its text without the quotes.
fn unescape_json(token: String) -> String {
    serde_json::from_str(&token).unwrap_or_else(|_| token.trim_matches('"').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_error_position_names_the_enclosing_node() {
        let text = "version: 1\nfunctions:\n  checkout:\n    description: x\n    requirs: [web]\n";
        let at = text.find("requirs").unwrap();
        assert_eq!(node_at(Format::Yaml, text, at).as_deref(), Some("checkout"));
    }

    #[test]
    fn json_error_position_names_the_enclosing_node() {
        let text = r#"{"version": 1, "services": {"a": {}, "b": {"requirs": []}}}"#;
        let at = text.find("requirs").unwrap();
        assert_eq!(node_at(Format::Json, text, at).as_deref(), Some("b"));
    }

    #[test]
    fn json_error_position_names_a_node_whose_id_has_escapes() {
        let text = r#"{"services": {"caf\u00e9": {"requirs": []}}}"#;
        let at = text.find("requirs").unwrap();
        assert_eq!(node_at(Format::Json, text, at).as_deref(), Some("café"));
    }
}
