//! Consent (art. 8), the access log (who exported personal data) and the digests sent.

use serde::Serialize;
use sqlx::{FromRow, SqliteConnection};

/// One consent answer.
#[derive(Debug, Clone, FromRow, PartialEq, Eq, Serialize)]
pub struct ConsentRow {
    /// Row id.
    pub id: i64,
    /// Member id.
    pub member_id: i64,
    /// The member's official name.
    pub organisation: String,
    /// `grant` or `refuse`.
    pub decision: String,
    /// What it is about.
    pub scope: String,
    /// The member's message that says so.
    pub evidence_message_id: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// RFC 3339 UTC.
    pub recorded_at: String,
}

/// A consent answer to record.
#[derive(Debug, Clone, Copy)]
pub struct NewConsent<'a> {
    /// Member id.
    pub member_id: i64,
    /// `grant` or `refuse`.
    pub decision: &'a str,
    /// What it is about.
    pub scope: &'a str,
    /// The member's message.
    pub evidence_message_id: &'a str,
    /// Who records it.
    pub recorded_by: &'a str,
    /// Now.
    pub recorded_at: &'a str,
}

/// Records a consent answer (append-only: the latest per scope stands).
pub async fn record_consent(
    conn: &mut SqliteConnection,
    new: &NewConsent<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO consents (member_id, decision, scope, evidence_message_id, recorded_by,
             recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
    )
    .bind(new.member_id)
    .bind(new.decision)
    .bind(new.scope)
    .bind(new.evidence_message_id)
    .bind(new.recorded_by)
    .bind(new.recorded_at)
    .fetch_one(conn)
    .await
}

/// Every consent answer, oldest first; one member's when given.
pub async fn consents(
    conn: &mut SqliteConnection,
    member_id: Option<i64>,
) -> sqlx::Result<Vec<ConsentRow>> {
    sqlx::query_as(
        "SELECT c.id, c.member_id, m.name AS organisation, c.decision, c.scope,
             c.evidence_message_id, c.recorded_by, c.recorded_at
         FROM consents c JOIN members m ON m.id = c.member_id
         WHERE ?1 IS NULL OR c.member_id = ?1
         ORDER BY c.id",
    )
    .bind(member_id)
    .fetch_all(conn)
    .await
}

/// One read or export of the store, for the auditors.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Now.
    pub at: &'a str,
    /// The operator.
    pub by: &'a str,
    /// `members`, `roster`, `signatories`, `digest`…
    pub command: &'a str,
    /// JSON of the options given.
    pub filter: &'a str,
    /// Output format.
    pub format: Option<&'a str>,
    /// Rows given out.
    pub rows: i64,
    /// Whether people's names or addresses were in it.
    pub personal_data: bool,
}

/// Records an access.
pub async fn record_access(conn: &mut SqliteConnection, access: &Access<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO access_log (at, by, command, filter, format, rows, personal_data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(access.at)
    .bind(access.by)
    .bind(access.command)
    .bind(access.filter)
    .bind(access.format)
    .bind(access.rows)
    .bind(access.personal_data)
    .execute(conn)
    .await?;
    Ok(())
}

/// A digest that went out (or was queued).
#[derive(Debug, Clone, Copy)]
pub struct DigestSent<'a> {
    /// Now.
    pub at: &'a str,
    /// The period it covers.
    pub since: &'a str,
    /// Its end.
    pub until: &'a str,
    /// `coordinators` or `gt.<code>`.
    pub audience: &'a str,
    /// The outbox row.
    pub outbox_id: Option<i64>,
    /// Nothing new.
    pub empty: bool,
}

/// Records a digest.
pub async fn record_digest(
    conn: &mut SqliteConnection,
    digest: &DigestSent<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO digests (at, since, until, audience, outbox_id, empty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(digest.at)
    .bind(digest.since)
    .bind(digest.until)
    .bind(digest.audience)
    .bind(digest.outbox_id)
    .bind(digest.empty)
    .execute(conn)
    .await?;
    Ok(())
}

/// Where the previous digest for `audience` ended.
pub async fn last_digest_until(
    conn: &mut SqliteConnection,
    audience: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT MAX(until) FROM digests WHERE audience = ?1")
        .bind(audience)
        .fetch_one(conn)
        .await
}

/// When the latest digest for `audience` was queued.
pub async fn last_digest_at(
    conn: &mut SqliteConnection,
    audience: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT MAX(at) FROM digests WHERE audience = ?1")
        .bind(audience)
        .fetch_one(conn)
        .await
}

/// Whether a message with this Message-ID reached us.
pub async fn message_in_log(conn: &mut SqliteConnection, message_id: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE message_id = ?1)")
        .bind(message_id)
        .fetch_one(conn)
        .await
}
