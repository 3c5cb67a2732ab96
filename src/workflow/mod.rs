//! Workflow: what a message means for the alliance's members, article by article.
//!
//! Two steps. [`screen`] looks at the envelope alone — unreadable, duplicate, automatic,
//! bulk — and either decides or routes the message to a workflow. [`plan`] then decides a
//! membership (art. 6.1–6.2), a contact change (4.2) or a resignation (6.3) against the
//! members as they are, as a pure function: a [`Plan`] says the outcome, the reasons, the
//! change to the members and the replies. [`apply`] carries a plan out inside the
//! pipeline's transaction; the outbox sends the replies after it commits.
//!
//! Art. 6.2 is the one rule everything here bends to: only the confirmation of receipt of
//! a *duly completed* form may read as a confirmation, and the day it leaves is the
//! membership's effective date (set by the outbox when it goes, never before).

pub mod apply;
pub mod contact_details;
pub mod groups;
pub mod matching;
pub mod participation;
mod plan;
pub mod register;
pub mod resignation_scope;

pub use apply::apply;
pub use plan::{plan, Approval, Change, Inbound, Plan};

use serde::Serialize;

use crate::classify::{Classification, Kind};
use crate::intake::Envelope;
use crate::problem::Problem;
use crate::rules::Reason;

/// What happened to a message (stable vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A duly completed form: the organisation becomes a member when the confirmation
    /// of receipt goes out (art. 6.2).
    Registered,
    /// A form that is not duly completed: pending, the sender is told what is missing.
    Incomplete,
    /// A reserved working group was ticked (annex 1).
    Ineligible,
    /// No form could be read (encrypted, corrupt, missing).
    Unreadable,
    /// Art. 4.2: the new contact point is registered.
    ContactUpdated,
    /// Art. 6.3: the member resigned.
    Resigned,
    /// Waiting for a coordinator, with its reasons.
    HeldForReview,
    /// Same Message-ID, bytes or form as before: never handled twice.
    Duplicate,
    /// Auto-replies, bounces, bulk mail: recorded, never answered.
    Ignored,
    /// An absence or participation difficulty (art. 4bis.2, annex 1 §4): forwarded at
    /// once to the group's pilot and référent, never answered automatically.
    Forwarded,
}

impl Outcome {
    /// The stable name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Registered => "registered",
            Outcome::Incomplete => "incomplete",
            Outcome::Ineligible => "ineligible",
            Outcome::Unreadable => "unreadable",
            Outcome::ContactUpdated => "contact_updated",
            Outcome::Resigned => "resigned",
            Outcome::HeldForReview => "held_for_review",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored => "ignored",
            Outcome::Forwarded => "forwarded",
        }
    }

    /// Where the original goes once decided.
    pub fn settle(self) -> Settle {
        match self {
            Outcome::Registered
            | Outcome::Incomplete
            | Outcome::Ineligible
            | Outcome::Unreadable
            | Outcome::ContactUpdated
            | Outcome::Resigned
            | Outcome::Forwarded => Settle::Processed,
            Outcome::HeldForReview => Settle::Review,
            Outcome::Duplicate | Outcome::Ignored => Settle::Ignored,
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
///
/// With a `context`, the text comes from the purpose's template in `rules/mail.toml`,
/// rendered when the message is composed; otherwise `subject` and the bodies are sent as
/// they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    /// What it is for (template key): `acknowledgement`, `incomplete`, `digest`…
    pub purpose: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Copies.
    pub cc: Vec<String>,
    /// Subject, when there is no template.
    pub subject: String,
    /// Plain-text body, when there is no template.
    pub body_text: String,
    /// HTML alternative, when there is no template.
    pub body_html: Option<String>,
    /// The member's Message-ID this answers.
    pub in_reply_to: Option<String>,
    /// The template's values.
    pub context: Option<serde_json::Value>,
    /// The member it is about.
    pub member_id: Option<i64>,
    /// The earlier outbox row this is a marked copy of.
    pub copy_of: Option<i64>,
    /// The coordinator who asked for it.
    pub requested_by: Option<String>,
    /// A forward to the alliance's own people: the message it is about goes along as an
    /// attachment, and nobody outside the configured roles receives it.
    pub forward_original: bool,
}

/// The decision for one message, as the log records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What happened.
    pub outcome: Outcome,
    /// Every problem found (intake, classification, form, workflow).
    pub problems: Vec<Problem>,
    /// Why: the classification's reasons, then the decision's.
    pub reasons: Vec<Reason>,
    /// Where the original goes afterwards.
    pub settle: Settle,
}

/// Which workflow a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Art. 6.1: the membership form under its subject.
    Membership,
    /// The membership form under another subject (or none): held as a probable membership.
    ProbableMembership,
    /// Art. 4.2.
    ContactChange,
    /// Art. 6.3.
    Resignation,
}

/// What [`screen`] made of a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Screened {
    /// Decided on its envelope alone.
    Decided(Decision),
    /// For a workflow.
    Route(Route),
}

