//! `listpulse fetch`: remote archives and rosters into the cache, nothing
//! ingested (issue #11). `run` calls [`fetch_all`] before it ingests.

use anyhow::{Context, bail};

use crate::cli::FetchArgs;
use crate::config::{CoalitionSettings, Settings};
use crate::fetch::{self, FetchOptions, FetchReport};
use crate::lock::Lock;
use crate::messages::{err_message, errored};

use super::{Outcome, today};

/// Runs `listpulse fetch`.
pub fn run(args: &FetchArgs) -> anyhow::Result<Outcome> {
    let settings = Settings::load(&args.config, None, today())?;
    let coalitions: Vec<&CoalitionSettings> = match &args.coalition {
        Some(slug) => match settings.coalition(slug) {
            Some(c) => vec![c],
            None => bail!(
                "{}: no coalition '{slug}' in the configuration",
                args.config.display()
            ),
        },
        None => settings.coalitions.iter().collect(),
    };
    // The lock keeps a cron `run` and a hand-started `fetch` from writing the
    // same cache folder at once; it sits beside the database, whose folder
    // a first `fetch` may have to make.
    if let Some(dir) = settings
        .database
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create the database folder", dir.display()))?;
    }
    let _lock = Lock::acquire(&settings.database)?;
    let options = FetchOptions {
        today: today(),
        refetch: args.refetch,
        progress: !args.quiet,
    };
    for report in fetch_all(&settings, &coalitions, &options) {
        if !args.quiet {
            eprintln!("{}", summary(&report));
        }
    }
    Ok(if errored() {
        Outcome::SomeRejected
    } else {
        Outcome::Success
    })
}

/// Fetches each coalition that has remote inputs, printing each failure on
/// its own line (exit status 1 follows); returns the reports.
pub fn fetch_all(
    settings: &Settings,
    coalitions: &[&CoalitionSettings],
    options: &FetchOptions,
) -> Vec<(String, FetchReport)> {
    let mut out = Vec::new();
    for c in coalitions {
        if c.remote.archives.is_empty() && c.remote.roster.is_none() {
            continue;
        }
        let report = fetch::fetch_coalition(c, &settings.archive_cache, options);
        for e in &report.errors {
            err_message(format!("coalition '{}': {e}", c.slug));
        }
        out.push((c.slug.clone(), report));
    }
    out
}

fn summary((slug, r): &(String, FetchReport)) -> String {
    let mut line = format!(
        "{slug}: {} periods listed, {} cached and left alone; {} downloaded, {} not modified; {} requests, {:.1} MB",
        r.periods,
        r.cached,
        r.stats.downloaded,
        r.stats.not_modified,
        r.stats.requests,
        r.stats.bytes as f64 / 1e6
    );
    if let Some((path, day)) = &r.roster {
        line.push_str(&format!("; roster of {day} in {}", path.display()));
    }
    line
}
