//! The IMAP side of the mailbox: connect (implicit TLS, STARTTLS, or plain text to a loopback
//! address), log in, list and select folders, find new mail by UID, fetch it without marking it
//! read, move it to a folder, and wait for new mail with IDLE.
//!
//! Every network operation runs under [`ImapSettings::timeout`]: async-imap has no timeout of its
//! own, and a dead connection would otherwise hang a command forever. After a timeout or an I/O
//! error the connection is in an unknown state (half a response may have been read), so the
//! session is dropped and every later call fails until the caller connects again;
//! [`ImapMailbox::is_connected`] tells. A `NO` or `BAD` answer leaves the connection usable.
//!
//! Folder names are UTF-8 in this API and modified UTF-7 on the wire ([`modified_utf7`]).

#![cfg_attr(not(test), deny(clippy::indexing_slicing, clippy::string_slice))]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{MailboxDatum, Response, ResponseCode, Status};
use async_imap::types::{Capability, UnsolicitedResponse};
use futures::TryStreamExt as _;
use jiff::Timestamp;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The timeout [`ImapSettings::from_url`] puts on every network operation.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest [`ImapMailbox::idle`] waits: servers may log off a client idle for 30 minutes
/// (RFC 2177 says re-issue IDLE at least every 29), so stay well below.
pub const MAX_IDLE_WAIT: Duration = Duration::from_secs(25 * 60);

/// How long IDLE may hear nothing at all before we suspect the connection. Dovecot sends a
/// keepalive every 2 minutes, so 5 silent minutes mean a dead link or a server that sends none;
/// either way, the DONE round trip that follows settles it.
const IDLE_SILENCE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Our own tag for the one command written before async-imap takes over (pre-login CAPABILITY);
/// async-imap's tags are `A0001`, `A0002`…, so it cannot collide.
const PRE_LOGIN_TAG: &str = "mr0";

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all. Allowed only to a loopback address: the password would travel in clear.
    Plain,
    /// STARTTLS on the plain port, required: fails if the server does not offer it.
    StartTls,
    /// TLS from the first byte (`imaps`, port 993).
    Tls,
    /// STARTTLS when the server offers it, else plain text; loopback addresses only, like
    /// [`Security::Plain`]. What `imap://` to a loopback host means.
    StartTlsIfOffered,
}

/// How we log in.
#[derive(Clone, PartialEq, Eq)]
pub enum ImapAuth {
    /// `LOGIN` with this password.
    Password(String),
    /// `AUTHENTICATE XOAUTH2` with this OAuth 2 access token.
    XOAuth2 {
        /// The bearer access token (obtaining and refreshing it is the caller's job).
        token: String,
    },
}

// Written by hand so that secrets never reach a log through `{:?}`.
impl fmt::Debug for ImapAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImapAuth::Password(_) => f.write_str("Password(<redacted>)"),
            ImapAuth::XOAuth2 { .. } => f.write_str("XOAuth2 { token: <redacted> }"),
        }
    }
}

/// Where and how to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapSettings {
    /// Host name or IP address (no brackets around IPv6).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS, STARTTLS or plain.
    pub security: Security,
    /// The login name, decoded (`user@domain.be`).
    pub user: String,
    /// Password or OAuth token.
    pub auth: ImapAuth,
    /// The folder to watch, in UTF-8 (`INBOX` by default).
    pub folder: String,
    /// The limit on every network operation (connect, each command, each fetched message).
    pub timeout: Duration,
    /// Extra trusted root certificates (a PEM file) besides the public web roots: for tests or a
    /// private CA.
    pub ca_file: Option<PathBuf>,
}

impl ImapSettings {
    /// Reads `imap://USER@HOST:PORT/FOLDER` or `imaps://USER@HOST:PORT/FOLDER`.
    ///
    /// * `imaps://` is implicit TLS, port 993 by default.
    /// * `imap://` (port 143 by default) uses STARTTLS. To a loopback host (`localhost`,
    ///   `127.0.0.0/8`, `::1`) it falls back to plain text when the server does not offer
    ///   STARTTLS; to any other host STARTTLS is required.
    /// * `?tls=required` forces STARTTLS even to a loopback host; `?tls=none` forces plain text,
    ///   which only a loopback host accepts (e.g. an SSH tunnel, whose far end's certificate would
    ///   not match `localhost`).
    ///
    /// USER may be percent-encoded (`user%40domain.be`); FOLDER defaults to `INBOX` and may be
    /// percent-encoded UTF-8 (`Courrier%20ind%C3%A9sirable`). The password never goes in the
    /// URL: it comes as `auth` (the caller reads `MAILROOM_IMAP_PASSWORD`).
    pub fn from_url(url: &str, auth: ImapAuth) -> Result<ImapSettings> {
        let parsed = url::Url::parse(url).with_context(|| format!("invalid IMAP URL {url:?}"))?;
        let implicit_tls = match parsed.scheme() {
            "imaps" => true,
            "imap" => false,
            other => bail!("IMAP URL {url:?}: scheme must be imap:// or imaps://, not {other}://"),
        };
        if parsed.password().is_some() {
            bail!(
                "IMAP URL {url:?} contains a password: remove it and set MAILROOM_IMAP_PASSWORD \
                 instead (URLs end up in logs)"
            );
        }
        let host = url_host(&parsed).with_context(|| format!("IMAP URL {url:?}"))?;
        let user = percent_decode(parsed.username())
            .with_context(|| format!("IMAP URL {url:?}: user name"))?;
        if user.is_empty() {
            bail!("IMAP URL {url:?} names no user: write imap://USER@HOST/FOLDER");
        }
        let port = match parsed.port() {
            Some(0) => bail!("IMAP URL {url:?}: port 0 is not a port"),
            Some(port) => port,
            None if implicit_tls => 993,
            None => 143,
        };
        let folder = url_folder(&parsed).with_context(|| format!("IMAP URL {url:?}: folder"))?;
        let tls_param = url_tls_param(&parsed).with_context(|| format!("IMAP URL {url:?}"))?;
        let loopback = is_loopback_host(&host);
        let security = match (implicit_tls, tls_param) {
            (true, None) => Security::Tls,
            (true, Some(_)) => {
                bail!("IMAP URL {url:?}: ?tls= applies to imap:// only; imaps:// is always TLS")
            }
            (false, Some(TlsParam::Required)) => Security::StartTls,
            (false, Some(TlsParam::None)) if loopback => Security::Plain,
            (false, Some(TlsParam::None)) => bail!(
                "IMAP URL {url:?}: plain-text IMAP (?tls=none) is allowed only to a loopback host \
                 ({host} is not one): the password would cross the network in clear; use \
                 imaps://{host}/ or imap://{host}/ (STARTTLS)"
            ),
            (false, None) if loopback => Security::StartTlsIfOffered,
            // Plain text is not an option off loopback, so STARTTLS is mandatory.
            (false, None) => Security::StartTls,
        };
        Ok(ImapSettings {
            host,
            port,
            security,
            user,
            auth,
            folder,
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
        })
    }
}

