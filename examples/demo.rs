//! Writes the demo's input: four made-up coalitions with different lives over
//! seven and a half years, in the archive formats listpulse reads, with their
//! rosters, check-ins, aliases and a configuration.
//!
//! Usage: `cargo run --example demo -- [FOLDER]` (default `fixtures/demo`).
//! A development tool, not installed with listpulse. The output depends on nothing but this file: a fixed
//! seed, no clock, no environment, so a test can check that the committed
//! fixtures are exactly what it writes. Every person is invented (random
//! first and last names) and every address is at an `example.*` domain
//! (RFC 2606), so the demo never shows a real person.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

/// SplitMix64: tiny, fast, and the same on every platform and release.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// Poisson-ish count with mean `mean` (sum of coin flips; fine for a demo).
    fn count(&mut self, mean: f64) -> u32 {
        let n = (mean * 2.0).ceil() as u32;
        (0..n)
            .filter(|_| self.chance(mean / f64::from(n.max(1))))
            .count() as u32
    }
}

const FIRST: &[&str] = &[
    "Alba", "Bento", "Cyra", "Dagny", "Edvin", "Fenna", "Goran", "Hilde", "Ines", "Joro", "Kaia",
    "Lorin", "Maelis", "Nilo", "Orla", "Pavo", "Quilla", "Rasmus", "Sunniva", "Tarik", "Ulla",
    "Vesna", "Wim", "Xenia", "Yaro", "Zelie", "Amani", "Bodil", "Caetano", "Dilnoza", "Eero",
    "Faro", "Gaia", "Hamid", "Ilse", "Juno",
];
const LAST: &[&str] = &[
    "Quenneville",
    "Brakstad",
    "Oyelaran",
    "Vintergatan",
    "Marchetti-Lind",
    "Okonkwo-Ruiz",
    "Halvorsrud",
    "Pellegrino",
    "Tanaka-Moss",
    "Zubiri",
    "Achterberg",
    "Nwachukwu",
    "Delacroix-Berg",
    "Ferreira-Kahn",
    "Lindqvist",
    "Mbeki-Hart",
    "Sorensen-Ito",
    "Valdivia",
    "Whitcombe",
    "Yilmazer",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "example.net",
    "example.com",
    "mail.example.org",
    "uni.example.edu",
];
const TOPICS: &[&str] = &[
    "Draft statement for the annual meeting",
    "Call for input: outcome document",
    "Minutes of the monthly call",
    "Workshop proposal",
    "Survey results",
    "Volunteers for the session",
    "Reading list",
    "Next steps on the report",
    "Translation of the charter",
    "Funding opportunity",
    "New member introduction",
    "Comments on the draft",
    "Agenda for the next call",
    "Case studies wanted",
    "Website update",
];
const WORDS: &[&str] = &[
    "thanks",
    "for",
    "the",
    "draft",
    "I",
    "think",
    "we",
    "should",
    "add",
    "a",
    "section",
    "on",
    "access",
    "data",
    "policy",
    "the",
    "meeting",
    "next",
    "week",
    "agree",
    "with",
    "this",
    "proposal",
    "could",
    "someone",
    "share",
    "notes",
    "from",
    "our",
    "call",
    "please",
    "see",
    "attached",
    "comments",
    "happy",
    "to",
    "help",
    "coalition",
];

#[derive(Clone)]
struct Person {
    name: String,
    addr: String,
    /// Month index (0 = January 2018) from which they take part.
    joins: u32,
    /// Month index after which they stop posting.
    quits: u32,
    weight: u32,
}

struct Msg {
    when: NaiveDateTime,
    from: usize,
    subject: String,
    id: String,
    parent: Option<(String, Vec<String>)>,
    body: String,
    /// `Some(reason)` for mail that must be set aside (auto-reply, bounce).
    special: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Mbox,
    Pipermail,
    Maildir,
}

struct Coalition {
    slug: &'static str,
    name: &'static str,
    format: Format,
    people: Vec<Person>,
    coordinator: usize,
    messages: Vec<Msg>,
}

const MONTHS: u32 = 90; // January 2018 to June 2025.
const MEETINGS: &[(&str, &str)] = &[
    ("2018-11-12", "2018-11-14"),
    ("2019-11-25", "2019-11-29"),
    ("2020-11-02", "2020-11-17"),
    ("2021-12-06", "2021-12-10"),
    ("2022-11-28", "2022-12-02"),
    ("2023-10-08", "2023-10-12"),
    ("2024-12-15", "2024-12-19"),
];

