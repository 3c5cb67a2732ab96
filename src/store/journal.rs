//! The auditors' journal: a keyed hash chain over everything mailroom writes to the tables
//! auditors ask about, the content-addressed raw archive, and personal data (export,
//! rectification, retention with tombstones) — issues [digest-audit] and [evidence].
//!
//! **Only mailroom journals its writes.** Entries are appended by `TEMP` triggers that
//! [`install`] creates on each of mailroom's own connections (the pool's `after_connect`):
//! they exist nowhere in the file, so a write made with Python's `sqlite3` or the `sqlite3`
//! program leaves no entry and its row no longer matches its latest one, which [`verify`]
//! names. The same connection records the entries it wrote in `temp.journal_mine`, and
//! [`seal_mine`] seals exactly those, in the writing transaction itself
//! (`store::Tx::commit`): an entry someone else inserted is never sealed, and no entry
//! waits unsealed for a later command. Before mailroom updates a row that someone else
//! changed, the trigger first journals what it found (`divergence`), so a later write by
//! mailroom never launders the change.
//!
//! **The seal is keyed**: HMAC-SHA-256 ([`entry_mac`]) under the 32-byte secret of
//! [`Sealer`], kept outside the database; without it a rewritten chain cannot verify. An
//! entry's seal covers the previous seal, its instant, entity, id, payload, the hash of the
//! bytes it is about and whether it closed a seal ([`Entry::closes`]), not its `seq`: the
//! order is the chain's, and a renumbered, moved or missing entry shows as a broken link.
//! A store sealed before (SHA-256, [`entry_hash`]) is keyed once by [`key_store`], whose
//! entry (`journal` 0) chains to the old head, so the old chain is covered too.
//!
//! **Witnesses outside the database**: every seal appends its head (seq, hash, time) to the
//! anchors file; [`verify`] checks that the chain still holds every anchored head, and that
//! every head a seal closed was anchored.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Connection, FromRow, SqliteConnection, SqlitePool};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The entity of the entry that keys a store (its id is 0).
pub const KEYED: &str = "journal";

/// The entity of the entry mailroom writes when it finds a row changed by someone else
/// just before it writes that row itself.
pub const DIVERGENCE: &str = "divergence";

/// Every journaled table: entity name, table, id column. The view `journal_of_<table>`
/// gives each row's payload.
pub const JOURNALED: [(&str, &str, &str); 16] = [
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
    ("timestamp", "journal_timestamps", "id"),
];

/// The table an entity's rows live in (`journal` for the journal's own entries).
pub fn table_of(entity: &str) -> &'static str {
    JOURNALED
        .iter()
        .find(|(name, _, _)| *name == entity)
        .map_or("journal", |(_, table, _)| table)
}

/// The statements [`install`] runs: the connection's own journaling triggers.
fn trigger_statements() -> Vec<String> {
    const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
    let mut statements = vec![
        "CREATE TEMP TABLE IF NOT EXISTS journal_mine (seq INTEGER PRIMARY KEY)".to_owned(),
        "CREATE TEMP TRIGGER IF NOT EXISTS mailroom_journal_mine AFTER INSERT ON journal
         BEGIN INSERT INTO journal_mine (seq) VALUES (NEW.seq); END"
            .to_owned(),
    ];
    for (entity, table, id) in JOURNALED {
        let (blob_column, blob_value) = if entity == "raw" {
            (", blob_sha256", ", NEW.sha256")
        } else {
            ("", "")
        };
        // The latest entry mailroom stands by: sealed, or written by this connection in
        // the current transaction (an unsealed entry someone else inserted does not count).
        let latest = |row: &str| {
            format!(
                "(SELECT payload FROM journal WHERE entity = '{entity}' AND entity_id = {row}.{id}
                    AND (hash IS NOT NULL OR seq IN (SELECT seq FROM journal_mine))
                  ORDER BY seq DESC LIMIT 1)"
            )
        };
        let current =
            |row: &str| format!("(SELECT payload FROM journal_of_{table} WHERE id = {row}.{id})");
        let append = format!(
            "INSERT INTO journal (at, entity, entity_id, payload{blob_column})
             SELECT {NOW}, '{entity}', id, payload{blob_value}
             FROM journal_of_{table} WHERE id = NEW.{id};"
        );
        // An id that already has entries was deleted by someone else: say so first.
        statements.push(format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS mailroom_journal_{table}_insert
             AFTER INSERT ON {table}
             BEGIN
                 INSERT INTO journal (at, entity, entity_id, payload)
                 SELECT {NOW}, '{DIVERGENCE}', NEW.{id},
                        json_object('entity', '{entity}', 'seq', MAX(seq), 'found', NULL)
                 FROM journal WHERE entity = '{entity}' AND entity_id = NEW.{id}
                 HAVING COUNT(*) > 0;
                 {append}
             END"
        ));
        // A row someone else changed: what mailroom found, before it writes its own.
        statements.push(format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS mailroom_journal_{table}_found
             BEFORE UPDATE ON {table}
             WHEN {current_old} IS NOT {latest_old}
             BEGIN
                 INSERT INTO journal (at, entity, entity_id, payload)
                 SELECT {NOW}, '{DIVERGENCE}', OLD.{id},
                        json_object('entity', '{entity}',
                                    'seq', (SELECT seq FROM journal
                                            WHERE entity = '{entity}' AND entity_id = OLD.{id}
                                              AND (hash IS NOT NULL
                                                   OR seq IN (SELECT seq FROM journal_mine))
                                            ORDER BY seq DESC LIMIT 1),
                                    'found', json(v.payload))
                 FROM journal_of_{table} v WHERE v.id = OLD.{id};
             END",
            current_old = current("OLD"),
            latest_old = latest("OLD"),
        ));
        statements.push(format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS mailroom_journal_{table}_update
             AFTER UPDATE ON {table}
             WHEN {current_new} IS NOT {latest_new}
             BEGIN
                 {append}
             END",
            current_new = current("NEW"),
            latest_new = latest("NEW"),
        ));
    }
    statements
}

