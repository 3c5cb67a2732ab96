//! The rule for readings made by OCR (issue 17): a required item that was not found is
//! a doubt, not an absence. Text recognised on a scan loses lines, labels and ticks that
//! are on the paper; telling the member that they are missing would be acting on a
//! guess. So every problem that means "not found" becomes a doubt naming what could not
//! be found and on which page it was expected, and the record is held with
//! `pdf.no_text_layer` — never `incomplete`. Only a text-layer or AcroForm reading may
//! produce an `incomplete` reply. A whole section OCR did not find is always a doubt,
//! whatever the confidence of the words it did read.
//!
//! Each code of [`Problem`] the validator may raise on a form, and what an OCR reading
//! makes of it:
//!
//! | code | OCR reading | why |
//! |---|---|---|
//! | `organisation.name_missing`, `.address_missing` | doubt | a lost label or line |
//! | `organisation.type_missing` | doubt | a tick OCR did not see |
//! | `legal_representative.*_missing` | doubt | a lost label or line |
//! | `legal_representative.email_invalid` | doubt | `@` and `.` are what OCR misreads most |
//! | `signature.missing`, `signature.date_missing` | doubt | faint ink, a garbled line |
//! | `form.date_unreadable` | doubt | a garbled date is OCR's, not the member's |
//! | `form.working_group_unrecognised` | doubt | a misread group name |
//! | `working_group.none_selected` | doubt | ticks OCR did not see |
//! | `working_group.delegate_missing` | doubt, per group | a lost 3.1 or 6.2 block |
//! | `working_group.actions_missing` | doubt, per group | a lost option box or action |
//! | `organisation.type_multiple`, `form.actions_option_multiple` | kept (review) | boxes decided from their pixels; a box that cannot be decided is already a doubt |
//! | reserved groups (`working_group.*_reserved_to_*`) | kept (ineligible) | two boxes, each decided from its pixels as above: read facts |
//! | warnings (`signature.typed_only`, `signature.signer_not_legal_representative`, `working_group.not_for_ecosystem`, `form.value_truncated`) | kept | they block nothing |

use std::collections::BTreeMap;

use serde_json::Value;

use crate::form::record::{FormRecord, Person, SourceKind};
use crate::problem::Problem;
use crate::rules::form::SectionKind;
use crate::rules::validation::ValidationRules;

/// Whether `record` holds values OCR read from the form (not a scan that could not be
/// read at all: OCR unavailable, too slow, or the text is not the form's).
pub fn is_reading(record: &FormRecord) -> bool {
    let Some(ocr) = record.source.details.get("ocr") else {
        return false;
    };
    record.source.kind == SourceKind::Ocr
        && ocr.get("available") == Some(&Value::Bool(true))
        && ocr.get("reason").is_none()
        && !record
            .problems
            .iter()
            .any(|code| code == Problem::FormNotRecognised.as_str())
}

/// `problems` of an OCR reading with every "not found" one turned into a doubt, and
/// `pdf.no_text_layer` when there is any doubt (the reader's included).
pub fn judge(
    record: &FormRecord,
    problems: Vec<Problem>,
    rules: &ValidationRules,
) -> (Vec<Problem>, Vec<String>) {
    let where_ = Pages::of(record);
    let mut doubts = where_.missing_sections();
    let mut kept = Vec::with_capacity(problems.len());
    for problem in problems {
        match doubt(record, problem, &where_, rules) {
            Some(mut found) => doubts.append(&mut found),
            None => kept.push(problem),
        }
    }
    let already = record
        .source
        .details
        .get("ocr")
        .and_then(|ocr| ocr.get("doubts"))
        .and_then(Value::as_array)
        .is_some_and(|doubts| !doubts.is_empty());
    if (already || !doubts.is_empty()) && !kept.contains(&Problem::PdfNoTextLayer) {
        kept.push(Problem::PdfNoTextLayer);
    }
    (kept, doubts)
}

