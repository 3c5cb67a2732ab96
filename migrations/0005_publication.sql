-- Coordinators' digests, the public list of signatories, publication tasks, consent, and
-- who exported personal data (issue [digest-audit]).

-- What a coordinator must do by hand after a registration or a resignation (art. 6.3,
-- annex 2): publish on / remove from the website, send / revoke Communauté de Pratiques
-- access, remove from the working groups. Open until someone closes it.
CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY,
    member_id      INTEGER NOT NULL REFERENCES members(id),
    kind           TEXT NOT NULL CHECK (kind IN ('publish_website', 'send_cdp_access',
                       'remove_website', 'revoke_cdp_access', 'remove_from_groups')),
    opened_at      TEXT NOT NULL,
    message_row_id INTEGER REFERENCES messages(id),   -- the message that opened it
    done_at        TEXT,
    done_by        TEXT,
    note           TEXT
) STRICT;

CREATE INDEX tasks_open ON tasks (done_at, member_id);

-- Art. 8: a member's prior express consent to a nominative communication about its
-- actions or results. None by default; silence is never consent. Append-only: the latest
-- row for a scope is the member's current answer.
CREATE TABLE consents (
    id                   INTEGER PRIMARY KEY,
    member_id            INTEGER NOT NULL REFERENCES members(id),
    decision             TEXT NOT NULL CHECK (decision IN ('grant', 'refuse')),
    scope                TEXT NOT NULL,
    evidence_message_id  TEXT NOT NULL,   -- the member's message that says so
    recorded_by          TEXT NOT NULL,
    recorded_at          TEXT NOT NULL
) STRICT;

CREATE INDEX consents_by_member ON consents (member_id, scope, id);

-- Who read or exported personal data, when, with which filter (the auditors' question).
CREATE TABLE access_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    by             TEXT NOT NULL,        -- the operator (--by, else the system user)
    command        TEXT NOT NULL,        -- 'members', 'roster', 'person export', 'digest'…
    filter         TEXT NOT NULL DEFAULT '{}',   -- JSON: the options given
    format         TEXT,
    rows           INTEGER NOT NULL,
    personal_data  INTEGER NOT NULL      -- 1 when people's names or addresses were in it
) STRICT;

-- Digests sent: the period each covered, so the next one starts where it ended.
CREATE TABLE digests (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    since       TEXT NOT NULL,
    until       TEXT NOT NULL,
    audience    TEXT NOT NULL,     -- 'coordinators' or 'gt.<code>'
    outbox_id   INTEGER REFERENCES outbox(id),
    empty       INTEGER NOT NULL   -- nothing new: the one-line digest
) STRICT;
