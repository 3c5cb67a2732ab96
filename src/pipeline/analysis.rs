//! The CPU-bound stage: parse, classify, inspect attachments. Pure and synchronous;
//! [`analyse_batch`] spreads a batch over one blocking thread per core, and a panic while
//! reading one message becomes that message's `internal.panic` problem, never the run's.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::classify::subject::SubjectMatcher;
use crate::classify::{self, Classification, Kind};
use crate::config::Limits;
use crate::form::{self, Inspection};
use crate::intake::{self, Envelope};
use crate::problem::Problem;

/// What the CPU-bound stage learnt about one message.
pub(super) struct Analysis {
    pub raw_sha256: String,
    pub envelope: Envelope,
    pub classification: Classification,
    pub attachments: Vec<AttachmentAnalysis>,
}

/// One attachment, catalogued (its bytes are already dropped).
pub(super) struct AttachmentAnalysis {
    pub position: usize,
    pub filename: Option<String>,
    pub declared_type: String,
    pub size_bytes: usize,
    pub sha256: String,
    pub inspection: Inspection,
}

/// The raw bytes of one message, shared by the analysis and the store.
#[derive(Clone)]
pub(super) struct Raw {
    pub bytes: Arc<Vec<u8>>,
    /// Over the size limit: `bytes` is empty and the message was not read.
    pub too_large: bool,
}

/// Analyses every message of a batch on `workers` blocking threads; results come back in
/// the batch's order.
pub(super) async fn analyse_batch(
    raws: Vec<Raw>,
    subjects: Arc<SubjectMatcher>,
    limits: Limits,
    workers: usize,
) -> Vec<Analysis> {
    let count = raws.len();
    let queue = Arc::new(Mutex::new(
        raws.into_iter().enumerate().collect::<VecDeque<_>>(),
    ));
    let mut threads = Vec::with_capacity(workers);
    for _ in 0..workers.clamp(1, count.max(1)) {
        let queue = Arc::clone(&queue);
        let subjects = Arc::clone(&subjects);
        let limits = limits.clone();
        threads.push(tokio::task::spawn_blocking(move || {
            let mut done = Vec::new();
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front();
                let Some((index, raw)) = next else {
                    return done;
                };
                done.push((index, analyse_guarded(&raw, &subjects, &limits)));
            }
        }));
    }
    let mut results: Vec<Option<Analysis>> = (0..count).map(|_| None).collect();
    for thread in threads {
        // The closure itself cannot panic (analyse is guarded); a join error means the
        // runtime is shutting down, and the missing slots become failures below.
        for (index, analysis) in thread.await.unwrap_or_default() {
            if let Some(slot) = results.get_mut(index) {
                *slot = Some(analysis);
            }
        }
    }
    results
        .into_iter()
        .map(|analysis| analysis.unwrap_or_else(|| failed(String::new())))
        .collect()
}

/// [`analyse`], with a panic turned into the message's `internal.panic` problem.
fn analyse_guarded(raw: &Raw, subjects: &SubjectMatcher, limits: &Limits) -> Analysis {
    contained(raw, |raw| analyse(raw, subjects, limits))
}

/// Runs `reader` on `raw`; a panic becomes a failed analysis that keeps the raw hash.
fn contained(raw: &Raw, reader: impl FnOnce(&Raw) -> Analysis) -> Analysis {
    let raw_sha256 = hex::encode(Sha256::digest(raw.bytes.as_slice()));
    match std::panic::catch_unwind(AssertUnwindSafe(|| reader(raw))) {
        Ok(mut analysis) => {
            analysis.raw_sha256 = raw_sha256;
            analysis
        }
        Err(_) => {
            tracing::error!(sha256 = %raw_sha256, "Reading a message panicked; its raw copy is kept.");
            failed(raw_sha256)
        }
    }
}

/// The CPU-bound part for one message: pure, synchronous, bounded by `limits`.
fn analyse(raw: &Raw, subjects: &SubjectMatcher, limits: &Limits) -> Analysis {
    let mut envelope = if raw.too_large {
        Envelope {
            problems: vec![Problem::MessageTooLarge],
            ..Envelope::default()
        }
    } else {
        intake::parse(raw.bytes.as_slice(), limits)
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
        raw_sha256: String::new(), // filled in by analyse_guarded
        envelope,
        classification,
        attachments,
    }
}

fn failed(raw_sha256: String) -> Analysis {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// STYLE: a panic inside one message's work becomes that message's failure.
    #[test]
    fn a_panic_while_reading_one_message_becomes_its_internal_panic_problem() {
        let raw = Raw {
            bytes: Arc::new(b"Subject: x\r\n\r\nbody".to_vec()),
            too_large: false,
        };
        let analysis = contained(&raw, |_| panic!("a reader bug"));
        assert_eq!(analysis.envelope.problems, vec![Problem::InternalPanic]);
        assert_eq!(analysis.classification.kind, Kind::Unclassified);
        assert_eq!(
            analysis.raw_sha256.len(),
            64,
            "the raw copy stays identifiable"
        );
    }
}
