//! Drafts a coordinator sends from their own mail client (issue #9): the
//! call for a check-in round and one reminder per member to remind, as
//! RFC 5322 `.eml` files marked unsent (`X-Unsent: 1`). listpulse never
//! sends mail itself.
//!
//! The text comes from a template: two built in, in plain English, or the
//! coordinator's own, in minijinja (Jinja2's syntax) with strict undefined
//! values, so a misspelt placeholder is an error naming its line instead of
//! an empty gap in a mail to members. A template may start with a
//! `Subject:` line, which then sets the subject.

use std::path::Path;

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// The placeholders a template may use (documented in the README).
pub const PLACEHOLDERS: [&str; 11] = [
    "name",
    "email",
    "class",
    "reason",
    "last_sign_of_life",
    "dormant_on",
    "round_subject",
    "list_address",
    "coalition",
    "why",
    "round_status",
];

/// The built-in call.
pub const CALL_TEMPLATE: &str = "\
Dear members of {{ coalition }},

It is time for our yearly check-in. Please reply to this message, keeping
its subject, with one of these:

- \"full member\": you take part in the coalition's work;
- \"observer\": you want to keep receiving news, and nothing more is
  expected of you;
- \"leave\": you want to be taken off the list.

Observers are welcome: no one is penalised for listening. If we do not hear
from you, we will write to you again.

Thank you,
The coordinators
";

/// The built-in reminder.
pub const REMINDER_TEMPLATE: &str = "\
Subject: {{ round_subject }}: a reminder
Dear {{ name }},

{% if round_status == \"no answer\" %}We have not heard from you yet in this year's check-in of
{{ coalition }} (\"{{ round_subject }}\"). {% endif %}{% if dormant_on %}We have not seen you on
the list for a while{% if last_sign_of_life %} (the last sign of life we have is from
{{ last_sign_of_life }}){% endif %}. {% endif %}Could you tell us, by replying to this
message, whether you want to stay a full member, stay as an observer (you
keep receiving news, and nothing more is expected of you), or leave the list?

Observers are welcome: no one is penalised for listening.

Thank you,
The coordinators
";

/// The values a template sees.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Values {
    /// The person's display name (empty in the call).
    pub name: String,
    /// Their address (empty in the call).
    pub email: String,
    /// Their class.
    pub class: String,
    /// The reason for it.
    pub reason: String,
    /// Their last sign of life (`YYYY-MM-DD`).
    pub last_sign_of_life: String,
    /// The day they would turn dormant, when they are turning dormant.
    pub dormant_on: String,
    /// The round's check-in subject.
    pub round_subject: String,
    /// The list's posting address.
    pub list_address: String,
    /// The coalition's display name.
    pub coalition: String,
    /// Why they are reminded (`no answer`, `turning dormant`, both).
    pub why: String,
    /// Their round status.
    pub round_status: String,
}

/// A template that could not be used: the file (or `built-in`), the line
/// where minijinja found the problem, and what it was.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct TemplateError {
    /// The template file, or `built-in call` / `built-in reminder`.
    pub source_name: String,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A template, compiled.
pub struct Template {
    env: Environment<'static>,
    source_name: String,
}

impl Template {
    /// Compiles `text` (from `source_name`, for messages).
    pub fn new(source_name: &str, text: &str) -> Result<Template, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Plain text mail: nothing to escape.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_keep_trailing_newline(true);
        env.add_template_owned("t", text.to_string())
            .map_err(|e| error(source_name, &e))?;
        Ok(Template {
            env,
            source_name: source_name.to_string(),
        })
    }

    /// Reads a template file.
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| TemplateError {
            source_name: name.clone(),
            line: 1,
            message: e.to_string(),
        })?;
        Template::new(&name, &text)
    }

    /// (subject if the template sets one, body) for `values`.
    pub fn render(&self, values: &Values) -> Result<(Option<String>, String), TemplateError> {
        let text = self
            .env
            .get_template("t")
            .and_then(|t| t.render(values))
            .map_err(|e| error(&self.source_name, &e))?;
        Ok(match text.strip_prefix("Subject:") {
            Some(rest) => {
                let (subject, body) = rest.split_once('\n').unwrap_or((rest, ""));
                (Some(subject.trim().to_string()), body.to_string())
            }
            None => (None, text),
        })
    }
}

fn error(source_name: &str, e: &minijinja::Error) -> TemplateError {
    let message = match e.kind() {
        minijinja::ErrorKind::UndefinedError => format!(
            "unknown placeholder{}; the placeholders are {}",
            e.detail().map(|d| format!(" ({d})")).unwrap_or_default(),
            PLACEHOLDERS.join(", ")
        ),
        _ => e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.kind().to_string()),
    };
    TemplateError {
        source_name: source_name.to_string(),
        line: e.line().unwrap_or(1),
        message,
    }
}

