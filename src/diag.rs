//! blastmap's one diagnostic type: every problem found in an input (an estate,
//! a scenario, later a policy) becomes a [`Diagnostic`] that says what is
//! wrong, where (file, line, column, node), and how to fix it.
//!
//! The same value is rendered for a person (codespan-reporting, with the
//! offending line underlined) and, later, fed to JSON, SARIF and JUnit.
//!
//! What a person reads is escaped for display (`model::text`): messages,
//! notes and help name ids from the input, and the offending line is the
//! input itself, so a control or bidi character in either is shown as
//! `\x1b` or `\u{202e}` instead of reaching the terminal.

use std::fmt;
use std::io;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor};

use crate::model::text::{escape_for_display, escape_lines_for_display};

/// A stable, documented name for each kind of problem. The strings
/// ([`Code::as_str`]) appear in every output format and are part of the
/// product's interface: they never change.
///
/// Variants are declared in the byte order of their strings, so sorting
/// codes sorts their strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// `availability-out-of-range`: An `availability` (on a node, or in a rates file) that is not a number in (0, 1]. Fix: Write the probability of being up, such as 0.9995; 1 means it never fails.
    AvailabilityOutOfRange,
    /// `bad-criticality`: A `criticality` that is not one of the four levels. Fix: Write critical, high, medium or low.
    BadCriticality,
    /// `bad-domain`: A `--fail` value that is not a failure domain (`region:R`, `zone:Z`...). Fix: Write the domain as KIND:VALUE with one of the kinds `--help` lists.
    BadDomain,
    /// `bad-entry`: A requirement entry with none, or more than one, of `all`, `any`, `quorum` + `of`, `select`. Fix: Split it into one entry per group.
    BadEntry,
    /// `cannot-write`: The report could not be written to the `-o` target. Fix: Check that the directory exists and is writable.
    CannotWrite,
    /// `catalog-duplicate-entity`: A warning: one Backstage entity (same kind, namespace and name) defined twice; the first definition is kept. Fix: Remove one of the two definitions, or give them different names.
    CatalogDuplicateEntity,
    /// `catalog-target-missing`: A warning: a Backstage `Location` names a relative file that cannot be read; the rest of the catalog is collected. Fix: Fix the target's path, relative to the file of the Location.
    CatalogTargetMissing,
    /// `conflicting-definition`: One id defined in two files with different values of a field (SPEC §1.5). Fix: Keep one value, or give the two nodes different ids.
    ConflictingDefinition,
    /// `diff-inputs`: `diff` was given sides it cannot compare: not exactly an OLD and a NEW, an estate against a report, reports of two different commands, or a `--policy` with reports. Fix: Give two estates, or two JSON reports of the same command (`sweep`, `spof` or `check`).
    DiffInputs,
    /// `duplicate-key`: A key given twice in one mapping, or a node id twice in one section. Fix: Remove one of the two, or merge them.
    DuplicateKey,
    /// `empty-estate`: The estate has no node: its files are empty, hold only `version`, or only empty sections, so there is nothing to analyse. Fix: Define nodes under `functions`, `services`, `resources` or `externals`, or name the files that do.
    EmptyEstate,
    /// `empty-members`: A requirement entry without members. Fix: List members, or mark the entry `allow_empty: true` when a selector may match nothing.
    EmptyMembers,
    /// `entry-never-satisfied`: A warning: an `allow_empty` entry with fewer members than it needs, so it is never satisfied. Fix: Add members, lower the quorum, or drop the entry.
    EntryNeverSatisfied,
    /// `file-changed`: An estate file was truncated or rewritten by another program while blastmap read it (the process stops instead of crashing). Fix: Run blastmap again once the file is complete.
    FileChanged,
    /// `graphviz-failed`: Graphviz `dot`, run to draw an SVG, is missing, failed or timed out. Fix: Install Graphviz (the `graphviz` package), or write `.dot` and render it elsewhere.
    GraphvizFailed,
    /// `incomplete-estate`: A collector reported `complete: false`: the estate may miss dependencies. Fix: Collect again, or pass --allow-incomplete (then it is a warning).
    IncompleteEstate,
    /// `invalid-baseline`: A `check --baseline` file that is not a version-1 baseline (malformed JSON, unknown field, bad date). Fix: Write it with `check --write-baseline FILE`; dates are YYYY-MM-DD.
    InvalidBaseline,
    /// `invalid-policy`: A mistake in the `check --policy` file (SPEC §4.1): syntax, unknown key, missing field, value of the wrong type, unknown function or criticality, empty rule. Fix: Follow the help of each diagnostic; every mistake of the file is reported at once.
    InvalidPolicy,
    /// `invalid-rates`: A rates file (`availability --rates`) that is not valid TOML, names an unknown kind or key, gives a value of the wrong type, or lists a domain the estate lacks. Fix: Fix the entry at the position shown; kinds are region, zone, account and cloud-service.
    InvalidRates,
    /// `invalid-value`: A field whose value has the wrong type or range. Fix: Write a value of the type SPEC §1 gives for the field.
    InvalidValue,
    /// `malformed-arn`: A node id that starts with `arn:` but is not a well-formed ARN. Fix: Write arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
    MalformedArn,
    /// `malformed-catalog`: A Backstage catalog file that is not valid YAML, or an entity field of the wrong shape. Fix: Fix the YAML at the position shown; each document is one entity mapping.
    MalformedCatalog,
    /// `malformed-json`: A JSON estate file that is not valid JSON. Fix: Fix the JSON syntax at the position shown.
    MalformedJson,
    /// `malformed-trace`: A `collect traces` input that is not valid JSON, or is truncated, or holds a value of the wrong type (the message gives file:line:col and what was expected there). Fix: Fix the file at that position, or export the traces again.
    MalformedTrace,
    /// `malformed-yaml`: A YAML estate file that is not valid YAML. Fix: Fix the YAML syntax at the position shown.
    MalformedYaml,
    /// `min-zones-out-of-range`: `min_zones` is 0 or more than the zones listed. Fix: Use a number between 1 and the number of zones.
    MinZonesOutOfRange,
    /// `missing-version`: A warning: an estate file without `version`; version 1 is assumed. Fix: Add `version: 1`.
    MissingVersion,
    /// `no-estate-files`: No estate file was given, or a directory holds none. Fix: Name YAML or JSON estate files, or a directory holding some.
    NoEstateFiles,
    /// `output-is-input`: `-o` (or `--write-baseline`) names one of the command's inputs: writing would destroy the estate or policy. Fix: Choose another output file.
    OutputIsInput,
    /// `placement-unknown`: `collect aws` could not read a resource's zones (a describe call failed or its type is not described): the resource keeps its region and no zone failure reaches it. Fix: Grant the describe permissions of README "Collect from AWS", or write the zones by hand.
    PlacementUnknown,
    /// `quorum-out-of-range`: A `quorum` of 0 or more than the entry's members. Fix: Use a number between 1 and the number of members.
    QuorumOutOfRange,
    /// `reserved-id`: A node defined with an `aws:` id: the prefix names built-in nodes (SPEC §6.2), listed in the notes. Fix: Rename the node, or drop its definition and reference the built-in node.
    ReservedId,
    /// `same-id-two-sections`: One id in two sections (a service and an external, say). Fix: Give the nodes different ids.
    SameIdTwoSections,
    /// `selector-matches-nothing`: A `select` that matches no node. Fix: Fix the selector, or mark the entry `allow_empty: true`.
    SelectorMatchesNothing,
    /// `tag-conflict`: One node given two values of the same tag in two files. Fix: Keep one value.
    TagConflict,
    /// `unknown-builtin`: A reference to an `aws:` id that is not a built-in node (SPEC §6.2); the notes list them (`blastmap catalog`). Fix: Use one of the built-in ids, or define the dependency under another id.
    UnknownBuiltin,
    /// `unknown-domain`: A `--fail` domain that no node of the estate is in, so it fails nothing. Fix: Use one of the estate's values, listed in the note.
    UnknownDomain,
    /// `unknown-domain-kind`: A `--domains` (or `must_survive`) kind that does not exist. Fix: Use some of region, zone, account, cloud-service, node.
    UnknownDomainKind,
    /// `unknown-field`: A key that SPEC §1 does not define at that place. Fix: Fix the spelling; the help suggests the closest key.
    UnknownField,
    /// `unknown-function`: A `--function` id that is not a function of the estate. Fix: Name a function of the estate; the note suggests the closest ids.
    UnknownFunction,
    /// `unknown-reference`: A requirement member that names no node of the estate. Fix: Fix the id, or define the node.
    UnknownReference,
    /// `unknown-trace-format`: A `collect traces` input in none of the formats it reads (or not in the one `--input-format` names); the notes list them. Fix: Export Jaeger, OTLP/JSON or X-Ray JSON, or name the format with --input-format.
    UnknownTraceFormat,
    /// `unknown-version`: An estate file with a `version` this blastmap does not read. Fix: Write `version: 1`.
    UnknownVersion,
    /// `unreadable-file`: An input file that cannot be read, or is not UTF-8 text. Fix: Check the path and the file's encoding.
    UnreadableFile,
    /// `zone-listed-twice`: A zone listed twice in one node's `zones`. Fix: List each zone once.
    ZoneListedTwice,
}

