//! HyperKitty (Mailman 3) archives: the list's overview page names its
//! months, and each month comes from the mbox export.
//!
//! From HyperKitty's own code (1.3): `urls.py` maps
//! `list/<LIST@DOMAIN>/export/<filename>.mbox.gz` to `views/mlist.py`
//! `export_mbox`, which streams the list's messages with `start <= date <
//! end` (`start` and `end` as `YYYY-MM-DD`, UTC), each as an mbox entry
//! (`From <sender> <asctime>` line, mangled `>From`), gzip-compressed as it
//! goes: no `Content-Length`, no `ETag`, no `Last-Modified`. Its month view
//! links the same export as `…/export/LIST@DOMAIN-YYYY-MM.mbox.gz?start=…&end=…`.
//! The overview's "Threads by month" menu (`fragments/month_list.html`)
//! links `list/LIST@DOMAIN/YYYY/M/` for every month from the first post to
//! today: that is the list of periods.

use chrono::NaiveDate;

use super::FetchError;
use super::html;
use super::http::Client;
use super::period::{Candidate, PeriodKind, Planned};

/// Whether `url` names a HyperKitty list (`…/list/LIST@DOMAIN/`).
///
/// ```
/// use listpulse::fetch::hyperkitty::is_hyperkitty;
/// assert!(is_hyperkitty("https://lists.example.org/hyperkitty/list/dc@lists.example.org/"));
/// assert!(!is_hyperkitty("https://lists.example.org/pipermail/dc/"));
/// ```
pub fn is_hyperkitty(url: &str) -> bool {
    list_fqdn(url).is_some()
}

/// `LIST@DOMAIN` from a HyperKitty list URL.
fn list_fqdn(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let mut parts = path.split('/');
    while let Some(part) = parts.next() {
        if part == "list" {
            let fqdn = parts.next()?;
            return fqdn
                .contains('@')
                .then(|| html::percent_decode(fqdn, false));
        }
    }
    None
}

/// The list URL up to and including `LIST@DOMAIN/`.
fn list_base(url: &str, fqdn: &str) -> String {
    let marker = format!("/list/{fqdn}");
    match url.find(&marker) {
        Some(i) => format!("{}/", &url[..i + marker.len()]),
        None => url.to_string(),
    }
}

/// Reads the overview page and plans one export per month, oldest first.
pub fn plan(client: &mut Client, url: &str) -> Result<Vec<Planned>, FetchError> {
    let Some(fqdn) = list_fqdn(url) else {
        return Err(FetchError::Unexpected {
            url: url.to_string(),
            message: "not a HyperKitty list URL (…/list/LIST@DOMAIN/)".into(),
        });
    };
    let base = list_base(url, &fqdn);
    let page = client.get_page(&base, None)?;
    match page.status {
        200..=299 => {}
        401 | 403 => {
            return Err(FetchError::NeedsPassword {
                url: base,
                what: "archive",
                hint: "the list is private, and listpulse cannot log in to HyperKitty; export the mbox from its page and add the file to archives".into(),
            });
        }
        status => return Err(FetchError::Status { url: base, status }),
    }
    let months = months(&page.body, &fqdn);
    if months.is_empty() {
        return Err(FetchError::Unexpected {
            url: base,
            message: "no archive months found: is this a HyperKitty list page?".into(),
        });
    }
    Ok(months
        .into_iter()
        .map(|start| {
            let end = PeriodKind::Monthly.next(start);
            let month = start.format("%Y-%m").to_string();
            Planned {
                name: month.clone(),
                kind: PeriodKind::Monthly,
                start,
                candidates: vec![Candidate {
                    url: export_url(&base, &fqdn, start, end),
                    file: format!("{month}.mbox.gz"),
                }],
            }
        })
        .collect())
}

/// The export of `[start, end)`, named as HyperKitty's month view names it.
///
/// ```
/// let url = listpulse::fetch::hyperkitty::export_url(
///     "https://h/hyperkitty/list/dc@h/", "dc@h",
///     "2024-01-01".parse().unwrap(), "2024-02-01".parse().unwrap());
/// assert_eq!(url, "https://h/hyperkitty/list/dc@h/export/dc@h-2024-01.mbox.gz?start=2024-01-01&end=2024-02-01");
/// ```
pub fn export_url(base: &str, fqdn: &str, start: NaiveDate, end: NaiveDate) -> String {
    format!(
        "{base}export/{fqdn}-{}.mbox.gz?start={}&end={}",
        start.format("%Y-%m"),
        start.format("%Y-%m-%d"),
        end.format("%Y-%m-%d")
    )
}

/// The months the overview links (`…/list/LIST@DOMAIN/YYYY/M/`), sorted.
fn months(page: &str, fqdn: &str) -> Vec<NaiveDate> {
    let marker = format!("/list/{fqdn}/");
    let mut out: Vec<NaiveDate> = html::links(page)
        .iter()
        .filter_map(|href| {
            let href = html::percent_decode(href, false);
            let rest = &href[href.find(&marker)? + marker.len()..];
            let mut parts = rest.split('/');
            let year: i32 = parts.next()?.parse().ok()?;
            let month: u32 = parts.next()?.parse().ok()?;
            // `YYYY/M/` only: a day link has a third number.
            if parts.next().is_some_and(|p| !p.is_empty()) {
                return None;
            }
            NaiveDate::from_ymd_opt(year, month, 1)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_menu_gives_the_months() {
        let page = r#"<a class="dropdown-item" href="/hyperkitty/list/dc@h.org/2024/12/">December</a>
            <a href="/hyperkitty/list/dc@h.org/2025/1/">January</a>
            <a href="/hyperkitty/list/dc@h.org/2025/1/14/">a day</a>
            <a href="/hyperkitty/list/other@h.org/2023/1/">another list</a>"#;
        let got: Vec<String> = months(page, "dc@h.org")
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(got, vec!["2024-12-01", "2025-01-01"]);
    }

    #[test]
    fn the_list_base_ends_at_the_list() {
        let url = "https://h.org/archives/list/dc@h.org/latest";
        let fqdn = list_fqdn(url).unwrap();
        assert_eq!(fqdn, "dc@h.org");
        assert_eq!(
            list_base(url, &fqdn),
            "https://h.org/archives/list/dc@h.org/"
        );
    }
}