/// Adds `doubts` to the record's `source.ocr.doubts`, each once.
pub fn add_doubts(record: &mut FormRecord, doubts: Vec<String>) {
    if doubts.is_empty() {
        return;
    }
    let Some(Value::Object(ocr)) = record.source.details.get_mut("ocr") else {
        return;
    };
    let list = ocr
        .entry("doubts".to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    if let Value::Array(list) = list {
        for doubt in doubts {
            let doubt = Value::String(doubt);
            if !list.contains(&doubt) {
                list.push(doubt);
            }
        }
    }
}

/// The doubts `problem` stands for in an OCR reading, or `None` when it is kept.
fn doubt(
    record: &FormRecord,
    problem: Problem,
    pages: &Pages,
    rules: &ValidationRules,
) -> Option<Vec<String>> {
    use SectionKind as S;
    let one = |section: SectionKind, what: &str| Some(vec![pages.doubt(section, what)]);
    match problem {
        Problem::OrganisationNameMissing => one(S::Organisation, "dénomination officielle"),
        Problem::OrganisationAddressMissing => one(S::Organisation, "adresse du siège social"),
        Problem::OrganisationTypeMissing => {
            one(S::Organisation, "case cochée du type d’organisation")
        }
        Problem::LegalRepresentativeLastNameMissing => {
            one(S::LegalRepresentative, "nom du représentant légal")
        }
        Problem::LegalRepresentativeFirstNameMissing => {
            one(S::LegalRepresentative, "prénom du représentant légal")
        }
        Problem::LegalRepresentativeFunctionMissing => {
            one(S::LegalRepresentative, "fonction du représentant légal")
        }
        Problem::LegalRepresentativeEmailMissing => {
            one(S::LegalRepresentative, "e-mail du représentant légal")
        }
        Problem::LegalRepresentativePhoneMissing => {
            one(S::LegalRepresentative, "téléphone du représentant légal")
        }
        Problem::LegalRepresentativeEmailInvalid => Some(vec![pages.doubt_read(
            S::LegalRepresentative,
            "e-mail du représentant légal lu comme une adresse invalide",
        )]),
        Problem::SignatureMissing => one(S::LegalSignature, "signature du représentant légal"),
        Problem::SignatureDateMissing => one(
            S::LegalSignature,
            "date de la signature du représentant légal",
        ),
        Problem::FormDateUnreadable => Some(vec![pages.doubt_read(
            S::LegalSignature,
            "une date de la section 6 n’a pas pu être lue",
        )]),
        Problem::FormWorkingGroupUnrecognised => Some(vec![pages.doubt_read(
            S::WorkingGroups,
            "un « GT identifié » ne nomme aucun groupe connu",
        )]),
        Problem::WorkingGroupNoneSelected => {
            one(S::WorkingGroups, "case cochée d’un groupe thématique")
        }
        Problem::WorkingGroupDelegateMissing => Some(delegates(record, pages, rules)),
        Problem::WorkingGroupActionsMissing => Some(actions(record, pages, rules)),
        _ => None,
    }
}

/// Per ticked group: what of its delegate (3.1 block, 6.2 block, signature) was not found.
fn delegates(record: &FormRecord, pages: &Pages, rules: &ValidationRules) -> Vec<String> {
    let mut doubts = Vec::new();
    for group in &record.working_groups {
        let name = group_name(group.code.as_str(), rules);
        let block = record
            .signatures
            .delegates
            .iter()
            .find(|signature| signature.code == group.code);
        match block {
            None => doubts.push(pages.doubt(
                SectionKind::DelegateSignatures,
                &format!("bloc du délégué du GT {name}"),
            )),
            Some(block) if !block.signed => doubts.push(pages.doubt(
                SectionKind::DelegateSignatures,
                &format!("signature du délégué du GT {name}"),
            )),
            Some(_) => {}
        }
        let missing = missing_fields(&group.delegate);
        if !missing.is_empty() {
            doubts.push(pages.doubt_read(
                SectionKind::WorkingGroups,
                &format!(
                    "délégué du GT {name} : {} introuvable(s)",
                    missing.join(", ")
                ),
            ));
        }
    }
    if doubts.is_empty() {
        doubts.push(pages.doubt(SectionKind::DelegateSignatures, "bloc d’un délégué"));
    }
    doubts
}

/// Per ticked group whose option or actions were not found.
fn actions(record: &FormRecord, pages: &Pages, rules: &ValidationRules) -> Vec<String> {
    let mut doubts: Vec<String> = record
        .working_groups
        .iter()
        .filter(|group| {
            let actions = group
                .actions
                .iter()
                .filter(|a| !a.trim().is_empty())
                .count();
            match group.actions_option {
                Some(1) => actions < rules.option_1_actions,
                Some(2) => false,
                _ => true,
            }
        })
        .map(|group| {
            let name = group_name(group.code.as_str(), rules);
            pages.doubt_read(
                SectionKind::Actions,
                &format!("option cochée ou actions du GT {name} introuvables"),
            )
        })
        .collect();
    if doubts.is_empty() {
        doubts.push(pages.doubt_read(SectionKind::Actions, "actions envisagées introuvables"));
    }
    doubts
}

fn missing_fields(person: &Person) -> Vec<&'static str> {
    [
        (&person.last_name, "nom"),
        (&person.first_name, "prénom"),
        (&person.function, "fonction"),
        (&person.email, "e-mail"),
        (&person.phone, "téléphone"),
    ]
    .into_iter()
    .filter(|(value, _)| value.as_deref().is_none_or(|v| v.trim().is_empty()))
    .map(|(_, name)| name)
    .collect()
}

