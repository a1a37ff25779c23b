//! Exact availability of every business function (SPEC §7).
//!
//! # The method
//! The **basic events** are the rated domains (regions, zones, accounts,
//! `S@R` cloud services with an availability below 1) and the nodes whose
//! own `availability` is below 1. Each event is one variable of a binary
//! decision diagram ([`super::bdd`]); a function's status in every state
//! at once is a diagram over those variables, and its probability under
//! independent failures is one memoised pass.
//!
//! The diagrams are not a second copy of SPEC §3: they are SPEC §3 run
//! symbolically. Each node gets three diagrams, computed in the order of
//! the strongly connected components of its requirements (members first):
//! - **supported** (§3.1): not directly down, and every grounded `requires`
//!   entry satisfied by supported members; a least fixed point, so a
//!   component with a cycle iterates from "nothing supported" until the
//!   diagrams stop changing (canonical diagrams: equal handles);
//! - **down** (§3.1): not supported, or a `requires` entry unsatisfied by
//!   the members not down; iterated upwards from "not supported";
//! - **degraded** (§3.2): not down, and zone-degraded, or an entry for which
//!   [`entry::degrades_owner`] holds, or a `requires` member degraded.
//!
//! An entry's diagram is built by [`Manager::counting`] from the engine's
//! own counting rules ([`entry::satisfied`], [`entry::degrades_owner`],
//! [`entry::zone_effect`]): the rule is asked for every count of members
//! alive that a branch of the diagram can reach. A new entry kind or a
//! changed rule in `engine/entry.rs` changes availability with it.
//!
//! # Cost
//! Every node is evaluated once per function set (the diagrams are shared
//! between functions through one node table); a node with e entries of m
//! members costs O(e · m · k) diagram operations for a `k of m` entry, and
//! each operation is bounded by the product of its operands' sizes. On
//! estates whose functions depend on a few regions and zones the diagrams
//! stay at tens of nodes and the whole computation is linear in the
//! closure. The diagram table is capped ([`DEFAULT_BUDGET`] nodes); past it
//! the table is cleared and the function retried alone, and a function
//! whose own diagrams exceed the cap reports `exact: false` with bounds:
//! the probability that no event of its closure fails (below), and one
//! minus the probability that an event that alone takes it down fails
//! (above).

use rustc_hash::FxHashMap;

use super::bdd::{self, Bdd, Manager, OverBudget, FALSE};
use super::entry::{self, ZoneEffect};
use super::incremental::strongly_connected;
use super::scenario::DirectFailure;
use super::status::{self, Grounding};
use super::sweep::scenarios_of;
use crate::graph::{Attr, Graph, NodeIx, Sym, NO_SYM};
use crate::model::rates::{Rates, RATED_KINDS};
use crate::model::{Domain, DomainKind, Status};

/// Minutes in a year of 365.25 days (SPEC §7.2).
pub const MINUTES_PER_YEAR: f64 = 525_960.0;

/// Diagram nodes one computation may hold before a function is reported
/// with bounds instead of an exact figure: about 200 MB of tables.
pub const DEFAULT_BUDGET: usize = 4_000_000;

/// A basic event: a domain (or a node) that fails by itself, independently.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The domain it stands for (`region:us-east-1`, `node:db`).
    pub domain: Domain,
    /// Its probability of having failed: 1 − its availability.
    pub q: f64,
}

/// One function's figures (SPEC §7.2).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionAvailability {
    pub function: NodeIx,
    /// P(the function is not down).
    pub availability: f64,
    /// P(the function is down), computed directly (not 1 − availability).
    pub unavailability: f64,
    /// P(the function is up: neither down nor degraded).
    pub up: f64,
    /// Whether the figures are exact; if not, `bounds` holds.
    pub exact: bool,
    /// Bounds on `availability` when the computation exceeded its budget.
    pub bounds: Option<(f64, f64)>,
    /// The events whose never failing would remove the most downtime:
    /// (index into [`Availability::events`], improvement), descending.
    pub contributors: Vec<(usize, f64)>,
}

/// Every requested function's figures, and the events they were computed
/// over.
#[derive(Debug, Clone)]
pub struct Availability {
    pub events: Vec<Event>,
    pub functions: Vec<FunctionAvailability>,
    /// The largest diagram table the computation held.
    pub largest_diagram: usize,
}

