//! Check-in responses in the store (DESIGN.md, "Check-in response").
//!
//! Two sources: rows of check-in files, stored per file (the file is the
//! source of truth for its rows: storing it again replaces what it said
//! before, so a corrected or deleted row takes effect); and replies in the
//! archive to the coalition's check-in messages ([`calls`], one a year when
//! the subject holds `{year}`), never copied but derived from `messages`
//! each time ([`replies`]), so a later ingest of more replies needs no extra
//! step. Reading the files is [`crate::inputs::checkins`]' job.

use chrono::Datelike;
use rusqlite::{Connection, params};

use crate::classify::CheckinStatus;
use crate::day::{self, Day};
use crate::inputs::checkins::CheckinRow;

/// What storing a check-in file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replaced {
    /// Rows the file holds now.
    pub rows: usize,
    /// Rows it held before that it no longer holds (corrected or deleted).
    pub removed: usize,
    /// Rows it holds now that it did not before.
    pub added: usize,
}

/// Where a response came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResponseSource {
    /// A row of a check-in file (`line` is unknown for rows stored before 0.2).
    File {
        /// The file, as stored.
        source: String,
        /// The 1-based line.
        line: Option<u64>,
    },
    /// A reply in the archive to the check-in message.
    Reply {
        /// The reply's Message-ID (or derived key).
        message: String,
    },
}

/// One check-in response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Normalised address.
    pub address: String,
    /// The UTC day of the response.
    pub day: Day,
    /// What they answered.
    pub status: CheckinStatus,
    /// Where it came from.
    pub source: ResponseSource,
}

/// Stores `rows` as everything the check-in file `source` says for
/// `coalition_id`, replacing what it said before (also under `old_sources`,
/// the names the same file was stored under earlier). One transaction.
pub fn replace_file(
    conn: &mut Connection,
    coalition_id: i64,
    source: &str,
    old_sources: &[&str],
    rows: &[CheckinRow],
) -> rusqlite::Result<Replaced> {
    let tx = conn.transaction()?;
    let mut before: Vec<(String, String, String)> = Vec::new();
    {
        let mut select = tx.prepare(
            "SELECT address, date, status FROM checkins WHERE coalition_id = ?1 AND source = ?2",
        )?;
        let mut delete =
            tx.prepare("DELETE FROM checkins WHERE coalition_id = ?1 AND source = ?2")?;
        for s in std::iter::once(source).chain(old_sources.iter().copied()) {
            let got = select.query_map(params![coalition_id, s], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            for row in got {
                before.push(row?);
            }
            delete.execute(params![coalition_id, s])?;
        }
    }
    {
        let mut insert = tx.prepare(
            "INSERT INTO checkins (coalition_id, source, line, address, date, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for r in rows {
            insert.execute(params![
                coalition_id,
                source,
                r.line as i64,
                r.address,
                day::format(r.day),
                r.status.as_str()
            ])?;
        }
    }
    tx.commit()?;
    let now: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.address.clone(),
                day::format(r.day),
                r.status.as_str().to_string(),
            )
        })
        .collect();
    let removed = before.iter().filter(|b| !now.contains(b)).count();
    let added = now.iter().filter(|n| !before.contains(n)).count();
    Ok(Replaced {
        rows: rows.len(),
        removed,
        added,
    })
}

/// One round's check-in message (DESIGN.md, "Check-in round").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The year `{year}` stood for, when the configured subject has it.
    pub year: Option<i32>,
    /// The subject searched for (`{year}` replaced).
    pub subject: String,
    /// The message's Message-ID (or derived key): what replies name.
    pub message: String,
    /// The UTC day it was sent: the round opens then (unless configured).
    pub day: Day,
}

/// The configured subject for `year`: `{year}` replaced, trimmed.
///
/// ```
/// use listpulse::store::checkins::subject_for;
/// assert_eq!(subject_for("Annual check-in {year}", 2025), "Annual check-in 2025");
/// assert_eq!(subject_for("Check-in", 2025), "Check-in");
/// ```
pub fn subject_for(template: &str, year: i32) -> String {
    template
        .replace("{year}", &year.to_string())
        .trim()
        .to_string()
}

