//! The coordinators' digest, the public list of signatories, tasks, consent and exports
//! (issue [digest-audit]), over a scripted history driven through the binary.

use serde_json::Value;

use crate::groups::{membership, Year, ARDENNE, FAGNES};
use crate::workflows::Mail;

const MEUSE: &str = "Centre Hospitalier Régional de la Haute-Meuse";

/// March 2026: two registrations, an incomplete form, a question nobody can answer
/// automatically — each arriving at 07:00 in Brussels, before the daemon's digest hour.
fn march() -> Year {
    let mut year = Year::new();
    let ardenne = year.receive(
        "2026-03-03T06:00:00Z",
        &membership(
            "direction@clinique-ardenne.example",
            ARDENNE,
            "year-ardenne.pdf",
        ),
    );
    assert_eq!(ardenne["outcome"], "registered");
    let meuse = year.receive(
        "2026-03-04T06:00:00Z",
        &membership(
            "direction@chr-hautemeuse.example",
            MEUSE,
            "haute-meuse-incomplete.pdf",
        ),
    );
    assert_eq!(meuse["outcome"], "incomplete");
    let question = year.receive(
        "2026-03-05T06:00:00Z",
        &Mail::new(
            "curieux@exemple-citoyen.example",
            "Question sur l’alliance",
            "Bonjour,\n\nComment devient-on membre ?\n",
        ),
    );
    assert_eq!(question["outcome"], "held_for_review");
    let fagnes = year.receive(
        "2026-03-11T06:00:00Z",
        &membership(
            "direction@fagnes-fictives.example",
            FAGNES,
            "year-fagnes.pdf",
        ),
    );
    assert_eq!(fagnes["outcome"], "registered");
    year
}

fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text
        .find(title)
        .unwrap_or_else(|| panic!("no section {title} in:\n{text}"));
    let rest = &text[start..];
    let end = rest[title.len()..]
        .find("\n\n")
        .map_or(rest.len(), |at| at + title.len());
    &rest[..end]
}

