//! Putting rendered files in place so that a reader, a run killed at any
//! moment, or another run writing the same folder never sees half a report
//! or a mix of two runs' reports.
//!
//! Everything is rendered in memory first. Then, holding a lock on the
//! output folder for the whole write (another run writing the same folder,
//! with another database, waits its turn):
//!
//! 1. temporary files a *dead* run left behind are removed: only files named
//!    as this program names its temporary files, only where the process
//!    whose id they carry is gone, only in the output folder and its
//!    immediate real subfolders (a symlinked folder is never entered);
//! 2. each file is written to a temporary file in its own target folder
//!    (same file system, so the rename is atomic), named with this process's
//!    id and a token of this run, and synced; a failure (a full disk)
//!    removes every temporary file of this run;
//! 3. only when every temporary file is complete are they renamed over the
//!    old reports, one quick rename each, the old version of each kept under
//!    a temporary name (a hard link) until all renames have succeeded. A
//!    rename that fails midway puts every old report back and removes the
//!    new ones that had no old version: the folder holds the previous set,
//!    whole, and no temporary file.
//!
//! A run killed before the renames leaves the previous reports untouched;
//! one killed during them leaves every file whole, each either the old or
//! the new version, and its temporary files for the next run to remove.
//!
//! The lock is `flock` on the output folder itself, so no lock file is ever
//! left in it (issue #12).

use std::fs::{self, File, TryLockError};
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use super::RenderedFile;

/// Prefix of temporary files, so a later run can recognise them. The full
/// name is `{TEMP_PREFIX}{pid}-{token}-{name}`.
const TEMP_PREFIX: &str = ".listpulse-tmp-";

/// How long a run waits for another one writing the same output folder.
/// Writing is renames of files rendered in memory: seconds at most.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Writes `files` (paths relative to `out`) into `out`: all of them or, on
/// any failure, none (see the module documentation).
pub fn write_all(out: &Path, files: &[RenderedFile]) -> anyhow::Result<()> {
    fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the folder", out.display()))?;
    let _lock = OutputLock::acquire_within(out, LOCK_WAIT)?;
    remove_stale_temps(out);
    write_with(out, files, &mut RealFs)
}

/// An exclusive lock on an output folder, released when dropped (or when
/// the process dies).
#[derive(Debug)]
pub struct OutputLock {
    _dir: File,
}

impl OutputLock {
    /// Locks the folder `out` (which must exist), waiting up to `wait` for
    /// another process that holds it.
    pub fn acquire_within(out: &Path, wait: Duration) -> anyhow::Result<OutputLock> {
        let dir = File::open(out).with_context(|| format!("{}: cannot open", out.display()))?;
        let started = Instant::now();
        loop {
            match dir.try_lock() {
                Ok(()) => return Ok(OutputLock { _dir: dir }),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(anyhow!(
                        "{}: another listpulse process has been writing reports here for {} s; try again when it has finished",
                        out.display(),
                        wait.as_secs()
                    ));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(anyhow!("{}: cannot lock the folder: {e}", out.display()));
                }
            }
        }
    }
}

/// The file operations a write needs, so tests can make one fail.
trait Fs {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()>;
}

struct RealFs;

impl Fs for RealFs {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        f.write_all(bytes)?;
        f.sync_all()
    }

    fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
        fs::rename(from, to)
    }
}

/// One file of the set on its way in: the new version, the target, and the
/// old version's temporary name once it has one.
struct Staged {
    temp: PathBuf,
    target: PathBuf,
    backup: Option<PathBuf>,
}

