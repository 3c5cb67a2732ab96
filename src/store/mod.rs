//! Store: the SQLite file, and the only module that speaks SQL.
//!
//! Speaks rows, not domain types: the stages map their types to the row structs here, so
//! nothing in the foundation imports a stage. Every connection runs in WAL mode with
//! `synchronous = FULL` (acknowledgements are legal evidence), foreign keys on and a busy
//! timeout; write transactions start with `BEGIN IMMEDIATE` so concurrent writers wait
//! instead of failing half-way.

pub mod digest;
pub mod groups;
pub mod imap;
pub mod journal;
pub mod members;
pub mod messages;
pub mod outbox;
pub mod privacy;
pub mod publication;
pub mod tasks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Sqlite, Transaction};

use journal::{KeySource, Sealer};

/// Where the journal's key and anchors are, and whether this opening may key the store.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// The journal key; `<database path>.key` when `None`.
    pub journal_key_file: Option<PathBuf>,
    /// The anchors file; `<database path>.anchors` when `None`.
    pub anchors_file: Option<PathBuf>,
    /// Only read and check (`log verify`): never create the key, never key the store,
    /// never write an anchor.
    pub verify_only: bool,
}

/// `<database path><suffix>`: `mailroom.db` → `mailroom.db.key`.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A write transaction. Its [`Tx::commit`] seals the journal entries this connection
/// wrote, in the transaction itself, then anchors the new head.
#[derive(Debug)]
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
    sealer: Arc<Sealer>,
}

