//! Unit tests of SPEC §1 rules (loading, validation, merging).
//!
//! Each test is one rule: a few lines of estate, then what the rule says the
//! loaded graph (or the diagnostics) must be. Helpers read the graph back as
//! ids and text so that a failure shows the values, not indices.

use std::collections::BTreeMap;

use super::{load_documents, LoadError, Loaded, Source};
use crate::diag::{Diagnostic, Severity};
use crate::engine::{self, scenario::checked_scenario};
use crate::graph::{Attr, Graph, NodeIx};
use crate::model::Domain;
use crate::model::{Criticality, EntryKind, NodeKind, Status};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn sources(docs: &[(&str, &str)]) -> Vec<Source> {
    docs.iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect()
}

fn try_load_all(docs: &[(&str, &str)]) -> Result<Loaded, LoadError> {
    load_documents(&sources(docs))
}

/// Loads documents that must be valid; a failure shows every diagnostic.
fn load_all(docs: &[(&str, &str)]) -> Loaded {
    match try_load_all(docs) {
        Ok(l) => l,
        Err(e) => panic!("expected the estate to load, got:\n{e}\ninput: {docs:#?}"),
    }
}

/// Loads one YAML document that must be valid.
fn load(yaml: &str) -> Loaded {
    load_all(&[("estate.yaml", yaml)])
}

/// The errors of a load that must fail.
fn errors_all(docs: &[(&str, &str)]) -> Vec<Diagnostic> {
    match try_load_all(docs) {
        Ok(_) => panic!("expected the estate to be rejected: {docs:#?}"),
        Err(e) => e.errors().cloned().collect(),
    }
}

/// The error codes of one YAML document that must fail to load.
fn error_codes(yaml: &str) -> Vec<&'static str> {
    errors_all(&[("estate.yaml", yaml)])
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

/// Asserts that loading `yaml` fails with `code` among its errors.
fn assert_rejected_with(yaml: &str, code: &str) {
    let codes = error_codes(yaml);
    assert!(
        codes.contains(&code),
        "expected error `{code}`, got {codes:?}\ninput:\n{yaml}"
    );
}

fn ix(g: &Graph, id: &str) -> NodeIx {
    g.find(id)
        .unwrap_or_else(|| panic!("node `{id}` is not in the graph"))
}

fn attr(g: &Graph, id: &str, a: Attr) -> Option<String> {
    g.attr(ix(g, id), a).map(str::to_owned)
}

fn zones(g: &Graph, id: &str) -> Vec<String> {
    g.zones(ix(g, id))
        .iter()
        .map(|z| g.symbol(*z).expect("zones are interned").to_owned())
        .collect()
}

fn tags(g: &Graph, id: &str) -> BTreeMap<String, String> {
    g.tags(ix(g, id))
        .iter()
        .map(|(k, v)| {
            (
                g.symbol(*k).expect("tag keys are interned").to_owned(),
                g.symbol(*v).expect("tag values are interned").to_owned(),
            )
        })
        .collect()
}

/// An entry as `(kind, member ids in order)`.
type Shown = (EntryKind, Vec<String>);

fn shown(g: &Graph, entries: std::ops::Range<u32>) -> Vec<Shown> {
    entries
        .map(|e| {
            let kind = g.entries()[e as usize].kind;
            let members = g.members(e).iter().map(|&m| g.id(m).to_owned()).collect();
            (kind, members)
        })
        .collect()
}

fn requires(g: &Graph, id: &str) -> Vec<Shown> {
    shown(g, g.requires(ix(g, id)))
}

fn optional(g: &Graph, id: &str) -> Vec<Shown> {
    shown(g, g.optional(ix(g, id)))
}

fn all(ids: &[&str]) -> Shown {
    (
        EntryKind::All,
        ids.iter().map(|s| (*s).to_owned()).collect(),
    )
}

fn any(ids: &[&str]) -> Shown {
    (
        EntryKind::Any,
        ids.iter().map(|s| (*s).to_owned()).collect(),
    )
}

/// The status of `id` once `domains` fail.
fn status(loaded: &Loaded, domains: &[&str], id: &str) -> Status {
    let g = &loaded.graph;
    let parsed = domains
        .iter()
        .map(|t| t.parse::<Domain>())
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("scenario {domains:?} is malformed: {e}"));
    let scenario = checked_scenario(g, parsed)
        .unwrap_or_else(|e| panic!("scenario {domains:?} rejected: {e:?}"));
    engine::analyze(g, &scenario).status(ix(g, id))
}

// ---------------------------------------------------------------------------
// §1 and §1.1: the document and its nodes
// ---------------------------------------------------------------------------

#[test]
fn every_entry_of_the_four_sections_is_a_node_of_its_kind() {
    let l = load(
        "version: 1
functions:
  checkout: {requires: [web]}
services:
  web: {requires: [db]}
resources:
  db: {region: us-east-1}
externals:
  stripe: {description: card payments}
",
    );
    let g = &l.graph;
    assert_eq!(g.len(), 4);
    assert_eq!(g.kind(ix(g, "checkout")), NodeKind::Function);
    assert_eq!(g.kind(ix(g, "web")), NodeKind::Service);
    assert_eq!(g.kind(ix(g, "db")), NodeKind::Resource);
    assert_eq!(g.kind(ix(g, "stripe")), NodeKind::External);
    assert_eq!(g.description(ix(g, "stripe")), Some("card payments"));
    assert_eq!(g.functions(), &[ix(g, "checkout")]);
}

#[test]
fn criticality_defaults_to_medium() {
    let l = load(
        "version: 1
functions:
  pay: {criticality: critical}
  browse: {}
  report: {criticality: low}
",
    );
    let g = &l.graph;
    assert_eq!(g.criticality(ix(g, "pay")), Criticality::Critical);
    assert_eq!(g.criticality(ix(g, "browse")), Criticality::Medium);
    assert_eq!(g.criticality(ix(g, "report")), Criticality::Low);
}

#[test]
fn an_unknown_criticality_is_rejected() {
    assert_rejected_with(
        "version: 1\nfunctions:\n  pay: {criticality: urgent}\n",
        "bad-criticality",
    );
}

#[test]
fn node_ids_are_ordered_by_bytes() {
    let l = load(
        "version: 1
services:
  n2: {}
  n10: {}
  B: {}
  a: {}
  arn:aws:s3:::b: {}
",
    );
    let g = &l.graph;
    let ids: Vec<&str> = g.nodes().map(|n| g.id(n)).collect();
    assert_eq!(ids, ["B", "a", "arn:aws:s3:::b", "n10", "n2"]);
}

#[test]
fn an_id_that_is_an_arn_derives_provider_service_region_account_and_type() {
    let l = load(
        "version: 1
resources:
  arn:aws:rds:us-east-1:111122223333:db:payments: {}
  arn:aws:ec2:eu-west-1:444455556666:instance/i-0abc: {}
",
    );
    let g = &l.graph;
    let db = "arn:aws:rds:us-east-1:111122223333:db:payments";
    assert_eq!(attr(g, db, Attr::Provider).as_deref(), Some("aws"));
    assert_eq!(attr(g, db, Attr::Service).as_deref(), Some("rds"));
    assert_eq!(attr(g, db, Attr::Region).as_deref(), Some("us-east-1"));
    assert_eq!(attr(g, db, Attr::Account).as_deref(), Some("111122223333"));
    assert_eq!(attr(g, db, Attr::Type).as_deref(), Some("rds:db"));
    let vm = "arn:aws:ec2:eu-west-1:444455556666:instance/i-0abc";
    assert_eq!(attr(g, vm, Attr::Type).as_deref(), Some("ec2:instance"));
    assert_eq!(attr(g, vm, Attr::Region).as_deref(), Some("eu-west-1"));
}

#[test]
fn an_arn_field_derives_the_fields_of_a_node_with_a_plain_id() {
    let l = load(
        "version: 1
resources:
  orders-table:
    arn: arn:aws:dynamodb:eu-west-1:111122223333:table/orders
",
    );
    let g = &l.graph;
    assert_eq!(
        attr(g, "orders-table", Attr::Type).as_deref(),
        Some("dynamodb:table")
    );
    assert_eq!(
        attr(g, "orders-table", Attr::Region).as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        attr(g, "orders-table", Attr::Provider).as_deref(),
        Some("aws")
    );
}

#[test]
fn an_arn_without_a_resource_type_gives_the_service_as_type() {
    let l = load(
        "version: 1
resources:
  arn:aws:s3:::shop-assets: {}
  arn:aws:sqs:eu-west-1:111122223333:orders: {}
",
    );
    let g = &l.graph;
    assert_eq!(
        attr(g, "arn:aws:s3:::shop-assets", Attr::Type).as_deref(),
        Some("s3")
    );
    assert_eq!(
        attr(g, "arn:aws:sqs:eu-west-1:111122223333:orders", Attr::Type).as_deref(),
        Some("sqs")
    );
}

#[test]
fn an_arn_with_an_empty_region_is_global_and_an_empty_account_gives_no_account() {
    let l = load(
        "version: 1
resources:
  arn:aws:iam::111122223333:role/deployer: {}
  arn:aws:s3:::shop-assets: {}
",
    );
    let g = &l.graph;
    let role = "arn:aws:iam::111122223333:role/deployer";
    assert_eq!(attr(g, role, Attr::Region).as_deref(), Some("global"));
    assert_eq!(
        attr(g, role, Attr::Account).as_deref(),
        Some("111122223333")
    );
    assert_eq!(attr(g, "arn:aws:s3:::shop-assets", Attr::Account), None);
    assert_eq!(g.attr_values(Attr::Account), ["111122223333"]);
}

