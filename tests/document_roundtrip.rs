//! The owned `model::Document` that collectors write round-trips through the
//! real loader: a random document written as JSON (`to_json_string`) and the
//! same estate written by hand as YAML (a small emitter below, not serde)
//! load into the same graph and give the same answers to every command.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use blastmap::engine::incremental::Baseline;
use blastmap::engine::scenario::checked_scenario;
use blastmap::engine::sweep::scenarios_of;
use blastmap::graph::{Attr, Graph};
use blastmap::load::{load_documents, Loaded, Source};
use blastmap::model::document::{Edge, Entry, Member, Meta, Node, Selector, SourceMeta, Zones};
use blastmap::model::{Criticality, Document, Domain, DomainKind, NodeKind};
use blastmap::report::analyze::AnalyzeReport;
use proptest::prelude::*;

/// A small deterministic generator: proptest picks the seed, so a failure
/// prints the seed and the two documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// `count` distinct items of `items` (fewer if there are not enough).
    fn distinct(&mut self, items: &[String], count: usize) -> Vec<String> {
        let mut pool = items.to_vec();
        let mut out = Vec::new();
        while out.len() < count && !pool.is_empty() {
            out.push(pool.remove(self.below(pool.len())));
        }
        out
    }
}

const REGIONS: [(&str, &[&str]); 2] = [
    ("us-east-1", &["use1-az1", "use1-az2", "use1-az3"]),
    ("eu-west-1", &["euw1-az1", "euw1-az2"]),
];
const ACCOUNTS: [&str; 2] = ["111122223333", "444455556666"];
/// The resource every matching selector below is built to match.
const R0: &str = "arn:aws:rds:us-east-1:111122223333:db:r0";
const WORDS: [&str; 5] = ["pay", "web", "core", "a b", "quote\"d"];

/// Selectors that all match [`R0`] (and never a function or a service).
fn matching_selector(rng: &mut Rng) -> Selector {
    let s = |f: &dyn Fn(&mut Selector)| {
        let mut sel = Selector::default();
        f(&mut sel);
        sel
    };
    match rng.below(7) {
        0 => s(&|x| {
            x.tags.insert("tier".into(), "db".into());
        }),
        1 => s(&|x| {
            x.kind = Some("resource".into());
            x.region = Some("us-east-1".into());
        }),
        2 => s(&|x| x.type_ = Some("rds:*".into())),
        3 => s(&|x| {
            x.service = Some("rds".into());
            x.account = Some(ACCOUNTS[0].into());
        }),
        4 => s(&|x| x.id = Some("arn:aws:rds:*".into())),
        5 => s(&|x| x.zone = Some("use1-az1".into())),
        _ => s(&|x| {
            x.provider = Some("aws".into());
            x.region = Some("us-*".into());
        }),
    }
}

fn member_list(rng: &mut Rng, candidates: &[String]) -> Vec<Member> {
    let n = rng.range(1, 3);
    let mut members: Vec<Member> = rng
        .distinct(candidates, n)
        .into_iter()
        .map(Member::Id)
        .collect();
    if rng.chance(30) {
        members.push(Member::Select {
            select: matching_selector(rng),
        });
    }
    members
}

fn entry(rng: &mut Rng, candidates: &[String]) -> Entry {
    let allow_empty = rng.chance(20);
    match rng.below(5) {
        0 => Entry::Id(rng.pick(candidates).clone()),
        1 => Entry::All {
            all: member_list(rng, candidates),
            allow_empty,
        },
        2 => Entry::Any {
            any: member_list(rng, candidates),
            allow_empty,
        },
        3 => {
            let n = rng.range(1, 3);
            let of = rng.distinct(candidates, n);
            Entry::Quorum {
                quorum: rng.range(1, of.len()) as u32,
                of: of.into_iter().map(Member::Id).collect(),
                allow_empty,
            }
        }
        _ => Entry::Select {
            select: matching_selector(rng),
            allow_empty,
        },
    }
}

fn entries(rng: &mut Rng, candidates: &[String], lo: usize, hi: usize) -> Vec<Entry> {
    (0..rng.range(lo, hi))
        .map(|_| entry(rng, candidates))
        .collect()
}

fn words_tags(rng: &mut Rng, key: &str) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    if rng.chance(50) {
        tags.insert(key.to_owned(), rng.pick(&WORDS).to_string());
    }
    tags
}

