//! Archives and rosters straight from the list server (issue #11).
//!
//! This stage owns the network: it reads a coalition's remote `archives`
//! (Mailman 2 pipermail indexes, public or private; HyperKitty lists) and
//! its remote `roster` (Mailman 3 core REST, Mailman 2 admin pages), and
//! leaves files in the cache ([`cache`]). It never touches the database:
//! `run` ingests the cached archive folders exactly like local files and
//! imports the cached roster through the roster import, so everything that
//! holds for files holds for downloads.
//!
//! Failures keep the run going: each is one [`FetchError`] naming the URL,
//! returned in [`FetchReport::errors`] for the caller to print, and the
//! coalition is reported from what the cache holds.
//!
//! A period already cached is downloaded again only when it is the current
//! or the previous one by today's UTC date (not the evaluation date *T*:
//! the server's files change with real time), and then with a conditional
//! request; `--refetch` downloads everything again.

pub mod cache;
pub mod html;
pub mod http;
pub mod hyperkitty;
pub mod login;
pub mod mailman2;
pub mod mailman3;
pub mod period;
pub mod pipermail;
pub mod secret;

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::{CoalitionSettings, PasswordSource};
use cache::Validators;
use http::{Client, Download, Stats};
use period::Planned;
use secret::{Secret, SecretError};

/// A download that did not happen. Each names the URL (or the file) and
/// fits on one line; none carries a password.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No connection, a time-out, or a TLS failure, after the retries.
    #[error("{url}: cannot reach the server: {cause}")]
    Unreachable { url: String, cause: String },
    /// `401`/`403`, a login form without a login, or a refused password.
    /// `what` is "archive" or "roster".
    #[error("{url}: this {what} needs a password: {hint}")]
    NeedsPassword {
        url: String,
        what: &'static str,
        hint: String,
    },
    /// Any other unexpected HTTP status.
    #[error("{url}: the server answered HTTP {status}")]
    Status { url: String, status: u16 },
    /// An HTML page (an error page, a login form) where a file was expected.
    #[error("{url}: an HTML page where an archive was expected; nothing kept")]
    NotAnArchive { url: String },
    /// The body ended early or its gzip stream is cut.
    #[error("{url}: download cut short ({cause}); nothing kept")]
    Truncated { url: String, cause: String },
    /// A page that is not what the URL promised (no periods, bad JSON).
    #[error("{url}: {message}")]
    Unexpected { url: String, message: String },
    /// The cache could not be written.
    #[error("{}: cannot write the cache: {cause}", path.display())]
    Cache {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A password that could not be read.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

impl FetchError {
    /// Whether the rest of this archive can be skipped: the server is gone
    /// or will not let us in, so every other period would fail alike.
    fn stops_the_archive(&self) -> bool {
        matches!(
            self,
            FetchError::Unreachable { .. } | FetchError::NeedsPassword { .. }
        )
    }
}

/// How to fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
    /// Today, UTC: decides which periods are current or previous.
    pub today: NaiveDate,
    /// Download every period again, unconditionally.
    pub refetch: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
}

/// What fetching one coalition did.
#[derive(Debug, Default)]
pub struct FetchReport {
    /// Requests, bytes, files downloaded, `304`s.
    pub stats: Stats,
    /// Periods listed by the servers.
    pub periods: usize,
    /// Periods already cached and left alone.
    pub cached: usize,
    /// The roster file written, with the day it was taken.
    pub roster: Option<(PathBuf, NaiveDate)>,
    /// What failed, one line each.
    pub errors: Vec<FetchError>,
}

/// A login for a private archive or a roster, with how to name its source.
pub struct Login {
    /// The user (a subscriber's address, or the REST user).
    pub user: String,
    /// The password.
    pub password: Secret,
    /// `archive_password_env NAME`, for messages.
    pub source: String,
}

/// Fetches every remote archive and the remote roster of one coalition into
/// `cache`. Never fails as a whole: problems are in the report's `errors`.
pub fn fetch_coalition(c: &CoalitionSettings, cache: &Path, options: &FetchOptions) -> FetchReport {
    let mut report = FetchReport::default();
    let mut client = Client::new();
    let archive_login = login(
        c.remote.archive_user.as_deref(),
        c.remote.archive_password.as_ref(),
        "archive_password_env",
        &mut report.errors,
    );
    for url in &c.remote.archives {
        let dir = cache::archive_dir(cache, &c.slug, url);
        cache::remove_stale_temps(&dir);
        let planned = if hyperkitty::is_hyperkitty(url) {
            hyperkitty::plan(&mut client, url)
        } else {
            pipermail::plan(
                &mut client,
                url,
                archive_login.as_ref(),
                options.today,
                &dir,
                options.refetch,
            )
        };
        match planned {
            Ok(planned) => {
                fetch_periods(&mut client, &dir, &planned, options, &c.slug, &mut report)
            }
            Err(e) => report.errors.push(e),
        }
    }
    if let Some(url) = &c.remote.roster {
        let roster_login = login(
            c.remote.roster_user.as_deref(),
            c.remote.roster_password.as_ref(),
            "roster_password_env",
            &mut report.errors,
        );
        // A roster always needs its password: when the configured one
        // cannot be read (already reported), asking would only add a
        // second line about the same problem.
        let unreadable = c.remote.roster_password.is_some() && roster_login.is_none();
        if !unreadable {
            let fetched = if mailman3::is_mailman3(url) {
                mailman3::fetch(&mut client, url, roster_login.as_ref())
            } else {
                mailman2::fetch(&mut client, url, roster_login.as_ref())
            };
            match fetched.and_then(|roster| write_roster(cache, &c.slug, options.today, &roster)) {
                Ok(path) => report.roster = Some((path, options.today)),
                Err(e) => report.errors.push(e),
            }
        }
    }
    report.stats = client.stats;
    report
}

