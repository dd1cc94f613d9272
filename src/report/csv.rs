//! The per-coalition CSV tables (DESIGN.md, "The member table" and the
//! tables after it), written with the `csv` crate from serde rows.
//!
//! Every text cell goes through [`Text`], which applies OWASP's rule
//! against spreadsheet formula injection: a cell that begins with `=`, `+`,
//! `-`, `@`, TAB or CR is written with a leading `'`, so a display name such
//! as `=HYPERLINK(…)` from a stranger's `From:` line stays text when the file
//! is opened in a spreadsheet. Numbers and dates are written as they are.
//! listpulse's own readers drop that `'` again ([`crate::inputs::cell`]).

use serde::{Serialize, Serializer};

use super::{Exporter, ReportModel};
use crate::classify::{CheckinStatus, MemberClass};
use crate::day::Day;
use crate::members::{FormerRow, MemberRow, MemberTable};

/// A text cell, guarded against formula injection when serialised.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a>(pub &'a str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&guard(self.0))
    }
}

/// OWASP's rule: text that a spreadsheet would read as a formula gets a
/// leading `'`.
///
/// ```
/// use listpulse::report::csv::guard;
/// assert_eq!(guard("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(guard("jane@example.org"), "jane@example.org");
/// assert_eq!(guard("@@e|||@on @end|ng |rom x@org"), "'@@e|||@on @end|ng |rom x@org");
/// ```
pub fn guard(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A day as ISO 8601, empty when unknown.
pub fn day(d: Option<Day>) -> String {
    d.map(crate::day::format).unwrap_or_default()
}

/// Writes `rows` as CSV with `header` first (the header is written even
/// when there are no rows, so an empty table still says what it would hold).
pub fn write_rows<T: Serialize>(header: &[&str], rows: &[T]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// The members.csv columns, in order (DESIGN.md, "The member table").
pub const MEMBER_COLUMNS: [&str; 12] = [
    "coalition",
    "person",
    "addresses",
    "class",
    "reason",
    "posts_in_period",
    "posts_total",
    "first_post",
    "last_post",
    "last_checkin",
    "checkin_status",
    "on_roster",
];

#[derive(Serialize)]
struct MemberCsvRow<'a> {
    coalition: Text<'a>,
    person: Text<'a>,
    addresses: Text<'a>,
    class: &'static str,
    reason: Text<'a>,
    posts_in_period: u64,
    posts_total: u64,
    first_post: String,
    last_post: String,
    last_checkin: String,
    checkin_status: &'static str,
    on_roster: bool,
}

fn status(s: Option<CheckinStatus>) -> &'static str {
    s.map(CheckinStatus::as_str).unwrap_or("")
}

/// The whole members.csv: header first, then the rows in table order. The
/// same bytes as `listpulse classify --format csv`.
pub fn members_csv(table: &MemberTable) -> anyhow::Result<Vec<u8>> {
    let joined: Vec<String> = table
        .members
        .iter()
        .map(|r| r.addresses.join(";"))
        .collect();
    let rows: Vec<MemberCsvRow<'_>> = table
        .members
        .iter()
        .zip(&joined)
        .map(|(r, addresses): (&MemberRow, &String)| MemberCsvRow {
            coalition: Text(&r.coalition),
            person: Text(&r.person),
            addresses: Text(addresses),
            class: r.class.as_str(),
            reason: Text(&r.reason),
            posts_in_period: r.posts_in_period,
            posts_total: r.posts_total,
            first_post: day(r.first_post),
            last_post: day(r.last_post),
            last_checkin: day(r.last_checkin),
            checkin_status: status(r.checkin_status),
            on_roster: r.on_roster,
        })
        .collect();
    write_rows(&MEMBER_COLUMNS, &rows)
}

/// The former.csv columns (DESIGN.md, after "The member table").
pub const FORMER_COLUMNS: [&str; 9] = [
    "coalition",
    "person",
    "addresses",
    "posts_total",
    "first_post",
    "last_post",
    "last_checkin",
    "checkin_status",
    "last_sign_of_life",
];

#[derive(Serialize)]
struct FormerCsvRow<'a> {
    coalition: Text<'a>,
    person: Text<'a>,
    addresses: Text<'a>,
    posts_total: u64,
    first_post: String,
    last_post: String,
    last_checkin: String,
    checkin_status: &'static str,
    last_sign_of_life: String,
}

