//! The loader, measured: one in-memory JSON document of the shape
//! `scripts/gen_estate.py` writes (regional deployments of services over
//! ARN-named instances, databases and queues, functions over entry
//! services), parsed, merged and resolved into a graph, so that a change
//! that slows loading shows in review. End-to-end figures (the file mapped,
//! 120,000 services) are in BENCHMARKS.md.
//!
//! `cargo bench --no-default-features --bench load`

use std::fmt::Write;

use blastmap::load::parse::parse_document;
use blastmap::load::strings::Strings;
use blastmap::load::{load_documents, Source};

fn main() {
    divan::main();
}

/// A small deterministic generator (no dependency for a benchmark input).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// `items` as a JSON list of strings.
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

/// An estate of `services` services in four regions of three zones: about
/// eleven nodes a service, as `gen_estate.py --services N` gives.
fn estate(services: usize) -> String {
    let mut rnd = Lcg(1);
    let regions = ["region-0", "region-1", "region-2", "region-3"];
    let accounts = (services / 100).max(1);
    let (mut svc, mut res) = (String::new(), String::new());
    for s in 0..services {
        let acct = 100_000_000_000 + rnd.below(accounts);
        let first = rnd.below(regions.len());
        let mut deployments = Vec::new();
        for k in 0..=rnd.below(2) {
            let r = regions[(first + k) % regions.len()];
            let instances: Vec<String> = (0..2 + rnd.below(5))
                .map(|i| format!("arn:aws:ec2:{r}:{acct}:instance/i-{s:07}{k}{i}"))
                .collect();
            for (i, id) in instances.iter().enumerate() {
                let _ = write!(
                    res,
                    r#","{id}":{{"tags":{{"service":"svc-{s}"}},"zones":["{r}-az{}"]}}"#,
                    i % 3 + 1
                );
            }
            let db = format!("arn:aws:rds:{r}:{acct}:db:svc-{s}-db");
            let _ = write!(
                res,
                r#","{db}":{{"tags":{{"service":"svc-{s}"}},"zones":["{r}-az1","{r}-az2"]}}"#
            );
            let group = if rnd.below(10) < 3 {
                format!(
                    r#"{{"quorum":{},"of":{}}}"#,
                    instances.len() / 2 + 1,
                    list(&instances)
                )
            } else {
                format!(r#"{{"any":{}}}"#, list(&instances))
            };
            let dep = format!("svc-{s}@{r}");
            let _ = write!(
                svc,
                r#","{dep}":{{"account":"{acct}","region":"{r}","requires":[{group},"{db}"]}}"#
            );
            deployments.push(dep);
        }
        let calls: Vec<String> = (0..rnd.below(5))
            .map(|_| format!("svc-{}", rnd.below(services)))
            .filter(|c| *c != format!("svc-{s}"))
            .collect();
        let mut requires = vec![format!(r#"{{"any":{}}}"#, list(&deployments))];
        requires.extend(calls.iter().map(|c| format!("\"{c}\"")));
        let _ = write!(
            svc,
            r#","svc-{s}":{{"requires":[{}],"tags":{{"tier":"domain"}}}}"#,
            requires.join(",")
        );
    }
    let mut fns = String::new();
    for f in 0..(services / 20).max(1) {
        let need: Vec<String> = (0..2 + rnd.below(5))
            .map(|_| format!("svc-{}", rnd.below(services)))
            .collect();
        let _ = write!(
            fns,
            r#","fn-{f}":{{"criticality":"high","requires":{}}}"#,
            list(&need)
        );
    }
    format!(
        r#"{{"version":1,"functions":{{{}}},"services":{{{}}},"resources":{{{}}}}}"#,
        &fns[1..],
        &svc[1..],
        &res[1..]
    )
}

/// Parse, merge and resolve one document into a graph.
#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn load(bencher: divan::Bencher, services: usize) {
    let sources = [Source {
        name: "estate.json".to_owned(),
        text: estate(services),
    }];
    bencher.bench_local(|| match load_documents(divan::black_box(&sources)) {
        Ok(loaded) => loaded.graph.len(),
        Err(e) => panic!("the generated estate loads: {e}"),
    });
}

/// Parsing alone (no merge, no resolve) of the 10,000-service document:
/// the one-pass reader (`scan`), and the serde path it falls back to
/// (`serde`, forced by a leading `"meta": null`, which the reader leaves
/// to serde), so that the reader's gain is measured on the same text.
#[divan::bench(args = ["scan", "serde"], sample_count = 10)]
fn parse(bencher: divan::Bencher, reader: &str) {
    let text = estate(10_000);
    let text = match reader {
        "serde" => format!(r#"{{"meta":null,{}"#, &text[1..]),
        _ => text,
    };
    bencher.bench_local(|| {
        let mut strings = Strings::default();
        match parse_document("estate.json", divan::black_box(&text), &mut strings, None) {
            Ok(doc) => doc.services.map_or(0, |s| s.len()),
            Err(e) => panic!("the generated estate parses: {e}"),
        }
    });
}
