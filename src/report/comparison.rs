//! The cross-coalition report for the DC coordination group: counts, shares
//! and figures per coalition, and how many members coalitions share. It is
//! built from the coalition models but keeps aggregates only: no address and
//! no name leaves a coalition's own folder (DESIGN.md, "Who uses it").

use std::collections::HashSet;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{
    self, ACTIVE, DORMANT, Draw, Fonts, ImageFormat, OBSERVER, legend, legend_box,
};
use super::model::share_text;
use super::{Exporter, Figures, ReportModel};
use crate::classify::ClassCounts;

/// One coalition's line in the comparison.
#[derive(Debug, Clone)]
pub struct ComparisonRow {
    /// Slug.
    pub coalition: String,
    /// Display name.
    pub name: String,
    /// Counts per class.
    pub counts: ClassCounts,
    /// Former participants: not members, so in no count above.
    pub former: u64,
    /// The coalition figures.
    pub figures: Figures,
}

impl ComparisonRow {
    /// Share of members in each class (none without members).
    pub fn shares(&self) -> Option<(f64, f64, f64)> {
        let t = self.counts.total();
        (t > 0).then(|| {
            let t = t as f64;
            (
                self.counts.active as f64 / t,
                self.counts.observer as f64 / t,
                self.counts.dormant as f64 / t,
            )
        })
    }
}

/// Everything the comparison shows.
#[derive(Debug, Clone)]
pub struct ComparisonModel {
    /// T (the same for every coalition of a run).
    pub as_of: NaiveDate,
    /// One row per coalition, in configuration order.
    pub rows: Vec<ComparisonRow>,
    /// `shared[i][j]`: members of coalition i with an address among coalition
    /// j's members (the diagonal holds each coalition's member count).
    pub shared: Vec<Vec<u64>>,
}

impl ComparisonModel {
    /// Aggregates the coalition models.
    pub fn compute(as_of: NaiveDate, models: &[ReportModel]) -> ComparisonModel {
        let rows = models
            .iter()
            .map(|m| ComparisonRow {
                coalition: m.coalition.clone(),
                name: m.name.clone(),
                counts: m.counts(),
                former: m.table.former.len() as u64,
                figures: m.figures.clone(),
            })
            .collect();
        let addresses: Vec<HashSet<&str>> = models
            .iter()
            .map(|m| {
                m.table
                    .members
                    .iter()
                    .flat_map(|r| r.addresses.iter().map(String::as_str))
                    .collect()
            })
            .collect();
        let shared = models
            .iter()
            .map(|a| {
                addresses
                    .iter()
                    .map(|b| {
                        a.table
                            .members
                            .iter()
                            .filter(|r| r.addresses.iter().any(|x| b.contains(x.as_str())))
                            .count() as u64
                    })
                    .collect()
            })
            .collect();
        ComparisonModel {
            as_of,
            rows,
            shared,
        }
    }
}

/// The exporters of the comparison files.
pub fn exporters() -> Vec<Box<dyn Exporter<ComparisonModel>>> {
    let mut out: Vec<Box<dyn Exporter<ComparisonModel>>> = vec![
        Box::new(ComparisonCsv),
        Box::new(super::html::ComparisonPage),
    ];
    for chart in ComparisonChart::ALL {
        for format in [ImageFormat::Svg, ImageFormat::Png] {
            out.push(Box::new(ComparisonChartFile { chart, format }));
        }
    }
    out
}

/// comparison.csv: one row per coalition.
pub struct ComparisonCsv;

/// The fixed first columns of comparison.csv (the figures follow).
pub const COMPARISON_HEADER: &str =
    "coalition,members,active,observer,dormant,active_share,observer_share,dormant_share,former";

impl Exporter<ComparisonModel> for ComparisonCsv {
    fn file_name(&self) -> String {
        "comparison.csv".into()
    }

