//! `digital_signatures` on the form fixtures: pyHanko-signed, tampered, unsigned, and
//! broken inputs.

use std::path::Path;

use lopdf::{Document, LoadOptions};
use mailroom::form::signature::{digital_signatures, DigitalSignature};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/forms");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(name)).expect("fixture")
}

fn load(bytes: &[u8]) -> lopdf::Result<Document> {
    let options = LoadOptions {
        max_decompressed_size: Some(16 * 1024 * 1024),
        ..LoadOptions::default()
    };
    Document::load_mem_with_options(bytes, options)
}

fn signatures_of(bytes: &[u8]) -> Vec<DigitalSignature> {
    let document = load(bytes).expect("the PDF loads");
    digital_signatures(&document, bytes)
}

/// Whatever `bytes` are, reading their signatures returns (if they load at all).
fn signatures_if_loadable(bytes: &[u8]) -> Option<Vec<DigitalSignature>> {
    load(bytes)
        .ok()
        .map(|document| digital_signatures(&document, bytes))
}

#[test]
fn the_signed_form_has_one_intact_signature_over_the_whole_document() {
    let signatures = signatures_of(&fixture("signed-digitally.pdf"));
    assert_eq!(
        signatures,
        [DigitalSignature {
            field: "Signature_6_1".to_owned(),
            signer: Some("Marc-Antoine Lejeune (Signature)".to_owned()),
            signed_at: Some("2026-04-14T08:15:00Z".to_owned()),
            sub_filter: Some("adbe.pkcs7.detached".to_owned()),
            intact: true,
            covers_document: true,
        }]
    );
}

#[test]
fn the_signed_form_changed_by_one_byte_is_not_intact() {
    let signatures = signatures_of(&fixture("signed-digitally-then-modified.pdf"));
    let [signature] = signatures.as_slice() else {
        panic!("one signature expected: {signatures:?}");
    };
    assert!(!signature.intact);
    // The change is inside the signed range, not after it.
    assert!(signature.covers_document);
    assert_eq!(
        signature.signer.as_deref(),
        Some("Marc-Antoine Lejeune (Signature)")
    );
}

#[test]
fn the_tampered_fixture_differs_from_the_signed_one_by_one_byte() {
    let signed = fixture("signed-digitally.pdf");
    let modified = fixture("signed-digitally-then-modified.pdf");
    assert_eq!(signed.len(), modified.len());
    let differences = signed.iter().zip(&modified).filter(|(a, b)| a != b).count();
    assert_eq!(differences, 1);
}

#[test]
fn a_revision_added_after_signing_leaves_the_signature_intact_but_not_covering() {
    let signed = fixture("signed-digitally.pdf");
    let updated = with_incremental_update(&signed);
    let document = load(&updated).expect("the updated PDF loads");
    assert!(
        document.get_object((48, 0)).is_ok(),
        "the new revision was read"
    );
    let signatures = digital_signatures(&document, &updated);
    let [signature] = signatures.as_slice() else {
        panic!("one signature expected: {signatures:?}");
    };
    assert!(signature.intact, "the signed revision itself is unchanged");
    assert!(!signature.covers_document);
}

#[test]
fn the_unsigned_form_has_no_digital_signature() {
    assert_eq!(signatures_of(&fixture("unsigned.pdf")), []);
}

#[test]
fn sample_forms_without_sig_fields_have_no_digital_signature() {
    for name in [
        "a-hospital-complete.pdf",
        "o-acroform-filled.pdf",
        "c-ecosystem-complete.pdf",
        "blank-fillable-form.pdf",
        "signed-with-image.pdf",
        "signed-with-ink.pdf",
    ] {
        assert_eq!(signatures_of(&fixture(name)), [], "{name}");
    }
}