fn group_name(code: &str, rules: &ValidationRules) -> String {
    rules
        .group_labels
        .get(code)
        .cloned()
        .unwrap_or_else(|| code.to_owned())
}

/// The sections the form prints, in order, as a coordinator names them.
const SECTIONS: [(SectionKind, &str); 9] = [
    (SectionKind::Organisation, "section 1"),
    (
        SectionKind::LegalRepresentative,
        "section 2 (représentant légal)",
    ),
    (SectionKind::ContactPoint, "section 2 (point de contact)"),
    (SectionKind::WorkingGroups, "section 3.1"),
    (SectionKind::Actions, "section 3.2"),
    (SectionKind::Ecosystem, "section 4"),
    (SectionKind::ExistingInitiatives, "section 5"),
    (SectionKind::LegalSignature, "section 6.1"),
    (SectionKind::DelegateSignatures, "section 6.2"),
];

/// On which page OCR saw each section's heading (`source.ocr.sections`).
struct Pages {
    found: BTreeMap<SectionKind, u64>,
}

impl Pages {
    fn of(record: &FormRecord) -> Pages {
        let seen = record
            .source
            .details
            .get("ocr")
            .and_then(|ocr| ocr.get("sections"))
            .and_then(Value::as_object);
        let found = SECTIONS
            .iter()
            .filter_map(|(kind, _)| {
                let page = seen?.get(kind.as_str())?.as_u64()?;
                Some((*kind, page))
            })
            .collect();
        Pages { found }
    }

    /// Doubts for the sections printed on every form that OCR did not find.
    fn missing_sections(&self) -> Vec<String> {
        SECTIONS
            .iter()
            .filter(|(kind, _)| !self.found.contains_key(kind))
            .map(|(kind, name)| format!("{name} introuvable{}", self.expected(*kind)))
            .collect()
    }

    /// "<section> : <what> introuvable (page N)".
    fn doubt(&self, section: SectionKind, what: &str) -> String {
        format!(
            "{} : {what} introuvable{}",
            name_of(section),
            self.where_(section)
        )
    }

    /// "<section> : <what> (page N)", for something read that cannot be trusted.
    fn doubt_read(&self, section: SectionKind, what: &str) -> String {
        format!("{} : {what}{}", name_of(section), self.where_(section))
    }

    fn where_(&self, section: SectionKind) -> String {
        match self.found.get(&section) {
            Some(page) => format!(" (page {page})"),
            None => self.expected(section),
        }
    }

    /// " (attendue page N)" from the pages of the sections found around it.
    fn expected(&self, section: SectionKind) -> String {
        let at = SECTIONS.iter().position(|(kind, _)| *kind == section);
        let Some(at) = at else {
            return String::new();
        };
        let before = SECTIONS
            .iter()
            .take(at)
            .rev()
            .find_map(|(kind, _)| self.found.get(kind));
        let after = SECTIONS
            .iter()
            .skip(at + 1)
            .find_map(|(kind, _)| self.found.get(kind));
        match (before, after) {
            (Some(a), Some(b)) if a == b => format!(" (attendue page {a})"),
            (Some(a), Some(b)) if a < b => format!(" (attendue pages {a} à {b})"),
            (Some(a), _) => format!(" (attendue page {a} ou après)"),
            (None, Some(b)) => format!(" (attendue page {b} ou avant)"),
            (None, None) => String::new(),
        }
    }
}

fn name_of(section: SectionKind) -> &'static str {
    SECTIONS
        .iter()
        .find(|(kind, _)| *kind == section)
        .map_or("formulaire", |(_, name)| name)
}
