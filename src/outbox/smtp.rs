#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]
//! The SMTP transport: hands composed messages to the alliance's submission server.
//!
//! The server is named by a URL in lettre's form; the password comes separately (from
//! `MAILROOM_SMTP_PASSWORD`) and never sits in the URL:
//!
//! | URL | connection |
//! | --- | --- |
//! | `smtps://user@host` | TLS from the first byte, port 465 by default |
//! | `smtp://user@host?tls=required` | STARTTLS, port 587 by default; fails if the server does not offer it |
//! | `smtp://127.0.0.1:2525` | plain text, port 25 by default: loopback hosts only |
//! | `smtp://localhost?tls=opportunistic` | STARTTLS if offered, else plain: loopback hosts only |
//!
//! The user may be percent-encoded (`info%40alliance.be`). A path names the EHLO host
//! (`smtps://user@host/mailroom.alliance.be`, as in lettre), otherwise the machine's host
//! name is used. `auth=plain`, `auth=login` or `auth=xoauth2` (comma-separated, in order of
//! preference) restricts the SASL mechanisms; the default is PLAIN then LOGIN, and with
//! XOAUTH2 the "password" is the OAuth2 access token. Certificates are checked against the
//! Mozilla roots bundled with lettre (`webpki-roots`).
//!
//! Each message gets its own session: connect, (STARTTLS), EHLO, AUTH, MAIL, RCPT, DATA,
//! QUIT, all of it bounded by one timeout (lettre's own timeout bounds only the TCP
//! connect). Failures are sorted for the outbox:
//!
//! - before the transaction (connection, TLS, EHLO, AUTH, including a 5xx there) and any
//!   4xx, time-out or broken connection: [`SendError::Transient`]. A wrong password or a
//!   server that refuses us is not the message's fault and must not lose it;
//! - a 5xx to MAIL, RCPT or the message, an invalid address, or a message the server
//!   cannot carry (8-bit without 8BITMIME): [`SendError::Permanent`]. One refused
//!   recipient fails the whole message (lettre stops at the first refusal). The exception
//!   is 530 (authentication required), a configuration problem, hence transient.
//!
//! A time-out or a broken connection after the message was sent but before the server's
//! answer is ambiguous (RFC 1047): the server may have queued it. It is reported as
//! transient, so the message may be delivered twice; its fixed Message-ID lets the
//! recipient's side recognise the copy.

