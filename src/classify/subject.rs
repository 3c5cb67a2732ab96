//! Recognises the subject conventions of the alliance mailbox.
//!
//! The convention d'engagement asks members to write one of three subjects:
//! `ASeT-W — Convention d'engagement — [organisation]` (art. 6.1),
//! `ASeT-W — [organisation] — point de contact` (art. 4.2) and
//! `ASeT-W — [organisation] — « Résiliation »` (art. 6.3). People add reply
//! prefixes, drop accents, swap dashes and change the order, so once reply and
//! forward prefixes and gateway tags are stripped the matcher accepts:
//!
//! * `ALLIANCE — KEYWORD — organisation` (keyword first),
//! * `ALLIANCE — organisation — KEYWORD` (organisation first),
//! * `LEADING PHRASE — ALLIANCE — organisation`.
//!
//! The words come from [`SubjectRules`]. Matching runs on a folded copy of the
//! subject (compatibility decomposition, marks dropped, lowercase, dashes and
//! quotes normalised, whitespace collapsed) that remembers where each folded
//! byte came from, so the organisation is returned as it was typed.
#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::fmt;
use std::ops::Range;

use regex::{Captures, Regex};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use crate::rules::subjects::SubjectRules;

/// Subjects are cut to this many characters before matching, to bound work.
const MAX_SUBJECT_CHARS: usize = 2_000;
/// At most this many keyword occurrences are tried in one subject.
const MAX_KEYWORD_CANDIDATES: usize = 16;

/// A byte range in the folded text.
type Span = Range<usize>;

/// What a subject says a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// `ALLIANCE — Convention d'engagement — [organisation]` (art. 6.1).
    Convention,
    /// `ALLIANCE — [organisation] — point de contact` (art. 4.2).
    ContactChange,
    /// `ALLIANCE — [organisation] — Résiliation` (art. 6.3).
    Resignation,
    /// An automatic reply (out of office and the like).
    AutoReply,
    /// A delivery failure report.
    Bounce,
}

impl SubjectKind {
    /// The snake_case name used in rules files and logs (`"contact_change"`).
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Convention => "convention",
            SubjectKind::ContactChange => "contact_change",
            SubjectKind::Resignation => "resignation",
            SubjectKind::AutoReply => "auto_reply",
            SubjectKind::Bounce => "bounce",
        }
    }
}

/// The outcome of classifying one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectClass {
    /// The kind recognised; `None` when no convention matched.
    pub kind: Option<SubjectKind>,
    /// The organisation as typed in the subject (accents, case and inner
    /// punctuation kept), trimmed of separators, quotes and enclosing brackets;
    /// `None` when absent, left as the placeholder, or for auto-replies and
    /// bounces. Compare names with [`organisation_key`].
    pub organisation: Option<String>,
    /// A short English sentence saying what matched, for logs and reviewers.
    pub reason: String,
}

/// A class without organisation (auto-reply, bounce, no match).
fn class(kind: Option<SubjectKind>, reason: String) -> SubjectClass {
    SubjectClass {
        kind,
        organisation: None,
        reason,
    }
}

/// Why a [`SubjectRules`] vocabulary cannot be turned into a matcher.
#[derive(Debug)]
pub enum SubjectRulesError {
    /// The vocabulary is inconsistent: an empty required list, a phrase with no
    /// letter or digit, a phrase under two kinds, a separator that is not one
    /// punctuation character. The message names the field.
    Invalid(String),
    /// A generated regular expression did not compile (too large, say).
    Regex(regex::Error),
}

impl fmt::Display for SubjectRulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(message) => write!(f, "subject rules: {message}"),
            Self::Regex(e) => write!(f, "subject rules: cannot build a pattern: {e}"),
        }
    }
}

impl std::error::Error for SubjectRulesError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Regex(e) => Some(e),
            Self::Invalid(_) => None,
        }
    }
}

impl From<regex::Error> for SubjectRulesError {
    fn from(e: regex::Error) -> Self {
        Self::Regex(e)
    }
}

