//! Integration tests for the classify stage: the hand-written scenario in
//! `fixtures/scenario/` run through the binary (ingest → roster import →
//! check-in import → classify), bad input to the imports, and the real corpus
//! when it is present.

use std::path::{Path, PathBuf};

use crate::util::{corpus, fixture, listpulse};

const SLUG: &str = "dc-scenario";

fn scenario(rel: &str) -> PathBuf {
    fixture("scenario").join(rel)
}

/// Runs `listpulse` with `args` in `dir` and asserts success.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = listpulse(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "listpulse {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn ingest(dir: &Path, db: &str, paths: &[PathBuf]) {
    let mut args = vec!["ingest", "--db", db, "--coalition", SLUG, "--quiet"];
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    ok(dir, &args);
}

fn imports(dir: &Path, db: &str) {
    let r1 = scenario("roster-2024-01-01.txt");
    let r2 = scenario("roster-2025-06-01.csv");
    let c = scenario("checkins.csv");
    let (r1, r2, c) = (
        r1.to_str().unwrap(),
        r2.to_str().unwrap(),
        c.to_str().unwrap(),
    );
    ok(
        dir,
        &[
            "roster",
            "import",
            "--db",
            db,
            "--coalition",
            SLUG,
            "--date",
            "2024-01-01",
            "-q",
            r1,
        ],
    );
    ok(
        dir,
        &[
            "roster",
            "import",
            "--db",
            db,
            "--coalition",
            SLUG,
            "--date",
            "2025-06-01",
            "-q",
            r2,
        ],
    );
    ok(
        dir,
        &[
            "checkin",
            "import",
            "--db",
            db,
            "--coalition",
            SLUG,
            "-q",
            c,
        ],
    );
}

fn classify(dir: &Path, db: &str, extra: &[&str]) -> String {
    let aliases = scenario("aliases.txt");
    let mut args = vec![
        "classify",
        "--db",
        db,
        "--coalition",
        SLUG,
        "--as-of",
        "2025-06-23",
        "--aliases",
        aliases.to_str().unwrap(),
        "--checkin-subject",
        "Annual check-in 2025",
    ];
    args.extend_from_slice(extra);
    ok(dir, &args)
}

#[test]
fn scenario_members_csv_matches_the_hand_written_table() {
    let dir = tempfile::tempdir().unwrap();
    ingest(dir.path(), "one.db", &[scenario("archives")]);
    imports(dir.path(), "one.db");
    let got = classify(dir.path(), "one.db", &["--format", "csv"]);
    let want = std::fs::read_to_string(scenario("members.csv")).unwrap();
    let (got_lines, want_lines): (Vec<_>, Vec<_>) = (got.lines().collect(), want.lines().collect());
    for (g, w) in got_lines.iter().zip(&want_lines) {
        assert_eq!(g, w);
    }
    assert_eq!(got_lines.len(), want_lines.len(), "{got}");

    // JSON carries the same counts and thresholds.
    let json: serde_json::Value =
        serde_json::from_str(&classify(dir.path(), "one.db", &["--format", "json"])).unwrap();
    assert_eq!(json["as_of"], "2025-06-23");
    assert_eq!(
        json["thresholds"],
        serde_json::json!({"period_days": 365, "inactivity_days": 730, "min_posts": 1, "former_after_days": 1825, "warn_within_days": 90})
    );
    assert_eq!(
        json["counts"],
        serde_json::json!({"active": 4, "observer": 5, "dormant": 1})
    );
    assert_eq!(json["former"], 3);
    assert_eq!(json["members"].as_array().unwrap().len(), 10);
    assert_eq!(json["members"][0]["person"], "Carol Home");
    assert_eq!(json["members"][0]["email"], "carol@home.example");

    let table = classify(dir.path(), "one.db", &[]);
    assert!(
        table.contains("4 active, 5 observer, 1 dormant, 10 members; 3 former participants"),
        "{table}"
    );

    // The former participants, hand-written too.
    let former = classify(dir.path(), "one.db", &["--former", "--format", "csv"]);
    assert_eq!(
        former,
        std::fs::read_to_string(scenario("former.csv")).unwrap()
    );

    // The same from a configuration file: database, as-of, aliases and
    // check-in subject from the file; a flag still wins over it.
    let config = dir.path().join("listpulse.toml");
    std::fs::write(
        &config,
        format!(
            "database = \"one.db\"\nas_of = \"2025-06-23\"\nperiod = \"30d\"\n\n[[coalition]]\nslug = \"{SLUG}\"\naliases = {:?}\ncheckin_subject = \"annual CHECK-IN 2025\"\n",
            scenario("aliases.txt").display().to_string()
        ),
    )
    .unwrap();
    let from_config = ok(
        dir.path(),
        &[
            "classify",
            "--config",
            "listpulse.toml",
            "--coalition",
            SLUG,
            "--period",
            "365d",
            "--format",
            "csv",
        ],
    );
    assert_eq!(from_config, got);

    // Importing everything again (cron) changes nothing.
    imports(dir.path(), "one.db");
    assert_eq!(classify(dir.path(), "one.db", &["--format", "csv"]), got);
}

