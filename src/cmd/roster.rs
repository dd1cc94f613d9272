//! `listpulse roster import|list|drop`: roster snapshots.

use std::io::Write;

use anyhow::Context;

use crate::cli::{RosterDropArgs, RosterImportArgs, RosterListArgs};
use crate::inputs;
use crate::lock::Lock;
use crate::store::{self, rosters::Saved};

use super::{Outcome, database_path, load_settings, open_existing, today};

/// Imports a roster file as the snapshot of `--date` (default today). A bad
/// file is a fatal error (exit 2) naming the file and line; nothing is
/// written then.
pub fn import(args: &RosterImportArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let taken_on = args.date.unwrap_or_else(today);
    let file = inputs::roster::read(&args.file)?;
    let _lock = Lock::acquire(&db)?;
    let mut conn = store::open(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let saved = store::rosters::save(
        &mut conn,
        coalition,
        taken_on,
        &args.file.to_string_lossy(),
        &file,
    )
    .map_err(|e| store::write_error(&db, e))?;
    if !args.quiet {
        let what = match saved {
            Saved::Added => format!("snapshot of {taken_on} stored"),
            Saved::Replaced => format!("replaced the snapshot of {taken_on} (one snapshot a day)"),
            Saved::Unchanged => format!("same as the snapshot of {taken_on}; nothing changed"),
        };
        eprintln!(
            "{}: read as {}, {} members; {what} for '{}'",
            args.file.display(),
            file.format.as_str(),
            file.rows.len(),
            args.coalition
        );
    }
    Ok(Outcome::Success)
}

/// Prints the coalition's snapshots, oldest first.
pub fn list(args: &RosterListArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let conn = open_existing(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let snapshots = store::rosters::list(&conn, coalition)
        .with_context(|| format!("{}: cannot read", db.display()))?;
    let mut out = String::new();
    if snapshots.is_empty() {
        out.push_str(&format!(
            "no roster snapshots for '{}'; import one with `listpulse roster import`\n",
            args.coalition
        ));
    } else {
        out.push_str(&format!(
            "{:<10}  {:>6}  {:<20}  source\n",
            "date", "rows", "format"
        ));
        for s in &snapshots {
            out.push_str(&format!(
                "{:<10}  {:>6}  {:<20}  {}\n",
                s.taken_on.to_string(),
                s.rows,
                s.format,
                crate::term::visible(&s.source)
            ));
        }
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(Outcome::Success)
}

/// Removes the snapshot taken on `--date`; naming a day without one is an
/// error that lists the days there are.
pub fn drop(args: &RosterDropArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let _lock = Lock::acquire(&db)?;
    let mut conn = open_existing(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let dropped = store::rosters::drop_snapshot(&mut conn, coalition, args.date)
        .map_err(|e| store::write_error(&db, e))?;
    if !dropped {
        let days: Vec<String> = store::rosters::list(&conn, coalition)?
            .iter()
            .map(|s| s.taken_on.to_string())
            .collect();
        anyhow::bail!(
            "'{}' has no roster snapshot dated {} (snapshots: {})",
            args.coalition,
            args.date,
            if days.is_empty() {
                "none".to_string()
            } else {
                days.join(", ")
            }
        );
    }
    eprintln!(
        "dropped the roster snapshot of {} for '{}'",
        args.date, args.coalition
    );
    Ok(Outcome::Success)
}
