//! A real Dovecot IMAP server for tests, one per test: its own temporary directory, loopback
//! port, `base_dir`, state, log and Maildir, so tests can run in parallel in one process.
//!
//! Dovecot runs as root in the foreground (`dovecot -F -c CONF`) from a configuration written to
//! the temporary directory: a passwd-file with one user, a static userdb mapping that user to
//! `nobody`/`nogroup`, Maildir under the temporary directory. It advertises IDLE, MOVE and
//! UIDPLUS; [`Dovecot::start_with`] can change that (`imap_capability = ...`) to exercise
//! fallbacks, and [`Dovecot::start_with_tls`] adds STARTTLS and implicit TLS with a throw-away CA.
//!
//! The helpers that talk IMAP ([`Dovecot::append`], [`Dovecot::count`], …) use async-imap
//! directly and encode folder names themselves, independently of the code under test.

#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long Dovecot gets to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The limit on each helper IMAP exchange.
const IMAP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running Dovecot; stopped and its files removed on drop.
pub struct Dovecot {
    /// The plain/STARTTLS IMAP port on 127.0.0.1.
    pub port: u16,
    /// The one user's login name.
    pub user: String,
    /// The one user's password.
    pub password: String,
    /// The implicit-TLS (imaps) port, when started with [`Dovecot::start_with_tls`].
    pub tls_port: Option<u16>,
    child: Option<Child>,
    binary: PathBuf,
    dir: tempfile::TempDir,
}

impl Dovecot {
    /// Starts Dovecot on 127.0.0.1 on a free port with a temporary configuration, waits until the
    /// port answers `* OK`, and panics with the log's tail if it does not within 10 s.
    pub fn start() -> Dovecot {
        Dovecot::launch("", false)
    }

    /// Like [`Dovecot::start`], with `extra` appended to the configuration (for instance
    /// `imap_capability = IMAP4rev1 IDLE` to hide MOVE and UIDPLUS).
    pub fn start_with(extra: &str) -> Dovecot {
        Dovecot::launch(extra, false)
    }

    /// Like [`Dovecot::start`], with TLS: STARTTLS on [`Dovecot::port`] and implicit TLS on
    /// [`Dovecot::tls_port`], under a certificate for `127.0.0.1` and `localhost` signed by a
    /// throw-away CA ([`Dovecot::ca_file`]). Needs the `openssl` program.
    pub fn start_with_tls() -> Dovecot {
        Dovecot::launch("", true)
    }

    /// `imap://USER@127.0.0.1:PORT/INBOX`, the user percent-encoded.
    pub fn url(&self) -> String {
        format!(
            "imap://{}@127.0.0.1:{}/INBOX",
            url_user(&self.user),
            self.port
        )
    }

    /// `imaps://USER@127.0.0.1:TLS_PORT/INBOX` (panics unless started with TLS).
    pub fn tls_url(&self) -> String {
        let port = self
            .tls_port
            .expect("this Dovecot was not started with TLS");
        format!("imaps://{}@127.0.0.1:{port}/INBOX", url_user(&self.user))
    }

    /// The PEM file of the CA that signed the server certificate (with TLS only).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The user's Maildir, to look at what Dovecot wrote on disk.
    pub fn maildir(&self) -> PathBuf {
        self.dir
            .path()
            .join("home")
            .join(&self.user)
            .join("Maildir")
    }

    /// Dovecot's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Appends a message to `folder` (UTF-8 name), creating the folder if needed.
    pub async fn append(&self, folder: &str, bytes: &[u8]) {
        self.append_dated(folder, bytes, None).await;
    }

    /// Appends a message with an INTERNALDATE such as `"23-Nov-2026 10:00:00 +0100"`.
    pub async fn append_at(&self, folder: &str, bytes: &[u8], internal_date: &str) {
        self.append_dated(folder, bytes, Some(internal_date)).await;
    }

    /// The number of messages in `folder` (UTF-8 name); 0 if it does not exist.
    pub async fn count(&self, folder: &str) -> usize {
        self.status(folder)
            .await
            .map_or(0, |(messages, _)| messages)
    }

