//! Check-in responses in the store (DESIGN.md, "Check-in response").
//!
//! Two sources: rows of a CSV with the header `address,date,status`, stored
//! in `checkins`; and replies in the archive to the coalition's check-in
//! message, never copied but derived from `messages` each time, so a later
//! ingest of more replies needs no extra step.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, params};

use super::rosters::{ImportError, split_csv_line};
use crate::classify::CheckinStatus;
use crate::identity::{looks_like_address, normalize_address};

/// What a check-in import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinImport {
    /// Rows read.
    pub rows: usize,
    /// Rows not held before.
    pub new: usize,
}

/// One check-in response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Normalised address.
    pub address: String,
    /// The UTC day of the response.
    pub day: NaiveDate,
    /// What they answered.
    pub status: CheckinStatus,
}

/// Parses a status as written in files.
pub fn parse_status(text: &str) -> Option<CheckinStatus> {
    match text.trim().to_lowercase().as_str() {
        "full" => Some(CheckinStatus::Full),
        "observer" => Some(CheckinStatus::Observer),
        "leave" => Some(CheckinStatus::Leave),
        _ => None,
    }
}

/// Parses the text of a check-in CSV. Errors carry the 1-based line.
pub fn parse_checkins(text: &str) -> Result<Vec<Response>, (usize, String)> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty());
    let header_help = "expected the header address,date,status";
    let Some((line, header)) = lines.next() else {
        return Err((1, format!("empty file; {header_help}")));
    };
    let header: Vec<String> = split_csv_line(header)
        .into_iter()
        .map(|h| h.to_lowercase())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(a), Some(d), Some(s)) = (col("address"), col("date"), col("status")) else {
        return Err((line, header_help.to_string()));
    };
    let mut out = Vec::new();
    for (line, text) in lines {
        let fields = split_csv_line(text);
        let get = |c: usize| fields.get(c).map(String::as_str).unwrap_or("");
        let address = normalize_address(get(a));
        if !looks_like_address(&address) {
            return Err((line, format!("'{}' is not an address", get(a))));
        }
        let day = NaiveDate::parse_from_str(get(d), "%Y-%m-%d").map_err(|_| {
            (
                line,
                format!("date '{}' is not a date; write YYYY-MM-DD", get(d)),
            )
        })?;
        let status = parse_status(get(s)).ok_or_else(|| {
            (
                line,
                format!("unknown status '{}'; write full, observer or leave", get(s)),
            )
        })?;
        out.push(Response {
            address,
            day,
            status,
        });
    }
    Ok(out)
}

