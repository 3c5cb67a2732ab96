//! Working-group requests and the Région's decisions on them; Communauté de Pratiques
//! access. The history of each change is a `member_events` row written by the caller.

use sqlx::{FromRow, SqliteConnection};

/// The columns of [`GroupRequestRow`]: the request, its member, and the notice's sending.
macro_rules! request_columns {
    () => {
        "r.id, r.member_id, m.name AS organisation, m.category, m.status AS member_status,
         m.effective_date, r.code, r.state, r.delegate, r.requested_at, r.late, r.clock_start,
         r.decided_at, r.decided_by, r.note, r.applies_on, r.notice_id,
         o.sent_at AS notified_at, r.rules_version, r.updated_at"
    };
}

/// One member's request for one group, as it stands.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct GroupRequestRow {
    /// Request id.
    pub id: i64,
    /// Member id.
    pub member_id: i64,
    /// The member's official name.
    pub organisation: String,
    /// The member's category.
    pub category: Option<String>,
    /// The member's status.
    pub member_status: String,
    /// The member's effective date.
    pub effective_date: Option<String>,
    /// Group code.
    pub code: String,
    /// `requested`, `assigned`, `waitlisted`, `refused`, `withdrawn`.
    pub state: String,
    /// JSON person.
    pub delegate: String,
    /// RFC 3339 UTC.
    pub requested_at: String,
    /// Asked for after the first session.
    pub late: bool,
    /// The form's 6.1 signature date, where the one-month clock starts.
    pub clock_start: Option<String>,
    /// RFC 3339 UTC.
    pub decided_at: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Their note.
    pub note: Option<String>,
    /// The day a notified withdrawal applies.
    pub applies_on: Option<String>,
    /// The outbox row of the notice.
    pub notice_id: Option<i64>,
    /// When the notice went out.
    pub notified_at: Option<String>,
    /// The rules version of the last change.
    pub rules_version: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// A request to record.
#[derive(Debug, Clone, Copy)]
pub struct NewRequest<'a> {
    /// Member id.
    pub member_id: i64,
    /// Group code.
    pub code: &'a str,
    /// JSON person.
    pub delegate: &'a str,
    /// Now.
    pub requested_at: &'a str,
    /// After the first session.
    pub late: bool,
    /// The form's signature date.
    pub clock_start: Option<&'a str>,
    /// Rules version.
    pub rules_version: &'a str,
}

/// Records a request; a member already holding a row for the group keeps it (its
/// history is the Région's). Returns whether a new request was recorded.
pub async fn insert_request(
    conn: &mut SqliteConnection,
    new: &NewRequest<'_>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_requests (member_id, code, state, delegate, requested_at, late,
             clock_start, rules_version, updated_at)
         VALUES (?1, ?2, 'requested', ?3, ?4, ?5, ?6, ?7, ?4)
         ON CONFLICT (member_id, code) DO NOTHING",
    )
    .bind(new.member_id)
    .bind(new.code)
    .bind(new.delegate)
    .bind(new.requested_at)
    .bind(new.late)
    .bind(new.clock_start)
    .bind(new.rules_version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Every request, by group then organisation; only `code`'s when given.
pub async fn list(
    conn: &mut SqliteConnection,
    code: Option<&str>,
) -> sqlx::Result<Vec<GroupRequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM group_requests r JOIN members m ON m.id = r.member_id
          LEFT JOIN outbox o ON o.id = r.notice_id
          WHERE ?1 IS NULL OR r.code = ?1
          ORDER BY r.code, m.name_key"
    ))
    .bind(code)
    .fetch_all(conn)
    .await
}

/// One member's request for one group.
pub async fn get(
    conn: &mut SqliteConnection,
    member_id: i64,
    code: &str,
) -> sqlx::Result<Option<GroupRequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM group_requests r JOIN members m ON m.id = r.member_id
          LEFT JOIN outbox o ON o.id = r.notice_id
          WHERE r.member_id = ?1 AND r.code = ?2"
    ))
    .bind(member_id)
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// A member's requests, every group.
pub async fn of_member(
    conn: &mut SqliteConnection,
    member_id: i64,
) -> sqlx::Result<Vec<GroupRequestRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        request_columns!(),
        " FROM group_requests r JOIN members m ON m.id = r.member_id
          LEFT JOIN outbox o ON o.id = r.notice_id
          WHERE r.member_id = ?1 ORDER BY r.code"
    ))
    .bind(member_id)
    .fetch_all(conn)
    .await
}

/// A decision on a request.
#[derive(Debug, Clone, Copy)]
pub struct DecisionValues<'a> {
    /// The new state.
    pub state: &'a str,
    /// Now.
    pub at: &'a str,
    /// Who decided.
    pub by: &'a str,
    /// Their note.
    pub note: Option<&'a str>,
    /// For a notified withdrawal: the day it applies.
    pub applies_on: Option<&'a str>,
    /// The notice.
    pub notice_id: Option<i64>,
    /// Rules version.
    pub rules_version: &'a str,
}

