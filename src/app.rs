//! The commands, run: load, compute, render, write. Returns the exit code
//! the SPEC assigns (§4): 0 fine, 2 bad input, 3 incomplete estate.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{
    AnalyzeArgs, AnalyzeFormat, BaselineMissing, CheckArgs, CheckFormat, Cli, CollectBackstageArgs,
    CollectCommand, CollectTracesArgs, ColorChoice, Command, CompletionsArgs, DiagramArgs,
    DomainsArgs, DomainsFormat, EstateArgs, FunctionsFromArg, ManArgs, SpofArgs, SpofFormat,
    SweepArgs, SweepFormat, ValidateArgs, ValidateFormat,
};
use crate::diag::{Code, Diagnostic};
use crate::engine;
use crate::engine::check::{Renewal, Verdict};
use crate::engine::incremental::Baseline;
use crate::engine::scenario::checked_scenario_of_args;
use crate::engine::sweep::scenarios_of;
use crate::graph::{Graph, NodeIx};
use crate::load::{self, Loaded};
use crate::model::baseline::{BaselineEntry, BaselineFile};
use crate::model::NodeKind;
use crate::report::analyze::{self as analyze_report, AnalyzeReport};
use crate::report::output::{write_output, Target};
use crate::report::progress::Progress;
use crate::report::style::Style;

/// Exit codes (SPEC §4).
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// `check` found violations.
    pub const VIOLATIONS: i32 = 1;
    /// Bad usage or invalid input.
    pub const INVALID: i32 = 2;
    /// The estate is incomplete and `--allow-incomplete` was not given.
    pub const INCOMPLETE: i32 = 3;
}

/// Why a command stopped early: what to print on stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    pub code: i32,
}

impl Failure {
    fn invalid(diagnostics: Vec<Diagnostic>) -> Self {
        Failure {
            diagnostics,
            code: exit::INVALID,
        }
    }
}

/// Runs the parsed command line; `Ok` carries the exit code.
pub fn run(cli: &Cli) -> Result<i32, Failure> {
    if cli.quiet {
        QUIET.store(true, std::sync::atomic::Ordering::Relaxed);
        crate::report::progress::hide_all();
    }
    match &cli.command {
        Command::Analyze(args) => analyze(args, cli.color),
        Command::Sweep(args) => sweep(args, cli.color),
        Command::Spof(args) => spof(args, cli.color),
        Command::Diagram(args) => diagram(args, cli.color),
        Command::Check(args) => check(args, cli.color),
        Command::Validate(args) => validate(args, cli.color),
        Command::Domains(args) => domains(args, cli.color),
        Command::Collect(CollectCommand::Backstage(args)) => collect_backstage(args, cli.color),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
        Command::Collect(CollectCommand::Traces(args)) => collect_traces(args),
    }
}

