//! The CPU-bound stage: parse, classify, inspect attachments. Pure and synchronous;
//! [`analyse_batch`] spreads a batch over one blocking thread per core, and a panic while
//! reading one message becomes that message's `internal.panic` problem, never the run's.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::classify::{self, Classification, Kind};
use crate::config::Limits;
use crate::form::record::FormRecord;
use crate::form::{self, FileType, Inspection};
use crate::intake::auth::{self, Dmarc};
use crate::intake::{self, Envelope};
use crate::problem::Problem;
use crate::validate;
use crate::workflow::contact_details::{self, ContactDetails};
use crate::workflow::resignation_scope::{self, Scope};

use super::Shared;

/// What the CPU-bound stage learnt about one message.
pub(crate) struct Analysis {
    pub raw_sha256: String,
    pub envelope: Envelope,
    pub classification: Classification,
    pub attachments: Vec<AttachmentAnalysis>,
    /// The form read from the attachments and validated, when the message may carry one.
    pub form: Option<FormRecord>,
    /// A contact change's successor, as the body names them.
    pub contact: Option<ContactDetails>,
    /// What a resignation withdraws from (the whole Alliance for any other message).
    pub resignation_scope: Scope,
    /// DMARC as our receiving system recorded it.
    pub dmarc: Dmarc,
}

impl Analysis {
    /// Whether an attachment reads as the membership form.
    pub fn has_form(&self) -> bool {
        self.form.as_ref().is_some_and(form::is_form)
    }
}

/// One attachment, catalogued (its bytes are already dropped).
pub(crate) struct AttachmentAnalysis {
    pub position: usize,
    pub filename: Option<String>,
    pub declared_type: String,
    pub size_bytes: usize,
    pub sha256: String,
    pub inspection: Inspection,
}

/// The raw bytes of one message, shared by the analysis and the store.
#[derive(Clone)]
pub(crate) struct Raw {
    pub bytes: Arc<Vec<u8>>,
    /// Over the size limit: `bytes` is empty and the message was not read.
    pub too_large: bool,
}

/// Analyses every message of a batch on `workers` blocking threads; results come back in
/// the batch's order.
pub(super) async fn analyse_batch(
    raws: Vec<Raw>,
    shared: Arc<Shared>,
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
        let shared = Arc::clone(&shared);
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
                done.push((index, analyse_guarded(&raw, &shared, &limits)));
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
pub(crate) fn analyse_guarded(raw: &Raw, shared: &Shared, limits: &Limits) -> Analysis {
    contained(raw, |raw| analyse(raw, shared, limits))
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
fn analyse(raw: &Raw, shared: &Shared, limits: &Limits) -> Analysis {
    let mut envelope = if raw.too_large {
        Envelope {
            problems: vec![Problem::MessageTooLarge],
            ..Envelope::default()
        }
    } else {
        intake::parse(raw.bytes.as_slice(), limits)
    };
    let classification = classify::classify(&envelope, &shared.subjects);
    let attachments: Vec<AttachmentAnalysis> = envelope
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
    let form = may_carry_form(&classification, &attachments).then(|| {
        let record = form::read_attachments(&envelope.attachments, &shared.rules.form, limits);
        validate::examine(record, &shared.rules.validation)
    });
    let body = envelope.body_text.as_deref().unwrap_or("");
    let contact = (classification.kind == Kind::ContactChange)
        .then(|| contact_details::read_new_contact(body, envelope.from_addr.as_deref()));
    let resignation_scope = if classification.kind == Kind::Resignation {
        resignation_scope::scope_of(
            body,
            &shared.rules.requests.resignation,
            &shared.groups,
            &shared.rules.subjects.alliance_names,
        )
    } else {
        Scope::Whole
    };
    let dmarc = envelope
        .authentication_results
        .as_deref()
        .map_or(Dmarc::None, auth::dmarc);
    // The bytes are not needed past this point: free them before the batch commits.
    for attachment in &mut envelope.attachments {
        attachment.bytes = Vec::new();
    }
    Analysis {
        raw_sha256: String::new(), // filled in by analyse_guarded
        envelope,
        classification,
        attachments,
        form,
        contact,
        resignation_scope,
        dmarc,
    }
}

/// Whether to look for the form: under the convention's subjects, or whenever a PDF or
/// Word file is attached (a form under another subject is a probable membership). Mail
/// that is never answered is not read.
fn may_carry_form(classification: &Classification, attachments: &[AttachmentAnalysis]) -> bool {
    let documents = attachments
        .iter()
        .any(|a| matches!(a.inspection.detected, FileType::Pdf | FileType::Docx));
    match classification.kind {
        Kind::Bounce | Kind::AutoReply => false,
        _ if classification.bulk => false,
        Kind::Convention => true,
        Kind::ContactChange | Kind::Resignation | Kind::Unclassified => documents,
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
        form: None,
        contact: None,
        resignation_scope: Scope::Whole,
        dmarc: Dmarc::None,
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
