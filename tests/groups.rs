//! Working groups (issue [working-groups]): a year of the alliance driven through the real
//! binary in a few seconds, its clock set by `MAILROOM_NOW` at each step — memberships in
//! March, decisions due and overdue in April, a group over capacity, an absence forwarded
//! as it arrives, a late request in June, a resignation emptying a seat, a withdrawal
//! notified ahead.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{mailroom_at, repo, stderr, stdout};
use crate::workflows::Mail;

pub(crate) const ARDENNE: &str = "Clinique Fictive de l’Ardenne";
pub(crate) const CONDROZ: &str = "Hôpital Fictif du Condroz";
pub(crate) const FAGNES: &str = "Maison de repos Les Fagnes Fictives";
pub(crate) const GAUME: &str = "Centre Hospitalier Fictif de Gaume";
const PILOT: &str = "pilote.resilience@aviq.test";
const REFERENT: &str = "referent.resilience@spw.test";

/// A deployment folder: a configuration naming the roles, and the ASeT-W rules with the
/// groups' capacity set to two places (a revised annex is a rules change).
pub(crate) struct Year {
    pub(crate) dir: tempfile::TempDir,
    mails: usize,
}

impl Year {
    pub(crate) fn new() -> Year {
        let dir = tempfile::tempdir().expect("tempdir");
        let rules = dir.path().join("rules");
        copy_dir(&repo().join("rules/aset-w"), &rules);
        let groups = std::fs::read_to_string(rules.join("working_groups.toml")).expect("rules");
        std::fs::write(
            rules.join("working_groups.toml"),
            groups.replace(
                "capacity = { min = 20, max = 30 }",
                "capacity = { min = 1, max = 2 }",
            ),
        )
        .expect("write rules");
        std::fs::write(
            dir.path().join("mailroom.toml"),
            format!(
                "store = \"mailroom.db\"\nrules = \"rules\"\n[outbox]\ndir = \"outbox\"\n\
                 [roles]\ncoordinators = \"coordination@spw.test\"\n\
                 \"gt.resilience.pilot\" = \"{PILOT}\"\n\"gt.resilience.referent\" = [\"{REFERENT}\"]\n"
            ),
        )
        .expect("config");
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(dir.path().join("mail/inbox").join(sub)).expect("maildir");
        }
        Year { dir, mails: 0 }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `args` at `now` with the deployment's configuration; must succeed.
    pub(crate) fn run(&self, now: &str, args: &[&str]) -> String {
        let output = self.attempt(now, args);
        assert!(
            output.status.success(),
            "{args:?} failed: {}{}",
            stdout(&output),
            stderr(&output)
        );
        stdout(&output)
    }

    /// Runs `args` at `now`: must fail; returns what it said on stderr.
    pub(crate) fn refuses(&self, now: &str, args: &[&str]) -> String {
        let output = self.attempt(now, args);
        assert!(
            !output.status.success(),
            "{args:?} should fail: {}",
            stdout(&output)
        );
        stderr(&output)
    }

    pub(crate) fn attempt(&self, now: &str, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--config", "mailroom.toml"];
        all.extend_from_slice(args);
        mailroom_at(self.path(), now, &all)
    }

    /// `mail` arrives at `now`: ingested, then what it queued is delivered.
    pub(crate) fn receive(&mut self, now: &str, mail: &Mail) -> Value {
        self.mails += 1;
        let file = self.path().join(format!("incoming-{:03}.eml", self.mails));
        std::fs::write(&file, mail.bytes(self.mails)).expect("write mail");
        // A file's arrival time is its modification time: it arrives "now".
        let arrived: jiff::Timestamp = now.parse().expect("instant");
        std::fs::File::options()
            .write(true)
            .open(&file)
            .and_then(|f| f.set_modified(std::time::SystemTime::from(arrived)))
            .expect("set mtime");
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_owned();
        self.run(now, &["ingest", &name]);
        self.run(now, &["run", "--once"]);
        let log = self.run(now, &["log", "--format", "json"]);
        let rows: Vec<Value> = serde_json::from_str(&log).expect("log JSON");
        rows.into_iter()
            .find(|row| row["message_id"] == format!("scenario-{}@mail.example", self.mails))
            .expect("the message is in the log")
    }

