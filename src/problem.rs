//! Problem codes: the stable, dotted vocabulary for what is wrong with a message.
//!
//! A problem is an outcome of reading bad input, never an `Err`: it is stored with the
//! message (the log carries the codes as a JSON array) and later turned into a French
//! sentence for the reply. Codes are contracts other work relies on: spell them once, here.

use std::fmt;

use serde::{Serialize, Serializer};

/// One thing wrong with a message or its attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Problem {
    /// The message file was empty.
    MessageEmpty,
    /// The bytes are not an e-mail message at all (no header block).
    MessageNotEmail,
    /// The message is larger than the configured limit; it was stored but not read.
    MessageTooLarge,
    /// Found in the Junk folder without a DMARC pass: a coordinator reads it.
    MessageJunk,
    /// The decoded subject holds control characters (CR, LF…): never copied into a header.
    SubjectControlCharacters,
    /// An attachment is larger than the configured limit; it was not inspected.
    AttachmentTooLarge,
    /// A PDF attachment needs a password to be read.
    PdfEncrypted,
    /// A PDF attachment could not be parsed.
    PdfCorrupt,
    /// Reading the message crashed inside mailroom; the raw copy is kept for a retry.
    InternalPanic,
    /// A PDF without a text layer (a scan) that could not be read reliably.
    PdfNoTextLayer,
    /// No attachment is the membership form (none at all, or only other documents).
    AttachmentMissingForm,
    /// The form came as the .docx itself: readable, but it carries no signature.
    AttachmentNotPdf,
    /// Form 1: no official name.
    OrganisationNameMissing,
    /// Form 1: no registered address.
    OrganisationAddressMissing,
    /// Form 1: no organisation type ticked.
    OrganisationTypeMissing,
    /// Form 1: more than one organisation type ticked (a coordinator decides).
    OrganisationTypeMultiple,
    /// Form 2: legal representative's last name.
    LegalRepresentativeLastNameMissing,
    /// Form 2: legal representative's first name.
    LegalRepresentativeFirstNameMissing,
    /// Form 2: legal representative's function.
    LegalRepresentativeFunctionMissing,
    /// Form 2: legal representative's e-mail address.
    LegalRepresentativeEmailMissing,
    /// Form 2: legal representative's phone.
    LegalRepresentativePhoneMissing,
    /// Form 2: the legal representative's e-mail address is not an address.
    LegalRepresentativeEmailInvalid,
    /// Form 6.1: the legal representative did not sign.
    SignatureMissing,
    /// Form 6.1: the signature is not dated.
    SignatureDateMissing,
    /// Warning: the signature is a typed name only.
    SignatureTypedOnly,
    /// Warning: 6.1 was signed by someone other than the representative named in section 2.
    SignatureSignerNotLegalRepresentative,
    /// The PDF was changed after it was digitally signed (or the signature cannot be
    /// checked): a coordinator decides.
    SignatureDigitalNotIntact,
    /// Form 3.1: a final beneficiary ticked no working group.
    WorkingGroupNoneSelected,
    /// Form 3.1/6.2: a ticked group has no complete delegate or no delegate signature.
    WorkingGroupDelegateMissing,
    /// Form 3.2: no option, or option 1 without two actions.
    WorkingGroupActionsMissing,
    /// Annex 1: Décarbonation is reserved to hospitals.
    WorkingGroupDecarbonisationReservedToHospitals,
    /// Annex 1: Sensibilisation des établissements pour aînés is reserved to homes for the elderly.
    WorkingGroupElderlyAwarenessReservedToElderlyCare,
    /// Warning: an ecosystem actor ticked a group (they take part on invitation, art. 4ter.2).
    WorkingGroupNotForEcosystem,
    /// The document is not the membership form (none of its headings or labels).
    FormNotRecognised,
    /// Form 3: a "GT identifié" names no working group the rules know.
    FormWorkingGroupUnrecognised,
    /// Form 3.2: both options ticked for a group.
    FormActionsOptionMultiple,
    /// Form 6: a date is written but cannot be read as a date (never guessed).
    FormDateUnreadable,
    /// A value longer than the reader keeps was cut.
    FormValueTruncated,
    /// A fillable PDF with more fields or deeper nesting than the reader walks.
    FormAcroformTruncated,
    /// The sender is neither the member's contact point nor its legal representative.
    SenderNotAuthorised,
    /// Art. 6.3: a resignation from the legal representative while a separate contact point exists.
    SenderNotContactPoint,
    /// Our receiving system recorded a DMARC failure for the sender's domain.
    SenderDmarcFail,
    /// The organisation named is not a registered member.
    OrganisationNotMember,
    /// An active member sent a form with different content: a coordinator decides.
    OrganisationAlreadyMember,
    /// The name resembles a member's without being the same (acronym, typo): a coordinator decides.
    OrganisationNearMatch,
    /// Art. 4.2: the message does not name the new contact point yet.
    ContactChangeDetailsMissing,
    /// The message withdraws from one working group only and stays a member.
    ResignationPartialScope,
    /// The membership form came under another subject (or none): a probable membership.
    FormUnderOtherSubject,
    /// A delivery report returned one of our own messages (an acknowledgement that never
    /// arrived needs a human).
    ReplyBounced,
}

