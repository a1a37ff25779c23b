//! The rates file of `availability` (SPEC §7.1): TOML, read with spans so
//! that every mistake is reported with its line and column, all together.
//!
//! ```toml
//! [default]                 # every domain of a kind, unless listed below
//! region = 0.9999
//! zone = 0.999
//! [region]
//! us-east-1 = 0.9995
//! [cloud-service]
//! "dynamodb@us-east-1" = 0.99995
//! ```
//!
//! Checked against the estate it rates: a listed domain the estate lacks
//! is a mistake (a typo in a region would otherwise rate nothing and go
//! unnoticed), with the estate's values suggested.

use std::ops::Range;
use std::sync::Arc;

use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use crate::diag::{closest, did_you_mean, Code, Diagnostic, SourceFile, Span};
use crate::graph::{Attr, Graph};
use crate::model::rates::{Rates, RATED_KINDS};
use crate::model::DomainKind;

/// A TOML value with the byte range it was written at.
type Node<'i> = Spanned<DeValue<'i>>;
/// A TOML key with the byte range it was written at.
type Key<'i> = Spanned<DeString<'i>>;

/// Reads and checks a rates file against the estate it rates. Every
/// mistake comes back at once, in file order; only a TOML syntax error is
/// reported alone, since the parser stops at it.
pub fn parse_rates(name: &str, text: &str, graph: &Graph) -> Result<Rates, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(name, Arc::from(text)));
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let d = Diagnostic::error(Code::InvalidRates, e.message().trim())
                .at(e.span().map(|range| Span {
                    file: file.clone(),
                    range,
                }))
                .help("fix the TOML syntax at this position");
            let d = if d.span.is_none() { d.in_file(name) } else { d };
            return Err(vec![d]);
        }
    };
    let mut checker = Checker {
        file,
        graph,
        problems: Vec::new(),
        rates: Rates::default(),
    };
    checker.document(root.get_ref());
    let mut problems = checker.problems;
    if problems.is_empty() {
        return Ok(checker.rates);
    }
    problems.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.range.start));
    Err(problems)
}

/// The kinds as a rates file writes them (the section names).
fn kind_name(kind: DomainKind) -> &'static str {
    kind.as_str()
}

/// Walks the parsed file, collecting one diagnostic per mistake.
struct Checker<'g> {
    file: Arc<SourceFile>,
    graph: &'g Graph,
    problems: Vec<Diagnostic>,
    rates: Rates,
}

