//! Roster files (DESIGN.md, "Roster file"): who is subscribed.
//!
//! Four formats, recognised by content: a CSV with the header
//! `address,name,joined,status`; a CSV whose first column holds addresses
//! (Postorius's export, with or without an `email` header); one address a
//! line (Mailman 2 `list_members`); `Display Name <address>` a line (Mailman 2
//! `list_members -f`, Mailman 3 `mailman members`). Anything else is refused
//! with what was expected, so a check-in file given by mistake is not stored
//! as a two-member roster.

use std::collections::HashMap;
use std::path::Path;

use super::{InputError, cell, csv_records, date_cell, read_text};
use crate::day::Day;
use crate::identity::{looks_like_address, normalize_address};

/// A declared status on a roster row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeclaredStatus {
    /// A full member.
    Full,
    /// An observer: never dormant for want of posts.
    Observer,
}

impl DeclaredStatus {
    /// The word used in files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredStatus::Full => "full",
            DeclaredStatus::Observer => "observer",
        }
    }

    /// Reads the word back (any case).
    pub fn parse(text: &str) -> Option<DeclaredStatus> {
        match text.trim().to_lowercase().as_str() {
            "full" => Some(DeclaredStatus::Full),
            "observer" => Some(DeclaredStatus::Observer),
            _ => None,
        }
    }
}

/// One member line of a roster file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RosterRow {
    /// Normalised address.
    pub address: String,
    /// Display name, if the file gives one.
    pub name: Option<String>,
    /// Join date, if given.
    pub joined: Option<Day>,
    /// Declared status, if given.
    pub status: Option<DeclaredStatus>,
}

/// The roster formats DESIGN.md names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    /// CSV with the header `address,name,joined,status` (only `address` required).
    CsvWithHeader,
    /// A CSV whose first column holds addresses (Postorius's export).
    AddressCsv,
    /// One address a line (Mailman 2 `list_members`).
    AddressLines,
    /// `Display Name <address>` a line (Mailman 2 `list_members -f`, Mailman 3 `mailman members`).
    NameAddressLines,
}

impl RosterFormat {
    /// The name shown in summaries and stored with the snapshot.
    pub fn as_str(self) -> &'static str {
        match self {
            RosterFormat::CsvWithHeader => "csv with header",
            RosterFormat::AddressCsv => "addresses-only csv",
            RosterFormat::AddressLines => "one address a line",
            RosterFormat::NameAddressLines => "name <address> lines",
        }
    }
}

/// A roster file, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterFile {
    /// How it was read.
    pub format: RosterFormat,
    /// One row per address, sorted.
    pub rows: Vec<RosterRow>,
}

/// The columns a roster CSV may have.
const ROSTER_COLUMNS: [&str; 4] = ["address", "name", "joined", "status"];
/// Headers that name the address column of an addresses-only CSV.
const EMAIL_HEADERS: [&str; 4] = ["email", "e-mail", "email address", "mail"];

/// Reads the roster file at `path`.
pub fn read(path: &Path) -> Result<RosterFile, InputError> {
    let text = read_text(path)?;
    let file = parse(path, &text)?;
    if file.rows.is_empty() {
        return Err(InputError::file(
            path,
            "no addresses found; is this a roster?",
        ));
    }
    Ok(file)
}

/// Parses the text of a roster file (`path` only names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<RosterFile, InputError> {
    let lines: Vec<(u64, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let Some(&(_, first)) = lines.first() else {
        return Ok(RosterFile {
            format: RosterFormat::AddressLines,
            rows: vec![],
        });
    };
    // `Name <address>` lines first: a name may hold a comma (`Doe, Jane <…>`).
    let name_lines = lines
        .iter()
        .any(|(_, l)| l.ends_with('>') && l.contains('<'));
    if name_lines && !first.to_lowercase().starts_with("address") {
        return name_address_lines(path, &lines);
    }
    let one_column_header = ROSTER_COLUMNS[..1]
        .iter()
        .chain(&EMAIL_HEADERS)
        .any(|h| first.eq_ignore_ascii_case(h));
    if first.contains(',') || first.contains('"') || one_column_header {
        return csv_roster(path, text);
    }
    let mut rows = Vec::new();
    for &(line, text) in &lines {
        rows.push(RosterRow {
            address: address(path, line, cell(text))?,
            name: None,
            joined: None,
            status: None,
        });
    }
    Ok(RosterFile {
        format: RosterFormat::AddressLines,
        rows: dedup(rows),
    })
}

