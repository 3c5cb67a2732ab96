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
            "DROP TRIGGER IF EXISTS journal_raw_messages_update",
            "DROP TRIGGER IF EXISTS journal_messages_update",
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

/// `person rectify` of the contact's phone by a coordinator, `extra` arguments after.
fn rectify_phone(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "person",
        "rectify",
        CONTACT,
        "--field",
        "phone",
        "--value",
        "+32 82 00 00 00",
        "--by",
        "Coordinatrice",
    ];
    args.extend_from_slice(extra);
    ok(dir, LEFT, &args)
}

#[tokio::test]
async fn person_rectify_corrects_every_record_of_the_person_with_a_logged_reason() {
    let dir = workspace(false);
    let text = rectify_phone(
        dir.path(),
        &["--reason", "Demande de l’intéressé du 30 novembre"],
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

// ── Issue [evidence]: the journal holds against someone who can write the file ─────────

/// A copy of workspace `dir` — store, key, anchors, mail — for one attack.
fn copy_of(dir: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("tempdir");
    copy_tree(dir, copy.path());
    copy
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The database files of `from` replace those of `to` (another installation's, or an
/// earlier copy), the way an administrator would restore them.
fn replace_database(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let name = format!("mailroom.db{suffix}");
        let _ = std::fs::remove_file(to.join(&name));
        if from.join(&name).exists() {
            std::fs::copy(from.join(&name), to.join(&name)).expect("copy db");
        }
    }
}

/// Runs a Python script with `db`, an open `sqlite3` connection on the store, committed
/// afterwards: what anyone with the file and Python can do.
fn python(dir: &Path, script: &str) -> String {
    let program = format!(
        "import sqlite3, sys, json\ndb = sqlite3.connect(sys.argv[1])\n{script}\ndb.commit()\n"
    );
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(&program)
        .arg(dir.join("mailroom.db"))
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// An ordinary command after the attack: the daemon's pass (delivers, applies retention).
fn ordinary_command(dir: &Path) -> std::process::Output {
    mailroom_at(dir, LEFT, &["run", "--once"])
}

/// An ordinary command, then `log verify`, which must find something: its report.
fn after_attack(dir: &Path) -> Value {
    ordinary_command(dir);
    let (code, json) = verify_json(dir, &[]);
    assert_eq!(code, 1, "{json}");
    json
}

/// `log verify --format json`, extra arguments after: exit code and report.
fn verify_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["log", "verify", "--format", "json"];
    args.extend_from_slice(extra);
    let output = mailroom_at(dir, LEFT, &args);
    let code = output.status.code().unwrap_or(-1);
    assert_ne!(code, 2, "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(json["intact"], code == 0, "{json}");
    assert!(json["head"]["seq"].is_i64(), "{json}");
    (code, json)
}

/// The findings of kind `kind`, on `table` (and `row` when given).
fn found<'a>(json: &'a Value, kind: &str, table: &str, row: Option<i64>) -> Vec<&'a Value> {
    json["findings"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|f| {
                    f["kind"] == kind
                        && f["table"] == table
                        && row.is_none_or(|row| f["row"].as_i64() == Some(row))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a finding of `kind` on `table` (and `row`) says `needle`.
fn says(json: &Value, kind: &str, table: &str, row: Option<i64>, needle: &str) -> bool {
    found(json, kind, table, row)
        .iter()
        .any(|f| f["detail"].as_str().is_some_and(|d| d.contains(needle)))
}

/// A workspace with a row in as many journaled tables as ordinary use fills: a
/// membership (confirmation delivered), a resignation, an export, a consent, a retention
/// policy.
fn busy_workspace() -> tempfile::TempDir {
    let dir = workspace(true);
    ok(
        dir.path(),
        LEFT,
        &["person", "export", DIRECTION, "--by", "Auditrice"],
    );
    ok(
        dir.path(),
        LEFT,
        &[
            "consent",
            "1",
            "grant",
            "--scope",
            "lettre 2026",
            "--evidence",
            "scenario-1@mail.example",
            "--by",
            "Coordinatrice",
        ],
    );
    ok(
        dir.path(),
        LEFT,
        &[
            "retention",
            "set",
            "--days",
            "3650",
            "--by",
            "DPO",
            "--reason",
            "Registre",
        ],
    );
    dir
}

/// Python: the journaled tables that have rows, with their id column and first row.
const TABLES_WITH_ROWS: &str = r#"
tables = [("messages","id"),("raw_messages","message_row_id"),("attachments","id"),
  ("members","id"),("member_events","id"),("review_actions","id"),("outbox","id"),
  ("group_requests","id"),("cdp_access","member_id"),("tasks","id"),("consents","id"),
  ("access_log","id"),("digests","id"),("raw_tombstones","message_row_id"),
  ("retention_policy","id")]
out = []
for t, c in tables:
    row = db.execute(f"SELECT MIN({c}) FROM {t}").fetchone()[0]
    if row is not None:
        out.append([t, c, row])
print(json.dumps(out))
"#;

/// Python: changes one journaled field of `table` row `row` (the first one the table's
/// constraints accept changed).
fn update_script(table: &str, column: &str, row: i64) -> String {
    format!(
        r#"
view = {{"raw_messages": "raw_messages"}}.get("{table}", "{table}")
payload = json.loads(db.execute("SELECT payload FROM journal_of_{table} WHERE id = ?", ({row},)).fetchone()[0])
columns = [r[1] for r in db.execute("PRAGMA table_info({table})")]
done = None
for key, value in payload.items():
    if key not in columns or key == "{column}":
        continue
    for new in ([value + " (modifié)"] if isinstance(value, str) else [value + 1] if isinstance(value, int) else ["modifié"]):
        try:
            db.execute("SAVEPOINT s")
            db.execute(f"UPDATE {table} SET {{key}} = ? WHERE {column} = ?", (new, {row}))
            db.execute("RELEASE s")
            done = key
            break
        except sqlite3.DatabaseError:
            db.execute("ROLLBACK TO s")
            db.execute("RELEASE s")
    if done:
        break
print(done)
"#
    )
}

/// GIVEN a store built by mailroom, one row of each journaled table that has rows
/// WHEN someone updates it, deletes it, or inserts a copy under a new id with Python's
/// `sqlite3`, and an ordinary command runs
/// THEN `log verify` exits 1 and names the table, the row and (for an update) the field.
#[test]
fn a_row_updated_deleted_or_inserted_outside_mailroom_in_any_journaled_table_is_named() {
    let dir = busy_workspace();
    assert_eq!(verify_json(dir.path(), &[]).0, 0);
    let tables: Vec<(String, String, i64)> =
        serde_json::from_str(&python(dir.path(), TABLES_WITH_ROWS)).expect("tables");
    assert!(tables.len() >= 10, "{tables:?}");
    for (table, column, row) in &tables {
        // Update.
        let copy = copy_of(dir.path());
        let field = python(copy.path(), &update_script(table, column, *row));
        let field = field.trim();
        assert_ne!(field, "None", "{table}: no field could be changed");
        ordinary_command(copy.path());
        let (code, json) = verify_json(copy.path(), &[]);
        assert_eq!(code, 1, "{table} update: {json}");
        let changed = found(&json, "row_changed", table, Some(*row));
        assert!(
            changed
                .iter()
                .any(|f| f["detail"].as_str().is_some_and(|d| d.contains(field)
                    && d.contains("au lieu de")
                    && d.contains(&format!("table {table}, ligne {row}")))),
            "{table} update of {field}: {json}"
        );

        // Delete (the archive's own guard dropped first, as an attacker would).
        let copy = copy_of(dir.path());
        python(
            copy.path(),
            &format!(
                "db.execute('DROP TRIGGER IF EXISTS raw_messages_erased_behind_tombstone')\n\
                 db.execute('DELETE FROM {table} WHERE {column} = ?', ({row},))"
            ),
        );
        ordinary_command(copy.path());
        let (code, json) = verify_json(copy.path(), &[]);
        assert_eq!(code, 1, "{table} delete: {json}");
        let kind = if table == "raw_messages" {
            "raw_missing"
        } else {
            "row_deleted"
        };
        assert!(
            says(&json, kind, table, Some(*row), "effacé")
                || says(&json, kind, table, Some(*row), "disparu"),
            "{table} delete: {json}"
        );

        // Insert: a copy of the row under a new id.
        let copy = copy_of(dir.path());
        let new_id: i64 = python(
            copy.path(),
            &format!(
                "new = db.execute('SELECT MAX({column}) + 100 FROM {table}').fetchone()[0]\n\
                 db.execute('CREATE TEMP TABLE c AS SELECT * FROM {table} WHERE {column} = ?', ({row},))\n\
                 db.execute('UPDATE c SET {column} = ?', (new,))\n\
                 for attempt in range(6):\n\
                 \x20   try:\n\
                 \x20       db.execute('INSERT INTO {table} SELECT * FROM c')\n\
                 \x20       break\n\
                 \x20   except sqlite3.IntegrityError as e:\n\
                 \x20       for col in str(e).split(':', 1)[1].split(','):\n\
                 \x20           col = col.strip().split('.')[-1]\n\
                 \x20           db.execute(f\"UPDATE c SET {{col}} = CASE typeof({{col}}) WHEN 'text' THEN {{col}} || ' (copie)' ELSE {{col}} + 1000 END\")\n\
                 print(new)"
            ),
        )
        .trim()
        .parse()
        .expect("new id");
        ordinary_command(copy.path());
        let (code, json) = verify_json(copy.path(), &[]);
        assert_eq!(code, 1, "{table} insert: {json}");
        assert!(
            says(
                &json,
                "row_unjournaled",
                table,
                Some(new_id),
                "inséré hors de mailroom"
            ),
            "{table} insert: {json}"
        );
    }
}

/// The issue's own reproduction: one statement moves a membership's legal start eleven
/// months back; a later command of mailroom writes that very member (a rectification).
/// The change is still named, with the date it replaced, and mailroom's next seal did not
/// make it its own.
#[test]
fn an_effective_date_moved_with_python_stays_named_after_mailroom_writes_the_member_again() {
    let dir = workspace(false);
    let before: Value = serde_json::from_str(&python(
        dir.path(),
        "print(json.dumps(db.execute('SELECT effective_date FROM members WHERE id = 1').fetchone()[0]))",
    ))
    .expect("date");
    python(
        dir.path(),
        "db.execute(\"UPDATE members SET effective_date = '2026-01-01'\")",
    );
    rectify_phone(dir.path(), &[]);
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    let changed = found(&json, "row_changed", "members", Some(1));
    let expected = format!(
        "effective_date « 2026-01-01 » au lieu de « {} »",
        before.as_str().expect("a date")
    );
    assert!(
        changed.iter().any(|f| f["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&expected) && d.contains("constaté par mailroom"))),
        "{json}"
    );
    // The text report says it too.
    let (code, text) = verify(dir.path());
    assert_eq!(code, 1);
    assert!(
        text.contains("TABLE MODIFIÉE : membre 1 ne correspond plus"),
        "{text}"
    );
}

/// An entry forged to match an edit, left for mailroom to seal: no command seals it.
#[test]
fn no_command_seals_an_entry_it_did_not_write() {
    let dir = workspace(false);
    python(
        dir.path(),
        "db.execute(\"UPDATE members SET effective_date = '2026-01-01'\")\n\
         db.execute(\"INSERT INTO journal (at, entity, entity_id, payload) \
           SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now'), 'member', id, payload FROM journal_of_members\")",
    );
    ordinary_command(dir.path());
    ok(
        dir.path(),
        LEFT,
        &["person", "export", CONTACT, "--by", "Auditrice"],
    );
    let unsealed = python(
        dir.path(),
        "print(db.execute(\"SELECT COUNT(*) FROM journal WHERE hash IS NULL\").fetchone()[0])",
    );
    assert_eq!(unsealed.trim(), "1", "the forged entry is still unsealed");
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert!(
        json["findings"]
            .as_array()
            .is_some_and(|all| all.iter().any(|f| f["kind"] == "unsealed"
                && f["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("hors de mailroom")))),
        "{json}"
    );
    assert!(
        !found(&json, "row_changed", "members", Some(1)).is_empty(),
        "{json}"
    );
}

/// Every trigger of the file dropped, then a decision changed: still named.
#[test]
fn dropping_every_trigger_then_editing_is_named() {
    let dir = workspace(false);
    python(
        dir.path(),
        "for (name,) in db.execute(\"SELECT name FROM sqlite_master WHERE type = 'trigger'\").fetchall():\n    db.execute(f'DROP TRIGGER {name}')\n\
         db.execute(\"UPDATE messages SET outcome = 'incomplete' WHERE id = 1\")",
    );
    let json = after_attack(dir.path());
    assert!(
        says(
            &json,
            "row_changed",
            "messages",
            Some(1),
            "outcome « incomplete » au lieu de « registered »"
        ),
        "{json}"
    );
}

/// The journal's last entries deleted (guards dropped): the gap, and the anchored head
/// that is gone.
#[test]
fn deleting_the_last_journal_entries_is_named() {
    let dir = workspace(false);
    python(
        dir.path(),
        "db.execute('DROP TRIGGER journal_no_delete')\n\
         db.execute('DELETE FROM journal WHERE seq > (SELECT MAX(seq) - 3 FROM journal)')",
    );
    let json = after_attack(dir.path());
    assert!(
        !found(&json, "anchor_missing", "anchors", None).is_empty(),
        "{json}"
    );
}

/// Another installation's database swapped in: its seals are not under this key, and
/// this installation's anchored heads are not in its chain. No command extends it.
#[test]
fn another_installations_database_swapped_in_is_named() {
    let dir = workspace(false);
    let other = workspace(true);
    replace_database(other.path(), dir.path());
    let refused = ordinary_command(dir.path());
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("ne se vérifie pas sous la clé"),
        "{}",
        stderr(&refused)
    );
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    let kinds: Vec<&str> = json["findings"]
        .as_array()
        .map(|all| all.iter().filter_map(|f| f["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"wrong_key"), "{json}");
    assert!(kinds.contains(&"anchor_missing"), "{json}");
}

/// Last week's copy restored over the store: the heads anchored since are not in it.
#[test]
fn an_earlier_copy_restored_is_named() {
    let dir = workspace(false);
    let earlier = copy_of(dir.path());
    let resignation = Mail::new(
        CONTACT,
        &format!("ASeT-W — {MEUSE} — Résiliation"),
        "Bonjour,\n\nNous vous informons de la résiliation de notre convention d’engagement.\n\nPaul Lambert\n",
    );
    arrive(dir.path(), LEFT, "002.eml", &resignation.bytes(2));
    replace_database(earlier.path(), dir.path());
    let json = after_attack(dir.path());
    assert!(
        says(&json, "anchor_missing", "anchors", None, "copie antérieure"),
        "{json}"
    );
}

/// The anchors file edited (one hash changed) or truncated: named.
#[test]
fn an_edited_or_truncated_anchors_file_is_named() {
    let dir = workspace(true);
    let anchors = dir.path().join("mailroom.db.anchors");
    let text = std::fs::read_to_string(&anchors).expect("anchors");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3, "{text}");

    let edited = copy_of(dir.path());
    let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let at = changed.len() - 2;
    let mut parts: Vec<String> = changed[at].split(' ').map(str::to_owned).collect();
    let flipped = if parts[1].starts_with('0') { "1" } else { "0" };
    parts[1].replace_range(0..1, flipped);
    changed[at] = parts.join(" ");
    std::fs::write(
        edited.path().join("mailroom.db.anchors"),
        changed.join("\n") + "\n",
    )
    .expect("edit");
    let json = after_attack(edited.path());
    assert!(
        !found(&json, "anchor_missing", "anchors", None).is_empty(),
        "{json}"
    );
    assert!(
        !found(&json, "unanchored", "anchors", None).is_empty(),
        "{json}"
    );

    let truncated = copy_of(dir.path());
    std::fs::write(
        truncated.path().join("mailroom.db.anchors"),
        format!("{}\n", lines[0]),
    )
    .expect("truncate");
    let json = after_attack(truncated.path());
    assert!(
        says(&json, "unanchored", "anchors", None, "tronqué"),
        "{json}"
    );
}

/// Verifying with another key: one finding says so; no command extends the journal.
#[test]
fn verifying_with_the_wrong_key_is_named() {
    let dir = workspace(false);
    std::fs::write(dir.path().join("mailroom.db.key"), [7u8; 32]).expect("key");
    assert!(!ordinary_command(dir.path()).status.success());
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    let wrong = found(&json, "wrong_key", "journal", None);
    assert_eq!(wrong.len(), 1, "{json}");
    assert!(
        wrong[0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("ce n’est pas la clé de cette base")),
        "{json}"
    );
}

/// The key is created once, mode 0600, beside the database; a missing key afterwards is
/// an error that says what it means, not a new key.
#[test]
fn the_key_is_created_once_with_mode_0600_and_never_silently_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = workspace(false);
    let key = dir.path().join("mailroom.db.key");
    let mode = std::fs::metadata(&key).expect("key").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(std::fs::read(&key).expect("key").len(), 32);
    std::fs::remove_file(&key).expect("rm");
    let output = ordinary_command(dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("est introuvable"),
        "{}",
        stderr(&output)
    );
    assert!(!key.exists());
}

/// `log verify --anchor SEQ:HASH`: a head copied from a digest is checked; a head that is
/// not in the chain is named.
#[test]
fn log_verify_checks_a_head_given_on_the_command_line() {
    let dir = workspace(false);
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let head = format!(
        "{}:{}",
        json["head"]["seq"],
        json["head"]["hash"].as_str().expect("hash")
    );
    assert_eq!(verify_json(dir.path(), &["--anchor", &head]).0, 0);
    let other = format!("{}:{}", json["head"]["seq"], "ab".repeat(32));
    let (code, json) = verify_json(dir.path(), &["--anchor", &other]);
    assert_eq!(code, 1);
    assert!(
        says(
            &json,
            "anchor_missing",
            "anchors",
            None,
            "donnée avec --anchor"
        ),
        "{json}"
    );
    let bad = mailroom_at(dir.path(), LEFT, &["log", "verify", "--anchor", "12"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("Ancre invalide"), "{}", stderr(&bad));
}

// ── An untouched store verifies, whatever ordinary life does to it ──────────────────────

/// GIVEN a store written before [evidence] (SHA-256 chain, no key, schema 0006)
/// WHEN today's mailroom opens it
/// THEN migration 0007 applies, the store is keyed once (the upgrade journaled, chained to
/// the old head), and the whole journal verifies — the old part too is covered by the key.
#[test]
fn a_store_sealed_before_the_key_is_keyed_once_by_the_migration_and_verifies() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = crate::support::repo().join("tests/fixtures/audit/store-0006.db.gz");
    python(
        dir.path(),
        &format!(
            "db.close()\nimport gzip, shutil\n\
             with gzip.open('{}') as src, open(sys.argv[1], 'wb') as dst:\n    shutil.copyfileobj(src, dst)\n\
             db = sqlite3.connect(sys.argv[1])",
            fixture.display()
        ),
    );
    // Verified as it is, before any command of this version opened it: no key yet.
    let (code, text) = verify(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("pas encore scellé par clé"), "{text}");
    assert!(
        !dir.path().join("mailroom.db.key").exists(),
        "verify writes no key"
    );
    ordinary_command(dir.path());
    ordinary_command(dir.path());
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let upgrades: Vec<Value> = serde_json::from_str(&python(
        dir.path(),
        "print(json.dumps([json.loads(p) for (p,) in db.execute(\"SELECT payload FROM journal WHERE entity = 'journal'\")]))",
    ))
    .expect("upgrades");
    assert_eq!(upgrades.len(), 1, "keyed once: {upgrades:?}");
    assert_eq!(upgrades[0]["event"], "upgraded");
    assert_eq!(upgrades[0]["legacy_entries"], 33);
    assert_eq!(upgrades[0]["legacy_unsealed"], 0);
    let (_, text) = verify(dir.path());
    assert!(
        text.contains("33 entrée(s) scellée(s) avant la clé (SHA-256)"),
        "{text}"
    );
    // The SHA-256 part rewritten consistently (hash recomputed, chain relinked) still
    // breaks at the keyed entry that named the old head.
    let target: i64 = python(
        dir.path(),
        "db.execute('DROP TRIGGER journal_no_update')\n\
         import hashlib\n\
         rows = db.execute('SELECT seq, at, entity, entity_id, payload, blob_sha256 FROM journal WHERE seq <= 33 ORDER BY seq').fetchall()\n\
         prev = '0' * 64\n\
         target = next(r[0] for r in rows if '\"registered\"' in r[4])\n\
         print(target)\n\
         for seq, at, entity, entity_id, payload, blob in rows:\n\
         \x20   if seq == target:\n\
         \x20       payload = payload.replace('registered', 'ineligible')\n\
         \x20   h = hashlib.sha256(json.dumps([prev, at, entity, str(entity_id), payload, blob or ''], ensure_ascii=False, separators=(',', ':')).encode()).hexdigest()\n\
         \x20   db.execute('UPDATE journal SET payload = ?, prev_hash = ?, hash = ? WHERE seq = ?', (payload, prev, h, seq))\n\
         \x20   prev = h",
    )
    .trim()
    .parse()
    .expect("target");
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert!(
        found(&json, "altered", "journal", Some(target)).is_empty(),
        "the rewrite is consistent: {json}"
    );
    assert!(
        !found(&json, "broken", "journal", Some(34)).is_empty(),
        "{json}"
    );
}

/// The daemon, started in `dir`, once its store exists.
fn daemon(dir: &Path) -> std::process::Child {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(dir)
        .args(["run"])
        .env("MAILROOM_NOW", LEFT)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("daemon");
    let started = std::time::Instant::now();
    while !dir.join("mail/inbox/new").is_dir() {
        assert!(started.elapsed().as_secs() < 20, "daemon did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

/// Memberships from `count` organisations, delivered into the daemon's Maildir.
fn deliver_memberships(dir: &Path, from: usize, count: usize) {
    for n in from..from + count {
        let name = format!("Clinique Exemple {n}");
        let mail = Mail::membership(
            &format!("direction@clinique-{n}.example"),
            &name,
            "haute-meuse-complete.pdf",
        );
        crate::support::deliver_to_maildir(
            &dir.join("mail/inbox"),
            &format!("M{n}P{n}Q{n}"),
            1_795_420_800 + n as i64,
            &mail.bytes(n + 10),
        );
    }
}

/// Waits until the daemon has decided `count` messages (read from the store).
fn wait_decided(dir: &Path, count: usize) {
    let started = std::time::Instant::now();
    loop {
        let decided = python(
            dir,
            "print(db.execute('SELECT COUNT(*) FROM messages WHERE outcome IS NOT NULL').fetchone()[0])",
        );
        if decided.trim().parse::<usize>().unwrap_or(0) >= count {
            return;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "the daemon decided {decided}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// SIGKILL in the middle of the daemon's work, then a restart: the store verifies.
#[test]
fn an_untouched_store_verifies_after_a_sigkill_and_a_restart() {
    let dir = workspace(false);
    let mut child = daemon(dir.path());
    deliver_memberships(dir.path(), 1, 6);
    wait_decided(dir.path(), 2);
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    ok(dir.path(), LEFT, &["run", "--once"]);
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
}

/// The daemon and a command writing at once (an export journaled while mail is
/// decided): the chain stays one chain and verifies.
#[test]
fn an_untouched_store_verifies_with_the_daemon_and_a_command_writing_at_once() {
    let dir = workspace(false);
    let mut child = daemon(dir.path());
    deliver_memberships(dir.path(), 1, 6);
    for _ in 0..6 {
        ok(
            dir.path(),
            LEFT,
            &["person", "export", DIRECTION, "--by", "Auditrice"],
        );
    }
    wait_decided(dir.path(), 7);
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    child.wait().expect("wait");
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let exports = python(
        dir.path(),
        "print(db.execute(\"SELECT COUNT(*) FROM access_log WHERE command = 'person export'\").fetchone()[0])",
    );
    assert_eq!(exports.trim(), "6");
}

/// GIVEN a store whose key and anchors are configured in `[store]`, away from the database
/// WHEN the coordinators' digest goes out
/// THEN its text and HTML state the journal's head, and that head, copied from the mail,
/// verifies with `--anchor`; the files sit where `[store]` says, none beside the database.
#[test]
fn the_digest_states_the_head_and_the_key_and_anchors_go_where_the_store_section_says() {
    let dir = tempfile::tempdir().expect("tempdir");
    let vault = dir.path().join("vault");
    std::fs::write(
        dir.path().join("mailroom.toml"),
        "[store]\npath = \"mailroom.db\"\njournal_key_file = \"vault/journal.key\"\n\
         anchors_file = \"vault/journal.anchors\"\n\
         [roles]\ncoordinators = \"coordination@spw.test\"\n",
    )
    .expect("config");
    let with_config = |args: &[&str]| {
        let mut all = vec!["--config", "mailroom.toml"];
        all.extend_from_slice(args);
        ok(dir.path(), LEFT, &all)
    };
    std::fs::create_dir_all(&vault).expect("vault");
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).expect("incoming");
    std::fs::write(
        incoming.join("001.eml"),
        Mail::membership(DIRECTION, MEUSE, "haute-meuse-complete.pdf").bytes(1),
    )
    .expect("mail");
    with_config(&["ingest", "incoming/001.eml"]);
    with_config(&["digest", "--send", "--by", "Coordinatrice"]);
    with_config(&["run", "--once"]);
    assert!(vault.join("journal.key").is_file());
    assert!(vault.join("journal.anchors").is_file());
    assert!(!dir.path().join("mailroom.db.key").exists());
    assert!(!dir.path().join("mailroom.db.anchors").exists());
    let stated = python(
        dir.path(),
        "import email, email.policy, re\n\
         (raw,) = db.execute(\"SELECT sent_bytes FROM outbox WHERE purpose = 'digest' AND status = 'sent'\").fetchone()\n\
         mail = email.message_from_bytes(raw, policy=email.policy.default)\n\
         heads = set()\n\
         for part in mail.walk():\n\
         \x20   if part.get_content_maintype() == 'text':\n\
         \x20       heads.update(re.findall(r'--anchor (\\d+:[0-9a-f]{64})', part.get_content()))\n\
         print(json.dumps(sorted(heads)))",
    );
    let heads: Vec<String> = serde_json::from_str(&stated).expect("heads");
    assert_eq!(
        heads.len(),
        1,
        "text and HTML state the same head: {stated}"
    );
    let output = mailroom_at(
        dir.path(),
        LEFT,
        &[
            "--config",
            "mailroom.toml",
            "log",
            "verify",
            "--anchor",
            &heads[0],
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("vault/journal.anchors"),
        "{}",
        stdout(&output)
    );
}

/// A message's entry carries the form's SHA-256, not the form (migration 0008): a form
/// rewritten in the file is still named, by its hash.
#[test]
fn a_form_rewritten_in_the_file_is_named_by_its_hash() {
    let dir = workspace(false);
    let (size, hashed) = python(
        dir.path(),
        "print(db.execute(\"SELECT length(payload), payload LIKE '%form_sha256%' FROM journal \
         WHERE entity = 'message' AND entity_id = 1 ORDER BY seq DESC LIMIT 1\").fetchone())",
    )
    .trim()
    .trim_matches(['(', ')'])
    .split_once(", ")
    .map(|(size, hashed)| (size.parse::<usize>().unwrap_or(0), hashed == "1"))
    .expect("entry");
    assert!(hashed && size < 2000, "the entry is small: {size} bytes");
    python(
        dir.path(),
        "db.execute(\"UPDATE messages SET form = replace(form, 'Haute-Meuse', 'Basse-Meuse') WHERE id = 1\")",
    );
    let json = after_attack(dir.path());
    assert!(
        says(&json, "row_changed", "messages", Some(1), "form (SHA-256)"),
        "{json}"
    );
}

/// Python: a local RFC 3161 authority — `openssl ts -reply` behind an HTTP server, with
/// a throw-away CA and a time-stamping certificate (extended key usage timeStamping).
const LOCAL_TSA: &str = r#"
import http.server, os, subprocess, sys, tempfile
work = sys.argv[1]
def run(*args):
    subprocess.run(args, cwd=work, check=True, capture_output=True)
run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=CA de test", "-days", "2")
run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=TSA de test")
open(os.path.join(work, "ext.cnf"), "w").write("extendedKeyUsage=critical,timeStamping\n")
run("openssl", "x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "ext.cnf")
open(os.path.join(work, "tsa.cnf"), "w").write("[t]\nserial = ./serial\ncrypto_device = builtin\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n")
open(os.path.join(work, "serial"), "w").write("01\n")
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        query = self.rfile.read(int(self.headers["Content-Length"]))
        open(os.path.join(work, "req.der"), "wb").write(query)
        run("openssl", "ts", "-reply", "-queryfile", "req.der", "-config", "tsa.cnf", "-section", "t", "-inkey", "tsa.key", "-signer", "tsa.crt", "-out", "resp.der")
        reply = open(os.path.join(work, "resp.der"), "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// GIVEN `[journal] tsa_url` pointing at a local RFC 3161 authority (`openssl ts`)
/// WHEN the daemon passes, twice the same day, then the next day
/// THEN the head is time-stamped once a day, the token kept and journaled, `openssl ts
/// -verify` accepts it for that head, and `log verify` checks the head is still in the
/// chain (a restored earlier copy fails it).
#[test]
fn the_head_is_time_stamped_daily_by_an_rfc_3161_authority_and_openssl_verifies_the_token() {
    use std::io::BufRead;
    let dir = workspace(false);
    let tsa = tempfile::tempdir().expect("tsa");
    /// The local authority, stopped however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
    let mut server = Server(
        std::process::Command::new("python3")
            .arg("-c")
            .arg(LOCAL_TSA)
            .arg(tsa.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("tsa"),
    );
    let mut port = String::new();
    std::io::BufReader::new(server.0.stdout.take().expect("stdout"))
        .read_line(&mut port)
        .expect("port");
    std::fs::write(
        dir.path().join("mailroom.toml"),
        format!(
            "[journal]\ntsa_url = \"http://127.0.0.1:{}/tsa\"\n",
            port.trim()
        ),
    )
    .expect("config");
    let pass = |now: &str| {
        let output = mailroom_at(
            dir.path(),
            now,
            &["--config", "mailroom.toml", "run", "--once"],
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            !stderr(&output).contains("could not be time-stamped"),
            "{}",
            stderr(&output)
        );
    };
    let before = copy_of(dir.path());
    pass(LEFT);
    pass("2026-12-01T15:00:00Z");
    let count = |dir: &Path| {
        python(
            dir,
            "print(db.execute('SELECT COUNT(*) FROM journal_timestamps').fetchone()[0])",
        )
        .trim()
        .to_owned()
    };
    assert_eq!(count(dir.path()), "1", "once a day");
    pass("2026-12-02T09:30:00Z");
    assert_eq!(count(dir.path()), "2", "the next day");
    let stamped = python(
        dir.path(),
        &format!(
            "(seq, h, token) = db.execute('SELECT seq, hash, token FROM journal_timestamps ORDER BY id DESC LIMIT 1').fetchone()\n\
             open('{}', 'wb').write(token)\nprint(h)",
            tsa.path().join("token.der").display()
        ),
    );
    let checked = std::process::Command::new("openssl")
        .args([
            "ts",
            "-verify",
            "-digest",
            stamped.trim(),
            "-in",
            "token.der",
            "-token_in",
        ])
        .args(["-CAfile", "ca.crt", "-untrusted", "tsa.crt"])
        .current_dir(tsa.path())
        .output()
        .expect("openssl");
    let said = String::from_utf8_lossy(&checked.stdout).into_owned();
    assert!(
        said.contains("Verification: OK"),
        "{said} {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let (code, json) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json}");
    let (_, text) = verify(dir.path());
    assert!(text.contains("2 horodatage"), "{text}");
    // An earlier copy of the store, with the tokens (kept elsewhere) put in it: the
    // time-stamped heads are not in its chain.
    python(
        before.path(),
        &format!(
            "src = sqlite3.connect('{}')\n\
             db.execute('CREATE TABLE IF NOT EXISTS journal_timestamps (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, tsa_url TEXT NOT NULL, requested_at TEXT NOT NULL, token BLOB NOT NULL) STRICT')\n\
             for row in src.execute('SELECT * FROM journal_timestamps'):\n\
             \x20   db.execute('INSERT INTO journal_timestamps VALUES (?, ?, ?, ?, ?, ?)', row)",
            dir.path().join("mailroom.db").display()
        ),
    );
    // Its anchors file gone too: the time-stamps alone must catch it.
    let _ = std::fs::remove_file(before.path().join("mailroom.db.anchors"));
    let (code, json) = verify_json(before.path(), &[]);
    assert_eq!(code, 1, "{json}");
    assert!(
        says(&json, "anchor_missing", "anchors", None, "horodatée le"),
        "{json}"
    );
    drop(server);
}
