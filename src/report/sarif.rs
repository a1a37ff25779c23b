//! `check --format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab,
//! Azure DevOps, the VS Code SARIF viewer).
//!
//! A small serde model of the part of SARIF we write, as cargo-deny does,
//! not the whole schema. What a reader may rely on:
//! - one run; `tool.driver.rules` holds one rule per policy rule, in policy
//!   order, with ids derived from the rule's name (`blastmap/` and its
//!   [`slug`]; when two names give one slug, each of them gets `-` and 8 hex
//!   digits of its name's hash), so reordering rules renames no alert
//!   (`ruleIndex` is the position in that list);
//! - one `error` result per new violation, located where the function is
//!   defined (when the estate gave no position, where the rule is written in
//!   the policy file; with neither, no location), with
//!   `partialFingerprints["blastmapViolation/v1"]` = the baseline fingerprint
//!   of (rule, function, domain), so code scanning follows an alert across
//!   runs, edits and reordered rules;
//! - each result carries the dependency path as one `codeFlows` thread
//!   flow, a location per node (its file and line when the report knows
//!   them), and the causes' definitions as `relatedLocations`, so code
//!   scanning shows the chain down to the service or resource to change;
//! - a violation whose baseline entry has expired says "expired on DATE"
//!   in its message and has `properties.expired` = the date;
//! - baselined violations are left out of `results`: accepting them is the
//!   baseline's job, and code scanning does not reliably honour SARIF
//!   `suppressions`. A `note` notification counts them, and stale baseline
//!   entries;
//! - at most [`MAX_RESULTS`] results (GitHub's limit per run). Beyond it,
//!   one result per rule × function lists that function's domains
//!   (`partialFingerprints["blastmapFunction/v1"]`); if that is still too
//!   many, the first [`MAX_RESULTS`] are kept and a `warning` notification
//!   in `invocations[0].toolExecutionNotifications` says how many results
//!   and violations were left out.
//!
//! Keys come in declaration order and results in rule, function, domain
//! order, so the same report always gives the same bytes.

use std::collections::BTreeMap;

use serde::Serialize;

use super::sarif_model::{ArtifactLocation, Location, Log, PhysicalLocation, Region, Text};

use super::check::{
    slug, CheckReport, FunctionOutcome, RuleOutcome, SourcePosition, ViolationOutcome,
};

/// GitHub code scanning accepts at most this many results per run.
pub const MAX_RESULTS: usize = 25_000;

/// Domains listed in the message of a grouped (rule × function) result.
const GROUPED_DOMAINS_SHOWN: usize = 50;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties>,
}

#[derive(Serialize)]
struct Properties {
    /// The `expires` date of the baseline entry that no longer accepts the
    /// violation.
    expired: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    thread_flows: [ThreadFlow; 1],
}

