//! `collect traces` and `collect backstage`: inputs turned into estate documents.

use super::*;

/// `collect backstage`: the catalog as an estate document, warnings
/// (duplicates, missing Location targets) and a summary on stderr.
pub(super) fn collect_backstage(
    args: &CollectBackstageArgs,
    color: ColorChoice,
) -> Result<i32, Failure> {
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

/// The renames of a collector run: the `--rename-file`'s pairs, then the
/// `--rename` flags, a flag winning over the file for the same name.
pub(super) fn renames(names: &crate::cli::RenameArgs) -> Result<Vec<(String, String)>, Failure> {
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
pub(super) fn collect_traces(args: &CollectTracesArgs) -> Result<i32, Failure> {
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