fn write_with(out: &Path, files: &[RenderedFile], fs_ops: &mut dyn Fs) -> anyhow::Result<()> {
    let token = token();
    let temp_name = |dir: &Path, tag: &str, name: &str| {
        dir.join(format!(
            "{TEMP_PREFIX}{}-{token}-{tag}{name}",
            std::process::id()
        ))
    };
    let mut staged: Vec<Staged> = Vec::with_capacity(files.len());
    let result = (|| -> anyhow::Result<()> {
        for (i, (rel, bytes)) in files.iter().enumerate() {
            let target = out.join(rel);
            let dir = target.parent().unwrap_or(out).to_path_buf();
            fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temp = temp_name(&dir, &format!("{i}-"), &name);
            // Listed before it is written, so a failed write is removed too.
            staged.push(Staged {
                temp: temp.clone(),
                target,
                backup: None,
            });
            fs_ops
                .write(&temp, bytes)
                .with_context(|| format!("{}: cannot write", temp.display()))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for s in &staged {
            let _ = fs::remove_file(&s.temp);
        }
        return Err(e);
    }
    for i in 0..staged.len() {
        if let Err(e) = replace(&mut staged[i], i, &temp_name, fs_ops) {
            roll_back(&staged, i);
            return Err(anyhow!("{e:#}; the previous reports are left as they were"));
        }
    }
    for s in &staged {
        if let Some(backup) = &s.backup {
            let _ = fs::remove_file(backup);
        }
    }
    // Make the renames themselves durable.
    let mut dirs: Vec<&Path> = staged.iter().filter_map(|s| s.target.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        if let Ok(dir) = File::open(d) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Keeps the old version of `s.target` under a temporary name, then renames
/// the new one over it.
fn replace(
    s: &mut Staged,
    i: usize,
    temp_name: &dyn Fn(&Path, &str, &str) -> PathBuf,
    fs_ops: &mut dyn Fs,
) -> anyhow::Result<()> {
    let is_file = fs::symlink_metadata(&s.target).is_ok_and(|m| m.is_file());
    if is_file {
        let dir = s.target.parent().unwrap_or(Path::new("."));
        let name = s
            .target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let backup = temp_name(dir, &format!("{i}-old-"), &name);
        fs::hard_link(&s.target, &backup)
            .or_else(|_| fs::copy(&s.target, &backup).map(|_| ()))
            .with_context(|| format!("{}: cannot keep the old version", s.target.display()))?;
        s.backup = Some(backup);
    }
    fs_ops
        .rename(&s.temp, &s.target)
        .with_context(|| format!("{}: cannot replace", s.target.display()))
}

/// Undoes the renames of `staged[..failed]` and removes every temporary
/// file of this run.
fn roll_back(staged: &[Staged], failed: usize) {
    for s in staged[..failed].iter().rev() {
        match &s.backup {
            Some(backup) => {
                let _ = fs::rename(backup, &s.target);
            }
            None => {
                let _ = fs::remove_file(&s.target);
            }
        }
    }
    for s in &staged[failed..] {
        let _ = fs::remove_file(&s.temp);
        if let Some(backup) = &s.backup {
            let _ = fs::remove_file(backup);
        }
    }
}

/// A token unique to this write: two runs of one process id (a container
/// restarted) still never share a temporary name.
fn token() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    format!("{:016x}", h.finish())
}

/// Removes the temporary files that runs now dead left in `out` and its
/// immediate subfolders. A file of a process still running (another run
/// writing this folder, from before it took the lock) is left alone; a
/// symlinked folder is never entered, so nothing outside `out` is touched.
fn remove_stale_temps(out: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if let Ok(inner) = fs::read_dir(entry.path()) {
                for e in inner.flatten() {
                    remove_if_stale_temp(&e);
                }
            }
        } else {
            remove_if_stale_temp(&entry);
        }
    }
}

fn remove_if_stale_temp(entry: &fs::DirEntry) {
    let name = entry.file_name();
    let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
        return;
    };
    if entry.file_type().is_ok_and(|t| t.is_dir()) {
        return;
    }
    let owner: Option<u32> = rest.split('-').next().and_then(|pid| pid.parse().ok());
    if owner.is_some_and(is_alive) {
        return;
    }
    let _ = fs::remove_file(entry.path());
}

