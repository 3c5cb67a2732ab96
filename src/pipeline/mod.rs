//! The pipeline: the only caller of every stage.
//!
//! For each batch of candidates:
//! 1. **raw first** — read each message (within the size limit) and commit its raw bytes
//!    and a log row in state `stored`; from then on nothing can be lost;
//! 2. **analyse** — parse, classify and inspect attachments on one blocking thread per
//!    core ([`analysis`]); a panic becomes that message's problem;
//! 3. **decide** — in one transaction, per message in arrival order: deduplicate by
//!    Message-ID (else SHA-256), decide, record the outcome and its reasons, catalogue
//!    the attachments, queue replies, plan where the original goes.
//!
//! Commits cover whole batches (group commit), which is what makes a re-import of years of
//! mail fast; each message's effects still land together or not at all. [`Flow`] runs
//! step 3 of one batch and step 1 of the next in the same transaction, while step 2 of
//! that next batch already runs on the other threads: the disk and both cores are busy at
//! once, and a message's raw copy is always committed before its decision. Acting on the outside world (delivering, moving
//! mail) is left to the caller, after the commit. Rows a crash left in `stored` are
//! finished by [`Pipeline::resume`].

mod analysis;
pub mod groups;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinHandle;

pub(crate) use self::analysis::{analyse_guarded, Analysis, Raw};

use self::analysis::analyse_batch;
use crate::classify::subject::SubjectMatcher;
use crate::classify::Kind;
use crate::clock::{self, Clock};
use crate::config::{Folders, Limits};
use crate::form::GroupNames;
use crate::intake::auth::Dmarc;
use crate::mailbox::Candidate;
use crate::outbox;
use crate::problem::{self, Problem};
use crate::roles::Roles;
use crate::rules::{Reason, Rules};
use crate::store::members;
use crate::store::messages::{self, Decided, NewAttachment, NewMessage};
use crate::store::{Store, Tx};
use crate::workflow::apply::Applying;
use crate::workflow::register::Member;
use crate::workflow::{self, Decision, Inbound, Outcome, Screened, Settle};

/// What the analysis threads share: the rules and what is compiled from them.
#[derive(Debug)]
pub(crate) struct Shared {
    pub rules: Rules,
    pub subjects: SubjectMatcher,
    pub groups: GroupNames,
}

/// Everything the stages need, built once.
#[derive(Debug, Clone)]
pub struct Pipeline {
    store: Store,
    shared: Arc<Shared>,
    limits: Limits,
    folders: Folders,
    from: String,
    clock: Clock,
    workers: usize,
    roles: Roles,
}

/// What happened to one message, for the caller to print and to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// Log row.
    pub id: i64,
    /// Where the message came from.
    pub path: Option<PathBuf>,
    /// Its identity in its mailbox (Maildir unique name, file path, IMAP `uidvalidity:uid`).
    pub mailbox_ref: Option<String>,
    /// Kind name.
    pub kind: String,
    /// Outcome name.
    pub outcome: String,
    /// Organisation as the subject names it.
    pub organisation: Option<String>,
    /// The folder the original goes to (the daemon moves it if it is still in the inbox).
    pub settle_folder: Option<String>,
    /// Decided in an earlier run (the same file or Maildir message seen again).
    pub already_handled: bool,
}

/// A batch whose raw messages are committed and whose analysis is running.
struct Pending {
    /// Log rows and origins of the messages being analysed, in batch order.
    rows: Vec<(i64, Origin)>,
    analyses: JoinHandle<Vec<Analysis>>,
}

/// Where a message of a batch came from.
#[derive(Debug, Default)]
struct Origin {
    path: Option<PathBuf>,
    mailbox_ref: Option<String>,
    arrival: Arrival,
}

/// How a message arrived, as far as its decision is concerned.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Arrival {
    /// From the Junk folder.
    pub junk: bool,
    /// Imported from the past: never answered, never moved.
    pub quiet: bool,
}

impl Arrival {
    /// As stored with the raw message, so that a resumed message is decided the same way.
    fn as_stored(self) -> Option<&'static str> {
        match (self.quiet, self.junk) {
            (true, _) => Some("quiet"),
            (false, true) => Some("junk"),
            (false, false) => None,
        }
    }

    fn from_stored(text: Option<&str>) -> Arrival {
        Arrival {
            junk: text == Some("junk"),
            quiet: text == Some("quiet"),
        }
    }
}

