//! One writer at a time: an exclusive lock on `DB.lock` beside the database.
//!
//! SQLite would serialise writers itself, but a second ingest or run would
//! then wait, or interleave its reports with the first one's. Cron jobs that
//! overlap should fail fast and say so, so the lock is taken without waiting.
//! The OS releases it when the process dies, so a killed run never leaves a
//! stale lock behind.
//!
//! The lock file is named after the database's *canonical* path: the same
//! database reached through a symlink, a `..` or a relative path is one
//! database and one lock (issue #12: keyed on the path as given, two
//! processes wrote one database through a symlinked path). The lock itself is
//! the standard library's `File::try_lock` (`flock` on Linux).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

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
        let mut name = canonical(db).into_os_string();
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
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held {
                path: db.to_path_buf(),
            }),
            Err(TryLockError::Error(source)) => Err(LockError::Io {
                path,
                cause: source,
            }),
        }
    }
}

/// The database's canonical path: the file itself when it exists (symlinks
/// resolved), else its canonical folder joined with its name, so a database
/// about to be created gets the same lock as it will have once it exists.
fn canonical(db: &Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(db) {
        return path;
    }
    let parent = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), db.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => db.to_path_buf(),
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

    #[test]
    fn the_same_database_through_a_symlink_or_dot_dot_is_one_lock() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(&db, b"").unwrap();
        let link = dir.path().join("link.db");
        std::os::unix::fs::symlink(&db, &link).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let dotted = dir.path().join("sub/../x.db");
        let _held = Lock::acquire(&db).unwrap();
        for other in [&link, &dotted] {
            let err = Lock::acquire(other).unwrap_err();
            assert!(matches!(err, LockError::Held { .. }), "{}", other.display());
        }
    }

    #[test]
    fn a_database_not_yet_created_is_locked_by_its_canonical_folder() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let alias = dir.path().join("alias");
        std::os::unix::fs::symlink(&real, &alias).unwrap();
        let _held = Lock::acquire(&real.join("new.db")).unwrap();
        assert!(Lock::acquire(&alias.join("new.db")).is_err());
    }
}
