//! Names: titles, particles, capitals, and which word is the first or the last name.

use std::sync::LazyLock;

use regex::Regex;

use super::{fold, is_one_of, key, pattern, single_spaced, ContactDetails, MAX_VALUE_CHARS};

/// Titles before a name. Abbreviations are case-sensitive: `M.` is a title, `m.` is not.
pub(super) const TITLE: &str = concat!(
    r"(?:\b(?:(?i:madame|mademoiselle|monsieur|docteure?|professeure?)",
    r"|Mmes?|Mlle|Mr|Dr|Pr|Prof)\b\.?|\bM\.)",
);
/// Lower-case or capitalised particles inside a surname: `Van den`, `De`, `d'`.
const PARTICLE: &str = concat!(
    r"(?:(?i:van|von|vanden|vander|de|del|della|den|der|di|da|du|des|le|la|ten|ter)[ ]+",
    r"|(?i:d)')",
);
/// One word of a name: a capitalised word (`Julie`, `Jean-Marc`, `DUMONT`, `O'Neil`) or
/// an initial (`J.`).
const NAME_WORD: &str = r"(?:\p{Lu}\.(?:-\p{Lu}\.)?|\p{Lu}[\p{L}']*\p{L}(?:-\p{L}[\p{L}']*)*)";

/// A name: up to five words on one line, particles included.
pub(super) fn name_pattern() -> String {
    format!("(?:{PARTICLE})*{NAME_WORD}(?:[ ]+(?:{PARTICLE})*{NAME_WORD}){{0,4}}")
}

/// Words that may start a captured name without being part of it (folded).
const NOT_NAME_WORDS: &str = concat!(
    "a ainsi alors au aujourd'hui bonjour c'est ce cette cher chere chers cheres ",
    "cordialement depuis des desormais donc dorenavant docteur docteure dr elle elles en enfin ",
    "ensuite et il ils je la le les m. ma madame mademoiselle merci mlle mme mmes mon ",
    "monsieur mr nous notre pr prof professeur professeure puis voici votre",
);
/// Particles, which cannot end a name (folded).
const PARTICLES: &str = "van von vanden vander de del della den der di da du des le la ten ter";
/// Functions and contact words that end a name written without punctuation (folded):
/// `Mme Julie Martin Coordinatrice environnement`.
pub(super) static ROLE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"^(?:coordinat(?:eur|rice)s?|responsable|direct(?:eur|rice)|chef|gestionnaire",
        r"|chargee?|medecin|infirmiere?|secretaire|presidente?|conseill(?:er|ere)|attachee?",
        r"|assistante?|referente?|administrat(?:eur|rice)|collaborat(?:eur|rice)|tel\.?|gsm",
        r"|e-?mail|mail|courriel)$",
    ))
});

/// A first and a last name, either possibly unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PersonName {
    pub(super) first: Option<String>,
    pub(super) last: Option<String>,
}

impl PersonName {
    /// The name a reading gives.
    pub(super) fn of(details: &ContactDetails) -> PersonName {
        PersonName {
            first: details.first_name.clone(),
            last: details.last_name.clone(),
        }
    }
}

/// What a name of a single word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lone {
    /// `Mme Martin`, `Nom : Martin`.
    Last,
    /// `remplacée par Julie`.
    First,
}

