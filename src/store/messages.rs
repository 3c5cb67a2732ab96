//! The message log: raw bytes first, decision second, never deleted.

use std::collections::HashMap;

use sqlx::{FromRow, SqliteConnection, SqlitePool};

/// A message as it reaches us, before anything is known about it.
#[derive(Debug)]
pub struct NewMessage<'a> {
    /// `maildir:<path>`, `files`…
    pub mailbox: &'a str,
    /// Its identity in that mailbox.
    pub mailbox_ref: &'a str,
    /// When our side received it (RFC 3339 UTC).
    pub received_at: &'a str,
    /// Now (RFC 3339 UTC).
    pub stored_at: &'a str,
    /// Size of the message in the mailbox (may exceed `raw` when over the size limit).
    pub size_bytes: u64,
    /// The raw bytes, exactly as received (empty when over the size limit).
    pub raw: &'a [u8],
    /// `junk`, `quiet`, or `None` for ordinary mail.
    pub arrival: Option<&'a str>,
}

/// What the log already knows about a mailbox reference.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct KnownRef {
    /// Its mailbox.
    pub mailbox: String,
    /// Its reference there.
    pub mailbox_ref: String,
    /// Log row.
    pub id: i64,
    /// `stored` (decision pending) or `decided`.
    pub state: String,
    /// Planned folder, once decided.
    pub settle_folder: Option<String>,
}

/// Looks up many `(mailbox, mailbox_ref)` pairs in one query.
pub async fn find_by_refs(
    conn: &mut SqliteConnection,
    refs: &[(&str, &str)],
) -> sqlx::Result<HashMap<(String, String), KnownRef>> {
    let json = serde_json::to_string(refs).unwrap_or_else(|_| "[]".to_owned());
    let rows: Vec<KnownRef> = sqlx::query_as(
        "SELECT m.mailbox, m.mailbox_ref, m.id, m.state, m.settle_folder
         FROM json_each(?1) AS wanted
         JOIN messages AS m ON m.mailbox = wanted.value ->> 0
                           AND m.mailbox_ref = wanted.value ->> 1",
    )
    .bind(json)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ((row.mailbox.clone(), row.mailbox_ref.clone()), row))
        .collect())
}

/// Writes the log rows (state `stored`) and raw bytes of a batch; returns the row ids in
/// the order of `new`.
pub async fn insert_stored(
    conn: &mut SqliteConnection,
    new: &[NewMessage<'_>],
) -> sqlx::Result<Vec<i64>> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<serde_json::Value> = new
        .iter()
        .map(|m| {
            serde_json::json!([
                m.mailbox,
                m.mailbox_ref,
                m.received_at,
                m.stored_at,
                m.size_bytes,
                m.arrival
            ])
        })
        .collect();
    let json = serde_json::Value::Array(rows).to_string();
    let inserted: Vec<(i64, String, String)> = sqlx::query_as(
        "INSERT INTO messages (mailbox, mailbox_ref, received_at, stored_at, size_bytes, state,
             arrival)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, 'stored',
             value ->> 5
         FROM json_each(?1) ORDER BY key
         RETURNING id, mailbox, mailbox_ref",
    )
    .bind(json)
    .fetch_all(&mut *conn)
    .await?;
    let ids: HashMap<(String, String), i64> = inserted
        .into_iter()
        .map(|(id, mailbox, mailbox_ref)| ((mailbox, mailbox_ref), id))
        .collect();
    let mut result = Vec::with_capacity(new.len());
    for message in new {
        let key = (message.mailbox.to_owned(), message.mailbox_ref.to_owned());
        let id = *ids.get(&key).ok_or(sqlx::Error::RowNotFound)?;
        // Content-addressed: the blob carries its SHA-256 from the first commit on.
        sqlx::query("INSERT INTO raw_messages (message_row_id, bytes, sha256) VALUES (?1, ?2, ?3)")
            .bind(id)
            .bind(message.raw)
            .bind(super::journal::sha256_hex(message.raw))
            .execute(&mut *conn)
            .await?;
        result.push(id);
    }
    Ok(result)
}

/// The size of message `id` as received (its raw copy is empty when it was too large).
pub async fn size_bytes(pool: &SqlitePool, id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT size_bytes FROM messages WHERE id = ?1")
        .bind(id)
        .fetch_one(pool)
        .await
}

