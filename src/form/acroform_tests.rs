//! Tests of the AcroForm reader: the fillable fixture, and hand-built documents with
//! nested names, widgets, radio groups, cycles and deep nesting.

use lopdf::{dictionary, Document, Object, ObjectId};

use super::*;
use crate::form::record::{Category, WorkingGroupCode};

fn rules() -> FormRules {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/aset-w/form.toml");
    let text = std::fs::read_to_string(path).expect("rules/aset-w/form.toml");
    FormRules::from_toml(&text).expect("form.toml parses")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/forms/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn load(name: &str) -> Document {
    Document::load_mem(&fixture(name)).expect("fixture loads")
}

fn target(text: &str) -> AcroTarget {
    AcroTarget::try_from(text.to_owned()).expect("target")
}

#[test]
fn the_fillable_fixture_reads_exactly_as_expected() {
    let record = read_acroform(&load("o-acroform-filled.pdf"), &rules()).expect("has fields");
    let mut json = serde_json::to_value(&record).expect("json");
    if let Some(object) = json.as_object_mut() {
        object.remove("source");
        object.remove("problems");
    }
    let expected: serde_json::Value =
        serde_json::from_slice(&fixture("o-acroform-filled.expected.json")).expect("expected json");
    assert_eq!(
        serde_json::to_string_pretty(&json).expect("pretty"),
        serde_json::to_string_pretty(&expected).expect("pretty")
    );
    assert_eq!(record.problems, Vec::<String>::new());
    assert_eq!(record.source.kind, SourceKind::Acroform);
    assert_eq!(record.source.details.get("fields"), Some(&82.into()));
    assert_eq!(record.source.details.get("fields_mapped"), Some(&82.into()));
    assert_eq!(record.source.details.get("fields_filled"), Some(&51.into()));
}

#[test]
fn every_field_of_the_fillable_form_is_named_in_the_rules() {
    let walk = walk_fields(&load("o-acroform-filled.pdf"));
    let rules = rules();
    let unnamed: Vec<&str> = walk
        .fields
        .iter()
        .map(|field| field.name.as_str())
        .filter(|name| !rules.acroform.fields.contains_key(*name))
        .collect();
    assert_eq!(unnamed, Vec::<&str>::new());
    assert_eq!(walk.fields.len(), rules.acroform.fields.len());
    assert!(!walk.truncated);
}

#[test]
fn a_pdf_without_form_fields_gives_none() {
    assert_eq!(
        read_acroform(&load("a-hospital-complete.pdf"), &rules()),
        None
    );
    assert_eq!(
        read_acroform(&Document::with_version("1.7"), &rules()),
        None
    );
}

/// GIVEN the fillable form with every field emptied (as `blank_fillable_form.pdf` is)
/// WHEN it is read THEN the record is the empty record, with no problem.
#[test]
fn the_emptied_fillable_form_gives_an_empty_record() {
    let mut document = load("o-acroform-filled.pdf");
    clear_values(&mut document);
    let record = read_acroform(&document, &rules()).expect("has fields");
    let mut empty = FormRecord::empty(SourceKind::Acroform);
    empty.source = record.source.clone();
    assert_eq!(record, empty);
    assert_eq!(record.source.details.get("fields_filled"), Some(&0.into()));
}

fn clear_values(document: &mut Document) {
    for object in document.objects.values_mut() {
        if let Ok(dict) = object.as_dict_mut() {
            if dict.has(b"T") {
                match dict.get(b"FT").ok().and_then(|ft| ft.as_name().ok()) {
                    Some(b"Btn") => {
                        dict.set("V", Object::Name(b"Off".to_vec()));
                        dict.set("AS", Object::Name(b"Off".to_vec()));
                    }
                    _ => dict.set("V", Object::string_literal("")),
                }
            }
        }
    }
}

/// A document whose AcroForm holds `fields` (object ids of the top-level fields).
fn document_with(build: impl FnOnce(&mut Document) -> Vec<ObjectId>) -> Document {
    let mut document = Document::with_version("1.7");
    let fields = build(&mut document);
    let fields: Vec<Object> = fields.into_iter().map(Object::Reference).collect();
    let acroform = document.add_object(dictionary! { "Fields" => fields });
    let catalog = document.add_object(dictionary! { "Type" => "Catalog", "AcroForm" => acroform });
    document.trailer.set("Root", catalog);
    document
}

/// A PDF text string in UTF-16BE with its byte-order mark.
fn text(value: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in value.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, lopdf::StringFormat::Hexadecimal)
}

