//! The remote part of a coalition's configuration (issue #11): `archives`
//! entries and a `roster` that are list-server URLs, and the logins they
//! need. Kept apart from the rest of `config` so the file-and-path settings
//! and the network ones can change without getting in each other's way.

use std::path::{Path, PathBuf};

use super::CoalitionConfig;

/// Where a password comes from. Never the configuration file itself: the
/// file is copied, mailed and committed, a password must not travel with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// An environment variable, by name.
    Env(String),
    /// A file readable by its owner only.
    File(PathBuf),
}

/// A coalition's remote inputs: `archives` entries and a `roster` that are
/// `https://` URLs, with the logins they need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteSettings {
    /// Pipermail index or HyperKitty list URLs.
    pub archives: Vec<String>,
    /// A subscriber's address, for a private pipermail archive.
    pub archive_user: Option<String>,
    /// Where that subscriber's password is.
    pub archive_password: Option<PasswordSource>,
    /// A Mailman 3 REST list URL or a Mailman 2 admin URL.
    pub roster: Option<String>,
    /// The Mailman 3 REST user.
    pub roster_user: Option<String>,
    /// Where the roster password is.
    pub roster_password: Option<PasswordSource>,
}

/// Whether a configured `archives` entry or `roster` names a list server
/// rather than a local path.
///
/// ```
/// assert!(listpulse::config::is_url("https://lists.example.org/pipermail/dc/"));
/// assert!(!listpulse::config::is_url("archives/dc/*.txt.gz"));
/// ```
pub fn is_url(text: &str) -> bool {
    let lower = text.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The default `archive_cache`: `NAME-cache/` beside the database `NAME.db`,
/// so a database and what it was built from stay together.
pub fn default_archive_cache(database: &Path) -> PathBuf {
    let stem = database
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "listpulse".into());
    database.with_file_name(format!("{stem}-cache"))
}

