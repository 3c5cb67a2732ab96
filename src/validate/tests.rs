//! Each problem code of the form, made to appear by changing one thing in a complete form.

use serde_json::{json, Value};

use super::*;
use crate::rules::Rules;

fn complete(name: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms/");
    let text = std::fs::read_to_string(format!("{path}{name}.expected.json")).expect("fixture");
    let mut value: Value = serde_json::from_str(&text).expect("json");
    value["source"] = json!({"kind": "text_pdf"});
    value["problems"] = json!([]);
    value
}

/// The problems of `value`, without the `signature.typed_only` warning every typed
/// signature carries (tested on its own below).
fn problems(value: Value) -> Vec<&'static str> {
    let record: FormRecord = serde_json::from_value(value).expect("a record");
    let rules = Rules::embedded().expect("rules");
    check(&record, &rules.validation)
        .into_iter()
        .filter(|problem| *problem != Problem::SignatureTypedOnly)
        .map(Problem::as_str)
        .collect()
}

#[test]
fn a_typed_signature_is_a_warning_not_a_missing_signature() {
    let record: FormRecord =
        serde_json::from_value(complete("a-hospital-complete")).expect("a record");
    let rules = Rules::embedded().expect("rules");
    let found = check(&record, &rules.validation);
    assert_eq!(found, vec![Problem::SignatureTypedOnly]);
    assert_eq!(found[0].severity(), crate::problem::Severity::Warning);
}

#[test]
fn the_complete_sample_forms_are_duly_completed() {
    for name in [
        "a-hospital-complete",
        "c-ecosystem-complete",
        "o-acroform-filled",
    ] {
        assert_eq!(problems(complete(name)), Vec::<&str>::new(), "{name}");
    }
}

#[test]
fn each_missing_field_of_sections_1_and_2_has_its_code() {
    let cases = [
        ("/organisation/name", "organisation.name_missing"),
        ("/organisation/address", "organisation.address_missing"),
        ("/organisation/category", "organisation.type_missing"),
        (
            "/legal_representative/last_name",
            "legal_representative.last_name_missing",
        ),
        (
            "/legal_representative/first_name",
            "legal_representative.first_name_missing",
        ),
        (
            "/legal_representative/function",
            "legal_representative.function_missing",
        ),
        (
            "/legal_representative/email",
            "legal_representative.email_missing",
        ),
        (
            "/legal_representative/phone",
            "legal_representative.phone_missing",
        ),
        (
            "/signatures/legal_representative/date",
            "signature.date_missing",
        ),
    ];
    for (pointer, code) in cases {
        let mut form = complete("a-hospital-complete");
        *form.pointer_mut(pointer).expect(pointer) = Value::Null;
        assert!(problems(form).contains(&code), "{pointer} → {code}");
    }
}

#[test]
fn an_invalid_email_address_is_reported_as_such() {
    let mut form = complete("a-hospital-complete");
    form["legal_representative"]["email"] = json!("ma.lejeune(at)chbs.example");
    assert_eq!(problems(form), vec!["legal_representative.email_invalid"]);
}

/// art. 4.2: the contact point is optional; left empty, the representative is the contact.
#[test]
fn an_empty_contact_point_is_not_a_problem() {
    let mut form = complete("a-hospital-complete");
    form["contact_point"] = Value::Null;
    assert!(problems(form).is_empty());
}

#[test]
fn an_unsigned_form_and_a_signature_by_someone_else_are_told_apart() {
    let mut unsigned = complete("a-hospital-complete");
    unsigned["signatures"]["legal_representative"]["signed"] = json!(false);
    assert_eq!(problems(unsigned), vec!["signature.missing"]);

    let mut other = complete("a-hospital-complete");
    other["signatures"]["legal_representative"]["last_name"] = json!("Fontaine");
    assert_eq!(
        problems(other),
        vec!["signature.signer_not_legal_representative"]
    );
}

