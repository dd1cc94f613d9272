//! Splitting an archive's bytes into messages, then parsing them in parallel.
//!
//! This module owns where one message ends and the next begins; what a
//! message says is [`super::normalize`]'s business.
//!
//! **mbox** (mboxo, mboxrd, pipermail monthly/yearly `.txt`, HyperKitty and
//! public-inbox exports): a line starts a message only when it is a real
//! envelope, `From <sender> <date>`, with an asctime date
//! (`Www Mmm dd hh:mm:ss [zone] yyyy`) or an RFC 2822 one ([`envelope`]).
//! Not every `From ` at the start of a line: pipermail does not escape body
//! lines (r-devel has 39 such lines), and they carry no date. No blank line is
//! required before a separator: pipermail's footer runs straight into the next
//! `From ` line in real archives (DEPENDENCIES.md §9). An envelope folded over
//! two lines (`From a@b"` then ` <a@b  Mon Jan 15 12:58:00 2001`, seen in
//! r-devel 2001-January) is joined and recognised. The envelope line is
//! stripped and its date kept as the fallback date. Leading blank lines are
//! skipped; [`super::detect`] only calls a file mbox when its first non-blank
//! line is a `From ` line, so there is never leading text to decide about.
//! mboxrd `>From ` quoting is undone only where text is read
//! ([`super::normalize`]'s observer check); headers never need it.
//!
//! **MMDF**: messages between `\x01\x01\x01\x01` lines; empty stretches are
//! skipped.
//!
//! **A single message** (maildir files, `.eml`, and the IETF legacy layouts
//! without any separator): read as one message. Splitting those layouts "by
//! their first header" was measured and rejected: on `notmuch-corpora` it cut
//! 10 of 289 ordinary maildir messages in two (a forwarded message's headers
//! after a blank line look just like the next message), and on the IETF files
//! it still did not reproduce their real message counts. Reading one message
//! under-counts those rare legacy files but never invents messages.

use rayon::prelude::*;

use super::limits::format_size;
use super::normalize::{self, Parsed};
use super::{ArchiveFormat, Malformed, ParsedArchive};

/// How the reason of a message skipped for its size begins.
pub const TOO_LARGE: &str = "too large";

/// One message's bytes, before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMessage<'a> {
    /// Byte offset of the message (its envelope line, if any) in the file.
    pub offset: u64,
    /// The message, envelope line stripped.
    pub bytes: &'a [u8],
    /// The envelope date, read as UTC, when the envelope had one.
    pub envelope_date: Option<i64>,
}

/// Messages per rayon task: big enough that scheduling is noise, small
/// enough that 2 cores share a month's archive evenly.
const CHUNK: usize = 256;

/// An envelope line (each of the two lines of a folded one) is at most this
/// long. Real ones are under 200 bytes; a longer `From ` line is body text.
/// The bound lets the windowed reader decide where a message ends without
/// holding more than a few kilobytes past it (see [`super::stream`]).
pub const ENVELOPE_MAX: usize = 4096;

/// Splits `bytes` in `format` and parses each message (in parallel); a
/// message over `max_message_size` bytes is counted malformed, unparsed.
pub fn parse(bytes: &[u8], format: ArchiveFormat, max_message_size: u64) -> ParsedArchive {
    parse_raws(&split(bytes, format), format, 0, max_message_size)
}

/// Parses already split messages in parallel. `base` is added to every
/// offset: the streaming reader hands over one window of the file at a time.
/// A message over `max_message_size` bytes is not parsed at all: it is
/// counted malformed as too large (issue #12).
pub fn parse_raws(
    raws: &[RawMessage<'_>],
    format: ArchiveFormat,
    base: u64,
    max_message_size: u64,
) -> ParsedArchive {
    let one = |raw: &RawMessage<'_>| -> Parsed {
        if raw.bytes.len() as u64 > max_message_size {
            Err(too_large(raw.offset, max_message_size))
        } else {
            normalize::parse_message(raw)
        }
    };
    let results: Vec<Parsed> = raws
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| chunk.iter().map(one))
        .collect();
    let mut out = ParsedArchive {
        format: Some(format),
        messages: Vec::with_capacity(results.len()),
        malformed: Vec::new(),
    };
    for r in results {
        match r {
            Ok(mut m) => {
                m.offset += base;
                out.messages.push(m)
            }
            Err(mut m) => {
                m.offset += base;
                out.malformed.push(m)
            }
        }
    }
    out
}

