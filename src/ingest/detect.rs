//! Format detection by content. (Filled in by the ingest work.)

use super::ArchiveFormat;

/// Decides what `bytes` (already decompressed) hold, or why they are not an archive.
pub fn detect(bytes: &[u8]) -> Result<ArchiveFormat, String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(ArchiveFormat::Empty);
    }
    if bytes.starts_with(b"From ") {
        return Ok(ArchiveFormat::Mbox);
    }
    Err("no mbox envelope, MMDF delimiter or message header found".to_string())
}
