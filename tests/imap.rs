//! The IMAP mailbox against a real Dovecot (and, for what Dovecot cannot show, a scripted
//! fake server on loopback).

use std::time::{Duration, Instant};

use crate::support::dovecot::Dovecot;
use mailroom::mailbox::imap::{ImapAuth, ImapMailbox, ImapSettings, Security, Woken};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A message with CRLF line ends, as IMAP returns them, so the bytes must come back identical.
fn message(n: usize, body_bytes: usize) -> Vec<u8> {
    let mut text = format!(
        "From: membre{n}@exemple.be\r\nTo: boite@alliance.test\r\nSubject: Adhésion {n}\r\n\
         Message-ID: <{n}@exemple.be>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour {n}, voici mon formulaire.\r\n"
    );
    while text.len() < body_bytes {
        text.push_str("Ligne de remplissage pour grossir le message.\r\n");
    }
    text.into_bytes()
}

fn settings(dovecot: &Dovecot) -> ImapSettings {
    let mut settings =
        ImapSettings::from_url(&dovecot.url(), ImapAuth::Password(dovecot.password.clone()))
            .expect("the test URL parses");
    settings.timeout = Duration::from_secs(10);
    settings
}

async fn connect(dovecot: &Dovecot) -> ImapMailbox {
    ImapMailbox::connect(&settings(dovecot))
        .await
        .expect("connect to Dovecot")
}

#[tokio::test]
async fn connect_logs_in_and_reads_capabilities() {
    let dovecot = Dovecot::start();
    let settings = settings(&dovecot);
    assert_eq!(settings.user, "boite@alliance.test");
    assert_eq!(settings.security, Security::StartTlsIfOffered);
    let mailbox = ImapMailbox::connect(&settings).await.expect("connect");
    for capability in ["IMAP4rev1", "IDLE", "MOVE", "UIDPLUS"] {
        assert!(
            mailbox.has_capability(capability),
            "{capability} missing from {:?}",
            mailbox.capabilities()
        );
    }
    assert!(mailbox.has_idle());
    assert!(mailbox.is_connected());
    mailbox.logout().await.expect("logout");
}

