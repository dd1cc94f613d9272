//! Rosters from a Mailman 2 list's admin pages.
//!
//! The configured `roster` is the list's admin URL
//! (`https://HOST/mailman/admin/LIST`, with or without `/members`). Its
//! pages ask for the list's admin password by form (`adminpw`, Mailman's
//! `admlogin.html`) and keep the login in a cookie. The membership page
//! (`admin.py` `membership_options`) shows one row per member: a hidden
//! `user` input holding the URL-quoted address and a `ADDRESS_realname`
//! text input holding the name. A long roster is split by first letter
//! (`members?letter=a`) and each letter into chunks
//! (`members?letter=a&chunk=1`); every such link is followed once. Owners
//! and moderators are the `owner` and `moderator` fields of the General
//! Options page.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::html;
use super::http::{Client, Page};
use super::login::{self, FormFields};
use super::{FetchError, Login, Roster};

/// The most membership pages read (26 letters and digits, several chunks
/// each, is far below it): a safety stop for a server that links in circles.
const MAX_PAGES: usize = 2000;

/// Reads the members (and owners and moderators) of the list at `url`.
pub fn fetch(client: &mut Client, url: &str, login: Option<&Login>) -> Result<Roster, FetchError> {
    let base = admin_base(url);
    let first = format!("{base}/members");
    let page = open(client, &first, login)?;
    // An empty list still shows "Membership Management"; a page without it
    // is not a Mailman 2 admin page.
    let is_membership_page = page.body.to_ascii_lowercase().contains("membership");
    let mut names: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::from([first.clone()]);
    let mut queue: VecDeque<String> = VecDeque::new();
    let mut current = Some(page);
    while let Some(page) = current.take() {
        read_members(&page.body, &mut names);
        for href in html::links(&page.body) {
            let target = html::resolve(&page.url, &href);
            if target.starts_with(&first)
                && target.contains("letter=")
                && seen.insert(target.clone())
            {
                queue.push_back(target);
            }
        }
        if seen.len() > MAX_PAGES {
            return Err(FetchError::Unexpected {
                url: first,
                message: format!("more than {MAX_PAGES} membership pages: stopped"),
            });
        }
        if let Some(next) = queue.pop_front() {
            current = Some(open(client, &next, login)?);
        }
    }
    if names.is_empty() && !is_membership_page {
        return Err(FetchError::Unexpected {
            url: first,
            message: "no membership list found: is this a Mailman 2 admin URL?".into(),
        });
    }
    let mut roster = Roster {
        members: names.into_iter().collect(),
        roles: Vec::new(),
    };
    let general = open(client, &format!("{base}/general"), login)?;
    for role in ["owner", "moderator"] {
        if let Some(text) = html::textarea(&general.body, role) {
            for address in text.split_whitespace().filter(|a| a.contains('@')) {
                roster
                    .roles
                    .push((address.to_lowercase(), None, role.to_string()));
            }
        }
    }
    roster.roles.sort();
    roster.roles.dedup();
    Ok(roster)
}

/// `…/mailman/admin/LIST`, whatever page of it was configured.
fn admin_base(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    if let Some(i) = url.find("/admin/") {
        let rest = &url[i + "/admin/".len()..];
        let list = rest.split(['/', '?']).next().unwrap_or(rest);
        return format!("{}/admin/{list}", &url[..i]);
    }
    url.to_string()
}

/// GETs an admin page, logging in with the list's admin password when
/// the answer is the login form.
fn open(client: &mut Client, url: &str, login: Option<&Login>) -> Result<Page, FetchError> {
    let fields = FormFields {
        user: None,
        password: "adminpw",
    };
    login::open(client, url, login, fields, &|l| needs_password(url, l))
}

fn needs_password(url: &str, login: Option<&Login>) -> FetchError {
    let hint = match login {
        None => "set roster_password_env (or roster_password_file) to the list's admin password"
            .to_string(),
        Some(l) => format!(
            "the server refused the list's admin password; set the right one in {}",
            l.source
        ),
    };
    FetchError::NeedsPassword {
        url: url.to_string(),
        what: "roster",
        hint,
    }
}

/// Adds the members of one membership page to `names`.
fn read_members(page: &str, names: &mut BTreeMap<String, Option<String>>) {
    let inputs = html::tags(page, "input");
    let mut realnames: BTreeMap<String, String> = BTreeMap::new();
    for input in &inputs {
        if let Some(quoted) = input.attr("name").and_then(|n| n.strip_suffix("_realname")) {
            let address = html::percent_decode(quoted, false).to_lowercase();
            let value = input.attr("value").unwrap_or("").trim().to_string();
            if !value.is_empty() {
                realnames.insert(address, value);
            }
        }
    }
    for input in &inputs {
        let hidden = input
            .attr("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("hidden"));
        if hidden && input.attr("name") == Some("user") {
            let address = html::percent_decode(input.attr("value").unwrap_or(""), false)
                .trim()
                .to_lowercase();
            if address.contains('@') {
                let name = realnames.get(&address).cloned();
                names.insert(address, name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_row_gives_address_and_name() {
        let page = r#"<tr><td><center><INPUT name="ana%40example.org_unsub" type="CHECKBOX" value="off" ></center></td>
            <td><a href="../../options/dc/ana--at--example.org">ana@example.org</a><br>
            <INPUT name="ana%40example.org_realname" type="TEXT" value="Ana Lima" size="28" >
            <INPUT name="user" type="HIDDEN" value="ana%40example.org" ></td></tr>
            <tr><td><a>bo@example.net</a><INPUT name="bo%40example.net_realname" type="TEXT" value="" size="28" >
            <INPUT name="user" type="HIDDEN" value="bo%40example.net" ></td></tr>"#;
        let mut names = BTreeMap::new();
        read_members(page, &mut names);
        let got: Vec<(String, Option<String>)> = names.into_iter().collect();
        assert_eq!(
            got,
            vec![
                ("ana@example.org".to_string(), Some("Ana Lima".to_string())),
                ("bo@example.net".to_string(), None),
            ]
        );
    }

    #[test]
    fn any_admin_page_leads_to_the_list_base() {
        assert_eq!(
            admin_base("https://h/mailman/admin/dc"),
            "https://h/mailman/admin/dc"
        );
        assert_eq!(
            admin_base("https://h/mailman/admin/dc/members?letter=a"),
            "https://h/mailman/admin/dc"
        );
    }
}
