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
//! Silent on success under cron; on a terminal one closing line says where
//! the reports are. Warnings (a stale archive, the database inside the
//! output folder) go to stderr and into the pages, and never change the
//! exit status. A coalition removed from the configuration loses its
//! folder (only one listpulse marked as its own). A rejected input (an archive that is not one, a bad
//! roster, check-in or aliases file) is one line on stderr and exit status
//! 1; the run still finishes. A coalition whose roster, check-in or aliases
//! file is bad keeps its previous reports (nothing of it is rewritten); the
//! others are reported.

use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::cli::{RunArgs, ThresholdArgs};
use crate::config::{CoalitionSettings, Settings};
use crate::ingest;
use crate::inputs::{self, InputError};
use crate::lock::Lock;
use crate::members;
use crate::messages::{err_message, errored, warn_message};
use crate::report::comparison::{ComparisonOptions, Entry};
use crate::report::model::ModelOptions;
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
    // Coalitions whose fetch failed this run: their error is already on
    // stderr, so a stale-archive warning would only repeat it.
    let mut fetch_failed: Vec<String> = Vec::new();
    if !args.offline {
        let options = crate::fetch::FetchOptions {
            today: super::today(),
            refetch: args.refetch,
            progress: true,
        };
        let all: Vec<&CoalitionSettings> = settings.coalitions.iter().collect();
        fetch_failed = super::fetch::fetch_all(&settings, &all, &options)
            .into_iter()
            .filter(|(_, report)| !report.errors.is_empty())
            .map(|(slug, _)| slug)
            .collect();
    }
    let mut conn = store::open(&settings.database)?;
    let warnings = placement_warnings(&settings);
    for w in &warnings {
        warn_message(w);
    }

    let mut models = Vec::with_capacity(settings.coalitions.len());
    for coalition in &settings.coalitions {
        let model = coalition_model(&mut conn, &settings, coalition, &warnings)
            .with_context(|| format!("coalition '{}'", coalition.slug))?;
        // A coalition with no archive configured (a roster only) has no
        // archive to go stale.
        let has_archives = !coalition.archives.is_empty() || !coalition.remote.archives.is_empty();
        if let Some(m) = &model
            && has_archives
            && !fetch_failed.contains(&coalition.slug)
            && let Some(w) = m.archive.warning(&m.name, m.as_of)
        {
            warn_message(w);
        }
        models.push((coalition, model));
    }
    let entries: Vec<Entry<'_>> = models
        .iter()
        .map(|(c, m)| match m {
            Some(m) => Entry::Updated(m),
            None => Entry::NotUpdated {
                slug: &c.slug,
                name: &c.name,
            },
        })
        .collect();
    let comparison = ComparisonModel::compute(
        settings.as_of,
        &entries,
        ComparisonOptions {
            min_group_size: settings.min_group_size,
            health: settings.health,
            grid: settings.standards.clone(),
            coalition_links: same_folder(&settings.comparison_output, &settings.output),
            warnings,
        },
    );

    // Render everything in memory first (in parallel: the charts' PNG
    // encoding is most of the time), then put it in place.
    let rendered: Vec<anyhow::Result<Vec<report::RenderedFile>>> = models
        .par_iter()
        .filter_map(|(_, m)| m.as_ref())
        .map(report::coalition_files)
        .collect();
    let mut files = Vec::new();
    for r in rendered {
        files.extend(r?);
    }
    // The database as seen from the output folder: what tells this
    // configuration's folders from another's, the same on every machine
    // and after moving both together.
    let database = pathdiff::diff_paths(lexical(&settings.database), lexical(&settings.output))
        .unwrap_or_else(|| lexical(&settings.database));
    for (c, m) in &models {
        if m.is_some() {
            files.push(report::folders::marker(&c.slug, &database));
        }
    }
    let comparison_files = report::comparison_files(&comparison)?;
    // One folder: one write, so a failure leaves the previous set whole,
    // comparison included. Two folders cannot be replaced as one.
    if same_folder(&settings.comparison_output, &settings.output) {
        files.extend(comparison_files);
        report::write::write_all(&settings.output, &files)?;
    } else {
        report::write::write_all(&settings.output, &files)?;
        report::write::write_all(&settings.comparison_output, &comparison_files)?;
    }

    let slugs: Vec<&str> = settings
        .coalitions
        .iter()
        .map(|c| c.slug.as_str())
        .collect();
    for (path, failed) in report::folders::remove_unconfigured(&settings.output, &slugs, &database)
    {
        match failed {
            None => eprintln!(
                "listpulse: removed {}: its coalition is no longer configured",
                path.display()
            ),
            Some(e) => err_message(format!("{}: cannot remove: {e}", path.display())),
        }
    }
    // Cron mails whatever a job prints, so a run under cron stays silent; a
    // person at a terminal learns where the reports went.
    if std::io::stderr().is_terminal() {
        eprintln!(
            "listpulse: reports written to {} (comparison: {})",
            settings.output.display(),
            settings.comparison_output.join("index.html").display()
        );
    }

    Ok(if errored() {
        Outcome::SomeRejected
    } else {
        Outcome::Success
    })
}

/// Whether two folders are the same (lexically, after `.` and `..`).
fn same_folder(a: &Path, b: &Path) -> bool {
    lexical(a) == lexical(b)
}

/// `path` made absolute against the current folder, `.` and `..` resolved
/// lexically (the output folder may not exist yet, so no canonicalize).
fn lexical(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// A database (and its lock file beside it) inside a folder that is meant
/// to be published would publish every address: say so on every run, never
/// fatal (issue #10).
pub fn placement_warnings(settings: &Settings) -> Vec<String> {
    let db = lexical(&settings.database);
    let mut out = Vec::new();
    let mut folders = vec![&settings.output];
    if !same_folder(&settings.comparison_output, &settings.output) {
        folders.push(&settings.comparison_output);
    }
    for folder in folders {
        if db.starts_with(lexical(folder)) {
            out.push(format!(
                "{}: the database and its lock file are inside the output folder {}; publishing the folder would publish every address: move `database` out of it",
                settings.database.display(),
                folder.display()
            ));
        }
    }
    out
}

/// Step 3 for one coalition: store what is new, then compute its model.
/// `None` when one of its own input files is bad (named on stderr): its
/// previous reports stay as they are, and the comparison marks it "not
/// updated".
fn coalition_model(
    conn: &mut rusqlite::Connection,
    settings: &Settings,
    c: &CoalitionSettings,
    warnings: &[String],
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
    let evidence =
        members::standards_evidence(conn, &c.slug, &options, &settings.standards.windows_days)?;
    let read_error = |e| anyhow::anyhow!("{}: cannot read: {e}", settings.database.display());
    let messages = activity::counted_messages(
        conn,
        coalition_id,
        crate::day::end_secs(settings.as_of),
        &table.reply_ids,
    )
    .map_err(read_error)?;
    let last_message =
        activity::last_message_day(conn, coalition_id, settings.as_of).map_err(read_error)?;
    let model_options = ModelOptions {
        health: settings.health,
        last_message,
        stale_after_days: settings.stale_after_days,
        warnings: warnings.to_vec(),
        standards: crate::standards::count(&settings.standards, &evidence),
    };
    Ok(Some(ReportModel::compute(
        c,
        table,
        history,
        &messages,
        &model_options,
    )))
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
pub(crate) fn archive_paths(c: &CoalitionSettings) -> Vec<PathBuf> {
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