#[tokio::test]
async fn wrong_password_is_refused_with_context() {
    let dovecot = Dovecot::start();
    let mut settings = settings(&dovecot);
    settings.auth = ImapAuth::Password("not the password".into());
    let error = ImapMailbox::connect(&settings).await.unwrap_err();
    let text = format!("{error:#}");
    assert!(text.contains("logging in as boite@alliance.test"), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    assert!(!text.contains("not the password"), "{text}");
}

#[tokio::test]
async fn select_returns_the_folder_identity() {
    let dovecot = Dovecot::start();
    let mut mailbox = connect(&dovecot).await;
    let state = mailbox.select("INBOX").await.expect("select INBOX");
    assert!(state.uid_validity > 0);
    assert_eq!(state.exists, 0);
    assert_eq!(state.uid_next, Some(1));
    let error = mailbox.select("Nulle part").await.unwrap_err();
    assert!(format!("{error:#}").contains("«Nulle part»"), "{error:#}");
    assert!(mailbox.is_connected(), "a NO must not drop the connection");
    assert!(
        mailbox.uids_after(0).await.is_err(),
        "no folder selected after a failed SELECT"
    );
}

#[tokio::test]
async fn fetch_returns_exact_bytes_without_marking_seen() {
    let dovecot = Dovecot::start();
    let messages: Vec<Vec<u8>> = (1..=3).map(|n| message(n, 0)).collect();
    dovecot
        .append_at("INBOX", &messages[0], "23-Nov-2026 10:00:00 +0100")
        .await;
    dovecot.append("INBOX", &messages[1]).await;
    dovecot.append("INBOX", &messages[2]).await;

    let mut mailbox = connect(&dovecot).await;
    let state = mailbox.select("INBOX").await.expect("select");
    assert_eq!(state.exists, 3);
    let uids = mailbox.uids_after(0).await.expect("uids_after(0)");
    assert_eq!(uids.len(), 3);
    assert!(uids.windows(2).all(|pair| pair[0] < pair[1]), "{uids:?}");
    assert_eq!(mailbox.uids_after(uids[1]).await.unwrap(), vec![uids[2]]);
    assert_eq!(
        mailbox.uids_after(uids[2]).await.unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        mailbox.uids_after(u32::MAX).await.unwrap(),
        Vec::<u32>::new()
    );

    // Asked in reverse order, returned in ascending order.
    let reversed: Vec<u32> = uids.iter().rev().copied().collect();
    let fetched = mailbox.fetch(&reversed, 1 << 20).await.expect("fetch");
    assert_eq!(fetched.len(), 3);
    for ((fetched, uid), bytes) in fetched.iter().zip(&uids).zip(&messages) {
        assert_eq!(fetched.uid, *uid);
        assert_eq!(fetched.size, bytes.len() as u64);
        assert_eq!(
            fetched.bytes.as_deref(),
            Some(bytes.as_slice()),
            "UID {uid}"
        );
        assert!(fetched.internal_date.is_some());
    }
    assert_eq!(
        fetched[0].internal_date,
        Some("2026-11-23T09:00:00Z".parse().unwrap())
    );
    assert_eq!(
        dovecot.unseen("INBOX").await,
        3,
        "fetching must not set \\Seen"
    );
    mailbox.logout().await.expect("logout");
}

#[tokio::test]
async fn size_limit_skips_the_body() {
    let dovecot = Dovecot::start();
    let small = message(1, 0);
    let large = message(2, 50_000);
    dovecot.append("INBOX", &small).await;
    dovecot.append("INBOX", &large).await;

    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    let uids = mailbox.uids_after(0).await.expect("uids");
    let fetched = mailbox.fetch(&uids, 10_000).await.expect("fetch");
    assert_eq!(fetched.len(), 2);
    assert_eq!(fetched[0].bytes.as_deref(), Some(small.as_slice()));
    assert_eq!(fetched[1].size, large.len() as u64);
    assert_eq!(fetched[1].bytes, None, "over the limit: not downloaded");
    // Nothing within the limit: no body fetch at all, still sizes.
    let fetched = mailbox.fetch(&uids, 10).await.expect("fetch");
    assert!(fetched.iter().all(|message| message.bytes.is_none()));
    // Unknown UIDs are simply absent.
    assert!(mailbox.fetch(&[9999], 1 << 20).await.unwrap().is_empty());
}

#[tokio::test]
async fn move_to_creates_the_folder_and_moves() {
    let dovecot = Dovecot::start();
    for n in 1..=3 {
        dovecot.append("INBOX", &message(n, 0)).await;
    }
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    let uids = mailbox.uids_after(0).await.expect("uids");

    mailbox
        .move_to(&uids[..2], "À vérifier")
        .await
        .expect("move, creating the folder");
    assert_eq!(dovecot.count("INBOX").await, 1);
    assert_eq!(dovecot.count("À vérifier").await, 2);
    // On disk, Dovecot's Maildir++ keeps the modified UTF-7 name: proof of the encoding.
    assert!(dovecot.maildir().join(".&AMA- v&AOk-rifier").is_dir());
    assert!(mailbox
        .folders()
        .await
        .unwrap()
        .contains(&"À vérifier".to_owned()));

    // The folder exists now; moving again just moves.
    mailbox
        .move_to(&uids[2..], "À vérifier")
        .await
        .expect("second move");
    assert_eq!(dovecot.count("INBOX").await, 0);
    assert_eq!(dovecot.count("À vérifier").await, 3);
    assert_eq!(mailbox.uids_after(0).await.unwrap(), Vec::<u32>::new());

    let error = mailbox.move_to(&uids, "inbox").await.unwrap_err();
    assert!(format!("{error:#}").contains("to itself"), "{error:#}");
}

#[tokio::test]
async fn move_without_move_capability_uses_copy_and_uid_expunge() {
    let dovecot = Dovecot::start_with("imap_capability = IMAP4rev1 IDLE UIDPLUS LITERAL+");
    for n in 1..=2 {
        dovecot.append("INBOX", &message(n, 0)).await;
    }
    let mut mailbox = connect(&dovecot).await;
    assert!(
        !mailbox.has_capability("MOVE"),
        "{:?}",
        mailbox.capabilities()
    );
    mailbox.select("INBOX").await.expect("select");
    let uids = mailbox.uids_after(0).await.expect("uids");
    mailbox
        .move_to(&uids[..1], "Traité")
        .await
        .expect("copy + expunge");
    assert_eq!(dovecot.count("INBOX").await, 1);
    assert_eq!(dovecot.count("Traité").await, 1);
    assert_eq!(mailbox.uids_after(0).await.unwrap(), uids[1..].to_vec());
}

#[tokio::test]
async fn move_without_uidplus_copies_flags_and_says_so() {
    let dovecot = Dovecot::start_with("imap_capability = IMAP4rev1 IDLE LITERAL+");
    for n in 1..=2 {
        dovecot.append("INBOX", &message(n, 0)).await;
    }
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    let uids = mailbox.uids_after(0).await.expect("uids");
    let error = mailbox.move_to(&uids[..1], "Ignoré").await.unwrap_err();
    let text = format!("{error:#}");
    assert!(
        text.contains("neither MOVE nor UIDPLUS") && text.contains("NOT expunged"),
        "{text}"
    );
    assert_eq!(dovecot.count("Ignoré").await, 1, "copied");
    assert_eq!(
        dovecot.count("INBOX").await,
        2,
        "original left in place, flagged \\Deleted"
    );
    assert!(mailbox.is_connected());
}

#[tokio::test]
async fn idle_wakes_up_when_another_connection_appends() {
    let dovecot = Dovecot::start();
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    // Measured from the start of the append (another connection's login and APPEND included).
    let append_started = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = Instant::now();
        dovecot.append("INBOX", &message(1, 0)).await;
        started
    };
    let waiting = async {
        let woken = mailbox.idle(Duration::from_secs(20)).await;
        (woken, Instant::now())
    };
    let (append_started, (woken, woken_at)) = tokio::join!(append_started, waiting);
    assert_eq!(woken.expect("idle"), Woken::NewMail);
    let delay = woken_at.saturating_duration_since(append_started);
    eprintln!("IDLE woke {delay:?} after the append started");
    assert!(
        delay < Duration::from_secs(2),
        "woke {delay:?} after the append"
    );
    assert_eq!(mailbox.uids_after(0).await.unwrap().len(), 1);
    // The news was consumed by the search: the next IDLE waits again.
    let started = Instant::now();
    assert_eq!(
        mailbox.idle(Duration::from_millis(500)).await.unwrap(),
        Woken::Timeout
    );
    assert!(started.elapsed() >= Duration::from_millis(450));
}

