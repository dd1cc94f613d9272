//! Dates: the mbox envelope line, `Date:` header fallbacks, and the rule that
//! picks between them.
//!
//! DESIGN.md, "Date": *the `Date:` header, converted to UTC. The mbox
//! envelope (`From ` line) date, read as UTC, is a fallback only: it is used
//! where `Date:` is missing, cannot be parsed, or lies before 1990 or more
//! than 48 hours after a usable envelope date. An envelope date is usable only
//! if it is real.* [`choose`] is that rule, word for word.
//!
//! mail-parser reads RFC 5322 dates best (DEPENDENCIES.md §4.2), but it answers
//! `None` for asctime (`Thu Jan  2 13:54:37 2003`, common in pipermail and
//! twisted-web `Date:` headers) and ISO forms, and its `DateTime` must be
//! checked with `is_valid()`. The token reader here covers those, and reads
//! the envelope line too, so both sides of the rule share one parser.
//!
//! Absurd zones (`+9900`, `-2500`, minutes ≥ 60, anything beyond ±14:00, which
//! no real zone reaches): the header is treated as unparseable, so the
//! envelope date is used when usable, else the message is undated. Guessing
//! the wall clock as UTC would pass a wrong date off as a right one.

use chrono::NaiveDate;

use super::DateSource;

/// 1990-01-01T00:00:00Z: dates before it are not believed (DESIGN.md, "Date").
pub const EARLIEST: i64 = 631_152_000;

/// The 48 hours a `Date:` may lie after a usable envelope date.
pub const MAX_AHEAD: i64 = 48 * 3600;

/// The largest real UTC offset is +14:00 (Kiribati); anything beyond is absurd.
const MAX_OFFSET_SECS: i64 = 14 * 3600;

/// Applies DESIGN.md's date rule to a parsed `Date:` (Unix seconds, UTC) and
/// an envelope date (Unix seconds, read as UTC).
///
/// ```
/// use listpulse::ingest::{date::choose, DateSource};
/// // Date three days after the envelope: the envelope wins.
/// assert_eq!(choose(Some(1_000_000_000 + 3 * 86_400), Some(1_000_000_000)),
///            (Some(1_000_000_000), DateSource::Envelope));
/// // The 1970 placeholder envelope is not usable; a Date is kept as is.
/// assert_eq!(choose(Some(1_000_000_000), Some(0)), (Some(1_000_000_000), DateSource::Header));
/// assert_eq!(choose(None, Some(0)), (None, DateSource::Undated));
/// ```
pub fn choose(header: Option<i64>, envelope: Option<i64>) -> (Option<i64>, DateSource) {
    // "An envelope date is usable only if it is real": the public-inbox
    // placeholder (1970) and anything before 1990 are not.
    let envelope = envelope.filter(|&e| e >= EARLIEST);
    match (header, envelope) {
        (Some(h), Some(e)) if h < EARLIEST || h > e + MAX_AHEAD => (Some(e), DateSource::Envelope),
        (Some(h), _) if h >= EARLIEST => (Some(h), DateSource::Header),
        (_, Some(e)) => (Some(e), DateSource::Envelope),
        _ => (None, DateSource::Undated),
    }
}

/// Reads a `Date:` header value: mail-parser first (checked with `is_valid`),
/// then asctime, ISO-ish and two-digit-year forms. `None` when unparseable or
/// when the zone is absurd.
pub fn parse_header_date(value: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if has_absurd_zone(value) {
        return None;
    }
    if let Some(dt) = mail_parser::DateTime::parse_rfc822(value) {
        // mail-parser accepts 31 February and normalises it; a calendar check
        // sends such dates to the fallbacks (and on to the envelope).
        let real_day =
            NaiveDate::from_ymd_opt(i32::from(dt.year), u32::from(dt.month), u32::from(dt.day))
                .is_some();
        if dt.is_valid() && real_day {
            // mail-parser reads zone names it does not know (EDT, CET, …) as
            // +0000, silently (DEPENDENCIES.md §4.2); correct the common ones.
            let named = (dt.tz_hour == 0 && dt.tz_minute == 0)
                .then(|| named_zone(value))
                .flatten()
                .unwrap_or(0);
            return Some(dt.to_timestamp() - named);
        }
    }
    let tokens: Vec<&[u8]> = value
        .as_bytes()
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    if let Some((secs, _)) = asctime_tail(&tokens, true) {
        return Some(secs);
    }
    if let Some((secs, _)) = rfc_tail(&tokens, true) {
        return Some(secs);
    }
    iso(value)
}

