//! The auditors' half of issue [digest-audit]: the tamper-evident journal (`log verify`
//! against each kind of tampering), `log show` and the log's filters, the content-addressed
//! raw archive, and personal data (`person export`, `person rectify`, retention with
//! tombstones). Each test drives the real binary over a Maildir workspace; tampering is
//! done the way an attacker would: opening the SQLite file and dropping the protections.

use std::path::Path;

use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

use crate::support::{mailroom_at, stderr, stdout};
use crate::workflows::Mail;

const MEUSE: &str = "Centre Hospitalier Régional de la Haute-Meuse";
const DIRECTION: &str = "direction@chr-hautemeuse.example";
const CONTACT: &str = "paul.lambert@chr-hautemeuse.example";
/// The day the membership arrives, and the day the resignation does.
const JOINED: &str = "2026-11-23T09:00:00Z";
const LEFT: &str = "2026-12-01T09:00:00Z";

/// A workspace where Haute-Meuse joined (confirmation sent) and, with `resign`, left.
fn workspace(resign: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let membership = Mail::membership(DIRECTION, MEUSE, "haute-meuse-complete.pdf");
    arrive(dir.path(), JOINED, "001.eml", &membership.bytes(1));
    if resign {
        let resignation = Mail::new(
            CONTACT,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous vous informons de la résiliation de notre convention d’engagement.\n\nPaul Lambert\n",
        );
        arrive(dir.path(), LEFT, "002.eml", &resignation.bytes(2));
    }
    dir
}

/// `bytes` arrives at `now`, is ingested, and the outbox delivered.
fn arrive(dir: &Path, now: &str, name: &str, bytes: &[u8]) {
    let incoming = dir.join("incoming");
    std::fs::create_dir_all(&incoming).expect("incoming");
    std::fs::write(incoming.join(name), bytes).expect("write");
    ok(dir, now, &["ingest", &format!("incoming/{name}")]);
    ok(dir, now, &["run", "--once"]);
}

/// Runs the binary, which must succeed; returns stdout.
fn ok(dir: &Path, now: &str, args: &[&str]) -> String {
    let output = mailroom_at(dir, now, args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output)
}

/// `log verify`: its exit code and report.
fn verify(dir: &Path) -> (i32, String) {
    let output = mailroom_at(dir, LEFT, &["log", "verify"]);
    let code = output.status.code().unwrap_or(-1);
    assert_ne!(code, 2, "{}", stderr(&output));
    (code, stdout(&output))
}

/// The SQLite file opened directly, as someone with access to the server could.
async fn attacker(dir: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new().filename(dir.join("mailroom.db"));
    let pool = SqlitePool::connect_with(options).await.expect("open");
    for trigger in [
        "journal_no_update",
        "journal_no_delete",
        "raw_messages_erased_behind_tombstone",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {trigger}")))
            .execute(&pool)
            .await
            .expect("drop trigger");
    }
    pool
}

async fn run_sql(pool: &SqlitePool, statements: &[&str]) {
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(pool)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
}

/// The seq of the journal entry of `entity` `id` (its first one).
async fn seq_of(pool: &SqlitePool, entity: &str, id: i64) -> i64 {
    sqlx::query_scalar("SELECT MIN(seq) FROM journal WHERE entity = ?1 AND entity_id = ?2")
        .bind(entity)
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("seq")
}

#[test]
fn an_untouched_store_verifies_intact_after_a_membership_its_confirmation_and_a_resignation() {
    let dir = workspace(true);
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert!(report.starts_with("Journal intact : "), "{report}");
    assert!(
        report.contains("2 messages bruts conformes à leur empreinte"),
        "{report}"
    );
    assert!(report.contains("2 envois vérifiés"), "{report}");
}

#[tokio::test]
async fn the_journal_refuses_updates_and_deletions_while_its_protections_stand() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new().filename(dir.path().join("mailroom.db")),
    )
    .await
    .expect("open");
    for statement in [
        "UPDATE journal SET payload = '{}' WHERE seq = 1",
        "DELETE FROM journal WHERE seq = 1",
        "DELETE FROM raw_messages WHERE message_row_id = 1",
    ] {
        let error = sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
            .execute(&pool)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only")
                || error.to_string().contains("never deleted")
                || error.to_string().contains("tombstone"),
            "{error}"
        );
    }
}

