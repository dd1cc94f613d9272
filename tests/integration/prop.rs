//! Property tests for the mbox splitter and header extraction.
//!
//! Two properties:
//!
//! * **No panics on any bytes, and windows agree with one pass.**
//!   Detection, every splitter (whatever the detected format), header
//!   extraction (called without its `catch_unwind`, so a panic fails the
//!   test) and the windowed reader (through a temporary file) return,
//!   whatever they are given; and the windowed reader, with any window and
//!   any `max_message_size`, gives exactly the messages and malformed notes
//!   of the one-pass reader. Inputs are raw bytes and, more usefully, bytes
//!   assembled from mail-shaped fragments (`From `, envelopes, header names,
//!   MMDF delimiters, CR, NUL, 8-bit bytes).
//! * **Split, re-join: nothing lost, nothing invented.** An archive of
//!   well-formed messages with hostile bodies (lines starting with `From `
//!   that are not envelopes, `>From `, CRLF, 8-bit bytes, empty bodies, no
//!   final newline) splits back into exactly those messages: same count, the
//!   same bytes for each, the Message-IDs in order, and the windowed reader
//!   agrees with the one-pass reader; with a cap, exactly the messages over
//!   it are counted malformed, at their envelopes. MMDF likewise.
//!
//! Case counts are proptest's default (256) so `cargo test` stays fast; a
//! long run is `PROPTEST_CASES=100000 cargo test --test integration prop::`.
//! `fuzz/` runs the first property under libFuzzer.

use std::path::Path;

use listpulse::ingest::mbox::{self, RawMessage};
use listpulse::ingest::{self, ArchiveFormat, Limits, ParsedArchive, detect, normalize, stream};
use proptest::prelude::*;

const FORMATS: [ArchiveFormat; 4] = [
    ArchiveFormat::Mbox,
    ArchiveFormat::Mmdf,
    ArchiveFormat::Message,
    ArchiveFormat::Empty,
];

/// Pieces of mail, glued at random into inputs the splitter has opinions on.
const FRAGMENTS: &[&[u8]] = &[
    b"From ",
    b"From a@example.org Mon Jan  1 10:00:00 2024",
    b"From jane at example.org  Thu Jan  2 13:54:37 2003",
    b"From mboxrd@z Thu Jan  1 00:00:00 1970",
    b"From x@y Mon, 1 Jan 2024 10:00:00 +0100",
    b"From jens@x.de\"\n <jens@x.de  Mon Jan 15 12:58:00 2001",
    b">From ",
    b"From: ",
    b"Message-ID: <",
    b"References: <a@b> <c@d>",
    b"In-Reply-To: ",
    b"Date: ",
    b"Mon, 1 Jan 2024 10:00:00 +0000",
    b"Subject: =?utf-8?q?caf=C3=A9?=",
    b"Content-Type: multipart/mixed; boundary=b",
    b"--b",
    b"=?iso-8859-1?b?",
    b"\x01\x01\x01\x01",
    b"<a@b>",
    b">",
    b" ",
    b"\t",
    b":",
    b"\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"\n\n",
    b"\xff\xfe",
    b"\xc3",
    b"\0",
    b"observer",
    b"<!DOCTYPE html>",
    b"PK\x03\x04",
    b"\x1f\x8b",
];

