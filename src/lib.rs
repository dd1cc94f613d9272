//! listpulse: mailing-list archives in, member engagement out.
//!
//! The pipeline, one module per stage (see `DESIGN.md`):
//! [`ingest`] splits and parses archives, [`store`] keeps them in SQLite,
//! [`inputs`] reads the files people write (rosters, check-ins, aliases),
//! [`identity`] groups addresses into persons, [`classify`] applies the
//! domain rules, [`members`] joins store and rules into the member table,
//! [`report`] renders it. [`cmd`] holds one entry point per subcommand.

pub mod classify;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod day;
pub mod draft;
pub mod duration;
pub mod fetch;
pub mod health;
pub mod identity;
pub mod ingest;
pub mod inputs;
pub mod lock;
pub mod members;
pub mod messages;
pub mod report;
pub mod standards;
pub mod store;
pub mod term;