/// The offset of a zone name standing where the zone goes (no numeric zone
/// in the value), in seconds east of UTC. Only unambiguous, common names.
fn named_zone(value: &str) -> Option<i64> {
    let tokens: Vec<&str> = value.split_ascii_whitespace().collect();
    if tokens.iter().any(|t| numeric_zone(t.as_bytes()).is_some()) {
        return None;
    }
    let last = tokens.iter().rev().find(|t| !t.starts_with('('))?;
    zone_name_offset(last.as_bytes())
}

fn zone_name_offset(t: &[u8]) -> Option<i64> {
    let hours: i64 = match t.to_ascii_uppercase().as_slice() {
        b"EST" | b"CDT" => -5,
        b"EDT" => -4,
        b"CST" | b"MDT" => -6,
        b"MST" | b"PDT" => -7,
        b"PST" => -8,
        b"CET" | b"MET" | b"BST" => 1,
        b"CEST" | b"MEST" | b"EET" => 2,
        b"EEST" => 3,
        b"JST" | b"KST" => 9,
        _ => return None,
    };
    Some(hours * 3600)
}

/// A numeric zone beyond ±14:00 or with minutes ≥ 60 (`+9900`, `+0199`).
fn has_absurd_zone(value: &str) -> bool {
    value
        .split(|c: char| c.is_ascii_whitespace())
        .filter_map(|t| numeric_zone(t.as_bytes()).map(|secs| (t, secs)))
        .any(|(t, secs)| secs.abs() > MAX_OFFSET_SECS || t[3..].starts_with(['6', '7', '8', '9']))
}

/// The result of reading the date at the end of an envelope line: Unix
/// seconds (read as UTC, the zone ignored) and how many tokens it used.
type Tail = (i64, usize);

/// Reads `[Www] Mmm dd hh:mm[:ss] [zone] yyyy [zone]` at the end of `tokens`.
///
/// With `apply_zone`, a numeric zone is applied (for `Date:` headers);
/// envelope dates are read as UTC whatever they say (DESIGN.md).
pub(crate) fn asctime_tail(tokens: &[&[u8]], apply_zone: bool) -> Option<Tail> {
    let mut i = tokens.len();
    let mut offset = 0i64;
    // A zone after the year (rare, but seen).
    if i >= 1 && is_zone(tokens[i - 1]) && i >= 2 && is_year(tokens[i - 2]) {
        offset = numeric_zone(tokens[i - 1])
            .or_else(|| zone_name_offset(tokens[i - 1]))
            .unwrap_or(0);
        i -= 1;
    }
    let year = year_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    if i >= 1 && is_zone(tokens[i - 1]) && !is_time(tokens[i - 1]) {
        offset = numeric_zone(tokens[i - 1])
            .or_else(|| zone_name_offset(tokens[i - 1]))
            .unwrap_or(offset);
        i -= 1;
    }
    let (h, mi, s) = time_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let day = day_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let month = month_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    // The weekday is part of asctime; requiring it keeps body lines such as
    // "From Jan 5 12:00:00 2001 on, ..." out.
    weekday_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let secs = timestamp(year, month, day, h, mi, s)?;
    if apply_zone && offset.abs() > MAX_OFFSET_SECS {
        return None;
    }
    Some((
        if apply_zone { secs - offset } else { secs },
        tokens.len() - i,
    ))
}

