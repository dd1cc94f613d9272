//! Fault tests: SIGKILL at many moments of an ingest and of `listpulse run`,
//! and two processes writing one database at once (DESIGN.md, "Failure and
//! bad input": "Nothing is ever half-written").
//!
//! The archive is synthetic and the same everywhere: 60 monthly files
//! (overlapping, so deduplication is exercised) plus one file larger than a
//! 16 MB read window, so kills land between files, in the middle of a
//! multi-file transaction, and between two windows of one file. Every check
//! compares against one uninterrupted reference run: after a kill the
//! database must hold exactly the reference's messages of the files it
//! records (same keys, attributed to the same file), and a rerun must end
//! exactly where the reference did.
//!
//! Kill moments are spread evenly over the reference run's measured
//! duration, never fixed delays, so they land mid-run on a fast machine as
//! on a slow one, and no assertion depends on the machine's speed. The suite
//! kills at `KILL_POINTS` moments (default 4) per test; `bench/kill-long.sh`
//! runs the same tests with 20.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::util::{fixture, listpulse};

const AS_OF: &str = "2020-06-30";

fn bin() -> &'static Path {
    Path::new(assert_cmd::cargo::cargo_bin!("listpulse"))
}

/// Writes a deterministic synthetic mbox of `messages` messages, starting
/// at message number `first` (numbers shared between files are the same
/// message, so overlapping files exercise deduplication).
fn write_mbox(path: &Path, first: usize, messages: usize) {
    use std::fmt::Write as _;
    let words = [
        "policy",
        "access",
        "governance",
        "forum",
        "coalition",
        "meeting",
        "draft",
        "review",
        "agenda",
        "members",
        "report",
        "network",
    ];
    let start = chrono::NaiveDate::from_ymd_opt(2005, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .expect("a valid date");
    let mut out = String::with_capacity(messages * 1100);
    for n in first..first + messages {
        let when = start + chrono::Duration::minutes(n as i64 * 97);
        let sender = format!("person{}@example.org", (n * 7919) % 1500);
        let _ = writeln!(out, "From {sender} {}", when.format("%a %b %e %H:%M:%S %Y"));
        let _ = writeln!(out, "From: Person {} <{sender}>", (n * 7919) % 1500);
        let _ = writeln!(out, "Date: {}", when.format("%a, %d %b %Y %H:%M:%S +0000"));
        let _ = writeln!(out, "Subject: {} {}", words[n % 12], words[(n / 12) % 12]);
        let _ = writeln!(out, "Message-ID: <syn{n}@faults.example>");
        if n % 3 > 0 && n > 0 {
            let _ = writeln!(out, "In-Reply-To: <syn{}@faults.example>", n - 1);
        }
        out.push('\n');
        for line in 0..14 {
            for w in 0..10 {
                out.push_str(words[(n + line * 3 + w * 5) % 12]);
                out.push(' ');
            }
            out.push('\n');
        }
        if n % 10 == 0 {
            out.push_str(">From the minutes: not an envelope\n");
        }
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// The archive paths to ingest: a folder of synthetic monthly files plus
/// one large file. `dir` receives them.
fn archive(dir: &Path) -> Vec<PathBuf> {
    // About 17 MB: just over one 16 MB read window.
    let big = dir.join("big.mbox");
    write_mbox(&big, 1_000_000, 16_000);
    let months = dir.join("months");
    std::fs::create_dir_all(&months).unwrap();
    for m in 0..60usize {
        // Each month repeats the previous month's last 20 messages.
        write_mbox(
            &months.join(format!("{:04}-{:02}.mbox", 2005 + m / 12, m % 12 + 1)),
            (m * 1500).saturating_sub(20),
            1500 + if m > 0 { 20 } else { 0 },
        );
    }
    vec![months, big]
}

/// How many kill moments each kill test spreads over its reference run:
/// `KILL_POINTS` from the environment (`bench/kill-long.sh` sets 20), else 4.
fn kill_points() -> u32 {
    std::env::var("KILL_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(4)
}

fn spawn_ingest(db: &Path, paths: &[PathBuf]) -> Child {
    Command::new(bin())
        .args(["ingest", "--db"])
        .arg(db)
        .args(["--coalition", "c", "--quiet"])
        .args(paths)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// An uninterrupted ingest; returns its wall-clock duration.
fn ingest_to_end(db: &Path, paths: &[PathBuf]) -> Duration {
    let started = Instant::now();
    let out = spawn_ingest(db, paths).wait_with_output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "ingest failed: {stderr}");
    took
}

fn classify_csv(dir: &Path, db: &Path) -> String {
    let out = listpulse(dir)
        .args(["classify", "--db"])
        .arg(db)
        .args(["--coalition", "c", "--format", "csv", "--as-of", AS_OF])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Opens `db` with `reference` attached as `ref`; after a kill, checks the
/// file's integrity first.
fn open_with_reference(db: &Path, reference: &Path, after_kill: bool) -> Connection {
    let conn = Connection::open(db).expect("the database opens after a kill");
    if after_kill {
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "integrity_check");
    }
    conn.execute("ATTACH DATABASE ?1 AS ref", [reference.to_string_lossy()])
        .unwrap();
    conn
}

/// The database a killed ingest left holds whole files only: every file it
/// records is recorded as the reference records it, and its messages are
/// exactly the reference's messages of those files. Returns how many files
/// it records.
fn assert_whole_files(db: &Path, reference: &Path, when: &str) -> i64 {
    if !db.exists() {
        return 0;
    }
    let conn = open_with_reference(db, reference, true);
    if count(
        &conn,
        "SELECT count(*) FROM main.sqlite_master WHERE name = 'sources'",
    ) == 0
    {
        // Killed before the schema was committed: nothing else may be there.
        assert_eq!(
            count(&conn, "SELECT count(*) FROM main.sqlite_master"),
            0,
            "{when}: half a schema"
        );
        return 0;
    }
    let checks = [
        (
            "messages of no recorded file",
            "SELECT count(*) FROM main.messages
             WHERE source_id IS NULL OR source_id NOT IN (SELECT id FROM main.sources)",
        ),
        (
            "files recorded differently from the reference (half a file?)",
            "SELECT count(*) FROM main.sources s LEFT JOIN ref.sources r ON r.path = s.path
             WHERE r.id IS NULL OR r.messages != s.messages OR r.malformed != s.malformed
                OR r.hash != s.hash OR r.format != s.format",
        ),
        (
            "messages the reference does not have in those files",
            "SELECT count(*) FROM (
               SELECT m.message_key, s.path FROM main.messages m JOIN main.sources s ON s.id = m.source_id
               EXCEPT
               SELECT m.message_key, s.path FROM ref.messages m JOIN ref.sources s ON s.id = m.source_id)",
        ),
        (
            "messages of recorded files missing",
            "SELECT count(*) FROM (
               SELECT m.message_key, s.path FROM ref.messages m JOIN ref.sources s ON s.id = m.source_id
               WHERE s.path IN (SELECT path FROM main.sources)
               EXCEPT
               SELECT m.message_key, s.path FROM main.messages m JOIN main.sources s ON s.id = m.source_id)",
        ),
    ];
    for (what, sql) in checks {
        assert_eq!(count(&conn, sql), 0, "{when}: {what}");
    }
    count(&conn, "SELECT count(*) FROM main.sources")
}

/// The database holds exactly what the reference holds: same messages (key,
/// file, date, sender, set-aside reason), same files, same counts.
fn assert_same_as_reference(db: &Path, reference: &Path, when: &str) {
    let conn = open_with_reference(db, reference, false);
    let totals = "SELECT (SELECT count(*) FROM {s}.messages) || ' ' ||
                         (SELECT count(DISTINCT message_key) FROM {s}.messages) || ' ' ||
                         (SELECT count(*) FROM {s}.sources) || ' ' ||
                         (SELECT sum(messages) FROM {s}.sources) || ' ' ||
                         (SELECT sum(malformed) FROM {s}.sources)";
    let totals_of = |schema: &str| -> String {
        conn.query_row(&totals.replace("{s}", schema), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(totals_of("main"), totals_of("ref"), "{when}: totals");
    let rows = "SELECT m.message_key, s.path, m.date, m.from_addr, m.set_aside
                FROM {a}.messages m JOIN {a}.sources s ON s.id = m.source_id
                EXCEPT
                SELECT m.message_key, s.path, m.date, m.from_addr, m.set_aside
                FROM {b}.messages m JOIN {b}.sources s ON s.id = m.source_id";
    for (a, b) in [("main", "ref"), ("ref", "main")] {
        let sql = format!(
            "SELECT count(*) FROM ({})",
            rows.replace("{a}", a).replace("{b}", b)
        );
        assert_eq!(count(&conn, &sql), 0, "{when}: messages in {a} not in {b}");
    }
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

#[test]
fn an_ingest_killed_at_moments_spread_over_a_reference_run_keeps_whole_files_and_reruns_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = archive(tmp.path());
    let reference = tmp.path().join("reference.db");
    let first = ingest_to_end(&reference, &paths);
    // Measured twice, the shorter counts: the first read of the archive may
    // be cold, and other tests may be running beside this one.
    let scratch = tmp.path().join("scratch.db");
    let took = first.min(ingest_to_end(&scratch, &paths));
    remove_db(&scratch);
    let expected_members = classify_csv(tmp.path(), &reference);
    assert!(expected_members.lines().count() > 100);

    let db = tmp.path().join("killed.db");
    let kills = kill_points();
    let mut recorded = Vec::new();
    for i in 0..kills {
        remove_db(&db);
        // Evenly over the measured duration (with 20: 2.5 %, 7.5 %, …, 97.5 %).
        let delay = took.mul_f64((f64::from(i) + 0.5) / f64::from(kills));
        let mut child = spawn_ingest(&db, &paths);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let when = format!("kill {i} after {} ms ({status})", delay.as_millis());
        recorded.push(assert_whole_files(&db, &reference, &when));

        let out = spawn_ingest(&db, &paths).wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{when}: rerun: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_same_as_reference(&db, &reference, &format!("{when}, rerun"));
        assert_eq!(
            classify_csv(tmp.path(), &db),
            expected_members,
            "{when}: members after the rerun"
        );
    }
    // Where the kills landed, for whoever reads the test output: a run of
    // recorded-file counts rising from 0 towards the total.
    eprintln!(
        "files recorded at each kill (of {}): {recorded:?}; reference run {} ms",
        count(
            &Connection::open(&reference).unwrap(),
            "SELECT count(*) FROM sources"
        ),
        took.as_millis()
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The demo copied into `dir/demo`, writing `dir/out` and `dir/demo.db`.
fn demo_in(dir: &Path) -> PathBuf {
    copy_dir(&fixture("demo"), &dir.join("demo"));
    let config = dir.join("demo/listpulse.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace(
            "database = \"../../target/demo.db\"",
            "database = \"../demo.db\"",
        )
        .replace("output = \"../../reports/demo\"", "output = \"../out\"");
    assert!(text.contains("\"../out\"") && text.contains("\"../demo.db\""));
    std::fs::write(&config, text).unwrap();
    config
}

type Files = std::collections::BTreeMap<PathBuf, Vec<u8>>;

/// Every file under `dir` but a killed run's temporary files.
fn reports(dir: &Path) -> Files {
    fn walk(base: &Path, dir: &Path, out: &mut Files) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if !e
                .file_name()
                .to_string_lossy()
                .starts_with(".listpulse-tmp-")
            {
                out.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out);
    out
}

fn run_to_end(dir: &Path, config: &Path, as_of: &str) -> Duration {
    let started = Instant::now();
    listpulse(dir)
        .args(["run", "--as-of", as_of, "--config"])
        .arg(config)
        .assert()
        .success();
    started.elapsed()
}

/// Every demo coalition's member table, as `classify` prints it.
fn demo_members(dir: &Path, db: &Path) -> String {
    [
        "dc-open-data",
        "dc-rural-access",
        "dc-net-heritage",
        "dc-youth-voices",
    ]
    .iter()
    .map(|slug| {
        let out = listpulse(dir)
            .args(["classify", "--db"])
            .arg(db)
            .args([
                "--coalition",
                slug,
                "--format",
                "csv",
                "--as-of",
                "2025-06-30",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    })
    .collect()
}

#[test]
fn a_run_killed_at_several_moments_leaves_a_valid_database_and_whole_reports() {
    const OLD: &str = "2025-06-30";
    const NEW: &str = "2024-12-31";
    // The reference: the demo run to the end, first as of OLD then NEW.
    let twin = tempfile::tempdir().unwrap();
    let twin_config = demo_in(twin.path());
    let reference = twin.path().join("demo.db");
    let took = run_to_end(twin.path(), &twin_config, OLD);
    let old = reports(&twin.path().join("out"));
    let old_members = demo_members(twin.path(), &reference);
    run_to_end(twin.path(), &twin_config, NEW);
    let new = reports(&twin.path().join("out"));
    let new_members = demo_members(twin.path(), &reference);
    assert_eq!(old.len(), new.len());
    assert_ne!(old, new);

    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let db = dir.path().join("demo.db");
    let out = dir.path().join("out");
    // Kills from an empty start (the database and reports being created),
    // then over OLD reports with a NEW run: each report file must be absent,
    // or whole in one of the versions a completed run writes.
    let phases = [
        (OLD, None, &old, &old_members),
        (NEW, Some(&old), &new, &new_members),
    ];
    let kills = kill_points();
    for (as_of, before, after, members) in phases {
        for i in 0..kills {
            let delay = took.mul_f64((f64::from(i) + 0.5) / f64::from(kills));
            let mut child = Command::new(bin())
                .args(["run", "--as-of", as_of, "--config"])
                .arg(&config)
                .current_dir(dir.path())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill();
            let status = child.wait().unwrap();
            let when = format!(
                "run as of {as_of} killed after {} ms ({status})",
                delay.as_millis()
            );
            if db.exists() {
                let conn = Connection::open(&db).expect("the database opens after a kill");
                let check: String = conn
                    .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(check, "ok", "{when}");
                if count(
                    &conn,
                    "SELECT count(*) FROM sqlite_master WHERE name = 'sources'",
                ) > 0
                {
                    assert_eq!(
                        count(
                            &conn,
                            "SELECT count(*) FROM messages
                             WHERE source_id IS NULL OR source_id NOT IN (SELECT id FROM sources)"
                        ),
                        0,
                        "{when}: messages of no recorded file"
                    );
                }
            }
            for (path, bytes) in reports(&out) {
                let whole = after.get(&path) == Some(&bytes)
                    || before.is_some_and(|b| b.get(&path) == Some(&bytes));
                assert!(whole, "{when}: {} is not a whole version", path.display());
            }
            if let Some(before) = before {
                // A killed run never removes a report.
                let now = reports(&out);
                for path in before.keys() {
                    assert!(now.contains_key(path), "{when}: {} gone", path.display());
                }
            }
        }
        run_to_end(dir.path(), &config, as_of);
        assert_eq!(&reports(&out), after, "after a completed run as of {as_of}");
        let leftovers: Vec<PathBuf> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".listpulse-tmp-"))
            })
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary files after a completed run as of {as_of}: {leftovers:?}"
        );
        assert_eq!(
            &demo_members(dir.path(), &db),
            members,
            "database after the kills and a completed run as of {as_of}"
        );
    }
}

#[test]
fn two_ingests_into_one_database_one_proceeds_the_other_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let paths = archive(tmp.path());
    let reference = tmp.path().join("reference.db");
    let took = ingest_to_end(&reference, &paths);
    // A different, small archive for the second process in some rounds.
    let other = tmp.path().join("other.mbox");
    write_mbox(&other, 5_000_000, 200);

    let db = tmp.path().join("shared.db");
    // (share of the reference run before the second starts, whether it
    // ingests the other archive): derived from the measured run, so the
    // second lands while the first runs on any machine.
    let rounds = [(0.0, false), (0.0, true), (0.05, false), (0.2, true)];
    for (round, (stagger, different)) in rounds.into_iter().enumerate() {
        remove_db(&db);
        let first = spawn_ingest(&db, &paths);
        let delay = took.mul_f64(stagger);
        std::thread::sleep(delay);
        let second_paths = if different {
            vec![other.clone()]
        } else {
            paths.clone()
        };
        let second = spawn_ingest(&db, &second_paths);
        let (first_out, second) = (
            first.wait_with_output().unwrap(),
            second.wait_with_output().unwrap(),
        );
        let when = format!("round {round} (second {} ms later)", delay.as_millis());

        // With no stagger either may win the lock; exactly one does. The
        // loser exits 2: had it waited for the lock, it would have ingested
        // and exited 0 once the winner was done.
        let codes = (first_out.status.code(), second.status.code());
        let (loser, winner_paths) = match codes {
            (Some(0), Some(2)) => (&second, &paths),
            (Some(2), Some(0)) if stagger == 0.0 => (&first_out, &second_paths),
            _ => panic!(
                "{when}: exit codes {codes:?}; stderr: {} / {}",
                String::from_utf8_lossy(&first_out.stderr),
                String::from_utf8_lossy(&second.stderr)
            ),
        };
        let stderr = String::from_utf8_lossy(&loser.stderr);
        assert_eq!(stderr.lines().count(), 1, "{when}: {stderr}");
        assert!(
            stderr.starts_with("listpulse: ")
                && stderr.contains(&*db.to_string_lossy())
                && stderr.contains("another listpulse process"),
            "{when}: {stderr}"
        );

        if winner_paths == &paths {
            assert_same_as_reference(&db, &reference, &when);
        } else {
            // The small archive won: its messages only, and nothing else.
            let single = tmp.path().join("single.db");
            remove_db(&single);
            ingest_to_end(&single, winner_paths);
            assert_same_as_reference(&db, &single, &when);
        }
    }
}
