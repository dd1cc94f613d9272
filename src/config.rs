//! The configuration file: TOML → [`Config`], every path resolved against the
//! file's folder. Layering is defaults → file → per-coalition overrides →
//! command-line flags. [`Settings::load`] does all of it and validates every
//! value (dates, durations, slugs) before any work starts, so a bad file fails
//! with `file:line: message` instead of half-way through a cron run.
//!
//! The serde structs keep the file's own shape (strings for dates and
//! durations) because other subcommands read them too; [`Settings`] is the
//! checked, typed form `run` works from.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::classify::Thresholds;
use crate::duration::parse_days;
use crate::ingest::limits::{Limits, parse_size};

/// The commented example printed by `listpulse config example`.
pub const EXAMPLE: &str = include_str!("../fixtures/config/example.toml");

/// A whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The SQLite database.
    pub database: PathBuf,
    /// Where reports go: `OUT/<slug>/` per coalition, the comparison in `OUT/`.
    #[serde(default = "default_output")]
    pub output: PathBuf,
    /// Evaluate as of this day (`YYYY-MM-DD`); default today, UTC.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Default check-in period P (e.g. `"365d"`).
    #[serde(default)]
    pub period: Option<String>,
    /// Default inactivity threshold D (e.g. `"2y"`).
    #[serde(default)]
    pub inactivity: Option<String>,
    /// Default minimum posts N.
    #[serde(default)]
    pub min_posts: Option<u32>,
    /// Messages larger than this are skipped as malformed (e.g. `"64MiB"`).
    #[serde(default)]
    pub max_message_size: Option<String>,
    /// Compressed files whose content passes this are rejected (e.g. `"8GiB"`).
    #[serde(default)]
    pub max_decompressed: Option<String>,
    /// The coalitions, one `[[coalition]]` table each.
    #[serde(default, rename = "coalition")]
    pub coalitions: Vec<CoalitionConfig>,
}

fn default_output() -> PathBuf {
    PathBuf::from("reports")
}

/// One `[[coalition]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoalitionConfig {
    /// Short name, used in paths and on the command line.
    pub slug: String,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Archive paths or globs.
    #[serde(default)]
    pub archives: Vec<String>,
    /// A roster file (imported as a snapshot dated the run's as-of day).
    #[serde(default)]
    pub roster: Option<PathBuf>,
    /// A check-in CSV.
    #[serde(default)]
    pub checkins: Option<PathBuf>,
    /// An aliases file.
    #[serde(default)]
    pub aliases: Option<PathBuf>,
    /// Subject of the check-in message.
    #[serde(default)]
    pub checkin_subject: Option<String>,
    /// Coordinators' addresses.
    #[serde(default)]
    pub coordinators: Vec<String>,
    /// Annual meeting dates, `["YYYY-MM-DD", "YYYY-MM-DD"]` per year.
    #[serde(default)]
    pub annual_meeting: Vec<[String; 2]>,
    /// Days around the meeting that count as "around" it (default `"30d"`).
    #[serde(default)]
    pub meeting_window: Option<String>,
    /// Override of P.
    #[serde(default)]
    pub period: Option<String>,
    /// Override of D.
    #[serde(default)]
    pub inactivity: Option<String>,
    /// Override of N.
    #[serde(default)]
    pub min_posts: Option<u32>,
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

impl Config {
    /// Parses `text` as if read from `path`.
    pub fn from_text(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    // Count newlines, not `lines()`: a span that starts a
                    // line would otherwise be reported one line too early.
                    text.as_bytes()[..s.start.min(text.len())]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count()
                        + 1
                })
                .unwrap_or(1);
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                message: e.message().to_string(),
            }
        })?;
        let base = path.parent().unwrap_or(Path::new(""));
        config.database = base.join(&config.database);
        config.output = base.join(&config.output);
        for c in &mut config.coalitions {
            for p in [&mut c.roster, &mut c.checkins, &mut c.aliases]
                .into_iter()
                .flatten()
            {
                *p = base.join(&*p);
            }
            for a in &mut c.archives {
                *a = base.join(&*a).to_string_lossy().into_owned();
            }
        }
        Ok(config)
    }
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
    /// Roster file, imported as a snapshot dated the as-of day.
    pub roster: Option<PathBuf>,
    /// Check-in CSV.
    pub checkins: Option<PathBuf>,
    /// Aliases file.
    pub aliases: Option<PathBuf>,
    /// Subject of the yearly check-in message.
    pub checkin_subject: Option<String>,
    /// Coordinators' addresses, lower-cased.
    pub coordinators: Vec<String>,
    /// Annual meetings: first and last day, one pair a year.
    pub annual_meetings: Vec<(NaiveDate, NaiveDate)>,
    /// Days either side of a meeting that count as "around the meeting".
    pub meeting_window_days: u32,
    /// P, D and N after the per-coalition overrides.
    pub thresholds: Thresholds,
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
    pub as_of: NaiveDate,
    /// P, D and N from the file's top level (each coalition may override them).
    pub thresholds: Thresholds,
    /// The caps on one archive file's work (`max_message_size`, `max_decompressed`).
    pub limits: Limits,
    /// The coalitions, in file order.
    pub coalitions: Vec<CoalitionSettings>,
}

