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
    warn_within_days: u32,
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
    round: Option<RoundSummary>,
    turning_dormant: usize,
    checkin_warnings: &'a [String],
}

/// The check-in round at T, in numbers: no person in it.
#[derive(Serialize)]
struct RoundSummary {
    year: i32,
    opened: String,
    counts: crate::members::round::RoundCounts,
    response_rate: Option<f64>,
    unmatched: usize,
    leave_to_unsubscribe: usize,
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
            warn_within_days: m.thresholds.warn_within_days,
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
            round: m.table.round.as_ref().map(|r| RoundSummary {
                year: r.opening.year,
                opened: crate::day::format(r.opening.day),
                counts: r.counts,
                response_rate: r.counts.response_rate(),
                unmatched: r.unmatched.len(),
                leave_to_unsubscribe: super::csv::leavers(&m.table).len(),
            }),
            turning_dormant: m
                .table
                .members
                .iter()
                .filter(|r| r.dormant_on.is_some())
                .count(),
            checkin_warnings: &m.table.warnings,
        };
        let mut out = serde_json::to_vec_pretty(&summary)?;
        out.push(b'\n');
        Ok(out)
    }
}
