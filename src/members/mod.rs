//! The member table: loads a coalition's activity, rosters and check-ins from
//! the store, groups addresses into persons ([`crate::identity`]), decides
//! who is a member, a former participant or neither, and classifies the
//! members ([`crate::classify`]). [`MemberTable`] is the contract with
//! `report`; rendering it is `report`'s job.
//!
//! Loading is set-based: one aggregate query per address over `messages`
//! (counts and first/last day, bounded by T and the period), the roster read
//! once, one query over check-ins. Rust then only merges per person, so the
//! cost follows the number of members, not of messages. Persons are resolved
//! once per evaluation (from everything known up to T) and reused for every
//! day of the history.

pub mod round;

use foldhash::{HashMap, HashMapExt};

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::classify::{
    self, CheckinStatus, ClassCounts, Evidence, MemberClass, RosterStanding, RoundStatus, Standing,
    Thresholds,
};
use crate::day::{self, Day};
use crate::identity::{self, Aliases, Ambiguity, Candidate, Persons};
use crate::inputs::roster::DeclaredStatus;
use crate::store::{self, activity, checkins, rosters};

/// One row of members.csv (DESIGN.md, "The member table").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberRow {
    /// The coalition's slug.
    pub coalition: String,
    /// The person's display name: the roster's name, else the display name
    /// they use most, else their first address.
    pub person: String,
    /// The address to write to: on the latest roster snapshot, else the last
    /// real address used; `None` where only a scrambled key is known.
    pub email: Option<String>,
    /// All their addresses: real ones first, then scrambled keys, each sorted.
    pub addresses: Vec<String>,
    /// Their class as of the evaluation date.
    pub class: MemberClass,
    /// A one-line reason a coordinator can read.
    pub reason: String,
    /// The reason in a few words, for a table cell.
    pub short_reason: String,
    /// Counted posts in (T − P, T].
    pub posts_in_period: u64,
    /// Counted posts up to T.
    pub posts_total: u64,
    /// Day of the first counted post.
    pub first_post: Option<Day>,
    /// Day of the last counted post up to T.
    pub last_post: Option<Day>,
    /// Day of the latest check-in response up to T.
    pub last_checkin: Option<Day>,
    /// Status of that response.
    pub checkin_status: Option<CheckinStatus>,
    /// On the roster at T.
    pub on_roster: bool,
    /// Latest post, check-in response or roster join up to T.
    pub last_sign_of_life: Option<Day>,
    /// Their status in the check-in round at T, when they are a member of it.
    pub round_status: Option<RoundStatus>,
    /// The day they would turn dormant if nothing new happened, when that
    /// is within W ("turning dormant").
    pub dormant_on: Option<Day>,
}

/// One row of former.csv: a former participant (DESIGN.md, "Member
/// universe"): not a member, in no count, listed apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormerRow {
    /// The coalition's slug.
    pub coalition: String,
    /// Display name, as for members.
    pub person: String,
    /// The address to write to, as for members.
    pub email: Option<String>,
    /// All their addresses.
    pub addresses: Vec<String>,
    /// Counted posts up to T.
    pub posts_total: u64,
    /// Day of the first counted post.
    pub first_post: Option<Day>,
    /// Day of the last counted post.
    pub last_post: Option<Day>,
    /// Day of the latest check-in response up to T.
    pub last_checkin: Option<Day>,
    /// Its status (`leave` for those who asked to leave).
    pub checkin_status: Option<CheckinStatus>,
    /// The latest counted post or check-in response.
    pub last_sign_of_life: Option<Day>,
}

/// A coalition's member table as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct MemberTable {
    /// The coalition's slug.
    pub coalition: String,
    /// T.
    pub as_of: Day,
    /// P, D, N, F.
    pub thresholds: Thresholds,
    /// Whether a roster snapshot dated on or before T exists.
    pub has_roster: bool,
    /// Members, sorted by class, then first address.
    pub members: Vec<MemberRow>,
    /// Former participants, latest sign of life first.
    pub former: Vec<FormerRow>,
    /// Counts per class (members only).
    pub counts: ClassCounts,
    /// Likely duplicate identities among the members, strongest evidence
    /// first (never merged).
    pub duplicate_suggestions: Vec<DuplicateSuggestion>,
    /// Scrambled keys that match real addresses of two or more persons.
    pub ambiguous_keys: Vec<Ambiguity>,
    /// Row ids of the check-in replies up to T: responses, so the reports'
    /// counted messages leave them out too.
    #[serde(skip)]
    pub reply_ids: Vec<i64>,
    /// The check-in round at T, when one has opened.
    pub round: Option<round::Round>,
    /// What a coordinator should hear about (never fatal).
    pub warnings: Vec<String>,
}

/// A person as a suggestion names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRef {
    /// Display name.
    pub name: String,
    /// Addresses.
    pub addresses: Vec<String>,
}

/// Two or more members that may be one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuplicateSuggestion {
    /// How strong the evidence is.
    pub evidence: identity::Evidence,
    /// Why they look alike, e.g. `same name "jane doe"`.
    pub why: String,
    /// The persons.
    pub persons: Vec<PersonRef>,
}

/// What the evaluation needs besides the store.
#[derive(Debug, Clone)]
pub struct MemberOptions {
    /// T, the evaluation day.
    pub as_of: Day,
    /// P, D, N, F.
    pub thresholds: Thresholds,
    /// The coalition's aliases (already read).
    pub aliases: Aliases,
    /// The check-in subject, if check-in replies are to be found in the archive.
    pub checkin_subject: Option<String>,
    /// Addresses known to be real (the coordinators'): they help scrambled
    /// keys find their person.
    pub known_addresses: Vec<String>,
    /// Days rounds opened without a check-in message (`checkin_opened`).
    pub checkin_opened: Vec<Day>,
}

/// Class counts on one day of the history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// The evaluation day (T or an anniversary before it).
    pub date: Day,
    /// Counts per class on that day.
    pub counts: ClassCounts,
    /// Former participants on that day.
    pub former: u64,
    /// The check-in round open on that day, with its counts so far.
    pub round: Option<round::RoundPoint>,
}

