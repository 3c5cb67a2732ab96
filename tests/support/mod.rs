//! Test support: a temporary workspace, the pipeline over it, and the real binary.

#![allow(dead_code)]

pub mod dovecot;
pub mod smtp_sink;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use mailroom::clock::Clock;
use mailroom::config::{Config, Folders, Limits};
use mailroom::mailbox::{files, Candidate};
use mailroom::pipeline::{Handled, Pipeline};
use mailroom::rules::Rules;
use mailroom::store::Store;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixed "now": Monday 23 November 2026, 10:00 in Brussels.
pub fn fixed_clock() -> Clock {
    clock_at("2026-11-23T09:00:00Z")
}

/// A clock stopped at `instant` (RFC 3339), in Brussels.
pub fn clock_at(instant: &str) -> Clock {
    let zone = jiff::tz::TimeZone::get("Europe/Brussels").expect("bundled tzdb");
    Clock::fixed(instant.parse().expect("instant"), zone)
}

/// A temporary folder with a store and a pipeline over it.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub pipeline: Pipeline,
}

impl Workspace {
    pub async fn new() -> Workspace {
        Workspace::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Workspace {
        Workspace::build(limits, fixed_clock()).await
    }

    /// A workspace whose pipeline decides at the instants `clock` gives.
    pub async fn with_clock(clock: Clock) -> Workspace {
        Workspace::build(Limits::default(), clock).await
    }

    async fn build(limits: Limits, clock: Clock) -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("mailroom.db"))
            .await
            .expect("store");
        let rules = Rules::embedded().expect("rules");
        let pipeline =
            Pipeline::new(store, rules, limits, Folders::default(), None, clock).expect("pipeline");
        Workspace { dir, pipeline }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn store(&self) -> &Store {
        self.pipeline.store()
    }

    /// Ingests `paths` the way `mailroom ingest` does.
    pub async fn ingest(&self, paths: &[PathBuf]) -> Vec<Handled> {
        let candidates: Vec<Candidate> = files::collect(paths).expect("collect");
        self.pipeline.process(candidates).await.expect("process")
    }
}

/// Copies `files` into `dir`, giving them increasing modification times an hour apart from
/// `start`, so "received_at" and arrival order are deterministic whatever the checkout did.
pub fn copy_with_times(files: &[PathBuf], dir: &Path, start: SystemTime) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut copies = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let target = dir.join(file.file_name().expect("file name"));
        std::fs::copy(file, &target).expect("copy");
        let when = start + Duration::from_secs(3600 * index as u64);
        std::fs::File::options()
            .write(true)
            .open(&target)
            .and_then(|f| f.set_modified(when))
            .expect("set mtime");
        copies.push(target);
    }
    copies
}

/// The sorted `.eml` files of a fixture folder.
pub fn fixtures(area: &str, extension: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures").join(area))
        .expect("fixture folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect();
    files.sort();
    files
}

/// A corpus variant's name (its file stem) and what its `.json` beside it expects.
pub fn variant<T: serde::de::DeserializeOwned>(path: &Path) -> (String, T) {
    let name = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let json = std::fs::read_to_string(path.with_extension("json")).expect("expected json");
    let expected = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    (name, expected)
}

/// Runs the real binary in `cwd` with `args`.
pub fn mailroom(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(cwd)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run mailroom")
}

/// Runs the real binary in `cwd` with `args`, its clock stopped at `now` (RFC 3339).
pub fn mailroom_at(cwd: &Path, now: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mailroom"))
        .current_dir(cwd)
        .args(args)
        .env_remove("RUST_LOG")
        .env("MAILROOM_NOW", now)
        .output()
        .expect("run mailroom")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A minimal message, built the way Thunderbird writes one, for tests that need a specific
/// header. `extra` headers come first.
pub fn simple_message(message_id: &str, subject: &str, extra: &str) -> String {
    format!(
        "{extra}From: Anne Exemple <anne.exemple@clinique-exemple.test>\r\n\
         To: alliancesante.durable@spw.wallonie.be\r\n\
         Subject: {subject}\r\n\
         Date: Mon, 20 Apr 2026 09:15:00 +0200\r\n\
         Message-ID: <{message_id}>\r\n\
         User-Agent: Mozilla Thunderbird\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\
         Content-Transfer-Encoding: 8bit\r\n\
         \r\n\
         Bonjour,\r\n\r\nVeuillez trouver notre formulaire.\r\n\r\nAnne Exemple\r\n"
    )
}

/// Writes a message into a Maildir's `new/` with a Maildir name carrying `delivered`.
pub fn deliver_to_maildir(maildir: &Path, unique: &str, delivered: i64, bytes: &[u8]) -> PathBuf {
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("maildir");
    }
    let tmp = maildir
        .join("tmp")
        .join(format!("{delivered}.{unique}.test"));
    std::fs::write(&tmp, bytes).expect("write");
    let target = maildir
        .join("new")
        .join(format!("{delivered}.{unique}.test"));
    std::fs::rename(&tmp, &target).expect("deliver");
    target
}

/// Defaults as a test sees them.
pub fn default_config() -> Config {
    Config::default()
}

/// Renders `html` in headless Chromium and returns the PNG screenshot; `None` when
/// Chromium is not installed (`scripts/test` installs it).
pub fn chromium_screenshot(html: &Path) -> Option<Vec<u8>> {
    let program = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok());
    let Some(program) = program else {
        assert!(
            std::env::var_os("MAILROOM_TEST_FULL").is_none(),
            "chromium is missing (scripts/test installs it)"
        );
        return None;
    };
    let png = html.with_extension("png");
    let output = Command::new(program)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=760,1400",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("run chromium");
    assert!(output.status.success(), "chromium: {}", stderr(&output));
    Some(std::fs::read(&png).expect("screenshot"))
}
