//! Reports: one model per coalition and one for the comparison, rendered by
//! one exporter per format. (Filled in by the reports work.)
