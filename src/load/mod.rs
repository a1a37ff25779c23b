//! Files → a checked, merged, indexed estate ([`Graph`]).
//!
//! Loading happens in four passes, each collecting every problem it finds
//! before the next starts, so one run reports all errors of a load together:
//! 1. [`parse`]: each file into a [`Document`] (syntax and shape: unknown
//!    fields, duplicated keys; serde stops at the first one in a file),
//!    every scalar interned in one [`Strings`] table shared by the files
//!    (JSON through the one-pass reader `scan`, serde when it bails);
//! 2. version and metadata of each document;
//! 3. [`merge`]: nodes with the same id across documents (SPEC §1.5);
//! 4. [`resolve`]: ARNs, placements, references and selectors into a [`Graph`].

pub mod arn;
pub mod baseline;
mod builtin;
mod locate;
mod merge;
pub mod parse;
pub mod policy;
pub mod rates;
pub mod raw;
pub mod read;
mod resolve;
mod scan;
pub mod select;
mod shape;
pub mod strings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::diag::{Code, Diagnostic, Severity, SourceFile, Span};

use crate::graph::{Graph, NodeIx, Provenance, Texts};
use crate::model::Position;
use raw::{At, Document, Strings, Text};

/// One estate document's text and the name to show in messages.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// A loaded estate.
#[derive(Debug)]
pub struct Loaded {
    pub graph: Graph,
    /// Problems worth knowing that do not stop the load.
    pub warnings: Vec<Diagnostic>,
    /// Collector sources that said they did not finish (`complete: false`),
    /// as `file: collector`. Non-empty makes the estate incomplete (SPEC §4).
    pub incomplete: Vec<String>,
    /// Where each function is defined (its id's key), by node index, for
    /// CI annotations that point at the line.
    pub function_origins: BTreeMap<NodeIx, Position>,
    /// Where every node is defined, kept compact (8 bytes a node); lines
    /// and columns are computed only for the nodes a report shows (SARIF
    /// code flows), by [`NodeOrigins::positions`].
    pub node_origins: NodeOrigins,
    /// Where each call listed in a document's `meta.edges` was observed,
    /// for the edges whose two ends are nodes of the estate; empty for a
    /// hand-written estate.
    pub provenance: Provenance,
    /// A small estate's parsed documents, freed with the estate (see
    /// [`free_documents`]).
    _parsed: Parsed,
}

/// Parsed documents kept with the estate that was built from them.
#[derive(Default)]
struct Parsed(Vec<(usize, Document)>);

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} parsed documents", self.0.len())
    }
}

/// Where each node's id is written: the source and the byte offset, two
/// `u32` per node (about 10 MB at 1.3 M nodes), so that keeping them costs
/// little and no line table outlives the load.
#[derive(Debug, Default)]
pub struct NodeOrigins {
    /// The name of each source, in load order (a path for `load_paths`).
    files: Vec<String>,
    /// Per node (by index): source and byte offset of the id's token;
    /// [`NodeOrigins::UNKNOWN`] when no position is known.
    at: Vec<(u32, u32)>,
}

impl NodeOrigins {
    /// A node whose definition has no known position.
    const UNKNOWN: (u32, u32) = (u32::MAX, u32::MAX);

    /// The sources the estate was loaded from, in load order (directories
    /// expanded as the loader expands them).
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Lines and columns (1-based) of `nodes`' definitions, reading again
    /// each file that defines one of them (once per file, in one pass over
    /// its text up to the last offset wanted). Nodes of sources that are
    /// not files (`load_documents`), of files that can no longer be read,
    /// or whose offset lies past the file's end are left out: a report then
    /// shows the node without a place rather than a wrong one.
    pub fn positions(&self, nodes: impl IntoIterator<Item = NodeIx>) -> BTreeMap<NodeIx, Position> {
        let keys = nodes.into_iter().map(|n| {
            let at = self.at.get(n as usize).copied();
            (n, at.unwrap_or(Self::UNKNOWN))
        });
        positions_by_source(keys, |file, wanted| {
            let Some(name) = self.files.get(file as usize) else {
                return Vec::new();
            };
            let Ok(text) = open_text(Path::new(name)) else {
                return Vec::new();
            };
            match text.as_str() {
                Ok(text) => positions_in(name, text, wanted),
                Err(_) => Vec::new(),
            }
        })
    }
}

