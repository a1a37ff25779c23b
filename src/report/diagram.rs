//! `blastmap diagram`: the estate (or the closure of some functions) as a
//! Graphviz DOT graph, built as a graphviz-rust AST rather than by string
//! concatenation, so the structure is right by construction; every id and
//! label is quoted and escaped here, because graphviz-rust prints ids
//! verbatim. Turning DOT into SVG (running `dot`) is the app's job.

use std::collections::{BTreeMap, BTreeSet};

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph as Dot, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};

use crate::engine::Analysis;
use crate::graph::{Attr, EntryIx, Graph, NodeIx};
use crate::model::text::escape_for_display;
use crate::model::{EntryKind, NodeKind, Status};

/// Fill colour of a down node (Okabe–Ito vermillion: colour-blind safe).
pub const DOWN_COLOR: &str = "#D55E00";
/// Fill colour of a degraded node (Okabe–Ito orange).
pub const DEGRADED_COLOR: &str = "#E69F00";
/// Fill colour of a node that stays up (Okabe–Ito bluish green).
pub const UP_COLOR: &str = "#009E73";

/// The default of `--max-nodes`: `dot` takes about a second for 1,000 nodes
/// and 91 s for 5,000, so larger estates are summarised.
pub const DEFAULT_MAX_NODES: usize = 400;

/// What to draw: the scenario's statuses (if any), the functions whose
/// closure to draw (all when empty) and the node limit above which
/// resources are collapsed by service and type.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a, 'g> {
    pub analysis: Option<&'a Analysis<'g>>,
    pub functions: &'a [NodeIx],
    pub max_nodes: usize,
}

/// The diagram as DOT text.
pub fn to_dot(graph: &Graph, options: &Options<'_, '_>) -> String {
    print(&build(graph, options))
}

/// A built diagram as DOT text, newline-terminated.
pub fn print(dot: &Dot) -> String {
    let mut text = dot.print(&mut PrinterContext::default());
    text.push('\n');
    text
}

/// How many boxes (node statements: vertices, junctions, legend entries)
/// a built diagram has: what `dot`'s time grows with, so a caller can
/// refuse to draw one that would take minutes.
pub fn boxes(dot: &Dot) -> usize {
    fn count(stmts: &[Stmt]) -> usize {
        stmts
            .iter()
            .map(|s| match s {
                Stmt::Node(_) => 1,
                Stmt::Subgraph(g) => count(&g.stmts),
                _ => 0,
            })
            .sum()
    }
    let (Dot::DiGraph { stmts, .. } | Dot::Graph { stmts, .. }) = dot;
    count(stmts)
}

/// `text` as a quoted DOT string: control and invisible characters shown
/// escaped (as everywhere a person reads an id), then `\` and `"` escaped,
/// so no id can end the string or start a DOT escape such as `\N`.
pub fn quote(text: &str) -> Id {
    quote_lines(&[text])
}

/// Several lines as one quoted DOT label: each line quoted as by
/// [`quote`], joined by DOT's centred line break `\n`.
pub fn quote_lines(lines: &[&str]) -> Id {
    let mut out = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str("\\n");
        }
        for c in escape_for_display(line).chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    Id::Escaped(out)
}

/// An id blastmap makes up (cluster and junction names): plain, no quoting.
fn plain(text: &str) -> Id {
    Id::Plain(text.to_owned())
}

fn attr(key: &str, value: Id) -> Attribute {
    Attribute(plain(key), value)
}

/// A region cluster's own nodes, and its zone clusters' nodes by zone.
type RegionStmts = (Vec<Stmt>, BTreeMap<String, Vec<Stmt>>);

/// Where a drawn vertex sits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Functions,
    Region(String),
    Zone(String, String),
    Global,
    Externals,
}

/// One box in the drawing: a node, or (collapsed) several resources.
#[derive(Debug)]
struct Drawn {
    /// The label's lines.
    label: Vec<String>,
    /// The full id (a node) or what was collapsed, shown as the tooltip.
    tooltip: String,
    place: Place,
    kind: NodeKind,
    status: Status,
    direct: bool,
}

