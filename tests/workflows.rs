//! Membership workflows end to end (issue [workflows]): message sequences replayed
//! through the pipeline and the outbox, asserting the members, the log and what was sent.
//!
//! The forms are tests/fixtures/workflows/*.pdf (fillable PDFs filled by their generator);
//! the messages are built here the way Outlook sends them, one scenario per test.

use base64::Engine;
use mailroom::clock::Clock;
use mailroom::outbox::{self, DeliveryReport, FileTransport, Transport};
use mailroom::pipeline::Handled;
use mailroom::store::members::{self, MemberEvent, MemberRow};
use mailroom::store::messages::{self, LogRow};
use mailroom::store::outbox::{self as outbox_rows, OutgoingRow};
use mailroom::workflow::Approval;
use serde_json::Value;

use crate::support::{clock_at, fixed_clock, mailroom, repo, stderr, stdout, Workspace};

pub(crate) const MEUSE: &str = "Centre Hospitalier Régional de la Haute-Meuse";
const SAMBRE: &str = "Centre Hospitalier Régional de la Haute-Sambre";
const TILLEULS: &str = "Résidence Les Tilleuls";
/// Haute-Meuse's legal representative, contact point, and the successor of the latter.
const MEUSE_DIRECTION: &str = "direction@chr-hautemeuse.example";
const MEUSE_CONTACT: &str = "paul.lambert@chr-hautemeuse.example";
const MEUSE_SUCCESSOR: &str = "julie.martin@chr-hautemeuse.example";

/// One message a member sends.
pub(crate) struct Mail {
    from: String,
    subject: String,
    body: String,
    pdf: Option<&'static str>,
    message_id: Option<String>,
    authentication_results: Option<String>,
}

impl Mail {
    pub(crate) fn new(from: &str, subject: &str, body: &str) -> Mail {
        Mail {
            from: from.to_owned(),
            subject: subject.to_owned(),
            body: body.to_owned(),
            pdf: None,
            message_id: None,
            authentication_results: None,
        }
    }

    /// The membership mail of art. 6.1 with a form from tests/fixtures/workflows.
    pub(crate) fn membership(from: &str, organisation: &str, pdf: &'static str) -> Mail {
        Mail::new(
            from,
            &format!("ASeT-W — Convention d’engagement — {organisation}"),
            "Bonjour,\n\nVeuillez trouver ci-joint notre formulaire d’adhésion signé.\n\nBien à vous,\n",
        )
        .with_pdf(pdf)
    }

    pub(crate) fn with_pdf(mut self, pdf: &'static str) -> Mail {
        self.pdf = Some(pdf);
        self
    }

    pub(crate) fn with_message_id(mut self, id: &str) -> Mail {
        self.message_id = Some(id.to_owned());
        self
    }

    /// As Exchange Online writes it: no authserv-id, `compauth`.
    pub(crate) fn with_dmarc(mut self, result: &str) -> Mail {
        let domain = self.from.rsplit_once('@').map_or("", |(_, d)| d).to_owned();
        self.authentication_results = Some(format!(
            "spf=pass (sender IP is 192.0.2.10) smtp.mailfrom={domain}; dkim=none (message not signed) header.d=none;dmarc={result} action=none header.from={domain};compauth={result} reason=100"
        ));
        self
    }

    /// The bytes, as Outlook writes a message with a PDF attached.
    pub(crate) fn bytes(&self, number: usize) -> Vec<u8> {
        let message_id = self
            .message_id
            .clone()
            .unwrap_or_else(|| format!("scenario-{number}@mail.example"));
        let mut out = String::new();
        if let Some(results) = &self.authentication_results {
            out.push_str(&format!("Authentication-Results: {results}\r\n"));
        }
        out.push_str(&format!(
            "From: {from}\r\nTo: alliancesante.durable@spw.wallonie.be\r\nSubject: {subject}\r\n\
             Date: Mon, 23 Nov 2026 09:{minute:02}:00 +0100\r\nMessage-ID: <{message_id}>\r\n\
             X-Mailer: Microsoft Outlook 16.0\r\nMIME-Version: 1.0\r\n",
            from = self.from,
            subject = encoded(&self.subject),
            minute = number % 60,
        ));
        let body = self.body.replace('\n', "\r\n");
        match self.pdf {
            None => out.push_str(&format!(
                "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
            )),
            Some(pdf) => {
                // A bare name is a workflow form; `area/name` any other fixture.
                let path = if pdf.contains('/') {
                    repo().join("tests/fixtures").join(pdf)
                } else {
                    repo().join("tests/fixtures/workflows").join(pdf)
                };
                let bytes = std::fs::read(path).expect("form fixture");
                let name = pdf.rsplit('/').next().unwrap_or(pdf);
                let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
                let lines: Vec<&str> = encoded
                    .as_bytes()
                    .chunks(76)
                    .map(|chunk| std::str::from_utf8(chunk).expect("ascii"))
                    .collect();
                out.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary=\"_004_outlook_\"\r\n\r\n\
                     --_004_outlook_\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\
                     Content-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n\
                     --_004_outlook_\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n\
                     Content-Disposition: attachment; filename=\"{name}\"\r\n\
                     Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n--_004_outlook_--\r\n",
                    data = lines.join("\r\n"),
                ));
            }
        }
        out.into_bytes()
    }
}

/// A subject as RFC 2047 encoded-words, as Outlook sends non-ASCII subjects.
fn encoded(subject: &str) -> String {
    format!(
        "=?utf-8?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(subject)
    )
}

/// A store, its pipeline and its outbox folder, fed one message at a time.
pub(crate) struct Scenario {
    workspace: Workspace,
    transport: Transport,
    sent: usize,
}

impl Scenario {
    async fn new() -> Scenario {
        Scenario::with_clock(fixed_clock()).await
    }

    async fn with_clock(clock: Clock) -> Scenario {
        let workspace = Workspace::with_clock(clock).await;
        let transport = Transport::File(FileTransport::new(&workspace.path("outbox")));
        Scenario {
            workspace,
            transport,
            sent: 0,
        }
    }

    /// The message arrives and is decided; nothing is delivered yet.
    async fn arrives(&mut self, mail: &Mail) -> Handled {
        let bytes = mail.bytes(self.sent + 1);
        self.arrives_raw(&bytes).await
    }

    /// A message given as its raw bytes (an `.eml` file) arrives and is decided.
    pub(crate) async fn arrives_raw(&mut self, bytes: &[u8]) -> Handled {
        self.sent += 1;
        let file = self.workspace.path(&format!("inbox/{:03}.eml", self.sent));
        std::fs::create_dir_all(file.parent().expect("dir")).expect("inbox");
        std::fs::write(&file, bytes).expect("write");
        let mut handled = self.workspace.ingest(&[file]).await;
        assert_eq!(handled.len(), 1);
        handled.remove(0)
    }

    /// The message arrives, is decided, and the outbox is delivered at the fixed "now".
    async fn receive(&mut self, mail: &Mail) -> Handled {
        let handled = self.arrives(mail).await;
        self.deliver_at(&fixed_clock()).await;
        handled
    }