/// Creates this connection's journaling triggers (`TEMP`: they exist only on it) and its
/// list of the entries it wrote. Needs the schema of migration 0006 at least.
///
/// # Errors
/// The store fails.
pub async fn install(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    // The benchmark's "without" side (feature `bench-no-journal`): the list of own
    // entries only, no journaling trigger.
    let take = if cfg!(feature = "bench-no-journal") {
        2
    } else {
        usize::MAX
    };
    for statement in trigger_statements().into_iter().take(take) {
        sqlx::query(AssertSqlSafe(statement))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records in `temp.journal_mine` the entries this connection inserts into the journal,
/// without journaling anything (for migrations, which append their own entries).
///
/// # Errors
/// The store fails.
pub async fn track_own_entries(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    for statement in trigger_statements().into_iter().take(2) {
        sqlx::query(AssertSqlSafe(statement))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// SHA-256 (hex) of an entry as the journal was sealed before [evidence] (no key): the
/// previous hash and the entry's content, as a JSON array of strings, so that no two
/// different contents can produce the same input. Entries before the store's keying
/// entry are checked with it.
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

/// The keyed seal of an entry (hex HMAC-SHA-256 under `key`): the previous seal and the
/// entry's content, as an unambiguous JSON array of strings.
pub fn entry_mac(key: &[u8], prev_hash: &str, entry: &Entry) -> String {
    let input = serde_json::json!([
        "mailroom-journal-hmac-1",
        prev_hash,
        entry.at,
        entry.entity,
        entry.entity_id.to_string(),
        entry.payload,
        entry.blob_sha256.as_deref().unwrap_or(""),
        if entry.closes == Some(1) { "1" } else { "" }
    ]);
    // HMAC takes a key of any length: this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(input.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
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
    /// 1 on the last entry a seal closed: a head the anchors file must hold.
    pub closes: Option<i64>,
}

/// The columns of [`Entry`].
const ENTRY_COLUMNS: &str =
    "seq, at, entity, entity_id, payload, blob_sha256, prev_hash, hash, closes";

/// A head of the chain: the last sealed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// Its position.
    pub seq: i64,
    /// Its seal.
    pub hash: String,
}

/// What seals: the journal key (never logged, never stored in the database) and the
/// anchors file where each seal's head is written.
#[derive(Clone)]
pub struct Sealer {
    key: [u8; 32],
    key_file: PathBuf,
    anchors: PathBuf,
    /// False for [`Sealer::unkeyed`]: no key file, a store never keyed.
    from_file: bool,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("key", &"(secret)")
            .field("key_file", &self.key_file)
            .field("anchors", &self.anchors)
            .finish()
    }
}

/// How [`Sealer::load`] found the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Read from its file.
    Read,
    /// Created now (first use).
    Created,
}

impl Sealer {
    /// Reads the key from `key_file`; when the file does not exist and `create` is set,
    /// creates it (mode 0600, 32 random bytes).
    ///
    /// # Errors
    /// The file is unreadable, not 32 bytes, or cannot be created.
    pub fn load(
        key_file: &Path,
        anchors: &Path,
        create: bool,
    ) -> anyhow::Result<(Sealer, KeySource)> {
        use anyhow::Context;
        let (key, source) = match std::fs::read(key_file) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                    anyhow::anyhow!(
                        "La clé du journal {} n’a pas la bonne taille ({} octets au lieu de 32).",
                        key_file.display(),
                        bytes.len()
                    )
                })?;
                (key, KeySource::Read)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && create => {
                let mut key = [0u8; 32];
                getrandom::getrandom(&mut key)
                    .map_err(|error| anyhow::anyhow!("Pas de hasard disponible : {error}"))?;
                write_key(key_file, &key).with_context(|| {
                    format!(
                        "Impossible de créer la clé du journal {}",
                        key_file.display()
                    )
                })?;
                (key, KeySource::Created)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "La clé du journal {} est introuvable : le journal de cette base est scellé par \
                 cette clé, sans elle il ne peut être ni vérifié ni prolongé. Rendez-la \
                 (`journal_key_file` dans [store]) ; voir le README, « La clé du journal ».",
                key_file.display()
            ),
            Err(error) => {
                return Err(error).with_context(|| {
                    format!(
                        "Impossible de lire la clé du journal {}",
                        key_file.display()
                    )
                })
            }
        };
        Ok((
            Sealer {
                key,
                key_file: key_file.to_owned(),
                anchors: anchors.to_owned(),
                from_file: true,
            },
            source,
        ))
    }

    /// For `log verify` on a store an earlier version sealed and no version since has
    /// opened: there is no key yet, and nothing sealed under one. A random key that is
    /// never written: any entry claiming to be keyed fails under it.
    ///
    /// # Errors
    /// No randomness is available.
    pub fn unkeyed(key_file: &Path, anchors: &Path) -> anyhow::Result<Sealer> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key)
            .map_err(|error| anyhow::anyhow!("Pas de hasard disponible : {error}"))?;
        Ok(Sealer {
            key,
            key_file: key_file.to_owned(),
            anchors: anchors.to_owned(),
            from_file: false,
        })
    }

    /// Whether the key was read from (or created in) its file.
    pub fn has_key(&self) -> bool {
        self.from_file
    }

    /// The anchors file.
    pub fn anchors(&self) -> &Path {
        &self.anchors
    }

    /// The key file.
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    fn mac(&self, prev_hash: &str, entry: &Entry) -> String {
        entry_mac(&self.key, prev_hash, entry)
    }

    /// Appends `head` to the anchors file (after the seal's commit: a head that never
    /// committed is never anchored).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn anchor(&self, head: &Head) -> std::io::Result<()> {
        let line = format!(
            "{} {} {}\n",
            head.seq,
            head.hash,
            jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ")
        );
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.anchors)?;
        // One write of one short line: appends from several processes do not interleave.
        file.write_all(line.as_bytes())
    }
}

