//! Roster snapshots in the store (DESIGN.md, "Roster file").
//!
//! This module reads roster files in the formats DESIGN.md lists, stores each
//! import as a snapshot dated `taken_on`, and answers "who is on the roster as
//! of T". The rule it applies: "A roster row exists from its `joined` date
//! (from the beginning of time where it has none) until the date of the first
//! later snapshot that lacks it". The rules that use the answer live in
//! [`crate::classify`].

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use crate::identity::{looks_like_address, normalize_address};

/// A roster or check-in file that could not be imported; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A bad row or header, with its 1-based line.
    #[error("{path}:{line}: {message}")]
    Row {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// The whole file is unusable.
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    /// The database refused the write.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// What a roster import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterImport {
    /// Which roster format the file was read as (e.g. "csv with header").
    pub format: String,
    /// Rows (members) in the snapshot.
    pub rows: usize,
    /// True when the file matched the latest snapshot and nothing was added.
    pub unchanged: bool,
}

/// One member line of a roster file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RosterRow {
    /// Normalised address.
    pub address: String,
    /// Display name, if the file gives one.
    pub name: Option<String>,
    /// Join date, if given.
    pub joined: Option<NaiveDate>,
    /// Declared status: `full` or `observer`.
    pub status: Option<String>,
}

/// The roster formats DESIGN.md names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    /// CSV with the header `address,name,joined,status` (only `address` required).
    CsvWithHeader,
    /// A CSV whose first column holds addresses (Postorius's export).
    AddressCsv,
    /// One address a line (Mailman 2 `list_members`).
    AddressLines,
    /// `Display Name <address>` a line (Mailman 2 `list_members -f`, Mailman 3 `mailman members`).
    NameAddressLines,
}

impl RosterFormat {
    /// The name shown in summaries and stored with the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            RosterFormat::CsvWithHeader => "csv with header",
            RosterFormat::AddressCsv => "addresses-only csv",
            RosterFormat::AddressLines => "one address a line",
            RosterFormat::NameAddressLines => "name <address> lines",
        }
    }
}

/// Splits one CSV line into fields: commas separate, double quotes quote,
/// `""` inside quotes is a quote. Fields are trimmed.
pub(crate) fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field).trim().to_string()),
            (c, _) => field.push(c),
        }
    }
    fields.push(field.trim().to_string());
    fields
}

/// Parses the text of a roster file. Errors carry the 1-based line.
pub fn parse_roster(text: &str) -> Result<(RosterFormat, Vec<RosterRow>), (usize, String)> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}').trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let Some(&(_, first)) = lines.first() else {
        return Ok((RosterFormat::AddressLines, vec![]));
    };
    let header: Vec<String> = split_csv_line(first)
        .into_iter()
        .map(|h| h.to_lowercase())
        .collect();
    let mut rows = Vec::new();
    let format = if header.iter().any(|h| h == "address") {
        let col = |name: &str| header.iter().position(|h| h == name);
        let (address, name, joined, status) =
            (col("address"), col("name"), col("joined"), col("status"));
        let address = address.unwrap_or(0);
        for &(line, text) in &lines[1..] {
            let fields = split_csv_line(text);
            let get = |c: Option<usize>| {
                c.and_then(|c| fields.get(c))
                    .map(|s| s.as_str())
                    .filter(|s| !s.is_empty())
            };
            let addr = parse_address(get(Some(address)).unwrap_or(""), line)?;
            let joined = get(joined)
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                        (
                            line,
                            format!("joined '{d}' is not a date; write YYYY-MM-DD"),
                        )
                    })
                })
                .transpose()?;
            let status = get(status)
                .map(|s| match s.to_lowercase().as_str() {
                    "full" => Ok("full".to_string()),
                    "observer" => Ok("observer".to_string()),
                    _ => Err((
                        line,
                        format!("unknown status '{s}'; write full or observer"),
                    )),
                })
                .transpose()?;
            rows.push(RosterRow {
                address: addr,
                name: get(name).map(str::to_string),
                joined,
                status,
            });
        }
        RosterFormat::CsvWithHeader
    } else if first.contains(',') {
        // Postorius: addresses in the first column, maybe under a header
        // such as `email`; a first line with no address in it is that header.
        let skip = usize::from(!looks_like_address(&normalize_address(&header[0])));
        for &(line, text) in &lines[skip..] {
            let fields = split_csv_line(text);
            rows.push(RosterRow {
                address: parse_address(&fields[0], line)?,
                name: None,
                joined: None,
                status: None,
            });
        }
        RosterFormat::AddressCsv
    } else if lines
        .iter()
        .any(|(_, l)| l.ends_with('>') && l.contains('<'))
    {
        for &(line, text) in &lines {
            let (name, addr) = match text.rfind('<') {
                Some(open) if text.ends_with('>') => {
                    let name = text[..open].trim().trim_matches('"').trim();
                    (
                        (!name.is_empty()).then(|| name.to_string()),
                        &text[open + 1..text.len() - 1],
                    )
                }
                // `mailman members` prints a bare address where there is no name.
                _ => (None, text),
            };
            rows.push(RosterRow {
                address: parse_address(addr, line)?,
                name,
                joined: None,
                status: None,
            });
        }
        RosterFormat::NameAddressLines
    } else {
        for &(line, text) in &lines {
            rows.push(RosterRow {
                address: parse_address(text, line)?,
                name: None,
                joined: None,
                status: None,
            });
        }
        RosterFormat::AddressLines
    };
    Ok((format, dedup_rows(rows)))
}

