//! The auditors' journal: a hash chain over everything written to the tables auditors ask
//! about, the content-addressed raw archive, and personal data (export, rectification,
//! retention with tombstones) — the store side of issue [digest-audit].
//!
//! Entries are appended by SQLite triggers (migration 0006), so every write path of the
//! program is journaled without knowing it; SQLite has no SHA-256, so [`seal`] computes
//! the chain afterwards, in `seq` order, in its own `BEGIN IMMEDIATE` transaction. An
//! entry's hash covers the previous hash, its instant, entity, id, payload and the hash of
//! the bytes it is about ([`entry_hash`]), not its `seq`: the order is the chain's, and a
//! renumbered, moved or missing entry shows as a broken link. [`verify`] recomputes the
//! chain, compares each table with its latest entry, and rehashes the raw archive and the
//! bytes sent. Sealing is idempotent and may run from several processes: each seal reads
//! the head inside its transaction.

use std::collections::HashMap;

use futures::TryStreamExt;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, FromRow, SqliteConnection, SqlitePool};

use super::Store;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Entries sealed per transaction, so a long backlog never holds the writer lock for long.
const SEAL_CHUNK: i64 = 4000;

/// Every journaled table: entity name, table, id column. The view `journal_of_<table>`
/// gives each row's payload.
const JOURNALED: [(&str, &str, &str); 15] = [
    ("message", "messages", "id"),
    ("raw", "raw_messages", "message_row_id"),
    ("attachment", "attachments", "id"),
    ("member", "members", "id"),
    ("member_event", "member_events", "id"),
    ("review", "review_actions", "id"),
    ("outgoing", "outbox", "id"),
    ("group_request", "group_requests", "id"),
    ("cdp_access", "cdp_access", "member_id"),
    ("task", "tasks", "id"),
    ("consent", "consents", "id"),
    ("access", "access_log", "id"),
    ("digest", "digests", "id"),
    ("tombstone", "raw_tombstones", "message_row_id"),
    ("retention", "retention_policy", "id"),
];

/// SHA-256 (hex) of an entry: the previous hash and the entry's content, as a JSON array
/// of strings, so that no two different contents can produce the same input.
pub fn entry_hash(
    prev_hash: &str,
    at: &str,
    entity: &str,
    entity_id: i64,
    payload: &str,
    blob_sha256: Option<&str>,
) -> String {
    let input = serde_json::json!([
        prev_hash,
        at,
        entity,
        entity_id.to_string(),
        payload,
        blob_sha256.unwrap_or("")
    ]);
    hex::encode(Sha256::digest(input.to_string().as_bytes()))
}

/// SHA-256 (hex) of bytes: the raw archive's address.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One journal entry as stored.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Entry {
    /// Position in the journal.
    pub seq: i64,
    /// When it was written (UTC).
    pub at: String,
    /// What kind of row: `message`, `raw`, `outgoing`, `review`, `member_event`…
    pub entity: String,
    /// The row's id in its table.
    pub entity_id: i64,
    /// JSON: the row as it became.
    pub payload: String,
    /// SHA-256 of the bytes the entry is about, if any.
    pub blob_sha256: Option<String>,
    /// The previous entry's hash (`None` until sealed).
    pub prev_hash: Option<String>,
    /// This entry's hash (`None` until sealed).
    pub hash: Option<String>,
}

