//! Roster snapshots in the store. (Filled in by the classification work.)

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::Connection;

/// A roster or check-in file that could not be imported; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A bad row or header, with its 1-based line.
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The whole file is unusable.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// The database refused the write.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// What a roster import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterImport {
    /// Which roster format the file was read as (e.g. "csv with header").
    pub format: String,
    /// Rows (members) in the snapshot.
    pub rows: usize,
    /// True when the file matched the latest snapshot and nothing was added.
    pub unchanged: bool,
}

/// Imports `path` as a snapshot of `coalition_id`'s roster taken on `taken_on`.
pub fn import_file(
    _conn: &mut Connection,
    _coalition_id: i64,
    path: &Path,
    _taken_on: NaiveDate,
) -> Result<RosterImport, ImportError> {
    Err(ImportError::File {
        path: path.to_path_buf(),
        message: "roster import is not built yet".into(),
    })
}
