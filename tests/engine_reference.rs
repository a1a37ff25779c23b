//! Differential test of the engine against a deliberately naive reference of
//! SPEC §3 and §6.1–§6.2 (failover entries with `via`, built-in `aws:`
//! nodes), written from the specification alone.
//!
//! Random valid estates (SPEC §1, §1.3) are generated from a seeded PRNG,
//! written as JSON, loaded through `blastmap::load`, and analysed under random
//! scenarios (SPEC §2). The reference resolves selectors itself (SPEC §1.2) and
//! recomputes every fixed point (grounding, support, down closure, degraded)
//! by plain iteration until nothing changes; causes are computed by
//! reachability (§3.3) and paths by a breadth-first search that visits next
//! nodes in ascending byte order of ids (§3.4).
//!
//! Reproduce or widen a run with environment variables:
//! `BLASTMAP_REF_CASES` (number of estates, default 2000),
//! `BLASTMAP_REF_SEED` (base seed), `BLASTMAP_REF_CASE_SEED` (run one estate,
//! the seed printed by a failure).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use blastmap::engine::analyze;
use blastmap::engine::scenario::checked_scenario;
use blastmap::load::{load_documents, Source};
use blastmap::model::Status;
use blastmap::model::Status::{Degraded, Down, Up};
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// A small deterministic PRNG (SplitMix64), so runs are reproducible.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn mix(seed: u64, i: u64) -> u64 {
    let mut r = Rng::new(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    r.next_u64()
}

