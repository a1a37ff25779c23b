//! Long chains and long cycles (issue 16, items 1–3): `spof`, `sweep
//! --domains node` and `check` with a `node` rule must finish on them, with
//! no stack overflow and memory that follows the graph and the output.
//!
//! The estates are generated here. In a debug build (`cargo test`) they
//! have 20,000 services; `scripts/test` also runs this module against the
//! release build (`cargo test --release --test tests big_graphs`), where
//! they have 1,000,000. Each run is capped with `prlimit --as`, so a
//! quadratic allocation fails the test instead of swapping.

use crate::util::{path_str, temp_dir};

/// Services in a generated chain or cycle: a million in release.
fn size() -> usize {
    if cfg!(debug_assertions) {
        20_000
    } else {
        1_000_000
    }
}

/// Address-space cap for one run: a few hundred bytes per node is the
/// graph; a quadratic structure on these sizes needs terabytes.
fn memory_cap_bytes() -> u64 {
    4 << 30
}

/// `f` requires `s0`, `s0` requires `s1`, …; the last service requires
/// `db` (a chain) or `s0` (one cycle of every service). `g` requires `s0`
/// or `spare`: it survives every single failure.
fn estate_json(services: usize, cycle: bool) -> String {
    let mut out = String::with_capacity(services * 40);
    out.push_str(r#"{"version":1,"functions":{"f":{"requires":["s0"]},"g":{"requires":[{"any":["s0","spare"]}]}},"resources":{"spare":{}},"services":{"#);
    for i in 0..services {
        let next = if i + 1 < services {
            format!("s{}", i + 1)
        } else if cycle {
            "s0".to_owned()
        } else {
            "db".to_owned()
        };
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(r#""s{i}":{{"requires":["{next}"]}}"#));
    }
    out.push('}');
    if !cycle {
        out.push_str(r#","externals":{"db":{}}"#);
    }
    out.push('}');
    out
}

/// Runs the binary under the memory cap; returns (exit code, stdout of the
/// `-o` file, stderr). A kill by a signal (a stack overflow aborts) fails.
fn run_capped(args: &[String], output: &std::path::Path) -> (i32, String, String) {
    let bin = assert_cmd::cargo::cargo_bin("blastmap");
    let out = std::process::Command::new("prlimit")
        .arg(format!("--as={}", memory_cap_bytes()))
        .arg(&bin)
        .args(args)
        .arg("-o")
        .arg(output)
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit (util-linux) runs the binary");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or_else(|| {
        panic!(
            "blastmap {args:?} was killed by a signal ({}); stderr:\n{stderr}",
            out.status
        )
    });
    let written = std::fs::read_to_string(output).unwrap_or_default();
    (code, written, stderr)
}

struct Case {
    _dir: tempfile::TempDir,
    estate: String,
    out: std::path::PathBuf,
    services: usize,
}

fn case(cycle: bool) -> Case {
    let dir = temp_dir();
    let services = size();
    let path = dir.path().join("estate.json");
    std::fs::write(&path, estate_json(services, cycle)).expect("temp file");
    Case {
        estate: path_str(&path),
        out: dir.path().join("out"),
        _dir: dir,
        services,
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Every node of the chain or cycle is a single point of failure of `f`.
fn assert_every_service_is_a_spof(c: &Case, cycle: bool) {
    let (code, json, stderr) = run_capped(&args(&["spof", &c.estate, "--format", "json"]), &c.out);
    assert_eq!(code, 0, "spof failed: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("spof writes JSON");
    let spofs = report["functions"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == "f"))
        .and_then(|f| f["spof"].as_array())
        .expect("f has a spof list");
    let expected = c.services + usize::from(!cycle);
    assert_eq!(spofs.len(), expected, "spofs of f");
}

/// `sweep --domains node`: one scenario per node, each taking `f` down.
fn assert_every_node_scenario_takes_f_down(c: &Case) {
    let (code, json, stderr) = run_capped(
        &args(&["sweep", &c.estate, "--domains", "node", "--format", "json"]),
        &c.out,
    );
    assert_eq!(code, 0, "sweep failed: {stderr}");
    let down = json.matches(r#""f": "down""#).count();
    // Every scenario but node:g and node:spare takes f down: node:f
    // directly, the others through the chain or the cycle.
    assert_eq!(down, json.matches(r#""failed""#).count() - 2, "scenarios");
    assert!(down > c.services, "only {down} scenarios took f down");
}

/// `check` with a `node` rule on `g`: every node is a domain, none takes
/// `g` down (its `any` keeps it up), so the gate passes.
fn assert_check_with_a_node_rule_finishes(c: &Case) {
    let policy = c.out.with_extension("toml");
    std::fs::write(
        &policy,
        "[[rule]]\nname = \"no single point\"\nfunctions = { ids = [\"g\"] }\n\
         must_survive = [\"node\"]\n",
    )
    .expect("temp file");
    let (code, json, stderr) = run_capped(
        &args(&[
            "check",
            &c.estate,
            "--policy",
            &path_str(&policy),
            "--format",
            "json",
        ]),
        &c.out,
    );
    assert_eq!(code, 0, "check: {stderr}\n{}", &json[..json.len().min(400)]);
}

#[test]
fn a_long_chain_does_not_overflow_the_stack_or_grow_memory_quadratically() {
    let c = case(false);
    assert_every_service_is_a_spof(&c, false);
    assert_every_node_scenario_takes_f_down(&c);
    assert_check_with_a_node_rule_finishes(&c);
}

#[test]
fn one_long_cycle_costs_the_size_of_its_component_not_its_square() {
    let c = case(true);
    assert_every_service_is_a_spof(&c, true);
    assert_every_node_scenario_takes_f_down(&c);
    assert_check_with_a_node_rule_finishes(&c);
}
