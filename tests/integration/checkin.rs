//! The yearly check-in round end to end (#9), on `fixtures/round/`: the
//! lists `run` writes against the ones written by hand, `checkin status`,
//! `checkin record` and `checkin draft`, and a reply to a drafted call found
//! as the member's answer.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{fixture, listpulse};

/// The fixture copied into a temporary folder (it writes its database and
/// reports beside its configuration).
fn round_in(dir: &Path) -> PathBuf {
    let to = dir.join("round");
    fs::create_dir_all(to.join("expected")).unwrap();
    for sub in ["", "expected"] {
        for e in fs::read_dir(fixture("round").join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                fs::copy(e.path(), to.join(sub).join(e.file_name())).unwrap();
            }
        }
    }
    to
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = listpulse(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_round_lists_are_the_hand_written_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = round_in(dir.path());
    let (code, out, err) = run(&d, &["run", "--config", "listpulse.toml"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    // Warnings are seen, never fatal: Gus replied two days before the
    // round opened (its configured day wins over the message's).
    assert_eq!(
        err.trim_end(),
        "listpulse: warning: dc-round: 1 answer(s) dated in the 90 days before this round opened (2025-06-05) count for the previous round (opened 2024-06-03); if they were meant for this one, correct their dates"
    );
    for f in [
        "checkin.csv",
        "remind.csv",
        "unmatched.csv",
        "leave.txt",
        "contacts.csv",
    ] {
        let want = fs::read_to_string(d.join("expected").join(f)).unwrap();
        let got = fs::read_to_string(d.join("out/dc-round").join(f)).unwrap();
        assert_eq!(got, want, "{f}");
    }
    let summary: Value =
        serde_json::from_slice(&fs::read(d.join("out/dc-round/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["round"]["year"], 2025);
    assert_eq!(summary["round"]["opened"], "2025-06-05");
    assert_eq!(
        summary["round"]["counts"],
        serde_json::json!({"members": 12, "full": 2, "observer": 2, "leave": 2, "no_answer": 6})
    );
    assert_eq!(summary["round"]["response_rate"], 0.5);
    assert_eq!(summary["warn_within_days"], 90);
    // The history: last year's round had three members (no roster yet:
    // everyone seen in five years) and no answer from any of them.
    let history = summary["history"].as_array().unwrap();
    let by_date = |d: &str| history.iter().find(|h| h["date"] == d).unwrap();
    assert_eq!(by_date("2023-06-30")["round"], Value::Null);
    assert_eq!(by_date("2024-06-30")["round"]["counts"]["members"], 3);
    assert_eq!(by_date("2024-06-30")["round"]["response_rate"], 0.0);
    assert_eq!(by_date("2025-06-30")["round"]["response_rate"], 0.5);
    // The page links every list from "what to do next" and shows the round.
    let page = fs::read_to_string(d.join("out/dc-round/index.html")).unwrap();
    for link in [
        "contacts.csv",
        "remind.csv",
        "leave.txt",
        "unmatched.csv",
        "checkin.csv",
    ] {
        assert!(page.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(page.contains("<h2>Check-in 2025</h2>"));
    assert!(page.contains("count for the previous round"));
}

#[test]
fn checkin_status_shows_the_round_in_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    let d = round_in(dir.path());
    assert_eq!(run(&d, &["run", "--config", "listpulse.toml"]).0, 0);
    let status = |format: &str| {
        let (code, out, err) = run(
            &d,
            &[
                "checkin",
                "status",
                "--config",
                "listpulse.toml",
                "--coalition",
                "dc-round",
                "--format",
                format,
            ],
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let table = status("table");
    assert!(
        table.starts_with(
            "Check-in 2025 of dc-round: opened on 2025-06-05 by checkin_opened; as of 2025-06-30"
        ),
        "{table}"
    );
    assert!(table.contains(
        "12 members of the round: 6 answered (50%): 2 full, 2 observer, 2 leave; 6 no answer"
    ));
    assert!(
        table.contains("zed@elsewhere.org full 2025-06-16 (checkins.csv:7)"),
        "{table}"
    );
    let csv = status("csv");
    assert_eq!(
        csv,
        fs::read_to_string(d.join("expected/checkin.csv")).unwrap()
    );
    let json: Value = serde_json::from_str(&status("json")).unwrap();
    assert_eq!(json["response_rate"], 0.5);
    assert_eq!(json["round"]["opening"]["day"], "2025-06-05");
    assert_eq!(
        json["round"]["unmatched"][0]["address"],
        "zed@elsewhere.org"
    );
}

#[test]
fn checkin_record_refuses_bad_input_with_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = round_in(dir.path());
    let before = fs::read(d.join("checkins.csv")).unwrap();
    let base = [
        "checkin",
        "record",
        "--config",
        "listpulse.toml",
        "--coalition",
        "dc-round",
    ];
    for (extra, says) in [
        (
            vec!["--status", "maybe", "a@x.org"],
            "invalid value 'maybe' for '--status <STATUS>'",
        ),
        (
            vec!["--status", "full", "--date", "2025-13-01", "a@x.org"],
            "'2025-13-01' is not a date; write YYYY-MM-DD",
        ),
        (
            vec!["--status", "full", "a@x.org", "not-an-address"],
            "listpulse: 'not-an-address' is not an address",
        ),
    ] {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(extra);
        let (code, _, err) = run(&d, &args);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{err}");
        if !err.starts_with("error:") {
            assert_eq!(err.lines().count(), 1, "{err}");
        }
        assert_eq!(fs::read(d.join("checkins.csv")).unwrap(), before);
    }
}

#[test]
fn two_concurrent_records_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let d = round_in(dir.path());
    let spawn = |n: usize| {
        let addresses: Vec<String> = (0..25).map(|i| format!("p{n}-{i}@example.org")).collect();
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("listpulse"));
        cmd.current_dir(&d).args([
            "checkin",
            "record",
            "--config",
            "listpulse.toml",
            "--coalition",
            "dc-round",
            "--status",
            "observer",
            "--date",
            "2025-06-25",
            "-q",
        ]);
        cmd.args(&addresses);
        cmd.spawn().unwrap()
    };
    let mut children: Vec<_> = (0..4).map(spawn).collect();
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    let text = fs::read_to_string(d.join("checkins.csv")).unwrap();
    for n in 0..4 {
        for i in 0..25 {
            assert!(
                text.contains(&format!("p{n}-{i}@example.org,2025-06-25,observer\n")),
                "p{n}-{i} lost:\n{text}"
            );
        }
    }
    assert_eq!(text.lines().count(), 8 + 100);
    // The file is the source of truth: the next run reads the new rows.
    let (code, _, err) = run(&d, &["run", "--config", "listpulse.toml"]);
    assert_eq!(code, 0, "{err}");
    let checkin = fs::read_to_string(d.join("out/dc-round/unmatched.csv")).unwrap();
    assert_eq!(checkin.lines().count(), 1 + 1 + 100, "{checkin}");
}

/// One message in mbox form, as an archive would hold it; `envelope` is
/// the `From ` line's asctime date.
fn mbox_entry(from: &str, envelope: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("From {from}  {envelope}\n").into_bytes();
    let text = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
    for line in text.lines() {
        if line.starts_with("From ") {
            out.push(b'>');
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out
}

#[test]
fn a_reply_to_a_drafted_call_is_that_members_answer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A coalition whose 2026 round has not opened yet.
    fs::write(
        d.join("archive.mbox"),
        "From kim@example.org  Mon Mar  2 10:00:00 2026\nFrom: Kim <kim@example.org>\nDate: Mon, 02 Mar 2026 10:00:00 +0000\nSubject: Hello\nMessage-ID: <kim-1@example.org>\n\nHello.\n\n",
    )
    .unwrap();
    fs::write(
        d.join("roster.csv"),
        "address,name\nkim@example.org,Kim Lee\nlou@example.org,Lou\n",
    )
    .unwrap();
    fs::write(
        d.join("lp.toml"),
        "database = \"db.sqlite\"\noutput = \"out\"\nas_of = \"2026-06-01\"\n[[coalition]]\nslug = \"dc\"\nname = \"Drafts Coalition\"\narchives = [\"*.mbox\"]\nroster = \"roster.csv\"\nroster_date = \"2026-01-01\"\ncheckin_subject = \"Annual check-in {year}\"\ncoordinators = [\"coord@example.org\"]\nlist_address = \"dc@lists.example.org\"\n",
    )
    .unwrap();
    let (code, _, err) = run(d, &["run", "--config", "lp.toml"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        d,
        &[
            "checkin",
            "draft",
            "--config",
            "lp.toml",
            "--coalition",
            "dc",
            "--out",
            "drafts",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("call.eml and 0 reminder(s) written"), "{err}");
    let call_bytes = fs::read(d.join("drafts/call.eml")).unwrap();
    let call = mail_parser::MessageParser::default()
        .parse(&call_bytes)
        .unwrap();
    assert_eq!(call.subject(), Some("Annual check-in 2026"));
    assert_eq!(
        call.to().unwrap().first().unwrap().address(),
        Some("dc@lists.example.org")
    );
    assert_eq!(
        call.from().unwrap().first().unwrap().address(),
        Some("coord@example.org")
    );
    assert_eq!(call.header_raw("X-Unsent").map(str::trim), Some("1"));
    assert!(
        call.body_text(0)
            .unwrap()
            .contains("Dear members of Drafts Coalition,")
    );
    let call_id = call.message_id().unwrap().to_string();

    // The coordinator sends it; Kim answers from her mail client.
    let reply = format!(
        "From: Kim Lee <kim@example.org>\r\nTo: dc@lists.example.org\r\nSubject: Re: Annual check-in 2026\r\nDate: Thu, 04 Jun 2026 08:00:00 +0000\r\nMessage-ID: <kim-reply@example.org>\r\nIn-Reply-To: <{call_id}>\r\nReferences: <{call_id}>\r\n\r\nPlease keep me as an observer.\r\n\r\n> It is time for our yearly check-in.\r\n"
    );
    // Sending it: the mail client drops the draft mark and dates it.
    let sent_call: String = String::from_utf8(call_bytes.clone())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("X-Unsent:"))
        .map(|l| {
            if l.starts_with("Date:") {
                "Date: Tue, 02 Jun 2026 09:00:00 +0000".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut sent = mbox_entry(
        "coord@example.org",
        "Tue Jun  2 09:00:00 2026",
        sent_call.as_bytes(),
    );
    sent.extend(mbox_entry(
        "kim@example.org",
        "Thu Jun  4 08:00:00 2026",
        reply.as_bytes(),
    ));
    fs::write(d.join("sent.mbox"), &sent).unwrap();
    let (code, _, err) = run(d, &["run", "--config", "lp.toml", "--as-of", "2026-06-10"]);
    assert_eq!(code, 0, "{err}");
    let checkin = fs::read_to_string(d.join("out/dc/checkin.csv")).unwrap();
    assert!(
        checkin
            .contains("kim@example.org,Kim Lee,kim@example.org,observer,2026-06-04,reply,active"),
        "{checkin}"
    );
    assert!(
        checkin.contains("lou@example.org,Lou,lou@example.org,no answer,,,dormant"),
        "{checkin}"
    );
    // Lou is reminded: one draft, addressed by name.
    let (code, _, err) = run(
        d,
        &[
            "checkin",
            "draft",
            "--config",
            "lp.toml",
            "--coalition",
            "dc",
            "--out",
            "drafts2",
            "--as-of",
            "2026-06-10",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // The coordinator did not answer either: two reminders, by email.
    let mut names: Vec<String> = fs::read_dir(d.join("drafts2"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "call.eml",
            "reminder-001-coord@example.org.eml",
            "reminder-002-lou@example.org.eml"
        ]
    );
    let reminder = fs::read(d.join("drafts2/reminder-002-lou@example.org.eml")).unwrap();
    let m = mail_parser::MessageParser::default()
        .parse(&reminder)
        .unwrap();
    assert_eq!(m.subject(), Some("Annual check-in 2026: a reminder"));
    assert_eq!(m.to().unwrap().first().unwrap().name(), Some("Lou"));
    assert!(m.body_text(0).unwrap().starts_with("Dear Lou,"));
}

#[test]
fn a_template_with_an_unknown_placeholder_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = round_in(dir.path());
    assert_eq!(run(&d, &["run", "--config", "listpulse.toml"]).0, 0);
    fs::write(
        d.join("mine.txt"),
        "Subject: Hi {{ name }}\nDear {{ name }},\n\n{{ shoe_size }}\n",
    )
    .unwrap();
    let (code, _, err) = run(
        &d,
        &[
            "checkin",
            "draft",
            "--config",
            "listpulse.toml",
            "--coalition",
            "dc-round",
            "--out",
            "drafts",
            "--reminder-template",
            "mine.txt",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("listpulse: mine.txt:4: unknown placeholder"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
