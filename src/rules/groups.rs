//! `working_groups.toml`: the five working groups of annex 1 — labels, who may ask for
//! them, capacity, first session.

use jiff::Timestamp;
use serde::Deserialize;

use crate::form::record::{Category, WorkingGroupCode};

/// `working_groups.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkingGroups {
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
