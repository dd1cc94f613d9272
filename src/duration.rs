//! Durations as users write them: `365d`, `52w`, `12m` (30 days), `2y` (365 days).
//!
//! At most [`MAX_DAYS`] (100 years): a longer window says nothing a shorter
//! one does not, and `300000y` once overflowed date arithmetic into a panic.

/// The longest duration accepted: 100 years of 365 days.
pub const MAX_DAYS: u32 = 36_500;

/// Parses a duration into whole days.
///
/// ```
/// assert_eq!(listpulse::duration::parse_days("2y"), Ok(730));
/// assert_eq!(listpulse::duration::parse_days("12m"), Ok(360));
/// assert!(listpulse::duration::parse_days("soon").is_err());
/// ```
pub fn parse_days(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let bad = || {
        format!(
            "bad duration '{text}': write a number and d, w, m (30 days) or y (365 days), e.g. 365d or 2y"
        )
    };
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "d"),
    };
    let n: u32 = digits.parse().map_err(|_| bad())?;
    let per = match unit.trim() {
        "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => return Err(bad()),
    };
    let days = n.checked_mul(per).ok_or_else(bad)?;
    if days == 0 {
        return Err(format!(
            "bad duration '{text}': it must be at least one day"
        ));
    }
    if days > MAX_DAYS {
        return Err(format!(
            "bad duration '{text}': at most 100 years ({MAX_DAYS}d)"
        ));
    }
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::parse_days;

    #[test]
    fn units_and_errors() {
        for (text, days) in [
            ("365d", 365),
            ("730", 730),
            ("52w", 364),
            ("12m", 360),
            ("1y", 365),
            (" 2y ", 730),
            ("100y", 36_500),
        ] {
            assert_eq!(parse_days(text), Ok(days), "{text}");
        }
        for text in [
            "",
            "d",
            "1x",
            "-1d",
            "0d",
            "1.5y",
            "99999999999d",
            "300000y",
            "101y",
            "36501d",
        ] {
            assert!(parse_days(text).is_err(), "{text}");
        }
    }
}
