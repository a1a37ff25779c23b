//! `catalog`: the built-in `aws:` nodes (SPEC §6.2) and their sources. Reads
//! no estate.

use super::*;
use crate::report::catalog::CatalogReport;

pub(super) fn catalog(args: &CatalogArgs) -> Result<i32, Failure> {
    let report = CatalogReport::new();
    let rendered = match args.format {
        CatalogFormat::Text => report.to_text(),
        CatalogFormat::Json => report.to_json(),
        CatalogFormat::Markdown => report.to_markdown(),
    };
    write(&args.output.target(), rendered.as_bytes(), &[])?;
    Ok(exit::OK)
}
