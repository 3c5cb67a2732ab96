//! Recognised words → the lines of text the label reader reads, laid out like the text
//! layer of a PDF (`pdftotext -layout`): one line per printed line, indentation kept as
//! columns, so "Nom : Lejeune" and a value wrapped under its label read as they do in a
//! text PDF.
//!
//! What OCR alone gets wrong is decided from the pixels instead: a box before an
//! option's wording is looked at (ticked, empty, or a doubt), and ink on a signature
//! line that is not a confidently read word is a drawn signature ([`MARK`], as the
//! text reader shows an image or strokes). Whatever cannot be decided becomes a doubt
//! for the coordinator, never a guess.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use super::raster::{Page, Rect, Tick};
use super::words::Word;
use crate::form::fold;
use crate::form::pdf_text::MARK;
use crate::rules::form::FormRules;

/// The phrases the layout needs from the rules, folded once.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Box options: folded wording, wording as printed; longest first.
    options: Vec<(String, String)>,
    /// Options printed once on the form (categories, working groups): each must be
    /// seen, else a box may have been missed.
    printed_once: Vec<(String, String)>,
    /// Labels of the signature line.
    signature: Vec<String>,
    /// Headings and page furniture (folded): lines whose words are never values.
    not_values: Vec<String>,
    /// The glyphs written for a ticked and an empty box.
    ticked: String,
    empty: String,
}