#[test]
fn the_digest_says_what_is_new_and_what_waits_for_someone() {
    let year = march();
    let text = year.run(
        "2026-03-12T07:30:00Z",
        &[
            "digest",
            "--since",
            "2026-03-01",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(text.contains("synthèse du 12 mars 2026"), "{text}");
    let new = section(&text, "NOUVEAUX MEMBRES (2)");
    assert!(
        new.contains("Clinique Fictive de l’Ardenne — Hôpital — membre depuis le 3 mars 2026"),
        "{new}"
    );
    assert!(
        new.contains("confirmation envoyée à direction@clinique-ardenne.example"),
        "{new}"
    );
    assert!(
        new.contains("Maison de repos Les Fagnes Fictives — Établissement pour aînés"),
        "{new}"
    );
    let pending = section(&text, "FORMULAIRES À COMPLÉTER (1)");
    assert!(
        pending.contains(MEUSE) && pending.contains("depuis le 4 mars 2026"),
        "{pending}"
    );
    assert!(
        pending.contains("téléphone du représentant légal"),
        "what is missing: {pending}"
    );
    let held = section(&text, "MESSAGES EN ATTENTE DE VÉRIFICATION (1)");
    assert!(held.contains("curieux@exemple-citoyen.example"), "{held}");
    let tasks = section(&text, "TÂCHES OUVERTES (4)");
    assert_eq!(tasks.matches("Publier sur le site").count(), 2, "{tasks}");
    assert_eq!(
        tasks
            .matches("Envoyer l’accès à la Communauté de Pratiques")
            .count(),
        2,
        "{tasks}"
    );
    let fills = section(&text, "REMPLISSAGE DES GROUPES THÉMATIQUES");
    assert!(
        fills.contains("Résilience aux effets du dérèglement climatique : 0 place sur 1 à 2 (0 hôpital, 0 établissement pour aînés), 2 demandes à décider"),
        "{fills}"
    );
    assert!(
        !text.contains("DÉCISIONS DE GT"),
        "nothing due before 2 April: {text}"
    );

    // Three weeks later: Ardenne's decisions are overdue, its CdP access too.
    let april = year.run("2026-04-03T07:30:00Z", &["digest", "--since", "2026-03-13"]);
    assert!(!april.contains("NOUVEAUX MEMBRES"), "{april}");
    let due = section(&april, "DÉCISIONS DE GT À NOTIFIER");
    assert!(due.contains("Clinique Fictive de l’Ardenne — Résilience aux effets du dérèglement climatique : échéance le 2 avril 2026 — EN RETARD"), "{due}");
    assert!(due.contains("Maison de repos Les Fagnes Fictives — Résilience aux effets du dérèglement climatique : échéance le 10 avril 2026"), "{due}");
    let cdp = section(&april, "ACCÈS À LA COMMUNAUTÉ DE PRATIQUES À ENVOYER");
    assert!(
        cdp.contains("Clinique Fictive de l’Ardenne : échéance le 2 avril 2026 — EN RETARD"),
        "{cdp}"
    );
}

#[test]
fn a_resignation_a_bounce_and_closed_tasks_show_in_the_next_digest() {
    let mut year = march();
    let resigned = year.receive(
        "2026-03-20T09:00:00Z",
        &Mail::new(
            "direction@clinique-ardenne.example",
            &format!("ASeT-W — {ARDENNE} — Résiliation"),
            "Bonjour,\n\nNous résilions notre convention d’engagement.\n",
        ),
    );
    assert_eq!(resigned["outcome"], "resigned");
    // The relay refused Fagnes' confirmation for good.
    let db = year.path().join("mailroom.db");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.display()))
            .await
            .expect("db");
        sqlx::query(
            "UPDATE outbox SET status = 'failed', last_error = '550 5.1.1 Utilisateur inconnu'
             WHERE id = (SELECT acknowledgement_id FROM members WHERE name LIKE 'Maison%')",
        )
        .execute(&pool)
        .await
        .expect("update");
    });
    let tasks: Vec<Value> = serde_json::from_str(&year.run(
        "2026-03-20T10:00:00Z",
        &["tasks", "list", "--format", "json"],
    ))
    .expect("tasks JSON");
    let kinds: Vec<&str> = tasks.iter().filter_map(|t| t["kind"].as_str()).collect();
    for kind in ["remove_website", "revoke_cdp_access", "remove_from_groups"] {
        assert!(
            kinds.contains(&kind),
            "the resignation opens {kind}: {kinds:?}"
        );
    }
    let publish = tasks
        .iter()
        .find(|t| t["kind"] == "publish_website" && t["organisation"] == FAGNES)
        .expect("publish Fagnes");
    let id = publish["id"].as_i64().expect("id").to_string();
    let done = year.run(
        "2026-03-20T10:00:00Z",
        &["tasks", "done", &id, "--by", "Luc Martin (AVIQ)"],
    );
    assert!(done.contains("Publier sur le site"), "{done}");
    // A task is closed once.
    year.refuses(
        "2026-03-20T10:00:00Z",
        &["tasks", "done", &id, "--by", "Luc Martin (AVIQ)"],
    );

    let text = year.run("2026-03-21T07:30:00Z", &["digest", "--since", "2026-03-13"]);
    let resignations = section(&text, "RÉSILIATIONS (1)");
    assert!(
        resignations.contains(
            "Clinique Fictive de l’Ardenne, le 20 mars 2026 — quitte : Achats durables, Résilience"
        ),
        "{resignations}"
    );
    let undelivered = section(&text, "MESSAGES NON REMIS (1)");
    assert!(
        undelivered.contains("refusé par le relais (550 5.1.1 Utilisateur inconnu)"),
        "{undelivered}"
    );
    let open = section(&text, "TÂCHES OUVERTES");
    assert!(
        !open.contains("Publier sur le site — Maison de repos"),
        "closed tasks leave: {open}"
    );
    assert!(
        open.contains("Retirer du site — Clinique Fictive de l’Ardenne"),
        "{open}"
    );
}