/// Lines and columns of nodes from their `(source, offset)`s: grouped by
/// source, each group sorted by offset and handed to `read` (which reads
/// that source once, up to its last offset); unknown origins are left out.
fn positions_by_source(
    keys: impl IntoIterator<Item = (NodeIx, (u32, u32))>,
    mut read: impl FnMut(u32, &[(u32, NodeIx)]) -> Vec<(NodeIx, Position)>,
) -> BTreeMap<NodeIx, Position> {
    let mut by_source: BTreeMap<u32, Vec<(u32, NodeIx)>> = BTreeMap::new();
    for (n, (src, offset)) in keys {
        if (src, offset) != NodeOrigins::UNKNOWN {
            by_source.entry(src).or_default().push((offset, n));
        }
    }
    let mut out = BTreeMap::new();
    for (src, mut wanted) in by_source {
        wanted.sort_unstable();
        out.extend(read(src, &wanted));
    }
    out
}

/// Line and column of each `(offset, node)` of `wanted` (sorted by offset)
/// in `text`, in one pass from the start to the last offset: lines and
/// columns (in characters) are counted as the pass goes, so that a
/// generated estate written on one line costs one pass, not one per node.
fn positions_in(name: &str, text: &str, wanted: &[(u32, NodeIx)]) -> Vec<(NodeIx, Position)> {
    let bytes = text.as_bytes();
    let (mut line, mut column, mut scanned) = (0usize, 0usize, 0usize);
    let mut out = Vec::with_capacity(wanted.len());
    for &(offset, node) in wanted {
        let offset = offset as usize;
        if offset > bytes.len() {
            continue;
        }
        for &b in &bytes[scanned..offset] {
            if b == b'\n' {
                line += 1;
                column = 0;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a character starts here.
                column += 1;
            }
        }
        scanned = offset;
        out.push((
            node,
            Position {
                file: name.to_owned(),
                line: line + 1,
                column: column + 1,
            },
        ));
    }
    out
}

/// Why an estate could not be loaded: every problem found, in file order.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// The errors (not the warnings) among the diagnostics.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Reads files and directories (every `*.yaml`, `*.yml`, `*.json` directly
/// in a directory, in name order) and loads them as one estate.
pub fn load_paths(paths: &[PathBuf]) -> Result<Loaded, LoadError> {
    let files = read_files(paths)?;
    let mut refs: Vec<SourceRef> = Vec::with_capacity(files.len());
    let mut diagnostics = Vec::new();
    for (name, text) in &files {
        match text.as_str() {
            Ok(text) => refs.push(SourceRef { name, text }),
            Err(e) => diagnostics.push(not_utf8(name, text.bytes(), e)),
        }
    }
    if !diagnostics.is_empty() {
        return Err(LoadError { diagnostics });
    }
    read::prefer_small_pages_for(files.iter().map(|(_, t)| t.bytes().len() as u64).sum());
    load_refs(&refs, &|i, range| {
        if let Some((_, text)) = files.get(i) {
            text.release(range);
        }
    })
}

/// A file's text: read into memory, or, for a large file, mapped from the
/// page cache so a 200 MB estate is not copied into fresh memory (on this
/// kind of machine, faulting fresh pages in is a third of the load time).
enum FileText {
    Read(String),
    Mapped(memmap2::Mmap),
}

/// Files at least this large are mapped rather than read.
const MAP_FROM_BYTES: u64 = 8 << 20;

impl FileText {
    /// The bytes as read or mapped.
    fn bytes(&self) -> &[u8] {
        match self {
            FileText::Read(s) => s.as_bytes(),
            FileText::Mapped(m) => m,
        }
    }

