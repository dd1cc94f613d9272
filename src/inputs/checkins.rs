//! Check-in CSV files (DESIGN.md, "Check-in response"): rows of
//! `address,date,status`, `status` one of `full`, `observer`, `leave`.
//! Other columns (a note, a name) are allowed and ignored: coordinators keep
//! these files in a spreadsheet.

use std::path::Path;

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
