//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

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
