//! Hostile inputs, each reproduced on a small scale (issue #12): what an
//! archive folder, a database path or an output folder can hold to hang,
//! exhaust or trick listpulse. Every test asserts the exit status, the one
//! line on stderr naming the thing, that nothing else was lost, and, where
//! memory is the point, the child's peak resident memory under a bound.
//! The full-size versions, with times and memory, are `bench/hostile.sh`.

use std::io::Write;
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

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

fn gzip(path: &Path, parts: &mut dyn FnMut(&mut dyn std::io::Write)) -> PathBuf {
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    parts(&mut gz);
    gz.finish().unwrap();
    path.to_path_buf()
}

/// Messages stored in `db`.
fn stored(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
        .unwrap()
}

/// An archive folder with one good mbox of three messages in it.
fn archive_folder(d: &Path) -> PathBuf {
    let archives = d.join("archives");
    std::fs::create_dir(&archives).unwrap();
    mbox(&archives.join("good.mbox"), "good", 3);
    archives
}

/// Asserts one stderr line, naming `path` and saying `what`.
fn one_line_naming(run: &Run, path: &Path, what: &str) {
    let lines = run.lines();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(
        lines[0].contains(&*path.to_string_lossy()) && lines[0].contains(what),
        "{:?} should name {} and say {what:?}",
        lines[0],
        path.display()
    );
}

#[test]
fn a_fifo_in_an_archive_folder_is_named_and_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = archive_folder(d);
    let fifo = archives.join("fifo.mbox");
    mkfifo(&fifo);
    // Opening the FIFO for reading would block this run for ever: nothing
    // writes to it.
    let run = ingest(d, &d.join("x.db"), &[os(&archives)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    one_line_naming(&run, &fifo, "not a regular file (a FIFO); skipped");
    assert_eq!(run.json()["messages_new"], 3);
    assert_eq!(run.json()["skipped_files"], 1);
}

#[test]
fn a_symlink_to_dev_zero_is_named_and_never_read_with_the_read_caps_set_small() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = archive_folder(d);
    let zero = archives.join("zero.mbox");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    // Small caps: were the device ever read, they would stop it.
    let caps = ["--max-message-size", "1KiB", "--max-decompressed", "1MiB"];
    let mut args: Vec<&std::ffi::OsStr> = caps.iter().map(os).collect();
    args.push(os(&archives));
    let (run, peak_kib) = crate::util::listpulse_measured(
        d,
        [
            os("ingest"),
            os("--json"),
            os("--quiet"),
            os("--coalition"),
            os("c"),
            os("--db"),
            os(&d.join("x.db")),
        ]
        .into_iter()
        .chain(args),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    one_line_naming(
        &run,
        &zero,
        "not a regular file (a character device); skipped",
    );
    assert_eq!(run.json()["messages_new"], 3);
    assert!(peak_kib < 100 * 1024, "peak RSS {peak_kib} KiB");
}

#[test]
fn two_symlink_loops_and_a_double_star_glob_read_the_archive_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = archive_folder(d);
    std::os::unix::fs::symlink(".", archives.join("l1")).unwrap();
    std::os::unix::fs::symlink(".", archives.join("l2")).unwrap();
    let run = ingest(d, &d.join("x.db"), &[os(&archives)]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.json()["files"], 1);
    assert_eq!(run.json()["messages_seen"], 3);

    // The same folder through `run` and a `**` pattern, plus the folder
    // itself: one file, read once.
    std::fs::write(
        d.join("lp.toml"),
        "database = \"run.db\"\noutput = \"out\"\nas_of = \"2024-06-30\"\nstale_after = \"100y\"\n[[coalition]]\nslug = \"c\"\narchives = [\"archives/**/*.mbox\", \"archives\", \"archives/l1/l2/good.mbox\"]\n",
    )
    .unwrap();
    let run = Run::of(listpulse(d).args(["run", "--config", "lp.toml"]));
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let sources: i64 = rusqlite::Connection::open(d.join("run.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM sources", [], |r| r.get(0))
        .unwrap();
    assert_eq!((sources, stored(&d.join("run.db"))), (1, 3));
}

#[test]
fn a_loop_below_the_archive_does_not_read_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = archive_folder(d);
    std::fs::create_dir(archives.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", archives.join("sub/back")).unwrap();
    let run = ingest(d, &d.join("x.db"), &[os(&archives)]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.json()["files"], 1);
    assert_eq!(run.json()["messages_seen"], 3);
}

#[test]
fn etc_passwd_behind_a_symlink_is_not_an_archive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = archive_folder(d);
    let passwd = archives.join("passwd.mbox");
    std::os::unix::fs::symlink("/etc/passwd", &passwd).unwrap();
    let run = ingest(d, &d.join("x.db"), &[os(&archives)]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    one_line_naming(&run, &passwd, "not an archive (no mail header field");
    assert_eq!(run.json()["messages_new"], 3);
    assert_eq!(stored(&d.join("x.db")), 3);
}

/// `listpulse ingest --json --coalition c --db x.db EXTRA… PATHS…` in `d`,
/// measured; the summary (not `--quiet`) goes to stderr.
fn ingest_measured(d: &Path, extra: &[&str], paths: &[&Path]) -> (Run, u64) {
    let mut args: Vec<&std::ffi::OsStr> = ["ingest", "--json", "--coalition", "c", "--db", "x.db"]
        .iter()
        .map(os)
        .collect();
    args.extend(extra.iter().map(os));
    args.extend(paths.iter().map(os));
    crate::util::listpulse_measured(d, args)
}

/// Summary lines that are not errors: the counts, `empty:`, `too large:`.
fn summary_lines(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| !l.starts_with("listpulse: "))
        .collect()
}

