//! The CI policy file (SPEC §4.1): TOML, read with spans so that every
//! mistake is reported with its line and column, all together.
//!
//! ```toml
//! [[rule]]
//! name = "critical functions survive a region"
//! functions = { criticality = ["critical", "high"] }   # or ids = [...], tags = {...}, or "*"
//! must_survive = ["region", "zone"]
//! ```
//!
//! The text is parsed into a spanned TOML tree first (only a syntax error
//! stops there, as the parser cannot go on), then walked by hand: an unknown
//! key, a missing field, a value of the wrong type or an unknown name each
//! becomes one [`Diagnostic`], and the walk goes on, so a user fixes the
//! whole file after one run instead of one mistake per run.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use toml::de::{DeString, DeTable, DeValue};
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

/// The keys of the document's top level.
const TOP_KEYS: [&str; 1] = ["rule"];
/// The keys of a `[[rule]]`.
/// `must_survive` read: single kinds, and `KIND+KIND` pairs.
type SurviveKinds = (Vec<DomainKind>, Vec<(DomainKind, DomainKind)>);

const RULE_KEYS: [&str; 4] = ["name", "functions", "must_survive", "node_kinds"];
/// The keys of a `functions = { ... }` table.
const WHERE_KEYS: [&str; 3] = ["ids", "criticality", "tags"];

/// A TOML value with the byte range it was written at.
type Node<'i> = Spanned<DeValue<'i>>;
/// A TOML key with the byte range it was written at.
type Key<'i> = Spanned<DeString<'i>>;

/// Reads and checks a policy against the estate it will gate.
///
/// Every mistake of the file comes back at once, in file order (those
/// without a position last); only a TOML syntax error is reported alone,
/// since the parser stops at it.
pub fn parse_policy(name: &str, text: &str, graph: &Graph) -> Result<Policy, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(name, Arc::from(text)));
    let root = DeTable::parse(text).map_err(|e| vec![syntax_error(&file, &e)])?;
    let mut checker = Checker {
        file: file.clone(),
        graph,
        problems: Vec::new(),
    };
    let rules = checker.document(root.get_ref());
    let mut problems = checker.problems;
    if problems.is_empty() {
        let (rules, positions) = rules
            .into_iter()
            .map(|(name_at, rule)| (rule, file.line_col(name_at)))
            .unzip();
        return Ok(Policy {
            rules,
            positions,
            file: name.to_owned(),
        });
    }
    problems.sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.range.start));
    Err(problems)
}

/// The one mistake a TOML parser can report: the text is not TOML.
fn syntax_error(file: &Arc<SourceFile>, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().map(|range| Span {
        file: file.clone(),
        range,
    });
    let d = Diagnostic::error(Code::InvalidPolicy, e.message().trim())
        .at(span)
        .help("fix the TOML syntax at this position");
    if d.span.is_none() {
        d.in_file(file.name.clone())
    } else {
        d
    }
}

