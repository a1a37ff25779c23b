//! `sweep`: every failure domain of the kinds asked, one scenario each.

use super::*;

pub(super) fn sweep(args: &SweepArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == SweepFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        sweep_estate(args, color, warnings)
    })
}

pub(super) fn sweep_estate(
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
    let columns = if args.pairs {
        let n = domains.len() as u64;
        let progress = Progress::new("sweeping pairs", n * n.saturating_sub(1) / 2);
        let columns = crate::engine::sweep::sweep_pairs(&baseline, &domains, Some(&rows), &|n| {
            progress.inc(n)
        });
        progress.finish();
        columns
    } else {
        let progress = Progress::new("sweeping", domains.len() as u64);
        let columns =
            crate::engine::sweep::sweep(&baseline, &domains, Some(&rows), &|n| progress.inc(n));
        progress.finish();
        columns
    };
    tracing::info!(
        scenarios = columns.len(),
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
    drop(baseline);
    leave_for_exit(columns);
    release_in_background(loaded);
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    leave_for_exit(rendered);
    Ok(exit::OK)
}