/// Classifies subjects against one alliance's vocabulary; build it once with
/// [`SubjectMatcher::new`], then call [`SubjectMatcher::classify`] per message.
#[derive(Debug, Clone)]
pub struct SubjectMatcher {
    /// Reply/forward prefixes, gateway tags and stray separators, repeated.
    prefixes: Regex,
    /// Gateway tags at the end of the subject.
    trailing_tags: Option<Regex>,
    bounce: Option<Regex>,
    auto_reply: Option<Regex>,
    alliance: Regex,
    /// Every keyword and leading phrase, one capture group per phrase.
    keywords: Regex,
    keyword_kinds: Vec<SubjectKind>,
    /// Leading phrases anchored at the start, one capture group per phrase.
    leading: Option<Regex>,
    leading_kinds: Vec<SubjectKind>,
    /// A real separator: spaced dash, double hyphen or a configured character.
    strong_separator: Regex,
    separators: Vec<char>,
    connecting_words: Vec<String>,
    /// Placeholders as [`organisation_key`]s.
    placeholders: Vec<String>,
    articles: [(SubjectKind, String); 3],
}

/// A convention recognised in a subject, before the organisation is cleaned.
struct Hit {
    kind: SubjectKind,
    /// Where the organisation is in the folded text.
    organisation: Option<Span>,
}

/// What follows a keyword (or the alliance name, for leading phrases).
enum Tail {
    /// Nothing with a letter or digit.
    End,
    /// Text after a real separator, or in brackets.
    Strong(Span),
    /// Text after a mere space or hyphen.
    Loose(Span),
}

impl SubjectMatcher {
    /// Compiles the vocabulary; fails on empty required lists, empty phrases,
    /// a phrase listed under two kinds, or a bad separator.
    pub fn new(rules: &SubjectRules) -> Result<Self, SubjectRulesError> {
        let separators = separator_chars(&rules.separators)?;
        let class: String = separators
            .iter()
            .map(|c| regex::escape(&c.to_string()))
            .collect();
        let extra = if class.is_empty() {
            String::new()
        } else {
            format!("|[{class}]")
        };
        let strong = format!(r"\s*(?:-{{2,}}{extra})\s*|\s+-+\s*|\s*-+\s+");
        let alliance = alternation(&fold_list(&rules.alliance_names, "alliance_names", true)?);

        let kinds = [
            (SubjectKind::Convention, &rules.kinds.convention),
            (SubjectKind::ContactChange, &rules.kinds.contact_change),
            (SubjectKind::Resignation, &rules.kinds.resignation),
        ];
        let (mut keywords, mut leading) = (Vec::new(), Vec::new());
        for (kind, kind_rules) in kinds {
            let field = format!("kinds.{}.keywords", kind.as_str());
            for phrase in fold_list(&kind_rules.keywords, &field, true)? {
                keywords.push((phrase, kind));
            }
            let field = format!("kinds.{}.leading_phrases", kind.as_str());
            for phrase in fold_list(&kind_rules.leading_phrases, &field, false)? {
                keywords.push((phrase.clone(), kind));
                leading.push((phrase, kind));
            }
        }
        let (keywords, keyword_kinds) = kind_alternation(keywords)?;
        let (leading, leading_kinds) = kind_alternation(leading)?;
        let leading = match leading.is_empty() {
            true => None,
            false => Some(Regex::new(&format!("^(?:{leading})"))?),
        };

        let replies = alternation(&fold_list(&rules.reply_prefixes, "reply_prefixes", false)?);
        let tags = alternation(&fold_list(&rules.tags, "tags", false)?);
        let mut units = vec![format!("[-,;/{class}]+")];
        if !replies.is_empty() {
            // "RE:", "Re :", "Réf. :", "RE[2]:", "Re(3):"
            let counter = r"(?:\[\s*\d{1,3}\s*\]|\(\s*\d{1,3}\s*\))?";
            units.push(format!(r"(?:{replies})\s*\.?\s*{counter}\s*:"));
        }
        let mut trailing_tags = None;
        if !tags.is_empty() {
            let bracketed =
                format!(r"\[\s*(?:{tags})\s*\]|\(\s*(?:{tags})\s*\)|\*+\s*(?:{tags})\s*\*+");
            trailing_tags = Some(Regex::new(&format!(r"(?:\s*(?:{bracketed}))+\s*$"))?);
            units.push(bracketed);
            units.push(format!(r"(?:{tags})\s*:"));
        }

        let mut connecting_words = fold_list(&rules.connecting_words, "connecting_words", false)?;
        for word in &mut connecting_words {
            word.retain(|c| c != '\'');
        }
        let placeholders = rules.placeholders.iter().map(|p| organisation_key(p));
        Ok(SubjectMatcher {
            prefixes: Regex::new(&format!(r"^(?:\s*(?:{}))+\s*", units.join("|")))?,
            trailing_tags,
            bounce: anchored(&rules.bounce_prefixes, "bounce_prefixes")?,
            auto_reply: anchored(&rules.auto_reply_prefixes, "auto_reply_prefixes")?,
            alliance: Regex::new(&format!(r"^(?:\[\s*)?(?:{alliance})(?:\s*\])?"))?,
            keywords: Regex::new(&keywords)?,
            keyword_kinds,
            leading,
            leading_kinds,
            strong_separator: Regex::new(&strong)?,
            separators,
            connecting_words,
            placeholders: placeholders.filter(|key| !key.is_empty()).collect(),
            articles: kinds.map(|(kind, k)| (kind, k.article.trim().to_owned())),
        })
    }