fn write_key(path: &Path, key: &[u8; 32]) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key)?;
    file.sync_all()
}

/// Seals the entries this connection wrote (`temp.journal_mine`), chained to the head, in
/// the caller's transaction; the last one closes the seal. Returns the new head, if any.
///
/// # Errors
/// The store fails.
pub async fn seal_mine(conn: &mut SqliteConnection, sealer: &Sealer) -> sqlx::Result<Option<Head>> {
    let rows: Vec<Entry> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal
         WHERE seq IN (SELECT seq FROM temp.journal_mine) AND hash IS NULL ORDER BY seq"
    )))
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        sqlx::query("DELETE FROM temp.journal_mine")
            .execute(&mut *conn)
            .await?;
        return Ok(None);
    }
    let head: Option<String> = sqlx::query_scalar(
        "SELECT hash FROM journal WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?;
    let mut prev = head.unwrap_or_else(|| GENESIS.to_owned());
    let last = rows.len() - 1;
    let mut seals = Vec::with_capacity(rows.len());
    let mut new_head = None;
    for (index, mut row) in rows.into_iter().enumerate() {
        if row.blob_sha256.is_none() {
            row.blob_sha256 = blob_of(&mut *conn, &row).await?;
        }
        row.closes = (index == last).then_some(1);
        let hash = sealer.mac(&prev, &row);
        seals.push(serde_json::json!([
            row.seq,
            row.blob_sha256,
            prev,
            hash,
            row.closes
        ]));
        if index == last {
            new_head = Some(Head {
                seq: row.seq,
                hash: hash.clone(),
            });
        }
        prev = hash;
    }
    // One set-based UPDATE: a statement per entry costs more than the hashing.
    sqlx::query(
        "UPDATE journal SET blob_sha256 = s.value ->> 1, prev_hash = s.value ->> 2,
             hash = s.value ->> 3, closes = s.value ->> 4
         FROM json_each(?1) AS s
         WHERE journal.seq = s.value ->> 0",
    )
    .bind(serde_json::Value::from(seals).to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM temp.journal_mine")
        .execute(&mut *conn)
        .await?;
    Ok(new_head)
}

/// The entry that keyed the store, if it was keyed.
async fn keyed_at(conn: &mut SqliteConnection) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "SELECT MIN(seq) FROM journal WHERE entity = ?1 AND entity_id = 0 AND hash IS NOT NULL",
    )
    .bind(KEYED)
    .fetch_one(conn)
    .await
}

/// Whether the store already has its keying entry.
///
/// # Errors
/// The store fails.
pub async fn is_keyed(conn: &mut SqliteConnection) -> sqlx::Result<bool> {
    Ok(keyed_at(conn).await?.is_some())
}

/// Keys the store once: appends the `journal` 0 entry, sealed under the key and chained
/// to the head of the SHA-256 chain sealed before (if any), which it names. Entries left
/// unsealed by the earlier version are counted, never sealed. Returns the new head, or
/// `None` when the store was keyed already.
///
/// # Errors
/// The store fails.
pub async fn key_store(conn: &mut SqliteConnection, sealer: &Sealer) -> sqlx::Result<Option<Head>> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    if keyed_at(&mut tx).await?.is_some() {
        return Ok(None);
    }
    // Entries this connection's migrations appended before the key existed (0006's
    // backfill of a store that had no journal): sealed as the journal was then.
    let mine: Vec<Entry> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal
         WHERE seq IN (SELECT seq FROM temp.journal_mine) AND hash IS NULL ORDER BY seq"
    )))
    .fetch_all(&mut *tx)
    .await?;
    if !mine.is_empty() {
        let head: Option<String> = sqlx::query_scalar(
            "SELECT hash FROM journal WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let mut prev = head.unwrap_or_else(|| GENESIS.to_owned());
        for mut row in mine {
            if row.blob_sha256.is_none() {
                row.blob_sha256 = blob_of(&mut tx, &row).await?;
            }
            let hash = entry_hash(
                &prev,
                &row.at,
                &row.entity,
                row.entity_id,
                &row.payload,
                row.blob_sha256.as_deref(),
            );
            sqlx::query(
                "UPDATE journal SET blob_sha256 = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            )
            .bind(row.seq)
            .bind(&row.blob_sha256)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            prev = hash;
        }
    }
    let legacy: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, hash FROM journal WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    let (entries, unsealed): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(*) FILTER (WHERE hash IS NULL) FROM journal")
            .fetch_one(&mut *tx)
            .await?;
    let payload = serde_json::json!({
        "event": if entries > 0 { "upgraded" } else { "keyed" },
        "scheme": "hmac-sha256",
        "key_file": sealer.key_file.display().to_string(),
        "legacy_entries": entries,
        "legacy_unsealed": unsealed,
        "legacy_head": legacy.as_ref().map(|(seq, hash)| serde_json::json!({"seq": seq, "hash": hash})),
    });
    sqlx::query(
        "INSERT INTO journal (at, entity, entity_id, payload)
         VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, 0, ?2)",
    )
    .bind(KEYED)
    .bind(payload.to_string())
    .execute(&mut *tx)
    .await?;
    let seq: i64 = sqlx::query_scalar("SELECT last_insert_rowid()")
        .fetch_one(&mut *tx)
        .await?;
    let mut entry: Entry = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq = ?1"
    )))
    .bind(seq)
    .fetch_one(&mut *tx)
    .await?;
    entry.closes = Some(1);
    let prev = legacy.map_or_else(|| GENESIS.to_owned(), |(_, hash)| hash);
    let hash = sealer.mac(&prev, &entry);
    sqlx::query("UPDATE journal SET prev_hash = ?2, hash = ?3, closes = 1 WHERE seq = ?1")
        .bind(seq)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM temp.journal_mine")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Head { seq, hash }))
}

