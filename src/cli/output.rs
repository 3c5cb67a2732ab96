//! Output formats shared by the listing commands: aligned tables for people, JSON for
//! programs, CSV for Excel set to Belgian French (UTF-8 with BOM, `;` separator, CRLF).

use std::io::Write;

use clap::ValueEnum;

use crate::clock::{self, Clock};
use crate::pipeline::Tally;

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns.
    Table,
    /// A JSON array.
    Json,
    /// CSV for Excel (fr-BE).
    Csv,
}

/// Writes `rows` under `headers` as CSV that Excel (fr-BE) opens cleanly.
///
/// # Errors
/// The writer fails.
pub fn write_csv<W: Write>(
    mut out: W,
    headers: &[&str],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}

/// The same, under a one-cell note line ("Usage interne…") that says what the file is;
/// `members import` skips it.
///
/// # Errors
/// The writer fails.
pub fn write_csv_noted<W: Write>(
    mut out: W,
    note: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(out);
    writer.write_record([note])?;
    writer.write_record(headers)?;
    for row in rows {
        writer.write_record(row)?;
    }
    writer.flush()?;
    Ok(())
}

/// The note above internal exports of personal data.
pub const INTERNAL_NOTE: &str = "Usage interne — coordination de l’alliance : données personnelles (RGPD), à ne pas diffuser ni publier.";

/// Writes `rows` under `headers` as columns padded to their widest cell.
///
/// # Errors
/// The writer fails.
pub fn write_table<W: Write>(
    mut out: W,
    headers: &[&str],
    rows: &[Vec<String>],
) -> anyhow::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                format!(
                    "{cell}{}",
                    " ".repeat(width.saturating_sub(cell.chars().count()))
                )
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for row in rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// `text` cut to `max` characters, with an ellipsis when cut; controls become spaces.
pub fn shorten(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= max {
        clean
    } else {
        let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The delivery line `run --once` and `ingest` print: `Envois : 2 livrés, 0 à réessayer, 0 en échec.`
pub fn delivery_summary(delivered: &crate::outbox::DeliveryReport) -> String {
    format!(
        "Envois : {} livré{}, {} à réessayer, {} en échec.",
        delivered.sent,
        if delivered.sent > 1 { "s" } else { "" },
        delivered.retried,
        delivered.failed
    )
}

/// One French sentence: `12 messages traités : 3 adhésions enregistrées, 5 retenus pour vérification…`.
pub fn summary(tally: &Tally) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n > 1 { many } else { one });
    let mut parts: Vec<String> = tally
        .by_outcome
        .iter()
        .map(|(outcome, &n)| match outcome.as_str() {
            "registered" => plural(n, "adhésion enregistrée", "adhésions enregistrées"),
            "incomplete" => plural(n, "formulaire incomplet", "formulaires incomplets"),
            "ineligible" => plural(n, "groupe réservé coché", "groupes réservés cochés"),
            "unreadable" => plural(
                n,
                "formulaire illisible ou absent",
                "formulaires illisibles ou absents",
            ),
            "contact_updated" => plural(
                n,
                "point de contact mis à jour",
                "points de contact mis à jour",
            ),
            "resigned" => plural(n, "résiliation", "résiliations"),
            "held_for_review" => plural(n, "retenu pour vérification", "retenus pour vérification"),
            "ignored" => plural(n, "ignoré", "ignorés"),
            "duplicate" => plural(n, "doublon", "doublons"),
            other => format!("{n} {other}"),
        })
        .collect();
    if tally.already_handled > 0 {
        parts.push(plural(tally.already_handled, "déjà traité", "déjà traités"));
    }
    let head = plural(tally.decided, "message traité", "messages traités");
    if parts.is_empty() {
        format!("{head}.")
    } else {
        format!("{head} : {}.", parts.join(", "))
    }
}

/// Problem codes of a JSON array, comma-separated.
pub fn codes(problems_json: &str) -> String {
    serde_json::from_str::<Vec<String>>(problems_json)
        .map(|codes| codes.join(", "))
        .unwrap_or_default()
}

/// `2026-04-14 09:30:00` in the alliance's zone: a date-time Excel recognises.
pub fn local_time(text: &str, clock: &Clock) -> String {
    clock::from_storage(text).map_or_else(
        || text.to_owned(),
        |instant| {
            clock
                .local(instant)
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        },
    )
}

/// `14 avril 2026 09:30` in the alliance's zone.
pub fn people_time(text: &str, clock: &Clock) -> String {
    clock::from_storage(text).map_or_else(
        || text.to_owned(),
        |instant| {
            let local = clock.local(instant);
            format!(
                "{} {}",
                clock::french_date(local.date()),
                local.strftime("%H:%M")
            )
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_for_excel_fr_be_has_a_bom_semicolons_and_quotes_where_needed() {
        let mut out = Vec::new();
        write_csv(
            &mut out,
            &["organisation", "subject"],
            &[vec![
                "Clinique « Saint-Exemple »".to_owned(),
                "RE: a; b".to_owned(),
            ]],
        )
        .expect("csv");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "\u{feff}organisation;subject\r\nClinique « Saint-Exemple »;\"RE: a; b\"\r\n"
        );
    }

    #[test]
    fn long_cells_are_shortened_and_controls_blanked() {
        assert_eq!(shorten("abc\r\ndef", 20), "abc  def");
        assert_eq!(shorten("abcdefghij", 5), "abcd…");
    }
}