/// A batch read from the mailbox, not yet stored.
struct Incoming {
    /// Messages decided in an earlier run: nothing more to do but settle them.
    already_handled: Vec<Handled>,
    /// Everything else, with the log row a previous interrupted run already stored.
    messages: Vec<(Candidate, Raw, Option<i64>)>,
    /// Files that could not be read (gone meanwhile, no permission): not stored.
    unreadable: Vec<Unreadable>,
}

/// A file that could not be read: it stays where it is, and the next run tries again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// Why, as the operating system said it.
    pub reason: String,
}

/// Batches going through the pipeline. Each step reads the next batch and starts its
/// analysis, then — in one transaction — records the decisions of the previous batch and
/// stores the raw messages of the next: the analysis of one batch runs while the other is
/// written. At most two batches are in memory at once, whatever the mailbox size.
pub struct Flow<'p> {
    pipeline: &'p Pipeline,
    batches: VecDeque<Vec<Candidate>>,
    pending: Option<Pending>,
    unreadable: Vec<Unreadable>,
}

impl Flow<'_> {
    /// The files that could not be read so far (each logged as a warning when met).
    pub fn unreadable(&self) -> &[Unreadable] {
        &self.unreadable
    }

    /// Decides the next batch and returns what happened to each of its messages, or
    /// `None` when every batch is done.
    ///
    /// # Errors
    /// The store fails or a file cannot be read; messages already stored stay `stored`
    /// and are finished by [`Pipeline::resume`] next time.
    pub async fn next(&mut self) -> Option<anyhow::Result<Vec<Handled>>> {
        loop {
            let batch = self.batches.pop_front();
            if batch.is_none() && self.pending.is_none() {
                return None;
            }
            match self.step(batch).await {
                Ok(handled) if handled.is_empty() => continue,
                result => return Some(result),
            }
        }
    }

    async fn step(&mut self, batch: Option<Vec<Candidate>>) -> anyhow::Result<Vec<Handled>> {
        let pipeline = self.pipeline;
        // Read the next batch and start its analysis before touching the database.
        let incoming = match batch {
            Some(batch) => Some(pipeline.read_batch(batch).await?),
            None => None,
        };
        let next_analyses = incoming.as_ref().map(|incoming| {
            let raws = incoming
                .messages
                .iter()
                .map(|(_, raw, _)| raw.clone())
                .collect();
            pipeline.spawn_analysis(raws)
        });
        // While the previous batch is analysed, move the WAL into the database file.
        let (finished, checkpoint) = tokio::join!(
            async {
                match self.pending.take() {
                    Some(pending) => pending
                        .analyses
                        .await
                        .map(|analyses| Some((pending.rows, analyses))),
                    None => Ok(None),
                }
            },
            pipeline.store.checkpoint()
        );
        let finished = finished.context("The analysis of a batch was interrupted")?;
        if let Err(error) = checkpoint {
            tracing::warn!(%error, "WAL checkpoint failed; SQLite will retry on its own.");
        }

        let mut tx = pipeline.store.begin().await?;
        let mut handled = match finished {
            Some((rows, analyses)) => pipeline.record(&mut tx, rows, analyses).await?,
            None => Vec::new(),
        };
        let mut next_pending = None;
        if let (Some(incoming), Some(analyses)) = (incoming, next_analyses) {
            handled.extend(incoming.already_handled);
            self.unreadable.extend(incoming.unreadable);
            let rows = pipeline.store_raw(&mut tx, incoming.messages).await?;
            next_pending = Some(Pending { rows, analyses });
        }
        tx.commit().await.context("Cannot commit the batch")?;
        self.pending = next_pending;
        handled.sort_by_key(|h| h.id);
        Ok(handled)
    }
}

impl Pipeline {
    /// Builds the pipeline over `store` with `rules`.
    ///
    /// # Errors
    /// The subject rules do not compile.
    pub fn new(
        store: Store,
        rules: Rules,
        limits: Limits,
        folders: Folders,
        from: Option<String>,
        clock: Clock,
    ) -> anyhow::Result<Pipeline> {
        let subjects = SubjectMatcher::new(&rules.subjects).context("Invalid subject rules")?;
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        Ok(Pipeline {
            store,
            from: from.unwrap_or_else(|| rules.alliance.address.clone()),
            shared: Arc::new(Shared {
                groups: GroupNames::new(&rules.form),
                rules,
                subjects,
            }),
            limits,
            folders,
            clock,
            workers,
            roles: Roles::default(),
        })
    }

    /// The addresses of the alliance's roles (forwards go only to them).
    #[must_use]
    pub fn with_roles(mut self, roles: Roles) -> Pipeline {
        self.roles = roles;
        self
    }

