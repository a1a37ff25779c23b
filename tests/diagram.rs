//! `blastmap diagram`: the DOT parses back with graphviz-rust's parser, the
//! shop's DOT is snapshotted, the SVG the real Graphviz `dot` draws is valid
//! XML with the expected clusters and colours, and hostile ids stay text.
//! These tests need `dot` (scripts/install-test-deps installs Graphviz) and
//! fail, never skip, without it.

use std::collections::BTreeMap;

use graphviz_rust::dot_structures::{Graph as Dot, Stmt};

use crate::util::{exec, exec_env, ok, path_str, temp_dir, write_estate, SHOP};

/// Fails loudly, naming the install script, when Graphviz is missing.
fn require_dot() {
    let found = std::process::Command::new("dot").arg("-V").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "Graphviz `dot` is not installed: run scripts/install-test-deps (apt-get install graphviz)"
    );
}

/// Every subgraph id in `dot`, nested ones too.
fn subgraph_ids(dot: &Dot) -> Vec<String> {
    fn walk(stmts: &[Stmt], out: &mut Vec<String>) {
        for s in stmts {
            if let Stmt::Subgraph(g) = s {
                out.push(g.id.to_string());
                walk(&g.stmts, out);
            }
        }
    }
    let (Dot::DiGraph { stmts, .. } | Dot::Graph { stmts, .. }) = dot;
    let mut out = Vec::new();
    walk(stmts, &mut out);
    out
}

