//! The cross-coalition report for the DC coordination group: per coalition
//! its size, health, class counts, figures, last message and the change
//! since last year's check-in date; the minimum-standards grid; and the
//! strongest overlaps of membership. It is built from the coalition models
//! but keeps aggregates only: no address and no name of a person leaves a
//! coalition's own folder (DESIGN.md, "Who uses it"), and counts of people
//! under `min_group_size` are protected ([`super::privacy`]).
//!
//! Made to stay readable at 30 coalitions: display names everywhere, one
//! small chart per metric on one shared row order (small multiples) instead
//! of mixed axes, and only the strongest overlaps instead of a 30 × 30 matrix.

use std::collections::HashSet;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    self, ACTIVE, Chart, DORMANT, Fonts, GREY, Mark, OBSERVER, ORANGE, PURPLE, frame,
};
use super::model::{ArchiveState, Figures};
use super::privacy::{Cell, Out, protect, protect_one};
use super::rows::{Value, figure_rows};
use super::{Exporter, ReportModel};
use crate::classify::ClassCounts;
use crate::health::{Health, HealthStatus, HealthThresholds};
use crate::standards::{RuleCount, StandardsGrid};

/// One coalition's line in the comparison.
#[derive(Debug, Clone)]
pub struct ComparisonRow {
    /// Slug (its folder).
    pub coalition: String,
    /// Display name.
    pub name: String,
    /// What this run computed; `None` when an input of the coalition failed
    /// and its previous reports were kept ("not updated").
    pub data: Option<RowData>,
}

/// The figures of an updated coalition.
#[derive(Debug, Clone)]
pub struct RowData {
    /// Counts per class.
    pub counts: ClassCounts,
    /// Former participants: not members, so in no count above.
    pub former: u64,
    /// The coalition figures.
    pub figures: Figures,
    /// Health at T.
    pub health: Health,
    /// The archive's last message and whether it is stale.
    pub archive: ArchiveState,
    /// The same a year before, when the archive reaches back that far.
    pub last_year: Option<LastYear>,
    /// The minimum-standards grid for this coalition.
    pub standards: Vec<RuleCount>,
}

/// A coalition on the anniversary a year before T.
#[derive(Debug, Clone)]
pub struct LastYear {
    /// The day.
    pub date: NaiveDate,
    /// Counts per class.
    pub counts: ClassCounts,
    /// Former participants.
    pub former: u64,
    /// Figures.
    pub figures: Figures,
    /// Health.
    pub health: HealthStatus,
}

/// Two coalitions sharing members.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SharedPair {
    /// Row index of the first.
    pub a: usize,
    /// Row index of the second.
    pub b: usize,
    /// Members of both (the smaller of the two directions: a person of one
    /// with an address among the other's members).
    pub shared: u64,
    /// `shared` as a share of the smaller coalition's members.
    pub of_smaller: f64,
}

/// How many overlaps the comparison shows at most.
pub const MAX_PAIRS: usize = 15;

/// What the comparison needs besides the coalition models.
#[derive(Debug, Clone)]
pub struct ComparisonOptions {
    /// Counts of people under this are protected.
    pub min_group_size: u32,
    /// The `[health]` thresholds (for the definitions).
    pub health: HealthThresholds,
    /// The `[standards]` grid.
    pub grid: StandardsGrid,
    /// Whether the coalition pages are published beside the comparison
    /// (`comparison_output` is `output`): then names link to them.
    pub coalition_links: bool,
    /// Warnings about the run as a whole.
    pub warnings: Vec<String>,
}

impl Default for ComparisonOptions {
    fn default() -> Self {
        ComparisonOptions {
            min_group_size: crate::config::DEFAULT_MIN_GROUP_SIZE,
            health: HealthThresholds::default(),
            grid: StandardsGrid::default(),
            coalition_links: true,
            warnings: vec![],
        }
    }
}

/// A coalition as `run` hands it to the comparison, in configuration order.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    /// Reported by this run.
    Updated(&'a ReportModel),
    /// An input failed: its previous reports were kept.
    NotUpdated {
        /// Slug.
        slug: &'a str,
        /// Display name.
        name: &'a str,
    },
}

