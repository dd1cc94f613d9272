//! Compute first: everything a coalition's reports show, worked out once from
//! the member table, its history and the counted messages. Every exporter
//! renders from this model and never reads the database.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Duration};
use serde::Serialize;

use crate::classify::{ClassCounts, Thresholds};
use crate::config::CoalitionSettings;
use crate::day::{self, Day};
use crate::members::{HistoryPoint, MemberTable};
use crate::store::activity::ActivityMessage;

/// Everything the reports of one coalition show.
#[derive(Debug, Clone, Serialize)]
pub struct ReportModel {
    /// The coalition's slug.
    pub coalition: String,
    /// Its display name.
    pub name: String,
    /// T.
    pub as_of: Day,
    /// P, D, N used.
    pub thresholds: Thresholds,
    /// The member table as of T.
    pub table: MemberTable,
    /// Class counts at T and each anniversary before it, oldest first.
    pub history: Vec<HistoryPoint>,
    /// The coalition-level figures.
    pub figures: Figures,
    /// Messages and distinct posters per calendar month, first to T's month.
    pub monthly: Vec<MonthPoint>,
    /// Per-year figures, first message's year to T's year.
    pub yearly: Vec<YearPoint>,
    /// The annual meetings configured (first and last day).
    pub meetings: Vec<(Day, Day)>,
}

/// The coalition-level figures (DESIGN.md, "Who uses it": the secretariat's
/// question), over the check-in period (T − P, T] unless named otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Calendar months with at least one counted message, among the twelve
    /// ending with T's month.
    pub months_active_last_12: u32,
    /// Counted messages in the period.
    pub messages_in_period: u64,
    /// Threads whose first counted message lies in the period.
    pub threads_in_period: u64,
    /// Of those, threads with messages from two or more persons.
    pub threads_two_or_more_voices: u64,
    /// `threads_two_or_more_voices / threads_in_period` (none without threads).
    pub two_or_more_voices_share: Option<f64>,
    /// Share of the period's messages sent outside the window around an annual
    /// meeting (none when no meeting is configured or no messages).
    pub outside_meeting_share: Option<f64>,
    /// Share of the period's messages sent by the coordinators (none when no
    /// coordinator is configured or no messages).
    pub coordinator_share: Option<f64>,
}

impl Figures {
    /// Column names and values, in the order CSV and tables use.
    pub fn columns(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "months_active_last_12",
                self.months_active_last_12.to_string(),
            ),
            ("messages_in_period", self.messages_in_period.to_string()),
            ("threads_in_period", self.threads_in_period.to_string()),
            (
                "threads_two_or_more_voices",
                self.threads_two_or_more_voices.to_string(),
            ),
            (
                "two_or_more_voices_share",
                share_text(self.two_or_more_voices_share),
            ),
            (
                "outside_meeting_share",
                share_text(self.outside_meeting_share),
            ),
            ("coordinator_share", share_text(self.coordinator_share)),
        ]
    }
}

/// A share as CSV text: three decimals, empty when unknown.
pub fn share_text(share: Option<f64>) -> String {
    share.map(|s| format!("{s:.3}")).unwrap_or_default()
}

/// One calendar month of activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthPoint {
    /// The month's first day.
    pub month: Day,
    /// Counted messages.
    pub messages: u64,
    /// Distinct persons who sent them.
    pub posters: u64,
}

/// One calendar year of activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct YearPoint {
    /// The year.
    pub year: i32,
    /// Counted messages.
    pub messages: u64,
    /// Distinct posters.
    pub posters: u64,
    /// Posters whose first counted message is in this year.
    pub newcomers: u64,
    /// Posters of this year who were silent the year before but posted earlier.
    pub returning: u64,
    /// Posters of the year before who did not post this year.
    pub lapsed: u64,
    /// Share of the year's messages sent by its most active 10% of posters.
    pub top_tenth_share: Option<f64>,
    /// Threads started this year (first message known and counted).
    pub threads: u64,
    /// Share of them answered by someone other than the starter.
    pub replied_share: Option<f64>,
    /// Median days from a thread's start to the first reply by someone else.
    pub median_reply_days: Option<f64>,
}

