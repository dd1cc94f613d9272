//! Format detection by content, never by file name.
//!
//! Owns one decision: is this file an archive listpulse reads, and which
//! kind? Looking at the first non-blank line is enough:
//!
//! * nothing but white space → [`ArchiveFormat::Empty`] (not an error);
//! * `\x01\x01\x01\x01` → MMDF;
//! * a `From ` envelope (`From <sender> <date>`, possibly folded), or any
//!   `From ` line followed by a header line → mbox, in every variant (mboxo,
//!   mboxrd, pipermail, HyperKitty, public-inbox with its 1970 placeholder);
//! * a header field (`Name: value`, RFC 5322 field name) → one message
//!   (maildir files, `.eml`, separator-less legacy layouts: see
//!   [`super::mbox`]);
//! * anything else (HTML index pages, LISTSERV notebooks, which open with a
//!   line of `=`, ZIP or other binary data, a README) → not an archive, with
//!   the reason.
//!
//! Text before the first envelope is not skipped over: a file that opens with
//! prose is not guessed to be an archive further down. gzip is undone before
//! this point ([`super::source::open`]).

use super::ArchiveFormat;
use super::mbox::{envelope, skip_blank_lines};

/// Decides what `bytes` (already decompressed) hold, or why they are not an archive.
pub fn detect(bytes: &[u8]) -> Result<ArchiveFormat, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(ArchiveFormat::Empty);
    }
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"PK\x03\x04") {
        return Err("a ZIP file; unpack it first".to_string());
    }
    if head.contains(&0) {
        return Err("binary data".to_string());
    }
    let at = skip_blank_lines(bytes, 0);
    let line = first_line(&bytes[at..]);
    if line == b"\x01\x01\x01\x01" {
        return Ok(ArchiveFormat::Mmdf);
    }
    if line.starts_with(b"From ") {
        let after = &bytes[at + line.len()..];
        let after = after.strip_prefix(b"\r").unwrap_or(after);
        let after = after.strip_prefix(b"\n").unwrap_or(after);
        let next = first_line(after);
        let folded = matches!(next.first(), Some(b' ' | b'\t')) && {
            let mut joined = line.to_vec();
            joined.push(b' ');
            joined.extend_from_slice(next);
            envelope(&joined).is_some()
        };
        if envelope(line).is_some() || folded || is_header_line(next) {
            return Ok(ArchiveFormat::Mbox);
        }
        return Err("a `From ` line that is not an mbox envelope".to_string());
    }
    if is_header_line(line) {
        return Ok(ArchiveFormat::Message);
    }
    let lower = line.to_ascii_lowercase();
    if lower.starts_with(b"<!doctype") || lower.starts_with(b"<html") || lower.starts_with(b"<?xml")
    {
        return Err("an HTML or XML page".to_string());
    }
    if line.len() > 10 && line.iter().all(|&b| b == b'=') {
        return Err("looks like a LISTSERV notebook".to_string());
    }
    Err("no mbox envelope, MMDF delimiter or message header at the start".to_string())
}

/// The first line, without its line ending.
fn first_line(bytes: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let line = &bytes[..end];
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// `Name: value`, the name printable ASCII without space or colon (RFC 5322 §2.2).
pub(crate) fn is_header_line(line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    colon > 0 && line[..colon].iter().all(|&b| (33..=126).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::empty(b"", Ok(ArchiveFormat::Empty))]
    #[case::blank(b" \n\r\n", Ok(ArchiveFormat::Empty))]
    #[case::mbox(
        b"From a@b.org Mon Jan  1 10:00:00 2024\nFrom: a\n\nx",
        Ok(ArchiveFormat::Mbox)
    )]
    #[case::mbox_after_blank_line(
        b"\nFrom a@b.org Mon Jan  1 10:00:00 2024\n",
        Ok(ArchiveFormat::Mbox)
    )]
    #[case::public_inbox(
        b"From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: a\n",
        Ok(ArchiveFormat::Mbox)
    )]
    #[case::loose_from_then_header(b"From nobody\nFrom: a\n\nx", Ok(ArchiveFormat::Mbox))]
    #[case::mmdf(
        b"\x01\x01\x01\x01\nFrom: a\n\nx\n\x01\x01\x01\x01\n",
        Ok(ArchiveFormat::Mmdf)
    )]
    #[case::maildir(b"Return-Path: <a@b>\r\nFrom: a\r\n\r\nx", Ok(ArchiveFormat::Message))]
    #[case::html(b"<!DOCTYPE HTML PUBLIC>\n<html>", Err(()))]
    #[case::listserv(b"==========================\nDate: x\n", Err(()))]
    #[case::zip(b"PK\x03\x04\x14\x00", Err(()))]
    #[case::binary(b"\x7fELF\x00\x00", Err(()))]
    #[case::readme(b"This directory contains email corpora.\n", Err(()))]
    #[case::prose_from(b"From the start, this was hard.\nReally.\n", Err(()))]
    fn detects_by_content(#[case] bytes: &[u8], #[case] want: Result<ArchiveFormat, ()>) {
        assert_eq!(detect(bytes).map_err(|_| ()), want);
    }
}