/// Everything the comparison shows.
#[derive(Debug, Clone)]
pub struct ComparisonModel {
    /// T (the same for every coalition of a run).
    pub as_of: NaiveDate,
    /// One row per coalition, in configuration order.
    pub rows: Vec<ComparisonRow>,
    /// The options it was computed with.
    pub options: ComparisonOptions,
    /// The standards grid over every updated coalition.
    pub standards_all: Vec<RuleCount>,
    /// The strongest overlaps, at least `min_group_size` members each,
    /// largest first, at most [`MAX_PAIRS`].
    pub pairs: Vec<SharedPair>,
}

impl ComparisonModel {
    /// Aggregates the coalitions.
    pub fn compute(
        as_of: NaiveDate,
        entries: &[Entry<'_>],
        options: ComparisonOptions,
    ) -> ComparisonModel {
        let mut rows = Vec::with_capacity(entries.len());
        let mut standards_all = Vec::new();
        for e in entries {
            match e {
                Entry::Updated(m) => {
                    crate::standards::add(&mut standards_all, &m.standards);
                    rows.push(ComparisonRow {
                        coalition: m.coalition.clone(),
                        name: m.name.clone(),
                        data: Some(row_data(m)),
                    });
                }
                Entry::NotUpdated { slug, name } => rows.push(ComparisonRow {
                    coalition: slug.to_string(),
                    name: name.to_string(),
                    data: None,
                }),
            }
        }
        let pairs = shared_pairs(entries, options.min_group_size);
        ComparisonModel {
            as_of,
            rows,
            options,
            standards_all,
            pairs,
        }
    }

    /// `min_group_size`.
    pub fn min(&self) -> u32 {
        self.options.min_group_size
    }
}

fn row_data(m: &ReportModel) -> RowData {
    let last_year = m.last_year().map(|hp| {
        let h = m.history.iter().find(|h| h.date == hp.date);
        LastYear {
            date: hp.date,
            counts: h.map(|h| h.counts).unwrap_or_default(),
            former: h.map_or(0, |h| h.former),
            figures: hp.figures.clone(),
            health: hp.status,
        }
    });
    RowData {
        counts: m.counts(),
        former: m.table.former.len() as u64,
        figures: m.figures.clone(),
        health: m.health.clone(),
        archive: m.archive,
        last_year,
        standards: m.standards.clone(),
    }
}

fn shared_pairs(entries: &[Entry<'_>], min: u32) -> Vec<SharedPair> {
    let members: Vec<Option<(&ReportModel, HashSet<&str>)>> = entries
        .iter()
        .map(|e| match e {
            Entry::Updated(m) => Some((
                *m,
                m.table
                    .members
                    .iter()
                    .flat_map(|r| r.addresses.iter().map(String::as_str))
                    .collect(),
            )),
            Entry::NotUpdated { .. } => None,
        })
        .collect();
    let one_way = |a: &ReportModel, b: &HashSet<&str>| {
        a.table
            .members
            .iter()
            .filter(|r| r.addresses.iter().any(|x| b.contains(x.as_str())))
            .count() as u64
    };
    let mut pairs = Vec::new();
    for (i, a) in members.iter().enumerate() {
        let Some((ma, sa)) = a else { continue };
        for (j, b) in members.iter().enumerate().skip(i + 1) {
            let Some((mb, sb)) = b else { continue };
            let shared = one_way(ma, sb).min(one_way(mb, sa));
            let smaller = ma.counts().total().min(mb.counts().total()).max(1);
            if shared >= u64::from(min) && shared > 0 {
                pairs.push(SharedPair {
                    a: i,
                    b: j,
                    shared,
                    of_smaller: shared as f64 / smaller as f64,
                });
            }
        }
    }
    pairs.sort_by(|x, y| {
        y.shared
            .cmp(&x.shared)
            .then(y.of_smaller.total_cmp(&x.of_smaller))
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    pairs.truncate(MAX_PAIRS);
    pairs
}

/// A coalition's people counts, protected: members, then active, observer,
/// dormant (one group adding up to members), then former participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectedCounts {
    /// All members.
    pub members: Cell,
    /// Active, observer, dormant.
    pub classes: [Cell; 3],
    /// Former participants.
    pub former: Cell,
}

impl ProtectedCounts {
    /// Protects `counts` and `former` under `min`.
    pub fn of(counts: &ClassCounts, former: u64, min: u32) -> ProtectedCounts {
        let members = protect_one(counts.total(), min);
        let classes = protect(&[counts.active, counts.observer, counts.dormant], min);
        ProtectedCounts {
            members,
            classes: [classes[0], classes[1], classes[2]],
            former: protect_one(former, min),
        }
    }

    /// Every class shown: the class shares can be drawn.
    pub fn all_shown(&self) -> bool {
        self.classes.iter().all(|c| c.count().is_some())
    }
}

/// The change of a protected count since last year, as a CSV/JSON cell:
/// empty without last year, `hidden` where either year is protected.
pub fn count_change(now: Cell, then: Option<Cell>) -> Out {
    match (now, then) {
        (_, None) => Out::Empty,
        (Cell::Count(a), Some(Cell::Count(b))) => Out::Int(a as i64 - b as i64),
        _ => Out::Text("hidden".into()),
    }
}

/// The change of a figure since last year (shares in points of 0–1).
pub fn value_change(now: Value, then: Option<Value>) -> Out {
    match (now, then) {
        (Value::Count(a), Some(Value::Count(b))) => Out::Int(a as i64 - b as i64),
        (Value::OfTwelve(a), Some(Value::OfTwelve(b))) => Out::Int(i64::from(a) - i64::from(b)),
        (Value::Share(Some(a)), Some(Value::Share(Some(b)))) => Out::Num(a - b),
        _ => Out::Empty,
    }
}

/// The exporters of the comparison folder.
pub fn exporters() -> Vec<Box<dyn Exporter<ComparisonModel>>> {
    let mut out: Vec<Box<dyn Exporter<ComparisonModel>>> = vec![
        Box::new(ComparisonCsv),
        Box::new(StandardsCsv),
        Box::new(super::html::ComparisonPage),
    ];
    out.extend(charts::chart_exporters(&ComparisonChart::ALL));
    out
}

/// comparison.csv: one row per coalition.
pub struct ComparisonCsv;

impl Exporter<ComparisonModel> for ComparisonCsv {
    fn file_name(&self) -> String {
        "comparison.csv".into()
    }

    fn render(&self, model: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        let mut header: Vec<String> = [
            "coalition",
            "name",
            "report",
            "health",
            "health_reason",
            "health_last_year",
            "members",
            "members_change",
            "active",
            "active_change",
            "observer",
            "observer_change",
            "dormant",
            "dormant_change",
            "active_share",
            "observer_share",
            "dormant_share",
            "former",
            "former_change",
        ]
        .map(String::from)
        .to_vec();
        for r in figure_rows(&Figures::default()) {
            header.push(r.key.to_string());
            header.push(format!("{}_change", r.key));
        }
        header.extend(["last_message", "stale_archive"].map(String::from));
        let min = model.min();
        let mut rows = Vec::new();
        for r in &model.rows {
            let mut cells = vec![Out::Text(r.coalition.clone()), Out::Text(r.name.clone())];
            let Some(d) = &r.data else {
                cells.push(Out::Text("not updated".into()));
                cells.resize(header.len(), Out::Empty);
                rows.push(cells);
                continue;
            };
            cells.push(Out::Text("updated".into()));
            cells.push(Out::Text(d.health.status.as_str().into()));
            cells.push(Out::Text(d.health.reason.clone()));
            cells.push(match &d.last_year {
                Some(l) => Out::Text(l.health.as_str().into()),
                None => Out::Empty,
            });
            let now = ProtectedCounts::of(&d.counts, d.former, min);
            let then = d
                .last_year
                .as_ref()
                .map(|l| ProtectedCounts::of(&l.counts, l.former, min));
            cells.push(now.members.out(min));
            cells.push(count_change(now.members, then.map(|t| t.members)));
            for k in 0..3 {
                cells.push(now.classes[k].out(min));
                cells.push(count_change(now.classes[k], then.map(|t| t.classes[k])));
            }
            let total = d.counts.total();
            for k in 0..3 {
                cells.push(match now.classes[k] {
                    Cell::Count(n) if total > 0 => Out::Num(n as f64 / total as f64),
                    Cell::Count(_) => Out::Empty,
                    c => Out::Text(c.text(min)),
                });
            }
            cells.push(now.former.out(min));
            cells.push(count_change(now.former, then.map(|t| t.former)));
            let last = d.last_year.as_ref().map(|l| figure_rows(&l.figures));
            for (i, row) in figure_rows(&d.figures).iter().enumerate() {
                cells.push(match row.value {
                    Value::Count(n) => Out::Int(n as i64),
                    Value::OfTwelve(n) => Out::Int(i64::from(n)),
                    Value::Share(Some(s)) => Out::Num(s),
                    Value::Share(None) => Out::Empty,
                });
                cells.push(value_change(row.value, last.as_ref().map(|l| l[i].value)));
            }
            cells.push(match d.archive.last_message {
                Some(day) => Out::Text(crate::day::format(day)),
                None => Out::Empty,
            });
            cells.push(Out::Text(d.archive.stale.to_string()));
            rows.push(cells);
        }
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        super::csv::write_rows(&header, &rows)
    }
}

/// The standards.csv columns: one row per coalition and rule, then the
/// rows for all coalitions together (`coalition` = `all`).
pub const STANDARDS_COLUMNS: [&str; 8] = [
    "coalition",
    "name",
    "window",
    "window_days",
    "min_posts",
    "members",
    "below",
    "below_declared_observer",
];

/// The standards grid as rows: `(slug, name, counts)` per coalition, then
/// `all`. Coalitions not updated are left out.
pub fn standards_groups(model: &ComparisonModel) -> Vec<(&str, &str, &[RuleCount])> {
    let mut out: Vec<(&str, &str, &[RuleCount])> = model
        .rows
        .iter()
        .filter_map(|r| {
            r.data.as_ref().map(|d| {
                (
                    r.coalition.as_str(),
                    r.name.as_str(),
                    d.standards.as_slice(),
                )
            })
        })
        .collect();
    out.push(("all", "All coalitions", &model.standards_all));
    out
}

/// Protects one coalition's standards row: every "below" and "of which
/// declared observer" count of every rule is one group, so one small count
/// takes one more with it.
pub fn protect_standards(counts: &[RuleCount], min: u32) -> Vec<(Cell, Cell)> {
    let mut values = Vec::with_capacity(counts.len() * 2);
    for c in counts {
        values.push(c.below);
        values.push(c.below_declared_observer);
    }
    let cells = protect(&values, min);
    cells.chunks(2).map(|p| (p[0], p[1])).collect()
}

/// Writes standards rows, protected under `min` (or exact with `None`).
pub fn standards_csv(
    groups: &[(&str, &str, &[RuleCount])],
    min: Option<u32>,
) -> anyhow::Result<Vec<u8>> {
    let mut rows = Vec::new();
    for (slug, name, counts) in groups {
        let cells: Vec<(Cell, Cell)> = match min {
            Some(min) => protect_standards(counts, min),
            None => counts
                .iter()
                .map(|c| (Cell::Count(c.below), Cell::Count(c.below_declared_observer)))
                .collect(),
        };
        let m = min.unwrap_or(0);
        for (c, (below, obs)) in counts.iter().zip(cells) {
            rows.push(vec![
                Out::Text(slug.to_string()),
                Out::Text(name.to_string()),
                Out::Text(crate::standards::window_label(c.rule.window_days)),
                Out::Int(i64::from(c.rule.window_days)),
                Out::Int(i64::from(c.rule.min_posts)),
                match min {
                    Some(min) => protect_one(c.members, min).out(min),
                    None => Out::Int(c.members as i64),
                },
                below.out(m),
                obs.out(m),
            ]);
        }
    }
    super::csv::write_rows(&STANDARDS_COLUMNS, &rows)
}

/// standards.csv: the minimum-standards grid, protected.
pub struct StandardsCsv;

impl Exporter<ComparisonModel> for StandardsCsv {
    fn file_name(&self) -> String {
        "standards.csv".into()
    }

    fn render(&self, model: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        standards_csv(&standards_groups(model), Some(model.min()))
    }
}

/// The comparison charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonChart {
    /// Shares of active, observer and dormant members.
    ClassShares,
    /// One small chart per metric, the coalitions in one order.
    Figures,
    /// The strongest overlaps of membership.
    SharedMembers,
}

impl ComparisonChart {
    /// Every chart, in page order.
    pub const ALL: [ComparisonChart; 3] = [
        ComparisonChart::ClassShares,
        ComparisonChart::Figures,
        ComparisonChart::SharedMembers,
    ];
}

/// Height of one coalition's row in the comparison charts.
const ROW_H: i32 = 24;
/// Width of the charts.
const WIDTH: u32 = 1200;

impl Chart<ComparisonModel> for ComparisonChart {
    fn stem(self) -> &'static str {
        match self {
            ComparisonChart::ClassShares => "chart-class-shares",
            ComparisonChart::Figures => "chart-figures",
            ComparisonChart::SharedMembers => "chart-shared-members",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ComparisonChart::ClassShares => "Members by class, share per coalition",
            ComparisonChart::Figures => "Coalition figures over the check-in period",
            ComparisonChart::SharedMembers => "Coalitions sharing the most members",
        }
    }

    fn size(self, m: &ComparisonModel) -> (u32, u32) {
        let n = match self {
            ComparisonChart::SharedMembers => m.pairs.len().max(1),
            _ => m.rows.len().max(1),
        } as u32;
        let extra = match self {
            ComparisonChart::Figures => 110,
            _ => 120,
        };
        (WIDTH, extra + ROW_H as u32 * n)
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
        m: &ComparisonModel,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{} (as of {})", self.title(), m.as_of);
        if m.rows.is_empty() {
            return charts::draw_empty(root, fonts, &title, "No coalitions");
        }
        match self {
            ComparisonChart::ClassShares => class_shares(root, fonts, m, &title),
            ComparisonChart::Figures => small_multiples(root, fonts, m, &title),
            ComparisonChart::SharedMembers => shared(root, fonts, m, &title),
        }
    }
}

/// The names as the charts label them: a first run of words that every
/// name shares ("Dynamic Coalition on") is left out, so that 30 labels
/// differ in what they show. Returns the labels and what was left out.
pub fn chart_labels(rows: &[ComparisonRow]) -> (Vec<String>, Option<String>) {
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let mut words: Vec<&str> = match names.first() {
        Some(first) if names.len() >= 2 => first.split(' ').collect(),
        _ => return (names.iter().map(|n| n.to_string()).collect(), None),
    };
    words.truncate(words.len().saturating_sub(1));
    for name in &names[1..] {
        let theirs: Vec<&str> = name.split(' ').collect();
        let same = words
            .iter()
            .zip(&theirs)
            .take_while(|(a, b)| a == b)
            .count();
        // Keep at least one word of every name.
        words.truncate(same.min(theirs.len().saturating_sub(1)));
    }
    let prefix = words.join(" ");
    if prefix.chars().count() < 8 {
        return (names.iter().map(|n| n.to_string()).collect(), None);
    }
    let labels = names
        .iter()
        .map(|n| n[prefix.len()..].trim_start().to_string())
        .collect();
    (labels, Some(prefix))
}

/// The chart title with the left-out prefix named.
fn titled(title: &str, prefix: &Option<String>) -> String {
    match prefix {
        Some(p) => format!("{title}; \u{201c}{p}\u{201d} left out of the names"),
        None => title.to_string(),
    }
}

/// A display name cut to `chars` characters for a chart's label column.
fn short_name(name: &str, chars: usize) -> String {
    if name.chars().count() <= chars {
        name.to_string()
    } else {
        let cut: String = name.chars().take(chars - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn left(fonts: &Fonts, size: f64) -> TextStyle<'static> {
    fonts.sized(size).pos(Pos::new(HPos::Left, VPos::Center))
}

fn right(fonts: &Fonts, size: f64) -> TextStyle<'static> {
    fonts.sized(size).pos(Pos::new(HPos::Right, VPos::Center))
}

fn centre(fonts: &Fonts, size: f64) -> TextStyle<'static> {
    fonts.sized(size).pos(Pos::new(HPos::Center, VPos::Center))
}

/// Width of the name column.
const NAMES_W: i32 = 300;

fn class_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let min = m.min();
    let (labels, prefix) = chart_labels(&m.rows);
    let title = &titled(title, &prefix);
    let items = vec![
        ("Active".to_string(), Mark::Box(ACTIVE)),
        ("Observer".to_string(), Mark::Box(OBSERVER)),
        ("Dormant".to_string(), Mark::Box(DORMANT)),
    ];
    let area = frame(root, fonts, title, &items)?;
    let (w, _) = area.dim_in_pixel();
    let x0 = NAMES_W + 10;
    let bar_w = w as i32 - x0 - 60;
    let top = 6;
    for (i, r) in m.rows.iter().enumerate() {
        let y = top + ROW_H * i as i32 + ROW_H / 2;
        area.draw(&Text::new(
            short_name(&labels[i], 36),
            (NAMES_W, y),
            right(fonts, 14.0),
        ))?;
        let Some(d) = &r.data else {
            area.draw(&Text::new(
                "not updated",
                (x0, y),
                left(fonts, 13.0).color(&GREY),
            ))?;
            continue;
        };
        let p = ProtectedCounts::of(&d.counts, d.former, min);
        let total = d.counts.total();
        if total == 0 {
            area.draw(&Text::new(
                "no members",
                (x0, y),
                left(fonts, 13.0).color(&GREY),
            ))?;
            continue;
        }
        if !p.all_shown() {
            area.draw(&Rectangle::new(
                [(x0, y - 8), (x0 + bar_w, y + 8)],
                RGBColor(0xdd, 0xdd, 0xdd).filled(),
            ))?;
            area.draw(&Text::new(
                format!("a class has fewer than {min} members: shares not shown"),
                (x0 + 8, y),
                left(fonts, 13.0),
            ))?;
            continue;
        }
        let mut x = x0 as f64;
        for (n, color) in [
            (d.counts.active, ACTIVE),
            (d.counts.observer, OBSERVER),
            (d.counts.dormant, DORMANT),
        ] {
            let wpx = bar_w as f64 * n as f64 / total as f64;
            area.draw(&Rectangle::new(
                [(x.round() as i32, y - 8), ((x + wpx).round() as i32, y + 8)],
                color.filled(),
            ))?;
            if wpx >= 38.0 {
                area.draw(&Text::new(
                    format!("{:.0}%", 100.0 * n as f64 / total as f64),
                    ((x + wpx / 2.0) as i32, y),
                    centre(fonts, 12.0).color(&WHITE),
                ))?;
            }
            x += wpx;
        }
    }
    let y = top + ROW_H * m.rows.len() as i32 + 8;
    for pct in [0, 25, 50, 75, 100] {
        let x = x0 + bar_w * pct / 100;
        area.draw(&PathElement::new(
            vec![(x, y - 4), (x, y)],
            BLACK.stroke_width(1),
        ))?;
        area.draw(&Text::new(
            format!("{pct}%"),
            (x, y + 10),
            centre(fonts, 12.0),
        ))?;
    }
    area.draw(&Text::new(
        "Share of the coalition's members",
        (x0 + bar_w / 2, y + 30),
        centre(fonts, 14.0),
    ))?;
    Ok(())
}