    async fn deliver_at(&self, clock: &Clock) -> DeliveryReport {
        outbox::deliver(
            self.workspace.store(),
            &self.transport,
            self.workspace.pipeline.rules(),
            clock,
            8,
        )
        .await
        .expect("deliver")
    }

    async fn members(&self) -> Vec<MemberRow> {
        let mut conn = self.workspace.store().pool().acquire().await.expect("conn");
        members::all(&mut conn).await.expect("members")
    }

    pub(crate) async fn member(&self, name: &str) -> MemberRow {
        self.members()
            .await
            .into_iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no member {name}"))
    }

    async fn history(&self, member: &MemberRow) -> Vec<MemberEvent> {
        let mut conn = self.workspace.store().pool().acquire().await.expect("conn");
        members::events(&mut conn, member.id).await.expect("events")
    }

    async fn outbox(&self) -> Vec<OutgoingRow> {
        outbox_rows::all(self.workspace.store().pool())
            .await
            .expect("outbox")
    }

    /// What was sent in answer to message `id`.
    async fn replies_to(&self, id: i64) -> Vec<OutgoingRow> {
        self.outbox()
            .await
            .into_iter()
            .filter(|row| row.message_row_id == Some(id))
            .collect()
    }

    async fn log(&self, id: i64) -> LogRow {
        let mut conn = self.workspace.store().pool().acquire().await.expect("conn");
        messages::log_row(&mut conn, id)
            .await
            .expect("log")
            .expect("row")
    }

    pub(crate) async fn problems(&self, id: i64) -> Vec<String> {
        serde_json::from_str(&self.log(id).await.problems).expect("problems")
    }

    /// A member with an acknowledged membership: Haute-Meuse, contact Paul Lambert.
    pub(crate) async fn with_haute_meuse() -> Scenario {
        let mut scenario = Scenario::new().await;
        let handled = scenario
            .receive(&Mail::membership(
                MEUSE_DIRECTION,
                MEUSE,
                "haute-meuse-complete.pdf",
            ))
            .await;
        assert_eq!(handled.outcome, "registered");
        scenario
    }
}

fn recipients(row: &OutgoingRow) -> Vec<String> {
    let mut all: Vec<String> = serde_json::from_str(&row.to_addrs).expect("to");
    let cc: Vec<String> = serde_json::from_str(&row.cc_addrs).expect("cc");
    all.extend(cc);
    all
}

/// The text body as delivered: the row keeps what was rendered when it went out.
fn sent_text(row: &OutgoingRow) -> String {
    row.body_text.clone()
}

fn contact_email(member: &MemberRow) -> Option<String> {
    let contact: Value = serde_json::from_str(&member.contact_point).expect("json");
    contact["email"].as_str().map(str::to_owned)
}

// ── Membership (art. 6.1–6.2) ───────────────────────────────────────────────────────────

#[tokio::test]
async fn a_duly_completed_form_registers_the_member_and_its_confirmation_sets_the_effective_date() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .arrives(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-complete.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "registered");
    // Issue [doubt]: pending until the transaction that records the confirmation's delivery.
    let member = scenario.member(MEUSE).await;
    assert_eq!(member.status, "pending");
    assert_eq!(member.effective_date, None);
    scenario.deliver_at(&fixed_clock()).await;

    let member = scenario.member(MEUSE).await;
    assert_eq!(member.status, "active");
    assert_eq!(member.category.as_deref(), Some("hospital"));
    // 23 November 2026, 10:00 in Brussels: the day the confirmation went out.
    assert_eq!(member.effective_date.as_deref(), Some("2026-11-23"));

    let replies = scenario.replies_to(handled.id).await;
    assert_eq!(replies.len(), 1, "one confirmation");
    let ack = &replies[0];
    assert_eq!(ack.purpose, "acknowledgement");
    assert_eq!(ack.status, "sent");
    assert_eq!(member.acknowledgement_id, Some(ack.id));
    assert_eq!(ack.effective_date.as_deref(), Some("2026-11-23"));
    // To the sender, copied to the legal representative and the contact point.
    assert_eq!(recipients(ack), vec![MEUSE_DIRECTION, MEUSE_CONTACT]);
    let text = sent_text(ack);
    assert!(text.contains("le 23 novembre 2026"), "{text}");
    assert!(text.contains("article 6.2"), "{text}");
    assert!(
        text.contains("conservé"),
        "keep the signed original (6.1): {text}"
    );
    // The April 2026 first sessions are past: no date in the past is announced.
    assert!(!text.contains("avril 2026"), "{text}");
    assert!(
        text.contains("sous réserve des places disponibles"),
        "{text}"
    );
    assert!(text.contains("dans le mois suivant la signature"), "{text}");
    assert!(text.contains("Communauté de Pratiques"), "{text}");
    // The Date header carries the same day, in Brussels time.
    let mut conn = scenario
        .workspace
        .store()
        .pool()
        .acquire()
        .await
        .expect("conn");
    let bytes: Vec<u8> = sqlx::query_scalar("SELECT sent_bytes FROM outbox WHERE id = ?1")
        .bind(ack.id)
        .fetch_one(&mut *conn)
        .await
        .expect("bytes");
    let eml = String::from_utf8_lossy(&bytes);
    assert!(
        eml.contains("Date: Mon, 23 Nov 2026 10:00:00 +0100"),
        "{eml}"
    );
    assert!(eml.contains("Auto-Submitted: auto-replied"), "{eml}");
    assert!(
        eml.contains("In-Reply-To: <scenario-1@mail.example>"),
        "{eml}"
    );
    assert!(
        eml.contains("Content-Type: text/html"),
        "an HTML alternative: {eml}"
    );

    let log = scenario.log(handled.id).await;
    assert!(log
        .rules_version
        .expect("rules version")
        .starts_with("sha256:"));
    assert_eq!(log.ack_sent_at.as_deref(), Some("2026-11-23T09:00:00Z"));
}

#[tokio::test]
async fn a_confirmation_delayed_past_midnight_states_the_day_it_really_left() {
    // Decided on Monday 23 November at 23:59:30 in Brussels…
    let mut scenario = Scenario::with_clock(clock_at("2026-11-23T22:59:30Z")).await;
    let handled = scenario
        .arrives(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-complete.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "registered");
    assert_eq!(scenario.member(MEUSE).await.effective_date, None);
    // …delivered on Tuesday at 00:00:40.
    scenario.deliver_at(&clock_at("2026-11-23T23:00:40Z")).await;
    let member = scenario.member(MEUSE).await;
    assert_eq!(member.effective_date.as_deref(), Some("2026-11-24"));
    let ack = &scenario.replies_to(handled.id).await[0];
    assert!(sent_text(ack).contains("le 24 novembre 2026"));
    assert_eq!(ack.sent_at.as_deref(), Some("2026-11-23T23:00:40Z"));
}

