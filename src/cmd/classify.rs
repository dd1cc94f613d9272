//! `listpulse classify`: the member table (or its history) on stdout.
//!
//! Settings are layered as STYLE.md asks: defaults, then the configuration's
//! top level, then its `[[coalition]]` entry, then flags.

use std::io::Write;

use anyhow::Context;
use serde_json::{Value, json};

use crate::classify::{ClassCounts, Thresholds};
use crate::cli::{ClassifyArgs, OutputFormat};
use crate::duration::parse_days;
use crate::members::{self, CSV_COLUMNS, HistoryPoint, MemberOptions, MemberTable, csv_quote};
use crate::store;

use super::{Outcome, database_path, load_settings, parse_day, today};

/// Prints the member table, or with `--history` the counts per class at T
/// and each anniversary before it.
pub fn run(args: &ClassifyArgs) -> anyhow::Result<Outcome> {
    let settings = load_settings(&args.db)?;
    let db = database_path(&args.db, settings.as_ref())?;
    let entry = settings.as_ref().and_then(|s| s.coalition(&args.coalition));
    // Defaults, the file's top level and the coalition's overrides are
    // already layered (and checked) by `Settings`; flags go on top.
    let base = entry
        .map(|c| c.thresholds)
        .or(settings.as_ref().map(|s| s.thresholds))
        .unwrap_or_default();
    let t = &args.thresholds;
    let days = |flag: &str, value: &Option<String>, default: u32| -> anyhow::Result<u32> {
        match value {
            Some(v) => parse_days(v).map_err(|e| anyhow::anyhow!("--{flag}: {e}")),
            None => Ok(default),
        }
    };
    let thresholds = Thresholds {
        period_days: days("period", &t.period, base.period_days)?,
        inactivity_days: days("inactivity", &t.inactivity, base.inactivity_days)?,
        min_posts: t.min_posts.unwrap_or(base.min_posts),
    };
    let as_of = match (&t.as_of, &settings) {
        (Some(text), _) => parse_day("--as-of", text)?,
        (None, Some(settings)) => settings.as_of,
        (None, None) => today(),
    };
    let options = MemberOptions {
        as_of,
        thresholds,
        aliases: args
            .aliases
            .clone()
            .or(entry.and_then(|c| c.aliases.clone())),
        checkin_subject: args
            .checkin_subject
            .clone()
            .or(entry.and_then(|c| c.checkin_subject.clone())),
    };
    if !db.exists() {
        anyhow::bail!(
            "{}: no such database; ingest an archive first",
            db.display()
        );
    }
    let conn = store::open(&db)?;
    let text = if args.history {
        let points = members::history(&conn, &args.coalition, &options)?;
        render_history(&args.coalition, &options, &points, args.format)?
    } else {
        let table = members::evaluate(&conn, &args.coalition, &options)?;
        match args.format {
            OutputFormat::Csv => members::to_csv(&table),
            OutputFormat::Json => serde_json::to_string_pretty(&table_json(&table)?)? + "\n",
            OutputFormat::Table => render_table(&table),
        }
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("writing to stdout")?;
    Ok(Outcome::Success)
}

fn counts_json(c: &ClassCounts) -> Value {
    json!({ "active": c.active, "observer": c.observer, "dormant": c.dormant })
}

/// The `--format json` object: thresholds, counts, and the rows keyed by the
/// members.csv column names.
pub fn table_json(table: &MemberTable) -> anyhow::Result<Value> {
    // A row serialises with exactly the members.csv column names, plus the
    // derived `last_sign_of_life`, which the csv does not carry either.
    let members = table
        .members
        .iter()
        .map(|row| {
            let mut value = serde_json::to_value(row)?;
            if let Value::Object(fields) = &mut value {
                fields.remove("last_sign_of_life");
                debug_assert!(fields.keys().all(|k| CSV_COLUMNS.contains(&k.as_str())));
            }
            Ok(value)
        })
        .collect::<Result<Vec<Value>, serde_json::Error>>()?;
    Ok(json!({
        "coalition": table.coalition,
        "as_of": table.as_of.to_string(),
        "period_days": table.thresholds.period_days,
        "inactivity_days": table.thresholds.inactivity_days,
        "min_posts": table.thresholds.min_posts,
        "counts": counts_json(&table.counts),
        "members": members,
        "duplicate_suggestions": table.duplicate_suggestions,
    }))
}

fn render_table(table: &MemberTable) -> String {
    let headers = [
        "person",
        "class",
        "posts (period/total)",
        "last post",
        "last check-in",
        "roster",
        "reason",
    ];
    let rows: Vec<[String; 7]> = table
        .members
        .iter()
        .map(|m| {
            let f = m.csv_fields();
            let checkin = match (&m.last_checkin, m.checkin_status) {
                (Some(d), Some(s)) => format!("{d} {}", s.as_str()),
                _ => String::new(),
            };
            [
                f[1].clone(),
                f[3].clone(),
                format!("{}/{}", m.posts_in_period, m.posts_total),
                f[8].clone(),
                checkin,
                if m.on_roster { "yes" } else { "" }.to_string(),
                f[4].clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
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
    for row in &rows {
        out.push_str(&line(row));
    }
    let c = &table.counts;
    out.push_str(&format!(
        "\n{} as of {} (period {}d, inactivity {}d, min posts {}): {} active, {} observer, {} dormant, {} members\n",
        table.coalition,
        table.as_of,
        table.thresholds.period_days,
        table.thresholds.inactivity_days,
        table.thresholds.min_posts,
        c.active,
        c.observer,
        c.dormant,
        c.total()
    ));
    for d in &table.duplicate_suggestions {
        out.push_str(&format!(
            "possible duplicate ({}): {}\n",
            d.why,
            d.persons.join(", ")
        ));
    }
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
            let mut out = "coalition,date,active,observer,dormant\n".to_string();
            for p in points {
                out.push_str(&format!(
                    "{},{},{},{},{}\n",
                    csv_quote(coalition),
                    p.date,
                    p.counts.active,
                    p.counts.observer,
                    p.counts.dormant
                ));
            }
            out
        }
        OutputFormat::Json => {
            let history: Vec<Value> = points
                .iter()
                .map(|p| json!({ "date": p.date.to_string(), "counts": counts_json(&p.counts) }))
                .collect();
            serde_json::to_string_pretty(&json!({
                "coalition": coalition,
                "as_of": options.as_of.to_string(),
                "period_days": options.thresholds.period_days,
                "inactivity_days": options.thresholds.inactivity_days,
                "min_posts": options.thresholds.min_posts,
                "history": history,
            }))? + "\n"
        }
        OutputFormat::Table => {
            let mut out = format!(
                "{:<10}  {:>7}  {:>8}  {:>7}  {:>7}\n",
                "date", "active", "observer", "dormant", "members"
            );
            for p in points {
                let c = p.counts;
                out.push_str(&format!(
                    "{:<10}  {:>7}  {:>8}  {:>7}  {:>7}\n",
                    p.date.to_string(),
                    c.active,
                    c.observer,
                    c.dormant,
                    c.total()
                ));
            }
            out
        }
    })
}
