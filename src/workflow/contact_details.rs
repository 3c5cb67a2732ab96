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
//! 4. labelled fields are read first; a sentence naming the successor fills the gaps.
//!
//! Names are returned as written (`DUMONT` stays in capitals), emails lower-cased, phones
//! as written with white space reduced to single spaces. The sender's own address is never
//! returned.
//!
//! Every pattern is a `regex` pattern (finite automata: linear time whatever the input),
//! and every cut is made with `str::get` at a character boundary, so no body can make this
//! panic or run long.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::cmp::Reverse;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Only this many characters of a body are read, to bound the work on hostile input.
const MAX_BODY_CHARS: usize = 20_000;
/// How far (bytes) after the successor's name their email or phone may still be.
const DETAILS_REACH: usize = 600;
/// How far (bytes) before and after a titled name to look for words saying that this
/// person is the successor.
const CONTEXT_BEFORE: usize = 250;
/// See [`CONTEXT_BEFORE`].
const CONTEXT_AFTER: usize = 150;
/// How far (bytes) before a titled name to look for « je remplace », « l'ancien… ».
const FORMER_REACH: usize = 60;
/// How far (bytes) after a titled name to look for « quitte ses fonctions ».
const DEPARTURE_REACH: usize = 80;
/// A line starting with a sign-off may go on for this many characters (a name) and
/// still be the sign-off: `Cordialement, Jean Dupont`.
const SIGN_OFF_TAIL_CHARS: usize = 40;
/// Paragraph and sentence bounds are sought no further than this (bytes) from a point,
/// so that a body with thousands of names or addresses still costs linear time.
const LOOK_AROUND: usize = 1_000;
/// At most this many mentions of each kind, and addresses, are weighed.
const MAX_CANDIDATES: usize = 64;
/// At most this many labelled fields are read from one line.
const MAX_FIELDS_PER_LINE: usize = 12;
/// A value longer than this (characters) is not a name or a function but a sentence.
const MAX_VALUE_CHARS: usize = 120;
/// A phone number has at most this many digits (ITU E.164).
const MOST_PHONE_DIGITS: usize = 15;

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

/// The new contact point a contact-change message announces. `sender` is the From address
/// (lower-cased), whose own details (in the signature block) must not be taken for the successor's.
#[must_use]
pub fn read_new_contact(body: &str, sender: Option<&str>) -> ContactDetails {
    let text = prepare(body);
    let message = before_sign_off(without_quoted_text(&text));
    let sender = sender.and_then(sender_address);
    let sender = sender.as_deref();

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

/// The sender's own words: `body` without the quoted earlier mail and without the
/// sign-off and signature below them (a resignation's scope is read from them too).
pub(crate) fn own_words(body: &str) -> String {
    let text = prepare(body);
    before_sign_off(without_quoted_text(&text)).to_owned()
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
// Where the new message ends: quoted text and the sign-off
// ---------------------------------------------------------------------------------------

/// `-----Original Message-----` and its French forms.
static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^-{2,}[ ]*(?:original\s+message|message\s+d'origine|message\s+original)[ ]*-{2,}$",
    )
});
/// The first line of Outlook's header block: `De : …` / `From: …`.
static HEADER_FROM: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?i)^\**(?:de|from)\**[ ]*:"));
/// A later line of that block: `Envoyé : …` / `Sent: …` / `Date: …`.
static HEADER_SENT: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)^\**(?:envoy[ée]|sent|date)\**[ ]*:"));
/// The same, when HTML flattening put the whole block on one line.
static HEADER_SENT_INLINE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)[ ]\**(?:envoy[ée]|sent|date)\**[ ]*:"));
/// `Le lun. 3 nov. 2026 à 10:12, X <x@y> a écrit :` / `On … wrote:` starts so…
static ATTRIBUTION_START: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?i)^(?:le|on)[ ]"));
/// …and ends so.
static ATTRIBUTION_END: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)(?:a[ ]+[ée]crit|wrote)[ ]*:?$"));

/// What people close a message with, before signing it.
const SIGN_OFF_PHRASES: &str = concat!(
    r"(?:(?:bien|tr[èe]s|tr[èe]s\s+bien)\s+)?cordialement|bien\s+[àa]\s+(?:vous|toi)",
    r"|(?:(?:avec\s+)?(?:mes\s+|nos\s+)?(?:meilleures|sinc[èe]res|cordiales",
    r"|respectueuses)\s+)?salutations(?:\s+(?:distingu[ée]es|cordiales|respectueuses))?",
    r"|(?:bonne|belle|excellente)\s+(?:fin\s+de\s+)?(?:journ[ée]e|semaine|soir[ée]e)",
    r"|(?:(?:kind|best|warm)\s+)?regards|amicalement|au\s+plaisir",
    r"|merci(?:\s+(?:d'avance|beaucoup|bien|encore|pour\s+votre\s+(?:attention|aide|suivi",
    r"|compr[ée]hension|collaboration)))?(?:\s+et\s+(?:bonne",
    r"|belle)\s+(?:fin\s+de\s+)?journ[ée]e)?",
    r"|en\s+vous\s+remerciant(?:\s+d'avance)?",
);
/// A line that is a sign-off, possibly followed by a short signature: `Cordialement,`,
/// `Bien à vous, Jean Dupont`, `Merci !` — but not `Merci de mettre à jour vos listes.`
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    let to_whom = r"(?:\s+[àa]\s+(?:vous|tous|toutes|toi))?";
    pattern(&format!(
        r"(?i)^(?:{SIGN_OFF_PHRASES}){to_whom}\s*(?:[,.!;]+(?P<rest>.*))?$"
    ))
});
/// Formal closings, however long the line: `Veuillez agréer, Madame, Monsieur, …`.
static FORMAL_CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^(?:(?:veuillez|je\s+vous\s+prie\s+d'|nous\s+vous\s+prions\s+d')\s*(?:agr[ée]er",
        r"|recevoir|croire)|envoy[ée]\s+(?:de|depuis)\s+mon)",
    ))
});
/// A sign-off in the middle of a line, as HTML flattened to one line leaves it.
static SIGN_OFF_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)[.!?][ ]+(?:(?:bien|tr[èe]s)\s+)?cordialement[ ]*,",
        r"|[.!?][ ]+bien\s+[àa]\s+vous[ ]*,",
        r"|[.!?][ ]+(?:(?:meilleures|sinc[èe]res)\s+)?salutations(?:\s+distingu[ée]es)?[ ]*[,.]",
    ))
});

/// `text` up to the first line that opens quoted text.
fn without_quoted_text(text: &str) -> &str {
    let lines = lines_at(text);
    (0..lines.len())
        .find(|&i| opens_quote(&lines, i))
        .and_then(|i| lines.get(i))
        .and_then(|&(start, _)| text.get(..start))
        .unwrap_or(text)
}

/// Whether line `i` starts quoted text.
fn opens_quote(lines: &[(usize, &str)], i: usize) -> bool {
    let Some(line) = line_at(lines, i) else {
        return false;
    };
    let line = line.trim();
    line.starts_with('>')
        || ORIGINAL_MESSAGE.is_match(line)
        || opens_header_block(lines, i, line)
        || is_attribution(lines, i, line)
}

/// `De : …` followed (on the same line or within the next three) by `Envoyé : …`.
fn opens_header_block(lines: &[(usize, &str)], i: usize, line: &str) -> bool {
    if !HEADER_FROM.is_match(line) {
        return false;
    }
    HEADER_SENT_INLINE.is_match(line)
        || lines
            .iter()
            .skip(i + 1)
            .map(|&(_, next)| next.trim())
            .filter(|next| !next.is_empty())
            .take(3)
            .any(|next| HEADER_SENT.is_match(next))
}

/// `Le … a écrit :` / `On … wrote:`, possibly wrapped over two lines.
fn is_attribution(lines: &[(usize, &str)], i: usize, line: &str) -> bool {
    const LONGEST: usize = 500;
    if line.len() > LONGEST || !ATTRIBUTION_START.is_match(line) {
        return false;
    }
    if ATTRIBUTION_END.is_match(line) {
        return true;
    }
    line_at(lines, i + 1).is_some_and(|next| {
        next.len() <= LONGEST && ATTRIBUTION_END.is_match(&format!("{line} {}", next.trim()))
    })
}

/// `text` up to the sender's sign-off, or all of it when there is none.
fn before_sign_off(text: &str) -> &str {
    for (start, line) in lines_at(text) {
        if is_sign_off_line(line.trim()) {
            return text.get(..start).unwrap_or(text);
        }
        if let Some(found) = SIGN_OFF_INLINE.find(line) {
            // Keep the full stop that ends the last sentence (one ASCII byte).
            return text.get(..start + found.start() + 1).unwrap_or(text);
        }
    }
    text
}