/// Raw bytes, or mail-shaped bytes.
fn any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(
            prop_oneof![
                3 => proptest::sample::select(FRAGMENTS).prop_map(|f| f.to_vec()),
                1 => proptest::collection::vec(any::<u8>(), 0..12),
                1 => "[a-zA-Z0-9@. ]{0,12}".prop_map(String::into_bytes),
            ],
            0..64,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

/// Caps with the given `max_message_size`.
fn limits(max_message_size: u64) -> Limits {
    Limits {
        max_message_size,
        ..Limits::default()
    }
}

/// Streams `path` with `window` and collects what reaches the sink.
fn stream_all(
    path: &Path,
    window: usize,
    limits: &Limits,
) -> Result<(ParsedArchive, stream::Streamed), ingest::IngestError> {
    let mut all = ParsedArchive::default();
    let info = stream::stream_archive(path, window, limits, &mut |part| {
        all.format = part.format;
        all.messages.extend(part.messages);
        all.malformed.extend(part.malformed);
        Ok(())
    })?;
    Ok((all, info))
}

proptest! {
    #[test]
    fn nothing_panics_on_any_bytes_and_windows_agree_with_one_pass(
        bytes in any_input(),
        window in 1usize..5000,
        cap in prop_oneof![Just(u64::MAX), 1u64..600],
    ) {
        let detected = detect::detect(&bytes);
        for format in FORMATS {
            let raws = mbox::split(&bytes, format);
            for raw in &raws {
                prop_assert!(raw.offset as usize <= bytes.len());
                // The unguarded parser: a panic fails the test.
                let _ = normalize::parse_message_unguarded(raw);
            }
            let parsed = mbox::parse(&bytes, format, cap);
            prop_assert_eq!(parsed.messages.len() + parsed.malformed.len(), raws.len());
        }
        let _ = normalize::parse_message_unguarded(&RawMessage {
            offset: 0,
            bytes: &bytes,
            envelope_date: None,
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input");
        std::fs::write(&path, &bytes).unwrap();
        let limits = limits(cap);
        let streamed = stream_all(&path, window, &limits);
        // Not gzip (the stream undoes it, the one-pass reader does not):
        // any window and any cap give the one-pass result exactly.
        if !bytes.starts_with(&[0x1f, 0x8b]) {
            let whole = ingest::parse_archive(&bytes, &path, &limits);
            prop_assert_eq!(whole.is_ok(), detected.is_ok());
            match (whole, streamed) {
                (Ok(whole), Ok((streamed, info))) => {
                    prop_assert_eq!(info.bytes, bytes.len() as u64);
                    prop_assert_eq!(streamed.messages, whole.messages);
                    prop_assert_eq!(streamed.malformed, whole.malformed);
                }
                (Err(_), Err(_)) => {}
                (whole, streamed) => prop_assert!(
                    false,
                    "one pass {:?}, windows {:?}",
                    whole.map(|w| w.messages.len()),
                    streamed.map(|s| s.0.messages.len())
                ),
            }
        }
    }
}

/// One well-formed message: its Message-ID and its bytes (no envelope line).
#[derive(Debug, Clone)]
struct Msg {
    id: String,
    bytes: Vec<u8>,
}

/// Body lines that try to look like something else.
fn body_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => "[ -~]{0,60}".prop_map(String::into_bytes),
        // A sentence starting with `From `: not an envelope (no date).
        2 => "[a-zA-Z ,.]{0,40}".prop_map(|s| format!("From {s}").into_bytes()),
        1 => "[a-zA-Z ]{0,30}".prop_map(|s| format!("From here: Mon Jan {s}").into_bytes()),
        2 => "[ -~]{0,40}".prop_map(|s| format!(">From {s}").into_bytes()),
        1 => "[ -~]{0,40}".prop_map(|s| format!(">>From {s}").into_bytes()),
        1 => "[a-zA-Z-]{1,12}: [ -~]{0,30}".prop_map(String::into_bytes),
        1 => Just(Vec::new()),
        1 => Just(b" ".to_vec()),
        // 8-bit bytes, NUL and lone CRs, anywhere in a line (never LF): NUL
        // bytes in a body are that message's business, not the file's.
        2 => proptest::collection::vec(
            any::<u8>().prop_filter("no LF", |b| *b != b'\n'),
            0..40
        ),
    ]
}

/// Envelopes of the kinds real archives have (mboxo, pipermail,
/// public-inbox, an RFC 2822 date, a zone in the asctime date).
fn envelope_line() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..28, 0u32..24)
            .prop_map(|(d, h)| format!("From a@example.org Mon Jan {:2} {h:02}:00:00 2024", d + 1)),
        Just("From jane at example.org  Thu Jan  2 13:54:37 2003".to_string()),
        Just("From mboxrd@z Thu Jan  1 00:00:00 1970".to_string()),
        Just("From x@y.org Mon, 1 Jan 2024 10:00:00 +0100".to_string()),
        Just("From j\u{f6}rg@example.org Mon Jan  1 10:00:00 PST 2024".to_string()),
    ]
}

