//! Any bytes written to a file and streamed in small windows, as ingest reads
//! archives, with a small `max_message_size` taken from the input. What must
//! hold: nothing panics, and streaming gives exactly what reading the file in
//! one pass gives: the same messages, the same malformed ones, or an error
//! from both.

#![no_main]

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use listpulse::ingest::{self, Limits, ParsedArchive, stream};

static N: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!(
        "listpulse-fuzz-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    {
        let mut f = std::fs::File::create(&path).expect("temp file");
        f.write_all(data).expect("write temp file");
    }
    // The first byte sets the cap (1 to 256 bytes, or none), so skipping a
    // message too large to hold is fuzzed as well.
    let limits = Limits {
        max_message_size: match data.first() {
            Some(&b) if b < 128 => u64::from(b) * 2 + 1,
            _ => u64::MAX,
        },
        ..Limits::default()
    };
    let whole = ingest::parse_archive(data, &path, &limits);
    let mut streamed = ParsedArchive::default();
    let result = stream::stream_archive(&path, 7, &limits, &mut |part| {
        streamed.messages.extend(part.messages);
        streamed.malformed.extend(part.malformed);
        Ok(())
    });
    let _ = std::fs::remove_file(&path);
    // gzip input is decompressed by the stream but not by parse_archive.
    if data.starts_with(&[0x1f, 0x8b]) {
        return;
    }
    match (whole, result) {
        (Ok(whole), Ok(info)) => {
            assert_eq!(info.bytes, data.len() as u64);
            assert_eq!(streamed.messages, whole.messages);
            assert_eq!(streamed.malformed, whole.malformed);
        }
        (Err(_), Err(_)) => {}
        (whole, result) => panic!(
            "one pass and streaming disagree: {:?} vs {:?}",
            whole.map(|w| w.messages.len()),
            result
        ),
    }
});
