//! `mailroom extract` over the sample forms and what members really send (issue [forms]).

use std::path::Path;

use serde_json::Value;

use crate::support::{mailroom, repo, stderr};

fn extract(file: &Path) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = mailroom(dir.path(), &["extract", file.to_str().expect("path")]);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    (output.status.code(), json)
}

fn form(name: &str) -> std::path::PathBuf {
    repo().join("tests/fixtures/forms").join(name)
}

fn codes(record: &Value) -> Vec<String> {
    serde_json::from_value(record["problems"].clone()).expect("problems")
}

#[test]
fn each_sample_form_is_read_exactly_and_is_duly_completed() {
    for (name, kind) in [
        ("a-hospital-complete", "text_pdf"),
        ("c-ecosystem-complete", "text_pdf"),
        ("o-acroform-filled", "acroform"),
    ] {
        let (status, mut record) = extract(&form(&format!("{name}.pdf")));
        assert_eq!(status, Some(0), "{name}");
        assert_eq!(record["source"]["kind"], kind, "{name}");
        // A typed name in 6.1 is a signature, with the warning coordinators see.
        assert_eq!(codes(&record), vec!["signature.typed_only"], "{name}");
        let object = record.as_object_mut().expect("object");
        object.remove("source");
        object.remove("problems");
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(form(&format!("{name}.expected.json"))).expect("expected"),
        )
        .expect("json");
        assert_eq!(record, expected, "{name}");
    }
}

/// The Word form exported by LibreOffice Writer 7.4 on this machine
/// (tests/fixtures/forms/libreoffice.py): read exactly as the shared sample, also when the
/// export restricts permissions (an owner password, an empty user password); edits made
/// in Word are read as such.
#[test]
fn forms_exported_by_libreoffice_are_read_like_the_sample() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(form("a-hospital-complete.expected.json")).expect("expected"),
    )
    .expect("json");
    for name in ["lo-hospital-complete.pdf", "lo-hospital-owner-password.pdf"] {
        let (status, mut record) = extract(&form(name));
        assert_eq!(status, Some(0), "{name}");
        assert_eq!(record["source"]["kind"], "text_pdf", "{name}");
        assert_eq!(codes(&record), vec!["signature.typed_only"], "{name}");
        let object = record.as_object_mut().expect("object");
        object.remove("source");
        object.remove("problems");
        assert_eq!(record, expected, "{name}");
    }
    let (_, no_phone) = extract(&form("lo-hospital-no-phone.pdf"));
    assert_eq!(
        codes(&no_phone),
        vec!["legal_representative.phone_missing", "signature.typed_only"]
    );
    let (_, reserved) = extract(&form("lo-elderly-reserved-group.pdf"));
    assert_eq!(
        reserved["organisation"]["name"],
        "Résidence Fictive Les Hêtres"
    );
    assert_eq!(reserved["organisation"]["category"], "elderly_care");
    assert!(
        codes(&reserved)
            .contains(&"working_group.decarbonisation_reserved_to_hospitals".to_owned()),
        "{:?}",
        codes(&reserved)
    );
}

/// Form 6.1 signed with a picture (Word's Insert > Picture) or drawn in a PDF reader: a
/// signature, and not a typed-only one. The same line left empty is no signature.
#[test]
fn a_signature_image_or_drawn_strokes_sign_the_form_and_an_empty_line_does_not() {
    for name in ["signed-with-image.pdf", "signed-with-ink.pdf"] {
        let (status, record) = extract(&form(name));
        assert_eq!(status, Some(0), "{name}");
        let signature = &record["signatures"]["legal_representative"];
        assert_eq!(signature["signed"], true, "{name}");
        assert_eq!(signature["last_name"], "Lejeune", "{name}");
        assert_eq!(codes(&record), Vec::<String>::new(), "{name}");
    }
    let (status, record) = extract(&form("unsigned.pdf"));
    assert_eq!(status, Some(0));
    assert_eq!(
        record["signatures"]["legal_representative"]["signed"],
        false
    );
    assert_eq!(codes(&record), vec!["signature.missing"]);
}

/// The filled Word form instead of the signed PDF: read all the same (exit 0, the same
/// record as its PDF export), with `attachment.not_pdf` so that a coordinator decides.
#[test]
fn a_word_form_is_read_like_its_pdf_and_says_it_is_not_the_signed_pdf() {
    let (status, mut record) = extract(&form("a-hospital-complete.docx"));
    assert_eq!(status, Some(0));
    assert_eq!(record["source"]["kind"], "docx");
    let problems = codes(&record);
    assert!(
        problems.contains(&"attachment.not_pdf".to_owned()),
        "{problems:?}"
    );
    let object = record.as_object_mut().expect("object");
    object.remove("source");
    object.remove("problems");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(form("a-hospital-complete.expected.json")).expect("expected"),
    )
    .expect("json");
    assert_eq!(record, expected);
}

