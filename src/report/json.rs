//! summary.json: the counts, the thresholds, the health, the coalition
//! figures and the minimum-standards grid, for scripts. No member appears
//! in it.

use serde::Serialize;

use super::model::{ArchiveState, HealthPoint, YearPoint};
use super::rows::FiguresJson;
use super::{Exporter, ReportModel};
use crate::classify::ClassCounts;
use crate::health::{Health, HealthThresholds};
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
    health: &'a Health,
    health_thresholds: &'a HealthThresholds,
    figures: FiguresJson<'a>,
    archive: &'a ArchiveState,
    warnings: &'a [String],
    history: &'a [HistoryPoint],
    health_history: &'a [HealthPoint],
    years: &'a [YearPoint],
    standards: &'a [crate::standards::RuleCount],
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
            health: &m.health,
            health_thresholds: &m.health_thresholds,
            figures: FiguresJson(&m.figures),
            archive: &m.archive,
            warnings: &m.warnings,
            history: &m.history,
            health_history: &m.health_history,
            years: &m.yearly,
            standards: &m.standards,
            duplicate_suggestions: m.table.duplicate_suggestions.len(),
            ambiguous_keys: m.table.ambiguous_keys.len(),
        };
        let mut out = serde_json::to_vec_pretty(&summary)?;
        out.push(b'\n');
        Ok(out)
    }
}
