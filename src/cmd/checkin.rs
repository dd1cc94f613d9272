//! `listpulse checkin import`. (Filled in by the classification work.)

use crate::cli::CheckinImportArgs;

use super::Outcome;

/// Imports check-in responses.
pub fn run(_args: &CheckinImportArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("checkin import is not built yet")
}
