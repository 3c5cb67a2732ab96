//! `mailroom groups`: the members' working-group requests and the Région's decisions.
//!
//! `list [--group CODE] [--due] [--format table|json|csv]` — JSON rows carry the stable
//! keys `organisation, code, state, requested_at, decided_at, due_date, delegate` (plus
//! category, late, applies_on, notified_at, decided_by, overdue);
//! `assign|waitlist|refuse|withdraw ORG CODE --by NAME [--note TEXT]` records a decision
//! and sends its notice; `cdp-sent ORG --by NAME` closes the Communauté de Pratiques task;
//! `cdp` lists those tasks.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use jiff::civil::Date;
use serde::Serialize;

use super::output::{people_time, write_csv, write_table, Format};
use super::Setup;
use crate::clock::french_date;
use crate::form::record::{Person, WorkingGroupCode};
use crate::pipeline::groups::{fill_of, french_state, GroupOrder};
use crate::store::groups::{self as store_groups, CdpRow, GroupRequestRow};
use crate::workflow::groups::{self, Fill, GroupDecision};

/// Arguments of `groups`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Les demandes de participation aux GT, les décisions et leurs échéances.
    List {
        /// Un seul groupe (decarbonisation, procurement, resilience, elderly_awareness,
        /// infrastructure).
        #[arg(long, value_name = "CODE")]
        group: Option<String>,
        /// Seulement les décisions dues dans les 7 jours et celles en retard (art. 4bis.2).
        #[arg(long)]
        due: bool,
        /// Format de sortie.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Affecte le membre au groupe et lui envoie la confirmation officielle.
    Assign {
        #[command(flatten)]
        decision: DecisionArgs,
        /// Affecter même si le groupe a atteint sa capacité maximale (annexe 1).
        #[arg(long)]
        over_capacity: bool,
    },
    /// Inscrit la demande sur la liste d’attente et le notifie au membre.
    Waitlist {
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Refuse la demande et le notifie au membre.
    Refuse {
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Retire le membre du groupe, après préavis (annexe 1, point 2).
    Withdraw {
        #[command(flatten)]
        decision: DecisionArgs,
    },
    /// Enregistre l’envoi des accès à la Communauté de Pratiques (annexe 2).
    CdpSent {
        /// Le membre : son nom ou son numéro.
        #[arg(value_name = "ORGANISATION")]
        org: String,
        /// Qui l’a envoyé (journalisé).
        #[arg(long, value_name = "NOM")]
        by: String,
    },
    /// Les accès à la Communauté de Pratiques à envoyer (et envoyés).
    Cdp {
        /// Format de sortie.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, clap::Args)]
struct DecisionArgs {
    /// Le membre : son nom ou son numéro.
    #[arg(value_name = "ORGANISATION")]
    org: String,
    /// Le groupe (decarbonisation, procurement, resilience, elderly_awareness,
    /// infrastructure).
    #[arg(value_name = "CODE")]
    code: String,
    /// Qui décide (journalisé).
    #[arg(long, value_name = "NOM")]
    by: String,
    /// Motif, repris dans la notification au membre.
    #[arg(long, value_name = "TEXTE")]
    note: Option<String>,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::List { group, due, format } => {
            let code = group.as_deref().map(group_code).transpose()?;
            list(context, code, due, format).await
        }
        Action::Assign {
            decision,
            over_capacity,
        } => decide(context, decision, GroupDecision::Assign, over_capacity).await,
        Action::Waitlist { decision } => {
            decide(context, decision, GroupDecision::Waitlist, false).await
        }
        Action::Refuse { decision } => {
            decide(context, decision, GroupDecision::Refuse, false).await
        }
        Action::Withdraw { decision } => {
            decide(context, decision, GroupDecision::Withdraw, false).await
        }
        Action::CdpSent { org, by } => {
            let by = super::non_empty(by)?;
            let member = context.member_named(&org).await?;
            let pipeline = context.pipeline().await?;
            pipeline.cdp_sent(member, &by).await?;
            println!("Accès à la Communauté de Pratiques enregistré comme envoyé (par {by}).");
            Ok(ExitCode::SUCCESS)
        }
        Action::Cdp { format } => cdp(context, format).await,
    }
}

/// A group code as coordinators type it.
fn group_code(code: &str) -> anyhow::Result<WorkingGroupCode> {
    WorkingGroupCode::from_code(code.trim()).with_context(|| {
        let known: Vec<&str> = WorkingGroupCode::ALL.iter().map(|c| c.as_str()).collect();
        format!("Groupe inconnu « {code} » ; codes : {}", known.join(", "))
    })
}

async fn decide(
    context: &Setup,
    args: DecisionArgs,
    decision: GroupDecision,
    over_capacity: bool,
) -> anyhow::Result<ExitCode> {
    let code = group_code(&args.code)?;
    let by = super::non_empty(args.by)?;
    let member_id = context.member_named(&args.org).await?;
    let pipeline = context.pipeline().await?;
    let decided = pipeline
        .decide_group(&GroupOrder {
            member_id,
            code,
            decision,
            by: by.clone(),
            note: args.note.filter(|note| !note.trim().is_empty()),
            over_capacity,
        })
        .await?;
    let label = context.rules.groups.label(code);
    match &decided.applies_on {
        Some(day) => println!(
            "« {} » : retrait du GT {label} notifié, effectif le {day} (décision de {by}).",
            decided.organisation
        ),
        None => println!(
            "« {} » : GT {label} — {} → {} (décision de {by}).",
            decided.organisation,
            french_state(&decided.before),
            french_state(&decided.state)
        ),
    }
    if decided.notice_id.is_none() {
        println!("Attention : aucune adresse connue pour notifier le membre.");
    }
    if let Some(fill) = &decided.fill {
        println!("{}", fill_line(fill));
    }
    let delivered = context.deliver(&pipeline).await?;
    if delivered.sent > 0 {
        println!("{} message(s) envoyé(s).", delivered.sent);
    }
    Ok(ExitCode::SUCCESS)
}

/// One row of `groups list --format json` (stable keys first).
#[derive(Debug, Serialize)]
struct RequestRecord {
    organisation: String,
    code: String,
    state: String,
    requested_at: String,
    decided_at: Option<String>,
    due_date: Option<String>,
    delegate: Option<Person>,
    category: Option<String>,
    late: bool,
    overdue: bool,
    applies_on: Option<String>,
    notified_at: Option<String>,
    decided_by: Option<String>,
}

fn record_of(row: &GroupRequestRow, due: Option<Date>, today: Date) -> RequestRecord {
    RequestRecord {
        organisation: row.organisation.clone(),
        code: row.code.clone(),
        state: row.state.clone(),
        requested_at: row.requested_at.clone(),
        decided_at: row.decided_at.clone(),
        due_date: due.map(|d| d.to_string()),
        delegate: serde_json::from_str::<Option<Person>>(&row.delegate)
            .ok()
            .flatten()
            .filter(|p| !p.is_empty()),
        category: row.category.clone(),
        late: row.late,
        overdue: row.state == "requested" && due.is_some_and(|d| d < today),
        applies_on: row.applies_on.clone(),
        notified_at: row.notified_at.clone(),
        decided_by: row.decided_by.clone(),
    }
}

async fn list(
    context: &Setup,
    code: Option<WorkingGroupCode>,
    due: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let today = context.clock.local_date(context.clock.now());
    let rows = store_groups::list(&mut conn, code.map(WorkingGroupCode::as_str)).await?;
    // `--due`: undecided and due within the week, or overdue.
    let horizon = groups::due_horizon(today, context.rules.groups.decisions.due_soon_days);
    let records: Vec<RequestRecord> = rows
        .iter()
        .map(|row| {
            let due_on = groups::due_on(row.clock_start.as_deref(), row.effective_date.as_deref());
            (row, due_on)
        })
        .filter(|(row, due_on)| {
            !due || (row.state == "requested" && due_on.is_some_and(|day| day <= horizon))
        })
        .map(|(row, due_on)| record_of(row, due_on, today))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &records)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let table: Vec<Vec<String>> = records.iter().map(csv_row).collect();
            write_csv(&mut out, &CSV_HEADERS, &table)?;
        }
        Format::Table => {
            if records.is_empty() {
                writeln!(
                    out,
                    "{}",
                    if due {
                        "Aucune décision de GT n’est due dans les 7 jours ni en retard."
                    } else {
                        "Aucune demande de participation à un GT."
                    }
                )?;
            } else {
                let table: Vec<Vec<String>> = records
                    .iter()
                    .map(|r| table_row(r, context, today))
                    .collect();
                write_table(
                    &mut out,
                    &[
                        "Organisation",
                        "GT",
                        "État",
                        "Demandé le",
                        "Décidé le",
                        "Échéance",
                        "Délégué",
                    ],
                    &table,
                )?;
            }
            if !due {
                writeln!(out)?;
                for group in &context.rules.groups.groups {
                    if code.is_some_and(|c| c != group.code) {
                        continue;
                    }
                    if let Some(fill) = fill_of(&context.rules.groups, &rows, today, group.code) {
                        writeln!(out, "{}", fill_line(&fill))?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

const CSV_HEADERS: [&str; 12] = [
    "organisation",
    "code",
    "state",
    "requested_at",
    "decided_at",
    "due_date",
    "delegate",
    "category",
    "late",
    "overdue",
    "applies_on",
    "notified_at",
];

fn delegate_name(person: Option<&Person>) -> String {
    person
        .map(|p| {
            [p.first_name.as_deref(), p.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn csv_row(record: &RequestRecord) -> Vec<String> {
    let yes = |flag: bool| if flag { "oui" } else { "" }.to_owned();
    vec![
        record.organisation.clone(),
        record.code.clone(),
        record.state.clone(),
        record.requested_at.clone(),
        record.decided_at.clone().unwrap_or_default(),
        record.due_date.clone().unwrap_or_default(),
        delegate_name(record.delegate.as_ref()),
        record.category.clone().unwrap_or_default(),
        yes(record.late),
        yes(record.overdue),
        record.applies_on.clone().unwrap_or_default(),
        record.notified_at.clone().unwrap_or_default(),
    ]
}

fn table_row(record: &RequestRecord, context: &Setup, today: Date) -> Vec<String> {
    let mut state = french_state(&record.state).to_owned();
    if record.late {
        state.push_str(" (tardive)");
    }
    if let Some(day) = record
        .applies_on
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
    {
        if day > today {
            state = format!("retrait le {}", french_date(day));
        }
    }
    let due = match record
        .due_date
        .as_deref()
        .and_then(|d| d.parse::<Date>().ok())
    {
        Some(day) if record.overdue => format!("{} — EN RETARD", french_date(day)),
        Some(day) if record.state == "requested" => french_date(day),
        _ => "-".to_owned(),
    };
    let code = WorkingGroupCode::from_code(&record.code);
    vec![
        record.organisation.clone(),
        code.map_or_else(|| record.code.clone(), |c| context.rules.groups.label(c)),
        state,
        people_time(&record.requested_at, &context.clock),
        record
            .decided_at
            .as_deref()
            .map_or_else(|| "-".to_owned(), |at| people_time(at, &context.clock)),
        due,
        delegate_name(record.delegate.as_ref()),
    ]
}

/// "Résilience : 3 places occupées sur 20 à 30 (2 hôpitaux, 1 établissement pour aînés) ;
/// 4 demandes à décider, 1 en liste d’attente — sous le minimum."
pub(super) fn fill_line(fill: &Fill) -> String {
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n > 1 { many } else { one });
    let mut line = format!(
        "{} : {} sur {} à {} ({}, {}) ; {}, {}",
        fill.label,
        plural(fill.assigned, "place occupée", "places occupées"),
        fill.min,
        fill.max,
        plural(fill.hospitals, "hôpital", "hôpitaux"),
        plural(
            fill.elderly_care,
            "établissement pour aînés",
            "établissements pour aînés"
        ),
        plural(fill.requested, "demande à décider", "demandes à décider"),
        plural(fill.waitlisted, "en liste d’attente", "en liste d’attente"),
    );
    if fill.over_capacity() {
        line.push_str(" — au-delà de la capacité");
    } else if fill.below_minimum() {
        line.push_str(" — sous le minimum");
    }
    line.push('.');
    line
}

/// One row of `groups cdp --format json`.
#[derive(Debug, Serialize)]
struct CdpRecord {
    organisation: String,
    category: Option<String>,
    status: String,
    due_date: Option<String>,
    sent_at: Option<String>,
    sent_by: Option<String>,
    revoked_at: Option<String>,
    overdue: bool,
}

fn cdp_record(row: &CdpRow, today: Date) -> CdpRecord {
    let due = groups::due_on(row.clock_start.as_deref(), row.effective_date.as_deref());
    CdpRecord {
        organisation: row.organisation.clone(),
        category: row.category.clone(),
        status: row.member_status.clone(),
        due_date: due.map(|d| d.to_string()),
        sent_at: row.sent_at.clone(),
        sent_by: row.sent_by.clone(),
        revoked_at: row.revoked_at.clone(),
        overdue: row.sent_at.is_none()
            && row.revoked_at.is_none()
            && due.is_some_and(|d| d < today),
    }
}

async fn cdp(context: &Setup, format: Format) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let today = context.clock.local_date(context.clock.now());
    let records: Vec<CdpRecord> = store_groups::cdp_list(&mut conn)
        .await?
        .iter()
        .map(|row| cdp_record(row, today))
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let cells = |r: &CdpRecord, people: bool| -> Vec<String> {
        let time = |at: &Option<String>| {
            at.as_deref().map_or_else(String::new, |at| {
                if people {
                    people_time(at, &context.clock)
                } else {
                    at.to_owned()
                }
            })
        };
        vec![
            r.organisation.clone(),
            r.due_date.clone().unwrap_or_default(),
            time(&r.sent_at),
            r.sent_by.clone().unwrap_or_default(),
            time(&r.revoked_at),
            if r.overdue { "oui" } else { "" }.to_owned(),
        ]
    };
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &records)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let table: Vec<Vec<String>> = records.iter().map(|r| cells(r, false)).collect();
            write_csv(
                &mut out,
                &[
                    "organisation",
                    "due_date",
                    "sent_at",
                    "sent_by",
                    "revoked_at",
                    "overdue",
                ],
                &table,
            )?;
        }
        Format::Table if records.is_empty() => {
            writeln!(out, "Aucun accès à la Communauté de Pratiques à suivre.")?;
        }
        Format::Table => {
            let table: Vec<Vec<String>> = records.iter().map(|r| cells(r, true)).collect();
            write_table(
                &mut out,
                &[
                    "Organisation",
                    "Échéance",
                    "Envoyé le",
                    "Par",
                    "Révoqué le",
                    "En retard",
                ],
                &table,
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
