//! The command line's own contract: help, exit codes, and error lines.

use crate::util::listpulse;

#[test]
fn help_documents_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = listpulse(dir.path()).arg("--help").assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in ["0  everything worked", "1  the run finished", "2  fatal"] {
        assert!(text.contains(line), "--help lacks {line:?}:\n{text}");
    }
}

/// An error that wraps an OS error used to print the OS error twice
/// ("…: No such file … : No such file …") because the message and the
/// error chain both carried it.
#[test]
fn an_error_line_names_the_file_and_says_the_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let out = listpulse(dir.path())
        .args(["run", "--config"])
        .arg(&missing)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("listpulse: {}: ", missing.display())),
        "{stderr}"
    );
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
}

/// Every subcommand reads `--config` through the same checks as `run`: a
/// bad value in a coalition's table is named with its line, before any work.
#[test]
fn classify_with_a_bad_config_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("lp.toml");
    std::fs::write(
        &cfg,
        "database = \"x.db\"\n\n[[coalition]]\nslug = \"dc\"\nperiod = \"soon\"\n",
    )
    .unwrap();
    let out = listpulse(dir.path())
        .args(["classify", "--coalition", "dc", "--config"])
        .arg(&cfg)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "listpulse: {}:5: bad duration 'soon'",
            cfg.display()
        )),
        "{stderr}"
    );
    assert!(!dir.path().join("x.db").exists(), "nothing may be created");
}
