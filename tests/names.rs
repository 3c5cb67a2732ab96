//! Organisation names keep every character the member typed (issue [doubt], situation 6):
//! `;`, `--`, quotes, `&`, parentheses, « », dashes, slashes, emoji, other scripts. The
//! corpus (tests/fixtures/doubt/names, written without reading the parser) carries each
//! name in a subject (encoded-words or raw UTF-8) and, for most, in a filled form; both
//! routes are taken end to end, through the log and the members table.

use mailroom::store::{members, messages};
use serde::Deserialize;

use crate::support::{fixtures, Workspace};
use crate::workflows::Mail;

#[derive(Debug, Deserialize)]
struct Expected {
    name: String,
    subject_file: String,
    form_file: Option<String>,
    ambiguous_in_subject: bool,
}

async fn organisation_logged(workspace: &Workspace, id: i64) -> Option<String> {
    let mut conn = workspace.store().pool().acquire().await.expect("conn");
    messages::log_row(&mut conn, id)
        .await
        .expect("log row")
        .and_then(|row| row.organisation)
}

#[tokio::test]
async fn a_name_keeps_every_character_typed_in_the_subject_and_in_the_form() {
    let dir = crate::support::repo().join("tests/fixtures/doubt/names");
    let cases = fixtures("doubt/names", "json");
    assert!(cases.len() >= 24, "the corpus is there");
    let mut wrong = Vec::new();
    let subjects = Workspace::new().await;
    for case in &cases {
        let expected: Expected =
            serde_json::from_str(&std::fs::read_to_string(case).expect("json")).expect("json");
        // The subject route: classification, then the log row's organisation.
        let handled = subjects.ingest(&[dir.join(&expected.subject_file)]).await;
        let logged = organisation_logged(&subjects, handled[0].id).await;
        if !expected.ambiguous_in_subject && logged.as_deref() != Some(expected.name.as_str()) {
            wrong.push(format!("subject {}: {logged:?}", expected.subject_file));
        }
        // The form route: registered under exactly that name.
        let Some(form) = &expected.form_file else {
            continue;
        };
        let workspace = Workspace::new().await;
        let pdf: &'static str = Box::leak(format!("doubt/names/{form}").into_boxed_str());
        let mail = Mail::membership("direction@example.org", &expected.name, pdf);
        let path = workspace.path("membership.eml");
        std::fs::write(&path, mail.bytes(1)).expect("write");
        let handled = workspace.ingest(&[path]).await;
        let logged = organisation_logged(&workspace, handled[0].id).await;
        let mut conn = workspace.store().pool().acquire().await.expect("conn");
        let names: Vec<String> = members::all(&mut conn)
            .await
            .expect("members")
            .into_iter()
            .map(|m| m.name)
            .collect();
        // The log says the organisation as the subject names it; the member, as the form.
        let subject_read =
            expected.ambiguous_in_subject || logged.as_deref() == Some(expected.name.as_str());
        if handled[0].outcome != "registered" || !subject_read || names != [expected.name.clone()] {
            wrong.push(format!(
                "form {form}: {} {logged:?} {names:?}",
                handled[0].outcome
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
