//! `diff`: what a change does to the blast radius. Each side is an estate
//! (computed once: sweep, spof and check on one incremental baseline, the
//! two sides in parallel) or a JSON report of `sweep`, `spof` or `check`
//! read back.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;
use crate::cli::{DiffArgs, DiffFormat, FailOn};
use crate::engine::diff::{self as engine_diff, SideFacts};
use crate::model::Status;

/// What one side of a diff is.
enum Side {
    Estate(Vec<PathBuf>),
    /// A report read back: the command that wrote it and what it says.
    Report(&'static str, SideFacts),
}

pub(super) fn diff(args: &DiffArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == DiffFormat::Json).then_some(ProblemFormat::Json);
    let inputs = diff_inputs(args);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        diff_sides(args, color, warnings)
    })
}

/// Every file `diff` reads, which its report must not overwrite.
fn diff_inputs(args: &DiffArgs) -> Vec<PathBuf> {
    let sources: Vec<PathBuf> = args
        .sides
        .iter()
        .chain(&args.old)
        .chain(&args.new)
        .cloned()
        .collect();
    let estate = EstateArgs {
        sources,
        allow_incomplete: true,
    };
    input_files(
        &estate,
        &args.policy.iter().map(|p| p.as_path()).collect::<Vec<_>>(),
    )
}

fn mismatch(message: String, help: &str) -> Failure {
    Failure::invalid(vec![
        Diagnostic::error(Code::DiffInputs, message).help(help.to_owned())
    ])
}

fn diff_sides(
    args: &DiffArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let (old, new) = match (args.sides.as_slice(), args.old.is_empty()) {
        ([old, new], true) => (vec![old.clone()], vec![new.clone()]),
        ([], false) => (args.old.clone(), args.new.clone()),
        _ => {
            return Err(mismatch(
                "diff needs an OLD and a NEW side".to_owned(),
                "give two sources (`blastmap diff OLD NEW`), or --old and --new (repeatable)",
            ))
        }
    };
    let diff = match (classify(&old)?, classify(&new)?) {
        (Side::Estate(old), Side::Estate(new)) => diff_estates(args, color, warnings, old, new)?,
        (Side::Report(a, old), Side::Report(b, new)) if a == b => {
            if args.policy.is_some() {
                return Err(mismatch(
                    "--policy compares violations of estates, but both sides are reports".into(),
                    "drop --policy, or give the estates themselves",
                ));
            }
            engine_diff::diff_facts(&old, &new, None)
        }
        (Side::Report(a, _), Side::Report(b, _)) => {
            return Err(mismatch(
                format!("OLD is a `{a}` report but NEW is a `{b}` report"),
                "give two reports of the same command, or the two estates",
            ))
        }
        (a, b) => {
            let what = |s: &Side| match s {
                Side::Estate(_) => "an estate".to_owned(),
                Side::Report(kind, _) => format!("a `{kind}` report"),
            };
            return Err(mismatch(
                format!("OLD is {} but NEW is {}", what(&a), what(&b)),
                "give two estates, or two JSON reports of the same command",
            ));
        }
    };
    let target = args.output.target();
    let rendered = match args.format {
        DiffFormat::Text => crate::report::diff::to_text(&diff),
        DiffFormat::Json => crate::report::diff::to_json(&diff),
        DiffFormat::Markdown => {
            crate::report::diff::to_markdown(&diff, crate::report::diff::GITHUB_COMMENT_LIMIT)
        }
    };
    write(&target, rendered.as_bytes(), &diff_inputs(args))?;
    let fails = match args.fail_on {
        FailOn::Never => false,
        FailOn::Worse => diff.verdict.worsens(),
        FailOn::Any => diff.verdict != engine_diff::Verdict::Unchanged,
    };
    Ok(if fails { exit::VIOLATIONS } else { exit::OK })
}

/// Loads both estates and computes each side's facts, the two sides in
/// parallel; then the structure and the paths of new single points of
/// failure.
fn diff_estates(
    args: &DiffArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
    old: Vec<PathBuf>,
    new: Vec<PathBuf>,
) -> Result<engine_diff::Diff, Failure> {
    let policy = match &args.policy {
        Some(path) => Some((path.display().to_string(), read_text(path, "policy")?)),
        None => None,
    };
    let load = |sources: Vec<PathBuf>| {
        let mut side_warnings = Vec::new();
        let estate = EstateArgs {
            sources,
            allow_incomplete: args.allow_incomplete,
        };
        let loaded = load_estate(&estate, color, &mut side_warnings);
        (loaded, side_warnings)
    };
    let ((old, old_warnings), (new, new_warnings)) = std::thread::scope(|s| {
        let old = s.spawn(|| load(old));
        let new = load(new);
        (old.join().expect("loading does not panic"), new)
    });
    warnings.extend(old_warnings);
    warnings.extend(new_warnings);
    let (old, new) = (old?, new?);
    let domains = engine_diff::domains_of_both(&old.graph, &new.graph, &args.domains);
    let facts = |graph: &Graph| -> Result<SideFacts, Failure> {
        let rules = match &policy {
            Some((name, text)) => Some(
                load::policy::parse_policy(name, text, graph)
                    .map_err(Failure::invalid)?
                    .rules,
            ),
            None => None,
        };
        let baseline = Baseline::new(graph);
        Ok(engine_diff::facts_of_estate(
            &baseline,
            &domains,
            rules.as_deref(),
            &|_| {},
        ))
    };
    let started = std::time::Instant::now();
    let (old_facts, new_facts) = std::thread::scope(|s| {
        let old_facts = s.spawn(|| facts(&old.graph));
        let new_facts = facts(&new.graph);
        (
            old_facts.join().expect("the engine does not panic"),
            new_facts,
        )
    });
    let structure = engine_diff::structure_diff(&old.graph, &new.graph);
    let mut diff = engine_diff::diff_facts(&old_facts?, &new_facts?, Some(structure));
    if diff.functions.iter().any(|f| !f.spof_gained.is_empty()) {
        engine_diff::add_spof_paths(&mut diff, &Baseline::new(&new.graph));
    }
    tracing::info!(
        scenarios = domains.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "diff computed"
    );
    Ok(diff)
}

