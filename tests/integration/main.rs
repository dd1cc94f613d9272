//! Integration tests: one binary (`autotests = false`), one module per stage.

mod util;

mod bad_input;
mod classify;
mod cli;
mod faults;
mod hostile;
mod ingest;
mod prop;
mod report;
mod upgrade;
