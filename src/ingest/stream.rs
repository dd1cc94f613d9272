//! Reading one archive in bounded memory and linear time, whatever it holds.
//!
//! The file is read in windows of about [`WINDOW`] bytes; each window is
//! split at real envelopes (or MMDF delimiters), its complete messages are
//! parsed in parallel and handed on, and the last, possibly unfinished
//! message is carried into the next window. Memory therefore follows the
//! window and the largest message allowed, not the file: a 2 GB mbox costs
//! what a 16 MB one does.
//!
//! What an archive folder written by others can hold is bounded too (issue
//! #12), and each bound is met in time linear in the input:
//!
//! * leading blank lines are dropped as they are read (a gzip of a gigabyte
//!   of newlines is an empty file, read in one window of memory; the old
//!   format check looked at the whole prefix again after every window, which
//!   was quadratic: 3 min 39 s for 0.97 MB of gzip);
//! * format detection looks at [`DETECT_LIMIT`] bytes at most;
//! * a message larger than `max_message_size` is never held whole: once the
//!   carried message is surely over the cap, the reader only looks for where
//!   the next message starts, keeping a line or two, and the big one is
//!   counted malformed ("too large");
//! * gzip content past `max_decompressed` stops the file with an error.
//!
//! Splitting a window only ever looks at complete lines (or at a last line
//! too long to be an envelope), so every message boundary is decided exactly
//! as [`super::parse_archive`] decides it on the whole file: the property
//! tests and the `stream` fuzz target hold the two to the same messages.
//!
//! The content hash (BLAKE3, of the decompressed bytes) is computed on the
//! way, so an unchanged file can be recognised next time without a second
//! read.

use std::io::Read;
use std::path::Path;

use super::detect::{self, DETECT_LIMIT};
use super::limits::{Limits, format_size};
use super::mbox::{self, ENVELOPE_MAX};
use super::source::{self, read_error};
use super::{ArchiveFormat, IngestError, ParsedArchive};

/// Bytes read per window.
pub const WINDOW: usize = 16 << 20;

/// Messages parsed and handed on at a time. A window of tiny messages holds
/// hundreds of thousands, and their records take several times the window's
/// bytes: handed on whole, the four windows in flight cost 650 MB on a file
/// of 40-byte messages. In batches, what is in flight stays a few megabytes.
pub const BATCH: usize = 8192;

/// What streaming a whole file found, besides the messages handed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streamed {
    /// The detected format.
    pub format: ArchiveFormat,
    /// Bytes of (decompressed) content.
    pub bytes: u64,
    /// BLAKE3 hash of that content, hex.
    pub hash: String,
}