/// Shows the settings as a URL without secrets, for logs and error messages.
impl fmt::Display for ImapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.security == Security::Tls {
            "imaps"
        } else {
            "imap"
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        // `@` in the user name is escaped so that the text stays a valid URL.
        let user = self.user.replace('%', "%25").replace('@', "%40");
        write!(f, "{scheme}://{user}@{host}:{}/{}", self.port, self.folder)
    }
}

/// The value of `?tls=` in an `imap://` URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsParam {
    Required,
    None,
}

/// The host of the URL, without brackets around an IPv6 address.
fn url_host(parsed: &url::Url) -> Result<String> {
    match parsed.host() {
        Some(url::Host::Domain(domain)) if !domain.is_empty() => {
            // imap:// is not a "special" scheme for the url crate, so the host comes back as
            // written (percent-encoded, original case): normalise it ourselves.
            Ok(percent_decode(domain)?.to_ascii_lowercase())
        }
        Some(url::Host::Ipv4(address)) => Ok(address.to_string()),
        Some(url::Host::Ipv6(address)) => Ok(address.to_string()),
        _ => bail!("no host: write imap://USER@HOST/FOLDER"),
    }
}

/// The folder named by the URL's path, decoded; `INBOX` when the path is empty.
fn url_folder(parsed: &url::Url) -> Result<String> {
    let path = parsed.path();
    let path = path.strip_prefix('/').unwrap_or(path);
    let folder = percent_decode(path)?;
    Ok(if folder.is_empty() {
        "INBOX".to_owned()
    } else {
        folder
    })
}

/// `?tls=required` or `?tls=none`; anything else is refused so that a typo cannot silently
/// weaken the connection.
fn url_tls_param(parsed: &url::Url) -> Result<Option<TlsParam>> {
    let mut tls = None;
    for (key, value) in parsed.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("tls", "required") => tls = Some(TlsParam::Required),
            ("tls", "none") => tls = Some(TlsParam::None),
            ("tls", other) => bail!("unknown ?tls={other}: expected tls=required or tls=none"),
            (other, _) => bail!("unknown URL parameter {other:?}: only ?tls= is understood"),
        }
    }
    Ok(tls)
}

/// Decodes `%XX` escapes into UTF-8 (`+` stays a plus: this is a URL path, not a form).
fn percent_decode(text: &str) -> Result<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(byte) = rest.next() {
        if byte != b'%' {
            bytes.push(byte);
            continue;
        }
        let high = rest.next().and_then(hex_value);
        let low = rest.next().and_then(hex_value);
        match (high, low) {
            (Some(high), Some(low)) => bytes.push(high << 4 | low),
            _ => bail!("bad percent escape in {text:?}"),
        }
    }
    String::from_utf8(bytes).with_context(|| format!("{text:?} does not decode to UTF-8"))
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// `localhost` or a loopback IP address. Only these may see a password in clear text.
fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

/// The selected folder's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    /// UIDVALIDITY: when it changes, every UID remembered for this folder is void.
    pub uid_validity: u32,
    /// UIDNEXT, the UID the next message will get (if the server said).
    pub uid_next: Option<u32>,
    /// How many messages the folder holds.
    pub exists: u32,
}

/// One message fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Its UID in the selected folder.
    pub uid: u32,
    /// When the server received it (INTERNALDATE).
    pub internal_date: Option<Timestamp>,
    /// Its size according to the server (RFC822.SIZE).
    pub size: u64,
    /// The raw message; `None` when larger than the limit given: not downloaded.
    pub bytes: Option<Vec<u8>>,
}

/// Why [`ImapMailbox::idle`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// The server announced new mail (an `EXISTS`): look with [`ImapMailbox::uids_after`].
    NewMail,
    /// The wait ran out with nothing new.
    Timeout,
}

/// Returned by [`ImapMailbox::idle`] when the server does not advertise IDLE: poll instead.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the IMAP server does not support IDLE: poll for new mail instead")]
pub struct IdleUnsupported;

/// The bytes under the IMAP session: a plain TCP stream or TLS over one.
#[derive(Debug)]
enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

// Both variants are Unpin, so plain `Pin::new` delegation needs no unsafe projection.
impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_flush(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            Transport::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
        }
    }
}

type Client = async_imap::Client<Transport>;
type Session = async_imap::Session<Transport>;

/// A failed IMAP command, telling whether the connection survived it.
#[derive(Debug, thiserror::Error)]
enum CommandError {
    #[error("IMAP {what}: no answer within {} s", limit.as_secs_f32())]
    TimedOut { what: String, limit: Duration },
    // The cause goes into the message rather than the error chain: async-imap's I/O errors
    // repeat their own source, which would print twice in an operator's log.
    #[error("IMAP {what} failed: {cause}")]
    Failed {
        what: String,
        cause: async_imap::error::Error,
    },
}

impl CommandError {
    /// Only a tagged `NO`/`BAD` (or input refused before sending) leaves the stream in step;
    /// after anything else we cannot know where the next response starts.
    fn breaks_connection(&self) -> bool {
        use async_imap::error::Error;
        match self {
            CommandError::TimedOut { .. } => true,
            CommandError::Failed { cause, .. } => !matches!(
                cause,
                Error::No(_) | Error::Bad(_) | Error::Validate(_) | Error::Append
            ),
        }
    }
}

