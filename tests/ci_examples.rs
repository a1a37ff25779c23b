//! The CI examples of the README (`examples/ci/`) stay working: every
//! `blastmap` command they run parses with the real command line, and runs
//! on the bundled example when pointed at it.

use crate::util::{blastmap, temp_dir, POLICY, SHOP};

/// The `blastmap ...` command lines of a CI file.
fn blastmap_lines(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("example exists");
    text.lines()
        .filter_map(|l| {
            let l = l
                .trim()
                .trim_start_matches("- ")
                .trim_start_matches("run: ");
            l.starts_with("blastmap ").then(|| l.to_owned())
        })
        .collect()
}

#[test]
fn every_blastmap_command_of_the_ci_examples_runs_on_the_example_estate() {
    for file in [
        "examples/ci/github.yml",
        "examples/ci/gitlab-ci.yml",
        "examples/ci/github-diff.yml",
        "examples/ci/gitlab-diff.yml",
    ] {
        let lines = blastmap_lines(file);
        assert!(!lines.is_empty(), "{file} runs blastmap");
        for line in lines {
            let dir = temp_dir();
            let baseline = dir.path().join("baseline.json");
            let output = dir.path().join("out");
            // Point the example's paths at the bundled estate and policy.
            let args: Vec<String> = line
                .split_whitespace()
                .skip(1)
                .map(|a| match a {
                    // The base branch's estate, for `diff`.
                    "estate/" | "base/estate/" => SHOP.to_owned(),
                    "blastmap-policy.toml" => POLICY.to_owned(),
                    "blastmap-baseline.json" => baseline.display().to_string(),
                    a if a.starts_with("blastmap.")
                        || a.starts_with("blastmap-junit")
                        || a.starts_with("blastmap-diff") =>
                    {
                        output.display().to_string()
                    }
                    a => a.to_owned(),
                })
                .collect();
            let status = blastmap()
                .arg("check")
                .args([SHOP, "--policy", POLICY, "--write-baseline"])
                .arg(&baseline)
                .output()
                .expect("the binary starts")
                .status;
            assert!(status.success());
            let out = blastmap().args(&args).output().expect("the binary starts");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{file}: `{line}` as {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Runs `scripts/ci-check.sh` (the check step of `action.yml`) with the
/// built binary first on PATH.
fn ci_check(env: &[(&str, &str)]) -> std::process::Output {
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_blastmap"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new(crate::util::repo_path("scripts/ci-check.sh"));
    cmd.current_dir(crate::util::repo_root())
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("SARIF")
        .env_remove("BASELINE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs the script")
}

#[test]
fn the_action_creates_the_baseline_on_the_first_run_then_fails_only_on_new_violations() {
    let dir = temp_dir();
    let baseline = dir.path().join("blastmap-baseline.json");
    let sarif = dir.path().join("blastmap.sarif");
    let (b, s) = (baseline.display().to_string(), sarif.display().to_string());
    let env = [
        ("SOURCES", SHOP),
        ("POLICY", POLICY),
        ("BASELINE", b.as_str()),
        ("SARIF", s.as_str()),
    ];
    let first = ci_check(&env);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("::notice title=blastmap::no baseline"),
        "{stdout}"
    );
    assert!(baseline.exists(), "the first run writes the baseline");
    assert!(!sarif.exists(), "the first run only records the baseline");

    let second = ci_check(&env);
    assert_eq!(
        second.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let log = std::fs::read_to_string(&sarif).expect("the second run writes SARIF");
    crate::util::validate_sarif(&log).expect("the SARIF log is valid");

    std::fs::write(&baseline, r#"{"version": 1, "violations": []}"#).expect("write");
    let third = ci_check(&env);
    let stdout = String::from_utf8_lossy(&third.stdout);
    assert_eq!(
        third.status.code(),
        Some(1),
        "new violations fail: {stdout}"
    );
    assert!(stdout.contains("::error file="), "{stdout}");
}

#[test]
fn the_action_passes_every_input_to_the_script_and_pins_this_version() {
    let action = std::fs::read_to_string(crate::util::repo_path("action.yml")).expect("action.yml");
    assert!(action.contains("run: ${{ github.action_path }}/scripts/ci-check.sh"));
    for (input, var) in [
        ("sources", "SOURCES"),
        ("policy", "POLICY"),
        ("baseline", "BASELINE"),
        ("sarif", "SARIF"),
    ] {
        assert!(
            action.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "action.yml does not pass `{input}` as {var}"
        );
    }
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        action.contains(&format!("default: \"{version}\"")),
        "action.yml pins another version than {version}"
    );
    for file in [
        "examples/ci/github.yml",
        "examples/ci/gitlab-ci.yml",
        "examples/ci/github-diff.yml",
        "examples/ci/gitlab-diff.yml",
    ] {
        let text = std::fs::read_to_string(crate::util::repo_path(file)).expect("example");
        assert!(
            text.contains(&format!(
                "cargo install --locked --version {version} blastmap"
            )),
            "{file} does not install the pinned version {version}"
        );
    }
}

#[test]
fn the_pre_commit_hook_validates_the_estate_and_fails_on_an_invalid_one() {
    let hooks = std::fs::read_to_string(crate::util::repo_path(".pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("the hook has an entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("blastmap"), "{entry}");
    let args: Vec<&str> = words.collect();
    assert!(
        hooks.contains("pass_filenames: false"),
        "the hook loads the whole estate"
    );
    let run = |estate: &str| {
        blastmap()
            .args(&args)
            .arg(estate)
            .output()
            .expect("the binary starts")
    };
    let valid = run(SHOP);
    assert_eq!(
        valid.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let invalid = run("fixtures/invalid/unknown-reference.yaml");
    assert_eq!(invalid.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&invalid.stderr);
    assert!(stderr.contains("unknown-reference.yaml:"), "{stderr}");
}
