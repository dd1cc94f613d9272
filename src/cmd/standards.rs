//! `listpulse standards --config FILE`: the minimum-standards grid (issue
//! #10) for every configured coalition and for all of them together, from
//! the database `run` fills. For each rule (a window *D′* × a minimum *N′*
//! of the `[standards]` grid): the members with fewer than *N′* counted
//! posts in (*T* − *D′*, *T*], and how many of them declared observer
//! status. Aggregates only; the counts are exact (the comparison's
//! `standards.csv` protects small ones for publishing).

use std::io::Write;

use serde_json::json;

use crate::cli::{OutputFormat, StandardsArgs, ThresholdArgs};
use crate::config::Settings;
use crate::members;
use crate::messages::err_message;
use crate::report::comparison::standards_csv;
use crate::standards::{self, RuleCount};

use super::Outcome;

/// Prints the grid.
pub fn run(args: &StandardsArgs) -> anyhow::Result<Outcome> {
    let settings = Settings::load(&args.config, args.as_of, super::today())?;
    let conn = super::open_existing(&settings.database)?;
    let grid = &settings.standards;
    let mut groups: Vec<(String, String, Vec<RuleCount>)> = Vec::new();
    let mut all = Vec::new();
    let mut failed = false;
    for c in &settings.coalitions {
        let mut options =
            super::classify::member_options(Some(&settings), Some(c), &ThresholdArgs::default())?;
        if let Some(path) = &c.aliases {
            match crate::inputs::aliases::read(path) {
                Ok(a) => options.aliases = a,
                Err(e) => {
                    err_message(format_args!("{e}; '{}' left out", c.slug));
                    failed = true;
                    continue;
                }
            }
        }
        if crate::store::coalition_id(&conn, &c.slug).is_err() {
            err_message(format_args!(
                "coalition '{}' is not in {} yet; run `listpulse run --config {}` first",
                c.slug,
                settings.database.display(),
                args.config.display()
            ));
            failed = true;
            continue;
        }
        let evidence = members::standards_evidence(&conn, &c.slug, &options, &grid.windows_days)?;
        let counts = standards::count(grid, &evidence);
        standards::add(&mut all, &counts);
        groups.push((c.slug.clone(), c.name.clone(), counts));
    }
    groups.push(("all".into(), "All coalitions".into(), all));

    let mut out = std::io::stdout().lock();
    match args.format {
        OutputFormat::Csv => {
            let refs: Vec<(&str, &str, &[RuleCount])> = groups
                .iter()
                .map(|(s, n, c)| (s.as_str(), n.as_str(), c.as_slice()))
                .collect();
            out.write_all(&standards_csv(&refs, None)?)?;
        }
        OutputFormat::Json => {
            let coalitions: Vec<_> = groups
                .iter()
                .map(|(slug, name, counts)| {
                    json!({
                        "coalition": slug,
                        "name": name,
                        "members": counts.first().map_or(0, |c| c.members),
                        "rules": counts,
                    })
                })
                .collect();
            let value = json!({
                "as_of": settings.as_of.to_string(),
                "windows_days": grid.windows_days,
                "min_posts": grid.min_posts,
                "coalitions": coalitions,
            });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "Members below each candidate standard as of {} (in brackets: of whom declared observers)",
                settings.as_of
            )?;
            let rules = grid.rules();
            let name_w = groups
                .iter()
                .map(|(s, _, _)| s.chars().count())
                .max()
                .unwrap_or(9)
                .max("coalition".len());
            let mut header = format!("{:<name_w$}  {:>7}", "coalition", "members");
            for r in &rules {
                header.push_str(&format!("  {:>14}", r.label()));
            }
            writeln!(out, "{header}")?;
            for (slug, _, counts) in &groups {
                let mut line = format!(
                    "{:<name_w$}  {:>7}",
                    crate::term::visible(slug),
                    counts.first().map_or(0, |c| c.members)
                );
                for c in counts {
                    line.push_str(&format!(
                        "  {:>14}",
                        format!("{} ({})", c.below, c.below_declared_observer)
                    ));
                }
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(if failed {
        Outcome::SomeRejected
    } else {
        Outcome::Success
    })
}
