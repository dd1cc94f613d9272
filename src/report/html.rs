//! The HTML pages: the shared frame and helpers, and the comparison
//! (`OUT/index.html`); the coalition page is [`super::page`]. Each page is
//! one self-contained file: styles and any script inline, charts inlined as
//! SVG, nothing fetched from the network, so it opens offline, survives
//! being mailed, and prints.

use std::fmt::Write as _;

use super::charts::{Chart, ChartFile, ImageFormat};
use super::comparison::{ComparisonChart, ComparisonModel, ProtectedCounts};
use super::privacy::{Cell, Out};
use super::rows::figure_rows;
use super::rows::{Value, pct};
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
.badge{display:inline-block;padding:.05em .5em;border-radius:.8em;font-size:.85em;font-weight:bold;color:#fff;background:#666;white-space:nowrap}
.h-engaged{background:#1b6e1b} .h-quiet{background:#8a6d00} .h-meeting-bound{background:#155a8a} .h-inactive{background:#a61d1e}
p.warning{background:#fff4e5;border-left:4px solid #e08a00;padding:.4em .8em}
dl.definitions dt{font-weight:bold;margin-top:.4em} dl.definitions dd{margin-left:1.5em}
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

/// The coalition figures as a two-column table, from the one definition
/// of their rows ([`super::rows`]).
pub fn figures_table(out: &mut String, f: &super::Figures, period_days: u32) {
    out.push_str("<table class=\"figures\">\n");
    for r in figure_rows(f) {
        let label = if r.key == "messages_in_period" {
            format!("Messages in the last {period_days} days")
        } else {
            r.label.to_string()
        };
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(&label),
            escape(&r.text())
        );
    }
    out.push_str("</table>\n");
}

/// The coalition's health as a badge with its reason, and the run's
/// warnings about this coalition (a stale archive, a database inside the
/// output folder). A block of its own, placed right after the page's
/// title and meta line, so the member-table layout can change around it.
pub fn status_block(m: &ReportModel) -> String {
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<p class=\"health\"><span class=\"badge h-{s}\">{s}</span> {} <a href=\"#health-definitions\">What this means</a></p>",
        escape(
            m.health
                .reason
                .split_once(": ")
                .map_or(&*m.health.reason, |(_, r)| r)
        ),
        s = m.health.status.as_str(),
    );
    for w in &m.warnings {
        let _ = writeln!(b, "<p class=\"warning\">Warning: {}</p>", escape(w));
    }
    b
}

/// Health at each yearly check-in date, one line, then the definitions,
/// collapsed (the "What this means" link opens them).
pub fn health_history(m: &ReportModel) -> String {
    let points: Vec<String> = m
        .health_history
        .iter()
        .map(|h| {
            format!(
                "{} <span class=\"badge h-{s}\" title=\"{}\">{s}</span>",
                h.date,
                escape(&h.reason),
                s = h.status.as_str()
            )
        })
        .collect();
    format!(
        "<p class=\"meta\">Health at each yearly check-in date: {}</p>\n<details id=\"health-definitions\"><summary>What the health statuses mean</summary>\n{}</details>\n",
        points.join(" · "),
        health_definitions(&m.health_thresholds)
    )
}

/// The health statuses in words, with the thresholds in force.
pub fn health_definitions(t: &crate::health::HealthThresholds) -> String {
    let mut b = String::from(
        "<dl class=\"definitions\">\n<dt>Health</dt><dd>One status for the whole coalition at the as-of date, decided in this order:</dd>\n",
    );
    for s in crate::health::HealthStatus::ALL {
        let _ = writeln!(
            b,
            "<dt><span class=\"badge h-{n}\">{n}</span></dt><dd>{}</dd>",
            escape(&s.definition(t)),
            n = s.as_str()
        );
    }
    b.push_str("</dl>\n");
    b
}

/// Every chart of `charts` as inline SVG figures.
pub fn inline_charts<M, C: Chart<M>>(charts: &[C], m: &M) -> anyhow::Result<String> {
    let mut b = String::new();
    for &chart in charts {
        let bytes = ChartFile {
            chart,
            format: ImageFormat::Svg,
        }
        .render(m)?;
        b.push_str(&inline_svg(bytes, chart.title())?);
    }
    Ok(b)
}

/// Sorts a `table.sortable` when a header is clicked (again: the other
/// way), and on load from `#sort=KEY` or `#sort=KEY-desc`. Cells sort by
/// their `data-sort` (numbers as numbers); empty ones go last either way.
/// Without script the table stays in configuration order.
const SORT_SCRIPT: &str = "<script>
(function(){var t=document.querySelector('table.sortable');if(!t)return;var h=t.tHead.rows[0].cells,b=t.tBodies[0];
function key(r,i){var v=r.cells[i].getAttribute('data-sort');if(v===null)v=r.cells[i].textContent;return v}
function sort(i,dir){var rows=Array.prototype.slice.call(b.rows);rows.sort(function(x,y){var a=key(x,i),c=key(y,i);
if(a===''||c==='')return (a==='')-(c==='');var na=parseFloat(a),nc=parseFloat(c);
return dir*(!isNaN(na)&&!isNaN(nc)?na-nc:a.localeCompare(c))});rows.forEach(function(r){b.appendChild(r)});
for(var j=0;j<h.length;j++)h[j].removeAttribute('aria-sort');h[i].setAttribute('aria-sort',dir>0?'ascending':'descending')}
Array.prototype.forEach.call(h,function(th,i){th.tabIndex=0;th.title='Sort';var go=function(){sort(i,th.getAttribute('aria-sort')==='ascending'?-1:1)};
th.addEventListener('click',go);th.addEventListener('keydown',function(e){if(e.key==='Enter')go()})});
var m=/sort=([a-z_]+)(-desc)?/.exec(location.hash);if(m)Array.prototype.forEach.call(h,function(th,i){if(th.getAttribute('data-key')===m[1])sort(i,m[2]?-1:1)})})();
</script>
";

const COMPARISON_STYLE: &str = "<style>
body{max-width:1240px}
table.comparison{font-size:.82em;width:100%} table.comparison th,table.comparison td{padding:.2em .35em}
table.comparison th{cursor:pointer;vertical-align:bottom}
figure svg{max-width:100%}
table.comparison th[aria-sort=ascending]::after{content:' \\25B2'} table.comparison th[aria-sort=descending]::after{content:' \\25BC'}
table.comparison td{white-space:nowrap} table.comparison td.name{white-space:normal;min-width:12em}
.chg{display:block;color:#666;font-size:.85em} .share{color:#555;font-size:.85em}
.stale{color:#a61d1e;font-weight:bold} .muted{color:#777}
table.standards{font-size:.85em} table.standards tr.all td{font-weight:bold;border-top:2px solid #999} table.standards td{white-space:nowrap;padding:.2em .35em} table.standards th{padding:.2em .35em}
</style>
";

/// A protected count with its change since last year, as a table cell.
fn count_cell(now: Cell, then: Option<Cell>, share: Option<f64>, min: u32) -> String {
    let sort = now.count().map(|n| n.to_string()).unwrap_or_default();
    let share = match (now, share) {
        (Cell::Count(_), Some(s)) => format!(" <span class=\"share\">{}</span>", pct(Some(s))),
        _ => String::new(),
    };
    let change = match super::comparison::count_change(now, then) {
        Out::Int(0) => "<span class=\"chg\">±0</span>".into(),
        Out::Int(d) => format!("<span class=\"chg\">{d:+}</span>"),
        _ => String::new(),
    };
    format!(
        "<td class=\"n\" data-sort=\"{sort}\">{}{share}{change}</td>",
        escape(&now.text(min))
    )
}

/// A figure with its change since last year, as a table cell.
fn figure_cell(now: &super::rows::Row, then: Option<Value>) -> String {
    let sort = now
        .value
        .number()
        .map(|v| format!("{v}"))
        .unwrap_or_default();
    let change = match (now.value, super::comparison::value_change(now.value, then)) {
        (_, Out::Int(0)) => "<span class=\"chg\">±0</span>".into(),
        (_, Out::Int(d)) => format!("<span class=\"chg\">{d:+}</span>"),
        (_, Out::Num(d)) if (d * 100.0).round() == 0.0 => {
            "<span class=\"chg\">±0 pts</span>".into()
        }
        (_, Out::Num(d)) => format!("<span class=\"chg\">{:+.0} pts</span>", d * 100.0),
        _ => String::new(),
    };
    let text = match now.value {
        Value::OfTwelve(n) => n.to_string(),
        Value::Share(None) => "–".into(),
        _ => now.text(),
    };
    format!(
        "<td class=\"n\" data-sort=\"{sort}\">{}{change}</td>",
        escape(&text)
    )
}

/// `OUT/index.html` (or `comparison_output/index.html`): aggregates only.
pub struct ComparisonPage;

impl Exporter<ComparisonModel> for ComparisonPage {
    fn file_name(&self) -> String {
        "index.html".into()
    }

    fn render(&self, m: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        let min = m.min();
        let mut b = String::new();
        b.push_str(COMPARISON_STYLE);
        let _ = writeln!(
            b,
            "<h1>Coalitions compared</h1>\n<p class=\"meta\">As of {}. Aggregates only: each coalition's member table stays in its own report. Data: <a href=\"comparison.csv\">comparison.csv</a>, <a href=\"standards.csv\">standards.csv</a>.</p>",
            m.as_of
        );
        b.push_str(&comparison_summary(m));
        for w in &m.options.warnings {
            let _ = writeln!(b, "<p class=\"warning\">Warning: {}</p>", escape(w));
        }
        for r in m.rows.iter().filter(|r| r.data.is_none()) {
            let _ = writeln!(
                b,
                "<p class=\"warning\">Not updated: an input file of {} failed in this run, so its figures are left out here and its own report is the previous one.</p>",
                escape(&r.name)
            );
        }
        let stale: Vec<String> = m
            .rows
            .iter()
            .filter_map(|r| {
                let d = r.data.as_ref()?;
                d.archive.stale.then(|| match d.archive.last_message {
                    Some(day) => format!("{} (last message {day})", escape(&r.name)),
                    None => format!("{} (no message at all)", escape(&r.name)),
                })
            })
            .collect();
        if !stale.is_empty() {
            let _ = writeln!(
                b,
                "<p class=\"warning\">Stale archives, with no message in the {} days before {}: {}. Has the list gone silent, or is its archive no longer fetched?</p>",
                m.rows
                    .iter()
                    .find_map(|r| r.data.as_ref().map(|d| d.archive.stale_after_days))
                    .unwrap_or(crate::config::DEFAULT_STALE_AFTER),
                m.as_of,
                stale.join("; ")
            );
        }
        let figures = figure_rows(&Default::default());
        let shown = [
            "months_active_last_12",
            "messages_in_period",
            "two_or_more_voices_share",
            "outside_meeting_share",
            "coordinator_share",
        ];
        b.push_str("<h2>Coalitions</h2>\n<p class=\"meta\">Click a column to sort (again to reverse). Small grey figures: the change since the same day a year before.</p>\n<table class=\"comparison sortable\">\n<thead><tr><th data-key=\"name\">Coalition</th><th data-key=\"health\">Health</th><th data-key=\"members\">Members</th><th data-key=\"active\">Active</th><th data-key=\"observer\">Observers</th><th data-key=\"dormant\">Dormant</th><th data-key=\"former\">Former</th>");
        for f in figures.iter().filter(|f| shown.contains(&f.key)) {
            let _ = write!(b, "<th data-key=\"{}\">{}</th>", f.key, escape(f.short));
        }
        b.push_str("<th data-key=\"last_message\">Last message</th></tr></thead>\n<tbody>\n");
        for r in &m.rows {
            let name = if m.options.coalition_links {
                format!(
                    "<a href=\"{}/index.html\">{}</a>",
                    escape(&r.coalition),
                    escape(&r.name)
                )
            } else {
                escape(&r.name)
            };
            let Some(d) = &r.data else {
                let _ = writeln!(
                    b,
                    "<tr><td class=\"name\" data-sort=\"{}\">{name}</td><td data-sort=\"\" colspan=\"1\" class=\"muted\">not updated</td>{}</tr>",
                    escape(&r.name),
                    "<td data-sort=\"\"></td>".repeat(6 + shown.len())
                );
                continue;
            };
            let now = ProtectedCounts::of(&d.counts, d.former, min);
            let then = d
                .last_year
                .as_ref()
                .map(|l| ProtectedCounts::of(&l.counts, l.former, min));
            let total = d.counts.total();
            let share = |n: u64| (total > 0).then(|| n as f64 / total as f64);
            let health_was = d
                .last_year
                .as_ref()
                .map(|l| format!("<span class=\"chg\">was {}</span>", l.health.as_str()))
                .unwrap_or_default();
            let _ = write!(
                b,
                "<tr><td class=\"name\" data-sort=\"{}\">{name}</td><td data-sort=\"{}\" title=\"{}\"><span class=\"badge h-{s}\">{s}</span>{health_was}</td>",
                escape(&r.name),
                d.health.status as u8,
                escape(&d.health.reason),
                s = d.health.status.as_str(),
            );
            b.push_str(&count_cell(now.members, then.map(|t| t.members), None, min));
            let raw = [d.counts.active, d.counts.observer, d.counts.dormant];
            for (k, n) in raw.into_iter().enumerate() {
                b.push_str(&count_cell(
                    now.classes[k],
                    then.map(|t| t.classes[k]),
                    share(n),
                    min,
                ));
            }
            b.push_str(&count_cell(now.former, then.map(|t| t.former), None, min));
            let last = d.last_year.as_ref().map(|l| figure_rows(&l.figures));
            for (i, f) in figure_rows(&d.figures).iter().enumerate() {
                if shown.contains(&f.key) {
                    b.push_str(&figure_cell(f, last.as_ref().map(|l| l[i].value)));
                }
            }
            let (last_text, sort) = match d.archive.last_message {
                Some(day) => (crate::day::format(day), crate::day::format(day)),
                None => ("none".into(), String::new()),
            };
            let stale = if d.archive.stale {
                "<span class=\"chg stale\">stale archive</span>"
            } else {
                ""
            };
            let _ = writeln!(b, "<td data-sort=\"{sort}\">{last_text}{stale}</td></tr>");
        }
        b.push_str("</tbody>\n</table>\n");
        b.push_str(&comparison_definitions(m));
        b.push_str("<h2>Charts</h2>\n");
        b.push_str(&inline_charts(
            &[ComparisonChart::ClassShares, ComparisonChart::Figures],
            m,
        )?);
        shared_section(&mut b, m)?;
        standards_section(&mut b, m);
        b.push_str(SORT_SCRIPT);
        Ok(page(
            &format!("Coalitions compared — listpulse as of {}", m.as_of),
            &b,
        ))
    }
}

/// One line: how many coalitions are in each health status, how many
/// archives are stale, how many coalitions were not updated.
fn comparison_summary(m: &ComparisonModel) -> String {
    let mut counts = [0usize; 4];
    let mut stale = 0;
    let mut not_updated = 0;
    for r in &m.rows {
        match &r.data {
            Some(d) => {
                counts[d.health.status as usize] += 1;
                stale += usize::from(d.archive.stale);
            }
            None => not_updated += 1,
        }
    }
    let parts: Vec<String> = crate::health::HealthStatus::ALL
        .iter()
        .zip(counts)
        .map(|(s, n)| format!("<span class=\"badge h-{0}\">{0}</span> {n}", s.as_str()))
        .collect();
    let mut line = format!(
        "<p><strong>{}</strong> coalitions: {}",
        m.rows.len(),
        parts.join(" · ")
    );
    if stale > 0 {
        let _ = write!(
            line,
            " · <span class=\"stale\">{stale} stale archive(s)</span>"
        );
    }
    if not_updated > 0 {
        let _ = write!(line, " · {not_updated} not updated");
    }
    line.push_str("</p>\n");
    line
}

fn comparison_definitions(m: &ComparisonModel) -> String {
    let min = m.min();
    let mut b = String::from("<h2>Definitions</h2>\n");
    b.push_str(&health_definitions(&m.options.health));
    let _ = writeln!(
        b,
        "<dl class=\"definitions\">\n<dt>Members, active, observers, dormant</dt><dd>Each coalition's members at the as-of date, by the rules in its own report: <em>active</em> posted in the check-in period; <em>observers</em> declared so, or showed a sign of life (a post, a check-in answer, joining the roster) within the inactivity threshold; <em>dormant</em> neither. <em>Former</em> participants once took part but are members no more; they are in no other count.</dd>\n<dt>Months active, messages, threads</dt><dd>Over the check-in period: calendar months with a counted post among the last 12; counted posts (auto-replies, bounces, list software and check-in replies left out); the share of threads started in the period with two or more voices.</dd>\n<dt>Outside meetings, by coordinators</dt><dd>The share of the period's posts outside the window around the annual meeting, and written by the coordinators; \"–\" where the coalition has not configured its meetings or coordinators, or had no post in the period.</dd>\n<dt>Stale archive</dt><dd>No message in the archive in the {} days before the as-of date: the list has gone silent, or its archive is no longer fetched.</dd>\n<dt>&lt; {min} and hidden</dt><dd>A count of people under {min} is shown as \"&lt; {min}\", and one more count of the same row is hidden with it, so that the small one cannot be worked out from the total. A change since last year is left out where either year is hidden.</dd>\n</dl>",
        m.rows
            .iter()
            .find_map(|r| r.data.as_ref().map(|d| d.archive.stale_after_days))
            .unwrap_or(crate::config::DEFAULT_STALE_AFTER)
    );
    b
}

fn shared_section(b: &mut String, m: &ComparisonModel) -> anyhow::Result<()> {
    let _ = writeln!(
        b,
        "<h2>Shared members</h2>\n<p>The pairs of coalitions with the most members in common (a member of one with an address among the other's members), at most {}; pairs sharing fewer than {} members are not listed.</p>",
        super::comparison::MAX_PAIRS,
        m.min()
    );
    if m.pairs.is_empty() {
        let _ = writeln!(
            b,
            "<p>No two coalitions share {} or more members.</p>",
            m.min()
        );
        return Ok(());
    }
    b.push_str(&inline_charts(&[ComparisonChart::SharedMembers], m)?);
    b.push_str("<details><summary>The same as a table</summary>\n<table class=\"pairs\">\n<thead><tr><th>Coalition</th><th>Coalition</th><th>Members of both</th><th>Share of the smaller</th></tr></thead>\n<tbody>\n");
    for p in &m.pairs {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&m.rows[p.a].name),
            escape(&m.rows[p.b].name),
            p.shared,
            pct(Some(p.of_smaller))
        );
    }
    b.push_str("</tbody>\n</table>\n</details>\n");
    Ok(())
}

fn standards_section(b: &mut String, m: &ComparisonModel) {
    let min = m.min();
    let rules = m.options.grid.rules();
    let _ = writeln!(
        b,
        "<h2>Minimum standards: options</h2>\n<p>For each candidate rule, how many members would be <em>below the standard</em>: fewer than the minimum number of counted posts in the window before the as-of date, whatever they declared. The small figures: their share of the members, and how many of them declared observer status (on the roster, or in their latest check-in answer), the people a strict rule would push out although they asked only to listen. No rule is applied by listpulse: this is for the coordination group to weigh. Also in <a href=\"standards.csv\">standards.csv</a>.</p>\n<table class=\"standards\">\n<thead><tr><th>Coalition</th><th>Members</th>{}</tr></thead>\n<tbody>",
        rules
            .iter()
            .map(|r| format!("<th>{}</th>", escape(&r.label())))
            .collect::<String>()
    );
    for (slug, name, counts) in super::comparison::standards_groups(m) {
        let cells = super::comparison::protect_standards(counts, min);
        let members = counts.first().map_or(0, |c| c.members);
        let members_cell = super::privacy::protect_one(members, min);
        let _ = write!(
            b,
            "<tr{}><td>{}</td><td class=\"n\">{}</td>",
            if slug == "all" { " class=\"all\"" } else { "" },
            escape(name),
            escape(&members_cell.text(min))
        );
        for (below, obs) in cells {
            // The share of the members, where both counts are shown.
            let share = match (below, members_cell) {
                (Cell::Count(n), Cell::Count(t)) if t > 0 => {
                    format!(
                        "<span class=\"chg\">{}</span>",
                        pct(Some(n as f64 / t as f64))
                    )
                }
                _ => String::new(),
            };
            let _ = write!(
                b,
                "<td class=\"n\">{}{share}<span class=\"chg\">{} obs.</span></td>",
                escape(&below.text(min)),
                escape(&obs.text(min))
            );
        }
        b.push_str("</tr>\n");
    }
    b.push_str("</tbody>\n</table>\n");
}
