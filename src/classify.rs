//! The domain rules: a pure function of (activity, roster, check-ins,
//! thresholds, as-of date) to a class and a reason (DESIGN.md, "Classes").
//!
//! This module knows nothing of SQL or files: [`crate::members`] gathers one
//! [`Evidence`] per person as of T (nothing dated after T in it) and calls
//! [`classify`]. The day arithmetic ([`in_window`], [`window_start`],
//! [`anniversaries`]) lives here too, so the SQL bounds and the rules cannot
//! disagree about a boundary.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The three classes of DESIGN.md, in the order tables sort them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberClass {
    /// At least N counted posts in the check-in period.
    Active,
    /// Declared observer, or some sign of life within the inactivity threshold.
    Observer,
    /// Neither: a candidate to contact, never removed by the tool.
    Dormant,
}

impl MemberClass {
    /// The lower-case name used in CSV, JSON and reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberClass::Active => "active",
            MemberClass::Observer => "observer",
            MemberClass::Dormant => "dormant",
        }
    }
}

/// A check-in response status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckinStatus {
    /// A full member.
    Full,
    /// Happy to receive news; must not be penalised.
    Observer,
    /// Leaving: out of the universe from this day on.
    Leave,
}

impl CheckinStatus {
    /// The lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinStatus::Full => "full",
            CheckinStatus::Observer => "observer",
            CheckinStatus::Leave => "leave",
        }
    }
}

/// P, D and N of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// The check-in period P, in days (default 365).
    pub period_days: u32,
    /// The inactivity threshold D, in days (default 730).
    pub inactivity_days: u32,
    /// The minimum number of counted posts N (default 1).
    pub min_posts: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            period_days: 365,
            inactivity_days: 730,
            min_posts: 1,
        }
    }
}

/// Counts per class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassCounts {
    /// Members classified active.
    pub active: u64,
    /// Members classified observer.
    pub observer: u64,
    /// Members classified dormant.
    pub dormant: u64,
}

impl ClassCounts {
    /// All members.
    pub fn total(&self) -> u64 {
        self.active + self.observer + self.dormant
    }

    /// Adds one member of `class`.
    pub fn add(&mut self, class: MemberClass) {
        match class {
            MemberClass::Active => self.active += 1,
            MemberClass::Observer => self.observer += 1,
            MemberClass::Dormant => self.dormant += 1,
        }
    }
}

/// A UTC calendar day.
pub type Day = NaiveDate;

/// DESIGN.md: "All comparisons are by UTC calendar day: a day *d* lies in
/// (*T* − *X*, *T*] when 0 ≤ *T* − *d* < *X* days."
///
/// ```
/// use chrono::NaiveDate;
/// use listpulse::classify::in_window;
/// let t = NaiveDate::from_ymd_opt(2025, 6, 23).unwrap();
/// assert!(in_window(t, t, 365));
/// assert!(in_window(t - chrono::Days::new(364), t, 365));
/// assert!(!in_window(t - chrono::Days::new(365), t, 365));
/// assert!(!in_window(t + chrono::Days::new(1), t, 365));
/// ```
pub fn in_window(day: Day, as_of: Day, days: u32) -> bool {
    let diff = (as_of - day).num_days();
    0 <= diff && diff < i64::from(days)
}

/// The first day of (*T* − *X*, *T*]: *T* − (*X* − 1). SQL selects
/// `date >= start of this day` and `date < start of T + 1`.
pub fn window_start(as_of: Day, days: u32) -> Day {
    as_of - chrono::Days::new(u64::from(days.max(1)) - 1)
}

/// DESIGN.md, "History": "*T* and each anniversary before it (*T* − 1 year,
/// *T* − 2 years, …; 29 February becomes 28 February), back to the first
/// message". Oldest first; always holds at least *T*. Each anniversary is
/// taken from *T* itself, so 29 Feb 2024 gives 28 Feb 2023 and 29 Feb 2020.
pub fn anniversaries(as_of: Day, first: Option<Day>) -> Vec<Day> {
    let mut out = vec![as_of];
    if let Some(first) = first {
        for back in 1.. {
            let year = as_of.year() - back;
            let day = NaiveDate::from_ymd_opt(year, as_of.month(), as_of.day())
                .or_else(|| NaiveDate::from_ymd_opt(year, as_of.month(), as_of.day() - 1));
            match day {
                Some(day) if day >= first => out.push(day),
                _ => break,
            }
        }
    }
    out.reverse();
    out
}

/// A person's standing on the roster as of T.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RosterStanding {
    /// A roster row is in force at T.
    pub on_roster: bool,
    /// Their earliest join date, if any and not after T.
    pub joined: Option<Day>,
    /// The roster row in force declares `observer`.
    pub declared_observer: bool,
}

