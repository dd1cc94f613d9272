//! Minimum standards of engagement, as options for the coordination group
//! (issue #10). The seed report asks the DCCG to develop "a set of options
//! for DCs to consider as minimum standards of engagement"; one proposal is
//! exclusion after two years without activity, and others objected that
//! members cannot be forced to contribute.
//!
//! So listpulse decides nothing here: for each candidate rule of a grid
//! (a window *D′* × a minimum number of posts *N′*) it counts the members
//! who would be **below the standard** — fewer than *N′* counted posts in
//! (*T* − *D′*, *T*], declarations ignored — and how many of those declared
//! observer status (on the roster, or in their latest check-in response):
//! the people a strict rule would push out although they only asked to
//! listen. Aggregates only.
//!
//! Pure: [`crate::members::standards_evidence`] counts each member's posts
//! in the grid's windows with set-based SQL; [`count`] tallies them.

use serde::Serialize;

/// The grid of candidate rules (`[standards]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StandardsGrid {
    /// The windows *D′*, in days (default 1, 2 and 3 years).
    pub windows_days: Vec<u32>,
    /// The minimum numbers of posts *N′* (default 1, 2 and 4).
    pub min_posts: Vec<u32>,
}

impl Default for StandardsGrid {
    fn default() -> Self {
        StandardsGrid {
            windows_days: vec![365, 730, 1095],
            min_posts: vec![1, 2, 4],
        }
    }
}

/// One candidate rule: at least `min_posts` counted posts in the last
/// `window_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// *D′* in days.
    pub window_days: u32,
    /// *N′*.
    pub min_posts: u32,
}

impl Rule {
    /// The rule in words, e.g. `2 posts in 2y` (years when whole).
    ///
    /// ```
    /// use listpulse::standards::Rule;
    /// assert_eq!(Rule { window_days: 730, min_posts: 2 }.label(), "2 posts in 2y");
    /// assert_eq!(Rule { window_days: 90, min_posts: 1 }.label(), "1 post in 90d");
    /// ```
    pub fn label(&self) -> String {
        format!(
            "{} post{} in {}",
            self.min_posts,
            if self.min_posts == 1 { "" } else { "s" },
            window_label(self.window_days)
        )
    }
}

/// A window as people say it: `2y` for 730 days, else `90d`.
pub fn window_label(days: u32) -> String {
    if days.is_multiple_of(365) {
        format!("{}y", days / 365)
    } else {
        format!("{days}d")
    }
}

impl StandardsGrid {
    /// Every rule, window by window, each window's minimums in order.
    pub fn rules(&self) -> Vec<Rule> {
        self.windows_days
            .iter()
            .flat_map(|&w| {
                self.min_posts.iter().map(move |&n| Rule {
                    window_days: w,
                    min_posts: n,
                })
            })
            .collect()
    }
}

/// What the grid needs of one member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPosts {
    /// Declared observer on the roster, or in their latest check-in response.
    pub declared_observer: bool,
    /// Counted posts in each of the grid's windows, in `windows_days` order.
    pub posts: Vec<u64>,
}

/// One rule's tally for a group of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule.
    #[serde(flatten)]
    pub rule: Rule,
    /// Members counted.
    pub members: u64,
    /// Members below the standard.
    pub below: u64,
    /// Of those, members who declared observer status.
    pub below_declared_observer: u64,
}

/// Tallies `members` against every rule of `grid`, in [`StandardsGrid::rules`]
/// order. A member is below a rule when they have fewer than *N′* posts in
/// its window; declarations are ignored for that, and only counted apart.
pub fn count(grid: &StandardsGrid, members: &[MemberPosts]) -> Vec<RuleCount> {
    let mut out = Vec::with_capacity(grid.windows_days.len() * grid.min_posts.len());
    for (w, &window_days) in grid.windows_days.iter().enumerate() {
        for &min_posts in &grid.min_posts {
            let below: Vec<&MemberPosts> = members
                .iter()
                .filter(|m| m.posts.get(w).copied().unwrap_or(0) < u64::from(min_posts))
                .collect();
            out.push(RuleCount {
                rule: Rule {
                    window_days,
                    min_posts,
                },
                members: members.len() as u64,
                below: below.len() as u64,
                below_declared_observer: below.iter().filter(|m| m.declared_observer).count()
                    as u64,
            });
        }
    }
    out
}

/// Adds `b`'s tallies to `a`'s, rule by rule (for the "all coalitions" row).
pub fn add(a: &mut Vec<RuleCount>, b: &[RuleCount]) {
    if a.is_empty() {
        a.extend_from_slice(b);
        return;
    }
    for (x, y) in a.iter_mut().zip(b) {
        x.members += y.members;
        x.below += y.below;
        x.below_declared_observer += y.below_declared_observer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn m(observer: bool, posts: &[u64]) -> MemberPosts {
        MemberPosts {
            declared_observer: observer,
            posts: posts.to_vec(),
        }
    }

    fn grid(windows: &[u32], mins: &[u32]) -> StandardsGrid {
        StandardsGrid {
            windows_days: windows.to_vec(),
            min_posts: mins.to_vec(),
        }
    }

    #[rstest]
    // N′ − 1 posts is below, N′ posts is not.
    #[case::zero_posts_min_1(0, 1, true)]
    #[case::one_post_min_1(1, 1, false)]
    #[case::one_post_min_2(1, 2, true)]
    #[case::two_posts_min_2(2, 2, false)]
    #[case::three_posts_min_4(3, 4, true)]
    #[case::four_posts_min_4(4, 4, false)]
    fn below_means_fewer_than_n_posts(#[case] posts: u64, #[case] min: u32, #[case] below: bool) {
        let counts = count(&grid(&[365], &[min]), &[m(false, &[posts])]);
        assert_eq!(counts.len(), 1);
        assert_eq!(counts[0].below, u64::from(below));
    }

    #[test]
    fn declarations_are_ignored_and_counted_apart() {
        let members = [
            m(true, &[0, 0, 5]),  // a listener, silent for two years
            m(false, &[0, 1, 1]), // one post between one and two years ago
            m(false, &[3, 3, 3]),
            m(true, &[1, 1, 1]), // declared observer, but posts
        ];
        let g = grid(&[365, 730, 1095], &[1, 2]);
        let got: Vec<(u32, u32, u64, u64)> = count(&g, &members)
            .iter()
            .map(|c| {
                (
                    c.rule.window_days,
                    c.rule.min_posts,
                    c.below,
                    c.below_declared_observer,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (365, 1, 2, 1),
                (365, 2, 3, 2),
                (730, 1, 1, 1),
                (730, 2, 3, 2),
                (1095, 1, 0, 0),
                (1095, 2, 2, 1),
            ]
        );
        assert!(count(&g, &members).iter().all(|c| c.members == 4));
    }

    #[test]
    fn the_all_row_adds_rule_by_rule() {
        let g = StandardsGrid::default();
        let a = count(&g, &[m(true, &[0, 0, 0])]);
        let b = count(&g, &[m(false, &[5, 5, 5]), m(false, &[1, 2, 3])]);
        let mut all = Vec::new();
        add(&mut all, &a);
        add(&mut all, &b);
        assert_eq!(all.len(), 9);
        assert_eq!(
            (all[0].members, all[0].below, all[0].below_declared_observer),
            (3, 1, 1)
        );
        // 4 posts in 3y: the zero-poster and the 3-poster.
        assert_eq!((all[8].below, all[8].below_declared_observer), (2, 1));
    }
}
