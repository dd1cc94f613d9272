//! The member table: loads a coalition's activity, rosters and check-ins from
//! the store, groups addresses into persons ([`crate::identity`]), and applies
//! [`crate::classify`]. `MemberRow` is the contract with `report`.
//!
//! Loading is set-based: one aggregate query per address over `messages`
//! (counts and first/last day, bounded by T and the period), one over the
//! roster, one over check-ins. Rust then only merges per address, so the cost
//! follows the number of members, not of messages.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
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
    classify::anniversaries(options.as_of, first)
        .into_iter()
        .map(|date| {
            let mut counts = ClassCounts::default();
            for m in ctx.rows_at(conn, date)? {
                counts.add(m.class);
            }
            Ok(HistoryPoint { date, counts })
        })
        .collect()
}

/// What stays the same across evaluation days.
struct Evaluation {
    coalition: String,
    coalition_id: i64,
    thresholds: Thresholds,
    aliases: Aliases,
    checkin: Option<String>,
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
        Ok(Evaluation {
            coalition: coalition.to_string(),
            coalition_id,
            thresholds: options.thresholds,
            aliases,
            checkin,
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
        let sql = format!(
            "SELECT from_addr, sum(c), sum(c AND date >= ?4),
                    min(CASE WHEN c THEN date END), max(CASE WHEN c THEN date END),
                    max(set_aside IS NULL)
             FROM (SELECT m.from_addr, m.date, m.set_aside,
                          (m.set_aside IS NULL AND m.date IS NOT NULL AND NOT {}) AS c
                   FROM messages m
                   WHERE m.coalition_id = ?1 AND m.from_addr IS NOT NULL
                     AND (m.date IS NULL OR m.date < ?3))
             GROUP BY from_addr",
            checkins::IS_CHECKIN_REPLY
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
        let roster = rosters::entries_as_of(conn, self.coalition_id, as_of)
            .context("reading roster snapshots")?;
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
    let persons: Vec<(String, Vec<String>, Vec<String>)> = members
        .iter()
        .map(|m| {
            let n = m
                .addresses
                .iter()
                .flat_map(|a| names.get(a).cloned().unwrap_or_default())
                .collect();
            (m.person.clone(), m.addresses.clone(), n)
        })
        .collect();
    let mut out: BTreeMap<(String, Vec<String>), ()> = BTreeMap::new();
    for (why, persons) in identity::suggest_duplicates(&persons) {
        out.insert((why, persons), ());
    }
    Ok(out
        .into_keys()
        .map(|(why, persons)| DuplicateSuggestion { why, persons })
        .collect())
}
