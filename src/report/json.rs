//! summary.json: the counts, the thresholds and the coalition figures, for
//! scripts. No member appears in it.

use serde::Serialize;

use super::model::{Figures, YearPoint};
use super::{Exporter, ReportModel};
use crate::classify::ClassCounts;
use crate::members::HistoryPoint;

/// summary.json.
pub struct SummaryJson;

#[derive(Serialize)]
struct Summary<'a> {
    coalition: &'a str,
    name: &'a str,
    as_of: String,
    period_days: u32,
    inactivity_days: u32,
    min_posts: u32,
    former_after_days: u32,
    has_roster: bool,
    members: u64,
    counts: ClassCounts,
    former_participants: usize,
    figures: &'a Figures,
    history: &'a [HistoryPoint],
    years: &'a [YearPoint],
    duplicate_suggestions: usize,
    ambiguous_keys: usize,
}

impl Exporter<ReportModel> for SummaryJson {
    fn file_name(&self) -> String {
        "summary.json".into()
    }

    fn render(&self, m: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let summary = Summary {
            coalition: &m.coalition,
            name: &m.name,
            as_of: m.as_of.format("%Y-%m-%d").to_string(),
            period_days: m.thresholds.period_days,
            inactivity_days: m.thresholds.inactivity_days,
            min_posts: m.thresholds.min_posts,
            former_after_days: m.thresholds.former_after_days,
            has_roster: m.table.has_roster,
            members: m.counts().total(),
            counts: m.counts(),
            former_participants: m.table.former.len(),
            figures: &m.figures,
            history: &m.history,
            years: &m.yearly,
            duplicate_suggestions: m.table.duplicate_suggestions.len(),
            ambiguous_keys: m.table.ambiguous_keys.len(),
        };
        let mut out = serde_json::to_vec_pretty(&summary)?;
        out.push(b'\n');
        Ok(out)
    }
}