#[test]
fn scenario_is_the_same_ingested_in_one_run_or_several_in_any_order() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (
        scenario("archives/archive-2021-2023.mbox"),
        scenario("archives/archive-2024-2025.mbox"),
    );
    ingest(dir.path(), "one.db", &[a.clone(), b.clone()]);
    ingest(dir.path(), "rev.db", std::slice::from_ref(&b));
    ingest(dir.path(), "rev.db", std::slice::from_ref(&a));
    ingest(dir.path(), "rev.db", &[b.clone(), a.clone()]);
    let mut outputs = Vec::new();
    for db in ["one.db", "rev.db"] {
        imports(dir.path(), db);
        outputs.push((
            classify(dir.path(), db, &["--format", "csv"]),
            classify(dir.path(), db, &["--history", "--format", "csv"]),
        ));
    }
    assert_eq!(outputs[0], outputs[1]);
    // History: T and each anniversary back to the first message (2021-03-03).
    assert_eq!(
        outputs[0]
            .1
            .lines()
            .map(|l| l.split(',').nth(1).unwrap())
            .collect::<Vec<_>>(),
        [
            "date",
            "2021-06-23",
            "2022-06-23",
            "2023-06-23",
            "2024-06-23",
            "2025-06-23"
        ]
    );
}

/// A database holding the coalition `dc-scenario` (no messages needed).
fn db_with_coalition(dir: &Path) -> String {
    let conn = listpulse::store::open(&dir.join("db.sqlite")).unwrap();
    listpulse::store::messages::ensure_coalition(&conn, SLUG, None).unwrap();
    "db.sqlite".to_string()
}

