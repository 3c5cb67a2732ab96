//! A real SMTP server for tests: Postfix's `smtp-sink`, one process per test.
//!
//! Each sink listens on its own free port on 127.0.0.1 and dumps every mail transaction
//! that reaches DATA into its own temporary folder (`-d DIR/%Y%m%d%H%M%S.`: one file per
//! transaction, named from the time plus a random hexadecimal suffix). A dump file holds,
//! with LF line ends:
//!
//! ```text
//! X-Client-Addr: 127.0.0.1
//! X-Client-Proto: ESMTP
//! X-Helo-Args: [127.0.0.1]
//! X-Mail-Args: <from@example.be>
//! X-Rcpt-Args: <to@example.be>            (one per RCPT)
//! Received: from [127.0.0.1] ([127.0.0.1])
//! <TAB>by sink-… (smtp-sink) with ESMTP id 0dea320f;
//! <TAB>Mon, 23 Nov 2026 16:14:27 +0000 (UTC)
//! <the message, dot-unstuffed, CRLF turned into LF>
//! <one empty line>
//! ```
//!
//! [`SmtpSink::messages`] strips the sink's lines before the message and the empty line
//! after it. The sink stores a transaction refused at the end of DATA too (modes
//! [`Mode::TempFailData`], [`Mode::RejectData`], [`Mode::HangUpAfterData`]): it has seen the
//! message even though the client was told otherwise. A transaction refused at RCPT leaves
//! no file. smtp-sink accepts any AUTH PLAIN/LOGIN (answering 250) and offers no STARTTLS.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where Debian's `postfix` package puts the program (not on a normal user's PATH).
const PROGRAM_PATHS: &[&str] = &["/usr/sbin/smtp-sink", "/usr/local/sbin/smtp-sink"];

/// How long a starting sink may take to answer.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The answers of [`Mode::TempFailRcpt`] and [`Mode::TempFailData`].
pub const TEMP_FAIL_REPLY: &str = "451 4.3.0 smtp-sink test: try again later";
/// The answer of [`Mode::RejectRcpt`].
pub const REJECT_RCPT_REPLY: &str = "550 5.1.1 smtp-sink test: no such user";
/// The answer of [`Mode::RejectData`].
pub const REJECT_DATA_REPLY: &str = "554 5.6.0 smtp-sink test: message refused";
/// The answer of [`Mode::RejectAuth`].
pub const REJECT_AUTH_REPLY: &str = "535 5.7.8 smtp-sink test: authentication failed";

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accepts everything ("250 2.0.0 Ok" after the message).
    Accept,
    /// Answers RCPT with [`TEMP_FAIL_REPLY`] (`-r RCPT -b …`).
    TempFailRcpt,
    /// Answers RCPT with [`REJECT_RCPT_REPLY`] (`-f RCPT -B …`).
    RejectRcpt,
    /// Answers the end of the message with [`TEMP_FAIL_REPLY`] (`-r . -b …`).
    TempFailData,
    /// Answers the end of the message with [`REJECT_DATA_REPLY`] (`-f . -B …`).
    RejectData,
    /// Answers AUTH with [`REJECT_AUTH_REPLY`] (`-f AUTH -B …`).
    RejectAuth,
    /// Hangs up without a word once the message is in (`-q .`): the ambiguous case.
    HangUpAfterData,
}

impl Mode {
    fn arguments(self) -> Vec<&'static str> {
        match self {
            Mode::Accept => vec![],
            Mode::TempFailRcpt => vec!["-r", "RCPT", "-b", TEMP_FAIL_REPLY],
            Mode::RejectRcpt => vec!["-f", "RCPT", "-B", REJECT_RCPT_REPLY],
            Mode::TempFailData => vec!["-r", ".", "-b", TEMP_FAIL_REPLY],
            Mode::RejectData => vec!["-f", ".", "-B", REJECT_DATA_REPLY],
            Mode::RejectAuth => vec!["-f", "AUTH", "-B", REJECT_AUTH_REPLY],
            Mode::HangUpAfterData => vec!["-q", "."],
        }
    }
}

