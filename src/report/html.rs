//! `blastmap report`: the architecture-review pack, one self-contained HTML
//! file (askama template with auto-escaping; CSS and JavaScript inlined;
//! nothing fetched from anywhere). It reads the same with JavaScript off
//! (the script only adds a filter box) and printed (print CSS).
//!
//! Every name from the input reaches the page through askama's escaping,
//! except the diagrams: those are SVG from Graphviz, which
//! [`inline_svg`] rewrites element by element (drawing elements only, ids
//! prefixed, text and attributes escaped again) before they are inlined.

use std::borrow::Cow;

use askama::Template;

use super::display_id;
use super::style::status_symbol;
use super::sweep::{cell, rows as matrix_rows, shown};
use crate::engine::check::Violation;
use crate::engine::incremental::Baseline;
use crate::engine::spof::{path_to, FunctionSpofs};
use crate::engine::sweep::SweepColumn;
use crate::graph::{Attr, Graph, NodeIx};
use crate::model::policy::Rule;
use crate::model::text::escape_for_display;
use crate::model::{NodeKind, Status};

/// The page's style sheet (screen and print), inlined: no external file.
const CSS: &str = include_str!("../../templates/review.css");
/// The page's optional script (a filter box), inlined.
const JS: &str = include_str!("../../templates/review.js");

/// A function's diagram in the review: drawn, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionDiagram {
    /// An SVG already passed through [`inline_svg`].
    Drawn(String),
    /// Not drawn, with the reason shown in its place (too many nodes, more
    /// functions than diagrams, `dot` failed).
    Skipped(String),
}