/// The malformed note for a message larger than `max_message_size`.
pub fn too_large(offset: u64, max_message_size: u64) -> Malformed {
    Malformed {
        offset,
        line: None,
        reason: format!(
            "{TOO_LARGE}: over max_message_size ({})",
            format_size(max_message_size)
        ),
    }
}

/// Where the message after one that starts before `bytes` begins: the first
/// line start in `bytes` (a position right after a `\n`) that opens a new
/// message, as [`split`] would decide it. For mbox that is the next
/// envelope; for MMDF the line after the next delimiter. `None` when
/// `bytes` hold none; a single message has no next one.
///
/// The windowed reader uses it to pass over a message too large to hold.
pub fn next_start(bytes: &[u8], format: ArchiveFormat) -> Option<usize> {
    match format {
        ArchiveFormat::Mbox => memchr::memmem::find_iter(bytes, b"\nFrom ")
            .map(|nl| nl + 1)
            .find(|&at| envelope_at(bytes, at).is_some()),
        ArchiveFormat::Mmdf => memchr::memchr_iter(b'\n', bytes)
            .map(|nl| nl + 1)
            .find(|&at| at < bytes.len() && trim_cr(&bytes[at..line_end(bytes, at)]) == MMDF_DELIM)
            .map(|at| next_line(bytes, line_end(bytes, at))),
        ArchiveFormat::Message | ArchiveFormat::Empty => None,
    }
}

/// Splits `bytes` into raw messages according to `format`.
pub fn split(bytes: &[u8], format: ArchiveFormat) -> Vec<RawMessage<'_>> {
    match format {
        ArchiveFormat::Empty => Vec::new(),
        ArchiveFormat::Mbox => split_mbox(bytes),
        ArchiveFormat::Mmdf => split_mmdf(bytes),
        ArchiveFormat::Message => {
            let start = skip_blank_lines(bytes, 0);
            vec![RawMessage {
                offset: start as u64,
                bytes: &bytes[start..],
                envelope_date: None,
            }]
        }
    }
}

/// A message starts here: envelope at `at`, content from `content`.
struct Start {
    at: usize,
    content: usize,
    date: Option<i64>,
}

fn split_mbox(bytes: &[u8]) -> Vec<RawMessage<'_>> {
    let mut starts: Vec<Start> = Vec::with_capacity(bytes.len() / 2048 + 1);
    let first = skip_blank_lines(bytes, 0);
    if let Some(s) = envelope_at(bytes, first) {
        starts.push(s);
    } else if bytes[first..].starts_with(b"From ") {
        // detect() accepted a loose first `From ` line (no date): it is the
        // envelope all the same, just without a fallback date.
        let end = line_end(bytes, first);
        starts.push(Start {
            at: first,
            content: next_line(bytes, end),
            date: None,
        });
    } else {
        starts.push(Start {
            at: first,
            content: first,
            date: None,
        });
    }
    for nl in memchr::memmem::find_iter(bytes, b"\nFrom ") {
        let at = nl + 1;
        if starts.last().is_some_and(|s| at < s.content) {
            continue; // the second half of a folded envelope
        }
        if let Some(s) = envelope_at(bytes, at) {
            starts.push(s);
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(bytes.len(), |n| n.at);
        out.push(RawMessage {
            offset: s.at as u64,
            bytes: &bytes[s.content.min(end)..end],
            envelope_date: s.date,
        });
    }
    out
}

