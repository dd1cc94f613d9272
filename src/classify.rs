//! The domain rules: a pure function of (activity, roster, check-ins,
//! thresholds, as-of date) to a class and a reason (DESIGN.md, "Classes").
//!
//! This module knows nothing of SQL or files: [`crate::members`] gathers one
//! [`Evidence`] per person as of T (nothing dated after T in it) and calls
//! [`standing`], which decides first whether the person is a member at all
//! (DESIGN.md, "Member universe") and then their class. Day arithmetic is
//! [`crate::day`]'s, so the SQL bounds and the rules cannot disagree about a
//! boundary.

use serde::Serialize;

pub use crate::day::Day;
use crate::day::in_window;

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

    /// Reads a status as written in files (any case).
    pub fn parse(text: &str) -> Option<CheckinStatus> {
        match text.trim().to_lowercase().as_str() {
            "full" => Some(CheckinStatus::Full),
            "observer" => Some(CheckinStatus::Observer),
            "leave" => Some(CheckinStatus::Leave),
            _ => None,
        }
    }

    /// Two responses on one day: the more restrictive wins (leave, then
    /// observer, then full).
    pub fn rank(self) -> u8 {
        match self {
            CheckinStatus::Full => 0,
            CheckinStatus::Observer => 1,
            CheckinStatus::Leave => 2,
        }
    }
}

/// P, D, N and F of DESIGN.md ("Thresholds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// The check-in period P, in days (default 365).
    pub period_days: u32,
    /// The inactivity threshold D, in days (default 730).
    pub inactivity_days: u32,
    /// The minimum number of counted posts N (default 1).
    pub min_posts: u32,
    /// The "former after" horizon F, in days (default 1825, five years; never
    /// less than D): without a roster, who is a member at all.
    pub former_after_days: u32,
    /// The warning window W, in days (default 90): a member who would be
    /// dormant at T + W is "turning dormant".
    pub warn_within_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            period_days: 365,
            inactivity_days: 730,
            min_posts: 1,
            former_after_days: DEFAULT_FORMER_AFTER,
            warn_within_days: DEFAULT_WARN_WITHIN,
        }
    }
}

/// W's default: 90 days.
pub const DEFAULT_WARN_WITHIN: u32 = 90;

/// F's default: five years of 365 days.
pub const DEFAULT_FORMER_AFTER: u32 = 1825;

impl Thresholds {
    /// DESIGN.md: F is "never less than *D*". The message says what to change.
    pub fn check(&self) -> Result<(), String> {
        if self.former_after_days < self.inactivity_days {
            return Err(format!(
                "former_after ({}d) is shorter than inactivity ({}d): someone \
                 silent past the former-after horizon would still be a dormant member; \
                 make former_after at least as long",
                self.former_after_days, self.inactivity_days
            ));
        }
        Ok(())
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
    /// The same in a few words for a table cell, e.g. `silent 812 days`.
    pub short: String,
}

/// Where a person stands at T: a member with a class, a former participant,
/// or neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// In the member universe, with their class.
    Member(Verdict),
    /// Sent a counted post or a check-in response up to T, but is not a
    /// member (silent past the horizon, or left): listed apart, counted nowhere.
    Former,
    /// Nothing that makes a participant: only set-aside or undated messages,
    /// or a roster row that does not exist at T.
    Outside,
}

impl Evidence {
    /// The latest counted post or check-in response: what keeps someone off
    /// the roster in the universe (a join date is a roster fact).
    pub fn last_participation(&self) -> Option<Day> {
        self.last_post.max(self.latest_response.map(|(d, _)| d))
    }

    /// DESIGN.md: "A `leave` response removes the member from the universe
    /// from its date on (a post or response on a strictly later UTC day
    /// brings them back)." Only a post or response brings a leaver back; a
    /// later roster snapshot still holding them does not.
    pub fn has_left(&self) -> bool {
        match self.latest_leave {
            None => false,
            Some(left) => {
                let later = |d: Option<Day>| d.is_some_and(|d| d > left);
                !(later(self.last_post) || later(self.latest_response.map(|(d, _)| d)))
            }
        }
    }
}

