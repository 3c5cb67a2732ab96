//! An outbox row → a lettre `Message`: threading headers, RFC 3834 marks, text and HTML.

use anyhow::Context;
use jiff::Zoned;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::store::outbox::OutgoingRow;

const DATE: HeaderName = HeaderName::new_from_ascii_str("Date");
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const AUTO_RESPONSE_SUPPRESS: HeaderName =
    HeaderName::new_from_ascii_str("X-Auto-Response-Suppress");

/// What a message says: subject, text and HTML alternative.
#[derive(Debug, Clone, Copy)]
pub struct Content<'a> {
    /// Subject.
    pub subject: &'a str,
    /// Plain text.
    pub text: &'a str,
    /// HTML alternative.
    pub html: Option<&'a str>,
}

impl<'a> Content<'a> {
    /// What the row itself holds.
    pub fn of_row(row: &'a OutgoingRow) -> Content<'a> {
        Content {
            subject: &row.subject,
            text: &row.body_text,
            html: row.body_html.as_deref(),
        }
    }
}

/// Builds the message for `row` saying `content`, dated `now` in the alliance's zone: the
/// Date header carries the same calendar day as the effective date it may state.
///
/// # Errors
/// An address in the row does not parse.
pub fn compose(row: &OutgoingRow, content: Content<'_>, now: &Zoned) -> anyhow::Result<Message> {
    let from: Mailbox = row.from_addr.parse().context("Invalid From address")?;
    let date = jiff::fmt::rfc2822::to_string(now).context("Cannot write the Date header")?;
    let mut builder = Message::builder()
        .from(from)
        .subject(without_controls(content.subject))
        .message_id(Some(format!("<{}>", row.message_id)))
        // RFC 3834: we answer automatically, and ask Exchange not to answer us back.
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-replied".to_owned()))
        .raw_header(HeaderValue::new(AUTO_RESPONSE_SUPPRESS, "All".to_owned()));
    for to in addresses(&row.to_addrs)? {
        builder = builder.to(to);
    }
    for cc in addresses(&row.cc_addrs)? {
        builder = builder.cc(cc);
    }
    if let Some(parent) = &row.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if let Some(references) = row.references_hdr.as_deref().or(row.in_reply_to.as_deref()) {
        let list: Vec<String> = references
            .split_whitespace()
            .map(|id| format!("<{}>", id.trim_matches(['<', '>'])))
            .collect();
        builder = builder.references(list.join(" "));
    }
    let message = match content.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            content.text.to_owned(),
            html.to_owned(),
        )),
        None => builder.singlepart(SinglePart::plain(content.text.to_owned())),
    };
    let mut message = message.context("Cannot build the message")?;
    // lettre writes its Date in UTC (and reads a Date header back only in that form):
    // the alliance's local time replaces it once the message is built.
    message
        .headers_mut()
        .insert_raw(HeaderValue::new(DATE, date));
    Ok(message)
}

fn addresses(json: &str) -> anyhow::Result<Vec<Mailbox>> {
    let list: Vec<String> = serde_json::from_str(json).context("Invalid recipient list")?;
    list.iter()
        .map(|address| {
            address
                .parse()
                .with_context(|| format!("Invalid address {address:?}"))
        })
        .collect()
}

/// Header values never carry CR, LF or other controls, whatever a member typed.
fn without_controls(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A plain outbox row, for this module's tests and the outbox's.
    pub(in crate::outbox) fn row() -> OutgoingRow {
        OutgoingRow {
            id: 1,
            message_row_id: Some(3),
            purpose: "acknowledgement".to_owned(),
            message_id: "abc@spw.wallonie.be".to_owned(),
            from_addr: "alliancesante.durable@spw.wallonie.be".to_owned(),
            to_addrs: r#"["anne.exemple@clinique.example"]"#.to_owned(),
            cc_addrs: "[]".to_owned(),
            subject: "ASeT-W — accusé de réception\r\nBcc: evil@attacker.test".to_owned(),
            body_text: "Bonjour,\n\nNous avons bien reçu votre formulaire.\n".to_owned(),
            body_html: None,
            in_reply_to: Some("member-1@clinique.example".to_owned()),
            references_hdr: None,
            status: "sending".to_owned(),
            attempts: 1,
            last_error: None,
            queued_at: "2026-11-23T13:00:00Z".to_owned(),
            sent_at: None,
            delivery_ref: None,
            context: None,
            member_id: None,
            effective_date: None,
            copy_of: None,
            requested_by: None,
            claimed_at: None,
            claimed_by: None,
        }
    }

    #[test]
    fn a_reply_is_threaded_marked_automatic_and_dated_when_it_leaves() {
        let now: Zoned = "2026-11-23T23:30:00+00:00[UTC]"
            .parse::<Zoned>()
            .expect("instant")
            .in_tz("Europe/Brussels")
            .expect("zone");
        let row = row();
        let bytes = compose(&row, Content::of_row(&row), &now)
            .expect("composes")
            .formatted();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Message-ID: <abc@spw.wallonie.be>"), "{text}");
        assert!(
            text.contains("In-Reply-To: <member-1@clinique.example>"),
            "{text}"
        );
        assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
        assert!(
            // 23:30 UTC is already the next day in Brussels: so is the Date header.
            text.contains("Date: Tue, 24 Nov 2026 00:30:00 +0100"),
            "{text}"
        );
        assert!(!text.contains("\r\nBcc:"), "no header injection: {text}");
    }
}
