//! `check`: the policy gate, its baseline and the renewed baseline.

use super::*;

/// What `check`'s report must not overwrite: the estate, the policy, the
/// baseline it reads and the one it writes.
pub(super) fn check_inputs(args: &CheckArgs) -> Vec<PathBuf> {
    let mut read: Vec<&Path> = vec![&args.policy];
    read.extend(args.baseline.as_deref());
    read.extend(args.write_baseline.as_deref());
    input_files(&args.estate, &read)
}

pub(super) fn check(args: &CheckArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = match args.format {
        CheckFormat::Text | CheckFormat::Markdown => None,
        CheckFormat::Json => Some(ProblemFormat::Json),
        CheckFormat::Sarif => Some(ProblemFormat::Sarif),
        CheckFormat::Junit => Some(ProblemFormat::Junit),
        CheckFormat::Github => Some(ProblemFormat::Github),
    };
    reporting_problems(
        format,
        args.output.target(),
        &check_inputs(args),
        |warnings| check_estate(args, color, warnings),
    )
}

pub(super) fn check_estate(
    args: &CheckArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let policy_name = args.policy.display().to_string();
    let policy_text = read_text(&args.policy, "policy")?;
    let policy =
        load::policy::parse_policy(&policy_name, &policy_text, graph).map_err(Failure::invalid)?;
    let accepted = match &args.baseline {
        Some(path) => Some(read_accepted_baseline(args, path, color, warnings)?),
        None => None,
    };
    // The file --write-baseline replaces: its reasons and expiry dates are
    // kept, so it is read (and must be valid) whenever it exists.
    let replaced = match &args.write_baseline {
        Some(path) => read_existing_baseline(path)?,
        None => None,
    };
    let started = std::time::Instant::now();
    let baseline = Baseline::new(graph);
    let progress = Progress::new("checking", 0);
    let violations =
        crate::engine::check::violations(&baseline, &policy.rules, &|n| progress.inc(n));
    progress.finish();
    tracing::info!(
        violations = violations.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "check done"
    );
    let today = load::baseline::today_utc();
    let entries = accepted.as_ref().map(|b| b.violations.as_slice());
    let mut verdict = Verdict::new(graph, &policy.rules, violations, entries, &today);
    let written;
    let entries = match &args.write_baseline {
        Some(path) => {
            written = write_renewed_baseline(
                args,
                path,
                graph,
                &policy.rules,
                &verdict,
                [replaced, accepted],
                &today,
            )?;
            // The report judges the run by the file just written (which
            // accepts every violation): it passes, as the exit code says.
            let violations = std::mem::take(&mut verdict.violations);
            verdict = Verdict::new(
                graph,
                &policy.rules,
                violations,
                Some(&written.violations),
                &today,
            );
            Some(written.violations.as_slice())
        }
        None => entries,
    };
    let node_positions = if args.format == CheckFormat::Sarif {
        loaded.node_origins.positions(
            verdict
                .violations
                .iter()
                .flat_map(|v| v.path.iter().chain(&v.causes).copied()),
        )
    } else {
        std::collections::BTreeMap::new()
    };
    let report = crate::report::check::build_report(&crate::report::check::CheckInputs {
        graph,
        rules: &policy.rules,
        policy_file: &policy.file,
        rule_positions: &policy.positions,
        verdict: &verdict,
        origins: &loaded.function_origins,
        baseline: entries,
        node_positions: &node_positions,
    });
    let target = args.output.target();
    let rendered = match args.format {
        CheckFormat::Text => crate::report::check::to_text(&report, text_style(color, &target)),
        CheckFormat::Json => crate::report::check::to_json(&report),
        CheckFormat::Sarif => crate::report::sarif::to_sarif(&report, env!("CARGO_PKG_VERSION")),
        CheckFormat::Junit => crate::report::junit::to_junit(&report),
        CheckFormat::Github => crate::report::github::to_github(&report),
        CheckFormat::Markdown => crate::report::check::to_markdown(&report),
    };
    let failed = !verdict.passed() && args.write_baseline.is_none();
    leave_for_exit((verdict, report));
    release_in_background(loaded);
    write(&target, rendered.as_bytes(), &check_inputs(args))?;
    leave_for_exit(rendered);
    Ok(if failed && !args.soft_fail {
        exit::VIOLATIONS
    } else {
        exit::OK
    })
}

