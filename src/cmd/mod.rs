//! One module per subcommand, each with a `run` entry point. They resolve
//! flags and configuration into settings, call the pipeline stages, and
//! report an [`Outcome`]; only `main` turns that into an exit status.

pub mod checkin;
pub mod classify;
pub mod config;
pub mod fetch;
pub mod ingest;
pub mod roster;
pub mod run;
pub mod standards;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use crate::cli::{CheckinCommand, Cli, Command, ConfigCommand, DbArgs, RosterCommand};
use crate::config::Settings;
use crate::day::Day;
use clap::CommandFactory;

/// How a command that did not fail outright ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything worked: exit 0.
    Success,
    /// Finished, but some inputs were rejected and named on stderr: exit 1.
    SomeRejected,
}

impl Outcome {
    /// The process exit status for this outcome.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::SomeRejected => ExitCode::from(1),
        }
    }
}

/// Runs the subcommand `cli` names.
pub fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Ingest(args) => ingest::run(&args),
        Command::Roster(RosterCommand::Import(args)) => roster::import(&args),
        Command::Roster(RosterCommand::List(args)) => roster::list(&args),
        Command::Roster(RosterCommand::Drop(args)) => roster::drop(&args),
        Command::Checkin(CheckinCommand::Import(args)) => checkin::run(&args),
        Command::Checkin(CheckinCommand::Status(args)) => checkin::status(&args),
        Command::Checkin(CheckinCommand::Record(args)) => checkin::record(&args),
        Command::Checkin(CheckinCommand::Draft(args)) => checkin::draft(&args),
        Command::Classify(args) => classify::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Fetch(args) => fetch::run(&args),
        Command::Standards(args) => standards::run(&args),
        Command::Config(ConfigCommand::Example) => config::example(),
        Command::Config(ConfigCommand::Check(args)) => config::check(&args),
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out)?;
            std::io::Write::write_all(&mut std::io::stdout(), &out)?;
            Ok(Outcome::Success)
        }
        Command::Completions(args) => {
            clap_complete::generate(
                args.shell,
                &mut Cli::command(),
                "listpulse",
                &mut std::io::stdout(),
            );
            Ok(Outcome::Success)
        }
    }
}

/// Loads and validates the configuration named by `--config`, if any: every
/// subcommand reads it through the same checks as `listpulse run`.
pub fn load_settings(db: &DbArgs) -> anyhow::Result<Option<Settings>> {
    db.config
        .as_deref()
        .map(|path| Settings::load(path, None, today()))
        .transpose()
        .map_err(Into::into)
}

/// The database path: `--db`, else the configuration's `database`.
pub fn database_path(db: &DbArgs, settings: Option<&Settings>) -> anyhow::Result<PathBuf> {
    match (&db.db, settings) {
        (Some(path), _) => Ok(path.clone()),
        (None, Some(settings)) => Ok(settings.database.clone()),
        (None, None) => bail!("no database given: pass --db FILE or --config FILE"),
    }
}

/// Today in UTC, the default as-of date and the day a roster is taken.
pub fn today() -> Day {
    chrono::Utc::now().date_naive()
}

/// Opens an existing database for a command that only reads or amends it:
/// a missing file is an error, not a new empty database.
pub fn open_existing(db: &std::path::Path) -> anyhow::Result<rusqlite::Connection> {
    if !db.exists() {
        bail!(
            "{}: no such database; ingest an archive first",
            db.display()
        );
    }
    Ok(crate::store::open(db)?)
}