    fn render(&self, model: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        let mut header: Vec<&str> = COMPARISON_HEADER.split(',').collect();
        let figures = Figures::default().columns();
        header.extend(figures.iter().map(|(name, _)| *name));
        let mut rows = Vec::new();
        for r in &model.rows {
            let s = r.shares();
            let mut cells = vec![
                super::csv::guard(&r.coalition).into_owned(),
                r.counts.total().to_string(),
                r.counts.active.to_string(),
                r.counts.observer.to_string(),
                r.counts.dormant.to_string(),
                share_text(s.map(|s| s.0)),
                share_text(s.map(|s| s.1)),
                share_text(s.map(|s| s.2)),
                r.former.to_string(),
            ];
            cells.extend(r.figures.columns().into_iter().map(|(_, v)| v));
            rows.push(cells);
        }
        super::csv::write_rows(&header, &rows)
    }
}

/// The comparison charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonChart {
    /// Shares of active, observer and dormant members.
    ClassShares,
    /// The coalition figures side by side.
    Figures,
    /// Members shared between coalitions.
    SharedMembers,
}

impl ComparisonChart {
    /// Every chart, in page order.
    pub const ALL: [ComparisonChart; 3] = [
        ComparisonChart::ClassShares,
        ComparisonChart::Figures,
        ComparisonChart::SharedMembers,
    ];

    /// File stem.
    pub fn stem(self) -> &'static str {
        match self {
            ComparisonChart::ClassShares => "chart-class-shares",
            ComparisonChart::Figures => "chart-figures",
            ComparisonChart::SharedMembers => "chart-shared-members",
        }
    }

    /// What it shows.
    pub fn title(self) -> &'static str {
        match self {
            ComparisonChart::ClassShares => "Members by class, share per coalition",
            ComparisonChart::Figures => "Coalition figures over the check-in period",
            ComparisonChart::SharedMembers => "Members shared between coalitions",
        }
    }
}

/// One comparison chart in one format.
pub struct ComparisonChartFile {
    /// Which chart.
    pub chart: ComparisonChart,
    /// Which format.
    pub format: ImageFormat,
}

impl Exporter<ComparisonModel> for ComparisonChartFile {
    fn file_name(&self) -> String {
        format!("{}.{}", self.chart.stem(), self.format.ext())
    }

    fn render(&self, model: &ComparisonModel) -> anyhow::Result<Vec<u8>> {
        let n = model.rows.len() as u32;
        let size = match self.chart {
            ComparisonChart::ClassShares => (960, 200 + 50 * n),
            ComparisonChart::Figures => (960, 200 + 110 * n),
            ComparisonChart::SharedMembers => (960, 260 + 60 * n),
        };
        charts::render(
            &ComparisonDraw {
                model,
                chart: self.chart,
            },
            self.format,
            size,
        )
    }
}

struct ComparisonDraw<'a> {
    model: &'a ComparisonModel,
    chart: ComparisonChart,
}

impl Draw for ComparisonDraw<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{} (as of {})", self.chart.title(), self.model.as_of);
        if self.model.rows.is_empty() {
            return charts::draw_empty(root, fonts, &title, "No coalitions");
        }
        match self.chart {
            ComparisonChart::ClassShares => class_shares(root, fonts, self.model, &title),
            ComparisonChart::Figures => figures(root, fonts, self.model, &title),
            ComparisonChart::SharedMembers => shared(root, fonts, self.model, &title),
        }
    }
}

fn label_width(model: &ComparisonModel) -> u32 {
    let longest = model
        .rows
        .iter()
        .map(|r| r.coalition.chars().count())
        .max()
        .unwrap_or(4);
    (longest as u32 * 10 + 30).clamp(80, 260)
}

/// Category label of row `y` (an index from the top).
fn row_label(model: &ComparisonModel, y: &f64) -> String {
    let i = y.round();
    if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < model.rows.len() {
        model.rows[model.rows.len() - 1 - i as usize]
            .coalition
            .clone()
    } else {
        String::new()
    }
}

/// The left and right edge of one class's segment, from the three shares.
type ShareSpan = fn((f64, f64, f64)) -> (f64, f64);

