//! The rules of the house (`ARCHITECTURE.md`) as a test: the data flows one
//! way, inputs → documents → graph → engine → reports, and no floor reaches up.
//!
//! Every file under `src/` is read; its `use` declarations (groups expanded,
//! `self::`/`super::` resolved to absolute modules) and the `crate::…`,
//! `super::…` and `self::…` paths written inline in code become arrows from
//! the file to the module they name. Re-exports (`pub use` in a `mod.rs`) are
//! followed to the file that defines the item. Each file sits on the floor of
//! its first module segment (`src/engine/check.rs` on `engine`). The test
//! fails on:
//! - an arrow [`FORBIDDEN`] lists, such as engine → load;
//! - two files that import each other (`engine/spof.rs` ↔ `engine/check.rs`);
//!   a `mod.rs` reaching into its own submodules is ownership, not an import;
//! - a file on no floor (move it to the floor it belongs to);
//! - a crate a floor must not use ([`FORBIDDEN_CRATES`]: model without
//!   serde_saphyr).
//!
//! Test code is exempt: everything after a `#[cfg(test)]` line, and files
//! named `tests.rs`. `src/main.rs` is its own crate (it names the library as
//! `blastmap::`) and may use every floor.
//!
//! The checker works on `(path, text)` pairs, so its own tests at the end of
//! this file run it on small estates of source written in the test.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::util::repo_path;

/// The floors of ARCHITECTURE.md, bottom to top. `Root` is `src/lib.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Floor {
    Model,
    Diag,
    Load,
    Graph,
    Engine,
    Report,
    Collect,
    Cli,
    App,
    Root,
}

impl Floor {
    /// The floor of a module path (segments after `crate`), `None` when the
    /// first segment is not a floor of ARCHITECTURE.md.
    fn of(module: &[String]) -> Option<Floor> {
        let Some(first) = module.first() else {
            return Some(Floor::Root);
        };
        Some(match first.as_str() {
            "model" => Floor::Model,
            "diag" => Floor::Diag,
            "load" => Floor::Load,
            "graph" => Floor::Graph,
            "engine" => Floor::Engine,
            "report" => Floor::Report,
            "collect" => Floor::Collect,
            "cli" => Floor::Cli,
            "app" => Floor::App,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Floor::Model => "model",
            Floor::Diag => "diag",
            Floor::Load => "load",
            Floor::Graph => "graph",
            Floor::Engine => "engine",
            Floor::Report => "report",
            Floor::Collect => "collect",
            Floor::Cli => "cli",
            Floor::App => "app",
            Floor::Root => "lib",
        }
    }
}

/// The arrows ARCHITECTURE.md forbids: a file on the floor on the left may
/// not name a module on any floor on the right. `model` is the bottom floor
/// (plain types); `diag` (Diagnostic, Code, the file store) sits just above
/// it and is used by every floor, so it may use only `model`; `graph` sits
/// between `load` (which builds it) and `engine`; `cli` and `app` are the top,
/// used by `main.rs` only.
const FORBIDDEN: &[(Floor, &[Floor])] = {
    use Floor::*;
    &[
        (
            Model,
            &[Diag, Load, Graph, Engine, Report, Collect, Cli, App, Root],
        ),
        (Diag, &[Load, Graph, Engine, Report, Collect, Cli, App]),
        (Load, &[Engine, Report, Collect, Cli, App]),
        (Graph, &[Load, Engine, Report, Collect, Cli, App]),
        (Engine, &[Load, Report, Collect, Cli, App]),
        (Report, &[Load, Collect, Cli, App]),
        (Collect, &[Engine, Report, Cli, App]),
    ]
};

/// External crates a floor must not use: the vocabulary does not know how
/// files are parsed ("model: no serde_saphyr").
const FORBIDDEN_CRATES: &[(Floor, &[&str])] = &[(Floor::Model, &["serde_saphyr"])];

fn forbidden(from: Floor, to: Floor) -> bool {
    FORBIDDEN
        .iter()
        .any(|(f, targets)| *f == from && targets.contains(&to))
}

// ---------------------------------------------------------------------------
// Source files and their modules
// ---------------------------------------------------------------------------

/// One source file: its path under `src/` and its module path.
struct SourceFile<'a> {
    path: &'a str,
    module: Vec<String>,
    /// Tokens of the checked part (before `#[cfg(test)]`), comments and
    /// literals removed.
    tokens: Vec<Token>,
}