fn month_start(day: Day) -> Day {
    day.with_day(1).unwrap_or(day)
}

fn next_month(m: Day) -> Day {
    m.checked_add_months(chrono::Months::new(1)).unwrap_or(m)
}

impl ReportModel {
    /// Computes the model. `messages` are the coalition's counted messages up
    /// to T, oldest first.
    pub fn compute(
        settings: &CoalitionSettings,
        table: MemberTable,
        history: Vec<HistoryPoint>,
        messages: &[ActivityMessage],
    ) -> ReportModel {
        let as_of = table.as_of;
        let thresholds = table.thresholds;
        // Persons, not addresses: a member with two addresses is one poster.
        // A person is keyed by their first address (names are not unique);
        // former participants posted too, so they are persons here as well.
        let mut person_of: HashMap<&str, &str> = HashMap::new();
        let everyone = table
            .members
            .iter()
            .map(|r| &r.addresses)
            .chain(table.former.iter().map(|r| &r.addresses));
        for addresses in everyone {
            for a in addresses {
                person_of.insert(a.as_str(), addresses[0].as_str());
            }
        }
        let person = |m: &ActivityMessage| -> String {
            person_of
                .get(m.from.as_str())
                .map(|p| p.to_string())
                .unwrap_or_else(|| m.from.clone())
        };
        let people: Vec<String> = messages.iter().map(person).collect();
        let days: Vec<Day> = messages
            .iter()
            .map(|m| day::of_secs(m.date).unwrap_or_default())
            .collect();
        let roots = thread_roots(messages);

        let monthly = monthly(&days, &people, as_of);
        let yearly = yearly(messages, &days, &people, &roots, as_of);
        let figures = figures(
            settings, &person_of, &days, &people, &roots, &monthly, as_of, thresholds,
        );
        ReportModel {
            coalition: settings.slug.clone(),
            name: settings.name.clone(),
            as_of,
            thresholds,
            table,
            history,
            figures,
            monthly,
            yearly,
            meetings: settings.annual_meetings.clone(),
        }
    }

    /// Counts per class as of T.
    pub fn counts(&self) -> ClassCounts {
        self.table.counts
    }
}

/// The thread each message belongs to, as an index into `messages` of its
/// root when the root is held, else the key of the missing message the chain
/// leads to (`Err`). Follows `parent` links; a cycle or a very deep chain
/// stops where it is rather than looping.
fn thread_roots(messages: &[ActivityMessage]) -> Vec<Result<usize, String>> {
    let by_id: HashMap<&str, usize> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.message_id.as_deref().map(|id| (id, i)))
        .collect();
    let mut memo: Vec<Option<Result<usize, String>>> = vec![None; messages.len()];
    for start in 0..messages.len() {
        let mut chain = vec![start];
        let mut cur = start;
        let root = loop {
            if let Some(r) = &memo[cur] {
                break r.clone();
            }
            match messages[cur].parent.as_deref() {
                None => break Ok(cur),
                Some(p) => match by_id.get(p) {
                    None => break Err(p.to_string()),
                    Some(&next) if next == cur || chain.len() > 500 || chain.contains(&next) => {
                        break Ok(cur);
                    }
                    Some(&next) => {
                        chain.push(next);
                        cur = next;
                    }
                },
            }
        };
        for i in chain {
            memo[i] = Some(root.clone());
        }
    }
    memo.into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or(Ok(i)))
        .collect()
}

