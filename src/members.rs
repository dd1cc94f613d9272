//! The member table: loads a coalition's activity, rosters and check-ins from
//! the store, groups addresses into persons, and applies [`crate::classify`].
//! (Filled in by the classification work; `MemberRow` is the contract with
//! `report`.)

use chrono::NaiveDate;
use serde::Serialize;

use crate::classify::{CheckinStatus, ClassCounts, MemberClass, Thresholds};

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

/// The member table of `coalition` (a slug) as of `options.as_of`.
pub fn evaluate(
    _conn: &rusqlite::Connection,
    coalition: &str,
    options: &MemberOptions,
) -> anyhow::Result<MemberTable> {
    Ok(MemberTable {
        coalition: coalition.to_string(),
        as_of: options.as_of,
        thresholds: options.thresholds,
        members: vec![],
        counts: ClassCounts::default(),
        duplicate_suggestions: vec![],
    })
}

/// Class counts at T and each anniversary before it, back to the first
/// message (DESIGN.md, "History"), oldest first.
pub fn history(
    _conn: &rusqlite::Connection,
    _coalition: &str,
    _options: &MemberOptions,
) -> anyhow::Result<Vec<HistoryPoint>> {
    Ok(vec![])
}