/// Whether a process with this id exists (signal 0 checks without sending).
fn is_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only reports whether the
    // process exists (EPERM: it exists, owned by someone else).
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Vec<RenderedFile> {
        pairs
            .iter()
            .map(|(p, b)| (PathBuf::from(p), b.as_bytes().to_vec()))
            .collect()
    }

    /// Every file under `dir`, with its content.
    fn tree(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let e = e.unwrap();
            if e.file_type().is_file() {
                out.push((
                    e.path().strip_prefix(dir).unwrap().display().to_string(),
                    fs::read_to_string(e.path()).unwrap(),
                ));
            }
        }
        out
    }

    /// Real file operations, failing the `fail_write`-th write or the
    /// `fail_rename`-th rename (counted from 0).
    struct Failing {
        writes: usize,
        renames: usize,
        fail_write: Option<usize>,
        fail_rename: Option<usize>,
    }

    impl Fs for Failing {
        fn write(&mut self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
            self.writes += 1;
            if Some(self.writes - 1) == self.fail_write {
                // A full disk: half the file made it.
                fs::write(path, &bytes[..bytes.len() / 2])?;
                return Err(std::io::Error::from_raw_os_error(libc::ENOSPC));
            }
            RealFs.write(path, bytes)
        }

        fn rename(&mut self, from: &Path, to: &Path) -> std::io::Result<()> {
            self.renames += 1;
            if Some(self.renames - 1) == self.fail_rename {
                return Err(std::io::Error::from_raw_os_error(libc::EIO));
            }
            RealFs.rename(from, to)
        }
    }

    fn failing(fail_write: Option<usize>, fail_rename: Option<usize>) -> Failing {
        Failing {
            writes: 0,
            renames: 0,
            fail_write,
            fail_rename,
        }
    }

    #[test]
    fn replaces_files_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &files(&[("a/x.txt", "one"), ("y.txt", "two")])).unwrap();
        write_all(dir.path(), &files(&[("y.txt", "three")])).unwrap();
        assert_eq!(
            tree(dir.path()),
            [
                ("a/x.txt".to_string(), "one".to_string()),
                ("y.txt".to_string(), "three".to_string())
            ]
        );
    }

    #[test]
    fn a_rename_failing_midway_puts_the_old_set_back_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let old = files(&[("a/x.txt", "old x"), ("y.txt", "old y")]);
        write_all(dir.path(), &old).unwrap();
        let before = tree(dir.path());
        let new = files(&[
            ("a/x.txt", "new x"),
            ("a/new.txt", "brand new"),
            ("y.txt", "new y"),
            ("z.txt", "new z"),
        ]);
        for fail in 0..new.len() {
            let err = write_with(dir.path(), &new, &mut failing(None, Some(fail))).unwrap_err();
            assert!(format!("{err:#}").contains("cannot replace"), "{err:#}");
            assert_eq!(tree(dir.path()), before, "rename {fail} failed");
        }
    }

    #[test]
    fn a_full_disk_leaves_no_temporary_file_and_the_old_reports() {
        let dir = tempfile::tempdir().unwrap();
        let old = files(&[("a/x.txt", "old x"), ("y.txt", "old y")]);
        write_all(dir.path(), &old).unwrap();
        let before = tree(dir.path());
        let new = files(&[("a/x.txt", "new x"), ("y.txt", "new y"), ("z.txt", "z")]);
        for fail in 0..new.len() {
            let err = write_with(dir.path(), &new, &mut failing(Some(fail), None)).unwrap_err();
            assert!(format!("{err:#}").contains("cannot write"), "{err:#}");
            assert_eq!(tree(dir.path()), before, "write {fail} failed");
        }
    }

    #[test]
    fn only_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("a")).unwrap();
        let mine = format!("{TEMP_PREFIX}{}-t-0-x.txt", std::process::id());
        // A process that has exited: its id is free (barring reuse).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = format!("{TEMP_PREFIX}{dead}-t-0-x.txt");
        fs::write(dir.path().join("a").join(&mine), "live").unwrap();
        fs::write(dir.path().join("a").join(&stale), "dead").unwrap();
        fs::write(dir.path().join("a/report.txt"), "keep").unwrap();
        remove_stale_temps(dir.path());
        let left: Vec<String> = tree(dir.path()).into_iter().map(|(p, _)| p).collect();
        assert_eq!(left, [format!("a/{mine}"), "a/report.txt".to_string()]);
    }

    #[test]
    fn stale_temp_cleanup_never_enters_a_symlinked_folder() {
        let outside = tempfile::tempdir().unwrap();
        let stale = outside.path().join(format!("{TEMP_PREFIX}999999999-t-0-x"));
        fs::write(&stale, "not ours to remove").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        remove_stale_temps(dir.path());
        assert!(stale.exists());
    }

    #[test]
    fn a_held_output_lock_makes_a_second_writer_wait_then_give_up() {
        let dir = tempfile::tempdir().unwrap();
        let held = OutputLock::acquire_within(dir.path(), Duration::ZERO).unwrap();
        let err = OutputLock::acquire_within(dir.path(), Duration::from_millis(20)).unwrap_err();
        assert!(
            err.to_string().contains("another listpulse process"),
            "{err}"
        );
        drop(held);
        OutputLock::acquire_within(dir.path(), Duration::ZERO).unwrap();
    }
}
