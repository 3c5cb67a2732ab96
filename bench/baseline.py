"""A straightforward Python implementation of mailroom's ingest pipeline, for a side-by-side figure.

    python3 bench/baseline.py DB DIR...

Each DIR is a Maildir (its ``new/`` then ``cur/`` are read) or a plain folder of message
files. For each file, in name order, the same steps as mailroom's ``ingest``:

1. read the bytes and hash them (sha256);
2. in its own transaction, store the raw bytes and a log row (state ``received``), commit —
   from here on nothing can be lost (the row's Message-ID is filled in at step 7);
3. parse (``email`` with ``policy.default``);
4. deduplicate by Message-ID, or by sha256 when there is none, against earlier rows;
5. classify: bounce, auto-reply, bulk, then the subject rules (approximately);
6. walk every MIME leaf, ``message/rfc822`` included; for each payload starting with
   ``%PDF-``, hash it, count its pages with pypdf and record an attachment row;
7. in a second transaction, record kind, outcome and organisation; commit.

SQLite runs as mailroom's does: WAL, ``synchronous=FULL``, foreign keys on. Requires pypdf
(``pip install -r bench/requirements.txt``). Prints ``N messages in X s (Y msg/s)``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import io
import re
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from pypdf import PdfReader

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_messages (
    sha256 TEXT PRIMARY KEY,
    bytes  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT,
    sha256       TEXT NOT NULL REFERENCES raw_messages(sha256),
    received_at  TEXT NOT NULL,
    state        TEXT NOT NULL,
    kind         TEXT,
    outcome      TEXT,
    organisation TEXT,
    problems     TEXT,
    duplicate_of INTEGER REFERENCES messages(id)
);
CREATE INDEX IF NOT EXISTS messages_by_message_id ON messages(message_id);
CREATE INDEX IF NOT EXISTS messages_by_sha256 ON messages(sha256);
CREATE TABLE IF NOT EXISTS attachments (
    id         INTEGER PRIMARY KEY,
    message    INTEGER NOT NULL REFERENCES messages(id),
    sha256     TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    pages      INTEGER,
    filename   TEXT
);
"""

# --- subject rules (approximate) -------------------------------------------------------

SEP = r"\s*[-–—]+\s*"
ASETW = r"asets?-?w"
PREFIX = re.compile(r"^\s*(?:(?:re|tr|fwd?|aw|wg)\s*:|\[[^\]]*\])\s*", re.IGNORECASE)
CONVENTION = re.compile(
    rf"^{ASETW}{SEP}(?:convention d.?\s?engagement|formulaire d.?\s?adh[ée]sion)(?:{SEP}(?P<org>.*))?$", re.IGNORECASE
)
CONTACT_CHANGE = re.compile(rf"^{ASETW}{SEP}(?P<org>.+?){SEP}(?:changement de )?point de contact$", re.IGNORECASE)
RESIGNATION = re.compile(rf"^{ASETW}{SEP}(?P<org>.+?){SEP}r[ée]siliation$", re.IGNORECASE)
AUTO_REPLY_SUBJECT = re.compile(r"^\s*(?:r[ée]ponse automatique|absence du bureau|automatic reply|out of office)\s*:", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^\[.*\]$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster)@", re.IGNORECASE)


@dataclass
class Verdict:
    """What the pipeline records for one message."""

    kind: str = "unclassified"
    outcome: str = "held_for_review"
    organisation: str | None = None
    problems: list[str] = field(default_factory=list)


def strip_prefixes(subject: str) -> str:
    """The subject without RE:/TR:/Fwd: prefixes, [TAGS] and surrounding « »."""
    text = " ".join(subject.split()).strip("«» ")
    while (match := PREFIX.match(text)) is not None:
        text = text[match.end() :]
    return text.strip("«» ")


def subject_kind(subject: str) -> tuple[str, str | None]:
    """The kind a subject names, and the organisation in it."""
    text = strip_prefixes(subject)
    for kind, pattern in (("convention", CONVENTION), ("contact_change", CONTACT_CHANGE), ("resignation", RESIGNATION)):
        if match := pattern.match(text):
            org = (match.group("org") or "").strip()
            return kind, None if not org or PLACEHOLDER.match(org) else org
    return "unclassified", None


def is_bounce(message: EmailMessage) -> bool:
    """RFC 3464 report, or sent by a mailer daemon."""
    if message.get_content_type() == "multipart/report" and message.get_param("report-type") == "delivery-status":
        return True
    sender = message.get("From")
    addresses = getattr(sender, "addresses", ()) if sender is not None else ()
    return any(BOUNCE_SENDER.match(a.addr_spec or "") for a in addresses)


