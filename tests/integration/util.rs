//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A folder or file of `../shared/corpus`. Tests that call this are
/// `#[ignore = "needs ../shared/corpus"]`, so `cargo test` passes on a fresh
/// clone without it; run with `--include-ignored` (as CI does), they fail
/// when it is missing instead of passing without having run.
pub fn corpus(rel: &str) -> PathBuf {
    let path = root().join("../shared/corpus").join(rel);
    assert!(
        path.exists(),
        "{} not present: this test needs the real-data corpus beside the project (../shared/corpus)",
        path.display()
    );
    path
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

/// Runs `listpulse ARGS…` in `dir` (environment cleaned as in
/// [`listpulse`]) and returns what it gave with its peak resident memory in
/// KiB.
///
/// Measured by a small Python parent that forks and waits for listpulse
/// (`os.wait4`). Linux carries a process's peak RSS across `fork` and
/// `exec`: a child spawned straight from this test binary, which may hold
/// hundreds of MB while other tests run beside it, would report that
/// instead of its own.
pub fn listpulse_measured<I, S>(dir: &Path, args: I) -> (Run, u64)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::Read;
    const PARENT: &str = "import os, signal, sys\n\
pid = os.fork()\n\
if pid == 0:\n    os.execv(sys.argv[2], sys.argv[2:])\n\
_, status, usage = os.wait4(pid, 0)\n\
open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n\
if os.WIFSIGNALED(status):\n    os.kill(os.getpid(), os.WTERMSIG(status))\n\
sys.exit(os.WEXITSTATUS(status))\n";
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = std::process::Command::new("python3");
    cmd.current_dir(dir)
        .arg("-c")
        .arg(PARENT)
        .arg(report.path())
        .arg(assert_cmd::cargo::cargo_bin!("listpulse"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("LISTPULSE_") {
            cmd.env_remove(key);
        }
    }
    let mut child = cmd.spawn().expect("runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let status = child.wait().expect("waits");
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    let peak: u64 = std::fs::read_to_string(report.path())
        .unwrap()
        .trim()
        .parse()
        .expect("the measuring parent wrote the peak");
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    (run, peak)
}

/// The headless browser, under any of the names Debian and others install
/// it as, on PATH or in the usual places. The tests that need it are
/// `#[ignore = "needs chromium"]`, and fail when run without one.
pub fn chromium() -> std::process::Command {
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
    let found = candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no headless Chromium found (tried {} on PATH, /usr/bin and /usr/lib/chromium…): \
                 apt-get install chromium, or run without --include-ignored",
                NAMES.join(", ")
            )
        });
    let mut cmd = std::process::Command::new(found);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .stdin(std::process::Stdio::null());
    cmd
}

/// The DOM of `url` after its scripts ran, in a 1280 px wide window.
pub fn chromium_dom(url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = chromium()
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--window-size=1280,1000")
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
