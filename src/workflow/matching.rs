//! Is this the same organisation? Compares a name as a message writes it ("CHR
//! Haute-Meuse — point de contact" once the subject is cut, "Centre Hospitalier Régional
//! de la Haute-Meuse" in a form) with a registered member's name.
//!
//! The bot must never update the wrong member, so [`NameMatch::Same`] is kept for names
//! spelt alike up to case, accents, punctuation and a trailing legal form. Everything
//! that merely looks alike (an acronym, a typo, a longer or shorter name) is
//! [`NameMatch::Near`]: a coordinator decides. The rules for `Near` are deliberately
//! narrow and always need a distinctive (non-generic) word in common, because Wallonia
//! has dozens of "Centre Hospitalier Régional" and "Résidence Les Tilleuls" that differ
//! only by their place name.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// Names are cut to this many characters before comparison: a name is a line, not a
/// document, and this bounds the quadratic steps below.
const MAX_NAME_CHARS: usize = 300;

/// Belgian legal forms, ignored at the end of a name (`Same`) and anywhere (`Near`).
/// Also recognised spelt with dots ("a.s.b.l." reads as the words a, s, b, l).
const LEGAL_FORMS: &[&str] = &["asbl", "sa", "srl", "sprl", "scrl", "sc", "vzw", "nv", "bv"];

/// Words that say nothing about which organisation is meant.
const STOP_WORDS: &[&str] = &[
    "de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "a", "au", "aux", "pour", "sur",
    "the",
];

/// Words shared by too many members to tell two of them apart: they never make a
/// `Near` on their own.
const GENERIC_WORDS: &[&str] = &[
    "centre",
    "hospitalier",
    "hopital",
    "hospital",
    "clinique",
    "maison",
    "repos",
    "soins",
    "residence",
    "home",
    "asbl",
    "groupe",
    "regional",
    "universitaire",
    "chu",
    "chr",
];

/// An acronym is 2 to 6 letters written in capitals ("MR", "CHR", "CPAS").
const ACRONYM_LETTERS: std::ops::RangeInclusive<usize> = 2..=6;

/// Shortest word in which a typo is tolerated: shorter words differ by one letter too
/// often for real ("Meuse" and "Meuze" would be fine, "Huy" and "Hui" would not).
const TYPO_MIN_LETTERS: usize = 6;

/// Words of this many letters or fewer tolerate one edit; longer ones two.
const TYPO_ONE_EDIT_MAX_LETTERS: usize = 8;

/// A name reduced for comparison: accents dropped (NFKD, combining marks removed), lower
/// case, ligatures spelt out (œ→oe, æ→ae), apostrophes/hyphens/punctuation → spaces, runs
/// of spaces one, trimmed. "Centre Hospitalier Régional de la Haute-Meuse" → "centre
/// hospitalier regional de la haute meuse". Only the first 300 characters are read.
#[must_use]
pub fn name_key(name: &str) -> String {
    keys(&words(name)).join(" ")
}

/// How two organisation names relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    /// The same name up to case, accents, punctuation, a trailing legal form and
    /// surrounding quotes or parentheses: safe to act on.
    Same,
    /// Probably the same organisation (acronym, typo, longer or shorter name): a
    /// coordinator must decide.
    Near,
    /// Not the same organisation as far as the name tells.
    Different,
}

/// How two organisation names relate; symmetric, never panics, reads at most 300
/// characters of each name. An empty name (or one of punctuation only) is `Different`
/// from everything.
#[must_use]
pub fn compare(a: &str, b: &str) -> NameMatch {
    let (a, b) = (words(a), words(b));
    if a.is_empty() || b.is_empty() {
        NameMatch::Different
    } else if keys(without_trailing_legal_forms(&a)) == keys(without_trailing_legal_forms(&b)) {
        NameMatch::Same
    } else if is_near(&significant_words(&a), &significant_words(&b)) {
        NameMatch::Near
    } else {
        NameMatch::Different
    }
}

/// One word of a name: its reduced form, and whether the original was all capitals
/// (which is what makes "MR" an acronym and "Mr" not).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    key: String,
    capitals: bool,
}

