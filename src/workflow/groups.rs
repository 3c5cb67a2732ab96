//! Working groups: what a member asked for and what the Région decides (form 3.1,
//! annex 1, art. 4bis.2), as pure functions — the decision's validity, the one-month
//! clock, each group's fill level, the notices.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use serde_json::json;

use super::Reply;
use crate::clock::french_date;
use crate::form::record::{Category, Person, WorkingGroupCode};
use crate::rules::groups::{WorkingGroup, WorkingGroups};

/// A decision of the Région on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupDecision {
    /// A seat in the group.
    Assign,
    /// On the waiting list.
    Waitlist,
    /// Not in this group.
    Refuse,
    /// Out of the group, after notice.
    Withdraw,
}

impl GroupDecision {
    /// The state it leads to (stable).
    pub fn state(self) -> &'static str {
        match self {
            GroupDecision::Assign => "assigned",
            GroupDecision::Waitlist => "waitlisted",
            GroupDecision::Refuse => "refused",
            GroupDecision::Withdraw => "withdrawn",
        }
    }

    /// The states it may be taken from. The Région may revise its composition at any time
    /// (annex 1 §2), so only a no-op or an undecided withdrawal is refused.
    pub fn allowed_from(self, state: &str) -> bool {
        match self {
            GroupDecision::Assign => matches!(state, "requested" | "waitlisted" | "refused"),
            GroupDecision::Waitlist => matches!(state, "requested" | "refused"),
            GroupDecision::Refuse => matches!(state, "requested" | "waitlisted"),
            GroupDecision::Withdraw => matches!(state, "assigned" | "waitlisted"),
        }
    }
}

/// Art. 4bis.2: the decision is due within the month after the signature — the same day
/// of the next month, clamped to that month's end (31 January → 28 February).
pub fn due_date(clock_start: Date) -> Date {
    clock_start.checked_add(1.month()).unwrap_or(clock_start)
}

/// Where a request's clock starts: the form's 6.1 signature date, else the effective date.
pub fn clock_start(signature_date: Option<&str>, effective_date: Option<&str>) -> Option<Date> {
    signature_date
        .and_then(|date| date.parse().ok())
        .or_else(|| effective_date.and_then(|date| date.parse().ok()))
}

/// When a request's decision (or a Communauté de Pratiques access) is due: a month after
/// its clock start.
pub fn due_on(signature_date: Option<&str>, effective_date: Option<&str>) -> Option<Date> {
    clock_start(signature_date, effective_date).map(due_date)
}

/// The last day "due soon" looks ahead to: `days` after `today`.
pub fn due_horizon(today: Date, days: u32) -> Date {
    today.checked_add(i64::from(days).days()).unwrap_or(today)
}

/// Whether a request made at `now` comes after the group's first session (art. 6.1).
pub fn is_late(group: &WorkingGroup, now: Timestamp) -> bool {
    now >= group.first_session
}

/// Who counts in a group's capacity: participants from the establishments, the final
/// beneficiaries (annex 1: "20 à 30 participants issus directement de ces établissements").
pub fn counts_in_capacity(category: Option<&str>) -> bool {
    matches!(category, Some("hospital" | "elderly_care"))
}

/// One group's fill level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fill {
    /// Group code.
    pub code: WorkingGroupCode,
    /// French label.
    pub label: String,
    /// Seats held by final beneficiaries (a notified withdrawal counts until it applies).
    pub assigned: u32,
    /// Of which hospitals.
    pub hospitals: u32,
    /// Of which homes for the elderly.
    pub elderly_care: u32,
    /// Requests not decided yet.
    pub requested: u32,
    /// On the waiting list.
    pub waitlisted: u32,
    /// Annex 1 minimum.
    pub min: u32,
    /// Annex 1 maximum.
    pub max: u32,
}

impl Fill {
    /// Fewer seats than the minimum.
    pub fn below_minimum(&self) -> bool {
        self.assigned < self.min
    }

    /// More seats than the maximum.
    pub fn over_capacity(&self) -> bool {
        self.assigned > self.max
    }
}

/// A request as the fill level sees it.
#[derive(Debug, Clone, Copy)]
pub struct Seat<'a> {
    /// Group code.
    pub code: &'a str,
    /// State.
    pub state: &'a str,
    /// The member's category.
    pub category: Option<&'a str>,
    /// The day a notified withdrawal applies.
    pub applies_on: Option<&'a str>,
}