impl std::ops::Deref for Tx {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl Tx {
    /// Seals this transaction's journal entries, commits, then appends the new head to
    /// the anchors file (a failure to anchor is logged: the next opening writes it).
    ///
    /// # Errors
    /// The store fails; nothing is committed then.
    pub async fn commit(mut self) -> sqlx::Result<()> {
        let head = journal::seal_mine(&mut self.tx, &self.sealer).await?;
        self.tx.commit().await?;
        if let Some(head) = head {
            if let Err(error) = self.sealer.anchor(&head) {
                tracing::warn!(%error, anchors = %self.sealer.anchors().display(),
                    "The journal's head could not be anchored.");
            }
        }
        Ok(())
    }
}

/// The opened, migrated store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    sealer: Arc<Sealer>,
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path` and applies the migrations,
    /// with the journal's key and anchors beside it.
    ///
    /// # Errors
    /// The file cannot be opened or created, a migration fails, or the key is missing.
    pub async fn open(path: &Path) -> anyhow::Result<Store> {
        Store::open_with(path, &StoreOptions::default()).await
    }

    /// [`Store::open`] with the journal's key and anchors where `options` says. The
    /// migrations run on a connection of their own; then the store is keyed if it was
    /// not (once: a fresh store, or one sealed before the keyed journal), and the last
    /// head is anchored if a killed process left it out. Every connection of the pool
    /// then gets its own journaling triggers ([`journal::install`]).
    ///
    /// # Errors
    /// The file cannot be opened or created, a migration fails, or the key is missing.
    pub async fn open_with(path: &Path, options: &StoreOptions) -> anyhow::Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("Cannot create the folder {}", parent.display()))?;
        }
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(!options.verify_only)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Raw messages are blobs of 10 kB–20 MB: big pages mean short overflow chains.
            .page_size(65_536)
            // Checkpoints are run by `checkpoint`, off the writer's path; this is only the
            // safety net (16 384 pages of 64 KiB: 1 GiB of WAL).
            .pragma("wal_autocheckpoint", "16384");
        let key_file = options
            .journal_key_file
            .clone()
            .unwrap_or_else(|| beside(path, ".key"));
        let anchors = options
            .anchors_file
            .clone()
            .unwrap_or_else(|| beside(path, ".anchors"));
        let mut conn = connect
            .connect()
            .await
            .with_context(|| format!("Cannot open the store {}", path.display()))?;
        let had_journal: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal')",
        )
        .fetch_one(&mut conn)
        .await?;
        if had_journal {
            // Entries a migration appends are its own: sealed with the keying below.
            journal::track_own_entries(&mut conn).await?;
        }
        sqlx::migrate!("./migrations")
            .run(&mut conn)
            .await
            .context("Cannot apply the store's migrations")?;
        if !had_journal {
            // The journal was created by these migrations: every entry in it is theirs.
            journal::track_own_entries(&mut conn).await?;
            sqlx::query(
                "INSERT INTO temp.journal_mine (seq) SELECT seq FROM journal WHERE hash IS NULL",
            )
            .execute(&mut conn)
            .await?;
        }
        let keyed = journal::is_keyed(&mut conn).await?;
        let (sealer, source) =
            match Sealer::load(&key_file, &anchors, !options.verify_only && !keyed) {
                // `log verify` on a store no version with the key has opened yet.
                Err(_) if options.verify_only && !keyed && !key_file.exists() => {
                    (Sealer::unkeyed(&key_file, &anchors)?, KeySource::Read)
                }
                other => other?,
            };
        let sealer = Arc::new(sealer);
        if !options.verify_only {
            let (anchored, _) = journal::read_anchors(&anchors).unwrap_or_default();
            if !keyed && source == KeySource::Read && !anchored.is_empty() {
                anyhow::bail!(
                    "Le journal de {} n’a pas d’entrée scellée par la clé {} alors que des \
                     têtes scellées par elle sont ancrées dans {} : la base a été remplacée \
                     ou rétrogradée. Lancez `mailroom log verify`.",
                    path.display(),
                    key_file.display(),
                    anchors.display()
                );
            }
            let mut anchored = anchored;
            if let Some(head) = journal::key_store(&mut conn, &sealer).await? {
                sealer.anchor(&head).with_context(|| {
                    format!("Cannot write the anchors file {}", anchors.display())
                })?;
                anchored.push(journal::Anchor {
                    line: 0,
                    seq: head.seq,
                    hash: head.hash,
                    at: String::new(),
                });
            }
            let last = journal::last_closed_head(&mut conn, &sealer).await?;
            if last.as_ref().is_some_and(|(_, holds)| !holds) {
                anyhow::bail!(
                    "La dernière tête du journal de {} ne se vérifie pas sous la clé {} : autre \
                     clé, base d’une autre installation, ou journal réécrit. mailroom ne \
                     prolonge pas ce journal ; lancez `mailroom log verify`.",
                    path.display(),
                    key_file.display()
                );
            }
            let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
            let sealed = journal::seal_mine(&mut tx, &sealer).await?;
            tx.commit().await?;
            let head = match sealed {
                Some(head) => Some(head),
                None => last.map(|(head, _)| head),
            };
            if let Some(head) = head {
                if !anchored
                    .iter()
                    .any(|anchor| anchor.seq == head.seq && anchor.hash == head.hash)
                {
                    sealer.anchor(&head).with_context(|| {
                        format!("Cannot write the anchors file {}", anchors.display())
                    })?;
                }
            }
        }
        conn.close().await?;
        let on_release = Arc::clone(&sealer);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    journal::install(conn).await?;
                    Ok(())
                })
            })
            .after_release(move |conn, _meta| {
                let sealer = Arc::clone(&on_release);
                Box::pin(async move {
                    // A journaled write made outside a `Tx` (autocommit): sealed now.
                    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM temp.journal_mine")
                        .fetch_one(&mut *conn)
                        .await?;
                    if pending > 0 {
                        tracing::warn!(pending, "Journal entries written outside a transaction.");
                        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                        let head = journal::seal_mine(&mut tx, &sealer).await?;
                        tx.commit().await?;
                        if let Some(head) = head {
                            sealer.anchor(&head).ok();
                        }
                    }
                    Ok(true)
                })
            })
            .connect_with(connect)
            .await
            .with_context(|| format!("Cannot open the store {}", path.display()))?;
        Ok(Store { pool, sealer })
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`).
    ///
    /// # Errors
    /// The database is unreachable or stays locked past the busy timeout.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        Ok(Tx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            sealer: Arc::clone(&self.sealer),
        })
    }

    /// The journal's key and anchors file.
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Copies committed WAL frames into the database file without blocking writers
    /// (`PASSIVE`), so the writer never pays for checkpoints itself. Run it while the
    /// writer is otherwise idle or busy elsewhere (e.g. during a batch's analysis).
    ///
    /// # Errors
    /// The database is unreachable.
    pub async fn checkpoint(&self) -> sqlx::Result<()> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