/// Whether a (trimmed) line closes the message.
fn is_sign_off_line(line: &str) -> bool {
    if line == "--" || FORMAL_CLOSING.is_match(line) {
        return true;
    }
    SIGN_OFF.captures(line).is_some_and(|found| {
        found
            .name("rest")
            .map_or(0, |rest| rest.as_str().trim().chars().count())
            <= SIGN_OFF_TAIL_CHARS
    })
}

// ---------------------------------------------------------------------------------------
// Labelled lists
// ---------------------------------------------------------------------------------------

/// The labels, each in a named group saying which field it gives (case-insensitive).
const LABELS: &str = concat!(
    r"(?P<full>nom\s*(?:et|,|/|&|-)?\s*pr[ée]noms?|pr[ée]noms?\s*(?:et|,|/|&|-)?\s*nom)",
    r"|(?P<last>nom(?:\s+de\s+famille)?)|(?P<first>pr[ée]noms?)",
    r"|(?P<function>fonction|poste|r[ôo]le)",
    r"|(?P<email>adresse\s+(?:e-?\s?mail|mail|courriel|[ée]lectronique)|e-?\s?mail",
    r"|courriel|mail|m[ée]l)",
    r"|(?P<phone>(?:(?:n°|num[ée]ro)\s*(?:de\s+)?)?t[ée]l(?:[ée]phone)?\.?(?:\s+(?:fixe",
    r"|direct|bureau|portable|mobile|professionnel|pro))?|gsm|portable|mobile)",
);
/// `Nom du nouveau point de contact :` — a label may say whose field it is.
const LABEL_QUALIFIER: &str = concat!(
    r"(?:[ ]+(?:du|de[ ]+la|de[ ]+l'|de)[ ]*",
    r"(?:nouveau|nouvelle|nouvel|successeur|successeure|rempla[cç]ante?",
    r"|point[ ]+de[ ]+contact|personne[ ]+de[ ]+contact|contact)[\p{L}' ]{0,30}?)?",
);
/// A bullet or a number before a label: `- `, `• `, `* `, `2) `.
const BULLET: &str = r"(?:[-•*·▪►‣◦–—][ ]*)?(?:[0-9]{1,2}[.)][ ]*)?";
/// A label at the start of a line, after an optional bullet or number.
static LINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)^[ ]*{BULLET}\**(?:{LABELS})\**{LABEL_QUALIFIER}[ ]*:"
    ))
});
/// A further label on the same line (`Nom : Martin  Prénom : Julie`, as tables flatten).
static INLINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)(?:[ ]+|[ ]*[|;,][ ]*)(?:[-•*·][ ]*)?\**(?:{LABELS})\**[ ]*:"
    ))
});

/// Which field a label gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// `Nom et prénom`, `Nom, prénom`.
    FullName,
    /// `Nom`.
    LastName,
    /// `Prénom`.
    FirstName,
    /// `Fonction`, `Poste`, `Rôle`.
    Function,
    /// `Email`, `E-mail`, `Courriel`, `Adresse e-mail`, `Mail`.
    Email,
    /// `Téléphone`, `Tél.`, `Tel`, `GSM`.
    Phone,
}

impl Label {
    /// The label a match of [`LABELS`] found.
    fn of(found: &Captures) -> Option<Label> {
        [
            ("full", Label::FullName),
            ("last", Label::LastName),
            ("first", Label::FirstName),
            ("function", Label::Function),
            ("email", Label::Email),
            ("phone", Label::Phone),
        ]
        .into_iter()
        .find(|(group, _)| found.name(group).is_some())
        .map(|(_, label)| label)
    }

    /// Whether a block that already has `self` cannot take `other` too: the second
    /// `Nom :` of a message starts another person.
    fn clashes_with(self, other: Label) -> bool {
        use Label::{FirstName, FullName, LastName};
        self == other
            || matches!(
                (self, other),
                (FullName, LastName | FirstName) | (LastName | FirstName, FullName)
            )
    }
}

/// One `label : value` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    label: Label,
    value: String,
}

/// Consecutive labelled fields about one person, with the line that introduced them.
#[derive(Debug, Default)]
struct Block {
    /// The last line before the fields that was not a field: `Nouveau point de contact :`.
    heading: Option<String>,
    fields: Vec<Field>,
}

impl Block {
    /// Adds `field`, or says (returning it) that it belongs to another block.
    fn take(&mut self, field: Field) -> Result<(), Field> {
        if self
            .fields
            .iter()
            .any(|f| f.label.clashes_with(field.label))
        {
            return Err(field);
        }
        self.fields.push(field);
        Ok(())
    }
}

/// Whether a heading introduces the new contact, the old one, or says neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stance {
    /// `Nouveau point de contact :`, `Coordonnées de ma successeure :`.
    New,
    /// No heading, or one that says neither.
    Neutral,
    /// `Ancien point de contact :`: never the successor.
    Old,
}

/// Words (folded) saying the block that follows is the successor…
static NEW_WORDS: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:nouv\w*|successeu\w*|remplacant\w*|futur\w*)"));
/// …or the departing contact.
static OLD_WORDS: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:ancien\w*|sortant\w*|precedent\w*|actuel\w*)"));

/// The successor a labelled list describes, if the text has one.
fn read_labelled_list(text: &str, sender: Option<&str>) -> Option<ContactDetails> {
    labelled_blocks(text)
        .into_iter()
        .enumerate()
        .filter_map(|(order, block)| {
            let stance = stance(block.heading.as_deref());
            let details = details_from_block(&block);
            // A phone alone under « Jean Dupont » is a signature; under « joignable : »
            // or « nouveau contact : » it is the successor's.
            let introduced =
                stance == Stance::New || block.heading.as_deref().is_some_and(|h| h.ends_with(':'));
            let usable = stance != Stance::Old
                && details != ContactDetails::default()
                && (details.names_someone() || details.has_name() || introduced);
            let senders_own = details.email.is_some() && details.email.as_deref() == sender;
            usable.then_some((
                (stance, senders_own, !details.names_someone(), order),
                details,
            ))
        })
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, details)| details)
}

/// What a heading says about the block under it.
fn stance(heading: Option<&str>) -> Stance {
    let Some(heading) = heading else {
        return Stance::Neutral;
    };
    let heading = fold(heading);
    match (NEW_WORDS.is_match(&heading), OLD_WORDS.is_match(&heading)) {
        (true, false) => Stance::New,
        (false, true) => Stance::Old,
        _ => Stance::Neutral,
    }
}

/// The labelled fields of `text`, grouped by person.
fn labelled_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut blocks = Vec::new();
    let mut current = Block::default();
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        i += 1;
        let mut fields = labelled_fields(line);
        if fields.is_empty() {
            if !line.trim().is_empty() {
                if !current.fields.is_empty() {
                    blocks.push(std::mem::take(&mut current));
                }
                current.heading = Some(line.trim().to_string());
            }
            continue;
        }
        // `Nom :` alone on its line with the value on the next, as HTML tables flatten.
        if let Some(last) = fields.last_mut().filter(|f| f.value.is_empty()) {
            if let Some((at, value)) = value_below(&lines, i) {
                last.value = value.to_string();
                i = at + 1;
            }
        }
        for field in fields {
            if let Err(field) = current.take(field) {
                blocks.push(std::mem::take(&mut current));
                current.fields.push(field);
            }
        }
    }
    if !current.fields.is_empty() {
        blocks.push(current);
    }
    blocks
}

/// The first non-blank line from `from` on (skipping at most two blank lines), with its
/// index, when it is a plain value rather than another label.
fn value_below<'a>(lines: &[&'a str], from: usize) -> Option<(usize, &'a str)> {
    let (at, line) = lines
        .iter()
        .enumerate()
        .skip(from)
        .take(3)
        .find(|(_, line)| !line.trim().is_empty())?;
    let line = line.trim();
    (labelled_fields(line).is_empty() && line.chars().count() <= MAX_VALUE_CHARS)
        .then_some((at, line))
}

/// The `label : value` pairs of one line; empty unless the line starts with a label.
fn labelled_fields(line: &str) -> Vec<Field> {
    let Some(first) = LINE_LABEL.captures(line) else {
        return Vec::new();
    };
    let (Some(label), Some(whole)) = (Label::of(&first), first.get(0)) else {
        return Vec::new();
    };
    let rest = line.get(whole.end()..).unwrap_or_default();
    let mut fields = Vec::new();
    let mut pending = (label, 0);
    for next in INLINE_LABEL.captures_iter(rest).take(MAX_FIELDS_PER_LINE) {
        let (Some(label), Some(found)) = (Label::of(&next), next.get(0)) else {
            continue;
        };
        let value = rest.get(pending.1..found.start()).unwrap_or_default();
        fields.push(Field {
            label: pending.0,
            value: value.trim().to_string(),
        });
        pending = (label, found.end());
    }
    let value = rest.get(pending.1..).unwrap_or_default();
    fields.push(Field {
        label: pending.0,
        value: value.trim().to_string(),
    });
    fields
}

