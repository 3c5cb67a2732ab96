//! `.eml` files, folders of them, and Maildirs given to `mailroom ingest`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;

use super::{maildir, Candidate};

/// Every message under `paths`, oldest first: a file is one message; a Maildir (a folder
/// with `cur/` and `new/`) gives its messages; any other folder gives its `.eml` files,
/// recursively.
///
/// # Errors
/// A path that does not exist or cannot be read.
pub fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<Candidate>> {
    let mut candidates = Vec::new();
    for path in paths {
        let metadata =
            std::fs::metadata(path).with_context(|| format!("Cannot read {}", path.display()))?;
        if metadata.is_file() {
            candidates.push(file_candidate(path)?);
        } else if maildir::is_maildir(path) {
            candidates.extend(maildir::list(path)?);
        } else {
            collect_eml(path, &mut candidates)?;
        }
    }
    candidates
        .sort_by(|a, b| (a.received_at, &a.mailbox_ref).cmp(&(b.received_at, &b.mailbox_ref)));
    Ok(candidates)
}

fn collect_eml(dir: &Path, candidates: &mut Vec<Candidate>) -> anyhow::Result<()> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("Cannot read the folder {}", dir.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("Cannot read the folder {}", dir.display()))?
            .path();
        if path.is_dir() {
            collect_eml(&path, candidates)?;
        } else if path.is_file()
            && path
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("eml"))
        {
            // Regular files only: reading a FIFO named `x.eml` would never end.
            candidates.push(file_candidate(&path)?);
        }
    }
    Ok(())
}

fn file_candidate(path: &Path) -> anyhow::Result<Candidate> {
    let absolute =
        std::fs::canonicalize(path).with_context(|| format!("Cannot read {}", path.display()))?;
    let metadata =
        std::fs::metadata(&absolute).with_context(|| format!("Cannot read {}", path.display()))?;
    Ok(Candidate {
        mailbox: "files".to_owned(),
        mailbox_ref: absolute.display().to_string(),
        received_at: modified(&metadata),
        size_bytes: metadata.len(),
        path: absolute,
        bytes: None,
        junk: false,
        quiet: false,
    })
}

/// The file's modification time, or the epoch when the platform cannot tell.
pub(super) fn modified(metadata: &std::fs::Metadata) -> Timestamp {
    metadata
        .modified()
        .ok()
        .and_then(|time| Timestamp::try_from(time).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}