/// The last head a seal closed, and whether its seal holds under the key (`None`: no
/// head yet). A writer never extends a chain whose head it cannot verify (another key,
/// another installation's database, a head rewritten); a head that holds but is missing
/// from the anchors file (a process killed between its commit and its anchor) is written
/// there by the next opening.
///
/// # Errors
/// The store fails.
pub async fn last_closed_head(
    conn: &mut SqliteConnection,
    sealer: &Sealer,
) -> sqlx::Result<Option<(Head, bool)>> {
    let entry: Option<Entry> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal WHERE closes = 1 AND hash IS NOT NULL
         ORDER BY seq DESC LIMIT 1"
    )))
    .fetch_optional(conn)
    .await?;
    Ok(entry.map(|entry| {
        let prev = entry.prev_hash.clone().unwrap_or_default();
        let hash = entry.hash.clone().unwrap_or_default();
        let holds = sealer.mac(&prev, &entry) == hash;
        (
            Head {
                seq: entry.seq,
                hash,
            },
            holds,
        )
    }))
}

/// The head of the chain: the last sealed entry, if any.
///
/// # Errors
/// The store fails.
pub async fn head(conn: &mut SqliteConnection) -> sqlx::Result<Option<Head>> {
    let head: Option<(i64, String)> = sqlx::query_as(
        "SELECT seq, hash FROM journal WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await?;
    Ok(head.map(|(seq, hash)| Head { seq, hash }))
}

/// One line of the anchors file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// Its line number (from 1).
    pub line: usize,
    /// The head's position.
    pub seq: i64,
    /// Its seal.
    pub hash: String,
    /// When it was written (UTC), as written.
    pub at: String,
}

/// The anchors file read: the heads it holds, and the lines it could not read. A missing
/// file holds nothing.
///
/// # Errors
/// The file exists but cannot be read.
pub fn read_anchors(path: &Path) -> std::io::Result<(Vec<Anchor>, Vec<usize>)> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error),
    };
    let mut anchors = Vec::new();
    let mut unreadable = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_anchor(line) {
            Some((seq, hash, at)) => anchors.push(Anchor {
                line: index + 1,
                seq,
                hash,
                at,
            }),
            None => unreadable.push(index + 1),
        }
    }
    Ok((anchors, unreadable))
}

fn parse_anchor(line: &str) -> Option<(i64, String, String)> {
    let mut parts = line.split_whitespace();
    let seq = parts.next()?.parse::<i64>().ok()?;
    let hash = parts.next()?;
    let at = parts.next().unwrap_or("");
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (seq, hash.to_ascii_lowercase(), at.to_owned()))
}

/// `SEQ:HASH` as a head copied from a digest mail.
pub fn parse_head(text: &str) -> Option<Head> {
    let (seq, hash) = text.trim().split_once(':')?;
    let (seq, hash, _) = parse_anchor(&format!("{seq} {hash}"))?;
    Some(Head { seq, hash })
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
        "timestamp" => {
            let token: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT token FROM journal_timestamps WHERE id = ?1")
                    .bind(row.entity_id)
                    .fetch_optional(conn)
                    .await?;
            Ok(token.map(|token| sha256_hex(&token)))
        }
        _ => Ok(None),
    }
}

/// The head to time-stamp, if the last time-stamp is older than a day (or there is
/// none) and the chain has moved since.
///
/// # Errors
/// The store fails.
pub async fn timestamp_due(conn: &mut SqliteConnection, now: &str) -> sqlx::Result<Option<Head>> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, requested_at FROM journal_timestamps ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let head = head(&mut *conn).await?;
    let recent = match &last {
        Some((_, at)) => {
            let fresh: bool = sqlx::query_scalar("SELECT julianday(?1) - julianday(?2) < 1.0")
                .bind(now)
                .bind(at)
                .fetch_one(&mut *conn)
                .await?;
            fresh
        }
        None => false,
    };
    Ok(head.filter(|head| !recent && last.as_ref().is_none_or(|(seq, _)| *seq < head.seq)))
}