impl Seat<'_> {
    /// Whether the seat is held on `today`.
    pub fn holds_seat(&self, today: Date) -> bool {
        match self.state {
            "assigned" => true,
            "withdrawn" => self
                .applies_on
                .and_then(|day| day.parse::<Date>().ok())
                .is_some_and(|day| today < day),
            _ => false,
        }
    }
}

/// The fill level of every group on `today`.
pub fn fill(groups: &WorkingGroups, seats: &[Seat<'_>], today: Date) -> Vec<Fill> {
    groups
        .groups
        .iter()
        .map(|group| {
            let mut fill = Fill {
                code: group.code,
                label: group.label.clone(),
                assigned: 0,
                hospitals: 0,
                elderly_care: 0,
                requested: 0,
                waitlisted: 0,
                min: group.capacity.min,
                max: group.capacity.max,
            };
            for seat in seats.iter().filter(|s| s.code == group.code.as_str()) {
                if !counts_in_capacity(seat.category) {
                    continue;
                }
                if seat.holds_seat(today) {
                    fill.assigned += 1;
                    match seat.category {
                        Some("hospital") => fill.hospitals += 1,
                        Some("elderly_care") => fill.elderly_care += 1,
                        _ => {}
                    }
                }
                match seat.state {
                    "requested" => fill.requested += 1,
                    "waitlisted" => fill.waitlisted += 1,
                    _ => {}
                }
            }
            fill
        })
        .collect()
}

/// What a notice is about.
#[derive(Debug, Clone)]
pub struct Notice<'a> {
    /// The member's official name.
    pub organisation: &'a str,
    /// The group.
    pub group: &'a WorkingGroup,
    /// The decision.
    pub decision: GroupDecision,
    /// The coordinator's note, when it is meant for the member.
    pub note: Option<&'a str>,
    /// For a withdrawal: the day it applies.
    pub applies_on: Option<Date>,
    /// The request came after the first session.
    pub late: bool,
    /// The member's contact point (its legal representative when none), and the delegate.
    pub contact: Option<&'a str>,
    /// The group's delegate.
    pub delegate: Option<&'a str>,
    /// Sessions still ahead, as people say them.
    pub upcoming: Vec<String>,
}

/// The "confirmation officielle" of a decision (annex 1): to the member's contact point,
/// copied to the group's delegate. `None` when nobody can be written to.
pub fn notice(notice: &Notice<'_>, member_id: i64) -> Option<Reply> {
    let mut to: Vec<String> = notice.contact.map(str::to_owned).into_iter().collect();
    let mut cc: Vec<String> = notice
        .delegate
        .filter(|delegate| {
            !notice
                .contact
                .is_some_and(|c| c.eq_ignore_ascii_case(delegate))
        })
        .map(str::to_owned)
        .into_iter()
        .collect();
    if to.is_empty() {
        to = std::mem::take(&mut cc);
    }
    if to.is_empty() {
        return None;
    }
    Some(Reply {
        purpose: "group_decision".to_owned(),
        to,
        cc,
        member_id: Some(member_id),
        context: Some(json!({
            "organisation": notice.organisation,
            "group": notice.group.label,
            "decision": notice.decision.state(),
            "note": notice.note,
            "applies_on": notice.applies_on.map(french_date),
            "late": notice.late,
            "upcoming": notice.upcoming,
            "copy": false,
        })),
        ..Reply::default()
    })
}

/// The sessions of `code` still ahead at `now`.
pub fn upcoming_sessions(
    groups: &WorkingGroups,
    code: WorkingGroupCode,
    now: Timestamp,
) -> Vec<String> {
    groups
        .calendar(code)
        .into_iter()
        .filter(|session| session.start > now)
        .map(|session| session.label)
        .collect()
}

/// The address a member's group mail goes to: its contact point, else its legal
/// representative (art. 4.2).
pub fn contact_address(
    contact_point: Option<&Person>,
    legal_representative: &Person,
) -> Option<String> {
    contact_point
        .and_then(|person| person.email.clone())
        .or_else(|| legal_representative.email.clone())
}

