//! Raw 8-bit headers and bodies (issue [doubt], situation 3): Latin-1, Windows-1252 or
//! UTF-8 bytes with no encoded-word, as older clients and some gateways send them. The
//! corpus (tests/fixtures/doubt/eight-bit, written by hand byte by byte by its generator,
//! without reading the parser) says what a person reads; intake and classify must read
//! the same: subject, sender's name, attachment name, body, kind and organisation.

use mailroom::classify::{self, subject::SubjectMatcher};
use mailroom::config::Limits;
use mailroom::intake;
use mailroom::rules::Rules;
use serde::Deserialize;

use crate::support::{fixtures, variant};

#[derive(Debug, Deserialize)]
struct Expected {
    charset: String,
    subject: String,
    from_name: Option<String>,
    attachment_filename: Option<String>,
    body_contains: Option<String>,
    kind: String,
    organisation: String,
}

#[test]
fn raw_8bit_headers_in_latin1_windows1252_or_utf8_read_as_a_person_reads_them() {
    let rules = Rules::embedded().expect("rules");
    let subjects = SubjectMatcher::new(&rules.subjects).expect("subjects");
    let limits = Limits::default();
    let messages = fixtures("doubt/eight-bit", "eml");
    assert!(messages.len() >= 20, "the corpus is there");
    let mut failures = Vec::new();
    for path in &messages {
        let (name, expected): (String, Expected) = variant(path);
        let envelope = intake::parse(&std::fs::read(path).expect("eml"), &limits);
        let classification = classify::classify(&envelope, &subjects);
        let mut wrong = Vec::new();
        if envelope.subject.as_deref() != Some(expected.subject.as_str()) {
            wrong.push(format!("subject {:?}", envelope.subject));
        }
        if envelope.from_name != expected.from_name {
            wrong.push(format!("from name {:?}", envelope.from_name));
        }
        if let Some(file) = &expected.attachment_filename {
            let names: Vec<_> = envelope.attachments.iter().map(|a| &a.filename).collect();
            if !names.iter().any(|n| n.as_deref() == Some(file.as_str())) {
                wrong.push(format!("attachment names {names:?}"));
            }
        }
        if let Some(phrase) = &expected.body_contains {
            let body = envelope.body_text.as_deref().unwrap_or("");
            if !body.contains(phrase.as_str()) {
                wrong.push(format!(
                    "body {:?}",
                    body.chars().take(120).collect::<String>()
                ));
            }
        }
        if classification.kind.as_str() != expected.kind {
            wrong.push(format!("kind {}", classification.kind.as_str()));
        }
        if classification.organisation.as_deref() != Some(expected.organisation.as_str()) {
            wrong.push(format!("organisation {:?}", classification.organisation));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{name:?} ({}): {}",
                expected.charset,
                wrong.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} read wrong:\n{}",
        failures.len(),
        messages.len(),
        failures.join("\n")
    );
}
