//! The file transport: each message becomes `<dir>/<Message-ID>.eml`.
//!
//! lettre's file transport writes into a staging folder under a random name; the file is
//! then renamed to a name derived from the row's Message-ID. The rename is atomic, so the
//! final file either holds the whole message or does not exist — which is how a crash
//! between writing and recording is detected without sending twice.

use std::path::{Path, PathBuf};

use lettre::address::Envelope;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

use super::SendError;
use crate::store::outbox::OutgoingRow;

/// Writes `.eml` files into a folder.
#[derive(Debug, Clone)]
pub struct FileTransport {
    dir: PathBuf,
}

impl FileTransport {
    /// A transport writing into `dir` (created on first use).
    pub fn new(dir: &Path) -> Self {
        FileTransport {
            dir: dir.to_path_buf(),
        }
    }

    fn staging(&self) -> PathBuf {
        self.dir.join(".staging")
    }

    fn final_path(&self, row: &OutgoingRow) -> PathBuf {
        let name: String = row
            .message_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "@.-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{name}.eml"))
    }

    pub(super) async fn send(&self, row: &OutgoingRow, bytes: &[u8]) -> Result<String, SendError> {
        let staging = self.staging();
        tokio::fs::create_dir_all(&staging)
            .await
            .map_err(|error| SendError::Transient(format!("{}: {error}", staging.display())))?;
        let envelope = envelope(row)?;
        let id = AsyncFileTransport::<Tokio1Executor>::new(&staging)
            .send_raw(&envelope, bytes)
            .await
            .map_err(|error| SendError::Transient(error.to_string()))?;
        let target = self.final_path(row);
        tokio::fs::rename(staging.join(format!("{id}.eml")), &target)
            .await
            .map_err(|error| SendError::Transient(format!("{}: {error}", target.display())))?;
        Ok(file_name(&target))
    }

    pub(super) async fn find_delivered(&self, row: &OutgoingRow) -> Option<(String, Vec<u8>)> {
        let target = self.final_path(row);
        let bytes = tokio::fs::read(&target).await.ok()?;
        Some((file_name(&target), bytes))
    }
}

fn envelope(row: &OutgoingRow) -> Result<Envelope, SendError> {
    let parse = |address: &str| {
        address
            .parse()
            .map_err(|error| SendError::Permanent(format!("{address}: {error}")))
    };
    let from = parse(&row.from_addr)?;
    let to: Vec<String> = serde_json::from_str(&row.to_addrs)
        .map_err(|error| SendError::Permanent(error.to_string()))?;
    let cc: Vec<String> = serde_json::from_str(&row.cc_addrs)
        .map_err(|error| SendError::Permanent(error.to_string()))?;
    let recipients = to
        .iter()
        .chain(&cc)
        .map(|address| parse(address))
        .collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from), recipients).map_err(|error| SendError::Permanent(error.to_string()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