#[tokio::test]
async fn an_incomplete_form_gets_the_list_of_what_is_missing_and_the_corrected_one_completes_it() {
    let mut scenario = Scenario::new().await;
    let first = scenario
        .receive(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-incomplete.pdf",
        ))
        .await;
    assert_eq!(first.outcome, "incomplete");
    let problems = scenario.problems(first.id).await;
    for code in [
        "legal_representative.phone_missing",
        "signature.date_missing",
        "working_group.actions_missing",
    ] {
        assert!(problems.contains(&code.to_owned()), "{code}: {problems:?}");
    }
    let member = scenario.member(MEUSE).await;
    assert_eq!(member.status, "pending");
    assert_eq!(member.effective_date, None);
    let reply = &scenario.replies_to(first.id).await[0];
    assert_eq!(reply.purpose, "incomplete");
    assert_eq!(recipients(reply), vec![MEUSE_DIRECTION], "the sender only");
    let text = sent_text(reply);
    assert!(text.contains("téléphone du représentant légal"), "{text}");
    assert!(text.contains("n’est pas datée"), "{text}");
    assert!(
        text.contains(
            "« ASeT-W — Convention d’engagement — Centre Hospitalier Régional de la Haute-Meuse »"
        ),
        "how to resubmit: {text}"
    );
    assert!(
        !text.contains("prend effet à la date"),
        "never reads as the art. 6.2 confirmation: {text}"
    );

    let second = scenario
        .receive(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-complete.pdf",
        ))
        .await;
    assert_eq!(second.outcome, "registered");
    let members = scenario.members().await;
    assert_eq!(members.len(), 1, "the same member, completed");
    let member = &members[0];
    assert_eq!(member.status, "active");
    assert_eq!(member.effective_date.as_deref(), Some("2026-11-23"));
    let events: Vec<String> = scenario
        .history(member)
        .await
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(
        events,
        vec![
            "form_received",
            "form_received",
            "group_requested",
            "group_requested",
            "effective"
        ],
        "the registration opens the requests for the two groups of the form"
    );
}

#[tokio::test]
async fn the_same_form_twice_is_confirmed_once_and_a_different_one_waits_for_a_coordinator() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let effective = scenario.member(MEUSE).await.effective_date;
    // Re-delivered: same Message-ID.
    let redelivered = scenario
        .receive(
            &Mail::membership(MEUSE_DIRECTION, MEUSE, "haute-meuse-complete.pdf")
                .with_message_id("scenario-1@mail.example"),
        )
        .await;
    assert_eq!(redelivered.outcome, "duplicate");
    // Sent again with a new Message-ID, same content.
    let again = scenario
        .receive(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-complete.pdf",
        ))
        .await;
    assert_eq!(again.outcome, "duplicate");
    // A different form from an active member.
    let changed = scenario
        .receive(&Mail::membership(
            MEUSE_DIRECTION,
            MEUSE,
            "haute-meuse-updated.pdf",
        ))
        .await;
    assert_eq!(changed.outcome, "held_for_review");
    assert!(scenario
        .problems(changed.id)
        .await
        .contains(&"organisation.already_member".to_owned()));
    let acks = scenario
        .outbox()
        .await
        .into_iter()
        .filter(|row| row.purpose == "acknowledgement")
        .count();
    assert_eq!(acks, 1, "never acknowledged twice");
    assert_eq!(scenario.member(MEUSE).await.effective_date, effective);
}

#[tokio::test]
async fn a_reserved_group_is_ineligible_and_the_coordination_can_register_without_it() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::membership(
            "claire.wathelet@residence-tilleuls.example",
            TILLEULS,
            "tilleuls-reserved-group.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "ineligible");
    assert!(scenario
        .problems(handled.id)
        .await
        .contains(&"working_group.decarbonisation_reserved_to_hospitals".to_owned()));
    let reply = &scenario.replies_to(handled.id).await[0];
    assert_eq!(reply.purpose, "ineligible");
    let text = sent_text(reply);
    assert!(text.contains("réservé aux hôpitaux"), "{text}");
    assert!(
        text.contains("renvoyer le formulaire signé sans ce groupe"),
        "{text}"
    );
    assert!(
        text.contains("enregistre votre adhésion sans ce groupe"),
        "{text}"
    );
    assert!(
        !text.contains("prend effet à la date de la présente"),
        "{text}"
    );
    assert_eq!(scenario.member(TILLEULS).await.status, "pending");

    let approval = Approval {
        by: "Marie Lecomte (SPW)".to_owned(),
        drop_group: Some(mailroom::form::record::WorkingGroupCode::Decarbonisation),
        ..Approval::default()
    };
    let decision = scenario
        .workspace
        .pipeline
        .approve(handled.id, &approval, Some("accord téléphonique"))
        .await
        .expect("approve");
    assert_eq!(decision.outcome.as_str(), "registered");
    scenario.deliver_at(&fixed_clock()).await;
    let member = scenario.member(TILLEULS).await;
    assert_eq!(member.status, "active");
    assert_eq!(member.effective_date.as_deref(), Some("2026-11-23"));
    let groups: Vec<Value> = serde_json::from_str(&member.working_groups).expect("groups");
    let codes: Vec<&str> = groups.iter().filter_map(|g| g["code"].as_str()).collect();
    assert_eq!(codes, vec!["elderly_awareness"]);
    let ack = scenario
        .replies_to(handled.id)
        .await
        .into_iter()
        .find(|row| row.purpose == "acknowledgement")
        .expect("the confirmation follows the approval");
    assert_eq!(ack.status, "sent");
    // Logged with who decided; a second decision is refused.
    let again = scenario
        .workspace
        .pipeline
        .reject(handled.id, "Autre personne", None)
        .await;
    assert!(again.is_err());
}

#[tokio::test]
async fn two_organisation_types_ticked_are_held_and_the_reply_is_not_a_confirmation() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::membership(
            "lucie.hansen@val-fictif.example",
            "Clinique du Val Fictif",
            "two-types-ticked.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert!(scenario
        .problems(handled.id)
        .await
        .contains(&"organisation.type_multiple".to_owned()));
    let reply = &scenario.replies_to(handled.id).await[0];
    assert_eq!(reply.purpose, "under_review");
    let text = sent_text(reply);
    assert!(
        text.contains("Plusieurs types d’organisation sont cochés"),
        "{text}"
    );
    assert!(
        text.contains("n’est pas la confirmation de réception"),
        "{text}"
    );
    assert_eq!(
        scenario.member("Clinique du Val Fictif").await.status,
        "pending"
    );
}

#[tokio::test]
async fn a_form_under_another_subject_is_held_as_a_probable_membership() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(
            &Mail::new(
                MEUSE_DIRECTION,
                "Document demandé",
                "Bonjour,\n\nVoici le document.\n",
            )
            .with_pdf("haute-meuse-complete.pdf"),
        )
        .await;
    assert_eq!(handled.kind, "unclassified");
    assert_eq!(handled.outcome, "held_for_review");
    assert!(scenario
        .problems(handled.id)
        .await
        .contains(&"form.under_other_subject".to_owned()));
    assert!(
        scenario.members().await.is_empty(),
        "nothing recorded before a coordinator"
    );
    let approval = Approval {
        by: "Jean Dewez (AVIQ)".to_owned(),
        ..Approval::default()
    };
    let decision = scenario
        .workspace
        .pipeline
        .approve(handled.id, &approval, None)
        .await
        .expect("approve");
    assert_eq!(decision.outcome.as_str(), "registered");
}