use std::error::Error as _;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use anyhow::{bail, Context};
use lettre::address::{Address, Envelope};
use lettre::transport::smtp::authentication::{Credentials, Mechanism, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::{ClientId, Extension};
use lettre::transport::smtp::response::{Category, Code, Detail, Response, Severity};
use lettre::transport::smtp::{Error as SmtpError, SMTP_PORT, SUBMISSIONS_PORT, SUBMISSION_PORT};
use url::{Host, Url};

use super::SendError;

/// How long QUIT may take once the server has accepted the message (or `check` is done).
const QUIT_TIMEOUT: Duration = Duration::from_secs(5);

/// 530, "authentication required" (RFC 4954): the configuration lacks a user, not the
/// message.
const AUTH_REQUIRED: Code = Code {
    severity: Severity::PermanentNegativeCompletion,
    category: Category::Unspecified3,
    detail: Detail::Zero,
};

/// Where and how to send.
#[derive(Clone)]
pub struct SmtpSettings {
    /// The server, in lettre's URL form (`smtps://user@host:465`), without the password.
    pub url: String,
    /// The password or XOAUTH2 token for the URL's user (from `MAILROOM_SMTP_PASSWORD`).
    pub password: Option<String>,
    /// The limit for one whole session: connect, TLS, authentication and the transaction.
    pub timeout: Duration,
}

impl SmtpSettings {
    /// From `smtp://127.0.0.1:2525`, `smtps://user@host:465` or
    /// `smtp://user@host:587?tls=required` (lettre's URL form), the password supplied
    /// separately (from `MAILROOM_SMTP_PASSWORD`; an empty one counts as none).
    ///
    /// Refused, with the reason: plain text (or `tls=opportunistic`) to a host that is not
    /// loopback, a password inside the URL, a user without a password or a password
    /// without a user, unknown schemes or parameters, and a zero timeout.
    pub fn new(
        url: &str,
        password: Option<String>,
        timeout: Duration,
    ) -> anyhow::Result<SmtpSettings> {
        let settings = SmtpSettings {
            url: url.to_owned(),
            password,
            timeout,
        };
        Resolved::new(&settings)?;
        Ok(settings)
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Sends messages over SMTP, one session per message.
pub struct SmtpTransport {
    /// The server, from the URL.
    target: Target,
    /// How the session is secured, with the TLS configuration built once.
    channel: Channel,
    /// The name given in EHLO.
    hello: ClientId,
    /// The user and password (or token), when the URL names a user.
    credentials: Option<Credentials>,
    /// The limit for one whole session.
    timeout: Duration,
    /// The session left open after an accepted message, reused by the next one of the
    /// same delivery pass (a connection per message costs more than the message).
    open_session: tokio::sync::Mutex<Option<AsyncSmtpConnection>>,
}

impl fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("target", &self.target)
            .field("hello", &self.hello)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpTransport {
    /// A transport for `settings`, checked again as in [`SmtpSettings::new`]; fails only on
    /// a bad setting or if the TLS configuration cannot be built. Connects to nothing yet.
    pub fn new(settings: &SmtpSettings) -> anyhow::Result<SmtpTransport> {
        let Resolved {
            target,
            credentials,
        } = Resolved::new(settings)?;
        let tls = || {
            TlsParameters::new(target.host.clone())
                .with_context(|| format!("Cannot set up TLS for {}", target.host))
        };
        let channel = match target.security {
            Security::Plain => Channel::Plain,
            Security::Opportunistic => Channel::Opportunistic(tls()?),
            Security::StartTls => Channel::StartTls(tls()?),
            Security::Implicit => Channel::Implicit(tls()?),
        };
        let hello = target
            .hello
            .clone()
            .map_or_else(ClientId::default, ClientId::Domain);
        Ok(SmtpTransport {
            target,
            channel,
            hello,
            credentials,
            timeout: settings.timeout,
            open_session: tokio::sync::Mutex::new(None),
        })
    }

    /// Sends the already formatted message `bytes` to `recipients` from `from`; returns
    /// the server's reply text for the accepted message (e.g. "2.0.0 Ok: queued as
    /// ABC123") as the delivery reference.
    ///
    /// What is delivered is exactly `bytes` when they end with CRLF, as composed messages
    /// do (the final CRLF becomes part of the end-of-data marker instead of adding an empty
    /// line). The whole session is bounded by the settings' timeout. See the module
    /// documentation for which failures are transient and which permanent.
    pub async fn send(
        &self,
        from: &str,
        recipients: &[String],
        bytes: &[u8],
    ) -> Result<String, SendError> {
        let envelope = envelope(from, recipients)?;
        let data = bytes.strip_suffix(b"\r\n").unwrap_or(bytes);
        let mut open_session = self.open_session.lock().await;
        let reused = open_session.take();
        let session = async {
            let reused = match reused {
                Some(mut connection) => alive(&mut connection).await.then_some(connection),
                None => None,
            };
            let mut connection = match reused {
                Some(connection) => connection,
                None => self
                    .open()
                    .await
                    .map_err(|error| SendError::Transient(error.to_string()))?,
            };
            let response = connection
                .send(&envelope, data)
                .await
                .map_err(|error| self.transaction_failure(&error))?;
            Ok::<_, SendError>((connection, response))
        };
        let (connection, response) = tokio::time::timeout(self.timeout, session)
            .await
            .map_err(|_| SendError::Transient(self.timed_out()))??;
        // The message is accepted: nothing that happens from here on may turn that into a
        // failure, or it would be sent again. The session stays open for the next message;
        // `close` ends it.
        *open_session = Some(connection);
        Ok(reply_text(&response))
    }

    /// Ends the session left open by `send`, if any (QUIT, briefly bounded; its answer
    /// does not matter: every message of it was already accepted).
    pub async fn close(&self) {
        if let Some(mut connection) = self.open_session.lock().await.take() {
            if tokio::time::timeout(QUIT_TIMEOUT, connection.quit())
                .await
                .is_err()
            {
                tracing::debug!(server = %self.target, "no answer to QUIT");
            }
        }
    }

    /// Connects and says EHLO (and authenticates if a user is given), for `mailroom check`.
    ///
    /// Returns one line: the server's name from its EHLO answer, the extensions that
    /// matter here, whether the session is encrypted and as whom it authenticated.
    pub async fn check(&self) -> anyhow::Result<String> {
        let mut connection = tokio::time::timeout(self.timeout, self.open())
            .await
            .map_err(|_| anyhow::anyhow!(self.timed_out()))??;
        let info = connection.server_info();
        let mut extensions: Vec<String> = [
            Extension::StartTls,
            Extension::EightBitMime,
            Extension::SmtpUtfEight,
        ]
        .into_iter()
        .filter(|extension| info.supports_feature(*extension))
        .map(|extension| extension.to_string())
        .collect();
        let mechanisms: Vec<String> = [Mechanism::Plain, Mechanism::Login, Mechanism::Xoauth2]
            .into_iter()
            .filter(|mechanism| info.supports_auth_mechanism(*mechanism))
            .map(|mechanism| mechanism.to_string())
            .collect();
        if !mechanisms.is_empty() {
            extensions.push(format!("AUTH {}", mechanisms.join(" ")));
        }
        let extensions = if extensions.is_empty() {
            "none of STARTTLS, 8BITMIME, SMTPUTF8, AUTH".to_owned()
        } else {
            extensions.join(", ")
        };
        let tls = if connection.is_encrypted() {
            "TLS"
        } else {
            "no TLS"
        };
        let login = match &self.target.user {
            Some(user) => format!("logged in as {user}"),
            None => "no login".to_owned(),
        };
        let description = format!(
            "{} at {}: {tls}, {login}; extensions: {extensions}",
            info.name(),
            self.target
        );
        if tokio::time::timeout(QUIT_TIMEOUT, connection.quit())
            .await
            .is_err()
        {
            tracing::debug!(server = %self.target, "no answer to QUIT after the check");
        }
        Ok(description)
    }

    /// Connects, secures the channel as configured, says EHLO and authenticates.
    async fn open(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let target = &self.target;
        let implicit = match &self.channel {
            Channel::Implicit(tls) => Some(tls.clone()),
            _ => None,
        };
        let connected = match implicit {
            // Implicit TLS: lettre wraps its own socket before the greeting.
            Some(tls) => {
                AsyncSmtpConnection::connect_tokio1(
                    (target.host.as_str(), target.port),
                    Some(self.timeout),
                    &self.hello,
                    Some(tls),
                    None,
                )
                .await
            }
            // Our own socket, with TCP_NODELAY: the end of each DATA is a small write that
            // would otherwise wait for the server's delayed ACK (≈ 40 ms per message).
            None => {
                let tcp = tokio::time::timeout(
                    self.timeout,
                    tokio::net::TcpStream::connect((target.host.as_str(), target.port)),
                )
                .await
                .map_err(|_| {
                    anyhow::anyhow!("cannot open an SMTP session with {target}: timed out")
                })?
                .map_err(|error| {
                    anyhow::anyhow!("cannot open an SMTP session with {target}: {error}")
                })?;
                if let Err(error) = tcp.set_nodelay(true) {
                    tracing::debug!(%error, "TCP_NODELAY not set");
                }
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await
            }
        };
        let mut connection = connected.map_err(|error| {
            anyhow::anyhow!(
                "cannot open an SMTP session with {target}: {}",
                describe(&error)
            )
        })?;
        let starttls = match &self.channel {
            Channel::StartTls(tls) => Some(tls),
            Channel::Opportunistic(tls) if connection.can_starttls() => Some(tls),
            _ => None,
        };
        if let Some(tls) = starttls {
            connection
                .starttls(tls.clone(), &self.hello)
                .await
                .map_err(|error| {
                    anyhow::anyhow!("STARTTLS with {target} failed: {}", describe(&error))
                })?;
        }
        if let Some(credentials) = &self.credentials {
            let user = target.user.as_deref().unwrap_or_default();
            connection
                .auth(&target.mechanisms, credentials)
                .await
                .map_err(|error| {
                    anyhow::anyhow!(
                        "{target} did not accept the login of {user}: {}",
                        describe(&error)
                    )
                })?;
        }
        Ok(connection)
    }

    /// Sorts a failure of MAIL, RCPT or DATA (the connection is open and authenticated).
    fn transaction_failure(&self, error: &SmtpError) -> SendError {
        let target = &self.target;
        if error.is_client() {
            // The message cannot go through this server as it is (8-bit content without
            // 8BITMIME, a non-ASCII address without SMTPUTF8): retrying will not help.
            return SendError::Permanent(format!(
                "cannot send through {target}: {}",
                describe(error)
            ));
        }
        let Some(code) = error.status() else {
            // Broken connection, unreadable answer, I/O time-out.
            return SendError::Transient(format!(
                "session with {target} failed: {}",
                describe(error)
            ));
        };
        let text = format!("{target} answered: {}", describe(error));
        if !error.is_permanent() {
            SendError::Transient(text)
        } else if code == AUTH_REQUIRED {
            SendError::Transient(format!(
                "{text} (the server wants a login: put the user in the URL)"
            ))
        } else {
            SendError::Permanent(text)
        }
    }

    /// The reason given when the session outlived the timeout.
    fn timed_out(&self) -> String {
        format!(
            "no answer from {} within {:?} (timed out)",
            self.target, self.timeout
        )
    }
}

/// The envelope for `from` and `recipients` (duplicates sent once); an invalid or
/// missing address is a permanent failure.
fn envelope(from: &str, recipients: &[String]) -> Result<Envelope, SendError> {
    let parse = |role: &str, address: &str| {
        address.parse::<Address>().map_err(|error| {
            SendError::Permanent(format!("invalid {role} address {address:?}: {error}"))
        })
    };
    let sender = parse("sender", from)?;
    let mut to: Vec<Address> = Vec::with_capacity(recipients.len());
    for recipient in recipients {
        let address = parse("recipient", recipient)?;
        if !to.contains(&address) {
            to.push(address);
        }
    }
    if to.is_empty() {
        return Err(SendError::Permanent("no recipient".to_owned()));
    }
    Envelope::new(Some(sender), to)
        .map_err(|error| SendError::Permanent(format!("cannot build the envelope: {error}")))
}

/// The server's reply text ("2.0.0 Ok: queued as ABC123"), or its code if it said nothing.
fn reply_text(response: &Response) -> String {
    let text = response
        .message()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        response.code().to_string()
    } else {
        text
    }
}

/// A lettre error as one line: the server's code and text for a refusal, else the error
/// with its causes.
fn describe(error: &SmtpError) -> String {
    if let Some(code) = error.status() {
        let text = error.source().map(ToString::to_string).unwrap_or_default();
        return format!("{code} {text}").trim_end().to_owned();
    }
    let mut line = error.to_string();
    let mut cause = error.source().and_then(|source| source.source());
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = inner.source();
    }
    // lettre nests its errors, so a kind can come twice ("Connection error: Connection
    // error: …"): say it once.
    let mut parts: Vec<&str> = Vec::new();
    for part in line.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
}

/// What the URL and the password resolve to.
struct Resolved {
    target: Target,
    credentials: Option<Credentials>,
}

impl Resolved {
    fn new(settings: &SmtpSettings) -> anyhow::Result<Resolved> {
        let target = Target::parse(&settings.url)?;
        if settings.timeout.is_zero() {
            bail!("The SMTP timeout must be longer than zero");
        }
        let password = settings
            .password
            .as_deref()
            .filter(|password| !password.is_empty());
        let credentials = match (&target.user, password) {
            (Some(user), Some(password)) => Some(Credentials::new(user.clone(), password.to_owned())),
            (None, None) => None,
            (Some(user), None) => bail!(
                "The SMTP URL names the user {user} but no password was given (set MAILROOM_SMTP_PASSWORD)"
            ),
            (None, Some(_)) => bail!(
                "A password was given (MAILROOM_SMTP_PASSWORD) but the SMTP URL names no user: \
                 write it as smtps://USER@host"
            ),
        };
        Ok(Resolved {
            target,
            credentials,
        })
    }
}

/// How the channel is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// No TLS (loopback only).
    Plain,
    /// STARTTLS when offered, else plain (loopback only).
    Opportunistic,
    /// STARTTLS, required.
    StartTls,
    /// TLS from the first byte (`smtps`).
    Implicit,
}

