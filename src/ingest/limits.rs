//! The caps on what one file may cost, whatever it holds (issue #12).
//!
//! An archive folder is written by others: a 10 MB gzip can hold one 3 GB
//! message, or gigabytes of nothing. Two caps keep the work per file bounded:
//!
//! * `max_message_size` (default 64 MiB): a larger message is skipped and
//!   counted as malformed ("too large") without ever being held whole, so
//!   memory stays under the cap (times the parser threads) and the time
//!   stays linear in the message's size;
//! * `max_decompressed` (default 8 GiB): a gzip file whose content passes it
//!   is stopped there and rejected whole (exit status 1), like a broken one.
//!
//! Both are set by top-level configuration keys and `ingest` flags, as sizes
//! such as `64MiB` ([`parse_size`]).

/// Caps on one file's work; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one message (envelope line excluded) above which it is
    /// skipped as "too large".
    pub max_message_size: u64,
    /// Bytes of decompressed content above which a compressed file is
    /// stopped and rejected.
    pub max_decompressed: u64,
}

/// 64 MiB: far above any real list message (attachments included), small
/// enough that two parser threads holding one each stay well under 1 GB.
pub const DEFAULT_MAX_MESSAGE_SIZE: u64 = 64 << 20;

/// 8 GiB: larger than the largest monthly or yearly archive seen in the wild
/// by two orders of magnitude, yet a gzip bomb stops within seconds.
pub const DEFAULT_MAX_DECOMPRESSED: u64 = 8 << 30;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
        }
    }
}

/// Parses a size: a whole number of bytes, optionally followed by a unit,
/// `B`, `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024) or `kB`, `MB`, `GB`, `TB`
/// (powers of 1000), in any case, with or without a space. Zero is refused.
///
/// ```
/// use listpulse::ingest::limits::parse_size;
/// assert_eq!(parse_size("64MiB"), Ok(64 << 20));
/// assert_eq!(parse_size("8 GiB"), Ok(8 << 30));
/// assert_eq!(parse_size("10kB"), Ok(10_000));
/// assert_eq!(parse_size("4096"), Ok(4096));
/// assert!(parse_size("64 MiBs").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let bad =
        || format!("bad size '{text}': write a number of bytes with a unit, such as 64MiB or 8GiB");
    if digits == 0 {
        return Err(bad());
    }
    let number: u64 = t[..digits].parse().map_err(|_| bad())?;
    let unit = t[digits..].trim().to_ascii_lowercase();
    let scale: u64 = match unit.as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return Err(bad()),
    };
    let bytes = number
        .checked_mul(scale)
        .ok_or_else(|| format!("bad size '{text}': too large"))?;
    if bytes == 0 {
        return Err(format!("bad size '{text}': must be more than zero"));
    }
    Ok(bytes)
}

/// A size for messages: the largest binary unit that divides it, else bytes.
///
/// ```
/// use listpulse::ingest::limits::format_size;
/// assert_eq!(format_size(64 << 20), "64 MiB");
/// assert_eq!(format_size(1000), "1000 bytes");
/// ```
pub fn format_size(bytes: u64) -> String {
    for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::bytes("1", Ok(1))]
    #[case::binary("2KiB", Ok(2048))]
    #[case::spaced_lower(" 3 mib ", Ok(3 << 20))]
    #[case::decimal("5GB", Ok(5_000_000_000))]
    #[case::tebibyte("1TiB", Ok(1 << 40))]
    #[case::zero("0MiB", Err(()))]
    #[case::no_number("MiB", Err(()))]
    #[case::negative("-1MiB", Err(()))]
    #[case::fraction("1.5GiB", Err(()))]
    #[case::unknown_unit("7 parsecs", Err(()))]
    #[case::overflow("99999999999TiB", Err(()))]
    fn sizes(#[case] text: &str, #[case] want: Result<u64, ()>) {
        assert_eq!(parse_size(text).map_err(|_| ()), want);
    }

    #[test]
    fn the_defaults_read_back_as_written_in_the_documentation() {
        assert_eq!(parse_size("64MiB"), Ok(Limits::default().max_message_size));
        assert_eq!(parse_size("8GiB"), Ok(Limits::default().max_decompressed));
        assert_eq!(format_size(DEFAULT_MAX_DECOMPRESSED), "8 GiB");
    }
}
