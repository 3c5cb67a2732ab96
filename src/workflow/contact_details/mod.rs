//! Reading the new point of contact out of a contact-change message (convention, art. 4.2).
//!
//! A member tells the alliance about a new « point de contact » by email, in French, in
//! one of two ways: a labelled list (`Nom : Martin`, `Prénom : Julie`, `Tél. : 081 23 45
//! 67`…) or a sentence (« ma successeure sera Mme Julie Martin, coordinatrice
//! environnement, joignable au 081 23 45 67 »). [`read_new_contact`] reads either:
//!
//! 1. the body is cut to its first 20,000 characters, composed (NFC), and its spaces,
//!    apostrophes and line breaks made plain;
//! 2. everything from the first quote header on (`>` lines, `De : … Envoyé : …`,
//!    `Le … a écrit :`, `-----Original Message-----`…) is dropped: it is earlier mail;
//! 3. everything from the sender's sign-off on (`Cordialement,`, `Bien à vous,`, `-- `…)
//!    is dropped: it is the departing contact's own signature. A body without a sign-off
//!    is read whole;
//! 4. labelled fields are read first (`boundaries.rs` → `labels.rs`, including table rows
//!    flattened without separators); a sentence naming the successor fills the gaps
//!    (`prose.rs`: « c'est Julie Martin (…) qui reprend le rôle », « Remplaçant : … »,
//!    labels after the name, the next paragraph when it goes on about them);
//! 5. when that names no one: a mail the sender hands on (« je vous transfère
//!    ci-dessous… », a forward marker) is read the same way, never the sender's own earlier
//!    mail; then a short answer (« Voici : … ») is read when the quoted mail asks for the
//!    new contact. Other quoted text is never read.
//!
//! Names are returned as written (`DUMONT` stays in capitals), emails lower-cased, phones
//! as written with white space reduced to single spaces. The sender's own address is never
//! returned.
//!
//! Every pattern is a `regex` pattern (finite automata: linear time whatever the input),
//! and every cut is made with `str::get` at a character boundary, so no body can make this
//! panic or run long.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use regex::Regex;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use addresses::first_email;
use boundaries::{
    before_sign_off, forwarded_message, quotes_request_for_contact, without_quoted_text,
};
use labels::read_labelled_list;
use names::{is_sender, PersonName};
use prose::{read_answer, read_prose};

mod addresses;
mod boundaries;
mod labels;
mod names;
#[cfg(test)]
mod phrasing_tests;
mod prose;
#[cfg(test)]
mod tests;

/// Only this many characters of a body are read, to bound the work on hostile input.
const MAX_BODY_CHARS: usize = 20_000;
/// A value longer than this (characters) is not a name or a function but a sentence.
const MAX_VALUE_CHARS: usize = 120;

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

/// A person as a message body names them; `None` where the body does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactDetails {
    /// Last name as written: `Martin`, `DUMONT`, `Van den Berghe`.
    pub last_name: Option<String>,
    /// First name as written: `Julie`, `Jean-Marc`.
    pub first_name: Option<String>,
    /// Function in the member organisation: `Coordinatrice environnement`.
    pub function: Option<String>,
    /// Email address, lower-cased.
    pub email: Option<String>,
    /// Phone number as written, white space reduced to single spaces: `081/23.45.67`.
    pub phone: Option<String>,
}

impl ContactDetails {
    /// All five are known.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.last_name.is_some()
            && self.first_name.is_some()
            && self.function.is_some()
            && self.email.is_some()
            && self.phone.is_some()
    }

    /// Enough to know who the successor is: a last name and a first name, or an email address.
    #[must_use]
    pub fn names_someone(&self) -> bool {
        (self.last_name.is_some() && self.first_name.is_some()) || self.email.is_some()
    }

    /// Some part of a name is known.
    fn has_name(&self) -> bool {
        self.last_name.is_some() || self.first_name.is_some()
    }

    /// Takes from `other` what `self` does not know yet.
    fn fill_from(&mut self, other: ContactDetails) {
        fill(&mut self.last_name, other.last_name);
        fill(&mut self.first_name, other.first_name);
        fill(&mut self.function, other.function);
        fill(&mut self.email, other.email);
        fill(&mut self.phone, other.phone);
    }
}

/// The sender's own words: `body` without the quoted earlier mail and without the
/// sign-off and signature below them (a resignation's scope is read from them too).
pub(crate) fn own_words(body: &str) -> String {
    let text = prepare(body);
    before_sign_off(without_quoted_text(&text)).to_owned()
}

