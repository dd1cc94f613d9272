//! `listpulse classify`: the member table, the former participants, or the
//! history, on stdout.
//!
//! Settings are layered as STYLE.md asks: defaults, then the configuration's
//! top level, then its `[[coalition]]` entry, then flags.

use std::io::Write;

use anyhow::Context;
use serde_json::{Value, json};

use crate::classify::{ClassCounts, Thresholds};
use crate::cli::{ClassifyArgs, OutputFormat, ThresholdArgs};
use crate::config::{CoalitionSettings, Settings};
use crate::identity::Aliases;
use crate::inputs;
use crate::members::{self, HistoryPoint, MemberOptions, MemberTable};
use crate::report::csv::{day, former_csv, members_csv};
use crate::term::{visible, visible_lines};

use super::{Outcome, database_path, load_settings, open_existing, today};

/// How many duplicate suggestions the terminal table shows; the report holds all.
const SHOWN_SUGGESTIONS: usize = 20;

/// Prints the member table, or with `--history` the counts per class at T
/// and each anniversary before it, or with `--former` the former participants.
pub fn run(args: &ClassifyArgs) -> anyhow::Result<Outcome> {
    let settings = load_settings(&args.db)?;
    let db = database_path(&args.db, settings.as_ref())?;
    let entry = settings.as_ref().and_then(|s| s.coalition(&args.coalition));
    let mut options = member_options(settings.as_ref(), entry, &args.thresholds)?;
    if let Some(path) = args
        .aliases
        .as_deref()
        .or(entry.and_then(|c| c.aliases.as_deref()))
    {
        options.aliases = inputs::aliases::read(path)?;
    }
    if let Some(subject) = &args.checkin_subject {
        options.checkin_subject = Some(subject.clone());
    }
    let conn = open_existing(&db)?;
    let text = if args.history {
        let points = members::history(&conn, &args.coalition, &options)?;
        render_history(&args.coalition, &options, &points, args.format)?
    } else {
        let table = members::evaluate(&conn, &args.coalition, &options)?;
        let text = match (args.former, args.format) {
            (false, OutputFormat::Csv) => String::from_utf8(members_csv(&table)?)?,
            (true, OutputFormat::Csv) => String::from_utf8(former_csv(&table)?)?,
            (false, OutputFormat::Json) => {
                serde_json::to_string_pretty(&table_json(&table))? + "\n"
            }
            (true, OutputFormat::Json) => {
                serde_json::to_string_pretty(&json!({
                    "coalition": table.coalition,
                    "as_of": table.as_of.to_string(),
                    "thresholds": table.thresholds,
                    "has_roster": table.has_roster,
                    "former": table.former,
                }))? + "\n"
            }
            (false, OutputFormat::Table) => visible_lines(&render_table(&table)),
            (true, OutputFormat::Table) => visible_lines(&render_former(&table)),
        };
        // The process ends here: freeing 100,000 members' strings one by
        // one would cost a tenth of the command's time for nothing.
        std::mem::forget(table);
        text
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    Ok(Outcome::Success)
}

/// The evaluation options for one coalition: thresholds layered from the
/// configuration (`settings`, the coalition's `entry`) and the flags, T, the
/// check-in subject and the coordinators (known real addresses). Aliases
/// are left empty: reading that file is the caller's choice of failure.
pub fn member_options(
    settings: Option<&Settings>,
    entry: Option<&CoalitionSettings>,
    flags: &ThresholdArgs,
) -> anyhow::Result<MemberOptions> {
    let base = entry
        .map(|c| c.thresholds)
        .or(settings.map(|s| s.thresholds))
        .unwrap_or_default();
    let thresholds = Thresholds {
        period_days: flags.period.unwrap_or(base.period_days),
        inactivity_days: flags.inactivity.unwrap_or(base.inactivity_days),
        min_posts: flags.min_posts.unwrap_or(base.min_posts),
        former_after_days: flags.former_after.unwrap_or(base.former_after_days),
        warn_within_days: flags.warn_within.unwrap_or(base.warn_within_days),
    };
    thresholds
        .check()
        .map_err(|m| anyhow::anyhow!("--former-after/--inactivity: {m}"))?;
    Ok(MemberOptions {
        as_of: flags
            .as_of
            .or(settings.map(|s| s.as_of))
            .unwrap_or_else(today),
        thresholds,
        aliases: Aliases::default(),
        checkin_subject: entry.and_then(|c| c.checkin_subject.clone()),
        known_addresses: entry.map(|c| c.coordinators.clone()).unwrap_or_default(),
        checkin_opened: entry.map(|c| c.checkin_opened.clone()).unwrap_or_default(),
    })
}

fn counts_json(c: &ClassCounts) -> Value {
    json!({ "active": c.active, "observer": c.observer, "dormant": c.dormant })
}

/// The `--format json` object: thresholds, counts, the member rows (the
/// members.csv fields, plus `email` and `last_sign_of_life`), the number of
/// former participants, and what to review.
pub fn table_json(table: &MemberTable) -> Value {
    json!({
        "coalition": table.coalition,
        "as_of": table.as_of.to_string(),
        "thresholds": table.thresholds,
        "has_roster": table.has_roster,
        "counts": counts_json(&table.counts),
        "former": table.former.len(),
        "members": table.members,
        "duplicate_suggestions": table.duplicate_suggestions,
        "ambiguous_keys": table.ambiguous_keys,
    })
}

/// Left-aligned columns, the last one unpadded.
fn columns<const N: usize>(headers: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = headers.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&headers.map(String::from));
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

/// One line of a cell: a name over two lines is shown on one.
fn one_line(text: &str) -> String {
    visible(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

fn render_table(table: &MemberTable) -> String {
    let rows: Vec<[String; 8]> = table
        .members
        .iter()
        .map(|m| {
            let checkin = match (&m.last_checkin, m.checkin_status) {
                (Some(d), Some(s)) => format!("{d} {}", s.as_str()),
                _ => String::new(),
            };
            [
                one_line(&m.person),
                one_line(m.email.as_deref().unwrap_or(&m.addresses[0])),
                m.class.as_str().to_string(),
                format!("{}/{}", m.posts_in_period, m.posts_total),
                day(m.last_post),
                checkin,
                if m.on_roster { "yes" } else { "" }.to_string(),
                one_line(&m.reason),
            ]
        })
        .collect();
    let mut out = columns(
        [
            "person",
            "email",
            "class",
            "posts (period/total)",
            "last post",
            "last check-in",
            "roster",
            "reason",
        ],
        &rows,
    );
    let c = &table.counts;
    let t = &table.thresholds;
    out.push_str(&format!(
        "\n{} as of {} (period {}d, inactivity {}d, min posts {}{}): {} active, {} observer, {} dormant, {} members; {} former participants (`--former` lists them)\n",
        table.coalition,
        table.as_of,
        t.period_days,
        t.inactivity_days,
        t.min_posts,
        if table.has_roster {
            ", with a roster".to_string()
        } else {
            format!(", no roster: former after {}d", t.former_after_days)
        },
        c.active,
        c.observer,
        c.dormant,
        c.total(),
        table.former.len(),
    ));
    let s = &table.duplicate_suggestions;
    if !s.is_empty() {
        use crate::identity::Evidence;
        let count = |e: Evidence| s.iter().filter(|d| d.evidence == e).count();
        out.push_str(&format!(
            "{} possible duplicates ({} same name and local part, {} same name, {} same local part):\n",
            s.len(),
            count(Evidence::NameAndLocalPart),
            count(Evidence::Name),
            count(Evidence::LocalPart)
        ));
        for d in s.iter().take(SHOWN_SUGGESTIONS) {
            let persons: Vec<String> = d
                .persons
                .iter()
                .map(|p| format!("{} <{}>", one_line(&p.name), p.addresses.join("; ")))
                .collect();
            out.push_str(&format!("  {}: {}\n", d.why, persons.join(", ")));
        }
        if s.len() > SHOWN_SUGGESTIONS {
            out.push_str(&format!(
                "  … and {} more in the report (index.html, summary.json)\n",
                s.len() - SHOWN_SUGGESTIONS
            ));
        }
    }
    for a in &table.ambiguous_keys {
        out.push_str(&format!(
            "scrambled key '{}' matches several persons ({}): linked to none; add it to the aliases file\n",
            a.key,
            a.candidates.join(", ")
        ));
    }
    out
}

fn render_former(table: &MemberTable) -> String {
    let rows: Vec<[String; 5]> = table
        .former
        .iter()
        .map(|f| {
            [
                one_line(&f.person),
                one_line(f.email.as_deref().unwrap_or(&f.addresses[0])),
                day(f.last_sign_of_life),
                f.posts_total.to_string(),
                f.checkin_status
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let mut out = columns(
        ["person", "email", "last sign of life", "posts", "check-in"],
        &rows,
    );
    out.push_str(&format!(
        "\n{} former participants of {} as of {}: not members, counted nowhere\n",
        table.former.len(),
        table.coalition,
        table.as_of
    ));
    out
}

fn render_history(
    coalition: &str,
    options: &MemberOptions,
    points: &[HistoryPoint],
    format: OutputFormat,
) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Csv => {
            #[derive(serde::Serialize)]
            struct Row<'a> {
                coalition: crate::report::csv::Text<'a>,
                date: String,
                active: u64,
                observer: u64,
                dormant: u64,
                former: u64,
            }
            let rows: Vec<Row<'_>> = points
                .iter()
                .map(|p| Row {
                    coalition: crate::report::csv::Text(coalition),
                    date: p.date.to_string(),
                    active: p.counts.active,
                    observer: p.counts.observer,
                    dormant: p.counts.dormant,
                    former: p.former,
                })
                .collect();
            String::from_utf8(crate::report::csv::write_rows(
                &[
                    "coalition",
                    "date",
                    "active",
                    "observer",
                    "dormant",
                    "former",
                ],
                &rows,
            )?)?
        }
        OutputFormat::Json => {
            let history: Vec<Value> = points
                .iter()
                .map(|p| {
                    json!({
                        "date": p.date.to_string(),
                        "counts": counts_json(&p.counts),
                        "former": p.former,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&json!({
                "coalition": coalition,
                "as_of": options.as_of.to_string(),
                "thresholds": options.thresholds,
                "history": history,
            }))? + "\n"
        }
        OutputFormat::Table => {
            let mut out = format!(
                "{:<10}  {:>7}  {:>8}  {:>7}  {:>7}  {:>6}\n",
                "date", "active", "observer", "dormant", "members", "former"
            );
            for p in points {
                let c = p.counts;
                out.push_str(&format!(
                    "{:<10}  {:>7}  {:>8}  {:>7}  {:>7}  {:>6}\n",
                    p.date.to_string(),
                    c.active,
                    c.observer,
                    c.dormant,
                    c.total(),
                    p.former
                ));
            }
            out
        }
    })
}
