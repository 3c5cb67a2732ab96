//! The pipeline: the only caller of every stage, one transaction per step.
//!
//! For a batch of candidates:
//! 1. **raw first** — read each message (within the size limit) and commit its raw bytes
//!    and a log row in state `stored`; from then on nothing can be lost;
//! 2. **analyse** — parse, classify and inspect attachments on the blocking pool, one task
//!    per message and at most one per core (a panic becomes that message's problem);
//! 3. **decide** — in one transaction, per message in arrival order: deduplicate by
//!    Message-ID (else SHA-256), decide, record the outcome and its reasons, catalogue
//!    the attachments, queue replies, plan where the original goes.
//!
//! A batch's two commits cover many messages (group commit), which is what makes a
//! re-import of years of mail fast; each message's effects still land together or not at
//! all. Acting on the outside world (delivering, moving mail) is left to the caller, after
//! the commit. Rows a crash left in `stored` are finished by [`Pipeline::resume`].

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::classify::subject::SubjectMatcher;
use crate::classify::{self, Classification, Kind};
use crate::clock::{self, Clock};
use crate::config::{Folders, Limits};
use crate::form::{self, Inspection};
use crate::intake::{self, Envelope};
use crate::mailbox::Candidate;
use crate::outbox;
use crate::problem::{self, Problem};
use crate::rules::{Reason, Rules};
use crate::store::messages::{self, Decided, NewAttachment, NewMessage};
use crate::store::{Store, Tx};
use crate::workflow::{self, Decision, Settle};

/// Everything the stages need, built once.
#[derive(Debug, Clone)]
pub struct Pipeline {
    store: Store,
    rules: Arc<Rules>,
    subjects: Arc<SubjectMatcher>,
    limits: Limits,
    folders: Folders,
    from: String,
    clock: Clock,
    workers: usize,
}

/// What happened to one message, for the caller to print and to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handled {
    /// Log row.
    pub id: i64,
    /// Where the message came from.
    pub path: Option<PathBuf>,
    /// Kind name.
    pub kind: String,
    /// Outcome name.
    pub outcome: String,
    /// Organisation as the subject names it.
    pub organisation: Option<String>,
    /// The folder the original goes to, while it has not been moved.
    pub settle_folder: Option<String>,
    /// Decided in an earlier run (the same file or Maildir message seen again).
    pub already_handled: bool,
}

/// A stored message waiting for its decision.
struct Work {
    id: i64,
    path: Option<PathBuf>,
    raw: Vec<u8>,
    /// Over the size limit: `raw` is empty and the file stays in the mailbox.
    too_large: bool,
}

/// The result of the CPU-bound stage for one message.
struct Analysis {
    raw_sha256: String,
    envelope: Envelope,
    classification: Classification,
    attachments: Vec<AttachmentAnalysis>,
}

struct AttachmentAnalysis {
    position: usize,
    filename: Option<String>,
    declared_type: String,
    size_bytes: usize,
    sha256: String,
    inspection: Inspection,
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
            rules: Arc::new(rules),
            subjects: Arc::new(subjects),
            limits,
            folders,
            clock,
            workers,
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Splits `candidates` into batches bounded by count and bytes.
    pub fn batches(&self, candidates: Vec<Candidate>) -> Vec<Vec<Candidate>> {
        let mut batches = Vec::new();
        let mut current = Vec::new();
        let mut bytes = 0_u64;
        let budget = u64::try_from(self.limits.batch_bytes).unwrap_or(u64::MAX);
        for candidate in candidates {
            if !current.is_empty()
                && (current.len() >= self.limits.batch_messages
                    || bytes + candidate.size_bytes > budget)
            {
                batches.push(std::mem::take(&mut current));
                bytes = 0;
            }
            bytes += candidate.size_bytes;
            current.push(candidate);
        }
        if !current.is_empty() {
            batches.push(current);
        }
        batches
    }

