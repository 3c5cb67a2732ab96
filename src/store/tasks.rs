//! Publication tasks (art. 6.3, annex 2): what a coordinator does by hand after a
//! registration or a resignation, open until someone closes it.

use sqlx::{FromRow, SqliteConnection};

/// One task.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct TaskRow {
    /// Task id.
    pub id: i64,
    /// Member id.
    pub member_id: i64,
    /// The member's official name.
    pub organisation: String,
    /// `publish_website`, `send_cdp_access`, `remove_website`, `revoke_cdp_access`,
    /// `remove_from_groups`.
    pub kind: String,
    /// RFC 3339 UTC.
    pub opened_at: String,
    /// The message that opened it.
    pub message_row_id: Option<i64>,
    /// RFC 3339 UTC.
    pub done_at: Option<String>,
    /// Who closed it.
    pub done_by: Option<String>,
    /// Their note.
    pub note: Option<String>,
}

/// Opens a task (an identical open one is kept instead).
pub async fn open(
    conn: &mut SqliteConnection,
    member_id: i64,
    kind: &str,
    at: &str,
    message_row_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO tasks (member_id, kind, opened_at, message_row_id)
         SELECT ?1, ?2, ?3, ?4
         WHERE NOT EXISTS (SELECT 1 FROM tasks WHERE member_id = ?1 AND kind = ?2
                           AND done_at IS NULL)",
    )
    .bind(member_id)
    .bind(kind)
    .bind(at)
    .bind(message_row_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Tasks, oldest first: the open ones only unless `all`.
pub async fn list(conn: &mut SqliteConnection, all: bool) -> sqlx::Result<Vec<TaskRow>> {
    sqlx::query_as(
        "SELECT t.id, t.member_id, m.name AS organisation, t.kind, t.opened_at,
             t.message_row_id, t.done_at, t.done_by, t.note
         FROM tasks t JOIN members m ON m.id = t.member_id
         WHERE ?1 OR t.done_at IS NULL
         ORDER BY t.id",
    )
    .bind(all)
    .fetch_all(conn)
    .await
}

/// One task.
pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<TaskRow>> {
    sqlx::query_as(
        "SELECT t.id, t.member_id, m.name AS organisation, t.kind, t.opened_at,
             t.message_row_id, t.done_at, t.done_by, t.note
         FROM tasks t JOIN members m ON m.id = t.member_id
         WHERE t.id = ?1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Closes task `id`; returns whether it was open.
pub async fn done(
    conn: &mut SqliteConnection,
    id: i64,
    at: &str,
    by: &str,
    note: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE tasks SET done_at = ?2, done_by = ?3, note = ?4
         WHERE id = ?1 AND done_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes the member's open task of `kind`, if any (the same work recorded another way);
/// returns its id.
pub async fn done_kind(
    conn: &mut SqliteConnection,
    member_id: i64,
    kind: &str,
    at: &str,
    by: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "UPDATE tasks SET done_at = ?3, done_by = ?4
         WHERE member_id = ?1 AND kind = ?2 AND done_at IS NULL
         RETURNING id",
    )
    .bind(member_id)
    .bind(kind)
    .bind(at)
    .bind(by)
    .fetch_optional(conn)
    .await
}
