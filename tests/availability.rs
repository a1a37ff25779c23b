//! `availability` (SPEC §7): every figure against a brute-force enumeration
//! of all states, on random estates of the engine's differential test
//! (zones with `min_zones`, quorums, cycles, optional entries, selectors),
//! and named cases with known answers; then the command itself.

use std::collections::BTreeMap;

use blastmap::engine::analyze;
use blastmap::engine::availability::{availability, basic_events, Event, DEFAULT_BUDGET};
use blastmap::graph::Graph;
use blastmap::load::{load_documents, Source};
use blastmap::model::rates::Rates;
use blastmap::model::{Domain, DomainKind, Scenario, Status};
use serde_json::Value;

use crate::engine_reference::random_estate_json;
use crate::util::exec;

fn load(json: &str) -> Graph {
    match load_documents(&[Source {
        name: "estate.json".into(),
        text: json.to_owned(),
    }]) {
        Ok(loaded) => loaded.graph,
        Err(e) => panic!("the estate must load: {e}\n{json}"),
    }
}

fn yaml(text: &str) -> Graph {
    match load_documents(&[Source {
        name: "estate.yaml".into(),
        text: text.to_owned(),
    }]) {
        Ok(loaded) => loaded.graph,
        Err(e) => panic!("the estate must load: {e}\n{text}"),
    }
}

/// P(down) and P(not up) of every function by enumerating every state of
/// the events: 2^k runs of the engine's own `analyze`, which
/// `engine_reference` checks against a naive model of SPEC §3.
fn brute_force(graph: &Graph, events: &[Event]) -> BTreeMap<u32, (f64, f64)> {
    let k = events.len();
    let mut out: BTreeMap<u32, (f64, f64)> =
        graph.functions().iter().map(|&f| (f, (0.0, 0.0))).collect();
    for state in 0..1u64 << k {
        let mut p = 1.0;
        let mut failed = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if state >> i & 1 == 1 {
                p *= e.q;
                failed.push(e.domain.clone());
            } else {
                p *= 1.0 - e.q;
            }
        }
        if p == 0.0 {
            continue;
        }
        let analysis = analyze(graph, &Scenario::from_domains(failed));
        for (f, (down, not_up)) in out.iter_mut() {
            match analysis.status(*f) {
                Status::Down => {
                    *down += p;
                    *not_up += p;
                }
                Status::Degraded => *not_up += p,
                Status::Up => {}
            }
        }
    }
    out
}

/// Rates for a random subset (at most `max` domains) of the estate's
/// regions, zones, accounts and cloud services, with a few availabilities.
fn random_rates(graph: &Graph, seed: u64, max: usize) -> Rates {
    let mut rates = Rates::default();
    let mut s = seed;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let figures = [0.5, 0.9, 0.99, 0.999, 0.7];
    let mut candidates: Vec<(DomainKind, String)> = Vec::new();
    for kind in blastmap::model::rates::RATED_KINDS {
        for v in blastmap::load::rates::values_of(graph, kind) {
            candidates.push((kind, v));
        }
    }
    let mut chosen = 0;
    while chosen < max && !candidates.is_empty() {
        let i = next() % candidates.len();
        let key = candidates.swap_remove(i);
        rates.listed.insert(key, figures[next() % figures.len()]);
        chosen += 1;
    }
    rates
}

/// The random estate of `seed` with one or two nodes given their own
/// availability.
fn with_unreliable_nodes(json: &str, seed: u64) -> String {
    let mut doc: Value = serde_json::from_str(json).expect("generated JSON");
    let mut count = 0;
    for section in ["services", "resources", "externals"] {
        if let Some(Value::Object(nodes)) = doc.get_mut(section) {
            for (i, (_, node)) in nodes.iter_mut().enumerate() {
                if count < 2 && (seed as usize + i) % 3 == 0 {
                    node["availability"] = serde_json::json!(0.8);
                    count += 1;
                }
            }
        }
    }
    doc.to_string()
}

