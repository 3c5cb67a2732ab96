//! The deployment configuration: where the mailbox, the outbox and the store are.
//!
//! Everything has an embedded default, so `mailroom run --once` works on a fresh machine
//! with no file at all: a Maildir at `./mail/inbox`, `.eml` files written to
//! `./mail/outbox`, the SQLite file `./mailroom.db`, the ASeT-W rules compiled in.
//! A TOML file (`--config`) overrides the defaults, and the global flags `--db`,
//! `--outbox` and `--rules` override the file. Unknown keys are errors, not silence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The whole deployment configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The SQLite file holding the log, the raw messages and the outbox: `store = "x.db"`,
    /// or a `[store]` table with `path`, `journal_key_file` and `anchors_file`.
    pub store: StoreConfig,
    /// A rules folder to use instead of the embedded `rules/aset-w`.
    pub rules: Option<PathBuf>,
    /// Where mail comes from.
    pub mailbox: MailboxConfig,
    /// Where mail goes.
    pub outbox: OutboxConfig,
    /// Bounds on every message and attachment.
    pub limits: Limits,
    /// Who receives what by role: `coordinators`, `copil`,
    /// `gt.<code>.referent|pilot|facilitator` → one address or a list. A group role
    /// missing here falls back to the rules' Locomotive (unless a placeholder).
    pub roles: BTreeMap<String, Addresses>,
    /// The auditors' journal.
    pub journal: JournalConfig,
}

/// `[journal]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JournalConfig {
    /// An RFC 3161 time-stamping authority (`http://` or `https://`): the daemon has the
    /// journal's head time-stamped once a day and keeps the token. Unset: no time-stamp.
    pub tsa_url: Option<String>,
}

/// The store and the journal's witnesses outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// The SQLite file.
    pub path: PathBuf,
    /// The journal key (32 bytes, mode 0600); `<path>.key` when unset. Keep it off the
    /// database's volume in production (README, « La clé du journal »).
    pub journal_key_file: Option<PathBuf>,
    /// Where each seal's head is appended; `<path>.anchors` when unset.
    pub anchors_file: Option<PathBuf>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: PathBuf::from("mailroom.db"),
            journal_key_file: None,
            anchors_file: None,
        }
    }
}

/// `[store]` as written: a table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreTable {
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    journal_key_file: Option<PathBuf>,
    #[serde(default)]
    anchors_file: Option<PathBuf>,
}

impl<'de> Deserialize<'de> for StoreConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Path(PathBuf),
            Table(StoreTable),
        }
        Ok(match Written::deserialize(deserializer)? {
            Written::Path(path) => StoreConfig {
                path,
                ..StoreConfig::default()
            },
            Written::Table(table) => StoreConfig {
                path: table.path.unwrap_or_else(|| StoreConfig::default().path),
                journal_key_file: table.journal_key_file,
                anchors_file: table.anchors_file,
            },
        })
    }
}

/// One address or several.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Addresses {
    /// `"a@b"`.
    One(String),
    /// `["a@b", "c@d"]`.
    Many(Vec<String>),
}

impl Addresses {
    /// The addresses, trimmed, empty ones left out.
    pub fn list(&self) -> Vec<String> {
        let all: Vec<&String> = match self {
            Addresses::One(one) => vec![one],
            Addresses::Many(many) => many.iter().collect(),
        };
        all.into_iter()
            .map(|address| address.trim().to_owned())
            .filter(|address| !address.is_empty())
            .collect()
    }
}

/// The watched mailbox: the IMAP folder when `imap` is set (or `MAILROOM_IMAP_URL`),
/// else the Maildir.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailboxConfig {
    /// The Maildir holding incoming mail (`new/`, `cur/`, `tmp/`).
    pub maildir: PathBuf,
    /// How often `run` looks for new mail, in milliseconds (Maildir, and IMAP servers
    /// without IDLE).
    pub poll_interval_ms: u64,
    /// Where handled messages are moved, by what happened to them.
    pub folders: Folders,
    /// The live mailbox.
    pub imap: Option<ImapConfig>,
}

impl Default for MailboxConfig {
    fn default() -> Self {
        MailboxConfig {
            maildir: PathBuf::from("mail/inbox"),
            poll_interval_ms: 1000,
            folders: Folders::default(),
            imap: None,
        }
    }
}