/// Computes SPEC §7 for `functions` (sorted node indices), with the `top`
/// contributors of each, holding at most `budget` diagram nodes at once.
pub fn availability(
    graph: &Graph,
    rates: &Rates,
    functions: &[NodeIx],
    top: usize,
    budget: usize,
) -> Availability {
    let events = basic_events(graph, rates);
    let mut solver = Solver::new(graph, &events, budget);
    let mut out = Vec::with_capacity(functions.len());
    for &f in functions {
        out.push(solver.function(f, top));
    }
    Availability {
        largest_diagram: solver.largest.max(solver.manager.len()),
        events,
        functions: out,
    }
}

/// The basic events of SPEC §7.2, in the diagrams' variable order: each
/// region followed by its cloud services and its zones (the variables a
/// deployment's diagram tests together), then the accounts, then the
/// nodes with their own availability. Regions first keeps "any of two
/// regions, each over its zones" linear in the number of zones.
pub fn basic_events(graph: &Graph, rates: &Rates) -> Vec<Event> {
    let mut rated: Vec<(DomainKind, Domain, f64)> = Vec::new();
    for kind in RATED_KINDS {
        for d in scenarios_of(graph, &[kind]) {
            let a = rates.of(kind, &domain_value(&d));
            if a < 1.0 {
                rated.push((kind, d, 1.0 - a));
            }
        }
    }
    let zone_region = zone_regions(graph);
    let region_of = |d: &Domain| -> Option<String> {
        match d {
            Domain::Region(r) => Some(r.clone()),
            Domain::CloudService { region, .. } => region.clone(),
            Domain::Zone(z) => zone_region.get(z.as_str()).cloned(),
            _ => None,
        }
    };
    let group = |kind: DomainKind| match kind {
        DomainKind::Region => 0,
        DomainKind::CloudService => 1,
        DomainKind::Zone => 2,
        _ => 3,
    };
    rated.sort_by(|(ka, da, _), (kb, db, _)| {
        let (ra, rb) = (region_of(da), region_of(db));
        (ra.is_none(), ra, group(*ka), da.to_string()).cmp(&(
            rb.is_none(),
            rb,
            group(*kb),
            db.to_string(),
        ))
    });
    let mut events: Vec<Event> = rated
        .into_iter()
        .map(|(_, domain, q)| Event { domain, q })
        .collect();
    let mut nodes: Vec<(NodeIx, f64)> = graph.unreliable_nodes().to_vec();
    let rank = depth_first_rank(graph);
    nodes.sort_by_key(|&(n, _)| (rank[n as usize], n));
    events.extend(nodes.into_iter().map(|(n, a)| Event {
        domain: Domain::Node(graph.id(n).to_owned()),
        q: 1.0 - a,
    }));
    events
}

/// Each node's rank in a depth-first walk from the functions along
/// requirements, members in entry order: the classic variable order of
/// fault-tree tools, which keeps the events of one subtree next to each
/// other (ordered by id instead, a generated 300-event tree's diagram was
/// 2.6 times larger and a 500-event one's outgrew the budget). Nodes no
/// function reaches come last. Iterative.
fn depth_first_rank(graph: &Graph) -> Vec<u32> {
    let mut rank = vec![u32::MAX; graph.len()];
    let mut next = 0u32;
    let mut stack: Vec<NodeIx> = Vec::new();
    for &f in graph.functions() {
        stack.push(f);
        while let Some(x) = stack.pop() {
            if rank[x as usize] != u32::MAX {
                continue;
            }
            rank[x as usize] = next;
            next += 1;
            let mut children: Vec<NodeIx> = Vec::new();
            for e in graph.requires(x).chain(graph.optional(x)) {
                children.extend_from_slice(graph.members(e));
            }
            // Pushed in reverse so the first member is visited first.
            stack.extend(children.into_iter().rev());
        }
    }
    rank
}

/// The value of a domain as a rates file writes it (`dynamodb@us-east-1`).
fn domain_value(d: &Domain) -> String {
    let text = d.to_string();
    match text.split_once(':') {
        Some((_, v)) => v.to_owned(),
        None => text,
    }
}

