//! The operator's conventions (issue #10): `config check`, the example that
//! runs as it is, the man page and completions, `standards`, warnings that
//! never fail a run, coalitions not updated, removed coalitions' folders,
//! and the committed demo reports and their snapshots.

use std::fs;
use std::path::{Path, PathBuf};

use crate::report::{copy_dir, demo_in, snapshot};
use crate::util::{fixture, listpulse, root};

fn stderr_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

fn stdout_of(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// The demo copied into `dir` and run once; returns its configuration.
fn run_demo(dir: &Path) -> PathBuf {
    let config = demo_in(dir);
    listpulse(dir)
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    config
}

#[test]
fn config_check_passes_the_demo_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let out = listpulse(dir.path())
        .args(["config", "check", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    assert!(stderr_of(&out).is_empty(), "{}", stderr_of(&out));
    assert!(
        stdout_of(&out).contains("valid; 4 coalition(s)"),
        "{}",
        stdout_of(&out)
    );
    assert!(
        !dir.path().join("demo.db").exists(),
        "config check writes nothing"
    );
    assert!(
        !dir.path().join("out").exists(),
        "config check writes nothing"
    );
}

#[test]
fn config_check_names_each_missing_or_invalid_input_on_its_own_line_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let demo = dir.path().join("demo");
    fs::remove_file(demo.join("checkins/dc-open-data.csv")).unwrap();
    fs::write(
        demo.join("rosters/dc-net-heritage-2024.csv"),
        "address,date,status\nx@y.org,2024-01-01,full\n",
    )
    .unwrap();
    fs::remove_dir_all(demo.join("archives/dc-youth-voices")).unwrap();
    let out = listpulse(dir.path())
        .args(["config", "check", "--config"])
        .arg(&config)
        .assert()
        .code(1);
    let stderr = stderr_of(&out);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("checkins/dc-open-data.csv")),
        "{stderr}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("dc-net-heritage-2024.csv") && l.contains("check-in file")),
        "{stderr}"
    );
    // Both of the youth coalition's archive patterns match nothing.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("dc-youth-voices/*.txt"))
            .count(),
        2,
        "{stderr}"
    );
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn config_check_of_an_invalid_file_exits_2_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("lp.toml"),
        "database = \"x.db\"\n[health]\nengaged_months = 13\n[[coalition]]\nslug = \"a\"\n",
    )
    .unwrap();
    let out = listpulse(dir.path())
        .args(["config", "check", "--config", "lp.toml"])
        .assert()
        .code(2);
    let stderr = stderr_of(&out);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("listpulse: lp.toml:3: engaged_months 13"),
        "{stderr}"
    );
}

/// "`config example` prints a configuration that, saved at the repository
/// root, runs as is against the demo fixtures": the repository's fixtures
/// are copied into a temp dir laid out like the repository.
#[test]
fn config_example_saved_at_the_root_runs_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("demo"), &dir.path().join("fixtures/demo"));
    let out = listpulse(dir.path())
        .args(["config", "example"])
        .assert()
        .success();
    fs::write(dir.path().join("x.toml"), out.get_output().stdout.clone()).unwrap();
    listpulse(dir.path())
        .args(["config", "check", "--config", "x.toml"])
        .assert()
        .code(0);
    let out = listpulse(dir.path())
        .args(["run", "--config", "x.toml"])
        .assert()
        .code(0);
    assert!(stderr_of(&out).is_empty(), "{}", stderr_of(&out));
    let reports = dir.path().join("target/example/reports");
    for f in [
        "index.html",
        "comparison.csv",
        "dc-open-data/index.html",
        "dc-youth-voices/members.csv",
    ] {
        assert!(reports.join(f).exists(), "{f}");
    }
    // Under target/: ignored by git, never in the repository.
    let ignore = fs::read_to_string(root().join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/target"));
}

#[test]
fn man_page_and_completions_come_from_the_clap_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let man = stdout_of(&listpulse(dir.path()).arg("man").assert().success());
    assert!(
        man.starts_with(".ie") || man.contains(".TH listpulse"),
        "{}",
        &man[..200.min(man.len())]
    );
    for word in ["standards", "completions", "Exit status"] {
        assert!(man.contains(word), "the man page lacks {word}");
    }
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(
            &listpulse(dir.path())
                .args(["completions", shell])
                .assert()
                .success(),
        );
        assert!(script.contains("standards"), "{shell}");
    }
    listpulse(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}

