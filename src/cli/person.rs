//! `mailroom person export|rectify` and `mailroom retention`: personal data as the GDPR
//! asks for it — everything stored about a person (art. 15), its correction with a logged
//! reason (art. 16), and the data-protection officer's retention period (art. 5.1.e).
//!
//! Every export is recorded in `access_log` (who, when, which filter); every change is a
//! `member_events` line and, like every write, a journal entry.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use serde_json::{json, Value};

use super::output::people_time;
use super::{non_empty, Setup};
use crate::clock;
use crate::store::members as member_rows;
use crate::store::messages::{self, LogFilter};
use crate::store::privacy::{self, Policy};
use crate::store::publication::{self, Access};

/// Arguments of `person`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PersonCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PersonCommand {
    /// Tout ce qui est enregistré sur une personne, en JSON (RGPD art. 15) ; l’export est
    /// journalisé.
    Export {
        /// Son adresse e-mail.
        email: String,
        /// Qui exporte (consigné dans le journal des accès).
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Joint aussi le texte brut des messages qu’elle a envoyés.
        #[arg(long)]
        with_raw: bool,
    },
    /// Corrige une donnée de la personne dans toutes les fiches où elle figure (RGPD art. 16).
    Rectify {
        /// Son adresse e-mail.
        email: String,
        /// Le champ : last_name, first_name, function, email, phone.
        #[arg(long, value_name = "F")]
        field: String,
        /// La valeur correcte.
        #[arg(long, value_name = "V")]
        value: String,
        /// Qui corrige.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Pourquoi (la demande de la personne, par exemple).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

/// Arguments of `retention`.
#[derive(Debug, clap::Args)]
pub struct RetentionArgs {
    #[command(subcommand)]
    command: Option<RetentionCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum RetentionCommand {
    /// La période en vigueur (par défaut : désactivée, rien n’est effacé).
    Show,
    /// Fixe la période : les messages bruts des membres démissionnaires sont effacés tant
    /// de jours après la démission (jamais le journal, les décisions, les confirmations
    /// envoyées, l’empreinte du formulaire signé ni ses signatures numériques).
    Set {
        /// Nombre de jours après la démission.
        #[arg(long, value_name = "N")]
        days: u32,
        /// Le ou la délégué(e) à la protection des données.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// La décision ou la règle qui fixe cette période.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Désactive l’effacement.
    Off {
        /// Qui la désactive.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// Pourquoi.
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Applique la période maintenant (le démon le fait à chaque passage).
    Run {
        /// Qui le lance.
        #[arg(long, value_name = "NAME", default_value = "mailroom")]
        by: String,
    },
}

/// The fields of a person a rectification may change (`form::record::Person`).
const FIELDS: [&str; 5] = ["last_name", "first_name", "function", "email", "phone"];

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PersonCommand::Export {
            email,
            by,
            with_raw,
        } => {
            export(
                context,
                &email.trim().to_lowercase(),
                &non_empty(by)?,
                with_raw,
            )
            .await
        }
        PersonCommand::Rectify {
            email,
            field,
            value,
            by,
            reason,
        } => {
            rectify(
                context,
                email.trim(),
                &field,
                value.trim(),
                &non_empty(by)?,
                reason.as_deref(),
            )
            .await
        }
    }
}

/// Whether a JSON person has address `email`.
fn has_email(person: &Value, email: &str) -> bool {
    person
        .get("email")
        .and_then(Value::as_str)
        .is_some_and(|found| found.trim().eq_ignore_ascii_case(email))
}

/// The places `email` holds in a member: (role, group code, person).
fn roles_of(member: &member_rows::MemberRow, email: &str) -> Vec<(String, Option<String>, Value)> {
    let mut roles = Vec::new();
    for (role, text) in [
        ("legal_representative", &member.legal_representative),
        ("contact_point", &member.contact_point),
    ] {
        let person: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        if has_email(&person, email) {
            roles.push((role.to_owned(), None, person));
        }
    }
    let groups: Vec<Value> = serde_json::from_str(&member.working_groups).unwrap_or_default();
    for group in groups {
        if let Some(delegate) = group.get("delegate").filter(|d| has_email(d, email)) {
            let code = group.get("code").and_then(Value::as_str).map(str::to_owned);
            roles.push(("delegate".to_owned(), code, delegate.clone()));
        }
    }
    roles
}

async fn export(
    context: &Setup,
    email: &str,
    by: &str,
    with_raw: bool,
) -> anyhow::Result<ExitCode> {
    if !email.contains('@') {
        bail!("« {email} » n’est pas une adresse e-mail.");
    }
    let store = context.store().await?;
    let pool = store.pool();
    let mut conn = pool.acquire().await?;
    let mut members = Vec::new();
    let mut consents = Vec::new();
    for member in member_rows::all(&mut conn).await? {
        let roles = roles_of(&member, email);
        if roles.is_empty() {
            continue;
        }
        consents.extend(publication::consents(&mut conn, Some(member.id)).await?);
        members.push(json!({
            "member_id": member.id,
            "name": member.name,
            "status": member.status,
            "effective_date": member.effective_date,
            "resigned_date": member.resigned_date,
            "roles": roles.into_iter().map(|(role, group, person)| json!({
                "role": role, "group": group, "person": person,
            })).collect::<Vec<_>>(),
        }));
    }
    let events = privacy::events_mentioning(pool, email).await?;
    let requests = privacy::requests_delegated_to(&mut conn, email).await?;
    let filter = LogFilter {
        from: Some(email.to_owned()),
        ..LogFilter::default()
    };
    let mut sent_by_them = Vec::new();
    for row in messages::log(pool, &filter).await? {
        let mut entry = json!({
            "id": row.id, "message_id": row.message_id, "received_at": row.received_at,
            "sent_at": row.sent_at, "from": row.from_addr, "from_name": row.from_name,
            "subject": row.subject, "kind": row.kind, "outcome": row.outcome,
            "problems": serde_json::from_str::<Value>(&row.problems).unwrap_or_default(),
            "organisation": row.organisation, "decided_at": row.decided_at,
        });
        if with_raw {
            let raw = messages::raw_bytes_if_kept(pool, row.id).await?;
            entry["raw"] = raw.map_or(Value::Null, |bytes| {
                Value::String(String::from_utf8_lossy(&bytes).into_owned())
            });
        }
        sent_by_them.push(entry);
    }
    let outgoing = privacy::outgoing_to(pool, email).await?;
    let now = clock::to_storage(context.clock.now());
    let rows = members.len()
        + events.len()
        + requests.len()
        + sent_by_them.len()
        + outgoing.len()
        + consents.len();
    let document = json!({
        "email": email,
        "exported_at": now,
        "exported_by": by,
        "members": members,
        "member_events": events.iter().map(|e| json!({
            "id": e.id, "member_id": e.member_id, "at": e.at, "event": e.event,
            "message_row_id": e.message_row_id, "by": e.by,
            "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "group_requests": requests.iter().map(|r| json!({
            "id": r.id, "member_id": r.member_id, "code": r.code, "state": r.state,
            "delegate": serde_json::from_str::<Value>(&r.delegate).unwrap_or_default(),
            "requested_at": r.requested_at,
        })).collect::<Vec<_>>(),
        "messages": sent_by_them,
        "outgoing": outgoing,
        "consents": consents,
    });
    let filter_json = json!({ "email": email, "with_raw": with_raw }).to_string();
    let mut tx = store.begin().await?;
    publication::record_access(
        &mut tx,
        &Access {
            at: &now,
            by,
            command: "person export",
            filter: &filter_json,
            format: Some("json"),
            rows: i64::try_from(rows).unwrap_or(i64::MAX),
            personal_data: true,
        },
    )
    .await?;
    tx.commit().await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, &document)?;
    writeln!(out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One person record changed by a rectification.
fn rectified(person: &mut Value, field: &str, value: &str) -> Option<Value> {
    let before = person.get(field).cloned().unwrap_or(Value::Null);
    if before.as_str() == Some(value) {
        return None;
    }
    person
        .as_object_mut()?
        .insert(field.to_owned(), Value::String(value.to_owned()));
    Some(before)
}

async fn rectify(
    context: &Setup,
    email: &str,
    field: &str,
    value: &str,
    by: &str,
    reason: Option<&str>,
) -> anyhow::Result<ExitCode> {
    if !FIELDS.contains(&field) {
        bail!(
            "Champ inconnu « {field} » ; champs modifiables : {}",
            FIELDS.join(", ")
        );
    }
    if value.is_empty() {
        bail!("--value ne peut pas être vide.");
    }
    if field == "email" && !value.contains('@') {
        bail!("« {value} » n’est pas une adresse e-mail.");
    }
    let store = context.store().await?;
    let now = clock::to_storage(context.clock.now());
    let mut tx = store.begin().await?;
    let mut changed_records = Vec::new();
    for member in member_rows::all(&mut tx).await? {
        let mut changes = Vec::new();
        let mut legal: Value =
            serde_json::from_str(&member.legal_representative).unwrap_or(Value::Null);
        let mut contact: Value = serde_json::from_str(&member.contact_point).unwrap_or(Value::Null);
        let mut groups: Value =
            serde_json::from_str(&member.working_groups).unwrap_or(Value::Array(Vec::new()));
        for (role, person) in [
            ("legal_representative", &mut legal),
            ("contact_point", &mut contact),
        ] {
            if has_email(person, email) {
                if let Some(before) = rectified(person, field, value) {
                    changes.push(json!({ "role": role, "before": before }));
                }
            }
        }
        if let Some(groups) = groups.as_array_mut() {
            for group in groups {
                let code = group.get("code").cloned().unwrap_or(Value::Null);
                if let Some(delegate) = group.get_mut("delegate").filter(|d| has_email(d, email)) {
                    if let Some(before) = rectified(delegate, field, value) {
                        changes
                            .push(json!({ "role": "delegate", "group": code, "before": before }));
                    }
                }
            }
        }
        if changes.is_empty() {
            continue;
        }
        privacy::rectify_member_people(
            &mut tx,
            member.id,
            &legal.to_string(),
            &contact.to_string(),
            &groups.to_string(),
            &now,
        )
        .await?;
        let detail = json!({
            "email": email, "field": field, "after": value, "changes": changes,
            "reason": reason,
        });
        member_rows::record_event(
            &mut tx,
            member.id,
            &now,
            "person_rectified",
            None,
            by,
            &detail.to_string(),
        )
        .await?;
        changed_records.push(format!("{} ({})", member.name, changes.len()));
    }
    for request in privacy::requests_delegated_to(&mut tx, email).await? {
        let mut delegate: Value = serde_json::from_str(&request.delegate).unwrap_or(Value::Null);
        if rectified(&mut delegate, field, value).is_some() {
            privacy::rectify_delegate(&mut tx, request.id, &delegate.to_string(), &now).await?;
        }
    }
    if changed_records.is_empty() {
        drop(tx);
        eprintln!("Aucune fiche de personne avec l’adresse {email} à corriger (ou la valeur est déjà « {value} »).");
        return Ok(ExitCode::from(1));
    }
    tx.commit()
        .await
        .context("Cannot record the rectification")?;
    println!(
        "Rectifié ({field} → « {value} ») par {by} : {}.",
        changed_records.join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn retention(context: &Setup, args: RetentionArgs) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let now = clock::to_storage(context.clock.now());
    match args.command.unwrap_or(RetentionCommand::Show) {
        RetentionCommand::Show => {
            match privacy::policy(store.pool()).await? {
                Some(Policy {
                    days: Some(days),
                    set_by,
                    set_at,
                    ..
                }) => println!(
                    "Rétention : les messages bruts des membres démissionnaires sont effacés {days} jours après la démission (fixé par {set_by} le {})."
                    , people_time(&set_at, &context.clock)
                ),
                _ => println!("Rétention désactivée : aucun message brut n’est effacé."),
            }
            return Ok(ExitCode::SUCCESS);
        }
        RetentionCommand::Set { days, by, reason } => {
            if days == 0 {
                bail!("--days doit être d’au moins 1 jour.");
            }
            let by = non_empty(by)?;
            privacy::set_policy(
                &store,
                &Policy {
                    days: Some(i64::from(days)),
                    set_by: by.clone(),
                    set_at: now,
                    reason,
                },
            )
            .await?;
            println!("Rétention fixée par {by} : messages bruts des membres démissionnaires effacés {days} jours après la démission.");
        }
        RetentionCommand::Off { by, reason } => {
            let by = non_empty(by)?;
            privacy::set_policy(
                &store,
                &Policy {
                    days: None,
                    set_by: by.clone(),
                    set_at: now,
                    reason,
                },
            )
            .await?;
            println!("Rétention désactivée par {by}.");
        }
        RetentionCommand::Run { by } => {
            let today = context.clock.local_date(context.clock.now()).to_string();
            let erased = privacy::erase_due(&store, &today, &now, &non_empty(by)?).await?;
            println!(
                "{} message{} brut{} effacé{} (empreinte conservée).",
                erased.len(),
                if erased.len() > 1 { "s" } else { "" },
                if erased.len() > 1 { "s" } else { "" },
                if erased.len() > 1 { "s" } else { "" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
