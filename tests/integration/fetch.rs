//! Fetching from list servers (issue #11), against a real HTTP server on
//! loopback (`http_server.rs`) serving a pipermail tree made at test time
//! from `../shared/corpus/r-announce`, and against a real Mailman 3 core
//! started by `.ci/run` (`.ci/mailman3.sh`).
//!
//! Tests that need the corpus or the Mailman 3 core are `#[ignore]`d with
//! the reason, and fail (never pass quietly) when run without it: CI runs
//! them with `--include-ignored`.

use std::path::{Path, PathBuf};

use chrono::Datelike;

use crate::http_server::{Guard, Resource, Server, Site};
use crate::util::{corpus, listpulse};

/// One period of the served archive.
struct Period {
    label: String,
    text: Vec<u8>,
}

/// r-announce's yearly files, relabelled so the newest is this year: the
/// content (and so every count) is the corpus's, while "current" and
/// "previous" period stay meaningful whatever year the test runs in.
fn r_announce_periods() -> Vec<Period> {
    let dir = corpus("r-announce");
    let mut years: Vec<(i32, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let path = e.unwrap().path();
            let year = path.file_stem()?.to_str()?.parse().ok()?;
            (path.extension()? == "txt").then_some((year, path))
        })
        .collect();
    years.sort();
    assert_eq!(years.len(), 30, "r-announce has 30 yearly files");
    let shift = chrono::Utc::now().year() - years.last().unwrap().0;
    years
        .into_iter()
        .map(|(year, path)| Period {
            label: (year + shift).to_string(),
            text: std::fs::read(path).unwrap(),
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bytes).unwrap();
    gz.finish().unwrap()
}

/// The index page as Mailman 2.1 writes it (`archtoc.html` with one
/// `archtocentry.html` row per period, newest first), linking each
/// period's `.txt.gz` or, with `gz` false, its `.txt`.
fn index_page(periods: &[Period], gz: bool) -> String {
    let mut rows = String::new();
    for p in periods.iter().rev() {
        let (file, kind) = if gz {
            (format!("{}.txt.gz", p.label), "Gzip'd Text")
        } else {
            (format!("{}.txt", p.label), "Text")
        };
        rows.push_str(&format!(
            r##"
	    <tr>
            <td>{label}:</td>
            <td>
              <A href="{label}/thread.html">[ Thread ]</a>
              <A href="{label}/subject.html">[ Subject ]</a>
              <A href="{label}/author.html">[ Author ]</a>
              <A href="{label}/date.html">[ Date ]</a>
            </td>
            <td><A href="{file}">[ {kind} {kb} KB ]</a></td>
            </tr>
"##,
            label = p.label,
            kb = p.text.len() / 1024
        ));
    }
    format!(
        r##"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML>
  <HEAD>
     <title>The R-announce Archives</title>
     <META NAME="robots" CONTENT="noindex,follow">
     <META http-equiv="Content-Type" content="text/html; charset=us-ascii">
  </HEAD>
  <BODY BGCOLOR="#ffffff">
     <h1>The R-announce Archives </h1>
     <p>
      You can get <a href="/mailman/listinfo/r-announce">more information about this list</a>
      or you can <a href="r-announce.mbox/r-announce.mbox">download the full raw archive</a>
      (2 MB).
     </p>
     	<table border=3>
          <tr><td>Archive</td>
          <td>View by:</td>
          <td>Downloadable version</td></tr>
{rows}
     	</table>
     </BODY>
     </HTML>
"##
    )
}

/// A pipermail tree under `prefix`: the index, every `.txt`, and (with
/// `gz`) every `.txt.gz`.
fn pipermail_site(prefix: &str, periods: &[Period], gz: bool) -> Site {
    let mut site = Site::default();
    site.resources.insert(
        prefix.to_string(),
        Resource::file(index_page(periods, gz).into_bytes(), "text/html"),
    );
    for p in periods {
        site.resources.insert(
            format!("{prefix}{}.txt", p.label),
            Resource::file(p.text.clone(), "text/plain"),
        );
        if gz {
            site.resources.insert(
                format!("{prefix}{}.txt.gz", p.label),
                Resource::file(gzip(&p.text), "application/x-gzip"),
            );
        }
    }
    site
}

