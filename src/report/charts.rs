//! Charts, drawn with plotters, each rendered both as SVG (inlined in the
//! HTML pages) and PNG (for slides and mail). One drawing function per chart,
//! generic over the backend, so both formats show the same picture, and one
//! exporter ([`ChartFile`]) for the coalition charts and the comparison's.
//!
//! Every chart draws its legend in a row of its own between the title and
//! the plot, naming only the series it actually drew: no legend covers a
//! bar, and no axis needs headroom (a percent axis ends at 100%). Time
//! charts mark the partial current month or year, and where the archive
//! ends when that is well before the as-of date.
//!
//! Text uses DejaVu Sans, embedded in the binary and registered as
//! "sans-serif" with ab_glyph: no system font library is needed at build or
//! run time (DEPENDENCIES.md §7). ab_glyph draws PNG text about 24% larger
//! than the SVG backend at the same size, so PNG sizes are divided by 1.24.

use std::sync::Once;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

use chrono::Datelike;

use super::model::YearPoint;
use super::{Exporter, ReportModel};
use crate::day::Day;

static SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn register_font() {
    REGISTER.call_once(|| {
        // The font is compiled in; it can only fail if the file is replaced
        // by something that is not a font, which the chart tests would catch.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, SANS);
    });
}

/// Colour of each class, the same in every chart and on the pages.
pub const ACTIVE: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
/// Observer colour.
pub const OBSERVER: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
/// Dormant colour.
pub const DORMANT: RGBColor = RGBColor(0xd6, 0x27, 0x28);
/// Neutral grey (reference lines, marks).
pub const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Orange (a second series).
pub const ORANGE: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
/// Purple (a third series).
pub const PURPLE: RGBColor = RGBColor(0x94, 0x67, 0xbd);

/// Chart size in pixels (SVG user units).
pub const SIZE: (u32, u32) = (960, 440);

/// SVG or PNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Scalable, inlined in the HTML pages.
    Svg,
    /// Bitmap, for slides and mail.
    Png,
}

impl ImageFormat {
    /// The file extension.
    pub fn ext(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// Text sizes for one backend.
#[derive(Debug, Clone, Copy)]
pub struct Fonts {
    scale: f64,
}

impl Fonts {
    fn for_format(format: ImageFormat) -> Fonts {
        Fonts {
            scale: match format {
                ImageFormat::Svg => 1.0,
                ImageFormat::Png => 1.0 / 1.24,
            },
        }
    }
    fn px(&self, size: f64) -> f64 {
        size * self.scale
    }
    /// Caption style.
    pub fn title(&self) -> TextStyle<'static> {
        ("sans-serif", self.px(24.0)).into_font().into()
    }
    /// Axis labels and legend.
    pub fn label(&self) -> TextStyle<'static> {
        ("sans-serif", self.px(16.0)).into_font().into()
    }
    /// Axis descriptions.
    pub fn axis(&self) -> TextStyle<'static> {
        ("sans-serif", self.px(17.0)).into_font().into()
    }
    /// Small text (values on cells).
    pub fn small(&self) -> TextStyle<'static> {
        ("sans-serif", self.px(14.0)).into_font().into()
    }
    /// Any size (SVG pixels).
    pub fn sized(&self, size: f64) -> TextStyle<'static> {
        ("sans-serif", self.px(size)).into_font().into()
    }
}

/// Something that can draw itself on any plotters backend.
pub trait Draw {
    /// Draws on `root` with the text sizes `fonts`.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// Renders `chart` into an image file's bytes.
pub fn render<D: Draw>(
    chart: &D,
    format: ImageFormat,
    (w, h): (u32, u32),
) -> anyhow::Result<Vec<u8>> {
    register_font();
    let fonts = Fonts::for_format(format);
    match format {
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                chart.draw(&root, &fonts)?;
                root.present()?;
            }
            Ok(text.into_bytes())
        }
        ImageFormat::Png => {
            let mut pixels = vec![255u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
                root.fill(&WHITE)?;
                chart.draw(&root, &fonts)?;
                root.present()?;
            }
            let mut out = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut out, w, h);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                enc.set_compression(png::Compression::Default);
                let mut writer = enc.write_header()?;
                writer.write_image_data(&pixels)?;
            }
            Ok(out)
        }
    }
}

