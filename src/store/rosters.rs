//! Roster snapshots in the store (DESIGN.md, "Roster file").
//!
//! A roster import is a snapshot taken on a day; one snapshot a day. This
//! module stores, lists and drops snapshots, and answers "who is on the
//! roster at T" ([`RosterHistory::at`]). Reading roster files is
//! [`crate::inputs::roster`]'s job; deciding whether `run` imports a file is
//! the command's.
//!
//! The rule it applies: "A row of a snapshot dated *S* exists on the days
//! *d* with *S* ≤ *d* (and joined ≤ *d* where it has a join date), up to but
//! not including the date of the first later snapshot that lacks it [...]
//! At *T* only snapshots dated on or before *T* exist".

use std::collections::BTreeSet;

use foldhash::{HashMap, HashMapExt};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::day::{self, Day};
use crate::inputs::roster::{DeclaredStatus, RosterFile, RosterRow};

/// One stored snapshot, as `roster list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    /// The day it was taken.
    pub taken_on: Day,
    /// The file it came from.
    pub source: String,
    /// How the file was read.
    pub format: String,
    /// Its rows.
    pub rows: u64,
    /// When it was imported (UTC, RFC 3339).
    pub imported_at: String,
}

/// What storing a snapshot did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// A new snapshot for a day that had none.
    Added,
    /// The day's snapshot was replaced by a different one.
    Replaced,
    /// The day's snapshot already held exactly these rows.
    Unchanged,
}

/// Stores `file` as the snapshot of `taken_on`, replacing that day's
/// snapshot if it differs ("One snapshot a day: a second import on the same
/// day replaces it"). One transaction.
pub fn save(
    conn: &mut Connection,
    coalition_id: i64,
    taken_on: Day,
    source: &str,
    file: &RosterFile,
) -> rusqlite::Result<Saved> {
    let day = day::format(taken_on);
    let tx = conn.transaction()?;
    let same_day: Option<i64> = tx
        .query_row(
            "SELECT id FROM roster_snapshots WHERE coalition_id = ?1 AND taken_on = ?2",
            params![coalition_id, day],
            |r| r.get(0),
        )
        .optional()?;
    let saved = match same_day {
        Some(id) if rows_of(&tx, id)? == file.rows.iter().cloned().collect() => {
            return Ok(Saved::Unchanged);
        }
        Some(id) => {
            tx.execute("DELETE FROM roster_snapshots WHERE id = ?1", [id])?;
            Saved::Replaced
        }
        None => Saved::Added,
    };
    tx.execute(
        "INSERT INTO roster_snapshots (coalition_id, taken_on, source, format, imported_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![coalition_id, day, source, file.format.as_str()],
    )?;
    let snapshot = tx.last_insert_rowid();
    {
        let mut stmt = tx.prepare(
            "INSERT INTO roster_entries (snapshot_id, address, name, joined, status)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for row in &file.rows {
            stmt.execute(params![
                snapshot,
                row.address,
                row.name,
                row.joined.map(day::format),
                row.status.map(DeclaredStatus::as_str)
            ])?;
        }
    }
    tx.commit()?;
    Ok(saved)
}

/// Whether `file` holds exactly the rows of the coalition's latest snapshot
/// (of any date): `run` imports an undated roster only when it does not.
pub fn same_as_latest(
    conn: &Connection,
    coalition_id: i64,
    file: &RosterFile,
) -> rusqlite::Result<bool> {
    let latest: Option<i64> = conn
        .query_row(
            "SELECT id FROM roster_snapshots WHERE coalition_id = ?1
             ORDER BY taken_on DESC LIMIT 1",
            [coalition_id],
            |r| r.get(0),
        )
        .optional()?;
    match latest {
        Some(id) => Ok(rows_of(conn, id)? == file.rows.iter().cloned().collect()),
        None => Ok(false),
    }
}

