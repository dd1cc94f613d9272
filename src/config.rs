//! The configuration file: TOML → [`Settings`], every path resolved against
//! the file's folder. Layering is defaults → file → per-coalition overrides →
//! command-line flags. [`Settings::load`] does all of it and validates every
//! value (dates, durations, slugs) before any work starts, so a bad file fails
//! with `file:line: message` instead of half-way through a cron run.
//!
//! The serde structs keep the file's own shape, with each value that is
//! checked after parsing wrapped in [`toml::Spanned`]: the span is where the
//! error points.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::classify::Thresholds;
use crate::day::{self, Day};
use crate::duration::parse_days;
use crate::ingest::limits::{Limits, parse_size};

mod remote;
use crate::health::HealthThresholds;
use crate::standards::StandardsGrid;
use remote::remote_settings;
pub use remote::{PasswordSource, RemoteSettings, default_archive_cache, is_url};

/// The commented example printed by `listpulse config example`.
pub const EXAMPLE: &str = include_str!("../fixtures/config/example.toml");

/// A whole configuration file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    database: PathBuf,
    #[serde(default)]
    output: Option<PathBuf>,
    #[serde(default)]
    as_of: Option<Spanned<String>>,
    #[serde(default)]
    period: Option<Spanned<String>>,
    #[serde(default)]
    inactivity: Option<Spanned<String>>,
    #[serde(default)]
    min_posts: Option<Spanned<u32>>,
    #[serde(default)]
    former_after: Option<Spanned<String>>,
    #[serde(default)]
    warn_within: Option<Spanned<String>>,
    /// Messages larger than this are skipped as malformed (e.g. `"64MiB"`).
    #[serde(default)]
    max_message_size: Option<Spanned<String>>,
    /// Compressed files whose content passes this are rejected (e.g. `"8GiB"`).
    #[serde(default)]
    max_decompressed: Option<Spanned<String>>,
    #[serde(default)]
    stale_after: Option<Spanned<String>>,
    #[serde(default)]
    min_group_size: Option<Spanned<u32>>,
    #[serde(default)]
    comparison_output: Option<PathBuf>,
    #[serde(default)]
    health: Option<HealthConfig>,
    #[serde(default)]
    standards: Option<StandardsConfig>,
    #[serde(default, rename = "coalition")]
    coalitions: Vec<CoalitionConfig>,
    /// Where remote archives and rosters are downloaded to (default: a
    /// folder beside the database, see [`default_archive_cache`]).
    #[serde(default)]
    archive_cache: Option<PathBuf>,
}

/// The `[health]` table, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthConfig {
    #[serde(default)]
    outside_meeting_share: Option<Spanned<f64>>,
    #[serde(default)]
    engaged_months: Option<Spanned<u32>>,
}

/// The `[standards]` table, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardsConfig {
    #[serde(default)]
    windows: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    min_posts: Option<Vec<Spanned<u32>>>,
}

/// P, D, N and F as written, at the top level or in a coalition. Not a
/// flattened serde struct: `flatten` loses both `deny_unknown_fields` and
/// the spans.
struct ThresholdConfig<'a> {
    period: &'a Option<Spanned<String>>,
    inactivity: &'a Option<Spanned<String>>,
    min_posts: &'a Option<Spanned<u32>>,
    former_after: &'a Option<Spanned<String>>,
    warn_within: &'a Option<Spanned<String>>,
}

macro_rules! threshold_config {
    ($c:expr) => {
        ThresholdConfig {
            period: &$c.period,
            inactivity: &$c.inactivity,
            min_posts: &$c.min_posts,
            former_after: &$c.former_after,
            warn_within: &$c.warn_within,
        }
    };
}