/// Seals every unsealed entry (computes its hash, chained to the previous one); returns
/// how many were sealed. Idempotent; safe while other processes write or seal.
///
/// # Errors
/// The store fails.
pub async fn seal(store: &Store) -> sqlx::Result<u64> {
    let mut sealed = 0;
    loop {
        let pending: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM journal WHERE hash IS NULL ORDER BY seq LIMIT 1")
                .fetch_optional(store.pool())
                .await?;
        if pending.is_none() {
            return Ok(sealed);
        }
        let mut tx = store.begin().await?;
        let head: Option<String> = sqlx::query_scalar(
            "SELECT hash FROM journal WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let mut prev = head.unwrap_or_else(|| GENESIS.to_owned());
        let rows: Vec<Entry> = sqlx::query_as(
            "SELECT seq, at, entity, entity_id, payload, blob_sha256, prev_hash, hash
             FROM journal WHERE hash IS NULL ORDER BY seq LIMIT ?1",
        )
        .bind(SEAL_CHUNK)
        .fetch_all(&mut *tx)
        .await?;
        let count = rows.len();
        // One set-based UPDATE per chunk: a statement per entry costs more than the hashing.
        let mut seals = Vec::with_capacity(count);
        for row in rows {
            let blob = match row.blob_sha256 {
                Some(blob) => Some(blob),
                None => blob_of(&mut tx, &row).await?,
            };
            let hash = entry_hash(
                &prev,
                &row.at,
                &row.entity,
                row.entity_id,
                &row.payload,
                blob.as_deref(),
            );
            seals.push(serde_json::json!([row.seq, blob, prev, hash]));
            prev = hash;
        }
        sqlx::query(
            "UPDATE journal SET blob_sha256 = s.value ->> 1, prev_hash = s.value ->> 2,
                 hash = s.value ->> 3
             FROM json_each(?1) AS s
             WHERE journal.seq = s.value ->> 0",
        )
        .bind(serde_json::Value::from(seals).to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        sealed += count as u64;
        if (count as i64) < SEAL_CHUNK {
            return Ok(sealed);
        }
    }
}

/// The hash of the bytes an entry is about, read when it is sealed: what went out for a
/// sent outgoing message, the raw bytes of a message stored before migration 0006.
async fn blob_of(conn: &mut SqliteConnection, row: &Entry) -> sqlx::Result<Option<String>> {
    match row.entity.as_str() {
        "outgoing" => {
            let sent = serde_json::from_str::<serde_json::Value>(&row.payload)
                .ok()
                .is_some_and(|payload| payload["status"] == "sent");
            if !sent {
                return Ok(None);
            }
            let bytes: Option<Option<Vec<u8>>> =
                sqlx::query_scalar("SELECT sent_bytes FROM outbox WHERE id = ?1")
                    .bind(row.entity_id)
                    .fetch_optional(conn)
                    .await?;
            Ok(bytes.flatten().map(|bytes| sha256_hex(&bytes)))
        }
        "raw" => {
            let bytes: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT bytes FROM raw_messages WHERE message_row_id = ?1")
                    .bind(row.entity_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            match bytes {
                Some(bytes) => Ok(Some(sha256_hex(&bytes))),
                None => {
                    sqlx::query_scalar(
                        "SELECT sha256 FROM raw_tombstones WHERE message_row_id = ?1",
                    )
                    .bind(row.entity_id)
                    .fetch_optional(conn)
                    .await
                }
            }
        }
        _ => Ok(None),
    }
}

/// What `log verify` found wrong, one kind per way of tampering (stable names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An entry's content no longer matches its hash.
    Altered,
    /// Entries are missing (a gap in `seq`).
    Deleted,
    /// An entry is not part of the chain.
    Inserted,
    /// Entries are chained in another order than they stand.
    Reordered,
    /// The chain breaks with no gap: an entry removed and the rest renumbered, or a hash
    /// rewritten.
    Broken,
    /// A table row differs from its latest entry: changed behind the journal's back.
    RowChanged,
    /// A journaled row is gone from its table.
    RowDeleted,
    /// A row has no journal entry at all.
    RowUnjournaled,
    /// Raw bytes whose SHA-256 is not their recorded address.
    RawAltered,
    /// Raw bytes gone without a tombstone.
    RawMissing,
    /// The bytes kept of a sent message differ from those journaled when it went out.
    SentAltered,
}

/// One finding of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// What is wrong.
    pub kind: FindingKind,
    /// The journal entry concerned (the first of a range).
    pub seq: Option<i64>,
    /// The last entry of a range (deleted, reordered).
    pub seq_to: Option<i64>,
    /// The kind of row concerned.
    pub entity: Option<String>,
    /// Its id.
    pub entity_id: Option<i64>,
    /// The hash expected, when one is.
    pub expected: Option<String>,
    /// The hash found.
    pub found: Option<String>,
}

impl Finding {
    fn at(kind: FindingKind, seq: i64) -> Finding {
        Finding {
            kind,
            seq: Some(seq),
            seq_to: None,
            entity: None,
            entity_id: None,
            expected: None,
            found: None,
        }
    }

    fn row(kind: FindingKind, entity: &str, entity_id: i64) -> Finding {
        Finding {
            kind,
            seq: None,
            seq_to: None,
            entity: Some(entity.to_owned()),
            entity_id: Some(entity_id),
            expected: None,
            found: None,
        }
    }
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Entries in the journal.
    pub entries: i64,
    /// Entries sealed by this verification before checking.
    pub sealed_now: u64,
    /// Entries still unsealed (the store was read-only, or a writer raced).
    pub unsealed: i64,
    /// The last sealed entry: auditors may note it to detect a rewritten chain later.
    pub head_seq: Option<i64>,
    /// Its hash.
    pub head_hash: Option<String>,
    /// Raw messages rehashed.
    pub raw_checked: i64,
    /// Raw messages erased behind a tombstone.
    pub tombstones: i64,
    /// Sent messages whose bytes were rehashed.
    pub sent_checked: i64,
    /// What is wrong, in journal order then table order; empty when intact.
    pub findings: Vec<Finding>,
}

/// The chain's view of one entry, without its payload.
#[derive(Debug, FromRow)]
struct Link {
    seq: i64,
    entity: String,
    entity_id: i64,
    prev_hash: Option<String>,
    hash: Option<String>,
}

/// Seals what can be sealed, then checks the chain, every journaled table against its
/// latest entry, the raw archive and the bytes sent.
///
/// # Errors
/// The store fails (a finding is not an error).
pub async fn verify(store: &Store) -> sqlx::Result<Verification> {
    let mut report = Verification {
        sealed_now: seal(store).await.unwrap_or(0),
        ..Verification::default()
    };
    check_chain(store.pool(), &mut report).await?;
    check_tables(store.pool(), &mut report).await?;
    check_archive(store.pool(), &mut report).await?;
    check_sent(store.pool(), &mut report).await?;
    Ok(report)
}

async fn check_chain(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    let links: Vec<Link> =
        sqlx::query_as("SELECT seq, entity, entity_id, prev_hash, hash FROM journal ORDER BY seq")
            .fetch_all(pool)
            .await?;
    // Second pass, streamed: does each entry's content still give its hash?
    let mut intact: HashMap<i64, bool> = HashMap::with_capacity(links.len());
    let mut rows = sqlx::query_as::<_, Entry>(
        "SELECT seq, at, entity, entity_id, payload, blob_sha256, prev_hash, hash
         FROM journal WHERE hash IS NOT NULL ORDER BY seq",
    )
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        let recomputed = entry_hash(
            row.prev_hash.as_deref().unwrap_or(""),
            &row.at,
            &row.entity,
            row.entity_id,
            &row.payload,
            row.blob_sha256.as_deref(),
        );
        intact.insert(row.seq, Some(recomputed) == row.hash);
    }
    drop(rows);
    let position: HashMap<&str, i64> = links
        .iter()
        .filter_map(|link| link.hash.as_deref().map(|hash| (hash, link.seq)))
        .collect();
    report.entries = links.len() as i64;
    let mut expected = GENESIS.to_owned();
    let mut last_seq = 0;
    let mut previous: Option<&Link> = None;
    let mut findings = Vec::new();
    for (index, link) in links.iter().enumerate() {
        let Some(hash) = link.hash.as_deref() else {
            report.unsealed += 1;
            continue;
        };
        let gap = link.seq != last_seq + 1;
        if gap {
            let mut finding = Finding::at(FindingKind::Deleted, last_seq + 1);
            finding.seq_to = Some(link.seq - 1);
            findings.push(finding);
        }
        let prev = link.prev_hash.as_deref().unwrap_or("");
        let linked = prev == expected;
        let next_prev = links
            .get(index + 1)
            .and_then(|next| next.prev_hash.as_deref());
        if !intact.get(&link.seq).copied().unwrap_or(false) {
            // Skipping an entry that restores the chain was never part of it.
            let extra = match next_prev {
                Some(next_prev) => next_prev == expected,
                None => !linked,
            };
            let mut finding = Finding::at(
                if extra {
                    FindingKind::Inserted
                } else {
                    FindingKind::Altered
                },
                link.seq,
            );
            finding.entity = Some(link.entity.clone());
            finding.entity_id = Some(link.entity_id);
            finding.found = Some(hash.to_owned());
            findings.push(finding);
            last_seq = link.seq;
            if extra {
                continue;
            }
        } else if !linked && !gap {
            let kind = match (previous, position.get(prev)) {
                (Some(before), _) if before.prev_hash.as_deref() == Some(prev) => {
                    let mut finding = Finding::at(FindingKind::Inserted, before.seq);
                    finding.entity = Some(before.entity.clone());
                    finding.entity_id = Some(before.entity_id);
                    findings.push(finding);
                    None
                }
                (_, Some(_)) => Some(FindingKind::Reordered),
                (_, None) => Some(FindingKind::Broken),
            };
            if let Some(kind) = kind {
                push_merged(&mut findings, kind, link);
            }
        }
        expected = hash.to_owned();
        last_seq = link.seq;
        previous = Some(link);
        report.head_seq = Some(link.seq);
        report.head_hash = Some(hash.to_owned());
    }
    report.findings.extend(findings);
    Ok(())
}

