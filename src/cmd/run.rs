//! `listpulse run`: the whole pipeline for every configured coalition, made
//! for cron. It reads like the pipeline it runs:
//!
//! 1. validate the configuration into settings (fatal, exit 2, on any error);
//! 2. take the database lock (a second run exits 2 at once);
//! 3. fetch remote archives and rosters into the cache (unless `--offline`;
//!    a failure is one line and the run goes on with what is cached);
//! 4. per coalition: ingest new archive files (local ones and the cached
//!    downloads), read its roster, check-in and aliases files, store what
//!    changed (a roster snapshot is dated by the file's `roster_date` or the
//!    day of the run, a fetched roster by the day it was fetched, never by
//!    T), evaluate the member table and its history, load the counted
//!    messages, and compute the report model;
//! 5. compute the comparison, render every file in memory, then put them all
//!    in place, holding the output folder's lock (temporary files first,
//!    renames last, all or none: see `report::write`).
//!
//! Silent on success. A rejected input (an archive that is not one, a bad
//! roster, check-in or aliases file) is one line on stderr and exit status
//! 1; the run still finishes. A coalition whose roster, check-in or aliases
//! file is bad keeps its previous reports (nothing of it is rewritten); the
//! others are reported.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{RunArgs, ThresholdArgs};
use crate::config::{CoalitionSettings, Settings};
use crate::ingest;
use crate::inputs::{self, InputError};
use crate::lock::Lock;
use crate::members;
use crate::messages::{err_message, errored};
use crate::report::{self, ComparisonModel, ReportModel};
use crate::store::{self, activity, messages as db, rosters};

use super::Outcome;
use crate::ingest::engine::{IngestOptions, ingest_paths};

/// Runs the whole pipeline for every configured coalition.
pub fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let settings = Settings::load(&args.config, args.as_of, super::today())?;
    if let Some(dir) = settings
        .database
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the database folder", dir.display()))?;
    }
    let _lock = Lock::acquire(&settings.database)?;
    if !args.offline {
        let options = crate::fetch::FetchOptions {
            today: super::today(),
            refetch: args.refetch,
            progress: true,
        };
        let all: Vec<&CoalitionSettings> = settings.coalitions.iter().collect();
        super::fetch::fetch_all(&settings, &all, &options);
    }
    let mut conn = store::open(&settings.database)?;

    let mut models = Vec::with_capacity(settings.coalitions.len());
    for coalition in &settings.coalitions {
        let model = coalition_model(&mut conn, &settings, coalition)
            .with_context(|| format!("coalition '{}'", coalition.slug))?;
        models.extend(model);
    }
    let comparison = ComparisonModel::compute(settings.as_of, &models);

    let mut files = Vec::new();
    for model in &models {
        files.extend(report::coalition_files(model)?);
    }
    files.extend(report::comparison_files(&comparison)?);
    report::write::write_all(&settings.output, &files)?;

    Ok(if errored() {
        Outcome::SomeRejected
    } else {
        Outcome::Success
    })
}

/// Step 3 for one coalition: store what is new, then compute its model.
/// `None` when one of its own input files is bad (named on stderr): its
/// previous reports stay as they are.
fn coalition_model(
    conn: &mut rusqlite::Connection,
    settings: &Settings,
    c: &CoalitionSettings,
) -> anyhow::Result<Option<ReportModel>> {
    let db_error = |e| store::write_error(&settings.database, e);
    let coalition_id = db::ensure_coalition(conn, &c.slug, Some(&c.name)).map_err(db_error)?;
    let list_id = db::ensure_list(conn, coalition_id, &c.slug).map_err(db_error)?;

    let mut paths = archive_paths(c);
    // Downloads are ingested exactly like local files (issue #11).
    let (cached_dirs, fetched_roster) = crate::fetch::cached_inputs(c, &settings.archive_cache);
    paths.extend(cached_dirs);
    if !paths.is_empty() {
        let options = IngestOptions {
            limits: settings.limits,
            ..IngestOptions::default()
        };
        // Each rejected file is named by ingest_paths itself, which also
        // marks the run for exit status 1.
        ingest_paths(conn, coalition_id, list_id, &paths, &options).map_err(db_error)?;
    }

    let inputs = match read_inputs(c, fetched_roster) {
        Ok(inputs) => inputs,
        Err(e) => {
            err_message(format_args!(
                "{e}; the reports of '{}' were not updated",
                c.slug
            ));
            return Ok(None);
        }
    };
    store_rosters(conn, coalition_id, &inputs.rosters).map_err(db_error)?;
    if let (Some(path), Some(rows)) = (&c.checkins, &inputs.checkins) {
        super::checkin::store_file(conn, coalition_id, path, rows).map_err(db_error)?;
    }

    let mut options =
        super::classify::member_options(Some(settings), Some(c), &ThresholdArgs::default())?;
    options.aliases = inputs.aliases;
    let table = members::evaluate(conn, &c.slug, &options)?;
    for w in &table.warnings {
        crate::messages::warn_message(format_args!("{}: {w}", c.slug));
    }
    let history = members::history(conn, &c.slug, &options)?;
    let messages = activity::counted_messages(
        conn,
        coalition_id,
        crate::day::end_secs(settings.as_of),
        &table.reply_ids,
    )
    .with_context(|| format!("{}: cannot read", settings.database.display()))?;
    Ok(Some(ReportModel::compute(c, table, history, &messages)))
}