/// Records a decision on request `id`.
pub async fn decide(
    conn: &mut SqliteConnection,
    id: i64,
    decision: &DecisionValues<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE group_requests SET state = ?2, decided_at = ?3, decided_by = ?4, note = ?5,
             applies_on = ?6, notice_id = ?7, rules_version = ?8, updated_at = ?3
         WHERE id = ?1",
    )
    .bind(id)
    .bind(decision.state)
    .bind(decision.at)
    .bind(decision.by)
    .bind(decision.note)
    .bind(decision.applies_on)
    .bind(decision.notice_id)
    .bind(decision.rules_version)
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts the row a coordinator decides on for a group the member never asked for.
pub async fn insert_for_decision(
    conn: &mut SqliteConnection,
    new: &NewRequest<'_>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO group_requests (member_id, code, state, delegate, requested_at, late,
             clock_start, rules_version, updated_at)
         VALUES (?1, ?2, 'requested', ?3, ?4, ?5, ?6, ?7, ?4)
         RETURNING id",
    )
    .bind(new.member_id)
    .bind(new.code)
    .bind(new.delegate)
    .bind(new.requested_at)
    .bind(new.late)
    .bind(new.clock_start)
    .bind(new.rules_version)
    .fetch_one(conn)
    .await
}

/// The member's own withdrawal (a resignation, or leaving one group): every open request
/// or seat among `codes` (all when `None`) is withdrawn at once. Returns the codes left,
/// each with the state it was in.
pub async fn withdraw_now(
    conn: &mut SqliteConnection,
    member_id: i64,
    codes: Option<&[&str]>,
    at: &str,
    note: &str,
    rules_version: &str,
) -> sqlx::Result<Vec<(String, String)>> {
    let codes_json = codes.map(|codes| serde_json::json!(codes).to_string());
    // The state before the update: SQLite's RETURNING sees the new row, so read first.
    let before: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, state FROM group_requests
         WHERE member_id = ?1
           AND (state IN ('requested', 'assigned', 'waitlisted')
                OR (state = 'withdrawn' AND applies_on IS NOT NULL))
           AND (?2 IS NULL OR code IN (SELECT value FROM json_each(?2)))
         ORDER BY code",
    )
    .bind(member_id)
    .bind(&codes_json)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE group_requests SET state = 'withdrawn', decided_at = ?3, decided_by = 'mailroom',
             note = ?4, applies_on = NULL, rules_version = ?5, updated_at = ?3
         WHERE member_id = ?1
           AND (state IN ('requested', 'assigned', 'waitlisted')
                OR (state = 'withdrawn' AND applies_on IS NOT NULL))
           AND (?2 IS NULL OR code IN (SELECT value FROM json_each(?2)))",
    )
    .bind(member_id)
    .bind(&codes_json)
    .bind(at)
    .bind(note)
    .bind(rules_version)
    .execute(conn)
    .await?;
    Ok(before)
}

/// Communauté de Pratiques access for one member.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CdpRow {
    /// Member id.
    pub member_id: i64,
    /// The member's official name.
    pub organisation: String,
    /// Its category.
    pub category: Option<String>,
    /// Its status.
    pub member_status: String,
    /// Its effective date.
    pub effective_date: Option<String>,
    /// When the access became due (registration).
    pub opened_at: String,
    /// The form's 6.1 signature date.
    pub clock_start: Option<String>,
    /// When a coordinator said it was sent.
    pub sent_at: Option<String>,
    /// Who.
    pub sent_by: Option<String>,
    /// When it was revoked (resignation).
    pub revoked_at: Option<String>,
}

/// Opens the access task at registration (kept if already open).
pub async fn open_cdp(
    conn: &mut SqliteConnection,
    member_id: i64,
    at: &str,
    clock_start: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO cdp_access (member_id, opened_at, clock_start) VALUES (?1, ?2, ?3)
         ON CONFLICT (member_id) DO NOTHING",
    )
    .bind(member_id)
    .bind(at)
    .bind(clock_start)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records that the access was sent; returns whether there was an open task to close.
pub async fn cdp_sent(
    conn: &mut SqliteConnection,
    member_id: i64,
    at: &str,
    by: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE cdp_access SET sent_at = ?2, sent_by = ?3
         WHERE member_id = ?1 AND sent_at IS NULL AND revoked_at IS NULL",
    )
    .bind(member_id)
    .bind(at)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The member resigned: its access is to be revoked.
pub async fn revoke_cdp(conn: &mut SqliteConnection, member_id: i64, at: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE cdp_access SET revoked_at = ?2 WHERE member_id = ?1 AND revoked_at IS NULL",
    )
    .bind(member_id)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every access row, by organisation.
pub async fn cdp_list(conn: &mut SqliteConnection) -> sqlx::Result<Vec<CdpRow>> {
    sqlx::query_as(
        "SELECT c.member_id, m.name AS organisation, m.category, m.status AS member_status,
             m.effective_date, c.opened_at, c.clock_start, c.sent_at, c.sent_by, c.revoked_at
         FROM cdp_access c JOIN members m ON m.id = c.member_id
         ORDER BY m.name_key",
    )
    .fetch_all(conn)
    .await
}
