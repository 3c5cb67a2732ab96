//! `publication.toml`: publication tasks, category names, the digest's schedule.

use std::collections::BTreeMap;

use jiff::civil::{Date, Time};
use serde::Deserialize;

/// `publication.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    /// Task kind → French label.
    pub tasks: BTreeMap<String, String>,
    /// Category code → French label.
    pub categories: BTreeMap<String, String>,
    /// When the daemon sends the digest.
    pub digest: DigestSchedule,
}

/// When the daemon sends the digest.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestSchedule {
    /// Local time of day.
    pub time: Time,
    /// ISO weekdays (1 = Monday).
    pub weekdays: Vec<i8>,
    /// Days it is not sent.
    pub holidays: Vec<Date>,
}

/// The task kinds the engine opens.
pub const TASK_KINDS: [&str; 5] = [
    "publish_website",
    "send_cdp_access",
    "remove_website",
    "revoke_cdp_access",
    "remove_from_groups",
];

impl Publication {
    /// The French label of a task kind (its code when missing).
    pub fn task(&self, kind: &str) -> String {
        self.tasks
            .get(kind)
            .cloned()
            .unwrap_or_else(|| kind.to_owned())
    }

    /// The French label of a category code (its code when missing).
    pub fn category(&self, code: &str) -> String {
        self.categories
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned())
    }

    /// Problems with the file.
    pub fn check(&self) -> Vec<String> {
        let mut problems: Vec<String> = TASK_KINDS
            .iter()
            .filter(|kind| !self.tasks.contains_key(**kind))
            .map(|kind| format!("publication.toml: [tasks] lacks {kind}"))
            .collect();
        for code in ["hospital", "elderly_care", "ecosystem"] {
            if !self.categories.contains_key(code) {
                problems.push(format!("publication.toml: [categories] lacks {code}"));
            }
        }
        if self.digest.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            problems.push("publication.toml: [digest] weekdays are 1 (Monday) to 7".to_owned());
        }
        problems
    }
}

impl DigestSchedule {
    /// Whether the digest goes out on `day`.
    pub fn is_sending_day(&self, day: Date) -> bool {
        let weekday = day.weekday().to_monday_one_offset();
        self.weekdays.contains(&weekday) && !self.holidays.contains(&day)
    }

    /// The first sending day on or after `day`.
    pub fn next_sending_day(&self, day: Date) -> Option<Date> {
        let mut candidate = day;
        for _ in 0..400 {
            if self.is_sending_day(candidate) {
                return Some(candidate);
            }
            candidate = candidate.tomorrow().ok()?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    #[test]
    fn the_digest_skips_weekends_and_belgian_holidays() {
        let rules = Rules::embedded().expect("rules");
        let schedule = &rules.publication.digest;
        let day = |text: &str| text.parse::<Date>().expect("date");
        assert!(schedule.is_sending_day(day("2026-11-23")), "a Monday");
        assert!(!schedule.is_sending_day(day("2026-11-22")), "a Sunday");
        assert!(!schedule.is_sending_day(day("2026-11-11")), "Armistice");
        assert!(
            !schedule.is_sending_day(day("2027-03-29")),
            "Easter Monday 2027"
        );
        assert_eq!(
            schedule.next_sending_day(day("2026-12-24")),
            Some(day("2026-12-24"))
        );
        assert_eq!(
            schedule.next_sending_day(day("2026-12-25")),
            Some(day("2026-12-28")),
            "Christmas, Saint-Étienne, the weekend"
        );
    }
}
