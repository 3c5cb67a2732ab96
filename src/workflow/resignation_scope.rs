//! What a resignation withdraws from (art. 6.3, issue [doubt]): the Alliance as a whole,
//! some working groups only, or — when the body does not say — nobody can tell.
//!
//! The most expensive mistake mailroom can make is to take a member off the official
//! list and out of every group when it meant to leave one group. So a resignation is
//! applied alone only when its body withdraws from the Alliance as a whole, or says
//! nothing that narrows it:
//!
//! - a body that says the organisation stays a member or goes on elsewhere
//!   (`keep_phrases`), or leaves some group(s) only (`only_phrases`), is
//!   [`Scope::Partial`]: the groups it leaves are those named outside the sentences that
//!   say where it stays;
//! - a body that names a working group (by its label or alias, or as « GT », « groupe de
//!   travail »: `group_words`) without saying the Alliance itself is left
//!   (`whole_phrases`) is [`Scope::Unclear`];
//! - a body that says both is unclear too;
//! - otherwise it is [`Scope::Whole`]: a resignation that merely mentions a group (its
//!   delegates will hand over the group's work) is still a resignation.
//!
//! Only the sender's own words count: quoted earlier mail (which may list the member's
//! groups) and the signature block are left out. A phrase under a French negation
//! (« nous ne souhaitons pas rester membres », « nous ne quittons pas l'Alliance ») says
//! the opposite of itself. The wording is the alliance's (`requests.toml`, phrases with
//! `*` for any ending and `…` for up to three words); the rule is the engine's.
//!
//! Pure and bounded: the body is cut to its first [`MAX_BODY_CHARS`] characters and
//! phrases are matched word by word, in time linear in the words times the phrases.

use crate::form::fold;
use crate::form::record::WorkingGroupCode;
use crate::form::GroupNames;
use crate::rules::requests::{Phrase, PhraseToken as Token, ResignationWording};

/// Only this many characters of the sender's own words are read.
const MAX_BODY_CHARS: usize = 8_000;
/// A `…` in a phrase stands for at most this many words.
const MAX_GAP_WORDS: usize = 3;
/// A negation (`ne`, `n'`) counts this many words before a phrase, within its clause.
const NEGATION_REACH: usize = 6;
/// A group named within this many words after « résilier notre adhésion » narrows it.
const NARROWING_WORDS: usize = 4;

/// What a resignation's body withdraws the organisation from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The Alliance as a whole (or nothing narrows it): art. 6.3 applies.
    Whole,
    /// Some working groups only, or the organisation says it stays a member: the named
    /// groups (possibly none, when only « un GT » is said).
    Partial(Vec<WorkingGroupCode>),
    /// A group is named and nothing says whether the Alliance itself is left, or the body
    /// says both: the named groups.
    Unclear(Vec<WorkingGroupCode>),
}

impl Scope {
    /// The groups named, for a scope that is not the whole Alliance.
    pub fn groups(&self) -> &[WorkingGroupCode] {
        match self {
            Scope::Whole => &[],
            Scope::Partial(groups) | Scope::Unclear(groups) => groups,
        }
    }

    /// Whether mailroom may apply the resignation without a coordinator.
    pub fn is_whole(&self) -> bool {
        *self == Scope::Whole
    }
}

