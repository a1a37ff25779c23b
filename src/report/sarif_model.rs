//! The SARIF 2.1.0 shapes that both SARIF writers share, `check`'s results
//! ([`super::sarif`]) and problems with the inputs
//! ([`super::diagnostics`]): the log envelope and locations. Fields are
//! declared in the order they are written; absent ones are left out, so
//! each writer's log is exactly what it was when each had its own copy.

use serde::Serialize;

/// The `$id` of the OASIS SARIF 2.1.0 schema.
pub(crate) const SCHEMA: &str =
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// A log of one run of blastmap: rule descriptors `D`, one invocation `I`,
/// results `R` (each writer has its own, with the fields it needs).
#[derive(Serialize)]
pub(crate) struct Log<'a, D, I, R> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, D, I, R>; 1],
}

#[derive(Serialize)]
struct Run<'a, D, I, R> {
    tool: Tool<'a, D>,
    invocations: [I; 1],
    results: Vec<R>,
}

#[derive(Serialize)]
struct Tool<'a, D> {
    driver: Driver<'a, D>,
}

#[derive(Serialize)]
struct Driver<'a, D> {
    name: &'static str,
    version: &'a str,
    rules: Vec<D>,
}

impl<'a, D: Serialize, I: Serialize, R: Serialize> Log<'a, D, I, R> {
    /// The log of one run of the `blastmap` tool at `tool_version`.
    pub(crate) fn new(
        tool_version: &'a str,
        rules: Vec<D>,
        invocation: I,
        results: Vec<R>,
    ) -> Self {
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "blastmap",
                        version: tool_version,
                        rules,
                    },
                },
                invocations: [invocation],
                results,
            }],
        }
    }

    /// Pretty JSON ending in a newline.
    pub(crate) fn to_pretty_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises");
        s.push('\n');
        s
    }
}

/// A message.
#[derive(Serialize)]
pub(crate) struct Text {
    pub text: String,
}

/// A location: where a result is, a step of a code flow, or a related place
/// (then with an `id` and a `message`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Text>,
}

/// A file, and the line and column in it when known.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file, by its URI.
#[derive(Serialize)]
pub(crate) struct ArtifactLocation {
    pub uri: String,
}

/// A line and column, counted from 1.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    pub start_line: usize,
    pub start_column: usize,
}
