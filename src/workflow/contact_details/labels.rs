//! Labelled lists: `Nom : Martin`, `Prénom : Julie`, … grouped into one block per person.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::addresses::{first_email, first_phone};
use super::names::{clean_name, split_name, Lone, PersonName};
use super::{fill, fold, pattern, single_spaced, ContactDetails, MAX_VALUE_CHARS};

/// At most this many labelled fields are read from one line.
const MAX_FIELDS_PER_LINE: usize = 12;

/// The labels, each in a named group saying which field it gives (case-insensitive).
const LABELS: &str = concat!(
    r"(?P<full>nom\s*(?:et|,|/|&|-)?\s*pr[ée]noms?|pr[ée]noms?\s*(?:et|,|/|&|-)?\s*nom)",
    r"|(?P<last>nom(?:\s+de\s+famille)?)|(?P<first>pr[ée]noms?)",
    r"|(?P<function>fonction|poste|r[ôo]le)",
    r"|(?P<email>adresse\s+(?:e-?\s?mail|mail|courriel|[ée]lectronique)|e-?\s?mail",
    r"|courriel|mail|m[ée]l)",
    r"|(?P<phone>(?:(?:(?:n°|num[ée]ro)\s*(?:de\s+)?)?t[ée]l(?:[ée]phone)?\.?|gsm|portable",
    r"|mobile)(?:\s+(?:fixe|direct|bureau|portable|mobile|professionnel|pro|priv[ée]))?)",
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
pub(super) static LINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)^[ ]*{BULLET}\**(?:{LABELS})\**{LABEL_QUALIFIER}[ ]*:"
    ))
});
/// A further label on the same line (`Nom : Martin  Prénom : Julie`, as tables flatten).
pub(super) static INLINE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(&format!(
        r"(?i)(?:[ ]+|[ ]*[|;,][ ]*)(?:[-–—•*·][ ]*)?\**(?:{LABELS})\**[ ]*:"
    ))
});

/// A capitalised label glued to its value, as a table flattened without separators
/// leaves it: `NomFontaine PrénomChloé Courrielchloe.fontaine@… GSM0489 33 22 11`.
pub(super) static GLUED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?:^|[ ])(?:(?P<full>Nom et prénom|Nom, prénom|Prénom et nom)|(?P<last>Nom)",
        r"|(?P<first>Prénom|Prenom)|(?P<function>Fonction|Poste|Rôle)",
        r"|(?P<email>Adresse e-mail|E-mail|Email|Courriel|Mail)",
        r"|(?P<phone>Téléphone|Telephone|Tél\.?|Tel\.?|GSM|Gsm|Mobile|Portable))",
    ))
});
/// At least this many glued labels make a line a flattened table row.
const LEAST_GLUED_LABELS: usize = 3;

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
pub(super) static NEW_WORDS: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:nouv\w*|successeu\w*|remplacant\w*|futur\w*)"));
/// …or the departing contact.
pub(super) static OLD_WORDS: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\b(?:ancien\w*|sortant\w*|precedent\w*|actuel\w*)"));

/// The successor a labelled list describes, if the text has one.
pub(super) fn read_labelled_list(text: &str, sender: Option<&str>) -> Option<ContactDetails> {
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
            fields = glued_fields(line);
        }
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

/// The fields of a table row flattened without separators (see [`GLUED_LABEL`]); empty
/// unless at least [`LEAST_GLUED_LABELS`] labels are glued to a value, so that a sentence
/// using the same words is never read as one.
fn glued_fields(line: &str) -> Vec<Field> {
    let glued: Vec<(Label, usize, usize)> = GLUED_LABEL
        .captures_iter(line)
        .take(MAX_FIELDS_PER_LINE * 2)
        .filter_map(|found| {
            let (label, whole) = (Label::of(&found)?, found.get(0)?);
            let rest = line.get(whole.end()..)?;
            let value_start = rest.chars().next()?;
            let is_glued = if label == Label::Email {
                rest.split(' ')
                    .next()
                    .is_some_and(|token| token.contains('@'))
            } else {
                value_start.is_uppercase()
                    || value_start.is_ascii_digit()
                    || "+(".contains(value_start)
            };
            is_glued.then_some((label, whole.start(), whole.end()))
        })
        .take(MAX_FIELDS_PER_LINE)
        .collect();
    if glued.len() < LEAST_GLUED_LABELS {
        return Vec::new();
    }
    let ends = glued
        .iter()
        .skip(1)
        .map(|&(_, start, _)| start)
        .chain([line.len()]);
    glued
        .iter()
        .zip(ends)
        .map(|(&(label, _, value_start), value_end)| Field {
            label,
            value: line
                .get(value_start..value_end)
                .unwrap_or_default()
                .trim()
                .to_string(),
        })
        .collect()
}

/// The details the labelled fields of one line give (empty unless it starts with a label).
pub(super) fn details_of_line(line: &str) -> ContactDetails {
    details_from_block(&Block {
        heading: None,
        fields: labelled_fields(line),
    })
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
    let value = value.trim_matches(|c: char| "*_\"«» .,;:-–—".contains(c));
    // `Poste : 123` is an extension number, not a function.
    let acceptable = value.chars().any(char::is_alphabetic)
        && !value.contains('@')
        && value.chars().count() <= MAX_VALUE_CHARS;
    acceptable.then(|| value.to_string())
}
