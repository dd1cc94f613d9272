//! Charts, drawn with plotters, each rendered both as SVG (inlined in the
//! HTML pages) and PNG (for slides and mail). One drawing function per chart,
//! generic over the backend, so both formats show the same picture.
//!
//! Text uses DejaVu Sans, embedded in the binary and registered as
//! "sans-serif" with ab_glyph: no system font library is needed at build or
//! run time (DEPENDENCIES.md §7). ab_glyph draws PNG text about 24% larger
//! than the SVG backend at the same size, so PNG sizes are divided by 1.24.

use std::sync::Once;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::model::YearPoint;
use super::{Exporter, ReportModel};

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
const GREY: RGBColor = RGBColor(0x88, 0x88, 0x88);
const ORANGE: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
const PURPLE: RGBColor = RGBColor(0x94, 0x67, 0xbd);

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
                enc.set_compression(png::Compression::Best);
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
    /// Median days to a first reply, and share of threads answered.
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

    /// File stem.
    pub fn stem(self) -> &'static str {
        match self {
            CoalitionChart::MonthlyActivity => "chart-monthly-activity",
            CoalitionChart::ClassHistory => "chart-class-history",
            CoalitionChart::PosterFlow => "chart-poster-flow",
            CoalitionChart::Concentration => "chart-concentration",
            CoalitionChart::Response => "chart-response",
        }
    }

    /// What the chart shows, for the page's alt text and headings.
    pub fn title(self) -> &'static str {
        match self {
            CoalitionChart::MonthlyActivity => "Messages and distinct posters per month",
            CoalitionChart::ClassHistory => "Members by class at each yearly check-in date",
            CoalitionChart::PosterFlow => "Newcomers, returning and lapsed posters per year",
            CoalitionChart::Concentration => "Share of messages by the most active 10% of posters",
            CoalitionChart::Response => {
                "Replies: median days to a first reply, share of threads answered"
            }
        }
    }
}

/// One chart of a coalition in one format: an exporter of its own.
pub struct ChartFile {
    /// Which chart.
    pub chart: CoalitionChart,
    /// Which format.
    pub format: ImageFormat,
}

impl Exporter<ReportModel> for ChartFile {
    fn file_name(&self) -> String {
        format!("{}.{}", self.chart.stem(), self.format.ext())
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        render(
            &CoalitionDraw {
                model,
                chart: self.chart,
            },
            self.format,
            SIZE,
        )
    }
}

struct CoalitionDraw<'a> {
    model: &'a ReportModel,
    chart: CoalitionChart,
}

impl Draw for CoalitionDraw<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let m = self.model;
        let title = format!("{} — {}", m.name, self.chart.title());
        match self.chart {
            CoalitionChart::MonthlyActivity => monthly(root, fonts, m, &title),
            CoalitionChart::ClassHistory => class_history(root, fonts, m, &title),
            CoalitionChart::PosterFlow => poster_flow(root, fonts, m, &title),
            CoalitionChart::Concentration => concentration(root, fonts, m, &title),
            CoalitionChart::Response => response(root, fonts, m, &title),
        }
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

/// Draws the series legend the same way on every chart.
pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    fonts: &Fonts,
    pos: SeriesLabelPosition,
) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(pos)
        .label_font(fonts.label())
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

/// A legend swatch: a filled box in the series' colour.
pub(super) fn legend_box(color: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], color.filled())
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
    use chrono::Datelike;
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
        * 1.15;
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0f64..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(12)
        .x_label_formatter(&year_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Month (ticks at 1 January)")
        .y_desc("Per month")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    let w = 1.0 / 12.0;
    chart
        .draw_series(m.monthly.iter().map(|p| {
            let left = x(p.month);
            Rectangle::new(
                [(left + w * 0.1, 0.0), (left + w * 0.9, p.messages as f64)],
                OBSERVER.mix(0.55).filled(),
            )
        }))?
        .label("Messages")
        .legend(legend_box(OBSERVER.mix(0.55).to_rgba().into_rgb()));
    chart
        .draw_series(LineSeries::new(
            m.monthly
                .iter()
                .map(|p| (x(p.month) + w / 2.0, p.posters as f64)),
            ORANGE.stroke_width(2),
        ))?
        .label("Distinct posters")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ORANGE.stroke_width(3)));
    legend(&mut chart, fonts, SeriesLabelPosition::UpperRight)
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
        * 1.6;
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..ymax)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(n.min(14) + 1)
        .x_label_formatter(&|x| category_label(&labels, x))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Check-in date (the as-of day and each anniversary before it)")
        .y_desc("Members")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    let layers: [(&str, RGBColor, ClassSpan); 3] = [
        ("Active", ACTIVE, |c| (0, c.active)),
        ("Observer", OBSERVER, |c| (c.active, c.active + c.observer)),
        ("Dormant", DORMANT, |c| (c.active + c.observer, c.total())),
    ];
    for (name, color, span) in layers {
        chart
            .draw_series(m.history.iter().enumerate().map(|(i, h)| {
                let (lo, hi) = span(&h.counts);
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.35, lo as f64), (x + 0.35, hi as f64)],
                    color.filled(),
                )
            }))?
            .label(name)
            .legend(legend_box(color));
    }
    legend(&mut chart, fonts, SeriesLabelPosition::UpperLeft)
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
        * 1.6;
    let mut chart = ChartBuilder::on(root)
        .caption(title, fonts.title())
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0f64..ymax)?;
    let n_years = (x1 - x0).round() as usize;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(n_years.min(14) + 1)
        .x_label_formatter(&year_label)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc(format!(
            "Year ({} counts up to {})",
            m.as_of.format("%Y"),
            m.as_of
        ))
        .y_desc("Posters")
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
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
    for (name, color, offset, value) in series {
        chart
            .draw_series(m.yearly.iter().map(|y| {
                let x = y.year as f64 + offset;
                Rectangle::new(
                    [(x - 0.12, 0.0), (x + 0.12, value(y) as f64)],
                    color.filled(),
                )
            }))?
            .label(name)
            .legend(legend_box(color));
    }
    legend(&mut chart, fonts, SeriesLabelPosition::UpperLeft)
}

