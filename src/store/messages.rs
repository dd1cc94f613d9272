//! Coalitions, lists, source files and messages.
//!
//! A source file is written in one transaction together with its `sources`
//! row, so the database holds either all of a file or none of it, and a rerun
//! after a kill reads exactly the files that did not make it.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::ingest::{MessageRecord, ParsedArchive};

/// Returns the id of coalition `slug`, creating it if needed. A given `name`
/// replaces the stored display name.
pub fn ensure_coalition(
    conn: &Connection,
    slug: &str,
    name: Option<&str>,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO coalitions (slug, name) VALUES (?1, coalesce(?2, ?1))
         ON CONFLICT(slug) DO UPDATE SET name = coalesce(?2, name)",
        params![slug, name],
    )?;
    conn.query_row("SELECT id FROM coalitions WHERE slug = ?1", [slug], |r| {
        r.get(0)
    })
}

/// Returns the id of list `name` of a coalition, creating it if needed.
pub fn ensure_list(conn: &Connection, coalition_id: i64, name: &str) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO lists (coalition_id, name) VALUES (?1, ?2) ON CONFLICT(coalition_id, name) DO NOTHING",
        params![coalition_id, name],
    )?;
    conn.query_row(
        "SELECT id FROM lists WHERE coalition_id = ?1 AND name = ?2",
        params![coalition_id, name],
        |r| r.get(0),
    )
}

/// What the store remembers of a file read before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSource {
    /// Size in bytes when last read.
    pub size: u64,
    /// Modification time (Unix seconds) when last read.
    pub mtime: i64,
    /// BLAKE3 hash of the content (decompressed) when last read.
    pub hash: String,
}

/// Every file already read into a coalition, by path.
pub fn known_sources(
    conn: &Connection,
    coalition_id: i64,
) -> rusqlite::Result<HashMap<String, KnownSource>> {
    let mut stmt =
        conn.prepare("SELECT path, size, mtime, hash FROM sources WHERE coalition_id = ?1")?;
    let rows = stmt.query_map([coalition_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            KnownSource {
                size: r.get::<_, i64>(1)? as u64,
                mtime: r.get(2)?,
                hash: r.get(3)?,
            },
        ))
    })?;
    rows.collect()
}

/// Records that an unchanged file (same hash) was seen with a new size or time.
pub fn touch_source(
    conn: &Connection,
    coalition_id: i64,
    path: &str,
    size: u64,
    mtime: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE sources SET size = ?3, mtime = ?4 WHERE coalition_id = ?1 AND path = ?2",
        params![coalition_id, path, size as i64, mtime],
    )?;
    Ok(())
}

/// A file about to be written.
#[derive(Debug, Clone)]
pub struct SourceMeta<'a> {
    /// The canonical path, as the key for later runs.
    pub path: &'a str,
    /// Size on disk.
    pub size: u64,
    /// Modification time, Unix seconds.
    pub mtime: i64,
    /// BLAKE3 hash of the (decompressed) content.
    pub hash: &'a str,
}

/// What writing one file did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InsertStats {
    /// Messages whose key the coalition did not hold yet.
    pub new: u64,
    /// Messages already held (same key), in this file or an earlier one.
    pub duplicates: u64,
}

const INSERT_MESSAGE: &str = "INSERT INTO messages (coalition_id, list_id, source_id, message_key, message_id, date,
        date_source, from_addr, from_name, subject, in_reply_to, refs, list_header, size, byte_offset,
        set_aside, says_observer)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
    ON CONFLICT(coalition_id, message_key) DO NOTHING";

/// Writes one file's messages and its `sources` row in a single transaction.
pub fn insert_file(
    conn: &mut Connection,
    coalition_id: i64,
    list_id: i64,
    source: &SourceMeta<'_>,
    parsed: &ParsedArchive,
) -> rusqlite::Result<InsertStats> {
    let tx = conn.transaction()?;
    let stats = insert_file_in(&tx, coalition_id, list_id, source, parsed)?;
    tx.commit()?;
    Ok(stats)
}