/// Every node drawn: the closure of `functions`, or the whole graph.
fn closure(graph: &Graph, functions: &[NodeIx]) -> Vec<NodeIx> {
    if functions.is_empty() {
        return graph.nodes().collect();
    }
    let mut seen = vec![false; graph.len()];
    let mut stack: Vec<NodeIx> = functions.to_vec();
    for &f in functions {
        seen[f as usize] = true;
    }
    while let Some(n) = stack.pop() {
        for e in graph.requires(n).chain(graph.optional(n)) {
            for &m in graph.members(e) {
                if !seen[m as usize] {
                    seen[m as usize] = true;
                    stack.push(m);
                }
            }
        }
    }
    graph.nodes().filter(|&n| seen[n as usize]).collect()
}

fn place_of(graph: &Graph, n: NodeIx) -> (Place, Vec<String>) {
    let zones: Vec<String> = graph
        .zones(n)
        .iter()
        .filter_map(|z| graph.symbol(*z))
        .map(str::to_owned)
        .collect();
    let place = match (graph.kind(n), graph.attr(n, Attr::Region)) {
        (NodeKind::Function, _) => Place::Functions,
        (NodeKind::External, _) => Place::Externals,
        (_, Some(r)) if zones.len() == 1 => Place::Zone(r.to_owned(), zones[0].clone()),
        (_, Some(r)) => Place::Region(r.to_owned()),
        (_, None) => Place::Global,
    };
    (place, zones)
}

/// The widest resource part of a short label, in characters; longer ones
/// keep their start and end (what tells them apart) around a `…`.
const SHORT_RESOURCE_MAX: usize = 32;

/// What a node's box shows: an ARN as its service and resource part
/// (`rds db:orders`), because full ARNs made the shop's SVG several times
/// wider than its content; any other id unchanged. The full id stays in
/// the node's tooltip and name.
pub fn short_label(id: &str) -> String {
    let mut parts = id.splitn(6, ':');
    let (Some("arn"), Some(_), Some(service), Some(_), Some(_), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return id.to_owned();
    };
    if service.is_empty() || resource.is_empty() {
        return id.to_owned();
    }
    let chars: Vec<char> = resource.chars().collect();
    if chars.len() <= SHORT_RESOURCE_MAX {
        return format!("{service} {resource}");
    }
    let head = (SHORT_RESOURCE_MAX - 1).div_ceil(2);
    let tail = SHORT_RESOURCE_MAX - 1 - head;
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{service} {start}…{end}")
}

fn worse(a: Status, b: Status) -> Status {
    match (a, b) {
        (Status::Down, _) | (_, Status::Down) => Status::Down,
        (Status::Degraded, _) | (_, Status::Degraded) => Status::Degraded,
        _ => Status::Up,
    }
}

/// How much a drawing is summarised: not at all, resources grouped by
/// service and type, or (still too big) services grouped by place and
/// functions by criticality too, with `any`/`quorum` groups drawn as plain
/// edges (their junctions would outnumber the boxes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Collapse {
    None,
    Resources,
    Everything,
}

/// A node's vertex at `level`: its key, label lines and tooltip.
fn vertex_key(
    graph: &Graph,
    n: NodeIx,
    place: &Place,
    zones: &[String],
    level: Collapse,
) -> (String, Vec<String>, String) {
    let kind = graph.kind(n);
    match kind {
        NodeKind::Resource if level >= Collapse::Resources => {
            let service = graph.attr(n, Attr::Service).unwrap_or("-");
            let ty = graph.attr(n, Attr::Type).unwrap_or("resource");
            let key = format!("group:{place:?}:{service}:{ty}:{}", zones.join("+"));
            let label = format!("{service} {ty}");
            (key, vec![label.clone()], label)
        }
        NodeKind::Service if level == Collapse::Everything => {
            let label = "services".to_owned();
            (
                format!("group:{place:?}:services"),
                vec![label.clone()],
                label,
            )
        }
        NodeKind::Function if level == Collapse::Everything => {
            let label = format!("{} functions", graph.criticality(n));
            (
                format!("group:functions:{label}"),
                vec![label.clone()],
                label,
            )
        }
        _ => {
            let mut label = vec![short_label(graph.id(n))];
            if zones.len() > 1 {
                label.push(format!("({})", zones.join(", ")));
            }
            (
                format!("node:{}", graph.id(n)),
                label,
                graph.id(n).to_owned(),
            )
        }
    }
}