impl Checker<'_> {
    fn error(&mut self, code: Code, range: Range<usize>, message: String, help: String) {
        let d = Diagnostic::error(code, message)
            .at(Some(Span {
                file: self.file.clone(),
                range,
            }))
            .help(help);
        self.problems.push(d);
    }

    /// The top level: `[default]` and one table per rated kind.
    fn document(&mut self, root: &DeTable) {
        let mut sections: Vec<(&Key, &Node)> = root.iter().collect();
        sections.sort_by_key(|(k, _)| k.span().start);
        let names: Vec<&str> = std::iter::once("default")
            .chain(RATED_KINDS.iter().map(|&k| kind_name(k)))
            .collect();
        for (key, value) in sections {
            let name = key.get_ref().as_ref();
            let Some(table) = self.table(key, value) else {
                continue;
            };
            if name == "default" {
                self.defaults(table);
            } else if let Some(&kind) = RATED_KINDS.iter().find(|&&k| kind_name(k) == name) {
                self.listed(kind, table);
            } else {
                let help = match did_you_mean(&closest(name, names.iter().copied())) {
                    Some(dym) => dym,
                    None => format!("a rates file has the tables {}", names.join(", ")),
                };
                self.error(
                    Code::InvalidRates,
                    key.span(),
                    format!("unknown table `[{name}]` in the rates file"),
                    help,
                );
            }
        }
    }

    /// `value` as a table, or a mistake at it.
    fn table<'t, 'i>(&mut self, key: &Key, value: &'t Node<'i>) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let name = key.get_ref().as_ref();
                self.error(
                    Code::InvalidRates,
                    value.span(),
                    format!("`{name}` must be a table, not a {}", other.type_str()),
                    format!("write it as a `[{name}]` header followed by `key = 0.999` lines"),
                );
                None
            }
        }
    }

    /// `[default]`: one availability per kind.
    fn defaults(&mut self, table: &DeTable) {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(&kind) = RATED_KINDS.iter().find(|&&k| kind_name(k) == name) else {
                let kinds: Vec<&str> = RATED_KINDS.iter().map(|&k| kind_name(k)).collect();
                let help = match did_you_mean(&closest(name, kinds.iter().copied())) {
                    Some(dym) => dym,
                    None => format!("the kinds are {}", kinds.join(", ")),
                };
                self.error(
                    Code::InvalidRates,
                    key.span(),
                    format!("unknown kind `{name}` in [default]"),
                    help,
                );
                continue;
            };
            if let Some(v) = self.availability(value) {
                self.rates.defaults.insert(kind, v);
            }
        }
    }

    /// `[region]`, `[zone]`, ...: one availability per domain the estate has.
    fn listed(&mut self, kind: DomainKind, table: &DeTable) {
        let present = values_of(self.graph, kind);
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let v = self.availability(value);
            if present.binary_search_by(|p| p.as_str().cmp(name)).is_err() {
                let kind_text = kind_name(kind);
                let help = match did_you_mean(&closest(name, present.iter().map(String::as_str))) {
                    Some(dym) => dym,
                    None => format!(
                        "the estate's {kind_text} values are: {}",
                        shortlist(&present)
                    ),
                };
                self.error(
                    Code::InvalidRates,
                    key.span(),
                    format!("the estate has no {kind_text} `{name}`"),
                    help,
                );
                continue;
            }
            if let Some(v) = v {
                self.rates.listed.insert((kind, name.to_owned()), v);
            }
        }
    }

    /// A number in (0, 1], or a mistake at it.
    fn availability(&mut self, value: &Node) -> Option<f64> {
        let number = match value.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i.as_str().replace('_', "").parse::<f64>().ok(),
            other => {
                self.error(
                    Code::InvalidRates,
                    value.span(),
                    format!("an availability is a number, not a {}", other.type_str()),
                    "write a number in (0, 1], such as 0.9995".to_owned(),
                );
                return None;
            }
        };
        match number {
            Some(v) if v > 0.0 && v <= 1.0 => Some(v),
            _ => {
                let text = &self.file.text[value.span()];
                let message = format!("availability `{text}` is outside (0, 1]");
                self.error(
                    Code::AvailabilityOutOfRange,
                    value.span(),
                    message,
                    "an availability is the probability of being up, such as 0.9995 (write 99.95 % as 0.9995)".to_owned(),
                );
                None
            }
        }
    }
}

/// The domains of `kind` the estate has (SPEC §4), sorted.
pub fn values_of(graph: &Graph, kind: DomainKind) -> Vec<String> {
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let mut values = match kind {
        DomainKind::Region => owned(graph.attr_values(Attr::Region)),
        DomainKind::Zone => owned(graph.zone_values()),
        DomainKind::Account => owned(graph.attr_values(Attr::Account)),
        DomainKind::CloudService => graph
            .nodes()
            .filter_map(|n| {
                let s = graph.attr(n, Attr::Service)?;
                let r = graph.attr(n, Attr::Region)?;
                Some(format!("{s}@{r}"))
            })
            .collect(),
        DomainKind::Node => graph.nodes().map(|n| graph.id(n).to_owned()).collect(),
    };
    values.sort_unstable();
    values.dedup();
    values
}

/// At most ten values, and how many more there are.
fn shortlist(values: &[String]) -> String {
    let shown: Vec<&str> = values.iter().take(10).map(String::as_str).collect();
    let more = values.len().saturating_sub(10);
    if more == 0 {
        shown.join(", ")
    } else {
        format!("{} and {more} more", shown.join(", "))
    }
}
