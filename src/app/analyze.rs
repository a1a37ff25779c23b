//! `analyze`: one scenario, every function's status and why.

use super::*;

pub(super) fn analyze(args: &AnalyzeArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == AnalyzeFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        analyze_estate(args, color, warnings)
    })
}

pub(super) fn analyze_estate(
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
    let inputs = input_files(&args.estate, &[]);
    if args.format == AnalyzeFormat::Json {
        let mut report = AnalyzeReport::observed(&scenario, &analysis, &loaded.provenance);
        if !args.functions.is_empty() {
            // `nodes` stays whole: the scenario's damage to the estate
            // does not depend on which functions the reader asked about.
            let asked: std::collections::HashSet<&str> =
                functions.iter().map(|&f| graph.id(f)).collect();
            report.functions.retain(|f| asked.contains(f.id.as_str()));
        }
        // The report holds its own ids: the estate goes while it is
        // serialised and written.
        drop(analysis);
        release_in_background(loaded);
        let json = report.to_json();
        // Hundreds of thousands of ids at 120k: 8 ms to free.
        leave_for_exit(report);
        write(&target, json.as_bytes(), &inputs)?;
        leave_for_exit(json);
        return Ok(exit::OK);
    }
    let rendered = if args.format == AnalyzeFormat::Markdown {
        analyze_report::to_markdown_observed(&scenario, &analysis, &functions, &loaded.provenance)
    } else {
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
    };
    drop(analysis);
    release_in_background(loaded);
    write(&target, rendered.as_bytes(), &inputs)?;
    leave_for_exit(rendered);
    Ok(exit::OK)
}