/// The details a block gives; the first value of each field wins.
fn details_from_block(block: &Block) -> ContactDetails {
    let has_first_name = block.fields.iter().any(|f| f.label == Label::FirstName);
    let mut details = ContactDetails::default();
    for field in &block.fields {
        let value = field.value.as_str();
        match field.label {
            // With a separate `Prénom :`, `Nom :` is the last name however many words it has.
            Label::LastName if has_first_name => fill(&mut details.last_name, clean_name(value)),
            // Otherwise `Nom :`, like `Nom et prénom :`, often holds the whole name.
            Label::FullName | Label::LastName => {
                fill_name(&mut details, split_name(value, Lone::Last));
            }
            Label::FirstName => fill(&mut details.first_name, clean_name(value)),
            Label::Function => fill(&mut details.function, clean_function(value)),
            Label::Email => fill(&mut details.email, first_email(value)),
            Label::Phone => fill(&mut details.phone, first_phone(value)),
        }
    }
    details
}

/// Takes the parts of `name` that `details` does not know yet.
fn fill_name(details: &mut ContactDetails, name: PersonName) {
    fill(&mut details.first_name, name.first);
    fill(&mut details.last_name, name.last);
}

/// A labelled function, tidied; `None` when it is not one.
fn clean_function(value: &str) -> Option<String> {
    let value = single_spaced(value);
    let value = value.trim_matches(|c: char| "*_\"«» .,;:".contains(c));
    // `Poste : 123` is an extension number, not a function.
    let acceptable = value.chars().any(char::is_alphabetic)
        && !value.contains('@')
        && value.chars().count() <= MAX_VALUE_CHARS;
    acceptable.then(|| value.to_string())
}

// ---------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------

/// Titles before a name. Abbreviations are case-sensitive: `M.` is a title, `m.` is not.
const TITLE: &str = concat!(
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
fn name_pattern() -> String {
    format!("(?:{PARTICLE})*{NAME_WORD}(?:[ ]+(?:{PARTICLE})*{NAME_WORD}){{0,4}}")
}

/// Words that may start a captured name without being part of it (folded).
const NOT_NAME_WORDS: &str = concat!(
    "a ainsi alors au aujourd'hui bonjour c'est ce cette cher chere chers cheres ",
    "cordialement depuis des desormais donc dorenavant docteur docteure dr en enfin ",
    "ensuite et je la le les m. ma madame mademoiselle merci mlle mme mmes mon ",
    "monsieur mr nous notre pr prof professeur professeure puis voici votre",
);
/// Particles, which cannot end a name (folded).
const PARTICLES: &str = "van von vanden vander de del della den der di da du des le la ten ter";
/// Functions and contact words that end a name written without punctuation (folded):
/// `Mme Julie Martin Coordinatrice environnement`.
static ROLE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"^(?:coordinat(?:eur|rice)s?|responsable|direct(?:eur|rice)|chef|gestionnaire",
        r"|chargee?|medecin|infirmiere?|secretaire|presidente?|conseill(?:er|ere)|attachee?",
        r"|assistante?|referente?|administrat(?:eur|rice)|collaborat(?:eur|rice)|tel\.?|gsm",
        r"|e-?mail|mail|courriel)$",
    ))
});

/// A first and a last name, either possibly unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PersonName {
    first: Option<String>,
    last: Option<String>,
}

/// What a name of a single word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lone {
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
fn split_name(raw: &str, lone: Lone) -> PersonName {
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
fn clean_name(raw: &str) -> Option<String> {
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
fn is_sender(name: &PersonName, sender: Option<&str>) -> bool {
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

// ---------------------------------------------------------------------------------------
// Prose
// ---------------------------------------------------------------------------------------

/// How surely a mention names the successor.
const ANNOUNCED: u8 = 2;
/// See [`ANNOUNCED`]: a titled name near words about succession.
const NEAR_SUCCESSION_WORDS: u8 = 1;

/// Phrases followed by the successor's name (case-insensitive).
const SUCCESSOR_PHRASES: &str = concat!(
    r"(?:point|personne)\s+de\s+contact\b[^.!?\n]{0,80}?\b(?:est|sera)\b",
    r"|\b(?:mon|ma|notre|son|sa|leur)\s+(?:successeu(?:r|re|se)|rempla[cç]ante?",
    r"|rempla[cç]ant\(e\))[^.!?\n]{0,80}?\b(?:est|sera)\b",
    r"|\brempla[cç][ée](?:\(e\)|e)?s?\s+par|\brepris(?:e|es)?\s+par",
    r"|\bsuccession\s+(?:sera\s+)?assur[ée]e\s+par",
    r"|\brelais\s+(?:sera\s+)?(?:pris|assur[ée])\s+par|\bconfi[ée](?:e|es|s)?\s+[àa]",
);
/// How the successor may be described before their name: `ma collègue`, `notre nouvelle
/// coordinatrice,` (lower-case words only, so the name cannot be taken for one).
const DESCRIBED_AS: &str =
    r"(?:(?i:ma|mon|notre|sa|son|leur|la|le|l')[ ]*(?:\p{Ll}[\p{Ll}'\-]*,?[ ]+){0,4})?";
/// Phrases preceded by the successor's name (case-insensitive).
const SUCCESSOR_VERBS: &str = concat!(
    r"me\s+rempla[cç](?:era|e)\b|me\s+succ[èeé]d(?:era|e)\b",
    r"|(?:sera|est|devient|deviendra)\s+(?:donc\s+|d[ée]sormais\s+",
    r"|dor[ée]navant\s+)?(?:notre|le|la|votre|mon|ma|l')\s*(?:nouveau\s+|nouvelle\s+",
    r"|nouvel\s+)?(?:point\s+de\s+contact|personne\s+de\s+contact|contact|successeu",
    r"|rempla[cç]ant|interlocut|r[ée]f[ée]rent)",
    r"|(?:reprend|reprendra|assure|assurera)\s+(?:le|la|mes|ce|cette|l')\s*(?:r[ôo]le",
    r"|fonction|relais|poste|mission)",
    r"|prend(?:ra)?\s+le\s+relais",
);

/// `… le point de contact sera Mme Julie Martin`.
static NAME_AFTER_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    // `sera désormais :` then, possibly on the next line, the name.
    let then = r"(?i:\s+(?:d[ée]sormais|dor[ée]navant|donc|bient[ôo]t))?[ ]*:?[ ]*\n?[ ]*";
    pattern(&format!(
        r"(?i:{SUCCESSOR_PHRASES}){then}{DESCRIBED_AS}(?:(?P<title>{TITLE})[ ]+)?(?P<name>{name})",
        name = name_pattern()
    ))
});
/// `Julie Martin (…) sera notre nouveau point de contact`.
static NAME_BEFORE_VERB: LazyLock<Regex> = LazyLock::new(|| {
    // `(julie.martin@…)` or `, coordinatrice,` may stand between the name and the verb.
    let aside = r"(?:[ ]*\([^()\n]{0,120}\))?(?:[ ]*,[^,.\n]{1,60},)?";
    pattern(&format!(
        r"(?:(?P<title>{TITLE})[ ]+)?(?P<name>{name}){aside}[ ]+(?i:{SUCCESSOR_VERBS})",
        name = name_pattern()
    ))
});
/// `Mme Julie Martin` anywhere.
static TITLED_NAME: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?P<title>{TITLE})[ ]+(?P<name>{name})",
        name = name_pattern()
    ))
});
/// The start of a greeting line, whose name is the alliance's, not the successor's.
static GREETING: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^[ ]*(?:(?P<plain>bonjour|bonsoir|chers?|ch[èe]res?|hello|salut|dear|hi|mesdames",
        r"|messieurs)|(?P<title>madame|monsieur))\b",
    ))
});
/// Words (folded) that make a titled name nearby the successor's.
static SUCCESSION_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"successeu|rempla|contact|relais|reprend|reprise|nouveau|nouvelle|nouvel|desormais",
        r"|dorenavant|presente|coordonnees|interlocut",
    ))
});
/// Stricter words (folded): a sentence that gives only an address for the successor.
static SUCCESSION_SENTENCE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"successeu|remplacante?|remplacee?s? par|point de contact|personne de contact",
        r"|nouveau contact|interlocut",
    ))
});
/// Just before a titled name (folded): the person is the one who leaves.
static FORMER_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?:\bremplace(?:r|rai|ra)?|\bremplacement\s+de|\bremplacante?\s+de",
        r"|\bsucced(?:e|er|erai)\s+a|\bsuccession\s+de|\bdepart\s+de",
        r"|\bn'est\s+plus|\bne\s+sera\s+plus|\bancien(?:ne)?\b[^.]{0,40}|\bex-?)\s*[,:]?\s*$",
    ))
});
/// Just after a titled name (folded): the person leaves…
static DEPARTURE: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:quitt\w*|retraite|pension|demission\w*|partira|s'en\s+va)"));
/// …unless the sentence first says they take over.
static TAKING_OVER: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:rempla|succe|reprend|relais|contact)"));
/// `(coordinatrice environnement)` right after a name.
static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*\((?P<inner>[^()\n]{0,150})\)"));
/// `, coordinatrice environnement,` right after a name.
static FUNCTION_AFTER: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*,[ ]*(?P<function>(?:[^,.;:()\n]|\.\S)+)"));

