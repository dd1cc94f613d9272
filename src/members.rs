//! The member table: loads a coalition's activity, rosters and check-ins from
//! the store, groups addresses into persons ([`crate::identity`]), and applies
//! [`crate::classify`]. `MemberRow` is the contract with `report`.
//!
//! Loading is set-based: one aggregate query per address over `messages`
//! (counts and first/last day, bounded by T and the period), one over the
//! roster, one over check-ins. Rust then only merges per address, so the cost
//! follows the number of members, not of messages.

use std::collections::HashMap;

use anyhow::Context;
use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags, params};
use serde::Serialize;

use crate::classify::{self, CheckinStatus, ClassCounts, Evidence, MemberClass, Thresholds};
use crate::identity::{self, Aliases};
use crate::store::{self, checkins, rosters};

/// One row of members.csv (DESIGN.md, "The member table").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRow {
    /// The coalition's slug.
    pub coalition: String,
    /// The person's key: their first address in sort order.
    pub person: String,
    /// All their addresses, sorted.
    pub addresses: Vec<String>,
    /// Their class as of the evaluation date.
    pub class: MemberClass,
    /// A one-line reason a coordinator can read.
    pub reason: String,
    /// Counted posts in (T − P, T].
    pub posts_in_period: u64,
    /// Counted posts up to T.
    pub posts_total: u64,
    /// Day of the first counted post.
    pub first_post: Option<NaiveDate>,
    /// Day of the last counted post up to T.
    pub last_post: Option<NaiveDate>,
    /// Day of the latest check-in response up to T.
    pub last_checkin: Option<NaiveDate>,
    /// Status of that response.
    pub checkin_status: Option<CheckinStatus>,
    /// On the roster in force at T.
    pub on_roster: bool,
    /// Latest post, check-in response or roster join up to T.
    pub last_sign_of_life: Option<NaiveDate>,
}

/// A coalition's member table as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct MemberTable {
    /// The coalition's slug.
    pub coalition: String,
    /// T.
    pub as_of: NaiveDate,
    /// P, D, N.
    pub thresholds: Thresholds,
    /// Rows sorted by class, then person.
    pub members: Vec<MemberRow>,
    /// Counts per class.
    pub counts: ClassCounts,
    /// Likely duplicate identities, for review (never merged).
    pub duplicate_suggestions: Vec<DuplicateSuggestion>,
}

/// Two or more persons that may be one (same display name, or same local part at two domains).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateSuggestion {
    /// Why they look alike, e.g. `same name "jane doe"`.
    pub why: String,
    /// The persons' keys.
    pub persons: Vec<String>,
}

/// What the evaluation needs besides the store.
#[derive(Debug, Clone)]
pub struct MemberOptions {
    /// T, the evaluation day.
    pub as_of: NaiveDate,
    /// P, D, N.
    pub thresholds: Thresholds,
    /// An aliases file, if any.
    pub aliases: Option<std::path::PathBuf>,
    /// The check-in subject, if check-in replies are to be found in the archive.
    pub checkin_subject: Option<String>,
}

/// Class counts on one day of the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HistoryPoint {
    /// The evaluation day (T or an anniversary before it).
    pub date: NaiveDate,
    /// Counts per class on that day.
    pub counts: ClassCounts,
}

/// The members.csv columns, in order (DESIGN.md, "The member table").
pub const CSV_COLUMNS: [&str; 12] = [
    "coalition",
    "person",
    "addresses",
    "class",
    "reason",
    "posts_in_period",
    "posts_total",
    "first_post",
    "last_post",
    "last_checkin",
    "checkin_status",
    "on_roster",
];

impl MemberRow {
    /// The row's members.csv fields, in [`CSV_COLUMNS`] order: dates ISO,
    /// empty where unknown; addresses `;`-separated; `on_roster` `true`/`false`.
    pub fn csv_fields(&self) -> [String; 12] {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        [
            self.coalition.clone(),
            self.person.clone(),
            self.addresses.join(";"),
            self.class.as_str().to_string(),
            self.reason.clone(),
            self.posts_in_period.to_string(),
            self.posts_total.to_string(),
            day(self.first_post),
            day(self.last_post),
            day(self.last_checkin),
            self.checkin_status
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            self.on_roster.to_string(),
        ]
    }
}