/// The region each zone is used in (the smallest, if several): zones of a
/// region are ordered right after it.
fn zone_regions(graph: &Graph) -> FxHashMap<&str, String> {
    let mut out: FxHashMap<&str, String> = FxHashMap::default();
    for n in graph.nodes() {
        let Some(region) = graph.attr(n, Attr::Region) else {
            continue;
        };
        for &z in graph.zones(n) {
            if let Some(zone) = graph.symbol(z) {
                let slot = out.entry(zone).or_insert_with(|| region.to_owned());
                if region < slot.as_str() {
                    *slot = region.to_owned();
                }
            }
        }
    }
    out
}

/// "Not computed yet" in the per-node diagram tables.
const UNKNOWN: Bdd = Bdd::MAX;

/// The variables that fail a node directly: by attribute, by zone, by id.
struct Variables {
    by_region: FxHashMap<Sym, u32>,
    by_account: FxHashMap<Sym, u32>,
    by_service_region: FxHashMap<(Sym, Sym), u32>,
    by_zone: FxHashMap<Sym, u32>,
    by_node: FxHashMap<NodeIx, u32>,
}

impl Variables {
    fn new(graph: &Graph, events: &[Event]) -> Variables {
        let sym = |t: &str| graph.find_symbol(t).unwrap_or(NO_SYM);
        let mut v = Variables {
            by_region: FxHashMap::default(),
            by_account: FxHashMap::default(),
            by_service_region: FxHashMap::default(),
            by_zone: FxHashMap::default(),
            by_node: FxHashMap::default(),
        };
        for (i, e) in events.iter().enumerate() {
            let i = i as u32;
            match &e.domain {
                Domain::Region(r) => {
                    v.by_region.insert(sym(r), i);
                }
                Domain::Account(a) => {
                    v.by_account.insert(sym(a), i);
                }
                Domain::Zone(z) => {
                    v.by_zone.insert(sym(z), i);
                }
                Domain::CloudService {
                    service,
                    region: Some(r),
                } => {
                    v.by_service_region.insert((sym(service), sym(r)), i);
                }
                Domain::Node(id) => {
                    if let Some(n) = graph.find(id) {
                        v.by_node.insert(n, i);
                    }
                }
                _ => {}
            }
        }
        v
    }

    /// The events that fail `n` by themselves (not through its zones).
    fn direct(&self, graph: &Graph, n: NodeIx) -> Vec<u32> {
        let region = graph.attr_sym(n, Attr::Region);
        let mut out: Vec<u32> = [
            self.by_region.get(&region),
            self.by_account.get(&graph.attr_sym(n, Attr::Account)),
            self.by_service_region
                .get(&(graph.attr_sym(n, Attr::Service), region)),
            self.by_node.get(&n),
        ]
        .into_iter()
        .flatten()
        .copied()
        .collect();
        out.sort_unstable();
        out
    }
}

/// The three diagrams of a node: supported, down, degraded.
#[derive(Clone, Copy)]
struct NodeDiagrams {
    supported: Bdd,
    down: Bdd,
    degraded: Bdd,
}

/// The symbolic engine: per-node diagrams, computed on demand and shared
/// by every function until the table is cleared.
struct Solver<'g> {
    graph: &'g Graph,
    events: &'g [Event],
    q: Vec<f64>,
    vars: Variables,
    grounding: Grounding,
    /// Each node's component (members before owners) and the components.
    component: Vec<u32>,
    components: Vec<Vec<NodeIx>>,
    cyclic: Vec<bool>,
    budget: usize,
    manager: Manager,
    diagrams: Vec<NodeDiagrams>,
    probabilities: Vec<f64>,
    largest: usize,
}

impl<'g> Solver<'g> {
    fn new(graph: &'g Graph, events: &'g [Event], budget: usize) -> Self {
        // Optional members count too: a node's degraded diagram reads its
        // optional members' down diagrams, which must come first.
        let components = strongly_connected(graph.len(), |n, out| {
            for e in graph.requires(n).chain(graph.optional(n)) {
                out.extend_from_slice(graph.members(e));
            }
        });
        let mut component = vec![0u32; graph.len()];
        let mut cyclic = vec![false; components.len()];
        for (c, nodes) in components.iter().enumerate() {
            for &n in nodes {
                component[n as usize] = c as u32;
            }
            cyclic[c] = nodes.len() > 1
                || nodes.first().is_some_and(|&x| {
                    graph
                        .requires(x)
                        .chain(graph.optional(x))
                        .any(|e| graph.members(e).contains(&x))
                });
        }
        Solver {
            graph,
            events,
            q: events.iter().map(|e| e.q).collect(),
            vars: Variables::new(graph, events),
            grounding: Grounding::compute(graph),
            component,
            components,
            cyclic,
            budget,
            manager: Manager::new(budget),
            diagrams: Vec::new(),
            probabilities: Vec::new(),
            largest: 0,
        }
    }