/// The line below a name that ends its line.
static FUNCTION_BELOW: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"^[ ]*\n[ ]*(?P<function>[^\n]{2,80})"));
/// Words (folded) that start a clause, never a function: `, joignable au …`, `, qui …`.
const NOT_FUNCTION_START: &str = concat!(
    "a actuellement adresse apres au aux avant avec car ce cette comme courriel dans ",
    "de depuis des disponible dont du e-mail elle email en est et gsm il je ",
    "joignable jusqu'au mail mais ma merci mes mon n'hesitez nous on ou par pendant ",
    "pour qu'elle qu'il que qui sa selon sera ses son tel tel. voici vous",
);
/// Words (folded) before a function that are not part of it: `, notre nouvelle coordinatrice`.
const FUNCTION_DETERMINERS: &str =
    "notre votre la le les une un nouvelle nouveau nouvel future futur actuelle actuel";
/// Words (folded) where a function stops: `coordinatrice environnement joignable au …`.
const FUNCTION_ENDS: &str = concat!(
    "joignable joignables qui que dont disponible accessible contactable au aux a ",
    "via par tel tel. gsm email e-mail mail courriel",
);

/// Where a name is mentioned and how surely it is the successor's.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mention {
    /// Where the phrase or title that introduces the name starts.
    start: usize,
    /// The name itself.
    name: Range<usize>,
    /// Introduced by a title (so a single word is a last name).
    titled: bool,
    /// [`ANNOUNCED`] or [`NEAR_SUCCESSION_WORDS`]: the stronger mention wins.
    strength: u8,
}

/// The part of the text where the successor's email and phone may be: from the start of
/// the mention's sentence to the end of its paragraph (bounded).
#[derive(Debug, Clone)]
struct Reach {
    /// Start of the sentence that mentions the successor.
    from: usize,
    /// End of the paragraph (or where the sender signs, or [`DETAILS_REACH`] bytes on).
    to: usize,
    /// The successor's name (or address), from which distances are measured.
    anchor: Range<usize>,
}

impl Reach {
    /// How far `span` is from the anchor, if it is within reach. Things after the name
    /// are nearer than things as far before it: « Mme Martin, joignable au 081… ».
    fn distance(&self, span: &Range<usize>) -> Option<usize> {
        if span.start < self.from || span.end > self.to {
            None
        } else if span.start >= self.anchor.end {
            Some(span.start - self.anchor.end)
        } else if span.end <= self.anchor.start {
            Some((self.anchor.start - span.end) * 2)
        } else {
            None
        }
    }

    /// The value found nearest the anchor.
    fn nearest(&self, found: &[(Range<usize>, String)]) -> Option<String> {
        found
            .iter()
            .filter_map(|(span, value)| self.distance(span).map(|d| (d, value)))
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, value)| value.clone())
    }
}

/// The addresses (the sender's left out) and phone numbers of a text, with where each is.
#[derive(Debug, Default)]
struct Found {
    emails: Vec<(Range<usize>, String)>,
    phones: Vec<(Range<usize>, String)>,
}

/// A line holding only a name (`Jean Dupont`, `M. Jean DUPONT`).
static NAME_LINE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"^[ ]*(?:{TITLE}[ ]+)?(?P<name>{name})[ ]*$",
        name = name_pattern()
    ))
});

/// Where the sender signs, on a line of its own between the end of the successor's line
/// and `to`: a signature without a sign-off before it (« Jean Dupont » for
/// `jean.dupont@…`), whose phone is not the successor's.
fn senders_name_line(text: &str, after: usize, to: usize, sender: Option<&str>) -> Option<usize> {
    sender?;
    let next_line = after + text.get(after..to)?.find('\n')? + 1;
    let mut offset = next_line;
    for line in text.get(next_line..to)?.split('\n') {
        let name = NAME_LINE
            .captures(line)
            .and_then(|found| found.name("name"))
            .map(|name| split_name(name.as_str(), Lone::Last));
        if name.is_some_and(|name| is_sender(&name, sender)) {
            return Some(offset);
        }
        offset += line.len() + 1;
    }
    None
}

/// The successor a sentence names, if one does.
fn read_prose(text: &str, sender: Option<&str>) -> Option<ContactDetails> {
    let found = Found {
        emails: emails_in(text)
            .into_iter()
            .filter(|(_, email)| Some(email.as_str()) != sender)
            .collect(),
        phones: phones_in(text),
    };
    match best_mention(text, sender) {
        Some((mention, name)) => Some(details_around(text, &mention, name, sender, &found)),
        None => address_in_succession_sentence(text, &found),
    }
}

/// The surest mention of someone who is not the sender, outside the greeting.
fn best_mention(text: &str, sender: Option<&str>) -> Option<(Mention, PersonName)> {
    let greeting = greeting_end(text);
    mentions(text)
        .into_iter()
        .filter(|m| m.name.start >= greeting && !followed_by_colon(text, m.name.end))
        .filter_map(|m| {
            let lone = if m.titled { Lone::Last } else { Lone::First };
            let name = split_name(text.get(m.name.clone())?, lone);
            let someone = name != PersonName::default() && !is_sender(&name, sender);
            someone.then_some((m, name))
        })
        .max_by_key(|(m, _)| (m.strength, Reverse(m.start)))
}

/// Every mention of a name that may be the successor's.
fn mentions(text: &str) -> Vec<Mention> {
    let mut found = Vec::new();
    for announcing in [&*NAME_AFTER_PHRASE, &*NAME_BEFORE_VERB] {
        for caps in announcing.captures_iter(text).take(MAX_CANDIDATES) {
            if let (Some(all), Some(name)) = (caps.get(0), caps.name("name")) {
                found.push(Mention {
                    start: all.start(),
                    name: name.range(),
                    titled: caps.name("title").is_some(),
                    strength: ANNOUNCED,
                });
            }
        }
    }
    for caps in TITLED_NAME.captures_iter(text).take(MAX_CANDIDATES) {
        if let (Some(title), Some(name)) = (caps.name("title"), caps.name("name")) {
            if titled_successor(text, title.start(), &name.range()) {
                found.push(Mention {
                    start: title.start(),
                    name: name.range(),
                    titled: true,
                    strength: NEAR_SUCCESSION_WORDS,
                });
            }
        }
    }
    found
}

/// Whether a titled name is likely the successor: words about succession nearby, and
/// nothing saying this is the person who leaves (« je remplace M. X », « Mme X quitte »).
fn titled_successor(text: &str, title_start: usize, name: &Range<usize>) -> bool {
    let paragraph = paragraph_start(text, title_start)..paragraph_end(text, name.end);
    let context = folded_between(
        text,
        title_start
            .saturating_sub(CONTEXT_BEFORE)
            .max(paragraph.start),
        (name.end + CONTEXT_AFTER).min(paragraph.end),
    );
    let before = folded_between(
        text,
        title_start
            .saturating_sub(FORMER_REACH)
            .max(paragraph.start),
        title_start,
    );
    let after = folded_between(
        text,
        name.end,
        (name.end + DEPARTURE_REACH).min(sentence_end(text, name.end)),
    );
    let leaves = DEPARTURE.find(&after).is_some_and(|departure| {
        TAKING_OVER
            .find(&after)
            .is_none_or(|taking_over| departure.start() < taking_over.start())
    });
    SUCCESSION_WORDS.is_match(&context) && !FORMER_BEFORE.is_match(&before) && !leaves
}