impl Vocabulary {
    /// The vocabulary of `rules`.
    pub fn new(rules: &FormRules) -> Vocabulary {
        let pairs = |labels: &[String]| -> Vec<(String, String)> {
            labels
                .iter()
                .map(|label| (fold(label), label.clone()))
                .filter(|(folded, _)| !folded.is_empty())
                .collect()
        };
        let mut printed_once: Vec<(String, String)> = rules
            .categories
            .iter()
            .chain(&rules.working_groups)
            .flat_map(|option| pairs(&option.labels))
            .collect();
        let mut options = printed_once.clone();
        options.extend(pairs(&rules.options.actions_option_1));
        options.extend(pairs(&rules.options.actions_option_2));
        options.extend(pairs(&rules.options.internal_action));
        options.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
        printed_once.dedup();
        Vocabulary {
            options,
            printed_once,
            signature: rules
                .fields
                .signature
                .iter()
                .map(|label| fold(label))
                .collect(),
            not_values: rules
                .sections
                .iter()
                .flat_map(|section| &section.headings)
                .map(|heading| fold(heading))
                .chain(rules.layout.furniture.iter().map(|pattern| {
                    let before_number = pattern.split('#').next().unwrap_or_default();
                    fold(before_number)
                }))
                .filter(|phrase| !phrase.is_empty())
                .collect(),
            ticked: rules.checkboxes.ticked.first().cloned().unwrap_or_default(),
            empty: rules
                .checkboxes
                .unticked
                .first()
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// Doubts about options printed once that no page showed as a box line.
    pub fn missing_options(&self, seen: &[String]) -> Vec<String> {
        self.printed_once
            .iter()
            .filter(|(folded, _)| !seen.contains(folded))
            .map(|(_, printed)| format!("case « {printed} » introuvable"))
            .collect()
    }

    fn is_not_value(&self, folded: &str) -> bool {
        // Numbers aside on both sides: OCR reads "1." as "4." now and then.
        let unnumbered = |text: &str| -> String {
            text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
                .to_owned()
        };
        let text = unnumbered(folded);
        self.not_values.iter().any(|phrase| {
            folded.starts_with(phrase.as_str()) || text.starts_with(&unnumbered(phrase))
        })
    }

    fn option(&self, folded: &str) -> Option<&(String, String)> {
        self.options
            .iter()
            .find(|(label, _)| starts_word(folded, label))
    }
}

/// Written after a word of a value read with low confidence.
pub const UNSURE: char = '\u{FFFD}';

/// One page, read.
#[derive(Debug, Clone, Default)]
pub struct PageReading {
    /// The lines, top to bottom.
    pub lines: Vec<String>,
    /// What could not be decided, in French, for the coordinator.
    pub doubts: Vec<String>,
    /// Box options seen (folded wording).
    pub options_seen: Vec<String>,
    /// Words of values read with low confidence: they are followed by [`UNSURE`] in
    /// the text, which the caller finds in the values and removes.
    pub unsure_words: usize,
    /// The confidence of every word kept.
    pub confidences: Vec<f64>,
}

/// Lays out the words of page `number` (from 1).
pub fn lay_out(
    words: &[Word],
    page: &Page,
    number: usize,
    vocabulary: &Vocabulary,
    min_word_confidence: f64,
) -> PageReading {
    let lines = visual_lines(words);
    let grid = Grid::of(words);
    let boxes: Vec<(Rect, (u32, u32, u32), bool)> = words
        .iter()
        .map(|word| {
            let sure = word.confidence >= min_word_confidence;
            (grow(word.bounds, 2), word.line, sure)
        })
        .collect();
    let mut reading = PageReading::default();
    let mut previous_bottom: Option<usize> = None;
    let mut layout = Layout {
        page,
        number,
        vocabulary,
        min_word_confidence,
        grid,
        words: &boxes,
        reading: &mut reading,
    };
    for line in &lines {
        // A wide gap is a blank line, as in a text layer: it ends the value above.
        let top = line.iter().map(|word| word.bounds.top).min().unwrap_or(0);
        if previous_bottom.is_some_and(|bottom| top > bottom + line_height(line) * 16 / 10) {
            layout.reading.lines.push(String::new());
        }
        previous_bottom = line.iter().map(|word| word.bounds.bottom).max();
        layout.line(line);
    }
    // The leftmost text is column 0, as in a text layer: an indentation the whole page
    // shares would make every line continue the value above it.
    let shared = reading
        .lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    for line in &mut reading.lines {
        *line = line
            .get(shared.min(line.len())..)
            .unwrap_or_default()
            .to_owned();
    }
    reading
}

struct Layout<'a> {
    page: &'a Page,
    number: usize,
    vocabulary: &'a Vocabulary,
    min_word_confidence: f64,
    grid: Grid,
    /// Every word's box, its Tesseract line, and whether it was read with confidence.
    words: &'a [(Rect, (u32, u32, u32), bool)],
    reading: &'a mut PageReading,
}

impl Layout<'_> {
    fn line(&mut self, words: &[Word]) {
        if let Some(text) = self.box_line(words) {
            self.reading.lines.push(text);
            return;
        }
        let kept = without_leading_junk(words, self.min_word_confidence);
        if let Some(text) = self.signature_line(kept) {
            self.reading.lines.push(text);
            return;
        }
        // Words after the label's colon are a value; a line with no colon may carry
        // one on (a wrapped value) unless it is a heading or page furniture.
        let colon = kept.iter().position(|word| word.text.contains(':'));
        let values_from = match colon {
            Some(at) => at + 1,
            None if self.vocabulary.is_not_value(&fold(&joined(kept))) => kept.len(),
            None => 0,
        };
        let mut shown = Vec::with_capacity(kept.len());
        for (index, word) in kept.iter().enumerate() {
            self.reading.confidences.push(word.confidence);
            let mut word = word.clone();
            if index >= values_from && word.confidence < self.min_word_confidence {
                word.text.push(UNSURE);
                self.reading.unsure_words += 1;
            }
            shown.push(word);
        }
        let text = self.grid.text(&shown, "");
        self.reading.lines.push(text);
    }

