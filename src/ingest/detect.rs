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
//! * a header field (`Name: value`, RFC 5322 field name), with a field a
//!   message has (`From`, `Date`, `Received`, …) in the header block → one
//!   message (maildir files, `.eml`, separator-less legacy layouts: see
//!   [`super::mbox`]); `name: value` lines alone, as `/etc/passwd` has, are
//!   not a message;
//! * anything else (HTML index pages, LISTSERV notebooks, which open with a
//!   line of `=`, a first line with a NUL byte: ZIP or other binary data, a
//!   README) → not an archive, with the reason.
//!
//! Only the first [`DETECT_LIMIT`] bytes after any leading blank lines are
//! read, so deciding costs the same whatever follows.
//!
//! Text before the first envelope is not skipped over: a file that opens with
//! prose is not guessed to be an archive further down. gzip is undone before
//! this point ([`super::source::open`]).

use super::ArchiveFormat;
use super::mbox::{envelope, skip_blank_lines};

/// Bytes detection reads, from the first non-blank line on: enough for a
/// 1 MB header line before a message's `From:`, and a bound on the work of
/// deciding, whatever the file holds (issue #12: a gzip of blank lines cost
/// minutes while the format check looked further and further).
pub const DETECT_LIMIT: usize = 4 << 20;

/// Why a file whose first non-blank line fits no format is not an archive.
pub const NO_START: &str = "no mbox envelope, MMDF delimiter or message header at the start";

/// Decides what `bytes` (already decompressed) hold, or why they are not an archive.
///
/// Blank lines at the start are passed over; then only [`DETECT_LIMIT`]
/// bytes are looked at ([`detect_head`]), as the windowed reader does.
pub fn detect(bytes: &[u8]) -> Result<ArchiveFormat, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(ArchiveFormat::Empty);
    }
    let at = skip_blank_lines(bytes, 0);
    let end = bytes.len().min(at + DETECT_LIMIT);
    detect_head(&bytes[at..end])
}

/// Decides from `head`: the file from its first non-blank line on, at most
/// [`DETECT_LIMIT`] bytes of it (less only where the file ends sooner).
pub fn detect_head(head: &[u8]) -> Result<ArchiveFormat, String> {
    if head.starts_with(b"PK\x03\x04") {
        return Err("a ZIP file; unpack it first".to_string());
    }
    let line = first_line(head);
    // A NUL byte on the first line: an executable, an image, /dev/zero.
    // NUL bytes further on are the business of the message holding them
    // (issue #12: one NUL in the first 4 KB rejected a whole archive).
    if line.contains(&0) {
        return Err("binary data".to_string());
    }
    if line == b"\x01\x01\x01\x01" {
        return Ok(ArchiveFormat::Mmdf);
    }
    if line.starts_with(b"From ") {
        let after = &head[line.len()..];
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
        if has_mail_field(head) {
            return Ok(ArchiveFormat::Message);
        }
        // `/etc/passwd`, an HTTP dump, a YAML file: `name: value` lines,
        // but none a message would have.
        return Err(
            "no mail header field (From:, Date:, Message-ID:, …) in the header lines at the start"
                .to_string(),
        );
    }
    let lower = line.to_ascii_lowercase();
    if lower.starts_with(b"<!doctype") || lower.starts_with(b"<html") || lower.starts_with(b"<?xml")
    {
        return Err("an HTML or XML page".to_string());
    }
    if line.len() > 10 && line.iter().all(|&b| b == b'=') {
        return Err("looks like a LISTSERV notebook".to_string());
    }
    Err(NO_START.to_string())
}

/// Header fields that every real message has some of (originator, date,
/// identification, trace and MIME fields, RFC 5322 and RFC 2045).
const MAIL_FIELDS: &[&str] = &[
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "date",
    "subject",
    "message-id",
    "in-reply-to",
    "references",
    "received",
    "return-path",
    "delivered-to",
    "x-original-to",
    "envelope-to",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "list-id",
    "list-post",
    "x-mailer",
    "user-agent",
    "dkim-signature",
    "authentication-results",
    "x-received",
    "newsgroups",
    "resent-from",
    "resent-date",
];

/// Whether the header block at the start of `head` (up to its first blank
/// line) has at least one field a message has.
fn has_mail_field(head: &[u8]) -> bool {
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            break;
        }
        if let Some(colon) = memchr::memchr(b':', line)
            && is_header_line(line)
        {
            let name = line[..colon].to_ascii_lowercase();
            if MAIL_FIELDS.iter().any(|f| f.as_bytes() == name) {
                return true;
            }
        }
    }
    false
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
    #[case::long_first_header(
        b"X-Long: yyyy\nX-Other: z\nMessage-ID: <a@b>\n\nx",
        Ok(ArchiveFormat::Message)
    )]
    #[case::passwd(b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n", Err(()))]
    #[case::mail_field_only_in_the_body(b"Name: value\n\nFrom: a@b\n", Err(()))]
    #[case::nul_after_the_first_line(
        b"From a@b.org Mon Jan  1 10:00:00 2024\nFrom: a\x00\n\nx",
        Ok(ArchiveFormat::Mbox)
    )]
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