/// The raw bytes of message `id`.
pub async fn raw_bytes(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<u8>> {
    sqlx::query_scalar("SELECT bytes FROM raw_messages WHERE message_row_id = ?1")
        .bind(id)
        .fetch_one(pool)
        .await
}

/// A row left in state `stored` by an interrupted run.
#[derive(Debug, Clone, FromRow)]
pub struct PendingRow {
    /// Log row.
    pub id: i64,
    /// Its mailbox.
    pub mailbox: String,
    /// Its reference there.
    pub mailbox_ref: String,
    /// When it was received.
    pub received_at: String,
    /// Size in the mailbox.
    pub size_bytes: i64,
    /// `junk`, `quiet`, or `None`.
    pub arrival: Option<String>,
}

/// Rows stored but not decided (a crash between the two transactions).
pub async fn pending(pool: &SqlitePool) -> sqlx::Result<Vec<PendingRow>> {
    sqlx::query_as(
        "SELECT id, mailbox, mailbox_ref, received_at, size_bytes, arrival FROM messages
         WHERE state = 'stored' ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// For each dedupe key, the earliest decided row that carries it (one query per batch).
pub async fn first_ids_by_dedupe_key(
    conn: &mut SqliteConnection,
    keys: &[String],
) -> sqlx::Result<HashMap<String, i64>> {
    let json = serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_owned());
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT dedupe_key, MIN(id) FROM messages
         WHERE state = 'decided' AND dedupe_key IN (SELECT value FROM json_each(?1))
         GROUP BY dedupe_key",
    )
    .bind(json)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The decision for a stored row.
#[derive(Debug, serde::Serialize)]
pub struct Decided<'a> {
    /// Log row.
    pub id: i64,
    /// SHA-256 of the raw bytes, hex.
    pub raw_sha256: &'a str,
    /// Message-ID header.
    pub message_id: Option<&'a str>,
    /// `mid:<Message-ID>` or `sha256:<hex>`.
    pub dedupe_key: &'a str,
    /// The sender's Date header (RFC 3339 UTC).
    pub sent_at: Option<&'a str>,
    /// From address.
    pub from_addr: Option<&'a str>,
    /// From name.
    pub from_name: Option<&'a str>,
    /// Decoded subject.
    pub subject: Option<&'a str>,
    /// Kind name.
    pub kind: &'a str,
    /// Outcome name.
    pub outcome: &'a str,
    /// JSON array of problem codes.
    pub problems_json: &'a str,
    /// JSON array of reason sentences.
    pub reasons_json: &'a str,
    /// Organisation as written.
    pub organisation: Option<&'a str>,
    /// Organisation normalised.
    pub organisation_key: Option<&'a str>,
    /// Earlier row this duplicates.
    pub duplicate_of: Option<i64>,
    /// Version of rules/ the decision was made under.
    pub rules_version: &'a str,
    /// Now.
    pub decided_at: &'a str,
    /// Folder the original goes to.
    pub settle_folder: Option<&'a str>,
}

/// Completes a batch of stored rows with their decisions (state `decided`), in one
/// statement.
pub async fn record_decisions(
    conn: &mut SqliteConnection,
    decided: &[Decided<'_>],
) -> sqlx::Result<()> {
    if decided.is_empty() {
        return Ok(());
    }
    let json =
        serde_json::to_string(decided).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    sqlx::query(
        "UPDATE messages SET state = 'decided',
             raw_sha256 = d.v ->> 'raw_sha256', message_id = d.v ->> 'message_id',
             dedupe_key = d.v ->> 'dedupe_key', sent_at = d.v ->> 'sent_at',
             from_addr = d.v ->> 'from_addr', from_name = d.v ->> 'from_name',
             subject = d.v ->> 'subject', kind = d.v ->> 'kind',
             outcome = d.v ->> 'outcome', problems = d.v ->> 'problems_json',
             reasons = d.v ->> 'reasons_json', organisation = d.v ->> 'organisation',
             organisation_key = d.v ->> 'organisation_key',
             duplicate_of = d.v ->> 'duplicate_of', rules_version = d.v ->> 'rules_version',
             decided_at = d.v ->> 'decided_at', settle_folder = d.v ->> 'settle_folder'
         FROM (SELECT value ->> 'id' AS id, value AS v FROM json_each(?1)) AS d
         WHERE messages.id = d.id AND messages.state = 'stored'",
    )
    .bind(json)
    .execute(conn)
    .await?;
    Ok(())
}

/// One catalogued attachment.
#[derive(Debug, serde::Serialize)]
pub struct NewAttachment<'a> {
    /// Log row of the message.
    pub message_row_id: i64,
    /// Order in the MIME tree.
    pub position: i64,
    /// Name given by the sender.
    pub filename: Option<&'a str>,
    /// Content-Type as labelled.
    pub declared_type: &'a str,
    /// Type by bytes.
    pub detected_type: &'a str,
    /// Decoded size.
    pub size_bytes: i64,
    /// SHA-256 of the decoded bytes, hex.
    pub sha256: &'a str,
    /// Pages, for a PDF that opened.
    pub pdf_pages: Option<i64>,
    /// Problem code, if it could not be read.
    pub problem: Option<&'a str>,
}

/// Records the attachments of a batch, in one statement.
pub async fn insert_attachments(
    conn: &mut SqliteConnection,
    new: &[NewAttachment<'_>],
) -> sqlx::Result<()> {
    if new.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(new).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    sqlx::query(
        "INSERT INTO attachments (message_row_id, position, filename, declared_type, detected_type,
             size_bytes, sha256, pdf_pages, problem)
         SELECT value ->> 'message_row_id', value ->> 'position', value ->> 'filename',
                value ->> 'declared_type', value ->> 'detected_type', value ->> 'size_bytes',
                value ->> 'sha256', value ->> 'pdf_pages', value ->> 'problem'
         FROM json_each(?1)",
    )
    .bind(json)
    .execute(conn)
    .await?;
    Ok(())
}

/// A catalogued attachment, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AttachmentRow {
    /// Order in the MIME tree.
    pub position: i64,
    /// Name given by the sender.
    pub filename: Option<String>,
    /// Content-Type as labelled.
    pub declared_type: Option<String>,
    /// Type by bytes.
    pub detected_type: String,
    /// Decoded size.
    pub size_bytes: i64,
    /// SHA-256 of the decoded bytes, hex.
    pub sha256: String,
    /// Pages, for a PDF that opened.
    pub pdf_pages: Option<i64>,
    /// Problem code.
    pub problem: Option<String>,
}