/// Reads a configured password; a missing one is reported once and the
/// fetch goes on without a login (public archives still work).
fn login(
    user: Option<&str>,
    source: Option<&PasswordSource>,
    key: &'static str,
    errors: &mut Vec<FetchError>,
) -> Option<Login> {
    let source = source?;
    match secret::read(source, key) {
        Ok(password) => Some(Login {
            user: user.unwrap_or_default().to_string(),
            password,
            source: secret::describe(source, key),
        }),
        Err(e) => {
            errors.push(e.into());
            None
        }
    }
}

/// Downloads what the plan says is missing or may have changed.
fn fetch_periods(
    client: &mut Client,
    dir: &Path,
    planned: &[Planned],
    options: &FetchOptions,
    slug: &str,
    report: &mut FetchReport,
) {
    report.periods += planned.len();
    let bar = progress_bar(options.progress, planned.len() as u64, slug);
    for period in planned {
        bar.inc(1);
        match fetch_period(client, dir, period, options) {
            Ok(true) => report.cached += 1,
            Ok(false) => {}
            Err(e) => {
                let stop = e.stops_the_archive();
                report.errors.push(e);
                if stop {
                    break;
                }
            }
        }
    }
    bar.finish_and_clear();
}

/// One period. Returns `Ok(true)` when the cached copy was left alone
/// without asking the server.
fn fetch_period(
    client: &mut Client,
    dir: &Path,
    period: &Planned,
    options: &FetchOptions,
) -> Result<bool, FetchError> {
    let cached = period
        .candidates
        .iter()
        .find(|c| dir.join(&c.file).is_file());
    if let Some(candidate) = cached {
        let path = dir.join(&candidate.file);
        if !options.refetch && !period.is_recent(options.today) {
            return Ok(true);
        }
        let validators = Validators::load(&path);
        let conditional = (!options.refetch && !validators.is_empty()).then_some(&validators);
        match client.download(&candidate.url, dir, conditional, None)? {
            Download::NotModified | Download::NotFound => {}
            Download::Saved {
                file,
                validators,
                head,
            } => keep(&candidate.url, file, &head, &path, &validators)?,
        }
        return Ok(false);
    }
    for candidate in &period.candidates {
        let path = dir.join(&candidate.file);
        match client.download(&candidate.url, dir, None, None)? {
            Download::NotFound => continue,
            Download::NotModified => return Ok(false),
            Download::Saved {
                file,
                validators,
                head,
            } => {
                keep(&candidate.url, file, &head, &path, &validators)?;
                return Ok(false);
            }
        }
    }
    let url = period
        .candidates
        .first()
        .map(|c| c.url.clone())
        .unwrap_or_default();
    Err(FetchError::Status { url, status: 404 })
}

/// Checks a downloaded file and renames it into place with its validators.
fn keep(
    url: &str,
    file: cache::TempFile,
    head: &[u8],
    dest: &Path,
    validators: &Validators,
) -> Result<(), FetchError> {
    check_archive(url, head, file.path())?;
    let cache_error = |cause| FetchError::Cache {
        path: dest.to_path_buf(),
        cause,
    };
    file.persist(dest).map_err(cache_error)?;
    validators.store(dest).map_err(cache_error)
}

/// Refuses an HTML page where an archive was expected, and a gzip stream
/// that ends early (a cut connection with no `Content-Length` to tell).
fn check_archive(url: &str, head: &[u8], path: &Path) -> Result<(), FetchError> {
    let gzipped = head.starts_with(&[0x1f, 0x8b]);
    let mut text = head.to_vec();
    if gzipped {
        let mut decoder = flate2::read::MultiGzDecoder::new(head);
        let mut out = vec![0u8; 1024];
        let n = decoder.read(&mut out).unwrap_or(0);
        text = out[..n].to_vec();
    }
    if looks_like_html(&text) {
        return Err(FetchError::NotAnArchive {
            url: url.to_string(),
        });
    }
    if gzipped {
        let file = std::fs::File::open(path).map_err(|cause| FetchError::Cache {
            path: path.to_path_buf(),
            cause,
        })?;
        let mut decoder = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
        std::io::copy(&mut decoder, &mut std::io::sink()).map_err(|e| FetchError::Truncated {
            url: url.to_string(),
            cause: format!("bad gzip stream: {e}"),
        })?;
    }
    Ok(())
}

