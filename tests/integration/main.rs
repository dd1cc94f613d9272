//! Integration tests: one binary (`autotests = false`), one module per stage.

mod util;

mod bad_input;
mod classify;
mod cli;
mod faults;
mod ingest;
mod membership;
mod operator;
mod prop;
mod report;
mod upgrade;
