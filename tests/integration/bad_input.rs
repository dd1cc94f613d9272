//! Bad input against the binary (DESIGN.md, "Failure and bad input").
//!
//! Every case starts from a database that already holds data (messages, a
//! roster, check-ins), runs one bad input, and checks three things: the exit
//! status (1 when a file was rejected and the run went on, 2 when it was
//! fatal), exactly one line on stderr naming the thing (path, and line where
//! there is one), and that the database holds what it held before, compared
//! table by table, row by row. The large inputs (a 50 MB message, 10,000
//! `References`, a 1 MB header line) are generated in a temp dir and must
//! simply be read.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::util::{Run, listpulse};

/// A temp dir holding `seed.db` with three messages, a roster and check-ins.
struct Seeded {
    dir: tempfile::TempDir,
    db: PathBuf,
}

impl Seeded {
    fn new() -> Seeded {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("seed.db");
        let mbox = dir.path().join("seed.mbox");
        let mut text = String::new();
        for i in 0..3 {
            text.push_str(&format!(
                "From a{i}@example.org Mon Jan  1 10:00:0{i} 2024\nFrom: A{i} <a{i}@example.org>\nMessage-ID: <seed{i}@example.org>\nDate: Mon, 1 Jan 2024 10:00:0{i} +0000\nSubject: seed {i}\n\nhello\n"
            ));
        }
        std::fs::write(&mbox, text).unwrap();
        let roster = dir.path().join("roster.csv");
        std::fs::write(
            &roster,
            "address,name,joined,status\na0@example.org,A0,2020-01-01,\na1@example.org,A1,2021-01-01,observer\n",
        )
        .unwrap();
        let checkins = dir.path().join("checkins.csv");
        std::fs::write(
            &checkins,
            "address,date,status\na1@example.org,2024-06-01,full\n",
        )
        .unwrap();
        let d = dir.path();
        listpulse(d)
            .args(["ingest", "--quiet", "--coalition", "c", "--db"])
            .arg(&db)
            .arg(&mbox)
            .assert()
            .code(0);
        listpulse(d)
            .args(["roster", "import", "--quiet", "--coalition", "c"])
            .args(["--date", "2024-01-01", "--db"])
            .arg(&db)
            .arg(&roster)
            .assert()
            .code(0);
        listpulse(d)
            .args(["checkin", "import", "--quiet", "--coalition", "c", "--db"])
            .arg(&db)
            .arg(&checkins)
            .assert()
            .code(0);
        let seeded = Seeded { dir, db };
        let dump = seeded.dump();
        assert!(
            dump.iter().any(|l| l.starts_with("messages|")),
            "seed holds messages"
        );
        assert!(dump.iter().any(|l| l.starts_with("roster_entries|")));
        assert!(dump.iter().any(|l| l.starts_with("checkins|")));
        seeded
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Every row of every table (and the schema version), one string each.
    fn dump(&self) -> Vec<String> {
        dump(&self.db)
    }

    /// `listpulse ingest --quiet --coalition c --db seed.db PATHS…`.
    fn ingest(&self, paths: &[&Path]) -> Run {
        let mut cmd = listpulse(self.dir.path());
        cmd.args(["ingest", "--quiet", "--coalition", "c", "--db"])
            .arg(&self.db)
            .args(paths);
        Run::of(&mut cmd)
    }
}

fn dump(db: &Path) -> Vec<String> {
    let conn = Connection::open(db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mut out = vec![format!("user_version|{version}")];
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        tables.len() >= 8,
        "the seed database has the schema: {tables:?}"
    );
    for table in tables {
        // Table names come from sqlite_master, not from input.
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let mut line = table.clone();
            for i in 0..columns {
                line.push('|');
                line.push_str(&match row.get_ref(i).unwrap() {
                    ValueRef::Null => "NULL".to_string(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => format!("{b:?}"),
                });
            }
            out.push(line);
        }
    }
    out.sort();
    out
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn an_empty_file_is_read_and_named_in_the_summary_not_an_error() {
    let s = Seeded::new();
    let before = s.dump();
    let empty = s.write("empty.mbox", "");
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["ingest", "--json", "--coalition", "c", "--db"])
            .arg(&s.db)
            .arg(&empty),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["empty_files"], 1);
    assert!(
        out.stderr
            .lines()
            .any(|l| l == format!("empty: {}", shown(&empty))),
        "the summary names the empty file: {}",
        out.stderr
    );
    // The file is remembered as a source (so it is not read again); nothing
    // else changes.
    let after = s.dump();
    let without_sources = |d: &[String]| -> Vec<String> {
        d.iter()
            .filter(|l| !l.starts_with("sources|"))
            .cloned()
            .collect()
    };
    assert_eq!(without_sources(&after), without_sources(&before));
    assert_eq!(
        after.iter().filter(|l| l.starts_with("sources|")).count(),
        before.iter().filter(|l| l.starts_with("sources|")).count() + 1
    );