/// `--quiet`: set once, before any command runs, and read wherever a
/// command would speak on stderr for any other reason than an error (the
/// way ripgrep's `messages` switch works: one flag, no parameter threaded
/// through every function).
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `--quiet` asked for nothing but errors on stderr.
fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Writes a line for the user on stderr, unless `--quiet`. A closed or full
/// stderr is not a reason to fail the command (its exit code says how it
/// went).
pub fn say(line: &str) {
    use std::io::Write;
    if quiet() {
        return;
    }
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Renders diagnostics for stderr.
pub fn render_diagnostics(diagnostics: &[Diagnostic], color: ColorChoice) -> String {
    let color = wants_color(color, std::io::stderr().is_terminal());
    diagnostics.iter().map(|d| d.render(color)).collect()
}

/// Whether to colour output going to a `terminal` or not: `--color`, and
/// under `auto` the terminal and `NO_COLOR` (set and non-empty: no colour).
/// The binary's logs on stderr follow it too.
pub fn wants_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Loads the estate; an incomplete one stops with code 3 unless allowed.
/// Warnings (a missing version, an entry never satisfied, an incomplete
/// estate allowed) go to stderr as diagnostics, obeying `--color`, and are
/// kept in `warnings` for the machine formats.
fn load_estate(
    args: &EstateArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Loaded, Failure> {
    let started = std::time::Instant::now();
    let spinner = Progress::spinner("loading the estate");
    let loaded = load::load_paths(&args.sources);
    spinner.finish();
    let loaded = loaded.map_err(|e| Failure::invalid(e.diagnostics))?;
    tracing::info!(
        nodes = loaded.graph.len(),
        entries = loaded.graph.entries().len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "estate loaded"
    );
    let first = warnings.len();
    warnings.extend(loaded.warnings.iter().cloned());
    if !loaded.incomplete.is_empty() && args.allow_incomplete {
        warnings.push(
            Diagnostic::warning(
                Code::IncompleteEstate,
                format!(
                    "the estate is incomplete ({} did not finish collecting): results may miss dependencies",
                    loaded.incomplete.join(", ")
                ),
            )
            .help("collect again for complete results"),
        );
    }
    if !quiet() {
        eprint!("{}", render_diagnostics(&warnings[first..], color));
    }
    if !loaded.incomplete.is_empty() && !args.allow_incomplete {
        let d = Diagnostic::error(
            Code::IncompleteEstate,
            format!(
                "the estate is incomplete: {} did not finish collecting",
                loaded.incomplete.join(", ")
            ),
        )
        .help("collect again, or pass --allow-incomplete to analyse what was collected");
        return Err(Failure {
            diagnostics: vec![d],
            code: exit::INCOMPLETE,
        });
    }
    Ok(loaded)
}

/// The machine formats problems with the inputs can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProblemFormat {
    Json,
    Sarif,
    Github,
    Junit,
}

/// Runs a command; when it stops on invalid input and a machine format was
/// asked for, the problems (warnings too) are also written in that format
/// to the report's target, so CI shows them like any finding (the text
/// form still goes to stderr, and the exit code is the failure's).
fn reporting_problems(
    format: Option<ProblemFormat>,
    target: Target,
    inputs: &[PathBuf],
    run: impl FnOnce(&mut Vec<Diagnostic>) -> Result<i32, Failure>,
) -> Result<i32, Failure> {
    use crate::report::diagnostics as problems;
    let mut warnings = Vec::new();
    let failure = match run(&mut warnings) {
        Ok(code) => return Ok(code),
        Err(failure) => failure,
    };
    let Some(format) = format else {
        return Err(failure);
    };
    let mut all = warnings;
    all.extend(failure.diagnostics.iter().cloned());
    let rendered = match format {
        ProblemFormat::Json => problems::to_json(&all),
        ProblemFormat::Sarif => problems::to_sarif(&all, env!("CARGO_PKG_VERSION")),
        ProblemFormat::Github => problems::to_github(&all),
        ProblemFormat::Junit => problems::to_junit(&all),
    };
    match write(&target, rendered.as_bytes(), inputs) {
        Ok(()) => Err(failure),
        Err(unwritable) => {
            let mut failure = failure;
            failure.diagnostics.extend(unwritable.diagnostics);
            Err(failure)
        }
    }
}

fn analyze(args: &AnalyzeArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == AnalyzeFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        analyze_estate(args, color, warnings)
    })
}

fn analyze_estate(
    args: &AnalyzeArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let scenario =
        checked_scenario_of_args(graph, args.failed_domains()).map_err(Failure::invalid)?;
    let functions = function_rows(graph, &args.functions)?;
    let started = std::time::Instant::now();
    let analysis = engine::analyze(graph, &scenario);
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "scenario analysed"
    );
    let target = args.output.target();
    let rendered = match args.format {
        AnalyzeFormat::Json => {
            let mut report = AnalyzeReport::observed(&scenario, &analysis, &loaded.provenance);
            if !args.functions.is_empty() {
                // `nodes` stays whole: the scenario's damage to the estate
                // does not depend on which functions the reader asked about.
                let asked: std::collections::HashSet<&str> =
                    functions.iter().map(|&f| graph.id(f)).collect();
                report.functions.retain(|f| asked.contains(f.id.as_str()));
            }
            report.to_json()
        }
        AnalyzeFormat::Markdown => analyze_report::to_markdown_observed(
            &scenario,
            &analysis,
            &functions,
            &loaded.provenance,
        ),
        AnalyzeFormat::Text => {
            let style = Style {
                color: wants_color(color, target.is_terminal()),
            };
            analyze_report::to_text_observed(
                &scenario,
                &analysis,
                &functions,
                &loaded.provenance,
                style,
            )
        }
    };
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    Ok(exit::OK)
}

