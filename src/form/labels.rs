//! Reading the membership form from its text layer, by its printed labels.
//!
//! Input: the lines of each page as a layout-preserving extractor prints them
//! (`pdftotext -layout` or ours): labels and values on one line, runs of spaces, dot
//! leaders after values, wrapped values on the next indented lines, ticked boxes as
//! glyphs beside their option, running headers and "Page 2 sur 6" between pages.
//! Output: a [`FormRecord`] of kind `text_pdf`.
//!
//! Every phrase — headings, labels, options, checkbox glyphs, page furniture — comes
//! from `form.toml`; this module only knows how a form is laid out: a heading opens a
//! section, "label : value" fills a field of the current section, a repeated label (or
//! a block marker) opens the next block of a repeated section, a box line ticks an
//! option. Bounded: linear in the input, lines and values capped in length.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::collections::BTreeMap;

use super::assemble::{assemble, Found};
use super::fold::{boundary_at, fold, Folded};
use super::ocr::UNSURE;
use super::record::{FormRecord, SourceKind};
use super::values::Cleaner;
use crate::problem::Problem;
use crate::rules::form::{Field, FormRules, OptionRef, SectionKind};

/// Characters of a line that are read; the rest of a longer line is ignored (and
/// reported as `form.value_truncated`).
const MAX_LINE_CHARS: usize = 4_000;

/// Without one of the form's section headings, this many of its distinct labels make a
/// document the form (issue [doubt]: an invoice's « Client : » and « Date : » do not).
const MIN_LABELS: usize = 4;

/// Lines one value may span (a wrapped description); later lines are dropped.
const MAX_VALUE_LINES: usize = 200;

/// Reads the form from the lines of its pages.
///
/// Never fails: what cannot be read stays null, and `problems` says why when it is a
/// reading matter (`form.not_recognised` when no heading and fewer than [`MIN_LABELS`] labels of the form show).
pub fn read_text(pages: &[Vec<String>], rules: &FormRules) -> FormRecord {
    read_with(pages, &Vocabulary::new(rules), rules)
}

/// Reads the form from lines OCR recognised: like [`read_text`], except that a heading
/// OCR misspelt by a letter or two ("Sélection des gro pes thématiques") still opens
/// its section — a lost heading would put the section's values in the one before.
pub fn read_ocr_text(pages: &[Vec<String>], rules: &FormRules) -> FormRecord {
    let mut vocabulary = Vocabulary::new(rules);
    vocabulary.fuzzy_headings = true;
    read_with(pages, &vocabulary, rules)
}

fn read_with(pages: &[Vec<String>], vocabulary: &Vocabulary, rules: &FormRules) -> FormRecord {
    let mut reader = Reader {
        vocabulary,
        cleaner: Cleaner::new(rules),
        found: Found::default(),
        section: SectionKind::Other,
        open: None,
        recognised: false,
        labels_met: Vec::new(),
    };
    for line in pages.iter().flatten() {
        reader.line(line);
    }
    let found = reader.finish();
    let mut record = assemble(&found, rules, SourceKind::TextPdf);
    record
        .source
        .details
        .insert("pages".to_owned(), pages.len().into());
    record
}

/// Where each section's heading was seen: the section and the page (from 1) of its
/// first heading, in reading order. An OCR reading says from it on which page an item
/// was expected, and which sections it did not find at all.
pub fn section_pages(pages: &[Vec<String>], rules: &FormRules) -> Vec<(SectionKind, usize)> {
    let mut vocabulary = Vocabulary::new(rules);
    vocabulary.fuzzy_headings = true;
    let mut found: Vec<(SectionKind, usize)> = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        for raw in page {
            let line = Line::new(raw, &vocabulary.bullets);
            let folded = Folded::new(&line.body);
            if let Some(kind) = vocabulary.heading(&folded.text.replace(UNSURE, "")) {
                if kind != SectionKind::Other && found.iter().all(|(seen, _)| *seen != kind) {
                    found.push((kind, index + 1));
                }
            }
        }
    }
    found
}

