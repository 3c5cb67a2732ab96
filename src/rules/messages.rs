//! `messages.toml`: the French sentences behind every reason mailroom records.
//!
//! The engine names a [`Reason`]; the alliance's rules say it in French. The sentence is
//! rendered when the decision is made and stored with it, so the log reads the same years
//! later even if the rules change (the rules version is stored beside it).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::problem::Problem;

/// Why a decision was taken: one stable key per sentence in `messages.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Subject follows art. 6.1.
    SubjectConvention,
    /// Subject follows art. 4.2.
    SubjectContactChange,
    /// Subject follows art. 6.3.
    SubjectResignation,
    /// No subject convention matched.
    SubjectUnknown,
    /// CR/LF or other controls in the decoded subject.
    SubjectControlCharacters,
    /// multipart/report delivery-status.
    BounceReport,
    /// mailer-daemon/postmaster sender or empty Return-Path.
    BounceSender,
    /// "Undeliverable:" and the like.
    BounceSubject,
    /// Auto-Submitted / X-Autoreply / Precedence: auto_reply.
    AutoReplyHeader,
    /// "Réponse automatique :" and the like.
    AutoReplySubject,
    /// List or bulk headers.
    Bulk,
    /// Bulk mail whose subject looks like one of the convention's.
    BulkLooksLikeConvention,
    /// Same Message-ID (or bytes) as an earlier message; `{n}` is its log number.
    Duplicate,
    /// A contact change, held for coordinators.
    ContactChangeHeld,
    /// A resignation, held for coordinators.
    ResignationHeld,
    /// A resignation that leaves some working groups only, or keeps the membership.
    ResignationPartial,
    /// A resignation that names a working group without saying whether the Alliance is left.
    ResignationScopeUnclear,
    /// Empty file.
    MessageEmpty,
    /// Not an e-mail.
    MessageNotEmail,
    /// Over the size limit.
    MessageTooLarge,
    /// mailroom failed while reading it.
    InternalFailure,
    /// Formulaire dûment complété : adhésion enregistrée ; la date de prise d’effet est celle de l’envoi de la confirmation de réception (article 6.2).
    Registered,
    /// Formulaire pas encore dûment complété : organisation en attente, réponse envoyée avec ce qui manque (article 6.2).
    FormIncomplete,
    /// Groupe thématique réservé coché (annexe 1) : organisation en attente, réponse envoyée avec les deux possibilités.
    FormIneligible,
    /// Formulaire illisible : réponse envoyée, rien n’est enregistré pour l’organisation.
    FormUnreadable,
    /// Formulaire absent : réponse envoyée qui le demande, rien n’est enregistré.
    FormMissing,
    /// Formulaire à vérifier par la coordination : organisation en attente, réponse d’attente envoyée (ce n’est pas la confirmation de l’article 6.2).
    FormHeld,
    /// Formulaire d’adhésion reçu sous un autre objet : adhésion probable, retenue pour la coordination.
    ProbableMembership,
    /// Nouvel envoi du formulaire d’une organisation en attente : il remplace le précédent, l’historique garde les deux.
    Resubmission,
    /// Formulaire identique à celui déjà enregistré pour ce membre : doublon, aucune nouvelle confirmation.
    SameFormAgain,
    /// Organisation déjà membre et formulaire différent : retenu pour la coordination ; la date de prise d’effet ne change pas.
    AlreadyMember,
    /// Organisation ayant résilié sa convention : nouvelle adhésion retenue pour la coordination.
    ResignedMember,
    /// Nom proche de celui d’un membre ou même domaine d’expéditeur : retenu pour que la coordination identifie l’organisation.
    NearMatch,
    /// Organisation non membre (ou pas encore active) : retenu pour la coordination.
    NotMember,
    /// Point de contact mis à jour (article 4.2) ; l’ancien reste dans l’historique, l’ancien et le nouveau reçoivent la confirmation.
    ContactUpdated,
    /// Résiliation enregistrée (article 6.3) : retrait de la liste des signataires et de toutes les listes d’envoi.
    Resigned,
    /// Retrait d’un groupe thématique enregistré ; l’organisation reste membre.
    GroupWithdrawn,
    /// Décision de la coordination appliquée.
    Approved,
    /// A membership from before mailroom, imported.
    Imported,
    /// A delivery report returned one of our messages; `{n}` is its outbox number.
    ReplyBounced,
    /// Found in the Junk folder without a DMARC pass.
    JunkHeld,
    /// Imported from before mailroom: decided, not answered.
    ImportedQuietly,
    /// An absence or participation difficulty, forwarded to the group's Locomotive.
    ParticipationForwarded,
    /// The same, but no address is known for the group's pilot or référent.
    ParticipationNoRecipient,
}