/// Is the line at `at` an envelope (possibly folded onto the next line)?
fn envelope_at(bytes: &[u8], at: usize) -> Option<Start> {
    if !bytes[at..].starts_with(b"From ") {
        return None;
    }
    let end = line_end(bytes, at);
    let line = trim_cr(&bytes[at..end]);
    if line.len() > ENVELOPE_MAX {
        return None;
    }
    if let Some(date) = envelope(line) {
        return Some(Start {
            at,
            content: next_line(bytes, end),
            date,
        });
    }
    // A fold: the next line starts with white space and ends with the date.
    let next = next_line(bytes, end);
    if matches!(bytes.get(next), Some(b' ' | b'\t')) && line_end(bytes, next) - next <= ENVELOPE_MAX
    {
        let end2 = line_end(bytes, next);
        let mut joined = Vec::with_capacity(end2 - at);
        joined.extend_from_slice(line);
        joined.push(b' ');
        joined.extend_from_slice(trim_cr(&bytes[next..end2]));
        if let Some(date) = envelope(&joined) {
            return Some(Start {
                at,
                content: next_line(bytes, end2),
                date,
            });
        }
    }
    None
}

/// Recognises an envelope line (`From ` included, no line ending).
///
/// Returns `Some(date)` for an envelope, the date read as UTC (`None` inside
/// when it does not fit a calendar), and `None` for any other line.
///
/// ```
/// use listpulse::ingest::mbox::envelope;
/// assert!(envelope(b"From jane at example.org  Thu Jan  2 13:54:37 2003").is_some());
/// assert!(envelope(b"From the documentation we learn that").is_none());
/// ```
pub fn envelope(line: &[u8]) -> Option<Option<i64>> {
    let rest = line.strip_prefix(b"From ")?;
    let tokens: Vec<&[u8]> = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .collect();
    // At least one sender token before the date, whatever bytes it holds
    // (8-bit names, curly quotes, pipermail `user at host`).
    let (secs, used) = super::date::asctime_tail(&tokens, false)
        .or_else(|| super::date::rfc_tail(&tokens, false))?;
    (used < tokens.len()).then_some(Some(secs))
}

/// The MMDF delimiter line.
const MMDF_DELIM: &[u8] = b"\x01\x01\x01\x01";

fn split_mmdf(bytes: &[u8]) -> Vec<RawMessage<'_>> {
    let mut out = Vec::new();
    let mut cuts: Vec<(usize, usize)> = Vec::new(); // (line start, next line start)
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        if trim_cr(&bytes[at..end]) == MMDF_DELIM {
            cuts.push((at, next_line(bytes, end)));
        }
        at = next_line(bytes, end);
    }
    let mut from = 0;
    for &(line, after) in cuts
        .iter()
        .chain(std::iter::once(&(bytes.len(), bytes.len())))
    {
        let chunk = &bytes[from..line];
        if !chunk.iter().all(u8::is_ascii_whitespace) {
            let start = skip_blank_lines(bytes, from).min(line);
            out.push(RawMessage {
                offset: start as u64,
                bytes: &bytes[start..line],
                envelope_date: None,
            });
        }
        from = after;
    }
    out
}

/// The index of the `\n` ending the line at `at`, or the end of `bytes`.
fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i)
}

