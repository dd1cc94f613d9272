//! The coalition page, `OUT/<slug>/index.html`: what a coordinator opens.
//! Read top-down it answers "what do I do now?" (contact the dormant, remind
//! those who have not answered or are turning dormant, unsubscribe those who
//! asked to leave), then shows the round, the member table (sortable and
//! filterable with a few lines of inline script; readable without it),
//! the figures and charts, the former participants (collapsed) and the
//! identities to review. One self-contained file: styles and script inline,
//! charts inline as SVG, nothing fetched.

use std::fmt::Write as _;

use super::charts::CoalitionChart;
use super::csv::{day, leavers, to_remind};
use super::html::{
    escape, figures_table, health_history, inline_charts, page_with_script, status_block,
};
use super::{Exporter, ReportModel};
use crate::classify::{MemberClass, RoundStatus};
use crate::members::round::{Opened, Round};

/// `OUT/<slug>/index.html`.
pub struct CoalitionPage;

/// Sorting and filtering of the member table. Rows carry `data-*` values;
/// without script every row is shown and the filter bar stays hidden.
const SCRIPT: &str = r#"
(function () {
  var table = document.querySelector('table.members');
  var bar = document.getElementById('filters');
  if (!table || !bar) return;
  bar.hidden = false;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var shown = document.getElementById('shown');
  function apply() {
    var cls = document.getElementById('f-class').value;
    var roster = document.getElementById('f-roster').value;
    var round = document.getElementById('f-round').value;
    var text = document.getElementById('f-text').value.toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (!cls || r.dataset.class === cls) &&
        (!roster || r.dataset.roster === roster) &&
        (!round || r.dataset.round === round) &&
        (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + rows.length + ' shown';
  }
  ['f-class', 'f-roster', 'f-round', 'f-text'].forEach(function (id) {
    document.getElementById(id).addEventListener('input', apply);
  });
  // A view can be linked: index.html#class=dormant&roster=yes&round=no%20answer&q=jane&sort=4
  var want = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var p = kv.split('=');
    if (p[0]) want[p[0]] = decodeURIComponent(p[1] || '');
  });
  if (want['class']) document.getElementById('f-class').value = want['class'];
  if (want.roster) document.getElementById('f-roster').value = want.roster;
  if (want.round) document.getElementById('f-round').value = want.round;
  if (want.q) document.getElementById('f-text').value = want.q;
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.tabIndex = 0;
    th.title = 'Sort';
    function sort() {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      rows.sort(function (a, b) {
        var x = a.cells[i].dataset.sort || a.cells[i].textContent;
        var y = b.cells[i].dataset.sort || b.cells[i].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        if (!isNaN(nx) && !isNaN(ny) && /^-?[0-9.]+$/.test(x) && /^-?[0-9.]+$/.test(y)) return dir * (nx - ny);
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sort(); });
    if (want.sort === String(i)) sort();
  });
  apply();
})();
"#;

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn pct(share: Option<f64>) -> String {
    share
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// "What to do next": the lists a coordinator acts on, with their files.
fn next_steps(b: &mut String, m: &ReportModel) {
    let t = &m.table;
    let dormant = t.counts.dormant as usize;
    let remind = to_remind(t);
    let no_answer = remind
        .iter()
        .filter(|(r, _)| r.round_status == Some(RoundStatus::NoAnswer))
        .count();
    let turning = remind
        .iter()
        .filter(|(r, _)| r.dormant_on.is_some())
        .count();
    let leave = leavers(t).len();
    let unmatched = t.round.as_ref().map_or(0, |r| r.unmatched.len());
    let review = t.duplicate_suggestions.len() + t.ambiguous_keys.len();
    b.push_str("<section class=\"next\"><h2>What to do next</h2>\n<ul>\n");
    let _ = writeln!(
        b,
        "<li><strong>Contact {}</strong> who have been silent for {} days or more: <a href=\"contacts.csv\">contacts.csv</a> (mail-merge ready: email, name, …).</li>",
        plural(dormant, "dormant member", "dormant members"),
        m.thresholds.inactivity_days
    );
    let _ = writeln!(
        b,
        "<li><strong>Remind {}</strong>: {} with no answer in this year's check-in, {} turning dormant within {} days. <a href=\"remind.csv\">remind.csv</a>; <code>listpulse checkin draft</code> writes the reminders for your mail client.</li>",
        plural(remind.len(), "member", "members"),
        no_answer,
        turning,
        m.thresholds.warn_within_days
    );
    if t.round.is_some() {
        let _ = writeln!(
            b,
            "<li><strong>Unsubscribe {}</strong> who asked to leave: <a href=\"leave.txt\">leave.txt</a>, one address a line, for Mailman 2 <code>remove_members -f leave.txt LIST</code> or Mailman 3 <code>mailman delmembers -f leave.txt -l LIST</code>.</li>",
            plural(leave, "person", "people")
        );
        let _ = writeln!(
            b,
            "<li><strong>Match {}</strong> from addresses that are no member's: <a href=\"unmatched.csv\">unmatched.csv</a>; add the address to the person's line in the aliases file. The whole round: <a href=\"checkin.csv\">checkin.csv</a>.</li>",
            plural(unmatched, "answer", "answers")
        );
    }
    if review > 0 {
        let _ = writeln!(
            b,
            "<li><strong>Review {}</strong> below (<a href=\"#duplicates\">possible duplicate identities</a>).</li>",
            plural(review, "possible duplicate", "possible duplicates")
        );
    }
    b.push_str("</ul></section>\n");
}

/// The round at T: when it opened, its counts, and its history chart.
fn round_section(b: &mut String, m: &ReportModel, round: &Round) -> anyhow::Result<()> {
    let c = round.counts;
    let how = match &round.opening.opened {
        Opened::Message { subject, .. } => format!("with the message “{}”", escape(subject)),
        Opened::Configured => "by the configuration (answers by file)".to_string(),
    };
    let _ = writeln!(
        b,
        "<h2>Check-in {}</h2>\n<p>Opened on {} {how}; {} days ago. {} members of the list then; <strong>{} answered</strong> ({}): {} full, {} observer, {} asked to leave; {} no answer yet.</p>",
        round.opening.year,
        round.opening.day,
        crate::day::days_between(round.opening.day, m.as_of),
        c.members,
        c.members - c.no_answer,
        pct(c.response_rate()),
        c.full,
        c.observer,
        c.leave,
        c.no_answer
    );
    b.push_str(&inline_charts(&[super::round_chart::CheckinChart], m)?);
    Ok(())
}

/// Short definitions in words, next to the table they explain.
fn definitions(b: &mut String, m: &ReportModel) {
    let t = m.thresholds;
    let universe = if m.table.has_roster {
        format!(
            "everyone on the roster, and anyone else who posted or answered a check-in in the last {} days",
            t.inactivity_days
        )
    } else {
        format!(
            "everyone who posted or answered a check-in in the last {} days (there is no roster)",
            t.former_after_days
        )
    };
    let _ = writeln!(
        b,
        "<details class=\"definitions\"><summary>What the classes mean</summary><dl>\n\
<dt>Member</dt><dd>{universe}. Someone who asked to leave is not a member from that day.</dd>\n\
<dt><span class=\"badge active\">active</span></dt><dd>at least {} post(s) to the list in the last {} days (the check-in period). Replies to the check-in call are answers, not posts.</dd>\n\
<dt><span class=\"badge observer\">observer</span></dt><dd>not active, but declared observer (on the roster, or in a check-in answer in the period), or showed a sign of life in the last {} days. Observers are never asked to do more.</dd>\n\
<dt><span class=\"badge dormant\">dormant</span></dt><dd>neither: no sign of life for {} days or more. A candidate to contact; listpulse never removes anyone.</dd>\n\
<dt>Sign of life</dt><dd>a post, a check-in answer of any kind, or the roster's join date.</dd>\n\
<dt>Turning dormant</dt><dd>would be dormant within {} days if nothing new happened: a reminder can still reach them in time.</dd>\n\
</dl></details>",
        t.min_posts, t.period_days, t.inactivity_days, t.inactivity_days, t.warn_within_days
    );
}

fn member_table(b: &mut String, m: &ReportModel) {
    let rows = &m.table.members;
    b.push_str("<h2 id=\"members\">Members</h2>\n");
    definitions(b, m);
    b.push_str(
        "<div id=\"filters\" class=\"filters\" hidden>\
<label>Class <select id=\"f-class\"><option value=\"\">all</option><option>dormant</option><option>observer</option><option>active</option></select></label> \
<label>On roster <select id=\"f-roster\"><option value=\"\">all</option><option value=\"yes\">yes</option><option value=\"no\">no</option></select></label> \
<label>Check-in <select id=\"f-round\"><option value=\"\">all</option><option>no answer</option><option>full</option><option>observer</option><option>leave</option><option value=\"-\">not in the round</option></select></label> \
<label>Find <input id=\"f-text\" type=\"search\" placeholder=\"name or address\"></label> <span id=\"shown\" class=\"meta\"></span></div>\n",
    );
    b.push_str("<table class=\"members\">\n<thead><tr><th>Person</th><th>Class</th><th>Check-in</th><th>Posts<br><small>period / all</small></th><th>Last sign of life</th><th>Roster</th><th>Why</th></tr></thead>\n<tbody>\n");
    // The ones to act on first: dormant, then observers, then active.
    let mut order: Vec<&crate::members::MemberRow> = rows.iter().collect();
    order.sort_by_key(|r| {
        (
            match r.class {
                MemberClass::Dormant => 0,
                MemberClass::Observer => 1,
                MemberClass::Active => 2,
            },
            r.person.to_lowercase(),
        )
    });
    for r in order {
        let round = r.round_status.map(RoundStatus::as_str).unwrap_or("-");
        let address = r.email.as_deref().unwrap_or(&r.addresses[0]);
        let others = r.addresses.len().saturating_sub(1);
        let turning = r
            .dormant_on
            .map(|d| format!("<br><small class=\"dormant\">dormant on {d}</small>"))
            .unwrap_or_default();
        let _ = writeln!(
            b,
            "<tr data-class=\"{cls}\" data-roster=\"{roster}\" data-round=\"{round}\"><td data-sort=\"{sort_name}\">{name}<br><small title=\"{all}\">{address}{more}</small></td><td data-sort=\"{rank}\"><span class=\"badge {cls}\">{cls}</span>{turning}</td><td>{round}</td><td class=\"n\" data-sort=\"{pp}\">{pp} / {pt}</td><td data-sort=\"{last}\">{last}</td><td>{roster}</td><td title=\"{reason}\">{short}</td></tr>",
            cls = r.class.as_str(),
            roster = if r.on_roster { "yes" } else { "no" },
            sort_name = escape(&r.person.to_lowercase()),
            name = escape(&r.person),
            all = escape(&r.addresses.join("; ")),
            address = escape(address),
            more = if others > 0 {
                format!(" +{others}")
            } else {
                String::new()
            },
            rank = match r.class {
                MemberClass::Dormant => 0,
                MemberClass::Observer => 1,
                MemberClass::Active => 2,
            },
            pp = r.posts_in_period,
            pt = r.posts_total,
            last = day(r.last_sign_of_life),
            reason = escape(&r.reason),
            short = escape(&r.short_reason),
        );
    }
    b.push_str("</tbody>\n</table>\n<p class=\"meta\">Hover a name for all of a person's addresses, a reason for the whole rule. The same table: <a href=\"members.csv\">members.csv</a>.</p>\n");
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

fn duplicates_section(b: &mut String, m: &ReportModel) {
    b.push_str("<h2 id=\"duplicates\">Possible duplicate identities</h2>\n");
    if m.table.duplicate_suggestions.is_empty() && m.table.ambiguous_keys.is_empty() {
        b.push_str("<p>None found.</p>\n");
        return;
    }
    b.push_str("<p>These look like one person with several addresses, strongest evidence first. listpulse never merges them by itself: to merge, list the addresses on one line of the aliases file, separated by commas (a scrambled key exactly as shown here).</p>\n<ul class=\"duplicates\">\n");
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
            "<p class=\"meta\">As of {} · check-in period {} days · dormant after {} days without a sign of life · active from {} post(s) in the period · {}</p>",
            m.as_of,
            t.period_days,
            t.inactivity_days,
            t.min_posts,
            if m.table.has_roster {
                "with a roster".to_string()
            } else {
                format!(
                    "no roster: members are those seen in the last {} days",
                    t.former_after_days
                )
            }
        );
        b.push_str(&status_block(m));
        let _ = writeln!(
            b,
            "<p class=\"counts\"><strong>{}</strong> members: <span class=\"badge active\">{} active</span> <span class=\"badge observer\">{} observers</span> <span class=\"badge dormant\">{} dormant</span> · {} former participants, not counted (<a href=\"#former\">below</a>) · <a href=\"members.csv\">members.csv</a> · <a href=\"summary.json\">summary.json</a></p>",
            c.total(),
            c.active,
            c.observer,
            c.dormant,
            m.table.former.len()
        );
        if !m.table.warnings.is_empty() {
            b.push_str("<div class=\"warnings\" role=\"note\"><strong>Warnings</strong><ul>\n");
            for w in &m.table.warnings {
                let _ = writeln!(b, "<li>{}</li>", escape(w));
            }
            b.push_str("</ul></div>\n");
        }
        next_steps(&mut b, m);
        if let Some(round) = &m.table.round {
            round_section(&mut b, m, round)?;
        }
        member_table(&mut b, m);
        b.push_str("<h2>Figures</h2>\n");
        figures_table(&mut b, &m.figures, t.period_days);
        b.push_str(&health_history(m));
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
        b.push_str(&inline_charts(&CoalitionChart::ALL, m)?);
        b.push_str("<a id=\"former\"></a>\n");
        former_section(&mut b, m);
        duplicates_section(&mut b, m);
        Ok(page_with_script(
            &format!("{} — listpulse report as of {}", m.name, m.as_of),
            &b,
            SCRIPT,
        ))
    }
}
