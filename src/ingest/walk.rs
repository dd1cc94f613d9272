//! Which files to read: directories walked, glob patterns expanded, and each
//! real file listed once, whatever an archive folder holds (issue #12).
//!
//! The walk is `walkdir`'s, following symlinks (an archive folder often
//! links to where the list host keeps its files). What a folder written by
//! others can hold is met here:
//!
//! * a symlink back to a folder being walked (`ln -s . d/loop`) is a loop:
//!   walkdir detects it and the link is passed over in silence (it leads to
//!   nothing new);
//! * a folder reached again by another way (two links to one folder, a link
//!   beside its target) is walked once: folders are remembered by device and
//!   inode, so no arrangement of links makes the walk grow beyond the real
//!   tree, and a `**` pattern cannot explode either;
//! * a file reached twice (two links, a hard link, a glob and the folder it
//!   names) is listed once, by device and inode;
//! * FIFOs, sockets and devices are listed as errors naming them, and never
//!   opened ([`super::source::open`] checks again).
//!
//! Dotfiles and dot-folders are passed over, and so are maildir `tmp/`
//! folders (messages still being delivered). Within a folder, names are
//! sorted so runs are reproducible.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use glob::{MatchOptions, Pattern};
use walkdir::{DirEntry, WalkDir};

use super::IngestError;
use super::source::{regular, unreadable};

/// A file or folder as the file system knows it, whatever path reached it.
type FileId = (u64, u64);