/// The live mailbox over IMAP. Secrets never appear here: the password comes from
/// `MAILROOM_IMAP_PASSWORD` or `password_file`, an OAuth token from `token_command` or
/// `token_file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapConfig {
    /// `imap://USER@HOST:PORT/FOLDER` (STARTTLS; plain only on loopback) or
    /// `imaps://USER@HOST:PORT/FOLDER` (implicit TLS). `MAILROOM_IMAP_URL` overrides it.
    pub url: String,
    /// A file holding the password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// XOAUTH2 (Exchange Online): a command printing a fresh access token; run at each
    /// connection, so an expired token is replaced by reconnecting.
    #[serde(default)]
    pub token_command: Option<String>,
    /// XOAUTH2: a file holding the current access token (kept fresh by another service).
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// IDLE is re-issued after this many minutes (servers drop it at 29).
    #[serde(default = "default_idle_minutes")]
    pub idle_minutes: u64,
    /// The Junk folder to read too (Outlook's filter can file members' forms there); what
    /// is found there is held for review unless DMARC passed. E.g. "Courrier indésirable".
    #[serde(default)]
    pub junk_folder: Option<String>,
    /// Where a message that keeps failing is moved, with its reason in the log.
    #[serde(default = "default_quarantine")]
    pub quarantine_folder: String,
    /// Failures before quarantine.
    #[serde(default = "default_max_failures")]
    pub max_failures: u32,
    /// On a first run against a mailbox that already holds mail: `now` (handle only what
    /// arrives from now on), `all`, or a date `YYYY-MM-DD` (mail received since then).
    #[serde(default = "default_start")]
    pub start: String,
    /// On that first run, record the older mail too (decided, never answered, left in
    /// place), for the log and the members it makes.
    #[serde(default)]
    pub import_past: bool,
    /// Bound on every network operation, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
}

fn default_idle_minutes() -> u64 {
    20
}

fn default_quarantine() -> String {
    "Quarantaine".to_owned()
}

fn default_max_failures() -> u32 {
    3
}

fn default_start() -> String {
    "now".to_owned()
}

fn default_timeout() -> u64 {
    60
}

/// Sending through an SMTP relay. The password comes from `MAILROOM_SMTP_PASSWORD` or
/// `password_file`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// lettre's URL form: `smtp://127.0.0.1:2525`, `smtps://user@host:465`,
    /// `smtp://user@host:587?tls=required`. `MAILROOM_SMTP_URL` overrides it.
    pub url: String,
    /// A file holding the password.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Bound on one delivery, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
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
    /// The SMTP relay; without it, `.eml` files in `dir`.
    pub smtp: Option<SmtpConfig>,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            dir: PathBuf::from("mail/outbox"),
            from: None,
            max_attempts: 8,
            smtp: None,
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
    /// Reading scanned forms (`[limits.ocr]`).
    pub ocr: OcrSettings,
}

/// Reading image-only PDFs (scans) with Tesseract, run as a program within bounds
/// (issue [forms]). A scan that cannot be read with confidence is held for review as
/// `pdf.no_text_layer`; these settings never make a value be guessed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OcrSettings {
    /// Off: every scan is `pdf.no_text_layer` without trying.
    pub enabled: bool,
    /// The `tesseract` program (Debian: tesseract-ocr + tesseract-ocr-fra).
    pub tesseract: PathBuf,
    /// The `pdftoppm` program that renders pages (Debian: poppler-utils).
    pub pdftoppm: PathBuf,
    /// Tesseract's language data.
    pub language: String,
    /// Resolution pages are rendered at (lowered for a page too large for
    /// `max_page_pixels`).
    pub dpi: u32,
    /// Below this mean word confidence (0–100) the whole scan is held for review.
    pub min_mean_confidence: f64,
    /// A value holding a word read with less confidence (0–100) is held for review.
    pub min_word_confidence: f64,
    /// Time for the whole file (rendering and recognition); the program running when
    /// it runs out is killed.
    pub timeout_secs: u64,
    /// A scan with more pages is not read.
    pub max_pages: u32,
    /// Pixels of one rendered page (about 3.9 million for A4 at 200 dpi).
    pub max_page_pixels: u64,
}