/// Adds a finding, extending the previous one when it is the same kind on the entry
/// just before (one swap is one finding, not three).
fn push_merged(findings: &mut Vec<Finding>, kind: FindingKind, link: &Link) {
    if let Some(last) = findings.last_mut() {
        let end = last.seq_to.or(last.seq);
        if last.kind == kind && end == Some(link.seq - 1) {
            last.seq_to = Some(link.seq);
            return;
        }
    }
    let mut finding = Finding::at(kind, link.seq);
    finding.entity = Some(link.entity.clone());
    finding.entity_id = Some(link.entity_id);
    findings.push(finding);
}

async fn check_tables(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    for (entity, table, id_column) in JOURNALED {
        let changed: Vec<(i64, Option<i64>)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT v.id, (SELECT MAX(seq) FROM journal j
                           WHERE j.entity = ?1 AND j.entity_id = v.id)
             FROM journal_of_{table} v
             WHERE v.payload IS NOT (SELECT j.payload FROM journal j
                                     WHERE j.entity = ?1 AND j.entity_id = v.id
                                     ORDER BY j.seq DESC LIMIT 1)
             ORDER BY v.id"
        )))
        .bind(entity)
        .fetch_all(pool)
        .await?;
        for (id, seq) in changed {
            let kind = if seq.is_some() {
                FindingKind::RowChanged
            } else {
                FindingKind::RowUnjournaled
            };
            let mut finding = Finding::row(kind, entity, id);
            finding.seq = seq;
            report.findings.push(finding);
        }
        let gone: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT j.entity_id, MAX(j.seq) FROM journal j
             WHERE j.entity = ?1
               AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{id_column} = j.entity_id)
               AND (?1 <> 'raw' OR NOT EXISTS (SELECT 1 FROM raw_tombstones s
                                               WHERE s.message_row_id = j.entity_id))
             GROUP BY j.entity_id ORDER BY j.entity_id"
        )))
        .bind(entity)
        .fetch_all(pool)
        .await?;
        for (id, seq) in gone {
            let kind = if entity == "raw" {
                FindingKind::RawMissing
            } else {
                FindingKind::RowDeleted
            };
            let mut finding = Finding::row(kind, entity, id);
            finding.seq = Some(seq);
            report.findings.push(finding);
        }
    }
    Ok(())
}