const MIB: u64 = 1024; // in KiB, as peak RSS is given

#[test]
fn a_message_over_max_message_size_in_a_gzip_is_passed_over_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let small = mbox(&d.join("small.mbox"), "s", 2);
    let small = std::fs::read(small).unwrap();
    // 96 MB of body in one message between two small ones: a few hundred KB
    // of gzip. The cap is 1 MiB; the reader must never hold the message.
    let big = gzip(&d.join("big.mbox.gz"), &mut |w| {
        w.write_all(&small[..small.len() / 2]).unwrap();
        w.write_all(b"From big@example.org Mon Jan  1 10:00:00 2024\nFrom: big@example.org\nMessage-ID: <big@example.org>\n\n").unwrap();
        let line = [b'x'; 99]
            .iter()
            .chain(b"\n")
            .copied()
            .collect::<Vec<u8>>()
            .repeat(10_000);
        for _ in 0..96 {
            w.write_all(&line).unwrap();
        }
        w.write_all(&small[small.len() / 2..]).unwrap();
    });
    let other = archive_folder(d);
    let (run, peak_kib) = ingest_measured(d, &["--max-message-size", "1MiB"], &[&big, &other]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        (json["messages_new"].as_u64(), json["malformed"].as_u64()),
        (Some(5), Some(1))
    );
    let named: Vec<&str> = summary_lines(&run)
        .into_iter()
        .filter(|l| l.starts_with("too large: "))
        .collect();
    assert_eq!(
        named,
        [format!(
            "too large: {}: 1 message over max_message_size, skipped",
            big.display()
        )]
    );
    assert!(
        peak_kib < 64 * MIB,
        "peak RSS {peak_kib} KiB for a 96 MB message"
    );
}

#[test]
fn a_gzip_of_blank_lines_is_an_empty_file_read_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let blank = gzip(&d.join("blank.txt.gz"), &mut |w| {
        let lines = vec![b'\n'; 1 << 20];
        for _ in 0..96 {
            w.write_all(&lines).unwrap();
        }
    });
    let other = archive_folder(d);
    let (run, peak_kib) = ingest_measured(d, &[], &[&blank, &other]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["empty_files"], 1);
    assert_eq!(run.json()["messages_new"], 3);
    assert!(
        summary_lines(&run).contains(&format!("empty: {}", blank.display()).as_str()),
        "{}",
        run.stderr
    );
    assert!(
        peak_kib < 64 * MIB,
        "peak RSS {peak_kib} KiB for 96 MB of newlines"
    );
}

