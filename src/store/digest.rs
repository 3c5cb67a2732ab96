//! What the coordinators' digest reads: the period's events and what stays open.

use sqlx::{FromRow, SqliteConnection};

/// A member whose confirmation went out in the period.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct NewMember {
    /// Member id.
    pub member_id: i64,
    /// Official name.
    pub organisation: String,
    /// Category code.
    pub category: Option<String>,
    /// Art. 6.2 date.
    pub effective_date: Option<String>,
    /// The confirmation's recipients (JSON arrays).
    pub to_addrs: String,
    /// Its copies.
    pub cc_addrs: String,
    /// JSON array of the member's groups.
    pub working_groups: String,
}

/// Members whose first confirmation was sent in `[since, until)`.
pub async fn new_members(
    conn: &mut SqliteConnection,
    since: &str,
    until: &str,
) -> sqlx::Result<Vec<NewMember>> {
    sqlx::query_as(
        "SELECT m.id AS member_id, m.name AS organisation, m.category, m.effective_date,
             o.to_addrs, o.cc_addrs, m.working_groups
         FROM members m JOIN outbox o ON o.id = m.acknowledgement_id
         WHERE o.sent_at >= ?1 AND o.sent_at < ?2
         ORDER BY o.sent_at",
    )
    .bind(since)
    .bind(until)
    .fetch_all(conn)
    .await
}

/// A member whose form is not duly completed yet.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PendingForm {
    /// Official name (as the form gave it).
    pub organisation: String,
    /// Since when (RFC 3339 UTC): its first form.
    pub since: String,
    /// The problems of its latest form (JSON array).
    pub problems: String,
}

/// Members still pending, oldest first, with their latest form's problems.
pub async fn pending_forms(conn: &mut SqliteConnection) -> sqlx::Result<Vec<PendingForm>> {
    sqlx::query_as(
        "SELECT m.name AS organisation, m.created_at AS since,
             COALESCE(msg.problems, '[]') AS problems
         FROM members m LEFT JOIN messages msg ON msg.id = m.form_message_row_id
         WHERE m.status = 'pending'
         ORDER BY m.created_at",
    )
    .fetch_all(conn)
    .await
}

/// A line of a member's history in the period.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EventInPeriod {
    /// Member id.
    pub member_id: i64,
    /// Official name.
    pub organisation: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// The event.
    pub event: String,
    /// Its JSON detail.
    pub detail: String,
}

/// History lines of kind `event` in `[since, until)`.
pub async fn events(
    conn: &mut SqliteConnection,
    event: &str,
    since: &str,
    until: &str,
) -> sqlx::Result<Vec<EventInPeriod>> {
    sqlx::query_as(
        "SELECT e.member_id, m.name AS organisation, e.at, e.event, e.detail
         FROM member_events e JOIN members m ON m.id = e.member_id
         WHERE e.event = ?1 AND e.at >= ?2 AND e.at < ?3
         ORDER BY e.id",
    )
    .bind(event)
    .bind(since)
    .bind(until)
    .fetch_all(conn)
    .await
}

/// Mail that did not arrive and is not resolved.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Undelivered {
    /// Outbox id.
    pub id: i64,
    /// What it was.
    pub purpose: String,
    /// JSON recipients.
    pub to_addrs: String,
    /// The member's name, when about one.
    pub organisation: Option<String>,
    /// `failed`, or `sent` but returned.
    pub status: String,
    /// The relay's last word.
    pub last_error: Option<String>,
    /// The delivery report that returned it.
    pub bounced_by: Option<i64>,
    /// RFC 3339 UTC.
    pub queued_at: String,
}

/// Mail that failed for good or came back, with no copy sent since.
pub async fn undelivered(conn: &mut SqliteConnection) -> sqlx::Result<Vec<Undelivered>> {
    sqlx::query_as(
        "SELECT o.id, o.purpose, o.to_addrs, m.name AS organisation, o.status, o.last_error,
             o.bounced_by, o.queued_at
         FROM outbox o LEFT JOIN members m ON m.id = o.member_id
         WHERE (o.status = 'failed' OR o.bounced_by IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM outbox c WHERE c.copy_of = o.id AND c.status = 'sent')
         ORDER BY o.id",
    )
    .fetch_all(conn)
    .await
}

/// When the first message ever reached us.
pub async fn first_received_at(conn: &mut SqliteConnection) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT MIN(received_at) FROM messages")
        .fetch_one(conn)
        .await
}
