//! Collectors: inputs that are not estate files (service catalogs, traces,
//! cloud inventories) turned into a [`crate::model::Document`], which the
//! loader then reads back like any hand-written estate. A collector uses the
//! model and the diagnostics only: no engine, no report.

pub mod backstage;
pub mod traces;