#[test]
fn a_huge_header_block_makes_its_message_malformed_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("headers.mbox");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(&std::fs::read(mbox(&d.join("a.mbox"), "a", 1)).unwrap())
        .unwrap();
    f.write_all(b"From h@example.org Mon Jan  1 10:00:00 2024\nFrom:")
        .unwrap();
    // 24 MB of addresses in one From: field (the costliest header to parse).
    for _ in 0..(24 << 20) / 10 {
        f.write_all(b" a@b.org,\n").unwrap();
    }
    f.write_all(b"Message-ID: <h@example.org>\n\nbody\n\n")
        .unwrap();
    f.write_all(&std::fs::read(mbox(&d.join("b.mbox"), "b", 1)).unwrap())
        .unwrap();
    drop(f);
    let (run, peak_kib) = ingest_measured(d, &[], &[&path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(
        (json["messages_new"].as_u64(), json["malformed"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(
        peak_kib < 96 * MIB,
        "peak RSS {peak_kib} KiB for a 24 MB header block"
    );
}

#[test]
fn a_nul_byte_in_the_first_4_kb_costs_one_message_not_the_archive() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("nul.mbox");
    let mut text = b"From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nSubject: bad\0byte\nMessage-ID: <nul1@example.org>\n\nhi\n\n".to_vec();
    text.extend_from_slice(b"From b@example.org Mon Jan  1 11:00:00 2024\nFrom: b@example.org\nMessage-ID: <nul2@example.org>\n\nbinary \0 in a body is the body's business\n\n");
    text.extend(std::fs::read(mbox(&d.join("rest.mbox"), "rest", 3)).unwrap());
    assert!(text.len() < 4096);
    std::fs::write(&path, text).unwrap();
    let run = ingest(d, &d.join("x.db"), &[os(&path)]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let json = run.json();
    assert_eq!(
        (json["messages_new"].as_u64(), json["malformed"].as_u64()),
        (Some(4), Some(1))
    );
}

#[test]
fn gzip_content_past_max_decompressed_is_stopped_named_and_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let one = std::fs::read(mbox(&d.join("one.mbox"), "one", 1)).unwrap();
    let bomb = gzip(&d.join("bomb.mbox.gz"), &mut |w| {
        // 2 MB of real messages, each new: some would be written before
        // the cap is reached, were the file not all or nothing.
        let text = String::from_utf8_lossy(&one).into_owned();
        for i in 0..(2 << 20) / one.len() {
            w.write_all(text.replace("one0@", &format!("bomb{i}@")).as_bytes())
                .unwrap();
        }
    });
    let other = archive_folder(d);
    let (run, _) = ingest_measured(
        d,
        &["--quiet", "--max-decompressed", "1MiB"],
        &[&bomb, &other],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    one_line_naming(
        &run,
        &bomb,
        "decompressed content passes max_decompressed (1 MiB); stopped, nothing of this file stored",
    );
    assert_eq!(run.json()["messages_new"], 3);
    assert_eq!(stored(&d.join("x.db")), 3);
}

/// A configuration writing coalition `slug` from `archive` into `d/out`,
/// with its own database.
fn run_config(d: &Path, slug: &str, archive: &Path) -> PathBuf {
    let config = d.join(format!("{slug}.toml"));
    std::fs::write(
        &config,
        format!(
            "database = \"{slug}.db\"\noutput = \"out\"\nas_of = \"2024-06-30\"\nstale_after = \"100y\"\n[[coalition]]\nslug = \"{slug}\"\narchives = [{:?}]\n",
            archive.display().to_string()
        ),
    )
    .unwrap();
    config
}

/// Every file under `dir`: path (relative) and bytes.
fn files_under(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn temporaries(files: &std::collections::BTreeMap<PathBuf, Vec<u8>>) -> Vec<&PathBuf> {
    files
        .keys()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".listpulse-tmp-"))
        })
        .collect()
}

#[test]
fn two_runs_with_different_databases_share_an_output_folder_without_harm() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archive = mbox(&d.join("a.mbox"), "two", 5);
    let configs = [run_config(d, "a", &archive), run_config(d, "b", &archive)];
    // Another run's temporary file, its process alive (this test's): it is
    // not this run's to remove.
    std::fs::create_dir(d.join("out")).unwrap();
    let foreign = d.join(format!(
        "out/.listpulse-tmp-{}-t-0-x.csv",
        std::process::id()
    ));
    std::fs::write(&foreign, "in flight").unwrap();
    for round in 0..3 {
        let children: Vec<std::process::Child> = configs
            .iter()
            .map(|c| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin!("listpulse"))
                    .current_dir(d)
                    .args(["run", "--config"])
                    .arg(c)
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(
                (out.status.code(), stderr.as_ref()),
                (Some(0), ""),
                "round {round}"
            );
        }
        let files = files_under(&d.join("out"));
        assert!(
            files.contains_key(Path::new("a/members.csv")),
            "round {round}"
        );
        assert!(
            files.contains_key(Path::new("b/members.csv")),
            "round {round}"
        );
        let left = temporaries(&files);
        assert_eq!(
            left,
            [&PathBuf::from(foreign.file_name().unwrap())],
            "round {round}"
        );
    }
}

