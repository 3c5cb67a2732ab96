//! The command line: clap types, one file per command. Prints, never decides.
//!
//! Messages meant for coordinators are in French; exit codes follow ripgrep's habit:
//! 0 done, 2 error (bad arguments, missing paths, bad configuration).

mod ack;
mod check;
mod consent;
mod digest;
mod extract;
mod groups;
mod ingest;
mod log;
mod members;
mod output;
mod person;
mod review;
mod roster;
mod run;
mod signatories;
mod tasks;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use crate::clock::Clock;
use crate::config::{secret, Config};
use crate::daemon::imap::{Credentials, Start};
use crate::daemon::ImapWatch;
use crate::mailbox::imap::{ImapAuth, ImapSettings};
use crate::outbox::{self, DeliveryReport, FileTransport, SmtpSettings, SmtpTransport, Transport};
use crate::pipeline::Pipeline;
use crate::roles::Roles;
use crate::rules::Rules;
use crate::store::{members as member_rows, Store};
use crate::workflow::matching::{compare, NameMatch};

/// mailroom : la boîte générique de l’alliance, traitée automatiquement.
#[derive(Debug, Parser)]
#[command(name = "mailroom", version, about, long_about = None)]
pub struct Cli {
    /// Fichier de configuration (TOML) ; sans lui, les valeurs par défaut intégrées.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Base SQLite (remplace `store` de la configuration).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Dossier où les messages sortants sont écrits (.eml).
    #[arg(long, global = true, value_name = "DIR")]
    pub outbox: Option<PathBuf>,
    /// Dossier de règles à utiliser au lieu des règles ASeT-W intégrées.
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Format du journal technique (stderr).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Plus de détails dans le journal technique (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// La commande.
    #[command(subcommand)]
    pub command: Command,
}

/// How tracing lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per event.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Traite des fichiers .eml, des dossiers de .eml ou des Maildir, puis s’arrête.
    Ingest(ingest::Args),
    /// Surveille la boîte configurée (Maildir par défaut : ./mail/inbox).
    Run(run::Args),
    /// Le journal des messages, tel que les auditeurs le lisent.
    Log(log::Args),
    /// Lit le formulaire d’adhésion d’un PDF, d’un .docx ou d’un e-mail, et le valide.
    Extract(extract::Args),
    /// Membres : liste (table, JSON, CSV) et import des signataires d’avant mailroom.
    Members(members::Args),
    /// Messages en attente d’une décision de la coordination.
    Review(review::Args),
    /// Confirmations de réception : renvoi d’une copie marquée.
    Ack(ack::Args),
    /// Se connecte aux serveurs IMAP et SMTP configurés et dit ce qu’il a trouvé.
    Check(check::Args),
    /// Groupes thématiques : demandes, décisions de la Région, capacités, échéances.
    Groups(groups::Args),
    /// La synthèse pour la coordination (affichée, ou envoyée avec --send).
    Digest(digest::Args),
    /// La liste officielle des signataires, pour le site (sans données personnelles).
    Signatories(signatories::Args),
    /// Tâches de publication : publier, retirer du site, accès CdP, retrait des GT.
    Tasks(tasks::Args),
    /// Consentement préalable et exprès d’un membre (article 8).
    Consent(consent::Args),
    /// Les membres affectés à chaque GT et leurs délégués (usage interne).
    Roster(roster::Args),
    /// Données personnelles : export de tout ce qui concerne une personne, rectification.
    Person(person::Args),
    /// Durée de conservation des messages bruts des membres démissionnaires.
    Retention(person::RetentionArgs),
}