#[test]
fn truncated_signed_forms_do_not_panic() {
    let signed = fixture("signed-digitally.pdf");
    for end in (0..signed.len()).step_by(1_999).chain([signed.len() - 1]) {
        let truncated = signed.get(..end).unwrap_or_default();
        if let Some(signatures) = signatures_if_loadable(truncated) {
            assert!(
                signatures.iter().all(|s| !s.covers_document),
                "cut at {end}"
            );
        }
    }
}

#[test]
fn corrupted_signature_dictionaries_do_not_panic_and_are_not_intact() {
    let signed = fixture("signed-digitally.pdf");
    let byte_range = b"/ByteRange [0 115627 123287 631]";
    let replacements: [&[u8]; 6] = [
        b"/ByteRange [0 999999 123287 631]",
        b"/ByteRange [0 115627 123287 999]",
        b"/ByteRange [-1 115627 123287 63]",
        b"/ByteRange [0 115627 123287]    ",
        b"/ByteRange [0 99999999999999999]",
        b"/ByteRange (0 115627 123287 631)",
    ];
    for replacement in replacements {
        assert_eq!(replacement.len(), byte_range.len());
        let bytes = replace_once(&signed, byte_range, replacement);
        let signatures = signatures_if_loadable(&bytes).expect("still loads");
        assert!(
            signatures.iter().all(|s| !s.intact && !s.covers_document),
            "{}: {signatures:?}",
            String::from_utf8_lossy(replacement)
        );
    }
}

#[test]
fn garbage_in_the_cms_does_not_panic() {
    let signed = fixture("signed-digitally.pdf");
    let start = find(&signed, b"/Contents <").expect("contents") + b"/Contents <".len();
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    for position in (start..start + 5_000).step_by(37) {
        let mut bytes = signed.clone();
        if let Some(byte) = bytes.get_mut(position) {
            *byte = b"0123456789ABCDEF"[usize::from(random.next_byte() % 16)];
        }
        let _ = signatures_if_loadable(&bytes);
    }
    // The whole CMS replaced by zeros: a signature that cannot be checked.
    let end = start + find(&signed[start..], b">").expect("end of contents");
    let mut bytes = signed.clone();
    bytes[start..end].fill(b'0');
    let signatures = signatures_if_loadable(&bytes).expect("still loads");
    assert!(signatures.iter().all(|s| !s.intact && s.signer.is_none()));
    assert_eq!(
        signatures.first().and_then(|s| s.signed_at.as_deref()),
        Some("2026-04-14T08:15:00Z"),
        "the time comes from /M then"
    );
}

#[test]
fn random_bytes_do_not_panic() {
    let mut random = XorShift(0x2545_F491_4F6C_DD1D);
    for length in [0, 1, 8, 64, 512, 4_096, 40_000] {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.extend((0..length).map(|_| random.next_byte()));
        let _ = signatures_if_loadable(&bytes);
    }
}

/// A small deterministic generator for test noise.
struct XorShift(u64);

impl XorShift {
    fn next_byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.to_be_bytes()[0]
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn replace_once(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at = find(bytes, from).expect("text to replace");
    [&bytes[..at], to, &bytes[at + from.len()..]].concat()
}

/// `signed` with one more revision appended, as a PDF editor saving incrementally would:
/// a new object 48, its cross-reference section and a trailer pointing back.
fn with_incremental_update(signed: &[u8]) -> Vec<u8> {
    let tail = String::from_utf8_lossy(&signed[signed.len() - 64..]).into_owned();
    let previous: usize = tail
        .split("startxref")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|number| number.parse().ok())
        .expect("startxref");
    let mut updated = signed.to_vec();
    let object_at = updated.len();
    updated.extend_from_slice(b"48 0 obj\n(annotated after signing)\nendobj\n");
    let xref_at = updated.len();
    updated.extend_from_slice(
        format!(
            "xref\n48 1\n{object_at:010} 00000 n \ntrailer\n<< /Size 49 /Root 1 0 R \
             /Prev {previous} >>\nstartxref\n{xref_at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    updated
}