#[test]
fn every_figure_equals_brute_force_enumeration_on_random_estates() {
    let cases: u64 = std::env::var("BLASTMAP_AVAIL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let mut checked_functions = 0;
    let mut nontrivial = 0;
    for seed in 0..cases {
        let json = with_unreliable_nodes(&random_estate_json(0xa5a5 + seed), seed);
        let graph = load(&json);
        let rates = random_rates(&graph, seed, 7);
        let events = basic_events(&graph, &rates);
        assert!(events.len() <= 9, "seed {seed}: {} events", events.len());
        let functions = graph.functions().to_vec();
        let got = availability(&graph, &rates, &functions, usize::MAX, DEFAULT_BUDGET);
        let expected = brute_force(&graph, &events);
        for f in &got.functions {
            let (down, not_up) = expected[&f.function];
            let id = graph.id(f.function);
            assert!(f.exact, "seed {seed} {id}: small estates are exact");
            assert!(
                (f.unavailability - down).abs() < 1e-12,
                "seed {seed} {id}: P(down) {} vs brute force {down}\n{json}",
                f.unavailability
            );
            assert!(
                (f.up - (1.0 - not_up)).abs() < 1e-12,
                "seed {seed} {id}: P(up) {} vs brute force {}\n{json}",
                f.up,
                1.0 - not_up
            );
            // Improvements: P(down) − P(down | e never fails), each event.
            for &(e, improvement) in &f.contributors {
                let mut without = events.clone();
                without[e].q = 0.0;
                let (down_without, _) = brute_force(&graph, &without)[&f.function];
                assert!(
                    (improvement - (down - down_without)).abs() < 1e-12,
                    "seed {seed} {id}: improvement of {} {improvement} vs {}",
                    events[e].domain,
                    down - down_without
                );
            }
            checked_functions += 1;
            if down > 0.0 && down < 1.0 {
                nontrivial += 1;
            }
        }
    }
    eprintln!("{cases} estates, {checked_functions} functions, {nontrivial} with 0 < P(down) < 1");
    assert!(
        nontrivial * 4 >= checked_functions,
        "the generator must make most functions fallible: {nontrivial} of {checked_functions}"
    );
}

fn rates(pairs: &[(DomainKind, &str, f64)]) -> Rates {
    let mut r = Rates::default();
    for &(kind, value, a) in pairs {
        r.listed.insert((kind, value.to_owned()), a);
    }
    r
}

/// P(down) of function `f` under `rates`.
fn down(graph: &Graph, rates: &Rates, f: &str) -> f64 {
    let ix = graph.find(f).expect("the function exists");
    let got = availability(graph, rates, &[ix], 5, DEFAULT_BUDGET);
    got.functions[0].unavailability
}

#[test]
fn a_chain_multiplies_availabilities() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [a]}\nservices:\n  a: {region: r1, requires: [b]}\n  b: {region: r2}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 0.99),
        (DomainKind::Region, "r2", 0.9),
    ]);
    assert!((down(&g, &r, "f") - (1.0 - 0.99 * 0.9)).abs() < 1e-15);
}

#[test]
fn two_regions_in_any_fail_together_only() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [{any: [a, b]}]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 0.99),
        (DomainKind::Region, "r2", 0.9),
    ]);
    assert!((down(&g, &r, "f") - 0.01 * 0.1).abs() < 1e-18);
}

#[test]
fn a_quorum_of_two_of_three() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [{quorum: 2, of: [a, b, c]}]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n  c: {region: r3}\n");
    let q = 0.1;
    let r = rates(&[
        (DomainKind::Region, "r1", 1.0 - q),
        (DomainKind::Region, "r2", 1.0 - q),
        (DomainKind::Region, "r3", 1.0 - q),
    ]);
    // Down when at least two of three fail.
    let expected = 3.0 * q * q * (1.0 - q) + q * q * q;
    assert!((down(&g, &r, "f") - expected).abs() < 1e-15);
}

#[test]
fn a_node_in_two_zones_with_min_zones_two_needs_both() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [db]}\nresources:\n  db: {zones: [z1, z2], min_zones: 2}\n");
    let r = rates(&[
        (DomainKind::Zone, "z1", 0.99),
        (DomainKind::Zone, "z2", 0.98),
    ]);
    assert!((down(&g, &r, "f") - (1.0 - 0.99 * 0.98)).abs() < 1e-15);
}

