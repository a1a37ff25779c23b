//! The tag model of SPEC §5 end to end: a two-region estate of tagged
//! resources, as the SDK collector will list it, turned into a document
//! (`collect::tag_model::build`), written as JSON, read back by the real
//! loader, and analysed by the built binary under a region failure.

use std::collections::BTreeMap;

use blastmap::collect::tag_model::{
    build, Built, ListedResource, Listing, Model, Options, TAGGED_ONLY_NOTE,
};
use blastmap::diag::Code;
use blastmap::graph::Attr;
use blastmap::load::{load_documents, Loaded, Source};
use blastmap::model::document::{CollectError, SourceMeta, Zones};
use serde_json::{json, Value};

use crate::util::{path_str, run, temp_dir};

const ACCOUNT: &str = "111122223333";
const WEB1: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-web1";
const WEB2: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-web2";
const WEB3: &str = "arn:aws:ec2:eu-west-1:111122223333:instance/i-web3";
const CDN: &str = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE";
const ORDERS_APP: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-orders1";
const ORDERS_DB: &str = "arn:aws:rds:us-east-1:111122223333:db:orders";
const CATALOG_USE1: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/catalog";
const CATALOG_EUW1: &str = "arn:aws:dynamodb:eu-west-1:111122223333:table/catalog";
const IMAGES: &str = "arn:aws:s3:::shop-images";
const BASTION: &str = "arn:aws:ec2:us-east-1:111122223333:instance/i-bastion";

fn zones(list: &[&str]) -> Zones {
    Zones::List(list.iter().map(|z| (*z).to_owned()).collect())
}

/// The estate: `web` (EC2 in two zones of us-east-1 and one of eu-west-1,
/// plus a global CloudFront distribution) depends on `catalog` (a DynamoDB
/// global table and an S3 bucket in eu-west-1) and on `orders` (single
/// region: an instance and a Multi-AZ RDS instance in us-east-1). Two
/// functions, with criticality tags (one invalid), a depends-on a service
/// that has no resource, and an untagged bastion.
fn estate() -> Vec<ListedResource> {
    vec![
        ListedResource::new(WEB1)
            .zones(zones(&["use1-az1"]))
            .tag("service", "web")
            .tag("business-function", "browse")
            .tag("criticality", "high")
            .tag("depends-on", "catalog+orders"),
        ListedResource::new(WEB2)
            .zones(zones(&["use1-az2"]))
            .tag("service", "web")
            .tag("business-function", "checkout")
            .tag("criticality", "critical")
            .tag("depends-on", "catalog"),
        ListedResource::new(WEB3)
            .zones(zones(&["euw1-az1"]))
            .tag("service", "web")
            .tag("business-function", "browse")
            .tag("depends-on", "catalog"),
        ListedResource::new(CDN).tag("service", "web"),
        ListedResource::new(ORDERS_APP)
            .zones(zones(&["use1-az1"]))
            .tag("service", "orders"),
        ListedResource::new(ORDERS_DB)
            .zones(zones(&["use1-az1", "use1-az2"]))
            .tag("service", "orders")
            .tag("business-function", "checkout")
            .tag("criticality", "urgent")
            .tag("depends-on", "ghost"),
        ListedResource::new(CATALOG_USE1)
            .zones(Zones::Every)
            .tag("service", "catalog")
            .tag("business-function", "browse")
            .tag("criticality", "low"),
        ListedResource::new(CATALOG_EUW1)
            .zones(Zones::Every)
            .tag("service", "catalog"),
        ListedResource::new(IMAGES)
            .region("eu-west-1")
            .zones(Zones::Every)
            .tag("service", "catalog"),
        ListedResource::new(BASTION)
            .zones(zones(&["use1-az4"]))
            .tag("Name", "bastion"),
    ]
}

fn source(complete: bool) -> SourceMeta {
    SourceMeta {
        account: Some(ACCOUNT.to_owned()),
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        complete,
        ..SourceMeta::complete("aws-tagging")
    }
}

