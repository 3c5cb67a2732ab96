//! Folding text for comparison with the rules' phrases, remembering where each folded
//! character came from so a value can be cut out of the original line.
//!
//! Folding: compatibility decomposition (NFKD: "…" → "...", "ﬁ" → "fi", "：" → ":"),
//! accents dropped, lower case, ligatures spelt out (œ → oe), curly apostrophes, dashes
//! and quotes made plain, every run of white space one space, no space at either end.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A folded text and, for each of its bytes, the byte offset of the original character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// `origin[i]` is the offset in the original of the character folded into byte `i`;
    /// `origin[text.len()]` is the offset just past the last folded character.
    origin: Vec<usize>,
}

impl Folded {
    /// Folds `raw`.
    pub fn new(raw: &str) -> Folded {
        let mut text = String::with_capacity(raw.len());
        let mut origin = Vec::with_capacity(raw.len() + 1);
        let mut end = 0;
        let mut piece = String::new();
        for (offset, c) in raw.char_indices() {
            piece.clear();
            fold_char(c, &mut piece);
            for folded in piece.chars() {
                if folded == ' ' && (text.is_empty() || text.ends_with(' ')) {
                    continue;
                }
                text.push(folded);
                origin.resize(text.len(), offset);
                if folded != ' ' {
                    end = offset + c.len_utf8();
                }
            }
        }
        if text.ends_with(' ') {
            text.pop();
            origin.truncate(text.len());
        }
        origin.push(end);
        Folded { text, origin }
    }

    /// The offset in the original text of folded byte `at` (`text.len()` gives the end
    /// of the last folded character).
    pub fn origin(&self, at: usize) -> Option<usize> {
        self.origin.get(at).copied()
    }
}

/// Folds `raw` to a plain string.
pub fn fold(raw: &str) -> String {
    Folded::new(raw).text
}

fn fold_char(c: char, out: &mut String) {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{B4}'
        | '\u{2BC}' => out.push('\''),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
        '\u{AB}' | '\u{BB}' | '\u{201C}' | '\u{201D}' | '\u{201E}' => out.push('"'),
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        c if c.is_whitespace() || c.is_control() => out.push(' '),
        c => {
            for decomposed in std::iter::once(c).nfkd() {
                if !is_combining_mark(decomposed) {
                    out.extend(decomposed.to_lowercase());
                }
            }
        }
    }
}

/// Whether `text[at..]` starts at a word boundary: the end, or a character that is not
/// a letter or digit.
pub fn boundary_at(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Whether `text[..at]` ends at a word boundary.
pub fn boundary_before(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|head| head.chars().next_back())
        .is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_apostrophes_and_spaces_fold_away() {
        assert_eq!(
            fold("  Type d’organisation\u{a0} —  ÉCOSYSTÈME  "),
            "type d'organisation - ecosysteme"
        );
        assert_eq!(fold("Mise en œuvre…"), "mise en oeuvre...");
        assert_eq!(fold("Téléphone："), "telephone:");
    }

    #[test]
    fn folded_offsets_point_back_into_the_original() {
        let raw = "  Prénom :   Hélène";
        let folded = Folded::new(raw);
        assert_eq!(folded.text, "prenom : helene");
        let colon = folded.text.find(':').expect("colon");
        let at = folded.origin(colon + 1).expect("origin");
        assert_eq!(raw.get(at..).map(str::trim), Some("Hélène"));
        assert_eq!(folded.origin(folded.text.len()), Some(raw.len()));
    }

    #[test]
    fn word_boundaries() {
        assert!(boundary_at("achats durables", 6));
        assert!(!boundary_at("achatsx", 6));
        assert!(boundary_before("gt achats", 3));
        assert!(!boundary_before("xachats", 1));
    }
}
