//! The SMTP transport against a real server: Postfix's smtp-sink, one per test.

use std::time::{Duration, Instant};

use mailroom::outbox::{SendError, SmtpSettings, SmtpTransport};

use crate::support::smtp_sink::{self, Mode, SmtpSink};

const FROM: &str = "info@alliance.test";
const WAIT: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(10);

fn transport(url: &str) -> SmtpTransport {
    transport_with(url, None, TIMEOUT)
}

fn transport_with(url: &str, password: Option<&str>, timeout: Duration) -> SmtpTransport {
    let settings =
        SmtpSettings::new(url, password.map(str::to_owned), timeout).expect("SMTP settings");
    SmtpTransport::new(&settings).expect("SMTP transport")
}

fn recipients(addresses: &[&str]) -> Vec<String> {
    addresses
        .iter()
        .map(|address| (*address).to_owned())
        .collect()
}

/// A composed message (CRLF line ends) with lines SMTP must escape: a leading dot, two
/// dots, a lone dot, and 8-bit UTF-8 (smtp-sink offers 8BITMIME).
fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: {FROM}\r\n\
         To: membre@clinique-exemple.test\r\n\
         Subject: {subject}\r\n\
         Message-ID: <{subject}@alliance.test>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Bonjour,\r\n\
         .une ligne qui commence par un point\r\n\
         ..deux points\r\n\
         .\r\n\
         Nous avons bien reçu votre formulaire d’adhésion.\r\n\
         \r\n"
    )
    .into_bytes()
}

/// `bytes` as smtp-sink stores them: LF line ends.
fn as_stored(bytes: &[u8]) -> Vec<u8> {
    String::from_utf8(bytes.to_vec())
        .expect("UTF-8 test message")
        .replace("\r\n", "\n")
        .into_bytes()
}

/// A port on 127.0.0.1 where nothing listens (free a moment ago).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

#[tokio::test]
async fn accepted_message_arrives_byte_identical() {
    let sink = SmtpSink::start(Mode::Accept);
    let bytes = message("accepted");
    let reference = transport(&sink.url())
        .send(FROM, &recipients(&["membre@clinique-exemple.test"]), &bytes)
        .await
        .expect("accepted");
    assert_eq!(reference, "2.0.0 Ok");
    let messages = sink.wait_for(1, WAIT);
    assert_eq!(messages.len(), 1);
    // Dot-stuffed on the wire, unstuffed by the sink; no empty line added at the end.
    assert_eq!(
        String::from_utf8_lossy(&messages[0]),
        String::from_utf8_lossy(&as_stored(&bytes))
    );
}

