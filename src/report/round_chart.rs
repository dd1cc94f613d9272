//! `chart-checkin.{svg,png}`: the check-in answers at each yearly check-in
//! date of the history (issue #9): for the round open on that day, how many
//! of its members answered full, observer or leave, and how many have not
//! answered, with the response rate above each bar.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{self, ACTIVE, Draw, Fonts, ImageFormat, OBSERVER, SIZE};
use super::{Exporter, ReportModel};
use crate::members::round::RoundCounts;

/// The check-in chart of a coalition, in one format.
pub struct RoundChart {
    /// Which format.
    pub format: ImageFormat,
}

/// Grey for members who have not answered.
const NO_ANSWER: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);
/// Dark for those who asked to leave.
const LEAVE: RGBColor = RGBColor(0x44, 0x44, 0x44);

impl Exporter<ReportModel> for RoundChart {
    fn file_name(&self) -> String {
        format!("chart-checkin.{}", self.format.ext())
    }

    fn render(&self, model: &ReportModel) -> anyhow::Result<Vec<u8>> {
        charts::render(&RoundDraw { model }, self.format, SIZE)
    }
}

struct RoundDraw<'a> {
    model: &'a ReportModel,
}

impl Draw for RoundDraw<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        fonts: &Fonts,
    ) -> anyhow::Result<()>
    where
        DB::ErrorType: 'static,
    {
        let m = self.model;
        let title = format!("{} — Check-in answers at each yearly check-in date", m.name);
        let points: Vec<(String, RoundCounts, Option<f64>)> = m
            .history
            .iter()
            .filter_map(|h| {
                h.round.map(|r| {
                    (
                        format!("{} ({})", h.date.format("%Y-%m-%d"), r.year),
                        r.counts,
                        r.response_rate,
                    )
                })
            })
            .collect();
        if points.is_empty() {
            return charts::draw_empty(root, fonts, &title, "No check-in round yet");
        }
        let n = points.len();
        let ymax = points
            .iter()
            .map(|(_, c, _)| c.members)
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.5;
        let mut chart = ChartBuilder::on(root)
            .caption(&title, fonts.title())
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..ymax)?;
        let labels: Vec<String> = points.iter().map(|(l, _, _)| l.clone()).collect();
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
            .x_labels(n + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc("Check-in date (the round open then, by its year)")
            .y_desc("Members of the round")
            .label_style(fonts.label())
            .axis_desc_style(fonts.axis())
            .draw()?;
        type Span = fn(&RoundCounts) -> (u64, u64);
        let layers: [(&str, RGBColor, Span); 4] = [
            ("Full", ACTIVE, |c| (0, c.full)),
            ("Observer", OBSERVER, |c| (c.full, c.full + c.observer)),
            ("Leave", LEAVE, |c| {
                (c.full + c.observer, c.full + c.observer + c.leave)
            }),
            ("No answer", NO_ANSWER, |c| {
                (c.members - c.no_answer, c.members)
            }),
        ];
        for (name, color, span) in layers {
            // A legend entry only for what is drawn.
            if points.iter().all(|(_, c, _)| {
                let (lo, hi) = span(c);
                lo == hi
            }) {
                continue;
            }
            chart
                .draw_series(points.iter().enumerate().map(|(i, (_, c, _))| {
                    let (lo, hi) = span(c);
                    let x = i as f64;
                    Rectangle::new(
                        [(x - 0.35, lo as f64), (x + 0.35, hi as f64)],
                        color.filled(),
                    )
                }))?
                .label(name)
                .legend(charts::legend_box(color));
        }
        let centred = fonts.label().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        ));
        chart.draw_series(points.iter().enumerate().filter_map(|(i, (_, c, rate))| {
            rate.map(|r| {
                Text::new(
                    format!("{:.0}% answered", r * 100.0),
                    (i as f64, c.members as f64 + ymax * 0.02),
                    centred.clone(),
                )
            })
        }))?;
        charts::legend(&mut chart, fonts, SeriesLabelPosition::UpperLeft)
    }
}
