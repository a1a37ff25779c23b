//! The propagation kernel, measured: a full evaluation of one scenario, and
//! the incremental evaluation that `sweep` and `spof` run once per domain
//! or node. On a generated estate held in memory (the end-to-end figures,
//! load included, are in BENCHMARKS.md from `scripts/bench`).
//!
//! `cargo bench --bench propagation`

use std::fmt::Write;

use blastmap::engine::analyze;
use blastmap::engine::incremental::Baseline;
use blastmap::engine::sweep::{scenarios_of, DomainIndex};
use blastmap::graph::Graph;
use blastmap::load::{load_documents, Source};
use blastmap::model::{Domain, DomainKind, Scenario};

fn main() {
    divan::main();
}

/// Services in three regions, each with two deployments over three zones,
/// a database, and calls to a few others: ~12 nodes per service.
fn estate(services: usize) -> Graph {
    let mut y = String::from("{\"version\": 1, \"functions\": {");
    for f in 0..services / 20 {
        if f > 0 {
            y.push(',');
        }
        let _ = write!(
            y,
            "\"fn-{f}\": {{\"requires\": [\"svc-{}\", \"svc-{}\"]}}",
            f * 7 % services,
            (f * 13 + 5) % services
        );
    }
    y.push_str("}, \"services\": {");
    let mut first = true;
    let mut sep = |y: &mut String| {
        if !first {
            y.push(',');
        }
        first = false;
    };
    for s in 0..services {
        sep(&mut y);
        let callee = (s * 31 + 17) % services;
        let _ = write!(
            y,
            "\"svc-{s}\": {{\"requires\": [{{\"any\": [\"svc-{s}-a\", \"svc-{s}-b\"]}}"
        );
        if callee > s {
            let _ = write!(y, ", \"svc-{callee}\"");
        }
        y.push_str("]}");
        for (d, r) in [("a", s % 3), ("b", (s + 1) % 3)] {
            sep(&mut y);
            let _ = write!(
                y,
                "\"svc-{s}-{d}\": {{\"region\": \"r{r}\", \"requires\": [{{\"quorum\": 2, \"of\": [\"i-{s}-{d}-0\", \"i-{s}-{d}-1\", \"i-{s}-{d}-2\"]}}, \"db-{s}-{d}\"]}}"
            );
        }
    }
    y.push_str("}, \"resources\": {");
    let mut first = true;
    for s in 0..services {
        for (d, r) in [("a", s % 3), ("b", (s + 1) % 3)] {
            for i in 0..3 {
                if !first {
                    y.push(',');
                }
                first = false;
                let _ = write!(y, "\"i-{s}-{d}-{i}\": {{\"region\": \"r{r}\", \"service\": \"ec2\", \"zones\": [\"r{r}-z{i}\"]}}");
            }
            let _ = write!(y, ", \"db-{s}-{d}\": {{\"region\": \"r{r}\", \"service\": \"rds\", \"zones\": [\"r{r}-z0\", \"r{r}-z1\"]}}");
        }
    }
    y.push_str("}}");
    load_documents(&[Source {
        name: "bench.json".into(),
        text: y,
    }])
    .expect("the generated estate is valid")
    .graph
}

const SIZES: [usize; 2] = [1_000, 10_000];

#[divan::bench(args = SIZES)]
fn full_analyze_of_a_region(bencher: divan::Bencher, services: usize) {
    let graph = estate(services);
    let scenario = Scenario::from_domains(vec![Domain::Region("r0".into())]);
    bencher.bench(|| analyze(&graph, &scenario).statuses().len());
}

#[divan::bench(args = SIZES)]
fn incremental_region(bencher: divan::Bencher, services: usize) {
    let graph = estate(services);
    let baseline = Baseline::new(&graph);
    let index = DomainIndex::new(&graph);
    let (down, degraded) = index.direct(&graph, &Domain::Region("r0".into()));
    let mut scratch = baseline.scratch();
    bencher.bench_local(|| {
        baseline
            .evaluate(&mut scratch, &down, &degraded, false)
            .len()
    });
}

#[divan::bench(args = SIZES)]
fn incremental_every_node_down_only(bencher: divan::Bencher, services: usize) {
    let graph = estate(services);
    let baseline = Baseline::new(&graph);
    let mut scratch = baseline.scratch();
    bencher.bench_local(|| {
        graph
            .nodes()
            .map(|x| baseline.evaluate(&mut scratch, &[x], &[], true).len())
            .sum::<usize>()
    });
}

#[divan::bench(args = SIZES)]
fn baseline_build(bencher: divan::Bencher, services: usize) {
    let graph = estate(services);
    bencher.bench(|| Baseline::new(&graph).status(0));
}

#[divan::bench(args = SIZES)]
fn sweep_default_kinds(bencher: divan::Bencher, services: usize) {
    let graph = estate(services);
    let baseline = Baseline::new(&graph);
    let domains = scenarios_of(&graph, &DomainKind::DEFAULT);
    bencher.bench(|| blastmap::engine::sweep::sweep(&baseline, &domains, None, &|_| {}).len());
}

/// One strongly connected component of `services` services, as traces
/// produce: a ring where each service requires `any` of the next one and
/// its own database. Every node of the ring is in the same component.
fn ring(services: usize) -> Graph {
    let mut y = String::from("{\"version\": 1, \"services\": {");
    for s in 0..services {
        if s > 0 {
            y.push(',');
        }
        let next = (s + 1) % services;
        let _ = write!(
            y,
            "\"svc-{s}\": {{\"requires\": [{{\"any\": [\"svc-{next}\", \"db-{s}\"]}}]}}"
        );
    }
    y.push_str("}, \"resources\": {");
    for s in 0..services {
        if s > 0 {
            y.push(',');
        }
        let _ = write!(y, "\"db-{s}\": {{\"service\": \"rds\"}}");
    }
    y.push_str("}}");
    load_documents(&[Source {
        name: "ring.json".into(),
        text: y,
    }])
    .expect("the generated ring is valid")
    .graph
}

/// `spof`'s path through a cycle: failing one database re-solves the whole
/// 10,000-node component (support, then the down closure).
#[divan::bench]
fn cycle_of_10000_one_node_down_only(bencher: divan::Bencher) {
    let graph = ring(10_000);
    let baseline = Baseline::new(&graph);
    let db = graph.find("db-0").expect("the ring has db-0");
    let mut scratch = baseline.scratch();
    bencher.bench_local(|| baseline.evaluate(&mut scratch, &[db], &[], true).len());
}
