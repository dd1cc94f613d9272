//! Opening input files: regular files only, and gzip undone. Which files to
//! open is [`super::walk`]'s business, format detection [`super::detect`]'s,
//! windowed reading [`super::stream`]'s.
//!
//! Files are read, not memory-mapped. A mapping's pages count as resident
//! memory once touched, so a 2 GB mapped archive costs 2 GB of RSS; reading
//! fixed windows keeps memory flat whatever the file's size, and the copy
//! costs little next to parsing (measured in README, "Performance").

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::IngestError;

/// An archive file opened for reading.
pub struct Opened {
    /// The content, decompressed where the file is gzip.
    pub reader: Box<dyn Read + Send>,
    /// Whether the file is gzip (so `max_decompressed` applies).
    pub compressed: bool,
}

/// Opens `path` for reading, decompressing gzip (by its magic bytes, not its
/// name). Concatenated gzip members (`cat a.gz b.gz`) are all read:
/// `MultiGzDecoder`, not `GzDecoder`.
///
/// Only regular files are opened: a FIFO would block the run (holding the
/// database lock) and a device such as `/dev/zero` would never end, so
/// anything else is refused by its type before it is opened. The type is
/// checked again on the open handle (opened non-blocking, so even a FIFO
/// swapped in between cannot block), in case the path changed in between.
pub fn open(path: &Path) -> Result<Opened, IngestError> {
    let meta = std::fs::metadata(path).map_err(|e| unreadable(path, &e))?;
    regular(path, &meta)?;
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| unreadable(path, &e))?;
    regular(path, &file.metadata().map_err(|e| unreadable(path, &e))?)?;
    let mut magic = [0u8; 2];
    let n = read_up_to(&mut file, &mut magic).map_err(|e| unreadable(path, &e))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| unreadable(path, &e))?;
    if n == 2 && magic == [0x1f, 0x8b] {
        Ok(Opened {
            reader: Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                1 << 16,
                file,
            ))),
            compressed: true,
        })
    } else {
        Ok(Opened {
            reader: Box::new(file),
            compressed: false,
        })
    }
}

/// `Ok` for a regular file, else why not.
pub(crate) fn regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), IngestError> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a file"
    };
    Err(IngestError::NotRegular {
        path: path.to_path_buf(),
        kind,
    })
}

/// Reads the whole (decompressed) content of `path`. For tests and small
/// files; ingest streams instead.
pub fn read_all(path: &Path) -> Result<Vec<u8>, IngestError> {
    let mut out = Vec::new();
    open(path)?
        .reader
        .read_to_end(&mut out)
        .map_err(|e| read_error(path, &e))?;
    Ok(out)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// An error opening `path`, worded for a person.
pub(crate) fn unreadable(path: &Path, e: &std::io::Error) -> IngestError {
    IngestError::Unreadable {
        path: path.to_path_buf(),
        what: io_what(e),
    }
}

/// An error while reading `path`'s content: for gzip input, the stream is broken.
pub(crate) fn read_error(path: &Path, e: &std::io::Error) -> IngestError {
    let what = match e.kind() {
        std::io::ErrorKind::InvalidInput
        | std::io::ErrorKind::InvalidData
        | std::io::ErrorKind::UnexpectedEof => format!("broken gzip stream: {e}"),
        _ => io_what(e),
    };
    IngestError::Unreadable {
        path: path.to_path_buf(),
        what,
    }
}

fn io_what(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

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
        assert_eq!(read_all(&path).unwrap(), b"first second");
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
        let err = read_all(&path).expect_err("truncated gzip must fail");
        assert!(
            err.to_string()
                .starts_with(&format!("{}: broken gzip stream", path.display())),
            "{err}"
        );
    }

    #[test]
    fn empty_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        assert!(read_all(&empty).unwrap().is_empty());
        let err = read_all(&dir.path().join("nope")).unwrap_err();
        assert!(
            err.to_string().ends_with("nope: no such file or directory"),
            "{err}"
        );
    }
}