fn id(meta: &std::fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

/// Expands files and directories into the files to read.
///
/// A path that does not exist, cannot be read or is not a regular file is
/// returned as an error entry so the caller can name it and go on, and so is
/// a directory in which the walk finds no file at all. A file already listed
/// (through another path) is not listed again.
pub fn discover(paths: &[PathBuf]) -> Vec<Result<PathBuf, IngestError>> {
    let mut walker = Walker::default();
    for path in paths {
        walker.root(path);
    }
    walker.out
}

/// The files and folders a pattern names, in path order: `*`, `?` and
/// `[…]` match within one path component, `**` any number of folders.
///
/// The pattern's literal leading folders are where the walk starts; it goes
/// only as deep as the pattern does (any depth for `**`), with the same loop
/// and repeat guards as [`discover`]. What the walk cannot read is returned
/// as an error entry; `Err` is a pattern that does not parse.
pub fn glob(pattern: &str) -> Result<Vec<Result<PathBuf, IngestError>>, String> {
    Pattern::new(pattern).map_err(|e| format!("bad pattern: {e}"))?;
    let options = MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    let path = Path::new(pattern);
    let mut root = PathBuf::new();
    let mut rest = Vec::new();
    for component in path.components() {
        let text = component.as_os_str().to_string_lossy();
        if rest.is_empty() && !text.contains(['*', '?', '[']) {
            root.push(component);
        } else {
            rest.push(text.into_owned());
        }
    }
    if rest.is_empty() {
        // No wildcard: the path itself, if it is there.
        return Ok(if path.exists() {
            vec![Ok(path.to_path_buf())]
        } else {
            Vec::new()
        });
    }
    let relative = root.as_os_str().is_empty();
    let start = if relative {
        Path::new(".")
    } else {
        root.as_path()
    };
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    // Matched below the walk's start, so `a/./b` or `a//b` in the pattern
    // (which path components normalise away) cannot make it miss.
    let matcher = Pattern::new(&rest.join("/")).map_err(|e| format!("bad pattern: {e}"))?;
    let max_depth = if rest.iter().any(|c| c.contains("**")) {
        usize::MAX
    } else {
        rest.len()
    };
    let mut seen_dirs: HashSet<FileId> = HashSet::new();
    let mut out = Vec::new();
    let walk = WalkDir::new(start)
        .follow_links(true)
        .min_depth(1)
        .max_depth(max_depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| first_visit(e, &mut seen_dirs));
    for entry in walk {
        match entry {
            Ok(entry) => {
                let below = entry.path().strip_prefix(start).unwrap_or(entry.path());
                if matcher.matches_path_with(below, options) {
                    out.push(Ok(if relative {
                        below.to_path_buf()
                    } else {
                        entry.path().to_path_buf()
                    }));
                }
            }
            Err(e) if e.loop_ancestor().is_some() => {}
            Err(e) => out.push(Err(walk_error(start, &e))),
        }
    }
    Ok(out)
}

/// Whether the walk should enter `entry`: every folder once, by its identity
/// (a folder reached through a second link is not walked again).
fn first_visit(entry: &DirEntry, seen: &mut HashSet<FileId>) -> bool {
    if !entry.file_type().is_dir() {
        return true;
    }
    match entry.metadata() {
        Ok(meta) => seen.insert(id(&meta)),
        Err(_) => true, // reported when the walk reads it
    }
}

/// The walk over every root, and what it found.
#[derive(Default)]
struct Walker {
    out: Vec<Result<PathBuf, IngestError>>,
    files: HashSet<FileId>,
    dirs: HashSet<FileId>,
}

impl Walker {
    fn root(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                if self.dirs.contains(&id(&meta)) {
                    return; // walked already, as a root or inside one
                }
                if !self.dir(path) {
                    self.out.push(Err(IngestError::NoFiles {
                        path: path.to_path_buf(),
                    }));
                }
            }
            Ok(meta) => self.file(path, &meta),
            Err(e) => self.out.push(Err(unreadable(path, &e))),
        }
    }

    /// Walks `root`; returns whether it reached anything: a file or an
    /// error, listed now or already through another path.
    fn dir(&mut self, root: &Path) -> bool {
        let mut again = 0usize; // folders and loops leading where the walk has been
        let dirs = &mut self.dirs;
        let entries: Vec<walkdir::Result<DirEntry>> = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let first = wanted(e) && first_visit(e, dirs);
                if !first && e.file_type().is_dir() && wanted(e) {
                    again += 1;
                }
                first
            })
            .collect();
        let mut reached = again > 0;
        for entry in entries {
            match entry {
                Ok(entry) if entry.file_type().is_dir() => {}
                Ok(entry) => {
                    reached = true;
                    match entry.metadata() {
                        Ok(meta) => self.file(entry.path(), &meta),
                        Err(e) => self.out.push(Err(walk_error(entry.path(), &e))),
                    }
                }
                Err(e) if e.loop_ancestor().is_some() => reached = true,
                Err(e) => {
                    reached = true;
                    self.out.push(Err(walk_error(root, &e)));
                }
            }
        }
        reached
    }

    /// Lists `path` once, or names why it cannot be read.
    fn file(&mut self, path: &Path, meta: &std::fs::Metadata) {
        if let Err(e) = regular(path, meta) {
            self.out.push(Err(e));
        } else if self.files.insert(id(meta)) {
            self.out.push(Ok(path.to_path_buf()));
        }
    }
}

/// Dotfiles, dot-folders and maildir `tmp/` folders are passed over (a root
/// given by name is read whatever its name).
fn wanted(entry: &DirEntry) -> bool {
    if entry.depth() == 0 {
        return true;
    }
    let name = entry.file_name().to_string_lossy();
    if name.starts_with('.') {
        return false;
    }
    if name == "tmp"
        && entry.file_type().is_dir()
        && let Some(parent) = entry.path().parent()
        && is_maildir(parent)
    {
        return false;
    }
    true
}

/// A maildir holds `cur/` and `new/` side by side.
fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

