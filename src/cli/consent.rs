//! `mailroom consent ORG [grant|refuse --scope TEXT --evidence MSGID]`: art. 8 — a
//! nominative communication about a member's actions or results needs its prior express
//! consent. None by default; silence is never consent. Without a decision, shows what
//! the member answered so far.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::ValueEnum;

use super::Setup;
use crate::clock;
use crate::store::publication::{self, NewConsent};

/// Arguments of `consent`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Le membre : son nom ou son numéro.
    #[arg(value_name = "ORGANISATION")]
    org: String,
    /// La réponse du membre ; sans elle, affiche ses réponses enregistrées.
    #[arg(value_enum)]
    decision: Option<Decision>,
    /// Ce sur quoi porte la réponse (« témoignage dans la lettre d’information 2026 »…).
    #[arg(long, value_name = "TEXTE")]
    scope: Option<String>,
    /// Le Message-ID du message du membre qui le dit (il doit être dans le journal).
    #[arg(long, value_name = "MSGID")]
    evidence: Option<String>,
    /// Qui enregistre (journalisé) ; par défaut, l’utilisateur du système.
    #[arg(long, value_name = "NOM")]
    by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Decision {
    Grant,
    Refuse,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let member_id = context.member_named(&args.org).await?;
    let store = context.store().await?;
    let Some(decision) = args.decision else {
        let mut conn = store.pool().acquire().await?;
        let answers = publication::consents(&mut conn, Some(member_id)).await?;
        if answers.is_empty() {
            println!("Aucun consentement enregistré : aucune communication nominative n’est autorisée (article 8).");
        }
        for answer in answers {
            println!(
                "{} — {} : « {} » (preuve : <{}>, enregistré par {} le {})",
                answer.organisation,
                if answer.decision == "grant" {
                    "accordé"
                } else {
                    "refusé"
                },
                answer.scope,
                answer.evidence_message_id,
                answer.recorded_by,
                super::output::people_time(&answer.recorded_at, &context.clock)
            );
        }
        return Ok(ExitCode::SUCCESS);
    };
    let scope = args
        .scope
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .context("--scope doit dire sur quoi porte le consentement")?;
    let evidence = args
        .evidence
        .map(|e| e.trim().trim_matches(['<', '>']).to_owned())
        .filter(|e| !e.is_empty())
        .context("--evidence doit donner le Message-ID du message du membre")?;
    let mut tx = store.begin().await?;
    if !publication::message_in_log(&mut tx, &evidence).await? {
        bail!("Le message <{evidence}> n’est pas dans le journal : le consentement doit s’appuyer sur un message reçu du membre");
    }
    let by = super::operator(args.by);
    let decision = match decision {
        Decision::Grant => "grant",
        Decision::Refuse => "refuse",
    };
    let at = clock::to_storage(context.clock.now());
    publication::record_consent(
        &mut tx,
        &NewConsent {
            member_id,
            decision,
            scope: &scope,
            evidence_message_id: &evidence,
            recorded_by: &by,
            recorded_at: &at,
        },
    )
    .await?;
    let detail = serde_json::json!({ "decision": decision, "scope": scope, "evidence": evidence });
    crate::store::members::record_event(
        &mut tx,
        member_id,
        &at,
        "consent",
        None,
        &by,
        &detail.to_string(),
    )
    .await?;
    tx.commit().await?;
    println!(
        "Consentement {} enregistré pour « {scope} » (preuve : <{evidence}>).",
        if decision == "grant" {
            "accordé"
        } else {
            "refusé"
        }
    );
    Ok(ExitCode::SUCCESS)
}
