//! Reading one value: dotted lines and wrapped lines made plain, dates as written by
//! hand, the names of working groups in free text. Used by both readers.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use super::fold::{boundary_at, boundary_before, fold};
use super::pdf_text::MARK;
use super::record::WorkingGroupCode;
use crate::rules::form::{DateRules, Field, FormRules, OptionRef};

/// The longest value kept, in characters; a longer one is cut and reported.
pub const MAX_VALUE_CHARS: usize = 8_000;

/// Values as written on dotted lines, made plain.
#[derive(Debug, Clone)]
pub struct Cleaner {
    leaders: Vec<char>,
    min_run: usize,
    sentence_fields: Vec<Field>,
}

impl Cleaner {
    /// The cleaner the rules describe.
    pub fn new(rules: &FormRules) -> Cleaner {
        Cleaner {
            leaders: rules
                .layout
                .leader_chars
                .iter()
                .filter_map(|leader| leader.chars().next())
                .collect(),
            min_run: rules.layout.leader_min_run.max(2),
            sentence_fields: rules.layout.sentence_fields.clone(),
        }
    }

    /// One line of a value without its dotted line(s) and extra spaces; the flag says
    /// whether a dotted line followed the text.
    pub fn line(&self, raw: &str) -> (String, bool) {
        let chars: Vec<char> = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if chars
            .iter()
            .all(|c| c.is_whitespace() || self.leaders.contains(c))
        {
            return (String::new(), false);
        }
        let mut out = String::with_capacity(raw.len());
        let mut trailing_leader = false;
        let mut rest = chars.as_slice();
        while let Some((&first, _)) = rest.split_first() {
            let run_len = rest
                .iter()
                .take_while(|c| c.is_whitespace() || self.leaders.contains(c))
                .count();
            if run_len == 0 {
                out.push(first);
                rest = rest.get(1..).unwrap_or_default();
                continue;
            }
            let Some((run, after)) = rest.split_at_checked(run_len) else {
                break;
            };
            let weight: usize = run
                .iter()
                .map(|&c| match c {
                    '…' => 3,
                    c if self.leaders.contains(&c) => 1,
                    _ => 0,
                })
                .sum();
            if weight >= self.min_run {
                trailing_leader = after.is_empty();
                out.push(' ');
            } else if weight == 0 {
                out.push(' ');
            } else {
                out.extend(run.iter().map(|&c| if c.is_whitespace() { ' ' } else { c }));
            }
            rest = after;
        }
        let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
        // A label's colon wrapped onto the value's line (narrower fonts wrap "… apporter :"
        // before its colon) is not part of the value, and a line with no letter or digit
        // at all (nor a signature's image or strokes, `MARK`) is no value.
        let collapsed = collapsed.trim_start_matches([':', ' ']).to_owned();
        if !collapsed.chars().any(|c| c.is_alphanumeric() || c == MARK) {
            return (String::new(), false);
        }
        (collapsed, trailing_leader)
    }

    /// A value from its lines (a wrapped value has several), or `None` when empty.
    /// Returns whether it had to be cut to [`MAX_VALUE_CHARS`].
    pub fn value(&self, field: Field, lines: &[&str]) -> (Option<String>, bool) {
        let mut text = String::new();
        let mut swallowed_stop = false;
        for raw in lines {
            // Images and strokes (`pdf_text::MARK`) belong on the signature line only; a
            // logo beside another value is not part of it.
            let unmarked;
            let raw = if field != Field::Signature && raw.contains(MARK) {
                unmarked = raw.replace(MARK, " ");
                unmarked.as_str()
            } else {
                raw
            };
            let (line, trailing_leader) = self.line(raw);
            if line.is_empty() {
                continue;
            }
            swallowed_stop = trailing_leader;
            if !text.is_empty() && !joins_hyphenated(&text, &line) {
                text.push(' ');
            }
            text.push_str(&line);
        }
        if text.is_empty() {
            return (None, false);
        }
        // layout.sentence_fields: a full stop before a dotted line prints as its first dot.
        if swallowed_stop
            && self.sentence_fields.contains(&field)
            && !text.ends_with(['.', '!', '?', '…'])
        {
            text.push('.');
        }
        let cut = text.chars().count() > MAX_VALUE_CHARS;
        if cut {
            text = text.chars().take(MAX_VALUE_CHARS).collect();
        }
        (Some(text), cut)
    }
}

/// A word broken after its hyphen at the end of a line ("éco-" / "conception",
/// "Dubois-" / "Lefèvre") joins without a space.
fn joins_hyphenated(before: &str, after: &str) -> bool {
    let mut tail = before.chars().rev();
    let hyphen = tail.next() == Some('-');
    let word_before = tail.next().is_some_and(char::is_alphanumeric);
    let word_after = after.chars().next().is_some_and(char::is_alphanumeric);
    hyphen && word_before && word_after
}

/// A date as written on the form ("14/04/2026", "14-04-26", "14.04.2026",
/// "14 avril 2026", "1er mai 2026", "2026-04-14") as `YYYY-MM-DD`; `None` when it is not
/// one of these shapes or not a day of the calendar. Never guesses.
pub fn parse_date(text: &str, rules: &DateRules) -> Option<String> {
    let folded = fold(text);
    let tokens: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | '-' | '.' | ','))
        .filter(|token| !token.is_empty())
        .collect();
    let [first, second, third] = tokens.as_slice() else {
        return None;
    };
    let (day, month, year) = if first.len() == 4 && all_digits(first) {
        (*third, *second, *first)
    } else {
        (*first, *second, *third)
    };
    let day = day_number(day, rules)?;
    let month = month_number(month, rules)?;
    let year = year_number(year, rules)?;
    let date = jiff::civil::Date::new(year, month, day).ok()?;
    Some(date.to_string())
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn day_number(token: &str, rules: &DateRules) -> Option<i8> {
    let digits = rules
        .ordinal_suffixes
        .iter()
        .find_map(|suffix| token.strip_suffix(fold(suffix).as_str()))
        .unwrap_or(token);
    (all_digits(digits) && digits.len() <= 2).then(|| digits.parse().ok())?
}

