//! Just enough HTML and URL handling to read what Mailman and HyperKitty
//! write: links, `<input>` tags, a login form, a `<textarea>`. These pages
//! are generated from a handful of templates, so a tag scanner is enough and
//! keeps a full HTML parser (and its dependencies) out of the build.

/// One tag's name and attributes, names lower-cased, values unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The tag name, lower-cased (`input`, `a`, `form`).
    pub name: String,
    /// Attributes in document order, names lower-cased.
    pub attrs: Vec<(String, String)>,
    /// Byte offset just past the tag's `>`.
    pub end: usize,
}

impl Tag {
    /// The value of attribute `name` (lower-case), if present.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every opening tag named `name` (case-insensitive) in `html`, in order.
pub fn tags(html: &str, name: &str) -> Vec<Tag> {
    let lower = html.to_ascii_lowercase();
    let needle = format!("<{}", name.to_ascii_lowercase());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(&needle) {
        let start = from + pos + needle.len();
        from = start;
        let next = lower.as_bytes().get(start).copied();
        if !matches!(next, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')) {
            continue;
        }
        let (attrs, end) = attributes(html, start);
        out.push(Tag {
            name: name.to_ascii_lowercase(),
            attrs,
            end,
        });
        from = end;
    }
    out
}

/// Parses attributes from `start` up to the closing `>`.
fn attributes(html: &str, start: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = start;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (attrs, b.len());
        }
        if b[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i];
                let value_start = i + 1;
                i = value_start;
                while i < b.len() && b[i] != quote {
                    i += 1;
                }
                value = unescape(&html[value_start..i.min(b.len())]);
                i = (i + 1).min(b.len());
            } else {
                let value_start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = unescape(&html[value_start..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

/// Every `href` of every `<a>` tag.
pub fn links(html: &str) -> Vec<String> {
    tags(html, "a")
        .into_iter()
        .filter_map(|t| t.attr("href").map(str::to_string))
        .collect()
}

/// The text inside `<textarea name="NAME">…</textarea>`, unescaped.
pub fn textarea(html: &str, name: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    tags(html, "textarea")
        .into_iter()
        .find(|t| t.attr("name").is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .map(|t| {
            let end = lower[t.end..]
                .find("</textarea")
                .map_or(html.len(), |e| t.end + e);
            unescape(&html[t.end..end])
        })
}

/// A form to post: where, and the fields it carries besides the ones the
/// caller fills in (hidden fields such as a CSRF token, the submit button).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The `action` attribute, as written (resolve it against the page).
    pub action: String,
    /// Hidden and submit fields with their values.
    pub fields: Vec<(String, String)>,
}

/// The form that holds an `<input>` named `field` (case-insensitive): a
/// Mailman 2 login form asks for `password` (private archives) or `adminpw`
/// (the admin pages).
pub fn form_with(html: &str, field: &str) -> Option<Form> {
    let lower = html.to_ascii_lowercase();
    for form in tags(html, "form") {
        let end = lower[form.end..]
            .find("</form")
            .map_or(html.len(), |e| form.end + e);
        let inner = &html[form.end..end];
        let inputs = tags(inner, "input");
        let has_field = inputs.iter().any(|t| {
            t.attr("name")
                .is_some_and(|n| n.eq_ignore_ascii_case(field))
        });
        if !has_field {
            continue;
        }
        let fields = inputs
            .iter()
            .filter(|t| {
                t.attr("type").is_some_and(|ty| {
                    ty.eq_ignore_ascii_case("hidden") || ty.eq_ignore_ascii_case("submit")
                })
            })
            .filter_map(|t| {
                t.attr("name")
                    .map(|n| (n.to_string(), t.attr("value").unwrap_or("").to_string()))
            })
            .collect();
        return Some(Form {
            action: form.attr("action").unwrap_or("").to_string(),
            fields,
        });
    }
    None
}

/// Undoes the HTML character references these templates produce.
///
/// ```
/// assert_eq!(listpulse::fetch::html::unescape("a&amp;b &lt;c&gt; &#64;&#x41;"), "a&b <c> @A");
/// ```
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Resolves a link found on the page at `base` (RFC 3986, the cases these
/// pages use: absolute, host-relative, relative with `./` and `../`).
///
/// ```
/// use listpulse::fetch::html::resolve;
/// let index = "https://lists.example.org/pipermail/dc/";
/// assert_eq!(resolve(index, "2024-May.txt.gz"), "https://lists.example.org/pipermail/dc/2024-May.txt.gz");
/// assert_eq!(resolve(index, "/mailman/listinfo/dc"), "https://lists.example.org/mailman/listinfo/dc");
/// assert_eq!(resolve(index, "../other/"), "https://lists.example.org/pipermail/other/");
/// ```
pub fn resolve(base: &str, href: &str) -> String {
    let href = href.trim();
    if href.contains("://") {
        return href.to_string();
    }
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let origin = &base[..path_start];
    if let Some(rest) = href.strip_prefix("//") {
        return format!("{}{rest}", &base[..scheme_end]);
    }
    if href.starts_with('/') {
        return format!("{origin}{href}");
    }
    let path = base[path_start..].split(['?', '#']).next().unwrap_or("");
    if href.starts_with('?') {
        return format!("{origin}{path}{href}");
    }
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    let mut segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let (href_path, tail) = match href.find(['?', '#']) {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    let parts: Vec<&str> = href_path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {}
            ".." => {
                segments.pop();
            }
            "" if i + 1 < parts.len() => {}
            p => segments.push(p),
        }
    }
    let trailing = href_path.ends_with('/') || href_path.is_empty() || href_path.ends_with("/.");
    let mut out = format!("{origin}/{}", segments.join("/"));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(tail);
    out
}

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set).
///
/// ```
/// assert_eq!(listpulse::fetch::html::percent_decode("ana%40example.org", false), "ana@example.org");
/// ```
pub fn percent_decode(text: &str, plus: bool) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push(high * 16 + low);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                }
            }
            b'+' if plus => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` body for `fields`.
///
/// ```
/// let body = listpulse::fetch::html::form_encode(&[("username", "ana@example.org"), ("submit", "Let me in...")]);
/// assert_eq!(body, "username=ana%40example.org&submit=Let+me+in...");
/// ```
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &c in text.as_bytes() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'*' => {
                out.push(c as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{c:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_read_quoted_unquoted_and_bare_attributes() {
        let html =
            r#"<INPUT name="user" type=HIDDEN value='a%40b.org' checked><a href="x.txt">x</a>"#;
        let inputs = tags(html, "input");
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].attr("name"), Some("user"));
        assert_eq!(inputs[0].attr("type"), Some("HIDDEN"));
        assert_eq!(inputs[0].attr("value"), Some("a%40b.org"));
        assert_eq!(inputs[0].attr("checked"), Some(""));
        assert_eq!(links(html), vec!["x.txt"]);
    }

    #[test]
    fn a_tag_name_prefix_is_not_the_tag() {
        assert!(tags("<address>x</address>", "a").is_empty());
    }

    #[test]
    fn the_login_form_carries_its_hidden_and_submit_fields() {
        let html = r#"<FORM METHOD=POST ACTION="https://h/mailman/private/dc/">
            <INPUT TYPE="hidden" NAME="csrf_token" VALUE="t1">
            <INPUT TYPE="TEXT" NAME="username"><INPUT TYPE="password" NAME="password">
            <INPUT type="SUBMIT" name="submit" value="Let me in..."></FORM>"#;
        let form = form_with(html, "password").unwrap();
        assert_eq!(form.action, "https://h/mailman/private/dc/");
        assert_eq!(
            form.fields,
            vec![
                ("csrf_token".to_string(), "t1".to_string()),
                ("submit".to_string(), "Let me in...".to_string())
            ]
        );
        assert!(form_with(html, "adminpw").is_none());
    }

    #[test]
    fn textarea_content_is_unescaped() {
        let html = r#"<textarea NAME="owner" rows=3>a@x.org
b&amp;c@y.org</TEXTAREA>"#;
        assert_eq!(textarea(html, "owner").unwrap(), "a@x.org\nb&c@y.org");
    }

    #[test]
    fn percent_decoding_leaves_a_stray_percent_alone() {
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("a+b%2", true), "a b%2");
    }

    #[test]
    fn resolving_keeps_query_strings() {
        assert_eq!(
            resolve(
                "http://h/mailman/admin/dc/members",
                "members?letter=b&chunk=1"
            ),
            "http://h/mailman/admin/dc/members?letter=b&chunk=1"
        );
        assert_eq!(
            resolve("http://h:8080/a/b", "?x=1"),
            "http://h:8080/a/b?x=1"
        );
    }
}
