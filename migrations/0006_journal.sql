-- The auditors' journal (issue [digest-audit]): every row written to the tables auditors
-- ask about leaves an entry here, appended by the triggers below, so no write path of the
-- program has to remember it. Each entry's `hash` is the SHA-256 of the previous entry's
-- hash and of this entry's content (computed in Rust by `store::journal::seal`: SQLite
-- has no SHA-256); `mailroom log verify` recomputes the chain and compares every table
-- with its latest entry. Entries are never updated once sealed, never deleted.
CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,      -- when the write happened (UTC, the machine's clock)
    entity      TEXT NOT NULL,      -- 'message', 'raw', 'outgoing', 'review', 'member_event'…
    entity_id   INTEGER NOT NULL,   -- the row's id in its table
    payload     TEXT NOT NULL,      -- JSON: the row as it became (the `journal_of_*` view)
    -- SHA-256 of the bytes the entry is about, when they are a BLOB: the raw message
    -- ('raw', from the archive's own address) or what went out ('outgoing' once sent).
    blob_sha256 TEXT,
    prev_hash   TEXT,               -- NULL until sealed
    hash        TEXT                -- NULL until sealed
) STRICT;

CREATE INDEX journal_by_entity ON journal (entity, entity_id, seq);
CREATE INDEX journal_unsealed ON journal (seq) WHERE hash IS NULL;

-- Append-only: a sealed entry never changes and no entry is ever deleted; an unsealed one
-- may only receive its seal. (Whoever drops these triggers is caught by `log verify`.)
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'journal entries are never deleted');
END;

CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
WHEN OLD.hash IS NOT NULL OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
  OR NEW.entity IS NOT OLD.entity OR NEW.entity_id IS NOT OLD.entity_id
  OR NEW.payload IS NOT OLD.payload
  OR (OLD.blob_sha256 IS NOT NULL AND NEW.blob_sha256 IS NOT OLD.blob_sha256)
BEGIN
    SELECT RAISE(ABORT, 'journal entries are append-only');
END;

-- The raw archive is content-addressed: each blob carries its SHA-256 (written with the
-- bytes; NULL for rows stored before this migration, whose hash the first seal records).
ALTER TABLE raw_messages ADD COLUMN sha256 TEXT;

-- Retention (GDPR storage limitation): a raw message erased leaves its tombstone, which
-- keeps the hash so that the chain and the decision trail stay verifiable.
CREATE TABLE raw_tombstones (
    message_row_id INTEGER PRIMARY KEY REFERENCES messages(id),
    sha256         TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    erased_at      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    by             TEXT NOT NULL
) STRICT;

-- Raw bytes leave the archive only behind their tombstone.
CREATE TRIGGER raw_messages_erased_behind_tombstone BEFORE DELETE ON raw_messages
WHEN NOT EXISTS (SELECT 1 FROM raw_tombstones WHERE message_row_id = OLD.message_row_id)
BEGIN
    SELECT RAISE(ABORT, 'raw messages are erased only behind a tombstone');
END;

-- The period set by the data-protection officer, append-only: the latest row is in force;
-- days NULL means retention is off (the default: nothing is ever erased).
CREATE TABLE retention_policy (
    id      INTEGER PRIMARY KEY,
    days    INTEGER CHECK (days IS NULL OR days > 0),
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL,
    reason  TEXT
) STRICT;

-- What each table's entry says: one view per table, used by the triggers to write it and
-- by `log verify` to compare the table with its latest entry.

CREATE VIEW journal_of_messages (id, payload) AS
    SELECT id, json_object(
        'mailbox', mailbox,
        'mailbox_ref', mailbox_ref,
        'received_at', received_at,
        'stored_at', stored_at,
        'size_bytes', size_bytes,
        'state', state,
        'raw_sha256', raw_sha256,
        'message_id', message_id,
        'dedupe_key', dedupe_key,
        'sent_at', sent_at,
        'from_addr', from_addr,
        'from_name', from_name,
        'subject', subject,
        'kind', kind,
        'outcome', outcome,
        'problems', problems,
        'reasons', reasons,
        'organisation', organisation,
        'organisation_key', organisation_key,
        'duplicate_of', duplicate_of,
        'rules_version', rules_version,
        'decided_at', decided_at,
        'settle_folder', settle_folder,
        'member_id', member_id,
        'arrival', arrival,
        'form', form)
    FROM messages;

CREATE TRIGGER journal_messages_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'message', id, payload
    FROM journal_of_messages WHERE id = NEW.id;