fn parse_address(raw: &str, line: usize) -> Result<String, (usize, String)> {
    let addr = normalize_address(raw);
    if looks_like_address(&addr) {
        Ok(addr)
    } else if raw.trim().is_empty() {
        Err((line, "no address".to_string()))
    } else {
        Err((line, format!("'{}' is not an address", raw.trim())))
    }
}

/// One row per address: the first row's name and status, the earliest join.
fn dedup_rows(rows: Vec<RosterRow>) -> Vec<RosterRow> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<RosterRow> = Vec::new();
    for row in rows {
        match seen.get(&row.address) {
            Some(&i) => {
                let kept = &mut out[i];
                kept.joined = match (kept.joined, row.joined) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => {
                seen.insert(row.address.clone(), out.len());
                out.push(row);
            }
        }
    }
    out.sort();
    out
}

/// Imports `path` as a snapshot of `coalition_id`'s roster taken on `taken_on`.
///
/// Idempotent, because cron runs it daily: a file equal to the snapshot of
/// the same day, or to the latest snapshot when `taken_on` is on or after it,
/// adds nothing (such a snapshot would change no row's interval). A different
/// file for a day that already has a snapshot replaces that snapshot. All in
/// one transaction: nothing is written when anything fails.
pub fn import_file(
    conn: &mut Connection,
    coalition_id: i64,
    path: &Path,
    taken_on: NaiveDate,
) -> Result<RosterImport, ImportError> {
    let text = std::fs::read(path).map_err(|e| ImportError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let text = String::from_utf8_lossy(&text);
    let (format, rows) = parse_roster(&text).map_err(|(line, message)| ImportError::Row {
        path: path.to_path_buf(),
        line,
        message,
    })?;
    if rows.is_empty() {
        return Err(ImportError::File {
            path: path.to_path_buf(),
            message: "no addresses found; is this a roster?".to_string(),
        });
    }
    let summary = |unchanged| RosterImport {
        format: format.as_str().to_string(),
        rows: rows.len(),
        unchanged,
    };
    let day = taken_on.format("%Y-%m-%d").to_string();
    let tx = conn.transaction()?;
    let same_day: Option<i64> = tx
        .query_row(
            "SELECT id FROM roster_snapshots WHERE coalition_id = ?1 AND taken_on = ?2",
            params![coalition_id, day],
            |r| r.get(0),
        )
        .optional()?;
    let latest: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, taken_on FROM roster_snapshots WHERE coalition_id = ?1
             ORDER BY taken_on DESC LIMIT 1",
            [coalition_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let compare_with = same_day.or(latest.filter(|(_, d)| *d <= day).map(|(id, _)| id));
    if let Some(id) = compare_with
        && snapshot_rows(&tx, id)? == rows.iter().cloned().collect::<BTreeSet<_>>()
    {
        return Ok(summary(true));
    }
    if let Some(id) = same_day {
        tx.execute("DELETE FROM roster_snapshots WHERE id = ?1", [id])?;
    }
    tx.execute(
        "INSERT INTO roster_snapshots (coalition_id, taken_on, source, format, imported_at)
         VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        params![coalition_id, day, path.to_string_lossy(), format.as_str()],
    )?;
    let snapshot = tx.last_insert_rowid();
    {
        let mut stmt = tx.prepare(
            "INSERT INTO roster_entries (snapshot_id, address, name, joined, status)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for row in &rows {
            stmt.execute(params![
                snapshot,
                row.address,
                row.name,
                row.joined.map(|d| d.format("%Y-%m-%d").to_string()),
                row.status
            ])?;
        }
    }
    tx.commit()?;
    Ok(summary(false))
}

fn snapshot_rows(conn: &Connection, id: i64) -> rusqlite::Result<BTreeSet<RosterRow>> {
    let mut stmt = conn.prepare(
        "SELECT address, name, joined, status FROM roster_entries WHERE snapshot_id = ?1",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(RosterRow {
            address: r.get(0)?,
            name: r.get(1)?,
            joined: r
                .get::<_, Option<String>>(2)?
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            status: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// One address's roster standing as of a day, before identity grouping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// Normalised address.
    pub address: String,
    /// Display name from the row in force (see `status`), else the latest row.
    pub name: Option<String>,
    /// Earliest join date across snapshots ("A member keeps their earliest
    /// join date across snapshots").
    pub joined: Option<NaiveDate>,
    /// Status of the row in force on the day asked about: the one from the
    /// latest snapshot taken on or before that day, else (a row backdated by
    /// a later snapshot) the earliest such row. `None` when no row is in force.
    pub status: Option<String>,
    /// Whether a row is in force on the day asked about.
    pub in_force: bool,
}

/// Every address any snapshot of the coalition holds, with whether a row is
/// in force on `as_of`.
///
/// DESIGN.md, "Roster file": "A roster row exists from its `joined` date
/// (from the beginning of time where it has none) until the date of the
/// first later snapshot that lacks it". Each row is judged on its own: a
/// row of the snapshot taken on day S, joined J, ends on the first snapshot
/// day after S whose snapshot lacks the address, and is in force at T when
/// J ≤ T (or no J) and T < that end (or no end).
///
/// Reading chosen: a snapshot taken after T still holds rows that existed
/// at T (that is what "from the beginning of time" asks), but the declared
/// status at T is that of the latest snapshot taken on or before T, so a
/// later change of status (full → observer) is not applied to the past
/// ("Nothing dated after T exists for the evaluation").
pub fn entries_as_of(
    conn: &Connection,
    coalition_id: i64,
    as_of: NaiveDate,
) -> rusqlite::Result<Vec<RosterEntry>> {
    Ok(RosterHistory::load(conn, coalition_id)?.entries_as_of(as_of))
}

/// Every snapshot row of one coalition, read once, for evaluating the roster
/// on many days (the history evaluates one per anniversary).
#[derive(Debug, Clone, Default)]
pub struct RosterHistory {
    /// Distinct snapshot days, ascending (`YYYY-MM-DD`).
    dates: Vec<String>,
    /// Each address's rows, ordered by snapshot.
    by_address: Vec<(String, Vec<HistoryRow>)>,
}

#[derive(Debug, Clone)]
struct HistoryRow {
    /// Index into `dates` of the row's snapshot.
    snapshot: usize,
    name: Option<String>,
    joined: Option<String>,
    status: Option<String>,
    /// The snapshot day on which the row ends (see [`entries_as_of`]).
    end: Option<String>,
}

impl RosterHistory {
    /// Reads every snapshot row of `coalition_id`.
    pub fn load(conn: &Connection, coalition_id: i64) -> rusqlite::Result<RosterHistory> {
        let mut dates: Vec<String> = conn
            .prepare(
                "SELECT taken_on FROM roster_snapshots WHERE coalition_id = ?1 ORDER BY taken_on",
            )?
            .query_map([coalition_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        dates.dedup();
        let mut by_address: HashMap<String, Vec<HistoryRow>> = HashMap::new();
        let mut stmt = conn.prepare(
            "SELECT e.address, s.taken_on, e.name, e.joined, e.status
             FROM roster_entries e JOIN roster_snapshots s ON s.id = e.snapshot_id
             WHERE s.coalition_id = ?1",
        )?;
        let mut rows = stmt.query([coalition_id])?;
        while let Some(r) = rows.next()? {
            let taken: String = r.get(1)?;
            by_address.entry(r.get(0)?).or_default().push(HistoryRow {
                snapshot: dates.partition_point(|d| *d < taken),
                name: r.get(2)?,
                joined: r.get(3)?,
                status: r.get(4)?,
                end: None,
            });
        }
        let mut by_address: Vec<(String, Vec<HistoryRow>)> = by_address.into_iter().collect();
        for (_, rows) in &mut by_address {
            rows.sort_by_key(|r| r.snapshot);
            // The end of the row at rows[i]: the snapshot after the run of
            // consecutive snapshots holding the address that rows[i] belongs to.
            for i in (0..rows.len()).rev() {
                let next = rows[i].snapshot + 1;
                rows[i].end = match rows.get(i + 1) {
                    Some(r) if r.snapshot <= next => rows[i + 1].end.clone(),
                    _ => dates.get(next).cloned(),
                };
            }
        }
        by_address.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(RosterHistory { dates, by_address })
    }

    /// Every address any snapshot holds, with its standing on `as_of`
    /// (the rules of [`entries_as_of`]), sorted by address.
    pub fn entries_as_of(&self, as_of: NaiveDate) -> Vec<RosterEntry> {
        let t = as_of.format("%Y-%m-%d").to_string();
        let mut out = Vec::with_capacity(self.by_address.len());
        for (address, rows) in &self.by_address {
            let exists = |r: &HistoryRow| {
                r.joined.as_ref().is_none_or(|j| *j <= t)
                    && r.end.as_ref().is_none_or(|end| *end > t)
            };
            let existing: Vec<&HistoryRow> = rows.iter().filter(|r| exists(r)).collect();
            let in_force_row = existing
                .iter()
                .rev()
                .find(|r| self.dates[r.snapshot] <= t)
                .or_else(|| existing.first())
                .copied();
            let shown = in_force_row.or(rows.last());
            out.push(RosterEntry {
                name: shown.and_then(|r| r.name.clone()),
                joined: rows
                    .iter()
                    .filter_map(|r| r.joined.as_deref())
                    .min()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                status: in_force_row.and_then(|r| r.status.clone()),
                in_force: in_force_row.is_some(),
                address: address.clone(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[rstest]
    #[case::csv_with_header(
        "address,name,joined,status\nJane@A.org,\"Doe, Jane\",2020-01-02,observer\nbob@b.org,,,\n",
        RosterFormat::CsvWithHeader,
        2
    )]
    #[case::csv_header_in_any_order(
        "status,address\nfull,jane@a.org\n",
        RosterFormat::CsvWithHeader,
        1
    )]
    #[case::postorius(
        "email,display_name\njane@a.org,Jane\nbob@b.org,\n",
        RosterFormat::AddressCsv,
        2
    )]
    #[case::mailman2_list_members("jane@a.org\nbob@b.org\n\n", RosterFormat::AddressLines, 2)]
    #[case::pipermail_style("jane at a.org\n", RosterFormat::AddressLines, 1)]
    #[case::mailman_members_f(
        "Jane Doe <jane@a.org>\nbob@b.org\n\"Al\" <al@c.org>\n",
        RosterFormat::NameAddressLines,
        3
    )]
    fn roster_formats_are_recognised(
        #[case] text: &str,
        #[case] format: RosterFormat,
        #[case] n: usize,
    ) {
        let (f, rows) = parse_roster(text).unwrap();
        assert_eq!((f, rows.len()), (format, n));
    }

    #[test]
    fn csv_rows_keep_name_join_and_status() {
        let (_, rows) = parse_roster(
            "address,name,joined,status\nJane@A.org,\"Doe, Jane\",2020-01-02,Observer\n",
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![RosterRow {
                address: "jane@a.org".into(),
                name: Some("Doe, Jane".into()),
                joined: Some(day("2020-01-02")),
                status: Some("observer".into()),
            }]
        );
    }

    #[rstest]
    #[case::bad_status(
        "address,status\na@x.org,full\nb@x.org,member\n",
        3,
        "unknown status 'member'; write full or observer"
    )]
    #[case::bad_date(
        "address,joined\na@x.org,2020-13-01\n",
        2,
        "joined '2020-13-01' is not a date; write YYYY-MM-DD"
    )]
    #[case::not_an_address("a@x.org\nhello\n", 2, "'hello' is not an address")]
    #[case::missing_address("address,name\n,Jane\n", 2, "no address")]
    fn bad_roster_rows_are_named(#[case] text: &str, #[case] line: usize, #[case] msg: &str) {
        assert_eq!(parse_roster(text).unwrap_err(), (line, msg.to_string()));
    }

    fn import(
        conn: &mut Connection,
        c: i64,
        text: &str,
        on: &str,
    ) -> Result<RosterImport, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roster.txt");
        std::fs::write(&path, text).unwrap();
        import_file(conn, c, &path, day(on))
    }

    fn in_force(conn: &Connection, c: i64, on: &str) -> Vec<String> {
        let mut v: Vec<String> = entries_as_of(conn, c, day(on))
            .unwrap()
            .into_iter()
            .filter(|e| e.in_force)
            .map(|e| e.address)
            .collect();
        v.sort();
        v
    }

    #[test]
    fn rows_exist_from_join_until_the_first_later_snapshot_lacking_them() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        import(
            &mut conn,
            c,
            "address,joined\na@x.org,2020-01-01\nb@x.org,\n",
            "2021-01-01",
        )
        .unwrap();
        import(
            &mut conn,
            c,
            "address,joined\nb@x.org,\nc@x.org,2022-06-01\n",
            "2022-01-01",
        )
        .unwrap();
        // Before a's join date: only b (no join date: from the beginning of time).
        assert_eq!(in_force(&conn, c, "2019-12-31"), ["b@x.org"]);
        assert_eq!(in_force(&conn, c, "2020-01-01"), ["a@x.org", "b@x.org"]);
        // a is gone from the day of the first later snapshot that lacks it.
        assert_eq!(in_force(&conn, c, "2021-12-31"), ["a@x.org", "b@x.org"]);
        assert_eq!(in_force(&conn, c, "2022-01-01"), ["b@x.org"]);
        // c's join date lies after the snapshot date: c exists from the join.
        assert_eq!(in_force(&conn, c, "2022-06-01"), ["b@x.org", "c@x.org"]);
    }

    /// (in force, status) of a@x.org on each day.
    fn standing(conn: &Connection, c: i64, on: &str) -> (bool, Option<String>) {
        entries_as_of(conn, c, day(on))
            .unwrap()
            .into_iter()
            .find(|e| e.address == "a@x.org")
            .map(|e| (e.in_force, e.status))
            .unwrap_or((false, None))
    }

    #[rstest]
    // Before any snapshot: the 2021 row (no join date) exists from the
    // beginning of time, and is the earliest row in force.
    #[case::before_every_snapshot("2020-01-01", true, Some("full"))]
    #[case::after_the_full_snapshot("2022-06-01", true, Some("full"))]
    // The 2023 snapshot's observer status applies from its day, not before.
    #[case::after_the_observer_snapshot("2023-06-01", true, Some("observer"))]
    fn the_status_in_force_is_the_latest_snapshot_on_or_before_t(
        #[case] on: &str,
        #[case] in_force: bool,
        #[case] status: Option<&str>,
    ) {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        import(&mut conn, c, "address,status\na@x.org,full\n", "2021-01-01").unwrap();
        import(
            &mut conn,
            c,
            "address,status\na@x.org,observer\n",
            "2023-01-01",
        )
        .unwrap();
        assert_eq!(
            standing(&conn, c, on),
            (in_force, status.map(str::to_string))
        );
    }

    #[rstest]
    // The 2021 row has no join date: it exists from the beginning of time
    // until 2022-01-01, whatever the 2023 row's join date says.
    #[case::first_row_before_its_snapshot("2020-06-01", true)]
    #[case::first_row("2021-06-01", true)]
    #[case::gap_between_rows("2022-06-01", false)]
    #[case::second_row_before_its_join("2023-01-15", false)]
    #[case::second_row("2023-03-01", true)]
    fn each_row_exists_on_its_own_interval(#[case] on: &str, #[case] in_force: bool) {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        import(&mut conn, c, "address,joined\na@x.org,\n", "2021-01-01").unwrap();
        import(&mut conn, c, "address,joined\nb@x.org,\n", "2022-01-01").unwrap();
        import(
            &mut conn,
            c,
            "address,joined\na@x.org,2023-02-01\n",
            "2023-01-01",
        )
        .unwrap();
        assert_eq!(standing(&conn, c, on).0, in_force);
    }

    #[test]
    fn earliest_join_date_is_kept_across_snapshots() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        import(
            &mut conn,
            c,
            "address,joined\na@x.org,2020-01-01\n",
            "2021-01-01",
        )
        .unwrap();
        import(
            &mut conn,
            c,
            "address,joined\na@x.org,2021-05-01\n",
            "2022-01-01",
        )
        .unwrap();
        let e = entries_as_of(&conn, c, day("2022-02-01")).unwrap();
        assert_eq!(e[0].joined, Some(day("2020-01-01")));
    }

    #[test]
    fn the_same_roster_again_adds_nothing() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        let text = "Jane <jane@a.org>\nbob@b.org\n";
        let first = import(&mut conn, c, text, "2025-01-01").unwrap();
        assert!(!first.unchanged);
        assert_eq!(first.format, "name <address> lines");
        // Same day, then the next day (cron): nothing added either time.
        assert!(import(&mut conn, c, text, "2025-01-01").unwrap().unchanged);
        assert!(import(&mut conn, c, text, "2025-01-02").unwrap().unchanged);
        fn count(conn: &Connection, t: &str) -> i64 {
            conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                .unwrap()
        }
        assert_eq!(
            (
                count(&conn, "roster_snapshots"),
                count(&conn, "roster_entries")
            ),
            (1, 2)
        );
        // A changed roster on the same day replaces that day's snapshot.
        import(&mut conn, c, "jane@a.org\n", "2025-01-01").unwrap();
        assert_eq!(
            (
                count(&conn, "roster_snapshots"),
                count(&conn, "roster_entries")
            ),
            (1, 1)
        );
    }

    #[test]
    fn a_failed_import_writes_nothing() {
        let mut conn = crate::store::open_in_memory().unwrap();
        let c = crate::store::messages::ensure_coalition(&conn, "dc", None).unwrap();
        let err = import(&mut conn, c, "a@x.org\nnot an address\n", "2025-01-01").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("roster.txt:2: 'not an address' is not an address"),
            "{err}"
        );
        let err = import(&mut conn, c, "\n# nothing\n", "2025-01-01").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("no addresses found; is this a roster?"),
            "{err}"
        );
        let n: i64 = conn
            .query_row("SELECT count(*) FROM roster_snapshots", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }
}
