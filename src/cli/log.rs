//! `mailroom log`: what arrived, what was decided, what was sent, and when.
//!
//! JSON keeps instants in UTC (RFC 3339) for programs; the table and the CSV show them in
//! the alliance's zone (Europe/Brussels), as people read them. `--since`/`--until` take a
//! civil date (`2026-04-14`, read in Europe/Brussels; `--until` includes that day) or an
//! RFC 3339 instant.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use super::output::{codes, local_time, people_time, shorten, write_csv, write_table, Format};
use super::Setup;
use crate::classify::{subject, Kind};
use crate::clock::{self, Clock};
use crate::store::journal;
use crate::store::messages::{self, LogFilter, LogRow};
use crate::workflow::Outcome;

/// Arguments of `log`: the listing, or one of its subcommands.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Un message en détail, ou la vérification du journal.
    #[command(subcommand)]
    command: Option<LogCommand>,
    #[command(flatten)]
    list: ListArgs,
}

/// `log show`, `log verify`.
#[derive(Debug, clap::Subcommand)]
enum LogCommand {
    /// Un message : en-têtes, décision, problèmes, changements, envois, vérification, chaîne.
    Show(ShowArgs),
    /// Vérifie la chaîne d’empreintes du journal, les tables et l’archive des messages bruts.
    Verify(VerifyArgs),
}

/// Filters and format of the listing.
#[derive(Debug, clap::Args)]
struct ListArgs {
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
    /// Message-ID exact (avec ou sans < >).
    #[arg(long, value_name = "ID")]
    message_id: Option<String>,
    /// Résultat : registered, incomplete, held_for_review, ignored, duplicate…
    #[arg(long, value_name = "OUTCOME")]
    outcome: Option<String>,
    /// Texte cherché dans l’objet, l’adresse et le nom de l’expéditeur (sans tenir compte
    /// des accents ni de la casse).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Format de sortie.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The outcomes `--outcome` accepts.
const OUTCOMES: [Outcome; 10] = [
    Outcome::Registered,
    Outcome::Incomplete,
    Outcome::Ineligible,
    Outcome::Unreadable,
    Outcome::ContactUpdated,
    Outcome::Resigned,
    Outcome::HeldForReview,
    Outcome::Duplicate,
    Outcome::Ignored,
    Outcome::Forwarded,
];

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
    match args.command {
        Some(LogCommand::Show(args)) => show(context, args).await,
        Some(LogCommand::Verify(args)) => verify(context, args).await,
        None => list(context, args.list).await,
    }
}

async fn list(context: &Setup, args: ListArgs) -> anyhow::Result<std::process::ExitCode> {
    if let Some(outcome) = &args.outcome {
        if !OUTCOMES.iter().any(|known| known.as_str() == outcome) {
            let known: Vec<&str> = OUTCOMES.iter().map(|o| o.as_str()).collect();
            bail!(
                "Résultat inconnu « {outcome} » ; résultats connus : {}",
                known.join(", ")
            );
        }
    }
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
        message_id: args.message_id.clone(),
        outcome: args.outcome.clone(),
    };
    let store = context.store().await?;
    let mut rows = messages::log(store.pool(), &filter).await?;
    if let Some(text) = &args.search {
        let needle = subject::organisation_key(text);
        rows.retain(|row| {
            [&row.subject, &row.from_addr, &row.from_name]
                .into_iter()
                .flatten()
                .any(|field| subject::organisation_key(field).contains(&needle))
        });
    }
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

/// Arguments of `log show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Numéro du message dans le journal, ou son Message-ID.
    id: String,
    /// Écrit le message brut, octet pour octet, sur la sortie standard.
    #[arg(long)]
    raw: bool,
    /// Format de sortie : table (texte) ou json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Arguments of `log verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Format de sortie : table (texte) ou json.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Une tête du journal notée ailleurs (un digest reçu) : NUMÉRO:EMPREINTE. La chaîne
    /// doit la contenir. Peut être répété.
    #[arg(long, value_name = "SEQ:HASH")]
    anchor: Vec<String>,
}

