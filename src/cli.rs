//! The command line, as clap derive types. The `///` comments are the help
//! text. Flags are only parsed here; `cmd` turns them (and the configuration
//! file) into validated settings before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::day::Day;
use crate::ingest::limits::parse_size;

/// clap's parser for a `YYYY-MM-DD` day (1970–9999): a bad value is a usage
/// error, exit 2, naming the value.
fn day_arg(text: &str) -> Result<Day, String> {
    crate::day::parse(text)
}

/// clap's parser for a duration (`365d`, `2y`; at most 100 years).
fn days_arg(text: &str) -> Result<u32, String> {
    crate::duration::parse_days(text)
}

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
    /// Roster snapshots (who is subscribed): import, list, drop.
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
    /// Download remote archives and rosters into the cache, without ingesting them.
    #[command(after_help = EXIT_STATUS_HELP)]
    Fetch(FetchArgs),
    /// Minimum-standards options: members below each candidate rule, per coalition (aggregates).
    Standards(StandardsArgs),
    /// Help with the configuration file: a working example, or a check of yours.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the manual page (roff) on stdout: `listpulse man > listpulse.1`.
    Man,
    /// Print a completion script for SHELL on stdout.
    Completions(CompletionsArgs),
}

/// `listpulse standards`.
#[derive(Debug, Clone, Args)]
pub struct StandardsArgs {
    /// The configuration file (its database, coalitions and `[standards]` grid).
    #[arg(long, value_name = "FILE", required = true)]
    pub config: PathBuf,
    /// Evaluate as of this day (YYYY-MM-DD), overriding the configuration.
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub as_of: Option<Day>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// `listpulse completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    /// Import a roster file as a snapshot taken on --date (one snapshot a day).
    Import(RosterImportArgs),
    /// List a coalition's snapshots: date, source, rows, format.
    List(RosterListArgs),
    /// Remove the snapshot taken on --date.
    Drop(RosterDropArgs),
}

/// `listpulse roster list`.
#[derive(Debug, Clone, Args)]
pub struct RosterListArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
}

/// `listpulse roster drop`.
#[derive(Debug, Clone, Args)]
pub struct RosterDropArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// The day of the snapshot to remove (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub date: Day,
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
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub date: Option<Day>,
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
    /// Import a check-in CSV file (address,date,status); importing it again replaces what it said before.
    Import(CheckinImportArgs),
    /// Show this year's round: when it opened, each member's answer, the response rate.
    Status(CheckinStatusArgs),
    /// Add answers to the coalition's check-in CSV (the file stays the one source of truth).
    Record(CheckinRecordArgs),
    /// Write the call and the reminders as .eml drafts for your own mail client (never sends).
    Draft(CheckinDraftArgs),
}

/// A check-in answer's status, as `checkin record` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnswerArg {
    /// A full member.
    Full,
    /// An observer: receives news, is never asked to do more.
    Observer,
    /// Asks to leave the list.
    Leave,
}

/// `listpulse checkin status`.
#[derive(Debug, Clone, Args)]
pub struct CheckinStatusArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// Evaluate as of this day (YYYY-MM-DD; default: the configuration's, else today, UTC).
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub as_of: Option<Day>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// `listpulse checkin record`.
#[derive(Debug, Clone, Args)]
pub struct CheckinRecordArgs {
    /// The configuration file naming the coalition's `checkins` file.
    #[arg(long, value_name = "FILE", required_unless_present = "file")]
    pub config: Option<PathBuf>,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG", required_unless_present = "file")]
    pub coalition: Option<String>,
    /// The check-in CSV to add to (default: the coalition's `checkins` file).
    #[arg(long, value_name = "CSV")]
    pub file: Option<PathBuf>,
    /// What they answered.
    #[arg(long, value_enum)]
    pub status: AnswerArg,
    /// The day of the answer (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub date: Option<Day>,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
    /// The addresses that answered.
    #[arg(required = true, value_name = "ADDRESS")]
    pub addresses: Vec<String>,
}

