//! The IMAP watch loop: new mail handled within seconds (IDLE, or polling where the
//! server has none), nothing missed or handled twice across restarts (UIDVALIDITY and the
//! last UID handled, recorded in the store after the moves), reconnection with backoff
//! and jitter, and originals moved only after their decisions have committed.
//!
//! Per pass: `UID SEARCH` past the last UID handled → fetch a batch (`BODY.PEEK[]`, never
//! marking mail as read) → pipeline (one commit) → `MOVE` each message to the folder of
//! its outcome → record the position → deliver the outbox → IDLE.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jiff::civil::Date;

use super::{deliver, RunReport, Shutdown, Watch};
use crate::clock::{self, Clock};
use crate::mailbox::imap::{FolderState, ImapMailbox, ImapSettings, Woken};
use crate::mailbox::Candidate;
use crate::outbox::Transport;
use crate::pipeline::{Handled, Pipeline};
use crate::store::imap::{self as positions, Position};
use crate::store::messages;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How the IMAP folder is watched.
#[derive(Debug, Clone)]
pub struct ImapWatch {
    /// Where and how to connect (the password or token is resolved by `credentials`).
    pub settings: ImapSettings,
    /// Fresh credentials at each connection: an OAuth token may have expired.
    pub credentials: Credentials,
    /// IDLE is re-issued after this long (servers drop it at 29 minutes).
    pub idle: Duration,
    /// Which mail a first run handles.
    pub start: Start,
    /// Where a message that keeps failing goes.
    pub quarantine_folder: String,
    /// Failures before quarantine.
    pub max_failures: u32,
    /// The Junk folder to read too ("Courrier indésirable"): what Outlook's filter caught
    /// there is held for review unless DMARC passed.
    pub junk_folder: Option<String>,
    /// On a first run, import the mail before the start (`now` or a date) without
    /// answering it: recorded and decided, never answered, left in place.
    pub import_past: bool,
}

/// Where the secret of a connection comes from.
#[derive(Clone)]
pub enum Credentials {
    /// Already in `settings.auth` (a password).
    Fixed,
    /// XOAUTH2: a command printing the access token, run at each connection.
    TokenCommand(String),
    /// XOAUTH2: a file holding the access token, read at each connection.
    TokenFile(PathBuf),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Fixed => f.write_str("Fixed"),
            Credentials::TokenCommand(_) => f.write_str("TokenCommand(…)"),
            Credentials::TokenFile(path) => write!(f, "TokenFile({})", path.display()),
        }
    }
}

/// Which mail a first run against a folder handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Only what arrives from now on: the past is not acknowledged.
    Now,
    /// Everything in the folder.
    All,
    /// Mail received (INTERNALDATE) on or after this day, Europe/Brussels.
    Since(Date),
}

impl Start {
    /// `now`, `all` or `YYYY-MM-DD`.
    ///
    /// # Errors
    /// Anything else.
    pub fn parse(text: &str) -> anyhow::Result<Start> {
        match text.trim() {
            "now" => Ok(Start::Now),
            "all" => Ok(Start::All),
            date => date
                .parse()
                .map(Start::Since)
                .with_context(|| format!("start = {date:?}: expected now, all or YYYY-MM-DD")),
        }
    }
}

/// Runs until `watch.once` is done or a shutdown signal arrives; network trouble is
/// retried with backoff, never returned.
///
/// # Errors
/// Only the store's failures.
pub(super) async fn run(
    pipeline: &Pipeline,
    transport: &Transport,
    clock: &Clock,
    watch: &Watch,
    imap: &ImapWatch,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let mut failures = 0_u32;
    loop {
        match session(pipeline, transport, clock, watch, imap, shutdown, report).await {
            Ok(()) => return Ok(()),
            Err(Failure::Store(error)) => return Err(error),
            Err(Failure::Network(error)) => {
                failures = failures.saturating_add(1);
                let wait = backoff(failures);
                tracing::warn!(
                    server = %imap.settings,
                    wait_seconds = wait.as_secs(),
                    "IMAP connection lost or refused, reconnecting: {error:#}"
                );
                if watch.once {
                    return Err(error.context("Cannot read the IMAP mailbox"));
                }
                shutdown.sleep(wait).await;
                if shutdown.requested() {
                    return Ok(());
                }
            }
        }
    }
}

/// Why a session ended: the network (reconnect) or the store (stop).
enum Failure {
    Network(anyhow::Error),
    Store(anyhow::Error),
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Failure {
        Failure::Store(error.into())
    }
}

