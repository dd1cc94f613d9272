//! Files people write and hand to listpulse: rosters, check-in responses and
//! aliases. This module reads them (on the `csv` crate where they are CSV:
//! quoted fields over several lines, a byte-order mark, CRLF), checks every
//! row, and turns them into typed values; storing them is the store's job,
//! and what an address *is* is [`crate::identity`]'s.
//!
//! Every error names the file and the 1-based line it starts on, and nothing
//! is returned from a file with a bad row: a typo must not half-import.

pub mod aliases;
pub mod checkins;
pub mod roster;

use std::path::{Path, PathBuf};

/// A file that could not be read as what it was given as.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A bad row or header, with its 1-based line.
    #[error("{path}:{line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// Where the row starts.
        line: u64,
        /// What is wrong, and the fix where it is known.
        message: String,
    },
    /// The whole file is unusable.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl InputError {
    fn row(path: &Path, line: u64, message: impl Into<String>) -> InputError {
        InputError::Row {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    fn file(path: &Path, message: impl Into<String>) -> InputError {
        InputError::File {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// Reads a whole input file as text. Bytes that are not UTF-8 are replaced
/// rather than refused: an address is ASCII, and a name with a stray Latin-1
/// byte is still worth importing. A leading byte-order mark is dropped.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| InputError::file(path, e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// A cell as the user meant it: trimmed, and without the `'` a spreadsheet
/// (or listpulse's own report CSVs, OWASP's rule) puts before a leading `=`,
/// `+`, `-`, `@`, TAB or CR so the cell is not read as a formula. A scrambled
/// key copied from a report into an aliases file thus still matches.
///
/// ```
/// use listpulse::inputs::cell;
/// assert_eq!(cell("  '@@e|||@on @end|ng |rom x@org "), "@@e|||@on @end|ng |rom x@org");
/// assert_eq!(cell("'quoted"), "'quoted");
/// ```
pub fn cell(raw: &str) -> &str {
    let t = raw.trim();
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.trim(),
        _ => t,
    }
}

/// A `YYYY-MM-DD` cell, the error naming the column and value.
fn date_cell(column: &str, value: &str) -> Result<crate::day::Day, String> {
    crate::day::parse(value).map_err(|e| format!("{column} {e}"))
}

/// A CSV reader over `text` with the settings every input uses: a header
/// row, ragged rows allowed (a spreadsheet drops trailing empty cells), no
/// trimming inside the crate (cells are trimmed by [`cell`]).
fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The 1-based line of the first character at or after `byte` that is not
/// a line break. The csv crate's own line count skips blank lines, so a
/// record's line is worked out from its byte offset instead.
fn line_of(text: &str, byte: usize) -> u64 {
    let bytes = text.as_bytes();
    let mut at = byte.min(bytes.len());
    while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
        at += 1;
    }
    bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

/// The non-empty records of a CSV text with the line each starts on.
/// Comment lines (`#`) and blank lines are skipped.
fn csv_records(path: &Path, text: &str) -> Result<Vec<(u64, Vec<String>)>, InputError> {
    let mut out = Vec::new();
    for record in csv_reader(text).records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line());
            InputError::row(path, line, format!("not CSV: {e}"))
        })?;
        let line = record
            .position()
            .map_or(1, |p| line_of(text, p.byte() as usize));
        let cells: Vec<String> = record.iter().map(|c| cell(c).to_string()).collect();
        if cells.iter().all(String::is_empty) || cells[0].starts_with('#') {
            continue;
        }
        out.push((line, cells));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::formula("'=1+2", "=1+2")]
    #[case::plus("'+44 20", "+44 20")]
    #[case::minus("'-3", "-3")]
    #[case::at("'@x", "@x")]
    #[case::tab("'\tx", "x")]
    #[case::plain_quote("'tis", "'tis")]
    #[case::only_one_quote_dropped("''=x", "''=x")]
    fn a_spreadsheets_formula_guard_is_dropped(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(cell(raw), want);
    }

    #[test]
    fn records_keep_the_line_they_start_on_across_quoted_line_breaks() {
        let text = "address,name\n\n\"a@x.org\",\"Doe,\nJane\"\r\n# note\nb@x.org\n";
        let got = csv_records(Path::new("r.csv"), text).unwrap();
        let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 3, 6]);
        assert_eq!(got[1].1, ["a@x.org", "Doe,\nJane"]);
    }
}
