//! The message log: raw bytes first, decision second, never deleted.

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
}

/// What the log already knows about a mailbox reference.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct KnownRef {
    /// Log row.
    pub id: i64,
    /// `stored` (decision pending) or `decided`.
    pub state: String,
    /// Planned folder, once decided.
    pub settle_folder: Option<String>,
    /// When the original was moved, if it was.
    pub settled_at: Option<String>,
}

/// Looks up `(mailbox, mailbox_ref)`.
pub async fn find_by_ref(
    conn: &mut SqliteConnection,
    mailbox: &str,
    mailbox_ref: &str,
) -> sqlx::Result<Option<KnownRef>> {
    sqlx::query_as(
        "SELECT id, state, settle_folder, settled_at FROM messages
         WHERE mailbox = ?1 AND mailbox_ref = ?2",
    )
    .bind(mailbox)
    .bind(mailbox_ref)
    .fetch_optional(conn)
    .await
}

/// Writes the log row (state `stored`) and the raw bytes; returns the row id.
pub async fn insert_stored(conn: &mut SqliteConnection, new: &NewMessage<'_>) -> sqlx::Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (mailbox, mailbox_ref, received_at, stored_at, size_bytes, state)
         VALUES (?1, ?2, ?3, ?4, ?5, 'stored') RETURNING id",
    )
    .bind(new.mailbox)
    .bind(new.mailbox_ref)
    .bind(new.received_at)
    .bind(new.stored_at)
    .bind(i64::try_from(new.size_bytes).unwrap_or(i64::MAX))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO raw_messages (message_row_id, bytes) VALUES (?1, ?2)")
        .bind(id)
        .bind(new.raw)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The raw bytes of log row `id`.
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
}

/// Rows stored but not decided (a crash between the two transactions).
pub async fn pending(pool: &SqlitePool) -> sqlx::Result<Vec<PendingRow>> {
    sqlx::query_as(
        "SELECT id, mailbox, mailbox_ref, received_at, size_bytes FROM messages
         WHERE state = 'stored' ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// The earliest other row with the same dedupe key, stored before `id`.
pub async fn first_with_dedupe_key(
    conn: &mut SqliteConnection,
    dedupe_key: &str,
    id: i64,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM messages WHERE dedupe_key = ?1 AND id < ?2 ORDER BY id LIMIT 1",
    )
    .bind(dedupe_key)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The decision for a stored row.
#[derive(Debug)]
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
    pub settle_folder: &'a str,
}

/// Completes row `decided.id` with its decision (state `decided`).
pub async fn record_decision(
    conn: &mut SqliteConnection,
    decided: &Decided<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE messages SET state = 'decided', raw_sha256 = ?2, message_id = ?3, dedupe_key = ?4,
             sent_at = ?5, from_addr = ?6, from_name = ?7, subject = ?8, kind = ?9, outcome = ?10,
             problems = ?11, reasons = ?12, organisation = ?13, organisation_key = ?14,
             duplicate_of = ?15, rules_version = ?16, decided_at = ?17, settle_folder = ?18
         WHERE id = ?1 AND state = 'stored'",
    )
    .bind(decided.id)
    .bind(decided.raw_sha256)
    .bind(decided.message_id)
    .bind(decided.dedupe_key)
    .bind(decided.sent_at)
    .bind(decided.from_addr)
    .bind(decided.from_name)
    .bind(decided.subject)
    .bind(decided.kind)
    .bind(decided.outcome)
    .bind(decided.problems_json)
    .bind(decided.reasons_json)
    .bind(decided.organisation)
    .bind(decided.organisation_key)
    .bind(decided.duplicate_of)
    .bind(decided.rules_version)
    .bind(decided.decided_at)
    .bind(decided.settle_folder)
    .execute(conn)
    .await?;
    Ok(())
}

/// One catalogued attachment.
#[derive(Debug)]
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

/// Records one attachment of a message.
pub async fn insert_attachment(
    conn: &mut SqliteConnection,
    new: &NewAttachment<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO attachments (message_row_id, position, filename, declared_type, detected_type,
             size_bytes, sha256, pdf_pages, problem)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(new.message_row_id)
    .bind(new.position)
    .bind(new.filename)
    .bind(new.declared_type)
    .bind(new.detected_type)
    .bind(new.size_bytes)
    .bind(new.sha256)
    .bind(new.pdf_pages)
    .bind(new.problem)
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
pub async fn mark_settled(pool: &SqlitePool, id: i64, settled_at: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE messages SET settled_at = ?2 WHERE id = ?1")
        .bind(id)
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

/// The log, oldest first, filtered.
pub async fn log(pool: &SqlitePool, filter: &LogFilter) -> sqlx::Result<Vec<LogRow>> {
    sqlx::query_as(
        "SELECT m.id, m.message_id, m.received_at, m.sent_at, m.from_addr, m.from_name, m.subject,
                m.kind, m.outcome, m.problems, m.reasons, m.organisation, m.duplicate_of,
                m.rules_version, m.decided_at, m.state,
                (SELECT MIN(o.sent_at) FROM outbox o
                  WHERE o.message_row_id = m.id AND o.purpose = 'acknowledgement'
                    AND o.status = 'sent') AS ack_sent_at
         FROM messages m
         WHERE (?1 IS NULL OR m.received_at >= ?1)
           AND (?2 IS NULL OR m.received_at < ?2)
           AND (?3 IS NULL OR lower(m.from_addr) = lower(?3))
           AND (?4 IS NULL OR m.kind = ?4)
           AND (?5 IS NULL OR instr(m.organisation_key, ?5) > 0)
         ORDER BY m.received_at, m.id",
    )
    .bind(filter.since.as_deref())
    .bind(filter.until.as_deref())
    .bind(filter.from.as_deref())
    .bind(filter.kind.as_deref())
    .bind(filter.organisation_key.as_deref())
    .fetch_all(pool)
    .await
}
