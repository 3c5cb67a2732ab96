//! The daemon behind `mailroom run`: watch the inbox, run batches through the pipeline,
//! settle the originals, deliver the outbox; stop cleanly on SIGTERM/SIGINT.
//!
//! Order of effects per batch, the habit that keeps mail from being lost or sent twice:
//! commit (pipeline) → move the originals (`mailbox::maildir::settle`, or IMAP `MOVE`)
//! → deliver (`outbox::deliver`). A signal is honoured between batches: the current batch
//! finishes, the outbox is flushed, and `run` returns normally (exit 0). The Maildir loop
//! is here; the IMAP one (IDLE, reconnection, UIDVALIDITY) is `imap.rs`.

pub mod imap;

pub use self::imap::ImapWatch;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::Notify;

use crate::clock::{self, Clock};
use crate::mailbox::maildir;
use crate::outbox::{self, DeliveryReport, Transport};
use crate::pipeline::{Handled, Pipeline, Tally};
use crate::store::messages;

/// What the daemon watches and how.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The Maildir inbox (when `imap` is `None`).
    pub inbox: PathBuf,
    /// The IMAP folder to watch instead of the Maildir.
    pub imap: Option<ImapWatch>,
    /// How often to look for new mail.
    pub poll_interval: Duration,
    /// Delivery attempts before giving up on an outgoing message.
    pub max_attempts: u32,
    /// Handle what is waiting, deliver, and return.
    pub once: bool,
    /// The RFC 3161 authority that time-stamps the journal's head daily.
    pub tsa_url: Option<String>,
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Messages handled.
    pub tally: Tally,
    /// Outgoing mail delivered.
    pub delivered: DeliveryReport,
}

/// Runs until `watch.once` is done or a shutdown signal arrives.
///
/// # Errors
/// The inbox cannot be created or read, or the store fails.
pub async fn run(
    pipeline: &Pipeline,
    transport: &Transport,
    clock: &Clock,
    watch: &Watch,
) -> anyhow::Result<RunReport> {
    let shutdown = Shutdown::listen();
    let mut report = RunReport::default();
    for handled in pipeline.resume().await? {
        report.tally.add(&handled);
    }
    if let Some(imap) = &watch.imap {
        imap::run(
            pipeline,
            transport,
            clock,
            watch,
            imap,
            &shutdown,
            &mut report,
        )
        .await?;
        return Ok(report);
    }
    maildir::create(&watch.inbox)?;
    loop {
        let candidates = maildir::list(&watch.inbox)?;
        let mut flow = pipeline.flow(candidates);
        while let Some(handled) = flow.next().await {
            let handled = handled?;
            settle(pipeline, &watch.inbox, clock, &handled).await;
            for item in &handled {
                report.tally.add(item);
            }
            if shutdown.requested() {
                break;
            }
        }
        deliver(pipeline, transport, clock, watch, &mut report).await?;
        if watch.once || shutdown.requested() {
            if shutdown.requested() {
                tracing::info!("Shutdown requested: current batch finished, outbox flushed.");
            }
            return Ok(report);
        }
        shutdown.sleep(watch.poll_interval).await;
    }
}

/// Queues the coordinators' digest when its hour has come (working-day mornings, rules'
/// `publication.toml`), then delivers the outbox and counts what it did.
async fn deliver(
    pipeline: &Pipeline,
    transport: &Transport,
    clock: &Clock,
    watch: &Watch,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    if crate::digest::due(pipeline.store(), pipeline.rules(), clock, pipeline.roles()).await? {
        crate::digest::queue(
            pipeline.store(),
            pipeline.rules(),
            clock,
            pipeline.roles(),
            pipeline.from_address(),
            None,
        )
        .await?;
    }
    let delivered = outbox::deliver(
        pipeline.store(),
        transport,
        pipeline.rules(),
        clock,
        watch.max_attempts,
    )
    .await?;
    report.delivered.sent += delivered.sent;
    report.delivered.retried += delivered.retried;
    report.delivered.failed += delivered.failed;
    crate::store::privacy::upkeep(
        pipeline.store(),
        &clock::to_storage(clock.now()),
        &clock.local_date(clock.now()).to_string(),
    )
    .await;
    if let Some(url) = &watch.tsa_url {
        if let Err(error) = timestamp_head(pipeline.store(), url, clock).await {
            tracing::warn!(%error, "The journal's head could not be time-stamped; retried next pass.");
        }
    }
    Ok(())
}

/// Moves each decided original to its folder, after the commit. A failure is logged and
/// retried on the next pass (the message is then seen again as already handled).
async fn settle(pipeline: &Pipeline, inbox: &std::path::Path, clock: &Clock, handled: &[Handled]) {
    let mut moved = Vec::with_capacity(handled.len());
    for item in handled {
        let (Some(path), Some(folder)) = (&item.path, &item.settle_folder) else {
            continue;
        };
        match maildir::settle(inbox, path, folder) {
            Ok(_) => moved.push(item.id),
            Err(error) => tracing::warn!(id = item.id, "{error:#}"),
        }
    }
    // One statement for the batch: a commit per message would cost a disk flush each.
    let now = clock::to_storage(clock.now());
    if let Err(error) = messages::mark_settled_many(pipeline.store().pool(), &moved, &now)
        .await
        .context("Cannot record the moves")
    {
        tracing::warn!("{error:#}");
    }
}

/// SIGTERM / SIGINT, observed between batches.
struct Shutdown {
    flag: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl Shutdown {
    fn listen() -> Shutdown {
        let flag = Arc::new(AtomicBool::new(false));
        let notify = Arc::new(Notify::new());
        let (task_flag, task_notify) = (Arc::clone(&flag), Arc::clone(&notify));
        tokio::spawn(async move {
            wait_for_signal().await;
            task_flag.store(true, Ordering::SeqCst);
            task_notify.notify_waiters();
        });
        Shutdown { flag, notify }
    }

    fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    async fn sleep(&self, duration: Duration) {
        if self.requested() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(duration) => {}
            () = self.notify.notified() => {}
        }
    }
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(error) => {
            tracing::warn!(%error, "Cannot listen for SIGTERM; only Ctrl-C stops the daemon.");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Has the journal's head time-stamped by the RFC 3161 authority at `url` when a day has
/// passed since the last time-stamp; the token is kept (and journaled).
async fn timestamp_head(
    store: &crate::store::Store,
    url: &str,
    clock: &Clock,
) -> anyhow::Result<()> {
    let now = clock::to_storage(clock.now());
    let head = {
        let mut conn = store.pool().acquire().await?;
        crate::store::journal::timestamp_due(&mut conn, &now).await?
    };
    let Some(head) = head else {
        return Ok(());
    };
    let mut digest = [0u8; 32];
    hex::decode_to_slice(&head.hash, &mut digest)?;
    let token = crate::timestamp::stamp(url, &digest).await?;
    let mut tx = store.begin().await?;
    crate::store::journal::record_timestamp(&mut tx, &head, url, &now, &token).await?;
    tx.commit().await?;
    tracing::info!(seq = head.seq, "Journal head time-stamped.");
    Ok(())
}