/// The successor's details around the mention of their name.
fn details_around(
    text: &str,
    mention: &Mention,
    name: PersonName,
    sender: Option<&str>,
    found: &Found,
) -> ContactDetails {
    let Found { emails, phones } = found;
    let paragraph_from = paragraph_start(text, mention.start);
    let paragraph_to = paragraph_end(text, mention.name.end).min(mention.name.end + DETAILS_REACH);
    let reach = Reach {
        from: sentence_start(text, paragraph_from, mention.start),
        to: senders_name_line(text, mention.name.end, paragraph_to, sender).unwrap_or(paragraph_to),
        anchor: mention.name.clone(),
    };
    // An address made of the name beats a nearer one (a secretariat, a colleague).
    let own_addresses: Vec<_> = emails
        .iter()
        .filter(|(_, email)| address_fits_name(email, &name))
        .cloned()
        .collect();
    ContactDetails {
        email: reach
            .nearest(&own_addresses)
            .or_else(|| reach.nearest(emails)),
        phone: reach.nearest(phones),
        function: function_after(text, mention.name.end),
        last_name: name.last,
        first_name: name.first,
    }
}

/// When no name is given: an address in a sentence about the succession
/// (« le nouveau point de contact : secretariat@… »), and a phone in that sentence.
fn address_in_succession_sentence(text: &str, found: &Found) -> Option<ContactDetails> {
    let Found { emails, phones } = found;
    let greeting = greeting_end(text);
    emails
        .iter()
        .take(MAX_CANDIDATES)
        .find_map(|(span, email)| {
            let from =
                sentence_start(text, paragraph_start(text, span.start), span.start).max(greeting);
            let to = sentence_end(text, span.end);
            if !SUCCESSION_SENTENCE.is_match(&folded_between(text, from, to)) {
                return None;
            }
            let reach = Reach {
                from,
                to,
                anchor: span.clone(),
            };
            Some(ContactDetails {
                email: Some(email.clone()),
                phone: reach.nearest(phones),
                ..ContactDetails::default()
            })
        })
}

/// Whether an address is made of the person's name (`julie.martin@…`, `jmartin@…`).
fn address_fits_name(email: &str, name: &PersonName) -> bool {
    let local = key(email.split('@').next().unwrap_or_default());
    [&name.last, &name.first]
        .into_iter()
        .flatten()
        .map(|part| key(part))
        .any(|part| part.len() >= 2 && local.contains(&part))
}

/// The function written right after a name: `, coordinatrice environnement,` or
/// `(coordinatrice environnement)`, skipping a bracket of contact details first.
fn function_after(text: &str, name_end: usize) -> Option<String> {
    let mut after = text.get(name_end..)?;
    if let Some(bracket) = BRACKETED.captures(after) {
        if let Some(function) = bracket.name("inner").and_then(|m| as_function(m.as_str())) {
            return Some(function);
        }
        after = after.get(bracket.get(0)?.end()..)?;
    }
    if let Some(found) = FUNCTION_AFTER.captures(after) {
        return as_function(found.name("function")?.as_str());
    }
    // A name alone on its line, its function on the next: `M. Luc Renard\nResponsable qualité`.
    let below = FUNCTION_BELOW.captures(after)?.name("function")?.as_str();
    let words: Vec<&str> = below.split_whitespace().collect();
    // `Jean Dupont` under the name is a signature, not a function.
    let reads_as_function = words.first().is_some_and(|w| ROLE_WORD.is_match(&fold(w)))
        || words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_lowercase));
    if below.contains(':') || !reads_as_function {
        return None;
    }
    as_function(below)
}

/// A phrase as a function, if it reads as one: no digits or address, not a clause,
/// at most eight words.
fn as_function(phrase: &str) -> Option<String> {
    if phrase.contains('@') || phrase.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let words: Vec<&str> = phrase
        .split_whitespace()
        .skip_while(|w| is_one_of(FUNCTION_DETERMINERS, &fold(w)))
        .take_while(|w| !is_one_of(FUNCTION_ENDS, &fold(w)))
        .collect();
    let first = fold(words.first()?);
    let acceptable = !is_one_of(NOT_FUNCTION_START, &first)
        && words.len() <= 8
        && words.iter().any(|w| w.chars().any(char::is_alphabetic));
    acceptable.then(|| words.join(" "))
}

/// Where the greeting of the first line ends (0 when there is none): « Bonjour Madame
/// Dupont, » names the alliance's coordinator, not the successor.
fn greeting_end(text: &str) -> usize {
    let Some((start, line)) = lines_at(text)
        .into_iter()
        .find(|(_, line)| !line.trim().is_empty())
    else {
        return 0;
    };
    let Some(greeting) = GREETING.captures(line) else {
        return 0;
    };
    let words = line.split_whitespace().count();
    let comma = line.find([',', '!', ':']);
    let end = if greeting.name("plain").is_some() {
        // `Bonjour Madame Dupont, je …`: up to the comma; `Bonjour Madame Dupont`: the line.
        match comma {
            Some(at) => at + 1,
            None if words <= 6 => line.len(),
            None => 0,
        }
    } else {
        // `Madame Dupont,` is a greeting; `Madame Julie Martin sera …` is not.
        let ends_line = comma.is_some_and(|at| {
            line.get(at + 1..)
                .is_some_and(|rest| rest.trim().is_empty())
        });
        if (ends_line && words <= 5) || (comma.is_none() && words <= 3) {
            line.len()
        } else {
            0
        }
    };
    start + end
}

/// Whether a colon follows (so the « name » was a label: `Nom : …`).
fn followed_by_colon(text: &str, at: usize) -> bool {
    text.get(at..)
        .is_some_and(|rest| rest.trim_start_matches(' ').starts_with(':'))
}

/// Where the paragraph holding `at` starts, or [`LOOK_AROUND`] bytes before `at`.
fn paragraph_start(text: &str, at: usize) -> usize {
    let from = floor_boundary(text, at.saturating_sub(LOOK_AROUND));
    text.get(from..at)
        .and_then(|before| before.rfind("\n\n"))
        .map_or(from, |blank| from + blank + 2)
}

/// Where the paragraph holding `at` ends, or [`LOOK_AROUND`] bytes after `at`.
fn paragraph_end(text: &str, at: usize) -> usize {
    let to = floor_boundary(text, at.saturating_add(LOOK_AROUND));
    text.get(at..to)
        .and_then(|after| after.find("\n\n"))
        .map_or(to, |blank| at + blank)
}

/// Where the sentence holding `at` starts, looking no further back than `from`.
fn sentence_start(text: &str, from: usize, at: usize) -> usize {
    let Some(before) = text.get(from..at) else {
        return at;
    };
    let mut start = from;
    let mut chars = before.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_sentence = matches!(c, '.' | '!' | '?')
            && chars.peek().is_some_and(|&(_, next)| next.is_whitespace());
        if ends_sentence {
            start = from + i + 1;
        }
    }
    start
}

/// Where the sentence holding `at` ends (its full stop, or its paragraph's end).
fn sentence_end(text: &str, at: usize) -> usize {
    let paragraph = paragraph_end(text, at);
    let Some(after) = text.get(at..paragraph) else {
        return paragraph;
    };
    let mut chars = after.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let ends_sentence = matches!(c, '.' | '!' | '?')
            && chars.peek().is_none_or(|&(_, next)| next.is_whitespace());
        if ends_sentence {
            return at + i + 1;
        }
    }
    paragraph
}

/// The folded text between two byte offsets, each moved back to a character boundary.
fn folded_between(text: &str, from: usize, to: usize) -> String {
    let from = floor_boundary(text, from);
    let to = floor_boundary(text, to);
    text.get(from..to.max(from)).map(fold).unwrap_or_default()
}

/// `at`, moved back to the nearest character boundary of `text`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

// ---------------------------------------------------------------------------------------
// Emails and phones
// ---------------------------------------------------------------------------------------

/// An address; the local part's characters are checked again around the match.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)[a-z0-9][a-z0-9._%+\-]{0,63}",
        r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}",
    ))
});
/// A run of digits and the separators people put in phone numbers:
/// `+32 (0)81 12 34 56`, `081/23.45.67`, `0470-12-34-56`, `081 / 23  45 67`.
static PHONE_RUN: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\+?[0-9]+(?:(?:[ ]?\(0\)[ ]?|[ ]?[./\-][ ]?|[ ]{1,3})[0-9]+)*"));

/// The first valid address in `text`, lower-cased.
fn first_email(text: &str) -> Option<String> {
    emails_in(text).into_iter().next().map(|(_, email)| email)
}

/// The valid addresses of `text`, lower-cased, with where each is.
fn emails_in(text: &str) -> Vec<(Range<usize>, String)> {
    EMAIL
        .find_iter(text)
        .filter(|found| {
            let before = char_before(text, found.start());
            let after = char_after(text, found.end());
            // A longer local part than the pattern allows, or a domain glued to more text.
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c))
                && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '@')
        })
        .filter_map(|found| valid_email(found.as_str()).map(|email| (found.range(), email)))
        .collect()
}

/// `candidate` lower-cased, if its local part has no leading, trailing or double dot.
fn valid_email(candidate: &str) -> Option<String> {
    let (local, _) = candidate.split_once('@')?;
    let valid = !local.starts_with('.') && !local.ends_with('.') && !local.contains("..");
    valid.then(|| candidate.to_ascii_lowercase())
}