    /// Runs one batch through the whole pipeline; returns one [`Handled`] per candidate.
    ///
    /// # Errors
    /// The store fails (the batch's messages stay `stored` and are resumed next time) or a
    /// file cannot be read.
    pub async fn process(&self, batch: Vec<Candidate>) -> anyhow::Result<Vec<Handled>> {
        let (mut handled, work) = self.store_raw(batch).await?;
        handled.extend(self.decide(work).await?);
        handled.sort_by_key(|h| h.id);
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
            let mut work = Vec::with_capacity(chunk.len());
            for row in chunk {
                let raw = messages::raw_bytes(self.store.pool(), row.id).await?;
                tracing::info!(
                    id = row.id,
                    "Resuming a message stored before an interruption."
                );
                work.push(Work {
                    id: row.id,
                    path: None,
                    too_large: usize::try_from(row.size_bytes).is_ok_and(|size| size > raw.len()),
                    raw,
                });
            }
            handled.extend(self.decide(work).await?);
        }
        Ok(handled)
    }

    /// Stage 1: raw bytes and a log row, committed before anything else happens.
    async fn store_raw(&self, batch: Vec<Candidate>) -> anyhow::Result<(Vec<Handled>, Vec<Work>)> {
        let mut raws = Vec::with_capacity(batch.len());
        for candidate in &batch {
            raws.push(self.read(candidate).await?);
        }
        let stored_at = clock::to_storage(self.clock.now());
        let mut tx = self.store.begin().await?;
        let mut handled = Vec::new();
        let mut work = Vec::new();
        for (candidate, raw) in batch.into_iter().zip(raws) {
            let too_large = self.is_too_large(&candidate);
            let known =
                messages::find_by_ref(&mut tx, &candidate.mailbox, &candidate.mailbox_ref).await?;
            match known {
                Some(known) if known.state == "decided" => handled.push(Handled {
                    id: known.id,
                    path: Some(candidate.path),
                    kind: String::new(),
                    outcome: String::new(),
                    organisation: None,
                    settle_folder: known.settle_folder.filter(|_| known.settled_at.is_none()),
                    already_handled: true,
                }),
                Some(known) => work.push(Work {
                    id: known.id,
                    path: Some(candidate.path),
                    too_large,
                    raw,
                }),
                None => {
                    let id = messages::insert_stored(
                        &mut tx,
                        &NewMessage {
                            mailbox: &candidate.mailbox,
                            mailbox_ref: &candidate.mailbox_ref,
                            received_at: &clock::to_storage(candidate.received_at),
                            stored_at: &stored_at,
                            size_bytes: candidate.size_bytes,
                            raw: &raw,
                        },
                    )
                    .await?;
                    work.push(Work {
                        id,
                        path: Some(candidate.path),
                        too_large,
                        raw,
                    });
                }
            }
        }
        tx.commit()
            .await
            .context("Cannot commit the raw messages")?;
        Ok((handled, work))
    }

    /// Reads a candidate's bytes; a file over the size limit is not read (its log row
    /// says so and the file itself stays in the mailbox as the raw copy).
    async fn read(&self, candidate: &Candidate) -> anyhow::Result<Vec<u8>> {
        if self.is_too_large(candidate) {
            return Ok(Vec::new());
        }
        tokio::fs::read(&candidate.path)
            .await
            .with_context(|| format!("Cannot read {}", candidate.path.display()))
    }

    fn is_too_large(&self, candidate: &Candidate) -> bool {
        candidate.size_bytes > u64::try_from(self.limits.max_message_bytes).unwrap_or(u64::MAX)
    }

    /// Stages 2 and 3: analyse in parallel, then decide and record in one transaction.
    async fn decide(&self, work: Vec<Work>) -> anyhow::Result<Vec<Handled>> {
        let analyses = self.analyse_all(&work).await;
        let now = self.clock.now();
        let decided_at = clock::to_storage(now);
        let mut tx = self.store.begin().await?;
        let mut handled = Vec::with_capacity(work.len());
        for (item, analysis) in work.iter().zip(analyses) {
            let dedupe_key = match &analysis.envelope.message_id {
                Some(message_id) => format!("mid:{message_id}"),
                None => format!("sha256:{}", analysis.raw_sha256),
            };
            let duplicate_of =
                messages::first_with_dedupe_key(&mut tx, &dedupe_key, item.id).await?;
            let decision =
                workflow::decide(&analysis.envelope, &analysis.classification, duplicate_of);
            let settle_folder = self.folder(decision.settle);
            let verdict = Verdict {
                id: item.id,
                dedupe_key: &dedupe_key,
                duplicate_of,
                decision: &decision,
                decided_at: &decided_at,
                settle_folder,
            };
            self.record(&mut tx, &analysis, &verdict).await?;
            for reply in &decision.replies {
                outbox::enqueue(&mut tx, reply, &self.from, Some(item.id), now).await?;
            }
            tracing::info!(
                id = item.id,
                message_id = analysis.envelope.message_id.as_deref().unwrap_or(""),
                kind = analysis.classification.kind.as_str(),
                outcome = decision.outcome.as_str(),
                "Message decided."
            );
            handled.push(Handled {
                id: item.id,
                path: item.path.clone(),
                kind: analysis.classification.kind.as_str().to_owned(),
                outcome: decision.outcome.as_str().to_owned(),
                organisation: analysis.classification.organisation.clone(),
                settle_folder: Some(settle_folder.to_owned()),
                already_handled: false,
            });
        }
        tx.commit().await.context("Cannot commit the decisions")?;
        Ok(handled)
    }

    /// Writes the decision and the attachment catalogue of one message.
    async fn record(
        &self,
        tx: &mut Tx,
        analysis: &Analysis,
        verdict: &Verdict<'_>,
    ) -> anyhow::Result<()> {
        let Verdict {
            id,
            dedupe_key,
            duplicate_of,
            decision,
            decided_at,
            settle_folder,
        } = *verdict;
        let envelope = &analysis.envelope;
        let reasons: Vec<String> = decision
            .reasons
            .iter()
            .map(|reason| {
                let number = (*reason == Reason::Duplicate)
                    .then_some(duplicate_of)
                    .flatten();
                self.rules.messages.reason(*reason, number)
            })
            .collect();
        let sent_at = envelope.sent_at.map(clock::to_storage);
        messages::record_decision(
            tx,
            &Decided {
                id,
                raw_sha256: &analysis.raw_sha256,
                message_id: envelope.message_id.as_deref(),
                dedupe_key,
                sent_at: sent_at.as_deref(),
                from_addr: envelope.from_addr.as_deref(),
                from_name: envelope.from_name.as_deref(),
                subject: envelope.subject.as_deref(),
                kind: analysis.classification.kind.as_str(),
                outcome: decision.outcome.as_str(),
                problems_json: &problem::codes_json(&decision.problems),
                reasons_json: &serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".to_owned()),
                organisation: analysis.classification.organisation.as_deref(),
                organisation_key: analysis.classification.organisation_key.as_deref(),
                duplicate_of,
                rules_version: &self.rules.version,
                decided_at,
                settle_folder,
            },
        )
        .await?;
        for attachment in &analysis.attachments {
            messages::insert_attachment(
                tx,
                &NewAttachment {
                    message_row_id: id,
                    position: i64::try_from(attachment.position).unwrap_or(i64::MAX),
                    filename: attachment.filename.as_deref(),
                    declared_type: &attachment.declared_type,
                    detected_type: attachment.inspection.detected.as_str(),
                    size_bytes: i64::try_from(attachment.size_bytes).unwrap_or(i64::MAX),
                    sha256: &attachment.sha256,
                    pdf_pages: attachment.inspection.pdf_pages.map(i64::from),
                    problem: attachment.inspection.problem.map(Problem::as_str),
                },
            )
            .await?;
        }
        Ok(())
    }

    fn folder(&self, settle: Settle) -> &str {
        match settle {
            Settle::Processed => &self.folders.processed,
            Settle::Review => &self.folders.review,
            Settle::Ignored => &self.folders.ignored,
        }
    }

    /// Runs [`analyse`] for every message on the blocking pool, at most one per core.
    async fn analyse_all(&self, work: &[Work]) -> Vec<Analysis> {
        let permits = Arc::new(Semaphore::new(self.workers));
        let mut tasks = JoinSet::new();
        for (index, item) in work.iter().enumerate() {
            let raw = item.raw.clone();
            let too_large = item.too_large;
            let subjects = Arc::clone(&self.subjects);
            let limits = self.limits.clone();
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let sha = hex::encode(Sha256::digest(&raw));
                let result = tokio::task::spawn_blocking(move || {
                    analyse(&raw, too_large, &subjects, &limits)
                })
                .await;
                (index, sha, result)
            });
        }
        let mut results: Vec<Option<Analysis>> = work.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            let Ok((index, sha, result)) = joined else {
                continue; // the outer task only awaits; a failure lands below as a panic
            };
            let analysis = result.unwrap_or_else(|error| {
                tracing::error!(%error, "Reading a message panicked; its raw copy is kept.");
                failed_analysis(sha)
            });
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(analysis);
            }
        }
        results
            .into_iter()
            .map(|analysis| analysis.unwrap_or_else(|| failed_analysis(String::new())))
            .collect()
    }
}

