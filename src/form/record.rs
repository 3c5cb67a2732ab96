//! The membership form as a structured record: what `mailroom extract --format json`
//! prints and what `validate/` judges.
//!
//! The JSON shape is a stable contract (issue \[forms\]): every key is always present,
//! `null` where the form is empty. A record says what the form *says*; whether that is
//! enough ("dûment complété", art. 6.2) is `validate/`'s business. `problems` only holds
//! what got in the way of reading ([`Problem`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::problem::Problem;

/// Everything read from one membership form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRecord {
    /// Form 1: the organisation.
    pub organisation: Organisation,
    /// Form 2: the legal representative.
    pub legal_representative: Person,
    /// Form 2: the contact point, `None` when its block is empty (then the legal
    /// representative is the contact, art. 4.2).
    pub contact_point: Option<Person>,
    /// Form 3: one entry per working group chosen, in the form's order.
    pub working_groups: Vec<WorkingGroupChoice>,
    /// Form 4: the ecosystem actor's commitments, `None` when section 4 is empty (final
    /// beneficiaries).
    pub ecosystem: Option<Ecosystem>,
    /// Form 5: existing initiatives.
    pub existing_initiatives: Option<String>,
    /// Form 6: signature blocks.
    pub signatures: Signatures,
    /// Which reader produced the record, and from what.
    pub source: Source,
    /// Stable codes of what got in the way of reading (see [`Problem`]).
    pub problems: Vec<String>,
}

impl FormRecord {
    /// The record of a form that could not be read: every value null, every list empty.
    /// The caller still prints it, with its problem codes.
    pub fn empty(kind: SourceKind) -> FormRecord {
        FormRecord {
            organisation: Organisation::default(),
            legal_representative: Person::default(),
            contact_point: None,
            working_groups: Vec::new(),
            ecosystem: None,
            existing_initiatives: None,
            signatures: Signatures::default(),
            source: Source::new(kind),
            problems: Vec::new(),
        }
    }

    /// Adds a reading problem once.
    pub fn add_problem(&mut self, problem: Problem) {
        let code = problem.as_str();
        if !self.problems.iter().any(|known| known == code) {
            self.problems.push(code.to_owned());
        }
    }
}

/// Form 1: the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// "Dénomination officielle".
    pub name: Option<String>,
    /// The one ticked category; `None` when none or several are ticked.
    pub category: Option<Category>,
    /// "Précisez", under "Autre acteur de l’écosystème de santé".
    pub category_detail: Option<String>,
    /// "Adresse du siège social".
    pub address: Option<String>,
}

/// Form 1: the organisation's category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// "Hôpital (bénéficiaire final)".
    Hospital,
    /// "Établissement pour aînés (bénéficiaire final)".
    ElderlyCare,
    /// "Autre acteur de l’écosystème de santé".
    Ecosystem,
}

impl Category {
    /// Every category, in the form's order.
    pub const ALL: [Category; 3] = [
        Category::Hospital,
        Category::ElderlyCare,
        Category::Ecosystem,
    ];

    /// The stable code (`hospital`…), as in the JSON and `form.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Hospital => "hospital",
            Category::ElderlyCare => "elderly_care",
            Category::Ecosystem => "ecosystem",
        }
    }

    /// The category of a stable code.
    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// A person named on the form; every field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// "Nom".
    pub last_name: Option<String>,
    /// "Prénom".
    pub first_name: Option<String>,
    /// "Fonction".
    pub function: Option<String>,
    /// "Email".
    pub email: Option<String>,
    /// "Téléphone".
    pub phone: Option<String>,
}

impl Person {
    /// Whether nothing at all was filled in.
    pub fn is_empty(&self) -> bool {
        self.last_name.is_none()
            && self.first_name.is_none()
            && self.function.is_none()
            && self.email.is_none()
            && self.phone.is_none()
    }
}

/// Form 3 (annex 1): a working group ("GT").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkingGroupCode {
    /// "Décarbonation" (reserved to hospitals).
    Decarbonisation,
    /// "Achats durables".
    Procurement,
    /// "Résilience aux effets du dérèglement climatique".
    Resilience,
    /// "Sensibilisation des établissements pour aînés" (reserved to homes for the elderly).
    ElderlyAwareness,
    /// "Infrastructures durables".
    Infrastructure,
}

impl WorkingGroupCode {
    /// Every group, in the form's order.
    pub const ALL: [WorkingGroupCode; 5] = [
        WorkingGroupCode::Decarbonisation,
        WorkingGroupCode::Procurement,
        WorkingGroupCode::Resilience,
        WorkingGroupCode::ElderlyAwareness,
        WorkingGroupCode::Infrastructure,
    ];

    /// The stable code (`decarbonisation`…), as in the JSON and `form.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkingGroupCode::Decarbonisation => "decarbonisation",
            WorkingGroupCode::Procurement => "procurement",
            WorkingGroupCode::Resilience => "resilience",
            WorkingGroupCode::ElderlyAwareness => "elderly_awareness",
            WorkingGroupCode::Infrastructure => "infrastructure",
        }
    }

    /// The group of a stable code.
    pub fn from_code(code: &str) -> Option<WorkingGroupCode> {
        WorkingGroupCode::ALL
            .into_iter()
            .find(|c| c.as_str() == code)
    }
}

/// Form 3.1 and 3.2 for one working group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingGroupChoice {
    /// The group.
    pub code: WorkingGroupCode,
    /// Form 3.1: its delegate (names from 6.2 when 3.1 prints none).
    pub delegate: Person,
    /// Form 3.2: the ticked option, 1 (two actions) or 2 (not yet defined); `None` when
    /// neither or both are ticked.
    pub actions_option: Option<u8>,
    /// Form 3.2: the actions written, in order (empty ones left out).
    pub actions: Vec<String>,
}