#[test]
fn a_field_given_on_the_node_wins_over_the_arn_without_a_conflict() {
    let l = load(
        "version: 1
resources:
  arn:aws:s3:::shop-assets: {region: us-east-1}
  arn:aws:rds:us-east-1:111122223333:db:payments: {type: 'rds:cluster', account: '999'}
",
    );
    let g = &l.graph;
    assert_eq!(
        attr(g, "arn:aws:s3:::shop-assets", Attr::Region).as_deref(),
        Some("us-east-1")
    );
    let db = "arn:aws:rds:us-east-1:111122223333:db:payments";
    assert_eq!(attr(g, db, Attr::Type).as_deref(), Some("rds:cluster"));
    assert_eq!(attr(g, db, Attr::Account).as_deref(), Some("999"));
    assert_eq!(attr(g, db, Attr::Service).as_deref(), Some("rds"));
}

#[test]
fn any_node_may_carry_placement_fields() {
    let l = load(
        "version: 1
services:
  payments-use1: {region: us-east-1, account: '1', provider: aws, service: ecs}
",
    );
    let g = &l.graph;
    assert_eq!(
        attr(g, "payments-use1", Attr::Region).as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        attr(g, "payments-use1", Attr::Service).as_deref(),
        Some("ecs")
    );
    assert_eq!(
        status(&l, &["region:us-east-1"], "payments-use1"),
        Status::Down
    );
}

#[test]
fn zones_are_an_explicit_list_or_star_and_min_zones_defaults_to_one() {
    let l = load(
        "version: 1
resources:
  db: {zones: [use1-az1, use1-az2]}
  bucket: {zones: '*'}
  quorum-db: {zones: [use1-az1, use1-az2, use1-az3], min_zones: 2}
  bare: {}
",
    );
    let g = &l.graph;
    assert_eq!(zones(g, "db"), ["use1-az1", "use1-az2"]);
    assert!(!g.zones_every(ix(g, "db")));
    assert_eq!(g.min_zones(ix(g, "db")), 1);
    assert!(zones(g, "bucket").is_empty());
    assert!(g.zones_every(ix(g, "bucket")));
    assert_eq!(g.min_zones(ix(g, "quorum-db")), 2);
    assert!(zones(g, "bare").is_empty());
    assert!(!g.zones_every(ix(g, "bare")));
}

#[test]
fn zone_names_are_accepted_and_kept_as_written() {
    let l = load("version: 1\nresources:\n  vm: {zones: [us-east-1a, use1-az2]}\n");
    assert_eq!(zones(&l.graph, "vm"), ["us-east-1a", "use1-az2"]);
}

#[test]
fn tags_are_string_to_string() {
    let l = load("version: 1\nresources:\n  db: {tags: {service: payments, team: core}}\n");
    let expected: BTreeMap<String, String> = [("service", "payments"), ("team", "core")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(tags(&l.graph, "db"), expected);
}

#[test]
fn yaml_numbers_are_read_as_their_decimal_text() {
    let l = load(
        "version: 1
resources:
  db:
    account: 111122223333
    tags: {cost-centre: 42}
  '7': {}
services:
  api: {requires: [7]}
",
    );
    let g = &l.graph;
    assert_eq!(
        attr(g, "db", Attr::Account).as_deref(),
        Some("111122223333")
    );
    assert_eq!(tags(g, "db")["cost-centre"], "42");
    assert_eq!(requires(g, "api"), [all(&["7"])]);
}

// ---------------------------------------------------------------------------
// §1.2 Requirement entries
// ---------------------------------------------------------------------------

#[test]
fn each_entry_form_resolves_to_its_kind_and_members() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - a
      - all: [a, b]
      - any: [b, c]
      - quorum: 2
        of: [a, b, c]
      - select: {tags: {role: worker}}
    optional: [c]
  a: {tags: {role: worker}}
  b: {}
  c: {tags: {role: worker}}
",
    );
    let g = &l.graph;
    assert_eq!(
        requires(g, "svc"),
        [
            all(&["a"]),
            all(&["a", "b"]),
            any(&["b", "c"]),
            (
                EntryKind::Quorum(2),
                vec!["a".into(), "b".into(), "c".into()]
            ),
            all(&["a", "c"]),
        ]
    );
    assert_eq!(optional(g, "svc"), [all(&["c"])]);
}

#[test]
fn a_plain_id_entry_is_satisfied_while_its_node_is_not_down() {
    let l = load("version: 1\nservices:\n  svc: {requires: [db]}\n  db: {region: r1}\n");
    assert_eq!(status(&l, &[], "svc"), Status::Up);
    assert_eq!(status(&l, &["node:db"], "svc"), Status::Down);
}

#[test]
fn an_entry_with_two_forms_is_rejected() {
    assert_rejected_with(
        "version: 1
services:
  svc:
    requires:
      - {all: [a], any: [a]}
  a: {}
",
        "bad-entry",
    );
}

#[test]
fn selector_items_expand_in_id_order_after_the_items_before_them() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - any: [zeta, {select: {tags: {pool: p}}}, alpha]
  zeta: {}
  alpha: {}
  w2: {tags: {pool: p}}
  w10: {tags: {pool: p}}
  W3: {tags: {pool: p}}
",
    );
    assert_eq!(
        requires(&l.graph, "svc"),
        [any(&["zeta", "W3", "w10", "w2", "alpha"])]
    );
}

#[test]
fn members_are_de_duplicated_keeping_the_first_occurrence() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - any: [b, {select: {tags: {pool: p}}}, a, b]
  a: {tags: {pool: p}}
  b: {tags: {pool: p}}
  c: {tags: {pool: p}}
",
    );
    assert_eq!(requires(&l.graph, "svc"), [any(&["b", "a", "c"])]);
}

#[test]
fn quorum_is_checked_after_expansion_and_de_duplication() {
    let yaml = "version: 1
services:
  svc:
    requires:
      - quorum: 2
        of: [a, {select: {id: a}}, a]
  a: {}
";
    assert_rejected_with(yaml, "quorum-out-of-range");
    let ok = load(
        "version: 1
services:
  svc:
    requires:
      - quorum: 3
        of: [a, {select: {tags: {pool: p}}}]
  a: {tags: {pool: p}}
  b: {tags: {pool: p}}
  c: {tags: {pool: p}}
",
    );
    assert_eq!(
        requires(&ok.graph, "svc"),
        [(
            EntryKind::Quorum(3),
            vec!["a".into(), "b".into(), "c".into()]
        )]
    );
}

#[test]
fn an_all_entry_whose_selectors_allowed_to_match_nothing_is_satisfied() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - {select: {tags: {pool: none}}, allow_empty: true}
      - all: [{select: {region: nowhere}}]
        allow_empty: true
  other: {region: r1}
",
    );
    let g = &l.graph;
    assert_eq!(requires(g, "svc"), [all(&[])]);
    assert_eq!(status(&l, &[], "svc"), Status::Up);
}

#[test]
fn an_any_entry_allowed_to_match_nothing_is_unsatisfied_and_warned_about() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - any: [{select: {tags: {pool: none}}}]
        allow_empty: true
  other: {region: r1}
",
    );
    assert_eq!(status(&l, &[], "svc"), Status::Down);
    let warned = l
        .warnings
        .iter()
        .any(|w| w.severity == Severity::Warning && w.node.as_deref() == Some("svc"));
    assert!(warned, "no warning names `svc`: {:?}", l.warnings);
}

#[test]
fn a_quorum_allowed_fewer_members_than_k_is_unsatisfied_and_warned_about() {
    let l = load(
        "version: 1
services:
  svc:
    requires:
      - quorum: 3
        of: [{select: {tags: {pool: p}}}]
        allow_empty: true
  a: {tags: {pool: p}}
  b: {tags: {pool: p}}
",
    );
    assert_eq!(status(&l, &[], "svc"), Status::Down);
    assert!(
        l.warnings.iter().any(|w| w.node.as_deref() == Some("svc")),
        "no warning names `svc`: {:?}",
        l.warnings
    );
}

#[test]
fn without_allow_empty_a_quorum_above_its_members_is_an_error() {
    assert_rejected_with(
        "version: 1
services:
  svc:
    requires:
      - quorum: 3
        of: [{select: {tags: {pool: p}}}]
  a: {tags: {pool: p}}
  b: {tags: {pool: p}}
",
        "quorum-out-of-range",
    );
}

// ---------------------------------------------------------------------------
// §1.2 Selectors
// ---------------------------------------------------------------------------

/// The member ids that `selector` (a YAML flow map) selects in `nodes`
/// (YAML lines under `resources:`, indented by two spaces).
fn selected(selector: &str, nodes: &str) -> Vec<String> {
    let yaml = format!(
        "version: 1
services:
  carrier:
    requires:
      - {{select: {selector}, allow_empty: true}}
resources:
{nodes}"
    );
    let l = load(&yaml);
    let entries = requires(&l.graph, "carrier");
    assert_eq!(entries.len(), 1, "one entry expected: {entries:?}");
    entries[0].1.clone()
}

#[test]
fn selector_conditions_must_all_hold() {
    let nodes = "  a: {region: r1, tags: {service: pay}}
  b: {region: r2, tags: {service: pay}}
  c: {region: r1, tags: {service: cart}}
";
    assert_eq!(selected("{region: r1, tags: {service: pay}}", nodes), ["a"]);
}