    /// A line opening with an option's wording, after at most two short words (a
    /// bullet, or a box OCR read as letters): the tick is the one of the box found
    /// just left of the wording, a doubt when there is none.
    fn box_line(&mut self, words: &[Word]) -> Option<String> {
        let signs = words
            .iter()
            .take_while(|word| !word.text.chars().any(char::is_alphanumeric))
            .count();
        let words = words.get(signs..)?;
        for skip in 0..=2usize.min(words.len().saturating_sub(1)) {
            let (before, rest) = words.split_at(skip);
            if before.iter().any(|word| word.text.chars().count() > 3) {
                return None;
            }
            let folded = fold(&joined(rest));
            let Some((option, printed)) = self.vocabulary.option(&folded) else {
                continue;
            };
            let first = rest.first()?;
            let height = line_height(rest);
            let center = (first.bounds.top + first.bounds.bottom) / 2;
            let found = self.page.boxes().iter().find(|(bounds, _)| {
                let middle = (bounds.top + bounds.bottom) / 2;
                middle.abs_diff(center) <= height / 2
                    && bounds.right + height * 3 >= first.bounds.left
                    && bounds.left <= first.bounds.left + height / 2
            });
            self.reading.options_seen.push(option.clone());
            let mark = match found.map(|(_, tick)| *tick) {
                Some(Tick::Ticked) => self.vocabulary.ticked.as_str(),
                Some(Tick::Empty) => self.vocabulary.empty.as_str(),
                Some(Tick::Unsure) | None => {
                    self.reading.doubts.push(format!(
                        "case à cocher illisible devant « {printed} » (page {})",
                        self.number
                    ));
                    ""
                }
            };
            let mut text = self.grid.text(rest, mark);
            if let Some(stripped) = text.strip_prefix(' ') {
                text = stripped.to_owned();
            }
            return Some(text);
        }
        None
    }

    /// "Signature :" and what follows: words read with confidence are a typed name;
    /// other ink around the line (strokes, which OCR reads as noise) is a drawn
    /// signature, shown as [`MARK`].
    fn signature_line(&mut self, words: &[Word]) -> Option<String> {
        let folded = fold(&joined(words));
        let label = self
            .vocabulary
            .signature
            .iter()
            .find(|label| !label.is_empty() && folded.starts_with(label.as_str()))?;
        let after = folded.get(label.len()..)?.trim_start();
        if !(after.is_empty() || after.starts_with(':')) {
            return None;
        }
        // The words that spell the label and its colon.
        let mut spelled = String::new();
        let mut label_words = 0;
        for word in words {
            if spelled.len() >= label.len() && !fold(&word.text).starts_with(':') {
                break;
            }
            spelled.push_str(&fold(&word.text));
            label_words += 1;
        }
        let (label_part, rest) = words.split_at(label_words.min(words.len()));
        let last = label_part.last()?;
        let height = line_height(words);
        let typed: Vec<&Word> = rest
            .iter()
            .filter(|word| word.confidence >= self.min_word_confidence)
            .collect();
        for word in &typed {
            self.reading.confidences.push(word.confidence);
        }
        let area = Rect {
            left: last.bounds.right + height / 2,
            top: last.bounds.top.saturating_sub(height / 2),
            right: self.page.width.saturating_sub(self.page.width / 20),
            bottom: last.bounds.bottom + height * 8 / 10,
        };
        // Not ink: the words of other lines, and this line's words read with confidence.
        let lines: Vec<(u32, u32, u32)> = words.iter().map(|word| word.line).collect();
        let text_boxes: Vec<Rect> = self
            .words
            .iter()
            .filter(|(_, line, sure)| *sure || !lines.contains(line))
            .map(|(bounds, _, _)| grow(*bounds, height / 3))
            .collect();
        let ink = self.page.ink(area, &text_boxes);
        tracing::debug!(page = self.number, ink, height, "Ink on a signature line.");
        let signed = height * height * 8 / 10;
        let mut shown: Vec<Word> = label_part.to_vec();
        shown.extend(typed.into_iter().cloned());
        let mut text = self.grid.text(&shown, "");
        if ink >= signed {
            text.push(' ');
            text.push(MARK);
        } else if ink * 8 >= signed * 3 {
            self.reading.doubts.push(format!(
                "trait léger sur la ligne de signature (page {})",
                self.number
            ));
        }
        Some(text)
    }
}

