//! Collectors: inputs that are not estate files (a cloud account's tags,
//! trace exports, service catalogs) turned into a [`crate::model::Document`].
//!
//! A collector produces a document and nothing else (it may use model,
//! diag and load's ARN parsing): it never analyses,
//! renders or decides an exit code (ARCHITECTURE.md: no engine, no report).
//! What it writes is read back by the same loader as a hand-written file, so
//! a collector cannot smuggle in a shape the loader would reject.
//!
//! One collector (or shared piece of one) per module below.

pub mod backstage;
pub mod rename;
pub mod tag_model;
pub mod traces;