impl Code {
    /// Every code, in the byte order of their strings.
    pub const ALL: [Code; 45] = [
        Code::AvailabilityOutOfRange,
        Code::BadCriticality,
        Code::BadDomain,
        Code::BadEntry,
        Code::CannotWrite,
        Code::CatalogDuplicateEntity,
        Code::CatalogTargetMissing,
        Code::ConflictingDefinition,
        Code::DiffInputs,
        Code::DuplicateKey,
        Code::EmptyEstate,
        Code::EmptyMembers,
        Code::EntryNeverSatisfied,
        Code::FileChanged,
        Code::GraphvizFailed,
        Code::IncompleteEstate,
        Code::InvalidBaseline,
        Code::InvalidPolicy,
        Code::InvalidRates,
        Code::InvalidValue,
        Code::MalformedArn,
        Code::MalformedCatalog,
        Code::MalformedJson,
        Code::MalformedTrace,
        Code::MalformedYaml,
        Code::MinZonesOutOfRange,
        Code::MissingVersion,
        Code::NoEstateFiles,
        Code::OutputIsInput,
        Code::PlacementUnknown,
        Code::QuorumOutOfRange,
        Code::ReservedId,
        Code::SameIdTwoSections,
        Code::SelectorMatchesNothing,
        Code::TagConflict,
        Code::UnknownBuiltin,
        Code::UnknownDomain,
        Code::UnknownDomainKind,
        Code::UnknownField,
        Code::UnknownFunction,
        Code::UnknownReference,
        Code::UnknownTraceFormat,
        Code::UnknownVersion,
        Code::UnreadableFile,
        Code::ZoneListedTwice,
    ];

