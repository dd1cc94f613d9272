//! Identity: which addresses are one person (DESIGN.md, "Person").
//!
//! This module owns every rule about addresses: how an address is
//! normalised wherever it comes from (a sender in an archive, a roster, a
//! check-in row, an aliases line), the obfuscations list archives apply
//! (pipermail's `jane at example.org`, undone; stat.ethz.ch's irreversible
//! scrambling, kept as a key and matched against known real addresses), and
//! the grouping of addresses into persons ([`resolve`]). Ingest calls it for
//! senders; it calls nothing upstream.
//!
//! The scrambling schemes are one small table, [`SCHEMES`]: the next archive
//! host's scheme is one more row.

use foldhash::{HashMap, HashMapExt};

/// An irreversible address scrambling, as a list archive applied it.
///
/// DESIGN.md, "Person": "an address is written as its local part,
/// ` sending from `, its domain, with `a`, `s` and `.` replaced by `@` [...]
/// Upper-case letters are left as they are, so a key is compared under its
/// own scheme [...] after lower-casing it and applying that scheme's
/// replacements again".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    /// Where and since when it was seen, for documentation and reports.
    pub name: &'static str,
    /// What ` sending from ` becomes under the scheme: how a key is recognised.
    pub marker: &'static str,
    /// Lower-case characters replaced, and what replaces them.
    pub replace: &'static [(char, char)],
}

/// The schemes seen in real archives, most specific first (a key is judged
/// by the first whose marker it holds).
pub const SCHEMES: &[Scheme] = &[
    Scheme {
        name: "stat.ethz.ch Mailman, from January 2019",
        marker: " @end|ng |rom ",
        replace: &[
            ('a', '@'),
            ('s', '@'),
            ('.', '@'),
            ('i', '|'),
            ('l', '|'),
            ('f', '|'),
        ],
    },
    Scheme {
        name: "stat.ethz.ch Mailman, from May 2018",
        marker: " @ending from ",
        replace: &[('a', '@'), ('s', '@'), ('.', '@')],
    },
];

impl Scheme {
    /// Lower-cases `text` and applies the replacements: the form two keys,
    /// or a key and a scrambled real address, are compared in.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars().flat_map(char::to_lowercase) {
            out.push(
                self.replace
                    .iter()
                    .find(|(from, _)| *from == c)
                    .map_or(c, |(_, to)| *to),
            );
        }
        out
    }

    /// A real address as this scheme writes it, in compared form.
    ///
    /// ```
    /// use listpulse::identity::SCHEMES;
    /// assert_eq!(SCHEMES[0].scramble("pd.mes@cbs.dk").unwrap(), "pd@me@ @end|ng |rom cb@@dk");
    /// assert_eq!(SCHEMES[1].scramble("pd.mes@cbs.dk").unwrap(), "pd@me@ @ending from cb@@dk");
    /// ```
    pub fn scramble(&self, address: &str) -> Option<String> {
        let (local, domain) = address.rsplit_once('@')?;
        let mut out = String::with_capacity(address.len() + 14);
        out.push_str(local);
        out.push_str(" sending from ");
        out.push_str(domain);
        Some(self.apply(&out))
    }
}

/// The scheme a scrambled key was written in, if it is one.
pub fn scheme_of(key: &str) -> Option<&'static Scheme> {
    // Every marker holds a space and no normalised real address does: the
    // common case costs one scan and no allocation.
    if !key.contains(' ') {
        return None;
    }
    let lower = key.to_lowercase();
    SCHEMES.iter().find(|s| lower.contains(s.marker))
}

/// Whether `addr` is a scrambled key rather than a real address.
pub fn is_scrambled(addr: &str) -> bool {
    scheme_of(addr).is_some()
}

/// The form a scrambled key is compared in: its scheme applied again to
/// the lower-cased key (`S@E|||@on @end|ng |rom LGCGroup@com` becomes
/// `@@e|||@on @end|ng |rom |gcgroup@com`). `None` for a real address.
pub fn compared_key(key: &str) -> Option<String> {
    let scheme = scheme_of(key)?;
    Some(scheme.apply(&collapse_spaces(key)))
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sender written in an obfuscated form, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obscured<'a> {
    /// The address (pipermail, undone) or the scrambled key, normalised.
    pub address: String,
    /// The trailing `(comment)`, which holds the display name.
    pub comment: Option<&'a str>,
    /// Text before `<` when the address was in angle brackets.
    pub before_bracket: Option<&'a str>,
}