/// Default window around an annual meeting (DESIGN: "meeting_window", 30 days).
const DEFAULT_MEETING_WINDOW: u32 = 30;

impl Settings {
    /// Loads and validates `path`. `as_of` (from the command line) overrides
    /// the file's `as_of`; `today` is the default when neither gives one.
    pub fn load(
        path: &Path,
        as_of: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Settings, ConfigError> {
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
        as_of: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Settings, ConfigError> {
        let config = Config::from_text(path, text)?;
        let lines = Lines { text };
        let invalid = |line: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        let file_as_of = match &config.as_of {
            Some(s) => Some(parse_date(s).map_err(|m| invalid(lines.key(None, "as_of"), m))?),
            None => None,
        };
        let top = Thresholds::default();
        let top = Thresholds {
            period_days: duration(&config.period, top.period_days)
                .map_err(|m| invalid(lines.key(None, "period"), m))?,
            inactivity_days: duration(&config.inactivity, top.inactivity_days)
                .map_err(|m| invalid(lines.key(None, "inactivity"), m))?,
            min_posts: min_posts(config.min_posts, top.min_posts)
                .map_err(|m| invalid(lines.key(None, "min_posts"), m))?,
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_message_size: size(&config.max_message_size, defaults.max_message_size)
                .map_err(|m| invalid(lines.key(None, "max_message_size"), m))?,
            max_decompressed: size(&config.max_decompressed, defaults.max_decompressed)
                .map_err(|m| invalid(lines.key(None, "max_decompressed"), m))?,
        };
        if config.coalitions.is_empty() {
            return Err(invalid(
                lines.text.lines().count().max(1),
                "no [[coalition]] table: add one per coalition (see `listpulse config example`)"
                    .into(),
            ));
        }
        let mut coalitions: Vec<CoalitionSettings> = Vec::new();
        for (i, c) in config.coalitions.iter().enumerate() {
            let at = |key: &str| lines.key(Some(i), key);
            if !valid_slug(&c.slug) {
                return Err(invalid(
                    at("slug"),
                    format!(
                        "bad slug '{}': use lower-case letters, digits, '-' and '_' (it names a folder)",
                        c.slug
                    ),
                ));
            }
            if coalitions.iter().any(|o| o.slug == c.slug) {
                return Err(invalid(
                    at("slug"),
                    format!("slug '{}' is used by two coalitions", c.slug),
                ));
            }
            for a in &c.archives {
                glob::Pattern::new(a)
                    .map_err(|e| invalid(at("archives"), format!("bad pattern '{a}': {e}")))?;
            }
            let mut meetings = Vec::new();
            for [start, end] in &c.annual_meeting {
                let line = lines.value(Some(i), "annual_meeting", start);
                let s = parse_date(start).map_err(|m| invalid(line, m))?;
                let e = parse_date(end)
                    .map_err(|m| invalid(lines.value(Some(i), "annual_meeting", end), m))?;
                if e < s {
                    return Err(invalid(
                        line,
                        format!("annual meeting ends ({end}) before it starts ({start})"),
                    ));
                }
                meetings.push((s, e));
            }
            meetings.sort();
            let thresholds = Thresholds {
                period_days: duration(&c.period, top.period_days)
                    .map_err(|m| invalid(at("period"), m))?,
                inactivity_days: duration(&c.inactivity, top.inactivity_days)
                    .map_err(|m| invalid(at("inactivity"), m))?,
                min_posts: min_posts(c.min_posts, top.min_posts)
                    .map_err(|m| invalid(at("min_posts"), m))?,
            };
            let meeting_window_days = match &c.meeting_window {
                Some(w) => parse_days(w).map_err(|m| invalid(at("meeting_window"), m))?,
                None => DEFAULT_MEETING_WINDOW,
            };
            coalitions.push(CoalitionSettings {
                slug: c.slug.clone(),
                name: c.name.clone().unwrap_or_else(|| c.slug.clone()),
                archives: c.archives.clone(),
                roster: c.roster.clone(),
                checkins: c.checkins.clone(),
                aliases: c.aliases.clone(),
                checkin_subject: c.checkin_subject.clone().filter(|s| !s.trim().is_empty()),
                coordinators: c
                    .coordinators
                    .iter()
                    .map(|a| a.trim().to_lowercase())
                    .collect(),
                annual_meetings: meetings,
                meeting_window_days,
                thresholds,
            });
        }
        Ok(Settings {
            path: path.to_path_buf(),
            database: config.database,
            output: config.output,
            as_of: as_of.or(file_as_of).unwrap_or(today),
            thresholds: top,
            limits,
            coalitions,
        })
    }

    /// The coalition `slug`, if configured.
    pub fn coalition(&self, slug: &str) -> Option<&CoalitionSettings> {
        self.coalitions.iter().find(|c| c.slug == slug)
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("bad date '{text}': write YYYY-MM-DD"))
}

fn duration(text: &Option<String>, default: u32) -> Result<u32, String> {
    text.as_deref().map(parse_days).unwrap_or(Ok(default))
}

fn size(text: &Option<String>, default: u64) -> Result<u64, String> {
    text.as_deref().map(parse_size).unwrap_or(Ok(default))
}

fn min_posts(value: Option<u32>, default: u32) -> Result<u32, String> {
    match value {
        Some(0) => Err("min_posts must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

/// `[name]` or `[[name]]`, not a line of an array value such as `  ["2024-01-01", …]`.
fn is_table_header(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('[')
        && t.trim_start_matches('[')
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '"')
        && !t.trim_start_matches('[').starts_with('"')
}

fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('.')
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Finds where a key sits in the file's text. serde has already thrown the
/// spans away by the time a value is validated, and the structs stay plain
/// because other subcommands share them; a scan by section is enough for the
/// flat layout this file has.
struct Lines<'a> {
    text: &'a str,
}

impl Lines<'_> {
    /// The line range (0-based, end exclusive) of the top level (`None`) or
    /// of the `i`-th `[[coalition]]` table.
    fn section(&self, coalition: Option<usize>) -> (usize, usize) {
        let lines: Vec<&str> = self.text.lines().collect();
        let headers: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| is_table_header(l))
            .map(|(n, _)| n)
            .collect();
        let coalition_headers: Vec<usize> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                t.starts_with("[[coalition]]")
            })
            .map(|(n, _)| n)
            .collect();
        match coalition {
            None => (0, headers.first().copied().unwrap_or(lines.len())),
            Some(i) => match coalition_headers.get(i) {
                Some(&start) => {
                    let end = headers
                        .iter()
                        .copied()
                        .find(|&h| h > start)
                        .unwrap_or(lines.len());
                    (start, end)
                }
                None => (0, lines.len()),
            },
        }
    }

    /// The 1-based line of `key = …` in the section, else the section's first line.
    fn key(&self, coalition: Option<usize>, key: &str) -> usize {
        let (start, end) = self.section(coalition);
        self.text
            .lines()
            .enumerate()
            .take(end)
            .skip(start)
            .find(|(_, l)| {
                let l = l.trim_start();
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map(|(n, _)| n + 1)
            .unwrap_or(start + 1)
    }

    /// The 1-based line where `value` appears (quoted) at or after `key`.
    fn value(&self, coalition: Option<usize>, key: &str, value: &str) -> usize {
        let (_, end) = self.section(coalition);
        let from = self.key(coalition, key) - 1;
        let quoted = format!("\"{value}\"");
        self.text
            .lines()
            .enumerate()
            .take(end)
            .skip(from)
            .find(|(_, l)| l.contains(&quoted))
            .map(|(n, _)| n + 1)
            .unwrap_or(from + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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

    #[test]
    fn errors_point_at_the_offending_line() {
        let cases = [
            (
                "database = \"d\"\nperiod = \"soon\"\n[[coalition]]\nslug = \"a\"\n",
                2,
                "bad duration",
            ),
            (
                "database = \"d\"\n[[coalition]]\nslug = \"a\"\n\n[[coalition]]\nslug = \"a\"\n",
                6,
                "used by two",
            ),
            (
                "database = \"d\"\n[[coalition]]\nslug = \"a\"\nannual_meeting = [\n  [\"2020-01-01\", \"2020-01-02\"],\n  [\"2021-02-30\", \"2021-03-01\"],\n]\n",
                6,
                "bad date",
            ),
            (
                "database = \"d\"\nas_of = \"yesterday\"\n[[coalition]]\nslug = \"a\"\n",
                2,
                "bad date",
            ),
            (
                "database = \"d\"\n[[coalition]]\nslug = \"a\"\ntreshold = 3\n",
                4,
                "unknown field",
            ),
            (
                "database = \"d\"\n[[coalition]]\nslug = \"A b\"\n",
                3,
                "bad slug",
            ),
            (
                "database = \"d\"\n[[coalition]]\nslug = \"a\"\nmin_posts = 0\n",
                4,
                "at least 1",
            ),
        ];
        for (text, line, what) in cases {
            let err = load(text).unwrap_err();
            assert_eq!(err.line(), Some(line), "{text}: {err}");
            assert!(err.to_string().contains(what), "{err}");
            assert!(err.to_string().starts_with("/x/lp.toml:"), "{err}");
        }
    }

    #[test]
    fn overrides_layer_over_defaults() {
        let s = load(
            "database = \"d\"\ninactivity = \"1y\"\n[[coalition]]\nslug = \"a\"\nmin_posts = 2\n",
        )
        .unwrap();
        let t = s.coalitions[0].thresholds;
        assert_eq!(
            (t.period_days, t.inactivity_days, t.min_posts),
            (365, 365, 2)
        );
        assert_eq!(s.as_of, day("2025-01-01"));
        assert_eq!(s.coalitions[0].meeting_window_days, 30);
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
}
