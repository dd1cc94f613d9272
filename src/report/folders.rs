//! Coalition folders listpulse owns. Each coalition folder gets a marker
//! file ([`MARKER`]) with its reports; when a coalition leaves the
//! configuration, `run` removes its folder, but only a folder that holds the
//! marker: a folder someone else put in the output (a `README`, a web
//! server's `assets/`) is never touched.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Exporter, ReportModel};

/// The marker's file name, in every coalition folder.
pub const MARKER: &str = ".listpulse-coalition";

/// The marker file: it says what the folder is and what will happen to it.
pub struct Marker;

impl Exporter<ReportModel> for Marker {
    fn file_name(&self) -> String {
        MARKER.into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        Ok(format!(
            "listpulse reports of the coalition '{}'.\nThis folder is removed by `listpulse run` when the coalition leaves the configuration.\n",
            model.coalition
        )
        .into_bytes())
    }
}

/// Removes the coalition folders of `out` that hold the marker but whose
/// name is not in `keep` (the configured slugs). Returns what it removed,
/// or the folder and the error where a removal failed.
pub fn remove_unconfigured(out: &Path, keep: &[&str]) -> Vec<(PathBuf, Option<std::io::Error>)> {
    let Ok(entries) = fs::read_dir(out) else {
        return vec![];
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !path.is_dir() || keep.contains(&name.as_str()) || !path.join(MARKER).is_file() {
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
    fn only_marked_folders_of_removed_coalitions_go() {
        let dir = tempfile::tempdir().unwrap();
        for (name, marked) in [("kept", true), ("gone", true), ("someone-elses", false)] {
            let d = dir.path().join(name);
            fs::create_dir(&d).unwrap();
            fs::write(d.join("index.html"), "x").unwrap();
            if marked {
                fs::write(d.join(MARKER), "x").unwrap();
            }
        }
        fs::write(dir.path().join("comparison.csv"), "x").unwrap();
        let removed = remove_unconfigured(dir.path(), &["kept"]);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, dir.path().join("gone"));
        assert!(removed[0].1.is_none());
        assert!(dir.path().join("kept/index.html").exists());
        assert!(dir.path().join("someone-elses/index.html").exists());
        assert!(dir.path().join("comparison.csv").exists());
    }
}