/// The receiver of parsed windows went away; stop reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// Streams `path` through detection, splitting and parsing, handing each
/// window's messages to `sink` in file order.
///
/// A file that is not an archive fails before anything reaches `sink`. A
/// read error later (a truncated gzip, content past `max_decompressed`)
/// fails after some windows were handed on: the caller must then drop what
/// it received for this file.
pub fn stream_archive(
    path: &Path,
    window: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(ParsedArchive) -> Result<(), Stopped>,
) -> Result<Streamed, IngestError> {
    let window = window.max(1);
    let cap = limits.max_message_size;
    let mut reader = Reader::open(path, limits)?;
    let mut send = |parsed: ParsedArchive| {
        sink(parsed).map_err(|_| IngestError::Unreadable {
            path: path.to_path_buf(),
            what: "stopped: the database writer failed".to_string(),
        })
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut base: u64 = 0; // file offset of buf[0]
    match skip_blank_start(&mut reader, &mut buf, &mut base, window)? {
        Start::Empty => return Ok(reader.finish(ArchiveFormat::Empty)),
        Start::Indented => {
            return Err(IngestError::NotAnArchive {
                path: path.to_path_buf(),
                why: detect::NO_START.to_string(),
            });
        }
        Start::Content => {}
    }
    while buf.len() < DETECT_LIMIT && !reader.eof {
        reader.grow(&mut buf, window)?;
    }
    let format = detect::detect_head(&buf[..buf.len().min(DETECT_LIMIT)]).map_err(|why| {
        IngestError::NotAnArchive {
            path: path.to_path_buf(),
            why,
        }
    })?;

    if format == ArchiveFormat::Message {
        // One message: held only while it is within the cap.
        while !reader.eof && buf.len() as u64 <= cap {
            let room = (cap.saturating_add(1) - buf.len() as u64).min(window as u64) as usize;
            reader.grow(&mut buf, room.max(1))?;
        }
        if buf.len() as u64 > cap {
            send(skipped(format, base, cap))?;
            reader.drain(window)?;
        } else {
            send(mbox::parse_raws(
                &mbox::split(&buf, format),
                format,
                base,
                cap,
            ))?;
        }
        return Ok(reader.finish(format));
    }

    // mbox and MMDF, window by window. `skipping`: buf lies inside a message
    // too large to hold, and only the start of the next one is looked for.
    let mut skipping = false;
    loop {
        let limit = decided(&buf, reader.eof);
        if skipping {
            if let Some(at) = mbox::next_start(&buf[..limit], format) {
                buf.drain(..at);
                base += at as u64;
                skipping = false;
                continue;
            }
            if reader.eof {
                break;
            }
            // Keep only what may still open the next message: the last
            // complete line (the first half of a folded envelope) and the
            // unfinished one, with the line break before them.
            let keep = undecided_from(&buf, limit);
            buf.drain(..keep);
            base += keep as u64;
            reader.grow(&mut buf, window)?;
            continue;
        }
        let raws = mbox::split(&buf[..limit], format);
        let take = if reader.eof {
            raws.len()
        } else {
            raws.len().saturating_sub(1)
        };
        // The message carried into the next window: where it starts in buf,
        // and how much of it is certainly its own.
        let carried = raws.get(take).map(|r| (r.offset as usize, r.bytes.len()));
        for batch in raws[..take].chunks(BATCH) {
            send(mbox::parse_raws(batch, format, base, cap))?;
        }
        let cut = match carried {
            Some((at, _)) => at,
            None => limit,
        };
        drop(raws);
        buf.drain(..cut);
        base += cut as u64;
        if reader.eof {
            break;
        }
        let Some((_, own)) = carried else {
            reader.grow(&mut buf, window)?;
            continue;
        };
        // At most the last line of the split part may turn out to open the
        // next message (a folded envelope), so `own` less one envelope line
        // is surely this message's: past the cap, it is too large.
        if own as u64 > cap.saturating_add(ENVELOPE_MAX as u64 + 1) {
            send(skipped(format, base, cap))?;
            skipping = true;
            continue;
        }
        // Read a window more than what is carried, so a message larger than
        // a window still completes. While no message completes, double
        // instead: each pass re-splits what is carried, and doubling keeps a
        // large message's cost linear (log2(size / window) passes, not
        // size / window). Never much past the point where it is surely too
        // large, so memory stays within the cap.
        let extra = if take == 0 {
            let bound = (cap as usize).saturating_add(4 * ENVELOPE_MAX + 8);
            buf.len()
                .max(window)
                .min(bound.saturating_sub(buf.len()).max(window))
        } else {
            window
        };
        reader.grow(&mut buf, extra)?;
    }
    Ok(reader.finish(format))
}

/// A message passed over for its size, at file offset `offset`.
fn skipped(format: ArchiveFormat, offset: u64, cap: u64) -> ParsedArchive {
    ParsedArchive {
        format: Some(format),
        messages: Vec::new(),
        malformed: vec![mbox::too_large(offset, cap)],
    }
}

/// How much of `buf` can be split now without knowing what follows: up to
/// the end of its last complete line, all of it at the end of the file, and
/// all of it too when the unfinished last line is already longer than an
/// envelope or a delimiter can be.
fn decided(buf: &[u8], eof: bool) -> usize {
    if eof {
        return buf.len();
    }
    let complete = memchr::memrchr(b'\n', buf).map_or(0, |n| n + 1);
    if buf.len() - complete > ENVELOPE_MAX {
        buf.len()
    } else {
        complete
    }
}

/// Where the part of `buf` that may still open a message begins, given
/// `limit` from [`decided`]: the line break before the last complete line
/// when that line is short enough to be half an envelope, else the one
/// before the unfinished line; everything when all of `buf` is decided.
fn undecided_from(buf: &[u8], limit: usize) -> usize {
    if limit == buf.len() || limit == 0 {
        return limit;
    }
    let last_break = limit - 1; // buf[limit - 1] == b'\n'
    match memchr::memrchr(b'\n', &buf[..last_break]) {
        Some(prev) if last_break - prev - 1 <= ENVELOPE_MAX => prev,
        _ => last_break,
    }
}

/// What the start of a file holds once leading blank lines are dropped.
enum Start {
    /// Nothing but white space.
    Empty,
    /// `buf` starts at the first non-blank line.
    Content,
    /// The first non-blank line starts with more white space than detection
    /// reads: not an archive.
    Indented,
}

/// Reads past leading blank lines, dropping them as they come, so a file of
/// nothing else costs one window of memory and one look at each byte.
fn skip_blank_start(
    reader: &mut Reader<'_>,
    buf: &mut Vec<u8>,
    base: &mut u64,
    window: usize,
) -> Result<Start, IngestError> {
    let mut scanned = 0; // buf[..scanned] is white space
    let mut mid_line = false; // buf[0] is inside a line of white space
    loop {
        if scanned == buf.len() {
            if reader.eof {
                return Ok(Start::Empty);
            }
            reader.grow(buf, window)?;
            continue;
        }
        match buf[scanned..].iter().position(|b| !b.is_ascii_whitespace()) {
            Some(k) => {
                let i = scanned + k;
                return Ok(match memchr::memrchr(b'\n', &buf[..i]) {
                    Some(n) => {
                        buf.drain(..=n);
                        *base += n as u64 + 1;
                        Start::Content
                    }
                    None if mid_line => Start::Indented,
                    None => Start::Content,
                });
            }
            None => {
                scanned = buf.len();
                if let Some(n) = memchr::memrchr(b'\n', buf) {
                    buf.drain(..=n);
                    *base += n as u64 + 1;
                    scanned -= n + 1;
                    mid_line = false;
                }
                if buf.len() > DETECT_LIMIT {
                    *base += buf.len() as u64;
                    buf.clear();
                    scanned = 0;
                    mid_line = true;
                }
            }
        }
    }
}

/// Computes the content hash of `path` (decompressed) without parsing it.
pub fn hash_file(path: &Path, limits: &Limits) -> Result<String, IngestError> {
    let mut reader = Reader::open(path, limits)?;
    reader.drain(WINDOW)?;
    Ok(reader.hasher.finalize().to_hex().to_string())
}

/// The decompressed content of one file, hashed and counted as it is read.
struct Reader<'p> {
    path: &'p Path,
    inner: Box<dyn Read + Send>,
    hasher: blake3::Hasher,
    total: u64,
    eof: bool,
    /// For gzip input, the content allowed (`max_decompressed`).
    cap: Option<u64>,
}

