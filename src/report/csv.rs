//! members.csv and contacts.csv (DESIGN.md, "The member table"). CSV is
//! written by hand: two fixed tables do not need a crate, only RFC 4180
//! quoting.

use chrono::NaiveDate;

use super::{Exporter, ReportModel};
use crate::classify::MemberClass;
use crate::members::{self, csv_quote};

/// The header of contacts.csv.
pub const CONTACTS_HEADER: &str = "person,addresses,last_sign_of_life,reason";

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

    /// The same bytes as `listpulse classify --format csv`: one renderer
    /// ([`members::to_csv`]) for both.
    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        Ok(members::to_csv(&model.table).into_bytes())
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
                csv_quote(&r.person),
                csv_quote(&r.addresses.join(";")).into_owned().into(),
                day(r.last_sign_of_life).into(),
                csv_quote(&r.reason),
            ];
            out.push_str(&cells.join(","));
            out.push('\n');
        }
        Ok(out.into_bytes())
    }
}