/// The scope of a resignation whose body (the sender's text, quotes included) is `body`.
///
/// `alliance_names` are the ways the alliance is written (`ASeT-W`): each is read as the
/// word « alliance », so that « rester membre de l'ASeT-W » is « … de l'alliance ».
pub fn scope_of(
    body: &str,
    wording: &ResignationWording,
    groups: &GroupNames,
    alliance_names: &[String],
) -> Scope {
    let mut names: Vec<Vec<String>> = alliance_names
        .iter()
        .map(|name| {
            fold(name)
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    names.sort_by_key(|words: &Vec<String>| std::cmp::Reverse(words.len()));
    let context = Context {
        wording,
        groups,
        alliance_names: &names,
    };
    let own = super::contact_details::own_words(body);
    let reading = Reading::of(&own, &context);
    if reading.scope() == Scope::Whole && !reading.leaves {
        // The sender's own words neither leave the Alliance in so many words nor narrow
        // anything (« Je vous transfère la demande ci-dessous », « Nous résilions. »): the
        // quoted or forwarded text may be the request itself — it is read too, and a group
        // or a narrowing found there holds the message.
        return Reading::of(body, &context).scope();
    }
    reading.scope()
}

/// What a text is read with.
struct Context<'a> {
    wording: &'a ResignationWording,
    groups: &'a GroupNames,
    alliance_names: &'a [Vec<String>],
}

/// What one text says about the scope.
struct Reading {
    stays: bool,
    leaves: bool,
    named: Vec<WorkingGroupCode>,
    mentions_group: bool,
}

impl Reading {
    fn of(text: &str, context: &Context<'_>) -> Reading {
        let (wording, groups) = (context.wording, context.groups);
        let text: String = text.chars().take(MAX_BODY_CHARS).collect();
        let words = Words::of(&text, context.alliance_names);
        let found = |phrases: &[Phrase]| -> Vec<Found> {
            phrases.iter().filter_map(|p| words.find(p)).collect()
        };
        let keeps = found(&wording.keep_phrases);
        let only = found(&wording.only_phrases);
        let wholes = found(&wording.whole_phrases);
        // The groups it leaves: those named outside a clause that says it stays or goes
        // on (« nous poursuivrons au sein du GT Résilience » is where it stays).
        let starts: Vec<usize> = keeps
            .iter()
            .filter(|m| !m.negated)
            .map(|m| m.start)
            .collect();
        let named = words.groups_outside(groups, &words.staying_words(&starts));
        let mentions_group = !named.is_empty() || words.has_any(&wording.group_words);
        // « résilier notre adhésion au GT Achats »: the words of a whole resignation,
        // narrowed to a group by what follows them.
        let names_group = |phrase: &Found| {
            let next = words.after(phrase.end, NARROWING_WORDS);
            !groups.find(&next).is_empty() || Words::of(&next, &[]).has_any(&wording.group_words)
        };
        let (narrowed, wholes): (Vec<Found>, Vec<Found>) = wholes
            .into_iter()
            .partition(|m| !m.negated && names_group(m));
        Reading {
            // A negated phrase says the opposite: « ne souhaitons pas rester membres ».
            stays: keeps.iter().chain(&only).any(|m| !m.negated)
                || wholes.iter().any(|m| m.negated)
                || !narrowed.is_empty(),
            leaves: wholes.iter().any(|m| !m.negated)
                || keeps.iter().chain(&only).any(|m| m.negated),
            named,
            mentions_group,
        }
    }

    fn scope(&self) -> Scope {
        match (self.stays, self.leaves) {
            (true, false) => Scope::Partial(self.named.clone()),
            (true, true) => Scope::Unclear(self.named.clone()),
            (false, true) => Scope::Whole,
            (false, false) if self.mentions_group => Scope::Unclear(self.named.clone()),
            (false, false) => Scope::Whole,
        }
    }
}

/// A phrase found: where it ends (a word index) and whether a negation governs it.
struct Found {
    start: usize,
    end: usize,
    negated: bool,
}

/// The folded words of a text, with the clause each one belongs to.
struct Words {
    words: Vec<String>,
    clauses: Vec<usize>,
    sentences: Vec<usize>,
}

impl Words {
    /// The words of `text`, each of `alliance_names` read as the word `alliance`.
    fn of(text: &str, alliance_names: &[Vec<String>]) -> Words {
        let folded = fold(text);
        let mut words = Words {
            words: Vec::new(),
            clauses: Vec::new(),
            sentences: Vec::new(),
        };
        let (mut clause, mut sentence) = (0, 0);
        let mut current = String::new();
        for c in folded.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() {
                current.push(c);
                continue;
            }
            if !current.is_empty() {
                words.words.push(std::mem::take(&mut current));
                words.clauses.push(clause);
                words.sentences.push(sentence);
                words.read_alliance(alliance_names);
            }
            if matches!(c, ',' | ';' | '(' | ')' | '.' | '!' | '?' | '\n') {
                clause += 1;
            }
            if matches!(c, '.' | '!' | '?' | '\n') {
                sentence += 1;
            }
        }
        words
    }

    /// Replaces a just-completed alliance name (`aset w`) by the word `alliance`.
    fn read_alliance(&mut self, alliance_names: &[Vec<String>]) {
        for name in alliance_names {
            let n = name.len();
            let Some(start) = self.words.len().checked_sub(n) else {
                continue;
            };
            let same_clause = self.clauses.get(start) == self.clauses.last();
            if n > 0
                && same_clause
                && self
                    .words
                    .get(start..)
                    .is_some_and(|tail| tail == name.as_slice())
            {
                self.words.truncate(start + 1);
                self.clauses.truncate(start + 1);
                self.sentences.truncate(start + 1);
                if let Some(word) = self.words.last_mut() {
                    *word = "alliance".to_owned();
                }
                return;
            }
        }
    }

    /// The first occurrence of `phrase` that is not negated, else the first one.
    fn find(&self, phrase: &Phrase) -> Option<Found> {
        let tokens = phrase.tokens();
        let self_negative = matches!(tokens.first(), Some(Token::Word(w)) if w == "ne" || w == "n");
        let mut first = None;
        for start in 0..self.words.len() {
            if let Some(end) = self.match_at(tokens, 0, start) {
                let negated = !self_negative && self.is_negated(start, end);
                if !negated {
                    return Some(Found {
                        start,
                        end,
                        negated,
                    });
                }
                first.get_or_insert(Found {
                    start,
                    end,
                    negated,
                });
            }
        }
        first
    }

    /// Up to `count` words from word `at`, within its clause, joined by spaces.
    fn after(&self, at: usize, count: usize) -> String {
        let clause = self.clauses.get(at.saturating_sub(1));
        (at..self.words.len())
            .take(count)
            .take_while(|&i| self.clauses.get(i) == clause)
            .filter_map(|i| self.words.get(i).map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether word `i` is where the organisation says it stays or goes on: from the
    /// clause of a keep phrase found at `start` to the end of its sentence, or to a « mais ».
    fn staying_words(&self, starts: &[usize]) -> Vec<bool> {
        let mut staying = vec![false; self.words.len()];
        for &start in starts {
            let clause = self.clauses.get(start);
            let sentence = self.sentences.get(start);
            let from = (0..=start)
                .rev()
                .take_while(|&i| self.clauses.get(i) == clause)
                .last()
                .unwrap_or(start);
            for (i, flag) in staying.iter_mut().enumerate().skip(from) {
                let word = self.words.get(i).map(String::as_str);
                if self.sentences.get(i) != sentence
                    || (i > start && matches!(word, Some("mais" | "cependant" | "toutefois")))
                {
                    break;
                }
                *flag = true;
            }
        }
        staying
    }

    /// The groups named outside the `staying` words, in order, each once.
    fn groups_outside(&self, groups: &GroupNames, staying: &[bool]) -> Vec<WorkingGroupCode> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < self.words.len() {
            let key = (self.clauses.get(i), staying.get(i));
            let start = i;
            while i < self.words.len() && (self.clauses.get(i), staying.get(i)) == key {
                i += 1;
            }
            if key.1 == Some(&true) {
                continue;
            }
            let text = self.words.get(start..i).unwrap_or_default().join(" ");
            for code in groups.find(&text) {
                if !found.contains(&code) {
                    found.push(code);
                }
            }
        }
        found
    }

    /// Whether any of `phrases` is found.
    fn has_any(&self, phrases: &[Phrase]) -> bool {
        phrases.iter().any(|phrase| self.find(phrase).is_some())
    }

    /// Where a match of `tokens[from..]` starting at word `at` ends (exclusive).
    fn match_at(&self, tokens: &[Token], from: usize, at: usize) -> Option<usize> {
        let Some(token) = tokens.get(from) else {
            return Some(at);
        };
        if *token == Token::Gap {
            // The words skipped stay in the clause of the word before the gap.
            let clause = self.clauses.get(at.checked_sub(1)?);
            return (0..=MAX_GAP_WORDS)
                .take_while(|&skip| self.clauses.get(at + skip) == clause)
                .find_map(|skip| self.match_at(tokens, from + 1, at + skip));
        }
        let word = self.words.get(at)?;
        if !token.matches(word) {
            return None;
        }
        // A phrase stays within one sentence part: « … GT Achats. L'Alliance … » is two.
        if from > 0 && self.clauses.get(at) != self.clauses.get(at.checked_sub(1)?) {
            return None;
        }
        self.match_at(tokens, from + 1, at + 1)
    }

    /// « ne … pas / plus / jamais / point / aucun » around words `start..end` of one
    /// clause, or « pas », « non », « ni » right before them (« et pas seulement le GT »,
    /// « ni poursuivre au sein du groupe »).
    fn is_negated(&self, start: usize, end: usize) -> bool {
        let clause = self.clauses.get(start);
        let just_before = start
            .checked_sub(1)
            .filter(|&i| self.clauses.get(i) == clause)
            .and_then(|i| self.words.get(i));
        if just_before.is_some_and(|w| matches!(w.as_str(), "pas" | "non" | "ni")) {
            return true;
        }
        let from = start.saturating_sub(NEGATION_REACH);
        let Some(ne) = (from..start)
            .rev()
            .take_while(|&i| self.clauses.get(i) == clause)
            .find(|&i| self.words.get(i).is_some_and(|w| w == "ne" || w == "n"))
        else {
            return false;
        };
        let to = (end + 2).min(self.words.len());
        (ne + 1..to).any(|i| {
            self.clauses.get(i) == clause
                && self.words.get(i).is_some_and(|w| {
                    matches!(
                        w.as_str(),
                        "pas"
                            | "plus"
                            | "jamais"
                            | "point"
                            | "nullement"
                            | "aucunement"
                            | "aucun"
                            | "aucune"
                    )
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(text: &str) -> Phrase {
        Phrase::try_from(text.to_owned()).expect("a phrase")
    }

    fn words(text: &str) -> Words {
        Words::of(text, &[vec!["aset".to_owned(), "w".to_owned()]])
    }

    #[test]
    fn a_phrase_matches_endings_and_short_gaps_within_a_clause() {
        let text = words("Nous résilions ici notre adhésion. L'Alliance est utile.");
        assert!(text.find(&phrase("résili* … adhésion")).is_some());
        let far = words("Nous résilions par la présente et dès ce jour notre adhésion.");
        assert!(
            far.find(&phrase("résili* … adhésion")).is_none(),
            "at most three words"
        );
        let named = words("Nous restons membres de l'ASeT-W.");
        assert!(
            named
                .find(&phrase("rest* … membre* de l'alliance"))
                .is_some(),
            "the alliance's name"
        );
        assert!(
            text.find(&phrase("adhésion … alliance")).is_none(),
            "two sentences"
        );
        assert!(
            text.find(&phrase("résili* adhésion")).is_none(),
            "no gap without …"
        );
    }

    #[test]
    fn a_negation_before_a_phrase_is_seen_and_a_phrase_that_negates_itself_is_not() {
        let negated = words("Nous ne souhaitons pas rester membres de l'Alliance.");
        assert!(negated
            .find(&phrase("rest* membre*"))
            .is_some_and(|f| f.negated));
        let plain = words("Nous souhaitons rester membres.");
        assert!(plain
            .find(&phrase("rest* membre*"))
            .is_some_and(|f| !f.negated));
        let itself = words("Nous décidons de ne plus être membre.");
        assert!(itself
            .find(&phrase("ne plus etre membre"))
            .is_some_and(|f| !f.negated));
        let other_clause =
            words("Nous ne participerons plus au GT Achats, tout en restant membres.");
        assert!(other_clause
            .find(&phrase("tout en restant"))
            .is_some_and(|f| !f.negated));
    }

    fn scope(body: &str) -> Scope {
        let rules = crate::rules::Rules::embedded().expect("rules");
        let groups = GroupNames::new(&rules.form);
        scope_of(
            body,
            &rules.requests.resignation,
            &groups,
            &rules.subjects.alliance_names,
        )
    }

    #[test]
    fn a_resignation_that_says_nothing_narrowing_or_mentions_a_group_in_passing_is_whole() {
        assert_eq!(
            scope("Nous résilions notre convention.\n\nPaul"),
            Scope::Whole
        );
        let handover = "Nous mettons fin à notre adhésion à l'ASeT-W. Notre déléguée au GT \
            Décarbonation transmettra les dossiers en cours.";
        assert_eq!(scope(handover), Scope::Whole);
    }

    #[test]
    fn leaving_one_group_or_staying_a_member_is_partial_and_names_only_the_group_left() {
        use WorkingGroupCode::{Decarbonisation, Resilience};
        let one = "Le CHR quitte le GT Décarbonation ; nous poursuivrons au sein du GT Résilience.";
        assert_eq!(scope(one), Scope::Partial(vec![Decarbonisation]));
        let adhesion = "Nous souhaitons résilier notre adhésion au GT Résilience uniquement.";
        assert_eq!(scope(adhesion), Scope::Partial(vec![Resilience]));
    }

    #[test]
    fn a_group_named_with_nothing_about_the_alliance_is_unclear() {
        let only = "Nous ne participerons plus au GT Décarbonation à partir de janvier.";
        assert!(matches!(scope(only), Scope::Unclear(_)));
    }

    #[test]
    fn a_forward_is_read_with_the_request_below_it() {
        let forward = "Pour suite.\n\nDe : Direction\nEnvoyé : lundi 7 décembre 2026 09:00\n\
            À : Paul\nObjet : GT\n\nNous quittons le GT Décarbonation mais restons membres.";
        assert!(!scope(forward).is_whole());
    }
}