/// The rules' phrases, folded once per read, longest first where prefixes compete.
struct Vocabulary {
    bullets: Vec<String>,
    furniture: Vec<Vec<String>>,
    headings: Vec<(String, SectionKind)>,
    labels: Vec<(String, Field)>,
    markers: Vec<String>,
    marks: Vec<(String, bool)>,
    options: BTreeMap<SectionKind, Vec<(String, OptionRef)>>,
    leaders: Vec<char>,
    /// Whether a heading may be misspelt (OCR): see [`read_ocr_text`].
    fuzzy_headings: bool,
}

impl Vocabulary {
    fn new(rules: &FormRules) -> Vocabulary {
        let mut headings: Vec<(String, SectionKind)> = rules
            .sections
            .iter()
            .flat_map(|section| {
                section
                    .headings
                    .iter()
                    .map(move |heading| (unnumbered(&fold(heading)).to_owned(), section.reads))
            })
            .collect();
        longest_first(&mut headings);
        let mut labels: Vec<(String, Field)> = rules
            .fields
            .all()
            .into_iter()
            .flat_map(|(field, labels)| labels.iter().map(move |label| (fold(label), field)))
            .collect();
        longest_first(&mut labels);
        let mut marks: Vec<(String, bool)> = rules
            .checkboxes
            .ticked
            .iter()
            .map(|mark| (mark.clone(), true))
            .chain(
                rules
                    .checkboxes
                    .unticked
                    .iter()
                    .map(|mark| (mark.clone(), false)),
            )
            .filter(|(mark, _)| !mark.is_empty())
            .collect();
        longest_first(&mut marks);
        let mut options = BTreeMap::new();
        for section in SectionKind::ALL {
            let mut list: Vec<(String, OptionRef)> = rules
                .options_of(section)
                .into_iter()
                .flat_map(|(option, labels)| {
                    labels
                        .iter()
                        .map(move |label| (fold(label), option.clone()))
                })
                .collect();
            longest_first(&mut list);
            options.insert(section, list);
        }
        Vocabulary {
            bullets: rules.layout.bullets.clone(),
            furniture: rules
                .layout
                .furniture
                .iter()
                .map(|pattern| fold(pattern).split('#').map(str::to_owned).collect())
                .collect(),
            headings,
            labels,
            markers: rules
                .markers
                .delegate_block
                .iter()
                .map(|m| fold(m))
                .collect(),
            marks,
            options,
            leaders: rules
                .layout
                .leader_chars
                .iter()
                .flat_map(|leader| fold(leader).chars().collect::<Vec<_>>())
                .collect(),
            fuzzy_headings: false,
        }
    }

    fn is_furniture(&self, folded: &str) -> bool {
        self.furniture
            .iter()
            .any(|parts| matches_with_numbers(folded, parts))
    }

    fn heading(&self, folded: &str) -> Option<SectionKind> {
        let text = unnumbered(folded);
        let exact = self
            .headings
            .iter()
            .find(|(heading, _)| !heading.is_empty() && starts_phrase(text, heading))
            .map(|(_, kind)| *kind);
        if exact.is_some() || !self.fuzzy_headings {
            return exact;
        }
        self.headings
            .iter()
            .find(|(heading, _)| heading.len() >= MIN_FUZZY_HEADING && opens_nearly(text, heading))
            .map(|(_, kind)| *kind)
    }

    fn is_marker(&self, folded: &str) -> bool {
        self.markers
            .iter()
            .any(|marker| !marker.is_empty() && starts_phrase(folded, marker))
    }