#[test]
fn standards_prints_the_grid_for_each_coalition_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    // Before any run there is no database: one line, exit 2.
    let out = listpulse(dir.path())
        .args(["standards", "--config"])
        .arg(&config)
        .assert()
        .code(2);
    assert!(
        stderr_of(&out).contains("no such database"),
        "{}",
        stderr_of(&out)
    );
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    let csv = stdout_of(
        &listpulse(dir.path())
            .args(["standards", "--format", "csv", "--config"])
            .arg(&config)
            .assert()
            .success(),
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "coalition,name,window,window_days,min_posts,members,below,below_declared_observer"
    );
    // 5 groups (4 coalitions and all) × 9 rules.
    assert_eq!(lines.len(), 1 + 5 * 9);
    assert!(lines[1].starts_with("dc-open-data,Open Data Coalition,1y,365,1,"));
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("all,All coalitions,3y,1095,4,")
    );
    // The comparison's copy protects small counts; this one is exact.
    let comparison = fs::read_to_string(dir.path().join("out/standards.csv")).unwrap();
    assert_eq!(comparison.lines().count(), lines.len());
    let json: serde_json::Value = serde_json::from_str(&stdout_of(
        &listpulse(dir.path())
            .args(["standards", "--format", "json", "--config"])
            .arg(&config)
            .assert()
            .success(),
    ))
    .unwrap();
    assert_eq!(json["coalitions"].as_array().unwrap().len(), 5);
    assert_eq!(json["windows_days"], serde_json::json!([365, 730, 1095]));
}

#[test]
fn a_database_inside_the_output_folder_is_a_warning_on_stderr_and_in_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let text = fs::read_to_string(&config).unwrap().replace(
        "database = \"../demo.db\"",
        "database = \"../out/private/demo.db\"",
    );
    fs::write(&config, text).unwrap();
    let out = listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    let stderr = stderr_of(&out);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("warning: ") && stderr.contains("inside the output folder"),
        "{stderr}"
    );
    for page in ["index.html", "dc-open-data/index.html"] {
        let html = fs::read_to_string(dir.path().join("out").join(page)).unwrap();
        assert!(html.contains("inside the output folder"), "{page}");
    }
}