/// How one bar-per-year panel is labelled and scaled.
struct YearBars<'a> {
    x_desc: &'a str,
    y_desc: &'a str,
    /// The y axis runs from 0 to this; percent panels leave headroom above
    /// 100% for the legend.
    y_max: f64,
    /// Year ticks at most (the axis gets this many plus one).
    max_year_labels: usize,
    percent: bool,
    label: &'a str,
    color: RGBColor,
    value: fn(&YearPoint) -> Option<f64>,
}

/// One panel of bars, one per year: the shape of the concentration and both
/// response panels. Returns the chart so a caller can add series before the
/// legend is drawn.
fn year_bars<'a, DB: DrawingBackend + 'a>(
    area: &DrawingArea<DB, Shift>,
    fonts: &Fonts,
    m: &ReportModel,
    (x0, x1): (f64, f64),
    caption: Option<&str>,
    spec: &YearBars<'_>,
) -> anyhow::Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>>
where
    DB::ErrorType: 'static,
{
    let mut builder = ChartBuilder::on(area);
    if let Some(title) = caption {
        builder.caption(title, fonts.title());
    }
    let mut chart = builder
        .margin(if caption.is_some() { 12 } else { 10 })
        .x_label_area_size(50)
        .y_label_area_size(if caption.is_some() { 70 } else { 60 })
        .build_cartesian_2d(x0..x1, 0f64..spec.y_max)?;
    let n_years = (x1 - x0).round() as usize;
    let percent = |v: &f64| {
        if *v <= 100.0 {
            format!("{v:.0}%")
        } else {
            String::new() // the headroom above 100% is the legend's
        }
    };
    let plain = |v: &f64| format!("{v:.1}");
    let y_format: &dyn Fn(&f64) -> String = if spec.percent { &percent } else { &plain };
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(n_years.min(spec.max_year_labels) + 1)
        .x_label_formatter(&year_label)
        .y_labels(if spec.percent { 8 } else { 10 })
        .y_label_formatter(y_format)
        .x_desc(spec.x_desc)
        .y_desc(spec.y_desc)
        .label_style(fonts.label())
        .axis_desc_style(fonts.axis())
        .draw()?;
    let scale = if spec.percent { 100.0 } else { 1.0 };
    let color = spec.color;
    chart
        .draw_series(m.yearly.iter().filter_map(|y| {
            let v = (spec.value)(y)? * scale;
            let x = y.year as f64;
            Some(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, v)],
                color.filled(),
            ))
        }))?
        .label(spec.label)
        .legend(legend_box(color));
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
    let spec = YearBars {
        x_desc: "Year",
        y_desc: "Share of the year's messages",
        y_max: 140.0,
        max_year_labels: 14,
        percent: true,
        label: "Messages by the most active 10% of the year's posters",
        color: PURPLE,
        value: |y| y.top_tenth_share,
    };
    let mut chart = year_bars(root, fonts, m, (x0, x1), Some(title), &spec)?;
    // The share that an even spread would give: 10% of posters, 10% of messages.
    chart
        .draw_series(LineSeries::new(
            vec![(x0, 10.0), (x1, 10.0)],
            GREY.stroke_width(2),
        ))?
        .label("Even spread (10%)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], GREY.stroke_width(3)));
    legend(&mut chart, fonts, SeriesLabelPosition::UpperRight)
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
    let area = root.margin(12, 0, 0, 0).titled(title, fonts.title())?;
    let panels = area.split_evenly((1, 2));
    let dmax = m
        .yearly
        .iter()
        .filter_map(|y| y.median_reply_days)
        .fold(0.1f64, f64::max)
        * 1.4;
    let days = YearBars {
        x_desc: "Year the thread started",
        y_desc: "Median days to first reply",
        y_max: dmax,
        max_year_labels: 8,
        percent: false,
        label: "Median days",
        color: ORANGE,
        value: |y| y.median_reply_days,
    };
    let answered = YearBars {
        y_desc: "Threads answered by another",
        y_max: 140.0,
        percent: true,
        label: "Share answered",
        color: ACTIVE,
        value: |y| y.replied_share,
        ..days
    };
    for (panel, spec) in panels.iter().zip([&days, &answered]) {
        let mut chart = year_bars(panel, fonts, m, years, None, spec)?;
        legend(&mut chart, fonts, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// Turns a plotters error into one line (used where `?` cannot convert).
pub fn plot_error(e: impl std::fmt::Debug) -> anyhow::Error {
    anyhow!("chart: {e:?}")
}
