//! Outputs: the engine's answers rendered for people (text, Markdown) and
//! programs (JSON), written atomically.

pub mod analyze;
pub mod check;
pub mod github;
pub mod junit;
pub mod output;
pub mod progress;
pub mod sarif;
pub mod spof;
pub mod style;
pub mod sweep;