#[tokio::test]
async fn a_membership_mail_without_its_form_is_incomplete_and_the_reply_asks_for_the_signed_form() {
    // Issue [doubt] 5: nothing was unreadable, the form is missing.
    let mut scenario = Scenario::new().await;
    let cases = [
        Mail::new(
            MEUSE_DIRECTION,
            "ASeT-W — Convention d’engagement — CHR Haute-Meuse",
            "Bonjour,\n\nNous souhaitons adhérer.\n",
        ),
        // Only an unrelated PDF: still no form.
        Mail::new(
            MEUSE_DIRECTION,
            "ASeT-W — Convention d’engagement — CHR Haute-Meuse",
            "Bonjour,\n\nVeuillez trouver ci-joint notre formulaire.\n",
        )
        .with_pdf("forms/not-the-form.pdf"),
    ];
    for mail in &cases {
        let handled = scenario.receive(mail).await;
        assert_eq!(handled.outcome, "incomplete");
        assert!(scenario
            .problems(handled.id)
            .await
            .contains(&"attachment.missing_form".to_owned()));
        let reply = &scenario.replies_to(handled.id).await[0];
        assert_eq!(reply.purpose, "incomplete");
        let text = sent_text(reply);
        assert!(
            text.contains("le formulaire d’adhésion signé n’y est pas joint"),
            "{text}"
        );
        assert!(
            !text.contains("Nous avons bien reçu le formulaire"),
            "{text}"
        );
        assert!(
            text.contains("n’est pas la confirmation de réception"),
            "{text}"
        );
    }
    assert!(scenario.members().await.is_empty(), "nobody recorded");
}

#[tokio::test]
async fn a_damaged_or_locked_pdf_stays_unreadable_with_a_precise_reply_and_records_nobody() {
    let mut scenario = Scenario::new().await;
    for (pdf, problem) in [
        ("forms/truncated.pdf", "pdf.corrupt"),
        ("forms/encrypted-user-password.pdf", "pdf.encrypted"),
    ] {
        let handled = scenario
            .receive(
                &Mail::new(
                    MEUSE_DIRECTION,
                    "ASeT-W — Convention d’engagement — CHR Haute-Meuse",
                    "Bonjour,\n\nCi-joint notre formulaire.\n",
                )
                .with_pdf(pdf),
            )
            .await;
        assert_eq!(handled.outcome, "unreadable", "{pdf}");
        assert!(scenario
            .problems(handled.id)
            .await
            .contains(&problem.to_owned()));
        let reply = &scenario.replies_to(handled.id).await[0];
        assert_eq!(reply.purpose, "unreadable");
    }
    assert!(scenario.members().await.is_empty());
}

// ── Matching organisations ──────────────────────────────────────────────────────────────

#[tokio::test]
async fn similar_names_are_never_confused_and_an_acronym_goes_to_a_coordinator() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let sambre = scenario
        .receive(&Mail::membership(
            "michel.renard@chr-hautesambre.example",
            SAMBRE,
            "haute-sambre-complete.pdf",
        ))
        .await;
    assert_eq!(
        sambre.outcome, "registered",
        "a second member, not Haute-Meuse"
    );
    assert_eq!(scenario.members().await.len(), 2);

    // Named by acronym: a near match, held; nothing changes.
    let by_acronym = scenario
        .receive(&Mail::new(
            "someone@gmail.com",
            "ASeT-W — CHR Haute-Meuse — point de contact",
            "Nom : Martin\nPrénom : Julie\nFonction : Coordinatrice\nEmail : julie.martin@chr-hautemeuse.example\nTéléphone : 082 21 40 30\n",
        ))
        .await;
    assert_eq!(by_acronym.outcome, "held_for_review");
    assert!(scenario
        .problems(by_acronym.id)
        .await
        .contains(&"organisation.near_match".to_owned()));

    // Named without accents or capitals, by its contact point: applied to Haute-Meuse only.
    let plain = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            "ASeT-W — centre hospitalier regional de la haute meuse — point de contact",
            "Bonjour,\n\nMa successeure comme point de contact sera Mme Julie Martin, coordinatrice environnement, joignable au 082 21 40 30 ou par mail à julie.martin@chr-hautemeuse.example.\n\nCordialement,\nPaul Lambert\nCoordinateur développement durable\n082/21.40.17\n",
        ))
        .await;
    assert_eq!(plain.outcome, "contact_updated");
    assert_eq!(
        contact_email(&scenario.member(MEUSE).await).as_deref(),
        Some(MEUSE_SUCCESSOR)
    );
    assert_eq!(
        contact_email(&scenario.member(SAMBRE).await),
        None,
        "Haute-Sambre untouched (its representative is its contact)"
    );
}

// ── Point of contact (art. 4.2) ─────────────────────────────────────────────────────────

#[tokio::test]
async fn membership_then_contact_change_then_resignation_by_the_new_contact() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let change = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            &format!("ASeT-W — {MEUSE} — point de contact"),
            "Bonjour,\n\nÀ partir du 1er décembre, le point de contact pour notre institution est Madame Julie Martin (julie.martin@chr-hautemeuse.example, 082 21 40 30), coordinatrice environnement.\n\nBien à vous,\nPaul Lambert\n",
        ).with_dmarc("pass"))
        .await;
    assert_eq!(change.outcome, "contact_updated");
    let member = scenario.member(MEUSE).await;
    let contact: Value = serde_json::from_str(&member.contact_point).expect("contact");
    assert_eq!(contact["last_name"], "Martin");
    assert_eq!(contact["first_name"], "Julie");
    assert_eq!(contact["email"], MEUSE_SUCCESSOR);
    // Both the new and the old contact get the confirmation.
    let reply = &scenario.replies_to(change.id).await[0];
    assert_eq!(reply.purpose, "contact_updated");
    assert_eq!(recipients(reply), vec![MEUSE_SUCCESSOR, MEUSE_CONTACT]);
    // The history keeps the previous contact.
    let history = scenario.history(&member).await;
    let update = history
        .iter()
        .find(|e| e.event == "contact_updated")
        .expect("event");
    assert!(update.detail.contains(MEUSE_CONTACT), "{}", update.detail);

    // The old contact can no longer resign for the member…
    let old = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous résilions notre convention.\n",
        ))
        .await;
    assert_eq!(old.outcome, "held_for_review");
    assert!(scenario
        .problems(old.id)
        .await
        .contains(&"sender.not_authorised".to_owned()));
    assert_eq!(scenario.member(MEUSE).await.status, "active");
    // …the reply does not tell them they may not write.
    let reply = &scenario.replies_to(old.id).await[0];
    assert_eq!(reply.purpose, "under_review");
    assert!(!sent_text(reply).contains("ni le point de contact"));

    // The new contact can.
    let resignation = scenario
        .receive(&Mail::new(
            MEUSE_SUCCESSOR,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous vous informons de la résiliation de notre convention d’engagement.\n\nJulie Martin\n",
        ))
        .await;
    assert_eq!(resignation.outcome, "resigned");
    let member = scenario.member(MEUSE).await;
    assert_eq!(member.status, "resigned");
    assert_eq!(member.resigned_date.as_deref(), Some("2026-11-23"));
    assert_eq!(member.effective_date.as_deref(), Some("2026-11-23"), "kept");
    let reply = &scenario.replies_to(resignation.id).await[0];
    assert_eq!(reply.purpose, "resigned");
    let text = sent_text(reply);
    assert!(text.contains("liste officielle des signataires"), "{text}");
    assert!(
        text.contains("Décarbonation"),
        "the groups it leaves: {text}"
    );
}