fn listing(resources: Vec<ListedResource>) -> Listing {
    Listing {
        sources: vec![source(true)],
        resources,
        collected_at: "2026-11-24T10:00:00Z".into(),
    }
}

fn tags_model(resources: Vec<ListedResource>) -> Built {
    build(&listing(resources), &Options::default())
}

/// The document as written, parsed back as plain JSON.
fn written(built: &Built) -> Value {
    serde_json::from_str(&built.document.to_json_string()).expect("the document is JSON")
}

fn load(json: &str) -> Loaded {
    let sources = [Source {
        name: "inventory.json".into(),
        text: json.to_owned(),
    }];
    load_documents(&sources).unwrap_or_else(|e| panic!("the inventory must load:\n{e}\n{json}"))
}

/// `blastmap analyze FILE --fail DOMAIN --format json` on `json` written
/// to a temporary file: function id → (status, causes, path).
fn analyze(json: &str, domain: &str) -> BTreeMap<String, (String, Value, Value)> {
    let dir = temp_dir();
    let file = dir.path().join("inventory.json");
    std::fs::write(&file, json).expect("the inventory can be written");
    let file = path_str(&file);
    let args = ["analyze", &file, "--fail", domain, "--format", "json"];
    let out = run(&args);
    out.assert_code(0);
    let report: Value = serde_json::from_str(&out.stdout).expect("analyze writes JSON");
    report["functions"]
        .as_array()
        .expect("functions is a list")
        .iter()
        .map(|f| {
            (
                f["id"].as_str().expect("an id").to_owned(),
                (
                    f["status"].as_str().expect("a status").to_owned(),
                    f["causes"].clone(),
                    f["path"].clone(),
                ),
            )
        })
        .collect()
}

#[test]
fn every_derived_service_and_requirement_follows_the_tag_convention() {
    let doc = written(&tags_model(estate()));
    assert_eq!(
        doc["services"],
        json!({
            "svc:catalog": {"requires": [{"any": ["svc:catalog@eu-west-1", "svc:catalog@us-east-1"]}]},
            "svc:catalog@eu-west-1": {"region": "eu-west-1", "requires": [
                {"any": [CATALOG_EUW1]}, {"any": [IMAGES]}]},
            "svc:catalog@us-east-1": {"region": "us-east-1", "requires": [{"any": [CATALOG_USE1]}]},
            "svc:orders": {"requires": [{"any": ["svc:orders@us-east-1"]}]},
            "svc:orders@us-east-1": {"region": "us-east-1", "requires": [
                {"any": [ORDERS_APP]}, {"any": [ORDERS_DB]}]},
            "svc:web": {"requires": [{"any": ["svc:web@eu-west-1", "svc:web@us-east-1"]}]},
            "svc:web@eu-west-1": {"region": "eu-west-1", "requires": [
                {"any": [CDN]}, {"any": [WEB3]}, "svc:catalog@eu-west-1"]},
            "svc:web@us-east-1": {"region": "us-east-1", "requires": [
                {"any": [CDN]}, {"any": [WEB1, WEB2]},
                "svc:catalog@us-east-1", "svc:orders@us-east-1"]},
        })
    );
    assert_eq!(
        doc["functions"],
        json!({
            "browse": {"criticality": "high", "requires": ["svc:catalog", "svc:web"]},
            "checkout": {"criticality": "critical", "requires": ["svc:orders", "svc:web"]},
        })
    );
}

#[test]
fn every_listed_resource_is_written_with_its_tags_zones_and_known_region() {
    let doc = written(&tags_model(estate()));
    let resources = doc["resources"].as_object().expect("resources is a map");
    assert_eq!(resources.len(), 10, "{resources:?}");
    assert_eq!(
        doc["resources"][ORDERS_DB],
        json!({"zones": ["use1-az1", "use1-az2"], "tags": {
            "service": "orders", "business-function": "checkout",
            "criticality": "urgent", "depends-on": "ghost"}})
    );
    assert_eq!(
        doc["resources"][IMAGES],
        json!({"region": "eu-west-1", "zones": "*", "tags": {"service": "catalog"}})
    );
    assert_eq!(doc["resources"][CDN], json!({"tags": {"service": "web"}}));
    assert_eq!(
        doc["resources"][BASTION],
        json!({"zones": ["use1-az4"], "tags": {"Name": "bastion"}})
    );
    assert_eq!(doc["resources"][CATALOG_USE1]["zones"], json!("*"));
}

