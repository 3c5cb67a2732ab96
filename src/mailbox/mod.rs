//! Mailbox: where mail comes from, and where the original goes once decided.
//!
//! Knows Maildir and plain `.eml` files (IMAP comes with [live-mailbox]); knows nothing
//! about forms. A [`Candidate`] names a message without reading it; the pipeline reads
//! it within the size limit. [`maildir::settle`] is the only code that moves mail, and it
//! runs only after the decision has committed.

pub mod files;
pub mod imap;
pub mod maildir;

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;

/// A message waiting to be handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The mailbox it belongs to: `maildir:<abs path>` or `files`.
    pub mailbox: String,
    /// Its identity there: Maildir unique name, or the file's absolute path.
    pub mailbox_ref: String,
    /// Where its bytes are.
    pub path: PathBuf,
    /// When our side received it: Maildir delivery time, else the file's modification time.
    pub received_at: Timestamp,
    /// Size on disk (or on the server).
    pub size_bytes: u64,
    /// The bytes, when the mailbox already fetched them (IMAP); `None` when they are to
    /// be read from `path` (or were over the size limit).
    pub bytes: Option<Arc<Vec<u8>>>,
    /// Found in the Junk folder: never answered automatically unless DMARC passed.
    pub junk: bool,
    /// Imported from before mailroom watched the mailbox: kept and classified for the
    /// log, never acted upon, answered or moved.
    pub quiet: bool,
}
