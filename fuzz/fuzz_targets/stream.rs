//! Any bytes written to a file and streamed in small windows, as ingest reads
//! archives. What must hold: nothing panics, and when the file is an archive,
//! streaming it gives exactly the messages of reading it in one pass.

#![no_main]

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use listpulse::ingest::{self, ParsedArchive, stream};

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
    let whole = ingest::parse_archive(data, &path);
    // Detection looks at the first 4 KB; smaller windows may legitimately
    // decide on less. 4096 still splits most inputs across windows.
    let mut streamed = ParsedArchive::default();
    let result = stream::stream_archive(&path, 4096, &mut |part| {
        streamed.messages.extend(part.messages);
        streamed.malformed.extend(part.malformed);
        Ok(())
    });
    // A small window on top, for the no-panic property only.
    let _ = stream::stream_archive(&path, 3, &mut |_| Ok(()));
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