    /// The code as it is written in every output (`unknown-reference`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::AvailabilityOutOfRange => "availability-out-of-range",
            Code::BadCriticality => "bad-criticality",
            Code::BadDomain => "bad-domain",
            Code::BadEntry => "bad-entry",
            Code::CannotWrite => "cannot-write",
            Code::CatalogDuplicateEntity => "catalog-duplicate-entity",
            Code::CatalogTargetMissing => "catalog-target-missing",
            Code::GraphvizFailed => "graphviz-failed",
            Code::MalformedCatalog => "malformed-catalog",
            Code::FileChanged => "file-changed",
            Code::OutputIsInput => "output-is-input",
            Code::PlacementUnknown => "placement-unknown",
            Code::ConflictingDefinition => "conflicting-definition",
            Code::DiffInputs => "diff-inputs",
            Code::DuplicateKey => "duplicate-key",
            Code::EmptyEstate => "empty-estate",
            Code::EmptyMembers => "empty-members",
            Code::EntryNeverSatisfied => "entry-never-satisfied",
            Code::IncompleteEstate => "incomplete-estate",
            Code::InvalidBaseline => "invalid-baseline",
            Code::InvalidPolicy => "invalid-policy",
            Code::InvalidRates => "invalid-rates",
            Code::InvalidValue => "invalid-value",
            Code::MalformedArn => "malformed-arn",
            Code::MalformedJson => "malformed-json",
            Code::MalformedTrace => "malformed-trace",
            Code::MalformedYaml => "malformed-yaml",
            Code::MinZonesOutOfRange => "min-zones-out-of-range",
            Code::MissingVersion => "missing-version",
            Code::NoEstateFiles => "no-estate-files",
            Code::QuorumOutOfRange => "quorum-out-of-range",
            Code::ReservedId => "reserved-id",
            Code::SameIdTwoSections => "same-id-two-sections",
            Code::SelectorMatchesNothing => "selector-matches-nothing",
            Code::TagConflict => "tag-conflict",
            Code::UnknownBuiltin => "unknown-builtin",
            Code::UnknownDomain => "unknown-domain",
            Code::UnknownDomainKind => "unknown-domain-kind",
            Code::UnknownField => "unknown-field",
            Code::UnknownFunction => "unknown-function",
            Code::UnknownReference => "unknown-reference",
            Code::UnknownTraceFormat => "unknown-trace-format",
            Code::UnknownVersion => "unknown-version",
            Code::UnreadableFile => "unreadable-file",
            Code::ZoneListedTwice => "zone-listed-twice",
        }
    }

    /// Where an example of the code is: an invalid input under `fixtures/invalid/`,
    /// or the test that produces it. Exhaustive, so a new code needs one.
    pub fn example(self) -> Example {
        match self {
            Code::BadCriticality => Example::Fixture("fixtures/invalid/bad-criticality.yaml"),
            Code::BadDomain => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::BadEntry => Example::Test("an_entry_with_two_forms_is_rejected"),
            Code::AvailabilityOutOfRange => {
                Example::Fixture("fixtures/invalid/availability-out-of-range.yaml")
            }
            Code::InvalidRates => {
                Example::Test("every_mistake_of_a_rates_file_is_reported_with_its_position")
            }
            Code::CannotWrite => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::CatalogDuplicateEntity => {
                Example::Test("a_duplicated_entity_keeps_the_first_definition_with_a_warning")
            }
            Code::CatalogTargetMissing => {
                Example::Test("a_location_loop_and_a_missing_target_end_with_a_warning")
            }
            Code::GraphvizFailed => Example::Test("an_svg_without_dot_fails_naming_graphviz"),
            Code::MalformedCatalog => {
                Example::Test("a_malformed_catalog_exits_2_naming_the_file_and_position")
            }
            Code::ConflictingDefinition => {
                Example::Fixture("fixtures/invalid/conflicting-definition")
            }
            Code::DiffInputs => Example::Test("diff_of_an_estate_against_a_report_exits_2"),
            Code::DuplicateKey => Example::Fixture("fixtures/invalid/duplicate-key.yaml"),
            Code::EmptyEstate => Example::Fixture("fixtures/invalid/empty-estate.yaml"),
            Code::EmptyMembers => Example::Fixture("fixtures/invalid/empty-members.yaml"),
            Code::EntryNeverSatisfied => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::FileChanged => {
                Example::Test("an_estate_truncated_while_loading_is_reported_not_a_crash")
            }
            Code::IncompleteEstate => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::InvalidBaseline => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::InvalidPolicy => {
                Example::Test("an_invalid_policy_gives_a_valid_sarif_log_with_every_mistake")
            }
            Code::InvalidValue => Example::Test("selector_kind_compares_the_section_exactly"),
            Code::MalformedArn => Example::Fixture("fixtures/invalid/malformed-arn.yaml"),
            Code::MalformedJson => Example::Fixture("fixtures/invalid/malformed-json.json"),
            Code::MalformedTrace => {
                Example::Test("a_truncated_trace_file_exits_2_naming_file_line_and_column")
            }
            Code::MalformedYaml => Example::Fixture("fixtures/invalid/malformed-yaml.yaml"),
            Code::MinZonesOutOfRange => {
                Example::Fixture("fixtures/invalid/min-zones-out-of-range.yaml")
            }
            Code::MissingVersion => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::NoEstateFiles => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::OutputIsInput => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::PlacementUnknown => Example::Test(
                "a_resource_whose_placement_cannot_be_read_keeps_its_region_with_a_warning",
            ),
            Code::QuorumOutOfRange => Example::Fixture("fixtures/invalid/quorum-out-of-range.yaml"),
            Code::ReservedId => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::SameIdTwoSections => {
                Example::Fixture("fixtures/invalid/same-id-two-sections.yaml")
            }
            Code::SelectorMatchesNothing => {
                Example::Fixture("fixtures/invalid/selector-matches-nothing.yaml")
            }
            Code::TagConflict => Example::Fixture("fixtures/invalid/tag-conflict"),
            Code::UnknownDomain => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::UnknownDomainKind => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::UnknownField => Example::Fixture("fixtures/invalid/unknown-field.yaml"),
            Code::UnknownFunction => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::UnknownReference => Example::Fixture("fixtures/invalid/unknown-reference.yaml"),
            Code::UnknownTraceFormat => {
                Example::Test("a_file_of_no_trace_format_exits_2_listing_the_formats")
            }
            Code::UnknownVersion => Example::Fixture("fixtures/invalid/unknown-version.yaml"),
            Code::UnreadableFile => {
                Example::Test("every_code_without_a_fixture_is_produced_by_a_command")
            }
            Code::UnknownBuiltin => Example::Fixture("fixtures/invalid/unknown-builtin.yaml"),
            Code::ZoneListedTwice => Example::Fixture("fixtures/invalid/zone-listed-twice.yaml"),
        }
    }
}

