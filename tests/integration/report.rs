//! Integration tests for the report stage and `listpulse run`: configuration
//! errors, the demo end to end, what the comparison may not contain, the
//! lock, and the pages in a real browser (`#[ignore = "needs chromium"]`).
//! Runs killed mid-way are `faults.rs`'s.
//! Every test works in its own temp dir; none writes into the repository.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{fixture, listpulse};

const SLUGS: [&str; 4] = [
    "dc-open-data",
    "dc-rural-access",
    "dc-net-heritage",
    "dc-youth-voices",
];
const CHARTS: [&str; 5] = [
    "chart-monthly-activity",
    "chart-class-history",
    "chart-poster-flow",
    "chart-concentration",
    "chart-response",
];
const COMPARISON_CHARTS: [&str; 3] = [
    "chart-class-shares",
    "chart-figures",
    "chart-shared-members",
];

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The demo copied into `dir/demo`, its config pointed at `dir/out` and
/// `dir/demo.db`. Returns the config's path.
fn demo_in(dir: &Path) -> PathBuf {
    copy_dir(&fixture("demo"), &dir.join("demo"));
    let config = dir.join("demo/listpulse.toml");
    let text = fs::read_to_string(&config)
        .unwrap()
        .replace(
            "database = \"../../target/demo.db\"",
            "database = \"../demo.db\"",
        )
        .replace("output = \"../../reports/demo\"", "output = \"../out\"");
    assert!(text.contains("\"../out\"") && text.contains("\"../demo.db\""));
    fs::write(&config, text).unwrap();
    config
}

/// Every file under `dir`, relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.insert(
                    p.strip_prefix(base).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn expected_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("index.html"), PathBuf::from("comparison.csv")];
    for c in COMPARISON_CHARTS {
        files.push(format!("{c}.svg").into());
        files.push(format!("{c}.png").into());
    }
    for slug in SLUGS {
        let dir = Path::new(slug);
        for f in [
            "members.csv",
            "former.csv",
            "contacts.csv",
            "checkin.csv",
            "remind.csv",
            "unmatched.csv",
            "leave.txt",
            "chart-checkin.svg",
            "chart-checkin.png",
            "summary.json",
            "summary.md",
            "index.html",
        ] {
            files.push(dir.join(f));
        }
        for c in CHARTS {
            files.push(dir.join(format!("{c}.svg")));
            files.push(dir.join(format!("{c}.png")));
        }
    }
    files.sort();
    files
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, line, what) in [
        (
            "database = \"x.db\"\n[[coalition]]\nslug = \"a\"\ninactivity = \"two years\"\n",
            4,
            "bad duration",
        ),
        (
            "database = \"x.db\"\n[[coalition]]\nslug = \"a\"\n[[coalition]]\nslug = \"a\"\n",
            5,
            "used by two",
        ),
        (
            "database = \"x.db\"\n[[coalition]]\nslug = \"a\"\nannual_meeting = [[\"2024-13-01\", \"2024-12-02\"]]\n",
            4,
            "bad date",
        ),
        ("database = \"x.db\"\nouptut = \"r\"\n", 2, "unknown field"),
    ] {
        let config = dir.path().join("lp.toml");
        fs::write(&config, text).unwrap();
        let out = listpulse(dir.path())
            .args(["run", "--config", "lp.toml"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains(&format!("lp.toml:{line}: ")), "{stderr}");
        assert!(stderr.contains(what), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            !dir.path().join("x.db").exists(),
            "nothing is done before the config is valid"
        );
    }
}

#[test]
fn config_example_is_printed_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let out = listpulse(dir.path())
        .args(["config", "example"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("[[coalition]]") && text.contains('#'));
    let path = dir.path().join("listpulse.toml");
    fs::write(&path, &text).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let settings = listpulse::config::Settings::load(&path, None, day).unwrap();
    assert_eq!(settings.coalitions.len(), 1);
    assert_eq!(settings.coalitions[0].annual_meetings.len(), 2);
}

#[test]
fn run_on_the_demo_writes_every_report_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let out = listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    assert!(
        out.get_output().stderr.is_empty(),
        "run is silent on success"
    );
    assert!(
        out.get_output().stdout.is_empty(),
        "run is silent on success"
    );
    let first = snapshot(&dir.path().join("out"));
    let got: Vec<PathBuf> = first.keys().cloned().collect();
    assert_eq!(got, expected_files());

    let members = String::from_utf8(first[Path::new("dc-open-data/members.csv")].clone()).unwrap();
    assert_eq!(
        members.lines().next().unwrap(),
        "coalition,person,addresses,class,reason,posts_in_period,posts_total,first_post,last_post,last_checkin,checkin_status,on_roster"
    );
    assert!(members.lines().count() > 10);
    let summary: serde_json::Value =
        serde_json::from_slice(&first[Path::new("dc-open-data/summary.json")]).unwrap();
    for key in [
        "coalition",
        "as_of",
        "period_days",
        "inactivity_days",
        "min_posts",
        "counts",
        "figures",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(summary["as_of"], "2025-06-30");
    for png in first
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "png"))
    {
        assert!(png.1.starts_with(b"\x89PNG"), "{}", png.0.display());
    }

    // Idempotent: a second run over the same inputs gives the same bytes.
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    assert_eq!(snapshot(&dir.path().join("out")), first);
}

