//! `listpulse config example`: prints the commented example shipped in
//! `fixtures/config/example.toml` (a test loads it, so it stays valid).

use std::io::Write;

use super::Outcome;

/// Prints the commented example configuration on stdout.
pub fn example() -> anyhow::Result<Outcome> {
    std::io::stdout().write_all(crate::config::EXAMPLE.as_bytes())?;
    Ok(Outcome::Success)
}