/// The new contact point a contact-change message announces. `sender` is the From address
/// (lower-cased), whose own details (in the signature block) must not be taken for the successor's.
#[must_use]
pub fn read_new_contact(body: &str, sender: Option<&str>) -> ContactDetails {
    let text = prepare(body);
    let sender = sender.and_then(sender_address);
    let sender = sender.as_deref();

    let mut found = read_message(&text, sender);
    // « Je vous transfère ci-dessous… »: the successor is named in the forwarded mail.
    if !found.names_someone() {
        if let Some(forwarded) = forwarded_message(&text, sender) {
            let inner = read_message(forwarded.text, forwarded.sender.as_deref());
            // The mail handed on may name the sender, who leaves: never their successor.
            let names_sender = is_sender(&PersonName::of(&inner), sender)
                || (inner.email.is_some() && inner.email.as_deref() == sender);
            if inner.names_someone() && !names_sender {
                found = inner;
            }
        }
    }
    // « Voici : … » under a quoted « Pourriez-vous nous communiquer … le nouveau point de
    // contact ? »: the answer names them.
    if !found.names_someone() && quotes_request_for_contact(&text) {
        let answer = before_sign_off(without_quoted_text(&text));
        if let Some(answer) = read_answer(answer, sender).filter(ContactDetails::names_someone) {
            found = answer;
        }
    }
    if found.email.is_some() && found.email.as_deref() == sender {
        found.email = None;
    }
    found
}

/// The successor one mail's own text names, its quoted text and sign-off left out.
fn read_message(text: &str, sender: Option<&str>) -> ContactDetails {
    let message = before_sign_off(without_quoted_text(text));
    let mut found = read_labelled_list(message, sender).unwrap_or_default();
    if let Some(prose) = read_prose(message, sender) {
        // A sentence may complete a list, but only about the same person.
        if !found.has_name() || same_person(&found, &prose) {
            found.fill_from(prose);
        }
    }
    if found.email.is_some() && found.email.as_deref() == sender {
        found.email = None;
    }
    found
}

/// Sets `slot` to `value` unless it already holds one.
fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// The sender's address, whether given bare or as `Name <address>`.
fn sender_address(sender: &str) -> Option<String> {
    first_email(sender).or_else(|| {
        let bare = sender.trim().to_lowercase();
        (!bare.is_empty()).then_some(bare)
    })
}

/// Whether two readings name the same person (same last name, else same first name).
fn same_person(a: &ContactDetails, b: &ContactDetails) -> bool {
    match (&a.last_name, &b.last_name) {
        (Some(x), Some(y)) => key(x) == key(y),
        _ => match (&a.first_name, &b.first_name) {
            (Some(x), Some(y)) => key(x) == key(y),
            _ => false,
        },
    }
}

// ---------------------------------------------------------------------------------------
// Preparing the text
// ---------------------------------------------------------------------------------------

/// The first [`MAX_BODY_CHARS`] characters of `body`, composed, with every kind of space
/// made `' '`, every line break `'\n'`, curly apostrophes straight, invisible characters
/// dropped and trailing spaces trimmed (so a blank line is exactly `"\n\n"`).
fn prepare(body: &str) -> String {
    let capped = first_chars(body, MAX_BODY_CHARS);
    let mut plain = String::with_capacity(capped.len());
    let mut after_cr = false;
    for c in capped.nfc() {
        let follows_cr = std::mem::replace(&mut after_cr, c == '\r');
        match c {
            '\n' if follows_cr => {}
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => plain.push('\n'),
            '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            '\u{2018}' | '\u{2019}' | '\u{2bc}' | '\u{2032}' => plain.push('\''),
            '\u{2010}' | '\u{2011}' => plain.push('-'),
            c if c.is_whitespace() => plain.push(' '),
            c if c.is_control() => {}
            c => plain.push(c),
        }
    }
    plain
        .split('\n')
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// At most the first `count` characters of `text`.
fn first_chars(text: &str, count: usize) -> &str {
    text.char_indices()
        .nth(count)
        .and_then(|(end, _)| text.get(..end))
        .unwrap_or(text)
}

/// The lines of `text`, each with the byte offset it starts at.
fn lines_at(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split('\n')
        .map(|line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line)
        })
        .collect()
}

/// Line `i` of `lines`, if there is one.
fn line_at<'a>(lines: &[(usize, &'a str)], i: usize) -> Option<&'a str> {
    lines.get(i).map(|&(_, line)| line)
}

// ---------------------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------------------

/// Compiles one of this module's constant patterns.
fn pattern(source: &str) -> Regex {
    Regex::new(source).expect("contact_details: a constant pattern that compiles")
}

/// Lower case, accents dropped: the form words are compared in.
fn fold(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Only the letters and digits, folded: `Van den Berghe` → `vandenberghe`.
fn key(text: &str) -> String {
    fold(text).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether `word` is one of the space-separated `words`.
fn is_one_of(words: &str, word: &str) -> bool {
    words.split(' ').any(|listed| listed == word)
}

/// `text` with every run of white space one space, none at either end.
fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The character just before byte `at`.
fn char_before(text: &str, at: usize) -> Option<char> {
    text.get(..at).and_then(|before| before.chars().next_back())
}

/// The character at byte `at`.
fn char_after(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|after| after.chars().next())
}
