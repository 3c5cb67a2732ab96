//! `working_groups.toml`: the five working groups of annex 1 — labels, who may ask for
//! them, capacity, calendar, Locomotive — and the settings of the Région's decisions.

use jiff::Timestamp;
use serde::Deserialize;

use crate::form::fold;
use crate::form::record::{Category, WorkingGroupCode};

/// `working_groups.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroups {
    /// How decisions on requests are timed.
    pub decisions: DecisionSettings,
    /// In the order of annex 1.
    #[serde(rename = "group")]
    pub groups: Vec<WorkingGroup>,
}

/// One working group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroup {
    /// Stable code, as in the form record.
    pub code: WorkingGroupCode,
    /// French name.
    pub label: String,
    /// Categories allowed to ask for it; empty: every final beneficiary.
    pub reserved_to: Vec<Category>,
    /// Places for participants from the establishments.
    pub capacity: Capacity,
    /// When its first session starts.
    pub first_session: Timestamp,
    /// The first session as annex 1 says it ("le 20 avril 2026, le matin").
    pub first_session_label: String,
    /// How members name it in a subject, besides its label.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The sessions after the first one.
    #[serde(default)]
    pub sessions: Vec<Session>,
    /// Its animation team (annex 1 §2).
    pub locomotive: Locomotive,
}

/// One session of a group's calendar.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// When it starts.
    pub start: Timestamp,
    /// As people say it ("le 15 juin 2026, le matin").
    pub label: String,
}

/// A group's Locomotive: référent ASeT-W, thematic pilot, facilitator.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locomotive {
    /// The ASeT-W référent: participation difficulties go to them (annex 1 §4).
    pub referent: RoleHolder,
    /// The thematic pilot: absences go to them (art. 4bis.2).
    pub pilot: RoleHolder,
    /// The facilitator.
    pub facilitator: RoleHolder,
}

/// Someone holding a role, as the rules name them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleHolder {
    /// Name or function.
    pub name: String,
    /// Address (a placeholder in `.invalid` until the deployment gives the real one).
    pub email: String,
}

/// How decisions on requests are timed.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionSettings {
    /// `groups list --due` shows decisions due within this many days.
    pub due_soon_days: u32,
    /// A withdrawal decided by the Région applies this many days after its notice.
    pub withdrawal_notice_days: u32,
}

/// Annex 1: "20 à 30 participants".
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Below this the group is flagged.
    pub min: u32,
    /// Assigning past this needs an explicit override.
    pub max: u32,
}

impl WorkingGroups {
    /// The group with `code`.
    pub fn get(&self, code: WorkingGroupCode) -> Option<&WorkingGroup> {
        self.groups.iter().find(|group| group.code == code)
    }

    /// The French label of `code` (its code when the rules lack it).
    pub fn label(&self, code: WorkingGroupCode) -> String {
        self.get(code)
            .map_or_else(|| code.as_str().to_owned(), |group| group.label.clone())
    }

    /// The group a subject (or a body's first lines) names, by label or alias, compared
    /// without case or accents on word boundaries. `None` when none or several are named.
    pub fn named_in(&self, text: &str) -> Option<WorkingGroupCode> {
        let text = fold(text);
        let mut found = self.groups.iter().filter(|group| {
            std::iter::once(&group.label)
                .chain(&group.aliases)
                .any(|name| contains_words(&text, &fold(name)))
        });
        let first = found.next()?;
        found.next().is_none().then_some(first.code)
    }

    /// The sessions of `code` in order, the first one included.
    pub fn calendar(&self, code: WorkingGroupCode) -> Vec<Session> {
        self.get(code)
            .map(|group| {
                let mut sessions = vec![Session {
                    start: group.first_session,
                    label: group.first_session_label.clone(),
                }];
                sessions.extend(group.sessions.iter().cloned());
                sessions.sort_by_key(|session| session.start);
                sessions
            })
            .unwrap_or_default()
    }

    /// Problems with the file: every code once.
    pub fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for code in WorkingGroupCode::ALL {
            let count = self.groups.iter().filter(|g| g.code == code).count();
            if count != 1 {
                problems.push(format!(
                    "working_groups.toml: group {} appears {count} times",
                    code.as_str()
                ));
            }
        }
        for group in &self.groups {
            if group.capacity.min > group.capacity.max {
                problems.push(format!(
                    "working_groups.toml: group {}: capacity min above max",
                    group.code.as_str()
                ));
            }
        }
        problems
    }
}

/// Whether folded `text` holds folded `phrase` between word boundaries.
pub fn contains_words(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(phrase).any(|(at, _)| {
        let before = text.get(..at).and_then(|head| head.chars().next_back());
        let after = text
            .get(at + phrase.len()..)
            .and_then(|rest| rest.chars().next());
        !is_word(before) && !is_word(after)
    })
}
