//! `mailroom review`: what waits for a coordinator, and their decisions.
//!
//! `list`, `show ID`, `approve ID [--as ORG] [--drop-group CODE] [--as-resignation]`,
//! `reject ID [--note TEXT]`; every decision takes `--by NAME` and is logged with who and
//! why. Approving runs the workflow the message asked for, then delivers what it queued.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::output::{codes, people_time, shorten, write_table};
use super::Setup;
use crate::form::record::{FormRecord, WorkingGroupCode};
use crate::problem::Problem;
use crate::store::messages;
use crate::store::outbox as outbox_rows;
use crate::workflow::Approval;

/// Arguments of `review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Liste les messages en attente d’une décision de la coordination.
    List,
    /// Montre un message retenu : expéditeur, motifs, formulaire lu, réponses envoyées.
    Show {
        /// Numéro du message (colonne N° de `review list`).
        id: i64,
    },
    /// Applique la démarche demandée par le message.
    Approve {
        /// Numéro du message.
        id: i64,
        /// Qui décide (SPW, AVIQ ou consultant : nom et organisation).
        #[arg(long, value_name = "NOM")]
        by: String,
        /// Le membre concerné, quand le message le nomme autrement.
        #[arg(long = "as", value_name = "ORGANISATION")]
        as_org: Option<String>,
        /// Enregistre l’adhésion sans ce groupe thématique.
        #[arg(long, value_name = "CODE")]
        drop_group: Option<String>,
        /// Un retrait partiel est en fait une résiliation complète.
        #[arg(long)]
        as_resignation: bool,
        /// Motif (journalisé).
        #[arg(long, value_name = "TEXTE")]
        note: Option<String>,
    },
    /// Écarte le message sans rien changer.
    Reject {
        /// Numéro du message.
        id: i64,
        /// Qui décide.
        #[arg(long, value_name = "NOM")]
        by: String,
        /// Motif (journalisé).
        #[arg(long, value_name = "TEXTE")]
        note: Option<String>,
    },
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::List => list(context).await,
        Action::Show { id } => show(context, id).await,
        Action::Approve {
            id,
            by,
            as_org,
            drop_group,
            as_resignation,
            note,
        } => {
            let pipeline = context.pipeline().await?;
            let member = match as_org {
                Some(name) => Some(context.member_named(&name).await?),
                None => None,
            };
            let drop_group = drop_group
                .map(|code| {
                    WorkingGroupCode::ALL
                        .into_iter()
                        .find(|known| known.as_str() == code)
                        .with_context(|| {
                            let known: Vec<&str> =
                                WorkingGroupCode::ALL.iter().map(|c| c.as_str()).collect();
                            format!("Groupe inconnu « {code} » ; codes : {}", known.join(", "))
                        })
                })
                .transpose()?;
            let approval = Approval {
                by: super::non_empty(by)?,
                member,
                drop_group,
                as_resignation,
            };
            let decision = pipeline.approve(id, &approval, note.as_deref()).await?;
            println!(
                "Message n° {id} approuvé par {} : {}.",
                approval.by,
                decision.outcome.as_str()
            );
            let delivered = context.deliver(&pipeline).await?;
            if delivered.sent > 0 {
                println!("{} message(s) envoyé(s).", delivered.sent);
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Reject { id, by, note } => {
            let pipeline = context.pipeline().await?;
            let by = super::non_empty(by)?;
            pipeline.reject(id, &by, note.as_deref()).await?;
            println!("Message n° {id} écarté par {by} ; rien n’a été modifié.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn list(context: &Setup) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let rows = messages::awaiting_review(store.pool()).await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if rows.is_empty() {
        writeln!(out, "Aucun message n’attend de vérification.")?;
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let reasons: Vec<String> = serde_json::from_str(&row.reasons).unwrap_or_default();
            vec![
                row.id.to_string(),
                people_time(&row.received_at, &context.clock),
                shorten(row.from_addr.as_deref().unwrap_or("-"), 32),
                row.outcome.clone().unwrap_or_default(),
                codes(&row.problems),
                shorten(reasons.last().map_or("-", String::as_str), 90),
            ]
        })
        .collect();
    write_table(
        &mut out,
        &["N°", "Reçu le", "De", "Résultat", "Problèmes", "Motif"],
        &table,
    )?;
    writeln!(
        out,
        "{} message{} en attente.",
        rows.len(),
        if rows.len() > 1 { "s" } else { "" }
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

async fn show(context: &Setup, id: i64) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let row = messages::log_row(&mut conn, id)
        .await?
        .with_context(|| format!("Aucun message n° {id}"))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let dash = |v: Option<&str>| v.unwrap_or("—").to_owned();
    writeln!(out, "Message n° {id}")?;
    writeln!(
        out,
        "  Reçu le      {}",
        people_time(&row.received_at, &context.clock)
    )?;
    writeln!(
        out,
        "  De           {} {}",
        dash(row.from_name.as_deref()),
        row.from_addr
            .as_deref()
            .map(|a| format!("<{a}>"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "  Objet        {}",
        shorten(row.subject.as_deref().unwrap_or("—"), 200)
    )?;
    writeln!(out, "  Message-ID   {}", dash(row.message_id.as_deref()))?;
    writeln!(out, "  Type         {}", dash(row.kind.as_deref()))?;
    writeln!(out, "  Résultat     {}", dash(row.outcome.as_deref()))?;
    writeln!(out, "  Règles       {}", dash(row.rules_version.as_deref()))?;
    let problems: Vec<String> = serde_json::from_str(&row.problems).unwrap_or_default();
    if !problems.is_empty() {
        writeln!(out, "\nProblèmes :")?;
        for code in &problems {
            let sentence = Problem::parse(code).map_or("", |p| context.rules.messages.problem(p));
            writeln!(out, "  - {code} : {sentence}")?;
        }
    }
    let reasons: Vec<String> = serde_json::from_str(&row.reasons).unwrap_or_default();
    if !reasons.is_empty() {
        writeln!(out, "\nMotifs :")?;
        for reason in &reasons {
            writeln!(out, "  - {reason}")?;
        }
    }
    let form = messages::form_json(&mut conn, id).await?;
    if let Some(form) = form.and_then(|f| serde_json::from_str::<FormRecord>(&f).ok()) {
        writeln!(out, "\nFormulaire lu :")?;
        writeln!(
            out,
            "  Organisation {}",
            dash(form.organisation.name.as_deref())
        )?;
        writeln!(
            out,
            "  Catégorie    {}",
            form.organisation.category.map_or("—", |c| c.as_str())
        )?;
        let person = &form.legal_representative;
        writeln!(
            out,
            "  Représentant {} {} ({}) {}",
            dash(person.first_name.as_deref()),
            dash(person.last_name.as_deref()),
            dash(person.function.as_deref()),
            dash(person.email.as_deref())
        )?;
        let groups: Vec<&str> = form
            .working_groups
            .iter()
            .map(|g| g.code.as_str())
            .collect();
        writeln!(
            out,
            "  GT demandés  {}",
            if groups.is_empty() {
                "—".to_owned()
            } else {
                groups.join(", ")
            }
        )?;
    }
    for attachment in messages::attachments(store.pool(), id).await? {
        writeln!(
            out,
            "  Pièce jointe {} ({}, {} octets){}",
            attachment.filename.as_deref().unwrap_or("sans nom"),
            attachment.detected_type,
            attachment.size_bytes,
            attachment
                .problem
                .map(|p| format!(" : {p}"))
                .unwrap_or_default()
        )?;
    }
    let replies = outbox_rows::for_message(&mut conn, id).await?;
    if !replies.is_empty() {
        writeln!(out, "\nRéponses :")?;
        for reply in replies {
            writeln!(
                out,
                "  - {} à {} : {}{}",
                reply.purpose,
                reply.to_addrs,
                reply.status,
                reply
                    .sent_at
                    .as_deref()
                    .map(|at| format!(", envoyée le {}", people_time(at, &context.clock)))
                    .unwrap_or_default()
            )?;
        }
    }
    if let Some(done) = messages::review_action(&mut conn, id).await? {
        writeln!(
            out,
            "\nDécision : {} par {} le {}{}",
            done.action,
            done.by,
            people_time(&done.at, &context.clock),
            done.note.map(|n| format!(" — {n}")).unwrap_or_default()
        )?;
    } else {
        writeln!(
            out,
            "\nPour décider : mailroom review approve {id} --by NOM | mailroom review reject {id} --by NOM"
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
