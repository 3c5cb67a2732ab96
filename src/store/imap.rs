//! Where the IMAP watcher stands in each folder: UIDVALIDITY and the last UID handled.

use sqlx::SqliteConnection;

/// A folder's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The folder's UIDVALIDITY when `last_uid` was recorded.
    pub uid_validity: u32,
    /// The highest UID handled (committed and moved).
    pub last_uid: u32,
}

/// The recorded position in `folder`, if any.
pub async fn position(conn: &mut SqliteConnection, folder: &str) -> sqlx::Result<Option<Position>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT uid_validity, last_uid FROM imap_state WHERE folder = ?1")
            .bind(folder)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(validity, last)| Position {
        uid_validity: u32::try_from(validity).unwrap_or(0),
        last_uid: u32::try_from(last).unwrap_or(0),
    }))
}

/// When mailroom first read `folder` (RFC 3339 UTC), if it has.
pub async fn started_at(conn: &mut SqliteConnection, folder: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT started_at FROM imap_state WHERE folder = ?1")
        .bind(folder)
        .fetch_optional(conn)
        .await
}

/// Records the position in `folder` (the first time, also when it started).
pub async fn set_position(
    conn: &mut SqliteConnection,
    folder: &str,
    position: Position,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO imap_state (folder, uid_validity, last_uid, started_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (folder) DO UPDATE SET uid_validity = ?2, last_uid = ?3, updated_at = ?4",
    )
    .bind(folder)
    .bind(i64::from(position.uid_validity))
    .bind(i64::from(position.last_uid))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one more failure for a message; returns how many it has had.
pub async fn record_failure(
    conn: &mut SqliteConnection,
    folder: &str,
    uid_validity: u32,
    uid: u32,
    error: &str,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO imap_failures (folder, uid_validity, uid, failures, last_error, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?5)
         ON CONFLICT (folder, uid_validity, uid)
         DO UPDATE SET failures = failures + 1, last_error = ?4, updated_at = ?5
         RETURNING failures",
    )
    .bind(folder)
    .bind(i64::from(uid_validity))
    .bind(i64::from(uid))
    .bind(error)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// The failures recorded for `uids` of `folder` (absent: none).
pub async fn failures(
    conn: &mut SqliteConnection,
    folder: &str,
    uid_validity: u32,
    uids: &[u32],
) -> sqlx::Result<std::collections::HashMap<u32, i64>> {
    let json = serde_json::to_string(uids).unwrap_or_else(|_| "[]".to_owned());
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT uid, failures FROM imap_failures
         WHERE folder = ?1 AND uid_validity = ?2 AND uid IN (SELECT value FROM json_each(?3))",
    )
    .bind(folder)
    .bind(i64::from(uid_validity))
    .bind(json)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(uid, failures)| u32::try_from(uid).ok().map(|uid| (uid, failures)))
        .collect())
}

/// Forgets the failures of a message that finally came through.
pub async fn clear_failure(
    conn: &mut SqliteConnection,
    folder: &str,
    uid_validity: u32,
    uid: u32,
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM imap_failures WHERE folder = ?1 AND uid_validity = ?2 AND uid = ?3")
        .bind(folder)
        .bind(i64::from(uid_validity))
        .bind(i64::from(uid))
        .execute(conn)
        .await?;
    Ok(())
}