/// Columns from pixels: a character's width and the page's left margin. Line starts
/// within half a character of one seen before get its column: a scan's skew moves a
/// margin by a pixel or two per line, which must not read as an indentation.
#[derive(Debug, Clone)]
struct Grid {
    margin: usize,
    char_width: f64,
    starts: Vec<(usize, usize)>,
}

impl Grid {
    fn of(words: &[Word]) -> Grid {
        let mut widths: Vec<f64> = words
            .iter()
            .filter(|word| word.text.chars().count() >= 4 && word.confidence >= 60.0)
            .map(|word| {
                word.bounds.right.saturating_sub(word.bounds.left) as f64
                    / word.text.chars().count() as f64
            })
            .collect();
        widths.sort_by(f64::total_cmp);
        let char_width = widths
            .get(widths.len() / 2)
            .copied()
            .filter(|w| *w >= 1.0)
            .unwrap_or(10.0);
        // The margin: where the leftmost real words start (specks and bullets read as
        // letters lie further left, and would indent every line).
        let mut lefts: Vec<usize> = words
            .iter()
            .filter(|word| word.text.chars().count() >= 3 && word.confidence >= 60.0)
            .map(|word| word.bounds.left)
            .collect();
        lefts.sort_unstable();
        Grid {
            margin: lefts.get(lefts.len() / 50).copied().unwrap_or(0),
            char_width,
            starts: Vec::new(),
        }
    }

    /// The column of a line starting at `x`.
    fn start_column(&mut self, x: usize) -> usize {
        let near = (self.char_width * 0.6) as usize;
        if let Some(start) = self
            .starts
            .iter_mut()
            .rev()
            .find(|(seen, _)| seen.abs_diff(x) <= near)
        {
            start.0 = x;
            return start.1;
        }
        let column = self.column(x);
        self.starts.push((x, column));
        column
    }

    fn column(&self, x: usize) -> usize {
        (x.saturating_sub(self.margin) as f64 / self.char_width).round() as usize
    }

    /// The words as one line of text, each near its column; `mark` (a box glyph)
    /// written two columns before the first word when not empty.
    fn text(&mut self, words: &[Word], mark: &str) -> String {
        let mut text = String::new();
        let mut length = 0;
        let mut previous: Option<&Word> = None;
        for (index, word) in words.iter().enumerate() {
            let column = if index == 0 {
                self.start_column(word.bounds.left)
            } else {
                self.column(word.bounds.left)
            };
            let word_text = if index == 0 {
                trimmed_start(&word.text)
            } else {
                word.text.as_str()
            };
            match previous {
                None => {
                    let start = if mark.is_empty() {
                        column
                    } else {
                        column.saturating_sub(2)
                    };
                    text.extend(std::iter::repeat_n(' ', start));
                    length = start;
                    if !mark.is_empty() {
                        text.push_str(mark);
                        text.push(' ');
                        length += mark.chars().count() + 1;
                    }
                }
                Some(before) => {
                    let gap = word.bounds.left.saturating_sub(before.bounds.right) as f64;
                    let spaces = if gap > self.char_width * 3.0 {
                        column.saturating_sub(length).max(2)
                    } else {
                        1
                    };
                    text.extend(std::iter::repeat_n(' ', spaces));
                    length += spaces;
                }
            }
            text.push_str(word_text);
            length += word_text.chars().count();
            previous = Some(word);
        }
        text
    }
}

