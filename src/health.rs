//! Coalition health: one status for a whole coalition at *T*, with a reason
//! a coordinator or the coordination group can read (issue #10). The seed
//! report asks the DCCG to check that coalitions "listed as active are
//! indeed engaged in some activities throughout the year", and to support
//! retiring those that became inactive; some coalitions mostly meet at the
//! annual IGF and are quiet in between.
//!
//! Pure, like [`crate::classify`]: [`report::model`](crate::report::model)
//! gathers one [`HealthEvidence`] per evaluation day from the counted
//! messages, and [`health`] decides, in this order (defaults in brackets,
//! set in the configuration's `[health]` table):
//!
//! 1. `inactive`: no counted post in the check-in period *P*;
//! 2. `meeting-bound`: annual meetings are configured and fewer than \[50%\]
//!    of the period's counted posts lie outside the meeting windows;
//! 3. `engaged`: counted posts in at least \[6\] of the last 12 calendar
//!    months and at least one thread with two or more voices started in *P*;
//! 4. `quiet`: otherwise.

use serde::Serialize;

/// The four statuses, in the order they are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthStatus {
    /// No counted post in the period: a candidate for retirement.
    Inactive,
    /// Most of the period's posts cluster around the annual meeting.
    MeetingBound,
    /// Activity through the year, with real exchanges.
    Engaged,
    /// Some activity, but not enough months or no exchange.
    Quiet,
}

impl HealthStatus {
    /// Every status, in decision order.
    pub const ALL: [HealthStatus; 4] = [
        HealthStatus::Inactive,
        HealthStatus::MeetingBound,
        HealthStatus::Engaged,
        HealthStatus::Quiet,
    ];

    /// The name used in files and on the pages.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Inactive => "inactive",
            HealthStatus::MeetingBound => "meeting-bound",
            HealthStatus::Engaged => "engaged",
            HealthStatus::Quiet => "quiet",
        }
    }

    /// The rule in words, for the pages' definitions.
    pub fn definition(self, t: &HealthThresholds) -> String {
        match self {
            HealthStatus::Inactive => "no counted post in the check-in period".into(),
            HealthStatus::MeetingBound => format!(
                "annual meetings are configured and fewer than {:.0}% of the period's counted posts lie outside the windows around them",
                t.outside_meeting_share * 100.0
            ),
            HealthStatus::Engaged => format!(
                "counted posts in at least {} of the last 12 months, and at least one thread with two or more voices started in the period",
                t.engaged_months
            ),
            HealthStatus::Quiet => "some posts, but neither meeting-bound nor engaged".into(),
        }
    }
}

/// The thresholds of the `[health]` table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HealthThresholds {
    /// `meeting-bound` when the share of the period's counted posts outside
    /// the meeting windows is below this (default 0.5).
    pub outside_meeting_share: f64,
    /// `engaged` needs counted posts in at least this many of the last 12
    /// months (default 6, 1 to 12).
    pub engaged_months: u32,
}

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds {
            outside_meeting_share: 0.5,
            engaged_months: 6,
        }
    }
}

/// What the rules look at, for one coalition on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HealthEvidence {
    /// Counted posts in the period.
    pub posts_in_period: u64,
    /// Of those, the posts outside the windows around the annual meetings;
    /// `None` when no annual meeting is configured.
    pub posts_outside_meetings: Option<u64>,
    /// Calendar months with a counted post, among the twelve ending with the
    /// day's month.
    pub months_active_last_12: u32,
    /// Threads started in the period with messages from two or more persons.
    pub threads_two_or_more_voices: u64,
}

/// A status and the one-line reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The status.
    pub status: HealthStatus,
    /// E.g. `engaged: posts in 9 of the last 12 months; 4 threads with two or more voices`.
    pub reason: String,
}

