//! The live mailbox benchmark ([live-mailbox]): a real Dovecot and Postfix's smtp-sink
//! on loopback, the release `mailroom run` between them.
//!
//! 1. Arrival-to-acknowledgement latency with IDLE over 200 messages, appended one at a
//!    time: from the end of the IMAP APPEND to the reply's arrival at the SMTP server.
//! 2. Draining an INBOX of N messages (`bench/gen_mailbox.py`, the ingest benchmark's mix)
//!    with `mailroom run --once` — fetch, decide, move, deliver — against a plain fetch of
//!    the same messages with the same IMAP client (UID SEARCH + pipelined UID FETCH).
//!
//!     cargo build --release && cargo run --release --example live_bench -- [N] [--drain-only] [--file-outbox]
//!
//! Needs dovecot-imapd and postfix (smtp-sink) installed, root (Dovecot runs from a
//! temporary configuration), and python3 for the mailbox generator.

#[path = "../tests/support/dovecot.rs"]
mod dovecot;
#[path = "../tests/support/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dovecot::Dovecot;
use mailroom::mailbox::imap::{ImapAuth, ImapMailbox, ImapSettings};
use smtp_sink::{Mode, SmtpSink};

const LATENCY_MESSAGES: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let drain: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/mailroom");
    anyhow::ensure!(binary.is_file(), "build first: cargo build --release");
    if !std::env::args().any(|a| a == "--drain-only") {
        latency(&binary).await?;
    }
    drain_inbox(&binary, drain).await?;
    Ok(())
}

fn config(dir: &Path, dovecot: &Dovecot) -> anyhow::Result<std::path::PathBuf> {
    let path = dir.join("mailroom.toml");
    std::fs::write(
        &path,
        format!(
            "store = \"{}\"\n[mailbox.imap]\nurl = \"{}\"\nstart = \"all\"\n",
            dir.join("mailroom.db").display(),
            dovecot.url()
        ),
    )?;
    Ok(path)
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: membre{n}@org{n}.example\r\nTo: alliancesante.durable@spw.wallonie.be\r\n\
         Subject: ASeT-W - Convention d engagement - Organisation {n}\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0100\r\nMessage-ID: <latency-{n}@org{n}.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBonjour.\r\n"
    )
    .into_bytes()
}

async fn latency(binary: &Path) -> anyhow::Result<()> {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir()?;
    let config = config(dir.path(), &dovecot)?;
    let mut child = Command::new(binary)
        .current_dir(dir.path())
        .args(["--config", config.to_str().unwrap_or_default(), "run"])
        .env("MAILROOM_IMAP_PASSWORD", &dovecot.password)
        .env("MAILROOM_SMTP_URL", sink.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut samples = Vec::with_capacity(LATENCY_MESSAGES);
    for n in 0..LATENCY_MESSAGES {
        dovecot.append("INBOX", &message(n)).await;
        let appended = Instant::now();
        sink.wait_for(n + 1, Duration::from_secs(30));
        samples.push(appended.elapsed());
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "latency over {} messages: median {:.3} s, p90 {:.3} s, p99 {:.3} s, max {:.3} s",
        samples.len(),
        at(0.5).as_secs_f64(),
        at(0.9).as_secs_f64(),
        at(0.99).as_secs_f64(),
        at(1.0).as_secs_f64()
    );
    Ok(())
}

async fn drain_inbox(binary: &Path, count: usize) -> anyhow::Result<()> {
    let dovecot = Dovecot::start();
    let sink = SmtpSink::start(Mode::Accept);
    let dir = tempfile::tempdir()?;
    // The ingest benchmark's mailbox, dropped straight into Dovecot's INBOX.
    let generated = dir.path().join("generated");
    let status = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_mailbox.py"))
        .arg(count.to_string())
        .arg(&generated)
        .stdout(Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "bench/gen_mailbox.py failed");
    let inbox = dovecot.maildir().join("new");
    std::fs::create_dir_all(&inbox)?;
    for entry in std::fs::read_dir(generated.join("new"))? {
        let path = entry?.path();
        if let Some(name) = path.file_name() {
            std::fs::copy(&path, inbox.join(name))?;
        }
    }
    let _ = Command::new("chown")
        .args(["-R", "nobody:nogroup"])
        .arg(dovecot.maildir())
        .status();

    // A plain fetch of everything, as any IMAP client would.
    let settings =
        ImapSettings::from_url(&dovecot.url(), ImapAuth::Password(dovecot.password.clone()))?;
    let started = Instant::now();
    let mut mailbox = ImapMailbox::connect(&settings).await?;
    mailbox.select("INBOX").await?;
    let uids = mailbox.uids_after(0).await?;
    let mut bytes = 0_usize;
    for chunk in uids.chunks(128) {
        for message in mailbox.fetch(chunk, 40 * 1024 * 1024).await? {
            bytes += message.bytes.map_or(0, |b| b.len());
        }
    }
    let _ = mailbox.logout().await;
    let plain = started.elapsed();
    println!(
        "plain fetch of {} messages ({:.0} MB): {:.1} s",
        uids.len(),
        bytes as f64 / 1e6,
        plain.as_secs_f64()
    );

    let config = config(dir.path(), &dovecot)?;
    // `--file-outbox`: replies written as files instead of sent, to see SMTP's share.
    let smtp = !std::env::args().any(|a| a == "--file-outbox");
    let started = Instant::now();
    let mut command = Command::new("/usr/bin/time");
    command
        .args(["-f", "%M"])
        .arg(binary)
        .current_dir(dir.path())
        .args([
            "--config",
            config.to_str().unwrap_or_default(),
            "run",
            "--once",
        ])
        .env("MAILROOM_IMAP_PASSWORD", &dovecot.password);
    if smtp {
        command.env("MAILROOM_SMTP_URL", sink.url());
    }
    let output = command.output()?;
    let bot = started.elapsed();
    anyhow::ensure!(output.status.success(), "mailroom run --once failed");
    let rss_kb = String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let replies = if smtp {
        format!("send {} replies by SMTP", sink.messages().len())
    } else {
        "write the replies as files".to_owned()
    };
    println!(
        "mailroom run --once (fetch, decide, move, {replies}): {:.1} s, peak RSS {} kB — {:.2}× the plain fetch",
        bot.as_secs_f64(),
        rss_kb,
        bot.as_secs_f64() / plain.as_secs_f64()
    );
    Ok(())
}
