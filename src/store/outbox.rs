//! The outbox table: queued in the deciding transaction, claimed, sent, recorded.

use sqlx::{FromRow, SqliteConnection, SqlitePool};

/// The columns of [`OutgoingRow`], for every query that reads one.
macro_rules! row_columns {
    () => {
        "id, message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs, subject,
         body_text, body_html, in_reply_to, references_hdr, status, attempts, last_error,
         queued_at, sent_at, delivery_ref, context, member_id, effective_date, copy_of,
         requested_by, claimed_at, claimed_by, forward_original"
    };
}

/// A message to queue.
#[derive(Debug, Default)]
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
    /// Subject (for rows rendered when composed: what it would say now).
    pub subject: &'a str,
    /// Text body (likewise).
    pub body_text: &'a str,
    /// HTML alternative.
    pub body_html: Option<&'a str>,
    /// Message-ID this answers.
    pub in_reply_to: Option<&'a str>,
    /// Now (RFC 3339 UTC); also the first attempt time.
    pub queued_at: &'a str,
    /// JSON values of the template, rendered again when the message is composed.
    pub context: Option<&'a str>,
    /// The member it is about.
    pub member_id: Option<i64>,
    /// The earlier row this is a marked copy of.
    pub copy_of: Option<i64>,
    /// The coordinator who asked for it.
    pub requested_by: Option<&'a str>,
    /// Attach the message of `message_row_id` (a forward).
    pub forward_original: bool,
}

/// Queues a message; returns its outbox id.
pub async fn enqueue(conn: &mut SqliteConnection, new: &NewOutgoing<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO outbox (message_row_id, purpose, message_id, from_addr, to_addrs, cc_addrs,
             subject, body_text, body_html, in_reply_to, references_hdr, status, next_attempt_at,
             queued_at, context, member_id, copy_of, requested_by, forward_original)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 'queued', ?11, ?11, ?12, ?13, ?14,
             ?15, ?16)
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
    .bind(new.context)
    .bind(new.member_id)
    .bind(new.copy_of)
    .bind(new.requested_by)
    .bind(new.forward_original)
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
    /// When it was queued.
    pub queued_at: String,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// Transport reference (file name…).
    pub delivery_ref: Option<String>,
    /// Template values, when it is rendered at composition.
    pub context: Option<String>,
    /// The member it is about.
    pub member_id: Option<i64>,
    /// For an art. 6.2 confirmation: the effective date it stated.
    pub effective_date: Option<String>,
    /// The row this is a copy of.
    pub copy_of: Option<i64>,
    /// The coordinator who asked for it.
    pub requested_by: Option<String>,
    /// When the current (or last) attempt claimed it.
    pub claimed_at: Option<String>,
    /// Which process claimed it.
    pub claimed_by: Option<String>,
    /// A forward: the message of `message_row_id` goes along as an attachment.
    pub forward_original: bool,
}

impl OutgoingRow {
    /// The art. 6.2 confirmation of a membership (not a re-sent copy): the day it goes
    /// out is the membership's effective date.
    pub fn sets_effective_date(&self) -> bool {
        self.purpose == "acknowledgement" && self.copy_of.is_none()
    }
}

/// Claims the oldest due row: status `sending`, attempts + 1 *before* trying, so a row
/// that crashes the sender every time still runs out of attempts.
pub async fn claim_next(
    pool: &SqlitePool,
    now: &str,
    claimer: &str,
) -> sqlx::Result<Option<OutgoingRow>> {
    sqlx::query_as(concat!(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_at = ?1,
             claimed_by = ?2
         WHERE id = (SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
                     ORDER BY next_attempt_at, id LIMIT 1)
         RETURNING ",
        row_columns!()
    ))
    .bind(now)
    .bind(claimer)
    .fetch_optional(pool)
    .await
}