/// Decides a coalition's health from `e`, in the module's order.
///
/// ```
/// use listpulse::health::{health, HealthEvidence, HealthStatus, HealthThresholds};
/// let e = HealthEvidence { posts_in_period: 0, ..HealthEvidence::default() };
/// assert_eq!(health(&e, &HealthThresholds::default()).status, HealthStatus::Inactive);
/// ```
pub fn health(e: &HealthEvidence, t: &HealthThresholds) -> Health {
    // 1. "inactive (no counted post in P)".
    if e.posts_in_period == 0 {
        return Health {
            status: HealthStatus::Inactive,
            reason: "inactive: no counted post in the check-in period".into(),
        };
    }
    // 2. "meeting-bound (annual_meeting configured and fewer than 50% of the
    //    period's counted posts outside the meeting windows)". Compared in
    //    whole numbers: outside < share × posts.
    if let Some(outside) = e.posts_outside_meetings {
        let share = outside as f64 / e.posts_in_period as f64;
        if share < t.outside_meeting_share {
            return Health {
                status: HealthStatus::MeetingBound,
                reason: format!(
                    "meeting-bound: {outside} of {} posts in the period ({:.0}%) outside the meeting windows; threshold {:.0}%",
                    e.posts_in_period,
                    share * 100.0,
                    t.outside_meeting_share * 100.0
                ),
            };
        }
    }
    // 3. "engaged (counted posts in at least 6 of the last 12 months and at
    //    least one thread with two or more voices in P)".
    let months_ok = e.months_active_last_12 >= t.engaged_months;
    let voices_ok = e.threads_two_or_more_voices >= 1;
    let threads = format!(
        "{} thread{} with two or more voices",
        e.threads_two_or_more_voices,
        if e.threads_two_or_more_voices == 1 {
            ""
        } else {
            "s"
        }
    );
    if months_ok && voices_ok {
        return Health {
            status: HealthStatus::Engaged,
            reason: format!(
                "engaged: posts in {} of the last 12 months; {threads}",
                e.months_active_last_12
            ),
        };
    }
    // 4. "quiet otherwise": say which half of "engaged" is missing.
    let why = match (months_ok, voices_ok) {
        (false, true) => format!(
            "posts in only {} of the last 12 months (engaged from {})",
            e.months_active_last_12, t.engaged_months
        ),
        (true, false) => "no thread with two or more voices in the period".into(),
        _ => format!(
            "posts in only {} of the last 12 months (engaged from {}) and no thread with two or more voices",
            e.months_active_last_12, t.engaged_months
        ),
    };
    Health {
        status: HealthStatus::Quiet,
        reason: format!("quiet: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn e(posts: u64, outside: Option<u64>, months: u32, voices: u64) -> HealthEvidence {
        HealthEvidence {
            posts_in_period: posts,
            posts_outside_meetings: outside,
            months_active_last_12: months,
            threads_two_or_more_voices: voices,
        }
    }

    #[rstest]
    // inactive: no counted post; wins over everything else.
    #[case::no_post(e(0, None, 0, 0), HealthStatus::Inactive)]
    #[case::no_post_with_meetings(e(0, Some(0), 0, 0), HealthStatus::Inactive)]
    #[case::one_post(e(1, None, 1, 0), HealthStatus::Quiet)]
    // meeting-bound: strictly fewer than 50% outside.
    #[case::outside_49_of_100(e(100, Some(49), 12, 5), HealthStatus::MeetingBound)]
    #[case::outside_exactly_half(e(100, Some(50), 12, 5), HealthStatus::Engaged)]
    #[case::outside_1_of_3(e(3, Some(1), 6, 1), HealthStatus::MeetingBound)]
    #[case::outside_none(e(10, Some(0), 12, 5), HealthStatus::MeetingBound)]
    #[case::no_meeting_configured(e(100, None, 12, 5), HealthStatus::Engaged)]
    // engaged: at least 6 months and at least one thread with two voices.
    #[case::months_6_voices_1(e(20, None, 6, 1), HealthStatus::Engaged)]
    #[case::months_5_voices_1(e(20, None, 5, 1), HealthStatus::Quiet)]
    #[case::months_12_voices_0(e(20, None, 12, 0), HealthStatus::Quiet)]
    #[case::months_5_voices_0(e(20, None, 5, 0), HealthStatus::Quiet)]
    // meeting-bound is decided before engaged.
    #[case::meeting_bound_before_engaged(e(20, Some(9), 12, 3), HealthStatus::MeetingBound)]
    fn statuses_at_the_default_thresholds(
        #[case] evidence: HealthEvidence,
        #[case] want: HealthStatus,
    ) {
        let h = health(&evidence, &HealthThresholds::default());
        assert_eq!(h.status, want, "{}", h.reason);
        assert!(h.reason.starts_with(want.as_str()), "{}", h.reason);
    }

    #[rstest]
    #[case::months_at_custom_threshold(e(20, None, 9, 1), 0.5, 9, HealthStatus::Engaged)]
    #[case::months_below_custom_threshold(e(20, None, 8, 1), 0.5, 9, HealthStatus::Quiet)]
    #[case::share_below_custom(e(10, Some(2), 12, 1), 0.25, 6, HealthStatus::MeetingBound)]
    #[case::share_at_custom(e(100, Some(25), 12, 1), 0.25, 6, HealthStatus::Engaged)]
    #[case::share_zero_never_meeting_bound(e(10, Some(0), 12, 1), 0.0, 6, HealthStatus::Engaged)]
    fn thresholds_come_from_the_configuration(
        #[case] evidence: HealthEvidence,
        #[case] share: f64,
        #[case] months: u32,
        #[case] want: HealthStatus,
    ) {
        let t = HealthThresholds {
            outside_meeting_share: share,
            engaged_months: months,
        };
        assert_eq!(health(&evidence, &t).status, want);
    }

    #[test]
    fn a_quiet_reason_names_what_is_missing() {
        let t = HealthThresholds::default();
        assert_eq!(
            health(&e(20, None, 4, 2), &t).reason,
            "quiet: posts in only 4 of the last 12 months (engaged from 6)"
        );
        assert_eq!(
            health(&e(20, None, 8, 0), &t).reason,
            "quiet: no thread with two or more voices in the period"
        );
        assert_eq!(
            health(&e(20, Some(4), 8, 1), &t).reason,
            "meeting-bound: 4 of 20 posts in the period (20%) outside the meeting windows; threshold 50%"
        );
    }
}