/// Reads the obfuscated sender forms DESIGN.md names, or `None` when `raw`
/// is an ordinary address (for the mail parser to read).
///
/// - a scrambled key (`pd@me@ @end|ng |rom cb@@dk (Peter Dalgaard)`), kept
///   as the archive shows it, lower-cased and with white space collapsed
///   (keys are *compared* in [`compared_key`] form);
/// - pipermail's `jane at example.org (Jane Doe)`, undone.
///
/// ```
/// use listpulse::identity::obscured;
/// let o = obscured("Jane.Doe at Example.org (Jane Doe)").unwrap();
/// assert_eq!((o.address.as_str(), o.comment), ("jane.doe@example.org", Some("Jane Doe")));
/// assert_eq!(obscured("jane@example.org"), None);
/// ```
pub fn obscured(raw: &str) -> Option<Obscured<'_>> {
    let (addr_part, comment) = split_comment(raw);
    let before_bracket = raw.split('<').next().filter(|_| raw.contains('<'));
    if scheme_of(raw).is_some() {
        let address = collapse_spaces(bracketed(addr_part)).to_lowercase();
        return Some(Obscured {
            address,
            comment,
            before_bracket,
        });
    }
    // The comment may hold the real address (`h95mr at mun.ca (h95mr@mun.ca)`);
    // only the address part decides.
    if addr_part.contains('@') {
        return None;
    }
    let (left, right) = bracketed(addr_part).split_once(" at ")?;
    let local = left.split_whitespace().last()?;
    let domain = right.split_whitespace().next()?;
    if !domain.contains('.') && domain.len() < 2 {
        return None;
    }
    Some(Obscured {
        address: lower_trim(&format!("{local}@{domain}")),
        comment,
        before_bracket,
    })
}

/// Splits a trailing `(comment)` off: (the rest, the comment's inside).
pub fn split_comment(raw: &str) -> (&str, Option<&str>) {
    let t = raw.trim();
    if t.ends_with(')')
        && let Some(open) = t.find(" (").map(|i| i + 1).or_else(|| t.find('('))
    {
        return (t[..open].trim(), Some(&t[open + 1..t.len() - 1]));
    }
    (t, None)
}

/// What is inside `<…>`, or the whole.
pub fn bracketed(s: &str) -> &str {
    match (s.find('<'), s.rfind('>')) {
        (Some(open), Some(close)) if open < close => s[open + 1..close].trim(),
        _ => s.trim(),
    }
}

/// DESIGN.md: "addresses are compared lower-cased and trimmed".
pub fn lower_trim(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Normalises an address typed anywhere (a roster, a check-in row, an
/// aliases line): the same key ingest stores for the same sender, so the
/// two meet. Lower-cased and trimmed; pipermail's `x at y` undone; a
/// scrambled key kept as a key; angle brackets and a trailing `(Name)`
/// dropped.
///
/// ```
/// use listpulse::identity::normalize_address;
/// assert_eq!(normalize_address("  Jane@Example.ORG "), "jane@example.org");
/// assert_eq!(normalize_address("jane at example.org (Jane Doe)"), "jane@example.org");
/// assert_eq!(normalize_address("<jane@example.org>"), "jane@example.org");
/// ```
pub fn normalize_address(raw: &str) -> String {
    if let Some(o) = obscured(raw) {
        return o.address;
    }
    let (addr, _) = split_comment(raw);
    lower_trim(addr.trim_start_matches('<').trim_end_matches('>'))
}

/// Whether `addr` (already normalised) can name a person: a real address
/// (something, an `@`, something, no white space) or a scrambled key.
pub fn looks_like_address(addr: &str) -> bool {
    if is_scrambled(addr) {
        return true;
    }
    is_real_address(addr)
}

/// Whether `addr` (already normalised) is a real address, not a key.
pub fn is_real_address(addr: &str) -> bool {
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
    let mut out = String::with_capacity(raw.len());
    for word in raw.split_whitespace() {
        let start = out.len();
        if start > 0 {
            out.push(' ');
        }
        out.extend(
            word.chars()
                .filter(|c| !matches!(c, '"' | '\''))
                .flat_map(char::to_lowercase),
        );
        if out.len() == start + 1 || (start == 0 && out.is_empty()) {
            out.truncate(start); // the word was all quotes
        }
    }
    out
}

/// Addresses named together in an aliases file: one person a group
/// (DESIGN.md: "Addresses named together in an aliases file [...] are one
/// person"). Reading the file is [`crate::inputs::aliases`]' job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    /// Each line's addresses, normalised.
    pub groups: Vec<Vec<String>>,
}

/// A scrambled key that matches real addresses of two or more persons: it
/// links to none of them (DESIGN.md: "the report says so").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ambiguity {
    /// The key as stored.
    pub key: String,
    /// The real addresses it could stand for, sorted.
    pub candidates: Vec<String>,
}