/// Keeps the authority's token for `head` (in the caller's transaction: journaled).
///
/// # Errors
/// The store fails.
pub async fn record_timestamp(
    conn: &mut SqliteConnection,
    head: &Head,
    tsa_url: &str,
    requested_at: &str,
    token: &[u8],
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO journal_timestamps (seq, hash, tsa_url, requested_at, token)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(head.seq)
    .bind(&head.hash)
    .bind(tsa_url)
    .bind(requested_at)
    .bind(token)
    .execute(conn)
    .await?;
    Ok(())
}

/// The time-stamped heads, for [`verify`]: each must still be in the chain, each token's
/// bytes as journaled.
async fn check_timestamps(
    pool: &SqlitePool,
    chain: &Chain,
    report: &mut Verification,
) -> sqlx::Result<()> {
    type Stamped = (i64, i64, String, String, Vec<u8>, Option<String>);
    let stamped: Vec<Stamped> = sqlx::query_as(
        "SELECT t.id, t.seq, t.hash, t.requested_at, t.token,
                (SELECT j.blob_sha256 FROM journal j
                 WHERE j.entity = 'timestamp' AND j.entity_id = t.id
                 ORDER BY j.seq DESC LIMIT 1)
         FROM journal_timestamps t ORDER BY t.id",
    )
    .fetch_all(pool)
    .await?;
    for (id, seq, hash, at, token, journaled) in stamped {
        report.timestamps += 1;
        if chain.sealed.get(&seq) != Some(&hash) {
            let mut finding = Finding::at(FindingKind::AnchorMissing, seq);
            finding.expected = Some(hash);
            finding.found = chain.sealed.get(&seq).cloned();
            finding.anchored_at = Some(format!("{at} (horodatage RFC 3161 n° {id})"));
            finding.seq_to = Some(chain.last_seq);
            report.findings.push(finding);
        }
        report.findings.extend(bytes_changed(
            FindingKind::RawAltered,
            "timestamp",
            id,
            journaled,
            &token,
        ));
    }
    Ok(())
}

/// A finding when `bytes` no longer hash to what was journaled for them.
fn bytes_changed(
    kind: FindingKind,
    entity: &str,
    id: i64,
    journaled: Option<String>,
    bytes: &[u8],
) -> Option<Finding> {
    let actual = sha256_hex(bytes);
    let journaled = journaled.filter(|journaled| *journaled != actual)?;
    let mut finding = Finding::row(kind, entity, id);
    finding.expected = Some(journaled);
    finding.found = Some(actual);
    Some(finding)
}

/// What `log verify` found wrong, one kind per way of tampering (stable names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// An entry's content no longer matches its seal.
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
    /// An entry nobody sealed: mailroom seals its entries as it writes them, so it was
    /// written by someone else.
    Unsealed,
    /// No entry verifies under the key: another installation's database, or another key.
    WrongKey,
    /// The store was never keyed (its keying entry is gone).
    Unkeyed,
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
    /// A head written in the anchors file (or given with `--anchor`) is not in the chain.
    AnchorMissing,
    /// A head a seal closed is not in the anchors file.
    Unanchored,
    /// A line of the anchors file cannot be read.
    AnchorsUnreadable,
}

/// One field that differs between a row and its latest entry.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The field.
    pub field: String,
    /// Its value in the journal.
    pub journaled: serde_json::Value,
    /// Its value found.
    pub found: serde_json::Value,
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
    /// What differs, field by field (a row changed).
    pub differences: Vec<Difference>,
    /// Where mailroom noticed it: its own entry (a divergence) or the anchors file's line.
    pub noticed_at: Option<i64>,
    /// When the anchor was written.
    pub anchored_at: Option<String>,
}

impl Finding {
    fn new(kind: FindingKind) -> Finding {
        Finding {
            kind,
            seq: None,
            seq_to: None,
            entity: None,
            entity_id: None,
            expected: None,
            found: None,
            differences: Vec::new(),
            noticed_at: None,
            anchored_at: None,
        }
    }

    fn at(kind: FindingKind, seq: i64) -> Finding {
        Finding {
            seq: Some(seq),
            ..Finding::new(kind)
        }
    }

    fn row(kind: FindingKind, entity: &str, entity_id: i64) -> Finding {
        Finding {
            entity: Some(entity.to_owned()),
            entity_id: Some(entity_id),
            ..Finding::new(kind)
        }
    }

    /// The table concerned (`journal` for the chain, `anchors` for the anchors file).
    pub fn table(&self) -> &'static str {
        match self.kind {
            FindingKind::AnchorMissing
            | FindingKind::Unanchored
            | FindingKind::AnchorsUnreadable => "anchors",
            FindingKind::RowChanged
            | FindingKind::RowDeleted
            | FindingKind::RowUnjournaled
            | FindingKind::RawAltered
            | FindingKind::RawMissing
            | FindingKind::SentAltered => self.entity.as_deref().map_or("journal", table_of),
            _ => "journal",
        }
    }

    /// The row concerned: the table's id, or the journal entry for chain findings.
    pub fn row_id(&self) -> Option<i64> {
        match self.table() {
            "journal" | "anchors" => self.seq,
            _ => self.entity_id,
        }
    }
}