/// Reads `[Www,] dd Mmm yyyy hh:mm[:ss] [zone] [(comment)]` at the end of
/// `tokens`: with `apply_zone` for `Date:` headers mail-parser refused,
/// without it (read as UTC) for envelope lines written with RFC 2822 dates.
pub(crate) fn rfc_tail(tokens: &[&[u8]], apply_zone: bool) -> Option<Tail> {
    let mut i = tokens.len();
    if i >= 1 && tokens[i - 1].starts_with(b"(") {
        i -= 1;
    }
    let mut offset = 0;
    if i >= 1 && is_zone(tokens[i - 1]) && !is_time(tokens[i - 1]) {
        offset = numeric_zone(tokens[i - 1])
            .or_else(|| zone_name_offset(tokens[i - 1]))
            .unwrap_or(0);
        i -= 1;
    }
    let (h, mi, s) = time_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let year = year_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let month = month_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    let day = day_of(tokens.get(i.checked_sub(1)?)?)?;
    i -= 1;
    if i >= 1 {
        let w = tokens[i - 1];
        if w.ends_with(b",") && weekday_of(&w[..w.len() - 1]).is_some() {
            i -= 1;
        }
    }
    let secs = timestamp(year, month, day, h, mi, s)?;
    Some((
        if apply_zone { secs - offset } else { secs },
        tokens.len() - i,
    ))
}

/// `2003-01-02 13:54:37`, `2003-01-02T13:54:37Z`, `…+01:00`, `…+0100`.
fn iso(value: &str) -> Option<i64> {
    let v = value.trim();
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %z",
    ] {
        if let Ok(dt) = chrono::DateTime::parse_from_str(v, fmt) {
            return Some(dt.timestamp());
        }
    }
    let v = v.trim_end_matches('Z');
    for fmt in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(v, fmt) {
            return Some(dt.and_utc().timestamp());
        }
    }
    None
}

fn timestamp(year: i32, month: u32, day: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    // `from_ymd_opt`/`and_hms_opt` return None instead of panicking on 31 Feb or 25:61.
    let s = s.min(59); // a leap second is still that minute
    Some(
        NaiveDate::from_ymd_opt(year, month, day)?
            .and_hms_opt(h, mi, s)?
            .and_utc()
            .timestamp(),
    )
}

fn is_year(t: &[u8]) -> bool {
    year_of(t).is_some()
}

/// Four digits, or two (RFC 5322 §4.3: 00–49 → 20xx, 50–99 → 19xx).
fn year_of(t: &[u8]) -> Option<i32> {
    if !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits(t)? as i32;
    match t.len() {
        4 => Some(n),
        2 if n < 50 => Some(2000 + n),
        2 => Some(1900 + n),
        3 => Some(1900 + n), // RFC 5322 obsolete 3-digit years ("103" = 2003)
        _ => None,
    }
}

fn day_of(t: &[u8]) -> Option<u32> {
    let t = t.strip_suffix(b",").unwrap_or(t);
    if t.is_empty() || t.len() > 2 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let d = digits(t)? as u32;
    (1..=31).contains(&d).then_some(d)
}

fn time_of(t: &[u8]) -> Option<(u32, u32, u32)> {
    let mut parts = t.split(|&b| b == b':');
    let h = two_digits(parts.next()?)?;
    let m = two_digits(parts.next()?)?;
    let s = match parts.next() {
        Some(p) => two_digits(p.split(|&b| b == b'.').next()?)?,
        None => 0,
    };
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some((h, m, s))
}

fn is_time(t: &[u8]) -> bool {
    t.contains(&b':')
}

fn two_digits(t: &[u8]) -> Option<u32> {
    if t.is_empty() || t.len() > 2 || !t.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits(t).map(|n| n as u32)
}

fn digits(t: &[u8]) -> Option<u64> {
    let mut n: u64 = 0;
    for &b in t {
        n = n
            .checked_mul(10)?
            .checked_add(u64::from(b.checked_sub(b'0')?))?;
    }
    Some(n)
}

/// A zone token: `+0100`, `-0500`, or letters (`GMT`, `PST`, `MET`, `DST`).
fn is_zone(t: &[u8]) -> bool {
    numeric_zone(t).is_some()
        || (!t.is_empty() && t.len() <= 5 && t.iter().all(u8::is_ascii_alphabetic))
}

/// `+hhmm` / `-hhmm` as seconds east of UTC (not range-checked).
fn numeric_zone(t: &[u8]) -> Option<i64> {
    let (sign, rest) = match t.first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    if rest.len() != 4 || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits(rest)? as i64;
    Some(sign * ((n / 100) * 3600 + (n % 100) * 60))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];
const WEEKDAYS: [&[u8; 3]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];

