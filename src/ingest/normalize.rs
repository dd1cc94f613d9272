//! Header extraction and normalisation: one raw message in, one
//! [`MessageRecord`] out (or a [`Malformed`] note).
//!
//! This module owns what a message *says*: sender address and name, date,
//! message key, threading ids, list id, whether it is engagement at all
//! (DESIGN.md, "Not engagement") and whether its own text says "observer"
//! (DESIGN.md, "Check-in response"). Where a message starts and ends is
//! [`super::mbox`]'s business; storing it is the store's.
//!
//! Parsing is mail-parser 0.11 with a tuned `MessageParser` (only the headers
//! we read; DEPENDENCIES.md §4.1 measured it 1.5–2× faster than the default),
//! shared by rayon's threads (it is `Sync`). A small scanner of our own reads
//! the raw values mail-parser either does not keep in the tuned set
//! (`Precedence`, `Auto-Submitted`, …) or gets wrong for archives
//! (pipermail's `jane at example.org (Jane Doe)`, which neither mail library
//! reads as an address). Header blocks that are not valid UTF-8 are read as
//! windows-1252 first (DEPENDENCIES.md §4.3): mail-parser would otherwise
//! replace each 8-bit byte with U+FFFD, losing `Jörg`; for bytes in another
//! legacy encoding (r-devel 2003-January has EUC-KR in a `From:`) the result
//! is mojibake, but stable, so the same message always gets the same key.
//!
//! Nothing here panics on input, and [`parse_message`] wraps the parse in
//! `catch_unwind` as well, so a bug in a dependency costs one message
//! (counted as malformed), never the file. The tests and fuzz targets call
//! [`parse_message_unguarded`] instead: a panic there must fail them, not
//! become a malformed count.
//!
//! Work per message is bounded by its size: the header block is read only
//! up to [`MAX_HEADER_BLOCK`] (parsing a header block costs several times
//! its size in memory, so a 60 MB one would cost half a gigabyte per parser
//! thread), and a header block holding a NUL byte is malformed (issue #12:
//! NUL bytes are judged per message, not per file).

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::LazyLock;

use mail_parser::{HeaderName, MessageParser};

use super::date;
use super::mbox::RawMessage;
use super::{Malformed, MessageRecord, SetAside};
use crate::identity;

/// What parsing one raw message gives.
pub type Parsed = Result<MessageRecord, Malformed>;

/// The prefix of derived keys. A real Message-ID, brackets and white space
/// removed, cannot contain a space, so no real ID can collide with one.
pub const DERIVED_PREFIX: &str = "derived ";

/// Only the headers we read, everything else skipped: the fast path.
static HEADER_PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .header_text(HeaderName::Subject)
        .header_address(HeaderName::From)
        .header_id(HeaderName::InReplyTo)
        .header_id(HeaderName::References)
        .default_header_ignore()
});

/// Decodes RFC 2047 words in a display name found outside mail-parser's
/// address parser (pipermail's trailing comment).
static TEXT_PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .header_text(HeaderName::Subject)
        .default_header_ignore()
});

/// The full parser, for decoding text parts when "observer" may be there.
static BODY_PARSER: LazyLock<MessageParser> = LazyLock::new(MessageParser::default);

/// A header block longer than this is not parsed: the message is
/// malformed. Far above any real one (10,000 `References` are 200 KB; a
/// 1 MB header line is read), and it bounds the parser's memory.
pub const MAX_HEADER_BLOCK: usize = 4 << 20;

/// Parses one raw message. Never panics: a panic in a dependency makes the
/// message malformed. The ingest engine calls this one.
pub fn parse_message(raw: &RawMessage<'_>) -> Parsed {
    match std::panic::catch_unwind(AssertUnwindSafe(|| parse_message_unguarded(raw))) {
        Ok(result) => result,
        Err(_) => Err(malformed(raw, "the parser failed on this message")),
    }
}

/// Parses one raw message with no `catch_unwind`: for property tests and
/// fuzz targets, where a panic must surface.
pub fn parse_message_unguarded(raw: &RawMessage<'_>) -> Parsed {
    parse_inner(raw)
}

