//! Integration tests: one binary (`autotests = false`), one module per stage.

mod util;

mod classify;
mod ingest;
mod prop;
mod report;
mod upgrade;