def is_auto_reply(message: EmailMessage, subject: str) -> bool:
    """RFC 3834 Auto-Submitted, the usual vendor headers, or an out-of-office subject."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return auto != "no" or "X-Autoreply" in message or "X-Autorespond" in message or precedence == "auto_reply" or bool(AUTO_REPLY_SUBJECT.match(subject))


def is_bulk(message: EmailMessage) -> bool:
    """Mass mailing: Precedence bulk/list/junk or List-* headers."""
    precedence = str(message.get("Precedence", "")).strip().lower()
    return precedence in {"bulk", "list", "junk"} or "List-Unsubscribe" in message or "List-Id" in message


def classify(message: EmailMessage) -> Verdict:
    """Kind, outcome and organisation of a parsed message."""
    subject = str(message.get("Subject", "") or "")
    if is_bounce(message):
        return Verdict("bounce", "ignored")
    if is_auto_reply(message, subject):
        return Verdict("auto_reply", "ignored")
    kind, organisation = subject_kind(subject)
    verdict = Verdict(kind, "received" if kind == "convention" else "held_for_review", organisation)
    if CONTROL.search(subject):
        verdict.problems.append("subject.control_characters")
        verdict.outcome, verdict.organisation = "held_for_review", None
    if is_bulk(message):
        verdict.outcome = "held_for_review" if kind == "convention" else "ignored"
    return verdict


# --- attachments ---------------------------------------------------------------------


def pdf_payloads(message: EmailMessage):
    """(filename, bytes) for every MIME leaf whose decoded bytes start with %PDF-."""
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            data = part.get_payload(decode=True)
        except Exception:  # a damaged part is skipped, not fatal
            continue
        if data and data.startswith(b"%PDF-"):
            yield part.get_filename(), data


def page_count(data: bytes) -> int | None:
    """Pages in a PDF, or None when pypdf cannot read it."""
    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except Exception:
        return None


# --- the pipeline --------------------------------------------------------------------


def open_db(path: Path) -> sqlite3.Connection:
    """The database with mailroom's settings; transactions are explicit."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    return db


def message_files(folders: list[Path]):
    """Message files: a Maildir's new/ then cur/, or a plain folder's files, each sorted by name."""
    for folder in folders:
        subfolders = [folder / "new", folder / "cur"]
        sources = [s for s in subfolders if s.is_dir()] or [folder]
        for source in sources:
            yield from sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))


def record_received(db: sqlite3.Connection, path: Path, raw: bytes, digest: str) -> int:
    """Transaction 1: raw bytes and log row; returns the message row id."""
    received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT OR IGNORE INTO raw_messages (sha256, bytes) VALUES (?, ?)", (digest, raw))
    row = db.execute(
        "INSERT INTO messages (sha256, received_at, state) VALUES (?, ?, 'received')", (digest, received_at)
    ).lastrowid
    db.execute("COMMIT")
    return row


def parse(raw: bytes) -> tuple[EmailMessage | None, list[str]]:
    """The parsed message, or None and the problem that prevents reading it."""
    if not raw.strip():
        return None, ["message.empty"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():
        return None, ["message.not_email"]
    return message, []


def header_message_id(message: EmailMessage | None) -> str | None:
    """The Message-ID header's value, or None when there is none."""
    if message is None:
        return None
    return str(message.get("Message-ID", "")).strip() or None


def earlier_copy(db: sqlite3.Connection, row: int, message_id: str | None, digest: str):
    """(id, kind, organisation) of the first earlier row with the same Message-ID (else sha256)."""
    if message_id:
        query, key = "SELECT id, kind, organisation FROM messages WHERE message_id = ? AND id < ? ORDER BY id LIMIT 1", message_id
    else:
        query, key = "SELECT id, kind, organisation FROM messages WHERE sha256 = ? AND id < ? ORDER BY id LIMIT 1", digest
    return db.execute(query, (key, row)).fetchone()


def process(db: sqlite3.Connection, path: Path) -> None:
    """Run one message file through the pipeline."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    row = record_received(db, path, raw, digest)
    message, problems = parse(raw)
    message_id = header_message_id(message)
    attachments: list[tuple[str | None, bytes]] = []
    duplicate_of = None
    if message is None:
        verdict = Verdict(problems=problems)
    elif first := earlier_copy(db, row, message_id, digest):
        duplicate_of, kind, organisation = first
        verdict = Verdict(kind, "duplicate", organisation)
    else:
        verdict = classify(message)
        attachments = list(pdf_payloads(message))
    pages = [page_count(data) for _, data in attachments]
    db.execute("BEGIN IMMEDIATE")
    for (filename, data), count in zip(attachments, pages):
        db.execute(
            "INSERT INTO attachments (message, sha256, size_bytes, pages, filename) VALUES (?, ?, ?, ?, ?)",
            (row, hashlib.sha256(data).hexdigest(), len(data), count, filename),
        )
    db.execute(
        "UPDATE messages SET message_id = ?, state = 'processed', kind = ?, outcome = ?, organisation = ?,"
        " problems = ?, duplicate_of = ? WHERE id = ?",
        (message_id, verdict.kind, verdict.outcome, verdict.organisation, ",".join(verdict.problems), duplicate_of, row),
    )
    db.execute("COMMIT")


def main() -> int:
    """Ingest every message file under the given folders and print the rate."""
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    db = open_db(Path(sys.argv[1]))
    started = time.perf_counter()
    count = 0
    for path in message_files([Path(a) for a in sys.argv[2:]]):
        process(db, path)
        count += 1
    elapsed = time.perf_counter() - started
    db.close()
    print(f"{count} messages in {elapsed:.1f} s ({count / elapsed if elapsed else 0:.0f} msg/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
