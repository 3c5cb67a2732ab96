//! Validate: is the form "dûment complété" (art. 6.2)? Pure, article by article.
//!
//! Input: a [`FormRecord`] as the form reader produced it, and the alliance's
//! [`ValidationRules`]. Output: the problems, each with its stable code; their
//! [`Severity`](crate::problem::Severity) tells the workflow whether the form registers a
//! member, asks for completion, is ineligible or goes to a coordinator. Reading problems
//! the reader already found (`organisation.type_multiple`, `pdf.corrupt`…) are kept.

use serde::Serialize;

use crate::form::record::{FormRecord, Person, SignedWith};
use crate::problem::Problem;
use crate::rules::validation::ValidationRules;

/// Every problem of `record`, reading problems first, each once, in a stable order.
/// `record` with its problems replaced by [`check`]'s when it was read as the form, or
/// read by OCR (then what OCR did not find is added to `source.ocr.doubts`, see
/// [`ocr`]); a record that is not the form keeps its reading problems.
pub fn examine(mut record: FormRecord, rules: &ValidationRules) -> FormRecord {
    if ocr::is_reading(&record) {
        let (problems, doubts) = ocr::judge(&record, rules_of_the_form(&record, rules), rules);
        record.problems = codes(&problems);
        ocr::add_doubts(&mut record, doubts);
    } else if crate::form::is_form(&record) {
        record.problems = codes(&check(&record, rules));
    }
    record
}

/// Every problem of a form that was read: its reading problems, then the convention's
/// rules, each once. In an OCR reading, what was not found is no problem of the form
/// but a doubt, and holds it (`pdf.no_text_layer`): never an `incomplete` reply.
pub fn check(record: &FormRecord, rules: &ValidationRules) -> Vec<Problem> {
    let problems = rules_of_the_form(record, rules);
    if ocr::is_reading(record) {
        ocr::judge(record, problems, rules).0
    } else {
        problems
    }
}

fn codes(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|problem| problem.as_str().to_owned())
        .collect()
}

/// The reading problems and those of the convention's rules, each once.
fn rules_of_the_form(record: &FormRecord, rules: &ValidationRules) -> Vec<Problem> {
    let mut problems: Vec<Problem> = record
        .problems
        .iter()
        .filter_map(|code| Problem::parse(code))
        .collect();
    organisation(record, &mut problems);
    legal_representative(&record.legal_representative, &mut problems);
    signature(record, &mut problems);
    working_groups(record, rules, &mut problems);
    let mut seen = std::collections::BTreeSet::new();
    problems.retain(|problem| seen.insert(*problem));
    problems
}

/// Form section 1.
fn organisation(record: &FormRecord, problems: &mut Vec<Problem>) {
    let organisation = &record.organisation;
    if is_blank(&organisation.name) {
        problems.push(Problem::OrganisationNameMissing);
    }
    if is_blank(&organisation.address) {
        problems.push(Problem::OrganisationAddressMissing);
    }
    if organisation.category.is_none() && !problems.contains(&Problem::OrganisationTypeMultiple) {
        problems.push(Problem::OrganisationTypeMissing);
    }
}

/// Form section 2: every field of the legal representative, and a valid address.
fn legal_representative(person: &Person, problems: &mut Vec<Problem>) {
    let required = [
        (
            &person.last_name,
            Problem::LegalRepresentativeLastNameMissing,
        ),
        (
            &person.first_name,
            Problem::LegalRepresentativeFirstNameMissing,
        ),
        (
            &person.function,
            Problem::LegalRepresentativeFunctionMissing,
        ),
        (&person.email, Problem::LegalRepresentativeEmailMissing),
        (&person.phone, Problem::LegalRepresentativePhoneMissing),
    ];
    for (value, problem) in required {
        if is_blank(value) {
            problems.push(problem);
        }
    }
    if let Some(email) = person.email.as_deref().filter(|e| !e.trim().is_empty()) {
        if !is_email(email) {
            problems.push(Problem::LegalRepresentativeEmailInvalid);
        }
    }
}

/// Form 6.1: signed and dated; by the representative named in section 2 (else a warning:
/// "une personne dûment habilitée" may sign).
fn signature(record: &FormRecord, problems: &mut Vec<Problem>) {
    let signature = &record.signatures.legal_representative;
    if !signature.signed {
        problems.push(Problem::SignatureMissing);
    } else if !matches!(
        signature.signed_with,
        Some(SignedWith::Drawn | SignedWith::Digital)
    ) {
        // A signature whose kind is unknown (a record read back from JSON) is taken as
        // the weakest: typed.
        problems.push(Problem::SignatureTypedOnly);
    }
    if signature.date.is_none() {
        problems.push(Problem::SignatureDateMissing);
    }
    let representative = &record.legal_representative;
    let named = |value: &Option<String>| value.as_deref().map(name_key).filter(|k| !k.is_empty());
    let differs = |a: &Option<String>, b: &Option<String>| match (named(a), named(b)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    };
    if differs(&signature.last_name, &representative.last_name)
        || differs(&signature.first_name, &representative.first_name)
    {
        problems.push(Problem::SignatureSignerNotLegalRepresentative);
    }
}

/// Form 3 (final beneficiaries) and annex 1 (reserved groups, ecosystem actors).
fn working_groups(record: &FormRecord, rules: &ValidationRules, problems: &mut Vec<Problem>) {
    let Some(category) = record.organisation.category.as_ref().map(code_of) else {
        return; // without a category, what is required cannot be known
    };
    let is_final_beneficiary = rules.final_beneficiaries.contains(&category);
    if !is_final_beneficiary {
        if !record.working_groups.is_empty() {
            problems.push(Problem::WorkingGroupNotForEcosystem);
        }
        return;
    }
    if record.working_groups.is_empty() {
        problems.push(Problem::WorkingGroupNoneSelected);
    }
    for group in &record.working_groups {
        let code = code_of(&group.code);
        if let Some(reservation) = rules.reserved.get(&code) {
            if reservation.category != category {
                problems.extend(Problem::parse(&reservation.problem));
            }
        }
        let delegate_signed = record
            .signatures
            .delegates
            .iter()
            .any(|signature| code_of(&signature.code) == code && signature.signed);
        if !is_complete(&group.delegate) || !delegate_signed {
            problems.push(Problem::WorkingGroupDelegateMissing);
        }
        let actions = group
            .actions
            .iter()
            .filter(|a| !a.trim().is_empty())
            .count();
        let options_ok = match group.actions_option {
            Some(1) => actions >= rules.option_1_actions,
            Some(2) => true,
            _ => false,
        };
        if !options_ok {
            problems.push(Problem::WorkingGroupActionsMissing);
        }
    }
}

fn is_blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| v.trim().is_empty())
}

fn is_complete(person: &Person) -> bool {
    [
        &person.last_name,
        &person.first_name,
        &person.function,
        &person.email,
        &person.phone,
    ]
    .into_iter()
    .all(|value| !is_blank(value))
}

/// Whether `text` is one e-mail address. Syntax only (RFC 5321/5322 as lettre parses
/// it); whether the mailbox exists is for the acknowledgement's delivery to tell.
pub fn is_email(text: &str) -> bool {
    text.trim().parse::<lettre::Address>().is_ok()
}

/// Names compared without case, accents or punctuation ("Marc-Antoine" = "marc antoine").
fn name_key(name: &str) -> String {
    crate::classify::subject::organisation_key(name)
}

/// The stable snake_case name of a serialised enum (category, working-group code).
fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

pub mod ocr;

#[cfg(test)]
mod tests;