impl<'p> Reader<'p> {
    fn open(path: &'p Path, limits: &Limits) -> Result<Reader<'p>, IngestError> {
        let opened = source::open(path)?;
        Ok(Reader {
            path,
            inner: opened.reader,
            hasher: blake3::Hasher::new(),
            total: 0,
            eof: false,
            cap: opened.compressed.then_some(limits.max_decompressed),
        })
    }

    /// Appends to `buf` until it holds `target` bytes or the input ends.
    /// Past `cap`, fails: at most one byte more than allowed is read.
    fn fill(&mut self, buf: &mut Vec<u8>, target: usize) -> Result<(), IngestError> {
        while buf.len() < target && !self.eof {
            let before = buf.len();
            let mut want = (target - before) as u64;
            if let Some(cap) = self.cap {
                want = want.min(cap.saturating_add(1) - self.total);
            }
            buf.reserve_exact(want as usize);
            let n = (&mut self.inner)
                .take(want)
                .read_to_end(buf)
                .map_err(|e| read_error(self.path, &e))?;
            if n == 0 {
                self.eof = true;
            }
            self.hasher.update(&buf[before..]);
            self.total += n as u64;
            if let Some(cap) = self.cap
                && self.total > cap
            {
                return Err(IngestError::TooLarge {
                    path: self.path.to_path_buf(),
                    limit: format_size(cap),
                });
            }
        }
        Ok(())
    }

    /// Appends up to `extra` more bytes to `buf`.
    fn grow(&mut self, buf: &mut Vec<u8>, extra: usize) -> Result<(), IngestError> {
        let target = buf.len() + extra;
        self.fill(buf, target)
    }

    /// Reads (and hashes) the rest of the input, holding one window at most.
    fn drain(&mut self, window: usize) -> Result<(), IngestError> {
        let mut scratch = Vec::new();
        while !self.eof {
            scratch.clear();
            self.fill(&mut scratch, window)?;
        }
        Ok(())
    }

    fn finish(self, format: ArchiveFormat) -> Streamed {
        Streamed {
            format,
            bytes: self.total,
            hash: self.hasher.finalize().to_hex().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Streams `path` with a tiny window and collects everything.
    fn collect(path: &Path, window: usize) -> (ParsedArchive, Streamed) {
        let mut all = ParsedArchive::default();
        let streamed = stream_archive(path, window, &Limits::default(), &mut |part| {
            all.format = part.format;
            all.messages.extend(part.messages);
            all.malformed.extend(part.malformed);
            Ok(())
        })
        .unwrap();
        (all, streamed)
    }

    #[test]
    fn windows_of_any_size_give_the_same_messages_as_one_pass() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ingest");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(bytes) = source::read_all(&path) else {
                continue;
            };
            let Ok(whole) = super::super::parse_archive(&bytes, &path, &Limits::default()) else {
                continue;
            };
            if path
                .extension()
                .is_some_and(|e| e == "json" || e == "failed")
            {
                continue;
            }
            for window in [1, 7, 64, 1000, WINDOW] {
                let (streamed, info) = collect(&path, window);
                assert_eq!(
                    streamed.messages,
                    whole.messages,
                    "{} window {window}",
                    path.display()
                );
                assert_eq!(
                    streamed.malformed,
                    whole.malformed,
                    "{} window {window}",
                    path.display()
                );
                assert_eq!(info.bytes, bytes.len() as u64);
                assert_eq!(info.hash, blake3::hash(&bytes).to_hex().to_string());
            }
            checked += 1;
        }
        assert!(checked >= 3, "expected mbox fixtures in {}", dir.display());
    }