    /// Gives the pages of a mapped file back once it is parsed: nothing
    /// borrows from the text then (every scalar is interned), so the
    /// phases after parsing do not hold the whole file in memory. A later
    /// diagnostic or origin that reads the text faults in just the pages it
    /// reads, again from the page cache.
    ///
    /// With a byte range, only the whole pages inside it: the reader gives
    /// back what it has read as it goes, so a large file is never resident
    /// whole while its parsed form grows.
    fn release(&self, range: Option<std::ops::Range<usize>>) {
        if let FileText::Mapped(m) = self {
            // Where pages are larger, the kernel widens the range to whole
            // pages: a little more is given back, which a read faults in.
            const PAGE: usize = 4096;
            let range = range.unwrap_or(0..m.len());
            let (start, end) = (range.start.next_multiple_of(PAGE), range.end / PAGE * PAGE);
            if end <= start || end > m.len() {
                return;
            }
            // SAFETY: the mapping is of a file, read-only and never written
            // (`Mmap::map` shares the page cache): dropping its pages loses
            // nothing, a later read faults them in from the file again.
            let dropped = unsafe {
                m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
            };
            if let Err(e) = dropped {
                tracing::debug!(error = %e, "could not give a parsed file's pages back");
            }
        }
    }

    /// The text; a mapped file is checked to be UTF-8 here, once.
    fn as_str(&self) -> Result<&str, std::str::Utf8Error> {
        match self {
            FileText::Read(s) => Ok(s),
            FileText::Mapped(m) => read::utf8_text(m),
        }
    }
}

/// Reads or maps one file, opening it once (a FIFO can be read only once).
/// Regular files of [`MAP_FROM_BYTES`] or more are mapped; everything else
/// (small files, FIFOs, devices) is read within the size budget, refusing
/// NUL bytes as soon as they appear.
fn open_text(path: &Path) -> Result<FileText, Diagnostic> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, &e))?;
    let meta = file.metadata().map_err(|e| unreadable(path, &e))?;
    if meta.is_file() && meta.len() > read::MAX_INPUT_BYTES {
        return Err(refused(
            path,
            &read::ReadError::TooLarge(read::MAX_INPUT_BYTES),
        ));
    }
    if !meta.is_file() || meta.len() < MAP_FROM_BYTES {
        return read::read_text_bounded(file, read::MAX_INPUT_BYTES)
            .map(FileText::Read)
            .map_err(|e| refused(path, &e));
    }
    let name = path.display().to_string();
    let map = read::map_guarded(&file, &name).map_err(|e| unreadable(path, &e))?;
    Ok(FileText::Mapped(map))
}

/// An input that cannot be an estate: not text, too large, unreadable.
fn refused(path: &Path, e: &read::ReadError) -> Diagnostic {
    match e {
        read::ReadError::Io(e) => unreadable(path, e),
        read::ReadError::NotUtf8(e) => {
            not_utf8(&path.display().to_string(), e.as_bytes(), e.utf8_error())
        }
        read::ReadError::Utf16 => utf16(&path.display().to_string()),
        other => Diagnostic::error(
            Code::UnreadableFile,
            format!("cannot read {}: {other}", path.display()),
        )
        .in_file(path.display().to_string())
        .help("name an estate file (YAML or JSON text)"),
    }
}

/// A file that is not UTF-8, at the line and column of its first bad byte
/// (SPEC §1.3), or named as UTF-16 when it starts with a byte-order mark.
fn not_utf8(name: &str, bytes: &[u8], e: std::str::Utf8Error) -> Diagnostic {
    if read::looks_like_utf16(bytes) {
        return utf16(name);
    }
    let at = e.valid_up_to();
    let bad: Vec<String> = bytes[at..]
        .iter()
        .take(e.error_len().unwrap_or(bytes.len() - at).min(4))
        .map(|b| format!("0x{b:02X}"))
        .collect();
    let bad = match bad.as_slice() {
        [one] => format!("the byte {one} is"),
        many => format!("the bytes {} are", many.join(" ")),
    };
    // The valid prefix is unchanged by the lossy copy, so `at` is the
    // offset of the replacement character standing for the bad bytes.
    let text: Arc<str> = Arc::from(String::from_utf8_lossy(bytes));
    let end = (at + '\u{fffd}'.len_utf8()).min(text.len());
    let file = Arc::new(SourceFile::new(name, text));
    Diagnostic::error(
        Code::UnreadableFile,
        format!("{name} is not UTF-8 text: {bad} not a UTF-8 character"),
    )
    .at(Some(Span {
        file,
        range: at..end,
    }))
    .help("save the estate as UTF-8")
}

