//! Maildir: messages in `new/` and `cur/`; settled mail moves to Maildir++ subfolders
//! (`.Traité/`, `.À vérifier/`, `.Ignoré/`), so the inbox holds only what is left to do —
//! the same behaviour as the IMAP folders of [live-mailbox].

use std::path::{Path, PathBuf};

use anyhow::Context;
use jiff::Timestamp;

use super::files::modified;
use super::Candidate;

/// Whether `dir` looks like a Maildir (has `cur/` and `new/`).
pub fn is_maildir(dir: &Path) -> bool {
    dir.join("new").is_dir() && dir.join("cur").is_dir()
}

/// The mailbox name of the Maildir at `dir`.
pub fn mailbox_name(dir: &Path) -> String {
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    format!("maildir:{}", absolute.display())
}

/// Creates `dir` as an empty Maildir if it does not exist.
///
/// # Errors
/// The folders cannot be created.
pub fn create(dir: &Path) -> anyhow::Result<()> {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("Cannot create the Maildir {}", dir.display()))?;
    }
    Ok(())
}

/// The messages waiting in `new/` and `cur/`, oldest delivery first.
///
/// # Errors
/// The folders cannot be read.
pub fn list(dir: &Path) -> anyhow::Result<Vec<Candidate>> {
    let mailbox = mailbox_name(dir);
    let mut candidates = Vec::new();
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("Cannot read the Maildir folder {}", folder.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let Ok(metadata) = entry.metadata() else {
                continue; // moved away meanwhile (another reader): nothing to do
            };
            if !metadata.is_file() {
                continue;
            }
            candidates.push(Candidate {
                mailbox: mailbox.clone(),
                mailbox_ref: unique_name(name).to_owned(),
                received_at: delivery_time(name).unwrap_or_else(|| modified(&metadata)),
                size_bytes: metadata.len(),
                path: path.clone(),
                bytes: None,
                junk: false,
                quiet: false,
            });
        }
    }
    candidates
        .sort_by(|a, b| (a.received_at, &a.mailbox_ref).cmp(&(b.received_at, &b.mailbox_ref)));
    Ok(candidates)
}

/// Moves a decided message into the Maildir++ subfolder `folder`, marked seen.
/// Idempotent: a message already moved is left where it is.
///
/// # Errors
/// The subfolder cannot be created or the rename fails.
pub fn settle(inbox: &Path, message: &Path, folder: &str) -> anyhow::Result<PathBuf> {
    let target_dir = inbox.join(format!(".{}", folder.replace(['/', '.'], "_")));
    create(&target_dir)?;
    let name = message
        .file_name()
        .and_then(|name| name.to_str())
        .map(unique_name)
        .context("Maildir file without a name")?;
    let target = target_dir.join("cur").join(format!("{name}:2,S"));
    std::fs::rename(message, &target)
        .with_context(|| format!("Cannot move {} to {}", message.display(), target.display()))?;
    Ok(target)
}

/// The unique part of a Maildir file name (before the `:2,` flags).
fn unique_name(name: &str) -> &str {
    name.split_once(':').map_or(name, |(unique, _)| unique)
}

/// The delivery time Maildir encodes at the start of the name (`1776412800.M…`).
fn delivery_time(name: &str) -> Option<Timestamp> {
    let seconds: i64 = name.split('.').next()?.parse().ok()?;
    Timestamp::from_second(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delivery_time_comes_from_the_maildir_name() {
        assert_eq!(
            delivery_time("1776412800.M1P100Q1.host:2,S"),
            Some("2026-04-17T08:00:00Z".parse().expect("instant"))
        );
        assert_eq!(delivery_time("not-a-time.host"), None);
    }

    #[test]
    fn settling_moves_the_file_out_of_the_inbox_and_marks_it_seen() {
        let dir = tempfile::tempdir().expect("tempdir");
        create(dir.path()).expect("maildir");
        let message = dir.path().join("new/1776412800.M1P1Q1.host");
        std::fs::write(&message, "Subject: x\r\n\r\n").expect("write");
        let moved = settle(dir.path(), &message, "Traité").expect("settled");
        assert!(!message.exists());
        assert_eq!(
            moved,
            dir.path().join(".Traité/cur/1776412800.M1P1Q1.host:2,S")
        );
        assert!(list(dir.path()).expect("list").is_empty());
    }
}