fn next_line(bytes: &[u8], end: usize) -> usize {
    (end + 1).min(bytes.len())
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Skips lines holding only white space, from `at`.
pub(crate) fn skip_blank_lines(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        let end = line_end(bytes, at);
        if bytes[at..end].iter().all(u8::is_ascii_whitespace) && end < bytes.len() {
            at = end + 1;
        } else {
            break;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain_address(b"From jane@example.org Mon Jan  1 10:00:00 2024", true)]
    #[case::pipermail(b"From jane at example.org  Thu Jan  2 13:54:37 2003", true)]
    #[case::irreversible(
        b"From d@rocz|g @end|ng |rom r@pporter@net  Wed May  1 00:25:02 2019",
        true
    )]
    #[case::display_name(b"From \"Jane Doe\" <jane@example.org> Mon Jan  1 10:00:00 2024", true)]
    #[case::zone_in_asctime(b"From jane@example.org Mon Jan  1 10:00:00 PST 2024", true)]
    #[case::rfc2822_date(b"From jane@example.org Mon, 1 Jan 2024 10:00:00 +0100", true)]
    #[case::public_inbox_placeholder(b"From mboxrd@z Thu Jan  1 00:00:00 1970", true)]
    #[case::latin1_bytes(b"From j\xf6rg at example.org  Thu Jan  2 13:54:37 2003", true)]
    #[case::curly_quotes(
        b"From christian at \xe2\x80\x9cexample.org\xe2\x80\x9d  Thu Jan 15 13:22:25 2015",
        true
    )]
    #[case::body_sentence(b"From the documentation we learn that", false)]
    #[case::body_with_date_words(b"From Monday on, Jan 5 is fine", false)]
    #[case::no_sender(b"From Mon Jan  1 10:00:00 2024", false)]
    #[case::bare(b"From ", false)]
    #[case::header(b"From: jane@example.org", false)]
    fn envelope_rule(#[case] line: &[u8], #[case] is_envelope: bool) {
        assert_eq!(
            envelope(line).is_some(),
            is_envelope,
            "{}",
            String::from_utf8_lossy(line)
        );
    }

    fn offsets(bytes: &[u8], format: ArchiveFormat) -> Vec<u64> {
        split(bytes, format).iter().map(|m| m.offset).collect()
    }

    #[test]
    fn body_from_lines_do_not_split_and_no_blank_line_is_needed() {
        let mbox = b"From a@x.org Mon Jan  1 10:00:00 2024\nFrom: a@x.org\n\nFrom here on we agree.\n----footer\nFrom b at x.org  Mon Jan  1 11:00:00 2024\nFrom: b at x.org\n\nok";
        let msgs = split(mbox, ArchiveFormat::Mbox);
        assert_eq!(msgs.len(), 2);
        assert!(msgs[0].bytes.ends_with(b"----footer\n"));
        assert_eq!(msgs[1].bytes, b"From: b at x.org\n\nok"); // no trailing newline
        assert_eq!(msgs[1].envelope_date, Some(1_704_106_800));
    }

    #[test]
    fn folded_envelope_is_one_separator() {
        let mbox = b"From a@x.org Mon Jan  1 10:00:00 2024\nFrom: a\n\nhi\n\nFrom jens@x.de\"\n <jens@x.de  Mon Jan 15 12:58:00 2001\nFrom: jens@x.de\n\nbody\n";
        let msgs = split(mbox, ArchiveFormat::Mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[1].bytes, b"From: jens@x.de\n\nbody\n");
        assert_eq!(msgs[1].envelope_date, Some(979_563_480));
    }

    #[test]
    fn crlf_and_leading_blank_lines() {
        let mbox = b"\r\n\r\nFrom a@x.org Mon Jan  1 10:00:00 2024\r\nFrom: a\r\n\r\nx\r\nFrom b@x.org Mon Jan  1 11:00:00 2024\r\nFrom: b\r\n\r\ny\r\n";
        assert_eq!(offsets(mbox, ArchiveFormat::Mbox), vec![4, 57]);
        assert_eq!(
            split(mbox, ArchiveFormat::Mbox)[1].bytes,
            b"From: b\r\n\r\ny\r\n"
        );
    }

    #[test]
    fn mmdf_messages_between_delimiters() {
        let mmdf = b"\x01\x01\x01\x01\nFrom: a\n\nx\n\x01\x01\x01\x01\n\x01\x01\x01\x01\r\nFrom: b\r\n\r\ny\r\n\x01\x01\x01\x01\r\n";
        let msgs = split(mmdf, ArchiveFormat::Mmdf);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].bytes, b"From: a\n\nx\n");
        assert_eq!(msgs[1].bytes, b"From: b\r\n\r\ny\r\n");
    }

    #[test]
    fn single_message_file_is_one_message() {
        let msgs = split(
            b"\nFrom: a\n\nFrom: not a new message\n",
            ArchiveFormat::Message,
        );
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].offset, 1);
    }
}
