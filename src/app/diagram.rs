//! `diagram`: DOT built here, SVG and PNG drawn by Graphviz `dot`.

use super::*;

/// How long `dot` may take to draw an SVG before blastmap gives up (it took
/// 91 s for 5,000 nodes; `--max-nodes` keeps diagrams far below that).
pub(super) const DOT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

pub(super) fn diagram(args: &DiagramArgs, color: ColorChoice) -> Result<i32, Failure> {
    let mut warnings = Vec::new();
    let loaded = load_estate(&args.estate, color, &mut warnings)?;
    let graph = &loaded.graph;
    let analysis = if args.fail.is_empty() {
        None
    } else {
        let scenario =
            checked_scenario_of_args(graph, args.failed_domains()).map_err(Failure::invalid)?;
        Some(engine::analyze(graph, &scenario))
    };
    let functions = if args.functions.is_empty() {
        Vec::new()
    } else {
        function_rows(graph, &args.functions)?
    };
    let options = crate::report::diagram::Options {
        analysis: analysis.as_ref(),
        functions: &functions,
        max_nodes: args.max_nodes,
    };
    let dot = crate::report::diagram::to_dot(graph, &options);
    let target = Target::from_arg(Some(&args.output));
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some(format @ ("svg" | "png")) if target != Target::Stdout => run_dot(&dot, format)?,
        _ => dot.into_bytes(),
    };
    write(&target, &bytes, &input_files(&args.estate, &[]))?;
    Ok(exit::OK)
}

/// Runs Graphviz `dot -T{format}` (`svg`, `png`) on `dot` through stdin,
/// with a timeout (a huge graph must not hang CI), and returns the image.
pub(super) fn run_dot(dot: &str, format: &str) -> Result<Vec<u8>, Failure> {
    use std::io::{Read, Write};
    use std::process::{Command as Process, Stdio};
    let failed = |message: String| {
        Failure::invalid(vec![Diagnostic::error(Code::GraphvizFailed, message).help(
            "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or write .dot",
        )])
    };
    let mut child = Process::new("dot")
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                failed(format!("Graphviz `dot` is not installed (not found on PATH): install Graphviz to draw a {}", format.to_ascii_uppercase()))
            } else {
                failed(format!("cannot run Graphviz `dot`: {e}"))
            }
        })?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(failed("cannot talk to Graphviz `dot`".to_owned()));
    };
    let input = dot.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let errors = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr.read_to_string(&mut err);
        err
    });
    let started = std::time::Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > DOT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "Graphviz `dot` did not finish within {} s",
                    DOT_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(10)),
            Err(e) => return Err(failed(format!("cannot wait for Graphviz `dot`: {e}"))),
        }
    };
    let _ = writer.join();
    let svg = reader.join().ok().and_then(Result::ok).unwrap_or_default();
    let err = errors.join().unwrap_or_default();
    if !status.success() || svg.is_empty() {
        return Err(failed(format!(
            "Graphviz `dot` failed ({status}): {}",
            crate::model::text::escape_for_display(err.trim())
        )));
    }
    Ok(svg)
}
