//! Outbox: mail out, queued in the deciding transaction, delivered afterwards.
//!
//! [`enqueue`] runs inside the pipeline's transaction, so a reply exists exactly when its
//! decision does. [`deliver`] is the only code that sends mail: it claims one due row at
//! a time (counting the attempt *before* trying), hands the composed bytes to the
//! transport, and records when and what went out — the bytes, Message-ID and Date are kept
//! as evidence. After a crash between sending and recording, a row left in `sending` is
//! asked of the transport (`Transport::find_delivered`) before any retry, so nothing is
//! lost and nothing is sent twice.

mod compose;
mod file;
mod smtp;

pub use compose::{compose, Content};
pub use file::FileTransport;
pub use smtp::{SmtpSettings, SmtpTransport};

use std::path::Path;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp, Zoned};

use crate::clock::{self, Clock};
use crate::rules::mail::Rendered;
use crate::rules::Rules;
use crate::store::outbox::{self as rows, NewOutgoing, OutgoingRow, Sent};
use crate::store::{members, messages};
use crate::store::{Store, Tx};
use crate::workflow::Reply;

/// Why a delivery failed; the caller retries one and gives up on the other.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later (4xx, refused connection, timeout, full disk).
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Will never work (5xx, invalid address).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Where outgoing mail goes.
#[derive(Debug)]
pub enum Transport {
    /// `.eml` files in a folder.
    File(FileTransport),
    /// An SMTP relay.
    Smtp(Box<SmtpTransport>),
}

impl Transport {
    async fn send(&self, row: &OutgoingRow, bytes: &[u8]) -> Result<String, SendError> {
        match self {
            Transport::File(file) => file.send(row, bytes).await,
            Transport::Smtp(smtp) => {
                let recipients = recipients(row).map_err(SendError::Permanent)?;
                smtp.send(&row.from_addr, &recipients, bytes).await
            }
        }
    }

    /// Ends what a delivery pass left open.
    async fn close(&self) {
        if let Transport::Smtp(smtp) = self {
            smtp.close().await;
        }
    }

    /// The reference and bytes of `row` if it was delivered before an interruption.
    async fn find_delivered(&self, row: &OutgoingRow) -> Option<(String, Vec<u8>)> {
        match self {
            Transport::File(file) => file.find_delivered(row).await,
            // A relay cannot be asked what it accepted: the row is sent again, with the
            // same Message-ID, so the receiving side can recognise the copy.
            Transport::Smtp(_) => None,
        }
    }
}

/// Every recipient of `row`: To, then Cc.
fn recipients(row: &OutgoingRow) -> Result<Vec<String>, String> {
    let mut all: Vec<String> = serde_json::from_str(&row.to_addrs).map_err(|e| e.to_string())?;
    let cc: Vec<String> = serde_json::from_str(&row.cc_addrs).map_err(|e| e.to_string())?;
    all.extend(cc);
    Ok(all)
}

/// Queues `reply` in the caller's transaction and returns its outbox id.
///
/// The Message-ID is fixed here, in the alliance's domain, so every later attempt sends
/// the same message and a bounce can be matched back to it. A reply with a template
/// context is rendered now as a preview and again when it is composed, with the day it
/// really leaves.
pub async fn enqueue(
    tx: &mut Tx,
    reply: &Reply,
    from: &str,
    message_row_id: Option<i64>,
    rules: &Rules,
    now: Timestamp,
) -> anyhow::Result<i64> {
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, domain)| domain);
    let message_id = format!("{}@{domain}", uuid::Uuid::new_v4());
    let to_json = serde_json::to_string(&reply.to).context("Cannot encode recipients")?;
    let cc_json = serde_json::to_string(&reply.cc).context("Cannot encode copies")?;
    let queued_at = clock::to_storage(now);
    let context_json = reply.context.as_ref().map(serde_json::Value::to_string);
    let preview = reply.context.as_ref().map(|context| {
        render(
            rules,
            &reply.purpose,
            context,
            &now.to_zoned(rules.zone.clone()),
        )
        .unwrap_or_else(|error| {
            tracing::error!(purpose = %reply.purpose, %error, "A mail template fails.");
            Rendered {
                subject: String::new(),
                text: String::new(),
                html: String::new(),
            }
        })
    });
    let (subject, body_text, body_html) = match &preview {
        Some(rendered) => (
            rendered.subject.as_str(),
            rendered.text.as_str(),
            Some(rendered.html.as_str()),
        ),
        None => (
            reply.subject.as_str(),
            reply.body_text.as_str(),
            reply.body_html.as_deref(),
        ),
    };
    let id = rows::enqueue(
        tx,
        &NewOutgoing {
            message_row_id,
            purpose: &reply.purpose,
            message_id: &message_id,
            from_addr: from,
            to_json: &to_json,
            cc_json: &cc_json,
            subject,
            body_text,
            body_html,
            in_reply_to: reply.in_reply_to.as_deref(),
            queued_at: &queued_at,
            context: context_json.as_deref(),
            member_id: reply.member_id,
            copy_of: reply.copy_of,
            requested_by: reply.requested_by.as_deref(),
            forward_original: reply.forward_original,
        },
    )
    .await
    .context("Cannot queue outgoing mail")?;
    Ok(id)
}

