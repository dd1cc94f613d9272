//! Integration tests for the report stage and `listpulse run`: configuration
//! errors, the demo end to end, what the comparison may not contain, the
//! lock, atomic replacement under SIGKILL, and the pages in a real browser.
//! Every test works in its own temp dir; none writes into the repository.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{chromium_dom, fixture, listpulse};

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

pub fn copy_dir(from: &Path, to: &Path) {
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
pub fn demo_in(dir: &Path) -> PathBuf {
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
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
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
    let mut files = vec![
        PathBuf::from("index.html"),
        PathBuf::from("comparison.csv"),
        PathBuf::from("standards.csv"),
    ];
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
            ".listpulse-coalition",
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
    assert_eq!(settings.coalitions.len(), 2);
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
    assert_eq!(checked, 3 + COMPARISON_CHARTS.len());
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

/// The DOM of a copy of `page` with a script appended that records the
/// page's scroll width in `<body data-scroll-width>`: wider than 1280 means
/// the page overflows a 1280 px screen.
fn chromium_dom_measured(page: &Path, hash: &str) -> String {
    let dir = page.parent().unwrap();
    let probe = dir.join("probe-width.html");
    let html = fs::read_to_string(page).unwrap().replace(
        "</body>",
        "<script>document.body.setAttribute('data-scroll-width',document.documentElement.scrollWidth)</script></body>",
    );
    fs::write(&probe, html).unwrap();
    let dom = chromium_dom(&format!("file://{}{hash}", probe.display()));
    fs::remove_file(&probe).unwrap();
    dom
}

fn scroll_width(dom: &str) -> u32 {
    let at =
        dom.find("data-scroll-width=\"").expect("the probe ran") + "data-scroll-width=\"".len();
    dom[at..].split('"').next().unwrap().parse().unwrap()
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
    let dom = chromium_dom(&format!(
        "file://{}",
        out.join("dc-open-data/index.html").display()
    ));
    assert_eq!(
        dom.matches("<svg").count(),
        CHARTS.len() + 1,
        "one inline svg per chart, and the check-in round's"
    );
    assert!(dom.contains("<table class=\"members\""));
    let members = fs::read_to_string(out.join("dc-open-data/members.csv")).unwrap();
    let member_rows = members.lines().count() - 1;
    assert_eq!(dom.matches("<tr data-class=").count(), member_rows);
    assert!(dom.contains("What to do next"));
    assert!(dom.contains("<h2>Check-in 2025</h2>"));
    assert!(dom.contains("Possible duplicate identities"));
    // The script ran: the filter bar is shown and counts every row.
    assert!(
        dom.contains(&format!("{member_rows} of {member_rows} shown")),
        "filters"
    );
    // Self-contained: nothing is loaded from anywhere (the only URLs are SVG
    // namespaces); the member table's script is inline.
    for tag in ["<script src", "<link", "<img", "<iframe"] {
        assert!(!dom.contains(tag), "{tag}");
    }
    // A linked view: dormant members only, sorted by their last sign of
    // life (column 4). Every other row is hidden, the shown ones in order,
    // and the page still fits a 1280 px screen.
    let page = out.join("dc-open-data/index.html");
    let dom = chromium_dom_measured(&page, "#class=dormant&sort=4");
    assert!(scroll_width(&dom) <= 1280, "{} px", scroll_width(&dom));
    let rows: Vec<&str> = dom.split("<tr data-class=\"").skip(1).collect();
    assert_eq!(rows.len(), member_rows);
    let shown: Vec<&&str> = rows
        .iter()
        .filter(|r| !r[..r.find('>').unwrap()].contains("hidden"))
        .collect();
    let dormant = members.lines().filter(|l| l.contains(",dormant,")).count();
    assert_eq!(shown.len(), dormant);
    assert!(shown.iter().all(|r| r.starts_with("dormant\"")));
    let days: Vec<&str> = shown
        .iter()
        .map(|r| {
            // The cells with a sort key: person, class, posts, last sign.
            let cell = r.split("data-sort=\"").nth(4).unwrap();
            &cell[..10]
        })
        .collect();
    let mut sorted = days.clone();
    sorted.sort();
    assert_eq!(days, sorted, "sorted by last sign of life");
    assert!(dom.contains(&format!("{dormant} of {member_rows} shown")));

    let dom = chromium_dom(&format!("file://{}", out.join("index.html").display()));
    // The demo's coalitions share fewer than 3 members two by two: the page
    // says so instead of showing an empty overlap chart.
    assert_eq!(dom.matches("<svg").count(), COMPARISON_CHARTS.len() - 1);
    assert!(dom.contains("No two coalitions share 3 or more members"));
    assert!(dom.contains("<table class=\"comparison sortable\""));
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
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].contains("nowhere/*.mbox"), "{stderr}");
    // An archive with no message at all is also a stale one: a warning.
    assert!(
        lines[1].starts_with("listpulse: warning: stale archive: a has no dated message"),
        "{stderr}"
    );
    assert!(dir.path().join("out/a/members.csv").exists());
    assert!(dir.path().join("out/comparison.csv").exists());
}

