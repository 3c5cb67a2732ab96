//! The outbox table: queued in the deciding transaction, claimed, sent, recorded.

use sqlx::{FromRow, SqliteConnection, SqlitePool};

/// A message to queue.
#[derive(Debug)]
pub struct NewOutgoing<'a> {
    /// The message this answers, if any.
    pub message_row_id: Option<i64>,
    /// Template key.
    pub purpose: &'a str,
    /// Our Message-ID, without brackets.
    pub message_id: &'a str,
    /// From address.
    pub from_addr: &'a str,
    /// JSON array of recipients.
    pub to_json: &'a str,
    /// JSON array of copies.
    pub cc_json: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Text body.
    pub body_text: &'a str,
    /// HTML alternative.
    pub body_html: Option<&'a str>,
    /// Message-ID this answers.
    pub in_reply_to: Option<&'a str>,
    /// Now (RFC 3339 UTC); also the first attempt time.
    pub queued_at: &'a str,
}

/// Queues a message; returns its outbox id.
pub async fn enqueue(conn: &mut SqliteConnection, new: &NewOutgoing<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO outbox (message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs,
             subject, body_text, body_html, in_reply_to, references_hdr, status, next_attempt_at,
             queued_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 'queued', ?11, ?11)
         RETURNING id",
    )
    .bind(new.message_row_id)
    .bind(new.purpose)
    .bind(new.message_id)
    .bind(new.from_addr)
    .bind(new.to_json)
    .bind(new.cc_json)
    .bind(new.subject)
    .bind(new.body_text)
    .bind(new.body_html)
    .bind(new.in_reply_to)
    .bind(new.queued_at)
    .fetch_one(conn)
    .await
}

/// One outbox row.
#[derive(Debug, Clone, FromRow)]
pub struct OutgoingRow {
    /// Outbox id.
    pub id: i64,
    /// The message this answers.
    pub message_row_id: Option<i64>,
    /// Template key.
    pub purpose: String,
    /// Our Message-ID.
    pub message_id: String,
    /// From address.
    pub from_addr: String,
    /// JSON array.
    pub to_addrs: String,
    /// JSON array.
    pub cc_addrs: String,
    /// Subject.
    pub subject: String,
    /// Text body.
    pub body_text: String,
    /// HTML alternative.
    pub body_html: Option<String>,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References.
    pub references_hdr: Option<String>,
    /// queued / sending / sent / failed.
    pub status: String,
    /// Attempts so far, counting the current one.
    pub attempts: i64,
    /// Last error.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// Transport reference (file name…).
    pub delivery_ref: Option<String>,
}

/// Claims the oldest due row: status `sending`, attempts + 1 *before* trying, so a row
/// that crashes the sender every time still runs out of attempts.
pub async fn claim_next(pool: &SqlitePool, now: &str) -> sqlx::Result<Option<OutgoingRow>> {
    sqlx::query_as(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1
         WHERE id = (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at, id LIMIT 1)
         RETURNING id, message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs,
                   subject, body_text, body_html, in_reply_to, references_hdr, status, attempts,
                   last_error, sent_at, delivery_ref",
    )
    .bind(now)
    .fetch_optional(pool)
    .await
}

/// Rows a crash left in `sending`: delivered or not, the transport must tell.
pub async fn in_flight(pool: &SqlitePool) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(
        "SELECT id, message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs,
                subject, body_text, body_html, in_reply_to, references_hdr, status, attempts,
                last_error, sent_at, delivery_ref
         FROM outbox WHERE status = 'sending' ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// Every row, oldest first (for tests and `outbox` listings).
pub async fn all(pool: &SqlitePool) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(
        "SELECT id, message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs,
                subject, body_text, body_html, in_reply_to, references_hdr, status, attempts,
                last_error, sent_at, delivery_ref
         FROM outbox ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// Records a delivery: when, where, and the exact bytes that went out.
pub async fn mark_sent(
    pool: &SqlitePool,
    id: i64,
    sent_at: &str,
    delivery_ref: &str,
    bytes: Option<&[u8]>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, delivery_ref = ?3,
             sent_bytes = COALESCE(?4, sent_bytes), last_error = NULL
         WHERE id = ?1",
    )
    .bind(id)
    .bind(sent_at)
    .bind(delivery_ref)
    .bind(bytes)
    .execute(pool)
    .await?;
    Ok(())
}

/// Puts a row back in the queue after a temporary failure.
pub async fn mark_retry(
    pool: &SqlitePool,
    id: i64,
    next_attempt_at: &str,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'queued', next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives up on a row: permanent failure or attempts exhausted.
pub async fn mark_failed(pool: &SqlitePool, id: i64, error: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE outbox SET status = 'failed', last_error = ?2 WHERE id = ?1")
        .bind(id)
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}
