//! The SQLite store: opening, pragmas, and schema migrations.
//!
//! SQLite is the single source of truth (DESIGN.md). The schema lives in
//! numbered files under `store/migrations/`; `PRAGMA user_version` records how
//! many have been applied. Only ever add a file, never edit one: a database in
//! the field was built from the old text. A database whose version is newer
//! than this binary knows is refused rather than guessed at.
//!
//! Submodules hold the SQL for each kind of data, next to the code that binds
//! it: [`messages`] (coalitions, lists, sources, messages), [`rosters`],
//! [`checkins`].

pub mod activity;
pub mod checkins;
pub mod messages;
pub mod rosters;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

/// The migrations, in order. Index `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("migrations/0001_init.sql")),
    (
        "0002_sources_malformed",
        include_str!("migrations/0002_sources_malformed.sql"),
    ),
    (
        "0003_checkins_by_source",
        include_str!("migrations/0003_checkins_by_source.sql"),
    ),
    (
        "0004_sender_index_with_names",
        include_str!("migrations/0004_sender_index_with_names.sql"),
    ),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Why the store could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but SQLite does not recognise it.
    #[error("{path}: not a listpulse database (not SQLite)")]
    NotADatabase { path: PathBuf },
    /// Written by a newer listpulse.
    #[error(
        "{path}: database schema version {found} is newer than this listpulse supports ({supported}); upgrade listpulse"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A coalition was named that the database does not hold.
    #[error("no coalition '{slug}' in the database{}", known_list(.known))]
    UnknownCoalition { slug: String, known: Vec<String> },
    /// A write failed (the disk is full, the file is read-only, …). One line:
    /// SQLite's own message, without the error code repeated after it.
    #[error("{path}: cannot write: {message}")]
    Write { path: PathBuf, message: String },
    /// Anything else SQLite reports.
    #[error("{path}: {cause}")]
    Sqlite {
        path: PathBuf,
        cause: rusqlite::Error,
    },
}

fn known_list(known: &[String]) -> String {
    if known.is_empty() {
        " (it holds none yet; ingest an archive first)".to_string()
    } else {
        format!(" (known: {})", known.join(", "))
    }
}

/// Turns a failed write to the database at `path` into a one-line error,
/// with the fix where there is an obvious one.
pub fn write_error(path: &Path, e: rusqlite::Error) -> StoreError {
    let message = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => {
            // Files are committed whole, so a file cut short is rolled back.
            "database or disk is full (free some space and run again)".to_string()
        }
        Some(rusqlite::ErrorCode::ReadOnly) => "the database is read-only".to_string(),
        _ => e.to_string(),
    };
    StoreError::Write {
        path: path.to_path_buf(),
        message,
    }
}

/// Opens (creating if needed) the database at `path` and brings its schema up
/// to date.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let wrap = |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        cause: source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(wrap)?;
    configure(&conn).map_err(|e| classify_open_error(path, e))?;
    migrate(&conn, path)?;
    Ok(conn)
}

/// Checks, without writing anything, that the existing file at `path` is a
/// SQLite database this listpulse can use (`config check`). Returns its
/// schema version (older ones are upgraded by the next `run`).
pub fn check(path: &Path) -> Result<i64, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| classify_open_error(path, e))?;
    schema_version(&conn, path)
}

/// The database's schema version; a database newer than this binary is refused.
fn schema_version(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify_open_error(path, e))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(found)
}

/// Opens an in-memory database with the current schema (tests, benchmarks).
pub fn open_in_memory() -> Result<Connection, StoreError> {
    let path = Path::new(":memory:");
    let conn = Connection::open_in_memory().map_err(|source| StoreError::Sqlite {
        path: path.into(),
        cause: source,
    })?;
    configure(&conn).map_err(|e| classify_open_error(path, e))?;
    migrate(&conn, path)?;
    Ok(conn)
}