/// A walk error, naming the path it concerns.
fn walk_error(fallback: &Path, e: &walkdir::Error) -> IngestError {
    let path = e.path().unwrap_or(fallback);
    match e.io_error() {
        Some(io) => unreadable(path, io),
        None => IngestError::Unreadable {
            path: path.to_path_buf(),
            what: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn found(entries: Vec<Result<PathBuf, IngestError>>) -> (Vec<PathBuf>, Vec<String>) {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        for e in entries {
            match e {
                Ok(p) => files.push(p),
                Err(e) => errors.push(e.to_string()),
            }
        }
        (files, errors)
    }

    fn mkfifo(path: &Path) {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn dotfiles_and_maildir_tmp_are_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("box");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        std::fs::write(md.join("cur/1"), "x").unwrap();
        std::fs::write(md.join("new/2"), "x").unwrap();
        std::fs::write(md.join("tmp/3"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        let (files, errors) = found(discover(&[
            dir.path().to_path_buf(),
            dir.path().join("missing"),
        ]));
        assert_eq!(files, vec![md.join("cur/1"), md.join("new/2")]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].ends_with("missing: no such file or directory"));
    }

    #[test]
    fn two_symlink_loops_list_each_file_once_and_say_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("a.mbox"), "x").unwrap();
        symlink(".", d.join("l1")).unwrap();
        symlink(".", d.join("l2")).unwrap();
        symlink("..", d.join("up")).unwrap();
        let (files, errors) = found(discover(std::slice::from_ref(&d)));
        assert_eq!(files, vec![d.join("a.mbox")]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn a_file_or_folder_reached_by_several_paths_is_listed_once() {
        let dir = tempfile::tempdir().unwrap();
        let (d, x) = (dir.path().join("d"), dir.path().join("x"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::create_dir_all(x.join("deeper")).unwrap();
        std::fs::write(x.join("deeper/f.mbox"), "x").unwrap();
        // A diamond of folder links, a second link to the file, a hard link.
        symlink(&x, d.join("a")).unwrap();
        symlink(&x, d.join("b")).unwrap();
        symlink(x.join("deeper/f.mbox"), d.join("f-link")).unwrap();
        std::fs::hard_link(x.join("deeper/f.mbox"), d.join("f-hard")).unwrap();
        let (files, errors) = found(discover(&[d.clone(), x.clone(), d.clone()]));
        assert_eq!(files, vec![d.join("a/deeper/f.mbox")]);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn fifos_and_devices_are_named_and_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir(&d).unwrap();
        mkfifo(&d.join("fifo"));
        symlink("/dev/zero", d.join("zero")).unwrap();
        std::fs::write(d.join("ok.mbox"), "x").unwrap();
        let (files, errors) = found(discover(std::slice::from_ref(&d)));
        assert_eq!(files, vec![d.join("ok.mbox")]);
        assert_eq!(
            errors,
            vec![
                format!(
                    "{}: not a regular file (a FIFO); skipped",
                    d.join("fifo").display()
                ),
                format!(
                    "{}: not a regular file (a character device); skipped",
                    d.join("zero").display()
                ),
            ]
        );
        // Named directly, the same.
        let (files, errors) = found(discover(&[d.join("fifo")]));
        assert!(files.is_empty());
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn globs_go_as_deep_as_the_pattern_and_survive_loops() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("d");
        std::fs::create_dir_all(d.join("2024")).unwrap();
        std::fs::write(d.join("top.mbox"), "x").unwrap();
        std::fs::write(d.join("2024/jan.mbox"), "x").unwrap();
        std::fs::write(d.join("2024/notes.txt"), "x").unwrap();
        symlink(".", d.join("l1")).unwrap();
        symlink(".", d.join("l2")).unwrap();
        let names = |pattern: &Path| -> Vec<PathBuf> {
            let (files, errors) = found(glob(&pattern.to_string_lossy()).unwrap());
            assert!(errors.is_empty(), "{errors:?}");
            files
        };
        assert_eq!(names(&d.join("*.mbox")), vec![d.join("top.mbox")]);
        assert_eq!(names(&d.join("*/*.mbox")), vec![d.join("2024/jan.mbox")]);
        let deep = names(&d.join("**/*.mbox"));
        assert_eq!(deep, vec![d.join("2024/jan.mbox"), d.join("top.mbox")]);
        assert!(glob("[").is_err());
        // A `.` inside the pattern (a configuration's `./archives/*.mbox`
        // joined to its folder) still matches.
        let dotted = format!("{}/./*.mbox", d.display());
        assert_eq!(found(glob(&dotted).unwrap()).0, vec![d.join("top.mbox")]);
        assert!(names(&dir.path().join("nowhere/*.mbox")).is_empty());
    }
}
