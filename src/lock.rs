//! One writer at a time: an exclusive lock on `DB.lock` beside the database.
//!
//! SQLite would serialise writers itself, but a second ingest or run would
//! then wait, or interleave its reports with the first one's. Cron jobs that
//! overlap should fail fast and say so, so the lock is taken without waiting.
//! The OS releases it when the process dies, so a killed run never leaves a
//! stale lock behind.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

/// Held while the process writes; dropping it releases the lock.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "{path}: another listpulse process is writing this database; try again when it has finished"
    )]
    Held { path: PathBuf },
    /// The lock file could not be created.
    #[error("{path}: cannot create the lock file: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
}

impl Lock {
    /// Takes the lock for the database at `db`, failing at once if it is held.
    pub fn acquire(db: &Path) -> Result<Lock, LockError> {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io {
                path: path.clone(),
                cause: source,
            })?;
        match file.try_lock_exclusive() {
            Ok(true) => Ok(Lock { _file: file }),
            Ok(false) => Err(LockError::Held {
                path: db.to_path_buf(),
            }),
            Err(source) => Err(LockError::Io {
                path,
                cause: source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_fails_at_once_and_first_release_frees_it() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let first = Lock::acquire(&db).unwrap();
        let err = Lock::acquire(&db).unwrap_err();
        assert!(matches!(err, LockError::Held { .. }));
        assert!(err.to_string().contains("another listpulse process"));
        drop(first);
        Lock::acquire(&db).unwrap();
    }
}
