//! Any bytes through format detection, every splitter and header extraction.
//!
//! The input is treated as an already decompressed file. Every
//! [`ArchiveFormat`] is tried, not only the detected one, so the splitters
//! see inputs detection would have refused. What must hold: nothing panics
//! (the parser is called through `parse_message_unguarded`: the engine's
//! `parse_message` catches panics, which would hide them here), and the
//! split pieces are slices of the input, in order, without overlap.

#![no_main]

use libfuzzer_sys::fuzz_target;
use listpulse::ingest::mbox::{self, RawMessage};
use listpulse::ingest::{ArchiveFormat, detect, normalize};

const FORMATS: [ArchiveFormat; 4] = [
    ArchiveFormat::Mbox,
    ArchiveFormat::Mmdf,
    ArchiveFormat::Message,
    ArchiveFormat::Empty,
];

fuzz_target!(|data: &[u8]| {
    let detected = detect::detect(data);
    for format in FORMATS {
        let raws = mbox::split(data, format);
        let mut end = 0usize;
        for raw in &raws {
            let start = raw.bytes.as_ptr() as usize - data.as_ptr() as usize;
            assert!(start >= end, "pieces overlap or go backwards");
            assert!(raw.offset as usize <= start, "offset after the content");
            end = start + raw.bytes.len();
            assert!(end <= data.len());
            // Straight into the parser, with no catch_unwind in between.
            let _ = normalize::parse_message_unguarded(raw);
        }
        if Ok(format) == detected {
            let parsed = mbox::parse(data, format, u64::MAX);
            assert_eq!(parsed.messages.len() + parsed.malformed.len(), raws.len());
        }
    }
    // A message on its own, as maildir files are read.
    let _ = normalize::parse_message_unguarded(&RawMessage {
        offset: 0,
        bytes: data,
        envelope_date: None,
    });
});
