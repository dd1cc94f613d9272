//! Integration tests: one binary (`autotests = false`), one module per stage.

mod util;

mod classify;
mod faults;
mod ingest;
mod report;
mod upgrade;
