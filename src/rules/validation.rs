//! `validation.toml`: which parts of the form must be filled, and which working groups are
//! reserved to whom.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::problem::Problem;

/// The alliance's validation rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationRules {
    /// Category codes (`hospital`, `elderly_care`) whose members choose working groups.
    pub final_beneficiaries: Vec<String>,
    /// How many actions option 1 of form 3.2 names per group.
    pub option_1_actions: usize,
    /// Working-group code → the only category allowed to tick it.
    pub reserved: BTreeMap<String, Reservation>,
    /// Working-group code → its French name (`working_groups.toml`), for the doubts an
    /// OCR reading is held with.
    #[serde(skip)]
    pub group_labels: BTreeMap<String, String>,
}

/// A working group reserved to one category.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// The category allowed.
    pub category: String,
    /// The problem code raised when another category ticks it.
    pub problem: String,
}

impl ValidationRules {
    /// These rules, naming the groups as `groups` does.
    pub fn with_group_labels(mut self, groups: &super::groups::WorkingGroups) -> Self {
        self.group_labels = groups
            .groups
            .iter()
            .map(|group| (group.code.as_str().to_owned(), group.label.clone()))
            .collect();
        self
    }

    /// Problems with the file itself: unknown problem codes.
    pub fn check(&self) -> Vec<String> {
        self.reserved
            .iter()
            .filter(|(_, reservation)| Problem::parse(&reservation.problem).is_none())
            .map(|(group, reservation)| {
                format!(
                    "validation.toml: [reserved.{group}] unknown problem `{}`",
                    reservation.problem
                )
            })
            .collect()
    }
}