fn malformed(raw: &RawMessage<'_>, reason: &str) -> Malformed {
    Malformed {
        offset: raw.offset,
        line: None,
        reason: reason.to_string(),
    }
}

fn parse_inner(raw: &RawMessage<'_>) -> Parsed {
    let bytes = raw.bytes;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed(raw, "empty message"));
    }
    let (header_end, body_start) = header_bounds(bytes);
    if header_end > MAX_HEADER_BLOCK {
        return Err(malformed(raw, "header block too large (over 4 MiB)"));
    }
    let header_bytes = &bytes[..header_end];
    if memchr::memchr(0, header_bytes).is_some() {
        return Err(malformed(raw, "a NUL byte in the header"));
    }
    let header_text: Cow<'_, str> = match std::str::from_utf8(header_bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(header_bytes)
                .0
        }
    };
    let fields = RawHeaders::scan(&header_text);
    if fields.count == 0 {
        return Err(malformed(raw, "no header fields"));
    }
    let parsed = HEADER_PARSER.parse_headers(header_text.as_bytes());

    let (from_addr, from_name) = sender(fields.from.as_deref(), parsed.as_ref());
    let subject = parsed
        .as_ref()
        .and_then(|m| m.subject())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let header_date = fields.date.as_deref().and_then(date::parse_header_date);
    let (date, date_source) = date::choose(header_date, raw.envelope_date);
    let message_id = fields.message_id.as_deref().and_then(clean_id);
    let ids = |name: HeaderName<'static>| -> Vec<String> {
        parsed
            .as_ref()
            .and_then(|m| m.header(name))
            .and_then(|v| v.as_text_list())
            .map(|l| {
                l.iter()
                    .filter_map(|id| clean_id(id))
                    .collect::<Vec<String>>()
            })
            .unwrap_or_default()
    };
    let in_reply_to = ids(HeaderName::InReplyTo).into_iter().next();
    let references = ids(HeaderName::References);
    let list_header = fields
        .list_id
        .as_deref()
        .map(|v| identity::bracketed(v).to_string())
        .filter(|v| !v.is_empty());
    let body = &bytes[body_start..];
    let key = match &message_id {
        Some(id) => id.clone(),
        None => derived_key(from_addr.as_deref(), date, subject.as_deref(), body),
    };
    let set_aside = set_aside(&fields, from_addr.as_deref(), subject.as_deref());
    let says_observer = says_observer(bytes, body);
    Ok(MessageRecord {
        key,
        message_id,
        date,
        date_source,
        from_addr,
        from_name,
        subject,
        in_reply_to,
        references,
        list_header,
        size: bytes.len() as u64,
        offset: raw.offset,
        set_aside,
        says_observer,
    })
}

/// (end of the header block, start of the body).
fn header_bounds(bytes: &[u8]) -> (usize, usize) {
    if bytes.starts_with(b"\n") {
        return (0, 1);
    }
    if bytes.starts_with(b"\r\n") {
        return (0, 2);
    }
    let lf = memchr::memmem::find(bytes, b"\n\n").map(|i| (i + 1, i + 2));
    let crlf = memchr::memmem::find(bytes, b"\n\r\n").map(|i| (i + 1, i + 3));
    match (lf, crlf) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => (bytes.len(), bytes.len()),
    }
}

/// The raw (unfolded) values of the few headers read without mail-parser.
#[derive(Debug, Default)]
struct RawHeaders {
    count: usize,
    from: Option<String>,
    date: Option<String>,
    message_id: Option<String>,
    list_id: Option<String>,
    precedence: Option<String>,
    auto_submitted: Option<String>,
    autoreply: bool,
    /// `List-Post`, `X-Mailing-List`, `Mailing-List` or a list-software
    /// `Sender:` seen: the message was relayed by a list (see `set_aside`).
    relayed_by_list: bool,
    sender: Option<String>,
}