/// One `[[coalition]]` table, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoalitionConfig {
    slug: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    archives: Vec<Spanned<String>>,
    #[serde(default)]
    roster: Option<PathBuf>,
    #[serde(default)]
    roster_date: Option<Spanned<String>>,
    #[serde(default)]
    rosters: Vec<DatedRosterConfig>,
    #[serde(default)]
    checkins: Option<PathBuf>,
    #[serde(default)]
    aliases: Option<PathBuf>,
    #[serde(default)]
    checkin_subject: Option<String>,
    #[serde(default)]
    coordinators: Vec<String>,
    #[serde(default)]
    annual_meeting: Vec<[Spanned<String>; 2]>,
    #[serde(default)]
    meeting_window: Option<Spanned<String>>,
    #[serde(default)]
    period: Option<Spanned<String>>,
    #[serde(default)]
    inactivity: Option<Spanned<String>>,
    #[serde(default)]
    min_posts: Option<Spanned<u32>>,
    #[serde(default)]
    former_after: Option<Spanned<String>>,
    #[serde(default)]
    warn_within: Option<Spanned<String>>,
    #[serde(default)]
    checkin_opened: Vec<Spanned<String>>,
    #[serde(default)]
    list_address: Option<Spanned<String>>,
    /// Login (a subscriber's address) for a private remote archive.
    #[serde(default)]
    archive_user: Option<String>,
    /// The environment variable holding that subscriber's password.
    #[serde(default)]
    archive_password_env: Option<Spanned<String>>,
    /// A file (readable by its owner only) holding that password.
    #[serde(default)]
    archive_password_file: Option<PathBuf>,
    /// Login for a remote roster (Mailman 3 REST user; unused for Mailman 2).
    #[serde(default)]
    roster_user: Option<String>,
    /// The environment variable holding the roster password.
    #[serde(default)]
    roster_password_env: Option<Spanned<String>>,
    /// A file (readable by its owner only) holding the roster password.
    #[serde(default)]
    roster_password_file: Option<PathBuf>,
}

/// One entry of `rosters`: a roster file exported on a known day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatedRosterConfig {
    path: PathBuf,
    date: Spanned<String>,
}

/// A configuration that could not be used. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// TOML syntax or an unknown or mistyped key.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    /// Well-formed TOML with a value that cannot be used (a bad date,
    /// duration or slug, a slug used twice).
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl ConfigError {
    /// The 1-based line the error points at, when it has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Io { .. } => None,
            ConfigError::Parse { line, .. } | ConfigError::Invalid { line, .. } => Some(*line),
        }
    }
}

/// A roster file and the day its snapshot is dated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedRoster {
    /// The file.
    pub path: PathBuf,
    /// The day it was exported.
    pub date: Day,
}

/// One coalition, checked and typed.
#[derive(Debug, Clone)]
pub struct CoalitionSettings {
    /// Short name: the output folder and the list name.
    pub slug: String,
    /// Display name (the slug when none is given).
    pub name: String,
    /// Archive paths or glob patterns, resolved against the config's folder.
    pub archives: Vec<String>,
    /// The current roster file: imported when it differs from the latest
    /// snapshot, dated `roster_date` or the day of the run (never T).
    pub roster: Option<PathBuf>,
    /// The day `roster` was exported, when known.
    pub roster_date: Option<Day>,
    /// Roster files exported on known days (a coordinator's yearly
    /// exports), each a snapshot of its day.
    pub rosters: Vec<DatedRoster>,
    /// Check-in CSV.
    pub checkins: Option<PathBuf>,
    /// Aliases file.
    pub aliases: Option<PathBuf>,
    /// Subject of the yearly check-in message; `{year}` stands for each year.
    pub checkin_subject: Option<String>,
    /// Days check-in rounds opened without a message (answered by file
    /// only); for its year, a date here wins over the message's.
    pub checkin_opened: Vec<Day>,
    /// The list's posting address: where the call for a round is sent.
    pub list_address: Option<String>,
    /// Coordinators' addresses, normalised.
    pub coordinators: Vec<String>,
    /// Annual meetings: first and last day, one pair a year.
    pub annual_meetings: Vec<(Day, Day)>,
    /// Days either side of a meeting that count as "around the meeting".
    pub meeting_window_days: u32,
    /// P, D, N and F after the per-coalition overrides.
    pub thresholds: Thresholds,
    /// Archives and roster on a list server (issue #11); `archives` and
    /// `roster` above then hold only the local ones.
    pub remote: RemoteSettings,
}