/// Connection settings, set on every open rather than in a migration: WAL so
/// readers never see half a transaction and a killed writer leaves a valid
/// file; NORMAL sync is durable enough in WAL mode.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -65536)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // `journal_mode` answers with the mode in force; in-memory databases say "memory".
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    if let Some(pages) = test_max_page_count() {
        // Answers with the limit in force (never below the current size).
        let _limit: i64 = conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
            r.get(0)
        })?;
    }
    Ok(())
}

/// Test-only: `LISTPULSE_TEST_MAX_PAGE_COUNT=N` caps the database at N pages
/// (`PRAGMA max_page_count`), so the bad-input tests can fill the "disk"
/// without filling a real one. Not a setting: nothing outside the tests
/// should set it, and a value that is not a positive integer is ignored.
pub const TEST_MAX_PAGE_COUNT_VAR: &str = "LISTPULSE_TEST_MAX_PAGE_COUNT";

fn test_max_page_count() -> Option<i64> {
    std::env::var(TEST_MAX_PAGE_COUNT_VAR)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&n: &i64| n > 0)
}

fn classify_open_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => StoreError::NotADatabase {
            path: path.to_path_buf(),
        },
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            cause: e,
        },
    }
}

/// Applies every migration not yet applied, each in its own transaction
/// together with the version bump, so a killed upgrade leaves the old version.
fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found = schema_version(conn, path)?;
    for (index, (_name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        // user_version cannot take a bound parameter; `version` is our own integer.
        let batch = format!("BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;");
        if let Err(e) = conn.execute_batch(&batch) {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(classify_open_error(path, e));
        }
    }
    Ok(())
}

/// Returns the id of the coalition `slug`, or an error listing the known ones.
pub fn coalition_id(conn: &Connection, slug: &str) -> Result<i64, StoreError> {
    let sqlite = |source| StoreError::Sqlite {
        path: PathBuf::from("database"),
        cause: source,
    };
    let found: Option<i64> = conn
        .query_row("SELECT id FROM coalitions WHERE slug = ?1", [slug], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| {
            if e == rusqlite::Error::QueryReturnedNoRows {
                Ok(None)
            } else {
                Err(e)
            }
        })
        .map_err(sqlite)?;
    match found {
        Some(id) => Ok(id),
        None => {
            let mut stmt = conn
                .prepare("SELECT slug FROM coalitions ORDER BY slug")
                .map_err(sqlite)?;
            let known = stmt
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect::<Result<Vec<String>, _>>())
                .map_err(sqlite)?;
            Err(StoreError::UnknownCoalition {
                slug: slug.to_string(),
                known,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_applied() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".sql")
                    .to_string()
            })
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|(n, _)| n.to_string()).collect();
        assert!(!files.is_empty());
        assert_eq!(
            files, listed,
            "every file in migrations/ must be listed in MIGRATIONS, in order"
        );
        let conn = open_in_memory().unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    /// The schema every migration builds, as SQLite records it: a change to
    /// any migration shows up in review as a change to this snapshot.
    #[test]
    fn migrated_schema_matches_the_snapshot() {
        let conn = open_in_memory().unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type DESC, tbl_name, name",
            )
            .unwrap();
        let schema: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        insta::assert_snapshot!(schema.join(";\n\n"));
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        {
            let conn = open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        match open(&path) {
            Err(StoreError::NewerSchema {
                found, supported, ..
            }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }

    #[test]
    fn a_file_that_is_not_sqlite_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(
            &path,
            "these are not the pages you are looking for\n".repeat(200),
        )
        .unwrap();
        let err = open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
        assert!(err.to_string().contains("notes.txt"));
    }

    #[test]
    fn unknown_coalition_lists_the_known_ones() {
        let conn = open_in_memory().unwrap();
        conn.execute(
            "INSERT INTO coalitions (slug, name) VALUES ('dc-a', 'A'), ('dc-b', 'B')",
            [],
        )
        .unwrap();
        let err = coalition_id(&conn, "dc-x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no coalition 'dc-x' in the database (known: dc-a, dc-b)"
        );
    }
}