fn month_of(t: &[u8]) -> Option<u32> {
    if t.len() < 3 {
        return None;
    }
    let i = MONTHS
        .iter()
        .position(|m| t[..3].eq_ignore_ascii_case(&m[..]))?;
    // "Jan", "January", "Sept": accept full names, refuse "Janitor".
    (t.len() == 3 || t.iter().all(u8::is_ascii_alphabetic) && t.len() <= 9).then_some(i as u32 + 1)
}

fn weekday_of(t: &[u8]) -> Option<()> {
    (t.len() >= 3 && t.len() <= 9 && t.iter().all(u8::is_ascii_alphabetic))
        .then_some(())
        .filter(|_| WEEKDAYS.iter().any(|w| t[..3].eq_ignore_ascii_case(&w[..])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn ts(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[rstest]
    #[case::rfc5322("Mon, 15 Jan 2001 13:58:00 +0100", Some("2001-01-15T12:58:00Z"))]
    #[case::no_seconds("Mon, 1 Jan 2024 10:00 -0700", Some("2024-01-01T17:00:00Z"))]
    #[case::asctime("Thu Jan  2 13:54:37 2003", Some("2003-01-02T13:54:37Z"))]
    #[case::asctime_with_zone("Thu Jan  2 13:54:37 +0100 2003", Some("2003-01-02T12:54:37Z"))]
    #[case::two_digit_year_90s("Fri, 3 Jan 97 10:00:00 GMT", Some("1997-01-03T10:00:00Z"))]
    #[case::two_digit_year_00s("Fri, 3 Jan 03 10:00:00 +0000", Some("2003-01-03T10:00:00Z"))]
    #[case::iso("2003-01-02 13:54:37", Some("2003-01-02T13:54:37Z"))]
    #[case::iso_zone("2003-01-02T13:54:37+02:00", Some("2003-01-02T11:54:37Z"))]
    #[case::named_zone_edt("9 Sep 94 15:37 EDT", Some("1994-09-09T19:37:00Z"))]
    #[case::named_zone_cet("Mon, 15 Jan 2001 13:58:00 CET", Some("2001-01-15T12:58:00Z"))]
    #[case::comment_after_numeric(
        "Fri, 26 Jul 2002 09:45:03 -0700 (PDT)",
        Some("2002-07-26T16:45:03Z")
    )]
    #[case::absurd_zone("Mon, 15 Jan 2001 13:58:00 +9900", None)]
    #[case::absurd_minutes("Mon, 15 Jan 2001 13:58:00 +0199", None)]
    #[case::garbage("sometime last week", None)]
    #[case::empty("", None)]
    #[case::impossible_day("Fri, 31 Feb 2003 10:00:00 +0000", None)]
    fn header_dates(#[case] raw: &str, #[case] want: Option<&str>) {
        assert_eq!(parse_header_date(raw), want.map(ts), "{raw}");
    }

    const E: i64 = 1_000_000_000; // 2001-09-09

    #[rstest]
    #[case::header_wins(Some(E + 3600), Some(E), Some(E + 3600), DateSource::Header)]
    #[case::header_47h_ahead(Some(E + 47 * 3600), Some(E), Some(E + 47 * 3600), DateSource::Header)]
    #[case::header_3_days_after_envelope(Some(E + 3 * 86_400), Some(E), Some(E), DateSource::Envelope)]
    #[case::header_before_envelope_is_fine(Some(E - 30 * 86_400), Some(E), Some(E - 30 * 86_400), DateSource::Header)]
    #[case::header_before_1990(Some(EARLIEST - 1), Some(E), Some(E), DateSource::Envelope)]
    #[case::missing_header(None, Some(E), Some(E), DateSource::Envelope)]
    #[case::placeholder_envelope_1970(Some(E), Some(0), Some(E), DateSource::Header)]
    #[case::placeholder_and_no_header(None, Some(0), None, DateSource::Undated)]
    #[case::old_header_no_envelope(Some(EARLIEST - 1), None, None, DateSource::Undated)]
    #[case::header_far_future_placeholder(Some(E * 3), Some(0), Some(E * 3), DateSource::Header)]
    #[case::nothing(None, None, None, DateSource::Undated)]
    fn date_rule(
        #[case] header: Option<i64>,
        #[case] envelope: Option<i64>,
        #[case] date: Option<i64>,
        #[case] source: DateSource,
    ) {
        assert_eq!(choose(header, envelope), (date, source));
    }
}