#[tokio::test]
async fn a_contact_change_that_names_nobody_yet_or_comes_from_a_stranger_is_held() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let unnamed = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            &format!("ASeT-W — {MEUSE} — point de contact"),
            "Bonjour,\n\nJe quitte mes fonctions, mon remplaçant n’est pas encore désigné, nous vous tiendrons informés.\n\nPaul Lambert\n",
        ))
        .await;
    assert_eq!(unnamed.outcome, "held_for_review");
    assert_eq!(
        scenario.problems(unnamed.id).await,
        vec!["contact_change.details_missing"]
    );
    let stranger = scenario
        .receive(&Mail::new(
            "someone@other-hospital.example",
            &format!("ASeT-W — {MEUSE} — point de contact"),
            "Nom : Martin\nPrénom : Julie\nFonction : Coordinatrice\nEmail : julie.martin@chr-hautemeuse.example\nTéléphone : 082 21 40 30\n",
        ))
        .await;
    assert_eq!(stranger.outcome, "held_for_review");
    assert!(scenario
        .problems(stranger.id)
        .await
        .contains(&"sender.not_authorised".to_owned()));
    assert_eq!(
        contact_email(&scenario.member(MEUSE).await).as_deref(),
        Some(MEUSE_CONTACT),
        "nothing changed"
    );
}

#[tokio::test]
async fn the_legal_representative_may_change_the_contact_from_an_updated_form() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let change = scenario
        .receive(
            &Mail::new(
                MEUSE_DIRECTION,
                &format!("ASeT-W — {MEUSE} — point de contact"),
                "Bonjour,\n\nVeuillez trouver le formulaire mis à jour.\n",
            )
            .with_pdf("haute-meuse-updated.pdf"),
        )
        .await;
    assert_eq!(change.outcome, "contact_updated");
    assert_eq!(
        contact_email(&scenario.member(MEUSE).await).as_deref(),
        Some(MEUSE_SUCCESSOR)
    );
}

// ── Resignation (art. 6.3) ──────────────────────────────────────────────────────────────

#[tokio::test]
async fn a_resignation_before_any_membership_is_held() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous résilions.\n",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert_eq!(
        scenario.problems(handled.id).await,
        vec!["organisation.not_member"]
    );
}

#[tokio::test]
async fn a_resignation_with_a_spoofed_from_is_held_and_changes_nothing() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let handled = scenario
        .receive(
            &Mail::new(
                MEUSE_CONTACT,
                &format!("ASeT-W — {MEUSE} — Résiliation"),
                "Bonjour,\n\nNous résilions notre convention.\n",
            )
            .with_dmarc("fail"),
        )
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert!(scenario
        .problems(handled.id)
        .await
        .contains(&"sender.dmarc_fail".to_owned()));
    assert_eq!(scenario.member(MEUSE).await.status, "active");
}

#[tokio::test]
async fn the_legal_representative_resigning_while_a_contact_point_exists_is_held() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let handled = scenario
        .receive(&Mail::new(
            MEUSE_DIRECTION,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous résilions notre convention.\n",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert_eq!(
        scenario.problems(handled.id).await,
        vec!["sender.not_contact_point"]
    );
    // A coordinator confirms it: the member resigns.
    let approval = Approval {
        by: "Marie Lecomte (SPW)".to_owned(),
        ..Approval::default()
    };
    let decision = scenario
        .workspace
        .pipeline
        .approve(handled.id, &approval, Some("confirmé par téléphone"))
        .await
        .expect("approve");
    assert_eq!(decision.outcome.as_str(), "resigned");
    assert_eq!(scenario.member(MEUSE).await.status, "resigned");
}

#[tokio::test]
async fn a_withdrawal_from_one_group_is_held_and_its_approval_keeps_the_membership() {
    let mut scenario = Scenario::with_haute_meuse().await;
    let handled = scenario
        .receive(&Mail::new(
            MEUSE_CONTACT,
            &format!("ASeT-W — {MEUSE} — Résiliation"),
            "Bonjour,\n\nNous souhaitons nous retirer uniquement du GT Décarbonation, tout en restant membres de l’alliance.\n\nPaul Lambert\n",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert_eq!(
        scenario.problems(handled.id).await,
        vec!["resignation.partial_scope"]
    );
    let approval = Approval {
        by: "Marie Lecomte (SPW)".to_owned(),
        ..Approval::default()
    };
    scenario
        .workspace
        .pipeline
        .approve(handled.id, &approval, None)
        .await
        .expect("approve");
    let member = scenario.member(MEUSE).await;
    assert_eq!(member.status, "active");
    let groups: Vec<Value> = serde_json::from_str(&member.working_groups).expect("groups");
    let codes: Vec<&str> = groups.iter().filter_map(|g| g["code"].as_str()).collect();
    assert_eq!(codes, vec!["resilience"]);
    let mut conn = scenario
        .workspace
        .store()
        .pool()
        .acquire()
        .await
        .expect("conn");
    let requests = mailroom::store::groups::of_member(&mut conn, member.id)
        .await
        .expect("requests");
    let states: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.code.as_str(), r.state.as_str()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("decarbonisation", "withdrawn"),
            ("resilience", "requested")
        ],
        "out of that group only"
    );
}

// ── Outgoing mail ───────────────────────────────────────────────────────────────────────

#[tokio::test]
async fn no_reply_is_sent_to_a_no_reply_address_or_to_the_alliance_itself() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::membership(
            "no-reply@chr-hautemeuse.example",
            MEUSE,
            "haute-meuse-complete.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "registered");
    let ack = &scenario.replies_to(handled.id).await[0];
    // The people of the form are written to instead.
    assert_eq!(recipients(ack), vec![MEUSE_DIRECTION, MEUSE_CONTACT]);
    let own = scenario
        .receive(&Mail::new(
            "alliancesante.durable@spw.wallonie.be",
            "ASeT-W — Convention d’engagement — Test",
            "x",
        ))
        .await;
    assert!(scenario.replies_to(own.id).await.is_empty());
}

