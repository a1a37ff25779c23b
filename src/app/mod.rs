//! The commands, run: load, compute, render, write. Returns the exit code
//! the SPEC assigns (§4): 0 fine, 2 bad input, 3 incomplete estate.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{
    AnalyzeArgs, AnalyzeFormat, AvailabilityArgs, AvailabilityFormat, BaselineMissing, CatalogArgs,
    CatalogFormat, CheckArgs, CheckFormat, Cli, CollectBackstageArgs, CollectCommand,
    CollectTracesArgs, ColorChoice, Command, CompletionsArgs, DiagramArgs, DomainsArgs,
    DomainsFormat, EstateArgs, FunctionsFromArg, ManArgs, ReportArgs, SpofArgs, SpofFormat,
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

mod analyze;
mod availability;
mod catalog;
mod check;
mod collect;
#[cfg(feature = "aws")]
mod collect_aws;
mod diagram;
mod diff;
mod domains;
mod report;
mod shell;
mod spof;
mod sweep;
mod validate;

use self::analyze::analyze;
use self::availability::availability;
use self::catalog::catalog;
use self::check::check;
use self::collect::{collect_backstage, collect_traces};
#[cfg(feature = "aws")]
use self::collect_aws::collect_aws;
use self::diagram::diagram;
use self::diff::diff;
use self::domains::domains;
use self::report::review;
use self::shell::{completions, man};
use self::spof::spof;
use self::sweep::sweep;
use self::validate::validate;

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
        Command::Availability(args) => availability(args, cli.color),
        Command::Diagram(args) => diagram(args, cli.color),
        Command::Report(args) => review(args, cli.color),
        Command::Check(args) => check(args, cli.color),
        Command::Diff(args) => diff(args, cli.color),
        Command::Validate(args) => validate(args, cli.color),
        Command::Domains(args) => domains(args, cli.color),
        Command::Catalog(args) => catalog(args),
        Command::Collect(CollectCommand::Backstage(args)) => collect_backstage(args, cli.color),
        Command::Completions(args) => completions(args),
        Command::Man(args) => man(args),
        Command::Collect(CollectCommand::Traces(args)) => collect_traces(args),
        #[cfg(feature = "aws")]
        Command::Collect(CollectCommand::Aws(args)) => collect_aws(args, cli.color),
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

/// The allocator's way to hand freed pages back to the operating system,
/// set by `main`, which chooses the allocator.
static RETURN_FREED_PAGES: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`release_in_background`] calls once it has freed a command's
/// values. Only the first call counts.
pub fn on_pages_freed(hand_back: fn()) {
    let _ = RETURN_FREED_PAGES.set(hand_back);
}

/// Frees a command's large values (the loaded estate) on another thread and
/// hands their pages back to the operating system there, while this one
/// renders and writes the report, which need them no more: otherwise the
/// kernel unmaps them as the process exits, after the report is written
/// (34–38 ms of the exit at 120,000 services; 9–12 ms once they are
/// handed back first). The process does not wait for it: what the thread
/// has not handed back when the process ends is reclaimed then, as before.
/// Where no thread can be started the values are freed here.
fn release_in_background<T: Send + 'static>(values: T) {
    let releasing = std::thread::Builder::new()
        .name("release-memory".into())
        .spawn(move || {
            drop(values);
            if let Some(hand_back) = RETURN_FREED_PAGES.get() {
                hand_back();
            }
        });
    if let Err(e) = releasing {
        tracing::debug!(error = %e, "freeing the estate on this thread");
    }
}

/// Leaves a command's large values (the loaded estate, the results, the
/// report) to the operating system, which reclaims them at once when the
/// process exits right after: freeing them one allocation at a time took
/// 60–70 ms at 120,000 services that nobody waits for. Only for what a
/// command returns to `main` after, never in a loop.
fn leave_for_exit<T>(values: T) {
    std::mem::forget(values);
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

#[cfg(test)]
mod tests {
    /// Says on which thread it was dropped.
    struct SaysWhereDropped(std::sync::mpsc::Sender<std::thread::ThreadId>);

    impl Drop for SaysWhereDropped {
        fn drop(&mut self) {
            let _ = self.0.send(std::thread::current().id());
        }
    }

    #[test]
    fn released_values_are_dropped_on_another_thread() {
        let (tx, rx) = std::sync::mpsc::channel();
        let here = std::thread::current().id();
        super::release_in_background(SaysWhereDropped(tx));
        let there = rx.recv_timeout(std::time::Duration::from_secs(10));
        assert!(
            matches!(there, Ok(id) if id != here),
            "dropped on {there:?}, not on {here:?}"
        );
    }
}