/// The member table of `coalition` (a slug) as of `options.as_of`.
pub fn evaluate(
    conn: &Connection,
    coalition: &str,
    options: &MemberOptions,
) -> anyhow::Result<MemberTable> {
    let (ctx, at_t) = Evaluation::load(conn, coalition, options)?;
    let day = ctx.day(options.as_of, &at_t);
    let openings = ctx.openings(&options.checkin_opened);
    let round = ctx
        .round(conn, options.as_of, &openings, &at_t, &day)
        .context("evaluating the check-in round")?;
    let round_status: HashMap<&[String], RoundStatus> = round
        .iter()
        .flat_map(|r| {
            r.rows
                .iter()
                .map(|row| (row.addresses.as_slice(), row.status))
        })
        .collect();
    // "Turning dormant": the posts that would still be in the period at
    // T + W, counted over (T + W − P, T].
    let later_period = activity::post_stats(
        conn,
        ctx.coalition_id,
        options.as_of,
        day::window_start(
            day::add_days(options.as_of, options.thresholds.warn_within_days),
            options.thresholds.period_days,
        ),
        &ctx.reply_ids,
    )
    .context("reading message activity")?;
    let mut members = Vec::new();
    let mut former = Vec::new();
    for (p, person) in day.persons.iter().enumerate() {
        let Some(person) = person else { continue };
        let addresses = ctx.persons.groups[p].clone();
        let name = ctx.name(p);
        let email = ctx.email(p, person);
        match &person.standing {
            Standing::Member(verdict) => members.push(MemberRow {
                round_status: round_status.get(addresses.as_slice()).copied(),
                dormant_on: {
                    let mut later = person.e.clone();
                    later.posts_in_period = ctx.persons.groups[p]
                        .iter()
                        .filter_map(|a| later_period.get(a))
                        .map(|s| s.in_period)
                        .sum();
                    classify::turns_dormant(
                        verdict.class,
                        &later,
                        options.as_of,
                        &options.thresholds,
                        day.has_roster,
                    )
                },
                coalition: ctx.coalition.clone(),
                person: name,
                email,
                addresses,
                class: verdict.class,
                reason: verdict.reason.clone(),
                short_reason: verdict.short.clone(),
                posts_in_period: person.e.posts_in_period,
                posts_total: person.e.posts_total,
                first_post: person.first_post,
                last_post: person.e.last_post,
                last_checkin: person.e.latest_response.map(|(d, _)| d),
                checkin_status: person.e.latest_response.map(|(_, s)| s),
                on_roster: person.e.roster.on_roster,
                last_sign_of_life: person.e.last_sign_of_life().map(|(d, _)| d),
            }),
            Standing::Former => former.push(FormerRow {
                coalition: ctx.coalition.clone(),
                person: name,
                email,
                addresses,
                posts_total: person.e.posts_total,
                first_post: person.first_post,
                last_post: person.e.last_post,
                last_checkin: person.e.latest_response.map(|(d, _)| d),
                checkin_status: person.e.latest_response.map(|(_, s)| s),
                last_sign_of_life: person.e.last_participation(),
            }),
            Standing::Outside => {}
        }
    }
    // DESIGN.md: members "sorted by class (active, observer, dormant) then
    // address"; former participants "by `last_sign_of_life` descending,
    // then `person`, then `addresses`".
    // Every address belongs to one person: the key is unique, so an
    // unstable sort gives the same order, faster.
    members.sort_unstable_by(|a, b| (a.class, &a.addresses).cmp(&(b.class, &b.addresses)));
    former.sort_by(|a, b| {
        (b.last_sign_of_life, &a.person, &a.addresses).cmp(&(
            a.last_sign_of_life,
            &b.person,
            &b.addresses,
        ))
    });
    let mut counts = ClassCounts::default();
    for m in &members {
        counts.add(m.class);
    }
    let duplicate_suggestions = ctx.duplicates(&members);
    let warnings = round::warnings(
        options.checkin_subject.as_deref(),
        !ctx.calls.is_empty(),
        options.as_of,
        options.thresholds.warn_within_days,
        &openings,
        round.as_ref(),
        &at_t.responses,
    );
    Ok(MemberTable {
        coalition: coalition.to_string(),
        as_of: options.as_of,
        thresholds: options.thresholds,
        has_roster: day.has_roster,
        members,
        former,
        counts,
        duplicate_suggestions,
        ambiguous_keys: ctx.persons.ambiguous.clone(),
        reply_ids: ctx.reply_ids.clone(),
        round,
        warnings,
    })
}

/// What the minimum-standards grid needs of each member at T (issue #10):
/// their counted posts in (T − D′, T] for each window D′ of `windows_days`,
/// and whether they declared observer status, on the roster or in their
/// latest check-in response. The same member universe as [`evaluate`];
/// former participants are not members and are left out. One aggregate
/// query per window ([`activity::post_stats`] with the window as its period).
pub fn standards_evidence(
    conn: &Connection,
    coalition: &str,
    options: &MemberOptions,
    windows_days: &[u32],
) -> anyhow::Result<Vec<crate::standards::MemberPosts>> {
    let (ctx, at_t) = Evaluation::load(conn, coalition, options)?;
    let view = ctx.day(options.as_of, &at_t);
    let mut per_window = Vec::with_capacity(windows_days.len());
    for &w in windows_days {
        let start = day::window_start(options.as_of, w);
        per_window.push(
            activity::post_stats(conn, ctx.coalition_id, options.as_of, start, &ctx.reply_ids)
                .context("reading message activity")?,
        );
    }
    let mut out = Vec::new();
    for (p, person) in view.persons.iter().enumerate() {
        let Some(person) = person else { continue };
        if !matches!(person.standing, Standing::Member(_)) {
            continue;
        }
        let posts = per_window
            .iter()
            .map(|stats| {
                ctx.persons.groups[p]
                    .iter()
                    .filter_map(|a| stats.get(a))
                    .map(|s| s.in_period)
                    .sum()
            })
            .collect();
        out.push(crate::standards::MemberPosts {
            declared_observer: person.e.roster.declared_observer
                || matches!(person.e.latest_response, Some((_, CheckinStatus::Observer))),
            posts,
        });
    }
    Ok(out)
}