    // --quiet silences the summary, empty files included.
    let again = s.write("empty2.mbox", " \n\n");
    let out = s.ingest(&[&again]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn a_truncated_gzip_is_rejected_whole_even_after_a_window_was_written() {
    let s = Seeded::new();
    let before = s.dump();
    // About 40 MB of distinct messages, so the part before the cut spans
    // more than one 16 MB read window: windows reach the writer before the
    // stream breaks, and must be rolled back.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let body = "a line of text in the body of a message, long enough\n".repeat(16);
    for i in 0..45_000 {
        write!(
            enc,
            "From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nMessage-ID: <gz{i}@example.org>\n\n{body}"
        )
        .unwrap();
    }
    let gz = enc.finish().unwrap();
    let cut = s.write("cut.mbox.gz", &gz[..gz.len() * 3 / 4]);
    let out = s.ingest(&[&cut]);
    out.fails(1, &[&shown(&cut), "broken gzip stream"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn random_bytes_are_not_an_archive() {
    let s = Seeded::new();
    let before = s.dump();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let path = s.write("noise.bin", bytes);
    let out = s.ingest(&[&path]);
    out.fails(1, &[&shown(&path), "not an archive"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn an_html_page_is_not_an_archive_and_the_run_goes_on() {
    let s = Seeded::new();
    let before = s.dump();
    let page = s.write(
        "index.html",
        "<!DOCTYPE html>\n<html><head><title>The r-devel Archives</title></head>\n<body><a href=\"2024-January.txt.gz\">January 2024</a></body></html>\n",
    );
    let out = s.ingest(&[&page]);
    out.fails(1, &[&shown(&page), "not an archive (an HTML or XML page)"]);
    assert_eq!(s.dump(), before);

    // Next to a good file: the good one is read, the status is still 1.
    let good = s.write(
        "good.mbox",
        "From b@example.org Mon Jan  1 10:00:00 2024\nFrom: b@example.org\nMessage-ID: <good@example.org>\n\nhi\n",
    );
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["ingest", "--quiet", "--json", "--coalition", "c", "--db"])
            .arg(&s.db)
            .arg(&page)
            .arg(&good),
    );
    out.fails(1, &[&shown(&page)]);
    assert_eq!(out.json()["messages_new"], 1);
    assert_eq!(out.json()["skipped_files"], 1);
}

#[test]
fn a_directory_with_no_archive_is_named() {
    let s = Seeded::new();
    let before = s.dump();
    // Nothing in it at all (dotfiles are passed over).
    let empty = s.path("exports");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join(".DS_Store"), "x").unwrap();
    let out = s.ingest(&[&empty]);
    out.fails(1, &[&shown(&empty), "no files to read"]);
    assert_eq!(s.dump(), before);

    // Only a README: the README is named.
    let docs = s.path("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("README"), "These are the list's archives.\n").unwrap();
    let out = s.ingest(&[&docs]);
    out.fails(1, &[&shown(&docs.join("README")), "not an archive"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn a_path_that_does_not_exist_is_named() {
    let s = Seeded::new();
    let before = s.dump();
    let missing = s.path("2024-February.txt.gz");
    let out = s.ingest(&[&missing]);
    out.fails(1, &[&shown(&missing), "no such file or directory"]);
    assert_eq!(s.dump(), before);
}

/// `listpulse run --config` on a configuration whose database is the seed.
fn run_config(s: &Seeded, text: &str) -> (Run, PathBuf) {
    let config = s.write(
        "listpulse.toml",
        format!("database = \"seed.db\"\noutput = \"reports\"\n{text}"),
    );
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["run", "--as-of", "2025-01-01", "--config"])
            .arg(&config),
    );
    (out, config)
}

#[test]
fn a_configuration_with_an_unknown_key_is_fatal_and_names_its_line() {
    let s = Seeded::new();
    let before = s.dump();
    let (out, config) = run_config(&s, "treshold = 3\n");
    out.fails(2, &[&format!("{}:3:", shown(&config)), "treshold"]);
    assert_eq!(s.dump(), before);
    assert!(!s.path("reports").exists(), "no report is written");
}

#[test]
fn a_configuration_with_a_bad_date_is_fatal_and_names_its_line() {
    let s = Seeded::new();
    let before = s.dump();
    let (out, config) = run_config(
        &s,
        "[[coalition]]\nslug = \"c\"\nannual_meeting = [[\"2024-02-30\", \"2024-03-02\"]]\n",
    );
    out.fails(2, &[&format!("{}:5:", shown(&config)), "2024-02-30"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn a_configuration_with_a_duplicated_slug_is_fatal_and_names_its_line() {
    let s = Seeded::new();
    let before = s.dump();
    let (out, config) = run_config(
        &s,
        "[[coalition]]\nslug = \"c\"\n\n[[coalition]]\nslug = \"c\"\n",
    );
    out.fails(2, &[&format!("{}:7:", shown(&config)), "'c'"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn a_roster_with_a_bad_row_is_refused_whole() {
    let s = Seeded::new();
    let before = s.dump();
    let roster = s.write(
        "roster-2025.csv",
        "address,name,joined,status\nnew1@example.org,N1,2024-01-01,\nnew2@example.org,N2,2024-01-01,lurker\n",
    );
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["roster", "import", "--quiet", "--coalition", "c"])
            .args(["--date", "2025-01-01", "--db"])
            .arg(&s.db)
            .arg(&roster),
    );
    // `roster import` has one input: a bad one is fatal (cmd/roster.rs).
    out.fails(2, &[&format!("{}:3:", shown(&roster)), "lurker"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn a_checkin_file_with_a_bad_row_is_refused_whole() {
    let s = Seeded::new();
    let before = s.dump();
    let checkins = s.write(
        "checkins-2025.csv",
        "address,date,status\na0@example.org,2025-01-02,observer\na2@example.org,2025-13-01,full\n",
    );
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["checkin", "import", "--quiet", "--coalition", "c", "--db"])
            .arg(&s.db)
            .arg(&checkins),
    );
    out.fails(2, &[&format!("{}:3:", shown(&checkins)), "2025-13-01"]);
    assert_eq!(s.dump(), before);
}

#[test]
fn a_database_that_is_not_sqlite_is_fatal_and_left_alone() {
    let s = Seeded::new();
    let notes = s.write("notes.db", "minutes of the 2024 meeting\n".repeat(300));
    let before = std::fs::read(&notes).unwrap();
    let mbox = s.write(
        "m.mbox",
        "From b@example.org Mon Jan  1 10:00:00 2024\nFrom: b@example.org\n\nhi\n",
    );
    let out = Run::of(
        listpulse(s.dir.path())
            .args(["ingest", "--quiet", "--coalition", "c", "--db"])
            .arg(&notes)
            .arg(&mbox),
    );
    out.fails(2, &[&shown(&notes), "not a listpulse database"]);
    assert_eq!(std::fs::read(&notes).unwrap(), before);
}

#[test]
fn a_database_from_a_newer_schema_is_fatal_and_left_alone() {
    let s = Seeded::new();
    let newer = listpulse::store::SCHEMA_VERSION + 1;
    Connection::open(&s.db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let before = s.dump();
    let mbox = s.write(
        "m.mbox",
        "From b@example.org Mon Jan  1 10:00:00 2024\nFrom: b@example.org\n\nhi\n",
    );
    let out = s.ingest(&[&mbox]);
    out.fails(
        2,
        &[
            &shown(&s.db),
            &format!("schema version {newer} is newer"),
            "upgrade listpulse",
        ],
    );
    assert_eq!(s.dump(), before);
}

#[test]
fn a_full_disk_is_fatal_names_the_database_and_keeps_it_whole() {
    let s = Seeded::new();
    let before = s.dump();
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!(
            "From a@example.org Mon Jan  1 10:00:00 2024\nFrom: u{i}@example.org\nMessage-ID: <full{i}@example.org>\nSubject: {}\n\nhi\n",
            "s".repeat(200)
        ));
    }
    let mbox = s.write("many.mbox", text);
    // A cap below the current size leaves it at the current size: no page
    // may be added (test-only variable, see store::configure).
    let out = Run::of(
        s.ingest_cmd(&[&mbox])
            .env(listpulse::store::TEST_MAX_PAGE_COUNT_VAR, "1"),
    );
    out.fails(2, &[&shown(&s.db), "database or disk is full"]);
    // The database still opens, and holds exactly what it held.
    assert_eq!(s.dump(), before);
    let out = s.ingest(&[&mbox]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

impl Seeded {
    fn ingest_cmd(&self, paths: &[&Path]) -> assert_cmd::Command {
        let mut cmd = listpulse(self.dir.path());
        cmd.args(["ingest", "--quiet", "--json", "--coalition", "c", "--db"])
            .arg(&self.db)
            .args(paths);
        cmd
    }

    /// Ingests `paths`, expecting success; returns the JSON summary.
    fn ingest_ok(&self, paths: &[&Path]) -> Value {
        let out = Run::of(&mut self.ingest_cmd(paths));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stderr, "");
        out.json()
    }

    fn messages(&self) -> i64 {
        Connection::open(&self.db)
            .unwrap()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .unwrap()
    }
}

#[test]
fn a_50_mb_message_is_read_and_counted_once() {
    let s = Seeded::new();
    let held = s.messages();
    let path = s.path("big.mbox");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(
        f,
        "From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nMessage-ID: <big@example.org>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nContent-Type: text/plain\n\n"
    )
    .unwrap();
    let line = format!("{}\n", "x".repeat(99));
    for _ in 0..500_000 {
        f.write_all(line.as_bytes()).unwrap();
    }
    write!(
        f,
        "From b@example.org Mon Jan  1 11:00:00 2024\nFrom: b@example.org\nMessage-ID: <after-big@example.org>\n\nsmall\n"
    )
    .unwrap();
    drop(f);
    let summary = s.ingest_ok(&[&path]);
    assert_eq!(summary["messages_seen"], 2);
    assert_eq!(summary["messages_new"], 2);
    assert_eq!(summary["malformed"], 0);
    assert_eq!(s.messages(), held + 2);
    let size: i64 = Connection::open(&s.db)
        .unwrap()
        .query_row(
            "SELECT size FROM messages WHERE message_key = 'big@example.org'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(size > 50_000_000, "{size}");
}

#[test]
fn a_message_with_10000_references_is_read_whole() {
    let s = Seeded::new();
    let held = s.messages();
    let refs: Vec<String> = (0..10_000).map(|i| format!("<r{i}@example.org>")).collect();
    let path = s.write(
        "refs.mbox",
        format!(
            "From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nMessage-ID: <refs@example.org>\nIn-Reply-To: <r9999@example.org>\nReferences: {}\n\nhi\n",
            refs.join("\n ")
        ),
    );
    let summary = s.ingest_ok(&[&path]);
    assert_eq!(summary["messages_new"], 1);
    assert_eq!(s.messages(), held + 1);
    let (stored, reply): (String, String) = Connection::open(&s.db)
        .unwrap()
        .query_row(
            "SELECT refs, in_reply_to FROM messages WHERE message_key = 'refs@example.org'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(reply, "r9999@example.org");
    assert!(stored.contains("r0@example.org") && stored.contains("r9999@example.org"));
}

#[test]
fn a_header_line_of_1_mb_is_read() {
    let s = Seeded::new();
    let held = s.messages();
    let long = "y".repeat(1 << 20);
    // First line of the file (detection must look past it) and a Subject.
    let eml = s.write(
        "long.eml",
        format!("X-Long: {long}\nFrom: a@example.org\nMessage-ID: <long1@example.org>\n\nhi\n"),
    );
    let mbox = s.write(
        "long.mbox",
        format!(
            "From a@example.org Mon Jan  1 10:00:00 2024\nFrom: a@example.org\nMessage-ID: <long2@example.org>\nSubject: {long}\n\nhi\n"
        ),
    );
    let summary = s.ingest_ok(&[&eml, &mbox]);
    assert_eq!(summary["messages_new"], 2);
    assert_eq!(s.messages(), held + 2);
}