/// Sets up tracing on stderr: warnings by default, `-v` info, `-vv` debug; `RUST_LOG` wins.
pub fn init_tracing(cli: &Cli) {
    // lopdf warns about every odd PDF members send; those are outcomes we record, not
    // operator warnings.
    let default = match cli.verbose {
        0 => "warn,lopdf=error",
        1 => "info,lopdf=error",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) is harmless: keep the first subscriber.
    let _ = match cli.log_format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Runs the parsed command line.
///
/// # Errors
/// Anything that stops the command: bad configuration, unreadable paths, store failures.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        // Few blocking threads: file reads and the per-core analysis need no more, and
        // every extra thread is another malloc arena holding freed message buffers.
        .max_blocking_threads(4)
        .enable_all()
        .build()
        .context("Cannot start the async runtime")?;
    runtime.block_on(async move {
        let context = Setup::load(&cli)?;
        let result = match cli.command {
            Command::Ingest(args) => ingest::run(&context, args).await,
            Command::Run(args) => run::run(&context, args).await,
            Command::Log(args) => log::run(&context, args).await,
            Command::Extract(args) => extract::run(&context, args).await,
            Command::Members(args) => members::run(&context, args).await,
            Command::Review(args) => review::run(&context, args).await,
            Command::Ack(args) => ack::run(&context, args).await,
            Command::Check(args) => check::run(&context, args).await,
            Command::Groups(args) => groups::run(&context, args).await,
            Command::Digest(args) => digest::run(&context, args).await,
            Command::Signatories(args) => signatories::run(&context, args).await,
            Command::Tasks(args) => tasks::run(&context, args).await,
            Command::Consent(args) => consent::run(&context, args).await,
            Command::Roster(args) => roster::run(&context, args).await,
            Command::Person(args) => person::run(&context, args).await,
            Command::Retention(args) => person::retention(&context, args).await,
        };
        result
    })
}

/// Configuration, rules and clock, resolved from the command line.
#[derive(Debug)]
pub(crate) struct Setup {
    pub config: Config,
    pub rules: Rules,
    pub clock: Clock,
}

impl Setup {
    fn load(cli: &Cli) -> anyhow::Result<Setup> {
        let mut config = Config::load(cli.config.as_deref())?;
        config.apply_environment(|name| std::env::var(name).ok());
        if let Some(db) = &cli.db {
            config.store.path.clone_from(db);
        }
        if let Some(outbox) = &cli.outbox {
            config.outbox.dir.clone_from(outbox);
        }
        if let Some(rules) = &cli.rules {
            config.rules = Some(rules.clone());
        }
        let rules = match &config.rules {
            Some(dir) => Rules::load(dir)
                .with_context(|| format!("Règles invalides dans {}", dir.display()))?,
            None => Rules::embedded().context("Règles intégrées invalides")?,
        };
        let clock = match std::env::var("MAILROOM_NOW") {
            // For tests and replays: every "now" of this run is that instant.
            Ok(instant) if !instant.trim().is_empty() => {
                let instant: jiff::Timestamp = instant.trim().parse().with_context(|| {
                    format!("MAILROOM_NOW n’est pas un instant RFC 3339 : {instant}")
                })?;
                tracing::warn!(%instant, "MAILROOM_NOW is set: the clock is fixed.");
                Clock::fixed(instant, rules.zone.clone())
            }
            _ => Clock::system(rules.zone.clone()),
        };
        Ok(Setup {
            config,
            rules,
            clock,
        })
    }

    async fn store(&self) -> anyhow::Result<Store> {
        Store::open_with(&self.config.store.path, &self.store_options(false)).await
    }