fn class_shares<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    model: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let n = model.rows.len();
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .margin_right(36)
        .x_label_area_size(50)
        .y_label_area_size(label_width(model))
        .build_cartesian_2d(0f64..100.0, -0.5f64..n as f64 + 1.5)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .y_labels(n + 2)
        .y_label_formatter(&|y| row_label(model, y))
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc("Share of the coalition's members")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    let layers: [(&str, RGBColor, ShareSpan); 3] = [
        ("Active", ACTIVE, |s| (0.0, s.0)),
        ("Observer", OBSERVER, |s| (s.0, s.0 + s.1)),
        ("Dormant", DORMANT, |s| (s.0 + s.1, 1.0)),
    ];
    for (name, color, span) in layers {
        chart
            .draw_series(model.rows.iter().enumerate().filter_map(|(i, r)| {
                let (lo, hi) = span(r.shares()?);
                let y = (n - 1 - i) as f64;
                Some(Rectangle::new(
                    [(lo * 100.0, y - 0.35), (hi * 100.0, y + 0.35)],
                    color.filled(),
                ))
            }))?
            .label(name)
            .legend(legend_box(color));
    }
    // The legend (three rows of text) sits in the two spare rows above the bars.
    legend(&mut chart, fonts, SeriesLabelPosition::UpperRight)
}

fn figures<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    model: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let n = model.rows.len();
    type Pick = fn(&Figures) -> Option<f64>;
    let measures: [(&str, RGBColor, Pick); 4] = [
        ("Months with activity, last 12", ACTIVE, |f| {
            Some(f.months_active_last_12 as f64 / 12.0)
        }),
        ("Threads with two or more voices", OBSERVER, |f| {
            f.two_or_more_voices_share
        }),
        (
            "Messages outside the annual-meeting window",
            RGBColor(0xff, 0x7f, 0x0e),
            |f| f.outside_meeting_share,
        ),
        (
            "Messages by the coordinators",
            RGBColor(0x94, 0x67, 0xbd),
            |f| f.coordinator_share,
        ),
    ];
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .margin_right(36)
        .x_label_area_size(50)
        .y_label_area_size(label_width(model))
        .build_cartesian_2d(0f64..100.0, -0.5f64..n as f64 + 0.9)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .y_labels(n + 2)
        .y_label_formatter(&|y| row_label(model, y))
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .x_desc("Share (months: out of 12); a missing bar means not configured")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    for (k, (name, color, pick)) in measures.into_iter().enumerate() {
        let offset = 0.3 - 0.2 * k as f64;
        chart
            .draw_series(model.rows.iter().enumerate().filter_map(|(i, r)| {
                let v = pick(&r.figures)? * 100.0;
                let y = (n - 1 - i) as f64 + offset;
                Some(Rectangle::new(
                    [(0.0, y - 0.09), (v, y + 0.09)],
                    color.filled(),
                ))
            }))?
            .label(name)
            .legend(legend_box(color));
    }
    legend(&mut chart, fonts, SeriesLabelPosition::UpperRight)
}

fn shared<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    model: &ComparisonModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let n = model.rows.len();
    let max_off = model
        .shared
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.iter()
                .enumerate()
                .filter(move |(j, _)| *j != i)
                .map(|(_, v)| *v)
        })
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let col_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
            model.rows[i as usize].coalition.clone()
        } else {
            String::new()
        }
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(label_width(model))
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, -0.5f64..n as f64 - 0.5)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_mesh()
        .x_labels(n + 1)
        .y_labels(n + 1)
        .x_label_formatter(&col_label)
        .y_label_formatter(&|y| row_label(model, y))
        .x_desc(
            "Members of the row's coalition also on this coalition's list (diagonal: all members)",
        )
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    for (i, row) in model.shared.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let x = j as f64;
            let color = if i == j {
                RGBColor(0xee, 0xee, 0xee)
            } else {
                let t = *v as f64 / max_off;
                let mix =
                    |c: u8| (255.0 - (255.0 - f64::from(c)) * (0.15 + 0.85 * t)).round() as u8;
                RGBColor(mix(0x1f), mix(0x77), mix(0xb4))
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.48, y - 0.45), (x + 0.48, y + 0.45)],
                color.filled(),
            )))?;
            let text = v.to_string();
            // White on the dark cells, black on the light ones.
            let dark = i != j && (*v as f64 / max_off) > 0.5;
            let style = fonts.label().color(if dark { &WHITE } else { &BLACK }).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            );
            chart.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
        }
    }
    Ok(())
}
