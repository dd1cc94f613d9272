//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder of `../shared/corpus`, or `None` with a message on stderr when
/// the corpus is not there (a user's fresh clone has no `../shared`).
pub fn corpus(folder: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/corpus").join(folder);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} not present (the real-data corpus lives beside the project)",
            dir.display()
        );
        None
    }
}

/// The `listpulse` binary, with a clean environment: no `LISTPULSE_*`
/// variables leak in from the caller.
pub fn listpulse(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("listpulse"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("LISTPULSE_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A fixture under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(cmd: &mut assert_cmd::Command) -> Run {
        let out = cmd.output().expect("runs");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
        run
    }

    /// Asserts the exit status and that stderr is exactly one line, the
    /// error, containing every one of `needles`. Returns the line.
    pub fn fails(&self, code: i32, needles: &[&str]) -> &str {
        assert_eq!(self.code, code, "exit status; stderr: {}", self.stderr);
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr, got: {:?}", self.stderr);
        let line = lines[0];
        assert!(line.starts_with("listpulse: "), "{line}");
        for needle in needles {
            assert!(line.contains(needle), "{line:?} should name {needle:?}");
        }
        line
    }

    /// The stderr lines, each checked to be one of listpulse's own.
    pub fn lines(&self) -> Vec<&str> {
        let lines: Vec<&str> = self.stderr.lines().collect();
        for line in &lines {
            assert!(line.starts_with("listpulse: "), "{line}");
        }
        lines
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("no JSON summary ({e}): {} {}", self.stdout, self.stderr))
    }
}