/// A UTF-16 file (what some editors call "Unicode"): the whole file is
/// the problem, so the position is its start.
fn utf16(name: &str) -> Diagnostic {
    let file = Arc::new(SourceFile::new(name, Arc::from("")));
    Diagnostic::error(
        Code::UnreadableFile,
        format!("{name} is UTF-16 text; blastmap reads UTF-8"),
    )
    .at(Some(Span { file, range: 0..0 }))
    .help("save the estate as UTF-8, for example with `iconv -f UTF-16 -t UTF-8`")
}

/// Every estate file named by `paths` (directories expanded), opened.
fn read_files(paths: &[PathBuf]) -> Result<Vec<(String, FileText)>, LoadError> {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    for path in paths {
        match expand(path) {
            Ok(files) => {
                for file in files {
                    match open_text(&file) {
                        Ok(text) => out.push((file.display().to_string(), text)),
                        Err(d) => diagnostics.push(d),
                    }
                }
            }
            Err(d) => diagnostics.push(d),
        }
    }
    if out.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::error(Code::NoEstateFiles, "no estate files were given")
                .help("name YAML or JSON estate files, or directories holding them"),
        );
    }
    if diagnostics.is_empty() {
        Ok(out)
    } else {
        Err(LoadError { diagnostics })
    }
}

fn expand(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| unreadable(path, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_estate_file(p))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Diagnostic::error(
            Code::NoEstateFiles,
            format!("{} holds no *.yaml, *.yml or *.json file", path.display()),
        )
        .in_file(path.display().to_string())
        .help("point at the directory that holds the estate documents"));
    }
    Ok(files)
}

fn is_estate_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::UnreadableFile,
        format!("cannot read {}: {e}", path.display()),
    )
    .in_file(path.display().to_string())
    .help("check that the path exists and is readable")
}

/// Loads estate documents given as text (files already read).
pub fn load_documents(sources: &[Source]) -> Result<Loaded, LoadError> {
    let refs: Vec<SourceRef> = sources
        .iter()
        .map(|s| SourceRef {
            name: &s.name,
            text: &s.text,
        })
        .collect();
    load_refs(&refs, &|_, _| {})
}

/// A document's name and text, borrowed from wherever they are held.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceRef<'s> {
    pub name: &'s str,
    pub text: &'s str,
}

/// Gives back the pages of source `i`'s text within a byte range (all of
/// them with `None`) that nothing but diagnostics will read again.
type Release<'a> = &'a (dyn Fn(usize, Option<std::ops::Range<usize>>) + Sync);