/// One panel of the small multiples.
struct Metric {
    title: &'static str,
    /// The axis maximum (0 = the largest value).
    max: f64,
    unit: &'static str,
    color: RGBColor,
    /// The value (shares in percent), or why there is none.
    value: fn(&RowData, u32) -> Result<f64, String>,
}

fn small_multiples<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let metrics = [
        Metric {
            title: "Members",
            max: 0.0,
            unit: "",
            color: GREY,
            value: |d, min| match protect_one(d.counts.total(), min) {
                Cell::Count(n) => Ok(n as f64),
                c => Err(c.text(min)),
            },
        },
        Metric {
            title: "Months active (of 12)",
            max: 12.0,
            unit: "",
            color: ACTIVE,
            value: |d, _| Ok(f64::from(d.figures.months_active_last_12)),
        },
        Metric {
            title: "Messages",
            max: 0.0,
            unit: "",
            color: OBSERVER,
            value: |d, _| Ok(d.figures.messages_in_period as f64),
        },
        Metric {
            title: "Threads, 2+ voices",
            max: 100.0,
            unit: "%",
            color: PURPLE,
            value: |d, _| {
                d.figures
                    .two_or_more_voices_share
                    .map(|s| s * 100.0)
                    .ok_or_else(|| "no thread".into())
            },
        },
        Metric {
            title: "Outside meetings",
            max: 100.0,
            unit: "%",
            color: ORANGE,
            value: |d, _| match d.figures.outside_meeting_share {
                Some(s) => Ok(s * 100.0),
                None if d.figures.messages_in_period == 0 => Err("no posts".into()),
                None => Err("not set".into()),
            },
        },
        Metric {
            title: "By coordinators",
            max: 100.0,
            unit: "%",
            color: DORMANT,
            value: |d, _| match d.figures.coordinator_share {
                Some(s) => Ok(s * 100.0),
                None if d.figures.messages_in_period == 0 => Err("no posts".into()),
                None => Err("not set".into()),
            },
        },
    ];
    let min = m.min();
    let (labels, prefix) = chart_labels(&m.rows);
    let area = frame(root, fonts, &titled(title, &prefix), &[])?;
    let (w, _) = area.dim_in_pixel();
    let x0 = NAMES_W + 12;
    let gap = 14;
    let k = metrics.len() as i32;
    let pw = (w as i32 - x0 - 10 - gap * (k - 1)) / k;
    let head = 34;
    let n = m.rows.len() as i32;
    for (i, r) in m.rows.iter().enumerate() {
        let y = head + ROW_H * i as i32 + ROW_H / 2;
        if i % 2 == 1 {
            area.draw(&Rectangle::new(
                [(0, y - ROW_H / 2), (w as i32, y + ROW_H / 2)],
                RGBColor(0xf4, 0xf4, 0xf4).filled(),
            ))?;
        }
        let _ = r;
        area.draw(&Text::new(
            short_name(&labels[i], 36),
            (NAMES_W, y),
            right(fonts, 14.0),
        ))?;
    }
    for (k, metric) in metrics.iter().enumerate() {
        let px = x0 + k as i32 * (pw + gap);
        let values: Vec<Option<Result<f64, String>>> = m
            .rows
            .iter()
            .map(|r| r.data.as_ref().map(|d| (metric.value)(d, min)))
            .collect();
        let max = if metric.max > 0.0 {
            metric.max
        } else {
            values
                .iter()
                .filter_map(|v| v.as_ref().and_then(|v| v.as_ref().ok()))
                .fold(1.0f64, |a, b| a.max(*b))
        };
        area.draw(&Text::new(metric.title, (px, head / 2), left(fonts, 14.0)))?;
        let bar_w = pw - 44;
        let y_end = head + ROW_H * n;
        area.draw(&PathElement::new(
            vec![(px, head), (px, y_end)],
            BLACK.stroke_width(1),
        ))?;
        for (i, v) in values.iter().enumerate() {
            let y = head + ROW_H * i as i32 + ROW_H / 2;
            match v {
                None => {
                    if k == 0 {
                        area.draw(&Text::new(
                            "not updated",
                            (px + 4, y),
                            left(fonts, 12.0).color(&GREY),
                        ))?;
                    }
                }
                Some(Err(why)) => {
                    area.draw(&Text::new(
                        why.clone(),
                        (px + 4, y),
                        left(fonts, 12.0).color(&GREY),
                    ))?;
                }
                Some(Ok(v)) => {
                    let len = (f64::from(bar_w) * v / max).round() as i32;
                    if len > 0 {
                        area.draw(&Rectangle::new(
                            [(px, y - 7), (px + len, y + 7)],
                            metric.color.mix(0.8).filled(),
                        ))?;
                    }
                    area.draw(&Text::new(
                        format!("{v:.0}{}", metric.unit),
                        (px + len + 4, y),
                        left(fonts, 12.0),
                    ))?;
                }
            }
        }
        // The axis: 0 and the maximum.
        area.draw(&Text::new("0", (px, y_end + 12), centre(fonts, 12.0)))?;
        area.draw(&Text::new(
            format!("{max:.0}{}", metric.unit),
            (px + bar_w, y_end + 12),
            centre(fonts, 12.0),
        ))?;
    }
    Ok(())
}