#[tokio::test]
async fn log_verify_names_an_altered_entry() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = attacker(dir.path()).await;
    let seq = seq_of(&pool, "outgoing", 1).await;
    run_sql(
        &pool,
        &[&format!(
            "UPDATE journal SET payload = replace(payload, 'hautemeuse', 'ailleurs') WHERE seq = {seq}"
        )],
    )
    .await;
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("MODIFIÉE : entrée n° {seq} (envoi 1)")),
        "{report}"
    );
}

#[tokio::test]
async fn log_verify_names_a_deleted_entry() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = attacker(dir.path()).await;
    let seq = seq_of(&pool, "attachment", 1).await;
    run_sql(&pool, &[&format!("DELETE FROM journal WHERE seq = {seq}")]).await;
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("SUPPRIMÉE : entrée(s) n° {seq} absente(s)")),
        "{report}"
    );
}

/// GIVEN an attacker who knows the hash function and chains a forged entry correctly to
/// its predecessor, renumbering the entries after it
/// THEN the next entry still points past it, and verify names the forged one.
#[tokio::test]
async fn log_verify_names_an_inserted_entry_even_with_a_correct_hash() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = attacker(dir.path()).await;
    let at = seq_of(&pool, "member", 1).await;
    let (prev, when): (String, String) =
        sqlx::query_as("SELECT hash, at FROM journal WHERE seq = ?1")
            .bind(at - 1)
            .fetch_one(&pool)
            .await
            .expect("previous");
    let payload = r#"{"action":"approve","by":"Quelqu’un"}"#;
    let hash = mailroom::store::journal::entry_hash(&prev, &when, "review", 99, payload, None);
    run_sql(
        &pool,
        &[
            &format!("UPDATE journal SET seq = -seq - 1 WHERE seq >= {at}"),
            "UPDATE journal SET seq = -seq WHERE seq < 0",
            &format!(
                "INSERT INTO journal (seq, at, entity, entity_id, payload, prev_hash, hash)
                 VALUES ({at}, '{when}', 'review', 99, '{payload}', '{prev}', '{hash}')"
            ),
        ],
    )
    .await;
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!(
            "INSÉRÉE : entrée n° {at} (décision de vérification 99)"
        )),
        "{report}"
    );
}

#[tokio::test]
async fn log_verify_names_reordered_entries() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = attacker(dir.path()).await;
    let first = seq_of(&pool, "raw", 1).await;
    let second = first + 1;
    run_sql(
        &pool,
        &[
            &format!("UPDATE journal SET seq = -1 WHERE seq = {first}"),
            &format!("UPDATE journal SET seq = {first} WHERE seq = {second}"),
            &format!("UPDATE journal SET seq = {second} WHERE seq = -1"),
        ],
    )
    .await;
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains(&format!("DÉPLACÉE : entrée(s) n° {first} à")),
        "{report}"
    );
}

#[tokio::test]
async fn log_verify_detects_altered_raw_bytes_and_a_decision_edited_behind_the_journal() {
    let dir = workspace(false);
    verify(dir.path());
    let pool = attacker(dir.path()).await;
    run_sql(
        &pool,
        &[
            "DROP TRIGGER journal_raw_messages_update",
            "DROP TRIGGER journal_messages_update",
            "UPDATE raw_messages SET bytes = CAST(replace(CAST(bytes AS TEXT), 'Microsoft Outlook', 'Microsoft Outloop') AS BLOB) WHERE message_row_id = 1",
            "UPDATE messages SET outcome = 'incomplete' WHERE id = 1",
        ],
    )
    .await;
    let (code, report) = verify(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("ARCHIVE : message brut 1 altéré (SHA-256 "),
        "{report}"
    );
    assert!(
        report.contains("TABLE MODIFIÉE : message 1 ne correspond plus à sa dernière entrée"),
        "{report}"
    );
}

