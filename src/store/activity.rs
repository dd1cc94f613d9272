//! Coalition-level activity queries for reports. (Filled in by the reports work.)