#[derive(Clone, Copy)]
enum Field {
    From,
    Date,
    MessageId,
    ListId,
    Precedence,
    AutoSubmitted,
    Autoreply,
    ListMarker,
    Sender,
    Other,
}

impl RawHeaders {
    fn scan(text: &str) -> RawHeaders {
        let mut out = RawHeaders::default();
        let mut current: Option<(Field, String)> = None;
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = current.as_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
                continue;
            }
            if let Some(done) = current.take() {
                out.keep(done);
            }
            let Some((name, value)) = line.split_once(':') else {
                continue; // a junk line inside the header block
            };
            if name.is_empty() || !name.bytes().all(|b| (33..=126).contains(&b)) {
                continue;
            }
            out.count += 1;
            let field = match name.to_ascii_lowercase().as_str() {
                "from" => Field::From,
                "date" => Field::Date,
                "message-id" => Field::MessageId,
                "list-id" => Field::ListId,
                "precedence" => Field::Precedence,
                "auto-submitted" => Field::AutoSubmitted,
                "x-autoreply" | "x-autorespond" => Field::Autoreply,
                "list-post" | "x-mailing-list" | "mailing-list" => Field::ListMarker,
                "sender" => Field::Sender,
                _ => Field::Other,
            };
            if !matches!(field, Field::Other) {
                current = Some((field, value.trim().to_string()));
            }
        }
        if let Some(done) = current.take() {
            out.keep(done);
        }
        out
    }

    /// The first occurrence of each header wins.
    fn keep(&mut self, (field, value): (Field, String)) {
        let slot = match field {
            Field::From => &mut self.from,
            Field::Date => &mut self.date,
            Field::MessageId => &mut self.message_id,
            Field::ListId => &mut self.list_id,
            Field::Precedence => &mut self.precedence,
            Field::AutoSubmitted => &mut self.auto_submitted,
            Field::Autoreply => {
                self.autoreply = true;
                return;
            }
            Field::ListMarker => {
                self.relayed_by_list = true;
                return;
            }
            Field::Sender => &mut self.sender,
            Field::Other => return,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
}

/// A message id with its angle brackets and surrounding white space removed
/// (DESIGN.md, "Message identity"). A value like `<a@b> (comment)` keeps what
/// is inside the first brackets; an id without brackets is kept whole.
pub fn clean_id(raw: &str) -> Option<String> {
    let t = raw.trim();
    let inner = match (t.find('<'), t.find('>')) {
        (Some(0), Some(close)) => &t[1..close],
        _ => t.trim_start_matches('<').trim_end_matches('>'),
    };
    let inner = inner.trim();
    (!inner.is_empty()).then(|| inner.to_string())
}

/// Lower-cases and trims an address (DESIGN.md, "Person": addresses are
/// compared lower-cased and trimmed).
fn normalize_address(raw: &str) -> String {
    identity::lower_trim(raw)
}

/// The sender's address (or opaque key) and display name.
fn sender(
    raw: Option<&str>,
    parsed: Option<&mail_parser::Message<'_>>,
) -> (Option<String>, Option<String>) {
    // The obfuscated forms are identity's business (DESIGN.md, "Person"):
    // the address or key comes from there, the name is decoded here.
    if let Some(o) = raw.and_then(identity::obscured) {
        let name = o
            .comment
            .and_then(decode_name)
            .or_else(|| o.before_bracket.and_then(decode_name));
        return (Some(o.address), name);
    }
    // "Take the first entry that has an address" (DEPENDENCIES.md §4.3):
    // `From: Last, First <lf@x.org>` gives a first entry with only a name,
    // which is the start of the display name, so it is put back in front.
    if let Some(list) = parsed.and_then(|m| m.from()) {
        let mut names: Vec<&str> = Vec::new();
        for a in list.iter() {
            match a.address().filter(|s| s.contains('@')) {
                Some(address) => {
                    names.extend(a.name());
                    let name = clean_name(&names.join(", "));
                    return (Some(normalize_address(address)), name);
                }
                None => names.extend(a.name()),
            }
        }
    }
    // Last resort: a token with an `@` that mail-parser could not place, such
    // as pipermail's mangled `Name <addr (Name)` (r-devel 1997–2001, no `>`).
    let (addr_part, comment) = raw.map(identity::split_comment).unwrap_or(("", None));
    let address = addr_part
        .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"'))
        .find(|t| t.contains('@') && t.len() > 2)
        .map(normalize_address);
    let name = comment
        .and_then(decode_name)
        .or_else(|| {
            parsed
                .and_then(|m| m.from())
                .and_then(|a| a.first())
                .and_then(|a| a.name())
                .and_then(clean_name)
                .filter(|n| !n.contains('@') && !n.contains('<'))
        })
        .or_else(|| {
            addr_part
                .split('<')
                .next()
                .filter(|_| addr_part.contains('<'))
                .and_then(decode_name)
        });
    (address, name)
}

/// Decodes RFC 2047 words in any charset and tidies quotes and spaces.
fn decode_name(raw: &str) -> Option<String> {
    if !raw.contains("=?") {
        return clean_name(raw);
    }
    let mut header = String::with_capacity(raw.len() + 12);
    header.push_str("Subject: ");
    header.push_str(raw.trim());
    header.push_str("\n\n");
    TEXT_PARSER
        .parse_headers(header.as_bytes())
        .and_then(|m| m.subject().and_then(clean_name))
        .or_else(|| clean_name(raw))
}

fn clean_name(raw: &str) -> Option<String> {
    let t = raw.trim().trim_matches('"').trim();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

/// The key of a message without a Message-ID: sender, date, subject and the
/// start of the body (DESIGN.md, "Message identity"), hashed with BLAKE3.
///
/// Carriage returns are dropped and the body cut at 1 KiB so a copy stored
/// with other line endings, or a different trailer, gets the same key.
pub fn derived_key(
    from: Option<&str>,
    date: Option<i64>,
    subject: Option<&str>,
    body: &[u8],
) -> String {
    let mut h = blake3::Hasher::new();
    h.update(from.unwrap_or("").as_bytes());
    h.update(b"\0");
    h.update(date.map(|d| d.to_string()).unwrap_or_default().as_bytes());
    h.update(b"\0");
    h.update(subject.unwrap_or("").as_bytes());
    h.update(b"\0");
    let start: Vec<u8> = body
        .iter()
        .copied()
        .filter(|&b| b != b'\r')
        .take(1024)
        .collect();
    h.update(start.trim_ascii());
    let hex = h.finalize().to_hex();
    format!("{DERIVED_PREFIX}{}", &hex[..32])
}

/// The local parts the list software itself sends from: Mailman's
/// `-owner`, `-request`, `-bounces` (and VERP `-bounces+…`), majordomo's
/// `owner-x`, and the software's own names.
fn is_list_software(local: &str) -> bool {
    local.ends_with("-owner")
        || local.ends_with("-request")
        || local.ends_with("-bounces")
        || local.contains("-bounces+")
        || local.starts_with("owner-")
        || matches!(local, "mailman" | "majordomo" | "listserv")
}

/// The lower-cased local part of the address in a `Sender:` value.
fn sender_local_part(value: &str) -> Option<&str> {
    let addr = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.split_whitespace().next()?,
    };
    addr.rsplit_once('@').map(|(l, _)| l.trim())
}

/// Subject openings of auto-replies. Matched at the start only: a person
/// writing "Re: out of office hours" is not an auto-reply.
const AUTO_SUBJECTS: [&str; 9] = [
    "out of office",
    "out of the office",
    "automatic reply",
    "auto:",
    "autoreply",
    "auto-reply",
    "auto reply",
    "auto response",
    "abwesenheitsnotiz",
];

/// DESIGN.md, "Not engagement": the first reason that applies. Sender-based
/// reasons come first because they are the most specific.
fn set_aside(h: &RawHeaders, from: Option<&str>, subject: Option<&str>) -> Option<SetAside> {
    if let Some(local) = from.and_then(|a| a.rsplit_once('@')).map(|(l, _)| l) {
        // "messages from the list software itself (the list's -owner,
        // -request, -bounces addresses)"
        if is_list_software(local) {
            return Some(SetAside::ListSoftware);
        }
        if local.starts_with("mailer-daemon") || local == "postmaster" {
            return Some(SetAside::Bounce);
        }
    }
    let first_word = |v: &Option<String>| {
        v.as_deref()
            .and_then(|v| v.split([' ', ';', '(', '\t']).next())
            .map(str::to_ascii_lowercase)
    };
    if first_word(&h.auto_submitted).is_some_and(|v| !v.is_empty() && v != "no") {
        return Some(SetAside::AutoSubmitted);
    }
    if h.autoreply {
        return Some(SetAside::AutoReplyHeader);
    }
    // DESIGN.md lists `Precedence: bulk`, but list servers (vger, majordomo,
    // Mailman 2) stamp `bulk` on every post they relay: in the corpus it
    // set aside 168 of 289 ordinary LKML posts. So `bulk` counts only on a
    // message that shows no sign of having been relayed by a list; `junk`
    // and `auto_reply` always count. An auto-reply sent through a list still
    // carries its own `Auto-Submitted` or subject, caught above and below.
    let relayed = h.list_id.is_some()
        || h.relayed_by_list
        || h.sender
            .as_deref()
            .and_then(|s| sender_local_part(s))
            .is_some_and(|l| is_list_software(l) || l.ends_with("-admin")); // Mailman 2.0's sender
    if first_word(&h.precedence).is_some_and(|v| match v.as_str() {
        "junk" | "auto_reply" => true,
        "bulk" => !relayed,
        _ => false,
    }) {
        return Some(SetAside::Precedence);
    }
    let subject = subject.map(|s| s.trim_start().to_lowercase());
    if subject.is_some_and(|s| AUTO_SUBJECTS.iter().any(|p| s.starts_with(p))) {
        return Some(SetAside::AutoReplySubject);
    }
    None
}

/// DESIGN.md, "Check-in response": *a reply whose own text (decoded text
/// parts, quoted `>` lines left out) contains the whole word "observer", in
/// any case*.
///
/// Cheap first: a case-insensitive scan of the raw body for "observer", or for
/// "base64" (an encoded text part hides the word). Only then is the message
/// fully decoded. Quoted-printable text keeps ASCII words readable, so it needs
/// no trigger of its own (a soft line break inside the very word is the one
/// case this misses).
pub fn says_observer(message: &[u8], body: &[u8]) -> bool {
    if !contains_ci(body, b"observer", 4) && !contains_ci(message, b"base64", 4) {
        return false;
    }
    let Some(parsed) = BODY_PARSER.parse(message) else {
        return false;
    };
    (0..parsed.text_body.len().max(1))
        .filter_map(|i| parsed.body_text(i))
        .any(|text| text_says_observer(&text))
}

/// The line-level rule, on decoded text: DESIGN.md's "own text (decoded
/// text parts, quoted `>` lines left out)".
///
/// Mail clients quote in more ways than `>`: Outlook and webmail put the
/// original under an attribution (`On … wrote:`), a `-----Original
/// Message-----` line, a line of underscores, or a `From:`/`Sent:` header
/// block, without any `>`. The check-in call itself says "full member or
/// observer", so reading such a quote as the writer's own words would turn
/// every full-member reply from Outlook into an observer response. The
/// writer's own text therefore ends at the first of those markers, and at a
/// `-- ` signature separator (a signature naming an "Observer Mission" is
/// not an answer).
pub fn text_says_observer(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    lines
        .iter()
        .enumerate()
        .take_while(|(i, line)| !starts_quoted_original(line, &lines[i + 1..]))
        .any(|(_, line)| {
            let t = line.trim_start();
            // mboxrd/mboxo quoting: `>From ` is the writer's own "From ", not a quote.
            let own = !t.starts_with('>') || t.starts_with(">From ");
            own && has_word(&line.to_lowercase(), "observer")
        })
}

/// Whether `line` (followed by `rest`) starts the quoted original of a reply
/// or the signature: where the writer's own text ends.
fn starts_quoted_original(line: &str, rest: &[&str]) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    if t == "--" {
        return true; // signature separator ("-- ", often stripped to "--")
    }
    if lower.trim_matches(|c: char| c == '-' || c.is_whitespace()) == "original message"
        && t.starts_with("--")
    {
        return true;
    }
    if t.len() >= 10 && t.chars().all(|c| c == '_') {
        return true; // Outlook's separator line
    }
    // Attributions: "On Mon, 3 Mar 2025, Jane wrote:", "Le … a écrit :",
    // "Am … schrieb …:", "El … escribió:".
    let attribution = ["wrote:", "a écrit :", "a écrit:", "schrieb:", "escribió:"];
    if attribution.iter().any(|a| lower.ends_with(a)) {
        return true;
    }
    // An Outlook header block: "From: …" then, within a few lines, "Sent: …"
    // or "Date: …".
    if lower.starts_with("from:") {
        return rest.iter().take(4).any(|l| {
            let l = l.trim_start().to_lowercase();
            l.starts_with("sent:") || l.starts_with("date:")
        });
    }
    false
}