/// Rows left in `sending`: a crash, or another process sending them right now.
pub async fn in_flight(pool: &SqlitePool) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        row_columns!(),
        " FROM outbox WHERE status = 'sending' ORDER BY id"
    ))
    .fetch_all(pool)
    .await
}

/// Every row, oldest first (for tests and `outbox` listings).
pub async fn all(pool: &SqlitePool) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        row_columns!(),
        " FROM outbox ORDER BY id"
    ))
    .fetch_all(pool)
    .await
}

/// One row by id.
pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<OutgoingRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        row_columns!(),
        " FROM outbox WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The rows that answer message `message_row_id`.
pub async fn for_message(
    conn: &mut SqliteConnection,
    message_row_id: i64,
) -> sqlx::Result<Vec<OutgoingRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        row_columns!(),
        " FROM outbox WHERE message_row_id = ?1 ORDER BY id"
    ))
    .bind(message_row_id)
    .fetch_all(conn)
    .await
}

/// How many messages went (or will go) to `address` since `since`: the last guard
/// against mail loops.
pub async fn count_to_since(
    conn: &mut SqliteConnection,
    address: &str,
    since: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox
         WHERE queued_at >= ?2
           AND (EXISTS (SELECT 1 FROM json_each(to_addrs) WHERE lower(value) = lower(?1))
             OR EXISTS (SELECT 1 FROM json_each(cc_addrs) WHERE lower(value) = lower(?1)))",
    )
    .bind(address)
    .bind(since)
    .fetch_one(conn)
    .await
}

/// What went out, as recorded.
#[derive(Debug)]
pub struct Sent<'a> {
    /// Outbox id.
    pub id: i64,
    /// When (RFC 3339 UTC): the Date header's instant.
    pub sent_at: &'a str,
    /// Transport reference.
    pub delivery_ref: &'a str,
    /// The exact bytes, when known.
    pub bytes: Option<&'a [u8]>,
    /// What the rendered message said, when it was rendered now.
    pub subject: Option<&'a str>,
    /// Likewise.
    pub body_text: Option<&'a str>,
    /// Likewise.
    pub body_html: Option<&'a str>,
    /// For an art. 6.2 confirmation: the day it stated (Europe/Brussels).
    pub effective_date: Option<&'a str>,
}

/// Records a delivery: when, where, the exact bytes and words that went out.
pub async fn mark_sent(conn: &mut SqliteConnection, sent: &Sent<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = ?2, delivery_ref = ?3,
             sent_bytes = COALESCE(?4, sent_bytes), subject = COALESCE(?5, subject),
             body_text = COALESCE(?6, body_text), body_html = COALESCE(?7, body_html),
             effective_date = COALESCE(?8, effective_date), last_error = NULL
         WHERE id = ?1",
    )
    .bind(sent.id)
    .bind(sent.sent_at)
    .bind(sent.delivery_ref)
    .bind(sent.bytes)
    .bind(sent.subject)
    .bind(sent.body_text)
    .bind(sent.body_html)
    .bind(sent.effective_date)
    .execute(conn)
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
pub async fn mark_failed(store: &super::Store, id: i64, error: &str) -> sqlx::Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query("UPDATE outbox SET status = 'failed', last_error = ?2 WHERE id = ?1")
        .bind(id)
        .bind(error)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Our messages among `message_ids` (without brackets), with the report that returned
/// them recorded: returns their outbox ids.
pub async fn mark_bounced(
    conn: &mut SqliteConnection,
    message_ids: &[String],
    report_row_id: i64,
) -> sqlx::Result<Vec<i64>> {
    let json = serde_json::to_string(message_ids).unwrap_or_else(|_| "[]".to_owned());
    sqlx::query_scalar(
        "UPDATE outbox SET bounced_by = ?2
         WHERE message_id IN (SELECT value FROM json_each(?1))
         RETURNING id",
    )
    .bind(json)
    .bind(report_row_id)
    .fetch_all(conn)
    .await
}