fn month_number(token: &str, rules: &DateRules) -> Option<i8> {
    if all_digits(token) {
        return (token.len() <= 2).then(|| token.parse().ok())?;
    }
    let position = rules.months.iter().position(|names| {
        names
            .iter()
            .any(|name| fold(name).trim_end_matches('.') == token)
    })?;
    i8::try_from(position + 1).ok()
}

fn year_number(token: &str, rules: &DateRules) -> Option<i16> {
    if !all_digits(token) {
        return None;
    }
    let year: i16 = token.parse().ok()?;
    match token.len() {
        4 => Some(year),
        2 => Some(rules.two_digit_year_base + year),
        _ => None,
    }
}

/// Working-group names, folded, longest first.
#[derive(Debug, Clone)]
pub struct GroupNames {
    names: Vec<(String, WorkingGroupCode)>,
}

impl GroupNames {
    /// The names (box wording and aliases) the rules give each group.
    pub fn new(rules: &FormRules) -> GroupNames {
        let mut names: Vec<(String, WorkingGroupCode)> = rules
            .working_groups
            .iter()
            .filter_map(|group| {
                let code = WorkingGroupCode::from_code(&group.code)?;
                Some(
                    group
                        .labels
                        .iter()
                        .chain(&group.aliases)
                        .map(move |name| (fold(name), code)),
                )
            })
            .flatten()
            .filter(|(name, _)| !name.is_empty())
            .collect();
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        GroupNames { names }
    }

    /// The groups a free-text value names, in the order written
    /// ("Décarbonation, Infrastructures durables" → both).
    pub fn find(&self, value: &str) -> Vec<WorkingGroupCode> {
        let text = fold(value);
        let mut claimed: Vec<(usize, usize, WorkingGroupCode)> = Vec::new();
        for (name, code) in &self.names {
            for (start, _) in text.match_indices(name.as_str()) {
                let end = start + name.len();
                let free = claimed.iter().all(|&(s, e, _)| end <= s || start >= e);
                if free && boundary_before(&text, start) && boundary_at(&text, end) {
                    claimed.push((start, end, *code));
                }
            }
        }
        claimed.sort_by_key(|&(start, _, _)| start);
        let mut codes = Vec::new();
        for (_, _, code) in claimed {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    /// The group a box stands for.
    pub fn option_code(option: &OptionRef) -> Option<WorkingGroupCode> {
        match option {
            OptionRef::WorkingGroup(code) => WorkingGroupCode::from_code(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> FormRules {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/aset-w/form.toml");
        let text = std::fs::read_to_string(path).expect("rules/aset-w/form.toml");
        FormRules::from_toml(&text).expect("form.toml parses")
    }

    #[test]
    fn group_names_are_found_in_the_order_written_whole_words_only() {
        let groups = GroupNames::new(&rules());
        assert_eq!(
            groups.find("GT Infrastructures durables + résilience"),
            [
                WorkingGroupCode::Infrastructure,
                WorkingGroupCode::Resilience
            ]
        );
        assert_eq!(
            groups.find("Décarbonation ; ACHATS DURABLES ; Achats"),
            [
                WorkingGroupCode::Decarbonisation,
                WorkingGroupCode::Procurement
            ]
        );
        assert_eq!(
            groups.find("Sensibilisation des établissements pour aînés"),
            [WorkingGroupCode::ElderlyAwareness]
        );
        assert!(groups.find("Achatsdurables").is_empty());
        assert!(groups.find("Mobilité").is_empty());
    }

    #[test]
    fn a_cleaned_line_keeps_typed_punctuation_and_drops_dotted_lines() {
        let cleaner = Cleaner::new(&rules());
        assert_eq!(
            cleaner.line("  Lejeune........  "),
            ("Lejeune".to_owned(), true)
        );
        assert_eq!(
            cleaner.line("a.b@c.example"),
            ("a.b@c.example".to_owned(), false)
        );
        assert_eq!(
            cleaner.line("....  Dupont ....  Jean"),
            ("Dupont Jean".to_owned(), false)
        );
        assert_eq!(cleaner.line(" … "), (String::new(), false));
        assert_eq!(cleaner.line("Oui..."), ("Oui...".to_owned(), false));
    }

    #[test]
    fn wrapped_values_join_and_sentence_fields_get_their_full_stop_back() {
        let cleaner = Cleaner::new(&rules());
        let (value, cut) = cleaner.value(
            Field::Action1,
            &["Former l’éco-", "conception des soins......."],
        );
        assert_eq!(value.as_deref(), Some("Former l’éco-conception des soins."));
        assert!(!cut);
        let (value, _) = cleaner.value(Field::LastName, &["Dubois-", "Lefèvre......"]);
        assert_eq!(value.as_deref(), Some("Dubois-Lefèvre"));
        let (value, _) = cleaner.value(Field::Action2, &["Sans pointillés"]);
        assert_eq!(
            value.as_deref(),
            Some("Sans pointillés"),
            "no dotted line, no guess"
        );
        assert_eq!(cleaner.value(Field::Email, &["", "....."]), (None, false));
    }
}
