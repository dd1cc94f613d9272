//! What reaches a terminal. Names, subjects and addresses come from
//! strangers' mail headers and from files people hand us; printed as they
//! are, an `ESC ]0;…` sequence retitles the terminal, colour codes repaint
//! it, and U+202E turns the rest of a line around. Every such character is
//! shown as a visible escape instead (`\x1b`, `\u{202e}`).

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls
/// (but TAB), DEL, and the Unicode bidirectional controls.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control and bidi character replaced by a visible
/// escape. Line breaks are escaped too: one record, one line.
///
/// ```
/// use listpulse::term::visible;
/// assert_eq!(visible("Jane\u{1b}]0;owned\u{7}"), "Jane\\x1b]0;owned\\x07");
/// assert_eq!(visible("abc\u{202e}def"), "abc\\u{202e}def");
/// assert_eq!(visible("Zoë"), "Zoë");
/// ```
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !hidden(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// Like [`visible`], but keeps line breaks: for multi-line text such as a
/// rendered table, where each line is escaped on its own.
pub fn visible_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(l) => format!("{}\n", visible(l)),
            None => visible(line).into_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_keep_lines_apart_and_tabs_as_they_are() {
        assert_eq!(visible("a\nb\tc\r"), "a\\x0ab\tc\\x0d");
        assert_eq!(visible_lines("a\u{1b}[31m\nb\n"), "a\\x1b[31m\nb\n");
        assert_eq!(visible("\u{9b}2J"), "\\x9b2J");
    }
}
