//! Membership as a coordinator meets it (#8): roster snapshots dated by the
//! day they were taken, never by T; check-in files as the source of truth
//! for their rows; one bad input file failing only its own coalition; and
//! r-announce with a roster of real people built at test time from the
//! addresses its archive shows (nothing personal is committed).

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::util::{corpus, fixture, listpulse};

/// Runs `listpulse` in `dir` and returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = listpulse(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "listpulse {args:?}: {err}");
    out
}

/// A one-coalition configuration over the scenario's archives.
fn config(dir: &Path, coalition_extra: &str) -> String {
    let text = format!(
        "database = \"db.sqlite\"\noutput = \"out\"\n\n[[coalition]]\nslug = \"dc\"\narchives = [{:?}]\ncheckin_subject = \"Annual check-in 2025\"\n{coalition_extra}",
        fixture("scenario/archives").display().to_string()
    );
    fs::write(dir.join("lp.toml"), text).unwrap();
    "lp.toml".to_string()
}

#[test]
fn run_as_of_a_past_day_dates_the_roster_snapshot_by_today_never_by_t() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("roster.csv"), "address,name\nann@example.org,Ann\n").unwrap();
    let cfg = config(d, "roster = \"roster.csv\"\n");
    ok(d, &["run", "--config", &cfg, "--as-of", "2020-01-01"]);
    let today = chrono::Utc::now().date_naive().to_string();
    let list = ok(
        d,
        &["roster", "list", "--config", &cfg, "--coalition", "dc"],
    );
    assert!(list.contains(&today), "{list}");
    assert!(!list.contains("2020-01-01"), "{list}");
    // At T = 2020-01-01 that snapshot does not exist yet: no roster at T.
    let json: Value = serde_json::from_str(&ok(
        d,
        &[
            "classify",
            "--config",
            &cfg,
            "--coalition",
            "dc",
            "--as-of",
            "2020-01-01",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(json["has_roster"], false);
    // The same file again on a later run is not a new snapshot.
    ok(d, &["run", "--config", &cfg]);
    let again = ok(
        d,
        &["roster", "list", "--config", &cfg, "--coalition", "dc"],
    );
    assert_eq!(again.lines().count(), 2, "{again}");
}

#[test]
fn dated_roster_files_are_snapshots_of_their_days_and_can_be_listed_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("r2023.csv"), "ann@example.org\nbob@example.net\n").unwrap();
    fs::write(
        d.join("r2024.csv"),
        "address,name\nann@example.org,\"Ann\nExample\"\n",
    )
    .unwrap();
    let cfg = config(
        d,
        "rosters = [\n  { path = \"r2023.csv\", date = \"2023-06-01\" },\n  { path = \"r2024.csv\", date = \"2024-06-01\" },\n]\n",
    );
    ok(d, &["run", "--config", &cfg, "--as-of", "2025-06-23"]);
    let list = ok(
        d,
        &["roster", "list", "--config", &cfg, "--coalition", "dc"],
    );
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(
        lines[1].starts_with("2023-06-01       2  one address a line"),
        "{list}"
    );
    assert!(
        lines[2].starts_with("2024-06-01       1  csv with header"),
        "{list}"
    );
    // The multi-line quoted name arrived whole.
    let json: Value = serde_json::from_str(&ok(
        d,
        &[
            "classify",
            "--config",
            &cfg,
            "--coalition",
            "dc",
            "--as-of",
            "2025-06-23",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    let ann = json["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ann@example.org")
        .unwrap();
    assert_eq!(ann["person"], "Ann\nExample");
    // Dropping a snapshot: gone from the list; dropping it again names the days left.
    ok(
        d,
        &[
            "roster",
            "drop",
            "--config",
            &cfg,
            "--coalition",
            "dc",
            "--date",
            "2024-06-01",
        ],
    );
    let (code, _, err) = run(
        d,
        &[
            "roster",
            "drop",
            "--config",
            &cfg,
            "--coalition",
            "dc",
            "--date",
            "2024-06-01",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err.trim_end(),
        "listpulse: 'dc' has no roster snapshot dated 2024-06-01 (snapshots: 2023-06-01)"
    );
}

#[test]
fn a_corrected_or_deleted_check_in_row_takes_effect_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("roster.csv"), "bob@example.net\nzed@example.org\n").unwrap();
    let answers = "address,date,status\nbob@example.net,2025-03-01,observer\nzed@example.org,2025-03-02,leave\n";
    fs::write(d.join("answers.csv"), answers).unwrap();
    let cfg = config(
        d,
        "roster = \"roster.csv\"\nroster_date = \"2025-01-01\"\ncheckins = \"answers.csv\"\n",
    );
    let status = |d: &Path| -> Vec<(String, String)> {
        let json: Value = serde_json::from_str(&ok(
            d,
            &[
                "classify",
                "--config",
                "lp.toml",
                "--coalition",
                "dc",
                "--as-of",
                "2025-06-23",
                "--format",
                "json",
            ],
        ))
        .unwrap();
        let mut v: Vec<(String, String)> = json["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["on_roster"] == true)
            .map(|m| {
                (
                    m["email"].as_str().unwrap().to_string(),
                    m["checkin_status"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    ok(d, &["run", "--config", &cfg, "--as-of", "2025-06-23"]);
    // zed@ asked to leave: not a member; bob@ is an observer.
    assert_eq!(status(d), [("bob@example.net".into(), "observer".into())]);
    // The coordinator corrects bob@'s row and deletes zed@'s.
    fs::write(
        d.join("answers.csv"),
        "address,date,status\nbob@example.net,2025-03-01,full\n",
    )
    .unwrap();
    ok(d, &["run", "--config", &cfg, "--as-of", "2025-06-23"]);
    assert_eq!(
        status(d),
        [
            ("bob@example.net".into(), "full".into()),
            ("zed@example.org".into(), "".into())
        ]
    );
}

#[test]
fn a_bad_aliases_roster_or_check_in_file_fails_only_its_own_coalition() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let archives = fixture("scenario/archives").display().to_string();
    fs::write(d.join("bad-aliases.txt"), "a@x.org, not-an-address\n").unwrap();
    fs::write(d.join("bad-roster.csv"), "address,date,status\n").unwrap();
    fs::write(
        d.join("bad-checkins.csv"),
        "address,date,status\na@x.org,soon,full\n",
    )
    .unwrap();
    let text = format!(
        "database = \"db.sqlite\"\noutput = \"out\"\nas_of = \"2025-06-23\"\n\
         [[coalition]]\nslug = \"good\"\narchives = [{archives:?}]\n\
         [[coalition]]\nslug = \"bad-aliases\"\narchives = [{archives:?}]\naliases = \"bad-aliases.txt\"\n\
         [[coalition]]\nslug = \"bad-roster\"\narchives = [{archives:?}]\nroster = \"bad-roster.csv\"\n\
         [[coalition]]\nslug = \"bad-checkins\"\narchives = [{archives:?}]\ncheckins = \"bad-checkins.csv\"\n"
    );
    fs::write(d.join("lp.toml"), text).unwrap();
    let (code, out, err) = run(d, &["run", "--config", "lp.toml"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "one line per bad file: {err}");
    assert!(lines[0].contains("bad-aliases.txt:1: 'not-an-address' is not an address (an aliases file has no header: one person a line, their addresses separated by commas); the reports of 'bad-aliases' were not updated"), "{err}");
    assert!(
        lines[1].contains("bad-roster.csv:1: this looks like a check-in file"),
        "{err}"
    );
    assert!(
        lines[2].contains("bad-checkins.csv:2: date 'soon' is not a date"),
        "{err}"
    );
    assert!(d.join("out/good/members.csv").is_file());
    for slug in ["bad-aliases", "bad-roster", "bad-checkins"] {
        assert!(!d.join("out").join(slug).exists(), "{slug} was reported");
    }
}

/// The roster rows `(address, name)` of a JSON member or former row: its
/// real addresses, with its name.
fn real_addresses(row: &Value) -> Vec<(String, String)> {
    row["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .filter(|a| !a.contains(' '))
        .map(|a| (a, row["person"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn r_announce_with_a_roster_of_its_own_real_people() {
    let archive = corpus("r-announce");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = "ra.db";
    ok(
        d,
        &[
            "ingest",
            "--db",
            db,
            "--coalition",
            "r-announce",
            "--quiet",
            archive.to_str().unwrap(),
        ],
    );
    let classify = |extra: &[&str]| -> Value {
        let mut args = vec![
            "classify",
            "--db",
            db,
            "--coalition",
            "r-announce",
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(d, &args)).unwrap()
    };
    let former = |extra: &[&str]| -> Value {
        let mut args = vec![
            "classify",
            "--db",
            db,
            "--coalition",
            "r-announce",
            "--as-of",
            "2026-06-30",
            "--format",
            "json",
            "--former",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(d, &args)).unwrap()
    };

    // Without a roster: only the last five years' posters are members.
    let before = classify(&[]);
    let members = before["members"].as_array().unwrap();
    let gone = former(&[]);
    let gone = gone["former"].as_array().unwrap();
    assert!(members.len() < 20, "{} members", members.len());
    assert!(gone.len() > 100, "{} former", gone.len());
    // A scrambled key finds its person through the archive's own earlier,
    // real posts: the people active in the last year include one whose
    // 2019-style keys sit beside real addresses.
    let active: Vec<&Value> = members.iter().filter(|m| m["class"] == "active").collect();
    assert!(!active.is_empty());
    assert!(
        active.iter().any(|m| {
            let a: Vec<&str> = m["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap())
                .collect();
            a.iter().any(|a| a.contains(" @end|ng |rom ")) && a.iter().any(|a| !a.contains(' '))
        }),
        "{active:?}"
    );

    // The coordinator reads the suggestions and joins the persons sharing a
    // name in the aliases file, then writes a roster: everyone active now
    // with a real address, and the eight who have been silent longest.
    let mut aliases = String::new();
    for s in before["duplicate_suggestions"].as_array().unwrap() {
        if s["evidence"] == "name" {
            let line: Vec<String> = s["persons"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["addresses"].as_array().unwrap().clone())
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            aliases.push_str(&line.join(", "));
            aliases.push('\n');
        }
    }
    fs::write(d.join("aliases.txt"), &aliases).unwrap();
    let mut roster: Vec<(String, String)> = Vec::new();
    for m in &active {
        roster.extend(real_addresses(m));
    }
    let mut silent: Vec<&Value> = gone
        .iter()
        .filter(|f| !real_addresses(f).is_empty())
        .collect();
    silent.sort_by_key(|f| f["last_sign_of_life"].as_str().unwrap_or("").to_string());
    let silent: Vec<&Value> = silent.into_iter().take(8).collect();
    for f in &silent {
        roster.extend(real_addresses(f).into_iter().take(1));
    }
    let mut csv = String::from("address,name\n");
    for (a, n) in &roster {
        csv.push_str(&format!("{a},\"{}\"\n", n.replace('"', "\"\"")));
    }
    fs::write(d.join("roster.csv"), &csv).unwrap();
    ok(
        d,
        &[
            "roster",
            "import",
            "--db",
            db,
            "--coalition",
            "r-announce",
            "--date",
            "2026-01-01",
            "-q",
            "roster.csv",
        ],
    );

    let after = classify(&["--aliases", "aliases.txt"]);
    assert_eq!(after["has_roster"], true);
    let rows = after["members"].as_array().unwrap();
    let t = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    for m in rows {
        let last = m["last_sign_of_life"]
            .as_str()
            .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
        if m["on_roster"] == false {
            // No one off the roster silent for D (730 days) or more is a member.
            let days = (t - last.unwrap()).num_days();
            assert!(days < 730, "{m}");
            assert_ne!(m["class"], "dormant", "{m}");
        }
    }
    // Those who posted in the last year are active under their names, with
    // their scrambled keys among their addresses.
    for m in &active {
        let email = real_addresses(m).first().map(|(a, _)| a.clone());
        let Some(email) = email else { continue };
        let row = rows
            .iter()
            .find(|r| {
                r["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == email.as_str())
            })
            .unwrap();
        assert_eq!(row["class"], "active", "{row}");
        assert_eq!(row["on_roster"], true, "{row}");
        assert!(
            row["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a.as_str().unwrap().contains(" @end|ng |rom ")),
            "{row}"
        );
        assert!(!row["person"].as_str().unwrap().contains('@'), "{row}");
    }
    // The roster's long-silent people are dormant members now, not former.
    for f in &silent {
        let (email, _) = real_addresses(f)[0].clone();
        let row = rows
            .iter()
            .find(|r| {
                r["addresses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == email.as_str())
            })
            .unwrap_or_else(|| panic!("{email} is on the roster but no member"));
        assert_eq!(row["class"], "dormant", "{row}");
    }

    // contacts.csv from a full run holds only dormant roster members.
    fs::write(
        d.join("lp.toml"),
        "database = \"ra.db\"\noutput = \"out\"\nas_of = \"2026-06-30\"\n[[coalition]]\nslug = \"r-announce\"\naliases = \"aliases.txt\"\n",
    )
    .unwrap();
    ok(d, &["run", "--config", "lp.toml"]);
    let contacts = fs::read_to_string(d.join("out/r-announce/contacts.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(contacts.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        [
            "email",
            "name",
            "addresses",
            "last_sign_of_life",
            "reason",
            "on_roster",
            "round_status"
        ]
    );
    let mut n = 0;
    for record in reader.records() {
        let record = record.unwrap();
        assert_eq!(&record[5], "true", "{record:?}");
        assert!(record[4].starts_with("dormant: "), "{record:?}");
        n += 1;
    }
    assert_eq!(n, silent.len(), "{contacts}");
}
