//! An outbox row → a lettre `Message`: threading headers, RFC 3834 marks, text and HTML.

use std::time::SystemTime;

use anyhow::Context;
use jiff::Timestamp;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::store::outbox::OutgoingRow;

const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");
const AUTO_RESPONSE_SUPPRESS: HeaderName =
    HeaderName::new_from_ascii_str("X-Auto-Response-Suppress");

/// Builds the message for `row`, dated `now`.
///
/// # Errors
/// An address in the row does not parse.
pub fn compose(row: &OutgoingRow, now: Timestamp) -> anyhow::Result<Message> {
    let from: Mailbox = row.from_addr.parse().context("Invalid From address")?;
    let mut builder = Message::builder()
        .from(from)
        .subject(without_controls(&row.subject))
        .message_id(Some(format!("<{}>", row.message_id)))
        .date(SystemTime::from(now))
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
        builder = builder
            .in_reply_to(format!("<{parent}>"))
            .references(format!("<{parent}>"));
    }
    let message = match &row.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(row.body_text.clone())),
    };
    message.context("Cannot build the message")
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
mod tests {
    use super::*;

    fn row() -> OutgoingRow {
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
            sent_at: None,
            delivery_ref: None,
        }
    }

    #[test]
    fn a_reply_is_threaded_marked_automatic_and_dated_when_it_leaves() {
        let now: Timestamp = "2026-11-23T13:05:00Z".parse().expect("instant");
        let bytes = compose(&row(), now).expect("composes").formatted();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("Message-ID: <abc@spw.wallonie.be>"), "{text}");
        assert!(
            text.contains("In-Reply-To: <member-1@clinique.example>"),
            "{text}"
        );
        assert!(text.contains("Auto-Submitted: auto-replied"), "{text}");
        assert!(
            text.contains("Date: Mon, 23 Nov 2026 13:05:00 +0000"),
            "{text}"
        );
        assert!(!text.contains("\r\nBcc:"), "no header injection: {text}");
    }
}