/// Draws a caption and a "no data" note: an empty chart says so.
pub fn draw_empty<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    title: &str,
    why: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let area = root.margin(12, 0, 0, 0).titled(title, fonts.title())?;
    let (w, h) = area.dim_in_pixel();
    let centred = fonts.axis().pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Center,
    ));
    area.draw(&Text::new(
        why.to_string(),
        (w as i32 / 2, h as i32 / 2),
        centred,
    ))?;
    Ok(())
}

/// A chart of model `M`: its file name, title, size and drawing. Every
/// chart, of a coalition or of the comparison, is written by [`ChartFile`].
pub trait Chart<M>: Copy {
    /// File stem.
    fn stem(self) -> &'static str;
    /// What it shows (caption, alt text).
    fn title(self) -> &'static str;
    /// Size in SVG pixels for this model.
    fn size(self, model: &M) -> (u32, u32);
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
        model: &M,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static;
}

/// One chart in one format: the exporter of every chart file.
pub struct ChartFile<C> {
    /// Which chart.
    pub chart: C,
    /// Which format.
    pub format: ImageFormat,
}

struct Bound<'a, C, M> {
    chart: C,
    model: &'a M,
}

impl<C: Chart<M>, M> Draw for Bound<'_, C, M> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        self.chart.draw(root, fonts, self.model)
    }
}

impl<M, C: Chart<M>> Exporter<M> for ChartFile<C> {
    fn file_name(&self) -> String {
        format!("{}.{}", self.chart.stem(), self.format.ext())
    }

    fn render(&self, model: &M) -> anyhow::Result<Vec<u8>> {
        render(
            &Bound {
                chart: self.chart,
                model,
            },
            self.format,
            self.chart.size(model),
        )
    }
}

/// The exporters of `charts`, SVG and PNG each.
pub fn chart_exporters<M: 'static, C: Chart<M> + 'static>(
    charts: &[C],
) -> Vec<Box<dyn Exporter<M>>> {
    let mut out: Vec<Box<dyn Exporter<M>>> = Vec::new();
    for &chart in charts {
        for format in [ImageFormat::Svg, ImageFormat::Png] {
            out.push(Box::new(ChartFile { chart, format }));
        }
    }
    out
}

/// How a legend entry looks.
#[derive(Debug, Clone, Copy)]
pub enum Mark {
    /// A filled box (bars).
    Box(RGBColor),
    /// A line (a series or a reference).
    Line(RGBColor),
    /// A dashed line (a marker).
    Dashed(RGBColor),
    /// No swatch: the text explains a mark written on the chart.
    Note,
}

/// Draws the title, then a legend row of `items` (only what the chart
/// draws), and returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    title: &str,
    items: &[(String, Mark)],
) -> anyhow::Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    let area = root.margin(10, 0, 0, 0).titled(title, fonts.title())?;
    if items.is_empty() {
        return Ok(area);
    }
    let label = fonts.label();
    // Lay the entries out left to right, wrapping to a second row.
    let (w, _) = area.dim_in_pixel();
    let mut rows: Vec<Vec<(i32, &(String, Mark))>> = vec![vec![]];
    let mut x = 70;
    for item in items {
        let (tw, _) = area.estimate_text_size(&item.0, &label)?;
        let width = 24 + tw as i32 + 22;
        if x + width > w as i32 - 10 && x > 70 {
            rows.push(vec![]);
            x = 70;
        }
        if let Some(r) = rows.last_mut() {
            r.push((x, item));
        }
        x += width;
    }
    let row_h = (fonts.px(16.0) * 1.6) as i32;
    let (band, rest) = area.split_vertically(row_h * rows.len() as i32 + 6);
    for (r, row) in rows.iter().enumerate() {
        let y = row_h * r as i32 + row_h / 2;
        for (x, (text, mark)) in row {
            match *mark {
                Mark::Box(c) => {
                    band.draw(&Rectangle::new([(*x, y - 6), (x + 16, y + 6)], c.filled()))?
                }
                Mark::Line(c) => band.draw(&PathElement::new(
                    vec![(*x, y), (x + 16, y)],
                    c.stroke_width(3),
                ))?,
                Mark::Note => {}
                Mark::Dashed(c) => {
                    for k in 0..3 {
                        band.draw(&PathElement::new(
                            vec![(x + k * 6, y), (x + k * 6 + 3, y)],
                            c.stroke_width(3),
                        ))?;
                    }
                }
            }
            band.draw(&Text::new(
                text.clone(),
                (x + 22, y - fonts.px(8.0) as i32),
                label.clone(),
            ))?;
        }
    }
    Ok(rest)
}