fn month_start(t: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2018 + (t / 12) as i32, t % 12 + 1, 1).expect("valid month")
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("valid date")
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s: Vec<&str> = (0..words).map(|_| *rng.pick(WORDS)).collect();
    let first = s[0].to_string();
    let cap = first[..1].to_uppercase() + &first[1..];
    s[0] = &cap;
    format!("{}.", s.join(" "))
}

fn person(rng: &mut Rng, used: &mut Vec<String>, joins: u32, quits: u32, weight: u32) -> Person {
    loop {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let name = format!("{first} {last}");
        if used.contains(&name) {
            continue;
        }
        used.push(name.clone());
        let local = format!(
            "{}.{}",
            first.to_lowercase(),
            last.to_lowercase().replace('-', "")
        );
        let addr = format!("{local}@{}", rng.pick(DOMAINS));
        return Person {
            name,
            addr,
            joins,
            quits,
            weight,
        };
    }
}

/// Posting intensity (messages a month) of each coalition's life.
fn intensity(slug: &str, t: u32) -> f64 {
    let m = month_start(t);
    match slug {
        // Thriving: steady growth.
        "dc-open-data" => 6.0 + f64::from(t) / 7.0,
        // Carried by its coordinator: quiet, with bursts before each annual meeting.
        "dc-rural-access" => {
            let near = MEETINGS.iter().any(|(s, _)| {
                let s = day(s);
                let months = (s.year() - m.year()) * 12 + s.month() as i32 - m.month() as i32;
                (0..=1).contains(&months)
            });
            if near { 12.0 } else { 2.0 }
        }
        // Fading: lively at first, then a slow decline to near silence.
        "dc-net-heritage" => 16.0 * (-(f64::from(t)) / 22.0).exp() + 0.2,
        // Revived: lively, silent for three years, then relaunched.
        "dc-youth-voices" => match m.year() {
            2018 | 2019 => 8.0,
            2020..=2022 => 0.15,
            _ => 10.0,
        },
        _ => 0.0,
    }
}

fn build(
    rng: &mut Rng,
    slug: &'static str,
    name: &'static str,
    format: Format,
    used: &mut Vec<String>,
    shared: &[Person],
) -> Coalition {
    let mut people = Vec::new();
    let (n, coord_weight) = match slug {
        "dc-open-data" => (34, 6),
        "dc-rural-access" => (16, 200),
        "dc-net-heritage" => (22, 4),
        _ => (26, 5),
    };
    // The coordinator is there from the start.
    people.push(person(rng, used, 0, MONTHS, coord_weight));
    for i in 1..n {
        let (joins, quits) = match slug {
            "dc-open-data" => (rng.below(70) as u32, MONTHS - rng.below(3) as u32 * 20),
            "dc-net-heritage" => (rng.below(12) as u32, 12 + rng.below(60) as u32),
            "dc-youth-voices" if i < 12 => (rng.below(10) as u32, 20 + rng.below(8) as u32),
            "dc-youth-voices" => (60 + rng.below(24) as u32, MONTHS),
            _ => (rng.below(60) as u32, MONTHS),
        };
        let weight = 1 + rng.below(6) as u32;
        people.push(person(rng, used, joins, quits, weight));
    }
    // A few people take part in several coalitions.
    for p in shared {
        people.push(Person {
            weight: 2,
            ..p.clone()
        });
    }
    let mut c = Coalition {
        slug,
        name,
        format,
        people,
        coordinator: 0,
        messages: Vec::new(),
    };
    generate_messages(rng, &mut c);
    c
}

