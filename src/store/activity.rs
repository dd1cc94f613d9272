//! Message activity as the member table and the reports read it: per
//! address aggregates of counted posts ([`post_stats`]), the display names
//! senders use ([`display_names`]), and the counted messages of one
//! coalition with what the figures and charts need ([`counted_messages`]).
//!
//! "Counted" follows DESIGN.md: not set aside, dated, dated no later than the
//! evaluation day T (nothing after T exists for the evaluation), and not a
//! reply to a check-in message ("a check-in reply is a response, not a
//! counted post"). Which messages are replies is decided once, by
//! [`super::checkins::replies`]; the statements here leave out their row
//! ids, bound as one JSON array.

use foldhash::{HashMap, HashMapExt};

use rusqlite::{Connection, named_params};

use crate::day::{self, Day};

/// Counted-post figures of one address as of T.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PostStats {
    /// Counted posts in the period.
    pub in_period: u64,
    /// Counted posts up to T.
    pub total: u64,
    /// Day of the first counted post.
    pub first: Option<Day>,
    /// Day of the last counted post.
    pub last: Option<Day>,
}

/// The row ids of check-in replies as the JSON array the statements bind,
/// `None` when there are none.
fn excluded(replies: &[i64]) -> Option<String> {
    (!replies.is_empty()).then(|| {
        let ids: Vec<String> = replies.iter().map(i64::to_string).collect();
        format!("[{}]", ids.join(","))
    })
}

/// Per-address counted posts of `coalition_id` up to `as_of`, and in the
/// period starting on `period_start`, in one aggregate query. `replies` are
/// the row ids of check-in replies: responses, not posts. Addresses with no
/// counted post are left out.
pub fn post_stats(
    conn: &Connection,
    coalition_id: i64,
    as_of: Day,
    period_start: Day,
    replies: &[i64],
) -> rusqlite::Result<HashMap<String, PostStats>> {
    // The aggregate reads only the (coalition_id, from_addr, date,
    // set_aside, from_name) index, named with INDEXED BY: left to itself,
    // SQLite 3.53 takes the date index and sorts every row for the GROUP
    // BY, four times the work. Check-in replies are left out by rowid (the
    // JSON list is read once into an ephemeral table). Without replies there
    // is nothing to leave out, and the planner cannot know a bound NULL
    // makes the list empty: two statements.
    macro_rules! aggregate {
        ($replies:expr) => {
            concat!(
                "SELECT from_addr, count(*), sum(date >= :period_start), min(date), max(date)
                 FROM messages INDEXED BY messages_coalition_from
                 WHERE coalition_id = :coalition AND from_addr IS NOT NULL AND set_aside IS NULL
                   AND date IS NOT NULL AND date < :until ",
                $replies,
                " GROUP BY from_addr"
            )
        };
    }
    let excluded = excluded(replies);
    let (mut stmt, params) = match excluded {
        Some(ids) => (
            conn.prepare_cached(aggregate!(
                "AND id NOT IN (SELECT value FROM json_each(:replies))"
            ))?,
            Some(ids),
        ),
        None => (conn.prepare_cached(aggregate!(""))?, None),
    };
    let until = day::end_secs(as_of);
    let start = day::start_secs(period_start);
    let mut rows = match params {
        Some(ids) => stmt.query(named_params! {
            ":coalition": coalition_id,
            ":replies": ids,
            ":until": until,
            ":period_start": start,
        })?,
        None => stmt.query(named_params! {
            ":coalition": coalition_id,
            ":until": until,
            ":period_start": start,
        })?,
    };
    let mut out = HashMap::new();
    while let Some(r) = rows.next()? {
        out.insert(
            r.get(0)?,
            PostStats {
                total: r.get::<_, i64>(1)? as u64,
                in_period: r.get::<_, i64>(2)? as u64,
                first: r.get::<_, Option<i64>>(3)?.and_then(day::of_secs),
                last: r.get::<_, Option<i64>>(4)?.and_then(day::of_secs),
            },
        );
    }
    Ok(out)
}

