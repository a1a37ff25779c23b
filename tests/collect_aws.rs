//! `blastmap collect aws` against a real AWS-protocol server (moto) through
//! the real SDK: the built binary, no mock of either. A two-region estate
//! with every resource type the collector places is seeded, collected and
//! compared whole; faults (throttling, 5xx, resets, a hung response, access
//! denied in one region, the server killed mid-pagination) go through the
//! fault proxy of `tests/support/fault_proxy.rs`.
#![cfg(feature = "aws")]

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
#[path = "support/moto.rs"]
mod moto;

use std::collections::BTreeMap;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use self::fault_proxy::{Fault, FaultProxy};
use self::moto::{Moto, ACCOUNT};
use crate::util;

/// Runs `blastmap collect aws ARGS -o OUT` against `endpoint` with the
/// test's dummy credentials; the output and the written document.
fn collect(moto: &Moto, endpoint: &str, args: &[&str]) -> (Output, Value) {
    let out = moto.path("inventory.json");
    let _ = std::fs::remove_file(&out);
    let mut command = util::blastmap();
    command
        .arg("collect")
        .arg("aws")
        .args(args)
        .arg("-o")
        .arg(&out);
    for var in [
        "AWS_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "CI",
    ] {
        command.env_remove(var);
    }
    command.envs(moto.env(endpoint)).env("NO_COLOR", "1");
    let output = command.output().expect("the binary starts");
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "collect aws wrote no file ({e}):\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let document = serde_json::from_str(&text).expect("collect aws writes JSON");
    (output, document)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The `resources` section reduced to what the seed script predicts.
fn resources_of(document: &Value) -> BTreeMap<String, Value> {
    document["resources"]
        .as_object()
        .expect("a resources section")
        .iter()
        .map(|(arn, node)| {
            let mut entry = serde_json::Map::new();
            entry.insert("tags".into(), node["tags"].clone());
            entry.insert("zones".into(), node["zones"].clone());
            if let Some(region) = node.get("region") {
                entry.insert("region".into(), region.clone());
            }
            (arn.clone(), Value::Object(entry))
        })
        .collect()
}

fn source(document: &Value) -> &Value {
    let sources = document["meta"]["sources"]
        .as_array()
        .expect("meta.sources");
    assert_eq!(sources.len(), 1, "one account, one source: {sources:?}");
    &sources[0]
}

#[test]
fn collect_aws_lists_two_regions_whole_with_zones_services_and_functions() {
    let moto = Moto::start();
    let seeded = moto.seed(&["shop"]);
    let (output, document) = collect(
        &moto,
        &moto.endpoint(),
        &["--regions", "us-east-1,eu-west-1", "--page-size", "5"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let expected: BTreeMap<String, Value> = seeded["resources"]
        .as_object()
        .expect("the seed prints resources")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(resources_of(&document), expected);

    let source = source(&document);
    assert_eq!(source["account"], ACCOUNT);
    assert_eq!(source["complete"], true);
    assert_eq!(
        source["regions"],
        serde_json::json!(["eu-west-1", "us-east-1"])
    );
    assert!(
        source["collector"]
            .as_str()
            .is_some_and(|c| c.starts_with("aws-tagging") && c.contains("tagged resources only")),
        "{source}"
    );
    assert_eq!(document["meta"]["collected_at"], "2026-11-30T12:00:00Z");

    // Services per region and overall, from the service tags (SPEC §5).
    let services = document["services"].as_object().expect("services");
    let ids: Vec<&str> = services.keys().map(String::as_str).collect();
    assert_eq!(
        ids,
        [
            "svc:catalog",
            "svc:catalog@eu-west-1",
            "svc:catalog@us-east-1",
            "svc:notifications",
            "svc:notifications@eu-west-1",
            "svc:notifications@us-east-1",
            "svc:orders",
            "svc:orders@us-east-1",
            "svc:payments",
            "svc:payments@eu-west-1",
            "svc:payments@us-east-1",
            "svc:sessions",
            "svc:sessions@eu-west-1",
            "svc:sessions@us-east-1",
            "svc:web",
            "svc:web@eu-west-1",
            "svc:web@us-east-1",
        ]
    );
    // web in eu-west-1 depends on orders, which only us-east-1 has: the
    // regional deployment requires the whole service; in us-east-1 the
    // local one. Both require their local sessions.
    let requires = |id: &str| services[id]["requires"].to_string();
    assert!(
        requires("svc:web@eu-west-1").contains("\"svc:orders\""),
        "{}",
        requires("svc:web@eu-west-1")
    );
    assert!(requires("svc:web@eu-west-1").contains("svc:sessions@eu-west-1"));
    assert!(requires("svc:web@us-east-1").contains("svc:orders@us-east-1"));
    let functions = document["functions"].as_object().expect("functions");
    let names: Vec<&str> = functions.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["checkout", "login", "marketing-emails", "order-tracking"]
    );
    assert_eq!(functions["checkout"]["criticality"], "critical");

    // The collected file answers "what breaks if us-east-1 goes?".
    let file = moto.path("inventory.json");
    let (code, stdout, err) = util::exec(&[
        "analyze",
        &util::path_str(&file),
        "--fail",
        "region:us-east-1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&stdout).expect("analyze writes JSON");
    let status: BTreeMap<&str, &str> = report["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap_or(""),
                f["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(status["checkout"], "down");
    assert_eq!(status["order-tracking"], "down");
    assert_eq!(status["login"], "degraded");
    assert_eq!(status["marketing-emails"], "degraded");

    // Same account, same answers: the same bytes.
    let first = std::fs::read(&file).expect("the inventory");
    let (again, _) = collect(
        &moto,
        &moto.endpoint(),
        &["--regions", "eu-west-1,us-east-1"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(std::fs::read(&file).expect("the inventory"), first);
}

/// A moto seeded with `count` tagged queues over the two regions, and a
/// fault proxy in front of it.
fn bulk(count: usize) -> (Moto, FaultProxy) {
    let moto = Moto::start();
    moto.seed(&["bulk", &count.to_string()]);
    let proxy = FaultProxy::start(moto.port);
    (moto, proxy)
}

const FAST: &[&str] = &[
    "--regions",
    "us-east-1,eu-west-1",
    "--page-size",
    "4",
    "--max-attempts",
    "4",
    "--attempt-timeout",
    "2",
    "--operation-timeout",
    "20",
];

#[test]
fn throttling_and_server_errors_are_retried_to_a_complete_inventory() {
    let (moto, proxy) = bulk(30);
    proxy
        .fault("GetResources", 2, Fault::Throttle400)
        .fault("GetResources", 4, Fault::Throttle429)
        .fault("GetResources", 6, Fault::Status500)
        .fault("GetResources", 8, Fault::Status503);
    let (output, document) = collect(&moto, &proxy.endpoint(), FAST);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(resources_of(&document).len(), 30);
    assert_eq!(source(&document)["complete"], true);
    // 15 queues a region, 4 a page: 4 pages each, plus the 4 refused.
    assert_eq!(proxy.seen("GetResources"), 8 + 4);
}

#[test]
fn a_reset_after_the_server_answered_restarts_the_region_from_its_first_page() {
    let (moto, proxy) = bulk(30);
    // The server spent page 2's token; its retry gets
    // PaginationTokenExpiredException, so the region starts again.
    proxy.fault("GetResources", 2, Fault::ResetAfterForward);
    let mut args = FAST.to_vec();
    args.extend(["--concurrency", "1"]);
    let (output, document) = collect(&moto, &proxy.endpoint(), &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(resources_of(&document).len(), 30);
    assert_eq!(source(&document)["complete"], true);
    // 8 pages without the fault; the reset page and the first pages read
    // again come on top.
    assert!(
        proxy.seen("GetResources") >= 10,
        "{}",
        proxy.seen("GetResources")
    );
}

#[test]
fn a_response_that_never_comes_is_abandoned_after_the_attempt_timeout() {
    let (moto, proxy) = bulk(30);
    proxy.fault("GetResources", 3, Fault::Hang);
    let started = Instant::now();
    let (output, document) = collect(&moto, &proxy.endpoint(), FAST);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(resources_of(&document).len(), 30);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the hung attempt was abandoned: {:?}",
        started.elapsed()
    );
}

#[test]
fn access_denied_in_one_region_writes_the_others_and_exits_3() {
    let (moto, proxy) = bulk(30);
    proxy.deny_region("eu-west-1");
    let (output, document) = collect(&moto, &proxy.endpoint(), FAST);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let resources = resources_of(&document);
    assert_eq!(resources.len(), 15, "us-east-1's 15 queues");
    assert!(resources.keys().all(|arn| arn.contains(":us-east-1:")));
    let source = source(&document);
    assert_eq!(source["complete"], false);
    let errors = source["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["region"], "eu-west-1");
    assert!(
        errors[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("AccessDenied")),
        "{errors:?}"
    );
    assert!(
        stderr(&output).contains("INCOMPLETE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_server_killed_mid_pagination_keeps_every_resource_read_and_exits_3() {
    let (moto, proxy) = bulk(30);
    // One listing at a time: the first region reads two pages, then the
    // server is gone; the second region finds nobody.
    proxy.kill_after("GetResources", 2, moto.killer());
    let mut args = FAST.to_vec();
    let attempts = args
        .iter()
        .position(|a| *a == "--max-attempts")
        .expect("FAST sets it");
    args[attempts + 1] = "2";
    args.extend(["--concurrency", "1"]);
    let (output, document) = collect(&moto, &proxy.endpoint(), &args);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let resources = resources_of(&document);
    assert_eq!(
        resources.len(),
        8,
        "the two pages read: {:?}",
        resources.keys()
    );
    let regions: std::collections::BTreeSet<&str> = resources
        .keys()
        .filter_map(|arn| arn.split(':').nth(3))
        .collect();
    assert_eq!(regions.len(), 1, "one region was read: {regions:?}");
    let source = source(&document);
    assert_eq!(source["complete"], false);
    let failed: Vec<&str> = source["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["region"].as_str())
        .collect();
    assert_eq!(failed, ["eu-west-1", "us-east-1"]);
}