/// Writes a report. Refuses to write over one of `inputs` (the estate, the
/// policy), and treats a closed stdout (`| head`) as the end of the output,
/// not as an error.
fn write(target: &Target, bytes: &[u8], inputs: &[PathBuf]) -> Result<(), Failure> {
    if let Some(input) = target.overwrites_input(inputs) {
        return Err(Failure::invalid(vec![Diagnostic::error(
            Code::OutputIsInput,
            format!(
                "refusing to write the report over {}, which is one of the inputs",
                input.display()
            ),
        )
        .help("choose another file with -o")]));
    }
    match write_output(target, bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && *target == Target::Stdout => Ok(()),
        result => result.map_err(|e| {
            let name = match target {
                Target::File(p) => p.display().to_string(),
                Target::Stdout => "stdout".to_owned(),
            };
            Failure::invalid(vec![Diagnostic::error(
                Code::CannotWrite,
                format!("cannot write {name}: {e}"),
            )
            .help("check that the directory exists, is writable and has space")])
        }),
    }
}

/// What `check`'s report must not overwrite: the estate, the policy, the
/// baseline it reads and the one it writes.
fn check_inputs(args: &CheckArgs) -> Vec<PathBuf> {
    let mut read: Vec<&Path> = vec![&args.policy];
    read.extend(args.baseline.as_deref());
    read.extend(args.write_baseline.as_deref());
    input_files(&args.estate, &read)
}

/// Every file a command reads: the estate files (directories expanded one
/// level, as the loader does) and `extra` (a policy, say), so that no
/// report is written over one of them.
fn input_files(estate: &EstateArgs, extra: &[&Path]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = extra.iter().map(|p| p.to_path_buf()).collect();
    for source in &estate.sources {
        match std::fs::read_dir(source) {
            Ok(entries) => files.extend(entries.filter_map(|e| e.ok().map(|e| e.path()))),
            Err(_) => files.push(source.clone()),
        }
    }
    files
}

/// Resolves `--function` ids; unknown ids and ids that are not functions are
/// errors, with the closest function ids suggested.
fn function_rows(graph: &Graph, ids: &[String]) -> Result<Vec<NodeIx>, Failure> {
    if ids.is_empty() {
        return Ok(graph.functions().to_vec());
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for id in ids {
        match graph.find(id) {
            Some(f) if graph.kind(f) == NodeKind::Function => rows.push(f),
            found => {
                let names = graph.functions().iter().map(|&f| graph.id(f));
                let near = crate::diag::closest(id, names);
                let what = if found.is_some() {
                    "is not a function"
                } else {
                    "is not defined"
                };
                let mut d = Diagnostic::error(Code::UnknownFunction, format!("`{id}` {what}"))
                    .help("name a function of the estate with --function");
                if let Some(h) = crate::diag::did_you_mean(&near) {
                    d = d.note(h);
                }
                problems.push(d);
            }
        }
    }
    if !problems.is_empty() {
        return Err(Failure::invalid(problems));
    }
    rows.sort_unstable();
    rows.dedup();
    Ok(rows)
}

fn text_style(color: ColorChoice, target: &Target) -> Style {
    Style {
        color: wants_color(color, target.is_terminal()),
    }
}

fn sweep(args: &SweepArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == SweepFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        sweep_estate(args, color, warnings)
    })
}

fn sweep_estate(
    args: &SweepArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let rows = function_rows(graph, &args.functions)?;
    let domains = scenarios_of(graph, &args.domains);
    let started = std::time::Instant::now();
    let baseline = Baseline::new(graph);
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "baseline evaluated"
    );
    let progress = Progress::new("sweeping", domains.len() as u64);
    let columns =
        crate::engine::sweep::sweep(&baseline, &domains, Some(&rows), &|n| progress.inc(n));
    progress.finish();
    tracing::info!(
        scenarios = domains.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "sweep done"
    );
    let target = args.output.target();
    let rendered = match args.format {
        SweepFormat::Json => crate::report::sweep::to_json(graph, &columns),
        SweepFormat::Csv => crate::report::sweep::to_csv(graph, &rows, &columns),
        SweepFormat::Markdown => crate::report::sweep::to_markdown(graph, &rows, &columns),
        SweepFormat::Text => {
            crate::report::sweep::to_text(graph, &rows, &columns, text_style(color, &target))
        }
    };
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    Ok(exit::OK)
}

fn spof(args: &SpofArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == SpofFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        spof_estate(args, color, warnings)
    })
}