/// Every (address, display name, messages) the coalition's senders used up
/// to `as_of`, set-aside messages included (a name is a name), for naming
/// persons and suggesting duplicates.
///
/// Counted here rather than with `GROUP BY`: SQLite would sort every
/// (address, name) pair in a temporary b-tree, three times slower at
/// 200,000 messages than one pass and a hash map.
pub fn display_names(
    conn: &Connection,
    coalition_id: i64,
    as_of: Day,
) -> rusqlite::Result<Vec<(String, String, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT from_addr, from_name FROM messages INDEXED BY messages_coalition_from
         WHERE coalition_id = :coalition AND from_addr IS NOT NULL AND from_name IS NOT NULL
           AND (date IS NULL OR date < :until)",
    )?;
    let mut rows =
        stmt.query(named_params! { ":coalition": coalition_id, ":until": day::end_secs(as_of) })?;
    let mut counts: HashMap<String, Vec<(String, u64)>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let (Ok(addr), Ok(name)) = (r.get_ref(0)?.as_str(), r.get_ref(1)?.as_str()) else {
            continue;
        };
        let names = match counts.get_mut(addr) {
            Some(names) => names,
            None => counts.entry(addr.to_string()).or_default(),
        };
        match names.iter_mut().find(|(n, _)| n == name) {
            Some((_, count)) => *count += 1,
            None => names.push((name.to_string(), 1)),
        }
    }
    Ok(counts
        .into_iter()
        .flat_map(|(addr, names)| {
            names
                .into_iter()
                .map(move |(name, count)| (addr.clone(), name, count))
        })
        .collect())
}

/// The day of the coalition's first dated message, where history starts.
pub fn first_message_day(conn: &Connection, coalition_id: i64) -> rusqlite::Result<Option<Day>> {
    let first: Option<i64> = conn.query_row(
        "SELECT min(date) FROM messages WHERE coalition_id = ?1",
        [coalition_id],
        |r| r.get(0),
    )?;
    Ok(first.and_then(day::of_secs))
}

/// The day of the coalition's last dated message of any kind (set-aside
/// ones included: they show the archive is still fetched) up to `as_of`.
pub fn last_message_day(
    conn: &Connection,
    coalition_id: i64,
    as_of: Day,
) -> rusqlite::Result<Option<Day>> {
    let last: Option<i64> = conn.query_row(
        "SELECT max(date) FROM messages WHERE coalition_id = ?1 AND date < ?2",
        rusqlite::params![coalition_id, day::end_secs(as_of)],
        |r| r.get(0),
    )?;
    Ok(last.and_then(day::of_secs))
}

/// One counted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityMessage {
    /// Unix seconds, UTC.
    pub date: i64,
    /// The sender's address, lower-cased (empty when the message had none).
    pub from: String,
    /// The Message-ID, when it had one.
    pub message_id: Option<String>,
    /// The message it answers: `In-Reply-To`, else the last `References` entry.
    pub parent: Option<String>,
}