/// One connection's life: select, catch up, then IDLE and catch up again.
async fn session(
    pipeline: &Pipeline,
    transport: &Transport,
    clock: &Clock,
    watch: &Watch,
    imap: &ImapWatch,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), Failure> {
    let settings = credentials(imap).await.map_err(Failure::Network)?;
    let mut mailbox = ImapMailbox::connect(&settings)
        .await
        .map_err(Failure::Network)?;
    let folder = settings.folder.clone();
    let state = mailbox.select(&folder).await.map_err(Failure::Network)?;
    tracing::info!(server = %settings, uid_validity = state.uid_validity, "Watching the IMAP folder.");
    let (mut position, first_run) =
        starting_position(pipeline, clock, &folder, &state, imap.start).await?;
    let older_than = past_before(pipeline, &folder, imap.start).await?;
    if first_run && imap.import_past && imap.start == Start::Now && position.last_uid > 0 {
        // The past, up to the watermark, recorded without answers.
        let past = Place {
            folder: &folder,
            junk: false,
            quiet: true,
            until: Some(position.last_uid),
            older_than: None,
            persist: false,
        };
        let mut from_start = Position {
            uid_validity: position.uid_validity,
            last_uid: 0,
        };
        catch_up(
            pipeline,
            clock,
            imap,
            &mut mailbox,
            past,
            &mut from_start,
            shutdown,
            report,
        )
        .await?;
    }
    loop {
        let inbox = Place {
            folder: &folder,
            junk: false,
            quiet: false,
            until: None,
            older_than,
            persist: true,
        };
        catch_up(
            pipeline,
            clock,
            imap,
            &mut mailbox,
            inbox,
            &mut position,
            shutdown,
            report,
        )
        .await?;
        if let Some(junk) = &imap.junk_folder {
            read_junk(pipeline, clock, imap, &mut mailbox, junk, shutdown, report).await?;
            let state = mailbox.select(&folder).await.map_err(Failure::Network)?;
            if state.uid_validity != position.uid_validity {
                position = starting_position(pipeline, clock, &folder, &state, imap.start)
                    .await?
                    .0;
            }
        }
        deliver(pipeline, transport, clock, watch, report)
            .await
            .map_err(Failure::Store)?;
        if watch.once || shutdown.requested() {
            let _ = mailbox.logout().await;
            return Ok(());
        }
        let woken = if mailbox.has_idle() {
            tokio::select! {
                woken = mailbox.idle(imap.idle) => Some(woken.map_err(Failure::Network)?),
                () = shutdown.sleep(imap.idle) => None,
            }
        } else {
            shutdown.sleep(watch.poll_interval).await;
            Some(Woken::Timeout)
        };
        if woken.is_none() || shutdown.requested() {
            return Ok(());
        }
        // After IDLE the folder may have been renumbered by another client: check.
        let state = mailbox.select(&folder).await.map_err(Failure::Network)?;
        if state.uid_validity != position.uid_validity {
            tracing::warn!(folder, "UIDVALIDITY changed: reading the folder again (Message-ID deduplication keeps it safe).");
            position = Position {
                uid_validity: state.uid_validity,
                last_uid: 0,
            };
        }
    }
}

/// Where to start in `folder`: the recorded position; on a first run, per `start`; after
/// a UIDVALIDITY change, from the beginning.
async fn starting_position(
    pipeline: &Pipeline,
    clock: &Clock,
    folder: &str,
    state: &FolderState,
    start: Start,
) -> Result<(Position, bool), Failure> {
    let mut conn = pipeline.store().pool().acquire().await?;
    let recorded = positions::position(&mut conn, folder).await?;
    let first_run = recorded.is_none();
    let position = match recorded {
        Some(position) if position.uid_validity == state.uid_validity => position,
        Some(_) => {
            tracing::warn!(
                folder,
                "UIDVALIDITY changed since the last run: reading the folder again."
            );
            Position {
                uid_validity: state.uid_validity,
                last_uid: 0,
            }
        }
        None => {
            let last_uid = match start {
                // Everything already there is the past: start after it.
                Start::Now => state.uid_next.map_or(0, |next| next.saturating_sub(1)),
                Start::All | Start::Since(_) => 0,
            };
            tracing::info!(folder, last_uid, ?start, "First run on this folder.");
            Position {
                uid_validity: state.uid_validity,
                last_uid,
            }
        }
    };
    let now = clock::to_storage(clock.now());
    positions::set_position(&mut conn, folder, position, &now).await?;
    Ok((position, first_run))
}