impl Reason {
    /// Every reason, so the loader can check `messages.toml` has them all.
    pub const ALL: [Reason; 44] = [
        Reason::SubjectConvention,
        Reason::SubjectContactChange,
        Reason::SubjectResignation,
        Reason::SubjectUnknown,
        Reason::SubjectControlCharacters,
        Reason::BounceReport,
        Reason::BounceSender,
        Reason::BounceSubject,
        Reason::AutoReplyHeader,
        Reason::AutoReplySubject,
        Reason::Bulk,
        Reason::BulkLooksLikeConvention,
        Reason::Duplicate,
        Reason::ContactChangeHeld,
        Reason::ResignationHeld,
        Reason::ResignationPartial,
        Reason::ResignationScopeUnclear,
        Reason::MessageEmpty,
        Reason::MessageNotEmail,
        Reason::MessageTooLarge,
        Reason::InternalFailure,
        Reason::Registered,
        Reason::FormIncomplete,
        Reason::FormIneligible,
        Reason::FormUnreadable,
        Reason::FormMissing,
        Reason::FormHeld,
        Reason::ProbableMembership,
        Reason::Resubmission,
        Reason::SameFormAgain,
        Reason::AlreadyMember,
        Reason::ResignedMember,
        Reason::NearMatch,
        Reason::NotMember,
        Reason::ContactUpdated,
        Reason::Resigned,
        Reason::GroupWithdrawn,
        Reason::Approved,
        Reason::Imported,
        Reason::ReplyBounced,
        Reason::JunkHeld,
        Reason::ImportedQuietly,
        Reason::ParticipationForwarded,
        Reason::ParticipationNoRecipient,
    ];

    /// The key in `messages.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Reason::SubjectConvention => "subject_convention",
            Reason::SubjectContactChange => "subject_contact_change",
            Reason::SubjectResignation => "subject_resignation",
            Reason::SubjectUnknown => "subject_unknown",
            Reason::SubjectControlCharacters => "subject_control_characters",
            Reason::BounceReport => "bounce_report",
            Reason::BounceSender => "bounce_sender",
            Reason::BounceSubject => "bounce_subject",
            Reason::AutoReplyHeader => "auto_reply_header",
            Reason::AutoReplySubject => "auto_reply_subject",
            Reason::Bulk => "bulk",
            Reason::BulkLooksLikeConvention => "bulk_looks_like_convention",
            Reason::Duplicate => "duplicate",
            Reason::ContactChangeHeld => "contact_change_held",
            Reason::ResignationHeld => "resignation_held",
            Reason::ResignationPartial => "resignation_partial",
            Reason::ResignationScopeUnclear => "resignation_scope_unclear",
            Reason::MessageEmpty => "message_empty",
            Reason::MessageNotEmail => "message_not_email",
            Reason::MessageTooLarge => "message_too_large",
            Reason::InternalFailure => "internal_failure",
            Reason::Registered => "registered",
            Reason::FormIncomplete => "form_incomplete",
            Reason::FormIneligible => "form_ineligible",
            Reason::FormUnreadable => "form_unreadable",
            Reason::FormMissing => "form_missing",
            Reason::FormHeld => "form_held",
            Reason::ProbableMembership => "probable_membership",
            Reason::Resubmission => "resubmission",
            Reason::SameFormAgain => "same_form_again",
            Reason::AlreadyMember => "already_member",
            Reason::ResignedMember => "resigned_member",
            Reason::NearMatch => "near_match",
            Reason::NotMember => "not_member",
            Reason::ContactUpdated => "contact_updated",
            Reason::Resigned => "resigned",
            Reason::GroupWithdrawn => "group_withdrawn",
            Reason::Approved => "approved",
            Reason::Imported => "imported",
            Reason::ReplyBounced => "reply_bounced",
            Reason::JunkHeld => "junk_held",
            Reason::ImportedQuietly => "imported_quietly",
            Reason::ParticipationForwarded => "participation_forwarded",
            Reason::ParticipationNoRecipient => "participation_no_recipient",
        }
    }
}

/// `messages.toml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    /// Reason key → French sentence.
    pub reasons: BTreeMap<String, String>,
    /// Problem code → one plain French sentence for replies and the review list.
    pub problems: BTreeMap<String, String>,
}

impl Messages {
    /// The keys the engine needs that the file lacks, as `[table] key`.
    pub fn missing_keys(&self) -> Vec<String> {
        let reasons = Reason::ALL
            .iter()
            .map(|reason| reason.key())
            .filter(|key| !self.reasons.contains_key(*key))
            .map(|key| format!("[reasons] {key}"));
        let problems = Problem::ALL
            .iter()
            .map(|problem| problem.as_str())
            .filter(|code| !self.problems.contains_key(*code))
            .map(|code| format!("[problems] {code}"));
        reasons.chain(problems).collect()
    }

    /// The French sentence for `problem`.
    pub fn problem(&self, problem: Problem) -> &str {
        self.problems
            .get(problem.as_str())
            .map_or(problem.as_str(), String::as_str)
    }

    /// The French sentence for `reason`, with `{n}` replaced by `number` when given.
    pub fn reason(&self, reason: Reason, number: Option<i64>) -> String {
        let text = self
            .reasons
            .get(reason.key())
            .map_or(reason.key(), String::as_str);
        match number {
            Some(n) => text.replace("{n}", &n.to_string()),
            None => text.to_owned(),
        }
    }
}
