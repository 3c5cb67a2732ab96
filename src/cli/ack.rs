//! `mailroom ack resend ID [--to ADDR] --by NAME`: a marked copy of a lost confirmation.
//!
//! The copy says it is one and repeats the original effective date; it never changes it
//! (only the first confirmation of a membership sets it, art. 6.2). A confirmation that was
//! refused for good never reached the member: it is sent again as the confirmation, and
//! the day it leaves becomes the effective date. Logged with who asked.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Subcommand;

use super::Setup;
use crate::clock;
use crate::store::outbox as outbox_rows;
use crate::validate::is_email;
use crate::workflow::Reply;

/// Arguments of `ack`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Renvoie une copie marquée de la confirmation de réception d’un message.
    Resend {
        /// Numéro du message d’adhésion (colonne N° de `mailroom log`).
        id: i64,
        /// Destinataire de la copie (par défaut : ceux de l’original).
        #[arg(long, value_name = "ADRESSE")]
        to: Option<String>,
        /// Qui demande le renvoi (journalisé).
        #[arg(long, value_name = "NOM")]
        by: String,
        /// Renvoyer comme confirmation une confirmation abandonnée après des erreurs
        /// temporaires (elle a pu arriver : à vérifier d’abord auprès du membre).
        #[arg(long)]
        force: bool,
    },
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let Action::Resend { id, to, by, force } = args.action;
    if by.trim().is_empty() {
        bail!("--by doit nommer la personne qui demande le renvoi");
    }
    if let Some(to) = &to {
        if !is_email(to) {
            bail!("« {to} » n’est pas une adresse e-mail valide");
        }
    }
    let pipeline = context.pipeline().await?;
    let store = pipeline.store();
    let mut tx = store.begin().await?;
    let acknowledgements: Vec<_> = outbox_rows::for_message(&mut tx, id)
        .await?
        .into_iter()
        .filter(|row| row.purpose == "acknowledgement" && row.copy_of.is_none())
        .collect();
    let original = acknowledgements
        .iter()
        .find(|row| row.status == "sent")
        .or_else(|| acknowledgements.last())
        .cloned()
        .with_context(|| format!("Aucune confirmation de réception pour le message n° {id}"))?;
    let mut context_json: serde_json::Value = original
        .context
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .context("La confirmation d’origine n’a pas de modèle à reproduire")?;
    // A confirmation that never went out (refused for good) is sent again as the
    // confirmation itself: the day it leaves is still the effective date. One that went
    // out is re-sent as a marked copy that repeats its date.
    let (copy_of, effective) = match original.status.as_str() {
        "sent" => {
            let effective = original
                .effective_date
                .as_deref()
                .and_then(|d| d.parse().ok())
                .map(clock::french_date)
                .context("La confirmation d’origine n’a pas de date de prise d’effet")?;
            context_json["copy"] = true.into();
            context_json["effective_date"] = effective.clone().into();
            (Some(original.id), Some(effective))
        }
        // Refused for good: it never arrived. Given up after temporary errors: it may
        // have (a relay can accept and then lose the connection): a person checks first.
        "failed"
            if force
                || original
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("permanent")) =>
        {
            (None, None)
        }
        "failed" => bail!(
            "La confirmation du message n° {id} a été abandonnée après des erreurs temporaires \
             ({}) : elle a pu arriver. Vérifiez auprès du membre, puis relancez avec --force \
             pour l’envoyer à nouveau comme confirmation (la date d’envoi deviendra la date de \
             prise d’effet).",
            original.last_error.as_deref().unwrap_or("sans détail")
        ),
        _ => bail!(
            "La confirmation du message n° {id} est encore en file d’envoi (état : {}).",
            original.status
        ),
    };
    let (to, cc) = match to {
        Some(to) => (vec![to], Vec::new()),
        None => (
            serde_json::from_str(&original.to_addrs).unwrap_or_default(),
            serde_json::from_str(&original.cc_addrs).unwrap_or_default(),
        ),
    };
    let reply = Reply {
        purpose: original.purpose.clone(),
        to,
        cc,
        in_reply_to: original.in_reply_to.clone(),
        context: Some(context_json),
        member_id: original.member_id,
        copy_of,
        requested_by: Some(by.trim().to_owned()),
        ..Reply::default()
    };
    let now = context.clock.now();
    crate::outbox::enqueue(
        &mut tx,
        &reply,
        pipeline.from_address(),
        original.message_row_id,
        pipeline.rules(),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(id, by = %by.trim(), "Acknowledgement copy queued.");
    let delivered = context.deliver(&pipeline).await?;
    let state = if delivered.sent > 0 {
        "envoyée"
    } else {
        "mise en file d’envoi"
    };
    match effective {
        Some(effective) => println!(
            "Copie de la confirmation du message n° {id} {state} (date de prise d’effet inchangée : {effective})."
        ),
        None => println!(
            "Confirmation du message n° {id} {state} à nouveau : sa date d’envoi sera la date de prise d’effet."
        ),
    }
    Ok(ExitCode::SUCCESS)
}
