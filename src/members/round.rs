//! The yearly check-in round (DESIGN.md, "Check-in round"): when the round
//! at T opened, who was a member then, what each of them answered since, the
//! answers that match no member, and what a coordinator should be warned
//! about. Built on the member evaluation of the parent module: the same
//! persons (aliases, scrambled keys), the same day views.

use std::collections::HashMap;

use chrono::Datelike;
use rusqlite::Connection;
use serde::Serialize;

use super::{DayEvidence, DayView, Evaluation};
use crate::classify::{CheckinStatus, MemberClass, RoundStatus, Standing};
use crate::day::{self, Day};
use crate::store::checkins::{Response, ResponseSource};

/// How a round opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Opened {
    /// Its check-in message was sent that day.
    Message {
        /// The message's subject as configured (`{year}` replaced).
        subject: String,
        /// Its Message-ID.
        message: String,
    },
    /// `checkin_opened` names the day (a round answered by file, or a
    /// configured day that wins over the message's).
    Configured,
}

/// One round's opening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opening {
    /// The round's year.
    pub year: i32,
    /// R, the day it opened.
    pub day: Day,
    /// How.
    pub opened: Opened,
}

/// Where an answer came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum AnswerSource {
    /// A reply in the archive to a check-in message.
    Reply {
        /// The reply's Message-ID.
        message: String,
    },
    /// A row of a check-in file.
    File {
        /// The file's name.
        file: String,
        /// Its line, when known.
        line: Option<u64>,
    },
}

impl AnswerSource {
    fn of(source: &ResponseSource) -> AnswerSource {
        match source {
            ResponseSource::Reply { message } => AnswerSource::Reply {
                message: message.clone(),
            },
            ResponseSource::File { source, line } => AnswerSource::File {
                file: std::path::Path::new(source)
                    .file_name()
                    .map_or_else(|| source.clone(), |f| f.to_string_lossy().into_owned()),
                line: *line,
            },
        }
    }

    /// `reply` or the file's name: how checkin.csv says the answer came.
    pub fn kind(&self) -> String {
        match self {
            AnswerSource::Reply { .. } => "reply".into(),
            AnswerSource::File { file, .. } => file.clone(),
        }
    }

    /// Where exactly: `reply <Message-ID>` or `file.csv:12`.
    pub fn place(&self) -> String {
        match self {
            AnswerSource::Reply { message } => format!("reply <{message}>"),
            AnswerSource::File {
                file,
                line: Some(l),
            } => format!("{file}:{l}"),
            AnswerSource::File { file, line: None } => file.clone(),
        }
    }
}

/// Where a member of the round stands at T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoundClass {
    /// A member at T, with their class.
    Member(MemberClass),
    /// No longer a member: asked to leave.
    Left,
    /// No longer a member: silent past the horizon, or off the roster.
    Former,
}

impl RoundClass {
    /// The word in checkin.csv's `class` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundClass::Member(c) => c.as_str(),
            RoundClass::Left => "left",
            RoundClass::Former => "former",
        }
    }
}

/// One member of the round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundRow {
    /// Display name.
    pub name: String,
    /// Where to write to (empty where only a scrambled key is known).
    pub email: Option<String>,
    /// All their addresses.
    pub addresses: Vec<String>,
    /// Their round status.
    pub status: RoundStatus,
    /// The day of the answer that set it.
    pub answered_on: Option<Day>,
    /// Where that answer came from.
    pub source: Option<AnswerSource>,
    /// Where they stand at T.
    pub class: RoundClass,
}

/// An answer no member of the round has the address of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// The address as answered.
    pub address: String,
    /// The person's display name, when they are known at all.
    pub name: Option<String>,
    /// What they answered.
    pub status: CheckinStatus,
    /// When.
    pub date: Day,
    /// Where the answer is.
    pub source: AnswerSource,
}

/// A round's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RoundCounts {
    /// Members of the round (members at R).
    pub members: u64,
    /// Round status `full`.
    pub full: u64,
    /// Round status `observer`.
    pub observer: u64,
    /// Round status `leave`.
    pub leave: u64,
    /// Round status `no answer`.
    pub no_answer: u64,
}

impl RoundCounts {
    fn add(&mut self, s: RoundStatus) {
        self.members += 1;
        match s {
            RoundStatus::Full => self.full += 1,
            RoundStatus::Observer => self.observer += 1,
            RoundStatus::Leave => self.leave += 1,
            RoundStatus::NoAnswer => self.no_answer += 1,
        }
    }

