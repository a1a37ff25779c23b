//! blastmap: which business functions break when a region, zone, account,
//! cloud service or component disappears — exactly, and why.
//!
//! The modules follow the data flow: [`model`] (the vocabulary) → [`load`]
//! (files → checked estate) → [`graph`] (compact, indexed) → [`engine`]
//! (scenarios and statuses, pure) → [`report`] (text, JSON, Markdown).

// A `Diagnostic` carries everything needed to fix a problem; errors are
// rare and never on a hot path, so its size in `Result` costs nothing.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod cli;
pub mod collect;
pub mod diag;
pub mod engine;
pub mod graph;
pub mod load;
pub mod model;
pub mod report;