fn spof_estate(
    args: &SpofArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let functions = function_rows(graph, &args.functions)?;
    let started = std::time::Instant::now();
    let baseline = Baseline::new(graph);
    let progress = Progress::new("single points of failure", 0);
    let mut results = crate::engine::spof::spof(&baseline, &functions, &|n| progress.inc(n));
    progress.finish();
    if let Some(kinds) = &args.kinds {
        for r in &mut results {
            r.spofs.retain(|&x| kinds.contains(&graph.kind(x)));
        }
    }
    tracing::info!(
        functions = functions.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "spof done"
    );
    let target = args.output.target();
    let rendered = match args.format {
        SpofFormat::Json => crate::report::spof::SpofReport::new(graph, &results).to_json(),
        SpofFormat::Text => {
            crate::report::spof::to_text(&baseline, &results, text_style(color, &target))
        }
        SpofFormat::Markdown => crate::report::spof::to_markdown(&baseline, &results),
    };
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    Ok(exit::OK)
}

fn read_text(path: &std::path::Path, what: &str) -> Result<String, Failure> {
    load::read::read_path_bounded(path).map_err(|e| {
        Failure::invalid(vec![Diagnostic::error(
            Code::UnreadableFile,
            format!("cannot read the {what} {}: {e}", path.display()),
        )
        .in_file(path.display().to_string())
        .help("check the path")])
    })
}