/// Renders `purpose` with `context` and what only the moment of sending knows:
/// `sent_date` ("14 avril 2026", the alliance's zone), `sent_at` (UTC, RFC 3339) and the
/// alliance itself.
pub fn render(
    rules: &Rules,
    purpose: &str,
    context: &serde_json::Value,
    now: &Zoned,
) -> anyhow::Result<Rendered> {
    let mut values = match context {
        serde_json::Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    values.insert("sent_date".into(), clock::french_date(now.date()).into());
    values.insert("sent_at".into(), clock::to_storage(now.timestamp()).into());
    values.insert(
        "alliance".into(),
        serde_json::json!({
            "name": rules.alliance.name,
            "short_name": rules.alliance.short_name,
            "address": rules.alliance.address,
        }),
    );
    rules
        .mail
        .render(purpose, &serde_json::Value::Object(values))
        .with_context(|| format!("Template {purpose} fails"))
}

/// What one [`deliver`] pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Delivered now (or found delivered after a crash).
    pub sent: usize,
    /// Put back in the queue after a temporary failure.
    pub retried: usize,
    /// Given up on.
    pub failed: usize,
}

/// Delivers every due row, then returns. Safe to run after a crash, and twice.
///
/// # Errors
/// Only when the store fails; delivery failures are recorded on their rows.
pub async fn deliver(
    store: &Store,
    transport: &Transport,
    rules: &Rules,
    clock: &Clock,
    max_attempts: u32,
) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let claimer = std::process::id().to_string();
    let now = clock.now();
    for row in rows::in_flight(store.pool()).await? {
        if !abandoned(&row, transport, &claimer, now) {
            continue;
        }
        if let Some((delivery_ref, bytes)) = transport.find_delivered(&row).await {
            tracing::info!(outbox_id = row.id, %delivery_ref, "Found delivered after an interruption.");
            // What the member received is dated by its own Date header.
            let sent = date_header(&bytes).unwrap_or_else(|| clock.now());
            let sent = clock.local(sent);
            record_sent(store, &row, &sent, &delivery_ref, &bytes, None).await?;
            report.sent += 1;
        } else {
            let now = clock::to_storage(clock.now());
            rows::mark_retry(store.pool(), row.id, &now, "interrupted before delivery").await?;
        }
    }
    loop {
        let now = clock.now();
        let Some(row) = rows::claim_next(store.pool(), &clock::to_storage(now), &claimer).await?
        else {
            transport.close().await;
            return Ok(report);
        };
        // art. 6.2: an acknowledgement is rendered and dated at the instant it leaves.
        let local = clock.local(now);
        let rendered = match &row.context {
            Some(context) => {
                let context = serde_json::from_str(context).unwrap_or_default();
                match render(rules, &row.purpose, &context, &local) {
                    Ok(rendered) => Some(rendered),
                    Err(error) => {
                        rows::mark_failed(store, row.id, &format!("{error:#}")).await?;
                        report.failed += 1;
                        continue;
                    }
                }
            }
            None => None,
        };
        let content = rendered.as_ref().map_or_else(
            || Content::of_row(&row),
            |rendered| Content {
                subject: &rendered.subject,
                text: &rendered.text,
                html: Some(&rendered.html),
                forwarded: None,
            },
        );
        let original = match row.message_row_id.filter(|_| row.forward_original) {
            Some(id) => Some(messages::raw_bytes(store.pool(), id).await?),
            None => None,
        };
        let content = Content {
            forwarded: original.as_deref(),
            ..content
        };
        let bytes = match compose(&row, content, &local) {
            Ok(message) => message.formatted(),
            Err(error) => {
                rows::mark_failed(store, row.id, &format!("{error:#}")).await?;
                report.failed += 1;
                continue;
            }
        };
        match transport.send(&row, &bytes).await {
            Ok(delivery_ref) => {
                tracing::info!(outbox_id = row.id, purpose = %row.purpose, %delivery_ref, "Delivered.");
                record_sent(
                    store,
                    &row,
                    &local,
                    &delivery_ref,
                    &bytes,
                    rendered.as_ref(),
                )
                .await?;
                report.sent += 1;
            }
            Err(SendError::Transient(error)) if row.attempts < i64::from(max_attempts) => {
                let next = now + backoff(row.attempts);
                tracing::warn!(outbox_id = row.id, %error, "Delivery will be retried.");
                rows::mark_retry(store.pool(), row.id, &clock::to_storage(next), &error).await?;
                report.retried += 1;
            }
            Err(error) => {
                tracing::error!(outbox_id = row.id, %error, "Delivery failed for good.");
                rows::mark_failed(store, row.id, &error.to_string()).await?;
                report.failed += 1;
            }
        }
    }
}