    /// Clears the diagram table (after it overflowed).
    fn reset(&mut self) {
        self.largest = self.largest.max(self.manager.len());
        self.manager = Manager::new(self.budget);
        self.diagrams.clear();
        self.probabilities.clear();
    }

    fn function(&mut self, f: NodeIx, top: usize) -> FunctionAvailability {
        let fresh = self.manager.is_empty();
        match self.exact(f, top) {
            Ok(figures) => figures,
            Err(OverBudget) if fresh => {
                self.reset();
                self.bounded(f)
            }
            Err(OverBudget) => {
                self.reset();
                match self.exact(f, top) {
                    Ok(figures) => figures,
                    Err(OverBudget) => {
                        self.reset();
                        self.bounded(f)
                    }
                }
            }
        }
    }

    /// The exact figures of `f`, or the budget was exceeded.
    fn exact(&mut self, f: NodeIx, top: usize) -> Result<FunctionAvailability, OverBudget> {
        let d = self.diagrams_of(f)?;
        let down_or_degraded = self.manager.or(d.down, d.degraded)?;
        let p_down = bdd::probability(&self.manager, d.down, &self.q, &mut self.probabilities);
        let p_not_up = bdd::probability(
            &self.manager,
            down_or_degraded,
            &self.q,
            &mut self.probabilities,
        );
        let mut contributors: Vec<(usize, f64)> =
            bdd::improvements(&self.manager, d.down, &self.q, &self.probabilities)
                .into_iter()
                .filter(|&(_, imp)| imp > 0.0)
                .map(|(v, imp)| (v as usize, imp))
                .collect();
        self.rank(&mut contributors, top);
        Ok(FunctionAvailability {
            function: f,
            availability: 1.0 - p_down,
            unavailability: p_down,
            up: 1.0 - p_not_up,
            exact: true,
            bounds: None,
            contributors,
        })
    }

    /// Largest improvement first, ties by the event's text; the first `top`.
    /// Improvements are compared to 12 significant digits: two events in
    /// symmetric places get figures that differ only in rounding noise (the
    /// diagram's shape decides the order of the additions), and that noise
    /// must not decide which of them is listed first.
    fn rank(&self, contributors: &mut Vec<(usize, f64)>, top: usize) {
        let key = |x: f64| -> f64 { format!("{x:.11e}").parse().unwrap_or(x) };
        contributors.sort_by(|a, b| {
            key(b.1).total_cmp(&key(a.1)).then_with(|| {
                self.events[a.0]
                    .domain
                    .to_string()
                    .cmp(&self.events[b.0].domain.to_string())
            })
        });
        contributors.truncate(top);
    }

    /// The diagrams of `n`, computing those of its closure first, in
    /// component order.
    fn diagrams_of(&mut self, n: NodeIx) -> Result<NodeDiagrams, OverBudget> {
        if self.diagrams.is_empty() {
            let unknown = NodeDiagrams {
                supported: UNKNOWN,
                down: UNKNOWN,
                degraded: UNKNOWN,
            };
            self.diagrams = vec![unknown; self.graph.len()];
        }
        let mut pending: Vec<u32> = self
            .closure(n)
            .into_iter()
            .map(|x| self.component[x as usize])
            .collect();
        pending.sort_unstable();
        pending.dedup();
        for c in pending {
            self.component_diagrams(c as usize)?;
            self.largest = self.largest.max(self.manager.len());
        }
        Ok(self.diagrams[n as usize])
    }

    /// The nodes `n` depends on (itself included) whose diagrams are not
    /// known yet.
    fn closure(&self, n: NodeIx) -> Vec<NodeIx> {
        let g = self.graph;
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack = vec![n];
        let mut out = Vec::new();
        while let Some(x) = stack.pop() {
            if self.diagrams[x as usize].down != UNKNOWN || !seen.insert(x) {
                continue;
            }
            out.push(x);
            for e in g.requires(x).chain(g.optional(x)) {
                stack.extend_from_slice(g.members(e));
            }
        }
        out
    }

