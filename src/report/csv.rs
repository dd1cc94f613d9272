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
use crate::classify::{CheckinStatus, MemberClass, RoundStatus};
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
                round_status: r.round_status.map(RoundStatus::as_str).unwrap_or(""),
            })
            .collect();
        write_rows(&CONTACTS_COLUMNS, &rows)
    }
}

/// The checkin.csv columns (DESIGN.md): every member of the round at T.
pub const CHECKIN_COLUMNS: [&str; 7] = [
    "email",
    "name",
    "addresses",
    "round_status",
    "answered_on",
    "answer_source",
    "class",
];

#[derive(Serialize)]
struct CheckinCsvRow<'a> {
    email: Text<'a>,
    name: Text<'a>,
    addresses: Text<'a>,
    round_status: &'static str,
    answered_on: String,
    answer_source: Text<'a>,
    class: &'static str,
}

/// checkin.csv: every member of the round, with their round status, when
/// and how they answered, and where they stand at T (`left` or `former` for
/// those no longer members). Sorted by email, then name. Header only when
/// no round has opened.
pub fn checkin_csv(table: &MemberTable) -> anyhow::Result<Vec<u8>> {
    let rows = table
        .round
        .as_ref()
        .map(|r| r.rows.as_slice())
        .unwrap_or(&[]);
    let joined: Vec<String> = rows.iter().map(|r| r.addresses.join(";")).collect();
    let sources: Vec<String> = rows
        .iter()
        .map(|r| r.source.as_ref().map(|s| s.kind()).unwrap_or_default())
        .collect();
    let out: Vec<CheckinCsvRow<'_>> = rows
        .iter()
        .zip(&joined)
        .zip(&sources)
        .map(|((r, addresses), source)| CheckinCsvRow {
            email: Text(r.email.as_deref().unwrap_or("")),
            name: Text(&r.name),
            addresses: Text(addresses),
            round_status: r.status.as_str(),
            answered_on: day(r.answered_on),
            answer_source: Text(source),
            class: r.class.as_str(),
        })
        .collect();
    write_rows(&CHECKIN_COLUMNS, &out)
}

/// checkin.csv.
pub struct CheckinCsv;

impl Exporter<ReportModel> for CheckinCsv {
    fn file_name(&self) -> String {
        "checkin.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        checkin_csv(&model.table)
    }
}

/// The remind.csv columns (DESIGN.md).
pub const REMIND_COLUMNS: [&str; 8] = [
    "email",
    "name",
    "why",
    "round_status",
    "class",
    "reason",
    "last_sign_of_life",
    "dormant_on",
];

#[derive(Serialize)]
struct RemindCsvRow<'a> {
    email: Text<'a>,
    name: Text<'a>,
    why: &'static str,
    round_status: &'static str,
    class: &'static str,
    reason: Text<'a>,
    last_sign_of_life: String,
    dormant_on: String,
}

/// Why a member is to be reminded: no answer in the round, turning dormant
/// within W, or both (`None`: neither).
pub fn remind_why(m: &MemberRow) -> Option<&'static str> {
    match (
        m.round_status == Some(RoundStatus::NoAnswer),
        m.dormant_on.is_some(),
    ) {
        (true, true) => Some("no answer; turning dormant"),
        (true, false) => Some("no answer"),
        (false, true) => Some("turning dormant"),
        (false, false) => None,
    }
}

/// The members to remind, sorted by email, then name.
pub fn to_remind(table: &MemberTable) -> Vec<(&MemberRow, &'static str)> {
    let mut rows: Vec<(&MemberRow, &'static str)> = table
        .members
        .iter()
        .filter_map(|m| remind_why(m).map(|why| (m, why)))
        .collect();
    rows.sort_by(|a, b| (&a.0.email, &a.0.person).cmp(&(&b.0.email, &b.0.person)));
    rows
}

/// remind.csv: members with no answer in the round, and members turning
/// dormant within W with the day they would.
pub fn remind_csv(table: &MemberTable) -> anyhow::Result<Vec<u8>> {
    let rows: Vec<RemindCsvRow<'_>> = to_remind(table)
        .into_iter()
        .map(|(m, why)| RemindCsvRow {
            email: Text(m.email.as_deref().unwrap_or("")),
            name: Text(&m.person),
            why,
            round_status: m.round_status.map(RoundStatus::as_str).unwrap_or(""),
            class: m.class.as_str(),
            reason: Text(&m.reason),
            last_sign_of_life: day(m.last_sign_of_life),
            dormant_on: day(m.dormant_on),
        })
        .collect();
    write_rows(&REMIND_COLUMNS, &rows)
}

/// remind.csv.
pub struct RemindCsv;

impl Exporter<ReportModel> for RemindCsv {
    fn file_name(&self) -> String {
        "remind.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        remind_csv(&model.table)
    }
}

/// The unmatched.csv columns (DESIGN.md).
pub const UNMATCHED_COLUMNS: [&str; 5] = ["address", "name", "status", "date", "source"];

#[derive(Serialize)]
struct UnmatchedCsvRow<'a> {
    address: Text<'a>,
    name: Text<'a>,
    status: &'static str,
    date: String,
    source: Text<'a>,
}

/// unmatched.csv: answers in the round that match no member of it, with
/// where they came from, so aliases can be added.
pub fn unmatched_csv(table: &MemberTable) -> anyhow::Result<Vec<u8>> {
    let unmatched = table
        .round
        .as_ref()
        .map(|r| r.unmatched.as_slice())
        .unwrap_or(&[]);
    let places: Vec<String> = unmatched.iter().map(|u| u.source.place()).collect();
    let rows: Vec<UnmatchedCsvRow<'_>> = unmatched
        .iter()
        .zip(&places)
        .map(|(u, place)| UnmatchedCsvRow {
            address: Text(&u.address),
            name: Text(u.name.as_deref().unwrap_or("")),
            status: u.status.as_str(),
            date: day(Some(u.date)),
            source: Text(place),
        })
        .collect();
    write_rows(&UNMATCHED_COLUMNS, &rows)
}

/// unmatched.csv.
pub struct UnmatchedCsv;

impl Exporter<ReportModel> for UnmatchedCsv {
    fn file_name(&self) -> String {
        "unmatched.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        unmatched_csv(&model.table)
    }
}

/// The subscribed addresses of those who asked to leave in the round and
/// are no longer members at T, sorted: what `leave.txt` holds.
pub fn leavers(table: &MemberTable) -> Vec<&str> {
    let mut out: Vec<&str> = table
        .round
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| {
            r.status == RoundStatus::Leave
                && !matches!(r.class, crate::members::round::RoundClass::Member(_))
        })
        .filter_map(|r| r.email.as_deref())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// leave.txt: one address a line, ready for Mailman 2 `remove_members -f`
/// and Mailman 3 `mailman delmembers -f`. Not a CSV: Mailman reads each line
/// as an address, so nothing is quoted or guarded.
pub struct LeaveTxt;

impl Exporter<ReportModel> for LeaveTxt {
    fn file_name(&self) -> String {
        "leave.txt".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let mut out = String::new();
        for address in leavers(&model.table) {
            out.push_str(address);
            out.push('\n');
        }
        Ok(out.into_bytes())
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