/// A form signed digitally (a Belgian eID-like certificate, made by pyHanko): signed,
/// with who and when in `source`; changed after signing: held for a coordinator.
#[test]
fn a_digital_signature_signs_the_form_and_a_change_after_signing_is_reported() {
    let (status, record) = extract(&form("signed-digitally.pdf"));
    assert_eq!(status, Some(0));
    assert_eq!(record["signatures"]["legal_representative"]["signed"], true);
    assert_eq!(
        codes(&record),
        Vec::<String>::new(),
        "not a typed-only signature"
    );
    let digital = &record["source"]["digital_signatures"][0];
    assert_eq!(digital["signer"], "Marc-Antoine Lejeune (Signature)");
    assert_eq!(digital["signed_at"], "2026-04-14T08:15:00Z");
    assert_eq!(digital["intact"], true);

    let (status, record) = extract(&form("signed-digitally-then-modified.pdf"));
    assert_eq!(status, Some(0));
    assert_eq!(codes(&record), vec!["signature.digital_not_intact"]);
    assert_eq!(record["source"]["digital_signatures"][0]["intact"], false);
}

/// Exporters often encrypt with an empty user password: that must read like the original.
#[test]
fn a_pdf_encrypted_with_an_empty_password_is_read_like_the_original() {
    let (status, record) = extract(&form("encrypted-empty-password.pdf"));
    assert_eq!(status, Some(0));
    assert_eq!(
        record["organisation"]["name"],
        "Centre Hospitalier de la Basse-Sambre"
    );
}

#[test]
fn unreadable_files_print_the_null_record_with_their_problem_and_exit_2() {
    for (name, code) in [
        ("encrypted-user-password.pdf", "pdf.encrypted"),
        ("truncated.pdf", "pdf.corrupt"),
        ("blank-scan.pdf", "pdf.no_text_layer"),
        ("not-the-form.pdf", "attachment.missing_form"),
    ] {
        let (status, record) = extract(&form(name));
        assert_eq!(status, Some(2), "{name}");
        assert!(
            codes(&record).contains(&code.to_owned()),
            "{name}: {record}"
        );
        assert_eq!(record["organisation"]["name"], Value::Null, "{name}");
        assert!(
            record["legal_representative"].is_object(),
            "every key printed: {name}"
        );
    }
}

/// The form is found in an e-mail by its content: here a PDF labelled
/// application/octet-stream with no Content-Disposition, one inside a forward, and one
/// inside Outlook's winmail.dat (TNEF).
#[test]
fn the_form_is_found_inside_a_message_a_forwarded_message_and_a_winmail_dat() {
    let mail = repo().join("tests/fixtures/mail");
    for name in [
        "007-scanner-octet-stream-no-disposition.eml",
        "010-outlook-tr-forward-as-attachment.eml",
        "050-outlook-winmail-dat.eml",
    ] {
        let (status, record) = extract(&mail.join(name));
        assert_eq!(status, Some(0), "{name}");
        assert!(
            record["organisation"]["name"].is_string(),
            "{name}: {record}"
        );
    }
}

#[test]
fn a_message_without_a_form_says_so() {
    let (status, record) = extract(&repo().join("tests/fixtures/mail/039-no-subject-personal.eml"));
    assert_eq!(status, Some(2));
    assert_eq!(codes(&record), vec!["attachment.missing_form"]);
}

#[test]
fn the_text_format_reads_as_french_for_a_coordinator() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = form("a-hospital-complete.pdf");
    let output = mailroom(
        dir.path(),
        &["extract", file.to_str().expect("path"), "--format", "text"],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Organisation : Centre Hospitalier de la Basse-Sambre"),
        "{text}"
    );
    assert!(text.contains("Catégorie : hôpital"), "{text}");
    assert!(text.contains("Formulaire dûment complété."), "{text}");
    assert!(text.contains("signature.typed_only"), "{text}");
}

// ── Scans (image-only PDFs), read by OCR ────────────────────────────────────────────
// The scans are made from the text PDFs by tests/fixtures/forms/scan.py (pdftoppm +
// img2pdf, turned by about a degree, grain and specks). OCR needs tesseract with its
// French data and pdftoppm (scripts/test installs them).