/// The addresses the archive is checked against, per message.
#[derive(Debug, FromRow)]
struct Addressed {
    id: i64,
    address: Option<String>,
    decided: Option<String>,
    journaled: Option<String>,
}

async fn check_archive(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    let addressed: Vec<Addressed> = sqlx::query_as(
        "SELECT r.message_row_id AS id, r.sha256 AS address, m.raw_sha256 AS decided,
                (SELECT j.blob_sha256 FROM journal j
                 WHERE j.entity = 'raw' AND j.entity_id = r.message_row_id
                 ORDER BY j.seq DESC LIMIT 1) AS journaled
         FROM raw_messages r JOIN messages m ON m.id = r.message_row_id
         ORDER BY r.message_row_id",
    )
    .fetch_all(pool)
    .await?;
    for row in addressed {
        // One blob in memory at a time.
        let bytes: Vec<u8> =
            sqlx::query_scalar("SELECT bytes FROM raw_messages WHERE message_row_id = ?1")
                .bind(row.id)
                .fetch_one(pool)
                .await?;
        let actual = sha256_hex(&bytes);
        report.raw_checked += 1;
        let expected = [&row.journaled, &row.address, &row.decided]
            .into_iter()
            .flatten()
            .find(|recorded| **recorded != actual);
        if let Some(expected) = expected {
            let mut finding = Finding::row(FindingKind::RawAltered, "raw", row.id);
            finding.expected = Some(expected.clone());
            finding.found = Some(actual);
            report.findings.push(finding);
        }
    }
    let tombstones: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT s.message_row_id, s.sha256,
                (SELECT j.blob_sha256 FROM journal j
                 WHERE j.entity = 'raw' AND j.entity_id = s.message_row_id
                 ORDER BY j.seq DESC LIMIT 1)
         FROM raw_tombstones s ORDER BY s.message_row_id",
    )
    .fetch_all(pool)
    .await?;
    for (id, sha256, journaled) in tombstones {
        report.tombstones += 1;
        if journaled
            .as_ref()
            .is_some_and(|journaled| *journaled != sha256)
        {
            let mut finding = Finding::row(FindingKind::RawAltered, "tombstone", id);
            finding.expected = journaled;
            finding.found = Some(sha256);
            report.findings.push(finding);
        }
    }
    Ok(())
}