/// Where an example of a [`Code`] lives, so every code is shown to occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Example {
    /// A file or directory, relative to the crate root, that fails with the code.
    Fixture(&'static str),
    /// The name of a test (`fn NAME`) under `src/` or `tests/` that produces it.
    Test(&'static str),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    /// Lets tests compare a code with its documented string.
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input cannot be used: the command stops with exit code 2.
    Error,
    /// The input is used, but something is probably wrong.
    Warning,
}

/// A file that a diagnostic points into, shared by all diagnostics about it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or a name such as `<stdin>`).
    pub name: String,
    /// The whole text, so a diagnostic can show the offending line.
    pub text: Arc<str>,
    /// Byte offset of each line's start, for offset → line:column.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Indexes `text` for position look-ups.
    pub fn new(name: impl Into<String>, text: Arc<str>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and column (in characters).
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// A [`SourceFile`] is its own codespan file store: rendering reads its text
/// and its line index in place, so a diagnostic copies neither (codespan's
/// `SimpleFile` would index the whole file again for every diagnostic).
impl<'a> Files<'a> for SourceFile {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self
            .line_starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        let start = *self
            .line_starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: self.line_starts.len() - 1,
            })?;
        let end = self
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }
}

/// Where a diagnostic points: a byte range of a file.
#[derive(Debug, Clone)]
pub struct Span {
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
}