/// The first valid phone number in `text`, as written with single spaces.
fn first_phone(text: &str) -> Option<String> {
    phones_in(text).into_iter().next().map(|(_, phone)| phone)
}

/// The valid phone numbers of `text`, as written with single spaces, with where each is.
fn phones_in(text: &str) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    for run in PHONE_RUN.find_iter(text) {
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '@');
        // `BE0412.345.678` is an enterprise number, `x0470@…` part of an address.
        if glued(char_before(text, run.start())) || glued(char_after(text, run.end())) {
            continue;
        }
        for span in phones_within(run.as_str()) {
            let span = run.start() + span.start..run.start() + span.end;
            if let Some(written) = text.get(span.clone()) {
                found.push((span, single_spaced(written)));
            }
        }
    }
    found
}

/// The phone numbers in one run of digits: from each group that may start a number, the
/// longest valid number (`081 23 45 67 0470 12 34 56` holds two).
fn phones_within(run: &str) -> Vec<Range<usize>> {
    let groups = digit_groups(run);
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(group) = groups.get(i) {
        let start = if i == 0 { 0 } else { group.start };
        let may_start = i == 0 || run.get(..group.start).is_some_and(|b| b.ends_with(' '));
        let mut longest = None;
        if may_start {
            let mut digits = 0;
            for (j, next) in groups.iter().enumerate().skip(i) {
                digits += next.len();
                if digits > MOST_PHONE_DIGITS {
                    break;
                }
                if run.get(start..next.end).is_some_and(is_phone) {
                    longest = Some((j, start..next.end));
                }
            }
        }
        match longest {
            Some((last_group, span)) => {
                found.push(span);
                i = last_group + 1;
            }
            None => i += 1,
        }
    }
    found
}

/// The byte ranges of the runs of ASCII digits in `text`.
fn digit_groups(text: &str) -> Vec<Range<usize>> {
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (i, c) in text.char_indices() {
        if !c.is_ascii_digit() {
            continue;
        }
        match groups.last_mut() {
            Some(group) if group.end == i => group.end = i + 1,
            _ => groups.push(i..i + 1),
        }
    }
    groups
}

/// Whether `written` is a phone number: Belgian (`0X…` 9 digits, `04XX…` 10 digits,
/// `+32`/`0032` then 8, or 9 for a mobile, with or without `(0)`), or international
/// (`+CC…`, `00CC…`, 8 to 15 digits).
fn is_phone(written: &str) -> bool {
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    if written.starts_with('+') {
        international(&digits)
    } else if let Some(rest) = digits.strip_prefix("00") {
        international(rest)
    } else if digits.starts_with('0') {
        digits.len() == 9 || (digits.len() == 10 && digits.starts_with("04"))
    } else {
        false
    }
}