#[test]
fn the_shop_dot_parses_back_with_clusters_per_region_zone_global_and_externals() {
    let dot = ok(&["diagram", SHOP, "-o", "-"]);
    let parsed = graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let ids = subgraph_ids(&parsed);
    for expected in [
        "cluster_functions",
        "cluster_global",
        "cluster_externals",
        "cluster_region0",
        "cluster_region0_zone0",
        "cluster_region1",
    ] {
        assert!(ids.iter().any(|i| i == expected), "{expected} in {ids:?}");
    }
    assert!(dot.contains(r#"label="2 of 3""#), "quorum junction:\n{dot}");
    assert!(dot.contains(r#"label="any""#), "any junction:\n{dot}");
    assert!(
        dot.contains("style=dashed"),
        "optional edges dashed:\n{dot}"
    );
}

#[test]
fn the_shop_dot_is_stable() {
    let dot = ok(&["diagram", SHOP, "-o", "-"]);
    assert_snapshot!("cli_diagram", "diagram_shop_dot", dot);
}

#[test]
fn the_dot_file_matches_stdout() {
    let dir = temp_dir();
    let out = dir.path().join("shop.dot");
    ok(&["diagram", SHOP, "-o", &path_str(&out)]);
    let written = std::fs::read_to_string(&out).expect("the DOT file is written");
    assert_eq!(written, ok(&["diagram", SHOP, "-o", "-"]));
}

/// Per `<g class="node">` of an SVG: its `<title>` and the fill colours in
/// it; and every cluster title. Panics when the SVG is not well-formed XML.
fn svg_nodes(svg: &str) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    use quick_xml::events::Event;
    use quick_xml::Reader;
    let mut reader = Reader::from_str(svg);
    let mut nodes = BTreeMap::new();
    let mut clusters = Vec::new();
    // (class of the open group, its title, its fills)
    let mut group: Option<(String, String, Vec<String>)> = None;
    let mut in_title = false;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("invalid XML at {}: {e}", reader.error_position()));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |key: &[u8]| {
                    e.attributes()
                        .filter_map(Result::ok)
                        .find(|a| a.key.as_ref() == key)
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                if e.name().as_ref() == b"g" {
                    if let Some(class) = attr(b"class") {
                        if class == "node" || class == "cluster" {
                            group = Some((class, String::new(), Vec::new()));
                        }
                    }
                } else if e.name().as_ref() == b"title" {
                    in_title = true;
                } else if let (Some(fill), Some(g)) = (attr(b"fill"), group.as_mut()) {
                    g.2.push(fill);
                }
            }
            Event::Text(t) if in_title => {
                if let Some(g) = group.as_mut() {
                    let text = t.decode().expect("UTF-8 title");
                    g.1.push_str(&quick_xml::escape::unescape(&text).expect("escaped title"));
                }
            }
            Event::GeneralRef(r) if in_title => {
                if let Some(g) = group.as_mut() {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    let text = quick_xml::escape::unescape(&format!("&{name};"))
                        .expect("a known entity")
                        .into_owned();
                    g.1.push_str(&text);
                }
            }
            Event::End(e) if e.name().as_ref() == b"title" => in_title = false,
            Event::End(e) if e.name().as_ref() == b"g" => {
                if let Some((class, title, fills)) = group.take() {
                    if class == "node" {
                        nodes.insert(title, fills);
                    } else {
                        clusters.push(title);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (nodes, clusters)
}

#[test]
fn the_svg_from_dot_is_xml_with_clusters_and_status_colours() {
    require_dot();
    let dir = temp_dir();
    let out = dir.path().join("shop.svg");
    let (code, _, err) = exec(&[
        "diagram",
        SHOP,
        "--fail",
        "region:us-east-1",
        "-o",
        &path_str(&out),
    ]);
    assert_eq!(code, 0, "{err}");
    let svg = std::fs::read_to_string(&out).expect("the SVG is written");
    let (nodes, clusters) = svg_nodes(&svg);
    for expected in [
        "cluster_functions",
        "cluster_global",
        "cluster_externals",
        "cluster_region1_zone0",
        "cluster_legend",
    ] {
        assert!(
            clusters.iter().any(|c| c == expected),
            "{expected}: {clusters:?}"
        );
    }
    let fill = |title: &str| {
        nodes
            .get(title)
            .unwrap_or_else(|| panic!("node {title} in the SVG: {:?}", nodes.keys()))
            .iter()
            .map(|f| f.to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    assert!(
        fill("node:web-use1").contains(&"#d55e00".to_owned()),
        "down"
    );
    assert!(fill("node:web-euw1").contains(&"#009e73".to_owned()), "up");
    assert!(
        fill("node:search-euw1").contains(&"#e69f00".to_owned()),
        "degraded"
    );
}

#[test]
fn a_hostile_id_is_escaped_in_dot_and_svg() {
    require_dot();
    let dir = temp_dir();
    let estate = write_estate(
        &dir,
        "version: 1\nfunctions:\n  \"a\\\"b<c>&\\e\": {requires: [x]}\nservices:\n  x: {region: r1}\n",
    );
    let dot = ok(&["diagram", &estate, "-o", "-"]);
    assert!(dot.contains(r#"label="a\"b<c>&\\x1b""#), "{dot}");
    assert!(!dot.contains('\u{1b}'), "{dot}");
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let out = dir.path().join("hostile.svg");
    ok(&["diagram", &estate, "-o", &path_str(&out)]);
    let svg = std::fs::read_to_string(&out).expect("the SVG is written");
    assert!(
        !svg.contains("<c>"),
        "markup from an id reaches the SVG:\n{svg}"
    );
    // The label (what a reader sees) is the id, escaped as text; the
    // node's name keeps DOT's `\\` (Graphviz unescapes only `\"` in ids).
    assert!(
        svg.contains(">a&quot;b&lt;c&gt;&amp;\\x1b</text>"),
        "the id shown as text:\n{svg}"
    );
    let (nodes, _) = svg_nodes(&svg);
    assert!(
        nodes.contains_key("node:a\"b<c>&\\\\x1b"),
        "the node's name: {:?}",
        nodes.keys()
    );
}

#[test]
fn function_draws_only_its_closure() {
    let dot = ok(&["diagram", SHOP, "--function", "marketing-emails", "-o", "-"]);
    assert!(dot.contains(r#""node:marketing-emails""#), "{dot}");
    assert!(!dot.contains(r#""node:checkout""#), "{dot}");
    assert!(!dot.contains(r#""node:payments""#), "{dot}");
}

#[test]
fn above_max_nodes_resources_collapse_with_counts_and_the_legend_says_so() {
    let whole = ok(&["diagram", SHOP, "-o", "-"]);
    let dot = ok(&["diagram", SHOP, "--max-nodes", "10", "-o", "-"]);
    assert!(
        dot.contains("resources collapsed by service and type"),
        "{dot}"
    );
    assert!(dot.contains('×'), "counts:\n{dot}");
    assert!(dot.len() < whole.len(), "collapsed is smaller");
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
}

#[test]
fn an_svg_without_dot_fails_naming_graphviz() {
    let dir = temp_dir();
    let out = dir.path().join("shop.svg");
    let empty = temp_dir();
    let (code, _, err) = exec_env(
        &["diagram", SHOP, "-o", &path_str(&out)],
        &[("PATH", &path_str(empty.path()))],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("[graphviz-failed]"), "{err}");
    assert!(err.contains("install Graphviz"), "{err}");
    assert!(!out.exists(), "no SVG written");
}

#[test]
fn png_is_drawn_by_dot_and_an_unknown_extension_is_refused() {
    require_dot();
    let dir = temp_dir();
    let out = dir.path().join("shop.png");
    ok(&[
        "diagram",
        SHOP,
        "--function",
        "checkout",
        "-o",
        &path_str(&out),
    ]);
    let png = std::fs::read(&out).expect("the PNG is written");
    assert!(png.starts_with(b"\x89PNG\r\n"), "a PNG signature");
    let bad = dir.path().join("shop.jpeg");
    let (code, _, err) = exec(&["diagram", SHOP, "-o", &path_str(&bad)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("FILE.dot, FILE.svg or FILE.png"), "{err}");
    assert!(!bad.exists());
}

#[test]
fn far_above_max_nodes_services_group_by_place_and_functions_by_criticality() {
    let dot = ok(&["diagram", SHOP, "--max-nodes", "10", "-o", "-"]);
    assert!(
        dot.contains("services by region and zone, functions by criticality"),
        "the legend says what was grouped:\n{dot}"
    );
    assert!(
        dot.contains(r#""group:functions:critical functions""#),
        "{dot}"
    );
    assert!(
        !dot.contains(r#""node:checkout""#),
        "functions grouped:\n{dot}"
    );
    assert!(
        !dot.contains(r#""node:order-service""#),
        "services grouped:\n{dot}"
    );
    assert!(!dot.contains("junction:"), "no junctions:\n{dot}");
    graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("{e}\n{dot}"));
    let resources_only = ok(&["diagram", SHOP, "--max-nodes", "80", "-o", "-"]);
    assert!(
        resources_only.contains(r#""node:order-service""#)
            && !resources_only.contains("functions by criticality"),
        "services stay when grouping resources is enough:\n{resources_only}"
    );
}