#[test]
fn a_rename_failing_midway_leaves_the_previous_reports_whole_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archive = mbox(&d.join("a.mbox"), "rb", 5);
    let config = run_config(d, "c", &archive);
    let first = Run::of(listpulse(d).args(["run", "--config"]).arg(&config));
    assert_eq!(first.code, 0, "{}", first.stderr);
    let out = d.join("out");
    // The comparison's page is written last: every coalition file has been
    // replaced when its rename fails on a folder standing in its place.
    let blocked = out.join("index.html");
    std::fs::remove_file(&blocked).unwrap();
    std::fs::create_dir_all(blocked.join("in-the-way")).unwrap();
    let before = files_under(&out);
    let run = Run::of(
        listpulse(d)
            .args(["run", "--as-of", "2025-06-30", "--config"])
            .arg(&config),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    one_line_naming(&run, &blocked, "cannot replace");
    let after = files_under(&out);
    assert_eq!(temporaries(&after), Vec::<&PathBuf>::new());
    assert_eq!(after, before, "the previous reports, whole");
}

#[test]
fn stale_temporary_cleanup_never_follows_a_symlinked_folder_out() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let outside = d.join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    // Named as a dead run's temporary file would be.
    let bait = outside.join(".listpulse-tmp-999999999-t-0-members.csv");
    std::fs::write(&bait, "not listpulse's").unwrap();
    std::fs::create_dir(d.join("out")).unwrap();
    std::os::unix::fs::symlink(&outside, d.join("out/link")).unwrap();
    let archive = mbox(&d.join("a.mbox"), "st", 2);
    let config = run_config(d, "c", &archive);
    let run = Run::of(listpulse(d).args(["run", "--config"]).arg(&config));
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(
        bait.exists(),
        "a file outside the output folder was removed"
    );
}

#[test]
fn a_file_of_tiny_messages_is_parsed_in_batches_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let path = d.join("tiny.mbox");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    // 300,000 messages of 77 bytes: 23 MB whose records, handed on a whole
    // window at a time, took 200 MB.
    for i in 0..300_000 {
        write!(
            f,
            "From a@b.org Mon Jan  1 00:00:00 2024\nFrom: a@b.org\nMessage-ID: <{i:07}@x>\n\n"
        )
        .unwrap();
    }
    drop(f);
    let (run, peak_kib) = ingest_measured(d, &["--quiet"], &[&path]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.json()["messages_new"], 300_000);
    assert!(
        peak_kib < 128 * MIB,
        "peak RSS {peak_kib} KiB for 300,000 tiny messages"
    );
}
