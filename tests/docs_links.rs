//! The user-facing documentation stays inside the repository and in step
//! with the binary: every relative link of README.md, BENCHMARKS.md and
//! docs/*.md resolves to a file of the repository (and a `#anchor` to a
//! heading of it), nothing points outside the clone (`../shared`, `http…`),
//! and every example estate under docs/examples/ runs and prints exactly
//! what docs/status-rules.md shows for it.

use std::path::{Component, Path, PathBuf};

use crate::util::{exec, repo_path, repo_root};

/// The Markdown files users read, relative to the repository root.
fn user_docs() -> Vec<String> {
    let mut files = vec!["README.md".to_owned(), "BENCHMARKS.md".to_owned()];
    let mut docs: Vec<String> = std::fs::read_dir(repo_path("docs"))
        .expect("docs/ can be listed")
        .map(|e| e.expect("docs/ can be listed").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| format!("docs/{}", p.file_name().expect("a file").to_string_lossy()))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_path(relative))
        .unwrap_or_else(|e| panic!("{relative} cannot be read: {e}"))
}

/// The lines of `text` outside fenced code blocks, with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut in_fence = false;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence {
            out.push((i + 1, line));
        }
    }
    out
}

/// The targets of the inline links `[text](target)` of `text`, outside code
/// fences and code spans, with their line numbers.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (number, line) in prose_lines(text) {
        let mut in_code = false;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'`' => in_code = !in_code,
                b']' if !in_code && bytes.get(i + 1) == Some(&b'(') => {
                    if let Some(end) = line[i + 2..].find(')') {
                        out.push((number, line[i + 2..i + 2 + end].to_owned()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces
/// turned into hyphens.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of the headings of a Markdown file.
fn anchors(text: &str) -> Vec<String> {
    prose_lines(text)
        .into_iter()
        .filter_map(|(_, line)| {
            let hashes = line.len() - line.trim_start_matches('#').len();
            (hashes > 0 && line[hashes..].starts_with(' ')).then(|| anchor_of(&line[hashes..]))
        })
        .collect()
}

/// `target` resolved against the directory of `from`, without touching the
/// file system; `None` when it climbs above the repository root.
fn resolve(from: &str, target: &str) -> Option<PathBuf> {
    // `/X` is relative to the repository's root (as GitHub renders it).
    if let Some(rooted) = target.strip_prefix('/') {
        return resolve("README.md", rooted);
    }
    let mut parts: Vec<String> = Path::new(from)
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    for c in Path::new(target).components() {
        match c {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

/// Every problem with the link `target` written in `from`, if any.
fn link_problem(from: &str, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return Some("links outside the repository".to_owned());
    }
    let (file, anchor) = match target.split_once('#') {
        Some((f, a)) => (f, Some(a)),
        None => (target, None),
    };
    let relative = if file.is_empty() {
        PathBuf::from(from)
    } else {
        match resolve(from, file) {
            Some(p) => p,
            None => return Some("climbs out of the repository".to_owned()),
        }
    };
    let path = repo_root().join(&relative);
    if !path.exists() {
        let shown = relative.to_string_lossy().replace('\\', "/");
        return Some(format!("{shown} does not exist"));
    }
    let anchor = anchor?;
    if path.extension().is_some_and(|e| e == "md") {
        let text = std::fs::read_to_string(&path).ok()?;
        if !anchors(&text).iter().any(|a| a == anchor) {
            return Some(format!(
                "no heading of {} has the anchor #{anchor}",
                relative.display()
            ));
        }
    }
    None
}

#[test]
fn every_relative_link_of_the_docs_resolves_inside_the_repository() {
    let mut problems = Vec::new();
    let mut links = 0;
    for doc in user_docs() {
        for (line, target) in link_targets(&read(&doc)) {
            links += 1;
            if let Some(p) = link_problem(&doc, &target) {
                problems.push(format!("{doc}:{line}: ({target}) {p}"));
            }
        }
    }
    assert!(
        links > 20,
        "found only {links} links: is the link scanner broken?"
    );
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_link_checker_catches_missing_files_anchors_and_outside_links() {
    assert_eq!(link_problem("docs/README.md", "policy.md"), None);
    assert_eq!(link_problem("README.md", "docs/policy.md#exit-codes"), None);
    assert!(link_problem("README.md", "docs/nothing.md").is_some());
    assert!(link_problem("README.md", "docs/policy.md#no-such-heading").is_some());
    assert!(link_problem("README.md", "../shared/SPEC.md").is_some());
    assert!(link_problem("README.md", "https://example.com/").is_some());
    assert_eq!(
        anchor_of("Collector output: the `meta` block"),
        "collector-output-the-meta-block"
    );
}

#[test]
fn no_doc_or_script_points_at_the_shared_folder_outside_the_clone() {
    let mut files = user_docs();
    files.extend(["scripts/bench".to_owned(), "scripts/bench-ab".to_owned()]);
    let offenders: Vec<String> = files
        .iter()
        .flat_map(|f| {
            read(f)
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains("../shared"))
                .map(|(i, l)| format!("{f}:{}: {l}", i + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "`../shared` does not exist in a clone:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn benchmark_scripts_generate_estates_with_the_generator_in_the_repository() {
    assert!(repo_path("scripts/gen_estate.py").is_file());
    for script in ["scripts/bench", "scripts/bench-ab"] {
        assert!(
            read(script).contains("GEN=${GEN:-scripts/gen_estate.py}"),
            "{script} does not default to scripts/gen_estate.py"
        );
    }
}

/// The `blastmap ...` commands written in the leading comment of an example.
fn example_commands(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("# blastmap "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_example_estate_runs_and_prints_what_status_rules_shows() {
    let page = read("docs/status-rules.md");
    let mut dir: Vec<PathBuf> = std::fs::read_dir(repo_path("docs/examples"))
        .expect("docs/examples/ can be listed")
        .map(|e| e.expect("docs/examples/ can be listed").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    dir.sort();
    assert!(!dir.is_empty(), "docs/examples/ holds no estate");
    for path in dir {
        let name = format!(
            "docs/examples/{}",
            path.file_name().expect("a file").to_string_lossy()
        );
        let commands = example_commands(&read(&name));
        assert!(
            !commands.is_empty(),
            "{name} names no `# blastmap ...` command in its leading comment"
        );
        for command in commands {
            let args: Vec<&str> = command.split_whitespace().collect();
            assert!(
                args.contains(&name.as_str()),
                "`{command}` in {name} runs another file"
            );
            let (code, stdout, stderr) = exec(&args);
            assert_eq!(code, 0, "blastmap {command} failed:\n{stderr}");
            assert!(stderr.is_empty(), "blastmap {command} warned:\n{stderr}");
            let block = format!("```text\n$ blastmap {command}\n{}\n```", stdout.trim_end());
            assert!(
                page.contains(&block),
                "docs/status-rules.md does not show the current output of `blastmap {command}`:\n{block}"
            );
        }
    }
}
