//! `validate`: load the estate and report every problem.

use super::*;

pub(super) fn validate(args: &ValidateArgs, color: ColorChoice) -> Result<i32, Failure> {
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
