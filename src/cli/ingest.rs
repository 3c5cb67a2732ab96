//! `mailroom ingest PATH...`: the full pipeline over files, folders and Maildirs, then exit.
//! Nothing is moved: ingest reads, records and decides, then delivers what it queued (the
//! art. 6.2 confirmation included, so its delivery dates the membership) unless
//! `--no-replies`; `run` is what settles a mailbox.

use std::io::Write;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

use super::output::{delivery_summary, shorten, summary};
use super::Setup;
use crate::mailbox::files;
use crate::pipeline::Tally;

/// Progress is drawn from this many messages on.
const PROGRESS_FROM: usize = 50;

/// Arguments of `ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fichiers .eml, dossiers de .eml ou Maildir.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Courrier du passé : enregistré et décidé, mais aucune réponse n’est envoyée.
    #[arg(long)]
    no_replies: bool,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<std::process::ExitCode> {
    let mut candidates = files::collect(&args.paths)?;
    for candidate in &mut candidates {
        candidate.quiet = args.no_replies;
    }
    let pipeline = context.pipeline().await?;
    let progress = if candidates.len() >= PROGRESS_FROM {
        let bar = ProgressBar::new(candidates.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} messages ({per_sec}, {eta})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut tally = Tally::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for handled in pipeline.resume().await? {
        tally.add(&handled);
    }
    let mut flow = pipeline.flow(candidates);
    while let Some(batch) = flow.next().await {
        let batch = batch?;
        let count = batch.len() as u64;
        for handled in batch {
            tally.add(&handled);
            let path = handled
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            if handled.already_handled {
                writeln!(out, "#{:<6} déjà traité  {path}", handled.id)?;
            } else {
                writeln!(
                    out,
                    "#{:<6} {:<14} {:<15} {:<40} {path}",
                    handled.id,
                    handled.kind,
                    handled.outcome,
                    shorten(handled.organisation.as_deref().unwrap_or("-"), 40),
                )?;
            }
        }
        progress.inc(count);
    }
    progress.finish_and_clear();
    for unreadable in flow.unreadable() {
        writeln!(
            out,
            "illisible      {} ({})",
            unreadable.path.display(),
            unreadable.reason
        )?;
    }
    writeln!(out, "{}", summary(&tally))?;
    if !args.no_replies {
        // The full pipeline: what this run queued leaves now, as after `review approve`.
        out.flush()?;
        let delivered = context.deliver(&pipeline).await?;
        writeln!(out, "{}", delivery_summary(&delivered))?;
    }
    let unreadable = flow.unreadable().len();
    if unreadable > 0 {
        writeln!(
            out,
            "{unreadable} fichier{} illisible{} laissé{} en place.",
            if unreadable > 1 { "s" } else { "" },
            if unreadable > 1 { "s" } else { "" },
            if unreadable > 1 { "s" } else { "" }
        )?;
    }
    out.flush()?;
    // ripgrep's habit: 1 when some input could not be handled, 2 for errors.
    Ok(if unreadable > 0 {
        std::process::ExitCode::from(1)
    } else {
        std::process::ExitCode::SUCCESS
    })
}
