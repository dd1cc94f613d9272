//! Integration tests: one binary (`autotests = false`), one module per stage.

mod util;

mod bad_input;
mod checkin;
mod classify;
mod cli;
mod faults;
mod fetch;
mod hostile;
mod http_server;
mod ingest;
mod membership;
mod operator;
mod prop;
mod report;
mod upgrade;