/// The whole former.csv, in the table's order (latest sign of life first).
pub fn former_csv(table: &MemberTable) -> anyhow::Result<Vec<u8>> {
    let joined: Vec<String> = table.former.iter().map(|r| r.addresses.join(";")).collect();
    let rows: Vec<FormerCsvRow<'_>> = table
        .former
        .iter()
        .zip(&joined)
        .map(|(r, addresses): (&FormerRow, &String)| FormerCsvRow {
            coalition: Text(&r.coalition),
            person: Text(&r.person),
            addresses: Text(addresses),
            posts_total: r.posts_total,
            first_post: day(r.first_post),
            last_post: day(r.last_post),
            last_checkin: day(r.last_checkin),
            checkin_status: status(r.checkin_status),
            last_sign_of_life: day(r.last_sign_of_life),
        })
        .collect();
    write_rows(&FORMER_COLUMNS, &rows)
}

/// members.csv.
pub struct MembersCsv;

impl Exporter<ReportModel> for MembersCsv {
    fn file_name(&self) -> String {
        "members.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        members_csv(&model.table)
    }
}

/// former.csv: the former participants, apart from the members.
pub struct FormerCsv;

impl Exporter<ReportModel> for FormerCsv {
    fn file_name(&self) -> String {
        "former.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        former_csv(&model.table)
    }
}

/// The contacts.csv columns: mail-merge ready, `email,name` first.
pub const CONTACTS_COLUMNS: [&str; 7] = [
    "email",
    "name",
    "addresses",
    "last_sign_of_life",
    "reason",
    "on_roster",
    "round_status",
];

#[derive(Serialize)]
struct ContactCsvRow<'a> {
    email: Text<'a>,
    name: Text<'a>,
    addresses: Text<'a>,
    last_sign_of_life: String,
    reason: Text<'a>,
    on_roster: bool,
    round_status: &'static str,
}

/// contacts.csv: the dormant members to follow up, sorted by `email`, then
/// `name` (DESIGN.md). `round_status` stays empty until the check-in round
/// is evaluated.
pub struct ContactsCsv;

impl Exporter<ReportModel> for ContactsCsv {
    fn file_name(&self) -> String {
        "contacts.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let mut dormant: Vec<&MemberRow> = model
            .table
            .members
            .iter()
            .filter(|r| r.class == MemberClass::Dormant)
            .collect();
        dormant.sort_by(|a, b| (&a.email, &a.person).cmp(&(&b.email, &b.person)));
        let joined: Vec<String> = dormant.iter().map(|r| r.addresses.join(";")).collect();
        let rows: Vec<ContactCsvRow<'_>> = dormant
            .iter()
            .zip(&joined)
            .map(|(r, addresses)| ContactCsvRow {
                email: Text(r.email.as_deref().unwrap_or("")),
                name: Text(&r.person),
                addresses: Text(addresses),
                last_sign_of_life: day(r.last_sign_of_life),
                reason: Text(&r.reason),
                on_roster: r.on_roster,
                round_status: "",
            })
            .collect();
        write_rows(&CONTACTS_COLUMNS, &rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row<'a> {
        name: Text<'a>,
        n: i64,
    }

    #[test]
    fn text_cells_are_guarded_and_numbers_are_not() {
        let rows = [
            Row {
                name: Text("=HYPERLINK(\"http://evil.example/@x\",\"click\")"),
                n: -3,
            },
            Row {
                name: Text("+1 555"),
                n: 0,
            },
            Row {
                name: Text("\tx"),
                n: 1,
            },
            Row {
                name: Text("Jane, Doe"),
                n: 2,
            },
        ];
        let out = String::from_utf8(write_rows(&["name", "n"], &rows).unwrap()).unwrap();
        assert_eq!(
            out,
            "name,n\n\"'=HYPERLINK(\"\"http://evil.example/@x\"\",\"\"click\"\")\",-3\n'+1 555,0\n'\tx,1\n\"Jane, Doe\",2\n"
        );
        // Read back through the inputs' reader: the guard is dropped again.
        let mut r = csv::Reader::from_reader(out.as_bytes());
        let first: Vec<String> = r
            .records()
            .map(|rec| crate::inputs::cell(&rec.unwrap()[0]).to_string())
            .collect();
        assert_eq!(first[0], "=HYPERLINK(\"http://evil.example/@x\",\"click\")");
    }
}