/// Loads the sources; `release` is called on each source's text as it is
/// read, and on the whole of it once it is parsed.
fn load_refs(user_sources: &[SourceRef], release: Release) -> Result<Loaded, LoadError> {
    let clock = std::time::Instant::now();
    let mut diagnostics = Vec::new();
    let mut documents: Vec<(usize, Document)> = Vec::with_capacity(user_sources.len() + 1);
    let mut strings = strings_for(user_sources);
    for (i, source) in user_sources.iter().enumerate() {
        let read = |range| release(i, Some(range));
        match parse::parse_document(source.name, source.text, &mut strings, Some(&read)) {
            Ok(doc) => documents.push((i, doc)),
            Err(d) => diagnostics.push(d),
        }
        release(i, None);
    }
    let builtin_text =
        builtin::document(&builtin::needed(documents.iter().map(|(_, d)| d), &strings));
    let mut sources: Vec<SourceRef> = user_sources.to_vec();
    if let Some(text) = &builtin_text {
        let source = SourceRef {
            name: builtin::SOURCE_NAME,
            text,
        };
        match parse::parse_document(source.name, source.text, &mut strings, None) {
            Ok(doc) => documents.push((sources.len(), doc)),
            Err(d) => diagnostics.push(d),
        }
        sources.push(source);
    }
    let sources = &sources[..];
    tracing::debug!(
        elapsed_ms = clock.elapsed().as_millis() as u64,
        peak_rss_mb = peak_rss_mb(),
        rss_mb = rss_mb(),
        strings = strings.len(),
        strings_mb = strings.heap_bytes() >> 20,
        "parsed"
    );
    let texts = Arc::new(strings.freeze());
    let files = Files::new(sources, &texts);
    for (i, doc) in &documents {
        check_version(&files, *i, doc, &mut diagnostics);
    }
    if diagnostics.iter().all(|d| d.severity != Severity::Error) {
        diagnostics.extend(no_node(&files, user_sources, &documents));
    }
    let incomplete = incomplete_sources(sources, &documents);
    let observed = take_observed_edges(sources, &mut documents);
    let (merged, list_sizes) = merge::merge(&files, &documents, &mut diagnostics);
    tracing::debug!(
        elapsed_ms = clock.elapsed().as_millis() as u64,
        peak_rss_mb = peak_rss_mb(),
        rss_mb = rss_mb(),
        "merged"
    );
    let (graph, function_origins, at) =
        resolve::resolve(&files, merged, list_sizes, &mut diagnostics);
    tracing::debug!(
        elapsed_ms = clock.elapsed().as_millis() as u64,
        peak_rss_mb = peak_rss_mb(),
        rss_mb = rss_mb(),
        "resolved"
    );
    let input_bytes = user_sources.iter().map(|s| s.text.len() as u64).sum();
    let parsed = free_documents(documents, input_bytes);
    in_file_order(sources, &mut diagnostics);
    let node_origins = NodeOrigins {
        files: user_sources.iter().map(|s| s.name.to_owned()).collect(),
        at,
    };
    finish(graph, diagnostics, incomplete).map(|loaded| Loaded {
        function_origins,
        node_origins,
        provenance: provenance(&loaded.graph, observed),
        _parsed: parsed,
        ..loaded
    })
}

/// The parsed documents, once the graph is built: a large estate's are
/// freed on another thread now (a million nodes' lists take 20–50 ms to
/// free, and holding them would add 56 MB to `sweep`'s peak at 120k); a
/// small estate's stay with it. Freed as the engine starts, the latter's
/// frees land on the pages the engine's threads allocate from: at 10,000
/// services `spof` and `sweep` took 3–5 ms longer than with the documents
/// kept (A/B, 21 runs each, with the frees at the lowest priority too).
fn free_documents(documents: Vec<(usize, Document)>, input_bytes: u64) -> Parsed {
    if input_bytes >= read::SMALL_PAGES_FROM_BYTES {
        drop_elsewhere(documents);
        return Parsed::default();
    }
    Parsed(documents)
}

/// Frees the parsed documents on another thread: a million nodes' lists
/// take 20–50 ms to free, which the caller's computation need not wait
/// for. Where no thread can be started they are freed here.
fn drop_elsewhere(documents: Vec<(usize, Document)>) {
    let freeing = std::thread::Builder::new()
        .name("free-documents".into())
        .spawn(move || drop(documents));
    if let Err(e) = freeing {
        tracing::debug!(error = %e, "freeing the parsed documents on this thread");
    }
}

/// An interning table sized for the documents: a large estate's distinct
/// strings (mostly its ids) hold about a third of its bytes, and a node
/// takes about 150 bytes of JSON. Room that is reserved but not used costs
/// address space, not memory.
fn strings_for(sources: &[SourceRef]) -> Strings {
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    Strings::with_capacity(bytes / 150, bytes / 3)
}