/// Runs one IMAP step under the time limit.
async fn within<T>(
    limit: Duration,
    what: &str,
    step: impl Future<Output = async_imap::error::Result<T>>,
) -> std::result::Result<T, CommandError> {
    match tokio::time::timeout(limit, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(cause)) => Err(CommandError::Failed {
            what: what.to_owned(),
            cause,
        }),
        Err(_elapsed) => Err(CommandError::TimedOut {
            what: what.to_owned(),
            limit,
        }),
    }
}

/// Runs a step of the connection set-up (before there is a session to lose) under the limit.
async fn connect_step<T, E>(
    limit: Duration,
    what: &str,
    step: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match tokio::time::timeout(limit, step).await {
        Ok(result) => result.with_context(|| what.to_owned()),
        Err(_elapsed) => bail!("{what}: no answer within {} s", limit.as_secs_f32()),
    }
}

/// A logged-in IMAP connection to the mailbox.
#[derive(Debug)]
pub struct ImapMailbox {
    /// `None` once the connection is lost: see the module documentation.
    session: Option<Session>,
    /// Why the session was dropped, for the errors of later calls.
    lost_because: Option<String>,
    capabilities: Vec<String>,
    settings: ImapSettings,
    /// The selected folder (UTF-8), if any.
    selected: Option<String>,
    /// An `EXISTS` arrived alongside some command since the last [`ImapMailbox::uids_after`]:
    /// mail may have come that the last search did not see.
    new_mail_announced: bool,
}

impl ImapMailbox {
    /// Connects (TCP, then TLS or STARTTLS as `settings.security` says), logs in and reads the
    /// capabilities. Each step runs under `settings.timeout`.
    pub async fn connect(settings: &ImapSettings) -> Result<ImapMailbox> {
        Self::open(settings)
            .await
            .with_context(|| format!("connecting to {settings}"))
    }

    async fn open(settings: &ImapSettings) -> Result<ImapMailbox> {
        let limit = settings.timeout;
        let tcp = connect_step(
            limit,
            "TCP connection",
            TcpStream::connect((settings.host.as_str(), settings.port)),
        )
        .await?;
        // IMAP is a dialogue of short lines: do not let Nagle hold them back.
        tcp.set_nodelay(true).context("setting TCP_NODELAY")?;
        let client = match settings.security {
            Security::Tls => {
                let tls = tls_handshake(tcp, settings).await?;
                let mut client = Client::new(Transport::Tls(Box::new(tls)));
                read_greeting(&mut client, limit).await?;
                client
            }
            Security::StartTls | Security::StartTlsIfOffered | Security::Plain => {
                open_plain_port(tcp, settings).await?
            }
        };
        let mut session = log_in(client, settings).await?;
        let mut capabilities: Vec<String> = within(limit, "CAPABILITY", session.capabilities())
            .await?
            .iter()
            .map(capability_name)
            .collect();
        // async-imap hands them over as a set: give them a stable order for logs and tests.
        capabilities.sort_unstable();
        Ok(ImapMailbox {
            session: Some(session),
            lost_because: None,
            capabilities,
            settings: settings.clone(),
            selected: None,
            new_mail_announced: false,
        })
    }

    /// The capabilities the server announced after login (`IDLE`, `MOVE`, `UIDPLUS`, …).
    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// Whether the server announced `name` (case-insensitive).
    pub fn has_capability(&self, name: &str) -> bool {
        has(&self.capabilities, name)
    }

    /// Whether the server supports IDLE; without it, poll with [`ImapMailbox::uids_after`].
    pub fn has_idle(&self) -> bool {
        self.has_capability("IDLE")
    }

    /// False once a timeout or I/O error has made the connection unusable: connect again.
    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// The settings this mailbox was connected with.
    pub fn settings(&self) -> &ImapSettings {
        &self.settings
    }

    /// Selects `folder` (UTF-8) read-write and returns its identity.
    pub async fn select(&mut self, folder: &str) -> Result<FolderState> {
        // A failed SELECT leaves no folder selected (RFC 3501 §6.3.1).
        self.selected = None;
        let wire = modified_utf7::encode(folder);
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = within(limit, "SELECT", session.select(&wire)).await;
        let mailbox = self
            .settle(result)
            .with_context(|| format!("selecting folder «{folder}»"))?;
        let uid_validity = mailbox.uid_validity.ok_or_else(|| {
            anyhow!("the server gave no UIDVALIDITY for «{folder}»: its UIDs cannot be trusted")
        })?;
        // Responses left over from the previous folder say nothing about this one.
        self.drain_unsolicited();
        self.new_mail_announced = false;
        self.selected = Some(folder.to_owned());
        Ok(FolderState {
            uid_validity,
            uid_next: mailbox.uid_next,
            exists: mailbox.exists,
        })
    }

    /// All folder names (`LIST "" "*"`), decoded from modified UTF-7.
    pub async fn folders(&mut self) -> Result<Vec<String>> {
        let wire_names = self.list_wire_names("*").await?;
        Ok(wire_names
            .into_iter()
            .map(|wire| match modified_utf7::decode(&wire) {
                Ok(name) => name,
                Err(error) => {
                    // Some servers send raw UTF-8; the name is still usable as it is.
                    tracing::warn!(folder = %wire, %error, "folder name is not modified UTF-7");
                    wire
                }
            })
            .collect())
    }