/// The fields that differ between two JSON objects (a row's payloads).
pub fn differences(journaled: &str, found: &str) -> Vec<Difference> {
    let parse = |text: &str| -> BTreeMap<String, serde_json::Value> {
        serde_json::from_str(text).unwrap_or_default()
    };
    let (journaled, found) = (parse(journaled), parse(found));
    let fields: std::collections::BTreeSet<&String> =
        journaled.keys().chain(found.keys()).collect();
    fields
        .into_iter()
        .filter_map(|field| {
            let before = journaled
                .get(field)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            let after = found.get(field).cloned().unwrap_or(serde_json::Value::Null);
            (before != after).then(|| Difference {
                field: field.clone(),
                journaled: before,
                found: after,
            })
        })
        .collect()
}

/// What `log verify` is asked, besides the store.
#[derive(Debug, Clone, Default)]
pub struct Witnesses {
    /// Heads copied from digest mails (`--anchor SEQ:HASH`).
    pub given: Vec<Head>,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// Entries in the journal.
    pub entries: i64,
    /// The last sealed entry: auditors may note it to detect a rewritten chain later.
    pub head_seq: Option<i64>,
    /// Its hash.
    pub head_hash: Option<String>,
    /// Entries sealed with SHA-256 before the store was keyed.
    pub legacy_entries: i64,
    /// Heads in the anchors file, all found in the chain when intact.
    pub anchors: i64,
    /// Heads time-stamped by an RFC 3161 authority.
    pub timestamps: i64,
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
    closes: Option<i64>,
}

/// Checks the chain under the key, every journaled table against its latest sealed
/// entry, the changes mailroom noticed before writing, the raw archive, the bytes sent,
/// and the heads witnessed outside (anchors file, `--anchor`). Writes nothing.
///
/// # Errors
/// The store fails (a finding is not an error).
pub async fn verify(
    pool: &SqlitePool,
    sealer: &Sealer,
    witnesses: &Witnesses,
) -> anyhow::Result<Verification> {
    let mut report = Verification::default();
    let heads = check_chain(pool, sealer, &mut report).await?;
    check_anchors(sealer, witnesses, &heads, &mut report)?;
    check_timestamps(pool, &heads, &mut report).await?;
    check_divergences(pool, &mut report).await?;
    check_tables(pool, &mut report).await?;
    check_forms(pool, &mut report).await?;
    check_archive(pool, &mut report).await?;
    check_sent(pool, &mut report).await?;
    Ok(report)
}

/// What the chain holds, for the anchors' check.
#[derive(Debug, Default)]
struct Chain {
    /// Every sealed entry's seq and hash.
    sealed: HashMap<i64, String>,
    /// The heads seals closed, in order.
    closed: Vec<Head>,
    /// The last seq.
    last_seq: i64,
}