/// The module path of a file under `src/`: `engine/check.rs` → `engine::check`,
/// `engine/mod.rs` → `engine`, `lib.rs` → the crate root.
fn module_of(path: &str) -> Vec<String> {
    let stem = path.strip_suffix(".rs").unwrap_or(path);
    let mut segments: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
        segments.pop();
    }
    segments
}

/// The text that the rules apply to: everything before the first line that
/// starts with `#[cfg(test)]`.
fn checked_part(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("#[cfg(test)]") {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

/// `text` with comments and the contents of string and char literals
/// replaced by spaces, newlines kept, so line numbers stay right and no path
/// inside a string or comment counts as an import.
fn sanitize(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if let Some(len) = raw_string_start(&chars, i) {
            // r"…", r#"…"#, br#"…"#: ends at a quote followed by as many #.
            let hashes = len - 1 - usize::from(c == 'b') - 1;
            for _ in 0..len {
                out.push(' ');
            }
            i += len;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let step = if chars[i] == '\\' { 2 } else { 1 };
                for k in 0..step {
                    if let Some(&ch) = chars.get(i + k) {
                        out.push(blank(ch));
                    }
                }
                i += step;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal: '\n', '\'', '\u{..}'.
            out.push_str("  ");
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The length of a raw string's opening (`r"`, `r#"`, `br##"` …) at `i`, if
/// one starts there (and `i` does not continue an identifier).
fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if chars.get(j) == Some(&'b') {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    (chars.get(j) == Some(&'"')).then_some(j + 1 - i)
}

/// A word or a punctuation mark of sanitized source, with its line.
#[derive(Clone, Debug, PartialEq)]
struct Token {
    text: String,
    line: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let mut word = String::from(c);
            while let Some(&d) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token { text: word, line });
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            tokens.push(Token {
                text: "::".into(),
                line,
            });
        } else if !c.is_whitespace() {
            tokens.push(Token {
                text: c.to_string(),
                line,
            });
        }
    }
    tokens
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

// ---------------------------------------------------------------------------
// Paths a file names
// ---------------------------------------------------------------------------

/// A path a file names, as written, with the line it starts on.
#[derive(Debug)]
struct Named {
    segments: Vec<String>,
    line: usize,
    /// For a `use` leaf: `pub use`, and the name it is bound to.
    reexport: Option<String>,
}

/// Every path `tokens` name: `use` trees expanded, then inline
/// `crate::`/`super::`/`self::` paths outside `use` declarations.
fn named_paths(tokens: &[Token]) -> Vec<Named> {
    let mut named = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].text == "use" {
            let public = i > 0 && (tokens[i - 1].text == "pub" || tokens[i - 1].text == ")");
            let mut j = i + 1;
            if tokens.get(j).is_some_and(|t| t.text == "::") {
                j += 1;
            }
            let mut leaves = Vec::new();
            j = use_tree(tokens, j, &[], &mut leaves);
            for (segments, line, alias) in leaves {
                named.push(Named {
                    segments,
                    line,
                    reexport: public.then_some(alias),
                });
            }
            while j < tokens.len() && tokens[j].text != ";" {
                j += 1;
            }
            i = j + 1;
        } else if matches!(tokens[i].text.as_str(), "crate" | "super" | "self")
            && tokens.get(i + 1).is_some_and(|t| t.text == "::")
            && (i == 0 || tokens[i - 1].text != "::")
        {
            let line = tokens[i].line;
            let mut segments = vec![tokens[i].text.clone()];
            let mut j = i + 1;
            while tokens.get(j).is_some_and(|t| t.text == "::")
                && tokens.get(j + 1).is_some_and(|t| is_ident(&t.text))
            {
                segments.push(tokens[j + 1].text.clone());
                j += 2;
            }
            named.push(Named {
                segments,
                line,
                reexport: None,
            });
            i = j;
        } else {
            i += 1;
        }
    }
    named
}