/// The coalition's snapshots, oldest first.
pub fn list(conn: &Connection, coalition_id: i64) -> rusqlite::Result<Vec<Snapshot>> {
    let mut stmt = conn.prepare(
        "SELECT s.taken_on, s.source, s.format, s.imported_at,
                (SELECT count(*) FROM roster_entries e WHERE e.snapshot_id = s.id)
         FROM roster_snapshots s WHERE s.coalition_id = ?1 ORDER BY s.taken_on",
    )?;
    let rows = stmt.query_map([coalition_id], |r| {
        let taken: String = r.get(0)?;
        Ok((taken, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, i64>(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (taken, source, format, imported_at, n) = row?;
        if let Ok(taken_on) = day::parse(&taken) {
            out.push(Snapshot {
                taken_on,
                source,
                format,
                rows: n as u64,
                imported_at,
            });
        }
    }
    Ok(out)
}

/// Removes the snapshot taken on `taken_on`; `false` when there was none.
pub fn drop_snapshot(
    conn: &mut Connection,
    coalition_id: i64,
    taken_on: Day,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM roster_snapshots WHERE coalition_id = ?1 AND taken_on = ?2",
        params![coalition_id, day::format(taken_on)],
    )?;
    Ok(n > 0)
}

fn rows_of(conn: &Connection, id: i64) -> rusqlite::Result<BTreeSet<RosterRow>> {
    let mut stmt = conn.prepare(
        "SELECT address, name, joined, status FROM roster_entries WHERE snapshot_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(RosterRow {
            address: r.get(0)?,
            name: r.get(1)?,
            joined: r
                .get::<_, Option<String>>(2)?
                .and_then(|d| day::parse(&d).ok()),
            status: r
                .get::<_, Option<String>>(3)?
                .and_then(|s| DeclaredStatus::parse(&s)),
        })
    })?;
    rows.collect()
}

/// One address's roster row in force on a day, before identity grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// Normalised address.
    pub address: String,
    /// Display name on the row in force.
    pub name: Option<String>,
    /// Join date of the row in force, if it has one (never after the day).
    pub joined: Option<Day>,
    /// Declared status of the row in force.
    pub status: Option<DeclaredStatus>,
    /// The day of the snapshot the row in force comes from.
    pub snapshot: Day,
}

/// The roster on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RosterAt {
    /// Whether a snapshot dated on or before the day exists: "the coalition
    /// has a roster at *T* when one of them does".
    pub has_roster: bool,
    /// The rows that exist on the day, sorted by address.
    pub entries: Vec<RosterEntry>,
}

/// Every snapshot row of one coalition, read once, for evaluating the roster
/// on many days (the history evaluates one per anniversary).
#[derive(Debug, Clone, Default)]
pub struct RosterHistory {
    /// Distinct snapshot days, ascending.
    dates: Vec<Day>,
    /// Each address's rows, ordered by snapshot.
    by_address: Vec<(String, Vec<HistoryRow>)>,
}

#[derive(Debug, Clone)]
struct HistoryRow {
    /// Index into `dates` of the row's snapshot.
    snapshot: usize,
    name: Option<String>,
    joined: Option<Day>,
    status: Option<DeclaredStatus>,
    /// The day the row stops existing: the first later snapshot lacking it.
    end: Option<Day>,
}