    /// Classifies one decoded subject. Never panics; control characters count
    /// as spaces and only the first 2,000 characters are read.
    pub fn classify(&self, subject: &str) -> SubjectClass {
        let subject = truncate_chars(subject, MAX_SUBJECT_CHARS);
        let folded = Folded::new(subject);
        let text = folded.text.as_str();
        let core = self.core(text, 0..text.len());
        let starts_with = |regex: &Option<Regex>, span: Span| {
            let found = regex.as_ref()?.find(text.get(span)?)?;
            Some(found.as_str())
        };
        let bounce = |phrase: &str| {
            let reason = format!("subject starts with a bounce phrase (\"{phrase}\")");
            class(Some(SubjectKind::Bounce), reason)
        };

        if let Some(phrase) = starts_with(&self.bounce, core.clone()) {
            return bounce(phrase);
        }
        if let Some(phrase) = starts_with(&self.auto_reply, core.clone()) {
            // A bounce wins, even behind an auto-reply phrase.
            let rest = self.core(text, core.start + phrase.len()..core.end);
            if let Some(bounce_phrase) = starts_with(&self.bounce, rest) {
                return bounce(bounce_phrase);
            }
            let reason = format!("subject starts with an auto-reply phrase (\"{phrase}\")");
            return class(Some(SubjectKind::AutoReply), reason);
        }

        let hit = self.alliance_first(text, core.clone());
        let Some(hit) = hit.or_else(|| self.leading_phrase_first(text, core)) else {
            return class(None, "no subject convention matched".to_owned());
        };
        let organisation = hit
            .organisation
            .and_then(|span| folded.original(self.trim_gap(text, span)))
            .and_then(|range| subject.get(close_quote(subject, range)))
            .and_then(clean_organisation);
        let placeholder = |name: &String| self.placeholders.contains(&organisation_key(name));
        let (organisation, note) = match organisation {
            Some(name) if placeholder(&name) => (None, ", organisation placeholder not filled in"),
            Some(name) => (Some(name), ""),
            None => (None, ", no organisation named"),
        };
        let article = self.articles.iter().find(|(k, _)| *k == hit.kind);
        let article = article.map_or("", |(_, a)| a);
        let kind = hit.kind.as_str();
        let reason = format!("subject matches the {kind} subject (art. {article}){note}");
        SubjectClass {
            kind: Some(hit.kind),
            organisation,
            reason,
        }
    }

    /// `ALLIANCE — KEYWORD — org` or `ALLIANCE — org — KEYWORD`: tries each
    /// keyword occurrence in turn.
    fn alliance_first(&self, text: &str, core: Span) -> Option<Hit> {
        let alliance = self.alliance.find(text.get(core.clone())?)?;
        let body = self.trim_gap(text, core.start + alliance.end()..core.end);
        let candidates = self.keywords.captures_iter(text.get(body.clone())?);
        for caps in candidates.take(MAX_KEYWORD_CANDIDATES) {
            let Some((kind, keyword)) = matched_kind(&caps, &self.keyword_kinds) else {
                continue;
            };
            let keyword = body.start + keyword.start..body.start + keyword.end;
            let tail = self.tail(text, keyword.end..body.end);
            let hit = if keyword.start == body.start {
                let organisation = self.organisation_after(text, kind, tail);
                organisation.map(|organisation| Hit { kind, organisation })
            } else {
                self.organisation_before(text, kind, body.start..keyword.start, &tail)
            };
            if hit.is_some() {
                return hit;
            }
        }
        None
    }

