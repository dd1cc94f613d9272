//! Identity: which addresses are one person (DESIGN.md, "Person").
//!
//! This module owns address normalisation for everything that is not an
//! archive (rosters, check-in files, aliases files), the aliases file, the
//! grouping of addresses into persons, and the *suggestions* of likely
//! duplicates. Ingest normalises message senders itself; the rule is the same
//! ("addresses are compared lower-cased and trimmed; Mailman 2 pipermail
//! obfuscation is undone"), so an address typed in a roster meets the same
//! address seen in an archive.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::ingest::normalize;

/// An aliases file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum AliasError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    /// A bad line, 1-based.
    #[error("{path}:{line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Normalises an address as DESIGN.md asks: "addresses are compared
/// lower-cased and trimmed; Mailman 2 pipermail obfuscation
/// (`jane at example.org (Jane Doe)`, the name in the trailing comment) is
/// undone". Angle brackets around the address are dropped as well.
///
/// ```
/// use listpulse::identity::normalize_address;
/// assert_eq!(normalize_address("  Jane@Example.ORG "), "jane@example.org");
/// assert_eq!(normalize_address("jane at example.org (Jane Doe)"), "jane@example.org");
/// assert_eq!(normalize_address("<jane@example.org>"), "jane@example.org");
/// ```
pub fn normalize_address(raw: &str) -> String {
    // Ingest's own rules first, so an address typed in a roster or an
    // aliases file meets exactly the sender key ingest stored: pipermail's
    // `x at y`, and the irreversible `@end|ng |rom` style as its opaque key.
    if let Some((Some(key), _)) = normalize::irreversible(raw).or_else(|| normalize::pipermail(raw))
    {
        return key;
    }
    let mut text = raw.trim();
    // A trailing `(Name)` comment is not part of the address.
    if text.ends_with(')')
        && let Some(open) = text.rfind('(')
    {
        text = text[..open].trim_end();
    }
    normalize::normalize_address(text.trim_start_matches('<').trim_end_matches('>'))
}