#[tokio::test]
async fn idle_times_out_with_nothing_new_and_stays_usable() {
    let dovecot = Dovecot::start();
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    let started = Instant::now();
    let woken = mailbox.idle(Duration::from_secs(1)).await.expect("idle");
    let elapsed = started.elapsed();
    assert_eq!(woken, Woken::Timeout);
    assert!(
        elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(mailbox.is_connected());
    assert_eq!(mailbox.uids_after(0).await.unwrap(), Vec::<u32>::new());
}

#[tokio::test]
async fn idle_without_server_support_asks_for_polling() {
    let dovecot = Dovecot::start_with("imap_capability = IMAP4rev1 UIDPLUS MOVE");
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    assert!(!mailbox.has_idle());
    let error = mailbox.idle(Duration::from_secs(1)).await.unwrap_err();
    assert!(
        error.is::<mailroom::mailbox::imap::IdleUnsupported>(),
        "{error:#}"
    );
    assert!(mailbox.is_connected());
}

#[tokio::test]
async fn new_connection_works_after_a_server_restart() {
    let mut dovecot = Dovecot::start();
    dovecot.append("INBOX", &message(1, 0)).await;
    let mut old = connect(&dovecot).await;
    let before = old.select("INBOX").await.expect("select");

    dovecot.restart();

    let error = old.uids_after(0).await.unwrap_err();
    eprintln!("after restart: {error:#}");
    assert!(!old.is_connected(), "the old connection is gone: {error:#}");
    let error = old.select("INBOX").await.unwrap_err();
    assert!(format!("{error:#}").contains("connect again"), "{error:#}");

    let mut new = connect(&dovecot).await;
    let after = new.select("INBOX").await.expect("select after restart");
    assert_eq!(after.uid_validity, before.uid_validity, "same data");
    assert_eq!(new.uids_after(0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn starttls_and_implicit_tls_verify_the_certificate() {
    let dovecot = Dovecot::start_with_tls();
    let password = ImapAuth::Password(dovecot.password.clone());

    // imap:// to loopback upgrades with STARTTLS when offered.
    let mut settings = ImapSettings::from_url(&dovecot.url(), password.clone()).unwrap();
    settings.ca_file = Some(dovecot.ca_file());
    let mailbox = ImapMailbox::connect(&settings).await.expect("STARTTLS");
    assert!(mailbox.has_idle());
    mailbox.logout().await.unwrap();

    let mut settings = ImapSettings::from_url(&dovecot.tls_url(), password.clone()).unwrap();
    assert_eq!(settings.security, Security::Tls);
    settings.ca_file = Some(dovecot.ca_file());
    let mut mailbox = ImapMailbox::connect(&settings).await.expect("implicit TLS");
    mailbox.select("INBOX").await.expect("select over TLS");
    mailbox.logout().await.unwrap();

    // Both logins went over TLS, as Dovecot records.
    let tls_logins = dovecot
        .log()
        .lines()
        .filter(|line| line.contains("Login: user=<boite@alliance.test>") && line.contains(", TLS"))
        .count();
    assert_eq!(tls_logins, 2, "{}", dovecot.log());

    // Without our CA the certificate is not trusted: no silent downgrade either.
    settings.ca_file = None;
    let error = ImapMailbox::connect(&settings).await.unwrap_err();
    assert!(format!("{error:#}").contains("TLS handshake"), "{error:#}");
    let mut settings = ImapSettings::from_url(&dovecot.url(), password).unwrap();
    settings.timeout = Duration::from_secs(10);
    let error = ImapMailbox::connect(&settings).await.unwrap_err();
    assert!(format!("{error:#}").contains("TLS handshake"), "{error:#}");
}

/// A scripted IMAP server on loopback: sends `greeting`, then for each line received answers
/// with `respond(line)`; returns every line it received.
async fn fake_server(
    greeting: &'static str,
    respond: fn(&str) -> Option<String>,
) -> (u16, tokio::task::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        write.write_all(greeting.as_bytes()).await.unwrap();
        let mut lines = BufReader::new(read).lines();
        let mut received = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(answer) = respond(&line) {
                if write.write_all(answer.as_bytes()).await.is_err() {
                    break;
                }
            }
            received.push(line);
        }
        received
    });
    (port, server)
}

#[tokio::test]
async fn xoauth2_sends_the_bearer_token() {
    let (port, server) = fake_server(
        "* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2] fake ready\r\n",
        |line| match line.split_once(' ') {
            Some((tag, "AUTHENTICATE XOAUTH2")) => {
                assert_eq!(tag, "A0001");
                Some("+ \r\n".into())
            }
            Some((tag, "CAPABILITY")) => {
                Some(format!("* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK\r\n"))
            }
            Some((tag, "LOGOUT")) => Some(format!("* BYE\r\n{tag} OK\r\n")),
            _ => Some("A0001 OK authenticated\r\n".into()),
        },
    )
    .await;
    let settings = ImapSettings::from_url(
        &format!("imap://info%40alliance.be@127.0.0.1:{port}/"),
        ImapAuth::XOAuth2 {
            token: "ya29.token".into(),
        },
    )
    .unwrap();
    let mailbox = ImapMailbox::connect(&settings)
        .await
        .expect("XOAUTH2 login");
    assert_eq!(mailbox.capabilities(), ["IDLE", "IMAP4rev1"]);
    mailbox.logout().await.unwrap();
    let received = server.await.unwrap();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(&received[1])
        .expect("base64 SASL response");
    assert_eq!(
        payload,
        b"user=info@alliance.be\x01auth=Bearer ya29.token\x01\x01"
    );
}

#[tokio::test]
async fn a_server_that_stops_answering_times_out_and_drops_the_connection() {
    let (port, _server) =
        fake_server(
            "* OK [CAPABILITY IMAP4rev1 IDLE] fake ready\r\n",
            |line| match line.split_once(' ') {
                Some((tag, command)) if command.starts_with("LOGIN") => {
                    Some(format!("{tag} OK logged in\r\n"))
                }
                Some((tag, "CAPABILITY")) => {
                    Some(format!("* CAPABILITY IMAP4rev1 IDLE\r\n{tag} OK\r\n"))
                }
                // SELECT and everything after: silence, like a dead link.
                _ => None,
            },
        )
        .await;
    let mut settings = ImapSettings::from_url(
        &format!("imap://u@127.0.0.1:{port}/?tls=none"),
        ImapAuth::Password("pw".into()),
    )
    .unwrap();
    settings.timeout = Duration::from_millis(300);
    let mut mailbox = ImapMailbox::connect(&settings).await.expect("login");
    let started = Instant::now();
    let error = mailbox.select("INBOX").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        format!("{error:#}").contains("no answer within 0.3 s"),
        "{error:#}"
    );
    assert!(!mailbox.is_connected());
}