fn monthly(days: &[Day], people: &[String], as_of: Day) -> Vec<MonthPoint> {
    let Some(first) = days.first() else {
        return vec![];
    };
    let mut per: BTreeMap<Day, (u64, HashSet<&str>)> = BTreeMap::new();
    for (d, p) in days.iter().zip(people) {
        let e = per.entry(month_start(*d)).or_default();
        e.0 += 1;
        e.1.insert(p);
    }
    let mut out = vec![];
    let mut m = month_start(*first);
    let last = month_start(as_of);
    while m <= last {
        let (messages, posters) = per
            .get(&m)
            .map(|(n, s)| (*n, s.len() as u64))
            .unwrap_or((0, 0));
        out.push(MonthPoint {
            month: m,
            messages,
            posters,
        });
        let next = next_month(m);
        if next == m {
            break;
        }
        m = next;
    }
    out
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn yearly(
    messages: &[ActivityMessage],
    days: &[Day],
    people: &[String],
    roots: &[Result<usize, String>],
    as_of: Day,
) -> Vec<YearPoint> {
    let Some(first) = days.first() else {
        return vec![];
    };
    let mut per_year: BTreeMap<i32, HashMap<&str, u64>> = BTreeMap::new();
    let mut first_year: HashMap<&str, i32> = HashMap::new();
    for (d, p) in days.iter().zip(people) {
        *per_year.entry(d.year()).or_default().entry(p).or_default() += 1;
        first_year.entry(p).or_insert(d.year());
    }
    // Threads whose root message is held: starter, start, first reply by someone else.
    let mut threads: HashMap<usize, Option<i64>> = HashMap::new();
    for (i, r) in roots.iter().enumerate() {
        if let Ok(root) = r {
            let entry = threads.entry(*root).or_insert(None);
            if i != *root && people[i] != people[*root] && messages[i].date >= messages[*root].date
            {
                let t = messages[i].date;
                if entry.is_none_or(|e| t < e) {
                    *entry = Some(t);
                }
            }
        }
    }
    let mut thread_years: BTreeMap<i32, (u64, Vec<f64>)> = BTreeMap::new();
    for (root, reply) in &threads {
        let e = thread_years.entry(days[*root].year()).or_default();
        e.0 += 1;
        if let Some(t) = reply {
            e.1.push((t - messages[*root].date) as f64 / 86_400.0);
        }
    }
    let empty = HashMap::new();
    let mut out = vec![];
    for year in first.year()..=as_of.year() {
        let this = per_year.get(&year).unwrap_or(&empty);
        let prev = per_year.get(&(year - 1)).unwrap_or(&empty);
        let newcomers = this
            .keys()
            .filter(|p| first_year.get(*p) == Some(&year))
            .count() as u64;
        let returning = this
            .keys()
            .filter(|p| !prev.contains_key(*p) && first_year.get(*p).is_some_and(|y| *y < year - 1))
            .count() as u64;
        let lapsed = prev.keys().filter(|p| !this.contains_key(*p)).count() as u64;
        let messages_n: u64 = this.values().sum();
        let top_tenth_share = if messages_n == 0 {
            None
        } else {
            let mut counts: Vec<u64> = this.values().copied().collect();
            counts.sort_unstable_by(|a, b| b.cmp(a));
            // The most active tenth, at least one poster.
            let k = counts.len().div_ceil(10).max(1);
            Some(counts[..k].iter().sum::<u64>() as f64 / messages_n as f64)
        };
        let (n_threads, delays) = thread_years.remove(&year).unwrap_or_default();
        let replied_share = (n_threads > 0).then(|| delays.len() as f64 / n_threads as f64);
        out.push(YearPoint {
            year,
            messages: messages_n,
            posters: this.len() as u64,
            newcomers,
            returning,
            lapsed,
            top_tenth_share,
            threads: n_threads,
            replied_share,
            median_reply_days: median(delays),
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn figures(
    settings: &CoalitionSettings,
    person_of: &HashMap<&str, &str>,
    days: &[Day],
    people: &[String],
    roots: &[Result<usize, String>],
    monthly: &[MonthPoint],
    as_of: Day,
    thresholds: Thresholds,
) -> Figures {
    let last_month = month_start(as_of);
    let first_month = last_month
        .checked_sub_months(chrono::Months::new(11))
        .unwrap_or(last_month);
    let months_active_last_12 = monthly
        .iter()
        .filter(|m| m.month >= first_month && m.month <= last_month && m.messages > 0)
        .count() as u32;
    // The check-in period (T − P, T], by the classification's own rule.
    let in_period = |d: Day| day::in_window(d, as_of, thresholds.period_days);
    let period: Vec<usize> = (0..days.len()).filter(|&i| in_period(days[i])).collect();
    let messages_in_period = period.len() as u64;

    // Threads keyed by their root (held or missing); started = earliest message.
    let mut threads: HashMap<String, (Day, BTreeSet<&str>)> = HashMap::new();
    for (i, r) in roots.iter().enumerate() {
        let key = match r {
            Ok(root) => format!("#{root}"),
            Err(missing) => missing.clone(),
        };
        let e = threads.entry(key).or_insert((days[i], BTreeSet::new()));
        e.0 = e.0.min(days[i]);
        e.1.insert(people[i].as_str());
    }
    let started: Vec<&(Day, BTreeSet<&str>)> =
        threads.values().filter(|(d, _)| in_period(*d)).collect();
    let threads_in_period = started.len() as u64;
    let threads_two_or_more_voices = started.iter().filter(|(_, v)| v.len() >= 2).count() as u64;
    let ratio = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);

    let window = Duration::days(i64::from(settings.meeting_window_days));
    let outside_meeting_share = if settings.annual_meetings.is_empty() {
        None
    } else {
        let outside = period
            .iter()
            .filter(|&&i| {
                !settings
                    .annual_meetings
                    .iter()
                    .any(|(s, e)| days[i] >= *s - window && days[i] <= *e + window)
            })
            .count();
        ratio(outside, period.len())
    };
    let coordinator_share = if settings.coordinators.is_empty() {
        None
    } else {
        // Coordinators are configured by address, but a coordinator writing
        // from another of their addresses (joined by the aliases file) is
        // still the coordinator: compare persons, not addresses.
        let coordinators: HashSet<&str> = settings
            .coordinators
            .iter()
            .map(|a| person_of.get(a.as_str()).copied().unwrap_or(a.as_str()))
            .collect();
        let by = period
            .iter()
            .filter(|&&i| coordinators.contains(people[i].as_str()))
            .count();
        ratio(by, period.len())
    };
    Figures {
        months_active_last_12,
        messages_in_period,
        threads_in_period,
        threads_two_or_more_voices,
        two_or_more_voices_share: ratio(
            threads_two_or_more_voices as usize,
            threads_in_period as usize,
        ),
        outside_meeting_share,
        coordinator_share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::MemberTable;

    fn day(s: &str) -> Day {
        crate::day::parse(s).unwrap()
    }

    fn msg(date: &str, from: &str, id: &str, parent: Option<&str>) -> ActivityMessage {
        ActivityMessage {
            date: day(date)
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp(),
            from: from.into(),
            message_id: Some(id.into()),
            parent: parent.map(Into::into),
        }
    }

    fn settings() -> CoalitionSettings {
        CoalitionSettings {
            slug: "a".into(),
            name: "A".into(),
            archives: vec![],
            roster: None,
            roster_date: None,
            rosters: vec![],
            checkins: None,
            aliases: None,
            checkin_subject: None,
            checkin_opened: vec![],
            list_address: None,
            coordinators: vec!["c@x.org".into()],
            annual_meetings: vec![(day("2024-11-10"), day("2024-11-12"))],
            meeting_window_days: 30,
            thresholds: Thresholds::default(),
            remote: Default::default(),
        }
    }

    fn model(messages: &[ActivityMessage]) -> ReportModel {
        let table = MemberTable {
            coalition: "a".into(),
            as_of: day("2025-06-30"),
            thresholds: Thresholds::default(),
            has_roster: false,
            members: vec![],
            former: vec![],
            counts: ClassCounts::default(),
            duplicate_suggestions: vec![],
            ambiguous_keys: vec![],
            reply_ids: vec![],
            round: None,
            warnings: vec![],
        };
        ReportModel::compute(&settings(), table, vec![], messages)
    }

    #[test]
    fn threads_follow_parents_and_group_on_a_missing_root() {
        let m = [
            msg("2024-01-01", "a@x.org", "r", None),
            msg("2024-01-02", "b@x.org", "r1", Some("r")),
            msg("2024-01-03", "a@x.org", "r2", Some("r1")),
            msg("2024-01-04", "c@x.org", "o1", Some("gone")),
            msg("2024-01-05", "d@x.org", "o2", Some("gone")),
            msg("2024-01-06", "e@x.org", "loop", Some("loop")),
        ];
        let roots = thread_roots(&m);
        assert_eq!(roots.len(), m.len());
        assert_eq!(&roots[..3], &[Ok(0), Ok(0), Ok(0)]);
        assert_eq!(roots[3], Err("gone".to_string()));
        assert_eq!(roots[4], Err("gone".to_string()));
        assert_eq!(roots[5], Ok(5));
    }

    #[test]
    fn figures_count_the_period_meetings_and_coordinators() {
        let m = [
            msg("2023-01-15", "a@x.org", "old", None),
            msg("2024-11-01", "c@x.org", "t1", None), // inside the meeting window
            msg("2024-11-02", "b@x.org", "t1r", Some("t1")),
            msg("2025-03-01", "c@x.org", "t2", None),
            msg("2025-06-30", "a@x.org", "t3", None),
        ];
        let f = model(&m).figures;
        assert_eq!(f.messages_in_period, 4);
        assert_eq!(f.threads_in_period, 3);
        assert_eq!(f.threads_two_or_more_voices, 1);
        assert_eq!(f.months_active_last_12, 3);
        assert_eq!(f.outside_meeting_share, Some(0.5));
        assert_eq!(f.coordinator_share, Some(0.5));
    }

    #[test]
    fn a_coordinator_writing_from_an_alias_address_is_still_the_coordinator() {
        let row = crate::members::MemberRow {
            coalition: "a".into(),
            person: "C. Two".into(),
            email: Some("c2@y.org".into()),
            addresses: vec!["c2@y.org".into(), "c@x.org".into()],
            class: crate::classify::MemberClass::Active,
            reason: String::new(),
            short_reason: String::new(),
            posts_in_period: 2,
            posts_total: 2,
            first_post: None,
            last_post: None,
            last_checkin: None,
            checkin_status: None,
            on_roster: false,
            last_sign_of_life: None,
            round_status: None,
            dormant_on: None,
        };
        let table = MemberTable {
            coalition: "a".into(),
            as_of: day("2025-06-30"),
            thresholds: Thresholds::default(),
            has_roster: false,
            members: vec![row],
            former: vec![],
            counts: ClassCounts::default(),
            duplicate_suggestions: vec![],
            ambiguous_keys: vec![],
            reply_ids: vec![],
            round: None,
            warnings: vec![],
        };
        let m = [
            msg("2025-03-01", "c2@y.org", "t1", None),
            msg("2025-03-02", "c@x.org", "t2", None),
            msg("2025-03-03", "b@x.org", "t3", None),
            msg("2025-03-04", "b@x.org", "t4", None),
        ];
        let f = ReportModel::compute(&settings(), table, vec![], &m).figures;
        assert_eq!(f.coordinator_share, Some(0.5));
    }

    #[test]
    fn yearly_newcomers_returning_lapsed_and_replies() {
        let m = [
            msg("2022-03-01", "a@x.org", "1", None),
            msg("2022-03-03", "b@x.org", "2", Some("1")),
            msg("2023-05-01", "a@x.org", "3", None),
            msg("2024-02-01", "b@x.org", "4", None),
            msg("2024-02-02", "c@x.org", "5", Some("4")),
        ];
        let y = model(&m).yearly;
        assert_eq!(
            y.iter().map(|p| p.year).collect::<Vec<_>>(),
            vec![2022, 2023, 2024, 2025]
        );
        assert_eq!((y[0].newcomers, y[0].returning, y[0].lapsed), (2, 0, 0));
        assert_eq!((y[1].newcomers, y[1].returning, y[1].lapsed), (0, 0, 1));
        assert_eq!((y[2].newcomers, y[2].returning, y[2].lapsed), (1, 1, 1));
        assert_eq!(y[0].median_reply_days, Some(2.0));
        assert_eq!(y[1].replied_share, Some(0.0));
        assert_eq!(y[2].top_tenth_share, Some(0.5));
        assert_eq!(y[3].messages, 0);
        assert_eq!(y[3].top_tenth_share, None);
    }

    #[test]
    fn no_messages_give_empty_series_and_no_shares() {
        let m = model(&[]);
        assert!(m.monthly.is_empty() && m.yearly.is_empty());
        assert_eq!(m.figures.two_or_more_voices_share, None);
        assert_eq!(m.figures.coordinator_share, None);
    }
}