// ---------------------------------------------------------------------------
// The reference's own model of an estate.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Function,
    Service,
    Resource,
    External,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Service => "service",
            Kind::Resource => "resource",
            Kind::External => "external",
        }
    }

    fn section(self) -> &'static str {
        match self {
            Kind::Function => "functions",
            Kind::Service => "services",
            Kind::Resource => "resources",
            Kind::External => "externals",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Zones {
    Absent,
    Star,
    List(Vec<String>),
}

const FIELDS: [&str; 5] = ["provider", "service", "type", "account", "region"];

#[derive(Debug, Clone)]
struct Node {
    id: String,
    kind: Kind,
    /// Effective `provider`, `service`, `type`, `account`, `region` (in
    /// [`FIELDS`] order), after ARN derivation.
    fields: [Option<String>; 5],
    /// What the document states explicitly (the rest comes from the ARN).
    written: Vec<(&'static str, String)>,
    zones: Zones,
    min_zones: Option<usize>,
    tags: BTreeMap<String, String>,
    criticality: Option<&'static str>,
    description: Option<String>,
    requires: Vec<Entry>,
    optional: Vec<Entry>,
    /// A built-in `aws:` node (SPEC §6.2): the loader adds it, the
    /// generated document only references it.
    builtin: bool,
}

impl Node {
    fn field(&self, name: &str) -> Option<&str> {
        let i = FIELDS.iter().position(|f| *f == name).expect("known field");
        self.fields[i].as_deref()
    }

    fn zone_list(&self) -> &[String] {
        match &self.zones {
            Zones::List(z) => z,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Selector {
    /// Conditions other than tags: (key, pattern).
    conds: Vec<(&'static str, String)>,
    tags: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
enum Item {
    Id(usize),
    Select(Selector),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Id,
    All,
    Any,
    Quorum(usize),
    Select,
    /// SPEC §6.1: the first member is the primary, the others standbys.
    Failover,
}

#[derive(Debug, Clone)]
struct Entry {
    shape: Shape,
    items: Vec<Item>,
    allow_empty: bool,
    /// Members after expansion and de-duplication (SPEC §1.2).
    members: Vec<usize>,
    /// SPEC §6.1 `via` ids (failover entries only).
    via: Vec<usize>,
}

impl Entry {
    fn needed(&self) -> usize {
        match self.shape {
            Shape::Id | Shape::All | Shape::Select => self.members.len(),
            Shape::Any | Shape::Failover => 1,
            Shape::Quorum(k) => k,
        }
    }

    /// SPEC §1.2, and §6.1 for failover: the primary, or a standby and
    /// every `via` node.
    fn satisfied(&self, not_down: impl Fn(usize) -> bool) -> bool {
        if self.shape == Shape::Failover {
            return not_down(self.members[0])
                || (self.members[1..].iter().any(|&m| not_down(m))
                    && self.via.iter().all(|&v| not_down(v)));
        }
        self.members.iter().filter(|&&m| not_down(m)).count() >= self.needed()
    }

    /// Members and `via` nodes: what (c), (d), causes and paths look at
    /// (SPEC §6.1).
    fn members_and_via(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().chain(&self.via).copied()
    }
}

struct Estate {
    nodes: Vec<Node>,
    /// Nodes worth failing by id (e.g. the databases of a fallback pair).
    hot: Vec<usize>,
}

// ---------------------------------------------------------------------------
// Selectors (SPEC §1.2), resolved by the reference itself.
// ---------------------------------------------------------------------------

/// `*` matches any run of characters; nothing else is special.
fn glob(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    // reach[j]: pattern prefix consumed so far matches text[..j].
    let mut reach = vec![false; t.len() + 1];
    reach[0] = true;
    for &c in p {
        let mut next = vec![false; t.len() + 1];
        if c == b'*' {
            let mut any = false;
            for j in 0..=t.len() {
                any |= reach[j];
                next[j] = any;
            }
        } else {
            for j in 0..t.len() {
                next[j + 1] = reach[j] && t[j] == c;
            }
        }
        reach = next;
    }
    reach[t.len()]
}

fn selector_matches(sel: &Selector, node: &Node) -> bool {
    let conds = sel.conds.iter().all(|(key, pat)| match *key {
        "kind" => node.kind.as_str() == pat,
        "id" => glob(pat, &node.id),
        "zone" => node.zone_list().iter().any(|z| glob(pat, z)),
        field => node.field(field).is_some_and(|v| glob(pat, v)),
    });
    conds
        && sel
            .tags
            .iter()
            .all(|(k, pat)| node.tags.get(k).is_some_and(|v| glob(pat, v)))
}

/// Nodes a selector carried by `carrier` matches, in id order.
fn expand(nodes: &[Node], sel: &Selector, carrier: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..nodes.len())
        .filter(|&j| j != carrier && !nodes[j].builtin && selector_matches(sel, &nodes[j]))
        .collect();
    out.sort_by(|&a, &b| nodes[a].id.as_bytes().cmp(nodes[b].id.as_bytes()));
    out
}

fn members_of(nodes: &[Node], items: &[Item], carrier: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for item in items {
        let expanded = match item {
            Item::Id(x) => vec![*x],
            Item::Select(s) => expand(nodes, s, carrier),
        };
        for m in expanded {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Scenarios (SPEC §2).
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Domain {
    Field(&'static str, String),
    CloudServiceAt(String, String),
    Zone(String),
    Tag(String, String),
    Node(usize),
}

impl Domain {
    fn text(&self, nodes: &[Node]) -> String {
        match self {
            Domain::Field("service", v) => format!("cloud-service:{v}"),
            Domain::Field(f, v) => format!("{f}:{v}"),
            Domain::CloudServiceAt(s, r) => format!("cloud-service:{s}@{r}"),
            Domain::Zone(z) => format!("zone:{z}"),
            Domain::Tag(k, v) => format!("tag:{k}={v}"),
            Domain::Node(n) => format!("node:{}", nodes[*n].id),
        }
    }
}

/// Directly-down and zone-degraded flags of every node under a scenario.
fn direct_effects(nodes: &[Node], scenario: &[Domain]) -> (Vec<bool>, Vec<bool>) {
    let failed_zones: BTreeSet<&str> = scenario
        .iter()
        .filter_map(|d| match d {
            Domain::Zone(z) => Some(z.as_str()),
            _ => None,
        })
        .collect();
    let mut direct = vec![false; nodes.len()];
    let mut zone_degraded = vec![false; nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        let by_domain = scenario.iter().any(|d| match d {
            Domain::Field(f, v) => node.field(f) == Some(v.as_str()),
            Domain::CloudServiceAt(s, r) => {
                node.field("service") == Some(s.as_str()) && node.field("region") == Some(r)
            }
            Domain::Tag(k, v) => node.tags.get(k) == Some(v),
            Domain::Node(n) => *n == i,
            Domain::Zone(_) => false,
        });
        let list = node.zone_list();
        let lost = list
            .iter()
            .filter(|z| failed_zones.contains(z.as_str()))
            .count();
        let min = node.min_zones.unwrap_or(1);
        let zone_down = !list.is_empty() && list.len() - lost < min;
        direct[i] = by_domain || zone_down;
        zone_degraded[i] = !list.is_empty() && lost > 0;
    }
    (direct, zone_degraded)
}

// ---------------------------------------------------------------------------
// The reference engine (SPEC §3), naive on purpose.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Answer {
    status: Status,
    causes: Vec<String>,
    path: Vec<String>,
}

fn reference(nodes: &[Node], scenario: &[Domain]) -> Vec<Answer> {
    let n = nodes.len();
    let (direct, zone_degraded) = direct_effects(nodes, scenario);

    // §3.1 grounding: least fixed point with nothing failed.
    let mut grounded = vec![false; n];
    loop {
        let next: Vec<bool> = (0..n)
            .map(|i| {
                nodes[i]
                    .requires
                    .iter()
                    .all(|e| e.satisfied(|m| grounded[m]))
            })
            .collect();
        let next: Vec<bool> = next.iter().zip(&grounded).map(|(a, b)| *a || *b).collect();
        if next == grounded {
            break;
        }
        grounded = next;
    }
    let grounded_entry: Vec<Vec<bool>> = nodes
        .iter()
        .map(|node| {
            node.requires
                .iter()
                .map(|e| e.satisfied(|m| grounded[m]))
                .collect()
        })
        .collect();

    // §3.1 support: least fixed point; only grounded entries ask for support.
    let mut supported = vec![false; n];
    loop {
        let next: Vec<bool> = (0..n)
            .map(|i| {
                supported[i]
                    || (!direct[i]
                        && nodes[i]
                            .requires
                            .iter()
                            .zip(&grounded_entry[i])
                            .filter(|(_, g)| **g)
                            .all(|(e, _)| e.satisfied(|m| supported[m])))
            })
            .collect();
        if next == supported {
            break;
        }
        supported = next;
    }

    // §3.1 down: least set holding the unsupported nodes, closed under
    // "has an unsatisfied requires entry".
    let mut down: Vec<bool> = supported.iter().map(|s| !s).collect();
    loop {
        let next: Vec<bool> = (0..n)
            .map(|i| down[i] || nodes[i].requires.iter().any(|e| !e.satisfied(|m| !down[m])))
            .collect();
        if next == down {
            break;
        }
        down = next;
    }

    // §3.2 degraded: least fixed point over nodes that are not down.
    let mut degraded = vec![false; n];
    loop {
        let next: Vec<bool> = (0..n)
            .map(|i| {
                if down[i] {
                    return false;
                }
                let node = &nodes[i];
                degraded[i]
                    || zone_degraded[i]
                    || node.optional.iter().any(|e| !e.satisfied(|m| !down[m]))
                    || node
                        .requires
                        .iter()
                        .any(|e| e.members_and_via().any(|m| down[m] || degraded[m]))
            })
            .collect();
        if next == degraded {
            break;
        }
        degraded = next;
    }

    // "x → down member of an unsatisfied requires entry of x".
    let next_of = |x: usize| -> Vec<usize> {
        let mut out: Vec<usize> = nodes[x]
            .requires
            .iter()
            .filter(|e| !e.satisfied(|m| !down[m]))
            .flat_map(|e| e.members_and_via().filter(|&m| down[m]))
            .collect();
        out.sort_by(|&a, &b| nodes[a].id.as_bytes().cmp(nodes[b].id.as_bytes()));
        out.dedup();
        out
    };

    (0..n)
        .map(|i| {
            if !down[i] {
                let status = if degraded[i] {
                    Status::Degraded
                } else {
                    Status::Up
                };
                return Answer {
                    status,
                    causes: vec![],
                    path: vec![],
                };
            }
            // §3.3 causes: directly-down nodes reachable without passing
            // through another directly-down node.
            let mut causes = BTreeSet::new();
            if direct[i] {
                causes.insert(nodes[i].id.clone());
            } else {
                let mut seen = vec![false; n];
                seen[i] = true;
                let mut stack = vec![i];
                while let Some(x) = stack.pop() {
                    for m in next_of(x) {
                        if seen[m] {
                            continue;
                        }
                        seen[m] = true;
                        if direct[m] {
                            causes.insert(nodes[m].id.clone());
                        } else {
                            stack.push(m);
                        }
                    }
                }
            }
            // §3.4 path: BFS, next nodes in ascending id order, stop at the
            // first directly-down node dequeued.
            let mut parent: Vec<Option<usize>> = vec![None; n];
            let mut seen = vec![false; n];
            seen[i] = true;
            let mut queue = VecDeque::from([i]);
            let mut path = vec![];
            while let Some(x) = queue.pop_front() {
                if direct[x] {
                    let mut chain = vec![x];
                    let mut at = x;
                    while let Some(p) = parent[at] {
                        chain.push(p);
                        at = p;
                    }
                    chain.reverse();
                    path = chain.iter().map(|&c| nodes[c].id.clone()).collect();
                    break;
                }
                for m in next_of(x) {
                    if !seen[m] {
                        seen[m] = true;
                        parent[m] = Some(x);
                        queue.push_back(m);
                    }
                }
            }
            Answer {
                status: Status::Down,
                causes: causes.into_iter().collect(),
                path,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The engine under test, through the public API.
// ---------------------------------------------------------------------------

fn load(json: &str) -> blastmap::load::Loaded {
    match load_documents(&[Source {
        name: "gen.json".into(),
        text: json.to_owned(),
    }]) {
        Ok(loaded) => loaded,
        Err(e) => panic!("the generated estate must be valid, but loading failed: {e}\n{json}"),
    }
}

/// The engine's answer for every node, by id.
fn engine(json: &str, domains: &[String]) -> BTreeMap<String, Answer> {
    let loaded = load(json);
    let graph = &loaded.graph;
    let parsed: Vec<blastmap::model::Domain> = domains
        .iter()
        .map(|t| {
            t.parse()
                .unwrap_or_else(|e| panic!("domain {t} must be well-formed: {e}"))
        })
        .collect();
    let scenario = match checked_scenario(graph, parsed) {
        Ok(s) => s,
        Err(errors) => {
            let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("scenario {domains:?} must be valid: {text:?}\n{json}")
        }
    };
    let analysis = analyze(graph, &scenario);
    (0..graph.len() as u32)
        .map(|ix| {
            let names = |v: Vec<u32>| -> Vec<String> {
                v.into_iter().map(|c| graph.id(c).to_owned()).collect()
            };
            let answer = Answer {
                status: analysis.status(ix),
                causes: names(analysis.causes(ix)),
                path: names(analysis.path(ix)),
            };
            (graph.id(ix).to_owned(), answer)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Random estates.
// ---------------------------------------------------------------------------

const REGIONS: [&str; 5] = ["r1", "r2", "r10", "R1", "global"];
const ACCOUNTS: [&str; 3] = ["a1", "a2", "111122223333"];
const SERVICES: [&str; 4] = ["rds", "ec2", "dynamodb", "sqs"];
const ZONES: [&str; 5] = ["z1", "z2", "z3", "z10", "Z1"];
const TAG_KEYS: [&str; 3] = ["team", "tier", "svc"];
const TAG_VALUES: [&str; 4] = ["x", "y", "a=b", "X"];

/// An ARN for node number `num`, with its derived fields.
fn make_arn(rng: &mut Rng, num: usize) -> (String, [Option<String>; 5]) {
    let region = *rng.pick(&["r1", "r2", "r10"]);
    let account = *rng.pick(&ACCOUNTS);
    let (arn, service, region, account, type_) = match rng.below(5) {
        0 => (
            format!("arn:aws:rds:{region}:{account}:db:n{num}"),
            "rds",
            Some(region),
            Some(account),
            "rds:db",
        ),
        1 => (
            format!("arn:aws:ec2:{region}:{account}:instance/i-{num}"),
            "ec2",
            Some(region),
            Some(account),
            "ec2:instance",
        ),
        2 => (format!("arn:aws:s3:::b{num}"), "s3", None, None, "s3"),
        3 => (
            format!("arn:aws:sqs:{region}:{account}:q{num}"),
            "sqs",
            Some(region),
            Some(account),
            "sqs",
        ),
        _ => (
            format!("arn:aws:iam::{account}:role/r{num}"),
            "iam",
            None,
            Some(account),
            "iam:role",
        ),
    };
    let fields = [
        Some("aws".to_owned()),
        Some(service.to_owned()),
        Some(type_.to_owned()),
        account.map(str::to_owned),
        Some(region.unwrap_or("global").to_owned()),
    ];
    (arn, fields)
}

fn make_id(rng: &mut Rng, num: usize) -> String {
    match rng.below(12) {
        0..=4 => format!("n{num}"),
        5 => format!("N{num}"),
        6 => format!("db-{num}"),
        7 => format!("svc-{num}"),
        8 => format!("Z{num}"),
        9 => format!("_{num}"),
        _ => format!("n{num}-x"),
    }
}

/// A value pattern for `value`: exact, or with `*` somewhere.
fn pattern(rng: &mut Rng, value: &str) -> String {
    let len = value.len();
    match rng.below(10) {
        0..=5 => value.to_owned(),
        6 => format!("{}*", &value[..rng.range(0, len.min(2))]),
        7 => format!("*{}", &value[len - rng.range(0, len.min(2))..]),
        8 if len >= 2 => format!("{}*{}", &value[..1], &value[len - 1..]),
        _ => "*".to_owned(),
    }
}

/// A selector that matches at least node `t`.
fn selector_for(rng: &mut Rng, nodes: &[Node], t: usize) -> Selector {
    let node = &nodes[t];
    let mut options: Vec<(&'static str, String)> = vec![
        ("kind", node.kind.as_str().to_owned()),
        ("id", pattern(rng, &node.id)),
    ];
    for (i, f) in FIELDS.iter().enumerate() {
        if let Some(v) = &node.fields[i] {
            options.push((f, pattern(rng, v)));
        }
    }
    if !node.zone_list().is_empty() {
        let z = rng.pick(node.zone_list()).clone();
        options.push(("zone", pattern(rng, &z)));
    }
    for (k, v) in &node.tags {
        options.push(("tags", format!("{k}\u{0}{}", pattern(rng, v))));
    }
    rng.shuffle(&mut options);
    let mut sel = Selector::default();
    for (key, value) in options.into_iter().take(rng.range(1, 2)) {
        push_condition(&mut sel, key, value);
    }
    sel
}

fn push_condition(sel: &mut Selector, key: &'static str, value: String) {
    if key == "tags" {
        let (k, v) = value.split_once('\u{0}').expect("tag pair");
        if !sel.tags.iter().any(|(k2, _)| k2 == k) {
            sel.tags.push((k.to_owned(), v.to_owned()));
        }
    } else if !sel.conds.iter().any(|(k2, _)| *k2 == key) {
        sel.conds.push((key, value));
    }
}

/// A selector that may well match nothing (for `allow_empty: true`).
fn loose_selector(rng: &mut Rng) -> Selector {
    let mut sel = Selector::default();
    for _ in 0..rng.range(1, 2) {
        let (key, value): (&'static str, String) = match rng.below(7) {
            0 => (
                "region",
                (*rng.pick(&["r1", "r2", "nowhere", "r*"])).to_owned(),
            ),
            1 => ("zone", (*rng.pick(&["z1", "z3", "z9", "z*"])).to_owned()),
            2 => (
                "tags",
                format!(
                    "{}\u{0}{}",
                    rng.pick(&TAG_KEYS),
                    rng.pick(&["x", "nobody", "a=*"])
                ),
            ),
            3 => ("id", (*rng.pick(&["n1*", "zzz*", "*-x", "N*"])).to_owned()),
            4 => ("kind", (*rng.pick(&["external", "function"])).to_owned()),
            5 => ("account", (*rng.pick(&["a1", "a9"])).to_owned()),
            _ => ("service", (*rng.pick(&["rds", "lambda"])).to_owned()),
        };
        push_condition(&mut sel, key, value);
    }
    sel
}

/// A node for an entry of `carrier` to reference: mostly "later" nodes (so
/// most estates are mostly layered), sometimes anything (cycles), rarely the
/// carrier itself.
fn pick_target(rng: &mut Rng, n: usize, carrier: usize, allow_self: bool) -> usize {
    if allow_self && rng.chance(2) {
        return carrier;
    }
    if carrier + 1 < n && rng.chance(80) {
        return rng.range(carrier + 1, n - 1);
    }
    loop {
        let t = rng.below(n);
        if t != carrier {
            return t;
        }
    }
}

fn make_entry(rng: &mut Rng, nodes: &[Node], carrier: usize) -> Entry {
    // Ordinary targets are the document's own nodes; built-ins come in
    // through `via` (make_via).
    let n = nodes.iter().filter(|x| !x.builtin).count();
    let shape = match rng.below(100) {
        0..=31 => Shape::Id,
        32..=42 => Shape::All,
        43..=60 => Shape::Any,
        61..=76 => Shape::Quorum(0),
        77..=88 => Shape::Failover,
        _ => Shape::Select,
    };
    let with_selectors = rng.chance(50);
    let allow_empty = rng.chance(20);
    let mut items = Vec::new();
    match shape {
        Shape::Id => items.push(Item::Id(pick_target(rng, n, carrier, true))),
        Shape::Select => items.push(Item::Select(random_selector(
            rng,
            nodes,
            n,
            carrier,
            allow_empty,
        ))),
        _ => {
            let count = match shape {
                Shape::Quorum(_) => rng.range(1, 4),
                Shape::Failover => {
                    // The primary is a single id (SPEC §6.1), the standbys
                    // anything.
                    items.push(Item::Id(pick_target(rng, n, carrier, true)));
                    rng.range(0, 2)
                }
                _ => rng.range(1, 3),
            };
            for _ in 0..count {
                items.push(random_item(
                    rng,
                    nodes,
                    n,
                    carrier,
                    with_selectors,
                    allow_empty,
                ));
            }
        }
    }
    let has_selector = items.iter().any(|i| matches!(i, Item::Select(_)));
    let allow_empty = allow_empty && has_selector;
    // Without allow_empty every selector must match something (SPEC §1.3).
    if !allow_empty {
        for item in &mut items {
            if let Item::Select(s) = item {
                if expand(nodes, s, carrier).is_empty() {
                    let t = pick_target(rng, n, carrier, false);
                    *s = selector_for(rng, nodes, t);
                }
            }
        }
    }
    let members = members_of(nodes, &items, carrier);
    let shape = match shape {
        Shape::Quorum(_) => {
            let m = members.len();
            if m == 0 {
                Shape::Quorum(rng.range(1, 2))
            } else if allow_empty && rng.chance(10) {
                Shape::Quorum(m + 1)
            } else {
                Shape::Quorum(rng.range(1, m))
            }
        }
        s => s,
    };
    let via = if shape == Shape::Failover {
        make_via(rng, nodes, carrier, &members)
    } else {
        Vec::new()
    };
    Entry {
        shape,
        items,
        allow_empty,
        members,
        via,
    }
}

/// A selector for an entry of `carrier`: one that may match nothing when
/// the entry allows it, else one that matches some target.
fn random_selector(
    rng: &mut Rng,
    nodes: &[Node],
    n: usize,
    carrier: usize,
    allow_empty: bool,
) -> Selector {
    if allow_empty && rng.chance(60) {
        loose_selector(rng)
    } else {
        let t = pick_target(rng, n, carrier, false);
        selector_for(rng, nodes, t)
    }
}

/// One item of a member list: a selector (when the entry uses them) or an
/// id.
fn random_item(
    rng: &mut Rng,
    nodes: &[Node],
    n: usize,
    carrier: usize,
    with_selectors: bool,
    allow_empty: bool,
) -> Item {
    if with_selectors && rng.chance(40) {
        Item::Select(random_selector(rng, nodes, n, carrier, allow_empty))
    } else {
        Item::Id(pick_target(rng, n, carrier, true))
    }
}

/// `via` ids of a failover entry: none to three, sometimes the primary or a
/// standby (named edge cases), sometimes a built-in node the estate has.
fn make_via(rng: &mut Rng, nodes: &[Node], carrier: usize, members: &[usize]) -> Vec<usize> {
    let users = nodes.iter().filter(|x| !x.builtin).count();
    let builtins: Vec<usize> = (users..nodes.len()).collect();
    let mut via = Vec::new();
    for _ in 0..rng.range(0, 3) {
        let v = match rng.below(10) {
            0 => members[0],
            1 => *rng.pick(members),
            2 | 3 if !builtins.is_empty() => *rng.pick(&builtins),
            _ => pick_target(rng, users, carrier, true),
        };
        if !via.contains(&v) {
            via.push(v);
        }
    }
    via
}

fn generate(rng: &mut Rng) -> Estate {
    let n = rng.range(3, 25);
    let mut nums: Vec<usize> = (0..40).collect();
    rng.shuffle(&mut nums);
    let functions = rng.range(1, 3.min(n - 1));
    let mut nodes = Vec::with_capacity(n);
    for (i, &num) in nums.iter().take(n).enumerate() {
        let kind = if i < functions {
            Kind::Function
        } else {
            *rng.pick(&[Kind::Service, Kind::Service, Kind::Resource, Kind::External])
        };
        let mut fields: [Option<String>; 5] = Default::default();
        let mut written = Vec::new();
        let id = if kind != Kind::Function && rng.chance(12) {
            let (arn, derived) = make_arn(rng, num);
            fields = derived;
            if rng.chance(25) {
                // A field given on the node wins over the derived one.
                let r = *rng.pick(&REGIONS);
                fields[4] = Some(r.to_owned());
                written.push(("region", r.to_owned()));
            }
            arn
        } else {
            let id = make_id(rng, num);
            if kind != Kind::Function && rng.chance(5) {
                let (arn, derived) = make_arn(rng, num + 100);
                fields = derived;
                written.push(("arn", arn));
            } else {
                let place = if kind == Kind::Function { 20 } else { 100 };
                if rng.chance(place * 45 / 100) {
                    let p = *rng.pick(&["aws", "aws", "gcp"]);
                    fields[0] = Some(p.to_owned());
                }
                if rng.chance(place / 2) {
                    let s = *rng.pick(&SERVICES);
                    fields[1] = Some(s.to_owned());
                    if rng.chance(30) {
                        fields[2] = Some(format!("{s}:thing"));
                    }
                }
                if rng.chance(place * 70 / 100) {
                    fields[4] = Some((*rng.pick(&REGIONS)).to_owned());
                }
                if rng.chance(place / 2) {
                    fields[3] = Some((*rng.pick(&ACCOUNTS)).to_owned());
                }
                for (f, v) in FIELDS.iter().zip(&fields) {
                    if let Some(v) = v {
                        written.push((*f, v.clone()));
                    }
                }
            }
            id
        };
        let (zones, min_zones) = match rng.below(100) {
            0..=39 => (Zones::Absent, None),
            40..=54 => (Zones::Star, None),
            55..=57 => (Zones::List(vec![]), None),
            _ => {
                let mut zs: Vec<String> = ZONES.iter().map(|z| (*z).to_owned()).collect();
                rng.shuffle(&mut zs);
                zs.truncate(rng.range(1, 3));
                let min = rng.chance(45).then(|| rng.range(1, zs.len()));
                (Zones::List(zs), min)
            }
        };
        let mut tags = BTreeMap::new();
        for k in TAG_KEYS {
            if rng.chance(30) {
                tags.insert(k.to_owned(), (*rng.pick(&TAG_VALUES)).to_owned());
            }
        }
        let criticality = (kind == Kind::Function && rng.chance(50))
            .then(|| *rng.pick(&["critical", "high", "medium", "low"]));
        let description = rng.chance(10).then(|| format!("node number {num}"));
        nodes.push(Node {
            id,
            kind,
            fields,
            written,
            zones,
            min_zones,
            tags,
            criticality,
            description,
            requires: vec![],
            optional: vec![],
            builtin: false,
        });
    }
    let packs = add_builtins(rng, &mut nodes);

    for i in 0..n {
        let requires = if i < functions {
            rng.range(1, 3)
        } else if i + 1 == n {
            usize::from(rng.chance(10))
        } else {
            *rng.pick(&[0, 0, 1, 1, 1, 2, 2, 3])
        };
        let optional = *rng.pick(&[0, 0, 0, 0, 1, 1, 2]);
        for _ in 0..requires {
            let e = make_entry(rng, &nodes, i);
            nodes[i].requires.push(e);
        }
        for _ in 0..optional {
            let e = make_entry(rng, &nodes, i);
            nodes[i].optional.push(e);
        }
    }

    // Each built-in pack is referenced at least once, through a failover.
    for &b in &packs {
        let owner = rng.range(functions.min(n - 1), n - 1);
        let primary = pick_target(rng, n, owner, false);
        let standby = pick_target(rng, n, owner, false);
        let members = if primary == standby {
            vec![primary]
        } else {
            vec![primary, standby]
        };
        nodes[owner].requires.push(Entry {
            shape: Shape::Failover,
            items: members.iter().map(|&m| Item::Id(m)).collect(),
            allow_empty: false,
            members,
            via: vec![b],
        });
    }

    // Two regional deployments that fall back on each other.
    let mut hot = Vec::new();
    if n >= functions + 4 && rng.chance(35) {
        let mut pool: Vec<usize> = (functions..n).collect();
        rng.shuffle(&mut pool);
        let (a, b, da, db) = (pool[0], pool[1], pool[2], pool[3]);
        let any = |x: usize, y: usize| Entry {
            shape: Shape::Any,
            items: vec![Item::Id(x), Item::Id(y)],
            allow_empty: false,
            members: vec![x, y],
            via: vec![],
        };
        nodes[a].requires.push(any(da, b));
        nodes[b].requires.push(any(db, a));
        let f = rng.below(functions);
        let top = if rng.chance(50) { a } else { b };
        nodes[f].requires.push(Entry {
            shape: Shape::Id,
            items: vec![Item::Id(top)],
            allow_empty: false,
            members: vec![top],
            via: vec![],
        });
        hot.extend([da, db]);
    }
    Estate { nodes, hot }
}

/// Appends, sometimes, the built-in Route 53 control plane and the ARC
/// cluster with its five regional endpoints (SPEC §6.2), as the reference
/// knows them from the SPEC's table; returns the nodes that estates must
/// reference for the loader to add them.
fn add_builtins(rng: &mut Rng, nodes: &mut Vec<Node>) -> Vec<usize> {
    let builtin = |id: &str, service: &str, region: Option<&str>| Node {
        id: id.to_owned(),
        kind: Kind::External,
        fields: [
            Some("aws".to_owned()),
            Some(service.to_owned()),
            None,
            None,
            region.map(str::to_owned),
        ],
        written: vec![],
        zones: Zones::Absent,
        min_zones: None,
        tags: BTreeMap::new(),
        criticality: None,
        description: None,
        requires: vec![],
        optional: vec![],
        builtin: true,
    };
    let mut packs = Vec::new();
    if rng.chance(30) {
        packs.push(nodes.len());
        nodes.push(builtin(
            "aws:route53-control-plane",
            "route53",
            Some("us-east-1"),
        ));
    }
    if rng.chance(30) {
        let cluster = nodes.len();
        packs.push(cluster);
        nodes.push(builtin(
            "aws:route53-arc-cluster",
            "route53-recovery-cluster",
            None,
        ));
        let regions = [
            "us-west-2",
            "us-east-1",
            "eu-west-1",
            "ap-southeast-2",
            "ap-northeast-1",
        ];
        let endpoints: Vec<usize> = (0..regions.len()).map(|k| cluster + 1 + k).collect();
        for r in regions {
            let id = format!("aws:route53-arc@{r}");
            nodes.push(builtin(&id, "route53-recovery-cluster", Some(r)));
        }
        nodes[cluster].requires.push(Entry {
            shape: Shape::Quorum(3),
            items: endpoints.iter().map(|&m| Item::Id(m)).collect(),
            allow_empty: false,
            members: endpoints,
            via: vec![],
        });
    }
    packs
}

// ---------------------------------------------------------------------------
// Writing an estate as a JSON document (SPEC §1).
// ---------------------------------------------------------------------------

fn selector_json(sel: &Selector) -> Value {
    let mut map = Map::new();
    for (k, v) in &sel.conds {
        map.insert((*k).to_owned(), Value::String(v.clone()));
    }
    if !sel.tags.is_empty() {
        let tags: Map<String, Value> = sel
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        map.insert("tags".to_owned(), Value::Object(tags));
    }
    Value::Object(map)
}

fn entry_json(nodes: &[Node], e: &Entry) -> Value {
    let items = || -> Value {
        Value::Array(
            e.items
                .iter()
                .map(|item| match item {
                    Item::Id(x) => Value::String(nodes[*x].id.clone()),
                    Item::Select(s) => json!({ "select": selector_json(s) }),
                })
                .collect(),
        )
    };
    let mut map = Map::new();
    match e.shape {
        Shape::Id => match &e.items[0] {
            Item::Id(x) => return Value::String(nodes[*x].id.clone()),
            Item::Select(_) => unreachable!("an id entry holds an id"),
        },
        Shape::Select => match &e.items[0] {
            Item::Select(s) => {
                map.insert("select".to_owned(), selector_json(s));
            }
            Item::Id(_) => unreachable!("a select entry holds a selector"),
        },
        Shape::All => {
            map.insert("all".to_owned(), items());
        }
        Shape::Any => {
            map.insert("any".to_owned(), items());
        }
        Shape::Quorum(k) => {
            map.insert("quorum".to_owned(), json!(k));
            map.insert("of".to_owned(), items());
        }
        Shape::Failover => {
            map.insert("failover".to_owned(), items());
            if !e.via.is_empty() {
                let via: Vec<&str> = e.via.iter().map(|&v| nodes[v].id.as_str()).collect();
                map.insert("via".to_owned(), json!(via));
            }
        }
    }
    if e.allow_empty {
        map.insert("allow_empty".to_owned(), Value::Bool(true));
    }
    Value::Object(map)
}

fn to_json(nodes: &[Node]) -> String {
    let mut doc = Map::new();
    doc.insert("version".to_owned(), json!(1));
    for node in nodes.iter().filter(|x| !x.builtin) {
        let mut obj = Map::new();
        if let Some(d) = &node.description {
            obj.insert("description".to_owned(), json!(d));
        }
        if let Some(c) = node.criticality {
            obj.insert("criticality".to_owned(), json!(c));
        }
        for (k, v) in &node.written {
            obj.insert((*k).to_owned(), json!(v));
        }
        match &node.zones {
            Zones::Absent => {}
            Zones::Star => {
                obj.insert("zones".to_owned(), json!("*"));
            }
            Zones::List(z) => {
                obj.insert("zones".to_owned(), json!(z));
            }
        }
        if let Some(m) = node.min_zones {
            obj.insert("min_zones".to_owned(), json!(m));
        }
        if !node.tags.is_empty() {
            obj.insert("tags".to_owned(), json!(node.tags));
        }
        if !node.requires.is_empty() {
            let entries: Vec<Value> = node.requires.iter().map(|e| entry_json(nodes, e)).collect();
            obj.insert("requires".to_owned(), Value::Array(entries));
        }
        if !node.optional.is_empty() {
            let entries: Vec<Value> = node.optional.iter().map(|e| entry_json(nodes, e)).collect();
            obj.insert("optional".to_owned(), Value::Array(entries));
        }
        let section = doc
            .entry(node.kind.section())
            .or_insert_with(|| Value::Object(Map::new()));
        section
            .as_object_mut()
            .expect("a section is a map")
            .insert(node.id.clone(), Value::Object(obj));
    }
    serde_json::to_string_pretty(&Value::Object(doc)).expect("serializable")
}

// ---------------------------------------------------------------------------
// Random scenarios: only values the estate has (SPEC §2).
// ---------------------------------------------------------------------------

fn random_scenario(rng: &mut Rng, est: &Estate) -> Vec<Domain> {
    let nodes = &est.nodes;
    let mut values: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut cloud_at = BTreeSet::new();
    let mut zones = BTreeSet::new();
    let mut tags = BTreeSet::new();
    for node in nodes {
        for (i, f) in FIELDS.iter().enumerate() {
            if *f == "type" {
                continue;
            }
            if let Some(v) = &node.fields[i] {
                values.entry(f).or_default().insert(v.clone());
            }
        }
        if let (Some(s), Some(r)) = (node.field("service"), node.field("region")) {
            cloud_at.insert((s.to_owned(), r.to_owned()));
        }
        zones.extend(node.zone_list().iter().cloned());
        tags.extend(node.tags.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let pick_set = |rng: &mut Rng, set: &BTreeSet<String>| -> String {
        set.iter()
            .nth(rng.below(set.len()))
            .expect("non-empty")
            .clone()
    };
    let count = *rng.pick(&[0, 1, 1, 1, 1, 2, 2, 2, 3]);
    let mut out = Vec::new();
    while out.len() < count {
        let d = match rng.below(12) {
            0..=1 if values.contains_key("region") => {
                Domain::Field("region", pick_set(rng, &values["region"]))
            }
            2..=3 if !zones.is_empty() => Domain::Zone(pick_set(rng, &zones)),
            4 if values.contains_key("account") => {
                Domain::Field("account", pick_set(rng, &values["account"]))
            }
            5 if values.contains_key("provider") => {
                Domain::Field("provider", pick_set(rng, &values["provider"]))
            }
            6 if values.contains_key("service") => {
                Domain::Field("service", pick_set(rng, &values["service"]))
            }
            7 if !cloud_at.is_empty() => {
                let (s, r) = cloud_at
                    .iter()
                    .nth(rng.below(cloud_at.len()))
                    .expect("pair");
                Domain::CloudServiceAt(s.clone(), r.clone())
            }
            8 if !tags.is_empty() => {
                let (k, v) = tags.iter().nth(rng.below(tags.len())).expect("tag");
                Domain::Tag(k.clone(), v.clone())
            }
            9 if !est.hot.is_empty() => Domain::Node(*rng.pick(&est.hot)),
            _ => Domain::Node(rng.below(nodes.len())),
        };
        out.push(d);
    }
    // Sometimes fail both databases of a fallback pair at once.
    if est.hot.len() == 2 && rng.chance(25) {
        out = vec![Domain::Node(est.hot[0]), Domain::Node(est.hot[1])];
    }
    out
}

// ---------------------------------------------------------------------------
// The property.
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Stats {
    estates: usize,
    nodes: usize,
    down_baseline: usize,
    scenarios: usize,
    up: usize,
    degraded: usize,
    down: usize,
    down_not_direct: usize,
    multi_cause: usize,
    long_path: usize,
    fallback_pair_down: usize,
}

fn show(a: &Answer) -> String {
    match a.status {
        Status::Down => format!("down causes={:?} path={:?}", a.causes, a.path),
        s => format!("{s:?}").to_lowercase(),
    }
}

fn check_case(case_seed: u64, stats: &mut Stats) {
    let mut rng = Rng::new(case_seed);
    let est = generate(&mut rng);
    let json = to_json(&est.nodes);
    let loaded = load(&json);
    assert_eq!(
        loaded.graph.len(),
        est.nodes.len(),
        "node count differs (seed {case_seed:#x})\n{json}"
    );
    drop(loaded);
    stats.estates += 1;
    stats.nodes += est.nodes.len();
    let baseline = reference(&est.nodes, &[]);
    stats.down_baseline += baseline.iter().filter(|a| a.status == Status::Down).count();
    for _ in 0..4 {
        let scenario = random_scenario(&mut rng, &est);
        let domains: Vec<String> = scenario.iter().map(|d| d.text(&est.nodes)).collect();
        let expected = reference(&est.nodes, &scenario);
        let got = engine(&json, &domains);
        stats.scenarios += 1;
        let mut report = String::new();
        let mut bad = 0;
        for (i, node) in est.nodes.iter().enumerate() {
            let want = &expected[i];
            let have = got
                .get(&node.id)
                .unwrap_or_else(|| panic!("engine lost node {}\n{json}", node.id));
            match want.status {
                Status::Up => stats.up += 1,
                Status::Degraded => stats.degraded += 1,
                Status::Down => {
                    stats.down += 1;
                    if want.path.len() > 1 {
                        stats.down_not_direct += 1;
                    }
                    if want.path.len() > 2 {
                        stats.long_path += 1;
                    }
                    if want.causes.len() > 1 {
                        stats.multi_cause += 1;
                    }
                }
            }
            let ok = want == have;
            if !ok {
                bad += 1;
            }
            let _ = writeln!(
                report,
                "{} {:<40} reference: {}\n{:43} engine:    {}",
                if ok { " " } else { "!" },
                node.id,
                show(want),
                "",
                show(have)
            );
        }
        if est.hot.len() == 2 {
            let down = |x: usize| expected[x].status == Status::Down;
            if est.hot.iter().all(|&d| down(d))
                && est.nodes.iter().enumerate().any(|(i, nd)| {
                    down(i)
                        && nd
                            .requires
                            .iter()
                            .any(|e| e.shape == Shape::Any && e.members.contains(&est.hot[0]))
                })
            {
                stats.fallback_pair_down += 1;
            }
        }
        assert!(
            bad == 0,
            "engine and reference disagree on {bad} node(s) \
             (case seed {case_seed:#x}; rerun with BLASTMAP_REF_CASE_SEED={case_seed:#x})\n\
             scenario: {domains:?}\n\
             estate:\n{json}\n\
             answers (! marks a mismatch):\n{report}"
        );
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

#[test]
fn engine_matches_naive_reference_on_random_estates() {
    let mut stats = Stats::default();
    if let Some(seed) = env_u64("BLASTMAP_REF_CASE_SEED") {
        check_case(seed, &mut stats);
        return;
    }
    let cases = env_u64("BLASTMAP_REF_CASES").unwrap_or(2000);
    let base = env_u64("BLASTMAP_REF_SEED").unwrap_or(0x00b1_a57a_a9ee_2026);
    for i in 0..cases {
        check_case(mix(base, i), &mut stats);
    }
    eprintln!(
        "engine_reference: {} estates, {} scenarios; node statuses: {} up, {} degraded, \
         {} down ({} not directly, {} with several causes, {} with paths longer than 2); \
         fallback pairs down together: {}; {} of {} nodes down with nothing failed",
        stats.estates,
        stats.scenarios,
        stats.up,
        stats.degraded,
        stats.down,
        stats.down_not_direct,
        stats.multi_cause,
        stats.long_path,
        stats.fallback_pair_down,
        stats.down_baseline,
        stats.nodes
    );
    assert!(stats.estates >= 1000.min(cases as usize));
    if cases >= 1000 {
        // The generator must keep exercising every outcome.
        assert!(stats.degraded > 100 && stats.down_not_direct > 100 && stats.multi_cause > 20);
        assert!(stats.long_path > 20 && stats.fallback_pair_down > 5);
    }
}

// ---------------------------------------------------------------------------
// Named cases.
// ---------------------------------------------------------------------------

fn statuses(json: &str, domains: &[&str]) -> BTreeMap<String, Answer> {
    let domains: Vec<String> = domains.iter().map(|d| (*d).to_owned()).collect();
    engine(json, &domains)
}

fn assert_statuses(json: &str, domains: &[&str], expected: &[(&str, Status)]) {
    let got = statuses(json, domains);
    for (id, want) in expected {
        let have = got.get(*id).unwrap_or_else(|| panic!("no node {id}"));
        assert_eq!(
            have.status,
            *want,
            "{id} under {domains:?}: expected {want:?}, got {}\n{json}",
            show(have)
        );
    }
}

const FALLBACK_PAIR: &str = r#"{
  "version": 1,
  "functions": {"f": {"requires": ["a"]}},
  "services": {
    "a": {"region": "r1", "requires": [{"any": ["db-a", "b"]}]},
    "b": {"region": "r2", "requires": [{"any": ["db-b", "a"]}]}
  },
  "resources": {
    "db-a": {"region": "r1"},
    "db-b": {"region": "r2"},
    "other": {"region": "r3"}
  }
}"#;

#[test]
fn fallback_pair_both_down_when_both_dbs_fail() {
    assert_statuses(
        FALLBACK_PAIR,
        &["node:db-a", "node:db-b"],
        &[
            ("a", Down),
            ("b", Down),
            ("f", Down),
            ("db-a", Down),
            ("db-b", Down),
        ],
    );
    let got = statuses(FALLBACK_PAIR, &["node:db-a", "node:db-b"]);
    assert_eq!(got["f"].causes, ["db-a", "db-b"]);
    assert_eq!(got["f"].path, ["f", "a", "db-a"]);
    assert_eq!(got["b"].path, ["b", "db-b"]);
    // Losing one database leaves both deployments up, degraded.
    assert_statuses(
        FALLBACK_PAIR,
        &["node:db-a"],
        &[("a", Degraded), ("b", Degraded), ("f", Degraded)],
    );
    assert_statuses(
        FALLBACK_PAIR,
        &["node:other"],
        &[("a", Up), ("b", Up), ("f", Up), ("db-a", Up)],
    );
}

#[test]
fn pure_cycle_without_failure_stays_up() {
    let json = r#"{
      "version": 1,
      "functions": {"f": {"requires": ["a"]}},
      "services": {"a": {"requires": ["b"]}, "b": {"requires": ["a"]}},
      "externals": {"x": {}}
    }"#;
    assert_statuses(json, &["node:x"], &[("a", Up), ("b", Up), ("f", Up)]);
    assert_statuses(json, &["node:b"], &[("a", Down), ("b", Down), ("f", Down)]);
    assert_eq!(statuses(json, &["node:b"])["f"].path, ["f", "a", "b"]);
}

#[test]
fn quorum_losing_fewer_than_enough_members_is_degraded_not_down() {
    let json = r#"{
      "version": 1,
      "functions": {"f": {"requires": [{"quorum": 2, "of": ["m1", "m2", "m3"]}]}},
      "resources": {"m1": {}, "m2": {}, "m3": {}}
    }"#;
    // K = 2 of 3: losing K - 1 = 1 member leaves 2, enough.
    assert_statuses(json, &["node:m1"], &[("f", Degraded), ("m1", Down)]);
    assert_statuses(json, &["node:m1", "node:m3"], &[("f", Down)]);
    let json = r#"{
      "version": 1,
      "functions": {"f": {"requires": [{"quorum": 3, "of": [{"select": {"tags": {"cell": "*"}}}]}]}},
      "resources": {
        "c1": {"tags": {"cell": "1"}}, "c2": {"tags": {"cell": "2"}},
        "c3": {"tags": {"cell": "3"}}, "c4": {"tags": {"cell": "4"}},
        "c5": {"tags": {"cell": "5"}}
      }
    }"#;
    assert_statuses(json, &["node:c1", "node:c5"], &[("f", Degraded)]);
    assert_statuses(json, &["node:c1", "node:c2", "node:c5"], &[("f", Down)]);
}

#[test]
fn zone_rule_with_min_zones() {
    let json = r#"{
      "version": 1,
      "functions": {"f": {"requires": ["db"]}, "g": {"requires": ["single"]}, "h": {"requires": ["table"]}},
      "resources": {
        "db": {"region": "r1", "zones": ["z1", "z2", "z3"], "min_zones": 2},
        "single": {"region": "r1", "zones": ["z1"]},
        "table": {"region": "r1", "zones": "*"}
      }
    }"#;
    assert_statuses(
        json,
        &["zone:z1"],
        &[
            ("db", Degraded),
            ("f", Degraded),
            ("single", Down),
            ("g", Down),
            ("table", Up),
            ("h", Up),
        ],
    );
    assert_statuses(
        json,
        &["zone:z2"],
        &[("db", Degraded), ("single", Up), ("g", Up)],
    );
    assert_statuses(
        json,
        &["zone:z1", "zone:z3"],
        &[("db", Down), ("f", Down), ("table", Up)],
    );
    let got = statuses(json, &["zone:z1", "zone:z3"]);
    assert_eq!(got["f"].causes, ["db"]);
    assert_eq!(got["f"].path, ["f", "db"]);
}

#[test]
fn optional_down_means_degraded() {
    let json = r#"{
      "version": 1,
      "functions": {"f": {"requires": ["web"], "optional": ["rec"]}, "g": {"requires": ["rec"]}},
      "services": {"web": {}, "rec": {}}
    }"#;
    assert_statuses(
        json,
        &["node:rec"],
        &[("f", Degraded), ("g", Down), ("web", Up), ("rec", Down)],
    );
}

#[test]
fn degradation_propagates_through_members_whatever_its_reason() {
    let json = r#"{
      "version": 1,
      "functions": {
        "f": {"requires": ["svc"]},
        "g": {"requires": [{"all": ["db", "web"]}]},
        "h": {"optional": ["f"]}
      },
      "services": {"svc": {"requires": [{"any": ["x", "y"]}]}, "web": {}},
      "resources": {"x": {}, "y": {}, "db": {"zones": ["z1", "z2"]}}
    }"#;
    // Lost redundancy (c) in svc, then (d) in f; an optional member that is
    // degraded but not down does not degrade its owner.
    assert_statuses(
        json,
        &["node:x"],
        &[
            ("x", Down),
            ("svc", Degraded),
            ("f", Degraded),
            ("h", Up),
            ("g", Up),
        ],
    );
    // Zone degradation propagates through (d) too.
    assert_statuses(
        json,
        &["zone:z1"],
        &[("db", Degraded), ("g", Degraded), ("web", Up), ("f", Up)],
    );
}

#[test]
fn allow_empty_entries() {
    let json = r#"{
      "version": 1,
      "functions": {
        "f": {"requires": [{"select": {"region": "nowhere"}, "allow_empty": true}, "web"]},
        "g": {"requires": [{"any": [{"select": {"region": "nowhere"}}], "allow_empty": true}]}
      },
      "services": {"web": {"region": "r1"}},
      "externals": {"other": {"region": "r2"}}
    }"#;
    // An empty `all` is satisfied; an empty `any` never is.
    assert_statuses(json, &["node:other"], &[("f", Up), ("g", Down)]);
    assert_statuses(json, &["region:r1"], &[("f", Down), ("g", Down)]);
    let got = statuses(json, &["region:r1"]);
    assert_eq!(got["f"].causes, ["web"]);
    assert_eq!(got["f"].path, ["f", "web"]);
}

// ---------------------------------------------------------------------------
// The incremental engine (sweep, spof) against full evaluation.
// ---------------------------------------------------------------------------

/// Every single-domain scenario of every kind: the incremental evaluation
/// from the baseline gives every node the status a full `analyze` gives;
/// `sweep` columns are `analyze`'s non-up functions; `spof` is the brute
/// force (one `analyze` per node).
fn check_incremental_case(case_seed: u64) {
    use blastmap::engine::analyze;
    use blastmap::engine::incremental::Baseline;
    use blastmap::engine::sweep::{scenarios_of, sweep, DomainIndex};
    use blastmap::model::{DomainKind, Scenario};

    let mut rng = Rng::new(case_seed);
    let est = generate(&mut rng);
    let json = to_json(&est.nodes);
    let loaded = load(&json);
    let graph = &loaded.graph;
    let baseline = Baseline::new(graph);
    let index = DomainIndex::new(graph);
    let mut scratch = baseline.scratch();
    let domains = scenarios_of(graph, &DomainKind::ALL);
    let columns = sweep(&baseline, &domains, None, &|_| {});
    assert_eq!(columns.len(), domains.len());
    for (d, column) in domains.iter().zip(&columns) {
        let scenario = Scenario::from_domains(vec![d.clone()]);
        let full = analyze(graph, &scenario);
        let (down, degraded) = index.direct(graph, d);
        let changes = baseline.evaluate(&mut scratch, &down, &degraded, false);
        let mut incremental: Vec<Status> = graph.nodes().map(|n| baseline.status(n)).collect();
        for (n, s) in &changes {
            incremental[*n as usize] = *s;
        }
        for n in graph.nodes() {
            assert_eq!(
                incremental[n as usize],
                full.status(n),
                "node {} under {d} (case seed {case_seed:#x})\n{json}",
                graph.id(n)
            );
        }
        // The one-pass full evaluation (what large scenarios take), every
        // status and the down-only form.
        let mut one_pass: Vec<Status> = graph.nodes().map(|n| baseline.status(n)).collect();
        for (n, s) in baseline.evaluate_full(&down, &degraded) {
            one_pass[n as usize] = s;
        }
        let statuses: Vec<Status> = graph.nodes().map(|n| full.status(n)).collect();
        assert_eq!(
            one_pass, statuses,
            "one pass under {d} (case seed {case_seed:#x})\n{json}"
        );
        let newly_down: Vec<(u32, Status)> = graph
            .nodes()
            .filter(|&n| full.status(n) == Status::Down && baseline.status(n) != Status::Down)
            .map(|n| (n, Status::Down))
            .collect();
        let mut down_only = baseline.evaluate_auto(&mut scratch, &down, &degraded, true);
        down_only.sort_unstable();
        assert_eq!(
            down_only, newly_down,
            "down only under {d} (case seed {case_seed:#x})\n{json}"
        );
        let expected: Vec<(u32, Status)> = graph
            .functions()
            .iter()
            .map(|&f| (f, full.status(f)))
            .filter(|(_, s)| *s != Status::Up)
            .collect();
        assert_eq!(
            column.functions, expected,
            "sweep column {d} (case seed {case_seed:#x})\n{json}"
        );
    }
    let functions = graph.functions().to_vec();
    let spofs = blastmap::engine::spof::spof(&baseline, &functions, &|_| {});
    for item in &spofs {
        let f = item.function;
        let nothing = analyze(graph, &Scenario::from_domains(vec![]));
        let expected: Vec<u32> = if nothing.status(f) == Status::Down {
            Vec::new()
        } else {
            graph
                .nodes()
                .filter(|&x| x != f)
                .filter(|&x| {
                    let d = blastmap::model::Domain::Node(graph.id(x).to_owned());
                    analyze(graph, &Scenario::from_domains(vec![d])).status(f) == Status::Down
                })
                .collect()
        };
        assert_eq!(
            item.spofs,
            expected,
            "spof of {} (case seed {case_seed:#x})\n{json}",
            graph.id(f)
        );
    }
}

#[test]
fn sweep_and_spof_match_full_evaluation_on_random_estates() {
    if let Some(seed) = env_u64("BLASTMAP_REF_CASE_SEED") {
        check_incremental_case(seed);
        return;
    }
    let cases = env_u64("BLASTMAP_REF_CASES").unwrap_or(1000);
    let base = env_u64("BLASTMAP_REF_SEED").unwrap_or(0x5eed_5eed_2026);
    for i in 0..cases {
        check_incremental_case(mix(base, i));
    }
}

/// `check` with one rule per domain kind, all functions: its violations are
/// exactly the (kind, function, domain) where `sweep` (or `spof`, for
/// nodes) says the function is down, and each carries the causes and path
/// a full `analyze` of that domain gives.
fn check_check_case(case_seed: u64) {
    use blastmap::engine::analyze;
    use blastmap::engine::check::violations;
    use blastmap::engine::incremental::Baseline;
    use blastmap::engine::sweep::{scenarios_of, sweep};
    use blastmap::model::{Domain, DomainKind, Scenario};
    use blastmap::model::{FunctionSelector, Rule};

    let mut rng = Rng::new(case_seed);
    let est = generate(&mut rng);
    let json = to_json(&est.nodes);
    let loaded = load(&json);
    let graph = &loaded.graph;
    let baseline = Baseline::new(graph);
    let rules: Vec<Rule> = DomainKind::ALL
        .iter()
        .map(|k| Rule {
            name: k.as_str().to_owned(),
            functions: FunctionSelector::All,
            must_survive: vec![*k],
            must_survive_pairs: Vec::new(),
            node_kinds: None,
        })
        .collect();
    let got = violations(&baseline, &rules, &|_| {});
    let mut expected = Vec::new();
    for (r, kind) in DomainKind::ALL.iter().enumerate() {
        let domains = scenarios_of(graph, &[*kind]);
        let columns = sweep(&baseline, &domains, None, &|_| {});
        let mut found: Vec<(u32, usize, Domain)> = Vec::new();
        for (d, column) in columns.iter().enumerate() {
            for &(f, s) in &column.functions {
                let own = column.domain == Domain::Node(graph.id(f).to_owned());
                if s == Status::Down && !own {
                    found.push((f, d, column.domain.clone()));
                }
            }
        }
        found.sort_by_key(|x| (x.0, x.1));
        for (f, _, domain) in found {
            let full = analyze(graph, &Scenario::from_domains(vec![domain.clone()]));
            expected.push((r, f, domain, full.causes(f), full.path(f)));
        }
    }
    let got: Vec<_> = got
        .into_iter()
        .map(|v| (v.rule, v.function, v.domain, v.causes, v.path))
        .collect();
    assert_eq!(
        got, expected,
        "check violations (case seed {case_seed:#x})\n{json}"
    );
    check_node_kinds_case(case_seed, &baseline, &json);
}

/// `check` with `node_kinds = [K]` (one rule per node kind, `node` only):
/// its violations are exactly `spof`'s results filtered to nodes of kind K
/// (and, for a function down with nothing failed, every other node of
/// kind K, as `spof` lists nothing for it).
fn check_node_kinds_case(
    case_seed: u64,
    baseline: &blastmap::engine::incremental::Baseline,
    json: &str,
) {
    use blastmap::engine::check::violations;
    use blastmap::engine::spof::spof;
    use blastmap::model::{Domain, DomainKind, FunctionSelector, NodeKind, Rule};

    let graph = baseline.graph();
    let rules: Vec<Rule> = NodeKind::ALL
        .iter()
        .map(|k| Rule {
            name: k.as_str().to_owned(),
            functions: FunctionSelector::All,
            must_survive: vec![DomainKind::Node],
            must_survive_pairs: Vec::new(),
            node_kinds: Some(vec![*k]),
        })
        .collect();
    let got: Vec<(usize, u32, Domain)> = violations(baseline, &rules, &|_| {})
        .into_iter()
        .map(|v| (v.rule, v.function, v.domain))
        .collect();
    let functions = graph.functions().to_vec();
    let spofs = spof(baseline, &functions, &|_| {});
    let mut expected = Vec::new();
    for (r, kind) in NodeKind::ALL.iter().enumerate() {
        for item in &spofs {
            let f = item.function;
            let nodes: Vec<u32> = if baseline.down_with_nothing_failed().contains(&f) {
                graph.nodes().filter(|&x| x != f).collect()
            } else {
                item.spofs.clone()
            };
            for x in nodes.into_iter().filter(|&x| graph.kind(x) == *kind) {
                expected.push((r, f, Domain::Node(graph.id(x).to_owned())));
            }
        }
    }
    expected.sort_by_cached_key(|(r, f, d)| (*r, *f, d.to_string()));
    assert_eq!(
        got, expected,
        "check with node_kinds vs spof (case seed {case_seed:#x})\n{json}"
    );
}

#[test]
fn check_violations_match_sweep_and_analyze_on_random_estates() {
    if let Some(seed) = env_u64("BLASTMAP_REF_CASE_SEED") {
        check_check_case(seed);
        return;
    }
    let cases = env_u64("BLASTMAP_REF_CASES").unwrap_or(1000);
    let base = env_u64("BLASTMAP_REF_SEED").unwrap_or(0xc4ec_c4ec_2026);
    for i in 0..cases {
        check_check_case(mix(base, i));
    }
}

/// A random valid estate of this generator, as JSON, for other
/// differential tests (availability enumerates its states).
pub(crate) fn random_estate_json(seed: u64) -> String {
    let mut rng = Rng::new(seed);
    to_json(&generate(&mut rng).nodes)
}
