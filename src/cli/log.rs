//! `mailroom log`: what arrived, what was decided, what was sent, and when.
//!
//! JSON keeps instants in UTC (RFC 3339) for programs; the table and the CSV show them in
//! the alliance's zone (Europe/Brussels), as people read them. `--since`/`--until` take a
//! civil date (`2026-04-14`, read in Europe/Brussels; `--until` includes that day) or an
//! RFC 3339 instant.

use std::io::Write;

use anyhow::{bail, Context};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::output::{codes, local_time, people_time, shorten, write_csv, write_table, Format};
use super::Setup;
use crate::classify::{subject, Kind};
use crate::clock::{self, Clock};
use crate::store::messages::{self, LogFilter, LogRow};

/// Arguments of `log`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Reçus à partir de cette date (AAAA-MM-JJ) ou de cet instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Reçus jusqu’à cette date incluse (AAAA-MM-JJ) ou avant cet instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Adresse de l’expéditeur.
    #[arg(long, value_name = "ADDR")]
    from: Option<String>,
    /// Type : convention, contact_change, resignation, unclassified, auto_reply, bounce.
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Organisation (sans tenir compte des accents, de la casse ni de la ponctuation).
    #[arg(long, value_name = "NAME")]
    org: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// One log entry as printed in JSON (stable keys).
#[derive(Debug, Serialize)]
struct Entry<'a> {
    id: i64,
    message_id: Option<&'a str>,
    received_at: &'a str,
    sent_at: Option<&'a str>,
    from: Option<&'a str>,
    from_name: Option<&'a str>,
    subject: Option<&'a str>,
    kind: Option<&'a str>,
    outcome: Option<&'a str>,
    problems: serde_json::Value,
    reasons: serde_json::Value,
    organisation: Option<&'a str>,
    duplicate_of: Option<i64>,
    ack_sent_at: Option<&'a str>,
    decided_at: Option<&'a str>,
    rules_version: Option<&'a str>,
}

impl<'a> Entry<'a> {
    fn from_row(row: &'a LogRow) -> Entry<'a> {
        Entry {
            id: row.id,
            message_id: row.message_id.as_deref(),
            received_at: &row.received_at,
            sent_at: row.sent_at.as_deref(),
            from: row.from_addr.as_deref(),
            from_name: row.from_name.as_deref(),
            subject: row.subject.as_deref(),
            kind: row.kind.as_deref(),
            outcome: row.outcome.as_deref(),
            problems: serde_json::from_str(&row.problems).unwrap_or_default(),
            reasons: serde_json::from_str(&row.reasons).unwrap_or_default(),
            organisation: row.organisation.as_deref(),
            duplicate_of: row.duplicate_of,
            ack_sent_at: row.ack_sent_at.as_deref(),
            decided_at: row.decided_at.as_deref(),
            rules_version: row.rules_version.as_deref(),
        }
    }
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<std::process::ExitCode> {
    if let Some(kind) = &args.kind {
        if Kind::parse(kind).is_none() {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            bail!(
                "Type inconnu « {kind} » ; types connus : {}",
                known.join(", ")
            );
        }
    }
    let filter = LogFilter {
        since: args
            .since
            .as_deref()
            .map(|text| bound(text, &context.clock, false))
            .transpose()?,
        until: args
            .until
            .as_deref()
            .map(|text| bound(text, &context.clock, true))
            .transpose()?,
        from: args.from.clone(),
        kind: args.kind.clone(),
        organisation_key: args.org.as_deref().map(subject::organisation_key),
    };
    let store = context.store().await?;
    let rows = messages::log(store.pool(), &filter).await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Json => {
            let entries: Vec<Entry<'_>> = rows.iter().map(Entry::from_row).collect();
            serde_json::to_writer_pretty(&mut out, &entries)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let local = |text: &str| local_time(text, &context.clock);
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    vec![
                        row.id.to_string(),
                        row.message_id.clone().unwrap_or_default(),
                        local(&row.received_at),
                        row.sent_at.as_deref().map(local).unwrap_or_default(),
                        row.from_addr.clone().unwrap_or_default(),
                        row.subject
                            .as_deref()
                            .map(|s| shorten(s, 998))
                            .unwrap_or_default(),
                        row.kind.clone().unwrap_or_default(),
                        row.outcome.clone().unwrap_or_default(),
                        codes(&row.problems),
                        row.organisation.clone().unwrap_or_default(),
                        row.ack_sent_at.as_deref().map(local).unwrap_or_default(),
                    ]
                })
                .collect();
            write_csv(
                &mut out,
                &[
                    "id",
                    "message_id",
                    "received_at",
                    "sent_at",
                    "from",
                    "subject",
                    "kind",
                    "outcome",
                    "problems",
                    "organisation",
                    "ack_sent_at",
                ],
                &table,
            )?;
        }
        Format::Table => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    vec![
                        row.id.to_string(),
                        people_time(&row.received_at, &context.clock),
                        shorten(row.from_addr.as_deref().unwrap_or("-"), 32),
                        row.kind.clone().unwrap_or_else(|| "-".to_owned()),
                        row.outcome
                            .clone()
                            .unwrap_or_else(|| "(en cours)".to_owned()),
                        shorten(row.organisation.as_deref().unwrap_or("-"), 32),
                        codes(&row.problems),
                        shorten(row.subject.as_deref().unwrap_or("-"), 60),
                    ]
                })
                .collect();
            write_table(
                &mut out,
                &[
                    "N°",
                    "Reçu le",
                    "De",
                    "Type",
                    "Résultat",
                    "Organisation",
                    "Problèmes",
                    "Objet",
                ],
                &table,
            )?;
            writeln!(
                out,
                "{} message{}.",
                rows.len(),
                if rows.len() > 1 { "s" } else { "" }
            )?;
        }
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// `--since` / `--until` as a storage instant. A civil date is read in the alliance's
/// zone; for `--until` it includes the whole day.
pub(super) fn bound(text: &str, clock: &Clock, until: bool) -> anyhow::Result<String> {
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(clock::to_storage(instant));
    }
    let date: Date = text.parse().with_context(|| {
        format!("Date invalide « {text} » : attendu AAAA-MM-JJ ou un instant RFC 3339")
    })?;
    let day = if until {
        date.tomorrow().context("Date hors limites")?
    } else {
        date
    };
    let start = day
        .to_zoned(clock.zone().clone())
        .with_context(|| format!("Date invalide « {text} »"))?;
    Ok(clock::to_storage(start.timestamp()))
}
