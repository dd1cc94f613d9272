//! Golden files: every `fixtures/ingest/NNN-what.*` archive is parsed and
//! compared with its `.json` beside it (STYLE.md, "Ingest golden files").
//!
//! On a mismatch the actual output is written to `NNN-what.json.failed` for a
//! diff; a fixture without a `.json` fails the same way, so a new fixture's
//! expectations are reviewed before they are renamed into place. The test
//! fails if no fixture is found, so a moved folder cannot pass silently.

use std::path::Path;

use serde_json::{Value, json};

use super::{MessageRecord, parse_archive};

fn record(m: &MessageRecord) -> Value {
    json!({
        "key": m.key,
        "message_id": m.message_id,
        "date": m.date.and_then(|d| chrono::DateTime::from_timestamp(d, 0)).map(|d| d.to_rfc3339()),
        "date_source": m.date_source.as_str(),
        "from_addr": m.from_addr,
        "from_name": m.from_name,
        "subject": m.subject,
        "in_reply_to": m.in_reply_to,
        "references": m.references,
        "list_header": m.list_header,
        "size": m.size,
        "offset": m.offset,
        "set_aside": m.set_aside.map(|s| s.as_str()),
        "says_observer": m.says_observer,
    })
}

fn render(path: &Path) -> Value {
    let bytes = std::fs::read(path).expect("fixture readable");
    match parse_archive(&bytes, path, &super::Limits::default()) {
        Ok(parsed) => json!({
            "format": parsed.format.map(|f| f.as_str()),
            "messages": parsed.messages.iter().map(record).collect::<Vec<_>>(),
            "malformed": parsed.malformed.iter().map(|m| json!({"offset": m.offset, "reason": m.reason})).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

#[test]
fn golden_fixtures_parse_as_expected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ingest");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/ingest exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && !name.ends_with(".json")
                && !name.ends_with(".failed")
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no fixtures found in {}", dir.display());
    let mut failed = Vec::new();
    for input in &inputs {
        let actual = render(input);
        let mut expected_path = input.clone().into_os_string();
        expected_path.push(".json");
        let expected_path = std::path::PathBuf::from(expected_path);
        let expected: Option<Value> = std::fs::read_to_string(&expected_path)
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok());
        let mut failed_path = expected_path.clone().into_os_string();
        failed_path.push(".failed");
        if expected.as_ref() == Some(&actual) {
            let _ = std::fs::remove_file(&failed_path);
        } else {
            let text = serde_json::to_string_pretty(&actual).expect("serialises") + "\n";
            std::fs::write(&failed_path, text).expect("writes .failed");
            failed.push(failed_path);
        }
    }
    assert!(failed.is_empty(), "golden mismatch, see: {failed:?}");
}