#[test]
fn log_show_gives_the_decision_trail_and_the_raw_bytes_and_the_log_finds_by_text() {
    let dir = workspace(false);
    let text = ok(dir.path(), LEFT, &["log", "show", "1"]);
    for expected in [
        "Message n° 1",
        "Type, résultat : convention, registered",
        "conforme à l’empreinte enregistrée",
        "Pièces jointes :",
        "haute-meuse-complete.pdf",
        "Changements des membres :",
        "registered",
        "Envois :",
        "acknowledgement",
        "Journal (chaîne d’empreintes) :",
    ] {
        assert!(text.contains(expected), "{expected} missing in {text}");
    }
    let json: Value = serde_json::from_str(&ok(
        dir.path(),
        LEFT,
        &["log", "show", "1", "--format", "json"],
    ))
    .expect("json");
    assert_eq!(json["entry"]["outcome"], "registered");
    assert_eq!(json["raw"]["kept"], true);
    assert_eq!(json["outgoing"][0]["purpose"], "acknowledgement");
    assert!(json["journal"].as_array().is_some_and(|j| !j.is_empty()));
    // By Message-ID too, and byte for byte.
    let raw = mailroom_at(
        dir.path(),
        LEFT,
        &["log", "show", "scenario-1@mail.example", "--raw"],
    );
    assert!(raw.status.success(), "{}", stderr(&raw));
    assert_eq!(
        raw.stdout,
        Mail::membership(DIRECTION, MEUSE, "haute-meuse-complete.pdf").bytes(1)
    );

    let find = |args: &[&str]| -> usize {
        let mut all = vec!["log", "--format", "json"];
        all.extend_from_slice(args);
        let rows: Vec<Value> = serde_json::from_str(&ok(dir.path(), LEFT, &all)).expect("json");
        rows.len()
    };
    assert_eq!(
        find(&["--search", "HAUTE MEUSE"]),
        1,
        "accents and case ignored"
    );
    assert_eq!(find(&["--search", "régionale"]), 0);
    assert_eq!(
        find(&["--search", "direction@chr"]),
        1,
        "the sender's address"
    );
    assert_eq!(find(&["--message-id", "<scenario-1@mail.example>"]), 1);
    assert_eq!(find(&["--outcome", "registered"]), 1);
    assert_eq!(find(&["--outcome", "resigned"]), 0);
    let bad = mailroom_at(dir.path(), LEFT, &["log", "--outcome", "perdu"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("Résultat inconnu « perdu »"),
        "{}",
        stderr(&bad)
    );
}

#[tokio::test]
async fn person_export_gives_everything_about_a_person_and_is_recorded_in_the_access_log() {
    let dir = workspace(false);
    let json: Value = serde_json::from_str(&ok(
        dir.path(),
        LEFT,
        &[
            "person",
            "export",
            "DIRECTION@chr-hautemeuse.example",
            "--by",
            "Auditrice",
        ],
    ))
    .expect("json");
    assert_eq!(
        json["members"][0]["roles"][0]["role"],
        "legal_representative"
    );
    assert_eq!(json["messages"].as_array().map(Vec::len), Some(1));
    assert!(
        json["messages"][0].get("raw").is_none(),
        "raw only on request"
    );
    assert!(json["outgoing"]
        .as_array()
        .is_some_and(|o| o.iter().any(|m| m["purpose"] == "acknowledgement")));
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new().filename(dir.path().join("mailroom.db")),
    )
    .await
    .expect("open");
    let (by, command, filter, personal): (String, String, String, i64) = sqlx::query_as(
        "SELECT by, command, filter, personal_data FROM access_log ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("access row");
    assert_eq!(
        (by.as_str(), command.as_str(), personal),
        ("Auditrice", "person export", 1)
    );
    assert!(
        filter.contains("direction@chr-hautemeuse.example"),
        "{filter}"
    );
    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "the export itself is journaled: {report}");
}