#[derive(Serialize)]
struct ThreadFlow {
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadFlowLocation {
    location: Location,
    nesting_level: usize,
}

/// The SARIF log of a `check` run, pretty JSON ending in a newline.
/// `tool_version` becomes `tool.driver.version`.
pub fn to_sarif(report: &CheckReport, tool_version: &str) -> String {
    render(report, tool_version, MAX_RESULTS)
}

/// [`to_sarif`] with the result limit as a parameter (tests use small ones).
fn render(report: &CheckReport, tool_version: &str, limit: usize) -> String {
    let ids = rule_ids(&report.rules);
    let (results, mut notifications) = results_within(report, &ids, limit);
    notifications.extend(baseline_notes(report));
    let rules = report
        .rules
        .iter()
        .zip(&ids)
        .map(|(rule, id)| descriptor(rule, id))
        .collect();
    let invocation = Invocation {
        execution_successful: true,
        tool_execution_notifications: notifications,
    };
    Log::new(tool_version, rules, invocation, results).to_pretty_json()
}

/// The SARIF rule id of each rule (same index): `blastmap/` and the slug
/// of its name, which depends on the name alone, so adding, removing or
/// reordering rules renames no other rule's alerts. Names whose slugs
/// coincide (`a b` and `A-B`) each get `-` and 8 hex digits of a hash of
/// the name (policy names are unique, so ids are too).
pub fn rule_ids(rules: &[RuleOutcome]) -> Vec<String> {
    let slugs: Vec<String> = rules.iter().map(|r| slug(&r.name)).collect();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &slugs {
        *count.entry(s).or_default() += 1;
    }
    rules
        .iter()
        .zip(&slugs)
        .map(|(rule, s)| {
            if count[s.as_str()] > 1 {
                let hash = crate::engine::check::fingerprint(&rule.name, "", "");
                format!("blastmap/{s}-{}", &hash[..8])
            } else {
                format!("blastmap/{s}")
            }
        })
        .collect()
}

/// `region`, `region or zone`, `region, zone or node`: the rule's kinds as
/// prose, for descriptions and help.
pub fn kinds_phrase(kinds: &[String]) -> String {
    match kinds {
        [] => "domain".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

fn descriptor(rule: &RuleOutcome, id: &str) -> ReportingDescriptor {
    let (pairs, singles): (Vec<String>, Vec<String>) = rule
        .must_survive
        .iter()
        .cloned()
        .partition(|k| k.contains('+'));
    let kinds = kinds_phrase(&singles);
    let pair_kinds = kinds_phrase(
        &pairs
            .iter()
            .map(|p| p.replace('+', " and "))
            .collect::<Vec<_>>(),
    );
    let full = match (singles.is_empty(), pairs.is_empty()) {
        (_, true) => format!(
            "Every function the rule \"{}\" selects must stay up when any single {kinds} fails on its own.",
            rule.name
        ),
        (true, false) => format!(
            "Every function the rule \"{}\" selects must stay up when two domains ({pair_kinds}) fail together, neither of which takes it down alone.",
            rule.name
        ),
        (false, false) => format!(
            "Every function the rule \"{}\" selects must stay up when any single {kinds} fails on its own, and when two domains ({pair_kinds}) fail together.",
            rule.name
        ),
    };
    let fix = if singles.is_empty() {
        format!(
            "A result names a function that goes down when two domains ({pair_kinds}) fail \
             together, the path from the function to what failed, and the causes. To fix it, add \
             redundancy outside both domains (a copy in a third region or zone, required with \
             `any` or `quorum`), then run `blastmap check` again."
        )
    } else {
        format!(
            "A result names a function that goes down when one {kinds} fails, the path from the \
             function to what failed, and the causes. To fix it, remove the dependence on that \
             single {kinds}: run what the path ends in in a second {kinds} as well and require \
             the copies with `any` (or `quorum`) in the estate, then run `blastmap check` again."
        )
    };
    ReportingDescriptor {
        id: id.to_owned(),
        name: slug(&rule.name),
        short_description: Text {
            text: rule.name.clone(),
        },
        full_description: Text { text: full },
        help: Text {
            text: format!(
                "{fix} To accept it for now, record it in a baseline with `blastmap check \
                 --write-baseline FILE` and give it a reason and an expiry date."
            ),
        },
        default_configuration: Configuration { level: "error" },
    }
}

/// New violations with the index of their rule.
fn indexed_new_violations(
    report: &CheckReport,
) -> impl Iterator<Item = (usize, &RuleOutcome, &FunctionOutcome, &ViolationOutcome)> {
    report.rules.iter().enumerate().flat_map(|(i, r)| {
        r.functions.iter().flat_map(move |f| {
            f.violations
                .iter()
                .filter(|v| v.baselined.is_none())
                .map(move |v| (i, r, f, v))
        })
    })
}

/// The results, at most `limit`, and notifications saying how they were
/// grouped or cut.
fn results_within(
    report: &CheckReport,
    ids: &[String],
    limit: usize,
) -> (Vec<SarifResult>, Vec<Notification>) {
    let total = report.new_violations().count();
    if total <= limit {
        let results = indexed_new_violations(report)
            .map(|(i, r, f, v)| violation_result(report, (i, &ids[i]), r, f, v))
            .collect();
        return (results, Vec::new());
    }
    let mut groups = grouped_new_violations(report);
    let mut notes = vec![Notification {
        level: "note",
        message: Text {
            text: format!(
                "{total} new violations are reported as {} results, one per rule and function, \
                 to stay within the {limit} results code scanning accepts per run.",
                groups.len()
            ),
        },
    }];
    if groups.len() > limit {
        let left_out = &groups[limit..];
        let violations: usize = left_out.iter().map(|g| g.violations.len()).sum();
        notes.push(Notification {
            level: "warning",
            message: Text {
                text: format!(
                    "{} results ({violations} new violations) were left out: code scanning accepts \
                     at most {limit} results per run. See them all with `blastmap check --format text` \
                     or `--format json`.",
                    left_out.len()
                ),
            },
        });
        groups.truncate(limit);
    }
    let results = groups
        .iter()
        .map(|g| grouped_result(report, &ids[g.rule_index], g))
        .collect();
    (results, notes)
}

/// The new violations of one function under one rule.
struct Group<'a> {
    rule_index: usize,
    rule: &'a RuleOutcome,
    function: &'a FunctionOutcome,
    violations: Vec<&'a ViolationOutcome>,
}

fn grouped_new_violations(report: &CheckReport) -> Vec<Group<'_>> {
    let groups = report.rules.iter().enumerate().flat_map(|(i, r)| {
        r.functions.iter().filter_map(move |f| {
            let violations: Vec<&ViolationOutcome> = f
                .violations
                .iter()
                .filter(|v| v.baselined.is_none())
                .collect();
            (!violations.is_empty()).then_some(Group {
                rule_index: i,
                rule: r,
                function: f,
                violations,
            })
        })
    });
    groups.collect()
}

fn violation_result(
    report: &CheckReport,
    (index, id): (usize, &str),
    rule: &RuleOutcome,
    function: &FunctionOutcome,
    violation: &ViolationOutcome,
) -> SarifResult {
    let alone = if violation.domains.is_empty() {
        " alone"
    } else {
        " (neither alone does)"
    };
    let mut text = format!(
        "Function {} ({}) goes down when {}{alone} (rule \"{}\").",
        function.id,
        function.criticality,
        violation.fails(),
        rule.name
    );
    push_path_and_causes(&mut text, violation);
    text.push_str(&format!(" Fix: {}", violation.hint));
    if let Some(phrase) = violation.expiry_phrase() {
        text.push_str(&format!(" Note: {phrase}."));
    }
    SarifResult {
        rule_id: id.to_owned(),
        rule_index: index,
        level: "error",
        message: Text { text },
        locations: location(function, rule),
        partial_fingerprints: BTreeMap::from([(
            "blastmapViolation/v1",
            violation.fingerprint.clone(),
        )]),
        code_flows: code_flows(report, violation),
        related_locations: related_locations(report, violation),
        properties: violation
            .expired
            .as_ref()
            .and_then(|e| e.expires.clone())
            .map(|expired| Properties { expired }),
    }
}

/// The path as one thread flow: a location per node, from the function
/// to the cause, each with its definition's file and line when known and
/// the node's id as its message. Empty when the path is.
fn code_flows(report: &CheckReport, violation: &ViolationOutcome) -> Vec<CodeFlow> {
    if violation.path.is_empty() {
        return Vec::new();
    }
    let locations = violation
        .path
        .iter()
        .enumerate()
        .map(|(step, node)| ThreadFlowLocation {
            location: node_location(report, node, None, step),
            nesting_level: step,
        })
        .collect();
    vec![CodeFlow {
        thread_flows: [ThreadFlow { locations }],
    }]
}

/// Where each cause is defined (causes without a known place are left out:
/// a related location is only useful with one).
fn related_locations(report: &CheckReport, violation: &ViolationOutcome) -> Vec<Location> {
    violation
        .causes
        .iter()
        .filter(|c| report.node_positions.contains_key(c.as_str()))
        .enumerate()
        .map(|(i, cause)| node_location(report, cause, Some(i), 0))
        .collect()
}

/// A node as a SARIF location: its definition (if known) and a message
/// naming it (`step 0` is the function, the last step the cause).
fn node_location(report: &CheckReport, node: &str, id: Option<usize>, step: usize) -> Location {
    let text = match (id, step) {
        (Some(_), _) => format!("cause: {node}"),
        (None, 0) => format!("{node} (the function)"),
        (None, _) => format!("{node} (step {step} of the path)"),
    };
    Location {
        id,
        physical_location: report.node_positions.get(node).map(physical_location),
        message: Some(Text { text }),
    }
}

fn grouped_result(report: &CheckReport, id: &str, group: &Group<'_>) -> SarifResult {
    let Group {
        rule_index,
        rule,
        function,
        violations,
    } = group;
    let shown: Vec<&str> = violations
        .iter()
        .take(GROUPED_DOMAINS_SHOWN)
        .map(|v| v.domain.as_str())
        .collect();
    let mut text = format!(
        "Function {} ({}) goes down when any of {} domains fails alone (rule \"{}\"): {}",
        function.id,
        function.criticality,
        violations.len(),
        rule.name,
        shown.join(", ")
    );
    if violations.len() > shown.len() {
        text.push_str(&format!(" and {} more", violations.len() - shown.len()));
    }
    text.push('.');
    let first = violations[0];
    push_path_and_causes(&mut text, first);
    text.push_str(&format!(" Fix: {}", first.hint));
    SarifResult {
        rule_id: id.to_owned(),
        rule_index: *rule_index,
        level: "error",
        message: Text { text },
        locations: location(function, rule),
        partial_fingerprints: BTreeMap::from([(
            "blastmapFunction/v1",
            crate::engine::check::fingerprint(&rule.name, &function.id, "*"),
        )]),
        code_flows: code_flows(report, first),
        related_locations: related_locations(report, first),
        properties: None,
    }
}

fn push_path_and_causes(text: &mut String, violation: &ViolationOutcome) {
    if !violation.path.is_empty() {
        text.push_str(&format!(" Path: {}.", violation.path.join(" → ")));
    }
    if !violation.causes.is_empty() {
        text.push_str(&format!(" Causes: {}.", violation.causes.join(", ")));
    }
}

/// Where the function is defined; else where the rule is written (code
/// scanning rejects results without a file); else nothing.
fn location(function: &FunctionOutcome, rule: &RuleOutcome) -> Vec<Location> {
    let Some(p) = function.position.as_ref().or(rule.position.as_ref()) else {
        return Vec::new();
    };
    vec![physical(p)]
}

fn physical(p: &SourcePosition) -> Location {
    Location {
        id: None,
        physical_location: Some(physical_location(p)),
        message: None,
    }
}

fn physical_location(p: &SourcePosition) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: artifact_uri(&p.file),
        },
        region: Some(Region {
            start_line: p.line.max(1),
            start_column: p.column.max(1),
        }),
    }
}

