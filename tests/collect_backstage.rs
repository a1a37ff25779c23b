//! `blastmap collect backstage`: Backstage catalogs → estate documents, on
//! the real samples under `../shared/samples/backstage/` (counts from its
//! SOURCES.md) and on `fixtures/backstage/`.

use serde_json::Value;

use crate::util::{path_str, repo_root, run, temp_dir};

const CATALOG: &str = "fixtures/backstage/catalog/catalog-info.yaml";
const PLACEMENT: &str = "fixtures/backstage/catalog/placement.yaml";

/// A folder of the shared samples, as an argument.
fn sample(relative: &str) -> String {
    path_str(
        &repo_root()
            .join("../shared/samples/backstage")
            .join(relative),
    )
}

/// Runs `collect backstage ARGS` that must succeed; the document and stderr.
fn collect(args: &[&str]) -> (Value, String) {
    let mut full = vec!["collect", "backstage"];
    full.extend_from_slice(args);
    let r = run(&full);
    r.assert_code(0);
    let doc = serde_json::from_str(&r.stdout).expect("collect writes JSON");
    (doc, r.stderr)
}

fn ids(doc: &Value, section: &str) -> Vec<String> {
    doc[section]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn requires(doc: &Value, section: &str, id: &str) -> Vec<Value> {
    doc[section][id]["requires"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn edges(doc: &Value) -> Vec<(String, String)> {
    doc["meta"]["edges"]
        .as_array()
        .expect("meta.edges")
        .iter()
        .map(|e| {
            assert_eq!(e["source"], "backstage", "{e}");
            (
                e["from"].as_str().unwrap_or_default().to_owned(),
                e["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The collected document is valid estate input on its own.
fn assert_loads(doc: &Value) {
    let dir = temp_dir();
    let path = dir.path().join("catalog.json");
    std::fs::write(&path, doc.to_string()).expect("temp file");
    run(&["validate", &path_str(&path)]).assert_code(0);
}

#[test]
fn backstage_examples_through_their_locations_give_every_component_and_the_two_edges() {
    let roots = [
        "all-apis.yaml",
        "all-components.yaml",
        "all-domains.yaml",
        "all-resources.yaml",
        "all-systems.yaml",
        "acme-corp.yaml",
    ]
    .map(|f| sample(&format!("backstage-examples/{f}")));
    let mut args: Vec<&str> = roots.iter().map(String::as_str).collect();
    args.extend(["--functions-from", "system"]);
    let (doc, stderr) = collect(&args);
    assert_eq!(ids(&doc, "services").len(), 13, "{doc:#}");
    assert_eq!(ids(&doc, "resources"), ["artists-db"]);
    assert_eq!(
        ids(&doc, "functions"),
        ["artist-engagement-portal", "audio-playback", "podcast"]
    );
    assert_eq!(requires(&doc, "services", "artist-lookup"), ["artists-db"]);
    assert_eq!(
        requires(&doc, "services", "wayback-search"),
        ["wayback-archive"]
    );
    let component_edges: Vec<_> = edges(&doc)
        .into_iter()
        .filter(|(from, _)| !ids(&doc, "functions").contains(from))
        .collect();
    assert_eq!(
        component_edges,
        [
            ("artist-lookup".to_owned(), "artists-db".to_owned()),
            ("wayback-search".to_owned(), "wayback-archive".to_owned())
        ]
    );
    assert_eq!(doc["meta"]["sources"][0]["collector"], "backstage");
    assert_eq!(doc["meta"]["sources"][0]["complete"], true);
    // 6 roots + 34 relative targets, all present: 40 files, no warning.
    assert!(stderr.contains("read 40 catalog files"), "{stderr}");
    assert!(stderr.contains("skipped 8 Group, 16 User"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_loads(&doc);
}

#[test]
fn backstage_examples_by_domain_give_one_function_per_domain() {
    let roots = [
        "all-components.yaml",
        "all-systems.yaml",
        "all-domains.yaml",
        "all-resources.yaml",
    ]
    .map(|f| sample(&format!("backstage-examples/{f}")));
    let mut args: Vec<&str> = roots.iter().map(String::as_str).collect();
    args.extend(["--functions-from", "domain"]);
    let (doc, _) = collect(&args);
    assert_eq!(ids(&doc, "functions"), ["artists", "playback"]);
    assert_eq!(
        requires(&doc, "functions", "artists"),
        ["artist-lookup", "artists-db", "www-artist"]
    );
}

#[test]
fn rhdh_hub_depends_on_its_five_resources() {
    let (doc, _) = collect(&[&sample("rhdh/catalog-entities/all.yaml")]);
    assert_eq!(
        requires(&doc, "services", "red-hat-developer-hub"),
        ["argocd", "github", "keycloak", "obc", "pgdb"]
    );
    assert_eq!(ids(&doc, "resources").len(), 5);
    assert_loads(&doc);
}

#[test]
fn one_platform_keeps_its_dependency_cycle_and_namespaced_refs() {
    let (doc, stderr) = collect(&[&sample("one-platform/catalog-info.yaml")]);
    let gateway = requires(&doc, "services", "one-platform-api-gateway");
    assert!(
        gateway.contains(&Value::from("one-platform-search-service")),
        "{gateway:?}"
    );
    let search = requires(&doc, "services", "one-platform-search-service");
    assert!(
        search.contains(&Value::from("one-platform-api-gateway")),
        "{search:?}"
    );
    // 21 relative targets (all present) + the root; the URL target is not fetched.
    assert!(stderr.contains("read 22 catalog files"), "{stderr}");
    assert!(
        stderr.contains("1 URL location targets not fetched"),
        "{stderr}"
    );
    assert_loads(&doc);
}

#[test]
fn giantswarm_duplicates_keep_one_component_per_name_with_a_warning_each() {
    let (doc, stderr) = collect(&[&sample("giantswarm/catalogs/charts.yaml")]);
    // 75 Component documents, 7 of them repeat one of 6 names.
    assert_eq!(ids(&doc, "services").len(), 68);
    assert_eq!(
        stderr.matches("warning[catalog-duplicate-entity]").count(),
        7
    );
    assert_loads(&doc);
}

#[test]
fn every_sample_file_collects_without_error() {
    let root = repo_root().join("../shared/samples/backstage");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("samples are readable") {
            let path = entry.expect("samples are readable").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path_str(&path));
            }
        }
    }
    assert_eq!(files.len(), 91, "SOURCES.md counts 91 Backstage files");
    for file in files {
        let (doc, _) = collect(&["-q", &file]);
        assert_eq!(doc["version"], 1, "{file}");
    }
}

#[test]
fn a_consumer_of_an_api_requires_the_component_that_provides_it() {
    let (doc, stderr) = collect(&[CATALOG, "--functions-from", "system"]);
    assert_eq!(
        requires(&doc, "services", "web-frontend"),
        ["orders", "payments"]
    );
    assert_eq!(
        requires(&doc, "services", "orders"),
        ["order-events", "orders-db"]
    );
    assert_eq!(ids(&doc, "functions"), ["ordering", "storefront"]);
    assert_eq!(
        doc["services"]["orders"]["tags"]["backstage-ref"],
        "component:default/orders"
    );
    assert!(
        stderr.contains("skipped 2 Group, 1 Template, 1 User"),
        "{stderr}"
    );
    assert_loads(&doc);
}

#[test]
fn a_duplicated_entity_keeps_the_first_definition_with_a_warning() {
    let (doc, stderr) = collect(&["fixtures/backstage/edge-cases/catalog-info.yaml"]);
    assert!(
        stderr.contains(
            "warning[catalog-duplicate-entity]: `component:default/inventory` is defined twice"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("fixtures/backstage/edge-cases/more.yaml:11:9"),
        "{stderr}"
    );
    // The first definition (with its dependencies) is the one kept.
    assert_eq!(
        requires(&doc, "services", "inventory"),
        ["inventory-db", "pricing"]
    );
    assert!(stderr.contains("skipped 1 AiResource"), "{stderr}");
    // `pricing` is not in the catalog: an empty node, so the document loads.
    assert_eq!(doc["services"]["pricing"]["requires"], Value::Null);
    assert_loads(&doc);
}

#[test]
fn a_location_loop_and_a_missing_target_end_with_a_warning() {
    let r = run(&[
        "collect",
        "backstage",
        "fixtures/backstage/edge-cases/catalog-info.yaml",
    ]);
    r.assert_code(0);
    assert!(
        r.stderr.contains(
            "warning[catalog-target-missing]: location target fixtures/backstage/edge-cases/not-there.yaml"
        ),
        "{}",
        r.stderr
    );
    // catalog-info.yaml → more.yaml → catalog-info.yaml: each read once.
    assert!(r.stderr.contains("read 2 catalog files"), "{}", r.stderr);
}

#[test]
fn a_malformed_catalog_exits_2_naming_the_file_and_position() {
    let r = run(&[
        "collect",
        "backstage",
        "fixtures/backstage/malformed/catalog-info.yaml",
    ]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("error[malformed-catalog]"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("fixtures/backstage/malformed/catalog-info.yaml:7:8"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_catalog_file_that_does_not_exist_exits_2() {
    let r = run(&["collect", "backstage", "fixtures/backstage/nope.yaml"]);
    r.assert_code(2);
    assert!(r.stderr.contains("error[unreadable-file]"), "{}", r.stderr);
}

#[test]
fn rename_joins_a_catalog_name_to_another_id_everywhere_it_is_used() {
    let (doc, _) = collect(&[CATALOG, "--rename", "payments=payment-service"]);
    assert!(ids(&doc, "services").contains(&"payment-service".to_owned()));
    assert!(!ids(&doc, "services").contains(&"payments".to_owned()));
    assert_eq!(
        requires(&doc, "services", "web-frontend"),
        ["orders", "payment-service"]
    );
    assert!(edges(&doc).contains(&("web-frontend".to_owned(), "payment-service".to_owned())));
}

#[test]
fn analyze_needs_both_the_catalog_and_the_placement_file() {
    let dir = temp_dir();
    let catalog = path_str(&dir.path().join("catalog.json"));
    run(&[
        "-q",
        "collect",
        "backstage",
        CATALOG,
        "--functions-from",
        "system",
        "-o",
        &catalog,
    ])
    .assert_code(0);
    let both = run(&["analyze", &catalog, PLACEMENT, "--fail", "region:eu-west-1"]);
    both.assert_code(0);
    // storefront has nothing in eu-west-1 itself: it breaks through the
    // API it consumes, an edge only the catalog knows.
    assert!(
        both.stdout
            .contains("path:   storefront → web-frontend → payments"),
        "{}",
        both.stdout
    );
    // The catalog alone has no regions; the placement alone no functions.
    let catalog_only = run(&["analyze", &catalog, "--fail", "region:eu-west-1"]);
    assert_eq!(catalog_only.code, Some(2), "{}", catalog_only.stderr);
    let placement_only = run(&["analyze", PLACEMENT, "--fail", "region:eu-west-1"]);
    assert!(
        !placement_only.stdout.contains("storefront"),
        "{}",
        placement_only.stdout
    );
}

#[test]
fn output_file_holds_the_same_bytes_as_stdout() {
    let dir = temp_dir();
    let out = path_str(&dir.path().join("c.json"));
    let stdout = run(&["collect", "backstage", CATALOG]);
    stdout.assert_code(0);
    run(&["collect", "backstage", CATALOG, "-o", &out]).assert_code(0);
    let written = std::fs::read_to_string(&out).expect("-o wrote the file");
    assert_eq!(written, stdout.stdout);
}
