//! Check-in responses in the store. (Filled in by the classification work.)

use std::path::Path;

use rusqlite::Connection;

use super::rosters::ImportError;

/// What a check-in import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinImport {
    /// Rows read.
    pub rows: usize,
    /// Rows not held before.
    pub new: usize,
}

/// Imports check-in responses (CSV `address,date,status`) for `coalition_id`.
pub fn import_file(
    _conn: &mut Connection,
    _coalition_id: i64,
    path: &Path,
) -> Result<CheckinImport, ImportError> {
    Err(ImportError::File {
        path: path.to_path_buf(),
        message: "check-in import is not built yet".into(),
    })
}
