//! The deployment configuration: where the mailbox, the outbox and the store are.
//!
//! Everything has an embedded default, so `mailroom run --once` works on a fresh machine
//! with no file at all: a Maildir at `./mail/inbox`, `.eml` files written to
//! `./mail/outbox`, the SQLite file `./mailroom.db`, the ASeT-W rules compiled in.
//! A TOML file (`--config`) overrides the defaults, and the global flags `--db`,
//! `--outbox` and `--rules` override the file. Unknown keys are errors, not silence.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The whole deployment configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The SQLite file holding the log, the raw messages and the outbox.
    pub store: PathBuf,
    /// A rules folder to use instead of the embedded `rules/aset-w`.
    pub rules: Option<PathBuf>,
    /// Where mail comes from.
    pub mailbox: MailboxConfig,
    /// Where mail goes.
    pub outbox: OutboxConfig,
    /// Bounds on every message and attachment.
    pub limits: Limits,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            store: PathBuf::from("mailroom.db"),
            rules: None,
            mailbox: MailboxConfig::default(),
            outbox: OutboxConfig::default(),
            limits: Limits::default(),
        }
    }
}

/// The watched mailbox. Only Maildir exists so far; IMAP comes with [live-mailbox].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailboxConfig {
    /// The Maildir holding incoming mail (`new/`, `cur/`, `tmp/`).
    pub maildir: PathBuf,
    /// How often `run` looks for new mail, in milliseconds.
    pub poll_interval_ms: u64,
    /// Where handled messages are moved, by what happened to them.
    pub folders: Folders,
}

impl Default for MailboxConfig {
    fn default() -> Self {
        MailboxConfig {
            maildir: PathBuf::from("mail/inbox"),
            poll_interval_ms: 1000,
            folders: Folders::default(),
        }
    }
}

/// Folder names for settled mail (Maildir++ subfolders, later IMAP folders).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Folders {
    /// Recorded and handled.
    pub processed: String,
    /// Held for a coordinator.
    pub review: String,
    /// Auto-replies, bounces, bulk mail, duplicates: recorded, never answered.
    pub ignored: String,
}

impl Default for Folders {
    fn default() -> Self {
        Folders {
            processed: "Traité".to_owned(),
            review: "À vérifier".to_owned(),
            ignored: "Ignoré".to_owned(),
        }
    }
}

/// Outgoing mail.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// The folder `.eml` files are written to (file transport).
    pub dir: PathBuf,
    /// The From address; the alliance's address from the rules when absent.
    pub from: Option<String>,
    /// Delivery attempts before a message is marked failed.
    pub max_attempts: u32,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            dir: PathBuf::from("mail/outbox"),
            from: None,
            max_attempts: 8,
        }
    }
}

/// Bounds on size and work, so one hostile message cannot exhaust the machine.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// A larger message is stored raw but not parsed (`message.too_large`).
    pub max_message_bytes: usize,
    /// A larger attachment is catalogued but not inspected (`attachment.too_large`).
    pub max_attachment_bytes: usize,
    /// Per-stream decompression bound when opening a PDF.
    pub max_pdf_decompressed_bytes: usize,
    /// Messages per batch (one pair of transactions per batch).
    pub batch_messages: usize,
    /// Raw bytes per batch: bounds memory whatever the mailbox size.
    pub batch_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 40 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
            max_pdf_decompressed_bytes: 32 * 1024 * 1024,
            batch_messages: 128,
            batch_bytes: 16 * 1024 * 1024,
        }
    }
}

impl Config {
    /// Reads `path`, or returns the embedded defaults when `path` is `None`.
    ///
    /// # Errors
    /// Unreadable file, bad TOML, unknown keys.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("Cannot read the configuration {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("Invalid configuration {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_configuration_means_the_embedded_defaults() {
        let config = Config::load(None).expect("defaults");
        assert_eq!(config.store, PathBuf::from("mailroom.db"));
        assert_eq!(config.mailbox.maildir, PathBuf::from("mail/inbox"));
        assert_eq!(config.outbox.dir, PathBuf::from("mail/outbox"));
    }

    #[test]
    fn an_unknown_key_is_an_error_not_silence() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mailroom.toml");
        std::fs::write(&path, "store = \"x.db\"\n[mailbox]\nmaildri = \"typo\"\n").expect("write");
        let error = Config::load(Some(&path)).expect_err("typo rejected");
        assert!(format!("{error:#}").contains("maildri"), "{error:#}");
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mailroom.toml");
        std::fs::write(&path, "[outbox]\ndir = \"/var/spool/mailroom\"\n").expect("write");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(config.outbox.dir, PathBuf::from("/var/spool/mailroom"));
        assert_eq!(config.store, PathBuf::from("mailroom.db"));
    }
}