    #[test]
    fn a_message_larger_than_the_window_stays_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.mbox");
        let mut f = std::fs::File::create(&path).unwrap();
        for i in 0..3 {
            writeln!(f, "From a@example.org Mon Jan  1 10:00:0{i} 2024").unwrap();
            writeln!(f, "From: a@example.org\nMessage-ID: <m{i}@x>\nDate: Mon, 1 Jan 2024 10:00:0{i} +0000\n").unwrap();
            for _ in 0..2000 {
                writeln!(f, "a line of body text that goes on for a while").unwrap();
            }
        }
        drop(f);
        let (all, _) = collect(&path, 4096);
        let keys: Vec<&str> = all.messages.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["m0@x", "m1@x", "m2@x"]);
        assert!(all.messages.iter().all(|m| m.size > 90_000));
    }

    #[test]
    fn not_an_archive_fails_before_anything_is_handed_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.html");
        std::fs::write(&path, "<!DOCTYPE html>\n<html></html>\n").unwrap();
        let mut calls = 0;
        let err = stream_archive(&path, WINDOW, &Limits::default(), &mut |_| {
            calls += 1;
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(err, IngestError::NotAnArchive { .. }));
        assert_eq!(calls, 0);
    }

    #[test]
    fn hash_file_matches_the_streamed_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.mbox");
        std::fs::write(
            &path,
            "From a@b Mon Jan  1 10:00:00 2024\nFrom: a@b\n\nhi\n",
        )
        .unwrap();
        let (_, info) = collect(&path, 5);
        assert_eq!(hash_file(&path, &Limits::default()).unwrap(), info.hash);
    }

    /// Streams `path` with `window` and `limits`, collecting everything.
    fn collect_with(path: &Path, window: usize, limits: &Limits) -> (ParsedArchive, Streamed) {
        let mut all = ParsedArchive::default();
        let streamed = stream_archive(path, window, limits, &mut |part| {
            all.messages.extend(part.messages);
            all.malformed.extend(part.malformed);
            Ok(())
        })
        .unwrap();
        (all, streamed)
    }

    fn capped(max_message_size: u64) -> Limits {
        Limits {
            max_message_size,
            ..Limits::default()
        }
    }

    #[test]
    fn a_message_over_the_cap_costs_only_itself_at_any_window() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.mbox");
        let mut text = String::new();
        for (i, body_lines) in [(0, 3), (1, 2000), (2, 3)] {
            text.push_str(&format!(
                "From a@b.org Mon Jan  1 10:00:0{i} 2024\nFrom: a@b.org\nMessage-ID: <m{i}@x>\n\n"
            ));
            text.push_str(&"body text line\n".repeat(body_lines));
        }
        std::fs::write(&path, &text).unwrap();
        let big_at = text.find("From a@b.org Mon Jan  1 10:00:01").unwrap() as u64;
        for window in [1, 100, 1000, 4096, WINDOW] {
            let (all, info) = collect_with(&path, window, &capped(10_000));
            let keys: Vec<&str> = all.messages.iter().map(|m| m.key.as_str()).collect();
            assert_eq!(keys, ["m0@x", "m2@x"], "window {window}");
            assert_eq!(all.malformed.len(), 1);
            assert_eq!(all.malformed[0].offset, big_at);
            assert!(all.malformed[0].reason.starts_with(mbox::TOO_LARGE));
            assert_eq!(info.bytes, text.len() as u64);
        }
    }

    #[test]
    fn a_single_message_file_over_the_cap_is_counted_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.eml");
        let text = format!(
            "From: a@b.org\nMessage-ID: <one@x>\n\n{}",
            "x".repeat(100_000)
        );
        std::fs::write(&path, &text).unwrap();
        let (all, info) = collect_with(&path, 1000, &capped(10_000));
        assert!(all.messages.is_empty());
        assert_eq!(all.malformed.len(), 1);
        assert_eq!(
            info.hash,
            blake3::hash(text.as_bytes()).to_hex().to_string()
        );
    }

    #[test]
    fn no_cap_at_all_reads_a_single_message_longer_than_detection_looks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("one.eml");
        let body = "y".repeat(DETECT_LIMIT + 1000);
        std::fs::write(
            &path,
            format!("From: a@b.org\nMessage-ID: <one@x>\n\n{body}"),
        )
        .unwrap();
        let unlimited = Limits {
            max_message_size: u64::MAX,
            max_decompressed: u64::MAX,
        };
        let (all, _) = collect_with(&path, 65_536, &unlimited);
        assert_eq!(all.messages.len(), 1);
        assert!(all.malformed.is_empty());
    }

    #[test]
    fn gzip_content_past_the_decompressed_cap_is_an_error_naming_the_file() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.mbox.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"From a@b.org Mon Jan  1 10:00:00 2024\nFrom: a@b.org\n\n")
            .unwrap();
        gz.write_all(&b"line\n".repeat(10_000)).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let limits = Limits {
            max_decompressed: 1000,
            ..Limits::default()
        };
        let err = stream_archive(&path, 100, &limits, &mut |_| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: decompressed content passes max_decompressed (1000 bytes); stopped, nothing of this file stored",
                path.display()
            )
        );
        assert!(hash_file(&path, &limits).is_err());
    }
}