/// The `--baseline` file. A missing one is an error that says how to
/// create it, unless `--baseline-missing ok` makes it an empty baseline
/// (with a warning, so a typo in the path does not pass unnoticed).
pub(super) fn read_accepted_baseline(
    args: &CheckArgs,
    path: &Path,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<BaselineFile, Failure> {
    if let Some(file) = read_existing_baseline(path)? {
        return Ok(file);
    }
    let name = path.display().to_string();
    let create = format!(
        "blastmap check {} --policy {} --write-baseline {name}",
        args.estate
            .sources
            .iter()
            .map(|s| s.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
        args.policy.display()
    );
    if args.baseline_missing == BaselineMissing::Ok {
        let d = Diagnostic::warning(
            Code::UnreadableFile,
            format!("the baseline {name} does not exist: checking with an empty baseline (--baseline-missing ok)"),
        )
        .in_file(name.clone())
        .help(format!("create it with `{create}`"));
        if !quiet() {
            eprint!("{}", render_diagnostics(std::slice::from_ref(&d), color));
        }
        warnings.push(d);
        return Ok(BaselineFile {
            version: 1,
            violations: Vec::new(),
        });
    }
    Err(Failure::invalid(vec![Diagnostic::error(
        Code::UnreadableFile,
        format!("the baseline {name} does not exist"),
    )
    .in_file(name)
    .help(format!(
        "create it on the first run with `{create}` (it accepts today's violations), \
         or pass --baseline-missing ok to check with an empty baseline until it exists"
    ))]))
}

/// A baseline file if it exists (`None` if not); an unreadable or invalid
/// one is an error, never silently ignored or overwritten.
pub(super) fn read_existing_baseline(path: &Path) -> Result<Option<BaselineFile>, Failure> {
    match load::read::read_path_bounded(path) {
        Err(load::read::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::invalid(vec![Diagnostic::error(
            Code::UnreadableFile,
            format!("cannot read the baseline {}: {e}", path.display()),
        )
        .in_file(path.display().to_string())
        .help("check the path")])),
        Ok(text) => load::baseline::read_baseline(&path.display().to_string(), &text)
            .map(Some)
            .map_err(|d| Failure::invalid(vec![d])),
    }
}

/// Writes the renewed baseline to `path`, keeping the reasons and expiry
/// dates of `previous` entries (the replaced file's first, then
/// `--baseline`'s), and says what it wrote.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_renewed_baseline(
    args: &CheckArgs,
    path: &Path,
    graph: &Graph,
    rules: &[crate::model::Rule],
    verdict: &Verdict,
    previous: [Option<BaselineFile>; 2],
    today: &str,
) -> Result<BaselineFile, Failure> {
    let old: Vec<BaselineEntry> = previous
        .into_iter()
        .flatten()
        .flat_map(|f| f.violations)
        .collect();
    let file = verdict.renewed_baseline(graph, rules, Some(&old), today);
    let text = load::baseline::write_baseline_text(&file);
    let inputs = input_files(&args.estate, &[&args.policy]);
    write(&Target::File(path.to_path_buf()), text.as_bytes(), &inputs)?;
    say(&format!(
        "blastmap: {}",
        renewal_sentence(&Renewal::of(&file, &old, today), path)
    ));
    Ok(file)
}

/// `wrote 3 accepted violation(s) to F (2 kept with their reasons and
/// expiry dates, 1 new)`, naming renewed expired and removed entries too.
pub(super) fn renewal_sentence(r: &Renewal, path: &Path) -> String {
    let mut parts = vec![
        format!("{} kept with their reasons and expiry dates", r.kept),
        format!("{} new", r.new),
    ];
    if r.renewed_expired > 0 {
        parts.push(format!(
            "{} expired renewed without their reason and date",
            r.renewed_expired
        ));
    }
    if r.removed > 0 {
        parts.push(format!("{} removed that no longer occur", r.removed));
    }
    format!(
        "wrote {} accepted violation(s) to {} ({})",
        r.written,
        path.display(),
        parts.join(", ")
    )
}