/// The check-in messages of the coalition dated no later than `until`:
/// "the earliest message whose subject contains the configured check-in
/// subject (case-insensitive)"; with `{year}` in the subject, one for each
/// year from the coalition's first message to `until`'s year ("every year's
/// check-in message is the earliest message whose subject contains that
/// year's subject"). Oldest first; an empty subject names none.
///
/// Subjects are compared in Rust, not with SQLite's `LIKE`, whose case
/// folding is ASCII only.
pub fn calls(
    conn: &Connection,
    coalition_id: i64,
    template: &str,
    until: Day,
) -> rusqlite::Result<Vec<Call>> {
    let template = template.trim();
    if template.is_empty() {
        return Ok(vec![]);
    }
    let mut pending: Vec<(Option<i32>, String, String)> = if template.contains("{year}") {
        let first = super::activity::first_message_day(conn, coalition_id)?
            .map_or(until.year(), |d| d.year());
        (first..=until.year())
            .map(|y| {
                let s = subject_for(template, y);
                (Some(y), s.to_lowercase(), s)
            })
            .collect()
    } else {
        vec![(None, template.to_lowercase(), template.to_string())]
    };
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(message_id, message_key), subject, date FROM messages
         WHERE coalition_id = ?1 AND subject IS NOT NULL AND date IS NOT NULL AND date < ?2
         ORDER BY date, id",
    )?;
    let mut rows = stmt.query(params![coalition_id, day::end_secs(until)])?;
    while let Some(row) = rows.next()? {
        if pending.is_empty() {
            break;
        }
        let subject = row.get_ref(1)?.as_str().unwrap_or("").to_lowercase();
        if let Some(i) = pending
            .iter()
            .position(|(_, needle, _)| subject.contains(needle.as_str()))
        {
            let (year, _, wanted) = pending.remove(i);
            let secs: i64 = row.get(2)?;
            if let Some(day) = day::of_secs(secs) {
                out.push(Call {
                    year,
                    subject: wanted,
                    message: row.get(0)?,
                    day,
                });
            }
        }
    }
    Ok(out)
}

/// A reply in the archive to one of the check-in messages ("a reply is a
/// message naming it in `In-Reply-To` or `References`"), dated and not set
/// aside: a response, not a counted post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The message's row id (what counted-post queries leave out).
    pub id: i64,
    /// Its Message-ID (or derived key).
    pub message: String,
    /// The sender's address.
    pub address: String,
    /// The UTC day of the reply.
    pub day: Day,
    /// Its own text says "observer" (computed at ingest).
    pub says_observer: bool,
}

/// The replies to any of `calls`. One pass over the messages that name a
/// parent at all; the check against the calls is a hash lookup.
pub fn replies(
    conn: &Connection,
    coalition_id: i64,
    calls: &[Call],
) -> rusqlite::Result<Vec<Reply>> {
    if calls.is_empty() {
        return Ok(vec![]);
    }
    let ids: std::collections::HashSet<&str> = calls.iter().map(|c| c.message.as_str()).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT id, coalesce(message_id, message_key), from_addr, date, says_observer,
                in_reply_to, refs, set_aside
         FROM messages
         WHERE coalition_id = ?1 AND (in_reply_to IS NOT NULL OR refs IS NOT NULL)",
    )?;
    let mut rows = stmt.query([coalition_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let names_a_call = r
            .get_ref(5)?
            .as_str_or_null()
            .ok()
            .flatten()
            .is_some_and(|p| ids.contains(p.trim()))
            || r.get_ref(6)?
                .as_str_or_null()
                .ok()
                .flatten()
                .is_some_and(|refs| refs.split_whitespace().any(|id| ids.contains(id)));
        if !names_a_call {
            continue;
        }
        let (Some(address), Some(secs), None) = (
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<String>>(7)?,
        ) else {
            continue; // no sender, undated, or set aside: no response
        };
        if let Some(day) = day::of_secs(secs) {
            out.push(Reply {
                id: r.get(0)?,
                message: r.get(1)?,
                address,
                day,
                says_observer: r.get(4)?,
            });
        }
    }
    Ok(out)
}