#[test]
fn a_coalition_with_a_bad_input_keeps_its_reports_and_is_marked_not_updated() {
    let dir = tempfile::tempdir().unwrap();
    let config = run_demo(dir.path());
    let before = snapshot(&dir.path().join("out/dc-rural-access"));
    fs::write(
        dir.path().join("demo/checkins/dc-rural-access.csv"),
        "address,date,status\nx@y.org,yesterday,full\n",
    )
    .unwrap();
    let out = listpulse(dir.path())
        .args(["run", "--as-of", "2025-05-31", "--config"])
        .arg(&config)
        .assert()
        .code(1);
    assert!(stderr_of(&out).contains("the reports of 'dc-rural-access' were not updated"));
    assert_eq!(snapshot(&dir.path().join("out/dc-rural-access")), before);
    let csv = fs::read_to_string(dir.path().join("out/comparison.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("dc-rural-access,"))
        .unwrap();
    assert!(
        row.starts_with("dc-rural-access,Rural Connectivity Coalition,not updated,"),
        "{row}"
    );
    let html = fs::read_to_string(dir.path().join("out/index.html")).unwrap();
    assert!(html.contains("Not updated: an input file of Rural Connectivity Coalition failed"));
}

#[test]
fn a_coalition_removed_from_the_configuration_loses_its_folder_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let config = run_demo(dir.path());
    let out_dir = dir.path().join("out");
    fs::create_dir(out_dir.join("assets")).unwrap();
    fs::write(out_dir.join("assets/logo.svg"), "<svg/>").unwrap();
    // Drop the last coalition's table.
    let text = fs::read_to_string(&config).unwrap();
    let cut = text.rfind("[[coalition]]").unwrap();
    fs::write(&config, &text[..cut]).unwrap();
    let out = listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    assert!(
        stderr_of(&out).contains("no longer configured"),
        "{}",
        stderr_of(&out)
    );
    assert!(!out_dir.join("dc-youth-voices").exists());
    assert!(out_dir.join("dc-open-data/index.html").exists());
    assert!(
        out_dir.join("assets/logo.svg").exists(),
        "a folder listpulse did not write stays"
    );
}

/// The committed `reports/demo/` is what a fresh run of the demo writes,
/// byte for byte. After a change to the reports, regenerate it with
/// `cargo run --release -- run --config fixtures/demo/listpulse.toml`.
#[test]
fn the_committed_demo_reports_equal_a_fresh_run() {
    let dir = tempfile::tempdir().unwrap();
    // The repository's layout (fixtures/demo, reports/demo, target/demo.db)
    // in a temporary folder, the configuration as committed: the markers'
    // fingerprints (of the database's path from the output) agree too.
    copy_dir(&fixture("demo"), &dir.path().join("fixtures/demo"));
    listpulse(dir.path())
        .args(["run", "--config", "fixtures/demo/listpulse.toml"])
        .assert()
        .success();
    let fresh = snapshot(&dir.path().join("reports/demo"));
    let committed = snapshot(&root().join("reports/demo"));
    assert_eq!(
        fresh.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &fresh {
        assert!(
            committed[path] == *bytes,
            "reports/demo/{} differs from a fresh run: regenerate with `cargo run --release -- run --config fixtures/demo/listpulse.toml`",
            path.display()
        );
    }
}

#[test]
fn demo_report_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    run_demo(dir.path());
    let out = dir.path().join("out");
    let read = |p: &str| fs::read_to_string(out.join(p)).unwrap();
    insta::assert_snapshot!("summary_md", read("dc-open-data/summary.md"));
    insta::assert_snapshot!("summary_json", read("dc-open-data/summary.json"));
    insta::assert_snapshot!("contacts_csv", read("dc-open-data/contacts.csv"));
    insta::assert_snapshot!("comparison_csv", read("comparison.csv"));
}

/// On a terminal `run` ends with one line saying where the reports are;
/// under cron (no terminal) it stays silent, as the demo test checks.
/// `script` (util-linux, on every Debian system) gives it a terminal.
#[test]
fn on_a_terminal_run_says_where_the_reports_are() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let bin = assert_cmd::cargo::cargo_bin!("listpulse");
    let out = std::process::Command::new("script")
        .args(["-qec"])
        .arg(format!(
            "{} run --config {}",
            bin.display(),
            config.display()
        ))
        .arg("/dev/null")
        .current_dir(dir.path())
        .output()
        .expect("script (util-linux) runs a command on a terminal");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with("listpulse: reports written to "),
        "{text}"
    );
    assert!(lines[0].ends_with("out/index.html)"), "{text}");
}

#[test]
fn comparison_output_writes_the_comparison_to_a_folder_of_its_own_without_links() {
    let dir = tempfile::tempdir().unwrap();
    let config = demo_in(dir.path());
    let text = fs::read_to_string(&config).unwrap().replace(
        "output = \"../out\"",
        "output = \"../out\"\ncomparison_output = \"../dccg\"",
    );
    fs::write(&config, text).unwrap();
    listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&config)
        .assert()
        .success();
    let dccg = snapshot(&dir.path().join("dccg"));
    let mut names: Vec<String> = dccg.keys().map(|p| p.display().to_string()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "chart-class-shares.png",
            "chart-class-shares.svg",
            "chart-figures.png",
            "chart-figures.svg",
            "chart-shared-members.png",
            "chart-shared-members.svg",
            "comparison.csv",
            "index.html",
            "standards.csv",
        ]
    );
    let html = String::from_utf8(dccg[Path::new("index.html")].clone()).unwrap();
    assert!(
        !html.contains("/index.html\""),
        "no links to pages not published with it"
    );
    assert!(!dir.path().join("out/index.html").exists());
    assert!(dir.path().join("out/dc-open-data/index.html").exists());
}
