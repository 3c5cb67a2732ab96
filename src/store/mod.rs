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

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

/// A write transaction.
pub type Tx = Transaction<'static, Sqlite>;

/// The opened, migrated store.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path` and applies the migrations.
    ///
    /// # Errors
    /// The file cannot be opened or created, or a migration fails.
    pub async fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("Cannot create the folder {}", parent.display()))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // Raw messages are blobs of 10 kB–20 MB: big pages mean short overflow chains.
            .page_size(65_536)
            // Checkpoints are run by `checkpoint`, off the writer's path; this is only the
            // safety net (16 384 pages of 64 KiB: 1 GiB of WAL).
            .pragma("wal_autocheckpoint", "16384");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .with_context(|| format!("Cannot open the store {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("Cannot apply the store's migrations")?;
        Ok(Store { pool })
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`).
    ///
    /// # Errors
    /// The database is unreachable or stays locked past the busy timeout.
    pub async fn begin(&self) -> sqlx::Result<Tx> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
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