#[test]
fn selector_matches_derived_arn_fields() {
    let nodes = "  arn:aws:ec2:us-east-1:111122223333:instance/i-1: {}
  arn:aws:ec2:eu-west-1:111122223333:instance/i-2: {}
  arn:aws:rds:us-east-1:111122223333:db:pay: {}
";
    assert_eq!(
        selected("{type: 'ec2:instance', region: us-east-1}", nodes),
        ["arn:aws:ec2:us-east-1:111122223333:instance/i-1"]
    );
    assert_eq!(
        selected(
            "{account: '111122223333', service: rds, provider: aws}",
            nodes
        ),
        ["arn:aws:rds:us-east-1:111122223333:db:pay"]
    );
}

#[test]
fn selector_star_matches_any_run_of_characters_and_nothing_else_is_special() {
    let nodes = "  web-1: {region: us-east-1}
  web-22: {region: us-west-2}
  web.x: {region: eu-west-1}
  api-1: {region: us-east-1}
";
    assert_eq!(selected("{id: 'web-*'}", nodes), ["web-1", "web-22"]);
    assert_eq!(selected("{region: 'us-*-1'}", nodes), ["api-1", "web-1"]);
    assert_eq!(selected("{id: 'web.?'}", nodes), Vec::<String>::new());
    assert_eq!(selected("{id: 'web.x'}", nodes), ["web.x"]);
}

#[test]
fn selector_values_match_exactly_without_a_star() {
    let nodes = "  web-1: {region: us-east-1}
  web-10: {region: us-east-1}
";
    assert_eq!(selected("{id: web-1}", nodes), ["web-1"]);
    assert_eq!(selected("{region: US-EAST-1}", nodes), Vec::<String>::new());
}

#[test]
fn selector_kind_compares_the_section_exactly() {
    let yaml = "version: 1
functions:
  f: {}
services:
  carrier:
    requires:
      - select: {kind: service}
  s: {}
resources:
  r: {}
externals:
  e: {}
";
    let l = load(yaml);
    assert_eq!(requires(&l.graph, "carrier"), [all(&["s"])]);
    let l = load(&yaml.replace("kind: service", "kind: external"));
    assert_eq!(requires(&l.graph, "carrier"), [all(&["e"])]);
    assert_rejected_with(
        &yaml.replace("kind: service", "kind: Service"),
        "invalid-value",
    );
}

#[test]
fn selector_zone_matches_an_entry_of_the_explicit_zones_list_only() {
    let nodes = "  listed: {zones: [use1-az1, use1-az2]}
  other: {zones: [use1-az3]}
  everywhere: {zones: '*'}
  none: {}
";
    assert_eq!(selected("{zone: use1-az2}", nodes), ["listed"]);
    assert_eq!(selected("{zone: '*'}", nodes), ["listed", "other"]);
}

#[test]
fn selector_tag_keys_are_exact_and_values_may_glob() {
    let nodes = "  a: {tags: {service: payments}}
  b: {tags: {Service: payments}}
  c: {tags: {service: pay-api}}
";
    assert_eq!(selected("{tags: {service: payments}}", nodes), ["a"]);
    assert_eq!(selected("{tags: {service: 'pay*'}}", nodes), ["a", "c"]);
    assert_eq!(
        selected("{tags: {'serv*': payments}}", nodes),
        Vec::<String>::new()
    );
}

#[test]
fn a_condition_on_a_field_the_node_lacks_never_holds() {
    let nodes = "  placed: {region: r1, tags: {team: x}, service: ecs}
  bare: {}
";
    assert_eq!(selected("{region: '*'}", nodes), ["placed"]);
    assert_eq!(selected("{service: '*'}", nodes), ["placed"]);
    assert_eq!(selected("{tags: {team: '*'}}", nodes), ["placed"]);
    assert_eq!(selected("{account: '*'}", nodes), Vec::<String>::new());
}

#[test]
fn selector_never_matches_its_carrier() {
    let l = load(
        "version: 1
services:
  web-1:
    tags: {role: web}
    requires:
      - any: [{select: {tags: {role: web}}}]
  web-2: {tags: {role: web}}
",
    );
    assert_eq!(requires(&l.graph, "web-1"), [any(&["web-2"])]);
}

#[test]
fn a_selector_matching_only_its_carrier_matches_nothing() {
    assert_rejected_with(
        "version: 1
services:
  web-1:
    tags: {role: web}
    requires:
      - select: {tags: {role: web}}
",
        "selector-matches-nothing",
    );
}

#[test]
fn an_unknown_selector_condition_is_an_error() {
    assert_rejected_with(
        "version: 1
services:
  svc:
    requires:
      - select: {regoin: us-east-1}
  a: {region: us-east-1}
",
        "unknown-field",
    );
}

// ---------------------------------------------------------------------------
// §1.3 Validation
// ---------------------------------------------------------------------------

#[test]
fn an_unknown_version_is_rejected() {
    assert_eq!(
        error_codes("version: 2\nservices:\n  a: {}\n"),
        ["unknown-version"]
    );
}

#[test]
fn malformed_yaml_is_rejected_with_its_position() {
    let errors = errors_all(&[(
        "bad.yaml",
        "version: 1\nfunctions:\n  checkout:\n    description: Checkout: pay\n",
    )]);
    assert_eq!(
        errors.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["malformed-yaml"]
    );
    let at = errors[0].location().unwrap_or_default();
    assert!(at.starts_with("bad.yaml:4:"), "location {at:?}");
}

#[test]
fn yaml_syntax_errors_are_reported_as_malformed_yaml() {
    let inputs = [
        "version: 1\nservices:\n  x: \"abc\n",
        "version: 1\nservices: {x: {}\n",
        "version: 1\nservices:\n\tx: {}\n",
        "version: 1\n@services: {}\n",
        "version: 1\nservices:\n  x: *missing\n",
    ];
    let misread: Vec<(&str, Vec<String>)> = inputs
        .into_iter()
        .map(|text| {
            let found: Vec<String> = errors_all(&[("bad.yaml", text)])
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            (text, found)
        })
        .filter(|(_, found)| found.len() != 1 || !found[0].starts_with("malformed-yaml:"))
        .collect();
    assert!(
        misread.is_empty(),
        "not reported as malformed YAML: {misread:#?}"
    );
}

#[test]
fn malformed_json_is_rejected_with_its_position() {
    let errors = errors_all(&[(
        "bad.json",
        "{\"version\": 1,\n \"services\": {\"a\": {} \"b\": {}}}",
    )]);
    assert_eq!(
        errors.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["malformed-json"]
    );
    let at = errors[0].location().unwrap_or_default();
    assert!(at.starts_with("bad.json:2:"), "location {at:?}");
}

#[test]
fn a_key_given_twice_in_one_yaml_mapping_is_rejected() {
    assert_rejected_with(
        "version: 1
services:
  svc:
    requires: [a]
    requires: [b]
  a: {}
  b: {}
",
        "duplicate-key",
    );
}

#[test]
fn an_id_given_twice_in_one_section_is_rejected() {
    let json = r#"{"version": 1, "services": {"a": {"region": "r1"}, "a": {"region": "r1"}}}"#;
    let codes: Vec<_> = errors_all(&[("dup.json", json)])
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert!(codes.contains(&"duplicate-key"), "{codes:?}");
}

