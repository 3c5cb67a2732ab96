//! `mailroom check`: connects to the IMAP and SMTP servers of the configuration (or of
//! `MAILROOM_IMAP_URL` / `MAILROOM_SMTP_URL`) and says what it found, with a plain
//! diagnosis when something is wrong. Sends nothing, moves nothing. Exit 0 when both
//! answer, 1 otherwise.

use std::process::ExitCode;

use super::Setup;
use crate::mailbox::imap::{ImapAuth, ImapMailbox};
use crate::outbox::Transport;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub(super) async fn run(context: &Setup, _args: Args) -> anyhow::Result<ExitCode> {
    let imap_ok = check_imap(context).await;
    println!();
    let smtp_ok = check_smtp(context).await;
    println!();
    let roles_ok = check_roles(context);
    Ok(if imap_ok && smtp_ok && roles_ok {
        println!("\nTout est en ordre.");
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The recipients by role: typos in `[roles]` are errors; roles without an address are
/// said (what they would receive is held for the coordination instead).
fn check_roles(context: &Setup) -> bool {
    let roles = context.roles();
    for key in roles.unknown_keys() {
        println!("Rôles : « {key} » ne désigne aucun rôle (coordinators, copil, gt.<code>.referent|pilot|facilitator).");
    }
    let missing: Vec<String> = roles.missing().into_iter().map(|role| role.key()).collect();
    if missing.is_empty() {
        println!("Rôles : une adresse pour chacun.");
    } else {
        println!(
            "Rôles sans adresse (les règles n’en donnent qu’une fictive en .invalid) : {}. \
             Ce qui leur reviendrait est retenu pour la coordination.",
            missing.join(", ")
        );
    }
    roles.unknown_keys().is_empty()
}

async fn check_imap(context: &Setup) -> bool {
    let watch = match context.imap_watch() {
        Ok(Some(watch)) => watch,
        Ok(None) => {
            println!(
                "IMAP : non configuré — la boîte lue est le Maildir {}.",
                context.config.mailbox.maildir.display()
            );
            return true;
        }
        Err(error) => return failed("IMAP", &error),
    };
    println!("IMAP : {}", watch.settings);
    let settings = match watch.fresh_settings().await {
        Ok(settings) => settings,
        Err(error) => return failed("IMAP", &error),
    };
    let method = match settings.auth {
        ImapAuth::Password(_) => "mot de passe",
        ImapAuth::XOAuth2 { .. } => "jeton OAuth (XOAUTH2)",
    };
    let mut mailbox = match ImapMailbox::connect(&settings).await {
        Ok(mailbox) => mailbox,
        Err(error) => return failed("IMAP", &error),
    };
    println!("  connexion et authentification ({method}) : OK");
    println!("  capacités : {}", mailbox.capabilities().join(" "));
    let missing: Vec<&str> = ["IDLE", "MOVE", "UIDPLUS"]
        .into_iter()
        .filter(|cap| !mailbox.has_capability(cap))
        .collect();
    if !missing.is_empty() {
        println!(
            "  attention : le serveur n’offre pas {} (sans IDLE la boîte est relevée à \
             intervalles ; sans MOVE ni UIDPLUS les messages ne peuvent pas être classés \
             sans risque).",
            missing.join(", ")
        );
    }
    match mailbox.select(&settings.folder).await {
        Ok(state) => println!(
            "  dossier {} : {} message(s), UIDVALIDITY {}",
            settings.folder, state.exists, state.uid_validity
        ),
        Err(error) => return failed("IMAP", &error),
    }
    match mailbox.folders().await {
        Ok(folders) => {
            let wanted = &context.config.mailbox.folders;
            for folder in [
                &wanted.processed,
                &wanted.review,
                &wanted.ignored,
                &watch.quarantine_folder,
            ] {
                let state = if folders.iter().any(|f| f == folder) {
                    "présent"
                } else {
                    "absent, sera créé au premier classement"
                };
                println!("  dossier « {folder} » : {state}");
            }
        }
        Err(error) => return failed("IMAP", &error),
    }
    let _ = mailbox.logout().await;
    true
}

async fn check_smtp(context: &Setup) -> bool {
    let transport = match context.transport() {
        Ok(transport) => transport,
        Err(error) => return failed("SMTP", &error),
    };
    match transport {
        Transport::File(_) => {
            println!(
                "SMTP : non configuré — les messages sont écrits dans {}.",
                context.config.outbox.dir.display()
            );
            true
        }
        Transport::Smtp(smtp) => {
            println!("SMTP : {smtp:?}");
            match smtp.check().await {
                Ok(found) => {
                    println!("  connexion : OK — {found}");
                    true
                }
                Err(error) => failed("SMTP", &error),
            }
        }
    }
}

/// Prints a failure with a plain diagnosis; returns false.
fn failed(server: &str, error: &anyhow::Error) -> bool {
    let text = format!("{error:#}");
    println!("  ÉCHEC : {text}");
    let lower = text.to_lowercase();
    let diagnosis = if lower.contains("authenticat")
        || lower.contains("login")
        || lower.contains("535")
    {
        "les identifiants sont refusés : vérifiez le compte, le mot de passe (MAILROOM_IMAP_PASSWORD / MAILROOM_SMTP_PASSWORD) ou le jeton OAuth ; Exchange Online n’accepte plus l’authentification de base (demandez à l’informatique l’inscription de l’application et son consentement)."
    } else if lower.contains("certificate") || lower.contains("tls") {
        "la connexion chiffrée échoue : vérifiez le nom du serveur (il doit correspondre à son certificat) et le port (993 pour imaps://, 465 pour smtps://, 587 avec ?tls=required)."
    } else if lower.contains("timed out")
        || lower.contains("refused")
        || lower.contains("connect")
        || lower.contains("resolve")
    {
        "le serveur ne répond pas : vérifiez l’adresse, le port, et qu’un pare-feu ne bloque pas la connexion depuis cette machine."
    } else if lower.contains("password") || lower.contains("mot de passe") {
        "aucun secret n’est fourni : définissez la variable d’environnement ou le fichier indiqué."
    } else {
        "voir le message ci-dessus ; relancez avec -v pour le détail."
    };
    println!("  diagnostic {server} : {diagnosis}");
    false
}