/// Every response dated no later than `as_of`: the rows of check-in files,
/// and `replies` (see [`replies`]). A reply whose own text says "observer"
/// is an observer response, any other reply a full-member response.
pub fn responses_up_to(
    conn: &Connection,
    coalition_id: i64,
    as_of: Day,
    replies: &[Reply],
) -> rusqlite::Result<Vec<Response>> {
    let t = day::format(as_of);
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT address, date, status, source, line FROM checkins
         WHERE coalition_id = ?1 AND date <= ?2",
    )?;
    let mut rows = stmt.query(params![coalition_id, t])?;
    while let Some(r) = rows.next()? {
        let date: String = r.get(1)?;
        let status: String = r.get(2)?;
        // Rows are checked on the way in; one written by hand into the
        // database that does not read back is left out, not fatal.
        if let (Ok(day), Some(status)) = (day::parse(&date), CheckinStatus::parse(&status)) {
            out.push(Response {
                address: r.get(0)?,
                day,
                status,
                source: ResponseSource::File {
                    source: r.get(3)?,
                    line: r.get::<_, Option<i64>>(4)?.map(|l| l as u64),
                },
            });
        }
    }
    for r in replies.iter().filter(|r| r.day <= as_of) {
        out.push(Response {
            address: r.address.clone(),
            day: r.day,
            status: if r.says_observer {
                CheckinStatus::Observer
            } else {
                CheckinStatus::Full
            },
            source: ResponseSource::Reply {
                message: r.message.clone(),
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, address: &str, day: &str, status: CheckinStatus) -> CheckinRow {
        CheckinRow {
            line,
            address: address.into(),
            day: day::parse(day).unwrap(),
            status,
        }
    }

    #[test]
    fn a_file_stored_again_replaces_what_it_said_before() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        let first = [
            row(2, "a@x.org", "2025-01-01", CheckinStatus::Full),
            row(3, "b@x.org", "2025-01-02", CheckinStatus::Leave),
        ];
        let got = replace_file(&mut conn, c, "/f.csv", &[], &first).unwrap();
        assert_eq!((got.rows, got.added, got.removed), (2, 2, 0));
        // The same file again: nothing changes.
        let got = replace_file(&mut conn, c, "/f.csv", &[], &first).unwrap();
        assert_eq!((got.added, got.removed), (0, 0));
        // a@ corrected to observer, b@'s row deleted.
        let second = [row(2, "a@x.org", "2025-01-01", CheckinStatus::Observer)];
        let got = replace_file(&mut conn, c, "/f.csv", &[], &second).unwrap();
        assert_eq!((got.rows, got.added, got.removed), (1, 1, 2));
        let t = day::parse("2025-06-01").unwrap();
        let responses = responses_up_to(&conn, c, t, &[]).unwrap();
        assert_eq!(responses.len(), 1);
        assert_eq!(
            (responses[0].address.as_str(), responses[0].status),
            ("a@x.org", CheckinStatus::Observer)
        );
        assert_eq!(
            responses[0].source,
            ResponseSource::File {
                source: "/f.csv".into(),
                line: Some(2)
            }
        );
        // Another file's rows are left alone.
        replace_file(&mut conn, c, "/g.csv", &[], &first).unwrap();
        replace_file(&mut conn, c, "/f.csv", &[], &[]).unwrap();
        assert_eq!(responses_up_to(&conn, c, t, &[]).unwrap().len(), 2);
    }

    #[test]
    fn nothing_after_as_of_is_a_response() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        replace_file(
            &mut conn,
            c,
            "/f.csv",
            &[],
            &[row(2, "a@x.org", "2025-01-02", CheckinStatus::Full)],
        )
        .unwrap();
        let on = |d: &str| {
            responses_up_to(&conn, c, day::parse(d).unwrap(), &[])
                .unwrap()
                .len()
        };
        assert_eq!((on("2025-01-01"), on("2025-01-02")), (0, 1));
    }
}
