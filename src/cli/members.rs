//! `mailroom members`: the members as the coordination sees them, and `members import`
//! for the organisations that signed before mailroom was installed.
//!
//! JSON (stable keys): organisation, category, status, effective_date, resigned_date,
//! legal_representative, contact_point, working_groups (code, delegate), with address
//! and id beside them. The CSV is the same data flattened, one column per value, and is
//! what `members import` reads back.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

use super::output::{shorten, write_csv_noted, write_table, Format, INTERNAL_NOTE};
use super::Setup;
use crate::clock;
use crate::form::record::{Category, Ecosystem, FormRecord, Person, WorkingGroupCode};
use crate::rules::Reason;
use crate::store::members::{self, MemberRow, MemberValues};
use crate::store::messages;
use crate::workflow::matching::name_key;

/// Arguments of `members`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Quels membres : active (par défaut), pending, resigned ou all.
    #[arg(long, value_enum, default_value_t = Status::Active)]
    status: Status,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Qui consulte (journalisé) ; par défaut, l’utilisateur du système.
    #[arg(long, value_name = "NOM")]
    by: Option<String>,
    /// Ajoute les sections 3.2 (actions), 4 (écosystème) et 5 (initiatives) du
    /// formulaire : l’export est alors marqué « Confidentiel — art. 8 ».
    #[arg(long)]
    with_form: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Importe les organisations signataires d’avant mailroom (JSON ou CSV de `members`).
    Import {
        /// Fichier JSON (tableau d’objets au format de `members --format json`) ou CSV.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Qui importe (journalisé).
        #[arg(long, value_name = "NOM", default_value = "import")]
        by: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Status {
    Active,
    Pending,
    Resigned,
    All,
}

impl Status {
    fn keeps(self, status: &str) -> bool {
        match self {
            Status::All => true,
            Status::Active => status == "active",
            Status::Pending => status == "pending",
            Status::Resigned => status == "resigned",
        }
    }
}

/// A member as printed and imported (stable keys).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MemberRecord {
    /// Member id (ignored on import).
    #[serde(default, skip_deserializing)]
    pub id: Option<i64>,
    /// Official name.
    pub organisation: String,
    /// `hospital`, `elderly_care`, `ecosystem`.
    pub category: Option<Category>,
    /// `active`, `pending`, `resigned`.
    pub status: String,
    /// Art. 6.2, `YYYY-MM-DD`.
    pub effective_date: Option<String>,
    /// Art. 6.3, `YYYY-MM-DD`.
    #[serde(default)]
    pub resigned_date: Option<String>,
    /// Registered address.
    #[serde(default)]
    pub address: Option<String>,
    /// Form 2.
    pub legal_representative: Person,
    /// Form 2; null: the legal representative is the contact.
    #[serde(default)]
    pub contact_point: Option<Person>,
    /// Working groups asked for, with their delegate.
    #[serde(default)]
    pub working_groups: Vec<GroupRecord>,
    /// Import only: the Message-ID of the membership mail, so that a re-delivered copy
    /// is a duplicate.
    #[serde(default, skip_serializing)]
    pub membership_message_id: Option<String>,
}

/// A working group and its delegate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupRecord {
    /// Group code.
    pub code: WorkingGroupCode,
    /// Delegate.
    #[serde(default)]
    pub delegate: Person,
}

pub(super) async fn run(context: &Setup, args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Some(Action::Import { file, by }) => import(context, &file, &by).await,
        None => list(context, args.status, args.format, args.by, args.with_form).await,
    }
}

