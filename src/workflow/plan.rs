//! The three workflows as pure functions: a message and the members as they are in, a
//! [`Plan`] out. Nothing here touches the store or the outside world.

use jiff::civil::Date;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::contact_details::ContactDetails;
use super::register::{self, by_name, by_sender, Found, Member};
use super::resignation_scope::Scope;
use super::{Outcome, Reply, Route};
use crate::classify::Classification;
use crate::clock;
use crate::form::record::{Category, FormRecord, Person, WorkingGroupCode};
use crate::intake::auth::Dmarc;
use crate::intake::Envelope;
use crate::problem::{Problem, Severity};
use crate::rules::{Reason, Rules};
use crate::validate;

/// What the workflow reads of one message.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    /// Its log row.
    pub row_id: i64,
    /// Which workflow.
    pub route: Route,
    /// The envelope.
    pub envelope: &'a Envelope,
    /// What the subject says.
    pub classification: &'a Classification,
    /// The form read from its attachments, validated; `None` when nothing was read.
    pub form: Option<&'a FormRecord>,
    /// A contact change's new contact, as the body names them.
    pub contact: Option<&'a ContactDetails>,
    /// What a resignation withdraws from (art. 6.3).
    pub resignation_scope: &'a Scope,
    /// What our receiving system recorded of DMARC.
    pub dmarc: Dmarc,
}

/// A coordinator's approval of a held message (`mailroom review approve`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approval {
    /// Who approved.
    pub by: String,
    /// `--as ORG`: the member it is about.
    pub member: Option<i64>,
    /// `--drop-group CODE`: register without this group.
    pub drop_group: Option<WorkingGroupCode>,
    /// `--as-resignation`: a partial withdrawal is a full resignation after all.
    pub as_resignation: bool,
}

/// What to change among the members.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Nothing.
    None,
    /// A new organisation, pending until its confirmation goes out (or until its form
    /// is complete).
    NewMember(Box<FormRecord>),
    /// A pending member's form replaced by a resubmission.
    Resubmission(i64, Box<FormRecord>),
    /// Art. 4.2: a new contact point.
    ContactPoint {
        /// The member.
        member: i64,
        /// The new contact.
        contact: Person,
    },
    /// Art. 6.3.
    Resign(i64),
    /// Out of some working groups, still a member.
    WithdrawGroups(i64, Vec<WorkingGroupCode>),
}

/// What to do with one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// What happened.
    pub outcome: Outcome,
    /// Problems found by the workflow and the form.
    pub problems: Vec<Problem>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// The change to the members.
    pub change: Change,
    /// The member it is about, when known (a new one gets its id when applied).
    pub member: Option<i64>,
    /// Mail to send; `member_id` is filled in when the change is applied.
    pub replies: Vec<Reply>,
}

impl Plan {
    fn held(problems: Vec<Problem>, reasons: Vec<Reason>, member: Option<i64>) -> Plan {
        Plan {
            outcome: Outcome::HeldForReview,
            problems,
            reasons,
            change: Change::None,
            member,
            replies: Vec::new(),
        }
    }

    fn with_reply(mut self, reply: Option<Reply>) -> Plan {
        self.replies.extend(reply);
        self
    }
}

/// Plans what `inbound` does to `members`. `today` is the alliance's calendar day;
/// `approval` is set when a coordinator approves a held message.
pub fn plan(
    inbound: &Inbound<'_>,
    members: &[Member],
    rules: &Rules,
    today: Date,
    approval: Option<&Approval>,
) -> Plan {
    let context = Context {
        inbound,
        members,
        rules,
        today,
        approval,
    };
    match inbound.route {
        Route::Membership | Route::ProbableMembership => context.membership(),
        Route::ContactChange => context.contact_change(),
        Route::Resignation => context.resignation(),
    }
}

struct Context<'a> {
    inbound: &'a Inbound<'a>,
    members: &'a [Member],
    rules: &'a Rules,
    today: Date,
    approval: Option<&'a Approval>,
}