async fn check_sent(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    let sent: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT o.id, (SELECT j.blob_sha256 FROM journal j
                       WHERE j.entity = 'outgoing' AND j.entity_id = o.id
                       ORDER BY j.seq DESC LIMIT 1)
         FROM outbox o WHERE o.status = 'sent' AND o.sent_bytes IS NOT NULL ORDER BY o.id",
    )
    .fetch_all(pool)
    .await?;
    for (id, journaled) in sent {
        let bytes: Vec<u8> = sqlx::query_scalar("SELECT sent_bytes FROM outbox WHERE id = ?1")
            .bind(id)
            .fetch_one(pool)
            .await?;
        let actual = sha256_hex(&bytes);
        report.sent_checked += 1;
        if let Some(journaled) = journaled.filter(|journaled| *journaled != actual) {
            let mut finding = Finding::row(FindingKind::SentAltered, "outgoing", id);
            finding.expected = Some(journaled);
            finding.found = Some(actual);
            report.findings.push(finding);
        }
    }
    Ok(())
}

/// The journal entries about message `id`: its row, raw bytes (or tombstone),
/// attachments, outgoing mail, review and member events, in journal order.
pub async fn trail(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT seq, at, entity, entity_id, payload, blob_sha256, prev_hash, hash FROM journal
         WHERE (entity IN ('message', 'raw', 'tombstone') AND entity_id = ?1)
            OR (entity = 'attachment'
                AND entity_id IN (SELECT id FROM attachments WHERE message_row_id = ?1))
            OR (entity = 'outgoing'
                AND entity_id IN (SELECT id FROM outbox WHERE message_row_id = ?1))
            OR (entity = 'review'
                AND entity_id IN (SELECT id FROM review_actions WHERE message_row_id = ?1))
            OR (entity = 'member_event'
                AND entity_id IN (SELECT id FROM member_events WHERE message_row_id = ?1))
         ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

/// A raw message erased by retention: its hash stays.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct Tombstone {
    /// Log row of the message.
    pub message_row_id: i64,
    /// SHA-256 of the bytes erased.
    pub sha256: String,
    /// Their size.
    pub size_bytes: i64,
    /// When (RFC 3339 UTC).
    pub erased_at: String,
    /// Why.
    pub reason: String,
    /// Who (`mailroom` for the daemon's retention).
    pub by: String,
}