    /// `LEADING PHRASE — ALLIANCE — org` ("Demande de résiliation – ASeT-W – CHR X").
    fn leading_phrase_first(&self, text: &str, core: Span) -> Option<Hit> {
        let caps = self.leading.as_ref()?.captures(text.get(core.clone())?)?;
        let (kind, phrase) = matched_kind(&caps, &self.leading_kinds)?;
        let after = self.trim_gap(text, core.start + phrase.end..core.end);
        let alliance = self.alliance.find(text.get(after.clone())?)?;
        let tail = self.tail(text, after.start + alliance.end()..core.end);
        let organisation = self.organisation_after(text, kind, tail)?;
        Some(Hit { kind, organisation })
    }

    /// The organisation after a keyword: `None` when the keyword reads as part
    /// of a sentence, `Some(None)` when nothing follows it.
    fn organisation_after(
        &self,
        text: &str,
        kind: SubjectKind,
        tail: Tail,
    ) -> Option<Option<Span>> {
        let rest = match tail {
            Tail::End => return Some(None),
            Tail::Loose(rest) if self.starts_with_connecting_word(text.get(rest.clone())?) => {
                return None;
            }
            Tail::Strong(rest) | Tail::Loose(rest) => rest,
        };
        // art. 6.1: for a convention everything after the keyword is the
        // organisation (the form is authoritative); art. 4.2 and 6.3: only the
        // segment that follows the keyword, trailing comments are dropped.
        match kind {
            SubjectKind::Convention => Some(Some(rest)),
            _ => Some(Some(self.first_segment(text, rest))),
        }
    }

    /// `ALLIANCE — org — KEYWORD`: the segment(s) between alliance and keyword.
    fn organisation_before(
        &self,
        text: &str,
        kind: SubjectKind,
        before: Span,
        tail: &Tail,
    ) -> Option<Hit> {
        let organisation = self.trim_gap(text, before.clone());
        let gap = text.get(organisation.end..before.end)?;
        let name = text
            .get(organisation.clone())
            .filter(|name| !name.is_empty())?;
        // With only a space or a bare hyphen before the keyword, it may be part
        // of a sentence ("ASeT-W — Question concernant la résiliation"); art.
        // 6.1 puts the organisation after the keyword, so a convention keyword
        // after the organisation needs a real separator.
        let weak = !self.strong_separator.is_match(gap);
        if weak
            && (kind == SubjectKind::Convention
                || matches!(tail, Tail::Loose(_))
                || self.ends_with_connecting_word(name))
        {
            return None;
        }
        Some(Hit {
            kind,
            organisation: Some(organisation),
        })
    }

    fn tail(&self, text: &str, after: Span) -> Tail {
        let Some(after_text) = text.get(after.clone()) else {
            return Tail::End;
        };
        if !after_text.chars().any(char::is_alphanumeric) {
            return Tail::End;
        }
        let rest_text = after_text.trim_start_matches(|c| self.is_gap_char(c));
        let gap_len = after_text.len() - rest_text.len();
        let gap = after_text.get(..gap_len).unwrap_or_default();
        let rest = after.start + gap_len..after.end;
        if self.strong_separator.is_match(gap) || rest_text.starts_with(['(', '[']) {
            Tail::Strong(rest)
        } else {
            Tail::Loose(rest)
        }
    }

    /// Up to the next real separator.
    fn first_segment(&self, text: &str, rest: Span) -> Span {
        match text
            .get(rest.clone())
            .and_then(|s| self.strong_separator.find(s))
        {
            Some(separator) => rest.start..rest.start + separator.start(),
            None => rest,
        }
    }

    /// Strips reply prefixes, tags and separators from both ends of `span`.
    fn core(&self, text: &str, span: Span) -> Span {
        let Some(slice) = text.get(span.clone()) else {
            return span.start..span.start;
        };
        let start = span.start + self.prefixes.find(slice).map_or(0, |m| m.end());
        let rest = text.get(start..span.end).unwrap_or_default();
        let end = match self.trailing_tags.as_ref().and_then(|re| re.find(rest)) {
            Some(tags) => start + tags.start(),
            None => span.end,
        };
        self.trim_gap(text, start..end)
    }

    fn is_gap_char(&self, c: char) -> bool {
        matches!(c, ' ' | '-' | ',' | ';' | '/') || self.separators.contains(&c)
    }