impl Span {
    /// 1-based line and column of the span's start.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.range.start)
    }
}

/// One problem, with everything a person needs to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The kind of problem, documented once in [`Code`].
    pub code: Code,
    pub message: String,
    /// The file position, where the format gives one.
    pub span: Option<Span>,
    /// The file, when no position is known.
    pub file: Option<String>,
    /// The node the problem is about.
    pub node: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// Other places that explain the problem (the other side of a
    /// conflict), each with what it is, possibly in another file.
    pub related: Vec<Related>,
}

/// A secondary position of a diagnostic: shown under the primary one in
/// text, a `relatedLocations` entry in SARIF.
#[derive(Debug, Clone)]
pub struct Related {
    pub span: Span,
    /// What stands there (`` `us-east-1` is given here ``).
    pub message: String,
}

impl Diagnostic {
    /// An error of kind `code`.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            file: None,
            node: None,
            help: None,
            notes: Vec::new(),
            related: Vec::new(),
        }
    }

    /// A warning of kind `code`.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Points the diagnostic at `span`.
    pub fn at(mut self, span: Option<Span>) -> Self {
        if let Some(s) = &span {
            self.file = Some(s.file.name.clone());
        }
        self.span = span;
        self
    }

    /// Names the file when no position is known.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Names the node the problem is about.
    pub fn node(mut self, id: impl Into<String>) -> Self {
        self.node = Some(id.into());
        self
    }

    /// Says how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary position, when it is known: the other side of a
    /// conflict, which a person must see to choose a value.
    pub fn related(mut self, span: Option<Span>, message: impl Into<String>) -> Self {
        if let Some(span) = span {
            self.related.push(Related {
                span,
                message: message.into(),
            });
        }
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// `file:line:col` (or `file`) where the problem is, if known.
    pub fn location(&self) -> Option<String> {
        match (&self.span, &self.file) {
            (Some(span), _) => {
                let (line, col) = span.line_col();
                Some(format!("{}:{line}:{col}", span.file.name))
            }
            (None, Some(file)) => Some(file.clone()),
            (None, None) => None,
        }
    }

    /// Renders the diagnostic for a person, with the offending line shown
    /// when the position is known; `color` adds ANSI colours (blastmap's
    /// own: every text, the offending line included, is escaped for
    /// display, so the input adds no control character of its own).
    pub fn render(&self, color: bool) -> String {
        let mut buffer = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        let config = term::Config::default();
        let mut writer = DisplaySafe { inner: &mut buffer };
        let rendered = match &self.span {
            Some(span) => {
                let store = Store::of(span, &self.related);
                term::emit(&mut writer, &config, &store, &self.to_codespan(true))
            }
            None => {
                let empty = SourceFile::new("", Arc::from(""));
                let store = Store(vec![&empty]);
                term::emit(&mut writer, &config, &store, &self.to_codespan(false))
            }
        };
        match rendered {
            Ok(()) => String::from_utf8_lossy(buffer.as_slice()).into_owned(),
            Err(_) => format!("{self}\n"),
        }
    }

    fn to_codespan(&self, with_label: bool) -> cs::Diagnostic<usize> {
        let severity = match self.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
        };
        let mut notes = Vec::new();
        if !with_label {
            if let Some(file) = &self.file {
                notes.push(format!("in {}", escape_for_display(file)));
            }
        }
        if let Some(node) = &self.node {
            notes.push(format!("node: {}", escape_for_display(node)));
        }
        notes.extend(
            self.notes
                .iter()
                .map(|n| escape_for_display(n).into_owned()),
        );
        if let Some(help) = &self.help {
            notes.push(format!("help: {}", escape_for_display(help)));
        }
        let mut d = cs::Diagnostic::new(severity)
            .with_code(self.code.as_str())
            .with_message(escape_for_display(&self.message))
            .with_notes(notes);
        if let (true, Some(span)) = (with_label, &self.span) {
            let end = span.range.end.max(span.range.start);
            let mut labels = vec![cs::Label::primary(0, span.range.start..end)];
            for (i, r) in self.related.iter().enumerate() {
                let end = r.span.range.end.max(r.span.range.start);
                labels.push(
                    cs::Label::secondary(i + 1, r.span.range.start..end)
                        .with_message(escape_for_display(&r.message)),
                );
            }
            d = d.with_labels(labels);
        }
        d
    }
}