#[test]
fn nested_names_inherited_types_widgets_and_radio_groups_are_read() {
    let document = document_with(|doc| {
        // identite.denomination: a text field under a parent that carries /FT.
        let name = doc.add_object(
            dictionary! { "T" => text("denomination"), "V" => text("Clinique Saint-Luc — Bouge") },
        );
        let identity = doc.add_object(
            dictionary! { "T" => text("identite"), "FT" => "Tx", "Kids" => vec![name.into()] },
        );
        // A checkbox without /V whose widget kid shows the ticked state.
        let widget = doc.add_object(dictionary! { "Subtype" => "Widget", "AS" => "Oui" });
        let tick = doc.add_object(dictionary! { "T" => text("gt_resilience"), "FT" => "Btn", "Kids" => vec![widget.into()] });
        // A radio group: the parent holds /V, the buttons are widgets.
        let on = doc.add_object(dictionary! { "Subtype" => "Widget", "AS" => "hospital" });
        let off = doc.add_object(dictionary! { "Subtype" => "Widget", "AS" => "Off" });
        let radio = doc.add_object(dictionary! {
            "T" => text("type"), "FT" => "Btn", "Ff" => 49152, "V" => "hospital",
            "Kids" => vec![on.into(), off.into()],
        });
        let date = doc.add_object(
            dictionary! { "T" => text("sig_rep_date"), "FT" => "Tx", "V" => text("14 avril 2026") },
        );
        vec![identity, tick, radio, date]
    });
    let mut rules = rules();
    let fields = &mut rules.acroform.fields;
    fields.insert(
        "identite.denomination".to_owned(),
        target("organisation.organisation_name"),
    );
    fields.insert("type".to_owned(), target("organisation.choice"));
    assert_eq!(rules.check(), Vec::<String>::new());
    let record = read_acroform(&document, &rules).expect("fields");
    assert_eq!(
        record.organisation.name.as_deref(),
        Some("Clinique Saint-Luc — Bouge")
    );
    assert_eq!(record.organisation.category, Some(Category::Hospital));
    assert_eq!(
        record
            .working_groups
            .iter()
            .map(|g| g.code)
            .collect::<Vec<_>>(),
        [WorkingGroupCode::Resilience]
    );
    assert_eq!(
        record.signatures.legal_representative.date.as_deref(),
        Some("2026-04-14")
    );
    assert_eq!(record.problems, Vec::<String>::new());
}

#[test]
fn xfa_style_indexed_names_fall_back_to_their_last_part() {
    let document = document_with(|doc| {
        let name = doc.add_object(
            dictionary! { "T" => text("denomination[0]"), "FT" => "Tx", "V" => text("Clinique") },
        );
        let page =
            doc.add_object(dictionary! { "T" => text("Page1[0]"), "Kids" => vec![name.into()] });
        let form =
            doc.add_object(dictionary! { "T" => text("form1[0]"), "Kids" => vec![page.into()] });
        vec![form]
    });
    let record = read_acroform(&document, &rules()).expect("fields");
    assert_eq!(record.organisation.name.as_deref(), Some("Clinique"));
}

#[test]
fn reference_cycles_odd_types_and_deep_nesting_end_without_panic() {
    // A field that lists itself and its parent among its kids, a dangling reference, a
    // non-dictionary, and one ordinary field.
    let document = document_with(|doc| {
        let parent = doc.new_object_id();
        let child = doc.new_object_id();
        doc.objects.insert(
            child,
            Object::Dictionary(dictionary! {
                "T" => text("loop"), "V" => Object::Integer(42),
                "Kids" => vec![Object::Reference(child), Object::Reference(parent), Object::Null, Object::Integer(3)],
            }),
        );
        doc.objects.insert(
            parent,
            Object::Dictionary(dictionary! { "T" => text("x"), "Kids" => vec![Object::Reference(child), Object::Reference(child)] }),
        );
        let dangling = (9_999, 0);
        let odd = doc.add_object(Object::Array(vec![Object::Null]));
        let number = doc.add_object(dictionary! { "T" => text("adresse_siege"), "FT" => "Tx", "V" => Object::Integer(5000) });
        let name = doc.add_object(
            dictionary! { "T" => text("denomination"), "FT" => "Tx", "V" => text("Clinique") },
        );
        vec![parent, dangling, odd, parent, number, name]
    });
    let record = read_acroform(&document, &rules()).expect("fields");
    assert_eq!(record.organisation.name.as_deref(), Some("Clinique"));
    assert_eq!(record.organisation.address.as_deref(), Some("5000"));

    let deep = document_with(|doc| {
        let mut id = doc.add_object(
            dictionary! { "T" => text("denomination"), "FT" => "Tx", "V" => text("profond") },
        );
        for depth in 0..100 {
            id = doc.add_object(
                dictionary! { "T" => text(&format!("n{depth}")), "Kids" => vec![id.into()] },
            );
        }
        vec![id]
    });
    // The walk stops at the depth limit: nothing read, the truncation reported.
    let record = read_acroform(&deep, &rules());
    assert_eq!(record, None, "no field within the depth limit");
    assert!(walk_fields(&deep).truncated);

    let wide = document_with(|doc| {
        (0..MAX_FIELDS + 10)
            .map(|i| {
                doc.add_object(
                    dictionary! { "T" => text(&format!("f{i}")), "FT" => "Tx", "V" => text("x") },
                )
            })
            .collect()
    });
    let record = read_acroform(&wide, &rules()).expect("fields");
    assert!(record
        .problems
        .contains(&"form.acroform_truncated".to_owned()));
    assert_eq!(
        record.source.details.get("fields"),
        Some(&MAX_FIELDS.into())
    );
}

#[test]
fn box_states_other_than_off_count_as_ticked() {
    assert!(FieldValue::Name("Oui".to_owned()).is_ticked());
    assert!(FieldValue::Name("Yes".to_owned()).is_ticked());
    assert!(!FieldValue::Name("Off".to_owned()).is_ticked());
    assert!(!FieldValue::Text(String::new()).is_ticked());
    assert!(!FieldValue::Empty.is_ticked());
}
