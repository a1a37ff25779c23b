//! blastmap's integration tests, as one binary so the suite links once.
//!
//! One module per command (driving the real binary on `fixtures/`), plus the
//! engine's reference model, robustness on mangled input and the
//! architecture check. `util` holds what they share.
//!
//! Cargo.toml sets `autotests = false`, so a file under `tests/` runs only
//! once it is declared here: adding a test module is one `mod name;` line
//! below, and `every_test_file_is_a_module_of_this_binary` fails until then.

#[macro_use]
mod util;

mod analyze;
mod architecture;
mod availability;
mod big_graphs;
mod check;
mod check_formats;
mod ci_examples;
mod cli_flags;
#[cfg(feature = "aws")]
mod collect_aws;
mod collect_backstage;
mod collect_traces;
mod diagnostics;
mod diagram;
mod diff;
mod docs;
mod docs_links;
mod document_roundtrip;
mod engine_reference;
mod failover;
mod hardening;
mod hostile_text;
mod invalid;
mod large_files;
mod no_panic_on_bad_input;
mod pairs;
mod report_html;
mod spof;
mod sweep;
mod tag_model;

/// CI must run the AWS collector's tests: built without the feature `aws`
/// (`--no-default-features`, the fast engine-only loop) they would be left
/// out silently, so under `CI` that build fails here instead.
#[test]
fn ci_builds_the_aws_collector_so_its_tests_never_skip() {
    let ci = std::env::var_os("CI").is_some();
    #[cfg(not(feature = "aws"))]
    assert!(
        !ci,
        "CI is set but the tests were built without the feature `aws`: \
         run them with the default features (scripts/test)"
    );
    #[cfg(feature = "aws")]
    let _ = ci;
}

/// With `autotests = false` a forgotten `mod` line would silently skip a
/// whole file of tests: every `tests/*.rs` must be declared above.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let this = include_str!("tests.rs");
    let dir = util::repo_path("tests");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/ can be listed") {
        let path = entry.expect("tests/ can be listed").path();
        let Some(stem) = path
            .extension()
            .is_some_and(|e| e == "rs")
            .then(|| path.file_stem())
            .flatten()
            .and_then(|s| s.to_str())
        else {
            continue;
        };
        if stem != "tests" && !this.contains(&format!("\nmod {stem};\n")) {
            missing.push(format!("tests/{stem}.rs"));
        }
    }
    assert!(
        missing.is_empty(),
        "not declared in tests/tests.rs, so never compiled or run: {missing:?}; \
         add `mod NAME;` there"
    );
}