/// A configuration for one coalition with `archives` and extra keys.
fn write_config(dir: &Path, archives: &[String], extra: &str) -> PathBuf {
    let list: Vec<String> = archives.iter().map(|a| format!("\"{a}\"")).collect();
    let text = format!(
        "database = \"lp.db\"\noutput = \"out\"\narchive_cache = \"cache\"\nstale_after = \"100y\"\n\n[[coalition]]\nslug = \"r-announce\"\narchives = [{}]\n{extra}",
        list.join(", ")
    );
    let path = dir.join("lp.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `(messages seen, messages kept)` in the database: every message read
/// from every file, and the distinct ones stored.
fn counts(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let seen: i64 = conn
        .query_row(
            "SELECT COALESCE(SUM(messages + malformed), 0) FROM sources",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let kept: i64 = conn
        .query_row("SELECT COUNT(*) FROM messages", [], |r| r.get(0))
        .unwrap();
    (seen, kept)
}

/// Runs `listpulse run` in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = listpulse(dir);
    cmd.args(["run", "--config", "lp.toml"]);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_pipermail_archive_is_fetched_then_only_its_newest_periods_are_asked_again() {
    let periods = r_announce_periods();
    let prefix = "/pipermail/r-announce/";
    let server = Server::start(pipermail_site(prefix, &periods, true));
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(prefix)], "");

    // The local ingest of the same files, for the counts to match.
    let local = listpulse(tmp.path())
        .args([
            "ingest",
            "--db",
            "local.db",
            "--coalition",
            "x",
            "--json",
            "--quiet",
        ])
        .arg(corpus("r-announce"))
        .output()
        .unwrap();
    let local: serde_json::Value = serde_json::from_slice(&local.stdout).unwrap();
    assert_eq!(
        (
            local["messages_seen"].as_i64(),
            local["messages_new"].as_i64()
        ),
        (Some(699), Some(684))
    );

    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    assert_eq!(counts(&tmp.path().join("lp.db")), (699, 684));
    let first = server.log();
    assert_eq!(first.len(), 1 + periods.len(), "{first:#?}");
    assert!(
        first
            .iter()
            .all(|r| r.method == "GET" && r.status == 200 && !r.conditional())
    );
    assert!(
        first
            .iter()
            .all(|r| r.user_agent.as_deref()
                == Some(concat!("listpulse/", env!("CARGO_PKG_VERSION"))))
    );
    // The current period comes as .txt (its .txt.gz lags a day), the others as .txt.gz.
    let current = &periods.last().unwrap().label;
    let files: Vec<&str> = first[1..]
        .iter()
        .map(|r| r.target.rsplit('/').next().unwrap())
        .collect();
    for (p, file) in periods.iter().zip(&files) {
        let want = if &p.label == current {
            format!("{}.txt", p.label)
        } else {
            format!("{}.txt.gz", p.label)
        };
        assert_eq!(*file, want);
    }
    let downloaded: usize = first.iter().map(|r| r.bytes).sum();
    eprintln!("first run: {} requests, {downloaded} bytes", first.len());

    // Second run: conditional requests for the index, the current and the
    // previous period, each answered 304; nothing else, no body at all.
    server.clear_log();
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    let second = server.log();
    let previous = &periods[periods.len() - 2].label;
    let asked: Vec<(String, bool, u16)> = second
        .iter()
        .map(|r| (r.target.clone(), r.conditional(), r.status))
        .collect();
    assert_eq!(
        asked,
        vec![
            (prefix.to_string(), true, 304),
            (format!("{prefix}{previous}.txt.gz"), true, 304),
            (format!("{prefix}{current}.txt"), true, 304),
        ]
    );
    eprintln!(
        "second run: {} requests, {} bytes",
        second.len(),
        second.iter().map(|r| r.bytes).sum::<usize>()
    );
    assert_eq!(second.iter().map(|r| r.bytes).sum::<usize>(), 0);
    assert_eq!(counts(&tmp.path().join("lp.db")), (699, 684));

    // --refetch asks for everything again, unconditionally.
    server.clear_log();
    let out = listpulse(tmp.path())
        .args(["fetch", "--config", "lp.toml", "--refetch", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refetched = server.log();
    assert_eq!(refetched.len(), 1 + periods.len());
    assert!(
        refetched
            .iter()
            .all(|r| !r.conditional() && r.status == 200)
    );
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn an_index_listing_only_txt_files_is_fetched_without_asking_for_gzip() {
    let periods = r_announce_periods();
    let prefix = "/pipermail/r-announce/";
    let server = Server::start(pipermail_site(prefix, &periods, false));
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(prefix)], "");
    let (code, _, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(counts(&tmp.path().join("lp.db")), (699, 684));
    let log = server.log();
    assert_eq!(log.len(), 1 + periods.len());
    assert!(
        log.iter()
            .all(|r| r.status == 200 && !r.target.ends_with(".gz"))
    );
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_server_stopped_mid_transfer_leaves_no_partial_file_and_the_cache_is_reported() {
    let periods = r_announce_periods();
    let prefix = "/pipermail/r-announce/";
    let mut site = pipermail_site(prefix, &periods, true);
    // Cut the 15th period half-way, then stop listening.
    let victim = format!("{prefix}{}.txt.gz", periods[14].label);
    let half = site.resources[&victim].body.len() / 2;
    site.cut = Some((victim.clone(), half));
    let mut server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(prefix)], "");
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    server.join();
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("listpulse: coalition 'r-announce': ")
            && lines[0].contains(&server.url(&victim)),
        "{stderr}"
    );
    // Nothing half-written: the 14 periods before it, whole, and no temporaries.
    let cached = files_under(&tmp.path().join("cache"));
    let names: Vec<String> = cached
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".") || n.ends_with(".part"))
        .collect();
    let want: Vec<String> = periods[..14]
        .iter()
        .map(|p| format!("{}.txt.gz", p.label))
        .collect();
    assert_eq!(names, want);
    // The coalition is reported from what is cached.
    let (seen, kept) = counts(&tmp.path().join("lp.db"));
    assert!(kept > 0 && kept < 684 && seen >= kept, "{seen}/{kept}");
    let summary = std::fs::read_to_string(tmp.path().join("out/r-announce/summary.json")).unwrap();
    assert!(summary.contains("\"as_of\""));

    // --offline leaves the (stopped) server alone and reports the cache.
    let out = listpulse(tmp.path())
        .args(["run", "--config", "lp.toml", "--offline"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    assert_eq!(counts(&tmp.path().join("lp.db")), (seen, kept));
}

#[test]
#[ignore = "needs ../shared/corpus"]
fn a_private_archive_logs_in_by_form_and_a_wrong_password_is_named() {
    let periods = r_announce_periods();
    let prefix = "/mailman/private/r-announce/";
    let secret = "correct-horse-7Qz";
    let mut site = pipermail_site(prefix, &periods, true);
    site.guards.push((
        prefix.to_string(),
        Guard::Archive {
            user: "ana@example.org".into(),
            password: secret.into(),
        },
    ));
    let server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    let extra =
        "archive_user = \"ana@example.org\"\narchive_password_env = \"LP_TEST_ARCHIVE_PW\"\n";
    write_config(tmp.path(), &[server.url(prefix)], extra);

    let wrong = "wrong-battery-9Xk";
    let (code, stdout, stderr) = run(tmp.path(), &[("LP_TEST_ARCHIVE_PW", wrong)]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "listpulse: coalition 'r-announce': {}: this archive needs a password: the server refused the password of archive_user; set the subscriber's password in archive_password_env LP_TEST_ARCHIVE_PW\n",
            server.url(prefix)
        )
    );
    let posted: Vec<Vec<String>> = server
        .log()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.form_fields.clone())
        .collect();
    assert_eq!(posted, vec![vec!["username", "password", "submit"]]);

    // Without a password configured, the message says what to set.
    let tmp2 = tempfile::tempdir().unwrap();
    write_config(tmp2.path(), &[server.url(prefix)], "");
    let (code, _, stderr) = run(tmp2.path(), &[]);
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with("this archive needs a password: set archive_user and archive_password_env (or archive_password_file)\n"),
        "{stderr}"
    );

    // The right password opens it; it never appears anywhere.
    let (code, stdout, stderr) = run(tmp.path(), &[("LP_TEST_ARCHIVE_PW", secret)]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(counts(&tmp.path().join("lp.db")), (699, 684));
    for text in [&stdout, &stderr] {
        assert!(!text.contains(secret) && !text.contains(wrong));
    }
    assert_no_secret_in_files(tmp.path(), &[secret, wrong]);
}