/// Tesseract's lines, joined when they continue one another on the same printed line
/// (a value far right of its label may be a line of its own), top to bottom.
fn visual_lines(words: &[Word]) -> Vec<Vec<Word>> {
    let mut units: Vec<Vec<Word>> = Vec::new();
    for word in words {
        match units.last_mut() {
            Some(unit) if unit.last().is_some_and(|last| last.line == word.line) => {
                unit.push(word.clone());
            }
            _ => units.push(vec![word.clone()]),
        }
    }
    for unit in &mut units {
        unit.sort_by_key(|word| word.bounds.left);
    }
    units.sort_by_key(|unit| unit.first().map_or(0, |word| word.bounds.top));
    let mut lines: Vec<Vec<Word>> = Vec::new();
    for unit in units {
        let Some(first) = unit.first() else {
            continue;
        };
        let joins = lines.iter_mut().rev().take(8).find(|line| {
            line.last().is_some_and(|last| {
                first.bounds.left >= last.bounds.right && overlap(&first.bounds, &last.bounds)
            })
        });
        match joins {
            Some(line) => line.extend(unit),
            None => lines.push(unit),
        }
    }
    lines.sort_by_key(|line| line.first().map_or(0, |word| word.bounds.top));
    lines
}

/// Whether two boxes share at least half the height of the smaller.
fn overlap(a: &Rect, b: &Rect) -> bool {
    let shared = a.bottom.min(b.bottom).saturating_sub(a.top.max(b.top));
    let smaller = (a.bottom - a.top).min(b.bottom - b.top);
    shared * 2 >= smaller && smaller > 0
}

/// Letters OCR reads a bullet as (`•` → "e", `o` → "o" or "0", `»` → "»").
const BULLET_LETTERS: [&str; 4] = ["e", "o", "O", "0"];

/// The line without its leading bullets and specks read as letters: words with no
/// letter or digit (`°`, `*`, `*__`, `•`, `-`, `»`), short words read with little
/// confidence, and a letter a bullet is read as when a capitalised word follows it
/// ("e Nom : …").
fn without_leading_junk(words: &[Word], min_confidence: f64) -> &[Word] {
    let junk = |index: usize, word: &Word| {
        let next_capital = words
            .get(index + 1)
            .and_then(|next| trimmed_start(&next.text).chars().next())
            .is_some_and(char::is_uppercase);
        !word.text.chars().any(char::is_alphanumeric)
            || (word.text.chars().count() <= 2 && word.confidence < min_confidence)
            || (BULLET_LETTERS.contains(&word.text.as_str()) && next_capital)
    };
    let start = words
        .iter()
        .enumerate()
        .position(|(index, w)| !junk(index, w))
        .unwrap_or(words.len());
    words.get(start..).unwrap_or_default()
}

/// The median height of the line's longer words (or of all of them).
fn line_height(words: &[Word]) -> usize {
    let mut heights: Vec<usize> = words
        .iter()
        .filter(|word| word.text.chars().count() >= 3)
        .map(|word| word.bounds.bottom.saturating_sub(word.bounds.top))
        .collect();
    if heights.is_empty() {
        heights = words
            .iter()
            .map(|word| word.bounds.bottom.saturating_sub(word.bounds.top))
            .collect();
    }
    heights.sort_unstable();
    heights.get(heights.len() / 2).copied().unwrap_or(20).max(4)
}

fn joined(words: &[Word]) -> String {
    let mut text = String::new();
    for (index, word) in words.iter().enumerate() {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(if index == 0 {
            trimmed_start(&word.text)
        } else {
            &word.text
        });
    }
    text
}

/// A first word without the quote, bracket, bullet or speck OCR glued before it
/// ("‘Téléphone", "«Email:", "[Établissement", "*__Nom", "°Date", "+Prénom"); "(" stays,
/// and "+" before a digit ("+32").
fn trimmed_start(text: &str) -> &str {
    let trimmed = text.trim_start_matches(|c: char| !(c.is_alphanumeric() || c == '(' || c == '+'));
    match trimmed.strip_prefix('+') {
        Some(rest) if !rest.starts_with(|c: char| c.is_ascii_digit()) => trimmed_start(rest),
        _ => trimmed,
    }
}