/// A whole configuration, checked: what `listpulse run` works from.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file it came from (for messages).
    pub path: PathBuf,
    /// The SQLite database.
    pub database: PathBuf,
    /// The output folder.
    pub output: PathBuf,
    /// T, the evaluation day.
    pub as_of: Day,
    /// P, D, N and F from the file's top level (each coalition may override them).
    pub thresholds: Thresholds,
    /// The caps on one archive file's work (`max_message_size`, `max_decompressed`).
    pub limits: Limits,
    /// An archive with no message in (T − this, T] is flagged stale (default 180 days).
    pub stale_after_days: u32,
    /// Counts below this are shown as "< N" in the comparison (default 3).
    pub min_group_size: u32,
    /// Where the comparison goes (default: `output`); a folder of its own
    /// can be published without the member pages.
    pub comparison_output: PathBuf,
    /// The `[health]` thresholds.
    pub health: HealthThresholds,
    /// The `[standards]` grid of candidate rules.
    pub standards: StandardsGrid,
    /// The coalitions, in file order.
    pub coalitions: Vec<CoalitionSettings>,
    /// Where remote archives and rosters are cached.
    pub archive_cache: PathBuf,
}

/// Default `stale_after`: 180 days.
pub const DEFAULT_STALE_AFTER: u32 = 180;

/// Default `min_group_size`: 3.
pub const DEFAULT_MIN_GROUP_SIZE: u32 = 3;

/// Default window around an annual meeting (DESIGN: "meeting_window", 30 days).
const DEFAULT_MEETING_WINDOW: u32 = 30;

/// Where errors point: the file and its text, for turning spans into lines.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Source<'_> {
    fn line_at(&self, offset: usize) -> usize {
        // Count newlines, not `lines()`: a span that starts a line would
        // otherwise be reported one line too early.
        self.text.as_bytes()[..offset.min(self.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn invalid<T>(&self, at: &Spanned<T>, message: String) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            line: self.line_at(at.span().start),
            message,
        }
    }

    fn date(&self, value: &Spanned<String>) -> Result<Day, ConfigError> {
        day::parse(value.get_ref()).map_err(|m| self.invalid(value, format!("bad date {m}")))
    }

    fn size(&self, value: &Option<Spanned<String>>, default: u64) -> Result<u64, ConfigError> {
        match value {
            Some(v) => parse_size(v.get_ref()).map_err(|m| self.invalid(v, m)),
            None => Ok(default),
        }
    }

    fn days(&self, value: &Option<Spanned<String>>, default: u32) -> Result<u32, ConfigError> {
        match value {
            Some(v) => parse_days(v.get_ref()).map_err(|m| self.invalid(v, m)),
            None => Ok(default),
        }
    }

    /// Layers `over` on `base`, checking each value and F ≥ D.
    fn thresholds(
        &self,
        base: Thresholds,
        over: ThresholdConfig<'_>,
        table: &Spanned<String>,
    ) -> Result<Thresholds, ConfigError> {
        let t = Thresholds {
            period_days: self.days(over.period, base.period_days)?,
            inactivity_days: self.days(over.inactivity, base.inactivity_days)?,
            min_posts: match over.min_posts {
                Some(n) if *n.get_ref() == 0 => {
                    return Err(self.invalid(n, "min_posts must be at least 1".into()));
                }
                Some(n) => *n.get_ref(),
                None => base.min_posts,
            },
            former_after_days: self.days(over.former_after, base.former_after_days)?,
            warn_within_days: self.days(over.warn_within, base.warn_within_days)?,
        };
        if let Err(message) = t.check() {
            // Point at whichever of the two this table sets, else at the table.
            let line = over
                .former_after
                .as_ref()
                .or(over.inactivity.as_ref())
                .map(|v| self.line_at(v.span().start))
                .unwrap_or_else(|| self.line_at(table.span().start));
            return Err(ConfigError::Invalid {
                path: self.path.to_path_buf(),
                line,
                message,
            });
        }
        Ok(t)
    }
}