#[tokio::test]
async fn a_first_session_still_ahead_is_announced_and_member_values_are_escaped_in_html() {
    let rules = mailroom::rules::Rules::embedded().expect("rules");
    let context = serde_json::json!({
        "organisation": "Clinique <script>alert(1)</script> & Fils",
        "category": "hospital",
        "groups": [
            {"label": "Décarbonation", "first_session": "2026-04-20T11:30:00Z",
             "first_session_label": "le 20 avril 2026, l’après-midi"},
            {"label": "Achats durables", "first_session": "2026-04-21T07:00:00Z",
             "first_session_label": "le 21 avril 2026, le matin"},
        ],
    });
    // Sent on 20 April 2026 at 14:00 in Brussels: Décarbonation has started, not Achats.
    let sent: jiff::Zoned = "2026-04-20T14:00:00+02:00[Europe/Brussels]"
        .parse()
        .expect("instant");
    let rendered = outbox::render(&rules, "acknowledgement", &context, &sent).expect("renders");
    assert!(
        rendered
            .text
            .contains("Groupe « Achats durables » : sa première séance est programmée le 21 avril 2026, le matin."),
        "{}",
        rendered.text
    );
    assert!(
        rendered
            .text
            .contains("Le groupe « Décarbonation » a déjà tenu ses premières séances"),
        "{}",
        rendered.text
    );
    assert!(
        rendered.text.contains("le 20 avril 2026."),
        "{}",
        rendered.text
    );
    assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
    assert!(
        rendered.html.contains("&lt;script&gt;"),
        "{}",
        rendered.html
    );
    assert!(!rendered.subject.contains('\n'));
}

// ── Commands: members, members import, review, ack resend ───────────────────────────────

