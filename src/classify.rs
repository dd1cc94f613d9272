//! The domain rules: a pure function of (activity, roster, check-ins,
//! thresholds, as-of date) to a class and a reason. (Filled in by the
//! classification work; the types are the contract with `members` and `report`.)

use chrono::NaiveDate;
use serde::Serialize;

/// The three classes of DESIGN.md, in the order tables sort them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberClass {
    /// At least N counted posts in the check-in period.
    Active,
    /// Declared observer, or some sign of life within the inactivity threshold.
    Observer,
    /// Neither: a candidate to contact, never removed by the tool.
    Dormant,
}

impl MemberClass {
    /// The lower-case name used in CSV, JSON and reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberClass::Active => "active",
            MemberClass::Observer => "observer",
            MemberClass::Dormant => "dormant",
        }
    }
}

/// A check-in response status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckinStatus {
    /// A full member.
    Full,
    /// Happy to receive news; must not be penalised.
    Observer,
    /// Leaving: out of the universe from this day on.
    Leave,
}

impl CheckinStatus {
    /// The lower-case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinStatus::Full => "full",
            CheckinStatus::Observer => "observer",
            CheckinStatus::Leave => "leave",
        }
    }
}

/// P, D and N of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// The check-in period P, in days (default 365).
    pub period_days: u32,
    /// The inactivity threshold D, in days (default 730).
    pub inactivity_days: u32,
    /// The minimum number of counted posts N (default 1).
    pub min_posts: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            period_days: 365,
            inactivity_days: 730,
            min_posts: 1,
        }
    }
}

/// Counts per class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassCounts {
    /// Members classified active.
    pub active: u64,
    /// Members classified observer.
    pub observer: u64,
    /// Members classified dormant.
    pub dormant: u64,
}

impl ClassCounts {
    /// All members.
    pub fn total(&self) -> u64 {
        self.active + self.observer + self.dormant
    }

    /// Adds one member of `class`.
    pub fn add(&mut self, class: MemberClass) {
        match class {
            MemberClass::Active => self.active += 1,
            MemberClass::Observer => self.observer += 1,
            MemberClass::Dormant => self.dormant += 1,
        }
    }
}

/// Used by members/report; the classification stage fills in the rules.
pub type Day = NaiveDate;
