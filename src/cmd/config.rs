//! `listpulse config example`. (Filled in by the reports work.)

use super::Outcome;

/// Prints the commented example configuration.
pub fn example() -> anyhow::Result<Outcome> {
    anyhow::bail!("config example is not built yet")
}