async fn list(
    context: &Setup,
    status: Status,
    format: Format,
    by: Option<String>,
    with_form: bool,
) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let mut conn = store.pool().acquire().await?;
    let rows: Vec<MemberRow> = members::all(&mut conn)
        .await?
        .into_iter()
        .filter(|row| status.keeps(&row.status))
        .collect();
    let records: Vec<MemberRecord> = rows.iter().map(record_of).collect();
    let mut sections = Vec::new();
    if with_form {
        for row in &rows {
            let form = members::form_json(&mut conn, row.id)
                .await?
                .and_then(|json| serde_json::from_str::<FormRecord>(&json).ok());
            sections.push(FormSections::of(form.as_ref()));
        }
    }
    drop(conn);
    super::record_access(
        context,
        by,
        "members",
        &if with_form {
            serde_json::json!({ "status": format!("{status:?}").to_lowercase(), "with_form": true })
        } else {
            serde_json::json!({ "status": format!("{status:?}").to_lowercase() })
        },
        Some(&format!("{format:?}").to_lowercase()),
        records.len(),
        true,
    )
    .await?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json if with_form => {
            let marked: Vec<Confidential<'_>> = records
                .iter()
                .zip(&sections)
                .map(|(record, form)| Confidential {
                    confidential: CONFIDENTIAL,
                    record,
                    form,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &marked)?;
            writeln!(out)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &records)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut rows: Vec<Vec<String>> = records.iter().map(csv_row).collect();
            let mut headers = csv_headers();
            let note = if with_form {
                headers.extend(FormSections::headers());
                for (row, form) in rows.iter_mut().zip(&sections) {
                    row.extend(form.cells());
                }
                format!("{CONFIDENTIAL}. {INTERNAL_NOTE}")
            } else {
                INTERNAL_NOTE.to_owned()
            };
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            write_csv_noted(&mut out, &note, &headers, &rows)?;
        }
        Format::Table => {
            if with_form {
                writeln!(
                    out,
                    "{CONFIDENTIAL} (sections 3.2, 4 et 5 : voir --format csv ou json)"
                )?;
            }
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|m| {
                    let contact = m.contact_point.as_ref().unwrap_or(&m.legal_representative);
                    vec![
                        m.id.map(|id| id.to_string()).unwrap_or_default(),
                        shorten(&m.organisation, 48),
                        m.category.map_or("-", Category::as_str).to_owned(),
                        m.status.clone(),
                        m.effective_date
                            .as_deref()
                            .and_then(|d| d.parse().ok())
                            .map_or_else(|| "-".to_owned(), clock::french_date),
                        shorten(contact.email.as_deref().unwrap_or("-"), 40),
                        m.working_groups
                            .iter()
                            .map(|g| g.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            write_table(
                &mut out,
                &[
                    "N°",
                    "Organisation",
                    "Catégorie",
                    "Statut",
                    "Prise d’effet",
                    "Contact",
                    "GT",
                ],
                &rows,
            )?;
            writeln!(
                out,
                "{} membre{}.",
                records.len(),
                if records.len() > 1 { "s" } else { "" }
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// How exports carrying the form's sections 3.2, 4 or 5 are marked (art. 8).
const CONFIDENTIAL: &str = "Confidentiel — art. 8";

/// A member with the form's sections 3.2, 4 and 5 (`--with-form`).
#[derive(Debug, Serialize)]
struct Confidential<'a> {
    confidential: &'static str,
    #[serde(flatten)]
    record: &'a MemberRecord,
    #[serde(flatten)]
    form: &'a FormSections,
}

/// Sections 3.2 (actions per group), 4 (ecosystem actors) and 5 (existing initiatives).
#[derive(Debug, Default, Serialize)]
struct FormSections {
    actions: Vec<GroupActions>,
    ecosystem: Option<Ecosystem>,
    existing_initiatives: Option<String>,
}

#[derive(Debug, Serialize)]
struct GroupActions {
    code: WorkingGroupCode,
    actions_option: Option<u8>,
    actions: Vec<String>,
}

impl FormSections {
    fn of(form: Option<&FormRecord>) -> FormSections {
        let Some(form) = form else {
            return FormSections::default();
        };
        FormSections {
            actions: form
                .working_groups
                .iter()
                .map(|choice| GroupActions {
                    code: choice.code,
                    actions_option: choice.actions_option,
                    actions: choice.actions.clone(),
                })
                .collect(),
            ecosystem: form.ecosystem.clone(),
            existing_initiatives: form.existing_initiatives.clone(),
        }
    }

    fn headers() -> Vec<String> {
        let mut headers: Vec<String> = WorkingGroupCode::ALL
            .iter()
            .map(|code| format!("gt_{}_actions", code.as_str()))
            .collect();
        headers.extend(
            [
                "ecosystem_contribution",
                "ecosystem_expertise",
                "ecosystem_internal_action",
                "existing_initiatives",
            ]
            .map(str::to_owned),
        );
        headers
    }

    fn cells(&self) -> Vec<String> {
        let mut cells: Vec<String> = WorkingGroupCode::ALL
            .iter()
            .map(|code| {
                self.actions
                    .iter()
                    .find(|a| a.code == *code)
                    .map(|a| a.actions.join(" | "))
                    .unwrap_or_default()
            })
            .collect();
        let ecosystem = self.ecosystem.clone().unwrap_or_default();
        cells.push(ecosystem.contribution.unwrap_or_default());
        cells.push(ecosystem.expertise.unwrap_or_default());
        cells.push(
            match (&self.ecosystem, ecosystem.internal_action) {
                (None, _) => "",
                (Some(_), true) => "oui",
                (Some(_), false) => "non",
            }
            .to_owned(),
        );
        cells.push(self.existing_initiatives.clone().unwrap_or_default());
        cells
    }
}

fn record_of(row: &MemberRow) -> MemberRecord {
    let person = |json: &str| serde_json::from_str::<Option<Person>>(json).ok().flatten();
    let groups: Vec<serde_json::Value> =
        serde_json::from_str(&row.working_groups).unwrap_or_default();
    MemberRecord {
        id: Some(row.id),
        organisation: row.name.clone(),
        category: row.category.as_deref().and_then(Category::from_code),
        status: row.status.clone(),
        effective_date: row.effective_date.clone(),
        resigned_date: row.resigned_date.clone(),
        address: row.address.clone(),
        legal_representative: person(&row.legal_representative).unwrap_or_default(),
        contact_point: person(&row.contact_point).filter(|p| !p.is_empty()),
        working_groups: groups
            .into_iter()
            .filter_map(|g| serde_json::from_value(g).ok())
            .collect(),
        membership_message_id: None,
    }
}

const PERSON_KEYS: [&str; 5] = ["last_name", "first_name", "function", "email", "phone"];

fn csv_headers() -> Vec<String> {
    let mut headers: Vec<String> = [
        "organisation",
        "category",
        "status",
        "effective_date",
        "resigned_date",
        "address",
    ]
    .iter()
    .map(|h| (*h).to_owned())
    .collect();
    for who in ["legal_representative", "contact_point"] {
        headers.extend(PERSON_KEYS.iter().map(|key| format!("{who}_{key}")));
    }
    for code in WorkingGroupCode::ALL {
        headers.push(format!("gt_{}", code.as_str()));
        headers.extend(
            PERSON_KEYS
                .iter()
                .map(|key| format!("gt_{}_delegate_{key}", code.as_str())),
        );
    }
    headers
}

fn person_cells(person: Option<&Person>) -> Vec<String> {
    let value = |v: Option<&Option<String>>| v.and_then(|v| v.clone()).unwrap_or_default();
    vec![
        value(person.map(|p| &p.last_name)),
        value(person.map(|p| &p.first_name)),
        value(person.map(|p| &p.function)),
        value(person.map(|p| &p.email)),
        value(person.map(|p| &p.phone)),
    ]
}

fn csv_row(m: &MemberRecord) -> Vec<String> {
    let mut row = vec![
        m.organisation.clone(),
        m.category.map_or("", Category::as_str).to_owned(),
        m.status.clone(),
        m.effective_date.clone().unwrap_or_default(),
        m.resigned_date.clone().unwrap_or_default(),
        m.address.clone().unwrap_or_default(),
    ];
    row.extend(person_cells(Some(&m.legal_representative)));
    row.extend(person_cells(m.contact_point.as_ref()));
    for code in WorkingGroupCode::ALL {
        let group = m.working_groups.iter().find(|g| g.code == code);
        row.push(if group.is_some() { "oui" } else { "" }.to_owned());
        row.extend(person_cells(group.map(|g| &g.delegate)));
    }
    row
}

// ── Import ──────────────────────────────────────────────────────────────────────────────

async fn import(context: &Setup, file: &PathBuf, by: &str) -> anyhow::Result<ExitCode> {
    let bytes =
        std::fs::read(file).with_context(|| format!("Impossible de lire {}", file.display()))?;
    let records = parse_import(&bytes)
        .with_context(|| format!("{} : rien n’a été importé", file.display()))?;
    let store = context.store().await?;
    let mut tx = store.begin().await?;
    let now = clock::to_storage(context.clock.now());
    let known: Vec<String> = members::all(&mut tx)
        .await?
        .into_iter()
        .map(|m| m.name_key)
        .collect();
    let mut seen = known.clone();
    for (line, record) in &records {
        let key = name_key(&record.organisation);
        if seen.contains(&key) {
            bail!(
                "{} : ligne {line} : « {} » est déjà membre ; rien n’a été importé",
                file.display(),
                record.organisation
            );
        }
        seen.push(key);
    }
    for (line, record) in &records {
        let values = MemberValues {
            name: record.organisation.clone(),
            name_key: name_key(&record.organisation),
            category: record.category.map(|c| c.as_str().to_owned()),
            address: record.address.clone(),
            legal_representative: serde_json::to_string(&record.legal_representative)?,
            contact_point: serde_json::to_string(&record.contact_point)?,
            working_groups: serde_json::to_string(&record.working_groups)?,
            ..MemberValues::default()
        };
        let id = members::insert_imported(
            &mut tx,
            &values,
            &record.status,
            record.effective_date.as_deref(),
            record.resigned_date.as_deref(),
            &now,
        )
        .await?;
        let mut message_row = None;
        if let Some(message_id) = &record.membership_message_id {
            let message_id = message_id.trim().trim_matches(['<', '>']);
            let reasons =
                serde_json::json!([context.rules.messages.reason(Reason::Imported, None)]);
            message_row = Some(
                messages::insert_imported(
                    &mut tx,
                    message_id,
                    &record.organisation,
                    id,
                    &reasons.to_string(),
                    &now,
                )
                .await?,
            );
        }
        let detail = serde_json::json!({ "file": file.display().to_string(), "line": line });
        members::record_event(
            &mut tx,
            id,
            &now,
            "imported",
            message_row,
            by,
            &detail.to_string(),
        )
        .await?;
    }
    tx.commit().await?;
    println!(
        "{} organisation{} importée{}.",
        records.len(),
        if records.len() > 1 { "s" } else { "" },
        if records.len() > 1 { "s" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// The records of an import file with their line numbers; the first malformed one fails
/// the whole file.
fn parse_import(bytes: &[u8]) -> anyhow::Result<Vec<(usize, MemberRecord)>> {
    let text = std::str::from_utf8(bytes).context("le fichier n’est pas en UTF-8")?;
    let text = text.trim_start_matches('\u{feff}');
    let records = if text.trim_start().starts_with('[') {
        parse_json(text)?
    } else {
        parse_csv(text)?
    };
    for (line, record) in &records {
        check(record).map_err(|why| anyhow::anyhow!("ligne {line} : {why}"))?;
    }
    Ok(records)
}

fn parse_json(text: &str) -> anyhow::Result<Vec<(usize, MemberRecord)>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("JSON invalide (ligne {}) : {e}", e.line()))?;
    // Each object's line: where its opening brace is.
    let starts: Vec<usize> = object_lines(text);
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            let line = starts.get(index).copied().unwrap_or(0);
            serde_json::from_value(value)
                .map(|record| (line, record))
                .map_err(|e| anyhow::anyhow!("ligne {line} : {e}"))
        })
        .collect()
}

/// The line of each top-level object of a JSON array.
fn object_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line, mut in_string, mut escaped) = (0_i32, 1, false, false);
    for c in text.chars() {
        match c {
            '\n' => line += 1,
            _ if in_string => match c {
                '\\' if !escaped => {
                    escaped = true;
                    continue;
                }
                '"' if !escaped => in_string = false,
                _ => {}
            },
            '"' => in_string = true,
            '{' | '[' => {
                if c == '{' && depth == 1 {
                    lines.push(line);
                }
                depth += 1;
            }
            '}' | ']' => depth -= 1,
            _ => {}
        }
        escaped = false;
    }
    lines
}

fn parse_csv(text: &str) -> anyhow::Result<Vec<(usize, MemberRecord)>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let mut header = None;
    // Line numbers as a spreadsheet shows them (a quoted value spanning lines aside).
    let mut line = 0;
    for row in rows.by_ref() {
        let row = row.context("CSV illisible")?;
        line += 1;
        // A one-cell note above the header ("Usage interne…") is skipped.
        if row.len() > 1 {
            header = Some(row);
            break;
        }
    }
    let header = header.context("en-tête CSV absent")?;
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    for name in ["organisation", "status"] {
        if column(name).is_none() {
            bail!("colonne « {name} » absente de l’en-tête CSV");
        }
    }
    let mut out = Vec::new();
    for row in rows {
        line += 1;
        let row = row.with_context(|| format!("ligne {line} : CSV illisible"))?;
        let cell = |name: &str| {
            column(name)
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let person = |prefix: &str| Person {
            last_name: cell(&format!("{prefix}_last_name")),
            first_name: cell(&format!("{prefix}_first_name")),
            function: cell(&format!("{prefix}_function")),
            email: cell(&format!("{prefix}_email")),
            phone: cell(&format!("{prefix}_phone")),
        };
        let category =
            match cell("category") {
                Some(code) => Some(Category::from_code(&code).ok_or_else(|| {
                    anyhow::anyhow!("ligne {line} : catégorie inconnue « {code} »")
                })?),
                None => None,
            };
        let contact = person("contact_point");
        let working_groups = WorkingGroupCode::ALL
            .into_iter()
            .filter(|code| cell(&format!("gt_{}", code.as_str())).is_some())
            .map(|code| GroupRecord {
                code,
                delegate: person(&format!("gt_{}_delegate", code.as_str())),
            })
            .collect();
        out.push((
            line,
            MemberRecord {
                id: None,
                organisation: cell("organisation").unwrap_or_default(),
                category,
                status: cell("status").unwrap_or_default(),
                effective_date: cell("effective_date"),
                resigned_date: cell("resigned_date"),
                address: cell("address"),
                legal_representative: person("legal_representative"),
                contact_point: (!contact.is_empty()).then_some(contact),
                working_groups,
                membership_message_id: cell("membership_message_id"),
            },
        ));
    }
    Ok(out)
}

/// What an imported member must be: named, a known status, dates that are dates.
fn check(record: &MemberRecord) -> Result<(), String> {
    if record.organisation.trim().is_empty() {
        return Err("organisation vide".to_owned());
    }
    if !["active", "pending", "resigned"].contains(&record.status.as_str()) {
        return Err(format!(
            "statut inconnu « {} » (active, pending, resigned)",
            record.status
        ));
    }
    for (what, date) in [
        ("effective_date", &record.effective_date),
        ("resigned_date", &record.resigned_date),
    ] {
        if let Some(date) = date {
            if date.parse::<jiff::civil::Date>().is_err() {
                return Err(format!("{what} « {date} » n’est pas une date AAAA-MM-JJ"));
            }
        }
    }
    if record.status == "active" && record.effective_date.is_none() {
        return Err("un membre actif a une date de prise d’effet (effective_date)".to_owned());
    }
    if record.status == "resigned" && record.resigned_date.is_none() {
        return Err("un membre résilié a une date de résiliation (resigned_date)".to_owned());
    }
    Ok(())
}