#[test]
fn a_reference_to_an_id_defined_nowhere_is_rejected_naming_the_node() {
    let errors = errors_all(&[(
        "e.yaml",
        "version: 1\nfunctions:\n  checkout:\n    requires: [paymets]\nservices:\n  payments: {}\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "unknown-reference");
    assert_eq!(errors[0].node.as_deref(), Some("checkout"));
    assert_eq!(errors[0].location().as_deref(), Some("e.yaml:4:16"));
    let help = errors[0].help.clone().unwrap_or_default();
    assert!(help.contains("payments"), "help: {help}");
}

#[test]
fn an_unknown_reference_inside_a_member_list_is_rejected() {
    assert_rejected_with(
        "version: 1\nservices:\n  svc:\n    requires: [{any: [a, ghost]}]\n  a: {}\n",
        "unknown-reference",
    );
}

#[test]
fn a_selector_that_matches_nothing_is_rejected_unless_allowed() {
    let yaml = "version: 1
services:
  svc:
    requires:
      - select: {region: us-east1}
  a: {region: us-east-1}
";
    assert_rejected_with(yaml, "selector-matches-nothing");
    let allowed = yaml.replace("- select:", "- allow_empty: true\n        select:");
    assert!(try_load_all(&[("ok.yaml", &allowed)]).is_ok(), "{allowed}");
}

#[test]
fn an_empty_member_list_is_rejected() {
    assert_rejected_with(
        "version: 1\nservices:\n  svc:\n    requires: [{any: []}]\n",
        "empty-members",
    );
    assert_rejected_with(
        "version: 1\nservices:\n  svc:\n    requires: [{quorum: 1, of: []}]\n",
        "empty-members",
    );
}

#[test]
fn a_quorum_outside_one_to_the_number_of_members_is_rejected() {
    let yaml = |k: &str| {
        format!("version: 1\nservices:\n  svc:\n    requires: [{{quorum: {k}, of: [a, b]}}]\n  a: {{}}\n  b: {{}}\n")
    };
    assert_rejected_with(&yaml("0"), "quorum-out-of-range");
    assert_rejected_with(&yaml("3"), "quorum-out-of-range");
    assert_rejected_with(&yaml("-1"), "quorum-out-of-range");
    assert!(try_load_all(&[("ok.yaml", &yaml("2"))]).is_ok());
    assert!(try_load_all(&[("ok.yaml", &yaml("1"))]).is_ok());
}

#[test]
fn min_zones_outside_one_to_the_number_of_zones_is_rejected() {
    let yaml =
        |m: &str| format!("version: 1\nresources:\n  db: {{zones: [z1, z2], min_zones: {m}}}\n");
    assert_rejected_with(&yaml("0"), "min-zones-out-of-range");
    assert_rejected_with(&yaml("3"), "min-zones-out-of-range");
    assert!(try_load_all(&[("ok.yaml", &yaml("2"))]).is_ok());
}

#[test]
fn a_zone_listed_twice_is_rejected() {
    assert_rejected_with(
        "version: 1\nresources:\n  db: {zones: [use1-az1, use1-az2, use1-az1]}\n",
        "zone-listed-twice",
    );
}

#[test]
fn an_unknown_node_field_is_rejected_with_a_suggestion() {
    let errors = errors_all(&[(
        "typo.yaml",
        "version: 1\nservices:\n  svc:\n    requirs: [a]\n  a: {}\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "unknown-field");
    assert_eq!(errors[0].node.as_deref(), Some("svc"));
    let help = errors[0].help.clone().unwrap_or_default();
    assert!(help.contains("requires"), "help: {help}");
}

#[test]
fn unknown_fields_at_every_level_are_rejected() {
    assert_rejected_with("version: 1\nservice:\n  a: {}\n", "unknown-field");
    assert_rejected_with(
        "version: 1\nservices:\n  s: {requires: [{anyy: [a]}]}\n  a: {}\n",
        "unknown-field",
    );
    assert_rejected_with(
        "version: 1\nservices:\n  s: {requires: [{any: [{selct: {id: a}}]}]}\n  a: {}\n",
        "unknown-field",
    );
}

#[test]
fn a_malformed_arn_is_rejected() {
    assert_rejected_with(
        "version: 1\nresources:\n  arn:aws:rds:us-east-1:111122223333: {}\n",
        "malformed-arn",
    );
    assert_rejected_with(
        "version: 1\nresources:\n  db: {arn: 'arn:aws::us-east-1:1:db:x'}\n",
        "malformed-arn",
    );
}

#[test]
fn all_errors_of_a_load_are_reported_together() {
    let errors = errors_all(&[
        (
            "a.yaml",
            "version: 1
functions:
  browse: {requires: [catalogue]}
services:
  pay:
    requires:
      - quorum: 4
        of: [p1, p2]
  cart:
    requires:
      - select: {tags: {service: carts}}
  p1: {zones: [z1, z1]}
  p2: {}
resources:
  arn:aws:rds:us-east-1:1: {tags: {service: cart}}
",
        ),
        (
            "b.yaml",
            "version: 1\nservices:\n  x:\n    description: X: y\n",
        ),
        ("c.yaml", "version: 3\n"),
    ]);
    let mut codes: Vec<_> = errors.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "malformed-arn",
            "malformed-yaml",
            "quorum-out-of-range",
            "selector-matches-nothing",
            "unknown-reference",
            "unknown-version",
            "zone-listed-twice",
        ]
    );
    assert!(errors.iter().all(|d| d.location().is_some()), "{errors:?}");
}

#[test]
fn errors_name_the_file_line_column_and_node() {
    let errors = errors_all(&[(
        "pay.yaml",
        "version: 1\nresources:\n  db:\n    zones: [z1, z2]\n    min_zones: 3\n",
    )]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].location().as_deref(), Some("pay.yaml:5:16"));
    assert_eq!(errors[0].node.as_deref(), Some("db"));
    let line = errors[0].to_string();
    assert!(line.contains("min_zones") && line.contains("db"), "{line}");
}

// ---------------------------------------------------------------------------
// §1.4 The inventory
// ---------------------------------------------------------------------------

const INCOMPLETE_INVENTORY: &str = r#"{"version": 1,
 "meta": {"collected_at": "2026-11-24T10:00:00Z",
          "sources": [{"collector": "aws-tagging", "account": "111122223333",
                       "regions": ["us-east-1"], "complete": false,
                       "errors": [{"region": "ap-south-1", "error": "AccessDenied"}]}],
          "edges": [{"from": "a", "to": "b", "source": "jaeger", "calls": 3}]},
 "resources": {"arn:aws:sqs:us-east-1:111122223333:q": {"zones": "*", "tags": {"service": "web"}}}}"#;

#[test]
fn a_source_with_complete_false_marks_the_estate_incomplete() {
    let l = load_all(&[("inventory.json", INCOMPLETE_INVENTORY)]);
    assert_eq!(l.incomplete.len(), 1, "{:?}", l.incomplete);
    assert!(
        l.incomplete[0].contains("aws-tagging"),
        "{:?}",
        l.incomplete
    );
    assert!(l
        .graph
        .find("arn:aws:sqs:us-east-1:111122223333:q")
        .is_some());
}

#[test]
fn the_meta_block_is_free_to_extend() {
    let extended = INCOMPLETE_INVENTORY.replace(
        "\"collected_at\"",
        "\"collector_version\": \"1.2\", \"collected_at\"",
    );
    assert_ne!(extended, INCOMPLETE_INVENTORY);
    let l = load_all(&[("inventory.json", &extended)]);
    assert_eq!(l.incomplete.len(), 1);
}

#[test]
fn an_estate_whose_sources_completed_is_complete() {
    let done = INCOMPLETE_INVENTORY.replace("\"complete\": false", "\"complete\": true");
    let l = load_all(&[("inventory.json", &done), ("people.yaml", "version: 1\n")]);
    assert!(l.incomplete.is_empty(), "{:?}", l.incomplete);
}

// ---------------------------------------------------------------------------
// §1.5 Merging
// ---------------------------------------------------------------------------

#[test]
fn the_same_id_in_two_documents_is_one_node() {
    let l = load_all(&[
        (
            "a.yaml",
            "version: 1\nservices:\n  pay: {region: us-east-1, requires: [db]}\n  db: {}\n",
        ),
        (
            "b.json",
            r#"{"version": 1, "services": {"pay": {"region": "us-east-1", "requires": ["cache"]}, "cache": {}}}"#,
        ),
    ]);
    let g = &l.graph;
    assert_eq!(g.len(), 3);
    assert_eq!(requires(g, "pay"), [all(&["db"]), all(&["cache"])]);
}

#[test]
fn a_field_given_by_two_documents_with_different_values_is_a_conflict() {
    let errors = errors_all(&[
        (
            "a.yaml",
            "version: 1\nservices:\n  pay: {region: us-east-1}\n",
        ),
        (
            "b.yaml",
            "version: 1\nservices:\n  pay: {region: us-west-2}\n",
        ),
    ]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, "conflicting-definition");
    assert_eq!(errors[0].node.as_deref(), Some("pay"));
    assert!(
        errors[0]
            .location()
            .unwrap_or_default()
            .starts_with("b.yaml:3:"),
        "{:?}",
        errors[0].location()
    );
}

#[test]
fn every_agreeing_field_conflicts_when_two_documents_disagree() {
    for (field, one, two) in [
        ("provider", "aws", "gcp"),
        ("service", "rds", "aurora"),
        ("type", "'rds:db'", "'rds:cluster'"),
        ("account", "'1'", "'2'"),
        ("arn", "'arn:aws:s3:::a'", "'arn:aws:s3:::b'"),
        ("criticality", "high", "low"),
        ("zones", "[z1]", "[z2]"),
        ("min_zones", "1", "2"),
    ] {
        let zones = if field == "min_zones" {
            ", zones: [z1, z2]"
        } else {
            ""
        };
        let a = format!("version: 1\nfunctions:\n  n: {{{field}: {one}{zones}}}\n");
        let b = format!("version: 1\nfunctions:\n  n: {{{field}: {two}}}\n");
        let codes: Vec<_> = errors_all(&[("a.yaml", &a), ("b.yaml", &b)])
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["conflicting-definition"], "field {field}");
    }
}

#[test]
fn equal_fields_in_two_documents_agree() {
    let l = load_all(&[
        (
            "a.yaml",
            "version: 1\nresources:\n  db: {region: r1, zones: [z1, z2], min_zones: 1}\n",
        ),
        (
            "b.json",
            r#"{"version": 1, "resources": {"db": {"region": "r1", "zones": ["z2", "z1"]}}}"#,
        ),
    ]);
    assert_eq!(attr(&l.graph, "db", Attr::Region).as_deref(), Some("r1"));
}

#[test]
fn a_field_given_by_one_document_only_is_taken_from_it() {
    let l = load_all(&[
        (
            "a.yaml",
            "version: 1\nresources:\n  db: {region: us-east-1}\n",
        ),
        (
            "b.json",
            r#"{"version": 1, "resources": {"db": {"account": "111122223333", "zones": ["z1", "z2"], "min_zones": 2}}}"#,
        ),
    ]);
    let g = &l.graph;
    assert_eq!(attr(g, "db", Attr::Region).as_deref(), Some("us-east-1"));
    assert_eq!(
        attr(g, "db", Attr::Account).as_deref(),
        Some("111122223333")
    );
    assert_eq!(zones(g, "db"), ["z1", "z2"]);
    assert_eq!(g.min_zones(ix(g, "db")), 2);
}

#[test]
fn the_description_comes_from_the_first_document_that_gives_one() {
    let l = load_all(&[
        ("a.yaml", "version: 1\nservices:\n  pay: {region: r1}\n"),
        (
            "b.yaml",
            "version: 1\nservices:\n  pay: {description: Takes money}\n",
        ),
        (
            "c.yaml",
            "version: 1\nservices:\n  pay: {description: Other words}\n",
        ),
    ]);
    let g = &l.graph;
    assert_eq!(g.description(ix(g, "pay")), Some("Takes money"));
}

#[test]
fn tags_merge_key_by_key() {
    let l = load_all(&[
        (
            "a.yaml",
            "version: 1\nresources:\n  db: {tags: {service: pay, team: core}}\n",
        ),
        (
            "b.json",
            r#"{"version": 1, "resources": {"db": {"tags": {"service": "pay", "env": "prod"}}}}"#,
        ),
    ]);
    let t = tags(&l.graph, "db");
    assert_eq!(t.len(), 3, "{t:?}");
    assert_eq!(t["service"], "pay");
    assert_eq!(t["team"], "core");
    assert_eq!(t["env"], "prod");
}

#[test]
fn the_same_tag_with_two_values_in_two_documents_is_a_conflict() {
    let errors = errors_all(&[
        (
            "a.yaml",
            "version: 1\nresources:\n  db: {tags: {service: pay}}\n",
        ),
        (
            "b.yaml",
            "version: 1\nresources:\n  db: {tags: {service: billing}}\n",
        ),
    ]);
    let codes: Vec<_> = errors.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["tag-conflict"]);
    assert_eq!(errors[0].node.as_deref(), Some("db"));
}

