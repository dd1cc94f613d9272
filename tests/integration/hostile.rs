//! Hostile inputs, each reproduced on a small scale (issue #12): what an
//! archive folder, a database path or an output folder can hold to hang,
//! exhaust or trick listpulse. Every test asserts the exit status, the one
//! line on stderr naming the thing, that nothing else was lost, and, where
//! memory is the point, the child's peak resident memory under a bound.
//! The full-size versions, with times and memory, are `bench/hostile.sh`.

use std::path::{Path, PathBuf};

use crate::util::{Run, listpulse};

/// `listpulse ingest --json --quiet --coalition c --db DB ARGS…` in `dir`.
fn ingest(dir: &Path, db: &Path, args: &[&std::ffi::OsStr]) -> Run {
    let mut cmd = listpulse(dir);
    cmd.args(["ingest", "--json", "--quiet", "--coalition", "c", "--db"])
        .arg(db)
        .args(args);
    Run::of(&mut cmd)
}

fn os<P: AsRef<std::ffi::OsStr> + ?Sized>(p: &P) -> &std::ffi::OsStr {
    p.as_ref()
}

/// A small mbox of `n` messages with ids `<{tag}{i}@example.org>`.
fn mbox(path: &Path, tag: &str, n: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "From a{i}@example.org Mon Jan  1 10:00:00 2024\nFrom: A{i} <a{i}@example.org>\nMessage-ID: <{tag}{i}@example.org>\nDate: Mon, 1 Jan 2024 10:{:02}:00 +0000\nSubject: {tag} {i}\n\nhello {i}\n\n",
            i % 60
        ));
    }
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

#[test]
fn the_same_database_through_a_symlinked_path_is_refused_while_locked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("real.db");
    let archive = mbox(&d.join("a.mbox"), "lock", 3);
    assert_eq!(ingest(d, &db, &[os(&archive)]).code, 0);
    let link = d.join("link.db");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    // This test process is the first writer; the binary is the second.
    let held = listpulse::lock::Lock::acquire(&db).unwrap();
    let run = ingest(d, &link, &[os(&archive)]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].contains("link.db") && lines[0].contains("another listpulse process"),
        "{}",
        lines[0]
    );
    drop(held);
    assert_eq!(ingest(d, &link, &[os(&archive)]).json()["messages_new"], 0);
}