/// Whether a row found in `sending` was abandoned (its sender crashed) rather than being
/// sent right now by another process — a coordinator's command beside the daemon. Files
/// are named after the Message-ID, so writing one twice is harmless: always recovered.
/// Over SMTP: when this process claimed it, when the claiming process is gone, or when
/// the claim is older than any send may take.
fn abandoned(row: &OutgoingRow, transport: &Transport, claimer: &str, now: Timestamp) -> bool {
    if matches!(transport, Transport::File(_)) {
        return true;
    }
    let by = row.claimed_by.as_deref().unwrap_or_default();
    let gone =
        by == claimer || (Path::new("/proc").is_dir() && !Path::new("/proc").join(by).exists());
    let old = row
        .claimed_at
        .as_deref()
        .and_then(clock::from_storage)
        .is_none_or(|at| at < now - SignedDuration::from_mins(15));
    gone || old
}

/// Records what went out, in one transaction: the row's evidence, and for an art. 6.2
/// confirmation the member's effective date — the day of its Date header.
async fn record_sent(
    store: &Store,
    row: &OutgoingRow,
    sent: &Zoned,
    delivery_ref: &str,
    bytes: &[u8],
    rendered: Option<&Rendered>,
) -> anyhow::Result<()> {
    let sent_at = clock::to_storage(sent.timestamp());
    let effective_date = row.sets_effective_date().then(|| sent.date().to_string());
    let mut tx = store.begin().await?;
    rows::mark_sent(
        &mut tx,
        &Sent {
            id: row.id,
            sent_at: &sent_at,
            delivery_ref,
            bytes: Some(bytes),
            subject: rendered.map(|r| r.subject.as_str()),
            body_text: rendered.map(|r| r.text.as_str()),
            body_html: rendered.map(|r| r.html.as_str()),
            effective_date: effective_date.as_deref(),
        },
    )
    .await?;
    if let (Some(date), Some(member_id)) = (&effective_date, row.member_id) {
        if members::activate(&mut tx, member_id, row.id, date, &sent_at).await? {
            let detail = serde_json::json!({
                "effective_date": date,
                "acknowledgement": row.message_id,
            });
            members::record_event(
                &mut tx,
                member_id,
                &sent_at,
                "effective",
                row.message_row_id,
                "mailroom",
                &detail.to_string(),
            )
            .await?;
            tracing::info!(member_id, %date, "Membership effective (art. 6.2).");
        }
    }
    tx.commit().await.context("Cannot record a delivery")?;
    Ok(())
}

/// The instant of a message's Date header.
fn date_header(bytes: &[u8]) -> Option<Timestamp> {
    let message = mail_parser::MessageParser::new().parse_headers(bytes)?;
    let date = message.date()?;
    Timestamp::from_second(date.to_timestamp()).ok()
}

/// 1 min, 2 min, 4 min… capped at one hour.
fn backoff(attempts: i64) -> SignedDuration {
    let exponent = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    SignedDuration::from_secs((60_i64 << exponent).min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_being_sent_by_a_live_process_is_left_alone_over_smtp() {
        let settings = SmtpSettings::new(
            "smtp://127.0.0.1:2525",
            None,
            std::time::Duration::from_secs(5),
        )
        .expect("settings");
        let smtp = Transport::Smtp(Box::new(SmtpTransport::new(&settings).expect("transport")));
        let now: Timestamp = "2026-11-23T09:00:00Z".parse().expect("now");
        let row = |by: &str, at: &str| OutgoingRow {
            claimed_by: Some(by.to_owned()),
            claimed_at: Some(at.to_owned()),
            ..compose::tests::row()
        };
        // Process 1 is always alive: a fresh claim of it is another sender's.
        assert!(!abandoned(
            &row("1", "2026-11-23T08:59:00Z"),
            &smtp,
            "42",
            now
        ));
        assert!(
            abandoned(&row("1", "2026-11-23T08:00:00Z"), &smtp, "42", now),
            "too old"
        );
        assert!(
            abandoned(&row("42", "2026-11-23T08:59:00Z"), &smtp, "42", now),
            "ours"
        );
        assert!(
            abandoned(&row("999999999", "2026-11-23T08:59:00Z"), &smtp, "42", now),
            "gone"
        );
    }

    #[test]
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff(1), SignedDuration::from_secs(60));
        assert_eq!(backoff(2), SignedDuration::from_secs(120));
        assert_eq!(backoff(30), SignedDuration::from_secs(3600));
    }
}