/// The files one diagnostic points into, for codespan: the primary span's
/// file is 0, the file of related position `i` is `i + 1` (several may be
/// the same file; each keeps its own line index, built once).
struct Store<'a>(Vec<&'a SourceFile>);

impl<'a> Store<'a> {
    fn of(primary: &'a Span, related: &'a [Related]) -> Self {
        let mut files = vec![&*primary.file];
        files.extend(related.iter().map(|r| &*r.span.file));
        Store(files)
    }

    fn file(&self, id: usize) -> Result<&'a SourceFile, files::Error> {
        self.0.get(id).copied().ok_or(files::Error::FileMissing)
    }
}

impl<'a> Files<'a> for Store<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.file(id)?.name(())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        self.file(id)?.source(())
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        self.file(id)?.line_index((), byte_index)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.file(id)?.line_range((), line_index)
    }
}

/// The writer codespan renders into: text goes through
/// [`escape_lines_for_display`] (the offending source line is the input
/// itself), colours go straight to the buffer. codespan lays its output out
/// in lines, so line feeds stay; the values in messages were escaped whole.
struct DisplaySafe<'a> {
    inner: &'a mut termcolor::Buffer,
}

impl io::Write for DisplaySafe<'_> {
    /// Takes every byte it is given, so `write_all` hands over each piece
    /// that codespan formats whole (UTF-8 is never split between calls).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner
            .write_all(escape_lines_for_display(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl termcolor::WriteColor for DisplaySafe<'_> {
    fn supports_color(&self) -> bool {
        self.inner.supports_color()
    }

    fn set_color(&mut self, spec: &termcolor::ColorSpec) -> io::Result<()> {
        self.inner.set_color(spec)
    }

    fn reset(&mut self) -> io::Result<()> {
        self.inner.reset()
    }
}

impl fmt::Display for Diagnostic {
    /// One line per diagnostic: `file:line:col: error[code]: message (node `x`); help: ...`,
    /// every text escaped for display.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = self.location() {
            write!(f, "{}: ", escape_for_display(&loc))?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = escape_for_display(&self.message);
        write!(f, "{level}[{}]: {message}", self.code)?;
        if let Some(node) = &self.node {
            write!(f, " (node `{}`)", escape_for_display(node))?;
        }
        if let Some(help) = &self.help {
            write!(f, "; help: {}", escape_for_display(help))?;
        }
        Ok(())
    }
}

