//! Rosters from a Mailman 3 core, through its REST API.
//!
//! The configured `roster` is the list's REST resource,
//! `http://HOST:8001/3.1/lists/LIST_ID` (the list id `dc.example.org` or
//! the posting address `dc@example.org`; Mailman accepts both). Its
//! `roster/member`, `roster/owner` and `roster/moderator` collections are
//! read page by page with basic authentication (`roster_user` and its
//! password). Only `member`s are roster rows; owners and moderators are
//! roles; `nonmember` records (anyone who ever posted unsubscribed) are
//! never asked for.

use serde::Deserialize;

use super::http::{Basic, Client};
use super::{FetchError, Login, Roster};

/// Entries asked for per page.
const PAGE: usize = 500;

/// Whether `url` names a Mailman 3 REST list (`…/3.0/lists/…` or `…/3.1/lists/…`).
///
/// ```
/// use listpulse::fetch::mailman3::is_mailman3;
/// assert!(is_mailman3("http://127.0.0.1:8001/3.1/lists/dc.example.org"));
/// assert!(!is_mailman3("https://lists.example.org/mailman/admin/dc"));
/// ```
pub fn is_mailman3(url: &str) -> bool {
    url.contains("/3.1/lists/") || url.contains("/3.0/lists/")
}

#[derive(Debug, Deserialize)]
struct Collection {
    #[serde(default)]
    total_size: usize,
    #[serde(default)]
    entries: Vec<Member>,
}

#[derive(Debug, Deserialize)]
struct Member {
    email: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    role: Option<String>,
}

/// Reads members, owners and moderators of the list at `url`.
pub fn fetch(client: &mut Client, url: &str, login: Option<&Login>) -> Result<Roster, FetchError> {
    let base = url.trim().trim_end_matches('/').to_string();
    let auth = login.map(|l| Basic {
        user: &l.user,
        password: &l.password,
    });
    let mut roster = Roster::default();
    for role in ["member", "owner", "moderator"] {
        for m in collection(client, &format!("{base}/roster/{role}"), auth, login)? {
            // The collection is the role's; a record that says otherwise
            // (a server quirk) is trusted over the URL it came from.
            let role = m.role.as_deref().unwrap_or(role).to_string();
            let name = m.display_name.filter(|n| !n.trim().is_empty());
            match role.as_str() {
                "member" => roster.members.push((m.email, name)),
                "owner" | "moderator" => roster.roles.push((m.email, name, role)),
                _ => {}
            }
        }
    }
    roster.members.sort();
    roster
        .members
        .dedup_by(|a, b| a.0.eq_ignore_ascii_case(&b.0));
    roster.roles.sort();
    Ok(roster)
}

/// Every entry of one collection, page after page.
fn collection(
    client: &mut Client,
    url: &str,
    auth: Option<Basic<'_>>,
    login: Option<&Login>,
) -> Result<Vec<Member>, FetchError> {
    let mut out = Vec::new();
    for page in 1.. {
        let page_url = format!("{url}?count={PAGE}&page={page}");
        let answer = client.get_page(&page_url, auth)?;
        match answer.status {
            200 => {}
            401 | 403 => {
                let hint = match login {
                    None => "set roster_user and roster_password_env (or roster_password_file)"
                        .to_string(),
                    Some(l) => format!(
                        "the REST API refused roster_user's password; set it in {}",
                        l.source
                    ),
                };
                return Err(FetchError::NeedsPassword {
                    url: url.to_string(),
                    what: "roster",
                    hint,
                });
            }
            status => {
                return Err(FetchError::Status {
                    url: url.to_string(),
                    status,
                });
            }
        }
        let c: Collection =
            serde_json::from_str(&answer.body).map_err(|e| FetchError::Unexpected {
                url: url.to_string(),
                message: format!("not a Mailman 3 roster ({e})"),
            })?;
        let got = c.entries.len();
        out.extend(c.entries);
        if got < PAGE || out.len() >= c.total_size {
            break;
        }
    }
    Ok(out)
}
