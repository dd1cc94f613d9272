//! `listpulse checkin import|status|record|draft`: the yearly check-in
//! round. `import` stores a check-in file as the source of truth for its
//! rows; `status` shows the round at T; `record` adds answers to the file;
//! `draft` writes the call and reminders for the coordinator's mail client.

use crate::cli::CheckinImportArgs;
use crate::inputs;
use crate::lock::Lock;
use crate::store;

use super::{Outcome, database_path, load_settings};

/// Imports a check-in file, replacing what the same file said before. A bad
/// row is a fatal error (exit 2) naming the file and line; nothing is
/// written then.
pub fn run(args: &CheckinImportArgs) -> anyhow::Result<Outcome> {
    let config = load_settings(&args.db)?;
    let db = database_path(&args.db, config.as_ref())?;
    let rows = inputs::checkins::read(&args.file)?;
    let _lock = Lock::acquire(&db)?;
    let mut conn = store::open(&db)?;
    let coalition = store::coalition_id(&conn, &args.coalition)?;
    let done = store_file(&mut conn, coalition, &args.file, &rows)
        .map_err(|e| store::write_error(&db, e))?;
    if !args.quiet {
        eprintln!(
            "{}: {} responses for '{}' ({} new or changed, {} no longer in the file)",
            args.file.display(),
            done.rows,
            args.coalition,
            done.added,
            done.removed
        );
    }
    Ok(Outcome::Success)
}

/// Stores a check-in file's rows under its canonical path, replacing what
/// that file (by either name) said before.
pub fn store_file(
    conn: &mut rusqlite::Connection,
    coalition: i64,
    path: &std::path::Path,
    rows: &[inputs::checkins::CheckinRow],
) -> rusqlite::Result<store::checkins::Replaced> {
    let given = path.to_string_lossy().into_owned();
    let canonical = std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| given.clone());
    store::checkins::replace_file(conn, coalition, &canonical, &[&given], rows)
}

/// `listpulse checkin status`: the round at T on stdout.
pub fn status(args: &crate::cli::CheckinStatusArgs) -> anyhow::Result<Outcome> {
    use crate::cli::OutputFormat;
    use std::io::Write as _;
    let settings = load_settings(&args.db)?;
    let db = database_path(&args.db, settings.as_ref())?;
    let entry = settings.as_ref().and_then(|s| s.coalition(&args.coalition));
    let flags = crate::cli::ThresholdArgs {
        as_of: args.as_of,
        ..Default::default()
    };
    let mut options = super::classify::member_options(settings.as_ref(), entry, &flags)?;
    if let Some(path) = entry.and_then(|c| c.aliases.as_deref()) {
        options.aliases = inputs::aliases::read(path)?;
    }
    let conn = super::open_existing(&db)?;
    let table = crate::members::evaluate(&conn, &args.coalition, &options)?;
    for w in &table.warnings {
        crate::messages::warn_message(format_args!("{}: {w}", args.coalition));
    }
    let text = match args.format {
        OutputFormat::Csv => String::from_utf8(crate::report::csv::checkin_csv(&table)?)?,
        OutputFormat::Json => {
            serde_json::to_string_pretty(&serde_json::json!({
                "coalition": table.coalition,
                "as_of": table.as_of.to_string(),
                "round": table.round,
                "response_rate": table.round.as_ref().and_then(|r| r.counts.response_rate()),
                "warnings": table.warnings,
            }))? + "\n"
        }
        OutputFormat::Table => crate::term::visible_lines(&status_table(&table)),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(Outcome::Success)
}

fn status_table(table: &crate::members::MemberTable) -> String {
    use crate::members::round::Opened;
    let Some(round) = &table.round else {
        return format!(
            "{}: no check-in round has opened up to {} (set checkin_subject, or checkin_opened for a round answered by file)\n",
            table.coalition, table.as_of
        );
    };
    let how = match &round.opening.opened {
        Opened::Message { subject, .. } => format!("by the message \"{subject}\""),
        Opened::Configured => "by checkin_opened".to_string(),
    };
    let mut out = format!(
        "Check-in {} of {}: opened on {} {how}; as of {}\n\n",
        round.opening.year, table.coalition, round.opening.day, table.as_of
    );
    let mut rows: Vec<[String; 6]> = Vec::new();
    for r in &round.rows {
        rows.push([
            r.name.split_whitespace().collect::<Vec<_>>().join(" "),
            r.email.clone().unwrap_or_else(|| r.addresses[0].clone()),
            r.status.as_str().to_string(),
            crate::report::csv::day(r.answered_on),
            r.source
                .as_ref()
                .map(|s| match s {
                    crate::members::round::AnswerSource::Reply { .. } => "reply".to_string(),
                    other => other.place(),
                })
                .unwrap_or_default(),
            r.class.as_str().to_string(),
        ]);
    }
    let headers = ["name", "email", "round status", "answered", "how", "class"];
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(&format!("{c:<w$}  ", w = widths[i]));
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&headers.map(String::from)));
    for row in &rows {
        out.push_str(&line(row));
    }
    let c = round.counts;
    out.push_str(&format!(
        "\n{} members of the round: {} answered ({}): {} full, {} observer, {} leave; {} no answer\n",
        c.members,
        c.members - c.no_answer,
        c.response_rate()
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_else(|| "–".into()),
        c.full,
        c.observer,
        c.leave,
        c.no_answer
    ));
    if !round.unmatched.is_empty() {
        out.push_str(&format!(
            "{} answer(s) match no member of the round:\n",
            round.unmatched.len()
        ));
        for u in &round.unmatched {
            out.push_str(&format!(
                "  {} {} {} ({})\n",
                u.address,
                u.status.as_str(),
                u.date,
                u.source.place()
            ));
        }
    }
    out
}