/// Imports check-in responses (CSV `address,date,status`) for `coalition_id`.
/// Idempotent: a row already held is not added again. One transaction:
/// nothing is written when any row is bad.
pub fn import_file(
    conn: &mut Connection,
    coalition_id: i64,
    path: &Path,
) -> Result<CheckinImport, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let responses =
        parse_checkins(&String::from_utf8_lossy(&bytes)).map_err(|(line, message)| {
            ImportError::Row {
                path: path.to_path_buf(),
                line,
                message,
            }
        })?;
    let tx = conn.transaction()?;
    let mut new = 0;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO checkins (coalition_id, address, date, status, source)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(coalition_id, address, date, status) DO NOTHING",
        )?;
        let source = path.to_string_lossy();
        for r in &responses {
            new += stmt.execute(params![
                coalition_id,
                r.address,
                r.day.format("%Y-%m-%d").to_string(),
                r.status.as_str(),
                source
            ])?;
        }
    }
    tx.commit()?;
    Ok(CheckinImport {
        rows: responses.len(),
        new,
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
    let mut stmt = conn.prepare(
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

/// SQL condition: message `m` is a reply to the check-in message `?2` ("a
/// reply is a message naming it in `In-Reply-To` or `References`"). False
/// for every message when `?2` is NULL.
pub const IS_CHECKIN_REPLY: &str = "(?2 IS NOT NULL AND (coalesce(m.in_reply_to, '') = ?2
    OR instr(' ' || coalesce(m.refs, '') || ' ', ' ' || ?2 || ' ') > 0))";

/// Every response dated no later than `as_of`: CSV rows, and archive replies
/// to `checkin` (a Message-ID) that are dated and not set aside. A reply
/// whose own text says "observer" (`says_observer`, computed at ingest) is an
/// observer response, any other reply a full-member response.
pub fn responses_up_to(
    conn: &Connection,
    coalition_id: i64,
    as_of: NaiveDate,
    checkin: Option<&str>,
) -> rusqlite::Result<Vec<Response>> {
    let t = as_of.format("%Y-%m-%d").to_string();
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT address, date, status FROM checkins WHERE coalition_id = ?1 AND date <= ?2",
    )?;
    let mut rows = stmt.query(params![coalition_id, t])?;
    while let Some(r) = rows.next()? {
        let day: String = r.get(1)?;
        let status: String = r.get(2)?;
        if let (Ok(day), Some(status)) = (
            NaiveDate::parse_from_str(&day, "%Y-%m-%d"),
            parse_status(&status),
        ) {
            out.push(Response {
                address: r.get(0)?,
                day,
                status,
            });
        }
    }
    if let Some(mid) = checkin {
        let end = end_of_day_secs(as_of);
        let sql = format!(
            "SELECT m.from_addr, m.date, m.says_observer FROM messages m
             WHERE m.coalition_id = ?1 AND m.date < ?3 AND m.set_aside IS NULL
               AND m.from_addr IS NOT NULL AND {IS_CHECKIN_REPLY}"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(params![coalition_id, mid, end])?;
        while let Some(r) = rows.next()? {
            let secs: i64 = r.get(1)?;
            let observer: bool = r.get(2)?;
            if let Some(day) = day_of(secs) {
                out.push(Response {
                    address: r.get(0)?,
                    day,
                    status: if observer {
                        CheckinStatus::Observer
                    } else {
                        CheckinStatus::Full
                    },
                });
            }
        }
    }
    Ok(out)
}

/// Unix seconds at the start of the UTC day after `day`: everything dated
/// before it is dated no later than `day`.
pub fn end_of_day_secs(day: NaiveDate) -> i64 {
    start_of_day_secs(day) + 86_400
}

/// Unix seconds at the start of the UTC day `day`.
pub fn start_of_day_secs(day: NaiveDate) -> i64 {
    day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// The UTC day of Unix seconds.
pub fn day_of(secs: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::unknown_status(
        "address,date,status\na@x.org,2025-01-01,maybe\n",
        2,
        "unknown status 'maybe'; write full, observer or leave"
    )]
    #[case::bad_date(
        "address,date,status\na@x.org,01/02/2025,full\n",
        2,
        "date '01/02/2025' is not a date; write YYYY-MM-DD"
    )]
    #[case::bad_header("email,when,what\n", 1, "expected the header address,date,status")]
    #[case::bad_address(
        "address,date,status\n\nnobody,2025-01-01,full\n",
        3,
        "'nobody' is not an address"
    )]
    fn bad_checkin_rows_are_named(#[case] text: &str, #[case] line: usize, #[case] msg: &str) {
        assert_eq!(parse_checkins(text).unwrap_err(), (line, msg.to_string()));
    }

    #[test]
    fn checkin_import_is_idempotent_and_atomic() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.csv");
        std::fs::write(
            &good,
            "address,date,status\nA@x.org,2025-01-01,Observer\nb at x.org,2025-01-02,leave\n",
        )
        .unwrap();
        assert_eq!(
            import_file(&mut conn, c, &good).unwrap(),
            CheckinImport { rows: 2, new: 2 }
        );
        assert_eq!(
            import_file(&mut conn, c, &good).unwrap(),
            CheckinImport { rows: 2, new: 0 }
        );
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "address,date,status\nc@x.org,2025-01-01,full\nd@x.org,2025-01-01,nope\n",
        )
        .unwrap();
        let err = import_file(&mut conn, c, &bad).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("bad.csv:3: unknown status 'nope'; write full, observer or leave"),
            "{err}"
        );
        let got =
            responses_up_to(&conn, c, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), None).unwrap();
        assert_eq!(
            got.len(),
            1,
            "nothing after as-of, nothing from the failed file"
        );
        assert_eq!(
            (got[0].address.as_str(), got[0].status),
            ("a@x.org", CheckinStatus::Observer)
        );
    }
}
