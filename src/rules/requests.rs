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
    pub keep_phrases: Vec<Phrase>,
    /// The organisation leaves the group named there only (« uniquement du GT »).
    pub only_phrases: Vec<Phrase>,
    /// The organisation leaves the Alliance as a whole.
    pub whole_phrases: Vec<Phrase>,
    /// Words that name a working group without its label (`GT`, `groupe de travail`).
    pub group_words: Vec<Phrase>,
}

/// A phrase of `requests.toml`, folded and split into words once, when the rules load
/// (a phrase with no word, or starting or ending with `…`, is refused there, at its line).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Phrase {
    tokens: Vec<PhraseToken>,
}

/// One word of a [`Phrase`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhraseToken {
    /// This word exactly (folded).
    Word(String),
    /// Any word starting with this (`resili*`).
    Prefix(String),
    /// A few words, any (`…`).
    Gap,
}

impl PhraseToken {
    /// Whether the folded `word` matches this token (a gap matches any word).
    pub fn matches(&self, word: &str) -> bool {
        match self {
            PhraseToken::Word(w) => w == word,
            PhraseToken::Prefix(p) => word.starts_with(p.as_str()),
            PhraseToken::Gap => true,
        }
    }
}

impl Phrase {
    /// Its words, in order.
    pub fn tokens(&self) -> &[PhraseToken] {
        &self.tokens
    }
}

impl TryFrom<String> for Phrase {
    type Error = String;

    fn try_from(phrase: String) -> Result<Phrase, String> {
        let mut tokens = Vec::new();
        for (i, piece) in phrase.replace("...", "…").split('…').enumerate() {
            if i > 0 {
                tokens.push(PhraseToken::Gap);
            }
            let folded = fold(piece);
            let words = folded
                .split(|c: char| !(c.is_alphanumeric() || c == '*'))
                .filter(|w| !w.is_empty() && *w != "*");
            tokens.extend(words.map(|w| match w.strip_suffix('*') {
                Some(prefix) => PhraseToken::Prefix(prefix.to_owned()),
                None => PhraseToken::Word(w.to_owned()),
            }));
        }
        let dangling = matches!(tokens.first(), Some(PhraseToken::Gap))
            || matches!(tokens.last(), Some(PhraseToken::Gap));
        if dangling || tokens.iter().all(|t| *t == PhraseToken::Gap) {
            return Err(format!(
                "« {phrase} » must hold a word and neither start nor end with …"
            ));
        }
        Ok(Phrase { tokens })
    }
}