#[test]
fn the_digest_goes_to_the_coordinators_and_each_locomotive_gets_its_group_only() {
    let year = march();
    let said = year.run("2026-03-12T07:30:00Z", &["digest", "--send"]);
    assert!(said.contains("coordination@spw.test"), "{said}");
    let coordination = year.sent_containing("To: coordination@spw.test");
    assert_eq!(coordination.len(), 1, "one digest for the coordination");
    assert!(
        coordination[0].contains(MEUSE),
        "pending forms are the coordination's"
    );
    let locomotive = year.sent_containing(
        "pour le groupe thématique « Résilience aux effets du dérèglement climatique »",
    );
    assert_eq!(
        locomotive.len(),
        1,
        "one for the resilience Locomotive: {said}"
    );
    let part = &locomotive[0];
    assert!(
        part.contains("pilote.resilience@aviq.test")
            && part.contains("referent.resilience@spw.test")
    );
    assert!(
        !part.contains(MEUSE),
        "not the other groups' or the coordination's matters"
    );
    assert!(!part.contains("curieux@exemple-citoyen.example"));
    // The next digest starts where this one ended: nothing new for the Locomotive.
    let next = year.run("2026-03-13T07:30:00Z", &["digest", "--send"]);
    assert!(next.contains("coordinators"), "{next}");
    assert!(
        !next.contains("gt.resilience"),
        "an empty part is not sent to a Locomotive: {next}"
    );
}

#[test]
fn with_nothing_new_the_digest_is_one_line() {
    let year = Year::new();
    let text = year.run("2026-03-12T07:30:00Z", &["digest", "--since", "2026-03-11"]);
    assert!(
        text.contains("Rien de nouveau depuis le 11 mars 2026 à 00:00."),
        "{text}"
    );
    assert!(
        text.lines().filter(|l| !l.trim().is_empty()).count() <= 3,
        "{text}"
    );
}

#[test]
fn the_html_digest_is_self_contained_and_well_formed() {
    let year = march();
    year.run(
        "2026-03-12T09:00:00Z",
        &[
            "groups",
            "assign",
            FAGNES,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    year.run(
        "2026-03-12T09:00:00Z",
        &[
            "groups",
            "assign",
            FAGNES,
            "elderly_awareness",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    let html = year.run(
        "2026-04-03T07:30:00Z",
        &["digest", "--since", "2026-03-01", "--format", "html"],
    );
    for forbidden in ["<script", "src=", "http://", "https://", "<link", "url("] {
        assert!(
            !html.contains(forbidden),
            "external or active content {forbidden}"
        );
    }
    assert!(html.contains("<table"), "tables for Outlook");
    let mut reader = quick_xml::Reader::from_str(&html);
    let mut depth = 0_i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("not well-formed at {}: {error}", reader.buffer_position()),
        }
    }
    assert_eq!(depth, 0, "every element closed");
    std::fs::write(year.path().join("digest.html"), &html).expect("write");
    if let Some(png) = crate::support::chromium_screenshot(&year.path().join("digest.html")) {
        assert!(png.len() > 10_000, "a real rendering");
        // `MAILROOM_SCREENSHOT=docs/digest.png cargo test the_html_digest` refreshes the
        // README's picture.
        if let Some(target) = std::env::var_os("MAILROOM_SCREENSHOT") {
            std::fs::write(target, &png).expect("keep the screenshot");
        }
    }
}

#[test]
fn the_list_of_signatories_names_organisations_never_people() {
    let mut year = march();
    year.receive(
        "2026-03-20T09:00:00Z",
        &Mail::new(
            "direction@clinique-ardenne.example",
            &format!("ASeT-W — {ARDENNE} — Résiliation"),
            "Bonjour,\n\nNous résilions notre convention d’engagement.\n",
        ),
    );
    let now = "2026-03-21T09:00:00Z";
    let list: Vec<Value> =
        serde_json::from_str(&year.run(now, &["signatories", "--format", "json"])).expect("JSON");
    assert_eq!(list.len(), 1, "active members only: {list:#?}");
    assert_eq!(list[0]["organisation"], FAGNES);
    assert_eq!(list[0]["municipality"], "Waimes");
    assert_eq!(list[0]["effective_date"], "2026-03-11");
    for format in ["csv", "json", "html"] {
        let out = year.run(now, &["signatories", "--format", format]);
        assert!(!out.contains('@'), "no e-mail address in {format}: {out}");
        for name in ["Lemaire", "Hugo", "Noël", "Inès", "081 20 30"] {
            assert!(!out.contains(name), "no person in {format}: {name}");
        }
    }
    let changes: Vec<Value> = serde_json::from_str(&year.run(
        now,
        &[
            "signatories",
            "--changes-since",
            "2026-03-15",
            "--format",
            "json",
        ],
    ))
    .expect("JSON");
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0]["change"], "removed");
    assert_eq!(changes[0]["organisation"], ARDENNE);
}