/// The charts of a coalition's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoalitionChart {
    /// Messages and distinct posters per month.
    MonthlyActivity,
    /// Class counts at each yearly check-in date.
    ClassHistory,
    /// Newcomers, returning and lapsed posters per year.
    PosterFlow,
    /// Share of messages by the most active tenth of posters.
    Concentration,
    /// Median hours to a first reply, and share of threads answered.
    Response,
}

impl CoalitionChart {
    /// Every chart, in page order.
    pub const ALL: [CoalitionChart; 5] = [
        CoalitionChart::MonthlyActivity,
        CoalitionChart::ClassHistory,
        CoalitionChart::PosterFlow,
        CoalitionChart::Concentration,
        CoalitionChart::Response,
    ];
}

impl Chart<ReportModel> for CoalitionChart {
    fn stem(self) -> &'static str {
        match self {
            CoalitionChart::MonthlyActivity => "chart-monthly-activity",
            CoalitionChart::ClassHistory => "chart-class-history",
            CoalitionChart::PosterFlow => "chart-poster-flow",
            CoalitionChart::Concentration => "chart-concentration",
            CoalitionChart::Response => "chart-response",
        }
    }

    fn title(self) -> &'static str {
        match self {
            CoalitionChart::MonthlyActivity => "Messages and distinct posters per month",
            CoalitionChart::ClassHistory => "Members by class at each yearly check-in date",
            CoalitionChart::PosterFlow => "Newcomers, returning and lapsed posters per year",
            CoalitionChart::Concentration => "Share of messages by the most active 10% of posters",
            CoalitionChart::Response => {
                "Replies: median hours to a first reply, share of threads answered"
            }
        }
    }

    fn size(self, _: &ReportModel) -> (u32, u32) {
        SIZE
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
        m: &ReportModel,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = format!("{} — {}", m.name, self.title());
        match self {
            CoalitionChart::MonthlyActivity => monthly(root, fonts, m, &title),
            CoalitionChart::ClassHistory => class_history(root, fonts, m, &title),
            CoalitionChart::PosterFlow => poster_flow(root, fonts, m, &title),
            CoalitionChart::Concentration => concentration(root, fonts, m, &title),
            CoalitionChart::Response => response(root, fonts, m, &title),
        }
    }
}

/// The coordinates of the time charts: x in fractional years, with the
/// ticks placed by listpulse (whole years or months), never between them.
type TimeCoord = Cartesian2d<Ticked, RangedCoordf64>;

/// An f64 axis whose ticks are exactly the given points: plotters' own
/// choice may fall between years or categories and leave unlabelled ticks.
#[derive(Clone)]
pub struct Ticked {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ticked {
    /// The range `range` with ticks at `ticks`.
    pub fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Only the bold points (labels and their ticks); no light grid.
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// Every `step`-th integer from `first` to `last`, the step chosen so that
/// at most `max` remain.
fn every(first: i64, last: i64, max: usize) -> Vec<f64> {
    if last < first {
        return vec![];
    }
    let n = (last - first + 1) as usize;
    let step = n.div_ceil(max.max(1)).max(1);
    (first..=last).step_by(step).map(|v| v as f64).collect()
}

/// Whole years within (x0, x1), at most `max` of them.
fn year_ticks(x0: f64, x1: f64, max: usize) -> Vec<f64> {
    every(x0.ceil() as i64, x1.floor() as i64, max)
}

/// Ticks of the monthly chart: each 1 January over two years or more, else
/// the first month of each quarter.
fn month_ticks(x0: f64, x1: f64) -> Vec<f64> {
    if x1 - x0 >= 2.0 {
        return year_ticks(x0, x1, 14);
    }
    let first = (x0 * 4.0).ceil() as i64;
    let last = (x1 * 4.0 - 1e-9).floor() as i64;
    every(first, last, 12)
        .into_iter()
        .map(|q| q / 4.0)
        .collect()
}

/// A month tick's label: the year on 1 January, else "Apr 2025".
fn month_label(x: &f64) -> String {
    let year = x.floor();
    let month = ((x - year) * 12.0).round() as usize;
    if month == 0 {
        format!("{year:.0}")
    } else {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!("{} {year:.0}", NAMES[month.min(11)])
    }
}

/// A year axis label: whole years only (plotters may put keys between them).
fn year_label(x: &f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{:.0}", x)
    } else {
        String::new()
    }
}

/// Label of category `x` (an index), empty between categories.
fn category_label(labels: &[String], x: &f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
        labels[i as usize].clone()
    } else {
        String::new()
    }
}

