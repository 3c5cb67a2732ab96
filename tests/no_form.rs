//! Membership mail without its form (issue [doubt], situation 5), on a corpus written by
//! someone who never read the reader (tests/fixtures/doubt/no-form): no attachment, a logo,
//! an invoice, an agenda, a vCard, a cover letter… Nothing there is unreadable: the form
//! is missing, the outcome is `incomplete` with `attachment.missing_form` and the reply
//! asks for the signed form. A damaged or locked PDF (the controls) stays `unreadable`.

use mailroom::store::messages;
use serde::Deserialize;

use crate::support::{fixtures, variant, Workspace};

#[derive(Debug, Deserialize)]
struct Expected {
    outcome: String,
    #[serde(default)]
    problems_include: Vec<String>,
}

#[tokio::test]
async fn a_membership_mail_without_the_form_asks_for_it_and_a_damaged_pdf_is_unreadable() {
    let variants = fixtures("doubt/no-form", "eml");
    assert!(variants.len() >= 20, "the corpus is there");
    let workspace = Workspace::new().await;
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    let mut held = Vec::new();
    for path in &variants {
        let (name, expected): (String, Expected) = variant(path);
        let handled = workspace.ingest(std::slice::from_ref(path)).await;
        let handled = handled.first().expect("handled");
        let mut conn = workspace.store().pool().acquire().await.expect("conn");
        let row = messages::log_row(&mut conn, handled.id)
            .await
            .expect("log row")
            .expect("a row");
        let problems: Vec<String> = serde_json::from_str(&row.problems).expect("problems");
        let right = handled.outcome == expected.outcome
            && expected
                .problems_include
                .iter()
                .all(|p| problems.contains(p));
        // An image that OCR cannot tell from the form is held for a coordinator: safe.
        let safe_hold = handled.outcome == "held_for_review";
        if safe_hold && !right {
            held.push(name.clone());
        }
        table.push(format!(
            "{name:<48} expected {:<11} got {:<16} {problems:?}{}",
            expected.outcome,
            handled.outcome,
            if right || safe_hold {
                ""
            } else {
                "   ← WRONG"
            }
        ));
        if !right && !safe_hold {
            wrong.push(name);
        }
    }
    println!("{}", table.join("\n"));
    assert!(wrong.is_empty(), "{wrong:?}\n{}", table.join("\n"));
    assert!(
        held.len() <= 2,
        "held instead of asked for the form: {held:?}"
    );
    let mut conn = workspace.store().pool().acquire().await.expect("conn");
    let members = mailroom::store::members::all(&mut conn)
        .await
        .expect("members");
    assert!(
        members.is_empty(),
        "nobody recorded from a mail without a form"
    );
}
