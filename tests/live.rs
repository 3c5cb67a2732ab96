//! The live mailbox end to end (issue [live-mailbox]): `mailroom run` against a real
//! Dovecot (IMAP, IDLE) and Postfix's smtp-sink (SMTP), both started here on loopback.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::dovecot::Dovecot;
use crate::support::smtp_sink::{Mode, SmtpSink};
use crate::support::{repo, simple_message};

/// A membership mail with the complete Haute-Meuse form, as Outlook sends it.
fn membership(message_id: &str, from: &str) -> Vec<u8> {
    use base64::Engine;
    let pdf = std::fs::read(repo().join("tests/fixtures/workflows/haute-meuse-complete.pdf"))
        .expect("form");
    let encoded = base64::engine::general_purpose::STANDARD.encode(pdf);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "From: {from}\r\nTo: alliancesante.durable@spw.wallonie.be\r\n\
         Subject: =?utf-8?B?{subject}?=\r\nDate: Mon, 23 Nov 2026 09:00:00 +0100\r\n\
         Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour, voici notre formulaire.\r\n--b\r\n\
         Content-Type: application/pdf; name=\"form.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {data}\r\n--b--\r\n",
        subject = base64::engine::general_purpose::STANDARD
            .encode("ASeT-W — Convention d’engagement — Centre Hospitalier Régional de la Haute-Meuse"),
        data = lines.join("\r\n"),
    )
    .into_bytes()
}

/// A convention without its form, from `from`: answered with an "unreadable" reply.
fn without_form(n: usize) -> Vec<u8> {
    simple_message(
        &format!("bulk-{n}@members.example"),
        &format!("ASeT-W - Convention d engagement - Organisation {n}"),
        "",
    )
    .replace(
        "From: Anne Exemple <anne.exemple@clinique-exemple.test>",
        &format!("From: membre{n}@org{n}.example"),
    )
    .into_bytes()
}

/// The configuration of a daemon watching `dovecot`'s INBOX from the beginning.
fn config(dir: &Path, dovecot: &Dovecot) -> std::path::PathBuf {
    config_with(dir, dovecot, "start = \"all\"\ntimeout_seconds = 10\n")
}

/// A configuration whose `[mailbox.imap]` reads `dovecot`'s INBOX, with `imap_lines`
/// added to that section.
fn config_with(dir: &Path, dovecot: &Dovecot, imap_lines: &str) -> std::path::PathBuf {
    let path = dir.join("mailroom.toml");
    std::fs::write(
        &path,
        format!(
            "store = \"{db}\"\n[mailbox]\npoll_interval_ms = 200\n[mailbox.imap]\nurl = \"{url}\"\n{imap_lines}",
            db = dir.join("mailroom.db").display(),
            url = dovecot.url(),
        ),
    )
    .expect("config");
    path
}

/// `mailroom run --once` with `config`, connections from the environment.
fn run_once(dir: &Path, config: &Path, password: &str, sink: &SmtpSink) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(dir)
        .args(["--config", config.to_str().expect("path"), "run", "--once"])
        .env("MAILROOM_IMAP_PASSWORD", password)
        .env("MAILROOM_SMTP_URL", sink.url())
        .env_remove("MAILROOM_IMAP_URL")
        .output()
        .expect("run")
}