    /// The UIDs in the selected folder greater than `after_uid`, ascending.
    pub async fn uids_after(&mut self, after_uid: u32) -> Result<Vec<u32>> {
        self.selected_folder()?;
        let Some(first) = after_uid.checked_add(1) else {
            return Ok(Vec::new());
        };
        // This search sees everything announced so far; later announcements stay pending.
        self.drain_unsolicited();
        self.new_mail_announced = false;
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = within(
            limit,
            "UID SEARCH",
            session.uid_search(format!("UID {first}:*")),
        )
        .await;
        let found = self
            .settle(result)
            .with_context(|| format!("looking for UIDs after {after_uid}"))?;
        // `n:*` always includes the highest UID, even when it is below n (RFC 3501 §6.4.8).
        let mut uids: Vec<u32> = found.into_iter().filter(|uid| *uid > after_uid).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches the given UIDs of the selected folder in ascending UID order: one `UID FETCH`
    /// for UID, RFC822.SIZE and INTERNALDATE, then one `UID FETCH BODY.PEEK[]` for those within
    /// `max_bytes` (PEEK: fetching never marks mail `\Seen`). UIDs that no longer exist are
    /// absent from the result. The time limit applies to each message, not to the batch.
    pub async fn fetch(&mut self, uids: &[u32], max_bytes: u64) -> Result<Vec<Fetched>> {
        self.selected_folder()?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uid_set(uids);
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = fetch_sizes(session, &set, limit).await;
        let mut found = self.settle(result).context("fetching message sizes")?;
        let wanted: BTreeSet<u32> = uids.iter().copied().collect();
        found.retain(|uid, _| wanted.contains(uid));
        let small: Vec<u32> = found
            .values()
            .filter(|message| message.size <= max_bytes)
            .map(|message| message.uid)
            .collect();
        if !small.is_empty() {
            let session = self.session()?;
            let result = fetch_bodies(session, &uid_set(&small), limit, &mut found).await;
            self.settle(result).context("fetching messages")?;
        }
        found.retain(|uid, message| {
            let vanished = message.size <= max_bytes && message.bytes.is_none();
            if vanished {
                tracing::warn!(uid, "message disappeared between the two fetches");
            }
            !vanished
        });
        Ok(found.into_values().collect())
    }

    /// Moves `uids` of the selected folder to `folder` (UTF-8), creating and subscribing it if
    /// missing. Uses `UID MOVE` when advertised, else `UID COPY` + `\Deleted` + `UID EXPUNGE`
    /// (UIDPLUS). Without UIDPLUS the copies are made and the originals flagged `\Deleted` but
    /// not expunged — a plain EXPUNGE would also erase mail others flagged — and an error says
    /// so. Never deletes mail otherwise.
    pub async fn move_to(&mut self, uids: &[u32], folder: &str) -> Result<()> {
        let source = self.selected_folder()?.to_owned();
        if uids.is_empty() {
            return Ok(());
        }
        if same_folder(&source, folder) {
            bail!("cannot move messages from «{source}» to itself");
        }
        let description = format!("moving {} message(s) to «{folder}»", uids.len());
        self.ensure_folder(folder)
            .await
            .with_context(|| description.clone())?;
        let wire = modified_utf7::encode(folder);
        let set = uid_set(uids);
        if self.has_capability("MOVE") {
            self.uid_move(&set, &wire).await
        } else {
            self.copy_then_expunge(&set, &wire).await
        }
        .with_context(|| format!("{description} (UIDs {set})"))
    }

    /// Waits with IDLE until the server announces new mail or `max_wait` (at most
    /// [`MAX_IDLE_WAIT`]) passes. Returns [`Woken::Timeout`] early if the server stays silent
    /// for 5 minutes (no keepalive): the DONE that ends the wait then proves the connection
    /// alive, or the call fails. Re-issuing IDLE is the caller's job. Fails with
    /// [`IdleUnsupported`] when the server lacks IDLE.
    pub async fn idle(&mut self, max_wait: Duration) -> Result<Woken> {
        if !self.has_idle() {
            return Err(IdleUnsupported.into());
        }
        self.selected_folder()?;
        // An EXISTS that came with an earlier command is news the last search did not cover.
        self.drain_unsolicited();
        if self.new_mail_announced {
            return Ok(Woken::NewMail);
        }
        let session = self.take_session()?;
        let limit = self.settings.timeout;
        let outcome = idle_session(session, max_wait.min(MAX_IDLE_WAIT), limit).await;
        match outcome {
            Ok((session, woken)) => {
                self.session = Some(session);
                // The responses that came with DONE are covered by what the caller does next.
                self.drain_unsolicited();
                if woken == Woken::NewMail {
                    self.new_mail_announced = true;
                }
                Ok(woken)
            }
            Err(error) => {
                self.lost_because = Some(format!("{error:#}"));
                Err(error.context("waiting for new mail (IDLE)"))
            }
        }
    }

    /// Logs out politely. A connection already lost needs nothing more.
    pub async fn logout(mut self) -> Result<()> {
        let limit = self.settings.timeout;
        let Some(mut session) = self.session.take() else {
            return Ok(());
        };
        within(limit, "LOGOUT", session.logout()).await?;
        Ok(())
    }

    /// The session, or why there is none.
    fn session(&mut self) -> Result<&mut Session> {
        let settings = &self.settings;
        let lost_because = &self.lost_because;
        self.session
            .as_mut()
            .ok_or_else(|| lost_error(settings, lost_because))
    }

    /// Takes the session out (IDLE consumes it and gives it back on DONE).
    fn take_session(&mut self) -> Result<Session> {
        self.session
            .take()
            .ok_or_else(|| lost_error(&self.settings, &self.lost_because))
    }

    /// Passes a command's result on, dropping the session if the error left it unusable.
    fn settle<T>(&mut self, result: std::result::Result<T, CommandError>) -> Result<T> {
        if let Err(error) = &result {
            if error.breaks_connection() {
                tracing::warn!(server = %self.settings, error = %error, "IMAP connection dropped");
                self.session = None;
                self.lost_because = Some(error.to_string());
            }
        }
        result.map_err(anyhow::Error::from)
    }

    fn selected_folder(&self) -> Result<&str> {
        self.selected
            .as_deref()
            .ok_or_else(|| anyhow!("no IMAP folder is selected: select one first"))
    }

    /// Empties async-imap's queue of unsolicited responses, noting any `EXISTS`: the queue is
    /// bounded and would otherwise fill and drop exactly the news we care about.
    fn drain_unsolicited(&mut self) {
        let Some(session) = self.session.as_mut() else {
            return;
        };
        while let Ok(response) = session.unsolicited_responses.try_recv() {
            if matches!(response, UnsolicitedResponse::Exists(_)) {
                self.new_mail_announced = true;
            }
        }
    }

    /// The raw (modified UTF-7) names matching a LIST pattern.
    async fn list_wire_names(&mut self, pattern: &str) -> Result<Vec<String>> {
        let limit = self.settings.timeout;
        let session = self.session()?;
        let quoted = quote(pattern);
        let result = within(limit, "LIST", async {
            session
                .list(Some(""), Some(&quoted))
                .await?
                .map_ok(|name| name.name().to_owned())
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        self.settle(result).context("listing folders")
    }

    /// Creates `folder` unless it exists, and subscribes to it so that mail clients show it.
    async fn ensure_folder(&mut self, folder: &str) -> Result<()> {
        let wire = modified_utf7::encode(folder);
        // LIST patterns treat * and % as wildcards: compare the names returned exactly.
        if self.list_wire_names(&wire).await?.contains(&wire) {
            return Ok(());
        }
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = within(limit, "CREATE", session.create(&wire)).await;
        self.settle(result)
            .with_context(|| format!("creating folder «{folder}»"))?;
        tracing::info!(folder, "created IMAP folder");
        let session = self.session()?;
        let result = within(limit, "SUBSCRIBE", session.subscribe(&wire)).await;
        if let Err(error) = self.settle(result) {
            // The folder exists and works; only its visibility in some clients suffers.
            tracing::warn!(folder, error = %format!("{error:#}"), "could not subscribe to folder");
        }
        Ok(())
    }

    async fn uid_move(&mut self, set: &str, wire_folder: &str) -> Result<()> {
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = within(limit, "UID MOVE", session.uid_mv(set, wire_folder)).await;
        self.settle(result)
    }

    /// The fallback without MOVE: copy, flag `\Deleted`, then expunge exactly these UIDs.
    async fn copy_then_expunge(&mut self, set: &str, wire_folder: &str) -> Result<()> {
        let limit = self.settings.timeout;
        let session = self.session()?;
        let result = within(limit, "UID COPY", session.uid_copy(set, wire_folder)).await;
        self.settle(result)?;
        let session = self.session()?;
        let result = within(limit, "UID STORE +FLAGS.SILENT (\\Deleted)", async {
            session
                .uid_store(set, "+FLAGS.SILENT (\\Deleted)")
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        self.settle(result)
            .context("the copies are made; flagging the originals failed")?;
        if !self.has_capability("UIDPLUS") {
            bail!(
                "the server supports neither MOVE nor UIDPLUS: the messages were copied and the \
                 originals flagged \\Deleted but NOT expunged, because a plain EXPUNGE would also \
                 erase mail that others flagged \\Deleted; they disappear at the next expunge"
            );
        }
        let session = self.session()?;
        let result = within(limit, "UID EXPUNGE", async {
            session
                .uid_expunge(set)
                .await?
                .try_collect::<Vec<_>>()
                .await
        })
        .await;
        self.settle(result)
            .context("the copies are made and the originals flagged \\Deleted; expunging failed")?;
        Ok(())
    }
}

/// The error for a call made after the connection was lost.
fn lost_error(settings: &ImapSettings, lost_because: &Option<String>) -> anyhow::Error {
    let because = lost_because.as_deref().unwrap_or("logged out");
    anyhow!("the IMAP connection to {settings} is no longer usable ({because}): connect again")
}

/// IDLE on `session` until new mail or `max_wait`; gives the session back after DONE.
async fn idle_session(
    session: Session,
    max_wait: Duration,
    limit: Duration,
) -> Result<(Session, Woken)> {
    let mut handle = session.idle();
    within(limit, "IDLE", handle.init()).await?;
    let deadline = tokio::time::Instant::now() + max_wait;
    let woken = loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        if remaining.is_zero() {
            break Woken::Timeout;
        }
        // `_interrupt` must live while we wait: dropping it stops the wait at once.
        let (wait, _interrupt) = handle.wait_with_timeout(remaining.min(IDLE_SILENCE_LIMIT));
        // The inner timeout only measures silence, and keepalives reset it: this outer one is
        // what bounds the wait.
        match tokio::time::timeout(remaining, wait).await {
            Err(_elapsed) => break Woken::Timeout,
            Ok(Ok(IdleResponse::NewData(data))) => match data.parsed() {
                Response::MailboxData(MailboxDatum::Exists(_)) => break Woken::NewMail,
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => bail!(
                    "the server ended the connection during IDLE: {}",
                    outcome.information.as_deref().unwrap_or("BYE")
                ),
                // Flag changes, expunges, RECENT: not new mail; keep waiting.
                _ => continue,
            },
            Ok(Ok(IdleResponse::Timeout | IdleResponse::ManualInterrupt)) => break Woken::Timeout,
            Ok(Err(error)) => return Err(anyhow::Error::from(error).context("IMAP IDLE failed")),
        }
    };
    let session = within(limit, "DONE (end of IDLE)", handle.done()).await?;
    Ok((session, woken))
}

/// First pass of [`ImapMailbox::fetch`]: UID, size and arrival date of each message.
async fn fetch_sizes(
    session: &mut Session,
    set: &str,
    limit: Duration,
) -> std::result::Result<BTreeMap<u32, Fetched>, CommandError> {
    const WHAT: &str = "UID FETCH (RFC822.SIZE INTERNALDATE)";
    let mut found = BTreeMap::new();
    let mut responses = within(
        limit,
        WHAT,
        session.uid_fetch(set, "(UID RFC822.SIZE INTERNALDATE)"),
    )
    .await?;
    while let Some(response) = within(limit, WHAT, responses.try_next()).await? {
        // Unsolicited FETCH responses (flag changes) carry no size: skip them.
        let (Some(uid), Some(size)) = (response.uid, response.size) else {
            continue;
        };
        let internal_date = response.internal_date().and_then(|date| {
            let nanoseconds = i32::try_from(date.timestamp_subsec_nanos()).ok()?;
            Timestamp::new(date.timestamp(), nanoseconds).ok()
        });
        found.insert(
            uid,
            Fetched {
                uid,
                internal_date,
                size: u64::from(size),
                bytes: None,
            },
        );
    }
    Ok(found)
}

/// Second pass of [`ImapMailbox::fetch`]: the bodies, each one under the time limit.
async fn fetch_bodies(
    session: &mut Session,
    set: &str,
    limit: Duration,
    found: &mut BTreeMap<u32, Fetched>,
) -> std::result::Result<(), CommandError> {
    const WHAT: &str = "UID FETCH BODY.PEEK[]";
    let mut responses = within(limit, WHAT, session.uid_fetch(set, "(UID BODY.PEEK[])")).await?;
    while let Some(response) = within(limit, WHAT, responses.try_next()).await? {
        let (Some(uid), Some(body)) = (response.uid, response.body()) else {
            continue;
        };
        if let Some(message) = found.get_mut(&uid) {
            message.bytes = Some(body.to_vec());
        }
    }
    Ok(())
}

/// TLS over `tcp`, checking the certificate against the web roots (and `ca_file`).
async fn tls_handshake(tcp: TcpStream, settings: &ImapSettings) -> Result<TlsStream<TcpStream>> {
    let connector = tls_connector(settings)?;
    let server_name = ServerName::try_from(settings.host.clone())
        .with_context(|| format!("{:?} is not a valid TLS server name", settings.host))?;
    connect_step(
        settings.timeout,
        "TLS handshake",
        connector.connect(server_name, tcp),
    )
    .await
}

fn tls_connector(settings: &ImapSettings) -> Result<TlsConnector> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &settings.ca_file {
        let certificates = CertificateDer::pem_file_iter(path)
            .with_context(|| format!("reading CA certificates from {}", path.display()))?;
        for certificate in certificates {
            let certificate = certificate
                .with_context(|| format!("reading CA certificates from {}", path.display()))?;
            roots
                .add(certificate)
                .with_context(|| format!("adding a CA certificate from {}", path.display()))?;
        }
    }
    // Name the provider rather than rely on a process default, which another dependency
    // enabling aws-lc would make ambiguous.
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("setting up TLS")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// Plain text is allowed only when the peer really is a loopback address, whatever the settings
/// claim (they may not come from [`ImapSettings::from_url`]).
fn refuse_clear_text_off_loopback(tcp: &TcpStream, settings: &ImapSettings) -> Result<()> {
    let peer = tcp.peer_addr().context("reading the server's address")?;
    if peer.ip().is_loopback() {
        return Ok(());
    }
    bail!(
        "refusing IMAP without TLS to {} ({}): the password would cross the network in clear; \
         plain text is allowed only to a loopback address — use imaps:// or STARTTLS",
        settings.host,
        peer.ip()
    )
}

/// On the plain port: reads the greeting, then upgrades with STARTTLS if the settings require
/// it or allow it and the server offers it.
async fn open_plain_port(tcp: TcpStream, settings: &ImapSettings) -> Result<Client> {
    let limit = settings.timeout;
    if settings.security != Security::StartTls {
        refuse_clear_text_off_loopback(&tcp, settings)?;
    }
    let mut client = Client::new(Transport::Plain(tcp));
    let greeting_capabilities = read_greeting(&mut client, limit).await?;
    let upgrade = match settings.security {
        Security::StartTls => true,
        Security::StartTlsIfOffered => {
            let capabilities = match greeting_capabilities {
                Some(capabilities) => capabilities,
                None => pre_login_capabilities(&mut client, limit).await?,
            };
            has(&capabilities, "STARTTLS")
        }
        Security::Plain | Security::Tls => false,
    };
    if upgrade {
        start_tls(client, settings).await
    } else {
        Ok(client)
    }
}

/// Reads the server's greeting; returns the capabilities it listed, if any.
async fn read_greeting(client: &mut Client, limit: Duration) -> Result<Option<Vec<String>>> {
    let greeting = connect_step(limit, "reading the server greeting", client.read_response())
        .await?
        .ok_or_else(|| anyhow!("the server closed the connection before greeting"))?;
    match greeting.parsed() {
        Response::Data {
            status: Status::Ok,
            outcome,
        } => Ok(match &outcome.code {
            Some(ResponseCode::Capabilities(list)) => {
                Some(list.iter().map(|c| capability_name(&c.into())).collect())
            }
            _ => None,
        }),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => bail!(
            "the server refused the connection: {}",
            outcome.information.as_deref().unwrap_or("BYE")
        ),
        Response::Data {
            status: Status::PreAuth,
            ..
        } => bail!("the server pre-authenticated the connection; mailroom expects to log in"),
        other => bail!("unexpected server greeting: {other:?}"),
    }
}

/// Asks for CAPABILITY before login. async-imap offers this only on a logged-in session, so we
/// write the command ourselves and let async-imap parse the answer.
async fn pre_login_capabilities(client: &mut Client, limit: Duration) -> Result<Vec<String>> {
    let command = format!("{PRE_LOGIN_TAG} CAPABILITY\r\n");
    let exchange = async {
        let stream = client.get_mut();
        stream.write_all(command.as_bytes()).await?;
        stream.flush().await?;
        let mut capabilities = Vec::new();
        loop {
            let response = client
                .read_response()
                .await?
                .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
            match response.parsed() {
                Response::Capabilities(list) => {
                    capabilities = list.iter().map(|c| capability_name(&c.into())).collect();
                }
                Response::Done { tag, status, .. } if tag.0 == PRE_LOGIN_TAG => {
                    if *status != Status::Ok {
                        return Err(io::Error::other(format!("CAPABILITY answered {status:?}")));
                    }
                    return Ok(capabilities);
                }
                _ => {}
            }
        }
    };
    connect_step(limit, "CAPABILITY before login", exchange).await
}

/// Upgrades the plain connection with STARTTLS.
async fn start_tls(mut client: Client, settings: &ImapSettings) -> Result<Client> {
    connect_step(
        settings.timeout,
        "STARTTLS (does the server offer it?)",
        client.run_command_and_check_ok("STARTTLS", None),
    )
    .await?;
    // Anything the server sent after its OK was sent before encryption: dropping the client's
    // buffer with it is what RFC 3501 §6.2.1 asks (no plain-text injection).
    let Transport::Plain(tcp) = client.into_inner() else {
        bail!("STARTTLS on a connection that is already TLS");
    };
    let tls = tls_handshake(tcp, settings).await?;
    Ok(Client::new(Transport::Tls(Box::new(tls))))
}

/// XOAUTH2's SASL exchange: the token on the first challenge, then an empty answer to the
/// server's error challenge so that it can fail the command cleanly.
struct XOAuth2 {
    user: String,
    token: String,
    sent: bool,
}

impl async_imap::Authenticator for XOAuth2 {
    type Response = String;

    fn process(&mut self, _challenge: &[u8]) -> String {
        if self.sent {
            return String::new();
        }
        self.sent = true;
        xoauth2_payload(&self.user, &self.token)
    }
}

/// `user=<u>^Aauth=Bearer <token>^A^A` (async-imap base64-encodes it).
fn xoauth2_payload(user: &str, token: &str) -> String {
    format!("user={user}\x01auth=Bearer {token}\x01\x01")
}

async fn log_in(client: Client, settings: &ImapSettings) -> Result<Session> {
    let user = &settings.user;
    let attempt = match &settings.auth {
        ImapAuth::Password(password) => {
            tokio::time::timeout(settings.timeout, client.login(user, password)).await
        }
        ImapAuth::XOAuth2 { token } => {
            let authenticator = XOAuth2 {
                user: user.clone(),
                token: token.clone(),
                sent: false,
            };
            tokio::time::timeout(
                settings.timeout,
                client.authenticate("XOAUTH2", authenticator),
            )
            .await
        }
    };
    match attempt {
        Ok(Ok(session)) => Ok(session),
        Ok(Err((error, _client))) => {
            Err(anyhow::Error::from(error).context(format!("logging in as {user}")))
        }
        Err(_elapsed) => bail!(
            "logging in as {user}: no answer within {} s",
            settings.timeout.as_secs_f32()
        ),
    }
}

fn capability_name(capability: &Capability) -> String {
    match capability {
        Capability::Imap4rev1 => "IMAP4rev1".to_owned(),
        Capability::Auth(mechanism) => format!("AUTH={mechanism}"),
        Capability::Atom(atom) => atom.clone(),
    }
}

fn has(capabilities: &[String], name: &str) -> bool {
    capabilities
        .iter()
        .any(|capability| capability.eq_ignore_ascii_case(name))
}

/// `INBOX` is case-insensitive (RFC 3501 §5.1); other names are compared exactly.
fn same_folder(a: &str, b: &str) -> bool {
    a == b || (a.eq_ignore_ascii_case("INBOX") && b.eq_ignore_ascii_case("INBOX"))
}

/// An IMAP quoted string.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A compact UID set: `[1, 2, 3, 7, 9, 10]` → `1:3,7,9:10`.
fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for uid in sorted {
        match ranges.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(uid) => *end = uid,
            _ => ranges.push((uid, uid)),
        }
    }
    ranges
        .iter()
        .map(|&(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}:{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Modified UTF-7 (RFC 3501 §5.1.3), the encoding of IMAP folder names: printable ASCII stands
/// for itself (`&` as `&-`); anything else is UTF-16 in base64 (with `,` for `/`) between `&`
/// and `-`.
pub mod modified_utf7 {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    use base64::Engine as _;

    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::IMAP_MUTF7,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );

    /// A folder name that is not valid modified UTF-7.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("invalid modified UTF-7 folder name {name:?}: {reason}")]
    pub struct DecodeError {
        /// The name as received.
        pub name: String,
        /// What is wrong with it.
        pub reason: &'static str,
    }

    /// Encodes a UTF-8 folder name for the wire: `À vérifier` → `&AMA- v&AOk-rifier`.
    pub fn encode(name: &str) -> String {
        let mut out = String::with_capacity(name.len());
        let mut pending: Vec<u16> = Vec::new();
        for c in name.chars() {
            if is_direct(c) {
                flush(&mut out, &mut pending);
                out.push(c);
                if c == '&' {
                    out.push('-');
                }
            } else {
                let mut units = [0u16; 2];
                pending.extend_from_slice(c.encode_utf16(&mut units));
            }
        }
        flush(&mut out, &mut pending);
        out
    }

    /// Decodes a folder name from the wire: `&AMA- v&AOk-rifier` → `À vérifier`.
    pub fn decode(wire: &str) -> Result<String, DecodeError> {
        let error = |reason| DecodeError {
            name: wire.to_owned(),
            reason,
        };
        let mut out = String::with_capacity(wire.len());
        let mut chars = wire.chars();
        while let Some(c) = chars.next() {
            if c != '&' {
                if !is_direct(c) {
                    return Err(error("contains a character that must be encoded"));
                }
                out.push(c);
                continue;
            }
            let mut encoded = String::new();
            loop {
                match chars.next() {
                    Some('-') => break,
                    Some(c) => encoded.push(c),
                    None => return Err(error("an &-run is not closed by -")),
                }
            }
            if encoded.is_empty() {
                out.push('&');
                continue;
            }
            let bytes = ENGINE
                .decode(&encoded)
                .map_err(|_| error("bad base64 between & and -"))?;
            if bytes.len() % 2 != 0 {
                return Err(error("odd number of UTF-16 bytes"));
            }
            let units = bytes
                .chunks_exact(2)
                .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
                .map(u16::from_be_bytes);
            for unit in char::decode_utf16(units) {
                out.push(unit.map_err(|_| error("unpaired UTF-16 surrogate"))?);
            }
        }
        Ok(out)
    }

    /// Printable US-ASCII represents itself.
    fn is_direct(c: char) -> bool {
        (' '..='~').contains(&c)
    }

    fn flush(out: &mut String, pending: &mut Vec<u16>) {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|unit| unit.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&ENGINE.encode(bytes));
        out.push('-');
        pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf7_encodes_the_alliance_folders() {
        assert_eq!(modified_utf7::encode("À vérifier"), "&AMA- v&AOk-rifier");
        assert_eq!(modified_utf7::encode("Traité"), "Trait&AOk-");
        assert_eq!(modified_utf7::encode("Ignoré"), "Ignor&AOk-");
        assert_eq!(
            modified_utf7::encode("Courrier indésirable"),
            "Courrier ind&AOk-sirable"
        );
        assert_eq!(modified_utf7::encode("INBOX"), "INBOX");
    }

    #[test]
    fn utf7_decodes_the_alliance_folders() {
        assert_eq!(
            modified_utf7::decode("&AMA- v&AOk-rifier").as_deref(),
            Ok("À vérifier")
        );
        assert_eq!(modified_utf7::decode("Trait&AOk-").as_deref(), Ok("Traité"));
        assert_eq!(modified_utf7::decode("Ignor&AOk-").as_deref(), Ok("Ignoré"));
        assert_eq!(
            modified_utf7::decode("Courrier ind&AOk-sirable").as_deref(),
            Ok("Courrier indésirable")
        );
    }

    #[test]
    fn utf7_round_trips_ampersands_runs_and_astral_characters() {
        // RFC 3501's own example, a run of several characters, and a surrogate pair.
        assert_eq!(
            modified_utf7::encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        assert_eq!(modified_utf7::encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(
            modified_utf7::decode("Tom &- Jerry").as_deref(),
            Ok("Tom & Jerry")
        );
        for name in ["Réponses « envoyées »", "📎 pièces", "&&", "a&b-é-", "ÀÉÈ"] {
            let wire = modified_utf7::encode(name);
            assert!(wire.is_ascii(), "{wire}");
            assert_eq!(modified_utf7::decode(&wire).as_deref(), Ok(name));
        }
    }

    #[test]
    fn utf7_rejects_malformed_names() {
        assert!(modified_utf7::decode("&AOk").is_err(), "unterminated run");
        assert!(modified_utf7::decode("&A-").is_err(), "truncated base64");
        assert!(modified_utf7::decode("&2D0-").is_err(), "lone surrogate");
        assert!(modified_utf7::decode("vérifier").is_err(), "raw 8-bit");
    }

    fn parse(url: &str) -> Result<ImapSettings> {
        ImapSettings::from_url(url, ImapAuth::Password("secret".into()))
    }

    fn error_of(url: &str) -> String {
        match parse(url) {
            Ok(settings) => panic!("{url} should be refused, got {settings:?}"),
            Err(error) => format!("{error:#}"),
        }
    }

    #[test]
    fn url_imaps_with_encoded_user_and_folder() {
        let settings =
            parse("imaps://info%40alliance.be@imap.alliance.be/Courrier%20ind%C3%A9sirable")
                .unwrap();
        assert_eq!(settings.host, "imap.alliance.be");
        assert_eq!(settings.port, 993);
        assert_eq!(settings.security, Security::Tls);
        assert_eq!(settings.user, "info@alliance.be");
        assert_eq!(settings.folder, "Courrier indésirable");
        assert_eq!(settings.timeout, DEFAULT_TIMEOUT);
        assert_eq!(settings.auth, ImapAuth::Password("secret".into()));
        assert_eq!(
            settings.to_string(),
            "imaps://info%40alliance.be@imap.alliance.be:993/Courrier indésirable"
        );
    }

    #[test]
    fn url_defaults_folder_to_inbox_and_takes_explicit_ports() {
        for url in [
            "imaps://u@mail.example.be:10993",
            "imaps://u@mail.example.be:10993/",
        ] {
            let settings = parse(url).unwrap();
            assert_eq!((settings.port, settings.folder.as_str()), (10993, "INBOX"));
        }
        let settings = parse("imap://u@MAIL.Example.BE/Archives/2026").unwrap();
        assert_eq!(settings.host, "mail.example.be");
        assert_eq!(settings.port, 143);
        assert_eq!(settings.folder, "Archives/2026");
    }

    #[test]
    fn url_imap_off_loopback_requires_starttls() {
        assert_eq!(
            parse("imap://u@mail.example.be/").unwrap().security,
            Security::StartTls
        );
        assert_eq!(
            parse("imap://u@mail.example.be/?tls=required")
                .unwrap()
                .security,
            Security::StartTls
        );
        assert_eq!(
            parse("imap://u@192.0.2.7/?tls=required").unwrap().security,
            Security::StartTls
        );
        let error = error_of("imap://u@mail.example.be/INBOX?tls=none");
        assert!(error.contains("loopback"), "{error}");
        let error = error_of("imap://u@10.0.0.8/?tls=none");
        assert!(error.contains("loopback"), "{error}");
    }

    #[test]
    fn url_imap_on_loopback_may_be_plain() {
        for host in ["127.0.0.1", "localhost", "LOCALHOST", "127.1.2.3", "[::1]"] {
            let settings = parse(&format!("imap://u@{host}:1143/INBOX")).unwrap();
            assert_eq!(settings.security, Security::StartTlsIfOffered, "{host}");
            let settings = parse(&format!("imap://u@{host}:1143/INBOX?tls=none")).unwrap();
            assert_eq!(settings.security, Security::Plain, "{host}");
            let settings = parse(&format!("imap://u@{host}:1143/INBOX?tls=required")).unwrap();
            assert_eq!(settings.security, Security::StartTls, "{host}");
        }
        assert_eq!(parse("imap://u@[::1]/").unwrap().host, "::1");
    }

    #[test]
    fn url_mistakes_are_refused_clearly() {
        assert!(error_of("pop3://u@mail.example.be/").contains("imap:// or imaps://"));
        assert!(error_of("imap://mail.example.be/").contains("names no user"));
        assert!(error_of("imaps://u:pw@mail.example.be/").contains("MAILROOM_IMAP_PASSWORD"));
        assert!(error_of("imaps://u@mail.example.be/?tls=required").contains("imap:// only"));
        assert!(error_of("imap://u@mail.example.be/?tls=maybe").contains("tls=maybe"));
        assert!(error_of("imap://u@mail.example.be/?starttls=1").contains("starttls"));
        assert!(error_of("imap://u@mail.example.be:0/").contains("port 0"));
        assert!(error_of("imap://u@mail.example.be/%C3").contains("UTF-8"));
        assert!(error_of("not a url").contains("invalid IMAP URL"));
    }

    #[test]
    fn uid_sets_are_compact_and_sorted() {
        assert_eq!(uid_set(&[9, 1, 2, 3, 7, 10, 2]), "1:3,7,9:10");
        assert_eq!(uid_set(&[42]), "42");
        assert_eq!(uid_set(&[u32::MAX, u32::MAX - 1]), "4294967294:4294967295");
    }

    #[test]
    fn xoauth2_payload_follows_the_sasl_format() {
        assert_eq!(
            xoauth2_payload("info@alliance.be", "ya29.tok"),
            "user=info@alliance.be\x01auth=Bearer ya29.tok\x01\x01"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let shown = format!(
            "{:?} {:?}",
            ImapAuth::Password("hunter2".into()),
            ImapAuth::XOAuth2 {
                token: "ya29.secret".into()
            }
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("ya29"),
            "{shown}"
        );
    }
}