/// A folder being read, and whether it is the Junk folder.
#[derive(Debug, Clone, Copy)]
struct Place<'a> {
    folder: &'a str,
    junk: bool,
    /// Mail from before the watermark, imported on request: decided, never answered or moved.
    quiet: bool,
    /// Read no further than this UID.
    until: Option<u32>,
    /// Mail received before this is the past (start = "now"): left alone, or imported
    /// quietly with `import_past`.
    older_than: Option<jiff::Timestamp>,
    /// Record the position reached (not for the quiet import of the past: the folder's
    /// position already stands at the watermark, so an interrupted import never turns
    /// into answers).
    persist: bool,
}

/// Reads the Junk folder once (a missing folder is skipped with a warning).
#[allow(clippy::too_many_arguments)]
async fn read_junk(
    pipeline: &Pipeline,
    clock: &Clock,
    imap: &ImapWatch,
    mailbox: &mut ImapMailbox,
    junk: &str,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), Failure> {
    let state = match mailbox.select(junk).await {
        Ok(state) => state,
        Err(error) if mailbox.is_connected() => {
            tracing::warn!(folder = junk, "Cannot select the Junk folder: {error:#}");
            return Ok(());
        }
        Err(error) => return Err(Failure::Network(error)),
    };
    let (mut position, _) = starting_position(pipeline, clock, junk, &state, imap.start).await?;
    let older_than = past_before(pipeline, junk, imap.start).await?;
    let place = Place {
        folder: junk,
        junk: true,
        quiet: false,
        until: None,
        older_than,
        persist: true,
    };
    catch_up(
        pipeline,
        clock,
        imap,
        mailbox,
        place,
        &mut position,
        shutdown,
        report,
    )
    .await
}

/// With start = "now", the instant before which mail in `folder` is the past: the first
/// run, less a minute for the clocks of the server and of this machine.
async fn past_before(
    pipeline: &Pipeline,
    folder: &str,
    start: Start,
) -> Result<Option<jiff::Timestamp>, Failure> {
    if start != Start::Now {
        return Ok(None);
    }
    let mut conn = pipeline.store().pool().acquire().await?;
    let started = positions::started_at(&mut conn, folder).await?;
    Ok(started
        .as_deref()
        .and_then(clock::from_storage)
        .map(|at| at - jiff::SignedDuration::from_secs(60)))
}

/// Handles every message past `position`, batch by batch: fetch, decide (one commit),
/// move, record the position.
#[allow(clippy::too_many_arguments)]
async fn catch_up(
    pipeline: &Pipeline,
    clock: &Clock,
    imap: &ImapWatch,
    mailbox: &mut ImapMailbox,
    place: Place<'_>,
    position: &mut Position,
    shutdown: &Shutdown,
    report: &mut RunReport,
) -> Result<(), Failure> {
    let folder = place.folder;
    let mut uids = mailbox
        .uids_after(position.last_uid)
        .await
        .map_err(Failure::Network)?;
    if let Some(until) = place.until {
        uids.retain(|&uid| uid <= until);
    }
    let limits = pipeline.limits();
    for chunk in uids.chunks(limits.batch_messages.max(1)) {
        let max_bytes = u64::try_from(limits.max_message_bytes).unwrap_or(u64::MAX);
        let (fetched, blocked_at) = fetch_chunk(
            pipeline, clock, imap, mailbox, folder, *position, chunk, max_bytes,
        )
        .await?;
        let mut candidates = Vec::with_capacity(fetched.len());
        let mut too_old = Vec::new();
        for message in fetched {
            let mut quiet = place.quiet;
            if let (Some(limit), Some(arrived)) = (place.older_than, message.internal_date) {
                if arrived < limit {
                    if !imap.import_past {
                        too_old.push(message.uid);
                        continue;
                    }
                    quiet = true;
                }
            }
            if let (Start::Since(day), Some(arrived)) = (imap.start, message.internal_date) {
                if clock.local_date(arrived) < day {
                    if !imap.import_past {
                        too_old.push(message.uid);
                        continue;
                    }
                    quiet = true;
                }
            }
            candidates.push(Candidate {
                mailbox: format!("imap:{folder}"),
                mailbox_ref: format!("{}:{}", position.uid_validity, message.uid),
                path: PathBuf::from(format!("imap:{folder}/{}", message.uid)),
                received_at: message.internal_date.unwrap_or_else(|| clock.now()),
                size_bytes: message.size,
                bytes: message.bytes.map(Arc::new),
                junk: place.junk,
                quiet,
            });
        }
        if !too_old.is_empty() {
            tracing::info!(
                count = too_old.len(),
                "Older than the configured start: left in place."
            );
        }
        let mut flow = pipeline.flow(candidates);
        while let Some(handled) = flow.next().await {
            let handled = handled.map_err(Failure::Store)?;
            settle(pipeline, clock, mailbox, &handled).await?;
            for item in &handled {
                report.tally.add(item);
            }
        }
        // Stop before a message still to be retried; past everything otherwise.
        let last = match blocked_at {
            Some(uid) => uid.checked_sub(1),
            None => chunk.last().copied(),
        };
        if let Some(last) = last.filter(|_| place.persist) {
            position.last_uid = position.last_uid.max(last);
            let mut conn = pipeline.store().pool().acquire().await?;
            positions::set_position(
                &mut conn,
                folder,
                *position,
                &clock::to_storage(clock.now()),
            )
            .await?;
        }
        if shutdown.requested() || blocked_at.is_some() {
            break;
        }
    }
    Ok(())
}

