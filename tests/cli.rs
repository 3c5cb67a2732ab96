//! The command line as users and auditors run it (issue [pipeline], stable interface).

use std::time::{Duration, SystemTime};

use crate::support::{copy_with_times, fixtures, mailroom, stderr, stdout};

fn workspace_with(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let chosen: Vec<_> = fixtures("mail", "eml")
        .into_iter()
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            names.iter().any(|wanted| name.starts_with(wanted))
        })
        .collect();
    assert_eq!(chosen.len(), names.len());
    // 14 April 2026 08:00 UTC, then an hour apart.
    let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_776_153_600);
    copy_with_times(&chosen, &dir.path().join("inbox"), start);
    dir
}

fn log_json(dir: &std::path::Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["--db", "t.db", "log", "--format", "json"];
    args.extend_from_slice(extra);
    let output = mailroom(dir, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("a JSON array")
}

#[test]
fn ingest_prints_one_line_per_message_and_a_french_summary() {
    let dir = workspace_with(&["001", "022", "030"]);
    let output = mailroom(dir.path(), &["--db", "t.db", "ingest", "inbox"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("convention     registered      Clinique Saint-Exemple"),
        "{text}"
    );
    assert!(
        text.contains("contact_change held_for_review Résidence Les Tilleuls"),
        "{text}"
    );
    assert!(text.contains("auto_reply     ignored"), "{text}");
    assert!(
        text.contains(
            "3 messages traités : 1 retenu pour vérification, 1 ignoré, 1 adhésion enregistrée."
        ),
        "{text}"
    );
}

#[test]
fn the_json_log_carries_the_stable_keys_auditors_rely_on() {
    let dir = workspace_with(&["001", "043"]);
    assert!(mailroom(dir.path(), &["--db", "t.db", "ingest", "inbox"])
        .status
        .success());
    let entries = log_json(dir.path(), &[]);
    assert_eq!(entries.len(), 2);
    for entry in &entries {
        for key in [
            "message_id",
            "received_at",
            "sent_at",
            "from",
            "subject",
            "kind",
            "outcome",
            "problems",
            "organisation",
            "ack_sent_at",
        ] {
            assert!(entry.get(key).is_some(), "{key} missing in {entry}");
        }
        assert!(entry["problems"].is_array());
    }
    assert_eq!(entries[0]["kind"], "convention");
    assert_eq!(entries[0]["received_at"], "2026-04-14T08:00:00Z");
    assert_eq!(
        entries[1]["problems"],
        serde_json::json!(["subject.control_characters"])
    );
    assert!(entries[0]["reasons"][0]
        .as_str()
        .is_some_and(|r| r.contains("article 6.1")));
}

#[test]
fn the_log_filters_by_kind_organisation_sender_and_dates() {
    let dir = workspace_with(&["001", "008", "026", "029", "037"]);
    assert!(mailroom(dir.path(), &["--db", "t.db", "ingest", "inbox"])
        .status
        .success());

    let resignations = log_json(dir.path(), &["--kind", "resignation"]);
    assert_eq!(resignations.len(), 2);
    // Case, accents and punctuation do not matter when looking an organisation up.
    let by_org = log_json(dir.path(), &["--org", "centre hospitalier FICTIF de namur"]);
    assert_eq!(by_org.len(), 2);
    let from = by_org[0]["from"].as_str().expect("from").to_uppercase();
    assert!(
        !log_json(dir.path(), &["--from", &from]).is_empty(),
        "case-insensitive sender"
    );
    // The files arrived 14 April 2026 from 10:00 Brussels time, an hour apart.
    assert_eq!(log_json(dir.path(), &["--since", "2026-04-15"]).len(), 0);
    assert_eq!(log_json(dir.path(), &["--until", "2026-04-14"]).len(), 5);
    assert_eq!(
        log_json(
            dir.path(),
            &[
                "--since",
                "2026-04-14T09:30:00Z",
                "--until",
                "2026-04-14T11:30:00Z"
            ]
        )
        .len(),
        2
    );
}

#[test]
fn the_csv_log_opens_cleanly_in_excel_set_to_belgian_french() {
    let dir = workspace_with(&["001", "026"]);
    assert!(mailroom(dir.path(), &["--db", "t.db", "ingest", "inbox"])
        .status
        .success());
    let output = mailroom(dir.path(), &["--db", "t.db", "log", "--format", "csv"]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with('\u{feff}'), "BOM so Excel reads UTF-8");
    let header = text.lines().next().expect("header");
    assert!(
        header.contains("received_at;sent_at;from;subject;kind;outcome"),
        "{header}"
    );
    assert!(text.contains("\r\n"));
    assert!(
        text.contains("2026-04-14 10:00:00"),
        "Brussels time, a date Excel recognises: {text}"
    );
}

#[test]
fn the_table_log_shows_dates_as_people_read_them() {
    let dir = workspace_with(&["001"]);
    assert!(mailroom(dir.path(), &["--db", "t.db", "ingest", "inbox"])
        .status
        .success());
    let output = mailroom(dir.path(), &["--db", "t.db", "log"]);
    let text = stdout(&output);
    assert!(text.contains("14 avril 2026 10:00"), "{text}");
    assert!(text.contains("1 message."), "{text}");
}

#[test]
fn bad_arguments_paths_and_configuration_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = mailroom(dir.path(), &["--db", "t.db", "ingest", "nowhere"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("nowhere"), "{}", stderr(&missing));

    let unknown_kind = mailroom(dir.path(), &["--db", "t.db", "log", "--kind", "spam"]);
    assert_eq!(unknown_kind.status.code(), Some(2));
    assert!(
        stderr(&unknown_kind).contains("Type inconnu"),
        "{}",
        stderr(&unknown_kind)
    );

    let bad_date = mailroom(dir.path(), &["--db", "t.db", "log", "--since", "hier"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(
        stderr(&bad_date).contains("Date invalide"),
        "{}",
        stderr(&bad_date)
    );

    std::fs::write(dir.path().join("bad.toml"), "[mailbox]\npoll = 3\n").expect("write");
    let bad_config = mailroom(dir.path(), &["--config", "bad.toml", "log"]);
    assert_eq!(bad_config.status.code(), Some(2));
    assert!(
        stderr(&bad_config).contains("poll"),
        "{}",
        stderr(&bad_config)
    );

    let no_command = mailroom(dir.path(), &[]);
    assert_eq!(no_command.status.code(), Some(2));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--help"][..],
        &["ingest", "--help"],
        &["run", "--help"],
        &["log", "--help"],
    ] {
        let output = mailroom(dir.path(), args);
        assert!(output.status.success(), "{args:?}");
        assert!(stdout(&output).contains("Usage"), "{args:?}");
    }
}