#[test]
fn the_same_id_in_two_sections_is_an_error() {
    let codes: Vec<_> = errors_all(&[
        ("a.yaml", "version: 1\nservices:\n  stripe: {}\n"),
        ("b.yaml", "version: 1\nexternals:\n  stripe: {}\n"),
    ])
    .iter()
    .map(|d| d.code.as_str())
    .collect();
    assert_eq!(codes, ["same-id-two-sections"]);
    assert_rejected_with(
        "version: 1\nservices:\n  stripe: {}\nexternals:\n  stripe: {}\n",
        "same-id-two-sections",
    );
}

#[test]
fn requires_and_optional_are_concatenated_and_de_duplicated() {
    let l = load_all(&[
        (
            "a.yaml",
            "version: 1
services:
  pay:
    requires: [db, {any: [p1, p2]}]
    optional: [recs]
  db: {}
  p1: {}
  p2: {}
  recs: {}
  cache: {}
",
        ),
        (
            "b.yaml",
            "version: 1
services:
  pay:
    requires: [cache, db, {any: [p1, p2]}]
    optional: [recs, cache]
",
        ),
    ]);
    let g = &l.graph;
    assert_eq!(
        requires(g, "pay"),
        [all(&["db"]), any(&["p1", "p2"]), all(&["cache"])]
    );
    assert_eq!(optional(g, "pay"), [all(&["recs"]), all(&["cache"])]);
}

/// Every node's entries as text: kind, members and whether optional.
fn entries_dump(g: &crate::graph::Graph) -> Vec<String> {
    g.nodes()
        .map(|n| {
            let entries: Vec<String> = g
                .requires(n)
                .chain(g.optional(n))
                .map(|e| {
                    let entry = &g.entries()[e as usize];
                    let members: Vec<&str> = g.members(e).iter().map(|&m| g.id(m)).collect();
                    format!("{:?} {} {members:?}", entry.kind, entry.optional)
                })
                .collect();
            format!("{}: {entries:?}", g.id(n))
        })
        .collect()
}

#[test]
fn simple_entries_resolved_on_the_other_core_are_those_of_the_general_path() {
    let person = r#"{"version": 1,
 "functions": {"f": {"requires": ["web", "web", "cdn"], "optional": ["recs", "web"]},
               "g": {"requires": ["web", {"any": ["recs", "search"]}]},
               "h": {"requires": [{"quorum": 2, "of": ["recs", "search", "recs", "web"]},
                                  {"all": ["web", "cdn"]}, {"any": ["recs", "search"]},
                                  {"all": ["web"]}, "web"],
                     "optional": [{"any": ["cdn", "cdn2"], "allow_empty": false}, {"all": ["recs"]}]},
               "i": {"requires": [{"quorum": 2, "of": ["recs", "search"]}, {"any": ["recs"]}],
                     "optional": [{"any": ["recs"], "allow_empty": true}]},
               "j": {"requires": [{"quorum": "2", "of": ["recs", "search"]},
                                  {"failover": ["web", "recs"]}, {"quorum": 2, "of": ["recs", "search"]}]}},
 "services": {"web": {"optional": ["recs"], "requires": ["search"]},
              "cdn": {"type": "cloudfront:distribution"},
              "cdn2": {"type": "cloudfront:distribution", "requires": ["aws:cloudfront-edge"]},
              "lone": {"requires": [], "optional": []}}}"#;
    let mut estates: Vec<Vec<(String, String)>> = vec![vec![
        (
            "traces.json".into(),
            observed(r#"["recs", "search", "recs"]"#),
        ),
        ("person.json".into(), person.into()),
    ]];
    estates.extend(fixture_estates(&[
        &[
            "shop/functions.yaml",
            "shop/services.yaml",
            "shop/inventory.json",
        ],
        &["failover/estate.yaml"],
        &["availability/instances.yaml"],
    ]));
    let mut compared = 0;
    for estate in estates {
        let docs = as_docs(&estate);
        let general = crate::load::resolve::plain_switch::without_plain_entries(|| load_all(&docs));
        let plain = load_all(&docs);
        assert_eq!(
            entries_dump(&plain.graph),
            entries_dump(&general.graph),
            "{docs:?}"
        );
        compared += plain.graph.entries().len();
    }
    assert!(compared > 30, "{compared} entries compared");
    // Entries the general path reports on: both ways report the same.
    let wrong = r#"{"version": 1,
 "functions": {"i": {"requires": [{"quorum": 3, "of": ["recs", "search"]}, {"any": ["recs"]}]},
               "j": {"requires": [{"all": ["recs"], "any": ["search"]}, {"any": []}]},
               "k": {"requires": [{"quorum": 1, "of": ["recs", "nowhere"]}, "elsewhere"]},
               "l": {"requires": [{"any": ["recs"], "via": ["search"]}, {"quorum": 0, "of": ["recs"]}]},
               "m": {"requires": [{"all": ["recs"], "alow_empty": true}, {"quorum": "two", "of": ["recs"]}]}},
 "services": {"recs": {}, "search": {}}}"#;
    let docs = [("wrong.json", wrong)];
    let render = |ds: Vec<Diagnostic>| ds.iter().map(|d| d.render(false)).collect::<Vec<_>>();
    let general = crate::load::resolve::plain_switch::without_plain_entries(|| errors_all(&docs));
    let plain = errors_all(&docs);
    assert!(general.len() >= 8, "{:#?}", render(general));
    assert_eq!(render(plain), render(general));
}

/// Estates made of files of `fixtures/`: each its files' names and texts.
fn fixture_estates(estates: &[&[&str]]) -> Vec<Vec<(String, String)>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let read = |name: &&str| {
        let text = std::fs::read_to_string(dir.join(name)).expect("a fixture");
        ((*name).to_owned(), text)
    };
    estates
        .iter()
        .map(|files| files.iter().map(read).collect())
        .collect()
}

/// An estate's documents as `load_all` takes them.
fn as_docs(estate: &[(String, String)]) -> Vec<(&str, &str)> {
    estate
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect()
}

/// A collector document (`meta.sources` not empty) stating `requires`.
fn observed(requires: &str) -> String {
    format!(
        r#"{{"version": 1,
 "meta": {{"sources": [{{"collector": "traces", "complete": true}}]}},
 "services": {{"web": {{"requires": {requires}}}, "recs": {{}}, "search": {{}}}}}}"#
    )
}