#[tokio::test]
async fn messages_are_listed_oldest_first() {
    let sink = SmtpSink::start(Mode::Accept);
    let transport = transport(&sink.url());
    let to = recipients(&["a@clinique-exemple.test", "b@clinique-exemple.test"]);
    for subject in ["first", "second", "third"] {
        transport
            .send(FROM, &to, &message(subject))
            .await
            .expect("accepted");
        // smtp-sink's files are ordered by modification time: keep them apart.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    transport.close().await;
    let messages = sink.wait_for(3, WAIT);
    let expected: Vec<Vec<u8>> = ["first", "second", "third"]
        .iter()
        .map(|subject| as_stored(&message(subject)))
        .collect();
    assert_eq!(messages, expected);
}

#[tokio::test]
async fn temporary_refusal_at_rcpt_is_transient_with_the_reply() {
    let sink = SmtpSink::start(Mode::TempFailRcpt);
    let result = transport(&sink.url())
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => {
            assert!(reason.contains(smtp_sink::TEMP_FAIL_REPLY), "{reason}")
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn refusal_at_rcpt_is_permanent_with_the_code() {
    let sink = SmtpSink::start(Mode::RejectRcpt);
    let result = transport(&sink.url())
        .send(
            FROM,
            &recipients(&["nobody@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Permanent(reason)) => {
            assert!(reason.contains("550 5.1.1"), "{reason}");
            assert!(reason.contains(smtp_sink::REJECT_RCPT_REPLY), "{reason}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn refusal_of_the_message_is_permanent() {
    let sink = SmtpSink::start(Mode::RejectData);
    let result = transport(&sink.url())
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Permanent(reason)) => assert!(reason.contains("554 5.6.0"), "{reason}"),
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

#[tokio::test]
async fn temporary_refusal_of_the_message_is_transient() {
    let sink = SmtpSink::start(Mode::TempFailData);
    let result = transport(&sink.url())
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => assert!(reason.contains("451 4.3.0"), "{reason}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn hang_up_after_the_message_is_transient_though_it_arrived() {
    let sink = SmtpSink::start(Mode::HangUpAfterData);
    let bytes = message("ambiguous");
    let result = transport(&sink.url())
        .send(FROM, &recipients(&["a@clinique-exemple.test"]), &bytes)
        .await;
    assert!(
        matches!(result, Err(SendError::Transient(_))),
        "expected a transient failure, got {result:?}"
    );
    // The server had the message: a retry will deliver it twice.
    assert_eq!(sink.wait_for(1, WAIT), vec![as_stored(&bytes)]);
}

#[tokio::test]
async fn temporary_failure_then_success_after_restart() {
    let mut sink = SmtpSink::start(Mode::TempFailRcpt);
    let transport = transport(&sink.url());
    let to = recipients(&["a@clinique-exemple.test"]);
    let bytes = message("retried");
    let first = transport.send(FROM, &to, &bytes).await;
    assert!(matches!(first, Err(SendError::Transient(_))), "{first:?}");
    sink.restart(Mode::Accept);
    transport.send(FROM, &to, &bytes).await.expect("accepted");
    assert_eq!(sink.wait_for(1, WAIT), vec![as_stored(&bytes)]);
}

#[tokio::test]
async fn nothing_listening_is_transient() {
    let transport = transport(&format!("smtp://127.0.0.1:{}", closed_port()));
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => assert!(reason.contains("refused"), "{reason}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

#[tokio::test]
async fn silent_server_times_out_as_transient() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let port = listener.local_addr().expect("address").port();
    // Accepts and then says nothing, for longer than the test waits.
    let server = tokio::spawn(async move {
        let (connection, _) = listener.accept().await.expect("accept");
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(connection);
    });
    let transport = transport_with(
        &format!("smtp://127.0.0.1:{port}"),
        None,
        Duration::from_millis(500),
    );
    let started = Instant::now();
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
    match result {
        Err(SendError::Transient(reason)) => assert!(reason.contains("timed out"), "{reason}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
    server.abort();
}

#[tokio::test]
async fn invalid_address_is_permanent_without_connecting() {
    // Nothing listens: had it tried to connect, the failure would be transient.
    let transport = transport(&format!("smtp://127.0.0.1:{}", closed_port()));
    for (from, to) in [
        (FROM, "pas une adresse"),
        (FROM, "Jean <jean@clinique-exemple.test>"),
        ("info@", "a@clinique-exemple.test"),
    ] {
        let result = transport
            .send(from, &recipients(&[to]), &message("x"))
            .await;
        assert!(
            matches!(result, Err(SendError::Permanent(_))),
            "{from} → {to}: {result:?}"
        );
    }
    let result = transport.send(FROM, &[], &message("x")).await;
    assert!(matches!(result, Err(SendError::Permanent(_))), "{result:?}");
}

#[tokio::test]
async fn login_is_used_when_a_user_is_given() {
    let sink = SmtpSink::start(Mode::Accept);
    let url = format!("smtp://info%40alliance.test@127.0.0.1:{}", sink.port);
    let transport = transport_with(&url, Some("secret"), TIMEOUT);
    transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await
        .expect("accepted");
    let check = transport.check().await.expect("check");
    assert!(check.contains("logged in as info@alliance.test"), "{check}");
}

#[tokio::test]
async fn refused_login_is_transient_not_permanent() {
    let sink = SmtpSink::start(Mode::RejectAuth);
    let url = format!("smtp://info@127.0.0.1:{}", sink.port);
    let transport = transport_with(&url, Some("wrong"), TIMEOUT);
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => {
            assert!(reason.contains("535 5.7.8"), "{reason}");
            assert!(!reason.contains("wrong"), "{reason}");
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(transport.check().await.is_err());
}

#[tokio::test]
async fn xoauth2_needs_the_server_to_offer_it() {
    let sink = SmtpSink::start(Mode::Accept);
    let url = format!("smtp://info@127.0.0.1:{}?auth=xoauth2", sink.port);
    let transport = transport_with(&url, Some("token"), TIMEOUT);
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => {
            assert!(reason.contains("authentication mechanism"), "{reason}")
        }
        other => panic!("expected a transient failure, got {other:?}"),
    }
}

/// A scripted server offering only AUTH XOAUTH2: accepts one message and returns the
/// commands it received.
async fn xoauth2_server(listener: tokio::net::TcpListener) -> Vec<String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    let (stream, _) = listener.accept().await.expect("accept");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut commands = Vec::new();
    let mut in_data = false;
    write.write_all(b"220 fake ESMTP\r\n").await.expect("greet");
    while let Some(line) = lines.next_line().await.expect("read") {
        if in_data {
            if line == "." {
                in_data = false;
                write
                    .write_all(b"250 2.0.0 Ok: queued as FAKE42\r\n")
                    .await
                    .expect("reply");
            }
            continue;
        }
        let verb = line
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        commands.push(line);
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-fake\r\n250-8BITMIME\r\n250 AUTH XOAUTH2\r\n",
            "AUTH" => b"235 2.7.0 Accepted\r\n",
            "MAIL" | "RCPT" => b"250 2.1.0 Ok\r\n",
            "DATA" => {
                in_data = true;
                b"354 go ahead\r\n"
            }
            "QUIT" => b"221 2.0.0 Bye\r\n",
            _ => b"502 5.5.2 Unknown command\r\n",
        };
        write.write_all(reply).await.expect("reply");
        if verb == "QUIT" {
            break;
        }
    }
    commands
}

#[tokio::test]
async fn xoauth2_sends_the_token_as_bearer() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("listener");
    let port = listener.local_addr().expect("address").port();
    let server = tokio::spawn(xoauth2_server(listener));
    let url = format!("smtp://info%40alliance.test@127.0.0.1:{port}?auth=xoauth2");
    let transport = transport_with(&url, Some("ya29.token"), TIMEOUT);
    let reference = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await
        .expect("accepted");
    assert_eq!(reference, "2.0.0 Ok: queued as FAKE42");
    // The session stays open for the next message of the pass; closing it says QUIT.
    transport.close().await;
    let commands = server.await.expect("server");
    // base64("user=info@alliance.test\x01auth=Bearer ya29.token\x01\x01")
    let auth = "AUTH XOAUTH2 dXNlcj1pbmZvQGFsbGlhbmNlLnRlc3QBYXV0aD1CZWFyZXIgeWEyOS50b2tlbgEB";
    assert!(
        commands.iter().any(|command| command == auth),
        "{commands:?}"
    );
    assert_eq!(commands.last().map(String::as_str), Some("QUIT"));
}

#[tokio::test]
async fn tls_handshake_failure_is_transient() {
    // smtp-sink speaks plain SMTP: the TLS client gets a greeting instead of a handshake.
    let sink = SmtpSink::start(Mode::Accept);
    let transport = transport(&format!("smtps://localhost:{}", sink.port));
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    assert!(
        matches!(result, Err(SendError::Transient(_))),
        "expected a transient failure, got {result:?}"
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn required_starttls_not_offered_is_transient() {
    let sink = SmtpSink::start(Mode::Accept);
    let transport = transport(&format!("smtp://localhost:{}?tls=required", sink.port));
    let result = transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await;
    match result {
        Err(SendError::Transient(reason)) => assert!(reason.contains("STARTTLS"), "{reason}"),
        other => panic!("expected a transient failure, got {other:?}"),
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn opportunistic_tls_on_loopback_falls_back_to_plain() {
    let sink = SmtpSink::start(Mode::Accept);
    let transport = transport(&format!("smtp://127.0.0.1:{}?tls=opportunistic", sink.port));
    transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("x"),
        )
        .await
        .expect("accepted");
    assert_eq!(sink.wait_for(1, WAIT).len(), 1);
}

#[tokio::test]
async fn check_describes_the_server() {
    let sink = SmtpSink::start(Mode::Accept);
    let check = transport(&sink.url()).check().await.expect("check");
    assert!(check.contains(sink.name()), "{check}");
    assert!(
        check.contains(&format!("127.0.0.1:{}", sink.port)),
        "{check}"
    );
    assert!(check.contains("no TLS"), "{check}");
    assert!(check.contains("8BITMIME"), "{check}");
    assert!(check.contains("AUTH PLAIN LOGIN"), "{check}");
    assert!(!check.contains('\n'), "{check}");
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn check_reports_a_missing_server() {
    let port = closed_port();
    let error = transport(&format!("smtp://127.0.0.1:{port}"))
        .check()
        .await
        .expect_err("nothing listens");
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

#[test]
fn plain_url_to_a_remote_host_is_refused() {
    let error = SmtpSettings::new("smtp://mail.alliance.test:587", None, TIMEOUT)
        .expect_err("plain text to a remote host");
    assert!(error.to_string().contains("plain text"), "{error}");
    SmtpSettings::new("smtp://mail.alliance.test:587?tls=required", None, TIMEOUT)
        .expect("STARTTLS is fine");
}

/// One session carries every message of a delivery pass; a session the server closed in
/// between is replaced.
#[tokio::test]
async fn consecutive_messages_share_one_session_and_a_dropped_one_is_reopened() {
    let mut sink = SmtpSink::start(Mode::Accept);
    let transport = transport(&sink.url());
    for n in 0..3 {
        transport
            .send(
                FROM,
                &recipients(&["a@clinique-exemple.test"]),
                &message(&format!("m{n}")),
            )
            .await
            .expect("accepted");
    }
    sink.restart(Mode::Accept);
    transport
        .send(
            FROM,
            &recipients(&["a@clinique-exemple.test"]),
            &message("after"),
        )
        .await
        .expect("a new session after the server went away");
    transport.close().await;
    assert_eq!(
        sink.wait_for(4, WAIT).len(),
        4,
        "all four arrived, none twice"
    );
}