impl RosterHistory {
    /// Reads every snapshot row of `coalition_id`.
    pub fn load(conn: &Connection, coalition_id: i64) -> rusqlite::Result<RosterHistory> {
        let mut dates: Vec<Day> = conn
            .prepare(
                "SELECT taken_on FROM roster_snapshots WHERE coalition_id = ?1 ORDER BY taken_on",
            )?
            .query_map([coalition_id], |r| r.get::<_, String>(0))?
            .filter_map(|d| d.ok().and_then(|d| day::parse(&d).ok()))
            .collect();
        dates.dedup();
        let mut by_address: HashMap<String, Vec<HistoryRow>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT e.address, s.taken_on, e.name, e.joined, e.status
             FROM roster_entries e JOIN roster_snapshots s ON s.id = e.snapshot_id
             WHERE s.coalition_id = ?1",
        )?;
        let mut rows = stmt.query([coalition_id])?;
        while let Some(r) = rows.next()? {
            let Ok(taken) = day::parse(&r.get::<_, String>(1)?) else {
                continue;
            };
            by_address.entry(r.get(0)?).or_default().push(HistoryRow {
                snapshot: dates.partition_point(|d| *d < taken),
                name: r.get(2)?,
                joined: r
                    .get::<_, Option<String>>(3)?
                    .and_then(|d| day::parse(&d).ok()),
                status: r
                    .get::<_, Option<String>>(4)?
                    .and_then(|s| DeclaredStatus::parse(&s)),
                end: None,
            });
        }
        let mut by_address: Vec<(String, Vec<HistoryRow>)> = by_address.into_iter().collect();
        for (_, rows) in &mut by_address {
            rows.sort_by_key(|r| r.snapshot);
            // The end of rows[i]: the snapshot after the run of consecutive
            // snapshots holding the address that rows[i] belongs to.
            for i in (0..rows.len()).rev() {
                let next = rows[i].snapshot + 1;
                rows[i].end = match rows.get(i + 1) {
                    Some(r) if r.snapshot <= next => rows[i + 1].end,
                    _ => dates.get(next).copied(),
                };
            }
        }
        by_address.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(RosterHistory { dates, by_address })
    }

    /// The roster on `day`: the rows that exist then (a row of the latest
    /// snapshot on or before the day that holds the address, joined by
    /// then, not yet ended).
    pub fn at(&self, day: Day) -> RosterAt {
        let known = self.dates.partition_point(|d| *d <= day);
        let mut entries = Vec::new();
        for (address, rows) in &self.by_address {
            let row = rows.iter().rev().find(|r| {
                r.snapshot < known
                    && r.joined.is_none_or(|j| j <= day)
                    && r.end.is_none_or(|end| end > day)
            });
            if let Some(r) = row {
                entries.push(RosterEntry {
                    address: address.clone(),
                    name: r.name.clone(),
                    joined: r.joined,
                    status: r.status,
                    snapshot: self.dates[r.snapshot],
                });
            }
        }
        RosterAt {
            has_roster: known > 0,
            entries,
        }
    }
}

