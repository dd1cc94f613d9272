//! Putting rendered files in place so that a reader, or a run killed at any
//! moment, never sees half a report.
//!
//! Everything is rendered in memory first. Then each file is written to a
//! hidden temporary file in its own target folder (same file system, so the
//! rename is atomic), synced, and only when every temporary file is complete
//! are they renamed over the old reports, one quick rename each. A run killed
//! before the renames leaves the previous reports untouched; one killed during
//! them leaves every file whole, each either the old or the new version.
//! Temporary files a killed run left behind are removed by the next run.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::RenderedFile;

/// Prefix of temporary files, so a later run can recognise and remove them.
const TEMP_PREFIX: &str = ".listpulse-tmp-";

/// Writes `files` (paths relative to `out`) into `out`, atomically per file,
/// after all of them have been written to temporary files.
pub fn write_all(out: &Path, files: &[RenderedFile]) -> anyhow::Result<()> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::with_capacity(files.len());
    let result = (|| -> anyhow::Result<()> {
        for (rel, bytes) in files {
            let target = out.join(rel);
            let dir = target.parent().unwrap_or(out).to_path_buf();
            fs::create_dir_all(&dir)
                .with_context(|| format!("{}: cannot create the folder", dir.display()))?;
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temp = dir.join(format!("{TEMP_PREFIX}{}-{name}", std::process::id()));
            let mut f =
                File::create(&temp).with_context(|| format!("{}: cannot write", temp.display()))?;
            f.write_all(bytes)
                .and_then(|_| f.sync_all())
                .with_context(|| format!("{}: cannot write", temp.display()))?;
            staged.push((temp, target));
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (temp, _) in &staged {
            let _ = fs::remove_file(temp);
        }
        return Err(e);
    }
    for (temp, target) in &staged {
        fs::rename(temp, target)
            .with_context(|| format!("{}: cannot replace", target.display()))?;
    }
    // Make the renames themselves durable.
    let mut dirs: Vec<&Path> = staged.iter().filter_map(|(_, t)| t.parent()).collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        if let Ok(dir) = File::open(d) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// Removes temporary files an earlier, killed run left in `out` and its
/// immediate subfolders. Nothing else is touched.
pub fn remove_stale_temps(out: &Path) {
    let Ok(entries) = fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Ok(inner) = fs::read_dir(&path) {
                for e in inner.flatten() {
                    remove_if_temp(&e.path());
                }
            }
        } else {
            remove_if_temp(&path);
        }
    }
}

fn remove_if_temp(path: &Path) {
    if path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with(TEMP_PREFIX))
    {
        let _ = fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_files_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![
            (PathBuf::from("a/x.txt"), b"one".to_vec()),
            (PathBuf::from("y.txt"), b"two".to_vec()),
        ];
        write_all(dir.path(), &files).unwrap();
        write_all(dir.path(), &[(PathBuf::from("y.txt"), b"three".to_vec())]).unwrap();
        assert_eq!(fs::read(dir.path().join("a/x.txt")).unwrap(), b"one");
        assert_eq!(fs::read(dir.path().join("y.txt")).unwrap(), b"three");
        fs::write(
            dir.path().join("a").join(format!("{TEMP_PREFIX}1-x.txt")),
            b"half",
        )
        .unwrap();
        remove_stale_temps(dir.path());
        let mut names: Vec<_> = fs::read_dir(dir.path().join("a"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        names.sort();
        assert_eq!(names, vec![std::ffi::OsString::from("x.txt")]);
    }
}