/// Everything the rules look at for one person, as of T. The caller has
/// already dropped whatever is dated after T ("Nothing dated after *T* exists
/// for the evaluation").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evidence {
    /// Sent the coalition a message that is not set aside (dated ≤ T, or undated).
    pub sent_message: bool,
    /// Counted posts in (T − P, T].
    pub posts_in_period: u64,
    /// Counted posts up to T.
    pub posts_total: u64,
    /// Day of the last counted post.
    pub last_post: Option<Day>,
    /// The latest check-in response up to T, any status.
    pub latest_response: Option<(Day, CheckinStatus)>,
    /// The day of the latest `leave` response up to T.
    pub latest_leave: Option<Day>,
    /// Roster standing.
    pub roster: RosterStanding,
}

impl Evidence {
    /// "their latest sign of life — a counted post, a check-in response of any
    /// status, or the roster's join date". On a tie the post is named.
    pub fn last_sign_of_life(&self) -> Option<(Day, SignOfLife)> {
        let candidates = [
            self.last_post.map(|d| (d, SignOfLife::Post)),
            self.latest_response.map(|(d, _)| (d, SignOfLife::Checkin)),
            self.roster.joined.map(|d| (d, SignOfLife::Joined)),
        ];
        // max_by_key keeps the last of equal keys: order ties by preference.
        candidates
            .into_iter()
            .flatten()
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
    }
}

/// What a sign of life was, for reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SignOfLife {
    /// A counted post.
    Post,
    /// A check-in response.
    Checkin,
    /// The roster join date.
    Joined,
}

impl SignOfLife {
    fn describe(self) -> &'static str {
        match self {
            SignOfLife::Post => "last post",
            SignOfLife::Checkin => "last check-in response",
            SignOfLife::Joined => "joined the roster",
        }
    }
}

/// A class and the one-line reason a coordinator reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The class.
    pub class: MemberClass,
    /// E.g. `dormant: last post 2023-04-02, 812 days before 2025-06-23; threshold 730`.
    pub reason: String,
}

/// Whether the person belongs to the member universe at T.
///
/// DESIGN.md, "Member universe": "everyone on its roster (when one is given)
/// plus everyone who ever sent its lists a message that is not set aside
/// [...] a check-in row alone makes no one a member". And "A `leave`
/// response removes the member from the universe from its date on (a post or
/// response on a strictly later UTC day brings them back)."
pub fn in_universe(e: &Evidence) -> bool {
    if !(e.roster.on_roster || e.sent_message) {
        return false;
    }
    match e.latest_leave {
        None => true,
        Some(left) => {
            let later = |d: Option<Day>| d.is_some_and(|d| d > left);
            later(e.last_post) || later(e.latest_response.map(|(d, _)| d))
        }
    }
}

/// Classifies one person as of `as_of`; `None` when they are not in the
/// member universe (see [`in_universe`]).
pub fn classify(e: &Evidence, as_of: Day, t: &Thresholds) -> Option<Verdict> {
    if !in_universe(e) {
        return None;
    }
    // 1. "active: at least N counted posts in (T − P, T]."
    if e.posts_in_period >= u64::from(t.min_posts) {
        let last = e
            .last_post
            .map(|d| format!(" (last {d})"))
            .unwrap_or_default();
        return Some(Verdict {
            class: MemberClass::Active,
            reason: format!(
                "active: {} post{} in the last {} days{last}; minimum {}",
                e.posts_in_period,
                plural(e.posts_in_period),
                t.period_days,
                t.min_posts
            ),
        });
    }
    // 2. "observer: not active, and either they declared observer status — on
    //    the roster (no expiry), or in their latest check-in response in
    //    (T − P, T] — ..."
    if e.roster.declared_observer {
        return Some(Verdict {
            class: MemberClass::Observer,
            reason: "observer: declared observer on the roster".to_string(),
        });
    }
    if let Some((day, CheckinStatus::Observer)) = e.latest_response
        && in_window(day, as_of, t.period_days)
    {
        return Some(Verdict {
            class: MemberClass::Observer,
            reason: format!(
                "observer: check-in response 'observer' on {day}, within the {}-day check-in period",
                t.period_days
            ),
        });
    }
    // "... or their latest sign of life — a counted post, a check-in response
    //  of any status, or the roster's join date — lies in (T − D, T]."
    let sign = e.last_sign_of_life();
    if let Some((day, kind)) = sign
        && in_window(day, as_of, t.inactivity_days)
    {
        return Some(Verdict {
            class: MemberClass::Observer,
            reason: format!(
                "observer: {} {day}, {} days before {as_of}; threshold {}",
                kind.describe(),
                (as_of - day).num_days(),
                t.inactivity_days
            ),
        });
    }
    // 3. "dormant: neither."
    let reason = match sign {
        Some((day, kind)) => format!(
            "dormant: {} {day}, {} days before {as_of}; threshold {}",
            kind.describe(),
            (as_of - day).num_days(),
            t.inactivity_days
        ),
        None => "dormant: no dated post, check-in response or join date".to_string(),
    };
    Some(Verdict {
        class: MemberClass::Dormant,
        reason,
    })
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