    /// The number of messages in `folder` without `\Seen`; 0 if it does not exist.
    pub async fn unseen(&self, folder: &str) -> usize {
        self.status(folder).await.map_or(0, |(_, unseen)| unseen)
    }

    /// Stops and starts the server on the same port and data (to test reconnection).
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
        if let Err(problem) = self.wait_until_ready() {
            self.stop();
            panic!("Dovecot did not restart: {problem}\n{}", self.log_tail());
        }
    }

    fn launch(extra: &str, tls: bool) -> Dovecot {
        let binary = dovecot_binary();
        require_root();
        // Another test may grab the free port we found before Dovecot binds it: try again.
        for attempt in 1..=3 {
            let dir = tempfile::Builder::new()
                .prefix("mailroom-dovecot-")
                .tempdir()
                .expect("temporary directory");
            let mut dovecot = Dovecot {
                port: free_port(),
                user: "boite@alliance.test".to_owned(),
                password: "corr3ct horse \"battery\"".to_owned(),
                tls_port: tls.then(free_port),
                child: None,
                binary: binary.clone(),
                dir,
            };
            dovecot.write_files(extra);
            dovecot.spawn();
            match dovecot.wait_until_ready() {
                Ok(()) => return dovecot,
                Err(problem) => {
                    dovecot.stop();
                    let log = dovecot.log_tail();
                    if attempt < 3 && log.contains("Address already in use") {
                        continue;
                    }
                    panic!("Dovecot did not start: {problem}\n{log}");
                }
            }
        }
        unreachable!("the last attempt panics")
    }

    /// Writes the configuration, the passwd-file and the mail home.
    fn write_files(&self, extra: &str) {
        let dir = self.dir.path();
        // Dovecot's unprivileged processes (dovecot, dovenull, nobody) must traverse it.
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).expect("chmod temp dir");
        let home = dir.join("home");
        fs::create_dir(&home).expect("create mail home");
        let (uid, gid) = (
            system_id("/etc/passwd", "nobody"),
            system_id("/etc/group", "nogroup"),
        );
        chown(&home, Some(uid), Some(gid)).expect("chown mail home to nobody");
        fs::write(
            dir.join("passwd"),
            format!("{}:{{PLAIN}}{}::::::\n", self.user, self.password),
        )
        .expect("write passwd-file");
        let ssl = match self.tls_port {
            Some(_) => {
                make_certificates(dir);
                format!(
                    "ssl = yes\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\n",
                    d = dir.display()
                )
            }
            None => "ssl = no\n".to_owned(),
        };
        // Port 0 disables the listener (Dovecot would otherwise take 993).
        let imaps_port = self.tls_port.unwrap_or(0);
        let config = format!(
            "# Written by mailroom's tests.\n\
             protocols = imap\n\
             listen = 127.0.0.1\n\
             base_dir = {d}/run\n\
             state_dir = {d}/state\n\
             instance_name = mailroom-test-{port}\n\
             log_path = {d}/dovecot.log\n\
             default_login_user = dovenull\n\
             default_internal_user = dovecot\n\
             first_valid_uid = 1\n\
             {ssl}\
             disable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             # Refused logins answer at once instead of after the default 2 s.\n\
             auth_failure_delay = 0\n\
             mail_location = maildir:~/Maildir\n\
             # Dovecot notices new mail through inotify; this is only the fallback.\n\
             mailbox_idle_check_interval = 1 secs\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={d}/home/%u\n}}\n\
             service imap-login {{\n\
             \x20 inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n\
             \x20 inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n  }}\n\
             }}\n\
             {extra}\n",
            d = dir.display(),
            port = self.port,
        );
        fs::write(self.config_path(), config).expect("write dovecot.conf");
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("dovecot.conf")
    }

    fn spawn(&mut self) {
        let output = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("stderr.log"))
            .expect("open stderr.log");
        let child = Command::new(&self.binary)
            .arg("-F")
            .arg("-c")
            .arg(self.config_path())
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("clone stderr.log"))
            .stderr(output)
            .spawn()
            .expect("run dovecot");
        self.child = Some(child);
    }

    /// Waits until the IMAP port greets with `* OK` (and the imaps port accepts connections).
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let greeted = loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("dovecot exited: {status}"));
                }
            }
            if greets(self.port) {
                break true;
            }
            if Instant::now() > deadline {
                break false;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if !greeted {
            return Err(format!("no `* OK` greeting on 127.0.0.1:{}", self.port));
        }
        if let Some(tls_port) = self.tls_port {
            while TcpStream::connect(("127.0.0.1", tls_port)).is_err() {
                if Instant::now() > deadline {
                    return Err(format!("nothing listening on imaps port {tls_port}"));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        Ok(())
    }

    /// Stops Dovecot and every process it started, dropping all client connections the way a
    /// real restart does. The master alone is not enough: on SIGTERM it exits but leaves its
    /// `imap` processes serving their clients.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let master = child.id();
        let children = child_pids(master);
        signal("TERM", master);
        if !wait_for(Duration::from_secs(5), || {
            matches!(child.try_wait(), Ok(Some(_)))
        }) {
            let _ = child.kill();
            let _ = child.wait();
        }
        for &pid in &children {
            signal("TERM", pid);
        }
        if !wait_for(Duration::from_secs(2), || {
            !children.iter().any(|&pid| is_running(pid))
        }) {
            for &pid in children.iter().filter(|&&pid| is_running(pid)) {
                signal("KILL", pid);
            }
        }
    }

    fn log_tail(&self) -> String {
        let mut text = String::new();
        for name in ["stderr.log", "dovecot.log"] {
            let content = fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
            let lines: Vec<&str> = content.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            text.push_str(&format!("--- {name} (tail) ---\n{tail}\n"));
        }
        text
    }

    async fn append_dated(&self, folder: &str, bytes: &[u8], internal_date: Option<&str>) {
        let wire = encode_folder(folder);
        let mut session = self.log_in().await;
        if !self.exists(&mut session, &wire).await {
            within("CREATE", session.create(&wire)).await;
        }
        let date = internal_date.map(|date| format!("\"{date}\""));
        within(
            "APPEND",
            session.append(&wire, None, date.as_deref(), bytes),
        )
        .await;
        within("LOGOUT", session.logout()).await;
    }

    /// MESSAGES and UNSEEN of a folder, `None` if it does not exist.
    async fn status(&self, folder: &str) -> Option<(usize, usize)> {
        let wire = encode_folder(folder);
        let mut session = self.log_in().await;
        let status = if self.exists(&mut session, &wire).await {
            let mailbox = within("STATUS", session.status(&wire, "(MESSAGES UNSEEN)")).await;
            let unseen = mailbox.unseen.unwrap_or(0);
            Some((mailbox.exists as usize, unseen as usize))
        } else {
            None
        };
        within("LOGOUT", session.logout()).await;
        status
    }

    async fn exists(&self, session: &mut Session, wire: &str) -> bool {
        use futures::TryStreamExt as _;
        let pattern = format!("\"{}\"", wire.replace('\\', "\\\\").replace('"', "\\\""));
        let names: Vec<String> = within("LIST", async {
            session
                .list(Some(""), Some(&pattern))
                .await?
                .map_ok(|name| name.name().to_owned())
                .try_collect()
                .await
        })
        .await;
        names.iter().any(|name| name == wire)
    }

    async fn log_in(&self) -> Session {
        let tcp = tokio::time::timeout(
            IMAP_TIMEOUT,
            tokio::net::TcpStream::connect(("127.0.0.1", self.port)),
        )
        .await
        .expect("connect to Dovecot: timeout")
        .expect("connect to Dovecot");
        let mut client = async_imap::Client::new(tcp);
        within("greeting", async {
            client
                .read_response()
                .await
                .map_err(async_imap::error::Error::from)
        })
        .await
        .expect("Dovecot greeting");
        tokio::time::timeout(IMAP_TIMEOUT, client.login(&self.user, &self.password))
            .await
            .expect("LOGIN: timeout")
            .map_err(|(error, _)| error)
            .expect("LOGIN to Dovecot")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        self.stop();
        // The TempDir field removes the directory after this.
    }
}

type Session = async_imap::Session<tokio::net::TcpStream>;

/// Runs a helper IMAP step, panicking on error or after [`IMAP_TIMEOUT`].
async fn within<T>(
    what: &str,
    step: impl std::future::Future<Output = async_imap::error::Result<T>>,
) -> T {
    match tokio::time::timeout(IMAP_TIMEOUT, step).await {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => panic!("Dovecot helper: {what} failed: {error}"),
        Err(_) => panic!("Dovecot helper: {what} timed out"),
    }
}

/// Modified UTF-7 (RFC 3501 §5.1.3), written again here so that the tests do not trust the
/// encoder they test.
fn encode_folder(name: &str) -> String {
    use base64::Engine as _;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::IMAP_MUTF7,
        base64::engine::general_purpose::NO_PAD,
    );
    let mut out = String::new();
    let mut run: Vec<u8> = Vec::new();
    let flush = |out: &mut String, run: &mut Vec<u8>| {
        if !run.is_empty() {
            out.push('&');
            out.push_str(&engine.encode(&run));
            out.push('-');
            run.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut run);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                run.extend_from_slice(&unit.to_be_bytes());
            }
        }
    }
    flush(&mut out, &mut run);
    out
}

