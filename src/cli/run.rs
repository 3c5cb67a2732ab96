//! `mailroom run [--once]`: the daemon over the configured mailbox.

use super::output::{delivery_summary, summary};
use super::Setup;
use crate::daemon::{self, Watch};

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Traite ce qui attend dans la boîte, livre la file d’envoi, puis s’arrête.
    #[arg(long)]
    once: bool,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<std::process::ExitCode> {
    let pipeline = context.pipeline().await?;
    let transport = context.transport()?;
    let watch = Watch {
        inbox: context.config.mailbox.maildir.clone(),
        imap: context.imap_watch()?,
        poll_interval: std::time::Duration::from_millis(
            context.config.mailbox.poll_interval_ms.max(50),
        ),
        max_attempts: context.config.outbox.max_attempts,
        once: args.once,
        tsa_url: context.config.journal.tsa_url.clone(),
    };
    let report = daemon::run(&pipeline, &transport, &context.clock, &watch).await?;
    println!("{}", summary(&report.tally));
    println!("{}", delivery_summary(&report.delivered));
    Ok(std::process::ExitCode::SUCCESS)
}