/// Whether the person is a member at T, and if so their class.
///
/// DESIGN.md, "Member universe": "with a roster at *T* [...]: every roster
/// row that exists at *T*, plus everyone not on it whose latest sign of life
/// (a counted post or a check-in response) lies in (*T* − *D*, *T*]";
/// "without a roster: everyone whose latest sign of life lies in
/// (*T* − *F*, *T*]". "Everyone else who sent a counted post or a check-in
/// response up to *T* is a **former participant**". `has_roster` says
/// whether the coalition has a snapshot dated on or before T.
pub fn standing(e: &Evidence, as_of: Day, t: &Thresholds, has_roster: bool) -> Standing {
    let participated = e.last_participation();
    let member = !e.has_left()
        && if has_roster {
            e.roster.on_roster
                || participated.is_some_and(|d| in_window(d, as_of, t.inactivity_days))
        } else {
            participated.is_some_and(|d| in_window(d, as_of, t.former_after_days))
        };
    if member {
        Standing::Member(classify(e, as_of, t))
    } else if participated.is_some() {
        Standing::Former
    } else {
        Standing::Outside
    }
}

/// Classifies a member as of `as_of` (DESIGN.md, "Classes"); whether they
/// are a member at all is [`standing`]'s question.
pub fn classify(e: &Evidence, as_of: Day, t: &Thresholds) -> Verdict {
    // 1. "active: at least N counted posts in (T − P, T]."
    if e.posts_in_period >= u64::from(t.min_posts) {
        let last = e
            .last_post
            .map(|d| format!(" (last {d})"))
            .unwrap_or_default();
        return Verdict {
            class: MemberClass::Active,
            reason: format!(
                "active: {} post{} in the last {} days{last}; minimum {}",
                e.posts_in_period,
                plural(e.posts_in_period),
                t.period_days,
                t.min_posts
            ),
            short: format!(
                "{} post{} in the period",
                e.posts_in_period,
                plural(e.posts_in_period)
            ),
        };
    }
    // 2. "observer: not active, and either they declared observer status — on
    //    the roster (no expiry), or in their latest check-in response in
    //    (T − P, T] — ..."
    if e.roster.declared_observer {
        return Verdict {
            class: MemberClass::Observer,
            reason: "observer: declared observer on the roster".to_string(),
            short: "declared observer".to_string(),
        };
    }
    if let Some((day, CheckinStatus::Observer)) = e.latest_response
        && in_window(day, as_of, t.period_days)
    {
        return Verdict {
            class: MemberClass::Observer,
            reason: format!(
                "observer: check-in response 'observer' on {day}, within the {}-day check-in period",
                t.period_days
            ),
            short: format!("answered observer {day}"),
        };
    }
    // "... or their latest sign of life — a counted post, a check-in response
    //  of any status, or the roster's join date — lies in (T − D, T]."
    let sign = e.last_sign_of_life();
    if let Some((day, kind)) = sign
        && in_window(day, as_of, t.inactivity_days)
    {
        return Verdict {
            class: MemberClass::Observer,
            // The reason names the rule ("recent sign of life") so a
            // coordinator can tell it from a declaration.
            reason: format!(
                "observer: recent sign of life, {} {day}, {} days before {as_of}; threshold {}",
                kind.describe(),
                (as_of - day).num_days(),
                t.inactivity_days
            ),
            short: format!("{} {} days ago", kind.describe(), (as_of - day).num_days()),
        };
    }
    // 3. "dormant: neither."
    let (reason, short) = match sign {
        Some((day, kind)) => (
            format!(
                "dormant: {} {day}, {} days before {as_of}; threshold {}",
                kind.describe(),
                (as_of - day).num_days(),
                t.inactivity_days
            ),
            format!("{} {} days ago", kind.describe(), (as_of - day).num_days()),
        ),
        None => (
            "dormant: no dated post, check-in response or join date".to_string(),
            "no sign of life".to_string(),
        ),
    };
    Verdict {
        class: MemberClass::Dormant,
        reason,
        short,
    }
}

