//! `listpulse run`: the whole pipeline for every configured coalition, made
//! for cron. It reads like the pipeline it runs:
//!
//! 1. validate the configuration into settings (fatal, exit 2, on any error);
//! 2. take the database lock (a second run exits 2 at once);
//! 3. per coalition: ingest new archive files, import the roster (a snapshot
//!    dated T) and the check-ins, evaluate the member table and its history,
//!    load the counted messages, and compute the report model;
//! 4. compute the comparison, render every file in memory, then put them all
//!    in place, holding the output folder's lock (temporary files first,
//!    renames last, all or none: see `report::write`).
//!
//! Silent on success. A rejected input (an archive that is not one, a missing
//! roster) is one line on stderr and exit status 1; the run still finishes.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::RunArgs;
use crate::config::{CoalitionSettings, Settings};
use crate::ingest;
use crate::lock::Lock;
use crate::members::{self, MemberOptions};
use crate::messages::{err_message, errored};
use crate::report::{self, ComparisonModel, ReportModel};
use crate::store::{self, activity, checkins, messages as db, rosters};

use super::Outcome;
use crate::ingest::engine::{IngestOptions, ingest_paths};

/// Runs the whole pipeline for every configured coalition.
pub fn run(args: &RunArgs) -> anyhow::Result<Outcome> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| super::parse_day("--as-of", d))
        .transpose()?;
    let settings = Settings::load(&args.config, as_of, super::today())?;
    if let Some(dir) = settings
        .database
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the database folder", dir.display()))?;
    }
    let _lock = Lock::acquire(&settings.database)?;
    let mut conn = store::open(&settings.database)?;

    let mut models = Vec::with_capacity(settings.coalitions.len());
    for coalition in &settings.coalitions {
        models.push(
            coalition_model(&mut conn, &settings, coalition)
                .with_context(|| format!("coalition '{}'", coalition.slug))?,
        );
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

/// Steps 3 for one coalition: store what is new, then compute its model.
fn coalition_model(
    conn: &mut rusqlite::Connection,
    settings: &Settings,
    c: &CoalitionSettings,
) -> anyhow::Result<ReportModel> {
    let db_error = |e| store::write_error(&settings.database, e);
    let coalition_id = db::ensure_coalition(conn, &c.slug, Some(&c.name)).map_err(db_error)?;
    let list_id = db::ensure_list(conn, coalition_id, &c.slug).map_err(db_error)?;

    let paths = archive_paths(c);
    if !paths.is_empty() {
        let options = IngestOptions {
            limits: settings.limits,
            ..IngestOptions::default()
        };
        // Each rejected file is named by ingest_paths itself, which also
        // marks the run for exit status 1.
        ingest_paths(conn, coalition_id, list_id, &paths, &options).map_err(db_error)?;
    }
    if let Some(roster) = &c.roster
        && let Err(e) = rosters::import_file(conn, coalition_id, roster, settings.as_of)
    {
        err_message(e);
    }
    if let Some(path) = &c.checkins
        && let Err(e) = checkins::import_file(conn, coalition_id, path)
    {
        err_message(e);
    }

    let options = MemberOptions {
        as_of: settings.as_of,
        thresholds: c.thresholds,
        aliases: c.aliases.clone().filter(|p| {
            let exists = p.is_file();
            if !exists {
                err_message(format!("{}: aliases file not found", p.display()));
            }
            exists
        }),
        checkin_subject: c.checkin_subject.clone(),
    };
    let table = members::evaluate(conn, &c.slug, &options)?;
    let history = members::history(conn, &c.slug, &options)?;
    let messages = activity::counted_messages(
        conn,
        coalition_id,
        checkins::end_of_day_secs(settings.as_of),
        c.checkin_subject.as_deref(),
    )
    .with_context(|| format!("{}: cannot read", settings.database.display()))?;
    Ok(ReportModel::compute(c, table, history, &messages))
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