#[test]
fn consent_needs_the_members_own_message_and_exports_are_logged() {
    let year = march();
    let now = "2026-03-12T09:00:00Z";
    let none = year.run(now, &["consent", FAGNES]);
    assert!(
        none.contains("Aucun consentement"),
        "silence is never consent: {none}"
    );
    let bogus = year.refuses(
        now,
        &[
            "consent",
            FAGNES,
            "grant",
            "--scope",
            "Témoignage",
            "--evidence",
            "<inconnu@nulle-part>",
        ],
    );
    assert!(bogus.contains("n’est pas dans le journal"), "{bogus}");
    // Fagnes' membership mail is the 4th of the history.
    let granted = year.run(
        now,
        &[
            "consent",
            FAGNES,
            "grant",
            "--scope",
            "Témoignage dans la lettre d’information",
            "--evidence",
            "scenario-4@mail.example",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(granted.contains("accordé"), "{granted}");
    assert!(year
        .run(now, &["consent", FAGNES])
        .contains("Témoignage dans la lettre d’information"));

    let csv = year.run(
        now,
        &["members", "--format", "csv", "--by", "Marie Lecomte (SPW)"],
    );
    let first = csv.lines().next().expect("a line");
    assert!(
        first.contains("Usage interne"),
        "the internal export says so: {first}"
    );
    year.run(
        now,
        &[
            "groups",
            "assign",
            FAGNES,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    let roster = year.run(
        now,
        &[
            "roster",
            "--group",
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(
        roster
            .lines()
            .next()
            .is_some_and(|l| l.contains("Usage interne")),
        "{roster}"
    );
    assert!(
        roster.contains("ines.noel@fagnes-fictives.example"),
        "{roster}"
    );

    let db = year.path().join("mailroom.db");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let logged: Vec<(String, String, String)> = runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.display()))
            .await
            .expect("db");
        sqlx::query_as("SELECT command, by, filter FROM access_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("access log")
    });
    assert!(
        logged.contains(&(
            "members".to_owned(),
            "Marie Lecomte (SPW)".to_owned(),
            r#"{"status":"active"}"#.to_owned()
        )),
        "{logged:?}"
    );
    assert!(logged
        .iter()
        .any(|(command, _, filter)| command == "roster" && filter.contains("resilience")));
}

#[test]
fn the_daemon_sends_the_digest_on_working_day_mornings_only() {
    let year = march();
    let digests = |year: &Year| year.sent_containing("To: coordination@spw.test").len();
    // Friday 13 March 2026, 08:00 in Brussels: before the hour.
    year.run("2026-03-13T07:00:00Z", &["run", "--once"]);
    assert_eq!(digests(&year), 0);
    // 08:45: sent, and once only that day.
    year.run("2026-03-13T07:45:00Z", &["run", "--once"]);
    year.run("2026-03-13T10:00:00Z", &["run", "--once"]);
    assert_eq!(digests(&year), 1);
    // Saturday: nothing. Monday: the next one.
    year.run("2026-03-14T09:00:00Z", &["run", "--once"]);
    assert_eq!(digests(&year), 1);
    year.run("2026-03-16T08:00:00Z", &["run", "--once"]);
    assert_eq!(digests(&year), 2);
    // Easter Monday 2026 is a public holiday.
    year.run("2026-04-06T08:00:00Z", &["run", "--once"]);
    assert_eq!(digests(&year), 2);
}