END;

CREATE TRIGGER journal_messages_update AFTER UPDATE ON messages
WHEN (SELECT payload FROM journal_of_messages WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'message' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'message', id, payload
    FROM journal_of_messages WHERE id = NEW.id;
END;

CREATE VIEW journal_of_raw_messages (id, payload) AS
    SELECT message_row_id, json_object(
        'sha256', sha256,
        'size_bytes', length(bytes))
    FROM raw_messages;

CREATE TRIGGER journal_raw_messages_insert AFTER INSERT ON raw_messages
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload, blob_sha256)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'raw', id, payload, NEW.sha256
    FROM journal_of_raw_messages WHERE id = NEW.message_row_id;
END;

CREATE TRIGGER journal_raw_messages_update AFTER UPDATE ON raw_messages
WHEN (SELECT payload FROM journal_of_raw_messages WHERE id = NEW.message_row_id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'raw' AND entity_id = NEW.message_row_id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload, blob_sha256)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'raw', id, payload, NEW.sha256
    FROM journal_of_raw_messages WHERE id = NEW.message_row_id;
END;

CREATE VIEW journal_of_attachments (id, payload) AS
    SELECT id, json_object(
        'message_row_id', message_row_id,
        'position', position,
        'filename', filename,
        'declared_type', declared_type,
        'detected_type', detected_type,
        'size_bytes', size_bytes,
        'sha256', sha256,
        'pdf_pages', pdf_pages,
        'problem', problem)
    FROM attachments;

CREATE TRIGGER journal_attachments_insert AFTER INSERT ON attachments
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'attachment', id, payload
    FROM journal_of_attachments WHERE id = NEW.id;
END;