/// Decides what the envelope alone says, or routes the message. `duplicate_of` is the
/// log row of an earlier message with the same Message-ID (or bytes); `has_form` says
/// whether an attachment reads as the membership form.
pub fn screen(
    envelope: &Envelope,
    classification: &Classification,
    duplicate_of: Option<i64>,
    has_form: bool,
) -> Screened {
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
    let decided = |outcome: Outcome, reason: Option<Reason>| {
        Screened::Decided(Decision {
            outcome,
            problems: Vec::new(),
            reasons: reason.into_iter().collect(),
            settle: outcome.settle(),
        })
    };
    if let Some(reason) = unreadable {
        decided(Outcome::HeldForReview, Some(reason))
    } else if duplicate_of.is_some() {
        decided(Outcome::Duplicate, Some(Reason::Duplicate))
    } else if matches!(classification.kind, Kind::Bounce | Kind::AutoReply) {
        decided(Outcome::Ignored, None)
    } else if classification.bulk && looks_like_convention {
        decided(
            Outcome::HeldForReview,
            Some(Reason::BulkLooksLikeConvention),
        )
    } else if classification.bulk {
        decided(Outcome::Ignored, None)
    } else if classification
        .problems
        .contains(&Problem::SubjectControlCharacters)
    {
        decided(Outcome::HeldForReview, None)
    } else {
        match classification.kind {
            Kind::Convention => Screened::Route(Route::Membership),
            Kind::ContactChange => Screened::Route(Route::ContactChange),
            Kind::Resignation => Screened::Route(Route::Resignation),
            Kind::Unclassified if has_form => Screened::Route(Route::ProbableMembership),
            Kind::Unclassified | Kind::AutoReply | Kind::Bounce => {
                decided(Outcome::HeldForReview, None)
            }
        }
    }
}

/// The workflow a coordinator's approval runs for a held message: the one its subject
/// asked for (bulk or odd subjects included: the coordinator has read it), a
/// membership when the form is attached under another subject, none otherwise.
pub fn route_for_approval(kind: Kind, has_form: bool) -> Option<Route> {
    match kind {
        Kind::Convention => Some(Route::Membership),
        Kind::ContactChange => Some(Route::ContactChange),
        Kind::Resignation => Some(Route::Resignation),
        _ if has_form => Some(Route::Membership),
        _ => None,
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

    fn outcome(screened: Screened) -> Outcome {
        match screened {
            Screened::Decided(decision) => decision.outcome,
            Screened::Route(route) => panic!("routed to {route:?}"),
        }
    }

    #[test]
    fn the_convention_subjects_go_to_their_workflow() {
        for (kind, route) in [
            (Kind::Convention, Route::Membership),
            (Kind::ContactChange, Route::ContactChange),
            (Kind::Resignation, Route::Resignation),
        ] {
            let screened = screen(&Envelope::default(), &classified(kind, false), None, false);
            assert_eq!(screened, Screened::Route(route));
        }
    }

    #[test]
    fn a_form_under_another_subject_is_a_probable_membership_and_other_mail_is_held() {
        let with_form = screen(
            &Envelope::default(),
            &classified(Kind::Unclassified, false),
            None,
            true,
        );
        assert_eq!(with_form, Screened::Route(Route::ProbableMembership));
        let without = screen(
            &Envelope::default(),
            &classified(Kind::Unclassified, false),
            None,
            false,
        );
        assert_eq!(outcome(without), Outcome::HeldForReview);
    }

    #[test]
    fn bulk_mail_is_never_answered_and_held_when_it_looks_like_a_convention() {
        let plain = screen(
            &Envelope::default(),
            &classified(Kind::Unclassified, true),
            None,
            true,
        );
        assert_eq!(outcome(plain), Outcome::Ignored);
        let lookalike = screen(
            &Envelope::default(),
            &classified(Kind::Convention, true),
            None,
            true,
        );
        assert_eq!(outcome(lookalike), Outcome::HeldForReview);
    }

    #[test]
    fn a_duplicate_is_recorded_as_such_whatever_its_kind() {
        let screened = screen(
            &Envelope::default(),
            &classified(Kind::Convention, false),
            Some(7),
            true,
        );
        assert_eq!(outcome(screened), Outcome::Duplicate);
    }

    #[test]
    fn an_unreadable_file_is_held_with_its_reason() {
        let envelope = Envelope {
            problems: vec![Problem::MessageNotEmail],
            ..Envelope::default()
        };
        let screened = screen(
            &envelope,
            &classified(Kind::Unclassified, false),
            None,
            false,
        );
        match screened {
            Screened::Decided(decision) => {
                assert_eq!(decision.outcome, Outcome::HeldForReview);
                assert!(decision.reasons.contains(&Reason::MessageNotEmail));
            }
            Screened::Route(route) => panic!("routed to {route:?}"),
        }
    }
}
