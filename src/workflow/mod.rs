//! Workflow: what to do with a classified message — a [`Decision`], applied by the
//! pipeline in the message's transaction.
//!
//! So far (issue [pipeline]) nothing is sent to members: under art. 6.2 the confirmation
//! of receipt of a *duly completed* form is what makes a membership take effect, so no
//! message that could read as that confirmation may leave before the form has been read
//! ([forms]) and judged ([workflows]). A convention is recorded as `received`; contact
//! changes and resignations are held for coordinators. [`Reply`] is nonetheless the one
//! draft type for outgoing mail, which the outbox queues and delivers.

use serde::Serialize;

use crate::classify::{Classification, Kind};
use crate::intake::Envelope;
use crate::problem::Problem;
use crate::rules::Reason;

/// What happened to a message (stable vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Recorded; the next step belongs to a later stage.
    Received,
    /// Same Message-ID (or bytes) as an earlier message: never handled twice.
    Duplicate,
    /// Auto-replies, bounces, bulk mail: recorded, never answered.
    Ignored,
    /// Waiting for a coordinator, with its reasons.
    HeldForReview,
}

impl Outcome {
    /// The stable name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Received => "received",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::HeldForReview => "held_for_review",
        }
    }
}

/// Where the original goes in the mailbox once the decision has committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Handled.
    Processed,
    /// Held for a coordinator.
    Review,
    /// Recorded, never answered.
    Ignored,
}

/// An outgoing message as the workflow drafts it; the outbox adds Message-ID and Date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// What it is for (template key): `acknowledgement`, `incomplete`, `digest`…
    pub purpose: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Copies.
    pub cc: Vec<String>,
    /// Subject, already free of control characters.
    pub subject: String,
    /// Plain-text body.
    pub body_text: String,
    /// HTML alternative.
    pub body_html: Option<String>,
    /// The member's Message-ID this answers.
    pub in_reply_to: Option<String>,
}

/// The decision for one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What happened.
    pub outcome: Outcome,
    /// Every problem found (intake and classification).
    pub problems: Vec<Problem>,
    /// Why: the classification's reasons, then the decision's.
    pub reasons: Vec<Reason>,
    /// Outgoing mail to queue in the same transaction.
    pub replies: Vec<Reply>,
    /// Where the original goes afterwards.
    pub settle: Settle,
}

/// Decides what to do with a message. `duplicate_of` is the log row of an earlier
/// message with the same Message-ID (or bytes), if any.
pub fn decide(
    envelope: &Envelope,
    classification: &Classification,
    duplicate_of: Option<i64>,
) -> Decision {
    let mut problems = envelope.problems.clone();
    problems.extend(classification.problems.iter().copied());
    let mut reasons = classification.reasons.clone();

    let unreadable = envelope.problems.iter().find_map(|problem| match problem {
        Problem::MessageEmpty => Some(Reason::MessageEmpty),
        Problem::MessageNotEmail => Some(Reason::MessageNotEmail),
        Problem::MessageTooLarge => Some(Reason::MessageTooLarge),
        Problem::InternalPanic => Some(Reason::InternalFailure),
        _ => None,
    });
    let looks_like_convention = matches!(
        classification.kind,
        Kind::Convention | Kind::ContactChange | Kind::Resignation
    );
    let (outcome, reason) = if let Some(reason) = unreadable {
        (Outcome::HeldForReview, Some(reason))
    } else if duplicate_of.is_some() {
        (Outcome::Duplicate, Some(Reason::Duplicate))
    } else if matches!(classification.kind, Kind::Bounce | Kind::AutoReply) {
        (Outcome::Ignored, None)
    } else if classification.bulk && looks_like_convention {
        (
            Outcome::HeldForReview,
            Some(Reason::BulkLooksLikeConvention),
        )
    } else if classification.bulk {
        (Outcome::Ignored, None)
    } else if problems.contains(&Problem::SubjectControlCharacters) {
        (Outcome::HeldForReview, None)
    } else {
        match classification.kind {
            Kind::Convention => (Outcome::Received, Some(Reason::ConventionReceived)),
            Kind::ContactChange => (Outcome::HeldForReview, Some(Reason::ContactChangeHeld)),
            Kind::Resignation => (Outcome::HeldForReview, Some(Reason::ResignationHeld)),
            Kind::Unclassified | Kind::AutoReply | Kind::Bounce => (Outcome::HeldForReview, None),
        }
    };
    reasons.extend(reason);
    let settle = match outcome {
        Outcome::Received => Settle::Processed,
        Outcome::HeldForReview => Settle::Review,
        Outcome::Duplicate | Outcome::Ignored => Settle::Ignored,
    };
    Decision {
        outcome,
        problems,
        reasons,
        replies: Vec::new(),
        settle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classified(kind: Kind, bulk: bool) -> Classification {
        Classification {
            kind,
            organisation: None,
            organisation_key: None,
            bulk,
            problems: Vec::new(),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn a_convention_is_received_and_nothing_is_sent_before_the_form_is_read() {
        let decision = decide(
            &Envelope::default(),
            &classified(Kind::Convention, false),
            None,
        );
        assert_eq!(decision.outcome, Outcome::Received);
        assert!(decision.replies.is_empty(), "art. 6.2: no confirmation yet");
    }

    #[test]
    fn contact_changes_and_resignations_wait_for_a_coordinator() {
        for kind in [Kind::ContactChange, Kind::Resignation, Kind::Unclassified] {
            let decision = decide(&Envelope::default(), &classified(kind, false), None);
            assert_eq!(decision.outcome, Outcome::HeldForReview, "{kind:?}");
            assert_eq!(decision.settle, Settle::Review);
        }
    }

    #[test]
    fn bulk_mail_is_never_answered_and_held_when_it_looks_like_a_convention() {
        let plain = decide(
            &Envelope::default(),
            &classified(Kind::Unclassified, true),
            None,
        );
        assert_eq!(plain.outcome, Outcome::Ignored);
        let lookalike = decide(
            &Envelope::default(),
            &classified(Kind::Convention, true),
            None,
        );
        assert_eq!(lookalike.outcome, Outcome::HeldForReview);
        assert!(lookalike.reasons.contains(&Reason::BulkLooksLikeConvention));
    }

    #[test]
    fn a_duplicate_is_recorded_as_such_whatever_its_kind() {
        let decision = decide(
            &Envelope::default(),
            &classified(Kind::Convention, false),
            Some(7),
        );
        assert_eq!(decision.outcome, Outcome::Duplicate);
        assert_eq!(decision.settle, Settle::Ignored);
    }

    #[test]
    fn an_unreadable_file_is_held_with_its_problem() {
        let envelope = Envelope {
            problems: vec![Problem::MessageNotEmail],
            ..Envelope::default()
        };
        let decision = decide(&envelope, &classified(Kind::Unclassified, false), None);
        assert_eq!(decision.outcome, Outcome::HeldForReview);
        assert_eq!(decision.problems, vec![Problem::MessageNotEmail]);
        assert!(decision.reasons.contains(&Reason::MessageNotEmail));
    }
}