/// Writes one file's messages and its `sources` row inside the caller's
/// transaction. The caller commits whole files only (several at once when it
/// falls behind the parser), so the database never holds part of a file.
pub fn insert_file_in(
    tx: &Connection,
    coalition_id: i64,
    list_id: i64,
    source: &SourceMeta<'_>,
    parsed: &ParsedArchive,
) -> rusqlite::Result<InsertStats> {
    let source_id = begin_source(tx, coalition_id, source.path, source.size, source.mtime)?;
    let stats = insert_messages(tx, coalition_id, list_id, source_id, &parsed.messages)?;
    let format = parsed.format.map(|f| f.as_str()).unwrap_or("unknown");
    let counts = SourceCounts {
        messages: parsed.messages.len() as u64,
        malformed: parsed.malformed.len() as u64,
    };
    finish_source(tx, source_id, source.hash, format, counts)?;
    Ok(stats)
}

/// Starts (or restarts) the `sources` row of a file about to be written in
/// windows; returns its id. The hash is left empty until [`finish_source`],
/// so a file whose writing was rolled back is never taken for unchanged.
pub fn begin_source(
    tx: &Connection,
    coalition_id: i64,
    path: &str,
    size: u64,
    mtime: i64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO sources (coalition_id, path, size, mtime, hash, format, messages, ingested_at)
         VALUES (?1, ?2, ?3, ?4, '', 'unknown', 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         ON CONFLICT(coalition_id, path) DO UPDATE SET size = ?3, mtime = ?4, hash = '',
             ingested_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         RETURNING id",
    )?
    .query_row(params![coalition_id, path, size as i64, mtime], |r| {
        r.get(0)
    })
}

/// How many messages a source file held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceCounts {
    /// Messages read (stored, or already held under the same key).
    pub messages: u64,
    /// Messages that could not be read and were skipped.
    pub malformed: u64,
}

/// Completes a file's `sources` row once all its messages are written.
pub fn finish_source(
    tx: &Connection,
    source_id: i64,
    hash: &str,
    format: &str,
    counts: SourceCounts,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE sources SET hash = ?2, format = ?3, messages = ?4, malformed = ?5 WHERE id = ?1",
    )?
    .execute(params![
        source_id,
        hash,
        format,
        counts.messages as i64,
        counts.malformed as i64
    ])?;
    Ok(())
}

/// Inserts messages of one source, skipping keys the coalition already
/// holds, and records the senders' display names.
pub fn insert_messages(
    tx: &Connection,
    coalition_id: i64,
    list_id: i64,
    source_id: i64,
    messages: &[MessageRecord],
) -> rusqlite::Result<InsertStats> {
    let mut stats = InsertStats::default();
    let mut names: HashMap<&str, Option<&str>> = HashMap::new();
    let mut stmt = tx.prepare_cached(INSERT_MESSAGE)?;
    let mut refs = String::new();
    for m in messages {
        join_refs(&m.references, &mut refs);
        let inserted = stmt.execute(params![
            coalition_id,
            list_id,
            source_id,
            m.key,
            m.message_id,
            m.date,
            m.date_source.as_str(),
            m.from_addr,
            m.from_name,
            m.subject,
            m.in_reply_to,
            (!refs.is_empty()).then_some(refs.as_str()),
            m.list_header,
            m.size as i64,
            m.offset as i64,
            m.set_aside.map(|s| s.as_str()),
            m.says_observer,
        ])?;
        if inserted == 1 {
            stats.new += 1;
        } else {
            stats.duplicates += 1;
        }
        if let Some(addr) = m.from_addr.as_deref() {
            let slot = names.entry(addr).or_default();
            if m.from_name.is_some() {
                *slot = m.from_name.as_deref();
            }
        }
    }
    let mut stmt = tx.prepare_cached(
        "INSERT INTO addresses (address, name) VALUES (?1, ?2)
         ON CONFLICT(address) DO UPDATE SET name = coalesce(excluded.name, name)",
    )?;
    for (addr, name) in names {
        stmt.execute(params![addr, name])?;
    }
    Ok(stats)
}