CREATE TRIGGER journal_attachments_update AFTER UPDATE ON attachments
WHEN (SELECT payload FROM journal_of_attachments WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'attachment' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'attachment', id, payload
    FROM journal_of_attachments WHERE id = NEW.id;
END;

CREATE VIEW journal_of_members (id, payload) AS
    SELECT id, json_object(
        'name', name,
        'name_key', name_key,
        'category', category,
        'status', status,
        'effective_date', effective_date,
        'acknowledgement_id', acknowledgement_id,
        'resigned_date', resigned_date,
        'address', address,
        'legal_representative', legal_representative,
        'contact_point', contact_point,
        'working_groups', working_groups,
        'form_sha256', form_sha256,
        'form_message_row_id', form_message_row_id,
        'sender_domain', sender_domain,
        'created_at', created_at)
    FROM members;

CREATE TRIGGER journal_members_insert AFTER INSERT ON members
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member', id, payload
    FROM journal_of_members WHERE id = NEW.id;
END;

CREATE TRIGGER journal_members_update AFTER UPDATE ON members
WHEN (SELECT payload FROM journal_of_members WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'member' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member', id, payload
    FROM journal_of_members WHERE id = NEW.id;
END;

CREATE VIEW journal_of_member_events (id, payload) AS
    SELECT id, json_object(
        'member_id', member_id,
        'at', at,
        'event', event,
        'message_row_id', message_row_id,
        'by', by,
        'detail', detail)
    FROM member_events;

CREATE TRIGGER journal_member_events_insert AFTER INSERT ON member_events
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member_event', id, payload
    FROM journal_of_member_events WHERE id = NEW.id;
END;

CREATE TRIGGER journal_member_events_update AFTER UPDATE ON member_events
WHEN (SELECT payload FROM journal_of_member_events WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'member_event' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member_event', id, payload
    FROM journal_of_member_events WHERE id = NEW.id;
END;

CREATE VIEW journal_of_review_actions (id, payload) AS
    SELECT id, json_object(
        'message_row_id', message_row_id,
        'action', action,
        'by', by,
        'note', note,
        'options', options,
        'result', result,
        'at', at)
    FROM review_actions;

CREATE TRIGGER journal_review_actions_insert AFTER INSERT ON review_actions
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'review', id, payload
    FROM journal_of_review_actions WHERE id = NEW.id;
END;

CREATE TRIGGER journal_review_actions_update AFTER UPDATE ON review_actions
WHEN (SELECT payload FROM journal_of_review_actions WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'review' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'review', id, payload
    FROM journal_of_review_actions WHERE id = NEW.id;
END;

CREATE VIEW journal_of_outbox (id, payload) AS
    SELECT id, json_object(
        'message_row_id', message_row_id,
        'purpose', purpose,
        'message_id', message_id,
        'from_addr', from_addr,
        'to_addrs', to_addrs,
        'cc_addrs', cc_addrs,
        'subject', subject,
        'in_reply_to', in_reply_to,
        'references_hdr', references_hdr,
        'status', CASE status WHEN 'sending' THEN 'queued' ELSE status END,
        'error', CASE status WHEN 'failed' THEN last_error END,
        'queued_at', queued_at,
        'sent_at', sent_at,
        'delivery_ref', delivery_ref,
        'sent_bytes', length(sent_bytes),
        'context', context,
        'member_id', member_id,
        'effective_date', effective_date,
        'copy_of', copy_of,
        'requested_by', requested_by,
        'bounced_by', bounced_by,
        'forward_original', forward_original)
    FROM outbox;

CREATE TRIGGER journal_outbox_insert AFTER INSERT ON outbox
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'outgoing', id, payload
    FROM journal_of_outbox WHERE id = NEW.id;
END;

CREATE TRIGGER journal_outbox_update AFTER UPDATE ON outbox
WHEN (SELECT payload FROM journal_of_outbox WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'outgoing' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'outgoing', id, payload
    FROM journal_of_outbox WHERE id = NEW.id;
END;

CREATE VIEW journal_of_group_requests (id, payload) AS
    SELECT id, json_object(
        'member_id', member_id,
        'code', code,
        'state', state,
        'delegate', delegate,
        'requested_at', requested_at,
        'late', late,
        'clock_start', clock_start,
        'decided_at', decided_at,
        'decided_by', decided_by,
        'note', note,
        'applies_on', applies_on,
        'notice_id', notice_id,
        'rules_version', rules_version)
    FROM group_requests;

CREATE TRIGGER journal_group_requests_insert AFTER INSERT ON group_requests
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'group_request', id, payload
    FROM journal_of_group_requests WHERE id = NEW.id;
END;

CREATE TRIGGER journal_group_requests_update AFTER UPDATE ON group_requests
WHEN (SELECT payload FROM journal_of_group_requests WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'group_request' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'group_request', id, payload
    FROM journal_of_group_requests WHERE id = NEW.id;
END;

CREATE VIEW journal_of_cdp_access (id, payload) AS
    SELECT member_id, json_object(
        'opened_at', opened_at,
        'clock_start', clock_start,
        'sent_at', sent_at,
        'sent_by', sent_by,
        'revoked_at', revoked_at)
    FROM cdp_access;

CREATE TRIGGER journal_cdp_access_insert AFTER INSERT ON cdp_access
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'cdp_access', id, payload
    FROM journal_of_cdp_access WHERE id = NEW.member_id;
END;

CREATE TRIGGER journal_cdp_access_update AFTER UPDATE ON cdp_access
WHEN (SELECT payload FROM journal_of_cdp_access WHERE id = NEW.member_id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'cdp_access' AND entity_id = NEW.member_id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'cdp_access', id, payload
    FROM journal_of_cdp_access WHERE id = NEW.member_id;
END;

CREATE VIEW journal_of_tasks (id, payload) AS
    SELECT id, json_object(
        'member_id', member_id,
        'kind', kind,
        'opened_at', opened_at,
        'message_row_id', message_row_id,
        'done_at', done_at,
        'done_by', done_by,
        'note', note)
    FROM tasks;

CREATE TRIGGER journal_tasks_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'task', id, payload
    FROM journal_of_tasks WHERE id = NEW.id;
END;

CREATE TRIGGER journal_tasks_update AFTER UPDATE ON tasks
WHEN (SELECT payload FROM journal_of_tasks WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'task' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'task', id, payload
    FROM journal_of_tasks WHERE id = NEW.id;
END;

CREATE VIEW journal_of_consents (id, payload) AS
    SELECT id, json_object(
        'member_id', member_id,
        'decision', decision,
        'scope', scope,
        'evidence_message_id', evidence_message_id,
        'recorded_by', recorded_by,
        'recorded_at', recorded_at)
    FROM consents;

CREATE TRIGGER journal_consents_insert AFTER INSERT ON consents
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'consent', id, payload
    FROM journal_of_consents WHERE id = NEW.id;
END;

CREATE TRIGGER journal_consents_update AFTER UPDATE ON consents
WHEN (SELECT payload FROM journal_of_consents WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'consent' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'consent', id, payload
    FROM journal_of_consents WHERE id = NEW.id;
END;

CREATE VIEW journal_of_access_log (id, payload) AS
    SELECT id, json_object(
        'at', at,
        'by', by,
        'command', command,
        'filter', filter,
        'format', format,
        'rows', rows,
        'personal_data', personal_data)
    FROM access_log;

CREATE TRIGGER journal_access_log_insert AFTER INSERT ON access_log
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'access', id, payload
    FROM journal_of_access_log WHERE id = NEW.id;
END;

CREATE TRIGGER journal_access_log_update AFTER UPDATE ON access_log
WHEN (SELECT payload FROM journal_of_access_log WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'access' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'access', id, payload
    FROM journal_of_access_log WHERE id = NEW.id;
END;

CREATE VIEW journal_of_digests (id, payload) AS
    SELECT id, json_object(
        'at', at,
        'since', since,
        'until', until,
        'audience', audience,
        'outbox_id', outbox_id,
        'empty', empty)
    FROM digests;

CREATE TRIGGER journal_digests_insert AFTER INSERT ON digests
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'digest', id, payload
    FROM journal_of_digests WHERE id = NEW.id;
END;

CREATE TRIGGER journal_digests_update AFTER UPDATE ON digests
WHEN (SELECT payload FROM journal_of_digests WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'digest' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'digest', id, payload
    FROM journal_of_digests WHERE id = NEW.id;
END;

CREATE VIEW journal_of_raw_tombstones (id, payload) AS
    SELECT message_row_id, json_object(
        'sha256', sha256,
        'size_bytes', size_bytes,
        'erased_at', erased_at,
        'reason', reason,
        'by', by)
    FROM raw_tombstones;

CREATE TRIGGER journal_raw_tombstones_insert AFTER INSERT ON raw_tombstones
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'tombstone', id, payload
    FROM journal_of_raw_tombstones WHERE id = NEW.message_row_id;
END;

CREATE TRIGGER journal_raw_tombstones_update AFTER UPDATE ON raw_tombstones
WHEN (SELECT payload FROM journal_of_raw_tombstones WHERE id = NEW.message_row_id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'tombstone' AND entity_id = NEW.message_row_id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'tombstone', id, payload
    FROM journal_of_raw_tombstones WHERE id = NEW.message_row_id;
END;

CREATE VIEW journal_of_retention_policy (id, payload) AS
    SELECT id, json_object(
        'days', days,
        'set_by', set_by,
        'set_at', set_at,
        'reason', reason)
    FROM retention_policy;

CREATE TRIGGER journal_retention_policy_insert AFTER INSERT ON retention_policy
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'retention', id, payload
    FROM journal_of_retention_policy WHERE id = NEW.id;
END;

CREATE TRIGGER journal_retention_policy_update AFTER UPDATE ON retention_policy
WHEN (SELECT payload FROM journal_of_retention_policy WHERE id = NEW.id)
     IS NOT (SELECT payload FROM journal WHERE entity = 'retention' AND entity_id = NEW.id
             ORDER BY seq DESC LIMIT 1)
BEGIN
    INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'retention', id, payload
    FROM journal_of_retention_policy WHERE id = NEW.id;
END;

-- Rows written before this migration: journaled now, in table then id order.
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'message', v.id, v.payload
    FROM journal_of_messages v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload, blob_sha256)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'raw', v.id, v.payload, r.sha256
    FROM journal_of_raw_messages v JOIN raw_messages r ON r.message_row_id = v.id ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'attachment', v.id, v.payload
    FROM journal_of_attachments v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member', v.id, v.payload
    FROM journal_of_members v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'member_event', v.id, v.payload
    FROM journal_of_member_events v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'review', v.id, v.payload
    FROM journal_of_review_actions v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'outgoing', v.id, v.payload
    FROM journal_of_outbox v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'group_request', v.id, v.payload
    FROM journal_of_group_requests v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'cdp_access', v.id, v.payload
    FROM journal_of_cdp_access v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'task', v.id, v.payload
    FROM journal_of_tasks v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'consent', v.id, v.payload
    FROM journal_of_consents v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'access', v.id, v.payload
    FROM journal_of_access_log v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'digest', v.id, v.payload
    FROM journal_of_digests v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'tombstone', v.id, v.payload
    FROM journal_of_raw_tombstones v ORDER BY v.id;
INSERT INTO journal (at, entity, entity_id, payload)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'retention', v.id, v.payload
    FROM journal_of_retention_policy v ORDER BY v.id;