/// Parses the use tree at `i` under `prefix`, pushing each leaf (segments,
/// line, the name it binds); returns the index after the tree.
fn use_tree(
    tokens: &[Token],
    mut i: usize,
    prefix: &[String],
    leaves: &mut Vec<(Vec<String>, usize, String)>,
) -> usize {
    let mut segments = prefix.to_vec();
    let line = tokens.get(i).map_or(0, |t| t.line);
    loop {
        let Some(token) = tokens.get(i) else {
            return i;
        };
        if token.text == "{" {
            i += 1;
            while tokens.get(i).is_some_and(|t| t.text != "}") {
                i = use_tree(tokens, i, &segments, leaves);
                if tokens.get(i).is_some_and(|t| t.text == ",") {
                    i += 1;
                }
            }
            return i + 1;
        }
        if token.text == "*" {
            leaves.push((segments, line, "*".into()));
            return i + 1;
        }
        if !is_ident(&token.text) {
            return i;
        }
        segments.push(token.text.clone());
        i += 1;
        if tokens.get(i).is_some_and(|t| t.text == "::") {
            i += 1;
            continue;
        }
        let mut alias = token.text.clone();
        if tokens.get(i).is_some_and(|t| t.text == "as") {
            alias = tokens.get(i + 1).map_or(alias, |t| t.text.clone());
            i += 2;
        }
        if segments.last().is_some_and(|s| s == "self") {
            segments.pop();
            if alias == "self" {
                alias = segments.last().cloned().unwrap_or_default();
            }
        }
        leaves.push((segments, line, alias));
        return i;
    }
}

/// `segments` as an absolute module path (after `crate`), seen from
/// `module`; `None` for a path into another crate. A first segment that is
/// neither `crate`, `self` nor `super` names a submodule of `module` when
/// one exists (2018 paths), another crate otherwise.
fn absolute(
    segments: &[String],
    module: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.to_vec(),
        "super" => {
            let mut base = module.to_vec();
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            return Some(base);
        }
        // 2018 paths: `use child::x` names a submodule of this module.
        name => {
            let mut child = module.to_vec();
            child.push(name.to_owned());
            if !modules.contains(&child) {
                return None;
            }
            let mut base = module.to_vec();
            base.push(name.to_owned());
            base.extend(segments[1..].iter().cloned());
            return Some(base);
        }
    };
    base.extend(segments[1..].iter().cloned());
    Some(base)
}

// ---------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------

/// An arrow from a file (at a line) to the file it reaches.
struct Arrow {
    line: usize,
    written: String,
    target: usize,
}