/// Whether digits after `+` or `00` make a phone number.
fn international(digits: &str) -> bool {
    match digits.strip_prefix("32") {
        Some(national) => {
            let national = national.strip_prefix('0').unwrap_or(national);
            national.len() == 8 || (national.len() == 9 && national.starts_with('4'))
        }
        None => (8..=MOST_PHONE_DIGITS).contains(&digits.len()) && !digits.starts_with('0'),
    }
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

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// The departing contact who writes most of these messages.
    const JEAN: Option<&str> = Some("jean.dupont@chr-hautemeuse.be");

    /// Details from five strings, an empty one standing for `None`.
    fn details(
        last: &str,
        first: &str,
        function: &str,
        email: &str,
        phone: &str,
    ) -> ContactDetails {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        ContactDetails {
            last_name: some(last),
            first_name: some(first),
            function: some(function),
            email: some(email),
            phone: some(phone),
        }
    }

    /// (first name, last name) of what `body` announces.
    fn name_in(body: &str, sender: Option<&str>) -> (Option<String>, Option<String>) {
        let found = read_new_contact(body, sender);
        (found.first_name, found.last_name)
    }

    /// (first name, last name) as expected.
    fn named(first: &str, last: &str) -> (Option<String>, Option<String>) {
        (Some(first.to_string()), Some(last.to_string()))
    }

    #[test]
    fn a_labelled_list_gives_all_five_details() {
        let body = "Bonjour,\n\n\
                    Voici les coordonnées du nouveau point de contact :\n\
                    Nom : Martin\n\
                    Prénom : Julie\n\
                    Fonction : Coordinatrice environnement\n\
                    Email : julie.martin@chr-hautemeuse.be\n\
                    Téléphone : 081 23 45 67\n\n\
                    Cordialement,\n\
                    Jean Dupont\n";
        let found = read_new_contact(body, JEAN);
        let expected = details(
            "Martin",
            "Julie",
            "Coordinatrice environnement",
            "julie.martin@chr-hautemeuse.be",
            "081 23 45 67",
        );
        assert_eq!(found, expected);
        assert!(found.is_complete());
    }

    #[test]
    fn labels_take_bullets_any_case_no_accents_and_outlook_spaces() {
        let body = "Le nouveau contact :\n\
                    • PRENOM\u{a0}: Julie\n\
                    - nom\u{202f}:Martin\n\
                    * Fonction\t: Coordinatrice environnement\n\
                    - Adresse e-mail : Julie.Martin@CHR-HauteMeuse.be\n\
                    - Telephone: +32 81 23 45 67\n";
        let expected = details(
            "Martin",
            "Julie",
            "Coordinatrice environnement",
            "julie.martin@chr-hautemeuse.be",
            "+32 81 23 45 67",
        );
        assert_eq!(read_new_contact(body, None), expected);
    }

    #[test]
    fn every_email_and_phone_label_is_recognised() {
        let email_labels = [
            "Email :",
            "E-mail :",
            "Courriel :",
            "Adresse e-mail :",
            "Mail :",
        ];
        let phone_labels = ["Téléphone :", "Tél. :", "Tel:", "GSM :", "Gsm:"];
        for email_label in email_labels {
            for phone_label in phone_labels {
                let body = format!(
                    "Nom : Martin\nPrénom : Julie\n\
                     {email_label} julie.martin@exemple.be\n\
                     {phone_label} 0470 12 34 56\n"
                );
                let found = read_new_contact(&body, None);
                let email = found.email.as_deref();
                assert_eq!(email, Some("julie.martin@exemple.be"), "{email_label}");
                assert_eq!(
                    found.phone.as_deref(),
                    Some("0470 12 34 56"),
                    "{phone_label}"
                );
            }
        }
    }

    #[test]
    fn a_full_name_label_reads_first_name_then_last_name() {
        assert_eq!(
            name_in("Nom et prénom : Julie Martin\n", None),
            named("Julie", "Martin")
        );
    }

    #[test]
    fn a_surname_in_capitals_is_the_last_name_wherever_it_stands() {
        assert_eq!(
            name_in("Nom, prénom : MARTIN Julie\n", None),
            named("Julie", "MARTIN")
        );
        let first = "Mon successeur sera M. DUMONT Pierre.";
        assert_eq!(name_in(first, None), named("Pierre", "DUMONT"));
        let last = "Mon successeur sera M. Pierre DUMONT.";
        assert_eq!(name_in(last, None), named("Pierre", "DUMONT"));
    }

    #[test]
    fn labels_flattened_onto_one_line_or_with_the_value_below_are_read() {
        let table = "Nom : Martin | Prénom : Julie | E-mail : julie.martin@exemple.be \
                     | Tél. : 081/23.45.67\n";
        let expected = details(
            "Martin",
            "Julie",
            "",
            "julie.martin@exemple.be",
            "081/23.45.67",
        );
        assert_eq!(read_new_contact(table, None), expected);

        let below = "Nom :\nMartin\nPrénom :\nJulie\n";
        assert_eq!(name_in(below, None), named("Julie", "Martin"));
    }

    #[test]
    fn prose_naming_the_successor_after_a_title_is_read() {
        let body = "Bonjour, je quitte mes fonctions fin du mois. Ma successeure comme point \
                    de contact sera Mme Julie Martin, coordinatrice environnement, joignable \
                    au 081 23 45 67 ou par mail à julie.martin@chr-hautemeuse.be.";
        let expected = details(
            "Martin",
            "Julie",
            "coordinatrice environnement",
            "julie.martin@chr-hautemeuse.be",
            "081 23 45 67",
        );
        assert_eq!(read_new_contact(body, JEAN), expected);
    }

    #[test]
    fn prose_with_details_in_brackets_and_the_function_after_is_read() {
        let body = "À partir du 1er décembre, le point de contact pour notre institution est \
                    Monsieur Pierre Dumont (pierre.dumont@exemple.be, +32 470 12 34 56), \
                    responsable qualité.";
        let expected = details(
            "Dumont",
            "Pierre",
            "responsable qualité",
            "pierre.dumont@exemple.be",
            "+32 470 12 34 56",
        );
        assert_eq!(read_new_contact(body, None), expected);
    }

    #[test]
    fn prose_takes_the_name_after_each_announcing_phrase() {
        let bodies = [
            "Le nouveau point de contact est Julie Martin.",
            "Je serai remplacée par Julie Martin dès lundi.",
            "Je serai remplacé(e) par Mme Julie Martin.",
            "Je serai remplacée par ma collègue Julie Martin.",
            "La personne de contact sera désormais Dr Julie Martin.",
            "Julie Martin sera notre nouvelle personne de contact.",
            "Madame Julie Martin me remplacera à partir du 1er décembre.",
        ];
        for body in bodies {
            assert_eq!(name_in(body, JEAN), named("Julie", "Martin"), "{body}");
        }
    }

    #[test]
    fn compound_names_and_particles_are_kept_whole() {
        let body = "Mon successeur sera M. Jean-Marc Van den Berghe.";
        assert_eq!(name_in(body, None), named("Jean-Marc", "Van den Berghe"));
        let body = "Ma remplaçante est Mme Marie De Smet, directrice.";
        let expected = details("De Smet", "Marie", "directrice", "", "");
        assert_eq!(read_new_contact(body, None), expected);
        let body = "Nom : Van den Berghe Marie\n";
        assert_eq!(name_in(body, None), named("Marie", "Van den Berghe"));
    }

    #[test]
    fn a_function_on_the_line_below_the_name_is_read() {
        let body = "Veuillez noter que notre nouveau point de contact est :\n\
                    M. Luc Renard\n\
                    Responsable qualité\n\
                    luc.renard@exemple.be\n\
                    +32 (0)81 55 66 77\n";
        let expected = details(
            "Renard",
            "Luc",
            "Responsable qualité",
            "luc.renard@exemple.be",
            "+32 (0)81 55 66 77",
        );
        assert_eq!(read_new_contact(body, JEAN), expected);
    }

    #[test]
    fn a_reply_above_quoted_text_ignores_the_quoted_signature() {
        let body = "Bonjour,\n\nLe nouveau point de contact est M. Luc Renard.\n\n\
                    ________________________________\n\
                    De : Secrétariat ASeT-W <contact@aset-w.example>\n\
                    Envoyé : lundi 3 novembre 2026 10:12\n\
                    À : Jean Dupont <jean.dupont@chr-hautemeuse.be>\n\
                    Objet : RE: ASeT-W — CHR Haute-Meuse — point de contact\n\n\
                    Pourriez-vous nous communiquer les coordonnées du nouveau contact ?\n\
                    Anne Lambert, coordinatrice\n\
                    Tél. : 02 123 45 67\n\
                    anne.lambert@aset-w.example\n";
        assert_eq!(
            read_new_contact(body, JEAN),
            details("Renard", "Luc", "", "", "")
        );
    }

    #[test]
    fn gmail_thunderbird_and_english_quote_headers_end_the_message() {
        let headers = [
            "Le lun. 3 nov. 2026 à 10:12, Anne Lambert <anne.lambert@aset-w.example> a\nécrit :",
            "On Mon, Nov 3, 2026 at 10:12 AM Anne Lambert <anne.lambert@aset-w.example> wrote:",
            "-----Original Message-----",
            "-----Message d'origine-----",
            "From: Anne Lambert <anne.lambert@aset-w.example> Sent: Monday, 3 November 2026",
            "> Nouveau point de contact ?",
        ];
        for header in headers {
            let body = format!(
                "Mon successeur sera M. Luc Renard.\n\n{header}\n\
                 Nouveau point de contact : Mme Anne Lambert\n\
                 E-mail : anne.lambert@aset-w.example\n\
                 Tél : 02 123 45 67\n"
            );
            let expected = details("Renard", "Luc", "", "", "");
            assert_eq!(read_new_contact(&body, JEAN), expected, "{header}");
        }
    }

    #[test]
    fn the_senders_signature_is_not_taken_for_the_successor() {
        let body = "Bonjour,\n\n\
                    Je quitte mes fonctions fin novembre. Ma successeure sera Mme Julie Martin \
                    (julie.martin@chr-hautemeuse.be).\n\n\
                    Bien à vous,\n\n\
                    Jean Dupont\n\
                    Directeur administratif\n\
                    CHR Haute-Meuse\n\
                    Tél. : 081 11 22 33\n\
                    jean.dupont@chr-hautemeuse.be\n";
        let expected = details("Martin", "Julie", "", "julie.martin@chr-hautemeuse.be", "");
        assert_eq!(read_new_contact(body, JEAN), expected);

        let dashes =
            "Ma successeure sera Mme Julie Martin.\n-- \nJean Dupont\nGSM : 0470 99 88 77\n";
        assert_eq!(
            read_new_contact(dashes, JEAN),
            details("Martin", "Julie", "", "", "")
        );
    }

    #[test]
    fn a_signature_without_sign_off_is_known_by_the_senders_name() {
        let body = "Ma successeure sera Mme Julie Martin.\nJean Dupont\nTél. 081 11 22 33\n";
        assert_eq!(
            read_new_contact(body, JEAN),
            details("Martin", "Julie", "", "", "")
        );
    }

    #[test]
    fn a_labelled_list_after_the_sign_off_is_not_the_successor() {
        let body = "Bonjour,\nJe quitte mes fonctions au 30 novembre.\nCordialement,\n\n\
                    Nom : Dupont\nPrénom : Jean\nFonction : Directeur\nTél. : 081 11 22 33\n";
        assert_eq!(read_new_contact(body, JEAN), ContactDetails::default());
    }

    #[test]
    fn a_body_without_sign_off_is_read_whole() {
        let body = "Bonjour,\nVoici le nouveau point de contact :\nNom : Martin\nPrénom : Julie\n";
        assert_eq!(name_in(body, JEAN), named("Julie", "Martin"));
    }

    #[test]
    fn a_successor_not_yet_appointed_names_no_one() {
        let body = "Bonjour,\n\n\
                    Je quitte mes fonctions, mon remplaçant n'est pas encore désigné, nous vous \
                    tiendrons informés.\n\n\
                    Cordialement,\n\
                    Jean Dupont\n\
                    Tél. : 081 11 22 33\n\
                    jean.dupont@chr-hautemeuse.be\n";
        let found = read_new_contact(body, JEAN);
        assert!(!found.names_someone(), "{found:?}");
        assert_eq!(found, ContactDetails::default());
    }

    #[test]
    fn the_senders_own_address_is_never_returned() {
        let body = "Je suis la nouvelle personne de contact.\n\
                    Nom : Martin\nPrénom : Julie\nEmail : Julie.Martin@exemple.be\n";
        let found = read_new_contact(body, Some("julie.martin@exemple.be"));
        assert_eq!(found, details("Martin", "Julie", "", "", ""));

        let body = "Mon successeur sera M. Luc Renard, en copie (jean.dupont@chr-hautemeuse.be).";
        assert_eq!(read_new_contact(body, JEAN).email, None);
    }

    #[test]
    fn emails_are_lower_cased_and_stripped_of_mailto_and_brackets() {
        let written = [
            "<Julie.Martin@CHR-HauteMeuse.be>",
            "mailto:Julie.Martin@CHR-HauteMeuse.be",
            "Julie.Martin@CHR-HauteMeuse.be<mailto:Julie.Martin@CHR-HauteMeuse.be>",
            "[mailto:julie.martin@chr-hautemeuse.be]",
        ];
        for address in written {
            let found = read_new_contact(&format!("Courriel : {address}\n"), None);
            let email = found.email.as_deref();
            assert_eq!(email, Some("julie.martin@chr-hautemeuse.be"), "{address}");
        }
        let invalid = [
            "julie..martin@exemple.be",
            ".julie@exemple.be",
            "julie@exemple",
            "julie@",
        ];
        for address in invalid {
            let found = read_new_contact(&format!("Email : {address}\n"), None);
            assert_eq!(found.email, None, "{address}");
        }
    }

    #[test]
    fn belgian_phones_are_kept_as_written_with_single_spaces() {
        let accepted = [
            ("+32 81  12 34 56", "+32 81 12 34 56"),
            ("081/12.34.56", "081/12.34.56"),
            ("0470 12 34 56", "0470 12 34 56"),
            ("0032 470 12 34 56", "0032 470 12 34 56"),
            ("+32 (0)81 12 34 56", "+32 (0)81 12 34 56"),
            ("02\u{a0}123\u{a0}45\u{a0}67", "02 123 45 67"),
            ("0470-12-34-56 (bureau)", "0470-12-34-56"),
            ("081 23 45 67 - 0470 12 34 56", "081 23 45 67"),
        ];
        for (written, kept) in accepted {
            let found = read_new_contact(&format!("Nom : Martin\nTél. : {written}\n"), None);
            assert_eq!(found.phone.as_deref(), Some(kept), "{written}");
        }
        for rejected in ["12 34 56", "03/11/2026", "0470 12 34", "BE0412.345.678"] {
            let found = read_new_contact(&format!("Nom : Martin\nTél. : {rejected}\n"), None);
            assert_eq!(found.phone, None, "{rejected}");
        }
    }

    #[test]
    fn the_phone_nearest_the_successor_is_taken() {
        let body = "Je reste joignable au 081 11 22 33 jusqu'au 30 novembre. Ensuite, le point \
                    de contact sera Mme Julie Martin, joignable au 0470 12 34 56, ou l'accueil \
                    au 081 00 00 00.";
        let found = read_new_contact(body, JEAN);
        assert_eq!(found.phone.as_deref(), Some("0470 12 34 56"));
    }

    #[test]
    fn the_new_contacts_block_wins_over_the_old_one() {
        let body = "Ancien point de contact :\nNom : Dupont\nPrénom : Jean\n\n\
                    Nouveau point de contact :\nNom : Martin\nPrénom : Julie\n\
                    GSM : 0470 12 34 56\n";
        let expected = details("Martin", "Julie", "", "", "0470 12 34 56");
        assert_eq!(read_new_contact(body, None), expected);
    }

    #[test]
    fn the_name_in_the_greeting_is_not_the_successor() {
        let body = "Bonjour Madame Lambert,\n\n\
                    Je quitte mes fonctions, le point de contact n'est pas encore connu.";
        assert!(!read_new_contact(body, None).names_someone());
    }

    #[test]
    fn a_departing_person_named_with_a_title_is_not_the_successor() {
        let body = "Bonjour Madame Lambert,\n\n\
                    Mme Sophie Leroy quitte ses fonctions au 30 novembre. \
                    Son remplaçant sera Monsieur Luc Renard.";
        assert_eq!(name_in(body, None), named("Luc", "Renard"));
        let body = "Je remplace M. Luc Renard, parti à la retraite, comme nouveau contact.";
        assert_eq!(name_in(body, None), (None, None));
        let body = "Je suis la nouvelle personne de contact, en remplacement de M. Luc Renard.";
        assert_eq!(name_in(body, None), (None, None));
    }

    #[test]
    fn an_address_in_a_succession_sentence_names_someone() {
        let body = "Le nouveau point de contact est le secrétariat : \
                    secretariat@chr-hautemeuse.be (081 23 45 00).\n\n\
                    Cordialement,\nJean Dupont";
        let found = read_new_contact(body, JEAN);
        assert!(found.names_someone());
        let expected = details("", "", "", "secretariat@chr-hautemeuse.be", "081 23 45 00");
        assert_eq!(found, expected);
    }

    #[test]
    fn decomposed_accents_and_crlf_line_breaks_are_read() {
        let body = "Pre\u{301}nom : Julie\r\n\
                    Nom : Martin\r\n\
                    Fonction : Charge\u{301}e de projet\r\n\
                    Te\u{301}le\u{301}phone : 081 23 45 67\r\n";
        let expected = details("Martin", "Julie", "Chargée de projet", "", "081 23 45 67");
        assert_eq!(read_new_contact(body, None), expected);
    }

    #[test]
    fn only_the_first_twenty_thousand_characters_are_read() {
        let padding = "é".repeat(MAX_BODY_CHARS);
        let late = format!("{padding}\nNom : Martin\nPrénom : Julie\n");
        assert_eq!(read_new_contact(&late, None), ContactDetails::default());
        let early = format!("Nom : Martin\nPrénom : Julie\n{padding}");
        assert_eq!(name_in(&early, None), named("Julie", "Martin"));
    }

    #[test]
    fn completeness_and_naming_follow_their_definitions() {
        let full = details(
            "Martin",
            "Julie",
            "Coordinatrice",
            "j@exemple.be",
            "081 23 45 67",
        );
        assert!(full.is_complete() && full.names_someone());
        let names_only = details("Martin", "Julie", "", "", "");
        assert!(!names_only.is_complete() && names_only.names_someone());
        assert!(details("", "", "", "julie@exemple.be", "").names_someone());
        assert!(!details("Martin", "", "Coordinatrice", "", "081 23 45 67").names_someone());
    }

    #[test]
    fn every_pattern_compiles() {
        let patterns: &[&LazyLock<Regex>] = &[
            &ORIGINAL_MESSAGE,
            &HEADER_FROM,
            &HEADER_SENT,
            &HEADER_SENT_INLINE,
            &ATTRIBUTION_START,
            &ATTRIBUTION_END,
            &SIGN_OFF,
            &FORMAL_CLOSING,
            &SIGN_OFF_INLINE,
            &LINE_LABEL,
            &INLINE_LABEL,
            &NEW_WORDS,
            &OLD_WORDS,
            &ROLE_WORD,
            &NAME_AFTER_PHRASE,
            &NAME_BEFORE_VERB,
            &TITLED_NAME,
            &NAME_LINE,
            &GREETING,
            &SUCCESSION_WORDS,
            &SUCCESSION_SENTENCE,
            &FORMER_BEFORE,
            &DEPARTURE,
            &TAKING_OVER,
            &BRACKETED,
            &FUNCTION_AFTER,
            &FUNCTION_BELOW,
            &EMAIL,
            &PHONE_RUN,
        ];
        for compiled in patterns {
            assert!(!LazyLock::force(compiled).as_str().is_empty());
        }
    }

    /// A small deterministic generator, so the odd inputs are the same on every run.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, bound: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            usize::try_from(self.0 >> 33).unwrap_or(0) % bound.max(1)
        }
    }

    #[test]
    fn odd_inputs_never_panic() {
        let fixed = [
            String::new(),
            ":".to_string(),
            ":".repeat(10_000),
            "🦀👩‍👩‍👧‍👦\u{301}\u{fe0f}".repeat(50),
            "Nom :".to_string(),
            "Nom : 😀\nPrénom : \u{301}\nTél. : +\nEmail : @\n".to_string(),
            "Mme É\u{301} Ø".to_string(),
            "\r\r\n\n\u{2028}\u{a0}\u{202f}".repeat(100),
            "Le point de contact sera Mme ".repeat(500),
            "0".repeat(5_000) + "@" + &"a.".repeat(3_000),
            "+32 (0)".repeat(1_000),
            "> De : x Envoyé : y\n".repeat(200),
        ];
        for body in &fixed {
            let _ = read_new_contact(body, Some(body));
        }

        // Random bodies assembled from the pieces the reader reacts to.
        let pieces: Vec<&str> = "Nom|Prénom| : |:|\u{a0}|\n|\n\n|Mme |M. |Julie|MARTIN|van |de |é|\
                                 \u{301}|😀|@|.|julie.martin@exemple.be|081 23 45 67|+32|(0)|(|)|,|\
                                 Cordialement,|-- |> |De : |Envoyé : |a écrit :|sera |\
                                 remplacé par |\
                                 est |Tél. : |•|\r\n|’|\u{202f}"
            .split('|')
            .collect();
        let mut random = Lcg(0x5eed);
        for _ in 0..500 {
            let length = random.below(40);
            let body: String = (0..length)
                .map(|_| pieces[random.below(pieces.len())])
                .collect();
            let found = read_new_contact(&body, Some("julie.martin@exemple.be"));
            let email = found.email.as_deref();
            assert_ne!(email, Some("julie.martin@exemple.be"), "{body:?}");
        }

        // Every prefix of a real message, cut after each character.
        let real =
            "Bonjour, mon successeur sera M. Luc Renard (luc.renard@exemple.be, 0470 12 34 56).";
        for (end, _) in real.char_indices() {
            let _ = read_new_contact(real.get(..end).unwrap_or_default(), None);
        }
    }

    #[test]
    fn hostile_bodies_are_read_in_bounded_time() {
        let bodies = [
            "a".repeat(100_000),
            "Mme Julie ".repeat(10_000),
            "Mme Julie Martin, ".repeat(5_000),
            "julie.martin@exemple.be ".repeat(1_000),
            "0 ".repeat(50_000),
            "a@".repeat(50_000),
            "Nom : Tél : ".repeat(10_000),
            format!("Le point de contact {}", "x ".repeat(50_000)),
        ];
        let started = std::time::Instant::now();
        for body in &bodies {
            let _ = read_new_contact(body, None);
        }
        // Generous for a debug build on a slow machine; quadratic work would take minutes.
        let elapsed = started.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(20), "{elapsed:?}");
    }
}
