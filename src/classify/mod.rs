//! Classify: what kind of mail is this? Pure, synchronous, no I/O.
//!
//! Reads the [`Envelope`] and the subject rules; knows the convention's three subject
//! conventions (art. 4.2, 6.1, 6.3) only through `rules/`. Machine-sent mail is recognised
//! first — a delivery report wins over an auto-reply, and both win over any subject — and
//! bulk mail is flagged so it is never answered. Input: an envelope. Output: a
//! [`Classification`] with its kind, the organisation named in the subject and the reasons.

mod automated;
pub mod subject;

use serde::Serialize;

use self::subject::{SubjectKind, SubjectMatcher};
use crate::intake::Envelope;
use crate::problem::Problem;
use crate::rules::Reason;

/// The kinds of mail (stable vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A membership form (art. 6.1).
    Convention,
    /// A change of contact point (art. 4.2).
    ContactChange,
    /// A resignation (art. 6.3).
    Resignation,
    /// None of the above: kept and listed for coordinators.
    Unclassified,
    /// An automatic reply (RFC 3834): recorded, never answered.
    AutoReply,
    /// A delivery report (RFC 3464): recorded, never answered.
    Bounce,
}

impl Kind {
    /// The stable name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Convention => "convention",
            Kind::ContactChange => "contact_change",
            Kind::Resignation => "resignation",
            Kind::Unclassified => "unclassified",
            Kind::AutoReply => "auto_reply",
            Kind::Bounce => "bounce",
        }
    }

    /// Every kind, in a stable order.
    pub const ALL: [Kind; 6] = [
        Kind::Convention,
        Kind::ContactChange,
        Kind::Resignation,
        Kind::Unclassified,
        Kind::AutoReply,
        Kind::Bounce,
    ];

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// What a message is, and why we think so.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// The kind.
    pub kind: Kind,
    /// The organisation as the subject names it (original spelling), if it does.
    pub organisation: Option<String>,
    /// `organisation` normalised for matching (case, accents, punctuation, spacing).
    pub organisation_key: Option<String>,
    /// Mailing-list or bulk mail: never answered, whatever the subject says.
    pub bulk: bool,
    /// Problems found while classifying (`subject.control_characters`).
    pub problems: Vec<Problem>,
    /// Why, in the order the checks ran.
    pub reasons: Vec<Reason>,
}

/// Classifies `envelope` with the alliance's subject rules.
pub fn classify(envelope: &Envelope, subjects: &SubjectMatcher) -> Classification {
    let raw_subject = envelope.subject.as_deref().unwrap_or("");
    let mut problems = Vec::new();
    let mut reasons = Vec::new();
    if subject::has_control_characters(raw_subject) {
        problems.push(Problem::SubjectControlCharacters);
        reasons.push(Reason::SubjectControlCharacters);
    }
    let by_subject = subjects.classify(raw_subject);
    let bulk = automated::is_bulk(&envelope.automation);

    let kind = if let Some(reason) = automated::bounce_reason(envelope, by_subject.kind) {
        reasons.push(reason);
        Kind::Bounce
    } else if let Some(reason) = automated::auto_reply_reason(envelope, by_subject.kind) {
        reasons.push(reason);
        Kind::AutoReply
    } else {
        let kind = match by_subject.kind {
            Some(SubjectKind::Convention) => Kind::Convention,
            Some(SubjectKind::ContactChange) => Kind::ContactChange,
            Some(SubjectKind::Resignation) => Kind::Resignation,
            Some(SubjectKind::AutoReply | SubjectKind::Bounce) | None => Kind::Unclassified,
        };
        reasons.push(match kind {
            Kind::Convention => Reason::SubjectConvention,
            Kind::ContactChange => Reason::SubjectContactChange,
            Kind::Resignation => Reason::SubjectResignation,
            _ => Reason::SubjectUnknown,
        });
        kind
    };
    if bulk {
        reasons.push(Reason::Bulk);
    }
    // A subject carrying CR/LF may be an injection attempt: take no name from it.
    let organisation = match kind {
        Kind::Convention | Kind::ContactChange | Kind::Resignation if problems.is_empty() => {
            by_subject.organisation
        }
        _ => None,
    };
    Classification {
        kind,
        organisation_key: organisation.as_deref().map(subject::organisation_key),
        organisation,
        bulk,
        problems,
        reasons,
    }
}