/// Runs the rules on `files` (path under `src/`, text); returns one sentence
/// per offending arrow, file or crate, sorted, empty when the house is in
/// order.
fn violations(files: &[(&str, &str)]) -> Vec<String> {
    let sources: Vec<SourceFile> = files
        .iter()
        .filter(|(path, _)| *path != "main.rs" && !path.ends_with("tests.rs"))
        .map(|(path, text)| SourceFile {
            path,
            module: module_of(path),
            tokens: tokenize(&sanitize(checked_part(text))),
        })
        .collect();
    let modules: BTreeMap<Vec<String>, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.module.clone(), i))
        .collect();
    let module_set: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let named: Vec<Vec<Named>> = sources.iter().map(|s| named_paths(&s.tokens)).collect();
    let reexports = reexports(&sources, &named, &module_set);

    let mut problems = Vec::new();
    let mut arrows: Vec<Vec<Arrow>> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        let from = Floor::of(&source.module);
        if from.is_none() {
            problems.push(format!(
                "src/{}: on no floor of ARCHITECTURE.md (model, diag, load, graph, engine, \
                 report, collect, cli, app): move it to the floor it belongs to",
                source.path
            ));
        }
        for (floor, crates) in FORBIDDEN_CRATES {
            if from != Some(*floor) {
                continue;
            }
            for token in source
                .tokens
                .iter()
                .filter(|t| crates.contains(&t.text.as_str()))
            {
                problems.push(format!(
                    "src/{}:{}: {} uses the crate `{}`, which ARCHITECTURE.md keeps out of it",
                    source.path,
                    token.line,
                    floor.name(),
                    token.text
                ));
            }
        }
        let mut out = Vec::new();
        for n in &named[index] {
            let Some(path) = absolute(&n.segments, &source.module, &module_set) else {
                continue;
            };
            let Some(target) = resolve(&path, &modules, &reexports) else {
                continue;
            };
            let target_module = &sources[target].module;
            // A module owns its submodules: a mod.rs naming them is no import.
            if target == index || target_module.starts_with(&source.module) {
                continue;
            }
            let written = n.segments.join("::");
            if let (Some(from), Some(to)) = (from, Floor::of(target_module)) {
                if forbidden(from, to) {
                    problems.push(format!(
                        "src/{}:{}: {} → {}: `{written}` reaches src/{}",
                        source.path,
                        n.line,
                        from.name(),
                        to.name(),
                        sources[target].path
                    ));
                }
            }
            out.push(Arrow {
                line: n.line,
                written,
                target,
            });
        }
        arrows.push(out);
    }
    problems.extend(mutual_imports(&sources, &arrows));
    problems.sort();
    problems.dedup();
    problems
}

/// Per module, the names its `pub use` declarations re-export, with the
/// absolute path each stands for.
fn reexports(
    sources: &[SourceFile],
    named: &[Vec<Named>],
    modules: &BTreeSet<Vec<String>>,
) -> BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>> {
    let mut table: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (source, named) in sources.iter().zip(named) {
        for n in named {
            let Some(alias) = &n.reexport else { continue };
            if let Some(path) = absolute(&n.segments, &source.module, modules) {
                table
                    .entry(source.module.clone())
                    .or_default()
                    .insert(alias.clone(), path);
            }
        }
    }
    table
}

/// The file an absolute path reaches: the longest module prefix, then, when
/// that module re-exports the next segment, the file the re-export reaches.
fn resolve(
    path: &[String],
    modules: &BTreeMap<Vec<String>, usize>,
    reexports: &BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
) -> Option<usize> {
    let mut path = path.to_vec();
    for _ in 0..8 {
        let prefix = (0..=path.len())
            .rev()
            .find(|&len| modules.contains_key(&path[..len]))?;
        let module = &path[..prefix];
        let followed = path
            .get(prefix)
            .and_then(|next| reexports.get(module)?.get(next))
            .filter(|target| target.as_slice() != &path[..=prefix]);
        match followed {
            Some(target) => {
                let mut next = target.clone();
                next.extend(path[prefix + 1..].iter().cloned());
                path = next;
            }
            None => return modules.get(module).copied(),
        }
    }
    None
}

/// Every pair of files that import each other, once, with a line of each.
fn mutual_imports(sources: &[SourceFile], arrows: &[Vec<Arrow>]) -> Vec<String> {
    let mut problems = Vec::new();
    for (a, out) in arrows.iter().enumerate() {
        for arrow in out.iter().filter(|arrow| arrow.target > a) {
            let b = arrow.target;
            if let Some(back) = arrows[b].iter().find(|back| back.target == a) {
                let mut line = String::new();
                let _ = write!(
                    line,
                    "src/{}:{} ↔ src/{}:{}: the two files import each other \
                     (`{}` and `{}`): move what both need below them",
                    sources[a].path,
                    arrow.line,
                    sources[b].path,
                    back.line,
                    arrow.written,
                    back.written
                );
                problems.push(line);
            }
        }
    }
    problems
}

