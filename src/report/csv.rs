//! members.csv and contacts.csv (DESIGN.md, "The member table"). CSV is
//! written by hand: two fixed tables do not need a crate, only RFC 4180
//! quoting.

use chrono::NaiveDate;

use super::{Exporter, ReportModel};
use crate::classify::MemberClass;

/// The exact header of members.csv.
pub const MEMBERS_HEADER: &str = "coalition,person,addresses,class,reason,posts_in_period,posts_total,first_post,last_post,last_checkin,checkin_status,on_roster";

/// The header of contacts.csv.
pub const CONTACTS_HEADER: &str = "person,addresses,last_sign_of_life,reason";

/// Quotes a field when it holds a comma, a quote or a line break.
///
/// ```
/// assert_eq!(listpulse::report::csv::field("a,b"), "\"a,b\"");
/// assert_eq!(listpulse::report::csv::field("plain"), "plain");
/// ```
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A day as ISO 8601, empty when unknown.
pub fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// members.csv: one row per member, sorted by class then person.
pub struct MembersCsv;

impl Exporter<ReportModel> for MembersCsv {
    fn file_name(&self) -> String {
        "members.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let mut rows: Vec<_> = model.table.members.iter().collect();
        rows.sort_by(|a, b| (a.class, &a.person).cmp(&(b.class, &b.person)));
        let mut out = String::from(MEMBERS_HEADER);
        out.push('\n');
        for r in rows {
            let cells = [
                field(&r.coalition),
                field(&r.person),
                field(&r.addresses.join(";")),
                r.class.as_str().to_string(),
                field(&r.reason),
                r.posts_in_period.to_string(),
                r.posts_total.to_string(),
                day(r.first_post),
                day(r.last_post),
                day(r.last_checkin),
                r.checkin_status
                    .map(|s| s.as_str())
                    .unwrap_or("")
                    .to_string(),
                r.on_roster.to_string(),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}

/// contacts.csv: the dormant members to follow up, longest silent first.
pub struct ContactsCsv;

impl Exporter<ReportModel> for ContactsCsv {
    fn file_name(&self) -> String {
        "contacts.csv".into()
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let mut rows: Vec<_> = model
            .table
            .members
            .iter()
            .filter(|r| r.class == MemberClass::Dormant)
            .collect();
        // Longest silence first: those are the ones to ask before anyone else.
        rows.sort_by(|a, b| {
            (a.last_sign_of_life, &a.person).cmp(&(b.last_sign_of_life, &b.person))
        });
        let mut out = String::from(CONTACTS_HEADER);
        out.push('\n');
        for r in rows {
            let cells = [
                field(&r.person),
                field(&r.addresses.join(";")),
                day(r.last_sign_of_life),
                field(&r.reason),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}