/// A day as a fractional year (2025-07-01 is about 2025.5).
fn year_fraction(d: Day) -> f64 {
    f64::from(d.year()) + f64::from(d.ordinal0()) / 365.25
}

fn month_start(d: Day) -> Day {
    d.with_day(1).unwrap_or(d)
}

/// Whether T is the last day of its month / year: else the current month
/// or year is partial.
fn partial_month(as_of: Day) -> bool {
    as_of
        .succ_opt()
        .is_some_and(|n| n.month0() == as_of.month0())
}

fn partial_year(as_of: Day) -> bool {
    as_of.succ_opt().is_some_and(|n| n.year() == as_of.year())
}

/// The archive's last message, when the archive ends more than 60 days
/// before T: a list silent since 2021 must not show an unexplained flat
/// line up to T.
fn archive_end(m: &ReportModel) -> Option<Day> {
    let last = m.archive.last_message?;
    (crate::day::days_between(last, m.as_of) > 60).then_some(last)
}

/// Light band colours: the partial period, and the time after the archive ends.
const PARTIAL: RGBColor = RGBColor(0xff, 0xf1, 0xc2);
const AFTER_END: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);

/// Marks, behind the data, the partial year (or month) and the time after
/// the archive's end on a chart whose x axis is in fractional years.
/// Returns the legend entries for what it drew.
fn time_marks<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, TimeCoord>,
    m: &ReportModel,
    partial: Option<(f64, f64, String)>,
    y_max: f64,
) -> anyhow::Result<Vec<(String, Mark)>>
where
    DB::ErrorType: 'static,
{
    let mut items = Vec::new();
    let (x0, x1) = {
        let r = chart.x_range();
        (r.start, r.end)
    };
    if let Some((lo, hi, label)) = partial {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(lo.max(x0), 0.0), (hi.min(x1), y_max)],
            PARTIAL.filled(),
        )))?;
        items.push((label, Mark::Box(PARTIAL)));
    }
    if let Some(end) = archive_end(m) {
        let x = year_fraction(end).clamp(x0, x1);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x, 0.0), (x1, y_max)],
            AFTER_END.filled(),
        )))?;
        chart.draw_series(DashedLineSeries::new(
            vec![(x, 0.0), (x, y_max)],
            6,
            4,
            GREY.stroke_width(2),
        ))?;
        items.push((
            format!("no message after {end} (end of the archive)"),
            Mark::Dashed(GREY),
        ));
    }
    Ok(items)
}

