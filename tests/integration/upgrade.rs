//! Upgrade: a database written by the first released schema (version 1) is
//! upgraded in place by the current binary with nothing lost.

use rusqlite::Connection;

use crate::util::{fixture, listpulse};

fn counts(db: &std::path::Path) -> Vec<(String, i64)> {
    let conn = Connection::open(db).unwrap();
    [
        "coalitions",
        "lists",
        "sources",
        "messages",
        "addresses",
        "roster_snapshots",
        "roster_entries",
        "checkins",
    ]
    .iter()
    .map(|t| {
        let n: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap();
        (t.to_string(), n)
    })
    .collect()
}

#[test]
fn a_version_1_database_is_upgraded_in_place_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("field.db");
    std::fs::copy(fixture("upgrade/schema-v1.db"), &db).unwrap();
    let version = |db: &std::path::Path| -> i64 {
        Connection::open(db)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(version(&db), 1, "the fixture must stay at schema version 1");
    let before = counts(&db);
    assert_eq!(before.iter().find(|(t, _)| t == "messages").unwrap().1, 15);

    // Any command opens the store and migrates it; classify also proves the
    // data still means what it meant.
    let scenario = fixture("scenario");
    let out = listpulse(dir.path())
        .args(["classify", "--db"])
        .arg(&db)
        .args([
            "--coalition",
            "dc-scenario",
            "--as-of",
            "2025-06-23",
            "--checkin-subject",
            "Annual check-in 2025",
            "--format",
            "csv",
            "--aliases",
        ])
        .arg(scenario.join("aliases.txt"))
        .assert()
        .success();
    let expected = std::fs::read_to_string(scenario.join("members.csv")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.get_output().stdout), expected);

    assert_eq!(version(&db), listpulse::store::SCHEMA_VERSION);
    assert_eq!(
        counts(&db),
        before,
        "no row may be lost or added by the upgrade"
    );
    let conn = Connection::open(&db).unwrap();
    let malformed: i64 = conn
        .query_row("SELECT sum(malformed) FROM sources", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        malformed, 0,
        "files ingested before 0002 report no malformed messages"
    );
    drop(conn);

    // The upgraded database keeps working: re-ingesting adds nothing.
    let out = listpulse(dir.path())
        .args(["ingest", "--json", "--quiet", "--db"])
        .arg(&db)
        .args(["--coalition", "dc-scenario"])
        .arg(scenario.join("archives"))
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(summary["messages_new"], 0, "{summary}");
    assert_eq!(counts(&db)[3], before[3]);
}
