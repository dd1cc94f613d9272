//! Archive periods: the unit a list server publishes (a month, a quarter,
//! a year, a week, a day) and the rule that decides which ones are fetched
//! again. A period is *recent* when it is the current one or the one just
//! before it, by today's UTC date: only those can still change on the
//! server (the previous one for the days Mailman needs to rebuild it, or a
//! post that arrived late).

use chrono::{Datelike, Days, Months, NaiveDate};

/// How long a period is. Mailman 2's `archive_volume_frequency` offers the
/// five; HyperKitty exports months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    /// `2024`
    Yearly,
    /// `2024q1`
    Quarterly,
    /// `2024-January`
    Monthly,
    /// `Week-of-Mon-20240101`
    Weekly,
    /// `20240101`
    Daily,
}

impl PeriodKind {
    /// The first day of the period of this kind that holds `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        let first_of = |month: u32| NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day);
        match self {
            PeriodKind::Yearly => first_of(1),
            PeriodKind::Quarterly => first_of((day.month0() / 3) * 3 + 1),
            PeriodKind::Monthly => first_of(day.month()),
            PeriodKind::Weekly => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(day),
            PeriodKind::Daily => day,
        }
    }

    /// The first day of the period after the one starting on `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        let next = match self {
            PeriodKind::Yearly => start.checked_add_months(Months::new(12)),
            PeriodKind::Quarterly => start.checked_add_months(Months::new(3)),
            PeriodKind::Monthly => start.checked_add_months(Months::new(1)),
            PeriodKind::Weekly => start.checked_add_days(Days::new(7)),
            PeriodKind::Daily => start.checked_add_days(Days::new(1)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }
}

/// One file that may hold a period: where to download it, and its name in
/// the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The absolute URL.
    pub url: String,
    /// The cache file name.
    pub file: String,
}

/// One period to keep in the cache, with its candidate files in order of
/// preference (the first that exists on the server is taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The period's own name (`2024-January`), for messages.
    pub name: String,
    /// Its kind.
    pub kind: PeriodKind,
    /// Its first day.
    pub start: NaiveDate,
    /// Where to get it.
    pub candidates: Vec<Candidate>,
}

impl Planned {
    /// Whether this is the current or the previous period on `today`.
    pub fn is_recent(&self, today: NaiveDate) -> bool {
        let current = self.kind.start_of(today);
        self.start == current || self.kind.next(self.start) == current
    }

    /// Whether this is the current period on `today`.
    pub fn is_current(&self, today: NaiveDate) -> bool {
        self.start == self.kind.start_of(today)
    }
}

/// Reads a Mailman 2 pipermail period name.
///
/// ```
/// use listpulse::fetch::period::{parse_pipermail, PeriodKind};
/// let (kind, start) = parse_pipermail("2024q2").unwrap();
/// assert_eq!((kind, start.to_string().as_str()), (PeriodKind::Quarterly, "2024-04-01"));
/// assert!(parse_pipermail("thread").is_none());
/// ```
pub fn parse_pipermail(name: &str) -> Option<(PeriodKind, NaiveDate)> {
    let ymd = |y: &str, m: u32, d: u32| NaiveDate::from_ymd_opt(y.parse().ok()?, m, d);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(date) = name.strip_prefix("Week-of-Mon-") {
        let day = NaiveDate::parse_from_str(date, "%Y%m%d").ok()?;
        return Some((PeriodKind::Weekly, day));
    }
    if name.len() == 4 && digits(name) {
        return Some((PeriodKind::Yearly, ymd(name, 1, 1)?));
    }
    if name.len() == 8 && digits(name) {
        let day = NaiveDate::parse_from_str(name, "%Y%m%d").ok()?;
        return Some((PeriodKind::Daily, day));
    }
    if let Some((year, q)) = name.split_once('q')
        && year.len() == 4
        && digits(year)
    {
        let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
        return Some((PeriodKind::Quarterly, ymd(year, (q - 1) * 3 + 1, 1)?));
    }
    if let Some((year, month)) = name.split_once('-')
        && year.len() == 4
        && digits(year)
    {
        let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
        return Some((PeriodKind::Monthly, ymd(year, month, 1)?));
    }
    None
}

/// Mailman 2 writes English month names whatever the list's language.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_mailman_2_period_name_is_read() {
        let cases = [
            ("2024-January", PeriodKind::Monthly, "2024-01-01"),
            ("2024-December", PeriodKind::Monthly, "2024-12-01"),
            ("2024q1", PeriodKind::Quarterly, "2024-01-01"),
            ("2024q4", PeriodKind::Quarterly, "2024-10-01"),
            ("2024", PeriodKind::Yearly, "2024-01-01"),
            ("Week-of-Mon-20240108", PeriodKind::Weekly, "2024-01-08"),
            ("20240229", PeriodKind::Daily, "2024-02-29"),
        ];
        for (name, kind, start) in cases {
            assert_eq!(parse_pipermail(name), Some((kind, day(start))), "{name}");
        }
        for bad in ["2024-Janvier", "2024q5", "24", "Week-of-Mon-2024", "index"] {
            assert_eq!(parse_pipermail(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_current_and_previous_periods_are_recent_and_no_other() {
        let today = day("2026-01-10");
        let planned = |name: &str| {
            let (kind, start) = parse_pipermail(name).unwrap();
            Planned {
                name: name.into(),
                kind,
                start,
                candidates: vec![],
            }
        };
        for (name, recent) in [
            ("2026-January", true),
            ("2025-December", true),
            ("2025-November", false),
            ("2026", true),
            ("2025", true),
            ("2024", false),
            ("2026q1", true),
            ("2025q4", true),
            ("2025q3", false),
            ("Week-of-Mon-20260105", true),
            ("Week-of-Mon-20251229", true),
            ("Week-of-Mon-20251222", false),
        ] {
            assert_eq!(planned(name).is_recent(today), recent, "{name}");
        }
        assert!(planned("2026-January").is_current(today));
        assert!(!planned("2025-December").is_current(today));
    }
}
