//! The members table and its history.
//!
//! People and working groups are JSON columns: they are read and written whole, as the
//! form carries them, and the history (`member_events`) keeps every earlier value.

use sqlx::{FromRow, SqliteConnection};

/// The columns of [`MemberRow`].
macro_rules! member_columns {
    () => {
        "id, name, name_key, category, status, effective_date, acknowledgement_id,
         resigned_date, address, legal_representative, contact_point, working_groups,
         form_sha256, form_message_row_id, sender_domain, created_at, updated_at,
         EXISTS (SELECT 1 FROM outbox AS o WHERE o.member_id = members.id
                 AND o.purpose = 'acknowledgement' AND o.copy_of IS NULL
                 AND o.status IN ('queued', 'sending')) AS confirmation_on_its_way"
    };
}

/// One member.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MemberRow {
    /// Member id.
    pub id: i64,
    /// Official name as written in the form.
    pub name: String,
    /// Normalised name.
    pub name_key: String,
    /// `hospital`, `elderly_care`, `ecosystem`.
    pub category: Option<String>,
    /// `pending`, `active`, `resigned`.
    pub status: String,
    /// Art. 6.2 effective date, `YYYY-MM-DD`.
    pub effective_date: Option<String>,
    /// The outbox row of the confirmation that set it.
    pub acknowledgement_id: Option<i64>,
    /// Art. 6.3 date, `YYYY-MM-DD`.
    pub resigned_date: Option<String>,
    /// Registered address.
    pub address: Option<String>,
    /// JSON person.
    pub legal_representative: String,
    /// JSON person or `null`.
    pub contact_point: String,
    /// JSON array of working group choices.
    pub working_groups: String,
    /// SHA-256 of the form's content.
    pub form_sha256: Option<String>,
    /// The message the form came in.
    pub form_message_row_id: Option<i64>,
    /// The domain the membership was sent from.
    pub sender_domain: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// An art. 6.2 confirmation is queued or being sent (computed, not stored): the form
    /// was duly completed and the member becomes `active` when it is delivered.
    pub confirmation_on_its_way: bool,
}

/// A member's columns as a form (or an import) gives them.
#[derive(Debug, Clone, Default)]
pub struct MemberValues {
    /// Official name.
    pub name: String,
    /// Normalised name.
    pub name_key: String,
    /// Category code.
    pub category: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// JSON person.
    pub legal_representative: String,
    /// JSON person or `null`.
    pub contact_point: String,
    /// JSON array.
    pub working_groups: String,
    /// JSON form record.
    pub form: Option<String>,
    /// SHA-256 of the form's content.
    pub form_sha256: Option<String>,
    /// The message the form came in.
    pub form_message_row_id: Option<i64>,
    /// The domain the membership was sent from.
    pub sender_domain: Option<String>,
}

/// Every member, oldest first (a few hundred at most: matching reads them all).
pub async fn all(conn: &mut SqliteConnection) -> sqlx::Result<Vec<MemberRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        member_columns!(),
        " FROM members ORDER BY id"
    ))
    .fetch_all(conn)
    .await
}