/// Fails when any file under `dir` (database, WAL, cache, reports) holds
/// one of `secrets`.
fn assert_no_secret_in_files(dir: &Path, secrets: &[&str]) {
    let files = files_under(dir);
    assert!(files.iter().any(|f| f.ends_with("lp.db")));
    assert!(files.iter().any(|f| f.ends_with("summary.json")));
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        for s in secrets {
            assert!(
                memchr::memmem::find(&bytes, s.as_bytes()).is_none(),
                "{} holds a password",
                file.display()
            );
        }
    }
    // And the database's rows, as text, in case a page held it compressed.
    let conn = rusqlite::Connection::open(dir.join("lp.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(rusqlite::types::ValueRef::Text(t)) = row.get_ref(i) {
                    let t = String::from_utf8_lossy(t);
                    for s in secrets {
                        assert!(!t.contains(s), "table {table} holds a password");
                    }
                }
            }
        }
    }
}

/// One Mailman 2.1 membership row (`admin.py` `membership_options`).
fn member_row(address: &str, name: &str) -> String {
    let q = address.replace('@', "%40");
    format!(
        r##"<tr><td><center><INPUT name="{q}_unsub" type="CHECKBOX" value="off" ></center></td>
<td><a href="../../options/dc/{opt}">{address}</a><br><INPUT name="{q}_realname" type="TEXT" value="{name}" size="24" ><INPUT name="user" type="HIDDEN" value="{q}" ></td>
<td><center><INPUT name="{q}_mod" type="CHECKBOX" value="off" ></center></td></tr>
"##,
        opt = address.replace('@', "--at--")
    )
}

