//! Email addresses and phone numbers, found and checked where they are written.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{char_after, char_before, pattern, single_spaced};

/// A phone number has at most this many digits (ITU E.164).
const MOST_PHONE_DIGITS: usize = 15;

/// An address; the local part's characters are checked again around the match.
pub(super) static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)[a-z0-9][a-z0-9._%+\-]{0,63}",
        r"@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.){1,8}[a-z]{2,24}",
    ))
});
/// A run of digits and the separators people put in phone numbers:
/// `+32 (0)81 12 34 56`, `081/23.45.67`, `0470-12-34-56`, `081 / 23  45 67`.
pub(super) static PHONE_RUN: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"\+?[0-9]+(?:(?:[ ]?\(0\)[ ]?|[ ]?[./\-][ ]?|[ ]{1,3})[0-9]+)*"));

/// The first valid address in `text`, lower-cased.
pub(super) fn first_email(text: &str) -> Option<String> {
    emails_in(text).into_iter().next().map(|(_, email)| email)
}

/// The valid addresses of `text`, lower-cased, with where each is.
pub(super) fn emails_in(text: &str) -> Vec<(Range<usize>, String)> {
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
pub(super) fn first_phone(text: &str) -> Option<String> {
    phones_in(text).into_iter().next().map(|(_, phone)| phone)
}

/// The valid phone numbers of `text`, as written with single spaces, with where each is.
pub(super) fn phones_in(text: &str) -> Vec<(Range<usize>, String)> {
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
