//! The configuration file: TOML → [`Config`], every path resolved against the
//! file's folder. Layering is defaults → file → per-coalition overrides →
//! command-line flags; the last two are applied by the subcommands.
//! (Validation and the example are filled in by the reports work.)

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax or an unknown or mistyped key.
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl Config {
    /// Reads and parses `path`, resolving relative paths against its folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
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

    /// The coalition `slug`, if configured.
    pub fn coalition(&self, slug: &str) -> Option<&CoalitionConfig> {
        self.coalitions.iter().find(|c| c.slug == slug)
    }
}