/// Class counts at T and each anniversary before it, back to the first
/// message (DESIGN.md, "History"), oldest first.
pub fn history(
    conn: &Connection,
    coalition: &str,
    options: &MemberOptions,
) -> anyhow::Result<Vec<HistoryPoint>> {
    let (ctx, _) = Evaluation::load(conn, coalition, options)?;
    let openings = ctx.openings(&options.checkin_opened);
    let first = activity::first_message_day(conn, ctx.coalition_id)?;
    let dates = day::anniversaries(options.as_of, first);
    let point = |conn: &Connection, date: Day| -> anyhow::Result<HistoryPoint> {
        let mut counts = ClassCounts::default();
        let mut former = 0;
        let evidence = ctx.read(conn, date)?;
        for person in ctx.day(date, &evidence).persons.iter().flatten() {
            match &person.standing {
                Standing::Member(v) => counts.add(v.class),
                Standing::Former => former += 1,
                Standing::Outside => {}
            }
        }
        Ok(HistoryPoint {
            date,
            counts,
            former,
            round: ctx.round_point(conn, date, &openings, &evidence)?,
        })
    };
    // The days are independent evaluations (about 0.1 s each for 100,000
    // members, bench/classify.sh): on a database file, run them in parallel,
    // each thread on its own read-only connection (WAL lets readers run side
    // by side). In memory, or for a single day, stay on `conn`.
    match conn.path().filter(|p| !p.is_empty()) {
        Some(path) if dates.len() > 1 => {
            use rayon::prelude::*;
            let open = || {
                Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .with_context(|| format!("{path}: cannot open for reading"))
            };
            dates
                .par_iter()
                .map_init(open, |reader, &date| match reader {
                    Ok(reader) => point(reader, date),
                    Err(e) => Err(anyhow::anyhow!("{e:#}")),
                })
                .collect()
        }
        _ => dates.into_iter().map(|date| point(conn, date)).collect(),
    }
}

/// What stays the same across evaluation days.
struct Evaluation {
    coalition: String,
    coalition_id: i64,
    thresholds: Thresholds,
    /// The check-in messages up to T, oldest first.
    calls: Vec<checkins::Call>,
    /// The replies to them up to T: responses, not posts.
    replies: Vec<checkins::Reply>,
    /// Their row ids, left out of counted posts.
    reply_ids: Vec<i64>,
    /// Every roster row, read once for all evaluation days.
    roster: rosters::RosterHistory,
    /// Addresses grouped into persons, from everything known up to T.
    persons: Persons,
    /// Per person: the roster's name (latest snapshot on or before T).
    roster_names: Vec<Option<String>>,
    /// Per person: the display name used most in the archive.
    archive_names: Vec<Option<String>>,
    /// Per person: every display name seen (for duplicate suggestions).
    all_names: Vec<Vec<String>>,
    /// Per person: their address on the latest roster snapshot on or before T.
    roster_email: Vec<Option<String>>,
}

/// One person on one evaluation day.
struct PersonDay {
    e: Evidence,
    standing: Standing,
    first_post: Option<Day>,
    /// The real address used last (post or response) and when.
    last_real: Option<(Day, String)>,
}

/// What the store says on one day: counted posts per address and the
/// check-in responses up to it.
struct DayEvidence {
    posts: HashMap<String, activity::PostStats>,
    responses: Vec<checkins::Response>,
}

/// Every person's standing on one day (`None`: nothing at all that day).
struct DayView {
    has_roster: bool,
    persons: Vec<Option<PersonDay>>,
}