/// Whether a body starts like an HTML document.
fn looks_like_html(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let lead: Vec<u8> = head[start..head.len().min(start + 64)].to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<form",
        "<!--",
        "<?xml",
    ]
    .iter()
    .any(|p| lead.starts_with(p.as_bytes()))
}

/// A fetched roster: subscribers, and owners and moderators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    /// Subscribers: address and display name.
    pub members: Vec<(String, Option<String>)>,
    /// Owners and moderators: address, display name, role.
    pub roles: Vec<(String, Option<String>, String)>,
}

/// Writes `roster.csv` (`address,name`, members only: the standard roster
/// format) and `roles.csv` (`address,name,role`) for `day`.
fn write_roster(
    cache: &Path,
    slug: &str,
    day: NaiveDate,
    roster: &Roster,
) -> Result<PathBuf, FetchError> {
    let (members_path, roles_path) = cache::roster_files(cache, slug, day);
    let mut members = String::from("address,name\n");
    for (address, name) in &roster.members {
        members.push_str(&format!(
            "{},{}\n",
            csv_field(address),
            csv_field(name.as_deref().unwrap_or(""))
        ));
    }
    let mut roles = String::from("address,name,role\n");
    for (address, name, role) in &roster.roles {
        roles.push_str(&format!(
            "{},{},{}\n",
            csv_field(address),
            csv_field(name.as_deref().unwrap_or("")),
            csv_field(role)
        ));
    }
    for (path, text) in [(&roles_path, roles), (&members_path, members)] {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|cause| FetchError::Cache {
                path: dir.to_path_buf(),
                cause,
            })?;
        }
        cache::write_atomically(path, text.as_bytes()).map_err(|cause| FetchError::Cache {
            path: path.clone(),
            cause,
        })?;
    }
    Ok(members_path)
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// What the cache holds for a coalition, whether or not this run fetched:
/// the archive folders that have files, and the newest roster with its day.
pub fn cached_inputs(
    c: &CoalitionSettings,
    cache: &Path,
) -> (Vec<PathBuf>, Option<(PathBuf, NaiveDate)>) {
    let dirs = c
        .remote
        .archives
        .iter()
        .map(|url| cache::archive_dir(cache, &c.slug, url))
        .filter(|dir| {
            std::fs::read_dir(dir).is_ok_and(|mut entries| {
                entries.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.')))
            })
        })
        .collect();
    let roster = c
        .remote
        .roster
        .as_ref()
        .and_then(|_| cache::latest_roster(cache, &c.slug));
    (dirs, roster)
}

/// For `config check`: each configured credential, named by its key and
/// variable or file, and whether it can be read now. Never the value.
pub fn credential_status(c: &CoalitionSettings) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (source, key) in [
        (&c.remote.archive_password, "archive_password_env"),
        (&c.remote.roster_password, "roster_password_env"),
    ] {
        if let Some(source) = source {
            out.push((
                secret::describe(source, key),
                secret::read(source, key).is_ok(),
            ));
        }
    }
    out
}

fn progress_bar(enabled: bool, total: u64, slug: &str) -> indicatif::ProgressBar {
    if !enabled {
        return indicatif::ProgressBar::hidden();
    }
    // The stderr target draws nothing when stderr is not a terminal (cron).
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("fetching {msg}: {bar:30} {pos}/{len} periods")
    {
        bar.set_style(style);
    }
    bar.set_message(slug.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_told_from_an_archive() {
        assert!(looks_like_html(
            b"  <!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01\">"
        ));
        assert!(looks_like_html(b"<html><head><title>Private"));
        assert!(!looks_like_html(
            b"From jdoe at example.org  Mon Jan  1 00:00:00 2024\n"
        ));
        assert!(!looks_like_html(b""));
    }

    #[test]
    fn credential_status_names_each_source_and_never_its_value() {
        let settings = crate::config::Settings::from_text(
            Path::new("/x/lp.toml"),
            "database = \"d\"\n[[coalition]]\nslug = \"a\"\narchives = [\"https://h.org/pipermail/a/\"]\narchive_user = \"a@h.org\"\narchive_password_env = \"LISTPULSE_TEST_SURELY_UNSET_PW\"\nroster = \"https://h.org/mailman/admin/a\"\nroster_password_file = \"/nonexistent/pw\"\n",
            None,
            "2026-01-01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(
            credential_status(&settings.coalitions[0]),
            vec![
                (
                    "archive_password_env LISTPULSE_TEST_SURELY_UNSET_PW".to_string(),
                    false
                ),
                ("roster_password_file /nonexistent/pw".to_string(), false),
            ]
        );
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("Ana Lima"), "Ana Lima");
        assert_eq!(csv_field("Lima, Ana"), "\"Lima, Ana\"");
        assert_eq!(csv_field("A \"B\""), "\"A \"\"B\"\"\"");
    }
}
