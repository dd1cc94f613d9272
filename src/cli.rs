//! The command line, as clap derive types. The `///` comments are the help
//! text. Flags are only parsed here; `cmd` turns them (and the configuration
//! file) into validated settings before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::ingest::limits::parse_size;

const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  everything worked
  1  the run finished, but some inputs were rejected (each named on stderr)
  2  fatal: bad arguments or configuration, a database that is not listpulse's
     or is newer than this binary, an unwritable output, or another listpulse
     process holding the lock";

/// listpulse reads mailing-list archives and tells the people who run a list
/// who takes part, who listens, and who has gone quiet.
#[derive(Debug, Parser)]
#[command(name = "listpulse", version, about, after_help = EXIT_STATUS_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// One variant per subcommand; each has its own module under `cmd/`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read archives (mbox, .gz, pipermail, maildir, MMDF, single messages) into the database.
    #[command(after_help = EXIT_STATUS_HELP)]
    Ingest(IngestArgs),
    /// Import a roster snapshot (who is subscribed) for a coalition.
    #[command(subcommand)]
    Roster(RosterCommand),
    /// Import check-in responses for a coalition.
    #[command(subcommand)]
    Checkin(CheckinCommand),
    /// Classify every member of a coalition as active, observer or dormant.
    Classify(ClassifyArgs),
    /// Run the whole pipeline for every configured coalition (made for cron).
    #[command(after_help = EXIT_STATUS_HELP)]
    Run(RunArgs),
    /// Help with the configuration file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

/// Where the database is: given directly, or taken from a configuration file.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// The SQLite database (created if missing).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// A listpulse configuration file; its `database` is used unless --db is given.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `listpulse ingest`.
#[derive(Debug, Clone, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's short name (slug), created on first use.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// The coalition's display name (default: the slug).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The list these archives belong to (default: the coalition's slug).
    #[arg(long, value_name = "NAME")]
    pub list: Option<String>,
    /// Print one JSON object with the ingest counts on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print no summary on stderr (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Skip, counted as malformed, any message larger than SIZE (e.g. 64MiB,
    /// the default, or the configuration's max_message_size).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_message_size: Option<u64>,
    /// Stop and reject a compressed file whose content passes SIZE (e.g. 8GiB,
    /// the default, or the configuration's max_decompressed).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_decompressed: Option<u64>,
    /// Files or directories (walked recursively) to read.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// `listpulse roster …`.
#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Import a roster file as a snapshot taken on --date.
    Import(RosterImportArgs),
}

/// `listpulse roster import`.
#[derive(Debug, Clone, Args)]
pub struct RosterImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// The day the snapshot was taken (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// The roster: CSV (address,name,joined,status), addresses-only CSV, or Mailman's member listing.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `listpulse checkin …`.
#[derive(Debug, Subcommand)]
pub enum CheckinCommand {
    /// Import check-in responses from a CSV file (address,date,status).
    Import(CheckinImportArgs),
}

/// `listpulse checkin import`.
#[derive(Debug, Clone, Args)]
pub struct CheckinImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// The responses: a CSV with the header address,date,status (full, observer or leave).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Thresholds and identity options shared by `classify` and `run`.
#[derive(Debug, Clone, Default, Args)]
pub struct ThresholdArgs {
    /// Evaluate as of this day (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Check-in period P: posts in the last P count as activity (e.g. 365d, 52w, 12m, 1y).
    #[arg(long, value_name = "DURATION")]
    pub period: Option<String>,
    /// Inactivity threshold D: no sign of life for D makes a member dormant (e.g. 730d, 2y).
    #[arg(long, value_name = "DURATION")]
    pub inactivity: Option<String>,
    /// Minimum number of posts in the period to be active (at least 1).
    // "at least N counted posts": N = 0 would make every member active,
    // posts or not; the configuration refuses 0 too.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_posts: Option<u32>,
}

/// `listpulse classify`.
#[derive(Debug, Clone, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    #[command(flatten)]
    pub thresholds: ThresholdArgs,
    /// An aliases file: one person a line, addresses separated by commas or spaces.
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,
    /// Replies to the earliest message whose subject contains TEXT are check-in responses.
    #[arg(long, value_name = "TEXT")]
    pub checkin_subject: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print the class counts at the as-of date and each anniversary before it instead.
    #[arg(long)]
    pub history: bool,
}

/// Output formats of `classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table with the counts per class at the bottom.
    Table,
    /// Exactly the members.csv columns, header first.
    Csv,
    /// One JSON object.
    Json,
}

/// `listpulse run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The configuration file.
    #[arg(long, value_name = "FILE", required = true)]
    pub config: PathBuf,
    /// Evaluate as of this day (YYYY-MM-DD), overriding the configuration.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

/// `listpulse config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration that works as it is.
    Example,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn min_posts_must_be_at_least_one() {
        let parse = |n: &str| {
            Cli::try_parse_from([
                "listpulse",
                "classify",
                "--coalition",
                "dc",
                "--min-posts",
                n,
            ])
        };
        assert!(parse("0").is_err());
        assert!(parse("2").is_ok());
    }
}
