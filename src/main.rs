//! The `blastmap` binary: parse the command line, run, map to an exit code.

use clap::Parser;

use blastmap::app::{self, exit};
use blastmap::cli::Cli;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    app::on_pages_freed(hand_back_freed_pages);
    init_logging(&cli);
    blastmap::report::output::install_signal_cleanup();
    let code = match app::run(&cli) {
        Ok(code) => code,
        Err(failure) => {
            let mut text = app::render_diagnostics(&failure.diagnostics, cli.color);
            if failure.code == exit::INVALID && failure.diagnostics.len() > 1 {
                text.push_str(&format!("{} problems found\n", failure.diagnostics.len()));
            }
            // A closed or full stderr must not turn the exit code into a
            // panic's 101: the code below is the answer scripts rely on.
            let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
            failure.code
        }
    };
    exit_now(code);
}

/// Hands the pages of freed memory back to the operating system now (not
/// after mimalloc's purge delay, nor at the exit): called on the thread that
/// freed a command's estate while the report is written.
fn hand_back_freed_pages() {
    // SAFETY: `mi_collect` only walks mimalloc's own free lists; any thread
    // may call it at any time.
    unsafe { mi_collect(true) }
}

extern "C" {
    /// mimalloc's `void mi_collect(bool force)`, linked with the allocator
    /// above.
    fn mi_collect(force: bool);
}

/// Ends the process without the C library's exit handlers. The one that
/// matters is mimalloc's: it hands every freed page back to the operating
/// system, range by range (47 ms at 120,000 services), just before the
/// operating system reclaims the whole address space anyway. Stdout is
/// flushed first (stderr is not buffered); no other handler has work left:
/// reports are written and their temporary files renamed or removed.
fn exit_now(code: i32) -> ! {
    let _ = std::io::Write::flush(&mut std::io::stdout());
    // SAFETY: `_exit` only ends the process; no code of this one runs after.
    unsafe { libc::_exit(code) }
}

/// Logs go to stderr, coloured as `--color` says for stderr; `RUST_LOG`
/// wins over `-v` and `-q` (`-q`: errors only).
fn init_logging(cli: &Cli) {
    let default = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let ansi = app::wants_color(
        cli.color,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    );
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(ansi)
        .init();
}