fn rows(dir: &Path, table: &str) -> i64 {
    let conn = listpulse::store::open(&dir.join("db.sqlite")).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Asserts exit status 2 and the one-line stderr, and that nothing was written.
fn fails(dir: &Path, args: &[&str], stderr_ends: &str) {
    let out = listpulse(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.trim_end().ends_with(stderr_ends), "{stderr}");
    assert!(stderr.starts_with("listpulse: "), "{stderr}");
}

#[test]
fn bad_roster_and_checkin_files_name_file_and_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = db_with_coalition(d);
    let cases: [(&str, &str, &str, &str); 9] = [
        (
            "roster",
            "status.csv",
            "address,status\na@x.org,full\nb@x.org,member\n",
            "status.csv:3: unknown status 'member'; write full or observer",
        ),
        (
            "roster",
            "joined.csv",
            "address,joined\na@x.org,2024-02-30\n",
            "joined.csv:2: joined '2024-02-30' is not a date; write YYYY-MM-DD",
        ),
        (
            "roster",
            "empty.txt",
            "# nobody here\n\n",
            "empty.txt: no addresses found; is this a roster?",
        ),
        (
            "checkin",
            "status.csv",
            "address,date,status\na@x.org,2025-01-01,full\nb@x.org,2025-01-01,gone\n",
            "status.csv:3: unknown status 'gone'; write full, observer or leave",
        ),
        (
            "checkin",
            "date.csv",
            "address,date,status\na@x.org,1 Jan 2025,full\n",
            "date.csv:2: date '1 Jan 2025' is not a date; write YYYY-MM-DD",
        ),
        (
            "checkin",
            "header.csv",
            "who,when\n",
            "header.csv:1: expected the header address,date,status",
        ),
        (
            "roster",
            "answers.csv",
            "address,date,status\na@x.org,2025-01-01,full\nb@x.org,2025-01-01,observer\n",
            "answers.csv:1: this looks like a check-in file (header 'address,date,status'), not a roster; import it with `listpulse checkin import`",
        ),
        (
            "checkin",
            "far.csv",
            "address,date,status\na@x.org,+10000-01-01,full\n",
            "far.csv:2: date '+10000-01-01' is not a date; write YYYY-MM-DD",
        ),
        (
            "roster",
            "after-name.csv",
            "address,name\na@x.org,\"Doe,\nJane\"\nnope,B\n",
            "after-name.csv:4: 'nope' is not an address",
        ),
    ];
    for (what, name, text, want) in cases {
        std::fs::write(d.join(name), text).unwrap();
        fails(
            d,
            &[what, "import", "--db", &db, "--coalition", SLUG, name],
            want,
        );
    }
    assert_eq!(rows(d, "roster_snapshots"), 0);
    assert_eq!(rows(d, "roster_entries"), 0);
    assert_eq!(rows(d, "checkins"), 0);

    std::fs::write(
        d.join("ok.csv"),
        "address,date,status\na@x.org,2025-01-01,full\n",
    )
    .unwrap();
    fails(
        d,
        &[
            "checkin",
            "import",
            "--db",
            &db,
            "--coalition",
            "dc-x",
            "ok.csv",
        ],
        "no coalition 'dc-x' in the database (known: dc-scenario)",
    );
    std::fs::write(d.join("roster.csv"), "a@x.org\n").unwrap();
    fails(
        d,
        &[
            "roster",
            "import",
            "--db",
            &db,
            "--coalition",
            "dc-x",
            "roster.csv",
        ],
        "no coalition 'dc-x' in the database (known: dc-scenario)",
    );
    assert_eq!(rows(d, "checkins"), 0);

    std::fs::write(d.join("aliases.txt"), "a@x.org b@x.org\nnot-an-address\n").unwrap();
    fails(
        d,
        &[
            "classify",
            "--db",
            &db,
            "--coalition",
            SLUG,
            "--aliases",
            "aliases.txt",
        ],
        "aliases.txt:2: 'not-an-address' is not an address",
    );
}

#[test]
fn roster_import_says_which_format_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = db_with_coalition(d);
    let r = scenario("roster-2024-01-01.txt");
    let out = listpulse(d)
        .args([
            "roster",
            "import",
            "--db",
            &db,
            "--coalition",
            SLUG,
            "--date",
            "2024-01-01",
        ])
        .arg(&r)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("read as name <address> lines, 3 members"),
        "{stderr}"
    );
    // The same file again, quietly: nothing added, nothing said.
    listpulse(d)
        .args([
            "roster",
            "import",
            "--db",
            &db,
            "--coalition",
            SLUG,
            "--date",
            "2024-01-01",
            "-q",
        ])
        .arg(&r)
        .assert()
        .success()
        .stderr("");
    assert_eq!(rows(d, "roster_snapshots"), 1);
}

/// Ingests a corpus folder in release-like fashion and prints class counts
/// as of 2026-07-15 (recorded in the final report; timings from a release build).
fn corpus_counts(folder: &str) {
    let path = corpus(folder);
    let dir = tempfile::tempdir().unwrap();
    ingest(dir.path(), "c.db", &[path]);
    let start = std::time::Instant::now();
    let out = listpulse(dir.path())
        .args([
            "classify",
            "--db",
            "c.db",
            "--coalition",
            SLUG,
            "--as-of",
            "2026-07-15",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!(
        "{folder} as of 2026-07-15: {} ({:?})",
        json["counts"],
        start.elapsed()
    );
    assert!(json["members"].as_array().is_some_and(|m| !m.is_empty()));
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn classify_r_announce_corpus() {
    corpus_counts("r-announce");
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn classify_r_devel_corpus() {
    corpus_counts("r-devel");
}