/// 30 coalitions with long display names, each a small generated mbox:
/// the comparison's scale, in a temp dir. Returns the output folder.
fn thirty_coalitions(dir: &Path) -> PathBuf {
    let mut config =
        String::from("database = \"x.db\"\noutput = \"out\"\nas_of = \"2025-06-30\"\n");
    let topics = [
        "Internet Rights and Principles",
        "Accessibility and Disability",
        "Child Online Safety",
        "Gender and Internet Governance",
        "Blockchain Technologies",
        "Community Connectivity",
    ];
    for c in 0..30 {
        let slug = format!("dc-{c:02}");
        let mut mbox = String::new();
        // Coalition c has 3 + c posters; the later ones fall silent in 2022.
        let last_year = if c % 7 == 3 { 2022 } else { 2025 };
        for (k, year) in (2021..=last_year).enumerate() {
            for p in 0..(3 + c) {
                for month in [2, 5, 9] {
                    if year == 2025 && month > 6 {
                        continue;
                    }
                    let id = format!("{slug}-{year}-{month}-{p}-{k}");
                    mbox.push_str(&format!(
                        "From p{p}@dc{c}.example.org Mon Jan  1 00:00:00 2024\nFrom: Person {p} <p{p}@dc{c}.example.org>\nDate: Mon, 10 {} {year} 10:00:00 +0000\nMessage-ID: <{id}@x>\nSubject: topic {month}\n{}\nhello\n\n",
                        ["", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"][month],
                        if p > 0 {
                            format!("In-Reply-To: <{slug}-{year}-{month}-0-{k}@x>\n")
                        } else {
                            String::new()
                        }
                    ));
                }
            }
        }
        fs::write(dir.join(format!("{slug}.mbox")), mbox).unwrap();
        config.push_str(&format!(
            "[[coalition]]\nslug = \"{slug}\"\nname = \"Dynamic Coalition on {} {}\"\narchives = [\"{slug}.mbox\"]\n",
            topics[c % topics.len()],
            c / topics.len() + 1
        ));
    }
    fs::write(dir.join("lp.toml"), config).unwrap();
    listpulse(dir)
        .args(["run", "--config", "lp.toml"])
        .assert()
        .success();
    dir.join("out")
}

/// The names in the comparison table's rows, top to bottom, from a DOM.
fn table_names(dom: &str) -> Vec<String> {
    let body = &dom[dom.find("<tbody>").unwrap()..dom.find("</tbody>").unwrap()];
    body.split("<td class=\"name\" data-sort=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
#[ignore = "needs chromium"]
fn the_comparison_of_thirty_coalitions_sorts_in_the_browser_and_fits_1280_px() {
    let dir = tempfile::tempdir().unwrap();
    let out = thirty_coalitions(dir.path());
    let page = out.join("index.html");
    let html = fs::read_to_string(&page).unwrap();
    // Without script the table is in configuration order.
    let unsorted = table_names(&html);
    assert_eq!(unsorted.len(), 30);
    assert!(unsorted[0].ends_with("Internet Rights and Principles 1"));

    // Sorted by members, largest first, once the script has run.
    let dom = chromium_dom_measured(&page, "#sort=members-desc");
    let sorted = table_names(&dom);
    assert_eq!(sorted.len(), 30);
    assert_ne!(sorted, unsorted);
    let members = |dom: &str| -> Vec<u32> {
        let body = &dom[dom.find("<tbody>").unwrap()..dom.find("</tbody>").unwrap()];
        body.split("<tr>")
            .skip(1)
            .map(|row| {
                let cell = row.split("<td class=\"n\" data-sort=\"").nth(1).unwrap();
                cell.split('"').next().unwrap().parse().unwrap()
            })
            .collect()
    };
    let sizes = members(&dom);
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(dom.contains("aria-sort=\"descending\""));
    // Sorting by name works on text.
    let dom = chromium_dom(&format!("file://{}#sort=name", page.display()));
    let mut by_name = unsorted.clone();
    by_name.sort();
    assert_eq!(table_names(&dom), by_name);

    // No horizontal overflow on a 1280 px screen.
    let width = scroll_width(&chromium_dom_measured(&page, ""));
    assert!(width <= 1280, "the page is {width} px wide");
    // Self-contained: the only script is inline; nothing is fetched.
    for tag in ["<script src", "<link", "<img", "<iframe"] {
        assert!(!html.contains(tag), "{tag}");
    }
    // Stale archives are flagged.
    assert!(html.contains("stale archive"));
}