/// The candidates closest to `wrong` by edit distance, best first, for
/// "did you mean" hints. Deterministic: ties are broken by the candidate text.
pub fn closest<'c>(wrong: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let len = wrong.chars().count();
    let limit = (len / 3).max(1).min(len.saturating_sub(1));
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort_unstable();
    scored.dedup();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `a`, `b`?" when there are close candidates.
pub fn did_you_mean(suggestions: &[&str]) -> Option<String> {
    (!suggestions.is_empty()).then(|| {
        let list: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("did you mean {}?", list.join(" or "))
    })
}

/// A name that is not a domain kind (in `--domains` or a policy's
/// `must_survive`): the kinds to use, and the closest one.
pub fn unknown_domain_kind(text: &str) -> Diagnostic {
    let names: Vec<&str> = crate::model::DomainKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    let mut d = Diagnostic::error(
        Code::UnknownDomainKind,
        format!("`{text}` is not a domain kind"),
    )
    .help(format!("use some of: {}", names.join(", ")));
    if let Some(h) = did_you_mean(&closest(text, names.iter().copied())) {
        d = d.note(h);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_in_characters() {
        let f = SourceFile::new("a.yaml", Arc::from("ab\ncé: x\n"));
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.offset_of(2, 4), 7);
    }

    #[test]
    fn rendering_through_the_file_store_shows_the_offending_line() {
        let file = Arc::new(SourceFile::new("e.yaml", Arc::from("a: 1\nbad: 2\n")));
        let d = Diagnostic::error(Code::UnknownField, "unknown field `bad`")
            .at(Some(Span { file, range: 5..8 }));
        let text = d.render(false);
        assert!(text.contains("e.yaml:2:1"), "{text}");
        assert!(text.contains("bad: 2"), "{text}");
        assert!(text.contains("error[unknown-field]"), "{text}");
    }

    #[test]
    fn rendering_shows_control_characters_of_the_message_and_the_line_escaped() {
        let text = "a: 1\nb\u{202e}\u{1b}[2J: 2\n";
        let file = Arc::new(SourceFile::new("e\u{7}.yaml", Arc::from(text)));
        let d = Diagnostic::error(Code::UnknownField, "unknown field `b\u{202e}\u{1b}[2J`")
            .at(Some(Span { file, range: 5..8 }))
            .node("n\r\n")
            .help("h\u{200b}");
        for color in [false, true] {
            let out = d.render(color);
            for needle in [r"e\x07.yaml", r"`b\u{202e}\x1b[2J`", r"n\r\n", r"h\u{200b}"] {
                assert!(out.contains(needle), "{needle} not in {out:?}");
            }
            assert!(
                !out.contains(['\u{202e}', '\u{200b}', '\r', '\u{7}']),
                "{out:?}"
            );
        }
        let plain = d.render(false);
        assert!(plain.contains(r"b\u{202e}\x1b[2J: 2"), "{plain}");
        assert!(!plain.contains('\u{1b}'), "{plain}");
        assert!(!d.to_string().contains(['\u{1b}', '\u{202e}', '\n']), "{d}");
    }

    #[test]
    fn codes_are_unique_and_sorted_by_their_strings() {
        let strings: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strings.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            strings, sorted,
            "codes must be unique and declared in byte order"
        );
        let mut by_ord = Code::ALL.to_vec();
        by_ord.sort();
        assert_eq!(by_ord, Code::ALL.to_vec());
    }

    #[test]
    fn every_code_has_an_example_fixture_or_test() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sources = rust_sources(&[root.join("src"), root.join("tests")]);
        for code in Code::ALL {
            match code.example() {
                Example::Fixture(path) => {
                    assert!(root.join(path).exists(), "{code}: no fixture {path}");
                    assert!(path.starts_with("fixtures/invalid/"), "{code}: {path}");
                }
                Example::Test(name) => {
                    let needle = format!("fn {name}(");
                    assert!(
                        sources.iter().any(|s| s.contains(&needle)),
                        "{code}: no test named {name}"
                    );
                }
            }
        }
    }

    fn rust_sources(dirs: &[std::path::PathBuf]) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack: Vec<std::path::PathBuf> = dirs.to_vec();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        out
    }

    #[test]
    fn closest_suggests_the_nearest_ids_first() {
        let ids = ["payments", "cart", "paymentz-old", "web"];
        assert_eq!(closest("paymets", ids), vec!["payments"]);
        assert!(closest("zzzzzzzz", ids).is_empty());
    }
}
