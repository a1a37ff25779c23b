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
    for file in ["examples/ci/github.yml", "examples/ci/gitlab-ci.yml"] {
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
                    "estate/" => SHOP.to_owned(),
                    "blastmap-policy.toml" => POLICY.to_owned(),
                    "blastmap-baseline.json" => baseline.display().to_string(),
                    a if a.starts_with("blastmap.") || a.starts_with("blastmap-junit") => {
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