fn message(index: usize) -> impl Strategy<Value = (String, Vec<Vec<u8>>)> {
    (
        envelope_line(),
        "[ -~]{0,40}",
        proptest::collection::vec(any::<u8>(), 0..8),
        proptest::collection::vec(body_line(), 0..12),
        any::<bool>(),
    )
        .prop_map(move |(envelope, subject, junk, body, has_date)| {
            let mut headers: Vec<Vec<u8>> = vec![
                format!("From: User {index} <u{index}@example.org>").into_bytes(),
                format!("Message-ID: <m{index}.prop@example.org>").into_bytes(),
                format!("Subject: {subject}").into_bytes(),
            ];
            if has_date {
                headers.push(b"Date: Mon, 1 Jan 2024 10:00:00 +0000".to_vec());
            }
            // An 8-bit header value (windows-1252 in the wild).
            let mut x = b"X-Junk: ".to_vec();
            x.extend(junk.iter().filter(|b| !matches!(b, b'\n' | b'\r' | 0)));
            headers.push(x);
            let mut lines = headers;
            lines.push(Vec::new());
            lines.extend(body);
            (envelope, lines)
        })
}

/// An archive: its bytes and the messages (without envelopes) it holds.
fn archive() -> impl Strategy<Value = (Vec<u8>, Vec<Msg>)> {
    (1usize..8, any::<bool>(), any::<bool>(), 0usize..3)
        .prop_flat_map(|(n, crlf, final_newline, leading_blank)| {
            let msgs: Vec<_> = (0..n).map(message).collect();
            (msgs, Just(crlf), Just(final_newline), Just(leading_blank))
        })
        .prop_map(|(msgs, crlf, final_newline, leading_blank)| {
            let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            let mut out: Vec<u8> = eol.repeat(leading_blank);
            let mut want = Vec::new();
            let count = msgs.len();
            for (i, (envelope, lines)) in msgs.into_iter().enumerate() {
                out.extend_from_slice(envelope.as_bytes());
                out.extend_from_slice(eol);
                let mut bytes = Vec::new();
                for (j, line) in lines.iter().enumerate() {
                    bytes.extend_from_slice(line);
                    let last = i + 1 == count && j + 1 == lines.len();
                    if !last || final_newline {
                        bytes.extend_from_slice(eol);
                    }
                }
                out.extend_from_slice(&bytes);
                want.push(Msg {
                    id: format!("m{i}.prop@example.org"),
                    bytes,
                });
            }
            (out, want)
        })
}