/// The process's peak resident memory so far in MB (Linux `VmHWM`; 0
/// elsewhere), logged after each load phase so that the memory each phase
/// adds shows in a `RUST_LOG=debug` run. Only read when debug is logged.
pub(crate) fn peak_rss_mb() -> u64 {
    status_mb("VmHWM:")
}

/// The process's resident memory now in MB (Linux `VmRSS`), logged beside
/// the peak: after a parsed file's pages are given back the two differ.
pub(crate) fn rss_mb() -> u64 {
    status_mb("VmRSS:")
}

fn status_mb(field: &str) -> u64 {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return 0;
    }
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

/// The `meta.edges` of one document, taken out of it before the merge.
struct ObservedEdges {
    document: String,
    collector: String,
    edges: Vec<raw::EdgeMeta>,
}

/// Moves every document's `meta.edges` out (nothing is copied; documents
/// without edges give nothing), with the document's name and collector.
fn take_observed_edges(
    sources: &[SourceRef],
    documents: &mut [(usize, Document)],
) -> Vec<ObservedEdges> {
    let mut out = Vec::new();
    for (i, doc) in documents.iter_mut() {
        let Some(meta) = doc.meta.as_mut() else {
            continue;
        };
        if meta.edges.is_empty() {
            continue;
        }
        let collector = meta
            .sources
            .iter()
            .find_map(|s| s.collector.clone())
            .unwrap_or_else(|| "a collector".to_owned());
        out.push(ObservedEdges {
            document: sources[*i].name.to_owned(),
            collector,
            edges: std::mem::take(&mut meta.edges),
        });
    }
    out
}

/// The observed edges whose two ends are nodes of `graph`, by node index
/// (an edge to a node the estate does not define is left out).
fn provenance(graph: &Graph, observed: Vec<ObservedEdges>) -> Provenance {
    let mut out = Provenance::default();
    for doc in observed {
        let handle = out.add_document(&doc.document, &doc.collector);
        for edge in doc.edges {
            if let (Some(from), Some(to)) = (graph.find(&edge.from), graph.find(&edge.to)) {
                let source = edge.source.as_deref().unwrap_or(&doc.collector);
                out.record(from, to, handle, source, edge.calls);
            }
        }
    }
    out
}

/// Sorts diagnostics by file (in load order) and position, so a person
/// reads them top to bottom. Stable: diagnostics without a position keep
/// their order after those of their file.
fn in_file_order(sources: &[SourceRef], diagnostics: &mut [Diagnostic]) {
    let index = |name: &str| sources.iter().position(|s| s.name == name);
    diagnostics.sort_by_cached_key(|d| {
        let file = d.file.as_deref().and_then(index).unwrap_or(usize::MAX);
        let offset = d.span.as_ref().map_or(usize::MAX, |s| s.range.start);
        (file, offset)
    });
}

fn finish(
    graph: Graph,
    diagnostics: Vec<Diagnostic>,
    incomplete: Vec<String>,
) -> Result<Loaded, LoadError> {
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if errors.is_empty() {
        Ok(Loaded {
            graph,
            warnings,
            incomplete,
            function_origins: BTreeMap::new(),
            node_origins: NodeOrigins::default(),
            provenance: Provenance::default(),
            _parsed: Parsed::default(),
        })
    } else {
        let mut diagnostics = errors;
        diagnostics.extend(warnings);
        Err(LoadError { diagnostics })
    }
}

fn check_version(files: &Files, src: usize, doc: &Document, out: &mut Vec<Diagnostic>) {
    match &doc.version {
        Some(v) if files.str(v) == "1" => {}
        Some(v) => out.push(
            Diagnostic::error(
                Code::UnknownVersion,
                format!("unknown estate format version `{}`", files.str(v)),
            )
            .at(files.span(src, v))
            .help("this blastmap reads `version: 1`"),
        ),
        None => out.push(
            Diagnostic::warning(
                Code::MissingVersion,
                "the document has no `version`; reading it as version 1",
            )
            .in_file(files.name(src))
            .help("add `version: 1` at the top of the document"),
        ),
    }
}