/// `mailroom run` in the background, connections from the environment as in production.
fn daemon(dir: &Path, dovecot: &Dovecot, sink: &SmtpSink, once: bool) -> Child {
    let config = config(dir, dovecot);
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailroom"));
    command
        .current_dir(dir)
        .args(["--config", config.to_str().expect("path"), "run"])
        .env("MAILROOM_IMAP_PASSWORD", &dovecot.password)
        .env("MAILROOM_SMTP_URL", sink.url())
        .env_remove("MAILROOM_IMAP_URL")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if once {
        command.arg("--once");
    }
    command.spawn().expect("start mailroom")
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn wait_for_count(dovecot: &Dovecot, folder: &str, n: usize, limit: Duration) {
    let deadline = Instant::now() + limit;
    while dovecot.count(folder).await < n {
        assert!(
            Instant::now() < deadline,
            "{folder} never held {n} messages; Dovecot log:\n{}",
            dovecot.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn new_mail_is_handled_within_seconds_with_idle_and_the_confirmation_goes_out_by_smtp() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = daemon(dir.path(), &dovecot, &sink, false);
    // Let it connect and start IDLE on an empty INBOX.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sent = Instant::now();
    dovecot
        .append(
            "INBOX",
            &membership(
                "live-1@chr-hautemeuse.example",
                "direction@chr-hautemeuse.example",
            ),
        )
        .await;
    let acks = sink.wait_for(1, Duration::from_secs(10));
    let latency = sent.elapsed();
    assert!(latency < Duration::from_secs(5), "handled in {latency:?}");
    let ack = String::from_utf8_lossy(&acks[0]);
    assert!(ack.contains("Auto-Submitted: auto-replied"), "{ack}");
    assert!(
        ack.contains("In-Reply-To: <live-1@chr-hautemeuse.example>"),
        "{ack}"
    );
    wait_for_count(&dovecot, "Traité", 1, Duration::from_secs(5)).await;
    assert_eq!(dovecot.count("INBOX").await, 0, "moved after the commit");
    assert_eq!(terminate(&mut child).code(), Some(0), "SIGTERM: clean exit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_restart_during_idle_is_survived() {
    let mut dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = daemon(dir.path(), &dovecot, &sink, false);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    dovecot.restart();
    dovecot.append("INBOX", &without_form(1)).await;
    // Reconnection backs off from one second.
    sink.wait_for(1, Duration::from_secs(20));
    wait_for_count(&dovecot, "Traité", 1, Duration::from_secs(10)).await;
    assert_eq!(terminate(&mut child).code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daemon_killed_mid_batch_loses_nothing_and_answers_nothing_twice() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    const N: usize = 150;
    for n in 0..N {
        dovecot.append("INBOX", &without_form(n)).await;
    }
    let mut child = daemon(dir.path(), &dovecot, &sink, false);
    // Kill it hard once it has started moving mail.
    wait_for_count(&dovecot, "Traité", 1, Duration::from_secs(30)).await;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let mut again = daemon(dir.path(), &dovecot, &sink, true);
    let status = again.wait().expect("wait");
    assert!(status.success(), "second run");
    assert_eq!(dovecot.count("INBOX").await, 0, "nothing left behind");
    assert_eq!(dovecot.count("Traité").await, N, "every message handled");
    let replies = sink.wait_for(N, Duration::from_secs(20));
    let mut ids: Vec<String> = replies
        .iter()
        .filter_map(|m| {
            String::from_utf8_lossy(m)
                .lines()
                .find(|l| l.starts_with("In-Reply-To:"))
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "one reply per message");
    assert_eq!(replies.len(), N, "and never two");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_changed_uidvalidity_rereads_the_folder_without_answering_twice() {
    let mut dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    let first = without_form(1);
    dovecot.append("INBOX", &first).await;
    let run = daemon(dir.path(), &dovecot, &sink, true)
        .wait()
        .expect("run");
    assert!(run.success());
    sink.wait_for(1, Duration::from_secs(10));
    // The mailbox is rebuilt: new UIDVALIDITY, the same message back in INBOX, a new one.
    for name in ["dovecot-uidlist", "dovecot-uidvalidity"] {
        let _ = std::fs::remove_file(dovecot.maildir().join(name));
    }
    dovecot.restart();
    dovecot.append("INBOX", &first).await;
    dovecot.append("INBOX", &without_form(2)).await;
    let run = daemon(dir.path(), &dovecot, &sink, true)
        .wait()
        .expect("run");
    assert!(run.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        sink.messages().len(),
        2,
        "the copy is a duplicate, the new one answered"
    );
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(dovecot.count("Ignoré").await, 1, "the duplicate");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_run_does_not_acknowledge_the_past_by_default() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    dovecot.append("INBOX", &without_form(1)).await;
    let config = config_with(dir.path(), &dovecot, "");
    let output = run_once(dir.path(), &config, &dovecot.password, &sink);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        dovecot.count("INBOX").await,
        1,
        "years of mail are left alone"
    );
    assert!(sink.messages().is_empty());
}

/// The outbox over SMTP: a 4xx is retried with backoff and then delivered; a 5xx is
/// recorded as failed with the server's reply, for coordinators to see.
#[tokio::test(flavor = "multi_thread")]
async fn the_outbox_retries_a_temporary_refusal_and_records_a_permanent_one() {
    use mailroom::outbox::{self, SmtpSettings, SmtpTransport, Transport};
    use mailroom::store::outbox as rows;
    use mailroom::workflow::Reply;

    let workspace = crate::support::Workspace::new().await;
    let rules = mailroom::rules::Rules::embedded().expect("rules");
    let queue = |to: &'static str| {
        let store = workspace.store().clone();
        let rules = rules.clone();
        async move {
            let mut tx = store.begin().await.expect("tx");
            let reply = Reply {
                purpose: "acknowledgement".to_owned(),
                to: vec![to.to_owned()],
                subject: "ASeT-W — test".to_owned(),
                body_text: "Bonjour.\n".to_owned(),
                ..Reply::default()
            };
            let id = outbox::enqueue(
                &mut tx,
                &reply,
                "alliancesante.durable@spw.wallonie.be",
                None,
                &rules,
                crate::support::fixed_clock().now(),
            )
            .await
            .expect("enqueue");
            tx.commit().await.expect("commit");
            id
        }
    };
    let mut sink = SmtpSink::start(Mode::TempFailRcpt);
    let settings = SmtpSettings::new(&sink.url(), None, Duration::from_secs(10)).expect("settings");
    let transport = Transport::Smtp(Box::new(SmtpTransport::new(&settings).expect("transport")));
    let id = queue("anne.dupuis@chr-hautemeuse.example").await;
    let now = crate::support::fixed_clock();
    let report = outbox::deliver(workspace.store(), &transport, &rules, &now, 8)
        .await
        .expect("deliver");
    assert_eq!(report.retried, 1);
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!(row.status, "queued");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("451")),
        "{row:?}"
    );

    sink.restart(Mode::Accept);
    let later = crate::support::clock_at("2026-11-23T09:05:00Z");
    let report = outbox::deliver(workspace.store(), &transport, &rules, &later, 8)
        .await
        .expect("deliver");
    assert_eq!(report.sent, 1);
    assert_eq!(sink.wait_for(1, Duration::from_secs(5)).len(), 1);
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(0);
    assert_eq!((row.id, row.status.as_str()), (id, "sent"));
    assert!(
        row.delivery_ref
            .as_deref()
            .is_some_and(|r| r.starts_with("2")),
        "{row:?}"
    );

    sink.restart(Mode::RejectRcpt);
    queue("nobody@chr-hautemeuse.example").await;
    let report = outbox::deliver(workspace.store(), &transport, &rules, &later, 8)
        .await
        .expect("deliver");
    assert_eq!(report.failed, 1);
    let row = rows::all(workspace.store().pool())
        .await
        .expect("rows")
        .remove(1);
    assert_eq!(row.status, "failed");
    assert!(
        row.last_error.as_deref().is_some_and(|e| e.contains("550")),
        "{row:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_says_what_it_found_and_diagnoses_a_refused_password() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &dovecot);
    let run = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_mailroom"))
            .current_dir(dir.path())
            .args(["--config", config.to_str().expect("path"), "check"])
            .env("MAILROOM_IMAP_PASSWORD", password)
            .env("MAILROOM_SMTP_URL", sink.url())
            .output()
            .expect("check")
    };
    let good = run(&dovecot.password);
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert!(
        text.contains("connexion et authentification (mot de passe) : OK"),
        "{text}"
    );
    assert!(text.contains("IDLE"), "{text}");
    assert!(
        text.contains("« À vérifier » : absent, sera créé"),
        "{text}"
    );
    assert!(
        text.contains("SMTP") && text.contains("connexion : OK"),
        "{text}"
    );
    assert!(
        !text.contains(&dovecot.password),
        "secrets are never printed"
    );

    let bad = run("not-the-password");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(text.contains("identifiants sont refusés"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_the_server_keeps_refusing_goes_to_quarantine_and_the_others_go_on() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    for n in 1..=3 {
        dovecot.append("INBOX", &without_form(n)).await;
    }
    // The second message's file becomes unreadable to the server.
    let cur = dovecot.maildir().join("cur");
    let new = dovecot.maildir().join("new");
    let mut files: Vec<std::path::PathBuf> = [cur, new]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let second = files
        .iter()
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("bulk-2@")))
        .expect("second message on disk")
        .clone();
    std::fs::write(&second, b"").expect("truncate");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&second, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // Dovecot drops the connection on that message: each run counts one more failure (the
    // attempt is counted before it is made), and the third sends it to quarantine unread.
    let mut runs = 0;
    while dovecot.count("Quarantaine").await == 0 || dovecot.count("INBOX").await > 0 {
        runs += 1;
        assert!(
            runs <= 6,
            "never quarantined; Dovecot log:\n{}",
            dovecot.log()
        );
        let _ = daemon(dir.path(), &dovecot, &sink, true)
            .wait_with_output()
            .expect("run");
    }
    let last = daemon(dir.path(), &dovecot, &sink, true)
        .wait_with_output()
        .expect("run");
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    assert_eq!(dovecot.count("Quarantaine").await, 1, "{}", dovecot.log());
    assert_eq!(dovecot.count("Traité").await, 2, "the others were handled");
    assert_eq!(dovecot.count("INBOX").await, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.messages().len(),
        2,
        "one reply each, whatever the restarts"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_junk_folder_is_read_and_only_mail_that_passed_dmarc_is_answered() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = "Courrier indésirable";
    let caught = membership(
        "junk-1@chr-hautemeuse.example",
        "direction@chr-hautemeuse.example",
    );
    let mut passed = b"Authentication-Results: spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=chr-hautesambre.example; dkim=pass (signature was verified) header.d=chr-hautesambre.example;dmarc=pass action=none header.from=chr-hautesambre.example;compauth=pass reason=100\r\n".to_vec();
    passed.extend(without_form(7));
    dovecot.append(junk, &caught).await;
    dovecot.append(junk, &passed).await;
    let config = config_with(
        dir.path(),
        &dovecot,
        &format!("start = \"all\"\njunk_folder = \"{junk}\"\n"),
    );
    let output = run_once(dir.path(), &config, &dovecot.password, &sink);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(dovecot.count(junk).await, 0, "both read and filed");
    assert_eq!(
        dovecot.count("À vérifier").await,
        1,
        "the one without DMARC pass"
    );
    let replies = sink.wait_for(1, Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.messages().len(),
        1,
        "only the authenticated one is answered"
    );
    assert!(String::from_utf8_lossy(&replies[0]).contains("bulk-7@members.example"));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_uidvalidity_change_the_past_is_still_left_alone() {
    let mut dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    // Years of mail before mailroom: one message received in January.
    dovecot
        .append_at("INBOX", &without_form(1), "05-Jan-2026 10:00:00 +0100")
        .await;
    let config = config_with(dir.path(), &dovecot, "");
    let password = dovecot.password.clone();
    let run = || run_once(dir.path(), &config, &password, &sink);
    assert!(run().status.success());
    // The folder is rebuilt: new UIDVALIDITY; a new message arrives.
    for name in ["dovecot-uidlist", "dovecot-uidvalidity"] {
        let _ = std::fs::remove_file(dovecot.maildir().join(name));
    }
    dovecot.restart();
    dovecot.append("INBOX", &without_form(2)).await;
    let output = run();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let replies = sink.wait_for(1, Duration::from_secs(5));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "only the new message is answered");
    assert!(String::from_utf8_lossy(&replies[0]).contains("bulk-2@members.example"));
    assert_eq!(
        dovecot.count("INBOX").await,
        1,
        "the past stays where it was"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_past_can_be_imported_without_answering_it() {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir().expect("tempdir");
    dovecot.append("INBOX", &without_form(1)).await;
    let config = config_with(dir.path(), &dovecot, "import_past = true\n");
    let output = run_once(dir.path(), &config, &dovecot.password, &sink);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(dovecot.count("INBOX").await, 1, "left where it was");
    assert!(sink.messages().is_empty(), "never answered");
    let log = Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(dir.path())
        .args([
            "--config",
            config.to_str().expect("path"),
            "log",
            "--format",
            "json",
        ])
        .output()
        .expect("log");
    let entries: serde_json::Value = serde_json::from_slice(&log.stdout).expect("json");
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "but recorded");
    assert_eq!(entries[0]["outcome"], "ignored");
    let reasons = entries[0]["reasons"].to_string();
    assert!(reasons.contains("importé sans réponse"), "{reasons}");
}