/// A file path as a URI reference: forward slashes, no leading `./`,
/// percent-encoded outside the characters a URI path allows. A relative path
/// stays relative (code scanning resolves it against the checkout); an
/// absolute one becomes a `file://` URI.
pub fn artifact_uri(path: &str) -> String {
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_owned();
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1..3] == *b":/" {
        return format!("file:///{}:{}", &path[..1], percent_encode(&path[2..]));
    }
    if path.starts_with('/') {
        return format!("file://{}", percent_encode(&path));
    }
    percent_encode(&path)
}

/// Percent-encodes every byte but the unreserved characters, `/` and the
/// sub-delimiters (`:` too: in a relative reference it would read as a
/// scheme).
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Notes on what the results leave out: baselined violations and stale
/// baseline entries.
fn baseline_notes(report: &CheckReport) -> Vec<Notification> {
    let mut notes = Vec::new();
    let baselined = report.all_violations().count() - report.new_violations().count();
    if baselined > 0 {
        notes.push(Notification {
            level: "note",
            message: Text {
                text: format!(
                    "{baselined} violations accepted by the baseline are not reported as results."
                ),
            },
        });
    }
    if !report.stale_baseline.is_empty() {
        notes.push(Notification {
            level: "note",
            message: Text {
                text: format!(
                    "{} baseline entries no longer occur and can be removed (see `blastmap check --format text`).",
                    report.stale_baseline.len()
                ),
            },
        });
    }
    notes
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::check::{BaselineEntryOutcome, BaselineNote};

    fn violation(domain: &str, baselined: bool) -> ViolationOutcome {
        ViolationOutcome {
            domain: domain.into(),
            domains: Vec::new(),
            path: vec!["checkout".into(), "api".into(), "db".into()],
            causes: vec!["db".into()],
            fingerprint: crate::engine::check::fingerprint("r", "checkout", domain),
            hint: "add a deployment in another region and require it with `any`".into(),
            baselined: baselined.then(BaselineNote::default),
            expired: None,
        }
    }

    fn function(
        id: &str,
        position: Option<SourcePosition>,
        v: Vec<ViolationOutcome>,
    ) -> FunctionOutcome {
        FunctionOutcome {
            id: id.into(),
            criticality: "critical".into(),
            description: None,
            position,
            violations: v,
        }
    }

    fn report(functions: Vec<FunctionOutcome>) -> CheckReport {
        CheckReport {
            policy_file: "policy.toml".into(),
            rules: vec![RuleOutcome {
                name: "Critical: survive a region!".into(),
                position: None,
                must_survive: vec!["region".into(), "zone".into()],
                functions,
            }],
            stale_baseline: Vec::new(),
            with_baseline: false,
            node_positions: BTreeMap::new(),
        }
    }

    fn at(file: &str, line: usize) -> Option<SourcePosition> {
        Some(SourcePosition {
            file: file.into(),
            line,
            column: 3,
        })
    }

    fn parse(report: &CheckReport, limit: usize) -> Value {
        let text = render(report, "0.1.0", limit);
        assert!(text.ends_with("}\n"));
        serde_json::from_str(&text).expect("SARIF output is JSON")
    }

    fn named(name: &str) -> RuleOutcome {
        RuleOutcome {
            name: name.into(),
            position: None,
            must_survive: vec!["region".into()],
            functions: Vec::new(),
        }
    }

    #[test]
    fn rule_ids_are_slugs_of_names_and_colliding_slugs_get_a_hash_of_the_name() {
        let ids = rule_ids(&[named("Survive a region!"), named("a b"), named("A-B")]);
        assert_eq!(ids[0], "blastmap/survive-a-region");
        assert!(ids[1].starts_with("blastmap/a-b-"), "{ids:?}");
        assert!(ids[2].starts_with("blastmap/a-b-"), "{ids:?}");
        assert_ne!(ids[1], ids[2]);
        assert_eq!(ids[1].len(), "blastmap/a-b-".len() + 8);
        // The hash depends on the name only, not on the rule's position.
        let swapped = rule_ids(&[named("A-B"), named("a b")]);
        assert_eq!(swapped, [ids[2].clone(), ids[1].clone()]);
    }

    #[test]
    fn slug_keeps_letters_and_digits_and_joins_the_rest_with_dashes() {
        assert_eq!(
            slug("Critical: survive a region!"),
            "critical-survive-a-region"
        );
        assert_eq!(slug("  Zürich zone 2 "), "zürich-zone-2");
        assert_eq!(slug("!!"), "rule");
    }

    #[test]
    fn kinds_read_as_prose() {
        let kinds = |k: &[&str]| kinds_phrase(&k.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(kinds(&["region"]), "region");
        assert_eq!(kinds(&["region", "zone", "node"]), "region, zone or node");
    }

    #[test]
    fn each_new_violation_is_an_error_at_the_function_definition() {
        let r = report(vec![function(
            "checkout",
            at(".\\estates\\shop.yaml", 12),
            vec![violation("region:us-east-1", false)],
        )]);
        let log = parse(&r, MAX_RESULTS);
        let run = &log["runs"][0];
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["id"],
            "blastmap/critical-survive-a-region"
        );
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["name"],
            "critical-survive-a-region"
        );
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "blastmap/critical-survive-a-region");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "estates/shop.yaml");
        assert_eq!(location["region"]["startLine"], 12);
        assert_eq!(location["region"]["startColumn"], 3);
        assert_eq!(
            result["partialFingerprints"]["blastmapViolation/v1"],
            crate::engine::check::fingerprint("r", "checkout", "region:us-east-1")
        );
        let message = result["message"]["text"].as_str().unwrap();
        assert!(message.contains("checkout → api → db"), "{message}");
        assert!(message.contains("region:us-east-1"), "{message}");
    }

    #[test]
    fn without_any_position_a_result_has_no_location() {
        let r = report(vec![function(
            "checkout",
            None,
            vec![violation("zone:a", false)],
        )]);
        let log = parse(&r, MAX_RESULTS);
        assert!(log["runs"][0]["results"][0].get("locations").is_none());
    }

    #[test]
    fn without_a_function_position_the_rule_position_is_used() {
        let mut r = report(vec![function(
            "checkout",
            None,
            vec![violation("zone:a", false)],
        )]);
        r.rules[0].position = at("policy.toml", 2);
        let log = parse(&r, MAX_RESULTS);
        let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "policy.toml");
    }

    #[test]
    fn baselined_violations_are_counted_not_reported() {
        let mut r = report(vec![function(
            "checkout",
            None,
            vec![violation("zone:a", true), violation("zone:b", false)],
        )]);
        r.with_baseline = true;
        r.stale_baseline.push(BaselineEntryOutcome {
            rule: "r".into(),
            function: "gone".into(),
            domain: "zone:c".into(),
            fingerprint: "0".repeat(16),
        });
        let log = parse(&r, MAX_RESULTS);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 1);
        let notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("1 violations accepted"));
        assert!(notes[1]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("1 baseline entries"));
    }

    #[test]
    fn over_the_limit_violations_group_per_rule_and_function() {
        let r = report(vec![
            function(
                "a",
                None,
                vec![violation("zone:1", false), violation("zone:2", false)],
            ),
            function(
                "b",
                None,
                vec![violation("zone:1", false), violation("zone:2", false)],
            ),
        ]);
        let log = parse(&r, 3);
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        let message = results[0]["message"]["text"].as_str().unwrap();
        assert!(message.contains("any of 2 domains"), "{message}");
        assert!(message.contains("zone:1, zone:2"), "{message}");
        assert!(results[0]["partialFingerprints"]["blastmapFunction/v1"].is_string());
    }

    #[test]
    fn over_the_limit_even_when_grouped_the_rest_is_counted() {
        let r = report(vec![
            function(
                "a",
                None,
                vec![violation("zone:1", false), violation("zone:2", false)],
            ),
            function(
                "b",
                None,
                vec![violation("zone:1", false), violation("zone:2", false)],
            ),
            function("c", None, vec![violation("zone:1", false)]),
        ]);
        let log = parse(&r, 1);
        assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);
        let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
        assert_eq!(notes[1]["level"], "warning");
        let text = notes[1]["message"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("2 results (3 new violations) were left out"),
            "{text}"
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(artifact_uri("./a b/c#1.yaml"), "a%20b/c%231.yaml");
        assert_eq!(artifact_uri("/srv/estate.yaml"), "file:///srv/estate.yaml");
        assert_eq!(artifact_uri("C:\\estate.yaml"), "file:///C:/estate.yaml");
        assert_eq!(artifact_uri("x:y/é.yaml"), "x%3Ay/%C3%A9.yaml");
    }

    #[test]
    fn output_is_deterministic() {
        let r = report(vec![function(
            "a",
            at("e.yaml", 1),
            vec![violation("zone:1", false)],
        )]);
        assert_eq!(to_sarif(&r, "1"), to_sarif(&r, "1"));
    }
}
