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
    let started = std::time::Instant::now();
    let baseline = Baseline::new(graph);
    if args.order == 2 {
        return pairs_estate(args, color, &baseline, &functions);
    }
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

/// `spof --order 2`: single points of failure and pairs (SPEC §6.3).
fn pairs_estate(
    args: &SpofArgs,
    color: ColorChoice,
    baseline: &Baseline,
    functions: &[NodeIx],
) -> Result<i32, Failure> {
    let graph = baseline.graph();
    let started = std::time::Instant::now();
    let progress = Progress::new("double failures", 0);
    let mut results = crate::engine::pairs::pairs(baseline, functions, &|n| progress.inc(n));
    progress.finish();
    if let Some(kinds) = &args.kinds {
        let of_kinds = |x: NodeIx| kinds.contains(&graph.kind(x));
        for r in &mut results {
            r.spofs.retain(|&x| of_kinds(x));
            r.pairs.retain(|&(a, b)| of_kinds(a) && of_kinds(b));
        }
    }
    tracing::info!(
        functions = functions.len(),
        pairs = results.iter().map(|r| r.pairs.len()).sum::<usize>(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "pairs done"
    );
    let target = args.output.target();
    let rendered = match args.format {
        SpofFormat::Json => crate::report::pairs::PairsReport::new(graph, &results).to_json(),
        SpofFormat::Text => {
            crate::report::pairs::to_text(baseline, &results, text_style(color, &target))
        }
        SpofFormat::Markdown => crate::report::pairs::to_markdown(baseline, &results),
    };
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[]),
    )?;
    Ok(exit::OK)
}