/// Form 4: an ecosystem actor's commitments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ecosystem {
    /// 4.1: contributions to the learning network.
    pub contribution: Option<String>,
    /// 4.2: expertise offered.
    pub expertise: Option<String>,
    /// 4.3: the box "Nous souhaitons mettre en œuvre une action…" is ticked.
    pub internal_action: bool,
    /// 4.3: "Description (si applicable)".
    pub internal_action_description: Option<String>,
}

/// Form 6: the signature blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatures {
    /// 6.1: the legal representative.
    pub legal_representative: Signature,
    /// 6.2: one entry per working group a signing delegate is named for.
    pub delegates: Vec<DelegateSignature>,
}

/// Form 6.1: one signature block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// "Nom".
    pub last_name: Option<String>,
    /// "Prénom".
    pub first_name: Option<String>,
    /// "Fonction".
    pub function: Option<String>,
    /// "Date", as `YYYY-MM-DD`; `None` when empty or unreadable.
    pub date: Option<String>,
    /// The signature line holds something: a typed name, an image or strokes.
    pub signed: bool,
    /// How it was signed, when it was (not part of the JSON record: the readers set it
    /// and validation turns a typed-only signature into a warning).
    #[serde(skip)]
    pub signed_with: Option<SignedWith>,
}

/// What a signature line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedWith {
    /// Only a typed name.
    Typed,
    /// An image or strokes drawn by hand (with or without a typed name).
    Drawn,
    /// A digital signature of the PDF (eID, certificate).
    Digital,
}

/// Form 6.2: a delegate's signature block, for one of the groups it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegateSignature {
    /// "GT identifié".
    pub code: WorkingGroupCode,
    /// "Nom".
    pub last_name: Option<String>,
    /// "Prénom".
    pub first_name: Option<String>,
    /// "Fonction".
    pub function: Option<String>,
    /// "Date", as `YYYY-MM-DD`; `None` when empty or unreadable.
    pub date: Option<String>,
    /// The signature line holds something (for now: a typed name).
    pub signed: bool,
}

/// Which reader produced a record, and what it read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The reader.
    pub kind: SourceKind,
    /// Facts about the input, flattened into the JSON object (`pages`, `fields`…).
    #[serde(flatten)]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl Source {
    /// A source with no details yet.
    pub fn new(kind: SourceKind) -> Source {
        Source {
            kind,
            details: BTreeMap::new(),
        }
    }
}

/// How the form was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The text layer of a PDF, by labels.
    TextPdf,
    /// The fields of a fillable PDF.
    Acroform,
    /// Text recognised on page images.
    Ocr,
    /// The Word document itself.
    Docx,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::form::{CATEGORY_CODES, WORKING_GROUP_CODES};

    #[test]
    fn an_empty_record_prints_every_key_with_null_values() {
        let json = serde_json::to_value(FormRecord::empty(SourceKind::Ocr)).expect("json");
        let expected = serde_json::json!({
            "organisation": {"name": null, "category": null, "category_detail": null, "address": null},
            "legal_representative": {"last_name": null, "first_name": null, "function": null, "email": null, "phone": null},
            "contact_point": null,
            "working_groups": [],
            "ecosystem": null,
            "existing_initiatives": null,
            "signatures": {
                "legal_representative": {"last_name": null, "first_name": null, "function": null, "date": null, "signed": false},
                "delegates": []
            },
            "source": {"kind": "ocr"},
            "problems": []
        });
        assert_eq!(json, expected);
    }

    #[test]
    fn source_details_are_flattened_and_a_record_round_trips() {
        let mut record = FormRecord::empty(SourceKind::TextPdf);
        record.source.details.insert("pages".to_owned(), 6.into());
        record.organisation.category = Some(Category::ElderlyCare);
        record.working_groups.push(WorkingGroupChoice {
            code: WorkingGroupCode::ElderlyAwareness,
            delegate: Person::default(),
            actions_option: Some(2),
            actions: Vec::new(),
        });
        record.add_problem(Problem::FormDateUnreadable);
        record.add_problem(Problem::FormDateUnreadable);
        let json = serde_json::to_value(&record).expect("json");
        assert_eq!(
            json["source"],
            serde_json::json!({"kind": "text_pdf", "pages": 6})
        );
        assert_eq!(json["organisation"]["category"], "elderly_care");
        assert_eq!(json["working_groups"][0]["code"], "elderly_awareness");
        assert_eq!(json["working_groups"][0]["actions_option"], 2);
        assert_eq!(
            json["problems"],
            serde_json::json!(["form.date_unreadable"])
        );
        let back: FormRecord = serde_json::from_value(json).expect("parse back");
        assert_eq!(back, record);
    }

    #[test]
    fn the_codes_of_the_rules_are_the_codes_of_the_record() {
        let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(categories, CATEGORY_CODES);
        let groups: Vec<&str> = WorkingGroupCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(groups, WORKING_GROUP_CODES);
        for code in WORKING_GROUP_CODES {
            let parsed: WorkingGroupCode =
                serde_json::from_value(serde_json::Value::from(code)).expect("serde name");
            assert_eq!(Some(parsed), WorkingGroupCode::from_code(code));
        }
    }

    #[test]
    fn the_type_multiple_code_is_the_validators_code() {
        assert_eq!(
            Problem::OrganisationTypeMultiple.as_str(),
            crate::problem::Problem::OrganisationTypeMultiple.as_str()
        );
    }
}
