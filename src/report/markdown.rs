//! summary.md: the counts and figures as a short Markdown note a coordinator
//! can paste into a mail or a wiki. No member table: that is members.csv.

use std::fmt::Write as _;

use super::rows::figure_rows;
use super::rows::pct;
use super::{Exporter, ReportModel};

/// summary.md.
pub struct SummaryMarkdown;

impl Exporter<ReportModel> for SummaryMarkdown {
    fn file_name(&self) -> String {
        "summary.md".into()
    }

    fn render(&self, m: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let c = m.counts();
        let t = m.thresholds;
        let mut o = String::new();
        let _ = writeln!(o, "# {} — as of {}\n", m.name, m.as_of);
        let _ = writeln!(
            o,
            "Check-in period {} days; dormant after {} days without a sign of life; active from {} post(s) in the period.\n",
            t.period_days, t.inactivity_days, t.min_posts
        );
        let _ = writeln!(
            o,
            "**Health: {}** ({})\n",
            m.health.status.as_str(),
            m.health.reason
        );
        for w in &m.warnings {
            let _ = writeln!(o, "> Warning: {w}\n");
        }
        let _ = writeln!(o, "| class | members |\n| --- | ---: |");
        let _ = writeln!(
            o,
            "| active | {} |\n| observer | {} |\n| dormant | {} |\n| **all** | **{}** |\n",
            c.active,
            c.observer,
            c.dormant,
            c.total()
        );
        let _ = writeln!(
            o,
            "{} former participant(s), not members and in no count above: {} (see former.csv).\n",
            m.table.former.len(),
            if m.table.has_roster {
                format!(
                    "not on the roster and silent for {} days or more, or asked to leave",
                    t.inactivity_days
                )
            } else {
                format!(
                    "silent for {} days or more (no roster), or asked to leave",
                    t.former_after_days
                )
            }
        );
        if let Some(r) = &m.table.round {
            let c = r.counts;
            let _ = writeln!(
                o,
                "Check-in {} (opened {}): {} of {} members answered ({}): {} full, {} observer, {} leave, {} no answer.\n",
                r.opening.year,
                r.opening.day,
                c.members - c.no_answer,
                c.members,
                pct(c.response_rate()),
                c.full,
                c.observer,
                c.leave,
                c.no_answer
            );
        }
        for w in &m.table.warnings {
            let _ = writeln!(o, "> Warning: {w}\n");
        }
        let _ = writeln!(o, "| figure | value |\n| --- | ---: |");
        for r in figure_rows(&m.figures) {
            let _ = writeln!(o, "| {} | {} |", r.label, r.text());
        }
        o.push('\n');
        let _ = writeln!(
            o,
            "## Health over the years\n\n| date | health | reason |\n| --- | --- | --- |"
        );
        for h in &m.health_history {
            let _ = writeln!(o, "| {} | {} | {} |", h.date, h.status.as_str(), h.reason);
        }
        o.push('\n');
        if !m.history.is_empty() {
            let _ = writeln!(
                o,
                "## Members by class over the years\n\n| date | active | observer | dormant | check-in answered |\n| --- | ---: | ---: | ---: | ---: |"
            );
            for h in &m.history {
                let answered = h
                    .round
                    .map(|r| format!("{} ({})", pct(r.response_rate), r.year))
                    .unwrap_or_else(|| "–".into());
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {answered} |",
                    h.date, h.counts.active, h.counts.observer, h.counts.dormant
                );
            }
            o.push('\n');
        }
        let _ = writeln!(
            o,
            "{} dormant member(s) to follow up: see contacts.csv. {} member(s) to remind (no answer, or turning dormant within {} days): see remind.csv. {} possible duplicate identit(ies) to review: see index.html.",
            c.dormant,
            super::csv::to_remind(&m.table).len(),
            t.warn_within_days,
            m.table.duplicate_suggestions.len()
        );
        Ok(o.into_bytes())
    }
}
