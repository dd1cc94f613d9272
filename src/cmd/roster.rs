//! `listpulse roster import`: a roster file in, one snapshot stored.

use crate::cli::RosterImportArgs;
use crate::lock::Lock;
use crate::store;

use super::{Outcome, database_path, load_settings, parse_day, today};

/// Imports a roster snapshot. A bad file is a fatal error (exit 2) naming
/// the file and line; nothing is written then.
pub fn run(args: &RosterImportArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let taken_on = match &args.date {
        Some(text) => parse_day("--date", text)?,
        None => today(),
    };
    let _lock = Lock::acquire(&db)?;
    let mut conn = store::open(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let done = store::rosters::import_file(&mut conn, coalition, &args.file, taken_on)?;
    if !args.quiet {
        if done.unchanged {
            eprintln!(
                "{}: read as {}, {} members; same as the roster already held, nothing added",
                args.file.display(),
                done.format,
                done.rows
            );
        } else {
            eprintln!(
                "{}: read as {}, {} members; snapshot of {} stored for '{}'",
                args.file.display(),
                done.format,
                done.rows,
                taken_on,
                args.coalition
            );
        }
    }
    Ok(Outcome::Success)
}