fn zones(rng: &mut Rng, node: &mut Node, region: usize) {
    let all: Vec<String> = REGIONS[region].1.iter().map(|z| z.to_string()).collect();
    match rng.below(3) {
        0 => {}
        1 => node.zones = Some(Zones::Every),
        _ => {
            let n = rng.range(1, all.len());
            let list = rng.distinct(&all, n);
            if rng.chance(50) {
                node.min_zones = Some(rng.range(1, list.len()) as u32);
            }
            node.zones = Some(Zones::List(list));
        }
    }
}

/// One resource; three ways to say where it is: an ARN id, an `arn`
/// field, or every field written out.
fn resource(rng: &mut Rng, i: usize, externals: &[String]) -> (String, Node) {
    let region = rng.below(REGIONS.len());
    let r = REGIONS[region].0;
    let account = *rng.pick(&ACCOUNTS);
    let (service, rtype, resource) = *rng.pick(&[
        ("rds", "rds:db", "db:res"),
        ("ec2", "ec2:instance", "instance/i-res"),
        ("dynamodb", "dynamodb:table", "table/res"),
        ("sqs", "sqs", "q-res"),
    ]);
    let arn = format!("arn:aws:{service}:{r}:{account}:{resource}{i}");
    let mut node = Node {
        tags: {
            let mut t = words_tags(rng, "team");
            if rng.chance(30) {
                t.insert("tier".into(), "db".into());
            }
            t
        },
        ..Node::default()
    };
    zones(rng, &mut node, region);
    if !externals.is_empty() && rng.chance(20) {
        node.requires.push(Entry::Id(rng.pick(externals).clone()));
    }
    match rng.below(3) {
        0 => (arn, node),
        1 => {
            node.arn = Some(arn);
            (format!("res-{i}"), node)
        }
        _ => {
            node.provider = Some("aws".into());
            node.service = Some(service.into());
            node.type_ = Some(rtype.into());
            node.account = Some(account.into());
            node.region = Some(r.into());
            (format!("res-{i}"), node)
        }
    }
}

fn random_document(seed: u64) -> Document {
    let mut rng = Rng(seed | 1);
    let mut doc = Document::default();
    let externals: Vec<String> = (0..rng.range(0, 2)).map(|i| format!("ext-{i}")).collect();
    for e in &externals {
        let description = rng.chance(50).then(|| rng.pick(&WORDS).to_string());
        doc.insert(
            NodeKind::External,
            e.clone(),
            Node {
                description,
                ..Node::default()
            },
        );
    }
    let mut r0 = Node {
        zones: Some(Zones::List(vec!["use1-az1".into(), "use1-az2".into()])),
        min_zones: rng.chance(50).then_some(rng.range(1, 2) as u32),
        ..Node::default()
    }
    .tag("tier", "db");
    if rng.chance(30) {
        r0.tags.insert("team".into(), "pay".into());
    }
    doc.insert(NodeKind::Resource, R0, r0);
    for i in 1..rng.range(1, 6) {
        let (id, node) = resource(&mut rng, i, &externals);
        doc.insert(NodeKind::Resource, id, node);
    }
    let leaves: Vec<String> = doc
        .resources
        .keys()
        .chain(doc.externals.keys())
        .cloned()
        .collect();
    let mut below = leaves.clone();
    for i in 0..rng.range(1, 5) {
        let mut node = Node {
            tags: words_tags(&mut rng, "team"),
            requires: entries(&mut rng, &below, 0, 3),
            optional: entries(&mut rng, &below, 0, 1),
            ..Node::default()
        };
        if rng.chance(50) {
            let region = rng.below(REGIONS.len());
            node.region = Some(REGIONS[region].0.into());
            zones(&mut rng, &mut node, region);
        }
        let id = format!("svc-{i}");
        doc.insert(NodeKind::Service, id.clone(), node);
        below.push(id);
    }
    for i in 0..rng.range(1, 4) {
        let node = Node {
            description: rng.chance(50).then(|| rng.pick(&WORDS).to_string()),
            criticality: rng.chance(70).then(|| *rng.pick(&Criticality::ALL)),
            tags: words_tags(&mut rng, "team"),
            requires: entries(&mut rng, &below, 1, 3),
            optional: entries(&mut rng, &below, 0, 1),
            ..Node::default()
        };
        let id = format!("fn-{i}");
        doc.insert(NodeKind::Function, id.clone(), node);
        below.push(id);
    }
    if rng.chance(50) {
        let mut source = SourceMeta::complete("test-collector");
        source.complete = rng.chance(70);
        source.account = Some(ACCOUNTS[0].into());
        source.regions = vec!["us-east-1".into()];
        doc.meta = Some(Meta {
            collected_at: Some("2026-11-24T10:00:00Z".into()),
            sources: vec![source],
            edges: vec![Edge {
                from: "fn-0".into(),
                to: R0.into(),
                source: "jaeger".into(),
                calls: Some(12),
            }],
        });
    }
    doc
}

