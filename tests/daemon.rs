//! `mailroom run`: the main job on embedded defaults (Maildir ./mail/inbox, file outbox
//! ./mail/outbox, SQLite ./mailroom.db), once or watching.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{deliver_to_maildir, mailroom, repo, simple_message, stderr, stdout};

fn copy_examples_into(inbox: &Path) -> usize {
    let mut count = 0;
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(inbox.join(sub)).expect("maildir");
    }
    for entry in std::fs::read_dir(repo().join("examples/inbox/new")).expect("examples") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        std::fs::copy(&path, inbox.join("new").join(name)).expect("copy");
        count += 1;
    }
    count
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| entries.count())
        .unwrap_or(0)
}

#[test]
fn run_once_on_embedded_defaults_handles_the_inbox_and_files_each_message_by_outcome() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inbox = dir.path().join("mail/inbox");
    let count = copy_examples_into(&inbox);
    assert!(count >= 5);

    let output = mailroom(dir.path(), &["run", "--once"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(&format!("{count} messages traités")),
        "{}",
        stdout(&output)
    );
    assert!(
        dir.path().join("mailroom.db").is_file(),
        "the default store"
    );
    assert_eq!(files_in(&inbox.join("new")), 0, "nothing left in the inbox");
    let settled = files_in(&inbox.join(".Traité/cur"))
        + files_in(&inbox.join(".À vérifier/cur"))
        + files_in(&inbox.join(".Ignoré/cur"));
    assert_eq!(
        settled, count,
        "every message moved to its folder, none lost"
    );
    assert!(files_in(&inbox.join(".Traité/cur")) >= 1);
    assert!(files_in(&inbox.join(".À vérifier/cur")) >= 1);

    let again = mailroom(dir.path(), &["run", "--once"]);
    assert!(
        stdout(&again).contains("0 message traité."),
        "{}",
        stdout(&again)
    );
}

/// Issue [pipeline]: without --once, new mail is handled within a second or two, and
/// SIGTERM ends the daemon cleanly with status 0.
#[test]
fn run_handles_new_mail_within_two_seconds_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let inbox = dir.path().join("mail/inbox");
    let mut child = Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(dir.path())
        .arg("run")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the daemon");

    // Wait for the daemon to create its store and inbox.
    let started = Instant::now();
    while !(inbox.join("new").is_dir() && dir.path().join("mailroom.db").is_file()) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let message = simple_message(
        "watch-1@clinique-exemple.test",
        "ASeT-W — Convention d’engagement — Clinique Exemple",
        "",
    );
    let delivered = deliver_to_maildir(&inbox, "M1P1Q1", 1_795_420_800, message.as_bytes());
    let arrival = Instant::now();
    let target = inbox.join(".Traité/cur/1795420800.M1P1Q1.test:2,S");
    while !target.exists() {
        assert!(
            arrival.elapsed() < Duration::from_secs(5),
            "not handled in time"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let latency = arrival.elapsed();
    assert!(!delivered.exists());
    assert!(
        latency < Duration::from_millis(2500),
        "handled in {latency:?}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "exit status after SIGTERM: {status:?}");
            break;
        }
        assert!(
            deadline.elapsed() < Duration::from_secs(10),
            "daemon ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 message traité"));
}