fn url_user(user: &str) -> String {
    user.replace('%', "%25").replace('@', "%40")
}

/// Whether something on `port` greets like an IMAP server.
fn greets(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("* OK")
}

/// The processes whose parent is `parent`, from /proc.
fn child_pids(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| proc_stat(pid).is_some_and(|(_, ppid)| ppid == parent))
        .collect()
}

/// State letter and parent pid from /proc/PID/stat (the name in parentheses may hold spaces).
fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Alive and not a zombie waiting for a reaper.
fn is_running(pid: u32) -> bool {
    proc_stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

fn signal(name: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .stderr(Stdio::null())
        .status();
}

/// Polls `done` until it holds or `limit` passes; tells which.
fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("find a free loopback port")
        .port()
}

fn dovecot_binary() -> PathBuf {
    let mut candidates = vec![
        PathBuf::from("/usr/sbin/dovecot"),
        PathBuf::from("/usr/local/sbin/dovecot"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join("dovecot")));
    }
    candidates
        .into_iter()
        .find(|candidate| candidate.is_file())
        .expect("Dovecot is not installed: install dovecot-imapd (apt-get install dovecot-imapd)")
}

fn require_root() {
    let uid = fs::metadata("/proc/self")
        .map(|meta| meta.uid())
        .unwrap_or(u32::MAX);
    assert_eq!(
        uid, 0,
        "the Dovecot tests start Dovecot as root: run them as root"
    );
}

/// The numeric id of `name` in /etc/passwd or /etc/group.
fn system_id(file: &str, name: &str) -> u32 {
    fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            (fields.next() == Some(name))
                .then(|| fields.nth(1).and_then(|id| id.parse().ok()))
                .flatten()
        })
        .unwrap_or_else(|| panic!("{name} is missing from {file} (Dovecot needs it)"))
}

/// A throw-away CA and a server certificate for 127.0.0.1 and localhost, with `openssl`.
fn make_certificates(dir: &Path) {
    let extensions = dir.join("server.ext");
    fs::write(
        &extensions,
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n\
         basicConstraints = critical, CA:FALSE\n\
         keyUsage = critical, digitalSignature\n\
         extendedKeyUsage = serverAuth\n",
    )
    .expect("write server.ext");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    openssl(
        dir,
        &[
            &["req", "-x509"],
            &ec[..],
            &[
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=mailroom test CA",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            &["req"],
            &ec[..],
            &[
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        ]
        .concat(),
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl (apt-get install openssl)");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
