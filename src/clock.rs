//! "Now", and the civil time zone people read dates in.
//!
//! Instants are stored in UTC (`jiff::Timestamp`, RFC 3339 text in SQLite). Civil dates
//! that carry legal weight — the effective date of a membership is the day the
//! acknowledgement went out (art. 6.2) — are computed in the alliance's zone
//! (Europe/Brussels), never in the machine's. Tests inject a fixed clock.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// Where "now" comes from, and the zone civil dates are read in.
#[derive(Debug, Clone)]
pub struct Clock {
    fixed: Option<Timestamp>,
    zone: TimeZone,
}

impl Clock {
    /// The system clock, reading civil dates in `zone`.
    pub fn system(zone: TimeZone) -> Self {
        Clock { fixed: None, zone }
    }

    /// A clock stopped at `instant`, for tests and replays.
    pub fn fixed(instant: Timestamp, zone: TimeZone) -> Self {
        Clock {
            fixed: Some(instant),
            zone,
        }
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.fixed.unwrap_or_else(Timestamp::now)
    }

    /// The zone people read dates in (Europe/Brussels for ASeT-W).
    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    /// `instant` as a civil date-time in the alliance's zone.
    pub fn local(&self, instant: Timestamp) -> Zoned {
        instant.to_zoned(self.zone.clone())
    }

    /// The civil date of `instant` in the alliance's zone.
    pub fn local_date(&self, instant: Timestamp) -> Date {
        self.local(instant).date()
    }
}

const FRENCH_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A date as French readers expect it: `14 avril 2026`, `1er mai 2026`.
pub fn french_date(date: Date) -> String {
    let month = usize::try_from(date.month() - 1)
        .ok()
        .and_then(|index| FRENCH_MONTHS.get(index))
        .copied()
        .unwrap_or("?");
    let day = if date.day() == 1 {
        "1er".to_owned()
    } else {
        date.day().to_string()
    };
    format!("{day} {month} {}", date.year())
}

/// RFC 3339 text for storage: UTC, second precision, `Z` suffix.
pub fn to_storage(instant: Timestamp) -> String {
    instant.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads back what [`to_storage`] wrote (or any RFC 3339 instant).
pub fn from_storage(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_dates_read_as_people_write_them() {
        assert_eq!(french_date(jiff::civil::date(2026, 4, 14)), "14 avril 2026");
        assert_eq!(french_date(jiff::civil::date(2026, 5, 1)), "1er mai 2026");
        assert_eq!(french_date(jiff::civil::date(2026, 8, 15)), "15 août 2026");
        assert_eq!(
            french_date(jiff::civil::date(2026, 12, 31)),
            "31 décembre 2026"
        );
    }

    #[test]
    fn a_late_evening_in_brussels_is_already_the_next_day_in_utc_terms() {
        let zone = TimeZone::get("Europe/Brussels").expect("bundled tzdb");
        let clock = Clock::fixed("2026-11-23T23:30:00Z".parse().expect("instant"), zone);
        assert_eq!(
            clock.local_date(clock.now()),
            jiff::civil::date(2026, 11, 24)
        );
    }

    #[test]
    fn storage_text_round_trips() {
        let instant: Timestamp = "2026-04-14T08:15:30Z".parse().expect("instant");
        assert_eq!(to_storage(instant), "2026-04-14T08:15:30Z");
        assert_eq!(from_storage(&to_storage(instant)), Some(instant));
    }
}
