//! `mailroom extract FILE [--format json|text]`: the membership form read out of a .pdf,
//! a .docx or an .eml (then: the attachment that is the form), validated.
//!
//! Exit status: 0 when the form was read (validation problems included), 2 when it could
//! not be read (encrypted, corrupt, a scan without OCR, no form attached, a Word file while
//! the Word reader does not exist yet) — the JSON is printed all the same, with null fields
//! and its problem codes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use super::Setup;
use crate::form::record::{FormRecord, Person};
use crate::form::{self, FileType};
use crate::problem::{Problem, Severity};
use crate::{intake, validate};

/// Output of `extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// The stable JSON record.
    Json,
    /// A French summary for a coordinator.
    Text,
}

/// Arguments of `extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Formulaire (.pdf, .docx) ou message (.eml) qui le contient.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Json)]
    format: ExtractFormat,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("Impossible de lire {}", args.file.display()))?;
    let limits = &context.config.limits;
    let rules = &context.rules;
    let record = match form::detect(&bytes) {
        FileType::Pdf | FileType::Docx => form::read(&bytes, &rules.form, limits),
        _ => {
            let envelope = intake::parse(&bytes, limits);
            form::read_attachments(&envelope.attachments, &rules.form, limits)
        }
    };
    let record = validate::examine(record, &rules.validation);
    // After validation: an OCR reading it holds (`pdf.no_text_layer`) is not read.
    let read = form::is_form(&record);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        ExtractFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &record)?;
            writeln!(out)?;
        }
        ExtractFormat::Text => write_text(&mut out, &record, context)?,
    }
    out.flush()?;
    Ok(if read {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// A coordinator's reading of the record, in French.
fn write_text(out: &mut impl Write, record: &FormRecord, context: &Setup) -> anyhow::Result<()> {
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    let person = |p: &Person| {
        format!(
            "{} {} ({}), {}, {}",
            value(&p.first_name),
            value(&p.last_name),
            value(&p.function),
            value(&p.email),
            value(&p.phone)
        )
    };
    let organisation = &record.organisation;
    writeln!(out, "Organisation : {}", value(&organisation.name))?;
    let category = organisation
        .category
        .map_or("—", |category| match category.as_str() {
            "hospital" => "hôpital",
            "elderly_care" => "établissement pour aînés",
            _ => "acteur de l’écosystème",
        });
    writeln!(out, "Catégorie : {category}")?;
    writeln!(out, "Adresse : {}", value(&organisation.address))?;
    writeln!(
        out,
        "Représentant légal : {}",
        person(&record.legal_representative)
    )?;
    match &record.contact_point {
        Some(contact) => writeln!(out, "Point de contact : {}", person(contact))?,
        None => writeln!(out, "Point de contact : le représentant légal")?,
    }
    for group in &record.working_groups {
        writeln!(
            out,
            "Groupe thématique {} : délégué {}",
            group.code.as_str(),
            person(&group.delegate)
        )?;
    }
    let signature = &record.signatures.legal_representative;
    writeln!(
        out,
        "Signature (6.1) : {}, datée du {}",
        if signature.signed {
            "présente"
        } else {
            "absente"
        },
        value(&signature.date)
    )?;
    let blocking = record
        .problems
        .iter()
        .filter_map(|code| Problem::parse(code))
        .any(|problem| problem.severity() != Severity::Warning);
    if !blocking {
        writeln!(out, "Formulaire dûment complété.")?;
    }
    if !record.problems.is_empty() {
        writeln!(out, "Problèmes :")?;
        for code in &record.problems {
            let sentence = Problem::parse(code).map_or(code.as_str(), |problem| {
                context.rules.messages.problem(problem)
            });
            writeln!(out, "  - {code} : {sentence}")?;
        }
    }
    // A scan read by OCR: why a coordinator should look at it (or why it was not read).
    if let Some(ocr) = record.source.details.get("ocr") {
        if let Some(reason) = ocr.get("reason").and_then(|r| r.as_str()) {
            writeln!(out, "Lecture optique : {reason}")?;
        }
        let doubts = ocr.get("doubts").and_then(|d| d.as_array());
        if let Some(doubts) = doubts.filter(|d| !d.is_empty()) {
            writeln!(out, "Doutes de la lecture optique :")?;
            for doubt in doubts.iter().filter_map(|d| d.as_str()) {
                writeln!(out, "  - {doubt}")?;
            }
        }
    }
    Ok(())
}