/// What the review shows; the app computes it (sweep, spof, check and the
/// diagrams) and this module only renders it.
#[derive(Debug)]
pub struct ReviewInputs<'a, 'g> {
    /// The estate evaluated with nothing failed.
    pub baseline: &'a Baseline<'g>,
    /// The functions reviewed (the matrix rows).
    pub functions: &'a [NodeIx],
    /// The sweep: one column per scenario.
    pub columns: &'a [SweepColumn],
    /// Single points of failure of each reviewed function.
    pub spofs: &'a [FunctionSpofs],
    /// The policy's file, rules and violations, when `--policy` was given.
    pub policy: Option<(&'a str, &'a [Rule], &'a [Violation])>,
    /// Per reviewed function (same order as `functions`), its diagram.
    pub diagrams: &'a [FunctionDiagram],
    /// The files the estate was loaded from.
    pub sources: &'a [String],
    /// Collector sources that did not finish (an incomplete estate).
    pub incomplete: &'a [String],
}

/// The review page as HTML.
pub fn to_html(inputs: &ReviewInputs<'_, '_>) -> String {
    let page = Page::new(inputs);
    page.render()
        .expect("the template renders plain owned strings")
}

#[derive(Template)]
#[template(path = "review.html")]
struct Page {
    css: &'static str,
    js: &'static str,
    summary: Summary,
    scenarios: Vec<String>,
    hidden_scenarios: usize,
    matrix: Vec<MatrixRow>,
    functions: Vec<FunctionSection>,
    policy: Option<PolicySection>,
}

struct Summary {
    nodes: usize,
    kinds: Vec<(String, usize)>,
    regions: Vec<String>,
    zones: Vec<String>,
    sources: Vec<String>,
    incomplete: Vec<String>,
}

struct MatrixRow {
    anchor: String,
    id: String,
    criticality: String,
    cells: Vec<Cell>,
}

struct Cell {
    class: &'static str,
    symbol: &'static str,
    title: String,
}

struct FunctionSection {
    anchor: String,
    id: String,
    criticality: String,
    status: Cell,
    spofs: Vec<Spof>,
    breakers: Vec<Breaker>,
    svg: Option<String>,
    diagram_note: Option<String>,
}

struct Spof {
    id: String,
    what: String,
    path: String,
}

struct Breaker {
    scenario: String,
    status: Cell,
}

struct PolicySection {
    file: String,
    rules: usize,
    violations: Vec<ViolationRow>,
}

struct ViolationRow {
    rule: String,
    function: String,
    domain: String,
    path: String,
}

fn status_cell(s: Status, context: &str) -> Cell {
    Cell {
        class: s.as_str(),
        symbol: status_symbol(s),
        title: if context.is_empty() {
            s.as_str().to_owned()
        } else {
            format!("{}: {}", context, s.as_str())
        },
    }
}

fn path_text(graph: &Graph, path: &[NodeIx]) -> String {
    path.iter()
        .map(|&n| display_id(graph, n).into_owned())
        .collect::<Vec<_>>()
        .join(" → ")
}

impl Page {
    fn new(inputs: &ReviewInputs<'_, '_>) -> Page {
        let graph = inputs.baseline.graph();
        let rows = matrix_rows(graph, inputs.functions);
        let shown = shown(inputs.columns);
        let scenarios: Vec<String> = shown
            .iter()
            .map(|&i| escape_for_display(&inputs.columns[i].domain.to_string()).into_owned())
            .collect();
        let anchor_of = |f: NodeIx| {
            let i = inputs.functions.iter().position(|&x| x == f).unwrap_or(0);
            format!("fn-{i}")
        };
        let matrix = rows
            .iter()
            .map(|&f| MatrixRow {
                anchor: anchor_of(f),
                id: display_id(graph, f).into_owned(),
                criticality: graph.criticality(f).to_string(),
                cells: shown
                    .iter()
                    .zip(&scenarios)
                    .map(|(&i, name)| status_cell(cell(&inputs.columns[i], f), name))
                    .collect(),
            })
            .collect();
        let mut scratch = inputs.baseline.scratch();
        let functions = rows
            .iter()
            .map(|&f| {
                let slot = inputs.functions.iter().position(|&x| x == f);
                let spofs = inputs
                    .spofs
                    .iter()
                    .find(|r| r.function == f)
                    .map(|r| r.spofs.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|&x| Spof {
                        id: display_id(graph, x).into_owned(),
                        what: super::describe_node(graph, x),
                        path: path_text(graph, &path_to(inputs.baseline, &mut scratch, f, x)),
                    })
                    .collect();
                let breakers = inputs
                    .columns
                    .iter()
                    .filter_map(|c| {
                        let s = cell(c, f);
                        (s != Status::Up).then(|| Breaker {
                            scenario: escape_for_display(&c.domain.to_string()).into_owned(),
                            status: status_cell(s, ""),
                        })
                    })
                    .collect();
                let (svg, diagram_note) = match slot.and_then(|i| inputs.diagrams.get(i)) {
                    Some(FunctionDiagram::Drawn(svg)) => (Some(svg.clone()), None),
                    Some(FunctionDiagram::Skipped(why)) => (None, Some(why.clone())),
                    None => (None, Some("not drawn".to_owned())),
                };
                FunctionSection {
                    anchor: anchor_of(f),
                    id: display_id(graph, f).into_owned(),
                    criticality: graph.criticality(f).to_string(),
                    status: status_cell(inputs.baseline.status(f), "with nothing failed"),
                    spofs,
                    breakers,
                    svg,
                    diagram_note,
                }
            })
            .collect();
        let policy = inputs
            .policy
            .map(|(file, rules, violations)| PolicySection {
                file: escape_for_display(file).into_owned(),
                rules: rules.len(),
                violations: violations
                    .iter()
                    .map(|v| ViolationRow {
                        rule: rules
                            .get(v.rule)
                            .map_or(Cow::Borrowed("?"), |r| escape_for_display(&r.name))
                            .into_owned(),
                        function: display_id(graph, v.function).into_owned(),
                        domain: escape_for_display(&v.domain.to_string()).into_owned(),
                        path: path_text(graph, &v.path),
                    })
                    .collect(),
            });
        Page {
            css: CSS,
            js: JS,
            summary: summary(graph, inputs.sources, inputs.incomplete),
            hidden_scenarios: inputs.columns.len() - shown.len(),
            scenarios,
            matrix,
            functions,
            policy,
        }
    }
}

fn summary(graph: &Graph, sources: &[String], incomplete: &[String]) -> Summary {
    let mut kinds = [0usize; 4];
    let order = [
        NodeKind::Function,
        NodeKind::Service,
        NodeKind::Resource,
        NodeKind::External,
    ];
    for n in graph.nodes() {
        if let Some(i) = order.iter().position(|&k| k == graph.kind(n)) {
            kinds[i] += 1;
        }
    }
    let shown = |values: Vec<&str>| {
        values
            .into_iter()
            .map(|v| escape_for_display(v).into_owned())
            .collect()
    };
    Summary {
        nodes: graph.len(),
        kinds: order
            .iter()
            .zip(kinds)
            .map(|(k, n)| (k.as_str().to_owned(), n))
            .collect(),
        regions: shown(graph.attr_values(Attr::Region)),
        zones: shown(graph.zone_values()),
        sources: shown(sources.iter().map(String::as_str).collect()),
        incomplete: shown(incomplete.iter().map(String::as_str).collect()),
    }
}

/// The elements Graphviz draws with; anything else in an SVG is dropped
/// with its content, so no script, `foreignObject` or external image can
/// reach the page whatever `dot` wrote.
const SVG_ELEMENTS: [&str; 13] = [
    "svg", "g", "title", "text", "path", "polygon", "polyline", "ellipse", "circle", "rect",
    "line", "a", "tspan",
];

/// Rewrites an SVG from `dot` for inlining in an HTML page next to others:
/// the prolog, DOCTYPE, comments (which hold node ids) and processing
/// instructions go; only drawing elements stay ([`SVG_ELEMENTS`]); event
/// handler attributes and links out of the document go; every `id`, local
/// link (`#x`) and `url(#x)` is prefixed with `prefix` so ids stay unique
/// on the page; text and attribute values are escaped again. Fails when
/// the input is not well-formed XML.
pub fn inline_svg(svg: &str, prefix: &str) -> Result<String, String> {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::Reader;
    let mut reader = Reader::from_str(svg);
    let mut out = String::with_capacity(svg.len());
    // Depth inside a dropped element (0: keeping).
    let mut dropped = 0usize;
    // Kept elements open (text outside the root, around the prolog, goes).
    let mut open = 0usize;
    let start_tag = |e: &BytesStart<'_>, out: &mut String| -> Result<(), String> {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        out.push('<');
        out.push_str(&name);
        for a in e.attributes() {
            let a = a.map_err(|err| format!("bad attribute: {err}"))?;
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("bad attribute value: {err}"))?;
            if let Some(value) = kept_attribute(&key, &value, prefix) {
                out.push(' ');
                out.push_str(&key);
                out.push_str("=\"");
                out.push_str(&quick_xml::escape::escape(value.as_str()));
                out.push('"');
            }
        }
        Ok(())
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("not well-formed at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                if dropped == 0 && is_drawing(&e) {
                    start_tag(&e, &mut out)?;
                    out.push('>');
                    open += 1;
                } else {
                    dropped += 1;
                }
            }
            Event::Empty(e) if dropped == 0 && is_drawing(&e) => {
                start_tag(&e, &mut out)?;
                out.push_str("/>");
            }
            Event::End(e) => {
                if dropped > 0 {
                    dropped -= 1;
                } else {
                    open = open.saturating_sub(1);
                    out.push_str("</");
                    out.push_str(&String::from_utf8_lossy(e.name().as_ref()));
                    out.push('>');
                }
            }
            Event::Text(t) if dropped == 0 && open > 0 => {
                let text = t.decode().map_err(|e| format!("bad text: {e}"))?;
                out.push_str(&quick_xml::escape::escape(text.as_ref()));
            }
            Event::GeneralRef(r) if dropped == 0 && open > 0 => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let plain = name.strip_prefix('#').unwrap_or(&name);
                if !name.is_empty() && plain.chars().all(|c| c.is_ascii_alphanumeric()) {
                    out.push('&');
                    out.push_str(&name);
                    out.push(';');
                }
            }
            Event::Eof => break,
            // Prolog, DOCTYPE, comments, processing instructions, CDATA,
            // and anything inside a dropped element.
            _ => {}
        }
    }
    if !out.starts_with("<svg") {
        return Err("no <svg> element".to_owned());
    }
    Ok(out)
}

