//! `availability`: the exact availability of each function (SPEC §7).

use super::*;

pub(super) fn availability(args: &AvailabilityArgs, color: ColorChoice) -> Result<i32, Failure> {
    let format = (args.format == AvailabilityFormat::Json).then_some(ProblemFormat::Json);
    let inputs = input_files(&args.estate, &[&args.rates]);
    reporting_problems(format, args.output.target(), &inputs, |warnings| {
        availability_estate(args, color, warnings)
    })
}

fn availability_estate(
    args: &AvailabilityArgs,
    color: ColorChoice,
    warnings: &mut Vec<Diagnostic>,
) -> Result<i32, Failure> {
    use crate::engine::availability as engine_availability;
    use crate::report::availability as report;
    let loaded = load_estate(&args.estate, color, warnings)?;
    let graph = &loaded.graph;
    let rates_name = args.rates.display().to_string();
    let rates_text = read_text(&args.rates, "rates file")?;
    let rates =
        load::rates::parse_rates(&rates_name, &rates_text, graph).map_err(Failure::invalid)?;
    let functions = function_rows(graph, &args.functions)?;
    let started = std::time::Instant::now();
    let spinner = Progress::spinner("computing availability");
    let result = engine_availability::availability(
        graph,
        &rates,
        &functions,
        args.top,
        engine_availability::DEFAULT_BUDGET,
    );
    spinner.finish();
    tracing::info!(
        functions = functions.len(),
        events = result.events.len(),
        largest_diagram = result.largest_diagram,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "availability computed"
    );
    let target = args.output.target();
    let rendered = match args.format {
        AvailabilityFormat::Json => report::AvailabilityReport::new(graph, &result).to_json(),
        AvailabilityFormat::Text => report::to_text(graph, &result, text_style(color, &target)),
        AvailabilityFormat::Markdown => report::to_markdown(graph, &result),
    };
    write(
        &target,
        rendered.as_bytes(),
        &input_files(&args.estate, &[&args.rates]),
    )?;
    Ok(exit::OK)
}