impl RosterHistory {
    /// For every address held by a snapshot dated on or before `day`: the
    /// latest such snapshot's day and the name it gives. This is where a
    /// person's `email` and roster name come from, even after their row ended.
    pub fn last_seen(&self, day: Day) -> HashMap<&str, (Day, Option<&str>)> {
        let known = self.dates.partition_point(|d| *d <= day);
        let mut out = HashMap::new();
        for (address, rows) in &self.by_address {
            if let Some(r) = rows.iter().rev().find(|r| r.snapshot < known) {
                out.insert(
                    address.as_str(),
                    (self.dates[r.snapshot], r.name.as_deref()),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::roster;
    use rstest::rstest;
    use std::path::Path;

    fn day(s: &str) -> Day {
        day::parse(s).unwrap()
    }

    fn save_text(conn: &mut Connection, c: i64, text: &str, on: &str) -> Saved {
        let file = roster::parse(Path::new("r.csv"), text).unwrap();
        save(conn, c, day(on), "r.csv", &file).unwrap()
    }

    fn db() -> (Connection, i64) {
        let conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        (conn, c)
    }

    fn on_roster(conn: &Connection, c: i64, on: &str) -> (bool, Vec<String>) {
        let at = RosterHistory::load(conn, c).unwrap().at(day(on));
        (
            at.has_roster,
            at.entries.into_iter().map(|e| e.address).collect(),
        )
    }

    #[test]
    fn rows_exist_from_their_snapshot_until_the_first_later_snapshot_lacking_them() {
        let (mut conn, c) = db();
        save_text(
            &mut conn,
            c,
            "address,joined\na@x.org,2020-01-01\nb@x.org,\n",
            "2021-01-01",
        );
        save_text(
            &mut conn,
            c,
            "address,joined\nb@x.org,\nc@x.org,2022-06-01\n",
            "2022-01-01",
        );
        // Before the first snapshot there is no roster at all, whatever a
        // join date says.
        assert_eq!(on_roster(&conn, c, "2020-06-01"), (false, vec![]));
        assert_eq!(
            on_roster(&conn, c, "2021-01-01"),
            (true, vec!["a@x.org".into(), "b@x.org".into()])
        );
        assert_eq!(
            on_roster(&conn, c, "2021-12-31"),
            (true, vec!["a@x.org".into(), "b@x.org".into()])
        );
        // a is gone from the day of the first later snapshot that lacks it.
        assert_eq!(
            on_roster(&conn, c, "2022-01-01"),
            (true, vec!["b@x.org".into()])
        );
        // c's join date lies after the snapshot date: c exists from the join.
        assert_eq!(
            on_roster(&conn, c, "2022-06-01"),
            (true, vec!["b@x.org".into(), "c@x.org".into()])
        );
    }

    /// (on the roster, status) of a@x.org on each day.
    fn standing(conn: &Connection, c: i64, on: &str) -> (bool, Option<DeclaredStatus>) {
        RosterHistory::load(conn, c)
            .unwrap()
            .at(day(on))
            .entries
            .into_iter()
            .find(|e| e.address == "a@x.org")
            .map(|e| (true, e.status))
            .unwrap_or((false, None))
    }

    #[rstest]
    #[case::before_every_snapshot("2020-01-01", false, None)]
    #[case::after_the_full_snapshot("2022-06-01", true, Some(DeclaredStatus::Full))]
    // The 2023 snapshot's observer status applies from its day, not before.
    #[case::after_the_observer_snapshot("2023-06-01", true, Some(DeclaredStatus::Observer))]
    fn the_status_in_force_is_the_latest_snapshot_on_or_before_t(
        #[case] on: &str,
        #[case] on_roster: bool,
        #[case] status: Option<DeclaredStatus>,
    ) {
        let (mut conn, c) = db();
        save_text(&mut conn, c, "address,status\na@x.org,full\n", "2021-01-01");
        save_text(
            &mut conn,
            c,
            "address,status\na@x.org,observer\n",
            "2023-01-01",
        );
        assert_eq!(standing(&conn, c, on), (on_roster, status));
    }

    #[rstest]
    #[case::first_row_before_its_snapshot("2020-06-01", false)]
    #[case::first_row("2021-06-01", true)]
    #[case::gap_between_rows("2022-06-01", false)]
    #[case::second_row_before_its_join("2023-01-15", false)]
    #[case::second_row("2023-03-01", true)]
    fn each_row_exists_on_its_own_interval(#[case] on: &str, #[case] exists: bool) {
        let (mut conn, c) = db();
        save_text(&mut conn, c, "address,joined\na@x.org,\n", "2021-01-01");
        save_text(&mut conn, c, "address,joined\nb@x.org,\n", "2022-01-01");
        save_text(
            &mut conn,
            c,
            "address,joined\na@x.org,2023-02-01\n",
            "2023-01-01",
        );
        assert_eq!(standing(&conn, c, on).0, exists);
    }

    #[test]
    fn one_snapshot_a_day_and_the_same_rows_again_change_nothing() {
        let (mut conn, c) = db();
        let text = "Jane <jane@a.org>\nbob@b.org\n";
        assert_eq!(save_text(&mut conn, c, text, "2025-01-01"), Saved::Added);
        assert_eq!(
            save_text(&mut conn, c, text, "2025-01-01"),
            Saved::Unchanged
        );
        assert_eq!(
            save_text(&mut conn, c, "jane@a.org\n", "2025-01-01"),
            Saved::Replaced
        );
        let file = roster::parse(Path::new("r"), "jane@a.org\n").unwrap();
        assert!(same_as_latest(&conn, c, &file).unwrap());
        let listed = list(&conn, c).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].taken_on, listed[0].rows), (day("2025-01-01"), 1));
        assert_eq!(listed[0].format, "one address a line");
        assert!(drop_snapshot(&mut conn, c, day("2025-01-01")).unwrap());
        assert!(!drop_snapshot(&mut conn, c, day("2025-01-01")).unwrap());
        let n: i64 = conn
            .query_row("SELECT count(*) FROM roster_entries", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "dropping a snapshot drops its rows");
    }
}
