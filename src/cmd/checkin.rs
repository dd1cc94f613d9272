//! `listpulse checkin import`: check-in responses from a CSV file.

use crate::cli::CheckinImportArgs;
use crate::lock::Lock;
use crate::store;

use super::{Outcome, database_path, load_settings};

/// Imports check-in responses. A bad row is a fatal error (exit 2) naming
/// the file and line; nothing is written then.
pub fn run(args: &CheckinImportArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let _lock = Lock::acquire(&db)?;
    let mut conn = store::open(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let done = store::checkins::import_file(&mut conn, coalition, &args.file)?;
    if !args.quiet {
        eprintln!(
            "{}: {} responses read, {} new for '{}'",
            args.file.display(),
            done.rows,
            done.new,
            args.coalition
        );
    }
    Ok(Outcome::Success)
}