fn generate_messages(rng: &mut Rng, c: &mut Coalition) {
    let mut seq = 0u32;
    let mut next_id = |slug: &str| {
        seq += 1;
        format!("{slug}.{seq:05}@lists.example.org")
    };
    let as_of = day("2025-06-30");
    for t in 0..MONTHS {
        let start = month_start(t);
        let threads = rng.count(intensity(c.slug, t) / 2.2);
        for _ in 0..threads {
            let eligible: Vec<usize> = (0..c.people.len())
                .filter(|&i| c.people[i].joins <= t && t <= c.people[i].quits)
                .collect();
            if eligible.is_empty() {
                continue;
            }
            let author = weighted(rng, &c.people, &eligible);
            let when = start.and_hms_opt(0, 0, 0).expect("midnight")
                + Duration::minutes(rng.below(28 * 24 * 60) as i64);
            let subject = rng.pick(TOPICS).to_string();
            let root = next_id(c.slug);
            let words = 8 + rng.below(20) as usize;
            c.messages.push(Msg {
                when,
                from: author,
                subject: subject.clone(),
                id: root.clone(),
                parent: None,
                body: format!("{}\n{}\n", sentence(rng, words), sentence(rng, 6)),
                special: None,
            });
            // Replies: more in lively coalitions, few where one person carries the list.
            let mean_replies = match c.slug {
                "dc-rural-access" => 0.5,
                _ => 1.6,
            };
            let mut refs = vec![root.clone()];
            let mut last = when;
            for _ in 0..rng.count(mean_replies) {
                let replier = weighted(rng, &c.people, &eligible);
                last += Duration::minutes(30 + rng.below(5 * 24 * 60) as i64);
                if last.date() > as_of {
                    break;
                }
                let id = next_id(c.slug);
                c.messages.push(Msg {
                    when: last,
                    from: replier,
                    subject: format!("Re: {subject}"),
                    id: id.clone(),
                    parent: Some((refs.last().cloned().unwrap_or_default(), refs.clone())),
                    body: format!("{}\n\n> {}\n", sentence(rng, 10), sentence(rng, 5)),
                    special: None,
                });
                refs.push(id);
            }
            // Now and then an out-of-office answer: stored, never counted.
            if rng.chance(0.03) {
                let away = weighted(rng, &c.people, &eligible);
                c.messages.push(Msg {
                    when: when + Duration::minutes(3),
                    from: away,
                    subject: format!("Automatic reply: {subject}"),
                    id: next_id(c.slug),
                    parent: Some((root.clone(), vec![root.clone()])),
                    body: "I am out of the office and will answer when I am back.\n".into(),
                    special: Some("auto-reply"),
                });
            }
        }
    }
    // This year's check-in round: the coordinator asks, members answer in the thread.
    let ask = day("2025-06-02").and_hms_opt(9, 0, 0).expect("time");
    let root = next_id(c.slug);
    c.messages.push(Msg {
        when: ask,
        from: c.coordinator,
        subject: "Annual check-in 2025".into(),
        id: root.clone(),
        parent: None,
        body: "Dear all, please reply to tell us whether you want to stay a full member or an observer.\n".into(),
        special: None,
    });
    let answer_rate = match c.slug {
        "dc-net-heritage" => 0.1,
        "dc-rural-access" => 0.25,
        _ => 0.45,
    };
    for i in 1..c.people.len() {
        // Only people still on the list see the call.
        if c.people[i].joins <= 89 && c.people[i].quits >= 80 && rng.chance(answer_rate) {
            let observer = rng.chance(0.4);
            c.messages.push(Msg {
                when: ask + Duration::hours(2 + rng.below(20 * 24) as i64),
                from: i,
                subject: "Re: Annual check-in 2025".into(),
                id: next_id(c.slug),
                parent: Some((root.clone(), vec![root.clone()])),
                body: if observer {
                    "Please keep me on the list as an Observer for now.\n".into()
                } else {
                    "Count me in as a full member, thanks.\n".into()
                },
                special: None,
            });
        }
    }
    c.messages
        .sort_by(|a, b| (a.when, &a.id).cmp(&(b.when, &b.id)));
}

fn weighted(rng: &mut Rng, people: &[Person], eligible: &[usize]) -> usize {
    let total: u64 = eligible.iter().map(|&i| u64::from(people[i].weight)).sum();
    let mut x = rng.below(total);
    for &i in eligible {
        let w = u64::from(people[i].weight);
        if x < w {
            return i;
        }
        x -= w;
    }
    eligible[0]
}

fn rfc2822(t: NaiveDateTime) -> String {
    t.format("%a, %-d %b %Y %H:%M:%S +0000").to_string()
}