    /// Computes the three diagrams of every node of component `c`, whose
    /// members' components are done.
    fn component_diagrams(&mut self, c: usize) -> Result<(), OverBudget> {
        let nodes = self.components[c].clone();
        let mut direct = Vec::with_capacity(nodes.len());
        for &n in &nodes {
            direct.push(self.direct(n)?);
        }
        // Supported: least fixed point from "nothing supported".
        for &n in &nodes {
            self.diagrams[n as usize].supported = FALSE;
        }
        self.iterate(c, &nodes, |s, i, n| {
            let not_direct = s.manager.not(direct[i].0)?;
            let mut all = not_direct;
            for e in s.graph.requires(n) {
                if !s.grounding.grounded_entry[e as usize] {
                    continue;
                }
                let members = s.member_values(e, |d| d.supported);
                let entry = s.graph.entries()[e as usize];
                let sat = s
                    .manager
                    .counting(&members, true, |alive| entry::satisfied(&entry, alive))?;
                all = s.manager.and(all, sat)?;
            }
            s.diagrams[n as usize].supported = all;
            Ok(())
        })?;
        // Down: least fixed point from "not supported".
        for &n in &nodes {
            let unsupported = self.manager.not(self.diagrams[n as usize].supported)?;
            self.diagrams[n as usize].down = unsupported;
        }
        self.iterate(c, &nodes, |s, _, n| {
            let mut down = s.manager.not(s.diagrams[n as usize].supported)?;
            for e in s.graph.requires(n) {
                let members = s.alive_members(e)?;
                let entry = s.graph.entries()[e as usize];
                let sat = s
                    .manager
                    .counting(&members, true, |alive| entry::satisfied(&entry, alive))?;
                let unsat = s.manager.not(sat)?;
                down = s.manager.or(down, unsat)?;
            }
            s.diagrams[n as usize].down = down;
            Ok(())
        })?;
        // Degraded: least fixed point from "not degraded".
        for &n in &nodes {
            self.diagrams[n as usize].degraded = FALSE;
        }
        self.iterate(c, &nodes, |s, i, n| {
            let mut reasons = direct[i].1;
            for e in s.graph.requires(n).chain(s.graph.optional(n)) {
                let members = s.alive_members(e)?;
                let graph = s.graph;
                let lost = s.manager.counting(&members, true, |alive| {
                    entry::degrades_owner(graph, e, alive)
                })?;
                reasons = s.manager.or(reasons, lost)?;
                if !graph.entries()[e as usize].optional {
                    for &m in graph.members(e) {
                        let member_degraded = s.diagrams[m as usize].degraded;
                        reasons = s.manager.or(reasons, member_degraded)?;
                    }
                }
            }
            let not_down = s.manager.not(s.diagrams[n as usize].down)?;
            s.diagrams[n as usize].degraded = s.manager.and(not_down, reasons)?;
            Ok(())
        })
    }

    /// Applies `step` to every node of component `c` until no diagram
    /// changes (once, for a component without a cycle). Each step only
    /// adds states (the fixed points are least and monotone), and
    /// diagrams are canonical, so "unchanged" is handle equality.
    fn iterate(
        &mut self,
        c: usize,
        nodes: &[NodeIx],
        mut step: impl FnMut(&mut Self, usize, NodeIx) -> Result<(), OverBudget>,
    ) -> Result<(), OverBudget> {
        loop {
            let before: Vec<(Bdd, Bdd, Bdd)> = nodes
                .iter()
                .map(|&n| {
                    let d = self.diagrams[n as usize];
                    (d.supported, d.down, d.degraded)
                })
                .collect();
            for (i, &n) in nodes.iter().enumerate() {
                step(self, i, n)?;
            }
            if !self.cyclic[c] {
                return Ok(());
            }
            let unchanged = nodes.iter().zip(&before).all(|(&n, b)| {
                let d = self.diagrams[n as usize];
                (d.supported, d.down, d.degraded) == *b
            });
            if unchanged {
                return Ok(());
            }
        }
    }