    /// "the share of the round's members with an answer" (none without members).
    pub fn response_rate(&self) -> Option<f64> {
        (self.members > 0).then(|| (self.members - self.no_answer) as f64 / self.members as f64)
    }
}

/// The round at T.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// When and how it opened.
    pub opening: Opening,
    /// Every member of the round, sorted by email, then name.
    pub rows: Vec<RoundRow>,
    /// Answers in [R, T] that match no member of the round, sorted by address.
    pub unmatched: Vec<Unmatched>,
    /// Counts per round status.
    pub counts: RoundCounts,
}

/// A round's counts on one history day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RoundPoint {
    /// The round's year.
    pub year: i32,
    /// The day it opened.
    pub opened: Day,
    /// Its counts up to the history day.
    pub counts: RoundCounts,
    /// The share of members with an answer.
    pub response_rate: Option<f64>,
}

impl Evaluation {
    /// Every round's opening up to T, oldest first: one per check-in
    /// message, one per `checkin_opened` day; for one year, a configured day
    /// "wins over the message".
    pub(super) fn openings(&self, configured: &[Day]) -> Vec<Opening> {
        let mut by_year: HashMap<i32, Opening> = HashMap::new();
        for c in &self.calls {
            let year = c.year.unwrap_or(c.day.year());
            by_year.insert(
                year,
                Opening {
                    year,
                    day: c.day,
                    opened: Opened::Message {
                        subject: c.subject.clone(),
                        message: c.message.clone(),
                    },
                },
            );
        }
        for d in configured {
            by_year.insert(
                d.year(),
                Opening {
                    year: d.year(),
                    day: *d,
                    opened: Opened::Configured,
                },
            );
        }
        let mut out: Vec<Opening> = by_year.into_values().collect();
        out.sort_by_key(|o| o.day);
        out
    }

