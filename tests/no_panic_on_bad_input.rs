//! Bad input gets a clear error, never a panic: thousands of mutations of
//! the example estate, of the invalid fixtures and of generated estates
//! (long chains, cycles, ids written with JSON escapes, control and bidi
//! characters) — bytes replaced, deleted, duplicated, files truncated — go
//! through the loader and, when they load, through every engine entry point
//! and the text and JSON renderers. Any panic fails the test with the input
//! that caused it. `BLASTMAP_MUTATIONS=N` runs N cases instead of 20,000
//! (BENCHMARKS.md records a run of 1,000,000 in release).

use std::panic::{catch_unwind, AssertUnwindSafe};

use blastmap::engine::analyze;
use blastmap::engine::incremental::Baseline;
use blastmap::engine::sweep::scenarios_of;
use blastmap::load::{load_documents, Source};
use blastmap::model::{DomainKind, Scenario};
use blastmap::report::analyze::{self as analyze_report, AnalyzeReport};
use blastmap::report::style::Style;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] = b" \n\t\r:-[]{},\"'*&!|>#%@`0123456789abcxyzu\\\x00\x1b\x7f";

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        if bytes.is_empty() {
            break;
        }
        let at = rng.below(bytes.len());
        match rng.below(5) {
            0 => bytes[at] = ALPHABET[rng.below(ALPHABET.len())],
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            3 => {
                let end = (at + 1 + rng.below(40)).min(bytes.len());
                let chunk: Vec<u8> = bytes[at..end].to_vec();
                bytes.splice(at..at, chunk);
            }
            _ => bytes.truncate(at),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Estates written by the test: shapes the fixtures lack.
fn generated_estates() -> Vec<(String, String)> {
    let mut chain = String::from("version: 1\nfunctions:\n  f: {requires: [s0]}\nservices:\n");
    for i in 0..60 {
        chain.push_str(&format!(
            "  s{i}: {{requires: [s{}], region: r{}}}\n",
            i + 1,
            i % 3
        ));
    }
    chain.push_str("  s60: {requires: [db]}\nresources:\n  db: {region: r0, zones: [z1, z2]}\n");
    let mut cycle =
        String::from("version: 1\nfunctions:\n  f: {requires: [c0], optional: [c5]}\nservices:\n");
    for i in 0..30 {
        cycle.push_str(&format!(
            "  c{i}: {{requires: [{{any: [c{}, db{i}]}}, {{quorum: 1, of: [c{}]}}]}}\n",
            (i + 1) % 30,
            (i + 7) % 30
        ));
    }
    cycle.push_str("resources:\n");
    for i in 0..30 {
        cycle.push_str(&format!(
            "  db{i}: {{region: r{}, zones: [z{}]}}\n",
            i % 2,
            i % 3
        ));
    }
    let escaped = r#"{"version": 1,
 "meta": {"sources": [{"collector": "c\u00e9", "complete": true}]},
 "functions": {"f\u00e9": {"requires": ["r\tz", {"any": ["a\u0000b", "\ud83d\ude00"]}], "description": "\u202e\u001b[2J"}},
 "services": {"a\u0000b": {"region": "\u00e9"}, "\ud83d\ude00": {"region": "x"}},
 "resources": {"r\tz": {"region": "a\u00e9", "tags": {"k\r": "v\n"}, "zones": ["z\u2066"]}}}"#;
    let hostile = "version: 1\nfunctions:\n  \"f\\e[2J\": {requires: [\"s\\u202Ex\"], description: \"\\r\\0\"}\nservices:\n  \"s\\u202Ex\": {region: \"r\\x1b\", tags: {\"=cmd\": \"@x\"}}\n";
    vec![
        ("generated/chain.yaml".to_owned(), chain),
        ("generated/cycle.yaml".to_owned(), cycle),
        ("generated/escaped.json".to_owned(), escaped.to_owned()),
        ("generated/hostile.yaml".to_owned(), hostile.to_owned()),
    ]
}

fn fixture_files() -> Vec<(String, String)> {
    let mut out = generated_estates();
    for dir in ["fixtures/shop", "fixtures/invalid"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures exist")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
            .collect();
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).expect("fixture is text");
            out.push((p.display().to_string(), text));
        }
    }
    out
}

/// Loads `sources`; when they load, runs analyze on a few domains, a sweep
/// baseline and spof. Returns a description of what ran.
fn exercise(sources: &[Source]) {
    let Ok(loaded) = load_documents(sources) else {
        return;
    };
    let graph = &loaded.graph;
    for (i, d) in scenarios_of(graph, &DomainKind::ALL)
        .into_iter()
        .take(20)
        .enumerate()
    {
        let scenario = Scenario::from_domains(vec![d]);
        let a = analyze(graph, &scenario);
        for &f in graph.functions() {
            let _ = (a.causes(f), a.path(f), a.degradation_reasons(f));
        }
        if i < 2 {
            let _ = AnalyzeReport::new(&scenario, &a).to_json();
            let all = graph.functions();
            let _ = analyze_report::to_text(&scenario, &a, all, Style { color: true });
            let _ = analyze_report::to_markdown(&scenario, &a, all);
        }
    }
    let baseline = Baseline::new(graph);
    let _ = blastmap::engine::spof::spof(&baseline, graph.functions(), &|_| {});
}

#[test]
fn mutated_estates_never_panic() {
    let files = fixture_files();
    let mut rng = Rng(0x0b1a_57ba_d1e5_0001 ^ 0x9e37_79b9_7f4a_7c15);
    let mut loaded_ok = 0;
    let cases: usize = std::env::var("BLASTMAP_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    for case in 0..cases {
        let (name, text) = &files[rng.below(files.len())];
        let mutated = mutate(&mut rng, text);
        let sources = vec![Source {
            name: name.clone(),
            text: mutated.clone(),
        }];
        let result = catch_unwind(AssertUnwindSafe(|| {
            let ok = load_documents(&sources).is_ok();
            exercise(&sources);
            ok
        }));
        match result {
            Ok(ok) => loaded_ok += usize::from(ok),
            Err(_) => panic!("case {case}: blastmap panicked on a mutation of {name}:\n{mutated}"),
        }
    }
    // The mutations must not all be rejected, or the engine goes untested.
    assert!(loaded_ok > 100, "only {loaded_ok} mutated estates loaded");
}

#[test]
fn errors_of_mutated_estates_render_without_panicking() {
    let files = fixture_files();
    let mut rng = Rng(0x5eed_0fe7_7075);
    for _ in 0..500 {
        let (name, text) = &files[rng.below(files.len())];
        let mutated = mutate(&mut rng, text);
        let sources = vec![Source {
            name: name.clone(),
            text: mutated.clone(),
        }];
        if let Err(e) = load_documents(&sources) {
            for d in &e.diagnostics {
                let rendered = catch_unwind(AssertUnwindSafe(|| (d.render(false), d.to_string())));
                let (long, short) =
                    rendered.unwrap_or_else(|_| panic!("rendering {d:?} panicked for:\n{mutated}"));
                assert!(long.contains(d.code.as_str()), "{long}");
                assert!(!short.is_empty());
            }
        }
    }
}

#[test]
fn generated_seed_estates_load_so_their_mutations_reach_the_engine() {
    for (name, text) in generated_estates() {
        let sources = vec![Source {
            name: name.clone(),
            text,
        }];
        match load_documents(&sources) {
            Ok(loaded) => assert!(loaded.graph.len() >= 2, "{name} loaded empty"),
            Err(e) => panic!(
                "{name} does not load: {:?}",
                e.diagnostics
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
            ),
        }
    }
}
