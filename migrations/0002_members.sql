-- Members and what happens to them (issue [workflows]).

-- One row per organisation that ever sent a membership form (or was imported).
-- status: 'pending' while its form is not duly completed (or waits for a coordinator),
-- 'active' once it is (outcome registered), 'resigned' after art. 6.3. An active member
-- whose effective_date is still NULL has its confirmation of receipt queued: the date
-- is set when it really goes out.
CREATE TABLE members (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,        -- official name as written in the form
    name_key             TEXT NOT NULL,        -- normalised for matching
    category             TEXT CHECK (category IN ('hospital', 'elderly_care', 'ecosystem')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'active', 'resigned')),
    -- Art. 6.2: the day (Europe/Brussels, YYYY-MM-DD) the confirmation of receipt really
    -- went out: the Date header of outbox row `acknowledgement_id`. Never moves once set.
    effective_date       TEXT,
    acknowledgement_id   INTEGER REFERENCES outbox(id),
    resigned_date        TEXT,                 -- YYYY-MM-DD, Europe/Brussels
    address              TEXT,
    legal_representative TEXT NOT NULL DEFAULT 'null',  -- JSON person
    contact_point        TEXT NOT NULL DEFAULT 'null',  -- JSON person, null: the representative
    working_groups       TEXT NOT NULL DEFAULT '[]',    -- JSON [{code, delegate, ...}]
    form                 TEXT,                 -- JSON form record of the membership
    form_sha256          TEXT,                 -- of the form content, to recognise a resubmission
    form_message_row_id  INTEGER REFERENCES messages(id),
    sender_domain        TEXT,                 -- domain the membership came from
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX members_by_name_key ON members (name_key);

-- Everything that happened to a member, in order: the history keeps every earlier state.
CREATE TABLE member_events (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    at             TEXT NOT NULL,
    event          TEXT NOT NULL,   -- form_incomplete, registered, effective, contact_updated, resigned, group_dropped, imported…
    message_row_id INTEGER REFERENCES messages(id),
    by             TEXT NOT NULL,   -- 'mailroom' or the coordinator's name
    detail         TEXT NOT NULL DEFAULT '{}'   -- JSON: what changed, before and after
) STRICT;

CREATE INDEX member_events_by_member ON member_events (member_id, id);

-- What a coordinator did with a held message: one decision per message.
CREATE TABLE review_actions (
    id             INTEGER PRIMARY KEY,
    message_row_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
    action         TEXT NOT NULL CHECK (action IN ('approve', 'reject')),
    by             TEXT NOT NULL,
    note           TEXT,
    options        TEXT NOT NULL DEFAULT '{}',  -- JSON: as, drop_group, as_resignation
    result         TEXT,                        -- the outcome the approval led to
    at             TEXT NOT NULL
) STRICT;

-- The member a message was about, and the form read from it.
ALTER TABLE messages ADD COLUMN member_id INTEGER REFERENCES members(id);
ALTER TABLE messages ADD COLUMN form TEXT;

-- Mail rendered when it is composed: `template` is the purpose in rules/mail.toml,
-- `context` its JSON values; the sent bytes keep what was actually said.
ALTER TABLE outbox ADD COLUMN context TEXT;
ALTER TABLE outbox ADD COLUMN member_id INTEGER REFERENCES members(id);
-- For an art. 6.2 confirmation: the effective date it stated (its Date header's day).
ALTER TABLE outbox ADD COLUMN effective_date TEXT;
-- A coordinator's re-sent copy of an earlier message.
ALTER TABLE outbox ADD COLUMN copy_of INTEGER REFERENCES outbox(id);
-- Who asked for it when a coordinator did (resend, review), else NULL.
ALTER TABLE outbox ADD COLUMN requested_by TEXT;
-- When the current attempt claimed it: a row in 'sending' is recovered only once its claim
-- is older than any send could take (another process may be sending it right now).
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
-- Which process claimed it (its process id): a claim of a process that is gone is
-- recovered at once.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
-- The delivery report that returned it: the message never arrived.
ALTER TABLE outbox ADD COLUMN bounced_by INTEGER REFERENCES messages(id);

CREATE INDEX outbox_by_member ON outbox (member_id);
CREATE INDEX messages_by_member ON messages (member_id);
