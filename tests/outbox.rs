//! The outbox: queued in a transaction, delivered afterwards, never lost, never twice.

use mailroom::outbox::{self, DeliveryReport, FileTransport, Transport};
use mailroom::store::outbox as rows;
use mailroom::workflow::Reply;

use mailroom::rules::Rules;

use crate::support::{fixed_clock, Workspace};

fn rules() -> Rules {
    Rules::embedded().expect("rules")
}

fn reply(to: &str) -> Reply {
    Reply {
        purpose: "acknowledgement".to_owned(),
        to: vec![to.to_owned()],
        cc: vec!["direction@clinique-exemple.test".to_owned()],
        subject: "ASeT-W — Accusé de réception".to_owned(),
        body_text: "Bonjour,\n\nNous avons bien reçu votre formulaire d’adhésion.\n".to_owned(),
        body_html: None,
        in_reply_to: Some("form-1@clinique-exemple.test".to_owned()),
        ..Reply::default()
    }
}

async fn queue(workspace: &Workspace, to: &str) -> i64 {
    let mut tx = workspace.store().begin().await.expect("tx");
    let id = outbox::enqueue(
        &mut tx,
        &reply(to),
        "alliancesante.durable@spw.wallonie.be",
        None,
        &rules(),
        fixed_clock().now(),
    )
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
    id
}

fn eml_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "eml"))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_queued_reply_is_written_once_as_an_eml_file_and_marked_sent_with_its_bytes() {
    let workspace = Workspace::new().await;
    let id = queue(&workspace, "anne.exemple@clinique-exemple.test").await;
    let transport = Transport::File(FileTransport::new(&workspace.path("outbox")));
    let report = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("deliver");
    assert_eq!(
        report,
        DeliveryReport {
            sent: 1,
            retried: 0,
            failed: 0
        }
    );

    let files = eml_files(&workspace.path("outbox"));
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).expect("eml");
    assert!(
        text.contains("To: anne.exemple@clinique-exemple.test"),
        "{text}"
    );
    assert!(
        text.contains("In-Reply-To: <form-1@clinique-exemple.test>"),
        "{text}"
    );
    assert!(
        // The alliance's local time (Europe/Brussels): the day it shows is the day in Belgium.
        text.contains("Date: Mon, 23 Nov 2026 10:00:00 +0100"),
        "{text}"
    );

    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!((row.id, row.status.as_str(), row.attempts), (id, "sent", 1));
    assert_eq!(row.sent_at.as_deref(), Some("2026-11-23T09:00:00Z"));
    let evidence: Vec<u8> = sqlx::query_scalar("SELECT sent_bytes FROM outbox WHERE id = ?1")
        .bind(id)
        .fetch_one(workspace.store().pool())
        .await
        .expect("bytes");
    assert_eq!(
        evidence,
        std::fs::read(&files[0]).expect("eml"),
        "the exact bytes are evidence"
    );

    let again = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("again");
    assert_eq!(again, DeliveryReport::default(), "nothing is sent twice");
    assert_eq!(eml_files(&workspace.path("outbox")).len(), 1);
}

/// GIVEN the file was written but the process died before the row was marked sent
/// WHEN the outbox runs again THEN the row is marked sent and no second file appears.
#[tokio::test]
async fn a_crash_between_writing_and_recording_neither_loses_nor_duplicates() {
    let workspace = Workspace::new().await;
    let id = queue(&workspace, "anne.exemple@clinique-exemple.test").await;
    let transport = Transport::File(FileTransport::new(&workspace.path("outbox")));
    outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("deliver");
    // Roll the row back to the state a crash right after the write would leave.
    sqlx::query("UPDATE outbox SET status = 'sending', sent_at = NULL WHERE id = ?1")
        .bind(id)
        .execute(workspace.store().pool())
        .await
        .expect("simulate crash");

    let report = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("restart");
    assert_eq!(report.sent, 1);
    assert_eq!(
        eml_files(&workspace.path("outbox")).len(),
        1,
        "not sent twice"
    );
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!(row.status, "sent");
}

/// GIVEN the process died after claiming the row but before writing
/// WHEN the outbox runs again THEN the message is delivered exactly once.
#[tokio::test]
async fn a_crash_before_writing_delivers_the_message_on_restart() {
    let workspace = Workspace::new().await;
    queue(&workspace, "anne.exemple@clinique-exemple.test").await;
    // Claimed by a process that is gone.
    let claimed = rows::claim_next(
        workspace.store().pool(),
        "2026-11-23T09:00:00Z",
        "999999999",
    )
    .await
    .expect("claim")
    .expect("a due row");
    assert_eq!(claimed.status, "sending");

    let transport = Transport::File(FileTransport::new(&workspace.path("outbox")));
    let report = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("restart");
    assert_eq!(report.sent, 1);
    assert_eq!(eml_files(&workspace.path("outbox")).len(), 1);
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("sent", 2),
        "the interrupted attempt counts"
    );
}

#[tokio::test]
async fn a_temporary_failure_is_retried_later_then_given_up_after_the_attempt_limit() {
    let workspace = Workspace::new().await;
    queue(&workspace, "anne.exemple@clinique-exemple.test").await;
    // The outbox path is a file: every write fails like a full or read-only disk.
    let blocked = workspace.path("outbox-is-a-file");
    std::fs::write(&blocked, "not a folder").expect("write");
    let transport = Transport::File(FileTransport::new(&blocked));

    let first = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 2)
        .await
        .expect("first");
    assert_eq!(
        first,
        DeliveryReport {
            sent: 0,
            retried: 1,
            failed: 0
        }
    );
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!(row.status, "queued");
    assert!(row.last_error.is_some());

    // Not due yet: the fixed clock has not moved past the backoff.
    let early = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 2)
        .await
        .expect("early");
    assert_eq!(early, DeliveryReport::default());

    let later = mailroom::clock::Clock::fixed(
        "2026-11-23T10:00:00Z".parse().expect("instant"),
        fixed_clock().zone().clone(),
    );
    let second = outbox::deliver(workspace.store(), &transport, &rules(), &later, 2)
        .await
        .expect("second");
    assert_eq!(
        second,
        DeliveryReport {
            sent: 0,
            retried: 0,
            failed: 1
        }
    );
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 2));
}

#[tokio::test]
async fn an_invalid_recipient_is_a_permanent_failure_not_a_crash() {
    let workspace = Workspace::new().await;
    queue(&workspace, "not an address").await;
    let transport = Transport::File(FileTransport::new(&workspace.path("outbox")));
    let report = outbox::deliver(workspace.store(), &transport, &rules(), &fixed_clock(), 8)
        .await
        .expect("deliver");
    assert_eq!(report.failed, 1);
    assert!(eml_files(&workspace.path("outbox")).is_empty());
}