impl Source<'_> {
    fn health(&self, h: Option<&HealthConfig>) -> Result<HealthThresholds, ConfigError> {
        let mut t = HealthThresholds::default();
        let Some(h) = h else { return Ok(t) };
        if let Some(share) = &h.outside_meeting_share {
            let v = *share.get_ref();
            if !(0.0..=1.0).contains(&v) {
                return Err(self.invalid(
                    share,
                    format!("outside_meeting_share {v} is not a share: write a number from 0 to 1, e.g. 0.5"),
                ));
            }
            t.outside_meeting_share = v;
        }
        if let Some(months) = &h.engaged_months {
            let v = *months.get_ref();
            if !(1..=12).contains(&v) {
                return Err(self.invalid(
                    months,
                    format!(
                        "engaged_months {v} is not a number of months out of 12: write 1 to 12"
                    ),
                ));
            }
            t.engaged_months = v;
        }
        Ok(t)
    }

    fn standards(&self, s: Option<&StandardsConfig>) -> Result<StandardsGrid, ConfigError> {
        let mut grid = StandardsGrid::default();
        let Some(s) = s else { return Ok(grid) };
        if let Some(windows) = &s.windows {
            let mut days = Vec::new();
            for w in windows {
                days.push(parse_days(w.get_ref()).map_err(|m| self.invalid(w, m))?);
            }
            grid.windows_days = days;
        }
        if let Some(mins) = &s.min_posts {
            let mut out = Vec::new();
            for n in mins {
                if *n.get_ref() == 0 {
                    return Err(self.invalid(
                        n,
                        "a minimum of 0 posts puts no one below the standard: use 1 or more".into(),
                    ));
                }
                out.push(*n.get_ref());
            }
            grid.min_posts = out;
        }
        if grid.windows_days.is_empty() || grid.min_posts.is_empty() {
            return Err(ConfigError::Invalid {
                path: self.path.to_path_buf(),
                line: self
                    .text
                    .find("[standards]")
                    .map(|o| self.line_at(o))
                    .unwrap_or(1),
                message: "[standards] needs at least one window and one minimum".into(),
            });
        }
        grid.windows_days.sort_unstable();
        grid.windows_days.dedup();
        grid.min_posts.sort_unstable();
        grid.min_posts.dedup();
        Ok(grid)
    }
}

