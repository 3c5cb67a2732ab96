//! `mailroom tasks list [--all] | done ID --by NAME [--note TEXT]`: the publication tasks
//! a registration or a resignation opens (art. 6.3, annex 2).

use std::io::Write;
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::output::{people_time, write_table, Format};
use super::Setup;
use crate::store::tasks;

/// Arguments of `tasks`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Les tâches ouvertes (toutes avec --all).
    List {
        /// Aussi les tâches faites.
        #[arg(long)]
        all: bool,
        /// Format de sortie.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Marque une tâche comme faite.
    Done {
        /// Numéro de la tâche.
        id: i64,
        /// Qui l’a faite (journalisé).
        #[arg(long, value_name = "NOM")]
        by: String,
        /// Remarque (journalisée).
        #[arg(long, value_name = "TEXTE")]
        note: Option<String>,
    },
}

#[derive(Debug, Serialize)]
struct TaskRecord {
    id: i64,
    organisation: String,
    kind: String,
    label: String,
    opened_at: String,
    done_at: Option<String>,
    done_by: Option<String>,
    note: Option<String>,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::List { all, format } => {
            let store = context.store().await?;
            let mut conn = store.pool().acquire().await?;
            let records: Vec<TaskRecord> = tasks::list(&mut conn, all)
                .await?
                .into_iter()
                .map(|t| TaskRecord {
                    id: t.id,
                    label: context.rules.publication.task(&t.kind),
                    organisation: t.organisation,
                    kind: t.kind,
                    opened_at: t.opened_at,
                    done_at: t.done_at,
                    done_by: t.done_by,
                    note: t.note,
                })
                .collect();
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &records)?;
                    writeln!(out)?;
                }
                Format::Csv => {
                    let rows: Vec<Vec<String>> = records
                        .iter()
                        .map(|r| {
                            vec![
                                r.id.to_string(),
                                r.organisation.clone(),
                                r.kind.clone(),
                                r.label.clone(),
                                r.opened_at.clone(),
                                r.done_at.clone().unwrap_or_default(),
                                r.done_by.clone().unwrap_or_default(),
                            ]
                        })
                        .collect();
                    super::output::write_csv(
                        &mut out,
                        &[
                            "id",
                            "organisation",
                            "kind",
                            "label",
                            "opened_at",
                            "done_at",
                            "done_by",
                        ],
                        &rows,
                    )?;
                }
                Format::Table if records.is_empty() => {
                    writeln!(out, "Aucune tâche ouverte.")?;
                }
                Format::Table => {
                    let rows: Vec<Vec<String>> = records
                        .iter()
                        .map(|r| {
                            vec![
                                r.id.to_string(),
                                r.label.clone(),
                                r.organisation.clone(),
                                people_time(&r.opened_at, &context.clock),
                                r.done_at.as_deref().map_or_else(
                                    || "à faire".to_owned(),
                                    |at| {
                                        format!(
                                            "faite le {} par {}",
                                            people_time(at, &context.clock),
                                            r.done_by.as_deref().unwrap_or("?")
                                        )
                                    },
                                ),
                            ]
                        })
                        .collect();
                    write_table(
                        &mut out,
                        &["N°", "Tâche", "Organisation", "Ouverte le", "État"],
                        &rows,
                    )?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Action::Done { id, by, note } => {
            let by = super::non_empty(by)?;
            let pipeline = context.pipeline().await?;
            let task = pipeline.task_done(id, &by, note.as_deref()).await?;
            println!(
                "Tâche n° {id} faite : {} — {} (par {by}).",
                context.rules.publication.task(&task.kind),
                task.organisation
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
