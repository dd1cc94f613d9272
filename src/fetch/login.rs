//! Mailman 2's login by form, shared by private archives and admin pages.
//!
//! Both answer a visitor without the cookie with a login form, status 200
//! (not 401): the private archive's `private.html` asks for `username` and
//! `password`, the admin pages' `admlogin.html` for `adminpw`. The form is
//! posted back with its hidden fields (a CSRF token in later 2.1 releases)
//! and its submit button; the answer sets the cookie [`Client`] keeps.

use super::html;
use super::http::{Client, Page};
use super::{FetchError, Login};

/// The fields a login form asks for.
#[derive(Debug, Clone, Copy)]
pub struct FormFields {
    /// The user field (`username`), where there is one.
    pub user: Option<&'static str>,
    /// The password field (`password`, `adminpw`).
    pub password: &'static str,
}

/// GETs `url`, logging in by form when the answer is the login form.
/// `refused(login)` builds the "needs a password" error: with `None` when
/// no login is configured, with the login when the server refused it.
pub fn open(
    client: &mut Client,
    url: &str,
    login: Option<&Login>,
    fields: FormFields,
    refused: &dyn Fn(Option<&Login>) -> FetchError,
) -> Result<Page, FetchError> {
    let page = client.get_page(url, None)?;
    continue_from(client, url, page, login, fields, refused)
}

/// As [`open`], from the first answer the caller already has (a
/// conditional request's, say).
pub fn continue_from(
    client: &mut Client,
    url: &str,
    page: Page,
    login: Option<&Login>,
    fields: FormFields,
    refused: &dyn Fn(Option<&Login>) -> FetchError,
) -> Result<Page, FetchError> {
    let check = |page: &Page, login: Option<&Login>| match page.status {
        200..=299 => Ok(()),
        401 | 403 => Err(refused(login)),
        status => Err(FetchError::Status {
            url: url.to_string(),
            status,
        }),
    };
    check(&page, login)?;
    let Some(form) = html::form_with(&page.body, fields.password) else {
        return Ok(page);
    };
    let Some(login) = login else {
        return Err(refused(None));
    };
    let action = if form.action.trim().is_empty() {
        page.url.clone()
    } else {
        html::resolve(&page.url, &form.action)
    };
    let mut posted: Vec<(&str, &str)> = Vec::new();
    if let Some(user) = fields.user {
        posted.push((user, login.user.as_str()));
    }
    posted.push((fields.password, login.password.expose()));
    posted.extend(form.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let answer = client.post_form(&action, &html::form_encode(&posted))?;
    check(&answer, Some(login))?;
    if html::form_with(&answer.body, fields.password).is_some() {
        return Err(refused(Some(login)));
    }
    // Mailman answers the login with the page asked for; ask again with the
    // cookie, so a server that redirects or answers otherwise still works.
    let page = client.get_page(url, None)?;
    check(&page, Some(login))?;
    if html::form_with(&page.body, fields.password).is_some() {
        return Err(refused(Some(login)));
    }
    Ok(page)
}