fn members_page(rows: &[(&str, &str)], links: &[&str]) -> Vec<u8> {
    let body: String = rows.iter().map(|(a, n)| member_row(a, n)).collect();
    let links: String = links
        .iter()
        .map(|l| format!("<a href=\"{l}\">[{l}]</a> "))
        .collect();
    format!(
        "<html><head><title>Dc Administration (Membership Management)</title></head><body>\n<FORM action=\"http://x/mailman/admin/dc/members\" method=\"POST\">\n<center>{links}</center><table>{body}</table></FORM></body></html>\n"
    )
    .into_bytes()
}

#[test]
fn a_mailman_2_roster_is_read_from_every_letter_and_chunk_of_the_admin_pages() {
    let mut site = Site::default();
    let base = "/mailman/admin/dc";
    site.resources.insert(
        format!("{base}/members"),
        Resource::file(
            members_page(
                &[("ana@example.org", "Ana Lima")],
                &["members?letter=a", "members?letter=b"],
            ),
            "text/html",
        ),
    );
    site.resources.insert(
        format!("{base}/members?letter=a"),
        Resource::file(
            members_page(
                &[("ana@example.org", "Ana Lima")],
                &["members?letter=a&chunk=1"],
            ),
            "text/html",
        ),
    );
    site.resources.insert(
        format!("{base}/members?letter=a&chunk=1"),
        Resource::file(members_page(&[("avi@example.net", "")], &[]), "text/html"),
    );
    site.resources.insert(
        format!("{base}/members?letter=b"),
        Resource::file(
            members_page(&[("bo@example.com", "Bo, Chen")], &[]),
            "text/html",
        ),
    );
    site.resources.insert(
        format!("{base}/general"),
        Resource::file(
            b"<html><body><textarea NAME=owner rows=3>owner@example.org</textarea>\n<textarea NAME=moderator>mod@example.org\nmod2@example.org</textarea></body></html>".to_vec(),
            "text/html",
        ),
    );
    let admin_pw = "adm-Secret-42";
    site.guards.push((
        format!("{base}/"),
        Guard::Admin {
            password: admin_pw.into(),
        },
    ));
    let server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    // The password file lives apart, so every file under `tmp` can be
    // searched for the password afterwards.
    let secrets = tempfile::tempdir().unwrap();
    let pw_file = secrets.path().join("admin.pw");
    std::fs::write(&pw_file, format!("{admin_pw}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let extra = format!(
        "roster = \"{}\"\nroster_password_file = \"{}\"\n",
        server.url(base),
        pw_file.display()
    );
    write_config(tmp.path(), &[], &extra);
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));

    let day = chrono::Utc::now().date_naive().to_string();
    let dir = tmp.path().join("cache/r-announce/roster").join(&day);
    assert_eq!(
        std::fs::read_to_string(dir.join("roster.csv")).unwrap(),
        "address,name\nana@example.org,Ana Lima\navi@example.net,\nbo@example.com,\"Bo, Chen\"\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("roles.csv")).unwrap(),
        "address,name,role\nmod2@example.org,,moderator\nmod@example.org,,moderator\nowner@example.org,,owner\n"
    );
    let conn = rusqlite::Connection::open(tmp.path().join("lp.db")).unwrap();
    let (taken_on, rows): (String, i64) = conn
        .query_row(
            "SELECT s.taken_on, COUNT(*) FROM roster_snapshots s JOIN roster_entries e ON e.snapshot_id = s.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((taken_on, rows), (day, 3));
    assert_no_secret_in_files(tmp.path(), &[admin_pw]);

    // A password file others can read is refused, naming the file only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (code, _, stderr) = run(tmp.path(), &[]);
        assert_eq!(code, 1);
        assert_eq!(
            stderr,
            format!(
                "listpulse: coalition 'r-announce': {}: password file readable by group or others: run `chmod 600` on it\n",
                pw_file.display()
            )
        );
        assert!(!stderr.contains(admin_pw));
    }
}