/// Whether `addr` (already normalised) looks like an address: something, an
/// `@`, something with no white space.
pub fn looks_like_address(addr: &str) -> bool {
    match addr.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !addr.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// Normalises a display name for duplicate detection: lower-cased, quotes
/// dropped, white space collapsed. Empty when nothing is left.
pub fn normalize_name(raw: &str) -> String {
    raw.chars()
        .filter(|c| !matches!(c, '"' | '\''))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The aliases file: "addresses named together in an aliases file (one person
/// a line, their addresses separated by commas or white space; `#` starts a
/// comment) are one person".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    /// Address → index of its group.
    group_of: HashMap<String, usize>,
}

impl Aliases {
    /// Reads an aliases file. A token that is not an address, or an address
    /// already named on another line, is an error naming the file and line:
    /// a typo here silently splits or merges people otherwise.
    pub fn load(path: &Path) -> Result<Aliases, AliasError> {
        let text = std::fs::read_to_string(path).map_err(|source| AliasError::Io {
            path: path.to_path_buf(),
            cause: source,
        })?;
        Aliases::parse(&text).map_err(|(line, message)| AliasError::Line {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// Parses the text of an aliases file; errors carry the 1-based line.
    pub fn parse(text: &str) -> Result<Aliases, (usize, String)> {
        let mut group_of = HashMap::new();
        let mut line_of_group: Vec<usize> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let content = line.split('#').next().unwrap_or("");
            let raw: Vec<&str> = content
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .collect();
            // White space separates addresses, but pipermail writes
            // `jane at example.org`: glue `x at y` back together when
            // neither side holds an `@`.
            let mut tokens: Vec<String> = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                if i + 2 < raw.len()
                    && raw[i + 1].eq_ignore_ascii_case("at")
                    && !raw[i].contains('@')
                    && !raw[i + 2].contains('@')
                {
                    tokens.push(format!("{}@{}", raw[i], raw[i + 2]));
                    i += 3;
                } else {
                    tokens.push(raw[i].to_string());
                    i += 1;
                }
            }
            if tokens.is_empty() {
                continue;
            }
            let group = line_of_group.len();
            line_of_group.push(line_no);
            for token in &tokens {
                let addr = normalize_address(token);
                if !looks_like_address(&addr) {
                    return Err((line_no, format!("'{token}' is not an address")));
                }
                if let Some(&other) = group_of.get(&addr)
                    && other != group
                {
                    return Err((
                        line_no,
                        format!(
                            "{addr} is already on line {}; put all of one person's addresses on one line",
                            line_of_group[other]
                        ),
                    ));
                }
                group_of.insert(addr, group);
            }
        }
        Ok(Aliases { group_of })
    }

    /// Groups `addresses` (normalised; repeats are fine) into persons: each
    /// person's addresses sorted, persons sorted by key. The key of a person
    /// is "the first address in sort order".
    pub fn group<'a>(&self, addresses: impl IntoIterator<Item = &'a str>) -> Vec<Vec<String>> {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut aliased: HashMap<usize, Vec<&str>> = HashMap::new();
        let mut persons: Vec<Vec<String>> = Vec::new();
        for addr in addresses {
            if !seen.insert(addr) {
                continue;
            }
            match self.group_of.get(addr) {
                Some(&g) => aliased.entry(g).or_default().push(addr),
                None => persons.push(vec![addr.to_string()]),
            }
        }
        for (_, mut group) in aliased {
            group.sort_unstable();
            persons.push(group.into_iter().map(str::to_string).collect());
        }
        persons.sort_unstable_by(|a, b| a[0].cmp(&b[0]));
        persons
    }
}

/// Likely duplicates among `persons` (key, addresses, display names):
/// DESIGN.md says they are "*suggested* in the report, never merged
/// silently". Two kinds: the same normalised display name at different
/// persons, and the same local part at two domains. Returns `(why, keys)`
/// pairs, sorted.
pub fn suggest_duplicates(persons: &[(&str, &[String], Vec<&str>)]) -> Vec<(String, Vec<String>)> {
    // Hash maps, not ordered ones: most names and local parts are unique,
    // and only the few shared ones are sorted at the end.
    let mut by_name: HashMap<String, Vec<&str>> = HashMap::new();
    let mut by_local: HashMap<&str, Vec<&str>> = HashMap::new();
    for (key, addresses, names) in persons {
        for name in names {
            let name = normalize_name(name);
            let key: &str = key;
            // A "name" that is just an address tells nothing more.
            if !name.is_empty() && !name.contains('@') {
                push_once(by_name.entry(name).or_default(), key);
            }
        }
        for addr in addresses.iter() {
            if let Some((local, _)) = addr.split_once('@') {
                push_once(by_local.entry(local).or_default(), key);
            }
        }
    }
    let shared = |why: String, mut keys: Vec<&str>| {
        keys.sort_unstable();
        keys.dedup();
        (keys.len() > 1).then(|| (why, keys.into_iter().map(str::to_string).collect()))
    };
    let mut out: Vec<(String, Vec<String>)> = by_name
        .into_iter()
        .filter_map(|(name, keys)| shared(format!("same name \"{name}\""), keys))
        .chain(by_local.into_iter().filter_map(|(local, keys)| {
            shared(
                format!("same local part \"{local}\" at different domains"),
                keys,
            )
        }))
        .collect();
    out.sort();
    out
}

fn push_once<'a>(keys: &mut Vec<&'a str>, key: &'a str) {
    if keys.last() != Some(&key) {
        keys.push(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::lower_and_trim("  Jane@Example.ORG\t", "jane@example.org")]
    #[case::pipermail_with_name("jane at example.org (Jane Doe)", "jane@example.org")]
    #[case::pipermail_bare("JANE at Example.org", "jane@example.org")]
    #[case::angle_brackets("<jane@example.org>", "jane@example.org")]
    #[case::opaque_kept_stable("m@ech|er @end|ng |rom", "m@ech|er @end|ng |rom")]
    fn addresses_are_normalised(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(normalize_address(raw), want);
    }

    /// A roster or aliases entry must meet the key ingest stored for the
    /// same sender, or the person splits in two.
    #[rstest]
    #[case::pipermail("Jane.Doe at Example.org (Jane Doe)")]
    #[case::irreversible("  M@ech|er   @end|ng |rom  R-Project@org (Martin)")]
    fn roster_addresses_meet_the_ingest_sender_key(#[case] raw: &str) {
        let from_ingest = normalize::irreversible(raw)
            .or_else(|| normalize::pipermail(raw))
            .and_then(|(addr, _)| addr)
            .unwrap();
        assert_eq!(normalize_address(raw), from_ingest);
        assert!(!from_ingest.contains("  ") && from_ingest == from_ingest.to_lowercase());
    }

    #[test]
    fn aliases_group_addresses_into_one_person_keyed_by_the_first() {
        let aliases =
            Aliases::parse("# Jane's two addresses\nzed@b.org, Jane@A.org  # work\n\nsolo@x.org\n")
                .unwrap();
        let persons = aliases.group(["jane@a.org", "zed@b.org", "bob@c.org"]);
        assert_eq!(
            persons,
            vec![
                vec!["bob@c.org".to_string()],
                vec!["jane@a.org".to_string(), "zed@b.org".to_string()],
            ]
        );
    }

    #[rstest]
    #[case::not_an_address("jane@a.org, nobody\n", 1, "'nobody' is not an address")]
    #[case::on_two_lines(
        "a@x.org b@x.org\nc@x.org a@x.org\n",
        2,
        "a@x.org is already on line 1"
    )]
    fn bad_alias_lines_are_named(#[case] text: &str, #[case] line: usize, #[case] start: &str) {
        let (l, msg) = Aliases::parse(text).unwrap_err();
        assert_eq!(l, line);
        assert!(msg.starts_with(start), "{msg}");
    }

    #[test]
    fn duplicates_are_suggested_by_name_and_local_part() {
        let addrs: Vec<Vec<String>> = ["jane@a.org", "jd@b.org", "jane@c.org", "bob@d.org"]
            .iter()
            .map(|a| vec![a.to_string()])
            .collect();
        let p = |i: usize, names: &[&'static str]| {
            (addrs[i][0].as_str(), addrs[i].as_slice(), names.to_vec())
        };
        let got = suggest_duplicates(&[
            p(0, &["Jane  Doe"]),
            p(1, &["\"jane doe\""]),
            p(2, &[]),
            p(3, &["Bob"]),
        ]);
        assert_eq!(
            got,
            vec![
                (
                    "same local part \"jane\" at different domains".to_string(),
                    vec!["jane@a.org".to_string(), "jane@c.org".to_string()]
                ),
                (
                    "same name \"jane doe\"".to_string(),
                    vec!["jane@a.org".to_string(), "jd@b.org".to_string()]
                ),
            ]
        );
    }
}