    /// Strips separators from both ends of `span`. At the end, a run of `;` and `-`
    /// glued to the last word and followed by a space or the end of the subject is part
    /// of what was typed (`… members;--`, issue [doubt]: names keep every character)
    /// and stays; a run standing apart, or touching the next word (`CHR X--Résiliation`),
    /// separates and goes.
    fn trim_gap(&self, text: &str, span: Span) -> Span {
        let Some(s) = text.get(span.clone()) else {
            return span.start..span.start;
        };
        let start = span.end - s.trim_start_matches(|c| self.is_gap_char(c)).len();
        let followed_by_space_or_end = text
            .get(span.end..)
            .is_none_or(|after| after.is_empty() || after.starts_with(' '));
        let mut end = span.end;
        while end > start {
            let Some(head) = text.get(start..end) else {
                break;
            };
            let trimmed = head.trim_end_matches(' ');
            let word_end = trimmed
                .trim_end_matches(|c| c != ' ' && self.is_gap_char(c))
                .len();
            let run = trimmed.get(word_end..).unwrap_or_default();
            let glued = trimmed
                .get(..word_end)
                .is_some_and(|word| !word.is_empty() && !word.ends_with(' '));
            let typed = glued
                && (trimmed.len() < head.len() || followed_by_space_or_end)
                && run.chars().all(|c| matches!(c, ';' | '-'));
            if run.is_empty() || typed {
                end = start + trimmed.len();
                break;
            }
            end = start + word_end;
        }
        start..end.max(start)
    }

    fn is_connecting(&self, word: Option<&str>) -> bool {
        word.is_some_and(|word| self.connecting_words.iter().any(|w| w == word))
    }

    fn ends_with_connecting_word(&self, folded: &str) -> bool {
        folded.ends_with('\'') || self.is_connecting(folded.rsplit([' ', '\'']).next())
    }

    fn starts_with_connecting_word(&self, folded: &str) -> bool {
        self.is_connecting(folded.split([' ', '\'']).next())
    }
}

/// The kind of the phrase group that matched, and where.
fn matched_kind(caps: &Captures<'_>, kinds: &[SubjectKind]) -> Option<(SubjectKind, Span)> {
    let mut groups = caps.iter().skip(1).zip(kinds);
    groups.find_map(|(group, &kind)| group.map(|m| (kind, m.range())))
}

fn separator_chars(list: &[String]) -> Result<Vec<char>, SubjectRulesError> {
    let separator = |s: &String| {
        let mut chars = s.trim().chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_alphanumeric() && !"-'[]".contains(c) => Ok(c),
            _ => Err(SubjectRulesError::Invalid(format!(
                "separator \"{s}\" is not a single punctuation character"
            ))),
        }
    };
    list.iter().map(separator).collect()
}

/// Folds each phrase of a list; `required` lists must not be empty.
fn fold_list(
    list: &[String],
    field: &str,
    required: bool,
) -> Result<Vec<String>, SubjectRulesError> {
    if required && list.is_empty() {
        return Err(SubjectRulesError::Invalid(format!(
            "`{field}` must not be empty"
        )));
    }
    let fold = |phrase: &String| {
        let folded = Folded::new(phrase).text;
        match folded.chars().any(char::is_alphanumeric) {
            true => Ok(folded),
            false => Err(SubjectRulesError::Invalid(format!(
                "`{field}` has an empty phrase"
            ))),
        }
    };
    list.iter().map(fold).collect()
}

/// A regex fragment matching any of the folded phrases, longest first.
fn alternation(phrases: &[String]) -> String {
    let mut phrases: Vec<&String> = phrases.iter().collect();
    phrases.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    phrases.dedup();
    let patterns: Vec<String> = phrases.iter().map(|p| phrase_pattern(p)).collect();
    patterns.join("|")
}

/// Any of the phrases at the start of the text; `None` for an empty list.
fn anchored(list: &[String], field: &str) -> Result<Option<Regex>, SubjectRulesError> {
    let phrases = fold_list(list, field, false)?;
    if phrases.is_empty() {
        return Ok(None);
    }
    Ok(Some(Regex::new(&format!(
        "^(?:{})",
        alternation(&phrases)
    ))?))
}