#[test]
fn a_fallback_cycle_goes_down_when_both_databases_fail() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [{any: [a, b]}]}\nservices:\n  a: {requires: [{any: [db-a, b]}]}\n  b: {requires: [{any: [db-b, a]}]}\nresources:\n  db-a: {region: r1}\n  db-b: {region: r2}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 0.9),
        (DomainKind::Region, "r2", 0.8),
    ]);
    // Grounded support (SPEC §3.1): the pair does not hold itself up.
    assert!((down(&g, &r, "f") - 0.1 * 0.2).abs() < 1e-15);
}

#[test]
fn a_function_with_no_basic_event_in_its_closure_is_exactly_available() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [a]}\n  g: {requires: [b]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n");
    let r = rates(&[(DomainKind::Region, "r2", 0.9)]);
    let ix = g.find("f").expect("f");
    let got = availability(&g, &r, &[ix], 5, DEFAULT_BUDGET);
    assert_eq!(got.functions[0].availability, 1.0);
    assert_eq!(got.functions[0].unavailability, 0.0);
    assert!(got.functions[0].contributors.is_empty());
}

#[test]
fn two_trains_of_valve_and_pump_fail_with_probability_0_7225() {
    // Each train needs its valve (fails with p = 0.5) and its pump (0.7);
    // the system needs either train.
    let g = yaml("version: 1\nfunctions:\n  system: {requires: [{any: [train-1, train-2]}]}\nservices:\n  train-1: {requires: [valve-1, pump-1]}\n  train-2: {requires: [valve-2, pump-2]}\nresources:\n  valve-1: {availability: 0.5}\n  pump-1: {availability: 0.3}\n  valve-2: {availability: 0.5}\n  pump-2: {availability: 0.3}\n");
    let p = down(&g, &Rates::default(), "system");
    assert!((p - 0.7225).abs() < 1e-15, "{p}");
}

#[test]
fn a_tiny_unavailability_keeps_its_digits() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [{any: [a, b]}]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 1.0 - 1e-7),
        (DomainKind::Region, "r2", 1.0 - 1e-6),
    ]);
    let p = down(&g, &r, "f");
    // 1 − availability in a double near 1 would have lost these digits.
    let exact = (1.0 - (1.0 - 1e-7)) * (1.0 - (1.0 - 1e-6));
    assert!((p - exact).abs() / exact < 1e-9, "{p} vs {exact}");
}

#[test]
fn the_improvement_of_an_event_is_the_downtime_it_would_remove() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [a, {any: [b, c]}]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n  c: {region: r3}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 0.99),
        (DomainKind::Region, "r2", 0.9),
        (DomainKind::Region, "r3", 0.9),
    ]);
    let ix = g.find("f").expect("f");
    let got = availability(&g, &r, &[ix], 5, DEFAULT_BUDGET);
    let f = &got.functions[0];
    let names: Vec<String> = f
        .contributors
        .iter()
        .map(|&(e, _)| got.events[e].domain.to_string())
        .collect();
    // r1 alone: P(down) − P(down | r1 never fails) = 0.01 · (1 − 0.01).
    assert_eq!(names, ["region:r1", "region:r2", "region:r3"]);
    assert!((f.contributors[0].1 - 0.01 * (1.0 - 0.01)).abs() < 1e-15);
    // r2 and r3 tie; the event text breaks the tie.
    assert_eq!(f.contributors[1].1, f.contributors[2].1);
}