/// The least summarising level at which `nodes` fit in `max_nodes` boxes
/// (or [`Collapse::Everything`]).
fn collapse_level(graph: &Graph, nodes: &[NodeIx], max_nodes: usize) -> Collapse {
    if nodes.len() <= max_nodes {
        return Collapse::None;
    }
    let keys: BTreeSet<String> = nodes
        .iter()
        .map(|&n| {
            let (place, zones) = place_of(graph, n);
            vertex_key(graph, n, &place, &zones, Collapse::Resources).0
        })
        .collect();
    if keys.len() <= max_nodes {
        Collapse::Resources
    } else {
        Collapse::Everything
    }
}

/// Builds the DOT AST.
pub fn build(graph: &Graph, options: &Options<'_, '_>) -> Dot {
    let nodes = closure(graph, options.functions);
    let level = collapse_level(graph, &nodes, options.max_nodes);
    let collapse = level != Collapse::None;
    // The key of each node's vertex, and the vertices by key (sorted).
    let mut vertex_of: BTreeMap<NodeIx, String> = BTreeMap::new();
    let mut vertices: BTreeMap<String, (Drawn, usize)> = BTreeMap::new();
    for &n in &nodes {
        let (place, zones) = place_of(graph, n);
        let status = options.analysis.map_or(Status::Up, |a| a.status(n));
        let direct = options.analysis.is_some_and(|a| a.directly_down(n));
        let kind = graph.kind(n);
        let (key, label, tooltip) = vertex_key(graph, n, &place, &zones, level);
        vertex_of.insert(n, key.clone());
        let slot = vertices.entry(key).or_insert_with(|| {
            (
                Drawn {
                    label,
                    tooltip,
                    place,
                    kind,
                    status: Status::Up,
                    direct: false,
                },
                0,
            )
        });
        slot.0.status = worse(slot.0.status, status);
        slot.0.direct |= direct;
        slot.1 += 1;
    }

    // Clusters: functions, regions (with zones), global, externals.
    let mut by_place: BTreeMap<Place, Vec<Stmt>> = BTreeMap::new();
    for (key, (drawn, count)) in &vertices {
        let mut label = drawn.label.clone();
        if *count > 1 {
            label.push(format!("×{count}"));
        }
        by_place
            .entry(drawn.place.clone())
            .or_default()
            .push(Stmt::Node(vertex_node(key, &label, drawn, options)));
    }
    let mut stmts: Vec<Stmt> = vec![
        Stmt::Attribute(attr("rankdir", plain("TB"))),
        Stmt::Attribute(attr("compound", plain("true"))),
        Stmt::Attribute(attr("fontname", plain("Helvetica"))),
        Stmt::GAttribute(graphviz_rust::dot_structures::GraphAttributes::Node(vec![
            attr("shape", plain("box")),
            attr("style", quote("rounded,filled")),
            attr("fillcolor", plain("white")),
            attr("fontname", plain("Helvetica")),
        ])),
    ];
    let mut regions: BTreeMap<String, RegionStmts> = BTreeMap::new();
    for (place, nodes) in by_place {
        match place {
            Place::Functions => stmts.push(cluster(
                "cluster_functions",
                "functions",
                vec![Stmt::Attribute(attr("rank", plain("source")))]
                    .into_iter()
                    .chain(nodes)
                    .collect(),
            )),
            Place::Region(r) => regions.entry(r).or_default().0.extend(nodes),
            Place::Zone(r, z) => regions
                .entry(r)
                .or_default()
                .1
                .entry(z)
                .or_default()
                .extend(nodes),
            Place::Global => stmts.push(cluster("cluster_global", "global", nodes)),
            Place::Externals => stmts.push(cluster("cluster_externals", "externals", nodes)),
        }
    }
    for (i, (region, (mut inside, zones))) in regions.into_iter().enumerate() {
        for (j, (zone, nodes)) in zones.into_iter().enumerate() {
            inside.push(cluster(
                &format!("cluster_region{i}_zone{j}"),
                &format!("zone {zone}"),
                nodes,
            ));
        }
        stmts.push(cluster(
            &format!("cluster_region{i}"),
            &format!("region {region}"),
            inside,
        ));
    }

    // Edges: requires solid, optional dashed; any/quorum through a junction.
    let mut edges: BTreeSet<(String, String, bool)> = BTreeSet::new();
    let mut junctions: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for &n in &nodes {
        let from = &vertex_of[&n];
        for e in graph.requires(n).chain(graph.optional(n)) {
            let junctions = (level != Collapse::Everything).then_some(&mut junctions);
            entry_edges(graph, e, from, &vertex_of, &mut edges, junctions);
        }
    }
    for (key, (label, optional)) in &junctions {
        let mut attributes = vec![
            attr("shape", plain("circle")),
            attr("label", quote(label)),
            attr("fontsize", plain("8")),
            attr("width", plain("0.3")),
            attr("margin", plain("0")),
        ];
        if *optional {
            attributes.push(attr("style", quote("dashed")));
        }
        stmts.push(Stmt::Node(Node::new(NodeId(quote(key), None), attributes)));
    }
    for (from, to, optional) in edges {
        let attributes = if optional {
            vec![attr("style", plain("dashed"))]
        } else {
            Vec::new()
        };
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(NodeId(quote(&from), None)),
                Vertex::N(NodeId(quote(&to), None)),
            ),
            attributes,
        }));
    }
    if options.analysis.is_some() || collapse {
        stmts.push(legend(
            options.analysis.is_some(),
            collapse.then_some((nodes.len(), level == Collapse::Everything)),
        ));
    }
    Dot::DiGraph {
        id: plain("blastmap"),
        strict: false,
        stmts,
    }
}

