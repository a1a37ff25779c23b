//! A value of the wrong type, in the words of an estate author: what the
//! field holds and an example of the right form (`requires` is a list:
//! `requires: [web]`), instead of serde's "invalid type: string, expected a
//! sequence" or the YAML parser's "expected sequence start".
//!
//! Only the error of the field's own value is rewritten: an error from
//! deeper inside it (an entry of the list, a tag's value) was already put
//! in words where it happened, and is passed on unchanged.

use std::fmt;

/// What a field's value is, and how to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// The kind of value, for "`requires` is a list".
    what: &'static str,
    /// The words serde and the parsers use when this very value has the
    /// wrong type (an error that ends with "expected <own>").
    own: &'static [&'static str],
    /// An example value, in YAML.
    yaml: &'static str,
    /// The same value, in JSON.
    json: &'static str,
    /// Whether a text given instead goes between the list's brackets in the
    /// example (`requires: web` → `requires: [web]`).
    list: bool,
}

const LIST: &[&str] = &["a sequence"];
const TEXT: &[&str] = &["a string"];
const MAP: &[&str] = &["a mapping"];

const fn list(yaml: &'static str, json: &'static str) -> Shape {
    Shape {
        what: "a list",
        own: LIST,
        yaml,
        json,
        list: true,
    }
}

const fn text(yaml: &'static str, json: &'static str) -> Shape {
    Shape {
        what: "text",
        own: TEXT,
        yaml,
        json,
        list: false,
    }
}

const fn number(yaml: &'static str) -> Shape {
    Shape {
        what: "a number",
        own: TEXT,
        yaml,
        json: yaml,
        list: false,
    }
}

