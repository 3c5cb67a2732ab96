//! `requests.toml`: how members word their requests in a message body.

use serde::Deserialize;

use super::groups::{contains_words, WorkingGroups};
use crate::form::fold;
use crate::form::record::WorkingGroupCode;

/// `requests.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// Art. 6.3.
    pub resignation: ResignationWording,
    /// Art. 4bis.2, annex 1 §4: absences and participation difficulties.
    pub participation: ParticipationWording,
}

/// How a message says it is about taking part in a group's sessions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipationWording {
    /// Absence, excuse, difficulty…: whole words, compared without case or accents.
    pub words: Vec<String>,
}

/// How much of a body is searched for a group's name.
const BODY_HEAD_CHARS: usize = 2000;

impl ParticipationWording {
    /// The group a participation notice is about: the subject says one of the words and
    /// names the group; or says the word, and the body's first lines name the group.
    pub fn group_of(
        &self,
        subject: &str,
        body: &str,
        groups: &WorkingGroups,
    ) -> Option<WorkingGroupCode> {
        let folded = fold(subject);
        if !self
            .words
            .iter()
            .any(|word| contains_words(&folded, &fold(word)))
        {
            return None;
        }
        groups.named_in(subject).or_else(|| {
            let head: String = body.chars().take(BODY_HEAD_CHARS).collect();
            groups.named_in(&head)
        })
    }
}

/// How a resignation says it is partial.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResignationWording {
    /// Phrases that keep the membership while leaving a group.
    pub partial_scope_phrases: Vec<String>,
}

impl ResignationWording {
    /// Whether `body` says the organisation stays a member.
    pub fn keeps_membership(&self, body: &str) -> bool {
        let body = fold(body);
        self.partial_scope_phrases
            .iter()
            .any(|phrase| body.contains(&fold(phrase)))
    }
}
