//! Ingest: turn one archive file's bytes into message records.
//!
//! This stage owns everything about archive formats and header quirks: which
//! files to read ([`walk`]), format detection by content ([`detect`]), gzip
//! ([`source`]), reading in bounded windows within the caps of [`limits`]
//! ([`stream`]), splitting mbox variants and MMDF ([`mbox`]), and extracting
//! the header fields the later stages need ([`normalize`]). Only [`engine`]
//! touches the database: it hands the records to the store's single writer.

pub mod date;
pub mod detect;
pub mod engine;
pub mod limits;
pub mod mbox;
pub mod normalize;
pub mod source;
pub mod stream;
pub mod walk;

use std::path::PathBuf;

pub use limits::Limits;
pub use walk::discover;

#[cfg(test)]
mod golden;

/// What kind of archive a file turned out to be, decided by its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// mboxo / mboxrd / pipermail / HyperKitty export / public-inbox: `From ` envelopes.
    Mbox,
    /// Messages between `\x01\x01\x01\x01` lines.
    Mmdf,
    /// One RFC 5322 message (a maildir file, a `.eml`).
    Message,
    /// Nothing in it (zero bytes, or only white space).
    Empty,
}

impl ArchiveFormat {
    /// The name stored in `sources.format` and shown in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::Mbox => "mbox",
            ArchiveFormat::Mmdf => "mmdf",
            ArchiveFormat::Message => "message",
            ArchiveFormat::Empty => "empty",
        }
    }
}

/// Where a message's date came from (DESIGN.md, "Date").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSource {
    /// The `Date:` header.
    Header,
    /// The mbox envelope (`From ` line), read as UTC.
    Envelope,
    /// Neither was usable: the message is undated.
    Undated,
}

impl DateSource {
    /// The name stored in `messages.date_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Header => "header",
            DateSource::Envelope => "envelope",
            DateSource::Undated => "undated",
        }
    }
}

/// Why a message is stored but never counts as engagement (DESIGN.md, "Not engagement").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetAside {
    /// `Auto-Submitted:` other than `no`.
    AutoSubmitted,
    /// `X-Autoreply:` or `X-Autorespond:` present.
    AutoReplyHeader,
    /// `Precedence: bulk | junk | auto_reply`.
    Precedence,
    /// A subject such as "Out of Office" or "Automatic reply".
    AutoReplySubject,
    /// mailer-daemon, postmaster and similar bounce senders.
    Bounce,
    /// The list software itself: `-owner`, `-request`, `-bounces` addresses.
    ListSoftware,
}

impl SetAside {
    /// Every reason, in the order summaries show them.
    pub const ALL: [SetAside; 6] = [
        SetAside::AutoSubmitted,
        SetAside::AutoReplyHeader,
        SetAside::Precedence,
        SetAside::AutoReplySubject,
        SetAside::Bounce,
        SetAside::ListSoftware,
    ];

    /// The name stored in `messages.set_aside` and used in summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            SetAside::AutoSubmitted => "auto_submitted",
            SetAside::AutoReplyHeader => "autoreply_header",
            SetAside::Precedence => "precedence",
            SetAside::AutoReplySubject => "autoreply_subject",
            SetAside::Bounce => "bounce",
            SetAside::ListSoftware => "list_software",
        }
    }
}

/// The fields of one message that later stages need. Owned, so parsing can
/// happen on rayon's threads and writing on the store's.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRecord {
    /// The message key: the Message-ID without brackets, or a derived key.
    pub key: String,
    /// The Message-ID as found (brackets removed), if any.
    pub message_id: Option<String>,
    /// Unix seconds, UTC; `None` when undated.
    pub date: Option<i64>,
    /// Which rule produced `date`.
    pub date_source: DateSource,
    /// The sender's normalised address (or opaque key), if one was found.
    pub from_addr: Option<String>,
    /// The sender's display name, decoded.
    pub from_name: Option<String>,
    /// The subject, decoded.
    pub subject: Option<String>,
    /// The first Message-ID in `In-Reply-To`, brackets removed.
    pub in_reply_to: Option<String>,
    /// The Message-IDs in `References`, in order, brackets removed.
    pub references: Vec<String>,
    /// The `List-Id` header, if any.
    pub list_header: Option<String>,
    /// Size of the raw message in bytes (envelope line excluded).
    pub size: u64,
    /// Byte offset of the message in the (decompressed) file.
    pub offset: u64,
    /// Why the message cannot count as engagement, if it cannot.
    pub set_aside: Option<SetAside>,
    /// Whether the message's own unquoted text contains the whole word "observer".
    pub says_observer: bool,
}

/// A message that could not be read at all, kept for the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// Byte offset in the (decompressed) file.
    pub offset: u64,
    /// 1-based line number, where known.
    pub line: Option<u64>,
    /// Why it was skipped.
    pub reason: String,
}

/// Everything found in one file.
#[derive(Debug, Default)]
pub struct ParsedArchive {
    /// The detected format (`None` only for the `Default` value).
    pub format: Option<ArchiveFormat>,
    /// The messages, in file order.
    pub messages: Vec<MessageRecord>,
    /// Messages that could not be read.
    pub malformed: Vec<Malformed>,
}

/// A file that cannot be ingested. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Not any archive format listpulse reads.
    #[error("{path}: not an archive ({why})")]
    NotAnArchive { path: PathBuf, why: String },
    /// A directory given to read holds no file at all (a wrong path, an
    /// export that did not happen).
    #[error("{path}: no files to read in this directory")]
    NoFiles { path: PathBuf },
    /// The file could not be read (missing, permissions, a broken gzip stream).
    #[error("{path}: {what}")]
    Unreadable { path: PathBuf, what: String },
    /// A FIFO, socket or device: never opened for reading (a FIFO would
    /// block the run, a device would never end).
    #[error("{path}: not a regular file ({kind}); skipped")]
    NotRegular { path: PathBuf, kind: &'static str },
    /// A compressed file whose content passes `max_decompressed`: stopped
    /// there, and nothing of it is stored.
    #[error(
        "{path}: decompressed content passes max_decompressed ({limit}); stopped, nothing of this file stored"
    )]
    TooLarge { path: PathBuf, limit: String },
}

/// Detects the format of `bytes` (already decompressed) and parses every
/// message, in one pass over bytes held whole: the reference the windowed
/// reader ([`stream`]) must agree with, message for message.
///
/// `path` is used only in errors.
pub fn parse_archive(
    bytes: &[u8],
    path: &std::path::Path,
    limits: &Limits,
) -> Result<ParsedArchive, IngestError> {
    let format = detect::detect(bytes).map_err(|why| IngestError::NotAnArchive {
        path: path.to_path_buf(),
        why,
    })?;
    Ok(mbox::parse(bytes, format, limits.max_message_size))
}
