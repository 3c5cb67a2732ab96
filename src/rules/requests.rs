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

/// How a resignation says what it withdraws from (art. 6.3); read by
/// `workflow::resignation_scope`. Phrases are compared without case or accents, word by
/// word: `*` ends a word that may go on (`résili*`), `…` stands for up to three words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResignationWording {
    /// The organisation stays a member or goes on elsewhere (a group named after one of
    /// these, in its sentence, is a group it stays in).
    pub keep_phrases: Vec<String>,
    /// The organisation leaves the group named there only (« uniquement du GT »).
    pub only_phrases: Vec<String>,
    /// The organisation leaves the Alliance as a whole.
    pub whole_phrases: Vec<String>,
    /// Words that name a working group without its label (`GT`, `groupe de travail`).
    pub group_words: Vec<String>,
}

impl ResignationWording {
    /// Problems with the phrases: each must hold a word and neither start nor end with `…`.
    pub fn check(&self) -> Vec<String> {
        let lists = [
            ("keep_phrases", &self.keep_phrases),
            ("only_phrases", &self.only_phrases),
            ("whole_phrases", &self.whole_phrases),
            ("group_words", &self.group_words),
        ];
        let mut problems = Vec::new();
        for (list, phrases) in lists {
            for phrase in phrases.iter() {
                let trimmed = phrase.trim().replace("...", "…");
                let has_word = fold(&trimmed).chars().any(char::is_alphanumeric);
                if !has_word || trimmed.starts_with('…') || trimmed.ends_with('…') {
                    problems.push(format!(
                        "requests.toml: resignation.{list}: « {phrase} » must hold a word and neither start nor end with …"
                    ));
                }
            }
        }
        problems
    }
}