/// Fetches a batch so that one message the server cannot deliver never stops the loop.
///
/// Each failure to get a message is counted in the store (a failure that kills the
/// connection included: the attempt is counted before it is made). A message with
/// failures is then fetched on its own; after `max_failures` it is moved to the
/// quarantine folder unread and the others go on. Returns what was fetched and the first
/// message to retry on the next pass, if any (the position stops before it).
#[allow(clippy::too_many_arguments)]
async fn fetch_chunk(
    pipeline: &Pipeline,
    clock: &Clock,
    imap: &ImapWatch,
    mailbox: &mut ImapMailbox,
    folder: &str,
    position: Position,
    chunk: &[u32],
    max_bytes: u64,
) -> Result<(Vec<crate::mailbox::imap::Fetched>, Option<u32>), Failure> {
    let mut conn = pipeline.store().pool().acquire().await?;
    let validity = position.uid_validity;
    let known = positions::failures(&mut conn, folder, validity, chunk).await?;
    let limit = i64::from(imap.max_failures.max(1));
    let (condemned, rest): (Vec<u32>, Vec<u32>) = chunk
        .iter()
        .partition(|uid| known.get(uid).is_some_and(|&n| n >= limit));
    if !condemned.is_empty() {
        tracing::error!(folder, uids = ?condemned, quarantine = %imap.quarantine_folder,
            "Messages the server keeps refusing are moved to quarantine unread (see imap_failures).");
        mailbox
            .move_to(&condemned, &imap.quarantine_folder)
            .await
            .map_err(Failure::Network)?;
    }
    let now = clock::to_storage(clock.now());
    let suspect = |uid: &u32| known.get(uid).is_some_and(|&n| n > 0);
    let mut fetched = Vec::new();
    if rest.iter().any(suspect) {
        for &uid in &rest {
            if suspect(&uid) {
                // Counted first: if this fetch kills the connection, it still counts.
                positions::record_failure(&mut conn, folder, validity, uid, "fetch attempt", &now)
                    .await?;
            }
            match mailbox.fetch(&[uid], max_bytes).await {
                Ok(one) if one.iter().any(|m| m.uid == uid) => {
                    fetched.extend(one);
                    positions::clear_failure(&mut conn, folder, validity, uid).await?;
                }
                Ok(_) => return Ok((fetched, Some(uid))),
                Err(error) => {
                    if !suspect(&uid) {
                        let reason = format!("{error:#}");
                        positions::record_failure(&mut conn, folder, validity, uid, &reason, &now)
                            .await?;
                    }
                    if mailbox.is_connected() {
                        return Ok((fetched, Some(uid)));
                    }
                    return Err(Failure::Network(error));
                }
            }
        }
        return Ok((fetched, None));
    }
    match mailbox.fetch(&rest, max_bytes).await {
        Ok(batch) => fetched = batch,
        Err(error) => {
            // Which message is to blame is not known yet: each gets one failure, and the
            // next pass fetches them one by one (clearing the innocent).
            let reason = format!("{error:#}");
            for &uid in &rest {
                positions::record_failure(&mut conn, folder, validity, uid, &reason, &now).await?;
            }
            return Err(Failure::Network(error));
        }
    }
    // A message the server left out of its answer is not skipped: it is retried.
    let missing = rest
        .iter()
        .copied()
        .find(|uid| !fetched.iter().any(|m| m.uid == *uid));
    if let Some(uid) = missing {
        positions::record_failure(
            &mut conn,
            folder,
            validity,
            uid,
            "not returned by FETCH",
            &now,
        )
        .await?;
    }
    Ok((fetched, missing))
}

