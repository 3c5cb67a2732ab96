//! mail-parser → [`Envelope`]: headers we decide on, attachments (nested forwards
//! included), and the problems found on the way. Never panics, never errors: bad input
//! becomes problems on the envelope.

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use jiff::Timestamp;
use mail_parser::{Addr, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::{eight_bit, tnef};
use crate::config::Limits;
use crate::problem::Problem;

/// Forwards nested deeper than this are not opened (a forward of a forward of a form is
/// realistic; fifty levels are an attack).
const MAX_NESTING: usize = 8;
/// At most this many attachments are catalogued per message.
const MAX_ATTACHMENTS: usize = 64;

/// What the later stages need to know about one message.
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    /// Subject, RFC 2047 decoded; may hold control characters (classify checks).
    pub subject: Option<String>,
    /// The From address.
    pub from_addr: Option<String>,
    /// The From display name.
    pub from_name: Option<String>,
    /// The sender's Date header: what the sender claims, kept apart from `received_at`.
    pub sent_at: Option<Timestamp>,
    /// Headers that say a machine sent it.
    pub automation: AutomationHeaders,
    /// The first text body (HTML made text), bounded.
    pub body_text: Option<String>,
    /// The topmost `Authentication-Results` value: our own receiving system's.
    pub authentication_results: Option<String>,
    /// In-Reply-To and References, without brackets.
    pub references: Vec<String>,
    /// Message-IDs of the messages it carries (forwarded, or returned by a delivery
    /// report as `message/rfc822` or `text/rfc822-headers`), without brackets.
    pub embedded_message_ids: Vec<String>,
    /// Every non-body leaf of the MIME tree, forwarded messages included, in order.
    pub attachments: Vec<Attachment>,
    /// What could not be read.
    pub problems: Vec<Problem>,
}