/// A member's status in the check-in round (DESIGN.md, "Check-in round").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RoundStatus {
    /// Answered "full member" (or replied without saying "observer").
    #[serde(rename = "full")]
    Full,
    /// Answered "observer".
    #[serde(rename = "observer")]
    Observer,
    /// Asked to leave.
    #[serde(rename = "leave")]
    Leave,
    /// No answer dated in the round.
    #[serde(rename = "no answer")]
    NoAnswer,
}

impl RoundStatus {
    /// The words used in files and on pages.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Full => "full",
            RoundStatus::Observer => "observer",
            RoundStatus::Leave => "leave",
            RoundStatus::NoAnswer => "no answer",
        }
    }

    /// "their latest response dated in [*R*, *T*]", else `no answer`.
    pub fn from_answer(latest: Option<CheckinStatus>) -> RoundStatus {
        match latest {
            Some(CheckinStatus::Full) => RoundStatus::Full,
            Some(CheckinStatus::Observer) => RoundStatus::Observer,
            Some(CheckinStatus::Leave) => RoundStatus::Leave,
            None => RoundStatus::NoAnswer,
        }
    }
}

/// DESIGN.md, "Turning dormant": "a member who is active or observer at *T*
/// but would be dormant at *T* + *W* if nothing new happened (the same rules,
/// evaluated at *T* + *W* on the evidence up to *T*)". `later` is the
/// member's evidence as it would stand at T + W: the same as at T but with
/// `posts_in_period` counted over (T + W − P, T]; `now` is their class at
/// T. Returns the day they would turn dormant, or `None` when they would not
/// within W (or are dormant already).
pub fn turns_dormant(
    now: MemberClass,
    later: &Evidence,
    as_of: Day,
    t: &Thresholds,
    has_roster: bool,
) -> Option<Day> {
    if now == MemberClass::Dormant {
        return None;
    }
    let end = crate::day::add_days(as_of, t.warn_within_days);
    match standing(later, end, t, has_roster) {
        Standing::Member(v) if v.class == MemberClass::Dormant => {}
        _ => return None,
    }
    // The first day every rule that kept them out of "dormant" has run out:
    // the last sign of life leaves (d − D, d], an observer response leaves
    // (d − P, d], the last post leaves the period. With N > 1 the post bound
    // is an upper bound (the N-th latest post leaves first); it can only
    // matter when P > D, so the day is capped at T + W, where the rules
    // above were checked.
    let bounds = [
        later
            .last_sign_of_life()
            .map(|(d, _)| crate::day::add_days(d, t.inactivity_days)),
        match later.latest_response {
            Some((d, CheckinStatus::Observer)) => Some(crate::day::add_days(d, t.period_days)),
            _ => None,
        },
        later
            .last_post
            .map(|d| crate::day::add_days(d, t.period_days)),
    ];
    let first = crate::day::add_days(as_of, 1);
    Some(
        bounds
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(first)
            .clamp(first, end),
    )
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
        Day::from_ymd_opt(2025, 6, 23).unwrap()
    }

    fn ago(days: i64) -> Day {
        t() - chrono::Duration::days(days)
    }

    /// Evidence from posts given as days before T, the way `members`
    /// aggregates them.
    fn posts(days_before: &[i64], p: u32) -> Evidence {
        let days: Vec<Day> = days_before.iter().map(|&d| ago(d)).collect();
        Evidence {
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
            former_after_days: 1825,
            warn_within_days: 90,
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
        let v = classify(&e, t(), &th(365, 730, 1));
        assert_eq!(v.class, want, "{}", v.reason);
    }

    #[test]
    fn fewer_than_n_posts_in_the_period_is_not_active() {
        let e = posts(&[1, 2], 365);
        let v = classify(&e, t(), &th(365, 730, 3));
        assert_eq!(v.class, MemberClass::Observer);
        let e = posts(&[1, 2, 3], 365);
        assert_eq!(
            classify(&e, t(), &th(365, 730, 3)).class,
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
        let v = classify(&e, t(), &th(365, 30, 1));
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
        let v = classify(&e, t(), &Thresholds::default());
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
        assert_eq!(classify(&e, t(), &Thresholds::default()).class, want);
    }

    /// (on the roster, days since the last post, days since the last
    /// response) → standing, with and without a roster at T.
    fn standing_of(
        on_roster: bool,
        post: Option<i64>,
        response: Option<i64>,
        has_roster: bool,
    ) -> &'static str {
        let mut e = posts(&post.into_iter().collect::<Vec<_>>(), 365);
        e.roster.on_roster = on_roster;
        e.latest_response = response.map(|d| (ago(d), CheckinStatus::Full));
        match standing(&e, t(), &Thresholds::default(), has_roster) {
            Standing::Member(_) => "member",
            Standing::Former => "former",
            Standing::Outside => "outside",
        }
    }

    #[rstest]
    #[case::off_roster_post_at_d_minus_1(false, Some(729), None, true, "member")]
    #[case::off_roster_post_at_d(false, Some(730), None, true, "former")]
    #[case::off_roster_only_a_response_within_d(false, None, Some(729), true, "member")]
    #[case::off_roster_only_a_response_at_d(false, None, Some(730), true, "former")]
    #[case::on_roster_silent_for_ever(true, None, None, true, "member")]
    #[case::on_roster_last_post_long_ago(true, Some(5000), None, true, "member")]
    #[case::no_roster_post_at_f_minus_1(false, Some(1824), None, false, "member")]
    #[case::no_roster_post_at_f(false, Some(1825), None, false, "former")]
    #[case::no_roster_only_a_response_at_f_minus_1(false, None, Some(1824), false, "member")]
    #[case::nothing_at_all(false, None, None, true, "outside")]
    #[case::nothing_without_a_roster(false, None, None, false, "outside")]
    fn the_member_universe_at_its_boundaries(
        #[case] on_roster: bool,
        #[case] post: Option<i64>,
        #[case] response: Option<i64>,
        #[case] has_roster: bool,
        #[case] want: &str,
    ) {
        assert_eq!(standing_of(on_roster, post, response, has_roster), want);
    }

    #[test]
    fn with_a_roster_a_member_off_it_is_never_dormant() {
        for days in 0..730 {
            let e = posts(&[days], 365);
            if let Standing::Member(v) = standing(&e, t(), &Thresholds::default(), true) {
                assert_ne!(v.class, MemberClass::Dormant, "{days}");
            } else {
                panic!("{days} days: not a member");
            }
        }
    }

    #[test]
    fn without_a_roster_dormant_lies_between_d_and_f() {
        let e = posts(&[1000], 365);
        match standing(&e, t(), &Thresholds::default(), false) {
            Standing::Member(v) => assert_eq!(v.class, MemberClass::Dormant),
            other => panic!("{other:?}"),
        }
    }

    #[rstest]
    #[case::leave_and_nothing_after(Some(10), None, "former")]
    #[case::leave_then_post_a_later_day(Some(10), Some(9), "member")]
    #[case::leave_and_post_the_same_day(Some(10), Some(10), "former")]
    #[case::post_then_leave(Some(10), Some(11), "former")]
    #[case::no_leave(None, Some(11), "member")]
    fn leave_removes_until_a_later_day(
        #[case] leave_ago: Option<i64>,
        #[case] post_ago: Option<i64>,
        #[case] want: &str,
    ) {
        let mut e = posts(&post_ago.into_iter().collect::<Vec<_>>(), 365);
        e.roster.on_roster = true;
        if let Some(l) = leave_ago {
            e.latest_leave = Some(ago(l));
            e.latest_response = Some((ago(l), CheckinStatus::Leave));
        }
        let got = match standing(&e, t(), &Thresholds::default(), true) {
            Standing::Member(_) => "member",
            Standing::Former => "former",
            Standing::Outside => "outside",
        };
        assert_eq!(got, want);
    }

    #[test]
    fn a_later_response_also_brings_a_leaver_back() {
        let e = Evidence {
            latest_leave: Some(ago(10)),
            latest_response: Some((ago(9), CheckinStatus::Full)),
            ..Evidence::default()
        };
        match standing(&e, t(), &Thresholds::default(), true) {
            Standing::Member(v) => assert_eq!(v.class, MemberClass::Observer),
            other => panic!("{other:?}"),
        }
    }

    #[rstest]
    // D = 730, W = 90: the last post leaves (d − D, d] on post + 730.
    #[case::dormant_exactly_at_t_plus_w(640, Some(90))]
    #[case::a_day_later(639, None)]
    #[case::already_past_d(800, None)]
    #[case::soon(700, Some(30))]
    fn turning_dormant_is_judged_at_t_plus_w(#[case] post_ago: i64, #[case] in_days: Option<i64>) {
        let mut e = posts(&[post_ago], 365);
        e.roster.on_roster = true;
        let now = classify(&e, t(), &Thresholds::default()).class;
        let got = turns_dormant(now, &e, t(), &Thresholds::default(), true);
        assert_eq!(got, in_days.map(|n| t() + chrono::Duration::days(n)));
    }

    #[test]
    fn a_declared_observer_never_turns_dormant() {
        let mut e = posts(&[700], 365);
        e.roster.on_roster = true;
        e.roster.declared_observer = true;
        assert_eq!(
            turns_dormant(MemberClass::Observer, &e, t(), &Thresholds::default(), true),
            None
        );
    }

    #[test]
    fn an_observer_response_keeps_them_until_it_leaves_the_period() {
        let e = Evidence {
            roster: RosterStanding {
                on_roster: true,
                ..Default::default()
            },
            latest_response: Some((ago(300), CheckinStatus::Observer)),
            ..Evidence::default()
        };
        // D short, so only the response (day + P = T + 65) holds them.
        let th = Thresholds {
            inactivity_days: 200,
            ..Thresholds::default()
        };
        assert_eq!(
            turns_dormant(MemberClass::Observer, &e, t(), &th, true),
            Some(t() + chrono::Duration::days(65))
        );
    }

    #[test]
    fn former_after_may_not_be_shorter_than_inactivity() {
        let mut th = Thresholds::default();
        assert!(th.check().is_ok());
        th.former_after_days = 729;
        assert!(
            th.check()
                .unwrap_err()
                .starts_with("former_after (729d) is shorter than inactivity (730d)")
        );
    }

    #[rstest]
    // DESIGN.md's example says "last post 2023-04-02, 812 days before
    // 2025-06-23", but that day is 813 days before; the format is what counts.
    #[case::dormant_post(&[812], "dormant: last post 2023-04-03, 812 days before 2025-06-23; threshold 730")]
    #[case::observer_post(&[400], "observer: recent sign of life, last post 2024-05-19, 400 days before 2025-06-23; threshold 730")]
    #[case::active(&[3, 30], "active: 2 posts in the last 365 days (last 2025-06-20); minimum 1")]
    fn reasons_read_as_a_sentence(#[case] days_before: &[i64], #[case] want: &str) {
        let v = classify(&posts(days_before, 365), t(), &Thresholds::default());
        assert_eq!(v.reason, want);
    }
}