impl Settings {
    /// Loads and validates `path`. `as_of` (from the command line) overrides
    /// the file's `as_of`; `today` is the default when neither gives one.
    pub fn load(path: &Path, as_of: Option<Day>, today: Day) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            cause: source,
        })?;
        Settings::from_text(path, &text, as_of, today)
    }

    /// Validates `text` as if read from `path`.
    pub fn from_text(
        path: &Path,
        text: &str,
        as_of: Option<Day>,
        today: Day,
    ) -> Result<Settings, ConfigError> {
        let src = Source { path, text };
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            line: e.span().map(|s| src.line_at(s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        let file_as_of = config.as_of.as_ref().map(|d| src.date(d)).transpose()?;
        let whole_file = Spanned::new(0..0, String::new());
        let top = src.thresholds(
            Thresholds::default(),
            threshold_config!(config),
            &whole_file,
        )?;
        let defaults = Limits::default();
        let limits = Limits {
            max_message_size: src.size(&config.max_message_size, defaults.max_message_size)?,
            max_decompressed: src.size(&config.max_decompressed, defaults.max_decompressed)?,
        };
        if config.coalitions.is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: text.lines().count().max(1),
                message:
                    "no [[coalition]] table: add one per coalition (see `listpulse config example`)"
                        .into(),
            });
        }
        let mut coalitions: Vec<CoalitionSettings> = Vec::new();
        for c in &config.coalitions {
            let slug = c.slug.get_ref();
            if !valid_slug(slug) {
                return Err(src.invalid(
                    &c.slug,
                    format!(
                        "bad slug '{slug}': use lower-case letters, digits, '-' and '_' (it names a folder)"
                    ),
                ));
            }
            if coalitions.iter().any(|o| o.slug == *slug) {
                return Err(
                    src.invalid(&c.slug, format!("slug '{slug}' is used by two coalitions"))
                );
            }
            let mut archives = Vec::new();
            for a in c.archives.iter().filter(|a| !is_url(a.get_ref())) {
                glob::Pattern::new(a.get_ref())
                    .map_err(|e| src.invalid(a, format!("bad pattern '{}': {e}", a.get_ref())))?;
                archives.push(base.join(a.get_ref()).to_string_lossy().into_owned());
            }
            let remote = remote_settings(c, base).map_err(|(key, message)| {
                // Point at the key the message is about, else the table.
                let line = match key {
                    "archives" => c
                        .archives
                        .iter()
                        .find(|a| is_url(a.get_ref()))
                        .map(|a| a.span().start),
                    "archive_password_env" => {
                        c.archive_password_env.as_ref().map(|v| v.span().start)
                    }
                    "roster_password_env" => c.roster_password_env.as_ref().map(|v| v.span().start),
                    _ => None,
                };
                ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line: src.line_at(line.unwrap_or(c.slug.span().start)),
                    message,
                }
            })?;
            let mut meetings = Vec::new();
            for [start, end] in &c.annual_meeting {
                let (s, e) = (src.date(start)?, src.date(end)?);
                if e < s {
                    return Err(src.invalid(
                        start,
                        format!(
                            "annual meeting ends ({}) before it starts ({})",
                            end.get_ref(),
                            start.get_ref()
                        ),
                    ));
                }
                meetings.push((s, e));
            }
            meetings.sort();
            let mut rosters = Vec::new();
            for r in &c.rosters {
                rosters.push(DatedRoster {
                    path: base.join(&r.path),
                    date: src.date(&r.date)?,
                });
            }
            rosters.sort_by_key(|r| r.date);
            let mut dates = std::collections::HashSet::new();
            for r in &c.rosters {
                let date = src.date(&r.date)?;
                if !dates.insert(date) {
                    return Err(src.invalid(
                        &r.date,
                        format!(
                            "two rosters dated {}: one snapshot a day",
                            day::format(date)
                        ),
                    ));
                }
            }
            coalitions.push(CoalitionSettings {
                slug: slug.clone(),
                name: c.name.clone().unwrap_or_else(|| slug.clone()),
                archives,
                roster: c
                    .roster
                    .as_ref()
                    .filter(|p| !is_url(&p.to_string_lossy()))
                    .map(|p| base.join(p)),
                roster_date: c.roster_date.as_ref().map(|d| src.date(d)).transpose()?,
                rosters,
                checkins: c.checkins.as_ref().map(|p| base.join(p)),
                aliases: c.aliases.as_ref().map(|p| base.join(p)),
                checkin_subject: c.checkin_subject.clone().filter(|s| !s.trim().is_empty()),
                checkin_opened: {
                    let mut days = c
                        .checkin_opened
                        .iter()
                        .map(|d| src.date(d))
                        .collect::<Result<Vec<Day>, ConfigError>>()?;
                    days.sort();
                    days
                },
                list_address: match &c.list_address {
                    Some(a) => {
                        let addr = crate::identity::normalize_address(a.get_ref());
                        if !crate::identity::is_real_address(&addr) {
                            return Err(src.invalid(
                                a,
                                format!("list_address '{}' is not an address", a.get_ref()),
                            ));
                        }
                        Some(addr)
                    }
                    None => None,
                },
                coordinators: c
                    .coordinators
                    .iter()
                    .map(|a| crate::identity::normalize_address(a))
                    .collect(),
                annual_meetings: meetings,
                meeting_window_days: src.days(&c.meeting_window, DEFAULT_MEETING_WINDOW)?,
                thresholds: src.thresholds(top, threshold_config!(c), &c.slug)?,
                remote,
            });
        }
        let database = base.join(&config.database);
        let archive_cache = config
            .archive_cache
            .as_ref()
            .map(|p| base.join(p))
            .unwrap_or_else(|| default_archive_cache(&database));
        let min_group_size = match &config.min_group_size {
            Some(n) if *n.get_ref() == 0 => {
                return Err(src.invalid(n, "min_group_size must be at least 1".into()));
            }
            Some(n) => *n.get_ref(),
            None => DEFAULT_MIN_GROUP_SIZE,
        };
        let output = base.join(config.output.unwrap_or_else(|| PathBuf::from("reports")));
        Ok(Settings {
            path: path.to_path_buf(),
            archive_cache,
            database,
            comparison_output: config
                .comparison_output
                .map(|p| base.join(p))
                .unwrap_or_else(|| output.clone()),
            output,
            as_of: as_of.or(file_as_of).unwrap_or(today),
            thresholds: top,
            limits,
            stale_after_days: src.days(&config.stale_after, DEFAULT_STALE_AFTER)?,
            min_group_size,
            health: src.health(config.health.as_ref())?,
            standards: src.standards(config.standards.as_ref())?,
            coalitions,
        })
    }

    /// The coalition `slug`, if configured.
    pub fn coalition(&self, slug: &str) -> Option<&CoalitionSettings> {
        self.coalitions.iter().find(|c| c.slug == slug)
    }
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(s: &str) -> Day {
        crate::day::parse(s).unwrap()
    }

    fn load(text: &str) -> Result<Settings, ConfigError> {
        Settings::from_text(Path::new("/x/lp.toml"), text, None, day("2025-01-01"))
    }

    #[test]
    fn example_is_valid_and_resolves_paths() {
        let s = load(EXAMPLE).unwrap();
        assert!(!s.coalitions.is_empty());
        assert!(s.database.starts_with("/x"));
    }

    #[rstest]
    #[case::bad_duration(
        "database = \"d\"\nperiod = \"soon\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "bad duration"
    )]
    #[case::slug_twice(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\n\n[[coalition]]\nslug = \"a\"\n",
        6,
        "used by two"
    )]
    #[case::bad_meeting_date(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\nannual_meeting = [\n  [\"2020-01-01\", \"2020-01-02\"],\n  [\"2021-02-30\", \"2021-03-01\"],\n]\n",
        6,
        "bad date"
    )]
    #[case::bad_as_of(
        "database = \"d\"\nas_of = \"yesterday\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "bad date"
    )]
    #[case::five_digit_year(
        "database = \"d\"\nas_of = \"+10000-01-01\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "bad date '+10000-01-01' is not a date"
    )]
    #[case::unknown_key(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\ntreshold = 3\n",
        4,
        "unknown field"
    )]
    #[case::bad_slug("database = \"d\"\n[[coalition]]\nslug = \"A b\"\n", 3, "bad slug")]
    #[case::min_posts_zero(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\nmin_posts = 0\n",
        4,
        "at least 1"
    )]
    #[case::coalition_period(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\n\nperiod = \"3x\"\n",
        5,
        "bad duration"
    )]
    #[case::too_long(
        "database = \"d\"\nperiod = \"300000y\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "at most 100 years"
    )]
    #[case::former_after_shorter_than_d(
        "database = \"d\"\nformer_after = \"1y\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "former_after (365d) is shorter than inactivity (730d)"
    )]
    #[case::coalition_inactivity_past_f(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\ninactivity = \"6y\"\n",
        4,
        "is shorter than inactivity (2190d)"
    )]
    #[case::rosters_on_one_day(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\nrosters = [\n  { path = \"r1\", date = \"2024-01-01\" },\n  { path = \"r2\", date = \"2024-01-01\" },\n]\n",
        6,
        "two rosters dated 2024-01-01"
    )]
    #[case::bad_roster_date(
        "database = \"d\"\n[[coalition]]\nslug = \"a\"\nroster_date = \"2024-1-1\"\n",
        4,
        "bad date '2024-1-1'"
    )]
    #[case::health_share_above_one(
        "database = \"d\"\n[health]\noutside_meeting_share = 1.5\n[[coalition]]\nslug = \"a\"\n",
        3,
        "is not a share"
    )]
    #[case::health_months_13(
        "database = \"d\"\n[health]\nengaged_months = 13\n[[coalition]]\nslug = \"a\"\n",
        3,
        "write 1 to 12"
    )]
    #[case::standards_bad_window(
        "database = \"d\"\n[standards]\nwindows = [\"1y\",\n  \"soon\"]\n[[coalition]]\nslug = \"a\"\n",
        4,
        "bad duration 'soon'"
    )]
    #[case::standards_min_zero(
        "database = \"d\"\n[standards]\nmin_posts = [0, 1]\n[[coalition]]\nslug = \"a\"\n",
        3,
        "a minimum of 0 posts"
    )]
    #[case::standards_empty(
        "database = \"d\"\n\n[standards]\nmin_posts = []\n[[coalition]]\nslug = \"a\"\n",
        3,
        "at least one window and one minimum"
    )]
    #[case::stale_after_bad(
        "database = \"d\"\nstale_after = \"half a year\"\n[[coalition]]\nslug = \"a\"\n",
        2,
        "bad duration"
    )]
    #[case::min_group_size_zero(
        "database = \"d\"\nmin_group_size = 0\n[[coalition]]\nslug = \"a\"\n",
        2,
        "min_group_size must be at least 1"
    )]
    fn errors_point_at_the_offending_line(
        #[case] text: &str,
        #[case] line: usize,
        #[case] what: &str,
    ) {
        let err = load(text).unwrap_err();
        assert_eq!(err.line(), Some(line), "{text}: {err}");
        assert!(err.to_string().contains(what), "{err}");
        assert!(err.to_string().starts_with("/x/lp.toml:"), "{err}");
    }

    #[test]
    fn size_caps_are_read_from_the_top_level_and_checked() {
        let s = load("database = \"d\"\n[[coalition]]\nslug = \"a\"\n").unwrap();
        assert_eq!(s.limits, Limits::default());
        let s = load(
            "database = \"d\"\nmax_message_size = \"1MiB\"\nmax_decompressed = \"2GB\"\n[[coalition]]\nslug = \"a\"\n",
        )
        .unwrap();
        assert_eq!(s.limits.max_message_size, 1 << 20);
        assert_eq!(s.limits.max_decompressed, 2_000_000_000);
        let err =
            load("database = \"d\"\n\nmax_decompressed = \"lots\"\n[[coalition]]\nslug = \"a\"\n")
                .unwrap_err();
        assert_eq!(err.line(), Some(3), "{err}");
        assert!(err.to_string().contains("bad size 'lots'"), "{err}");
    }

    #[test]
    fn report_keys_have_defaults_and_can_be_set() {
        let s = load("database = \"d\"\noutput = \"out\"\n[[coalition]]\nslug = \"a\"\n").unwrap();
        assert_eq!((s.stale_after_days, s.min_group_size), (180, 3));
        assert_eq!(s.comparison_output, PathBuf::from("/x/out"));
        assert_eq!(s.health, HealthThresholds::default());
        assert_eq!(s.standards, StandardsGrid::default());
        let s = load(
            "database = \"d\"\nstale_after = \"90d\"\nmin_group_size = 5\ncomparison_output = \"dccg\"\n[health]\noutside_meeting_share = 0.4\nengaged_months = 9\n[standards]\nwindows = [\"2y\", \"1y\"]\nmin_posts = [3]\n[[coalition]]\nslug = \"a\"\n",
        )
        .unwrap();
        assert_eq!((s.stale_after_days, s.min_group_size), (90, 5));
        assert_eq!(s.comparison_output, PathBuf::from("/x/dccg"));
        assert_eq!(
            (s.health.outside_meeting_share, s.health.engaged_months),
            (0.4, 9)
        );
        assert_eq!(
            s.standards,
            StandardsGrid {
                windows_days: vec![365, 730],
                min_posts: vec![3]
            }
        );
    }

    #[test]
    fn overrides_layer_over_defaults() {
        let s = load(
            "database = \"d\"\ninactivity = \"1y\"\nformer_after = \"3y\"\n[[coalition]]\nslug = \"a\"\nmin_posts = 2\nroster = \"r.csv\"\nroster_date = \"2024-06-01\"\nrosters = [{ path = \"old.csv\", date = \"2023-06-01\" }]\n",
        )
        .unwrap();
        let c = &s.coalitions[0];
        let t = c.thresholds;
        assert_eq!(
            (
                t.period_days,
                t.inactivity_days,
                t.min_posts,
                t.former_after_days
            ),
            (365, 365, 2, 1095)
        );
        assert_eq!(s.as_of, day("2025-01-01"));
        assert_eq!(c.meeting_window_days, 30);
        assert_eq!(c.roster_date, Some(day("2024-06-01")));
        assert_eq!(
            c.rosters,
            [DatedRoster {
                path: PathBuf::from("/x/old.csv"),
                date: day("2023-06-01")
            }]
        );
    }
}