fn monthly<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    if m.monthly.iter().all(|p| p.messages == 0) {
        return draw_empty(root, fonts, title, "No counted messages yet");
    }
    let x = |d: chrono::NaiveDate| d.year() as f64 + d.month0() as f64 / 12.0;
    let x0 = x(m.monthly[0].month);
    let x1 = x(m.monthly[m.monthly.len() - 1].month) + 1.0 / 12.0;
    let ymax = m
        .monthly
        .iter()
        .map(|p| p.messages)
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.05;
    let w = 1.0 / 12.0;
    let ended_before = archive_end(m).is_some_and(|end| month_start(end) < month_start(m.as_of));
    let partial = (partial_month(m.as_of) && !ended_before).then(|| {
        let left = x(m.monthly[m.monthly.len() - 1].month);
        (
            left,
            left + w,
            format!("{} so far (to {})", m.as_of.format("%b %Y"), m.as_of),
        )
    });
    // The legend is drawn first (it sets the plot's area): list what will be drawn.
    let mut items = vec![
        (
            "Messages".to_string(),
            Mark::Box(OBSERVER.mix(0.55).to_rgba().into_rgb()),
        ),
        ("Distinct posters".to_string(), Mark::Line(ORANGE)),
    ];
    if let Some((_, _, label)) = &partial {
        items.push((label.clone(), Mark::Box(PARTIAL)));
    }
    if let Some(end) = archive_end(m) {
        items.push((
            format!("no message after {end} (end of the archive)"),
            Mark::Dashed(GREY),
        ));
    }
    let area = frame(root, fonts, title, &items)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(Ticked::new(x0..x1, month_ticks(x0, x1)), 0f64..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_label_formatter(&month_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Month")
        .y_desc("Per month")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    time_marks(&mut chart, m, partial, ymax)?;
    chart.draw_series(m.monthly.iter().map(|p| {
        let left = x(p.month);
        Rectangle::new(
            [(left + w * 0.1, 0.0), (left + w * 0.9, p.messages as f64)],
            OBSERVER.mix(0.55).filled(),
        )
    }))?;
    chart.draw_series(LineSeries::new(
        m.monthly
            .iter()
            .map(|p| (x(p.month) + w / 2.0, p.posters as f64)),
        ORANGE.stroke_width(2),
    ))?;
    Ok(())
}

trait IntoRgb {
    fn into_rgb(self) -> RGBColor;
}

impl IntoRgb for RGBAColor {
    fn into_rgb(self) -> RGBColor {
        // Blend on white, as the bars look on the page.
        let mix = |c: u8| (f64::from(c) * self.3 + 255.0 * (1.0 - self.3)).round() as u8;
        RGBColor(mix(self.0), mix(self.1), mix(self.2))
    }
}

fn class_history<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    if m.history.is_empty() || m.history.iter().all(|h| h.counts.total() == 0) {
        return draw_empty(root, fonts, title, "No members yet");
    }
    let n = m.history.len();
    let fmt = if n <= 8 { "%Y-%m-%d" } else { "%Y" };
    let labels: Vec<String> = m
        .history
        .iter()
        .map(|h| h.date.format(fmt).to_string())
        .collect();
    let ymax = m
        .history
        .iter()
        .map(|h| h.counts.total())
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.05;
    let layers: [(&str, RGBColor, ClassSpan); 3] = [
        ("Active", ACTIVE, |c| (0, c.active)),
        ("Observer", OBSERVER, |c| (c.active, c.active + c.observer)),
        ("Dormant", DORMANT, |c| (c.active + c.observer, c.total())),
    ];
    let items: Vec<(String, Mark)> = layers
        .iter()
        .filter(|(_, _, span)| {
            m.history.iter().any(|h| {
                let (lo, hi) = span(&h.counts);
                hi > lo
            })
        })
        .map(|(name, color, _)| (name.to_string(), Mark::Box(*color)))
        .collect();
    let area = frame(root, fonts, title, &items)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            Ticked::new(-0.5f64..n as f64 - 0.5, every(0, n as i64 - 1, 14)),
            0f64..ymax,
        )?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_label_formatter(&|x| category_label(&labels, x))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Check-in date (the as-of day and each anniversary before it)")
        .y_desc("Members")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    for (_, color, span) in layers {
        chart.draw_series(m.history.iter().enumerate().map(|(i, h)| {
            let (lo, hi) = span(&h.counts);
            let x = i as f64;
            Rectangle::new(
                [(x - 0.35, lo as f64), (x + 0.35, hi as f64)],
                color.filled(),
            )
        }))?;
    }
    Ok(())
}

/// The lower and upper edge of one class's segment in a stacked bar.
type ClassSpan = fn(&crate::classify::ClassCounts) -> (u64, u64);
/// One value of a year.
type YearValue = fn(&YearPoint) -> u64;

fn year_axis(m: &ReportModel) -> Option<(f64, f64)> {
    let first = m.yearly.first()?.year as f64;
    let last = m.yearly.last()?.year as f64;
    Some((first - 0.5, last + 0.5))
}

/// The partial current year as a band on a year axis, with its legend text.
/// None when the archive ended before that year: the grey "no message"
/// band says more there.
fn partial_year_band(m: &ReportModel) -> Option<(f64, f64, String)> {
    let ended_before = archive_end(m).is_some_and(|end| end.year() < m.as_of.year());
    (partial_year(m.as_of) && !ended_before).then(|| {
        let y = f64::from(m.as_of.year());
        (
            y - 0.5,
            y + 0.5,
            format!("{}: a partial year, to {}", m.as_of.year(), m.as_of),
        )
    })
}