/// Addresses grouped into persons.
#[derive(Debug, Clone, Default)]
pub struct Persons {
    /// Each person's addresses: real addresses first, then keys, each sorted.
    pub groups: Vec<Vec<String>>,
    /// Address → index into `groups`.
    index: HashMap<String, usize>,
    /// Keys that could not be linked because they match several persons.
    pub ambiguous: Vec<Ambiguity>,
}

impl Persons {
    /// The person `address` belongs to.
    pub fn of(&self, address: &str) -> Option<usize> {
        self.index.get(address).copied()
    }
}

/// Groups `addresses` (normalised; repeats are fine) into persons.
///
/// 1. Addresses on one aliases line are one person.
/// 2. Scrambled keys equal in compared form are one address.
/// 3. A key whose compared form is what its own scheme makes of exactly one
///    person's real address joins that person; matching two or more persons
///    it joins none and is reported. A key the aliases file already ties to
///    a real address is left as the file says.
///
/// The aliases' own addresses count as known addresses, so a scrambled key
/// finds a person named only there.
pub fn resolve<'a>(addresses: impl IntoIterator<Item = &'a str>, aliases: &'a Aliases) -> Persons {
    let mut names: Vec<&str> = Vec::new();
    let mut id: HashMap<&str, usize> = HashMap::new();
    let mut intern = |a: &'a str, names: &mut Vec<&'a str>| -> usize {
        *id.entry(a).or_insert_with(|| {
            names.push(a);
            names.len() - 1
        })
    };
    let alias_ids: Vec<Vec<usize>> = aliases
        .groups
        .iter()
        .map(|g| g.iter().map(|a| intern(a.as_str(), &mut names)).collect())
        .collect();
    for a in addresses {
        intern(a, &mut names);
    }
    let mut uf = UnionFind::new(names.len());
    for group in &alias_ids {
        for pair in group.windows(2) {
            uf.union(pair[0], pair[1]);
        }
    }
    // Keys by compared form; then real addresses by what each scheme in use
    // makes of them (none at all on a list without keys, the usual case).
    let mut keys: HashMap<String, Vec<usize>> = HashMap::new();
    let mut in_use: Vec<&Scheme> = Vec::new();
    for (i, a) in names.iter().enumerate() {
        if let Some(scheme) = scheme_of(a) {
            keys.entry(scheme.apply(&collapse_spaces(a)))
                .or_default()
                .push(i);
            if !in_use.contains(&scheme) {
                in_use.push(scheme);
            }
        }
    }
    let mut scrambled: HashMap<String, Vec<usize>> = HashMap::new();
    if !in_use.is_empty() {
        for (i, a) in names.iter().enumerate() {
            if is_real_address(a) {
                for scheme in &in_use {
                    if let Some(s) = scheme.scramble(a) {
                        scrambled.entry(s).or_default().push(i);
                    }
                }
            }
        }
    }
    for same in keys.values() {
        for pair in same.windows(2) {
            uf.union(pair[0], pair[1]);
        }
    }
    // Decide every link against the grouping before any scramble link, so
    // the outcome does not depend on the order keys are looked at.
    let has_real = {
        let mut v = vec![false; names.len()];
        for (i, a) in names.iter().enumerate() {
            if is_real_address(a) {
                let r = uf.find(i);
                v[r] = true;
            }
        }
        v
    };
    let mut links: Vec<(usize, usize)> = Vec::new();
    let mut ambiguous = Vec::new();
    let mut key_forms: Vec<(&String, &Vec<usize>)> = keys.iter().collect();
    key_forms.sort();
    for (compared, members) in key_forms {
        let Some(reals) = scrambled.get(compared) else {
            continue;
        };
        let root = uf.find(members[0]);
        let mut persons: Vec<usize> = reals.iter().map(|&r| uf.find(r)).collect();
        persons.sort_unstable();
        persons.dedup();
        if persons.contains(&root) || has_real[root] {
            // Already one person with a match, or tied to a real address by
            // the aliases file: the file wins.
            continue;
        }
        match persons.as_slice() {
            [one] => links.push((root, *one)),
            _ => {
                let mut candidates: Vec<String> =
                    reals.iter().map(|&r| names[r].to_string()).collect();
                candidates.sort();
                let mut shown: Vec<&str> = members.iter().map(|&m| names[m]).collect();
                shown.sort();
                ambiguous.push(Ambiguity {
                    key: shown[0].to_string(),
                    candidates,
                });
            }
        }
    }
    for (a, b) in links {
        uf.union(a, b);
    }
    let mut by_root: HashMap<usize, Vec<String>> = HashMap::new();
    for (i, a) in names.iter().enumerate() {
        by_root.entry(uf.find(i)).or_default().push(a.to_string());
    }
    let mut groups: Vec<Vec<String>> = by_root
        .into_values()
        .map(|mut g| {
            g.sort_by(|a, b| (is_scrambled(a), a).cmp(&(is_scrambled(b), b)));
            g
        })
        .collect();
    groups.sort();
    let mut index = HashMap::with_capacity(names.len());
    for (i, g) in groups.iter().enumerate() {
        for a in g {
            index.insert(a.clone(), i);
        }
    }
    ambiguous.sort_by(|a, b| a.key.cmp(&b.key));
    Persons {
        groups,
        index,
        ambiguous,
    }
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// How strong the evidence for a suggested duplicate is, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// The same display name and the same local part.
    NameAndLocalPart,
    /// The same display name.
    Name,
    /// The same local part at different domains.
    LocalPart,
}