/// A running `smtp-sink`, killed and cleaned up on drop.
pub struct SmtpSink {
    child: Child,
    /// Holds `dumps/` (one file per transaction) and `smtp-sink.log` (its stderr).
    dir: tempfile::TempDir,
    /// `dir/dumps`, canonical (to compare with the links in `/proc/PID/fd`).
    dumps: PathBuf,
    /// The name it gives in its greeting and EHLO answer: unique to this sink.
    name: String,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl SmtpSink {
    /// Starts smtp-sink on 127.0.0.1 on a free port, answering as `mode` says and dumping
    /// each transaction into a temporary folder.
    ///
    /// Panics if smtp-sink is not installed or does not start.
    pub fn start(mode: Mode) -> SmtpSink {
        let program = program();
        let dir = tempfile::Builder::new()
            .prefix("smtp-sink-")
            .tempdir()
            .expect("temporary folder for smtp-sink");
        let dumps = dir.path().join("dumps");
        fs::create_dir(&dumps).expect("dump folder");
        if running_as_root() {
            // smtp-sink drops to `nobody` and must still be able to write its dumps.
            for folder in [dir.path(), dumps.as_path()] {
                fs::set_permissions(folder, fs::Permissions::from_mode(0o777))
                    .expect("open the dump folder to nobody");
            }
        }
        let dumps = fs::canonicalize(&dumps).expect("the dump folder");
        let name = unique_name();
        let mut failures = Vec::new();
        // The port is free when asked for but not reserved: if someone takes it before
        // smtp-sink binds it, try another one.
        for _ in 0..5 {
            let port = free_port();
            match spawn(&program, dir.path(), &name, port, mode) {
                Ok(child) => {
                    return SmtpSink {
                        child,
                        dir,
                        dumps,
                        name,
                        port,
                    }
                }
                Err(failure) => failures.push(failure),
            }
        }
        panic!("smtp-sink did not start:\n{}", failures.join("\n"));
    }

    /// Stops the sink and starts it again on the same port in `mode`, keeping what it
    /// received: for "fails first, then accepts" (smtp-sink cannot change by itself).
    pub fn restart(&mut self, mode: Mode) {
        self.stop();
        let program = program();
        self.child = spawn(&program, self.dir.path(), &self.name, self.port, mode)
            .unwrap_or_else(|failure| panic!("smtp-sink did not restart: {failure}"));
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The name the sink gives in its greeting and EHLO answer (unique to this sink).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The messages received so far, oldest first: the DATA of each finished transaction,
    /// as stored by smtp-sink (dot-unstuffed, LF line ends), without its own lines.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        // Listed first, then checked against the files the sink holds open: a file listed
        // and no longer open is finished (or was deleted: a transaction abandoned before
        // DATA); one created after the listing waits for the next call.
        let listed: Vec<PathBuf> = fs::read_dir(&self.dumps)
            .expect("read the dump folder")
            .map(|entry| entry.expect("dump folder entry").path())
            .collect();
        let open = self.open_files();
        let mut dumps = Vec::new();
        for path in listed {
            if open.contains(&path) {
                continue;
            }
            let read = fs::metadata(&path)
                .and_then(|metadata| metadata.modified())
                .and_then(|modified| Ok((modified, fs::read(&path)?)));
            match read {
                Ok((modified, dump)) => dumps.push((modified, path, dump)),
                Err(error) if error.kind() == ErrorKind::NotFound => {}
                Err(error) => panic!("cannot read {}: {error}", path.display()),
            }
        }
        // Names only resolve to the second; modification times to the nanosecond.
        dumps.sort_by(|(time_a, path_a, _), (time_b, path_b, _)| {
            (time_a, path_a).cmp(&(time_b, path_b))
        });
        dumps
            .into_iter()
            .filter_map(|(_, path, dump)| match strip_dump(&dump) {
                Dump::Message(message) => Some(message),
                Dump::NoData => None,
                Dump::Malformed => panic!(
                    "{} is not in smtp-sink's dump format:\n{}",
                    path.display(),
                    String::from_utf8_lossy(&dump)
                ),
            })
            .collect()
    }

    /// Waits up to `timeout` until at least `n` messages arrived, and returns them all.
    ///
    /// Panics, saying what did arrive, if fewer than `n` did in time.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "smtp-sink on port {} received {} message(s) within {timeout:?}, expected {n}; its log:\n{}",
                    self.port,
                    messages.len(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What smtp-sink wrote to its standard error.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("smtp-sink.log")).unwrap_or_default()
    }