/// `listpulse checkin draft`.
#[derive(Debug, Clone, Args)]
pub struct CheckinDraftArgs {
    /// The configuration file.
    #[arg(long, value_name = "FILE", required = true)]
    pub config: PathBuf,
    /// The coalition's slug.
    #[arg(long, value_name = "SLUG")]
    pub coalition: String,
    /// Where to write the .eml files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Evaluate as of this day (YYYY-MM-DD; default: the configuration's, else today, UTC).
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub as_of: Option<Day>,
    /// Your own template for the call (minijinja; placeholders in the README).
    #[arg(long, value_name = "FILE")]
    pub call_template: Option<PathBuf>,
    /// Your own template for a reminder (minijinja; placeholders in the README).
    #[arg(long, value_name = "FILE")]
    pub reminder_template: Option<PathBuf>,
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

/// Thresholds shared by `classify` and `run`.
#[derive(Debug, Clone, Default, Args)]
pub struct ThresholdArgs {
    /// Evaluate as of this day (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub as_of: Option<Day>,
    /// Check-in period P: posts in the last P count as activity (e.g. 365d, 52w, 12m, 1y).
    #[arg(long, value_name = "DURATION", value_parser = days_arg)]
    pub period: Option<u32>,
    /// Inactivity threshold D: no sign of life for D makes a member dormant (e.g. 730d, 2y).
    #[arg(long, value_name = "DURATION", value_parser = days_arg)]
    pub inactivity: Option<u32>,
    /// Former-after horizon F: without a roster, no sign of life for F makes someone a former participant (default 5y; at least D).
    #[arg(long, value_name = "DURATION", value_parser = days_arg)]
    pub former_after: Option<u32>,
    /// Warning window W: members who would turn dormant within W are listed for a reminder (default 90d).
    #[arg(long, value_name = "DURATION", value_parser = days_arg)]
    pub warn_within: Option<u32>,
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
    /// An aliases file: one person a line, addresses separated by commas (or spaces).
    #[arg(long, value_name = "FILE")]
    pub aliases: Option<PathBuf>,
    /// Replies to the earliest message whose subject contains TEXT are check-in responses.
    #[arg(long, value_name = "TEXT")]
    pub checkin_subject: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print the class counts at the as-of date and each anniversary before it instead.
    #[arg(long, conflicts_with = "former")]
    pub history: bool,
    /// Print the former participants (not members: silent past the horizon, or left) instead.
    #[arg(long)]
    pub former: bool,
}

/// Output formats of `classify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A readable table with the counts per class at the bottom.
    Table,
    /// Exactly the members.csv (or former.csv) columns, header first.
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
    #[arg(long, value_name = "DATE", value_parser = day_arg)]
    pub as_of: Option<Day>,
    /// Do not fetch remote archives or rosters; use what the cache holds.
    #[arg(long)]
    pub offline: bool,
    /// Download every remote period again, not only the new and recent ones.
    #[arg(long, conflicts_with = "offline")]
    pub refetch: bool,
}

/// `listpulse fetch`.
#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// The configuration file.
    #[arg(long, value_name = "FILE", required = true)]
    pub config: PathBuf,
    /// Fetch only this coalition.
    #[arg(long, value_name = "SLUG")]
    pub coalition: Option<String>,
    /// Download every period again, not only the new and recent ones.
    #[arg(long)]
    pub refetch: bool,
    /// Print no summary on stderr (errors are still printed).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `listpulse config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration; saved at the repository root it runs against the demo.
    Example,
    /// Check a configuration and every file it names, writing nothing.
    #[command(after_help = CONFIG_CHECK_HELP)]
    Check(ConfigCheckArgs),
}

const CONFIG_CHECK_HELP: &str = "\
Exit status:
  0  the file and every input it names are good
  1  the file is valid, but an input it names is missing, unreadable or
     invalid (each named on its own line)
  2  the file itself is invalid (named with its line)";

/// `listpulse config check`.
#[derive(Debug, Clone, Args)]
pub struct ConfigCheckArgs {
    /// The configuration file.
    #[arg(long, value_name = "FILE", required = true)]
    pub config: PathBuf,
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

    #[test]
    fn dates_and_durations_are_checked_where_they_are_parsed() {
        let parse = |flag: &str, v: &str| {
            Cli::try_parse_from(["listpulse", "classify", "--coalition", "dc", flag, v])
        };
        assert!(parse("--as-of", "2025-06-30").is_ok());
        for (flag, bad) in [
            ("--as-of", "+10000-01-01"),
            ("--as-of", "1969-12-31"),
            ("--period", "300000y"),
            ("--inactivity", "soon"),
            ("--former-after", "0d"),
        ] {
            let err = parse(flag, bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{flag} {bad}");
            assert!(err.to_string().contains(bad), "{err}");
        }
    }
}
