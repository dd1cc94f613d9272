//! Compute first: everything a coalition's reports show, worked out once from
//! the member table, its history and the counted messages. Every exporter
//! renders from this model and never reads the database.
//!
//! One definition of a thread serves every figure and chart ([`threads`]):
//! the counted messages linked by `In-Reply-To` / `References` to one root
//! (the root itself when it is held, else the missing message the chain leads
//! to); it starts with its earliest counted message, whose sender is its
//! starter, and its voices are the distinct persons who wrote in it.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration};
use serde::Serialize;

use crate::classify::{ClassCounts, Thresholds};
use crate::config::CoalitionSettings;
use crate::day::{self, Day};
use crate::health::{self, Health, HealthEvidence, HealthStatus, HealthThresholds};
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
    /// The coalition's health at T.
    pub health: Health,
    /// Health and figures at T and each anniversary before it, oldest first
    /// (the same days as `history`).
    pub health_history: Vec<HealthPoint>,
    /// The `[health]` thresholds used.
    pub health_thresholds: HealthThresholds,
    /// Messages and distinct posters per calendar month, first to T's month.
    pub monthly: Vec<MonthPoint>,
    /// Per-year figures, first message's year to T's year.
    pub yearly: Vec<YearPoint>,
    /// The annual meetings configured (first and last day).
    pub meetings: Vec<(Day, Day)>,
    /// The archive: its last message and whether it is stale.
    pub archive: ArchiveState,
    /// Warnings to show on the page (and printed on stderr by `run`).
    pub warnings: Vec<String>,
    /// The minimum-standards grid for this coalition (aggregates).
    pub standards: Vec<crate::standards::RuleCount>,
}

/// What the model needs besides the member table and the messages.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    /// The `[health]` thresholds.
    pub health: HealthThresholds,
    /// The day of the archive's last message of any kind, up to T.
    pub last_message: Option<Day>,
    /// `stale_after` in days.
    pub stale_after_days: u32,
    /// Warnings about the run (e.g. the database inside the output folder).
    pub warnings: Vec<String>,
    /// The minimum-standards grid, counted by the caller.
    pub standards: Vec<crate::standards::RuleCount>,
}

/// The archive's end, judged at T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArchiveState {
    /// Day of the last message of any kind up to T (none: an empty archive).
    pub last_message: Option<Day>,
    /// `stale_after` in days.
    pub stale_after_days: u32,
    /// No message in (T − stale_after, T]: the archive may not be fetched
    /// any more, or the list has gone silent.
    pub stale: bool,
}

impl ArchiveState {
    /// Judges the archive at `as_of`.
    pub fn at(as_of: Day, last_message: Option<Day>, stale_after_days: u32) -> ArchiveState {
        ArchiveState {
            last_message,
            stale_after_days,
            stale: !last_message.is_some_and(|d| day::in_window(d, as_of, stale_after_days)),
        }
    }

    /// The warning line for a stale archive, naming the coalition.
    pub fn warning(&self, name: &str, as_of: Day) -> Option<String> {
        if !self.stale {
            return None;
        }
        Some(match self.last_message {
            Some(d) => format!(
                "stale archive: the last message of {name} is dated {d}, {} days before {as_of} (stale after {}); is the archive still fetched?",
                day::days_between(d, as_of),
                self.stale_after_days
            ),
            None => format!("stale archive: {name} has no dated message up to {as_of}"),
        })
    }
}

/// Health and figures on one evaluation day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthPoint {
    /// T or an anniversary before it.
    pub date: Day,
    /// The status that day.
    pub status: HealthStatus,
    /// Its reason.
    pub reason: String,
    /// The figures that day (for the comparison's change since last year).
    #[serde(skip)]
    pub figures: Figures,
}

/// The coalition-level figures (DESIGN.md, "Who uses it": the secretariat's
/// question), over the check-in period (T − P, T] unless named otherwise.
/// [`super::rows::figure_rows`] is their one description for every renderer.
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