    /// The files the sink process holds open (Linux `/proc`; empty elsewhere).
    fn open_files(&self) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(format!("/proc/{}/fd", self.child.id())) else {
            return Vec::new();
        };
        entries
            .filter_map(|entry| fs::read_link(entry.ok()?.path()).ok())
            .collect()
    }

    /// Lets transactions the clients have finished be closed (the sink answers QUIT
    /// before it deletes an abandoned transaction's file), then kills the sink.
    fn stop(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while Instant::now() < deadline
            && self
                .open_files()
                .iter()
                .any(|path| path.starts_with(&self.dumps))
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Already gone is fine: this is cleanup.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        // The temporary folder removes itself after this.
    }
}

/// The smtp-sink program, or a panic that says how to install it.
fn program() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("smtp-sink"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    PROGRAM_PATHS
        .iter()
        .map(PathBuf::from)
        .chain(on_path)
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("install postfix (apt-get install postfix) for smtp-sink"))
}

/// Starts smtp-sink on `port` and waits until it answers with its greeting.
fn spawn(program: &Path, dir: &Path, name: &str, port: u16, mode: Mode) -> Result<Child, String> {
    let log = File::options()
        .create(true)
        .append(true)
        .open(dir.join("smtp-sink.log"))
        .map_err(|error| format!("smtp-sink.log: {error}"))?;
    let template = dir.join("dumps").join("%Y%m%d%H%M%S.");
    let mut command = Command::new(program);
    if running_as_root() {
        command.args(["-u", "nobody"]);
    }
    command
        .args(["-h", name, "-d"])
        .arg(&template)
        .args(mode.arguments())
        .arg(format!("127.0.0.1:{port}"))
        .arg("100")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    let mut child = command
        .spawn()
        .map_err(|error| format!("cannot run {}: {error}", program.display()))?;
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = fs::read_to_string(dir.join("smtp-sink.log")).unwrap_or_default();
            return Err(format!(
                "port {port}: smtp-sink exited with {status}: {log}"
            ));
        }
        if greets_as(address, name) {
            return Ok(child);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "port {port}: smtp-sink did not answer within {START_TIMEOUT:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the server at `address` greets with `220 name` (so it is our sink, not
/// another program that got the port first).
fn greets_as(address: SocketAddr, name: &str) -> bool {
    let Ok(stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) else {
        return false;
    };
    if stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .is_err()
    {
        return false;
    }
    let mut greeting = String::new();
    if BufReader::new(stream).read_line(&mut greeting).is_err() {
        return false;
    }
    greeting.starts_with(&format!("220 {name} "))
}

/// What a dump file holds.
enum Dump {
    /// The message of a transaction that reached the end of DATA.
    Message(Vec<u8>),
    /// Only envelope lines: a transaction abandoned before DATA whose file the sink did
    /// not get to delete (it was stopped first).
    NoData,
    /// Not smtp-sink's format.
    Malformed,
}

/// The message in a dump file: what follows the sink's `Received:` header (and its
/// continuation lines), less the empty line the sink adds at the end.
fn strip_dump(dump: &[u8]) -> Dump {
    let mut rest = dump;
    let mut seen_received = false;
    loop {
        let Some(end) = rest.iter().position(|&byte| byte == b'\n') else {
            return if !seen_received && rest.is_empty() {
                Dump::NoData
            } else {
                Dump::Malformed
            };
        };
        let (line, after) = rest.split_at(end + 1);
        let continuation = line.starts_with(b"\t") || line.starts_with(b" ");
        if seen_received && !continuation {
            break;
        }
        if line.starts_with(b"Received: ") {
            seen_received = true;
        } else if !seen_received && !line.starts_with(b"X-") {
            return Dump::Malformed;
        }
        rest = after;
    }
    match rest.strip_suffix(b"\n") {
        Some(message) => Dump::Message(message.to_vec()),
        None => Dump::Malformed,
    }
}

/// A free TCP port on 127.0.0.1 (free now; nothing reserves it).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// A name no other sink of this test run uses.
fn unique_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "sink-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// smtp-sink refuses to run as root without `-u`.
fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}
