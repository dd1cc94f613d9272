//! Check-in CSV files (DESIGN.md, "Check-in response"): rows of
//! `address,date,status`, `status` one of `full`, `observer`, `leave`.
//! Other columns (a note, a name) are allowed and ignored: coordinators keep
//! these files in a spreadsheet.

use std::fs::{OpenOptions, TryLockError};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{InputError, csv_records, date_cell, read_text};
use crate::classify::CheckinStatus;
use crate::day::Day;
use crate::identity::{looks_like_address, normalize_address};

/// One row of a check-in file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinRow {
    /// The 1-based line the row starts on (for reports of unmatched answers).
    pub line: u64,
    /// Normalised address.
    pub address: String,
    /// The day of the answer.
    pub day: Day,
    /// What they answered.
    pub status: CheckinStatus,
}

/// The header every check-in file must have (in any column order).
pub const HEADER: &str = "address,date,status";

/// Reads the check-in file at `path`.
pub fn read(path: &Path) -> Result<Vec<CheckinRow>, InputError> {
    parse(path, &read_text(path)?)
}

/// Parses the text of a check-in file (`path` only names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<Vec<CheckinRow>, InputError> {
    let records = csv_records(path, text)?;
    let Some((header_line, header)) = records.first() else {
        return Err(InputError::row(
            path,
            1,
            format!("empty file; expected the header {HEADER}"),
        ));
    };
    let header: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(a), Some(d), Some(s)) = (col("address"), col("date"), col("status")) else {
        let hint = if col("address").is_some() && (col("joined").is_some() || col("name").is_some())
        {
            "; this looks like a roster: import it with `listpulse roster import`"
        } else {
            ""
        };
        return Err(InputError::row(
            path,
            *header_line,
            format!("expected the header {HEADER}{hint}"),
        ));
    };
    let mut out = Vec::new();
    for (line, cells) in &records[1..] {
        let get = |c: usize| cells.get(c).map(String::as_str).unwrap_or("");
        let address = normalize_address(get(a));
        if !looks_like_address(&address) {
            return Err(InputError::row(
                path,
                *line,
                format!("'{}' is not an address", get(a)),
            ));
        }
        let day = date_cell("date", get(d)).map_err(|m| InputError::row(path, *line, m))?;
        let status = CheckinStatus::parse(get(s)).ok_or_else(|| {
            InputError::row(
                path,
                *line,
                format!("unknown status '{}'; write full, observer or leave", get(s)),
            )
        })?;
        out.push(CheckinRow {
            line: *line,
            address,
            day,
            status,
        });
    }
    Ok(out)
}

/// One answer to add to a check-in file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    /// The address, as the user typed it (checked, normalised).
    pub address: String,
    /// The day of the answer.
    pub day: Day,
    /// What they answered.
    pub status: CheckinStatus,
}

/// Checks an address typed on the command line: a real address, normalised.
pub fn answer_address(raw: &str) -> Result<String, String> {
    let address = normalize_address(raw);
    if crate::identity::is_real_address(&address) {
        Ok(address)
    } else {
        Err(format!("'{raw}' is not an address"))
    }
}