/// A side is a report when it is one JSON file whose top level has no
/// `version` and has the fields of a `sweep`, `spof` or `check` report
/// (SPEC §4.2); anything else is an estate, for the loader to judge.
fn classify(paths: &[PathBuf]) -> Result<Side, Failure> {
    let estate = || Ok(Side::Estate(paths.to_vec()));
    let [path] = paths else {
        return estate();
    };
    let is_json = path.extension().is_some_and(|e| e == "json");
    if !is_json || !path.is_file() {
        return estate();
    }
    let text = read_text(path, "report")?;
    // Only the top-level keys: cheap even on a large estate.
    let Ok(keys) = serde_json::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(&text) else {
        return estate();
    };
    let kind = if keys.contains_key("version") {
        return estate();
    } else if keys.contains_key("scenarios") {
        "sweep"
    } else if keys.contains_key("violations") && keys.contains_key("passed") {
        "check"
    } else if keys.len() == 1 && keys.contains_key("functions") {
        "spof"
    } else {
        return estate();
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| malformed(path, &e.to_string()))?;
    let facts = match kind {
        "sweep" => sweep_facts(&value),
        "check" => check_facts(&value),
        _ => spof_facts(&value),
    }
    .ok_or_else(|| {
        malformed(
            path,
            &format!("not the shape of a `{kind}` report (SPEC §4.2)"),
        )
    })?;
    Ok(Side::Report(kind, facts))
}

fn malformed(path: &Path, why: &str) -> Failure {
    Failure::invalid(vec![Diagnostic::error(
        Code::DiffInputs,
        format!("cannot read {} as a report: {why}", path.display()),
    )
    .in_file(path.display().to_string())
    .help("write it again with `blastmap sweep|spof|check ... --format json`")])
}

fn strings(v: &Value) -> Option<BTreeSet<String>> {
    v.as_array()?
        .iter()
        .map(|x| x.as_str().map(str::to_owned))
        .collect()
}

fn status_of(text: &str) -> Option<Status> {
    [Status::Up, Status::Degraded, Status::Down]
        .into_iter()
        .find(|s| s.as_str() == text)
}

/// `{"scenarios": [{"failed": [d...], "functions": {id: status}}]}`.
fn sweep_facts(v: &Value) -> Option<SideFacts> {
    let mut scenarios = BTreeMap::new();
    for s in v["scenarios"].as_array()? {
        let failed: Vec<String> = strings(&s["failed"])?.into_iter().collect();
        let mut statuses = BTreeMap::new();
        for (f, status) in s["functions"].as_object()? {
            statuses.insert(f.clone(), status_of(status.as_str()?)?);
        }
        scenarios.insert(failed.join(" + "), statuses);
    }
    Some(SideFacts {
        scenarios: Some(scenarios),
        ..SideFacts::default()
    })
}

/// `{"functions": [{"id", "spof": [ids]}]}`.
fn spof_facts(v: &Value) -> Option<SideFacts> {
    let mut spofs = BTreeMap::new();
    for f in v["functions"].as_array()? {
        spofs.insert(f["id"].as_str()?.to_owned(), strings(&f["spof"])?);
    }
    Some(SideFacts {
        functions: Some(spofs.keys().cloned().collect()),
        spofs: Some(spofs),
        ..SideFacts::default()
    })
}

/// `{"violations": [{"rule", "function", "domain"}], "passed"}`; a
/// violation of a pair of domains (`domains`) counts as `d1 + d2`.
fn check_facts(v: &Value) -> Option<SideFacts> {
    let mut violations = BTreeSet::new();
    for x in v["violations"].as_array()? {
        let domain = match x["domain"].as_str() {
            Some(d) => d.to_owned(),
            None => strings(&x["domains"])?
                .into_iter()
                .collect::<Vec<_>>()
                .join(" + "),
        };
        violations.insert((
            x["function"].as_str()?.to_owned(),
            x["rule"].as_str()?.to_owned(),
            domain,
        ));
    }
    Some(SideFacts {
        violations: Some(violations),
        ..SideFacts::default()
    })
}
