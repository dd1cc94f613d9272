//! The one description of the coalition figures: their names in files, their
//! labels for people, and how each value reads. HTML, Markdown, JSON and CSV
//! all render [`figure_rows`], so a label or a format is written once.

use serde::Serialize;

use super::model::Figures;

/// A figure's value, typed so that each renderer can write it its own way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A count.
    Count(u64),
    /// Months out of the last twelve.
    OfTwelve(u32),
    /// A share from 0 to 1; none when it does not apply.
    Share(Option<f64>),
}

impl Value {
    /// The value as people read it: `7`, `7 of 12`, `45%`, or `not configured`.
    pub fn text(&self) -> String {
        match *self {
            Value::Count(n) => n.to_string(),
            Value::OfTwelve(n) => format!("{n} of 12"),
            Value::Share(s) => pct(s),
        }
    }

    /// The value as a number for sorting and charts (shares as percent).
    pub fn number(&self) -> Option<f64> {
        match *self {
            Value::Count(n) => Some(n as f64),
            Value::OfTwelve(n) => Some(f64::from(n)),
            Value::Share(s) => s.map(|s| s * 100.0),
        }
    }
}

/// A share as percent text, `–` when it does not apply.
///
/// ```
/// use listpulse::report::rows::pct;
/// assert_eq!(pct(Some(0.456)), "46%");
/// assert_eq!(pct(None), "–");
/// ```
pub fn pct(share: Option<f64>) -> String {
    share
        .map(|s| format!("{:.0}%", s * 100.0))
        .unwrap_or_else(|| "–".into())
}

/// CSV and JSON write a value as a number: shares with three decimals,
/// none as an empty cell or `null`.
impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Count(n) => s.serialize_u64(n),
            Value::OfTwelve(n) => s.serialize_u32(n),
            Value::Share(Some(v)) => s.serialize_f64((v * 1000.0).round() / 1000.0),
            Value::Share(None) => s.serialize_none(),
        }
    }
}

/// One figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its name in CSV headers and JSON keys.
    pub key: &'static str,
    /// Its label for people.
    pub label: &'static str,
    /// A short label for a table header.
    pub short: &'static str,
    /// Shown when the value does not apply (shares only).
    pub none: &'static str,
    /// The value.
    pub value: Value,
}

impl Row {
    /// The value as people read it, with this row's word for "does not apply".
    pub fn text(&self) -> String {
        match self.value {
            Value::Share(None) => self.none.to_string(),
            v => v.text(),
        }
    }
}

/// The coalition figures, in page order.
pub fn figure_rows(f: &Figures) -> Vec<Row> {
    // A share of the period's posts does not apply either when there is
    // nothing to share out or when its setting is missing: say which.
    let unset = if f.messages_in_period == 0 {
        "no posts"
    } else {
        "not configured"
    };
    vec![
        Row {
            key: "months_active_last_12",
            label: "Months with activity among the last 12",
            short: "Months active",
            none: "",
            value: Value::OfTwelve(f.months_active_last_12),
        },
        Row {
            key: "messages_in_period",
            label: "Messages in the check-in period",
            short: "Messages",
            none: "",
            value: Value::Count(f.messages_in_period),
        },
        Row {
            key: "threads_in_period",
            label: "Threads started in the period",
            short: "Threads",
            none: "",
            value: Value::Count(f.threads_in_period),
        },
        Row {
            key: "threads_two_or_more_voices",
            label: "Threads with two or more voices",
            short: "Threads, 2+ voices",
            none: "",
            value: Value::Count(f.threads_two_or_more_voices),
        },
        Row {
            key: "two_or_more_voices_share",
            label: "Share of the threads with two or more voices",
            short: "2+ voices",
            none: "no thread",
            value: Value::Share(f.two_or_more_voices_share),
        },
        Row {
            key: "outside_meeting_share",
            label: "Messages outside the window around the annual meeting",
            short: "Outside meeting",
            none: unset,
            value: Value::Share(f.outside_meeting_share),
        },
        Row {
            key: "coordinator_share",
            label: "Messages written by the coordinators",
            short: "By coordinators",
            none: unset,
            value: Value::Share(f.coordinator_share),
        },
    ]
}

/// The figures as one JSON object, key → number (or null).
pub struct FiguresJson<'a>(pub &'a Figures);

impl Serialize for FiguresJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let rows = figure_rows(self.0);
        let mut map = s.serialize_map(Some(rows.len()))?;
        for r in &rows {
            map.serialize_entry(r.key, &r.value)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_without_posts_says_so_rather_than_not_configured() {
        let rows = figure_rows(&Figures::default());
        assert_eq!(rows[5].text(), "no posts");
        assert_eq!(rows[6].text(), "no posts");
    }

    #[test]
    fn every_renderer_reads_the_same_rows() {
        let f = Figures {
            months_active_last_12: 7,
            messages_in_period: 40,
            threads_in_period: 10,
            threads_two_or_more_voices: 4,
            two_or_more_voices_share: Some(0.4),
            outside_meeting_share: None,
            coordinator_share: Some(1.0 / 3.0),
        };
        let rows = figure_rows(&f);
        let text: Vec<String> = rows.iter().map(Row::text).collect();
        assert_eq!(
            text,
            ["7 of 12", "40", "10", "4", "40%", "not configured", "33%"]
        );
        let json = serde_json::to_string(&FiguresJson(&f)).unwrap();
        assert_eq!(
            json,
            "{\"months_active_last_12\":7,\"messages_in_period\":40,\"threads_in_period\":10,\"threads_two_or_more_voices\":4,\"two_or_more_voices_share\":0.4,\"outside_meeting_share\":null,\"coordinator_share\":0.333}"
        );
    }
}