/// Appends `answers` to the check-in file at `path` (created with its header
/// when missing), keeping the file as the user's: its other columns, its
/// line endings, no formula guard (it is input, not a report). The whole
/// file is checked first, and replaced atomically (a temporary file, then a
/// rename), so a bad file is named and left alone and a reader never sees
/// half a file. Two processes adding at once both land: each holds a lock
/// on the file itself, waiting up to `wait` for the other.
pub fn append(path: &Path, answers: &[NewAnswer], wait: Duration) -> Result<usize, InputError> {
    let io = |e: std::io::Error| InputError::file(path, e.to_string());
    let deadline = Instant::now() + wait;
    // Lock the file that is at `path` when the lock is granted: one that
    // was replaced while we waited is a new file, locked anew.
    let _locked = loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {
                let held = file.metadata().map_err(io)?;
                let now = std::fs::metadata(path).map_err(io)?;
                if (held.dev(), held.ino()) == (now.dev(), now.ino()) {
                    break file;
                }
            }
            Err(TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(InputError::file(
                        path,
                        format!(
                            "another process has been writing this file for {} s; try again",
                            wait.as_secs()
                        ),
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    };
    let text = read_text(path)?;
    let (header, newline) = if text.trim().is_empty() {
        (
            vec!["address".to_string(), "date".into(), "status".into()],
            "\n",
        )
    } else {
        parse(path, &text).map_err(|e| match e {
            InputError::Row {
                path,
                line,
                message,
            } => InputError::Row {
                path,
                line,
                message: format!("{message}; fix the file before recording answers"),
            },
            other => other,
        })?;
        let first = csv_records(path, &text)?
            .into_iter()
            .next()
            .map(|(_, cells)| cells)
            .unwrap_or_default();
        let header = first.iter().map(|h| h.to_lowercase()).collect();
        (header, if text.contains("\r\n") { "\r\n" } else { "\n" })
    };
    let mut out = String::new();
    if text.trim().is_empty() {
        out.push_str(&format!("address,date,status{newline}"));
    } else {
        out.push_str(&text);
        if !text.ends_with('\n') {
            out.push_str(newline);
        }
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(if newline == "\r\n" {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    for a in answers {
        let day = crate::day::format(a.day);
        let record: Vec<&str> = header
            .iter()
            .map(|h| match h.as_str() {
                "address" => a.address.as_str(),
                "date" => day.as_str(),
                "status" => a.status.as_str(),
                _ => "",
            })
            .collect();
        w.write_record(&record)
            .map_err(|e| InputError::file(path, e.to_string()))?;
    }
    let rows = w
        .into_inner()
        .map_err(|e| InputError::file(path, e.to_string()))?;
    out.push_str(&String::from_utf8_lossy(&rows));
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.listpulse-tmp", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&temp)?;
        f.write_all(out.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io(e));
    }
    Ok(answers.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn p(text: &str) -> Result<Vec<CheckinRow>, InputError> {
        parse(Path::new("c.csv"), text)
    }

    #[rstest]
    #[case::unknown_status(
        "address,date,status\na@x.org,2025-01-01,maybe\n",
        "c.csv:2: unknown status 'maybe'; write full, observer or leave"
    )]
    #[case::bad_date(
        "address,date,status\na@x.org,01/02/2025,full\n",
        "c.csv:2: date '01/02/2025' is not a date; write YYYY-MM-DD"
    )]
    #[case::five_digit_year(
        "address,date,status\na@x.org,+10000-01-01,full\n",
        "c.csv:2: date '+10000-01-01' is not a date; write YYYY-MM-DD"
    )]
    #[case::bad_header(
        "email,when,what\n",
        "c.csv:1: expected the header address,date,status"
    )]
    #[case::a_roster(
        "address,name,joined\na@x.org,A,\n",
        "c.csv:1: expected the header address,date,status; this looks like a roster: import it with `listpulse roster import`"
    )]
    #[case::bad_address(
        "address,date,status\n\nnobody,2025-01-01,full\n",
        "c.csv:3: 'nobody' is not an address"
    )]
    #[case::empty("", "c.csv:1: empty file; expected the header address,date,status")]
    fn bad_checkin_rows_are_named(#[case] text: &str, #[case] want: &str) {
        assert_eq!(p(text).unwrap_err().to_string(), want);
    }

    fn answer(address: &str, day: &str, status: CheckinStatus) -> NewAnswer {
        NewAnswer {
            address: address.into(),
            day: crate::day::parse(day).unwrap(),
            status,
        }
    }

    #[test]
    fn answers_are_appended_keeping_the_users_file_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.csv");
        let wait = Duration::from_secs(1);
        // A missing file is created with its header.
        append(
            &path,
            &[answer("a@x.org", "2025-06-03", CheckinStatus::Full)],
            wait,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "address,date,status\na@x.org,2025-06-03,full\n"
        );
        // Another column order, a note column, CRLF, a formula-looking note
        // and no final line break: all kept; the new row follows suit.
        std::fs::write(
            &path,
            "status,note,address,date\r\nfull,=SUM(1),b@x.org,2025-06-01",
        )
        .unwrap();
        append(
            &path,
            &[answer("c@x.org", "2025-06-04", CheckinStatus::Leave)],
            wait,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "status,note,address,date\r\nfull,=SUM(1),b@x.org,2025-06-01\r\nleave,,c@x.org,2025-06-04\r\n"
        );
        assert_eq!(read(&path).unwrap().len(), 2);
    }

    #[test]
    fn a_bad_file_is_named_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.csv");
        let text = "address,date,status\na@x.org,someday,full\n";
        std::fs::write(&path, text).unwrap();
        let err = append(
            &path,
            &[answer("c@x.org", "2025-06-04", CheckinStatus::Full)],
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(
            err.to_string().ends_with(
                "answers.csv:2: date 'someday' is not a date; write YYYY-MM-DD; fix the file before recording answers"
            ),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_held_lock_is_waited_for_then_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("answers.csv");
        std::fs::write(&path, "address,date,status\n").unwrap();
        let holder = std::fs::File::open(&path).unwrap();
        holder.lock().unwrap();
        let err = append(
            &path,
            &[answer("c@x.org", "2025-06-04", CheckinStatus::Full)],
            Duration::from_millis(100),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("another process has been writing this file"),
            "{err}"
        );
        drop(holder);
    }

    #[test]
    fn rows_keep_their_line_and_extra_columns_are_ignored() {
        let rows = p("note,status,address,date\n\"hi,\nthere\",Observer,A@x.org,2025-01-01\n,leave,b at x.org,2025-01-02\n")
            .unwrap();
        assert_eq!(
            rows.iter()
                .map(|r| (r.line, r.address.as_str(), r.status))
                .collect::<Vec<_>>(),
            [
                (2, "a@x.org", CheckinStatus::Observer),
                (4, "b@x.org", CheckinStatus::Leave)
            ]
        );
    }
}