    /// The field a label line fills, and where its value starts in the folded text.
    fn label(&self, folded: &str) -> Option<(Field, usize)> {
        self.labels.iter().find_map(|(label, field)| {
            let rest = strip_phrase(folded, label)?;
            let skipped = rest.len() - rest.trim_start().len();
            let after = folded.len() - rest.len() + skipped;
            match rest.trim_start().chars().next() {
                // A label is followed by its colon, or directly by the dotted line; OCR
                // reads a colon as a dash now and then ("GT identifié - Décarbonation").
                Some(':') => Some((*field, after + 1)),
                Some('-' | '–' | '—')
                    if rest
                        .trim_start()
                        .chars()
                        .nth(1)
                        .is_none_or(char::is_whitespace) =>
                {
                    let dash = rest.trim_start().chars().next().map_or(1, char::len_utf8);
                    Some((*field, after + dash))
                }
                Some(c) if self.leaders.contains(&c) => Some((*field, after)),
                None => Some((*field, after)),
                Some(_) => None,
            }
        })
    }

    /// The mark a box line opens (or ends) with: ticked or not, the rest of the line,
    /// and whether the mark only counts before an option's wording (a letter such as
    /// "X", or a mark at the end of the line).
    fn mark<'a>(&self, body: &'a str) -> Option<(bool, &'a str, bool)> {
        for (mark, ticked) in &self.marks {
            let wordy = mark.chars().last().is_some_and(char::is_alphanumeric);
            if let Some(rest) = body.strip_prefix(mark.as_str()) {
                if !wordy || rest.starts_with(char::is_whitespace) {
                    return Some((*ticked, rest.trim_start(), wordy));
                }
            }
        }
        for (mark, ticked) in &self.marks {
            if let Some(rest) = body.strip_suffix(mark.as_str()) {
                if rest.ends_with(char::is_whitespace) {
                    return Some((*ticked, rest.trim_end(), true));
                }
            }
        }
        None
    }

    fn option(&self, section: SectionKind, folded: &str) -> Option<OptionRef> {
        self.options
            .get(&section)?
            .iter()
            .find_map(|(label, option)| {
                (!label.is_empty() && starts_word(folded, label)).then(|| option.clone())
            })
    }
}

fn longest_first<T: Ord>(list: &mut [(String, T)]) {
    list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
}

/// Whether `text` opens with the phrase `start`, ending on a word boundary.
fn starts_word(text: &str, start: &str) -> bool {
    text.starts_with(start) && boundary_at(text, start.len())
}

/// `text` after the phrase `phrase` it opens with, spaces aside: OCR glues words
/// ("GTidentifié") and splits them ("Télé phone"), a text layer sometimes too. Both are
/// folded, so a space is one ASCII space.
fn strip_phrase<'t>(text: &'t str, phrase: &str) -> Option<&'t str> {
    if let Some(rest) = text.strip_prefix(phrase) {
        return Some(rest);
    }
    let mut rest = text;
    for wanted in phrase.chars().filter(|c| *c != ' ') {
        rest = rest.trim_start_matches(' ');
        rest = rest.strip_prefix(wanted)?;
    }
    Some(rest)
}

/// Headings shorter than this are matched exactly even in OCR text: a short phrase a
/// letter away from another is too easily another line.
const MIN_FUZZY_HEADING: usize = 16;