/// A mailbox: a display name (possibly empty) and an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The name shown.
    pub name: String,
    /// The address.
    pub address: String,
}

/// One draft as the bytes of an `.eml` file: UTF-8, RFC 5322, headers
/// encoded as RFC 2047 where they need it, dated `date` (Unix seconds),
/// `X-Unsent: 1` so mail clients open it as a draft to edit and send.
pub fn eml(from: &Mailbox, to: &Mailbox, subject: &str, body: &str, date: i64) -> Vec<u8> {
    let address = |m: &Mailbox| -> mail_builder::headers::address::Address<'static> {
        if m.name.trim().is_empty() {
            m.address.clone().into()
        } else {
            (m.name.clone(), m.address.clone()).into()
        }
    };
    MessageBuilder::new()
        .from(address(from))
        .to(address(to))
        .subject(subject.to_string())
        .date(date)
        .header("X-Unsent", Raw::new("1"))
        .header(
            "X-Mailer",
            Raw::new(concat!("listpulse ", env!("CARGO_PKG_VERSION"))),
        )
        .text_body(body.to_string())
        .write_to_vec()
        .unwrap_or_default()
}

/// A file name for a reminder to `email`: its position and the address,
/// with anything but letters, digits, `.`, `-`, `_` and `@` replaced.
///
/// ```
/// assert_eq!(listpulse::draft::file_name(3, "jane.doe@example.org"), "reminder-003-jane.doe@example.org.eml");
/// assert_eq!(listpulse::draft::file_name(1, "a/b@x.org"), "reminder-001-a_b@x.org.eml");
/// ```
pub fn file_name(n: usize, email: &str) -> String {
    let safe: String = email
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("reminder-{n:03}-{safe}.eml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            name: "Zoë Example".into(),
            email: "zoe@example.org".into(),
            round_subject: "Annual check-in 2025".into(),
            coalition: "Open Data Coalition".into(),
            round_status: "no answer".into(),
            why: "no answer".into(),
            ..Values::default()
        }
    }

    #[test]
    fn the_built_in_templates_render() {
        let (subject, body) = Template::new("built-in", REMINDER_TEMPLATE)
            .unwrap()
            .render(&values())
            .unwrap();
        assert_eq!(subject.as_deref(), Some("Annual check-in 2025: a reminder"));
        assert!(
            body.starts_with("Dear Zoë Example,\n\nWe have not heard from you yet"),
            "{body}"
        );
        assert!(!body.contains("{{"));
        let (subject, body) = Template::new("built-in", CALL_TEMPLATE)
            .unwrap()
            .render(&values())
            .unwrap();
        assert_eq!(subject, None);
        assert!(body.contains("Dear members of Open Data Coalition,"));
    }

    #[test]
    fn an_unknown_placeholder_is_an_error_naming_its_line() {
        let t = Template::new(
            "mine.txt",
            "Hello {{ name }},\n\nYou joined {{ joined }}.\n",
        )
        .unwrap();
        let err = t.render(&values()).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.to_string()
                .starts_with("mine.txt:3: unknown placeholder"),
            "{err}"
        );
        let err = Template::new("bad.txt", "Hello {{ name }\n").err().unwrap();
        assert!(err.to_string().starts_with("bad.txt:1: "), "{err}");
    }

    #[test]
    fn a_draft_parses_back_with_its_headers() {
        let bytes = eml(
            &Mailbox {
                name: "Dagny Valdivia".into(),
                address: "dagny@example.org".into(),
            },
            &Mailbox {
                name: "Zoë Example".into(),
                address: "zoe@example.org".into(),
            },
            "Annual check-in 2025: a reminder",
            "Dear Zoë,\n\nplease answer.\n",
            1_751_241_600,
        );
        let m = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(m.subject(), Some("Annual check-in 2025: a reminder"));
        let to = m.to().unwrap().first().unwrap();
        assert_eq!(
            (to.name(), to.address()),
            (Some("Zoë Example"), Some("zoe@example.org"))
        );
        assert_eq!(
            m.from().unwrap().first().unwrap().address(),
            Some("dagny@example.org")
        );
        assert_eq!(m.header_raw("X-Unsent").map(str::trim), Some("1"));
        assert_eq!(m.date().unwrap().to_timestamp(), 1_751_241_600);
        assert!(m.body_text(0).unwrap().contains("please answer."));
    }
}