/// The CPU-bound part for one message: pure, synchronous, bounded by `limits`.
fn analyse(raw: &[u8], too_large: bool, subjects: &SubjectMatcher, limits: &Limits) -> Analysis {
    let mut envelope = if too_large {
        Envelope {
            problems: vec![Problem::MessageTooLarge],
            ..Envelope::default()
        }
    } else {
        intake::parse(raw, limits)
    };
    let classification = classify::classify(&envelope, subjects);
    let attachments = envelope
        .attachments
        .iter()
        .map(|attachment| AttachmentAnalysis {
            position: attachment.position,
            filename: attachment.filename.clone(),
            declared_type: attachment.declared_type.clone(),
            size_bytes: attachment.size_bytes,
            sha256: hex::encode(Sha256::digest(&attachment.bytes)),
            inspection: form::inspect(attachment, limits),
        })
        .collect();
    // The bytes are not needed past this point: free them before the batch commits.
    for attachment in &mut envelope.attachments {
        attachment.bytes = Vec::new();
    }
    Analysis {
        raw_sha256: hex::encode(Sha256::digest(raw)),
        envelope,
        classification,
        attachments,
    }
}

fn failed_analysis(raw_sha256: String) -> Analysis {
    Analysis {
        raw_sha256,
        envelope: Envelope {
            problems: vec![Problem::InternalPanic],
            ..Envelope::default()
        },
        classification: Classification {
            kind: Kind::Unclassified,
            organisation: None,
            organisation_key: None,
            bulk: false,
            problems: Vec::new(),
            reasons: Vec::new(),
        },
        attachments: Vec::new(),
    }
}

/// The decision of one message, as it is recorded.
struct Verdict<'a> {
    id: i64,
    dedupe_key: &'a str,
    duplicate_of: Option<i64>,
    decision: &'a Decision,
    decided_at: &'a str,
    settle_folder: &'a str,
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