/// The tombstone of message `id`, if its raw bytes were erased.
pub async fn tombstone(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<Tombstone>> {
    sqlx::query_as(
        "SELECT message_row_id, sha256, size_bytes, erased_at, reason, by FROM raw_tombstones
         WHERE message_row_id = ?1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// An outgoing message as the decision trail and the person export show it (headers,
/// never the body).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct OutgoingHeaders {
    /// Outbox id.
    pub id: i64,
    /// The message it answers.
    pub message_row_id: Option<i64>,
    /// Template key.
    pub purpose: String,
    /// Our Message-ID.
    pub message_id: String,
    /// JSON array.
    pub to_addrs: String,
    /// JSON array.
    pub cc_addrs: String,
    /// Subject.
    pub subject: String,
    /// queued / sending / sent / failed.
    pub status: String,
    /// When it was queued.
    pub queued_at: String,
    /// When it went out (its Date header).
    pub sent_at: Option<String>,
    /// Transport reference.
    pub delivery_ref: Option<String>,
    /// Size of the bytes kept.
    pub sent_bytes: Option<i64>,
    /// Who asked for it.
    pub requested_by: Option<String>,
}

/// The columns of [`OutgoingHeaders`].
macro_rules! outgoing_columns {
    () => {
        "id, message_row_id, purpose, message_id, to_addrs, cc_addrs, subject, status,
         queued_at, sent_at, delivery_ref, length(sent_bytes) AS sent_bytes, requested_by"
    };
}
pub(crate) use outgoing_columns;

/// The outgoing mail queued for message `id`.
pub async fn outgoing_of_message(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<OutgoingHeaders>> {
    sqlx::query_as(concat!(
        "SELECT ",
        outgoing_columns!(),
        " FROM outbox WHERE message_row_id = ?1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(pool)
    .await
}

/// The member events recorded by message `id`.
pub async fn events_of_message(
    pool: &SqlitePool,
    id: i64,
) -> sqlx::Result<Vec<super::members::MemberEvent>> {
    sqlx::query_as(
        "SELECT id, member_id, at, event, message_row_id, by, detail FROM member_events
         WHERE message_row_id = ?1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_hash_changes_with_every_part_of_the_entry() {
        let base = entry_hash(GENESIS, "t", "message", 1, "{}", None);
        assert_eq!(base.len(), 64);
        assert_eq!(base, entry_hash(GENESIS, "t", "message", 1, "{}", None));
        for other in [
            entry_hash("1", "t", "message", 1, "{}", None),
            entry_hash(GENESIS, "u", "message", 1, "{}", None),
            entry_hash(GENESIS, "t", "raw", 1, "{}", None),
            entry_hash(GENESIS, "t", "message", 2, "{}", None),
            entry_hash(GENESIS, "t", "message", 1, "[]", None),
            entry_hash(GENESIS, "t", "message", 1, "{}", Some("ab")),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn journal_hash_input_is_unambiguous() {
        // Moving a character from one part to the next must not give the same input.
        assert_ne!(
            entry_hash(GENESIS, "ab", "c", 1, "{}", None),
            entry_hash(GENESIS, "a", "bc", 1, "{}", None)
        );
    }
}