/// The entries of a table in the order they are written (the parsed table
/// is sorted by key), so diagnostics and rules follow the file.
fn in_file_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<(&'t Key<'i>, &'t Node<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// "a string", "an integer": a TOML type as a message says it.
fn a(value: &DeValue) -> String {
    let kind = value.type_str();
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// `names = ["a", "b"]`-style list of known keys for help texts.
fn listed(keys: &[&str]) -> String {
    let list: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    list.join(", ")
}

/// Walks the parsed policy, collecting one diagnostic per mistake.
struct Checker<'g> {
    file: Arc<SourceFile>,
    graph: &'g Graph,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&self, range: Range<usize>) -> Option<Span> {
        Some(Span {
            file: self.file.clone(),
            range,
        })
    }

    /// Records an `invalid-policy` error at `range` with its fix.
    fn error(&mut self, range: Range<usize>, message: String, help: impl Into<String>) {
        let d = Diagnostic::error(Code::InvalidPolicy, message)
            .at(self.at(range))
            .help(help);
        self.problems.push(d);
    }

    /// A key that is not one of `known` in `place`: a typo must not be ignored.
    /// `elsewhere` names keys that belong at another place, with where.
    fn unknown_key(&mut self, key: &Key, known: &[&str], place: &str, elsewhere: Option<&str>) {
        let text = key.get_ref().as_ref();
        let takes = format!("{place} takes {}", listed(known));
        let help = match (
            elsewhere,
            did_you_mean(&closest(text, known.iter().copied())),
        ) {
            (Some(there), _) => format!("`{text}` belongs {there}"),
            (None, Some(dym)) => format!("{dym} ({takes})"),
            (None, None) => takes,
        };
        let message = format!("unknown field `{text}` in {place}");
        self.error(key.span(), message, help);
    }

    /// The top level: only `[[rule]]` tables. Returns each well-formed rule
    /// with the offset of its name.
    fn document(&mut self, root: &DeTable) -> Vec<(usize, Rule)> {
        let mut rules = Vec::new();
        let mut names: BTreeMap<String, Range<usize>> = BTreeMap::new();
        let mut any_rule = false;
        for (key, value) in in_file_order(root) {
            if key.get_ref() != "rule" {
                let elsewhere = RULE_KEYS
                    .contains(&key.get_ref().as_ref())
                    .then_some("in a rule: write it under a `[[rule]]` header");
                self.unknown_key(key, &TOP_KEYS, "the policy", elsewhere);
                continue;
            }
            let before = self.problems.len();
            let tables = self.rule_tables(value);
            // A `rule` of the wrong shape is reported as such, not as missing.
            any_rule |= !tables.is_empty() || self.problems.len() > before;
            for (span, table) in tables {
                if let Some((name, rule)) = self.rule(span, table) {
                    if names.insert(rule.name.clone(), name.clone()).is_some() {
                        self.error(
                            name.clone(),
                            format!("two rules are named `{}`", rule.name),
                            "give each rule its own name: baselines refer to rules by name",
                        );
                    }
                    rules.push((name.start, rule));
                }
            }
        }
        if !any_rule {
            self.problems.push(
                Diagnostic::error(Code::InvalidPolicy, "the policy has no rule")
                    .in_file(self.file.name.clone())
                    .help("add a [[rule]] with name, functions and must_survive"),
            );
        }
        rules
    }

    /// The tables of `rule`, which must be an array of tables (`[[rule]]`).
    fn rule_tables<'v, 'i>(&mut self, value: &'v Node<'i>) -> Vec<(Range<usize>, &'v DeTable<'i>)> {
        let help = "write each rule under a `[[rule]]` header (two brackets)";
        let DeValue::Array(items) = value.get_ref() else {
            let message = format!(
                "`rule` must be an array of tables, not {}",
                a(value.get_ref())
            );
            self.error(value.span(), message, help);
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => tables.push((item.span(), t)),
                other => {
                    let message = format!("a rule must be a table, not {}", a(other));
                    self.error(item.span(), message, help);
                }
            }
        }
        tables
    }

    /// One `[[rule]]` written at `header`: its rule and where its name is,
    /// when every field is right.
    fn rule(&mut self, header: Range<usize>, table: &DeTable) -> Option<(Range<usize>, Rule)> {
        let before = self.problems.len();
        let (mut name, mut functions, mut must_survive) = (None, None, None);
        let mut node_kinds: Option<(Range<usize>, Option<Vec<NodeKind>>)> = None;
        for (key, value) in in_file_order(table) {
            match key.get_ref().as_ref() {
                "name" => name = Some(self.name(value)),
                "functions" => functions = Some(self.functions(value)),
                "must_survive" => must_survive = Some(self.must_survive(value)),
                "node_kinds" => node_kinds = Some((key.span(), self.node_kinds(value))),
                other => {
                    let elsewhere = WHERE_KEYS.contains(&other).then_some(
                        "in `functions`, e.g. functions = { criticality = [\"critical\"] }",
                    );
                    self.unknown_key(key, &RULE_KEYS, "a rule", elsewhere);
                }
            }
        }
        let missing = [
            (
                "name",
                name.is_none(),
                r#"name = "critical functions survive a region""#,
            ),
            ("functions", functions.is_none(), r#"functions = "*""#),
            (
                "must_survive",
                must_survive.is_none(),
                r#"must_survive = ["region", "zone"]"#,
            ),
        ];
        for (field, absent, example) in missing {
            if absent {
                let message = format!("missing field `{field}` in this rule");
                self.error(header.clone(), message, format!("add {example}"));
            }
        }
        let (name, functions, must_survive) = (name??, functions??, must_survive??);
        let node_kinds = match node_kinds {
            None => None,
            Some((key, kinds)) => {
                if !must_survive.0.contains(&DomainKind::Node)
                    && !must_survive
                        .1
                        .iter()
                        .any(|&(a, b)| a == DomainKind::Node || b == DomainKind::Node)
                {
                    // Without `node` it would limit nothing: a rule that
                    // looks stricter than it is.
                    self.error(
                        key,
                        "`node_kinds` without `node` in `must_survive` limits nothing".to_owned(),
                        r#"add "node" to must_survive, or remove node_kinds"#,
                    );
                }
                Some(kinds?)
            }
        };
        (self.problems.len() == before).then(|| {
            let rule = Rule {
                name: name.get_ref().clone(),
                functions,
                must_survive: must_survive.0,
                must_survive_pairs: must_survive.1,
                node_kinds,
            };
            (name.span(), rule)
        })
    }

    fn name(&mut self, value: &Node) -> Option<Spanned<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            other => {
                let message = format!("`name` must be a string, not {}", a(other));
                let help = r#"write name = "critical functions survive a region""#;
                self.error(value.span(), message, help);
                None
            }
        }
    }

    /// `functions = "*"` or `{ ids, criticality, tags }`.
    fn functions(&mut self, value: &Node) -> Option<FunctionSelector> {
        match value.get_ref() {
            DeValue::String(s) if s == "*" => Some(FunctionSelector::All),
            DeValue::String(s) => {
                let message = format!("`functions = \"{s}\"` selects nothing");
                let help = r#"write "*" for every function, or a table: { ids = [...] }, { criticality = [...] } or { tags = {...} }"#;
                self.error(value.span(), message, help);
                None
            }
            DeValue::Table(table) => self.function_conditions(value.span(), table),
            other => {
                let message = format!(r#"`functions` must be "*" or a table, not {}"#, a(other));
                let help = r#"write functions = "*" or a table such as functions = { criticality = ["critical"] }"#;
                self.error(value.span(), message, help);
                None
            }
        }
    }

    /// The table form of `functions`: every condition given must hold.
    fn function_conditions(
        &mut self,
        span: Range<usize>,
        table: &DeTable,
    ) -> Option<FunctionSelector> {
        let before = self.problems.len();
        let (mut ids, mut criticality, mut tags) = (None, None, Vec::new());
        let mut conditions = false;
        for (key, value) in in_file_order(table) {
            match key.get_ref().as_ref() {
                "ids" => {
                    conditions = true;
                    let listed = self.strings(value, "ids", r#"["checkout"]"#);
                    ids = listed.map(|list| self.checked_ids(list));
                }
                "criticality" => {
                    conditions = true;
                    let listed = self.strings(value, "criticality", r#"["critical", "high"]"#);
                    criticality = listed.map(|list| self.levels(list));
                }
                "tags" => {
                    tags = self.tags(value);
                    conditions |= !tags.is_empty();
                }
                _ => self.unknown_key(key, &WHERE_KEYS, "`functions`", None),
            }
        }
        if !conditions && self.problems.len() == before {
            self.error(
                span,
                "`functions` has no condition".to_owned(),
                r#"use ids, criticality or tags, or "*" for every function"#,
            );
        }
        (self.problems.len() == before).then_some(FunctionSelector::Where {
            ids,
            criticality,
            tags,
        })
    }

    /// A list of strings; `None` (with a diagnostic) when `value` is not a
    /// list, and each entry that is not a string is reported and left out.
    fn strings(
        &mut self,
        value: &Node,
        field: &str,
        example: &str,
    ) -> Option<Vec<Spanned<String>>> {
        let items = match value.get_ref() {
            DeValue::Array(items) => items,
            other => {
                let message = format!("`{field}` must be a list of strings, not {}", a(other));
                let help = match other {
                    DeValue::String(s) => format!(r#"write {field} = ["{s}"]"#),
                    _ => format!("write {field} = {example}"),
                };
                self.error(value.span(), message, help);
                return None;
            }
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Spanned::new(item.span(), s.to_string())),
                other => {
                    let message =
                        format!("each entry of `{field}` must be a string, not {}", a(other));
                    self.error(item.span(), message, format!("write {field} = {example}"));
                }
            }
        }
        Some(out)
    }

    /// `ids` must name functions of the estate: a typo would silently exempt
    /// a function from the gate.
    fn checked_ids(&mut self, ids: Vec<Spanned<String>>) -> Vec<String> {
        let graph = self.graph;
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
                        .at(self.at(id.span()))
                        .help("list function ids of the estate");
                    if let Some(h) = hint {
                        d = d.note(h);
                    }
                    self.problems.push(d);
                }
            }
        }
        out
    }

    /// Criticality levels; each unknown one is reported.
    fn levels(&mut self, levels: Vec<Spanned<String>>) -> Vec<Criticality> {
        let mut out = Vec::new();
        for level in levels {
            match Criticality::parse(level.get_ref()) {
                Some(c) => out.push(c),
                None => self.error(
                    level.span(),
                    format!("`{}` is not a criticality", level.get_ref()),
                    "use critical, high, medium or low",
                ),
            }
        }
        out
    }

    /// `tags = { key = "value" }`, in key order.
    fn tags(&mut self, value: &Node) -> Vec<(String, String)> {
        let help = r#"write tags = { team = "payments" }"#;
        let DeValue::Table(table) = value.get_ref() else {
            let message = format!("`tags` must be a table, not {}", a(value.get_ref()));
            self.error(value.span(), message, help);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, tag) in table.iter() {
            match tag.get_ref() {
                DeValue::String(s) => out.push((key.get_ref().to_string(), s.to_string())),
                other => {
                    let message = format!(
                        "the value of tag `{}` must be a string, not {}",
                        key.get_ref(),
                        a(other)
                    );
                    self.error(tag.span(), message, help);
                }
            }
        }
        out
    }

    /// `must_survive = ["region", "zone+zone", ...]`: known domain kinds,
    /// and pairs `KIND+KIND` (SPEC §6.3), each once (`zone+region` is
    /// `region+zone`).
    fn must_survive(&mut self, value: &Node) -> Option<SurviveKinds> {
        let before = self.problems.len();
        let listed = self.strings(value, "must_survive", r#"["region", "zone"]"#)?;
        let mut kinds = Vec::new();
        let mut pairs = Vec::new();
        for k in listed {
            let text = k.get_ref();
            let parsed = match text.split_once('+') {
                None => text.parse::<DomainKind>().map(|kind| (kind, None)),
                Some((a, b)) => a
                    .trim()
                    .parse::<DomainKind>()
                    .and_then(|a| Ok((a, Some(b.trim().parse::<DomainKind>()?)))),
            };
            match parsed {
                Ok((kind, None)) if !kinds.contains(&kind) => kinds.push(kind),
                Ok((a, Some(b))) => {
                    let pair = (a.min(b), a.max(b));
                    if !pairs.contains(&pair) {
                        pairs.push(pair);
                    }
                }
                Ok(_) => {}
                Err(e) => self.problems.push(
                    crate::diag::unknown_domain_kind(&e.0)
                        .at(self.at(k.span()))
                        .help(
                        "must_survive takes domain kinds: region, zone, account, cloud-service, node, or pairs of them such as zone+zone",
                    ),
                ),
            }
        }
        if kinds.is_empty() && pairs.is_empty() && self.problems.len() == before {
            self.error(
                value.span(),
                "`must_survive` is empty".to_owned(),
                r#"list the domain kinds functions must survive, e.g. ["region", "zone"]"#,
            );
        }
        (self.problems.len() == before).then_some((kinds, pairs))
    }

    /// `node_kinds = ["resource", "external"]`: known node kinds, each
    /// once, at least one.
    fn node_kinds(&mut self, value: &Node) -> Option<Vec<NodeKind>> {
        let before = self.problems.len();
        let listed = self.strings(value, "node_kinds", r#"["resource", "external"]"#)?;
        let names = NodeKind::ALL.map(NodeKind::as_str);
        let mut kinds = Vec::new();
        for k in listed {
            match NodeKind::ALL
                .into_iter()
                .find(|n| n.as_str() == k.get_ref())
            {
                Some(kind) if !kinds.contains(&kind) => kinds.push(kind),
                Some(_) => {}
                None => {
                    let mut d = Diagnostic::error(
                        Code::InvalidPolicy,
                        format!("`{}` is not a kind of node", k.get_ref()),
                    )
                    .at(self.at(k.span()))
                    .help(format!("node_kinds takes: {}", names.join(", ")));
                    if let Some(h) = did_you_mean(&closest(k.get_ref(), names.iter().copied())) {
                        d = d.note(h);
                    }
                    self.problems.push(d);
                }
            }
        }
        if kinds.is_empty() && self.problems.len() == before {
            self.error(
                value.span(),
                "`node_kinds` is empty".to_owned(),
                r#"list the kinds of node whose loss counts, e.g. ["resource", "external"], or remove node_kinds for every kind"#,
            );
        }
        (self.problems.len() == before).then_some(kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{load_documents, Source};

    /// A checkout function on a service in one region.
    fn shop() -> Graph {
        let estate = "version: 1\nfunctions:\n  checkout: {criticality: critical, requires: [api]}\nservices:\n  api: {region: r1}\n";
        let sources = [Source {
            name: "estate.yaml".to_owned(),
            text: estate.to_owned(),
        }];
        match load_documents(&sources) {
            Ok(loaded) => loaded.graph,
            Err(e) => panic!("the test estate must load: {e}"),
        }
    }

    /// Each problem of a policy that must be rejected, as
    /// `line:col code message` in the order reported.
    fn problems(toml: &str) -> Vec<String> {
        match parse_policy("p.toml", toml, &shop()) {
            Ok(p) => panic!("expected the policy to be rejected: {toml}\ngot {p:?}"),
            Err(ds) => ds
                .iter()
                .map(|d| {
                    let (line, col) = d.span.as_ref().map_or((0, 0), Span::line_col);
                    format!("{line}:{col} {} {}", d.code, d.message)
                })
                .collect(),
        }
    }

    #[test]
    fn kind_plus_kind_is_a_pair_in_kind_order_listed_once() {
        let toml = "[[rule]]\nname = \"p\"\nfunctions = \"*\"\nmust_survive = [\"zone+region\", \"region+zone\", \"zone+zone\", \"node+node\"]\nnode_kinds = [\"resource\"]\n";
        let policy = match parse_policy("p.toml", toml, &shop()) {
            Ok(p) => p,
            Err(ds) => panic!("expected a valid policy: {ds:?}"),
        };
        let rule = &policy.rules[0];
        assert!(rule.must_survive.is_empty());
        assert_eq!(
            rule.must_survive_pairs,
            vec![
                (DomainKind::Region, DomainKind::Zone),
                (DomainKind::Zone, DomainKind::Zone),
                (DomainKind::Node, DomainKind::Node)
            ],
            "node_kinds counts with node+node"
        );
    }

    #[test]
    fn a_valid_policy_gives_its_rules_in_file_order_with_name_positions() {
        let toml = "[[rule]]\nname = \"b\"\nfunctions = { ids = [\"checkout\"], tags = { team = \"x\" } }\nmust_survive = [\"zone\", \"region\", \"zone\"]\n\n[[rule]]\nname = \"a\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\n";
        let policy = match parse_policy("p.toml", toml, &shop()) {
            Ok(p) => p,
            Err(ds) => panic!("expected a valid policy: {ds:?}"),
        };
        let names: Vec<&str> = policy.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["b", "a"]);
        assert_eq!(policy.positions, [(2, 8), (7, 8)]);
        assert_eq!(
            policy.rules[0].must_survive,
            [DomainKind::Zone, DomainKind::Region]
        );
        assert_eq!(
            policy.rules[0].functions,
            FunctionSelector::Where {
                ids: Some(vec!["checkout".to_owned()]),
                criticality: None,
                tags: vec![("team".to_owned(), "x".to_owned())],
            }
        );
        assert_eq!(policy.rules[1].functions, FunctionSelector::All);
    }

    #[test]
    fn node_kinds_are_read_once_each_and_absent_means_every_kind() {
        let toml = "[[rule]]\nname = \"a\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\nnode_kinds = [\"external\", \"resource\", \"external\"]\n\n[[rule]]\nname = \"b\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\n";
        let policy = match parse_policy("p.toml", toml, &shop()) {
            Ok(p) => p,
            Err(ds) => panic!("expected a valid policy: {ds:?}"),
        };
        assert_eq!(
            policy.rules[0].node_kinds,
            Some(vec![NodeKind::External, NodeKind::Resource])
        );
        assert!(!policy.rules[0].counts_node_kind(NodeKind::Service));
        assert_eq!(policy.rules[1].node_kinds, None);
        assert!(policy.rules[1].counts_node_kind(NodeKind::Service));
        assert_eq!(
            problems("[[rule]]\nname = \"a\"\nfunctions = \"*\"\nmust_survive = [\"node\"]\nnode_kinds = []\n"),
            ["5:14 invalid-policy `node_kinds` is empty"]
        );
    }

    #[test]
    fn every_mistake_of_a_policy_is_reported_in_one_run_in_file_order() {
        let toml = r#"version = 2

[[rule]]
name = "one"
functions = { ids = ["chekout"], criticality = ["urgent"] }
must_surive = ["zone"]

[[rule]]
name = "two"
functions = 3
must_survive = "region"

[[rule]]
functions = { tag = { team = "x" } }
must_survive = ["regoin"]
"#;
        assert_eq!(
            problems(toml),
            [
                "1:1 invalid-policy unknown field `version` in the policy",
                "3:1 invalid-policy missing field `must_survive` in this rule",
                "5:22 invalid-policy `chekout` is not defined in the estate",
                "5:49 invalid-policy `urgent` is not a criticality",
                "6:1 invalid-policy unknown field `must_surive` in a rule",
                "10:13 invalid-policy `functions` must be \"*\" or a table, not an integer",
                "11:16 invalid-policy `must_survive` must be a list of strings, not a string",
                "13:1 invalid-policy missing field `name` in this rule",
                "14:15 invalid-policy unknown field `tag` in `functions`",
                "15:17 unknown-domain-kind `regoin` is not a domain kind",
            ]
        );
    }

    /// The diagnostics of a policy that must be rejected.
    fn diagnostics(toml: &str) -> Vec<Diagnostic> {
        match parse_policy("p.toml", toml, &shop()) {
            Ok(p) => panic!("expected the policy to be rejected: {toml}\ngot {p:?}"),
            Err(ds) => ds,
        }
    }

    /// The help of the one diagnostic a policy must give.
    fn only_help(toml: &str) -> String {
        let ds = diagnostics(toml);
        assert_eq!(ds.len(), 1, "{toml}: {ds:?}");
        ds[0].help.clone().unwrap_or_default()
    }

    #[test]
    fn an_unknown_key_suggests_the_closest_key_of_its_place() {
        let rule = "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"zone\"]\n";
        let help = only_help(&format!("{rule}must_surive = [\"region\"]\n"));
        assert!(help.starts_with("did you mean `must_survive`?"), "{help}");
        let help = only_help(&format!("rules = 1\n{rule}"));
        assert!(help.starts_with("did you mean `rule`?"), "{help}");
        let help = only_help(
            "[[rule]]\nname = \"r\"\nfunctions = { criticalty = [\"high\"] }\nmust_survive = [\"zone\"]\n",
        );
        assert!(help.starts_with("did you mean `criticality`?"), "{help}");
    }

    #[test]
    fn a_key_written_one_level_off_says_where_it_belongs() {
        let help = only_help(
            "name = \"r\"\n[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"zone\"]\n",
        );
        assert!(help.contains("under a `[[rule]]` header"), "{help}");
        let help = only_help(
            "[[rule]]\nname = \"r\"\nfunctions = \"*\"\ncriticality = [\"high\"]\nmust_survive = [\"zone\"]\n",
        );
        assert!(help.contains("in `functions`"), "{help}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_shown_the_right_form() {
        let help =
            only_help("[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = \"region\"\n");
        assert_eq!(help, r#"write must_survive = ["region"]"#);
        let help = only_help("[[rule]]\nname = 1\nfunctions = \"*\"\nmust_survive = [\"zone\"]\n");
        assert!(help.contains(r#"name = ""#), "{help}");
        let help = only_help(
            "[[rule]]\nname = \"r\"\nfunctions = { tags = { team = 1 } }\nmust_survive = [\"zone\"]\n",
        );
        assert_eq!(help, r#"write tags = { team = "payments" }"#);
        let help = only_help(
            "[[rule]]\nname = \"r\"\nfunctions = { ids = [\"checkout\", 2] }\nmust_survive = [\"zone\"]\n",
        );
        assert_eq!(help, r#"write ids = ["checkout"]"#);
        let help =
            only_help("[rule]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"zone\"]\n");
        assert!(help.contains("`[[rule]]` header (two brackets)"), "{help}");
    }

    #[test]
    fn two_rules_with_one_name_are_an_error_at_the_second_name() {
        let rule = "[[rule]]\nname = \"r\"\nfunctions = \"*\"\nmust_survive = [\"zone\"]\n";
        assert_eq!(
            problems(&format!("{rule}{rule}")),
            ["6:8 invalid-policy two rules are named `r`"]
        );
    }

    #[test]
    fn a_toml_syntax_error_is_reported_alone_at_its_position() {
        let ds = diagnostics("[[rule]\nname = \"r\"\nfunctions = 3\nbogus = 1\n");
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(ds[0].code, Code::InvalidPolicy);
        assert_eq!(ds[0].span.as_ref().map(Span::line_col), Some((1, 8)));
    }

    #[test]
    fn a_policy_without_rules_is_an_error_in_the_file() {
        let ds = diagnostics("# nothing yet\n");
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(ds[0].message, "the policy has no rule");
        assert_eq!(ds[0].file.as_deref(), Some("p.toml"));
    }
}
