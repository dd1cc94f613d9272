//! `chart-checkin.{svg,png}`: the check-in answers at each yearly check-in
//! date of the history (issue #9): for the round open on that day, how many
//! of its members answered full, observer or leave, and how many have not
//! answered, with the response rate above each bar. Written by the one
//! chart exporter, [`super::charts::ChartFile`].

use plotters::coord::Shift;
use plotters::prelude::*;

use super::ReportModel;
use super::charts::{self, ACTIVE, Chart, Fonts, Mark, OBSERVER, SIZE, Ticked, frame};
use crate::members::round::RoundCounts;

/// The check-in chart of a coalition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinChart;

/// Grey for members who have not answered.
const NO_ANSWER: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);
/// Dark for those who asked to leave.
const LEAVE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// The lower and upper edge of one status's segment in a stacked bar.
type Span = fn(&RoundCounts) -> (u64, u64);

impl Chart<ReportModel> for CheckinChart {
    fn stem(self) -> &'static str {
        "chart-checkin"
    }

    fn title(self) -> &'static str {
        "Check-in answers at each yearly check-in date"
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
        // A legend entry only for what is drawn.
        let drawn: Vec<&(&str, RGBColor, Span)> = layers
            .iter()
            .filter(|(_, _, span)| {
                points.iter().any(|(_, c, _)| {
                    let (lo, hi) = span(c);
                    hi > lo
                })
            })
            .collect();
        let items: Vec<(String, Mark)> = drawn
            .iter()
            .map(|(name, color, _)| (name.to_string(), Mark::Box(*color)))
            .collect();
        let area = frame(root, fonts, &title, &items)?;
        let n = points.len();
        let ymax = points
            .iter()
            .map(|(_, c, _)| c.members)
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.15;
        let labels: Vec<String> = points.iter().map(|(l, _, _)| l.clone()).collect();
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(
                Ticked::new(-0.5f64..n as f64 - 0.5, (0..n).map(|i| i as f64).collect()),
                0f64..ymax,
            )?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .disable_x_mesh()
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
        for (_, color, span) in drawn {
            chart.draw_series(points.iter().enumerate().map(|(i, (_, c, _))| {
                let (lo, hi) = span(c);
                let x = i as f64;
                Rectangle::new(
                    [(x - 0.35, lo as f64), (x + 0.35, hi as f64)],
                    color.filled(),
                )
            }))?;
        }
        let above = fonts.label().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Bottom,
        ));
        chart.draw_series(points.iter().enumerate().filter_map(|(i, (_, c, rate))| {
            rate.map(|r| {
                Text::new(
                    format!("{:.0}% answered", r * 100.0),
                    (i as f64, c.members as f64 + ymax * 0.01),
                    above.clone(),
                )
            })
        }))?;
        Ok(())
    }
}
