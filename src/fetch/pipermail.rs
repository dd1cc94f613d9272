//! Mailman 2 pipermail archives: the index page, its periods, and the login
//! of a private archive.
//!
//! The index is Mailman 2.1's `archtoc.html` with one `archtocentry.html`
//! row per period: links `PERIOD/thread.html` … `PERIOD/date.html`, and a
//! "Downloadable version" link to `PERIOD.txt.gz` (Mailman links the gzip
//! file once its nightly job has made one) or `PERIOD.txt`. Each period is
//! fetched as its `.txt.gz`, else its `.txt`; the current period as its
//! `.txt` first, because the `.txt.gz` lags a day behind it.
//!
//! A private archive (`/mailman/private/LIST/`) answers a visitor with its
//! login form, status 200 (Mailman's `private.html`): the form posts
//! `username` and `password` back, and a cookie opens the archive.

use chrono::NaiveDate;

use std::path::Path;

use super::cache::{self, Validators};
use super::html;
use super::http::{Client, Page};
use super::login::{self, FormFields};
use super::period::{Candidate, Planned, parse_pipermail};
use super::{FetchError, Login};

/// Reads the index at `url` (logging in when it answers with the login
/// form) and lists its periods, oldest first.
///
/// The index is kept in `dir` as `.index.html` with its validators, and
/// asked for conditionally: a run that finds nothing new downloads nothing
/// (Apache answers a static `index.html` with `304`). `refetch` asks
/// unconditionally.
pub fn plan(
    client: &mut Client,
    url: &str,
    login: Option<&Login>,
    today: NaiveDate,
    dir: &Path,
    refetch: bool,
) -> Result<Vec<Planned>, FetchError> {
    let url = with_slash(url);
    let fields = FormFields {
        user: Some("username"),
        password: "password",
    };
    let cached = dir.join(INDEX);
    let kept = std::fs::read_to_string(&cached).ok();
    let validators = Validators::load(&cached);
    let conditional = (!refetch && kept.is_some() && !validators.is_empty()).then_some(&validators);
    let first = client.get_page_if(&url, None, conditional)?;
    let page = match (first.status, kept) {
        (304, Some(body)) => Page {
            status: 200,
            body,
            ..first
        },
        _ => {
            let page = login::continue_from(client, &url, first, login, fields, &|l| {
                needs_password(&url, l)
            })?;
            keep_index(&cached, &page)?;
            page
        }
    };
    let planned = periods(&page.body, &page.url, today);
    if planned.is_empty() && !page.body.to_ascii_lowercase().contains("archives") {
        return Err(FetchError::Unexpected {
            url,
            message: "no archive periods found: is this a pipermail index?".into(),
        });
    }
    Ok(planned)
}

/// "this archive needs a password": what to set, or which password failed.
pub(crate) fn needs_password(url: &str, login: Option<&Login>) -> FetchError {
    let hint = match login {
        None => "set archive_user and archive_password_env (or archive_password_file)".to_string(),
        Some(login) => format!(
            "the server refused the password of archive_user; set the subscriber's password in {}",
            login.source
        ),
    };
    FetchError::NeedsPassword {
        url: url.to_string(),
        what: "archive",
        hint,
    }
}