/// One capture group per phrase, longest first, with the kind of each group.
fn kind_alternation(
    mut phrases: Vec<(String, SubjectKind)>,
) -> Result<(String, Vec<SubjectKind>), SubjectRulesError> {
    phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    phrases.dedup();
    if let Some([(phrase, _), _]) = phrases
        .windows(2)
        .find(|w| matches!(w, [a, b] if a.0 == b.0))
    {
        let message = format!("\"{phrase}\" is listed under two kinds");
        return Err(SubjectRulesError::Invalid(message));
    }
    let groups: Vec<String> = phrases
        .iter()
        .map(|(p, _)| format!("({})", phrase_pattern(p)))
        .collect();
    Ok((
        groups.join("|"),
        phrases.into_iter().map(|(_, kind)| kind).collect(),
    ))
}

/// The regex for one folded phrase: spaces and hyphens match runs of either,
/// an apostrophe may be a space or nothing ("d engagement", "dengagement"), a
/// dot is optional; word boundaries at both ends.
fn phrase_pattern(folded: &str) -> String {
    let mut pattern = String::new();
    if folded.starts_with(char::is_alphanumeric) {
        pattern.push_str(r"\b");
    }
    for c in folded.chars() {
        match c {
            ' ' => pattern.push_str(r"[\s-]+"),
            '-' => pattern.push_str(r"[\s-]*"),
            '\'' => pattern.push_str(r"\s*'?\s*"),
            '.' => pattern.push_str(r"\.?"),
            _ => pattern.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    if folded.ends_with(char::is_alphanumeric) {
        pattern.push_str(r"\b");
    }
    pattern
}

/// Folded text with, for each of its bytes, the byte range of the original
/// character it comes from.
struct Folded {
    text: String,
    origin: Vec<Range<usize>>,
}

impl Folded {
    /// Folds `original`, collapsing whitespace to single spaces and trimming it.
    fn new(original: &str) -> Self {
        let text = String::with_capacity(original.len());
        let mut folded = Folded {
            text,
            origin: Vec::new(),
        };
        for (at, c) in original.char_indices() {
            let range = at..at + c.len_utf8();
            fold_char(c, &mut |f| folded.push(f, &range));
        }
        if folded.text.ends_with(' ') {
            folded.text.pop();
            folded.origin.pop();
        }
        folded
    }

    fn push(&mut self, c: char, range: &Range<usize>) {
        if c == ' ' && (self.text.is_empty() || self.text.ends_with(' ')) {
            return;
        }
        self.text.push(c);
        self.origin
            .extend(std::iter::repeat_n(range.clone(), c.len_utf8()));
    }

    /// The byte range of the original text behind a folded span.
    fn original(&self, span: Span) -> Option<Range<usize>> {
        let start = self.origin.get(span.start)?.start;
        let end = self.origin.get(span.end.checked_sub(1)?)?.end;
        Some(start..end)
    }
}

/// Folds one character: compatibility decomposition, marks dropped, lowercase,
/// ligatures spelt out, apostrophes to `'`, dashes to ` - `, quotes and
/// whitespace (control characters included) to a space, invisible ones dropped.
fn fold_char(c: char, emit: &mut impl FnMut(char)) {
    match c {
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' => {}
        '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => {}
        c if c.is_whitespace() || c.is_control() => emit(' '),
        '\u{2018}'..='\u{201B}' | '\u{2032}' | '\u{02B9}' | '\u{02BC}' => emit('\''),
        '`' | '\u{B4}' | '\u{FF07}' => emit('\''),
        '\u{2012}'..='\u{2015}' | '\u{2212}' | '\u{2E3A}' | '\u{2E3B}' | '\u{FE58}' => {
            " - ".chars().for_each(emit);
        }
        '\u{2010}' | '\u{2011}' | '\u{FE63}' | '\u{FF0D}' => emit('-'),
        '"' | '«' | '»' | '\u{201C}'..='\u{201F}' | '\u{2039}' | '\u{203A}' => emit(' '),
        '\u{FF02}' => emit(' '),
        _ => decompose_compatible(c, |d| {
            for l in d.to_lowercase().filter(|&l| !is_combining_mark(l)) {
                match l {
                    'œ' => "oe".chars().for_each(&mut *emit),
                    'æ' => "ae".chars().for_each(&mut *emit),
                    'ß' => "ss".chars().for_each(&mut *emit),
                    'ø' => emit('o'),
                    'ł' => emit('l'),
                    'đ' => emit('d'),
                    'ı' => emit('i'),
                    _ => emit(l),
                }
            }
        }),
    }
}

fn truncate_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => s.get(..at).unwrap_or(s),
        None => s,
    }
}

