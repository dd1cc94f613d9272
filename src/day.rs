//! UTC calendar days: the one home of day arithmetic and of the date format
//! users write.
//!
//! DESIGN.md: "All comparisons are by UTC calendar day: a day *d* lies in
//! (*T* − *X*, *T*] when 0 ≤ *T* − *d* < *X* days." The store keeps message
//! times as Unix seconds and days as `YYYY-MM-DD` text; everything that turns
//! one into the other, or compares days, lives here so that SQL bounds, the
//! rules and the reports cannot disagree about a boundary.
//!
//! Dates are accepted only as `YYYY-MM-DD` with a four-digit year between
//! [`MIN_YEAR`] and [`MAX_YEAR`]: chrono alone reads `+10000-01-01` as a date,
//! which then sorts wrongly as text and overflows day arithmetic.

use chrono::{Datelike, NaiveDate};

/// A UTC calendar day.
pub type Day = NaiveDate;

/// The earliest year a date may have: nothing in a mailing list predates Unix time.
pub const MIN_YEAR: i32 = 1970;
/// The latest year a date may have: four digits, so stored text sorts as dates.
pub const MAX_YEAR: i32 = 9999;

/// Parses a `YYYY-MM-DD` day; the error names the value and says what to write.
///
/// ```
/// use listpulse::day::parse;
/// assert_eq!(parse("2025-06-23").unwrap().to_string(), "2025-06-23");
/// assert!(parse("+10000-01-01").is_err());
/// assert!(parse("2025-6-23").is_err());
/// assert!(parse("1969-12-31").is_err());
/// ```
pub fn parse(text: &str) -> Result<Day, String> {
    let b = text.trim().as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    // Read by hand: the store holds a day per roster row and check-in, and
    // chrono's format-string parser costs ten times as much.
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let day = shape
        .then(|| NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10)))
        .flatten()
        .ok_or_else(|| format!("'{text}' is not a date; write YYYY-MM-DD"))?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&day.year()) {
        return Err(format!(
            "'{text}' is out of range; dates run from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31"
        ));
    }
    Ok(day)
}

/// The day as stored and shown: `YYYY-MM-DD`.
pub fn format(day: Day) -> String {
    format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day())
}

/// Unix seconds at the start of the UTC day `day`.
pub fn start_secs(day: Day) -> i64 {
    day.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

/// Unix seconds at the start of the UTC day after `day`: everything dated
/// before it is dated no later than `day`.
pub fn end_secs(day: Day) -> i64 {
    start_secs(day) + 86_400
}

/// The UTC day of Unix seconds.
pub fn of_secs(secs: i64) -> Option<Day> {
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.date_naive())
}

/// Whether `day` lies in (*T* − *X*, *T*]: 0 ≤ *T* − *d* < *X* days.
///
/// ```
/// use chrono::NaiveDate;
/// use listpulse::day::in_window;
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
    as_of
        .checked_sub_days(chrono::Days::new(u64::from(days.max(1)) - 1))
        .unwrap_or(NaiveDate::MIN)
}

/// `day` plus `days`, saturating at chrono's last day (a far as-of date plus
/// a warning window must not panic).
pub fn add_days(day: Day, days: u32) -> Day {
    day.checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MAX)
}

/// Days from `earlier` to `later` (negative when `later` is earlier).
pub fn days_between(earlier: Day, later: Day) -> i64 {
    (later - earlier).num_days()
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn d(y: i32, m: u32, day: u32) -> Day {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[rstest]
    #[case::plain("2025-06-23", Ok(d(2025, 6, 23)))]
    #[case::trimmed(" 2025-06-23 ", Ok(d(2025, 6, 23)))]
    #[case::five_digit_year("+10000-01-01", Err("'+10000-01-01' is not a date; write YYYY-MM-DD"))]
    #[case::short_month("2025-6-23", Err("'2025-6-23' is not a date; write YYYY-MM-DD"))]
    #[case::no_such_day("2025-02-30", Err("'2025-02-30' is not a date; write YYYY-MM-DD"))]
    #[case::slashes("2025/06/23", Err("'2025/06/23' is not a date; write YYYY-MM-DD"))]
    #[case::before_1970(
        "1969-12-31",
        Err("'1969-12-31' is out of range; dates run from 1970-01-01 to 9999-12-31")
    )]
    #[case::last_day("9999-12-31", Ok(d(9999, 12, 31)))]
    fn dates_are_four_digit_iso_days(#[case] text: &str, #[case] want: Result<Day, &str>) {
        assert_eq!(parse(text), want.map_err(str::to_string));
    }

    #[test]
    fn seconds_and_days_agree_at_the_edges_of_a_day() {
        let day = d(2025, 6, 23);
        assert_eq!(of_secs(start_secs(day)), Some(day));
        assert_eq!(of_secs(end_secs(day) - 1), Some(day));
        assert_eq!(of_secs(end_secs(day)), Some(d(2025, 6, 24)));
    }

    #[test]
    fn far_dates_do_not_overflow() {
        assert_eq!(add_days(d(9999, 12, 31), 90), d(10000, 3, 30));
        assert_eq!(window_start(d(1970, 1, 1), 36_500), d(1870, 1, 26));
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