/// [`Security`] with its TLS configuration.
enum Channel {
    Plain,
    Opportunistic(TlsParameters),
    StartTls(TlsParameters),
    Implicit(TlsParameters),
}

/// The parsed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    /// Host name or IP address (without brackets), for connecting and for TLS.
    host: String,
    port: u16,
    security: Security,
    /// The EHLO name, from the URL's path.
    hello: Option<String>,
    /// The percent-decoded user.
    user: Option<String>,
    /// SASL mechanisms, in order of preference.
    mechanisms: Vec<Mechanism>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Target {
    fn parse(text: &str) -> anyhow::Result<Target> {
        // Never echo the URL itself: it might hold a password.
        let url = Url::parse(text).context("The SMTP URL is not a valid URL")?;
        if url.password().is_some() {
            bail!(
                "The SMTP URL holds a password: remove it and set MAILROOM_SMTP_PASSWORD instead"
            );
        }
        let mut tls = None;
        let mut auth = None;
        for (key, value) in url.query_pairs() {
            let slot = match key.as_ref() {
                "tls" => &mut tls,
                "auth" => &mut auth,
                other => bail!("Unknown parameter `{other}` in the SMTP URL (known: tls, auth)"),
            };
            if slot.replace(value.into_owned()).is_some() {
                bail!("The parameter `{key}` appears twice in the SMTP URL");
            }
        }
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, SMTP_PORT),
            ("smtp", Some("required")) => (Security::StartTls, SUBMISSION_PORT),
            ("smtp", Some("opportunistic")) => (Security::Opportunistic, SUBMISSION_PORT),
            ("smtp", Some(other)) => {
                bail!("tls={other} in the SMTP URL: use tls=required (STARTTLS) or smtps:// (TLS from the start)")
            }
            ("smtps", None) => (Security::Implicit, SUBMISSIONS_PORT),
            ("smtps", Some(_)) => {
                bail!("smtps:// is TLS from the first byte: drop the tls= parameter")
            }
            (other, _) => {
                bail!("Unknown scheme `{other}` in the SMTP URL: use smtps:// or smtp://")
            }
        };
        let (host, loopback) = match url.host() {
            None => bail!("The SMTP URL names no host"),
            Some(Host::Ipv4(address)) => (address.to_string(), address.is_loopback()),
            Some(Host::Ipv6(address)) => (address.to_string(), is_loopback(IpAddr::V6(address))),
            // `smtp` is not a "special" scheme for the URL standard, so even an IPv4
            // address arrives as an opaque name.
            Some(Host::Domain("")) => bail!("The SMTP URL names no host"),
            Some(Host::Domain(name)) => match name.parse::<IpAddr>() {
                Ok(address) => (address.to_string(), is_loopback(address)),
                Err(_) => (name.to_owned(), name.eq_ignore_ascii_case("localhost")),
            },
        };
        if !loopback {
            match security {
                Security::Plain => bail!(
                    "Refusing to send mail in plain text to {host}: the password and the members' \
                     data would cross the network unencrypted. Use smtps://{host} (port 465) or \
                     smtp://{host}:587?tls=required; plain smtp:// is only for a loopback host"
                ),
                Security::Opportunistic => bail!(
                    "Refusing tls=opportunistic for {host}: it falls back to plain text when the \
                     server (or someone in between) does not offer STARTTLS. Use tls=required or \
                     smtps://; opportunistic TLS is only for a loopback host"
                ),
                Security::StartTls | Security::Implicit => {}
            }
        }
        let user = match url.username() {
            "" => None,
            encoded => Some(percent_decode(encoded)?),
        };
        let mechanisms = match auth.as_deref() {
            None => DEFAULT_MECHANISMS.to_vec(),
            Some(_) if user.is_none() => {
                bail!(
                    "auth= in the SMTP URL needs a user to authenticate: smtps://USER@host?auth=…"
                )
            }
            Some(list) => list
                .split(',')
                .map(|name| match name.trim().to_ascii_lowercase().as_str() {
                    "plain" => Ok(Mechanism::Plain),
                    "login" => Ok(Mechanism::Login),
                    "xoauth2" => Ok(Mechanism::Xoauth2),
                    other => {
                        bail!("Unknown auth={other} in the SMTP URL (known: plain, login, xoauth2)")
                    }
                })
                .collect::<anyhow::Result<Vec<_>>>()?,
        };
        let hello = Some(url.path().trim_matches('/'))
            .filter(|name| !name.is_empty())
            .map(str::to_owned);
        Ok(Target {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            hello,
            user,
            mechanisms,
        })
    }
}

