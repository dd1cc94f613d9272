//! Header extraction and normalisation. (Filled in by the ingest work.)

/// Lower-cases and trims an address; undoes pipermail's ` at ` obfuscation.
pub fn normalize_address(raw: &str) -> String {
    raw.trim().to_lowercase()
}
