//! Reading one archive in bounded memory: the file is read in windows of
//! about [`WINDOW`] bytes; each window is split at real envelopes, its
//! complete messages are parsed in parallel and handed on, and the last,
//! possibly unfinished message is carried into the next window.
//!
//! Memory therefore follows the window (and the largest single message),
//! not the file: a 2 GB mbox costs what a 16 MB one does. Only mbox is
//! windowed; MMDF files and single messages are read whole, as they are
//! small in practice (a message is never split).
//!
//! The content hash (BLAKE3, of the decompressed bytes) is computed on the
//! way, so an unchanged file can be recognised next time without a second
//! read.

use std::io::Read;
use std::path::Path;

use super::mbox::{self, RawMessage};
use super::source::{self, read_error};
use super::{ArchiveFormat, IngestError, ParsedArchive, detect};

/// Bytes read per window.
pub const WINDOW: usize = 16 << 20;

/// Whether `buf` holds two complete lines after any leading blank ones.
fn has_two_lines(buf: &[u8]) -> bool {
    let start = mbox::skip_blank_lines(buf, 0);
    memchr::memchr_iter(b'\n', &buf[start..]).nth(1).is_some()
}

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
/// read error later (a truncated gzip) fails after some windows were handed
/// on: the caller must then drop what it received for this file.
pub fn stream_archive(
    path: &Path,
    window: usize,
    sink: &mut dyn FnMut(ParsedArchive) -> Result<(), Stopped>,
) -> Result<Streamed, IngestError> {
    let mut reader = Reader {
        inner: source::open(path)?,
        hasher: blake3::Hasher::new(),
        total: 0,
        eof: false,
    };
    let stopped = || IngestError::Unreadable {
        path: path.to_path_buf(),
        what: "stopped: the database writer failed".to_string(),
    };
    let mut buf: Vec<u8> = Vec::new();
    reader
        .fill(&mut buf, window)
        .map_err(|e| read_error(path, &e))?;
    // Detection reads the first two non-blank lines: make sure they are
    // here, however long (a 1 MB header line) or far (leading blank lines).
    while !reader.eof && !has_two_lines(&buf) {
        reader
            .grow(&mut buf, window)
            .map_err(|e| read_error(path, &e))?;
    }
    let format = detect::detect(&buf).map_err(|why| IngestError::NotAnArchive {
        path: path.to_path_buf(),
        why,
    })?;
    if format != ArchiveFormat::Mbox {
        while !reader.eof {
            reader
                .grow(&mut buf, window)
                .map_err(|e| read_error(path, &e))?;
        }
        sink(mbox::parse(&buf, format)).map_err(|_| stopped())?;
        return Ok(reader.finish(format));
    }

    let mut base: u64 = 0; // file offset of buf[0]
    loop {
        let raws = mbox::split(&buf, format);
        // Until the end of the file, the last message may be unfinished:
        // keep it (from its envelope on) for the next window.
        let take = if reader.eof {
            raws.len()
        } else {
            raws.len().saturating_sub(1)
        };
        if take > 0 {
            let cut = match raws.get(take) {
                Some(next) => next.offset as usize,
                None => buf.len(),
            };
            let ready: &[RawMessage<'_>] = &raws[..take];
            sink(mbox::parse_raws(ready, format, base)).map_err(|_| stopped())?;
            drop(raws);
            buf.drain(..cut);
            base += cut as u64;
        } else {
            drop(raws);
        }
        if reader.eof {
            break;
        }
        // Read a window more than what is carried over, so a message larger
        // than a window still completes. While no message completes, double
        // instead: each pass re-splits what is carried, and doubling keeps a
        // huge message's cost linear (log2(size / window) passes, not
        // size / window).
        let extra = if take == 0 {
            buf.len().max(window)
        } else {
            window
        };
        reader
            .grow(&mut buf, extra)
            .map_err(|e| read_error(path, &e))?;
    }
    Ok(reader.finish(format))
}

/// Computes the content hash of `path` (decompressed) without parsing it.
pub fn hash_file(path: &Path) -> Result<String, IngestError> {
    let mut reader = Reader {
        inner: source::open(path)?,
        hasher: blake3::Hasher::new(),
        total: 0,
        eof: false,
    };
    let mut buf = Vec::new();
    while !reader.eof {
        buf.clear();
        reader
            .fill(&mut buf, WINDOW)
            .map_err(|e| read_error(path, &e))?;
    }
    Ok(reader.hasher.finalize().to_hex().to_string())
}

struct Reader {
    inner: Box<dyn Read + Send>,
    hasher: blake3::Hasher,
    total: u64,
    eof: bool,
}

impl Reader {
    /// Appends to `buf` until it holds `target` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, target: usize) -> std::io::Result<()> {
        while buf.len() < target && !self.eof {
            let before = buf.len();
            let want = (target - before) as u64;
            let n = (&mut self.inner).take(want).read_to_end(buf)?;
            if n == 0 {
                self.eof = true;
            }
            self.hasher.update(&buf[before..]);
            self.total += n as u64;
        }
        Ok(())
    }

    /// Appends up to `extra` more bytes to `buf`.
    fn grow(&mut self, buf: &mut Vec<u8>, extra: usize) -> std::io::Result<()> {
        let target = buf.len() + extra;
        self.fill(buf, target)
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
        let streamed = stream_archive(path, window, &mut |part| {
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
            let Ok(whole) = super::super::parse_archive(&bytes, &path) else {
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
        let err = stream_archive(&path, WINDOW, &mut |_| {
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
        assert_eq!(hash_file(&path).unwrap(), info.hash);
    }
}