/// One person as duplicate detection sees it.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    /// Their addresses.
    pub addresses: &'a [String],
    /// Every display name they were seen with.
    pub names: Vec<&'a str>,
}

/// A group of persons that may be one, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// How strong the evidence is.
    pub evidence: Evidence,
    /// E.g. `same name "jane doe"`.
    pub why: String,
    /// Indices into the candidates passed in, sorted.
    pub persons: Vec<usize>,
}

/// Local parts this short (`pd`, `jo`) are shared by chance too often to
/// suggest anything (DESIGN.md: "the same-local-part heuristic ignores local
/// parts of one or two characters").
const MIN_LOCAL_PART: usize = 3;

/// Likely duplicates among `persons`: DESIGN.md says they are "*suggested*
/// in the report, never merged silently". Persons sharing a normalised
/// display name (a scrambled key's person and a real address's person
/// included), and persons sharing a local part of three or more characters
/// at different domains (real addresses only: a key's local part is
/// scrambled). Ranked by evidence (same name and local part, then same name,
/// then same local part), then by what is shared.
pub fn suggest_duplicates(persons: &[Candidate<'_>]) -> Vec<Suggestion> {
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut by_local: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in persons.iter().enumerate() {
        for name in &p.names {
            let name = normalize_name(name);
            // A "name" that is just an address tells nothing more.
            if !name.is_empty() && !name.contains('@') {
                push_once(by_name.entry(name).or_default(), i);
            }
        }
        for addr in p.addresses {
            if is_scrambled(addr) {
                continue;
            }
            if let Some((local, _)) = addr.rsplit_once('@')
                && local.chars().count() >= MIN_LOCAL_PART
            {
                push_once(by_local.entry(local).or_default(), i);
            }
        }
    }
    let shared = |mut v: Vec<usize>| {
        v.sort_unstable();
        v.dedup();
        (v.len() > 1).then_some(v)
    };
    let locals: Vec<(&str, Vec<usize>)> = by_local
        .into_iter()
        .filter_map(|(l, v)| shared(v).map(|v| (l, v)))
        .collect();
    let mut out = Vec::new();
    let mut covered: Vec<&Vec<usize>> = Vec::new();
    for (name, v) in by_name {
        let Some(v) = shared(v) else { continue };
        // The same persons also share a local part: the strongest evidence.
        match locals.iter().find(|(_, l)| *l == v) {
            Some((local, l)) => {
                covered.push(l);
                out.push(Suggestion {
                    evidence: Evidence::NameAndLocalPart,
                    why: format!("same name \"{name}\" and local part \"{local}\""),
                    persons: v,
                });
            }
            None => out.push(Suggestion {
                evidence: Evidence::Name,
                why: format!("same name \"{name}\""),
                persons: v,
            }),
        }
    }
    for (local, v) in &locals {
        if !covered.contains(&v) {
            out.push(Suggestion {
                evidence: Evidence::LocalPart,
                why: format!("same local part \"{local}\" at different domains"),
                persons: v.clone(),
            });
        }
    }
    out.sort_by(|a, b| (a.evidence, &a.why, &a.persons).cmp(&(b.evidence, &b.why, &b.persons)));
    out
}

fn push_once(v: &mut Vec<usize>, i: usize) {
    if v.last() != Some(&i) {
        v.push(i);
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
    #[case::key_2019(
        "  M@ech|er   @end|ng |rom  R-Project@org (Martin)",
        "m@ech|er @end|ng |rom r-project@org"
    )]
    #[case::key_2018("pd@me@ @ending from cb@@dk", "pd@me@ @ending from cb@@dk")]
    fn addresses_are_normalised(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(normalize_address(raw), want);
    }

    #[rstest]
    // DESIGN.md's own examples.
    #[case::design_2018("pd.mes@cbs.dk", "pd@me@ @ending from cb@@dk", true)]
    #[case::design_2019("pd.mes@cbs.dk", "pd@me@ @end|ng |rom cb@@dk", true)]
    #[case::upper_case_kept_by_the_scheme(
        "s.ellison@lgcgroup.com",
        "S@E|||@on @end|ng |rom LGCGroup@com",
        true
    )]
    #[case::upper_case_2018("s.ellison@lgcgroup.com", "S@Elli@on @ending from LGCGroup@com", true)]
    #[case::each_key_under_its_own_scheme("pd.mes@cbs.dk", "pd@me@ @end|ng |rom cb@@dk x", false)]
    #[case::another_address("pd.mez@cbs.dk", "pd@me@ @end|ng |rom cb@@dk", false)]
    fn a_key_meets_the_real_address_it_scrambles(
        #[case] real: &str,
        #[case] key: &str,
        #[case] same: bool,
    ) {
        let key = normalize_address(key);
        let scheme = scheme_of(&key).unwrap();
        assert_eq!(
            scheme.scramble(real).unwrap() == compared_key(&key).unwrap(),
            same
        );
        let persons = resolve([real, key.as_str()], &Aliases::default());
        assert_eq!(persons.groups.len(), if same { 1 } else { 2 });
    }

    #[test]
    fn a_2019_key_is_not_compared_under_the_2018_scheme() {
        // "pd@me@ @ending from cb@@dk" scrambles milena@... under 2018 only.
        let persons = resolve(
            [
                "pd.mes@cbs.dk",
                "pd@me@ @ending from cb@@dk",
                "pd@|gd @end|ng |rom gm@||@com",
            ],
            &Aliases::default(),
        );
        assert_eq!(persons.groups.len(), 2);
        assert_eq!(
            persons.groups[persons.of("pd.mes@cbs.dk").unwrap()],
            ["pd.mes@cbs.dk", "pd@me@ @ending from cb@@dk"]
        );
    }

    #[test]
    fn a_key_matching_two_persons_links_to_neither_and_is_reported() {
        let persons = resolve(
            [
                "pd.mes@cbs.dk",
                "pdames@cbs.dk",
                "pd@me@ @end|ng |rom cb@@dk",
            ],
            &Aliases::default(),
        );
        assert_eq!(persons.groups.len(), 3);
        assert_eq!(
            persons.ambiguous,
            [Ambiguity {
                key: "pd@me@ @end|ng |rom cb@@dk".into(),
                candidates: vec!["pd.mes@cbs.dk".into(), "pdames@cbs.dk".into()],
            }]
        );
        // The same two addresses as one person (aliases): no ambiguity.
        let aliases = Aliases {
            groups: vec![vec!["pd.mes@cbs.dk".into(), "pdames@cbs.dk".into()]],
        };
        let persons = resolve(["pd@me@ @end|ng |rom cb@@dk"], &aliases);
        assert_eq!(persons.groups.len(), 1);
        assert!(persons.ambiguous.is_empty());
    }

    #[test]
    fn keys_equal_in_compared_form_are_one_address() {
        let persons = resolve(
            [
                "s@e|||@on @end|ng |rom lgcgroup@com",
                "@@e|||@on @end|ng |rom |gcgroup@com",
            ],
            &Aliases::default(),
        );
        assert_eq!(persons.groups.len(), 1);
    }

    #[test]
    fn an_aliases_line_wins_over_a_scramble_match() {
        // The file ties the key to jane@, though it scrambles bob's address.
        let aliases = Aliases {
            groups: vec![vec!["jane@x.org".into(), "b@b @end|ng |rom x@org".into()]],
        };
        let persons = resolve(["bob@x.org"], &aliases);
        assert_eq!(persons.groups.len(), 2);
        assert_eq!(
            persons.groups[persons.of("jane@x.org").unwrap()],
            ["jane@x.org", "b@b @end|ng |rom x@org"]
        );
    }

    #[test]
    fn real_addresses_come_first_in_a_person() {
        let persons = resolve(
            ["pd@me@ @end|ng |rom cb@@dk", "pd.mes@cbs.dk"],
            &Aliases::default(),
        );
        assert_eq!(
            persons.groups,
            [vec![
                "pd.mes@cbs.dk".to_string(),
                "pd@me@ @end|ng |rom cb@@dk".to_string()
            ]]
        );
    }

    fn candidates<'a>(data: &'a [(Vec<String>, Vec<&'a str>)]) -> Vec<Candidate<'a>> {
        data.iter()
            .map(|(a, n)| Candidate {
                addresses: a,
                names: n.clone(),
            })
            .collect()
    }

    #[test]
    fn duplicates_are_ranked_by_evidence() {
        let data = vec![
            (vec!["jane@a.org".to_string()], vec!["Jane  Doe"]),
            (vec!["jane@b.org".to_string()], vec!["\"jane doe\""]),
            (vec!["jd@c.org".to_string()], vec!["Bob"]),
            (vec!["jd@d.org".to_string()], vec![]),
            (vec!["kim@e.org".to_string()], vec!["Bob"]),
            (vec!["kim@f.org".to_string()], vec![]),
            (vec!["b@b @end|ng |rom x@org".to_string()], vec!["Kim Lee"]),
            (vec!["kl@x.org".to_string()], vec!["Kim Lee"]),
        ];
        let got: Vec<(Evidence, String, Vec<usize>)> = suggest_duplicates(&candidates(&data))
            .into_iter()
            .map(|s| (s.evidence, s.why, s.persons))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Evidence::NameAndLocalPart,
                    "same name \"jane doe\" and local part \"jane\"".to_string(),
                    vec![0, 1]
                ),
                (Evidence::Name, "same name \"bob\"".to_string(), vec![2, 4]),
                (
                    Evidence::Name,
                    "same name \"kim lee\"".to_string(),
                    vec![6, 7]
                ),
                (
                    Evidence::LocalPart,
                    "same local part \"kim\" at different domains".to_string(),
                    vec![4, 5]
                ),
            ],
            "jd@ is two characters: no suggestion"
        );
    }
}
