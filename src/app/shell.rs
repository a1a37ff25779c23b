//! `completions` and `man`: the shell's and the manual's view of the command line.

use super::*;

pub(super) fn completions(args: &CompletionsArgs) -> Result<i32, Failure> {
    let script = crate::cli::completion_script(args.shell);
    write(&args.output.target(), &script, &[])?;
    Ok(exit::OK)
}

pub(super) fn man(args: &ManArgs) -> Result<i32, Failure> {
    // The argument's parser admits only command names, so a page exists.
    let page = crate::cli::man_page(args.command.as_deref()).unwrap_or_default();
    write(&args.output.target(), &page, &[])?;
    Ok(exit::OK)
}