/// The periods an index lists, oldest first, each with its candidate files.
pub fn periods(index: &str, base: &str, today: NaiveDate) -> Vec<Planned> {
    use std::collections::BTreeMap;
    // period name → the text file the index links, if any
    let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
    for href in html::links(index) {
        let href = href.trim().trim_start_matches("./").to_string();
        if href.contains("://") || href.starts_with('/') {
            continue;
        }
        if let Some((name, page)) = href.split_once('/') {
            if ["thread.html", "subject.html", "author.html", "date.html"].contains(&page)
                && parse_pipermail(name).is_some()
            {
                found.entry(name.to_string()).or_insert(None);
            }
        } else if let Some(name) = href
            .strip_suffix(".txt.gz")
            .or_else(|| href.strip_suffix(".txt"))
            && parse_pipermail(name).is_some()
        {
            found.insert(name.to_string(), Some(href.clone()));
        }
    }
    let mut out: Vec<Planned> = found
        .into_iter()
        .filter_map(|(name, linked)| {
            let (kind, start) = parse_pipermail(&name)?;
            let gz = format!("{name}.txt.gz");
            let txt = format!("{name}.txt");
            let mut planned = Planned {
                name: name.clone(),
                kind,
                start,
                candidates: vec![],
            };
            let order: Vec<&String> = if planned.is_current(today) {
                vec![&txt, &gz]
            } else if linked.as_deref() == Some(txt.as_str()) {
                // Only the text file is published: asking for a .gz first
                // would cost a 404 per period.
                vec![&txt]
            } else {
                vec![&gz, &txt]
            };
            planned.candidates = order
                .into_iter()
                .map(|file| Candidate {
                    url: html::resolve(base, file),
                    file: file.clone(),
                })
                .collect();
            Some(planned)
        })
        .collect();
    out.sort_by_key(|p| p.start);
    out
}

/// The cached index's name: a dotfile, so ingest passes over it.
const INDEX: &str = ".index.html";

fn keep_index(path: &Path, page: &Page) -> Result<(), FetchError> {
    let cache_error = |cause| FetchError::Cache {
        path: path.to_path_buf(),
        cause,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(cache_error)?;
    }
    cache::write_atomically(path, page.body.as_bytes()).map_err(cache_error)?;
    page.validators.store(path).map_err(cache_error)
}

fn with_slash(url: &str) -> String {
    let url = url.trim();
    if url.ends_with('/') || url.ends_with(".html") {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<table border=3>
        <tr><td>Archive</td><td>View by:</td><td>Downloadable version</td></tr>
        <tr><td>2026:</td><td>
            <A href="2026/thread.html">[ Thread ]</a>
            <A href="2026/date.html">[ Date ]</a></td>
            <td><A href="2026.txt">[ Text 5 KB ]</a></td></tr>
        <tr><td>2025:</td><td>
            <A href="2025/thread.html">[ Thread ]</a></td>
            <td><A href="2025.txt.gz">[ Gzip'd Text 2 KB ]</a></td></tr>
        <tr><td>2024:</td><td>
            <A href="2024/thread.html">[ Thread ]</a></td>
            <td><A href="2024.txt">[ Text 2 KB ]</a></td></tr>
        <tr><td>2023:</td><td>
            <A href="2023/thread.html">[ Thread ]</a></td></tr>
        </table>"#;

    #[test]
    fn the_index_gives_each_period_its_files_in_order_of_preference() {
        let today: NaiveDate = "2026-12-02".parse().unwrap();
        let planned = periods(INDEX, "https://h/pipermail/dc/", today);
        let files: Vec<(String, Vec<String>)> = planned
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.candidates.iter().map(|c| c.file.clone()).collect(),
                )
            })
            .collect();
        let want = |n: &str, f: &[&str]| (n.to_string(), f.iter().map(|s| s.to_string()).collect());
        assert_eq!(
            files,
            vec![
                want("2023", &["2023.txt.gz", "2023.txt"]),
                want("2024", &["2024.txt"]),
                want("2025", &["2025.txt.gz", "2025.txt"]),
                want("2026", &["2026.txt", "2026.txt.gz"]),
            ]
        );
        assert_eq!(
            planned[0].candidates[0].url,
            "https://h/pipermail/dc/2023.txt.gz"
        );
    }

    #[test]
    fn a_url_without_its_final_slash_still_resolves_inside_the_list() {
        assert_eq!(
            with_slash("https://h/pipermail/dc"),
            "https://h/pipermail/dc/"
        );
        assert_eq!(
            with_slash("https://h/pipermail/dc/index.html"),
            "https://h/pipermail/dc/index.html"
        );
    }
}