fn grow(rect: Rect, by: usize) -> Rect {
    Rect {
        left: rect.left.saturating_sub(by),
        top: rect.top.saturating_sub(by),
        right: rect.right + by,
        bottom: rect.bottom + by,
    }
}

/// Whether `text` opens with `start`, ending on a word boundary.
fn starts_word(text: &str, start: &str) -> bool {
    !start.is_empty()
        && text.starts_with(start)
        && text
            .get(start.len()..)
            .and_then(|rest| rest.chars().next())
            .is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(line: u32, left: usize, top: usize, text: &str, confidence: f64) -> Word {
        let width = text.chars().count() * 10;
        Word {
            line: (1, 1, line),
            bounds: Rect {
                left,
                top,
                right: left + width,
                bottom: top + 20,
            },
            confidence,
            text: text.to_owned(),
        }
    }

    #[test]
    fn words_become_lines_with_their_indentation_and_bullets_dropped() {
        let words = vec![
            word(1, 100, 100, "Dénomination", 96.0),
            word(1, 230, 100, "officielle", 96.0),
            word(1, 340, 100, ":", 93.0),
            word(1, 360, 100, "Hôpital", 97.0),
            word(2, 110, 140, "°", 0.0),
            word(2, 150, 140, "Nom:", 41.0),
            word(2, 200, 140, "Lejeune", 94.0),
            word(3, 160, 180, "châssis).", 94.0),
        ];
        let lines = visual_lines(&words);
        let mut grid = Grid::of(&words);
        let texts: Vec<String> = lines
            .iter()
            .map(|line| grid.text(without_leading_junk(line, 45.0), ""))
            .collect();
        assert_eq!(
            texts,
            vec![
                "Dénomination officielle : Hôpital",
                "     Nom: Lejeune",
                "      châssis).",
            ]
        );
    }

    #[test]
    fn a_line_split_by_tesseract_is_joined_when_on_the_same_printed_line() {
        let words = vec![
            word(1, 100, 100, "Signature", 90.0),
            word(1, 200, 100, ":", 90.0),
            word(2, 600, 104, "Lejeune", 90.0),
            word(3, 100, 140, "Date", 90.0),
        ];
        let lines = visual_lines(&words);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), 3);
    }

    #[test]
    fn a_first_word_loses_the_quote_glued_before_it_but_not_a_parenthesis() {
        assert_eq!(trimmed_start("‘Téléphone"), "Téléphone");
        assert_eq!(trimmed_start("«Email:"), "Email:");
        assert_eq!(trimmed_start("(toiture"), "(toiture");
        assert_eq!(trimmed_start("+32"), "+32");
        assert_eq!(trimmed_start("+Prénom:"), "Prénom:");
        assert_eq!(trimmed_start("*__Nom"), "Nom");
        assert_eq!(trimmed_start("°Date"), "Date");
        assert_eq!(trimmed_start("»Email"), "Email");
    }

    /// Issue 17: a copier scan's bullets, read as `°`, `*`, `+`, `*__`, `•`, `-`, `»`
    /// or as a letter, are not part of the label after them.
    #[test]
    fn bullets_as_ocr_reads_them_are_dropped_before_a_label() {
        for bullet in ["°", "*", "+", "*__", "•", "-", "»", "e", "o"] {
            let words = vec![
                word(1, 100, 100, bullet, 80.0),
                word(1, 150, 100, "Nom:", 90.0),
                word(1, 200, 100, "Piérard", 94.0),
            ];
            let kept = without_leading_junk(&words, 45.0);
            assert_eq!(
                kept.first().map(|w| w.text.as_str()),
                Some("Nom:"),
                "{bullet}"
            );
        }
        // A value's own first letter stays.
        let words = vec![word(1, 100, 100, "a", 90.0), word(1, 130, 100, "fin", 90.0)];
        assert_eq!(without_leading_junk(&words, 45.0).len(), 2);
    }
}