/// Headers that mark mail sent by a machine (RFC 3834, RFC 3464, RFC 2369…).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AutomationHeaders {
    /// `Auto-Submitted`, lowercased, when present.
    pub auto_submitted: Option<String>,
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Response-Suppress`-free auto-responder marks.
    pub x_autoreply: bool,
    /// `Precedence`, lowercased.
    pub precedence: Option<String>,
    /// `List-Unsubscribe` or `List-Id` present.
    pub list_headers: bool,
    /// `Return-Path: <>` (the null sender of delivery reports).
    pub null_return_path: bool,
    /// Top-level `multipart/report; report-type=delivery-status`, or a
    /// `message/delivery-status` part anywhere.
    pub delivery_report: bool,
}

/// One attachment, with its bytes (bounded by `Limits::max_attachment_bytes`).
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Order in the MIME tree, from 0.
    pub position: usize,
    /// The file name the sender gave, if any.
    pub filename: Option<String>,
    /// The Content-Type as labelled, lowercased (`application/octet-stream`…).
    pub declared_type: String,
    /// Decoded size in bytes.
    pub size_bytes: usize,
    /// Decoded bytes; empty when over the limit (see `too_large`).
    pub bytes: Vec<u8>,
    /// Over `max_attachment_bytes`: catalogued, not kept for inspection.
    pub too_large: bool,
    /// Found inside a forwarded message (message/rfc822).
    pub forwarded: bool,
}

/// Parses `raw` within `limits`. Always returns an envelope; problems say what went wrong.
pub fn parse(raw: &[u8], limits: &Limits) -> Envelope {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return with_problem(Problem::MessageEmpty);
    }
    if raw.len() > limits.max_message_bytes {
        return with_problem(Problem::MessageTooLarge);
    }
    // Raw 8-bit Latin-1 or Windows-1252 headers and unlabelled bodies are read from a
    // transcoded copy; the message itself is parsed once when it needs no repair.
    let first = MessageParser::default().parse(raw);
    let repaired = first
        .as_ref()
        .and_then(|message| eight_bit::repaired(raw, message));
    let message = match repaired.as_deref() {
        Some(bytes) => MessageParser::default().parse(bytes),
        None => first,
    };
    let Some(message) = message else {
        return with_problem(Problem::MessageNotEmail);
    };
    if !looks_like_email(&message) {
        return with_problem(Problem::MessageNotEmail);
    }
    let from = message.from().and_then(|address| address.first());
    let mut envelope = Envelope {
        message_id: message
            .message_id()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        subject: message.subject().map(str::to_owned),
        from_addr: from.and_then(Addr::address).map(str::to_owned),
        from_name: from.and_then(Addr::name).map(str::to_owned),
        sent_at: message
            .date()
            .and_then(|date| Timestamp::from_second(date.to_timestamp()).ok()),
        automation: automation_headers(&message),
        body_text: body_text(&message),
        authentication_results: topmost_header(&message, "Authentication-Results"),
        references: references(&message),
        embedded_message_ids: Vec::new(),
        attachments: Vec::new(),
        problems: Vec::new(),
    };
    collect_attachments(&message, limits, 0, &mut envelope);
    if envelope
        .attachments
        .iter()
        .any(|attachment| attachment.too_large)
    {
        envelope.problems.push(Problem::AttachmentTooLarge);
    }
    envelope
}

/// The longest body text kept, in bytes: what the workflow reads (a contact's details,
/// the scope of a resignation) is at the top; the raw copy keeps the rest.
const MAX_BODY_TEXT: usize = 64 * 1024;

/// The first text body (HTML converted to text by mail-parser), cut at [`MAX_BODY_TEXT`].
fn body_text(message: &Message<'_>) -> Option<String> {
    let text = message.body_text(0)?;
    let mut end = text.len().min(MAX_BODY_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).map(str::to_owned)
}

/// The raw value of the first (topmost) header `name`: the one the last hop — our own
/// receiving system — added; lower ones may be forged by the sender.
fn topmost_header(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .headers()
        .iter()
        .find(|header| header.name().eq_ignore_ascii_case(name))
        .and_then(|header| {
            message
                .raw_message()
                .get(header.offset_start() as usize..header.offset_end() as usize)
        })
        .map(|bytes| String::from_utf8_lossy(bytes).trim().to_owned())
}

/// Message-IDs the message refers to (In-Reply-To, then References), without brackets.
fn references(message: &Message<'_>) -> Vec<String> {
    let mut ids = Vec::new();
    for value in [message.in_reply_to(), message.references()] {
        for id in value.as_text_list().unwrap_or_default() {
            let id = id.trim().to_owned();
            if !id.is_empty() && !ids.contains(&id) && ids.len() < 64 {
                ids.push(id);
            }
        }
    }
    ids
}

/// `text/rfc822-headers`: the headers of a returned message in a delivery report.
fn is_returned_headers(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("text")
            && ct
                .subtype()
                .is_some_and(|sub| sub.eq_ignore_ascii_case("rfc822-headers"))
    })
}

/// Keeps a carried message's Message-ID (a bounded number of them).
fn remember_id(envelope: &mut Envelope, id: Option<&str>) {
    if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
        if envelope.embedded_message_ids.len() < 16
            && !envelope.embedded_message_ids.iter().any(|k| k == id)
        {
            envelope.embedded_message_ids.push(id.to_owned());
        }
    }
}

fn with_problem(problem: Problem) -> Envelope {
    Envelope {
        problems: vec![problem],
        ..Envelope::default()
    }
}

/// A file with none of the headers every mail client writes is not an e-mail message.
fn looks_like_email(message: &Message<'_>) -> bool {
    const MAIL_HEADERS: [&str; 7] = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Received",
        "Content-Type",
    ];
    MAIL_HEADERS
        .iter()
        .any(|name| message.header_raw(*name).is_some())
}

fn automation_headers(message: &Message<'_>) -> AutomationHeaders {
    let lowered = |name: &str| {
        message
            .header_raw(name)
            .map(|value| value.trim().to_ascii_lowercase())
    };
    let delivery_report = message.content_type().is_some_and(|content_type| {
        content_type.ctype().eq_ignore_ascii_case("multipart")
            && content_type
                .subtype()
                .is_some_and(|sub| sub.eq_ignore_ascii_case("report"))
            && content_type
                .attribute("report-type")
                .is_some_and(|kind| kind.eq_ignore_ascii_case("delivery-status"))
    }) || message.parts.iter().any(|part| {
        part.content_type().is_some_and(|content_type| {
            content_type.ctype().eq_ignore_ascii_case("message")
                && content_type.subtype().is_some_and(|sub| {
                    sub.eq_ignore_ascii_case("delivery-status")
                        || sub.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    });
    AutomationHeaders {
        auto_submitted: lowered("Auto-Submitted"),
        x_autoreply: ["X-Autoreply", "X-Autorespond", "X-Autoresponder"]
            .iter()
            .any(|name| message.header_raw(*name).is_some()),
        precedence: lowered("Precedence"),
        list_headers: !matches!(message.list_unsubscribe(), HeaderValue::Empty)
            || !matches!(message.list_id(), HeaderValue::Empty),
        null_return_path: message
            .header_raw("Return-Path")
            .is_some_and(|value| value.trim().trim_matches(['<', '>']).trim().is_empty()),
        delivery_report,
    }
}

fn collect_attachments(
    message: &Message<'_>,
    limits: &Limits,
    depth: usize,
    envelope: &mut Envelope,
) {
    for (index, part) in message.parts.iter().enumerate() {
        if envelope.attachments.len() >= MAX_ATTACHMENTS {
            return;
        }
        let bytes: &[u8] = match &part.body {
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => bytes,
            PartType::Text(text) if is_returned_headers(part) => {
                let headers = MessageParser::new().parse_headers(text.as_bytes());
                remember_id(envelope, headers.as_ref().and_then(|h| h.message_id()));
                continue;
            }
            PartType::Text(text) | PartType::Html(text) => {
                // A text part is an attachment only when it is named and is not a body.
                let is_body = message.text_body.contains(&(index as u32))
                    || message.html_body.contains(&(index as u32));
                if part.attachment_name().is_none() || is_body {
                    continue;
                }
                text.as_bytes()
            }
            PartType::Message(nested) => {
                remember_id(envelope, nested.message_id());
                if depth < MAX_NESTING {
                    collect_attachments(nested, limits, depth + 1, envelope);
                }
                continue;
            }
            PartType::Multipart(_) => continue,
        };
        let recovered;
        let bytes = if part.is_encoding_problem {
            recovered = recover_base64(part, bytes);
            recovered.as_deref().unwrap_or(bytes)
        } else {
            bytes
        };
        let declared_type = part.content_type().map_or_else(
            || "application/octet-stream".to_owned(),
            |content_type| match content_type.subtype() {
                Some(sub) => format!("{}/{}", content_type.ctype(), sub).to_ascii_lowercase(),
                None => content_type.ctype().to_ascii_lowercase(),
            },
        );
        let too_large = bytes.len() > limits.max_attachment_bytes;
        envelope.attachments.push(Attachment {
            position: envelope.attachments.len(),
            filename: part.attachment_name().map(str::to_owned),
            declared_type,
            size_bytes: bytes.len(),
            bytes: if too_large {
                Vec::new()
            } else {
                bytes.to_vec()
            },
            too_large,
            forwarded: depth > 0,
        });
        if !too_large {
            unwrap_tnef(bytes, limits, depth, envelope);
        }
    }
}

/// The attachments inside an Outlook `winmail.dat`, catalogued after it (the container
/// itself stays in the catalogue: it is what arrived).
fn unwrap_tnef(bytes: &[u8], limits: &Limits, depth: usize, envelope: &mut Envelope) {
    let room = MAX_ATTACHMENTS.saturating_sub(envelope.attachments.len());
    let Some(inner) = tnef::attachments(bytes, room, limits.max_attachment_bytes) else {
        return;
    };
    for attachment in inner {
        envelope.attachments.push(Attachment {
            position: envelope.attachments.len(),
            filename: attachment.name,
            declared_type: "application/octet-stream".to_owned(),
            size_bytes: attachment.bytes.len(),
            bytes: attachment.bytes,
            too_large: attachment.too_large,
            forwarded: depth > 0,
        });
    }
}

/// mail-parser hands back the *encoded* text of a part whose boundary never closes (a
/// truncated upload, a broken gateway). A base64 attachment is still recoverable: decode
/// the whole lines that are there, rather than losing the form.
fn recover_base64(part: &mail_parser::MessagePart<'_>, encoded: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    let is_base64 = part
        .content_transfer_encoding()
        .is_some_and(|encoding| encoding.trim().eq_ignore_ascii_case("base64"));
    if !is_base64 {
        return None;
    }
    let mut clean: Vec<u8> = encoded
        .iter()
        .copied()
        .take_while(|&byte| byte != b'-') // a stray boundary line ends the data
        .filter(|byte| !byte.is_ascii_whitespace())
        .collect();
    clean.truncate(clean.len() - clean.len() % 4);
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&clean)
        .ok()?;
    tracing::warn!(
        bytes = decoded.len(),
        "Malformed MIME: a base64 part was not closed by its boundary; decoded what was there."
    );
    Some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(raw: &str) -> Envelope {
        parse(raw.as_bytes(), &Limits::default())
    }

    #[test]
    fn an_empty_file_is_a_problem_not_a_crash() {
        assert_eq!(parse_str("").problems, vec![Problem::MessageEmpty]);
        assert_eq!(parse_str(" \r\n\r\n").problems, vec![Problem::MessageEmpty]);
    }

    #[test]
    fn text_without_mail_headers_is_not_an_email() {
        let envelope = parse_str("nom;prénom;email\nDupont;Anne;anne@example.test\n");
        assert_eq!(envelope.problems, vec![Problem::MessageNotEmail]);
    }

    #[test]
    fn an_encoded_subject_is_decoded_and_the_date_kept_apart() {
        let envelope = parse_str(
            "From: =?utf-8?Q?Ang=C3=A8le_Fictive?= <angele@clinique.example>\r\n\
             Subject: =?utf-8?Q?ASeT-W_=E2=80=94_Convention_d=E2=80=99engagement?=\r\n\
             Date: Tue, 14 Apr 2026 09:30:00 +0200\r\n\
             Message-ID: <abc@clinique.example>\r\n\r\nBonjour\r\n",
        );
        assert_eq!(
            envelope.subject.as_deref(),
            Some("ASeT-W — Convention d’engagement")
        );
        assert_eq!(envelope.from_name.as_deref(), Some("Angèle Fictive"));
        assert_eq!(envelope.message_id.as_deref(), Some("abc@clinique.example"));
        assert_eq!(
            envelope.sent_at,
            Some("2026-04-14T07:30:00Z".parse().expect("instant"))
        );
        assert!(envelope.problems.is_empty());
    }

    #[test]
    fn a_pdf_inside_a_forwarded_message_is_found() {
        let raw = "From: a@example.test\r\nSubject: TR: formulaire\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain\r\n\r\nVoir ci-dessous.\r\n\
--b1\r\nContent-Type: message/rfc822\r\n\r\n\
From: b@example.test\r\nSubject: formulaire\r\nContent-Type: multipart/mixed; boundary=\"b2\"\r\n\r\n\
--b2\r\nContent-Type: text/plain\r\n\r\nCi-joint.\r\n\
--b2\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b2--\r\n\
--b1--\r\n";
        let envelope = parse_str(raw);
        assert_eq!(envelope.attachments.len(), 1);
        let attachment = &envelope.attachments[0];
        assert!(attachment.forwarded);
        assert_eq!(attachment.bytes, b"%PDF-1.4\n");
        assert_eq!(attachment.declared_type, "application/octet-stream");
    }

    #[test]
    fn a_missing_closing_boundary_still_yields_the_parts() {
        let raw = "From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain\r\n\r\nBonjour\r\n\
--b1\r\nContent-Type: application/pdf; name=\"f.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n";
        let envelope = parse_str(raw);
        assert_eq!(envelope.attachments.len(), 1);
        assert_eq!(envelope.attachments[0].filename.as_deref(), Some("f.pdf"));
        assert_eq!(envelope.attachments[0].bytes, b"%PDF-1.4\n");
    }

    #[test]
    fn delivery_reports_and_auto_replies_are_recognised_by_their_headers() {
        let envelope = parse_str(
            "From: MAILER-DAEMON@mx.example.test\r\nReturn-Path: <>\r\nAuto-Submitted: auto-replied\r\n\
             Subject: Undelivered Mail\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
             --r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--r--\r\n",
        );
        assert!(envelope.automation.delivery_report);
        assert!(envelope.automation.null_return_path);
        assert_eq!(
            envelope.automation.auto_submitted.as_deref(),
            Some("auto-replied")
        );
    }

    #[test]
    fn an_oversized_attachment_is_catalogued_but_not_kept() {
        let limits = Limits {
            max_attachment_bytes: 4,
            ..Limits::default()
        };
        let raw = "From: a@example.test\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
--b1\r\nContent-Type: text/plain\r\n\r\nBonjour\r\n\
--b1\r\nContent-Type: application/pdf; name=\"f.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n";
        let envelope = parse(raw.as_bytes(), &limits);
        assert!(envelope.attachments[0].too_large);
        assert!(envelope.attachments[0].bytes.is_empty());
        assert_eq!(envelope.problems, vec![Problem::AttachmentTooLarge]);
    }
}