/// An estate whose documents all parsed but define no node at all: every
/// command would answer about nothing (no domain to fail, no function to
/// check), which is never what its author meant.
///
/// One file is named, and its `version` (the one line such a file surely
/// has) pointed at; several files are named in the message.
fn no_node(
    files: &Files,
    sources: &[SourceRef],
    documents: &[(usize, Document)],
) -> Option<Diagnostic> {
    let nodes: usize = documents
        .iter()
        .flat_map(|(_, d)| [&d.functions, &d.services, &d.resources, &d.externals])
        .flatten()
        .map(raw::Section::len)
        .sum();
    if nodes > 0 || documents.is_empty() {
        return None;
    }
    let names: Vec<&str> = sources.iter().map(|s| s.name).collect();
    let (named, verb) = match names.as_slice() {
        [one] => (one.to_string(), "defines"),
        many => (many.join(", "), "define"),
    };
    let d = Diagnostic::error(
        Code::EmptyEstate,
        format!(
            "the estate has no node: {named} {verb} no function, service, resource or external"
        ),
    )
    .help(
        "define nodes under `functions:`, `services:`, `resources:` or `externals:` \
         (docs/estate-format.md), or name the files that hold them",
    );
    Some(match (names.as_slice(), documents) {
        ([_], [(i, doc)]) => match &doc.version {
            Some(v) => files.locate(d, *i, v.at, files.str(v).len()),
            None => d.in_file(files.name(*i)),
        },
        _ => d,
    })
}

fn incomplete_sources(sources: &[SourceRef], documents: &[(usize, Document)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, doc) in documents {
        for s in doc.meta.iter().flat_map(|m| &m.sources) {
            if s.complete == Some(false) {
                let collector = s.collector.as_deref().unwrap_or("a collector");
                out.push(format!("{}: {collector}", sources[*i].name));
            }
        }
    }
    out
}

/// Where the token at `at` starts: a JSON string's position points just
/// inside its opening quote, and messages point at the quote.
fn token_start(text: &str, at: At) -> Option<usize> {
    let offset = at.offset_in(text)?;
    let quoted = at.is_inside_quotes() && offset > 0 && text.as_bytes()[offset - 1] == b'"';
    Some(if quoted { offset - 1 } else { offset })
}

/// The end of a JSON string token whose text starts at `inner`: after its
/// closing quote, however many escapes it holds (`"a\u00e9"` is ten bytes
/// for a value of three).
fn json_string_end(text: &str, inner: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = inner;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The loaded texts, and their position indexes built only when a
/// diagnostic needs one (most loads have none).
pub(crate) struct Files<'s> {
    sources: &'s [SourceRef<'s>],
    texts: &'s Arc<Texts>,
    indexed: Vec<OnceLock<Arc<SourceFile>>>,
}

impl<'s> Files<'s> {
    fn new(sources: &'s [SourceRef<'s>], texts: &'s Arc<Texts>) -> Self {
        Files {
            sources,
            texts,
            indexed: sources.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// The text of a parsed scalar.
    pub(crate) fn str(&self, text: &Text) -> &'s str {
        self.texts.get(text.sym.0)
    }