fn headers(c: &Coalition, m: &Msg, obfuscated: bool) -> String {
    let p = &c.people[m.from];
    let mut h = String::new();
    let (addr, name) = match m.special {
        Some("bounce") => (
            "mailer-daemon@lists.example.org".to_string(),
            "Mail Delivery System".to_string(),
        ),
        _ => (p.addr.clone(), p.name.clone()),
    };
    if obfuscated {
        let _ = writeln!(h, "From: {} ({name})", archived_address(c, m.when, &addr));
    } else {
        let _ = writeln!(h, "From: \"{name}\" <{addr}>");
        let _ = writeln!(h, "To: {}@lists.example.org", c.slug);
    }
    let _ = writeln!(h, "Date: {}", rfc2822(m.when));
    let _ = writeln!(h, "Subject: [{}] {}", c.slug, m.subject);
    if let Some((parent, refs)) = &m.parent {
        let _ = writeln!(h, "In-Reply-To: <{parent}>");
        let refs: Vec<String> = refs.iter().map(|r| format!("<{r}>")).collect();
        let _ = writeln!(h, "References: {}", refs.join(" "));
    }
    let _ = writeln!(h, "Message-ID: <{}>", m.id);
    if m.special == Some("auto-reply") && !obfuscated {
        let _ = writeln!(h, "Auto-Submitted: auto-replied");
    }
    if !obfuscated {
        let _ = writeln!(
            h,
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8"
        );
    }
    h
}

/// How the list's pipermail archive shows an address: `jane at example.org`,
/// and on the Rural Connectivity list from 2019 scrambled the way
/// stat.ethz.ch's Mailman does (DESIGN.md, "Person"), so the demo shows
/// scrambled keys finding their person.
fn archived_address(c: &Coalition, when: NaiveDateTime, addr: &str) -> String {
    if c.slug == "dc-rural-access" && when.year() >= 2019 {
        listpulse::identity::SCHEMES[0]
            .scramble(addr)
            .expect("an address")
    } else {
        addr.replace('@', " at ")
    }
}

fn envelope(sender: &str, t: NaiveDateTime) -> String {
    format!("From {sender}  {}\n", t.format("%a %b %e %H:%M:%S %Y"))
}