#[test]
fn the_command_prints_json_with_every_function_sorted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let estate = dir.path().join("estate.yaml");
    std::fs::write(&estate, "version: 1\nfunctions:\n  zeta: {requires: [a]}\n  alpha: {requires: [{any: [a, b]}]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n").expect("write");
    let rates_file = dir.path().join("rates.toml");
    std::fs::write(
        &rates_file,
        "[default]\nregion = 0.999\n[region]\nr1 = 0.99\n",
    )
    .expect("write");
    let (code, out, err) = exec(&[
        "availability",
        &estate.display().to_string(),
        "--rates",
        &rates_file.display().to_string(),
        "-f",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = v["functions"]
        .as_array()
        .expect("functions")
        .iter()
        .map(|f| f["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["alpha", "zeta"]);
    let alpha = &v["functions"][0];
    let expected = 0.01 * 0.001;
    let got = alpha["unavailability"].as_f64().expect("number");
    assert!((got - expected).abs() / expected < 1e-9, "{got}");
    assert_eq!(alpha["exact"], true);
    assert_eq!(alpha["contributors"][0]["event"], "region:r1");
    let minutes = alpha["downtime_minutes_per_year"].as_f64().expect("number");
    assert!((minutes - expected * 525_960.0).abs() < 1e-9);
}

#[test]
fn every_mistake_of_a_rates_file_is_reported_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let estate = dir.path().join("estate.yaml");
    std::fs::write(&estate, "version: 1\nfunctions:\n  f: {requires: [a]}\nservices:\n  a: {region: us-east-1, zones: [use1-az1]}\n").expect("write");
    let rates_file = dir.path().join("rates.toml");
    std::fs::write(
        &rates_file,
        "[default]\nregoin = 0.999\n[region]\nus-east1 = 0.99\n[zone]\nuse1-az1 = 99.9\n[planet]\nearth = 0.5\n",
    )
    .expect("write");
    let (code, _, err) = exec(&[
        "availability",
        &estate.display().to_string(),
        "--rates",
        &rates_file.display().to_string(),
    ]);
    assert_eq!(code, 2, "{err}");
    let name = rates_file.display().to_string();
    for (line, what) in [
        (2, "unknown kind `regoin`"),
        (4, "no region `us-east1`"),
        (6, "outside (0, 1]"),
        (7, "unknown table `[planet]`"),
    ] {
        assert!(
            err.contains(&format!("{name}:{line}:")),
            "line {line} ({what}) must be named:\n{err}"
        );
        assert!(err.contains(what), "{what}:\n{err}");
    }
    assert!(err.contains("did you mean `region`"), "{err}");
    assert!(err.contains("did you mean `us-east-1`"), "{err}");
}

#[test]
fn a_node_availability_outside_zero_one_is_rejected_with_its_position() {
    let g = load_documents(&[Source {
        name: "e.yaml".into(),
        text: "version: 1\nservices:\n  a: {availability: 0}\n  b: {availability: high}\n".into(),
    }]);
    let Err(e) = g else {
        panic!("0 and `high` are not availabilities")
    };
    let text = e.to_string();
    assert!(text.contains("availability-out-of-range"), "{text}");
    assert!(text.contains("invalid-value"), "{text}");
}

/// Domain values used by the tests above must parse as the CLI writes them.
#[test]
fn events_are_written_as_domains() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [a]}\nservices:\n  a: {region: r1, service: rds, zones: [z1]}\n");
    let mut r = Rates::default();
    r.defaults.insert(DomainKind::Region, 0.9);
    r.defaults.insert(DomainKind::Zone, 0.9);
    r.defaults.insert(DomainKind::CloudService, 0.9);
    let events: Vec<String> = basic_events(&g, &r)
        .iter()
        .map(|e| e.domain.to_string())
        .collect();
    assert_eq!(events, ["region:r1", "cloud-service:rds@r1", "zone:z1"]);
    let _: Vec<Domain> = events
        .iter()
        .map(|t| t.parse().expect("a domain"))
        .collect();
}

#[test]
fn past_its_budget_a_function_reports_bounds_that_hold_the_exact_figure() {
    let g = yaml("version: 1\nfunctions:\n  f: {requires: [{quorum: 2, of: [a, b, c]}, d]}\nservices:\n  a: {region: r1}\n  b: {region: r2}\n  c: {region: r3}\n  d: {region: r4}\n");
    let r = rates(&[
        (DomainKind::Region, "r1", 0.9),
        (DomainKind::Region, "r2", 0.8),
        (DomainKind::Region, "r3", 0.7),
        (DomainKind::Region, "r4", 0.95),
    ]);
    let ix = g.find("f").expect("f");
    let exact = availability(&g, &r, &[ix], 5, DEFAULT_BUDGET).functions[0].availability;
    let tight = availability(&g, &r, &[ix], 5, 4);
    let f = &tight.functions[0];
    assert!(!f.exact);
    let (lo, hi) = f.bounds.expect("bounds when not exact");
    assert!(lo <= exact && exact <= hi, "{lo} <= {exact} <= {hi}");
    // Below: nothing fails; above: r4 alone takes f down.
    assert!((lo - 0.9 * 0.8 * 0.7 * 0.95).abs() < 1e-15);
    assert!((hi - 0.95).abs() < 1e-15);
    assert_eq!(
        f.availability, lo,
        "the reported figure is the conservative end"
    );
}
