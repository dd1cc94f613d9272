//! Check-in responses in the store (DESIGN.md, "Check-in response").
//!
//! Two sources: rows of check-in files, stored per file (the file is the
//! source of truth for its rows: storing it again replaces what it said
//! before, so a corrected or deleted row takes effect); and replies in the
//! archive to the coalition's check-in message, never copied but derived
//! from `messages` each time, so a later ingest of more replies needs no
//! extra step. Reading the files is [`crate::inputs::checkins`]' job.

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

/// The check-in message: "the earliest message whose subject contains the
/// configured check-in subject (case-insensitive)". Returns its Message-ID
/// (the key replies name), or `None` when no message matches.
///
/// Subjects are compared in Rust, not with SQLite's `LIKE`, whose case
/// folding is ASCII only.
pub fn checkin_message(
    conn: &Connection,
    coalition_id: i64,
    subject: &str,
) -> rusqlite::Result<Option<String>> {
    let needle = subject.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT coalesce(message_id, message_key), subject FROM messages
         WHERE coalition_id = ?1 AND subject IS NOT NULL
         ORDER BY date IS NULL, date, id",
    )?;
    let mut rows = stmt.query([coalition_id])?;
    while let Some(row) = rows.next()? {
        let s: String = row.get(1)?;
        if s.to_lowercase().contains(&needle) {
            return row.get(0).map(Some);
        }
    }
    Ok(None)
}

/// SQL condition: message `m` is a reply to the check-in message bound as
/// `:checkin` ("a reply is a message naming it in `In-Reply-To` or
/// `References`"); false for every message when `:checkin` is NULL. A macro,
/// so each statement that needs it stays one string literal and every one of
/// them agrees on what a reply is.
macro_rules! is_checkin_reply {
    () => {
        "(:checkin IS NOT NULL AND (coalesce(m.in_reply_to, '') = :checkin
          OR instr(' ' || coalesce(m.refs, '') || ' ', ' ' || :checkin || ' ') > 0))"
    };
}
pub(crate) use is_checkin_reply;

/// Every response dated no later than `as_of`: file rows, and archive
/// replies to `checkin` (a Message-ID) that are dated and not set aside. A
/// reply whose own text says "observer" (`says_observer`, computed at
/// ingest) is an observer response, any other reply a full-member response.
pub fn responses_up_to(
    conn: &Connection,
    coalition_id: i64,
    as_of: Day,
    checkin: Option<&str>,
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
    if let Some(mid) = checkin {
        let mut stmt = conn.prepare_cached(concat!(
            "SELECT m.from_addr, m.date, m.says_observer, coalesce(m.message_id, m.message_key)
             FROM messages m
             WHERE m.coalition_id = :coalition AND m.date < :until AND m.set_aside IS NULL
               AND m.from_addr IS NOT NULL AND ",
            is_checkin_reply!()
        ))?;
        let mut rows = stmt.query(rusqlite::named_params! {
            ":coalition": coalition_id,
            ":checkin": mid,
            ":until": day::end_secs(as_of),
        })?;
        while let Some(r) = rows.next()? {
            let secs: i64 = r.get(1)?;
            let observer: bool = r.get(2)?;
            if let Some(day) = day::of_secs(secs) {
                out.push(Response {
                    address: r.get(0)?,
                    day,
                    status: if observer {
                        CheckinStatus::Observer
                    } else {
                        CheckinStatus::Full
                    },
                    source: ResponseSource::Reply { message: r.get(3)? },
                });
            }
        }
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
        let responses = responses_up_to(&conn, c, t, None).unwrap();
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
        assert_eq!(responses_up_to(&conn, c, t, None).unwrap().len(), 2);
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
            responses_up_to(&conn, c, day::parse(d).unwrap(), None)
                .unwrap()
                .len()
        };
        assert_eq!((on("2025-01-01"), on("2025-01-02")), (0, 1));
    }
}
