//! Aliases files (DESIGN.md, "Person"): "one person a line, their addresses
//! separated by commas, or by white space on a line without a comma; each
//! either a real address or a key exactly as the archive shows it; `#`
//! starts a comment".
//!
//! Not CSV: a line is a list, and a scrambled key holds spaces, so a line
//! naming one must use commas.

use std::collections::HashMap;
use std::path::Path;

use super::{InputError, cell, read_text};
use crate::identity::{Aliases, is_scrambled, looks_like_address, normalize_address};

/// Reads the aliases file at `path`.
pub fn read(path: &Path) -> Result<Aliases, InputError> {
    parse(path, &read_text(path)?)
}

/// Parses the text of an aliases file (`path` only names it in errors). A
/// token that is not an address, or an address already named on another
/// line, is an error naming the line: a typo here silently splits or merges
/// people otherwise.
pub fn parse(path: &Path, text: &str) -> Result<Aliases, InputError> {
    let mut line_of: HashMap<String, u64> = HashMap::new();
    let mut groups = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i as u64 + 1;
        let content = line.split('#').next().unwrap_or("");
        let tokens: Vec<String> = if content.contains(',') {
            content
                .split(',')
                .map(cell)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            if is_scrambled(content) {
                return Err(InputError::row(
                    path,
                    line_no,
                    "a scrambled key holds spaces: separate this line's addresses with commas",
                ));
            }
            whitespace_tokens(content)
        };
        if tokens.is_empty() {
            continue;
        }
        let mut group = Vec::new();
        for token in &tokens {
            let addr = normalize_address(token);
            if !looks_like_address(&addr) {
                // A spreadsheet habit: a header line. Say what the file is.
                let hint = if line_no == 1 && !token.contains('@') {
                    " (an aliases file has no header: one person a line, their addresses separated by commas)"
                } else {
                    ""
                };
                return Err(InputError::row(
                    path,
                    line_no,
                    format!("'{token}' is not an address{hint}"),
                ));
            }
            match line_of.get(&addr) {
                Some(&other) if other != line_no => {
                    return Err(InputError::row(
                        path,
                        line_no,
                        format!(
                            "{addr} is already on line {other}; put all of one person's addresses on one line"
                        ),
                    ));
                }
                Some(_) => continue,
                None => {
                    line_of.insert(addr.clone(), line_no);
                    group.push(addr);
                }
            }
        }
        groups.push(group);
    }
    Ok(Aliases { groups })
}

/// White-space separated tokens, with pipermail's `jane at example.org`
/// glued back together when neither side holds an `@`.
fn whitespace_tokens(content: &str) -> Vec<String> {
    let raw: Vec<&str> = content.split_whitespace().map(cell).collect();
    let mut tokens = Vec::new();
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
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn p(text: &str) -> Result<Aliases, InputError> {
        parse(Path::new("a.txt"), text)
    }

    #[test]
    fn lines_are_persons_with_commas_or_spaces() {
        let a = p(
            "# Jane's two addresses\nzed@b.org, Jane@A.org  # work\n\nsolo at x.org other@y.org\n",
        )
        .unwrap();
        assert_eq!(
            a.groups,
            vec![
                vec!["zed@b.org".to_string(), "jane@a.org".to_string()],
                vec!["solo@x.org".to_string(), "other@y.org".to_string()],
            ]
        );
    }

    #[test]
    fn a_scrambled_key_is_written_as_the_archive_shows_it() {
        let a = p("Peter Dalgaard: pd.mes@cbs.dk, pd@me@ @end|ng |rom cb@@dk ,'@@e|||@on @end|ng |rom LGCGroup@com\n")
            .unwrap_err();
        assert_eq!(
            a.to_string(),
            "a.txt:1: 'Peter Dalgaard: pd.mes@cbs.dk' is not an address"
        );
        let a =
            p("pd.mes@cbs.dk, pd@me@ @end|ng |rom cb@@dk ,'@@e|||@on @end|ng |rom LGCGroup@com\n")
                .unwrap();
        assert_eq!(
            a.groups[0],
            [
                "pd.mes@cbs.dk",
                "pd@me@ @end|ng |rom cb@@dk",
                "@@e|||@on @end|ng |rom lgcgroup@com"
            ]
        );
    }

    #[rstest]
    #[case::not_an_address(
        "jane@a.org, j@b.org\njane@c.org, nobody\n",
        "a.txt:2: 'nobody' is not an address"
    )]
    #[case::a_header(
        "address,alias\njane@a.org, j@b.org\n",
        "a.txt:1: 'address' is not an address (an aliases file has no header: one person a line, their addresses separated by commas)"
    )]
    #[case::on_two_lines(
        "a@x.org b@x.org\nc@x.org a@x.org\n",
        "a.txt:2: a@x.org is already on line 1; put all of one person's addresses on one line"
    )]
    #[case::key_without_commas(
        "jane@a.org pd@me@ @end|ng |rom cb@@dk\n",
        "a.txt:1: a scrambled key holds spaces: separate this line's addresses with commas"
    )]
    fn bad_alias_lines_are_named(#[case] text: &str, #[case] want: &str) {
        assert_eq!(p(text).unwrap_err().to_string(), want);
    }
}