#[tokio::test]
async fn person_rectify_corrects_every_record_of_the_person_with_a_logged_reason() {
    let dir = workspace(false);
    let text = ok(
        dir.path(),
        LEFT,
        &[
            "person",
            "rectify",
            CONTACT,
            "--field",
            "phone",
            "--value",
            "+32 82 00 00 00",
            "--by",
            "Coordinatrice",
            "--reason",
            "Demande de l’intéressé du 30 novembre",
        ],
    );
    assert!(
        text.contains("Rectifié (phone → « +32 82 00 00 00 »)"),
        "{text}"
    );
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new().filename(dir.path().join("mailroom.db")),
    )
    .await
    .expect("open");
    let (contact, detail, by): (String, String, String) = sqlx::query_as(
        "SELECT m.contact_point, e.detail, e.by FROM members m
         JOIN member_events e ON e.member_id = m.id AND e.event = 'person_rectified'",
    )
    .fetch_one(&pool)
    .await
    .expect("rectified");
    assert!(contact.contains("+32 82 00 00 00"), "{contact}");
    assert!(
        detail.contains("Demande de l’intéressé") && detail.contains("before"),
        "{detail}"
    );
    assert_eq!(by, "Coordinatrice");
    let nobody = mailroom_at(
        dir.path(),
        LEFT,
        &[
            "person",
            "rectify",
            "personne@nulle-part.example",
            "--field",
            "phone",
            "--value",
            "1",
            "--by",
            "X",
        ],
    );
    assert_eq!(nobody.status.code(), Some(1));
    let bad = mailroom_at(
        dir.path(),
        LEFT,
        &[
            "person", "rectify", CONTACT, "--field", "salary", "--value", "1", "--by", "X",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(verify(dir.path()).0, 0);
}

/// GIVEN a member that resigned on 1 December 2026 and a period of 30 days set by the DPO
/// WHEN the daemon runs on 1 January 2027
/// THEN the raw messages are erased behind tombstones, the log rows, the form read (its
/// digital-signature data), the attachments' hashes and the confirmation's bytes stay, and
/// the journal still verifies.
#[tokio::test]
async fn retention_is_off_by_default_then_erases_raw_messages_of_resigned_members_behind_tombstones(
) {
    let dir = workspace(true);
    let later = "2027-01-01T09:00:00Z";
    ok(dir.path(), later, &["run", "--once"]);
    assert!(ok(dir.path(), later, &["retention"]).contains("Rétention désactivée"));
    ok(dir.path(), LEFT, &["log", "show", "1", "--raw"]);

    ok(
        dir.path(),
        later,
        &[
            "retention",
            "set",
            "--days",
            "30",
            "--by",
            "DPO",
            "--reason",
            "Registre des traitements",
        ],
    );
    // Not yet due on 31 December (30 days after 1 December).
    ok(dir.path(), "2026-12-31T09:00:00Z", &["run", "--once"]);
    ok(dir.path(), LEFT, &["log", "show", "1", "--raw"]);
    ok(dir.path(), later, &["run", "--once"]);

    let raw = mailroom_at(dir.path(), later, &["log", "show", "1", "--raw"]);
    assert_eq!(raw.status.code(), Some(2));
    assert!(stderr(&raw).contains("a été effacé"), "{}", stderr(&raw));
    let shown: Value = serde_json::from_str(&ok(
        dir.path(),
        later,
        &["log", "show", "1", "--format", "json"],
    ))
    .expect("json");
    assert_eq!(shown["raw"]["kept"], false);
    assert_eq!(shown["raw"]["erased"]["by"], "mailroom");
    assert_eq!(
        shown["entry"]["outcome"], "registered",
        "the decision trail stays"
    );
    assert!(
        shown["attachments"][0]["sha256"].is_string(),
        "the form's hash stays"
    );

    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new().filename(dir.path().join("mailroom.db")),
    )
    .await
    .expect("open");
    let (tombstones, raws): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM raw_tombstones), (SELECT COUNT(*) FROM raw_messages)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!((tombstones, raws), (2, 0));
    let (ack_bytes, form): (Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT (SELECT length(sent_bytes) FROM outbox WHERE purpose = 'acknowledgement'),
                (SELECT form FROM messages WHERE id = 1)",
    )
    .fetch_one(&pool)
    .await
    .expect("evidence");
    assert!(
        ack_bytes.is_some_and(|n| n > 0),
        "the confirmation's bytes stay"
    );
    assert!(
        form.is_some_and(|f| f.contains("signatures")),
        "the form read stays"
    );

    let (code, report) = verify(dir.path());
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("2 effacés par rétention"), "{report}");
}