async fn check_chain(
    pool: &SqlitePool,
    sealer: &Sealer,
    report: &mut Verification,
) -> sqlx::Result<Chain> {
    let links: Vec<Link> = sqlx::query_as(
        "SELECT seq, entity, entity_id, prev_hash, hash, closes FROM journal ORDER BY seq",
    )
    .fetch_all(pool)
    .await?;
    let keyed_from: Option<i64> = {
        let mut conn = pool.acquire().await?;
        keyed_at(&mut conn).await?
    };
    let keyed = |seq: i64| keyed_from.is_some_and(|from| seq >= from);
    // Second pass, streamed: does each entry's content still give its seal?
    let mut intact: HashMap<i64, bool> = HashMap::with_capacity(links.len());
    let (mut keyed_entries, mut keyed_intact) = (0_i64, 0_i64);
    let mut rows = sqlx::query_as::<_, Entry>(AssertSqlSafe(format!(
        "SELECT {ENTRY_COLUMNS} FROM journal WHERE hash IS NOT NULL ORDER BY seq"
    )))
    .fetch(pool);
    while let Some(row) = rows.try_next().await? {
        let prev = row.prev_hash.as_deref().unwrap_or("");
        let recomputed = if keyed(row.seq) {
            sealer.mac(prev, &row)
        } else {
            entry_hash(
                prev,
                &row.at,
                &row.entity,
                row.entity_id,
                &row.payload,
                row.blob_sha256.as_deref(),
            )
        };
        let ok = Some(recomputed) == row.hash;
        if keyed(row.seq) {
            keyed_entries += 1;
            keyed_intact += i64::from(ok);
        }
        intact.insert(row.seq, ok);
    }
    drop(rows);
    let mut findings = Vec::new();
    match keyed_from {
        // A key exists but nothing was sealed under it: the keyed entries are gone.
        None if !links.is_empty() && sealer.has_key() => {
            findings.push(Finding::new(FindingKind::Unkeyed));
        }
        Some(_) if keyed_entries > 0 && keyed_intact == 0 => {
            // Not one seal holds: the key is not this journal's. One finding, not one per
            // entry; the chain's links are still checked.
            findings.push(Finding::new(FindingKind::WrongKey));
            for (seq, ok) in &mut intact {
                if keyed(*seq) {
                    *ok = true;
                }
            }
        }
        _ => {}
    }
    let position: HashMap<&str, i64> = links
        .iter()
        .filter_map(|link| link.hash.as_deref().map(|hash| (hash, link.seq)))
        .collect();
    report.entries = links.len() as i64;
    report.legacy_entries = keyed_from.map_or(report.entries, |from| {
        links.iter().filter(|link| link.seq < from).count() as i64
    });
    let mut chain = Chain::default();
    let mut expected = GENESIS.to_owned();
    let mut last_seq = 0;
    let mut previous: Option<&Link> = None;
    for (index, link) in links.iter().enumerate() {
        if link.seq != last_seq + 1 {
            let mut finding = Finding::at(FindingKind::Deleted, last_seq + 1);
            finding.seq_to = Some(link.seq - 1);
            findings.push(finding);
        }
        last_seq = link.seq;
        chain.last_seq = link.seq;
        let Some(hash) = link.hash.as_deref() else {
            push_merged(&mut findings, FindingKind::Unsealed, link);
            continue;
        };
        chain.sealed.insert(link.seq, hash.to_owned());
        let prev = link.prev_hash.as_deref().unwrap_or("");
        let linked = prev == expected;
        // The next sealed entry's link.
        let next_prev = links
            .get(index + 1..)
            .and_then(|rest| rest.iter().find(|next| next.hash.is_some()))
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
            if extra {
                continue;
            }
        } else if !linked {
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
        previous = Some(link);
        if link.closes == Some(1) && keyed(link.seq) {
            chain.closed.push(Head {
                seq: link.seq,
                hash: hash.to_owned(),
            });
        }
        report.head_seq = Some(link.seq);
        report.head_hash = Some(hash.to_owned());
    }
    report.findings.extend(findings);
    Ok(chain)
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

/// Every anchored or given head must be in the chain; every head a seal closed must be
/// anchored, except the last one (its process may have died between commit and anchor).
fn check_anchors(
    sealer: &Sealer,
    witnesses: &Witnesses,
    chain: &Chain,
    report: &mut Verification,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let (anchors, unreadable) = read_anchors(sealer.anchors()).with_context(|| {
        format!(
            "Impossible de lire le fichier d’ancres {}",
            sealer.anchors().display()
        )
    })?;
    report.anchors = anchors.len() as i64;
    for line in unreadable {
        let mut finding = Finding::new(FindingKind::AnchorsUnreadable);
        finding.noticed_at = Some(line as i64);
        report.findings.push(finding);
    }
    let missing = |seq: i64, hash: &str| chain.sealed.get(&seq).map(String::as_str) != Some(hash);
    let mut anchored: HashSet<(i64, &str)> = HashSet::with_capacity(anchors.len());
    for anchor in &anchors {
        anchored.insert((anchor.seq, anchor.hash.as_str()));
        if missing(anchor.seq, &anchor.hash) {
            let mut finding = Finding::at(FindingKind::AnchorMissing, anchor.seq);
            finding.expected = Some(anchor.hash.clone());
            finding.found = chain.sealed.get(&anchor.seq).cloned();
            finding.noticed_at = Some(anchor.line as i64);
            finding.anchored_at = Some(anchor.at.clone());
            finding.seq_to = Some(chain.last_seq);
            report.findings.push(finding);
        }
    }
    for head in &witnesses.given {
        if missing(head.seq, &head.hash) {
            let mut finding = Finding::at(FindingKind::AnchorMissing, head.seq);
            finding.expected = Some(head.hash.clone());
            finding.found = chain.sealed.get(&head.seq).cloned();
            finding.seq_to = Some(chain.last_seq);
            report.findings.push(finding);
        }
    }
    let last = chain.closed.len().saturating_sub(1);
    for (index, head) in chain.closed.iter().enumerate() {
        if index < last && !anchored.contains(&(head.seq, head.hash.as_str())) {
            let mut finding = Finding::at(FindingKind::Unanchored, head.seq);
            finding.found = Some(head.hash.clone());
            report.findings.push(finding);
        }
    }
    Ok(())
}

/// The changes mailroom found and journaled before writing a row itself (`divergence`
/// entries): each stays a finding, however the row was written since.
async fn check_divergences(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    let noticed: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT seq, entity_id, payload FROM journal WHERE entity = ?1 ORDER BY seq",
    )
    .bind(DIVERGENCE)
    .fetch_all(pool)
    .await?;
    for (seq, id, payload) in noticed {
        let payload: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
        let entity = payload["entity"].as_str().unwrap_or("?").to_owned();
        let journaled_seq = payload["seq"].as_i64();
        let journaled: Option<String> = match journaled_seq {
            Some(at) => {
                sqlx::query_scalar("SELECT payload FROM journal WHERE seq = ?1")
                    .bind(at)
                    .fetch_optional(pool)
                    .await?
            }
            None => None,
        };
        let found = &payload["found"];
        let mut finding = Finding::row(
            match (found.is_null(), journaled_seq) {
                (true, _) => FindingKind::RowDeleted,
                (false, None) => FindingKind::RowUnjournaled,
                (false, Some(_)) => FindingKind::RowChanged,
            },
            &entity,
            id,
        );
        finding.seq = journaled_seq;
        finding.noticed_at = Some(seq);
        if !found.is_null() {
            finding.differences =
                differences(journaled.as_deref().unwrap_or("{}"), &found.to_string());
        }
        report.findings.push(finding);
    }
    Ok(())
}

