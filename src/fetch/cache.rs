//! The download cache: where each remote archive's periods and each fetched
//! roster live on disk, and how a file gets there whole or not at all.
//!
//! Layout, under `archive_cache`:
//!
//! ```text
//! <slug>/archives/<host>_<path>/2024-January.txt.gz     one file per period
//! <slug>/archives/<host>_<path>/.2024-January.txt.gz.validators
//! <slug>/roster/2026-12-02/roster.csv                   address,name (members)
//! <slug>/roster/2026-12-02/roles.csv                    address,name,role
//! ```
//!
//! Every file is written to a dot-named temporary file in the same folder
//! and renamed when complete, so a killed run or a cut connection leaves no
//! half-written file under a real name; ingest passes over dotfiles, so
//! neither the temporaries nor the validators are mistaken for archives.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;

/// `ETag` and `Last-Modified` of a cached file, sent back as
/// `If-None-Match` and `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header, as sent.
    pub etag: Option<String>,
    /// The `Last-Modified` header, as sent.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to make a request conditional with.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The sidecar file for `file`: `.NAME.validators` beside it.
    pub fn path_for(file: &Path) -> PathBuf {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        file.with_file_name(format!(".{name}.validators"))
    }

    /// Reads the validators stored for `file` (none when there are none).
    pub fn load(file: &Path) -> Validators {
        let mut v = Validators::default();
        if let Ok(text) = std::fs::read_to_string(Validators::path_for(file)) {
            for line in text.lines() {
                if let Some(etag) = line.strip_prefix("etag: ") {
                    v.etag = Some(etag.to_string());
                } else if let Some(date) = line.strip_prefix("last-modified: ") {
                    v.last_modified = Some(date.to_string());
                }
            }
        }
        v
    }

    /// Stores the validators for `file`, or removes stale ones.
    pub fn store(&self, file: &Path) -> std::io::Result<()> {
        let path = Validators::path_for(file);
        if self.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            };
        }
        let mut text = String::new();
        if let Some(etag) = &self.etag {
            text.push_str(&format!("etag: {etag}\n"));
        }
        if let Some(date) = &self.last_modified {
            text.push_str(&format!("last-modified: {date}\n"));
        }
        write_atomically(&path, text.as_bytes())
    }
}

/// A file being written: a dot-named temporary in the destination's folder,
/// removed on drop unless [`TempFile::persist`] renamed it into place.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    /// Creates a new temporary file in `dir` (created if missing).
    pub fn create(dir: &Path) -> std::io::Result<TempFile> {
        std::fs::create_dir_all(dir)?;
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".download-{}-{n}.part", std::process::id()));
        let file = File::create(&path)?;
        Ok(TempFile {
            path,
            file: Some(file),
        })
    }

    /// Where it is while being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs it and renames it to `dest`.
    pub fn persist(mut self, dest: &Path) -> std::io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        std::fs::rename(&self.path, dest)?;
        self.path = PathBuf::new();
        Ok(())
    }
}

impl Write for TempFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("temporary file already closed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.file.take();
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = TempFile::create(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(path)
}

/// Removes temporaries a killed run left in `dir` (not recursive).
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".download-") && name.ends_with(".part") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The folder of one remote archive: `<cache>/<slug>/archives/<host>_<path>`,
/// every character outside `[A-Za-z0-9.@_-]` made `_`, so two lists on one
/// host, or one list under two coalitions, never share a folder.
///
/// ```
/// use std::path::Path;
/// let dir = listpulse::fetch::cache::archive_dir(
///     Path::new("/c"), "dc-x", "https://lists.example.org/pipermail/dc-x/");
/// assert_eq!(dir, Path::new("/c/dc-x/archives/lists.example.org_pipermail_dc-x"));
/// ```
pub fn archive_dir(cache: &Path, slug: &str, url: &str) -> PathBuf {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let key: String = rest
        .trim_end_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let key = key.trim_start_matches('.').to_string();
    cache.join(slug).join("archives").join(key)
}

/// The folder of a coalition's fetched rosters.
pub fn roster_root(cache: &Path, slug: &str) -> PathBuf {
    cache.join(slug).join("roster")
}

/// The roster files written on `day`: `(roster.csv, roles.csv)`.
pub fn roster_files(cache: &Path, slug: &str, day: NaiveDate) -> (PathBuf, PathBuf) {
    let dir = roster_root(cache, slug).join(day.format("%Y-%m-%d").to_string());
    (dir.join("roster.csv"), dir.join("roles.csv"))
}

/// The newest roster fetched for `slug`, with the day it was taken.
pub fn latest_roster(cache: &Path, slug: &str) -> Option<(PathBuf, NaiveDate)> {
    let entries = std::fs::read_dir(roster_root(cache, slug)).ok()?;
    entries
        .flatten()
        .filter_map(|e| {
            let day =
                NaiveDate::parse_from_str(&e.file_name().to_string_lossy(), "%Y-%m-%d").ok()?;
            let file = e.path().join("roster.csv");
            file.is_file().then_some((file, day))
        })
        .max_by_key(|(_, day)| *day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temp_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut t = TempFile::create(dir.path()).unwrap();
            t.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn validators_round_trip_beside_their_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("2024.txt.gz");
        let v = Validators {
            etag: Some("\"abc\"".into()),
            last_modified: Some("Tue, 01 Dec 2026 10:00:00 GMT".into()),
        };
        v.store(&file).unwrap();
        assert!(dir.path().join(".2024.txt.gz.validators").is_file());
        assert_eq!(Validators::load(&file), v);
        Validators::default().store(&file).unwrap();
        assert_eq!(Validators::load(&file), Validators::default());
    }

    #[test]
    fn the_latest_roster_is_the_latest_day() {
        let dir = tempfile::tempdir().unwrap();
        for day in ["2026-01-05", "2026-03-01", "2025-12-31"] {
            let (roster, _) = roster_files(dir.path(), "dc", day.parse().unwrap());
            std::fs::create_dir_all(roster.parent().unwrap()).unwrap();
            std::fs::write(&roster, "address,name\n").unwrap();
        }
        let (path, day) = latest_roster(dir.path(), "dc").unwrap();
        assert_eq!(day.to_string(), "2026-03-01");
        assert!(path.ends_with("2026-03-01/roster.csv"));
    }
}