/// Below this many posters a year's "top 10%" is one or two people and
/// says nothing about concentration: the share is left out (issue #10).
pub const MIN_POSTERS_FOR_CONCENTRATION: u64 = 10;

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
    /// Share of the year's messages sent by its most active 10% of posters;
    /// none below [`MIN_POSTERS_FOR_CONCENTRATION`] posters.
    pub top_tenth_share: Option<f64>,
    /// Threads started this year.
    pub threads: u64,
    /// Share of them answered by someone other than the starter.
    pub replied_share: Option<f64>,
    /// Median hours from a thread's start to the first reply by someone else.
    pub median_reply_hours: Option<f64>,
}

fn month_start(day: Day) -> Day {
    day.with_day(1).unwrap_or(day)
}

fn next_month(m: Day) -> Day {
    m.checked_add_months(chrono::Months::new(1)).unwrap_or(m)
}

/// One thread: see the module's docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    /// Unix seconds of its earliest counted message.
    pub start: i64,
    /// The day of that message.
    pub start_day: Day,
    /// The person who wrote it.
    pub starter: usize,
    /// Unix seconds of the first message by another person, if any.
    pub first_reply: Option<i64>,
}

/// The counted messages as the figures read them: day, person and thread of
/// each, oldest first.
struct Activity {
    days: Vec<Day>,
    people: Vec<usize>,
    thread_of: Vec<usize>,
    threads: Vec<Thread>,
}

impl ReportModel {
    /// Computes the model. `messages` are the coalition's counted messages up
    /// to T, oldest first.
    pub fn compute(
        settings: &CoalitionSettings,
        table: MemberTable,
        history: Vec<HistoryPoint>,
        messages: &[ActivityMessage],
        options: &ModelOptions,
    ) -> ReportModel {
        let as_of = table.as_of;
        let thresholds = table.thresholds;
        // Persons, not addresses: a member with two addresses is one poster.
        // A person is keyed by their first address (names are not unique);
        // former participants posted too, so they are persons here as well.
        let mut person_of: HashMap<&str, usize> = HashMap::new();
        let everyone = table
            .members
            .iter()
            .map(|r| &r.addresses)
            .chain(table.former.iter().map(|r| &r.addresses));
        for (p, addresses) in everyone.enumerate() {
            for a in addresses {
                person_of.insert(a.as_str(), p);
            }
        }
        let mut next = person_of.values().max().map_or(0, |m| m + 1);
        let mut unknown: HashMap<&str, usize> = HashMap::new();
        let people: Vec<usize> = messages
            .iter()
            .map(|m| match person_of.get(m.from.as_str()) {
                Some(p) => *p,
                None => *unknown.entry(m.from.as_str()).or_insert_with(|| {
                    next += 1;
                    next - 1
                }),
            })
            .collect();
        let days: Vec<Day> = messages
            .iter()
            .map(|m| day::of_secs(m.date).unwrap_or_default())
            .collect();
        let (threads, thread_of) = threads(messages, &people);
        let activity = Activity {
            days,
            people,
            thread_of,
            threads,
        };
        // Coordinators are configured by address, but a coordinator writing
        // from another of their addresses (joined by the aliases file) is
        // still the coordinator: compare persons, not addresses.
        let coordinators: HashSet<usize> = settings
            .coordinators
            .iter()
            .filter_map(|a| {
                person_of
                    .get(a.as_str())
                    .or_else(|| unknown.get(a.as_str()))
                    .copied()
            })
            .collect();

        let monthly = monthly(&activity, as_of);
        let yearly = yearly(&activity, as_of);
        // Health and figures on every history day; the last day is T.
        let point = |date: Day| {
            let (figures, evidence) =
                figures_at(settings, &coordinators, &activity, date, thresholds);
            let h = health::health(&evidence, &options.health);
            HealthPoint {
                date,
                status: h.status,
                reason: h.reason,
                figures,
            }
        };
        let mut health_history: Vec<HealthPoint> = history
            .iter()
            .map(|h| h.date)
            .filter(|d| *d < as_of)
            .map(point)
            .collect();
        let at_t = point(as_of);
        let (figures, health) = (
            at_t.figures.clone(),
            Health {
                status: at_t.status,
                reason: at_t.reason.clone(),
            },
        );
        health_history.push(at_t);
        let archive = ArchiveState::at(as_of, options.last_message, options.stale_after_days);
        let mut warnings = options.warnings.clone();
        warnings.extend(archive.warning(&settings.name, as_of));
        ReportModel {
            coalition: settings.slug.clone(),
            name: settings.name.clone(),
            as_of,
            thresholds,
            table,
            history,
            figures,
            health,
            health_history,
            health_thresholds: options.health,
            monthly,
            yearly,
            meetings: settings.annual_meetings.clone(),
            archive,
            warnings,
            standards: options.standards.clone(),
        }
    }