    /// Where the journal's key and anchors are; `verify_only` for `log verify`.
    pub(crate) fn store_options(&self, verify_only: bool) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            journal_key_file: self.config.store.journal_key_file.clone(),
            anchors_file: self.config.store.anchors_file.clone(),
            verify_only,
        }
    }

    /// The member a coordinator names: its number, or its name (up to case, accents,
    /// punctuation and legal form).
    async fn member_named(&self, name: &str) -> anyhow::Result<i64> {
        let store = self.store().await?;
        let mut conn = store.pool().acquire().await?;
        let all = member_rows::all(&mut conn).await?;
        if let Ok(id) = name.parse::<i64>() {
            if all.iter().any(|m| m.id == id) {
                return Ok(id);
            }
        }
        let same: Vec<_> = all
            .iter()
            .filter(|m| compare(&m.name, name) == NameMatch::Same)
            .collect();
        match same.as_slice() {
            [member] => Ok(member.id),
            [] => bail!(
                "Aucun membre ne s’appelle « {name} » (voir `mailroom members --status all`)."
            ),
            _ => bail!("Plusieurs membres s’appellent « {name} » : donnez son numéro."),
        }
    }

    /// The SMTP relay when one is configured (or `MAILROOM_SMTP_URL`), else `.eml` files.
    fn transport(&self) -> anyhow::Result<Transport> {
        let Some(smtp) = &self.config.outbox.smtp else {
            return Ok(Transport::File(FileTransport::new(&self.config.outbox.dir)));
        };
        let env = |name: &str| std::env::var(name).ok();
        let password = secret(env, "MAILROOM_SMTP_PASSWORD", smtp.password_file.as_deref())?;
        let settings = SmtpSettings::new(
            &smtp.url,
            password,
            std::time::Duration::from_secs(smtp.timeout_seconds.max(1)),
        )
        .context("Configuration SMTP invalide")?;
        Ok(Transport::Smtp(Box::new(
            SmtpTransport::new(&settings).context("Configuration SMTP invalide")?,
        )))
    }

    /// The IMAP folder to watch, when one is configured (or `MAILROOM_IMAP_URL`).
    fn imap_watch(&self) -> anyhow::Result<Option<ImapWatch>> {
        let Some(imap) = &self.config.mailbox.imap else {
            return Ok(None);
        };
        let env = |name: &str| std::env::var(name).ok();
        let (auth, credentials) = match (&imap.token_command, &imap.token_file) {
            (Some(command), _) => (
                ImapAuth::XOAuth2 {
                    token: String::new(),
                },
                Credentials::TokenCommand(command.clone()),
            ),
            (None, Some(file)) => (
                ImapAuth::XOAuth2 {
                    token: String::new(),
                },
                Credentials::TokenFile(file.clone()),
            ),
            (None, None) => {
                let password =
                    secret(env, "MAILROOM_IMAP_PASSWORD", imap.password_file.as_deref())?
                        .context("Aucun mot de passe IMAP : définissez MAILROOM_IMAP_PASSWORD, password_file ou token_command")?;
                (ImapAuth::Password(password), Credentials::Fixed)
            }
        };
        let mut settings =
            ImapSettings::from_url(&imap.url, auth).context("Configuration IMAP invalide")?;
        settings.timeout = std::time::Duration::from_secs(imap.timeout_seconds.max(1));
        Ok(Some(ImapWatch {
            settings,
            credentials,
            idle: std::time::Duration::from_secs(imap.idle_minutes.clamp(1, 25) * 60),
            start: Start::parse(&imap.start).context("Configuration IMAP invalide")?,
            quarantine_folder: imap.quarantine_folder.clone(),
            max_failures: imap.max_failures,
            junk_folder: imap.junk_folder.clone(),
            import_past: imap.import_past,
        }))
    }

    /// Delivers what is due now (after a coordinator's action queued mail).
    async fn deliver(&self, pipeline: &Pipeline) -> anyhow::Result<DeliveryReport> {
        outbox::deliver(
            pipeline.store(),
            &self.transport()?,
            pipeline.rules(),
            &self.clock,
            self.config.outbox.max_attempts,
        )
        .await
    }

    async fn pipeline(&self) -> anyhow::Result<Pipeline> {
        Pipeline::new(
            self.store().await?,
            self.rules.clone(),
            self.config.limits.clone(),
            self.config.mailbox.folders.clone(),
            self.config.outbox.from.clone(),
            self.clock.clone(),
        )
        .map(|pipeline| pipeline.with_roles(self.roles()))
    }

    /// The addresses of the alliance's roles, from the configuration over the rules.
    pub(super) fn roles(&self) -> Roles {
        Roles::resolve(&self.config.roles, &self.rules.groups)
    }
}

/// A coordinator's name given with `--by`, trimmed and not empty.
fn non_empty(by: String) -> anyhow::Result<String> {
    let by = by.trim().to_owned();
    if by.is_empty() {
        bail!("--by doit nommer la personne qui décide");
    }
    Ok(by)
}

/// Who runs the command: `--by`, else the system user.
fn operator(by: Option<String>) -> String {
    by.map(|by| by.trim().to_owned())
        .filter(|by| !by.is_empty())
        .or_else(|| std::env::var("USER").ok().filter(|user| !user.is_empty()))
        .unwrap_or_else(|| "inconnu".to_owned())
}

/// Records, for the auditors, that `command` gave out `rows` rows with `filter`.
async fn record_access(
    context: &Setup,
    by: Option<String>,
    command: &str,
    filter: &serde_json::Value,
    format: Option<&str>,
    rows: usize,
    personal_data: bool,
) -> anyhow::Result<()> {
    let store = context.store().await?;
    let mut tx = store.begin().await?;
    crate::store::publication::record_access(
        &mut tx,
        &crate::store::publication::Access {
            at: &crate::clock::to_storage(context.clock.now()),
            by: &operator(by),
            command,
            filter: &filter.to_string(),
            format,
            rows: i64::try_from(rows).unwrap_or(i64::MAX),
            personal_data,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
