//! The engine: scenarios in, statuses out. Pure: it reads no file, prints
//! nothing and touches no network; it takes a [`Graph`] and returns data.

pub mod entry;
pub mod explain;
pub mod scenario;
pub mod status;

pub use status::{Analysis, DegradedBecause, Grounding};

use crate::graph::Graph;
use crate::model::Scenario;
use scenario::DirectFailure;

/// Analyses one scenario: every node's status, with causes and paths on
/// demand. O(nodes + members). Commands that run many scenarios keep one
/// [`Grounding`] and call [`status::evaluate`] directly.
pub fn analyze<'g>(graph: &'g Graph, scenario: &Scenario) -> Analysis<'g> {
    let grounding = Grounding::compute(graph);
    let direct = DirectFailure::compute(graph, &scenario.domains);
    status::evaluate(graph, &grounding, &direct)
}

pub mod availability;
pub mod bdd;
pub mod check;
mod cycle;
pub mod diff;
#[cfg(test)]
mod failover_tests;
mod flat;
pub mod incremental;
pub mod pairs;
pub mod spof;
pub mod sweep;
#[cfg(test)]
mod tests;