impl Evaluation {
    /// Reads everything that stays the same across days, and the evidence at
    /// T (which also names the addresses to group into persons).
    fn load(
        conn: &Connection,
        coalition: &str,
        options: &MemberOptions,
    ) -> anyhow::Result<(Self, DayEvidence)> {
        let as_of = options.as_of;
        let coalition_id = store::coalition_id(conn, coalition)?;
        let calls = match &options.checkin_subject {
            Some(subject) => checkins::calls(conn, coalition_id, subject, as_of)
                .context("finding the check-in messages")?,
            None => vec![],
        };
        let replies = checkins::replies(conn, coalition_id, &calls)
            .context("finding the replies to the check-in messages")?;
        let reply_ids: Vec<i64> = replies.iter().map(|r| r.id).collect();
        let roster =
            rosters::RosterHistory::load(conn, coalition_id).context("reading roster snapshots")?;
        let at_t = read_day(
            conn,
            coalition_id,
            as_of,
            options.thresholds,
            &replies,
            &reply_ids,
        )?;
        let (posts, responses) = (&at_t.posts, &at_t.responses);
        let names =
            activity::display_names(conn, coalition_id, as_of).context("reading display names")?;
        let seen = roster.last_seen(as_of);

        // Every address known up to T, for grouping into persons.
        let mut known: Vec<&str> = Vec::new();
        known.extend(posts.keys().map(String::as_str));
        known.extend(names.iter().map(|(a, _, _)| a.as_str()));
        known.extend(seen.keys().copied());
        known.extend(responses.iter().map(|r| r.address.as_str()));
        known.extend(options.known_addresses.iter().map(String::as_str));
        let persons = identity::resolve(known, &options.aliases);

        let n = persons.groups.len();
        // Per person, their roster rows' (snapshot day, address, name),
        // latest snapshot first, then address: the first is where `email`
        // comes from, the first with a name is the roster's name.
        let mut rows: Vec<Vec<(Day, &str, Option<&str>)>> = vec![Vec::new(); n];
        for (addr, (snapshot, name)) in &seen {
            if let Some(p) = persons.of(addr) {
                rows[p].push((*snapshot, addr, *name));
            }
        }
        let mut roster_names: Vec<Option<String>> = vec![None; n];
        let mut roster_email: Vec<Option<String>> = vec![None; n];
        for (p, rows) in rows.iter_mut().enumerate() {
            rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            roster_email[p] = rows.first().map(|r| r.1.to_string());
            roster_names[p] = rows.iter().find_map(|r| r.2).map(str::to_string);
        }
        let mut name_counts: Vec<HashMap<&str, u64>> = vec![HashMap::new(); n];
        for (addr, name, count) in &names {
            if let Some(p) = persons.of(addr)
                && !name.contains('@')
            {
                *name_counts[p].entry(name.as_str()).or_default() += count;
            }
        }
        let archive_names = name_counts
            .iter()
            .map(|counts| {
                counts
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(name, _)| name.to_string())
            })
            .collect();
        let all_names = name_counts
            .iter()
            .zip(&roster_names)
            .map(|(counts, roster)| {
                let mut v: Vec<String> = counts.keys().map(|s| s.to_string()).collect();
                v.extend(roster.clone());
                v.sort();
                v.dedup();
                v
            })
            .collect();
        let evaluation = Evaluation {
            coalition: coalition.to_string(),
            coalition_id,
            thresholds: options.thresholds,
            calls,
            replies,
            reply_ids,
            roster,
            persons,
            roster_names,
            archive_names,
            all_names,
            roster_email,
        };
        Ok((evaluation, at_t))
    }

    /// The store's evidence on `date` (≤ T).
    fn read(&self, conn: &Connection, date: Day) -> anyhow::Result<DayEvidence> {
        read_day(
            conn,
            self.coalition_id,
            date,
            self.thresholds,
            &self.replies,
            &self.reply_ids,
        )
    }

    /// Every person's evidence and standing on `date` (≤ T), from what the
    /// store said on that day.
    fn day(&self, date: Day, evidence: &DayEvidence) -> DayView {
        let (posts, responses) = (&evidence.posts, &evidence.responses);
        let roster = self.roster.at(date);

        let n = self.persons.groups.len();
        let mut days: Vec<Option<PersonDay>> = (0..n).map(|_| None).collect();
        fn entry(days: &mut [Option<PersonDay>], p: usize) -> &mut PersonDay {
            days[p].get_or_insert_with(|| PersonDay {
                e: Evidence::default(),
                standing: Standing::Outside,
                first_post: None,
                last_real: None,
            })
        }
        let real_use = |slot: &mut Option<(Day, String)>, day: Day, addr: &str| {
            if identity::is_real_address(addr)
                && slot
                    .as_ref()
                    .is_none_or(|(d, a)| (day, a.as_str()) > (*d, addr))
            {
                *slot = Some((day, addr.to_string()));
            }
        };
        for (addr, s) in posts {
            let Some(p) = self.persons.of(addr) else {
                continue;
            };
            let d = entry(&mut days, p);
            d.e.posts_total += s.total;
            d.e.posts_in_period += s.in_period;
            d.e.last_post = d.e.last_post.max(s.last);
            d.first_post = min_opt(d.first_post, s.first);
            if let Some(last) = s.last {
                real_use(&mut d.last_real, last, addr);
            }
        }
        for r in &roster.entries {
            let Some(p) = self.persons.of(&r.address) else {
                continue;
            };
            let d = entry(&mut days, p);
            d.e.roster = RosterStanding {
                on_roster: true,
                // "its join date, when it has one, is also a sign of life".
                joined: min_opt(d.e.roster.joined, r.joined),
                declared_observer: d.e.roster.declared_observer
                    || r.status == Some(DeclaredStatus::Observer),
            };
        }
        for r in responses {
            let Some(p) = self.persons.of(&r.address) else {
                continue;
            };
            let d = entry(&mut days, p);
            let key = (r.day, r.status.rank());
            if d.e
                .latest_response
                .is_none_or(|(day, s)| key > (day, s.rank()))
            {
                d.e.latest_response = Some((r.day, r.status));
            }
            if r.status == CheckinStatus::Leave {
                d.e.latest_leave = d.e.latest_leave.max(Some(r.day));
            }
            real_use(&mut d.last_real, r.day, &r.address);
        }
        for d in days.iter_mut().flatten() {
            d.standing = classify::standing(&d.e, date, &self.thresholds, roster.has_roster);
        }
        DayView {
            has_roster: roster.has_roster,
            persons: days,
        }
    }

    /// "the roster's name, else the display name they use most in the
    /// archive", else their first address.
    fn name(&self, p: usize) -> String {
        self.roster_names[p]
            .clone()
            .or_else(|| self.archive_names[p].clone())
            .unwrap_or_else(|| self.persons.groups[p][0].clone())
    }

    /// DESIGN.md: "`email` is the person's address on the latest roster
    /// snapshot on or before *T*, else the last real address they used, empty
    /// where only a scrambled key is known".
    fn email(&self, p: usize, day: &PersonDay) -> Option<String> {
        self.roster_email[p]
            .clone()
            .or_else(|| day.last_real.as_ref().map(|(_, a)| a.clone()))
            .or_else(|| {
                self.persons.groups[p]
                    .iter()
                    .find(|a| identity::is_real_address(a))
                    .cloned()
            })
    }

    /// Likely duplicates among the members: names from the archive and the
    /// roster.
    fn duplicates(&self, members: &[MemberRow]) -> Vec<DuplicateSuggestion> {
        let persons: Vec<usize> = members
            .iter()
            .filter_map(|m| self.persons.of(&m.addresses[0]))
            .collect();
        let candidates: Vec<Candidate<'_>> = persons
            .iter()
            .map(|&p| Candidate {
                addresses: &self.persons.groups[p],
                names: self.all_names[p].iter().map(String::as_str).collect(),
            })
            .collect();
        identity::suggest_duplicates(&candidates)
            .into_iter()
            .map(|s| DuplicateSuggestion {
                evidence: s.evidence,
                why: s.why,
                persons: s
                    .persons
                    .iter()
                    .map(|&i| PersonRef {
                        name: self.name(persons[i]),
                        addresses: self.persons.groups[persons[i]].clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

fn read_day(
    conn: &Connection,
    coalition_id: i64,
    date: Day,
    thresholds: Thresholds,
    replies: &[checkins::Reply],
    reply_ids: &[i64],
) -> anyhow::Result<DayEvidence> {
    let period_start = day::window_start(date, thresholds.period_days);
    Ok(DayEvidence {
        posts: activity::post_stats(conn, coalition_id, date, period_start, reply_ids)
            .context("reading message activity")?,
        responses: checkins::responses_up_to(conn, coalition_id, date, replies)
            .context("reading check-in responses")?,
    })
}

fn min_opt(a: Option<Day>, b: Option<Day>) -> Option<Day> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ArchiveFormat, MessageRecord, ParsedArchive, SetAside};
    use crate::inputs;
    use crate::store::messages::{
        SourceMeta, ensure_coalition, ensure_list, insert_file, sample_record,
    };
    use rstest::rstest;
    use std::path::Path;

    fn day(s: &str) -> Day {
        day::parse(s).unwrap()
    }

    /// Unix seconds of an RFC 3339 time, e.g. `2024-06-23T23:30:00-05:00`.
    fn secs(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    struct Db {
        conn: Connection,
        coalition: i64,
        list: i64,
        files: usize,
    }

    impl Db {
        fn new() -> Db {
            let conn = store::open_in_memory().unwrap();
            let coalition = ensure_coalition(&conn, "dc", None).unwrap();
            let list = ensure_list(&conn, coalition, "dc-list").unwrap();
            Db {
                conn,
                coalition,
                list,
                files: 0,
            }
        }

        /// Stores one file holding `records`.
        fn file(&mut self, records: Vec<MessageRecord>) {
            self.files += 1;
            let path = format!("/file{}", self.files);
            let src = SourceMeta {
                path: &path,
                size: 1,
                mtime: 1,
                hash: "h",
            };
            let parsed = ParsedArchive {
                format: Some(ArchiveFormat::Mbox),
                messages: records,
                malformed: vec![],
            };
            insert_file(&mut self.conn, self.coalition, self.list, &src, &parsed).unwrap();
        }

        fn post(&mut self, key: &str, from: &str, when: &str) {
            self.file(vec![msg(key, from, when)]);
        }

        fn named_post(&mut self, key: &str, from: &str, name: &str, when: &str) {
            let mut m = msg(key, from, when);
            m.from_name = Some(name.into());
            self.file(vec![m]);
        }

        fn roster(&mut self, text: &str, on: &str) {
            let file = inputs::roster::parse(Path::new("roster.csv"), text).unwrap();
            rosters::save(&mut self.conn, self.coalition, day(on), "roster.csv", &file).unwrap();
        }

        fn checkins(&mut self, text: &str) {
            let rows = inputs::checkins::parse(Path::new("c.csv"), text).unwrap();
            checkins::replace_file(&mut self.conn, self.coalition, "c.csv", &[], &rows).unwrap();
        }

        fn table(&self, as_of: &str, options: impl FnOnce(&mut MemberOptions)) -> MemberTable {
            let mut o = default_options(as_of);
            options(&mut o);
            evaluate(&self.conn, "dc", &o).unwrap()
        }

        /// (first address, class) pairs as of `as_of`, default options.
        fn classes(&self, as_of: &str) -> Vec<(String, MemberClass)> {
            self.table(as_of, |_| {})
                .members
                .into_iter()
                .map(|m| (m.addresses[0].clone(), m.class))
                .collect()
        }

        fn former(&self, as_of: &str) -> Vec<String> {
            self.table(as_of, |_| {})
                .former
                .into_iter()
                .map(|f| f.addresses[0].clone())
                .collect()
        }
    }

    fn default_options(as_of: &str) -> MemberOptions {
        MemberOptions {
            as_of: day(as_of),
            thresholds: Thresholds::default(),
            aliases: Aliases::default(),
            checkin_subject: None,
            known_addresses: vec![],
            checkin_opened: vec![],
        }
    }

    fn msg(key: &str, from: &str, when: &str) -> MessageRecord {
        let mut m = sample_record(key);
        m.from_addr = Some(from.to_string());
        m.from_name = None;
        m.date = Some(secs(when));
        m
    }

    fn one(person: &str, class: MemberClass) -> Vec<(String, MemberClass)> {
        vec![(person.to_string(), class)]
    }

    fn aliases(text: &str) -> Aliases {
        inputs::aliases::parse(Path::new("a.txt"), text).unwrap()
    }

    #[rstest]
    #[case::post_on_t_late_utc("2025-06-23T23:59:59Z", MemberClass::Active)]
    #[case::post_p_minus_1_days_before("2024-06-24T00:00:00Z", MemberClass::Active)]
    #[case::post_exactly_p_days_before("2024-06-23T23:59:59Z", MemberClass::Observer)]
    // 23:30 at UTC−5 is 04:30 the next UTC day: 364 days before T, not 365.
    #[case::post_moved_into_the_period_by_its_zone(
        "2024-06-23T23:30:00-05:00",
        MemberClass::Active
    )]
    // 00:30 at UTC+2 is 22:30 the previous UTC day: out of the period.
    #[case::post_moved_out_of_the_period_by_its_zone(
        "2024-06-24T00:30:00+02:00",
        MemberClass::Observer
    )]
    #[case::post_d_minus_1_days_before("2023-06-25T00:00:00Z", MemberClass::Observer)]
    // Without a roster, past D is dormant until F.
    #[case::post_exactly_d_days_before("2023-06-24T12:00:00Z", MemberClass::Dormant)]
    fn posts_are_compared_by_utc_day(#[case] when: &str, #[case] want: MemberClass) {
        let mut db = Db::new();
        db.post("m1", "jane@a.org", when);
        assert_eq!(db.classes("2025-06-23"), one("jane@a.org", want));
    }

    #[rstest]
    // T − (D − 1) is a member, T − D a former participant.
    #[case::off_roster_at_d_minus_1("2023-06-25T00:00:00Z", true)]
    #[case::off_roster_at_d("2023-06-24T23:59:59Z", false)]
    fn with_a_roster_off_roster_people_are_members_only_within_d(
        #[case] when: &str,
        #[case] member: bool,
    ) {
        let mut db = Db::new();
        db.roster("bob@b.org\n", "2020-01-01");
        db.post("m1", "jane@a.org", when);
        let t = db.table("2025-06-23", |_| {});
        let jane = t.members.iter().find(|m| m.addresses[0] == "jane@a.org");
        assert_eq!(jane.is_some(), member);
        assert_eq!(
            t.former.iter().any(|f| f.addresses[0] == "jane@a.org"),
            !member
        );
        if let Some(jane) = jane {
            assert_eq!((jane.class, jane.on_roster), (MemberClass::Observer, false));
        }
    }

    #[rstest]
    // T − (F − 1) is a member (dormant), T − F a former participant.
    #[case::no_roster_at_f_minus_1("2020-06-25T00:00:00Z", true)]
    #[case::no_roster_at_f("2020-06-24T23:59:59Z", false)]
    fn without_a_roster_people_are_members_within_f(#[case] when: &str, #[case] member: bool) {
        let mut db = Db::new();
        db.post("m1", "jane@a.org", when);
        assert_eq!(db.classes("2025-06-23").len(), usize::from(member));
        assert_eq!(db.former("2025-06-23").len(), usize::from(!member));
        // A shorter F through the options moves the horizon.
        let t = db.table("2025-06-23", |o| o.thresholds.former_after_days = 730);
        assert!(t.members.is_empty());
    }

    #[test]
    fn an_off_roster_person_whose_only_sign_of_life_is_a_check_in_response() {
        let mut db = Db::new();
        db.roster("bob@b.org\n", "2020-01-01");
        db.checkins("address,date,status\nann@c.org,2025-01-10,observer\n");
        let t = db.table("2025-06-23", |_| {});
        let ann = t
            .members
            .iter()
            .find(|m| m.addresses[0] == "ann@c.org")
            .unwrap();
        assert_eq!((ann.class, ann.on_roster), (MemberClass::Observer, false));
        assert_eq!(ann.posts_total, 0);
    }

    #[test]
    fn a_leave_response_makes_a_former_participant_until_a_later_post() {
        let mut db = Db::new();
        db.roster("same@a.org\nlater@a.org\ngone@a.org\n", "2020-01-01");
        db.post("p1", "same@a.org", "2025-03-01T10:00:00Z");
        db.post("p2", "later@a.org", "2025-03-02T00:00:00Z");
        db.post("p3", "gone@a.org", "2024-06-01T00:00:00Z");
        db.checkins("address,date,status\nsame@a.org,2025-03-01,leave\nlater@a.org,2025-03-01,leave\ngone@a.org,2025-03-01,leave\n");
        assert_eq!(
            db.classes("2025-06-23"),
            one("later@a.org", MemberClass::Active)
        );
        let t = db.table("2025-06-23", |_| {});
        let former: Vec<(&str, Option<CheckinStatus>)> = t
            .former
            .iter()
            .map(|f| (f.addresses[0].as_str(), f.checkin_status))
            .collect();
        assert_eq!(
            former,
            [
                ("gone@a.org", Some(CheckinStatus::Leave)),
                ("same@a.org", Some(CheckinStatus::Leave))
            ]
        );
        // Before the leave, gone@ was a member.
        assert!(
            db.classes("2025-02-28")
                .contains(&("gone@a.org".to_string(), MemberClass::Active))
        );
    }

    #[test]
    fn nothing_after_t_exists() {
        let mut db = Db::new();
        db.post("m1", "jane@a.org", "2025-06-24T00:00:00Z");
        db.roster("address,joined\nbob@b.org,2025-06-24\n", "2025-06-01");
        assert_eq!(db.classes("2025-06-23"), vec![]);
        db.post("m0", "jane@a.org", "2024-01-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1, "a join date after T makes no member");
        let jane = &t.members[0];
        assert_eq!(
            (jane.posts_total, jane.last_post),
            (1, Some(day("2024-01-01")))
        );
    }

    #[test]
    fn a_snapshot_dated_after_t_does_not_exist_at_t() {
        let mut db = Db::new();
        db.roster("bob@b.org\n", "2025-07-01");
        db.post("m1", "jane@a.org", "2022-01-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert!(!t.has_roster);
        // Without a roster jane (1269 days silent) is a dormant member.
        assert_eq!(
            t.members
                .iter()
                .map(|m| (m.addresses[0].as_str(), m.class))
                .collect::<Vec<_>>(),
            [("jane@a.org", MemberClass::Dormant)]
        );
        // From the snapshot's day on, jane is a former participant.
        let t = db.table("2025-07-01", |_| {});
        assert!(t.has_roster);
        assert_eq!(t.former.len(), 1);
    }

    #[test]
    fn set_aside_messages_never_count_and_make_no_one_a_participant() {
        let mut db = Db::new();
        let mut auto = msg("a1", "jane@a.org", "2025-06-01T00:00:00Z");
        auto.set_aside = Some(SetAside::AutoReplySubject);
        let mut list = msg("l1", "dc-list-bounces@lists.org", "2025-06-01T00:00:00Z");
        list.set_aside = Some(SetAside::ListSoftware);
        db.file(vec![
            auto,
            list,
            msg("p1", "jane@a.org", "2022-01-01T00:00:00Z"),
        ]);
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1);
        assert_eq!(t.members[0].class, MemberClass::Dormant);
        assert_eq!(t.members[0].posts_total, 1);
        assert!(t.former.is_empty());
    }

    #[test]
    fn declared_observer_on_the_roster_who_never_posts() {
        let mut db = Db::new();
        db.roster(
            "address,status\nobs@a.org,observer\nsilent@a.org,full\n",
            "2020-01-01",
        );
        let t = db.table("2025-06-23", |_| {});
        let got: Vec<_> = t
            .members
            .iter()
            .map(|m| (m.person.as_str(), m.class, m.on_roster))
            .collect();
        assert_eq!(
            got,
            [
                ("obs@a.org", MemberClass::Observer, true),
                ("silent@a.org", MemberClass::Dormant, true)
            ]
        );
    }

    /// A check-in message and replies: the replies are responses, not posts.
    fn checkin_db() -> Db {
        let mut db = Db::new();
        let mut call = msg("call", "coord@a.org", "2025-01-10T09:00:00Z");
        call.subject = Some("Re: [DC] ANNUAL Check-in 2025".into());
        let mut full = msg("r1", "jane@a.org", "2025-01-11T09:00:00Z");
        full.in_reply_to = Some("call".into());
        full.says_observer = false;
        let mut obs = msg("r2", "bob@b.org", "2025-01-12T09:00:00Z");
        obs.references = vec!["other".into(), "call".into()];
        obs.says_observer = true;
        let mut later = msg("later", "coord@a.org", "2026-01-10T09:00:00Z");
        later.subject = Some("annual check-in 2025 (reminder)".into());
        db.file(vec![later, call, full, obs]);
        db
    }

    #[test]
    fn check_in_replies_are_responses_not_posts() {
        let db = checkin_db();
        let t = db.table("2025-06-23", |o| {
            o.checkin_subject = Some("annual check-in".into())
        });
        let got: Vec<_> = t
            .members
            .iter()
            .map(|m| {
                (
                    m.addresses[0].as_str(),
                    m.class,
                    m.posts_total,
                    m.last_checkin,
                    m.checkin_status,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("coord@a.org", MemberClass::Active, 1, None, None),
                (
                    "bob@b.org",
                    MemberClass::Observer,
                    0,
                    Some(day("2025-01-12")),
                    Some(CheckinStatus::Observer)
                ),
                (
                    "jane@a.org",
                    MemberClass::Observer,
                    0,
                    Some(day("2025-01-11")),
                    Some(CheckinStatus::Full)
                ),
            ]
        );
        // Without the subject, the replies are ordinary posts.
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(
            t.counts,
            ClassCounts {
                active: 3,
                observer: 0,
                dormant: 0
            }
        );
    }

    #[test]
    fn two_addresses_joined_by_an_alias_are_one_person() {
        let mut db = Db::new();
        db.post("p1", "jane@work.org", "2025-06-01T00:00:00Z");
        db.post("p2", "jane.doe@home.net", "2020-06-01T00:00:00Z");
        db.roster(
            "address,name,status\njane.doe@home.net,Jane Doe,observer\n",
            "2019-01-01",
        );
        let t = db.table("2025-06-23", |o| {
            o.aliases = aliases("# Jane\nJane@Work.org, jane.doe at home.net\n")
        });
        assert_eq!(t.members.len(), 1);
        let jane = &t.members[0];
        assert_eq!(jane.person, "Jane Doe");
        assert_eq!(jane.email.as_deref(), Some("jane.doe@home.net"));
        assert_eq!(jane.addresses, ["jane.doe@home.net", "jane@work.org"]);
        assert_eq!(
            (jane.class, jane.posts_total, jane.on_roster),
            (MemberClass::Active, 2, true)
        );
        assert_eq!(jane.first_post, Some(day("2020-06-01")));
        // Without the aliases they are two persons (one a former participant
        // without the roster's help: 2020 is past D).
        let t = db.table("2025-06-23", |_| {});
        assert_eq!((t.members.len(), t.former.len()), (2, 0));
    }

    #[rstest]
    // The 2018 scheme and the 2019 one, each compared under its own.
    #[case::scheme_2018("pd@me@ @ending from cb@@dk")]
    #[case::scheme_2019("pd@me@ @end|ng |rom cb@@dk")]
    // Upper-case letters are left as they are by the scheme.
    #[case::upper_case_2019("PD@me@ @end|ng |rom CB@@dk")]
    fn a_scrambled_key_joins_the_person_of_the_real_address(#[case] key: &str) {
        let mut db = Db::new();
        db.named_post(
            "old",
            "pd.mes@cbs.dk",
            "Peter Dalgaard",
            "2010-03-01T00:00:00Z",
        );
        db.named_post(
            "new",
            &crate::identity::normalize_address(key),
            "Peter Dalgaard",
            "2025-03-01T00:00:00Z",
        );
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1, "{:?}", t.members);
        let peter = &t.members[0];
        assert_eq!(peter.person, "Peter Dalgaard");
        assert_eq!(peter.email.as_deref(), Some("pd.mes@cbs.dk"));
        assert_eq!(peter.posts_total, 2);
        assert_eq!(peter.class, MemberClass::Active);
        assert!(t.former.is_empty());
    }

    #[test]
    fn a_key_known_only_from_the_roster_and_an_ambiguous_pair() {
        let mut db = Db::new();
        db.roster("address,name\npd.mes@cbs.dk,Peter Dalgaard\n", "2020-01-01");
        db.post("new", "pd@me@ @end|ng |rom cb@@dk", "2025-03-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 1);
        assert_eq!(
            (t.members[0].person.as_str(), t.members[0].on_roster),
            ("Peter Dalgaard", true)
        );
        // A second real address that scrambles alike: the key links to neither.
        db.post("other", "pdames@cbs.dk", "2025-02-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 3);
        assert_eq!(t.ambiguous_keys.len(), 1);
        assert_eq!(
            t.ambiguous_keys[0].candidates,
            ["pd.mes@cbs.dk", "pdames@cbs.dk"]
        );
        let key = t
            .members
            .iter()
            .find(|m| m.addresses[0].contains("@end|ng"))
            .unwrap();
        assert_eq!(key.email, None, "only a scrambled key is known");
    }

    /// The minimum-standards windows are UTC days like the period: a post
    /// D′ − 1 days before T is in (T − D′, T], one D′ days before is not.
    /// Declared observers (roster or latest response) are flagged; former
    /// participants are not members and are left out.
    #[test]
    fn standards_count_posts_per_window_at_the_boundaries() {
        let mut db = Db::new();
        db.roster(
            "address,status\nin@a.org,full\nout@a.org,full\nobs@a.org,observer\nans@a.org,full\n",
            "2020-01-01",
        );
        db.post("p1", "in@a.org", "2024-06-24T00:00:00Z"); // 364 days before T
        db.post("p2", "out@a.org", "2024-06-23T23:59:59Z"); // 365 days before T
        db.post("p3", "obs@a.org", "2023-06-24T12:00:00Z"); // 730 days before T
        db.post("p4", "gone@a.org", "2019-01-01T00:00:00Z"); // a former participant
        db.checkins("address,date,status\nans@a.org,2021-01-01,observer\n");
        let o = default_options("2025-06-23");
        let got = standards_evidence(&db.conn, "dc", &o, &[365, 730, 731]).unwrap();
        let mut got: Vec<(bool, Vec<u64>)> = got
            .into_iter()
            .map(|m| (m.declared_observer, m.posts))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (false, vec![0, 1, 1]), // out@: 365 days before T
                (false, vec![1, 1, 1]), // in@: 364 days before T
                (true, vec![0, 0, 0]),  // ans@: observer in the latest response
                (true, vec![0, 0, 1]),  // obs@: 730 days before T, roster observer
            ]
        );
    }

    #[test]
    fn an_alias_line_with_a_scrambled_key() {
        let mut db = Db::new();
        db.post("p1", "peter@home.dk", "2010-01-01T00:00:00Z");
        db.post("p2", "x@y @end|ng |rom z@org", "2025-03-01T00:00:00Z");
        let t = db.table("2025-06-23", |o| {
            o.aliases = aliases("peter@home.dk, X@Y @end|ng |rom Z@org\n")
        });
        assert_eq!(t.members.len(), 1);
        assert_eq!(
            t.members[0].addresses,
            ["peter@home.dk", "x@y @end|ng |rom z@org"]
        );
    }

    #[test]
    fn a_coordinator_known_only_by_a_scrambled_key_is_one_person_with_their_address() {
        let mut db = Db::new();
        db.post("k1", "pd@me@ @end|ng |rom cb@@dk", "2025-03-01T00:00:00Z");
        db.post("x1", "ann@a.org", "2025-03-02T00:00:00Z");
        let t = db.table("2025-06-23", |o| {
            o.known_addresses = vec!["pd.mes@cbs.dk".into()]
        });
        let coordinator = t
            .members
            .iter()
            .find(|m| m.addresses.contains(&"pd.mes@cbs.dk".to_string()))
            .expect("the key joins the coordinator's address");
        assert_eq!(
            coordinator.addresses,
            ["pd.mes@cbs.dk", "pd@me@ @end|ng |rom cb@@dk"]
        );
        assert_eq!(coordinator.email.as_deref(), Some("pd.mes@cbs.dk"));
        // The coordinators' share counts the key's message as theirs.
        let mut c = crate::config::Settings::from_text(
            Path::new("/x/c.toml"),
            "database = \"d\"\n[[coalition]]\nslug = \"dc\"\ncoordinators = [\"PD.Mes@cbs.dk\"]\n",
            None,
            day("2025-06-23"),
        )
        .unwrap();
        let messages = crate::store::activity::counted_messages(
            &db.conn,
            db.coalition,
            day::end_secs(day("2025-06-23")),
            &[],
        )
        .unwrap();
        let model = crate::report::ReportModel::compute(
            &c.coalitions.remove(0),
            t,
            vec![],
            &messages,
            &Default::default(),
        );
        assert_eq!(model.figures.coordinator_share, Some(0.5));
    }

    #[test]
    fn names_come_from_the_roster_then_the_archive_then_the_address() {
        let mut db = Db::new();
        db.roster("address,name\nann@a.org,Ann Roster\n", "2020-01-01");
        db.named_post("1", "ann@a.org", "ann", "2025-01-01T00:00:00Z");
        db.named_post("2", "bob@b.org", "Bob B.", "2025-01-01T00:00:00Z");
        db.named_post("3", "bob@b.org", "Robert Brown", "2025-01-02T00:00:00Z");
        db.named_post("4", "bob@b.org", "Robert Brown", "2025-01-03T00:00:00Z");
        db.post("5", "cy@c.org", "2025-01-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        let names: Vec<(&str, &str)> = t
            .members
            .iter()
            .map(|m| (m.addresses[0].as_str(), m.person.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("ann@a.org", "Ann Roster"),
                ("bob@b.org", "Robert Brown"),
                ("cy@c.org", "cy@c.org")
            ]
        );
    }

    #[test]
    fn former_participants_are_sorted_latest_first() {
        let mut db = Db::new();
        db.roster("bob@b.org\n", "2020-01-01");
        db.post("1", "old@a.org", "2015-01-01T00:00:00Z");
        db.post("2", "mid@a.org", "2019-01-01T00:00:00Z");
        db.post("3", "mid2@a.org", "2019-01-01T00:00:00Z");
        assert_eq!(
            db.former("2025-06-23"),
            ["mid2@a.org", "mid@a.org", "old@a.org"],
            "same day: by person (here the address, no names)"
        );
    }

    #[test]
    fn likely_duplicates_are_suggested_never_merged() {
        let mut db = Db::new();
        db.named_post("p1", "jane@work.org", "Jane Doe", "2025-06-01T00:00:00Z");
        db.named_post("p2", "jdoe@home.net", "jane  doe", "2025-06-01T00:00:00Z");
        db.post("p3", "jane@home.net", "2025-06-01T00:00:00Z");
        let t = db.table("2025-06-23", |_| {});
        assert_eq!(t.members.len(), 3);
        let got: Vec<(&str, Vec<&str>)> = t
            .duplicate_suggestions
            .iter()
            .map(|d| {
                (
                    d.why.as_str(),
                    d.persons.iter().map(|p| p.addresses[0].as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "same name \"jane doe\"",
                    vec!["jane@work.org", "jdoe@home.net"]
                ),
                (
                    "same local part \"jane\" at different domains",
                    vec!["jane@home.net", "jane@work.org"]
                ),
            ]
        );
    }

    #[test]
    fn history_at_anniversaries_including_29_february() {
        let mut db = Db::new();
        db.post("p1", "old@a.org", "2021-03-01T00:00:00Z");
        db.post("p2", "new@a.org", "2024-02-29T12:00:00Z");
        let o = MemberOptions {
            as_of: day("2024-02-29"),
            thresholds: Thresholds::default(),
            aliases: Aliases::default(),
            checkin_subject: None,
            known_addresses: vec![],
            checkin_opened: vec![],
        };
        let h = history(&db.conn, "dc", &o).unwrap();
        let got: Vec<_> = h
            .iter()
            .map(|p| {
                (
                    p.date.to_string(),
                    p.counts.active,
                    p.counts.observer,
                    p.counts.dormant,
                    p.former,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // 2021-02-28 lies before the first message: history stops.
                ("2022-02-28".to_string(), 1, 0, 0, 0),
                ("2023-02-28".to_string(), 0, 1, 0, 0),
                ("2024-02-29".to_string(), 1, 0, 1, 0),
            ]
        );
    }

    #[test]
    fn the_table_is_the_same_whatever_the_ingest_order() {
        let records = || {
            let mut call = msg("call", "coord@a.org", "2025-01-10T09:00:00Z");
            call.subject = Some("Annual check-in 2025".into());
            let mut reply = msg("r1", "jane@a.org", "2025-01-11T09:00:00Z");
            reply.in_reply_to = Some("call".into());
            vec![
                call,
                reply,
                msg("p1", "bob@b.org", "2023-01-01T00:00:00Z"),
                msg("p2", "bob@b.org", "2025-05-01T00:00:00Z"),
                msg("p3", "al@c.org", "2019-01-01T00:00:00Z"),
            ]
        };
        let render = |db: &Db| {
            let t = db.table("2025-06-23", |o| {
                o.checkin_subject = Some("check-in".into())
            });
            (
                crate::report::csv::members_csv(&t).unwrap(),
                crate::report::csv::former_csv(&t).unwrap(),
                t.counts,
            )
        };
        let mut once = Db::new();
        once.file(records());
        let want = render(&once);
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [1, 3, 0, 4, 2]] {
            let mut db = Db::new();
            let all = records();
            for i in order {
                db.file(vec![all[i].clone()]);
            }
            // Overlapping archives: everything again adds nothing.
            db.file(records());
            assert_eq!(render(&db), want, "order {order:?}");
        }
    }

    #[test]
    fn an_unknown_coalition_lists_the_known_ones() {
        let db = Db::new();
        let o = MemberOptions {
            as_of: day("2025-06-23"),
            thresholds: Thresholds::default(),
            aliases: Aliases::default(),
            checkin_subject: None,
            known_addresses: vec![],
            checkin_opened: vec![],
        };
        let err = evaluate(&db.conn, "nope", &o).unwrap_err();
        assert_eq!(
            format!("{err:#}"),
            "no coalition 'nope' in the database (known: dc)"
        );
    }
}