/// Whether `category` may ask for `group` (annex 1's reservations).
pub fn eligible(group: &WorkingGroup, category: Option<Category>) -> bool {
    group.reserved_to.is_empty() || category.is_some_and(|c| group.reserved_to.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rules;

    fn date(text: &str) -> Date {
        text.parse().expect("date")
    }

    #[test]
    fn the_decision_is_due_the_same_day_of_the_next_month_clamped_to_its_end() {
        assert_eq!(due_date(date("2026-03-14")), date("2026-04-14"));
        assert_eq!(due_date(date("2026-01-31")), date("2026-02-28"));
        assert_eq!(due_date(date("2028-01-31")), date("2028-02-29"));
        assert_eq!(due_date(date("2026-12-15")), date("2027-01-15"));
    }

    #[test]
    fn the_clock_starts_at_the_signature_else_at_the_effective_date() {
        assert_eq!(
            clock_start(Some("2026-03-02"), Some("2026-03-10")),
            Some(date("2026-03-02"))
        );
        assert_eq!(
            clock_start(None, Some("2026-03-10")),
            Some(date("2026-03-10"))
        );
        assert_eq!(clock_start(Some("garbage"), None), None);
    }

    #[test]
    fn only_final_beneficiaries_holding_a_seat_count_and_a_notified_withdrawal_until_it_applies() {
        let rules = Rules::embedded().expect("rules");
        let seats = [
            Seat {
                code: "resilience",
                state: "assigned",
                category: Some("hospital"),
                applies_on: None,
            },
            Seat {
                code: "resilience",
                state: "assigned",
                category: Some("elderly_care"),
                applies_on: None,
            },
            Seat {
                code: "resilience",
                state: "assigned",
                category: Some("ecosystem"),
                applies_on: None,
            },
            Seat {
                code: "resilience",
                state: "withdrawn",
                category: Some("hospital"),
                applies_on: Some("2026-05-01"),
            },
            Seat {
                code: "resilience",
                state: "requested",
                category: Some("hospital"),
                applies_on: None,
            },
            Seat {
                code: "resilience",
                state: "waitlisted",
                category: Some("hospital"),
                applies_on: None,
            },
        ];
        let fills = fill(&rules.groups, &seats, date("2026-04-15"));
        let resilience = fills
            .iter()
            .find(|f| f.code == WorkingGroupCode::Resilience)
            .expect("resilience");
        assert_eq!(
            (
                resilience.assigned,
                resilience.hospitals,
                resilience.elderly_care
            ),
            (3, 2, 1)
        );
        assert_eq!((resilience.requested, resilience.waitlisted), (1, 1));
        assert!(resilience.below_minimum());
        let later = fill(&rules.groups, &seats, date("2026-05-01"));
        assert_eq!(later[2].assigned, 2, "the withdrawal applies on its day");
    }

    #[test]
    fn decisions_move_between_states_but_never_in_place() {
        assert!(GroupDecision::Assign.allowed_from("requested"));
        assert!(GroupDecision::Assign.allowed_from("waitlisted"));
        assert!(!GroupDecision::Assign.allowed_from("assigned"));
        assert!(!GroupDecision::Withdraw.allowed_from("requested"));
        assert!(!GroupDecision::Withdraw.allowed_from("withdrawn"));
        assert!(GroupDecision::Refuse.allowed_from("waitlisted"));
    }

    #[test]
    fn the_notice_goes_to_the_contact_and_the_delegate_once_each() {
        let rules = Rules::embedded().expect("rules");
        let group = rules
            .groups
            .get(WorkingGroupCode::Procurement)
            .expect("group");
        let mut notice_values = Notice {
            organisation: "Clinique Exemple",
            group,
            decision: GroupDecision::Assign,
            note: None,
            applies_on: None,
            late: false,
            contact: Some("contact@clinique.test"),
            delegate: Some("CONTACT@clinique.test"),
            upcoming: Vec::new(),
        };
        let reply = notice(&notice_values, 4).expect("reply");
        assert_eq!(reply.to, ["contact@clinique.test"]);
        assert!(reply.cc.is_empty());
        notice_values.delegate = Some("delegue@clinique.test");
        let reply = notice(&notice_values, 4).expect("reply");
        assert_eq!(reply.cc, ["delegue@clinique.test"]);
        notice_values.contact = None;
        notice_values.delegate = None;
        assert!(notice(&notice_values, 4).is_none());
    }
}