/// Quotes a CSV field when it holds a comma, a quote or a line break.
pub fn csv_quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\"")).into()
    } else {
        field.into()
    }
}

/// The whole members.csv: header first, then the rows in table order.
pub fn to_csv(table: &MemberTable) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for row in &table.members {
        let fields = row.csv_fields();
        let quoted: Vec<_> = fields.iter().map(|f| csv_quote(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// The member table of `coalition` (a slug) as of `options.as_of`.
pub fn evaluate(
    conn: &Connection,
    coalition: &str,
    options: &MemberOptions,
) -> anyhow::Result<MemberTable> {
    let ctx = Evaluation::load(conn, coalition, options)?;
    let members = ctx.rows_at(conn, options.as_of)?;
    let mut counts = ClassCounts::default();
    for m in &members {
        counts.add(m.class);
    }
    let duplicate_suggestions =
        duplicates(conn, ctx.coalition_id, &members).context("finding likely duplicate members")?;
    Ok(MemberTable {
        coalition: coalition.to_string(),
        as_of: options.as_of,
        thresholds: options.thresholds,
        members,
        counts,
        duplicate_suggestions,
    })
}

/// Class counts at T and each anniversary before it, back to the first
/// message (DESIGN.md, "History"), oldest first.
pub fn history(
    conn: &Connection,
    coalition: &str,
    options: &MemberOptions,
) -> anyhow::Result<Vec<HistoryPoint>> {
    let ctx = Evaluation::load(conn, coalition, options)?;
    let first: Option<i64> = conn.query_row(
        "SELECT min(date) FROM messages WHERE coalition_id = ?1",
        [ctx.coalition_id],
        |r| r.get(0),
    )?;
    let first = first.and_then(checkins::day_of);
    let dates = classify::anniversaries(options.as_of, first);
    let point = |conn: &Connection, date: NaiveDate| -> anyhow::Result<HistoryPoint> {
        let mut counts = ClassCounts::default();
        for m in ctx.rows_at(conn, date)? {
            counts.add(m.class);
        }
        Ok(HistoryPoint { date, counts })
    };
    // The days are independent evaluations (about 0.2 s each for 100,000
    // members, bench/classify.sh): on a database file, run them in parallel,
    // each thread on its own read-only connection (WAL lets readers run side
    // by side). In memory, or for a single day, stay on `conn`.
    match conn.path().filter(|p| !p.is_empty()) {
        Some(path) if dates.len() > 1 => {
            use rayon::prelude::*;
            let open = || {
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .with_context(|| format!("{path}: cannot open for reading"))
            };
            dates
                .par_iter()
                .map_init(open, |reader, &date| match reader {
                    Ok(reader) => point(reader, date),
                    Err(e) => Err(anyhow::anyhow!("{e:#}")),
                })
                .collect()
        }
        _ => dates.into_iter().map(|date| point(conn, date)).collect(),
    }
}

/// What stays the same across evaluation days.
struct Evaluation {
    coalition: String,
    coalition_id: i64,
    thresholds: Thresholds,
    aliases: Aliases,
    checkin: Option<String>,
    /// Every roster row, read once for all evaluation days.
    roster: rosters::RosterHistory,
}

/// Counted-post figures of one address as of T.
#[derive(Debug, Default, Clone, Copy)]
struct PostStats {
    sent: bool,
    in_period: u64,
    total: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Evaluation {
    fn load(conn: &Connection, coalition: &str, options: &MemberOptions) -> anyhow::Result<Self> {
        let coalition_id = store::coalition_id(conn, coalition)?;
        let aliases = match &options.aliases {
            Some(path) => Aliases::load(path)?,
            None => Aliases::default(),
        };
        let checkin = match &options.checkin_subject {
            Some(subject) => checkins::checkin_message(conn, coalition_id, subject)
                .context("finding the check-in message")?,
            None => None,
        };
        let roster =
            rosters::RosterHistory::load(conn, coalition_id).context("reading roster snapshots")?;
        Ok(Evaluation {
            coalition: coalition.to_string(),
            coalition_id,
            thresholds: options.thresholds,
            aliases,
            checkin,
            roster,
        })
    }

    /// Per-address counted posts as of `as_of`, in one aggregate query.
    /// "Counted posts: deduplicated (one row per key), dated no later than T,
    /// not set aside, not check-in replies".
    fn post_stats(
        &self,
        conn: &Connection,
        as_of: NaiveDate,
    ) -> rusqlite::Result<HashMap<String, PostStats>> {
        let end = checkins::end_of_day_secs(as_of);
        let period_start =
            checkins::start_of_day_secs(classify::window_start(as_of, self.thresholds.period_days));
        // Check-in replies are left out by rowid, so the aggregate itself
        // reads only the (coalition_id, from_addr, date, set_aside) index.
        let replies = if self.checkin.is_some() {
            format!(
                "AND m.id NOT IN (SELECT m.id FROM messages m WHERE m.coalition_id = ?1 AND {})",
                checkins::IS_CHECKIN_REPLY
            )
        } else {
            "AND ?2 IS NULL".to_string()
        };
        let sql = format!(
            "SELECT from_addr, sum(c), sum(c AND date >= ?4),
                    min(CASE WHEN c THEN date END), max(CASE WHEN c THEN date END),
                    max(set_aside IS NULL)
             FROM (SELECT m.from_addr, m.date, m.set_aside,
                          (m.set_aside IS NULL AND m.date IS NOT NULL {replies}) AS c
                   FROM messages m
                   WHERE m.coalition_id = ?1 AND m.from_addr IS NOT NULL
                     AND (m.date IS NULL OR m.date < ?3))
             GROUP BY from_addr"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![self.coalition_id, self.checkin, end, period_start])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let addr: String = r.get(0)?;
            out.insert(
                addr,
                PostStats {
                    total: r.get::<_, i64>(1)? as u64,
                    in_period: r.get::<_, i64>(2)? as u64,
                    first: r.get::<_, Option<i64>>(3)?.and_then(checkins::day_of),
                    last: r.get::<_, Option<i64>>(4)?.and_then(checkins::day_of),
                    sent: r.get(5)?,
                },
            );
        }
        Ok(out)
    }

    /// The member rows as of `as_of`, sorted by class then person.
    fn rows_at(&self, conn: &Connection, as_of: NaiveDate) -> anyhow::Result<Vec<MemberRow>> {
        let posts = self
            .post_stats(conn, as_of)
            .context("reading message activity")?;
        let roster = self.roster.entries_as_of(as_of);
        let responses =
            checkins::responses_up_to(conn, self.coalition_id, as_of, self.checkin.as_deref())
                .context("reading check-in responses")?;

        let mut by_addr_roster: HashMap<&str, &rosters::RosterEntry> = HashMap::new();
        for e in &roster {
            by_addr_roster.insert(&e.address, e);
        }
        let mut by_addr_resp: HashMap<&str, Vec<&checkins::Response>> = HashMap::new();
        for r in &responses {
            by_addr_resp.entry(&r.address).or_default().push(r);
        }
        let all = posts
            .keys()
            .map(String::as_str)
            .chain(roster.iter().map(|e| e.address.as_str()))
            .chain(responses.iter().map(|r| r.address.as_str()));
        let mut rows = Vec::new();
        for addresses in self.aliases.group(all) {
            let mut e = Evidence::default();
            let mut first_post: Option<NaiveDate> = None;
            for addr in &addresses {
                if let Some(p) = posts.get(addr) {
                    e.sent_message |= p.sent;
                    e.posts_total += p.total;
                    e.posts_in_period += p.in_period;
                    e.last_post = e.last_post.max(p.last);
                    first_post = min_opt(first_post, p.first);
                }
                if let Some(r) = by_addr_roster.get(addr.as_str()) {
                    // "Nothing dated after T exists [...] no roster join".
                    let joined = r.joined.filter(|j| *j <= as_of);
                    e.roster.joined = min_opt(e.roster.joined, joined);
                    if r.in_force {
                        e.roster.on_roster = true;
                        e.roster.declared_observer |= r.status.as_deref() == Some("observer");
                    }
                }
                for r in by_addr_resp.get(addr.as_str()).into_iter().flatten() {
                    // Two responses on one day: the more restrictive status
                    // wins (leave, then observer, then full).
                    let key = (r.day, rank(r.status));
                    if e.latest_response.is_none_or(|(d, s)| key > (d, rank(s))) {
                        e.latest_response = Some((r.day, r.status));
                    }
                    if r.status == CheckinStatus::Leave {
                        e.latest_leave = e.latest_leave.max(Some(r.day));
                    }
                }
            }
            let Some(verdict) = classify::classify(&e, as_of, &self.thresholds) else {
                continue;
            };
            rows.push(MemberRow {
                coalition: self.coalition.clone(),
                person: addresses[0].clone(),
                class: verdict.class,
                reason: verdict.reason,
                posts_in_period: e.posts_in_period,
                posts_total: e.posts_total,
                first_post,
                last_post: e.last_post,
                last_checkin: e.latest_response.map(|(d, _)| d),
                checkin_status: e.latest_response.map(|(_, s)| s),
                on_roster: e.roster.on_roster,
                last_sign_of_life: e.last_sign_of_life().map(|(d, _)| d),
                addresses,
            });
        }
        rows.sort_by(|a, b| (a.class, &a.person).cmp(&(b.class, &b.person)));
        Ok(rows)
    }
}

fn rank(s: CheckinStatus) -> u8 {
    match s {
        CheckinStatus::Full => 0,
        CheckinStatus::Observer => 1,
        CheckinStatus::Leave => 2,
    }
}

fn min_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Likely duplicates among the members: display names come from the
/// `addresses` table (latest name seen as a sender) and the roster.
fn duplicates(
    conn: &Connection,
    coalition_id: i64,
    members: &[MemberRow],
) -> rusqlite::Result<Vec<DuplicateSuggestion>> {
    let mut names: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT a.address, a.name FROM addresses a
         WHERE a.name IS NOT NULL
           AND a.address IN (SELECT from_addr FROM messages WHERE coalition_id = ?1)
         UNION
         SELECT e.address, e.name FROM roster_entries e
         JOIN roster_snapshots s ON s.id = e.snapshot_id
         WHERE s.coalition_id = ?1 AND e.name IS NOT NULL",
    )?;
    let mut rows = stmt.query([coalition_id])?;
    while let Some(r) = rows.next()? {
        names.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    let persons: Vec<(&str, &[String], Vec<&str>)> = members
        .iter()
        .map(|m| {
            let n = m
                .addresses
                .iter()
                .filter_map(|a| names.get(a))
                .flatten()
                .map(String::as_str)
                .collect();
            (m.person.as_str(), m.addresses.as_slice(), n)
        })
        .collect();
    Ok(identity::suggest_duplicates(&persons)
        .into_iter()
        .map(|(why, persons)| DuplicateSuggestion { why, persons })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ArchiveFormat, MessageRecord, ParsedArchive, SetAside};
    use crate::store::messages::{
        SourceMeta, ensure_coalition, ensure_list, insert_file, sample_record,
    };
    use rstest::rstest;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Unix seconds of an RFC 3339 time, e.g. `2024-06-23T23:30:00-05:00`.
    fn secs(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    struct Db {
        conn: Connection,
        coalition: i64,
        list: i64,
        files: usize,
        dir: tempfile::TempDir,
    }

    impl Db {
        fn new() -> Db {
            let conn = store::open_in_memory().unwrap();
            let coalition = ensure_coalition(&conn, "dc", None).unwrap();
            let list = ensure_list(&conn, coalition, "dc-list").unwrap();
            Db {
                conn,
                coalition,
                list,
                files: 0,
                dir: tempfile::tempdir().unwrap(),
            }
        }

        /// Stores one file holding `records`.
        fn file(&mut self, records: Vec<MessageRecord>) {
            self.files += 1;
            let path = format!("/file{}", self.files);
            let src = SourceMeta {
                path: &path,
                size: 1,
                mtime: 1,
                hash: "h",
            };
            let parsed = ParsedArchive {
                format: Some(ArchiveFormat::Mbox),
                messages: records,
                malformed: vec![],
            };
            insert_file(&mut self.conn, self.coalition, self.list, &src, &parsed).unwrap();
        }

        fn post(&mut self, key: &str, from: &str, when: &str) {
            self.file(vec![msg(key, from, when)]);
        }

        fn roster(&mut self, text: &str, on: &str) {
            let path = self.dir.path().join("roster.csv");
            std::fs::write(&path, text).unwrap();
            rosters::import_file(&mut self.conn, self.coalition, &path, day(on)).unwrap();
        }

        fn checkins(&mut self, text: &str) {
            let path = self.dir.path().join("checkins.csv");
            std::fs::write(&path, text).unwrap();
            checkins::import_file(&mut self.conn, self.coalition, &path).unwrap();
        }

        fn table(&self, as_of: &str, options: impl FnOnce(&mut MemberOptions)) -> MemberTable {
            let mut o = MemberOptions {
                as_of: day(as_of),
                thresholds: Thresholds::default(),
                aliases: None,
                checkin_subject: None,
            };
            options(&mut o);
            evaluate(&self.conn, "dc", &o).unwrap()
        }

        /// (person, class) pairs as of `as_of`, default options.
        fn classes(&self, as_of: &str) -> Vec<(String, MemberClass)> {
            self.table(as_of, |_| {})
                .members
                .into_iter()
                .map(|m| (m.person, m.class))
                .collect()
        }
    }

    fn msg(key: &str, from: &str, when: &str) -> MessageRecord {
        let mut m = sample_record(key);
        m.from_addr = Some(from.to_string());
        m.from_name = None;
        m.date = Some(secs(when));
        m
    }

    fn one(person: &str, class: MemberClass) -> Vec<(String, MemberClass)> {
        vec![(person.to_string(), class)]
    }

    #[rstest]
    #[case::post_on_t_late_utc("2025-06-23T23:59:59Z", MemberClass::Active)]
    #[case::post_p_minus_1_days_before("2024-06-24T00:00:00Z", MemberClass::Active)]
    #[case::post_exactly_p_days_before("2024-06-23T23:59:59Z", MemberClass::Observer)]
    // 23:30 at UTC−5 is 04:30 the next UTC day: 364 days before T, not 365.
    #[case::post_moved_into_the_period_by_its_zone(
        "2024-06-23T23:30:00-05:00",
        MemberClass::Active
    )]
    // 00:30 at UTC+2 is 22:30 the previous UTC day: out of the period.
    #[case::post_moved_out_of_the_period_by_its_zone(
        "2024-06-24T00:30:00+02:00",
        MemberClass::Observer
    )]
    #[case::post_d_minus_1_days_before("2023-06-25T00:00:00Z", MemberClass::Observer)]
    #[case::post_exactly_d_days_before("2023-06-24T12:00:00Z", MemberClass::Dormant)]
    fn posts_are_compared_by_utc_day(#[case] when: &str, #[case] want: MemberClass) {
        let mut db = Db::new();
        db.post("m1", "jane@a.org", when);
        assert_eq!(db.classes("2025-06-23"), one("jane@a.org", want));
    }

    #[test]
    fn nothing_after_t_exists() {
        let mut db = Db::new();
        db.post("m1", "jane@a.org", "2025-06-24T00:00:00Z");
        db.roster("address,joined\nbob@b.org,2025-06-24\n", "2025-07-01");
        assert_eq!(db.classes("2025-06-23"), vec![]);
        db.post("m0", "jane@a.org", "2020-01-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1, "a join date after T makes no member");
        let jane = &t.members[0];
        assert_eq!(
            (jane.posts_total, jane.last_post),
            (1, Some(day("2020-01-01")))
        );
    }

    #[test]
    fn set_aside_messages_never_count_and_make_no_member() {
        let mut db = Db::new();
        let mut auto = msg("a1", "jane@a.org", "2025-06-01T00:00:00Z");
        auto.set_aside = Some(SetAside::AutoReplySubject);
        let mut list = msg("l1", "dc-list-bounces@lists.org", "2025-06-01T00:00:00Z");
        list.set_aside = Some(SetAside::ListSoftware);
        db.file(vec![
            auto,
            list,
            msg("p1", "jane@a.org", "2020-01-01T00:00:00Z"),
        ]);
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1);
        assert_eq!(t.members[0].person, "jane@a.org");
        assert_eq!(t.members[0].class, MemberClass::Dormant);
        assert_eq!(t.members[0].posts_total, 1);
    }

    #[test]
    fn declared_observer_on_the_roster_who_never_posts() {
        let mut db = Db::new();
        db.roster(
            "address,status\nobs@a.org,observer\nsilent@a.org,full\n",
            "2020-01-01",
        );
        let t = db.table("2025-06-23", |_| {});
        let got: Vec<_> = t
            .members
            .iter()
            .map(|m| (m.person.as_str(), m.class, m.on_roster))
            .collect();
        assert_eq!(
            got,
            [
                ("obs@a.org", MemberClass::Observer, true),
                ("silent@a.org", MemberClass::Dormant, true)
            ]
        );
    }

    /// A check-in message and replies: the replies are responses, not posts.
    fn checkin_db() -> Db {
        let mut db = Db::new();
        let mut call = msg("call", "coord@a.org", "2025-01-10T09:00:00Z");
        call.subject = Some("Re: [DC] ANNUAL Check-in 2025".into());
        let mut full = msg("r1", "jane@a.org", "2025-01-11T09:00:00Z");
        full.in_reply_to = Some("call".into());
        // The quoted call says "observer"; ingest leaves says_observer false.
        full.says_observer = false;
        let mut obs = msg("r2", "bob@b.org", "2025-01-12T09:00:00Z");
        obs.references = vec!["other".into(), "call".into()];
        obs.says_observer = true;
        let mut later = msg("later", "coord@a.org", "2026-01-10T09:00:00Z");
        later.subject = Some("annual check-in 2025 (reminder)".into());
        db.file(vec![later, call, full, obs]);
        db
    }

    #[test]
    fn check_in_replies_are_responses_not_posts() {
        let db = checkin_db();
        let t = db.table("2025-06-23", |o| {
            o.checkin_subject = Some("annual check-in".into())
        });
        let got: Vec<_> = t
            .members
            .iter()
            .map(|m| {
                (
                    m.person.as_str(),
                    m.class,
                    m.posts_total,
                    m.last_checkin,
                    m.checkin_status,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("coord@a.org", MemberClass::Active, 1, None, None),
                (
                    "bob@b.org",
                    MemberClass::Observer,
                    0,
                    Some(day("2025-01-12")),
                    Some(CheckinStatus::Observer)
                ),
                (
                    "jane@a.org",
                    MemberClass::Observer,
                    0,
                    Some(day("2025-01-11")),
                    Some(CheckinStatus::Full)
                ),
            ]
        );
        // Without the subject, the replies are ordinary posts.
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(
            t.counts,
            ClassCounts {
                active: 3,
                observer: 0,
                dormant: 0
            }
        );
    }

    #[test]
    fn leave_then_a_later_post_or_a_post_the_same_day() {
        let mut db = Db::new();
        db.post("p1", "same@a.org", "2025-03-01T10:00:00Z");
        db.post("p2", "later@a.org", "2025-03-02T00:00:00Z");
        db.post("p3", "gone@a.org", "2024-06-01T00:00:00Z");
        db.checkins("address,date,status\nsame@a.org,2025-03-01,leave\nlater@a.org,2025-03-01,leave\ngone@a.org,2025-03-01,leave\n");
        assert_eq!(
            db.classes("2025-06-23"),
            one("later@a.org", MemberClass::Active)
        );
        // Before the leave, gone@ was a member; the other posts lie after T.
        assert_eq!(
            db.classes("2025-02-28"),
            one("gone@a.org", MemberClass::Active)
        );
        // On the leave's day the same-day post does not bring same@ back.
        assert_eq!(db.classes("2025-03-01"), vec![]);
    }

    #[test]
    fn two_addresses_joined_by_an_alias_are_one_person() {
        let mut db = Db::new();
        db.post("p1", "jane@work.org", "2025-06-01T00:00:00Z");
        db.post("p2", "jane.doe@home.net", "2020-06-01T00:00:00Z");
        db.roster("address,status\njane.doe@home.net,observer\n", "2019-01-01");
        let aliases = db.dir.path().join("aliases.txt");
        std::fs::write(&aliases, "# Jane\nJane@Work.org, jane.doe at home.net\n").unwrap();
        let t = db.table("2025-06-23", |o| o.aliases = Some(aliases.clone()));
        assert_eq!(t.members.len(), 1);
        let jane = &t.members[0];
        assert_eq!(jane.person, "jane.doe@home.net");
        assert_eq!(jane.addresses, ["jane.doe@home.net", "jane@work.org"]);
        assert_eq!(
            (jane.class, jane.posts_total, jane.on_roster),
            (MemberClass::Active, 2, true)
        );
        assert_eq!(jane.first_post, Some(day("2020-06-01")));
        // Without the aliases they are two persons, suggested as duplicates
        // only when something ties them.
        assert_eq!(db.table("2025-06-23", |_| {}).members.len(), 2);
    }

    #[test]
    fn likely_duplicates_are_suggested_never_merged() {
        let mut db = Db::new();
        let mut a = msg("p1", "jane@work.org", "2025-06-01T00:00:00Z");
        a.from_name = Some("Jane Doe".into());
        let mut b = msg("p2", "jdoe@home.net", "2025-06-01T00:00:00Z");
        b.from_name = Some("jane  doe".into());
        db.file(vec![
            a,
            b,
            msg("p3", "jane@home.net", "2025-06-01T00:00:00Z"),
        ]);
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 3);
        assert_eq!(
            t.duplicate_suggestions,
            [
                DuplicateSuggestion {
                    why: "same local part \"jane\" at different domains".into(),
                    persons: vec!["jane@home.net".into(), "jane@work.org".into()]
                },
                DuplicateSuggestion {
                    why: "same name \"jane doe\"".into(),
                    persons: vec!["jane@work.org".into(), "jdoe@home.net".into()]
                },
            ]
        );
    }

    #[test]
    fn history_at_anniversaries_including_29_february() {
        let mut db = Db::new();
        db.post("p1", "old@a.org", "2021-03-01T00:00:00Z");
        db.post("p2", "new@a.org", "2024-02-29T12:00:00Z");
        let o = MemberOptions {
            as_of: day("2024-02-29"),
            thresholds: Thresholds::default(),
            aliases: None,
            checkin_subject: None,
        };
        let h = history(&db.conn, "dc", &o).unwrap();
        let got: Vec<_> = h
            .iter()
            .map(|p| {
                (
                    p.date.to_string(),
                    p.counts.active,
                    p.counts.observer,
                    p.counts.dormant,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // 2021-02-28 lies before the first message: history stops.
                ("2022-02-28".to_string(), 1, 0, 0),
                ("2023-02-28".to_string(), 0, 1, 0),
                ("2024-02-29".to_string(), 1, 0, 1),
            ]
        );
    }

    #[test]
    fn the_table_is_the_same_whatever_the_ingest_order() {
        let records = || {
            let mut call = msg("call", "coord@a.org", "2025-01-10T09:00:00Z");
            call.subject = Some("Annual check-in 2025".into());
            let mut reply = msg("r1", "jane@a.org", "2025-01-11T09:00:00Z");
            reply.in_reply_to = Some("call".into());
            vec![
                call,
                reply,
                msg("p1", "bob@b.org", "2023-01-01T00:00:00Z"),
                msg("p2", "bob@b.org", "2025-05-01T00:00:00Z"),
                msg("p3", "al@c.org", "2021-01-01T00:00:00Z"),
            ]
        };
        let render = |db: &Db| {
            let t = db.table("2025-06-23", |o| {
                o.checkin_subject = Some("check-in".into())
            });
            (to_csv(&t), t.counts)
        };
        let mut once = Db::new();
        once.file(records());
        let want = render(&once);
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 3, 0, 4, 2]] {
            let mut db = Db::new();
            let all = records();
            for i in order {
                db.file(vec![all[i].clone()]);
            }
            // Overlapping archives: everything again adds nothing.
            db.file(records());
            assert_eq!(render(&db), want, "order {order:?}");
        }
    }

    #[test]
    fn csv_quotes_reasons_and_leaves_unknown_dates_empty() {
        let mut db = Db::new();
        db.post("p1", "jane@a.org", "2023-04-03T10:00:00Z");
        let csv = to_csv(&db.table("2025-06-23", |_| {}));
        assert_eq!(
            csv,
            "coalition,person,addresses,class,reason,posts_in_period,posts_total,first_post,last_post,last_checkin,checkin_status,on_roster\n\
             dc,jane@a.org,jane@a.org,dormant,\"dormant: last post 2023-04-03, 812 days before 2025-06-23; threshold 730\",0,1,2023-04-03,2023-04-03,,,false\n"
        );
    }

    #[test]
    fn an_unknown_coalition_lists_the_known_ones() {
        let db = Db::new();
        let o = MemberOptions {
            as_of: day("2025-06-23"),
            thresholds: Thresholds::default(),
            aliases: None,
            checkin_subject: None,
        };
        let err = evaluate(&db.conn, "nope", &o).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "no coalition 'nope' in the database (known: dc)"
        );
    }
}