/// A folder laid out as `mailroom run` expects by default, with `mails` ingested and the
/// outbox delivered.
fn command_workspace(mails: &[Mail]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.path().join("mail/inbox").join(sub)).expect("maildir");
    }
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).expect("incoming");
    for (index, mail) in mails.iter().enumerate() {
        std::fs::write(
            incoming.join(format!("{:03}.eml", index + 1)),
            mail.bytes(index + 1),
        )
        .expect("write");
    }
    if !mails.is_empty() {
        let ingest = mailroom(dir.path(), &["ingest", "incoming"]);
        assert!(ingest.status.success(), "{}", stderr(&ingest));
    }
    let run = mailroom(dir.path(), &["run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));
    dir
}

fn members_json(dir: &std::path::Path, status: &str) -> Vec<Value> {
    let output = mailroom(dir, &["members", "--status", status, "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("JSON array")
}

#[test]
fn members_prints_the_stable_json_and_a_csv_for_excel() {
    let dir = command_workspace(&[
        Mail::membership(MEUSE_DIRECTION, MEUSE, "haute-meuse-complete.pdf"),
        Mail::membership(
            "lucie.hansen@val-fictif.example",
            "Clinique du Val Fictif",
            "two-types-ticked.pdf",
        ),
    ]);
    let active = members_json(dir.path(), "active");
    assert_eq!(active.len(), 1);
    let member = &active[0];
    for key in [
        "organisation",
        "category",
        "status",
        "effective_date",
        "resigned_date",
        "legal_representative",
        "contact_point",
        "working_groups",
    ] {
        assert!(member.get(key).is_some(), "{key}: {member}");
    }
    assert_eq!(member["organisation"], MEUSE);
    assert_eq!(member["status"], "active");
    assert!(member["effective_date"]
        .as_str()
        .is_some_and(|d| d.len() == 10));
    assert_eq!(member["resigned_date"], Value::Null);
    for key in ["last_name", "first_name", "function", "email", "phone"] {
        assert!(member["legal_representative"].get(key).is_some(), "{key}");
    }
    assert_eq!(member["contact_point"]["email"], MEUSE_CONTACT);
    assert_eq!(member["working_groups"][0]["code"], "decarbonisation");
    assert_eq!(
        member["working_groups"][0]["delegate"]["last_name"],
        "Lambert"
    );
    assert_eq!(members_json(dir.path(), "pending").len(), 1);
    assert_eq!(members_json(dir.path(), "all").len(), 2);

    let csv = mailroom(
        dir.path(),
        &["members", "--status", "all", "--format", "csv"],
    );
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert!(
        csv.stdout.starts_with("\u{feff}".as_bytes()),
        "BOM for Excel"
    );
    let text = stdout(&csv);
    assert!(
        text.contains("organisation;category;status;effective_date"),
        "{text}"
    );
    assert!(text.contains("\r\n"), "CRLF");
    assert!(text.contains("Centre Hospitalier Régional de la Haute-Meuse;hospital;active;"));
}

#[test]
fn members_import_brings_in_earlier_signatories_and_their_membership_mail_becomes_a_duplicate() {
    let dir = command_workspace(&[]);
    let import = serde_json::json!([{
        "organisation": MEUSE,
        "category": "hospital",
        "status": "active",
        "effective_date": "2026-03-02",
        "legal_representative": {"last_name": "Dupuis", "first_name": "Anne", "function": "Directrice générale",
                                 "email": MEUSE_DIRECTION, "phone": "082 21 40 00"},
        "contact_point": null,
        "working_groups": [{"code": "resilience", "delegate": {"last_name": "Collard", "first_name": "Sophie",
                            "function": "Responsable qualité", "email": null, "phone": null}}],
        "membership_message_id": "<signed-in-march@chr-hautemeuse.example>"
    }]);
    std::fs::write(dir.path().join("before.json"), import.to_string()).expect("write");
    let output = mailroom(
        dir.path(),
        &["members", "import", "before.json", "--by", "Marie Lecomte"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("1 organisation importée."));
    let members = members_json(dir.path(), "active");
    assert_eq!(members[0]["effective_date"], "2026-03-02");

    // The same mail delivered again after installation: a duplicate, never acknowledged.
    let redelivered = Mail::membership(MEUSE_DIRECTION, MEUSE, "haute-meuse-complete.pdf")
        .with_message_id("signed-in-march@chr-hautemeuse.example");
    std::fs::write(dir.path().join("again.eml"), redelivered.bytes(1)).expect("write");
    let ingest = mailroom(dir.path(), &["ingest", "again.eml"]);
    assert!(stdout(&ingest).contains("duplicate"), "{}", stdout(&ingest));

    // The CSV that `members` writes imports back; a malformed row imports nothing.
    let csv = mailroom(dir.path(), &["members", "--format", "csv"]);
    let fresh = command_workspace(&[]);
    std::fs::write(fresh.path().join("members.csv"), &csv.stdout).expect("write");
    let back = mailroom(fresh.path(), &["members", "import", "members.csv"]);
    assert!(back.status.success(), "{}", stderr(&back));
    let imported = members_json(fresh.path(), "all");
    assert_eq!(imported[0]["organisation"], MEUSE);
    assert_eq!(
        imported[0]["working_groups"][0]["delegate"]["last_name"],
        "Collard"
    );

    let text = String::from_utf8_lossy(&csv.stdout)
        .replace(MEUSE, "Autre Clinique")
        .replace("2026-03-02", "2 mars 2026");
    std::fs::write(fresh.path().join("bad.csv"), text).expect("write");
    let bad = mailroom(fresh.path(), &["members", "import", "bad.csv"]);
    assert_eq!(bad.status.code(), Some(2));
    // Line 1 says the file is internal, line 2 is the header: the row is line 3, as a
    // spreadsheet shows it.
    assert!(stderr(&bad).contains("ligne 3"), "{}", stderr(&bad));
    assert_eq!(
        members_json(fresh.path(), "all").len(),
        1,
        "nothing imported"
    );
}

#[test]
fn review_lists_shows_and_approves_with_who_decided() {
    let dir = command_workspace(&[Mail::membership(
        "claire.wathelet@residence-tilleuls.example",
        TILLEULS,
        "tilleuls-reserved-group.pdf",
    )]);
    let list = mailroom(dir.path(), &["review", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(stdout(&list).contains("ineligible"), "{}", stdout(&list));
    let show = mailroom(dir.path(), &["review", "show", "1"]);
    let text = stdout(&show);
    assert!(
        text.contains("working_group.decarbonisation_reserved_to_hospitals"),
        "{text}"
    );
    assert!(text.contains("Résidence Les Tilleuls"), "{text}");
    assert!(text.contains("ineligible à"), "the reply sent: {text}");

    let refused = mailroom(dir.path(), &["review", "approve", "1", "--by", " "]);
    assert_eq!(refused.status.code(), Some(2));
    let approve = mailroom(
        dir.path(),
        &[
            "review",
            "approve",
            "1",
            "--drop-group",
            "decarbonisation",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(approve.status.success(), "{}", stderr(&approve));
    assert!(
        stdout(&approve).contains("registered"),
        "{}",
        stdout(&approve)
    );
    let members = members_json(dir.path(), "active");
    assert_eq!(members.len(), 1);
    assert!(
        members[0]["effective_date"].is_string(),
        "the confirmation went out"
    );
    let show = stdout(&mailroom(dir.path(), &["review", "show", "1"]));
    assert!(show.contains("approve par Marie Lecomte (SPW)"), "{show}");
    assert!(stdout(&mailroom(dir.path(), &["review", "list"])).contains("Aucun message"));
}

#[test]
fn ack_resend_sends_a_marked_copy_that_never_moves_the_effective_date() {
    let dir = command_workspace(&[Mail::membership(
        MEUSE_DIRECTION,
        MEUSE,
        "haute-meuse-complete.pdf",
    )]);
    let before = members_json(dir.path(), "active")[0]["effective_date"].clone();
    let resend = mailroom(
        dir.path(),
        &[
            "ack",
            "resend",
            "1",
            "--to",
            "anne.dupuis@gmail.com",
            "--by",
            "Jean Dewez (AVIQ)",
        ],
    );
    assert!(resend.status.success(), "{}", stderr(&resend));
    assert!(stdout(&resend).contains("inchangée"), "{}", stdout(&resend));
    assert_eq!(
        members_json(dir.path(), "active")[0]["effective_date"],
        before
    );
    let copies: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path().join("mail/outbox"))
        .expect("outbox")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| t.contains("To: anne.dupuis@gmail.com"))
        })
        .collect();
    assert_eq!(copies.len(), 1);
    let eml = std::fs::read(&copies[0]).expect("read");
    let copy = mail_parser::MessageParser::default()
        .parse(&eml)
        .expect("a message");
    let text = copy.body_text(0).expect("text").into_owned();
    let effective = before.as_str().expect("date");
    assert!(
        text.contains("Copie de la confirmation de réception envoyée le"),
        "{text}"
    );
    assert!(
        text.contains("La date de prise d’effet de la convention reste le"),
        "{text} ({effective})"
    );
}

#[tokio::test]
async fn a_bounced_acknowledgement_is_matched_to_it_and_flagged_to_coordinators() {
    let scenario = Scenario::with_haute_meuse().await;
    let ack = scenario
        .outbox()
        .await
        .into_iter()
        .find(|row| row.purpose == "acknowledgement")
        .expect("acknowledgement");
    // Exchange's non-delivery report, returning the headers of our message.
    let report = format!(
        "From: Microsoft Outlook <MAILER-DAEMON@spw.wallonie.be>\r\n\
         To: alliancesante.durable@spw.wallonie.be\r\n\
         Subject: Undeliverable: ASeT-W — confirmation\r\n\
         Date: Mon, 23 Nov 2026 10:05:00 +0100\r\n\
         Message-ID: <ndr-1@spw.wallonie.be>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"ndr\"\r\n\r\n\
         --ndr\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Delivery has failed to these recipients: direction@chr-hautemeuse.example\r\n\
         --ndr\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns;spw.wallonie.be\r\n\r\nFinal-Recipient: rfc822;direction@chr-hautemeuse.example\r\n\
         Action: failed\r\nStatus: 5.1.1\r\n\r\n\
         --ndr\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         From: alliancesante.durable@spw.wallonie.be\r\nSubject: ASeT-W\r\nMessage-ID: <{}>\r\n\r\n\
         --ndr--\r\n",
        ack.message_id
    );
    let file = scenario.workspace.path("ndr.eml");
    std::fs::write(&file, report).expect("write");
    let handled = scenario.workspace.ingest(&[file]).await.remove(0);
    assert_eq!(handled.kind, "bounce");
    assert_eq!(handled.outcome, "held_for_review");
    assert_eq!(scenario.problems(handled.id).await, vec!["reply.bounced"]);
    assert!(
        scenario.replies_to(handled.id).await.is_empty(),
        "never answered"
    );
    let mut conn = scenario
        .workspace
        .store()
        .pool()
        .acquire()
        .await
        .expect("conn");
    let bounced_by: Option<i64> = sqlx::query_scalar("SELECT bounced_by FROM outbox WHERE id = ?1")
        .bind(ack.id)
        .fetch_one(&mut *conn)
        .await
        .expect("row");
    assert_eq!(bounced_by, Some(handled.id));
    // An ordinary report about mail we never sent stays ignored.
    let other = scenario.workspace.path("other.eml");
    std::fs::write(
        &other,
        "From: MAILER-DAEMON@example.org\r\nTo: alliancesante.durable@spw.wallonie.be\r\nSubject: Undeliverable: x\r\nMessage-ID: <ndr-2@example.org>\r\nDate: Mon, 23 Nov 2026 10:06:00 +0100\r\n\r\nno\r\n",
    )
    .expect("write");
    let ignored = scenario.workspace.ingest(&[other]).await.remove(0);
    assert_eq!(ignored.outcome, "ignored");
}

#[tokio::test]
async fn a_loop_with_another_robot_stops_at_the_per_recipient_limit() {
    let mut scenario = Scenario::new().await;
    for _ in 0..22 {
        scenario
            .arrives(&Mail::new(
                "robot@loop.example",
                "ASeT-W — Convention d’engagement — Boucle",
                "Bonjour,\n",
            ))
            .await;
    }
    let to_robot = scenario
        .outbox()
        .await
        .iter()
        .filter(|row| recipients(row).contains(&"robot@loop.example".to_owned()))
        .count();
    assert_eq!(to_robot, 20, "at most 20 a day to one address");
}

#[tokio::test]
async fn the_word_form_instead_of_the_signed_pdf_is_read_and_held_for_a_coordinator() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::membership(
            "direction@chbs.example",
            "Centre Hospitalier de la Basse-Sambre",
            "forms/a-hospital-complete.docx",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    assert!(scenario
        .problems(handled.id)
        .await
        .contains(&"attachment.not_pdf".to_owned()));
    let member = scenario
        .member("Centre Hospitalier de la Basse-Sambre")
        .await;
    assert_eq!(member.status, "pending", "recorded, not registered");
    let reply = &scenario.replies_to(handled.id).await[0];
    assert_eq!(reply.purpose, "under_review");
    assert!(
        sent_text(reply).contains("format Word"),
        "{}",
        sent_text(reply)
    );
}

#[test]
fn ingest_without_replies_records_the_past_but_acts_on_nothing() {
    let dir = command_workspace(&[]);
    std::fs::write(
        dir.path().join("old.eml"),
        Mail::membership(MEUSE_DIRECTION, MEUSE, "haute-meuse-complete.pdf").bytes(1),
    )
    .expect("write");
    let ingest = mailroom(dir.path(), &["ingest", "--no-replies", "old.eml"]);
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    assert!(stdout(&ingest).contains("ignored"), "{}", stdout(&ingest));
    assert!(
        members_json(dir.path(), "all").is_empty(),
        "no member made from the past"
    );
    let run = mailroom(dir.path(), &["run", "--once"]);
    assert!(run.status.success());
    let sent = std::fs::read_dir(dir.path().join("mail/outbox"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(sent, 0, "nothing was queued");
}

#[test]
fn ingest_delivers_what_it_queued_so_the_membership_takes_effect_before_it_exits() {
    // Issue [doubt] 7: `ingest` is the full pipeline, confirmation included.
    let dir = command_workspace(&[]);
    std::fs::write(
        dir.path().join("new.eml"),
        Mail::membership(MEUSE_DIRECTION, MEUSE, "haute-meuse-complete.pdf").bytes(1),
    )
    .expect("write");
    let ingest = mailroom(dir.path(), &["ingest", "new.eml"]);
    assert!(ingest.status.success(), "{}", stderr(&ingest));
    let out = stdout(&ingest);
    assert!(out.contains("registered"), "{out}");
    assert!(
        out.contains("Envois : 1 livré, 0 à réessayer, 0 en échec."),
        "{out}"
    );
    let active = members_json(dir.path(), "active");
    assert_eq!(active.len(), 1, "active once its confirmation left");
    assert!(active[0]["effective_date"].is_string(), "{:?}", active[0]);
    let sent = std::fs::read_dir(dir.path().join("mail/outbox"))
        .expect("outbox")
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "eml"))
        })
        .count();
    assert_eq!(sent, 1, "the confirmation is in the outbox folder");
}

#[tokio::test]
async fn a_confirmation_refused_for_good_is_sent_again_as_the_confirmation() {
    let dir = command_workspace(&[Mail::membership(
        MEUSE_DIRECTION,
        MEUSE,
        "haute-meuse-complete.pdf",
    )]);
    // As if the relay had refused it for good: never reached the member.
    {
        let store = mailroom::store::Store::open(&dir.path().join("mailroom.db"))
            .await
            .expect("store");
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = 'permanent failure: 550 5.1.1 no such user'",
        )
            .execute(&mut *conn)
            .await
            .expect("fail it");
        sqlx::query("UPDATE members SET effective_date = NULL, acknowledgement_id = NULL")
            .execute(&mut *conn)
            .await
            .expect("no date");
    }
    let resend = mailroom(
        dir.path(),
        &["ack", "resend", "1", "--by", "Marie Lecomte (SPW)"],
    );
    assert!(resend.status.success(), "{}", stderr(&resend));
    assert!(
        stdout(&resend).contains("sera la date de prise d’effet"),
        "{}",
        stdout(&resend)
    );
    let member = &members_json(dir.path(), "active")[0];
    assert!(
        member["effective_date"].is_string(),
        "set by the confirmation that went out"
    );
}

#[tokio::test]
async fn a_confirmation_abandoned_after_temporary_errors_is_resent_only_when_forced() {
    let dir = command_workspace(&[Mail::membership(
        MEUSE_DIRECTION,
        MEUSE,
        "haute-meuse-complete.pdf",
    )]);
    {
        let store = mailroom::store::Store::open(&dir.path().join("mailroom.db"))
            .await
            .expect("store");
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = 'temporary failure: timed out after DATA'",
        )
        .execute(&mut *conn)
        .await
        .expect("fail it");
        sqlx::query("UPDATE members SET effective_date = NULL, acknowledgement_id = NULL")
            .execute(&mut *conn)
            .await
            .expect("no date");
    }
    let refused = mailroom(dir.path(), &["ack", "resend", "1", "--by", "Marie Lecomte"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("elle a pu arriver"),
        "{}",
        stderr(&refused)
    );
    let forced = mailroom(
        dir.path(),
        &["ack", "resend", "1", "--force", "--by", "Marie Lecomte"],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(members_json(dir.path(), "active")[0]["effective_date"].is_string());
}

/// Issue 17, situation 4: a scan read by OCR whose signature, date or delegates were not
/// found is held for a coordinator with `pdf.no_text_layer` — never an `incomplete`
/// reply telling the member that their signed form is not signed. The reply says the
/// scan will be checked, and names nothing as missing.
#[tokio::test]
async fn a_scan_whose_signature_ocr_did_not_find_is_held_never_incomplete() {
    let mut scenario = Scenario::new().await;
    let handled = scenario
        .receive(&Mail::membership(
            "direction@chbs.example",
            "Centre Hospitalier de la Basse-Sambre",
            "forms/scans/unsigned-g4-200-hospital.pdf",
        ))
        .await;
    assert_eq!(handled.outcome, "held_for_review");
    let problems = scenario.problems(handled.id).await;
    assert!(
        problems.contains(&"pdf.no_text_layer".to_owned()),
        "{problems:?}"
    );
    for absent in [
        "signature.missing",
        "signature.date_missing",
        "working_group.delegate_missing",
    ] {
        assert!(
            !problems.contains(&absent.to_owned()),
            "{absent}: {problems:?}"
        );
    }
    let replies = scenario.replies_to(handled.id).await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].purpose, "under_review");
    let text = sent_text(&replies[0]);
    assert!(!text.contains("pas signé"), "{text}");
    assert!(text.contains("image (scan)"), "{text}");
}