/// `listpulse checkin record`: answers appended to the coalition's
/// check-in CSV, which stays the one source of truth (the next `run` or
/// `checkin import` reads it).
pub fn record(args: &crate::cli::CheckinRecordArgs) -> anyhow::Result<Outcome> {
    use crate::classify::CheckinStatus;
    use crate::cli::AnswerArg;
    let path = match (&args.file, &args.config) {
        (Some(file), _) => file.clone(),
        (None, Some(config)) => {
            let settings = crate::config::Settings::load(config, None, super::today())?;
            let slug = args.coalition.as_deref().unwrap_or_default();
            let c = settings
                .coalition(slug)
                .ok_or_else(|| anyhow::anyhow!("{}: no coalition '{slug}'", config.display()))?;
            c.checkins.clone().ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: coalition '{slug}' has no `checkins` file; add one (it is created if missing)",
                    config.display()
                )
            })?
        }
        (None, None) => anyhow::bail!("pass --config FILE --coalition SLUG, or --file CSV"),
    };
    let status = match args.status {
        AnswerArg::Full => CheckinStatus::Full,
        AnswerArg::Observer => CheckinStatus::Observer,
        AnswerArg::Leave => CheckinStatus::Leave,
    };
    let day = args.date.unwrap_or_else(super::today);
    let mut answers = Vec::new();
    for raw in &args.addresses {
        let address = inputs::checkins::answer_address(raw).map_err(|m| anyhow::anyhow!(m))?;
        answers.push(inputs::checkins::NewAnswer {
            address,
            day,
            status,
        });
    }
    let n = inputs::checkins::append(&path, &answers, std::time::Duration::from_secs(10))?;
    if !args.quiet {
        eprintln!(
            "{}: {n} answer(s) recorded ({}, {day})",
            path.display(),
            status.as_str()
        );
    }
    Ok(Outcome::Success)
}