/// Legend entries for the marks [`time_marks`] will draw on a year axis.
fn year_mark_items(m: &ReportModel) -> Vec<(String, Mark)> {
    let mut items = Vec::new();
    if let Some((_, _, label)) = partial_year_band(m) {
        items.push((label, Mark::Box(PARTIAL)));
    }
    if let Some(end) = archive_end(m) {
        items.push((
            format!("no message after {end} (end of the archive)"),
            Mark::Dashed(GREY),
        ));
    }
    items
}

fn poster_flow<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let Some((x0, x1)) = year_axis(m) else {
        return draw_empty(root, fonts, title, "No counted messages yet");
    };
    let ymax = m
        .yearly
        .iter()
        .map(|y| y.newcomers.max(y.returning).max(y.lapsed))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.05;
    let series: [(&str, RGBColor, f64, YearValue); 3] = [
        ("Newcomers (first post ever)", ACTIVE, -0.27, |y| {
            y.newcomers
        }),
        ("Returning (silent the year before)", OBSERVER, 0.0, |y| {
            y.returning
        }),
        (
            "Lapsed (posted the year before, not this year)",
            DORMANT,
            0.27,
            |y| y.lapsed,
        ),
    ];
    let mut items: Vec<(String, Mark)> = series
        .iter()
        .filter(|(_, _, _, v)| m.yearly.iter().any(|y| v(y) > 0))
        .map(|(name, color, _, _)| (name.to_string(), Mark::Box(*color)))
        .collect();
    items.extend(year_mark_items(m));
    let area = frame(root, fonts, title, &items)?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(Ticked::new(x0..x1, year_ticks(x0, x1, 14)), 0f64..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_label_formatter(&year_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Year")
        .y_desc("Posters")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    time_marks(&mut chart, m, partial_year_band(m), ymax)?;
    for (_, color, offset, value) in series {
        chart.draw_series(m.yearly.iter().map(|y| {
            let x = y.year as f64 + offset;
            Rectangle::new(
                [(x - 0.12, 0.0), (x + 0.12, value(y) as f64)],
                color.filled(),
            )
        }))?;
    }
    Ok(())
}

/// How one bar-per-year panel is labelled and scaled.
struct YearBars<'a> {
    x_desc: &'a str,
    y_desc: &'a str,
    /// The y axis runs from 0 to this (100 for percent panels).
    y_max: f64,
    /// Year ticks at most (the axis gets this many plus one).
    max_year_labels: usize,
    percent: bool,
    color: RGBColor,
    value: fn(&YearPoint) -> Option<f64>,
}

/// One panel of bars, one per year: the shape of the concentration and both
/// response panels. Returns the chart so a caller can add series.
fn year_bars<'a, DB: DrawingBackend + 'a>(
    area: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    (x0, x1): (f64, f64),
    spec: &YearBars<'_>,
) -> anyhow::Result<ChartContext<'a, DB, TimeCoord>>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            Ticked::new(x0..x1, year_ticks(x0, x1, spec.max_year_labels)),
            0f64..spec.y_max,
        )?;
    let percent = |v: &f64| format!("{v:.0}%");
    let hours = |v: &f64| {
        if spec.y_max < 10.0 {
            format!("{v:.1} h")
        } else {
            format!("{v:.0} h")
        }
    };
    let y_format: &dyn Fn(&f64) -> String = if spec.percent { &percent } else { &hours };
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_label_formatter(&year_label)
        .y_labels(6)
        .y_label_formatter(y_format)
        .x_desc(spec.x_desc)
        .y_desc(spec.y_desc)
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    time_marks(&mut chart, m, partial_year_band(m), spec.y_max)?;
    let scale = if spec.percent { 100.0 } else { 1.0 };
    let color = spec.color;
    chart.draw_series(m.yearly.iter().filter_map(|y| {
        let v = (spec.value)(y)? * scale;
        let x = y.year as f64;
        Some(Rectangle::new(
            [(x - 0.3, 0.0), (x + 0.3, v)],
            color.filled(),
        ))
    }))?;
    Ok(chart)
}