#[test]
fn multiple_types_ticked_is_kept_and_not_reported_as_missing() {
    let mut form = complete("a-hospital-complete");
    form["organisation"]["category"] = Value::Null;
    form["problems"] = json!(["organisation.type_multiple"]);
    assert_eq!(problems(form), vec!["organisation.type_multiple"]);
}

#[test]
fn a_final_beneficiary_must_choose_a_group_with_a_delegate_and_actions() {
    let mut none = complete("a-hospital-complete");
    none["working_groups"] = json!([]);
    none["signatures"]["delegates"] = json!([]);
    assert_eq!(problems(none), vec!["working_group.none_selected"]);

    let mut no_delegate = complete("a-hospital-complete");
    no_delegate["working_groups"][0]["delegate"]["email"] = Value::Null;
    assert_eq!(
        problems(no_delegate),
        vec!["working_group.delegate_missing"]
    );

    let mut unsigned_delegate = complete("a-hospital-complete");
    unsigned_delegate["signatures"]["delegates"][1]["signed"] = json!(false);
    assert_eq!(
        problems(unsigned_delegate),
        vec!["working_group.delegate_missing"]
    );

    let mut one_action = complete("a-hospital-complete");
    one_action["working_groups"][1]["actions"] = json!(["Une seule action."]);
    assert_eq!(problems(one_action), vec!["working_group.actions_missing"]);

    let mut no_option = complete("a-hospital-complete");
    no_option["working_groups"][0]["actions_option"] = Value::Null;
    assert_eq!(problems(no_option), vec!["working_group.actions_missing"]);

    let mut option_2 = complete("a-hospital-complete");
    option_2["working_groups"][0]["actions_option"] = json!(2);
    option_2["working_groups"][0]["actions"] = json!([]);
    assert!(
        problems(option_2).is_empty(),
        "option 2: actions come later"
    );
}

/// Annex 1: Décarbonation for hospitals, Sensibilisation aînés for homes for the elderly.
#[test]
fn reserved_groups_ticked_by_the_wrong_category_are_ineligible() {
    let mut home = complete("a-hospital-complete");
    home["organisation"]["category"] = json!("elderly_care");
    assert_eq!(
        problems(home),
        vec!["working_group.decarbonisation_reserved_to_hospitals"]
    );
    assert_eq!(
        Problem::WorkingGroupDecarbonisationReservedToHospitals.severity(),
        crate::problem::Severity::Ineligible
    );

    let mut hospital = complete("a-hospital-complete");
    hospital["working_groups"][1]["code"] = json!("elderly_awareness");
    hospital["signatures"]["delegates"][1]["code"] = json!("elderly_awareness");
    assert_eq!(
        problems(hospital),
        vec!["working_group.elderly_awareness_reserved_to_elderly_care"]
    );
}

/// art. 4ter.2: ecosystem actors take part on invitation; a tick is a warning only.
#[test]
fn an_ecosystem_actor_ticking_a_group_gets_a_warning() {
    let mut form = complete("c-ecosystem-complete");
    let hospital = complete("a-hospital-complete");
    form["working_groups"] = json!([hospital["working_groups"][1].clone()]);
    assert_eq!(problems(form), vec!["working_group.not_for_ecosystem"]);
}

// ── Readings made by OCR (issue 17) ──────────────────────────────────────────────────

/// The complete hospital form as OCR reads it: every section seen on its page.
fn scanned(name: &str) -> Value {
    let mut value = complete(name);
    value["source"] = json!({"kind": "ocr", "ocr": {
        "available": true,
        "mean_confidence": 93.0,
        "sections": {
            "organisation": 1, "legal_representative": 1, "contact_point": 1,
            "working_groups": 2, "actions": 2, "ecosystem": 4,
            "existing_initiatives": 4, "legal_signature": 5, "delegate_signatures": 5,
        },
    }});
    value
}

fn examined(value: Value) -> (Vec<String>, Vec<String>) {
    let record: FormRecord = serde_json::from_value(value).expect("a record");
    let rules = Rules::embedded().expect("rules");
    let record = examine(record, &rules.validation);
    let doubts = record.source.details["ocr"]
        .get("doubts")
        .and_then(|d| serde_json::from_value(d.clone()).ok())
        .unwrap_or_default();
    let problems = record
        .problems
        .into_iter()
        .filter(|code| code != "signature.typed_only")
        .collect();
    (problems, doubts)
}