/// `listpulse checkin draft`: the call for this year's round and one
/// reminder per member to remind, as `.eml` drafts in `--out`.
pub fn draft(args: &crate::cli::CheckinDraftArgs) -> anyhow::Result<Outcome> {
    use crate::draft::{Mailbox, Template, Values, eml, file_name};
    use anyhow::Context as _;
    use chrono::Datelike;
    let settings = crate::config::Settings::load(&args.config, args.as_of, super::today())?;
    let c = settings.coalition(&args.coalition).ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no coalition '{}'",
            args.config.display(),
            args.coalition
        )
    })?;
    let from = c.coordinators.first().cloned().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: coalition '{}' names no coordinators; the drafts are from the first",
            args.config.display(),
            c.slug
        )
    })?;
    let list_address = c.list_address.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: coalition '{}' has no list_address; the call is sent to it",
            args.config.display(),
            c.slug
        )
    })?;
    let template = c.checkin_subject.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: coalition '{}' has no checkin_subject; the call carries it",
            args.config.display(),
            c.slug
        )
    })?;
    let call = match &args.call_template {
        Some(p) => Template::load(p)?,
        None => Template::new("built-in call", crate::draft::CALL_TEMPLATE)?,
    };
    let reminder = match &args.reminder_template {
        Some(p) => Template::load(p)?,
        None => Template::new("built-in reminder", crate::draft::REMINDER_TEMPLATE)?,
    };
    let mut options = super::classify::member_options(
        Some(&settings),
        Some(c),
        &crate::cli::ThresholdArgs::default(),
    )?;
    if let Some(path) = &c.aliases {
        options.aliases = inputs::aliases::read(path)?;
    }
    let conn = super::open_existing(&settings.database)?;
    let table = crate::members::evaluate(&conn, &c.slug, &options)?;
    // The call is for this year's round; reminders are for the round open now.
    let this_year = crate::store::checkins::subject_for(&template, settings.as_of.year());
    let round_subject = table
        .round
        .as_ref()
        .and_then(|r| match &r.opening.opened {
            crate::members::round::Opened::Message { subject, .. } => Some(subject.clone()),
            crate::members::round::Opened::Configured => None,
        })
        .unwrap_or_else(|| this_year.clone());
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the folder", args.out.display()))?;
    let now = chrono::Utc::now().timestamp();
    let from = Mailbox {
        name: String::new(),
        address: from,
    };
    let base = Values {
        round_subject: this_year.clone(),
        list_address: list_address.clone(),
        coalition: c.name.clone(),
        ..Values::default()
    };
    let (subject, body) = call.render(&base)?;
    let write = |name: &str, bytes: Vec<u8>| -> anyhow::Result<()> {
        let path = args.out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("{}: cannot write", path.display()))
    };
    write(
        "call.eml",
        eml(
            &from,
            &Mailbox {
                name: c.name.clone(),
                address: list_address.clone(),
            },
            &subject.unwrap_or(this_year),
            &body,
            now,
        ),
    )?;
    let mut drafted = 0;
    let mut without = Vec::new();
    for (m, why) in crate::report::csv::to_remind(&table) {
        let Some(email) = &m.email else {
            without.push(m.person.clone());
            continue;
        };
        let values = Values {
            name: m.person.clone(),
            email: email.clone(),
            class: m.class.as_str().into(),
            reason: m.reason.clone(),
            last_sign_of_life: crate::report::csv::day(m.last_sign_of_life),
            dormant_on: crate::report::csv::day(m.dormant_on),
            round_subject: round_subject.clone(),
            why: why.into(),
            round_status: m
                .round_status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            ..base.clone()
        };
        let (subject, body) = reminder.render(&values)?;
        drafted += 1;
        write(
            &file_name(drafted, email),
            eml(
                &from,
                &Mailbox {
                    name: m.person.clone(),
                    address: email.clone(),
                },
                &subject.unwrap_or_else(|| round_subject.clone()),
                &body,
                now,
            ),
        )?;
    }
    eprintln!(
        "{}: call.eml and {drafted} reminder(s) written; open them in your mail client to send",
        args.out.display()
    );
    if !without.is_empty() {
        eprintln!(
            "not drafted: {} member(s) known only by a scrambled key, with no address to write to: {}",
            without.len(),
            crate::term::visible(&without.join(", "))
        );
    }
    Ok(Outcome::Success)
}
