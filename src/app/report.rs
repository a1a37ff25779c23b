//! `report`: the architecture-review pack. Sweep, single points of
//! failure, the policy's violations and one diagram per function, computed
//! here and rendered by `report::html` into one self-contained file.

use rayon::prelude::*;

use super::diagram::run_dot;
use super::*;
use crate::report::html::{self, FunctionDiagram, ReviewInputs};

pub(super) fn review(args: &ReportArgs, color: ColorChoice) -> Result<i32, Failure> {
    let mut warnings = Vec::new();
    let loaded = load_estate(&args.estate, color, &mut warnings)?;
    let graph = &loaded.graph;
    let policy = match &args.policy {
        Some(path) => {
            let name = path.display().to_string();
            let text = read_text(path, "policy")?;
            Some(load::policy::parse_policy(&name, &text, graph).map_err(Failure::invalid)?)
        }
        None => None,
    };
    let mut functions = graph.functions().to_vec();
    functions.sort_by_key(|&f| (graph.criticality(f), f));
    let started = std::time::Instant::now();
    let baseline = Baseline::new(graph);
    let domains = scenarios_of(graph, &args.domains);
    let progress = Progress::new("sweeping", domains.len() as u64);
    let columns =
        crate::engine::sweep::sweep(&baseline, &domains, Some(&functions), &|n| progress.inc(n));
    progress.finish();
    let progress = Progress::new("single points of failure", 0);
    let spofs = crate::engine::spof::spof(&baseline, &functions, &|n| progress.inc(n));
    progress.finish();
    let violations = policy
        .as_ref()
        .map(|p| crate::engine::check::violations(&baseline, &p.rules, &|_| {}));
    tracing::info!(
        scenarios = domains.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "review computed"
    );
    let diagrams = diagrams(graph, &functions, args)?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "diagrams drawn"
    );
    let html = html::to_html(&ReviewInputs {
        baseline: &baseline,
        functions: &functions,
        columns: &columns,
        spofs: &spofs,
        policy: policy
            .as_ref()
            .zip(violations.as_deref())
            .map(|(p, v)| (p.file.as_str(), p.rules.as_slice(), v)),
        diagrams: &diagrams,
        sources: loaded.node_origins.files(),
        incomplete: &loaded.incomplete,
    });
    let policy_path: Vec<&Path> = args.policy.as_deref().into_iter().collect();
    write(
        &Target::from_arg(Some(&args.output)),
        html.as_bytes(),
        &input_files(&args.estate, &policy_path),
    )?;
    Ok(exit::OK)
}

/// One diagram per function, in `functions` order: its closure as
/// `diagram --function` draws it (resources collapsed above
/// `--max-nodes`), inlined. Closures still too big once collapsed, and
/// functions past `--max-diagrams`, get a note instead. The first drawing
/// runs alone so that a missing `dot` stops the command with its one clear
/// error; the rest run in parallel, and a failure of one becomes its note.
fn diagrams(
    graph: &Graph,
    functions: &[NodeIx],
    args: &ReportArgs,
) -> Result<Vec<FunctionDiagram>, Failure> {
    let draw = |i: usize, f: NodeIx| -> Result<FunctionDiagram, Failure> {
        if i >= args.max_diagrams {
            return Ok(FunctionDiagram::Skipped(format!(
                "Not drawn: the report draws the first {} functions (--max-diagrams); draw this one with `blastmap diagram SOURCES --function {} -o FILE.svg`.",
                args.max_diagrams,
                crate::model::text::escape_for_display(graph.id(f))
            )));
        }
        let only = [f];
        let options = crate::report::diagram::Options {
            analysis: None,
            functions: &only,
            max_nodes: args.max_nodes,
        };
        let dot = crate::report::diagram::build(graph, &options);
        let boxes = crate::report::diagram::boxes(&dot);
        if boxes > args.max_nodes {
            return Ok(FunctionDiagram::Skipped(format!(
                "Not drawn: {boxes} boxes even with resources collapsed by service and type, more than --max-nodes {}.",
                args.max_nodes
            )));
        }
        let svg = run_dot(&crate::report::diagram::print(&dot), "svg")?;
        let svg = String::from_utf8_lossy(&svg);
        Ok(match html::inline_svg(&svg, &format!("f{i}-")) {
            Ok(svg) => FunctionDiagram::Drawn(svg),
            Err(e) => FunctionDiagram::Skipped(format!(
                "Not drawn: Graphviz wrote an SVG that cannot be inlined ({e})."
            )),
        })
    };
    let Some((&first, rest)) = functions.split_first() else {
        return Ok(Vec::new());
    };
    let mut out = vec![draw(0, first)?];
    out.par_extend(rest.par_iter().enumerate().map(|(i, &f)| {
        draw(i + 1, f).unwrap_or_else(|failure| {
            let why: Vec<String> = failure
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect();
            FunctionDiagram::Skipped(format!("Not drawn: {}", why.join("; ")))
        })
    }));
    Ok(out)
}