fn join_refs(refs: &[String], out: &mut String) {
    out.clear();
    for (i, r) in refs.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(r);
    }
}

/// Used by tests and callers that build records by hand.
#[doc(hidden)]
pub fn sample_record(key: &str) -> MessageRecord {
    MessageRecord {
        key: key.to_string(),
        message_id: Some(key.to_string()),
        date: Some(1_700_000_000),
        date_source: crate::ingest::DateSource::Header,
        from_addr: Some("jane@example.org".to_string()),
        from_name: Some("Jane".to_string()),
        subject: Some("hello".to_string()),
        in_reply_to: None,
        references: vec![],
        list_header: None,
        size: 100,
        offset: 0,
        set_aside: None,
        says_observer: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::OptionalExtension;

    /// The display name stored for a coalition.
    fn coalition_name(conn: &Connection, coalition_id: i64) -> rusqlite::Result<Option<String>> {
        conn.query_row(
            "SELECT name FROM coalitions WHERE id = ?1",
            [coalition_id],
            |r| r.get(0),
        )
        .optional()
    }

    /// Number of messages a coalition holds.
    fn message_count(conn: &Connection, coalition_id: i64) -> rusqlite::Result<u64> {
        conn.query_row(
            "SELECT count(*) FROM messages WHERE coalition_id = ?1",
            [coalition_id],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
    }
    use crate::ingest::ArchiveFormat;

    fn archive(keys: &[&str]) -> ParsedArchive {
        ParsedArchive {
            format: Some(ArchiveFormat::Mbox),
            messages: keys.iter().map(|k| sample_record(k)).collect(),
            malformed: vec![],
        }
    }

    #[test]
    fn same_key_twice_is_stored_once_per_coalition() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let a = ensure_coalition(&conn, "a", None).unwrap();
        let b = ensure_coalition(&conn, "b", Some("Bee")).unwrap();
        let la = ensure_list(&conn, a, "a-list").unwrap();
        let la2 = ensure_list(&conn, a, "a-other").unwrap();
        let lb = ensure_list(&conn, b, "b-list").unwrap();
        let src = |p| SourceMeta {
            path: p,
            size: 1,
            mtime: 1,
            hash: "h",
        };
        let s = insert_file(&mut conn, a, la, &src("/1"), &archive(&["x", "y", "x"])).unwrap();
        assert_eq!(
            s,
            InsertStats {
                new: 2,
                duplicates: 1
            }
        );
        // Another list of the same coalition: counts once for it.
        let s = insert_file(&mut conn, a, la2, &src("/2"), &archive(&["y", "z"])).unwrap();
        assert_eq!(
            s,
            InsertStats {
                new: 1,
                duplicates: 1
            }
        );
        // Cross-posted to another coalition: counts for each.
        let s = insert_file(&mut conn, b, lb, &src("/3"), &archive(&["x"])).unwrap();
        assert_eq!(
            s,
            InsertStats {
                new: 1,
                duplicates: 0
            }
        );
        assert_eq!(message_count(&conn, a).unwrap(), 3);
        assert_eq!(message_count(&conn, b).unwrap(), 1);
        assert_eq!(coalition_name(&conn, b).unwrap().as_deref(), Some("Bee"));
        assert_eq!(coalition_name(&conn, a).unwrap().as_deref(), Some("a"));
        let known = known_sources(&conn, a).unwrap();
        assert_eq!(known.len(), 2);
        assert_eq!(
            known["/1"],
            KnownSource {
                size: 1,
                mtime: 1,
                hash: "h".into()
            }
        );
    }
}
