//! `listpulse classify`. (Filled in by the classification work.)

use crate::cli::ClassifyArgs;

use super::Outcome;

/// Prints the member table.
pub fn run(_args: &ClassifyArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("classify is not built yet")
}
