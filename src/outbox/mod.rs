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

pub use compose::compose;
pub use file::FileTransport;

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};

use crate::clock::{self, Clock};
use crate::store::outbox::{self as rows, NewOutgoing, OutgoingRow};
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

/// Where outgoing mail goes. File now; SMTP comes with [live-mailbox].
#[derive(Debug, Clone)]
pub enum Transport {
    /// `.eml` files in a folder.
    File(FileTransport),
}

impl Transport {
    async fn send(&self, row: &OutgoingRow, bytes: &[u8]) -> Result<String, SendError> {
        match self {
            Transport::File(file) => file.send(row, bytes).await,
        }
    }

    async fn find_delivered(&self, row: &OutgoingRow) -> Option<String> {
        match self {
            Transport::File(file) => file.find_delivered(row),
        }
    }
}

/// Queues `reply` in the caller's transaction and returns its outbox id.
///
/// The Message-ID is fixed here, in the alliance's domain, so every later attempt sends
/// the same message and a bounce can be matched back to it.
pub async fn enqueue(
    tx: &mut Tx,
    reply: &Reply,
    from: &str,
    message_row_id: Option<i64>,
    now: Timestamp,
) -> anyhow::Result<i64> {
    let domain = from
        .rsplit_once('@')
        .map_or("localhost", |(_, domain)| domain);
    let message_id = format!("{}@{domain}", uuid::Uuid::new_v4());
    let to_json = serde_json::to_string(&reply.to).context("Cannot encode recipients")?;
    let cc_json = serde_json::to_string(&reply.cc).context("Cannot encode copies")?;
    let queued_at = clock::to_storage(now);
    let id = rows::enqueue(
        tx,
        &NewOutgoing {
            message_row_id,
            purpose: &reply.purpose,
            message_id: &message_id,
            from_addr: from,
            to_json: &to_json,
            cc_json: &cc_json,
            subject: &reply.subject,
            body_text: &reply.body_text,
            body_html: reply.body_html.as_deref(),
            in_reply_to: reply.in_reply_to.as_deref(),
            queued_at: &queued_at,
        },
    )
    .await
    .context("Cannot queue outgoing mail")?;
    Ok(id)
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
    clock: &Clock,
    max_attempts: u32,
) -> anyhow::Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    for row in rows::in_flight(store.pool()).await? {
        if let Some(delivery_ref) = transport.find_delivered(&row).await {
            tracing::info!(outbox_id = row.id, %delivery_ref, "Found delivered after an interruption.");
            let now = clock::to_storage(clock.now());
            rows::mark_sent(store.pool(), row.id, &now, &delivery_ref, None).await?;
            report.sent += 1;
        } else {
            let now = clock::to_storage(clock.now());
            rows::mark_retry(store.pool(), row.id, &now, "interrupted before delivery").await?;
        }
    }
    loop {
        let now = clock.now();
        let Some(row) = rows::claim_next(store.pool(), &clock::to_storage(now)).await? else {
            return Ok(report);
        };
        // art. 6.2: the Date header of an acknowledgement is the instant it really left.
        let bytes = match compose(&row, now) {
            Ok(message) => message.formatted(),
            Err(error) => {
                rows::mark_failed(store.pool(), row.id, &format!("{error:#}")).await?;
                report.failed += 1;
                continue;
            }
        };
        match transport.send(&row, &bytes).await {
            Ok(delivery_ref) => {
                tracing::info!(outbox_id = row.id, purpose = %row.purpose, %delivery_ref, "Delivered.");
                rows::mark_sent(
                    store.pool(),
                    row.id,
                    &clock::to_storage(now),
                    &delivery_ref,
                    Some(&bytes),
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
                rows::mark_failed(store.pool(), row.id, &error.to_string()).await?;
                report.failed += 1;
            }
        }
    }
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
    fn retries_back_off_up_to_an_hour() {
        assert_eq!(backoff(1), SignedDuration::from_secs(60));
        assert_eq!(backoff(2), SignedDuration::from_secs(120));
        assert_eq!(backoff(30), SignedDuration::from_secs(3600));
    }
}