impl Context<'_> {
    // ── Membership (art. 6.1–6.2) ─────────────────────────────────────────────────────

    fn membership(&self) -> Plan {
        let mut form = self.inbound.form.cloned().unwrap_or_else(missing_form);
        if let Some(code) = self.approval.and_then(|a| a.drop_group) {
            form.working_groups.retain(|choice| choice.code != code);
            form.signatures
                .delegates
                .retain(|signature| signature.code != code);
            // The working-group codes are judged again without the dropped group; every
            // other problem (reading, signature, organisation) stands.
            form.problems
                .retain(|code| !code.starts_with("working_group."));
            form.problems = codes(&validate::check(&form, &self.rules.validation));
        }
        let mut problems: Vec<Problem> = form
            .problems
            .iter()
            .filter_map(|code| Problem::parse(code))
            .collect();
        if self.inbound.route == Route::ProbableMembership {
            problems.push(Problem::FormUnderOtherSubject);
        }
        if self.approval.is_some() {
            // The coordinator has decided what they were asked to decide.
            problems.retain(|p| p.severity() != Severity::Review);
        }
        let worst = problems
            .iter()
            .map(|p| p.severity())
            .filter(|s| *s != Severity::Warning)
            .max();
        let name = form
            .organisation
            .name
            .clone()
            .or_else(|| self.inbound.classification.organisation.clone());

        if worst == Some(Severity::Unreadable) {
            let reply = self.reply_to_sender("unreadable", name.as_deref(), |context| {
                context["problems"] = self.sentences(&problems, |s| s == Severity::Unreadable);
            });
            return Plan {
                outcome: Outcome::Unreadable,
                problems,
                reasons: vec![Reason::FormUnreadable],
                change: Change::None,
                member: None,
                replies: reply.into_iter().collect(),
            };
        }

        // No form among the attachments (none at all, a logo, an unrelated PDF or letter):
        // the member is asked for it, and nothing is recorded — an earlier pending form of
        // the same organisation must not be replaced by an empty one.
        if problems.contains(&Problem::AttachmentMissingForm) {
            let reply = self.reply_to_sender("incomplete", name.as_deref(), |context| {
                // The template asks for the form instead of listing what it lacks.
                context["form_missing"] = json!(true);
            });
            return Plan {
                outcome: Outcome::Incomplete,
                problems,
                reasons: vec![Reason::FormMissing],
                change: Change::None,
                member: None,
                replies: reply.into_iter().collect(),
            };
        }

        // A form under another subject waits for a coordinator before anything is
        // recorded: it is a probable membership, not yet a request.
        if self.inbound.route == Route::ProbableMembership && self.approval.is_none() {
            let shown: Vec<Problem> = problems
                .iter()
                .copied()
                .filter(|p| {
                    p.severity() >= Severity::Incomplete && *p != Problem::FormUnderOtherSubject
                })
                .collect();
            let reply = self.under_review(name.as_deref(), &shown, true);
            return Plan::held(problems, vec![Reason::ProbableMembership], None).with_reply(reply);
        }

        // Which organisation: a coordinator's word, the name, then the sender's domain.
        let found = match self.approval.and_then(|a| a.member) {
            Some(id) => self
                .members
                .iter()
                .find(|m| m.id == id)
                .map_or(Found::Nobody, Found::Member),
            None => self.found_by_form_name(name.as_deref()),
        };
        let fingerprint = form_fingerprint(&form);
        let change = match found {
            Found::Near(member) => {
                problems.push(Problem::OrganisationNearMatch);
                let reply = self.under_review(name.as_deref(), &[], true);
                return Plan::held(problems, vec![Reason::NearMatch], Some(member.id))
                    .with_reply(reply);
            }
            Found::Member(member) if member.is_registered() => {
                if member.form_sha256.as_deref() == Some(fingerprint.as_str()) {
                    return Plan {
                        outcome: Outcome::Duplicate,
                        problems,
                        reasons: vec![Reason::SameFormAgain],
                        change: Change::None,
                        member: Some(member.id),
                        replies: Vec::new(),
                    };
                }
                problems.push(Problem::OrganisationAlreadyMember);
                let reply =
                    self.under_review(name.as_deref(), &[Problem::OrganisationAlreadyMember], true);
                return Plan::held(problems, vec![Reason::AlreadyMember], Some(member.id))
                    .with_reply(reply);
            }
            Found::Member(member) if member.status == "resigned" => {
                problems.push(Problem::OrganisationAlreadyMember);
                let reply = self.under_review(name.as_deref(), &[], true);
                return Plan::held(problems, vec![Reason::ResignedMember], Some(member.id))
                    .with_reply(reply);
            }
            Found::Member(member) => Change::Resubmission(member.id, Box::new(form.clone())),
            // A name with no letters is no name (and no key to match it by).
            Found::Nobody if name_key_of(&form).is_empty() => Change::None,
            Found::Nobody => Change::NewMember(Box::new(form.clone())),
        };
        // A form a coordinator must look at records a new organisation as pending (so it
        // is known), but never overwrites what an earlier form recorded before they have.
        let held = matches!(worst, Some(Severity::Review | Severity::Unreadable));
        let change = match change {
            Change::Resubmission(..) if held => Change::None,
            other => other,
        };
        let member = match &change {
            Change::Resubmission(id, _) => Some(*id),
            _ => None,
        };
        let mut reasons = Vec::new();
        if member.is_some() {
            reasons.push(Reason::Resubmission);
        }
        if self.approval.is_some() {
            reasons.push(Reason::Approved);
        }
        let org = name.as_deref();
        let (outcome, reason, reply) = match worst {
            None | Some(Severity::Warning) => (
                Outcome::Registered,
                Reason::Registered,
                self.acknowledgement(&form, org),
            ),
            Some(Severity::Incomplete) => (
                Outcome::Incomplete,
                Reason::FormIncomplete,
                self.reply_to_sender("incomplete", org, |context| {
                    context["problems"] = self.sentences(&problems, |s| s == Severity::Incomplete);
                }),
            ),
            Some(Severity::Ineligible) => (
                Outcome::Ineligible,
                Reason::FormIneligible,
                self.reply_to_sender("ineligible", org, |context| {
                    context["reserved"] = self.sentences(&problems, |s| s == Severity::Ineligible);
                    context["problems"] = self.sentences(&problems, |s| s == Severity::Incomplete);
                }),
            ),
            Some(Severity::Review | Severity::Unreadable) => {
                let reason = if self.inbound.route == Route::ProbableMembership {
                    Reason::ProbableMembership
                } else {
                    Reason::FormHeld
                };
                let shown: Vec<Problem> = problems
                    .iter()
                    .copied()
                    .filter(|p| p.severity() >= Severity::Incomplete)
                    .collect();
                (
                    Outcome::HeldForReview,
                    reason,
                    self.under_review(org, &shown, true),
                )
            }
        };
        reasons.push(reason);
        Plan {
            outcome,
            problems,
            reasons,
            change,
            member,
            replies: reply.into_iter().collect(),
        }
    }

    /// The member a form names: by its official name, else (a new name) a member
    /// writing from the same domain is a near match.
    fn found_by_form_name(&self, name: Option<&str>) -> Found<'_> {
        let Some(name) = name else {
            return Found::Nobody;
        };
        match by_name(self.members, name) {
            Found::Nobody => self
                .sender()
                .and_then(|sender| register::same_domain_as(self.members, sender))
                .map_or(Found::Nobody, Found::Near),
            found => found,
        }
    }

    /// Art. 6.2: the confirmation of receipt, to the sender, copied to the legal
    /// representative and the contact point named in the form.
    fn acknowledgement(&self, form: &FormRecord, org: Option<&str>) -> Option<Reply> {
        let people = std::iter::once(&form.legal_representative).chain(&form.contact_point);
        let (to, cc) = self.addressees(
            self.sender().into_iter(),
            people.filter_map(|p| p.email.as_deref()),
        )?;
        let category = form.organisation.category;
        let final_beneficiary =
            matches!(category, Some(Category::Hospital | Category::ElderlyCare));
        let groups: Vec<serde_json::Value> = if final_beneficiary {
            form.working_groups
                .iter()
                .filter_map(|choice| self.rules.groups.get(choice.code))
                .map(|group| {
                    json!({
                        "code": group.code.as_str(),
                        "label": group.label,
                        "first_session": clock::to_storage(group.first_session),
                        "first_session_label": group.first_session_label,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Reply {
            purpose: "acknowledgement".to_owned(),
            to,
            cc,
            in_reply_to: self.inbound.envelope.message_id.clone(),
            context: Some(json!({
                "organisation": org,
                "category": category.map(Category::as_str),
                "groups": groups,
                "copy": false,
            })),
            ..Reply::default()
        })
    }

    // ── Contact change (art. 4.2) ─────────────────────────────────────────────────────

    fn contact_change(&self) -> Plan {
        let member = match self.member_for_request() {
            Ok(member) => member,
            Err(plan) => return *plan,
        };
        let org = Some(member.name.as_str());
        let mut problems = Vec::new();
        if self.approval.is_none() {
            problems.extend(self.sender_problems(member, false));
        }
        let new_contact = self.new_contact();
        let named = new_contact.as_ref().is_some_and(|p| {
            p.email.is_some() && (p.last_name.is_some() || p.first_name.is_some())
        });
        if !named {
            problems.push(Problem::ContactChangeDetailsMissing);
        }
        let Some(contact) = new_contact.filter(|_| problems.is_empty()) else {
            let reply = self.under_review(org, &[], false);
            return Plan::held(problems, vec![Reason::ContactChangeHeld], Some(member.id))
                .with_reply(reply);
        };
        // Both the old and the new contact get the confirmation.
        let previous = member.contact().clone();
        let addressees = self.addressees(
            contact.email.as_deref().into_iter(),
            previous.email.as_deref().into_iter().chain(self.sender()),
        );
        let reply = addressees.map(|(to, cc)| Reply {
            purpose: "contact_updated".to_owned(),
            to,
            cc,
            in_reply_to: self.inbound.envelope.message_id.clone(),
            member_id: Some(member.id),
            context: Some(json!({
                "organisation": org,
                "contact": contact,
                "previous": previous,
            })),
            ..Reply::default()
        });
        let mut reasons = vec![Reason::ContactUpdated];
        if self.approval.is_some() {
            reasons.push(Reason::Approved);
        }
        Plan {
            outcome: Outcome::ContactUpdated,
            problems,
            reasons,
            change: Change::ContactPoint {
                member: member.id,
                contact,
            },
            member: Some(member.id),
            replies: reply.into_iter().collect(),
        }
    }

    /// The successor: an updated form's contact point, else the body's.
    fn new_contact(&self) -> Option<Person> {
        if let Some(contact) = self
            .inbound
            .form
            .filter(|form| crate::form::is_form(form))
            .and_then(|form| form.contact_point.clone())
        {
            return Some(contact);
        }
        let details = self.inbound.contact?;
        details.names_someone().then(|| Person {
            last_name: details.last_name.clone(),
            first_name: details.first_name.clone(),
            function: details.function.clone(),
            email: details.email.clone(),
            phone: details.phone.clone(),
        })
    }

    // ── Resignation (art. 6.3) ────────────────────────────────────────────────────────

    fn resignation(&self) -> Plan {
        let member = match self.member_for_request() {
            Ok(member) => member,
            Err(plan) => return *plan,
        };
        let org = Some(member.name.as_str());
        let approved = self.approval.is_some();
        let as_resignation = self.approval.is_some_and(|a| a.as_resignation);
        // Issue [doubt]: applied alone only when the body leaves the Alliance as a whole.
        let scope = self.inbound.resignation_scope;
        let partial = !scope.is_whole();
        let mut problems = Vec::new();
        let mut reasons = vec![Reason::ResignationHeld];
        if !approved {
            problems.extend(self.sender_problems(member, true));
            match scope {
                Scope::Whole => {}
                Scope::Partial(_) => reasons.push(Reason::ResignationPartial),
                Scope::Unclear(_) => reasons.push(Reason::ResignationScopeUnclear),
            }
            if partial {
                problems.push(Problem::ResignationPartialScope);
            }
        }
        if !problems.is_empty() {
            let reply = self.under_review(org, &[], false);
            return Plan::held(problems, reasons, Some(member.id)).with_reply(reply);
        }
        if partial && !as_resignation {
            return Plan {
                outcome: Outcome::HeldForReview,
                problems,
                reasons: vec![Reason::GroupWithdrawn, Reason::Approved],
                change: Change::WithdrawGroups(member.id, scope.groups().to_vec()),
                member: Some(member.id),
                replies: Vec::new(),
            };
        }
        let addressees = self.addressees(
            self.sender().into_iter(),
            member.contact().email.as_deref().into_iter(),
        );
        let groups: Vec<String> = member
            .working_groups
            .iter()
            .map(|choice| self.rules.groups.label(choice.code))
            .collect();
        let reply = addressees.map(|(to, cc)| Reply {
            purpose: "resigned".to_owned(),
            to,
            cc,
            in_reply_to: self.inbound.envelope.message_id.clone(),
            member_id: Some(member.id),
            context: Some(json!({
                "organisation": org,
                "resigned_date": clock::french_date(self.today),
                "groups": groups,
            })),
            ..Reply::default()
        });
        let mut reasons = vec![Reason::Resigned];
        if approved {
            reasons.push(Reason::Approved);
        }
        Plan {
            outcome: Outcome::Resigned,
            problems,
            reasons,
            change: Change::Resign(member.id),
            member: Some(member.id),
            replies: reply.into_iter().collect(),
        }
    }

    // ── Shared by the requests of members (4.2, 6.3) ──────────────────────────────────

    /// The active member a contact change or resignation is about, or the held plan.
    fn member_for_request(&self) -> Result<&Member, Box<Plan>> {
        let named = self.inbound.classification.organisation.as_deref();
        let found = match self.approval.and_then(|a| a.member) {
            Some(id) => self
                .members
                .iter()
                .find(|m| m.id == id)
                .map_or(Found::Nobody, Found::Member),
            None => match named.map(|name| by_name(self.members, name)) {
                Some(Found::Nobody) | None => self
                    .sender()
                    .map_or(Found::Nobody, |sender| by_sender(self.members, sender)),
                Some(found) => found,
            },
        };
        let reason = match self.inbound.route {
            Route::Resignation => Reason::ResignationHeld,
            _ => Reason::ContactChangeHeld,
        };
        match found {
            Found::Member(member) if member.is_registered() => Ok(member),
            Found::Member(member) => Err(Box::new(
                Plan::held(
                    vec![Problem::OrganisationNotMember],
                    vec![reason, Reason::NotMember],
                    Some(member.id),
                )
                .with_reply(self.under_review(named, &[], false)),
            )),
            Found::Near(member) => Err(Box::new(
                Plan::held(
                    vec![Problem::OrganisationNearMatch],
                    vec![reason, Reason::NearMatch],
                    Some(member.id),
                )
                .with_reply(self.under_review(named, &[], false)),
            )),
            Found::Nobody => Err(Box::new(
                Plan::held(
                    vec![Problem::OrganisationNotMember],
                    vec![reason, Reason::NotMember],
                    None,
                )
                .with_reply(self.under_review(named, &[], false)),
            )),
        }
    }

    /// Who may ask: the contact point (the legal representative too for a contact
    /// change, 4.2; for a resignation only when no separate contact exists, 6.3), and
    /// never when our receiving system saw DMARC fail.
    fn sender_problems(&self, member: &Member, resignation: bool) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.inbound.dmarc == Dmarc::Fail {
            problems.push(Problem::SenderDmarcFail);
        }
        let Some(sender) = self.sender() else {
            problems.push(Problem::SenderNotAuthorised);
            return problems;
        };
        if member.is_contact(sender) {
            return problems;
        }
        if member.is_legal_representative(sender) {
            if resignation && member.has_separate_contact() {
                problems.push(Problem::SenderNotContactPoint);
            }
            return problems;
        }
        problems.push(Problem::SenderNotAuthorised);
        problems
    }

    // ── Replies ───────────────────────────────────────────────────────────────────────

    /// A reply to the sender only, of `purpose`, whose context `fill` completes.
    fn reply_to_sender(
        &self,
        purpose: &str,
        org: Option<&str>,
        fill: impl FnOnce(&mut serde_json::Value),
    ) -> Option<Reply> {
        let to = self.recipients(self.sender().into_iter());
        if to.is_empty() {
            return None;
        }
        let mut context = json!({ "organisation": org });
        fill(&mut context);
        Some(Reply {
            purpose: purpose.to_owned(),
            to,
            in_reply_to: self.inbound.envelope.message_id.clone(),
            context: Some(context),
            ..Reply::default()
        })
    }

    /// "Received, a coordinator looks at it" — never the art. 6.2 confirmation. Lists
    /// `shown` (sentences written for members); the reasons a sender may not act for a
    /// member are for coordinators only and are never listed.
    fn under_review(&self, org: Option<&str>, shown: &[Problem], form: bool) -> Option<Reply> {
        self.reply_to_sender("under_review", org, |context| {
            context["problems"] = self.sentences(shown, |_| true);
            context["form"] = form.into();
        })
    }

    /// The French sentences of the problems whose severity `keep` accepts.
    fn sentences(
        &self,
        problems: &[Problem],
        keep: impl Fn(Severity) -> bool,
    ) -> serde_json::Value {
        let mut seen = Vec::new();
        for problem in problems.iter().filter(|p| keep(p.severity())) {
            let sentence = self.rules.messages.problem(*problem).to_owned();
            if !seen.contains(&sentence) {
                seen.push(sentence);
            }
        }
        seen.into()
    }

    /// Who a reply goes to: `to`, copied to `cc` (less `to`); when `to` leaves nobody
    /// to write to (a no-reply sender), the first of `cc` instead. `None`: nobody at all.
    fn addressees<'x, 'y>(
        &self,
        to: impl Iterator<Item = &'x str>,
        cc: impl Iterator<Item = &'y str>,
    ) -> Option<(Vec<String>, Vec<String>)> {
        let to = self.recipients(to);
        let mut cc: Vec<String> = self
            .recipients(cc)
            .into_iter()
            .filter(|address| !to.iter().any(|t| t.eq_ignore_ascii_case(address)))
            .collect();
        if !to.is_empty() {
            return Some((to, cc));
        }
        if cc.is_empty() {
            return None;
        }
        let first = cc.remove(0);
        Some((vec![first], cc))
    }

    /// Who may be written to among `addresses`: real addresses, not ours, not a
    /// no-reply box or a mailer daemon; each once.
    fn recipients<'x>(&self, addresses: impl Iterator<Item = &'x str>) -> Vec<String> {
        let own = &self.rules.alliance.address;
        let mut out: Vec<String> = Vec::new();
        for address in addresses {
            let address = address.trim();
            if validate::is_email(address)
                && !address.eq_ignore_ascii_case(own)
                && !is_machine_address(address)
                && !out.iter().any(|known| known.eq_ignore_ascii_case(address))
            {
                out.push(address.to_owned());
            }
        }
        out
    }

    fn sender(&self) -> Option<&str> {
        self.inbound.envelope.from_addr.as_deref()
    }
}

/// Mailboxes no person reads: never answered (RFC 3834 §2).
fn is_machine_address(address: &str) -> bool {
    let local = address
        .rsplit_once('@')
        .map_or(address, |(local, _)| local)
        .to_ascii_lowercase();
    let local = local.replace(['-', '_', '.'], "");
    [
        "noreply",
        "donotreply",
        "nepasrepondre",
        "mailerdaemon",
        "postmaster",
        "bounce",
    ]
    .iter()
    .any(|machine| local.starts_with(machine))
}

/// The matching key of the form's organisation name ("" when it has none).
fn name_key_of(form: &FormRecord) -> String {
    form.organisation
        .name
        .as_deref()
        .map(super::matching::name_key)
        .unwrap_or_default()
}

/// The record of a message with no form at all.
fn missing_form() -> FormRecord {
    let mut record = FormRecord::empty(crate::form::record::SourceKind::TextPdf);
    record.add_problem(Problem::AttachmentMissingForm);
    record
}

fn codes(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(|p| p.as_str().to_owned()).collect()
}

/// What identifies a form's content, whatever file carried it: its values, not its
/// bytes (an export twice from Word differs in bytes, not in what it says).
pub fn form_fingerprint(form: &FormRecord) -> String {
    let mut values = serde_json::to_value(form).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut values {
        map.remove("source");
        map.remove("problems");
    }
    hex::encode(Sha256::digest(values.to_string().as_bytes()))
}