impl Word {
    fn new() -> Self {
        Word {
            key: String::new(),
            capitals: true,
        }
    }

    fn is_acronym(&self) -> bool {
        self.capitals
            && ACRONYM_LETTERS.contains(&self.key.chars().count())
            && self.key.chars().all(char::is_alphabetic)
    }
}

/// The words of a name, reduced as [`name_key`] says. Folding is done character by
/// character so that each reduced letter remembers whether its original was a capital.
fn words(name: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = Word::new();
    for original in name.chars().take(MAX_NAME_CHARS) {
        fold_char(original, |c| {
            if c.is_alphanumeric() {
                current.key.push(c);
                current.capitals &= original.is_uppercase();
            } else if !current.key.is_empty() {
                words.push(std::mem::replace(&mut current, Word::new()));
            }
        });
    }
    if !current.key.is_empty() {
        words.push(current);
    }
    words
}

/// Emits the reduced form of one character: compatibility decomposition (so "ﬁ" is "fi"
/// and "é" is "e" plus a mark), lower case, marks dropped, ligatures spelt out (NFKD
/// leaves œ and æ whole because they are letters in their own right).
fn fold_char(c: char, mut emit: impl FnMut(char)) {
    decompose_compatible(c, |decomposed| {
        // Lower-casing may itself produce a mark ("İ" → "i" + dot above).
        for lower in decomposed.to_lowercase() {
            match lower {
                _ if is_combining_mark(lower) => {}
                'œ' => {
                    emit('o');
                    emit('e');
                }
                'æ' => {
                    emit('a');
                    emit('e');
                }
                _ => emit(lower),
            }
        }
    });
}

fn keys(words: &[Word]) -> Vec<&str> {
    words.iter().map(|word| word.key.as_str()).collect()
}

/// True when `words` is exactly the legal form `form`, written as one word ("asbl") or
/// one letter a word ("a.s.b.l." → a, s, b, l).
fn spells_legal_form(words: &[Word], form: &str) -> bool {
    match words {
        [word] if word.key == form => true,
        _ => {
            words.len() == form.chars().count()
                && words.iter().all(|word| word.key.chars().count() == 1)
                && words
                    .iter()
                    .flat_map(|word| word.key.chars())
                    .eq(form.chars())
        }
    }
}

/// How many words at the end of `words` spell a legal form, if any do.
fn legal_form_at_end(words: &[Word]) -> Option<usize> {
    LEGAL_FORMS.iter().find_map(|form| {
        [1, form.chars().count()].into_iter().find(|&count| {
            words
                .len()
                .checked_sub(count)
                .and_then(|start| words.get(start..))
                .is_some_and(|tail| spells_legal_form(tail, form))
        })
    })
}

/// How many words at the start of `words` spell a legal form, if any do.
fn legal_form_at_start(words: &[Word]) -> Option<usize> {
    LEGAL_FORMS.iter().find_map(|form| {
        [1, form.chars().count()].into_iter().find(|&count| {
            words
                .get(..count)
                .is_some_and(|head| spells_legal_form(head, form))
        })
    })
}

/// The name without its trailing legal form(s) ("… SA/NV" has two). A name that is
/// nothing but a legal form is kept whole, so that it cannot equal every other one.
fn without_trailing_legal_forms(words: &[Word]) -> &[Word] {
    let mut rest = words;
    while let Some(count) = legal_form_at_end(rest).filter(|&count| count < rest.len()) {
        rest = rest.get(..rest.len() - count).unwrap_or_default();
    }
    rest
}

/// The words that tell organisations apart: legal forms (anywhere) and stop words
/// removed. Legal forms go first, so that the "a" and "l" of "a.s.b.l." are read as part
/// of it rather than as stop words that would leave a stray "s b".
fn significant_words(words: &[Word]) -> Vec<Word> {
    let mut significant = Vec::new();
    let mut rest = words;
    while let Some((first, tail)) = rest.split_first() {
        if let Some(count) = legal_form_at_start(rest) {
            rest = rest.get(count..).unwrap_or_default();
            continue;
        }
        if !STOP_WORDS.contains(&first.key.as_str()) {
            significant.push(first.clone());
        }
        rest = tail;
    }
    significant
}