#[test]
fn comparison_holds_no_address_and_no_member_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    // Every name and address the demo knows, from its rosters.
    let mut names = Vec::new();
    for slug in SLUGS {
        let roster =
            fs::read_to_string(dir.path().join(format!("demo/rosters/{slug}-2025.csv"))).unwrap();
        for line in roster.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            names.push(cells[0].to_string());
            names.push(cells[1].to_string());
            names.push(cells[1].split(' ').next_back().unwrap().to_string());
        }
    }
    assert!(names.len() > 50);
    let mut checked = 0;
    for entry in fs::read_dir(dir.path().join("out")).unwrap().flatten() {
        if entry.path().is_dir() {
            continue;
        }
        if entry.path().extension().is_some_and(|e| e == "png") {
            // Raster text: the SVG twin holds the same words and is checked.
            continue;
        }
        let text = fs::read_to_string(entry.path())
            .unwrap()
            .replace("@media", "");
        assert!(
            !text.contains('@'),
            "{} holds an address",
            entry.path().display()
        );
        for name in &names {
            assert!(
                !text.contains(name.as_str()),
                "{} holds '{name}'",
                entry.path().display()
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 2 + COMPARISON_CHARTS.len());
}

#[test]
fn a_second_run_exits_at_once_with_status_2_while_the_lock_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let held = listpulse::lock::Lock::acquire(&dir.path().join("demo.db")).unwrap();
    // Exit 2 is "at once": a run that waited for the lock would never end
    // while this test holds it.
    let out = listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("another listpulse process"), "{stderr}");
    assert!(
        !dir.path().join("out").exists(),
        "the second run wrote nothing"
    );
    drop(held);
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
}

/// The headless browser, under any of the names Debian and others install
/// it as, on PATH or in the usual places. The test that needs it is
/// `#[ignore = "needs chromium"]`, and fails when run without one.
fn chromium() -> PathBuf {
    const NAMES: [&str; 5] = [
        "chromium",
        "chromium-headless-shell",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(
        [
            "/usr/bin",
            "/usr/lib/chromium",
            "/usr/lib/chromium-headless-shell",
            "/usr/lib/chromium-browser",
            "/opt/google/chrome",
        ]
        .map(PathBuf::from),
    );
    let candidates: Vec<PathBuf> = dirs.flat_map(|d| NAMES.map(|n| d.join(n))).collect();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no headless Chromium found (tried {} on PATH, /usr/bin and /usr/lib/chromium…): \
                 apt-get install chromium, or run without --include-ignored",
                NAMES.join(", ")
            )
        })
}

fn chromium_dom(page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "needs chromium"]
fn pages_render_in_headless_chromium_with_charts_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    let out = dir.path().join("out");
    let dom = chromium_dom(&out.join("dc-open-data/index.html"));
    assert_eq!(
        dom.matches("<svg").count(),
        CHARTS.len() + 1,
        "one inline svg per chart, and the check-in round's"
    );
    assert!(dom.contains("<table class=\"members\""));
    let members = fs::read_to_string(out.join("dc-open-data/members.csv")).unwrap();
    assert_eq!(
        dom.matches("<tr data-class=").count(),
        members.lines().count() - 1,
        "one row per member"
    );
    assert!(dom.contains("Possible duplicate identities"));
    // Self-contained: nothing is loaded from anywhere (the only URLs are SVG
    // namespaces); the member table's script is inline.
    for tag in ["<script src", "<link", "<img", "<iframe"] {
        assert!(!dom.contains(tag), "{tag}");
    }

    let dom = chromium_dom(&out.join("index.html"));
    assert_eq!(dom.matches("<svg").count(), COMPARISON_CHARTS.len());
    assert!(dom.contains("<table class=\"comparison\""));
    assert!(!dom.replace("@media", "").contains('@'));
}

#[test]
fn the_demo_generator_reproduces_the_committed_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    // The generator is an example (a development tool, not installed):
    // cargo builds it if this test binary was built without it.
    let status = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--example", "demo", "--"])
        .arg(dir.path())
        .current_dir(crate::util::root())
        .status()
        .unwrap();
    assert!(status.success());
    let made = snapshot(dir.path());
    let committed = snapshot(&fixture("demo"));
    assert_eq!(
        made.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "same files"
    );
    for (path, bytes) in &made {
        // Compare gzip members by content: the compressed bytes may differ
        // between zlib implementations while the archive is the same.
        let (a, b) = if path.extension().is_some_and(|e| e == "gz") {
            (gunzip(bytes), gunzip(&committed[path]))
        } else {
            (bytes.clone(), committed[path].clone())
        };
        assert!(
            a == b,
            "{} differs: run `cargo run --example demo`",
            path.display()
        );
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn a_missing_archive_is_one_line_and_exit_1_and_the_reports_are_still_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("lp.toml"),
        "database = \"x.db\"\noutput = \"out\"\nas_of = \"2025-01-01\"\n[[coalition]]\nslug = \"a\"\narchives = [\"nowhere/*.mbox\"]\n",
    )
    .unwrap();
    let out = listpulse(dir.path())
        .args(["run", "--config", "lp.toml"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("nowhere/*.mbox"), "{stderr}");
    assert!(dir.path().join("out/a/members.csv").exists());
    assert!(dir.path().join("out/comparison.csv").exists());
}
