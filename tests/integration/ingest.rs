//! Integration tests for the ingest stage: the binary on the real corpus
//! (`../shared/corpus`; these tests are `#[ignore]`d in a plain `cargo test`
//! and fail where the corpus is missing when run) and gzip copies. Killed
//! ingests are `faults.rs`'s.
//!
//! The expected counts come from `../shared/corpus/README.md`, an independent
//! scanner. One deliberate difference, see `r_devel_counts_and_rerun_reads_nothing`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{corpus, listpulse};

/// Runs `listpulse ingest --json` and returns (summary, exit code, stderr).
fn ingest(dir: &Path, db: &Path, paths: &[PathBuf]) -> (Value, i32, String) {
    let out = listpulse(dir)
        .args(["ingest", "--db"])
        .arg(db)
        .args(["--coalition", "c", "--json", "--quiet"])
        .args(paths)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let summary: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("no JSON summary ({e}): {stdout} {stderr}"));
    (summary, out.status.code().unwrap_or(-1), stderr)
}

fn n(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn r_devel_counts_and_rerun_reads_nothing() {
    let dir = corpus("r-devel");
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("r.db");
    let (s, code, _) = ingest(tmp.path(), &db, std::slice::from_ref(&dir));
    assert_eq!(code, 0);
    assert_eq!(n(&s, "files"), 352);
    // 77,342 one-line envelopes + 3 folded over two lines (2001-January).
    assert_eq!(n(&s, "messages_seen"), 77_345);
    assert_eq!(n(&s, "malformed"), 0);
    // The README counts 60,159 = 60,156 distinct Message-IDs + 3 messages
    // without one. Those 3 are one message copied three times into
    // 1997-April (same sender, Date, subject and body, as every message of
    // the old months), so DESIGN.md's derived key makes them one: 60,157.
    assert_eq!(n(&s, "messages_new"), 60_157);
    let (again, code, _) = ingest(tmp.path(), &db, &[dir]);
    assert_eq!(code, 0);
    assert_eq!(n(&again, "messages_new"), 0);
    assert_eq!(n(&again, "files"), 0);
    assert_eq!(n(&again, "unchanged_files"), 352);
}

/// (folder or file, messages_seen, messages_new, files rejected)
const SMALL: &[(&str, u64, u64, u64)] = &[
    ("r-announce", 699, 684, 0),
    ("twisted-web", 5_374, 5_371, 0),
    ("bigbang-testdata/2001-November.txt", 164, 82, 0),
    ("bigbang-testdata/3GPP_mbox", 109, 105, 0),
    ("notmuch-corpora", 289, 248, 1),
    ("ietf-mailarchive-testdata/mailbox_mmdf", 5, 5, 0),
];

#[test]
#[ignore = "needs ../shared/corpus"]
fn small_corpus_folders_match_the_independent_counts() {
    for &(folder, seen, new, rejected) in SMALL {
        let path = corpus(folder);
        let tmp = tempfile::tempdir().unwrap();
        let (s, code, stderr) = ingest(tmp.path(), &tmp.path().join("x.db"), &[path]);
        assert_eq!(
            (n(&s, "messages_seen"), n(&s, "messages_new")),
            (seen, new),
            "{folder}"
        );
        assert_eq!(n(&s, "skipped_files"), rejected, "{folder}: {stderr}");
        assert_eq!(code, if rejected > 0 { 1 } else { 0 }, "{folder}");
    }
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn non_archives_are_named_and_the_run_goes_on() {
    // (folder, a path fragment every rejected file has, how many)
    let cases = [
        ("bigbang-testdata/3GPP", "3GPP/", 26),
        ("notmuch-corpora", "README", 1),
        ("perceval-testdata", "perceval-testdata/", 4),
        ("hyperkitty-testdata", "", 0),
        ("ietf-mailarchive-testdata", "mailbox_year", 1),
    ];
    for (folder, fragment, rejected) in cases {
        let dir = corpus(folder);
        let tmp = tempfile::tempdir().unwrap();
        let (s, code, stderr) = ingest(tmp.path(), &tmp.path().join("x.db"), &[dir]);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), rejected, "{folder}: {stderr}");
        for line in lines {
            assert!(
                line.starts_with("listpulse: ")
                    && line.contains(fragment)
                    && line.contains(": not an archive ("),
                "{line}"
            );
        }
        assert_eq!(n(&s, "skipped_files"), rejected as u64);
        assert_eq!(code, if rejected > 0 { 1 } else { 0 }, "{folder}");
        assert!(n(&s, "messages_seen") > 0 || folder.ends_with("3GPP"));
    }
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_month_and_its_gzip_copy_add_the_messages_once() {
    let dir = corpus("r-announce");
    let tmp = tempfile::tempdir().unwrap();
    let month = std::fs::read(dir.join("2001.txt")).unwrap();
    let copies = tmp.path().join("copies");
    std::fs::create_dir(&copies).unwrap();
    std::fs::write(copies.join("2001.txt"), &month).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &month).unwrap();
    std::fs::write(copies.join("2001.txt.gz"), gz.finish().unwrap()).unwrap();
    let (one, _, _) = ingest(
        tmp.path(),
        &tmp.path().join("one.db"),
        &[copies.join("2001.txt")],
    );
    let (both, code, _) = ingest(tmp.path(), &tmp.path().join("both.db"), &[copies]);
    assert_eq!(code, 0);
    assert!(n(&one, "messages_new") > 0);
    assert_eq!(n(&both, "messages_new"), n(&one, "messages_new"));
    assert_eq!(n(&both, "messages_seen"), 2 * n(&one, "messages_seen"));
}