    /// Counts per class as of T.
    pub fn counts(&self) -> ClassCounts {
        self.table.counts
    }

    /// Health and figures on the anniversary a year before T, if the
    /// archive reaches back that far.
    pub fn last_year(&self) -> Option<&HealthPoint> {
        let n = self.health_history.len();
        (n >= 2).then(|| &self.health_history[n - 2])
    }
}

/// Every thread of `messages` and the thread of each message. Follows
/// `parent` links to the root; a cycle or a very deep chain stops where it
/// is rather than looping.
pub fn threads(messages: &[ActivityMessage], people: &[usize]) -> (Vec<Thread>, Vec<usize>) {
    let by_id: HashMap<&str, usize> = messages
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.message_id.as_deref().map(|id| (id, i)))
        .collect();
    // The root of each message: Ok(index) when held, Err(missing key).
    let mut memo: Vec<Option<Result<usize, &str>>> = vec![None; messages.len()];
    for start in 0..messages.len() {
        let mut chain = vec![start];
        let mut cur = start;
        let root = loop {
            if let Some(r) = memo[cur] {
                break r;
            }
            match messages[cur].parent.as_deref() {
                None => break Ok(cur),
                Some(p) => match by_id.get(p) {
                    None => break Err(p),
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
            memo[i] = Some(root);
        }
    }
    let mut index: HashMap<Result<usize, &str>, usize> = HashMap::new();
    let mut threads: Vec<Thread> = Vec::new();
    let mut thread_of = Vec::with_capacity(messages.len());
    // Messages come oldest first, so a thread's first message is its start.
    for (i, root) in memo.into_iter().enumerate() {
        let root = root.unwrap_or(Ok(i));
        let m = &messages[i];
        let t = *index.entry(root).or_insert_with(|| {
            threads.push(Thread {
                start: m.date,
                start_day: day::of_secs(m.date).unwrap_or_default(),
                starter: people[i],
                first_reply: None,
            });
            threads.len() - 1
        });
        let th = &mut threads[t];
        if people[i] != th.starter && th.first_reply.is_none() {
            th.first_reply = Some(m.date);
        }
        thread_of.push(t);
    }
    (threads, thread_of)
}

fn monthly(a: &Activity, as_of: Day) -> Vec<MonthPoint> {
    let Some(first) = a.days.first() else {
        return vec![];
    };
    let mut per: BTreeMap<Day, (u64, HashSet<usize>)> = BTreeMap::new();
    for (d, p) in a.days.iter().zip(&a.people) {
        let e = per.entry(month_start(*d)).or_default();
        e.0 += 1;
        e.1.insert(*p);
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

fn yearly(a: &Activity, as_of: Day) -> Vec<YearPoint> {
    let Some(first) = a.days.first() else {
        return vec![];
    };
    let mut per_year: BTreeMap<i32, HashMap<usize, u64>> = BTreeMap::new();
    let mut first_year: HashMap<usize, i32> = HashMap::new();
    for (d, p) in a.days.iter().zip(&a.people) {
        *per_year.entry(d.year()).or_default().entry(*p).or_default() += 1;
        first_year.entry(*p).or_insert(d.year());
    }
    let mut thread_years: BTreeMap<i32, (u64, Vec<f64>)> = BTreeMap::new();
    for t in &a.threads {
        let e = thread_years.entry(t.start_day.year()).or_default();
        e.0 += 1;
        if let Some(reply) = t.first_reply {
            e.1.push((reply - t.start) as f64 / 3_600.0);
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
        let top_tenth_share = if (this.len() as u64) < MIN_POSTERS_FOR_CONCENTRATION {
            None
        } else {
            let mut counts: Vec<u64> = this.values().copied().collect();
            counts.sort_unstable_by(|a, b| b.cmp(a));
            let k = counts.len().div_ceil(10);
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
            median_reply_hours: median(delays),
        });
    }
    out
}

/// The figures, and the health evidence, as they stood on `date` (≤ T):
/// only messages dated up to `date` count, the period is (date − P, date].
fn figures_at(
    settings: &CoalitionSettings,
    coordinators: &HashSet<usize>,
    a: &Activity,
    date: Day,
    thresholds: Thresholds,
) -> (Figures, HealthEvidence) {
    // Messages are sorted by date: the period is one slice.
    let period_start = day::window_start(date, thresholds.period_days);
    let lo = a.days.partition_point(|d| *d < period_start);
    let hi = a.days.partition_point(|d| *d <= date);
    let period = lo..hi.max(lo);

    let last_month = month_start(date);
    let first_month = last_month
        .checked_sub_months(chrono::Months::new(11))
        .unwrap_or(last_month);
    let from = a.days.partition_point(|d| *d < first_month);
    let months: HashSet<Day> = a.days[from..hi.max(from)]
        .iter()
        .map(|d| month_start(*d))
        .collect();
    let months_active_last_12 = months.len() as u32;

    // Threads started in the period, with their voices up to `date`.
    let mut voices: HashMap<usize, (usize, bool)> = HashMap::new();
    for i in period.clone() {
        let t = a.thread_of[i];
        if a.threads[t].start_day < period_start {
            continue;
        }
        let e = voices.entry(t).or_insert((a.people[i], false));
        if e.0 != a.people[i] {
            e.1 = true;
        }
    }
    let threads_in_period = voices.len() as u64;
    let threads_two_or_more_voices = voices.values().filter(|v| v.1).count() as u64;
    let messages_in_period = period.len() as u64;
    let ratio = |num: u64, den: u64| (den > 0).then(|| num as f64 / den as f64);

    let window = Duration::days(i64::from(settings.meeting_window_days));
    let outside = (!settings.annual_meetings.is_empty()).then(|| {
        period
            .clone()
            .filter(|&i| {
                !settings
                    .annual_meetings
                    .iter()
                    .any(|(s, e)| a.days[i] >= *s - window && a.days[i] <= *e + window)
            })
            .count() as u64
    });
    let coordinator_share = if settings.coordinators.is_empty() {
        None
    } else {
        let by = period
            .clone()
            .filter(|&i| coordinators.contains(&a.people[i]))
            .count() as u64;
        ratio(by, messages_in_period)
    };
    let figures = Figures {
        months_active_last_12,
        messages_in_period,
        threads_in_period,
        threads_two_or_more_voices,
        two_or_more_voices_share: ratio(threads_two_or_more_voices, threads_in_period),
        outside_meeting_share: outside.and_then(|o| ratio(o, messages_in_period)),
        coordinator_share,
    };
    let evidence = HealthEvidence {
        posts_in_period: messages_in_period,
        posts_outside_meetings: outside,
        months_active_last_12,
        threads_two_or_more_voices,
    };
    (figures, evidence)
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
        ReportModel::compute(
            &settings(),
            table,
            vec![],
            messages,
            &ModelOptions::default(),
        )
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
        let people = [0, 1, 0, 2, 3, 4];
        let (threads, thread_of) = threads(&m, &people);
        assert_eq!(thread_of, [0, 0, 0, 1, 1, 2]);
        assert_eq!(threads.len(), 3);
        assert_eq!(
            (threads[0].starter, threads[0].first_reply),
            (0, Some(m[1].date))
        );
        // A thread whose root is not held starts with its earliest message.
        assert_eq!(
            (threads[1].starter, threads[1].first_reply),
            (2, Some(m[4].date))
        );
        assert_eq!(threads[2].first_reply, None);
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
        let f =
            ReportModel::compute(&settings(), table, vec![], &m, &ModelOptions::default()).figures;
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
        assert_eq!(y[0].median_reply_hours, Some(48.0));
        assert_eq!(y[1].replied_share, Some(0.0));
        assert_eq!(y[2].top_tenth_share, None, "two posters: no concentration");
        assert_eq!(y[3].messages, 0);
        assert_eq!(y[3].top_tenth_share, None);
    }

    #[rstest::rstest]
    #[case::nine_posters(9, None)]
    #[case::ten_posters(10, Some(0.5))]
    fn concentration_needs_ten_posters(#[case] posters: usize, #[case] want: Option<f64>) {
        // The first poster writes as much as all the others together.
        let mut m = vec![];
        for i in 0..posters {
            let n = if i == 0 { posters - 1 } else { 1 };
            for k in 0..n {
                m.push(msg(
                    "2024-03-01",
                    &format!("p{i}@x.org"),
                    &format!("{i}-{k}"),
                    None,
                ));
            }
        }
        let y = model(&m).yearly;
        assert_eq!(y[0].posters, posters as u64);
        assert_eq!(y[0].top_tenth_share, want);
    }

    #[rstest::rstest]
    #[case::last_message_179_days_before(179, false)]
    #[case::last_message_180_days_before(180, true)]
    fn an_archive_is_stale_after_180_days_without_a_message(
        #[case] days: u32,
        #[case] stale: bool,
    ) {
        let t = day("2025-06-30");
        let last = t - chrono::Days::new(u64::from(days));
        let a = ArchiveState::at(t, Some(last), 180);
        assert_eq!(a.stale, stale);
        assert_eq!(a.warning("A", t).is_some(), stale);
        assert!(ArchiveState::at(t, None, 180).stale);
    }

    #[test]
    fn health_is_evaluated_at_each_anniversary_on_what_was_known_then() {
        // Twelve months of exchanges up to mid-2024, one lone post after.
        let mut m = vec![];
        for month in 1..=12 {
            let d = format!("2023-{month:02}-10");
            m.push(msg(&d, "a@x.org", &format!("t{month}"), None));
            m.push(msg(
                &d,
                "b@x.org",
                &format!("r{month}"),
                Some(&format!("t{month}")),
            ));
        }
        m.push(msg("2025-03-01", "a@x.org", "late", None));
        let history = ["2023-06-30", "2024-06-30", "2025-06-30"]
            .map(|d| HistoryPoint {
                date: day(d),
                counts: ClassCounts::default(),
                former: 0,
                round: None,
            })
            .to_vec();
        let table = model(&[]).table;
        let got = ReportModel::compute(&settings(), table, history, &m, &ModelOptions::default());
        let statuses: Vec<(String, HealthStatus)> = got
            .health_history
            .iter()
            .map(|h| (day::format(h.date), h.status))
            .collect();
        assert_eq!(
            statuses,
            [
                // 6 months (Jan–Jun 2023) with replies: engaged.
                ("2023-06-30".to_string(), HealthStatus::Engaged),
                // Jul–Dec 2023 in the period, but the meeting window of
                // Nov 2024 is not in it: 6 months, engaged.
                ("2024-06-30".to_string(), HealthStatus::Engaged),
                ("2025-06-30".to_string(), HealthStatus::Quiet),
            ]
        );
        assert_eq!(got.health.status, HealthStatus::Quiet);
        assert_eq!(
            got.last_year().map(|h| h.figures.messages_in_period),
            Some(12)
        );
    }

    #[test]
    fn no_messages_give_empty_series_and_no_shares() {
        let m = model(&[]);
        assert!(m.monthly.is_empty() && m.yearly.is_empty());
        assert_eq!(m.figures.two_or_more_voices_share, None);
        assert_eq!(m.figures.coordinator_share, None);
    }
}
