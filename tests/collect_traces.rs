//! `blastmap collect traces`: each format, on the real exports under
//! `../shared/samples/traces/` (never copied into the project) and on the
//! small files under `fixtures/traces/`; malformed and unknown files; and
//! the merge of a traces document with a hand-written estate.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{exec, ok, path_str, repo_root, temp_dir};

/// A real export, as an argument (relative to the repository root, where
/// the binary runs).
fn sample(relative: &str) -> String {
    let path = repo_root().join("../shared/samples/traces").join(relative);
    assert!(path.is_file(), "missing sample {}", path.display());
    path_str(&path)
}

/// `collect traces ARGS...` as a parsed document.
fn collect(args: &[&str]) -> Value {
    let mut all = vec!["collect", "traces"];
    all.extend_from_slice(args);
    let out = ok(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}):\n{out}"))
}

fn services(doc: &Value) -> BTreeSet<String> {
    doc["services"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every call as `from -> to`, from `meta.edges`.
fn calls(doc: &Value) -> BTreeSet<String> {
    doc["meta"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} -> {}",
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The calls `requires` states, as `from -> to`.
fn required(doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (id, node) in doc["services"].as_object().into_iter().flatten() {
        for to in node["requires"].as_array().into_iter().flatten() {
            out.insert(format!("{id} -> {}", to.as_str().unwrap()));
        }
    }
    out
}

#[test]
fn jaeger_ui_small_dependencies_give_8_services_and_7_calls() {
    let doc = collect(&[&sample("jaeger-dependencies/jaeger-ui-small.json")]);
    assert_eq!(services(&doc).len(), 8);
    assert_eq!(calls(&doc).len(), 7);
    assert!(calls(&doc).contains("Service2 -> Service4"));
    assert_eq!(required(&doc), calls(&doc));
    let source = &doc["meta"]["sources"][0];
    assert_eq!(source["collector"], "traces");
    assert_eq!(source["complete"], true);
}

#[test]
fn jaeger_ui_large_dependencies_keep_every_service_and_link() {
    let doc = collect(&[&sample("jaeger-dependencies/jaeger-ui-large.json")]);
    assert_eq!(services(&doc).len(), 1238);
    assert_eq!(calls(&doc).len(), 4271);
}

#[test]
fn a_bare_jaeger_trace_gives_the_call_between_its_two_services() {
    let doc = collect(&[&sample("jaeger-traces/jaeger-ui_01.json")]);
    assert_eq!(services(&doc), set(&["service-x", "service-y"]));
    assert_eq!(calls(&doc), set(&["service-x -> service-y"]));
}

#[test]
fn petclinic_api_gateway_calls_customers_service() {
    let doc = collect(&[&sample(
        "jaeger-traces/jaeger-ui-petclinic-spansAmongEachOther.json",
    )]);
    assert_eq!(services(&doc), set(&["api-gateway", "customers-service"]));
    assert_eq!(calls(&doc), set(&["api-gateway -> customers-service"]));
}

#[test]
fn a_jaeger_api_response_with_one_service_has_no_call() {
    let doc = collect(&[&sample("jaeger-traces/jaeger-analytics-java-ui-trace.json")]);
    assert_eq!(services(&doc), set(&["jaeger-query"]));
    assert!(calls(&doc).is_empty());
}

#[test]
fn the_genai_trace_gives_its_10_services() {
    let doc = collect(&[&sample("jaeger-traces/jaeger-ui-genaiTestTrace.json")]);
    assert_eq!(services(&doc).len(), 10, "{:?}", services(&doc));
    assert!(calls(&doc).contains("api-edge -> graphql-gateway"));
    assert!(calls(&doc).contains("mcp-gateway -> auth-service"));
}

#[test]
fn tempo_batches_with_base64_ids_and_string_kinds_give_the_bookinfo_calls() {
    let doc = collect(&[&sample("otlp-json/kiali-bookinfo-responseTrace.json")]);
    assert_eq!(services(&doc).len(), 5);
    assert_eq!(
        calls(&doc),
        set(&[
            "istio-ingressgateway.istio-system -> productpage.bookinfo",
            "productpage.bookinfo -> details.bookinfo",
            "productpage.bookinfo -> reviews.bookinfo",
            "reviews.bookinfo -> ratings.bookinfo",
        ])
    );
}

#[test]
fn otlp_files_of_one_service_give_that_service_and_no_call() {
    for (file, service) in [
        ("otlp-json/opentelemetry-proto-trace.json", "my.service"),
        (
            "otlp-json/opentelemetry-rust-expected-traces.json",
            "basic-otlp-tracing-example",
        ),
        (
            "otlp-json/jaeger-ui-otlp2jaeger-multi-in.jsonl",
            "example-trace",
        ),
    ] {
        let doc = collect(&[&sample(file)]);
        assert_eq!(services(&doc), set(&[service]), "{file}");
        assert!(calls(&doc).is_empty(), "{file}");
    }
}

#[test]
fn xray_service_graph_leaves_the_client_node_out_and_keeps_aws_callees() {
    let doc = collect(&[&sample(
        "xray/awsdocs-xray-api-gettingdata-GetServiceGraph.json",
    )]);
    assert_eq!(
        calls(&doc),
        set(&[
            "xray-sample.elasticbeanstalk.com -> SNS",
            "xray-sample.elasticbeanstalk.com -> awseb-e-dixzws4s9p-stack-StartupSignupsTable-4IMSMHAYX2BA",
        ])
    );
    assert_eq!(doc["meta"]["edges"][0]["calls"], 2);
}

#[test]
fn xray_batch_get_traces_reads_segment_documents_and_drops_self_calls() {
    let doc = collect(&[&sample(
        "xray/awsdocs-xray-api-gettingdata-BatchGetTraces.json",
    )]);
    assert_eq!(
        calls(&doc),
        set(&[
            "Scorekeep -> DynamoDB",
            "Scorekeep -> random-name",
            "random-name -> SNS"
        ])
    );
}

#[test]
fn an_array_of_xray_pages_is_read_page_by_page() {
    let doc = collect(&[&sample("xray/stackstate-get_xray_traces.json")]);
    assert!(
        calls(&doc).contains("custom-lambda-api-gw -> test-get"),
        "{:?}",
        calls(&doc)
    );
    assert!(calls(&doc).contains("test-delete -> DynamoDB"));
}

#[test]
fn each_fixture_format_gives_its_documented_calls() {
    for (file, expected) in [
        (
            "fixtures/traces/jaeger-dependencies.json",
            &[
                "orders -> payments",
                "search -> recommendations",
                "web -> orders",
                "web -> search",
            ][..],
        ),
        (
            "fixtures/traces/jaeger-traces.json",
            &["orders -> orders-db", "web -> orders"],
        ),
        (
            "fixtures/traces/otlp-shop.jsonl",
            &["orders -> orders-db", "web -> orders"],
        ),
        (
            "fixtures/traces/xray-service-graph.json",
            &["web -> order-events", "web -> orders-table"],
        ),
        (
            "fixtures/traces/xray-traces.json",
            &["orders -> DynamoDB", "web -> orders"],
        ),
    ] {
        let doc = collect(&[file]);
        assert_eq!(calls(&doc), set(expected), "{file}");
        assert_eq!(required(&doc), set(expected), "{file}");
    }
}

#[test]
fn follows_from_is_not_a_call_but_its_service_is_kept() {
    let doc = collect(&["fixtures/traces/jaeger-traces.json"]);
    assert!(services(&doc).contains("mailer"));
    assert!(!calls(&doc).iter().any(|c| c.ends_with("mailer")));
}

#[test]
fn flags_drop_rare_calls_soften_callees_and_rename_services() {
    let doc = collect(&[
        "fixtures/traces/jaeger-dependencies.json",
        "--min-calls",
        "10",
        "--optional",
        "search",
        "--rename",
        "web=storefront",
    ]);
    assert!(!calls(&doc).contains("search -> recommendations"));
    assert_eq!(
        required(&doc),
        set(&["orders -> payments", "storefront -> orders"])
    );
    assert_eq!(doc["services"]["storefront"]["optional"][0], "search");
    assert!(!services(&doc).contains("web"));
}

#[test]
fn the_same_inputs_give_the_same_bytes_and_o_writes_the_file() {
    let dir = temp_dir();
    let out = path_str(&dir.path().join("traces.json"));
    let args = ["collect", "traces", "fixtures/traces/otlp-shop.jsonl"];
    let stdout = ok(&args);
    ok(&[&args[..], &["-o", &out]].concat());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout);
    assert_eq!(ok(&[&args[..], &["-o", "-"]].concat()), stdout);
}

#[test]
fn a_truncated_trace_file_exits_2_naming_file_line_and_column() {
    let dir = temp_dir();
    let path = dir.path().join("cut.json");
    let text =
        std::fs::read_to_string(repo_root().join("fixtures/traces/jaeger-traces.json")).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let file = path_str(&path);
    let (code, _, stderr) = exec(&["collect", "traces", &file]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("[malformed-trace]"), "{stderr}");
    assert!(stderr.contains(&format!("{file}:")), "{stderr}");
    assert!(stderr.contains("EOF while parsing"), "{stderr}");
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn a_malformed_trace_file_says_what_was_expected_where() {
    let dir = temp_dir();
    let path = dir.path().join("bad.json");
    std::fs::write(
        &path,
        "{\"data\": [\n  {\"parent\": \"a\" \"child\": \"b\"}\n]}\n",
    )
    .unwrap();
    let file = path_str(&path);
    let (code, _, stderr) = exec(&["collect", "traces", &file]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("{file}:2:18")), "{stderr}");
    assert!(stderr.contains("expected `,` or `}`"), "{stderr}");
}

#[test]
fn a_file_of_no_trace_format_exits_2_listing_the_formats() {
    let (code, _, stderr) = exec(&["collect", "traces", "fixtures/traces/estate.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("[malformed-trace]"),
        "YAML is not JSON: {stderr}"
    );
    let dir = temp_dir();
    let path = dir.path().join("other.json");
    std::fs::write(&path, r#"{"version": 1, "services": {}}"#).unwrap();
    let (code, _, stderr) = exec(&["collect", "traces", &path_str(&path)]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("[unknown-trace-format]"), "{stderr}");
    for format in [
        "jaeger-dependencies",
        "jaeger-traces",
        "otlp",
        "xray-service-graph",
        "xray-traces",
    ] {
        assert!(stderr.contains(format), "{format}: {stderr}");
    }
}

#[test]
fn input_format_refuses_a_file_of_another_format() {
    let (code, _, stderr) = exec(&[
        "collect",
        "traces",
        "fixtures/traces/jaeger-dependencies.json",
        "--input-format",
        "otlp",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("does not hold otlp traces"), "{stderr}");
    let (code, _, stderr) = exec(&["collect", "traces", "x.json", "--input-format", "zipkin"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not a trace format"), "{stderr}");
}

#[test]
fn traces_and_a_hand_written_estate_merge_into_an_answer_that_needs_both() {
    let dir = temp_dir();
    let traces = path_str(&dir.path().join("traces.json"));
    ok(&[
        "collect",
        "traces",
        "fixtures/traces/otlp-shop.jsonl",
        "-o",
        &traces,
    ]);
    let estate = "fixtures/traces/estate.yaml";
    let both = ok(&["analyze", estate, &traces, "--fail", "zone:use1-az1"]);
    assert!(both.contains("1 of 1 functions down"), "{both}");
    assert!(
        both.contains("checkout → web → orders → orders-asg"),
        "{both}"
    );
    let alone = ok(&["analyze", estate, "--fail", "zone:use1-az1"]);
    assert!(alone.contains("0 of 1 functions down"), "{alone}");
}

#[test]
fn rename_file_joins_trace_names_to_estate_ids() {
    // The estate calls the front end `storefront`; the traces call it `web`.
    let dir = temp_dir();
    let estate_text = std::fs::read_to_string(repo_root().join("fixtures/traces/estate.yaml"))
        .unwrap()
        .replace("web", "storefront");
    let estate = dir.path().join("estate.yaml");
    std::fs::write(&estate, estate_text).unwrap();
    let map = dir.path().join("names.toml");
    std::fs::write(
        &map,
        "# trace name = estate id\n[rename]\nweb = \"storefront\"\norders = \"wrong\"\n",
    )
    .unwrap();
    let traces = path_str(&dir.path().join("traces.json"));
    let map = path_str(&map);
    let doc = collect(&[
        "fixtures/traces/otlp-shop.jsonl",
        "--rename-file",
        &map,
        "--rename",
        "orders=orders",
    ]);
    assert_eq!(
        required(&doc),
        set(&["storefront -> orders", "orders -> orders-db"]),
        "the file renames web and the flag wins over its entry for orders"
    );
    ok(&[
        "collect",
        "traces",
        "fixtures/traces/otlp-shop.jsonl",
        "--rename-file",
        &map,
        "--rename",
        "orders=orders",
        "-o",
        &traces,
    ]);
    let both = ok(&[
        "analyze",
        &path_str(&estate),
        &traces,
        "--fail",
        "zone:use1-az1",
    ]);
    assert!(both.contains("1 of 1 functions down"), "{both}");
    assert!(
        both.contains("checkout → storefront → orders → orders-asg"),
        "{both}"
    );
}

#[test]
fn a_rename_file_with_a_mistake_is_an_error_at_its_line() {
    let dir = temp_dir();
    let map = dir.path().join("names.toml");
    std::fs::write(&map, "[rename]\nweb = \"storefront\"\norders = 3\n").unwrap();
    let map = path_str(&map);
    for command in ["traces", "backstage"] {
        let input = match command {
            "traces" => "fixtures/traces/otlp-shop.jsonl",
            _ => "fixtures/backstage/catalog/catalog-info.yaml",
        };
        let (code, stdout, stderr) = exec(&["collect", command, input, "--rename-file", &map]);
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stdout.is_empty(), "{command}: nothing is written: {stdout}");
        assert!(stderr.contains("[invalid-value]"), "{command}: {stderr}");
        assert!(stderr.contains("names.toml:3:10"), "{command}: {stderr}");
        assert!(stderr.contains("`orders`"), "{command}: {stderr}");
    }
}

#[test]
fn analyze_text_shows_where_each_edge_of_a_path_was_observed() {
    let dir = temp_dir();
    let traces = path_str(&dir.path().join("traces.json"));
    ok(&[
        "collect",
        "traces",
        "fixtures/traces/otlp-shop.jsonl",
        "-o",
        &traces,
    ]);
    let estate = "fixtures/traces/estate.yaml";
    let args = ["analyze", estate, &traces, "--fail", "zone:use1-az1"];
    let text = ok(&args);
    let path_line = "    path:   checkout → web → orders → orders-asg\n";
    let observed = format!("    observed: web → orders in traces (otlp, 1 call, {traces})\n");
    assert!(
        text.contains(&format!("{path_line}{observed}")),
        "the traced edge, right after the path; the hand-written ones (checkout → web, \
         orders → orders-asg) say nothing:\n{text}"
    );
    assert_eq!(text.matches("observed:").count(), 1, "{text}");

    let json: Value = serde_json::from_str(&ok(&[&args[..], &["-f", "json"]].concat())).unwrap();
    let provenance = &json["functions"][0]["provenance"];
    assert_eq!(
        provenance,
        &serde_json::json!([{
            "calls": 1, "collector": "traces", "document": traces,
            "from": "web", "source": "otlp", "to": "orders"
        }]),
        "{json}"
    );
    let markdown = ok(&[&args[..], &["-f", "markdown"]].concat());
    assert!(
        markdown.contains("<br>observed: web → orders in traces (otlp, 1 call,"),
        "{markdown}"
    );

    let alone: Value = serde_json::from_str(&ok(&[
        "analyze",
        "fixtures/shop",
        "--fail",
        "region:us-east-1",
        "-f",
        "json",
    ]))
    .unwrap();
    assert!(
        alone["functions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f.get("provenance").is_none()),
        "a hand-written estate has no provenance field: {alone}"
    );
}