#[tokio::test]
async fn connect_times_out_when_the_greeting_never_comes() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _silent = tokio::spawn(async move {
        let (_socket, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let mut settings = ImapSettings::from_url(
        &format!("imap://u@127.0.0.1:{port}/"),
        ImapAuth::Password("pw".into()),
    )
    .unwrap();
    settings.timeout = Duration::from_millis(300);
    let error = ImapMailbox::connect(&settings).await.unwrap_err();
    let text = format!("{error:#}");
    assert!(
        text.contains("greeting") && text.contains("no answer"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_fails_when_the_server_goes_away() {
    let mut dovecot = Dovecot::start();
    let mut mailbox = connect(&dovecot).await;
    mailbox.select("INBOX").await.expect("select");
    let waiting = tokio::spawn(async move {
        let started = Instant::now();
        let result = mailbox.idle(Duration::from_secs(20)).await;
        (result, started.elapsed(), mailbox)
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    dovecot.restart();
    let (result, elapsed, mailbox) = waiting.await.expect("idle task");
    let error = result.expect_err("IDLE must fail when the server goes away");
    assert!(format!("{error:#}").contains("IDLE"), "{error:#}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    assert!(!mailbox.is_connected());
}

#[tokio::test]
async fn starttls_required_fails_when_the_server_does_not_offer_it() {
    let dovecot = Dovecot::start();
    let url = format!("{}?tls=required", dovecot.url());
    let settings =
        ImapSettings::from_url(&url, ImapAuth::Password(dovecot.password.clone())).unwrap();
    let error = ImapMailbox::connect(&settings).await.unwrap_err();
    assert!(format!("{error:#}").contains("STARTTLS"), "{error:#}");
    assert!(
        !dovecot.log().contains("Login: user="),
        "no login without TLS"
    );
}

#[tokio::test]
async fn capabilities_are_asked_before_login_when_the_greeting_lacks_them() {
    let (port, server) = fake_server("* OK fake ready\r\n", |line| match line.split_once(' ') {
        Some(("mr0", "CAPABILITY")) => {
            Some("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nmr0 OK\r\n".into())
        }
        Some((tag, command)) if command.starts_with("LOGIN") => {
            Some(format!("{tag} OK logged in\r\n"))
        }
        Some((tag, "CAPABILITY")) => Some(format!("* CAPABILITY IMAP4rev1\r\n{tag} OK\r\n")),
        Some((tag, "LOGOUT")) => Some(format!("* BYE\r\n{tag} OK\r\n")),
        _ => None,
    })
    .await;
    let settings = ImapSettings::from_url(
        &format!("imap://u@localhost:{port}/"),
        ImapAuth::Password("pw".into()),
    )
    .unwrap();
    let mailbox = ImapMailbox::connect(&settings)
        .await
        .expect("plain login after CAPABILITY");
    assert!(!mailbox.has_idle());
    mailbox.logout().await.unwrap();
    let received = server.await.unwrap();
    assert_eq!(received[0], "mr0 CAPABILITY");
    assert_eq!(received[1], "A0001 LOGIN \"u\" \"pw\"");
}
