//! The user documentation agrees with the code: `docs/diagnostics.md` lists
//! every diagnostic code of [`Code`], with the meaning and fix documented on
//! the variant in `src/diag.rs`, and no code that does not exist.

use std::collections::BTreeMap;

use blastmap::diag::Code;

use crate::util::repo_path;

/// `code → | `code` | meaning | fix |` from the doc comments of `Code`
/// (`/// `code`: Meaning. Fix: How.`), the one place codes are documented.
fn documented_rows() -> BTreeMap<String, String> {
    let source =
        std::fs::read_to_string(repo_path("src/diag.rs")).expect("src/diag.rs is readable");
    let (_, from_enum) = source
        .split_once("pub enum Code {")
        .expect("src/diag.rs declares `pub enum Code`");
    let (variants, _) = from_enum.split_once("\n}").expect("the enum Code ends");
    variants
        .lines()
        .filter_map(|l| l.trim().strip_prefix("/// `"))
        .filter_map(|l| {
            let (code, rest) = l.split_once("`: ")?;
            let (meaning, fix) = rest.split_once(" Fix: ")?;
            Some((code.to_owned(), format!("| `{code}` | {meaning} | {fix} |")))
        })
        .collect()
}

/// `code → row` for each row of the table in `docs/diagnostics.md`.
fn rows_in_docs() -> BTreeMap<String, String> {
    let docs = std::fs::read_to_string(repo_path("docs/diagnostics.md"))
        .expect("docs/diagnostics.md is readable");
    docs.lines()
        .filter_map(|l| {
            let code = l.strip_prefix("| `")?.split_once('`')?.0;
            Some((code.to_owned(), l.trim_end().to_owned()))
        })
        .collect()
}

#[test]
fn the_diagnostics_page_lists_every_code_and_no_other() {
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let listed = rows_in_docs();
    let missing: Vec<&&str> = codes.iter().filter(|c| !listed.contains_key(**c)).collect();
    let unknown: Vec<&String> = listed
        .keys()
        .filter(|c| !codes.contains(&c.as_str()))
        .collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "docs/diagnostics.md misses {missing:?} and lists codes that do not exist: {unknown:?}"
    );
}

#[test]
fn the_diagnostics_page_says_what_the_code_documents_for_each_code() {
    let documented = documented_rows();
    assert_eq!(
        documented.keys().map(String::as_str).collect::<Vec<_>>(),
        Code::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "every variant of Code documents `code`: Meaning. Fix: How."
    );
    let listed = rows_in_docs();
    for (code, row) in &documented {
        assert_eq!(
            listed.get(code),
            Some(row),
            "docs/diagnostics.md: the row of `{code}` must read, as in src/diag.rs:\n{row}"
        );
    }
}

#[test]
fn the_readme_links_the_diagnostics_page() {
    let readme = std::fs::read_to_string(repo_path("README.md")).expect("README.md is readable");
    assert!(
        readme.contains("](docs/diagnostics.md)"),
        "README.md must link docs/diagnostics.md"
    );
}