/// Quote pairs, opening then closing.
const QUOTES: [(char, char); 6] = [
    ('"', '"'),
    ('\'', '\''),
    ('«', '»'),
    ('\u{201C}', '\u{201D}'),
    ('\u{2018}', '\u{2019}'),
    ('\u{201E}', '\u{201C}'),
];

/// Quotes fold to spaces, so a match stops before the quote that closes one
/// opened inside the name ("Hôpital “Saint-Éloi”"): take it back in.
fn close_quote(subject: &str, range: Range<usize>) -> Range<usize> {
    let (Some(name), Some(rest)) = (subject.get(range.clone()), subject.get(range.end..)) else {
        return range;
    };
    let next = rest.trim_start();
    let opens = |(open, close): (char, char)| {
        let opened = name.matches(open).count();
        match open == close {
            true => opened % 2 == 1,
            false => opened > name.matches(close).count(),
        }
    };
    match QUOTES
        .iter()
        .find(|&&pair| opens(pair) && next.starts_with(pair.1))
    {
        Some(&(_, close)) => range.start..range.end + (rest.len() - next.len()) + close.len_utf8(),
        None => range,
    }
}

/// Characters trimmed from both ends of an organisation name.
fn is_edge_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "\u{200B}\u{FEFF}".contains(c)
}

/// Separator characters trimmed from an organisation name's ends when they stand apart
/// from it (`CHR X -`); glued to it (`… members;--`) they are what the member typed.
fn is_edge_separator(c: char) -> bool {
    matches!(c, '-' | '\u{2012}'..='\u{2015}' | '\u{2212}') || ":|,;/".contains(c)
}

/// `name` without white space at its ends, nor separators standing apart from it; a
/// name that is nothing but separators is emptied.
fn trim_edges(name: &str) -> &str {
    let mut name = name.trim_matches(is_edge_char);
    loop {
        let body = name.trim_end_matches(is_edge_separator);
        let trimmed =
            if body.len() < name.len() && (body.is_empty() || body.ends_with(is_edge_char)) {
                body.trim_end_matches(is_edge_char)
            } else {
                name
            };
        let start = trimmed.trim_start_matches(is_edge_separator);
        let trimmed = if start.len() < trimmed.len()
            && (start.is_empty() || start.starts_with(is_edge_char))
        {
            start.trim_start_matches(is_edge_char)
        } else {
            trimmed
        };
        if trimmed.len() == name.len() {
            return name;
        }
        name = trimmed;
    }
}

/// Trims an organisation name as typed: separators, enclosing brackets and
/// quote pairs; runs of whitespace holding control characters become a space.
fn clean_organisation(raw: &str) -> Option<String> {
    const BRACKETS: [(char, char); 4] = [('[', ']'), ('(', ')'), ('<', '>'), ('{', '}')];
    let mut name = trim_edges(raw);
    while let Some(inner) = BRACKETS.iter().chain(&QUOTES).find_map(|&(open, close)| {
        let inner = name.strip_prefix(open)?.strip_suffix(close)?;
        (!inner.contains(close)).then_some(inner)
    }) {
        name = trim_edges(inner);
    }
    let name = match has_control_characters(name) {
        true => {
            let words = name.split(|c: char| c.is_whitespace() || c.is_control());
            words
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        }
        false => name.to_owned(),
    };
    name.chars().any(char::is_alphanumeric).then_some(name)
}

/// The key under which organisation names are compared: accents folded,
/// lowercase, dots removed ("C.H.R." → "chr"), any other punctuation,
/// apostrophe or hyphen turned into a space, whitespace collapsed and trimmed.
pub fn organisation_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut space = false;
    for c in name.chars() {
        fold_char(c, &mut |f| match f {
            '.' => {}
            f if f.is_alphanumeric() => {
                if space && !key.is_empty() {
                    key.push(' ');
                }
                space = false;
                key.push(f);
            }
            _ => space = true,
        });
    }
    key
}

/// Whether a subject holds characters that have no business in a header once
/// unfolded: C0 controls other than TAB (CR, LF and NUL included), DEL, the C1
/// controls (U+0085 among them), and the line and paragraph separators.
pub fn has_control_characters(subject: &str) -> bool {
    let is_bad = |c: char| (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}');
    subject.chars().any(is_bad)
}

#[cfg(test)]
#[path = "subject_tests.rs"]
mod tests;