    pub(crate) fn groups(&self, now: &str, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["groups", "list", "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.run(now, &args)).expect("groups JSON")
    }

    /// The sent messages whose text contains `needle`.
    pub(crate) fn sent_containing(&self, needle: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.path().join("outbox")) else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|e| e == "eml"))
            .map(|path| decoded(&path))
            .filter(|text| text.contains(needle))
            .collect()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target: PathBuf = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// A sent message's headers and decoded text parts, for assertions.
fn decoded(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("sent file");
    let message = mail_parser::MessageParser::default()
        .parse(&bytes)
        .expect("parses");
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for index in 0..message.text_body_count() {
        if let Some(body) = message.body_text(index) {
            text.push('\n');
            text.push_str(&body);
        }
    }
    text
}

pub(crate) fn membership(contact: &str, organisation: &str, pdf: &'static str) -> Mail {
    Mail::membership(contact, organisation, pdf)
}

fn row<'a>(rows: &'a [Value], organisation: &str, code: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["organisation"] == organisation && r["code"] == code)
        .unwrap_or_else(|| panic!("no row for {organisation} / {code} in {rows:#?}"))
}

#[test]
fn a_year_of_working_groups() {
    let mut year = Year::new();

    // March: three memberships. Each request's clock starts at the form's signature.
    for (now, contact, organisation, pdf) in [
        (
            "2026-03-03T09:00:00Z",
            "direction@clinique-ardenne.example",
            ARDENNE,
            "year-ardenne.pdf",
        ),
        (
            "2026-03-11T09:00:00Z",
            "direction@fagnes-fictives.example",
            FAGNES,
            "year-fagnes.pdf",
        ),
        (
            "2026-03-31T15:00:00Z",
            "direction@hopital-condroz.example",
            CONDROZ,
            "year-condroz.pdf",
        ),
    ] {
        let logged = year.receive(now, &membership(contact, organisation, pdf));
        assert_eq!(logged["outcome"], "registered", "{logged:#}");
    }
    let rows = year.groups("2026-04-01T08:00:00Z", &[]);
    assert_eq!(rows.len(), 5, "{rows:#?}");
    for key in [
        "organisation",
        "code",
        "state",
        "requested_at",
        "decided_at",
        "due_date",
        "delegate",
    ] {
        assert!(
            rows[0].get(key).is_some(),
            "stable key {key} missing: {:#}",
            rows[0]
        );
    }
    let ardenne = row(&rows, ARDENNE, "resilience");
    assert_eq!(ardenne["state"], "requested");
    assert_eq!(
        ardenne["due_date"], "2026-04-02",
        "signed 2 March: due 2 April"
    );
    assert_eq!(ardenne["decided_at"], Value::Null);
    assert_eq!(
        ardenne["delegate"]["email"],
        "ines.noel@clinique-ardenne.example"
    );
    assert_eq!(
        row(&rows, CONDROZ, "resilience")["due_date"],
        "2026-04-30",
        "signed 31 March: due at the end of April"
    );
    assert!(
        rows.iter().all(|r| r["late"] == false),
        "asked before the first sessions"
    );

    // 6 April: Ardenne's decisions are overdue, Fagnes' due on 10 April; Condroz's is
    // not due within the week.
    let due = year.groups("2026-04-06T08:00:00Z", &["--due"]);
    let mut names: Vec<(&str, &str, bool)> = due
        .iter()
        .map(|r| {
            (
                r["organisation"].as_str().expect("name"),
                r["code"].as_str().expect("code"),
                r["overdue"] == true,
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            (ARDENNE, "procurement", true),
            (ARDENNE, "resilience", true),
            (FAGNES, "elderly_awareness", false),
            (FAGNES, "resilience", false),
        ]
    );
    let table = year.run("2026-04-06T08:00:00Z", &["groups", "list", "--due"]);
    assert!(table.contains("EN RETARD"), "{table}");

    // 7 April: the Région assigns. Two places in this revised annex: the third needs
    // --over-capacity.
    let now = "2026-04-07T08:00:00Z";
    let said = year.run(
        now,
        &[
            "groups",
            "assign",
            ARDENNE,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(said.contains("demandé → affecté"), "{said}");
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
    let refused = year.refuses(
        now,
        &[
            "groups",
            "assign",
            CONDROZ,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(refused.contains("--over-capacity"), "{refused}");
    // A decision is never recorded twice.
    year.refuses(
        now,
        &[
            "groups",
            "assign",
            ARDENNE,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    let over = year.run(
        now,
        &[
            "groups",
            "assign",
            CONDROZ,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
            "--over-capacity",
        ],
    );
    assert!(over.contains("au-delà de la capacité"), "{over}");
    year.run(
        now,
        &[
            "groups",
            "refuse",
            ARDENNE,
            "procurement",
            "--by",
            "Marie Lecomte (SPW)",
            "--note",
            "Groupe complet cette année.",
        ],
    );
    let rows = year.groups(now, &[]);
    let assigned = row(&rows, ARDENNE, "resilience");
    assert_eq!(assigned["state"], "assigned");
    assert!(assigned["decided_at"]
        .as_str()
        .is_some_and(|at| at.starts_with("2026-04-07")));
    assert_eq!(assigned["decided_by"], "Marie Lecomte (SPW)");
    assert!(
        assigned["notified_at"].is_string(),
        "the notice went out: {assigned:#}"
    );
    // The official confirmation, to the contact (here the representative) and the delegate.
    let notices = year.sent_containing("confirmer officiellement l’intégration de l’organisation « Clinique Fictive de l’Ardenne »");
    assert_eq!(notices.len(), 1, "one notice");
    assert!(
        notices[0].contains("To: direction@clinique-ardenne.example"),
        "{}",
        notices[0]
    );
    assert!(
        notices[0].contains("Cc: ines.noel@clinique-ardenne.example"),
        "{}",
        notices[0]
    );
    let refusal = year.sent_containing("Groupe complet cette année.");
    assert_eq!(refusal.len(), 1, "the refusal states its reason");
    let table = year.run(now, &["groups", "list", "--group", "resilience"]);
    assert!(
        table.contains("3 places occupées sur 1 à 2 (2 hôpitaux, 1 établissement pour aînés)"),
        "{table}"
    );

    // 19 April, 10:00 in Brussels: an absence for tomorrow's session is forwarded at once
    // to the pilot and the référent, with the time we received it; nobody answers it.
    let absence = year.receive(
        "2026-04-19T08:00:00Z",
        &Mail::new(
            "ines.noel@clinique-ardenne.example",
            "ASeT-W — GT Résilience — Absence séance du 20 avril",
            "Bonjour,\n\nJe ne pourrai pas être présente demain.\n\nInès Noël\n",
        ),
    );
    assert_eq!(absence["kind"], "unclassified");
    assert_eq!(absence["outcome"], "forwarded");
    let forwards = year.sent_containing("Absence séance du 20 avril");
    let forward = forwards
        .iter()
        .find(|text| text.contains("To: "))
        .filter(|text| text.contains(PILOT) && text.contains(REFERENT))
        .expect("forwarded to the pilot and the référent");
    assert!(forward.contains("19 avril 2026 à 10:00:00"), "{forward}");
    assert!(
        forward.contains("Content-Type: message/rfc822"),
        "{forward}"
    );
    assert!(
        forward.contains("Clinique Fictive de l’Ardenne"),
        "the member is named: {forward}"
    );
    assert_eq!(
        year.sent_containing("To: ines.noel@clinique-ardenne.example")
            .len(),
        0,
        "never answered automatically"
    );
    // A group without a configured pilot or référent: held for a coordinator.
    let unaddressed = year.receive(
        "2026-04-20T06:00:00Z",
        &Mail::new(
            "ines.noel@clinique-ardenne.example",
            "GT Achats durables : excusée pour la séance du 21 avril",
            "Bonjour,\n\nExcusez mon absence.\n",
        ),
    );
    assert_eq!(unaddressed["outcome"], "held_for_review");

    // June: a hospital joins after the first sessions: a late request.
    let gaume = year.receive(
        "2026-06-11T09:00:00Z",
        &membership("direction@chf-gaume.example", GAUME, "year-gaume.pdf"),
    );
    assert_eq!(gaume["outcome"], "registered");
    let rows = year.groups("2026-06-11T10:00:00Z", &[]);
    let late = row(&rows, GAUME, "resilience");
    assert_eq!(late["late"], true);
    assert_eq!(late["due_date"], "2026-07-10");
    assert!(
        year.run("2026-06-11T10:00:00Z", &["groups", "list"])
            .contains("demandé (tardive)"),
        "flagged for coordinators"
    );

    // September: Ardenne resigns; its seat is free again, its refused request stays as
    // decided.
    let resigned = year.receive(
        "2026-09-01T09:00:00Z",
        &Mail::new(
            "direction@clinique-ardenne.example",
            &format!("ASeT-W — {ARDENNE} — Résiliation"),
            "Bonjour,\n\nNous résilions notre convention d’engagement.\n\nHugo Lemaire\n",
        ),
    );
    assert_eq!(resigned["outcome"], "resigned", "{resigned:#}");
    let rows = year.groups("2026-09-01T10:00:00Z", &[]);
    assert_eq!(row(&rows, ARDENNE, "resilience")["state"], "withdrawn");
    assert_eq!(row(&rows, ARDENNE, "procurement")["state"], "refused");
    let table = year.run(
        "2026-09-01T10:00:00Z",
        &["groups", "list", "--group", "resilience"],
    );
    assert!(table.contains("2 places occupées sur 1 à 2"), "{table}");

    // October: the Région withdraws Condroz, notified 30 days ahead; the seat counts until
    // then.
    let said = year.run(
        "2026-10-01T08:00:00Z",
        &[
            "groups",
            "withdraw",
            CONDROZ,
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
            "--note",
            "Absences répétées.",
        ],
    );
    assert!(said.contains("effectif le 31 octobre 2026"), "{said}");
    let notice = year.sent_containing("Ce retrait prendra effet le 31 octobre 2026");
    assert_eq!(notice.len(), 1);
    let before = year.run(
        "2026-10-30T08:00:00Z",
        &["groups", "list", "--group", "resilience"],
    );
    assert!(before.contains("2 places occupées"), "{before}");
    assert!(before.contains("retrait le 31 octobre 2026"), "{before}");
    let after = year.run(
        "2026-10-31T08:00:00Z",
        &["groups", "list", "--group", "resilience"],
    );
    assert!(after.contains("1 place occupée sur 1 à 2"), "{after}");

    // Communauté de Pratiques: due within the month after signature, closed by hand.
    let cdp: Vec<Value> = serde_json::from_str(&year.run(
        "2026-04-15T08:00:00Z",
        &["groups", "cdp", "--format", "json"],
    ))
    .expect("cdp JSON");
    let condroz = cdp
        .iter()
        .find(|r| r["organisation"] == CONDROZ)
        .expect("condroz");
    assert_eq!(condroz["due_date"], "2026-04-30");
    assert_eq!(condroz["overdue"], false);
    let fagnes = cdp
        .iter()
        .find(|r| r["organisation"] == FAGNES)
        .expect("fagnes");
    assert_eq!(fagnes["overdue"], true, "due 10 April");
    year.run(
        "2026-04-15T08:00:00Z",
        &["groups", "cdp-sent", FAGNES, "--by", "Marie Lecomte (SPW)"],
    );
    let cdp: Vec<Value> = serde_json::from_str(&year.run(
        "2026-04-15T08:00:00Z",
        &["groups", "cdp", "--format", "json"],
    ))
    .expect("cdp JSON");
    let fagnes = cdp
        .iter()
        .find(|r| r["organisation"] == FAGNES)
        .expect("fagnes");
    assert_eq!(fagnes["overdue"], false);
    assert_eq!(fagnes["sent_by"], "Marie Lecomte (SPW)");
    let ardenne = cdp
        .iter()
        .find(|r| r["organisation"] == ARDENNE)
        .expect("ardenne");
    assert!(
        ardenne["revoked_at"].is_string(),
        "revoked at the resignation"
    );
}

#[test]
fn a_reserved_group_cannot_be_assigned_and_decisions_need_an_active_member() {
    let mut year = Year::new();
    year.receive(
        "2026-03-11T09:00:00Z",
        &membership(
            "direction@fagnes-fictives.example",
            FAGNES,
            "year-fagnes.pdf",
        ),
    );
    let reserved = year.refuses(
        "2026-03-12T09:00:00Z",
        &[
            "groups",
            "assign",
            FAGNES,
            "decarbonisation",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(reserved.contains("réservé"), "{reserved}");
    year.refuses(
        "2026-03-12T09:00:00Z",
        &[
            "groups",
            "assign",
            "Clinique Inconnue",
            "resilience",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    let bad_code = year.refuses(
        "2026-03-12T09:00:00Z",
        &[
            "groups",
            "assign",
            FAGNES,
            "gt9",
            "--by",
            "Marie Lecomte (SPW)",
        ],
    );
    assert!(bad_code.contains("Groupe inconnu"), "{bad_code}");
    let csv = year.run(
        "2026-03-12T09:00:00Z",
        &["groups", "list", "--format", "csv"],
    );
    assert!(csv.starts_with("\u{feff}organisation;code;state;"), "{csv}");
}