/// Splits a written name into first and last name.
///
/// `MARTIN Julie` / `Julie MARTIN`: the word(s) in capitals are the last name.
/// `Martin, Julie`: last name first. `Van den Berghe Marie`: a name that starts with a
/// particle starts with the last name. Otherwise first name, then last name (so
/// `Marie Claire Dupont` reads as `Marie` + `Claire Dupont`).
pub(super) fn split_name(raw: &str, lone: Lone) -> PersonName {
    if let Some((last, first)) = raw.split_once(',') {
        return PersonName {
            first: clean_name(first),
            last: clean_name(last),
        };
    }
    let Some(cleaned) = clean_name(raw) else {
        return PersonName::default();
    };
    let words = name_words(&cleaned);
    let count = words.len();
    let leading_capitals = words.iter().take_while(|w| in_capitals(w)).count();
    let trailing_capitals = words.iter().rev().take_while(|w| in_capitals(w)).count();
    let (first, last) = if count == 1 {
        match lone {
            Lone::Last => (Vec::new(), words),
            Lone::First => (words, Vec::new()),
        }
    } else if (1..count).contains(&leading_capitals) {
        let (last, first) = split_words(&words, leading_capitals);
        (first, last)
    } else if (1..count).contains(&trailing_capitals) {
        split_words(&words, count - trailing_capitals)
    } else if words.first().is_some_and(|w| is_particle(w)) {
        let surname = words.iter().take_while(|w| is_particle(w)).count() + 1;
        let (last, first) = split_words(&words, surname);
        (first, last)
    } else {
        split_words(&words, 1)
    };
    PersonName {
        first: joined(&first),
        last: joined(&last),
    }
}

/// The words of a name, without the title or sentence words before it and the function
/// after it.
fn name_words(name: &str) -> Vec<&str> {
    let mut words: Vec<&str> = name
        .split_whitespace()
        .skip_while(|w| is_one_of(NOT_NAME_WORDS, &fold(w)))
        .collect();
    if let Some(role) = words
        .iter()
        .skip(1)
        .position(|w| ROLE_WORD.is_match(&fold(w)))
    {
        words.truncate(role + 1);
    }
    while words.len() > 1 && words.last().is_some_and(|w| is_particle(w)) {
        words.pop();
    }
    words
}

/// `words` cut in two at `at`.
fn split_words<'a>(words: &[&'a str], at: usize) -> (Vec<&'a str>, Vec<&'a str>) {
    (
        words.iter().take(at).copied().collect(),
        words.iter().skip(at).copied().collect(),
    )
}

/// The words joined with single spaces; `None` when there are none.
fn joined(words: &[&str]) -> Option<String> {
    (!words.is_empty()).then(|| words.join(" "))
}

/// A name as written, tidied: cut before any bracket, stray quotes and markup trimmed,
/// spaces single. `None` when it holds digits or `@`, or is too long to be a name.
pub(super) fn clean_name(raw: &str) -> Option<String> {
    let raw = raw.split(['(', '<', '[']).next().unwrap_or_default();
    let name = single_spaced(raw);
    let name = name.trim_matches(|c: char| "*_\"«» ,;:".contains(c));
    // A full stop ends a sentence, except after an initial (`J.`).
    let name = match name.strip_suffix('.') {
        Some(stem) if stem.chars().rev().nth(1).is_some_and(char::is_alphabetic) => stem,
        _ => name,
    };
    let acceptable = !name.is_empty()
        && name.chars().any(char::is_alphabetic)
        && !name.chars().any(|c| c.is_ascii_digit() || c == '@')
        && name.chars().count() <= MAX_VALUE_CHARS;
    acceptable.then(|| name.to_string())
}

/// Whether a word is written in capitals (at least two letters, as `DUMONT`, `D'URSEL`).
fn in_capitals(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic());
    letters.clone().count() >= 2 && letters.clone().all(char::is_uppercase)
}

/// Whether a word is a surname particle.
fn is_particle(word: &str) -> bool {
    is_one_of(PARTICLES, &fold(word))
}

/// Whether `name` is the sender's own, judging by the sender's address
/// (`jean.dupont@…` is Jean Dupont).
pub(super) fn is_sender(name: &PersonName, sender: Option<&str>) -> bool {
    let Some(local) = sender.and_then(|s| s.split('@').next()).map(key) else {
        return false;
    };
    let Some(last) = name.last.as_deref().map(key).filter(|k| k.len() >= 2) else {
        return false;
    };
    // `jdupont@` is J. Dupont; `jean.dupont@` is not Julie Dupont.
    local.contains(&last)
        && name.first.as_deref().map(key).is_none_or(|first| {
            let initial: String = first.chars().take(1).collect();
            first.is_empty() || local.contains(&first) || local.starts_with(&(initial + &last))
        })
}