/// The shape of each field of a node, an entry or a selector (SPEC §1.1, §1.2).
fn shape_of(field: &str) -> Option<Shape> {
    Some(match field {
        "requires" => list("[web]", r#"["web"]"#),
        "optional" => list("[recommendations]", r#"["recommendations"]"#),
        "all" | "any" | "of" | "failover" => list("[a, b]", r#"["a", "b"]"#),
        "via" => list("[dns]", r#"["dns"]"#),
        "zones" => Shape {
            what: r#"a list of zones, or "*" for every zone of the region"#,
            own: &[r#"a list of zones, or "*""#],
            yaml: "[use1-az1, use1-az2]",
            json: r#"["use1-az1", "use1-az2"]"#,
            list: true,
        },
        "tags" => Shape {
            what: "a map of text to text",
            own: MAP,
            yaml: "{team: payments}",
            json: r#"{"team": "payments"}"#,
            list: false,
        },
        "select" => Shape {
            what: "a selector: a map of conditions",
            own: &["a selector: a mapping of conditions such as region, tags"],
            yaml: "{tags: {team: payments}}",
            json: r#"{"tags": {"team": "payments"}}"#,
            list: false,
        },
        "min_zones" => number("2"),
        "availability" => number("0.9995"),
        "quorum" => number("2"),
        "allow_empty" => Shape {
            what: "true or false",
            own: TEXT,
            yaml: "true",
            json: "true",
            list: false,
        },
        "criticality" => Shape {
            what: "one of critical, high, medium, low",
            own: TEXT,
            yaml: "high",
            json: r#""high""#,
            list: false,
        },
        "description" => text("Checkout flow", r#""Checkout flow""#),
        "arn" => text(
            "arn:aws:rds:us-east-1:111122223333:db:payments",
            r#""arn:aws:rds:us-east-1:111122223333:db:payments""#,
        ),
        "provider" => text("aws", r#""aws""#),
        "service" => text("rds", r#""rds""#),
        "type" => text("rds:db", r#""rds:db""#),
        "account" => text(r#""111122223333""#, r#""111122223333""#),
        "region" => text("us-east-1", r#""us-east-1""#),
        "zone" => text("use1-az1", r#""use1-az1""#),
        "kind" => text("resource", r#""resource""#),
        "id" => text("payments-*", r#""payments-*""#),
        _ => return None,
    })
}

/// The YAML parser's words for a value of the wrong type, whichever the
/// field: it says them before reading the value, so they are always about
/// the field's own value.
const PARSER_WORDS: [&str; 4] = [
    "expected sequence start",
    "expected mapping start",
    "expected string scalar",
    "expected scalar",
];

/// The error of `field`'s value in an author's words, when it says that the
/// value has the wrong type; any other error (a nested one included) as it is.
pub fn in_user_words<E: serde::de::Error>(field: &str, e: E, json: bool) -> E {
    let message = e.to_string();
    match shape_of(field).and_then(|s| wrong_type(field, s, &message, json)) {
        Some(words) => E::custom(words),
        None => e,
    }
}

/// A tag's value that is not text.
pub fn tag_value_in_user_words<E: serde::de::Error>(key: &str, e: E, json: bool) -> E {
    let message = e.to_string();
    let shape = text("payments", r#""payments""#);
    if found_in(&message, shape.own).is_none() {
        return e;
    }
    let example = if json {
        format!(r#""{key}": "payments""#)
    } else {
        format!("{key}: payments")
    };
    E::custom(format_args!(
        "the value of tag `{key}` is text: write `{example}` (a tag is a name and one text value)"
    ))
}

/// A node's value that is not a map of fields.
pub fn node_in_user_words<E: serde::de::Error>(id: &str, e: E, json: bool) -> E {
    let own = ["a node: a mapping of fields such as requires, region, zones"];
    let Some(found) = found_in(&e.to_string(), &own) else {
        return e;
    };
    let example = if json {
        format!(r#""{id}": {{"region": "us-east-1", "requires": ["db"]}}"#)
    } else {
        format!("{id}: {{region: us-east-1, requires: [db]}}")
    };
    E::custom(format_args!(
        "the node `{id}` is a map of its fields{}: write `{example}`, or `{id}: {{}}` for a node with none",
        found.map(|f| format!(", not {f}")).unwrap_or_default()
    ))
}

/// "`requires` is a list, not text `web`: write `requires: [web]`", when
/// `message` says that `field`'s own value has the wrong type.
fn wrong_type(field: &str, shape: Shape, message: &str, json: bool) -> Option<String> {
    let found = found_in(message, shape.own)?;
    let written = found.as_ref().and_then(Found::text);
    let value = match (written, shape.list) {
        (Some(t), true) if json => format!(r#"["{t}"]"#),
        (Some(t), true) => format!("[{t}]"),
        _ if json => shape.json.to_owned(),
        _ => shape.yaml.to_owned(),
    };
    let example = if json {
        format!(r#""{field}": {value}"#)
    } else {
        format!("{field}: {value}")
    };
    let not = found.map(|f| format!(", not {f}")).unwrap_or_default();
    Some(format!(
        "`{field}` is {}{not}: write `{example}`",
        shape.what
    ))
}

/// What was written instead, as serde names it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Text(String),
    Other(String),
}

impl Found {
    fn text(&self) -> Option<&str> {
        match self {
            Found::Text(t) => Some(t),
            Found::Other(_) => None,
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Text(t) => write!(f, "the text `{t}`"),
            Found::Other(o) => f.write_str(o),
        }
    }
}

/// `Some(what was found)` when `message` is a wrong-type error of a value
/// whose own words are `own` (`Some(None)` when the parser does not say what
/// it found); `None` for any other error.
fn found_in(message: &str, own: &[&str]) -> Option<Option<Found>> {
    let message = without_position(message);
    if PARSER_WORDS.contains(&message) {
        return Some(None);
    }
    let rest = message.strip_prefix("invalid type: ")?;
    let (found, expected) = rest.rsplit_once(", expected ")?;
    if !own.contains(&expected) {
        return None;
    }
    Some(Some(name_found(found)))
}

/// The message alone: the parsers add " at line L column C" (and the YAML
/// parser a snippet on further lines) to what they display.
fn without_position(message: &str) -> &str {
    let first = message.lines().next().unwrap_or(message).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    }
}

/// serde's `string "web"`, `integer `3``, `sequence`, `map` in plain words.
fn name_found(found: &str) -> Found {
    if let Some(s) = found
        .strip_prefix("string \"")
        .and_then(|s| s.strip_suffix('"'))
    {
        return Found::Text(s.to_owned());
    }
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim_matches('`').to_owned())
    };
    let words = match found {
        "sequence" => "a list".to_owned(),
        "map" => "a map".to_owned(),
        "unit value" | "null" => "null".to_owned(),
        _ => match quoted("integer ")
            .or_else(|| quoted("floating point "))
            .or_else(|| quoted("boolean "))
        {
            Some(v) => format!("`{v}`"),
            None => found.to_owned(),
        },
    };
    Found::Other(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_field_written_as_text_puts_the_text_between_brackets() {
        let m = r#"invalid type: string "db", expected a sequence"#;
        let s = shape_of("requires").expect("requires has a shape");
        assert_eq!(
            wrong_type("requires", s, m, false).as_deref(),
            Some("`requires` is a list, not the text `db`: write `requires: [db]`")
        );
        assert_eq!(
            wrong_type("requires", s, m, true).as_deref(),
            Some(r#"`requires` is a list, not the text `db`: write `"requires": ["db"]`"#)
        );
    }

    #[test]
    fn an_error_from_inside_the_value_is_not_rewritten() {
        let s = shape_of("requires").expect("requires has a shape");
        let nested = "invalid type: sequence, expected a node id, or a map with one of `all`";
        assert_eq!(wrong_type("requires", s, nested, false), None);
        let custom = "`all` is a list: write `all: [a, b]`";
        assert_eq!(wrong_type("requires", s, custom, false), None);
    }

    #[test]
    fn the_parsers_words_are_rewritten_without_saying_what_was_found() {
        let s = shape_of("quorum").expect("quorum has a shape");
        assert_eq!(
            wrong_type("quorum", s, "expected string scalar", false).as_deref(),
            Some("`quorum` is a number: write `quorum: 2`")
        );
    }
}