#[test]
fn a_person_marking_an_observed_call_optional_drops_the_observed_requirement() {
    let l = load_all(&[
        ("traces.json", &observed(r#"["recs", "search"]"#)),
        (
            "people.yaml",
            "version: 1\nservices:\n  web: {optional: [recs]}\n",
        ),
    ]);
    let g = &l.graph;
    assert_eq!(requires(g, "web"), [all(&["search"])]);
    assert_eq!(optional(g, "web"), [all(&["recs"])]);
    assert_eq!(status(&l, &["node:recs"], "web"), Status::Degraded);
}

#[test]
fn the_observed_override_does_not_depend_on_document_order() {
    let l = load_all(&[
        (
            "people.yaml",
            "version: 1\nservices:\n  web: {optional: [recs]}\n",
        ),
        ("traces.json", &observed(r#"["recs"]"#)),
    ]);
    assert!(requires(&l.graph, "web").is_empty());
}

#[test]
fn the_observed_override_leaves_entries_with_several_members() {
    let l = load_all(&[
        ("traces.json", &observed(r#"[{"any": ["recs", "search"]}]"#)),
        (
            "people.yaml",
            "version: 1\nservices:\n  web: {optional: [recs]}\n",
        ),
    ]);
    assert_eq!(requires(&l.graph, "web"), [any(&["recs", "search"])]);
}

#[test]
fn the_observed_override_keeps_a_requirement_a_person_also_states() {
    let l = load_all(&[
        ("traces.json", &observed(r#"["recs"]"#)),
        (
            "soft.yaml",
            "version: 1\nservices:\n  web: {optional: [recs]}\n",
        ),
        (
            "hard.yaml",
            "version: 1\nservices:\n  web: {requires: [recs]}\n",
        ),
    ]);
    assert_eq!(requires(&l.graph, "web"), [all(&["recs"])]);
    assert_eq!(status(&l, &["node:recs"], "web"), Status::Down);
}

#[test]
fn a_document_with_empty_meta_sources_is_not_observed() {
    let unobserved = r#"{"version": 1, "meta": {"sources": []},
 "services": {"web": {"requires": ["recs"]}, "recs": {}}}"#;
    let l = load_all(&[
        ("catalog.json", unobserved),
        (
            "people.yaml",
            "version: 1\nservices:\n  web: {optional: [recs]}\n",
        ),
    ]);
    assert_eq!(requires(&l.graph, "web"), [all(&["recs"])]);
}

#[test]
fn an_observed_optional_does_not_drop_an_observed_requirement() {
    let both = r#"{"version": 1, "meta": {"sources": [{"collector": "traces"}]},
 "services": {"web": {"requires": ["recs"], "optional": ["recs"]}, "recs": {}}}"#;
    let l = load_all(&[("traces.json", both)]);
    assert_eq!(requires(&l.graph, "web"), [all(&["recs"])]);
}

#[test]
fn every_unknown_field_of_a_file_is_reported_together_with_a_suggestion() {
    let yaml = "version: 1
functions:
  f:
    requirs: [a]
    optinal: [a]
    requires: [{qourum: 1, any: [a]}, {select: {kindd: service}}]
services:
  a: {regoin: x}
";
    let errors = errors_all(&[("u.yaml", yaml)]);
    let unknown: Vec<(&str, Option<&str>, String)> = errors
        .iter()
        .filter(|d| d.code == "unknown-field")
        .map(|d| {
            (
                d.message.as_str(),
                d.node.as_deref(),
                d.location().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(unknown.len(), 5, "{errors:#?}");
    assert!(
        unknown[0].0.contains("`requirs`")
            && unknown[0].1 == Some("f")
            && unknown[0].2 == "u.yaml:4:5"
    );
    assert!(unknown[1].0.contains("`optinal`") && unknown[1].2 == "u.yaml:5:5");
    assert!(unknown[2].0.contains("`qourum`") && unknown[2].0.contains("requirement entry"));
    assert!(unknown[3].0.contains("`kindd`") && unknown[3].0.contains("selector"));
    assert!(unknown[4].0.contains("`regoin`") && unknown[4].1 == Some("a"));
    let helps: Vec<&str> = errors.iter().filter_map(|d| d.help.as_deref()).collect();
    for want in ["`requires`", "`optional`", "`quorum`", "`kind`", "`region`"] {
        assert!(
            helps
                .iter()
                .any(|h| h.starts_with(&format!("did you mean {want}?"))),
            "{want}: {helps:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Every JSON error has its place (SPEC §1.3), as in YAML
// ---------------------------------------------------------------------------

/// The one error of a document that must fail to load.
fn the_error(name: &str, text: &str) -> Diagnostic {
    let errors = errors_all(&[(name, text)]);
    assert_eq!(errors.len(), 1, "input:\n{text}\nerrors: {errors:#?}");
    errors.into_iter().next().expect("one error, checked above")
}

/// `name:line:col` of the `nth` (0-based) occurrence of `needle` in `text`,
/// counted here independently of the loader.
fn place_of(name: &str, text: &str, needle: &str, nth: usize) -> String {
    let (offset, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs {} times in {text}", nth + 1));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count() + 1;
    let col = text[line_start..offset].chars().count() + 1;
    format!("{name}:{line}:{col}")
}

#[test]
fn a_json_quorum_out_of_range_points_at_the_number() {
    let json = "{\"version\": 1,\n \"functions\": {\"f\": {\"requires\": [\n  {\"quorum\": 5, \"of\": [\"a\", \"b\"]}]}},\n \"services\": {\"a\": {}, \"b\": {}}}";
    let e = the_error("q.json", json);
    assert_eq!(e.code, "quorum-out-of-range");
    assert_eq!(e.location(), Some(place_of("q.json", json, "5,", 0)));
    assert!(e.message.contains("`quorum: 5`"), "{}", e.message);
}

#[test]
fn a_json_min_zones_out_of_range_points_at_the_number() {
    let json = "{\"version\": 1,\n \"services\": {\"a\": {\"region\": \"r\",\n  \"zones\": [\"z1\"], \"min_zones\": 3}}}";
    let e = the_error("mz.json", json);
    assert_eq!(e.code, "min-zones-out-of-range");
    assert_eq!(e.location(), Some(place_of("mz.json", json, "3}", 0)));
    assert!(e.message.contains("`min_zones: 3`"), "{}", e.message);
}

#[test]
fn json_ids_written_with_escapes_keep_their_position() {
    // What collectors and Python's json.dumps write for `aé` and a tab.
    let json = "{\"version\": 1,\n \"functions\": {\"f\": {\"requires\": [\"a\\u00e9\",\n   \"r\\tz\"]}},\n \"services\": {\"a\": {}}}";
    let errors = errors_all(&[("esc.json", json)]);
    let found: Vec<(String, Option<String>)> = errors
        .iter()
        .map(|d| (d.message.clone(), d.location()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "`f` requires `aé`, which is defined nowhere".to_owned(),
                Some(place_of("esc.json", json, "\"a\\u00e9\"", 0))
            ),
            (
                "`f` requires `r\tz`, which is defined nowhere".to_owned(),
                Some(place_of("esc.json", json, "\"r\\tz\"", 0))
            ),
        ],
        "{errors:#?}"
    );
    // The underline covers the whole token as written, escapes included.
    let span = errors[0].span.as_ref().expect("positioned, checked above");
    assert_eq!(&json[span.range.clone()], "\"a\\u00e9\"");
}

#[test]
fn a_json_escaped_zone_given_twice_points_at_the_second() {
    let json = "{\"version\": 1, \"services\": {\"a\": {\"region\": \"r\",\n  \"zones\": [\"z\\u0031\", \"z\\u0031\"]}}}";
    let e = the_error("z.json", json);
    assert_eq!(e.code, "zone-listed-twice");
    assert_eq!(
        e.location(),
        Some(place_of("z.json", json, "\"z\\u0031\"", 1))
    );
}

#[test]
fn a_numeric_reference_points_at_the_number_in_json_and_yaml() {
    let json = "{\"version\": 1,\n \"functions\": {\"f\": {\"requires\": [\"web\", 4]}},\n \"services\": {\"web\": {}}}";
    let e = the_error("n.json", json);
    assert_eq!(e.message, "`f` requires `4`, which is defined nowhere");
    assert_eq!(e.location(), Some(place_of("n.json", json, "4]", 0)));
    let yaml = "version: 1\nfunctions:\n  f:\n    requires: [web, {any: [web, 5]}, 4]\nservices:\n  web: {}\n";
    let locations: Vec<_> = errors_all(&[("n.yaml", yaml)])
        .iter()
        .map(|d| (d.message.clone(), d.location()))
        .collect();
    assert_eq!(
        locations,
        [
            (
                "`f` requires `5`, which is defined nowhere".to_owned(),
                Some(place_of("n.yaml", yaml, "5", 0))
            ),
            (
                "`f` requires `4`, which is defined nowhere".to_owned(),
                Some(place_of("n.yaml", yaml, "4", 0))
            ),
        ]
    );
}

#[test]
fn json_numbers_are_their_text_as_written() {
    let json = "{\"version\": 1, \"functions\": {\"f\": {\"requires\": [\n  {\"quorum\": 1.50, \"of\": [\"a\"]}]}}, \"services\": {\"a\": {}}}";
    let e = the_error("f.json", json);
    assert_eq!(e.code, "quorum-out-of-range");
    assert!(
        e.message.starts_with("`quorum: 1.50` in `f`"),
        "{}",
        e.message
    );
    assert_eq!(e.location(), Some(place_of("f.json", json, "1.50", 0)));
    // A key `1.0` and a value `1.0` are the same text.
    let ids = load_all(&[(
        "k.json",
        r#"{"version": 1, "functions": {"f": {"requires": [1.0]}}, "services": {"1.0": {}}}"#,
    )]);
    assert!(ids.graph.find("1.0").is_some());
}

#[test]
fn a_json_version_beyond_any_integer_is_reported_whole_at_its_place() {
    let json = "{\n  \"version\": 18446744073709551616,\n  \"services\": {\"a\": {}}}";
    let e = the_error("v.json", json);
    assert_eq!(e.code, "unknown-version");
    assert_eq!(
        e.message,
        "unknown estate format version `18446744073709551616`"
    );
    assert_eq!(e.location(), Some("v.json:2:14".to_owned()));
}

#[test]
fn a_lone_surrogate_is_explained_at_its_escape() {
    for (json, escape) in [
        (
            "{\"version\": 1,\n \"services\": {\"a\": {\"description\": \"x\\ud800\"}}}",
            "\\ud800",
        ),
        (
            "{\"version\": 1,\n \"services\": {\"a\\udc00b\": {}}}",
            "\\udc00",
        ),
        (
            "{\"version\": 1,\n \"functions\": {\"f\": {\"requires\": [\"\\ud800\"]}}}",
            "\\ud800",
        ),
    ] {
        let e = the_error("s.json", json);
        assert_eq!(e.code, "malformed-json", "{json}");
        assert_eq!(
            e.location(),
            Some(place_of("s.json", json, escape, 0)),
            "{json}"
        );
        assert!(
            e.message
                .starts_with(&format!("`{escape}` is half of a UTF-16 surrogate pair")),
            "{json}: {}",
            e.message
        );
        let help = e.help.unwrap_or_default();
        assert!(help.contains("both halves of its pair"), "{help}");
    }
}

#[test]
fn a_null_scalar_names_its_key_at_its_place_in_json_and_yaml() {
    let json = "{\"version\": 1, \"functions\": {\"f\": {\"requires\": [\n  {\"quorum\": null, \"of\": [\"a\"]}]}}, \"services\": {\"a\": {}}}";
    let e = the_error("n.json", json);
    assert_eq!(
        e.message,
        "`quorum` has no value (null): write one, or leave `quorum` out"
    );
    assert_eq!(e.location(), Some(place_of("n.json", json, "null", 0)));
    let json = "{\"version\": 1,\n \"services\": {\"a\": {\"description\": null}}}";
    let e = the_error("d.json", json);
    assert!(
        e.message.starts_with("`description` has no value"),
        "{}",
        e.message
    );
    assert_eq!(e.location(), Some(place_of("d.json", json, "null", 0)));
    let yaml = "version: 1\nfunctions:\n  f:\n    requires:\n      - quorum: ~\n        of: [a]\nservices:\n  a: {}\n";
    let e = the_error("n.yaml", yaml);
    assert_eq!(
        e.message,
        "`quorum` has no value (null): write one, or leave `quorum` out"
    );
    assert_eq!(e.location(), Some(place_of("n.yaml", yaml, "quorum", 0)));
}

#[test]
fn invalid_utf8_is_reported_at_its_line_and_column() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("bad.yaml");
    let mut bytes = b"version: 1\nservices:\n  a: {description: \"caf".to_vec();
    bytes.extend_from_slice(&[0xe9, b'"', b'}', b'\n']);
    std::fs::write(&path, &bytes).expect("write the estate");
    let errors = match super::load_paths(std::slice::from_ref(&path)) {
        Ok(_) => panic!("a Latin-1 byte must be rejected"),
        Err(e) => e.diagnostics,
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].code, "unreadable-file");
    assert_eq!(
        errors[0].location(),
        Some(format!("{}:3:24", path.display()))
    );
    assert!(
        errors[0]
            .message
            .ends_with("the byte 0xE9 is not a UTF-8 character"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[0].help.as_deref(), Some("save the estate as UTF-8"));
}

#[test]
fn a_utf16_estate_is_named_as_such_with_a_position_and_the_fix() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("u16.json");
    let bytes: Vec<u8> = "\u{feff}{\"version\": 1, \"services\": {\"a\": {}}}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(&path, &bytes).expect("write the estate");
    let errors = match super::load_paths(std::slice::from_ref(&path)) {
        Ok(_) => panic!("a UTF-16 file must be rejected"),
        Err(e) => e.diagnostics,
    };
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]
        .message
        .ends_with("is UTF-16 text; blastmap reads UTF-8"));
    assert_eq!(
        errors[0].location(),
        Some(format!("{}:1:1", path.display()))
    );
    let help = errors[0].help.clone().unwrap_or_default();
    assert!(help.starts_with("save the estate as UTF-8"), "{help}");
}

// ---------------------------------------------------------------------------
// Errors in the author's words (issue 17, item 9)
// ---------------------------------------------------------------------------

#[test]
fn requires_written_as_a_string_says_it_is_a_list_with_an_example() {
    let yaml = "version: 1\nfunctions:\n  checkout:\n    requires: web\nservices:\n  web: {}\n";
    let e = the_error("e.yaml", yaml);
    assert_eq!(e.code, "invalid-value");
    assert_eq!(e.message, "`requires` is a list: write `requires: [web]`");
    assert_eq!(e.location(), Some(place_of("e.yaml", yaml, "requires", 0)));
    assert_eq!(e.node.as_deref(), Some("checkout"));

    let json = r#"{"version": 1, "functions": {"checkout": {"requires": "web"}}, "services": {"web": {}}}"#;
    let e = the_error("e.json", json);
    assert_eq!(e.code, "invalid-value");
    assert_eq!(
        e.message,
        r#"`requires` is a list, not the text `web`: write `"requires": ["web"]`"#
    );
    assert_eq!(
        e.location(),
        Some(place_of("e.json", json, "\"requires\"", 0))
    );
    assert_eq!(e.node.as_deref(), Some("checkout"));
}

#[test]
fn quorum_as_a_word_says_a_number() {
    let yaml = "version: 1\nfunctions:\n  f:\n    requires:\n      - quorum: two\n        of: [a, b]\nservices:\n  a: {}\n  b: {}\n";
    let e = the_error("q.yaml", yaml);
    assert_eq!(e.code, "invalid-value");
    assert_eq!(
        e.message,
        "`quorum` is a number, not `two`: write `quorum: 2`"
    );
    assert_eq!(e.location(), Some(place_of("q.yaml", yaml, "two", 0)));
    let yaml = "version: 1\nservices:\n  a:\n    zones: [z1, z2]\n    min_zones: all\n";
    let e = the_error("m.yaml", yaml);
    assert_eq!(e.code, "invalid-value");
    assert_eq!(
        e.message,
        "`min_zones` is a number, not `all`: write `min_zones: 2`"
    );
}

#[test]
fn every_field_of_the_wrong_type_says_what_it_holds_with_an_example() {
    let node = |field: &str| format!("version: 1\nservices:\n  web:\n    {field}\n  db: {{}}\n");
    let cases = [
        ("optional: db", "`optional` is a list: write `optional: [recommendations]`"),
        ("tags: [a, b]", "`tags` is a map of text to text: write `tags: {team: payments}`"),
        ("tags: {team: [a]}", "the value of tag `team` is text: write `team: payments` (a tag is a name and one text value)"),
        ("zones: {a: b}", r#"`zones` is a list of zones, or "*" for every zone of the region, not a map: write `zones: [use1-az1, use1-az2]`"#),
        ("description: [x]", "`description` is text: write `description: Checkout flow`"),
        ("region: {a: b}", "`region` is text: write `region: us-east-1`"),
        ("criticality: [high]", "`criticality` is one of critical, high, medium, low: write `criticality: high`"),
        ("requires: [{any: db}]", "`any` is a list: write `any: [a, b]`"),
        ("requires: [{select: db}]", "`select` is a selector: a map of conditions: write `select: {tags: {team: payments}}`"),
        ("requires: [{select: {region: [a]}}]", "`region` is text: write `region: us-east-1`"),
    ];
    for (field, expected) in cases {
        let yaml = node(field);
        let e = the_error("f.yaml", &yaml);
        assert_eq!(e.code, "invalid-value", "{yaml}");
        assert_eq!(e.message, expected, "{yaml}");
        assert_eq!(e.node.as_deref(), Some("web"), "{yaml}");
    }
    let json = r#"{"version": 1, "services": {"web": {"tags": ["a"]}}}"#;
    assert_eq!(
        the_error("t.json", json).message,
        r#"`tags` is a map of text to text, not a list: write `"tags": {"team": "payments"}`"#
    );
}

#[test]
fn a_node_that_is_not_a_map_says_how_to_write_one() {
    let json = r#"{"version": 1, "services": {"web": "db"}}"#;
    let e = the_error("n.json", json);
    assert_eq!(e.code, "invalid-value");
    assert!(
        e.message
            .starts_with("the node `web` is a map of its fields, not the text `db`"),
        "{}",
        e.message
    );
}

#[test]
fn a_typo_in_a_section_name_is_pinned_on_the_key() {
    let yaml =
        "version: 1\nfunctions:\n  checkout:\n    requires: [stripe]\nexternal:\n  stripe: {}\n";
    let e = the_error("s.yaml", yaml);
    assert_eq!(e.code, "unknown-field");
    assert_eq!(e.location(), Some(place_of("s.yaml", yaml, "external:", 0)));
    assert_eq!(e.node, None, "a section belongs to no node");
    let span = e.span.as_ref().expect("a position");
    assert_eq!(&yaml[span.range.clone()], "external");
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `externals`?")),
        "{:?}",
        e.help
    );

    let json = r#"{"version": 1, "functions": {"f": {"requires": ["x"]}}, "external": {"x": {}}}"#;
    let e = the_error("s.json", json);
    assert_eq!(e.code, "unknown-field");
    assert_eq!(
        e.location(),
        Some(place_of("s.json", json, "\"external\"", 0))
    );
    assert_eq!(e.node, None);
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.starts_with("did you mean `externals`?")),
        "{:?}",
        e.help
    );
}

#[test]
fn an_empty_estate_says_it_has_no_node() {
    for text in [
        "",
        "version: 1\n",
        "version: 1\nfunctions: {}\nservices: {}\n",
        "{}",
    ] {
        let e = the_error("e.yaml", text);
        assert_eq!(e.code, "empty-estate", "{text:?}");
        assert_eq!(
            e.message,
            "the estate has no node: e.yaml defines no function, service, resource or external",
            "{text:?}"
        );
        assert_eq!(e.file.as_deref(), Some("e.yaml"));
    }
    let e = the_error("v.yaml", "version: 1\n");
    assert_eq!(e.location().as_deref(), Some("v.yaml:1:10"));
    let errors = errors_all(&[("a.yaml", "version: 1\n"), ("b.json", r#"{"version": 1}"#)]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].message.contains("a.yaml, b.json define no"),
        "{}",
        errors[0].message
    );
    // One node anywhere is an estate.
    load_all(&[
        ("a.yaml", "version: 1\n"),
        ("b.yaml", "version: 1\nexternals:\n  x: {}\n"),
    ]);
}

#[test]
fn a_selector_matching_nothing_suggests_the_closest_values() {
    let estate = |select: &str| {
        format!(
            "version: 1\nservices:\n  pay:\n    requires:\n      - select: {select}\nresources:\n  db1: {{region: us-west-2, tags: {{team: payments}}}}\n  db2: {{region: us-east-1, tags: {{team: search}}}}\n"
        )
    };
    let help_of = |select: &str| {
        let e = the_error("s.yaml", &estate(select));
        assert_eq!(e.code, "selector-matches-nothing", "{select}");
        e.help.unwrap_or_default()
    };
    let help = help_of("{region: us-east1}");
    assert!(help.contains("(did you mean `us-east-1`?)"), "{help}");
    let help = help_of("{tags: {team: paymants}}");
    assert!(help.contains("(did you mean `payments`?)"), "{help}");
    let help = help_of("{tags: {teem: payments}}");
    assert!(
        help.contains("no node has a tag `teem` (did you mean `team`?)"),
        "{help}"
    );
    // Each condition alone matches; the region is what eliminated the
    // payments nodes, so their region is named.
    let help = help_of("{tags: {team: payments}, region: us-east-1}");
    assert!(
        help.contains("the 1 node(s) matching every other condition have region `us-west-2`"),
        "{help}"
    );
}

/// Every node table of a graph and its symbols, as text.
fn nodes_dump(g: &crate::graph::Graph) -> Vec<String> {
    use crate::graph::Attr;
    let text = |s| g.symbol(s).unwrap_or("-").to_owned();
    let mut out: Vec<String> = (0..)
        .map_while(|s| g.symbol(s))
        .map(|t| format!("symbol {t}"))
        .collect();
    out.extend(g.nodes().map(|n| {
        let attrs: Vec<String> = Attr::ALL.iter().map(|&a| text(g.attr_sym(n, a))).collect();
        let zones: Vec<String> = g.zones(n).iter().map(|&z| text(z)).collect();
        let tags: Vec<String> = g
            .tags(n)
            .iter()
            .map(|&(k, v)| format!("{}={}", text(k), text(v)))
            .collect();
        format!(
            "{} {:?} {:?} {:?} {attrs:?} {zones:?} {} {} {} {tags:?}",
            g.id(n),
            g.kind(n),
            g.criticality(n),
            g.description(n),
            g.zones_every(n),
            g.min_zones(n),
            g.availability(n),
        )
    }));
    out
}

/// The nodes are added on two cores, cut anywhere: the graph is the one a
/// single core builds (symbols numbered alike, every table, every entry),
/// and so are the problems reported.
#[test]
fn nodes_added_on_two_cores_make_the_graph_one_core_makes() {
    let estates = fixture_estates(&[
        &[
            "shop/functions.yaml",
            "shop/services.yaml",
            "shop/inventory.json",
        ],
        &["failover/estate.yaml"],
        &["availability/instances.yaml"],
        &["diff/base.yaml"],
    ]);
    let mut compared = 0;
    for estate in estates {
        let docs = as_docs(&estate);
        let whole = crate::load::resolve::node_split::cut_at(usize::MAX, || load_all(&docs));
        let nodes = whole.graph.len();
        for at in [0, 1, nodes / 3, nodes / 2, nodes.saturating_sub(1)] {
            let cut = crate::load::resolve::node_split::cut_at(at, || load_all(&docs));
            assert_eq!(
                nodes_dump(&cut.graph),
                nodes_dump(&whole.graph),
                "cut at {at}"
            );
            assert_eq!(
                entries_dump(&cut.graph),
                entries_dump(&whole.graph),
                "cut at {at}"
            );
            assert_eq!(
                cut.warnings
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>(),
                whole
                    .warnings
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>(),
                "cut at {at}"
            );
            compared += nodes;
        }
    }
    assert!(compared > 100, "{compared} nodes compared");
}

/// Problems found while adding nodes on either core are all reported, in
/// node order, as on one core.
#[test]
fn problems_found_on_both_cores_are_reported_in_node_order() {
    let yaml = "version: 1
functions:
  a: {criticality: urgent}
  b: {criticality: low}
  c: {criticality: vital}
services:
  d: {min_zones: 3, zones: [z1]}
";
    let whole = crate::load::resolve::node_split::cut_at(usize::MAX, || {
        try_load_all(&[("estate.yaml", yaml)])
            .err()
            .map(|e| e.to_string())
    });
    assert!(
        whole.as_deref().is_some_and(|e| e.contains("urgent")),
        "{whole:?}"
    );
    for at in 0..=4 {
        let cut = crate::load::resolve::node_split::cut_at(at, || {
            try_load_all(&[("estate.yaml", yaml)])
                .err()
                .map(|e| e.to_string())
        });
        assert_eq!(cut, whole, "cut at {at}");
    }
}

/// A JSON document whose sections name these nodes, in this order (a
/// service or resource `tier` tag says which document it came from).
fn json_sections(functions: &[&str], services: &[&str], resources: &[&str], from: &str) -> String {
    let nodes = |ids: &[&str], body: &str| {
        ids.iter()
            .map(|id| format!("{id:?}: {body}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tagged = format!(r#"{{"tags": {{"from": "{from}"}}}}"#);
    format!(
        r#"{{"version": 1, "functions": {{{}}}, "services": {{{}}}, "resources": {{{}}}}}"#,
        nodes(functions, r#"{"criticality": "high"}"#),
        nodes(services, &tagged),
        nodes(resources, &tagged),
    )
}

/// The merge places sections whose ids ascend without sorting them when
/// they do not overlap, and sorts as before when they do: either way the
/// graph is the one the same nodes give in any other order (shuffled
/// sections, which the merge must sort).
#[test]
fn ascending_sections_are_merged_as_sorting_would_merge_them() {
    let cases: &[(&str, Vec<String>)] = &[
        (
            "apart, documents in reverse order",
            vec![
                json_sections(&["f-1", "f-2"], &["s-1", "s-3"], &[], "one"),
                json_sections(&[], &["a-1"], &["b-1", "b-2"], "two"),
            ],
        ),
        (
            "overlapping sections",
            vec![
                json_sections(&["f-1"], &["a-1", "c-1"], &["b-1", "b-2"], "one"),
                json_sections(&[], &["b-3"], &["d-1"], "two"),
            ],
        ),
        (
            "an id defined in two documents",
            vec![
                json_sections(&[], &["s-1", "s-2"], &[], "one"),
                json_sections(&[], &["s-2", "s-3"], &[], "one"),
            ],
        ),
        (
            "an escaped id",
            vec![json_sections(&[], &["s-\u{e9}", "s-a"], &["r\"1"], "one")
                .replace("s-\u{e9}", "s-\\u00e9")],
        ),
    ];
    for (name, docs) in cases {
        let named: Vec<(String, &str)> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("{i}.json"), d.as_str()))
            .collect();
        let as_given: Vec<(&str, &str)> = named.iter().map(|(n, d)| (n.as_str(), *d)).collect();
        let merged = load_all(&as_given);
        let g = &merged.graph;
        let ids: Vec<&str> = g.nodes().map(|n| g.id(n)).collect();
        assert!(
            ids.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()),
            "{name}: {ids:?}"
        );
        // The same nodes with every section's order reversed: no section
        // ascends, so the merge sorts.
        let reversed: Vec<String> = docs.iter().map(|d| reverse_sections(d)).collect();
        let named_reversed: Vec<(&str, &str)> = named
            .iter()
            .zip(&reversed)
            .map(|((n, _), d)| (n.as_str(), d.as_str()))
            .collect();
        let sorted = load_all(&named_reversed);
        assert_eq!(nodes_dump(g), nodes_dump(&sorted.graph), "{name}");
    }
}

/// `doc` (from [`json_sections`]) with the nodes of each section in
/// reverse order.
fn reverse_sections(doc: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(doc).expect("a test document");
    let mut out = String::from(r#"{"version": 1"#);
    for section in ["functions", "services", "resources"] {
        let nodes = value[section].as_object().expect("a section");
        let mut entries: Vec<String> = nodes
            .iter()
            .map(|(id, node)| format!("{}: {node}", serde_json::Value::from(id.as_str())))
            .collect();
        entries.reverse();
        out.push_str(&format!(r#", "{section}": {{{}}}"#, entries.join(", ")));
    }
    out.push('}');
    out
}

/// A small estate keeps its parsed documents until it is dropped; a large
/// one's are freed as soon as the graph is built (see `free_documents`).
#[test]
fn a_small_estates_documents_stay_with_it_and_a_large_ones_go() {
    let loaded = load("services:\n  a: {}\n  b: {requires: [a]}\n");
    assert_eq!(loaded._parsed.0.len(), 1, "one document, kept");
    let documents = || vec![(0, super::raw::Document::default())];
    let large = super::read::SMALL_PAGES_FROM_BYTES;
    assert_eq!(super::free_documents(documents(), large - 1).0.len(), 1);
    assert!(super::free_documents(documents(), large).0.is_empty());
}