/// How much a problem weighs in the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Seen by coordinators, does not block anything.
    Warning,
    /// The form is not "dûment complété" (art. 6.2): the member is asked to complete it.
    Incomplete,
    /// A choice the convention does not allow (reserved working groups).
    Ineligible,
    /// A coordinator must decide.
    Review,
    /// The message or its form could not be read.
    Unreadable,
}

impl Problem {
    /// The stable dotted code, as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::MessageEmpty => "message.empty",
            Problem::MessageNotEmail => "message.not_email",
            Problem::MessageTooLarge => "message.too_large",
            Problem::MessageJunk => "message.junk",
            Problem::SubjectControlCharacters => "subject.control_characters",
            Problem::AttachmentTooLarge => "attachment.too_large",
            Problem::PdfEncrypted => "pdf.encrypted",
            Problem::PdfCorrupt => "pdf.corrupt",
            Problem::InternalPanic => "internal.panic",
            Problem::PdfNoTextLayer => "pdf.no_text_layer",
            Problem::AttachmentMissingForm => "attachment.missing_form",
            Problem::AttachmentNotPdf => "attachment.not_pdf",
            Problem::OrganisationNameMissing => "organisation.name_missing",
            Problem::OrganisationAddressMissing => "organisation.address_missing",
            Problem::OrganisationTypeMissing => "organisation.type_missing",
            Problem::OrganisationTypeMultiple => "organisation.type_multiple",
            Problem::LegalRepresentativeLastNameMissing => "legal_representative.last_name_missing",
            Problem::LegalRepresentativeFirstNameMissing => {
                "legal_representative.first_name_missing"
            }
            Problem::LegalRepresentativeFunctionMissing => "legal_representative.function_missing",
            Problem::LegalRepresentativeEmailMissing => "legal_representative.email_missing",
            Problem::LegalRepresentativePhoneMissing => "legal_representative.phone_missing",
            Problem::LegalRepresentativeEmailInvalid => "legal_representative.email_invalid",
            Problem::SignatureMissing => "signature.missing",
            Problem::SignatureDateMissing => "signature.date_missing",
            Problem::SignatureTypedOnly => "signature.typed_only",
            Problem::SignatureDigitalNotIntact => "signature.digital_not_intact",
            Problem::SignatureSignerNotLegalRepresentative => {
                "signature.signer_not_legal_representative"
            }
            Problem::WorkingGroupNoneSelected => "working_group.none_selected",
            Problem::WorkingGroupDelegateMissing => "working_group.delegate_missing",
            Problem::WorkingGroupActionsMissing => "working_group.actions_missing",
            Problem::WorkingGroupDecarbonisationReservedToHospitals => {
                "working_group.decarbonisation_reserved_to_hospitals"
            }
            Problem::WorkingGroupElderlyAwarenessReservedToElderlyCare => {
                "working_group.elderly_awareness_reserved_to_elderly_care"
            }
            Problem::WorkingGroupNotForEcosystem => "working_group.not_for_ecosystem",
            Problem::FormNotRecognised => "form.not_recognised",
            Problem::FormWorkingGroupUnrecognised => "form.working_group_unrecognised",
            Problem::FormActionsOptionMultiple => "form.actions_option_multiple",
            Problem::FormDateUnreadable => "form.date_unreadable",
            Problem::FormValueTruncated => "form.value_truncated",
            Problem::FormAcroformTruncated => "form.acroform_truncated",
            Problem::SenderNotAuthorised => "sender.not_authorised",
            Problem::SenderNotContactPoint => "sender.not_contact_point",
            Problem::SenderDmarcFail => "sender.dmarc_fail",
            Problem::OrganisationNotMember => "organisation.not_member",
            Problem::OrganisationAlreadyMember => "organisation.already_member",
            Problem::OrganisationNearMatch => "organisation.near_match",
            Problem::ContactChangeDetailsMissing => "contact_change.details_missing",
            Problem::ResignationPartialScope => "resignation.partial_scope",
            Problem::FormUnderOtherSubject => "form.under_other_subject",
            Problem::ReplyBounced => "reply.bounced",
        }
    }

    /// Every problem, in a stable order.
    pub const ALL: [Problem; 49] = [
        Problem::MessageEmpty,
        Problem::MessageNotEmail,
        Problem::MessageTooLarge,
        Problem::MessageJunk,
        Problem::SubjectControlCharacters,
        Problem::AttachmentTooLarge,
        Problem::PdfEncrypted,
        Problem::PdfCorrupt,
        Problem::InternalPanic,
        Problem::PdfNoTextLayer,
        Problem::AttachmentMissingForm,
        Problem::AttachmentNotPdf,
        Problem::OrganisationNameMissing,
        Problem::OrganisationAddressMissing,
        Problem::OrganisationTypeMissing,
        Problem::OrganisationTypeMultiple,
        Problem::LegalRepresentativeLastNameMissing,
        Problem::LegalRepresentativeFirstNameMissing,
        Problem::LegalRepresentativeFunctionMissing,
        Problem::LegalRepresentativeEmailMissing,
        Problem::LegalRepresentativePhoneMissing,
        Problem::LegalRepresentativeEmailInvalid,
        Problem::SignatureMissing,
        Problem::SignatureDateMissing,
        Problem::SignatureTypedOnly,
        Problem::SignatureSignerNotLegalRepresentative,
        Problem::SignatureDigitalNotIntact,
        Problem::WorkingGroupNoneSelected,
        Problem::WorkingGroupDelegateMissing,
        Problem::WorkingGroupActionsMissing,
        Problem::WorkingGroupDecarbonisationReservedToHospitals,
        Problem::WorkingGroupElderlyAwarenessReservedToElderlyCare,
        Problem::WorkingGroupNotForEcosystem,
        Problem::FormNotRecognised,
        Problem::FormWorkingGroupUnrecognised,
        Problem::FormActionsOptionMultiple,
        Problem::FormDateUnreadable,
        Problem::FormValueTruncated,
        Problem::FormAcroformTruncated,
        Problem::SenderNotAuthorised,
        Problem::SenderNotContactPoint,
        Problem::SenderDmarcFail,
        Problem::OrganisationNotMember,
        Problem::OrganisationAlreadyMember,
        Problem::OrganisationNearMatch,
        Problem::ContactChangeDetailsMissing,
        Problem::ResignationPartialScope,
        Problem::FormUnderOtherSubject,
        Problem::ReplyBounced,
    ];

    /// Parses a stable code.
    pub fn parse(code: &str) -> Option<Problem> {
        Problem::ALL
            .into_iter()
            .find(|problem| problem.as_str() == code)
    }

    /// How much this problem weighs (art. 6.2: only a duly completed form is registered).
    pub fn severity(self) -> Severity {
        match self {
            Problem::SignatureTypedOnly
            | Problem::SignatureSignerNotLegalRepresentative
            | Problem::WorkingGroupNotForEcosystem
            | Problem::FormValueTruncated
            | Problem::AttachmentTooLarge => Severity::Warning,
            Problem::WorkingGroupDecarbonisationReservedToHospitals
            | Problem::WorkingGroupElderlyAwarenessReservedToElderlyCare => Severity::Ineligible,
            Problem::OrganisationTypeMultiple
            | Problem::AttachmentNotPdf
            | Problem::PdfNoTextLayer
            | Problem::SubjectControlCharacters
            | Problem::FormWorkingGroupUnrecognised
            | Problem::FormActionsOptionMultiple
            | Problem::FormDateUnreadable
            | Problem::FormAcroformTruncated
            | Problem::InternalPanic
            | Problem::SenderNotAuthorised
            | Problem::SenderNotContactPoint
            | Problem::SenderDmarcFail
            | Problem::OrganisationNotMember
            | Problem::OrganisationAlreadyMember
            | Problem::OrganisationNearMatch
            | Problem::ContactChangeDetailsMissing
            | Problem::ResignationPartialScope
            | Problem::FormUnderOtherSubject
            | Problem::ReplyBounced
            | Problem::SignatureDigitalNotIntact
            | Problem::MessageJunk => Severity::Review,
            Problem::MessageEmpty
            | Problem::MessageNotEmail
            | Problem::MessageTooLarge
            | Problem::PdfEncrypted
            | Problem::PdfCorrupt
            | Problem::FormNotRecognised => Severity::Unreadable,
            // Issue [doubt]: nothing was unreadable, the form is missing — the member is
            // asked for it, as for any other missing item.
            Problem::AttachmentMissingForm
            | Problem::OrganisationNameMissing
            | Problem::OrganisationAddressMissing
            | Problem::OrganisationTypeMissing
            | Problem::LegalRepresentativeLastNameMissing
            | Problem::LegalRepresentativeFirstNameMissing
            | Problem::LegalRepresentativeFunctionMissing
            | Problem::LegalRepresentativeEmailMissing
            | Problem::LegalRepresentativePhoneMissing
            | Problem::LegalRepresentativeEmailInvalid
            | Problem::SignatureMissing
            | Problem::SignatureDateMissing
            | Problem::WorkingGroupNoneSelected
            | Problem::WorkingGroupDelegateMissing
            | Problem::WorkingGroupActionsMissing => Severity::Incomplete,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Problem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The codes of a list of problems, as the JSON array stored in the log.
pub fn codes_json(problems: &[Problem]) -> String {
    let codes: Vec<&str> = problems.iter().map(|p| p.as_str()).collect();
    serde_json::to_string(&codes).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_dotted_and_parses_back() {
        let mut seen = std::collections::BTreeSet::new();
        for problem in Problem::ALL {
            let code = problem.as_str();
            assert!(code.contains('.'), "{code}");
            assert!(seen.insert(code), "{code} twice");
            assert_eq!(Problem::parse(code), Some(problem));
        }
    }
}
