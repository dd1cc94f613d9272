//! `listpulse roster import`. (Filled in by the classification work.)

use crate::cli::RosterImportArgs;

use super::Outcome;

/// Imports a roster snapshot.
pub fn run(_args: &RosterImportArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("roster import is not built yet")
}
