//! Contact changes written as people write them (issue 17, situation 2; art. 4.2): every
//! variant of tests/fixtures/doubt/contact-change, written blind by someone who never read
//! the parser, goes through the pipeline for a registered Haute-Meuse.
//!
//! The rule checked is the project's: mailroom records a successor only when it read them
//! right, and holds the message otherwise. A variant is
//! - **exact** when a named successor is recorded with every expected field, or an
//!   unnamed one is held with `contact_change.details_missing`;
//! - **held** when a named successor is held for review instead (allowed: a coordinator
//!   decides), recording nothing;
//! - **wrong** when anything else happens, above all a successor recorded with a value
//!   the message does not give them. No variant may be wrong.
//!
//! Beside the outcome, the table shows whether the reader alone
//! (`contact_details::read_new_contact` on the parsed body) gave all five expected fields,
//! which the pipeline cannot show for a successor without an address (held by art. 4.2).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mailroom::config::Limits;
use mailroom::intake;
use mailroom::workflow::contact_details::{read_new_contact, ContactDetails};
use serde::Deserialize;
use serde_json::Value;

use crate::support::repo;
use crate::workflows::{Scenario, MEUSE};

/// Variants whose expectation is not taken as written, with the reason (at most three).
const EXCLUDED: &[(&str, &str)] = &[];

/// A variant's `NNN-slug.json`.
#[derive(Debug, Deserialize)]
struct Expected {
    successor: Successor,
    named: bool,
    why: String,
}

/// The successor a variant expects; a field the message does not give is `None`.
#[derive(Debug, Deserialize, PartialEq, Eq)]
struct Successor {
    last_name: Option<String>,
    first_name: Option<String>,
    function: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Successor {
    /// (field, expected value), in the order they are reported.
    fn fields(&self) -> [(&'static str, Option<&str>); 5] {
        [
            ("last_name", self.last_name.as_deref()),
            ("first_name", self.first_name.as_deref()),
            ("function", self.function.as_deref()),
            ("email", self.email.as_deref()),
            ("phone", self.phone.as_deref()),
        ]
    }
}

/// What happened to one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Exact,
    Held,
    Wrong(String),
}

impl Verdict {
    fn label(&self) -> &'static str {
        match self {
            Verdict::Exact => "exact",
            Verdict::Held => "held",
            Verdict::Wrong(_) => "WRONG",
        }
    }
}

/// The corpus: every `NNN-slug.eml` with its expectation, in order.
fn variants() -> Vec<(String, PathBuf, Expected)> {
    let dir = repo().join("tests/fixtures/doubt/contact-change");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("eml") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_owned();
        let json = std::fs::read_to_string(path.with_extension("json")).expect("expectation");
        let expected: Expected = serde_json::from_str(&json).expect("expectation JSON");
        found.push((name, path, expected));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The fields of a reading that differ from the expectation, as `field: got ≠ expected`.
fn differences(expected: &Successor, got: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
    expected
        .fields()
        .into_iter()
        .filter_map(|(field, want)| {
            let have = got(field);
            (have.as_deref() != want).then(|| format!("{field}: {have:?} ≠ {want:?}"))
        })
        .collect()
}

/// What the reader alone gives for the message: `None` when it is exact, else the differences.
fn reader_differences(eml: &Path, expected: &Expected) -> Option<String> {
    let raw = std::fs::read(eml).expect("eml");
    let envelope = intake::parse(&raw, &Limits::default());
    let body = envelope.body_text.as_deref().unwrap_or_default();
    let read = read_new_contact(body, envelope.from_addr.as_deref());
    if !expected.named {
        return read
            .names_someone()
            .then(|| format!("names someone: {read:?}"));
    }
    let field = |name: &str| -> Option<String> {
        let ContactDetails {
            last_name,
            first_name,
            function,
            email,
            phone,
        } = &read;
        match name {
            "last_name" => last_name.clone(),
            "first_name" => first_name.clone(),
            "function" => function.clone(),
            "email" => email.clone(),
            _ => phone.clone(),
        }
    };
    let differ = differences(&expected.successor, &field);
    (!differ.is_empty()).then(|| differ.join("; "))
}

/// The variant through the pipeline, for a freshly registered Haute-Meuse.
async fn verdict(eml: &Path, expected: &Expected) -> Verdict {
    let mut scenario = Scenario::with_haute_meuse().await;
    let before = scenario.member(MEUSE).await.contact_point;
    let handled = scenario
        .arrives_raw(&std::fs::read(eml).expect("eml"))
        .await;
    let problems = scenario.problems(handled.id).await;
    let after = scenario.member(MEUSE).await.contact_point;
    match handled.outcome.as_str() {
        "held_for_review" if after != before => {
            Verdict::Wrong("held, but the contact point changed".to_owned())
        }
        "held_for_review" if !expected.named => {
            if problems
                .iter()
                .any(|p| p == "contact_change.details_missing")
            {
                Verdict::Exact
            } else {
                Verdict::Wrong(format!("held without details_missing: {problems:?}"))
            }
        }
        "held_for_review" => Verdict::Held,
        "contact_updated" if !expected.named => {
            Verdict::Wrong(format!("recorded a successor never named: {after}"))
        }
        "contact_updated" => {
            let stored: Value = serde_json::from_str(&after).expect("contact point");
            let field = |name: &str| stored[name].as_str().map(str::to_owned);
            let differ = differences(&expected.successor, &field);
            if differ.is_empty() {
                Verdict::Exact
            } else {
                Verdict::Wrong(differ.join("; "))
            }
        }
        other => Verdict::Wrong(format!("outcome {other}, problems {problems:?}")),
    }
}

/// GIVEN a registered member and each blind-written contact change
/// WHEN it goes through the pipeline
/// THEN a successor is recorded only with every field as the message gives it; every other
/// variant is held, nothing recorded — and the table shows how many were read exactly.
#[tokio::test]
async fn every_blind_written_contact_change_is_recorded_exactly_or_held() {
    let mut results = BTreeMap::new();
    for (name, eml, expected) in variants() {
        if let Some((_, reason)) = EXCLUDED.iter().find(|(n, _)| *n == name) {
            println!("{name:<50} excluded: {reason}");
            continue;
        }
        let verdict = verdict(&eml, &expected).await;
        let reader = reader_differences(&eml, &expected);
        results.insert(name, (verdict, reader, expected.why));
    }

    let total = results.len();
    let count = |label: &str| {
        results
            .values()
            .filter(|(v, ..)| v.label() == label)
            .count()
    };
    let reader_exact = results.values().filter(|(_, r, _)| r.is_none()).count();
    println!("{:<50} {:<6} reader (differences)", "variant", "result");
    for (name, (verdict, reader, _)) in &results {
        let detail = match verdict {
            Verdict::Wrong(why) => format!(" — {why}"),
            _ => String::new(),
        };
        let reader = reader.as_deref().unwrap_or("exact");
        println!("{name:<50} {:<6} {reader}{detail}", verdict.label());
    }
    println!(
        "exact {} / held {} / wrong {} of {total}; reader exact {reader_exact} of {total}",
        count("exact"),
        count("held"),
        count("WRONG"),
    );

    let wrong: Vec<String> = results
        .iter()
        .filter_map(|(name, (verdict, _, why))| match verdict {
            Verdict::Wrong(what) => Some(format!("{name}: {what}\n    ({why})")),
            _ => None,
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "recorded wrong or not held:\n{}",
        wrong.join("\n")
    );
}
