//! `listpulse run`. (Filled in by the reports work.)

use crate::cli::RunArgs;

use super::Outcome;

/// Runs the whole pipeline for every configured coalition.
pub fn run(_args: &RunArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("run is not built yet")
}
