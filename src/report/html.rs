//! The HTML pages: one per coalition (`OUT/<slug>/index.html`) and the
//! comparison (`OUT/index.html`). Each is one self-contained file: styles
//! inline, charts inlined as SVG, no script and nothing fetched from the
//! network, so it opens offline, survives being mailed, and prints.

use std::fmt::Write as _;

use super::charts::{self, CoalitionChart, ImageFormat};
use super::comparison::{ComparisonChart, ComparisonModel};
use super::csv::day;
use super::{Exporter, ReportModel};

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// assert_eq!(listpulse::report::html::escape("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ccc}
.meta{color:#555}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.n{text-align:right}
.active{color:#1b6e1b} .observer{color:#155a8a} .dormant{color:#a61d1e}
details.former summary h2{display:inline} details.former summary{cursor:pointer;margin-top:1.6em}
figure{margin:1em 0} figure svg{width:100%;height:auto;max-width:960px}
figcaption{color:#555;font-size:.9em}
@media print{body{max-width:none;margin:0} figure,table.figures{break-inside:avoid} tr{break-inside:avoid} a{color:inherit;text-decoration:none}}
";

fn page(title: &str, body: &str) -> Vec<u8> {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
    .into_bytes()
}

/// An SVG chart as inline markup (without an XML declaration).
fn inline_svg(svg: Vec<u8>, alt: &str) -> anyhow::Result<String> {
    let text = String::from_utf8(svg)?;
    let start = text.find("<svg").unwrap_or(0);
    let svg = text[start..].replacen(
        "<svg",
        &format!("<svg role=\"img\" aria-label=\"{}\"", escape(alt)),
        1,
    );
    Ok(format!(
        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
        escape(alt)
    ))
}

fn figures_table(out: &mut String, f: &super::Figures, period_days: u32) {
    let pct = |s: Option<f64>| {
        s.map(|s| format!("{:.0}%", s * 100.0))
            .unwrap_or_else(|| "not configured".into())
    };
    let rows = [
        (
            "Months with activity among the last 12",
            format!("{} of 12", f.months_active_last_12),
        ),
        (
            &*format!("Messages in the last {period_days} days"),
            f.messages_in_period.to_string(),
        ),
        (
            "Threads started in the period",
            f.threads_in_period.to_string(),
        ),
        (
            "Threads with two or more voices",
            format!(
                "{} ({})",
                f.threads_two_or_more_voices,
                f.two_or_more_voices_share
                    .map(|s| format!("{:.0}%", s * 100.0))
                    .unwrap_or_else(|| "–".into())
            ),
        ),
        (
            "Messages outside the window around the annual meeting",
            pct(f.outside_meeting_share),
        ),
        (
            "Messages written by the coordinators",
            pct(f.coordinator_share),
        ),
    ];
    out.push_str("<table class=\"figures\">\n");
    for (k, v) in rows {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(&v)
        );
    }
    out.push_str("</table>\n");
}

/// `OUT/<slug>/index.html`.
pub struct CoalitionPage;

impl Exporter<ReportModel> for CoalitionPage {
    fn file_name(&self) -> String {
        "index.html".into()
    }

    fn render(&self, m: &ReportModel) -> anyhow::Result<Vec<u8>> {
        let c = m.counts();
        let t = m.thresholds;
        let mut b = String::new();
        let _ = writeln!(b, "<h1>{}</h1>", escape(&m.name));
        let _ = writeln!(
            b,
            "<p class=\"meta\">As of {} · check-in period {} days · dormant after {} days without a sign of life · active from {} post(s) in the period</p>",
            m.as_of, t.period_days, t.inactivity_days, t.min_posts
        );
        let _ = writeln!(
            b,
            "<p><strong>{}</strong> members: <span class=\"active\">{} active</span>, <span class=\"observer\">{} observers</span>, <span class=\"dormant\">{} dormant</span>. Files: <a href=\"members.csv\">members.csv</a>, <a href=\"contacts.csv\">contacts.csv</a> (dormant members to follow up), <a href=\"summary.json\">summary.json</a>.</p>",
            c.total(),
            c.active,
            c.observer,
            c.dormant
        );
        b.push_str("<h2>Figures</h2>\n");
        figures_table(&mut b, &m.figures, t.period_days);
        if !m.meetings.is_empty() {
            let list: Vec<String> = m
                .meetings
                .iter()
                .map(|(s, e)| format!("{s} to {e}"))
                .collect();
            let _ = writeln!(
                b,
                "<p class=\"meta\">Annual meetings: {}.</p>",
                escape(&list.join("; "))
            );
        }
        b.push_str("<h2>Charts</h2>\n");
        for chart in CoalitionChart::ALL {
            let bytes = charts::ChartFile {
                chart,
                format: ImageFormat::Svg,
            }
            .render(m)?;
            b.push_str(&inline_svg(bytes, chart.title())?);
        }
        b.push_str("<h2>Members</h2>\n<table class=\"members\">\n<thead><tr><th>Person</th><th>Addresses</th><th>Class</th><th>Reason</th><th>Posts in period</th><th>Posts in all</th><th>First post</th><th>Last post</th><th>Last check-in</th><th>Check-in status</th><th>On roster</th></tr></thead>\n<tbody>\n");
        for r in &m.table.members {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"{cls}\">{cls}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.person),
                escape(&r.addresses.join("; ")),
                escape(&r.reason),
                r.posts_in_period,
                r.posts_total,
                day(r.first_post),
                day(r.last_post),
                day(r.last_checkin),
                r.checkin_status.map(|s| s.as_str()).unwrap_or(""),
                if r.on_roster { "yes" } else { "no" },
                cls = r.class.as_str(),
            );
        }
        b.push_str("</tbody>\n</table>\n");
        former_section(&mut b, m);
        b.push_str("<h2>Possible duplicate identities</h2>\n");
        if m.table.duplicate_suggestions.is_empty() && m.table.ambiguous_keys.is_empty() {
            b.push_str("<p>None found.</p>\n");
        } else {
            b.push_str("<p>These look like one person with several addresses. listpulse never merges them by itself: to merge, list the addresses on one line of the aliases file, separated by commas (a scrambled key exactly as shown here).</p>\n<ul class=\"duplicates\">\n");
            for d in &m.table.duplicate_suggestions {
                let persons: Vec<String> = d
                    .persons
                    .iter()
                    .map(|p| {
                        format!(
                            "{} &lt;{}&gt;",
                            escape(&p.name),
                            escape(&p.addresses.join("; "))
                        )
                    })
                    .collect();
                let _ = writeln!(b, "<li>{}: {}</li>", escape(&d.why), persons.join(", "));
            }
            for a in &m.table.ambiguous_keys {
                let _ = writeln!(
                    b,
                    "<li>scrambled key <code>{}</code> matches several persons ({}): linked to none</li>",
                    escape(&a.key),
                    escape(&a.candidates.join(", "))
                );
            }
            b.push_str("</ul>\n");
        }
        Ok(page(
            &format!("{} — listpulse report as of {}", m.name, m.as_of),
            &b,
        ))
    }
}

/// The former participants, collapsed: DESIGN.md lists them apart from the
/// members ("not a member, in no class count, history count or contact
/// list").
fn former_section(b: &mut String, m: &ReportModel) {
    let former = &m.table.former;
    let horizon = if m.table.has_roster {
        format!(
            "not on the roster and silent for {} days or more",
            m.thresholds.inactivity_days
        )
    } else {
        format!(
            "silent for {} days or more (there is no roster)",
            m.thresholds.former_after_days
        )
    };
    let _ = writeln!(
        b,
        "<details class=\"former\"><summary><h2>Former participants ({})</h2></summary>\n<p>People who once posted or answered a check-in but are not members now: {horizon}, or they asked to leave. They are in no count above. Also in <a href=\"former.csv\">former.csv</a>.</p>",
        former.len()
    );
    if !former.is_empty() {
        b.push_str("<table class=\"former\">\n<thead><tr><th>Person</th><th>Addresses</th><th>Last sign of life</th><th>Posts</th><th>Last check-in</th></tr></thead>\n<tbody>\n");
        for f in former {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{} {}</td></tr>",
                escape(&f.person),
                escape(&f.addresses.join("; ")),
                day(f.last_sign_of_life),
                f.posts_total,
                day(f.last_checkin),
                f.checkin_status.map(|s| s.as_str()).unwrap_or(""),
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("</details>\n");
}

/// `OUT/index.html`: aggregates only.
pub struct ComparisonPage;

impl Exporter<ComparisonModel> for ComparisonPage {
    fn file_name(&self) -> String {
        "index.html".into()
    }

    fn render(&self, m: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        let mut b = String::new();
        let _ = writeln!(
            b,
            "<h1>Coalitions compared</h1>\n<p class=\"meta\">As of {}. Aggregates only: each coalition's member table stays in its own report. Data: <a href=\"comparison.csv\">comparison.csv</a>.</p>",
            m.as_of
        );
        b.push_str("<table class=\"comparison\">\n<thead><tr><th>Coalition</th><th>Members</th><th>Active</th><th>Observers</th><th>Dormant</th><th>Months active (last 12)</th><th>Threads with 2+ voices</th><th>Outside meeting window</th><th>By coordinators</th></tr></thead>\n<tbody>\n");
        let pct = |s: Option<f64>| {
            s.map(|s| format!("{:.0}%", s * 100.0))
                .unwrap_or_else(|| "–".into())
        };
        for r in &m.rows {
            let s = r.shares();
            let with = |n: u64, share: Option<f64>| format!("{n} ({})", pct(share));
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(&r.name),
                r.counts.total(),
                with(r.counts.active, s.map(|s| s.0)),
                with(r.counts.observer, s.map(|s| s.1)),
                with(r.counts.dormant, s.map(|s| s.2)),
                r.figures.months_active_last_12,
                pct(r.figures.two_or_more_voices_share),
                pct(r.figures.outside_meeting_share),
                pct(r.figures.coordinator_share),
            );
        }
        b.push_str("</tbody>\n</table>\n<h2>Charts</h2>\n");
        for chart in ComparisonChart::ALL {
            let bytes = super::comparison::ComparisonChartFile {
                chart,
                format: ImageFormat::Svg,
            }
            .render(m)?;
            b.push_str(&inline_svg(bytes, chart.title())?);
        }
        Ok(page(
            &format!("Coalitions compared — listpulse as of {}", m.as_of),
            &b,
        ))
    }
}