/// Whether `url`'s host is this machine. Plain `http://` is allowed only
/// there (tests and tunnels): elsewhere a login would cross the network in
/// clear, and a proxy could rewrite an archive.
fn is_loopback_url(url: &str) -> bool {
    let rest = &url.trim_start()["http://".len()..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks one URL: no login in it, https anywhere, http on loopback only.
fn check_url(url: &str) -> Result<(), String> {
    let lower = url.trim_start().to_ascii_lowercase();
    let scheme_len = if lower.starts_with("https://") { 8 } else { 7 };
    let authority = url.trim_start()[scheme_len..]
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    // First, and without the URL: printing it would print the password.
    if authority.contains('@') {
        return Err(
            "a URL with a login in it: put the user in archive_user or roster_user and the password in an environment variable or file"
                .into(),
        );
    }
    if lower.starts_with("http://") && !is_loopback_url(url) {
        return Err(format!(
            "{url}: use https:// (plain http:// is allowed only for a server on this machine)"
        ));
    }
    Ok(())
}

/// A password source from its two keys; both at once is ambiguous.
fn password_source(
    env: Option<&String>,
    file: &Option<PathBuf>,
    env_key: &'static str,
) -> Result<Option<PasswordSource>, (&'static str, String)> {
    match (env, file) {
        (Some(_), Some(_)) => Err((
            env_key,
            format!(
                "{env_key} and {} both set: keep one",
                env_key.replace("_env", "_file")
            ),
        )),
        (Some(var), None) if var.trim().is_empty() => Err((
            env_key,
            format!("{env_key} is empty: name an environment variable"),
        )),
        (Some(var), None) => Ok(Some(PasswordSource::Env(var.trim().to_string()))),
        (None, Some(path)) => Ok(Some(PasswordSource::File(path.clone()))),
        (None, None) => Ok(None),
    }
}

/// The remote part of a coalition table, checked. Errors carry the key they
/// are about, so the message points at its line.
pub(super) fn remote_settings(
    c: &CoalitionConfig,
    base: &Path,
) -> Result<RemoteSettings, (&'static str, String)> {
    let archives: Vec<String> = c
        .archives
        .iter()
        .map(|a| a.get_ref())
        .filter(|a| is_url(a))
        .map(|a| a.trim().to_string())
        .collect();
    for a in &archives {
        check_url(a).map_err(|m| ("archives", m))?;
    }
    let roster = c
        .roster
        .as_ref()
        .map(|r| r.to_string_lossy().trim().to_string())
        .filter(|r| is_url(r));
    if let Some(r) = &roster {
        check_url(r).map_err(|m| ("roster", m))?;
    }
    let resolve = |p: &Option<PathBuf>| p.as_ref().map(|p| base.join(p));
    let archive_password = password_source(
        c.archive_password_env.as_ref().map(|v| v.get_ref()),
        &resolve(&c.archive_password_file),
        "archive_password_env",
    )?;
    let roster_password = password_source(
        c.roster_password_env.as_ref().map(|v| v.get_ref()),
        &resolve(&c.roster_password_file),
        "roster_password_env",
    )?;
    if archive_password.is_some() && c.archive_user.is_none() {
        return Err((
            "archive_password_env",
            "a password without archive_user: set the subscriber's address too".into(),
        ));
    }
    Ok(RemoteSettings {
        archives,
        archive_user: c.archive_user.clone(),
        archive_password,
        roster,
        roster_user: c.roster_user.clone(),
        roster_password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ConfigError, Settings};

    fn load(text: &str) -> Result<Settings, ConfigError> {
        Settings::from_text(
            Path::new("/x/lp.toml"),
            text,
            None,
            "2025-01-01".parse().unwrap(),
        )
    }

    #[test]
    fn remote_archives_and_rosters_are_kept_apart_from_paths() {
        let s = load(
            "database = \"db/lp.db\"\n[[coalition]]\nslug = \"a\"\narchives = [\"local/*.txt\", \"https://h.org/pipermail/a/\"]\nroster = \"http://127.0.0.1:8001/3.1/lists/a.h.org\"\nroster_user = \"restadmin\"\nroster_password_file = \"pw\"\n",
        )
        .unwrap();
        let c = &s.coalitions[0];
        assert_eq!(c.archives, vec!["/x/local/*.txt".to_string()]);
        assert_eq!(c.roster, None);
        assert_eq!(
            c.remote.archives,
            vec!["https://h.org/pipermail/a/".to_string()]
        );
        assert_eq!(
            c.remote.roster.as_deref(),
            Some("http://127.0.0.1:8001/3.1/lists/a.h.org")
        );
        assert_eq!(
            c.remote.roster_password,
            Some(PasswordSource::File(PathBuf::from("/x/pw")))
        );
        assert_eq!(s.archive_cache, PathBuf::from("/x/db/lp-cache"));
    }

    #[test]
    fn remote_settings_that_would_leak_or_confuse_are_refused_on_their_line() {
        let cases = [
            (
                "archives = [\"http://lists.example.org/pipermail/a/\"]\n",
                4,
                "use https://",
            ),
            (
                "archives = [\"http://ana:pw@h.org/pipermail/a/\"]\n",
                4,
                "a URL with a login in it",
            ),
            (
                "archive_user = \"a@h.org\"\narchive_password_env = \"X\"\narchive_password_file = \"f\"\n",
                5,
                "both set",
            ),
            ("archive_password_env = \"X\"\n", 4, "without archive_user"),
        ];
        for (extra, line, what) in cases {
            let text = format!("database = \"d\"\n[[coalition]]\nslug = \"a\"\n{extra}");
            let err = load(&text).unwrap_err();
            assert!(err.to_string().contains(what), "{extra}: {err}");
            assert_eq!(err.line(), Some(line), "{extra}: {err}");
            assert!(!err.to_string().contains(":pw@"), "{err}");
        }
        for ok in [
            "http://localhost:8080/pipermail/a/",
            "http://[::1]/x/",
            "http://127.0.0.2/x/",
        ] {
            let text =
                format!("database = \"d\"\n[[coalition]]\nslug = \"a\"\narchives = [\"{ok}\"]\n");
            assert!(load(&text).is_ok(), "{ok}");
        }
    }
}
