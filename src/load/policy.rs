//! The CI policy file (SPEC §4.1): TOML, read with spans so that every
//! mistake is reported with its line and column, all together.
//!
//! ```toml
//! [[rule]]
//! name = "critical functions survive a region"
//! functions = { criticality = ["critical", "high"] }   # or ids = [...], tags = {...}, or "*"
//! must_survive = ["region", "zone"]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{closest, did_you_mean, Code, Diagnostic, SourceFile, Span};
use crate::graph::Graph;
use crate::model::{Criticality, DomainKind, FunctionSelector, NodeKind, Rule};

/// A checked policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub rules: Vec<Rule>,
    /// Where each rule's `name` is written: (line, column), 1-based.
    pub positions: Vec<(usize, usize)>,
    /// The policy file as given.
    pub file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    functions: Spanned<RawFunctions>,
    must_survive: Spanned<Vec<Spanned<String>>>,
}

enum RawFunctions {
    All(String),
    Where(RawWhere),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhere {
    ids: Option<Vec<Spanned<String>>>,
    criticality: Option<Vec<Spanned<String>>>,
    tags: Option<BTreeMap<String, String>>,
}

impl<'de> Deserialize<'de> for RawFunctions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V(PhantomData<()>);
        impl<'de> Visitor<'de> for V {
            type Value = RawFunctions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#""*" or a table such as { criticality = ["critical"] }"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawFunctions, E> {
                Ok(RawFunctions::All(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawFunctions, A::Error> {
                RawWhere::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawFunctions::Where)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// Reads and checks a policy against the estate it will gate.
pub fn parse_policy(name: &str, text: &str, graph: &Graph) -> Result<Policy, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(name, Arc::from(text)));
    let raw: RawPolicy = toml::from_str(text).map_err(|e| {
        let span = e.span().map(|r| Span {
            file: file.clone(),
            range: r,
        });
        let message = e.message().trim().to_owned();
        let mut d = Diagnostic::error(Code::InvalidPolicy, message.clone()).at(span);
        if d.span.is_none() {
            d = d.in_file(name);
        }
        if let Some(h) = unknown_key_help(&message) {
            d = d.help(h);
        }
        vec![d]
    })?;
    let mut problems = Vec::new();
    let at = |r: Range<usize>| {
        Some(Span {
            file: file.clone(),
            range: r,
        })
    };
    if raw.rule.is_empty() {
        problems.push(
            Diagnostic::error(Code::InvalidPolicy, "the policy has no rule")
                .in_file(name)
                .help("add a [[rule]] with name, functions and must_survive"),
        );
    }
    let mut rules = Vec::new();
    let mut positions = Vec::new();
    let mut names: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for r in raw.rule {
        let name_text = r.name.get_ref().clone();
        if names.insert(name_text.clone(), r.name.span()).is_some() {
            problems.push(
                Diagnostic::error(
                    Code::InvalidPolicy,
                    format!("two rules are named `{name_text}`"),
                )
                .at(at(r.name.span()))
                .help("give each rule its own name: baselines refer to rules by name"),
            );
        }
        positions.push(file.line_col(r.name.span().start));
        let functions = functions(graph, r.functions, &at, &mut problems);
        let kinds = must_survive(r.must_survive, &at, &mut problems);
        if let (Some(functions), Some(must_survive)) = (functions, kinds) {
            rules.push(Rule {
                name: name_text,
                functions,
                must_survive,
            });
        }
    }
    if problems.is_empty() {
        Ok(Policy {
            rules,
            positions,
            file: name.to_owned(),
        })
    } else {
        Err(problems)
    }
}

fn unknown_key_help(message: &str) -> Option<String> {
    let wrong = message.split('`').nth(1)?;
    if !message.contains("unknown field") {
        return None;
    }
    let known = [
        "rule",
        "name",
        "functions",
        "must_survive",
        "ids",
        "criticality",
        "tags",
    ];
    did_you_mean(&closest(wrong, known))
}

type At<'a> = &'a dyn Fn(Range<usize>) -> Option<Span>;

fn functions(
    graph: &Graph,
    raw: Spanned<RawFunctions>,
    at: At,
    problems: &mut Vec<Diagnostic>,
) -> Option<FunctionSelector> {
    let span = raw.span();
    match raw.into_inner() {
        RawFunctions::All(s) if s == "*" => Some(FunctionSelector::All),
        RawFunctions::All(s) => {
            problems.push(
                Diagnostic::error(Code::InvalidPolicy, format!("`functions = \"{s}\"` selects nothing"))
                    .at(at(span))
                    .help(r#"write "*" for every function, or a table: { ids = [...] }, { criticality = [...] } or { tags = {...} }"#),
            );
            None
        }
        RawFunctions::Where(w) => {
            let before = problems.len();
            let ids = w.ids.map(|ids| checked_ids(graph, ids, at, problems));
            let criticality = w.criticality.map(|levels| {
                levels
                    .into_iter()
                    .filter_map(|l| {
                        let parsed = Criticality::parse(l.get_ref());
                        if parsed.is_none() {
                            problems.push(
                                Diagnostic::error(
                                    Code::InvalidPolicy,
                                    format!("`{}` is not a criticality", l.get_ref()),
                                )
                                .at(at(l.span()))
                                .help("use critical, high, medium or low"),
                            );
                        }
                        parsed
                    })
                    .collect()
            });
            let tags: Vec<(String, String)> = w.tags.unwrap_or_default().into_iter().collect();
            if ids.is_none() && criticality.is_none() && tags.is_empty() {
                problems.push(
                    Diagnostic::error(Code::InvalidPolicy, "`functions` has no condition")
                        .at(at(span))
                        .help(r#"use ids, criticality or tags, or "*" for every function"#),
                );
            }
            (problems.len() == before).then_some(FunctionSelector::Where {
                ids,
                criticality,
                tags,
            })
        }
    }
}

/// `ids` must name functions of the estate: a typo would silently exempt a
/// function from the gate.
fn checked_ids(
    graph: &Graph,
    ids: Vec<Spanned<String>>,
    at: At,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        let text = id.get_ref();
        match graph.find(text) {
            Some(f) if graph.kind(f) == NodeKind::Function => out.push(text.clone()),
            found => {
                let names = graph.functions().iter().map(|&f| graph.id(f));
                let hint = did_you_mean(&closest(text, names));
                let what = if found.is_some() {
                    "is not a function"
                } else {
                    "is not defined in the estate"
                };
                let mut d = Diagnostic::error(Code::InvalidPolicy, format!("`{text}` {what}"))
                    .at(at(id.span()))
                    .help("list function ids of the estate");
                if let Some(h) = hint {
                    d = d.note(h);
                }
                problems.push(d);
            }
        }
    }
    out
}

fn must_survive(
    raw: Spanned<Vec<Spanned<String>>>,
    at: At,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<DomainKind>> {
    let span = raw.span();
    let before = problems.len();
    let mut kinds = Vec::new();
    for k in raw.into_inner() {
        match k.get_ref().parse::<DomainKind>() {
            Ok(kind) if !kinds.contains(&kind) => kinds.push(kind),
            Ok(_) => {}
            Err(e) => problems.push(
                crate::diag::unknown_domain_kind(&e.0)
                    .at(at(k.span()))
                    .help(
                    "must_survive takes domain kinds: region, zone, account, cloud-service, node",
                ),
            ),
        }
    }
    if kinds.is_empty() && problems.len() == before {
        problems.push(
            Diagnostic::error(Code::InvalidPolicy, "`must_survive` is empty")
                .at(at(span))
                .help(r#"list the domain kinds functions must survive, e.g. ["region", "zone"]"#),
        );
    }
    (problems.len() == before).then_some(kinds)
}
