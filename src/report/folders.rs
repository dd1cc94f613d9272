//! Coalition folders listpulse owns. Each coalition folder gets a marker
//! file ([`MARKER`]) naming the database its reports came from (by a
//! fingerprint of its path relative to the output folder: the output folder
//! is published, the server's paths are not its readers' business; and a
//! relative path is the same on every machine, so the committed demo stays
//! byte for byte what a run writes); when a
//! coalition leaves the configuration, `run` removes its folder, but only a
//! folder whose marker names this run's database: a folder someone else put
//! in the output (a `README`, a web server's `assets/`) or one written by
//! another configuration sharing the output folder is never touched.

use std::fs;
use std::path::{Path, PathBuf};

use super::RenderedFile;

/// The marker's file name, in every coalition folder.
pub const MARKER: &str = ".listpulse-coalition";

/// The line of the marker that names the database.
const DATABASE_LINE: &str = "database: ";

/// The database's fingerprint: the first 16 hex digits of the BLAKE3 hash
/// of its path relative to the output folder.
fn fingerprint(database: &Path) -> String {
    let hash = blake3::hash(database.as_os_str().as_encoded_bytes());
    hash.to_hex()[..16].to_string()
}

/// The marker file of the coalition `slug`, written from `database` (its
/// path relative to the output folder): what the folder is, when it will be
/// removed, and the database's fingerprint.
pub fn marker(slug: &str, database: &Path) -> RenderedFile {
    let text = format!(
        "listpulse reports of the coalition '{slug}'.\n\
         This folder is removed by `listpulse run` when the coalition leaves the configuration that uses this database:\n\
         {DATABASE_LINE}{}\n",
        fingerprint(database)
    );
    (Path::new(slug).join(MARKER), text.into_bytes())
}

/// Whether the marker text names `database`.
fn names(marker: &str, database: &Path) -> bool {
    let wanted = fingerprint(database);
    marker
        .lines()
        .filter_map(|l| l.strip_prefix(DATABASE_LINE))
        .any(|d| d == wanted)
}

/// Removes the coalition folders of `out` whose marker names `database` but
/// whose name is not in `keep` (the configured slugs). Returns what it
/// removed, or the folder and the error where a removal failed.
pub fn remove_unconfigured(
    out: &Path,
    keep: &[&str],
    database: &Path,
) -> Vec<(PathBuf, Option<std::io::Error>)> {
    let Ok(entries) = fs::read_dir(out) else {
        return vec![];
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        // `file_type` does not follow symlinks: a link is never entered.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) || keep.contains(&name.as_str()) {
            continue;
        }
        let path = entry.path();
        let ours = fs::read_to_string(path.join(MARKER)).is_ok_and(|m| names(&m, database));
        if !ours {
            continue;
        }
        let result = fs::remove_dir_all(&path).err();
        removed.push((path, result));
    }
    removed.sort_by(|a, b| a.0.cmp(&b.0));
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_marked_with_this_database_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = Path::new("/srv/listpulse/lp.db");
        let other = Path::new("/srv/other/lp.db");
        for (name, marked_with) in [
            ("kept", Some(db)),
            ("gone", Some(db)),
            ("another-config", Some(other)),
            ("someone-elses", None),
        ] {
            let d = dir.path().join(name);
            fs::create_dir(&d).unwrap();
            fs::write(d.join("index.html"), "x").unwrap();
            if let Some(database) = marked_with {
                let (_, bytes) = marker(name, database);
                fs::write(d.join(MARKER), bytes).unwrap();
            }
        }
        fs::write(dir.path().join("comparison.csv"), "x").unwrap();
        let removed = remove_unconfigured(dir.path(), &["kept"], db);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, dir.path().join("gone"));
        assert!(removed[0].1.is_none());
        for left in ["kept", "another-config", "someone-elses"] {
            assert!(dir.path().join(left).join("index.html").exists(), "{left}");
        }
        assert!(dir.path().join("comparison.csv").exists());
    }

    #[test]
    fn a_marker_names_its_database_exactly() {
        let (path, bytes) = marker("dc-x", Path::new("/a/lp.db"));
        assert_eq!(path, Path::new("dc-x").join(MARKER));
        let text = String::from_utf8(bytes).unwrap();
        assert!(names(&text, Path::new("/a/lp.db")));
        assert!(!names(&text, Path::new("/a/lp.db2")));
        assert!(!names(&text, Path::new("/a")));
    }

    #[test]
    fn a_symlinked_folder_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let db = Path::new("/x/lp.db");
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join(MARKER), marker("outside", db).1).unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&outside, out.join("link")).unwrap();
        assert!(remove_unconfigured(&out, &[], db).is_empty());
        assert!(outside.join(MARKER).exists());
    }
}
