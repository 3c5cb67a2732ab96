//! `mailroom roster [--group CODE] [--format csv|json]`: each group's assigned members and
//! their delegates, for the coordination (internal: personal data).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use serde::Serialize;

use super::output::{write_csv_noted, INTERNAL_NOTE};
use super::Setup;
use crate::form::record::{Person, WorkingGroupCode};
use crate::pipeline::groups::seat_of;
use crate::store::groups;

/// Arguments of `roster`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Un seul groupe.
    #[arg(long, value_name = "CODE")]
    group: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = RosterFormat::Csv)]
    format: RosterFormat,
    /// Qui exporte (journalisé) ; par défaut, l’utilisateur du système.
    #[arg(long, value_name = "NOM")]
    by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RosterFormat {
    Csv,
    Json,
}

/// One seat (stable keys).
#[derive(Debug, Serialize)]
struct Seat {
    code: String,
    group: String,
    organisation: String,
    category: Option<String>,
    assigned_at: Option<String>,
    leaves_on: Option<String>,
    delegate: Option<Person>,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let code = args
        .group
        .as_deref()
        .map(|code| {
            WorkingGroupCode::from_code(code.trim())
                .with_context(|| format!("Groupe inconnu « {code} »"))
        })
        .transpose()?;
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let today = context.clock.local_date(context.clock.now());
    let seats: Vec<Seat> = groups::list(&mut conn, code.map(WorkingGroupCode::as_str))
        .await?
        .iter()
        .filter(|row| seat_of(row).holds_seat(today))
        .map(|row| Seat {
            code: row.code.clone(),
            group: WorkingGroupCode::from_code(&row.code)
                .map_or_else(|| row.code.clone(), |c| context.rules.groups.label(c)),
            organisation: row.organisation.clone(),
            category: row.category.clone(),
            assigned_at: row.decided_at.clone(),
            leaves_on: row.applies_on.clone(),
            delegate: serde_json::from_str::<Option<Person>>(&row.delegate)
                .ok()
                .flatten(),
        })
        .collect();
    drop(conn);
    let format = match args.format {
        RosterFormat::Csv => "csv",
        RosterFormat::Json => "json",
    };
    super::record_access(
        context,
        args.by,
        "roster",
        &serde_json::json!({ "group": args.group }),
        Some(format),
        seats.len(),
        true,
    )
    .await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        RosterFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &seats)?;
            writeln!(out)?;
        }
        RosterFormat::Csv => {
            let value = |v: &Option<String>| v.clone().unwrap_or_default();
            let rows: Vec<Vec<String>> = seats
                .iter()
                .map(|s| {
                    let d = s.delegate.clone().unwrap_or_default();
                    vec![
                        s.code.clone(),
                        s.group.clone(),
                        s.organisation.clone(),
                        value(&s.category),
                        value(&s.assigned_at),
                        value(&s.leaves_on),
                        value(&d.last_name),
                        value(&d.first_name),
                        value(&d.function),
                        value(&d.email),
                        value(&d.phone),
                    ]
                })
                .collect();
            write_csv_noted(
                &mut out,
                INTERNAL_NOTE,
                &[
                    "code",
                    "group",
                    "organisation",
                    "category",
                    "assigned_at",
                    "leaves_on",
                    "delegate_last_name",
                    "delegate_first_name",
                    "delegate_function",
                    "delegate_email",
                    "delegate_phone",
                ],
                &rows,
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