fn name_address_lines(path: &Path, lines: &[(u64, &str)]) -> Result<RosterFile, InputError> {
    let mut rows = Vec::new();
    for &(line, text) in lines {
        let (name, addr) = match text.rfind('<') {
            Some(open) if text.ends_with('>') => {
                let name = text[..open].trim().trim_matches('"').trim();
                (
                    (!name.is_empty()).then(|| name.to_string()),
                    &text[open + 1..text.len() - 1],
                )
            }
            // `mailman members` prints a bare address where there is no name.
            _ => (None, text),
        };
        rows.push(RosterRow {
            address: address(path, line, cell(addr))?,
            name,
            joined: None,
            status: None,
        });
    }
    Ok(RosterFile {
        format: RosterFormat::NameAddressLines,
        rows: dedup(rows),
    })
}

fn csv_roster(path: &Path, text: &str) -> Result<RosterFile, InputError> {
    let records = csv_records(path, text)?;
    let Some((header_line, header)) = records.first() else {
        return Ok(RosterFile {
            format: RosterFormat::AddressCsv,
            rows: vec![],
        });
    };
    let header: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    if col("date").is_some() && col("status").is_some() {
        return Err(InputError::row(
            path,
            *header_line,
            format!(
                "this looks like a check-in file (header '{}'), not a roster; \
                 import it with `listpulse checkin import`",
                header.join(",")
            ),
        ));
    }
    if col("address").is_some() {
        if let Some(unknown) = header
            .iter()
            .find(|h| !h.is_empty() && !ROSTER_COLUMNS.contains(&h.as_str()))
        {
            return Err(InputError::row(
                path,
                *header_line,
                format!(
                    "unknown roster column '{unknown}'; a roster CSV has the header \
                     address,name,joined,status (only address required)"
                ),
            ));
        }
        let (a, n, j, s) = (
            col("address").unwrap_or(0),
            col("name"),
            col("joined"),
            col("status"),
        );
        let mut rows = Vec::new();
        for (line, cells) in &records[1..] {
            let get = |c: Option<usize>| {
                c.and_then(|c| cells.get(c))
                    .map(String::as_str)
                    .filter(|s| !s.is_empty())
            };
            let addr = address(path, *line, get(Some(a)).unwrap_or(""))?;
            let joined = get(j)
                .map(|d| date_cell("joined", d))
                .transpose()
                .map_err(|m| InputError::row(path, *line, m))?;
            let status = get(s)
                .map(|v| {
                    DeclaredStatus::parse(v).ok_or_else(|| {
                        InputError::row(
                            path,
                            *line,
                            format!("unknown status '{v}'; write full or observer"),
                        )
                    })
                })
                .transpose()?;
            rows.push(RosterRow {
                address: addr,
                name: get(n).map(str::to_string),
                joined,
                status,
            });
        }
        return Ok(RosterFile {
            format: RosterFormat::CsvWithHeader,
            rows: dedup(rows),
        });
    }
    // Postorius: addresses in the first column, under an `email` header or none.
    let first = &header[0];
    let skip = if looks_like_address(&normalize_address(first)) {
        0
    } else if EMAIL_HEADERS.contains(&first.as_str()) {
        1
    } else {
        return Err(InputError::row(
            path,
            *header_line,
            format!(
                "not a roster header: '{}'; expected address,name,joined,status, \
                 an email column, or one address a line",
                header.join(",")
            ),
        ));
    };
    let name = if skip == 1 {
        header
            .iter()
            .position(|h| h == "name" || h == "display_name" || h == "display name")
    } else {
        None
    };
    let mut rows = Vec::new();
    for (line, cells) in &records[skip..] {
        rows.push(RosterRow {
            address: address(path, *line, &cells[0])?,
            name: name
                .and_then(|c| cells.get(c))
                .filter(|s| !s.is_empty())
                .cloned(),
            joined: None,
            status: None,
        });
    }
    Ok(RosterFile {
        format: RosterFormat::AddressCsv,
        rows: dedup(rows),
    })
}

fn address(path: &Path, line: u64, raw: &str) -> Result<String, InputError> {
    let addr = normalize_address(raw);
    if looks_like_address(&addr) {
        Ok(addr)
    } else if raw.trim().is_empty() {
        Err(InputError::row(path, line, "no address"))
    } else {
        Err(InputError::row(
            path,
            line,
            format!("'{}' is not an address", raw.trim()),
        ))
    }
}