fn is_generic(word: &str) -> bool {
    GENERIC_WORDS.contains(&word)
}

fn distinctive_count(words: &[&str]) -> usize {
    words.iter().filter(|word| !is_generic(word)).count()
}

/// Whether two names (as significant words) look like the same organisation: alike as
/// they stand, or once an acronym in one is read as the words of the other that it
/// abbreviates ("CHR" ↔ "Centre Hospitalier Régional").
fn is_near(a: &[Word], b: &[Word]) -> bool {
    let (a_keys, b_keys) = (keys(a), keys(b));
    look_alike(&a_keys, &b_keys)
        || acronym_expansions(a, &b_keys).any(|a_read| look_alike(&a_read, &b_keys))
        || acronym_expansions(b, &a_keys).any(|b_read| look_alike(&a_keys, &b_read))
}

/// Every reading of `words` in which one acronym is replaced by consecutive words of
/// `other` whose initials it spells. One acronym at a time: enough for real names, and
/// it keeps the work quadratic at most.
fn acronym_expansions<'a>(
    words: &'a [Word],
    other: &'a [&'a str],
) -> impl Iterator<Item = Vec<&'a str>> + 'a {
    words
        .iter()
        .enumerate()
        .filter(|(_, word)| word.is_acronym())
        .flat_map(move |(index, acronym)| {
            other
                .windows(acronym.key.chars().count())
                .filter(|expansion| initials_spell(expansion, &acronym.key))
                .map(move |expansion| {
                    let before = words.iter().take(index).map(|word| word.key.as_str());
                    let after = words.iter().skip(index + 1).map(|word| word.key.as_str());
                    before
                        .chain(expansion.iter().copied())
                        .chain(after)
                        .collect()
                })
        })
}

fn initials_spell(expansion: &[&str], acronym: &str) -> bool {
    expansion
        .iter()
        .map(|word| word.chars().next())
        .eq(acronym.chars().map(Some))
}

/// The rules for a near match between two sequences of significant words.
fn look_alike(a: &[&str], b: &[&str]) -> bool {
    same_significant_words(a, b) || one_typo_apart(a, b) || one_contains_the_other(a, b)
}

/// Names that differ only by stop words or legal forms ("CHR de la Haute-Meuse" and
/// "CHR Haute-Meuse"), provided something distinctive is left.
fn same_significant_words(a: &[&str], b: &[&str]) -> bool {
    a == b && distinctive_count(a) > 0
}

/// Names that differ by a typo in one long word and nothing else. Both names must keep a
/// distinctive word, so that "Centre Hospitalier Régional" does not nearly match a
/// misspelling of itself that is just as generic.
fn one_typo_apart(a: &[&str], b: &[&str]) -> bool {
    if a.len() != b.len() || distinctive_count(a) == 0 || distinctive_count(b) == 0 {
        return false;
    }
    let mut differences = a.iter().zip(b).filter(|(x, y)| x != y);
    match (differences.next(), differences.next()) {
        (Some((x, y)), None) => is_typo(x, y),
        _ => false,
    }
}

/// One word misspelt as another: letters only (a different number is a different
/// building, not a typo), and few edits for the length of the shorter word.
fn is_typo(x: &str, y: &str) -> bool {
    let letters = x.chars().count().min(y.chars().count());
    let allowed = if letters <= TYPO_ONE_EDIT_MAX_LETTERS {
        1
    } else {
        2
    };
    letters >= TYPO_MIN_LETTERS
        && x.chars().chain(y.chars()).all(char::is_alphabetic)
        && levenshtein(x, y) <= allowed
}

/// One name is the other with words added ("Clinique Saint-Luc" and "Clinique Saint-Luc
/// Bouge"), and the words they share include two distinctive ones: one distinctive word
/// in common ("Résidence Les Tilleuls" in "Résidence Les Tilleuls de Jambes") is too
/// little to suspect the same member.
fn one_contains_the_other(a: &[&str], b: &[&str]) -> bool {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    is_subsequence(shorter, longer) && distinctive_count(shorter) >= 2
}