/// GIVEN an OCR reading of a complete form WHEN it is examined THEN it is duly
/// completed, like its text PDF: a sure reading is not held.
#[test]
fn a_complete_ocr_reading_is_duly_completed() {
    assert_eq!(
        examined(scanned("a-hospital-complete")),
        (Vec::new(), Vec::new())
    );
}

/// Issue 17, situation 4: what OCR did not find is a doubt naming the item and its page,
/// the form is held with `pdf.no_text_layer`, and no "missing" code is left to tell the
/// member something false.
#[test]
fn in_an_ocr_reading_what_was_not_found_is_a_doubt_not_an_absence() {
    let mut form = scanned("a-hospital-complete");
    form["signatures"]["legal_representative"]["signed"] = json!(false);
    form["signatures"]["legal_representative"]["date"] = Value::Null;
    form["signatures"]["delegates"] = json!([]);
    form["legal_representative"]["email"] = Value::Null;
    form["working_groups"][1]["actions"] = json!([]);
    let (problems, doubts) = examined(form);
    assert_eq!(problems, vec!["pdf.no_text_layer"]);
    for expected in [
        "section 6.1 : signature du représentant légal introuvable (page 5)",
        "section 6.1 : date de la signature du représentant légal introuvable (page 5)",
        "section 6.2 : bloc du délégué du GT Décarbonation introuvable (page 5)",
        "section 6.2 : bloc du délégué du GT Infrastructures durables introuvable (page 5)",
        "section 2 (représentant légal) : e-mail du représentant légal introuvable (page 1)",
        "section 3.2 : option cochée ou actions du GT Infrastructures durables introuvables (page 2)",
    ] {
        assert!(doubts.contains(&expected.to_owned()), "{expected}: {doubts:?}");
    }
    // The same rule whoever calls the validator (the workflow, re-judging a group).
    let mut again = scanned("a-hospital-complete");
    again["signatures"]["legal_representative"]["signed"] = json!(false);
    let record: FormRecord = serde_json::from_value(again).expect("a record");
    let rules = Rules::embedded().expect("rules");
    assert_eq!(
        check(&record, &rules.validation),
        vec![Problem::PdfNoTextLayer]
    );
}

/// A whole section OCR did not find is a doubt, however confident the words it read.
#[test]
fn a_section_ocr_did_not_find_is_a_doubt_whatever_the_confidence() {
    let mut form = scanned("a-hospital-complete");
    let sections = form["source"]["ocr"]["sections"]
        .as_object_mut()
        .expect("sections");
    sections.remove("delegate_signatures");
    let (problems, doubts) = examined(form);
    assert_eq!(problems, vec!["pdf.no_text_layer"]);
    assert_eq!(
        doubts,
        vec!["section 6.2 introuvable (attendue page 5 ou après)"]
    );
}

/// Read facts stay what they are: a reserved group ticked by the wrong category is
/// ineligible (both boxes were decided from their pixels); a scan OCR could not read at
/// all keeps its reason and nothing is added.
#[test]
fn an_ocr_reading_keeps_what_it_read_and_an_unread_scan_is_left_alone() {
    let mut home = scanned("a-hospital-complete");
    home["organisation"]["category"] = json!("elderly_care");
    assert_eq!(
        examined(home).0,
        vec!["working_group.decarbonisation_reserved_to_hospitals"]
    );
    let mut unread = scanned("a-hospital-complete");
    unread["source"]["ocr"] = json!({"available": false, "reason": "tesseract absent"});
    unread["problems"] = json!(["pdf.no_text_layer"]);
    unread["signatures"]["legal_representative"]["signed"] = json!(false);
    assert_eq!(
        examined(unread),
        (vec!["pdf.no_text_layer".to_owned()], Vec::new())
    );
}