/// Whether an element is one of [`SVG_ELEMENTS`].
fn is_drawing(e: &quick_xml::events::BytesStart<'_>) -> bool {
    SVG_ELEMENTS.contains(&&*String::from_utf8_lossy(e.name().as_ref()))
}

/// An attribute of a kept element as it goes on the page (`None`: dropped).
fn kept_attribute(key: &str, value: &str, prefix: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    if lower.starts_with("on") || lower == "style" {
        return None;
    }
    if lower == "id" {
        return Some(format!("{prefix}{value}"));
    }
    if lower == "href" || lower.ends_with(":href") {
        return value.strip_prefix('#').map(|v| format!("#{prefix}{v}"));
    }
    Some(value.replace("url(#", &format!("url(#{prefix}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOT_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- a&#45;&#45;&gt;&lt;script&gt; -->
<svg width="1pt" viewBox="0 0 1 1" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
<g id="graph0" class="graph"><title>g</title>
<g id="node1" class="node" onclick="alert(1)"><title>a&#45;&#45;&gt;&lt;b&gt;</title>
<a xlink:href="http://example.invalid/x" xlink:title="x&quot;&lt;y&gt;"><path fill="url(#grad1)" d="M0,0"/></a>
<a href="#node1"><text>t</text></a>
<script>alert(2)</script><foreignObject><div>hi</div></foreignObject>
</g></g></svg>
"##;

    #[test]
    fn inlined_svg_has_no_prolog_comments_scripts_or_handlers() {
        let svg = inline_svg(DOT_SVG, "f0-").expect("well-formed");
        assert!(svg.starts_with("<svg "), "{svg}");
        for gone in [
            "<?xml",
            "DOCTYPE",
            "<!--",
            "script",
            "onclick",
            "foreignObject",
            "<div",
            "example.invalid",
        ] {
            assert!(!svg.contains(gone), "{gone} in {svg}");
        }
    }

    #[test]
    fn inlined_svg_prefixes_ids_local_links_and_urls() {
        let svg = inline_svg(DOT_SVG, "f0-").expect("well-formed");
        assert!(svg.contains(r#"id="f0-graph0""#), "{svg}");
        assert!(svg.contains(r#"id="f0-node1""#), "{svg}");
        assert!(svg.contains(r##"href="#f0-node1""##), "{svg}");
        assert!(svg.contains("url(#f0-grad1)"), "{svg}");
    }

    #[test]
    fn inlined_svg_keeps_markup_from_ids_as_escaped_text() {
        let svg = inline_svg(DOT_SVG, "f0-").expect("well-formed");
        assert!(
            svg.contains("<title>a&#45;&#45;&gt;&lt;b&gt;</title>"),
            "{svg}"
        );
        assert!(svg.contains(r#"xlink:title="x&quot;&lt;y&gt;""#), "{svg}");
        assert!(!svg.contains("<b>") && !svg.contains("<y>"), "{svg}");
    }

    #[test]
    fn inlined_svg_refuses_what_is_not_xml() {
        assert!(inline_svg("<svg><g></svg>", "p").is_err());
        assert!(inline_svg("plain text", "p").is_err());
    }
}
