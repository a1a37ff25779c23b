//! Collectors: inputs that are not estates (traces, catalogs) turned into a
//! `model::Document`, which the loader then reads like any other estate
//! file. A collector uses `model` and `diag` only (ARCHITECTURE.md).

pub mod traces;