/// Whether `text` opens with `phrase` but for at most one wrong, missing or extra
/// letter in ten (spaces aside): the edit distance between `phrase` and the best
/// prefix of `text`.
fn opens_nearly(text: &str, phrase: &str) -> bool {
    let wanted: Vec<char> = phrase.chars().filter(|c| *c != ' ').collect();
    let allowed = wanted.len() / 10;
    let seen: Vec<char> = text
        .chars()
        .filter(|c| *c != ' ')
        .take(wanted.len() + allowed)
        .collect();
    if seen.len() + allowed < wanted.len() {
        return false;
    }
    // previous[j]: distance between the phrase so far and the first j letters seen.
    let mut previous: Vec<usize> = (0..=seen.len()).collect();
    for (i, want) in wanted.iter().enumerate() {
        let mut current = Vec::with_capacity(seen.len() + 1);
        current.push(i + 1);
        for (j, got) in seen.iter().enumerate() {
            let substitution = previous
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(want != got));
            let deletion = previous.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insertion = current.get(j).map_or(usize::MAX, |d| d + 1);
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous.iter().min().is_some_and(|best| *best <= allowed)
}

/// Whether `text` opens with the phrase `phrase` (spaces aside), ending on a word
/// boundary.
fn starts_phrase(text: &str, phrase: &str) -> bool {
    strip_phrase(text, phrase).is_some_and(|rest| boundary_at(rest, 0))
}

/// `text` without a leading section number ("3.1. ", "4 ").
fn unnumbered(text: &str) -> &str {
    let number_end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map_or(text.len(), |(at, _)| at);
    let number = text.get(..number_end).unwrap_or_default();
    let rest = text.get(number_end..).unwrap_or_default();
    // "3.1. Sélection", and "3.1.Sélection" as OCR glues it (a dot before the letter).
    let glued = number.ends_with('.') && rest.starts_with(char::is_alphabetic);
    if number.starts_with(|c: char| c.is_ascii_digit()) && (rest.starts_with(' ') || glued) {
        rest.trim_start()
    } else {
        text
    }
}

/// Whole-line match of a furniture pattern split on `#` (each `#` a number).
fn matches_with_numbers(text: &str, parts: &[String]) -> bool {
    let Some((first, others)) = parts.split_first() else {
        return false;
    };
    let Some(mut rest) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    for part in others {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        match rest
            .get(digits..)
            .and_then(|after| after.strip_prefix(part.as_str()))
        {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// One line, cut into its indentation, optional bullet and text.
struct Line {
    /// Column of the first visible character (the bullet, if any).
    indent: usize,
    /// Column where the text starts, after the bullet.
    text_col: usize,
    /// The text, bullet removed, trailing spaces removed.
    body: String,
}

impl Line {
    fn new(raw: &str, bullets: &[String]) -> Line {
        let clean: String = raw
            .chars()
            .take(MAX_LINE_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let trimmed = clean.trim_start();
        let indent = clean.chars().count() - trimmed.chars().count();
        let after_bullet = bullets
            .iter()
            .filter(|bullet| !bullet.is_empty())
            .find_map(|bullet| {
                trimmed
                    .strip_prefix(bullet.as_str())
                    .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            })
            .map_or(trimmed, str::trim_start);
        let text_col = indent + trimmed.chars().count() - after_bullet.chars().count();
        Line {
            indent,
            text_col,
            body: after_bullet.trim_end().to_owned(),
        }
    }
}

/// A value being read: its label's line and the lines gathered so far.
struct OpenValue {
    section: SectionKind,
    slot: usize,
    field: Field,
    lines: Vec<String>,
    label_indent: usize,
    label_text_col: usize,
    inline_empty: bool,
    dropped_lines: bool,
}

impl OpenValue {
    /// Whether `line` carries on this value: the label line had no value (it is
    /// written below), or the line is indented under the label (a wrapped value).
    fn continues_with(&self, line: &Line) -> bool {
        self.inline_empty
            || line.indent > self.label_indent
            || (self.label_text_col > 0 && line.indent >= self.label_text_col)
    }
}

struct Reader<'v> {
    vocabulary: &'v Vocabulary,
    cleaner: Cleaner,
    found: Found,
    section: SectionKind,
    open: Option<OpenValue>,
    recognised: bool,
    /// Distinct labels met (section, field): one « Date : » on an invoice is not the form.
    labels_met: Vec<(SectionKind, Field)>,
}

impl Reader<'_> {
    fn line(&mut self, raw: &str) {
        if raw.chars().nth(MAX_LINE_CHARS).is_some() {
            self.found.problems.push(Problem::FormValueTruncated);
        }
        let line = Line::new(raw, &self.vocabulary.bullets);
        if line.body.is_empty() {
            self.close();
            return;
        }
        let folded = Folded::new(&line.body);
        // Headings and markers are known phrases: a word OCR marked as read with little
        // confidence still names them.
        let plain = folded.text.replace(UNSURE, "");
        if self.vocabulary.is_furniture(&plain) {
            return;
        }
        if let Some(kind) = self.vocabulary.heading(&plain) {
            self.close();
            self.section = kind;
            self.recognised |= kind != SectionKind::Other;
            return;
        }
        if self.vocabulary.is_marker(&plain) {
            self.close();
            if self.section.has_blocks() {
                self.found.new_block(self.section);
            }
            return;
        }
        if let Some((field, value_at)) = self.vocabulary.label(&folded.text) {
            self.close();
            self.open_value(&line, &folded, field, value_at);
            return;
        }
        if let Some((ticked, rest, needs_option)) = self.vocabulary.mark(&line.body) {
            let option = self.vocabulary.option(self.section, &fold(rest));
            if option.is_some() || !needs_option {
                self.close();
                if let Some(option) = option {
                    self.tick(option, ticked);
                }
                return;
            }
        }
        self.text(&line, &folded.text);
    }

    /// A line that is neither label, heading nor marked box.
    fn text(&mut self, line: &Line, folded: &str) {
        let unmarked = self.vocabulary.option(self.section, folded);
        if let Some(open) = self.open.as_mut() {
            // A line opening with an option's wording is an empty box (fillable PDFs
            // print none), except a group name under "GT identifié :", which continues
            // the value ("Décarbonation," / "Infrastructures durables").
            let option_wins = unmarked.as_ref().is_some_and(|option| {
                !(open.field == Field::WorkingGroup && matches!(option, OptionRef::WorkingGroup(_)))
            });
            if !option_wins && open.continues_with(line) {
                if open.lines.len() < MAX_VALUE_LINES {
                    open.lines.push(line.body.clone());
                } else {
                    open.dropped_lines = true;
                }
                return;
            }
        }
        self.close();
        if let Some(option) = unmarked {
            self.tick(option, false);
        }
    }

    fn open_value(&mut self, line: &Line, folded: &Folded, field: Field, value_at: usize) {
        if !self.labels_met.contains(&(self.section, field)) && self.labels_met.len() < MIN_LABELS {
            self.labels_met.push((self.section, field));
        }
        self.recognised |= self.labels_met.len() >= MIN_LABELS;
        let section = self.section;
        if section.has_blocks() && self.found.last_has(section, field) {
            // form 3.2, 6.2: a label seen again in a repeated section opens the next block.
            self.found.new_block(section);
        }
        let inline = folded
            .origin(value_at)
            .and_then(|at| line.body.get(at..))
            .unwrap_or_default()
            .to_owned();
        let inline_empty = self.cleaner.line(&inline).0.is_empty();
        self.open = Some(OpenValue {
            section,
            slot: self.found.last_slot(section),
            field,
            lines: vec![inline],
            label_indent: line.indent,
            label_text_col: line.text_col,
            inline_empty,
            dropped_lines: false,
        });
    }

    fn tick(&mut self, option: OptionRef, ticked: bool) {
        let slot = self.found.last_slot(self.section);
        self.found.tick(self.section, slot, option, ticked);
    }

    fn close(&mut self) {
        let Some(open) = self.open.take() else {
            return;
        };
        let lines: Vec<&str> = open.lines.iter().map(String::as_str).collect();
        let (value, cut) = self.cleaner.value(open.field, &lines);
        if cut || open.dropped_lines {
            self.found.problems.push(Problem::FormValueTruncated);
        }
        self.found.set(open.section, open.slot, open.field, value);
    }

    fn finish(mut self) -> Found {
        self.close();
        if !self.recognised {
            self.found.problems.push(Problem::FormNotRecognised);
        }
        self.found
    }
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