    /// Every string the documents hold, numbered as their [`Text`]s.
    pub(crate) fn texts(&self) -> &'s Arc<Texts> {
        self.texts
    }

    /// The name of source `src`.
    pub(crate) fn name(&self, src: usize) -> &str {
        self.sources[src].name
    }

    /// Whether source `src` is the document of built-in `aws:` nodes that
    /// the loader wrote (SPEC §6.2), the one place such ids may be defined.
    pub(crate) fn is_builtin(&self, src: usize) -> bool {
        src + 1 == self.sources.len() && self.sources[src].name == builtin::SOURCE_NAME
    }

    /// Source and byte offset of the node id (a mapping key) at `at` in
    /// source `src`, as [`NodeOrigins`] keeps them; unknown when either
    /// does not fit a `u32`. The text is not read: a JSON key is always a
    /// string, so its token starts just before the position, and a parsed
    /// file's pages stay given back.
    pub(crate) fn key_origin(&self, src: usize, at: At) -> (u32, u32) {
        let offset = at.offset_in(self.sources[src].text).map(|o| {
            if at.is_inside_quotes() {
                o.saturating_sub(1)
            } else {
                o
            }
        });
        match (
            u32::try_from(src),
            offset.and_then(|o| u32::try_from(o).ok()),
        ) {
            (Ok(src), Some(offset)) if offset != u32::MAX => (src, offset),
            _ => NodeOrigins::UNKNOWN,
        }
    }

    /// Lines and columns of node ids (mapping keys), from their
    /// [`Files::key_origin`]s: one pass over each file up to the last.
    pub(crate) fn key_positions(
        &self,
        keys: impl IntoIterator<Item = (NodeIx, (u32, u32))>,
    ) -> BTreeMap<NodeIx, Position> {
        positions_by_source(keys, |src, wanted| match self.sources.get(src as usize) {
            Some(source) => positions_in(source.name, source.text, wanted),
            None => Vec::new(),
        })
    }

    /// The span of a value of source `src`, if its position is known.
    pub(crate) fn span(&self, src: usize, text: &Text) -> Option<Span> {
        self.span_at(src, text.at, self.str(text).len())
    }

    /// The span of `len` bytes at `at` in source `src`.
    pub(crate) fn span_at(&self, src: usize, at: At, len: usize) -> Option<Span> {
        let source = &self.sources[src];
        let inner = at.offset_in(source.text)?;
        let start = token_start(source.text, at)?;
        let end = if start < inner {
            json_string_end(source.text, inner)
        } else {
            (inner + len).min(source.text.len())
        };
        let file = self.indexed[src]
            .get_or_init(|| {
                Arc::new(SourceFile::new(
                    source.name.to_owned(),
                    Arc::from(source.text),
                ))
            })
            .clone();
        Some(Span {
            file,
            range: start..end,
        })
    }

    /// A diagnostic located at `text` in source `src`, or in the file.
    pub(crate) fn locate(&self, d: Diagnostic, src: usize, at: At, len: usize) -> Diagnostic {
        match self.span_at(src, at, len) {
            Some(span) => d.at(Some(span)),
            None => d.in_file(self.name(src)),
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_up_to_each_offset() {
        let text = "version: 1\nservices:\n  é-api:\n    region: r\n  db:\n";
        let api = text.find("é-api").unwrap() as u32;
        let db = text.find("db:").unwrap() as u32;
        let got = positions_in("e.yaml", text, &[(api, 7), (db, 9), (999, 3)]);
        let lines: Vec<(NodeIx, usize, usize)> =
            got.iter().map(|(n, p)| (*n, p.line, p.column)).collect();
        assert_eq!(lines, [(7, 3, 3), (9, 5, 3)]);
    }

    #[test]
    fn node_origins_of_loaded_files_give_each_nodes_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("estate.yaml");
        let yaml = "version: 1\nfunctions:\n  pay:\n    requires: [api]\nservices:\n  api:\n    region: r\n";
        std::fs::write(&path, yaml).unwrap();
        let loaded = load_paths(std::slice::from_ref(&path)).unwrap_or_else(|e| panic!("{e}"));
        let api = loaded.graph.find("api").unwrap();
        let pay = loaded.graph.find("pay").unwrap();
        let got = loaded.node_origins.positions([api, pay]);
        assert_eq!(got[&api].line, 6);
        assert_eq!(got[&pay].line, 3);
        assert_eq!(got[&api].file, path.display().to_string());
        // Documents given as text have no file to read positions from.
        let sources = [Source {
            name: "x.yaml".into(),
            text: yaml.into(),
        }];
        let loaded = load_documents(&sources).unwrap_or_else(|e| panic!("{e}"));
        let api = loaded.graph.find("api").unwrap();
        assert!(loaded.node_origins.positions([api]).is_empty());
    }
}
