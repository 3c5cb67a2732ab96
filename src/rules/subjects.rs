//! Subject vocabulary of an alliance, read from `rules/<alliance>/subjects.toml`.
//!
//! The convention d'engagement fixes three subject lines for mail sent to the
//! alliance mailbox (art. 4.2, 6.1 and 6.3). Which words make them up — the
//! alliance name, the keywords, the reply prefixes mail clients add, the
//! auto-reply and bounce phrases — is data: another alliance writes its own
//! file and no code changes. The matcher
//! ([`crate::classify::subject::SubjectMatcher`]) folds every phrase (accents,
//! case, apostrophes, dashes) the same way it folds subjects, so phrases are
//! written here as people type them.

use serde::Deserialize;

/// The whole subject vocabulary of one alliance.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectRules {
    /// Ways of writing the alliance name (`"ASeT-W"`, `"ASeTW"`...). A hyphen or
    /// space inside a name also matches a hyphen, a space or nothing. Required.
    pub alliance_names: Vec<String>,
    /// Reply and forward prefixes as bare words (`"RE"`, `"TR"`, `"AW"`...). The
    /// matcher adds the colon, an optional dot and a counter such as `[2]`.
    #[serde(default)]
    pub reply_prefixes: Vec<String>,
    /// Words that mail gateways put in front of subjects (`"EXTERNAL"`). The
    /// matcher accepts them as `[WORD]`, `(WORD)`, `*WORD*` or `WORD:`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Single punctuation characters that separate subject segments wherever
    /// they appear. Hyphens and dashes are always separators when spaced.
    #[serde(default = "default_separators")]
    pub separators: Vec<String>,
    /// Words that show a keyword is part of a sentence when only a space stands
    /// between them and the keyword (`"la"` in "question concernant la
    /// résiliation").
    #[serde(default)]
    pub connecting_words: Vec<String>,
    /// What people type when they leave the organisation placeholder as is
    /// (`"Nom de l'organisation"`); such an organisation counts as absent.
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// Phrases that open an automatic reply (after reply prefixes are stripped).
    #[serde(default)]
    pub auto_reply_prefixes: Vec<String>,
    /// Phrases that open a delivery failure report; they win over auto-replies.
    #[serde(default)]
    pub bounce_prefixes: Vec<String>,
    /// The keywords of the three subject conventions.
    pub kinds: ConventionKinds,
}

/// The keywords of each subject convention.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConventionKinds {
    /// `ALLIANCE — Convention d'engagement — [organisation]`.
    pub convention: KindRules,
    /// `ALLIANCE — [organisation] — point de contact`.
    pub contact_change: KindRules,
    /// `ALLIANCE — [organisation] — Résiliation`.
    pub resignation: KindRules,
}

/// The words of one subject convention.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRules {
    /// The article of the convention that defines the subject (`"6.1"`),
    /// quoted in the reason given for a match.
    pub article: String,
    /// Phrases accepted as the keyword segment, before or after the
    /// organisation. At least one.
    pub keywords: Vec<String>,
    /// Phrases that may also open the subject, before the alliance name
    /// ("Demande de résiliation – ASeT-W – CHR X"). They are accepted as
    /// keyword segments too.
    #[serde(default)]
    pub leading_phrases: Vec<String>,
}

fn default_separators() -> Vec<String> {
    vec![":".to_owned(), "|".to_owned()]
}