fn shared<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    if m.pairs.is_empty() {
        return charts::draw_empty(
            root,
            fonts,
            title,
            &format!("No two coalitions share {} or more members", m.min()),
        );
    }
    let (labels, prefix) = chart_labels(&m.rows);
    let area = frame(root, fonts, &titled(title, &prefix), &[])?;
    let (w, _) = area.dim_in_pixel();
    let label_w = 560;
    let x0 = label_w + 12;
    let bar_w = w as i32 - x0 - 170;
    let max = m.pairs.iter().map(|p| p.shared).max().unwrap_or(1).max(1) as f64;
    for (i, p) in m.pairs.iter().enumerate() {
        let y = 10 + ROW_H * i as i32 + ROW_H / 2;
        let label = format!(
            "{} ↔ {}",
            short_name(&labels[p.a], 32),
            short_name(&labels[p.b], 32)
        );
        area.draw(&Text::new(label, (label_w, y), right(fonts, 14.0)))?;
        let len = (f64::from(bar_w) * p.shared as f64 / max).round() as i32;
        area.draw(&Rectangle::new(
            [(x0, y - 7), (x0 + len.max(1), y + 7)],
            OBSERVER.filled(),
        ))?;
        area.draw(&Text::new(
            format!("{} ({:.0}% of the smaller)", p.shared, p.of_smaller * 100.0),
            (x0 + len + 6, y),
            left(fonts, 12.0),
        ))?;
    }
    let y = 10 + ROW_H * m.pairs.len() as i32 + 16;
    area.draw(&Text::new(
        format!(
            "Members of both coalitions; pairs sharing fewer than {} are not shown",
            m.min()
        ),
        (x0, y),
        left(fonts, 13.0).color(&GREY),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_need_both_years_shown() {
        assert_eq!(
            count_change(Cell::Count(5), Some(Cell::Count(8))),
            Out::Int(-3)
        );
        assert_eq!(count_change(Cell::Count(5), None), Out::Empty);
        assert_eq!(
            count_change(Cell::Count(5), Some(Cell::Small)),
            Out::Text("hidden".into())
        );
        assert_eq!(
            value_change(Value::Share(Some(0.5)), Some(Value::Share(Some(0.75)))),
            Out::Num(-0.25)
        );
        assert_eq!(
            value_change(Value::Share(None), Some(Value::Share(Some(0.7)))),
            Out::Empty
        );
    }

    #[test]
    fn chart_labels_leave_out_the_words_every_name_shares() {
        let rows = |names: &[&str]| -> Vec<ComparisonRow> {
            names
                .iter()
                .map(|n| ComparisonRow {
                    coalition: "x".into(),
                    name: n.to_string(),
                    data: None,
                })
                .collect()
        };
        let (labels, prefix) = chart_labels(&rows(&[
            "Dynamic Coalition on Trade",
            "Dynamic Coalition on Net Neutrality",
        ]));
        assert_eq!(labels, ["Trade", "Net Neutrality"]);
        assert_eq!(prefix.as_deref(), Some("Dynamic Coalition on"));
        let (labels, prefix) = chart_labels(&rows(&["Open Data", "Open Education"]));
        assert_eq!(labels, ["Open Data", "Open Education"]);
        assert_eq!(prefix, None, "too short to be worth it");
        let (labels, _) = chart_labels(&rows(&["Dynamic Coalition", "Dynamic Coalition on X"]));
        assert_eq!(labels[0], "Dynamic Coalition", "every label keeps a word");
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(short_name("Open Data", 36), "Open Data");
        assert_eq!(
            short_name("Dynamic Coalition on Internet Rights and Principles", 20),
            "Dynamic Coalition o…"
        );
    }
}