fn is_loopback(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Decodes `%XX` escapes (the user part of a URL); the result must be UTF-8.
fn percent_decode(text: &str) -> anyhow::Result<String> {
    let mut decoded = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte != b'%' {
            decoded.push(byte);
            continue;
        }
        match (
            bytes.next().and_then(hex_digit),
            bytes.next().and_then(hex_digit),
        ) {
            (Some(high), Some(low)) => decoded.push(high << 4 | low),
            _ => bail!("The user in the SMTP URL has a broken %-escape"),
        }
    }
    String::from_utf8(decoded).context("The user in the SMTP URL is not UTF-8 once %-decoded")
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

/// Whether a session left open still answers (NOOP).
async fn alive(connection: &mut AsyncSmtpConnection) -> bool {
    connection.test_connected().await
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUT: Duration = Duration::from_secs(10);

    fn target(url: &str) -> Target {
        Target::parse(url).expect(url)
    }

    fn refusal(url: &str, password: Option<&str>) -> String {
        let error = SmtpSettings::new(url, password.map(str::to_owned), TIMEOUT).expect_err(url);
        format!("{error:#}")
    }

    #[test]
    fn plain_loopback_url_with_port() {
        let target = target("smtp://127.0.0.1:2525");
        assert_eq!(target.host, "127.0.0.1");
        assert_eq!(target.port, 2525);
        assert_eq!(target.security, Security::Plain);
        assert_eq!(target.user, None);
        assert_eq!(target.hello, None);
        assert_eq!(target.mechanisms, DEFAULT_MECHANISMS);
    }

    #[test]
    fn default_ports_follow_lettre() {
        assert_eq!(target("smtp://localhost").port, 25);
        assert_eq!(target("smtp://mail.example.be?tls=required").port, 587);
        assert_eq!(target("smtps://mail.example.be").port, 465);
        assert_eq!(target("smtp://localhost?tls=opportunistic").port, 587);
    }

    #[test]
    fn smtps_with_user() {
        let target = target("smtps://info@mail.example.be:465");
        assert_eq!(target.security, Security::Implicit);
        assert_eq!(target.user.as_deref(), Some("info"));
        assert_eq!(target.host, "mail.example.be");
        assert_eq!(target.to_string(), "mail.example.be:465");
    }

    #[test]
    fn starttls_required_with_user() {
        let target = target("smtp://info@mail.example.be:587?tls=required");
        assert_eq!(target.security, Security::StartTls);
        assert_eq!(target.port, 587);
        assert_eq!(target.user.as_deref(), Some("info"));
    }

    #[test]
    fn percent_encoded_user_is_decoded() {
        let encoded = target("smtps://info%40alliance.be@mail.example.be");
        assert_eq!(encoded.user.as_deref(), Some("info@alliance.be"));
        assert_eq!(encoded.host, "mail.example.be");
        // A raw `@` in the user: the URL parser takes the last one as the separator.
        let raw = target("smtps://info@alliance.be@mail.example.be");
        assert_eq!(raw.user.as_deref(), Some("info@alliance.be"));
        let accented = target("smtps://d%C3%A9l%C3%A9gu%C3%A9@mail.example.be");
        assert_eq!(accented.user.as_deref(), Some("délégué"));
    }

    #[test]
    fn ipv6_loopback_has_no_brackets() {
        let target = target("smtp://[::1]:2525");
        assert_eq!(target.host, "::1");
        assert_eq!(target.to_string(), "[::1]:2525");
        assert_eq!(
            self::target("smtp://[::ffff:127.0.0.1]:25").security,
            Security::Plain
        );
    }

    #[test]
    fn whole_loopback_range_may_be_plain() {
        assert_eq!(target("smtp://127.0.0.2:25").host, "127.0.0.2");
        assert_eq!(target("smtp://LOCALHOST:25").security, Security::Plain);
    }

    #[test]
    fn path_names_the_ehlo_host() {
        let target = target("smtps://info@mail.example.be/mailroom.alliance.be");
        assert_eq!(target.hello.as_deref(), Some("mailroom.alliance.be"));
    }

    #[test]
    fn auth_parameter_picks_mechanisms() {
        let target = target("smtps://info@mail.example.be?auth=xoauth2");
        assert_eq!(target.mechanisms, vec![Mechanism::Xoauth2]);
        let target = self::target("smtps://info@mail.example.be?auth=login,plain");
        assert_eq!(target.mechanisms, vec![Mechanism::Login, Mechanism::Plain]);
    }

    #[test]
    fn plain_text_to_a_remote_host_is_refused() {
        for url in [
            "smtp://mail.example.be",
            "smtp://mail.example.be:587",
            "smtp://10.0.0.1:25",
            "smtp://192.168.1.10",
            "smtp://[2001:db8::1]:25",
            "smtp://localhost.example.be",
        ] {
            let message = refusal(url, None);
            assert!(message.contains("plain text"), "{url}: {message}");
            assert!(message.contains("tls=required"), "{url}: {message}");
        }
        let message = refusal("smtp://mail.example.be?tls=opportunistic", None);
        assert!(message.contains("opportunistic"), "{message}");
    }

    #[test]
    fn password_belongs_outside_the_url() {
        let message = refusal("smtps://info:secret@mail.example.be", Some("secret"));
        assert!(message.contains("MAILROOM_SMTP_PASSWORD"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn user_and_password_come_together() {
        let message = refusal("smtps://info@mail.example.be", None);
        assert!(message.contains("no password"), "{message}");
        let message = refusal("smtps://info@mail.example.be", Some(""));
        assert!(message.contains("no password"), "{message}");
        let message = refusal("smtps://mail.example.be", Some("secret"));
        assert!(message.contains("names no user"), "{message}");
        SmtpSettings::new(
            "smtps://info@mail.example.be",
            Some("secret".to_owned()),
            TIMEOUT,
        )
        .expect("user and password");
    }

    #[test]
    fn malformed_urls_are_refused() {
        for (url, expected) in [
            ("mail.example.be:465", "scheme"),
            ("smtps://[::1", "valid URL"),
            ("http://mail.example.be", "scheme"),
            ("smtp://mail.example.be?tls=yes", "tls=yes"),
            ("smtps://mail.example.be?tls=required", "drop the tls="),
            ("smtps://mail.example.be?timeout=3", "timeout"),
            ("smtp://localhost?tls=required&tls=required", "twice"),
            ("smtps://mail.example.be?auth=plain", "needs a user"),
            ("smtps://info@mail.example.be?auth=cram-md5", "cram-md5"),
            ("smtps://info%zz@mail.example.be", "%-escape"),
            ("smtp://", "no host"),
        ] {
            let message = refusal(url, Some("pw").filter(|_| url.contains('@')));
            assert!(message.contains(expected), "{url}: {message}");
        }
    }

    #[test]
    fn zero_timeout_is_refused() {
        let error =
            SmtpSettings::new("smtp://127.0.0.1:2525", None, Duration::ZERO).expect_err("zero");
        assert!(error.to_string().contains("timeout"), "{error}");
    }

    #[test]
    fn debug_hides_the_password() {
        let settings = SmtpSettings::new(
            "smtps://info@mail.example.be",
            Some("hunter2".to_owned()),
            TIMEOUT,
        )
        .expect("settings");
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let transport = SmtpTransport::new(&settings).expect("transport");
        let shown = format!("{transport:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn envelope_rejects_bad_addresses_permanently() {
        let recipients = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(matches!(
            envelope("not an address", &recipients(&["a@example.be"])),
            Err(SendError::Permanent(_))
        ));
        match envelope(
            "info@alliance.be",
            &recipients(&["a@example.be", "Jean <j@example.be>"]),
        ) {
            Err(SendError::Permanent(message)) => assert!(message.contains("Jean"), "{message}"),
            other => panic!("expected a permanent failure, got {other:?}"),
        }
        assert!(matches!(
            envelope("info@alliance.be", &[]),
            Err(SendError::Permanent(_))
        ));
        let envelope = envelope(
            "info@alliance.be",
            &recipients(&["a@example.be", "b@example.be", "a@example.be"]),
        )
        .expect("envelope");
        assert_eq!(envelope.to().len(), 2);
    }
}