fn write_file(path: &Path, bytes: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create folder");
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    // mtime 0 and no file name: the same input always gives the same file.
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

fn write_archives(root: &Path, c: &Coalition) {
    let dir = root.join("archives").join(c.slug);
    match c.format {
        Format::Mbox => {
            let mut years: BTreeMap<i32, String> = BTreeMap::new();
            for m in &c.messages {
                let s = years.entry(m.when.year()).or_default();
                s.push_str(&envelope(&c.people[m.from].addr, m.when));
                s.push_str(&headers(c, m, false));
                s.push('\n');
                s.push_str(&m.body);
                s.push('\n');
            }
            for (y, text) in years {
                write_file(&dir.join(format!("{y}.mbox")), text.as_bytes());
            }
        }
        Format::Pipermail => {
            let mut months: BTreeMap<(i32, u32), String> = BTreeMap::new();
            for m in &c.messages {
                let s = months.entry((m.when.year(), m.when.month())).or_default();
                s.push_str(&envelope(
                    &archived_address(c, m.when, &c.people[m.from].addr),
                    m.when,
                ));
                s.push_str(&headers(c, m, true));
                s.push('\n');
                s.push_str(&m.body);
                s.push('\n');
            }
            for ((y, mo), text) in months {
                let month = month_start((y as u32 - 2018) * 12 + mo - 1).format("%B");
                // Old months compressed, as Mailman rotates them; the current one plain.
                if (y, mo) >= (2025, 6) {
                    write_file(&dir.join(format!("{y}-{month}.txt")), text.as_bytes());
                } else {
                    write_file(
                        &dir.join(format!("{y}-{month}.txt.gz")),
                        &gzip(text.as_bytes()),
                    );
                }
            }
        }
        Format::Maildir => {
            for (i, m) in c.messages.iter().enumerate() {
                let ts = m.when.and_utc().timestamp();
                // The last few messages are still unread, as in a live maildir.
                let (sub, suffix) = if i + 5 >= c.messages.len() {
                    ("new", "")
                } else {
                    ("cur", ":2,S")
                };
                let mut text = format!("Return-Path: <{}>\n", c.people[m.from].addr);
                text.push_str(&headers(c, m, false));
                text.push('\n');
                text.push_str(&m.body);
                write_file(
                    &dir.join(sub).join(format!("{ts}.M{i:05}P1.demo{suffix}")),
                    text.as_bytes(),
                );
            }
        }
    }
}

/// The years a coordinator exported the roster, each on 1 June: the
/// snapshots the demo's history is evaluated with.
const ROSTER_YEARS: std::ops::RangeInclusive<i32> = 2019..=2025;

fn roster_file(slug: &str, year: i32) -> String {
    format!("rosters/{slug}-{year}.csv")
}

fn write_roster_and_checkins(rng: &mut Rng, root: &Path, c: &Coalition, used: &mut Vec<String>) {
    // (person, status, the month they unsubscribed if they did)
    let mut subscribers: Vec<(Person, &str, Option<u32>)> = Vec::new();
    for p in &c.people {
        // Half of those who stopped posting unsubscribe six months later;
        // the rest stay subscribed and silent.
        let gone = (p.quits < 60 && rng.chance(0.5)).then_some(p.quits + 6);
        let status = if rng.chance(0.1) { "observer" } else { "" };
        subscribers.push((p.clone(), status, gone));
    }
    // Subscribers who never write: listeners, the people check-ins are for.
    for i in 0..6 {
        let joins = rng.below(80) as u32;
        let q = person(rng, used, joins, MONTHS, 0);
        let status = if i % 3 == 0 { "observer" } else { "" };
        subscribers.push((q, status, None));
    }
    for year in ROSTER_YEARS {
        let month = (year as u32 - 2018) * 12 + 5;
        let mut roster = String::from("address,name,joined,status\n");
        let mut seen: Vec<&str> = Vec::new();
        for (p, status, gone) in &subscribers {
            if p.joins > month
                || gone.is_some_and(|g| g <= month)
                || seen.contains(&p.addr.as_str())
            {
                continue;
            }
            seen.push(&p.addr);
            let _ = writeln!(
                roster,
                "{},{},{},{status}",
                p.addr,
                p.name,
                month_start(p.joins).format("%Y-%m-%d")
            );
        }
        write_file(&root.join(roster_file(c.slug, year)), roster.as_bytes());
    }

    // Last year's round, answered by mail to the coordinator and typed in.
    let mut checkins = String::from("address,date,status\n");
    for p in c.people.iter().skip(1) {
        if p.joins < 70 && rng.chance(0.3) {
            let status = match rng.below(10) {
                0 => "leave",
                1..=4 => "observer",
                _ => "full",
            };
            let d = day("2024-06-03") + Duration::days(rng.below(30) as i64);
            let _ = writeln!(checkins, "{},{},{status}", p.addr, d);
        }
    }
    // The Open Data Coalition is in the middle of this year's round: besides
    // the replies on the list, the coordinator typed in answers that came by
    // private mail (one asks to leave), and one from an address that is no
    // member's (a private address, for the coordinator to add as an alias).
    if c.slug == "dc-open-data" {
        let answered: Vec<&str> = c
            .messages
            .iter()
            .filter(|m| m.subject == "Re: Annual check-in 2025")
            .map(|m| c.people[m.from].addr.as_str())
            .collect();
        let mut typed = 0;
        for p in c.people.iter().skip(1) {
            if typed == 3 || answered.contains(&p.addr.as_str()) || p.joins > 60 || p.quits < 80 {
                continue;
            }
            // The one who leaves has not written since: leave.txt has them.
            let quiet_since_june = !c
                .messages
                .iter()
                .any(|m| c.people[m.from].addr == p.addr && m.when.date() >= day("2025-06-01"));
            if typed == 0 && !quiet_since_june {
                continue;
            }
            let status = ["leave", "observer", "full"][typed];
            let d = day("2025-06-09") + Duration::days(3 * typed as i64);
            let _ = writeln!(checkins, "{},{},{status}", p.addr, d);
            typed += 1;
        }
        let _ = writeln!(checkins, "ines.private@home.example.net,2025-06-20,full");
    }
    write_file(
        &root.join("checkins").join(format!("{}.csv", c.slug)),
        checkins.as_bytes(),
    );
}

fn config(coalitions: &[Coalition], aliases: &[(String, String)]) -> String {
    let mut s = String::from(
        "# The demo: four invented coalitions. Generated by `cargo run --example demo`;\n\
         # run it with `cargo run --release -- run --config fixtures/demo/listpulse.toml`.\n\
         database = \"../../target/demo.db\"\n\
         output = \"../../reports/demo\"\n\
         as_of = \"2025-06-30\"\n\
         period = \"365d\"\n\
         inactivity = \"2y\"\n",
    );
    let meetings: Vec<String> = MEETINGS
        .iter()
        .map(|(a, b)| format!("  [\"{a}\", \"{b}\"],"))
        .collect();
    for c in coalitions {
        let archives = match c.format {
            Format::Mbox => format!("[\"archives/{}/*.mbox\"]", c.slug),
            Format::Pipermail => format!(
                "[\"archives/{0}/*.txt.gz\", \"archives/{0}/*.txt\"]",
                c.slug
            ),
            Format::Maildir => format!("[\"archives/{}\"]", c.slug),
        };
        let _ = write!(
            s,
            "\n[[coalition]]\nslug = \"{slug}\"\nname = \"{name}\"\narchives = {archives}\ncheckins = \"checkins/{slug}.csv\"\n",
            slug = c.slug,
            name = c.name
        );
        // The coordinator's yearly exports, each the snapshot of its day:
        // pinned dates, so the demo's output is the same whatever the day.
        let rosters: Vec<String> = ROSTER_YEARS
            .map(|y| {
                format!(
                    "  {{ path = \"{}\", date = \"{y}-06-01\" }},",
                    roster_file(c.slug, y)
                )
            })
            .collect();
        let _ = writeln!(s, "rosters = [\n{}\n]", rosters.join("\n"));
        if aliases.iter().any(|(slug, _)| slug == c.slug) {
            let _ = writeln!(s, "aliases = \"aliases/{}.txt\"", c.slug);
        }
        // Every year's round has its subject; last year's was answered by
        // private mail only, typed into the check-in file: its day is
        // configured.
        let _ = writeln!(
            s,
            "checkin_subject = \"Annual check-in {{year}}\"\ncheckin_opened = [\"2024-06-03\"]\nlist_address = \"{}@lists.example.org\"\ncoordinators = [\"{}\"]\nannual_meeting = [\n{}\n]\nmeeting_window = \"30d\"",
            c.slug,
            c.people[c.coordinator].addr,
            meetings.join("\n")
        );
    }
    s
}

/// Writes the whole demo under `root`.
fn generate(root: &Path) {
    let mut rng = Rng(20_250_630);
    let mut used = Vec::new();
    let shared: Vec<Person> = (0..4)
        .map(|_| person(&mut rng, &mut used, 0, MONTHS, 2))
        .collect();
    let specs = [
        (
            "dc-open-data",
            "Open Data Coalition",
            Format::Mbox,
            &shared[..3],
        ),
        (
            "dc-rural-access",
            "Rural Connectivity Coalition",
            Format::Pipermail,
            &shared[2..3],
        ),
        (
            "dc-net-heritage",
            "Net Heritage Coalition",
            Format::Maildir,
            &shared[1..],
        ),
        (
            "dc-youth-voices",
            "Youth Voices Coalition",
            Format::Pipermail,
            &shared[..2],
        ),
    ];
    let mut coalitions = Vec::new();
    for (slug, name, format, shared) in specs {
        coalitions.push(build(&mut rng, slug, name, format, &mut used, shared));
    }
    // One thriving-coalition member writes from a second address: listed in the
    // aliases file. Another does too but is not listed: a duplicate suggestion.
    let mut aliases = Vec::new();
    {
        let c = &mut coalitions[0];
        for (k, listed) in [(5usize, true), (7usize, false)] {
            let p = c.people[k].clone();
            let second = format!(
                "{}@work.example.net",
                p.addr.split('@').next().unwrap_or("x")
            );
            let idx = c.people.len();
            c.people.push(Person {
                addr: second.clone(),
                ..p.clone()
            });
            let mut n = 0;
            for m in c.messages.iter_mut().filter(|m| m.from == k) {
                n += 1;
                if n % 3 == 0 {
                    m.from = idx;
                }
            }
            if listed {
                aliases.push((c.slug.to_string(), format!("{} {}", p.addr, second)));
            }
        }
    }
    for c in &coalitions {
        write_archives(root, c);
        write_roster_and_checkins(&mut rng, root, c, &mut used);
    }
    for (slug, line) in &aliases {
        let text = format!("# One person a line: their addresses, separated by spaces.\n{line}\n");
        write_file(
            &root.join("aliases").join(format!("{slug}.txt")),
            text.as_bytes(),
        );
    }
    write_file(
        &root.join("listpulse.toml"),
        config(&coalitions, &aliases).as_bytes(),
    );
}

fn main() {
    let root: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"));
    if root.exists() {
        // Start clean so files from an older generator do not linger.
        for sub in ["archives", "rosters", "checkins", "aliases"] {
            let _ = std::fs::remove_dir_all(root.join(sub));
        }
    }
    generate(&root);
}
