//! `mailroom digest [--since DATE] [--format text|html] [--send]`: the coordinators'
//! digest, printed, or queued to the coordinators and each group's Locomotive and sent.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;

use super::Setup;
use crate::clock;
use crate::digest::{self, Audience};

/// Arguments of `digest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Début de la période (AAAA-MM-JJ ou instant RFC 3339) ; par défaut, la fin de la
    /// synthèse précédente.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Format affiché.
    #[arg(long, value_enum, default_value_t = DigestFormat::Text)]
    format: DigestFormat,
    /// Envoie la synthèse aux coordinateurs (et à chaque Locomotive la partie de son GT)
    /// au lieu de l’afficher.
    #[arg(long)]
    send: bool,
    /// Qui consulte (journalisé) ; par défaut, l’utilisateur du système.
    #[arg(long, value_name = "NOM")]
    by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DigestFormat {
    Text,
    Html,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let since = args
        .since
        .as_deref()
        .map(|text| super::log::bound(text, &context.clock, false))
        .transpose()?
        .and_then(|at| clock::from_storage(&at));
    let pipeline = context.pipeline().await?;
    let store = pipeline.store();
    if args.send {
        let queued = digest::queue(
            store,
            &context.rules,
            &context.clock,
            pipeline.roles(),
            pipeline.from_address(),
            since,
        )
        .await?;
        if queued.is_empty() {
            println!("Aucune synthèse envoyée : aucune adresse pour le rôle « coordinators » (voir [roles]).");
            return Ok(ExitCode::from(1));
        }
        for digest in &queued {
            println!(
                "Synthèse {} ({}) : {}.",
                digest.audience,
                if digest.empty {
                    "rien de nouveau"
                } else {
                    "avec du nouveau"
                },
                digest.recipients.join(", ")
            );
        }
        let delivered = context.deliver(&pipeline).await?;
        println!("{} message(s) envoyé(s).", delivered.sent);
        return Ok(ExitCode::SUCCESS);
    }
    let now = context.clock.now();
    let start = match since {
        Some(since) => since,
        None => digest::previous_end(store, Audience::Coordinators, now).await?,
    };
    let digest = digest::gather(
        store,
        &context.rules,
        &context.clock,
        Audience::Coordinators,
        start,
        now,
    )
    .await?;
    let rendered = crate::outbox::render(
        &context.rules,
        "digest",
        &digest.context()?,
        &context.clock.local(now),
    )?;
    let format = match args.format {
        DigestFormat::Text => "text",
        DigestFormat::Html => "html",
    };
    super::record_access(
        context,
        args.by,
        "digest",
        &serde_json::json!({ "since": args.since }),
        Some(format),
        digest.personal_rows(),
        digest.personal_rows() > 0,
    )
    .await?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        DigestFormat::Text => {
            writeln!(out, "{}\n", rendered.subject)?;
            write!(out, "{}", rendered.text)?;
        }
        DigestFormat::Html => write!(out, "{}", rendered.html)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