/// The fields a coordinator checks first, as JSON paths.
const KEY_FIELDS: [&str; 7] = [
    "/organisation/name",
    "/organisation/category",
    "/legal_representative/last_name",
    "/legal_representative/first_name",
    "/legal_representative/email",
    "/signatures/legal_representative/last_name",
    "/signatures/legal_representative/date",
];

fn group_codes(record: &Value) -> Vec<Value> {
    record["working_groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| group["code"].clone())
        .collect()
}

/// Issue [forms]: a scan goes through OCR, then through the same label reader. GIVEN a
/// scan of a filled form WHEN it is extracted THEN the source is "ocr" and the key
/// fields and ticked working groups are those of the text PDF; what OCR read with too
/// little confidence is not guessed silently: the form is held (`pdf.no_text_layer`)
/// and `source.ocr.doubts` says why.
#[test]
fn a_scanned_form_is_read_by_ocr_with_the_key_fields_of_its_text_pdf() {
    for (scan, text) in [
        (
            "scan-a-hospital-signed.pdf",
            "a-hospital-complete.expected.json",
        ),
        ("scan-c-ecosystem.pdf", "c-ecosystem-complete.expected.json"),
    ] {
        let (status, record) = extract(&form(scan));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(form(text)).expect("expected"))
                .expect("json");
        assert_eq!(record["source"]["kind"], "ocr", "{scan}");
        assert_eq!(record["source"]["ocr"]["available"], true, "{scan}");
        for path in KEY_FIELDS {
            assert_eq!(
                record.pointer(path),
                expected.pointer(path),
                "{scan} {path}"
            );
        }
        assert_eq!(group_codes(&record), group_codes(&expected), "{scan}");
        assert_eq!(
            record["signatures"]["legal_representative"]["signed"], true,
            "{scan}"
        );
        let held = codes(&record).contains(&"pdf.no_text_layer".to_owned());
        let doubts = record["source"]["ocr"]["doubts"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            held,
            doubts > 0,
            "held exactly when in doubt: {scan}: {record}"
        );
        assert_eq!(status, Some(if held { 2 } else { 0 }), "{scan}");
    }
}

/// Form 6.1 on paper: ink on the signature line signs the form (not a typed-only
/// signature); the same line left empty does not.
#[test]
fn a_scan_signed_in_ink_is_signed_and_an_unsigned_scan_is_not() {
    let (_, signed) = extract(&form("scan-a-hospital-signed.pdf"));
    assert_eq!(signed["signatures"]["legal_representative"]["signed"], true);
    assert!(!codes(&signed).contains(&"signature.typed_only".to_owned()));
    let (_, unsigned) = extract(&form("scan-a-hospital-unsigned.pdf"));
    assert_eq!(unsigned["source"]["kind"], "ocr");
    assert_eq!(
        unsigned["signatures"]["legal_representative"]["signed"],
        false
    );
    assert_eq!(
        unsigned["organisation"]["name"],
        "Centre Hospitalier de la Basse-Sambre"
    );
}

/// A scan OCR cannot read with confidence (75 dpi, washed out) is held with the reason,
/// never read as a guess.
#[test]
fn a_scan_ocr_cannot_read_with_confidence_is_held_with_the_reason() {
    let (status, record) = extract(&form("scan-a-hospital-faint.pdf"));
    assert_eq!(status, Some(2));
    assert_eq!(codes(&record), vec!["pdf.no_text_layer"]);
    assert_eq!(record["source"]["kind"], "ocr");
    let ocr = &record["source"]["ocr"];
    assert!(
        ocr["reason"].is_string() || ocr["doubts"].is_array(),
        "the coordinator sees why: {record}"
    );
    assert!(
        ocr["mean_confidence"].as_f64().is_some_and(|c| c < 70.0),
        "{record}"
    );
}

/// When OCR is not installed, the scan is held and the record says OCR was unavailable.
#[test]
fn without_tesseract_a_scan_is_held_and_says_ocr_is_unavailable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("mailroom.toml");
    std::fs::write(
        &config,
        "[limits.ocr]\ntesseract = \"/nonexistent/tesseract\"\n",
    )
    .expect("config");
    let file = form("scan-c-ecosystem.pdf");
    let output = mailroom(
        dir.path(),
        &[
            "--config",
            config.to_str().expect("path"),
            "extract",
            file.to_str().expect("path"),
        ],
    );
    let record: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(codes(&record), vec!["pdf.no_text_layer"]);
    assert_eq!(record["source"]["kind"], "ocr");
    assert_eq!(record["source"]["ocr"]["available"], false);
    let reason = record["source"]["ocr"]["reason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("tesseract"), "{reason}");
    assert_eq!(
        record["organisation"]["name"],
        Value::Null,
        "nothing guessed"
    );
}
