//! Reports: one model per coalition ([`ReportModel`]) and one for the
//! comparison across coalitions ([`ComparisonModel`]), each rendered by one
//! [`Exporter`] per file format. Compute first, render second: the models are
//! built once from the member table and the counted messages; exporters never
//! touch the database. [`mod@write`] puts the rendered files in place atomically.
//!
//! Layout of the output folder `OUT`: `OUT/<slug>/` holds each coalition's
//! files ([`coalition_files`]), with a marker ([`folders::marker`]) that lets
//! `run` remove the folder once the coalition leaves the configuration; the
//! comparison files ([`comparison_files`]) sit directly in `OUT`, or in
//! `comparison_output`, and hold aggregates only, never an address or a
//! name of a person ([`privacy`] protects small counts). Every figure is
//! described once ([`rows`]) and every chart written by one exporter
//! ([`charts::ChartFile`]).

pub mod charts;
pub mod comparison;
pub mod csv;
pub mod folders;
pub mod html;
pub mod json;
pub mod markdown;
pub mod model;
pub mod page;
pub mod privacy;
pub mod round_chart;
pub mod rows;
pub mod write;

pub use comparison::ComparisonModel;
pub use model::{Figures, ReportModel};

/// Renders a model into the bytes of one file.
pub trait Exporter<M> {
    /// The file's name inside its folder.
    fn file_name(&self) -> String;
    /// The file's content.
    fn render(&self, model: &M) -> anyhow::Result<Vec<u8>>;
}

/// A rendered file: its path relative to `OUT` and its bytes.
pub type RenderedFile = (std::path::PathBuf, Vec<u8>);

/// The exporters of a coalition's folder.
pub fn coalition_exporters() -> Vec<Box<dyn Exporter<ReportModel>>> {
    let mut out: Vec<Box<dyn Exporter<ReportModel>>> = vec![
        Box::new(csv::MembersCsv),
        Box::new(csv::FormerCsv),
        Box::new(csv::ContactsCsv),
        Box::new(csv::CheckinCsv),
        Box::new(csv::RemindCsv),
        Box::new(csv::UnmatchedCsv),
        Box::new(csv::LeaveTxt),
        Box::new(json::SummaryJson),
        Box::new(markdown::SummaryMarkdown),
        Box::new(page::CoalitionPage),
    ];
    out.extend(charts::chart_exporters(&charts::CoalitionChart::ALL));
    out.extend(charts::chart_exporters(&[round_chart::CheckinChart]));
    out
}

/// Renders every file of a coalition's folder, as paths under `OUT`.
pub fn coalition_files(model: &ReportModel) -> anyhow::Result<Vec<RenderedFile>> {
    coalition_exporters()
        .iter()
        .map(|e| {
            let bytes = e.render(model).map_err(|err| {
                err.context(format!(
                    "{}/{}: cannot render",
                    model.coalition,
                    e.file_name()
                ))
            })?;
            Ok((
                std::path::Path::new(&model.coalition).join(e.file_name()),
                bytes,
            ))
        })
        .collect()
}

/// Renders every file of the comparison, as paths directly under `OUT`.
pub fn comparison_files(model: &ComparisonModel) -> anyhow::Result<Vec<RenderedFile>> {
    comparison::exporters()
        .iter()
        .map(|e| {
            let bytes = e
                .render(model)
                .map_err(|err| err.context(format!("{}: cannot render", e.file_name())))?;
            Ok((std::path::PathBuf::from(e.file_name()), bytes))
        })
        .collect()
}