#[test]
fn unusable_tags_are_warned_about_and_left_out() {
    let built = tags_model(estate());
    let warnings: Vec<(Code, Option<&str>)> = built
        .warnings
        .iter()
        .map(|w| (w.code, w.node.as_deref()))
        .collect();
    assert_eq!(
        warnings,
        [
            (Code::BadCriticality, Some(ORDERS_DB)),
            (Code::UnknownReference, Some(ORDERS_DB)),
        ]
    );
}

#[test]
fn the_loader_reads_the_written_inventory_with_arn_derived_placement() {
    let loaded = load(&tags_model(estate()).document.to_json_string());
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert!(loaded.incomplete.is_empty(), "{:?}", loaded.incomplete);
    let g = &loaded.graph;
    let field = |id: &str, attr| {
        let n = g.find(id).unwrap_or_else(|| panic!("{id} is loaded"));
        g.attr(n, attr).map(str::to_owned)
    };
    assert_eq!(field(IMAGES, Attr::Region).as_deref(), Some("eu-west-1"));
    assert_eq!(field(CDN, Attr::Region).as_deref(), Some("global"));
    assert_eq!(field(ORDERS_DB, Attr::Type).as_deref(), Some("rds:db"));
    assert_eq!(field(WEB1, Attr::Account).as_deref(), Some(ACCOUNT));
    assert_eq!(
        field("svc:web@us-east-1", Attr::Region).as_deref(),
        Some("us-east-1")
    );
    assert_eq!(g.functions().len(), 2);
}

#[test]
fn losing_us_east_1_takes_down_the_function_of_the_single_region_service() {
    let json = tags_model(estate()).document.to_json_string();
    let functions = analyze(&json, "region:us-east-1");
    let checkout = &functions["checkout"];
    assert_eq!(checkout.0, "down", "{functions:?}");
    assert_eq!(checkout.1, json!(["svc:orders@us-east-1"]));
    assert_eq!(
        checkout.2,
        json!(["checkout", "svc:orders", "svc:orders@us-east-1"])
    );
    assert_eq!(functions["browse"].0, "degraded", "{functions:?}");
    assert_eq!(functions.len(), 2);
}

#[test]
fn losing_eu_west_1_only_degrades_both_functions() {
    let json = tags_model(estate()).document.to_json_string();
    let functions = analyze(&json, "region:eu-west-1");
    let statuses: Vec<(&str, &str)> = functions
        .iter()
        .map(|(id, (status, _, _))| (id.as_str(), status.as_str()))
        .collect();
    assert_eq!(statuses, [("browse", "degraded"), ("checkout", "degraded")]);
}

#[test]
fn a_global_resource_of_a_service_is_needed_in_every_region_it_serves() {
    let json = tags_model(estate()).document.to_json_string();
    let functions = analyze(&json, "region:global");
    for id in ["browse", "checkout"] {
        let (status, causes, path) = &functions[id];
        assert_eq!(status, "down", "{id}: {functions:?}");
        assert_eq!(causes, &json!([CDN]), "{id}");
        assert_eq!(
            path,
            &json!([id, "svc:web", "svc:web@eu-west-1", CDN]),
            "{id}"
        );
    }
}

#[test]
fn the_same_resources_in_another_order_give_byte_identical_json() {
    let forward = tags_model(estate()).document.to_json_string();
    let mut reversed = estate();
    reversed.reverse();
    let mut rotated = estate();
    rotated.rotate_left(4);
    // An S3 bucket comes back from every region's listing: listed twice.
    rotated.push(estate()[8].clone());
    assert_eq!(forward, tags_model(reversed).document.to_json_string());
    assert_eq!(forward, tags_model(rotated).document.to_json_string());
}

