//! The HTML pages: the shared frame and helpers, and the comparison
//! (`OUT/index.html`); the coalition page is [`super::page`]. Each page is
//! one self-contained file: styles and any script inline, charts inlined as
//! SVG, nothing fetched from the network, so it opens offline, survives
//! being mailed, and prints.

use std::fmt::Write as _;

use super::Exporter;
use super::charts::ImageFormat;
use super::comparison::{ComparisonChart, ComparisonModel};

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
.badge{display:inline-block;padding:0 .45em;border-radius:.6em;font-size:.85em;color:#fff}
.badge.active{background:#2e8b2e} .badge.observer{background:#1f6fb0} .badge.dormant{background:#b22222}
table.members{width:100%} table.members td small{color:#555} table.members th{cursor:pointer;white-space:nowrap}
table.members td:last-child{max-width:16em}
th[aria-sort=ascending]::after{content:' ▲'} th[aria-sort=descending]::after{content:' ▼'}
.filters{margin:.5em 0;display:flex;flex-wrap:wrap;gap:.8em;align-items:center}
.warnings{border:1px solid #d9a400;background:#fff8e1;padding:.4em .8em;margin:1em 0}
section.next li{margin:.3em 0}
details summary{cursor:pointer} details.definitions{margin:.5em 0} dt{font-weight:bold;margin-top:.3em} dd{margin-left:1.5em}
details.former summary h2{display:inline} details.former summary{margin-top:1.6em}
figure{margin:1em 0} figure svg{width:100%;height:auto;max-width:960px}
figcaption{color:#555;font-size:.9em}
@media print{body{max-width:none;margin:0} figure,table.figures{break-inside:avoid} tr{break-inside:avoid} a{color:inherit;text-decoration:none}}
";

fn page(title: &str, body: &str) -> Vec<u8> {
    page_with_script(title, body, "")
}

/// A whole page: `body` inside the shared frame, `script` (inline, no
/// network) at the end of the body when there is one.
pub fn page_with_script(title: &str, body: &str, script: &str) -> Vec<u8> {
    let script = if script.is_empty() {
        String::new()
    } else {
        format!("<script>{script}</script>\n")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}{script}</body>\n</html>\n",
        escape(title)
    )
    .into_bytes()
}

/// An SVG chart as inline markup (without an XML declaration).
pub fn inline_svg(svg: Vec<u8>, alt: &str) -> anyhow::Result<String> {
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

/// The coalition figures as a two-column table.
pub fn figures_table(out: &mut String, f: &super::Figures, period_days: u32) {
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