/// The Mailman 3 core `.ci/mailman3.sh` started, from the variables it set.
fn mailman3() -> (String, String) {
    let url = std::env::var("MAILMAN3_REST_URL").expect(
        "MAILMAN3_REST_URL is not set: start the core with `.ci/mailman3.sh start` and source its env file",
    );
    let user = std::env::var("MAILMAN3_REST_USER").expect("MAILMAN3_REST_USER is not set");
    assert!(
        std::env::var("MAILMAN3_REST_PASSWORD").is_ok_and(|p| !p.is_empty()),
        "MAILMAN3_REST_PASSWORD is not set"
    );
    (url, user)
}

#[test]
#[ignore = "needs a Mailman 3 core (started by .ci/run)"]
fn a_mailman3_roster_arrives_from_a_real_core_with_names_and_roles() {
    let (url, user) = mailman3();
    let password = std::env::var("MAILMAN3_REST_PASSWORD").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let extra = format!(
        "roster = \"{url}\"\nroster_user = \"{user}\"\nroster_password_env = \"LP_TEST_ROSTER_PW\"\n"
    );
    write_config(tmp.path(), &[], &extra);
    let (code, stdout, stderr) = run(tmp.path(), &[("LP_TEST_ROSTER_PW", &password)]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));

    let day = chrono::Utc::now().date_naive().to_string();
    let dir = tmp.path().join("cache/r-announce/roster").join(&day);
    // Members only, with their display names; the nonmember is not there.
    assert_eq!(
        std::fs::read_to_string(dir.join("roster.csv")).unwrap(),
        "address,name\nana.lima@example.org,Ana Lima\nbo.chen@example.net,Bo Chen\nchidi.okafor@example.com,\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("roles.csv")).unwrap(),
        "address,name,role\nmod@example.org,Mo Derator,moderator\nowner@example.org,Olga Owner,owner\n"
    );
    let conn = rusqlite::Connection::open(tmp.path().join("lp.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT s.taken_on, e.address, e.name FROM roster_snapshots s
             JOIN roster_entries e ON e.snapshot_id = s.id ORDER BY e.address",
        )
        .unwrap();
    let rows: Vec<(String, String, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want = vec![
        (
            day.clone(),
            "ana.lima@example.org".to_string(),
            Some("Ana Lima".to_string()),
        ),
        (
            day.clone(),
            "bo.chen@example.net".to_string(),
            Some("Bo Chen".to_string()),
        ),
        (day.clone(), "chidi.okafor@example.com".to_string(), None),
    ];
    assert_eq!(rows, want);
    assert_no_secret_in_files(tmp.path(), &[&password]);

    // A wrong password is a one-line error naming the URL, and the run goes on.
    let (code, _, stderr) = run(tmp.path(), &[("LP_TEST_ROSTER_PW", "not-the-password")]);
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{url}/roster/member: this roster needs a password"
        )),
        "{stderr}"
    );
}