/// One member by id.
pub async fn get(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<MemberRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        member_columns!(),
        " FROM members WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Adds a member in `status`; returns its id.
pub async fn insert(
    conn: &mut SqliteConnection,
    values: &MemberValues,
    status: &str,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO members (name, name_key, category, status, address, legal_representative,
             contact_point, working_groups, form, form_sha256, form_message_row_id,
             sender_domain, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
         RETURNING id",
    )
    .bind(&values.name)
    .bind(&values.name_key)
    .bind(&values.category)
    .bind(status)
    .bind(&values.address)
    .bind(&values.legal_representative)
    .bind(&values.contact_point)
    .bind(&values.working_groups)
    .bind(&values.form)
    .bind(&values.form_sha256)
    .bind(values.form_message_row_id)
    .bind(&values.sender_domain)
    .bind(now)
    .fetch_one(conn)
    .await
}

/// Replaces a pending member's form values (a resubmission) and sets its status; the
/// name stays.
pub async fn update_from_form(
    conn: &mut SqliteConnection,
    id: i64,
    values: &MemberValues,
    status: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET category = ?2, address = ?3, legal_representative = ?4,
             contact_point = ?5, working_groups = ?6, form = ?7, form_sha256 = ?8,
             form_message_row_id = ?9, sender_domain = COALESCE(?10, sender_domain),
             updated_at = ?11, status = ?12
         WHERE id = ?1",
    )
    .bind(id)
    .bind(&values.category)
    .bind(&values.address)
    .bind(&values.legal_representative)
    .bind(&values.contact_point)
    .bind(&values.working_groups)
    .bind(&values.form)
    .bind(&values.form_sha256)
    .bind(values.form_message_row_id)
    .bind(&values.sender_domain)
    .bind(now)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the contact point (JSON person).
pub async fn set_contact_point(
    conn: &mut SqliteConnection,
    id: i64,
    contact_json: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET contact_point = ?2, updated_at = ?3 WHERE id = ?1")
        .bind(id)
        .bind(contact_json)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the working groups (JSON array).
pub async fn set_working_groups(
    conn: &mut SqliteConnection,
    id: i64,
    groups_json: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE members SET working_groups = ?2, updated_at = ?3 WHERE id = ?1")
        .bind(id)
        .bind(groups_json)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Art. 6.3: resigned on `date`.
pub async fn resign(
    conn: &mut SqliteConnection,
    id: i64,
    date: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE members SET status = 'resigned', resigned_date = ?2, updated_at = ?3 WHERE id = ?1",
    )
    .bind(id)
    .bind(date)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Art. 6.2: the confirmation `outbox_id` went out on `date`, the membership's
/// effective date: a `pending` member becomes `active` in this very transaction (issue
/// [doubt]: never active before its confirmation has left). Only the first confirmation
/// counts; returns whether this one did.
pub async fn activate(
    conn: &mut SqliteConnection,
    id: i64,
    outbox_id: i64,
    date: &str,
    now: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE members SET effective_date = ?3, acknowledgement_id = ?2, updated_at = ?4,
             status = CASE status WHEN 'pending' THEN 'active' ELSE status END
         WHERE id = ?1 AND effective_date IS NULL",
    )
    .bind(id)
    .bind(outbox_id)
    .bind(date)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Imports a member as it already was (signed before mailroom).
pub async fn insert_imported(
    conn: &mut SqliteConnection,
    values: &MemberValues,
    status: &str,
    effective_date: Option<&str>,
    resigned_date: Option<&str>,
    now: &str,
) -> sqlx::Result<i64> {
    let id = insert(conn, values, status, now).await?;
    sqlx::query("UPDATE members SET effective_date = ?2, resigned_date = ?3 WHERE id = ?1")
        .bind(id)
        .bind(effective_date)
        .bind(resigned_date)
        .execute(conn)
        .await?;
    Ok(id)
}

/// One line of a member's history.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MemberEvent {
    /// Event id.
    pub id: i64,
    /// Member id.
    pub member_id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// What happened.
    pub event: String,
    /// The message it came from.
    pub message_row_id: Option<i64>,
    /// `mailroom` or a coordinator.
    pub by: String,
    /// JSON.
    pub detail: String,
}

/// Appends to a member's history.
pub async fn record_event(
    conn: &mut SqliteConnection,
    member_id: i64,
    at: &str,
    event: &str,
    message_row_id: Option<i64>,
    by: &str,
    detail_json: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO member_events (member_id, at, event, message_row_id, by, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(member_id)
    .bind(at)
    .bind(event)
    .bind(message_row_id)
    .bind(by)
    .bind(detail_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// A member's history, oldest first.
pub async fn events(conn: &mut SqliteConnection, member_id: i64) -> sqlx::Result<Vec<MemberEvent>> {
    sqlx::query_as(
        "SELECT id, member_id, at, event, message_row_id, by, detail FROM member_events
         WHERE member_id = ?1 ORDER BY id",
    )
    .bind(member_id)
    .fetch_all(conn)
    .await
}

/// Links a message to the member it was about, and keeps the form read from it.
pub async fn link_message(
    conn: &mut SqliteConnection,
    message_row_id: i64,
    member_id: Option<i64>,
    form_json: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE messages SET member_id = COALESCE(?2, member_id), form = COALESCE(?3, form),
             form_sha256 = COALESCE(?4, form_sha256)
         WHERE id = ?1",
    )
    .bind(message_row_id)
    .bind(member_id)
    .bind(form_json)
    .bind(form_json.map(|form| super::journal::sha256_hex(form.as_bytes())))
    .execute(conn)
    .await?;
    Ok(())
}

/// The form a member's record was made from (JSON), if any.
pub async fn form_json(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT form FROM members WHERE id = ?1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map(Option::flatten)
}
