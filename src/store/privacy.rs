//! Personal data (GDPR arts. 15, 16 and 5.1.e): what is stored about a person, its
//! rectification, and the retention of raw messages with tombstones.

use serde::Serialize;
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::journal::{outgoing_columns, sha256_hex, OutgoingHeaders};
use super::Store;

/// The outgoing mail addressed to `email` (To or Cc), headers only.
pub async fn outgoing_to(pool: &SqlitePool, email: &str) -> sqlx::Result<Vec<OutgoingHeaders>> {
    sqlx::query_as(concat!(
        "SELECT ",
        outgoing_columns!(),
        " FROM outbox
         WHERE EXISTS (SELECT 1 FROM json_each(to_addrs) WHERE lower(value) = lower(?1))
            OR EXISTS (SELECT 1 FROM json_each(cc_addrs) WHERE lower(value) = lower(?1))
         ORDER BY id"
    ))
    .bind(email)
    .fetch_all(pool)
    .await
}

/// The member events whose detail mentions `email` (what changed, before and after).
pub async fn events_mentioning(
    pool: &SqlitePool,
    email: &str,
) -> sqlx::Result<Vec<super::members::MemberEvent>> {
    sqlx::query_as(
        "SELECT id, member_id, at, event, message_row_id, by, detail FROM member_events
         WHERE instr(lower(detail), lower(?1)) > 0 ORDER BY id",
    )
    .bind(email)
    .fetch_all(pool)
    .await
}

/// A working-group request whose delegate has a given address.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DelegateRequest {
    /// Request id.
    pub id: i64,
    /// Member id.
    pub member_id: i64,
    /// Group code.
    pub code: String,
    /// Its state.
    pub state: String,
    /// JSON person.
    pub delegate: String,
    /// When it was asked for.
    pub requested_at: String,
}

/// The working-group requests where `email` is the delegate.
pub async fn requests_delegated_to(
    conn: &mut SqliteConnection,
    email: &str,
) -> sqlx::Result<Vec<DelegateRequest>> {
    sqlx::query_as(
        "SELECT id, member_id, code, state, delegate, requested_at FROM group_requests
         WHERE lower(delegate ->> 'email') = lower(?1) ORDER BY id",
    )
    .bind(email)
    .fetch_all(conn)
    .await
}

/// Replaces a member's people (a rectification, GDPR art. 16): the JSON columns whole.
pub async fn rectify_member_people(
    conn: &mut SqliteConnection,
    member_id: i64,
    legal_representative: &str,
    contact_point: &str,
    working_groups: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET legal_representative = ?2, contact_point = ?3, working_groups = ?4,
             updated_at = ?5
         WHERE id = ?1",
    )
    .bind(member_id)
    .bind(legal_representative)
    .bind(contact_point)
    .bind(working_groups)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the delegate of a working-group request (a rectification).
pub async fn rectify_delegate(
    conn: &mut SqliteConnection,
    request_id: i64,
    delegate: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE group_requests SET delegate = ?2, updated_at = ?3 WHERE id = ?1")
        .bind(request_id)
        .bind(delegate)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The retention period in force, as the data-protection officer set it.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Policy {
    /// Days after a resignation; `None`: retention is off.
    pub days: Option<i64>,
    /// Who set it.
    pub set_by: String,
    /// When (RFC 3339 UTC).
    pub set_at: String,
    /// Why.
    pub reason: Option<String>,
}

/// The retention policy in force; `None` when none was ever set (off).
pub async fn policy(pool: &SqlitePool) -> sqlx::Result<Option<Policy>> {
    sqlx::query_as(
        "SELECT days, set_by, set_at, reason FROM retention_policy ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}

/// Records a new retention policy (`days: None` turns it off).
pub async fn set_policy(store: &Store, policy: &Policy) -> sqlx::Result<()> {
    let mut tx = store.begin().await?;
    sqlx::query(
        "INSERT INTO retention_policy (days, set_by, set_at, reason) VALUES (?1, ?2, ?3, ?4)",
    )
    .bind(policy.days)
    .bind(&policy.set_by)
    .bind(&policy.set_at)
    .bind(&policy.reason)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Erases the raw bytes of the messages of members resigned more than the policy's days
/// before `today` (`YYYY-MM-DD`, Europe/Brussels), each behind a tombstone carrying its
/// hash; returns the message rows erased. Does nothing while retention is off.
///
/// Only `raw_messages` blobs go: the log row and decision trail, the attachments'
/// hashes, the form read (with its digital-signature data) and every outgoing message —
/// acknowledgements' bytes, Message-ID and Date, the Région's evidence of the effective
/// date — stay. Idempotent.
///
/// # Errors
/// The store fails.
pub async fn erase_due(store: &Store, today: &str, now: &str, by: &str) -> sqlx::Result<Vec<i64>> {
    let Some(Policy {
        days: Some(days), ..
    }) = policy(store.pool()).await?
    else {
        return Ok(Vec::new());
    };
    let due: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.id, mb.resigned_date FROM members mb
         JOIN messages m ON m.member_id = mb.id AND m.state = 'decided'
         JOIN raw_messages r ON r.message_row_id = m.id
         WHERE mb.status = 'resigned' AND mb.resigned_date IS NOT NULL
           AND mb.resigned_date < date(?1, printf('-%d days', ?2))
         ORDER BY m.id",
    )
    .bind(today)
    .bind(days)
    .fetch_all(store.pool())
    .await?;
    let mut erased = Vec::with_capacity(due.len());
    for (id, resigned_date) in due {
        let mut tx = store.begin().await?;
        let bytes: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM raw_messages WHERE message_row_id = ?1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(bytes) = bytes else {
            continue;
        };
        let reason = format!("retention: {days} days after the resignation of {resigned_date}");
        sqlx::query(
            "INSERT INTO raw_tombstones (message_row_id, sha256, size_bytes, erased_at, reason, by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(id)
        .bind(sha256_hex(&bytes))
        .bind(bytes.len() as i64)
        .bind(now)
        .bind(&reason)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM raw_messages WHERE message_row_id = ?1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        erased.push(id);
    }
    Ok(erased)
}

/// The daemon's housekeeping after each pass: apply retention (each write seals its own
/// journal entries). Never
/// fails the daemon: a failure is logged and retried at the next pass.
pub async fn upkeep(store: &Store, now: &str, today: &str) {
    match erase_due(store, today, now, "mailroom").await {
        Ok(erased) if !erased.is_empty() => {
            tracing::info!(count = erased.len(), "Raw messages erased by retention.");
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "Retention could not run; retried next pass."),
    }
}