    /// The addresses of the alliance's roles.
    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The bounds on messages and batches.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.shared.rules
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The address mail is sent from.
    pub fn from_address(&self) -> &str {
        &self.from
    }

    /// The batches for `candidates`, bounded by count and bytes, ready to be driven.
    pub fn flow(&self, candidates: Vec<Candidate>) -> Flow<'_> {
        let mut batches = VecDeque::new();
        let mut current = Vec::new();
        let mut bytes = 0_u64;
        let budget = u64::try_from(self.limits.batch_bytes).unwrap_or(u64::MAX);
        for candidate in candidates {
            if !current.is_empty()
                && (current.len() >= self.limits.batch_messages
                    || bytes + candidate.size_bytes > budget)
            {
                batches.push_back(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += candidate.size_bytes;
            current.push(candidate);
        }
        if !current.is_empty() {
            batches.push_back(current);
        }
        Flow {
            pipeline: self,
            batches,
            pending: None,
            unreadable: Vec::new(),
        }
    }

    /// Runs `candidates` through the whole pipeline; one [`Handled`] per candidate.
    ///
    /// # Errors
    /// As [`Flow::next`].
    pub async fn process(&self, candidates: Vec<Candidate>) -> anyhow::Result<Vec<Handled>> {
        let mut flow = self.flow(candidates);
        let mut handled = Vec::new();
        while let Some(batch) = flow.next().await {
            handled.extend(batch?);
        }
        Ok(handled)
    }

    /// Finishes rows a crash left in state `stored`, from their stored raw bytes.
    ///
    /// # Errors
    /// The store fails.
    pub async fn resume(&self) -> anyhow::Result<Vec<Handled>> {
        let pending = messages::pending(self.store.pool()).await?;
        let mut handled = Vec::new();
        for chunk in pending.chunks(self.limits.batch_messages.max(1)) {
            let mut rows = Vec::with_capacity(chunk.len());
            let mut raws = Vec::with_capacity(chunk.len());
            for row in chunk {
                tracing::info!(
                    id = row.id,
                    "Resuming a message stored before an interruption."
                );
                let bytes = messages::raw_bytes(self.store.pool(), row.id).await?;
                raws.push(Raw {
                    too_large: usize::try_from(row.size_bytes).is_ok_and(|size| size > bytes.len()),
                    bytes: Arc::new(bytes),
                });
                rows.push((
                    row.id,
                    Origin {
                        arrival: Arrival::from_stored(row.arrival.as_deref()),
                        ..Origin::default()
                    },
                ));
            }
            let analyses = self
                .spawn_analysis(raws)
                .await
                .context("The analysis of a batch was interrupted")?;
            let mut tx = self.store.begin().await?;
            handled.extend(self.record(&mut tx, rows, analyses).await?);
            tx.commit().await.context("Cannot commit the decisions")?;
        }
        Ok(handled)
    }

    /// Reads a batch from the mailbox, skipping what an earlier run already decided.
    async fn read_batch(&self, batch: Vec<Candidate>) -> anyhow::Result<Incoming> {
        let refs: Vec<(&str, &str)> = batch
            .iter()
            .map(|c| (c.mailbox.as_str(), c.mailbox_ref.as_str()))
            .collect();
        let mut conn = self.store.pool().acquire().await?;
        let known = messages::find_by_refs(&mut conn, &refs).await?;
        drop(conn);
        let mut incoming = Incoming {
            already_handled: Vec::new(),
            messages: Vec::new(),
            unreadable: Vec::new(),
        };
        let mut to_read = Vec::with_capacity(batch.len());
        for candidate in batch {
            let key = (candidate.mailbox.clone(), candidate.mailbox_ref.clone());
            match known.get(&key) {
                Some(known) if known.state == "decided" => {
                    incoming.already_handled.push(Handled {
                        id: known.id,
                        mailbox_ref: Some(candidate.mailbox_ref.clone()),
                        path: Some(candidate.path),
                        kind: String::new(),
                        outcome: String::new(),
                        organisation: None,
                        // Still (or again) in the inbox: it goes back to its folder.
                        settle_folder: known.settle_folder.clone(),
                        already_handled: true,
                    });
                }
                stored => to_read.push((candidate, stored.map(|known| known.id))),
            }
        }
        // One blocking task reads the whole batch: a thread hand-off per file costs more
        // than the read itself.
        let limit = u64::try_from(self.limits.max_message_bytes).unwrap_or(u64::MAX);
        let read_all = tokio::task::spawn_blocking(move || {
            to_read
                .into_iter()
                .map(|(candidate, id)| match read(&candidate, limit) {
                    Ok(raw) => Ok((candidate, raw, id)),
                    Err(error) => Err(Unreadable {
                        path: candidate.path,
                        reason: error.to_string(),
                    }),
                })
                .collect::<Vec<_>>()
        })
        .await
        .context("Reading a batch was interrupted")?;
        for result in read_all {
            match result {
                Ok(message) => incoming.messages.push(message),
                Err(unreadable) => {
                    tracing::warn!(path = %unreadable.path.display(), reason = %unreadable.reason, "Cannot read a message file; left in place.");
                    incoming.unreadable.push(unreadable);
                }
            }
        }
        Ok(incoming)
    }

    /// Step 1, in the caller's transaction: raw bytes and a log row for every message that
    /// has none yet. Returns the log rows in batch order.
    async fn store_raw(
        &self,
        tx: &mut Tx,
        batch: Vec<(Candidate, Raw, Option<i64>)>,
    ) -> anyhow::Result<Vec<(i64, Origin)>> {
        let stored_at = clock::to_storage(self.clock.now());
        let received: Vec<String> = batch
            .iter()
            .map(|(candidate, _, _)| clock::to_storage(candidate.received_at))
            .collect();
        let new: Vec<NewMessage<'_>> = batch
            .iter()
            .zip(&received)
            .filter(|((_, _, id), _)| id.is_none())
            .map(|((candidate, raw, _), received_at)| NewMessage {
                mailbox: &candidate.mailbox,
                mailbox_ref: &candidate.mailbox_ref,
                received_at,
                stored_at: &stored_at,
                size_bytes: candidate.size_bytes,
                raw: &raw.bytes,
                arrival: Arrival {
                    junk: candidate.junk,
                    quiet: candidate.quiet,
                }
                .as_stored(),
            })
            .collect();
        let mut new_ids = messages::insert_stored(tx, &new).await?.into_iter();
        drop(new);
        let mut rows = Vec::with_capacity(batch.len());
        for (candidate, _, id) in batch {
            let id = match id {
                Some(id) => id,
                None => new_ids.next().context("A stored message has no log row")?,
            };
            rows.push((
                id,
                Origin {
                    path: Some(candidate.path),
                    mailbox_ref: Some(candidate.mailbox_ref),
                    arrival: Arrival {
                        junk: candidate.junk,
                        quiet: candidate.quiet,
                    },
                },
            ));
        }
        Ok(rows)
    }

    fn spawn_analysis(&self, raws: Vec<Raw>) -> JoinHandle<Vec<Analysis>> {
        tokio::spawn(analyse_batch(
            raws,
            Arc::clone(&self.shared),
            self.limits.clone(),
            self.workers,
        ))
    }

    /// Step 3, in the caller's transaction: decide and record every analysed message of a
    /// batch — decisions, attachment catalogue, queued replies.
    async fn record(
        &self,
        tx: &mut Tx,
        rows: Vec<(i64, Origin)>,
        analyses: Vec<Analysis>,
    ) -> anyhow::Result<Vec<Handled>> {
        let now = self.clock.now();
        let decided_at = clock::to_storage(now);
        let dedupe_keys: Vec<String> = analyses.iter().map(dedupe_key).collect();
        let mut first_seen = messages::first_ids_by_dedupe_key(tx, &dedupe_keys).await?;
        let mut register: Option<Vec<Member>> = None;
        let mut decisions = Vec::with_capacity(rows.len());
        for (((id, origin), analysis), dedupe_key) in rows.iter().zip(&analyses).zip(&dedupe_keys) {
            let id = *id;
            let duplicate_of = first_seen
                .get(dedupe_key)
                .copied()
                .filter(|&first| first != id);
            first_seen.entry(dedupe_key.clone()).or_insert(id);
            let decision = self
                .decide(
                    tx,
                    id,
                    analysis,
                    duplicate_of,
                    &mut register,
                    None,
                    now,
                    origin.arrival,
                )
                .await?;
            decisions.push((decision, duplicate_of));
        }
        let texts: Vec<DecisionTexts> = analyses
            .iter()
            .zip(&decisions)
            .map(|(analysis, (decision, duplicate_of))| {
                self.texts(analysis, decision, *duplicate_of)
            })
            .collect();
        let decided: Vec<Decided<'_>> = rows
            .iter()
            .zip(&analyses)
            .zip(&decisions)
            .zip(&dedupe_keys)
            .zip(&texts)
            .map(
                |(
                    (((&(id, ref origin), analysis), (decision, duplicate_of)), dedupe_key),
                    texts,
                )| Decided {
                    id,
                    raw_sha256: &analysis.raw_sha256,
                    message_id: analysis.envelope.message_id.as_deref(),
                    dedupe_key,
                    sent_at: texts.sent_at.as_deref(),
                    from_addr: analysis.envelope.from_addr.as_deref(),
                    from_name: analysis.envelope.from_name.as_deref(),
                    subject: analysis.envelope.subject.as_deref(),
                    kind: analysis.classification.kind.as_str(),
                    outcome: decision.outcome.as_str(),
                    problems_json: &texts.problems_json,
                    reasons_json: &texts.reasons_json,
                    organisation: analysis.classification.organisation.as_deref(),
                    organisation_key: analysis.classification.organisation_key.as_deref(),
                    duplicate_of: *duplicate_of,
                    rules_version: &self.shared.rules.version,
                    decided_at: &decided_at,
                    // The past imported quietly stays where it is, now and if read again.
                    settle_folder: (!origin.arrival.quiet).then(|| self.folder(decision.settle)),
                },
            )
            .collect();
        messages::record_decisions(tx, &decided).await?;
        let attachments: Vec<NewAttachment<'_>> = rows
            .iter()
            .zip(&analyses)
            .flat_map(|(&(id, _), analysis)| {
                analysis
                    .attachments
                    .iter()
                    .map(move |attachment| NewAttachment {
                        message_row_id: id,
                        position: i64::try_from(attachment.position).unwrap_or(i64::MAX),
                        filename: attachment.filename.as_deref(),
                        declared_type: &attachment.declared_type,
                        detected_type: attachment.inspection.detected.as_str(),
                        size_bytes: i64::try_from(attachment.size_bytes).unwrap_or(i64::MAX),
                        sha256: &attachment.sha256,
                        pdf_pages: attachment.inspection.pdf_pages.map(i64::from),
                        problem: attachment.inspection.problem.map(Problem::as_str),
                    })
            })
            .collect();
        messages::insert_attachments(tx, &attachments).await?;

        let handled = rows
            .into_iter()
            .zip(&analyses)
            .zip(&decisions)
            .map(|(((id, origin), analysis), (decision, _))| {
                tracing::info!(
                    id,
                    message_id = analysis.envelope.message_id.as_deref().unwrap_or(""),
                    kind = analysis.classification.kind.as_str(),
                    outcome = decision.outcome.as_str(),
                    "Message decided."
                );
                Handled {
                    id,
                    path: origin.path,
                    mailbox_ref: origin.mailbox_ref,
                    kind: analysis.classification.kind.as_str().to_owned(),
                    outcome: decision.outcome.as_str().to_owned(),
                    organisation: analysis.classification.organisation.clone(),
                    // Imported from the past: left where it is.
                    settle_folder: (!origin.arrival.quiet)
                        .then(|| self.folder(decision.settle).to_owned()),
                    already_handled: false,
                }
            })
            .collect();
        Ok(handled)
    }

    /// Decides one message in the batch's transaction: the envelope first, then its
    /// workflow against the members as the earlier messages of the batch left them.
    /// `register` caches the members between messages that change none.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn decide(
        &self,
        tx: &mut Tx,
        id: i64,
        analysis: &Analysis,
        duplicate_of: Option<i64>,
        register: &mut Option<Vec<Member>>,
        approval: Option<&workflow::Approval>,
        now: jiff::Timestamp,
        arrival: Arrival,
    ) -> anyhow::Result<Decision> {
        let rules = &self.shared.rules;
        let mut problems = analysis.envelope.problems.clone();
        problems.extend(analysis.classification.problems.iter().copied());
        let mut reasons = analysis.classification.reasons.clone();
        // The Junk folder: what Outlook's filter caught is read by a person unless our
        // own receiving system saw DMARC pass (then it is mail like any other).
        // Mail from the past, imported on request: kept and classified for the log, not
        // acted upon (past signatories come in with `members import`).
        if arrival.quiet && duplicate_of.is_none() {
            reasons.push(Reason::ImportedQuietly);
            return Ok(Decision {
                outcome: Outcome::Ignored,
                problems,
                reasons,
                settle: Settle::Ignored,
            });
        }
        if arrival.junk && analysis.dmarc != Dmarc::Pass && duplicate_of.is_none() {
            problems.push(Problem::MessageJunk);
            reasons.push(Reason::JunkHeld);
            return Ok(Decision {
                outcome: Outcome::HeldForReview,
                problems,
                reasons,
                settle: Settle::Review,
            });
        }
        let screened = workflow::screen(
            &analysis.envelope,
            &analysis.classification,
            duplicate_of,
            analysis.has_form(),
        );
        let approved_route = approval.and_then(|_| {
            workflow::route_for_approval(analysis.classification.kind, analysis.has_form())
        });
        let route = match (screened, approved_route) {
            (Screened::Route(route), _) => route,
            (Screened::Decided(decision), Some(route))
                if decision.outcome == Outcome::HeldForReview =>
            {
                route
            }
            (Screened::Decided(decision), _) if analysis.classification.kind == Kind::Bounce => {
                return self
                    .bounce(tx, id, analysis, decision, problems, reasons)
                    .await;
            }
            (Screened::Decided(decision), _) => {
                if let Some(code) = self.participation_notice(analysis, &decision, approval) {
                    return self
                        .forward_participation(tx, id, analysis, code, problems, reasons)
                        .await;
                }
                problems.extend(decision.problems);
                reasons.extend(decision.reasons);
                return Ok(Decision {
                    problems,
                    reasons,
                    ..decision
                });
            }
        };
        let members = match register {
            Some(members) => members,
            None => {
                let rows = members::all(tx).await?;
                register.insert(rows.iter().map(Member::from_row).collect())
            }
        };
        let inbound = Inbound {
            row_id: id,
            route,
            envelope: &analysis.envelope,
            classification: &analysis.classification,
            form: analysis.form.as_ref(),
            contact: analysis.contact.as_ref(),
            resignation_scope: &analysis.resignation_scope,
            dmarc: analysis.dmarc,
        };
        let today = self.clock.local_date(now);
        let plan = workflow::plan(&inbound, members, rules, today, approval);
        let applying = Applying {
            message_row_id: id,
            sender: analysis.envelope.from_addr.as_deref(),
            by: approval.map_or("mailroom", |a| a.by.as_str()),
            from: &self.from,
            now,
        };
        workflow::apply(tx, &plan, analysis.form.as_ref(), &applying, rules).await?;
        if plan.change != workflow::Change::None {
            *register = None;
        }
        for problem in plan.problems {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
        reasons.extend(plan.reasons);
        Ok(Decision {
            outcome: plan.outcome,
            problems,
            reasons,
            settle: plan.outcome.settle(),
        })
    }

    /// The group an unclassified message gives notice of an absence or a participation
    /// difficulty about (never for a coordinator's approval: it has been read).
    fn participation_notice(
        &self,
        analysis: &Analysis,
        screened: &Decision,
        approval: Option<&workflow::Approval>,
    ) -> Option<crate::form::record::WorkingGroupCode> {
        let plain = screened.outcome == Outcome::HeldForReview
            && screened.reasons.is_empty()
            && analysis.classification.kind == Kind::Unclassified
            && !analysis.classification.bulk;
        if !plain || approval.is_some() {
            return None;
        }
        workflow::participation::group_of(&analysis.envelope, &self.shared.rules)
    }

    /// Forwards a participation notice to the group's pilot and référent with the time it
    /// was received; held for a coordinator when neither has an address.
    async fn forward_participation(
        &self,
        tx: &mut Tx,
        id: i64,
        analysis: &Analysis,
        code: crate::form::record::WorkingGroupCode,
        problems: Vec<Problem>,
        mut reasons: Vec<Reason>,
    ) -> anyhow::Result<Decision> {
        let rules = &self.shared.rules;
        let received = messages::log_row(tx, id)
            .await?
            .and_then(|row| clock::from_storage(&row.received_at))
            .unwrap_or_else(|| self.clock.now());
        let sender = analysis.envelope.from_addr.as_deref();
        let organisation = match sender {
            Some(sender) => {
                let rows = members::all(tx).await?;
                let members: Vec<Member> = rows.iter().map(Member::from_row).collect();
                match workflow::register::by_sender(&members, sender) {
                    workflow::register::Found::Member(member) => Some(member.name.clone()),
                    _ => None,
                }
            }
            None => None,
        };
        let forward = workflow::participation::forward(
            &analysis.envelope,
            code,
            organisation
                .as_deref()
                .or(analysis.classification.organisation.as_deref()),
            received,
            rules,
            &self.roles,
            &self.clock,
        );
        let Some(forward) = forward else {
            tracing::warn!(
                id,
                group = code.as_str(),
                "No address for the group's pilot or référent."
            );
            reasons.push(Reason::ParticipationNoRecipient);
            return Ok(Decision {
                outcome: Outcome::HeldForReview,
                problems,
                reasons,
                settle: Settle::Review,
            });
        };
        outbox::enqueue(tx, &forward, &self.from, Some(id), rules, self.clock.now()).await?;
        tracing::info!(id, group = code.as_str(), to = ?forward.to, "Participation notice forwarded.");
        reasons.push(Reason::ParticipationForwarded);
        Ok(Decision {
            outcome: Outcome::Forwarded,
            problems,
            reasons,
            settle: Settle::Processed,
        })
    }

    /// A delivery report: ignored, unless it returns one of our own messages — then a
    /// coordinator must reach the member another way (an acknowledgement that never
    /// arrived leaves a membership without its confirmation).
    async fn bounce(
        &self,
        tx: &mut Tx,
        id: i64,
        analysis: &Analysis,
        decision: Decision,
        mut problems: Vec<Problem>,
        mut reasons: Vec<Reason>,
    ) -> anyhow::Result<Decision> {
        let envelope = &analysis.envelope;
        let returned: Vec<String> = envelope
            .embedded_message_ids
            .iter()
            .chain(&envelope.references)
            .cloned()
            .collect();
        let ours = if returned.is_empty() {
            Vec::new()
        } else {
            crate::store::outbox::mark_bounced(tx, &returned, id).await?
        };
        problems.extend(decision.problems);
        reasons.extend(decision.reasons);
        let Some(&first) = ours.first() else {
            return Ok(Decision {
                problems,
                reasons,
                ..decision
            });
        };
        tracing::warn!(id, outbox_id = first, "One of our messages bounced.");
        problems.push(Problem::ReplyBounced);
        reasons.push(Reason::ReplyBounced);
        Ok(Decision {
            outcome: Outcome::HeldForReview,
            problems,
            reasons,
            settle: Settle::Review,
        })
    }

    /// A coordinator approves held message `id`: its workflow runs again from its raw
    /// copy, with what the coordinator decided, and the review is recorded with who and
    /// why — all in one transaction. Returns the new outcome.
    ///
    /// # Errors
    /// No such message, not awaiting review, or the workflow still cannot apply (the
    /// error says why in French; nothing is recorded then).
    pub async fn approve(
        &self,
        id: i64,
        approval: &workflow::Approval,
        note: Option<&str>,
    ) -> anyhow::Result<Decision> {
        let analysis = self.awaiting(id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let decision = self
            .decide(
                &mut tx,
                id,
                &analysis,
                None,
                &mut None,
                Some(approval),
                now,
                Arrival::default(),
            )
            .await?;
        // Approving changes nothing when the workflow still refuses: the member's reply
        // already said so, and it is not sent twice.
        let refused = matches!(
            decision.outcome,
            Outcome::Ineligible | Outcome::Unreadable | Outcome::Incomplete
        );
        if refused {
            anyhow::bail!(
                "Le message n° {id} ne peut pas être approuvé tel quel ({}) : {}",
                decision.outcome.as_str(),
                "pour un groupe réservé, précisez --drop-group CODE ; sinon, attendez le formulaire corrigé du membre"
            );
        }
        if decision.outcome == Outcome::HeldForReview
            && !decision.reasons.contains(&Reason::GroupWithdrawn)
        {
            let why: Vec<&str> = decision
                .problems
                .iter()
                .map(|p| self.shared.rules.messages.problem(*p))
                .collect();
            anyhow::bail!(
                "Le message n° {id} ne peut pas être appliqué tel quel : {}",
                if why.is_empty() {
                    "aucune démarche reconnue (adhésion, point de contact, résiliation)".to_owned()
                } else {
                    why.join(" ")
                }
            );
        }
        let result = if decision.reasons.contains(&Reason::GroupWithdrawn) {
            "groups_withdrawn"
        } else {
            decision.outcome.as_str()
        };
        let options = serde_json::json!({
            "as": approval.member,
            "drop_group": approval.drop_group.map(|c| c.as_str()),
            "as_resignation": approval.as_resignation,
        });
        let action = messages::ReviewAction {
            action: "approve".to_owned(),
            by: approval.by.clone(),
            note: note.map(str::to_owned),
            options: options.to_string(),
            result: Some(result.to_owned()),
            at: clock::to_storage(now),
        };
        messages::record_review(&mut tx, id, &action).await?;
        tx.commit().await.context("Cannot record the review")?;
        tracing::info!(id, by = %approval.by, result, "Review approved.");
        Ok(decision)
    }

    /// A coordinator rejects held message `id`: nothing changes but the record of who
    /// decided and why.
    ///
    /// # Errors
    /// No such message or not awaiting review.
    pub async fn reject(&self, id: i64, by: &str, note: Option<&str>) -> anyhow::Result<()> {
        self.awaiting(id).await?;
        let mut tx = self.store.begin().await?;
        let action = messages::ReviewAction {
            action: "reject".to_owned(),
            by: by.to_owned(),
            note: note.map(str::to_owned),
            options: "{}".to_owned(),
            result: None,
            at: clock::to_storage(self.clock.now()),
        };
        messages::record_review(&mut tx, id, &action).await?;
        tx.commit().await.context("Cannot record the review")?;
        tracing::info!(id, by, "Review rejected.");
        Ok(())
    }

    /// Message `id`, analysed again from its raw copy, if it awaits a review.
    async fn awaiting(&self, id: i64) -> anyhow::Result<Analysis> {
        let mut conn = self.store.pool().acquire().await?;
        let row = messages::log_row(&mut conn, id)
            .await?
            .with_context(|| format!("Aucun message n° {id}"))?;
        if let Some(done) = messages::review_action(&mut conn, id).await? {
            anyhow::bail!(
                "Le message n° {id} a déjà été traité par {} ({}).",
                done.by,
                done.action
            );
        }
        let outcome = row.outcome.as_deref().unwrap_or("");
        if !messages::REVIEWABLE.contains(&outcome) {
            anyhow::bail!(
                "Le message n° {id} n’attend pas de vérification (résultat : {outcome})."
            );
        }
        drop(conn);
        let bytes = messages::raw_bytes(self.store.pool(), id).await?;
        let raw = Raw {
            too_large: usize::try_from(messages::size_bytes(self.store.pool(), id).await?)
                .is_ok_and(|size| size > bytes.len()),
            bytes: Arc::new(bytes),
        };
        let shared = Arc::clone(&self.shared);
        let limits = self.limits.clone();
        let analysis = tokio::task::spawn_blocking(move || analyse_guarded(&raw, &shared, &limits))
            .await
            .context("The analysis was interrupted")?;
        Ok(analysis)
    }

    /// The stored texts of a decision: problem codes, French reasons, the sender's date.
    fn texts(
        &self,
        analysis: &Analysis,
        decision: &Decision,
        duplicate_of: Option<i64>,
    ) -> DecisionTexts {
        let reasons: Vec<String> = decision
            .reasons
            .iter()
            .map(|reason| {
                let number = (*reason == Reason::Duplicate)
                    .then_some(duplicate_of)
                    .flatten();
                self.shared.rules.messages.reason(*reason, number)
            })
            .collect();
        DecisionTexts {
            problems_json: problem::codes_json(&decision.problems),
            reasons_json: serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".to_owned()),
            sent_at: analysis.envelope.sent_at.map(clock::to_storage),
        }
    }

    fn folder(&self, settle: Settle) -> &str {
        match settle {
            Settle::Processed => &self.folders.processed,
            Settle::Review => &self.folders.review,
            Settle::Ignored => &self.folders.ignored,
        }
    }
}

/// Reads a candidate's bytes; a file over `limit` is not read (its log row says so and the
/// file itself stays in the mailbox as the raw copy).
fn read(candidate: &Candidate, limit: u64) -> std::io::Result<Raw> {
    if candidate.size_bytes > limit {
        return Ok(Raw {
            bytes: Arc::new(Vec::new()),
            too_large: true,
        });
    }
    if let Some(bytes) = &candidate.bytes {
        return Ok(Raw {
            bytes: Arc::clone(bytes),
            too_large: false,
        });
    }
    let bytes = std::fs::read(&candidate.path)?;
    Ok(Raw {
        bytes: Arc::new(bytes),
        too_large: false,
    })
}

/// `mid:<Message-ID>`, or `sha256:<hex>` for a message without one.
fn dedupe_key(analysis: &Analysis) -> String {
    match &analysis.envelope.message_id {
        Some(message_id) => format!("mid:{message_id}"),
        None => format!("sha256:{}", analysis.raw_sha256),
    }
}

/// What a decision stores as text.
struct DecisionTexts {
    problems_json: String,
    reasons_json: String,
    sent_at: Option<String>,
}

/// Counts of what a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Messages decided now.
    pub decided: usize,
    /// Outcome name → count.
    pub by_outcome: std::collections::BTreeMap<String, usize>,
    /// Seen again, already decided in an earlier run.
    pub already_handled: usize,
}

impl Tally {
    /// Counts one handled message.
    pub fn add(&mut self, handled: &Handled) {
        if handled.already_handled {
            self.already_handled += 1;
        } else {
            self.decided += 1;
            *self.by_outcome.entry(handled.outcome.clone()).or_default() += 1;
        }
    }
}