fn concentration<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let Some((x0, x1)) = year_axis(m) else {
        return draw_empty(root, fonts, title, "No counted messages yet");
    };
    let min = super::model::MIN_POSTERS_FOR_CONCENTRATION;
    if m.yearly.iter().all(|y| y.top_tenth_share.is_none()) {
        return draw_empty(
            root,
            fonts,
            title,
            &format!("No year with {min} or more posters: the share is not shown for fewer"),
        );
    }
    let small_years = m
        .yearly
        .iter()
        .any(|y| y.posters > 0 && y.top_tenth_share.is_none());
    let mut items = vec![
        (
            "Messages by the most active 10% of the year's posters".to_string(),
            Mark::Box(PURPLE),
        ),
        ("Even spread (10%)".to_string(), Mark::Line(GREY)),
    ];
    if small_years {
        items.push((
            format!("n/a: fewer than {min} posters that year"),
            Mark::Note,
        ));
    }
    items.extend(year_mark_items(m));
    let area = frame(root, fonts, title, &items)?;
    let spec = YearBars {
        x_desc: "Year",
        y_desc: "Share of the year's messages",
        y_max: 100.0,
        max_year_labels: 14,
        percent: true,
        color: PURPLE,
        value: |y| y.top_tenth_share,
    };
    let mut chart = year_bars(&area, fonts, m, (x0, x1), &spec)?;
    // The share that an even spread would give: 10% of posters, 10% of messages.
    chart.draw_series(LineSeries::new(
        vec![(x0, 10.0), (x1, 10.0)],
        GREY.stroke_width(2),
    ))?;
    let note = fonts
        .small()
        .color(&GREY)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        ));
    chart.draw_series(
        m.yearly
            .iter()
            .filter(|y| y.posters > 0 && y.top_tenth_share.is_none())
            .map(|y| Text::new("n/a", (y.year as f64, 14.0), note.clone())),
    )?;
    Ok(())
}

fn response<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    title: &str,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let Some(years) = year_axis(m) else {
        return draw_empty(root, fonts, title, "No counted messages yet");
    };
    let mut items = Vec::new();
    if m.yearly.iter().any(|y| y.median_reply_hours.is_some()) {
        items.push((
            "Median hours to a first reply (left)".to_string(),
            Mark::Box(ORANGE),
        ));
    }
    if m.yearly.iter().any(|y| y.replied_share.is_some()) {
        items.push((
            "Share of threads answered by another person (right)".to_string(),
            Mark::Box(ACTIVE),
        ));
    }
    items.extend(year_mark_items(m));
    let area = frame(root, fonts, title, &items)?;
    let panels = area.split_evenly((1, 2));
    let hmax = m
        .yearly
        .iter()
        .filter_map(|y| y.median_reply_hours)
        .fold(1.0f64, f64::max)
        * 1.05;
    let hours = YearBars {
        x_desc: "Year the thread started",
        y_desc: "Median hours to first reply",
        y_max: hmax,
        max_year_labels: 8,
        percent: false,
        color: ORANGE,
        value: |y| y.median_reply_hours,
    };
    let answered = YearBars {
        y_desc: "Threads answered by another",
        y_max: 100.0,
        percent: true,
        color: ACTIVE,
        value: |y| y.replied_share,
        ..hours
    };
    for (panel, spec) in panels.iter().zip([&hours, &answered]) {
        year_bars(panel, fonts, m, years, spec)?;
    }
    Ok(())
}

/// Turns a plotters error into one line (used where `?` cannot convert).
pub fn plot_error(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("chart: {e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_fall_on_whole_years_or_quarters_never_between() {
        // 2015-01 to 2025-07: every year, at most 14.
        assert_eq!(
            year_ticks(2014.5, 2025.5, 14),
            (2015..=2025).map(f64::from).collect::<Vec<_>>()
        );
        // 30 years: every third year.
        assert_eq!(year_ticks(1995.5, 2025.5, 14).len(), 10);
        assert!(
            year_ticks(1995.5, 2025.5, 14)
                .iter()
                .all(|y| y.fract() == 0.0)
        );
        // Five months of archive: quarters, labelled by month.
        let t = month_ticks(2025.0, 2025.0 + 6.0 / 12.0);
        let labels: Vec<String> = t.iter().map(month_label).collect();
        assert_eq!(labels, ["2025", "Apr 2025"]);
        assert_eq!(every(0, 7, 14), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
        assert!(every(3, 2, 14).is_empty());
    }

    #[test]
    fn a_partial_year_or_month_is_one_that_t_does_not_end() {
        let d = |s: &str| crate::day::parse(s).unwrap();
        assert!(partial_year(d("2025-06-30")));
        assert!(!partial_year(d("2025-12-31")));
        assert!(!partial_month(d("2025-06-30")));
        assert!(partial_month(d("2025-06-29")));
    }
}