/// Every `.rs` file under `src/`, as (path under `src/`, text).
fn source_files() -> Vec<(String, String)> {
    let root = repo_path("src");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ can be listed") {
            let path = entry.expect("src/ can be listed").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(&root)
                    .expect("a file under src/ is under src/")
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("a source file is UTF-8");
                files.push((relative, text));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn no_floor_reaches_up_and_no_two_files_import_each_other() {
    let files = source_files();
    assert!(
        files.iter().any(|(path, _)| path == "lib.rs"),
        "src/lib.rs is found"
    );
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let problems = violations(&borrowed);
    assert!(
        problems.is_empty(),
        "{} arrow(s) break the rules of ARCHITECTURE.md:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------
// The checker's own tests, on source written here
// ---------------------------------------------------------------------------

#[test]
fn an_engine_file_using_load_is_a_forbidden_arrow_with_its_line() {
    let problems = violations(&[
        ("lib.rs", "pub mod engine;\npub mod load;\n"),
        ("engine/mod.rs", "pub mod sweep;\n"),
        (
            "engine/sweep.rs",
            "use std::fmt;\n\nuse crate::load::Source;\n",
        ),
        ("load/mod.rs", "pub struct Source;\n"),
    ]);
    assert_eq!(
        problems,
        ["src/engine/sweep.rs:3: engine → load: `crate::load::Source` reaches src/load/mod.rs"]
    );
}

#[test]
fn allowed_arrows_downwards_are_not_reported() {
    let problems = violations(&[
        (
            "lib.rs",
            "pub mod engine;\npub mod graph;\npub mod model;\n",
        ),
        (
            "engine/mod.rs",
            "use crate::{graph::Graph, model::Status};\n",
        ),
        ("graph.rs", "use crate::model::Status;\npub struct Graph;\n"),
        ("model/mod.rs", "pub enum Status { Up }\n"),
    ]);
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn grouped_and_inline_paths_are_found_but_not_in_strings_comments_or_tests() {
    let problems = violations(&[
        ("lib.rs", ""),
        ("load/mod.rs", ""),
        (
            "report/mod.rs",
            "use crate::{graph::Graph, engine::{self, x}};\n\
             // crate::load::a in a comment\n\
             const S: &str = \"crate::load::b\";\n\
             fn f() { let _ = crate::load::parse::c(); }\n\
             #[cfg(test)]\n\
             mod tests { use crate::load::d; }\n",
        ),
        ("load/parse.rs", ""),
        ("engine/mod.rs", ""),
        ("graph.rs", ""),
    ]);
    assert_eq!(
        problems,
        ["src/report/mod.rs:4: report → load: `crate::load::parse::c` reaches src/load/parse.rs"]
    );
}

#[test]
fn two_files_importing_each_other_through_super_are_a_cycle() {
    let problems = violations(&[
        ("lib.rs", ""),
        (
            "engine/mod.rs",
            "mod check;\nmod spof;\npub use check::Explainer;\n",
        ),
        ("engine/check.rs", "use super::spof::spof;\n"),
        ("engine/spof.rs", "\nfn f() { super::Explainer::new(); }\n"),
    ]);
    assert_eq!(
        problems,
        [
            "src/engine/check.rs:1 ↔ src/engine/spof.rs:2: the two files import each other \
             (`super::spof::spof` and `super::Explainer::new`): move what both need below them"
        ]
    );
}

#[test]
fn a_file_on_no_floor_and_serde_saphyr_in_model_are_reported() {
    let problems = violations(&[
        ("lib.rs", ""),
        ("policy.rs", ""),
        ("model/raw.rs", "use serde_saphyr::Spanned;\n"),
    ]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("src/model/raw.rs:1: model uses the crate `serde_saphyr`"));
    assert!(problems[1].starts_with("src/policy.rs: on no floor"));
}
