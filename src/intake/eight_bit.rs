//! Raw 8-bit text in a legacy charset, where MIME says nothing of it (issue [doubt]).
//!
//! Older clients and some gateways still send `Subject: ASeT-W - R\xe9siliation` — Latin-1
//! or Windows-1252 bytes in a header, with no RFC 2047 encoded-word — and text bodies with
//! no `charset` parameter. mail-parser reads such bytes as UTF-8 and replaces them, so the
//! subject loses its accents and stops matching the convention. [`repaired`] finds, with
//! mail-parser's own offsets (no second MIME parser), the header lines and the unlabelled
//! 8-bit text bodies that are not valid UTF-8, and returns a copy of the message where
//! they are transcoded from Windows-1252 — the superset of Latin-1 that browsers and
//! mail clients assume (WHATWG), the C1 range of Latin-1 never holding text. Valid UTF-8
//! (RFC 6532) is left as it is, line by line, so one header in each charset both read.
//!
//! The raw copy in the store keeps the original bytes; only the reading uses the copy.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::ops::Range;

use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::{Encoding, Message, MimeHeaders, PartType};

/// Nested messages deeper than this are not looked into (as in `parse`).
const MAX_NESTING: usize = 8;

/// A copy of `raw` whose 8-bit header lines and unlabelled 8-bit text bodies are UTF-8,
/// or `None` when `raw` needs no repair (the common case: nothing is copied).
pub fn repaired(raw: &[u8], message: &Message<'_>) -> Option<Vec<u8>> {
    let mut ranges = Vec::new();
    collect(raw, message, 0, 0, &mut ranges);
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_by_key(|range: &Span| range.bytes.start);
    let decode = charset_decoder(b"windows-1252")?;
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 8);
    let mut at = 0;
    for span in ranges {
        let Range { start, end } = span.bytes;
        if start < at || end > raw.len() {
            continue; // overlapping or out of bounds: leave those bytes as they are
        }
        out.extend_from_slice(raw.get(at..start)?);
        let bytes = raw.get(start..end)?;
        if span.per_line {
            for line in bytes.split_inclusive(|&b| b == b'\n') {
                match std::str::from_utf8(line) {
                    Ok(_) => out.extend_from_slice(line),
                    Err(_) => out.extend_from_slice(decode(line).as_bytes()),
                }
            }
        } else {
            out.extend_from_slice(decode(bytes).as_bytes());
        }
        at = end;
    }
    out.extend_from_slice(raw.get(at..)?);
    Some(out)
}

/// Bytes to transcode: a header block line by line, or a text body whole.
struct Span {
    bytes: Range<usize>,
    per_line: bool,
}

/// The spans of `message` (whose bytes start at `base` in `raw`) that are not UTF-8.
fn collect(raw: &[u8], message: &Message<'_>, base: usize, depth: usize, spans: &mut Vec<Span>) {
    let invalid = |range: &Range<usize>| {
        raw.get(range.clone())
            .is_some_and(|bytes| std::str::from_utf8(bytes).is_err())
    };
    for part in &message.parts {
        let at = |offset: u32| base + usize::try_from(offset).unwrap_or(usize::MAX / 2);
        let header = at(part.offset_header)..at(part.offset_body);
        if invalid(&header) {
            spans.push(Span {
                bytes: header,
                per_line: true,
            });
        }
        match &part.body {
            PartType::Text(_) | PartType::Html(_) => {
                let unlabelled = part
                    .content_type()
                    .is_none_or(|ct| ct.attribute("charset").is_none());
                let body = at(part.offset_body)..at(part.offset_end);
                if unlabelled && part.encoding == Encoding::None && invalid(&body) {
                    spans.push(Span {
                        bytes: body,
                        per_line: false,
                    });
                }
            }
            PartType::Message(nested) if depth < MAX_NESTING => {
                if let Some(nested_base) = offset_within(raw, &nested.raw_message) {
                    collect(raw, nested, nested_base, depth + 1, spans);
                }
            }
            _ => {}
        }
    }
}

/// Where `inner` starts in `outer`, when it is a slice of it (a nested message that was not
/// transfer-decoded); `None` for decoded copies, which are left alone.
fn offset_within(outer: &[u8], inner: &[u8]) -> Option<usize> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    (start.checked_add(inner.len())? <= outer.len()).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn read(raw: &[u8]) -> (Option<String>, Option<String>) {
        let message = MessageParser::default().parse(raw).expect("parses");
        let fixed = repaired(raw, &message);
        let bytes = fixed.as_deref().unwrap_or(raw);
        let message = MessageParser::default().parse(bytes).expect("parses again");
        (
            message.subject().map(str::to_owned),
            message.body_text(0).map(|b| b.into_owned()),
        )
    }

    #[test]
    fn a_latin1_subject_and_an_unlabelled_body_keep_their_accents() {
        let raw = b"From: a@b.example\r\nSubject: ASeT-W - R\xe9sidence - R\xe9siliation\r\n\
            MIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
            Nous r\xe9silions notre convention.\r\n";
        let (subject, body) = read(raw);
        assert_eq!(subject.as_deref(), Some("ASeT-W - Résidence - Résiliation"));
        assert!(body.unwrap_or_default().contains("Nous résilions"));
    }

    #[test]
    fn windows_1252_quotes_and_raw_utf8_lines_both_read() {
        let raw = "From: \"Hélène\" <h@b.example>\nSubject: ASeT-W \u{2014} x\n"
            .as_bytes()
            .iter()
            .chain(b"X-Note: l\x92\xc9glantier \x96 \x9cuvre\n\nok\n")
            .copied()
            .collect::<Vec<u8>>();
        let message = MessageParser::default().parse(&raw).expect("parses");
        let fixed = repaired(&raw, &message).expect("repaired");
        let text = String::from_utf8(fixed).expect("utf-8");
        assert!(text.contains("Subject: ASeT-W \u{2014} x"), "{text}");
        assert!(
            text.contains("l\u{2019}Églantier \u{2013} \u{153}uvre"),
            "{text}"
        );
        assert!(text.contains("\"Hélène\""), "{text}");
    }

    #[test]
    fn a_message_in_utf8_or_ascii_is_not_copied() {
        let raw = "Subject: Résiliation\n\nBonjour\n".as_bytes();
        let message = MessageParser::default().parse(raw).expect("parses");
        assert!(repaired(raw, &message).is_none());
    }
}
