-- The message log: one row per message that reached us, written before anything else
-- (state 'stored'), then completed with the decision (state 'decided') in a second
-- transaction. Rows are never deleted: the log is what auditors read.
CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    -- Where the message came from: 'maildir:<abs path>', 'files', later 'imap:<folder>'.
    mailbox          TEXT NOT NULL,
    -- The message's identity in that mailbox: Maildir unique name, file path, IMAP uidvalidity:uid.
    mailbox_ref      TEXT NOT NULL,
    -- When our side received it (UTC, RFC 3339): Maildir delivery time, file mtime, IMAP INTERNALDATE.
    received_at      TEXT NOT NULL,
    stored_at        TEXT NOT NULL,
    size_bytes       INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('stored', 'decided')),
    -- Filled in by the decision.
    raw_sha256       TEXT,
    message_id       TEXT,
    dedupe_key       TEXT,
    sent_at          TEXT,       -- the sender's Date header (UTC), kept apart from received_at
    from_addr        TEXT,
    from_name        TEXT,
    subject          TEXT,
    kind             TEXT,
    outcome          TEXT,
    problems         TEXT NOT NULL DEFAULT '[]',   -- JSON array of dotted codes
    reasons          TEXT NOT NULL DEFAULT '[]',   -- JSON array of sentences
    organisation     TEXT,       -- display name as written
    organisation_key TEXT,       -- normalised for matching
    duplicate_of     INTEGER REFERENCES messages(id),
    rules_version    TEXT,
    decided_at       TEXT,
    settle_folder    TEXT,       -- where the original is to be moved once decided
    settled_at       TEXT
) STRICT;

CREATE UNIQUE INDEX messages_by_mailbox_ref ON messages (mailbox, mailbox_ref);
CREATE INDEX messages_by_dedupe_key ON messages (dedupe_key);
CREATE INDEX messages_by_received_at ON messages (received_at);
-- Rows a crash left half-done: few, found at start-up.
CREATE INDEX messages_pending ON messages (id) WHERE state = 'stored';

-- The raw bytes, exactly as received, kept apart so scans of the log stay small.
CREATE TABLE raw_messages (
    message_row_id INTEGER PRIMARY KEY REFERENCES messages(id),
    bytes          BLOB NOT NULL
) STRICT;

-- Every MIME leaf that is not a message body, typed by its bytes rather than its label.
CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    message_row_id INTEGER NOT NULL REFERENCES messages(id),
    position       INTEGER NOT NULL,
    filename       TEXT,
    declared_type  TEXT,
    detected_type  TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    pdf_pages      INTEGER,
    problem        TEXT,
    UNIQUE (message_row_id, position)
) STRICT;

-- Outgoing mail, queued in the transaction that decided it, delivered afterwards.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    message_row_id  INTEGER REFERENCES messages(id),  -- the message this answers, if any
    purpose         TEXT NOT NULL,                    -- template key, e.g. 'acknowledgement'
    message_id      TEXT NOT NULL UNIQUE,             -- ours, fixed at enqueue time
    from_addr       TEXT NOT NULL,
    to_addrs        TEXT NOT NULL,                    -- JSON array
    cc_addrs        TEXT NOT NULL DEFAULT '[]',       -- JSON array
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    in_reply_to     TEXT,
    references_hdr  TEXT,                             -- References header, space-separated
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    queued_at       TEXT NOT NULL,
    sent_at         TEXT,                             -- also the Date header of what went out
    delivery_ref    TEXT,                             -- file name, SMTP queue id
    sent_bytes      BLOB                              -- the exact bytes that went out: evidence
) STRICT;

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_message ON outbox (message_row_id);