fn has_word(hay: &str, word: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let at = from + i;
        let before = hay[..at].chars().next_back();
        let after = hay[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        if boundary(before) && boundary(after) {
            return true;
        }
        from = at + word.len();
    }
    false
}

/// ASCII case-insensitive search for a lower-case `needle`, anchored on its
/// rarest byte (`needle[anchor]`) so memchr2 does the scanning.
fn contains_ci(hay: &[u8], needle: &[u8], anchor: usize) -> bool {
    let a = needle[anchor];
    for pos in memchr::memchr2_iter(a, a.to_ascii_uppercase(), hay) {
        let Some(start) = pos.checked_sub(anchor) else {
            continue;
        };
        if hay
            .get(start..start + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(text: &[u8]) -> MessageRecord {
        parse_message(&RawMessage {
            offset: 0,
            bytes: text,
            envelope_date: None,
        })
        .expect("parses")
    }

    #[rstest]
    #[case::plain(b"From: jane@Example.ORG\n\n", Some("jane@example.org"), None)]
    #[case::display_name(
        b"From: \"Doe, Jane\" <Jane@example.org>\n\n",
        Some("jane@example.org"),
        Some("Doe, Jane")
    )]
    #[case::unquoted_comma(
        b"From: Last, First <lf@x.org>\n\n",
        Some("lf@x.org"),
        Some("Last, First")
    )]
    #[case::pipermail(
        b"From: jane at example.org (Jane Doe)\n\n",
        Some("jane@example.org"),
        Some("Jane Doe")
    )]
    #[case::pipermail_encoded(
        b"From: jens at x.de (=?iso-8859-1?Q?Jens_Oehlschl=E4gel?=)\n\n",
        Some("jens@x.de"),
        Some("Jens Oehlschlägel")
    )]
    #[case::scrambled_2019(
        b"From: m@ech|er @end|ng |rom  R-project@org (Martin M)\n\n",
        Some("m@ech|er @end|ng |rom r-project@org"),
        Some("Martin M")
    )]
    #[case::scrambled_2018(
        b"From: S@Elli@on @ending from LGCGroup@com (S Ellison)\n\n",
        Some("s@elli@on @ending from lgcgroup@com"),
        Some("S Ellison")
    )]
    #[case::iso_8859_2(
        b"From: =?iso-8859-2?Q?Pawe=B3_K?= <p@x.pl>\n\n",
        Some("p@x.pl"),
        Some("Paweł K")
    )]
    #[case::koi8_r(
        b"From: =?koi8-r?B?8NLJ18XU?= <p@x.ru>\n\n",
        Some("p@x.ru"),
        Some("Привет")
    )]
    #[case::gb2312(
        b"From: =?gb2312?B?1tDOxA==?= <z@x.cn>\n\n",
        Some("z@x.cn"),
        Some("中文")
    )]
    #[case::raw_latin1(b"From: J\xf6rg <j@x.de>\n\n", Some("j@x.de"), Some("Jörg"))]
    #[case::pipermail_address_in_comment(
        b"From: h95mr at mun.ca (h95mr@mun.ca)\n\n",
        Some("h95mr@mun.ca"),
        Some("h95mr@mun.ca")
    )]
    #[case::mangled_unclosed_bracket(
        b"From: Karl M.Hegbloom <karlheg@debian.org (Karl M. Hegbloom)\n\n",
        Some("karlheg@debian.org"),
        Some("Karl M.Hegbloom (Karl M. Hegbloom)")
    )]
    #[case::raw_euc_kr(b"From: \xb1\xe8\xc3\xb6 <k@x.kr>\n\n", Some("k@x.kr"), Some("±èÃ¶"))]
    fn senders(#[case] text: &[u8], #[case] addr: Option<&str>, #[case] name: Option<&str>) {
        let m = parse(text);
        assert_eq!(m.from_addr.as_deref(), addr);
        assert_eq!(m.from_name.as_deref(), name);
    }

    #[rstest]
    #[case::auto_submitted(
        b"From: a@x.org\nAuto-Submitted: auto-replied\n\n",
        Some(SetAside::AutoSubmitted)
    )]
    #[case::auto_submitted_no(b"From: a@x.org\nAuto-Submitted: no\n\n", None)]
    #[case::x_autoreply(
        b"From: a@x.org\nX-Autoreply: yes\n\n",
        Some(SetAside::AutoReplyHeader)
    )]
    #[case::x_autorespond(
        b"From: a@x.org\nX-Autorespond: 1\n\n",
        Some(SetAside::AutoReplyHeader)
    )]
    #[case::precedence_bulk(b"From: a@x.org\nPrecedence: bulk\n\n", Some(SetAside::Precedence))]
    #[case::precedence_junk(b"From: a@x.org\nPrecedence: junk\n\n", Some(SetAside::Precedence))]
    #[case::precedence_list(b"From: a@x.org\nPrecedence: list\n\n", None)]
    #[case::precedence_bulk_relayed_by_list_id(
        b"From: a@x.org\nPrecedence: bulk\nList-Id: <l.x.org>\n\n",
        None
    )]
    #[case::precedence_bulk_relayed_by_majordomo(
        b"From: a@x.org\nPrecedence: bulk\nSender: owner-linux-mm@kvack.org\n\n",
        None
    )]
    #[case::precedence_bulk_relayed_by_vger(
        b"From: a@x.org\nPrecedence: bulk\nX-Mailing-List: linux-kernel@vger.kernel.org\n\n",
        None
    )]
    #[case::precedence_junk_relayed_still_counts(
        b"From: a@x.org\nPrecedence: junk\nList-Id: <l.x.org>\n\n",
        Some(SetAside::Precedence)
    )]
    #[case::out_of_office(
        b"From: a@x.org\nSubject: Out of Office: meeting\n\n",
        Some(SetAside::AutoReplySubject)
    )]
    #[case::automatic_reply(
        b"From: a@x.org\nSubject: Automatic reply: hi\n\n",
        Some(SetAside::AutoReplySubject)
    )]
    #[case::auto_colon(
        b"From: a@x.org\nSubject: AUTO: away\n\n",
        Some(SetAside::AutoReplySubject)
    )]
    #[case::human_about_office(b"From: a@x.org\nSubject: Re: out of office hours\n\n", None)]
    #[case::mailer_daemon(b"From: MAILER-DAEMON@x.org\n\n", Some(SetAside::Bounce))]
    #[case::postmaster(b"From: postmaster@x.org\n\n", Some(SetAside::Bounce))]
    #[case::owner(b"From: dc-list-owner@x.org\n\n", Some(SetAside::ListSoftware))]
    #[case::request(b"From: dc-list-request at x.org\n\n", Some(SetAside::ListSoftware))]
    #[case::bounces(b"From: dc-list-bounces@x.org\n\n", Some(SetAside::ListSoftware))]
    #[case::mailman(b"From: mailman@x.org\n\n", Some(SetAside::ListSoftware))]
    #[case::ordinary(b"From: a@x.org\nSubject: Annual check-in\n\n", None)]
    fn set_aside_reasons(#[case] text: &[u8], #[case] want: Option<SetAside>) {
        assert_eq!(parse(text).set_aside, want);
    }

    #[rstest]
    #[case::plain(b"From: a@x.org\n\nI will stay an observer.\n", true)]
    #[case::upper(b"From: a@x.org\n\nOBSERVER please\n", true)]
    #[case::quoted_only(b"From: a@x.org\n\nYes.\n> full member or observer?\n", false)]
    #[case::plural_is_not_the_word(b"From: a@x.org\n\nObservers are welcome\n", false)]
    #[case::subject_only(b"From: a@x.org\nSubject: observer\n\nfull member\n", false)]
    #[case::base64_text(b"From: a@x.org\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSSB3aWxsIGJlIGFuIG9ic2VydmVyLgo=\n", true)]
    #[case::mboxrd_from_line(b"From: a@x.org\n\n>From now on I am an observer.\n", true)]
    #[case::outlook_original_message(b"From: a@x.org\n\nFull member, thanks.\n\n-----Original Message-----\nFrom: Coord\nPlease answer: full member or observer?\n", false)]
    #[case::outlook_header_block(b"From: a@x.org\n\nCount me in.\n\nFrom: Coord <c@x.org>\nSent: Monday, 3 March 2025 10:00\nSubject: Annual check-in\n\nFull member or observer?\n", false)]
    #[case::outlook_underscores(
        b"From: a@x.org\n\nFull.\n________________________________\nFull member or observer?\n",
        false
    )]
    #[case::attribution(b"From: a@x.org\n\nFull member.\n\nOn Mon, 3 Mar 2025, Coord wrote:\nFull member or observer?\n", false)]
    #[case::french_attribution(
        b"From: a@x.org\n\nMembre.\n\nLe lun. 3 mars 2025, Coord a \xc3\xa9crit :\nobserver ?\n",
        false
    )]
    #[case::signature(
        b"From: a@x.org\n\nStill a full member.\n-- \nJane, Permanent Observer Mission\n",
        false
    )]
    #[case::own_words_before_the_quote(b"From: a@x.org\n\nPlease keep me as an observer.\n\nOn Mon, 3 Mar 2025, Coord wrote:\n> full member or observer?\n", true)]
    fn observer(#[case] text: &[u8], #[case] want: bool) {
        assert_eq!(parse(text).says_observer, want);
    }

    #[test]
    fn ids_and_keys() {
        let m = parse(b"From: a@x.org\nMessage-ID:  <abc@x.org> \nIn-Reply-To: <p1@x> <p2@x>\nReferences: <r1@x>\n <r2@x>\nList-Id: DC list <dc.x.org>\n\nbody");
        assert_eq!(m.key, "abc@x.org");
        assert_eq!(m.in_reply_to.as_deref(), Some("p1@x"));
        assert_eq!(m.references, vec!["r1@x", "r2@x"]);
        assert_eq!(m.list_header.as_deref(), Some("dc.x.org"));
        let a = parse(b"From: a@x.org\nSubject: s\n\nbody\n");
        let b = parse(b"From: a@x.org\r\nSubject: s\r\n\r\nbody\r\n");
        assert!(a.key.starts_with(DERIVED_PREFIX));
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, parse(b"From: a@x.org\nSubject: s\n\nother\n").key);
    }

    #[test]
    fn unreadable_messages_are_malformed_not_panics() {
        for bytes in [
            &b""[..],
            b"\n\n",
            b"just text without any header\n",
            b"\xff\xfe\x00",
        ] {
            let r = parse_message(&RawMessage {
                offset: 7,
                bytes,
                envelope_date: None,
            });
            assert_eq!(r.err().map(|m| m.offset), Some(7));
        }
    }
}