#[test]
#[ignore = "needs a HyperKitty (started by .ci/run) and ../shared/corpus"]
fn a_hyperkitty_archive_is_fetched_month_by_month_from_a_real_hyperkitty() {
    let url = std::env::var("HYPERKITTY_LIST_URL").expect(
        "HYPERKITTY_LIST_URL is not set: start HyperKitty with `.ci/hyperkitty.sh start` and source its env file",
    );
    corpus("r-announce");
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), std::slice::from_ref(&url), "");
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    // .ci/hyperkitty.sh imported all of r-announce: HyperKitty keeps one
    // copy per Message-ID, so the export holds the 684 a local ingest keeps.
    let (seen, kept) = counts(&tmp.path().join("lp.db"));
    assert_eq!((seen, kept), (684, 684));
    let cached: Vec<String> = files_under(&tmp.path().join("cache"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let today = chrono::Utc::now().date_naive();
    let this_month = format!("{}.mbox.gz", today.format("%Y-%m"));
    assert!(
        cached.contains(&"1997-04.mbox.gz".to_string()),
        "{cached:?}"
    );
    assert!(cached.contains(&this_month), "{cached:?}");
    assert!(cached.iter().all(|n| n.ends_with(".mbox.gz")), "{cached:?}");

    // Again: only this month and the last are asked for (HyperKitty's
    // export carries no validators, so they come whole).
    let out = listpulse(tmp.path())
        .args(["fetch", "--config", "lp.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let months = cached.len();
    assert!(
        stderr.starts_with(&format!(
            "r-announce: {months} periods listed, {} cached and left alone; 2 downloaded, 0 not modified; 3 requests,",
            months - 2
        )),
        "{stderr}"
    );
}

/// An mbox entry as HyperKitty's `Email.as_bytes` writes it: envelope
/// `From <address> <asctime>`, From/To/Subject/Date/Message-ID, a
/// multipart/mixed body (`make_mixed`), `>From`-mangled.
fn hyperkitty_entry(n: u32, month: u32) -> String {
    format!(
        "From ana{n}@example.org Mon Jan  {d} 10:00:00 2024\nFrom: Ana {n} <ana{n}@example.org>\nTo: dc@example.org\nSubject: Post {n}\nDate: Mon, {d:02} {mon} 2024 10:00:00 +0000\nMessage-ID: <post-{n}@example.org>\nContent-Type: multipart/mixed; boundary=\"===============1{n}==\"\nMIME-Version: 1.0\n\n--===============1{n}==\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 7bit\n\nHello {n}.\n>From the list.\n\n--===============1{n}==--\n\n",
        d = n % 27 + 1,
        mon = ["Jan", "Feb", "Mar"][month as usize - 1]
    )
}

#[test]
fn a_hyperkitty_export_is_read_month_by_month_as_hyperkittys_urls_name_it() {
    let base = "/hyperkitty/list/dc@example.org/";
    let mut site = Site::default();
    let today = chrono::Utc::now().date_naive();
    // The month menu runs from the first post to today; the three 2024
    // months hold posts, the rest are empty exports.
    let mut menu = String::new();
    let mut month = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut months = Vec::new();
    while month <= today {
        months.push(month);
        menu.push_str(&format!(
            "<li><a class=\"dropdown-item\" href=\"{base}{}/{}/\">m</a></li>\n",
            month.year(),
            month.month()
        ));
        month = month.checked_add_months(chrono::Months::new(1)).unwrap();
    }
    site.resources.insert(
        base.to_string(),
        Resource::file(
            format!("<html><body><ul>{menu}</ul></body></html>").into_bytes(),
            "text/html",
        ),
    );
    for (i, start) in months.iter().enumerate() {
        let end = start.checked_add_months(chrono::Months::new(1)).unwrap();
        let body: String = if start.year() == 2024 && start.month() <= 3 {
            (0..4)
                .map(|n| hyperkitty_entry(i as u32 * 10 + n, start.month()))
                .collect()
        } else {
            String::new()
        };
        let target = format!(
            "{base}export/dc@example.org-{}.mbox.gz?start={}&end={}",
            start.format("%Y-%m"),
            start.format("%Y-%m-%d"),
            end.format("%Y-%m-%d")
        );
        site.resources.insert(
            target,
            Resource {
                body: gzip(body.as_bytes()),
                content_type: "application/gzip".into(),
                validators: None,
                chunked: true,
            },
        );
    }
    let server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(base)], "");
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
    assert_eq!(counts(&tmp.path().join("lp.db")), (12, 12));
    let log = server.log();
    assert_eq!(log.len(), 1 + months.len());
    assert!(log.iter().all(|r| r.status == 200), "{log:#?}");
}

#[test]
fn an_html_page_where_an_archive_was_expected_is_named_and_not_kept() {
    let periods = vec![
        Period {
            label: "2020-January".into(),
            text: b"From ana at example.org  Wed Jan  1 10:00:00 2020\nFrom: ana at example.org (Ana)\nDate: Wed, 01 Jan 2020 10:00:00 +0000\nSubject: hello\nMessage-ID: <a1@example.org>\n\nHello.\n\n".to_vec(),
        },
        Period {
            label: "2020-February".into(),
            text: b"From bo at example.org  Sat Feb  1 10:00:00 2020\nFrom: bo at example.org (Bo)\nDate: Sat, 01 Feb 2020 10:00:00 +0000\nSubject: hi\nMessage-ID: <b1@example.org>\n\nHi.\n\n".to_vec(),
        },
    ];
    let prefix = "/pipermail/dc/";
    let mut site = pipermail_site(prefix, &periods, true);
    let bad = format!("{prefix}2020-February.txt.gz");
    site.resources.insert(
        bad.clone(),
        Resource::file(
            b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>".to_vec(),
            "text/html",
        ),
    );
    let server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(prefix)], "");
    let (code, _, stderr) = run(tmp.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        format!(
            "listpulse: coalition 'r-announce': {}: an HTML page where an archive was expected; nothing kept\n",
            server.url(&bad)
        )
    );
    let cached: Vec<String> = files_under(&tmp.path().join("cache"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') || n.ends_with(".part"))
        .collect();
    assert_eq!(cached, vec!["2020-January.txt.gz"]);
    assert_eq!(counts(&tmp.path().join("lp.db")), (1, 1));
}

#[test]
fn a_server_asking_to_slow_down_is_waited_for() {
    let periods = vec![Period {
        label: "2021-March".into(),
        text: b"From ana at example.org  Mon Mar  1 10:00:00 2021\nFrom: ana at example.org (Ana)\nDate: Mon, 01 Mar 2021 10:00:00 +0000\nSubject: hello\nMessage-ID: <m1@example.org>\n\nHello.\n\n".to_vec(),
    }];
    let prefix = "/pipermail/dc/";
    let mut site = pipermail_site(prefix, &periods, true);
    let file = format!("{prefix}2021-March.txt.gz");
    site.busy.insert(file.clone(), 1);
    let server = Server::start(site);
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), &[server.url(prefix)], "");
    let (code, _, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let asked: Vec<(String, u16)> = server
        .log()
        .iter()
        .map(|r| (r.target.clone(), r.status))
        .collect();
    assert_eq!(
        asked,
        vec![(prefix.to_string(), 200), (file.clone(), 429), (file, 200)]
    );
    assert_eq!(counts(&tmp.path().join("lp.db")), (1, 1));
}

#[test]
fn a_server_that_cannot_be_reached_is_one_line_and_the_run_goes_on() {
    // A port nothing listens on: bound, then closed again.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/pipermail/dc/");
    let tmp = tempfile::tempdir().unwrap();
    write_config(tmp.path(), std::slice::from_ref(&url), "");
    let (code, stdout, stderr) = run(tmp.path(), &[]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with(&format!(
            "listpulse: coalition 'r-announce': {url}: cannot reach the server: "
        )),
        "{stderr}"
    );
    // The coalition is still reported (from an empty cache).
    assert!(tmp.path().join("out/r-announce/summary.json").is_file());
}