impl Default for OcrSettings {
    fn default() -> Self {
        OcrSettings {
            enabled: true,
            tesseract: PathBuf::from("tesseract"),
            pdftoppm: PathBuf::from("pdftoppm"),
            language: "fra".to_owned(),
            dpi: 200,
            min_mean_confidence: 70.0,
            min_word_confidence: 45.0,
            timeout_secs: 60,
            max_pages: 12,
            max_page_pixels: 8_000_000,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 40 * 1024 * 1024,
            max_attachment_bytes: 25 * 1024 * 1024,
            max_pdf_decompressed_bytes: 32 * 1024 * 1024,
            batch_messages: 128,
            batch_bytes: 16 * 1024 * 1024,
            ocr: OcrSettings::default(),
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

    /// Applies the connection settings of the environment, which override the file:
    /// `MAILROOM_IMAP_URL` and `MAILROOM_SMTP_URL` (passwords are read when connecting).
    pub fn apply_environment(&mut self, env: impl Fn(&str) -> Option<String>) {
        if let Some(url) = env("MAILROOM_IMAP_URL").filter(|u| !u.trim().is_empty()) {
            match &mut self.mailbox.imap {
                Some(imap) => imap.url = url,
                None => {
                    self.mailbox.imap = Some(ImapConfig {
                        url,
                        password_file: None,
                        token_command: None,
                        token_file: None,
                        junk_folder: None,
                        idle_minutes: default_idle_minutes(),
                        quarantine_folder: default_quarantine(),
                        max_failures: default_max_failures(),
                        start: default_start(),
                        import_past: false,
                        timeout_seconds: default_timeout(),
                    });
                }
            }
        }
        if let Some(url) = env("MAILROOM_SMTP_URL").filter(|u| !u.trim().is_empty()) {
            match &mut self.outbox.smtp {
                Some(smtp) => smtp.url = url,
                None => {
                    self.outbox.smtp = Some(SmtpConfig {
                        url,
                        password_file: None,
                        timeout_seconds: default_timeout(),
                    });
                }
            }
        }
    }
}

/// A secret from the environment variable `var`, else the first line of `file`; never
/// logged.
///
/// # Errors
/// The file is named but cannot be read.
pub fn secret(
    env: impl Fn(&str) -> Option<String>,
    var: &str,
    file: Option<&Path>,
) -> anyhow::Result<Option<String>> {
    if let Some(value) = env(var).filter(|v| !v.is_empty()) {
        return Ok(Some(value));
    }
    let Some(file) = file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("Cannot read the secret file {}", file.display()))?;
    Ok(text.lines().next().map(|line| line.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_configuration_means_the_embedded_defaults() {
        let config = Config::load(None).expect("defaults");
        assert_eq!(config.store.path, PathBuf::from("mailroom.db"));
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
    fn the_store_is_a_path_or_a_section_naming_the_journals_key_and_anchors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mailroom.toml");
        std::fs::write(&path, "store = \"x.db\"\n").expect("write");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(config.store.path, PathBuf::from("x.db"));
        assert_eq!(config.store.journal_key_file, None);
        std::fs::write(
            &path,
            "[store]\npath = \"y.db\"\njournal_key_file = \"/run/credentials/m/journal.key\"\n\
             anchors_file = \"/srv/witness/y.anchors\"\n",
        )
        .expect("write");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(config.store.path, PathBuf::from("y.db"));
        assert_eq!(
            config.store.journal_key_file,
            Some(PathBuf::from("/run/credentials/m/journal.key"))
        );
        assert_eq!(
            config.store.anchors_file,
            Some(PathBuf::from("/srv/witness/y.anchors"))
        );
        std::fs::write(&path, "[store]\njournal_key = \"k\"\n").expect("write");
        assert!(
            Config::load(Some(&path)).is_err(),
            "an unknown key is an error"
        );
    }

    #[test]
    fn the_environment_overrides_the_connections_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mailroom.toml");
        std::fs::write(
            &path,
            "[mailbox.imap]\nurl = \"imaps://bot@imap.example:993/INBOX\"\nstart = \"2026-11-01\"\n",
        )
        .expect("write");
        let mut config = Config::load(Some(&path)).expect("valid");
        let env = |name: &str| match name {
            "MAILROOM_IMAP_URL" => Some("imap://u@127.0.0.1:1143/INBOX".to_owned()),
            "MAILROOM_SMTP_URL" => Some("smtp://127.0.0.1:2525".to_owned()),
            _ => None,
        };
        config.apply_environment(env);
        let imap = config.mailbox.imap.expect("imap");
        assert_eq!(imap.url, "imap://u@127.0.0.1:1143/INBOX");
        assert_eq!(imap.start, "2026-11-01", "the rest of the file stays");
        assert_eq!(
            config.outbox.smtp.expect("smtp").url,
            "smtp://127.0.0.1:2525"
        );
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mailroom.toml");
        std::fs::write(&path, "[outbox]\ndir = \"/var/spool/mailroom\"\n").expect("write");
        let config = Config::load(Some(&path)).expect("valid");
        assert_eq!(config.outbox.dir, PathBuf::from("/var/spool/mailroom"));
        assert_eq!(config.store.path, PathBuf::from("mailroom.db"));
    }
}