/// The counted messages of `coalition_id` dated before `until` (Unix seconds,
/// exclusive: pass the start of the day after T), oldest first, leaving out
/// `replies` (the row ids of check-in replies, the same the member table
/// leaves out, so a reply is never a response there and a counted message
/// here).
pub fn counted_messages(
    conn: &Connection,
    coalition_id: i64,
    until: i64,
    replies: &[i64],
) -> rusqlite::Result<Vec<ActivityMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.date, lower(coalesce(m.from_addr, '')), m.message_id, m.in_reply_to, m.refs
           FROM messages m
          WHERE m.coalition_id = :coalition AND m.set_aside IS NULL AND m.date IS NOT NULL
            AND m.date < :until
            AND (:replies IS NULL OR m.id NOT IN (SELECT value FROM json_each(:replies)))
          ORDER BY m.date, m.id",
    )?;
    let excluded = excluded(replies);
    let params = named_params! {
        ":coalition": coalition_id,
        ":replies": excluded,
        ":until": until,
    };
    let rows = stmt.query_map(params, |r| {
        let in_reply_to: Option<String> = r.get(3)?;
        let refs: Option<String> = r.get(4)?;
        let parent = in_reply_to
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| {
                refs.as_deref()
                    .and_then(|r| r.split_whitespace().last())
                    .map(str::to_string)
            });
        Ok(ActivityMessage {
            date: r.get(0)?,
            from: r.get(1)?,
            message_id: r.get::<_, Option<String>>(2)?.filter(|s| !s.is_empty()),
            parent,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_counted_dated_messages_up_to_the_limit() {
        let conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "a", None).unwrap();
        let l = crate::store::messages::ensure_list(&conn, c, "a").unwrap();
        let insert = |key: &str,
                      date: Option<i64>,
                      aside: Option<&str>,
                      irt: Option<&str>,
                      refs: Option<&str>| {
            conn.execute(
                "INSERT INTO messages (coalition_id, list_id, message_key, message_id, date, date_source,
                                       from_addr, in_reply_to, refs, size, byte_offset, set_aside)
                 VALUES (?1, ?2, ?3, ?3, ?4, 'header', 'A@x.org', ?5, ?6, 1, 0, ?7)",
                rusqlite::params![c, l, key, date, irt, refs, aside],
            )
            .unwrap();
        };
        insert("m1", Some(10), None, None, None);
        insert("m2", Some(20), None, None, Some("m0 m1"));
        insert("m3", Some(30), Some("auto-reply"), None, None);
        insert("m4", None, None, None, None);
        insert("m5", Some(100), None, None, None);
        let got = counted_messages(&conn, c, 100, &[]).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].from, "a@x.org");
        assert_eq!(got[1].parent.as_deref(), Some("m1"));
        conn.execute(
            "UPDATE messages SET subject = 'Annual CHECK-IN 2025' WHERE message_key = 'm1'",
            [],
        )
        .unwrap();
        let day = crate::day::of_secs(100).unwrap();
        let calls = crate::store::checkins::calls(&conn, c, "annual check-in", day).unwrap();
        let replies = crate::store::checkins::replies(&conn, c, &calls).unwrap();
        let ids: Vec<i64> = replies.iter().map(|r| r.id).collect();
        let got = counted_messages(&conn, c, 100, &ids).unwrap();
        assert_eq!(
            got.len(),
            1,
            "the reply to the check-in message is a response, not a post"
        );
    }

    /// Subjects are compared with Unicode case folding, and a blank subject
    /// names no check-in message.
    #[rstest::rstest]
    #[case::unicode_case("ÉTÉ 2025 check-in", "été 2025", 1)]
    #[case::blank_subject("Hello", "  ", 2)]
    #[case::no_subject_configured("Hello", "", 2)]
    fn check_in_subjects_fold_case_and_a_blank_one_names_nothing(
        #[case] subject: &str,
        #[case] configured: &str,
        #[case] counted: usize,
    ) {
        let conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "a", None).unwrap();
        let l = crate::store::messages::ensure_list(&conn, c, "a").unwrap();
        for (key, date, subject, irt) in [
            ("call", 10, Some(subject), None),
            ("reply", 20, None, Some("call")),
        ] {
            conn.execute(
                "INSERT INTO messages (coalition_id, list_id, message_key, message_id, date, date_source,
                                       from_addr, subject, in_reply_to, size, byte_offset)
                 VALUES (?1, ?2, ?3, ?3, ?4, 'header', 'a@x.org', ?5, ?6, 1, 0)",
                rusqlite::params![c, l, key, date, subject, irt],
            )
            .unwrap();
        }
        let day = crate::day::of_secs(100).unwrap();
        let calls = crate::store::checkins::calls(&conn, c, configured, day).unwrap();
        let replies = crate::store::checkins::replies(&conn, c, &calls).unwrap();
        let ids: Vec<i64> = replies.iter().map(|r| r.id).collect();
        let got = counted_messages(&conn, c, 100, &ids).unwrap();
        assert_eq!(got.len(), counted, "check-in messages {calls:?}");
    }
}