    /// The members of the round that opened on `r`, each with their latest
    /// answer dated in [R, `date`], and the answers in that span that match
    /// no member. `at_r` is the day view at R; `responses` those up to `date`.
    fn answers<'a>(
        &self,
        r: Day,
        at_r: &DayView,
        responses: &'a [Response],
    ) -> (Vec<(usize, Option<&'a Response>)>, Vec<&'a Response>) {
        let mut members: HashMap<usize, Option<&Response>> = at_r
            .persons
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Some(p) if matches!(p.standing, Standing::Member(_))))
            .map(|(i, _)| (i, None))
            .collect();
        let mut unmatched = Vec::new();
        for resp in responses.iter().filter(|resp| resp.day >= r) {
            match self
                .persons
                .of(&resp.address)
                .and_then(|p| members.get_mut(&p).map(|m| (p, m)))
            {
                Some((_, latest)) => {
                    // The latest answer; on one day the more restrictive.
                    let key = |x: &Response| (x.day, x.status.rank());
                    if latest.is_none_or(|l| key(resp) > key(l)) {
                        *latest = Some(resp);
                    }
                }
                None => unmatched.push(resp),
            }
        }
        let mut members: Vec<(usize, Option<&Response>)> = members.into_iter().collect();
        members.sort_by_key(|(p, _)| *p);
        (members, unmatched)
    }

    /// The round at T: `at_t` and `view_t` are T's evidence and day view.
    pub(super) fn round(
        &self,
        conn: &Connection,
        as_of: Day,
        openings: &[Opening],
        at_t: &DayEvidence,
        view_t: &DayView,
    ) -> anyhow::Result<Option<Round>> {
        let Some(opening) = openings.iter().rev().find(|o| o.day <= as_of).cloned() else {
            return Ok(None);
        };
        let at_r = if opening.day == as_of {
            None
        } else {
            Some(self.read(conn, opening.day)?)
        };
        let view_r = match &at_r {
            Some(evidence) => self.day(opening.day, evidence),
            None => self.day(as_of, at_t),
        };
        let (members, unmatched) = self.answers(opening.day, &view_r, &at_t.responses);
        let mut counts = RoundCounts::default();
        let mut rows = Vec::with_capacity(members.len());
        for (p, answer) in members {
            let status = RoundStatus::from_answer(answer.map(|a| a.status));
            counts.add(status);
            let now = view_t.persons[p].as_ref();
            let class = match now.map(|d| &d.standing) {
                Some(Standing::Member(v)) => RoundClass::Member(v.class),
                Some(_) if now.is_some_and(|d| d.e.has_left()) => RoundClass::Left,
                _ => RoundClass::Former,
            };
            rows.push(RoundRow {
                name: self.name(p),
                email: now
                    .and_then(|d| self.email(p, d))
                    .or_else(|| self.roster_email[p].clone()),
                addresses: self.persons.groups[p].clone(),
                status,
                answered_on: answer.map(|a| a.day),
                source: answer.map(|a| AnswerSource::of(&a.source)),
                class,
            });
        }
        rows.sort_by(|a, b| (&a.email, &a.name).cmp(&(&b.email, &b.name)));
        let mut unmatched: Vec<Unmatched> = unmatched
            .into_iter()
            .map(|r| Unmatched {
                address: r.address.clone(),
                // A name only where one is known: the address is in its own column.
                name: self
                    .persons
                    .of(&r.address)
                    .map(|p| self.name(p))
                    .filter(|n| *n != r.address),
                status: r.status,
                date: r.day,
                source: AnswerSource::of(&r.source),
            })
            .collect();
        unmatched.sort_by(|a, b| (&a.address, a.date).cmp(&(&b.address, b.date)));
        Ok(Some(Round {
            opening,
            rows,
            unmatched,
            counts,
        }))
    }

    /// The round's counts as of a history day `date`, from that day's
    /// evidence.
    pub(super) fn round_point(
        &self,
        conn: &Connection,
        date: Day,
        openings: &[Opening],
        at_date: &DayEvidence,
    ) -> anyhow::Result<Option<RoundPoint>> {
        let Some(opening) = openings.iter().rev().find(|o| o.day <= date) else {
            return Ok(None);
        };
        let at_r = self.read(conn, opening.day)?;
        let view_r = self.day(opening.day, &at_r);
        let (members, _) = self.answers(opening.day, &view_r, &at_date.responses);
        let mut counts = RoundCounts::default();
        for (_, answer) in members {
            counts.add(RoundStatus::from_answer(answer.map(|a| a.status)));
        }
        Ok(Some(RoundPoint {
            year: opening.year,
            opened: opening.day,
            counts,
            response_rate: counts.response_rate(),
        }))
    }
}

/// What a coordinator should hear about the round at T (DESIGN.md and
/// issue #9): a check-in subject that matches no message; a round open more
/// than 30 days with no answer at all; answers dated before the round opened
/// and after the previous round opened, which count for the previous round.
/// Never fatal.
///
/// Reading chosen for the last: only answers in the `early_days` (W) before
/// the round opened are named. The previous round's own answers, weeks after
/// it opened, are in that span too, and a warning about them every week
/// would teach a coordinator to ignore warnings; an answer just before the
/// round opened is the one likely meant for it (given early, or typed with a
/// wrong date).
pub fn warnings(
    subject: Option<&str>,
    found_calls: bool,
    as_of: Day,
    early_days: u32,
    openings: &[Opening],
    round: Option<&Round>,
    responses: &[Response],
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(subject) = subject
        && !found_calls
    {
        out.push(format!(
            "check-in subject '{subject}' matches no message up to {as_of}"
        ));
    }
    if let Some(round) = round {
        let open_for = day::days_between(round.opening.day, as_of);
        if open_for > 30 && round.counts.no_answer == round.counts.members {
            out.push(format!(
                "the check-in round opened on {} ({open_for} days ago) and has no answer yet",
                round.opening.day
            ));
        }
        let previous = openings
            .iter()
            .rev()
            .find(|o| o.day < round.opening.day)
            .map(|o| o.day);
        if let Some(previous) = previous {
            let from = previous.max(day::window_start(
                round.opening.day,
                early_days.saturating_add(1),
            ));
            let early: Vec<&Response> = responses
                .iter()
                .filter(|r| r.day >= from && r.day < round.opening.day)
                .collect();
            if !early.is_empty() {
                out.push(format!(
                    "{} answer(s) dated in the {early_days} days before this round opened ({}) count for the previous round (opened {previous}); if they were meant for this one, correct their dates",
                    early.len(),
                    round.opening.day
                ));
            }
        }
    }
    out
}