#[test]
fn model_none_writes_the_resources_only() {
    let options = Options {
        model: Model::None,
        ..Options::default()
    };
    let built = build(&listing(estate()), &options);
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let doc = written(&built);
    let mut sections: Vec<&String> = doc.as_object().expect("a map").keys().collect();
    sections.sort();
    assert_eq!(sections, ["meta", "resources", "version"]);
    assert_eq!(
        doc["resources"],
        written(&tags_model(estate()))["resources"]
    );
    let loaded = load(&built.document.to_json_string());
    assert_eq!(loaded.graph.functions().len(), 0);
}

#[test]
fn the_source_says_tagged_resources_only_and_when_it_ran() {
    let doc = written(&tags_model(estate()));
    let source = &doc["meta"]["sources"][0];
    let collector = source["collector"].as_str().expect("a collector name");
    assert!(collector.starts_with("aws-tagging"), "{collector}");
    assert!(collector.contains(TAGGED_ONLY_NOTE), "{collector}");
    assert_eq!(source["account"], json!(ACCOUNT));
    assert_eq!(source["regions"], json!(["eu-west-1", "us-east-1"]));
    assert_eq!(source["complete"], json!(true));
    assert_eq!(doc["meta"]["collected_at"], json!("2026-11-24T10:00:00Z"));
}

#[test]
fn an_incomplete_listing_is_written_incomplete_and_analyze_exits_3() {
    let mut input = listing(estate());
    input.sources = vec![SourceMeta {
        errors: vec![CollectError {
            region: "ap-south-1".into(),
            account: Some(ACCOUNT.into()),
            error: "AccessDenied".into(),
        }],
        ..source(false)
    }];
    let json = build(&input, &Options::default()).document.to_json_string();
    let loaded = load(&json);
    assert_eq!(loaded.incomplete.len(), 1, "{:?}", loaded.incomplete);
    let dir = temp_dir();
    let file = dir.path().join("inventory.json");
    std::fs::write(&file, &json).expect("the inventory can be written");
    let file = path_str(&file);
    let out = run(&["analyze", &file, "--fail", "region:us-east-1"]);
    out.assert_code(3);
    assert!(out.stderr.contains("incomplete"), "{}", out.stderr);
}

/// A random listing from a small vocabulary, so services, functions and
/// depends-on values collide often: (ARN, service, function, depends,
/// criticality) per resource.
fn random_listing() -> impl proptest::strategy::Strategy<Value = Vec<ListedResource>> {
    use proptest::prelude::*;
    let arns = prop::sample::select(vec![
        WEB1,
        WEB3,
        CDN,
        ORDERS_DB,
        CATALOG_EUW1,
        IMAGES,
        "arn:aws:s3:::b",
        "not-an-arn",
    ]);
    let word = || {
        prop::option::of(prop::sample::select(vec![
            "a", "b", "c", "aws:x", "arn:f", "",
        ]))
    };
    let level = prop::option::of(prop::sample::select(vec!["high", "low", "bogus"]));
    let resource = (arns, word(), word(), word(), word(), level).prop_map(
        |(arn, service, function, d1, d2, level)| {
            let mut r = ListedResource::new(arn);
            for (key, value) in [("service", service), ("business-function", function)] {
                if let Some(v) = value {
                    r = r.tag(key, v);
                }
            }
            if let (Some(a), Some(b)) = (d1, d2) {
                r = r.tag("depends-on", format!("{a}+{b}"));
            }
            if let Some(l) = level {
                r = r.tag("criticality", l);
            }
            r
        },
    );
    prop::collection::vec(resource, 1..12)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn whatever_the_tags_the_written_inventory_loads_without_error(resources in random_listing()) {
        let built = tags_model(resources);
        if built.document.resources.is_empty() {
            return Ok(());
        }
        let json = built.document.to_json_string();
        let sources = [Source { name: "inventory.json".into(), text: json.clone() }];
        let loaded = load_documents(&sources);
        proptest::prop_assert!(loaded.is_ok(), "{}\n{json}", loaded.err().map(|e| e.to_string()).unwrap_or_default());
    }
}