/// A coalition's own input files, read and checked before anything of them
/// is stored: one bad file leaves the database as it was.
struct Inputs {
    /// Each roster file with the day its snapshot is dated, or `None` for
    /// the current roster without a `roster_date` (dated today if it changed).
    rosters: Vec<(Option<crate::day::Day>, inputs::roster::RosterFile, String)>,
    checkins: Option<Vec<inputs::checkins::CheckinRow>>,
    aliases: crate::identity::Aliases,
}

fn read_inputs(
    c: &CoalitionSettings,
    fetched_roster: Option<(PathBuf, crate::day::Day)>,
) -> Result<Inputs, InputError> {
    let mut rosters = Vec::new();
    // A fetched roster is a snapshot of the day it was taken, never of T.
    if let Some((path, taken_on)) = fetched_roster {
        rosters.push((
            Some(taken_on),
            inputs::roster::read(&path)?,
            path.to_string_lossy().into_owned(),
        ));
    }
    for r in &c.rosters {
        rosters.push((
            Some(r.date),
            inputs::roster::read(&r.path)?,
            r.path.to_string_lossy().into_owned(),
        ));
    }
    if let Some(path) = &c.roster {
        rosters.push((
            c.roster_date,
            inputs::roster::read(path)?,
            path.to_string_lossy().into_owned(),
        ));
    }
    let checkins = c
        .checkins
        .as_deref()
        .map(inputs::checkins::read)
        .transpose()?;
    let aliases = match &c.aliases {
        Some(path) => inputs::aliases::read(path)?,
        None => crate::identity::Aliases::default(),
    };
    Ok(Inputs {
        rosters,
        checkins,
        aliases,
    })
}

/// DESIGN.md, "Roster file": `run` "uses the coalition's `roster_date`, else
/// today, and imports the file only when it differs from the coalition's
/// latest snapshot, whatever *T*; a snapshot is never dated by *T*". Dated
/// files are each the snapshot of their day.
fn store_rosters(
    conn: &mut rusqlite::Connection,
    coalition_id: i64,
    files: &[(Option<crate::day::Day>, inputs::roster::RosterFile, String)],
) -> rusqlite::Result<()> {
    for (date, file, source) in files {
        let date = match date {
            Some(date) => *date,
            None if rosters::same_as_latest(conn, coalition_id, file)? => continue,
            None => super::today(),
        };
        rosters::save(conn, coalition_id, date, source, file)?;
    }
    Ok(())
}

/// The coalition's archive files: each entry a path or a glob pattern. A
/// pattern or path that matches nothing is reported (a renamed archive folder
/// should not go unnoticed) but does not stop the run. A file reached twice
/// (by two patterns, or a pattern and a folder) is read once: the ingest
/// walk lists each real file once.
fn archive_paths(c: &CoalitionSettings) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for pattern in &c.archives {
        let is_glob = pattern.contains(['*', '?', '[']);
        if !is_glob {
            let p = PathBuf::from(pattern);
            if p.exists() {
                out.push(p);
            } else {
                err_message(format!("{pattern}: no such archive file or folder"));
            }
            continue;
        }
        // Expanded by ingest's own walk, not the glob crate's: `**` there
        // follows symlink loops without end (issue #12).
        match ingest::walk::glob(pattern) {
            Ok(paths) => {
                let before = out.len();
                for p in paths {
                    match p {
                        Ok(p) => out.push(p),
                        Err(e) => err_message(e),
                    }
                }
                if out.len() == before {
                    err_message(format!("{pattern}: matches no archive file"));
                }
            }
            Err(e) => err_message(format!("{pattern}: {e}")),
        }
    }
    out.sort();
    out.dedup();
    out
}