/// Moves each decided message to the folder of its outcome, grouped in one `MOVE` per
/// folder, after the commit; then records the move.
async fn settle(
    pipeline: &Pipeline,
    clock: &Clock,
    mailbox: &mut ImapMailbox,
    handled: &[Handled],
) -> Result<(), Failure> {
    let mut by_folder: BTreeMap<&str, Vec<(u32, i64)>> = BTreeMap::new();
    for item in handled {
        let (Some(folder), Some(uid)) = (item.settle_folder.as_deref(), uid_of(item)) else {
            continue;
        };
        by_folder.entry(folder).or_default().push((uid, item.id));
    }
    let mut moved = Vec::new();
    for (folder, items) in by_folder {
        let uids: Vec<u32> = items.iter().map(|(uid, _)| *uid).collect();
        mailbox
            .move_to(&uids, folder)
            .await
            .map_err(Failure::Network)?;
        moved.extend(items.into_iter().map(|(_, id)| id));
    }
    // One statement for the batch: a commit per message would cost a disk flush each.
    let now = clock::to_storage(clock.now());
    messages::mark_settled_many(pipeline.store().pool(), &moved, &now).await?;
    Ok(())
}

/// The UID in a handled message's `uidvalidity:uid` reference.
fn uid_of(handled: &Handled) -> Option<u32> {
    handled
        .mailbox_ref
        .as_deref()?
        .rsplit_once(':')?
        .1
        .parse()
        .ok()
}

impl ImapWatch {
    /// The settings with a fresh secret, as the next connection will use them.
    ///
    /// # Errors
    /// The token command or file fails.
    pub async fn fresh_settings(&self) -> anyhow::Result<ImapSettings> {
        credentials(self).await
    }
}

/// The settings with a fresh secret: an OAuth token is fetched again at each connection.
async fn credentials(imap: &ImapWatch) -> anyhow::Result<ImapSettings> {
    use crate::mailbox::imap::ImapAuth;
    let mut settings = imap.settings.clone();
    let token = match &imap.credentials {
        Credentials::Fixed => return Ok(settings),
        Credentials::TokenFile(path) => tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("Cannot read the OAuth token file {}", path.display()))?,
        Credentials::TokenCommand(command) => {
            let output = tokio::time::timeout(
                settings.timeout,
                tokio::process::Command::new("sh")
                    .arg("-c")
                    .arg(command)
                    .output(),
            )
            .await
            .context("The OAuth token command timed out")?
            .context("Cannot run the OAuth token command")?;
            if !output.status.success() {
                anyhow::bail!("The OAuth token command failed ({})", output.status);
            }
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
    };
    let token = token.lines().next().unwrap_or("").trim().to_owned();
    if token.is_empty() {
        anyhow::bail!("The OAuth token is empty");
    }
    settings.auth = ImapAuth::XOAuth2 { token };
    Ok(settings)
}

/// 1 s, 2 s, 4 s… up to five minutes, with up to 25 % jitter so that restarted servers
/// are not hit by every client at once.
fn backoff(failures: u32) -> Duration {
    let base = Duration::from_secs(1_u64 << failures.saturating_sub(1).min(9)).min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = base.mul_f64(f64::from(nanos % 250) / 1000.0);
    base + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_of_a_first_run_is_now_all_or_a_day() {
        assert_eq!(Start::parse("now").expect("now"), Start::Now);
        assert_eq!(Start::parse("all").expect("all"), Start::All);
        assert_eq!(
            Start::parse("2026-11-01").expect("day"),
            Start::Since(jiff::civil::date(2026, 11, 1))
        );
        assert!(Start::parse("hier").is_err());
    }

    #[test]
    fn reconnection_backs_off_up_to_five_minutes_with_jitter() {
        assert!(backoff(1) >= Duration::from_secs(1) && backoff(1) < Duration::from_millis(1300));
        assert!(backoff(30) <= MAX_BACKOFF + MAX_BACKOFF / 4);
    }
}
