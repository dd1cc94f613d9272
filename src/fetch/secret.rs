//! Passwords for list servers: read from an environment variable or a file
//! the configuration names, held in a type that cannot be printed.
//!
//! Issue #11: "credentials never in the configuration, the database, a
//! report or a log". [`Secret`] has no `Display` and its `Debug` prints
//! `***`, so a password cannot reach an error message or a log line by
//! accident; errors name the variable or the file, never the value.

use std::path::PathBuf;

use crate::config::PasswordSource;

/// A password. Only [`Secret::expose`] hands out the value, at the one place
/// a request is built.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Secret {
    /// The password itself, for the request that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A password that could not be read. Names its source, never a value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The environment variable is missing or empty.
    #[error("{key} names the environment variable {var}, which is not set")]
    EnvNotSet { key: &'static str, var: String },
    /// The file could not be read.
    #[error("{}: cannot read the password file named by {key}: {cause}", path.display())]
    Unreadable {
        key: &'static str,
        path: PathBuf,
        cause: std::io::Error,
    },
    /// Group or others may read the file: refused, as ssh refuses a key.
    #[error("{}: password file readable by group or others: run `chmod 600` on it", path.display())]
    TooOpen { path: PathBuf },
    /// The file holds nothing.
    #[error("{}: the password file named by {key} is empty", path.display())]
    Empty { key: &'static str, path: PathBuf },
}

/// Reads the password `source` names; `key` is the configuration key
/// (`archive_password_env`, …) for messages.
pub fn read(source: &PasswordSource, key: &'static str) -> Result<Secret, SecretError> {
    match source {
        PasswordSource::Env(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Ok(Secret(value)),
            _ => Err(SecretError::EnvNotSet {
                key,
                var: var.clone(),
            }),
        },
        PasswordSource::File(path) => {
            let key = if key.ends_with("_env") {
                file_key(key)
            } else {
                key
            };
            check_mode(path)?;
            let text = std::fs::read_to_string(path).map_err(|cause| SecretError::Unreadable {
                key,
                path: path.clone(),
                cause,
            })?;
            // One line, as `echo pw > file` writes it: the newline is not
            // part of the password.
            let value = text.trim_end_matches(['\r', '\n']).to_string();
            if value.is_empty() {
                return Err(SecretError::Empty {
                    key,
                    path: path.clone(),
                });
            }
            Ok(Secret(value))
        }
    }
}

/// `archive_password_env` → `archive_password_file`.
fn file_key(env_key: &'static str) -> &'static str {
    match env_key {
        "archive_password_env" => "archive_password_file",
        "roster_password_env" => "roster_password_file",
        other => other,
    }
}

#[cfg(unix)]
fn check_mode(path: &std::path::Path) -> Result<(), SecretError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|cause| SecretError::Unreadable {
        key: "password file",
        path: path.to_path_buf(),
        cause,
    })?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SecretError::TooOpen {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &std::path::Path) -> Result<(), SecretError> {
    Ok(())
}

/// How the source is named in messages and in `config check`:
/// `archive_password_env LISTPULSE_DC_PW`, `roster_password_file /etc/lp/pw`.
pub fn describe(source: &PasswordSource, env_key: &'static str) -> String {
    match source {
        PasswordSource::Env(var) => format!("{env_key} {var}"),
        PasswordSource::File(path) => format!("{} {}", file_key(env_key), path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_its_value() {
        let s = Secret("hunter2".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let source = PasswordSource::File(path.clone());
        let err = read(&source, "archive_password_env").unwrap_err();
        assert!(
            err.to_string().contains("readable by group or others"),
            "{err}"
        );
        assert!(!err.to_string().contains("s3cret"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            read(&source, "archive_password_env").unwrap().expose(),
            "s3cret"
        );
    }

    #[test]
    fn an_unset_variable_is_named_not_guessed() {
        let source = PasswordSource::Env("LISTPULSE_TEST_SURELY_UNSET_PW".into());
        let err = read(&source, "roster_password_env").unwrap_err();
        assert_eq!(
            err.to_string(),
            "roster_password_env names the environment variable LISTPULSE_TEST_SURELY_UNSET_PW, which is not set"
        );
    }
}
