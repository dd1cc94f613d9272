//! `listpulse ingest`: resolves the database and the coalition, takes the
//! lock, and hands the paths to the ingest engine ([`crate::ingest::engine`]);
//! prints its summary.

use crate::cli::IngestArgs;
use crate::ingest::Limits;
use crate::ingest::engine::{IngestOptions, ingest_paths};
use crate::lock::Lock;
use crate::store::{self, messages as db};

use super::Outcome;

/// Runs `listpulse ingest`.
pub fn run(args: &IngestArgs) -> anyhow::Result<Outcome> {
    let config = super::load_settings(&args.db)?;
    let db_path = super::database_path(&args.db, config.as_ref())?;
    let _lock = Lock::acquire(&db_path)?;
    let mut conn = store::open(&db_path)?;
    let coalition_id = db::ensure_coalition(&conn, &args.coalition, args.name.as_deref())
        .map_err(|e| store::write_error(&db_path, e))?;
    let list_name = args.list.as_deref().unwrap_or(&args.coalition);
    let list_id = db::ensure_list(&conn, coalition_id, list_name)
        .map_err(|e| store::write_error(&db_path, e))?;
    let limits = config.as_ref().map(|c| c.limits).unwrap_or_default();
    let options = IngestOptions {
        progress: !args.quiet,
        limits: Limits {
            max_message_size: args.max_message_size.unwrap_or(limits.max_message_size),
            max_decompressed: args.max_decompressed.unwrap_or(limits.max_decompressed),
        },
        ..IngestOptions::default()
    };
    let summary = ingest_paths(&mut conn, coalition_id, list_id, &args.paths, &options)
        .map_err(|e| store::write_error(&db_path, e))?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    }
    if !args.quiet {
        eprint!("{}", summary.render());
    }
    Ok(if summary.skipped_files > 0 {
        Outcome::SomeRejected
    } else {
        Outcome::Success
    })
}