/// Whether some body line (alone, or folded with the next) reads as an
/// envelope after all; such a generated case is discarded, not failed.
fn has_accidental_envelope(msgs: &[Msg]) -> bool {
    msgs.iter().any(|m| {
        let lines: Vec<&[u8]> = m
            .bytes
            .split(|b| *b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .collect();
        lines.iter().enumerate().any(|(i, line)| {
            if !line.starts_with(b"From ") {
                return false;
            }
            if mbox::envelope(line).is_some() {
                return true;
            }
            lines.get(i + 1).is_some_and(|next| {
                let mut joined = line.to_vec();
                joined.push(b' ');
                joined.extend_from_slice(next);
                matches!(next.first(), Some(b' ' | b'\t')) && mbox::envelope(&joined).is_some()
            })
        })
    })
}

proptest! {
    #[test]
    fn splitting_loses_no_message_and_invents_none(
        (bytes, want) in archive(),
        window in prop_oneof![Just(1usize), 2usize..200, Just(4096)],
    ) {
        prop_assume!(!has_accidental_envelope(&want));
        prop_assert_eq!(detect::detect(&bytes), Ok(ArchiveFormat::Mbox));

        let raws = mbox::split(&bytes, ArchiveFormat::Mbox);
        prop_assert_eq!(raws.len(), want.len(), "message count");
        for (raw, msg) in raws.iter().zip(&want) {
            prop_assert_eq!(
                String::from_utf8_lossy(raw.bytes),
                String::from_utf8_lossy(&msg.bytes)
            );
            prop_assert!(raw.envelope_date.is_some());
        }

        let parsed = mbox::parse(&bytes, ArchiveFormat::Mbox, u64::MAX);
        prop_assert!(parsed.malformed.is_empty(), "{:?}", parsed.malformed);
        let ids: Vec<&str> = parsed.messages.iter().map(|m| m.key.as_str()).collect();
        let want_ids: Vec<&str> = want.iter().map(|m| m.id.as_str()).collect();
        prop_assert_eq!(&ids, &want_ids);
        for (m, w) in parsed.messages.iter().zip(&want) {
            prop_assert_eq!(m.size, w.bytes.len() as u64);
            prop_assert!(m.from_addr.as_deref().is_some_and(|a| a.ends_with("@example.org")));
        }

        // The windowed reader cuts the same archive at other places.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("archive.mbox");
        std::fs::write(&path, &bytes).unwrap();
        let (streamed, info) = stream_all(&path, window, &limits(u64::MAX)).unwrap();
        prop_assert_eq!(info.bytes, bytes.len() as u64);
        prop_assert_eq!(&streamed.messages, &parsed.messages);

        // With a cap, each message over it is counted malformed at its
        // envelope and the others are read as before, by both readers.
        let sizes: Vec<u64> = want.iter().map(|m| m.bytes.len() as u64).collect();
        let cap = sizes[sizes.len() / 2];
        let (capped, _) = stream_all(&path, window, &limits(cap)).unwrap();
        let kept: Vec<&str> = capped.messages.iter().map(|m| m.key.as_str()).collect();
        let want_kept: Vec<&str> = want
            .iter()
            .filter(|m| m.bytes.len() as u64 <= cap)
            .map(|m| m.id.as_str())
            .collect();
        prop_assert_eq!(kept, want_kept);
        let too_large: Vec<u64> = raws
            .iter()
            .filter(|r| r.bytes.len() as u64 > cap)
            .map(|r| r.offset)
            .collect();
        let skipped: Vec<u64> = capped.malformed.iter().map(|m| m.offset).collect();
        prop_assert_eq!(skipped, too_large);
        prop_assert!(capped.malformed.iter().all(|m| m.reason.starts_with(mbox::TOO_LARGE)));
    }

    #[test]
    fn mmdf_splitting_loses_no_message_and_invents_none(
        (_, want) in archive(),
        window in prop_oneof![Just(1usize), 2usize..200, Just(4096)],
    ) {
        // The same messages between MMDF delimiters (no envelopes there).
        let mut bytes = Vec::new();
        for m in &want {
            bytes.extend_from_slice(b"\x01\x01\x01\x01\n");
            bytes.extend_from_slice(&m.bytes);
            if !m.bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(b"\x01\x01\x01\x01\n");
        }
        prop_assume!(!want.iter().any(|m| m.bytes.windows(4).any(|w| w == b"\x01\x01\x01\x01")));
        let parsed = mbox::parse(&bytes, ArchiveFormat::Mmdf, u64::MAX);
        let ids: Vec<&str> = parsed.messages.iter().map(|m| m.key.as_str()).collect();
        let want_ids: Vec<&str> = want.iter().map(|m| m.id.as_str()).collect();
        prop_assert_eq!(ids, want_ids);
        prop_assert!(parsed.malformed.is_empty());

        // MMDF is read in windows too, to the same messages.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("archive.mmdf");
        std::fs::write(&path, &bytes).unwrap();
        let (streamed, _) = stream_all(&path, window, &limits(u64::MAX)).unwrap();
        prop_assert_eq!(streamed.messages, parsed.messages);
    }
}