/// The raw copy of a message as `log show` describes it.
#[derive(Debug, Serialize)]
struct RawCopy {
    /// Its address: SHA-256 of the bytes.
    sha256: Option<String>,
    size_bytes: Option<usize>,
    /// Whether the bytes are still in the archive.
    kept: bool,
    /// The bytes' SHA-256 is the one recorded.
    intact: Option<bool>,
    erased: Option<journal::Tombstone>,
    headers: Option<String>,
}

/// `log show ID` in JSON (stable keys).
#[derive(Debug, Serialize)]
struct Shown<'a> {
    entry: Entry<'a>,
    raw: RawCopy,
    attachments: Vec<serde_json::Value>,
    member_events: Vec<serde_json::Value>,
    outgoing: Vec<journal::OutgoingHeaders>,
    review: Option<serde_json::Value>,
    journal: Vec<serde_json::Value>,
}

async fn show(context: &Setup, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = context.store().await?;
    let pool = store.pool();
    let id = match args.id.trim().parse::<i64>() {
        Ok(id) => id,
        Err(_) => match messages::ids_by_message_id(pool, &args.id)
            .await?
            .as_slice()
        {
            [id] => *id,
            [] => bail!("Aucun message n’a le Message-ID « {} ».", args.id),
            ids => bail!(
                "Plusieurs messages ont ce Message-ID (n° {}) : donnez le numéro.",
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    };
    let mut conn = pool.acquire().await?;
    let Some(row) = messages::log_row(&mut conn, id).await? else {
        bail!("Aucun message n° {id} dans le journal.");
    };
    let bytes = messages::raw_bytes_if_kept(pool, id).await?;
    let tombstone = journal::tombstone(pool, id).await?;
    if args.raw {
        let Some(bytes) = bytes else {
            match tombstone {
                Some(t) => bail!(
                    "Le message brut n° {id} a été effacé le {} ({}) ; son empreinte SHA-256 reste {}.",
                    people_time(&t.erased_at, &context.clock),
                    t.reason,
                    t.sha256
                ),
                None => bail!("Le message n° {id} n’a pas de copie brute."),
            }
        };
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let recorded = messages::recorded_raw_sha256(pool, id).await?;
    let raw = raw_copy(recorded.as_deref(), bytes.as_deref(), tombstone);
    let attachments = messages::attachments(pool, id).await?;
    let events = journal::events_of_message(pool, id).await?;
    let outgoing = journal::outgoing_of_message(pool, id).await?;
    let review = messages::review_action(&mut conn, id).await?;
    let trail = journal::trail(pool, id).await?;
    let shown = Shown {
        entry: Entry::from_row(&row),
        raw,
        attachments: attachments
            .iter()
            .map(|a| {
                serde_json::json!({
                    "position": a.position, "filename": a.filename,
                    "declared_type": a.declared_type, "detected_type": a.detected_type,
                    "size_bytes": a.size_bytes, "sha256": a.sha256, "pdf_pages": a.pdf_pages,
                    "problem": a.problem,
                })
            })
            .collect(),
        member_events: events
            .iter()
            .map(|e| {
                serde_json::json!({
                    "id": e.id, "member_id": e.member_id, "at": e.at, "event": e.event,
                    "by": e.by, "detail": json_or_text(&e.detail),
                })
            })
            .collect(),
        outgoing,
        review: review.as_ref().map(|r| {
            serde_json::json!({
                "action": r.action, "by": r.by, "note": r.note,
                "options": json_or_text(&r.options), "result": r.result, "at": r.at,
            })
        }),
        journal: trail
            .iter()
            .map(|j| {
                serde_json::json!({
                    "seq": j.seq, "at": j.at, "entity": j.entity, "entity_id": j.entity_id,
                    "payload": json_or_text(&j.payload), "blob_sha256": j.blob_sha256,
                    "hash": j.hash,
                })
            })
            .collect(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &shown)?;
            writeln!(out)?;
        }
        Format::Table | Format::Csv => write_shown(&mut out, &shown, &row, context)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn raw_copy(
    recorded: Option<&str>,
    bytes: Option<&[u8]>,
    tombstone: Option<journal::Tombstone>,
) -> RawCopy {
    match bytes {
        Some(bytes) => {
            let sha256 = journal::sha256_hex(bytes);
            let end = bytes
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .or_else(|| bytes.windows(2).position(|w| w == b"\n\n"))
                .unwrap_or(bytes.len());
            RawCopy {
                intact: recorded.map(|recorded| recorded == sha256),
                sha256: Some(sha256),
                size_bytes: Some(bytes.len()),
                kept: true,
                erased: None,
                headers: Some(
                    String::from_utf8_lossy(bytes.get(..end).unwrap_or(bytes)).into_owned(),
                ),
            }
        }
        None => RawCopy {
            sha256: tombstone.as_ref().map(|t| t.sha256.clone()),
            size_bytes: tombstone
                .as_ref()
                .and_then(|t| usize::try_from(t.size_bytes).ok()),
            kept: false,
            intact: None,
            erased: tombstone,
            headers: None,
        },
    }
}

fn json_or_text(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

fn write_shown(
    out: &mut impl Write,
    shown: &Shown<'_>,
    row: &LogRow,
    context: &Setup,
) -> anyhow::Result<()> {
    let time = |text: &str| people_time(text, &context.clock);
    let dash = |value: Option<&str>| value.unwrap_or("-").to_owned();
    writeln!(out, "Message n° {}", row.id)?;
    writeln!(out, "  Reçu le        : {}", time(&row.received_at))?;
    writeln!(
        out,
        "  Message-ID     : {}",
        dash(row.message_id.as_deref())
    )?;
    writeln!(
        out,
        "  Envoyé le      : {}",
        row.sent_at.as_deref().map_or_else(|| "-".to_owned(), time)
    )?;
    writeln!(
        out,
        "  De             : {} <{}>",
        dash(row.from_name.as_deref()),
        dash(row.from_addr.as_deref())
    )?;
    writeln!(out, "  Objet          : {}", dash(row.subject.as_deref()))?;
    writeln!(
        out,
        "  Type, résultat : {}, {}",
        dash(row.kind.as_deref()),
        row.outcome.as_deref().unwrap_or("(en cours)")
    )?;
    writeln!(
        out,
        "  Organisation   : {}",
        dash(row.organisation.as_deref())
    )?;
    writeln!(out, "  Problèmes      : {}", codes(&row.problems))?;
    let reasons: Vec<String> = serde_json::from_str(&row.reasons).unwrap_or_default();
    for reason in &reasons {
        writeln!(out, "  Raison         : {reason}")?;
    }
    writeln!(
        out,
        "  Règles         : {}",
        dash(row.rules_version.as_deref())
    )?;
    writeln!(
        out,
        "  Décidé le      : {}",
        row.decided_at
            .as_deref()
            .map_or_else(|| "-".to_owned(), time)
    )?;
    let raw = &shown.raw;
    match (&raw.erased, raw.kept) {
        (_, true) => writeln!(
            out,
            "  Message brut   : {} octets, SHA-256 {}{}",
            raw.size_bytes.unwrap_or(0),
            raw.sha256.as_deref().unwrap_or("-"),
            match raw.intact {
                Some(true) => " (conforme à l’empreinte enregistrée)",
                Some(false) => " — NE CORRESPOND PAS à l’empreinte enregistrée",
                None => "",
            }
        )?,
        (Some(t), false) => writeln!(
            out,
            "  Message brut   : effacé le {} par {} ({}) ; SHA-256 {} conservé",
            time(&t.erased_at),
            t.by,
            t.reason,
            t.sha256
        )?,
        (None, false) => writeln!(out, "  Message brut   : aucune copie")?,
    }
    if let Some(headers) = &raw.headers {
        writeln!(
            out,
            "\nEn-têtes (mailroom log show {} --raw : le message entier) :",
            row.id
        )?;
        for line in headers.lines() {
            writeln!(out, "  {line}")?;
        }
    }
    if !shown.attachments.is_empty() {
        writeln!(out, "\nPièces jointes :")?;
        for a in &shown.attachments {
            writeln!(
                out,
                "  {}. {}  {}  {} octets  SHA-256 {}",
                a["position"],
                a["filename"].as_str().unwrap_or("(sans nom)"),
                a["detected_type"].as_str().unwrap_or("-"),
                a["size_bytes"],
                a["sha256"].as_str().unwrap_or("-")
            )?;
        }
    }
    if !shown.member_events.is_empty() {
        writeln!(out, "\nChangements des membres :")?;
        for e in &shown.member_events {
            writeln!(
                out,
                "  {}  membre {}  {}  par {}  {}",
                time(e["at"].as_str().unwrap_or("")),
                e["member_id"],
                e["event"].as_str().unwrap_or("-"),
                e["by"].as_str().unwrap_or("-"),
                e["detail"]
            )?;
        }
    }
    if !shown.outgoing.is_empty() {
        writeln!(out, "\nEnvois :")?;
        for o in &shown.outgoing {
            writeln!(
                out,
                "  n° {}  {}  à {}  {}  {}  Message-ID {}",
                o.id,
                o.purpose,
                o.to_addrs,
                o.status,
                o.sent_at.as_deref().map_or_else(|| "-".to_owned(), time),
                o.message_id
            )?;
        }
    }
    if let Some(review) = &shown.review {
        writeln!(out, "\nVérification par la coordination :")?;
        writeln!(
            out,
            "  {} par {} le {}{}{}",
            review["action"].as_str().unwrap_or("-"),
            review["by"].as_str().unwrap_or("-"),
            time(review["at"].as_str().unwrap_or("")),
            review["note"]
                .as_str()
                .map(|note| format!(" : {note}"))
                .unwrap_or_default(),
            review["result"]
                .as_str()
                .map(|result| format!(" → {result}"))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "\nJournal (chaîne d’empreintes) :")?;
    for j in &shown.journal {
        writeln!(
            out,
            "  n° {}  {}  {} {}  {}",
            j["seq"],
            j["at"].as_str().unwrap_or("-"),
            j["entity"].as_str().unwrap_or("-"),
            j["entity_id"],
            j["hash"].as_str().unwrap_or("(pas encore scellée)")
        )?;
    }
    Ok(())
}

/// `log verify --format json` (stable): `{"intact", "findings": [{"kind", "table",
/// "row", "detail"}], "head": {"seq", "hash"}}`.
#[derive(Debug, Serialize)]
struct Verified {
    intact: bool,
    findings: Vec<VerifiedFinding>,
    head: VerifiedHead,
}

#[derive(Debug, Serialize)]
struct VerifiedFinding {
    kind: journal::FindingKind,
    table: &'static str,
    row: Option<i64>,
    detail: String,
}

#[derive(Debug, Serialize)]
struct VerifiedHead {
    seq: Option<i64>,
    hash: Option<String>,
}

async fn verify(context: &Setup, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut witnesses = journal::Witnesses::default();
    for text in &args.anchor {
        let Some(head) = journal::parse_head(text) else {
            bail!(
                "Ancre invalide « {text} » : attendu NUMÉRO:EMPREINTE (64 chiffres hexadécimaux), \
                 comme dans le digest."
            );
        };
        witnesses.given.push(head);
    }
    let store =
        crate::store::Store::open_with(&context.config.store.path, &context.store_options(true))
            .await?;
    let report = journal::verify(store.pool(), store.sealer(), &witnesses).await?;
    let anchors_file = store.sealer().anchors().display().to_string();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.format == Format::Json {
        let verified = Verified {
            intact: report.findings.is_empty(),
            findings: report
                .findings
                .iter()
                .map(|finding| VerifiedFinding {
                    kind: finding.kind,
                    table: finding.table(),
                    row: finding.row_id(),
                    detail: french_finding(finding, &anchors_file),
                })
                .collect(),
            head: VerifiedHead {
                seq: report.head_seq,
                hash: report.head_hash.clone(),
            },
        };
        serde_json::to_writer_pretty(&mut out, &verified)?;
        writeln!(out)?;
    } else if report.findings.is_empty() {
        writeln!(
            out,
            "Journal intact : {} entrées, chaîne vérifiée sous la clé jusqu’au n° {} (empreinte {}).",
            report.entries,
            report.head_seq.unwrap_or(0),
            report.head_hash.as_deref().unwrap_or("-")
        )?;
    } else {
        let count = report.findings.len();
        writeln!(
            out,
            "Journal ALTÉRÉ : {count} constat{} sur {} entrées.",
            if count > 1 { "s" } else { "" },
            report.entries
        )?;
        for finding in &report.findings {
            writeln!(out, "  - {}", french_finding(finding, &anchors_file))?;
        }
    }
    if args.format != Format::Json {
        writeln!(
            out,
            "Archive : {} message{} brut{} conforme{} à {} empreinte, {} effacé{} par rétention (empreinte conservée) ; {} envoi{} vérifié{}.",
            report.raw_checked,
            plural(report.raw_checked),
            plural(report.raw_checked),
            plural(report.raw_checked),
            if report.raw_checked > 1 { "leur" } else { "son" },
            report.tombstones,
            plural(report.tombstones),
            report.sent_checked,
            plural(report.sent_checked),
            plural(report.sent_checked),
        )?;
        writeln!(
            out,
            "Ancres : {} tête{} notée{} dans {anchors_file}, {} horodatage{} RFC 3161{}.",
            report.anchors,
            plural(report.anchors),
            plural(report.anchors),
            report.timestamps,
            plural(report.timestamps),
            if args.anchor.is_empty() {
                String::new()
            } else {
                format!(", {} donnée(s) avec --anchor", args.anchor.len())
            }
        )?;
        if !store.sealer().has_key() {
            writeln!(
                out,
                "Journal pas encore scellé par clé (écrit par une version antérieure) : chaîne SHA-256 vérifiée ; la prochaine commande de mailroom le mettra à niveau."
            )?;
        } else if report.legacy_entries > 0 {
            writeln!(
                out,
                "{} entrée(s) scellée(s) avant la clé (SHA-256), couvertes par l’entrée de mise à niveau.",
                report.legacy_entries
            )?;
        }
    }
    out.flush()?;
    Ok(if report.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn plural(n: i64) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

/// What a journaled row is, in French.
fn french_entity(entity: &str) -> &str {
    match entity {
        "message" => "message",
        "raw" => "message brut",
        "attachment" => "pièce jointe",
        "member" => "membre",
        "member_event" => "événement de membre",
        "review" => "décision de vérification",
        "outgoing" => "envoi",
        "group_request" => "demande de groupe",
        "cdp_access" => "accès CdP",
        "task" => "tâche",
        "consent" => "consentement",
        "access" => "accès aux données",
        "digest" => "digest",
        "tombstone" => "pierre tombale",
        "retention" => "politique de rétention",
        "journal" => "scellement du journal",
        "timestamp" => "horodatage",
        other => other,
    }
}

/// A value as an auditor reads it: text without quotes, `(vide)` for null.
fn french_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "(vide)".to_owned(),
        serde_json::Value::String(text) => format!("« {} »", shorten(text, 120)),
        other => shorten(&other.to_string(), 120),
    }
}

/// The fields that differ: `effective_date « 2026-01-01 » au lieu de « 2026-12-01 »`.
fn french_differences(finding: &journal::Finding) -> String {
    if finding.differences.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = finding
        .differences
        .iter()
        .map(|d| {
            format!(
                "{} {} au lieu de {}",
                d.field,
                french_value(&d.found),
                french_value(&d.journaled)
            )
        })
        .collect();
    format!(" : {}", parts.join(" ; "))
}

fn french_finding(finding: &journal::Finding, anchors_file: &str) -> String {
    use journal::FindingKind as K;
    let seq = finding.seq.unwrap_or(0);
    let range = match finding.seq_to {
        Some(to) if to != seq => format!("n° {seq} à {to}"),
        _ => format!("n° {seq}"),
    };
    let what = match (&finding.entity, finding.entity_id) {
        (Some(entity), Some(id)) => format!("{} {id}", french_entity(entity)),
        _ => String::new(),
    };
    let place = match (&finding.entity, finding.entity_id) {
        (Some(entity), Some(id)) => format!("table {}, ligne {id}", journal::table_of(entity)),
        _ => String::new(),
    };
    let hashes = match (&finding.found, &finding.expected) {
        (Some(found), Some(expected)) => format!(" (SHA-256 {found} au lieu de {expected})"),
        _ => String::new(),
    };
    let noticed = finding
        .noticed_at
        .map(|at| format!(" ; constaté par mailroom avant sa propre écriture, entrée n° {at}"))
        .unwrap_or_default();
    match finding.kind {
        K::Altered => format!(
            "MODIFIÉE : entrée n° {seq} ({what}) : son contenu ne correspond plus à son sceau."
        ),
        K::Deleted => format!("SUPPRIMÉE : entrée(s) {range} absente(s) de la chaîne."),
        K::Inserted => format!(
            "INSÉRÉE : entrée n° {seq} ({what}) : elle ne fait pas partie de la chaîne."
        ),
        K::Reordered => format!(
            "DÉPLACÉE : entrée(s) {range} ({what}) : la chaîne ne les relie pas dans cet ordre."
        ),
        K::Broken => format!(
            "CHAÎNE ROMPUE avant l’entrée n° {seq} ({what}) : une entrée a été retirée et les numéros réécrits, ou la précédente réécrite."
        ),
        K::Unsealed => format!(
            "NON SCELLÉE : entrée(s) {range} ({what}) écrite(s) hors de mailroom : mailroom scelle ses entrées dans la transaction qui les écrit."
        ),
        K::WrongKey => "CLÉ : aucun sceau du journal ne se vérifie sous cette clé : ce n’est pas la clé de cette base, ou la base vient d’une autre installation.".to_owned(),
        K::Unkeyed => "CLÉ : le journal n’a pas d’entrée de scellement par clé : il a été réécrit ou remplacé.".to_owned(),
        K::RowChanged => format!(
            "TABLE MODIFIÉE : {what} ne correspond plus à sa dernière entrée (n° {seq}) : changé hors de mailroom ({place}){}{noticed}.",
            french_differences(finding)
        ),
        K::RowDeleted => format!(
            "TABLE : {what} a disparu de sa table (dernière entrée n° {seq}) : supprimé hors de mailroom ({place}){noticed}."
        ),
        K::RowUnjournaled => format!(
            "TABLE : {what} n’a aucune entrée au journal : inséré hors de mailroom ({place}){}{noticed}.",
            french_differences(finding)
        ),
        K::RawAltered => format!("ARCHIVE : {what} altéré{hashes}."),
        K::RawMissing => format!(
            "ARCHIVE : {what} effacé sans pierre tombale (dernière entrée n° {seq})."
        ),
        K::SentAltered => format!(
            "ARCHIVE : les octets conservés de l’{what} ont changé depuis l’envoi{hashes}."
        ),
        K::AnchorMissing => {
            let source = match (finding.noticed_at, &finding.anchored_at) {
                (Some(line), Some(at)) => {
                    format!("notée le {at} dans {anchors_file} (ligne {line})")
                }
                (None, Some(at)) => format!("horodatée le {at}"),
                _ => "donnée avec --anchor".to_owned(),
            };
            let found = match &finding.found {
                Some(found) => format!("l’entrée n° {seq} y est scellée {found}"),
                None => format!(
                    "la chaîne s’arrête au n° {}",
                    finding.seq_to.unwrap_or(0)
                ),
            };
            format!(
                "ANCRE : la tête n° {seq} ({}) {source} n’est plus dans la chaîne ({found}) : base restaurée d’une copie antérieure, remplacée ou réécrite.",
                finding.expected.as_deref().unwrap_or("-")
            )
        }
        K::Unanchored => format!(
            "ANCRE : la tête n° {seq} ({}) scellée par mailroom manque dans {anchors_file} : fichier d’ancres tronqué, modifié ou remplacé.",
            finding.found.as_deref().unwrap_or("-")
        ),
        K::AnchorsUnreadable => format!(
            "ANCRE : ligne {} de {anchors_file} illisible (attendu : numéro, empreinte, instant).",
            finding.noticed_at.unwrap_or(0)
        ),
    }
}