/// Whether every word of `shorter` appears in `longer`, in the same order.
fn is_subsequence(shorter: &[&str], longer: &[&str]) -> bool {
    let mut longer = longer.iter();
    shorter
        .iter()
        .all(|word| longer.any(|candidate| candidate == word))
}

/// Edit distance in characters (insertions, deletions, substitutions), one row at a
/// time. Words are at most 300 characters, so this stays small.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // `row[j]` is the distance between the part of `a` read so far and `b[..j]`.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut next = Vec::with_capacity(row.len());
        let mut diagonal = i; // row[j] before this pass
        let mut left = i + 1; // next[j]
        next.push(left);
        for (b_char, &above) in b.iter().zip(row.iter().skip(1)) {
            let substitution = diagonal + usize::from(a_char != *b_char);
            let distance = substitution.min(above + 1).min(left + 1);
            next.push(distance);
            diagonal = above;
            left = distance;
        }
        row = next;
    }
    row.last().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use NameMatch::{Different, Near, Same};

    const CHR_FULL: &str = "Centre Hospitalier Régional de la Haute-Meuse";

    // --- name_key ---

    #[test]
    fn a_key_drops_accents_case_and_hyphens() {
        assert_eq!(
            name_key(CHR_FULL),
            "centre hospitalier regional de la haute meuse"
        );
    }

    #[test]
    fn a_key_spells_out_ligatures() {
        assert_eq!(
            name_key("Œuvre Fédérale des Cæcilia"),
            "oeuvre federale des caecilia"
        );
        assert_eq!(name_key("ŒUVRE"), "oeuvre");
    }

    #[test]
    fn a_key_turns_apostrophes_quotes_and_punctuation_into_single_spaces() {
        assert_eq!(
            name_key("  « Centre Public d’Action Sociale » (Namur),  asbl. "),
            "centre public d action sociale namur asbl"
        );
        assert_eq!(
            name_key("Maison de repos l'Aubépine"),
            "maison de repos l aubepine"
        );
    }

    #[test]
    fn a_key_reads_compatibility_forms_as_plain_letters() {
        assert_eq!(name_key("Ｃｌｉｎｉｑｕｅ ﬁdèle"), "clinique fidele");
    }

    #[test]
    fn a_key_of_nothing_or_punctuation_is_empty() {
        assert_eq!(name_key(""), "");
        assert_eq!(name_key(" — «» () -- "), "");
    }

    #[test]
    fn a_key_reads_only_the_first_300_characters() {
        let long = "a".repeat(10_000);
        assert_eq!(name_key(&long).chars().count(), 300);
    }

    // --- Same ---

    #[test]
    fn names_alike_up_to_case_accents_and_hyphens_are_the_same() {
        assert_eq!(compare("CHR Haute Meuse", "chr haute-meuse"), Same);
        assert_eq!(compare("CHR Haute Meuse", "CHR Haute-Méuse"), Same);
        assert_eq!(
            compare(CHR_FULL, "CENTRE HOSPITALIER REGIONAL DE LA HAUTE MEUSE"),
            Same
        );
    }

    #[test]
    fn a_trailing_legal_form_is_ignored() {
        assert_eq!(
            compare("Clinique Saint-Luc ASBL", "Clinique Saint-Luc"),
            Same
        );
        assert_eq!(
            compare("Clinique Saint-Luc, a.s.b.l.", "Clinique Saint-Luc"),
            Same
        );
        assert_eq!(compare("Groupe Jolimont (asbl)", "Groupe Jolimont"), Same);
        assert_eq!(compare("Securex SA/NV", "Securex"), Same);
        assert_eq!(compare("Mediprevent S.R.L.", "Mediprevent srl"), Same);
        assert_eq!(compare("Cohezio VZW", "Cohezio scrl"), Same);
    }

    #[test]
    fn surrounding_quotes_and_parentheses_are_ignored() {
        assert_eq!(
            compare("« Résidence Les Tilleuls »", "Résidence Les Tilleuls"),
            Same
        );
        assert_eq!(
            compare("\"Résidence Les Tilleuls\"", "(Résidence Les Tilleuls)"),
            Same
        );
    }

    #[test]
    fn a_legal_form_alone_is_not_stripped_to_nothing() {
        assert_eq!(compare("ASBL", "SA"), Different);
    }

    // --- Near: acronyms ---

    #[test]
    fn an_acronym_for_the_leading_words_is_a_near_match() {
        assert_eq!(compare("CHR Haute-Meuse", CHR_FULL), Near);
        assert_eq!(compare(CHR_FULL, "CHR Haute-Meuse"), Near);
    }

    #[test]
    fn an_acronym_with_stop_words_after_it_is_a_near_match() {
        assert_eq!(compare("CHR de la Haute-Meuse", CHR_FULL), Near);
    }

    #[test]
    fn an_acronym_skips_stop_words_inside_its_expansion() {
        assert_eq!(
            compare(
                "MRS Les Tilleuls",
                "Maison de Repos et de Soins Les Tilleuls"
            ),
            Near
        );
        assert_eq!(
            compare("CPAS de Namur", "Centre Public d'Action Sociale de Namur"),
            Near
        );
        assert_eq!(compare("HUB", "Hôpital Universitaire de Bruxelles"), Near);
    }

    #[test]
    fn an_acronym_in_the_middle_of_a_name_is_a_near_match() {
        assert_eq!(
            compare(
                "Résidence MR Les Tilleuls",
                "Résidence Maison de Repos Les Tilleuls"
            ),
            Near
        );
    }

    #[test]
    fn an_acronym_must_be_written_in_capitals() {
        assert_eq!(compare("chr haute-meuse", CHR_FULL), Different);
        assert_eq!(compare("Chr Haute-Meuse", CHR_FULL), Different);
    }

    #[test]
    fn an_acronym_whose_letters_are_not_the_initials_is_different() {
        assert_eq!(
            compare("MR Les Tilleuls", "Centre Hospitalier Les Tilleuls"),
            Different
        );
    }

    #[test]
    fn an_acronym_expanding_to_generic_words_alone_is_different() {
        assert_eq!(compare("CHR", "Centre Hospitalier Régional"), Different);
        assert_eq!(
            compare("CHU", "Centre Hospitalier Universitaire"),
            Different
        );
    }

    #[test]
    fn an_acronym_with_a_different_place_is_different() {
        assert_eq!(compare("CHR Haute-Sambre", CHR_FULL), Different);
    }

    // --- Near: stop words and legal forms ---

    #[test]
    fn names_differing_only_by_stop_words_are_a_near_match() {
        assert_eq!(
            compare(CHR_FULL, "Centre Hospitalier Régional Haute-Meuse"),
            Near
        );
        assert_eq!(
            compare("Résidence Les Tilleuls", "Résidence Tilleuls"),
            Near
        );
    }

    #[test]
    fn a_legal_form_before_the_name_is_ignored_for_a_near_match() {
        assert_eq!(
            compare("ASBL Clinique Saint-Luc", "Clinique Saint-Luc"),
            Near
        );
    }

    #[test]
    fn names_differing_only_by_generic_stop_words_are_different() {
        assert_eq!(compare("Le Home", "Home"), Different);
    }

    // --- Near: typos ---

    #[test]
    fn a_typo_in_one_long_word_is_a_near_match() {
        assert_eq!(
            compare(CHR_FULL, "Centre Hospitaliier Régional de la Haute-Meuse"),
            Near
        );
        assert_eq!(
            compare("Résidence Les Tilleuls", "Résidence Les Tileuls"),
            Near
        );
    }

    #[test]
    fn two_edits_are_tolerated_only_in_words_longer_than_eight_letters() {
        assert_eq!(
            compare("Résidence Les Marronniers", "Résidence Les Maronnier"),
            Near
        );
        assert_eq!(
            compare("Résidence Les Marronniers", "Résidence Les Maronier"),
            Different
        );
        assert_eq!(
            compare("Résidence Les Tilleuls", "Résidence Les Tilluels"),
            Different
        );
    }

    #[test]
    fn a_typo_in_a_short_word_is_different() {
        assert_eq!(
            compare("Résidence du Parc Huy", "Résidence du Parc Hui"),
            Different
        );
        assert_eq!(compare("CHR Haute-Meuse", "CHR Haute-Meuze"), Different);
    }

    #[test]
    fn typos_in_two_words_are_different() {
        assert_eq!(
            compare(
                "Résidence Les Tilleuls Fléron",
                "Résidence Les Tileuls Fleroon"
            ),
            Different
        );
    }

    #[test]
    fn a_different_number_is_not_a_typo() {
        assert_eq!(compare("Résidence 123456", "Résidence 123457"), Different);
    }

    #[test]
    fn a_typo_in_a_wholly_generic_name_is_different() {
        assert_eq!(
            compare(
                "Centre Hospitalier Régional",
                "Centre Hospitalier Regionnal"
            ),
            Different
        );
    }

    // --- Near: one name within the other ---

    #[test]
    fn a_name_contained_in_the_other_with_two_distinctive_words_is_a_near_match() {
        assert_eq!(
            compare("Clinique Saint-Luc Bouge", "Clinique Saint-Luc"),
            Near
        );
        assert_eq!(
            compare("Clinique Saint-Luc", "Clinique Saint-Luc Bouge"),
            Near
        );
        assert_eq!(
            compare("CHR Haute-Meuse site de Dinant", "CHR Haute-Meuse"),
            Near
        );
    }

    #[test]
    fn a_contained_name_sharing_one_distinctive_word_is_different() {
        assert_eq!(
            compare("Résidence Les Tilleuls", "Résidence Les Tilleuls de Jambes"),
            Different
        );
    }

    // --- Different ---

    #[test]
    fn names_of_different_places_are_different() {
        assert_eq!(
            compare(CHR_FULL, "Centre Hospitalier Régional de la Haute-Sambre"),
            Different
        );
        assert_eq!(compare("CHR Haute-Meuse", "CHR Haute-Sambre"), Different);
        assert_eq!(
            compare("Résidence Les Tilleuls", "Résidence Les Glycines"),
            Different
        );
        assert_eq!(
            compare("Clinique Saint-Luc", "Clinique Saint-Pierre"),
            Different
        );
    }

    #[test]
    fn generic_words_alone_never_make_a_near_match() {
        assert_eq!(
            compare("Centre Hospitalier", "Centre Hospitalier Régional"),
            Different
        );
        assert_eq!(
            compare("Maison de Repos", "Maison de Repos et de Soins"),
            Different
        );
        assert_eq!(compare("Clinique", "Clinique Saint-Luc"), Different);
    }

    #[test]
    fn an_empty_name_is_different_from_everything() {
        assert_eq!(compare("", "CHR Haute-Meuse"), Different);
        assert_eq!(compare("CHR Haute-Meuse", ""), Different);
        assert_eq!(compare("", ""), Different);
        assert_eq!(compare("—", "()"), Different);
    }

    // --- bounds ---

    #[test]
    fn only_the_first_300_characters_are_compared() {
        let stem = "Clinique Saint-Luc ".repeat(20); // 380 characters
        assert_eq!(
            compare(&format!("{stem}Bouge"), &format!("{stem}Namur")),
            Same
        );
    }

    #[test]
    fn odd_input_never_panics_and_comparison_is_symmetric() {
        let names = [
            "",
            " ",
            "\u{301}\u{301}",
            "\0\u{7f}",
            "İSTANBUL",
            "ß",
            "ÆØÅ",
            "😀 CHR 😀",
            "مستشفى",
            "a.s.b.l.",
            "S A",
            "SA SA SA",
            "C.H.R. Haute-Meuse",
            "CHR Haute-Meuse",
            CHR_FULL,
            "MR MR MR MR MR",
            "A B C D E F G",
            &"AB ".repeat(200),
            &"é".repeat(5_000),
            &"Centre Hospitalier ".repeat(100),
        ];
        for a in names {
            for b in names {
                assert_eq!(compare(a, b), compare(b, a), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn edit_distance_counts_characters_not_bytes() {
        assert_eq!(levenshtein("", ""), 0);
        assert_eq!(levenshtein("abc", ""), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("régional", "regional"), 1);
    }
}
