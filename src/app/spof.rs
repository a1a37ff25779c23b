//! `spof`: the single points of failure of each function.

use super::*;

pub(super) fn spof(args: &SpofArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == SpofFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        spof_estate(args, color, warnings)
    })
}

pub(super) fn spof_estate(
    args: &SpofArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let functions = function_rows(graph, &args.functions)?;
    let baseline = Baseline::new(graph);
    let target = args.output.target();
    let style = text_style(color, &target);
    let rendered = if args.order == 2 {
        render_pairs(args, &baseline, &functions, style)
    } else {
        render_singles(args, &baseline, &functions, style)
    };
    drop(baseline);
    release_in_background(loaded);
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    leave_for_exit(rendered);
    Ok(exit::OK)
}

/// Whether `--kinds` (if given) lists node `x`'s kind.
fn of_kinds(args: &SpofArgs, graph: &crate::graph::Graph, x: NodeIx) -> bool {
    args.kinds
        .as_ref()
        .is_none_or(|kinds| kinds.contains(&graph.kind(x)))
}

/// `spof`: single points of failure, rendered in the format asked.
fn render_singles(
    args: &SpofArgs,
    baseline: &Baseline,
    functions: &[NodeIx],
    style: crate::report::style::Style,
) -> String {
    let graph = baseline.graph();
    let started = std::time::Instant::now();
    let progress = Progress::new("single points of failure", 0);
    let mut results = crate::engine::spof::spof(baseline, functions, &|n| progress.inc(n));
    progress.finish();
    for r in &mut results {
        r.spofs.retain(|&x| of_kinds(args, graph, x));
    }
    tracing::info!(
        functions = functions.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "spof done"
    );
    match args.format {
        SpofFormat::Json => crate::report::spof::SpofReport::new(graph, &results).to_json(),
        SpofFormat::Text => crate::report::spof::to_text(baseline, &results, style),
        SpofFormat::Markdown => crate::report::spof::to_markdown(baseline, &results),
    }
}

/// `spof --order 2`: single points of failure and pairs (SPEC §6.3),
/// rendered in the format asked. With `--kinds`, a pair is kept when both
/// members are of those kinds.
fn render_pairs(
    args: &SpofArgs,
    baseline: &Baseline,
    functions: &[NodeIx],
    style: crate::report::style::Style,
) -> String {
    let graph = baseline.graph();
    let started = std::time::Instant::now();
    let progress = Progress::new("double failures", 0);
    let mut results = crate::engine::pairs::pairs(baseline, functions, &|n| progress.inc(n));
    progress.finish();
    for r in &mut results {
        r.spofs.retain(|&x| of_kinds(args, graph, x));
        r.pairs
            .retain(|&(a, b)| of_kinds(args, graph, a) && of_kinds(args, graph, b));
    }
    tracing::info!(
        functions = functions.len(),
        pairs = results.iter().map(|r| r.pairs.len()).sum::<usize>(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "pairs done"
    );
    match args.format {
        SpofFormat::Json => crate::report::pairs::PairsReport::new(graph, &results).to_json(),
        SpofFormat::Text => crate::report::pairs::to_text(baseline, &results, style),
        SpofFormat::Markdown => crate::report::pairs::to_markdown(baseline, &results),
    }
}