/// The edges of entry `e` owned by the vertex `from`.
fn entry_edges(
    graph: &Graph,
    e: EntryIx,
    from: &str,
    vertex_of: &BTreeMap<NodeIx, String>,
    edges: &mut BTreeSet<(String, String, bool)>,
    junctions: Option<&mut BTreeMap<String, (String, bool)>>,
) {
    let entry = graph.entries()[e as usize];
    let members: BTreeSet<&String> = graph
        .members(e)
        .iter()
        .filter_map(|m| vertex_of.get(m))
        .collect();
    let label = match entry.kind {
        EntryKind::All => None,
        EntryKind::Any => Some("any".to_owned()),
        EntryKind::Quorum(k) => Some(format!("{k} of {}", graph.members(e).len())),
        EntryKind::Failover { .. } => Some("failover".to_owned()),
    };
    match (label, junctions) {
        (Some(label), Some(junctions)) if graph.members(e).len() > 1 => {
            let junction = format!("junction:{from}:{e}");
            edges.insert((from.to_owned(), junction.clone(), entry.optional));
            for m in members {
                edges.insert((junction.clone(), m.clone(), entry.optional));
            }
            junctions.insert(junction, (label, entry.optional));
        }
        _ => {
            for m in members {
                if m != from {
                    edges.insert((from.to_owned(), m.clone(), entry.optional));
                }
            }
        }
    }
}