async fn check_tables(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    for (entity, table, id_column) in JOURNALED {
        let changed: Vec<(i64, String, Option<i64>, Option<String>)> =
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT v.id, v.payload, j.seq, j.payload
                 FROM journal_of_{table} v
                 LEFT JOIN journal j ON j.seq = (SELECT MAX(seq) FROM journal l
                                                 WHERE l.entity = ?1 AND l.entity_id = v.id
                                                   AND l.hash IS NOT NULL)
                 WHERE v.payload IS NOT j.payload
                 ORDER BY v.id"
            )))
            .bind(entity)
            .fetch_all(pool)
            .await?;
        for (id, found, seq, journaled) in changed {
            let kind = if seq.is_some() {
                FindingKind::RowChanged
            } else {
                FindingKind::RowUnjournaled
            };
            let mut finding = Finding::row(kind, entity, id);
            finding.seq = seq;
            if let Some(journaled) = journaled {
                finding.differences = differences(&journaled, &found);
            }
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

/// The forms read, against the SHA-256 their message's entry carries (migration 0008: the
/// entry keeps the form's hash, not the form).
async fn check_forms(pool: &SqlitePool, report: &mut Verification) -> sqlx::Result<()> {
    let mut rows = sqlx::query_as::<_, (i64, Option<String>, String, Option<i64>)>(
        "SELECT m.id, m.form, m.form_sha256,
                (SELECT MAX(seq) FROM journal j WHERE j.entity = 'message' AND j.entity_id = m.id)
         FROM messages m WHERE m.form_sha256 IS NOT NULL ORDER BY m.id",
    )
    .fetch(pool);
    while let Some((id, form, recorded, seq)) = rows.try_next().await? {
        let actual = form.as_deref().map(|form| sha256_hex(form.as_bytes()));
        if actual.as_deref() != Some(recorded.as_str()) {
            let mut finding = Finding::row(FindingKind::RowChanged, "message", id);
            finding.seq = seq;
            finding.differences = vec![Difference {
                field: "form (SHA-256)".to_owned(),
                journaled: serde_json::Value::String(recorded),
                found: actual.map_or(serde_json::Value::Null, serde_json::Value::String),
            }];
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
        report.sent_checked += 1;
        report.findings.extend(bytes_changed(
            FindingKind::SentAltered,
            "outgoing",
            id,
            journaled,
            &bytes,
        ));
    }
    Ok(())
}

/// The journal entries about message `id`: its row, raw bytes (or tombstone),
/// attachments, outgoing mail, review and member events, in journal order.
pub async fn trail(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as(
        "SELECT seq, at, entity, entity_id, payload, blob_sha256, prev_hash, hash, closes
         FROM journal
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

    fn entry(payload: &str, closes: Option<i64>) -> Entry {
        Entry {
            seq: 7,
            at: "t".to_owned(),
            entity: "member".to_owned(),
            entity_id: 1,
            payload: payload.to_owned(),
            blob_sha256: None,
            prev_hash: None,
            hash: None,
            closes,
        }
    }

    #[test]
    fn journal_mac_depends_on_the_key_the_content_and_the_close_but_not_the_seq() {
        let key = [1u8; 32];
        let base = entry_mac(&key, GENESIS, &entry("{}", None));
        assert_eq!(base.len(), 64);
        assert_ne!(base, entry_hash(GENESIS, "t", "member", 1, "{}", None));
        assert_ne!(base, entry_mac(&[2u8; 32], GENESIS, &entry("{}", None)));
        assert_ne!(base, entry_mac(&key, "1", &entry("{}", None)));
        assert_ne!(base, entry_mac(&key, GENESIS, &entry("[]", None)));
        assert_ne!(base, entry_mac(&key, GENESIS, &entry("{}", Some(1))));
        let mut moved = entry("{}", None);
        moved.seq = 8;
        assert_eq!(
            base,
            entry_mac(&key, GENESIS, &moved),
            "the chain orders, not seq"
        );
    }

    #[test]
    fn journal_anchor_lines_and_given_heads_are_read_strictly() {
        let hash = "ab".repeat(32);
        assert_eq!(
            parse_head(&format!("12:{hash}")),
            Some(Head {
                seq: 12,
                hash: hash.clone()
            })
        );
        assert_eq!(
            parse_head(&format!("12:{}", "AB".repeat(32))).map(|h| h.hash),
            Some(hash.clone())
        );
        for bad in [
            "12",
            "x:ab",
            &format!("12:{}", "ab".repeat(31)),
            &format!("12:{}zz", "ab".repeat(31)),
        ] {
            assert_eq!(parse_head(bad), None, "{bad}");
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("anchors");
        assert_eq!(
            read_anchors(&path).expect("missing is empty"),
            (Vec::new(), Vec::new())
        );
        std::fs::write(
            &path,
            format!("3 {hash} 2026-12-08T00:00:00Z\n\ngarbage\n4 {hash}\n"),
        )
        .expect("write");
        let (anchors, unreadable) = read_anchors(&path).expect("read");
        assert_eq!(
            anchors.iter().map(|a| (a.line, a.seq)).collect::<Vec<_>>(),
            [(1, 3), (4, 4)]
        );
        assert_eq!(unreadable, [3]);
    }

    #[test]
    fn journal_differences_name_each_changed_field() {
        let found = differences(
            r#"{"effective_date":"2026-12-01","name":"A","gone":1}"#,
            r#"{"name":"A","effective_date":"2026-01-01","new":true}"#,
        );
        let fields: Vec<&str> = found.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["effective_date", "gone", "new"]);
        assert_eq!(found[0].journaled, "2026-12-01");
        assert_eq!(found[0].found, "2026-01-01");
        assert!(differences("{}", "{}").is_empty());
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
