//! `listpulse checkin import`: a check-in CSV file, stored as the source of
//! truth for its rows.

use crate::cli::CheckinImportArgs;
use crate::inputs;
use crate::lock::Lock;
use crate::store;

use super::{Outcome, database_path, load_settings};

/// Imports a check-in file, replacing what the same file said before. A bad
/// row is a fatal error (exit 2) naming the file and line; nothing is
/// written then.
pub fn run(args: &CheckinImportArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let rows = inputs::checkins::read(&args.file)?;
    let _lock = Lock::acquire(&db)?;
    let mut conn = store::open(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let done = store_file(&mut conn, coalition, &args.file, &rows)
        .map_err(|e| store::write_error(&db, e))?;
    if !args.quiet {
        eprintln!(
            "{}: {} responses for '{}' ({} new or changed, {} no longer in the file)",
            args.file.display(),
            done.rows,
            args.coalition,
            done.added,
            done.removed
        );
    }
    Ok(Outcome::Success)
}

/// Stores a check-in file's rows under its canonical path, replacing what
/// that file (by either name) said before.
pub fn store_file(
    conn: &mut rusqlite::Connection,
    coalition: i64,
    path: &std::path::Path,
    rows: &[inputs::checkins::CheckinRow],
) -> rusqlite::Result<store::checkins::Replaced> {
    let given = path.to_string_lossy().into_owned();
    let canonical = std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| given.clone());
    store::checkins::replace_file(conn, coalition, &canonical, &[&given], rows)
}
