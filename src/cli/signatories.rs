//! `mailroom signatories [--format csv|json|html] [--changes-since DATE]`: the official
//! list of signatories for the website — organisations only, no personal data (art. 8).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use jiff::civil::Date;

use super::output::write_csv;
use super::Setup;
use crate::clock::french_date;
use crate::signatories::{self, Signatory};
use crate::store::members;

/// Arguments of `signatories`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = ListFormat::Csv)]
    format: ListFormat,
    /// Seulement les ajouts et retraits depuis cette date (AAAA-MM-JJ), pour le webmestre.
    #[arg(long, value_name = "DATE")]
    changes_since: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    Csv,
    Json,
    Html,
}

const HEADERS: [&str; 5] = [
    "organisation",
    "category",
    "category_label",
    "municipality",
    "effective_date",
];

fn cells(s: &Signatory) -> Vec<String> {
    vec![
        s.organisation.clone(),
        s.category.clone().unwrap_or_default(),
        s.category_label.clone().unwrap_or_default(),
        s.municipality.clone().unwrap_or_default(),
        s.effective_date.clone(),
    ]
}

fn label(date: &str) -> String {
    date.parse::<Date>()
        .map_or_else(|_| date.to_owned(), french_date)
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let rows = members::all(&mut conn).await?;
    drop(conn);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(since) = &args.changes_since {
        let since: Date = since
            .parse()
            .with_context(|| format!("Date invalide « {since} » : attendu AAAA-MM-JJ"))?;
        let changes = signatories::changes_since(&rows, since, &context.rules);
        match args.format {
            ListFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &changes)?;
                writeln!(out)?;
            }
            ListFormat::Csv => {
                let mut headers = vec!["change", "date"];
                headers.extend(HEADERS);
                let table: Vec<Vec<String>> = changes
                    .iter()
                    .map(|c| {
                        let mut row = vec![c.change.to_owned(), c.date.clone()];
                        row.extend(cells(&c.signatory));
                        row
                    })
                    .collect();
                write_csv(&mut out, &headers, &table)?;
            }
            ListFormat::Html => {
                let added = changes.iter().filter(|c| c.change == "added");
                write_page(&mut out, context, added.map(|c| &c.signatory))?;
            }
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let list = signatories::list(&rows, &context.rules);
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            let table: Vec<Vec<String>> = list.iter().map(cells).collect();
            write_csv(&mut out, &HEADERS, &table)?;
        }
        ListFormat::Html => write_page(&mut out, context, list.iter())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The page for the website (`templates/signatories.html`).
fn write_page<'a>(
    out: &mut impl Write,
    context: &Setup,
    list: impl Iterator<Item = &'a Signatory>,
) -> anyhow::Result<()> {
    let values = serde_json::json!({
        "alliance": alliance(context),
        "as_of": french_date(context.clock.local_date(context.clock.now())),
        "signatories": list.map(page_row).collect::<Vec<_>>(),
    });
    write!(
        out,
        "{}",
        context.rules.mail.page("signatories.html", &values)?
    )?;
    Ok(())
}

fn page_row(s: &Signatory) -> serde_json::Value {
    serde_json::json!({
        "organisation": s.organisation,
        "category_label": s.category_label,
        "municipality": s.municipality,
        "effective_label": label(&s.effective_date),
    })
}

fn alliance(context: &Setup) -> serde_json::Value {
    serde_json::json!({
        "name": context.rules.alliance.name,
        "short_name": context.rules.alliance.short_name,
    })
}