fn check(args: &CheckArgs, color: ColorChoice) -> Result<i32, Failure> {
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

fn check_estate(
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
    write(&target, rendered.as_bytes(), &check_inputs(args))?;
    let failed = !verdict.passed() && args.write_baseline.is_none();
    Ok(if failed && !args.soft_fail {
        exit::VIOLATIONS
    } else {
        exit::OK
    })
}

/// The `--baseline` file. A missing one is an error that says how to
/// create it, unless `--baseline-missing ok` makes it an empty baseline
/// (with a warning, so a typo in the path does not pass unnoticed).
fn read_accepted_baseline(
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
fn read_existing_baseline(path: &Path) -> Result<Option<BaselineFile>, Failure> {
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
fn write_renewed_baseline(
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
fn renewal_sentence(r: &Renewal, path: &Path) -> String {
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

fn validate(args: &ValidateArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == ValidateFormat::Json).then_some(ProblemFormat::Json);
    let estate = EstateArgs {
        sources: args.sources.clone(),
        // An incomplete estate is valid input: `validate` warns about it.
        allow_incomplete: true,
    };
    let inputs = input_files(&estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        let loaded = load_estate(&estate, color, warnings)?;
        let rendered = match args.format {
            ValidateFormat::Json => crate::report::diagnostics::to_json(warnings),
            ValidateFormat::Text => format!(
                "{} nodes in {} files: valid\n",
                loaded.graph.len(),
                loaded.node_origins.files().len()
            ),
        };
        write(&args.output.target(), rendered.as_bytes(), &inputs)?;
        Ok(exit::OK)
    })
}

fn domains(args: &DomainsArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == DomainsFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        let loaded = load_estate(&args.estate, color, warnings)?;
        let report = crate::report::domains::DomainsReport::new(&loaded.graph);
        let rendered = match args.format {
            DomainsFormat::Json => report.to_json(),
            DomainsFormat::Text => report.to_text(),
        };
        write(&args.output.target(), rendered.as_bytes(), &inputs)?;
        Ok(exit::OK)
    })
}

/// `collect backstage`: the catalog as an estate document, warnings
/// (duplicates, missing Location targets) and a summary on stderr.
fn collect_backstage(args: &CollectBackstageArgs, color: ColorChoice) -> Result<i32, Failure> {
    use crate::collect::backstage::{self, FunctionsFrom, Options};
    let options = Options {
        functions_from: args.functions_from.map(|f| match f {
            FunctionsFromArg::System => FunctionsFrom::System,
            FunctionsFromArg::Domain => FunctionsFrom::Domain,
        }),
        renames: renames(&args.names)?,
    };
    let collected = backstage::collect(&args.files, &options).map_err(Failure::invalid)?;
    if !quiet() && !collected.warnings.is_empty() {
        use std::io::Write;
        let text = render_diagnostics(&collected.warnings, color);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
    let json = collected.document.to_json_string();
    write(&args.output.target(), json.as_bytes(), &args.files)?;
    say(&format!(
        "blastmap: {}",
        collected.summary.line(&collected.document)
    ));
    Ok(exit::OK)
}

fn completions(args: &CompletionsArgs) -> Result<i32, Failure> {
    let script = crate::cli::completion_script(args.shell);
    write(&args.output.target(), &script, &[])?;
    Ok(exit::OK)
}

fn man(args: &ManArgs) -> Result<i32, Failure> {
    // The argument's parser admits only command names, so a page exists.
    let page = crate::cli::man_page(args.command.as_deref()).unwrap_or_default();
    write(&args.output.target(), &page, &[])?;
    Ok(exit::OK)
}

/// The renames of a collector run: the `--rename-file`'s pairs, then the
/// `--rename` flags, a flag winning over the file for the same name.
fn renames(names: &crate::cli::RenameArgs) -> Result<Vec<(String, String)>, Failure> {
    use crate::collect::rename;
    let flags = &names.rename;
    let Some(path) = names.rename_file.as_deref() else {
        return Ok(flags.to_vec());
    };
    let text = read_text(path, "rename file")?;
    let from_file =
        rename::parse_rename_file(&path.display().to_string(), &text).map_err(Failure::invalid)?;
    Ok(rename::with_flags(from_file, flags))
}

/// `collect traces`: every file read in turn (a malformed one stops the
/// command, naming its line and column), then one document written.
fn collect_traces(args: &CollectTracesArgs) -> Result<i32, Failure> {
    use crate::collect::traces::{Collector, Options};
    let mut collector = Collector::new();
    for file in &args.files {
        collector
            .read_file(file, args.input_format)
            .map_err(|d| Failure::invalid(vec![d]))?;
    }
    let options = Options {
        min_calls: args.min_calls,
        optional: args.optional.iter().cloned().collect(),
        renames: renames(&args.names)?.into_iter().collect(),
    };
    let document = collector.finish(&options);
    write(
        &args.output.target(),
        document.to_json_string().as_bytes(),
        &args.files,
    )?;
    Ok(exit::OK)
}

/// How long `dot` may take to draw an SVG before blastmap gives up (it took
/// 91 s for 5,000 nodes; `--max-nodes` keeps diagrams far below that).
const DOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

fn diagram(args: &DiagramArgs, color: ColorChoice) -> Result<i32, Failure> {
    let mut warnings = Vec::new();
    let loaded = load_estate(&args.estate, color, &mut warnings)?;
    let graph = &loaded.graph;
    let analysis = if args.fail.is_empty() {
        None
    } else {
        let scenario =
            checked_scenario_of_args(graph, args.failed_domains()).map_err(Failure::invalid)?;
        Some(engine::analyze(graph, &scenario))
    };
    let functions = if args.functions.is_empty() {
        Vec::new()
    } else {
        function_rows(graph, &args.functions)?
    };
    let options = crate::report::diagram::Options {
        analysis: analysis.as_ref(),
        functions: &functions,
        max_nodes: args.max_nodes,
    };
    let dot = crate::report::diagram::to_dot(graph, &options);
    let target = Target::from_arg(Some(&args.output));
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some(format @ ("svg" | "png")) if target != Target::Stdout => run_dot(&dot, format)?,
        _ => dot.into_bytes(),
    };
    write(&target, &bytes, &input_files(&args.estate, &[]))?;
    Ok(exit::OK)
}

/// Runs Graphviz `dot -T{format}` (`svg`, `png`) on `dot` through stdin,
/// with a timeout (a huge graph must not hang CI), and returns the image.
fn run_dot(dot: &str, format: &str) -> Result<Vec<u8>, Failure> {
    use std::io::{Read, Write};
    use std::process::{Command as Process, Stdio};
    let failed = |message: String| {
        Failure::invalid(vec![Diagnostic::error(Code::GraphvizFailed, message).help(
            "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or write .dot",
        )])
    };
    let mut child = Process::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                failed(format!("Graphviz `dot` is not installed (not found on PATH): install Graphviz to draw a {}", format.to_ascii_uppercase()))
            } else {
                failed(format!("cannot run Graphviz `dot`: {e}"))
            }
        })?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(failed("cannot talk to Graphviz `dot`".to_owned()));
    };
    let input = dot.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let errors = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > DOT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "Graphviz `dot` did not finish within {} s",
                    DOT_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => return Err(failed(format!("cannot wait for Graphviz `dot`: {e}"))),
        }
    };
    let _ = writer.join();
    let svg = reader.join().ok().and_then(Result::ok).unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() || svg.is_empty() {
        return Err(failed(format!(
            "Graphviz `dot` failed ({status}): {}",
            crate::model::text::escape_for_display(err.trim())
        )));
    }
    Ok(svg)
}