fn vertex_node(key: &str, label: &[String], drawn: &Drawn, options: &Options<'_, '_>) -> Node {
    let lines: Vec<&str> = label.iter().map(String::as_str).collect();
    let mut attributes = vec![
        attr("label", quote_lines(&lines)),
        attr("tooltip", quote(&drawn.tooltip)),
    ];
    match drawn.kind {
        NodeKind::Function => attributes.push(attr("shape", plain("house"))),
        NodeKind::External => attributes.push(attr("shape", plain("component"))),
        NodeKind::Resource => attributes.push(attr("shape", plain("cylinder"))),
        NodeKind::Service => {}
    }
    if options.analysis.is_some() {
        let (color, style) = match drawn.status {
            Status::Down => (DOWN_COLOR, "filled,bold"),
            Status::Degraded => (DEGRADED_COLOR, "rounded,filled"),
            Status::Up => (UP_COLOR, "rounded,filled"),
        };
        attributes.push(attr("fillcolor", quote(color)));
        attributes.push(attr("style", quote(style)));
        if drawn.status == Status::Down {
            attributes.push(attr("penwidth", plain("3")));
        }
        if drawn.direct {
            attributes.push(attr("peripheries", plain("2")));
        }
    }
    Node::new(NodeId(quote(key), None), attributes)
}

fn cluster(id: &str, label: &str, mut inside: Vec<Stmt>) -> Stmt {
    let mut stmts = vec![Stmt::Attribute(attr("label", quote(label)))];
    stmts.append(&mut inside);
    Stmt::Subgraph(Subgraph {
        id: plain(id),
        stmts,
    })
}

/// The legend: what the colours and borders mean, and whether resources
/// were collapsed (`collapsed`: the number of nodes the closure had, and
/// whether services and functions were grouped too).
fn legend(statuses: bool, collapsed: Option<(usize, bool)>) -> Stmt {
    let mut inside = Vec::new();
    if statuses {
        for (id, label, color, extra) in [
            (
                "legend_down",
                "down",
                DOWN_COLOR,
                vec![attr("penwidth", plain("3"))],
            ),
            ("legend_degraded", "degraded", DEGRADED_COLOR, Vec::new()),
            ("legend_up", "up", UP_COLOR, Vec::new()),
            (
                "legend_direct",
                "directly failed",
                DOWN_COLOR,
                vec![
                    attr("peripheries", plain("2")),
                    attr("penwidth", plain("3")),
                ],
            ),
        ] {
            let mut attributes = vec![
                attr("label", quote(label)),
                attr("fillcolor", quote(color)),
                attr("style", quote("rounded,filled")),
            ];
            attributes.extend(extra);
            inside.push(Stmt::Node(Node::new(NodeId(plain(id), None), attributes)));
        }
    }
    if let Some((n, everything)) = collapsed {
        let more = if everything {
            "; services by region and zone, functions by criticality; any and quorum groups as plain edges"
        } else {
            ""
        };
        inside.push(Stmt::Node(Node::new(
            NodeId(plain("legend_collapsed"), None),
            vec![
                attr("shape", plain("note")),
                attr(
                    "label",
                    quote(&format!(
                        "{n} nodes: resources collapsed by service and type{more} (×count)"
                    )),
                ),
            ],
        )));
    }
    cluster("cluster_legend", "legend", inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_quotes_backslashes_and_controls() {
        let Id::Escaped(q) = quote("a\"b\\c\u{1b}") else {
            panic!("quote makes an escaped id");
        };
        assert_eq!(q, r#""a\"b\\c\\x1b""#);
    }

    #[test]
    fn an_arn_is_labelled_by_service_and_resource_and_other_ids_stay_whole() {
        assert_eq!(
            short_label("arn:aws:rds:us-east-1:111122223333:db:orders"),
            "rds db:orders"
        );
        assert_eq!(
            short_label(
                "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            "elasticloadbalancing loadbalancer/app…0dc6c495c0c9188"
        );
        assert_eq!(short_label("order-service"), "order-service");
        assert_eq!(short_label("arn:aws::r:a:x"), "arn:aws::r:a:x");
    }
}
