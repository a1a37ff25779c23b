//! Where something is written in a source file, for messages and CI
//! annotations that point at the line.

use serde::Serialize;

/// A position in a source file: 1-based line and column (in characters).
/// Ordered by file, then line, then column, so lists of positions sort the
/// way a reader walks the files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}
