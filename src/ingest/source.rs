//! Finding input files and getting their bytes: directory walks, memory
//! mapping, gzip. Format detection is left to [`super::detect`].

use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use super::IngestError;

/// A file's content, decompressed if it was gzip.
pub enum Loaded {
    /// Memory-mapped: the OS pages it in as the splitter reads it.
    Mapped(memmap2::Mmap),
    /// Read into memory (gzip, `--no-mmap`, or an empty file, which cannot be mapped).
    Owned(Vec<u8>),
}

impl Deref for Loaded {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Loaded::Mapped(m) => m,
            Loaded::Owned(v) => v,
        }
    }
}

/// Reads `path`, decompressing gzip (by its magic bytes, not its name).
///
/// Concatenated gzip members (`cat a.gz b.gz`) are all read: `MultiGzDecoder`.
pub fn load(path: &Path, no_mmap: bool) -> Result<Loaded, IngestError> {
    let unreadable = |what: String| IngestError::Unreadable {
        path: path.to_path_buf(),
        what,
    };
    let mut file = File::open(path).map_err(|e| unreadable(io_what(&e)))?;
    let len = file.metadata().map_err(|e| unreadable(io_what(&e)))?.len();
    let mut magic = [0u8; 2];
    let is_gzip = len >= 2 && file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    if is_gzip {
        let file = File::open(path).map_err(|e| unreadable(io_what(&e)))?;
        let mut out = Vec::with_capacity((len as usize).saturating_mul(4));
        flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 16, file))
            .read_to_end(&mut out)
            .map_err(|e| unreadable(format!("broken gzip stream: {e}")))?;
        return Ok(Loaded::Owned(out));
    }
    if no_mmap || len == 0 {
        let mut out = Vec::with_capacity(len as usize);
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut out))
            .map_err(|e| unreadable(io_what(&e)))?;
        return Ok(Loaded::Owned(out));
    }
    // SAFETY: the map is read-only and lives only while this file is parsed.
    // If another process truncates the file meanwhile the OS raises SIGBUS;
    // `--no-mmap` exists for inputs that may change under us.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| unreadable(io_what(&e)))?;
    Ok(Loaded::Mapped(map))
}

fn io_what(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Expands files and directories into the files to read, sorted by path
/// within each directory so runs are reproducible.
///
/// Dotfiles and dot-directories are passed over, and so are maildir `tmp/`
/// folders (messages still being delivered). A path that does not exist is
/// returned as an error entry so the caller can name it and go on.
pub fn discover(paths: &[PathBuf]) -> Vec<Result<PathBuf, IngestError>> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut out),
            Ok(_) => out.push(Ok(path.clone())),
            Err(e) => out.push(Err(IngestError::Unreadable {
                path: path.clone(),
                what: io_what(&e),
            })),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<Result<PathBuf, IngestError>>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.push(Err(IngestError::Unreadable {
                path: dir.to_path_buf(),
                what: io_what(&e),
            }));
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        let name = child
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        match std::fs::metadata(&child) {
            Ok(meta) if meta.is_dir() => {
                if name == "tmp" && is_maildir(dir) {
                    continue;
                }
                walk(&child, out);
            }
            Ok(_) => out.push(Ok(child)),
            Err(e) => out.push(Err(IngestError::Unreadable {
                path: child.clone(),
                what: io_what(&e),
            })),
        }
    }
}

/// A maildir holds `cur/` and `new/` side by side.
fn is_maildir(dir: &Path) -> bool {
    dir.join("cur").is_dir() && dir.join("new").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn discover_skips_dotfiles_and_maildir_tmp() {
        let dir = tempfile::tempdir().unwrap();
        let md = dir.path().join("box");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        std::fs::write(md.join("cur/1"), "x").unwrap();
        std::fs::write(md.join("new/2"), "x").unwrap();
        std::fs::write(md.join("tmp/3"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        let found: Vec<PathBuf> = discover(&[dir.path().to_path_buf(), dir.path().join("missing")])
            .into_iter()
            .filter_map(Result::ok)
            .collect();
        assert_eq!(found, vec![md.join("cur/1"), md.join("new/2")]);
        assert_eq!(
            discover(&[dir.path().join("missing")])
                .iter()
                .filter(|r| r.is_err())
                .count(),
            1
        );
    }

    #[test]
    fn gzip_is_detected_by_content_and_all_members_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-extension");
        let mut f = File::create(&path).unwrap();
        for part in [&b"first "[..], b"second"] {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(part).unwrap();
            f.write_all(&enc.finish().unwrap()).unwrap();
        }
        drop(f);
        assert_eq!(&*load(&path, false).unwrap(), b"first second");
    }

    #[test]
    fn truncated_gzip_is_unreadable_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&b"From a@b Mon Jan  1 00:00:00 2024\n\nhello\n".repeat(100))
            .unwrap();
        let bytes = enc.finish().unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = load(&path, false).err().expect("truncated gzip must fail");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: broken gzip stream", path.display())),
            "{err}"
        );
    }

    #[test]
    fn empty_and_plain_files_load_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        assert!(load(&empty, false).unwrap().is_empty());
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "abc").unwrap();
        assert_eq!(&*load(&plain, false).unwrap(), b"abc");
        assert_eq!(&*load(&plain, true).unwrap(), b"abc");
    }
}