    /// The members of entry `e`, each as (diagram of `value`, its weight in
    /// the entry's counter, [`entry::weight`]: 1 but in `failover`).
    fn member_values(&self, e: u32, value: impl Fn(NodeDiagrams) -> Bdd) -> Vec<(Bdd, u32)> {
        let graph = self.graph;
        graph
            .members(e)
            .iter()
            .map(|&m| (value(self.diagrams[m as usize]), entry::weight(graph, e, m)))
            .collect()
    }

    /// The members of entry `e`, each as (diagram of "not down", weight).
    fn alive_members(&mut self, e: u32) -> Result<Vec<(Bdd, u32)>, OverBudget> {
        let graph = self.graph;
        let mut out = Vec::with_capacity(graph.members(e).len());
        for &m in graph.members(e) {
            let alive = self.manager.not(self.diagrams[m as usize].down)?;
            out.push((alive, entry::weight(graph, e, m)));
        }
        Ok(out)
    }

    /// Node `n` failing by itself: (directly down, zone-degraded), through
    /// its placement's events and the zone rule ([`entry::zone_effect`]).
    fn direct(&mut self, n: NodeIx) -> Result<(Bdd, Bdd), OverBudget> {
        let mut down = FALSE;
        for v in self.vars.direct(self.graph, n) {
            let x = self.manager.var_node(v)?;
            down = self.manager.or(down, x)?;
        }
        let zones = self.graph.zones(n);
        if zones.is_empty() {
            return Ok((down, FALSE));
        }
        let mut lost: Vec<(Bdd, u32)> = Vec::with_capacity(zones.len());
        for z in zones {
            let failed = match self.vars.by_zone.get(z) {
                Some(&v) => self.manager.var_node(v)?,
                None => FALSE,
            };
            lost.push((failed, 1));
        }
        let (listed, min_zones) = (zones.len(), self.graph.min_zones(n));
        let zone_down = self.manager.counting(&lost, false, |l| {
            entry::zone_effect(listed, l as usize, min_zones) == ZoneEffect::Down
        })?;
        let zone_degraded = self.manager.counting(&lost, false, |l| {
            entry::zone_effect(listed, l as usize, min_zones) == ZoneEffect::Degraded
        })?;
        Ok((self.manager.or(down, zone_down)?, zone_degraded))
    }

    /// Bounds for a function whose diagrams exceed the budget: below, the
    /// probability that no event of its closure fails (it is not down when
    /// nothing fails, else 0); above, one minus the probability that one
    /// of the events that alone take it down fails.
    fn bounded(&mut self, f: NodeIx) -> FunctionAvailability {
        let graph = self.graph;
        let relevant = self.closure_events(f);
        let nothing = DirectFailure::compute(graph, &[]);
        let base = status::evaluate(graph, &self.grounding, &nothing);
        let (lo, hi) = if base.status(f) == Status::Down {
            (0.0, 0.0)
        } else {
            let lo: f64 = relevant.iter().map(|&v| 1.0 - self.q[v as usize]).product();
            let mut none_of_the_cuts = 1.0;
            for &v in &relevant {
                let domain = self.events[v as usize].domain.clone();
                let direct = DirectFailure::compute(graph, std::slice::from_ref(&domain));
                if status::evaluate(graph, &self.grounding, &direct).status(f) == Status::Down {
                    none_of_the_cuts *= 1.0 - self.q[v as usize];
                }
            }
            (lo, none_of_the_cuts)
        };
        // The figures themselves are the conservative end: the lower bound.
        FunctionAvailability {
            function: f,
            availability: lo,
            unavailability: 1.0 - lo,
            up: lo,
            exact: false,
            bounds: Some((lo, hi)),
            contributors: Vec::new(),
        }
    }

    /// The events that can fail a node of `f`'s closure directly.
    fn closure_events(&self, f: NodeIx) -> Vec<u32> {
        let g = self.graph;
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack = vec![f];
        let mut events = Vec::new();
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            events.extend(self.vars.direct(g, x));
            events.extend(g.zones(x).iter().filter_map(|z| self.vars.by_zone.get(z)));
            for e in g.requires(x).chain(g.optional(x)) {
                stack.extend_from_slice(g.members(e));
            }
        }
        events.sort_unstable();
        events.dedup();
        events
    }
}