/// One row per address: the first row's name and status, the earliest join.
fn dedup(rows: Vec<RosterRow>) -> Vec<RosterRow> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<RosterRow> = Vec::new();
    for row in rows {
        match seen.get(&row.address) {
            Some(&i) => {
                let kept = &mut out[i];
                kept.joined = match (kept.joined, row.joined) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
            None => {
                seen.insert(row.address.clone(), out.len());
                out.push(row);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn p(text: &str) -> Result<RosterFile, InputError> {
        parse(Path::new("r.csv"), text)
    }

    fn day(s: &str) -> Day {
        crate::day::parse(s).unwrap()
    }

    #[rstest]
    #[case::csv_with_header(
        "address,name,joined,status\nJane@A.org,\"Doe, Jane\",2020-01-02,observer\nbob@b.org,,,\n",
        RosterFormat::CsvWithHeader,
        2
    )]
    #[case::csv_header_in_any_order(
        "status,address\nfull,jane@a.org\n",
        RosterFormat::CsvWithHeader,
        1
    )]
    #[case::bom_and_crlf(
        "\u{feff}address,name\r\njane@a.org,Jane\r\n",
        RosterFormat::CsvWithHeader,
        1
    )]
    #[case::postorius_with_header(
        "email,display_name\njane@a.org,Jane\nbob@b.org,\n",
        RosterFormat::AddressCsv,
        2
    )]
    #[case::postorius_without_header("jane@a.org,Jane\nbob@b.org,\n", RosterFormat::AddressCsv, 2)]
    #[case::mailman2_list_members("jane@a.org\nbob@b.org\n\n", RosterFormat::AddressLines, 2)]
    #[case::pipermail_style("jane at a.org\n", RosterFormat::AddressLines, 1)]
    #[case::mailman_members_f(
        "Jane Doe <jane@a.org>\nbob@b.org\n\"Doe, Al\" <al@c.org>\n",
        RosterFormat::NameAddressLines,
        3
    )]
    #[case::a_scrambled_key(
        "address\npd@me@ @end|ng |rom cb@@dk\n",
        RosterFormat::CsvWithHeader,
        1
    )]
    fn roster_formats_are_recognised(
        #[case] text: &str,
        #[case] format: RosterFormat,
        #[case] n: usize,
    ) {
        let f = p(text).unwrap();
        assert_eq!((f.format, f.rows.len()), (format, n));
    }

    #[test]
    fn a_quoted_name_may_run_over_several_lines() {
        let f = p("address,name,joined\n\"jane@a.org\",\"Jane\nDoe\",2020-01-02\nbob@b.org,Bob,\n")
            .unwrap();
        assert_eq!(
            f.rows,
            vec![
                RosterRow {
                    address: "bob@b.org".into(),
                    name: Some("Bob".into()),
                    joined: None,
                    status: None
                },
                RosterRow {
                    address: "jane@a.org".into(),
                    name: Some("Jane\nDoe".into()),
                    joined: Some(day("2020-01-02")),
                    status: None
                },
            ]
        );
    }

    #[test]
    fn spreadsheet_formula_guards_are_dropped() {
        let f = p("address,name\njane@a.org,'=Jane\n").unwrap();
        assert_eq!(f.rows[0].name.as_deref(), Some("=Jane"));
    }

    #[rstest]
    #[case::bad_status(
        "address,status\na@x.org,full\nb@x.org,member\n",
        "r.csv:3: unknown status 'member'; write full or observer"
    )]
    #[case::bad_date(
        "address,joined\na@x.org,2020-13-01\n",
        "r.csv:2: joined '2020-13-01' is not a date; write YYYY-MM-DD"
    )]
    #[case::five_digit_year(
        "address,joined\na@x.org,+10000-01-01\n",
        "r.csv:2: joined '+10000-01-01' is not a date; write YYYY-MM-DD"
    )]
    #[case::not_an_address("a@x.org\nhello\n", "r.csv:2: 'hello' is not an address")]
    #[case::missing_address("address,name\n,Jane\n", "r.csv:2: no address")]
    #[case::line_after_a_multi_line_name(
        "address,name\na@x.org,\"A\nB\"\nnope,C\n",
        "r.csv:4: 'nope' is not an address"
    )]
    #[case::a_checkin_file(
        "address,date,status\na@x.org,2025-01-01,full\n",
        "r.csv:1: this looks like a check-in file (header 'address,date,status'), not a roster; import it with `listpulse checkin import`"
    )]
    #[case::unknown_column(
        "address,role\na@x.org,owner\n",
        "r.csv:1: unknown roster column 'role'; a roster CSV has the header address,name,joined,status (only address required)"
    )]
    #[case::not_a_header(
        "who,what\na@x.org,x\n",
        "r.csv:1: not a roster header: 'who,what'; expected address,name,joined,status, an email column, or one address a line"
    )]
    fn bad_roster_rows_are_named(#[case] text: &str, #[case] want: &str) {
        assert_eq!(p(text).unwrap_err().to_string(), want);
    }
}