// ---------------------------------------------------------------------------
// The same estate, written by hand as YAML
// ---------------------------------------------------------------------------

/// A YAML double-quoted scalar (the generator uses printable ASCII only).
fn q(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn yaml_selector(s: &Selector) -> String {
    let mut parts = Vec::new();
    let fields = [
        ("kind", &s.kind),
        ("id", &s.id),
        ("provider", &s.provider),
        ("service", &s.service),
        ("type", &s.type_),
        ("account", &s.account),
        ("region", &s.region),
        ("zone", &s.zone),
    ];
    for (name, value) in fields {
        if let Some(v) = value {
            parts.push(format!("{name}: {}", q(v)));
        }
    }
    if !s.tags.is_empty() {
        parts.push(format!("tags: {}", yaml_map(&s.tags)));
    }
    format!("{{{}}}", parts.join(", "))
}

fn yaml_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}: {}", q(k), q(v)))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

fn yaml_members(members: &[Member]) -> String {
    let items: Vec<String> = members
        .iter()
        .map(|m| match m {
            Member::Id(id) => q(id),
            Member::Select { select } => format!("{{select: {}}}", yaml_selector(select)),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

fn yaml_entry(e: &Entry) -> String {
    let empty = |allow: bool| if allow { ", allow_empty: true" } else { "" };
    match e {
        Entry::Id(id) => q(id),
        Entry::All { all, allow_empty } => {
            format!("{{all: {}{}}}", yaml_members(all), empty(*allow_empty))
        }
        Entry::Any { any, allow_empty } => {
            format!("{{any: {}{}}}", yaml_members(any), empty(*allow_empty))
        }
        Entry::Quorum {
            quorum,
            of,
            allow_empty,
        } => format!(
            "{{quorum: {quorum}, of: {}{}}}",
            yaml_members(of),
            empty(*allow_empty)
        ),
        Entry::Select {
            select,
            allow_empty,
        } => format!(
            "{{select: {}{}}}",
            yaml_selector(select),
            empty(*allow_empty)
        ),
        Entry::Failover { failover, via } => {
            let via: Vec<Member> = via.iter().map(|v| Member::Id(v.clone())).collect();
            format!(
                "{{failover: {}, via: {}}}",
                yaml_members(failover),
                yaml_members(&via)
            )
        }
    }
}

fn yaml_node(out: &mut String, id: &str, n: &Node) {
    let _ = writeln!(out, "  {}:", q(id));
    let scalars = [
        ("description", n.description.clone()),
        ("criticality", n.criticality.map(|c| c.as_str().to_owned())),
        ("arn", n.arn.clone()),
        ("provider", n.provider.clone()),
        ("service", n.service.clone()),
        ("type", n.type_.clone()),
        ("account", n.account.clone()),
        ("region", n.region.clone()),
    ];
    for (name, value) in scalars {
        if let Some(v) = value {
            let _ = writeln!(out, "    {name}: {}", q(&v));
        }
    }
    match &n.zones {
        None => {}
        Some(Zones::Every) => out.push_str("    zones: \"*\"\n"),
        Some(Zones::List(list)) => {
            out.push_str("    zones:\n");
            for z in list {
                let _ = writeln!(out, "      - {}", q(z));
            }
        }
    }
    if let Some(m) = n.min_zones {
        let _ = writeln!(out, "    min_zones: {m}");
    }
    if !n.tags.is_empty() {
        let _ = writeln!(out, "    tags: {}", yaml_map(&n.tags));
    }
    for (name, list) in [("requires", &n.requires), ("optional", &n.optional)] {
        if !list.is_empty() {
            let _ = writeln!(out, "    {name}:");
            for e in list {
                let _ = writeln!(out, "      - {}", yaml_entry(e));
            }
        }
    }
    if n.tags.is_empty()
        && n.requires.is_empty()
        && n.optional.is_empty()
        && n.zones.is_none()
        && n.description.is_none()
        && n.criticality.is_none()
        && n.arn.is_none()
        && n.region.is_none()
        && n.provider.is_none()
    {
        // An id with nothing under it is `null`; a node is a mapping.
        out.truncate(out.len() - 1);
        out.push_str(" {}\n");
    }
}

fn yaml_meta(out: &mut String, meta: &Meta) {
    out.push_str("meta:\n");
    if let Some(at) = &meta.collected_at {
        let _ = writeln!(out, "  collected_at: {}", q(at));
    }
    if !meta.sources.is_empty() {
        out.push_str("  sources:\n");
        for s in &meta.sources {
            let _ = writeln!(out, "    - collector: {}", q(&s.collector));
            let _ = writeln!(out, "      complete: {}", s.complete);
            if let Some(a) = &s.account {
                let _ = writeln!(out, "      account: {}", q(a));
            }
            let regions: Vec<String> = s.regions.iter().map(|r| q(r)).collect();
            let _ = writeln!(out, "      regions: [{}]", regions.join(", "));
        }
    }
    if !meta.edges.is_empty() {
        out.push_str("  edges:\n");
        for e in &meta.edges {
            let calls = e.calls.map(|c| format!(", calls: {c}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    - {{from: {}, to: {}, source: {}{calls}}}",
                q(&e.from),
                q(&e.to),
                q(&e.source)
            );
        }
    }
}

fn to_yaml(doc: &Document) -> String {
    let mut out = format!("version: {}\n", doc.version);
    if let Some(meta) = &doc.meta {
        yaml_meta(&mut out, meta);
    }
    for kind in NodeKind::ALL {
        let section = doc.section(kind);
        if section.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{}:", kind.section());
        for (id, node) in section {
            yaml_node(&mut out, id, node);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// What a loaded estate answers
// ---------------------------------------------------------------------------

fn load(name: &str, text: &str) -> Loaded {
    let sources = [Source {
        name: name.to_owned(),
        text: text.to_owned(),
    }];
    load_documents(&sources).unwrap_or_else(|e| panic!("{name} must load:\n{e}\n{text}"))
}

/// Every node's fields and entries, by id: what the graph holds.
fn graph_facts(g: &Graph) -> Vec<String> {
    let sym = |s| g.symbol(s).unwrap_or("?").to_owned();
    g.nodes()
        .map(|n| {
            let attrs: Vec<Option<&str>> = Attr::ALL.iter().map(|a| g.attr(n, *a)).collect();
            let zones: Vec<String> = g.zones(n).iter().map(|z| sym(*z)).collect();
            let mut tags: Vec<(String, String)> =
                g.tags(n).iter().map(|(k, v)| (sym(*k), sym(*v))).collect();
            tags.sort();
            let entries: Vec<String> = g
                .requires(n)
                .chain(g.optional(n))
                .map(|e| {
                    let entry = &g.entries()[e as usize];
                    let members: Vec<&str> = g.members(e).iter().map(|m| g.id(*m)).collect();
                    format!(
                        "{:?} needs {} optional {} of {members:?}",
                        entry.kind, entry.needed, entry.optional
                    )
                })
                .collect();
            format!(
                "{} {:?} {:?} {:?} {attrs:?} zones {zones:?} every {} min {} tags {tags:?} {entries:?}",
                g.id(n),
                g.kind(n),
                g.criticality(n),
                g.description(n),
                g.zones_every(n),
                g.min_zones(n),
            )
        })
        .collect()
}

/// The JSON answers of analyze (every region, a zone, a node), sweep (every
/// kind) and spof, computed through the library.
fn answers(g: &Graph) -> Vec<String> {
    let mut out = Vec::new();
    let mut domains: Vec<Domain> = scenarios_of(g, &[DomainKind::Region]);
    domains.extend(
        g.zone_values()
            .first()
            .map(|z| Domain::Zone((*z).to_owned())),
    );
    domains.push(Domain::Node(R0.to_owned()));
    for d in domains {
        let scenario = checked_scenario(g, vec![d]).expect("domains of the estate exist");
        let analysis = blastmap::engine::analyze(g, &scenario);
        out.push(AnalyzeReport::new(&scenario, &analysis).to_json());
    }
    let baseline = Baseline::new(g);
    let all = scenarios_of(g, &DomainKind::ALL);
    let columns = blastmap::engine::sweep::sweep(&baseline, &all, None, &|_| {});
    out.push(blastmap::report::sweep::to_json(g, &columns));
    let spofs = blastmap::engine::spof::spof(&baseline, g.functions(), &|_| {});
    out.push(blastmap::report::spof::SpofReport::new(g, &spofs).to_json());
    out
}

/// Collector names of incomplete sources, without the file name.
fn incomplete(loaded: &Loaded) -> Vec<String> {
    loaded
        .incomplete
        .iter()
        .map(|s| s.rsplit(": ").next().unwrap_or(s).to_owned())
        .collect()
}

fn check_roundtrip(seed: u64) -> Result<(), TestCaseError> {
    let doc = random_document(seed);
    let json = doc.to_json_string();
    prop_assert_eq!(
        &json,
        &doc.clone().to_json_string(),
        "JSON is deterministic"
    );
    let yaml = to_yaml(&doc);
    let from_json = load("estate.json", &json);
    let from_yaml = load("estate.yaml", &yaml);
    let context = format!("seed {seed}\n--- JSON\n{json}\n--- YAML\n{yaml}");
    prop_assert_eq!(from_json.graph.len(), doc.nodes().count(), "{}", context);
    prop_assert_eq!(
        graph_facts(&from_json.graph),
        graph_facts(&from_yaml.graph),
        "{}",
        context
    );
    prop_assert_eq!(
        incomplete(&from_json),
        incomplete(&from_yaml),
        "{}",
        context
    );
    prop_assert_eq!(
        answers(&from_json.graph),
        answers(&from_yaml.graph),
        "{}",
        context
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn a_written_document_loads_like_the_same_estate_written_by_hand(seed in any::<u64>()) {
        check_roundtrip(seed)?;
    }
}

#[test]
fn every_node_field_of_the_document_reaches_the_graph() {
    let mut doc = Document::default();
    let node = Node {
        description: Some("card payments".into()),
        criticality: Some(Criticality::High),
        provider: Some("gcp".into()),
        service: Some("sql".into()),
        type_: Some("sql:db".into()),
        account: Some("proj-1".into()),
        region: Some("europe-west1".into()),
        zones: Some(Zones::List(vec!["a".into(), "b".into()])),
        min_zones: Some(2),
        ..Node::default()
    }
    .tag("team", "pay");
    doc.insert(NodeKind::Function, "pay", node);
    let loaded = load("estate.json", &doc.to_json_string());
    let g = &loaded.graph;
    let n = g.find("pay").expect("the node is loaded");
    assert_eq!(g.description(n), Some("card payments"));
    assert_eq!(g.criticality(n), Criticality::High);
    let attrs: Vec<Option<&str>> = Attr::ALL.iter().map(|a| g.attr(n, *a)).collect();
    assert_eq!(
        attrs,
        [
            Some("gcp"),
            Some("sql"),
            Some("sql:db"),
            Some("proj-1"),
            Some("europe-west1")
        ]
    );
    assert_eq!(g.min_zones(n), 2);
    assert_eq!(g.zones(n).len(), 2);
}

#[test]
fn a_failover_entry_in_a_document_loads_with_its_primary_standby_and_via_node() {
    let mut doc = Document::default();
    for id in ["a", "b", "c"] {
        doc.insert(NodeKind::External, id, Node::default());
    }
    doc.insert(
        NodeKind::Service,
        "s",
        Node::default().requires(Entry::Failover {
            failover: vec!["a".into(), "b".into()],
            via: vec!["c".into()],
        }),
    );
    let sources = [Source {
        name: "estate.json".into(),
        text: doc.to_json_string(),
    }];
    let loaded = load_documents(&sources).expect("a failover entry loads");
    let g = &loaded.graph;
    let s = g.find("s").expect("s is a node");
    let e = g.requires(s).next().expect("s has its entry");
    let ids: Vec<&str> = g.members(e).iter().map(|&m| g.id(m)).collect();
    assert_eq!(ids, ["a", "b", "c"], "stored as [primary, standby, via]");
    assert!(matches!(
        g.entries()[e as usize].kind,
        blastmap::model::EntryKind::Failover {
            standbys: 1,
            standby_in_via: false
        }
    ));
}