/// The attachments of log row `id`, in MIME order.
pub async fn attachments(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<AttachmentRow>> {
    sqlx::query_as(
        "SELECT position, filename, declared_type, detected_type, size_bytes, sha256, pdf_pages,
                problem
         FROM attachments WHERE message_row_id = ?1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// Records that the original of row `id` was moved to its folder.
/// Records that messages `ids` were moved, in one statement (one commit for a batch).
pub async fn mark_settled_many(
    pool: &SqlitePool,
    ids: &[i64],
    settled_at: &str,
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
    sqlx::query(
        "UPDATE messages SET settled_at = ?2 WHERE id IN (SELECT value FROM json_each(?1))",
    )
    .bind(json)
    .bind(settled_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Filters of `mailroom log`; `None` means no filter.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    /// received_at ≥ this (RFC 3339 UTC).
    pub since: Option<String>,
    /// received_at < this (RFC 3339 UTC).
    pub until: Option<String>,
    /// From address, case-insensitive, exact.
    pub from: Option<String>,
    /// Kind name.
    pub kind: Option<String>,
    /// Substring of the normalised organisation key.
    pub organisation_key: Option<String>,
    /// Message-ID header, with or without its angle brackets.
    pub message_id: Option<String>,
    /// Outcome name.
    pub outcome: Option<String>,
}

/// One line of the message log as auditors read it.
#[derive(Debug, Clone, FromRow)]
pub struct LogRow {
    /// Log row.
    pub id: i64,
    /// Message-ID header.
    pub message_id: Option<String>,
    /// When our side received it.
    pub received_at: String,
    /// The sender's Date header.
    pub sent_at: Option<String>,
    /// From address.
    pub from_addr: Option<String>,
    /// From name.
    pub from_name: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Kind (`None` while undecided).
    pub kind: Option<String>,
    /// Outcome (`None` while undecided).
    pub outcome: Option<String>,
    /// JSON array of problem codes.
    pub problems: String,
    /// JSON array of reason sentences.
    pub reasons: String,
    /// Organisation as written.
    pub organisation: Option<String>,
    /// Earlier row this duplicates.
    pub duplicate_of: Option<i64>,
    /// Rules version of the decision.
    pub rules_version: Option<String>,
    /// When the decision was recorded.
    pub decided_at: Option<String>,
    /// When the acknowledgement of this message was sent, if one was.
    pub ack_sent_at: Option<String>,
    /// `stored` or `decided`.
    pub state: String,
}

/// The columns of [`LogRow`], over `messages m`.
macro_rules! log_columns {
    () => {
        "m.id, m.message_id, m.received_at, m.sent_at, m.from_addr, m.from_name, m.subject,
         m.kind, m.outcome, m.problems, m.reasons, m.organisation, m.duplicate_of,
         m.rules_version, m.decided_at, m.state,
         (SELECT MIN(o.sent_at) FROM outbox o
           WHERE o.message_row_id = m.id AND o.purpose = 'acknowledgement'
             AND o.status = 'sent') AS ack_sent_at"
    };
}

/// One message of the log.
pub async fn log_row(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<LogRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        log_columns!(),
        " FROM messages m WHERE m.id = ?1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Outcomes that wait for a coordinator until one decides.
pub const REVIEWABLE: [&str; 3] = ["held_for_review", "unreadable", "ineligible"];

/// Messages waiting for a coordinator, oldest first: held, unreadable or ineligible, with
/// no review decision yet.
pub async fn awaiting_review(pool: &SqlitePool) -> sqlx::Result<Vec<LogRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        log_columns!(),
        " FROM messages m
         WHERE m.state = 'decided'
           AND m.outcome IN ('held_for_review', 'unreadable', 'ineligible')
           AND NOT EXISTS (SELECT 1 FROM review_actions r WHERE r.message_row_id = m.id)
         ORDER BY m.id"
    ))
    .fetch_all(pool)
    .await
}

/// A coordinator's decision on a held message.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReviewAction {
    /// `approve` or `reject`.
    pub action: String,
    /// Who.
    pub by: String,
    /// Why.
    pub note: Option<String>,
    /// JSON options.
    pub options: String,
    /// The outcome the approval led to.
    pub result: Option<String>,
    /// When (RFC 3339 UTC).
    pub at: String,
}

/// The review decision on message `id`, if any.
pub async fn review_action(
    conn: &mut SqliteConnection,
    id: i64,
) -> sqlx::Result<Option<ReviewAction>> {
    sqlx::query_as(
        "SELECT action, by, note, options, result, at FROM review_actions WHERE message_row_id = ?1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// Records a review decision (one per message: a second fails on the unique index).
pub async fn record_review(
    conn: &mut SqliteConnection,
    id: i64,
    action: &ReviewAction,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO review_actions (message_row_id, action, by, note, options, result, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(id)
    .bind(&action.action)
    .bind(&action.by)
    .bind(&action.note)
    .bind(&action.options)
    .bind(&action.result)
    .bind(&action.at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The log, oldest first, filtered.
pub async fn log(pool: &SqlitePool, filter: &LogFilter) -> sqlx::Result<Vec<LogRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        log_columns!(),
        " FROM messages m
         WHERE (?1 IS NULL OR m.received_at >= ?1)
           AND (?2 IS NULL OR m.received_at < ?2)
           AND (?3 IS NULL OR lower(m.from_addr) = lower(?3))
           AND (?4 IS NULL OR m.kind = ?4)
           AND (?5 IS NULL OR instr(m.organisation_key, ?5) > 0)
           AND (?6 IS NULL OR m.message_id = trim(?6, '<> '))
           AND (?7 IS NULL OR m.outcome = ?7)
         ORDER BY m.received_at, m.id"
    ))
    .bind(filter.since.as_deref())
    .bind(filter.until.as_deref())
    .bind(filter.from.as_deref())
    .bind(filter.kind.as_deref())
    .bind(filter.organisation_key.as_deref())
    .bind(filter.message_id.as_deref())
    .bind(filter.outcome.as_deref())
    .fetch_all(pool)
    .await
}

/// A membership mail handled before mailroom, recorded as decided so that a re-delivered
/// copy (same Message-ID) is a duplicate. Its raw bytes were never seen: none are kept.
pub async fn insert_imported(
    conn: &mut SqliteConnection,
    message_id: &str,
    organisation: &str,
    member_id: i64,
    reasons_json: &str,
    now: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO messages (mailbox, mailbox_ref, received_at, stored_at, size_bytes, state,
             message_id, dedupe_key, kind, outcome, organisation, member_id, decided_at,
             reasons)
         VALUES ('import', 'import:' || ?1, ?4, ?4, 0, 'decided', ?1, 'mid:' || ?1,
             'convention', 'registered', ?2, ?3, ?4,
             ?5)
         RETURNING id",
    )
    .bind(message_id)
    .bind(organisation)
    .bind(member_id)
    .bind(now)
    .bind(reasons_json)
    .fetch_one(conn)
    .await
}

/// The form read from message `id` (JSON), if one was.
pub async fn form_json(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT form FROM messages WHERE id = ?1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map(Option::flatten)
}

/// The raw bytes of message `id`, `None` when there are none (erased by retention, or an
/// imported row).
pub async fn raw_bytes_if_kept(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT bytes FROM raw_messages WHERE message_row_id = ?1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The log rows carrying Message-ID `message_id` (with or without angle brackets).
pub async fn ids_by_message_id(pool: &SqlitePool, message_id: &str) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM messages WHERE message_id = trim(?1, '<> ') ORDER BY id")
        .bind(message_id)
        .fetch_all(pool)
        .await
}

/// The SHA-256 the decision recorded for message `id`'s raw bytes.
pub async fn recorded_raw_sha256(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT raw_sha256 FROM messages WHERE id = ?1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map(Option::flatten)
}
