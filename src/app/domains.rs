//! `domains`: the failure domains an estate holds.

use super::*;

pub(super) fn domains(args: &DomainsArgs, color: ColorChoice) -> Result<i32, Failure> {
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
