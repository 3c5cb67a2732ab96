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
