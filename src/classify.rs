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
///
/// Readings chosen where DESIGN.md leaves room:
/// - "a member gone from the roster stays in the universe only through later
///   posts" is read with the universe sentence ("everyone who ever sent"):
///   someone whose roster row has ended stays a member if they ever sent a
///   counted-or-response message up to T, not only if they posted after the
///   row ended (the scenario's trent@).
/// - A check-in *reply* found in the archive is a message sent to the list
///   that is not set aside, so it makes its sender a member; only a check-in
///   *CSV row* alone does not.
/// - Only a later post or response brings a leaver back; a later roster
///   snapshot still holding them does not (the scenario's ivan@).
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
            // The reason names the rule ("recent sign of life") so a
            // coordinator can tell it from a declaration.
            reason: format!(
                "observer: recent sign of life, {} {day}, {} days before {as_of}; threshold {}",
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// T for every case: 2025-06-23.
    fn t() -> Day {
        NaiveDate::from_ymd_opt(2025, 6, 23).unwrap()
    }

    fn ago(days: i64) -> Day {
        t() - chrono::Duration::days(days)
    }

    /// Evidence from posts given as days before T, the way `members`
    /// aggregates them.
    fn posts(days_before: &[i64], p: u32) -> Evidence {
        let days: Vec<Day> = days_before.iter().map(|&d| ago(d)).collect();
        Evidence {
            sent_message: !days.is_empty(),
            posts_in_period: days.iter().filter(|&&d| in_window(d, t(), p)).count() as u64,
            posts_total: days.len() as u64,
            last_post: days.iter().copied().max(),
            ..Evidence::default()
        }
    }

    fn th(p: u32, d: u32, n: u32) -> Thresholds {
        Thresholds {
            period_days: p,
            inactivity_days: d,
            min_posts: n,
        }
    }

    #[rstest]
    #[case::post_on_t(&[0], MemberClass::Active)]
    #[case::post_p_minus_1_days_before(&[364], MemberClass::Active)]
    #[case::post_exactly_p_days_before(&[365], MemberClass::Observer)]
    #[case::post_d_minus_1_days_before(&[729], MemberClass::Observer)]
    #[case::post_exactly_d_days_before(&[730], MemberClass::Dormant)]
    #[case::old_and_recent_posts(&[2000, 10], MemberClass::Active)]
    fn posts_at_the_boundaries(#[case] days_before: &[i64], #[case] want: MemberClass) {
        let e = posts(days_before, 365);
        let v = classify(&e, t(), &th(365, 730, 1)).unwrap();
        assert_eq!(v.class, want, "{}", v.reason);
    }

    #[test]
    fn fewer_than_n_posts_in_the_period_is_not_active() {
        let e = posts(&[1, 2], 365);
        let v = classify(&e, t(), &th(365, 730, 3)).unwrap();
        assert_eq!(v.class, MemberClass::Observer);
        let e = posts(&[1, 2, 3], 365);
        assert_eq!(
            classify(&e, t(), &th(365, 730, 3)).unwrap().class,
            MemberClass::Active
        );
    }

    #[rstest]
    // D is short here so only the declaration can make them observers.
    #[case::observer_response_inside_period(364, CheckinStatus::Observer, MemberClass::Observer)]
    #[case::observer_response_on_t(0, CheckinStatus::Observer, MemberClass::Observer)]
    #[case::observer_response_outside_period(365, CheckinStatus::Observer, MemberClass::Dormant)]
    #[case::full_response_is_only_a_sign_of_life(50, CheckinStatus::Full, MemberClass::Dormant)]
    #[case::full_response_within_d(20, CheckinStatus::Full, MemberClass::Observer)]
    fn check_in_responses(
        #[case] days_before: i64,
        #[case] status: CheckinStatus,
        #[case] want: MemberClass,
    ) {
        let e = Evidence {
            roster: RosterStanding {
                on_roster: true,
                ..Default::default()
            },
            latest_response: Some((ago(days_before), status)),
            ..Evidence::default()
        };
        let v = classify(&e, t(), &th(365, 30, 1)).unwrap();
        assert_eq!(v.class, want, "{}", v.reason);
    }

    #[test]
    fn declared_observer_on_the_roster_never_expires() {
        let e = Evidence {
            roster: RosterStanding {
                on_roster: true,
                joined: Some(ago(5000)),
                declared_observer: true,
            },
            ..Evidence::default()
        };
        let v = classify(&e, t(), &Thresholds::default()).unwrap();
        assert_eq!(
            (v.class, v.reason.as_str()),
            (
                MemberClass::Observer,
                "observer: declared observer on the roster"
            )
        );
    }

    #[rstest]
    #[case::join_within_d(729, MemberClass::Observer)]
    #[case::join_exactly_d(730, MemberClass::Dormant)]
    fn the_join_date_is_a_sign_of_life(#[case] days_before: i64, #[case] want: MemberClass) {
        let e = Evidence {
            roster: RosterStanding {
                on_roster: true,
                joined: Some(ago(days_before)),
                declared_observer: false,
            },
            ..Evidence::default()
        };
        assert_eq!(
            classify(&e, t(), &Thresholds::default()).unwrap().class,
            want
        );
    }

    #[rstest]
    #[case::leave_and_nothing_after(Some(10), None, false)]
    #[case::leave_then_post_a_later_day(Some(10), Some(9), true)]
    #[case::leave_and_post_the_same_day(Some(10), Some(10), false)]
    #[case::post_then_leave(Some(10), Some(11), false)]
    #[case::no_leave(None, Some(11), true)]
    fn leave_removes_until_a_later_day(
        #[case] leave_ago: Option<i64>,
        #[case] post_ago: Option<i64>,
        #[case] member: bool,
    ) {
        let mut e = posts(&post_ago.into_iter().collect::<Vec<_>>(), 365);
        e.roster.on_roster = true;
        if let Some(l) = leave_ago {
            e.latest_leave = Some(ago(l));
            e.latest_response = Some((ago(l), CheckinStatus::Leave));
        }
        assert_eq!(classify(&e, t(), &Thresholds::default()).is_some(), member);
    }

    #[test]
    fn a_later_response_also_brings_a_leaver_back() {
        let e = Evidence {
            sent_message: true,
            latest_leave: Some(ago(10)),
            latest_response: Some((ago(9), CheckinStatus::Full)),
            ..Evidence::default()
        };
        assert_eq!(
            classify(&e, t(), &Thresholds::default()).unwrap().class,
            MemberClass::Observer
        );
    }

    #[rstest]
    #[case::check_in_row_alone(Evidence { latest_response: Some((ago(1), CheckinStatus::Full)), ..Evidence::default() })]
    #[case::nothing(Evidence::default())]
    fn not_members(#[case] e: Evidence) {
        assert_eq!(classify(&e, t(), &Thresholds::default()), None);
    }

    #[rstest]
    // DESIGN.md's example says "last post 2023-04-02, 812 days before
    // 2025-06-23", but that day is 813 days before; the format is what counts.
    #[case::dormant_post(&[812], "dormant: last post 2023-04-03, 812 days before 2025-06-23; threshold 730")]
    #[case::observer_post(&[400], "observer: recent sign of life, last post 2024-05-19, 400 days before 2025-06-23; threshold 730")]
    #[case::active(&[3, 30], "active: 2 posts in the last 365 days (last 2025-06-20); minimum 1")]
    fn reasons_read_as_a_sentence(#[case] days_before: &[i64], #[case] want: &str) {
        let v = classify(&posts(days_before, 365), t(), &Thresholds::default()).unwrap();
        assert_eq!(v.reason, want);
    }

    #[test]
    fn undated_sender_is_a_dormant_member() {
        let e = Evidence {
            sent_message: true,
            ..Evidence::default()
        };
        let v = classify(&e, t(), &Thresholds::default()).unwrap();
        assert_eq!(
            (v.class, v.reason.as_str()),
            (
                MemberClass::Dormant,
                "dormant: no dated post, check-in response or join date"
            )
        );
    }

    fn d(y: i32, m: u32, day: u32) -> Day {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[rstest]
    #[case::plain(d(2025, 6, 23), Some(d(2023, 6, 23)), vec![d(2023, 6, 23), d(2024, 6, 23), d(2025, 6, 23)])]
    #[case::first_message_a_day_late(d(2025, 6, 23), Some(d(2023, 6, 24)), vec![d(2024, 6, 23), d(2025, 6, 23)])]
    #[case::leap_day(d(2024, 2, 29), Some(d(2020, 1, 1)), vec![d(2020, 2, 29), d(2021, 2, 28), d(2022, 2, 28), d(2023, 2, 28), d(2024, 2, 29)])]
    #[case::no_messages(d(2025, 6, 23), None, vec![d(2025, 6, 23)])]
    #[case::first_message_after_t(d(2025, 6, 23), Some(d(2026, 1, 1)), vec![d(2025, 6, 23)])]
    fn history_days_are_anniversaries(
        #[case] t: Day,
        #[case] first: Option<Day>,
        #[case] want: Vec<Day>,
    ) {
        assert_eq!(anniversaries(t, first), want);
    }
}
